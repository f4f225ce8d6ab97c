-- 0004_notifications.sql: the notification outbox and the lifecycle state
-- of GitHub objects (DESIGN §7, spec/notifications.md). Outbox rows are
-- written in the upload's transaction, so a stored run always has its
-- notifications and a rolled-back upload has none; the delivery thread of
-- each daemon claims due rows with FOR UPDATE SKIP LOCKED under a lease.

CREATE TABLE outbox (
  id               bigserial PRIMARY KEY,
  project_id       bigint NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  run_id           bigint REFERENCES runs (id) ON DELETE CASCADE,
  event            text NOT NULL CHECK (event IN ('slack.message', 'github.pr_comment',
                                                  'github.pr_label', 'github.issue')),
  target           text NOT NULL CHECK (target IN ('slack', 'github')),
  order_key        text NOT NULL CHECK (length(order_key) BETWEEN 1 AND 400),
  payload          jsonb NOT NULL CHECK (jsonb_typeof(payload) = 'object'),
  state            text NOT NULL DEFAULT 'pending'
                   CHECK (state IN ('pending', 'sending', 'delivered', 'failed')),
  attempts         integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  next_attempt_at  timestamptz NOT NULL DEFAULT now(),
  claimed_by       text,
  claim_expires_at timestamptz,
  last_status      integer,
  last_error       text CHECK (last_error IS NULL OR length(last_error) <= 1000),
  created_at       timestamptz NOT NULL DEFAULT now(),
  delivered_at     timestamptz,
  CHECK ((state = 'sending') = (claim_expires_at IS NOT NULL AND claimed_by IS NOT NULL)),
  CHECK ((state = 'delivered') = (delivered_at IS NOT NULL))
);
CREATE INDEX outbox_due ON outbox (next_attempt_at, id) WHERE state = 'pending';
CREATE INDEX outbox_claimed ON outbox (claim_expires_at) WHERE state = 'sending';
CREATE INDEX outbox_order ON outbox (order_key, id) WHERE state IN ('pending', 'sending');
CREATE INDEX outbox_project ON outbox (project_id, id DESC);
COMMENT ON TABLE outbox IS 'Notifications to deliver (Slack messages, GitHub calls), written in the transaction of the run they come from.';
COMMENT ON COLUMN outbox.event IS 'What to do: slack.message, github.pr_comment (upsert), github.pr_label (add/remove), github.issue (open/comment/close).';
COMMENT ON COLUMN outbox.target IS 'The service called: slack or github. Credentials are not stored here: they come from the project settings or the daemon configuration at delivery.';
COMMENT ON COLUMN outbox.order_key IS 'Events with the same key are delivered in id order, one at a time (one PR, one gate issue, one project''s Slack channel).';
COMMENT ON COLUMN outbox.payload IS 'The request body (Slack) or the ingredients of the GitHub calls.';
COMMENT ON COLUMN outbox.state IS 'pending (due at next_attempt_at), sending (claimed until claim_expires_at), delivered, failed (see last_error).';
COMMENT ON COLUMN outbox.attempts IS 'Claims so far; bounded by PERFGATE_NOTIFY_MAX_ATTEMPTS.';
COMMENT ON COLUMN outbox.claimed_by IS 'The claiming daemon''s random claim id: only it may record the outcome.';
COMMENT ON COLUMN outbox.claim_expires_at IS 'Lease end (PERFGATE_NOTIFY_LEASE_S): a daemon killed while sending leaves the row to be claimed again after it.';
COMMENT ON COLUMN outbox.last_status IS 'HTTP status of the last attempt (NULL: network error or not sent).';

CREATE TABLE github_pr_state (
  project_id   bigint NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  repo         text NOT NULL CHECK (repo ~ '^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$'),
  pr           integer NOT NULL CHECK (pr > 0),
  comment_id   bigint NOT NULL CHECK (comment_id > 0),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (project_id, repo, pr)
);
COMMENT ON TABLE github_pr_state IS 'Per project and pull request: the one perfgate comment, updated in place.';
COMMENT ON COLUMN github_pr_state.comment_id IS 'GitHub id of the sticky comment; when unknown (or deleted on GitHub) it is found again by its hidden marker.';

CREATE TABLE github_issues (
  id             bigserial PRIMARY KEY,
  project_id     bigint NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  gate           text NOT NULL,
  repo           text NOT NULL CHECK (repo ~ '^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$'),
  state          text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'closed')),
  issue_number   integer CHECK (issue_number IS NULL OR issue_number > 0),
  opened_run_id  bigint REFERENCES runs (id) ON DELETE SET NULL,
  closed_run_id  bigint REFERENCES runs (id) ON DELETE SET NULL,
  created_at     timestamptz NOT NULL DEFAULT now(),
  closed_at      timestamptz,
  CHECK ((state = 'closed') = (closed_at IS NOT NULL))
);
CREATE UNIQUE INDEX github_issues_one_open ON github_issues (project_id, gate) WHERE state = 'open';
COMMENT ON TABLE github_issues IS 'Issues opened for a gate failing N runs in a row on the default branch: at most one open per project and gate; closed when the gate passes again.';
COMMENT ON COLUMN github_issues.state IS 'open from the Nth failure in a row until the gate passes on the default branch.';
COMMENT ON COLUMN github_issues.issue_number IS 'GitHub issue number, set when the open event is delivered (NULL before).';
