/* stats.c: median, quantile confidence interval, Mann-Whitney U test and
 * geometric mean, following go-moremath (the library benchstat calls) step
 * by step so the printed digits agree (spec/benchfmt.md §4). Pure: no I/O,
 * no globals; scratch memory only from the caller's arena. */
#include "stats.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

void pf_stats_sort(double *x, size_t n)
{
	if (n > 1)
		qsort(x, n, sizeof *x, cmp_double);
}

double pf_stats_quantile(const double *x, size_t n, double q)
{
	if (n == 0)
		return NAN;
	if (q <= 0)
		return x[0];
	if (q >= 1)
		return x[n - 1];
	double h = 1 / 3.0 + q * ((double)n + 1 / 3.0); /* R8 */
	double kf = floor(h);
	double frac = h - kf;
	if (kf <= 0)
		return x[0];
	if (kf >= (double)n)
		return x[n - 1];
	size_t k = (size_t)kf;
	return x[k - 1] + frac * (x[k] - x[k - 1]);
}

double pf_stats_median(const double *x, size_t n)
{
	return pf_stats_quantile(x, n, 0.5);
}

double pf_stats_choose(int n, int k)
{
	if (k == 0 || k == n)
		return 1;
	if (k < 0 || n < k)
		return 0;
	if (n <= 20) {
		int64_t numer = 1, denom = 1;
		for (int64_t i = n - (k - 1); i <= n; i++)
			numer *= i;
		for (int64_t i = 2; i <= k; i++)
			denom *= i;
		return (double)(numer / denom);
	}
	return exp(lgamma((double)n + 1) - lgamma((double)k + 1) - lgamma((double)(n - k) + 1));
}

/* BinomialDist{N: n, P: q}.PMF(k) */
static double binom_pmf(int n, double q, int k)
{
	if (k < 0 || k > n)
		return 0;
	return pf_stats_choose(n, k) * pow(q, (double)k) * pow(1 - q, (double)(n - k));
}

double pf_stats_normal_cdf(double x)
{
	return erfc(-x / M_SQRT2) / 2;
}

double pf_stats_normal_inv_cdf(double p)
{
	static const double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,
	                           -2.759285104469687e+02, 1.383577518672690e+02,
	                           -3.066479806614716e+01, 2.506628277459239e+00};
	static const double b[] = {-5.447609879822406e+01, 1.615858368580409e+02,
	                           -1.556989798598866e+02, 6.680131188771972e+01,
	                           -1.328068155288572e+01};
	static const double c[] = {-7.784894002430293e-03, -3.223964580411365e-01,
	                           -2.400758277161838e+00, -2.549732539343734e+00,
	                           4.374664141464968e+00,  2.938163982698783e+00};
	static const double d[] = {7.784695709041462e-03, 3.224671290700398e-01,
	                           2.445134137142996e+00, 3.754408661907416e+00};
	const double plow = 0.02425, phigh = 1 - plow;
	double x, q, r;

	if (p < 0 || p > 1)
		return NAN;
	if (p == 0)
		return -INFINITY;
	if (p == 1)
		return INFINITY;
	if (p < plow) {
		q = sqrt(-2 * log(p));
		x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
		    ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
	} else if (phigh < p) {
		q = sqrt(-2 * log(1 - p));
		x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
		    ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
	} else {
		q = p - 0.5;
		r = q * q;
		x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
		    (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
	}
	double e = 0.5 * erfc(-x / M_SQRT2) - p;
	double u = e * sqrt(2 * M_PI) * exp(x * x / 2);
	return x - u / (1 + x * u / 2);
}

/* Exact: start at the binomial mode, add the larger neighbour (ties left)
 * until the coverage reaches `confidence`. */
static void qci_exact(int n, double q, double confidence, int *l, int *r, double *conf)
{
	int x = (int)(ceil((double)(n + 1) * q) - 1);
	if (q == 0)
		x = 0;
	double accum = binom_pmf(n, q, x);
	*l = x;
	*r = x + 1;
	double lp = binom_pmf(n, q, *l - 1), rp = binom_pmf(n, q, *r);
	while (accum < confidence && (lp > 0 || rp > 0)) {
		if (lp >= rp) {
			accum += lp;
			(*l)--;
			lp = binom_pmf(n, q, *l - 1);
		} else {
			accum += rp;
			(*r)++;
			rp = binom_pmf(n, q, *r);
		}
	}
	*conf = accum;
}

static double norm_cdf(double mu, double sigma, double x)
{
	return erfc(-(x - mu) / (sigma * M_SQRT2)) / 2;
}

