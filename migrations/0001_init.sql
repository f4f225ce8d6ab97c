-- 0001_init.sql: projects and API tokens.
-- Applied in one transaction by `perfgate migrate`; never edited once landed.

CREATE TABLE projects (
  id              bigserial PRIMARY KEY,
  name            text NOT NULL UNIQUE
                  CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'),
  default_branch  text NOT NULL DEFAULT 'main'
                  CHECK (length(default_branch) BETWEEN 1 AND 255),
  settings        jsonb NOT NULL DEFAULT '{}'::jsonb
                  CHECK (jsonb_typeof(settings) = 'object'),
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE projects IS 'One row per project (a Go module or service gated by perfgate); created on its first upload.';
COMMENT ON COLUMN projects.name IS 'URL-safe project name used in /v1/projects/{p}.';
COMMENT ON COLUMN projects.default_branch IS 'Branch whose runs become the baseline; the default base_branch of uploads.';
COMMENT ON COLUMN projects.settings IS 'Project layer of the gate policy (AI_GATE_* overrides) and notification settings.';

CREATE TABLE tokens (
  id            bigserial PRIMARY KEY,
  token_sha256  bytea NOT NULL UNIQUE CHECK (length(token_sha256) = 32),
  scope         text NOT NULL CHECK (scope IN ('read', 'upload', 'admin')),
  project       text CHECK (project IS NULL OR project ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'),
  note          text NOT NULL DEFAULT '',
  created_at    timestamptz NOT NULL DEFAULT now(),
  last_used_at  timestamptz,
  revoked_at    timestamptz
);
COMMENT ON TABLE tokens IS 'API bearer tokens. Only the SHA-256 of a token is stored; the token itself is shown once at creation.';
COMMENT ON COLUMN tokens.token_sha256 IS 'SHA-256 of the bearer token.';
COMMENT ON COLUMN tokens.scope IS 'read < upload < admin: each scope includes the ones before it.';
COMMENT ON COLUMN tokens.project IS 'When set, the token is valid for this project only.';
COMMENT ON COLUMN tokens.revoked_at IS 'Set by `perfgate token revoke`; a revoked token answers 401.';
