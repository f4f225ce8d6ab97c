#!/bin/sh
# bench_trend.sh: latency of the history reads on a large store. Seeds a
# throwaway PostgreSQL with SQL generate_series: BENCH_TREND_RUNS runs
# (default 100 000) over 365 days on 5 branches (half on main), each with a
# CPU function table of 200 functions and 20 benchmarks; then measures p50
# and p99 of the trend API and of /grafana/query over a 90-day range at
# maxDataPoints 1000 (target p99 <= 50 ms). Seeding drops the secondary
# indexes and rebuilds them from their stored definitions afterwards.
set -eu
BUILD=${BUILD:-build}
RUNS=${BENCH_TREND_RUNS:-100000}
N=${BENCH_TREND_REQUESTS:-200}
tmp=$(mktemp -d /tmp/perfgate-bench-trend.XXXXXX)
chmod 0755 "$tmp"
cleanup() {
	[ -n "${pid:-}" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
	scripts/pg.sh stop "$tmp/pg" >/dev/null 2>&1 || true
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
# reads only: the seeded history needs no WAL flushes (scripts/pg.sh)
PERFGATE_PG_FSYNC=off scripts/pg.sh start "$tmp/pg" >/dev/null
export PERFGATE_DATABASE_URL="$(scripts/pg.sh url "$tmp/pg")"
export PERFGATE_CONFIG=/dev/null
"$BUILD/perfgate" migrate >/dev/null
tok=$("$BUILD/perfgate" token create --scope read 2>/dev/null)
psql_() { psql "$PERFGATE_DATABASE_URL" -X -q -v ON_ERROR_STOP=1 "$@"; }

start=$(date +%s)
psql_ -v runs="$RUNS" <<'SQL'
SET synchronous_commit = off;
SET maintenance_work_mem = '512MB';
SET session_replication_role = replica; -- no FK triggers while seeding
CREATE TEMP TABLE saved AS SELECT indexname, indexdef FROM pg_indexes
 WHERE schemaname = 'public' AND tablename IN ('runs', 'function_stats', 'bench_stats')
 AND indexname NOT IN (SELECT conname FROM pg_constraint);
-- the stats tables' primary keys are their series indexes: built after
-- the rows too
CREATE TEMP TABLE saved_pk AS SELECT conrelid::regclass::text AS tab, conname,
 pg_get_constraintdef(oid) AS def FROM pg_constraint
 WHERE contype = 'p' AND conrelid IN ('function_stats'::regclass, 'bench_stats'::regclass);
DO $$ DECLARE r record; BEGIN
 FOR r IN SELECT indexname FROM saved LOOP EXECUTE 'DROP INDEX ' || quote_ident(r.indexname); END LOOP;
 FOR r IN SELECT * FROM saved_pk LOOP
  EXECUTE format('ALTER TABLE %I DROP CONSTRAINT %I', r.tab, r.conname);
 END LOOP;
END $$;
INSERT INTO projects (name) VALUES ('bench');
INSERT INTO runs (id, project_id, branch, commit_sha, base_branch, verdict, rating_cpu,
 rating_memory, rating_bench, rating_overall, report, summary, created_at)
SELECT g, (SELECT id FROM projects WHERE name = 'bench'),
 CASE WHEN g % 2 = 0 THEN 'main' ELSE 'feature-' || (g % 4) END, md5(g::text), 'main',
 CASE WHEN g % 53 = 0 THEN 'fail' WHEN g % 11 = 0 THEN 'warn' ELSE 'pass' END,
 (g % 100) / 10.0, ((g * 7) % 100) / 10.0, ((g * 13) % 100) / 10.0, ((g * 3) % 100) / 10.0,
 '{"summary": "seeded"}', 'seeded', now() - interval '365 days' + g * (interval '365 days' / :runs)
FROM generate_series(1, :runs) g;
SELECT setval('runs_id_seq', :runs) \g /dev/null
INSERT INTO profile_totals (run_id, kind, sample_index, unit, total, total_samples)
SELECT g, 'cpu', 'cpu', 'nanoseconds', 1000000000, 100000 FROM generate_series(1, :runs) g;
INSERT INTO function_stats (run_id, kind, function, flat, cum, flat_pct, cum_pct,
 flat_samples, cum_samples, project_id, branch, created_at, series)
SELECT g.id, 'cpu', fn, f * 1000, f * 2000, ((f * 7 + g.id) % 1000) / 100.0,
 ((f * 11 + g.id) % 1000) / 50.0, f, 2 * f, g.project_id, g.branch, g.created_at,
 function_series(g.project_id, g.branch, 'cpu', fn)
FROM runs g, generate_series(1, 200) f,
 LATERAL (SELECT 'example.com/app/internal/pkg' || (f % 10) || '.Func' || f AS fn) n;
INSERT INTO bench_stats (run_id, benchmark, unit, n, median, ci_low, ci_high, samples,
 project_id, branch, created_at, series)
SELECT g.id, 'Op/case=' || b, 'sec/op', 10, 1e-6 * b * (1 + (g.id % 100) / 1000.0),
 1e-6 * b, 1.1e-6 * b, ARRAY[1e-6 * b, 1.01e-6 * b, 0.99e-6 * b, 1e-6 * b, 1.02e-6 * b,
 0.98e-6 * b, 1e-6 * b, 1.03e-6 * b, 0.97e-6 * b, 1e-6 * b], g.project_id, g.branch, g.created_at,
 bench_series(g.project_id, g.branch, 'Op/case=' || b, 'sec/op')
FROM runs g, generate_series(1, 20) b;
INSERT INTO baselines (project_id, branch, run_id, promoted_at, promoted_by)
SELECT project_id, branch, id, created_at, 'auto' FROM runs WHERE branch = 'main' AND id % 40 = 0;
SET session_replication_role = origin;
DO $$ DECLARE r record; BEGIN
 FOR r IN SELECT indexdef FROM saved LOOP EXECUTE r.indexdef; END LOOP;
 FOR r IN SELECT * FROM saved_pk LOOP
  EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I %s', r.tab, r.conname, r.def);
 END LOOP;
END $$;
SQL
psql_ -c "VACUUM ANALYZE"
seeded=$(date +%s)
sizes=$(psql_ -At -c "SELECT (SELECT count(*) FROM runs) || ' runs, ' ||
 (SELECT count(*) FROM function_stats) || ' function rows, ' ||
 (SELECT count(*) FROM bench_stats) || ' benchmark rows, database ' ||
 pg_size_pretty(pg_database_size(current_database()))")
echo "seeded $sizes in $((seeded - start)) s ($(nproc) cores)"
in90=$(psql_ -At -c "SELECT count(*) FROM runs WHERE branch = 'main' AND created_at >= now() - interval '90 days'")
echo "runs of main in the last 90 days: $in90"

. tests/lib/serve.sh
pf_serve "$BUILD/perfgate" "$tmp/log" || true
b="http://127.0.0.1:$port"
fn="example.com/app/internal/pkg7.Func17"
lat() {
	"$BUILD/tools/httplat" "$@" || {
		echo "bench_trend: request failed; the daemon's log ends:"
		tail -20 "$tmp/log"
		exit 1
	}
}
t="$b/v1/projects/bench/trend?branch=main&from=now-90d"
lat "trend rating.overall (limit 1000)" "$t&metric=rating.overall" "$tok" "$N"
lat "trend verdict (limit 1000)" "$t&metric=verdict" "$tok" "$N"
lat "trend function.flat_pct (limit 1000)" "$t&metric=function.flat_pct&function=$fn" "$tok" "$N"
lat "trend bench.median (limit 1000)" "$t&metric=bench.median&benchmark=Op/case=7" "$tok" "$N"
from=$(date -u -d '90 days ago' +%Y-%m-%dT%H:%M:%S.000Z)
to=$(date -u +%Y-%m-%dT%H:%M:%S.000Z)
q() {
	printf '{"range": {"from": "%s", "to": "%s", "raw": {"from": "now-90d", "to": "now"}}, "intervalMs": 60000, "maxDataPoints": 1000, "targets": [%s]}' "$from" "$to" "$1"
}
g="$b/grafana/query"
lat "grafana/query rating.overall" "$g" "$tok" "$N" \
	"$(q '{"target": "rating.overall", "refId": "A", "payload": {"project": "bench", "branch": "main"}}')"
lat "grafana/query function.flat_pct" "$g" "$tok" "$N" \
	"$(q '{"target": "function.flat_pct", "refId": "A", "payload": {"project": "bench", "branch": "main", "function": "'"$fn"'"}}')"
lat "grafana/query bench.median" "$g" "$tok" "$N" \
	"$(q '{"target": "bench.median", "refId": "A", "payload": {"project": "bench", "branch": "main", "benchmark": "Op/case=7"}}')"
lat "grafana/query top 5 functions (5 series)" "$g" "$tok" "$N" \
	"$(q '{"target": "function.flat_pct", "refId": "A", "payload": {"project": "bench", "branch": "main", "top": 5}}')"
lat "grafana/query annotations" "$g" "$tok" "$N" \
	"$(q '{"target": "annotations", "refId": "A", "payload": {"project": "bench", "branch": "main"}}')"
lat "grafana/metrics (options from the store)" "$b/grafana/metrics" "$tok" 50 \
	'{"payload": {"project": "bench", "branch": "main"}}'
