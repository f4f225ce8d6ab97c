/* test_gate.c: the gate engine on hand-built function tables and small
 * generated benchmark outputs: every gate at threshold - e, = threshold
 * and + e; modes off/soft/hard and AI_GATE_ENABLE; skipped sides; no
 * baseline; the rating's worked examples; the analyzer report input. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "gate_test.h"

#define TOTAL   1000000
#define FILLERS 20

/* One special function of a hand-built table. */
struct fn {
	const char *name;
	double pct;
};

/* A table of `kind` ("cpu": sample counts known when counted; "heap":
 * alloc_space, counts unknown) whose special functions hold the given
 * shares and FILLERS filler functions share the rest equally. */
static struct pf_functab *tab(struct pf_arena *a, const char *kind, bool counted, int64_t total,
                              const struct fn *fns, size_t n)
{
	struct pf_functab *t = pf_arena_calloc(a, 1, sizeof *t);
	bool heap = strcmp(kind, "heap") == 0;
	t->sample_index = heap ? "alloc_space" : "cpu";
	t->unit = heap ? "bytes" : "nanoseconds";
	t->total = total;
	t->total_samples = counted ? total : -1;
	t->rows = pf_arena_calloc(a, n + FILLERS, sizeof *t->rows);
	int64_t used = 0;
	for (size_t i = 0; i < n; i++) {
		struct pf_functab_row *r = &t->rows[t->n_rows++];
		r->name = fns[i].name;
		r->flat = r->cum = llround(fns[i].pct * (double)total / 100.0);
		used += r->flat;
	}
	for (int i = 0; i < FILLERS; i++) {
		struct pf_functab_row *r = &t->rows[t->n_rows++];
		r->name = pf_arena_printf(a, "filler%d", i);
		r->flat = r->cum =
		        (total - used) / FILLERS + (i == 0 ? (total - used) % FILLERS : 0);
	}
	for (size_t i = 0; i < t->n_rows; i++)
		t->rows[i].flat_samples = t->rows[i].cum_samples = counted ? t->rows[i].flat : -1;
	return t;
}

static struct pf_gate_outcome eval(const struct pf_gate_input *in, const struct pf_policy *pol,
                                   struct pf_arena *a)
{
	struct pf_gate_outcome o;
	struct pf_err e;
	struct pf_report_meta meta = {.project = "p", .branch = "b", .base_branch = "main"};
	ck_assert_msg(pf_gate_evaluate(in, pol, &meta, a, &o, &e) == PF_OK, "%s", e.msg);
	return o;
}

/* cpu_hotspot: X from 10 % to 10 + d %, significant (a million samples). */
static const char *cpu_status(double d, const char *mode, bool counted, int64_t total)
{
	static char st[16];
	struct pf_arena a;
	pf_arena_init(&a, 0);
	struct fn b[] = {{"X", 10}}, c[] = {{"X", 10 + d}};
	struct pf_gate_input in = {.has_baseline = true,
	                           .base_cpu = tab(&a, "cpu", counted, total, b, 1),
	                           .cand_cpu = tab(&a, "cpu", counted, total, c, 1)};
	struct pf_policy pol = gt_policy("AI_GATE_MODE_CPU", mode, NULL);
	struct pf_gate_outcome o = eval(&in, &pol, &a);
	snprintf(st, sizeof st, "%s", gt_status(o.report, "cpu_hotspot"));
	json_decref(o.report);
	pf_arena_free(&a);
	return st;
}

START_TEST(cpu_threshold)
{
	ck_assert_str_eq(cpu_status(7.99, "hard", true, TOTAL), "pass");
	ck_assert_str_eq(cpu_status(8.00, "hard", true, TOTAL), "pass"); /* strict */
	ck_assert_str_eq(cpu_status(8.01, "hard", true, TOTAL), "fail");
	ck_assert_str_eq(cpu_status(8.01, "soft", true, TOTAL), "warn");
	ck_assert_str_eq(cpu_status(8.01, "off", true, TOTAL), "off");
	ck_assert_str_eq(cpu_status(-20, "hard", true, TOTAL), "pass"); /* a fall never fails */
}
END_TEST

START_TEST(cpu_significance)
{
	/* 100 samples: 10 -> 19 (+9 points) has p = 0.07 > 0.05 / n_tests */
	ck_assert_str_eq(cpu_status(9, "hard", true, 100), "pass");
	/* the same shares without sample counts: the threshold alone */
	ck_assert_str_eq(cpu_status(9, "hard", false, 100), "fail");
	/* 10 000 samples: +9 points is significant */
	ck_assert_str_eq(cpu_status(9, "hard", true, 10000), "fail");
}
END_TEST

