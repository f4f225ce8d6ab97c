/* pftest_recv.c: the loopback Slack + GitHub receiver of the notification
 * suites (pftest_recv.h). One thread per connection, so a slow answer does
 * not hold the others; every request recorded under one lock. */
#include "pftest_recv.h"

#include <ctype.h>
#include <jansson.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "pf_mem.h"
#include "pftest_srv.h"

#define MAX_COMMENTS 1000
#define MAX_ISSUES   100
#define MAX_LABELS   200

struct comment {
	long long id;
	int issue;
	char *body;
};
struct issue {
	int number;
	char state[8];
	char *title, *body;
};
struct label {
	int issue;
	char name[64];
};

struct pft_recv {
	struct MHD_Daemon *mhd;
	int port;
	char base[64];
	struct timespec start;
	pthread_mutex_t lock;
	struct pft_recv_req reqs[PFT_RECV_MAX_REQS];
	size_t nreqs;
	int fault_status, fault_count, fault_retry_after, slow_ms;
	struct comment comments[MAX_COMMENTS];
	size_t ncomments;
	long long next_comment_id;
	struct issue issues[MAX_ISSUES];
	size_t nissues;
	struct label labels[MAX_LABELS];
	size_t nlabels;
};

struct conn {
	struct pf_buf body;
};

static enum MHD_Result collect_header(void *cls, enum MHD_ValueKind kind, const char *k,
                                      const char *v)
{
	struct pf_buf *b = cls;
	(void)kind;
	for (const char *p = k; *p; p++) {
		char c = (char)tolower((unsigned char)*p);
		pf_buf_append(b, &c, 1);
	}
	pf_buf_printf(b, ": %s\n", v);
	return MHD_YES;
}

