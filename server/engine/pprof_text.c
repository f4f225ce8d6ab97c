/* pprof_text.c: `pprof -top` text output (spec/pprof.md §8 steps 9-10):
 * measurement units, ScaledLabel, Percentage, the header labels and the
 * rows. Pure formatting into a pf_buf; no I/O. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "pprof_text.h"

struct unit {
	const char *name;
	const char *aliases[4];
	double factor;
};

static const struct unit mem_units[] = {
        {"B", {"b", "byte"}, 1},
        {"kB", {"kb", "kbyte", "kilobyte"}, 1024.0},
        {"MB", {"mb", "mbyte", "megabyte"}, 1048576.0},
        {"GB", {"gb", "gbyte", "gigabyte"}, 1073741824.0},
        {"TB", {"tb", "tbyte", "terabyte"}, 1099511627776.0},
        {"PB", {"pb", "pbyte", "petabyte"}, 1125899906842624.0},
};

static const struct unit time_units[] = {
        {"ns", {"ns", "nanosecond"}, 1},    {"us", {"\xce\xbcs", "us", "microsecond"}, 1e3},
        {"ms", {"ms", "millisecond"}, 1e6}, {"s", {"s", "sec", "second"}, 1e9},
        {"hrs", {"hour", "hr"}, 3600e9},
};

struct family {
	const struct unit *units;
	size_t n;
	const struct unit *def;
};

static const struct family families[] = {
        {mem_units, sizeof mem_units / sizeof mem_units[0], &mem_units[0]},
        {time_units, sizeof time_units / sizeof time_units[0], &time_units[3]},
};

/* sniffUnit: lower-case, strip one trailing 's' when longer than 2. */
static const struct unit *sniff(const struct family *f, const char *u)
{
	char low[32];
	size_t n = strlen(u);
	if (n >= sizeof low)
		return NULL;
	for (size_t i = 0; i <= n; i++)
		low[i] = (char)tolower((unsigned char)u[i]);
	if (n > 2 && low[n - 1] == 's')
		low[n - 1] = '\0';
	for (size_t i = 0; i < f->n; i++)
		for (size_t j = 0; j < 4 && f->units[i].aliases[j]; j++)
			if (strcmp(f->units[i].aliases[j], low) == 0)
				return &f->units[i];
	return NULL;
}

/* measurement.Scale */
static double scale(int64_t value, const char *from, const char *to, const char **unit)
{
	if (value < 0 && -value > 0)
		return -scale(-value, from, to, unit);
	for (size_t fi = 0; fi < sizeof families / sizeof families[0]; fi++) {
		const struct family *f = &families[fi];
		const struct unit *fu = sniff(f, from);
		if (!fu)
			continue;
		double v = (double)value * fu->factor;
		if (strcmp(to, "minimum") == 0 || strcmp(to, "auto") == 0) {
			double best = 0;
			const char *bu = NULL;
			for (size_t i = 0; i < f->n; i++)
				if (f->units[i].factor >= best && v / f->units[i].factor >= 1.0) {
					best = f->units[i].factor;
					bu = f->units[i].name;
				}
			if (bu) {
				*unit = bu;
				return v / best;
			}
			*unit = f->def->name;
			return v / f->def->factor;
		}
		const struct unit *tu = sniff(f, to);
		if (!tu)
			tu = f->def;
		*unit = tu->name;
		return v / tu->factor;
	}
	if (!strcmp(to, "count") || !strcmp(to, "sample") || !strcmp(to, "unit") ||
	    !strcmp(to, "minimum") || !strcmp(to, "auto"))
		*unit = "";
	else
		*unit = to;
	return (double)value;
}

void pf_pprof_scaled_label(int64_t value, const char *from_unit, const char *to_unit, char *out,
                           size_t outsz)
{
	const char *u;
	double v = scale(value, from_unit, to_unit, &u);
	char num[64];
	snprintf(num, sizeof num, "%.2f", v);
	size_t n = strlen(num);
	if (n > 3 && strcmp(num + n - 3, ".00") == 0)
		num[n - 3] = '\0';
	if (strcmp(num, "0") == 0 || strcmp(num, "-0") == 0)
		snprintf(out, outsz, "0");
	else
		snprintf(out, outsz, "%s%s", num, u);
}

void pf_pprof_percentage(int64_t value, int64_t total, char *out, size_t outsz)
{
	double r = 0;
	if (total != 0)
		r = fabs((double)value / (double)total) * 100;
	if (r >= 99.95 && r <= 100.05)
		snprintf(out, outsz, "  100%%");
	else if (r >= 1.0)
		snprintf(out, outsz, "%5.2f%%", r);
	else
		snprintf(out, outsz, "%5.2g%%", r);
}

static const char *base_name(const char *f)
{
	const char *s = strrchr(f, '/');
	return s && s[1] ? s + 1 : f;
}

void pf_pprof_header_of(const struct pf_profile *p, const char *type, struct pf_pprof_header *h)
{
	memset(h, 0, sizeof *h);
	h->file = p->n_mappings ? base_name(p->mappings[0].filename) : "";
	h->build_id = p->n_mappings ? p->mappings[0].build_id : "";
	h->comments = p->comments;
	h->n_comments = p->n_comments;
	h->type = type;
	h->time_nanos = p->time_nanos;
	h->duration_nanos = p->duration_nanos;
}

