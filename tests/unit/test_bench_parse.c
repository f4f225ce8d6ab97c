/* test_bench_parse.c: the Go benchmark format reader: grouping into
 * configurations and series, unit tidying, the lines it ignores or skips
 * (asserted), and the malformed-input catalogue: each bad input is an error
 * whose message names its line. */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arena.h"
#include "bench.h"
#include "pftest_run.h"

static enum pf_code parse(struct pf_arena *a, const char *text, size_t len,
                          const struct pf_bench_limits *lim, struct pf_benchset **out,
                          struct pf_err *e)
{
	memset(e, 0, sizeof *e);
	return pf_bench_parse(text, len, lim, a, out, e);
}

static const struct pf_bench_series *series(const struct pf_benchset *s, const char *name,
                                            const char *unit)
{
	for (size_t i = 0; i < s->nseries; i++)
		if (strcmp(s->series[i].name, name) == 0 && strcmp(s->series[i].unit, unit) == 0)
			return &s->series[i];
	return NULL;
}

START_TEST(parses_go_test_output)
{
	static const char text[] =
	        "goos: linux\n"
	        "goarch: amd64\n"
	        "pkg: example.com/x\n"
	        "cpu: Some CPU @ 2.0GHz  \n"
	        "BenchmarkEncode/format=json-48\t  100000\t      1718 ns/op\t  61.87 MB/s\t  96 "
	        "B/op\t"
	        "   2 allocs/op\n"
	        "BenchmarkEncode/format=json-48\t  100000\t      1720 ns/op\t  61.80 MB/s\t  96 "
	        "B/op\t"
	        "   2 allocs/op\n"
	        "BenchmarkWalk\n" /* go test -v announcing a benchmark: skipped */
	        "BenchmarkWalk   \t 5000\t 195.2 ns/op\t 63.00 nodes/op\t 12 L1-miss-ns/op\r\n"
	        "--- BENCH: BenchmarkWalk\n"
	        "    walk_test.go:12: some log\n"
	        "Note: capitalised, ignored\n"
	        "key:value-without-space is ignored\n"
	        "PASS\n"
	        "ok  \texample.com/x\t1.234s\n";
	struct pf_arena a;
	struct pf_benchset *s;
	struct pf_err e;
	pf_arena_init(&a, 0);
	ck_assert_int_eq(parse(&a, text, sizeof text - 1, NULL, &s, &e), PF_OK);
	ck_assert_uint_eq(s->nresults, 3);
	ck_assert_uint_eq(s->nconfigs, 1);
	ck_assert_uint_eq(s->configs[0].n, 4);
	ck_assert_str_eq(s->configs[0].keys[3], "cpu");
	ck_assert_str_eq(s->configs[0].values[3], "Some CPU @ 2.0GHz  "); /* not trimmed */
	ck_assert_uint_eq(s->nbenchmarks, 2);
	const struct pf_bench_series *t = series(s, "Encode/format=json-48", "sec/op");
	ck_assert_ptr_nonnull(t);
	ck_assert_uint_eq(t->n, 2);
	ck_assert_double_eq(t->values[0], 1718 * 1e-9);
	ck_assert_int_eq(t->better, PF_BENCH_LOWER);
	const struct pf_bench_series *bs = series(s, "Encode/format=json-48", "B/s");
	ck_assert_ptr_nonnull(bs);
	ck_assert_double_eq(bs->values[1], 61.80 * 1e6);
	ck_assert_int_eq(bs->better, PF_BENCH_HIGHER);
	ck_assert_ptr_nonnull(series(s, "Encode/format=json-48", "B/op"));
	ck_assert_ptr_nonnull(series(s, "Encode/format=json-48", "allocs/op"));
	ck_assert_ptr_nonnull(series(s, "Walk", "nodes/op"));
	const struct pf_bench_series *l1 = series(s, "Walk", "L1-miss-sec/op");
	ck_assert_ptr_nonnull(l1);
	ck_assert_double_eq(l1->values[0], 12 * (1 / 1e9)); /* value x factor, as Go */
	ck_assert_uint_eq(l1->line, 8);
	pf_arena_free(&a);
}
END_TEST

