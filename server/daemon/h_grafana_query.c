/* h_grafana_query.c: POST /grafana/query (spec §1.4-1.5): every target of
 * the request becomes time series ({target, datapoints: [[value, ms]]})
 * or a table ({type: table, columns, rows}); honours range, maxDataPoints,
 * intervalMs and ad-hoc filters (filters, or adhocFilters of older plugin
 * versions); target "annotations" answers the annotation table. Also the
 * legacy POST /grafana/annotations. Decisions: docs/grafana.md. */
#include <stdlib.h>
#include <string.h>

#include "h_trend.h"
#include "parse.h"
#include "pf_mem.h"

#define MAX_TARGETS    20
#define MAX_SERIES     100 /* over all targets of one request */
#define MAX_PER_TARGET 20  /* functions or benchmarks of one target */
#define MAX_POINTS     10000
#define MAX_ANNOTATION 1000

struct qctx {
	struct pf_req *req;
	int64_t from, to, bucket;
	int max_points;
	const json_t *filters; /* validated ad-hoc filters (array) */
	json_t *out;           /* the response array */
	int nseries;
};

/* ---- request parts ----------------------------------------------------- */

static enum pf_code parse_range(const json_t *body, int64_t *from, int64_t *to, struct pf_err *err)
{
	const json_t *range = json_object_get(body, "range");
	const char *f = json_string_value(json_object_get(range, "from"));
	const char *t = json_string_value(json_object_get(range, "to"));
	int64_t now = pf_now_ms();
	if (!json_is_object(range) || !f || !t)
		return pf_err_set(err, PF_E_BAD_REQUEST, "range",
		                  "range {\"from\": ISO-8601, \"to\": ISO-8601} is required");
	enum pf_code rc = pf_trend_parse_time(f, now, "range.from", from, err);
	if (rc == PF_OK)
		rc = pf_trend_parse_time(t, now, "range.to", to, err);
	if (rc == PF_OK && *to <= *from)
		rc = pf_err_set(err, PF_E_BAD_REQUEST, "range.to",
		                "range.to must be after range.from");
	return rc;
}

/* filters (v0.6.4+) or adhocFilters: [{key, operator, value}] with keys
 * project, branch and operators = and !=. */
static enum pf_code parse_filters(const json_t *body, const json_t **out, struct pf_err *err)
{
	const char *name = "filters";
	const json_t *f = json_object_get(body, name), *e;
	size_t i;
	if (!f || json_is_null(f) || (json_is_array(f) && json_array_size(f) == 0)) {
		name = "adhocFilters";
		f = json_object_get(body, name);
	}
	*out = NULL;
	if (!f || json_is_null(f))
		return PF_OK;
	if (!json_is_array(f))
		return pf_err_set(err, PF_E_BAD_REQUEST, name, "%s must be an array", name);
	json_array_foreach(f, i, e)
	{
		const char *k = json_string_value(json_object_get(e, "key"));
		const char *op = json_string_value(json_object_get(e, "operator"));
		const char *v = json_string_value(json_object_get(e, "value"));
		if (!k || !op || !v)
			return pf_err_set(err, PF_E_BAD_REQUEST, name,
			                  "%s[%zu] needs string key, operator and value", name, i);
		if (strcmp(k, "project") != 0 && strcmp(k, "branch") != 0)
			return pf_err_set(err, PF_E_BAD_REQUEST, name,
			                  "%s[%zu]: unknown key '%.64s' (project, branch)", name, i,
			                  k);
		if (strcmp(op, "=") != 0 && strcmp(op, "!=") != 0)
			return pf_err_set(err, PF_E_BAD_REQUEST, name,
			                  "%s[%zu]: operator '%.8s' not supported (=, !=)", name, i,
			                  op);
	}
	*out = f;
	return PF_OK;
}

/* The value of the first "key = value" filter, or NULL. */
static const char *filter_eq(const json_t *filters, const char *key)
{
	size_t i;
	const json_t *e;
	json_array_foreach(filters, i, e)
	{
		if (strcmp(json_string_value(json_object_get(e, "key")), key) == 0 &&
		    strcmp(json_string_value(json_object_get(e, "operator")), "=") == 0)
			return json_string_value(json_object_get(e, "value"));
	}
	return NULL;
}

