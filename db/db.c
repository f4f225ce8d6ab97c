/* db.c: one PostgreSQL connection per thread: lazy connect, the statement
 * table prepared on every (re)connect, SQLSTATE -> pf_code, transactions.
 * Only db/ sees libpq. */
#include "db_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pf_mem.h"

struct pf_db {
	char *conninfo;
	PGconn *conn;
	bool prepared;
	bool in_tx;
	double hold_until;         /* CLOCK_MONOTONIC seconds: no connection attempt before */
	bool tokens_only;          /* prepares the token checks alone (pf_db_new_tokens) */
	struct pf_err prepare_err; /* the first statement that did not prepare */
};

static const struct {
	const char *name;
	const char *sql;
	int nparams;
	int binary_result; /* 1: results in binary format (bytea) */
} stmts[ST__COUNT] = {
        [ST_TOKEN_LOOKUP] = {"token_lookup",
                             "SELECT id, scope, coalesce(project, ''), revoked_at IS NOT NULL,"
                             " last_used_at IS NULL OR last_used_at < now() - interval '1 minute'"
                             " FROM tokens WHERE token_sha256 = $1",
                             1},
        [ST_TOKEN_TOUCH] = {"token_touch", "UPDATE tokens SET last_used_at = now() WHERE id = $1",
                            1},
        [ST_TOKEN_INSERT] = {"token_insert",
                             "INSERT INTO tokens (token_sha256, scope, project, note)"
                             " VALUES ($1, $2, $3, $4) RETURNING id",
                             4},
        [ST_TOKEN_REVOKE] = {"token_revoke",
                             "UPDATE tokens SET revoked_at = now()"
                             " WHERE id = $1 AND revoked_at IS NULL",
                             1},
        [ST_TOKEN_LIST] =
                {"token_list",
                 "SELECT id, scope, coalesce(project, ''), note,"
                 " to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
                 " coalesce(to_char(last_used_at AT TIME ZONE 'UTC',"
                 "   'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), ''),"
                 " coalesce(to_char(revoked_at AT TIME ZONE 'UTC',"
                 "   'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), '')"
                 " FROM tokens ORDER BY id",
                 0},
        [ST_PROJECT_LIST] = {"project_list",
                             "SELECT coalesce(json_agg(json_build_object('name', name,"
                             " 'default_branch', default_branch, 'created_at', created_at)"
                             " ORDER BY name), '[]')::text FROM projects",
                             0},
        [ST_PROJECT_LOAD] =
                {"project_load",
                 "SELECT id, default_branch, settings::text FROM projects WHERE name = $1", 1},
        /* the project, created when new: (id, default branch); one that
         * exists is only read (no insertion attempt, no sequence value) */
        [ST_PROJECT_ENSURE] = {"project_ensure",
                               "WITH n AS (INSERT INTO projects (name) SELECT $1 WHERE NOT EXISTS"
                               " (SELECT 1 FROM projects WHERE name = $1)"
                               " ON CONFLICT (name) DO NOTHING RETURNING id, default_branch)"
                               " SELECT id, default_branch FROM n UNION ALL"
                               " SELECT id, default_branch FROM projects WHERE name = $1",
                               1},
        [ST_PROJECT_LOCK] = {"project_lock",
                             "SELECT id, default_branch FROM projects WHERE name = $1 FOR UPDATE",
                             1},
        [ST_BASELINE_RUNS] = {"baseline_runs",
                              "SELECT r.id, coalesce(r.commit_sha, ''), coalesce(r.runner, '')"
                              " FROM baselines b JOIN runs r ON r.id = b.run_id"
                              " WHERE b.project_id = $1 AND b.branch = $2"
                              " ORDER BY b.promoted_at DESC, b.run_id DESC LIMIT $3",
                              3},
        [ST_PROFILE_TOTALS] = {"profile_totals",
                               "SELECT sample_index, unit, total, total_samples FROM profile_totals"
                               " WHERE run_id = $1 AND kind = $2",
                               2},
        /* a run's rows of one kind (function_rows: function_stats by the
         * head of its primary key, and the small ones unpacked from
         * function_stats_small, 0010_small_functions.sql) */
        [ST_FUNCTION_STATS] = {"function_stats",
                               "SELECT function, inline_bits, flat, cum, flat_samples, cum_samples"
                               " FROM function_rows WHERE run_id = $1 AND kind = $2",
                               2},
        [ST_BENCH_SAMPLES] = {"bench_samples",
                              "SELECT benchmark, unit, array_to_string(samples, ' ')"
                              " FROM bench_stats WHERE run_id = ANY ($1::bigint[])"
                              " ORDER BY run_id DESC, benchmark, unit",
                              1},
        [ST_RUN_BY_IDEM] = {"run_by_idem",
                            "SELECT r.id, r.verdict, r.report::text FROM runs r JOIN projects p"
                            " ON p.id = r.project_id WHERE p.name = $1 AND r.idempotency_key = $2",
                            2},
        [ST_NEXT_RUN_ID] = {"next_run_id", "SELECT nextval('runs_id_seq')", 0},
        /* One statement stores a run and everything it carries (one round
         * trip): the foreign keys to runs and the statement-level check
         * of function_stats -> profile_totals run at its end, when every
         * row is there. $1-$15 the run; $16-$23 up to four artifacts
         * (kind, bytes; NULL kind: none); $24-$28 profile totals (kind,
         * sample index, unit, total, total samples); $29-$35 function rows
         * of every profile (kind, name, inline bits, flat, cum, flat
         * samples, cum samples); $36-$43 benchmark rows (benchmark, unit,
         * n, median, CI low, CI high, all samples, each row's offset into
         * them); $44 the report's gates (JSON); $45-$55 the small function
         * rows, packed per kind into function_stats_small
         * (0010_small_functions.sql): kind, first row and row count of each
         * kind's run of them, then name, inline bits, flat, cum, flat
         * samples, cum samples, flat%, cum% per row; $56 the report's
         * summary. The report ($15) is stored as its text
         * (0011_report_text.sql). The arrays come in binary
         * (array.c), and are unnested side by side in select lists: that
         * steps through them row by row, where unnest(a, b, ...) in FROM
         * first copies each array into a tuplestore (6 % more PostgreSQL
         * instructions per upload, pg_instructions.sh). Function and
         * benchmark rows copy the run's project, branch and created_at
         * from r (the trend indexes of 0006_trend_speed.sql) and name
         * their series (checked, 0009_series_checked.sql). */
        [ST_RUN_STORE] =
                {"run_store",
                 "WITH r AS (INSERT INTO runs (id, project_id, branch, commit_sha, base_branch, pr,"
                 " ci_url, runner, idempotency_key, verdict, rating_cpu, rating_memory,"
                 " rating_bench, rating_overall, report, summary) VALUES ($1, $2, $3, $4, $5, $6,"
                 " $7, $8, $9, $10, $11, $12, $13, $14, $15, $56)"
                 " RETURNING project_id, branch, created_at),"
                 " a AS (INSERT INTO artifacts (run_id, kind, bytes, size, sha256)"
                 " SELECT $1, v.k, v.b, length(v.b), sha256(v.b) FROM (VALUES ($16::text,"
                 " $17::bytea), ($18, $19::bytea), ($20, $21::bytea), ($22, $23::bytea))"
                 " AS v(k, b) WHERE v.k IS NOT NULL),"
                 " t AS (INSERT INTO profile_totals (run_id, kind, sample_index, unit, total,"
                 " total_samples) SELECT $1, x.k, x.si, x.u, x.t, x.ts FROM (SELECT"
                 " unnest($24::text[]) AS k, unnest($25::text[]) AS si, unnest($26::text[]) AS u,"
                 " unnest($27::bigint[]) AS t, unnest($28::bigint[]) AS ts) AS x),"
                 " f AS (INSERT INTO function_stats (run_id, kind, function, inline_bits, flat,"
                 " cum, flat_pct, cum_pct, flat_samples, cum_samples, project_id, branch,"
                 " created_at, series) SELECT $1, x.k, x.f, x.i, x.flat, x.cum,"
                 " 100 * x.flat::float8 / nullif(t.t, 0), 100 * x.cum::float8 / nullif(t.t, 0),"
                 " x.fs, x.cs, r.project_id, r.branch, r.created_at,"
                 " function_series(r.project_id, r.branch, x.k, x.f) FROM (SELECT"
                 " unnest($29::text[]) AS k, unnest($30::text[]) AS f,"
                 " unnest($31::smallint[]) AS i, unnest($32::bigint[]) AS flat,"
                 " unnest($33::bigint[]) AS cum, unnest($34::bigint[]) AS fs,"
                 " unnest($35::bigint[]) AS cs) AS x"
                 " JOIN (SELECT unnest($24::text[]) AS k, unnest($27::bigint[]) AS t) AS t"
                 " ON t.k = x.k CROSS JOIN r),"
                 " b AS (INSERT INTO bench_stats (run_id, benchmark, unit, n, median, ci_low,"
                 " ci_high, samples, project_id, branch, created_at, series) SELECT $1, x.b,"
                 " x.u, x.n, x.m, x.lo, x.hi, ($42::float8[])[x.o + 1 : x.o + x.n],"
                 " r.project_id, r.branch, r.created_at,"
                 " bench_series(r.project_id, r.branch, x.b, x.u) FROM (SELECT"
                 " unnest($36::text[]) AS b,"
                 " unnest($37::text[]) AS u, unnest($38::int[]) AS n,"
                 " unnest($39::float8[]) AS m, unnest($40::float8[]) AS lo,"
                 " unnest($41::float8[]) AS hi, unnest($43::int[]) AS o) AS x CROSS JOIN r),"
                 " s AS (INSERT INTO function_stats_small (run_id, kind, function, inline_bits,"
                 " flat, cum, flat_samples, cum_samples, flat_pct, cum_pct) SELECT $1, x.k,"
                 " ($48::text[])[x.o + 1 : x.o + x.n], ($49::smallint[])[x.o + 1 : x.o + x.n],"
                 " ($50::bigint[])[x.o + 1 : x.o + x.n], ($51::bigint[])[x.o + 1 : x.o + x.n],"
                 " ($52::bigint[])[x.o + 1 : x.o + x.n], ($53::bigint[])[x.o + 1 : x.o + x.n],"
                 " ($54::float8[])[x.o + 1 : x.o + x.n], ($55::float8[])[x.o + 1 : x.o + x.n]"
                 " FROM (SELECT unnest($45::text[]) AS k, unnest($46::int[]) AS o,"
                 " unnest($47::int[]) AS n) AS x)"
                 " INSERT INTO gate_results (run_id, gate, mode, status, violations)"
                 " SELECT $1, g->>'id', g->>'mode', g->>'status',"
                 " coalesce(g->'violations', '[]'::jsonb)"
                 " FROM jsonb_array_elements($44::jsonb) AS g",
                 56},
        /* notifications (outbox.c); $1 project id, $2 run id, then the
         * issue statements: $3 project, $4 branch, $5 commit */
        [ST_OUTBOX_INSERT] =
                {"outbox_insert",
                 "INSERT INTO outbox (project_id, run_id, event, target, order_key, payload)"
                 " SELECT $1, $2, x.event, x.target, x.order_key, x.payload"
                 " FROM ROWS FROM (jsonb_to_recordset($3::jsonb) AS (event text, target text,"
                 " order_key text, payload jsonb, cond text)) WITH ORDINALITY"
                 " AS x(event, target, order_key, payload, cond, ord)"
                 " WHERE x.cond IS NULL OR (x.cond = 'pr_failed_before' AND (SELECT r.verdict"
                 " FROM runs r WHERE r.project_id = $1 AND r.pr = $4::int AND r.id < $2"
                 " AND r.verdict <> 'warn' ORDER BY r.id DESC LIMIT 1) = 'fail')"
                 " ORDER BY x.ord",
                 4},
        [ST_ISSUE_CLOSE] =
                {"issue_close",
                 "WITH c AS (UPDATE github_issues gi SET state = 'closed', closed_at = now(),"
                 " closed_run_id = $2 FROM gate_results g WHERE g.run_id = $2"
                 " AND g.status = 'pass' AND gi.project_id = $1 AND gi.gate = g.gate"
                 " AND gi.state = 'open' RETURNING gi.id, gi.gate, gi.repo)"
                 " INSERT INTO outbox (project_id, run_id, event, target, order_key, payload)"
                 " SELECT $1, $2, 'github.issue', 'github', 'github-issue:' || $3::text || ':'"
                 " || c.gate, jsonb_build_object('action', 'close', 'issue', c.id, 'repo',"
                 " c.repo, 'project', $3::text, 'gate', c.gate, 'branch', $4::text, 'run_id',"
                 " $2::bigint, 'commit', $5::text) FROM c ORDER BY c.gate",
                 5},
        [ST_ISSUE_COMMENT] =
                {"issue_comment",
                 "INSERT INTO outbox (project_id, run_id, event, target, order_key, payload)"
                 " SELECT $1, $2, 'github.issue', 'github', 'github-issue:' || $3::text || ':'"
                 " || gi.gate, jsonb_build_object('action', 'comment', 'issue', gi.id, 'repo',"
                 " gi.repo, 'project', $3::text, 'gate', gi.gate, 'branch', $4::text,"
                 " 'run_id', $2::bigint, 'commit', $5::text, 'violations', g.violations)"
                 " FROM github_issues gi JOIN gate_results g ON g.gate = gi.gate"
                 " AND g.run_id = $2 WHERE gi.project_id = $1 AND gi.state = 'open'"
                 " AND g.status = 'fail' ORDER BY gi.gate",
                 5},
        /* $6 N failures in a row, $7 repository */
        [ST_ISSUE_OPEN] =
                {"issue_open",
                 "WITH s AS (SELECT g.gate, g.violations, h.commits FROM gate_results g"
                 " CROSS JOIN LATERAL (SELECT count(*) FILTER (WHERE x.status = 'fail')"
                 " AS nfail, coalesce(jsonb_agg(x.commit_sha ORDER BY x.id)"
                 " FILTER (WHERE x.commit_sha IS NOT NULL), '[]') AS commits FROM"
                 " (SELECT r.id, r.commit_sha, gr.status FROM gate_results gr JOIN runs r"
                 " ON r.id = gr.run_id WHERE r.project_id = $1 AND r.branch = $4"
                 " AND gr.gate = g.gate AND gr.status <> 'skipped' ORDER BY r.id DESC"
                 " LIMIT $6::int) x) h WHERE g.run_id = $2 AND g.status = 'fail'"
                 " AND h.nfail = $6::int AND NOT EXISTS (SELECT 1 FROM github_issues gi"
                 " WHERE gi.project_id = $1 AND gi.gate = g.gate AND gi.state = 'open')),"
                 " o AS (INSERT INTO github_issues (project_id, gate, repo, opened_run_id)"
                 " SELECT $1, s.gate, $7, $2 FROM s RETURNING id, gate)"
                 " INSERT INTO outbox (project_id, run_id, event, target, order_key, payload)"
                 " SELECT $1, $2, 'github.issue', 'github', 'github-issue:' || $3::text || ':'"
                 " || o.gate, jsonb_build_object('action', 'open', 'issue', o.id, 'repo',"
                 " $7::text, 'project', $3::text, 'gate', o.gate, 'branch', $4::text,"
                 " 'run_id', $2::bigint, 'commit', $5::text, 'commits', s.commits,"
                 " 'violations', s.violations, 'n', $6::int)"
                 " FROM o JOIN s ON s.gate = o.gate ORDER BY o.gate",
                 7},
        /* the oldest due event whose order_key has no earlier undelivered
         * one; a claim whose lease ran out (its daemon died) is due again */
        [ST_OUTBOX_CLAIM] =
                {"outbox_claim",
                 "UPDATE outbox o SET state = 'sending', attempts = o.attempts + 1,"
                 " claimed_by = $1, claim_expires_at = now() + make_interval(secs => $2::int)"
                 " FROM projects p WHERE p.id = o.project_id AND o.id = (SELECT c.id"
                 " FROM outbox c WHERE ((c.state = 'pending' AND c.next_attempt_at <= now())"
                 " OR (c.state = 'sending' AND c.claim_expires_at < now()))"
                 " AND NOT EXISTS (SELECT 1 FROM outbox e WHERE e.order_key = c.order_key"
                 " AND e.id < c.id AND e.state IN ('pending', 'sending'))"
                 " ORDER BY c.id LIMIT 1 FOR UPDATE OF c SKIP LOCKED)"
                 " RETURNING o.id, o.event, o.target, o.attempts, o.payload::text, p.name,"
                 " p.settings::text, o.project_id, coalesce(o.run_id, 0)",
                 2},
        [ST_OUTBOX_DELIVERED] = {"outbox_delivered",
                                 "UPDATE outbox SET state = 'delivered', delivered_at = now(),"
                                 " claimed_by = NULL, claim_expires_at = NULL,"
                                 " last_status = $3::int, last_error = NULL"
                                 " WHERE id = $1 AND claimed_by = $2 AND state = 'sending'",
                                 3},
        [ST_OUTBOX_RETRY] = {"outbox_retry",
                             "UPDATE outbox SET state = 'pending', claimed_by = NULL,"
                             " claim_expires_at = NULL, last_status = $3::int,"
                             " last_error = left($4::text, 1000), next_attempt_at = now()"
                             " + make_interval(secs => $5::float8 / 1000)"
                             " WHERE id = $1 AND claimed_by = $2 AND state = 'sending'",
                             5},
        [ST_OUTBOX_FAILED] = {"outbox_failed",
                              "UPDATE outbox SET state = 'failed', claimed_by = NULL,"
                              " claim_expires_at = NULL, last_status = $3::int,"
                              " last_error = left($4::text, 1000)"
                              " WHERE id = $1 AND claimed_by = $2 AND state = 'sending'",
                              4},
        [ST_OUTBOX_LIST] =
                {"outbox_list",
                 "SELECT coalesce(json_agg(x ORDER BY x.id DESC), '[]')::text FROM (SELECT"
                 " o.id, o.run_id, o.event, o.target, o.payload->>'action' AS action,"
                 " (o.payload->>'pr')::int AS pr, o.payload->>'gate' AS gate, o.state,"
                 " o.attempts, o.last_status, o.last_error, o.created_at, o.next_attempt_at,"
                 " o.delivered_at FROM outbox o JOIN projects p ON p.id = o.project_id"
                 " WHERE p.name = $1 AND ($2::text IS NULL OR o.state = $2)"
                 " ORDER BY o.id DESC LIMIT $3) x",
                 3},
        [ST_PR_COMMENT_GET] = {"pr_comment_get",
                               "SELECT comment_id FROM github_pr_state"
                               " WHERE project_id = $1 AND repo = $2 AND pr = $3",
                               3},
        [ST_PR_COMMENT_SET] = {"pr_comment_set",
                               "INSERT INTO github_pr_state (project_id, repo, pr, comment_id)"
                               " VALUES ($1, $2, $3, $4) ON CONFLICT (project_id, repo, pr)"
                               " DO UPDATE SET comment_id = EXCLUDED.comment_id,"
                               " updated_at = now()",
                               4},
        [ST_PR_COMMENT_FORGET] = {"pr_comment_forget",
                                  "DELETE FROM github_pr_state"
                                  " WHERE project_id = $1 AND repo = $2 AND pr = $3",
                                  3},
        [ST_ISSUE_NUMBER_GET] = {"issue_number_get",
                                 "SELECT coalesce(issue_number, 0) FROM github_issues"
                                 " WHERE id = $1",
                                 1},
        [ST_ISSUE_NUMBER_SET] = {"issue_number_set",
                                 "UPDATE github_issues SET issue_number = $2 WHERE id = $1", 2},
        [ST_BASELINE_PROMOTE] = {"baseline_promote",
                                 "INSERT INTO baselines (project_id, branch, run_id, promoted_by)"
                                 " VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                                 4},
        [ST_RUN_GET] = {"run_get",
                        "SELECT r.report::text, p.name FROM runs r JOIN projects p"
                        " ON p.id = r.project_id WHERE r.id = $1",
                        1},
        [ST_ARTIFACT_GET] = {"artifact_get",
                             "SELECT bytes FROM artifacts WHERE run_id = $1 AND kind = $2", 2, 1},
        [ST_RUNS_LIST] = {"runs_list",
                          "SELECT coalesce(json_agg(x ORDER BY x.id DESC), '[]')::text FROM ("
                          " SELECT r.id, r.branch, r.commit_sha AS commit, r.base_branch, r.pr,"
                          " r.runner, r.verdict, r.rating_cpu, r.rating_memory, r.rating_bench,"
                          " r.rating_overall, r.created_at,"
                          " EXISTS (SELECT 1 FROM baselines b WHERE b.run_id = r.id) AS baseline"
                          " FROM runs r JOIN projects p ON p.id = r.project_id"
                          " WHERE p.name = $1 AND ($2::text IS NULL OR r.branch = $2)"
                          " AND ($3::bigint IS NULL OR r.id < $3)"
                          " ORDER BY r.id DESC LIMIT $4) x",
                          4},
        [ST_BASELINE_LIST] =
                {"baseline_list",
                 "SELECT coalesce(json_agg(x ORDER BY x.promoted_at DESC, x.run_id DESC),"
                 " '[]')::text FROM (SELECT b.run_id, r.commit_sha AS commit, r.runner,"
                 " b.promoted_at, b.promoted_by FROM baselines b"
                 " JOIN runs r ON r.id = b.run_id JOIN projects p ON p.id = b.project_id"
                 " WHERE p.name = $1 AND b.branch = $2"
                 " ORDER BY b.promoted_at DESC, b.run_id DESC LIMIT $3) x",
                 3},
        [ST_RUN_PROJECT] = {"run_project",
                            "SELECT p.name, r.branch FROM runs r JOIN projects p"
                            " ON p.id = r.project_id WHERE r.id = $1",
                            1},
        [ST_FEEDBACK_INSERT] =
                {"feedback_insert",
                 "INSERT INTO feedback (run_id, gate, false_positive, note, created_by)"
                 " VALUES ($1, $2, $3, $4, $5) RETURNING json_build_object('id', id,"
                 " 'run_id', run_id, 'gate', gate, 'false_positive', false_positive,"
                 " 'note', note, 'created_by', created_by,"
                 " 'created_at', created_at)::text",
                 5},
        [ST_GATE_STATS] = {"gate_stats",
                           "WITH p AS (SELECT id FROM projects WHERE name = $1),"
                           " g AS (SELECT gr.gate, count(*) AS evaluations,"
                           "  count(*) FILTER (WHERE gr.status = 'warn') AS warnings,"
                           "  count(*) FILTER (WHERE gr.status = 'fail') AS failures,"
                           "  count(*) FILTER (WHERE gr.status IN ('warn', 'fail')) AS violations"
                           "  FROM gate_results gr JOIN runs r ON r.id = gr.run_id"
                           "  WHERE r.project_id = (SELECT id FROM p) GROUP BY gr.gate),"
                           " f AS (SELECT fb.gate, count(*) FILTER (WHERE fb.false_positive) AS fp"
                           "  FROM feedback fb JOIN runs r ON r.id = fb.run_id"
                           "  WHERE r.project_id = (SELECT id FROM p) GROUP BY fb.gate)"
                           " SELECT coalesce(json_agg(json_build_object('gate', g.gate,"
                           " 'evaluations', g.evaluations, 'warnings', g.warnings,"
                           " 'failures', g.failures, 'false_positives', coalesce(f.fp, 0),"
                           " 'false_positive_rate', CASE WHEN g.violations = 0 THEN NULL"
                           " ELSE round(coalesce(f.fp, 0)::numeric / g.violations, 4) END)"
                           " ORDER BY g.gate), '[]')::text FROM g LEFT JOIN f ON f.gate = g.gate",
                           1},
        [ST_PROJECT_SAVE] = {"project_save",
                             "INSERT INTO projects (name, default_branch, settings)"
                             " VALUES ($1, $2, $3::jsonb) ON CONFLICT (name) DO UPDATE"
                             " SET default_branch = EXCLUDED.default_branch,"
                             " settings = EXCLUDED.settings, updated_at = now()",
                             3},
        /* history reads (trend.c): $1 project, $2 branch, $3/$4 [from, to)
         * in epoch ms; per-run reads take the newest $n and are reordered
         * oldest first, bucketed reads group by bins of $n ms from $3 */
        [ST_TREND_RUNS] = {"trend_runs",
                           "SELECT id, commit, ms, v FROM (SELECT r.id,"
                           " coalesce(r.commit_sha, '') AS commit, r.created_at,"
                           " floor(extract(epoch FROM r.created_at) * 1000)::bigint AS ms, c.v"
                           " FROM runs r, LATERAL (SELECT CASE $5::text"
                           " WHEN 'overall' THEN r.rating_overall WHEN 'cpu' THEN r.rating_cpu"
                           " WHEN 'memory' THEN r.rating_memory WHEN 'bench' THEN r.rating_bench"
                           " WHEN 'verdict' THEN CASE r.verdict WHEN 'pass' THEN 0"
                           " WHEN 'warn' THEN 1 ELSE 2 END END::float8 AS v) c"
                           " WHERE r.project_id = (SELECT id FROM projects WHERE name = $1)"
                           " AND r.branch = $2 AND r.created_at >= to_timestamp($3::float8 / 1000)"
                           " AND r.created_at < to_timestamp($4::float8 / 1000) AND c.v IS NOT NULL"
                           " ORDER BY r.created_at DESC, r.id DESC LIMIT $6) x"
                           " ORDER BY created_at, id",
                           6},
        [ST_TREND_RUNS_B] =
                {"trend_runs_b",
                 /* buckets by date_bin: integer arithmetic on the
                  * timestamps, the same bins as (ms - $3) / $6; epoch ms
                  * (numeric) are computed once per bucket, not per run,
                  * and the series, stride and origin once per statement
                  * (sub-selects: a generic plan would compute them per
                  * row) */
                 "SELECT max(id), '', floor(extract(epoch FROM max(created_at)) * 1000)::bigint,"
                 " CASE WHEN $5::text = 'verdict' THEN max(v) ELSE avg(v) END, count(*)"
                 " FROM (SELECT r.id, r.created_at, CASE (SELECT CASE $5::text"
                 " WHEN 'overall' THEN 1 WHEN 'cpu' THEN 2 WHEN 'memory' THEN 3"
                 " WHEN 'bench' THEN 4 WHEN 'verdict' THEN 5 END) WHEN 1 THEN r.rating_overall"
                 " WHEN 2 THEN r.rating_cpu WHEN 3 THEN r.rating_memory WHEN 4 THEN r.rating_bench"
                 " WHEN 5 THEN CASE r.verdict WHEN 'pass' THEN 0 WHEN 'warn' THEN 1"
                 " ELSE 2 END END::float8 AS v FROM runs r"
                 " WHERE r.project_id = (SELECT id FROM projects WHERE name = $1)"
                 " AND r.branch = $2 AND r.created_at >= to_timestamp($3::float8 / 1000)"
                 " AND r.created_at < to_timestamp($4::float8 / 1000)) x WHERE v IS NOT NULL"
                 " GROUP BY date_bin((SELECT $6::bigint * interval '1 ms'), created_at,"
                 " (SELECT to_timestamp($3::float8 / 1000))) ORDER BY 3",
                 6},
        [ST_TREND_FUNCTION] =
                {"trend_function",
                 /* function_stats_series: the newest $7 rows of the
                  * branch in range, then their runs' commits, one
                  * primary-key probe each (as a join, the first five
                  * custom plans hashed all of runs: 45 ms instead of 4) */
                 "SELECT x.run_id, coalesce((SELECT r.commit_sha FROM runs r"
                 " WHERE r.id = x.run_id), ''),"
                 " floor(extract(epoch FROM x.created_at) * 1000)::bigint, x.v FROM (SELECT"
                 " f.run_id, f.created_at, f.flat_pct AS v FROM function_stats f"
                 " WHERE (f.project_id, f.series) = (SELECT id, function_series(id, $2, $5, $6)"
                 " FROM projects WHERE name = $1)"
                 " AND f.created_at >= to_timestamp($3::float8 / 1000)"
                 " AND f.created_at < to_timestamp($4::float8 / 1000)"
                 " ORDER BY f.created_at DESC, f.run_id DESC LIMIT $7) x"
                 " ORDER BY x.created_at, x.run_id",
                 7},
        [ST_TREND_FUNCTION_B] =
                {"trend_function_b",
                 /* one range scan of function_stats_series (no join to
                  * runs); bins as trend_runs_b */
                 "SELECT max(f.run_id), '',"
                 " floor(extract(epoch FROM max(f.created_at)) * 1000)::bigint, avg(f.flat_pct),"
                 " count(*) FROM function_stats f WHERE (f.project_id, f.series) = (SELECT id,"
                 " function_series(id, $2, $5, $6) FROM projects WHERE name = $1)"
                 " AND f.created_at >= to_timestamp($3::float8 / 1000)"
                 " AND f.created_at < to_timestamp($4::float8 / 1000)"
                 " GROUP BY date_bin((SELECT $7::bigint * interval '1 ms'), f.created_at,"
                 " (SELECT to_timestamp($3::float8 / 1000))) ORDER BY 3",
                 7},
        [ST_TREND_BENCH] =
                {"trend_bench",
                 /* as trend_function (bench_stats_series) */
                 "SELECT x.run_id, coalesce((SELECT r.commit_sha FROM runs r"
                 " WHERE r.id = x.run_id), ''),"
                 " floor(extract(epoch FROM x.created_at) * 1000)::bigint, x.v FROM (SELECT"
                 " s.run_id, s.created_at, s.median AS v FROM bench_stats s"
                 " WHERE (s.project_id, s.series) = (SELECT id, bench_series(id, $2, $5, $6)"
                 " FROM projects WHERE name = $1)"
                 " AND s.created_at >= to_timestamp($3::float8 / 1000)"
                 " AND s.created_at < to_timestamp($4::float8 / 1000)"
                 " ORDER BY s.created_at DESC, s.run_id DESC LIMIT $7) x"
                 " ORDER BY x.created_at, x.run_id",
                 7},
        [ST_TREND_BENCH_B] =
                {"trend_bench_b",
                 /* as trend_function_b (bench_stats_series) */
                 "SELECT max(s.run_id), '',"
                 " floor(extract(epoch FROM max(s.created_at)) * 1000)::bigint, avg(s.median),"
                 " count(*) FROM bench_stats s WHERE (s.project_id, s.series) = (SELECT id,"
                 " bench_series(id, $2, $5, $6) FROM projects WHERE name = $1)"
                 " AND s.created_at >= to_timestamp($3::float8 / 1000)"
                 " AND s.created_at < to_timestamp($4::float8 / 1000)"
                 " GROUP BY date_bin((SELECT $7::bigint * interval '1 ms'), s.created_at,"
                 " (SELECT to_timestamp($3::float8 / 1000))) ORDER BY 3",
                 7},
        /* branches of a project: a skip scan of runs_project_branch_id */
        [ST_TREND_BRANCHES] = {"trend_branches",
                               "WITH RECURSIVE p AS (SELECT id FROM projects WHERE name = $1),"
                               " b(branch) AS ((SELECT r.branch FROM runs r"
                               " WHERE r.project_id = (SELECT id FROM p) ORDER BY r.branch LIMIT 1)"
                               " UNION ALL SELECT (SELECT r.branch FROM runs r"
                               " WHERE r.project_id = (SELECT id FROM p) AND r.branch > b.branch"
                               " ORDER BY r.branch LIMIT 1) FROM b WHERE b.branch IS NOT NULL)"
                               " SELECT branch FROM b WHERE branch IS NOT NULL LIMIT $2",
                               2},
        /* functions of kind $3 in the newest $4 runs (with such a profile)
         * before $5, by their largest flat% */
        [ST_TREND_FUNCTIONS] =
                {"trend_functions",
                 "SELECT f.function, max(f.flat_pct) FROM function_stats f"
                 " WHERE f.kind = $3 AND f.run_id IN (SELECT r.id FROM runs r"
                 " WHERE r.project_id = (SELECT id FROM projects WHERE name = $1)"
                 " AND r.branch = $2 AND r.created_at < to_timestamp($5::float8 / 1000)"
                 " AND EXISTS (SELECT 1 FROM profile_totals t"
                 " WHERE t.run_id = r.id AND t.kind = $3)"
                 " ORDER BY r.created_at DESC, r.id DESC LIMIT $4)"
                 " GROUP BY f.function ORDER BY 2 DESC, 1 LIMIT $6",
                 6},
        /* (benchmark, unit) pairs in the newest $3 runs with benchmarks
         * before $4 */
        [ST_TREND_BENCHMARKS] = {"trend_benchmarks",
                                 "SELECT b.benchmark, b.unit FROM bench_stats b"
                                 " WHERE b.run_id IN (SELECT r.id FROM runs r"
                                 " WHERE r.project_id = (SELECT id FROM projects WHERE name = $1)"
                                 " AND r.branch = $2"
                                 " AND r.created_at < to_timestamp($4::float8 / 1000)"
                                 " AND EXISTS (SELECT 1 FROM bench_stats x WHERE x.run_id = r.id)"
                                 " ORDER BY r.created_at DESC, r.id DESC LIMIT $3)"
                                 " GROUP BY 1, 2 ORDER BY 1, 2 LIMIT $5",
                                 5},
        /* failed verdicts and baseline promotions of a project ($2 branch
         * or NULL) in [$3, $4), oldest first */
        [ST_TREND_ANNOTATIONS] =
                {"trend_annotations",
                 "WITH p AS (SELECT id FROM projects WHERE name = $1)"
                 " SELECT kind, ms, run_id, branch, commit, summary, who FROM ("
                 " SELECT 'fail' AS kind, floor(extract(epoch FROM r.created_at) * 1000)::bigint"
                 " AS ms, r.id AS run_id, r.branch, coalesce(r.commit_sha, '') AS commit,"
                 " r.summary, '' AS who FROM runs r"
                 " WHERE r.project_id = (SELECT id FROM p) AND r.verdict = 'fail'"
                 " AND ($2::text IS NULL OR r.branch = $2)"
                 " AND r.created_at >= to_timestamp($3::float8 / 1000)"
                 " AND r.created_at < to_timestamp($4::float8 / 1000)"
                 " UNION ALL SELECT 'promotion', floor(extract(epoch FROM b.promoted_at) * 1000)"
                 "::bigint, b.run_id, b.branch, coalesce(r.commit_sha, ''), '', b.promoted_by"
                 " FROM baselines b JOIN runs r ON r.id = b.run_id"
                 " WHERE b.project_id = (SELECT id FROM p) AND ($2::text IS NULL OR b.branch = $2)"
                 " AND b.promoted_at >= to_timestamp($3::float8 / 1000)"
                 " AND b.promoted_at < to_timestamp($4::float8 / 1000)) x"
                 " ORDER BY ms, run_id LIMIT $5",
                 5},
        /* `perfgate nightly`: the period [$3, $4) of a branch as JSON: run
         * and verdict counts, the run before the period ("then"), the
         * newest run of it ("now"), its failed runs */
        [ST_NIGHTLY_PERIOD] =
                {"nightly_period",
                 "WITH p AS (SELECT id FROM projects WHERE name = $1),"
                 " per AS (SELECT r.* FROM runs r WHERE r.project_id = (SELECT id FROM p)"
                 " AND r.branch = $2 AND r.created_at >= to_timestamp($3::float8 / 1000)"
                 " AND r.created_at < to_timestamp($4::float8 / 1000)),"
                 " thn AS (SELECT r.* FROM runs r WHERE r.project_id = (SELECT id FROM p)"
                 " AND r.branch = $2 AND r.created_at < to_timestamp($3::float8 / 1000)"
                 " ORDER BY r.created_at DESC, r.id DESC LIMIT 1),"
                 " fst AS (SELECT * FROM per ORDER BY created_at, id LIMIT 1),"
                 " nw AS (SELECT * FROM per ORDER BY created_at DESC, id DESC LIMIT 1)"
                 " SELECT json_build_object('runs', (SELECT count(*) FROM per),"
                 " 'verdicts', json_build_object("
                 " 'pass', (SELECT count(*) FROM per WHERE verdict = 'pass'),"
                 " 'warn', (SELECT count(*) FROM per WHERE verdict = 'warn'),"
                 " 'fail', (SELECT count(*) FROM per WHERE verdict = 'fail')),"
                 " 'then', (SELECT json_build_object('run_id', id, 'commit', commit_sha,"
                 " 'created', created_at, 'verdict', verdict, 'rating', json_build_object("
                 " 'overall', rating_overall, 'cpu', rating_cpu, 'memory', rating_memory,"
                 " 'bench', rating_bench)) FROM (SELECT * FROM thn UNION ALL"
                 " SELECT * FROM fst WHERE NOT EXISTS (SELECT 1 FROM thn)) t),"
                 " 'now', (SELECT json_build_object('run_id', id, 'commit', commit_sha,"
                 " 'created', created_at, 'verdict', verdict, 'rating', json_build_object("
                 " 'overall', rating_overall, 'cpu', rating_cpu, 'memory', rating_memory,"
                 " 'bench', rating_bench)) FROM nw),"
                 " 'failed_runs', (SELECT coalesce(json_agg(json_build_object('run_id', id,"
                 " 'commit', commit_sha, 'created', created_at,"
                 " 'summary', summary) ORDER BY created_at, id), '[]')"
                 " FROM (SELECT * FROM per WHERE verdict = 'fail'"
                 " ORDER BY created_at DESC, id DESC LIMIT $5) f))::text",
                 5},
        /* functions whose flat% moved most between runs $1 and $2 (every
         * row: function_rows) */
        [ST_NIGHTLY_FUNCTIONS] =
                {"nightly_functions",
                 "SELECT coalesce(json_agg(x ORDER BY abs(x.delta) DESC, x.kind, x.function),"
                 " '[]')::text FROM (SELECT coalesce(a.kind, b.kind) AS kind,"
                 " coalesce(a.function, b.function) AS function, coalesce(a.flat_pct, 0) AS then,"
                 " coalesce(b.flat_pct, 0) AS now,"
                 " round((coalesce(b.flat_pct, 0) - coalesce(a.flat_pct, 0))::numeric, 2)"
                 " AS delta FROM (SELECT * FROM function_rows WHERE run_id = $1) a"
                 " FULL JOIN (SELECT * FROM function_rows WHERE run_id = $2) b"
                 " ON a.kind = b.kind AND a.function = b.function"
                 " WHERE EXISTS (SELECT 1 FROM profile_totals t WHERE t.run_id = $1"
                 " AND t.kind = coalesce(a.kind, b.kind)) AND EXISTS (SELECT 1 FROM"
                 " profile_totals t WHERE t.run_id = $2 AND t.kind = coalesce(a.kind, b.kind))"
                 " ORDER BY abs(coalesce(b.flat_pct, 0) - coalesce(a.flat_pct, 0)) DESC,"
                 " 1, 2 LIMIT $3) x WHERE x.delta <> 0",
                 3},
        /* benchmarks whose median moved most between runs $1 and $2 */
        [ST_NIGHTLY_BENCH] =
                {"nightly_bench",
                 "SELECT coalesce(json_agg(x ORDER BY abs(x.delta_pct) DESC, x.benchmark,"
                 " x.unit), '[]')::text FROM (SELECT a.benchmark, a.unit, a.median AS then,"
                 " b.median AS now, round(((b.median / a.median - 1) * 100)::numeric, 2)"
                 " AS delta_pct FROM bench_stats a JOIN bench_stats b ON b.run_id = $2"
                 " AND b.benchmark = a.benchmark AND b.unit = a.unit WHERE a.run_id = $1"
                 " AND a.median <> 0 ORDER BY abs(b.median / a.median - 1) DESC, 1, 2"
                 " LIMIT $3) x WHERE x.delta_pct <> 0",
                 3},
};

struct pf_db *pf_db_new(const char *conninfo)
{
	struct pf_db *db = pf_xcalloc(1, sizeof *db);
	db->conninfo = pf_xstrdup(conninfo ? conninfo : "");
	return db;
}

struct pf_db *pf_db_new_tokens(const char *conninfo)
{
	struct pf_db *db = pf_db_new(conninfo);
	db->tokens_only = true;
	return db;
}

void pf_db_free(struct pf_db *db)
{
	if (!db)
		return;
	if (db->conn)
		PQfinish(db->conn);
	free(db->conninfo);
	free(db);
}

static void drop_conn(struct pf_db *db)
{
	if (db->conn)
		PQfinish(db->conn);
	db->conn = NULL;
	db->prepared = false;
	db->in_tx = false;
}

static void first_line(char *s)
{
	char *nl = strchr(s, '\n');
	if (nl)
		*nl = '\0';
}

enum pf_code pf_db_error(struct pf_db *db, PGresult *res, const char *what, struct pf_err *err)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	char msg[400];
	enum pf_code code = PF_E_INTERNAL;

	snprintf(msg, sizeof msg, "%s", res ? PQresultErrorMessage(res) : "");
	if (!msg[0] && db->conn)
		snprintf(msg, sizeof msg, "%s", PQerrorMessage(db->conn));
	first_line(msg);
	if (!db->conn || PQstatus(db->conn) != CONNECTION_OK) {
		code = PF_E_UNAVAILABLE;
	} else if (state) {
		if (strncmp(state, "08", 2) == 0 || strncmp(state, "53", 2) == 0 ||
		    strncmp(state, "57P", 3) == 0)
			code = PF_E_UNAVAILABLE;
		else if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0)
			code = PF_E_RETRYABLE;
		else if (strcmp(state, "23505") == 0)
			code = PF_E_CONFLICT;
		else if (strncmp(state, "23", 2) == 0 || strncmp(state, "22", 2) == 0)
			code = PF_E_BAD_REQUEST;
	}
	if (code == PF_E_UNAVAILABLE)
		drop_conn(db);
	if (state)
		return pf_err_set(err, code, NULL, "database: %s: %s (SQLSTATE %s)", what, msg,
		                  state);
	return pf_err_set(err, code, NULL, "database: %s: %s", what, msg);
}

