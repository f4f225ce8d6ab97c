/* test_bench.c: the benchmark engine against what benchstat printed for the
 * fixtures (tests/fixtures/reference/benchstat_*.csv, .txt, pair_bench_*.json):
 * every row's median, CI, delta, p-value and "~", every geomean, the text
 * byte for byte; the statistical edge cases of spec §4 on synthetic input;
 * the JSON form; and `perfgate benchstat` run as a process. */
#include <check.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arena.h"
#include "bench.h"
#include "buf.h"
#include "testutil.h"
#include "pftest_run.h"

struct ref {
	const char *base, *cand, *csv, *txt, *pair;
};

static const struct ref refs[] = {
        {"bench_base.txt", "bench_cand.txt", "reference/benchstat_base_cand.csv",
         "reference/benchstat_base_cand.txt", "reference/pair_bench_base_cand.json"},
        {"bench_noise1.txt", "bench_noise2.txt", "reference/benchstat_noise.csv",
         "reference/benchstat_noise.txt", "reference/pair_bench_noise.json"},
        {"bench_base.txt", NULL, "reference/benchstat_base_only.csv",
         "reference/benchstat_base_only.txt", NULL},
        {"bench_base_count3.txt", "bench_cand_count3.txt", "reference/benchstat_count3.csv",
         "reference/benchstat_count3.txt", "reference/pair_bench_count3.json"},
};
#define NREFS ((int)(sizeof refs / sizeof refs[0]))

static struct pf_benchset *parse_fixture(struct pf_arena *a, const char *name)
{
	size_t len;
	struct pf_benchset *set = NULL;
	struct pf_err e = {0};
	char *text = (char *)pf_test_read_fixture(name, &len);
	enum pf_code c = pf_bench_parse(text, len, NULL, a, &set, &e);
	ck_assert_msg(c == PF_OK, "%s: %s", name, e.msg);
	free(text);
	return set;
}

static struct pf_bench_cmp *ref_cmp(struct pf_arena *a, const struct ref *r)
{
	struct pf_bench_opts o;
	struct pf_bench_cmp *cmp = NULL;
	struct pf_err e = {0};
	pf_bench_opts_default(&o);
	o.base_label = r->base;
	o.cand_label = r->cand;
	struct pf_benchset *b = parse_fixture(a, r->base);
	struct pf_benchset *c = r->cand ? parse_fixture(a, r->cand) : NULL;
	ck_assert_int_eq(pf_bench_compare(b, c, &o, a, &cmp, &e), PF_OK);
	return cmp;
}

/* Summary.PctRangeString, computed here independently of the renderer. */
static void ci_string(const struct pf_bench_summary *s, char *out, size_t cap)
{
	if (isinf(s->ci_low) || isinf(s->ci_high))
		snprintf(out, cap, "\xe2\x88\x9e");
	else if (s->median == 0)
		snprintf(out, cap, s->ci_low == 0 && s->ci_high == 0 ? "0%%" : "?");
	else
		snprintf(out, cap, "%.0f%%",
		         100 * fmax(s->ci_high / s->median - 1, 1 - s->ci_low / s->median));
}

/* Split a CSV line on commas (no field of these files is quoted). */
static int split(char *line, char **f, int max)
{
	int n = 0;
	f[n++] = line;
	for (char *p = line; *p && n < max; p++)
		if (*p == ',') {
			*p = '\0';
			f[n++] = p + 1;
		}
	return n;
}

static void check_delta(const struct pf_bench_row *r, const char *want)
{
	char got[32];
	if (!r->significant) {
		ck_assert_msg(strcmp(want, "~") == 0, "%s %s: want %s, got ~", r->name, r->unit,
		              want);
		return;
	}
	if (r->base.median == r->cand.median)
		snprintf(got, sizeof got, "0.00%%");
	else if (r->base.median == 0)
		snprintf(got, sizeof got, "?");
	else
		snprintf(got, sizeof got, "%+.2f%%", r->delta_pct);
	ck_assert_msg(strcmp(got, want) == 0, "%s %s: delta %s, benchstat %s", r->name, r->unit,
	              got, want);
	if (strcmp(want, "?") != 0)
		ck_assert_double_eq_tol(r->delta_pct, strtod(want, NULL), 0.005 + 1e-9);
}

