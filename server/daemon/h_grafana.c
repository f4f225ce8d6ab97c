/* h_grafana.c: the Grafana JSON data source (simpod-json-datasource,
 * shared/spec/grafana-json-datasource.md) except /query: the health check,
 * the metric list and its payload options, template variables, ad-hoc
 * filter keys and values, and the legacy /search and /annotations. Option
 * values come from the store; a token bound to a project sees only it.
 * Decisions are written down in docs/grafana.md. */
#include <stdlib.h>
#include <string.h>

#include "h_trend.h"
#include "pf_mem.h"

#define MAX_OPTIONS      200 /* values in one option list */
#define OPTION_RUNS      20  /* functions/benchmarks: of the newest runs */
#define MAX_PROJECTS_TAG 50  /* /tag-values branch: projects visited */

enum pf_code pf_gf_fail(struct pf_req *req, struct pf_reply *reply, const struct pf_err *err)
{
	pf_reply_error(req, reply, err);
	/* re-render with the top-level "message" Grafana displays */
	json_t *body = json_loadb(reply->body, reply->len, 0, NULL);
	if (body) {
		json_object_set_new(body, "message",
		                    json_string(err->msg[0] ? err->msg : pf_code_name(err->code)));
		pf_reply_json(reply, reply->status, body);
	}
	pf_req_log(req, pf_code_is_client(err->code) ? PF_LOG_INFO : PF_LOG_ERROR, "%d %s: %s",
	           reply->status, pf_code_name(err->code), err->msg);
	return PF_OK;
}

enum pf_code pf_gf_body(struct pf_req *req, json_t **out, struct pf_err *err)
{
	json_error_t je;
	if (req->body.len == 0) {
		*out = json_object();
		return PF_OK;
	}
	*out = json_loadb(req->body.data, req->body.len, 0, &je);
	if (!*out)
		return pf_err_set(err, PF_E_BAD_REQUEST, "body",
		                  "request body is not JSON: %s (line %d, column %d)", je.text,
		                  je.line, je.column);
	if (!json_is_object(*out)) {
		json_decref(*out);
		*out = NULL;
		return pf_err_set(err, PF_E_BAD_REQUEST, "body",
		                  "request body must be a JSON object");
	}
	return PF_OK;
}

const char *pf_gf_one(const json_t *v)
{
	if (json_is_array(v) && json_array_size(v) == 1)
		v = json_array_get(v, 0);
	return json_string_value(v);
}

enum pf_code pf_gf_project(struct pf_req *req, const char *given, const char *what,
                           const char **out, struct pf_err *err)
{
	if (!given || !*given) {
		if (!req->token.project[0])
			return pf_err_set(err, PF_E_BAD_REQUEST, what,
			                  "%s: a project is required (payload \"project\", or an "
			                  "ad-hoc filter project=...)",
			                  what);
		given = req->token.project;
	}
	if (!pf_valid_project_name(given))
		return pf_err_set(err, PF_E_BAD_REQUEST, what, "%s: invalid project name '%.64s'",
		                  what, given);
	enum pf_code rc = pf_req_check_project(req, given, err);
	if (rc)
		return rc;
	*out = given;
	return PF_OK;
}

/* ---- option lists ------------------------------------------------------ */

/* What an option list is about: project and branch may be NULL. */
struct ctx {
	struct pf_req *req;
	const char *project, *branch, *kind;
	json_t *out; /* the array being filled */
	const char *text_key, *value_key;
	const char *unit; /* benchmarks: only this unit (NULL: units instead) */
};

static void push(struct ctx *c, const char *v)
{
	size_t i;
	json_t *e;
	if (json_array_size(c->out) >= MAX_OPTIONS)
		return;
	json_array_foreach(c->out, i,
	                   e) if (strcmp(json_string_value(json_object_get(e, c->value_key)), v) ==
	                          0) return;
	json_array_append_new(c->out, json_pack("{s:s, s:s}", c->text_key, v, c->value_key, v));
}

static void push_branch(void *arg, const char *b)
{
	push(arg, b);
}

static void push_function(void *arg, const char *f, double pct)
{
	(void)pct;
	push(arg, f);
}

static void push_bench(void *arg, const char *b, const char *u)
{
	struct ctx *c = arg;
	if (c->unit)
		push(c, b);
	else
		push(c, u);
}

