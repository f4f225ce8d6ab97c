/* bench_compare.c: benchstat's tables from one or two benchmark sets: one
 * table per (configuration, unit), one row per full benchmark name, median
 * and CI per side, U-test p-value, delta, "~", geomean row (spec §3, §4),
 * plus what the gate needs (direction, insufficient samples). Pure. */
#include "bench.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "stats.h"

void pf_bench_opts_default(struct pf_bench_opts *o)
{
	o->alpha = 0.05;
	o->confidence = 0.95;
	o->base_label = "base";
	o->cand_label = "cand";
}

struct build {
	struct pf_arena *a;
	struct pf_bench_cmp *cmp;
	const char **keys; /* union of configuration keys */
	size_t nkeys, cap_keys;
	size_t cap_configs, cap_tables;
	/* pending rows in first-appearance order */
	struct pend {
		size_t table;
		const char *name;
		const struct pf_bench_series *base, *cand;
	} * pend;
	size_t npend, cap_pend;
	size_t *slots, cap_slots; /* (table, name) -> pend index + 1 */
	/* the median CI's orders by sample count (ci_known bit n): they
	 * depend on n alone, and their exact binomial sum (lgamma, pow per
	 * term) took two fifths of an upload's benchmark comparison (perf) */
	struct pf_quantile_ci ci[64];
	uint64_t ci_known;
};

static bool grow(struct pf_arena *a, void **p, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return true;
	size_t ncap = *cap ? *cap * 2 : 8;
	void *q = pf_arena_realloc(a, *p, *cap * size, ncap * size);
	if (!q)
		return false;
	*p = q;
	*cap = ncap;
	return true;
}

static const char *cfg_get(const struct pf_bench_config *c, const char *key)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->keys[i], key) == 0)
			return c->values[i];
	return "";
}

static bool add_keys(struct build *b, const struct pf_benchset *s)
{
	for (size_t i = 0; i < s->nconfigs; i++)
		for (size_t k = 0; k < s->configs[i].n; k++) {
			const char *key = s->configs[i].keys[k];
			size_t j = 0;
			while (j < b->nkeys && strcmp(b->keys[j], key) != 0)
				j++;
			if (j < b->nkeys)
				continue;
			if (!grow(b->a, (void **)&b->keys, &b->cap_keys, b->nkeys, sizeof *b->keys))
				return false;
			b->keys[b->nkeys++] = key;
		}
	return true;
}

/* Map each configuration of s to a configuration of the comparison (the
 * values over the union of keys; "" where a key is absent). */
static size_t *map_configs(struct build *b, const struct pf_benchset *s)
{
	struct pf_bench_cmp *cmp = b->cmp;
	size_t *map = pf_arena_calloc(b->a, s->nconfigs ? s->nconfigs : 1, sizeof *map);
	if (!map)
		return NULL;
	for (size_t i = 0; i < s->nconfigs; i++) {
		size_t j;
		for (j = 0; j < cmp->nconfigs; j++) {
			size_t k = 0;
			while (k < b->nkeys && strcmp(cmp->configs[j].values[k],
			                              cfg_get(&s->configs[i], b->keys[k])) == 0)
				k++;
			if (k == b->nkeys)
				break;
		}
		if (j == cmp->nconfigs) {
			if (!grow(b->a, (void **)&cmp->configs, &b->cap_configs, cmp->nconfigs,
			          sizeof *cmp->configs))
				return NULL;
			struct pf_bench_config *c = &cmp->configs[cmp->nconfigs];
			c->n = b->nkeys;
			c->keys = b->keys;
			c->values =
			        pf_arena_calloc(b->a, b->nkeys ? b->nkeys : 1, sizeof *c->values);
			if (!c->values)
				return NULL;
			for (size_t k = 0; k < b->nkeys; k++)
				c->values[k] = cfg_get(&s->configs[i], b->keys[k]);
			cmp->nconfigs++;
		}
		map[i] = j;
	}
	return map;
}

static uint64_t hash_row(size_t table, const char *name)
{
	uint64_t h = 1469598103934665603ull ^ (uint64_t)table;
	for (; *name; name++)
		h = (h ^ (unsigned char)*name) * 1099511628211ull;
	return h ^ (h >> 29);
}

static bool rehash(struct build *b)
{
	size_t cap = b->cap_slots ? b->cap_slots * 2 : 256;
	size_t *slots = pf_arena_calloc(b->a, cap, sizeof *slots);
	if (!slots)
		return false;
	for (size_t i = 0; i < b->npend; i++) {
		size_t h = hash_row(b->pend[i].table, b->pend[i].name) & (cap - 1);
		while (slots[h])
			h = (h + 1) & (cap - 1);
		slots[h] = i + 1;
	}
	b->slots = slots;
	b->cap_slots = cap;
	return true;
}

