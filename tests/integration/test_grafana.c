/* test_grafana.c: the Grafana JSON data source under /grafana against a
 * real daemon and PostgreSQL, with request bodies shaped field for field
 * as shared/spec/grafana-json-datasource.md's examples: health check,
 * metrics and payload options, query (time series, table, buckets,
 * several targets, ad-hoc filters old and new), annotations, variables,
 * tag keys and values; wrong bodies (400 with a message), tokens (401,
 * project-bound), and the dashboard's targets against /grafana/metrics. */
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
static char *tok_up, *tok_read, *tok_shop;

/* range covering the whole history, as Grafana serializes it */
#define RANGE                                                                                      \
	"\"range\": {\"from\": \"2024-04-30T00:00:00.000Z\", \"to\": "                             \
	"\"2024-05-08T00:00:00.000Z\","                                                            \
	" \"raw\": {\"from\": \"now-30d\", \"to\": \"now\"}}"

static void setup(void)
{
	db = pft_fresh_db("grafana");
	ck_assert_int_eq(pft_migrate(db), 0);
	tok_up = pft_token(db, "upload", NULL);
	tok_read = pft_token(db, "read", NULL);
	tok_shop = pft_token(db, "read", "shop");
	ck_assert_int_eq(pft_daemon_start(&d, db, NULL, NULL), 0);
	pft_seed_history(d.base, db, tok_up);
}

static void teardown(void)
{
	pft_daemon_stop(&d);
}

/* POST body to /grafana<path>; returns the JSON answer (status checked). */
static json_t *gf(const char *path, const char *body, const char *tok, long want)
{
	char url[512];
	struct pft_resp r;
	snprintf(url, sizeof url, "%s/grafana%s", d.base, path);
	pft_http(body ? "POST" : "GET", url, tok, body ? "application/json" : NULL, body,
	         body ? strlen(body) : 0, NULL, &r);
	ck_assert_msg(r.status == want, "%s %.200s: %ld, want %ld: %.500s", path, body ? body : "",
	              r.status, want, r.body);
	json_t *j = json_loads(r.body, 0, NULL);
	ck_assert_msg(j != NULL, "%s: not JSON: %.300s", path, r.body);
	pft_resp_free(&r);
	return j;
}

/* A 400 carries the DESIGN §5 error and the top-level message Grafana shows. */
static void bad(const char *path, const char *body, const char *needle)
{
	json_t *j = gf(path, body, tok_read, 400);
	const char *msg = json_string_value(json_object_get(j, "message"));
	ck_assert_msg(msg && strstr(msg, needle), "%s %s: message '%s' lacks '%s'", path, body,
	              msg ? msg : "(none)", needle);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(j, "error"), "message")),
	                 msg);
	json_decref(j);
}

/* Whether the array of objects has one whose key equals value. */
static bool has(const json_t *arr, const char *key, const char *value)
{
	return pf_test_json_find(arr, key, value) != NULL;
}

START_TEST(health_check)
{
	json_decref(gf("", NULL, tok_read, 200));
	json_decref(gf("/", NULL, tok_read, 200));
	json_decref(gf("", NULL, tok_shop, 200));
	json_t *j = gf("", NULL, NULL, 401);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(j, "error"), "code")),
	                 "unauthorized");
	json_decref(j);
	json_decref(gf("", NULL, "pfg_wrong", 401));
	json_decref(gf("/query", "{}", NULL, 401));
	json_decref(gf("/metrics", "{}", NULL, 401));
}
END_TEST

