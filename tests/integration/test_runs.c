/* test_runs.c: the runs API end to end against a real daemon and
 * PostgreSQL: uploads of the Go-made fixtures, baselines, the report and
 * its renderings, raw profiles byte for byte, idempotency, fail_on, and a
 * catalogue of bad uploads that must store nothing. */
#include <check.h>
#include <jansson.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pftest_srv.h"
#include "testutil.h"
#include "pftest_run.h"

static char *db;
static struct pft_daemon d;
static char *tok_up, *tok_read, *tok_other, *tok_admin;
static char fx[512];

static const char *fixture(const char *name)
{
	static char path[8][600];
	static int next;
	char *p = pf_test_fixture_path(name);
	char *slot = path[next++ % 8];
	snprintf(slot, 600, "%s", p);
	free(p);
	return slot;
}

static void setup(void)
{
	db = pft_fresh_db("runs");
	ck_assert_int_eq(pft_migrate(db), 0);
	tok_up = pft_token(db, "upload", NULL);
	tok_read = pft_token(db, "read", NULL);
	tok_other = pft_token(db, "upload", "other");
	tok_admin = pft_token(db, "admin", NULL);
	ck_assert_int_eq(pft_daemon_start(&d, db, NULL, NULL), 0);
	char *p = pf_test_fixture_path("");
	snprintf(fx, sizeof fx, "%s", p);
	free(p);
}

static void teardown(void)
{
	pft_daemon_stop(&d);
}

static json_t *body_json(const struct pft_resp *r)
{
	json_error_t je;
	json_t *j = json_loads(r->body, 0, &je);
	ck_assert_msg(j != NULL, "not JSON (%ld): %.300s", r->status, r->body);
	return j;
}

static void assert_error(const struct pft_resp *r, long status, const char *code, const char *field)
{
	json_t *j = body_json(r);
	json_t *e = json_object_get(j, "error");
	ck_assert_msg(r->status == status, "status %ld, want %ld: %.300s", r->status, status,
	              r->body);
	ck_assert_ptr_nonnull(e);
	ck_assert_str_eq(json_string_value(json_object_get(e, "code")), code);
	if (field)
		ck_assert_str_eq(json_string_value(json_object_get(e, "field")), field);
	json_decref(j);
}

static char cpu_base[600], heap_base[600], bench_base[600];

static void upload_to(const char *project, const char *cpu, const char *heap, const char *bench,
                      const char *branch, const char *extra, const char *query, const char *header,
                      struct pft_resp *r)
{
	char f1[700], f2[700], f3[700], f4[300];
	const char *fields[8];
	int n = 0;
	if (cpu) {
		snprintf(f1, sizeof f1, "cpu=@%s", fixture(cpu));
		fields[n++] = f1;
	}
	if (heap) {
		snprintf(f2, sizeof f2, "heap=@%s", fixture(heap));
		fields[n++] = f2;
	}
	if (bench) {
		snprintf(f3, sizeof f3, "bench=@%s", fixture(bench));
		fields[n++] = f3;
	}
	snprintf(f4, sizeof f4, "branch=%s", branch);
	fields[n++] = f4;
	if (extra)
		fields[n++] = extra;
	fields[n++] = "commit=0123abc";
	fields[n] = NULL;
	pft_upload(d.base, project, tok_up, fields, query, header, r);
}

static void upload_fixture_files(const char *cpu, const char *heap, const char *bench,
                                 const char *branch, const char *extra, const char *query,
                                 const char *header, struct pft_resp *r)
{
	upload_to("shop", cpu, heap, bench, branch, extra, query, header, r);
}

START_TEST(upload_base_then_candidate)
{
	struct pft_resp r;
	(void)cpu_base;
	(void)heap_base;
	(void)bench_base;
	upload_fixture_files("cpu_base.pb.gz", "heap_base.pb.gz", "bench_base.txt", "main", NULL,
	                     NULL, NULL, &r);
	ck_assert_msg(r.status == 201, "%ld %.500s", r.status, r.body);
	json_t *j = body_json(&r);
	ck_assert_str_eq(json_string_value(json_object_get(j, "verdict")), "pass");
	ck_assert(json_is_null(json_object_get(j, "baseline")));
	json_int_t base_id = json_integer_value(json_object_get(j, "run_id"));
	ck_assert_int_gt(base_id, 0);
	char *loc = pft_header(&r, "Location"), want[64];
	snprintf(want, sizeof want, "/v1/runs/%lld", (long long)base_id);
	ck_assert_str_eq(loc, want);
	free(loc);
	json_decref(j);
	pft_resp_free(&r);
	char *n = pft_sql(db, "SELECT count(*) FROM baselines");
	ck_assert_str_eq(n, "1");
	free(n);

	/* the candidate fails with ?fail_on=fail: 422 with the report */
	upload_fixture_files("cpu_cand.pb.gz", "heap_cand.pb.gz", "bench_cand.txt", "feature-x",
	                     "AI_GATE_ENABLE=true", "fail_on=fail", NULL, &r);
	ck_assert_msg(r.status == 422, "%ld %.500s", r.status, r.body);
	j = body_json(&r);
	ck_assert_str_eq(json_string_value(json_object_get(j, "verdict")), "fail");
	json_t *base = json_object_get(j, "baseline");
	ck_assert_str_eq(json_string_value(json_object_get(base, "branch")), "main");
	ck_assert_int_eq(json_integer_value(json_array_get(json_object_get(base, "runs"), 0)),
	                 base_id);
	json_t *regs = json_object_get(j, "cpu_regressions");
	ck_assert_int_ge(json_array_size(regs), 1);
	char *hot = pft_ref_cpu_hotspot();
	ck_assert_ptr_nonnull(hot);
	ck_assert_msg(strstr(r.body, hot), "%s not in the report", hot);
	free(hot);
	/* the stored report reads back byte for byte as the upload answered
	 * it (0011_report_text.sql), its summary in a column of its own */
	json_int_t cand_id = json_integer_value(json_object_get(j, "run_id"));
	struct pft_resp back;
	char url[256], q[160];
	snprintf(url, sizeof url, "%s/v1/runs/%lld", d.base, (long long)cand_id);
	pft_http("GET", url, tok_read, NULL, NULL, 0, NULL, &back);
	ck_assert_int_eq(back.status, 200);
	ck_assert_uint_eq(back.len, r.len);
	ck_assert(memcmp(back.body, r.body, r.len) == 0);
	pft_resp_free(&back);
	snprintf(q, sizeof q, "SELECT summary FROM runs WHERE id = %lld", (long long)cand_id);
	n = pft_sql(db, q);
	ck_assert_str_eq(n, json_string_value(json_object_get(j, "summary")));
	ck_assert_ptr_nonnull(strstr(n, "hard gate"));
	free(n);
	json_decref(j);
	pft_resp_free(&r);
	/* a failing run on a feature branch is not promoted */
	n = pft_sql(db, "SELECT count(*) FROM baselines");
	ck_assert_str_eq(n, "1");
	free(n);

	/* an A/A noise candidate passes: the fixtures' noise pair (README: "the
	 * noise pairs must pass"), noise1 the baseline of a project of its own */
	upload_to("aa", "cpu_noise1.pb.gz", "heap_noise1.pb.gz", "bench_noise1.txt", "main", NULL,
	          NULL, NULL, &r);
	ck_assert_msg(r.status == 201, "%ld %.500s", r.status, r.body);
	pft_resp_free(&r);
	upload_to("aa", "cpu_noise2.pb.gz", "heap_noise2.pb.gz", "bench_noise2.txt", "feature-y",
	          "AI_GATE_ENABLE=true", "fail_on=fail", NULL, &r);
	ck_assert_msg(r.status == 201, "%ld %.500s", r.status, r.body);
	j = body_json(&r);
	ck_assert_str_eq(json_string_value(json_object_get(j, "verdict")), "pass");
	json_decref(j);
	pft_resp_free(&r);
	/* a run of shop's feature-y for the tests below, whatever its verdict */
	upload_fixture_files("cpu_noise1.pb.gz", "heap_noise1.pb.gz", "bench_noise1.txt",
	                     "feature-y", NULL, NULL, NULL, &r);
	ck_assert_msg(r.status == 201, "%ld %.500s", r.status, r.body);
	pft_resp_free(&r);
}
END_TEST

