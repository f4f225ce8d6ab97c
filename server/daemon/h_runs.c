/* h_runs.c: reading a stored run: GET /v1/runs/{id} (the report),
 * /comment.md, /junit.xml, /profiles/{kind} (the upload, byte for byte),
 * /profiles/{kind}/speedscope.json and /profiles/{kind}/top?n=N. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "daemon.h"
#include "functab.h"
#include "gate.h"
#include "parse.h"
#include "pf_mem.h"
#include "policy.h"
#include "pprof.h"
#include "speedscope.h"

/* The {id} path parameter: a positive number, else 404. */
static enum pf_code run_id(struct pf_req *req, int64_t *id, struct pf_err *err)
{
	const char *ids = pf_req_param(req, "id");
	if (!pf_parse_i64(ids, id) || *id <= 0)
		return pf_err_set(err, PF_E_NOT_FOUND, "id",
		                  "no run '%.40s': run ids are positive numbers", ids);
	return PF_OK;
}

/* Run {id} exists and the token may see its project (no report read). */
static enum pf_code check_run(struct pf_req *req, int64_t *id, struct pf_err *err)
{
	char project[80], branch[256];
	enum pf_code rc = run_id(req, id, err);
	if (rc == PF_OK)
		rc = pf_db_run_project(pf_req_db(req), *id, project, branch, err);
	if (rc == PF_OK)
		rc = pf_req_check_project(req, project, err);
	return rc;
}

/* Load run {id}'s report, checking the token's project. *report is a new
 * reference. */
static enum pf_code load_run(struct pf_req *req, int64_t *id, json_t **report, struct pf_err *err)
{
	char project[80], *text;
	json_error_t je;
	enum pf_code rc = run_id(req, id, err);
	if (rc == PF_OK)
		rc = pf_db_run_get(pf_req_db(req), *id, &text, project, err);
	if (rc)
		return rc;
	rc = pf_req_check_project(req, project, err);
	if (rc) {
		free(text);
		return rc;
	}
	*report = json_loads(text, 0, &je);
	free(text);
	if (!*report)
		return pf_err_set(err, PF_E_INTERNAL, NULL,
		                  "stored report of run %lld is not JSON: %s", (long long)*id,
		                  je.text);
	return PF_OK;
}

enum pf_code pf_h_run_get(struct pf_req *req, struct pf_reply *reply, struct pf_err *err)
{
	int64_t id;
	json_t *report;
	enum pf_code rc = load_run(req, &id, &report, err);
	if (rc)
		return rc;
	pf_reply_json(reply, 200, report);
	return PF_OK;
}

enum pf_code pf_h_run_comment(struct pf_req *req, struct pf_reply *reply, struct pf_err *err)
{
	int64_t id;
	json_t *report;
	enum pf_code rc = load_run(req, &id, &report, err);
	if (rc)
		return rc;
	char *md = pf_report_markdown(report, 65536);
	json_decref(report);
	if (!md)
		return pf_err_set(err, PF_E_NOMEM, NULL, "cannot render the comment");
	pf_reply_take(reply, 200, "text/markdown; charset=utf-8", md, strlen(md));
	return PF_OK;
}

enum pf_code pf_h_run_junit(struct pf_req *req, struct pf_reply *reply, struct pf_err *err)
{
	int64_t id;
	json_t *report;
	enum pf_code rc = load_run(req, &id, &report, err);
	if (rc)
		return rc;
	char *xml = pf_report_junit(report);
	json_decref(report);
	if (!xml)
		return pf_err_set(err, PF_E_NOMEM, NULL, "cannot render the JUnit XML");
	pf_reply_take(reply, 200, "application/xml; charset=utf-8", xml, strlen(xml));
	return PF_OK;
}

/* The raw upload of {kind} of run {id}. */
static enum pf_code load_artifact(struct pf_req *req, const char **kind, uint8_t **data,
                                  size_t *len, bool profile_only, struct pf_err *err)
{
	int64_t id;
	enum pf_code rc;

	*kind = pf_req_param(req, "kind");
	if (strcmp(*kind, "cpu") != 0 && strcmp(*kind, "heap") != 0 &&
	    (profile_only || (strcmp(*kind, "bench") != 0 && strcmp(*kind, "report") != 0)))
		return pf_err_set(err, PF_E_NOT_FOUND, "kind",
		                  profile_only
		                          ? "profile kind must be cpu or heap, not '%.40s'"
		                          : "kind must be cpu, heap, bench or report, not '%.40s'",
		                  *kind);
	rc = check_run(req, &id, err);
	if (rc)
		return rc;
	return pf_db_artifact_get(pf_req_db(req), id, *kind, data, len, err);
}

enum pf_code pf_h_run_profile(struct pf_req *req, struct pf_reply *reply, struct pf_err *err)
{
	const char *kind;
	uint8_t *data;
	size_t len;
	enum pf_code rc = load_artifact(req, &kind, &data, &len, false, err);
	if (rc)
		return rc;
	const char *ctype = strcmp(kind, "bench") == 0    ? "text/plain; charset=utf-8"
	                    : strcmp(kind, "report") == 0 ? "application/json"
	                                                  : "application/octet-stream";
	pf_reply_take(reply, 200, ctype, (char *)data, len);
	return PF_OK;
}

/* The limits a stored profile is decoded with: the daemon's, as at upload. */
static struct pf_pprof_limits stored_limits(const struct pf_req *req)
{
	struct pf_pprof_limits lim = pf_pprof_limits_default();
	lim.max_bytes = (size_t)req->d->cfg.max_profile_mb * 1024 * 1024;
	return lim;
}

