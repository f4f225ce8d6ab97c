/* db.h: the store. db/ is the only code that includes libpq (STYLE §11):
 * callers get typed functions that return enum pf_code, never a PGresult.
 * A struct pf_db is one connection, owned by one thread; it connects
 * lazily, prepares every statement of the table on (re)connect, and
 * reconnects after a failure. */
#ifndef PF_DB_H
#define PF_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "pf_err.h"

struct pf_db;

/* A connection handle for conninfo (copied). Does not connect yet. */
struct pf_db *pf_db_new(const char *conninfo);
/* A handle for the token checks alone (pf_db_token_lookup): it prepares
 * just their statements, so (re)connecting never waits for a lock on
 * another table (libmicrohttpd's thread uses it, see http.c). */
struct pf_db *pf_db_new_tokens(const char *conninfo);
void pf_db_free(struct pf_db *db);

/* Connect (or reconnect after a failure) and prepare the statements.
 * PF_E_UNAVAILABLE when the server cannot be reached. */
enum pf_code pf_db_ensure(struct pf_db *db, struct pf_err *err) PF_MUSTCHECK;

/* Schema version: highest applied migration (0 when none), and the number
 * of migrations this binary knows. */
size_t pf_db_known_schema_version(void);
enum pf_code pf_db_schema_version(struct pf_db *db, int *version, struct pf_err *err) PF_MUSTCHECK;

/* Did every statement of the table prepare on this connection? PF_E_SCHEMA
 * naming the first that did not (the schema cannot run it: behind, or a
 * statement that is wrong). */
enum pf_code pf_db_check_statements(struct pf_db *db, struct pf_err *err) PF_MUSTCHECK;

/* Apply pending migrations in order, each in its own transaction, under an
 * advisory lock (safe with several processes). *applied receives how many
 * were applied now. PF_E_SCHEMA when the database is newer than this
 * binary. */
enum pf_code pf_db_migrate(struct pf_db *db, int *applied, struct pf_err *err) PF_MUSTCHECK;

/* Transactions: begin/commit/rollback on this connection. pf_db_tx_run
 * calls fn inside a transaction and retries it on serialization failure
 * or deadlock (PF_E_RETRYABLE) a bounded number of times. */
enum pf_code pf_db_begin(struct pf_db *db, struct pf_err *err) PF_MUSTCHECK;
enum pf_code pf_db_commit(struct pf_db *db, struct pf_err *err) PF_MUSTCHECK;
void pf_db_rollback(struct pf_db *db);
enum pf_code pf_db_tx_run(struct pf_db *db,
                          enum pf_code (*fn)(struct pf_db *, void *, struct pf_err *), void *arg,
                          struct pf_err *err) PF_MUSTCHECK;

/* ---- tokens ---------------------------------------------------------- */

enum pf_scope { PF_SCOPE_NONE = 0, PF_SCOPE_READ = 1, PF_SCOPE_UPLOAD = 2, PF_SCOPE_ADMIN = 3 };
const char *pf_scope_name(enum pf_scope s);
bool pf_scope_parse(const char *s, enum pf_scope *out);

struct pf_token_info {
	int64_t id;
	enum pf_scope scope;
	char project[80]; /* "" when the token is not bound to a project */
	bool revoked;
};

/* Look a token up by the SHA-256 of its text; PF_E_NOT_FOUND when unknown.
 * Also records last use (at most once a minute per token). */
enum pf_code pf_db_token_lookup(struct pf_db *db, const uint8_t sha256[32],
                                struct pf_token_info *out, struct pf_err *err) PF_MUSTCHECK;
enum pf_code pf_db_token_insert(struct pf_db *db, const uint8_t sha256[32], enum pf_scope scope,
                                const char *project, const char *note, int64_t *id,
                                struct pf_err *err) PF_MUSTCHECK;
/* PF_E_NOT_FOUND when no such token (or already revoked). */
enum pf_code pf_db_token_revoke(struct pf_db *db, int64_t id, struct pf_err *err) PF_MUSTCHECK;
/* Calls fn once per token, oldest first. Strings are borrowed for the call. */
enum pf_code pf_db_token_list(struct pf_db *db,
                              void (*fn)(void *arg, int64_t id, const char *scope,
                                         const char *project, const char *note, const char *created,
                                         const char *last_used, const char *revoked),
                              void *arg, struct pf_err *err) PF_MUSTCHECK;