START_TEST(concatenated_outputs_are_one_configuration)
{
	static const char text[] = "goos: linux\npkg: p\nBenchmarkA 10 5 ns/op\nPASS\nok p 1s\n"
	                           "goos: linux\npkg: p\nBenchmarkA 10 6 ns/op\nPASS\nok p 1s\n";
	struct pf_arena a;
	struct pf_benchset *s;
	struct pf_err e;
	pf_arena_init(&a, 0);
	ck_assert_int_eq(parse(&a, text, sizeof text - 1, NULL, &s, &e), PF_OK);
	ck_assert_uint_eq(s->nconfigs, 1);
	ck_assert_uint_eq(s->nseries, 1);
	ck_assert_uint_eq(s->series[0].n, 2);
	pf_arena_free(&a);
}
END_TEST

/* Documented: a repeated key with another value wins for what follows (as
 * in benchfmt), so the results split into two configurations; `key:`
 * deletes a key. */
START_TEST(duplicate_config_key_later_wins)
{
	static const char text[] = "pkg: a\npkg: b\nBenchmarkA 10 5 ns/op\n"
	                           "pkg: c\nBenchmarkA 10 6 ns/op\n"
	                           "pkg:\nBenchmarkA 10 7 ns/op\n";
	struct pf_arena a;
	struct pf_benchset *s;
	struct pf_bench_cmp *cmp;
	struct pf_err e;
	pf_arena_init(&a, 0);
	ck_assert_int_eq(parse(&a, text, sizeof text - 1, NULL, &s, &e), PF_OK);
	ck_assert_uint_eq(s->nconfigs, 3);
	ck_assert_str_eq(s->configs[0].values[0], "b");
	ck_assert_str_eq(s->configs[1].values[0], "c");
	ck_assert_uint_eq(s->configs[2].n, 0);
	ck_assert_uint_eq(s->nseries, 3);
	ck_assert_int_eq(pf_bench_compare(s, NULL, NULL, &a, &cmp, &e), PF_OK);
	ck_assert_uint_eq(cmp->ntables, 3);
	pf_arena_free(&a);
}
END_TEST

/* Found by fuzz_bench: a header line repeated before the first result must
 * not mark a configuration as known that was never recorded. */
START_TEST(repeated_header_before_first_result)
{
	static const char text[] = "goos: linux\ngoarch: amd64\ngoarch: amd64\n"
	                           "BenchmarkA 10 5 ns/op\n";
	struct pf_arena a;
	struct pf_benchset *s;
	struct pf_bench_cmp *cmp;
	struct pf_err e;
	pf_arena_init(&a, 0);
	ck_assert_int_eq(parse(&a, text, sizeof text - 1, NULL, &s, &e), PF_OK);
	ck_assert_uint_eq(s->nconfigs, 1);
	ck_assert_uint_eq(s->configs[0].n, 2);
	ck_assert_uint_eq(s->series[0].config, 0);
	ck_assert_int_eq(pf_bench_compare(s, NULL, NULL, &a, &cmp, &e), PF_OK);
	ck_assert_uint_eq(cmp->nconfigs, 1);
	pf_arena_free(&a);
}
END_TEST

START_TEST(unit_metadata_sets_direction)
{
	static const char text[] = "Unit widgets/op better=higher\n"
	                           "Unit ns/op assume=nothing\n"
	                           "BenchmarkA 10 5 ns/op 7 widgets/op\n";
	struct pf_arena a;
	struct pf_benchset *s;
	struct pf_err e;
	pf_arena_init(&a, 0);
	ck_assert_int_eq(parse(&a, text, sizeof text - 1, NULL, &s, &e), PF_OK);
	ck_assert_int_eq(series(s, "A", "widgets/op")->better, PF_BENCH_HIGHER);
	ck_assert_int_eq(series(s, "A", "sec/op")->better, PF_BENCH_LOWER);
	ck_assert_uint_eq(s->nmeta, 2);
	ck_assert_str_eq(s->meta[1].unit, "sec/op"); /* keyed by the tidied unit */
	pf_arena_free(&a);
}
END_TEST

