/* notifier.c: the delivery thread of the outbox (DESIGN §7). Claims one due
 * event at a time under a lease (FOR UPDATE SKIP LOCKED, so several
 * daemons deliver each event once), sends it (Slack here, GitHub in
 * notifier_github.c), and records the outcome: delivered, retry with
 * exponential backoff and jitter (or the server's Retry-After), or failed
 * with the last error after PERFGATE_NOTIFY_MAX_ATTEMPTS. Owns its own
 * database connection; never blocks an upload. */
#include <curl/curl.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "notifier.h"
#include "pf_mem.h"

#define BACKOFF_CAP_MS  (3600 * 1000)
#define LEASE_MARGIN_MS 2000 /* the last request ends this long before the lease */

struct pf_notifier {
	const struct pf_config *cfg;
	struct pf_db *db;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool kicked;
	atomic_bool stop;
	char claim_id[64];
	char last_db_error[512]; /* logged once until it changes */
};

static void slack(const struct pf_notify_ctx *c, const json_t *settings, const json_t *payload,
                  struct pf_notify_result *r)
{
	struct pf_notify_settings s;
	pf_notify_settings_get(json_object_get(settings, "notifications"), &s);
	const char *url = s.slack_webhook_url ? s.slack_webhook_url : c->cfg->slack_webhook_url;
	if (!url || !*url) {
		r->verdict = PF_NOTIFY_FAIL;
		snprintf(r->error, sizeof r->error,
		         "no Slack webhook: set notifications.slack_webhook_url or "
		         "PERFGATE_SLACK_WEBHOOK_URL");
		return;
	}
	const char *headers[] = {"Content-Type: application/json", "User-Agent: perfgate-notifier",
	                         NULL};
	struct pf_notify_http h;
	char *body = json_dumps(payload, JSON_COMPACT);
	pf_notify_http_do(c, "POST", url, headers, body ? body : "{}", &h);
	free(body);
	/* the URL is the credential: the error names the webhook, not it */
	pf_notify_result_from(r, &h, "Slack webhook");
	pf_notify_http_free(&h);
}

static void deliver(struct pf_notifier *n, const struct pf_db_outbox_event *ev)
{
	const struct pf_config *cfg = n->cfg;
	struct pf_notify_ctx c = {
	        .cfg = cfg,
	        .db = n->db,
	        .stop = &n->stop,
	        .deadline_ms =
	                pf_notify_now_ms() + (int64_t)cfg->notify_lease_s * 1000 - LEASE_MARGIN_MS,
	        .ev = ev,
	};
	struct pf_notify_result r = {.verdict = PF_NOTIFY_DONE};
	json_error_t je;
	json_t *payload = json_loads(ev->payload, 0, &je);
	json_t *settings = json_loads(ev->settings, 0, &je);

	if (c.deadline_ms - pf_notify_now_ms() < 1000)
		c.deadline_ms = pf_notify_now_ms() + 1000;
	if (!payload) {
		r.verdict = PF_NOTIFY_FAIL;
		snprintf(r.error, sizeof r.error, "payload is not JSON");
	} else if (strcmp(ev->target, "slack") == 0) {
		slack(&c, settings, payload, &r);
	} else {
		struct pf_notify_settings s;
		pf_notify_settings_get(json_object_get(settings, "notifications"), &s);
		const char *token = s.github_token ? s.github_token : cfg->github_token;
		if (!token) {
			r.verdict = PF_NOTIFY_FAIL;
			snprintf(r.error, sizeof r.error,
			         "no GitHub token: set PERFGATE_GITHUB_TOKEN or "
			         "notifications.github_token");
		} else {
			pf_notify_github(&c, cfg->github_api_url, token, payload, &r);
		}
	}
	json_decref(payload);
	json_decref(settings);

	enum pf_db_outbox_outcome outcome = PF_OUTBOX_DELIVERED;
	int64_t delay = 0;
	bool stopping = atomic_load(&n->stop);
	if (r.verdict == PF_NOTIFY_RETRY && stopping) {
		/* released, not failed: the next daemon to run sends it */
		outcome = PF_OUTBOX_RETRY;
	} else if (r.verdict == PF_NOTIFY_RETRY && ev->attempts < cfg->notify_max_attempts) {
		uint32_t rnd = 0;
		if (RAND_bytes((unsigned char *)&rnd, sizeof rnd) != 1)
			rnd = (uint32_t)rand();
		outcome = PF_OUTBOX_RETRY;
		delay = r.wait_ms > 0 ? r.wait_ms
		                      : pf_notify_backoff_ms(ev->attempts, cfg->notify_backoff_ms,
		                                             BACKOFF_CAP_MS, rnd);
		if (delay > BACKOFF_CAP_MS)
			delay = BACKOFF_CAP_MS;
	} else if (r.verdict != PF_NOTIFY_DONE) {
		outcome = PF_OUTBOX_FAILED;
	}
	struct pf_err err;
	bool recorded = false;
	if (pf_db_outbox_finish(n->db, ev->id, n->claim_id, outcome, delay, r.status,
	                        r.error[0] ? r.error : NULL, &recorded, &err) != PF_OK)
		pf_warn("outbox event %lld: outcome not recorded (%s): the claim's lease "
		        "makes it due again",
		        (long long)ev->id, err.msg);
	else if (!recorded)
		pf_warn("outbox event %lld: lease ran out before the outcome was recorded",
		        (long long)ev->id);
	if (outcome == PF_OUTBOX_DELIVERED)
		pf_info("outbox event %lld (%s, project %s) delivered on attempt %d",
		        (long long)ev->id, ev->event, ev->project, ev->attempts);
	else if (outcome == PF_OUTBOX_RETRY)
		pf_info("outbox event %lld (%s) attempt %d: %s; retry in %lld ms",
		        (long long)ev->id, ev->event, ev->attempts, r.error, (long long)delay);
	else
		pf_warn("outbox event %lld (%s, project %s) failed after %d attempt(s): %s",
		        (long long)ev->id, ev->event, ev->project, ev->attempts, r.error);
}