/* Filters narrow: does any filter on key exclude value? */
static bool filtered_out(const json_t *filters, const char *key, const char *value)
{
	size_t i;
	const json_t *e;
	json_array_foreach(filters, i, e)
	{
		if (strcmp(json_string_value(json_object_get(e, "key")), key) != 0)
			continue;
		bool eq = strcmp(json_string_value(json_object_get(e, "value")), value) == 0;
		bool is_eq = strcmp(json_string_value(json_object_get(e, "operator")), "=") == 0;
		if (eq != is_eq)
			return true;
	}
	return false;
}

/* A payload label (string or one-element array) into *out; absent: NULL. */
static enum pf_code payload_label(const json_t *payload, const char *key, const char *where,
                                  size_t max, const char **out, struct pf_err *err)
{
	const json_t *v = json_object_get(payload, key);
	*out = NULL;
	if (!v || json_is_null(v) || (json_is_string(v) && !json_string_value(v)[0]))
		return PF_OK;
	*out = pf_gf_one(v);
	if (!*out || !pf_valid_label(*out, max))
		return pf_err_set(err, PF_E_BAD_REQUEST, where,
		                  "%s.payload.%s must be a string of 1-%zu bytes", where, key, max);
	return PF_OK;
}

/* ---- responses --------------------------------------------------------- */

struct series {
	json_t *points; /* [[value, ms]] or table rows */
	const char *name;
	bool table;
};

static void on_point(void *arg, const struct pf_db_point *p)
{
	struct series *s = arg;
	if (s->table)
		json_array_append_new(s->points, json_pack("[I, s, f, I, I]", (json_int_t)p->t_ms,
		                                           s->name, p->value, (json_int_t)p->runs,
		                                           (json_int_t)p->run_id));
	else
		json_array_append_new(s->points,
		                      json_pack("[f, I]", p->value, (json_int_t)p->t_ms));
}

static json_t *table_columns(void)
{
	return json_pack("[{s:s, s:s}, {s:s, s:s}, {s:s, s:s}, {s:s, s:s}, {s:s, s:s}]", "text",
	                 "Time", "type", "time", "text", "Series", "type", "string", "text",
	                 "Value", "type", "number", "text", "Runs", "type", "number", "text", "Run",
	                 "type", "number");
}

/* One series into the response (or into the target's table rows). */
static enum pf_code add_series(struct qctx *q, struct pf_db_trend_q *tq, const char *name,
                               const char *ref, json_t *table_rows, struct pf_err *err)
{
	if (q->nseries >= MAX_SERIES)
		return pf_err_set(err, PF_E_LIMIT, "targets",
		                  "more than %d series in one query: narrow the targets",
		                  MAX_SERIES);
	q->nseries++;
	struct series s = {table_rows ? table_rows : json_array(), name, table_rows != NULL};
	tq->from_ms = q->from;
	tq->to_ms = q->to;
	tq->bucket_ms = q->bucket;
	tq->limit = q->max_points;
	enum pf_code rc = pf_db_trend(pf_req_db(q->req), tq, on_point, &s, err);
	if (table_rows)
		return rc;
	if (rc) {
		json_decref(s.points);
		return rc;
	}
	json_t *o = json_pack("{s:s, s:o}", "target", name, "datapoints", s.points);
	if (ref)
		json_object_set_new(o, "refId", json_string(ref));
	json_array_append_new(q->out, o);
	return PF_OK;
}

struct names {
	const char *v[MAX_PER_TARGET];
	char *owned[MAX_PER_TARGET]; /* copies of db strings */
	int n, max;
	const char *unit; /* benchmarks: keep this unit only */
};

static void keep(struct names *n, const char *s)
{
	if (n->n >= n->max || n->n >= MAX_PER_TARGET)
		return;
	n->owned[n->n] = pf_xstrdup(s);
	n->v[n->n] = n->owned[n->n];
	n->n++;
}