START_TEST(metrics_list)
{
	/* spec §1.2's example body (a payload this source does not know) */
	json_t *j =
	        gf("/metrics",
	           "{\"metric\": \"DescribeMetricList\", \"payload\": {\"namespace\": \"MySQL\"}}",
	           tok_read, 200);
	static const char *want[] = {"rating.overall", "rating.cpu", "rating.memory",
	                             "rating.bench",   "verdict",    "function.flat_pct",
	                             "bench.median",   "annotations"};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
		ck_assert_msg(has(j, "value", want[i]), "metric %s missing", want[i]);
	size_t i;
	json_t *m;
	json_array_foreach(j, i, m)
	{
		ck_assert(json_is_string(json_object_get(m, "label")));
		json_t *pl = json_object_get(m, "payloads");
		ck_assert(json_is_array(pl));
		ck_assert(has(pl, "name", "project"));
		size_t k;
		json_t *p;
		json_array_foreach(pl, k, p)
		{
			const char *type = json_string_value(json_object_get(p, "type"));
			ck_assert(strcmp(type, "select") == 0 ||
			          strcmp(type, "multi-select") == 0 || strcmp(type, "input") == 0);
		}
	}
	/* the project options come from the store */
	json_t *proj = json_array_get(json_object_get(json_array_get(j, 0), "payloads"), 0);
	ck_assert(has(json_object_get(proj, "options"), "value", "shop"));
	ck_assert(has(json_object_get(proj, "options"), "value", "other"));
	json_decref(j);

	/* with a project chosen: branches, functions, benchmarks, units */
	j = gf("/metrics",
	       "{\"metric\": \"function.flat_pct\", \"payload\": {\"project\": \"shop\", \"kind\": "
	       "\"cpu\"}}",
	       tok_read, 200);
	json_array_foreach(j, i, m)
	{
		size_t k;
		json_t *p;
		json_array_foreach(json_object_get(m, "payloads"), k, p)
		{
			const char *name = json_string_value(json_object_get(p, "name"));
			json_t *opts = json_object_get(p, "options");
			if (strcmp(name, "branch") == 0) {
				ck_assert(has(opts, "value", "main"));
				ck_assert(has(opts, "value", "feature-x"));
			}
			if (strcmp(name, "function") == 0 || strcmp(name, "benchmark") == 0)
				ck_assert_int_gt(json_array_size(opts), 3);
			if (strcmp(name, "unit") == 0)
				ck_assert(has(opts, "value", "sec/op"));
		}
	}
	json_decref(j);
	/* {} and an empty body are both fine */
	json_decref(gf("/metrics", "{}", tok_read, 200));
	json_decref(gf("/metrics", "", tok_read, 200));
	/* legacy /search: plain strings */
	j = gf("/search", "{\"target\": \"\"}", tok_read, 200);
	ck_assert_str_eq(json_string_value(json_array_get(j, 0)), "rating.overall");
	json_decref(j);
}
END_TEST

START_TEST(payload_options)
{
	json_t *j = gf("/metric-payload-options",
	               "{\"metric\": \"function.flat_pct\", \"payload\": {\"project\": \"shop\", "
	               "\"branch\": \"main\", \"kind\": \"heap\"}, \"name\": \"function\"}",
	               tok_read, 200);
	ck_assert_int_gt(json_array_size(j), 3);
	ck_assert(json_is_string(json_object_get(json_array_get(j, 0), "label")));
	ck_assert(json_is_string(json_object_get(json_array_get(j, 0), "value")));
	json_decref(j);
	j = gf("/metric-payload-options",
	       "{\"metric\": \"rating.overall\", \"payload\": {\"project\": \"shop\"}, \"name\": "
	       "\"branch\"}",
	       tok_read, 200);
	ck_assert_int_eq(json_array_size(j), 2);
	ck_assert(has(j, "value", "feature-x") && has(j, "value", "main"));
	json_decref(j);
	j = gf("/metric-payload-options",
	       "{\"metric\": \"bench.median\", \"payload\": {\"project\": \"shop\"}, \"name\": "
	       "\"benchmark\"}",
	       tok_read, 200);
	ck_assert_int_gt(json_array_size(j), 0);
	json_decref(j);
	bad("/metric-payload-options", "{\"metric\": \"x\", \"payload\": {}}", "\"name\"");
	bad("/metric-payload-options", "{\"metric\": \"x\", \"payload\": {}, \"name\": \"City\"}",
	    "unknown payload");
	bad("/metric-payload-options", "{\"metric\": \"x\", \"payload\": 7, \"name\": \"branch\"}",
	    "payload must be");
}
END_TEST

