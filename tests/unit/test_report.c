/* test_report.c: the renderings of a report: markdown PR comment (marker,
 * table rows with equal cell counts, the 65 536-byte limit with "… and N
 * more") and JUnit XML (parsed by xmllint, names with <, &, quotes and
 * control characters); the report JSON against docs/report.schema.json;
 * the jq step CI scripts already run. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "gate_test.h"
#include "pftest_run.h"

#define NASTY "main.(*T).<script>&\"q\"'s|pipe`tick`\x01\nnl"

/* The fixture pair's report (ENABLE=true): every gate kind violated. */
static json_t *fixture_report(void)
{
	struct pf_arena a;
	struct pf_err e;
	struct pf_gate_outcome o;
	pf_arena_init(&a, 0);
	struct pf_gate_input in = {.has_baseline = true,
	                           .base_cpu = gt_profile(&a, "cpu_base.pb.gz", false),
	                           .cand_cpu = gt_profile(&a, "cpu_cand.pb.gz", false),
	                           .base_heap = gt_profile(&a, "heap_base.pb.gz", true),
	                           .cand_heap = gt_profile(&a, "heap_cand.pb.gz", true),
	                           .base_bench = gt_bench(&a, "bench_base.txt"),
	                           .cand_bench = gt_bench(&a, "bench_cand.txt")};
	const int64_t runs[] = {7, 9};
	const char *const commits[] = {"aaaa", "bbbb"};
	struct pf_report_meta meta = {.run_id = 12,
	                              .project = "ledger",
	                              .branch = "feature-x",
	                              .commit = "c0ffee",
	                              .base_branch = "main",
	                              .baseline_runs = runs,
	                              .baseline_commits = commits,
	                              .n_baseline = 2};
	struct pf_policy pol = gt_policy("AI_GATE_ENABLE", "true", NULL);
	ck_assert_msg(pf_gate_evaluate(&in, &pol, &meta, &a, &o, &e) == PF_OK, "%s", e.msg);
	pf_arena_free(&a);
	return o.report;
}

/* A report whose names hold markdown and XML metacharacters. */
static json_t *nasty_report(void)
{
	struct pf_arena a;
	struct pf_err e;
	struct pf_gate_outcome o;
	pf_arena_init(&a, 0);
	struct pf_functab *t[2];
	for (int s = 0; s < 2; s++) {
		t[s] = pf_arena_calloc(&a, 1, sizeof *t[s]);
		t[s]->sample_index = "cpu";
		t[s]->unit = "nanoseconds";
		t[s]->total = t[s]->total_samples = 1000000;
		t[s]->n_rows = 2;
		t[s]->rows = pf_arena_calloc(&a, 2, sizeof *t[s]->rows);
		t[s]->rows[0] = (struct pf_functab_row){
		        NASTY, 0, s ? 300000 : 10000, 0, s ? 300000 : 10000, 0};
		t[s]->rows[1] = (struct pf_functab_row){
		        "rest", 0, s ? 700000 : 990000, 0, s ? 700000 : 990000, 0};
	}
	const char *bb = "BenchmarkA<&>\"x\" 1 100 ns/op\nBenchmarkA<&>\"x\" 1 101 ns/op\n"
	                 "BenchmarkA<&>\"x\" 1 102 ns/op\n",
	           *bc = "BenchmarkA<&>\"x\" 1 200 ns/op\nBenchmarkA<&>\"x\" 1 201 ns/op\n"
	                 "BenchmarkA<&>\"x\" 1 202 ns/op\n";
	struct pf_gate_input in = {.has_baseline = true,
	                           .base_cpu = t[0],
	                           .cand_cpu = t[1],
	                           .base_bench = gt_bench_text(&a, bb),
	                           .cand_bench = gt_bench_text(&a, bc)};
	struct pf_report_meta meta = {.project = "p<&>\"'", .branch = "b--> x", .base_branch = "m"};
	struct pf_policy pol = gt_policy("AI_GATE_ENABLE", "true", NULL);
	ck_assert_msg(pf_gate_evaluate(&in, &pol, &meta, &a, &o, &e) == PF_OK, "%s", e.msg);
	pf_arena_free(&a);
	return o.report;
}

/* Unescaped '|' in a line. */
static int cells(const char *line, size_t len)
{
	int n = 0;
	for (size_t i = 0; i < len; i++) {
		if (line[i] == '\\') {
			i++;
			continue;
		}
		n += line[i] == '|';
	}
	return n;
}

/* Every table (consecutive lines starting with '|') has rows of equal
 * cell counts, a delimiter row second; no line holds a raw newline in a
 * cell (by construction). Returns the number of tables. */
