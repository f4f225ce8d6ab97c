/* bench_set.c: the benchmark set builder shared by the reader and
 * pf_bench_merge: configurations, series keyed by (configuration, name,
 * tidied unit) with an open-addressing index, Unit metadata, the count
 * limits. Pure: the caller's arena only. */
#include "bench_set.h"

#include <stdint.h>
#include <string.h>

void pf_bench_limits_default(struct pf_bench_limits *lim)
{
	lim->max_bytes = (size_t)64 * 1024 * 1024;
	lim->max_line = (size_t)64 * 1024;
	lim->max_benchmarks = 10000;
	lim->max_runs = 10000;
	lim->max_units = 64;
	lim->max_configs = 1000;
}

/* Open-addressing index: series by (config, name, unit) and benchmarks by
 * (config, name). Slots hold index + 1; 0 is empty. */
struct pf_bench_index {
	size_t *series_slots, series_cap;
	size_t *bench_slots, bench_cap; /* value: series index + 1 of its first series */
};

static uint64_t hash_key(size_t config, const char *name, size_t nlen, const char *unit)
{
	uint64_t h = 1469598103934665603ull ^ (uint64_t)config;
	for (size_t i = 0; i < nlen; i++)
		h = (h ^ (unsigned char)name[i]) * 1099511628211ull;
	h = (h ^ 0xff) * 1099511628211ull;
	for (; unit && *unit; unit++)
		h = (h ^ (unsigned char)*unit) * 1099511628211ull;
	return h ^ (h >> 29);
}

static bool name_eq(const char *s, const char *name, size_t nlen)
{
	return strncmp(s, name, nlen) == 0 && s[nlen] == '\0';
}

static bool index_grow(struct pf_benchset *set, struct pf_arena *a, bool bench)
{
	struct pf_bench_index *ix = set->index;
	size_t cap = (bench ? ix->bench_cap : ix->series_cap) * 2;
	size_t *slots = pf_arena_calloc(a, cap, sizeof *slots);
	if (!slots)
		return false;
	for (size_t i = 0; i < set->nseries; i++) {
		const struct pf_bench_series *s = &set->series[i];
		if (bench) {
			/* only the first series of each benchmark is indexed */
			size_t nl = strlen(s->name);
			size_t h = hash_key(s->config, s->name, nl, NULL) & (cap - 1);
			bool dup = false;
			while (slots[h]) {
				const struct pf_bench_series *o = &set->series[slots[h] - 1];
				if (o->config == s->config && strcmp(o->name, s->name) == 0) {
					dup = true;
					break;
				}
				h = (h + 1) & (cap - 1);
			}
			if (!dup)
				slots[h] = i + 1;
		} else {
			size_t h =
			        hash_key(s->config, s->name, strlen(s->name), s->unit) & (cap - 1);
			while (slots[h])
				h = (h + 1) & (cap - 1);
			slots[h] = i + 1;
		}
	}
	if (bench) {
		ix->bench_slots = slots;
		ix->bench_cap = cap;
	} else {
		ix->series_slots = slots;
		ix->series_cap = cap;
	}
	return true;
}

enum pf_code pf_bench_set_init(struct pf_benchset *set, const struct pf_bench_limits *lim,
                               struct pf_arena *a, struct pf_err *err)
{
	memset(set, 0, sizeof *set);
	if (lim)
		set->lim = *lim;
	else
		pf_bench_limits_default(&set->lim);
	set->index = pf_arena_calloc(a, 1, sizeof *set->index);
	if (!set->index)
		return pf_err_set(err, PF_E_NOMEM, NULL, "out of memory for benchmark results");
	set->index->series_cap = 64;
	set->index->bench_cap = 64;
	set->index->series_slots = pf_arena_calloc(a, 64, sizeof(size_t));
	set->index->bench_slots = pf_arena_calloc(a, 64, sizeof(size_t));
	if (!set->index->series_slots || !set->index->bench_slots)
		return pf_err_set(err, PF_E_NOMEM, NULL, "out of memory for benchmark results");
	return PF_OK;
}

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

static bool config_eq(const struct pf_bench_config *c, const char *const *keys,
                      const char *const *values, size_t n)
{
	if (c->n != n)
		return false;
	for (size_t i = 0; i < n; i++) {
		size_t j = 0;
		while (j < c->n && strcmp(c->keys[j], keys[i]) != 0)
			j++;
		if (j == c->n || strcmp(c->values[j], values[i]) != 0)
			return false;
	}
	return true;
}

