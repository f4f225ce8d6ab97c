/* upload.c: engine inputs from uploads and from the store, store rows from
 * engine outputs. The baseline window is rebuilt from function_stats and
 * bench_stats, never by re-parsing stored profiles (DESIGN §6). */
#include "upload.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pf_mem.h"
#include "pprof.h"

enum pf_code pf_upload_profile(const uint8_t *data, size_t len, const char *kind, size_t max_bytes,
                               struct pf_arena *arena, struct pf_functab **out, struct pf_err *err)
{
	struct pf_pprof_limits lim = pf_pprof_limits_default();
	enum pf_code rc;

	lim.max_bytes = max_bytes;
	rc = pf_pprof_functab(data, len, &lim, pf_pprof_kind_index(kind), arena, out, err);
	if (rc)
		goto fail;
	return PF_OK;
fail:
	err->code = rc;
	snprintf(err->field, sizeof err->field, "%s", kind);
	pf_err_prefix(err, kind);
	return rc;
}

struct rows {
	struct pf_arena *arena;
	struct pf_functab_row *rows;
	size_t n, cap;
	bool failed;
};

static void add_row(void *arg, const struct pf_db_fstat *f)
{
	struct rows *r = arg;
	if (r->failed)
		return;
	if (r->n == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 256;
		struct pf_functab_row *nr =
		        pf_arena_realloc(r->arena, r->rows, r->n * sizeof *nr, cap * sizeof *nr);
		if (!nr) {
			r->failed = true;
			return;
		}
		r->rows = nr;
		r->cap = cap;
	}
	struct pf_functab_row *row = &r->rows[r->n];
	row->name = pf_arena_strdup(r->arena, f->function);
	if (!row->name) {
		r->failed = true;
		return;
	}
	row->inl = (unsigned)f->inline_bits;
	row->flat = f->flat;
	row->cum = f->cum;
	row->flat_samples = f->flat_samples;
	row->cum_samples = f->cum_samples;
	r->n++;
}

static enum pf_code read_functab(struct pf_db *db, const int64_t *runs, size_t n, const char *kind,
                                 struct pf_arena *arena, struct pf_functab **out,
                                 struct pf_err *err);

enum pf_code pf_upload_baseline_functab(struct pf_db *db, struct pf_basecache *cache,
                                        const int64_t *runs, size_t n, const char *kind,
                                        struct pf_arena *arena, struct pf_functab **out,
                                        struct pf_err *err)
{
	if (pf_basecache_get_functab(cache, kind, runs, n, arena, out))
		return PF_OK;
	enum pf_code rc = read_functab(db, runs, n, kind, arena, out, err);
	if (rc == PF_OK)
		pf_basecache_put_functab(cache, kind, runs, n, *out);
	return rc;
}

/* The window read from the store and merged. */
static enum pf_code read_functab(struct pf_db *db, const int64_t *runs, size_t n, const char *kind,
                                 struct pf_arena *arena, struct pf_functab **out,
                                 struct pf_err *err)
{
	const struct pf_functab **tabs = pf_arena_calloc(arena, n ? n : 1, sizeof *tabs);
	size_t ntabs = 0;

	*out = NULL;
	if (!tabs)
		return pf_err_set(err, PF_E_NOMEM, NULL, "out of memory for the baseline");
	for (size_t i = 0; i < n; i++) {
		struct pf_db_totals t;
		struct rows r = {.arena = arena};
		enum pf_code rc = pf_db_function_stats(db, runs[i], kind, &t, add_row, &r, err);
		if (rc == PF_E_NOT_FOUND)
			continue; /* that baseline run had no profile of this kind */
		if (rc)
			return rc;
		if (r.failed)
			return pf_err_set(err, PF_E_NOMEM, NULL, "out of memory for the baseline");
		struct pf_functab *ft = pf_arena_calloc(arena, 1, sizeof *ft);
		if (!ft)
			return pf_err_set(err, PF_E_NOMEM, NULL, "out of memory for the baseline");
		ft->sample_index = pf_arena_strdup(arena, t.sample_index);
		ft->unit = pf_arena_strdup(arena, t.unit);
		ft->total = t.total;
		ft->total_samples = t.total_samples;
		ft->rows = r.rows;
		ft->n_rows = r.n;
		tabs[ntabs++] = ft;
	}
	if (ntabs == 0)
		return PF_OK;
	return pf_functab_merge(tabs, ntabs, arena, out, err);
}

struct bench_rows {
	struct pf_arena *arena;
	struct pf_benchset *set;
	double *vals;
	size_t cap;
	enum pf_code rc;
	struct pf_err *err;
};