static const char *alloc_status(double d, const char *mode)
{
	static char st[16];
	struct pf_arena a;
	pf_arena_init(&a, 0);
	struct fn b[] = {{"Y", 10}}, c[] = {{"Y", 10 + d}};
	struct pf_gate_input in = {.has_baseline = true,
	                           .base_heap = tab(&a, "heap", false, TOTAL, b, 1),
	                           .cand_heap = tab(&a, "heap", false, TOTAL, c, 1)};
	struct pf_policy pol = gt_policy("AI_GATE_MODE_ALLOC", mode, NULL);
	struct pf_gate_outcome o = eval(&in, &pol, &a);
	snprintf(st, sizeof st, "%s", gt_status(o.report, "alloc_regression"));
	json_t *v = json_array_get(
	        json_object_get(gt_gate(o.report, "alloc_regression"), "violations"), 0);
	if (v) /* heap: significance unknown */
		ck_assert(json_is_null(json_object_get(v, "p_value")));
	ck_assert_str_eq(gt_status(o.report, "cpu_hotspot"), "skipped");
	json_decref(o.report);
	pf_arena_free(&a);
	return st;
}

START_TEST(alloc_threshold)
{
	ck_assert_str_eq(alloc_status(9.99, "hard"), "pass");
	ck_assert_str_eq(alloc_status(10.00, "hard"), "pass");
	ck_assert_str_eq(alloc_status(10.01, "hard"), "fail");
	ck_assert_str_eq(alloc_status(10.01, "soft"), "warn");
	ck_assert_str_eq(alloc_status(10.01, "off"), "off");
}
END_TEST

static const char *new_status(double base, double cand, const char *mode)
{
	static char st[16];
	struct pf_arena a;
	pf_arena_init(&a, 0);
	struct fn b[] = {{"N", base}}, c[] = {{"N", cand}};
	struct pf_gate_input in = {.has_baseline = true,
	                           .base_cpu = tab(&a, "cpu", true, TOTAL, b, base > 0),
	                           .cand_cpu = tab(&a, "cpu", true, TOTAL, c, 1)};
	struct pf_policy pol = gt_policy("AI_GATE_MODE_NEW_HOTSPOT", mode, NULL);
	struct pf_gate_outcome o = eval(&in, &pol, &a);
	snprintf(st, sizeof st, "%s", gt_status(o.report, "new_hotspot"));
	/* the list does not depend on the mode */
	ck_assert_int_eq(json_array_size(json_object_get(o.report, "new_hotspots")),
	                 base < 0.5 && cand > 4.001 ? 1 : 0);
	json_decref(o.report);
	pf_arena_free(&a);
	return st;
}

START_TEST(new_hotspot_threshold)
{
	ck_assert_str_eq(new_status(0, 3.99, "soft"), "pass");
	ck_assert_str_eq(new_status(0, 4.00, "soft"), "pass");
	ck_assert_str_eq(new_status(0, 4.01, "soft"), "warn");
	ck_assert_str_eq(new_status(0.49, 4.01, "soft"), "warn");
	ck_assert_str_eq(new_status(0.50, 4.01, "soft"), "pass"); /* not new: base >= 0.5 */
	ck_assert_str_eq(new_status(0, 4.01, "hard"), "fail");
	ck_assert_str_eq(new_status(0, 4.01, "off"), "off");
}
END_TEST

/* go test output: one benchmark, values in ns/op around center. */
static char *bench_text(const char *name, double center, int runs, bool spread)
{
	static const double off10[10] = {-2, -1.5, -1, -0.5, 0, 0, 0.5, 1, 1.5, 2};
	static const double off3[3] = {-1, 0, 1};
	struct pf_buf b;
	pf_buf_init(&b, 0);
	pf_buf_puts(&b, "goos: linux\npkg: example.com/x\n");
	for (int i = 0; i < runs; i++)
		pf_buf_printf(&b, "Benchmark%s \t 1000\t %.4f ns/op\t 50.0 MB/s\n", name,
		              center + (spread ? (runs == 10 ? off10[i] : off3[i]) : 0));
	return pf_buf_steal(&b, NULL);
}

static json_t *bench_eval(const char *base, const char *cand, const char *mode,
                          struct pf_gate_outcome *o)
{
	struct pf_arena a;
	pf_arena_init(&a, 0);
	struct pf_gate_input in = {.has_baseline = true,
	                           .base_bench = gt_bench_text(&a, base),
	                           .cand_bench = gt_bench_text(&a, cand)};
	struct pf_policy pol = gt_policy("AI_GATE_MODE_BENCH", mode, NULL);
	*o = eval(&in, &pol, &a);
	pf_arena_free(&a);
	return o->report;
}

