/* h_trend.c: GET /v1/projects/{p}/trend: the history of one metric on one
 * branch (DESIGN §7): one point per run, oldest first, newest `limit` runs
 * of [from, to). Parsing of times and metric names is the engine's
 * (trend.c); the reads are db/trend.c's. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "h_trend.h"
#include "parse.h"

#define TREND_LIMIT_DEFAULT 1000
#define TREND_LIMIT_MAX     10000

int64_t pf_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

const char *pf_trend_series_key(enum pf_trend_metric m)
{
	switch (m) {
	case PF_TREND_RATING_OVERALL:
		return "overall";
	case PF_TREND_RATING_CPU:
		return "cpu";
	case PF_TREND_RATING_MEMORY:
		return "memory";
	case PF_TREND_RATING_BENCH:
		return "bench";
	case PF_TREND_VERDICT:
		return "verdict";
	case PF_TREND_FUNCTION_FLAT:
		return "function";
	case PF_TREND_BENCH_MEDIAN:
	default:
		return "bench_median";
	}
}

bool pf_valid_label(const char *s, size_t max)
{
	size_t n = s ? strlen(s) : 0;
	if (n == 0 || n > max)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20)
			return false;
	return true;
}

static void add_point(void *arg, const struct pf_db_point *p)
{
	json_t *points = arg;
	char t[32];
	pf_trend_format_time(p->t_ms, t);
	json_array_append_new(points,
	                      json_pack("{s:I, s:s, s:s, s:f}", "run_id", (json_int_t)p->run_id,
	                                "commit", p->commit, "created", t, "value", p->value));
}

/* A required-or-defaulted label query argument. */
static enum pf_code label_arg(struct pf_req *req, const char *name, const char *dflt, size_t max,
                              const char **out, struct pf_err *err)
{
	*out = pf_req_query(req, name);
	if (!*out) {
		*out = dflt;
		if (!dflt)
			return pf_err_set(err, PF_E_BAD_REQUEST, name, "%s= is required", name);
		return PF_OK;
	}
	if (!pf_valid_label(*out, max))
		return pf_err_set(err, PF_E_BAD_REQUEST, name,
		                  "%s must be 1-%zu bytes without control characters", name, max);
	return PF_OK;
}

enum pf_code pf_h_trend(struct pf_req *req, struct pf_reply *reply, struct pf_err *err)
{
	const char *p = pf_req_param(req, "p"), *ms = pf_req_query(req, "metric");
	const char *branch, *from_s, *to_s, *ls = pf_req_query(req, "limit");
	struct pf_db_trend_q q;
	enum pf_trend_metric m;
	int64_t now = pf_now_ms(), limit = TREND_LIMIT_DEFAULT;
	enum pf_code rc;

	memset(&q, 0, sizeof q);
	if (!pf_valid_project_name(p))
		return pf_err_set(err, PF_E_BAD_REQUEST, "project", "invalid project name '%.64s'",
		                  p);
	if (!ms)
		return pf_err_set(err, PF_E_BAD_REQUEST, "metric",
		                  "metric= is required (one of %s)", pf_trend_metric_names());
	if (!pf_trend_metric_parse(ms, &m))
		return pf_err_set(err, PF_E_BAD_REQUEST, "metric",
		                  "unknown metric '%.64s' (one of %s)", ms,
		                  pf_trend_metric_names());
	if (ls && (!pf_parse_i64(ls, &limit) || limit < 1 || limit > TREND_LIMIT_MAX))
		return pf_err_set(err, PF_E_BAD_REQUEST, "limit",
		                  "limit must be 1..%d, not '%.20s'", TREND_LIMIT_MAX, ls);
	from_s = pf_req_query(req, "from");
	to_s = pf_req_query(req, "to");
	rc = pf_trend_parse_time(from_s ? from_s : "now-30d", now, "from", &q.from_ms, err);
	if (rc == PF_OK)
		rc = pf_trend_parse_time(to_s ? to_s : "now", now, "to", &q.to_ms, err);
	if (rc)
		return rc;
	if (q.to_ms <= q.from_ms)
		return pf_err_set(err, PF_E_BAD_REQUEST, "to", "to must be later than from");
	if (m == PF_TREND_FUNCTION_FLAT) {
		rc = label_arg(req, "function", NULL, 4096, &q.function, err);
		if (rc == PF_OK)
			rc = label_arg(req, "kind", "cpu", 8, &q.kind, err);
		if (rc == PF_OK && strcmp(q.kind, "cpu") != 0 && strcmp(q.kind, "heap") != 0)
			rc = pf_err_set(err, PF_E_BAD_REQUEST, "kind",
			                "kind must be cpu or heap, not '%.16s'", q.kind);
	} else if (m == PF_TREND_BENCH_MEDIAN) {
		rc = label_arg(req, "benchmark", NULL, 1024, &q.benchmark, err);
		if (rc == PF_OK)
			rc = label_arg(req, "unit", "sec/op", 64, &q.unit, err);
	}
	if (rc)
		return rc;

	struct pf_db *db = pf_req_db(req);
	struct pf_db_project proj;
	rc = pf_db_project_load(db, p, &proj, err);
	if (rc == PF_E_NOT_FOUND)
		return pf_err_set(err, PF_E_NOT_FOUND, "project", "project '%.64s' not found", p);
	if (rc)
		return rc;
	free(proj.settings_json);
	rc = label_arg(req, "branch", proj.default_branch, 255, &branch, err);
	if (rc)
		return rc;
	q.project = p;
	q.branch = branch;
	q.series = pf_trend_series_key(m);
	q.limit = (int)limit;
	json_t *points = json_array();
	rc = pf_db_trend(db, &q, add_point, points, err);
	if (rc) {
		json_decref(points);
		return rc;
	}
	char f[32], t[32];
	pf_trend_format_time(q.from_ms, f);
	pf_trend_format_time(q.to_ms, t);
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s}", "project", p, "branch", branch, "metric",
	                      ms, "from", f, "to", t);
	if (q.function) {
		json_object_set_new(o, "function", json_string(q.function));
		json_object_set_new(o, "kind", json_string(q.kind));
	}
	if (q.benchmark) {
		json_object_set_new(o, "benchmark", json_string(q.benchmark));
		json_object_set_new(o, "unit", json_string(q.unit));
	}
	json_object_set_new(o, "limit", json_integer(limit));
	json_object_set_new(o, "truncated",
	                    json_boolean((int64_t)json_array_size(points) == limit));
	json_object_set_new(o, "points", points);
	pf_reply_json(reply, 200, o);
	return PF_OK;
}