static void add_samples(void *arg, const char *benchmark, const char *unit, const char *samples)
{
	struct bench_rows *b = arg;
	size_t n = 0;

	if (b->rc)
		return;
	for (const char *p = samples; *p;) {
		char *end;
		double v = strtod(p, &end);
		if (end == p || !isfinite(v)) {
			b->rc = pf_err_set(
			        b->err, PF_E_INTERNAL, NULL,
			        "stored baseline benchmarks: %s (%s): sample %zu is not a "
			        "finite number",
			        benchmark, unit, n + 1);
			return;
		}
		if (n == b->cap) {
			size_t cap = b->cap ? 2 * b->cap : 64;
			double *nv = pf_arena_realloc(b->arena, b->vals, n * sizeof *nv,
			                              cap * sizeof *nv);
			if (!nv) {
				b->rc = pf_err_set(b->err, PF_E_NOMEM, NULL,
				                   "out of memory for the baseline benchmarks");
				return;
			}
			b->vals = nv;
			b->cap = cap;
		}
		b->vals[n++] = v;
		for (p = end; *p == ' '; p++)
			;
	}
	b->rc = pf_bench_canonical_add(b->set, b->arena, benchmark, unit, b->vals, n, b->err);
}

enum pf_code pf_upload_baseline_bench(struct pf_db *db, struct pf_basecache *cache,
                                      const int64_t *runs, size_t n, struct pf_arena *arena,
                                      struct pf_benchset **out, struct pf_err *err)
{
	struct bench_rows b = {.arena = arena, .err = err};
	enum pf_code rc;

	*out = NULL;
	if (n == 0 || pf_basecache_get_bench(cache, runs, n, arena, out))
		return PF_OK;
	b.set = pf_arena_calloc(arena, 1, sizeof *b.set);
	if (!b.set)
		return pf_err_set(err, PF_E_NOMEM, NULL,
		                  "out of memory for the baseline benchmarks");
	rc = pf_bench_canonical_init(b.set, NULL, arena, err);
	if (rc == PF_OK)
		rc = pf_db_bench_samples(db, runs, n, add_samples, &b, err);
	if (rc == PF_OK)
		rc = b.rc;
	if (rc == PF_OK && b.set->nseries > 0)
		*out = b.set;
	if (rc == PF_OK)
		pf_basecache_put_bench(cache, runs, n, *out);
	return rc;
}

/* Pointers to the n rows at base (each of size sz), sorted by cmp; NULL
 * when out of memory (err set). The stored rows are sent in their primary
 * key's order (run, then the text columns, which are COLLATE "C": strcmp's
 * order). Each index entry then goes after the one before it, at the right
 * edge of the index, instead of splitting pages inside the run's range:
 * 2.5 % fewer PostgreSQL instructions per fixture upload
 * (tests/tools/pg_instructions.sh). */
