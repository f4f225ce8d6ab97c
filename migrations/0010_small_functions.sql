-- 0010_small_functions.sql: the function rows that `go tool pprof -top`
-- drops by default are kept packed, one row per run and profile kind,
-- instead of one indexed row each (issue #6: what an upload costs
-- PostgreSQL).
--
-- A Go CPU profile has some 250 functions, and most of them hold a sliver
-- of the time: of the fixture upload's 303 function rows (259 CPU, 44
-- heap), 183 have a cum under pprof's default node fraction (|cum| <
-- |trunc(total x 0.005)|, the rows `pprof -top` reports as "Dropped N
-- nodes"). Each such row cost an upload as much as a hotspot's: a heap
-- tuple, two index entries, the checks and the series hash. Here they go
-- into one function_stats_small row per (run, kind), as parallel arrays.
-- Callgrind, fixture upload, uploads 50 to 200 of a store: 23.5 M -> 17.7 M
-- PostgreSQL instructions.
--
-- What reads them:
--   - a run's rows (the baseline windows, the nightly summary) come from
--     both tables (the view function_rows unpacks and adds the small
--     ones), so baselines and their numbers are what they were;
--   - trends: only function_stats. A function has a point in a run when
--     it held at least 0.5 % of that profile's total cum (the functions
--     `pprof -top` shows); below that the run has no point for it, as for
--     a run without the function.
-- Rows stored before this migration stay in function_stats (function_rows
-- reads them the same way).

CREATE TABLE function_stats_small (
  run_id        bigint NOT NULL,
  kind          text NOT NULL,
  function      text[] COLLATE "C" NOT NULL,
  inline_bits   smallint[] NOT NULL,
  flat          bigint[] NOT NULL,
  cum           bigint[] NOT NULL,
  flat_pct      double precision[] NOT NULL,
  cum_pct       double precision[] NOT NULL,
  flat_samples  bigint[] NOT NULL,
  cum_samples   bigint[] NOT NULL,
  PRIMARY KEY (run_id, kind),
  FOREIGN KEY (run_id, kind) REFERENCES profile_totals (run_id, kind) ON DELETE CASCADE,
  CHECK (array_ndims(function) = 1 AND cardinality(function) > 0
         AND cardinality(inline_bits) = cardinality(function)
         AND cardinality(flat) = cardinality(function)
         AND cardinality(cum) = cardinality(function)
         AND cardinality(flat_pct) = cardinality(function)
         AND cardinality(cum_pct) = cardinality(function)
         AND cardinality(flat_samples) = cardinality(function)
         AND cardinality(cum_samples) = cardinality(function))
);
-- The arrays are compressed with lz4 where the server has it (as in
-- 0005_store_speed.sql): pglz cost an upload more than the rows it saves.
DO $$
BEGIN
  ALTER TABLE function_stats_small ALTER COLUMN function SET COMPRESSION lz4,
    ALTER COLUMN inline_bits SET COMPRESSION lz4, ALTER COLUMN flat SET COMPRESSION lz4,
    ALTER COLUMN cum SET COMPRESSION lz4, ALTER COLUMN flat_pct SET COMPRESSION lz4,
    ALTER COLUMN cum_pct SET COMPRESSION lz4, ALTER COLUMN flat_samples SET COMPRESSION lz4,
    ALTER COLUMN cum_samples SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
  RAISE NOTICE 'lz4 compression is not available: function_stats_small keeps the default';
END $$;
COMMENT ON TABLE function_stats_small IS 'A run''s function rows under pprof''s default node fraction (|cum| < 0.5 % of the total), as parallel arrays: one row per run and kind. No trend series.';
COMMENT ON COLUMN function_stats_small.function IS 'Function names, as in function_stats.function; element i of every array is one function''s row.';

-- No function twice in one row's arrays: checked once per statement. A
-- function of function_stats_small is not also a row of function_stats for
-- the same run and kind: the upload's statement writes both from one
-- function table (one row per function); the database does not check
-- that (per name, the probes cost an upload more than the packing saves).
CREATE FUNCTION function_stats_small_check() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM new_rows n
             WHERE cardinality(n.function) <> (SELECT count(DISTINCT u.f COLLATE "C")
                                               FROM unnest(n.function) AS u(f))) THEN
    RAISE EXCEPTION USING ERRCODE = 'unique_violation',
      MESSAGE = 'function_stats_small names a function twice in one row';
  END IF;
  RETURN NULL;
END $$;
COMMENT ON FUNCTION function_stats_small_check() IS 'No function twice in one function_stats_small row.';
CREATE TRIGGER function_stats_small_insert AFTER INSERT ON function_stats_small
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
  EXECUTE FUNCTION function_stats_small_check();
CREATE TRIGGER function_stats_small_update AFTER UPDATE ON function_stats_small
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
  EXECUTE FUNCTION function_stats_small_check();

CREATE VIEW function_rows AS
  SELECT run_id, kind, function, inline_bits, flat, cum, flat_pct, cum_pct, flat_samples,
         cum_samples
    FROM function_stats
  UNION ALL
  SELECT s.run_id, s.kind, u.function, u.inline_bits, u.flat, u.cum, u.flat_pct, u.cum_pct,
         u.flat_samples, u.cum_samples
    FROM function_stats_small s
    CROSS JOIN LATERAL unnest(s.function, s.inline_bits, s.flat, s.cum, s.flat_pct, s.cum_pct,
                              s.flat_samples, s.cum_samples)
      AS u(function, inline_bits, flat, cum, flat_pct, cum_pct, flat_samples, cum_samples);
COMMENT ON VIEW function_rows IS 'Every function row of every run: function_stats and the unpacked function_stats_small.';