static const char *bench_status(double cand_center, int runs, const char *mode, bool *insuff)
{
	static char st[16];
	struct pf_gate_outcome o;
	char *b = bench_text("Op", 100, runs, true), *c = bench_text("Op", cand_center, runs, true);
	json_t *r = bench_eval(b, c, mode, &o);
	snprintf(st, sizeof st, "%s", gt_status(r, "bench_slowdown"));
	json_t *v = json_array_get(json_object_get(gt_gate(r, "bench_slowdown"), "violations"), 0);
	*insuff = v && json_is_true(json_object_get(v, "insufficient_samples"));
	json_decref(r);
	free(b);
	free(c);
	return st;
}

START_TEST(bench_threshold)
{
	bool ins;
	ck_assert_str_eq(bench_status(104.99, 10, "hard", &ins), "pass");
	ck_assert_str_eq(bench_status(105.00, 10, "hard", &ins), "pass");
	ck_assert_str_eq(bench_status(105.01, 10, "hard", &ins), "fail");
	ck_assert(!ins);
	ck_assert_str_eq(bench_status(105.01, 10, "soft", &ins), "warn");
	ck_assert_str_eq(bench_status(105.01, 10, "off", &ins), "off");
	ck_assert_str_eq(bench_status(80, 10, "hard", &ins), "pass"); /* faster */
	/* 3 vs 3 runs: p >= 0.1 always; insufficient samples, threshold alone */
	ck_assert_str_eq(bench_status(104.99, 3, "hard", &ins), "pass");
	ck_assert_str_eq(bench_status(105.00, 3, "hard", &ins), "pass");
	ck_assert_str_eq(bench_status(105.01, 3, "hard", &ins), "fail");
	ck_assert(ins);
}
END_TEST

START_TEST(bench_not_significant_and_units)
{
	struct pf_gate_outcome o;
	/* +6 % median, but the samples overlap: p > alpha, nothing fires */
	const char *base = "BenchmarkOp 1 100 ns/op\nBenchmarkOp 1 100 ns/op\nBenchmarkOp 1 100 "
	                   "ns/op\nBenchmarkOp 1 100 ns/op\nBenchmarkOp 1 100 ns/op\n"
	                   "BenchmarkOp 1 100 ns/op\nBenchmarkOp 1 100 ns/op\nBenchmarkOp 1 100 "
	                   "ns/op\nBenchmarkOp 1 100 ns/op\nBenchmarkOp 1 100 ns/op\n";
	const char *cand = "BenchmarkOp 1 90 ns/op\nBenchmarkOp 1 90 ns/op\nBenchmarkOp 1 90 "
	                   "ns/op\nBenchmarkOp 1 90 ns/op\nBenchmarkOp 1 106 ns/op\n"
	                   "BenchmarkOp 1 106 ns/op\nBenchmarkOp 1 106 ns/op\nBenchmarkOp 1 106 "
	                   "ns/op\nBenchmarkOp 1 106 ns/op\nBenchmarkOp 1 106 ns/op\n";
	json_t *r = bench_eval(base, cand, "hard", &o);
	char *d = gt_dump(r);
	ck_assert_msg(strcmp(gt_status(r, "bench_slowdown"), "pass") == 0, "%s", d);
	free(d);
	json_t *row = json_array_get(json_object_get(r, "bench"), 0);
	ck_assert_double_eq_tol(json_number_value(json_object_get(row, "delta_pct")), 6, 1e-9);
	ck_assert(json_is_false(json_object_get(row, "significant")));
	ck_assert(json_is_null(json_object_get(row, "change")));
	json_decref(r);

	/* throughput (B/s) 20 % lower with sec/op unchanged: not a time gate */
	char *b = bench_text("Tp", 100, 10, true);
	struct pf_buf cb;
	pf_buf_init(&cb, 0);
	pf_buf_puts(&cb, "goos: linux\npkg: example.com/x\n");
	for (int i = 0; i < 10; i++)
		pf_buf_printf(&cb, "BenchmarkTp 1000 %.1f ns/op 40.0 MB/s\n", 98.0 + 0.5 * i);
	r = bench_eval(b, cb.data, "hard", &o);
	ck_assert_str_eq(gt_status(r, "bench_slowdown"), "pass");
	size_t i;
	json_t *v;
	bool seen = false;
	json_array_foreach(json_object_get(r, "bench"), i, v)
	{
		if (strcmp(json_string_value(json_object_get(v, "unit")), "B/s") == 0) {
			ck_assert_str_eq(json_string_value(json_object_get(v, "change")),
			                 "regression");
			seen = true;
		}
	}
	ck_assert(seen);
	ck_assert_double_eq(o.rating_bench, 8.0); /* B/s does not enter the rating */
	json_decref(r);
	pf_buf_free(&cb);
	free(b);
}
END_TEST