static void keep_function(void *arg, const char *f, double pct)
{
	(void)pct;
	keep(arg, f);
}

static void keep_bench(void *arg, const char *b, const char *u)
{
	struct names *n = arg;
	if (strcmp(u, n->unit) == 0)
		keep(n, b);
}

/* Functions or benchmarks named in payload[key] (string or array). */
static enum pf_code named(const json_t *payload, const char *key, const char *where,
                          struct names *n, struct pf_err *err)
{
	const json_t *v = json_object_get(payload, key), *e;
	size_t i;
	if (json_is_string(v) && json_string_value(v)[0])
		v = json_pack("[O]", v);
	else if (json_is_array(v))
		json_incref((json_t *)v);
	else if (v && !json_is_null(v) && !json_is_string(v))
		return pf_err_set(err, PF_E_BAD_REQUEST, where,
		                  "%s.payload.%s must be a string or an array of strings", where,
		                  key);
	else
		return PF_OK;
	json_array_foreach(v, i, e)
	{
		const char *s = json_string_value(e);
		if (!s || !pf_valid_label(s, 4096) || n->n >= MAX_PER_TARGET) {
			json_decref((json_t *)v);
			return pf_err_set(err, PF_E_BAD_REQUEST, where,
			                  "%s.payload.%s: at most %d non-empty strings", where, key,
			                  MAX_PER_TARGET);
		}
		keep(n, s);
	}
	json_decref((json_t *)v);
	return PF_OK;
}

static void names_free(struct names *n)
{
	for (int i = 0; i < n->n; i++)
		free(n->owned[i]);
}

/* payload.top: a number or a numeric string, 1..MAX_PER_TARGET. */
static enum pf_code top_of(const json_t *payload, const char *where, int dflt, int *out,
                           struct pf_err *err)
{
	const json_t *v = json_object_get(payload, "top");
	int64_t n = dflt;
	if (json_is_integer(v))
		n = json_integer_value(v);
	else if (json_is_string(v) && json_string_value(v)[0] &&
	         !pf_parse_i64(json_string_value(v), &n))
		n = -1;
	if (n < 1 || n > MAX_PER_TARGET)
		return pf_err_set(err, PF_E_BAD_REQUEST, where, "%s.payload.top must be 1..%d",
		                  where, MAX_PER_TARGET);
	*out = (int)n;
	return PF_OK;
}

/* ---- annotations ------------------------------------------------------- */

struct ann_ctx {
	json_t *rows;
	const char *project;
};

static void on_annotation(void *arg, const struct pf_db_annotation *a)
{
	struct ann_ctx *c = arg;
	char text[1024], tags[512], commit[16];
	snprintf(commit, sizeof commit, "%.12s", a->commit[0] ? a->commit : "no commit");
	bool fail = strcmp(a->kind, "fail") == 0;
	if (fail)
		snprintf(text, sizeof text, "%s run %lld (%s) on %s failed%s%s", c->project,
		         (long long)a->run_id, commit, a->branch, a->summary[0] ? ": " : "",
		         a->summary);
	else
		snprintf(text, sizeof text, "%s run %lld (%s) promoted to baseline of %s by %s",
		         c->project, (long long)a->run_id, commit, a->branch, a->by);
	snprintf(tags, sizeof tags, "perfgate,%s,%s", fail ? "verdict-fail" : "baseline",
	         a->branch);
	json_array_append_new(
	        c->rows, json_pack("[I, s, s, s, I]", (json_int_t)a->t_ms,
	                           fail ? "perfgate: verdict fail" : "perfgate: baseline promoted",
	                           text, tags, (json_int_t)a->run_id));
}

enum pf_code pf_gf_annotations(struct pf_req *req, const char *project, const char *branch,
                               int64_t from_ms, int64_t to_ms, json_t *rows, struct pf_err *err)
{
	struct ann_ctx c = {rows, project};
	return pf_db_trend_annotations(pf_req_db(req), project, branch, from_ms, to_ms,
	                               MAX_ANNOTATION, on_annotation, &c, err);
}

