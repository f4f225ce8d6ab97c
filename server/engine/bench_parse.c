/* bench_parse.c: the Go benchmark format reader (spec/benchfmt.md §1) and
 * the set builder shared with pf_bench_merge: configurations, series keyed
 * by (configuration, name, tidied unit), limits. Errors name the line.
 * Pure: works on the caller's bytes and arena; no I/O, no globals. */
#include "bench.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define UNIT_MAX 200 /* bytes of one unit token */
#define NUM_MAX  64  /* bytes of one number token */

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

static enum pf_code set_init(struct pf_benchset *set, const struct pf_bench_limits *lim,
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
static enum pf_code set_config(struct pf_benchset *set, struct pf_arena *a, const char *const *keys,
                               const char *const *values, size_t n, size_t line, size_t *out,
                               struct pf_err *err)
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
static enum pf_code set_add(struct pf_benchset *set, struct pf_arena *a, size_t config,
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
			return pf_err_set(err, PF_E_LIMIT, NULL,
			                  "line %zu: more than %zu benchmarks", line,
			                  set->lim.max_benchmarks);
		if (!grow(a, (void **)&set->series, &set->cap_series, set->nseries,
		          sizeof *set->series))
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

static enum pf_code set_meta(struct pf_benchset *set, struct pf_arena *a, const char *unit,
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
static void set_apply_meta(struct pf_benchset *set)
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

/* ---- the line reader ---- */

struct reader {
	struct pf_benchset *set;
	struct pf_arena *a;
	struct pf_err *err;
	size_t line;
	/* the configuration in effect: keys in first-appearance order */
	const char **keys, **values;
	size_t nkeys, cap_keys;
	bool config_valid;
	size_t config; /* index in set->configs when config_valid */
	double *vals;  /* scratch for one line's values */
	const char **units;
	size_t *ulens;
};

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r' || c == '\n';
}

/* Next whitespace-separated field of [*p, end); false at the end. */
static bool next_field(const char **p, const char *end, const char **f, size_t *flen)
{
	const char *s = *p;
	while (s < end && is_space(*s))
		s++;
	if (s == end) {
		*p = s;
		return false;
	}
	const char *e = s;
	while (e < end && !is_space(*e))
		e++;
	*f = s;
	*flen = (size_t)(e - s);
	*p = e;
	return true;
}

static bool utf8_valid(const unsigned char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		unsigned char c = s[i];
		size_t k;
		uint32_t cp;
		if (c < 0x80) {
			i++;
			continue;
		} else if ((c & 0xe0) == 0xc0) {
			k = 1;
			cp = c & 0x1f;
		} else if ((c & 0xf0) == 0xe0) {
			k = 2;
			cp = c & 0x0f;
		} else if ((c & 0xf8) == 0xf0) {
			k = 3;
			cp = c & 0x07;
		} else {
			return false;
		}
		for (size_t j = 1; j <= k; j++) {
			if (i + j >= n || (s[i + j] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + j] & 0x3f);
		}
		if ((k == 1 && cp < 0x80) || (k == 2 && cp < 0x800) || (k == 3 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += k + 1;
	}
	return true;
}

static enum pf_code bad(struct reader *r, const char *what, const char *f, size_t flen)
{
	if (f)
		return pf_err_set(r->err, PF_E_BAD_BENCH, NULL, "line %zu: %s: \"%.*s\"", r->line,
		                  what, (int)(flen > 40 ? 40 : flen), f);
	return pf_err_set(r->err, PF_E_BAD_BENCH, NULL, "line %zu: %s", r->line, what);
}

static bool parse_iters(const char *f, size_t flen, int64_t *out)
{
	size_t i = 0;
	bool neg = false;
	uint64_t v = 0;
	if (i < flen && (f[i] == '+' || f[i] == '-'))
		neg = f[i++] == '-';
	if (i == flen)
		return false;
	for (; i < flen; i++) {
		if (f[i] < '0' || f[i] > '9')
			return false;
		if (v > (UINT64_MAX - 9) / 10)
			return false;
		v = v * 10 + (uint64_t)(f[i] - '0');
		if (v > (uint64_t)INT64_MAX)
			return false;
	}
	*out = neg ? -(int64_t)v : (int64_t)v;
	return true;
}

static enum pf_code parse_value(struct reader *r, const char *f, size_t flen, double *out)
{
	char buf[NUM_MAX + 1];
	char *end;
	if (flen > NUM_MAX)
		return bad(r, "number too long", f, flen);
	memcpy(buf, f, flen);
	buf[flen] = '\0';
	errno = 0;
	double v = strtod(buf, &end);
	if (end != buf + flen || flen == 0)
		return bad(r, "value is not a number", f, flen);
	if (!isfinite(v) || errno == ERANGE)
		return bad(r, "value is not finite", f, flen);
	*out = v;
	return PF_OK;
}

static enum pf_code ensure_config(struct reader *r)
{
	if (r->config_valid)
		return PF_OK;
	enum pf_code c =
	        set_config(r->set, r->a, r->keys, r->values, r->nkeys, r->line, &r->config, r->err);
	if (c == PF_OK)
		r->config_valid = true;
	return c;
}

static enum pf_code parse_result(struct reader *r, const char *line, size_t len)
{
	const char *p = line + 9, *end = line + len; /* after "Benchmark" */
	const char *name, *f;
	size_t nlen, flen, n = 0;
	int64_t iters;
	enum pf_code c;

	nlen = 0;
	name = p;
	while (name + nlen < end && !is_space(name[nlen]))
		nlen++;
	p = name + nlen;
	if (!next_field(&p, end, &f, &flen))
		return PF_OK; /* the name alone: `go test -v` announcing a benchmark */
	if (nlen == 0)
		return bad(r, "benchmark name is empty", NULL, 0);
	if (!utf8_valid((const unsigned char *)name, nlen))
		return bad(r, "benchmark name is not valid UTF-8", NULL, 0);
	if (!parse_iters(f, flen, &iters))
		return bad(r, "iteration count is not an integer", f, flen);
	if (iters <= 0)
		return bad(r, "iteration count must be positive", f, flen);
	while (next_field(&p, end, &f, &flen)) {
		if (n >= r->set->lim.max_units)
			return pf_err_set(r->err, PF_E_LIMIT, NULL,
			                  "line %zu: more than %zu value/unit pairs", r->line,
			                  r->set->lim.max_units);
		c = parse_value(r, f, flen, &r->vals[n]);
		if (c)
			return c;
		if (!next_field(&p, end, &r->units[n], &r->ulens[n]))
			return bad(r, "missing unit after value", f, flen);
		if (r->ulens[n] > UNIT_MAX)
			return bad(r, "unit too long", r->units[n], r->ulens[n]);
		if (!utf8_valid((const unsigned char *)r->units[n], r->ulens[n]))
			return bad(r, "unit is not valid UTF-8", NULL, 0);
		n++;
	}
	if (n == 0)
		return bad(r, "missing measurements after the iteration count", NULL, 0);
	if ((c = ensure_config(r)))
		return c;
	for (size_t i = 0; i < n; i++) {
		char raw[UNIT_MAX + 1], tidy[UNIT_MAX + 16];
		memcpy(raw, r->units[i], r->ulens[i]);
		raw[r->ulens[i]] = '\0';
		double v = r->vals[i] * pf_bench_unit_tidy(raw, tidy, sizeof tidy);
		c = set_add(r->set, r->a, r->config, name, nlen, tidy, &v, 1, r->line, r->err);
		if (c)
			return c;
	}
	r->set->nresults++;
	return PF_OK;
}

/* `Unit <unit> key=value...` (spec §1.4). */
static enum pf_code parse_unit_line(struct reader *r, const char *p, const char *end)
{
	const char *f, *u;
	size_t flen, ulen;
	char raw[UNIT_MAX + 1], tidy[UNIT_MAX + 16];

	if (!next_field(&p, end, &u, &ulen))
		return bad(r, "Unit line: missing unit", NULL, 0);
	if (ulen > UNIT_MAX)
		return bad(r, "unit too long", u, ulen);
	if (!utf8_valid((const unsigned char *)u, ulen))
		return bad(r, "unit is not valid UTF-8", NULL, 0);
	memcpy(raw, u, ulen);
	raw[ulen] = '\0';
	(void)pf_bench_unit_tidy(raw, tidy, sizeof tidy);
	while (next_field(&p, end, &f, &flen)) {
		const char *eq = memchr(f, '=', flen);
		if (!eq || eq == f)
			return bad(r, "Unit line: expected key=value", f, flen);
		if (!utf8_valid((const unsigned char *)f, flen))
			return bad(r, "Unit line is not valid UTF-8", NULL, 0);
		enum pf_code c = set_meta(r->set, r->a, tidy, f, (size_t)(eq - f), eq + 1,
		                          flen - (size_t)(eq - f) - 1, r->line, r->err);
		if (c)
			return c;
	}
	return PF_OK;
}

/* `key: value` (spec §1.1); *handled false when the line is not one. */
static enum pf_code parse_config_line(struct reader *r, const char *line, size_t len, bool *handled)
{
	size_t i = 0, klen;
	*handled = false;
	if (len == 0 || !(line[0] >= 'a' && line[0] <= 'z'))
		return PF_OK;
	for (i = 1; i < len; i++) {
		if (is_space(line[i]) || (line[i] >= 'A' && line[i] <= 'Z'))
			return PF_OK;
		if (line[i] == ':')
			break;
	}
	if (i == len)
		return PF_OK;
	klen = i;
	const char *v = line + i + 1, *end = line + len;
	if (v < end && *v != ' ' && *v != '\t')
		return PF_OK; /* "key:value" is not a configuration line */
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	*handled = true;
	if (!utf8_valid((const unsigned char *)line, len))
		return bad(r, "configuration line is not valid UTF-8", NULL, 0);

	size_t k = 0;
	while (k < r->nkeys && !name_eq(r->keys[k], line, klen))
		k++;
	r->config_valid = false;
	if (v == end) { /* "key:" deletes the key */
		if (k < r->nkeys) {
			memmove(&r->keys[k], &r->keys[k + 1], (r->nkeys - k - 1) * sizeof *r->keys);
			memmove(&r->values[k], &r->values[k + 1],
			        (r->nkeys - k - 1) * sizeof *r->values);
			r->nkeys--;
		}
		return PF_OK;
	}
	const char *val = pf_arena_strndup(r->a, v, (size_t)(end - v));
	if (!val)
		return pf_err_set(r->err, PF_E_NOMEM, NULL, "out of memory for benchmark results");
	if (k < r->nkeys) {
		if (strcmp(r->values[k], val) == 0)
			r->config_valid = true; /* repeated go test header: unchanged */
		r->values[k] = val;
		return PF_OK;
	}
	if (r->nkeys >= 256)
		return pf_err_set(r->err, PF_E_LIMIT, NULL,
		                  "line %zu: more than 256 configuration keys", r->line);
	if (r->nkeys == r->cap_keys) {
		size_t ncap = r->cap_keys ? r->cap_keys * 2 : 8;
		const char **nk =
		        pf_arena_realloc(r->a, r->keys, r->nkeys * sizeof *nk, ncap * sizeof *nk);
		const char **nv =
		        pf_arena_realloc(r->a, r->values, r->nkeys * sizeof *nv, ncap * sizeof *nv);
		if (!nk || !nv)
			return pf_err_set(r->err, PF_E_NOMEM, NULL,
			                  "out of memory for benchmark results");
		r->keys = nk;
		r->values = nv;
		r->cap_keys = ncap;
	}
	r->keys[r->nkeys] = pf_arena_strndup(r->a, line, klen);
	if (!r->keys[r->nkeys])
		return pf_err_set(r->err, PF_E_NOMEM, NULL, "out of memory for benchmark results");
	r->values[r->nkeys++] = val;
	return PF_OK;
}

static enum pf_code parse_line(struct reader *r, const char *line, size_t len)
{
	if (memchr(line, '\0', len))
		return bad(r, "binary data (NUL byte) in benchmark text", NULL, 0);
	if (len >= 9 && memcmp(line, "Benchmark", 9) == 0)
		return parse_result(r, line, len);
	if (len >= 4 && memcmp(line, "Unit", 4) == 0 && (len == 4 || is_space(line[4])))
		return parse_unit_line(r, line + 4, line + len);
	bool handled;
	return parse_config_line(r, line, len, &handled);
}

enum pf_code pf_bench_parse(const char *text, size_t len, const struct pf_bench_limits *lim,
                            struct pf_arena *a, struct pf_benchset **out, struct pf_err *err)
{
	struct pf_benchset *set = pf_arena_calloc(a, 1, sizeof *set);
	struct reader r = {0};
	enum pf_code c;
	size_t pos = 0;

	*out = NULL;
	if (!set)
		return pf_err_set(err, PF_E_NOMEM, NULL, "out of memory for benchmark results");
	if ((c = set_init(set, lim, a, err)))
		return c;
	if (len > set->lim.max_bytes)
		return pf_err_set(err, PF_E_TOO_LARGE, NULL,
		                  "benchmark text is %zu bytes, more than the limit of %zu", len,
		                  set->lim.max_bytes);
	r.set = set;
	r.a = a;
	r.err = err;
	r.vals = pf_arena_alloc(a, (set->lim.max_units + 1) * sizeof *r.vals);
	r.units = pf_arena_alloc(a, (set->lim.max_units + 1) * sizeof *r.units);
	r.ulens = pf_arena_alloc(a, (set->lim.max_units + 1) * sizeof *r.ulens);
	if (!r.vals || !r.units || !r.ulens)
		return pf_err_set(err, PF_E_NOMEM, NULL, "out of memory for benchmark results");
	while (pos < len) {
		size_t rest = len - pos;
		size_t scan = rest < set->lim.max_line + 2 ? rest : set->lim.max_line + 2;
		const char *nl = memchr(text + pos, '\n', scan);
		size_t ll = nl ? (size_t)(nl - (text + pos)) : rest;
		r.line++;
		if (ll > 0 && text[pos + ll - 1] == '\r')
			ll--;
		if (ll > set->lim.max_line)
			return pf_err_set(err, PF_E_LIMIT, NULL,
			                  "line %zu: longer than the limit of %zu bytes", r.line,
			                  set->lim.max_line);
		if ((c = parse_line(&r, text + pos, ll)))
			return c;
		pos += nl ? (size_t)(nl - (text + pos)) + 1 : rest;
	}
	if (set->nseries == 0)
		return pf_err_set(err, PF_E_EMPTY, NULL,
		                  "no benchmark results (no line starting with \"Benchmark\" "
		                  "carries measurements) in %zu lines",
		                  r.line);
	set_apply_meta(set);
	*out = set;
	return PF_OK;
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
	if ((c = set_init(set, lim, a, err)))
		return c;
	for (size_t k = 0; k < nsets; k++) {
		const struct pf_benchset *in = sets[k];
		size_t *map = pf_arena_calloc(a, in->nconfigs ? in->nconfigs : 1, sizeof *map);
		if (!map)
			return pf_err_set(err, PF_E_NOMEM, NULL, "out of memory");
		for (size_t i = 0; i < in->nconfigs; i++) {
			const struct pf_bench_config *cf = &in->configs[i];
			if ((c = set_config(set, a, cf->keys, cf->values, cf->n, 0, &map[i], err)))
				return c;
		}
		for (size_t i = 0; i < in->nseries; i++) {
			const struct pf_bench_series *s = &in->series[i];
			c = set_add(set, a, map[s->config], s->name, strlen(s->name), s->unit,
			            s->values, s->n, s->line, err);
			if (c)
				return c;
		}
		for (size_t i = 0; i < in->nmeta; i++) {
			const struct pf_bench_unitmeta *m = &in->meta[i];
			c = set_meta(set, a, m->unit, m->key, strlen(m->key), m->value,
			             strlen(m->value), 0, err);
			if (c)
				return c;
		}
		set->nresults += in->nresults;
	}
	if (set->nseries == 0)
		return pf_err_set(err, PF_E_EMPTY, NULL, "no benchmark results to merge");
	set_apply_meta(set);
	*out = set;
	return PF_OK;
}