static void wait_for(struct pf_notifier *n, int ms)
{
	struct timespec until;
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += ms / 1000;
	until.tv_nsec += (long)(ms % 1000) * 1000000;
	if (until.tv_nsec >= 1000000000) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&n->lock);
	while (!n->kicked && !atomic_load(&n->stop))
		if (pthread_cond_timedwait(&n->wake, &n->lock, &until) != 0)
			break;
	n->kicked = false;
	pthread_mutex_unlock(&n->lock);
}

static void *loop(void *arg)
{
	struct pf_notifier *n = arg;
	while (!atomic_load(&n->stop)) {
		struct pf_db_outbox_event ev;
		struct pf_err err;
		enum pf_code rc =
		        pf_db_outbox_claim(n->db, n->claim_id, n->cfg->notify_lease_s, &ev, &err);
		if (rc == PF_OK) {
			n->last_db_error[0] = '\0';
			deliver(n, &ev);
			pf_db_outbox_event_free(&ev);
			continue;
		}
		if (rc != PF_E_NOT_FOUND && strcmp(err.msg, n->last_db_error) != 0) {
			pf_warn("notifications: cannot read the outbox: %s", err.msg);
			snprintf(n->last_db_error, sizeof n->last_db_error, "%s", err.msg);
		}
		wait_for(n, n->cfg->notify_poll_ms);
	}
	return NULL;
}

struct pf_notifier *pf_notifier_start(const struct pf_config *cfg)
{
	struct pf_notifier *n = pf_xcalloc(1, sizeof *n);
	unsigned char raw[8];
	char host[32] = "";
	n->cfg = cfg;
	n->db = pf_db_new(cfg->database_url ? cfg->database_url : "");
	atomic_init(&n->stop, false);
	pthread_mutex_init(&n->lock, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&n->wake, &ca);
	pthread_condattr_destroy(&ca);
	if (RAND_bytes(raw, sizeof raw) != 1)
		memset(raw, 0, sizeof raw);
	gethostname(host, sizeof host - 1);
	snprintf(n->claim_id, sizeof n->claim_id, "%s/%d/%02x%02x%02x%02x%02x%02x%02x%02x", host,
	         (int)getpid(), raw[0], raw[1], raw[2], raw[3], raw[4], raw[5], raw[6], raw[7]);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (pthread_create(&n->thread, NULL, loop, n) != 0) {
		pf_error("notifications: cannot start the delivery thread; events wait in the "
		         "outbox");
		pthread_cond_destroy(&n->wake);
		pthread_mutex_destroy(&n->lock);
		pf_db_free(n->db);
		free(n);
		return NULL;
	}
	return n;
}

void pf_notifier_kick(struct pf_notifier *n)
{
	if (!n)
		return;
	pthread_mutex_lock(&n->lock);
	n->kicked = true;
	pthread_cond_signal(&n->wake);
	pthread_mutex_unlock(&n->lock);
}

void pf_notifier_stop(struct pf_notifier *n)
{
	if (!n)
		return;
	pthread_mutex_lock(&n->lock);
	atomic_store(&n->stop, true);
	pthread_cond_signal(&n->wake);
	pthread_mutex_unlock(&n->lock);
	pthread_join(n->thread, NULL);
	pthread_cond_destroy(&n->wake);
	pthread_mutex_destroy(&n->lock);
	pf_db_free(n->db);
	free(n);
	curl_global_cleanup();
}