static int check_tables(const char *md)
{
	int tables = 0, want = -1, row = 0;
	for (const char *l = md; *l;) {
		const char *e = strchr(l, '\n');
		size_t len = e ? (size_t)(e - l) : strlen(l);
		if (len && l[0] == '|') {
			int c = cells(l, len);
			if (row == 0) {
				want = c;
				tables++;
			} else {
				ck_assert_msg(c == want, "row has %d cells, header %d: %.*s", c,
				              want, (int)len, l);
			}
			if (row == 1)
				ck_assert_msg(strncmp(l, "| --- |", 7) == 0, "%.*s", (int)len, l);
			row++;
		} else {
			row = 0;
		}
		l += len + (e ? 1 : 0);
	}
	return tables;
}

START_TEST(markdown_fixture)
{
	json_t *r = fixture_report();
	char *md = pf_report_markdown(r, 65536), want[1024];
	ck_assert_ptr_nonnull(md);
	ck_assert_msg(strncmp(md, "<!-- perfgate:ledger/feature-x -->\n", 35) == 0, "%s", md);
	ck_assert_str_eq(json_string_value(json_object_get(r, "verdict")), "fail");
	ck_assert(strstr(md, "### perfgate: ❌ **fail**"));
	ck_assert_int_eq(check_tables(md), 2); /* gates, benchmarks */
	/* what the report holds, rendered: every CPU hotspot with its
	 * numbers, the soft gate, the slow benchmarks, the list sizes */
	size_t i;
	json_t *v;
	snprintf(want, sizeof want, "| cpu_hotspot | hard | ❌ fail | 8 | ");
	ck_assert_msg(strstr(md, want), "%s", want);
	json_array_foreach(json_object_get(gt_gate(r, "cpu_hotspot"), "violations"), i, v)
	{
		snprintf(want, sizeof want, "`%s` %.1f%% → %.1f%% (%+.1f pts)",
		         json_string_value(json_object_get(v, "function")),
		         json_number_value(json_object_get(v, "base")),
		         json_number_value(json_object_get(v, "cand")),
		         json_number_value(json_object_get(v, "delta")));
		ck_assert_msg(strstr(md, want), "%s", want);
	}
	snprintf(want, sizeof want, "| new_hotspot | soft | %s | 4 |",
	         strcmp(gt_status(r, "new_hotspot"), "warn") == 0 ? "⚠️ warn" : "✅ pass");
	ck_assert_msg(strstr(md, want), "%s", want);
	json_array_foreach(json_object_get(gt_gate(r, "bench_slowdown"), "violations"), i, v)
	{
		snprintf(want, sizeof want, "`%s`",
		         json_string_value(json_object_get(v, "benchmark")));
		ck_assert_msg(strstr(md, want), "%s", want);
	}
	ck_assert(strstr(md, "Compared with `main`, runs 7, 9."));
	ck_assert(strstr(md, "[Full report](/v1/runs/12)"));
	snprintf(want, sizeof want, "**CPU regressions** (%zu)",
	         json_array_size(json_object_get(r, "cpu_regressions")));
	ck_assert_msg(strstr(md, want), "%s", want);
	ck_assert_uint_le(strlen(md), 65536);
	free(md);
	json_decref(r);
}
END_TEST

START_TEST(markdown_nasty_and_marker)
{
	json_t *r = nasty_report();
	char *md = pf_report_markdown(r, 65536);
	const char *mk = "<!-- perfgate:p%3C%26%3E%22%27/b%2D%2D%3E%20x -->\n";
	ck_assert_msg(strncmp(md, mk, strlen(mk)) == 0, "%s", md);
	ck_assert(strstr(md, "-->") == strstr(md, " -->") + 1); /* the first --> ends the marker */
	check_tables(md);
	ck_assert(!strstr(md, "<script>") || strstr(md, "`main.(*T).<script>"));
	free(md);
	char m[64];
	ck_assert_uint_eq(pf_report_marker("shop", "main", m, sizeof m), 27);
	ck_assert_str_eq(m, "<!-- perfgate:shop/main -->");
	json_decref(r);
}
END_TEST

START_TEST(markdown_size_limit)
{
	json_t *r = fixture_report();
	json_t *reg = json_object_get(r, "cpu_regressions");
	char name[400];
	memset(name, 'f', 300);
	for (int i = 0; i < 20000; i++) {
		snprintf(name + 300, 100, "%d: 1.0%% -> 2.0%% (1.0%% regression)", i);
		json_array_append_new(reg, json_string(name));
	}
	char *md = pf_report_markdown(r, 65536);
	ck_assert_uint_le(strlen(md), 65536);
	ck_assert(strstr(md, "<!-- perfgate:ledger/feature-x -->"));
	ck_assert(strstr(md, "- … and "));
	check_tables(md);
	free(md);
	/* a summary far over the limit: cut on a line boundary */
	char *big = malloc(200000);
	memset(big, 'x', 199999);
	big[199999] = '\0';
	json_object_set_new(r, "summary", json_string(big));
	json_t *notes = json_object_get(r, "notes");
	for (int i = 0; i < 1000; i++)
		json_array_append_new(notes, json_string(big + 199000));
	md = pf_report_markdown(r, 65536);
	ck_assert_uint_le(strlen(md), 65536);
	ck_assert(strstr(md, "<!-- perfgate:ledger/feature-x -->"));
	free(md);
	md = pf_report_markdown(r, 1000);
	ck_assert_uint_le(strlen(md), 1000);
	ck_assert(strstr(md, "truncated"));
	free(md);
	free(big);
	json_decref(r);
}
END_TEST

