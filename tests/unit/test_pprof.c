/* test_pprof.c: the pprof decoder and function tables on hand-built
 * profiles (recursion, inlining, empty strings, zero and negative values,
 * default_sample_type, labels, packed/unpacked fields, string table last)
 * and on a fixture read gzipped and raw. The malformed-input catalogue is
 * test_pprof_malformed.c; merge, diff and JSON test_pprof_diff.c; the
 * speedscope export test_pprof_speedscope.c. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "functab.h"
#include "gunzip.h"
#include "pprof.h"
#include "pprof_test.h"
#include "testutil.h"

START_TEST(worked_example_recursion_inlining)
{
	struct pf_buf b;
	struct pf_arena a;
	struct pf_err err;
	struct pf_functab *t;
	example(&b, false);
	pf_arena_init(&a, 0);
	struct pf_profile *p = decode_ok(&b, &a);
	ck_assert_uint_eq(p->n_samples, 3);
	ck_assert_uint_eq(p->samples[0].n_locs, 3);
	ck_assert_uint_eq(p->locations[2].n_lines, 2);
	int idx = pf_pprof_sample_index(p, NULL, &err);
	ck_assert_int_eq(idx, 1); /* no default_sample_type: the last */
	ck_assert_int_eq(pf_pprof_gate_index(p), 1);
	ck_assert_int_eq(pf_functab_build(p, idx, NULL, &a, &t, &err), PF_OK);
	ck_assert_int_eq(t->total, 35);
	ck_assert_int_eq(t->total_samples, 4);
	ck_assert_uint_eq(t->n_rows, 4);
	/* order: a, inl, main, b (flat desc) */
	ck_assert_str_eq(t->rows[0].name, "a");
	ck_assert_int_eq(t->rows[0].flat, 20);
	ck_assert_int_eq(t->rows[0].cum, 30); /* recursion counted once */
	ck_assert_int_eq(t->rows[0].flat_samples, 2);
	ck_assert_str_eq(t->rows[1].name, "inl");
	ck_assert_str_eq(pf_functab_inline_label(t->rows[1].inl), " (inline)");
	ck_assert_int_eq(t->rows[1].flat, 10);
	ck_assert_str_eq(t->rows[2].name, "main");
	ck_assert_int_eq(t->rows[2].cum, 35);
	ck_assert_str_eq(pf_functab_inline_label(t->rows[2].inl), "");
	ck_assert_str_eq(t->rows[3].name, "b");
	ck_assert_int_eq(t->rows[3].flat, 0);
	ck_assert_int_eq(t->rows[3].cum, 10);
	/* -noinlines folds inl into b */
	struct pf_functab_opts o = pf_functab_opts_all();
	o.no_inlines = true;
	ck_assert_int_eq(pf_functab_build(p, idx, &o, &a, &t, &err), PF_OK);
	ck_assert_ptr_null(row(t, "inl"));
	ck_assert_int_eq(row(t, "b")->flat, 10);
	/* labels: string, numeric, and the zero numeric one dropped */
	ck_assert_uint_eq(p->samples[0].n_labels, 2);
	ck_assert_str_eq(p->samples[0].labels[0].key, "endpoint");
	ck_assert_str_eq(p->samples[0].labels[0].str, "/x");
	ck_assert_ptr_null(p->samples[0].labels[1].str);
	ck_assert_int_eq(p->samples[0].labels[1].num, 64);
	/* tagfocus endpoint=/x keeps the first sample only, total unchanged */
	o = pf_functab_opts_all();
	o.focus_key = "endpoint";
	o.focus_value = "/x";
	ck_assert_int_eq(pf_functab_build(p, idx, &o, &a, &t, &err), PF_OK);
	ck_assert_int_eq(t->total, 35);
	ck_assert_int_eq(row(t, "main")->cum, 10);
	ck_assert_ptr_null(row(t, "x"));
	pf_buf_free(&b);
	pf_arena_free(&a);
}
END_TEST

START_TEST(empty_names_zero_and_negative_values)
{
	struct pf_buf b;
	struct pf_arena a;
	struct pf_err err;
	struct pf_functab *t;
	example(&b, true);
	pf_arena_init(&a, 0);
	struct pf_profile *p = decode_ok(&b, &a);
	ck_assert_int_eq(pf_functab_build(p, 1, NULL, &a, &t, &err), PF_OK);
	ck_assert_int_eq(t->total, 42); /* Σ|v|: 35 + 0 + 7 */
	/* zero-valued sample: its location (nameless, no mapping) makes no row */
	ck_assert_ptr_null(row(t, "<unknown>"));
	/* the nameless function under mapping bin/app prints as [app] */
	const struct pf_functab_row *r = row(t, "[app]");
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(r->flat, -7);
	ck_assert_int_eq(row(t, "main")->cum, 28); /* 35 − 7 */
	ck_assert_str_eq(t->rows[0].name, "a");
	ck_assert_str_eq(t->rows[2].name, "[app]"); /* |−7| sorts after 10 */
	pf_buf_free(&b);
	pf_arena_free(&a);
}
END_TEST