/* ---- projects -------------------------------------------------------- */

/* All projects as a JSON array text (malloc'ed). */
enum pf_code pf_db_project_list_json(struct pf_db *db, char **json,
                                     struct pf_err *err) PF_MUSTCHECK;

/* ---- runs (runs.c) ----------------------------------------------------- */

struct pf_db_project {
	int64_t id;
	char default_branch[256];
	char *settings_json; /* malloc'ed JSON object text; free() it */
};
/* PF_E_NOT_FOUND when the project does not exist (yet). */
enum pf_code pf_db_project_load(struct pf_db *db, const char *name, struct pf_db_project *out,
                                struct pf_err *err) PF_MUSTCHECK;

struct pf_db_baseline_run {
	int64_t id;
	char commit[104];
	char runner[256];
};
/* The latest (at most max) runs promoted to baseline of branch, newest
 * first, into out[]; *n receives how many. */
enum pf_code pf_db_baseline_runs(struct pf_db *db, int64_t project_id, const char *branch, int max,
                                 struct pf_db_baseline_run *out, size_t *n,
                                 struct pf_err *err) PF_MUSTCHECK;

struct pf_db_totals {
	char sample_index[64];
	char unit[64];
	int64_t total, total_samples;
};
struct pf_db_fstat {
	const char *function; /* borrowed for the callback */
	int inline_bits;
	int64_t flat, cum, flat_samples, cum_samples;
};
/* Stored function table of run/kind ("cpu", "heap"): totals, then fn once
 * per row. PF_E_NOT_FOUND when the run has no such profile. */
enum pf_code pf_db_function_stats(struct pf_db *db, int64_t run_id, const char *kind,
                                  struct pf_db_totals *totals,
                                  void (*fn)(void *arg, const struct pf_db_fstat *row), void *arg,
                                  struct pf_err *err) PF_MUSTCHECK;
/* Stored benchmark samples of the runs: fn once per (run, benchmark,
 * unit) with the samples as space-separated numbers (borrowed). */
enum pf_code pf_db_bench_samples(struct pf_db *db, const int64_t *runs, size_t n,
                                 void (*fn)(void *arg, const char *benchmark, const char *unit,
                                            const char *samples),
                                 void *arg, struct pf_err *err) PF_MUSTCHECK;

/* The run stored under an Idempotency-Key, with its verdict; PF_E_NOT_FOUND
 * when none. *report is malloc'ed. */
enum pf_code pf_db_run_by_idem(struct pf_db *db, const char *project, const char *key, int64_t *id,
                               char verdict[8], char **report, struct pf_err *err) PF_MUSTCHECK;
enum pf_code pf_db_next_run_id(struct pf_db *db, int64_t *id, struct pf_err *err) PF_MUSTCHECK;

#define PF_DB_MAX_ARTIFACTS 4
#define PF_DB_MAX_PROFILES  2

/* A one-dimensional array parameter in PostgreSQL's binary format
 * (array.c): init, append elements of its type, finish, pass buf.data and
 * buf.len in binary format; free. */
enum pf_db_elem { PF_DB_INT2, PF_DB_INT4, PF_DB_INT8, PF_DB_FLOAT8, PF_DB_TEXT };
struct pf_db_array {
	struct pf_buf buf;
	enum pf_db_elem type;
	uint32_t n;
	bool has_null;
};
void pf_db_array_init(struct pf_db_array *a, enum pf_db_elem type);
void pf_db_array_int(struct pf_db_array *a, int64_t v);      /* INT2, INT4, INT8 */
void pf_db_array_f64(struct pf_db_array *a, double v);       /* FLOAT8 */
void pf_db_array_text(struct pf_db_array *a, const char *s); /* TEXT: valid UTF-8 */
void pf_db_array_null(struct pf_db_array *a);
/* Complete the header; PF_E_NOMEM when an append failed. */
enum pf_code pf_db_array_finish(struct pf_db_array *a, struct pf_err *err) PF_MUSTCHECK;
void pf_db_array_free(struct pf_db_array *a);

#define PF_DB_FSTATS 18 /* the arrays of pf_db_run_row.fstats */