static enum MHD_Result reply(struct MHD_Connection *c, int status, const char *ctype,
                             const char *body, const char *h1, const char *v1)
{
	struct MHD_Response *resp =
	        MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_MUST_COPY);
	MHD_add_response_header(resp, "Content-Type", ctype);
	if (h1)
		MHD_add_response_header(resp, h1, v1);
	enum MHD_Result ret = MHD_queue_response(c, (unsigned)status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result reply_json(struct MHD_Connection *c, int status, json_t *j, const char *h1,
                                  const char *v1)
{
	char *t = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	enum MHD_Result ret = reply(c, status, "application/json", t ? t : "null", h1, v1);
	free(t);
	return ret;
}

static const char *jstr(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

static const char *arg(struct MHD_Connection *c, const char *k)
{
	return MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, k);
}

/* sscanf of one int (and optionally one more) that must consume all of s. */
static bool whole(const char *s, const char *fmt, void *a, void *b)
{
	int end = -1;
	char f[128];
	snprintf(f, sizeof f, "%s%%n", fmt);
	if (b)
		sscanf(s, f, a, b, &end);
	else
		sscanf(s, f, a, &end);
	return end >= 0 && s[end] == '\0';
}

/* The GitHub API under /gh/repos/OWNER/NAME (called with r->lock held). */
static enum MHD_Result github(struct pft_recv *r, struct MHD_Connection *c, const char *m,
                              const char *path, const char *body, int *status)
{
	char owner[100], name[100], rest[512];
	int n = 0;
	long long id = 0;
	json_error_t je;
	json_t *in = json_loads(body, 0, &je);
	if (sscanf(path, "/gh/repos/%99[^/]/%99[^/]%511s", owner, name, rest) != 3) {
		json_decref(in);
		*status = 404;
		return reply_json(c, 404, json_pack("{s:s}", "message", "Not Found"), NULL, NULL);
	}
	*status = 200;
	if (strcmp(m, "GET") == 0 && whole(rest, "/issues/%d/comments", &n, NULL)) {
		int per = arg(c, "per_page") ? atoi(arg(c, "per_page")) : 30;
		int page = arg(c, "page") ? atoi(arg(c, "page")) : 1;
		json_t *arr = json_array();
		size_t k = 0, total = 0;
		for (size_t i = 0; i < r->ncomments; i++) {
			if (r->comments[i].issue != n)
				continue;
			total++;
			if (k++ < (size_t)((page - 1) * per) || json_array_size(arr) >= (size_t)per)
				continue;
			json_array_append_new(arr, json_pack("{s:I, s:s, s:{s:s}}", "id",
			                                     (json_int_t)r->comments[i].id, "body",
			                                     r->comments[i].body, "user", "login",
			                                     "bot"));
		}
		char link[600];
		json_decref(in);
		if (total > (size_t)(page * per)) {
			snprintf(link, sizeof link,
			         "<%s/gh/repos/%s/%s/issues/%d/comments?per_page=%d&page=%d>; "
			         "rel=\"next\"",
			         r->base, owner, name, n, per, page + 1);
			return reply_json(c, 200, arr, "Link", link);
		}
		return reply_json(c, 200, arr, NULL, NULL);
	}
	if (strcmp(m, "POST") == 0 && whole(rest, "/issues/%d/comments", &n, NULL)) {
		const char *b = json_string_value(json_object_get(in, "body"));
		json_t *out = NULL;
		if (b && r->ncomments < MAX_COMMENTS) {
			struct comment *cm = &r->comments[r->ncomments++];
			cm->id = r->next_comment_id++;
			cm->issue = n;
			cm->body = pf_xstrdup(b);
			out = json_pack("{s:I, s:s, s:{s:s}}", "id", (json_int_t)cm->id, "body", b,
			                "user", "login", "bot");
		}
		json_decref(in);
		*status = out ? 201 : 422;
		return reply_json(c, *status, out ? out : json_pack("{s:s}", "message", "bad"),
		                  NULL, NULL);
	}
	if (strcmp(m, "PATCH") == 0 && whole(rest, "/issues/comments/%lld", &id, NULL)) {
		const char *b = json_string_value(json_object_get(in, "body"));
		for (size_t i = 0; b && i < r->ncomments; i++) {
			if (r->comments[i].id != id)
				continue;
			free(r->comments[i].body);
			r->comments[i].body = pf_xstrdup(b);
			json_decref(in);
			return reply_json(c, 200, json_pack("{s:I}", "id", (json_int_t)id), NULL,
			                  NULL);
		}
		json_decref(in);
		*status = 404;
		return reply_json(c, 404, json_pack("{s:s}", "message", "Not Found"), NULL, NULL);
	}
	char lname[128];
	if (strcmp(m, "POST") == 0 && whole(rest, "/issues/%d/labels", &n, NULL)) {
		size_t i;
		json_t *l;
		json_array_foreach(json_object_get(in, "labels"), i, l)
		{
			if (!pft_recv_gh_has_label(r, n, json_string_value(l)) &&
			    r->nlabels < MAX_LABELS) {
				r->labels[r->nlabels].issue = n;
				snprintf(r->labels[r->nlabels++].name, 64, "%s",
				         json_string_value(l));
			}
		}
		json_decref(in);
		return reply_json(c, 200, json_array(), NULL, NULL);
	}
	if (strcmp(m, "DELETE") == 0 && whole(rest, "/issues/%d/labels/%127s", &n, lname)) {
		json_decref(in);
		for (size_t i = 0; i < r->nlabels; i++)
			if (r->labels[i].issue == n && strcmp(r->labels[i].name, lname) == 0) {
				r->labels[i] = r->labels[--r->nlabels];
				return reply_json(c, 200, json_array(), NULL, NULL);
			}
		*status = 404;
		return reply_json(c, 404, json_pack("{s:s}", "message", "Label does not exist"),
		                  NULL, NULL);
	}
	if (strcmp(m, "POST") == 0 && strcmp(rest, "/issues") == 0 && r->nissues < MAX_ISSUES) {
		struct issue *is = &r->issues[r->nissues++];
		is->number = 1000 + (int)r->nissues;
		snprintf(is->state, sizeof is->state, "open");
		is->title = pf_xstrdup(jstr(in, "title"));
		is->body = pf_xstrdup(jstr(in, "body"));
		size_t i;
		json_t *l;
		json_array_foreach(json_object_get(in, "labels"), i, l)
		{
			r->labels[r->nlabels].issue = is->number;
			snprintf(r->labels[r->nlabels++].name, 64, "%s", json_string_value(l));
		}
		json_decref(in);
		*status = 201;
		return reply_json(c, 201, json_pack("{s:i}", "number", is->number), NULL, NULL);
	}
	if (strcmp(m, "GET") == 0 && strncmp(rest, "/issues", 7) == 0 && rest[7] == '\0') {
		json_t *arr = json_array();
		const char *want = arg(c, "labels");
		for (size_t i = 0; i < r->nissues; i++) {
			struct issue *is = &r->issues[i];
			if (strcmp(is->state, "open") != 0 ||
			    (want && !pft_recv_gh_has_label(r, is->number, want)))
				continue;
			json_array_append_new(arr,
			                      json_pack("{s:i, s:s, s:s}", "number", is->number,
			                                "title", is->title, "body", is->body));
		}
		/* a pull request in the listing, as GitHub does: skipped */
		json_array_append_new(arr, json_pack("{s:i, s:s, s:{}}", "number", 1, "body",
		                                     "<!-- perfgate-issue:", "pull_request"));
		json_decref(in);
		return reply_json(c, 200, arr, NULL, NULL);
	}
	if (strcmp(m, "PATCH") == 0 && whole(rest, "/issues/%d", &n, NULL)) {
		const char *st = json_string_value(json_object_get(in, "state"));
		for (size_t i = 0; i < r->nissues; i++)
			if (r->issues[i].number == n && st)
				snprintf(r->issues[i].state, sizeof r->issues[i].state, "%s", st);
		json_decref(in);
		return reply_json(c, 200, json_pack("{s:i}", "number", n), NULL, NULL);
	}
	json_decref(in);
	*status = 404;
	return reply_json(c, 404, json_pack("{s:s}", "message", "Not Found"), NULL, NULL);
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *data,
                              size_t *size, void **ctx)
{
	struct pft_recv *r = cls;
	struct conn *cn = *ctx;
	(void)version;
	if (!cn) {
		cn = pf_xcalloc(1, sizeof *cn);
		pf_buf_init(&cn->body, 0);
		*ctx = cn;
		return MHD_YES;
	}
	if (*size) {
		pf_buf_append(&cn->body, data, *size);
		*size = 0;
		return MHD_YES;
	}
	pf_buf_append(&cn->body, "", 0);
	if (r->slow_ms)
		usleep((useconds_t)r->slow_ms * 1000);

	struct pf_buf hb, ub;
	struct timespec now;
	pf_buf_init(&hb, 0);
	pf_buf_init(&ub, 0);
	MHD_get_connection_values(c, MHD_HEADER_KIND, collect_header, &hb);
	pf_buf_append(&hb, "", 0);
	pf_buf_puts(&ub, url);
	const char *q = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "page");
	const char *pp = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "per_page");
	if (pp)
		pf_buf_printf(&ub, "?per_page=%s%s%s", pp, q ? "&page=" : "", q ? q : "");
	clock_gettime(CLOCK_MONOTONIC, &now);

	pthread_mutex_lock(&r->lock);
	int status = 200;
	enum MHD_Result ret;
	if (r->fault_count != 0) {
		char ra[16];
		if (r->fault_count > 0)
			r->fault_count--;
		status = r->fault_status;
		snprintf(ra, sizeof ra, "%d", r->fault_retry_after);
		ret = reply(c, status, "text/plain",
		            status == 429 ? "rate_limited" : "rollup_error",
		            r->fault_retry_after >= 0 ? "Retry-After" : NULL, ra);
	} else if (strncmp(url, "/slack/", 7) == 0 && strcmp(method, "POST") == 0) {
		ret = reply(c, 200, "text/plain", "ok", NULL, NULL);
	} else {
		ret = github(r, c, method, url, cn->body.data ? cn->body.data : "", &status);
	}
	if (r->nreqs < PFT_RECV_MAX_REQS) {
		struct pft_recv_req *rq = &r->reqs[r->nreqs++];
		snprintf(rq->method, sizeof rq->method, "%s", method);
		snprintf(rq->url, sizeof rq->url, "%s", ub.data);
		rq->headers = pf_buf_steal(&hb, NULL);
		rq->body = pf_buf_steal(&cn->body, NULL);
		rq->status = status;
		rq->t = (double)(now.tv_sec - r->start.tv_sec) +
		        (double)(now.tv_nsec - r->start.tv_nsec) / 1e9;
	}
	pthread_mutex_unlock(&r->lock);
	pf_buf_free(&hb);
	pf_buf_free(&ub);
	return ret;
}