/* spec §1.4's example body with our targets: time series of several
 * targets, values and times from the store. */
START_TEST(query_timeseries)
{
	json_t *j =
	        gf("/query",
	           "{\"panelId\": 1, " RANGE ", \"rangeRaw\": {\"from\": \"now-6h\", \"to\": "
	           "\"now\"}, \"interval\": \"30s\", \"intervalMs\": 30000, \"maxDataPoints\": "
	           "550, \"targets\": [{\"target\": \"verdict\", \"refId\": \"A\", \"payload\": "
	           "{\"project\": \"shop\"}}, {\"target\": \"rating.overall\", \"refId\": \"B\", "
	           "\"payload\": {\"project\": \"shop\", \"branch\": \"feature-x\"}}], "
	           "\"scopedVars\": {\"__interval\": {\"text\": \"1s\", \"value\": \"1s\"}}, "
	           "\"filters\": []}",
	           tok_read, 200);
	ck_assert_int_eq(json_array_size(j), 2);
	json_t *a = json_array_get(j, 0), *b = json_array_get(j, 1);
	ck_assert_str_eq(json_string_value(json_object_get(a, "target")), "verdict");
	ck_assert_str_eq(json_string_value(json_object_get(a, "refId")), "A");
	json_t *dp = json_object_get(a, "datapoints");
	ck_assert_int_eq(json_array_size(dp), 5); /* main's five runs, one per 30 s bucket */
	/* [value, epoch ms], oldest first, c1 at 2024-05-01T12:00:00Z */
	ck_assert_int_eq(json_integer_value(json_array_get(json_array_get(dp, 0), 1)), PFT_DAY0_MS);
	ck_assert(json_real_value(json_array_get(json_array_get(dp, 3), 0)) == 2.0); /* c4 */
	for (size_t i = 1; i < json_array_size(dp); i++)
		ck_assert_int_gt(json_integer_value(json_array_get(json_array_get(dp, i), 1)),
		                 json_integer_value(json_array_get(json_array_get(dp, i - 1), 1)));
	ck_assert_str_eq(json_string_value(json_object_get(b, "refId")), "B");
	dp = json_object_get(b, "datapoints");
	ck_assert_int_eq(json_array_size(dp), 1);
	char *v = pft_sql(db, "SELECT rating_overall FROM runs WHERE commit_sha = 'c5'");
	ck_assert_double_eq_tol(json_real_value(json_array_get(json_array_get(dp, 0), 0)),
	                        strtod(v, NULL), 1e-9);
	free(v);
	json_decref(j);

	/* maxDataPoints 1: one bucket, the mean of the range's values */
	j = gf("/query",
	       "{" RANGE ", \"maxDataPoints\": 1, \"intervalMs\": 1000, \"targets\": [{\"target\": "
	       "\"rating.overall\", \"refId\": \"A\", \"payload\": {\"project\": \"shop\"}}]}",
	       tok_read, 200);
	dp = json_object_get(json_array_get(j, 0), "datapoints");
	ck_assert_int_eq(json_array_size(dp), 1);
	v = pft_sql(db,
	            "SELECT avg(rating_overall) FROM runs WHERE branch = 'main' AND project_id ="
	            " (SELECT id FROM projects WHERE name = 'shop')");
	ck_assert_double_eq_tol(json_real_value(json_array_get(json_array_get(dp, 0), 0)),
	                        strtod(v, NULL), 1e-9);
	free(v);
	json_decref(j);

	/* a range holding one day: c4 only; a range before everything: empty */
	j = gf("/query",
	       "{\"range\": {\"from\": \"2024-05-04T00:00:00.000Z\", \"to\": "
	       "\"2024-05-05T00:00:00.000Z\"}, \"targets\": [{\"target\": \"verdict\", \"refId\": "
	       "\"A\", \"payload\": {\"project\": \"shop\"}}, {\"target\": \"verdict\", \"refId\": "
	       "\"B\", \"payload\": {\"project\": \"shop\", \"branch\": \"nope\"}}]}",
	       tok_read, 200);
	ck_assert_int_eq(json_array_size(json_object_get(json_array_get(j, 0), "datapoints")), 1);
	ck_assert_int_eq(json_array_size(json_object_get(json_array_get(j, 1), "datapoints")), 0);
	json_decref(j);
}
END_TEST

