/* test_gate_report.c: the rating (DESIGN §4's worked examples and
 * hand-computed cases), which changes are listed, the analyzer report
 * input, the report's head, links and key order. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gate_test.h"
#include "pftest_run.h"

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
	json_decref(an);

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

/* The rating gate at MIN_RATING - ε, = MIN_RATING, + ε (strict: only a
 * rating below the minimum fails), judged on an analyzer's overall. */
START_TEST(rating_gate_threshold)
{
	static const struct {
		const char *overall;
		const char *status;
	} cases[] = {
	        {"4.9", "fail"}, {"5", "pass"}, {"5.1", "pass"}, {"0", "fail"}, {"10", "pass"}};
	struct pf_policy pol = gt_policy("AI_GATE_ENABLE", "true", "AI_GATE_MIN_RATING", "5", NULL);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct pf_arena a;
		struct pf_err e;
		json_t *an;
		char text[128];
		pf_arena_init(&a, 0);
		snprintf(text, sizeof text, "{\"rating\": {\"overall\": %s}}", cases[i].overall);
		ck_assert_int_eq(pf_analyzer_parse(text, strlen(text), &an, &e), PF_OK);
		struct pf_gate_input in = {.has_baseline = true, .analyzer = an};
		struct pf_gate_outcome o = eval(&in, &pol, &a);
		ck_assert_msg(strcmp(gt_status(o.report, "rating"), cases[i].status) == 0,
		              "overall %s: rating gate %s, want %s", cases[i].overall,
		              gt_status(o.report, "rating"), cases[i].status);
		ck_assert_int_eq(o.verdict, strcmp(cases[i].status, "fail") == 0 ? PF_VERDICT_FAIL
		                                                                 : PF_VERDICT_PASS);
		json_decref(o.report);
		json_decref(an);
		pf_arena_free(&a);
	}
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
	Suite *s = suite_create("gate_report");
	TCase *tr = tcase_create("rating");
	tcase_add_test(tr, rating_formula);
	tcase_add_test(tr, rating_evaluated);
	tcase_add_test(tr, report_min_lists);
	suite_add_tcase(s, tr);
	TCase *ta = tcase_create("report");
	tcase_add_test(ta, analyzer_input);
	tcase_add_test(ta, rating_gate_threshold);
	tcase_add_test(ta, meta_and_links);
	suite_add_tcase(s, ta);
	return pft_run_suite(s);
}