/* Index of the configuration with these pairs, added (copied) if new. */
enum pf_code pf_bench_set_config(struct pf_benchset *set, struct pf_arena *a,
                                 const char *const *keys, const char *const *values, size_t n,
                                 size_t line, size_t *out, struct pf_err *err)
{
	for (size_t i = 0; i < set->nconfigs; i++)
		if (config_eq(&set->configs[i], keys, values, n)) {
			*out = i;
			return PF_OK;
		}
	if (set->nconfigs >= set->lim.max_configs)
		return pf_err_set(err, PF_E_LIMIT, NULL,
		                  "line %zu: more than %zu distinct configurations", line,
		                  set->lim.max_configs);
	if (!grow(a, (void **)&set->configs, &set->cap_configs, set->nconfigs,
	          sizeof *set->configs))
		goto nomem;
	struct pf_bench_config *c = &set->configs[set->nconfigs];
	c->n = n;
	c->keys = pf_arena_calloc(a, n ? n : 1, sizeof *c->keys);
	c->values = pf_arena_calloc(a, n ? n : 1, sizeof *c->values);
	if (!c->keys || !c->values)
		goto nomem;
	for (size_t i = 0; i < n; i++) {
		c->keys[i] = pf_arena_strdup(a, keys[i]);
		c->values[i] = pf_arena_strdup(a, values[i]);
		if (!c->keys[i] || !c->values[i])
			goto nomem;
	}
	*out = set->nconfigs++;
	return PF_OK;
nomem:
	return pf_err_set(err, PF_E_NOMEM, NULL, "out of memory for benchmark results");
}

/* Append values to the series (config, name[0..nlen), unit), creating it. */
/* Create the series (config, name, unit) at free slot h of the index. */
static enum pf_code series_new(struct pf_benchset *set, struct pf_arena *a, size_t config,
                               const char *name, size_t nlen, const char *unit, size_t h,
                               size_t line, struct pf_bench_series **out, struct pf_err *err)
{
	struct pf_bench_index *ix = set->index;
	struct pf_bench_series *s;
	/* A new benchmark (config, name)? */
	size_t hb = hash_key(config, name, nlen, NULL) & (ix->bench_cap - 1);
	bool known = false;
	while (ix->bench_slots[hb]) {
		const struct pf_bench_series *o = &set->series[ix->bench_slots[hb] - 1];
		if (o->config == config && name_eq(o->name, name, nlen)) {
			known = true;
			break;
		}
		hb = (hb + 1) & (ix->bench_cap - 1);
	}
	if (!known && set->nbenchmarks >= set->lim.max_benchmarks)
		return pf_err_set(err, PF_E_LIMIT, NULL, "line %zu: more than %zu benchmarks", line,
		                  set->lim.max_benchmarks);
	if (!grow(a, (void **)&set->series, &set->cap_series, set->nseries, sizeof *set->series))
		goto nomem;
	s = &set->series[set->nseries];
	memset(s, 0, sizeof *s);
	s->config = config;
	s->name = pf_arena_strndup(a, name, nlen);
	s->unit = pf_arena_strdup(a, unit);
	s->better = pf_bench_unit_better(unit);
	s->line = line;
	if (!s->name || !s->unit)
		goto nomem;
	set->nseries++;
	if (!known) {
		set->nbenchmarks++;
		ix->bench_slots[hb] = set->nseries;
		if (set->nbenchmarks * 2 > ix->bench_cap && !index_grow(set, a, true))
			goto nomem;
	}
	ix->series_slots[h] = set->nseries;
	if (set->nseries * 2 > ix->series_cap && !index_grow(set, a, false))
		goto nomem;

	*out = s;
	return PF_OK;
nomem:
	return pf_err_set(err, PF_E_NOMEM, NULL, "out of memory for benchmark results");
}

enum pf_code pf_bench_set_add(struct pf_benchset *set, struct pf_arena *a, size_t config,
                              const char *name, size_t nlen, const char *unit, const double *vals,
                              size_t nvals, size_t line, struct pf_err *err)
{
	struct pf_bench_index *ix = set->index;
	size_t h = hash_key(config, name, nlen, unit) & (ix->series_cap - 1);
	struct pf_bench_series *s = NULL;

	while (ix->series_slots[h]) {
		struct pf_bench_series *o = &set->series[ix->series_slots[h] - 1];
		if (o->config == config && name_eq(o->name, name, nlen) &&
		    strcmp(o->unit, unit) == 0) {
			s = o;
			break;
		}
		h = (h + 1) & (ix->series_cap - 1);
	}
	if (!s) {
		enum pf_code c = series_new(set, a, config, name, nlen, unit, h, line, &s, err);
		if (c)
			return c;
	}
	if (s->n + nvals > set->lim.max_runs)
		return pf_err_set(err, PF_E_LIMIT, NULL, "line %zu: more than %zu runs of %s (%s)",
		                  line, set->lim.max_runs, s->name, s->unit);
	while (s->n + nvals > s->cap) {
		size_t ncap = s->cap ? s->cap * 2 : 16;
		double *v = pf_arena_realloc(a, s->values, s->n * sizeof *v, ncap * sizeof *v);
		if (!v)
			goto nomem;
		s->values = v;
		s->cap = ncap;
	}
	memcpy(s->values + s->n, vals, nvals * sizeof *vals);
	s->n += nvals;
	return PF_OK;
nomem:
	return pf_err_set(err, PF_E_NOMEM, NULL, "out of memory for benchmark results");
}