/* Place every series of s into its table and row. */
static bool place(struct build *b, const struct pf_benchset *s, const size_t *map, bool is_base)
{
	struct pf_bench_cmp *cmp = b->cmp;
	for (size_t i = 0; i < s->nseries; i++) {
		const struct pf_bench_series *se = &s->series[i];
		size_t cfg = map[se->config], t;
		for (t = 0; t < cmp->ntables; t++)
			if (cmp->tables[t].config == cfg &&
			    strcmp(cmp->tables[t].unit, se->unit) == 0)
				break;
		if (t == cmp->ntables) {
			if (!grow(b->a, (void **)&cmp->tables, &b->cap_tables, cmp->ntables,
			          sizeof *cmp->tables))
				return false;
			memset(&cmp->tables[t], 0, sizeof cmp->tables[t]);
			cmp->tables[t].config = cfg;
			cmp->tables[t].unit = se->unit;
			cmp->ntables++;
		}
		if ((b->npend + 1) * 2 > b->cap_slots && !rehash(b))
			return false;
		size_t h = hash_row(t, se->name) & (b->cap_slots - 1);
		struct pend *p = NULL;
		while (b->slots[h]) {
			struct pend *o = &b->pend[b->slots[h] - 1];
			if (o->table == t && strcmp(o->name, se->name) == 0) {
				p = o;
				break;
			}
			h = (h + 1) & (b->cap_slots - 1);
		}
		if (!p) {
			if (!grow(b->a, (void **)&b->pend, &b->cap_pend, b->npend, sizeof *b->pend))
				return false;
			p = &b->pend[b->npend];
			memset(p, 0, sizeof *p);
			p->table = t;
			p->name = se->name;
			b->slots[h] = ++b->npend;
		}
		if (is_base)
			p->base = se;
		else
			p->cand = se;
	}
	return true;
}

/* The median CI's orders for n samples, computed once per n below 64. */
static struct pf_quantile_ci median_ci_orders(struct build *b, size_t n)
{
	if (n >= 64)
		return pf_stats_quantile_ci(n, 0.5, b->cmp->opts.confidence);
	if (!(b->ci_known & (uint64_t)1 << n)) {
		b->ci[n] = pf_stats_quantile_ci(n, 0.5, b->cmp->opts.confidence);
		b->ci_known |= (uint64_t)1 << n;
	}
	return b->ci[n];
}

static bool summarize(struct build *b, const struct pf_bench_series *s,
                      struct pf_bench_summary *out, bool *ci_warn)
{
	double *v = pf_arena_alloc(b->a, s->n * sizeof *v);
	if (!v)
		return false;
	memcpy(v, s->values, s->n * sizeof *v);
	pf_stats_sort(v, s->n);
	out->sorted = v;
	out->n = s->n;
	struct pf_quantile_ci ci = median_ci_orders(b, s->n);
	pf_stats_median_ci_at(v, s->n, &ci, &out->median, &out->ci_low, &out->ci_high);
	*ci_warn = isinf(out->ci_low) || isinf(out->ci_high);
	return true;
}

static bool compare_row(const struct pf_bench_opts *o, struct pf_bench_row *r)
{
	struct pf_arena scratch; /* the U test's tables, freed per row */
	double p = 1;

	pf_arena_init(&scratch, (size_t)256 << 20);
	enum pf_utest_result u =
	        pf_stats_utest(r->base.sorted, r->base.n, r->cand.sorted, r->cand.n, &scratch, &p);
	pf_arena_free(&scratch);
	if (u == PF_UTEST_NOMEM)
		return false;
	if (u == PF_UTEST_ALL_EQUAL) {
		p = 1;
		r->warnings |= PF_BENCH_W_ALL_EQUAL;
	} else if (p > o->alpha) {
		size_t need = (size_t)pf_stats_utest_min_n(o->alpha);
		if (r->base.n < need && r->cand.n < need)
			r->warnings |= PF_BENCH_W_NEED_SAMPLES;
	}
	r->p_value = p;
	r->significant = !(p > o->alpha);
	r->insufficient_samples = pf_stats_utest_min_p(r->base.n, r->cand.n) > o->alpha;
	double b = r->base.median, c = r->cand.median;
	if (b == c)
		r->delta_pct = 0;
	else if (b == 0)
		r->delta_pct = NAN;
	else
		r->delta_pct = (c / b - 1.0) * 100.0;
	int dir = c > b ? 1 : c < b ? -1 : 0;
	r->regression = r->better == PF_BENCH_LOWER ? dir : r->better == PF_BENCH_HIGHER ? -dir : 0;
	return true;
}