static void *in_key_order(const void *base, size_t n, size_t sz,
                          int (*cmp)(const void *, const void *), struct pf_err *err)
{
	const void **p = malloc((n ? n : 1) * sizeof *p);
	if (!p) {
		pf_err_set(err, PF_E_NOMEM, NULL, "cannot sort %zu rows", n);
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		p[i] = (const char *)base + i * sz;
	qsort(p, n, sizeof *p, cmp);
	return p;
}

static int functab_row_cmp(const void *a, const void *b)
{
	const struct pf_functab_row *x = *(const struct pf_functab_row *const *)a;
	const struct pf_functab_row *y = *(const struct pf_functab_row *const *)b;
	return strcmp(x->name, y->name);
}

static int bench_row_cmp(const void *a, const void *b)
{
	const struct pf_bench_row *x = *(const struct pf_bench_row *const *)a;
	const struct pf_bench_row *y = *(const struct pf_bench_row *const *)b;
	int c = strcmp(x->name, y->name);
	return c ? c : strcmp(x->unit, y->unit);
}

/* r's name, inline bits, flat, cum, flat and cum samples into a[0..6),
 * the columns function_stats and function_stats_small share. */
static void row_cells(struct pf_db_array *a, const struct pf_functab_row *r)
{
	pf_db_array_text(&a[0], r->name);
	pf_db_array_int(&a[1], r->inl);
	pf_db_array_int(&a[2], r->flat);
	pf_db_array_int(&a[3], r->cum);
	pf_db_array_int(&a[4], r->flat_samples);
	pf_db_array_int(&a[5], r->cum_samples);
}

enum pf_code pf_upload_fstats_arrays(const struct pf_functab *const *tabs, const char *const *kinds,
                                     size_t n, struct pf_db_array out[PF_DB_FSTATS],
                                     struct pf_err *err)
{
	static const enum pf_db_elem types[PF_DB_FSTATS] = {
	        PF_DB_TEXT, PF_DB_TEXT, PF_DB_INT2, PF_DB_INT8, PF_DB_INT8,   PF_DB_INT8,
	        PF_DB_INT8, PF_DB_TEXT, PF_DB_INT4, PF_DB_INT4, PF_DB_TEXT,   PF_DB_INT2,
	        PF_DB_INT8, PF_DB_INT8, PF_DB_INT8, PF_DB_INT8, PF_DB_FLOAT8, PF_DB_FLOAT8};
	struct pf_db_array *big = out, *small = out + 7;
	/* the rows `pprof -top` drops by default go to function_stats_small */
	const double small_fraction = pf_functab_opts_pprof().node_fraction;
	enum pf_code rc = PF_OK;
	int64_t n_small = 0;

	for (int k = 0; k < PF_DB_FSTATS; k++)
		pf_db_array_init(&out[k], types[k]);
	for (size_t t = 0; t < n && rc == PF_OK; t++) {
		const struct pf_functab *tab = tabs[t];
		const struct pf_functab_row **by_key = in_key_order(
		        tab->rows, tab->n_rows, sizeof *tab->rows, functab_row_cmp, err);
		if (!by_key) {
			rc = PF_E_NOMEM;
			break;
		}
		int64_t cut = llabs((int64_t)((double)tab->total * small_fraction)),
		        first = n_small;
		for (size_t i = 0; i < tab->n_rows; i++) {
			const struct pf_functab_row *r = by_key[i];
			if (llabs(r->cum) >= cut) {
				pf_db_array_text(&big[0], kinds[t]);
				row_cells(&big[1], r);
				continue;
			}
			row_cells(&small[3], r);
			/* flat% and cum% as the statement computes them for
			 * function_stats (float8 arithmetic) */
			pf_db_array_f64(&small[9], 100.0 * (double)r->flat / (double)tab->total);
			pf_db_array_f64(&small[10], 100.0 * (double)r->cum / (double)tab->total);
			n_small++;
		}
		if (n_small > first) {
			pf_db_array_text(&small[0], kinds[t]);
			pf_db_array_int(&small[1], first);
			pf_db_array_int(&small[2], n_small - first);
		}
		free(by_key);
	}
	for (int k = 0; k < PF_DB_FSTATS; k++)
		if (pf_db_array_finish(&out[k], err) != PF_OK)
			rc = PF_E_NOMEM;
	return rc;
}

static void f64_or_null(struct pf_db_array *a, double v)
{
	if (isfinite(v))
		pf_db_array_f64(a, v);
	else
		pf_db_array_null(a);
}

enum pf_code pf_upload_bstats_arrays(const struct pf_benchset *s,
                                     const struct pf_bench_cmp *gate_cmp, struct pf_arena *arena,
                                     struct pf_db_array out[8], struct pf_err *err)
{
	static const enum pf_db_elem types[8] = {PF_DB_TEXT,   PF_DB_TEXT,   PF_DB_INT4,
	                                         PF_DB_FLOAT8, PF_DB_FLOAT8, PF_DB_FLOAT8,
	                                         PF_DB_FLOAT8, PF_DB_INT4};
	const struct pf_bench_cmp *cmp = gate_cmp;
	struct pf_bench_cmp *own = NULL;
	enum pf_code rc = PF_OK;
	int64_t offset = 0;

	for (int k = 0; k < 8; k++)
		pf_db_array_init(&out[k], types[k]);
	if (s && !cmp) {
		/* no comparison with a baseline: the candidate summarised alone
		 * (its summaries are then the "base" side) */
		rc = pf_bench_compare(s, NULL, NULL, arena, &own, err);
		cmp = own;
	}
	const struct pf_bench_row **by_key = NULL;
	if (s && cmp && rc == PF_OK) {
		by_key = in_key_order(cmp->rows, cmp->nrows, sizeof *cmp->rows, bench_row_cmp, err);
		if (!by_key)
			rc = PF_E_NOMEM;
	}
	for (size_t i = 0; by_key && i < cmp->nrows; i++) {
		const struct pf_bench_row *r = by_key[i];
		const struct pf_bench_summary *m = own ? &r->base : &r->cand;
		if (own ? !r->has_base : !r->has_cand)
			continue;
		pf_db_array_text(&out[0], r->name);
		pf_db_array_text(&out[1], r->unit);
		pf_db_array_int(&out[2], (int64_t)m->n);
		pf_db_array_f64(&out[3], m->median);
		f64_or_null(&out[4], m->ci_low);
		f64_or_null(&out[5], m->ci_high);
		for (size_t k = 0; k < m->n; k++)
			pf_db_array_f64(&out[6], m->sorted[k]);
		pf_db_array_int(&out[7], offset);
		offset += (int64_t)m->n;
	}
	free(by_key);
	for (int k = 0; k < 8; k++)
		if (pf_db_array_finish(&out[k], err) != PF_OK && rc == PF_OK)
			rc = PF_E_NOMEM;
	return rc;
}

enum pf_code pf_upload_policy(const struct pf_config *cfg, const json_t *settings,
                              const struct pf_policy_layer *request, struct pf_policy *out,
                              struct pf_err *err)
{
	struct pf_policy_layer daemon_layer, project_layer = {0};
	const json_t *pol = json_object_get(settings, "policy");
	const char *key;
	json_t *v;

	pf_config_policy_layer(cfg, &daemon_layer);
	json_object_foreach((json_t *)pol, key, v)
	{
		if (!json_is_string(v))
			return pf_err_set(err, PF_E_INTERNAL, key,
			                  "stored project policy: %s is not a string", key);
		enum pf_code rc =
		        pf_policy_layer_set(&project_layer, key, json_string_value(v), err);
		if (rc)
			return rc;
	}
	const struct pf_policy_layer *layers[3] = {&daemon_layer, &project_layer, request};
	return pf_policy_resolve(layers, request ? 3 : 2, out, err);
}
