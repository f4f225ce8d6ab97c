/* test_pprof_diff.c: function tables of the fixture profiles merged
 * (baseline window), diffed against the reference pair files, and in
 * their JSON form. */
#include <check.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "functab.h"
#include "pprof.h"
#include "pprof_test.h"
#include "profdiff.h"
#include "testutil.h"

START_TEST(merge_sums_tables)
{
	struct pf_arena a;
	struct pf_err err;
	struct pf_functab *m;
	pf_arena_init(&a, 0);
	struct pf_functab *t1 = fixture_table("cpu_noise1.pb.gz", "cpu", &a);
	struct pf_functab *t2 = fixture_table("cpu_noise2.pb.gz", "cpu", &a);
	const struct pf_functab *tabs[] = {t1, t2};
	ck_assert_int_eq(pf_functab_merge(tabs, 2, &a, &m, &err), PF_OK);
	ck_assert_int_eq(m->total, t1->total + t2->total);
	ck_assert_int_eq(m->total_samples, t1->total_samples + t2->total_samples);
	/* every function: the sum of its two rows (0 where one lacks it) */
	int64_t all = 0;
	for (size_t i = 0; i < m->n_rows; i++) {
		const struct pf_functab_row *r = &m->rows[i];
		int64_t f[2] = {0, 0}, s[2] = {0, 0};
		for (int k = 0; k < 2; k++)
			for (size_t j = 0; j < tabs[k]->n_rows; j++)
				if (strcmp(tabs[k]->rows[j].name, r->name) == 0 &&
				    tabs[k]->rows[j].inl == r->inl) {
					f[k] += tabs[k]->rows[j].flat;
					s[k] += tabs[k]->rows[j].flat_samples;
				}
		ck_assert_msg(r->flat == f[0] + f[1], "%s", r->name);
		ck_assert_msg(r->flat_samples == s[0] + s[1], "%s", r->name);
		all += r->flat;
	}
	ck_assert_int_eq(all, m->total); /* CPU values are positive */
	for (size_t i = 1; i < m->n_rows; i++)
		ck_assert_int_ge(llabs(m->rows[i - 1].flat), llabs(m->rows[i].flat));
	/* a heap table has no sample counts: the merge keeps them unknown */
	struct pf_functab *h1 = fixture_table("heap_noise1.pb.gz", "alloc_space", &a);
	const struct pf_functab *mixed[] = {h1, h1};
	ck_assert_int_eq(pf_functab_merge(mixed, 2, &a, &m, &err), PF_OK);
	ck_assert_int_eq(m->total_samples, -1);
	ck_assert_int_eq(m->rows[0].flat, 2 * h1->rows[0].flat);
	const struct pf_functab *bad[] = {t1, h1};
	ck_assert_int_eq(pf_functab_merge(bad, 2, &a, &m, &err), PF_E_BAD_REQUEST);
	pf_arena_free(&a);
}
END_TEST

static void check_pair(const char *pair_json, const char *section, const char *bfile,
                       const char *cfile)
{
	struct pf_arena a;
	struct pf_err err;
	struct pf_profdiff *d;
	json_t *ref = pf_test_json_fixture(pair_json);
	json_t *sec = json_object_get(ref, section);
	pf_arena_init(&a, 0);
	struct pf_functab *tb = fixture_table(bfile, section, &a);
	struct pf_functab *tc = fixture_table(cfile, section, &a);
	ck_assert_int_eq(pf_profdiff_build(tb, tc, &a, &d, &err), PF_OK);
	ck_assert_int_eq(d->base_total, json_integer_value(json_object_get(sec, "base_total")));
	ck_assert_int_eq(d->cand_total, json_integer_value(json_object_get(sec, "cand_total")));
	json_t *fns = json_object_get(sec, "functions");
	ck_assert_uint_eq(d->n_rows, json_array_size(fns));
	json_t *tested = json_object_get(sec, "functions_tested");
	if (tested)
		ck_assert_uint_eq(d->n_tests, (size_t)json_integer_value(tested));
	else
		ck_assert_uint_eq(d->n_tests, 0);
	size_t i;
	json_t *f;
	json_array_foreach(fns, i, f)
	{
		const char *name = json_string_value(json_object_get(f, "name"));
		const struct pf_profdiff_row *r = NULL;
		for (size_t k = 0; k < d->n_rows && !r; k++)
			if (strcmp(d->rows[k].name, name) == 0)
				r = &d->rows[k];
		ck_assert_msg(r != NULL, "%s missing", name);
		ck_assert_int_eq(r->base_flat, json_integer_value(json_object_get(f, "base_flat")));
		ck_assert_int_eq(r->cand_flat, json_integer_value(json_object_get(f, "cand_flat")));
		ck_assert_int_eq(r->base_cum, json_integer_value(json_object_get(f, "base_cum")));
		ck_assert_int_eq(r->cand_cum, json_integer_value(json_object_get(f, "cand_cum")));
		double dp = json_number_value(json_object_get(f, "delta_flat_pts"));
		ck_assert_msg(fabs(r->delta_pts - dp) < 1e-4, "%s delta %f vs %f", name,
		              r->delta_pts, dp);
		json_t *z = json_object_get(f, "flat_share_z");
		if (z) {
			ck_assert_msg(fabs(r->z - json_number_value(z)) < 1e-4, "%s z %f vs %f",
			              name, r->z, json_number_value(z));
			double pr = json_number_value(json_object_get(f, "flat_share_p_two_sided"));
			ck_assert_msg(fabs(r->p_value - pr) <= 1e-5 * pr + 1e-300, "%s p %g vs %g",
			              name, r->p_value, pr);
		} else {
			ck_assert(isnan(r->p_value));
		}
	}
	json_t *j = pf_profdiff_json(d, 0);
	ck_assert_ptr_nonnull(j);
	json_t *j0 = json_array_get(json_object_get(j, "functions"), 0);
	ck_assert(tested ? json_is_real(json_object_get(j0, "p_value"))
	                 : json_is_null(json_object_get(j0, "p_value")));
	json_decref(j);
	json_decref(ref);
	pf_arena_free(&a);
}

