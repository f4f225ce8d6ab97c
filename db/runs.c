/* runs.c: typed queries of the runs API: projects as the upload sees
 * them, baselines, stored function and benchmark statistics, and the one
 * transaction that stores an upload. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_internal.h"
#include "pf_mem.h"

enum pf_code pf_db_project_load(struct pf_db *db, const char *name, struct pf_db_project *out,
                                struct pf_err *err)
{
	const char *vals[1] = {name};
	PGresult *r;
	enum pf_code rc = pf_db_exec(db, ST_PROJECT_LOAD, 1, vals, NULL, NULL, &r, err);
	if (rc)
		return rc;
	if (PQntuples(r) != 1) {
		PQclear(r);
		return pf_err_set(err, PF_E_NOT_FOUND, "project", "project '%s' not found", name);
	}
	out->id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	snprintf(out->default_branch, sizeof out->default_branch, "%s", PQgetvalue(r, 0, 1));
	out->settings_json = pf_xstrdup(PQgetvalue(r, 0, 2));
	PQclear(r);
	return PF_OK;
}

enum pf_code pf_db_baseline_runs(struct pf_db *db, int64_t project_id, const char *branch, int max,
                                 struct pf_db_baseline_run *out, size_t *n, struct pf_err *err)
{
	char pid[24], lim[16];
	const char *vals[3] = {pid, branch, lim};
	PGresult *r;
	I64(pid, project_id);
	I64(lim, max);
	enum pf_code rc = pf_db_exec(db, ST_BASELINE_RUNS, 3, vals, NULL, NULL, &r, err);
	if (rc)
		return rc;
	*n = 0;
	for (int i = 0; i < PQntuples(r) && i < max; i++) {
		out[i].id = strtoll(PQgetvalue(r, i, 0), NULL, 10);
		snprintf(out[i].commit, sizeof out[i].commit, "%s", PQgetvalue(r, i, 1));
		snprintf(out[i].runner, sizeof out[i].runner, "%s", PQgetvalue(r, i, 2));
		(*n)++;
	}
	PQclear(r);
	return PF_OK;
}

enum pf_code pf_db_function_stats(struct pf_db *db, int64_t run_id, const char *kind,
                                  struct pf_db_totals *totals,
                                  void (*fn)(void *arg, const struct pf_db_fstat *row), void *arg,
                                  struct pf_err *err)
{
	char id[24];
	const char *vals[2] = {id, kind};
	PGresult *r;
	I64(id, run_id);
	enum pf_code rc = pf_db_exec(db, ST_PROFILE_TOTALS, 2, vals, NULL, NULL, &r, err);
	if (rc)
		return rc;
	if (PQntuples(r) != 1) {
		PQclear(r);
		return pf_err_set(err, PF_E_NOT_FOUND, kind, "run %lld has no %s profile",
		                  (long long)run_id, kind);
	}
	snprintf(totals->sample_index, sizeof totals->sample_index, "%s", PQgetvalue(r, 0, 0));
	snprintf(totals->unit, sizeof totals->unit, "%s", PQgetvalue(r, 0, 1));
	totals->total = strtoll(PQgetvalue(r, 0, 2), NULL, 10);
	totals->total_samples = strtoll(PQgetvalue(r, 0, 3), NULL, 10);
	PQclear(r);
	rc = pf_db_exec(db, ST_FUNCTION_STATS, 2, vals, NULL, NULL, &r, err);
	if (rc)
		return rc;
	for (int i = 0; i < PQntuples(r); i++) {
		struct pf_db_fstat row = {
		        .function = PQgetvalue(r, i, 0),
		        .inline_bits = (int)strtol(PQgetvalue(r, i, 1), NULL, 10),
		        .flat = strtoll(PQgetvalue(r, i, 2), NULL, 10),
		        .cum = strtoll(PQgetvalue(r, i, 3), NULL, 10),
		        .flat_samples = strtoll(PQgetvalue(r, i, 4), NULL, 10),
		        .cum_samples = strtoll(PQgetvalue(r, i, 5), NULL, 10),
		};
		fn(arg, &row);
	}
	PQclear(r);
	return PF_OK;
}

enum pf_code pf_db_bench_samples(struct pf_db *db, const int64_t *runs, size_t n,
                                 void (*fn)(void *arg, const char *benchmark, const char *unit,
                                            const char *samples),
                                 void *arg, struct pf_err *err)
{
	char arr[1024];
	size_t used = 0;
	const char *vals[1] = {arr};
	PGresult *r;

	used += (size_t)snprintf(arr, sizeof arr, "{");
	for (size_t i = 0; i < n && used < sizeof arr - 32; i++)
		used += (size_t)snprintf(arr + used, sizeof arr - used, "%s%lld", i ? "," : "",
		                         (long long)runs[i]);
	snprintf(arr + used, sizeof arr - used, "}");
	enum pf_code rc = pf_db_exec(db, ST_BENCH_SAMPLES, 1, vals, NULL, NULL, &r, err);
	if (rc)
		return rc;
	for (int i = 0; i < PQntuples(r); i++)
		fn(arg, PQgetvalue(r, i, 0), PQgetvalue(r, i, 1), PQgetvalue(r, i, 2));
	PQclear(r);
	return PF_OK;
}

enum pf_code pf_db_run_by_idem(struct pf_db *db, const char *project, const char *key, int64_t *id,
                               char verdict[8], char **report, struct pf_err *err)
{
	const char *vals[2] = {project, key};
	PGresult *r;
	enum pf_code rc = pf_db_exec(db, ST_RUN_BY_IDEM, 2, vals, NULL, NULL, &r, err);
	if (rc)
		return rc;
	if (PQntuples(r) != 1) {
		PQclear(r);
		return pf_err_set(err, PF_E_NOT_FOUND, "Idempotency-Key", "no run under this key");
	}
	*id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	snprintf(verdict, 8, "%s", PQgetvalue(r, 0, 1));
	*report = pf_xstrdup(PQgetvalue(r, 0, 2));
	PQclear(r);
	return PF_OK;
}

enum pf_code pf_db_next_run_id(struct pf_db *db, int64_t *id, struct pf_err *err)
{
	PGresult *r;
	enum pf_code rc = pf_db_exec(db, ST_NEXT_RUN_ID, 0, NULL, NULL, NULL, &r, err);
	if (rc)
		return rc;
	*id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	return PF_OK;
}

struct store_ctx {
	const struct pf_db_run_row *r;
	bool promoted;
};

static enum pf_code store_tx(struct pf_db *db, void *arg, struct pf_err *err)
{
	struct store_ctx *c = arg;
	const struct pf_db_run_row *r = c->r;
	char id[24], pid[24], pr[16], rt[4][32];
	const char *vals[1];
	PGresult *res;
	enum pf_code rc;

	c->promoted = false;
	vals[0] = r->project;
	/* A project created by a concurrent transaction that commits while
	 * this statement waits on its name is not in this statement's snapshot
	 * (no row): the next statement sees it. */
	for (int attempt = 0;; attempt++) {
		rc = pf_db_exec(db, ST_PROJECT_ENSURE, 1, vals, NULL, NULL, &res, err);
		if (rc)
			return rc;
		if (PQntuples(res) == 1)
			break;
		PQclear(res);
		if (attempt == 2)
			return pf_err_set(err, PF_E_RETRYABLE, "project",
			                  "project '%s' could not be created or read", r->project);
	}
	int64_t project_id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	bool on_default = r->branch && strcmp(PQgetvalue(res, 0, 1), r->branch) == 0;
	PQclear(res);
	/* The project's row lock serialises baseline changes (DESIGN §5) and
	 * the notification events of its runs (the outbox conditions read
	 * earlier runs). A run that can do neither (not on the default branch,
	 * no notifications) takes no lock, so uploads of pull requests do not
	 * wait for each other. A default branch changed meanwhile to this
	 * run's branch is not seen: the run is ordered before the change and
	 * not promoted. Under the lock the default branch is read again. */
	if (on_default || r->notify_json || r->issue_repo) {
		rc = pf_db_exec(db, ST_PROJECT_LOCK, 1, vals, NULL, NULL, &res, err);
		if (rc)
			return rc;
		if (PQntuples(res) != 1) { /* deleted meanwhile */
			PQclear(res);
			return pf_err_set(err, PF_E_RETRYABLE, "project",
			                  "project '%s' was removed during the upload", r->project);
		}
		on_default = r->branch && strcmp(PQgetvalue(res, 0, 1), r->branch) == 0;
		PQclear(res);
	}

	I64(id, r->id);
	I64(pid, project_id);
	I64(pr, r->pr);
	for (int i = 0; i < 4; i++)
		snprintf(rt[i], sizeof rt[i], "%.1f", r->ratings[i]);
	/* the profile totals as five arrays */
	static const enum pf_db_elem ttypes[5] = {PF_DB_TEXT, PF_DB_TEXT, PF_DB_TEXT, PF_DB_INT8,
	                                          PF_DB_INT8};
	struct pf_db_array tb[5];
	for (int k = 0; k < 5; k++)
		pf_db_array_init(&tb[k], ttypes[k]);
	for (size_t i = 0; i < r->n_profiles; i++) {
		const struct pf_db_totals *t = &r->prof_totals[i];
		pf_db_array_text(&tb[0], r->prof_kind[i]);
		pf_db_array_text(&tb[1], t->sample_index);
		pf_db_array_text(&tb[2], t->unit);
		pf_db_array_int(&tb[3], t->total);
		pf_db_array_int(&tb[4], t->total_samples);
	}
	rc = PF_OK;
	for (int k = 0; k < 5; k++)
		if (pf_db_array_finish(&tb[k], err) != PF_OK)
			rc = PF_E_NOMEM;
	const char *sv[56] = {id,
	                      pid,
	                      r->branch,
	                      r->commit,
	                      r->base_branch,
	                      r->pr > 0 ? pr : NULL,
	                      r->ci_url,
	                      r->runner,
	                      r->idem_key,
	                      r->verdict,
	                      isnan(r->ratings[0]) ? NULL : rt[0],
	                      isnan(r->ratings[1]) ? NULL : rt[1],
	                      isnan(r->ratings[2]) ? NULL : rt[2],
	                      isnan(r->ratings[3]) ? NULL : rt[3],
	                      r->report_json};
	int lens[56] = {0}, fmts[56] = {0};
	for (size_t i = 0; i < r->n_artifacts && i < PF_DB_MAX_ARTIFACTS; i++) {
		sv[15 + 2 * i] = r->art_kind[i];
		sv[16 + 2 * i] = (const char *)r->art_data[i];
		lens[16 + 2 * i] = (int)r->art_len[i];
		fmts[16 + 2 * i] = 1; /* bytea as bytes */
	}
	/* the arrays, in binary: totals, function rows, benchmark rows
	 * ($24-$43), then the small function rows ($45-$55) */
	const struct pf_db_array *arrays[5 + PF_DB_FSTATS + 8];
	for (int k = 0; k < 5; k++)
		arrays[k] = &tb[k];
	for (int k = 0; k < 7; k++)
		arrays[5 + k] = &r->fstats[k];
	for (int k = 0; k < 8; k++)
		arrays[12 + k] = &r->bstats[k];
	for (int k = 7; k < PF_DB_FSTATS; k++)
		arrays[13 + k] = &r->fstats[k];
	for (int k = 0; k < 5 + PF_DB_FSTATS + 8; k++) {
		int at = k < 20 ? 23 + k : 24 + k; /* $44 (the gates) between */
		sv[at] = arrays[k]->buf.data;
		lens[at] = (int)arrays[k]->buf.len;
		fmts[at] = 1;
	}
	sv[43] = r->gates_json;
	sv[55] = r->summary ? r->summary : "";
	if (rc == PF_OK)
		rc = pf_db_run(db, ST_RUN_STORE, 56, sv, lens, fmts, err);
	for (int k = 0; k < 5; k++)
		pf_db_array_free(&tb[k]);
	if (rc)
		return rc;
	/* notifications: in this transaction, so a stored run always has
	 * them and a rolled-back upload has none */
	if (r->notify_json) {
		rc = pf_db_outbox_enqueue(db, project_id, r->id, r->pr, r->notify_json, err);
		if (rc)
			return rc;
	}
	if (r->issue_repo && on_default) {
		rc = pf_db_outbox_issues(db, project_id, r->id, r->project, r->branch, r->commit,
		                         r->issue_after, r->issue_repo, err);
		if (rc)
			return rc;
	}
	if (r->auto_promote && on_default && strcmp(r->verdict, "fail") != 0) {
		const char *pv[4] = {pid, r->branch, id, "auto"};
		rc = pf_db_run(db, ST_BASELINE_PROMOTE, 4, pv, NULL, NULL, err);
		if (rc)
			return rc;
		c->promoted = true;
	}
	return PF_OK;
}

