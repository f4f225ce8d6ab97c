/* h_health.c: GET /healthz (liveness), /readyz (database reachable and
 * schema current), /metrics (Prometheus text), /openapi.json. */
#include <string.h>

#include "daemon.h"
#include "embedded.h"

enum pf_code pf_h_healthz(struct pf_req *req, struct pf_reply *reply, struct pf_err *err)
{
	(void)req;
	(void)err;
	pf_reply_json(reply, 200, json_pack("{s:s}", "status", "ok"));
	return PF_OK;
}

enum pf_code pf_h_readyz(struct pf_req *req, struct pf_reply *reply, struct pf_err *err)
{
	int version = 0;
	int known = (int)pf_db_known_schema_version();
	enum pf_code rc;

	if (!req->d->cfg.database_url)
		return pf_err_set(err, PF_E_UNAVAILABLE, NULL, "PERFGATE_DATABASE_URL is not set");
	rc = pf_db_schema_version(pf_req_db(req), &version, err);
	if (rc)
		return rc;
	if (version < known)
		return pf_err_set(err, PF_E_SCHEMA, NULL,
		                  "database schema is at version %d, this perfgate needs %d: run "
		                  "`perfgate migrate`",
		                  version, known);
	if (version > known)
		return pf_err_set(err, PF_E_SCHEMA, NULL,
		                  "database schema version %d is newer than this perfgate (%d)",
		                  version, known);
	rc = pf_db_check_statements(pf_req_db(req), err);
	if (rc)
		return rc;
	pf_reply_json(reply, 200, json_pack("{s:s, s:i}", "status", "ready", "schema", version));
	return PF_OK;
}

enum pf_code pf_h_metrics(struct pf_req *req, struct pf_reply *reply, struct pf_err *err)
{
	struct pf_buf b;
	size_t len;
	(void)req;

	pf_buf_init(&b, 4 * 1024 * 1024);
	pf_metrics_render(&b);
	if (pf_buf_status(&b) != PF_OK) {
		pf_buf_free(&b);
		return pf_err_set(err, PF_E_NOMEM, NULL, "cannot render the metrics");
	}
	char *data = pf_buf_steal(&b, &len);
	pf_reply_take(reply, 200, "text/plain; version=0.0.4; charset=utf-8", data, len);
	return PF_OK;
}

enum pf_code pf_h_openapi(struct pf_req *req, struct pf_reply *reply, struct pf_err *err)
{
	(void)req;
	(void)err;
	pf_reply_data(reply, 200, "application/json", pf_docs[0].data, pf_docs[0].len);
	return PF_OK;
}