/* Everything of one upload, stored by pf_db_run_store in one transaction. */
struct pf_db_run_row {
	int64_t id; /* from pf_db_next_run_id */
	const char *project;
	const char *branch, *commit, *base_branch, *ci_url, *runner, *idem_key; /* NULL ok */
	int pr;                                                                 /* 0: none */
	const char *verdict;     /* pass | warn | fail */
	double ratings[4];       /* cpu, memory, bench, overall; NaN = NULL */
	const char *report_json; /* the report */
	const char *summary;     /* its "summary" (NULL: "") */
	const char *gates_json;  /* the report's "gates" array */
	size_t n_artifacts;
	const char *art_kind[PF_DB_MAX_ARTIFACTS];
	const uint8_t *art_data[PF_DB_MAX_ARTIFACTS];
	size_t art_len[PF_DB_MAX_ARTIFACTS];
	size_t n_profiles;
	const char *prof_kind[PF_DB_MAX_PROFILES];
	struct pf_db_totals prof_totals[PF_DB_MAX_PROFILES];
	/* the function tables of every profile as seven arrays, one element
	 * per function: kind (of prof_kind), name, inline bits (int2), flat,
	 * cum, flat and cum samples (int8): the rows of function_stats.
	 * Then the small rows (0010_small_functions.sql) as eleven arrays:
	 * per profile with any, its kind, first row and row count (int4);
	 * then per row name, inline bits, flat, cum, flat and cum samples
	 * (as above), flat% and cum% (float8). Finished. */
	struct pf_db_array fstats[PF_DB_FSTATS];
	/* the benchmark rows as eight arrays: benchmark, unit, n (int4),
	 * median, CI low, CI high (float8, NULL when unknown), then every
	 * row's samples one after the other (float8) and each row's offset
	 * into them (int4); finished */
	struct pf_db_array bstats[8];
	/* promote to baseline when the branch is the project's default
	 * branch (read under the project's row lock) and the verdict is not
	 * fail */
	bool auto_promote;
	/* notifications (outbox.c), written in the same transaction: the
	 * events of pf_notify_plan as a JSON array text (NULL: none), and for
	 * a run on the default branch the gate-issue lifecycle in issue_repo
	 * ("owner/name"; NULL: none) after issue_after failures in a row */
	const char *notify_json;
	const char *issue_repo;
	int issue_after;
};
/* Store the run: create the project when new, lock its row, insert the
 * run and all it carries, promote it when due. *promoted tells whether it
 * was. PF_E_CONFLICT when the idempotency key was taken meanwhile. */
enum pf_code pf_db_run_store(struct pf_db *db, const struct pf_db_run_row *r, bool *promoted,
                             struct pf_err *err) PF_MUSTCHECK;

/* The stored report of a run (malloc'ed) and its project's name. */
enum pf_code pf_db_run_get(struct pf_db *db, int64_t id, char **report, char project[80],
                           struct pf_err *err) PF_MUSTCHECK;
/* An uploaded file, byte for byte (malloc'ed). PF_E_NOT_FOUND when the run
 * has no such artifact. */
enum pf_code pf_db_artifact_get(struct pf_db *db, int64_t run_id, const char *kind, uint8_t **data,
                                size_t *len, struct pf_err *err) PF_MUSTCHECK;

/* ---- notification outbox (outbox.c) ------------------------------------ */

/* Insert events (pf_notify_plan's array of {event, target, order_key,
 * payload[, cond]}; a "cond" of "pr_failed_before" keeps an event only when
 * the PR's latest earlier non-warn run failed). run_id 0: not tied to a run
 * (e.g. the nightly summary); pr 0: none. Inside the upload's transaction
 * for runs, so a stored run always has its events. */
enum pf_code pf_db_outbox_enqueue(struct pf_db *db, int64_t project_id, int64_t run_id, int pr,
                                  const char *events_json, struct pf_err *err) PF_MUSTCHECK;

/* A claimed event. payload and settings are malloc'ed: free with
 * pf_db_outbox_event_free. */
