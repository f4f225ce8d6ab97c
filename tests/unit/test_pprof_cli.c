/* test_pprof_cli.c: `perfgate top`, `diff` and `speedscope` run as a user
 * would (the built binary on the fixtures): JSON checked with jansson, the
 * text against go tool pprof's, and bad input giving exit 2 with a
 * message on stderr. */
#include <check.h>
#include <jansson.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "pftest_run.h"

static char *run(const char *args, int *status)
{
	char cmd[2048];
	char *fx = pf_test_fixture_path("");
	snprintf(cmd, sizeof cmd, "cd '%s' && TZ=UTC '%s' %s", fx, pf_test_bin(), args);
	free(fx);
	return pf_test_run(cmd, status);
}

static json_t *run_json(const char *args)
{
	int st;
	char *out = run(args, &st);
	ck_assert_msg(st == 0, "%s: exit %d", args, st);
	json_error_t je;
	json_t *j = json_loads(out, 0, &je);
	ck_assert_msg(j != NULL, "%s: %s", args, je.text);
	free(out);
	return j;
}

/* A reference pair file's section (reference/pair_*.json: every
 * function of both profiles, exact values from pprof -top). */
static json_t *ref_section(const char *file, const char *key, json_t **root)
{
	char rel[256];
	snprintf(rel, sizeof rel, "reference/%s", file);
	*root = pf_test_json_fixture(rel);
	json_t *sec = json_object_get(*root, key);
	ck_assert_ptr_nonnull(sec);
	return sec;
}

static json_t *ref_function(const json_t *sec, const char *name)
{
	json_t *e = pf_test_json_find(json_object_get(sec, "functions"), "name", name);
	ck_assert_msg(e != NULL, "%s is not in the reference", name);
	return e;
}

