/* outbox.c: typed queries of the notification outbox (DESIGN §7): the
 * events written inside the upload's transaction (including the gate-issue
 * lifecycle of the default branch), the delivery thread's claim under a
 * lease and its outcome, the listing for GET /v1/projects/{p}/notifications,
 * and the GitHub state (sticky PR comment id, issue numbers). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_internal.h"
#include "pf_mem.h"

enum pf_code pf_db_outbox_enqueue(struct pf_db *db, int64_t project_id, int64_t run_id, int pr,
                                  const char *events_json, struct pf_err *err)
{
	char pid[24], rid[24], prs[16];
	I64(pid, project_id);
	I64(rid, run_id);
	I64(prs, pr);
	const char *vals[4] = {pid, run_id > 0 ? rid : NULL, events_json, pr > 0 ? prs : NULL};
	return pf_db_run(db, ST_OUTBOX_INSERT, 4, vals, NULL, NULL, err);
}

enum pf_code pf_db_outbox_issues(struct pf_db *db, int64_t project_id, int64_t run_id,
                                 const char *project, const char *branch, const char *commit,
                                 int issue_after, const char *repo, struct pf_err *err)
{
	char pid[24], rid[24], n[16];
	I64(pid, project_id);
	I64(rid, run_id);
	I64(n, issue_after);
	/* close, then comment, then open: a newly opened issue gets no
	 * comment from the run that opened it */
	const char *cv[5] = {pid, rid, project, branch, commit};
	enum pf_code rc = pf_db_run(db, ST_ISSUE_CLOSE, 5, cv, NULL, NULL, err);
	if (rc == PF_OK)
		rc = pf_db_run(db, ST_ISSUE_COMMENT, 5, cv, NULL, NULL, err);
	const char *ov[7] = {pid, rid, project, branch, commit, n, repo};
	if (rc == PF_OK)
		rc = pf_db_run(db, ST_ISSUE_OPEN, 7, ov, NULL, NULL, err);
	return rc;
}

enum pf_code pf_db_outbox_claim(struct pf_db *db, const char *claim_id, int lease_s,
                                struct pf_db_outbox_event *ev, struct pf_err *err)
{
	char lease[16];
	PGresult *r;
	I64(lease, lease_s);
	const char *vals[2] = {claim_id, lease};
	enum pf_code rc = pf_db_exec(db, ST_OUTBOX_CLAIM, 2, vals, NULL, NULL, &r, err);
	if (rc)
		return rc;
	if (PQntuples(r) != 1) {
		PQclear(r);
		return pf_err_set(err, PF_E_NOT_FOUND, NULL, "no event due");
	}
	memset(ev, 0, sizeof *ev);
	ev->id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	snprintf(ev->event, sizeof ev->event, "%s", PQgetvalue(r, 0, 1));
	snprintf(ev->target, sizeof ev->target, "%s", PQgetvalue(r, 0, 2));
	ev->attempts = (int)strtol(PQgetvalue(r, 0, 3), NULL, 10);
	ev->payload = pf_xstrdup(PQgetvalue(r, 0, 4));
	snprintf(ev->project, sizeof ev->project, "%s", PQgetvalue(r, 0, 5));
	ev->settings = pf_xstrdup(PQgetvalue(r, 0, 6));
	ev->project_id = strtoll(PQgetvalue(r, 0, 7), NULL, 10);
	ev->run_id = strtoll(PQgetvalue(r, 0, 8), NULL, 10);
	PQclear(r);
	return PF_OK;
}

void pf_db_outbox_event_free(struct pf_db_outbox_event *ev)
{
	free(ev->payload);
	free(ev->settings);
	ev->payload = ev->settings = NULL;
}

