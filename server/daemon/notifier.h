/* notifier.h: the delivery thread of the notification outbox (DESIGN §7)
 * and what its files share: the per-event context, one HTTP call with
 * libcurl, Slack and GitHub. The thread owns its own database connection;
 * it never touches the HTTP workers' connections. */
#ifndef PF_NOTIFIER_H
#define PF_NOTIFIER_H

#include <jansson.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "db.h"
#include "notify.h"

struct pf_notifier;

/* Start the delivery thread (config borrowed for the thread's life).
 * Returns NULL when the thread cannot be created (logged); the daemon
 * serves anyway and events wait in the outbox. */
struct pf_notifier *pf_notifier_start(const struct pf_config *cfg);
/* Wake the thread now (an upload enqueued events). NULL is a no-op. */
void pf_notifier_kick(struct pf_notifier *n);
/* Stop: abort an in-flight request (its claim is released for a retry),
 * join the thread, close its connection. NULL is a no-op. */
void pf_notifier_stop(struct pf_notifier *n);

/* ---- shared by notifier*.c ------------------------------------------------ */

/* One event's delivery: who calls, with what, until when. */
struct pf_notify_ctx {
	const struct pf_config *cfg;
	struct pf_db *db;
	atomic_bool *stop;
	int64_t deadline_ms; /* CLOCK_MONOTONIC ms: the claim's lease, less a margin */
	const struct pf_db_outbox_event *ev;
};

/* What one event's delivery came to. */
struct pf_notify_result {
	enum pf_notify_verdict verdict;
	int64_t wait_ms; /* the server's demand (Retry-After, rate-limit reset) */
	long status;     /* the last HTTP status (0: none) */
	char error[800]; /* why not done; never holds a secret */
};

struct pf_notify_http {
	struct pf_notify_answer answer;
	char *body; /* NUL-terminated, malloc'ed (free with pf_notify_http_free) */
	size_t len;
	char link[2048]; /* the Link header, for rel="next" */
	char error[256]; /* libcurl's reason when status is 0 */
};

/* One request: headers a NULL-terminated list of "Name: value"; body may
 * be NULL. Timeout: PERFGATE_NOTIFY_TIMEOUT_S, cut to the deadline; TLS
 * verification on; http and https only; redirects followed (3 at most).
 * out->answer.status 0 on a network error (reason in out->error). */
void pf_notify_http_do(const struct pf_notify_ctx *c, const char *method, const char *url,
                       const char *const *headers, const char *body, struct pf_notify_http *out);
void pf_notify_http_free(struct pf_notify_http *h);
int64_t pf_notify_now_ms(void);
/* Fill r from an answer: classification, wait, status, an error naming
 * what was called (what: "Slack webhook", "GitHub POST /repos/o/r/…"). */
void pf_notify_result_from(struct pf_notify_result *r, const struct pf_notify_http *h,
                           const char *what);

/* Deliver a github.* event (notifier_github.c). token and api borrowed. */
void pf_notify_github(const struct pf_notify_ctx *c, const char *api, const char *token,
                      const json_t *payload, struct pf_notify_result *r);

#endif