/* ---- one target -------------------------------------------------------- */

static enum pf_code run_target(struct qctx *q, const json_t *t, size_t idx, struct pf_err *err)
{
	char where[32], bbuf[256];
	const char *project, *branch, *ref, *target, *fmt;
	json_t *payload, *rows = NULL;
	enum pf_trend_metric m = PF_TREND_RATING_OVERALL;
	enum pf_code rc;

	snprintf(where, sizeof where, "targets[%zu]", idx);
	target = json_string_value(json_object_get(t, "target"));
	if (!json_is_object(t) || !target || !target[0])
		return pf_err_set(
		        err, PF_E_BAD_REQUEST, where,
		        "%s: an object with a non-empty \"target\" (the metric) is required",
		        where);
	ref = json_string_value(json_object_get(t, "refId"));
	payload = json_object_get(t, "payload");
	if (json_is_string(payload)) /* typed JSON not parsed by the plugin */
		payload = json_string_value(payload)[0]
		                  ? json_loads(json_string_value(payload), 0, NULL)
		                  : json_object();
	else if (!payload || json_is_null(payload))
		payload = json_object();
	else
		json_incref(payload);
	if (!json_is_object(payload)) {
		json_decref(payload);
		return pf_err_set(err, PF_E_BAD_REQUEST, where, "%s.payload must be a JSON object",
		                  where);
	}
	rc = payload_label(payload, "project", where, 64, &project, err);
	if (rc == PF_OK)
		rc = payload_label(payload, "branch", where, 255, &branch, err);
	if (rc == PF_OK)
		rc = payload_label(payload, "format", where, 16, &fmt, err);
	if (rc == PF_OK && fmt && strcmp(fmt, "table") != 0 && strcmp(fmt, "timeseries") != 0)
		rc = pf_err_set(err, PF_E_BAD_REQUEST, where,
		                "%s.payload.format must be timeseries or table", where);
	bool table = (fmt && strcmp(fmt, "table") == 0) ||
	             (json_is_string(json_object_get(t, "type")) &&
	              strcmp(json_string_value(json_object_get(t, "type")), "table") == 0);
	bool annotations = strcmp(target, "annotations") == 0;
	if (rc == PF_OK && !annotations && !pf_trend_metric_parse(target, &m))
		rc = pf_err_set(err, PF_E_BAD_REQUEST, where,
		                "%s: unknown metric '%.64s' (one of %s, annotations)", where,
		                target, pf_trend_metric_names());
	if (rc == PF_OK) {
		if (!project)
			project = filter_eq(q->filters, "project");
		rc = pf_gf_project(q->req, project, where, &project, err);
	}
	if (rc == PF_OK && !branch)
		branch = filter_eq(q->filters, "branch");
	if (rc || filtered_out(q->filters, "project", project) ||
	    (branch && filtered_out(q->filters, "branch", branch))) {
		json_decref(payload);
		return rc;
	}
	if (annotations) {
		rows = json_array();
		rc = pf_gf_annotations(q->req, project, branch, q->from, q->to, rows, err);
		json_t *o = json_pack("{s:s, s:[{s:s, s:s}, {s:s, s:s}, {s:s, s:s}, {s:s, s:s}, "
		                      "{s:s, s:s}], s:o}",
		                      "type", "table", "columns", "text", "time", "type", "time",
		                      "text", "title", "type", "string", "text", "text", "type",
		                      "string", "text", "tags", "type", "string", "text", "run_id",
		                      "type", "number", "rows", rows);
		if (ref)
			json_object_set_new(o, "refId", json_string(ref));
		json_array_append_new(q->out, o);
		json_decref(payload);
		return rc;
	}
	if (!branch) {
		struct pf_db_project proj;
		rc = pf_db_project_load(pf_req_db(q->req), project, &proj, err);
		if (rc == PF_E_NOT_FOUND)
			rc = pf_err_set(err, PF_E_NOT_FOUND, where, "%s: project '%.64s' not found",
			                where, project);
		if (rc) {
			json_decref(payload);
			return rc;
		}
		free(proj.settings_json);
		snprintf(bbuf, sizeof bbuf, "%s", proj.default_branch);
		branch = bbuf;
		if (filtered_out(q->filters, "branch", branch)) {
			json_decref(payload);
			return PF_OK;
		}
	}
	if (table)
		rows = json_array();
	struct pf_db_trend_q tq = {
	        .project = project, .branch = branch, .series = pf_trend_series_key(m)};
	struct names n = {.n = 0, .max = MAX_PER_TARGET};
	if (m == PF_TREND_FUNCTION_FLAT) {
		const char *kind;
		rc = payload_label(payload, "kind", where, 8, &kind, err);
		tq.kind = kind ? kind : "cpu";
		if (rc == PF_OK && strcmp(tq.kind, "cpu") != 0 && strcmp(tq.kind, "heap") != 0)
			rc = pf_err_set(err, PF_E_BAD_REQUEST, where,
			                "%s.payload.kind must be cpu or heap", where);
		if (rc == PF_OK)
			rc = named(payload, "function", where, &n, err);
		if (rc == PF_OK && n.n == 0 &&
		    (rc = top_of(payload, where, 5, &n.max, err)) == PF_OK)
			rc = pf_db_trend_functions(pf_req_db(q->req), project, branch, tq.kind, 1,
			                           q->to, n.max, keep_function, &n, err);
		for (int i = 0; rc == PF_OK && i < n.n; i++) {
			tq.function = n.v[i];
			rc = add_series(q, &tq, n.v[i], ref, rows, err);
		}
	} else if (m == PF_TREND_BENCH_MEDIAN) {
		rc = payload_label(payload, "unit", where, 64, &n.unit, err);
		tq.unit = n.unit = n.unit ? n.unit : "sec/op";
		if (rc == PF_OK)
			rc = named(payload, "benchmark", where, &n, err);
		if (rc == PF_OK && n.n == 0 &&
		    (rc = top_of(payload, where, 10, &n.max, err)) == PF_OK)
			rc = pf_db_trend_benchmarks(pf_req_db(q->req), project, branch, 1, q->to,
			                            1000, keep_bench, &n, err);
		for (int i = 0; rc == PF_OK && i < n.n; i++) {
			char name[1100];
			snprintf(name, sizeof name, "%s %s", n.v[i], tq.unit);
			tq.benchmark = n.v[i];
			rc = add_series(q, &tq, name, ref, rows, err);
		}
	} else {
		rc = add_series(q, &tq, target, ref, rows, err);
	}
	names_free(&n);
	if (rows && rc == PF_OK) {
		json_t *o = json_pack("{s:s, s:o, s:O}", "type", "table", "columns",
		                      table_columns(), "rows", rows);
		if (ref)
			json_object_set_new(o, "refId", json_string(ref));
		json_array_append_new(q->out, o);
	}
	json_decref(rows);
	json_decref(payload);
	return rc;
}

