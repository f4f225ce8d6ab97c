-- 0011_report_text.sql: the report is kept as the text the upload
-- answered, not parsed into jsonb, and its summary line gets a column of
-- its own (issue #6: what an upload costs PostgreSQL).
--
-- Nothing searches inside a stored report. It is read back whole (GET
-- /v1/runs/{id}, an idempotent replay), and only its "summary" field is
-- read by SQL (Grafana annotations, the nightly summary), now from
-- runs.summary. As jsonb, every upload parsed its 20 KB report into a
-- tree (as json it would still scan every byte of it) and every read
-- printed it back. The daemon renders the report with jansson, so it is
-- JSON by construction; the CHECK below only refuses what is not an
-- object. A report now reads back byte for byte as its upload answered it,
-- keys in the same order. Callgrind, fixture upload, uploads 50 to 200 of a
-- store: 17.7 M -> 15.4 M PostgreSQL instructions (as json instead: 17.3 M).

ALTER TABLE runs ADD COLUMN summary text;
UPDATE runs SET summary = coalesce(report->>'summary', '');
ALTER TABLE runs ALTER COLUMN summary SET NOT NULL;
COMMENT ON COLUMN runs.summary IS 'The report''s summary line (report.summary), read by Grafana annotations and the nightly summary.';

ALTER TABLE runs DROP CONSTRAINT runs_report_check;
ALTER TABLE runs ALTER COLUMN report TYPE text USING report::text;
-- A new type resets the column's compression: lz4 again where the server
-- has it (as in 0005_store_speed.sql), for the reports stored from now on;
-- those rewritten above have the server's default.
DO $$
BEGIN
  ALTER TABLE runs ALTER COLUMN report SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
  RAISE NOTICE 'lz4 compression is not available: reports keep the default';
END $$;
ALTER TABLE runs ADD CONSTRAINT runs_report_check CHECK (report LIKE '{%}');
COMMENT ON COLUMN runs.report IS 'The JSON verdict as answered to the upload, byte for byte (a JSON object, as text).';