/* function.flat_pct: named functions (array = multi-select), top N; a run
 * without a CPU profile (c3) has no point. bench.median likewise. */
START_TEST(query_functions_and_benchmarks)
{
	char *f = pft_sql(db, "SELECT function FROM function_stats s JOIN runs r ON r.id = s.run_id"
	                      " WHERE r.commit_sha = 'c1' AND s.kind = 'cpu'"
	                      " ORDER BY flat_pct DESC, function LIMIT 1");
	char body[2048];
	snprintf(
	        body, sizeof body,
	        "{" RANGE ", \"intervalMs\": 1000, \"maxDataPoints\": 1000, \"targets\": "
	        "[{\"target\": \"function.flat_pct\", \"refId\": \"A\", \"payload\": {\"project\": "
	        "\"shop\", \"kind\": \"cpu\", \"function\": [\"%s\", \"no.such.Func\"]}}, "
	        "{\"target\": \"function.flat_pct\", \"refId\": \"B\", \"payload\": {\"project\": "
	        "\"shop\", \"kind\": \"heap\", \"top\": \"3\"}}, {\"target\": \"bench.median\", "
	        "\"refId\": \"C\", \"payload\": {\"project\": \"shop\", \"top\": 2}}]}",
	        f);
	json_t *j = gf("/query", body, tok_read, 200);
	ck_assert_int_eq(json_array_size(j), 2 + 3 + 2);
	json_t *s0 = json_array_get(j, 0);
	ck_assert_str_eq(json_string_value(json_object_get(s0, "target")), f);
	/* c1 c2 c4 c6 have CPU profiles; c3 has none: 4 points at most */
	char sql[1024];
	snprintf(sql, sizeof sql,
	         "SELECT count(*) FROM function_stats s JOIN runs r ON r.id = s.run_id WHERE"
	         " r.branch = 'main' AND s.kind = 'cpu' AND s.function = '%s' AND r.project_id ="
	         " (SELECT id FROM projects WHERE name = 'shop')",
	         f);
	char *n = pft_sql(db, sql);
	ck_assert_int_eq((long)json_array_size(json_object_get(s0, "datapoints")),
	                 strtol(n, NULL, 10));
	ck_assert_int_le(json_array_size(json_object_get(s0, "datapoints")), 4);
	free(n);
	ck_assert_int_eq(json_array_size(json_object_get(json_array_get(j, 1), "datapoints")), 0);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(j, 4), "refId")), "B");
	const char *bn = json_string_value(json_object_get(json_array_get(j, 5), "target"));
	ck_assert_ptr_nonnull(strstr(bn, " sec/op"));
	ck_assert_int_eq(json_array_size(json_object_get(json_array_get(j, 5), "datapoints")), 5);
	json_decref(j);
	free(f);
}
END_TEST