enum pf_code pf_h_grafana_query(struct pf_req *req, struct pf_reply *reply, struct pf_err *err)
{
	json_t *body;
	struct qctx q;
	size_t i;
	json_t *t;

	memset(&q, 0, sizeof q);
	q.req = req;
	if (pf_gf_body(req, &body, err) != PF_OK)
		return pf_gf_fail(req, reply, err);
	enum pf_code rc = parse_range(body, &q.from, &q.to, err);
	const json_t *targets = json_object_get(body, "targets");
	const json_t *mdp = json_object_get(body, "maxDataPoints");
	const json_t *ims = json_object_get(body, "intervalMs");
	q.max_points = 1000;
	if (rc == PF_OK && (!json_is_array(targets)))
		rc = pf_err_set(err, PF_E_BAD_REQUEST, "targets", "targets must be an array");
	else if (rc == PF_OK && json_array_size(targets) > MAX_TARGETS)
		rc = pf_err_set(err, PF_E_LIMIT, "targets", "at most %d targets in one query",
		                MAX_TARGETS);
	if (rc == PF_OK && mdp && !json_is_null(mdp)) {
		if (!json_is_number(mdp) || json_number_value(mdp) < 1)
			rc = pf_err_set(err, PF_E_BAD_REQUEST, "maxDataPoints",
			                "maxDataPoints must be a positive number");
		else
			q.max_points = json_number_value(mdp) > MAX_POINTS
			                       ? MAX_POINTS
			                       : (int)json_number_value(mdp);
	}
	int64_t interval = 0;
	if (rc == PF_OK && ims && !json_is_null(ims)) {
		if (!json_is_number(ims) || json_number_value(ims) < 0)
			rc = pf_err_set(err, PF_E_BAD_REQUEST, "intervalMs",
			                "intervalMs must be a number >= 0");
		else
			interval = (int64_t)json_number_value(ims);
	}
	if (rc == PF_OK)
		rc = parse_filters(body, &q.filters, err);
	if (rc) {
		json_decref(body);
		return pf_gf_fail(req, reply, err);
	}
	q.bucket = pf_trend_bucket_ms(q.from, q.to, q.max_points, interval);
	q.out = json_array();
	json_array_foreach(targets, i, t)
	{
		if (json_is_true(json_object_get(t, "hide")))
			continue;
		rc = run_target(&q, t, i, err);
		if (rc)
			break;
	}
	json_decref(body);
	if (rc) {
		json_decref(q.out);
		return pf_gf_fail(req, reply, err);
	}
	pf_reply_json(reply, 200, q.out);
	return PF_OK;
}