static void push_project_if_visible(struct ctx *c, const char *name)
{
	if (!c->req->token.project[0] || strcmp(c->req->token.project, name) == 0)
		push(c, name);
}

static enum pf_code projects(struct ctx *c, struct pf_err *err)
{
	char *text;
	enum pf_code rc = pf_db_project_list_json(pf_req_db(c->req), &text, err);
	if (rc)
		return rc;
	json_t *all = json_loads(text, 0, NULL);
	free(text);
	size_t i;
	json_t *p;
	json_array_foreach(all, i, p)
	        push_project_if_visible(c, json_string_value(json_object_get(p, "name")));
	json_decref(all);
	return PF_OK;
}

/* The branch of c, or the project's default branch (into buf). */
static enum pf_code branch_of(struct ctx *c, char *buf, size_t len, struct pf_err *err)
{
	if (c->branch)
		return PF_OK;
	struct pf_db_project proj;
	enum pf_code rc = pf_db_project_load(pf_req_db(c->req), c->project, &proj, err);
	if (rc == PF_E_NOT_FOUND)
		return pf_err_set(err, PF_E_NOT_FOUND, "project", "project '%.64s' not found",
		                  c->project);
	if (rc)
		return rc;
	free(proj.settings_json);
	snprintf(buf, len, "%s", proj.default_branch);
	c->branch = buf;
	return PF_OK;
}

/* Fill c->out with the options called name ("project", "branch",
 * "kind", "function", "benchmark", "unit"). */
static enum pf_code options(struct ctx *c, const char *name, struct pf_err *err)
{
	char bbuf[256];
	struct pf_db *db = pf_req_db(c->req);
	if (strcmp(name, "project") == 0)
		return projects(c, err);
	if (strcmp(name, "kind") == 0) {
		push(c, "cpu");
		push(c, "heap");
		return PF_OK;
	}
	if (strcmp(name, "format") == 0) {
		push(c, "timeseries");
		push(c, "table");
		return PF_OK;
	}
	bool known = strcmp(name, "branch") == 0 || strcmp(name, "function") == 0 ||
	             strcmp(name, "benchmark") == 0 || strcmp(name, "unit") == 0;
	if (!known)
		return pf_err_set(err, PF_E_BAD_REQUEST, "name",
		                  "unknown payload '%.64s' (project, branch, kind, function, "
		                  "benchmark, unit, format)",
		                  name);
	if (!c->project)
		return PF_OK; /* nothing to list before a project is chosen */
	if (strcmp(name, "branch") == 0)
		return pf_db_trend_branches(db, c->project, MAX_OPTIONS, push_branch, c, err);
	enum pf_code rc = branch_of(c, bbuf, sizeof bbuf, err);
	if (rc)
		return rc;
	if (strcmp(name, "function") == 0)
		rc = pf_db_trend_functions(db, c->project, c->branch, c->kind ? c->kind : "cpu",
		                           OPTION_RUNS, pf_now_ms() + 1000, MAX_OPTIONS,
		                           push_function, c, err);
	else
		rc = pf_db_trend_benchmarks(db, c->project, c->branch, OPTION_RUNS,
		                            pf_now_ms() + 1000, 1000, push_bench, c, err);
	c->branch = c->branch == bbuf ? NULL : c->branch;
	return rc;
}

/* Context from a payload object: project (when visible), branch, kind. */
static void ctx_from_payload(struct ctx *c, struct pf_req *req, const json_t *payload)
{
	memset(c, 0, sizeof *c);
	c->req = req;
	const char *p = pf_gf_one(json_object_get(payload, "project"));
	if (!p || !pf_valid_project_name(p))
		p = req->token.project[0] ? req->token.project : NULL;
	if (p && req->token.project[0] && strcmp(p, req->token.project) != 0)
		p = NULL;
	c->project = p;
	const char *b = pf_gf_one(json_object_get(payload, "branch"));
	c->branch = b && pf_valid_label(b, 255) ? b : NULL;
	const char *k = pf_gf_one(json_object_get(payload, "kind"));
	c->kind = k && (strcmp(k, "cpu") == 0 || strcmp(k, "heap") == 0) ? k : NULL;
	c->unit = pf_gf_one(json_object_get(payload, "unit"));
	if (!c->unit || !pf_valid_label(c->unit, 64))
		c->unit = "sec/op";
}