/* JSON equality with numbers equal to 1e-9 relative (the CLI and the
 * server print reals at different precisions). */
static bool same_json(const json_t *a, const json_t *b)
{
	if (json_is_number(a) && json_is_number(b)) {
		double x = json_number_value(a), y = json_number_value(b);
		return x == y || fabs(x - y) <= 1e-9 * fmax(fabs(x), fabs(y));
	}
	if (json_typeof(a) != json_typeof(b))
		return false;
	if (json_is_array(a)) {
		if (json_array_size(a) != json_array_size(b))
			return false;
		for (size_t i = 0; i < json_array_size(a); i++)
			if (!same_json(json_array_get(a, i), json_array_get(b, i)))
				return false;
		return true;
	}
	if (json_is_object(a)) {
		const char *k;
		json_t *v;
		if (json_object_size(a) != json_object_size(b))
			return false;
		json_object_foreach((json_t *)a, k, v)
		{
			if (!same_json(v, json_object_get(b, k)))
				return false;
		}
		return true;
	}
	return json_equal(a, b);
}

/* `perfgate gate` on the same files gives the server's verdict, gate by
 * gate, with the same violations (the server's baseline is rebuilt from
 * stored rows, the CLI's from the files). */
START_TEST(cli_and_server_agree)
{
	char cmd[4096];
	int st;
	char *id = pft_sql(db, "SELECT min(id) FROM runs WHERE branch = 'feature-x'");
	char *server =
	        pft_sql(db, "SELECT jsonb_agg(jsonb_build_object('id', g->'id', 'status',"
	                    " g->'status', 'violations', g->'violations'))::text"
	                    " FROM runs r, jsonb_array_elements(r.report::jsonb->'gates') g"
	                    " WHERE r.id = (SELECT min(id) FROM runs WHERE branch = 'feature-x')");
	snprintf(cmd, sizeof cmd,
	         "AI_GATE_ENABLE=true %s gate --base-cpu %s/cpu_base.pb.gz --cpu %s/cpu_cand.pb.gz"
	         " --base-heap %s/heap_base.pb.gz --heap %s/heap_cand.pb.gz"
	         " --base-bench %s/bench_base.txt --bench %s/bench_cand.txt",
	         pf_test_bin(), fx, fx, fx, fx, fx, fx);
	char *out = pf_test_run(cmd, &st);
	ck_assert_int_eq(st, 1); /* fail */
	json_error_t je;
	json_t *cli = json_loads(out, 0, &je), *srv = json_loads(server, 0, &je);
	ck_assert_ptr_nonnull(cli);
	ck_assert_ptr_nonnull(srv);
	json_t *gates = json_object_get(cli, "gates"), *g;
	size_t i;
	ck_assert_uint_eq(json_array_size(gates), json_array_size(srv));
	json_array_foreach(gates, i, g)
	{
		json_t *s2 = json_array_get(srv, i);
		ck_assert_str_eq(json_string_value(json_object_get(g, "id")),
		                 json_string_value(json_object_get(s2, "id")));
		ck_assert_str_eq(json_string_value(json_object_get(g, "status")),
		                 json_string_value(json_object_get(s2, "status")));
		ck_assert_msg(same_json(json_object_get(g, "violations"),
		                        json_object_get(s2, "violations")),
		              "gate %s: violations differ",
		              json_string_value(json_object_get(g, "id")));
	}
	json_decref(cli);
	json_decref(srv);
	free(out);
	free(server);
	free(id);
}
END_TEST

static long metric(const char *line)
{
	struct pft_resp r;
	char url[512];
	snprintf(url, sizeof url, "%s/metrics", d.base);
	pft_http("GET", url, tok_admin, NULL, NULL, 0, NULL, &r);
	ck_assert_int_eq(r.status, 200);
	const char *p = strstr(r.body, line);
	ck_assert_msg(p != NULL, "no %s in /metrics", line);
	long v = strtol(p + strlen(line), NULL, 10);
	pft_resp_free(&r);
	return v;
}

