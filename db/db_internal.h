/* db_internal.h: what the files of db/ share: the statement table and the
 * one function that runs a prepared statement. Never included outside db/. */
#ifndef PF_DB_INTERNAL_H
#define PF_DB_INTERNAL_H

#include <libpq-fe.h>

#include "db.h"

/* Every statement perfgate runs (STYLE §11): prepared on connect. */
enum pf_stmt {
	ST_TOKEN_LOOKUP,
	ST_TOKEN_TOUCH,
	ST_TOKEN_INSERT,
	ST_TOKEN_REVOKE,
	ST_TOKEN_LIST,
	ST_PROJECT_LIST,
	ST_PROJECT_LOAD,
	ST_PROJECT_ENSURE,
	ST_PROJECT_LOCK,
	ST_BASELINE_RUNS,
	ST_PROFILE_TOTALS,
	ST_FUNCTION_STATS,
	ST_BENCH_SAMPLES,
	ST_RUN_BY_IDEM,
	ST_NEXT_RUN_ID,
	ST_RUN_STORE,
	/* notifications (outbox.c) */
	ST_OUTBOX_INSERT,
	ST_ISSUE_CLOSE,
	ST_ISSUE_COMMENT,
	ST_ISSUE_OPEN,
	ST_OUTBOX_CLAIM,
	ST_OUTBOX_DELIVERED,
	ST_OUTBOX_RETRY,
	ST_OUTBOX_FAILED,
	ST_OUTBOX_LIST,
	ST_PR_COMMENT_GET,
	ST_PR_COMMENT_SET,
	ST_PR_COMMENT_FORGET,
	ST_ISSUE_NUMBER_GET,
	ST_ISSUE_NUMBER_SET,
	ST_BASELINE_PROMOTE,
	ST_RUN_GET,
	ST_ARTIFACT_GET,
	ST_RUNS_LIST,
	ST_BASELINE_LIST,
	ST_RUN_PROJECT,
	ST_FEEDBACK_INSERT,
	ST_GATE_STATS,
	ST_PROJECT_SAVE,
	/* history reads (trend.c) */
	ST_TREND_RUNS,
	ST_TREND_RUNS_B,
	ST_TREND_FUNCTION,
	ST_TREND_FUNCTION_B,
	ST_TREND_BENCH,
	ST_TREND_BENCH_B,
	ST_TREND_BRANCHES,
	ST_TREND_FUNCTIONS,
	ST_TREND_BENCHMARKS,
	ST_TREND_ANNOTATIONS,
	ST_NIGHTLY_PERIOD,
	ST_NIGHTLY_FUNCTIONS,
	ST_NIGHTLY_BENCH,
	ST__COUNT
};

/* Run prepared statement st with text parameters (NULL = SQL NULL; a
 * non-NULL lens/formats selects binary for that parameter). On success
 * *res holds the result (PQclear it). A lost connection outside a
 * transaction is re-established and the statement retried once. */
enum pf_code pf_db_exec(struct pf_db *db, enum pf_stmt st, int nparams, const char *const *values,
                        const int *lens, const int *formats, PGresult **res,
                        struct pf_err *err) PF_MUSTCHECK;
/* pf_db_exec for a statement whose result is not needed. */
enum pf_code pf_db_run(struct pf_db *db, enum pf_stmt st, int nparams, const char *const *values,
                       const int *lens, const int *formats, struct pf_err *err) PF_MUSTCHECK;

/* The one row of st for a run ($1 run_id; $2 kind unless NULL): *row on
 * PF_OK (PQclear it), PF_E_NOT_FOUND naming the run (and kind) when st
 * finds none. */
enum pf_code pf_db_run_row(struct pf_db *db, enum pf_stmt st, int64_t run_id, const char *kind,
                           PGresult **row, struct pf_err *err) PF_MUSTCHECK;

/* A 64-bit integer as a text parameter into the char array buf. */
#define I64(buf, v) snprintf(buf, sizeof buf, "%lld", (long long)(v))

/* Inside the upload's transaction (runs.c store_tx), after
 * pf_db_outbox_enqueue (db.h) and for a run on the default branch, the gate-issue lifecycle: close
 * the open issue of every gate that passed, comment on the open issue of
 * every gate that failed, open one for a gate whose last issue_after
 * evaluated results on the branch all failed (at most one open per gate). */
enum pf_code pf_db_outbox_issues(struct pf_db *db, int64_t project_id, int64_t run_id,
                                 const char *project, const char *branch, const char *commit,
                                 int issue_after, const char *repo,
                                 struct pf_err *err) PF_MUSTCHECK;

/* The live connection (after pf_db_ensure), for migrate.c's plain SQL. */
PGconn *pf_db_conn(struct pf_db *db);
/* Close the connection; the next call reconnects and prepares again. */
void pf_db_disconnect(struct pf_db *db);

/* Run st and return its one row's one column as text (*out malloc'ed);
 * PF_E_NOT_FOUND when there is no row. */
enum pf_code pf_db_text(struct pf_db *db, enum pf_stmt st, int n, const char *const *vals,
                        char **out, struct pf_err *err) PF_MUSTCHECK;

/* Map a failed result (or connection) to a pf_code with the message. */
enum pf_code pf_db_error(struct pf_db *db, PGresult *res, const char *what, struct pf_err *err);

#endif
