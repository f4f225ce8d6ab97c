/* test_pprof_ref.c: every `go tool pprof -top` reference output in
 * tests/fixtures/reference/ (*.top.*.txt, diff_*.top.*.txt, with the
 * -relative_percentages and -normalize variants) against perfgate's
 * function tables: the rows are parsed from the reference and compared
 * one by one (name and inline label, flat and cum equal at the printed
 * precision, flat% and cum% within 0.01 points, the total), and then the
 * whole rendered text must be byte-identical. */
#include <check.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "functab.h"
#include "pprof.h"
#include "pprof_text.h"
#include "testutil.h"
#include "pftest_run.h"

struct refrow {
	char flat[64], flat_pct[16], cum[64], cum_pct[16];
	char name[512]; /* with the inline label */
};

struct ref {
	char total[64];
	size_t n;
	struct refrow rows[1024];
};

/* Parse rows and the total from a reference report. */
static void parse_ref(const char *text, struct ref *r)
{
	const char *p = text;
	bool in_rows = false;
	r->n = 0;
	r->total[0] = '\0';
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char line[1024];
		ck_assert_uint_lt(len, sizeof line);
		memcpy(line, p, len);
		line[len] = '\0';
		p += len + (nl ? 1 : 0);
		const char *of = strstr(line, " of ");
		if (strncmp(line, "Showing nodes accounting for", 28) == 0 && of) {
			ck_assert_int_eq(sscanf(of, " of %63s total", r->total), 1);
			continue;
		}
		if (strncmp(line, "      flat  flat%", 17) == 0) {
			in_rows = true;
			continue;
		}
		if (!in_rows)
			continue;
		struct refrow *row = &r->rows[r->n++];
		ck_assert_uint_lt(r->n, sizeof r->rows / sizeof r->rows[0]);
		char sum[16];
		int off = 0;
		ck_assert_int_eq(sscanf(line, "%63s %15s %15s %63s %15s %n", row->flat,
		                        row->flat_pct, sum, row->cum, row->cum_pct, &off),
		                 5);
		snprintf(row->name, sizeof row->name, "%s", line + off);
	}
}

static double pct_of(const char *s)
{
	return strtod(s, NULL);
}

static struct pf_profile *load(const char *name, struct pf_arena *a)
{
	char fx[128];
	size_t len;
	struct pf_profile *p;
	struct pf_err err;
	snprintf(fx, sizeof fx, "%s.pb.gz", name);
	uint8_t *data = pf_test_read_fixture(fx, &len);
	enum pf_code rc = pf_pprof_decode(data, len, NULL, a, &p, &err);
	free(data);
	ck_assert_msg(rc == PF_OK, "%s: %s", fx, err.msg);
	return p;
}