static void qci_normal(int n, double q, double confidence, int *l, int *r, double *conf)
{
	double mu = n * q, sigma = sqrt(n * q * (1 - q));
	double alpha = (1 - confidence) / 2;
	double l1 = pf_stats_normal_inv_cdf(alpha) * sigma + mu;
	double r1 = 2 * mu - l1;
	*l = (int)floor(floor(l1 - 0.5) + 0.5) + 1;
	*r = (int)floor(ceil(r1 - 0.5) + 0.5) + 1;
	*conf = norm_cdf(mu, sigma, *r - 0.5) - norm_cdf(mu, sigma, *l - 0.5);
	double biased = norm_cdf(mu, sigma, *r - 1 - 0.5) - norm_cdf(mu, sigma, *l - 0.5);
	if (biased >= confidence && biased < *conf) {
		*conf = biased;
		(*r)--;
	}
	if (*l <= 0 && *r >= n + 1)
		*conf = 1;
}

struct pf_quantile_ci pf_stats_quantile_ci(size_t n, double q, double confidence)
{
	struct pf_quantile_ci res = {0, (int)n + 1, 1};
	int l, r;

	if (confidence >= 1)
		return res;
	if (n <= 30)
		qci_exact((int)n, q, confidence, &l, &r, &res.confidence);
	else
		qci_normal((int)n, q, confidence, &l, &r, &res.confidence);
	res.lo_order = l < 0 ? 0 : l;
	res.hi_order = r > (int)n + 1 ? (int)n + 1 : r;
	return res;
}

void pf_stats_median_ci(const double *x, size_t n, double confidence, double *median, double *lo,
                        double *hi)
{
	struct pf_quantile_ci ci = pf_stats_quantile_ci(n, 0.5, confidence);
	pf_stats_median_ci_at(x, n, &ci, median, lo, hi);
}

void pf_stats_median_ci_at(const double *x, size_t n, const struct pf_quantile_ci *ci,
                           double *median, double *lo, double *hi)
{
	*median = pf_stats_median(x, n);
	*lo = ci->lo_order < 1 ? -INFINITY : x[ci->lo_order - 1];
	*hi = ci->hi_order - 1 >= (int)n ? INFINITY : x[ci->hi_order - 1];
}

int pf_stats_median_ci_min_n(double confidence)
{
	for (int n = 2; n <= 50; n++) {
		struct pf_quantile_ci ci = pf_stats_quantile_ci((size_t)n, 0.5, confidence);
		if (ci.lo_order > 0 && ci.hi_order <= n)
			return n;
	}
	return 0;
}

double pf_stats_utest_min_p(size_t n1, size_t n2)
{
	if (n1 == 0 || n2 == 0)
		return 1;
	double p = 2 / pf_stats_choose((int)(n1 + n2), (int)n1);
	return p > 1 ? 1 : p;
}

int pf_stats_utest_min_n(double alpha)
{
	for (int n = 1; n <= 9; n++)
		if (pf_stats_utest_min_p((size_t)n, (size_t)n) <= alpha)
			return n;
	return 10;
}

/* UDist.p without ties: the Mann-Whitney recurrence
 * p(n,m,U) = (n p(n-1,m,U-m) + m p(n,m-1,U)) / (n+m), tabulated for U <= ulimit;
 * returns the row for the smaller sample size (ulimit+1 entries). */
static double *udist_pdf(int n1, int n2, int ulimit, struct pf_arena *a)
{
	int N = n1 < n2 ? n1 : n2, M = n1 < n2 ? n2 : n1;
	double **memo = pf_arena_calloc(a, (size_t)N + 1, sizeof *memo);
	if (!memo)
		return NULL;
	for (int i = 0; i <= N; i++) {
		memo[i] = pf_arena_calloc(a, (size_t)ulimit + 1, sizeof **memo);
		if (!memo[i])
			return NULL;
	}
	for (int m = 0; m <= M; m++) {
		memo[0][0] = 1;
		int nlim = m < N ? m : N;
		for (int n = 1; n <= nlim; n++) {
			double *lp = memo[n - 1];
			double *rp = n <= m - 1 ? memo[n] : memo[m - 1];
			int ulim = n * m < ulimit ? n * m : ulimit;
			double *out = memo[n];
			double nplusm = (double)(n + m);
			for (int u = ulim; u >= 0; u--) {
				double l = u - m >= 0 ? (double)n * lp[u - m] : 0.0;
				double r = (double)m * rp[u];
				out[u] = (l + r) / nplusm;
			}
		}
	}
	return memo[N];
}

static bool udist_cdf_noties(int n1, int n2, double U, struct pf_arena *a, double *out)
{
	if (U < 0) {
		*out = 0;
		return true;
	}
	if (U >= (double)(n1 * n2)) {
		*out = 1;
		return true;
	}
	int ui = (int)floor(U);
	bool flip = ui >= (n1 * n2 + 1) / 2;
	if (flip)
		ui = n1 * n2 - ui - 1;
	double *pdf = udist_pdf(n1, n2, ui, a);
	if (!pdf)
		return false;
	double p = 0;
	for (int i = 0; i <= ui; i++)
		p += pdf[i];
	*out = flip ? 1 - p : p;
	return true;
}

/* Exact CDF under ties: count the choices of n1 of the pooled values (tie
 * groups t[0..k-1], ascending) whose 2U <= twou, by a DP over the groups;
 * a group contributes r (2 * lower sample-2 values + t - r) to 2U. */
