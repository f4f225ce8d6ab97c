-- 0002_runs.sql: runs and everything stored with them (DESIGN §6).
-- An upload is one transaction: the run, its artifacts, its function and
-- benchmark statistics, its gate results and (on the default branch) its
-- promotion are stored together or not at all.

CREATE TABLE runs (
  id               bigserial PRIMARY KEY,
  project_id       bigint NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  branch           text NOT NULL CHECK (length(branch) BETWEEN 1 AND 255),
  commit_sha       text CHECK (commit_sha IS NULL OR length(commit_sha) <= 100),
  base_branch      text NOT NULL CHECK (length(base_branch) BETWEEN 1 AND 255),
  pr               integer CHECK (pr IS NULL OR pr > 0),
  ci_url           text CHECK (ci_url IS NULL OR length(ci_url) <= 2048),
  runner           text CHECK (runner IS NULL OR length(runner) <= 255),
  idempotency_key  text CHECK (idempotency_key IS NULL OR length(idempotency_key) BETWEEN 1 AND 255),
  verdict          text NOT NULL CHECK (verdict IN ('pass', 'warn', 'fail')),
  rating_cpu       double precision CHECK (rating_cpu BETWEEN 0 AND 10),
  rating_memory    double precision CHECK (rating_memory BETWEEN 0 AND 10),
  rating_bench     double precision CHECK (rating_bench BETWEEN 0 AND 10),
  rating_overall   double precision CHECK (rating_overall BETWEEN 0 AND 10),
  report           jsonb NOT NULL CHECK (jsonb_typeof(report) = 'object'),
  created_at       timestamptz NOT NULL DEFAULT now(),
  UNIQUE (project_id, idempotency_key)
);
CREATE INDEX runs_project_branch_id ON runs (project_id, branch, id DESC);
CREATE INDEX runs_project_id ON runs (project_id, id DESC);
COMMENT ON TABLE runs IS 'One upload: a CI run of a project on a branch, with its verdict and report.';
COMMENT ON COLUMN runs.base_branch IS 'Branch whose baseline this run was compared with.';
COMMENT ON COLUMN runs.idempotency_key IS 'Idempotency-Key header of the upload: a retried upload returns this run.';
COMMENT ON COLUMN runs.report IS 'The JSON verdict as answered to the upload.';
COMMENT ON COLUMN runs.rating_overall IS 'rating.overall of the report (0-10, 10 best); NULL without data.';

CREATE TABLE artifacts (
  run_id     bigint NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  kind       text NOT NULL CHECK (kind IN ('cpu', 'heap', 'bench', 'report')),
  bytes      bytea NOT NULL,
  size       bigint NOT NULL CHECK (size >= 0),
  sha256     bytea NOT NULL CHECK (length(sha256) = 32),
  PRIMARY KEY (run_id, kind)
);
COMMENT ON TABLE artifacts IS 'The uploaded files, byte for byte (GET /v1/runs/{id}/profiles/{kind} serves them back).';

CREATE TABLE profile_totals (
  run_id         bigint NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  kind           text NOT NULL CHECK (kind IN ('cpu', 'heap')),
  sample_index   text NOT NULL,
  unit           text NOT NULL,
  total          bigint NOT NULL,
  total_samples  bigint NOT NULL,
  PRIMARY KEY (run_id, kind)
);
COMMENT ON TABLE profile_totals IS 'Per run and profile kind: the total of the gated sample index and its sample count (-1 unknown).';

CREATE TABLE function_stats (
  run_id        bigint NOT NULL,
  kind          text NOT NULL CHECK (kind IN ('cpu', 'heap')),
  function      text NOT NULL,
  inline_bits   smallint NOT NULL DEFAULT 0 CHECK (inline_bits BETWEEN 0 AND 3),
  flat          bigint NOT NULL,
  cum           bigint NOT NULL,
  flat_pct      double precision NOT NULL,
  cum_pct       double precision NOT NULL,
  flat_samples  bigint NOT NULL DEFAULT -1,
  cum_samples   bigint NOT NULL DEFAULT -1,
  PRIMARY KEY (run_id, kind, function)
);
CREATE INDEX function_stats_function ON function_stats (kind, function, run_id);
COMMENT ON TABLE function_stats IS 'Function table of each profile (pprof -top granularity): baselines are merged from these rows without re-parsing profiles.';
COMMENT ON COLUMN function_stats.inline_bits IS '1: reached through an inlined call, 2: through a plain call (pprof''s (inline) label).';
COMMENT ON COLUMN function_stats.flat_samples IS 'Samples attributed to flat (for the share z-test); -1 when unknown (heap).';

