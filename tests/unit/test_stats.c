/* test_stats.c: unit tests of server/engine/stats.c against the values
 * spec/benchfmt.md §4 lists (obtained by running go-moremath): median, the
 * order statistics of the median CI, Mann-Whitney p-values exact, with ties
 * and approximated, the minimum achievable p, geomean. */
#include <check.h>
#include <math.h>
#include <stdlib.h>

#include "arena.h"
#include "stats.h"
#include "pftest_run.h"

static double utest(const double *x1, size_t n1, const double *x2, size_t n2,
                    enum pf_utest_result *res)
{
	struct pf_arena a;
	double p = -1;
	pf_arena_init(&a, 0);
	*res = pf_stats_utest(x1, n1, x2, n2, &a, &p);
	pf_arena_free(&a);
	return p;
}

START_TEST(median_r8)
{
	double odd[] = {1, 2, 10};
	double even[] = {1, 2, 4, 10};
	double one[] = {7};
	ck_assert_double_eq(pf_stats_median(odd, 3), 2);
	ck_assert_double_eq(pf_stats_median(even, 4), 3);
	ck_assert_double_eq(pf_stats_median(one, 1), 7);
	ck_assert(isnan(pf_stats_median(one, 0)));
	/* the x_k + frac (x_{k+1} - x_k) form, not (a+b)/2: last digit as Go prints */
	double v[] = {1.4536e-05, 1.4549000000000001e-05};
	ck_assert_double_eq(pf_stats_median(v, 2), 1.4536e-05 + 0.5 * (v[1] - v[0]));
}
END_TEST

START_TEST(quantile_ci_orders)
{
	/* spec §4.2: (lo, hi) 1-based order statistics at 95 % */
	static const struct {
		int n, lo, hi;
	} want[] = {{2, 0, 3},    {3, 0, 4},    {4, 0, 5},    {5, 0, 5},    {6, 1, 6},
	            {7, 1, 7},    {8, 1, 7},    {9, 2, 8},    {10, 2, 9},   {11, 2, 9},
	            {12, 3, 10},  {13, 3, 11},  {14, 3, 11},  {15, 4, 12},  {16, 4, 12},
	            {17, 5, 13},  {18, 5, 14},  {19, 5, 14},  {20, 6, 15},  {25, 8, 18},
	            {30, 10, 21}, {31, 10, 22}, {32, 10, 22}, {35, 12, 24}, {40, 14, 27},
	            {45, 16, 30}, {50, 18, 32}, {60, 22, 38}, {100, 40, 60}};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		struct pf_quantile_ci ci = pf_stats_quantile_ci((size_t)want[i].n, 0.5, 0.95);
		ck_assert_msg(ci.lo_order == want[i].lo && ci.hi_order == want[i].hi,
		              "n=%d: got (%d,%d) want (%d,%d)", want[i].n, ci.lo_order, ci.hi_order,
		              want[i].lo, want[i].hi);
		ck_assert(ci.confidence >= 0.95 || ci.lo_order == 0);
	}
	ck_assert_int_eq(pf_stats_median_ci_min_n(0.95), 6);
	struct pf_quantile_ci all = pf_stats_quantile_ci(10, 0.5, 1.0);
	ck_assert_int_eq(all.lo_order, 0);
	ck_assert_int_eq(all.hi_order, 11);
}
END_TEST

START_TEST(median_ci_bounds)
{
	double x[10] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
	double m, lo, hi;
	pf_stats_median_ci(x, 10, 0.95, &m, &lo, &hi);
	ck_assert_double_eq(m, 5.5);
	ck_assert_double_eq(lo, 2);
	ck_assert_double_eq(hi, 9);
	pf_stats_median_ci(x, 3, 0.95, &m, &lo, &hi);
	ck_assert(isinf(lo) && lo < 0);
	ck_assert(isinf(hi) && hi > 0);
}
END_TEST

START_TEST(utest_identical_is_all_equal)
{
	double a[] = {5, 5, 5, 5, 5}, b[] = {5, 5, 5};
	enum pf_utest_result r;
	utest(a, 5, b, 3, &r);
	ck_assert_int_eq(r, PF_UTEST_ALL_EQUAL);
	double big[60];
	for (int i = 0; i < 60; i++)
		big[i] = 1;
	utest(big, 60, big, 60, &r); /* normal approximation: sigma = 0 */
	ck_assert_int_eq(r, PF_UTEST_ALL_EQUAL);
}
END_TEST