static enum pf_code prepare_all(struct pf_db *db, struct pf_err *err)
{
	pf_err_clear(&db->prepare_err);
	for (int i = 0; i < ST__COUNT; i++) {
		if (db->tokens_only && i != ST_TOKEN_LOOKUP && i != ST_TOKEN_TOUCH)
			continue;
		PGresult *r =
		        PQprepare(db->conn, stmts[i].name, stmts[i].sql, stmts[i].nparams, NULL);
		if (PQresultStatus(r) != PGRES_COMMAND_OK) {
			struct pf_err e;
			enum pf_code rc = pf_db_error(db, r, stmts[i].name, &e);
			PQclear(r);
			/* a statement of a table the schema lacks yet is not
			 * fatal: it is prepared again on the next connect, and
			 * pf_db_check_statements reports it */
			if (rc != PF_E_UNAVAILABLE && PQstatus(db->conn) == CONNECTION_OK) {
				if (!db->prepare_err.code)
					db->prepare_err = e;
				continue;
			}
			*err = e;
			return rc;
		}
		PQclear(r);
	}
	db->prepared = true;
	return PF_OK;
}

#define CONNECT_TIMEOUT "5" /* seconds: libpq's connect_timeout */
#define HOLD_OFF        5   /* seconds without attempts after one that timed out */