static void check_pn(const struct pf_bench_row *r, const char *want)
{
	char got[64];
	if (r->base.n == r->cand.n)
		snprintf(got, sizeof got, "p=%.3f n=%zu", r->p_value, r->base.n);
	else
		snprintf(got, sizeof got, "p=%.3f n=%zu+%zu", r->p_value, r->base.n, r->cand.n);
	ck_assert_msg(strcmp(got, want) == 0, "%s %s: %s, benchstat %s", r->name, r->unit, got,
	              want);
}

static void check_gm(bool has, double v, const char *want, const char *what)
{
	if (!*want) {
		ck_assert_msg(!has, "%s: benchstat has no geomean, we have %g", what, v);
		return;
	}
	ck_assert_msg(has, "%s: benchstat geomean %s, we have none", what, want);
	double w = strtod(want, NULL);
	/* Go's exp/log may differ from libm in the last bit (spec §4.5) */
	ck_assert_msg(fabs(v / w - 1) < 1e-13, "%s: %.17g vs %s", what, v, want);
}

/* Proof 1: every CSV record of every reference. */
START_TEST(reference_csv)
{
	const struct ref *r = &refs[_i];
	struct pf_arena a;
	pf_arena_init(&a, 0);
	struct pf_bench_cmp *cmp = ref_cmp(&a, r);
	size_t len;
	char *csv = (char *)pf_test_read_fixture(r->csv, &len);
	char *save = NULL, *line;
	size_t table = 0, row = 0, rows_seen = 0;
	int tables_seen = 0;
	const char *unit = NULL;
	bool in_table = false;

	for (line = strtok_r(csv, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *f[16];
		if (!strchr(line, ','))
			continue; /* configuration line */
		int n = split(line, f, 16);
		if (f[0][0] == '\0') {
			if (strcmp(f[2], "CI") == 0) { /* ,sec/op,CI,... */
				ck_assert_uint_lt(tables_seen, cmp->ntables);
				table = (size_t)tables_seen++;
				unit = f[1];
				ck_assert_str_eq(cmp->tables[table].unit, unit);
				row = 0;
				in_table = true;
			}
			continue;
		}
		ck_assert(in_table);
		const struct pf_bench_table *t = &cmp->tables[table];
		if (strcmp(f[0], "geomean") == 0) {
			ck_assert_uint_eq(row, t->nrows);
			check_gm(t->has_base_gm, t->base_gm, f[1], "base geomean");
			if (r->cand) {
				ck_assert_int_ge(n, 6);
				check_gm(t->has_cand_gm, t->cand_gm, f[3], "cand geomean");
				char got[32] = "?";
				if (t->has_ratio)
					snprintf(got, sizeof got, "%+.2f%%", (t->ratio - 1) * 100);
				ck_assert_str_eq(got, f[5]);
			}
			in_table = false;
			continue;
		}
		ck_assert_uint_lt(row, t->nrows);
		const struct pf_bench_row *br = &cmp->rows[t->first_row + row++];
		rows_seen++;
		char ci[32];
		ck_assert_str_eq(br->name, f[0]);
		ck_assert_str_eq(br->unit, unit);
		ck_assert(br->has_base);
		ck_assert_msg(br->base.median == strtod(f[1], NULL), "%s %s: median %.17g vs %s",
		              br->name, unit, br->base.median, f[1]);
		ci_string(&br->base, ci, sizeof ci);
		ck_assert_str_eq(ci, f[2]);
		if (!r->cand)
			continue;
		ck_assert_int_ge(n, 7);
		ck_assert(br->has_cand);
		ck_assert_msg(br->cand.median == strtod(f[3], NULL), "%s %s: cand %.17g vs %s",
		              br->name, unit, br->cand.median, f[3]);
		ci_string(&br->cand, ci, sizeof ci);
		ck_assert_str_eq(ci, f[4]);
		check_delta(br, f[5]);
		check_pn(br, f[6]);
	}
	ck_assert_uint_eq((size_t)tables_seen, cmp->ntables);
	ck_assert_uint_eq(rows_seen, cmp->nrows);
	free(csv);
	pf_arena_free(&a);
}
END_TEST

/* Proof 1: the text table, byte for byte. */
START_TEST(reference_text)
{
	const struct ref *r = &refs[_i];
	struct pf_arena a;
	struct pf_buf out;
	size_t len;
	pf_arena_init(&a, 0);
	pf_buf_init(&out, 0);
	struct pf_bench_cmp *cmp = ref_cmp(&a, r);
	ck_assert_int_eq(pf_bench_render_text(cmp, &out), PF_OK);
	char *want = (char *)pf_test_read_fixture(r->txt, &len);
	ck_assert_uint_eq(out.len, len);
	ck_assert(memcmp(out.data, want, len) == 0);
	free(want);
	pf_buf_free(&out);
	pf_arena_free(&a);
}
END_TEST

static const struct pf_bench_row *find_row(const struct pf_bench_cmp *cmp, const char *unit,
                                           const char *name)
{
	for (size_t i = 0; i < cmp->nrows; i++)
		if (strcmp(cmp->rows[i].unit, unit) == 0 && strcmp(cmp->rows[i].name, name) == 0)
			return &cmp->rows[i];
	return NULL;
}

/* Proof 1: the pair_bench_*.json files (medians, CI, p, delta, flags). */
START_TEST(reference_pair_json)
{
	const struct ref *r = &refs[_i];
	if (!r->pair)
		return;
	struct pf_arena a;
	pf_arena_init(&a, 0);
	struct pf_bench_cmp *cmp = ref_cmp(&a, r);
	json_t *root = pf_test_json_fixture(r->pair);
	json_t *tables = json_object_get(root, "tables"), *t, *row;
	size_t i, j, nrows = 0;
	json_array_foreach(tables, i, t)
	{
		const char *unit = json_string_value(json_object_get(t, "unit"));
		json_array_foreach(json_object_get(t, "rows"), j, row)
		{
			const char *name = json_string_value(json_object_get(row, "name"));
			if (strcmp(name, "geomean") == 0)
				continue; /* checked against the CSV */
			const struct pf_bench_row *br = find_row(cmp, unit, name);
			char ci[32], p[16];
			ck_assert_msg(br != NULL, "%s %s missing", name, unit);
			nrows++;
			ck_assert(br->base.median ==
			          json_number_value(json_object_get(row, "base_median")));
			ck_assert(br->cand.median ==
			          json_number_value(json_object_get(row, "cand_median")));
			ci_string(&br->base, ci, sizeof ci);
			ck_assert_str_eq(ci, json_string_value(json_object_get(row, "base_ci")));
			ci_string(&br->cand, ci, sizeof ci);
			ck_assert_str_eq(ci, json_string_value(json_object_get(row, "cand_ci")));
			snprintf(p, sizeof p, "%.3f", br->p_value);
			char want_p[16];
			snprintf(want_p, sizeof want_p, "%.3f",
			         json_number_value(json_object_get(row, "benchstat_p")));
			ck_assert_str_eq(p, want_p);
			json_t *d = json_object_get(row, "delta_pct_from_medians");
			if (json_is_number(d))
				ck_assert_double_eq_tol(br->delta_pct, json_number_value(d), 1e-4);
			ck_assert_int_eq(br->significant,
			                 json_is_true(json_object_get(row, "significant")));
			ck_assert_int_eq(
			        br->insufficient_samples,
			        json_is_true(json_object_get(row, "insufficient_samples")));
			check_delta(br, json_string_value(json_object_get(row, "benchstat_delta")));
		}
	}
	ck_assert_uint_eq(nrows, cmp->nrows);
	json_decref(root);
	pf_arena_free(&a);
}
END_TEST

/* The API's JSON form: exactly the documented keys. */
START_TEST(json_shape)
{
	struct pf_arena a;
	pf_arena_init(&a, 0);
	struct pf_bench_cmp *cmp = ref_cmp(&a, &refs[0]);
	json_t *j = pf_bench_render_json(cmp);
	ck_assert(json_is_array(j));
	ck_assert_uint_eq(json_array_size(j), cmp->nrows);
	/* each row as the comparison has it (reference_csv checks those
	 * against benchstat) */
	for (size_t i = 0; i < cmp->nrows; i++) {
		const struct pf_bench_row *r = &cmp->rows[i];
		json_t *o = json_array_get(j, i), *base = json_object_get(o, "base");
		ck_assert_str_eq(json_string_value(json_object_get(o, "name")), r->name);
		ck_assert_str_eq(json_string_value(json_object_get(o, "unit")), r->unit);
		ck_assert_uint_eq(json_object_size(o), 8);
		if (!r->has_base) {
			ck_assert(json_is_null(base));
			continue;
		}
		ck_assert_uint_eq(json_object_size(base), 4);
		ck_assert(json_real_value(json_object_get(base, "median")) == r->base.median);
		ck_assert_int_eq(json_integer_value(json_object_get(base, "n")), (int)r->base.n);
		if (!r->has_cand)
			continue;
		ck_assert(json_is_true(json_object_get(o, "significant")) == r->significant);
		ck_assert(json_is_true(json_object_get(o, "insufficient_samples")) ==
		          r->insufficient_samples);
		if (isfinite(r->delta_pct))
			ck_assert(json_real_value(json_object_get(o, "delta_pct")) == r->delta_pct);
	}
	json_decref(j);
	pf_arena_free(&a);
}
END_TEST

/* ---- synthetic edge cases (spec §4) ---- */

static void gen(struct pf_buf *b, const char *name, const char *unit, const double *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		pf_buf_printf(b, "Benchmark%s\t100\t%.17g %s\n", name, v[i], unit);
}

static const struct pf_bench_row *cmp1(struct pf_arena *a, const char *unit, const double *x,
                                       size_t nx, const double *y, size_t ny)
{
	struct pf_buf bx, by;
	struct pf_benchset *sx, *sy;
	struct pf_bench_cmp *cmp;
	struct pf_err e = {0};
	pf_buf_init(&bx, 0);
	pf_buf_init(&by, 0);
	gen(&bx, "X", unit, x, nx);
	gen(&by, "X", unit, y, ny);
	ck_assert_int_eq(pf_bench_parse(bx.data, bx.len, NULL, a, &sx, &e), PF_OK);
	ck_assert_int_eq(pf_bench_parse(by.data, by.len, NULL, a, &sy, &e), PF_OK);
	ck_assert_int_eq(pf_bench_compare(sx, sy, NULL, a, &cmp, &e), PF_OK);
	pf_buf_free(&bx);
	pf_buf_free(&by);
	ck_assert_uint_eq(cmp->nrows, 1);
	return &cmp->rows[0];
}

START_TEST(edge_identical)
{
	struct pf_arena a;
	pf_arena_init(&a, 0);
	double v[] = {5, 5, 5, 5, 5};
	const struct pf_bench_row *r = cmp1(&a, "ns/op", v, 5, v, 5);
	ck_assert_double_eq(r->p_value, 1);
	ck_assert(!r->significant);
	ck_assert(r->warnings & PF_BENCH_W_ALL_EQUAL);
	ck_assert_double_eq(r->delta_pct, 0);
	ck_assert_int_eq(r->regression, 0);
	pf_arena_free(&a);
}
END_TEST

START_TEST(edge_one_vs_one)
{
	struct pf_arena a;
	pf_arena_init(&a, 0);
	double x[] = {100}, y[] = {200};
	const struct pf_bench_row *r = cmp1(&a, "ns/op", x, 1, y, 1);
	ck_assert_double_eq(r->p_value, 1);
	ck_assert(!r->significant);
	ck_assert(r->insufficient_samples);
	ck_assert(r->warnings & PF_BENCH_W_NEED_SAMPLES);
	ck_assert(r->warnings & PF_BENCH_W_BASE_CI);
	ck_assert_double_eq_tol(r->delta_pct, 100, 1e-12);
	ck_assert_int_eq(r->regression, 1);
	pf_arena_free(&a);
}
END_TEST

START_TEST(edge_three_vs_three_and_five)
{
	struct pf_arena a;
	pf_arena_init(&a, 0);
	double x[] = {100, 101, 102}, y[] = {200, 201, 202, 203, 204};
	const struct pf_bench_row *r = cmp1(&a, "ns/op", x, 3, y, 3);
	ck_assert_double_eq_tol(r->p_value, 0.1, 1e-12);
	ck_assert(!r->significant);
	ck_assert(r->insufficient_samples);
	r = cmp1(&a, "ns/op", x, 3, y, 5);
	ck_assert_double_eq_tol(r->p_value, 2.0 / 56, 1e-12);
	ck_assert(r->significant);
	ck_assert(!r->insufficient_samples);
	ck_assert_uint_eq(r->cand.n, 5);
	pf_arena_free(&a);
}
END_TEST

START_TEST(edge_four_vs_four_and_ties)
{
	struct pf_arena a;
	pf_arena_init(&a, 0);
	double x[] = {10, 11, 12, 13}, y[] = {14, 15, 16, 17};
	const struct pf_bench_row *r = cmp1(&a, "ns/op", x, 4, y, 4);
	ck_assert_double_eq_tol(r->p_value, 0.0286, 1e-4);
	ck_assert(r->significant);
	ck_assert(!r->insufficient_samples);
	double t1[] = {1, 2, 2, 3, 3, 3}, t2[] = {2, 3, 4, 4, 5};
	r = cmp1(&a, "ns/op", t1, 6, t2, 5);
	ck_assert_double_eq_tol(r->p_value, 0.112554, 5e-7);
	ck_assert(!r->significant);
	pf_arena_free(&a);
}
END_TEST

START_TEST(edge_zero_medians_no_geomean)
{
	struct pf_arena a;
	struct pf_buf b, out;
	struct pf_benchset *s;
	struct pf_bench_cmp *cmp;
	struct pf_err e = {0};
	pf_arena_init(&a, 0);
	pf_buf_init(&b, 0);
	pf_buf_init(&out, 0);
	for (int i = 0; i < 6; i++)
		pf_buf_printf(&b, "BenchmarkA 10 %d ns/op 0 B/op\nBenchmarkB 10 %d ns/op 0 B/op\n",
		              100 + i, 200 + i);
	ck_assert_int_eq(pf_bench_parse(b.data, b.len, NULL, &a, &s, &e), PF_OK);
	ck_assert_int_eq(pf_bench_compare(s, s, NULL, &a, &cmp, &e), PF_OK);
	ck_assert_uint_eq(cmp->ntables, 2);
	ck_assert(cmp->tables[0].has_base_gm);
	ck_assert_str_eq(cmp->tables[1].unit, "B/op");
	ck_assert(!cmp->tables[1].has_base_gm);
	ck_assert(cmp->tables[1].base_gm_warn);
	ck_assert(cmp->tables[1].has_ratio); /* 0/0 counts as 1 */
	ck_assert_double_eq(cmp->tables[1].ratio, 1);
	ck_assert_int_eq(pf_bench_render_text(cmp, &out), PF_OK);
	ck_assert_ptr_nonnull(strstr(out.data, "summaries must be >0 to compute geomean"));
	pf_buf_free(&b);
	pf_buf_free(&out);
	pf_arena_free(&a);
}
END_TEST

START_TEST(edge_higher_is_better)
{
	struct pf_arena a;
	pf_arena_init(&a, 0);
	double x[] = {100, 101, 102, 103, 104}, y[] = {90, 91, 92, 93, 94};
	/* throughput fell: MB/s is B/s, higher is better, so a regression */
	const struct pf_bench_row *r = cmp1(&a, "MB/s", x, 5, y, 5);
	ck_assert_str_eq(r->unit, "B/s");
	ck_assert_double_eq(r->base.median, 102e6);
	ck_assert_int_eq(r->better, PF_BENCH_HIGHER);
	ck_assert(r->delta_pct < 0);
	ck_assert(r->significant);
	ck_assert_int_eq(r->regression, 1);
	/* the same numbers as time: faster, an improvement */
	r = cmp1(&a, "ns/op", x, 5, y, 5);
	ck_assert_str_eq(r->unit, "sec/op");
	ck_assert_int_eq(r->better, PF_BENCH_LOWER);
	ck_assert_int_eq(r->regression, -1);
	/* a custom unit has no direction unless a Unit line gives one */
	r = cmp1(&a, "widgets/op", x, 5, y, 5);
	ck_assert_int_eq(r->better, PF_BENCH_UNKNOWN);
	ck_assert_int_eq(r->regression, 0);
	pf_arena_free(&a);
}
END_TEST

START_TEST(merge_concatenates_samples)
{
	struct pf_arena a;
	struct pf_err e = {0};
	struct pf_benchset *m, *cat;
	size_t l1, l2;
	pf_arena_init(&a, 0);
	char *t1 = (char *)pf_test_read_fixture("bench_noise1.txt", &l1);
	char *t2 = (char *)pf_test_read_fixture("bench_noise2.txt", &l2);
	struct pf_benchset *s1, *s2;
	ck_assert_int_eq(pf_bench_parse(t1, l1, NULL, &a, &s1, &e), PF_OK);
	ck_assert_int_eq(pf_bench_parse(t2, l2, NULL, &a, &s2, &e), PF_OK);
	const struct pf_benchset *sets[2] = {s1, s2};
	ck_assert_int_eq(pf_bench_merge(sets, 2, NULL, &a, &m, &e), PF_OK);
	char *both = malloc(l1 + l2);
	memcpy(both, t1, l1);
	memcpy(both + l1, t2, l2);
	ck_assert_int_eq(pf_bench_parse(both, l1 + l2, NULL, &a, &cat, &e), PF_OK);
	ck_assert_uint_eq(m->nseries, cat->nseries);
	ck_assert_uint_eq(m->nconfigs, 1);
	for (size_t i = 0; i < m->nseries; i++) {
		ck_assert_str_eq(m->series[i].name, cat->series[i].name);
		ck_assert_str_eq(m->series[i].unit, cat->series[i].unit);
		ck_assert_uint_eq(m->series[i].n, 20);
		ck_assert(memcmp(m->series[i].values, cat->series[i].values, 20 * sizeof(double)) ==
		          0);
	}
	free(both);
	free(t1);
	free(t2);
	pf_arena_free(&a);
}
END_TEST

/* ---- the CLI (Proof 6) ---- */

static char *bin_abs(void)
{
	char *p = realpath(pf_test_bin(), NULL);
	ck_assert_msg(p != NULL, "perfgate binary %s not found", pf_test_bin());
	return p;
}

/* perfgate benchstat ARGS run in the fixture folder sub (benchstat names
 * its columns after the file arguments, as given) */
static char *run_in_fixtures(const char *sub, const char *args, int *status)
{
	char *bin = bin_abs(), *dir = pf_test_fixture_path(sub), cmd[4096];
	snprintf(cmd, sizeof cmd, "cd '%s' && '%s' benchstat %s", dir, bin, args);
	char *out = pf_test_run(cmd, status);
	free(bin);
	free(dir);
	return out;
}

START_TEST(cli_text_equals_benchstat)
{
	/* crosscheck/: another program's output, where some units and
	 * benchmarks are in one file only (README.md there) */
	static const char *const cases[][3] = {
	        {".", "bench_base.txt bench_cand.txt", "reference/benchstat_base_cand.txt"},
	        {".", "bench_noise1.txt bench_noise2.txt", "reference/benchstat_noise.txt"},
	        {".", "bench_base.txt", "reference/benchstat_base_only.txt"},
	        {".", "bench_base_count3.txt bench_cand_count3.txt",
	         "reference/benchstat_count3.txt"},
	        {"crosscheck", "bench_base.txt bench_cand.txt",
	         "crosscheck/reference/benchstat_base_cand.txt"},
	        {"crosscheck", "bench_cand.txt bench_base.txt",
	         "crosscheck/reference/benchstat_cand_base.txt"},
	        {"crosscheck", "bench_cand.txt", "crosscheck/reference/benchstat_cand_only.txt"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int st;
		size_t len;
		char *out = run_in_fixtures(cases[i][0], cases[i][1], &st);
		char *want = (char *)pf_test_read_fixture(cases[i][2], &len);
		ck_assert_int_eq(st, 0);
		ck_assert_msg(strlen(out) == len && memcmp(out, want, len) == 0,
		              "%s differs from %s", cases[i][1], cases[i][2]);
		free(out);
		free(want);
	}
}
END_TEST

START_TEST(cli_json)
{
	int st;
	json_error_t jerr;
	char *out = run_in_fixtures(".", "--json bench_base_count3.txt bench_cand_count3.txt", &st);
	ck_assert_int_eq(st, 0);
	json_t *j = json_loads(out, 0, &jerr);
	ck_assert_msg(j != NULL, "%s", jerr.text);
	/* the comparison's rows, of which reference_csv checks the numbers */
	struct pf_arena a;
	pf_arena_init(&a, 0);
	struct pf_bench_cmp *cmp = ref_cmp(&a, &refs[3]);
	ck_assert_uint_eq(json_array_size(j), cmp->nrows);
	json_t *r = json_array_get(j, 0);
	ck_assert_str_eq(json_string_value(json_object_get(r, "name")), cmp->rows[0].name);
	/* 3 runs a side: no time change can be significant, nor a CI made */
	ck_assert(json_is_true(json_object_get(r, "insufficient_samples")));
	ck_assert(json_is_false(json_object_get(r, "significant")));
	ck_assert(json_is_null(json_object_get(json_object_get(r, "base"), "ci_low")));
	ck_assert_double_eq_tol(json_number_value(json_object_get(r, "p_value")),
	                        cmp->rows[0].p_value, 1e-12);
	pf_arena_free(&a);
	json_decref(j);
	free(out);
}
END_TEST

START_TEST(cli_bad_file)
{
	const char *text = "goos: linux\nBenchmarkA 10 5 ns/op\nBenchmarkA 0 5 ns/op\n";
	char *path = pf_test_write_temp(text, strlen(text), ".txt");
	char *bin = bin_abs(), cmd[4096];
	int st;
	snprintf(cmd, sizeof cmd, "'%s' benchstat '%s' 2>&1 >/dev/null", bin, path);
	char *out = pf_test_run(cmd, &st);
	ck_assert_int_eq(st, 2);
	ck_assert_ptr_nonnull(strstr(out, "line 3:"));
	ck_assert_ptr_nonnull(strstr(out, "iteration count must be positive"));
	free(out);
	snprintf(cmd, sizeof cmd, "'%s' benchstat /nonexistent/x.txt 2>&1", bin);
	out = pf_test_run(cmd, &st);
	ck_assert_int_eq(st, 2);
	free(out);
	snprintf(cmd, sizeof cmd, "'%s' benchstat 2>&1", bin);
	out = pf_test_run(cmd, &st);
	ck_assert_int_eq(st, 2);
	free(out);
	unlink(path);
	free(path);
	free(bin);
}
END_TEST

static Suite *bench_suite(void)
{
	Suite *s = suite_create("bench");
	TCase *tc = tcase_create("reference");
	tcase_add_loop_test(tc, reference_csv, 0, NREFS);
	tcase_add_loop_test(tc, reference_text, 0, NREFS);
	tcase_add_loop_test(tc, reference_pair_json, 0, NREFS);
	tcase_add_test(tc, json_shape);
	suite_add_tcase(s, tc);
	tc = tcase_create("edges");
	tcase_add_test(tc, edge_identical);
	tcase_add_test(tc, edge_one_vs_one);
	tcase_add_test(tc, edge_three_vs_three_and_five);
	tcase_add_test(tc, edge_four_vs_four_and_ties);
	tcase_add_test(tc, edge_zero_medians_no_geomean);
	tcase_add_test(tc, edge_higher_is_better);
	tcase_add_test(tc, merge_concatenates_samples);
	suite_add_tcase(s, tc);
	tc = tcase_create("cli");
	tcase_add_test(tc, cli_text_equals_benchstat);
	tcase_add_test(tc, cli_json);
	tcase_add_test(tc, cli_bad_file);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return pft_run_suite(bench_suite());
}
