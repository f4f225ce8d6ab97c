/* stats.h: the statistics benchstat (golang.org/x/perf v2) computes, written
 * from go-moremath's definitions (spec/benchfmt.md §4): the R8 median, the
 * order-statistic confidence interval of a quantile, the Mann-Whitney U test
 * (exact distribution, tie-aware, or normal approximation), the geometric
 * mean. Pure functions: no I/O, no globals; scratch memory from an arena. */
#ifndef PF_STATS_H
#define PF_STATS_H

#include <stdbool.h>
#include <stddef.h>

#include "arena.h"
#include "pf_err.h"

/* Sort n doubles ascending in place (values are finite). */
void pf_stats_sort(double *x, size_t n);

/* Quantile q of a sorted sample by the R8 rule of go-moremath
 * (Sample.Quantile), computed in the same floating-point form so the last
 * digit agrees: h = 1/3 + q(N + 1/3), x_k + frac(h)(x_{k+1} - x_k).
 * NaN for n == 0. */
double pf_stats_quantile(const double *sorted, size_t n, double q);
/* pf_stats_quantile(sorted, n, 0.5). */
double pf_stats_median(const double *sorted, size_t n);

/* Order statistics bounding the confidence interval of quantile q in a
 * sample of size n (go-moremath QuantileCI): 1-based; lo_order < 1 means
 * -inf, hi_order > n means +inf. Exact binomial for n <= 30, normal
 * approximation above (spec §4.2). */
struct pf_quantile_ci {
	int lo_order, hi_order;
	double confidence; /* the interval's actual coverage */
};
struct pf_quantile_ci pf_stats_quantile_ci(size_t n, double q, double confidence);

/* Median of a sorted sample and its CI bounds at `confidence` (-INFINITY /
 * INFINITY when the sample is too small). n must be > 0. */
void pf_stats_median_ci(const double *sorted, size_t n, double confidence, double *median,
                        double *lo, double *hi);
/* The same with the interval's orders known: ci of pf_stats_quantile_ci(n,
 * 0.5, confidence), which depends on n alone and is worth computing once. */
void pf_stats_median_ci_at(const double *sorted, size_t n, const struct pf_quantile_ci *ci,
                           double *median, double *lo, double *hi);
/* Smallest n whose median CI at `confidence` is finite on both sides
 * (benchstat's "need >= N samples" text); 0 when none up to 50. */
int pf_stats_median_ci_min_n(double confidence);

/* mathx.Choose: exact for n <= 20, exp(lgamma...) above, 0 outside. */
double pf_stats_choose(int n, int k);

/* Standard normal CDF and inverse CDF as go-moremath computes them. */
double pf_stats_normal_cdf(double x);
double pf_stats_normal_inv_cdf(double p);

enum pf_utest_result {
	PF_UTEST_OK = 0,
	PF_UTEST_ALL_EQUAL = 1, /* every value of both samples is equal: no test */
	PF_UTEST_NOMEM = 2,     /* scratch allocation failed */
};

/* Two-sided Mann-Whitney U test of sorted samples x1 (baseline) and x2
 * (stats.MannWhitneyUTest with LocationDiffers): exact distribution when
 * n1, n2 <= 50 without ties or <= 25 with ties, otherwise the normal
 * approximation with tie and continuity correction. *p is the p-value
 * (1 when U1 == U2). Scratch memory comes from `scratch` (its blocks are
 * kept until the caller frees the arena). n1, n2 > 0. */
enum pf_utest_result pf_stats_utest(const double *x1, size_t n1, const double *x2, size_t n2,
                                    struct pf_arena *scratch, double *p) PF_MUSTCHECK;

/* Smallest two-sided p-value any pair of samples of sizes n1, n2 can reach:
 * 2 / C(n1+n2, n1), capped at 1 (3 vs 3: 0.1; 4 vs 4: 0.0286). */
double pf_stats_utest_min_p(size_t n1, size_t n2);
/* Smallest n such that n vs n can reach p <= alpha (benchstat's "need >= N
 * samples to detect a difference"), searched up to 9; 10 means "> 9". */
int pf_stats_utest_min_n(double alpha);

/* Geometric mean as stats.GeoMean computes it (running mean of logs). NaN
 * when n == 0 or any value <= 0. */
double pf_stats_geomean(const double *x, size_t n);

#endif