START_TEST(unit_tidy)
{
	char u[64];
	ck_assert_double_eq(pf_bench_unit_tidy("ns/op", u, sizeof u), 1e-9);
	ck_assert_str_eq(u, "sec/op");
	ck_assert_double_eq(pf_bench_unit_tidy("MB/s", u, sizeof u), 1e6);
	ck_assert_str_eq(u, "B/s");
	ck_assert_double_eq(pf_bench_unit_tidy("ns/GC", u, sizeof u), 1 / 1e9);
	ck_assert_str_eq(u, "sec/GC");
	ck_assert_double_eq(pf_bench_unit_tidy("B/ns", u, sizeof u), 1);
	ck_assert_str_eq(u, "B/ns");
	ck_assert_double_eq(pf_bench_unit_tidy("MB*ns/op", u, sizeof u), 1e6 / 1e9);
	ck_assert_str_eq(u, "B*sec/op");
	ck_assert_double_eq(pf_bench_unit_tidy("nodes/op", u, sizeof u), 1);
	ck_assert_str_eq(u, "nodes/op");
	ck_assert(pf_bench_unit_binary("B/s"));
	ck_assert(pf_bench_unit_binary("bytes/op"));
	ck_assert(!pf_bench_unit_binary("op/B"));
	ck_assert(!pf_bench_unit_binary("sec/op"));
}
END_TEST

/* ---- the malformed-input catalogue ---- */

struct bad {
	const char *what;
	const char *text;
	size_t len; /* 0: strlen */
	enum pf_code code;
	const char *msg; /* substring of the error message */
};

static const struct bad bads[] = {
        {"binary junk (gzip header)", "goos: linux\n\x1f\x8b\x08\x00\x00\x00\x00junk\n", 24,
         PF_E_BAD_BENCH, "line 2: binary data"},
        {"binary junk without results", "\x89PNG\r\n\x1a\nIHDR\xff\xfe", 0, PF_E_EMPTY,
         "no benchmark results"},
        {"NaN value", "goos: linux\nBenchmarkA 10 NaN ns/op\n", 0, PF_E_BAD_BENCH,
         "line 2: value is not finite"},
        {"Inf value", "BenchmarkA 10 5 ns/op\nBenchmarkA 10 +Inf ns/op\n", 0, PF_E_BAD_BENCH,
         "line 2: value is not finite"},
        {"overflowing value", "BenchmarkA 10 1e400 ns/op\n", 0, PF_E_BAD_BENCH,
         "line 1: value is not finite"},
        {"missing unit", "\n\nBenchmarkA 10 5.0\n", 0, PF_E_BAD_BENCH,
         "line 3: missing unit after value"},
        {"odd number of value/unit fields", "BenchmarkA 10 5 ns/op 7\n", 0, PF_E_BAD_BENCH,
         "line 1: missing unit after value: \"7\""},
        {"no measurements", "BenchmarkA 10\n", 0, PF_E_BAD_BENCH, "line 1: missing measurements"},
        {"zero iterations", "PASS\nBenchmarkA 0 5 ns/op\n", 0, PF_E_BAD_BENCH,
         "line 2: iteration count must be positive"},
        {"negative iterations", "BenchmarkA -3 5 ns/op\n", 0, PF_E_BAD_BENCH,
         "line 1: iteration count must be positive"},
        {"unparseable iterations", "BenchmarkA 1e3 5 ns/op\n", 0, PF_E_BAD_BENCH,
         "line 1: iteration count is not an integer"},
        {"overflowing iterations", "BenchmarkA 99999999999999999999 5 ns/op\n", 0, PF_E_BAD_BENCH,
         "line 1: iteration count is not an integer"},
        {"unparseable value", "BenchmarkA 10 5.0.1 ns/op\n", 0, PF_E_BAD_BENCH,
         "line 1: value is not a number: \"5.0.1\""},
        {"benchmark name with spaces", "goos: linux\nBenchmarkFoo Bar 10 5 ns/op\n", 0,
         PF_E_BAD_BENCH, "line 2: iteration count is not an integer: \"Bar\""},
        {"empty benchmark name", "Benchmark 10 5 ns/op\n", 0, PF_E_BAD_BENCH,
         "line 1: benchmark name is empty"},
        {"invalid UTF-8 name", "BenchmarkA\xc3\x28 10 5 ns/op\n", 0, PF_E_BAD_BENCH,
         "line 1: benchmark name is not valid UTF-8"},
        {"no results at all", "goos: linux\npkg: x\nPASS\nok  \tx\t0.1s\n", 0, PF_E_EMPTY,
         "no benchmark results"},
        {"only -v announcements", "BenchmarkA\nBenchmarkB\n", 0, PF_E_EMPTY,
         "no benchmark results"},
        {"empty input", "", 0, PF_E_EMPTY, "no benchmark results"},
        {"conflicting unit metadata", "Unit x/op better=higher\nUnit x/op better=lower\n", 0,
         PF_E_BAD_BENCH, "line 2: metadata better of unit x/op already set to higher"},
        {"unit line without key=value", "Unit x/op higher\n", 0, PF_E_BAD_BENCH,
         "line 1: Unit line: expected key=value"},
};

