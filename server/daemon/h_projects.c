/* h_projects.c: the project resources: GET /v1/projects, GET and PUT
 * /v1/projects/{p}, its runs, its baseline and its gate statistics. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "daemon.h"
#include "notify.h"
#include "parse.h"
#include "pf_mem.h"
#include "upload.h"

/* Reply with a JSON text from the store wrapped as {"key": text, ...}. */
static enum pf_code reply_wrapped(struct pf_reply *reply, const char *key, char *text,
                                  json_t *extra, struct pf_err *err)
{
	json_error_t je;
	json_t *j = json_loads(text, 0, &je);
	free(text);
	if (!j) {
		json_decref(extra);
		return pf_err_set(err, PF_E_INTERNAL, NULL, "database returned invalid JSON: %s",
		                  je.text);
	}
	json_t *o = extra ? extra : json_object();
	json_object_set_new(o, key, j);
	pf_reply_json(reply, 200, o);
	return PF_OK;
}

enum pf_code pf_h_project_list(struct pf_req *req, struct pf_reply *reply, struct pf_err *err)
{
	char *text;
	json_error_t je;
	enum pf_code rc = pf_db_project_list_json(pf_req_db(req), &text, err);
	if (rc)
		return rc;
	json_t *all = json_loads(text, 0, &je), *p;
	free(text);
	if (!all)
		return pf_err_set(err, PF_E_INTERNAL, NULL, "database returned invalid JSON: %s",
		                  je.text);
	/* a token bound to one project sees only that project */
	for (size_t i = json_array_size(all); req->token.project[0] && i-- > 0;) {
		p = json_array_get(all, i);
		const char *name = json_string_value(json_object_get(p, "name"));
		if (!name || strcmp(name, req->token.project) != 0)
			json_array_remove(all, i);
	}
	pf_reply_json(reply, 200, json_pack("{s:o}", "projects", all));
	return PF_OK;
}

static enum pf_code project_param(struct pf_req *req, const char **p, struct pf_err *err)
{
	*p = pf_req_param(req, "p");
	if (!pf_valid_project_name(*p))
		return pf_err_set(err, PF_E_BAD_REQUEST, "project", "invalid project name '%.64s'",
		                  *p);
	return PF_OK;
}

/* A branch from the query: 1-255 printable bytes. */
static enum pf_code branch_query(struct pf_req *req, const char **b, struct pf_err *err)
{
	*b = pf_req_query(req, "branch");
	if (!*b)
		return PF_OK;
	size_t n = strlen(*b);
	if (n == 0 || n > 255)
		return pf_err_set(err, PF_E_BAD_REQUEST, "branch", "branch must be 1-255 bytes");
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)(*b)[i] < 0x20)
			return pf_err_set(err, PF_E_BAD_REQUEST, "branch",
			                  "branch has a control character at byte %zu", i);
	return PF_OK;
}

enum pf_code pf_h_project_runs(struct pf_req *req, struct pf_reply *reply, struct pf_err *err)
{
	const char *p, *branch, *ls = pf_req_query(req, "limit"), *cs = pf_req_query(req, "cursor");
	int64_t limit = 50, cursor = 0;
	char *text;
	enum pf_code rc = project_param(req, &p, err);
	if (rc == PF_OK)
		rc = branch_query(req, &branch, err);
	if (rc)
		return rc;
	if (ls && (!pf_parse_i64(ls, &limit) || limit < 1 || limit > 500))
		return pf_err_set(err, PF_E_BAD_REQUEST, "limit",
		                  "limit must be 1..500, not '%.20s'", ls);
	if (cs && (!pf_parse_i64(cs, &cursor) || cursor < 1))
		return pf_err_set(err, PF_E_BAD_REQUEST, "cursor",
		                  "cursor must be a value of next_cursor, not '%.40s'", cs);
	rc = pf_db_runs_list(pf_req_db(req), p, branch, cursor, (int)limit, &text, err);
	if (rc)
		return rc;
	json_error_t je;
	json_t *runs = json_loads(text, 0, &je);
	free(text);
	if (!runs)
		return pf_err_set(err, PF_E_INTERNAL, NULL, "bad JSON from the database");
	json_t *next = json_null();
	size_t n = json_array_size(runs);
	if ((int64_t)n == limit) {
		char c[24];
		snprintf(c, sizeof c, "%lld",
		         (long long)json_integer_value(
		                 json_object_get(json_array_get(runs, n - 1), "id")));
		next = json_string(c);
	}
	pf_reply_json(reply, 200, json_pack("{s:o, s:o}", "runs", runs, "next_cursor", next));
	return PF_OK;
}

