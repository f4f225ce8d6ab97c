-- 0007_stats_one_btree.sql: function_stats and bench_stats keep one B-tree
-- each instead of two (issue #6: what an upload costs PostgreSQL).
--
-- An upload writes some 300 function rows and 50 benchmark rows. Each went
-- into two B-trees: the primary key (run_id, kind, function) and 0006's
-- series index (kind, function, project_id, branch, created_at) INCLUDE
-- (run_id, flat_pct); likewise for benchmarks. The series index takes
-- run_id as its last key column and becomes the primary key: it is unique
-- exactly when (kind, function, run_id) is, because a row's project,
-- branch and created_at are its run's (0006's statement check). Reading
-- one run's rows (the baseline window, the cascade from profile_totals,
-- the nightly summary, a dashboard's function list) goes through a plain
-- index on run_id: run ids grow, so its entries are appended at its right
-- edge, the cheap case of a B-tree insert. (A BRIN index would be cheaper
-- still to keep, but reading it means reading all of it: 40 ms a lookup
-- at 20 million rows.)
--
-- bench_stats' per-row foreign key to runs goes as well: 0006's statement
-- check already refuses a row whose run does not exist (the run's project,
-- branch and created_at must match), once per statement instead of once
-- per row; deleting a run removes its benchmark rows through a statement
-- trigger, as deleting a profile_totals row does for function_stats (0002).
-- Callgrind, fixture upload: 30.5 M -> 27.1 M PostgreSQL instructions.

ALTER TABLE function_stats DROP CONSTRAINT function_stats_pkey;
DROP INDEX function_stats_series;
ALTER TABLE function_stats ADD CONSTRAINT function_stats_pkey
  PRIMARY KEY (kind, function, project_id, branch, created_at, run_id) INCLUDE (flat_pct);
COMMENT ON INDEX function_stats_pkey IS 'One row per run, kind and function; trend reads: one function''s flat% on a branch by time (covering).';
CREATE INDEX function_stats_run ON function_stats (run_id);
COMMENT ON INDEX function_stats_run IS 'One run''s rows (baseline windows, cascades).';

ALTER TABLE bench_stats DROP CONSTRAINT bench_stats_pkey;
DROP INDEX bench_stats_series;
ALTER TABLE bench_stats ADD CONSTRAINT bench_stats_pkey
  PRIMARY KEY (benchmark, unit, project_id, branch, created_at, run_id) INCLUDE (median);
COMMENT ON INDEX bench_stats_pkey IS 'One row per run, benchmark and unit; trend reads: one benchmark''s median on a branch by time (covering).';
CREATE INDEX bench_stats_run ON bench_stats (run_id);
COMMENT ON INDEX bench_stats_run IS 'One run''s rows (baseline windows, cascades).';

ALTER TABLE bench_stats DROP CONSTRAINT bench_stats_run_id_fkey;
CREATE FUNCTION runs_cascade_bench() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM bench_stats b USING old_rows o WHERE b.run_id = o.id;
  RETURN NULL;
END $$;
COMMENT ON FUNCTION runs_cascade_bench() IS 'ON DELETE CASCADE of bench_stats -> runs, once per statement.';
CREATE TRIGGER runs_cascade_bench AFTER DELETE ON runs
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
  EXECUTE FUNCTION runs_cascade_bench();