/* Decode the stored profile {kind} of run {id} into the request's arena. */
static enum pf_code load_profile(struct pf_req *req, const char **kind, struct pf_profile **p,
                                 struct pf_err *err)
{
	uint8_t *data;
	size_t len;
	struct pf_pprof_limits lim = stored_limits(req);
	enum pf_code rc = load_artifact(req, kind, &data, &len, true, err);
	if (rc)
		return rc;
	rc = pf_pprof_decode(data, len, &lim, &req->arena, p, err);
	free(data);
	return rc;
}

enum pf_code pf_h_run_speedscope(struct pf_req *req, struct pf_reply *reply, struct pf_err *err)
{
	const char *kind;
	struct pf_profile *p;
	json_t *doc;
	char name[64];
	enum pf_code rc = load_profile(req, &kind, &p, err);
	if (rc)
		return rc;
	snprintf(name, sizeof name, "run %s %s", pf_req_param(req, "id"), kind);
	int idx = pf_pprof_choose_index(p, pf_pprof_kind_index(kind), NULL);
	rc = pf_speedscope_json(p, idx, name, &doc, err);
	if (rc)
		return rc;
	pf_reply_json(reply, 200, doc);
	return PF_OK;
}

/* The function table straight from the stored bytes (pf_pprof_functab, as
 * an upload reads them): every function, no model of the samples kept. */
enum pf_code pf_h_run_top(struct pf_req *req, struct pf_reply *reply, struct pf_err *err)
{
	const char *kind, *ns = pf_req_query(req, "n"), *si = pf_req_query(req, "sample_index");
	struct pf_pprof_limits lim = stored_limits(req);
	struct pf_functab *t;
	uint8_t *data;
	size_t len;
	int64_t n = 50;
	enum pf_code rc;

	if (ns && (!pf_parse_i64(ns, &n) || n < 0 || n > 1000000))
		return pf_err_set(err, PF_E_BAD_REQUEST, "n",
		                  "n must be 0 (all) to 1000000, not '%.20s'", ns);
	rc = load_artifact(req, &kind, &data, &len, true, err);
	if (rc)
		return rc;
	rc = pf_pprof_functab(data, len, &lim, si ? si : pf_pprof_kind_index(kind), &req->arena, &t,
	                      err);
	free(data);
	if (rc)
		return rc;
	json_t *j = pf_functab_json(t, (size_t)n);
	if (!j)
		return pf_err_set(err, PF_E_NOMEM, NULL, "cannot render the table");
	pf_reply_json(reply, 200, j);
	return PF_OK;
}

/* Who acted, for the audit columns: "token:<id>" or "auth-off". */
static const char *actor(struct pf_req *req)
{
	if (req->d->cfg.auth_off)
		return "auth-off";
	return pf_arena_printf(&req->arena, "token:%lld", (long long)req->token.id);
}

/* POST /v1/runs/{id}/promote: make the run a baseline of its branch. */
enum pf_code pf_h_run_promote(struct pf_req *req, struct pf_reply *reply, struct pf_err *err)
{
	int64_t id;
	bool added;
	enum pf_code rc = check_run(req, &id, err);
	if (rc)
		return rc;
	rc = pf_db_promote(pf_req_db(req), id, actor(req), &added, err);
	if (rc)
		return rc;
	pf_req_log(req, PF_LOG_INFO, "run %lld promoted to baseline by %s%s", (long long)id,
	           actor(req), added ? "" : " (already was)");
	pf_reply_json(reply, added ? 201 : 200,
	              json_pack("{s:I, s:b, s:s}", "run_id", (json_int_t)id, "promoted", 1,
	                        "promoted_by", actor(req)));
	return PF_OK;
}

/* POST /v1/runs/{id}/feedback: {"gate","false_positive":true,"note"}. */
enum pf_code pf_h_run_feedback(struct pf_req *req, struct pf_reply *reply, struct pf_err *err)
{
	json_error_t je;
	int64_t id;
	json_t *body;
	char *row;
	enum pf_code rc;

	rc = pf_req_json_object(req, &body, err);
	if (rc)
		return rc;
	const char *gate = json_string_value(json_object_get(body, "gate"));
	json_t *fp = json_object_get(body, "false_positive");
	json_t *note = json_object_get(body, "note");
	bool known = false;
	for (int g = 0; gate && g < PF_GATE__COUNT; g++)
		known |= strcmp(gate, pf_gate_name((enum pf_gate_id)g)) == 0;
	if (!known)
		rc = pf_err_set(
		        err, PF_E_BAD_REQUEST, "gate",
		        "gate must be one of cpu_hotspot, alloc_regression, bench_slowdown, "
		        "rating, new_hotspot");
	else if (!json_is_boolean(fp))
		rc = pf_err_set(err, PF_E_BAD_REQUEST, "false_positive",
		                "false_positive must be true or false");
	else if (note && (!json_is_string(note) || json_string_length(note) > 4000))
		rc = pf_err_set(err, PF_E_BAD_REQUEST, "note",
		                "note must be a string of at most 4000 bytes");
	else
		rc = check_run(req, &id, err);
	if (rc) {
		json_decref(body);
		return rc;
	}
	rc = pf_db_feedback_insert(pf_req_db(req), id, gate, json_is_true(fp),
	                           note ? json_string_value(note) : "", actor(req), &row, err);
	json_decref(body);
	if (rc)
		return rc;
	json_t *j = json_loads(row, 0, &je);
	free(row);
	if (!j)
		return pf_err_set(err, PF_E_INTERNAL, NULL, "bad JSON from the database");
	pf_reply_json(reply, 201, j);
	return PF_OK;
}
