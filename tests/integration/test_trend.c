/* test_trend.c: GET /v1/projects/{p}/trend against a real daemon and
 * PostgreSQL over the history of pftest_history.c: points and their
 * order, branch filtering, runs without the function or benchmark left
 * out, time ranges (RFC 3339 and relative), limit, errors, tokens. Expected
 * values come from the store's own rows. */
#include <check.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pftest_history.h"
#include "pftest_srv.h"
#include "testutil.h"
#include "pftest_run.h"

static char *db;
static struct pft_daemon d;
static char *tok_up, *tok_read, *tok_shop, *tok_other;
static char top_fn[512], bench_name[512];

static void setup(void)
{
	db = pft_fresh_db("trend");
	ck_assert_int_eq(pft_migrate(db), 0);
	tok_up = pft_token(db, "upload", NULL);
	tok_read = pft_token(db, "read", NULL);
	tok_shop = pft_token(db, "read", "shop");
	tok_other = pft_token(db, "read", "other");
	ck_assert_int_eq(pft_daemon_start(&d, db, NULL, NULL), 0);
	pft_seed_history(d.base, db, tok_up);
	/* the top CPU function of c1, present in c1, c2, c4, c6 (checked below) */
	char *f = pft_sql(db, "SELECT function FROM function_stats s JOIN runs r ON r.id = s.run_id"
	                      " WHERE r.commit_sha = 'c1' AND s.kind = 'cpu'"
	                      " ORDER BY flat_pct DESC, function LIMIT 1");
	snprintf(top_fn, sizeof top_fn, "%s", f);
	free(f);
	f = pft_sql(db, "SELECT benchmark FROM bench_stats b JOIN runs r ON r.id = b.run_id"
	                " WHERE r.commit_sha = 'c1' AND b.unit = 'sec/op' ORDER BY 1 LIMIT 1");
	snprintf(bench_name, sizeof bench_name, "%s", f);
	free(f);
}

static void teardown(void)
{
	pft_daemon_stop(&d);
}

/* GET the trend with query q; the JSON body (status checked). */
static json_t *trend(const char *project, const char *q, const char *tok, long want)
{
	char url[2048];
	struct pft_resp r;
	snprintf(url, sizeof url, "%s/v1/projects/%s/trend?%s", d.base, project, q);
	pft_http("GET", url, tok, NULL, NULL, 0, NULL, &r);
	ck_assert_msg(r.status == want, "%s: %ld, want %ld: %.400s", q, r.status, want, r.body);
	json_t *j = json_loads(r.body, 0, NULL);
	ck_assert_msg(j != NULL, "not JSON: %.300s", r.body);
	pft_resp_free(&r);
	return j;
}

/* The commits of the points, space-separated ("c1 c2"). */
static void commits_of(const json_t *j, char *out, size_t len)
{
	size_t i, n = 0;
	json_t *p;
	out[0] = '\0';
	json_array_foreach(json_object_get(j, "points"), i, p)
	{
		n += (size_t)snprintf(out + n, len - n, "%s%s", n ? " " : "",
		                      json_string_value(json_object_get(p, "commit")));
	}
}

static void assert_commits(const char *project, const char *q, const char *want)
{
	char got[256];
	json_t *j = trend(project, q, tok_read, 200);
	commits_of(j, got, sizeof got);
	ck_assert_msg(strcmp(got, want) == 0, "%s: points of %s, want %s", q, got, want);
	json_decref(j);
}