/* The geomean row of a table (benchtab summarizeCol). */
static bool geomean_row(struct pf_arena *a, const struct pf_bench_cmp *cmp,
                        struct pf_bench_table *t)
{
	double *bs = pf_arena_alloc(a, (t->nrows + 1) * sizeof *bs);
	double *cs = pf_arena_alloc(a, (t->nrows + 1) * sizeof *cs);
	double *ratios = pf_arena_alloc(a, (t->nrows + 1) * sizeof *ratios);
	size_t nb = 0, nc = 0, nr = 0;
	bool bad_ratio = false;

	if (!bs || !cs || !ratios)
		return false;
	for (size_t i = 0; i < t->nrows; i++) {
		const struct pf_bench_row *r = &cmp->rows[t->first_row + i];
		if (r->has_base)
			bs[nb++] = r->base.median;
		if (!r->has_cand)
			continue;
		cs[nc++] = r->cand.median;
		if (!r->has_base)
			continue;
		if (r->cand.median == r->base.median) {
			ratios[nr++] = 1;
		} else if (r->base.median == 0) {
			bad_ratio = true;
			ratios[nr++] = 0;
		} else {
			ratios[nr++] = r->cand.median / r->base.median;
		}
	}
	t->base_col = nb > 0;
	t->cand_col = cmp->has_cand && nc > 0;
	if (nb) {
		t->base_gm = pf_stats_geomean(bs, nb);
		t->has_base_gm = !isnan(t->base_gm);
		t->base_gm_warn = !t->has_base_gm;
	}
	if (t->cand_col) {
		t->cand_gm = pf_stats_geomean(cs, nc);
		t->has_cand_gm = !isnan(t->cand_gm);
		t->cand_gm_warn = !t->has_cand_gm;
	}
	if (t->base_col && t->cand_col) { /* cand compared with a base column */
		t->set_differs = nr != nb;
		if (!bad_ratio) {
			t->ratio = pf_stats_geomean(ratios, nr);
			t->has_ratio = !isnan(t->ratio);
			t->ratio_warn = !t->has_ratio;
		}
	}
	return true;
}

enum pf_code pf_bench_compare(const struct pf_benchset *base, const struct pf_benchset *cand,
                              const struct pf_bench_opts *opts, struct pf_arena *a,
                              struct pf_bench_cmp **out, struct pf_err *err)
{
	struct build b = {.a = a};
	struct pf_bench_cmp *cmp = pf_arena_calloc(a, 1, sizeof *cmp);
	size_t *mb, *mc = NULL;

	*out = NULL;
	if (!cmp)
		goto nomem;
	b.cmp = cmp;
	if (opts)
		cmp->opts = *opts;
	else
		pf_bench_opts_default(&cmp->opts);
	if (!(cmp->opts.alpha >= 0 && cmp->opts.alpha <= 1) ||
	    !(cmp->opts.confidence >= 0 && cmp->opts.confidence <= 1))
		return pf_err_set(err, PF_E_BAD_CONFIG, NULL,
		                  "alpha and confidence must be in [0, 1]");
	cmp->has_cand = cand != NULL;
	if (!add_keys(&b, base) || (cand && !add_keys(&b, cand)))
		goto nomem;
	if (!(mb = map_configs(&b, base)) || (cand && !(mc = map_configs(&b, cand))))
		goto nomem;
	if (!place(&b, base, mb, true) || (cand && !place(&b, cand, mc, false)))
		goto nomem;

	/* rows grouped by table, first-appearance order inside each */
	cmp->rows = pf_arena_calloc(a, b.npend ? b.npend : 1, sizeof *cmp->rows);
	if (!cmp->rows)
		goto nomem;
	for (size_t t = 0; t < cmp->ntables; t++) {
		struct pf_bench_table *tab = &cmp->tables[t];
		tab->first_row = cmp->nrows;
		for (size_t i = 0; i < b.npend; i++) {
			const struct pend *p = &b.pend[i];
			if (p->table != t)
				continue;
			struct pf_bench_row *r = &cmp->rows[cmp->nrows++];
			bool w;
			r->name = p->name;
			r->unit = tab->unit;
			r->table = t;
			r->p_value = NAN;
			r->delta_pct = NAN;
			r->better = (p->base ? p->base : p->cand)->better;
			if (p->base) {
				r->has_base = true;
				if (!summarize(&b, p->base, &r->base, &w))
					goto nomem;
				r->warnings |= w ? PF_BENCH_W_BASE_CI : 0;
			}
			if (p->cand) {
				r->has_cand = true;
				if (!summarize(&b, p->cand, &r->cand, &w))
					goto nomem;
				r->warnings |= w ? PF_BENCH_W_CAND_CI : 0;
			}
			if (r->has_base && r->has_cand && !compare_row(&cmp->opts, r))
				goto nomem;
		}
		tab->nrows = cmp->nrows - tab->first_row;
		if (!geomean_row(a, cmp, tab))
			goto nomem;
	}
	*out = cmp;
	return PF_OK;
nomem:
	return pf_err_set(err, PF_E_NOMEM, NULL, "out of memory comparing benchmarks");
}