static enum pf_code option_list(struct ctx *c, const char *name, const char *tk, const char *vk,
                                json_t **out, struct pf_err *err)
{
	c->out = json_array();
	c->text_key = tk;
	c->value_key = vk;
	enum pf_code rc = options(c, name, err);
	if (rc) {
		json_decref(c->out);
		return rc;
	}
	*out = c->out;
	return PF_OK;
}

/* ---- handlers ---------------------------------------------------------- */

enum pf_code pf_h_grafana_root(struct pf_req *req, struct pf_reply *reply, struct pf_err *err)
{
	(void)req;
	(void)err;
	pf_reply_json(reply, 200,
	              json_pack("{s:s, s:s}", "status", "ok", "datasource", "perfgate"));
	return PF_OK;
}

static json_t *payload_def(const char *name, const char *label, const char *type, bool reload,
                           json_t *opts)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:b, s:i}", "name", name, "label", label, "type",
	                      type, "reloadMetric", reload, "width", 24);
	char ph[64];
	snprintf(ph, sizeof ph, "Select %s", name);
	json_object_set_new(o, "placeholder", json_string(ph));
	if (opts)
		json_object_set(o, "options", opts);
	return o;
}

enum pf_code pf_h_grafana_metrics(struct pf_req *req, struct pf_reply *reply, struct pf_err *err)
{
	json_t *body, *prj = NULL, *br = NULL, *fn = NULL, *bn = NULL, *un = NULL, *kind, *fmt;
	struct ctx c;
	enum pf_code rc = pf_gf_body(req, &body, err);
	if (rc)
		return pf_gf_fail(req, reply, err);
	json_t *payload = json_object_get(body, "payload");
	if (payload && !json_is_object(payload)) {
		json_decref(body);
		pf_err_set(err, PF_E_BAD_REQUEST, "payload", "payload must be a JSON object");
		return pf_gf_fail(req, reply, err);
	}
	ctx_from_payload(&c, req, payload);
	rc = option_list(&c, "project", "label", "value", &prj, err);
	if (rc == PF_OK)
		rc = option_list(&c, "branch", "label", "value", &br, err);
	if (rc == PF_OK)
		rc = option_list(&c, "function", "label", "value", &fn, err);
	if (rc == PF_OK)
		rc = option_list(&c, "benchmark", "label", "value", &bn, err);
	c.unit = NULL;
	if (rc == PF_OK)
		rc = option_list(&c, "unit", "label", "value", &un, err);
	json_decref(body);
	if (rc) {
		json_decref(prj);
		json_decref(br);
		json_decref(fn);
		json_decref(bn);
		json_decref(un);
		return pf_gf_fail(req, reply, err);
	}
	kind = json_pack("[{s:s, s:s}, {s:s, s:s}]", "label", "cpu", "value", "cpu", "label",
	                 "heap (alloc_space)", "value", "heap");
	fmt = json_pack("[{s:s, s:s}, {s:s, s:s}]", "label", "time series", "value", "timeseries",
	                "label", "table", "value", "table");
	json_t *list = json_array();
	for (int m = 0; m < PF_TREND__COUNT; m++) {
		const struct pf_trend_metric_info *mi =
		        pf_trend_metric_info((enum pf_trend_metric)m);
		json_t *pl = json_array();
		json_array_append_new(pl, payload_def("project", "Project", "select", true, prj));
		json_array_append_new(pl, payload_def("branch", "Branch", "select", true, br));
		if (m == PF_TREND_FUNCTION_FLAT) {
			json_array_append_new(pl,
			                      payload_def("kind", "Profile", "select", true, kind));
			json_array_append_new(
			        pl, payload_def("function", "Function", "multi-select", false, fn));
			json_array_append_new(pl, payload_def("top", "Top N (no function chosen)",
			                                      "input", false, NULL));
		} else if (m == PF_TREND_BENCH_MEDIAN) {
			json_array_append_new(pl, payload_def("unit", "Unit", "select", true, un));
			json_array_append_new(pl, payload_def("benchmark", "Benchmark",
			                                      "multi-select", false, bn));
			json_array_append_new(pl, payload_def("top", "Top N (no benchmark chosen)",
			                                      "input", false, NULL));
		}
		json_array_append_new(pl, payload_def("format", "Format", "select", false, fmt));
		json_array_append_new(list, json_pack("{s:s, s:s, s:o}", "label", mi->label,
		                                      "value", mi->name, "payloads", pl));
	}
	json_t *ann = json_array();
	json_array_append_new(ann, payload_def("project", "Project", "select", true, prj));
	json_array_append_new(ann,
	                      payload_def("branch", "Branch (empty: all)", "select", false, br));
	json_array_append_new(list, json_pack("{s:s, s:s, s:o}", "label",
	                                      "Annotations: failed verdicts, baseline promotions",
	                                      "value", "annotations", "payloads", ann));
	json_decref(prj);
	json_decref(br);
	json_decref(fn);
	json_decref(bn);
	json_decref(un);
	json_decref(kind);
	json_decref(fmt);
	pf_reply_json(reply, 200, list);
	return PF_OK;
}

