/* test_gate_golden.c: the gate engine on the fixture pairs of
 * tests/fixtures/README.md ("What perfgate must conclude: base -> cand",
 * "The noise pairs must pass", "Too few runs: the count3 pair"): the gates
 * that fire, by function and benchmark name; the report against
 * docs/report.schema.json; the jq step CI scripts run on it. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gate_test.h"

#define VELOCITY "example.com/ledger/internal/risk.(*Scorer).velocity"
#define MATCH    "example.com/ledger/internal/compliance.(*Screener).match"
#define ENCODE   "example.com/ledger/internal/settle.(*Batch).encodeEntry"
#define LOOKUP   "example.com/ledger/internal/fx.(*Table).lookup"

struct pair {
	const char *cpu[2], *heap[2], *bench[2];
};

static json_t *eval_pair(const struct pair *p, const struct pf_policy *pol,
                         struct pf_gate_outcome *out)
{
	struct pf_arena a;
	struct pf_err e;
	struct pf_gate_input in = {.has_baseline = true};
	struct pf_report_meta meta = {.project = "ledger",
	                              .branch = "feature",
	                              .commit = "c0ffee",
	                              .base_branch = "main"};
	pf_arena_init(&a, 0);
	if (p->cpu[0]) {
		in.base_cpu = gt_profile(&a, p->cpu[0], false);
		in.cand_cpu = gt_profile(&a, p->cpu[1], false);
	}
	if (p->heap[0]) {
		in.base_heap = gt_profile(&a, p->heap[0], true);
		in.cand_heap = gt_profile(&a, p->heap[1], true);
	}
	if (p->bench[0]) {
		in.base_bench = gt_bench(&a, p->bench[0]);
		in.cand_bench = gt_bench(&a, p->bench[1]);
	}
	ck_assert_msg(pf_gate_evaluate(&in, pol, &meta, &a, out, &e) == PF_OK, "%s", e.msg);
	pf_arena_free(&a);
	return out->report;
}

static const struct pair base_cand = {{"cpu_base.pb.gz", "cpu_cand.pb.gz"},
                                      {"heap_base.pb.gz", "heap_cand.pb.gz"},
                                      {"bench_base.txt", "bench_cand.txt"}};

static bool list_has(const json_t *r, const char *key, const char *prefix)
{
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(r, key), i, v)
	{
		if (strncmp(json_string_value(v), prefix, strlen(prefix)) == 0)
			return true;
	}
	return false;
}

START_TEST(base_cand_enable_true)
{
	struct pf_policy pol = gt_policy("AI_GATE_ENABLE", "true", NULL);
	struct pf_gate_outcome o;
	json_t *r = eval_pair(&base_cand, &pol, &o);

	ck_assert_str_eq(gt_status(r, "cpu_hotspot"), "fail");
	ck_assert_str_eq(gt_names(r, "cpu_hotspot"), VELOCITY);
	ck_assert_str_eq(gt_status(r, "alloc_regression"), "fail");
	ck_assert_str_eq(gt_names(r, "alloc_regression"), ENCODE);
	ck_assert_str_eq(gt_status(r, "bench_slowdown"), "fail");
	ck_assert_str_eq(gt_names(r, "bench_slowdown"),
	                 "Post-2,Post,Digest/size=4096,Digest/size=4096-2");
	ck_assert_str_eq(gt_status(r, "new_hotspot"), "warn");
	ck_assert_str_eq(gt_names(r, "new_hotspot"), MATCH);
	ck_assert_int_eq(o.verdict, PF_VERDICT_FAIL);
	ck_assert_str_eq(json_string_value(json_object_get(r, "verdict")), "fail");

	/* the bench violations: significant, not insufficient */
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(gt_gate(r, "bench_slowdown"), "violations"), i, v)
	{
		ck_assert(json_is_false(json_object_get(v, "insufficient_samples")));
		ck_assert_double_le(json_real_value(json_object_get(v, "p_value")), 0.05);
		ck_assert_str_eq(json_string_value(json_object_get(v, "unit")), "sec/op");
	}
	/* velocity's numbers (README table (a)) */
	v = json_array_get(json_object_get(gt_gate(r, "cpu_hotspot"), "violations"), 0);
	ck_assert_double_eq_tol(json_number_value(json_object_get(v, "base")), 7.04, 0.01);
	ck_assert_double_eq_tol(json_number_value(json_object_get(v, "cand")), 22.62, 0.01);
	ck_assert_double_eq_tol(json_number_value(json_object_get(v, "delta")), 15.57, 0.01);

	/* the lists: velocity and match are regressions, lookup an improvement,
	 * Eval (+2.80, not significant after Bonferroni) is not listed */
	ck_assert(list_has(r, "cpu_regressions", VELOCITY ": 7.0% -> 22.6% (15.6% regression)"));
	ck_assert(list_has(r, "cpu_regressions", MATCH ": 0.0% -> 5.8% (5.8% regression)"));
	ck_assert(list_has(r, "cpu_improvements", LOOKUP ": 13.9% -> 0.9% (13.0% improvement)"));
	ck_assert(!list_has(r, "cpu_regressions",
	                    "example.com/ledger/internal/journal.(*Node).Eval"));
	ck_assert(list_has(r, "alloc_regressions", ENCODE ": 1.0% -> 15.1% (14.1% regression)"));
	ck_assert_int_eq(json_array_size(json_object_get(r, "new_hotspots")), 1);
	ck_assert(list_has(r, "new_hotspots", MATCH));
	/* the first regression is the biggest */
	ck_assert(
	        strncmp(json_string_value(json_array_get(json_object_get(r, "cpu_regressions"), 0)),
	                VELOCITY, strlen(VELOCITY)) == 0);

	/* The rating follows DESIGN's formula: the bench dimension is 0 (Post
	 * alone is 4 thresholds), so the overall is below 5 and the rating gate
	 * fails as well (README: "the rating ... follows from the formula"). */
	ck_assert_double_eq(o.rating_bench, 0);
	ck_assert(o.rating_overall < 5);
	ck_assert_str_eq(gt_status(r, "rating"), "fail");
	json_decref(r);
}
END_TEST

