/* bench_unit.c: benchmark units as golang.org/x/perf/benchunit treats them:
 * tidying (ns -> sec, MB -> B), unit direction, binary or decimal class and
 * the SI/IEC display scaling of the text table (spec/benchfmt.md §2, §5).
 * Pure functions; the tables are constants. */
#include "bench.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* One token of a unit: [*start, *start+*len), denom tells whether it is in
 * a denominator. Separators: '*' (back to numerator), '/' (denominator),
 * '-' and blanks. Returns false at the end. */
static bool unit_next(const char **p, const char **start, size_t *len, bool *denom)
{
	const char *s = *p;
	for (; *s; s++) {
		if (*s == '*')
			*denom = false;
		else if (*s == '/')
			*denom = true;
		else if (!(*s == '-' || *s == ' ' || *s == '\t'))
			break;
	}
	if (!*s) {
		*p = s;
		return false;
	}
	const char *e = s;
	while (*e && *e != '*' && *e != '/' && *e != '-' && *e != ' ' && *e != '\t')
		e++;
	*start = s;
	*len = (size_t)(e - s);
	*p = e;
	return true;
}

static bool tok_is(const char *t, size_t n, const char *lit)
{
	return n == strlen(lit) && memcmp(t, lit, n) == 0;
}

double pf_bench_unit_tidy(const char *unit, char *out, size_t cap)
{
	size_t ulen = strlen(unit);
	if (strcmp(unit, "ns/op") == 0) {
		snprintf(out, cap, "sec/op");
		return 1e-9;
	}
	if (strcmp(unit, "MB/s") == 0) {
		snprintf(out, cap, "B/s");
		return 1e6;
	}
	snprintf(out, cap, "%s", unit);
	if (ulen + 2 > cap || (!strstr(unit, "ns") && !strstr(unit, "MB")))
		return 1;

	double factor = 1;
	const char *p = unit, *t;
	size_t tl, o = 0, from = 0;
	bool denom = false;
	while (unit_next(&p, &t, &tl, &denom)) {
		if (denom)
			continue;
		const char *rep = NULL;
		if (tok_is(t, tl, "ns")) {
			rep = "sec";
			factor /= 1e9;
		} else if (tok_is(t, tl, "MB")) {
			rep = "B";
			factor *= 1e6;
		}
		if (!rep)
			continue;
		size_t at = (size_t)(t - unit);
		size_t keep = at - from;
		if (o + keep + strlen(rep) + 1 > cap)
			break;
		memcpy(out + o, unit + from, keep);
		o += keep;
		memcpy(out + o, rep, strlen(rep));
		o += strlen(rep);
		from = at + tl;
	}
	if (from > 0) {
		size_t rest = ulen - from;
		if (o + rest + 1 > cap)
			rest = cap - o - 1;
		memcpy(out + o, unit + from, rest);
		out[o + rest] = '\0';
	}
	return factor;
}

enum pf_bench_better pf_bench_unit_better(const char *u)
{
	if (strcmp(u, "ns/op") == 0 || strcmp(u, "sec/op") == 0 || strcmp(u, "B/op") == 0 ||
	    strcmp(u, "allocs/op") == 0)
		return PF_BENCH_LOWER;
	if (strcmp(u, "MB/s") == 0 || strcmp(u, "B/s") == 0)
		return PF_BENCH_HIGHER;
	return PF_BENCH_UNKNOWN;
}

bool pf_bench_unit_binary(const char *unit)
{
	const char *p = unit, *t;
	size_t tl;
	bool denom = false;
	while (unit_next(&p, &t, &tl, &denom))
		if (!denom && (tok_is(t, tl, "B") || tok_is(t, tl, "MB") || tok_is(t, tl, "bytes")))
			return true;
	return false;
}

/* benchunit's factors, largest first, with the thresholds at which a value
 * prints as 100.0, 10.00 and 1.000 of the factor. */
struct factor {
	double factor;
	const char *prefix;
	double t100, t10, t1;
};

static void si_factor(int i, struct factor *f)
{
	static const char *const prefix[] = {"T", "G", "M", "k", "", "m", "\xc2\xb5", "n"};
	static const double fac[] = {1e12, 1e9, 1e6, 1e3, 1, 1e-3, 1e-6, 1e-9};
	static const double t100[] = {99.995e12, 99.995e9,  99.995e6,  99.995e3,
	                              99.995,    99.995e-3, 99.995e-6, 99.995e-9};
	static const double t10[] = {9.9995e12, 9.9995e9,  9.9995e6,  9.9995e3,
	                             9.9995,    9.9995e-3, 9.9995e-6, 9.9995e-9};
	static const double t1[] = {.99995e12, .99995e9,  .99995e6,  .99995e3,
	                            .99995,    .99995e-3, .99995e-6, .99995e-9};
	f->factor = fac[i];
	f->prefix = prefix[i];
	f->t100 = t100[i];
	f->t10 = t10[i];
	f->t1 = t1[i];
}

static void iec_factor(int i, struct factor *f)
{
	static const char *const prefix[] = {"Ti", "Gi", "Mi", "Ki", ""};
	int exp = 40 - 10 * i;
	f->factor = ldexp(1, exp);
	f->prefix = prefix[i];
	f->t100 = ldexp(0x1.8ffae147ae148p0, 6 + exp);
	f->t10 = ldexp(0x1.3ffbe76c8b439p0, 3 + exp);
	f->t1 = ldexp(0x1.fff972474538fp0, -1 + exp);
}

struct pf_bench_scaler pf_bench_common_scale(const double *vals, size_t n, bool binary)
{
	static const double sigfigs[] = {9.9995e-1, 9.9995e-2, 9.9995e-3, 9.9995e-4,
	                                 9.9995e-5, 9.9995e-6, 9.9995e-7, 9.9995e-8};
	struct pf_bench_scaler s = {3, 1, ""};
	double min = 0;
	int nf = binary ? 5 : 8;
	struct factor f;

	for (size_t i = 0; i < n; i++) {
		double v = fabs(vals[i]);
		if (v != 0 && (min == 0 || v < min))
			min = v;
	}
	if (min == 0)
		return s;
	for (int i = 0; i < nf; i++) {
		if (binary)
			iec_factor(i, &f);
		else
			si_factor(i, &f);
		s.factor = f.factor;
		s.prefix = f.prefix;
		if (min >= f.t100) {
			s.prec = 1;
			return s;
		}
		if (min >= f.t10) {
			s.prec = 2;
			return s;
		}
		if (min >= f.t1) {
			s.prec = 3;
			return s;
		}
	}
	/* below the smallest factor: more digits */
	double v = min / f.factor;
	for (int i = 0; i < 8; i++)
		if (v >= sigfigs[i] || i == 7) {
			s.prec = i + 3;
			break;
		}
	return s;
}

void pf_bench_scale_format(const struct pf_bench_scaler *s, double v, char *out, size_t cap)
{
	snprintf(out, cap, "%.*f%s", s->prec, v / s->factor, s->prefix);
}