/* The report without what differs from run to run. */
static json_t *report_core(json_t *j)
{
	json_object_del(j, "run_id");
	json_object_del(j, "links");
	return j;
}

/* The daemon keeps merged baseline windows (basecache.h): the same
 * candidate against the same baseline gets the same report from the cache
 * as from the store, and a new window (another branch's baseline) is read
 * from the store. */
START_TEST(baseline_cache_same_report)
{
	struct pft_resp r;
	json_error_t je;
	long hits = metric("perfgate_baseline_cache_total{result=\"hit\"} ");
	long misses = metric("perfgate_baseline_cache_total{result=\"miss\"} ");
	char *first = pft_sql(db, "SELECT report::text FROM runs WHERE id ="
	                          " (SELECT min(id) FROM runs WHERE branch = 'feature-x')");
	upload_fixture_files("cpu_cand.pb.gz", "heap_cand.pb.gz", "bench_cand.txt", "feature-x",
	                     "AI_GATE_ENABLE=true", NULL, NULL, &r);
	ck_assert_msg(r.status == 201, "%ld %.500s", r.status, r.body);
	/* cpu, heap and bench windows, each from the cache */
	ck_assert_int_eq(metric("perfgate_baseline_cache_total{result=\"hit\"} "), hits + 3);
	ck_assert_int_eq(metric("perfgate_baseline_cache_total{result=\"miss\"} "), misses);
	json_t *a = report_core(json_loads(first, 0, &je)), *b = report_core(body_json(&r));
	ck_assert_ptr_nonnull(a);
	ck_assert_msg(json_equal(a, b), "cached baseline gave another report:\n%.2000s\n%.2000s",
	              first, r.body);
	json_decref(a);
	json_decref(b);
	free(first);
	pft_resp_free(&r);
	/* leave the project as the later tests expect it */
	free(pft_sql(db, "DELETE FROM runs WHERE id = (SELECT max(id) FROM runs)"));
	/* a window of other runs (another project's) is read from the store */
	char f1[700], f2[700];
	snprintf(f1, sizeof f1, "cpu=@%s", fixture("cpu_base.pb.gz"));
	snprintf(f2, sizeof f2, "bench=@%s", fixture("bench_base.txt"));
	const char *fields[] = {f1, f2, "branch=main", NULL};
	pft_upload(d.base, "cachetest", tok_up, fields, NULL, NULL, &r);
	ck_assert_msg(r.status == 201, "%ld %.500s", r.status, r.body);
	pft_resp_free(&r);
	pft_upload(d.base, "cachetest", tok_up, fields, NULL, NULL, &r);
	ck_assert_msg(r.status == 201, "%ld %.500s", r.status, r.body);
	pft_resp_free(&r);
	ck_assert_int_eq(metric("perfgate_baseline_cache_total{result=\"hit\"} "), hits + 3);
	ck_assert_int_eq(metric("perfgate_baseline_cache_total{result=\"miss\"} "), misses + 2);
}
END_TEST

/* bench_stats keeps each series as benchstat summarises it: n, the sorted
 * samples, the median, and no CI bounds when n is too small for one. */
START_TEST(bench_rows_stored)
{
	struct pft_resp r;
	char f1[700];
	snprintf(f1, sizeof f1, "bench=@%s", fixture("bench_cand_count3.txt"));
	const char *fields[] = {f1, "branch=main", NULL};
	pft_upload(d.base, "benchrows", tok_up, fields, NULL, NULL, &r);
	ck_assert_msg(r.status == 201, "%ld %.500s", r.status, r.body);
	pft_resp_free(&r);
	char *out = pft_sql(
	        db, "SELECT count(*), count(*) FILTER (WHERE n = 3 AND cardinality(samples) = 3"
	            " AND ci_low IS NULL AND ci_high IS NULL AND median = samples[2]"
	            " AND samples[1] <= samples[2] AND samples[2] <= samples[3])"
	            " FROM bench_stats b JOIN runs r ON r.id = b.run_id"
	            " JOIN projects p ON p.id = r.project_id WHERE p.name = 'benchrows'");
	ck_assert_str_eq(out, "54|54"); /* 18 benchmarks x 3 units */
	free(out);
	/* the same file against that run as baseline: the rows come from the
	 * gate's comparison now, and are the same */
	pft_upload(d.base, "benchrows", tok_up, fields, NULL, NULL, &r);
	ck_assert_msg(r.status == 201, "%ld %.500s", r.status, r.body);
	pft_resp_free(&r);
	out = pft_sql(db,
	              "SELECT count(*) FROM (SELECT benchmark, unit, n, median, ci_low, ci_high,"
	              " samples, count(*) AS c FROM bench_stats b JOIN runs r ON r.id = b.run_id"
	              " JOIN projects p ON p.id = r.project_id WHERE p.name = 'benchrows'"
	              " GROUP BY 1, 2, 3, 4, 5, 6, 7) x WHERE c = 2");
	ck_assert_str_eq(out, "54");
	free(out);
}
END_TEST

/* function_stats keeps to its parent profile_totals row (a statement-level
 * foreign key), function_stats_small too (a plain one): no orphans, and
 * deleting a run removes its rows. */
