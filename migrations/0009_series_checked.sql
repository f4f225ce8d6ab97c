-- 0009_series_checked.sql: function_stats.series and bench_stats.series
-- are written by the upload's statement and checked by PostgreSQL, instead
-- of being stored generated columns (issue #6: what an upload costs
-- PostgreSQL).
--
-- PostgreSQL 15 computes a stored generated column by copying every other
-- column of the row and forming the tuple a second time. For the ~350 rows
-- of an upload that copy cost more than the hash itself. A column that the
-- statement fills with function_series() / bench_series(), under a CHECK
-- that it equals that function of the row, is still kept right by the
-- database (a writer that stores anything else is refused), and costs the
-- hash twice but no second tuple. Callgrind, fixture upload, uploads 50 to
-- 200 of a store: 24.5 M -> 23.5 M PostgreSQL instructions.
--
-- Writers now name the column: INSERT ... (…, series) VALUES (…,
-- function_series(project_id, branch, kind, function)). The copies kept by
-- runs_copy_to_stats() move the series with the branch or project.
-- The existing values were computed by the same expressions; ADD CONSTRAINT
-- checks them once more (one pass over each table).

ALTER TABLE function_stats ALTER COLUMN series DROP EXPRESSION;
ALTER TABLE function_stats ADD CONSTRAINT function_stats_series_check
  CHECK (series = function_series(project_id, branch, kind, function));
COMMENT ON COLUMN function_stats.series IS 'function_series() of the row (checked): its trend series within the project.';

ALTER TABLE bench_stats ALTER COLUMN series DROP EXPRESSION;
ALTER TABLE bench_stats ADD CONSTRAINT bench_stats_series_check
  CHECK (series = bench_series(project_id, branch, benchmark, unit));
COMMENT ON COLUMN bench_stats.series IS 'bench_series() of the row (checked): its trend series within the project.';

CREATE OR REPLACE FUNCTION runs_copy_to_stats() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE function_stats SET project_id = NEW.project_id, branch = NEW.branch,
    created_at = NEW.created_at,
    series = function_series(NEW.project_id, NEW.branch, kind, function)
    WHERE run_id = NEW.id;
  UPDATE bench_stats SET project_id = NEW.project_id, branch = NEW.branch,
    created_at = NEW.created_at,
    series = bench_series(NEW.project_id, NEW.branch, benchmark, unit)
    WHERE run_id = NEW.id;
  RETURN NULL;
END $$;
COMMENT ON FUNCTION runs_copy_to_stats() IS 'ON UPDATE CASCADE of the copies of runs.project_id, branch and created_at in function_stats and bench_stats, with the series they name.';