static long long ref_int(const json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

static double num(const json_t *o, const char *key)
{
	return json_number_value(json_object_get(o, key));
}

/* --json: every function of the base CPU profile as the reference has it */
START_TEST(top_json)
{
	json_t *root, *sec = ref_section("pair_cpu_base_cand.json", "cpu", &root);
	json_t *j = run_json("top --json --sample-index cpu cpu_base.pb.gz");
	ck_assert_str_eq(json_string_value(json_object_get(j, "sample_index")), "cpu");
	ck_assert_str_eq(json_string_value(json_object_get(j, "unit")), "nanoseconds");
	ck_assert_int_eq(ref_int(j, "total"), ref_int(sec, "base_total"));
	size_t in_base = 0, i;
	json_t *f;
	json_array_foreach(json_object_get(sec, "functions"), i, f)
	{
		in_base += json_is_true(json_object_get(f, "in_base"));
	}
	json_t *fns = json_object_get(j, "functions");
	ck_assert_uint_eq(json_array_size(fns), in_base); /* every node, as -nodefraction=0 */
	double prev = INFINITY;
	json_array_foreach(fns, i, f)
	{
		const char *name = json_string_value(json_object_get(f, "name"));
		json_t *e = ref_function(sec, name);
		ck_assert_msg(json_is_true(json_object_get(e, "in_base")), "%s", name);
		ck_assert_int_eq(ref_int(f, "flat"), ref_int(e, "base_flat"));
		ck_assert_int_eq(ref_int(f, "cum"), ref_int(e, "base_cum"));
		ck_assert_double_eq_tol(num(f, "flat_pct"), num(e, "base_flat_pct"), 1e-4);
		ck_assert_double_eq_tol(num(f, "cum_pct"), num(e, "base_cum_pct"), 1e-4);
		ck_assert_double_le(num(f, "flat"), prev); /* by flat, as -top */
		prev = num(f, "flat");
	}
	json_decref(j);
	json_decref(root);
	/* heap: pprof's default is the last column, inuse_space */
	j = run_json("top --json heap_base.pb.gz");
	ck_assert_str_eq(json_string_value(json_object_get(j, "sample_index")), "inuse_space");
	json_decref(j);
	sec = ref_section("pair_heap_base_cand.json", "alloc_objects", &root);
	j = run_json("top --json --sample-index alloc_objects heap_base.pb.gz");
	ck_assert_int_eq(ref_int(j, "total"), ref_int(sec, "base_total"));
	ck_assert_str_eq(json_string_value(json_object_get(j, "unit")), "count");
	json_decref(j);
	json_decref(root);
}
END_TEST

START_TEST(top_and_diff_text_as_pprof)
{
	static const struct {
		const char *args, *ref;
	} cases[] = {
	        {"top cpu_base.pb.gz", "reference/cpu_base.top.default.txt"},
	        {"top heap_cand.pb.gz", "reference/heap_cand.top.default.txt"},
	        {"top --all --unit ns --cum cpu_cand.pb.gz",
	         "reference/cpu_cand.top.cpu.cumsort.txt"},
	        {"diff --all --unit ns cpu_base.pb.gz cpu_cand.pb.gz",
	         "reference/diff_cpu_base_cand.top.cpu.txt"},
	        {"diff --all --unit B --sample-index inuse_space heap_noise1.pb.gz "
	         "heap_noise2.pb.gz",
	         "reference/diff_heap_noise.top.inuse_space.txt"},
	        /* another program: labels, generics, recursion (crosscheck/) */
	        {"top crosscheck/cpu_cand.pb.gz", "crosscheck/reference/cpu_cand.top.default.txt"},
	        {"top --all --unit ns --tagfocus phase=planning crosscheck/cpu_cand.pb.gz",
	         "crosscheck/reference/cpu_cand.top.cpu.phase_planning.txt"},
	        {"top --all --unit ns --tagfocus phase=planning --relative-percentages "
	         "crosscheck/cpu_cand.pb.gz",
	         "crosscheck/reference/cpu_cand.top.cpu.phase_planning.relative.txt"},
	        {"diff --all --unit ns crosscheck/cpu_base.pb.gz crosscheck/cpu_cand.pb.gz",
	         "crosscheck/reference/diff_cpu_base_cand.top.cpu.txt"},
	        {"diff --all --unit ns --normalize crosscheck/cpu_base.pb.gz "
	         "crosscheck/cpu_cand.pb.gz",
	         "crosscheck/reference/diff_cpu_base_cand.top.cpu.normalize.txt"},
	        {"top --all --unit B --sample-index alloc_space --noinlines "
	         "crosscheck/heap_cand.pb.gz",
	         "crosscheck/reference/heap_cand.top.alloc_space.noinlines.txt"},
	        {"diff --all --unit B --sample-index alloc_space crosscheck/heap_base.pb.gz "
	         "crosscheck/heap_cand.pb.gz",
	         "crosscheck/reference/diff_heap_base_cand.top.alloc_space.txt"},
	        {"top --all --unit ns --sample-index delay crosscheck/block_kinds.pb.gz",
	         "crosscheck/reference/block_kinds.top.delay.txt"},
	        /* no sample index: the first default set, the candidate's first */
	        {"diff --all crosscheck/allocs_kinds.pb.gz crosscheck/heap_kinds.pb.gz",
	         "crosscheck/reference/diff_allocs_heap_kinds.top.default.txt"},
	        {"diff --all crosscheck/heap_kinds.pb.gz crosscheck/allocs_kinds.pb.gz",
	         "crosscheck/reference/diff_heap_allocs_kinds.top.default.txt"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int st;
		size_t n;
		char *out = run(cases[i].args, &st);
		char *ref = (char *)pf_test_read_fixture(cases[i].ref, &n);
		ck_assert_int_eq(st, 0);
		ck_assert_msg(strcmp(out, ref) == 0, "%s differs from %s", cases[i].args,
		              cases[i].ref);
		free(out);
		free(ref);
	}
}
END_TEST

/* Every function of a --json diff against the reference pair: totals,
 * flat%, delta, base cum, the z-test's p (CPU only), largest move first. */
static void diff_against(const char *args, const char *file, const char *key, bool p_known)
{
	json_t *root, *sec = ref_section(file, key, &root);
	json_t *j = run_json(args);
	ck_assert_int_eq(ref_int(j, "base_total"), ref_int(sec, "base_total"));
	ck_assert_int_eq(ref_int(j, "cand_total"), ref_int(sec, "cand_total"));
	json_t *fns = json_object_get(j, "functions"), *f;
	ck_assert_uint_eq(json_array_size(fns), json_array_size(json_object_get(sec, "functions")));
	double prev = INFINITY;
	size_t i;
	json_array_foreach(fns, i, f)
	{
		json_t *e = ref_function(sec, json_string_value(json_object_get(f, "name")));
		/* both sides rounded to 4 decimals */
		ck_assert_double_eq_tol(num(f, "delta_pts"), num(e, "delta_flat_pts"), 2e-4);
		ck_assert_double_eq_tol(num(f, "cand_flat_pct"), num(e, "cand_flat_pct"), 1e-4);
		ck_assert_int_eq(ref_int(f, "base_cum"), ref_int(e, "base_cum"));
		json_t *p = json_object_get(f, "p_value");
		if (p_known) {
			double want = num(e, "flat_share_p_two_sided");
			ck_assert_msg(fabs(json_number_value(p) - want) <= 1e-3 * want + 1e-300,
			              "p %g vs %g", json_number_value(p), want);
		} else {
			ck_assert(json_is_null(p));
		}
		ck_assert_double_le(fabs(num(f, "delta_pts")), prev);
		prev = fabs(num(f, "delta_pts"));
	}
	json_decref(j);
	json_decref(root);
}

START_TEST(diff_json)
{
	diff_against("diff --json cpu_base.pb.gz cpu_cand.pb.gz", "pair_cpu_base_cand.json", "cpu",
	             true);
	diff_against("diff --json --sample-index alloc_space heap_base.pb.gz heap_cand.pb.gz",
	             "pair_heap_base_cand.json", "alloc_space", false);
}
END_TEST

START_TEST(speedscope_json)
{
	json_t *root, *sec = ref_section("pair_heap_base_cand.json", "alloc_space", &root);
	json_t *j = run_json("speedscope --sample-index alloc_space heap_base.pb.gz");
	ck_assert_str_eq(json_string_value(json_object_get(j, "$schema")),
	                 "https://www.speedscope.app/file-format-schema.json");
	json_t *p = json_array_get(json_object_get(j, "profiles"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(p, "unit")), "bytes");
	ck_assert_int_eq(ref_int(p, "endValue"), ref_int(sec, "base_total"));
	json_decref(root);
	ck_assert_uint_eq(json_array_size(json_object_get(p, "samples")),
	                  json_array_size(json_object_get(p, "weights")));
	json_decref(j);
	j = run_json("speedscope cpu_base.pb.gz");
	ck_assert_uint_eq(json_array_size(json_object_get(j, "profiles")), 2);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "activeProfileIndex")), 1);
	json_decref(j);
}
END_TEST