START_TEST(enable_and_verdict)
{
	struct pf_arena a;
	pf_arena_init(&a, 0);
	struct fn b[] = {{"X", 10}}, c[] = {{"X", 19}, {"N", 5}};
	struct pf_gate_input in = {.has_baseline = true,
	                           .base_cpu = tab(&a, "cpu", true, TOTAL, b, 1),
	                           .cand_cpu = tab(&a, "cpu", true, TOTAL, c, 2)};
	/* ENABLE=false: every gate soft, the verdict only warns */
	struct pf_policy pol = gt_policy("AI_GATE_ENABLE", "false", NULL);
	struct pf_gate_outcome o = eval(&in, &pol, &a);
	ck_assert_int_eq(o.verdict, PF_VERDICT_WARN);
	ck_assert_str_eq(gt_status(o.report, "cpu_hotspot"), "warn");
	ck_assert_str_eq(gt_status(o.report, "new_hotspot"), "warn");
	ck_assert_str_eq(
	        json_string_value(json_object_get(gt_gate(o.report, "cpu_hotspot"), "mode")),
	        "soft");
	json_decref(o.report);
	/* ENABLE=true: cpu_hotspot hard fails, new_hotspot stays soft */
	pol = gt_policy("AI_GATE_ENABLE", "true", NULL);
	o = eval(&in, &pol, &a);
	ck_assert_int_eq(o.verdict, PF_VERDICT_FAIL);
	ck_assert_str_eq(gt_status(o.report, "cpu_hotspot"), "fail");
	ck_assert_str_eq(gt_names(o.report, "cpu_hotspot"), "X");
	ck_assert_str_eq(gt_status(o.report, "new_hotspot"), "warn");
	ck_assert_str_eq(gt_names(o.report, "new_hotspot"), "N");
	ck_assert_str_eq(gt_status(o.report, "alloc_regression"), "skipped");
	ck_assert_str_eq(gt_status(o.report, "bench_slowdown"), "skipped");
	/* reasons: one sentence per violated gate, the soft one marked */
	json_t *rs = json_object_get(o.report, "reasons");
	ck_assert_int_ge(json_array_size(rs), 2);
	ck_assert_str_eq(json_string_value(json_array_get(rs, 0)),
	                 "CPU hotspot regression: X 10.0% -> 19.0% (+9.0 points > 8)");
	json_decref(o.report);
	/* ENABLE=true with the failing gate off: only the soft warning */
	pol = gt_policy("AI_GATE_ENABLE", "true", "AI_GATE_MODE_CPU", "off", "AI_GATE_MODE_RATING",
	                "off", NULL);
	o = eval(&in, &pol, &a);
	ck_assert_int_eq(o.verdict, PF_VERDICT_WARN);
	ck_assert_int_eq(
	        json_array_size(json_object_get(gt_gate(o.report, "cpu_hotspot"), "violations")),
	        0);
	json_decref(o.report);
	/* everything off: pass */
	pol = gt_policy("AI_GATE_MODE_CPU", "off", "AI_GATE_MODE_ALLOC", "off",
	                "AI_GATE_MODE_BENCH", "off", "AI_GATE_MODE_RATING", "off",
	                "AI_GATE_MODE_NEW_HOTSPOT", "off", NULL);
	o = eval(&in, &pol, &a);
	ck_assert_int_eq(o.verdict, PF_VERDICT_PASS);
	json_decref(o.report);
	pf_arena_free(&a);
}
END_TEST

START_TEST(skipped_sides)
{
	struct pf_arena a;
	pf_arena_init(&a, 0);
	struct fn f[] = {{"X", 10}};
	struct pf_policy pol = gt_policy("AI_GATE_ENABLE", "true", NULL);
	struct pf_gate_input in = {.has_baseline = true,
	                           .cand_cpu = tab(&a, "cpu", true, TOTAL, f, 1),
	                           .base_heap = tab(&a, "heap", false, TOTAL, f, 1)};
	struct pf_gate_outcome o = eval(&in, &pol, &a);
	const json_t *g = gt_gate(o.report, "cpu_hotspot");
	ck_assert_str_eq(json_string_value(json_object_get(g, "status")), "skipped");
	ck_assert_str_eq(json_string_value(json_object_get(g, "reason")),
	                 "no cpu profile in the baseline");
	g = gt_gate(o.report, "alloc_regression");
	ck_assert_str_eq(json_string_value(json_object_get(g, "reason")),
	                 "no heap profile in the candidate");
	g = gt_gate(o.report, "bench_slowdown");
	ck_assert_str_eq(json_string_value(json_object_get(g, "reason")),
	                 "no benchmark results on either side");
	ck_assert_str_eq(gt_status(o.report, "new_hotspot"), "skipped");
	ck_assert_str_eq(gt_status(o.report, "rating"), "skipped");
	ck_assert(json_is_null(json_object_get(json_object_get(o.report, "rating"), "overall")));
	ck_assert_int_eq(o.verdict, PF_VERDICT_PASS);
	json_decref(o.report);
	pf_arena_free(&a);
}
END_TEST