START_TEST(utest_small_samples)
{
	enum pf_utest_result r;
	double one_a[] = {1}, one_b[] = {2};
	ck_assert_double_eq(utest(one_a, 1, one_b, 1, &r), 1);
	ck_assert_int_eq(r, PF_UTEST_OK);
	ck_assert_double_eq(pf_stats_utest_min_p(1, 1), 1);

	double a3[] = {1, 2, 3}, b3[] = {4, 5, 6};
	ck_assert_double_eq_tol(utest(a3, 3, b3, 3, &r), 0.1, 1e-15);
	ck_assert_double_eq_tol(pf_stats_utest_min_p(3, 3), 0.1, 1e-15);
	ck_assert(pf_stats_utest_min_p(3, 3) > 0.05); /* insufficient */

	double b5[] = {4, 5, 6, 7, 8};
	ck_assert_double_eq_tol(utest(a3, 3, b5, 5, &r), 2.0 / 56, 1e-15);
	ck_assert(pf_stats_utest_min_p(3, 5) <= 0.05); /* 0.036: not insufficient */
	ck_assert(pf_stats_utest_min_p(3, 4) > 0.05);
	ck_assert(pf_stats_utest_min_p(2, 8) <= 0.05);
	ck_assert(pf_stats_utest_min_p(2, 7) > 0.05);

	double a4[] = {1, 2, 3, 4}, b4[] = {5, 6, 7, 8};
	ck_assert_double_eq_tol(utest(a4, 4, b4, 4, &r), 0.02857142857142857, 1e-15);
	ck_assert_double_eq_tol(utest(b4, 4, a4, 4, &r), 0.02857142857142857, 1e-15);
	ck_assert_double_eq_tol(pf_stats_utest_min_p(4, 4), 0.02857142857142857, 1e-15);
	ck_assert_double_eq_tol(pf_stats_utest_min_p(5, 5), 0.007936507936507936, 1e-15);
	ck_assert_int_eq(pf_stats_utest_min_n(0.05), 4);
	ck_assert_int_eq(pf_stats_utest_min_n(1e-9), 10);

	/* U1 == U2 gives p = 1 exactly */
	double c[] = {1, 4}, d[] = {2, 3};
	ck_assert_double_eq(utest(c, 2, d, 2, &r), 1);
}
END_TEST

START_TEST(utest_ties)
{
	enum pf_utest_result r;
	/* spec §4.3, verified with go-moremath */
	double a[] = {1, 2, 2, 3, 3, 3}, b[] = {2, 3, 4, 4, 5};
	ck_assert_double_eq_tol(utest(a, 6, b, 5, &r), 0.112554, 5e-7);
	ck_assert_int_eq(r, PF_UTEST_OK);
	/* fully separated, internally tied */
	double c[] = {1, 1, 1, 1}, d[] = {2, 2, 2, 2};
	ck_assert_double_eq_tol(utest(c, 4, d, 4, &r), 0.02857142857142857, 1e-15);
	/* one value shared across the samples */
	double e[] = {1, 2, 3, 3}, f[] = {3, 3, 4, 5};
	double p = utest(e, 4, f, 4, &r);
	ck_assert(p > 0.05 && p < 0.2);
}
END_TEST

START_TEST(utest_normal_approximation)
{
	enum pf_utest_result r;
	double a[60], b[60];
	for (int i = 0; i < 60; i++) {
		a[i] = i + 1;  /* 1..60 */
		b[i] = i + 31; /* 31..90 */
	}
	/* 30 values tied across the samples: U1 = 450, tie-corrected sigma,
	 * continuity correction; expected value computed independently in Python */
	double p = utest(a, 60, b, 60, &r);
	ck_assert_msg(fabs(p / 1.4065275903970681e-12 - 1) < 1e-9, "p = %.17g", p);
	ck_assert_int_eq(r, PF_UTEST_OK);
}
END_TEST

START_TEST(geomean)
{
	double x[] = {1, 4, 16};
	ck_assert_double_eq_tol(pf_stats_geomean(x, 3), 4, 1e-15);
	double z[] = {1, 0, 2};
	ck_assert(isnan(pf_stats_geomean(z, 3)));
	ck_assert(isnan(pf_stats_geomean(x, 0)));
}
END_TEST

START_TEST(normal_inv_cdf)
{
	ck_assert_double_eq_tol(pf_stats_normal_inv_cdf(0.025), -1.959963984540054, 1e-12);
	ck_assert_double_eq_tol(pf_stats_normal_cdf(0), 0.5, 1e-16);
	ck_assert(isinf(pf_stats_normal_inv_cdf(0)));
}
END_TEST

static Suite *stats_suite(void)
{
	Suite *s = suite_create("stats");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, median_r8);
	tcase_add_test(tc, quantile_ci_orders);
	tcase_add_test(tc, median_ci_bounds);
	tcase_add_test(tc, utest_identical_is_all_equal);
	tcase_add_test(tc, utest_small_samples);
	tcase_add_test(tc, utest_ties);
	tcase_add_test(tc, utest_normal_approximation);
	tcase_add_test(tc, geomean);
	tcase_add_test(tc, normal_inv_cdf);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return pft_run_suite(stats_suite());
}
