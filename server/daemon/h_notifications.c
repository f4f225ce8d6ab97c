/* h_notifications.c: GET /v1/projects/{p}/notifications — a project's
 * latest outbox events with their state, attempts and last error (admin:
 * the errors may name the repository and the integration). Never shows a
 * payload or a secret. */
#include <stdlib.h>
#include <string.h>

#include "daemon.h"
#include "parse.h"

enum pf_code pf_h_project_notifications(struct pf_req *req, struct pf_reply *reply,
                                        struct pf_err *err)
{
	const char *p = pf_req_param(req, "p");
	const char *state = pf_req_query(req, "state");
	const char *ls = pf_req_query(req, "limit");
	struct pf_db_project proj = {0};
	int64_t limit = 50;
	char *text;

	if (!pf_valid_project_name(p))
		return pf_err_set(err, PF_E_BAD_REQUEST, "project", "invalid project name '%.64s'",
		                  p);
	if (state && strcmp(state, "pending") != 0 && strcmp(state, "sending") != 0 &&
	    strcmp(state, "delivered") != 0 && strcmp(state, "failed") != 0)
		return pf_err_set(
		        err, PF_E_BAD_REQUEST, "state",
		        "state must be pending, sending, delivered or failed, not '%.20s'", state);
	if (ls && (!pf_parse_i64(ls, &limit) || limit < 1 || limit > 500))
		return pf_err_set(err, PF_E_BAD_REQUEST, "limit",
		                  "limit must be 1..500, not '%.20s'", ls);
	enum pf_code rc = pf_db_project_load(pf_req_db(req), p, &proj, err);
	free(proj.settings_json);
	if (rc)
		return rc;
	rc = pf_db_outbox_list(pf_req_db(req), p, state, (int)limit, &text, err);
	if (rc)
		return rc;
	json_error_t je;
	json_t *list = json_loads(text, 0, &je);
	free(text);
	if (!list)
		return pf_err_set(err, PF_E_INTERNAL, NULL, "database returned invalid JSON: %s",
		                  je.text);
	pf_reply_json(reply, 200, json_pack("{s:s, s:o}", "project", p, "notifications", list));
	return PF_OK;
}
