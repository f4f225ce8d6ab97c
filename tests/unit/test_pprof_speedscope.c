/* test_pprof_speedscope.c: the speedscope export of the worked example
 * (spec/speedscope.md §7): shared frames, root-first stacks with inlined
 * frames, one profile per sample type, negative weights refused. */
#include <check.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "pprof.h"
#include "pprof_test.h"
#include "speedscope.h"

START_TEST(speedscope_document)
{
	struct pf_buf b;
	struct pf_arena a;
	struct pf_err err;
	json_t *doc;
	example(&b, false);
	pf_arena_init(&a, 0);
	struct pf_profile *p = decode_ok(&b, &a);
	ck_assert_int_eq(pf_speedscope_json(p, 1, "ex.pb", &doc, &err), PF_OK);
	ck_assert_str_eq(json_string_value(json_object_get(doc, "$schema")),
	                 "https://www.speedscope.app/file-format-schema.json");
	json_t *frames = json_object_get(json_object_get(doc, "shared"), "frames");
	json_t *prof = json_array_get(json_object_get(doc, "profiles"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(prof, "unit")), "nanoseconds");
	ck_assert_int_eq(json_integer_value(json_object_get(prof, "endValue")), 35);
	json_t *s0 = json_array_get(json_object_get(prof, "samples"), 0);
	/* root first, inlined callee after its caller: main a b inl */
	const char *want[] = {"main", "a", "b", "inl"};
	ck_assert_uint_eq(json_array_size(s0), 4);
	for (size_t i = 0; i < 4; i++) {
		json_t *fr =
		        json_array_get(frames, (size_t)json_integer_value(json_array_get(s0, i)));
		ck_assert_str_eq(json_string_value(json_object_get(fr, "name")), want[i]);
	}
	ck_assert_uint_eq(json_array_size(frames), 4); /* shared, deduplicated */
	json_decref(doc);
	/* every sample type: two profiles, active = the default (last) */
	ck_assert_int_eq(pf_speedscope_json(p, -1, "ex.pb", &doc, &err), PF_OK);
	ck_assert_uint_eq(json_array_size(json_object_get(doc, "profiles")), 2);
	ck_assert_int_eq(json_integer_value(json_object_get(doc, "activeProfileIndex")), 1);
	prof = json_array_get(json_object_get(doc, "profiles"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(prof, "unit")), "none");
	json_decref(doc);
	pf_buf_free(&b);
	/* negative weights are refused */
	example(&b, true);
	p = decode_ok(&b, &a);
	ck_assert_int_eq(pf_speedscope_json(p, 1, "x", &doc, &err), PF_E_UNPROCESSABLE);
	ck_assert_ptr_nonnull(strstr(err.msg, "negative"));
	pf_buf_free(&b);
	pf_arena_free(&a);
}
END_TEST

int main(void)
{
	const TTest *const tests[] = {speedscope_document};
	return pt_run("pprof_speedscope", tests, sizeof tests / sizeof tests[0]);
}