START_TEST(diff_matches_pair_files)
{
	check_pair("reference/pair_cpu_base_cand.json", "cpu", "cpu_base.pb.gz", "cpu_cand.pb.gz");
	check_pair("reference/pair_cpu_noise.json", "cpu", "cpu_noise1.pb.gz", "cpu_noise2.pb.gz");
	const char *heap[] = {"alloc_space", "inuse_space", "alloc_objects", "inuse_objects"};
	for (size_t i = 0; i < 4; i++) {
		check_pair("reference/pair_heap_base_cand.json", heap[i], "heap_base.pb.gz",
		           "heap_cand.pb.gz");
		check_pair("reference/pair_heap_noise.json", heap[i], "heap_noise1.pb.gz",
		           "heap_noise2.pb.gz");
	}
}
END_TEST

START_TEST(functab_json_shape)
{
	struct pf_arena a;
	pf_arena_init(&a, 0);
	struct pf_functab *t = fixture_table("heap_base.pb.gz", "alloc_space", &a);
	json_t *j = pf_functab_json(t, 3);
	ck_assert_str_eq(json_string_value(json_object_get(j, "sample_index")), "alloc_space");
	ck_assert_str_eq(json_string_value(json_object_get(j, "unit")), "bytes");
	ck_assert_int_eq(json_integer_value(json_object_get(j, "total")), t->total);
	json_t *fns = json_object_get(j, "functions");
	ck_assert_uint_eq(json_array_size(fns), 3);
	/* the three largest flat values, as the reference has them (with
	 * pprof's "(inline)" label) */
	json_t *ref = pf_test_json_fixture("reference/pair_heap_base_cand.json");
	json_t *sec = json_object_get(ref, "alloc_space");
	ck_assert_int_eq(t->total, json_integer_value(json_object_get(sec, "base_total")));
	for (size_t i = 0; i < 3; i++) {
		json_t *f = json_array_get(fns, i), *e, *want = NULL;
		const char *name = json_string_value(json_object_get(f, "name"));
		size_t k, larger = 0;
		int64_t flat = json_integer_value(json_object_get(f, "flat"));
		json_array_foreach(json_object_get(sec, "functions"), k, e)
		{
			if (strcmp(json_string_value(json_object_get(e, "name")), name) == 0)
				want = e;
			larger += json_integer_value(json_object_get(e, "base_flat")) > flat;
		}
		ck_assert_msg(want != NULL, "%s", name);
		ck_assert_uint_le(larger, i);
		ck_assert_int_eq(flat, json_integer_value(json_object_get(want, "base_flat")));
		ck_assert(json_is_true(json_object_get(f, "inline")) ==
		          (*json_string_value(json_object_get(want, "base_inline_label")) != '\0'));
		ck_assert_double_eq_tol(json_real_value(json_object_get(f, "flat_pct")),
		                        json_number_value(json_object_get(want, "base_flat_pct")),
		                        1e-3);
	}
	json_decref(ref);
	json_decref(j);
	/* invalid UTF-8 becomes U+FFFD instead of a missing string */
	j = pf_json_text("a\xff"
	                 "b");
	ck_assert_str_eq(json_string_value(j), "a\xef\xbf\xbd"
	                                       "b");
	json_decref(j);
	pf_arena_free(&a);
}
END_TEST

int main(void)
{
	const TTest *const tests[] = {merge_sums_tables, diff_matches_pair_files,
	                              functab_json_shape};
	return pt_run("pprof_diff", tests, sizeof tests / sizeof tests[0]);
}