START_TEST(bad_input_exit_2)
{
	int st;
	char *junk = pf_test_write_temp("this is not a profile", 21, ".pb");
	char args[512];
	snprintf(args, sizeof args, "top '%s' 2>&1", junk);
	char *out = run(args, &st);
	ck_assert_int_eq(st, 2);
	ck_assert_ptr_nonnull(strstr(out, "not gzip and not a valid pprof protobuf"));
	ck_assert_ptr_nonnull(strstr(out, junk));
	free(out);
	snprintf(args, sizeof args, "diff cpu_base.pb.gz '%s' 2>/dev/null", junk);
	out = run(args, &st);
	ck_assert_int_eq(st, 2);
	ck_assert_str_eq(out, ""); /* nothing on stdout */
	free(out);
	remove(junk);
	free(junk);
	out = run("top --sample-index nope cpu_base.pb.gz 2>&1", &st);
	ck_assert_int_eq(st, 2);
	ck_assert_ptr_nonnull(strstr(out, "must be one of: samples, cpu"));
	free(out);
	out = run("top /nonexistent.pb.gz 2>&1", &st);
	ck_assert_int_eq(st, 2);
	ck_assert_ptr_nonnull(strstr(out, "No such file"));
	free(out);
	out = run("diff only_one.pb.gz 2>&1", &st);
	ck_assert_int_eq(st, 2);
	ck_assert_ptr_nonnull(strstr(out, "usage: perfgate diff"));
	free(out);
	out = run("diff cpu_base.pb.gz heap_base.pb.gz --sample-index 1 2>&1", &st);
	ck_assert_int_eq(st, 2);
	ck_assert_ptr_nonnull(strstr(out, "different sample types"));
	free(out);
	/* each pprof flag where it means something */
	static const char *const misuse[][2] = {
	        {"top --normalize cpu_base.pb.gz", "--normalize is for diff"},
	        {"diff --relative-percentages cpu_base.pb.gz cpu_cand.pb.gz",
	         "--relative-percentages is for top"},
	        {"diff --normalize --json cpu_base.pb.gz cpu_cand.pb.gz",
	         "--normalize is for the text table"}};
	for (size_t i = 0; i < sizeof misuse / sizeof misuse[0]; i++) {
		snprintf(args, sizeof args, "%s 2>&1", misuse[i][0]);
		out = run(args, &st);
		ck_assert_msg(st == 2, "%s: exit %d", misuse[i][0], st);
		ck_assert_msg(strstr(out, misuse[i][1]) != NULL, "%s: %s", misuse[i][0], out);
		free(out);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("pprof_cli");
	TCase *tc = tcase_create("cli");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, top_json);
	tcase_add_test(tc, top_and_diff_text_as_pprof);
	tcase_add_test(tc, diff_json);
	tcase_add_test(tc, speedscope_json);
	tcase_add_test(tc, bad_input_exit_2);
	suite_add_tcase(s, tc);
	return pft_run_suite(s);
}
