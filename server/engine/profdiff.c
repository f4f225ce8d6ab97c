/* profdiff.c: base vs candidate function tables (profdiff.h): union of the
 * functions, shares, deltas and the flat-share z-test (DESIGN §4). No I/O,
 * no logging; the Bonferroni correction is the gate's (n_tests). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "profdiff.h"

double pf_profdiff_ztest(int64_t x1, int64_t n1, int64_t x2, int64_t n2, double *z)
{
	*z = NAN;
	if (n1 <= 0 || n2 <= 0 || x1 < 0 || x2 < 0)
		return NAN;
	double p1 = (double)x1 / (double)n1, p2 = (double)x2 / (double)n2;
	double p = (double)(x1 + x2) / (double)(n1 + n2);
	double se = sqrt(p * (1 - p) * (1.0 / (double)n1 + 1.0 / (double)n2));
	if (!(se > 0)) {
		*z = 0;
		return 1.0;
	}
	*z = (p2 - p1) / se;
	return erfc(fabs(*z) / sqrt(2.0));
}

static int cmp_row_name(const void *a, const void *b)
{
	const struct pf_functab_row *const *l = a, *const *r = b;
	return strcmp((*l)->name, (*r)->name);
}

static int cmp_delta(const void *a, const void *b)
{
	const struct pf_profdiff_row *l = a, *r = b;
	double x = fabs(l->delta_pts), y = fabs(r->delta_pts);
	if (x != y)
		return x > y ? -1 : 1;
	return strcmp(l->name, r->name);
}

static const struct pf_functab_row **by_name(const struct pf_functab *t)
{
	const struct pf_functab_row **v = malloc((t->n_rows ? t->n_rows : 1) * sizeof *v);
	if (!v)
		return NULL;
	for (size_t i = 0; i < t->n_rows; i++)
		v[i] = &t->rows[i];
	qsort(v, t->n_rows, sizeof *v, cmp_row_name);
	return v;
}

static double share(int64_t v, int64_t total)
{
	return total ? 100.0 * (double)v / (double)total : 0;
}

enum pf_code pf_profdiff_build(const struct pf_functab *base, const struct pf_functab *cand,
                               struct pf_arena *arena, struct pf_profdiff **out, struct pf_err *err)
{
	*out = NULL;
	if (strcmp(base->sample_index, cand->sample_index) != 0 ||
	    strcmp(base->unit, cand->unit) != 0)
		return pf_err_set(err, PF_E_BAD_REQUEST, NULL, "cannot compare %s/%s with %s/%s",
		                  base->sample_index, base->unit, cand->sample_index, cand->unit);
	const struct pf_functab_row **b = by_name(base), **c = by_name(cand);
	struct pf_profdiff *d = pf_arena_calloc(arena, 1, sizeof *d);
	struct pf_profdiff_row *rows =
	        pf_arena_calloc(arena, base->n_rows + cand->n_rows + 1, sizeof *rows);
	if (!b || !c || !d || !rows) {
		free(b);
		free(c);
		return pf_err_set(err, PF_E_NOMEM, NULL, "out of memory comparing profiles");
	}
	d->sample_index = pf_arena_strdup(arena, cand->sample_index);
	d->unit = pf_arena_strdup(arena, cand->unit);
	d->base_total = base->total;
	d->cand_total = cand->total;
	d->base_samples = base->total_samples;
	d->cand_samples = cand->total_samples;
	bool counted = base->total_samples > 0 && cand->total_samples > 0;
	size_t i = 0, j = 0, n = 0;
	while (i < base->n_rows || j < cand->n_rows) {
		int c_ = i == base->n_rows   ? 1
		         : j == cand->n_rows ? -1
		                             : strcmp(b[i]->name, c[j]->name);
		const struct pf_functab_row *rb = c_ <= 0 ? b[i++] : NULL;
		const struct pf_functab_row *rc = c_ >= 0 ? c[j++] : NULL;
		struct pf_profdiff_row *r = &rows[n++];
		r->name = pf_arena_strdup(arena, (rb ? rb : rc)->name);
		if (!r->name) {
			free(b);
			free(c);
			return pf_err_set(err, PF_E_NOMEM, NULL, "out of memory");
		}
		r->in_base = rb != NULL;
		r->in_cand = rc != NULL;
		r->inl = (rb ? rb->inl : 0) | (rc ? rc->inl : 0);
		r->base_flat = rb ? rb->flat : 0;
		r->base_cum = rb ? rb->cum : 0;
		r->cand_flat = rc ? rc->flat : 0;
		r->cand_cum = rc ? rc->cum : 0;
		r->base_pct = share(r->base_flat, base->total);
		r->cand_pct = share(r->cand_flat, cand->total);
		r->delta_pts = r->cand_pct - r->base_pct;
		r->z = r->p_value = NAN;
		int64_t xb = rb ? rb->flat_samples : 0, xc = rc ? rc->flat_samples : 0;
		if (counted && xb >= 0 && xc >= 0) {
			r->p_value = pf_profdiff_ztest(xb, base->total_samples, xc,
			                               cand->total_samples, &r->z);
			d->n_tests++;
		}
	}
	free(b);
	free(c);
	qsort(rows, n, sizeof *rows, cmp_delta);
	d->rows = rows;
	d->n_rows = n;
	if (!d->sample_index || !d->unit)
		return pf_err_set(err, PF_E_NOMEM, NULL, "out of memory");
	*out = d;
	return PF_OK;
}

static double r4(double v)
{
	return round(v * 1e4) / 1e4;
}

json_t *pf_profdiff_json(const struct pf_profdiff *d, size_t limit)
{
	json_t *fns = json_array();
	size_t n = limit && limit < d->n_rows ? limit : d->n_rows;
	for (size_t i = 0; fns && i < n; i++) {
		const struct pf_profdiff_row *r = &d->rows[i];
		json_t *o = json_pack("{s:o, s:b, s:I, s:I, s:f, s:f, s:f, s:I, s:I, s:o}", "name",
		                      pf_json_text(r->name), "inline",
		                      (r->inl & PF_FT_INLINE) && !(r->inl & PF_FT_CALL),
		                      "base_flat", (json_int_t)r->base_flat, "cand_flat",
		                      (json_int_t)r->cand_flat, "base_flat_pct", r4(r->base_pct),
		                      "cand_flat_pct", r4(r->cand_pct), "delta_pts",
		                      r4(r->delta_pts), "base_cum", (json_int_t)r->base_cum,
		                      "cand_cum", (json_int_t)r->cand_cum, "p_value",
		                      isnan(r->p_value) ? json_null() : json_real(r->p_value));
		if (!o || json_array_append_new(fns, o) != 0) {
			json_decref(fns);
			return NULL;
		}
	}
	if (!fns)
		return NULL;
	return json_pack("{s:o, s:o, s:I, s:I, s:I, s:o}", "sample_index",
	                 pf_json_text(d->sample_index), "unit", pf_json_text(d->unit), "base_total",
	                 (json_int_t)d->base_total, "cand_total", (json_int_t)d->cand_total,
	                 "tests", (json_int_t)d->n_tests, "functions", fns);
}