START_TEST(query_table_and_annotations)
{
	json_t *j = gf("/query",
	               "{" RANGE ", \"maxDataPoints\": 100, \"targets\": [{\"target\": "
	               "\"rating.overall\", \"refId\": \"A\", \"payload\": {\"project\": \"shop\", "
	               "\"format\": \"table\"}}, {\"target\": \"verdict\", \"refId\": \"B\", "
	               "\"type\": \"table\", \"payload\": {\"project\": \"shop\"}}, {\"target\": "
	               "\"annotations\", \"refId\": \"C\", \"payload\": {\"project\": \"shop\"}}]}",
	               tok_read, 200);
	ck_assert_int_eq(json_array_size(j), 3);
	json_t *t = json_array_get(j, 0);
	ck_assert_str_eq(json_string_value(json_object_get(t, "type")), "table");
	ck_assert_ptr_null(json_object_get(t, "data")); /* spec: no top-level data key */
	json_t *cols = json_object_get(t, "columns");
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(cols, 0), "type")),
	                 "time");
	json_t *rows = json_object_get(t, "rows");
	ck_assert_int_ge(json_array_size(rows), 3);
	ck_assert_int_eq(json_array_size(json_array_get(rows, 0)), json_array_size(cols));
	ck_assert_int_eq(json_array_size(json_object_get(json_array_get(j, 1), "rows")), 5);

	/* annotations: time, title, text, tags; failed c4 and promotions */
	json_t *a = json_array_get(j, 2);
	ck_assert_str_eq(json_string_value(json_object_get(a, "refId")), "C");
	cols = json_object_get(a, "columns");
	static const char *names[] = {"time", "title", "text", "tags"};
	for (int i = 0; i < 4; i++)
		ck_assert_str_eq(
		        json_string_value(json_object_get(json_array_get(cols, i), "text")),
		        names[i]);
	rows = json_object_get(a, "rows");
	size_t i, fails = 0, promos = 0;
	json_t *r;
	json_array_foreach(rows, i, r)
	{
		const char *tags = json_string_value(json_array_get(r, 3));
		const char *text = json_string_value(json_array_get(r, 2));
		ck_assert(json_is_integer(json_array_get(r, 0)));
		if (strstr(tags, "verdict-fail")) {
			fails++;
			ck_assert_ptr_nonnull(strstr(text, "c4"));
			ck_assert_ptr_nonnull(strstr(text, "failed"));
		}
		if (strstr(tags, "baseline"))
			promos++;
	}
	ck_assert_int_eq(fails, 1);
	char *n = pft_sql(db, "SELECT count(*) FROM baselines b JOIN projects p ON p.id ="
	                      " b.project_id WHERE p.name = 'shop'");
	ck_assert_int_eq((long)promos, strtol(n, NULL, 10));
	free(n);
	json_decref(j);

	/* legacy /annotations (plugin <= 0.2) */
	j = gf("/annotations",
	       "{" RANGE ", \"annotation\": {\"name\": \"perfgate\", \"datasource\": \"perfgate\", "
	       "\"iconColor\": \"red\", \"enable\": true, \"query\": \"shop main\"}, "
	       "\"variables\": "
	       "[]}",
	       tok_read, 200);
	ck_assert_int_ge(json_array_size(j), 2);
	json_t *e = json_array_get(j, 0);
	ck_assert(json_is_integer(json_object_get(e, "time")));
	ck_assert(json_is_string(json_object_get(e, "text")));
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(e, "tags"), 0)),
	                 "perfgate");
	json_decref(j);
}
END_TEST