static void completed(void *cls, struct MHD_Connection *c, void **ctx,
                      enum MHD_RequestTerminationCode toe)
{
	struct conn *cn = *ctx;
	(void)cls, (void)c, (void)toe;
	if (cn) {
		pf_buf_free(&cn->body);
		free(cn);
		*ctx = NULL;
	}
}

void pft_recv_up(struct pft_recv *r)
{
	r->mhd = MHD_start_daemon(
	        MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ITC,
	        (uint16_t)r->port, NULL, NULL, handle, r, MHD_OPTION_NOTIFY_COMPLETED, completed, r,
	        MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned)1, MHD_OPTION_END);
	if (!r->mhd) {
		fprintf(stderr, "pftest_recv: cannot listen on port %d\n", r->port);
		abort();
	}
}

void pft_recv_down(struct pft_recv *r)
{
	if (r->mhd)
		MHD_stop_daemon(r->mhd);
	r->mhd = NULL;
}

struct pft_recv *pft_recv_start(void)
{
	struct pft_recv *r = pf_xcalloc(1, sizeof *r);
	pthread_mutex_init(&r->lock, NULL);
	clock_gettime(CLOCK_MONOTONIC, &r->start);
	r->port = pft_free_port();
	r->next_comment_id = 5000;
	r->fault_retry_after = -1;
	snprintf(r->base, sizeof r->base, "http://127.0.0.1:%d", r->port);
	pft_recv_up(r);
	return r;
}