START_TEST(base_cand_enable_false_warns)
{
	struct pf_policy pol = gt_policy(NULL);
	struct pf_gate_outcome o;
	json_t *r = eval_pair(&base_cand, &pol, &o);
	ck_assert_int_eq(o.verdict, PF_VERDICT_WARN);
	ck_assert_str_eq(gt_status(r, "cpu_hotspot"), "warn");
	ck_assert_str_eq(gt_names(r, "cpu_hotspot"), VELOCITY);
	ck_assert_str_eq(gt_status(r, "alloc_regression"), "warn");
	ck_assert_str_eq(gt_status(r, "bench_slowdown"), "warn");
	ck_assert_str_eq(gt_status(r, "new_hotspot"), "warn");
	json_decref(r);
}
END_TEST

static void assert_clean_pass(json_t *r, const struct pf_gate_outcome *o)
{
	char *dump = gt_dump(r);
	ck_assert_msg(o->verdict == PF_VERDICT_PASS, "%s", dump);
	free(dump);
	size_t i;
	json_t *g;
	json_array_foreach(json_object_get(r, "gates"), i, g)
	{
		ck_assert_str_eq(json_string_value(json_object_get(g, "status")), "pass");
		ck_assert_int_eq(json_array_size(json_object_get(g, "violations")), 0);
	}
	ck_assert_int_eq(json_array_size(json_object_get(r, "reasons")), 0);
	ck_assert_int_eq(json_array_size(json_object_get(r, "new_hotspots")), 0);
}

START_TEST(noise_pairs_pass)
{
	struct pf_policy pol = gt_policy("AI_GATE_ENABLE", "true", NULL);
	struct pf_gate_outcome o;
	const struct pair all = {{"cpu_noise1.pb.gz", "cpu_noise2.pb.gz"},
	                         {"heap_noise1.pb.gz", "heap_noise2.pb.gz"},
	                         {"bench_noise1.txt", "bench_noise2.txt"}};
	json_t *r = eval_pair(&all, &pol, &o);
	assert_clean_pass(r, &o);
	/* nothing significant moves: no listed change, every dimension 8.0 */
	ck_assert_int_eq(json_array_size(json_object_get(r, "cpu_regressions")), 0);
	ck_assert_int_eq(json_array_size(json_object_get(r, "cpu_improvements")), 0);
	ck_assert_int_eq(json_array_size(json_object_get(r, "alloc_regressions")), 0);
	ck_assert_double_eq(o.rating_cpu, 8.0);
	ck_assert_double_eq(o.rating_memory, 8.0);
	ck_assert_double_eq(o.rating_bench, 8.0);
	ck_assert_double_eq(o.rating_overall, 8.0);
	json_decref(r);

	/* each pair on its own as well */
	const struct pair one[3] = {{{"cpu_noise1.pb.gz", "cpu_noise2.pb.gz"}, {0}, {0}},
	                            {{0}, {"heap_noise1.pb.gz", "heap_noise2.pb.gz"}, {0}},
	                            {{0}, {0}, {"bench_noise1.txt", "bench_noise2.txt"}}};
	for (int k = 0; k < 3; k++) {
		r = eval_pair(&one[k], &pol, &o);
		ck_assert_int_eq(o.verdict, PF_VERDICT_PASS);
		size_t i;
		json_t *g;
		json_array_foreach(json_object_get(r, "gates"), i, g)
		{
			const char *st = json_string_value(json_object_get(g, "status"));
			ck_assert(strcmp(st, "pass") == 0 || strcmp(st, "skipped") == 0);
			ck_assert_int_eq(json_array_size(json_object_get(g, "violations")), 0);
		}
		json_decref(r);
	}
}
END_TEST

START_TEST(count3_insufficient)
{
	struct pf_policy pol = gt_policy("AI_GATE_ENABLE", "true", NULL);
	struct pf_gate_outcome o;
	const struct pair p = {{0}, {0}, {"bench_base_count3.txt", "bench_cand_count3.txt"}};
	json_t *r = eval_pair(&p, &pol, &o);
	ck_assert_str_eq(gt_status(r, "bench_slowdown"), "fail");
	ck_assert_str_eq(gt_names(r, "bench_slowdown"),
	                 "Post-2,Post,Digest/size=4096,Digest/size=4096-2");
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(gt_gate(r, "bench_slowdown"), "violations"), i, v)
	{
		ck_assert(json_is_true(json_object_get(v, "insufficient_samples")));
		ck_assert_int_eq(json_integer_value(json_array_get(json_object_get(v, "n"), 0)), 3);
	}
	ck_assert_str_eq(gt_status(r, "cpu_hotspot"), "skipped");
	ck_assert_str_eq(json_string_value(json_object_get(gt_gate(r, "cpu_hotspot"), "reason")),
	                 "no cpu profile on either side");
	ck_assert_int_eq(o.verdict, PF_VERDICT_FAIL);
	json_decref(r);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("gate_golden");
	TCase *tc = tcase_create("fixtures");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, base_cand_enable_true);
	tcase_add_test(tc, base_cand_enable_false_warns);
	tcase_add_test(tc, noise_pairs_pass);
	tcase_add_test(tc, count3_insufficient);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