START_TEST(adhoc_filters)
{
	/* filters (0.6.4+): branch = feature-x applies to a target without branch */
	json_t *j =
	        gf("/query",
	           "{" RANGE ", \"targets\": [{\"target\": \"verdict\", \"refId\": \"A\", "
	           "\"payload\": {\"project\": \"shop\"}}], \"filters\": [{\"key\": \"branch\", "
	           "\"operator\": \"=\", \"value\": \"feature-x\"}]}",
	           tok_read, 200);
	ck_assert_int_eq(json_array_size(json_object_get(json_array_get(j, 0), "datapoints")), 1);
	json_decref(j);
	/* adhocFilters (older plugins): project != shop drops the target */
	j = gf("/query",
	       "{" RANGE ", \"targets\": [{\"target\": \"verdict\", \"refId\": \"A\", \"payload\": "
	       "{\"project\": \"shop\"}}, {\"target\": \"verdict\", \"refId\": \"B\", \"payload\": "
	       "{\"project\": \"other\"}}], \"adhocFilters\": [{\"key\": \"project\", "
	       "\"operator\": "
	       "\"!=\", \"value\": \"shop\", \"condition\": \"\"}]}",
	       tok_read, 200);
	ck_assert_int_eq(json_array_size(j), 1);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(j, 0), "refId")), "B");
	json_decref(j);
	/* project from a filter when the payload names none */
	j = gf("/query",
	       "{" RANGE
	       ", \"targets\": [{\"target\": \"verdict\", \"refId\": \"A\"}], \"filters\": "
	       "[{\"key\": \"project\", \"operator\": \"=\", \"value\": \"other\"}]}",
	       tok_read, 200);
	ck_assert_int_eq(json_array_size(json_object_get(json_array_get(j, 0), "datapoints")), 1);
	json_decref(j);
	bad("/query",
	    "{" RANGE ", \"targets\": [], \"filters\": [{\"key\": \"City\", \"operator\": \"=\", "
	    "\"value\": \"Berlin\"}]}",
	    "unknown key 'City'");
	bad("/query",
	    "{" RANGE
	    ", \"targets\": [], \"filters\": [{\"key\": \"branch\", \"operator\": \"=~\", "
	    "\"value\": \"m.*\"}]}",
	    "operator '=~'");
	bad("/query", "{" RANGE ", \"targets\": [], \"filters\": {}}", "filters must be an array");
}
END_TEST

START_TEST(query_wrong_bodies)
{
	bad("/query", "{not json", "not JSON");
	bad("/query", "[]", "JSON object");
	bad("/query", "{\"targets\": []}", "range");
	bad("/query", "{\"range\": {\"from\": \"yesterday\", \"to\": \"now\"}, \"targets\": []}",
	    "range.from");
	bad("/query",
	    "{\"range\": {\"from\": \"2024-05-02T00:00:00Z\", \"to\": \"2024-05-01T00:00:00Z\"}, "
	    "\"targets\": []}",
	    "after range.from");
	bad("/query", "{" RANGE "}", "targets must be an array");
	bad("/query", "{" RANGE ", \"targets\": {}}", "targets must be an array");
	bad("/query", "{" RANGE ", \"maxDataPoints\": \"many\", \"targets\": []}", "maxDataPoints");
	bad("/query", "{" RANGE ", \"intervalMs\": -5, \"targets\": []}", "intervalMs");
	bad("/query", "{" RANGE ", \"targets\": [{\"refId\": \"A\"}]}", "targets[0]");
	bad("/query", "{" RANGE ", \"targets\": [{\"target\": \"cpu\", \"refId\": \"A\"}]}",
	    "unknown metric 'cpu'");
	bad("/query",
	    "{" RANGE
	    ", \"targets\": [{\"target\": \"verdict\", \"refId\": \"A\", \"payload\": 5}]}",
	    "payload must be a JSON object");
	bad("/query", "{" RANGE ", \"targets\": [{\"target\": \"verdict\", \"refId\": \"A\"}]}",
	    "a project is required");
	bad("/query",
	    "{" RANGE
	    ", \"targets\": [{\"target\": \"function.flat_pct\", \"payload\": {\"project\": "
	    "\"shop\", \"kind\": \"gpu\"}}]}",
	    "kind must be cpu or heap");
	bad("/query",
	    "{" RANGE
	    ", \"targets\": [{\"target\": \"function.flat_pct\", \"payload\": {\"project\": "
	    "\"shop\", \"top\": \"500\"}}]}",
	    "top must be");
	bad("/query",
	    "{" RANGE ", \"targets\": [{\"target\": \"verdict\", \"payload\": {\"project\": "
	    "\"../x\"}}]}",
	    "invalid project name");
	json_t *j =
	        gf("/query",
	           "{" RANGE ", \"targets\": [{\"target\": \"verdict\", \"payload\": {\"project\": "
	           "\"nope\"}}]}",
	           tok_read, 404);
	ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(j, "message")), "nope"));
	json_decref(j);
	/* hidden targets are skipped; no targets: an empty answer */
	j = gf("/query", "{" RANGE ", \"targets\": []}", tok_read, 200);
	ck_assert_int_eq(json_array_size(j), 0);
	json_decref(j);
}
END_TEST

