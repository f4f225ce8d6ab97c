/* trend.c: typed history reads (DESIGN §7): series of ratings, verdicts,
 * function flat% and benchmark medians of a branch, the option lists of
 * the Grafana data source, annotations and the nightly summary. Read-only;
 * the statements are in db.c's table, their indexes in 0003_trends.sql and
 * 0006_trend_speed.sql. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_internal.h"
#include "pf_mem.h"

static int64_t i64_at(PGresult *r, int row, int col)
{
	return strtoll(PQgetvalue(r, row, col), NULL, 10);
}

enum pf_code pf_db_trend(struct pf_db *db, const struct pf_db_trend_q *q,
                         void (*fn)(void *arg, const struct pf_db_point *p), void *arg,
                         struct pf_err *err)
{
	char from[24], to[24], last[24];
	const char *vals[7] = {q->project, q->branch, from, to, NULL, NULL, NULL};
	enum pf_stmt st;
	int n;
	bool bucketed = q->bucket_ms > 0;
	PGresult *r;

	I64(from, q->from_ms);
	I64(to, q->to_ms);
	/* a bucket wider than the range is the range's one bucket; capped so
	 * the statement's interval stride stays small and exact */
	int64_t span = q->to_ms > q->from_ms ? q->to_ms - q->from_ms : 1;
	I64(last, bucketed ? (q->bucket_ms < span ? q->bucket_ms : span) : q->limit);
	if (strcmp(q->series, "function") == 0) {
		st = bucketed ? ST_TREND_FUNCTION_B : ST_TREND_FUNCTION;
		vals[4] = q->kind;
		vals[5] = q->function;
		vals[6] = last;
		n = 7;
	} else if (strcmp(q->series, "bench_median") == 0) {
		st = bucketed ? ST_TREND_BENCH_B : ST_TREND_BENCH;
		vals[4] = q->benchmark;
		vals[5] = q->unit;
		vals[6] = last;
		n = 7;
	} else {
		st = bucketed ? ST_TREND_RUNS_B : ST_TREND_RUNS;
		vals[4] = q->series;
		vals[5] = last;
		n = 6;
	}
	enum pf_code rc = pf_db_exec(db, st, n, vals, NULL, NULL, &r, err);
	if (rc)
		return rc;
	int rows = PQntuples(r);
	/* bucketed reads are not limited in SQL: the bucket width bounds
	 * them; the caller's limit still caps what is delivered */
	int first = bucketed && q->limit > 0 && rows > q->limit ? rows - q->limit : 0;
	for (int i = first; i < rows; i++) {
		struct pf_db_point p = {
		        .run_id = i64_at(r, i, 0),
		        .commit = PQgetvalue(r, i, 1),
		        .t_ms = i64_at(r, i, 2),
		        .value = strtod(PQgetvalue(r, i, 3), NULL),
		        .runs = bucketed ? i64_at(r, i, 4) : 1,
		};
		fn(arg, &p);
	}
	PQclear(r);
	return PF_OK;
}

enum pf_code pf_db_trend_branches(struct pf_db *db, const char *project, int max,
                                  void (*fn)(void *arg, const char *branch), void *arg,
                                  struct pf_err *err)
{
	char lim[16];
	const char *vals[2] = {project, lim};
	PGresult *r;
	I64(lim, max);
	enum pf_code rc = pf_db_exec(db, ST_TREND_BRANCHES, 2, vals, NULL, NULL, &r, err);
	if (rc)
		return rc;
	for (int i = 0; i < PQntuples(r); i++)
		fn(arg, PQgetvalue(r, i, 0));
	PQclear(r);
	return PF_OK;
}

enum pf_code pf_db_trend_functions(struct pf_db *db, const char *project, const char *branch,
                                   const char *kind, int nruns, int64_t to_ms, int max,
                                   void (*fn)(void *arg, const char *function, double flat_pct),
                                   void *arg, struct pf_err *err)
{
	char nr[16], to[24], lim[16];
	const char *vals[6] = {project, branch, kind, nr, to, lim};
	PGresult *r;
	I64(nr, nruns);
	I64(to, to_ms);
	I64(lim, max);
	enum pf_code rc = pf_db_exec(db, ST_TREND_FUNCTIONS, 6, vals, NULL, NULL, &r, err);
	if (rc)
		return rc;
	for (int i = 0; i < PQntuples(r); i++)
		fn(arg, PQgetvalue(r, i, 0), strtod(PQgetvalue(r, i, 1), NULL));
	PQclear(r);
	return PF_OK;
}