enum pf_code pf_bench_set_meta(struct pf_benchset *set, struct pf_arena *a, const char *unit,
                               const char *key, size_t klen, const char *value, size_t vlen,
                               size_t line, struct pf_err *err)
{
	for (size_t i = 0; i < set->nmeta; i++) {
		struct pf_bench_unitmeta *m = &set->meta[i];
		if (strcmp(m->unit, unit) == 0 && name_eq(m->key, key, klen)) {
			if (name_eq(m->value, value, vlen))
				return PF_OK;
			return pf_err_set(err, PF_E_BAD_BENCH, NULL,
			                  "line %zu: metadata %s of unit %s already set to %s",
			                  line, m->key, unit, m->value);
		}
	}
	if (set->nmeta >= 1000)
		return pf_err_set(err, PF_E_LIMIT, NULL, "line %zu: more than 1000 Unit lines",
		                  line);
	if (!grow(a, (void **)&set->meta, &set->cap_meta, set->nmeta, sizeof *set->meta))
		goto nomem;
	struct pf_bench_unitmeta *m = &set->meta[set->nmeta];
	m->unit = pf_arena_strdup(a, unit);
	m->key = pf_arena_strndup(a, key, klen);
	m->value = pf_arena_strndup(a, value, vlen);
	if (!m->unit || !m->key || !m->value)
		goto nomem;
	set->nmeta++;
	return PF_OK;
nomem:
	return pf_err_set(err, PF_E_NOMEM, NULL, "out of memory for benchmark results");
}

/* Apply `better=` metadata to every series of its unit (spec §5). */
void pf_bench_set_finish(struct pf_benchset *set)
{
	for (size_t i = 0; i < set->nmeta; i++) {
		const struct pf_bench_unitmeta *m = &set->meta[i];
		if (strcmp(m->key, "better") != 0)
			continue;
		enum pf_bench_better b = strcmp(m->value, "higher") == 0  ? PF_BENCH_HIGHER
		                         : strcmp(m->value, "lower") == 0 ? PF_BENCH_LOWER
		                                                          : PF_BENCH_UNKNOWN;
		for (size_t j = 0; j < set->nseries; j++)
			if (strcmp(set->series[j].unit, m->unit) == 0)
				set->series[j].better = b;
	}
}

enum pf_code pf_bench_merge(const struct pf_benchset *const *sets, size_t nsets,
                            const struct pf_bench_limits *lim, struct pf_arena *a,
                            struct pf_benchset **out, struct pf_err *err)
{
	struct pf_benchset *set = pf_arena_calloc(a, 1, sizeof *set);
	enum pf_code c;

	*out = NULL;
	if (!set)
		return pf_err_set(err, PF_E_NOMEM, NULL, "out of memory for benchmark results");
	if ((c = pf_bench_set_init(set, lim, a, err)))
		return c;
	for (size_t k = 0; k < nsets; k++) {
		const struct pf_benchset *in = sets[k];
		size_t *map = pf_arena_calloc(a, in->nconfigs ? in->nconfigs : 1, sizeof *map);
		if (!map)
			return pf_err_set(err, PF_E_NOMEM, NULL, "out of memory");
		for (size_t i = 0; i < in->nconfigs; i++) {
			const struct pf_bench_config *cf = &in->configs[i];
			if ((c = pf_bench_set_config(set, a, cf->keys, cf->values, cf->n, 0,
			                             &map[i], err)))
				return c;
		}
		for (size_t i = 0; i < in->nseries; i++) {
			const struct pf_bench_series *s = &in->series[i];
			c = pf_bench_set_add(set, a, map[s->config], s->name, strlen(s->name),
			                     s->unit, s->values, s->n, s->line, err);
			if (c)
				return c;
		}
		for (size_t i = 0; i < in->nmeta; i++) {
			const struct pf_bench_unitmeta *m = &in->meta[i];
			c = pf_bench_set_meta(set, a, m->unit, m->key, strlen(m->key), m->value,
			                      strlen(m->value), 0, err);
			if (c)
				return c;
		}
		set->nresults += in->nresults;
	}
	if (set->nseries == 0)
		return pf_err_set(err, PF_E_EMPTY, NULL, "no benchmark results to merge");
	pf_bench_set_finish(set);
	*out = set;
	return PF_OK;
}