/* Points oldest first; created strictly rising; values from the store. */
START_TEST(ratings_and_order)
{
	json_t *j = trend("shop", "metric=rating.overall&from=2024-01-01T00:00:00Z", tok_read, 200);
	json_t *pts = json_object_get(j, "points"), *p;
	size_t i;
	ck_assert_str_eq(json_string_value(json_object_get(j, "branch")), "main");
	ck_assert_str_eq(json_string_value(json_object_get(j, "metric")), "rating.overall");
	char *want = pft_sql(db, "SELECT count(*) FROM runs WHERE branch = 'main' AND"
	                         " project_id = (SELECT id FROM projects WHERE name = 'shop')"
	                         " AND rating_overall IS NOT NULL");
	ck_assert_int_eq((long)json_array_size(pts), strtol(want, NULL, 10));
	free(want);
	ck_assert_int_ge(json_array_size(pts), 3);
	const char *prev = "";
	json_array_foreach(pts, i, p)
	{
		const char *created = json_string_value(json_object_get(p, "created"));
		ck_assert_msg(strcmp(created, prev) > 0, "not oldest first: %s after %s", created,
		              prev);
		prev = created;
		char sql[256];
		snprintf(sql, sizeof sql,
		         "SELECT rating_overall, commit_sha FROM runs WHERE id = %lld",
		         (long long)json_integer_value(json_object_get(p, "run_id")));
		char *row = pft_sql(db, sql);
		char expect[128];
		snprintf(expect, sizeof expect, "%g|%s",
		         json_real_value(json_object_get(p, "value")),
		         json_string_value(json_object_get(p, "commit")));
		ck_assert_str_eq(row, expect);
		free(row);
	}
	ck_assert_ptr_nonnull(
	        strstr(json_string_value(json_object_get(json_array_get(pts, 0), "created")),
	               "2024-05-0"));
	json_decref(j);
	/* the verdict series: every run of main, c4 failed (2), the others
	 * pass (0) or warn (1: AI_GATE_ENABLE is false for them) */
	j = trend("shop", "metric=verdict&from=now-10000d", tok_read, 200);
	pts = json_object_get(j, "points");
	ck_assert_int_eq(json_array_size(pts), 5);
	json_array_foreach(pts, i, p)
	{
		bool c4 = strcmp(json_string_value(json_object_get(p, "commit")), "c4") == 0;
		double v = json_real_value(json_object_get(p, "value"));
		ck_assert(c4 ? v == 2.0 : v <= 1.0);
	}
	json_decref(j);
	for (int k = 0; k < 3; k++) {
		static const char *m[] = {"rating.cpu", "rating.memory", "rating.bench"};
		char q[128];
		snprintf(q, sizeof q, "metric=%s&from=now-10000d", m[k]);
		json_decref(trend("shop", q, tok_read, 200));
	}
}
END_TEST

START_TEST(branches_are_separate)
{
	assert_commits("shop", "metric=verdict&from=now-10000d", "c1 c2 c3 c4 c6");
	assert_commits("shop", "metric=verdict&from=now-10000d&branch=feature-x", "c5");
	assert_commits("shop", "metric=verdict&from=now-10000d&branch=nope", "");
	assert_commits("other", "metric=verdict&from=now-10000d", "c7");
}
END_TEST

/* function_stats and bench_stats rows carry their run's project, branch
 * and created_at (the series indexes of 0006) and name their series
 * (0009): every uploaded row equals its run, a row that differs or names
 * another series is refused, and moving a run moves its rows' series. */
