/* bench_parse.c: the Go benchmark format reader (spec/benchfmt.md §1):
 * lines, configuration lines, result lines, Unit lines, the line limits;
 * every error names its line. Groups through bench_set.c. Pure: works on
 * the caller's bytes and arena; no I/O, no globals. */
#include "bench.h"
#include "bench_set.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define UNIT_MAX 200 /* bytes of one unit token */
#define NUM_MAX  64  /* bytes of one number token */

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
	enum pf_code c = pf_bench_set_config(r->set, r->a, r->keys, r->values, r->nkeys, r->line,
	                                     &r->config, r->err);
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
		c = pf_bench_set_add(r->set, r->a, r->config, name, nlen, tidy, &v, 1, r->line,
		                     r->err);
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
		enum pf_code c = pf_bench_set_meta(r->set, r->a, tidy, f, (size_t)(eq - f), eq + 1,
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
	while (k < r->nkeys && !(strncmp(r->keys[k], line, klen) == 0 && r->keys[k][klen] == '\0'))
		k++;
	if (v == end) { /* "key:" deletes the key */
		if (k < r->nkeys) {
			r->config_valid = false;
			memmove(&r->keys[k], &r->keys[k + 1], (r->nkeys - k - 1) * sizeof *r->keys);
			memmove(&r->values[k], &r->values[k + 1],
			        (r->nkeys - k - 1) * sizeof *r->values);
			r->nkeys--;
		}
		return PF_OK;
	}
	size_t vlen = (size_t)(end - v);
	if (k < r->nkeys && strncmp(r->values[k], v, vlen) == 0 && r->values[k][vlen] == '\0')
		return PF_OK; /* a repeated go test header: nothing changes */
	const char *val = pf_arena_strndup(r->a, v, vlen);
	if (!val)
		return pf_err_set(r->err, PF_E_NOMEM, NULL, "out of memory for benchmark results");
	r->config_valid = false;
	if (k < r->nkeys) {
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
	if ((c = pf_bench_set_init(set, lim, a, err)))
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
	pf_bench_set_finish(set);
	*out = set;
	return PF_OK;
}