static double mono_now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Connected and prepared, or PF_E_UNAVAILABLE. A database that refuses
 * (not running) is tried again at every call. One that does not answer
 * costs connect_timeout per attempt: after such an attempt this handle
 * answers PF_E_UNAVAILABLE at once for HOLD_OFF seconds, so its thread
 * (the daemon's I/O thread checks tokens) is not stuck on every request. */
enum pf_code pf_db_ensure(struct pf_db *db, struct pf_err *err)
{
	if (db->conn && PQstatus(db->conn) == CONNECTION_OK && db->prepared)
		return PF_OK;
	double t0 = mono_now();
	if (t0 < db->hold_until)
		return pf_err_set(err, PF_E_UNAVAILABLE, NULL,
		                  "database unreachable: the last connection attempt timed out; "
		                  "next attempt in %.0f s",
		                  db->hold_until - t0 + 0.5);
	drop_conn(db);
	const char *kw[] = {"dbname", "connect_timeout", "application_name", NULL};
	const char *val[] = {db->conninfo, CONNECT_TIMEOUT, "perfgate", NULL};
	db->conn = PQconnectdbParams(kw, val, 1);
	if (!db->conn || PQstatus(db->conn) != CONNECTION_OK) {
		char msg[300];
		snprintf(msg, sizeof msg, "%s",
		         db->conn ? PQerrorMessage(db->conn) : "cannot allocate a connection");
		first_line(msg);
		drop_conn(db);
		double t1 = mono_now();
		if (t1 - t0 >= 1.0) /* waited: not a refusal */
			db->hold_until = t1 + HOLD_OFF;
		return pf_err_set(err, PF_E_UNAVAILABLE, NULL, "database unreachable: %s", msg);
	}
	PGresult *r = PQexec(db->conn, "SET client_min_messages = warning");
	PQclear(r);
	return prepare_all(db, err);
}

enum pf_code pf_db_exec(struct pf_db *db, enum pf_stmt st, int nparams, const char *const *values,
                        const int *lens, const int *formats, PGresult **res, struct pf_err *err)
{
	for (int attempt = 0;; attempt++) {
		enum pf_code rc = pf_db_ensure(db, err);
		if (rc)
			return rc;
		PGresult *r = PQexecPrepared(db->conn, stmts[st].name, nparams, values, lens,
		                             formats, stmts[st].binary_result);
		ExecStatusType s = PQresultStatus(r);
		if (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK) {
			*res = r;
			return PF_OK;
		}
		bool was_tx = db->in_tx;
		/* a statement not prepared (schema migrated since connect) */
		const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
		bool unprepared = state && strcmp(state, "26000") == 0;
		rc = pf_db_error(db, r, stmts[st].name, err);
		PQclear(r);
		if (unprepared && !was_tx && attempt == 0) {
			drop_conn(db);
			continue;
		}
		if (rc == PF_E_UNAVAILABLE && !was_tx && attempt == 0)
			continue; /* the server restarted under an idle connection */
		return rc;
	}
}

/* Plain SQL; like pf_db_exec, a lost connection outside a transaction
 * is re-established and the statement tried once more. */
static enum pf_code query(struct pf_db *db, const char *sql, PGresult **res, struct pf_err *err)
{
	*res = NULL;
	for (int attempt = 0;; attempt++) {
		enum pf_code rc = pf_db_ensure(db, err);
		if (rc)
			return rc;
		PGresult *r = PQexec(db->conn, sql);
		ExecStatusType s = PQresultStatus(r);
		if (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK) {
			*res = r;
			return PF_OK;
		}
		bool was_tx = db->in_tx;
		rc = pf_db_error(db, r, sql, err);
		PQclear(r);
		if (rc == PF_E_UNAVAILABLE && !was_tx && attempt == 0)
			continue;
		return rc;
	}
}

static enum pf_code simple(struct pf_db *db, const char *sql, struct pf_err *err)
{
	PGresult *r;
	enum pf_code rc = query(db, sql, &r, err);
	if (rc == PF_OK)
		PQclear(r);
	return rc;
}

enum pf_code pf_db_begin(struct pf_db *db, struct pf_err *err)
{
	enum pf_code rc = simple(db, "BEGIN", err);
	if (rc == PF_OK)
		db->in_tx = true;
	return rc;
}

enum pf_code pf_db_commit(struct pf_db *db, struct pf_err *err)
{
	enum pf_code rc = simple(db, "COMMIT", err);
	db->in_tx = false;
	return rc;
}

void pf_db_rollback(struct pf_db *db)
{
	if (db->conn && PQstatus(db->conn) == CONNECTION_OK) {
		PGresult *r = PQexec(db->conn, "ROLLBACK");
		PQclear(r);
	}
	db->in_tx = false;
}

enum pf_code pf_db_tx_run(struct pf_db *db,
                          enum pf_code (*fn)(struct pf_db *, void *, struct pf_err *), void *arg,
                          struct pf_err *err)
{
	enum pf_code rc = PF_E_RETRYABLE;
	for (int attempt = 0; attempt < 5; attempt++) {
		rc = pf_db_begin(db, err);
		if (rc)
			return rc;
		rc = fn(db, arg, err);
		if (rc == PF_OK)
			rc = pf_db_commit(db, err);
		else
			pf_db_rollback(db);
		if (rc != PF_E_RETRYABLE)
			return rc;
		usleep((useconds_t)(1000 * (1 << attempt)));
	}
	return rc;
}

enum pf_code pf_db_schema_version(struct pf_db *db, int *version, struct pf_err *err)
{
	/* Plain SQL, not a prepared statement: schema_migrations may not
	 * exist yet (a new database), and migrate holds session state (its
	 * advisory lock). */
	PGresult *r;
	enum pf_code rc = query(db, "SELECT to_regclass('schema_migrations') IS NOT NULL", &r, err);
	if (rc)
		return rc;
	bool exists = strcmp(PQgetvalue(r, 0, 0), "t") == 0;
	PQclear(r);
	if (!exists) {
		*version = 0;
		return PF_OK;
	}
	rc = query(db, "SELECT coalesce(max(version), 0) FROM schema_migrations", &r, err);
	if (rc)
		return rc;
	*version = (int)strtol(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	return PF_OK;
}

enum pf_code pf_db_run(struct pf_db *db, enum pf_stmt st, int nparams, const char *const *values,
                       const int *lens, const int *formats, struct pf_err *err)
{
	PGresult *r;
	enum pf_code rc = pf_db_exec(db, st, nparams, values, lens, formats, &r, err);
	if (rc == PF_OK)
		PQclear(r);
	return rc;
}

enum pf_code pf_db_text(struct pf_db *db, enum pf_stmt st, int n, const char *const *vals,
                        char **out, struct pf_err *err)
{
	PGresult *r;
	enum pf_code rc = pf_db_exec(db, st, n, vals, NULL, NULL, &r, err);
	if (rc)
		return rc;
	if (PQntuples(r) != 1) {
		PQclear(r);
		return pf_err_set(err, PF_E_NOT_FOUND, NULL, "not found");
	}
	*out = pf_xstrdup(PQgetvalue(r, 0, 0));
	PQclear(r);
	return PF_OK;
}

enum pf_code pf_db_check_statements(struct pf_db *db, struct pf_err *err)
{
	enum pf_code rc = pf_db_ensure(db, err);
	if (rc)
		return rc;
	if (db->prepare_err.code)
		return pf_err_set(err, PF_E_SCHEMA, NULL, "statement does not prepare: %s",
		                  db->prepare_err.msg);
	return PF_OK;
}

void pf_db_disconnect(struct pf_db *db)
{
	drop_conn(db);
}

PGconn *pf_db_conn(struct pf_db *db)
{
	return db->conn;
}