START_TEST(series_copies_match_runs)
{
	char *out =
	        pft_sql(db, "SELECT (SELECT count(*) FROM function_stats f JOIN runs r"
	                    " ON r.id = f.run_id WHERE (f.project_id, f.branch, f.created_at)"
	                    " IS DISTINCT FROM (r.project_id, r.branch, r.created_at)) + (SELECT"
	                    " count(*) FROM bench_stats b JOIN runs r ON r.id = b.run_id WHERE"
	                    " (b.project_id, b.branch, b.created_at) IS DISTINCT FROM"
	                    " (r.project_id, r.branch, r.created_at)) || ' '"
	                    " || (SELECT count(*) > 0 FROM function_stats)"
	                    " || (SELECT count(*) > 0 FROM bench_stats)");
	ck_assert_str_eq(out, "0 truetrue");
	free(out);
	/* each change to the first run's rows, and the error it meets */
	static const char *const refused[][2] = {
	        {"function_stats SET branch = 'elsewhere', series ="
	         " function_series(project_id, 'elsewhere', kind, function)",
	         "differ from their run"},
	        {"bench_stats SET created_at = created_at + interval '1 s'",
	         "differ from their run"},
	        {"function_stats SET series = series + 1", "function_stats_series_check"},
	        {"bench_stats SET series = series # 1", "bench_stats_series_check"},
	};
	for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
		char q[512];
		snprintf(q, sizeof q, "UPDATE %s WHERE run_id = (SELECT min(run_id) FROM %.*s)",
		         refused[i][0], (int)strcspn(refused[i][0], " "), refused[i][0]);
		out = pft_sql(db, q);
		ck_assert_msg(strstr(out, refused[i][1]) != NULL, "%s: %s", q, out);
		free(out);
	}
	/* a run moved to another branch takes its rows to that branch's series */
	out = pft_sql(db, "BEGIN; UPDATE runs SET branch = 'moved' WHERE id = (SELECT min(run_id)"
	                  " FROM bench_stats); SELECT (SELECT count(*) FROM function_stats"
	                  " WHERE series = function_series(project_id, 'moved', kind, function))"
	                  " || ' ' || (SELECT count(*) FROM bench_stats WHERE series ="
	                  " bench_series(project_id, 'moved', benchmark, unit)) || ' ' || (SELECT"
	                  " count(*) FROM function_stats f JOIN runs r ON r.id = f.run_id"
	                  " WHERE r.branch = 'moved') || ' ' || (SELECT count(*) FROM bench_stats b"
	                  " JOIN runs r ON r.id = b.run_id WHERE r.branch = 'moved'); ROLLBACK");
	int fs = -1, bs = -1, fr = -2, br = -2;
	ck_assert_msg(sscanf(out, "%d %d %d %d", &fs, &bs, &fr, &br) == 4, "%s", out);
	ck_assert_int_gt(bs, 0);
	ck_assert_int_eq(fs, fr);
	ck_assert_int_eq(bs, br);
	free(out);
}
END_TEST

/* A run without the function (c3 has no profile) or the benchmark is
 * absent, not zero; values are the stored flat% and medians. */
START_TEST(missing_function_is_absent)
{
	char q[1024], *esc = strdup(top_fn);
	/* function names hold characters like ( * ) . / which are fine in a
	 * query string except '+', '&', '#', '%' and spaces */
	ck_assert_ptr_null(strpbrk(esc, "+&#% "));
	snprintf(q, sizeof q, "metric=function.flat_pct&function=%s&from=now-10000d", esc);
	json_t *j = trend("shop", q, tok_read, 200);
	char got[256];
	commits_of(j, got, sizeof got);
	char sql[1024];
	snprintf(sql, sizeof sql,
	         "SELECT string_agg(r.commit_sha, ' ' ORDER BY r.created_at) FROM runs r JOIN"
	         " function_stats s ON s.run_id = r.id AND s.kind = 'cpu' AND s.function = '%s'"
	         " WHERE r.branch = 'main' AND r.project_id = (SELECT id FROM projects"
	         " WHERE name = 'shop')",
	         top_fn);
	char *want = pft_sql(db, sql);
	ck_assert_str_eq(got, want);
	ck_assert_ptr_null(strstr(got, "c3"));
	ck_assert_ptr_nonnull(strstr(got, "c1"));
	free(want);
	json_t *p0 = json_array_get(json_object_get(j, "points"), 0);
	snprintf(sql, sizeof sql,
	         "SELECT flat_pct FROM function_stats WHERE run_id = %lld AND kind = 'cpu'"
	         " AND function = '%s'",
	         (long long)json_integer_value(json_object_get(p0, "run_id")), top_fn);
	char *v = pft_sql(db, sql);
	ck_assert_double_eq_tol(json_real_value(json_object_get(p0, "value")), strtod(v, NULL),
	                        1e-9);
	free(v);
	ck_assert_str_eq(json_string_value(json_object_get(j, "kind")), "cpu");
	json_decref(j);

	assert_commits("shop", "metric=function.flat_pct&function=no.such.Function&from=now-10000d",
	               "");
	snprintf(q, sizeof q, "metric=function.flat_pct&function=%s&kind=heap&from=now-10000d",
	         esc);
	json_decref(trend("shop", q, tok_read, 200));
	free(esc);

	/* benchmarks: c3 has bench_base, so every main run has it */
	snprintf(q, sizeof q, "metric=bench.median&benchmark=%s&unit=sec/op&from=now-10000d",
	         bench_name);
	j = trend("shop", q, tok_read, 200);
	commits_of(j, got, sizeof got);
	ck_assert_str_eq(got, "c1 c2 c3 c4 c6");
	ck_assert_str_eq(json_string_value(json_object_get(j, "unit")), "sec/op");
	json_decref(j);
	snprintf(q, sizeof q, "metric=bench.median&benchmark=%s&unit=furlongs/op&from=now-10000d",
	         bench_name);
	assert_commits("shop", q, "");
}
END_TEST