void pft_recv_stop(struct pft_recv *r)
{
	pft_recv_down(r);
	for (size_t i = 0; i < r->nreqs; i++)
		pft_recv_req_free(&r->reqs[i]);
	for (size_t i = 0; i < r->ncomments; i++)
		free(r->comments[i].body);
	for (size_t i = 0; i < r->nissues; i++) {
		free(r->issues[i].title);
		free(r->issues[i].body);
	}
	pthread_mutex_destroy(&r->lock);
	free(r);
}

const char *pft_recv_base(const struct pft_recv *r)
{
	return r->base;
}

void pft_recv_fault(struct pft_recv *r, int status, int count, int retry_after)
{
	pthread_mutex_lock(&r->lock);
	r->fault_status = status;
	r->fault_count = count;
	r->fault_retry_after = retry_after;
	pthread_mutex_unlock(&r->lock);
}

void pft_recv_slow(struct pft_recv *r, int ms)
{
	r->slow_ms = ms;
}

static bool matches(const struct pft_recv_req *q, const char *method, const char *prefix)
{
	return (!method || strcmp(q->method, method) == 0) &&
	       (!prefix || strncmp(q->url, prefix, strlen(prefix)) == 0);
}

size_t pft_recv_count(struct pft_recv *r, const char *method, const char *prefix)
{
	size_t n = 0;
	pthread_mutex_lock(&r->lock);
	for (size_t i = 0; i < r->nreqs; i++)
		n += matches(&r->reqs[i], method, prefix);
	pthread_mutex_unlock(&r->lock);
	return n;
}

