/* h_projects.c: GET /v1/projects and GET /v1/projects/{p}. */
#include <stdlib.h>
#include <string.h>

#include "daemon.h"

static enum pf_code reply_json_text(struct pf_reply *reply, char *text, struct pf_err *err)
{
	json_error_t je;
	json_t *j = json_loads(text, 0, &je);
	free(text);
	if (!j)
		return pf_err_set(err, PF_E_INTERNAL, NULL, "database returned invalid JSON: %s",
		                  je.text);
	pf_reply_json(reply, 200, j);
	return PF_OK;
}

enum pf_code pf_h_project_list(struct pf_req *req, struct pf_reply *reply, struct pf_err *err)
{
	char *text;
	enum pf_code rc = pf_db_project_list_json(pf_req_db(req), &text, err);
	if (rc)
		return rc;
	if (req->token.project[0]) {
		/* a token bound to one project sees only that project */
		json_error_t je;
		json_t *all = json_loads(text, 0, &je), *mine = json_array();
		size_t i;
		json_t *p;
		free(text);
		if (!all) {
			json_decref(mine);
			return pf_err_set(err, PF_E_INTERNAL, NULL, "bad JSON from the database");
		}
		json_array_foreach(all, i, p)
		{
			const char *name = json_string_value(json_object_get(p, "name"));
			if (name && strcmp(name, req->token.project) == 0)
				json_array_append(mine, p);
		}
		json_decref(all);
		pf_reply_json(reply, 200, json_pack("{s:o}", "projects", mine));
		return PF_OK;
	}
	size_t n = strlen(text) + 32;
	char *wrapped = malloc(n);
	if (!wrapped) {
		free(text);
		return pf_err_set(err, PF_E_NOMEM, NULL, "out of memory");
	}
	snprintf(wrapped, n, "{\"projects\":%s}", text);
	free(text);
	return reply_json_text(reply, wrapped, err);
}

enum pf_code pf_h_project_get(struct pf_req *req, struct pf_reply *reply, struct pf_err *err)
{
	const char *p = pf_req_param(req, "p");
	char *text;
	enum pf_code rc;

	if (!pf_valid_project_name(p))
		return pf_err_set(err, PF_E_BAD_REQUEST, "project",
		                  "invalid project name '%.64s': use 1-64 of A-Z a-z 0-9 . _ - "
		                  "starting with a letter or digit",
		                  p);
	rc = pf_db_project_get_json(pf_req_db(req), p, &text, err);
	if (rc)
		return rc;
	return reply_json_text(reply, text, err);
}