enum pf_code pf_db_run_store(struct pf_db *db, const struct pf_db_run_row *r, bool *promoted,
                             struct pf_err *err)
{
	struct store_ctx c = {.r = r};
	enum pf_code rc = pf_db_tx_run(db, store_tx, &c, err);
	if (promoted)
		*promoted = rc == PF_OK && c.promoted;
	return rc;
}

enum pf_code pf_db_run_row(struct pf_db *db, enum pf_stmt st, int64_t run_id, const char *kind,
                           PGresult **row, struct pf_err *err)
{
	char id[24];
	const char *vals[2] = {id, kind};
	I64(id, run_id);
	enum pf_code rc = pf_db_exec(db, st, kind ? 2 : 1, vals, NULL, NULL, row, err);
	if (rc)
		return rc;
	if (PQntuples(*row) == 1)
		return PF_OK;
	PQclear(*row);
	*row = NULL;
	if (kind)
		return pf_err_set(err, PF_E_NOT_FOUND, "kind", "run %lld has no %s upload",
		                  (long long)run_id, kind);
	return pf_err_set(err, PF_E_NOT_FOUND, "id", "run %lld not found", (long long)run_id);
}

enum pf_code pf_db_run_get(struct pf_db *db, int64_t run_id, char **report, char project[80],
                           struct pf_err *err)
{
	PGresult *r;
	enum pf_code rc = pf_db_run_row(db, ST_RUN_GET, run_id, NULL, &r, err);
	if (rc)
		return rc;
	*report = pf_xstrdup(PQgetvalue(r, 0, 0));
	snprintf(project, 80, "%s", PQgetvalue(r, 0, 1));
	PQclear(r);
	return PF_OK;
}

enum pf_code pf_db_artifact_get(struct pf_db *db, int64_t run_id, const char *kind, uint8_t **data,
                                size_t *len, struct pf_err *err)
{
	PGresult *r;
	enum pf_code rc = pf_db_run_row(db, ST_ARTIFACT_GET, run_id, kind, &r, err);
	if (rc)
		return rc;
	*len = (size_t)PQgetlength(r, 0, 0);
	*data = pf_xmalloc(*len + 1);
	memcpy(*data, PQgetvalue(r, 0, 0), *len);
	PQclear(r);
	return PF_OK;
}
