/* bench_benchfmt.c: `make bench` figures for the benchmark engine. Builds
 * two `go test -bench` outputs in memory, each exactly 10 000 lines: 10
 * rounds of [4 config lines (goos, goarch, pkg, cpu), 200 result lines
 * (200 benchmarks, 3 value/unit pairs each: ns/op, B/op, allocs/op), 794
 * log lines, PASS, ok] = 200 benchmarks x 10 runs x 3 units. The candidate
 * is 3 % slower on every other benchmark. Prints the time to parse both and
 * to compute the statistics (medians, CIs, U tests, geomeans) of their
 * comparison, best and median of N repetitions. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arena.h"
#include "bench.h"
#include "buf.h"

#define ROUNDS  10
#define BENCHES 200
#define LOGS    794
#define REPS    50

static uint64_t rng = 88172645463325252ull;

static double noise(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (double)(rng % 10000) / 10000.0; /* [0, 1) */
}

static char *generate(double slow, size_t *len, size_t *lines)
{
	struct pf_buf b;
	pf_buf_init(&b, 0);
	*lines = 0;
	for (int r = 0; r < ROUNDS; r++) {
		pf_buf_puts(&b, "goos: linux\ngoarch: amd64\npkg: example.com/big/bench\n"
		                "cpu: AMD EPYC 7B13\n");
		*lines += 4;
		for (int i = 0; i < BENCHES; i++) {
			double ns = (1000.0 + 37 * i) * (1 + 0.02 * noise()) * (i % 2 ? slow : 1);
			pf_buf_printf(&b,
			              "BenchmarkOp%d/size=%d-8\t%8d\t%10.1f ns/op\t%8d B/op\t%8d "
			              "allocs/op\n",
			              i / 4, 1 << (i % 4), 100000 + i, ns, 64 * (i % 5), i % 3);
			(*lines)++;
		}
		for (int i = 0; i < LOGS; i++) {
			pf_buf_printf(&b, "    bench_test.go:%d: iteration %d of round %d done\n",
			              100 + i, i, r);
			(*lines)++;
		}
		pf_buf_printf(&b, "PASS\nok  \texample.com/big/bench\t%d.%03ds\n", 20 + r, r * 7);
		*lines += 2;
	}
	return pf_buf_steal(&b, len);
}

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static void report(const char *what, double *t, int n)
{
	qsort(t, (size_t)n, sizeof *t, cmp_d);
	printf("  %-34s best %8.3f ms   median %8.3f ms\n", what, t[0], t[n / 2]);
}

int main(void)
{
	size_t lb, lc, nb, nc;
	char *base = generate(1.0, &lb, &nb);
	char *cand = generate(1.03, &lc, &nc);
	double tp[REPS], ts[REPS], tt[REPS], tr[REPS];
	size_t rows = 0, sig = 0;

	printf("bench_benchfmt: 2 files x %zu lines (%zu + %zu bytes), %d benchmarks x %d runs x "
	       "3 units, %d repetitions\n",
	       nb, lb, lc, BENCHES, ROUNDS, REPS);
	if (nb != 10000 || nc != 10000)
		return 1;
	for (int r = 0; r < REPS; r++) {
		struct pf_arena a;
		struct pf_benchset *sb, *sc;
		struct pf_bench_cmp *cmp;
		struct pf_err e;
		struct pf_buf out;
		pf_arena_init(&a, 0);
		double t0 = now_ms();
		if (pf_bench_parse(base, lb, NULL, &a, &sb, &e) ||
		    pf_bench_parse(cand, lc, NULL, &a, &sc, &e)) {
			fprintf(stderr, "parse: %s\n", e.msg);
			return 1;
		}
		double t1 = now_ms();
		if (pf_bench_compare(sb, sc, NULL, &a, &cmp, &e)) {
			fprintf(stderr, "compare: %s\n", e.msg);
			return 1;
		}
		double t2 = now_ms();
		pf_buf_init(&out, 0);
		if (pf_bench_render_text(cmp, &out))
			return 1;
		double t3 = now_ms();
		tp[r] = t1 - t0;
		ts[r] = t2 - t1;
		tt[r] = t2 - t0;
		tr[r] = t3 - t2;
		rows = cmp->nrows;
		sig = 0;
		for (size_t i = 0; i < cmp->nrows; i++)
			sig += cmp->rows[i].significant;
		pf_buf_free(&out);
		pf_arena_free(&a);
	}
	report("parse (both files)", tp, REPS);
	report("statistics (compare)", ts, REPS);
	report("parse + statistics", tt, REPS);
	report("text rendering", tr, REPS);
	printf("  %zu rows compared, %zu significant\n", rows, sig);
	free(base);
	free(cand);
	return 0;
}
