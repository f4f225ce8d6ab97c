/* test_policy.c: AI_GATE_* parsing, layering (defaults < daemon < project
 * < request), ENABLE semantics and explicit modes, the JSON echo. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "pftest_run.h"

START_TEST(defaults)
{
	struct pf_policy p;
	struct pf_err e;
	ck_assert_int_eq(pf_policy_resolve(NULL, 0, &p, &e), PF_OK);
	ck_assert(!p.enable);
	ck_assert_double_eq(p.cpu_reg_max, 8);
	ck_assert_double_eq(p.mem_reg_max, 10);
	ck_assert_double_eq(p.bench_slow_max, 5);
	ck_assert_double_eq(p.min_rating, 5);
	ck_assert_double_eq(p.new_hotspot_min, 4);
	ck_assert_double_eq(p.report_min, 1);
	ck_assert_double_eq(p.alpha, 0.05);
	ck_assert_int_eq(p.baseline_runs, 3);
	for (int g = 0; g < PF_GATE__COUNT; g++)
		ck_assert_int_eq(p.mode[g], PF_MODE_SOFT); /* ENABLE=false: all warn */
}
END_TEST

START_TEST(enable_true_modes)
{
	struct pf_policy_layer l = {0};
	const struct pf_policy_layer *ls[] = {&l};
	struct pf_policy p;
	struct pf_err e;
	ck_assert_int_eq(pf_policy_layer_set(&l, "AI_GATE_ENABLE", "true", &e), PF_OK);
	ck_assert_int_eq(pf_policy_resolve(ls, 1, &p, &e), PF_OK);
	ck_assert_int_eq(p.mode[PF_GATE_CPU], PF_MODE_HARD);
	ck_assert_int_eq(p.mode[PF_GATE_ALLOC], PF_MODE_HARD);
	ck_assert_int_eq(p.mode[PF_GATE_BENCH], PF_MODE_HARD);
	ck_assert_int_eq(p.mode[PF_GATE_RATING], PF_MODE_HARD);
	ck_assert_int_eq(p.mode[PF_GATE_NEW_HOTSPOT], PF_MODE_SOFT);
	ck_assert_int_eq(pf_policy_layer_set(&l, "AI_GATE_MODE_BENCH", "off", &e), PF_OK);
	ck_assert_int_eq(pf_policy_layer_set(&l, "AI_GATE_MODE_NEW_HOTSPOT", "hard", &e), PF_OK);
	ck_assert_int_eq(pf_policy_resolve(ls, 1, &p, &e), PF_OK);
	ck_assert_int_eq(p.mode[PF_GATE_BENCH], PF_MODE_OFF);
	ck_assert_int_eq(p.mode[PF_GATE_NEW_HOTSPOT], PF_MODE_HARD);
}
END_TEST

START_TEST(layers_precedence)
{
	struct pf_policy_layer daemon = {0}, project = {0}, request = {0};
	const struct pf_policy_layer *ls[] = {&daemon, &project, &request};
	struct pf_policy p;
	struct pf_err e;
	ck_assert_int_eq(pf_policy_layer_set(&daemon, "AI_GATE_CPU_REG_MAX", "20", &e), PF_OK);
	ck_assert_int_eq(pf_policy_layer_set(&daemon, "AI_GATE_ENABLE", "true", &e), PF_OK);
	ck_assert_int_eq(pf_policy_layer_set(&project, "AI_GATE_CPU_REG_MAX", "12", &e), PF_OK);
	ck_assert_int_eq(pf_policy_layer_set(&request, "AI_GATE_ENABLE", "false", &e), PF_OK);
	ck_assert_int_eq(pf_policy_resolve(ls, 3, &p, &e), PF_OK);
	ck_assert_double_eq(p.cpu_reg_max, 12);
	ck_assert(!p.enable);
	ck_assert_int_eq(p.mode[PF_GATE_CPU], PF_MODE_SOFT);
	ck_assert_int_eq(pf_policy_layer_set(&request, "AI_GATE_CPU_REG_MAX", "2.5", &e), PF_OK);
	ck_assert_int_eq(pf_policy_resolve(ls, 3, &p, &e), PF_OK);
	ck_assert_double_eq(p.cpu_reg_max, 2.5);
}
END_TEST

START_TEST(invalid_values)
{
	struct pf_policy_layer l = {0};
	struct pf_err e;
	static const char *const bad[][3] = {
	        {"AI_GATE_ENABLE", "yes please", "true or false"},
	        {"AI_GATE_CPU_REG_MAX", "-1", ">= 0"},
	        {"AI_GATE_CPU_REG_MAX", "8%", ">= 0"},
	        {"AI_GATE_MEM_REG_MAX", "inf", ">= 0"},
	        {"AI_GATE_ALPHA", "0", "between 0 and 1"},
	        {"AI_GATE_BASELINE_RUNS", "3.5", "1..100"},
	        {"AI_GATE_MODE_RATING", "HARD", "off, soft or hard"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		ck_assert_int_eq(pf_policy_layer_set(&l, bad[i][0], bad[i][1], &e),
		                 PF_E_BAD_CONFIG);
		ck_assert_str_eq(e.field, bad[i][0]);
		ck_assert_msg(strstr(e.msg, bad[i][2]) && strstr(e.msg, bad[i][1]), "%s", e.msg);
	}
	ck_assert_int_eq(pf_policy_layer_set(&l, "AI_GATE_CPU_MAX", "1", &e), PF_E_BAD_CONFIG);
	ck_assert_ptr_nonnull(strstr(e.msg, "unknown gate policy key 'AI_GATE_CPU_MAX'"));
	for (int k = 0; k < PF_PK__COUNT; k++)
		ck_assert_ptr_null(l.value[k]);
}
END_TEST

START_TEST(json_echo)
{
	struct pf_policy p;
	struct pf_err e;
	ck_assert_int_eq(pf_policy_resolve(NULL, 0, &p, &e), PF_OK);
	json_t *j = pf_policy_json(&p);
	char *s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
	ck_assert_str_eq(s,
	                 "{\"AI_GATE_ENABLE\":false,\"AI_GATE_CPU_REG_MAX\":8,"
	                 "\"AI_GATE_MEM_REG_MAX\":10,\"AI_GATE_BENCH_SLOW_MAX\":5,"
	                 "\"AI_GATE_MIN_RATING\":5,\"AI_GATE_NEW_HOTSPOT_MIN\":4,"
	                 "\"AI_GATE_REPORT_MIN\":1,\"AI_GATE_ALPHA\":0.05,"
	                 "\"AI_GATE_BASELINE_RUNS\":3,\"AI_GATE_MODE_CPU\":\"soft\","
	                 "\"AI_GATE_MODE_ALLOC\":\"soft\",\"AI_GATE_MODE_BENCH\":\"soft\","
	                 "\"AI_GATE_MODE_RATING\":\"soft\",\"AI_GATE_MODE_NEW_HOTSPOT\":\"soft\"}");
	free(s);
	json_decref(j);
	ck_assert_str_eq(pf_gate_name(PF_GATE_ALLOC), "alloc_regression");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("policy");
	TCase *tc = tcase_create("keys");
	tcase_add_test(tc, defaults);
	tcase_add_test(tc, enable_true_modes);
	tcase_add_test(tc, layers_precedence);
	tcase_add_test(tc, invalid_values);
	tcase_add_test(tc, json_echo);
	suite_add_tcase(s, tc);
	return pft_run_suite(s);
}