void pf_pprof_header_diff(const struct pf_profile *base, const struct pf_profile *cand,
                          const char *type, struct pf_pprof_header *h)
{
	pf_pprof_header_of(cand, type, h);
	if (base->time_nanos && (h->time_nanos == 0 || base->time_nanos < h->time_nanos))
		h->time_nanos = base->time_nanos;
	h->duration_nanos += base->duration_nanos;
}

/* selectOutputUnit over the displayed rows */
static const char *output_unit(const struct pf_functab *t, const char *unit)
{
	if (unit && strcmp(unit, "minimum") != 0)
		return unit;
	int64_t minv = 0;
	for (size_t i = 0; i < t->n_rows; i++) {
		int64_t v = t->rows[i].flat < 0 ? -t->rows[i].flat : t->rows[i].flat;
		if (v == 0)
			v = t->rows[i].cum < 0 ? -t->rows[i].cum : t->rows[i].cum;
		if (v > 0 && (minv == 0 || v < minv))
			minv = v;
	}
	if (t->n_rows == 0)
		return "minimum";
	int64_t maxv = t->total;
	if (minv == 0)
		minv = maxv;
	const char *umin, *umax, *u;
	scale(minv, t->unit, "minimum", &umin);
	scale(maxv, t->unit, "minimum", &umax);
	u = umin;
	if (strcmp(umin, umax) != 0 && minv * 100 < maxv)
		scale(100 * minv, t->unit, "minimum", &u);
	return *u ? u : t->unit;
}

static void put_time(struct pf_buf *out, int64_t ns)
{
	static const char *const mon[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	time_t s = (time_t)(ns / 1000000000);
	struct tm tm;
	if (!localtime_r(&s, &tm))
		return;
	int h12 = tm.tm_hour % 12 ? tm.tm_hour % 12 : 12;
	pf_buf_printf(out, "Time: %s %d, %d at %d:%02d%s (%s)\n", mon[tm.tm_mon], tm.tm_mday,
	              tm.tm_year + 1900, h12, tm.tm_min, tm.tm_hour < 12 ? "am" : "pm",
	              tm.tm_zone ? tm.tm_zone : "UTC");
}

enum pf_code pf_pprof_text(const struct pf_pprof_header *h, const struct pf_functab *t,
                           const char *unit, struct pf_buf *out)
{
	const char *ou = output_unit(t, unit);
	char a[64], b[64], c[96], d[64], e[64];

	if (h->file && *h->file)
		pf_buf_printf(out, "File: %s\n", h->file);
	if (h->build_id && *h->build_id)
		pf_buf_printf(out, "Build ID: %s\n", h->build_id);
	for (size_t i = 0; i < h->n_comments; i++)
		if (h->comments[i][0] != '#')
			pf_buf_printf(out, "%s\n", h->comments[i]);
	if (h->type && *h->type)
		pf_buf_printf(out, "Type: %s\n", h->type);
	if (h->time_nanos)
		put_time(out, h->time_nanos);
	if (h->duration_nanos) {
		const char *tu;
		double tn = scale(t->total, t->unit, "nanoseconds", &tu);
		pf_pprof_scaled_label(h->duration_nanos, "nanoseconds", "auto", a, sizeof a);
		pf_pprof_scaled_label(t->total, t->unit, ou, b, sizeof b);
		c[0] = '\0';
		if (strcmp(tu, "ns") == 0 && tn != 0) {
			pf_pprof_percentage((int64_t)tn, h->duration_nanos, d, sizeof d);
			snprintf(c, sizeof c, "(%s)", d);
		}
		pf_buf_printf(out, "Duration: %s, Total samples = %s %s\n", a, b, c);
	}
	if (h->filter)
		pf_buf_printf(out, "Active filters:\n   %s\n", h->filter);
	int64_t flat_sum = 0;
	for (size_t i = 0; i < t->n_rows; i++)
		flat_sum += t->rows[i].flat;
	pf_pprof_scaled_label(flat_sum, t->unit, ou, a, sizeof a);
	pf_pprof_percentage(flat_sum, t->total, b, sizeof b);
	pf_pprof_scaled_label(t->total, t->unit, ou, c, sizeof c);
	const char *bp = b;
	while (*bp == ' ')
		bp++;
	pf_buf_printf(out, "Showing nodes accounting for %s, %s of %s total\n", a, bp, c);
	if (t->total != 0 && t->n_dropped > 0) {
		pf_pprof_scaled_label(t->drop_cutoff, t->unit, ou, a, sizeof a);
		pf_buf_printf(out, "Dropped %zu node%s (cum <= %s)\n", t->n_dropped,
		              t->n_dropped == 1 ? "" : "s", a);
	}
	pf_buf_printf(out, "%10s %5s%% %5s%% %10s %5s%%\n", "flat", "flat", "sum", "cum", "cum");
	int64_t run = 0;
	for (size_t i = 0; i < t->n_rows; i++) {
		const struct pf_functab_row *r = &t->rows[i];
		run += r->flat;
		pf_pprof_scaled_label(r->flat, t->unit, ou, a, sizeof a);
		pf_pprof_percentage(r->flat, t->total, b, sizeof b);
		pf_pprof_percentage(run, t->total, c, sizeof c);
		pf_pprof_scaled_label(r->cum, t->unit, ou, d, sizeof d);
		pf_pprof_percentage(r->cum, t->total, e, sizeof e);
		pf_buf_printf(out, "%10s %s %s %10s %s  %s%s\n", a, b, c, d, e, r->name,
		              pf_functab_inline_label(r->inl));
	}
	return pf_buf_status(out);
}
