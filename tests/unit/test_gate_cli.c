/* test_gate_cli.c: `perfgate gate` run as a CI job would (the built binary
 * on the fixtures, AI_GATE_* in the environment): exit 0 pass or warn,
 * 1 fail, 2 bad usage or input with the file or key named on stderr; the
 * JSON report parsed; markdown and JUnit formats. */
#include <check.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"
#include "pftest_run.h"

#define PAIR                                                                                       \
	"--base-cpu cpu_base.pb.gz --cpu cpu_cand.pb.gz --base-heap heap_base.pb.gz "              \
	"--heap heap_cand.pb.gz --base-bench bench_base.txt --bench bench_cand.txt"
#define NOISE                                                                                      \
	"--base-cpu cpu_noise1.pb.gz --cpu cpu_noise2.pb.gz --base-heap heap_noise1.pb.gz "        \
	"--heap heap_noise2.pb.gz --base-bench bench_noise1.txt --bench bench_noise2.txt"

/* Run `env perfgate gate args` in the fixtures directory with no other
 * AI_GATE_* variable; stdout (or stderr when want_err) is returned. */
static char *gate(const char *env, const char *args, bool want_err, int *status)
{
	char cmd[4096];
	char *fx = pf_test_fixture_path("");
	snprintf(cmd, sizeof cmd,
	         "cd '%s' && for v in $(env | sed -n 's/^\\(AI_GATE_[A-Z_]*\\)=.*/\\1/p'); do "
	         "unset $v; done; env %s '%s' gate %s %s",
	         fx, env, pf_test_bin(), args, want_err ? "2>&1 >/dev/null" : "2>/dev/null");
	free(fx);
	return pf_test_run(cmd, status);
}

static json_t *gate_json(const char *env, const char *args, int want_status)
{
	int st;
	char *out = gate(env, args, false, &st);
	ck_assert_msg(st == want_status, "%s %s: exit %d, want %d", env, args, st, want_status);
	json_error_t je;
	json_t *j = json_loads(out, 0, &je);
	ck_assert_msg(j != NULL, "%s: %s", args, je.text);
	free(out);
	return j;
}

static const char *verdict(const json_t *j)
{
	return json_string_value(json_object_get(j, "verdict"));
}

START_TEST(exit_codes)
{
	/* ENABLE=true: the pair fails, exit 1; the report is still printed */
	json_t *j = gate_json("AI_GATE_ENABLE=true", PAIR, 1);
	ck_assert_str_eq(verdict(j), "fail");
	ck_assert_int_ge(json_array_size(json_object_get(j, "cpu_regressions")),
	                 1); /* golden tests check which */
	ck_assert(json_is_null(json_object_get(j, "run_id")));
	ck_assert(json_is_true(json_object_get(json_object_get(j, "policy"), "AI_GATE_ENABLE")));
	json_decref(j);
	/* default ENABLE=false: warn, exit 0 */
	j = gate_json("", PAIR, 0);
	ck_assert_str_eq(verdict(j), "warn");
	json_decref(j);
	/* the noise pairs pass */
	j = gate_json("AI_GATE_ENABLE=true", NOISE, 0);
	ck_assert_str_eq(verdict(j), "pass");
	json_decref(j);
	/* the policy from the environment: thresholds high enough, modes off */
	j = gate_json("AI_GATE_ENABLE=true AI_GATE_CPU_REG_MAX=20 AI_GATE_MEM_REG_MAX=20 "
	              "AI_GATE_BENCH_SLOW_MAX=25 AI_GATE_MODE_RATING=off",
	              PAIR, 0);
	ck_assert_str_eq(verdict(j), "warn"); /* new_hotspot is soft */
	json_decref(j);
	/* an empty value counts as unset */
	j = gate_json("AI_GATE_ENABLE=true AI_GATE_MODE_CPU=", PAIR, 1);
	json_decref(j);
}
END_TEST

