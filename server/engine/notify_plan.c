/* notify_plan.c: notification settings (check and defaults), the plan of
 * events an upload enqueues, and the retry policy of the delivery thread
 * (classify an answer, backoff with jitter, Link rel="next"). Pure: the
 * caller passes the clock and the random numbers. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gate.h"
#include "notify.h"

static bool valid_url(const char *v)
{
	return (strncmp(v, "http://", 7) == 0 && v[7]) || (strncmp(v, "https://", 8) == 0 && v[8]);
}

/* owner/name: [A-Za-z0-9_.-]+ on both sides, at most 200 bytes. */
static bool valid_repo(const char *v)
{
	const char *slash = strchr(v, '/');
	size_t n = strlen(v);
	if (!slash || slash == v || !slash[1] || n > 200 || strchr(slash + 1, '/'))
		return false;
	for (const char *p = v; *p; p++)
		if (p != slash && !isalnum((unsigned char)*p) && !strchr("_.-", *p))
			return false;
	return true;
}

static bool is_masked(const json_t *v)
{
	return json_is_string(v) && strcmp(json_string_value(v), "(set)") == 0;
}

enum pf_code pf_notify_settings_check(const json_t *n, struct pf_err *err)
{
	const char *k;
	json_t *v;
	if (!json_is_object(n))
		return pf_err_set(err, PF_E_BAD_CONFIG, "notifications",
		                  "notifications must be an object");
	json_object_foreach((json_t *)n, k, v)
	{
		const char *s = json_string_value(v);
		if (is_masked(v))
			return pf_err_set(err, PF_E_BAD_CONFIG, k,
			                  "%s: \"(set)\" keeps a stored secret, but none is stored",
			                  k);
		if (strcmp(k, "slack_webhook_url") == 0) {
			if (!s || (*s && (!valid_url(s) || strlen(s) > 2048)))
				return pf_err_set(
				        err, PF_E_BAD_CONFIG, k,
				        "%s: expected an http:// or https:// URL (or \"\" "
				        "to send nothing to Slack)",
				        k);
		} else if (strcmp(k, "github_repository") == 0) {
			if (!json_is_null(v) && (!s || !valid_repo(s)))
				return pf_err_set(err, PF_E_BAD_CONFIG, k,
				                  "%s: expected \"owner/name\" (or null)", k);
		} else if (strcmp(k, "github_token") == 0) {
			if (!s || !*s || strlen(s) > 1024)
				return pf_err_set(err, PF_E_BAD_CONFIG, k,
				                  "%s: expected a non-empty string", k);
		} else if (strcmp(k, "notify_on") == 0) {
			if (!s || (strcmp(s, "fail") != 0 && strcmp(s, "warn") != 0))
				return pf_err_set(err, PF_E_BAD_CONFIG, k,
				                  "%s: expected \"fail\" or \"warn\"", k);
		} else if (strcmp(k, "issue_after") == 0) {
			json_int_t i = json_integer_value(v);
			if (!json_is_integer(v) || i < 1 || i > 100)
				return pf_err_set(err, PF_E_BAD_CONFIG, k,
				                  "%s: expected a whole number 1..100", k);
		} else {
			return pf_err_set(err, PF_E_BAD_CONFIG, k,
			                  "unknown notification setting '%s' (slack_webhook_url, "
			                  "github_repository, github_token, notify_on, "
			                  "issue_after)",
			                  k);
		}
	}
	return PF_OK;
}

void pf_notify_settings_get(const json_t *n, struct pf_notify_settings *out)
{
	const char *on = json_string_value(json_object_get(n, "notify_on"));
	json_t *ia = json_object_get(n, "issue_after");
	memset(out, 0, sizeof *out);
	out->slack_webhook_url = json_string_value(json_object_get(n, "slack_webhook_url"));
	out->github_repository = json_string_value(json_object_get(n, "github_repository"));
	out->github_token = json_string_value(json_object_get(n, "github_token"));
	out->notify_warn = on && strcmp(on, "warn") == 0;
	out->issue_after =
	        json_is_integer(ia) ? (int)json_integer_value(ia) : PF_NOTIFY_ISSUE_AFTER;
}

static json_t *event(const char *name, const char *target, const char *key, json_t *payload)
{
	return json_pack("{s:s, s:s, s:s, s:o}", "event", name, "target", target, "order_key", key,
	                 "payload", payload);
}

