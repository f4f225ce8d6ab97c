-- 0006_trend_speed.sql: one function's flat% (one benchmark's median)
-- on a branch over a time range is one index range scan, without a join
-- to runs (issue #7: history reads on a large store).
--
-- function_stats and bench_stats carry copies of their run's project,
-- branch and creation time, written by the statement that stores the run
-- (runs never change them). The series indexes replace those of 0003 (the
-- same number of index entries per upload, each some 25 bytes wider):
-- they are keyed by the copies, so a series reads exactly the branch's
-- rows of the range in time order, where the run-id range of 0003 also
-- read every other branch's rows and joined each to runs.

ALTER TABLE function_stats
  ADD COLUMN project_id bigint,
  ADD COLUMN branch text,
  ADD COLUMN created_at timestamptz;
UPDATE function_stats f SET project_id = r.project_id, branch = r.branch,
  created_at = r.created_at FROM runs r WHERE r.id = f.run_id;
ALTER TABLE function_stats
  ALTER COLUMN project_id SET NOT NULL,
  ALTER COLUMN branch SET NOT NULL,
  ALTER COLUMN created_at SET NOT NULL;
COMMENT ON COLUMN function_stats.project_id IS 'Copy of runs.project_id of the run (trend reads).';
COMMENT ON COLUMN function_stats.branch IS 'Copy of runs.branch of the run (trend reads).';
COMMENT ON COLUMN function_stats.created_at IS 'Copy of runs.created_at of the run (trend reads).';

DROP INDEX function_stats_function;
CREATE INDEX function_stats_series ON function_stats
  (kind, function, project_id, branch, created_at) INCLUDE (run_id, flat_pct);
COMMENT ON INDEX function_stats_series IS 'Trend reads: one function''s flat% on a branch by time (covering).';

ALTER TABLE bench_stats
  ADD COLUMN project_id bigint,
  ADD COLUMN branch text,
  ADD COLUMN created_at timestamptz;
UPDATE bench_stats b SET project_id = r.project_id, branch = r.branch,
  created_at = r.created_at FROM runs r WHERE r.id = b.run_id;
ALTER TABLE bench_stats
  ALTER COLUMN project_id SET NOT NULL,
  ALTER COLUMN branch SET NOT NULL,
  ALTER COLUMN created_at SET NOT NULL;
COMMENT ON COLUMN bench_stats.project_id IS 'Copy of runs.project_id of the run (trend reads).';
COMMENT ON COLUMN bench_stats.branch IS 'Copy of runs.branch of the run (trend reads).';
COMMENT ON COLUMN bench_stats.created_at IS 'Copy of runs.created_at of the run (trend reads).';

DROP INDEX bench_stats_benchmark;
CREATE INDEX bench_stats_series ON bench_stats
  (benchmark, unit, project_id, branch, created_at) INCLUDE (run_id, median);
COMMENT ON INDEX bench_stats_series IS 'Trend reads: one benchmark''s median on a branch by time (covering).';

-- The copies equal the run's columns: checked once per statement when
-- rows are written, with the function_stats -> profile_totals check of
-- 0002 (one probe of runs per run and kind written, not one per row), and
-- carried along when a run's columns change (no upload does that; tests
-- and imports may date runs).
CREATE OR REPLACE FUNCTION function_stats_check_parent() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  orphan boolean;
  differs boolean;
BEGIN
  SELECT bool_or(NOT EXISTS (SELECT 1 FROM profile_totals p
                             WHERE p.run_id = n.run_id AND p.kind = n.kind)),
         bool_or(NOT EXISTS (SELECT 1 FROM runs r WHERE r.id = n.run_id
                             AND r.project_id = n.project_id AND r.branch = n.branch
                             AND r.created_at = n.created_at))
    INTO orphan, differs
    FROM (SELECT DISTINCT run_id, kind, project_id, branch, created_at FROM new_rows) n;
  IF orphan THEN
    RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation',
      MESSAGE = 'function_stats rows without their profile_totals row';
  END IF;
  IF differs THEN
    RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation',
      MESSAGE = 'function_stats rows whose project, branch or created_at differ from their run''s';
  END IF;
  RETURN NULL;
END $$;
COMMENT ON FUNCTION function_stats_check_parent() IS 'Statement-level foreign key of function_stats (run_id, kind) -> profile_totals, and its copies of the run''s project, branch and created_at.';

CREATE FUNCTION bench_stats_check_run() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM (SELECT DISTINCT run_id, project_id, branch, created_at
                            FROM new_rows) n
             WHERE NOT EXISTS (SELECT 1 FROM runs r WHERE r.id = n.run_id
                               AND r.project_id = n.project_id AND r.branch = n.branch
                               AND r.created_at = n.created_at)) THEN
    RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation',
      MESSAGE = 'bench_stats rows whose project, branch or created_at differ from their run''s';
  END IF;
  RETURN NULL;
END $$;
COMMENT ON FUNCTION bench_stats_check_run() IS 'bench_stats copies of the run''s project, branch and created_at equal the run''s (checked once per statement).';
CREATE TRIGGER bench_stats_run_insert AFTER INSERT ON bench_stats
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
  EXECUTE FUNCTION bench_stats_check_run();
CREATE TRIGGER bench_stats_run_update AFTER UPDATE ON bench_stats
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
  EXECUTE FUNCTION bench_stats_check_run();

CREATE FUNCTION runs_copy_to_stats() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE function_stats SET project_id = NEW.project_id, branch = NEW.branch,
    created_at = NEW.created_at WHERE run_id = NEW.id;
  UPDATE bench_stats SET project_id = NEW.project_id, branch = NEW.branch,
    created_at = NEW.created_at WHERE run_id = NEW.id;
  RETURN NULL;
END $$;
COMMENT ON FUNCTION runs_copy_to_stats() IS 'ON UPDATE CASCADE of the copies of runs.project_id, branch and created_at in function_stats and bench_stats.';
CREATE TRIGGER runs_copy_to_stats AFTER UPDATE OF project_id, branch, created_at ON runs
  FOR EACH ROW WHEN ((OLD.project_id, OLD.branch, OLD.created_at)
                     IS DISTINCT FROM (NEW.project_id, NEW.branch, NEW.created_at))
  EXECUTE FUNCTION runs_copy_to_stats();