START_TEST(function_stats_integrity)
{
	char *out = pft_sql(db, "INSERT INTO function_stats (run_id, kind, function, flat, cum,"
	                        " flat_pct, cum_pct, project_id, branch, created_at, series)"
	                        " VALUES (987654, 'cpu', 'f', 1, 1, 1, 1, 1, 'main', now(),"
	                        " function_series(1, 'main', 'cpu', 'f'))");
	ck_assert_ptr_nonnull(strstr(out, "without their profile_totals row"));
	free(out);
	/* bench_stats -> runs is checked once per statement (0006, 0007) */
	out = pft_sql(db, "INSERT INTO bench_stats (run_id, benchmark, unit, n, median, samples,"
	                  " project_id, branch, created_at, series)"
	                  " VALUES (987654, 'B', 'sec/op', 1, 1, '{1}', 1, 'main', now(),"
	                  " bench_series(1, 'main', 'B', 'sec/op'))");
	ck_assert_ptr_nonnull(strstr(out, "differ from their run"));
	free(out);
	/* the packed small rows (0010) keep to profile_totals too */
	out = pft_sql(db,
	              "INSERT INTO function_stats_small (run_id, kind, function, inline_bits,"
	              " flat, cum, flat_pct, cum_pct, flat_samples, cum_samples) VALUES (987654,"
	              " 'cpu', '{f}', '{0}', '{1}', '{1}', '{1}', '{1}', '{1}', '{1}')");
	ck_assert_msg(strstr(out, "function_stats_small_run_id_kind_fkey") != NULL, "%s", out);
	free(out);
	out = pft_sql(db, "SELECT count(*) > 0 FROM function_stats_small"
	                  " WHERE run_id = (SELECT min(id) FROM runs)");
	ck_assert_str_eq(out, "t");
	free(out);
	/* deleting a run removes its rows, through the statement cascades */
	out = pft_sql(db,
	              "BEGIN; DELETE FROM runs WHERE id = (SELECT min(id) FROM runs);"
	              " SELECT (SELECT count(*) FROM function_stats f WHERE NOT EXISTS (SELECT 1"
	              " FROM runs r WHERE r.id = f.run_id)) + (SELECT count(*) FROM bench_stats b"
	              " WHERE NOT EXISTS (SELECT 1 FROM runs r WHERE r.id = b.run_id)) + (SELECT"
	              " count(*) FROM function_stats_small s WHERE NOT EXISTS (SELECT 1 FROM runs r"
	              " WHERE r.id = s.run_id)); ROLLBACK");
	ck_assert_str_eq(out, "0");
	free(out);
	out = pft_sql(
	        db,
	        "SELECT count(*) > 0 FROM bench_stats WHERE run_id = (SELECT min(id) FROM runs)");
	ck_assert_str_eq(out, "t"); /* the check above had rows to remove */
	free(out);
}
END_TEST