START_TEST(project_bound_token)
{
	/* a token bound to shop: shop's data without naming it, 403 on other */
	json_t *j = gf("/query", "{" RANGE ", \"targets\": [{\"target\": \"verdict\"}]}", tok_shop,
	               200);
	ck_assert_int_eq(json_array_size(json_object_get(json_array_get(j, 0), "datapoints")), 5);
	json_decref(j);
	j = gf("/query",
	       "{" RANGE ", \"targets\": [{\"target\": \"verdict\", \"payload\": {\"project\": "
	       "\"other\"}}]}",
	       tok_shop, 403);
	ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(j, "message")), "other"));
	json_decref(j);
	j = gf("/variable", "{\"payload\": {\"target\": \"projects\"}, " RANGE "}", tok_shop, 200);
	ck_assert_int_eq(json_array_size(j), 1);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(j, 0), "__value")),
	                 "shop");
	json_decref(j);
	j = gf("/tag-values", "{\"key\": \"project\"}", tok_shop, 200);
	ck_assert_int_eq(json_array_size(j), 1);
	json_decref(j);
	j = gf("/metrics", "{}", tok_shop, 200);
	json_t *proj = json_array_get(json_object_get(json_array_get(j, 0), "payloads"), 0);
	ck_assert_int_eq(json_array_size(json_object_get(proj, "options")), 1);
	json_decref(j);
	json_decref(
	        gf("/variable", "{\"payload\": {\"target\": \"branches other\"}}", tok_shop, 403));
}
END_TEST

START_TEST(variables_and_tags)
{
	/* spec §1.6's body */
	json_t *j =
	        gf("/variable",
	           "{\"payload\": {\"target\": \"projects\"}, \"range\": {\"from\": "
	           "\"2022-02-14T08:09:32.164Z\", \"to\": \"2022-02-21T08:09:32.164Z\", \"raw\": "
	           "{\"from\": \"now-7d\", \"to\": \"now\"}}}",
	           tok_read, 200);
	ck_assert(has(j, "__value", "shop") && has(j, "__text", "other"));
	json_decref(j);
	j = gf("/variable", "{\"payload\": {\"target\": \"branches shop\"}}", tok_read, 200);
	ck_assert_int_eq(json_array_size(j), 2);
	ck_assert(has(j, "__value", "main") && has(j, "__value", "feature-x"));
	json_decref(j);
	/* JSON-mode variable: the user's object */
	j = gf("/variable", "{\"payload\": {\"target\": \"branches\", \"project\": \"other\"}}",
	       tok_read, 200);
	ck_assert_int_eq(json_array_size(j), 1);
	json_decref(j);
	j = gf("/variable", "{\"payload\": {\"target\": \"functions shop main cpu\"}}", tok_read,
	       200);
	ck_assert_int_gt(json_array_size(j), 3);
	json_decref(j);
	j = gf("/variable", "{\"payload\": {\"target\": \"benchmarks shop main\"}}", tok_read, 200);
	ck_assert_int_gt(json_array_size(j), 0);
	json_decref(j);
	bad("/variable", "{\"payload\": {\"target\": \"systems\"}}", "unknown variable query");
	bad("/variable", "{\"payload\": {\"target\": \"branches\"}}", "needs a project");
	bad("/variable", "{\"range\": {}}", "payload.target");

	/* spec §1.7 */
	j = gf("/tag-keys", "{}", tok_read, 200);
	ck_assert_int_eq(json_array_size(j), 2);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(j, 0), "type")),
	                 "string");
	ck_assert(has(j, "text", "project") && has(j, "text", "branch"));
	json_decref(j);
	j = gf("/tag-values", "{\"key\": \"branch\"}", tok_read, 200);
	ck_assert(has(j, "text", "main") && has(j, "text", "feature-x"));
	json_decref(j);
	j = gf("/tag-values",
	       "{\"key\": \"branch\", \"filters\": [{\"key\": \"project\", \"operator\": \"=\", "
	       "\"value\": \"other\"}]}",
	       tok_read, 200);
	ck_assert_int_eq(json_array_size(j), 1);
	json_decref(j);
	j = gf("/tag-values", "{\"key\": \"project\"}", tok_read, 200);
	ck_assert(has(j, "text", "shop") && has(j, "text", "other"));
	json_decref(j);
	bad("/tag-values", "{\"key\": \"City\"}", "unknown tag key");
	bad("/tag-values", "{}", "\"key\"");
	bad("/tag-keys", "nope", "not JSON");
}
END_TEST