enum pf_code pf_h_grafana_search(struct pf_req *req, struct pf_reply *reply, struct pf_err *err)
{
	json_t *body, *list = json_array();
	if (pf_gf_body(req, &body, err) != PF_OK) {
		json_decref(list);
		return pf_gf_fail(req, reply, err);
	}
	json_decref(body);
	for (int m = 0; m < PF_TREND__COUNT; m++)
		json_array_append_new(
		        list, json_string(pf_trend_metric_info((enum pf_trend_metric)m)->name));
	json_array_append_new(list, json_string("annotations"));
	pf_reply_json(reply, 200, list);
	return PF_OK;
}

enum pf_code pf_h_grafana_payload_options(struct pf_req *req, struct pf_reply *reply,
                                          struct pf_err *err)
{
	json_t *body, *out = NULL;
	struct ctx c;
	if (pf_gf_body(req, &body, err) != PF_OK)
		return pf_gf_fail(req, reply, err);
	const char *name = json_string_value(json_object_get(body, "name"));
	json_t *payload = json_object_get(body, "payload");
	enum pf_code rc = PF_OK;
	if (!name)
		rc = pf_err_set(err, PF_E_BAD_REQUEST, "name",
		                "\"name\" (the payload whose options are wanted) is required");
	else if (payload && !json_is_object(payload))
		rc = pf_err_set(err, PF_E_BAD_REQUEST, "payload", "payload must be a JSON object");
	if (rc == PF_OK) {
		ctx_from_payload(&c, req, payload);
		if (strcmp(name, "unit") == 0)
			c.unit = NULL;
		rc = option_list(&c, name, "label", "value", &out, err);
	}
	json_decref(body);
	if (rc)
		return pf_gf_fail(req, reply, err);
	pf_reply_json(reply, 200, out);
	return PF_OK;
}

/* /variable: payload {"target": "projects" | "branches [project]" |
 * "functions [project [branch [cpu|heap]]]" | "benchmarks [project
 * [branch]]"} or a JSON object with target, project, branch, kind. */