enum pf_code pf_db_outbox_finish(struct pf_db *db, int64_t id, const char *claim_id,
                                 enum pf_db_outbox_outcome outcome, int64_t delay_ms,
                                 long http_status, const char *error, bool *recorded,
                                 struct pf_err *err)
{
	char ids[24], delay[24], status[16];
	PGresult *r;
	I64(ids, id);
	I64(delay, delay_ms);
	I64(status, http_status);
	const char *st = http_status > 0 ? status : NULL;
	const char *vals[5] = {ids, claim_id, st, error, delay};
	enum pf_stmt s = outcome == PF_OUTBOX_DELIVERED ? ST_OUTBOX_DELIVERED
	                 : outcome == PF_OUTBOX_RETRY   ? ST_OUTBOX_RETRY
	                                                : ST_OUTBOX_FAILED;
	int n = outcome == PF_OUTBOX_DELIVERED ? 3 : outcome == PF_OUTBOX_RETRY ? 5 : 4;
	enum pf_code rc = pf_db_exec(db, s, n, vals, NULL, NULL, &r, err);
	if (rc)
		return rc;
	/* 0 rows: the lease ran out and another claim owns the row now */
	if (recorded)
		*recorded = strcmp(PQcmdTuples(r), "1") == 0;
	PQclear(r);
	return PF_OK;
}

enum pf_code pf_db_outbox_list(struct pf_db *db, const char *project, const char *state, int limit,
                               char **json, struct pf_err *err)
{
	char lim[16];
	PGresult *r;
	I64(lim, limit);
	const char *vals[3] = {project, state, lim};
	enum pf_code rc = pf_db_exec(db, ST_OUTBOX_LIST, 3, vals, NULL, NULL, &r, err);
	if (rc)
		return rc;
	*json = pf_xstrdup(PQntuples(r) == 1 ? PQgetvalue(r, 0, 0) : "[]");
	PQclear(r);
	return PF_OK;
}

enum pf_code pf_db_pr_comment_get(struct pf_db *db, int64_t project_id, const char *repo, int pr,
                                  int64_t *comment_id, struct pf_err *err)
{
	char pid[24], prs[16];
	PGresult *r;
	I64(pid, project_id);
	I64(prs, pr);
	const char *vals[3] = {pid, repo, prs};
	enum pf_code rc = pf_db_exec(db, ST_PR_COMMENT_GET, 3, vals, NULL, NULL, &r, err);
	if (rc)
		return rc;
	*comment_id = PQntuples(r) == 1 ? strtoll(PQgetvalue(r, 0, 0), NULL, 10) : 0;
	PQclear(r);
	return PF_OK;
}

enum pf_code pf_db_pr_comment_set(struct pf_db *db, int64_t project_id, const char *repo, int pr,
                                  int64_t comment_id, struct pf_err *err)
{
	char pid[24], prs[16], cid[24];
	I64(pid, project_id);
	I64(prs, pr);
	I64(cid, comment_id);
	const char *vals[4] = {pid, repo, prs, cid};
	return pf_db_run(db, comment_id > 0 ? ST_PR_COMMENT_SET : ST_PR_COMMENT_FORGET,
	                 comment_id > 0 ? 4 : 3, vals, NULL, NULL, err);
}

enum pf_code pf_db_issue_number(struct pf_db *db, int64_t issue_id, int *number, struct pf_err *err)
{
	char id[24];
	PGresult *r;
	I64(id, issue_id);
	const char *vals[1] = {id};
	enum pf_code rc = pf_db_exec(db, ST_ISSUE_NUMBER_GET, 1, vals, NULL, NULL, &r, err);
	if (rc)
		return rc;
	*number = PQntuples(r) == 1 ? (int)strtol(PQgetvalue(r, 0, 0), NULL, 10) : 0;
	PQclear(r);
	return PF_OK;
}

enum pf_code pf_db_issue_set_number(struct pf_db *db, int64_t issue_id, int number,
                                    struct pf_err *err)
{
	char id[24], n[16];
	I64(id, issue_id);
	I64(n, number);
	const char *vals[2] = {id, n};
	return pf_db_run(db, ST_ISSUE_NUMBER_SET, 2, vals, NULL, NULL, err);
}