/* Legacy (plugin <= 0.2.x) POST /annotations: {range, annotation:
 * {query: "project [branch]"}} -> [{time, title, text, tags: []}]. */
enum pf_code pf_h_grafana_annotations(struct pf_req *req, struct pf_reply *reply,
                                      struct pf_err *err)
{
	json_t *body, *rows = NULL, *out, *r;
	int64_t from = 0, to = 0;
	char qbuf[320], *branch = NULL;
	const char *project = NULL;
	size_t i;

	if (pf_gf_body(req, &body, err) != PF_OK)
		return pf_gf_fail(req, reply, err);
	enum pf_code rc = parse_range(body, &from, &to, err);
	const json_t *ann = json_object_get(body, "annotation");
	const char *query = json_string_value(json_object_get(ann, "query"));
	if (rc == PF_OK && !json_is_object(ann))
		rc = pf_err_set(err, PF_E_BAD_REQUEST, "annotation",
		                "annotation {\"query\": \"<project> [branch]\"} is required");
	snprintf(qbuf, sizeof qbuf, "%s", query ? query : "");
	char *sp = strchr(qbuf, ' ');
	if (sp) {
		*sp = '\0';
		branch = sp[1] ? sp + 1 : NULL;
	}
	if (rc == PF_OK)
		rc = pf_gf_project(req, qbuf[0] ? qbuf : NULL, "annotation.query", &project, err);
	if (rc == PF_OK) {
		rows = json_array();
		rc = pf_gf_annotations(req, project, branch, from, to, rows, err);
	}
	json_decref(body);
	if (rc) {
		json_decref(rows);
		return pf_gf_fail(req, reply, err);
	}
	out = json_array();
	json_array_foreach(rows, i, r)
	{
		json_t *tags = json_array();
		char tb[512];
		snprintf(tb, sizeof tb, "%s", json_string_value(json_array_get(r, 3)));
		for (char *s = tb; *s;) {
			size_t n = strcspn(s, ",");
			bool last = s[n] == '\0';
			s[n] = '\0';
			json_array_append_new(tags, json_string(s));
			s += n + (last ? 0 : 1);
		}
		json_array_append_new(out,
		                      json_pack("{s:O, s:O, s:O, s:o}", "time",
		                                json_array_get(r, 0), "title", json_array_get(r, 1),
		                                "text", json_array_get(r, 2), "tags", tags));
	}
	json_decref(rows);
	pf_reply_json(reply, 200, out);
	return PF_OK;
}