START_TEST(read_back_a_run)
{
	struct pft_resp r;
	char url[256];
	char *id = pft_sql(db, "SELECT min(id) FROM runs");
	snprintf(url, sizeof url, "%s/v1/runs/%s", d.base, id);
	pft_http("GET", url, tok_read, NULL, NULL, 0, NULL, &r);
	ck_assert_int_eq(r.status, 200);
	json_t *j = body_json(&r);
	ck_assert_str_eq(json_string_value(json_object_get(j, "project")), "shop");
	json_decref(j);
	pft_resp_free(&r);

	snprintf(url, sizeof url, "%s/v1/runs/%s/comment.md", d.base, id);
	pft_http("GET", url, tok_read, NULL, NULL, 0, NULL, &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_nonnull(strstr(r.body, "<!-- perfgate:shop/main -->"));
	pft_resp_free(&r);

	snprintf(url, sizeof url, "%s/v1/runs/%s/junit.xml", d.base, id);
	pft_http("GET", url, tok_read, NULL, NULL, 0, NULL, &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_nonnull(strstr(r.body, "<testsuite"));
	pft_resp_free(&r);

	/* the raw profile, byte for byte */
	size_t len;
	uint8_t *want = pf_test_read_fixture("cpu_base.pb.gz", &len);
	snprintf(url, sizeof url, "%s/v1/runs/%s/profiles/cpu", d.base, id);
	pft_http("GET", url, tok_read, NULL, NULL, 0, NULL, &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_uint_eq(r.len, len);
	ck_assert(memcmp(r.body, want, len) == 0);
	free(want);
	pft_resp_free(&r);

	snprintf(url, sizeof url, "%s/v1/runs/%s/profiles/cpu/speedscope.json", d.base, id);
	pft_http("GET", url, tok_read, NULL, NULL, 0, NULL, &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_nonnull(strstr(r.body, "speedscope"));
	pft_resp_free(&r);

	snprintf(url, sizeof url, "%s/v1/runs/%s/profiles/heap/top?n=5", d.base, id);
	pft_http("GET", url, tok_read, NULL, NULL, 0, NULL, &r);
	ck_assert_int_eq(r.status, 200);
	j = body_json(&r);
	ck_assert_str_eq(json_string_value(json_object_get(j, "sample_index")), "alloc_space");
	ck_assert_uint_eq(json_array_size(json_object_get(j, "functions")), 5);
	json_decref(j);
	pft_resp_free(&r);

	/* the whole table (n=0) equals `perfgate top --json` of the uploaded
	 * file (decode + build there, the stream decoder here), at the
	 * default sample index of each kind and at one asked for */
	static const char *const tops[][3] = {
	        {"cpu", "", "cpu_base.pb.gz"},
	        {"heap", "", "heap_base.pb.gz --sample-index alloc_space"},
	        {"heap", "&sample_index=inuse_space", "heap_base.pb.gz --sample-index inuse_space"},
	        {"heap", "&sample_index=alloc_objects",
	         "heap_base.pb.gz --sample-index alloc_objects"},
	};
	for (size_t i = 0; i < sizeof tops / sizeof tops[0]; i++) {
		char cmd[1024];
		int st;
		json_error_t je;
		snprintf(url, sizeof url, "%s/v1/runs/%s/profiles/%s/top?n=0%s", d.base, id,
		         tops[i][0], tops[i][1]);
		pft_http("GET", url, tok_read, NULL, NULL, 0, NULL, &r);
		ck_assert_msg(r.status == 200, "%s: %ld %.300s", url, r.status, r.body);
		snprintf(cmd, sizeof cmd, "%s top --json %s/%s", pf_test_bin(), fx, tops[i][2]);
		char *out = pf_test_run(cmd, &st);
		ck_assert_int_eq(st, 0);
		json_t *srv = body_json(&r), *cli = json_loads(out, 0, &je);
		ck_assert_ptr_nonnull(cli);
		ck_assert_uint_gt(json_array_size(json_object_get(srv, "functions")), 5);
		ck_assert_msg(same_json(srv, cli), "%s differs from `%s`", url, cmd);
		json_decref(srv);
		json_decref(cli);
		free(out);
		pft_resp_free(&r);
	}
	/* a sample index the profile does not have: 400 naming the field */
	snprintf(url, sizeof url, "%s/v1/runs/%s/profiles/heap/top?sample_index=cpu", d.base, id);
	pft_http("GET", url, tok_read, NULL, NULL, 0, NULL, &r);
	assert_error(&r, 400, "bad_request", "sample_index");
	pft_resp_free(&r);
	snprintf(url, sizeof url, "%s/v1/runs/%s/profiles/cpu/top?sample_index=7", d.base, id);
	pft_http("GET", url, tok_read, NULL, NULL, 0, NULL, &r);
	assert_error(&r, 400, "bad_request", "sample_index");
	pft_resp_free(&r);
	/* n not a count, negative, past its bound, or trailing junk: 400 naming n */
	static const char *const bad_n[] = {"abc", "-1", "1000001", "5x", "99999999999999999999"};
	for (size_t i = 0; i < sizeof bad_n / sizeof bad_n[0]; i++) {
		snprintf(url, sizeof url, "%s/v1/runs/%s/profiles/cpu/top?n=%s", d.base, id,
		         bad_n[i]);
		pft_http("GET", url, tok_read, NULL, NULL, 0, NULL, &r);
		assert_error(&r, 400, "bad_request", "n");
		pft_resp_free(&r);
	}
	free(id);
}
END_TEST

START_TEST(idempotent_retry)
{
	struct pft_resp r1, r2;
	char *before = pft_sql(db, "SELECT count(*) FROM runs");
	upload_fixture_files(NULL, NULL, "bench_noise2.txt", "retry", NULL, NULL,
	                     "Idempotency-Key: ci-123-attempt", &r1);
	ck_assert_msg(r1.status == 201, "%ld %.300s", r1.status, r1.body);
	upload_fixture_files(NULL, NULL, "bench_noise2.txt", "retry", NULL, NULL,
	                     "Idempotency-Key: ci-123-attempt", &r2);
	ck_assert_int_eq(r2.status, 200);
	/* the first answer again, byte for byte (0011_report_text.sql) */
	ck_assert_uint_eq(r2.len, r1.len);
	ck_assert(memcmp(r2.body, r1.body, r1.len) == 0);
	json_t *a = body_json(&r1), *b = body_json(&r2);
	ck_assert_int_eq(json_integer_value(json_object_get(a, "run_id")),
	                 json_integer_value(json_object_get(b, "run_id")));
	json_decref(a);
	json_decref(b);
	char *after = pft_sql(db, "SELECT count(*) FROM runs");
	ck_assert_int_eq(strtol(after, NULL, 10), strtol(before, NULL, 10) + 1);
	free(before);
	free(after);
	pft_resp_free(&r1);
	pft_resp_free(&r2);
}
END_TEST

/* ---- the catalogue of bad uploads: right status, nothing stored ---- */

struct bad_case {
	const char *name;
	const char *fields[6];
	const char *token; /* "up", "read", "other", "none" */
	const char *project;
	const char *query;
	long status;
	const char *code;
	const char *field;
};

static char junk_path[256], empty_path[256], nobench_path[256], badgz_path[256],
        badreport_path[256];

static void write_inputs(void)
{
	static const char junk[] = "\x08\x01\x12\xff\xff\xff\xff\x0f garbage that is not pprof";
	char *p = pf_test_write_temp(junk, sizeof junk - 1, ".pb");
	snprintf(junk_path, sizeof junk_path, "cpu=@%s", p);
	free(p);
	p = pf_test_write_temp("", 0, ".pb");
	snprintf(empty_path, sizeof empty_path, "cpu=@%s", p);
	free(p);
	static const char nob[] = "goos: linux\nPASS\nok  \texample.com/x\t0.1s\n";
	p = pf_test_write_temp(nob, sizeof nob - 1, ".txt");
	snprintf(nobench_path, sizeof nobench_path, "bench=@%s", p);
	free(p);
	size_t len;
	uint8_t *gz = pf_test_read_fixture("cpu_base.pb.gz", &len);
	p = pf_test_write_temp(gz, len / 2, ".pb.gz"); /* truncated gzip */
	snprintf(badgz_path, sizeof badgz_path, "cpu=@%s", p);
	free(p);
	free(gz);
	static const char rep[] = "{\"cpu_regressions\": [1, 2]}";
	p = pf_test_write_temp(rep, sizeof rep - 1, ".json");
	snprintf(badreport_path, sizeof badreport_path, "report=@%s", p);
	free(p);
}

START_TEST(bad_uploads_store_nothing)
{
	char cpu[700];
	write_inputs();
	snprintf(cpu, sizeof cpu, "cpu=@%s", fixture("cpu_base.pb.gz"));
	const struct bad_case cases[] = {
	        {"no file", {"branch=x", NULL}, "up", "shop", NULL, 400, "bad_request", "cpu"},
	        {"unknown field",
	         {cpu, "branch=x", "colour=red", NULL},
	         "up",
	         "shop",
	         NULL,
	         400,
	         "bad_request",
	         "colour"},
	        {"missing branch", {cpu, NULL}, "up", "shop", NULL, 400, "bad_request", "branch"},
	        {"junk profile",
	         {junk_path, "branch=x", NULL},
	         "up",
	         "shop",
	         NULL,
	         400,
	         "bad_profile",
	         "cpu"},
	        {"empty profile",
	         {empty_path, "branch=x", NULL},
	         "up",
	         "shop",
	         NULL,
	         400,
	         "empty_input",
	         "cpu"},
	        {"truncated gzip",
	         {badgz_path, "branch=x", NULL},
	         "up",
	         "shop",
	         NULL,
	         400,
	         "bad_profile",
	         "cpu"},
	        {"bench without results",
	         {nobench_path, "branch=x", NULL},
	         "up",
	         "shop",
	         NULL,
	         400,
	         "empty_input",
	         "bench"},
	        {"bad analyzer report",
	         {badreport_path, "branch=x", NULL},
	         "up",
	         "shop",
	         NULL,
	         400,
	         "bad_report",
	         "report"},
	        {"non-numeric gate value",
	         {cpu, "branch=x", "AI_GATE_CPU_REG_MAX=lots", NULL},
	         "up",
	         "shop",
	         NULL,
	         400,
	         "bad_config",
	         "AI_GATE_CPU_REG_MAX"},
	        {"unknown gate key",
	         {cpu, "branch=x", "AI_GATE_CPU_MAX=3", NULL},
	         "up",
	         "shop",
	         NULL,
	         400,
	         "bad_config",
	         "AI_GATE_CPU_MAX"},
	        {"bad pr",
	         {cpu, "branch=x", "pr=twelve", NULL},
	         "up",
	         "shop",
	         NULL,
	         400,
	         "bad_request",
	         "pr"},
	        {"control char in branch",
	         {cpu, "branch=a\tb", NULL},
	         "up",
	         "shop",
	         NULL,
	         400,
	         "bad_request",
	         "branch"},
	        {"bad fail_on",
	         {cpu, "branch=x", NULL},
	         "up",
	         "shop",
	         "fail_on=maybe",
	         400,
	         "bad_request",
	         "fail_on"},
	        {"bad project name",
	         {cpu, "branch=x", NULL},
	         "up",
	         "sh~op",
	         NULL,
	         400,
	         "bad_request",
	         "project"},
	        {"path injection",
	         {cpu, "branch=x", NULL},
	         "up",
	         "..%2f..%2fetc",
	         NULL,
	         404,
	         "not_found",
	         NULL},
	        {"no token",
	         {cpu, "branch=x", NULL},
	         "none",
	         "shop",
	         NULL,
	         401,
	         "unauthorized",
	         NULL},
	        {"read token",
	         {cpu, "branch=x", NULL},
	         "read",
	         "shop",
	         NULL,
	         403,
	         "forbidden",
	         NULL},
	        {"other project's token",
	         {cpu, "branch=x", NULL},
	         "other",
	         "shop",
	         NULL,
	         403,
	         "forbidden",
	         "project"},
	        {"file sent twice",
	         {cpu, cpu, "branch=x", NULL},
	         "up",
	         "shop",
	         NULL,
	         400,
	         "bad_request",
	         "cpu"},
	};
	char *before = pft_row_counts(db);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct bad_case *c = &cases[i];
		const char *tok = strcmp(c->token, "up") == 0      ? tok_up
		                  : strcmp(c->token, "read") == 0  ? tok_read
		                  : strcmp(c->token, "other") == 0 ? tok_other
		                                                   : NULL;
		struct pft_resp r;
		pft_upload(d.base, c->project, tok, c->fields, c->query, NULL, &r);
		ck_assert_msg(r.status == c->status, "%s: status %ld, want %ld: %.300s", c->name,
		              r.status, c->status, r.body);
		assert_error(&r, c->status, c->code, c->field);
		pft_resp_free(&r);
		char *after = pft_row_counts(db);
		ck_assert_msg(strcmp(before, after) == 0, "%s stored something: %s -> %s", c->name,
		              before, after);
		free(after);
	}
	free(before);
}
END_TEST

START_TEST(bad_bodies_store_nothing)
{
	struct pft_resp r;
	char url[256];
	char *before = pft_row_counts(db);
	snprintf(url, sizeof url, "%s/v1/projects/shop/runs", d.base);
	/* wrong media type */
	pft_http("POST", url, tok_up, "application/json", "{}", 2, NULL, &r);
	assert_error(&r, 415, "unsupported_media_type", "Content-Type");
	pft_resp_free(&r);
	/* truncated multipart: the closing boundary never comes */
	static const char trunc[] =
	        "--XyZ\r\nContent-Disposition: form-data; name=\"branch\"\r\n\r\n"
	        "main\r\n--XyZ\r\nContent-Disposition: form-data; name=\"cpu\";"
	        " filename=\"cpu.prof\"\r\nContent-Type: application/octet-stream"
	        "\r\n\r\n\x1f\x8b\x08\x00 partial";
	pft_http("POST", url, tok_up, "multipart/form-data; boundary=XyZ", trunc, sizeof trunc - 1,
	         NULL, &r);
	assert_error(&r, 400, "bad_multipart", NULL);
	pft_resp_free(&r);
	/* multipart without a boundary */
	pft_http("POST", url, tok_up, "multipart/form-data", "x", 1, NULL, &r);
	assert_error(&r, 400, "bad_multipart", "Content-Type");
	pft_resp_free(&r);
	/* unknown run, malformed id, unknown kind */
	snprintf(url, sizeof url, "%s/v1/runs/999999", d.base);
	pft_http("GET", url, tok_read, NULL, NULL, 0, NULL, &r);
	assert_error(&r, 404, "not_found", "id");
	pft_resp_free(&r);
	snprintf(url, sizeof url, "%s/v1/runs/abc", d.base);
	pft_http("GET", url, tok_read, NULL, NULL, 0, NULL, &r);
	assert_error(&r, 404, "not_found", "id");
	pft_resp_free(&r);
	snprintf(url, sizeof url, "%s/v1/runs/1/profiles/stack", d.base);
	pft_http("GET", url, tok_read, NULL, NULL, 0, NULL, &r);
	assert_error(&r, 404, "not_found", "kind");
	pft_resp_free(&r);
	char *after = pft_row_counts(db);
	ck_assert_str_eq(before, after);
	free(before);
	free(after);
	/* still serving */
	snprintf(url, sizeof url, "%s/healthz", d.base);
	pft_http("GET", url, NULL, NULL, NULL, 0, NULL, &r);
	ck_assert_int_eq(r.status, 200);
	pft_resp_free(&r);
}
END_TEST

START_TEST(oversized_upload_is_413)
{
	struct pft_daemon small;
	struct pft_resp r;
	const char *env[] = {"PERFGATE_MAX_UPLOAD_MB=1", NULL};
	char *big = malloc(3 * 1024 * 1024), *path, field[300];
	memset(big, 'x', 3 * 1024 * 1024);
	path = pf_test_write_temp(big, 3 * 1024 * 1024, ".pb");
	free(big);
	snprintf(field, sizeof field, "cpu=@%s", path);
	const char *fields[] = {field, "branch=x", NULL};
	char *before = pft_row_counts(db);
	ck_assert_int_eq(pft_daemon_start(&small, db, env, NULL), 0);
	pft_upload(small.base, "shop", tok_up, fields, NULL, NULL, &r);
	assert_error(&r, 413, "too_large", NULL);
	pft_resp_free(&r);
	pft_daemon_stop(&small);
	char *after = pft_row_counts(db);
	ck_assert_str_eq(before, after);
	free(before);
	free(after);
	unlink(path);
	free(path);
}
END_TEST

static json_t *get_json(const char *path, const char *token, long want)
{
	struct pft_resp r;
	char url[512];
	snprintf(url, sizeof url, "%s%s", d.base, path);
	pft_http("GET", url, token, NULL, NULL, 0, NULL, &r);
	ck_assert_msg(r.status == want, "GET %s: %ld %.300s", path, r.status, r.body);
	json_t *j = body_json(&r);
	pft_resp_free(&r);
	return j;
}

static long send_json(const char *method, const char *path, const char *token, const char *body,
                      struct pft_resp *r)
{
	char url[512];
	snprintf(url, sizeof url, "%s%s", d.base, path);
	pft_http(method, url, token, "application/json", body, strlen(body), NULL, r);
	return r->status;
}

START_TEST(list_runs_with_cursor)
{
	json_t *all = get_json("/v1/projects/shop/runs?limit=500", tok_read, 200);
	size_t total = json_array_size(json_object_get(all, "runs"));
	ck_assert_uint_ge(total, 3);
	ck_assert(json_is_null(json_object_get(all, "next_cursor")));
	/* page through two at a time: same runs, newest first, no repeats */
	char path[256];
	const char *cursor = NULL;
	json_t *page = NULL;
	size_t seen = 0;
	json_int_t last = 0;
	for (;;) {
		snprintf(path, sizeof path, "/v1/projects/shop/runs?limit=2%s%s",
		         cursor ? "&cursor=" : "", cursor ? cursor : "");
		json_t *next = get_json(path, tok_read, 200);
		json_decref(page);
		page = next;
		json_t *runs = json_object_get(page, "runs"), *run;
		size_t i;
		json_array_foreach(runs, i, run)
		{
			json_int_t id = json_integer_value(json_object_get(run, "id"));
			ck_assert_int_eq(
			        id,
			        json_integer_value(json_object_get(
			                json_array_get(json_object_get(all, "runs"), seen), "id")));
			ck_assert(last == 0 || id < last);
			last = id;
			seen++;
		}
		cursor = json_string_value(json_object_get(page, "next_cursor"));
		if (!cursor)
			break;
	}
	ck_assert_uint_eq(seen, total);
	json_decref(page);
	json_decref(all);
	json_t *mainruns = get_json("/v1/projects/shop/runs?branch=main", tok_read, 200);
	ck_assert_uint_eq(json_array_size(json_object_get(mainruns, "runs")), 1);
	json_decref(mainruns);
	json_t *e = get_json("/v1/projects/shop/runs?limit=0", tok_read, 400);
	json_decref(e);
	e = get_json("/v1/projects/shop/runs?cursor=abc", tok_read, 400);
	json_decref(e);
}
END_TEST

START_TEST(promote_and_baseline)
{
	struct pft_resp r;
	char path[128];
	json_t *b = get_json("/v1/projects/shop/baseline", tok_read, 200);
	ck_assert_str_eq(json_string_value(json_object_get(b, "branch")), "main");
	ck_assert_uint_eq(json_array_size(json_object_get(b, "runs")), 1);
	json_decref(b);
	/* promote the newest feature-y run into the feature-y baseline */
	json_t *runs = get_json("/v1/projects/shop/runs?branch=feature-y", tok_read, 200);
	json_int_t id = json_integer_value(
	        json_object_get(json_array_get(json_object_get(runs, "runs"), 0), "id"));
	json_decref(runs);
	snprintf(path, sizeof path, "/v1/runs/%lld/promote", (long long)id);
	ck_assert_int_eq(send_json("POST", path, tok_read, "", &r), 403);
	pft_resp_free(&r);
	ck_assert_int_eq(send_json("POST", path, tok_up, "", &r), 201);
	pft_resp_free(&r);
	ck_assert_int_eq(send_json("POST", path, tok_up, "", &r), 200);
	pft_resp_free(&r);
	b = get_json("/v1/projects/shop/baseline?branch=feature-y", tok_read, 200);
	ck_assert_uint_eq(json_array_size(json_object_get(b, "runs")), 1);
	ck_assert_str_eq(json_string_value(json_object_get(
	                         json_array_get(json_object_get(b, "runs"), 0), "promoted_by")),
	                 "token:1");
	json_decref(b);
	ck_assert_int_eq(send_json("POST", "/v1/runs/424242/promote", tok_up, "", &r), 404);
	pft_resp_free(&r);
}
END_TEST

START_TEST(feedback_and_gate_stats)
{
	struct pft_resp r;
	char path[128];
	char *id = pft_sql(db, "SELECT min(id) FROM runs WHERE branch = 'feature-x'");
	snprintf(path, sizeof path, "/v1/runs/%s/feedback", id);
	free(id);
	ck_assert_int_eq(send_json("POST", path, tok_read,
	                           "{\"gate\":\"cpu_hotspot\",\"false_positive\":true,"
	                           "\"note\":\"known warm-up effect\"}",
	                           &r),
	                 201);
	json_t *j = body_json(&r);
	ck_assert_str_eq(json_string_value(json_object_get(j, "gate")), "cpu_hotspot");
	json_decref(j);
	pft_resp_free(&r);
	char *before = pft_row_counts(db);
	ck_assert_int_eq(send_json("POST", path, tok_read,
	                           "{\"gate\":\"speed\",\"false_positive\":true}", &r),
	                 400);
	assert_error(&r, 400, "bad_request", "gate");
	pft_resp_free(&r);
	ck_assert_int_eq(send_json("POST", path, tok_read,
	                           "{\"gate\":\"rating\",\"false_positive\":\"yes\"}", &r),
	                 400);
	assert_error(&r, 400, "bad_request", "false_positive");
	pft_resp_free(&r);
	ck_assert_int_eq(send_json("POST", path, tok_read, "{\"gate\": ", &r), 400);
	pft_resp_free(&r);
	char url[256];
	snprintf(url, sizeof url, "%s%s", d.base, path);
	pft_http("POST", url, tok_read, "text/plain", "x", 1, NULL, &r);
	assert_error(&r, 415, "unsupported_media_type", "Content-Type");
	pft_resp_free(&r);
	char *after = pft_row_counts(db);
	ck_assert_str_eq(before, after);
	free(before);
	free(after);

	json_t *st = get_json("/v1/projects/shop/gates/stats", tok_read, 200), *g;
	size_t i;
	bool found = false;
	json_array_foreach(json_object_get(st, "gates"), i, g)
	{
		if (strcmp(json_string_value(json_object_get(g, "gate")), "cpu_hotspot") != 0)
			continue;
		found = true;
		ck_assert_int_ge(json_integer_value(json_object_get(g, "evaluations")), 3);
		ck_assert_int_eq(json_integer_value(json_object_get(g, "failures")), 1);
		ck_assert_int_eq(json_integer_value(json_object_get(g, "false_positives")), 1);
		ck_assert(json_is_number(json_object_get(g, "false_positive_rate")));
	}
	ck_assert(found);
	json_decref(st);
	json_decref(get_json("/v1/projects/nosuch/gates/stats", tok_read, 404));
}
END_TEST

START_TEST(project_settings)
{
	struct pft_resp r;
	const char *body = "{\"default_branch\":\"main\",\"policy\":{\"AI_GATE_CPU_REG_MAX\":12,"
	                   "\"AI_GATE_ENABLE\":true},\"notifications\":{\"slack_webhook_url\":"
	                   "\"https://hooks.example/T/1\",\"notify_on\":\"fail\"}}";
	ck_assert_int_eq(send_json("PUT", "/v1/projects/shop", tok_up, body, &r), 403);
	pft_resp_free(&r);
	ck_assert_int_eq(send_json("PUT", "/v1/projects/shop", tok_admin, body, &r), 200);
	ck_assert_ptr_null(strstr(r.body, "hooks.example"));
	pft_resp_free(&r);
	json_t *p = get_json("/v1/projects/shop", tok_read, 200);
	json_t *pol = json_object_get(json_object_get(p, "settings"), "policy");
	ck_assert_str_eq(json_string_value(json_object_get(pol, "AI_GATE_CPU_REG_MAX")), "12");
	json_t *n = json_object_get(json_object_get(p, "settings"), "notifications");
	ck_assert_str_eq(json_string_value(json_object_get(n, "slack_webhook_url")), "(set)");
	json_decref(p);
	char *hook =
	        pft_sql(db, "SELECT settings->'notifications'->>'slack_webhook_url' FROM projects"
	                    " WHERE name = 'shop'");
	ck_assert_str_eq(hook, "https://hooks.example/T/1");
	free(hook);
	char *before = pft_sql(db, "SELECT settings::text FROM projects WHERE name = 'shop'");
	ck_assert_int_eq(send_json("PUT", "/v1/projects/shop", tok_admin,
	                           "{\"policy\":{\"AI_GATE_ALPHA\":\"2\"}}", &r),
	                 400);
	assert_error(&r, 400, "bad_config", "AI_GATE_ALPHA");
	pft_resp_free(&r);
	ck_assert_int_eq(send_json("PUT", "/v1/projects/shop", tok_admin, "{\"colour\":1}", &r),
	                 400);
	assert_error(&r, 400, "bad_request", "colour");
	pft_resp_free(&r);
	char *after = pft_sql(db, "SELECT settings::text FROM projects WHERE name = 'shop'");
	ck_assert_str_eq(before, after);
	free(before);
	free(after);
	/* the stored policy applies to the next upload: 12 points now */
	upload_fixture_files("cpu_noise2.pb.gz", NULL, NULL, "feature-z", NULL, NULL, NULL, &r);
	ck_assert_int_eq(r.status, 201);
	json_t *rep = body_json(&r);
	json_t *eff = json_object_get(rep, "policy");
	ck_assert_double_eq(json_number_value(json_object_get(eff, "AI_GATE_CPU_REG_MAX")), 12);
	ck_assert(json_is_true(json_object_get(eff, "AI_GATE_ENABLE")));
	json_decref(rep);
	pft_resp_free(&r);
	/* a token bound to another project: 403 on every route */
	json_decref(get_json("/v1/projects/shop", tok_other, 403));
	json_decref(get_json("/v1/projects/shop/runs", tok_other, 403));
	json_decref(get_json("/v1/projects/shop/baseline", tok_other, 403));
	json_decref(get_json("/v1/projects/shop/gates/stats", tok_other, 403));
	json_decref(get_json("/v1/runs/1", tok_other, 403));
	json_decref(get_json("/v1/runs/1/comment.md", tok_other, 403));
	json_decref(get_json("/v1/runs/1/profiles/cpu", tok_other, 403));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("runs");
	TCase *tc = tcase_create("api");
	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, upload_base_then_candidate);
	tcase_add_test(tc, cli_and_server_agree);
	tcase_add_test(tc, baseline_cache_same_report);
	tcase_add_test(tc, bench_rows_stored);
	tcase_add_test(tc, read_back_a_run);
	tcase_add_test(tc, function_stats_integrity);
	tcase_add_test(tc, idempotent_retry);
	tcase_add_test(tc, bad_uploads_store_nothing);
	tcase_add_test(tc, bad_bodies_store_nothing);
	tcase_add_test(tc, oversized_upload_is_413);
	tcase_add_test(tc, list_runs_with_cursor);
	tcase_add_test(tc, promote_and_baseline);
	tcase_add_test(tc, feedback_and_gate_stats);
	tcase_add_test(tc, project_settings);
	suite_add_tcase(s, tc);
	return pft_run_suite(s);
}