/* The rows `pprof -top` drops (|cum| under 0.5 % of the total) are packed
 * in function_stats_small (0010): every run keeps all its function rows
 * (function_rows), split exactly at the cutoff, each function once; a
 * function's trend has a point only where it was a row of function_stats;
 * a row that names a function twice is refused. */
START_TEST(small_functions_packed)
{
	char *out = pft_sql(
	        db, "WITH c AS (SELECT t.run_id, t.kind, abs(trunc(t.total * 0.005)) AS cut,"
	            " (SELECT count(*) FROM function_stats f WHERE f.run_id = t.run_id AND"
	            " f.kind = t.kind AND abs(f.cum) < abs(trunc(t.total * 0.005))) AS big_under,"
	            " (SELECT count(*) FROM function_stats_small s, unnest(s.cum) u WHERE"
	            " s.run_id = t.run_id AND s.kind = t.kind AND abs(u) >= abs(trunc(t.total *"
	            " 0.005))) AS small_over, (SELECT count(*) FROM function_rows r WHERE"
	            " r.run_id = t.run_id AND r.kind = t.kind) AS n_all, (SELECT count(DISTINCT"
	            " r.function) FROM function_rows r WHERE r.run_id = t.run_id AND r.kind ="
	            " t.kind) AS n_names FROM profile_totals t)"
	            " SELECT sum(big_under) || ' ' || sum(small_over) || ' ' ||"
	            " sum(n_all - n_names) || ' ' || (SELECT sum(cardinality(function)) > 0"
	            " FROM function_stats_small) FROM c");
	ck_assert_str_eq(out, "0 0 0 true");
	free(out);
	/* every stored cpu table has as many rows as `perfgate top` prints */
	out = pft_sql(db, "SELECT count(*) FROM function_rows r JOIN runs x ON x.id = r.run_id"
	                  " WHERE x.commit_sha = 'c1' AND r.kind = 'cpu'");
	char *path = pf_test_fixture_path("cpu_base.pb.gz"), cmd[2200];
	int st;
	snprintf(cmd, sizeof cmd, "'%s' top '%s' --json", pf_test_bin(), path);
	char *top = pf_test_run(cmd, &st);
	ck_assert_int_eq(st, 0);
	json_t *t = json_loads(top, 0, NULL);
	ck_assert_ptr_nonnull(t);
	ck_assert_int_eq(strtol(out, NULL, 10),
	                 (long)json_array_size(json_object_get(t, "functions")));
	json_decref(t);
	free(top);
	free(path);
	free(out);

	/* a small function of c1: points only where function_stats has it */
	char *fn = pft_sql(db, "SELECT s.function[1] FROM function_stats_small s JOIN runs r"
	                       " ON r.id = s.run_id WHERE r.commit_sha = 'c1' AND s.kind = 'cpu'");
	ck_assert_ptr_null(strpbrk(fn, "+&#% '"));
	char q[1024], sql[1024], got[256];
	snprintf(q, sizeof q, "metric=function.flat_pct&function=%s&from=now-10000d", fn);
	json_t *j = trend("shop", q, tok_read, 200);
	commits_of(j, got, sizeof got);
	json_decref(j);
	snprintf(sql, sizeof sql,
	         "SELECT coalesce(string_agg(r.commit_sha, ' ' ORDER BY r.created_at), '') FROM"
	         " runs r JOIN function_stats s ON s.run_id = r.id AND s.kind = 'cpu' AND"
	         " s.function = '%s' WHERE r.branch = 'main' AND r.project_id = (SELECT id FROM"
	         " projects WHERE name = 'shop')",
	         fn);
	out = pft_sql(db, sql);
	ck_assert_str_eq(got, out);
	ck_assert_ptr_null(strstr(got, "c1"));
	free(out);
	free(fn);

	out = pft_sql(db, "UPDATE function_stats_small SET function[2] = function[1]"
	                  " WHERE run_id = (SELECT min(run_id) FROM function_stats_small)");
	ck_assert_msg(strstr(out, "names a function twice") != NULL, "%s", out);
	free(out);
}
END_TEST

