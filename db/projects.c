/* projects.c: typed queries of the project resources: run listing,
 * baselines and promotion, feedback, gate statistics, settings. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_internal.h"
#include "pf_mem.h"

enum pf_code pf_db_project_list_json(struct pf_db *db, char **json, struct pf_err *err)
{
	return pf_db_text(db, ST_PROJECT_LIST, 0, NULL, json, err);
}

enum pf_code pf_db_runs_list(struct pf_db *db, const char *project, const char *branch,
                             int64_t before_id, int limit, char **json, struct pf_err *err)
{
	char before[24], lim[16];
	I64(before, before_id);
	I64(lim, limit);
	const char *vals[4] = {project, branch, before_id > 0 ? before : NULL, lim};
	return pf_db_text(db, ST_RUNS_LIST, 4, vals, json, err);
}

enum pf_code pf_db_baseline_list(struct pf_db *db, const char *project, const char *branch, int n,
                                 char **json, struct pf_err *err)
{
	char lim[16];
	I64(lim, n);
	const char *vals[3] = {project, branch, lim};
	return pf_db_text(db, ST_BASELINE_LIST, 3, vals, json, err);
}

enum pf_code pf_db_run_project(struct pf_db *db, int64_t run_id, char project[80], char branch[256],
                               struct pf_err *err)
{
	PGresult *r;
	enum pf_code rc = pf_db_run_row(db, ST_RUN_PROJECT, run_id, NULL, &r, err);
	if (rc)
		return rc;
	snprintf(project, 80, "%s", PQgetvalue(r, 0, 0));
	snprintf(branch, 256, "%s", PQgetvalue(r, 0, 1));
	PQclear(r);
	return PF_OK;
}

struct promote_ctx {
	int64_t run_id;
	const char *by;
	bool added;
};

static enum pf_code promote_tx(struct pf_db *db, void *arg, struct pf_err *err)
{
	struct promote_ctx *c = arg;
	char project[80], branch[256], id[24], pid[24];
	PGresult *r;
	enum pf_code rc = pf_db_run_project(db, c->run_id, project, branch, err);
	if (rc)
		return rc;
	const char *pv[1] = {project};
	rc = pf_db_exec(db, ST_PROJECT_LOCK, 1, pv, NULL, NULL, &r, err);
	if (rc)
		return rc;
	snprintf(pid, sizeof pid, "%s", PQgetvalue(r, 0, 0));
	PQclear(r);
	I64(id, c->run_id);
	const char *vals[4] = {pid, branch, id, c->by};
	rc = pf_db_exec(db, ST_BASELINE_PROMOTE, 4, vals, NULL, NULL, &r, err);
	if (rc)
		return rc;
	c->added = strcmp(PQcmdTuples(r), "1") == 0;
	PQclear(r);
	return PF_OK;
}

enum pf_code pf_db_promote(struct pf_db *db, int64_t run_id, const char *by, bool *added,
                           struct pf_err *err)
{
	struct promote_ctx c = {.run_id = run_id, .by = by};
	enum pf_code rc = pf_db_tx_run(db, promote_tx, &c, err);
	*added = c.added;
	return rc;
}

enum pf_code pf_db_feedback_insert(struct pf_db *db, int64_t run_id, const char *gate,
                                   bool false_positive, const char *note, const char *by,
                                   char **json, struct pf_err *err)
{
	char id[24];
	I64(id, run_id);
	const char *vals[5] = {id, gate, false_positive ? "true" : "false", note, by};
	return pf_db_text(db, ST_FEEDBACK_INSERT, 5, vals, json, err);
}

enum pf_code pf_db_gate_stats(struct pf_db *db, const char *project, char **json,
                              struct pf_err *err)
{
	const char *vals[1] = {project};
	return pf_db_text(db, ST_GATE_STATS, 1, vals, json, err);
}

enum pf_code pf_db_project_save(struct pf_db *db, const char *project, const char *default_branch,
                                const char *settings_json, struct pf_err *err)
{
	const char *vals[3] = {project, default_branch, settings_json};
	return pf_db_run(db, ST_PROJECT_SAVE, 3, vals, NULL, NULL, err);
}