START_TEST(no_baseline)
{
	struct pf_arena a;
	pf_arena_init(&a, 0);
	struct fn b[] = {{"X", 1}}, c[] = {{"X", 50}};
	struct pf_policy pol =
	        gt_policy("AI_GATE_ENABLE", "true", "AI_GATE_MODE_BENCH", "off", NULL);
	struct pf_gate_input in = {.has_baseline = false,
	                           .base_cpu = tab(&a, "cpu", true, TOTAL, b, 1),
	                           .cand_cpu = tab(&a, "cpu", true, TOTAL, c, 1)};
	struct pf_gate_outcome o = eval(&in, &pol, &a);
	ck_assert_int_eq(o.verdict, PF_VERDICT_PASS);
	ck_assert(json_is_null(json_object_get(o.report, "baseline")));
	ck_assert_str_eq(json_string_value(json_object_get(o.report, "verdict")), "pass");
	for (int i = 0; i < PF_GATE__COUNT; i++) {
		const json_t *g = gt_gate(o.report, pf_gate_name((enum pf_gate_id)i));
		const char *st = json_string_value(json_object_get(g, "status"));
		if (i == PF_GATE_BENCH) {
			ck_assert_str_eq(st, "off");
			continue;
		}
		ck_assert_str_eq(st, "skipped");
		ck_assert_str_eq(json_string_value(json_object_get(g, "reason")), "no baseline");
	}
	ck_assert_int_eq(json_array_size(json_object_get(o.report, "cpu_regressions")), 0);
	json_t *notes = json_object_get(o.report, "notes");
	ck_assert_int_eq(json_array_size(notes), 1);
	ck_assert(strstr(json_string_value(json_array_get(notes, 0)), "no baseline"));
	ck_assert(strstr(json_string_value(json_object_get(o.report, "summary")), "No baseline"));
	ck_assert(isnan(o.rating_overall));
	json_decref(o.report);
	pf_arena_free(&a);
}
END_TEST

START_TEST(rating_formula)
{
	/* DESIGN §4's worked examples */
	ck_assert_double_eq(pf_rating_score(0, 0, 8), 8.0);
	ck_assert_double_eq(pf_rating_score(8, 0, 8), 5.0);
	ck_assert_double_eq(pf_rating_score(10, 0, 10), 5.0);
	/* hand-computed: 8 - 3*2 = 2; 8 + 1 = 9; I capped at 2; clamp at 0 */
	ck_assert_double_eq(pf_rating_score(16, 0, 8), 2.0);
	ck_assert_double_eq(pf_rating_score(0, 8, 8), 9.0);
	ck_assert_double_eq(pf_rating_score(0, 100, 8), 10.0);
	ck_assert_double_eq(pf_rating_score(40, 0, 8), 0.0);
	/* 8 - 3*0.5 + 0.25 = 6.75 -> 6.8 (one decimal, half away from zero) */
	ck_assert_double_eq(pf_rating_score(4, 2, 8), 6.8);
	/* 8 - 3*(15.57/8) + min(13.03/8, 2) = 8 - 5.839 + 1.629 = 3.79 -> 3.8 */
	ck_assert_double_eq(pf_rating_score(15.57, 13.03, 8), 3.8);
	ck_assert_double_eq(pf_rating_score(1, 0, 0), 0.0); /* zero threshold */
	ck_assert_double_eq(pf_rating_score(0, 0, 0), 8.0);
	/* overall: weights 0.4/0.3/0.3 renormalised over the present ones */
	ck_assert_double_eq(pf_rating_overall(5, NAN, NAN), 5.0);
	ck_assert_double_eq(pf_rating_overall(5, 8, NAN), 6.3); /* 4.4 / 0.7 = 6.29 */
	ck_assert_double_eq(pf_rating_overall(0.7, 5, 0), 1.8); /* 0.28 + 1.5 */
	ck_assert_double_eq(pf_rating_overall(8, 8, 8), 8.0);
	ck_assert(isnan(pf_rating_overall(NAN, NAN, NAN)));
}
END_TEST