/* A function's or benchmark's series is exactly its rows of that project
 * and branch (0008 finds them by a hash of branch, kind and function): the
 * same function on another branch or in another project is not in it. */
START_TEST(series_of_each_branch_and_project)
{
	static const char *where[][2] = {
	        {"shop", "main"}, {"shop", "feature-x"}, {"other", "main"}, {"shop", "nope"}};
	const char *tok[] = {tok_read, tok_read, tok_other, tok_read};
	/* the trend query and the rows it must find, for the function (%s
	 * its name) and for the benchmark */
	static const char *query[2] = {"metric=function.flat_pct&function=%s",
	                               "metric=bench.median&unit=sec/op&benchmark=%s"};
	static const char *rows[2] = {
	        "function_stats s ON s.run_id = r.id AND s.kind = 'cpu' AND s.function",
	        "bench_stats s ON s.run_id = r.id AND s.unit = 'sec/op' AND s.benchmark"};
	const char *name[2] = {top_fn, bench_name};
	for (size_t k = 0; k < sizeof where / sizeof where[0]; k++) {
		for (int m = 0; m < 2; m++) {
			char q[1024], sql[1024], got[256];
			int n = snprintf(q, sizeof q, query[m], name[m]);
			snprintf(q + n, sizeof q - (size_t)n, "&branch=%s&from=now-10000d",
			         where[k][1]);
			json_t *j = trend(where[k][0], q, tok[k], 200);
			commits_of(j, got, sizeof got);
			json_decref(j);
			snprintf(sql, sizeof sql,
			         "SELECT coalesce(string_agg(r.commit_sha, ' '"
			         " ORDER BY r.created_at), '') FROM runs r JOIN %s = '%s'"
			         " JOIN projects p ON p.id = r.project_id"
			         " WHERE p.name = '%s' AND r.branch = '%s'",
			         rows[m], name[m], where[k][0], where[k][1]);
			char *want = pft_sql(db, sql);
			ck_assert_msg(strcmp(got, want) == 0, "%s/%s %s: points of '%s', want '%s'",
			              where[k][0], where[k][1], name[m], got, want);
			free(want);
		}
	}
	/* the fixtures put the function on both branches and in both projects */
	char sql[1024];
	snprintf(sql, sizeof sql,
	         "SELECT count(DISTINCT (r.project_id, r.branch)) FROM function_stats s"
	         " JOIN runs r ON r.id = s.run_id WHERE s.kind = 'cpu' AND s.function = '%s'",
	         top_fn);
	char *n = pft_sql(db, sql);
	ck_assert_str_eq(n, "3");
	free(n);
}
END_TEST