enum pf_code pf_h_grafana_variable(struct pf_req *req, struct pf_reply *reply, struct pf_err *err)
{
	json_t *body, *out = NULL;
	struct ctx c;
	char q[512], *words[4] = {NULL, NULL, NULL, NULL};
	int nw = 0;
	static const char *names[][2] = {{"projects", "project"},
	                                 {"branches", "branch"},
	                                 {"functions", "function"},
	                                 {"benchmarks", "benchmark"}};
	if (pf_gf_body(req, &body, err) != PF_OK)
		return pf_gf_fail(req, reply, err);
	json_t *payload = json_object_get(body, "payload");
	const char *target = json_string_value(json_object_get(payload, "target"));
	enum pf_code rc = PF_OK;
	if (!json_is_object(payload) || !target)
		rc = pf_err_set(err, PF_E_BAD_REQUEST, "payload.target",
		                "payload.target (the variable query) is required");
	else if (strlen(target) >= sizeof q)
		rc = pf_err_set(err, PF_E_BAD_REQUEST, "payload.target", "query too long");
	if (rc == PF_OK) {
		snprintf(q, sizeof q, "%s", target);
		for (char *w = q; *w && nw < 4;) {
			size_t n = strcspn(w, " \t");
			if (n)
				words[nw++] = w;
			if (!w[n])
				break;
			w[n] = '\0';
			w += n + 1;
		}
		ctx_from_payload(&c, req, payload);
		if (nw > 1 && pf_valid_project_name(words[1]))
			rc = pf_gf_project(req, words[1], "payload.target", &c.project, err);
		if (nw > 2)
			c.branch = words[2];
		if (nw > 3)
			c.kind = strcmp(words[3], "heap") == 0 ? "heap" : "cpu";
	}
	const char *what = NULL;
	for (size_t i = 0; rc == PF_OK && nw > 0 && i < 4; i++)
		if (strcmp(words[0], names[i][0]) == 0)
			what = names[i][1];
	if (rc == PF_OK && !what)
		rc = pf_err_set(err, PF_E_BAD_REQUEST, "payload.target",
		                "unknown variable query '%.64s': use projects, branches <project>, "
		                "functions <project> <branch> [cpu|heap], benchmarks <project> "
		                "<branch>",
		                target);
	if (rc == PF_OK && strcmp(what, "project") != 0 && !c.project)
		rc = pf_err_set(err, PF_E_BAD_REQUEST, "payload.target",
		                "'%.64s' needs a project: e.g. '%s myproject'", target, words[0]);
	if (rc == PF_OK)
		rc = option_list(&c, what, "__text", "__value", &out, err);
	json_decref(body);
	if (rc)
		return pf_gf_fail(req, reply, err);
	pf_reply_json(reply, 200, out);
	return PF_OK;
}

enum pf_code pf_h_grafana_tag_keys(struct pf_req *req, struct pf_reply *reply, struct pf_err *err)
{
	json_t *body;
	if (pf_gf_body(req, &body, err) != PF_OK)
		return pf_gf_fail(req, reply, err);
	json_decref(body);
	pf_reply_json(reply, 200,
	              json_pack("[{s:s, s:s}, {s:s, s:s}]", "type", "string", "text", "project",
	                        "type", "string", "text", "branch"));
	return PF_OK;
}

enum pf_code pf_h_grafana_tag_values(struct pf_req *req, struct pf_reply *reply, struct pf_err *err)
{
	json_t *body, *out = NULL, *all = NULL;
	struct ctx c;
	if (pf_gf_body(req, &body, err) != PF_OK)
		return pf_gf_fail(req, reply, err);
	const char *key = json_string_value(json_object_get(body, "key"));
	enum pf_code rc = PF_OK;
	memset(&c, 0, sizeof c);
	c.req = req;
	if (!key)
		rc = pf_err_set(err, PF_E_BAD_REQUEST, "key",
		                "\"key\" (project or branch) is required");
	else if (strcmp(key, "project") == 0)
		rc = option_list(&c, "project", "text", "text", &out, err);
	else if (strcmp(key, "branch") == 0) {
		/* branches of the visible projects (a project=... filter narrows) */
		size_t i;
		json_t *f, *p;
		json_t *filters = json_object_get(body, "filters");
		const char *only = NULL;
		json_array_foreach(
		        filters, i,
		        f) if (json_is_string(json_object_get(f, "key")) &&
		               strcmp(json_string_value(json_object_get(f, "key")), "project") == 0)
		        only = json_string_value(json_object_get(f, "value"));
		rc = option_list(&c, "project", "text", "text", &all, err);
		out = json_array();
		c.out = out;
		c.text_key = c.value_key = "text";
		json_array_foreach(all, i, p)
		{
			const char *name = json_string_value(json_object_get(p, "text"));
			if (rc || i >= MAX_PROJECTS_TAG || (only && strcmp(only, name) != 0))
				continue;
			rc = pf_db_trend_branches(pf_req_db(req), name, MAX_OPTIONS, push_branch,
			                          &c, err);
		}
		json_decref(all);
	} else
		rc = pf_err_set(err, PF_E_BAD_REQUEST, "key",
		                "unknown tag key '%.64s' (project, branch)", key);
	json_decref(body);
	if (rc) {
		json_decref(out);
		return pf_gf_fail(req, reply, err);
	}
	pf_reply_json(reply, 200, out);
	return PF_OK;
}