START_TEST(default_sample_type_selects)
{
	static const char *const s[] = {"",      "alloc_objects", "count", "alloc_space",
	                                "bytes", "inuse_space",   "f"};
	static const uint64_t f1[] = {1}, l1[] = {1};
	const int64_t v[] = {3, 300, 100};
	struct pf_arena a;
	struct pf_err err;
	for (int with_default = 0; with_default < 2; with_default++) {
		struct pf_buf b;
		pf_buf_init(&b, 0);
		vtype(&b, 1, 1, 2);
		vtype(&b, 1, 3, 4);
		vtype(&b, 1, 5, 4);
		if (with_default)
			pf_pbw_uint(&b, 14, 3);
		func(&b, 1, 6);
		loc(&b, 1, 0, f1, 1);
		sample(&b, l1, 1, v, 3, true, NULL, 0);
		strings(&b, s, 7);
		pf_arena_init(&a, 0);
		struct pf_profile *p = decode_ok(&b, &a);
		ck_assert_int_eq(pf_pprof_sample_index(p, NULL, &err), with_default ? 1 : 2);
		ck_assert_int_eq(pf_pprof_sample_index(p, "alloc_objects", &err), 0);
		ck_assert_int_eq(pf_pprof_sample_index(p, "2", &err), 2);
		ck_assert_int_eq(pf_pprof_sample_index(p, "nope", &err), -1);
		ck_assert_ptr_nonnull(strstr(err.msg, "alloc_objects, alloc_space, inuse_space"));
		ck_assert_int_eq(pf_pprof_count_index(p), -1);
		struct pf_functab *t;
		ck_assert_int_eq(pf_functab_build(p, 1, NULL, &a, &t, &err), PF_OK);
		ck_assert_int_eq(t->total_samples, -1);
		ck_assert_int_eq(t->rows[0].flat_samples, -1);
		pf_buf_free(&b);
		pf_arena_free(&a);
	}
}
END_TEST

START_TEST(gzip_and_raw_decode_alike)
{
	size_t n;
	struct pf_buf raw;
	struct pf_err err;
	struct pf_arena a;
	struct pf_profile *p1, *p2;
	uint8_t *gz = pf_test_read_fixture("heap_base.pb.gz", &n);
	pf_buf_init(&raw, 0);
	ck_assert_int_eq(pf_gunzip(gz, n, SIZE_MAX, &raw, NULL, &err), PF_OK);
	pf_arena_init(&a, 0);
	ck_assert_int_eq(pf_pprof_decode(gz, n, NULL, &a, &p1, &err), PF_OK);
	ck_assert_int_eq(pf_pprof_decode((uint8_t *)raw.data, raw.len, NULL, &a, &p2, &err), PF_OK);
	ck_assert_uint_eq(p1->n_samples, p2->n_samples);
	ck_assert_uint_eq(p1->decoded_bytes, raw.len);
	ck_assert_uint_eq(p1->n_types, 4);
	ck_assert_str_eq(p1->types[1].type, "alloc_space");
	ck_assert_str_eq(p1->period_type.type, "space");
	/* the period pprof -raw printed (the MemProfileRate) */
	size_t rn;
	char *raw_txt = (char *)pf_test_read_fixture("reference/heap_base.raw.txt", &rn);
	const char *per = strstr(raw_txt, "\nPeriod: ");
	ck_assert_ptr_nonnull(per);
	ck_assert_int_eq(p1->period, strtoll(per + 9, NULL, 10));
	free(raw_txt);
	/* heap samples carry the numeric label bytes */
	size_t labelled = 0;
	for (size_t i = 0; i < p1->n_samples; i++)
		if (p1->samples[i].n_labels == 1 &&
		    !strcmp(p1->samples[i].labels[0].key, "bytes") &&
		    !p1->samples[i].labels[0].str && p1->samples[i].labels[0].num > 0)
			labelled++;
	ck_assert_uint_gt(labelled, p1->n_samples / 2);
	pf_buf_free(&raw);
	free(gz);
	pf_arena_free(&a);
}
END_TEST

int main(void)
{
	const TTest *const tests[] = {worked_example_recursion_inlining,
	                              empty_names_zero_and_negative_values,
	                              default_sample_type_selects, gzip_and_raw_decode_alike};
	return pt_run("pprof", tests, sizeof tests / sizeof tests[0]);
}