START_TEST(rating_evaluated)
{
	struct pf_arena a;
	pf_arena_init(&a, 0);
	struct pf_policy pol = gt_policy(NULL);
	struct pf_gate_outcome o;
	/* no change at all: 8.0 in every dimension and overall */
	struct fn same[] = {{"X", 10}};
	char *bt = bench_text("Op", 100, 10, true);
	struct pf_gate_input in = {.has_baseline = true,
	                           .base_cpu = tab(&a, "cpu", true, TOTAL, same, 1),
	                           .cand_cpu = tab(&a, "cpu", true, TOTAL, same, 1),
	                           .base_heap = tab(&a, "heap", false, TOTAL, same, 1),
	                           .cand_heap = tab(&a, "heap", false, TOTAL, same, 1),
	                           .base_bench = gt_bench_text(&a, bt),
	                           .cand_bench = gt_bench_text(&a, bt)};
	o = eval(&in, &pol, &a);
	ck_assert_double_eq(o.rating_cpu, 8.0);
	ck_assert_double_eq(o.rating_memory, 8.0);
	ck_assert_double_eq(o.rating_bench, 8.0);
	ck_assert_double_eq(o.rating_overall, 8.0);
	ck_assert_str_eq(gt_status(o.report, "rating"), "pass");
	json_decref(o.report);

	/* one regression exactly at each threshold (the fillers' falls, 0.8
	 * 0.4 or 0.5 points each, are below REPORT_MIN): 5.0 in that dimension */
	struct fn cb[] = {{"X", 10}}, cc[] = {{"X", 18}}, hc[] = {{"X", 20}};
	char *b5 = bench_text("Op", 105, 10, true);
	in.cand_cpu = tab(&a, "cpu", true, TOTAL, cc, 1);
	in.base_cpu = tab(&a, "cpu", true, TOTAL, cb, 1);
	in.cand_heap = tab(&a, "heap", false, TOTAL, hc, 1);
	in.cand_bench = gt_bench_text(&a, b5);
	o = eval(&in, &pol, &a);
	ck_assert_double_eq(o.rating_cpu, 5.0);
	ck_assert_double_eq(o.rating_memory, 5.0);
	ck_assert_double_eq(o.rating_bench, 5.0);
	ck_assert_double_eq(o.rating_overall, 5.0);
	ck_assert_str_eq(gt_status(o.report, "rating"), "pass"); /* 5.0 is not below 5 */
	json_t *rt = json_object_get(o.report, "rating");
	ck_assert_double_eq(json_number_value(json_object_get(rt, "cpu")), 5.0);
	json_decref(o.report);

	/* cpu only, +12 points and one listed improvement of 4 points:
	 * 8 - 3*12/8 + 4/8 = 4.0, below MIN_RATING: the rating gate warns */
	struct fn rb[] = {{"X", 10}, {"Y", 10}}, rc[] = {{"X", 22}, {"Y", 6}};
	struct pf_gate_input in2 = {.has_baseline = true,
	                            .base_cpu = tab(&a, "cpu", true, TOTAL, rb, 2),
	                            .cand_cpu = tab(&a, "cpu", true, TOTAL, rc, 2)};
	o = eval(&in2, &pol, &a);
	ck_assert_double_eq(o.rating_cpu, 4.0);
	ck_assert_double_eq(o.rating_overall, 4.0);
	ck_assert(isnan(o.rating_memory));
	ck_assert(json_is_null(json_object_get(json_object_get(o.report, "rating"), "memory")));
	ck_assert_str_eq(gt_status(o.report, "rating"), "warn");
	ck_assert_str_eq(
	        json_string_value(json_array_get(json_object_get(o.report, "cpu_improvements"), 0)),
	        "Y: 10.0% -> 6.0% (4.0% improvement)");
	json_decref(o.report);
	free(bt);
	free(b5);
	pf_arena_free(&a);
}
END_TEST