static void xmllint_ok(const char *xml, const char *xpath_count, const char *want)
{
	char *path = pf_test_write_temp(xml, strlen(xml), ".xml");
	char cmd[1024];
	int st;
	snprintf(cmd, sizeof cmd, "xmllint --noout '%s' 2>&1", path);
	char *out = pf_test_run(cmd, &st);
	ck_assert_msg(st == 0, "xmllint: %s\n%s", out, xml);
	free(out);
	if (xpath_count) {
		snprintf(cmd, sizeof cmd, "xmllint --xpath '%s' '%s' 2>&1", xpath_count, path);
		out = pf_test_run(cmd, &st);
		size_t n = strlen(out);
		if (n && out[n - 1] == '\n') /* xmllint ends its output with one */
			out[n - 1] = '\0';
		ck_assert_msg(st == 0 && strcmp(out, want) == 0, "%s: [%s]", xpath_count, out);
		free(out);
	}
	unlink(path);
	free(path);
}

START_TEST(junit_fixture)
{
	json_t *r = fixture_report();
	char *x = pf_report_junit(r), n[32], nf[32], want[1024];
	ck_assert_ptr_nonnull(x);
	/* a test case per gate, a failure per failed gate */
	size_t i, fails = 0;
	json_t *g, *v;
	json_array_foreach(json_object_get(r, "gates"), i, g)
	{
		fails += strcmp(json_string_value(json_object_get(g, "status")), "fail") == 0;
	}
	snprintf(n, sizeof n, "%zu", json_array_size(json_object_get(r, "gates")));
	snprintf(nf, sizeof nf, "%zu", fails);
	ck_assert_uint_gt(fails, 0);
	xmllint_ok(x, "count(/testsuite/testcase)", n);
	xmllint_ok(x, "count(/testsuite/testcase/failure)", nf);
	xmllint_ok(x, "string(/testsuite/@failures)", nf);
	/* the soft gate warns in its output, naming each new hotspot */
	json_array_foreach(json_object_get(gt_gate(r, "new_hotspot"), "violations"), i, v)
	{
		snprintf(want, sizeof want,
		         "starts-with(/testsuite/testcase[@name=\"new_hotspot\"]/system-out, "
		         "\"WARNING (soft gate, does not fail the verdict): New hotspot: %s\")",
		         json_string_value(json_object_get(v, "function")));
		if (i == 0)
			xmllint_ok(x, want, "true");
		snprintf(want, sizeof want,
		         "%s: ", json_string_value(json_object_get(v, "function")));
		ck_assert(strstr(x, want));
	}
	v = json_array_get(json_object_get(gt_gate(r, "cpu_hotspot"), "violations"), 0);
	snprintf(want, sizeof want,
	         "<failure type=\"cpu_hotspot\" message=\"CPU hotspot regression: %s",
	         json_string_value(json_object_get(v, "function")));
	ck_assert_msg(strstr(x, want), "%s", want);
	free(x);
	json_decref(r);
}
END_TEST

START_TEST(junit_escaping)
{
	json_t *r = nasty_report();
	char *x = pf_report_junit(r);
	xmllint_ok(x, "string(/testsuite/@name)", "perfgate p<&>\"'/b--> x");
	xmllint_ok(x, "count(/testsuite/testcase[@name=\"cpu_hotspot\"]/failure)", "1");
	xmllint_ok(x, "count(/testsuite/testcase/skipped)", "1"); /* alloc: no heap */
	ck_assert(
	        strstr(x, "main.(*T).&lt;script&gt;&amp;&quot;q&quot;&apos;s|pipe`tick`?&#10;nl"));
	free(x);
	/* skipped and off gates, invalid UTF-8 cannot come from jansson but
	 * control characters can */
	json_t *g = json_array_get(json_object_get(r, "gates"), 0);
	json_object_set_new(g, "status", json_string("off"));
	json_object_set_new(r, "summary", json_string("bell\x07 tab\t done \xef\xbf\xbf"));
	x = pf_report_junit(r);
	xmllint_ok(x, "count(/testsuite/testcase/skipped)", "2");
	xmllint_ok(x, "string(//property[@name=\"summary\"]/@value)", "bell? tab\t done ?");
	free(x);
	json_decref(r);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("report");
	TCase *tc = tcase_create("render");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, markdown_fixture);
	tcase_add_test(tc, markdown_nasty_and_marker);
	tcase_add_test(tc, markdown_size_limit);
	tcase_add_test(tc, junit_fixture);
	tcase_add_test(tc, junit_escaping);
	suite_add_tcase(s, tc);
	return pft_run_suite(s);
}
