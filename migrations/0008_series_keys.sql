-- 0008_series_keys.sql: the trend indexes of function_stats and
-- bench_stats are keyed by a fixed-width series key instead of the text
-- columns (issue #6: what an upload costs PostgreSQL).
--
-- An upload inserts some 300 function rows and 50 benchmark rows. 0007's
-- primary keys (kind, function, project_id, branch, created_at, run_id)
-- put each new row among the earlier rows of its series: every comparison
-- of the descent and of the leaf's binary search walked the two text
-- columns and the columns behind them (which PostgreSQL cannot address at
-- a fixed offset past a text column). That work grows with the history.
--
-- Now a row's series within its project (branch and kind and function;
-- for benchmarks branch, benchmark and unit) is named by a 64-bit hash,
-- kept by PostgreSQL itself as a stored generated column, so no writer can
-- store a wrong one. The trend index is (project_id, series, created_at,
-- run_id) INCLUDE (flat_pct | median): one series on a branch over a time
-- range is still one index-only range scan, and every key comparison is a
-- fixed-width one. The trend reads compute the series they want with the
-- same function.
--
-- The hash is PostgreSQL's hashtextextended, chained (each part seeds the
-- hash of the next), which needs no text to be built per row. Two series
-- of one project share a hash by accident with probability about
-- n^2 / 2^65 for n series (n = 100 000: 3e-10); those of two projects never
-- meet (project_id leads the key). The hash is not cryptographic: a
-- colliding pair can be made on purpose, but only from names uploaded to
-- the same project, and it can only mix two of that project's series in
-- trend charts, never a verdict (the gates read rows by run).
--
-- Uniqueness moves to run-major primary keys, (run_id, kind, function) and
-- (run_id, benchmark, unit): an upload's rows go to the right edge of
-- these, among its own rows, and they serve the by-run reads (baseline
-- windows, cascades, the nightly summary), so 0007's run_id indexes go.
-- Rewrites both tables and their indexes once.
-- Callgrind, fixture upload, uploads 50 to 200 of a store: 29.1 M -> 26.4 M
-- PostgreSQL instructions (with a 64-bit hash; the difference grows with
-- the history).

CREATE FUNCTION function_series(project_id bigint, branch text, kind text, function text)
RETURNS bigint LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT hashtextextended(function, hashtextextended(kind, hashtextextended(branch, project_id))) $$;
COMMENT ON FUNCTION function_series(bigint, text, text, text) IS
  'Hash of one function''s series (project, branch, profile kind, function): function_stats.series.';
CREATE FUNCTION bench_series(project_id bigint, branch text, benchmark text, unit text)
RETURNS bigint LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT hashtextextended(unit, hashtextextended(benchmark, hashtextextended(branch, project_id))) $$;
COMMENT ON FUNCTION bench_series(bigint, text, text, text) IS
  'Hash of one benchmark''s series (project, branch, benchmark, unit): bench_stats.series.';

ALTER TABLE function_stats DROP CONSTRAINT function_stats_pkey;
DROP INDEX function_stats_run;
ALTER TABLE function_stats ADD COLUMN series bigint NOT NULL
  GENERATED ALWAYS AS (function_series(project_id, branch, kind, function)) STORED;
COMMENT ON COLUMN function_stats.series IS 'function_series() of the row: its trend series within the project.';
ALTER TABLE function_stats ADD CONSTRAINT function_stats_pkey PRIMARY KEY (run_id, kind, function);
COMMENT ON INDEX function_stats_pkey IS 'One row per run, kind and function; one run''s rows (baseline windows, cascades).';
CREATE INDEX function_stats_series ON function_stats (project_id, series, created_at, run_id)
  INCLUDE (flat_pct);
COMMENT ON INDEX function_stats_series IS 'Trend reads: one function''s flat% on a branch by time (covering).';

ALTER TABLE bench_stats DROP CONSTRAINT bench_stats_pkey;
DROP INDEX bench_stats_run;
ALTER TABLE bench_stats ADD COLUMN series bigint NOT NULL
  GENERATED ALWAYS AS (bench_series(project_id, branch, benchmark, unit)) STORED;
COMMENT ON COLUMN bench_stats.series IS 'bench_series() of the row: its trend series within the project.';
ALTER TABLE bench_stats ADD CONSTRAINT bench_stats_pkey PRIMARY KEY (run_id, benchmark, unit);
COMMENT ON INDEX bench_stats_pkey IS 'One row per run, benchmark and unit; one run''s rows (baseline windows, cascades).';
CREATE INDEX bench_stats_series ON bench_stats (project_id, series, created_at, run_id)
  INCLUDE (median);
COMMENT ON INDEX bench_stats_series IS 'Trend reads: one benchmark''s median on a branch by time (covering).';
