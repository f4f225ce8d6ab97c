-- 0005_store_speed.sql: the same data under the same rules, written at a
-- lower cost per upload (issue #6: upload -> verdict latency).
--
-- Function and benchmark names compare as bytes. Each upload inserts some
-- 300 function names and 50 benchmark names into two indexes each; under a
-- locale's collation every comparison goes through strcoll, under "C" it
-- is a memcmp. The names are identifiers, not prose: byte order sorts them
-- the same way in every locale (and as C.UTF-8 does). Rewrites the tables
-- and their indexes once.
ALTER TABLE function_stats ALTER COLUMN function TYPE text COLLATE "C";
ALTER TABLE bench_stats
  ALTER COLUMN benchmark TYPE text COLLATE "C",
  ALTER COLUMN unit TYPE text COLLATE "C";

-- The raw uploads and the report are compressed with lz4 where the server
-- has it (PostgreSQL built with lz4, as Debian's and the large clouds' are):
-- pglz took about 1 ms of every upload, mostly failing to shrink gzip data.
-- New values only; stored ones stay as they are. Without lz4 the server's
-- default stays and this says so.
DO $$
BEGIN
  ALTER TABLE artifacts ALTER COLUMN bytes SET COMPRESSION lz4;
  ALTER TABLE runs ALTER COLUMN report SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
  RAISE NOTICE 'lz4 compression is not available: artifacts and reports keep the default';
END $$;
