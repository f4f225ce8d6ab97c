-- 0003_trends.sql: indexes for the history reads of DESIGN §7: the trend
-- API, the Grafana data source and `perfgate nightly`. Every history query
-- starts from the runs of one project and branch in a time range, then
-- looks up one function or benchmark of those runs.

-- Runs of a branch by time, covering the columns the rating and verdict
-- series read (index-only scans over a long history).
CREATE INDEX runs_trend ON runs (project_id, branch, created_at)
  INCLUDE (id, verdict, rating_overall, rating_cpu, rating_memory, rating_bench);
COMMENT ON INDEX runs_trend IS 'Trend reads: the runs of a project and branch in a time range, with their verdicts and ratings.';

-- Failed runs of a project by time: Grafana annotations.
CREATE INDEX runs_failed ON runs (project_id, created_at) WHERE verdict = 'fail';
COMMENT ON INDEX runs_failed IS 'Grafana annotations: the failed verdicts of a project in a time range.';

-- One function's share across runs: replaces function_stats_function
-- (same key) with a covering index, so a series is an index-only scan.
DROP INDEX function_stats_function;
CREATE INDEX function_stats_function ON function_stats (kind, function, run_id) INCLUDE (flat_pct);
COMMENT ON INDEX function_stats_function IS 'Trend reads: one function''s flat% across runs (covering).';

-- One benchmark's median across runs: the same for bench_stats.
DROP INDEX bench_stats_benchmark;
CREATE INDEX bench_stats_benchmark ON bench_stats (benchmark, unit, run_id) INCLUDE (median);
COMMENT ON INDEX bench_stats_benchmark IS 'Trend reads: one benchmark''s median across runs (covering).';

-- Baseline promotions of a project by time: Grafana annotations.
CREATE INDEX baselines_promoted ON baselines (project_id, promoted_at);
COMMENT ON INDEX baselines_promoted IS 'Grafana annotations: baseline promotions of a project in a time range.';