START_TEST(ranges_and_limit)
{
	/* RFC 3339 [from, to): c2 (05-02 12:00) and c3 (05-03 12:00) */
	assert_commits("shop", "metric=verdict&from=2024-05-02T00:00:00Z&to=2024-05-04T00:00:00Z",
	               "c2 c3");
	assert_commits(
	        "shop",
	        "metric=verdict&from=2024-05-02T14:00:00%2B02:00&to=2024-05-03T12:00:00.000Z",
	        "c2");
	assert_commits("shop", "metric=verdict&from=2024-05-04&to=2024-05-07", "c4 c6");
	/* epoch ms */
	char q[256];
	snprintf(q, sizeof q, "metric=verdict&from=%lld&to=%lld", PFT_DAY0_MS,
	         PFT_DAY0_MS + PFT_DAY_MS + 1);
	assert_commits("shop", q, "c1 c2");
	/* relative: the default range (now-30d .. now) holds none of 2024 */
	assert_commits("shop", "metric=verdict", "");
	assert_commits("shop", "metric=verdict&from=now-10000d&to=now", "c1 c2 c3 c4 c6");
	/* limit: the newest runs, still oldest first */
	json_t *j = trend("shop", "metric=verdict&from=now-10000d&limit=2", tok_read, 200);
	char got[64];
	commits_of(j, got, sizeof got);
	ck_assert_str_eq(got, "c4 c6");
	ck_assert(json_is_true(json_object_get(j, "truncated")));
	json_decref(j);
	j = trend("shop", "metric=verdict&from=now-10000d&limit=10", tok_read, 200);
	ck_assert(json_is_false(json_object_get(j, "truncated")));
	json_decref(j);
}
END_TEST

static void assert_bad(const char *project, const char *q, long status, const char *field)
{
	json_t *j = trend(project, q, tok_read, status);
	json_t *e = json_object_get(j, "error");
	ck_assert_ptr_nonnull(e);
	if (field)
		ck_assert_msg(
		        json_is_string(json_object_get(e, "field")) &&
		                strcmp(json_string_value(json_object_get(e, "field")), field) == 0,
		        "%s: field %s", q, json_dumps(e, 0));
	ck_assert(strlen(json_string_value(json_object_get(e, "message"))) > 10);
	json_decref(j);
}

START_TEST(bad_requests)
{
	assert_bad("shop", "", 400, "metric");
	assert_bad("shop", "metric=rating", 400, "metric");
	assert_bad("shop", "metric=verdict&from=yesterday", 400, "from");
	assert_bad("shop", "metric=verdict&to=2024-13-01", 400, "to");
	assert_bad("shop", "metric=verdict&from=now&to=now-1d", 400, "to");
	assert_bad("shop", "metric=verdict&limit=0", 400, "limit");
	assert_bad("shop", "metric=verdict&limit=10001", 400, "limit");
	assert_bad("shop", "metric=function.flat_pct", 400, "function");
	assert_bad("shop", "metric=function.flat_pct&function=f&kind=gpu", 400, "kind");
	assert_bad("shop", "metric=bench.median", 400, "benchmark");
	assert_bad("shop", "metric=verdict&branch=", 400, "branch");
	assert_bad("nope", "metric=verdict", 404, "project");
}
END_TEST

START_TEST(tokens)
{
	json_decref(trend("shop", "metric=verdict", NULL, 401));
	json_decref(trend("shop", "metric=verdict", "pfg_not_a_token", 401));
	json_decref(trend("shop", "metric=verdict", tok_shop, 200));
	json_decref(trend("other", "metric=verdict", tok_shop, 403));
	json_decref(trend("other", "metric=verdict", tok_other, 200));
	json_decref(trend("shop", "metric=verdict", tok_up, 200));
}
END_TEST

/* perfgate nightly reads the same store: the period, the failed run, the
 * rating then and now, what moved; markdown; --notify and bad input. */