-- function_stats -> profile_totals is a foreign key checked once per
-- statement instead of once per row: an upload writes hundreds of rows in
-- one statement, and the per-row check doubled the cost of storing a run.
-- The rule is the same: no row without its parent, and the parent's
-- deletion removes the rows.
CREATE FUNCTION function_stats_check_parent() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM (SELECT DISTINCT run_id, kind FROM new_rows) n
             WHERE NOT EXISTS (SELECT 1 FROM profile_totals p
                               WHERE p.run_id = n.run_id AND p.kind = n.kind)) THEN
    RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation',
      MESSAGE = 'function_stats rows without their profile_totals row';
  END IF;
  RETURN NULL;
END $$;
COMMENT ON FUNCTION function_stats_check_parent() IS 'Statement-level foreign key of function_stats (run_id, kind) -> profile_totals.';
CREATE TRIGGER function_stats_parent_insert AFTER INSERT ON function_stats
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
  EXECUTE FUNCTION function_stats_check_parent();
CREATE TRIGGER function_stats_parent_update AFTER UPDATE ON function_stats
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
  EXECUTE FUNCTION function_stats_check_parent();

CREATE FUNCTION profile_totals_cascade() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM function_stats f USING old_rows o
   WHERE f.run_id = o.run_id AND f.kind = o.kind;
  RETURN NULL;
END $$;
COMMENT ON FUNCTION profile_totals_cascade() IS 'ON DELETE CASCADE of the statement-level foreign key function_stats -> profile_totals.';
CREATE TRIGGER profile_totals_cascade AFTER DELETE ON profile_totals
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
  EXECUTE FUNCTION profile_totals_cascade();

CREATE TABLE bench_stats (
  run_id     bigint NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  benchmark  text NOT NULL,
  unit       text NOT NULL,
  n          integer NOT NULL CHECK (n > 0),
  median     double precision NOT NULL,
  ci_low     double precision,
  ci_high    double precision,
  samples    double precision[] NOT NULL,
  PRIMARY KEY (run_id, benchmark, unit)
);
CREATE INDEX bench_stats_benchmark ON bench_stats (benchmark, unit, run_id);
COMMENT ON TABLE bench_stats IS 'Per run, benchmark (benchstat row name) and tidied unit: the raw samples and their summary.';

CREATE TABLE gate_results (
  run_id      bigint NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  gate        text NOT NULL CHECK (gate IN ('cpu_hotspot', 'alloc_regression', 'bench_slowdown', 'rating', 'new_hotspot')),
  mode        text NOT NULL CHECK (mode IN ('off', 'soft', 'hard')),
  status      text NOT NULL CHECK (status IN ('pass', 'warn', 'fail', 'skipped', 'off')),
  violations  jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(violations) = 'array'),
  PRIMARY KEY (run_id, gate)
);
CREATE INDEX gate_results_gate ON gate_results (gate, status);
COMMENT ON TABLE gate_results IS 'One row per run and gate: how the gate was evaluated.';

CREATE TABLE baselines (
  project_id   bigint NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  branch       text NOT NULL,
  run_id       bigint NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  promoted_at  timestamptz NOT NULL DEFAULT now(),
  promoted_by  text NOT NULL,
  PRIMARY KEY (project_id, branch, run_id)
);
CREATE INDEX baselines_latest ON baselines (project_id, branch, promoted_at DESC, run_id DESC);
COMMENT ON TABLE baselines IS 'Runs promoted to baseline of their branch; the latest AI_GATE_BASELINE_RUNS form the baseline. Changed under a row lock on the project.';
COMMENT ON COLUMN baselines.promoted_by IS 'auto (a non-failing run on the default branch) or token:<id>.';

CREATE TABLE feedback (
  id              bigserial PRIMARY KEY,
  run_id          bigint NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  gate            text NOT NULL CHECK (gate IN ('cpu_hotspot', 'alloc_regression', 'bench_slowdown', 'rating', 'new_hotspot')),
  false_positive  boolean NOT NULL,
  note            text NOT NULL DEFAULT '' CHECK (length(note) <= 4000),
  created_by      text NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX feedback_run ON feedback (run_id);
COMMENT ON TABLE feedback IS 'A person''s judgement of a gate result, e.g. a flagged false positive.';