json_t *pf_notify_plan(const json_t *report, const struct pf_notify_settings *s, bool slack_default,
                       int pr)
{
	json_t *events = json_array();
	const char *verdict = json_string_value(json_object_get(report, "verdict"));
	const char *project = json_string_value(json_object_get(report, "project"));
	const char *branch = json_string_value(json_object_get(report, "branch"));
	bool fail = verdict && strcmp(verdict, "fail") == 0;
	bool warn = verdict && strcmp(verdict, "warn") == 0;
	bool pass = verdict && strcmp(verdict, "pass") == 0;
	char key[512];

	bool slack = s->slack_webhook_url ? s->slack_webhook_url[0] != '\0' : slack_default;
	if (slack && (fail || (warn && s->notify_warn))) {
		snprintf(key, sizeof key, "slack:%s", project ? project : "");
		json_array_append_new(events, event("slack.message", "slack", key,
		                                    pf_notify_slack_message(report)));
	}
	if (s->github_repository && pr > 0) {
		char marker[600];
		char *body = pf_report_markdown(report, PF_NOTIFY_BODY_MAX);
		pf_report_marker(project, branch, marker, sizeof marker);
		snprintf(key, sizeof key, "github:%s#%d", s->github_repository, pr);
		json_array_append_new(
		        events,
		        event("github.pr_comment", "github", key,
		              json_pack("{s:s, s:i, s:s, s:s}", "repo", s->github_repository, "pr",
		                        pr, "marker", marker, "body", body ? body : "")));
		free(body);
		if (fail || pass) {
			json_t *e =
			        event("github.pr_label", "github", key,
			              json_pack("{s:s, s:i, s:s, s:s}", "repo",
			                        s->github_repository, "pr", pr, "action",
			                        fail ? "add" : "remove", "label", PF_NOTIFY_LABEL));
			if (pass)
				json_object_set_new(e, "cond", json_string("pr_failed_before"));
			json_array_append_new(events, e);
		}
	}
	return events;
}

enum pf_notify_verdict pf_notify_classify(const struct pf_notify_answer *a, int64_t now_s,
                                          int64_t *wait_ms)
{
	*wait_ms = 0;
	if (a->status >= 200 && a->status < 300)
		return PF_NOTIFY_DONE;
	if (a->retry_after_s >= 0 && (a->status == 429 || a->status == 403 || a->status >= 500))
		*wait_ms = (int64_t)a->retry_after_s * 1000;
	if (a->status == 0 || a->status >= 500 || a->status == 429)
		return PF_NOTIFY_RETRY;
	if (a->status == 403) {
		if (a->retry_after_s >= 0)
			return PF_NOTIFY_RETRY;
		if (a->ratelimit_remaining == 0) {
			int64_t until = a->ratelimit_reset - now_s + 1;
			*wait_ms = (until > 0 ? until : 1) * 1000;
			return PF_NOTIFY_RETRY;
		}
	}
	return PF_NOTIFY_FAIL;
}

int64_t pf_notify_backoff_ms(int attempt, int64_t base_ms, int64_t cap_ms, uint32_t rnd)
{
	int64_t d = base_ms > 0 ? base_ms : 1;
	for (int i = 1; i < attempt && d < cap_ms; i++)
		d *= 2;
	if (d > cap_ms)
		d = cap_ms;
	int64_t half = d / 2;
	return half + (int64_t)(rnd % (uint32_t)(d - half + 1));
}

bool pf_notify_link_next(const char *link, char *out, size_t cap)
{
	/* <https://api/...?page=2>; rel="next", <...>; rel="last" */
	for (const char *p = link ? link : ""; (p = strchr(p, '<')) != NULL;) {
		const char *close = strchr(p, '>');
		if (!close)
			return false;
		const char *next = strchr(close, '<');
		const char *rel = strstr(close, "rel=\"next\"");
		if (rel && (!next || rel < next)) {
			size_t n = (size_t)(close - p - 1);
			if (n + 1 > cap)
				return false;
			memcpy(out, p + 1, n);
			out[n] = '\0';
			return true;
		}
		p = close;
	}
	return false;
}

long pf_notify_parse_retry_after(const char *v)
{
	char *end;
	if (!v)
		return -1;
	while (*v == ' ')
		v++;
	if (!isdigit((unsigned char)*v))
		return -1;
	long n = strtol(v, &end, 10);
	while (*end == ' ' || *end == '\r' || *end == '\n')
		end++;
	if (*end || n < 0)
		return -1;
	return n > 86400 ? 86400 : n;
}
