/* rating.c: the deterministic 0-10 rating of DESIGN §4 "Rating": one score
 * per dimension (cpu, memory, bench) from the listed changes, and their
 * weighted mean. Also which changes are "listed" (shared with the gates and
 * the report's lists through gate_int.h). Pure: no I/O, no globals. */
#include <math.h>
#include <string.h>

#include "gate_int.h"

bool pf_gate_above(double v, double t)
{
	return v > t + PF_GATE_EPS * fmax(1.0, fabs(t));
}

bool pf_gate_atleast(double v, double t)
{
	return v >= t - PF_GATE_EPS * fmax(1.0, fabs(t));
}

bool pf_gate_fn_significant(const struct pf_profdiff *d, const struct pf_profdiff_row *r,
                            double alpha)
{
	if (isnan(r->p_value))
		return true;
	size_t n = d->n_tests ? d->n_tests : 1;
	return r->p_value <= alpha / (double)n;
}

int pf_gate_fn_listed(const struct pf_profdiff *d, const struct pf_profdiff_row *r,
                      const struct pf_policy *pol)
{
	if (!pf_gate_atleast(fabs(r->delta_pts), pol->report_min) || r->delta_pts == 0)
		return 0;
	if (!pf_gate_fn_significant(d, r, pol->alpha))
		return 0;
	return r->delta_pts > 0 ? 1 : -1;
}

bool pf_gate_bench_timed(const struct pf_bench_row *r)
{
	return r->has_base && r->has_cand && strcmp(r->unit, "sec/op") == 0 &&
	       isfinite(r->delta_pct);
}

double pf_gate_bench_rise(const struct pf_bench_row *r)
{
	if (!r->has_base || !r->has_cand || !isfinite(r->delta_pct))
		return NAN;
	if (r->better == PF_BENCH_LOWER)
		return r->delta_pct;
	if (r->better == PF_BENCH_HIGHER)
		return -r->delta_pct;
	return NAN;
}

int pf_gate_bench_listed(const struct pf_bench_row *r, const struct pf_policy *pol)
{
	double rise = pf_gate_bench_rise(r);
	if (isnan(rise) || rise == 0 || !pf_gate_atleast(fabs(rise), pol->report_min))
		return 0;
	if (!r->significant && !r->insufficient_samples)
		return 0;
	return rise > 0 ? 1 : -1;
}

double pf_rating_score(double rise_sum, double fall_sum, double threshold)
{
	double r = rise_sum > 0 ? rise_sum / threshold : 0;
	double i = fall_sum > 0 ? fall_sum / threshold : 0;
	double s = 8.0 - 3.0 * r + fmin(i, 2.0);
	if (!(s > 0)) /* also -inf and NaN: a zero threshold with a regression */
		s = 0;
	if (s > 10)
		s = 10;
	return pf_report_r1(s);
}

double pf_rating_overall(double cpu, double memory, double bench)
{
	const double v[3] = {cpu, memory, bench}, w[3] = {0.4, 0.3, 0.3};
	double sum = 0, wsum = 0;
	for (int i = 0; i < 3; i++)
		if (!isnan(v[i])) {
			sum += w[i] * v[i];
			wsum += w[i];
		}
	return wsum > 0 ? pf_report_r1(sum / wsum) : NAN;
}

static double profile_score(const struct pf_profdiff *d, const struct pf_policy *pol,
                            double threshold)
{
	double rise = 0, fall = 0;
	if (!d)
		return NAN;
	for (size_t i = 0; i < d->n_rows; i++) {
		const struct pf_profdiff_row *r = &d->rows[i];
		int l = pf_gate_fn_listed(d, r, pol);
		if (l > 0)
			rise += r->delta_pts;
		else if (l < 0)
			fall += -r->delta_pts;
	}
	return pf_rating_score(rise, fall, threshold);
}

static double bench_score(const struct pf_bench_cmp *c, const struct pf_policy *pol)
{
	double rise = 0, fall = 0;
	if (!c)
		return NAN;
	for (size_t i = 0; i < c->nrows; i++) {
		const struct pf_bench_row *r = &c->rows[i];
		if (!pf_gate_bench_timed(r))
			continue;
		int l = pf_gate_bench_listed(r, pol);
		if (l > 0)
			rise += pf_gate_bench_rise(r);
		else if (l < 0)
			fall += -pf_gate_bench_rise(r);
	}
	return pf_rating_score(rise, fall, pol->bench_slow_max);
}

void pf_rating_compute(const struct pf_gate_data *g, double *cpu, double *memory, double *bench,
                       double *overall)
{
	*cpu = profile_score(g->cpu, g->pol, g->pol->cpu_reg_max);
	*memory = profile_score(g->heap, g->pol, g->pol->mem_reg_max);
	*bench = bench_score(g->bench, g->pol);
	*overall = pf_rating_overall(*cpu, *memory, *bench);
}