struct pf_db_outbox_event {
	int64_t id, project_id, run_id;
	char event[32];  /* slack.message, github.pr_comment, github.pr_label, github.issue */
	char target[16]; /* slack, github */
	int attempts;    /* including this one */
	char project[80];
	char *payload;  /* JSON object text */
	char *settings; /* the project's settings (JSON object text) */
};
/* Claim the oldest due event for claim_id, leased for lease_s seconds:
 * FOR UPDATE SKIP LOCKED, so with several daemons each event is claimed
 * by one; events sharing an order key go one at a time, in order; a lease
 * that ran out (the claimer died) makes the event due again.
 * PF_E_NOT_FOUND when nothing is due. */
enum pf_code pf_db_outbox_claim(struct pf_db *db, const char *claim_id, int lease_s,
                                struct pf_db_outbox_event *ev, struct pf_err *err) PF_MUSTCHECK;
void pf_db_outbox_event_free(struct pf_db_outbox_event *ev);

enum pf_db_outbox_outcome { PF_OUTBOX_DELIVERED, PF_OUTBOX_RETRY, PF_OUTBOX_FAILED };
/* Record the outcome of a claim (only while claim_id still holds it:
 * *recorded false otherwise). RETRY makes it due after delay_ms.
 * http_status 0 = none; error may be NULL. */
enum pf_code pf_db_outbox_finish(struct pf_db *db, int64_t id, const char *claim_id,
                                 enum pf_db_outbox_outcome outcome, int64_t delay_ms,
                                 long http_status, const char *error, bool *recorded,
                                 struct pf_err *err) PF_MUSTCHECK;
/* A project's latest deliveries (newest first, state NULL = any) as a JSON
 * array text (malloc'ed). */
enum pf_code pf_db_outbox_list(struct pf_db *db, const char *project, const char *state, int limit,
                               char **json, struct pf_err *err) PF_MUSTCHECK;
/* The sticky PR comment's GitHub id (0: unknown); set 0 forgets it. */
enum pf_code pf_db_pr_comment_get(struct pf_db *db, int64_t project_id, const char *repo, int pr,
                                  int64_t *comment_id, struct pf_err *err) PF_MUSTCHECK;
enum pf_code pf_db_pr_comment_set(struct pf_db *db, int64_t project_id, const char *repo, int pr,
                                  int64_t comment_id, struct pf_err *err) PF_MUSTCHECK;
/* The GitHub number of a gate issue (0: not opened yet). */
enum pf_code pf_db_issue_number(struct pf_db *db, int64_t issue_id, int *number,
                                struct pf_err *err) PF_MUSTCHECK;
enum pf_code pf_db_issue_set_number(struct pf_db *db, int64_t issue_id, int number,
                                    struct pf_err *err) PF_MUSTCHECK;

/* ---- project resources (projects.c) ----------------------------------- */

/* Runs of a project, newest first, as a JSON array text (malloc'ed);
 * branch may be NULL; before_id 0 = from the newest. */
enum pf_code pf_db_runs_list(struct pf_db *db, const char *project, const char *branch,
                             int64_t before_id, int limit, char **json,
                             struct pf_err *err) PF_MUSTCHECK;
/* The current baseline set of branch (at most n runs) as JSON array text. */
enum pf_code pf_db_baseline_list(struct pf_db *db, const char *project, const char *branch, int n,
                                 char **json, struct pf_err *err) PF_MUSTCHECK;
/* The project name and branch of a run; PF_E_NOT_FOUND. */
enum pf_code pf_db_run_project(struct pf_db *db, int64_t run_id, char project[80], char branch[256],
                               struct pf_err *err) PF_MUSTCHECK;
/* Promote run to baseline of its branch under the project's row lock
 * (several daemons, concurrent promotions: one consistent set). *added is
 * false when it already was a baseline. */
enum pf_code pf_db_promote(struct pf_db *db, int64_t run_id, const char *by, bool *added,
                           struct pf_err *err) PF_MUSTCHECK;
/* Record feedback; *json receives the stored row (malloc'ed). */
enum pf_code pf_db_feedback_insert(struct pf_db *db, int64_t run_id, const char *gate,
                                   bool false_positive, const char *note, const char *by,
                                   char **json, struct pf_err *err) PF_MUSTCHECK;
/* Per gate: evaluations, warnings, failures, false positives, rate. */
enum pf_code pf_db_gate_stats(struct pf_db *db, const char *project, char **json,
                              struct pf_err *err) PF_MUSTCHECK;
