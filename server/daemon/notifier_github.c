/* notifier_github.c: the GitHub REST calls of an outbox event
 * (spec/notifications.md B): the sticky PR comment (found by its hidden
 * marker, patched in place: a repeated delivery changes nothing), the
 * performance-regression label, and the issue of a gate failing on the
 * default branch (found again by its marker before one is created). */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "notifier.h"

#define MAX_PAGES 50

struct gh {
	const struct pf_notify_ctx *c;
	const char *api, *token, *repo;
	struct pf_notify_result *r;
};

/* One call; *out (may be NULL) receives the parsed JSON answer of a 2xx.
 * Returns true on 2xx; otherwise r is filled (404 left to the caller when
 * ok404). */
static bool call(struct gh *g, const char *method, const char *url, json_t *body, json_t **out,
                 char *link, size_t link_cap, long *status)
{
	char auth[1200], what[300];
	const char *headers[6] = {auth,
	                          "Accept: application/vnd.github+json",
	                          "X-GitHub-Api-Version: 2022-11-28",
	                          "User-Agent: perfgate-notifier",
	                          body ? "Content-Type: application/json" : NULL,
	                          NULL};
	struct pf_notify_http h;
	char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
	snprintf(auth, sizeof auth, "Authorization: Bearer %s", g->token);
	pf_notify_http_do(g->c, method, url, headers, text, &h);
	free(text);
	json_decref(body);
	if (status)
		*status = h.answer.status;
	if (link)
		snprintf(link, link_cap, "%s", h.link);
	/* name the call without the host: the path has no secret */
	const char *path = strstr(url, "/repos/");
	snprintf(what, sizeof what, "GitHub %s %.200s", method, path ? path : url);
	pf_notify_result_from(g->r, &h, what);
	bool ok = g->r->verdict == PF_NOTIFY_DONE;
	if (ok && out) {
		json_error_t je;
		*out = json_loads(h.body ? h.body : "", 0, &je);
		if (!*out) {
			g->r->verdict = PF_NOTIFY_RETRY;
			snprintf(g->r->error, sizeof g->r->error, "%s: answer is not JSON", what);
			ok = false;
		}
	}
	pf_notify_http_free(&h);
	return ok;
}

/* api + "/repos/" + repo + the formatted rest. */
static void url_of(const struct gh *g, char *out, size_t cap, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));
static void url_of(const struct gh *g, char *out, size_t cap, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(out, cap, "%s/repos/%s", g->api, g->repo);
	if (n <= 0 || (size_t)n >= cap)
		return;
	va_start(ap, fmt);
	vsnprintf(out + n, cap - (size_t)n, fmt, ap);
	va_end(ap);
}

/* Percent-encode a path segment (a label name). */
static void enc_segment(const char *s, char *out, size_t cap)
{
	size_t n = 0;
	for (; *s && n + 4 < cap; s++) {
		unsigned char ch = (unsigned char)*s;
		if (isalnum(ch) || strchr("-._~", ch))
			out[n++] = (char)ch;
		else
			n += (size_t)snprintf(out + n, cap - n, "%%%02X", ch);
	}
	out[n] = '\0';
}

/* Search pages of url (a list endpoint) for an item whose body holds
 * marker; skip_prs drops pull requests (issue listings include them).
 * Returns its id_key value, 0 when none, -1 on a failed call. */
static long long find_marked(struct gh *g, const char *first_url, const char *marker,
                             const char *id_key, bool skip_prs)
{
	char url[2048], link[2048];
	snprintf(url, sizeof url, "%s", first_url);
	for (int page = 0; page < MAX_PAGES; page++) {
		json_t *arr = NULL, *v;
		size_t i;
		if (!call(g, "GET", url, NULL, &arr, link, sizeof link, NULL))
			return -1;
		long long found = 0;
		json_array_foreach(arr, i, v)
		{
			const char *b = json_string_value(json_object_get(v, "body"));
			if (skip_prs && json_object_get(v, "pull_request"))
				continue;
			if (b && strstr(b, marker)) {
				found = json_integer_value(json_object_get(v, id_key));
				break;
			}
		}
		json_decref(arr);
		if (found > 0)
			return found;
		if (!pf_notify_link_next(link, url, sizeof url))
			return 0;
	}
	return 0;
}

static void pr_comment(struct gh *g, const json_t *p)
{
	const struct pf_notify_ctx *c = g->c;
	int pr = (int)json_integer_value(json_object_get(p, "pr"));
	const char *marker = json_string_value(json_object_get(p, "marker"));
	const char *body = json_string_value(json_object_get(p, "body"));
	char url[1024];
	int64_t id = 0;
	long status = 0;
	struct pf_err err;

	if (pf_db_pr_comment_get(c->db, c->ev->project_id, g->repo, pr, &id, &err) != PF_OK) {
		g->r->verdict = PF_NOTIFY_RETRY;
		snprintf(g->r->error, sizeof g->r->error, "%.500s", err.msg);
		return;
	}
	if (id == 0) {
		url_of(g, url, sizeof url, "/issues/%d/comments?per_page=100", pr);
		long long found = find_marked(g, url, marker ? marker : "", "id", false);
		if (found < 0)
			return;
		id = found;
	}
	if (id > 0) {
		url_of(g, url, sizeof url, "/issues/comments/%lld", (long long)id);
		if (call(g, "PATCH", url, json_pack("{s:s}", "body", body ? body : ""), NULL, NULL,
		         0, &status))
			goto store;
		if (status != 404)
			return;
		id = 0; /* deleted on GitHub: post a new one */
	}
	json_t *made = NULL;
	url_of(g, url, sizeof url, "/issues/%d/comments", pr);
	if (!call(g, "POST", url, json_pack("{s:s}", "body", body ? body : ""), &made, NULL, 0,
	          NULL))
		return;
	id = json_integer_value(json_object_get(made, "id"));
	json_decref(made);
store:
	if (id > 0 &&
	    pf_db_pr_comment_set(c->db, c->ev->project_id, g->repo, pr, id, &err) != PF_OK)
		pf_warn("outbox event %lld: comment %lld posted but not recorded: %s",
		        (long long)c->ev->id, (long long)id, err.msg);
}