enum pf_code pf_h_project_baseline(struct pf_req *req, struct pf_reply *reply, struct pf_err *err)
{
	const char *p, *branch;
	struct pf_db_project proj = {0};
	struct pf_policy policy;
	json_t *settings = NULL;
	char *text;
	enum pf_code rc = project_param(req, &p, err);
	if (rc == PF_OK)
		rc = branch_query(req, &branch, err);
	if (rc)
		return rc;
	rc = pf_db_project_load(pf_req_db(req), p, &proj, err);
	if (rc)
		return rc;
	json_error_t je;
	settings = json_loads(proj.settings_json, 0, &je);
	rc = pf_upload_policy(&req->d->cfg, settings, NULL, &policy, err);
	if (!branch)
		branch = proj.default_branch;
	if (rc == PF_OK)
		rc = pf_db_baseline_list(pf_req_db(req), p, branch, policy.baseline_runs, &text,
		                         err);
	json_t *extra =
	        rc ? NULL
	           : json_pack("{s:s, s:i}", "branch", branch, "window", policy.baseline_runs);
	free(proj.settings_json);
	json_decref(settings);
	if (rc)
		return rc;
	return reply_wrapped(reply, "runs", text, extra, err);
}

enum pf_code pf_h_gate_stats(struct pf_req *req, struct pf_reply *reply, struct pf_err *err)
{
	const char *p;
	char *text;
	struct pf_db_project proj = {0};
	enum pf_code rc = project_param(req, &p, err);
	if (rc)
		return rc;
	rc = pf_db_project_load(pf_req_db(req), p, &proj, err);
	free(proj.settings_json);
	if (rc)
		return rc;
	rc = pf_db_gate_stats(pf_req_db(req), p, &text, err);
	if (rc)
		return rc;
	return reply_wrapped(reply, "gates", text, json_pack("{s:s}", "project", p), err);
}

/* Settings keys a project may hold, with their checks. Secrets in
 * "notifications" are write-only: GET shows that they are set. */
static bool is_secret(const char *key)
{
	return strstr(key, "token") || strstr(key, "webhook") || strstr(key, "secret");
}

static json_t *masked(const json_t *settings)
{
	json_t *out = json_deep_copy(settings);
	json_t *n = json_object_get(out, "notifications");
	const char *k;
	json_t *v;
	json_object_foreach(n, k, v)
	{
		if (is_secret(k) && json_is_string(v))
			json_object_set_new(n, k, json_string("(set)"));
	}
	return out;
}

/* GET /v1/projects/{p}: settings with secrets masked. */
enum pf_code pf_h_project_get(struct pf_req *req, struct pf_reply *reply, struct pf_err *err)
{
	const char *p;
	struct pf_db_project proj = {0};
	enum pf_code rc = project_param(req, &p, err);
	if (rc)
		return rc;
	rc = pf_db_project_load(pf_req_db(req), p, &proj, err);
	if (rc)
		return rc;
	json_error_t je;
	json_t *settings = json_loads(proj.settings_json, 0, &je);
	free(proj.settings_json);
	if (!settings)
		return pf_err_set(err, PF_E_INTERNAL, NULL, "stored settings are not JSON");
	json_t *m = masked(settings);
	json_decref(settings);
	pf_reply_json(reply, 200,
	              json_pack("{s:s, s:s, s:o}", "name", p, "default_branch", proj.default_branch,
	                        "settings", m));
	return PF_OK;
}

/* PUT /v1/projects/{p}: {"default_branch", "policy": {AI_GATE_*: value},
 * "notifications": {...}}; fields present replace the stored ones. */