START_TEST(baseline_rules)
{
	/* candidate files only: no baseline, pass with a note */
	json_t *j =
	        gate_json("AI_GATE_ENABLE=true", "--cpu cpu_cand.pb.gz --bench bench_cand.txt", 0);
	ck_assert_str_eq(verdict(j), "pass");
	ck_assert(json_is_null(json_object_get(j, "baseline")));
	ck_assert_int_ge(json_array_size(json_object_get(j, "notes")), 1);
	json_decref(j);
	/* a base without its candidate: that kind's gates are skipped */
	j = gate_json(
	        "AI_GATE_ENABLE=true",
	        "--base-cpu cpu_base.pb.gz --base-bench bench_base.txt --bench bench_cand.txt", 1);
	json_t *g = json_array_get(json_object_get(j, "gates"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(g, "status")), "skipped");
	ck_assert_str_eq(json_string_value(json_object_get(g, "reason")),
	                 "no cpu profile in the candidate");
	json_decref(j);
	/* the analyzer report alone: its rating is gated */
	const char *an = "{\"cpu_regressions\": [], \"rating\": {\"overall\": 3}}";
	char *rep = pf_test_write_temp(an, strlen(an), ".json");
	char args[512];
	snprintf(args, sizeof args, "--report '%s'", rep);
	j = gate_json("AI_GATE_ENABLE=true", args, 1);
	ck_assert_str_eq(verdict(j), "fail");
	json_decref(j);
	unlink(rep);
	free(rep);
}
END_TEST

START_TEST(bad_input)
{
	static const char *const cases[][3] = {
	        /* env, args, what stderr must name */
	        {"AI_GATE_ENABLE=maybe", PAIR, "AI_GATE_ENABLE"},
	        {"AI_GATE_CPU_REG_MAX=-3", PAIR, "AI_GATE_CPU_REG_MAX"},
	        {"AI_GATE_MODE_BENCH=HARD", PAIR, "AI_GATE_MODE_BENCH"},
	        {"AI_GATE_ALPHA=2", PAIR, "AI_GATE_ALPHA"},
	        {"", "", "at least one input"},
	        {"", "--cpu", "needs a value"},
	        {"", "--frobnicate x", "unknown argument"},
	        {"", "--cpu cpu_cand.pb.gz --format yaml", "--format"},
	        {"", "--base-cpu missing.pb.gz --cpu cpu_cand.pb.gz", "missing.pb.gz"},
	        {"", "--base-cpu bench_base.txt --cpu cpu_cand.pb.gz", "bench_base.txt"},
	        {"", "--base-bench cpu_base.pb.gz --bench bench_cand.txt", "cpu_base.pb.gz"},
	        {"", "--base-heap cpu_base.pb.gz --heap heap_cand.pb.gz", "alloc_space"},
	        {"", "--report bench_base.txt", "invalid JSON"},
	        {"", "--base-cpu heap_base.pb.gz --cpu cpu_cand.pb.gz",
	         "cpu: the baseline's profile is inuse_space/bytes, this one cpu/nanoseconds"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int st;
		char *err = gate(cases[i][0], cases[i][1], true, &st);
		ck_assert_msg(st == 2, "%s %s: exit %d", cases[i][0], cases[i][1], st);
		ck_assert_msg(strstr(err, cases[i][2]), "%s %s: stderr lacks '%s': %s", cases[i][0],
		              cases[i][1], cases[i][2], err);
		free(err);
	}
	const char *an = "{\"cpu_regressions\": [1]}";
	char *rep = pf_test_write_temp(an, strlen(an), ".json");
	char args[512];
	snprintf(args, sizeof args, "--report '%s'", rep);
	int st;
	char *err = gate("", args, true, &st);
	ck_assert_int_eq(st, 2);
	ck_assert(strstr(err, "'cpu_regressions'[0] must be a string"));
	free(err);
	unlink(rep);
	free(rep);
}
END_TEST

START_TEST(formats)
{
	int st;
	char *md = gate("AI_GATE_ENABLE=true",
	                PAIR " --format markdown --project ledger --branch pr-7", false, &st);
	ck_assert_int_eq(st, 1);
	ck_assert(strncmp(md, "<!-- perfgate:ledger/pr-7 -->\n", 30) == 0);
	ck_assert(strstr(md, "| cpu_hotspot | hard | ❌ fail |"));
	free(md);
	char *fx = pf_test_fixture_path("");
	char cmd[4096];
	snprintf(cmd, sizeof cmd,
	         "cd '%s' && AI_GATE_ENABLE=true '%s' gate " PAIR
	         " --format junit | xmllint --xpath 'count(//failure)' -",
	         fx, pf_test_bin());
	char *out = pf_test_run(cmd, &st);
	ck_assert_int_eq(st, 0);
	ck_assert_str_eq(out, "4\n");
	free(out);
	free(fx);
	char *help = gate("", "--help", false, &st);
	ck_assert_int_eq(st, 0);
	ck_assert(strstr(help, "usage: perfgate gate"));
	free(help);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("gate_cli");
	TCase *tc = tcase_create("cli");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, exit_codes);
	tcase_add_test(tc, baseline_rules);
	tcase_add_test(tc, bad_input);
	tcase_add_test(tc, formats);
	suite_add_tcase(s, tc);
	return pft_run_suite(s);
}