START_TEST(report_min_lists)
{
	struct pf_arena a;
	pf_arena_init(&a, 0);
	struct pf_policy pol = gt_policy(NULL);
	/* A +0.99 (not listed), B +1.00 (listed: at least REPORT_MIN), C +3 */
	struct fn b[] = {{"A", 10}, {"B", 10}, {"C", 10}},
	          c[] = {{"A", 10.99}, {"B", 11}, {"C", 13}};
	struct pf_gate_input in = {.has_baseline = true,
	                           .base_heap = tab(&a, "heap", false, TOTAL, b, 3),
	                           .cand_heap = tab(&a, "heap", false, TOTAL, c, 3)};
	struct pf_gate_outcome o = eval(&in, &pol, &a);
	json_t *reg = json_object_get(o.report, "alloc_regressions");
	ck_assert_int_eq(json_array_size(reg), 2);
	ck_assert_str_eq(json_string_value(json_array_get(reg, 0)),
	                 "C: 10.0% -> 13.0% (3.0% regression)");
	ck_assert_str_eq(json_string_value(json_array_get(reg, 1)),
	                 "B: 10.0% -> 11.0% (1.0% regression)");
	json_decref(o.report);
	pf_arena_free(&a);
}
END_TEST

START_TEST(analyzer_input)
{
	const char *ok = "{\"cpu_improvements\": [\"runtime.mallocgc: 12.5% -> 7.1% (5.4% "
	                 "improvement)\"], \"cpu_regressions\": [\"main.process: 8.0% -> 16.4% "
	                 "(8.4% regression)\"], \"rating\": {\"cpu\": 7, \"memory\": 5, "
	                 "\"overall\": 3}, \"summary\": \"Overall net improvement...\", "
	                 "\"extra\": {\"kept\": true}}";
	json_t *an;
	struct pf_err e;
	ck_assert_int_eq(pf_analyzer_parse(ok, strlen(ok), &an, &e), PF_OK);

	static const char *const bad[][2] = {
	        {"[1, 2]", "top level"},
	        {"{\"cpu_regressions\": \"x\"}", "'cpu_regressions' must be an array"},
	        {"{\"cpu_regressions\": [\"a\", 3]}", "'cpu_regressions'[1] must be a string"},
	        {"{\"alloc_improvements\": [null]}", "'alloc_improvements'[0]"},
	        {"{\"rating\": 7}", "'rating' must be an object"},
	        {"{\"rating\": {\"overall\": \"7\"}}", "'rating.overall' must be a number"},
	        {"{\"rating\": {\"cpu\": 11}}", "'rating.cpu' must be a number from 0 to 10"},
	        {"{\"summary\": 1}", "'summary' must be a string"},
	        {"{\"summary\": ", "invalid JSON at line 1"},
	        {"{\"a\": 1, \"a\": 2}", "invalid JSON"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		json_t *j = NULL;
		ck_assert_int_eq(pf_analyzer_parse(bad[i][0], strlen(bad[i][0]), &j, &e),
		                 PF_E_BAD_REPORT);
		ck_assert_ptr_null(j);
		ck_assert_msg(strstr(e.msg, bad[i][1]), "%s: %s", bad[i][0], e.msg);
		ck_assert_str_eq(e.field, "report");
	}
	ck_assert_int_eq(pf_analyzer_parse("", 0, &an, &e) == PF_OK ? 1 : 0, 0);

	/* kept under "analyzer"; its lists stand in when there is no cpu pair;
	 * its overall 3 is lower than ours (8.0) and fails the rating gate */
	ck_assert_int_eq(pf_analyzer_parse(ok, strlen(ok), &an, &e), PF_OK);
	struct pf_arena a;
	pf_arena_init(&a, 0);
	struct fn same[] = {{"X", 10}};
	struct pf_gate_input in = {.has_baseline = true,
	                           .base_heap = tab(&a, "heap", false, TOTAL, same, 1),
	                           .cand_heap = tab(&a, "heap", false, TOTAL, same, 1),
	                           .analyzer = an};
	struct pf_policy pol = gt_policy("AI_GATE_ENABLE", "true", NULL);
	struct pf_gate_outcome o = eval(&in, &pol, &a);
	ck_assert(json_equal(json_object_get(o.report, "analyzer"), an));
	ck_assert_int_eq(json_array_size(json_object_get(o.report, "cpu_regressions")), 1);
	ck_assert_int_eq(json_array_size(json_object_get(o.report, "alloc_regressions")), 0);
	ck_assert_str_eq(gt_status(o.report, "rating"), "fail");
	json_t *v = json_array_get(json_object_get(gt_gate(o.report, "rating"), "violations"), 0);
	ck_assert_double_eq(json_number_value(json_object_get(v, "rating")), 3);
	ck_assert_double_eq(json_number_value(json_object_get(v, "ours")), 8);
	ck_assert_double_eq(json_number_value(json_object_get(v, "analyzer")), 3);
	ck_assert_double_eq(o.rating_overall, 8.0); /* ours stays ours */
	ck_assert_int_eq(o.verdict, PF_VERDICT_FAIL);
	json_decref(o.report);

	/* only the analyzer: the rating gate still judges its rating */
	struct pf_gate_input only = {.has_baseline = true, .analyzer = an};
	o = eval(&only, &pol, &a);
	ck_assert_str_eq(gt_status(o.report, "rating"), "fail");
	ck_assert_str_eq(gt_status(o.report, "cpu_hotspot"), "skipped");
	json_decref(o.report);
	json_decref(an);
	pf_arena_free(&a);
}
END_TEST

START_TEST(meta_and_links)
{
	struct pf_arena a;
	pf_arena_init(&a, 0);
	const int64_t runs[] = {38, 40, 41};
	const char *const commits[] = {"a1", "b2", "c3"};
	const char *const notes[] = {"runner label differs"};
	struct pf_report_meta meta = {.run_id = 42,
	                              .project = "shop",
	                              .branch = "feature-x",
	                              .commit = "9f1c",
	                              .base_branch = "main",
	                              .baseline_runs = runs,
	                              .baseline_commits = commits,
	                              .n_baseline = 3,
	                              .public_url = "https://perf.example.com/",
	                              .notes = notes,
	                              .n_notes = 1};
	struct pf_gate_input in = {.has_baseline = true};
	struct pf_policy pol = gt_policy(NULL);
	struct pf_gate_outcome o;
	struct pf_err e;
	ck_assert_int_eq(pf_gate_evaluate(&in, &pol, &meta, &a, &o, &e), PF_OK);
	char *s = json_dumps(json_object_get(o.report, "baseline"), JSON_COMPACT);
	ck_assert_str_eq(s, "{\"branch\":\"main\",\"runs\":[38,40,41],\"commits\":[\"a1\",\"b2\","
	                    "\"c3\"]}");
	free(s);
	s = json_dumps(json_object_get(o.report, "links"), JSON_COMPACT);
	ck_assert_str_eq(s, "{\"self\":\"https://perf.example.com/v1/runs/42\",\"comment\":"
	                    "\"https://perf.example.com/v1/runs/42/comment.md\",\"junit\":"
	                    "\"https://perf.example.com/v1/runs/42/junit.xml\"}");
	free(s);
	ck_assert_int_eq(json_integer_value(json_object_get(o.report, "run_id")), 42);
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(o.report, "notes"), 0)),
	                 "runner label differs");
	/* DESIGN's key order */
	static const char *const order[] = {"run_id",
	                                    "project",
	                                    "branch",
	                                    "commit",
	                                    "baseline",
	                                    "verdict",
	                                    "policy",
	                                    "gates",
	                                    "reasons",
	                                    "cpu_improvements",
	                                    "cpu_regressions",
	                                    "alloc_improvements",
	                                    "alloc_regressions",
	                                    "new_hotspots",
	                                    "bench",
	                                    "rating",
	                                    "summary",
	                                    "links",
	                                    "notes"};
	const char *k;
	json_t *v;
	size_t i = 0;
	json_object_foreach(o.report, k, v)
	{
		ck_assert_uint_lt(i, sizeof order / sizeof order[0]);
		ck_assert_str_eq(k, order[i++]);
	}
	json_decref(o.report);

	/* two sides of different sample types are a bad request */
	struct fn f[] = {{"X", 10}};
	struct pf_gate_input bad = {.has_baseline = true,
	                            .base_cpu = tab(&a, "cpu", true, TOTAL, f, 1),
	                            .cand_cpu = tab(&a, "heap", false, TOTAL, f, 1)};
	ck_assert_int_eq(pf_gate_evaluate(&bad, &pol, NULL, &a, &o, &e), PF_E_BAD_REQUEST);
	pf_arena_free(&a);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("gate");
	TCase *tc = tcase_create("gates");
	tcase_add_test(tc, cpu_threshold);
	tcase_add_test(tc, cpu_significance);
	tcase_add_test(tc, alloc_threshold);
	tcase_add_test(tc, new_hotspot_threshold);
	tcase_add_test(tc, bench_threshold);
	tcase_add_test(tc, bench_not_significant_and_units);
	tcase_add_test(tc, enable_and_verdict);
	tcase_add_test(tc, skipped_sides);
	tcase_add_test(tc, no_baseline);
	suite_add_tcase(s, tc);
	TCase *tr = tcase_create("rating");
	tcase_add_test(tr, rating_formula);
	tcase_add_test(tr, rating_evaluated);
	tcase_add_test(tr, report_min_lists);
	suite_add_tcase(s, tr);
	TCase *ta = tcase_create("report");
	tcase_add_test(ta, analyzer_input);
	tcase_add_test(ta, meta_and_links);
	suite_add_tcase(s, ta);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