enum pf_code pf_h_project_put(struct pf_req *req, struct pf_reply *reply, struct pf_err *err)
{
	const char *p;
	struct pf_db_project proj = {0};
	json_error_t je;
	enum pf_code rc = project_param(req, &p, err);
	if (rc)
		return rc;
	json_t *body;
	rc = pf_req_json_object(req, &body, err);
	if (rc)
		return rc;
	rc = pf_db_project_load(pf_req_db(req), p, &proj, err);
	if (rc == PF_E_NOT_FOUND) {
		snprintf(proj.default_branch, sizeof proj.default_branch, "main");
		proj.settings_json = pf_xstrdup("{}");
		rc = PF_OK;
	}
	json_t *settings = rc ? NULL : json_loads(proj.settings_json, 0, &je);
	free(proj.settings_json);
	if (rc)
		goto out;
	if (!settings)
		settings = json_object();
	const char *k;
	json_t *v;
	json_object_foreach(body, k, v)
	{
		if (strcmp(k, "default_branch") == 0) {
			const char *b = json_string_value(v);
			if (!b || !*b || strlen(b) > 255) {
				rc = pf_err_set(err, PF_E_BAD_REQUEST, "default_branch",
				                "default_branch must be a string of 1-255 bytes");
				goto out;
			}
			snprintf(proj.default_branch, sizeof proj.default_branch, "%s", b);
		} else if (strcmp(k, "policy") == 0) {
			struct pf_policy_layer l = {0};
			const char *pk;
			json_t *pv;
			if (!json_is_object(v)) {
				rc = pf_err_set(err, PF_E_BAD_REQUEST, "policy",
				                "policy must be an object of AI_GATE_* keys");
				goto out;
			}
			json_t *clean = json_object();
			json_object_foreach(v, pk, pv)
			{
				char num[64];
				const char *sv = json_string_value(pv);
				if (json_is_number(pv)) {
					snprintf(num, sizeof num, "%.15g", json_number_value(pv));
					sv = num;
				} else if (json_is_boolean(pv)) {
					sv = json_is_true(pv) ? "true" : "false";
				}
				if (!sv || (rc = pf_policy_layer_set(&l, pk, sv, err)) != PF_OK) {
					if (!sv)
						rc = pf_err_set(
						        err, PF_E_BAD_CONFIG, pk,
						        "%s: expected a string, number or boolean",
						        pk);
					json_decref(clean);
					goto out;
				}
				json_object_set_new(clean, pk, json_string(sv));
			}
			json_object_set_new(settings, "policy", clean);
		} else if (strcmp(k, "notifications") == 0) {
			if (!json_is_object(v)) {
				rc = pf_err_set(err, PF_E_BAD_REQUEST, "notifications",
				                "notifications must be an object");
				goto out;
			}
			/* "(set)" from a GET keeps the stored secret */
			json_t *old = json_object_get(settings, "notifications");
			json_t *nv = json_deep_copy(v);
			const char *nk;
			json_t *nval;
			json_object_foreach(nv, nk, nval)
			{
				if (json_is_string(nval) &&
				    strcmp(json_string_value(nval), "(set)") == 0 &&
				    json_object_get(old, nk))
					json_object_set(nv, nk, json_object_get(old, nk));
			}
			/* the keys of README "Notifications" (notify.h) */
			rc = pf_notify_settings_check(nv, err);
			if (rc) {
				json_decref(nv);
				goto out;
			}
			json_object_set_new(settings, "notifications", nv);
		} else {
			rc = pf_err_set(err, PF_E_BAD_REQUEST, k,
			                "unknown project setting '%s' (default_branch, policy, "
			                "notifications)",
			                k);
			goto out;
		}
	}
	char *text = json_dumps(settings, JSON_COMPACT | JSON_PRESERVE_ORDER);
	rc = pf_db_project_save(pf_req_db(req), p, proj.default_branch, text, err);
	free(text);
	if (rc == PF_OK) {
		json_t *m = masked(settings);
		pf_reply_json(reply, 200,
		              json_pack("{s:s, s:s, s:o}", "name", p, "default_branch",
		                        proj.default_branch, "settings", m));
	}
out:
	json_decref(settings);
	json_decref(body);
	return rc;
}
