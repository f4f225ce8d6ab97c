/* notifier_http.c: one outgoing HTTP request of the delivery thread with
 * libcurl (DESIGN §1: libcurl for outgoing calls only): bounded time and
 * body, TLS verification on, the headers the retry policy reads. Never
 * logs: URLs may carry secrets (a Slack webhook URL is its credential). */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "buf.h"
#include "notifier.h"
#include "parse.h"

#define BODY_MAX ((size_t)16 * 1024 * 1024) /* a page of 100 GitHub comments */

int64_t pf_notify_now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

struct xfer {
	struct pf_buf body;
	struct pf_notify_http *out;
	const struct pf_notify_ctx *c;
};

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
	struct xfer *x = arg;
	if (pf_buf_append(&x->body, p, size * n) != PF_OK)
		return 0; /* past BODY_MAX: the transfer fails */
	return size * n;
}

/* Header value after "Name:" when line is that header, else NULL. */
static const char *header_value(const char *line, size_t len, const char *name, char *val,
                                size_t cap)
{
	size_t nl = strlen(name);
	if (len <= nl || strncasecmp(line, name, nl) != 0 || line[nl] != ':')
		return NULL;
	const char *v = line + nl + 1;
	const char *e = line + len;
	while (v < e && (*v == ' ' || *v == '\t'))
		v++;
	while (e > v && (e[-1] == '\r' || e[-1] == '\n' || e[-1] == ' '))
		e--;
	size_t vl = (size_t)(e - v) < cap - 1 ? (size_t)(e - v) : cap - 1;
	memcpy(val, v, vl);
	val[vl] = '\0';
	return val;
}

static size_t on_header(char *p, size_t size, size_t n, void *arg)
{
	struct xfer *x = arg;
	struct pf_notify_answer *a = &x->out->answer;
	size_t len = size * n;
	char v[2048];
	int64_t i;

	if (len >= 5 && strncmp(p, "HTTP/", 5) == 0) {
		/* a new response (after a redirect): forget the last one's */
		a->retry_after_s = a->ratelimit_remaining = -1;
		a->ratelimit_reset = 0;
		x->out->link[0] = '\0';
	} else if (header_value(p, len, "Retry-After", v, sizeof v)) {
		a->retry_after_s = pf_notify_parse_retry_after(v);
	} else if (header_value(p, len, "x-ratelimit-remaining", v, sizeof v)) {
		if (pf_parse_i64(v, &i))
			a->ratelimit_remaining = (long)i;
	} else if (header_value(p, len, "x-ratelimit-reset", v, sizeof v)) {
		if (pf_parse_i64(v, &i))
			a->ratelimit_reset = i;
	} else if (header_value(p, len, "Link", v, sizeof v)) {
		snprintf(x->out->link, sizeof x->out->link, "%s", v);
	}
	return len;
}

/* Abort a transfer when the daemon stops or the claim's lease runs out. */
static int on_progress(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
	struct xfer *x = arg;
	(void)dt, (void)dn, (void)ut, (void)un;
	return atomic_load(x->c->stop) || pf_notify_now_ms() > x->c->deadline_ms;
}

void pf_notify_http_do(const struct pf_notify_ctx *c, const char *method, const char *url,
                       const char *const *headers, const char *body, struct pf_notify_http *out)
{
	struct curl_slist *h = NULL;
	struct xfer x = {.out = out, .c = c};
	CURLcode cc;
	char ebuf[CURL_ERROR_SIZE] = "";

	memset(out, 0, sizeof *out);
	out->answer.retry_after_s = out->answer.ratelimit_remaining = -1;
	int64_t left = c->deadline_ms - pf_notify_now_ms();
	int64_t timeout = (int64_t)c->cfg->notify_timeout_s * 1000;
	if (left < timeout)
		timeout = left;
	if (timeout <= 0 || atomic_load(c->stop)) {
		snprintf(out->error, sizeof out->error,
		         atomic_load(c->stop) ? "daemon stopping" : "claim lease ran out");
		return;
	}
	CURL *e = curl_easy_init();
	if (!e) {
		snprintf(out->error, sizeof out->error, "cannot initialise libcurl");
		return;
	}
	pf_buf_init(&x.body, BODY_MAX);
	for (size_t i = 0; headers && headers[i]; i++)
		h = curl_slist_append(h, headers[i]);
	h = curl_slist_append(h, "Expect:");
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, h);
	if (body) {
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(body));
	} else if (strcmp(method, "GET") == 0) {
		curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
	}
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(e, CURLOPT_MAXREDIRS, 3L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)timeout);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long)(timeout < 5000 ? timeout : 5000));
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(e, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(e, CURLOPT_XFERINFODATA, &x);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, &x);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, &x);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, ebuf);
	cc = curl_easy_perform(e);
	if (cc == CURLE_OK) {
		curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &out->answer.status);
	} else {
		out->answer.status = 0;
		snprintf(
		        out->error, sizeof out->error, "%s",
		        cc == CURLE_ABORTED_BY_CALLBACK
		                ? (atomic_load(c->stop) ? "daemon stopping" : "claim lease ran out")
		        : ebuf[0] ? ebuf
		                  : curl_easy_strerror(cc));
	}
	pf_buf_append(&x.body, "", 0);
	out->body = pf_buf_steal(&x.body, &out->len);
	curl_slist_free_all(h);
	curl_easy_cleanup(e);
}

void pf_notify_http_free(struct pf_notify_http *h)
{
	free(h->body);
	h->body = NULL;
}

void pf_notify_result_from(struct pf_notify_result *r, const struct pf_notify_http *h,
                           const char *what)
{
	time_t now = time(NULL);
	r->status = h->answer.status;
	r->verdict = pf_notify_classify(&h->answer, (int64_t)now, &r->wait_ms);
	if (r->verdict == PF_NOTIFY_DONE) {
		r->error[0] = '\0';
		return;
	}
	if (h->answer.status == 0) {
		snprintf(r->error, sizeof r->error, "%s: %s", what, h->error);
		return;
	}
	/* the answer's first line: Slack says "invalid_payload", GitHub
	 * {"message": "..."} */
	char first[200];
	snprintf(first, sizeof first, "%s", h->body ? h->body : "");
	first[strcspn(first, "\r\n")] = '\0';
	snprintf(r->error, sizeof r->error, "%s: HTTP %ld %s", what, h->answer.status, first);
}
