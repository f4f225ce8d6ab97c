/* notify.h: the pure side of notifications (DESIGN §7,
 * spec/notifications.md): a project's notification settings, the plan of
 * events an upload enqueues, the bodies sent to Slack and GitHub, and the
 * retry policy (classification of an answer, backoff with jitter, the Link
 * header). No I/O, no clock (callers pass `now`), no randomness (callers
 * pass a random number). json_t results are new references. */
#ifndef PF_NOTIFY_H
#define PF_NOTIFY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pf_err.h"

#define PF_NOTIFY_LABEL            "performance-regression"
#define PF_NOTIFY_ISSUE_AFTER      3     /* default N failures in a row */
#define PF_NOTIFY_BODY_MAX         60000 /* GitHub bodies: limit 65 536 (spec B.2) */
#define PF_NOTIFY_SLACK_TEXT_MAX   3000  /* section text (spec A.2) */
#define PF_NOTIFY_SLACK_HEADER_MAX 150

/* ---- settings: projects.settings.notifications -------------------------- */

/* The keys (README "Notifications"):
 *   slack_webhook_url  http(s) URL (secret, write-only; default: the
 *                      daemon's PERFGATE_SLACK_WEBHOOK_URL); "" disables
 *   github_repository  "owner/name"; unset: no GitHub calls
 *   github_token       token for this project (secret; default:
 *                      PERFGATE_GITHUB_TOKEN)
 *   notify_on          "fail" (default) or "warn": which verdicts go to Slack
 *   issue_after        N failures in a row of one gate on the default
 *                      branch that open an issue, 1..100 (default 3)
 * PF_E_BAD_CONFIG with the key in err->field for an unknown key or a bad
 * value; "(set)" (a masked secret sent back) is accepted for secrets. */
enum pf_code pf_notify_settings_check(const json_t *notifications, struct pf_err *err) PF_MUSTCHECK;

struct pf_notify_settings {
	const char *slack_webhook_url; /* NULL: not set here; "": disabled */
	const char *github_repository; /* NULL: no GitHub */
	const char *github_token;      /* NULL: the daemon's */
	bool notify_warn;
	int issue_after;
};
/* Read settings (may be NULL) with the defaults; strings borrowed from it. */
void pf_notify_settings_get(const json_t *notifications, struct pf_notify_settings *out);

/* ---- the plan of an upload ------------------------------------------------ */

/* The events to enqueue for a stored run, as an array of
 *   {"event", "target", "order_key", "payload", "cond"?}
 * - slack.message when the verdict is fail (or warn with notify_on=warn)
 *   and a webhook is known (the project's, or slack_default);
 * - with github_repository and pr > 0: github.pr_comment (every verdict:
 *   the one comment shows the latest run) and github.pr_label (add on
 *   fail; on pass a remove with "cond": "pr_failed_before", which the store
 *   keeps only when the PR's latest earlier non-warn run failed).
 * Issue events for the default branch depend on stored history and are
 * made by the store (pf_db_run_row.issue_repo). */
json_t *pf_notify_plan(const json_t *report, const struct pf_notify_settings *s, bool slack_default,
                       int pr);

/* Slack incoming-webhook message (spec A.2): {"text": fallback, "blocks":
 * [header, fields (project, branch, commit, verdict), reasons, top
 * regressions, link]} with &, <, > escaped in mrkdwn. */
json_t *pf_notify_slack_message(const json_t *report);

/* ---- GitHub issue texts from an issue event's payload ----------------------
 * payload: {"action": "open"|"comment"|"close", "project", "gate", "branch",
 *           "run_id", "commit", "commits": [oldest..newest of the streak],
 *           "violations": [...], "n": N}
 * public_url may be NULL (then runs are named, not linked). malloc'ed. */
char *pf_notify_issue_title(const json_t *payload);
char *pf_notify_issue_body(const json_t *payload, const char *public_url);
char *pf_notify_issue_comment(const json_t *payload, const char *public_url);
/* The hidden marker of a gate's issue: "<!-- perfgate-issue:P/GATE -->". */
void pf_notify_issue_marker(const char *project, const char *gate, char *out, size_t cap);

/* ---- retry policy (spec A.3, B.3) ------------------------------------------ */

struct pf_notify_answer {
	long status;              /* 0: network error (refused, timeout, TLS) */
	long retry_after_s;       /* Retry-After in seconds; -1 when absent */
	long ratelimit_remaining; /* x-ratelimit-remaining; -1 when absent */
	int64_t ratelimit_reset;  /* x-ratelimit-reset (epoch s); 0 when absent */
};
enum pf_notify_verdict { PF_NOTIFY_DONE, PF_NOTIFY_RETRY, PF_NOTIFY_FAIL };
/* 2xx done; 5xx, 429 and network errors retry; 403 retries only when it
 * is a rate limit (Retry-After, or x-ratelimit-remaining 0); other 4xx fail
 * at once. *wait_ms receives the server's demand (Retry-After, or until
 * the reset + 1 s), else 0. */
enum pf_notify_verdict pf_notify_classify(const struct pf_notify_answer *a, int64_t now_s,
                                          int64_t *wait_ms);
/* Exponential backoff with jitter after attempt (1-based): base*2^(n-1)
 * capped at cap_ms, then a uniform pick in [d/2, d] from rnd. */
int64_t pf_notify_backoff_ms(int attempt, int64_t base_ms, int64_t cap_ms, uint32_t rnd);
/* The rel="next" URL of a Link header into out; false when none. */
bool pf_notify_link_next(const char *link, char *out, size_t cap);
/* Retry-After as seconds (delta-seconds form only; HTTP dates: -1). */
long pf_notify_parse_retry_after(const char *v);

#endif