/* Create or replace a project's default branch and settings. */
enum pf_code pf_db_project_save(struct pf_db *db, const char *project, const char *default_branch,
                                const char *settings_json, struct pf_err *err) PF_MUSTCHECK;

/* ---- history reads (trend.c) -------------------------------------------- */

/* One series of a project's branch over [from_ms, to_ms). */
struct pf_db_trend_q {
	const char *project, *branch;
	/* "overall", "cpu", "memory", "bench" (ratings), "verdict" (0 pass,
	 * 1 warn, 2 fail), "function" (flat%: kind, function), "bench_median"
	 * (benchmark, unit) */
	const char *series;
	const char *kind, *function;
	const char *benchmark, *unit;
	int64_t from_ms, to_ms;
	/* 0: one point per run, the newest `limit` runs of the range;
	 * > 0: one point per bucket of bucket_ms (mean value; verdict: the
	 * worst), at the time of the bucket's newest run */
	int64_t bucket_ms;
	int limit;
};
struct pf_db_point {
	int64_t run_id;     /* the run (bucketed: the newest run of the bucket) */
	const char *commit; /* borrowed for the callback; "" when bucketed */
	int64_t t_ms;
	double value;
	int64_t runs; /* runs behind the point */
};
/* fn once per point, oldest first. A run without the series' value (no
 * such function, benchmark or rating) has no point. */
enum pf_code pf_db_trend(struct pf_db *db, const struct pf_db_trend_q *q,
                         void (*fn)(void *arg, const struct pf_db_point *p), void *arg,
                         struct pf_err *err) PF_MUSTCHECK;
/* Branches of a project by name (at most max); fn once per branch. */
enum pf_code pf_db_trend_branches(struct pf_db *db, const char *project, int max,
                                  void (*fn)(void *arg, const char *branch), void *arg,
                                  struct pf_err *err) PF_MUSTCHECK;
/* Functions of profile kind in the newest nruns runs of branch before
 * to_ms that have such a profile, by their largest flat% (at most max). */
enum pf_code pf_db_trend_functions(struct pf_db *db, const char *project, const char *branch,
                                   const char *kind, int nruns, int64_t to_ms, int max,
                                   void (*fn)(void *arg, const char *function, double flat_pct),
                                   void *arg, struct pf_err *err) PF_MUSTCHECK;
/* (benchmark, unit) pairs of the newest nruns runs with benchmarks of
 * branch before to_ms, by name (at most max). */
enum pf_code pf_db_trend_benchmarks(struct pf_db *db, const char *project, const char *branch,
                                    int nruns, int64_t to_ms, int max,
                                    void (*fn)(void *arg, const char *benchmark, const char *unit),
                                    void *arg, struct pf_err *err) PF_MUSTCHECK;
struct pf_db_annotation {
	const char *kind; /* "fail" or "promotion" */
	int64_t t_ms, run_id;
	const char *branch, *commit, *summary, *by; /* borrowed for the callback */
};
/* Failed verdicts and baseline promotions of a project in [from, to),
 * oldest first (branch NULL: every branch; at most max). */
enum pf_code pf_db_trend_annotations(struct pf_db *db, const char *project, const char *branch,
                                     int64_t from_ms, int64_t to_ms, int max,
                                     void (*fn)(void *arg, const struct pf_db_annotation *a),
                                     void *arg, struct pf_err *err) PF_MUSTCHECK;
/* `perfgate nightly`: the period as JSON text (malloc'ed): runs,
 * verdicts, then/now runs with ratings, failed runs (at most max_failed). */
enum pf_code pf_db_nightly_period(struct pf_db *db, const char *project, const char *branch,
                                  int64_t from_ms, int64_t to_ms, int max_failed, char **json,
                                  struct pf_err *err) PF_MUSTCHECK;
/* The functions (flat%) and benchmarks (median) that moved most between
 * two runs, as JSON array texts (malloc'ed), at most max each. */
enum pf_code pf_db_nightly_moves(struct pf_db *db, int64_t then_run, int64_t now_run, int max,
                                 char **functions_json, char **bench_json,
                                 struct pf_err *err) PF_MUSTCHECK;

#endif