/* deploy/grafana/perfgate-dashboard.json: importable (schemaVersion >= 36,
 * variables project and branch) and every target names a metric that
 * /grafana/metrics returns. */
START_TEST(dashboard_targets_are_metrics)
{
	json_error_t je;
	char *path = pf_test_source_path("deploy/grafana/perfgate-dashboard.json");
	json_t *dash = json_load_file(path, 0, &je);
	free(path);
	ck_assert_msg(dash != NULL, "dashboard: %s (line %d)", je.text, je.line);
	ck_assert_int_ge(json_integer_value(json_object_get(dash, "schemaVersion")), 36);
	json_t *vars = json_object_get(json_object_get(dash, "templating"), "list");
	ck_assert(has(vars, "name", "project") && has(vars, "name", "branch"));
	json_t *metrics = gf("/metrics", "{}", tok_read, 200);
	size_t i, k, ntargets = 0;
	json_t *panel, *t;
	json_array_foreach(json_object_get(dash, "panels"), i, panel)
	{
		json_array_foreach(json_object_get(panel, "targets"), k, t)
		{
			const char *m = json_string_value(json_object_get(t, "target"));
			ck_assert_msg(m && has(metrics, "value", m), "panel %zu: target %s unknown",
			              i, m ? m : "(none)");
			ntargets++;
		}
	}
	ck_assert_int_ge(ntargets, 6);
	json_t *ann = json_object_get(json_object_get(dash, "annotations"), "list");
	bool found = false;
	json_array_foreach(ann, i, t)
	{
		const char *m =
		        json_string_value(json_object_get(json_object_get(t, "target"), "target"));
		if (m) {
			ck_assert(has(metrics, "value", m));
			found = true;
		}
	}
	ck_assert_msg(found, "no annotation query on the data source");
	json_decref(metrics);
	json_decref(dash);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("grafana");
	TCase *tc = tcase_create("datasource");
	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, health_check);
	tcase_add_test(tc, metrics_list);
	tcase_add_test(tc, payload_options);
	tcase_add_test(tc, query_timeseries);
	tcase_add_test(tc, query_functions_and_benchmarks);
	tcase_add_test(tc, query_table_and_annotations);
	tcase_add_test(tc, adhoc_filters);
	tcase_add_test(tc, query_wrong_bodies);
	tcase_add_test(tc, project_bound_token);
	tcase_add_test(tc, variables_and_tags);
	tcase_add_test(tc, dashboard_targets_are_metrics);
	suite_add_tcase(s, tc);
	return pft_run_suite(s);
}
