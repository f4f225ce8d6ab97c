/* test_gate.c: the gate engine on hand-built function tables and small
 * generated benchmark outputs: every gate at threshold - e, = threshold
 * and + e; modes off/soft/hard and AI_GATE_ENABLE; skipped sides; no
 * baseline. Rating and report head: test_gate_report.c. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "gate_test.h"
#include "pftest_run.h"

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

/* A baseline whose "cpu" profile is a heap profile (uploaded under the
 * wrong field once): a 400 naming the field and both sample types. */
START_TEST(mismatched_kinds)
{
	struct pf_arena a;
	struct pf_err e;
	struct pf_gate_outcome o;
	pf_arena_init(&a, 0);
	struct fn f[] = {{"X", 10}};
	struct pf_policy pol = gt_policy(NULL);
	struct pf_gate_input in = {.has_baseline = true,
	                           .base_cpu = tab(&a, "heap", false, TOTAL, f, 1),
	                           .cand_cpu = tab(&a, "cpu", true, TOTAL, f, 1)};
	ck_assert_int_eq(pf_gate_evaluate(&in, &pol, NULL, &a, &o, &e), PF_E_BAD_REQUEST);
	ck_assert_str_eq(e.field, "cpu");
	ck_assert_msg(strstr(e.msg, "cpu: the baseline's profile is alloc_space/bytes, this one "
	                            "cpu/nanoseconds: they cannot be compared"),
	              "%s", e.msg);
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
	tcase_add_test(tc, mismatched_kinds);
	tcase_add_test(tc, no_baseline);
	suite_add_tcase(s, tc);
	return pft_run_suite(s);
}