START_TEST(malformed_catalogue)
{
	const struct bad *b = &bads[_i];
	struct pf_arena a;
	struct pf_benchset *s = (struct pf_benchset *)1;
	struct pf_err e;
	pf_arena_init(&a, 0);
	size_t len = b->len ? b->len : strlen(b->text);
	enum pf_code c = parse(&a, b->text, len, NULL, &s, &e);
	ck_assert_msg(c == b->code, "%s: code %d (%s), want %d", b->what, c, e.msg, b->code);
	ck_assert_msg(strstr(e.msg, b->msg) != NULL, "%s: message \"%s\" lacks \"%s\"", b->what,
	              e.msg, b->msg);
	ck_assert_ptr_null(s);
	pf_arena_free(&a);
}
END_TEST

START_TEST(limits)
{
	struct pf_bench_limits lim;
	struct pf_arena a;
	struct pf_benchset *s;
	struct pf_err e;
	pf_arena_init(&a, 0);

	pf_bench_limits_default(&lim);
	lim.max_benchmarks = 2;
	static const char three[] = "BenchmarkA 1 1 ns/op\nBenchmarkB 1 1 ns/op 2 B/op\n"
	                            "BenchmarkA 1 1 ns/op\nBenchmarkC 1 1 ns/op\n";
	ck_assert_int_eq(parse(&a, three, sizeof three - 1, &lim, &s, &e), PF_E_LIMIT);
	ck_assert_ptr_nonnull(strstr(e.msg, "line 4: more than 2 benchmarks"));

	pf_bench_limits_default(&lim);
	lim.max_runs = 2;
	static const char runs[] = "BenchmarkA 1 1 ns/op\nBenchmarkA 1 1 ns/op\n"
	                           "BenchmarkA 1 1 ns/op\n";
	ck_assert_int_eq(parse(&a, runs, sizeof runs - 1, &lim, &s, &e), PF_E_LIMIT);
	ck_assert_ptr_nonnull(strstr(e.msg, "line 3: more than 2 runs of A (sec/op)"));

	pf_bench_limits_default(&lim);
	lim.max_units = 2;
	static const char units[] = "BenchmarkA 1 1 ns/op 2 B/op 3 allocs/op\n";
	ck_assert_int_eq(parse(&a, units, sizeof units - 1, &lim, &s, &e), PF_E_LIMIT);
	ck_assert_ptr_nonnull(strstr(e.msg, "line 1: more than 2 value/unit pairs"));

	pf_bench_limits_default(&lim);
	lim.max_bytes = 10;
	ck_assert_int_eq(parse(&a, three, sizeof three - 1, &lim, &s, &e), PF_E_TOO_LARGE);

	pf_bench_limits_default(&lim);
	lim.max_line = 24;
	ck_assert_int_eq(parse(&a, three, sizeof three - 1, &lim, &s, &e), PF_E_LIMIT);
	ck_assert_ptr_nonnull(strstr(e.msg, "line 2: longer than the limit of 24 bytes"));
	pf_arena_free(&a);
}
END_TEST