enum pf_code pf_db_trend_benchmarks(struct pf_db *db, const char *project, const char *branch,
                                    int nruns, int64_t to_ms, int max,
                                    void (*fn)(void *arg, const char *benchmark, const char *unit),
                                    void *arg, struct pf_err *err)
{
	char nr[16], to[24], lim[16];
	const char *vals[5] = {project, branch, nr, to, lim};
	PGresult *r;
	I64(nr, nruns);
	I64(to, to_ms);
	I64(lim, max);
	enum pf_code rc = pf_db_exec(db, ST_TREND_BENCHMARKS, 5, vals, NULL, NULL, &r, err);
	if (rc)
		return rc;
	for (int i = 0; i < PQntuples(r); i++)
		fn(arg, PQgetvalue(r, i, 0), PQgetvalue(r, i, 1));
	PQclear(r);
	return PF_OK;
}

enum pf_code pf_db_trend_annotations(struct pf_db *db, const char *project, const char *branch,
                                     int64_t from_ms, int64_t to_ms, int max,
                                     void (*fn)(void *arg, const struct pf_db_annotation *a),
                                     void *arg, struct pf_err *err)
{
	char from[24], to[24], lim[16];
	const char *vals[5] = {project, branch, from, to, lim};
	PGresult *r;
	I64(from, from_ms);
	I64(to, to_ms);
	I64(lim, max);
	enum pf_code rc = pf_db_exec(db, ST_TREND_ANNOTATIONS, 5, vals, NULL, NULL, &r, err);
	if (rc)
		return rc;
	for (int i = 0; i < PQntuples(r); i++) {
		struct pf_db_annotation a = {
		        .kind = PQgetvalue(r, i, 0),
		        .t_ms = i64_at(r, i, 1),
		        .run_id = i64_at(r, i, 2),
		        .branch = PQgetvalue(r, i, 3),
		        .commit = PQgetvalue(r, i, 4),
		        .summary = PQgetvalue(r, i, 5),
		        .by = PQgetvalue(r, i, 6),
		};
		fn(arg, &a);
	}
	PQclear(r);
	return PF_OK;
}

/* One row, one column of text into *out (malloc'ed). */
static enum pf_code one_text(struct pf_db *db, enum pf_stmt st, int n, const char *const *vals,
                             char **out, struct pf_err *err)
{
	PGresult *r;
	enum pf_code rc = pf_db_exec(db, st, n, vals, NULL, NULL, &r, err);
	if (rc)
		return rc;
	int rows = PQntuples(r);
	if (rows != 1) {
		PQclear(r);
		return pf_err_set(err, PF_E_INTERNAL, NULL, "history read returned %d rows", rows);
	}
	*out = pf_xstrdup(PQgetvalue(r, 0, 0));
	PQclear(r);
	return PF_OK;
}

enum pf_code pf_db_nightly_period(struct pf_db *db, const char *project, const char *branch,
                                  int64_t from_ms, int64_t to_ms, int max_failed, char **json,
                                  struct pf_err *err)
{
	char from[24], to[24], lim[16];
	const char *vals[5] = {project, branch, from, to, lim};
	I64(from, from_ms);
	I64(to, to_ms);
	I64(lim, max_failed);
	return one_text(db, ST_NIGHTLY_PERIOD, 5, vals, json, err);
}

enum pf_code pf_db_nightly_moves(struct pf_db *db, int64_t then_run, int64_t now_run, int max,
                                 char **functions_json, char **bench_json, struct pf_err *err)
{
	char a[24], b[24], lim[16];
	const char *vals[3] = {a, b, lim};
	I64(a, then_run);
	I64(b, now_run);
	I64(lim, max);
	*functions_json = *bench_json = NULL;
	enum pf_code rc = one_text(db, ST_NIGHTLY_FUNCTIONS, 3, vals, functions_json, err);
	if (rc == PF_OK)
		rc = one_text(db, ST_NIGHTLY_BENCH, 3, vals, bench_json, err);
	if (rc) {
		free(*functions_json);
		*functions_json = NULL;
	}
	return rc;
}