START_TEST(nightly_summary)
{
	char cmd[2048];
	int st;
	snprintf(cmd, sizeof cmd,
	         "PERFGATE_CONFIG=/dev/null PERFGATE_DATABASE_URL='%s' PERFGATE_PUBLIC_URL="
	         "https://perfgate.example '%s' nightly --project shop --since 100000d",
	         db, pf_test_bin());
	char *out = pf_test_run(cmd, &st);
	ck_assert_msg(st == 0, "exit %d: %s", st, out);
	json_t *j = json_loads(out, 0, NULL);
	ck_assert_msg(j != NULL, "not JSON: %.300s", out);
	free(out);
	ck_assert_str_eq(json_string_value(json_object_get(j, "branch")), "main");
	ck_assert_int_eq(json_integer_value(json_object_get(j, "runs")), 5);
	ck_assert_int_eq(
	        json_integer_value(json_object_get(json_object_get(j, "verdicts"), "fail")), 1);
	json_t *f0 = json_array_get(json_object_get(j, "failed_runs"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(f0, "commit")), "c4");
	ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(f0, "link")),
	                             "https://perfgate.example/v1/runs/"));
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(j, "now"), "commit")),
	                 "c6");
	ck_assert_int_gt(json_array_size(json_object_get(j, "functions")), 0);
	ck_assert_int_gt(json_array_size(json_object_get(j, "benchmarks")), 0);
	json_decref(j);

	snprintf(cmd, sizeof cmd,
	         "PERFGATE_CONFIG=/dev/null PERFGATE_DATABASE_URL='%s' '%s' nightly --project shop"
	         " --branch feature-x --since 100000d --format markdown",
	         db, pf_test_bin());
	out = pf_test_run(cmd, &st);
	ck_assert_int_eq(st, 0);
	ck_assert_ptr_nonnull(strstr(out, "## perfgate nightly: shop/feature-x"));
	ck_assert_ptr_nonnull(strstr(out, "1 runs"));
	free(out);
	/* nothing in the last hour of 2024's history */
	snprintf(cmd, sizeof cmd,
	         "PERFGATE_CONFIG=/dev/null PERFGATE_DATABASE_URL='%s' '%s' nightly --project shop"
	         " --since 1h --format markdown",
	         db, pf_test_bin());
	out = pf_test_run(cmd, &st);
	ck_assert_int_eq(st, 0);
	ck_assert_ptr_nonnull(strstr(out, "No runs in the period"));
	free(out);
	snprintf(cmd, sizeof cmd, "'%s' nightly --project shop --since 24x 2>&1", pf_test_bin());
	out = pf_test_run(cmd, &st);
	ck_assert_int_eq(st, 2);
	free(out);
	/* --notify: refused without a Slack webhook, else one outbox event */
	snprintf(cmd, sizeof cmd,
	         "PERFGATE_CONFIG=/dev/null PERFGATE_DATABASE_URL='%s' '%s' nightly --project shop"
	         " --since 100000d --notify 2>&1 >/dev/null",
	         db, pf_test_bin());
	out = pf_test_run(cmd, &st);
	ck_assert_int_eq(st, 1);
	ck_assert_ptr_nonnull(strstr(out, "no Slack webhook"));
	free(out);
	snprintf(cmd, sizeof cmd,
	         "PERFGATE_CONFIG=/dev/null PERFGATE_DATABASE_URL='%s'"
	         " PERFGATE_SLACK_WEBHOOK_URL=http://127.0.0.1:9/hook '%s' nightly --project shop"
	         " --since 100000d --notify 2>&1 >/dev/null",
	         db, pf_test_bin());
	out = pf_test_run(cmd, &st);
	ck_assert_msg(st == 0, "exit %d: %s", st, out);
	ck_assert_ptr_nonnull(strstr(out, "summary queued for Slack"));
	free(out);
	out = pft_sql(db, "SELECT count(*), min(payload->>'text') FROM outbox"
	                  " WHERE event = 'slack.message' AND run_id IS NULL");
	ck_assert_str_eq(out, "1|perfgate nightly: shop/main");
	free(out);
	snprintf(cmd, sizeof cmd,
	         "PERFGATE_CONFIG=/dev/null PERFGATE_DATABASE_URL='%s' '%s' nightly --project nope"
	         " 2>&1",
	         db, pf_test_bin());
	out = pf_test_run(cmd, &st);
	ck_assert_int_eq(st, 1);
	free(out);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("trend");
	TCase *tc = tcase_create("api");
	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, ratings_and_order);
	tcase_add_test(tc, branches_are_separate);
	tcase_add_test(tc, series_copies_match_runs);
	tcase_add_test(tc, missing_function_is_absent);
	tcase_add_test(tc, small_functions_packed);
	tcase_add_test(tc, series_of_each_branch_and_project);
	tcase_add_test(tc, ranges_and_limit);
	tcase_add_test(tc, bad_requests);
	tcase_add_test(tc, tokens);
	tcase_add_test(tc, nightly_summary);
	suite_add_tcase(s, tc);
	return pft_run_suite(s);
}