/* A 100 MB line: rejected at the line-length limit after scanning only
 * max_line + 2 bytes of it (the input is never copied). */
START_TEST(hundred_mb_line)
{
	const size_t big = (size_t)100 * 1024 * 1024;
	static const char head[] = "goos: linux\nBenchmarkA 1 1 ns/op\n";
	char *text = malloc(sizeof head - 1 + big);
	struct pf_bench_limits lim;
	struct pf_arena a;
	struct pf_benchset *s;
	struct pf_err e;
	ck_assert_ptr_nonnull(text);
	memcpy(text, head, sizeof head - 1);
	memset(text + sizeof head - 1, 'x', big);
	pf_arena_init(&a, 0);
	pf_bench_limits_default(&lim);
	lim.max_bytes = 2 * big;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_int_eq(parse(&a, text, sizeof head - 1 + big, &lim, &s, &e), PF_E_LIMIT);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ck_assert_ptr_nonnull(strstr(e.msg, "line 3: longer than the limit of 65536 bytes"));
	double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	ck_assert_msg(ms < 500, "took %.1f ms", ms);
	ck_assert_uint_lt(a.reserved, (size_t)4 * 1024 * 1024); /* nothing copied */
	/* with the default limits the size alone rejects it */
	ck_assert_int_eq(parse(&a, text, sizeof head - 1 + big, NULL, &s, &e), PF_E_TOO_LARGE);
	pf_arena_free(&a);
	free(text);
}
END_TEST

START_TEST(arena_ceiling_is_nomem)
{
	struct pf_arena a;
	struct pf_benchset *s;
	struct pf_err e;
	struct pf_bench_limits lim;
	char *text = malloc(200000);
	size_t o = 0;
	for (int i = 0; i < 5000; i++)
		o += (size_t)snprintf(text + o, 200000 - o, "BenchmarkN%d 1 1 ns/op\n", i);
	pf_bench_limits_default(&lim);
	pf_arena_init(&a, 64 * 1024);
	ck_assert_int_eq(parse(&a, text, o, &lim, &s, &e), PF_E_NOMEM);
	pf_arena_free(&a);
	free(text);
}
END_TEST

static Suite *parse_suite(void)
{
	Suite *s = suite_create("bench_parse");
	TCase *tc = tcase_create("format");
	tcase_add_test(tc, parses_go_test_output);
	tcase_add_test(tc, concatenated_outputs_are_one_configuration);
	tcase_add_test(tc, duplicate_config_key_later_wins);
	tcase_add_test(tc, repeated_header_before_first_result);
	tcase_add_test(tc, unit_metadata_sets_direction);
	tcase_add_test(tc, unit_tidy);
	suite_add_tcase(s, tc);
	tc = tcase_create("malformed");
	tcase_add_loop_test(tc, malformed_catalogue, 0, (int)(sizeof bads / sizeof bads[0]));
	tcase_add_test(tc, limits);
	tcase_add_test(tc, hundred_mb_line);
	tcase_add_test(tc, arena_ceiling_is_nomem);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return pft_run_suite(parse_suite());
}