bool pft_recv_wait_ok(struct pft_recv *r, const char *method, const char *prefix, size_t n,
                      int timeout_ms)
{
	for (int waited = 0;; waited += 20) {
		size_t ok = 0;
		pthread_mutex_lock(&r->lock);
		for (size_t i = 0; i < r->nreqs; i++)
			ok += matches(&r->reqs[i], method, prefix) && r->reqs[i].status / 100 == 2;
		pthread_mutex_unlock(&r->lock);
		if (ok >= n)
			return true;
		if (waited >= timeout_ms)
			return false;
		usleep(20 * 1000);
	}
}

bool pft_recv_nth(struct pft_recv *r, const char *method, const char *prefix, size_t i,
                  struct pft_recv_req *out)
{
	bool found = false;
	pthread_mutex_lock(&r->lock);
	for (size_t k = 0; k < r->nreqs && !found; k++) {
		if (!matches(&r->reqs[k], method, prefix) || i-- > 0)
			continue;
		*out = r->reqs[k];
		out->headers = pf_xstrdup(r->reqs[k].headers ? r->reqs[k].headers : "");
		out->body = pf_xstrdup(r->reqs[k].body ? r->reqs[k].body : "");
		found = true;
	}
	pthread_mutex_unlock(&r->lock);
	return found;
}

void pft_recv_req_free(struct pft_recv_req *q)
{
	free(q->headers);
	free(q->body);
	q->headers = q->body = NULL;
}

char *pft_recv_header(const struct pft_recv_req *q, const char *name)
{
	size_t nl = strlen(name);
	for (const char *p = q->headers; p && *p;) {
		const char *eol = strchr(p, '\n');
		if (strncasecmp(p, name, nl) == 0 && p[nl] == ':')
			return pf_xstrndup(p + nl + 2,
			                   (size_t)((eol ? eol : p + strlen(p)) - (p + nl + 2)));
		p = eol ? eol + 1 : NULL;
	}
	return NULL;
}

size_t pft_recv_gh_comments(struct pft_recv *r, int issue)
{
	size_t n = 0;
	pthread_mutex_lock(&r->lock);
	for (size_t i = 0; i < r->ncomments; i++)
		n += r->comments[i].issue == issue;
	pthread_mutex_unlock(&r->lock);
	return n;
}

char *pft_recv_gh_comment_body(struct pft_recv *r, int issue, size_t k)
{
	char *b = NULL;
	pthread_mutex_lock(&r->lock);
	for (size_t i = 0; i < r->ncomments && !b; i++)
		if (r->comments[i].issue == issue && k-- == 0)
			b = pf_xstrdup(r->comments[i].body);
	pthread_mutex_unlock(&r->lock);
	return b;
}

/* Called with or without the lock: reads only. */
bool pft_recv_gh_has_label(struct pft_recv *r, int issue, const char *label)
{
	for (size_t i = 0; label && i < r->nlabels; i++)
		if (r->labels[i].issue == issue && strcmp(r->labels[i].name, label) == 0)
			return true;
	return false;
}

size_t pft_recv_gh_issues(struct pft_recv *r)
{
	return r->nissues;
}

bool pft_recv_gh_issue(struct pft_recv *r, size_t i, int *number, char *state, size_t slen,
                       char *title, size_t tlen)
{
	bool ok = false;
	pthread_mutex_lock(&r->lock);
	if (i < r->nissues) {
		*number = r->issues[i].number;
		snprintf(state, slen, "%s", r->issues[i].state);
		snprintf(title, tlen, "%s", r->issues[i].title);
		ok = true;
	}
	pthread_mutex_unlock(&r->lock);
	return ok;
}

void pft_recv_gh_add_comment(struct pft_recv *r, int issue, const char *body)
{
	pthread_mutex_lock(&r->lock);
	if (r->ncomments < MAX_COMMENTS) {
		struct comment *cm = &r->comments[r->ncomments++];
		cm->id = r->next_comment_id++;
		cm->issue = issue;
		cm->body = pf_xstrdup(body);
	}
	pthread_mutex_unlock(&r->lock);
}