/* Compare one reference file; returns the number of rows checked. */
static size_t check_file(const char *file)
{
	char stem[128], rest[128], prof[128], si[128], opt[128] = "";
	struct pf_arena a;
	struct pf_err err;
	struct pf_functab *t;
	struct pf_pprof_header h;
	struct pf_functab_opts o = pf_functab_opts_all();
	const char *unit = NULL;
	char filter[128];

	snprintf(stem, sizeof stem, "%s", file);
	*strstr(stem, ".top.") = '\0';
	snprintf(rest, sizeof rest, "%s", strstr(file, ".top.") + 5);
	*strstr(rest, ".txt") = '\0';
	char *dot = strchr(rest, '.');
	if (dot) {
		*dot = '\0';
		snprintf(opt, sizeof opt, "%s", dot + 1);
	}
	snprintf(si, sizeof si, "%s", rest);
	snprintf(prof, sizeof prof, "%s", stem);
	pf_arena_init(&a, 0);

	if (strcmp(si, "default") == 0)
		o = pf_functab_opts_pprof();
	else if (strcmp(si, "cpu") == 0)
		unit = "ns";
	else if (strcmp(si, "alloc_space") == 0 || strcmp(si, "inuse_space") == 0)
		unit = "B";
	if (strcmp(opt, "cumsort") == 0)
		o.cum_sort = true;
	if (strcmp(opt, "noinlines") == 0)
		o.no_inlines = true;
	if (strcmp(opt, "normalize") == 0)
		o.normalize = true;
	filter[0] = '\0';
	if (strncmp(opt, "endpoint_", 9) == 0) {
		/* endpoint_E or endpoint_E.relative (-relative_percentages) */
		char *rel = strstr(opt, ".relative");
		if (rel) {
			*rel = '\0';
			o.relative = true;
		}
		o.focus_key = "endpoint";
		snprintf(filter, sizeof filter, "/%s", opt + 9);
		o.focus_value = filter;
	}

	if (strncmp(prof, "diff_", 5) == 0) {
		char bn[64], cn[64];
		const char *pair = prof + 5;
		if (strcmp(pair, "cpu_noise") == 0 || strcmp(pair, "heap_noise") == 0) {
			snprintf(bn, sizeof bn, "%.*s_noise1", (int)(strchr(pair, '_') - pair),
			         pair);
			snprintf(cn, sizeof cn, "%.*s_noise2", (int)(strchr(pair, '_') - pair),
			         pair);
		} else {
			snprintf(bn, sizeof bn, "%.*s_base", (int)(strchr(pair, '_') - pair), pair);
			snprintf(cn, sizeof cn, "%.*s_cand", (int)(strchr(pair, '_') - pair), pair);
		}
		struct pf_profile *b = load(bn, &a), *c = load(cn, &a);
		int bi = pf_pprof_sample_index(b, si, &err),
		    ci = pf_pprof_sample_index(c, si, &err);
		ck_assert_int_ge(bi, 0);
		ck_assert_int_ge(ci, 0);
		ck_assert_msg(pf_functab_build_diff(b, bi, c, ci, &o, &a, &t, &err) == PF_OK, "%s",
		              err.msg);
		pf_pprof_header_diff(b, c, c->types[ci].type, &h);
	} else {
		struct pf_profile *p = load(prof, &a);
		int idx = pf_pprof_sample_index(p, strcmp(si, "default") ? si : NULL, &err);
		ck_assert_int_ge(idx, 0);
		ck_assert_msg(pf_functab_build(p, idx, &o, &a, &t, &err) == PF_OK, "%s", err.msg);
		pf_pprof_header_of(p, p->types[idx].type, &h);
	}
	char fbuf[160];
	if (o.focus_key) {
		snprintf(fbuf, sizeof fbuf, "tagfocus=%s=%s", o.focus_key, o.focus_value);
		h.filter = fbuf;
	}

	char path[256];
	size_t len;
	snprintf(path, sizeof path, "reference/%s", file);
	char *text = (char *)pf_test_read_fixture(path, &len);
	struct ref *r = malloc(sizeof *r);
	parse_ref(text, r);

	/* row by row */
	ck_assert_msg(r->n == t->n_rows, "%s: %zu rows, reference %zu", file, t->n_rows, r->n);
	struct pf_buf out;
	pf_buf_init(&out, 0);
	ck_assert_int_eq(pf_pprof_text(&h, t, unit, &out), PF_OK);
	struct ref *mine = malloc(sizeof *mine);
	parse_ref(out.data, mine);
	ck_assert_str_eq(mine->total, r->total);
	for (size_t i = 0; i < r->n; i++) {
		const struct pf_functab_row *row = &t->rows[i];
		char name[600];
		snprintf(name, sizeof name, "%s%s", row->name, pf_functab_inline_label(row->inl));
		ck_assert_msg(strcmp(name, r->rows[i].name) == 0, "%s row %zu: %s vs %s", file, i,
		              name, r->rows[i].name);
		ck_assert_msg(strcmp(mine->rows[i].flat, r->rows[i].flat) == 0,
		              "%s %s flat %s vs %s", file, name, mine->rows[i].flat,
		              r->rows[i].flat);
		ck_assert_msg(strcmp(mine->rows[i].cum, r->rows[i].cum) == 0, "%s %s cum %s vs %s",
		              file, name, mine->rows[i].cum, r->rows[i].cum);
		double fp = fabs(100.0 * (double)row->flat / (double)t->total);
		double cp = fabs(100.0 * (double)row->cum / (double)t->total);
		ck_assert_msg(fabs(fp - pct_of(r->rows[i].flat_pct)) <= 0.01 ||
		                      pct_of(r->rows[i].flat_pct) == 100.0,
		              "%s %s flat%% %f vs %s", file, name, fp, r->rows[i].flat_pct);
		ck_assert_msg(
		        fabs(cp - pct_of(r->rows[i].cum_pct)) <= 0.01 ||
		                (pct_of(r->rows[i].cum_pct) == 100.0 && fabs(cp - 100) < 0.05),
		        "%s %s cum%% %f vs %s", file, name, cp, r->rows[i].cum_pct);
	}
	/* and the whole report, byte for byte */
	ck_assert_msg(strcmp(out.data, text) == 0, "%s: text differs:\n%s", file, out.data);
	size_t n = r->n;
	free(mine);
	free(r);
	free(text);
	pf_buf_free(&out);
	pf_arena_free(&a);
	return n;
}

static bool wanted(const char *f)
{
	return strstr(f, ".top.") && strstr(f, ".txt");
}

START_TEST(every_reference_top_file)
{
	char *dir = pf_test_fixture_path("reference");
	DIR *d = opendir(dir);
	ck_assert_ptr_nonnull(d);
	struct dirent *e;
	size_t files = 0, rows = 0;
	setenv("TZ", "UTC", 1);
	while ((e = readdir(d)) != NULL) {
		if (!wanted(e->d_name))
			continue;
		rows += check_file(e->d_name);
		files++;
	}
	closedir(d);
	free(dir);
	fprintf(stderr, "test_pprof_ref: %zu reference files, %zu rows compared\n", files, rows);
	ck_assert_uint_ge(files, 60);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("pprof_ref");
	TCase *tc = tcase_create("reference");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, every_reference_top_file);
	suite_add_tcase(s, tc);
	return pft_run_suite(s);
}