static bool udist_cdf_ties(int n1, int n2, const int *t, size_t k, double U, struct pf_arena *a,
                           double *out)
{
	if (U < 0) {
		*out = 0;
		return true;
	}
	if (U >= (double)(n1 * n2)) {
		*out = 1;
		return true;
	}
	int twou = (int)(2 * U);
	size_t w = (size_t)twou + 1;
	double *cur = pf_arena_calloc(a, ((size_t)n1 + 1) * w, sizeof *cur);
	double *nxt = pf_arena_calloc(a, ((size_t)n1 + 1) * w, sizeof *nxt);
	if (!cur || !nxt)
		return false;
	cur[0] = 1;
	int before = 0; /* pooled values in lower groups */
	for (size_t g = 0; g < k; g++) {
		memset(nxt, 0, ((size_t)n1 + 1) * w * sizeof *nxt);
		for (int j = 0; j <= n1 && j <= before; j++) {
			int lower2 = before - j;
			for (size_t u = 0; u < w; u++) {
				double c = cur[(size_t)j * w + u];
				if (c == 0)
					continue;
				for (int r = 0; r <= t[g] && j + r <= n1; r++) {
					size_t nu = u + (size_t)(r * (2 * lower2 + t[g] - r));
					if (nu >= w)
						continue;
					nxt[(size_t)(j + r) * w + nu] +=
					        c * pf_stats_choose(t[g], r);
				}
			}
		}
		double *tmp = cur;
		cur = nxt;
		nxt = tmp;
		before += t[g];
	}
	double cnt = 0;
	for (size_t u = 0; u < w; u++)
		cnt += cur[(size_t)n1 * w + u];
	*out = cnt / pf_stats_choose(n1 + n2, n1);
	return true;
}

enum pf_utest_result pf_stats_utest(const double *x1, size_t n1, const double *x2, size_t n2,
                                    struct pf_arena *a, double *p)
{
	size_t N = n1 + n2, i = 0, j = 0, o = 0, k = 0;
	double *merged = pf_arena_alloc(a, N * sizeof *merged);
	unsigned char *label = pf_arena_alloc(a, N);
	int *t = pf_arena_alloc(a, N * sizeof *t);
	bool ties = false;
	double R1 = 0;

	if (!merged || !label || !t)
		return PF_UTEST_NOMEM;
	while (i < n1 && j < n2) {
		if (x1[i] < x2[j]) {
			merged[o] = x1[i++];
			label[o++] = 1;
		} else {
			merged[o] = x2[j++];
			label[o++] = 2;
		}
	}
	while (i < n1) {
		merged[o] = x1[i++];
		label[o++] = 1;
	}
	while (j < n2) {
		merged[o] = x2[j++];
		label[o++] = 2;
	}
	for (i = 0; i < N;) {
		size_t rank1 = i + 1, nx1 = 0;
		double v = merged[i];
		for (; i < N && merged[i] == v; i++)
			if (label[i] == 1)
				nx1++;
		if (nx1)
			R1 += (double)(i + rank1) / 2 * (double)nx1;
		t[k++] = (int)(i - rank1 + 1);
		if (i > rank1)
			ties = true;
	}
	double U1 = R1 - (double)(n1 * (n1 + 1)) / 2;
	double U2 = (double)(n1 * n2) - U1;
	double usmall = U1 < U2 ? U1 : U2;

	if ((!ties && n1 <= 50 && n2 <= 50) || (ties && n1 <= 25 && n2 <= 25)) {
		if (k == 1)
			return PF_UTEST_ALL_EQUAL;
		if (U1 == U2) {
			*p = 1;
			return PF_UTEST_OK;
		}
		double cdf;
		bool ok = ties ? udist_cdf_ties((int)n1, (int)n2, t, k, usmall, a, &cdf)
		               : udist_cdf_noties((int)n1, (int)n2, usmall, a, &cdf);
		if (!ok)
			return PF_UTEST_NOMEM;
		*p = cdf * 2;
		return PF_UTEST_OK;
	}

	double tc = 0;
	for (size_t g = 0; g < k; g++)
		tc += (double)t[g] * t[g] * t[g] - t[g];
	double Nf = (double)N;
	double mu = (double)(n1 * n2) / 2;
	double sigma = sqrt((double)(n1 * n2) * ((Nf + 1) - tc / (Nf * (Nf - 1))) / 12);
	if (sigma == 0)
		return PF_UTEST_ALL_EQUAL;
	double numer = U1 - mu;
	numer -= (numer > 0 ? 1 : numer < 0 ? -1 : 0) * 0.5;
	double z = numer / sigma;
	double c = pf_stats_normal_cdf(z);
	*p = 2 * (c < 1 - c ? c : 1 - c);
	return PF_UTEST_OK;
}

double pf_stats_geomean(const double *x, size_t n)
{
	double m = 0;
	if (n == 0)
		return NAN;
	for (size_t i = 0; i < n; i++) {
		if (!(x[i] > 0))
			return NAN;
		m += (log(x[i]) - m) / (double)(i + 1);
	}
	return exp(m);
}