static void pr_label(struct gh *g, const json_t *p)
{
	int pr = (int)json_integer_value(json_object_get(p, "pr"));
	const char *action = json_string_value(json_object_get(p, "action"));
	const char *label = json_string_value(json_object_get(p, "label"));
	char url[1024];
	long status = 0;
	if (!label)
		label = PF_NOTIFY_LABEL;
	if (action && strcmp(action, "remove") == 0) {
		char enc[300];
		enc_segment(label, enc, sizeof enc);
		url_of(g, url, sizeof url, "/issues/%d/labels/%s", pr, enc);
		if (!call(g, "DELETE", url, NULL, NULL, NULL, 0, &status) && status == 404) {
			/* not on the PR (any more): nothing to remove */
			g->r->verdict = PF_NOTIFY_DONE;
			g->r->error[0] = '\0';
		}
		return;
	}
	url_of(g, url, sizeof url, "/issues/%d/labels", pr);
	call(g, "POST", url, json_pack("{s:[s]}", "labels", label), NULL, NULL, 0, NULL);
}

/* The issue's number: stored, else found by its marker, else (create)
 * opened now. 0 when there is none and create is false; -1 on failure. */
static int issue_number(struct gh *g, const json_t *p, bool create)
{
	const struct pf_notify_ctx *c = g->c;
	int64_t issue_id = json_integer_value(json_object_get(p, "issue"));
	char url[1024], marker[700];
	int number = 0;
	struct pf_err err;

	if (pf_db_issue_number(c->db, issue_id, &number, &err) != PF_OK) {
		g->r->verdict = PF_NOTIFY_RETRY;
		snprintf(g->r->error, sizeof g->r->error, "%.500s", err.msg);
		return -1;
	}
	if (number > 0)
		return number;
	pf_notify_issue_marker(json_string_value(json_object_get(p, "project")),
	                       json_string_value(json_object_get(p, "gate")), marker,
	                       sizeof marker);
	url_of(g, url, sizeof url, "/issues?state=open&labels=%s&per_page=100", PF_NOTIFY_LABEL);
	long long found = find_marked(g, url, marker, "number", true);
	if (found < 0)
		return -1;
	if (found == 0 && create) {
		json_t *made = NULL;
		char *title = pf_notify_issue_title(p);
		char *body = pf_notify_issue_body(p, c->cfg->public_url);
		url_of(g, url, sizeof url, "/issues");
		bool ok = call(g, "POST", url,
		               json_pack("{s:s, s:s, s:[s]}", "title", title ? title : "", "body",
		                         body ? body : "", "labels", PF_NOTIFY_LABEL),
		               &made, NULL, 0, NULL);
		free(title);
		free(body);
		if (!ok)
			return -1;
		found = json_integer_value(json_object_get(made, "number"));
		json_decref(made);
	}
	if (found > 0 && pf_db_issue_set_number(c->db, issue_id, (int)found, &err) != PF_OK)
		pf_warn("outbox event %lld: issue #%lld not recorded: %s", (long long)c->ev->id,
		        found, err.msg);
	return (int)found;
}

static void issue(struct gh *g, const json_t *p)
{
	const char *action = json_string_value(json_object_get(p, "action"));
	bool close = action && strcmp(action, "close") == 0;
	char url[1024];
	int n = issue_number(g, p, !close);
	if (n <= 0 || (action && strcmp(action, "open") == 0))
		return; /* failed, opened now, or nothing to close */
	char *text = pf_notify_issue_comment(p, g->c->cfg->public_url);
	url_of(g, url, sizeof url, "/issues/%d/comments", n);
	bool ok = call(g, "POST", url, json_pack("{s:s}", "body", text ? text : ""), NULL, NULL, 0,
	               NULL);
	free(text);
	if (ok && close) {
		url_of(g, url, sizeof url, "/issues/%d", n);
		call(g, "PATCH", url, json_pack("{s:s}", "state", "closed"), NULL, NULL, 0, NULL);
	}
}

void pf_notify_github(const struct pf_notify_ctx *c, const char *api, const char *token,
                      const json_t *payload, struct pf_notify_result *r)
{
	struct gh g = {.c = c, .api = api, .token = token, .r = r};
	g.repo = json_string_value(json_object_get(payload, "repo"));
	r->verdict = PF_NOTIFY_DONE;
	if (!g.repo) {
		r->verdict = PF_NOTIFY_FAIL;
		snprintf(r->error, sizeof r->error, "event without a repository");
		return;
	}
	if (strcmp(c->ev->event, "github.pr_comment") == 0)
		pr_comment(&g, payload);
	else if (strcmp(c->ev->event, "github.pr_label") == 0)
		pr_label(&g, payload);
	else if (strcmp(c->ev->event, "github.issue") == 0)
		issue(&g, payload);
	else {
		r->verdict = PF_NOTIFY_FAIL;
		snprintf(r->error, sizeof r->error, "unknown event %s", c->ev->event);
	}
}
