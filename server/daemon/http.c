/* http.c: the libmicrohttpd request lifecycle, once (STYLE §6): the first
 * callback allocates the request context, upload chunks accumulate into a
 * bounded body, the handler runs when the body is complete, and the
 * completion callback writes the access-log line, counts the metrics and
 * frees everything. Handlers run on worker threads that take complete
 * requests from one queue in arrival order, while libmicrohttpd's thread
 * keeps reading and writing the other connections. Also owns start/stop
 * and the per-thread database connections. */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <openssl/rand.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "daemon.h"
#include "log.h"
#include "basecache.h"
#include "notifier.h"
#include "parse.h"
#include "pf_mem.h"

static _Thread_local struct pf_db *thread_db, *thread_token_db;

/* This thread's handle (made on first use), kept in d->dbs for shutdown. */
static struct pf_db *thread_handle(struct pf_daemon *d, struct pf_db **slot, bool tokens)
{
	if (!*slot) {
		const char *ci = d->cfg.database_url ? d->cfg.database_url : "";
		*slot = tokens ? pf_db_new_tokens(ci) : pf_db_new(ci);
		pthread_mutex_lock(&d->lock);
		if (d->ndbs == d->capdbs) {
			d->capdbs = d->capdbs ? 2 * d->capdbs : 8;
			d->dbs = pf_xrealloc(d->dbs, d->capdbs * sizeof *d->dbs);
		}
		d->dbs[d->ndbs++] = *slot;
		pthread_mutex_unlock(&d->lock);
	}
	return *slot;
}

struct pf_db *pf_req_db(struct pf_req *req)
{
	return thread_handle(req->d, &thread_db, false);
}

struct pf_db *pf_req_token_db(struct pf_req *req)
{
	return thread_handle(req->d, &thread_token_db, true);
}

const char *pf_req_param(const struct pf_req *req, const char *name)
{
	for (int i = 0; i < req->nparams; i++)
		if (strcmp(req->param_name[i], name) == 0)
			return req->param_value[i];
	return NULL;
}

enum pf_code pf_req_json_object(const struct pf_req *req, json_t **out, struct pf_err *err)
{
	const char *ct = pf_req_header(req, "Content-Type");
	json_error_t je;

	*out = NULL;
	if (!ct || strncasecmp(ct, "application/json", 16) != 0)
		return pf_err_set(err, PF_E_MEDIA_TYPE, "Content-Type",
		                  "expected application/json, got '%.80s'", ct ? ct : "(none)");
	json_t *body = json_loadb(req->body.data ? req->body.data : "", req->body.len, 0, &je);
	if (!json_is_object(body)) {
		json_decref(body);
		return pf_err_set(err, PF_E_BAD_REQUEST, NULL,
		                  "body must be a JSON object (line %d, column %d: %s)", je.line,
		                  je.column, body ? "not an object" : je.text);
	}
	*out = body;
	return PF_OK;
}

const char *pf_req_query(const struct pf_req *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *pf_req_header(const struct pf_req *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

void pf_req_log(const struct pf_req *req, enum pf_log_level lvl, const char *fmt, ...)
{
	char msg[2048];
	va_list ap;
	if (!pf_log_enabled(lvl))
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	pf_log(lvl, req->id, "%s", msg);
}

static void new_request_id(struct pf_req *req, struct MHD_Connection *conn)
{
	const char *given = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Request-Id");
	unsigned char raw[8];
	static const char hex[] = "0123456789abcdef";

	if (given) {
		size_t n = strlen(given);
		bool ok = n > 0 && n < sizeof req->id;
		for (size_t i = 0; ok && i < n; i++)
			ok = (given[i] >= 'a' && given[i] <= 'z') ||
			     (given[i] >= 'A' && given[i] <= 'Z') ||
			     (given[i] >= '0' && given[i] <= '9') || strchr("-_.", given[i]);
		if (ok) {
			memcpy(req->id, given, n + 1);
			return;
		}
	}
	if (RAND_bytes(raw, sizeof raw) != 1)
		memset(raw, 0, sizeof raw);
	for (size_t i = 0; i < sizeof raw; i++) {
		req->id[2 * i] = hex[raw[i] >> 4];
		req->id[2 * i + 1] = hex[raw[i] & 15];
	}
	req->id[2 * sizeof raw] = '\0';
}

static enum MHD_Result send_reply(struct pf_req *req, struct pf_reply *r)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;

	if (!r->body) {
		r->body = pf_xstrdup("");
		r->len = 0;
	}
	resp = MHD_create_response_from_buffer(r->len, r->body, MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		free(r->body);
		r->body = NULL;
		return MHD_NO;
	}
	r->body = NULL; /* owned by the response now */
	if (r->content_type)
		MHD_add_response_header(resp, "Content-Type", r->content_type);
	MHD_add_response_header(resp, "X-Request-Id", req->id);
	for (int i = 0; i < r->nheaders; i++)
		MHD_add_response_header(resp, r->hname[i], r->hvalue[i]);
	req->status = r->status;
	req->resp_bytes = r->len;
	ret = MHD_queue_response(req->conn, (unsigned)r->status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result send_error(struct pf_req *req, const struct pf_err *err)
{
	struct pf_reply r;
	memset(&r, 0, sizeof r);
	pf_reply_error(req, &r, err);
	if (pf_code_is_client(err->code))
		pf_req_log(req, PF_LOG_INFO, "%d %s: %s", r.status, pf_code_name(err->code),
		           err->msg);
	else
		pf_req_log(req, PF_LOG_ERROR, "%d %s: %s", r.status, pf_code_name(err->code),
		           err->msg);
	if (err->code == PF_E_UNAVAILABLE || err->code == PF_E_RETRYABLE ||
	    err->code == PF_E_SCHEMA)
		pf_metrics_db_error();
	return send_reply(req, &r);
}

/* Refuse a request before its body. A client waiting for "100 Continue"
 * gets the answer at once and sends nothing; any other client's body is
 * read and dropped first (up to DRAIN_MAX), because closing a socket with
 * unread data resets the connection and the client would never see the
 * answer. */
#define DRAIN_MAX ((uint64_t)256 * 1024 * 1024)
static enum MHD_Result reject(struct pf_req *req, const struct pf_err *err, uint64_t body_len)
{
	const char *expect = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, "Expect");
	if (body_len == 0 || body_len > DRAIN_MAX || (expect && strcasestr(expect, "100-continue")))
		return send_error(req, err);
	req->rejected = *err;
	return MHD_YES;
}

static enum MHD_Result first_call(struct pf_daemon *d, struct MHD_Connection *conn, const char *url,
                                  const char *method, void **req_cls)
{
	struct pf_req *req = pf_xcalloc(1, sizeof *req);
	char allow[64];
	bool path_known;
	struct pf_err err;

	clock_gettime(CLOCK_MONOTONIC, &req->start);
	req->d = d;
	req->conn = conn;
	req->route_idx = -1;
	pf_arena_init(&req->arena, 0);
	new_request_id(req, conn);
	req->method = pf_arena_strdup(&req->arena, method);
	req->path = pf_arena_strdup(&req->arena, url);
	*req_cls = req;
	pthread_mutex_lock(&d->lock);
	d->inflight++;
	pthread_mutex_unlock(&d->lock);

	if (strlen(url) > 2048) {
		pf_err_set(&err, PF_E_BAD_REQUEST, NULL, "URL longer than 2048 bytes");
		return send_error(req, &err);
	}
	req->route_idx = pf_route_match(req, method, url, &path_known, allow, sizeof allow);
	if (req->route_idx < 0) {
		if (!path_known) {
			pf_err_set(&err, PF_E_NOT_FOUND, NULL, "no such resource: %s %s", method,
			           url);
			return send_error(req, &err);
		}
		struct pf_reply r;
		memset(&r, 0, sizeof r);
		pf_err_set(&err, PF_E_METHOD, NULL, "method %s not allowed on %s (allowed: %s)",
		           method, url, allow);
		pf_reply_error(req, &r, &err);
		pf_reply_header(req, &r, "Allow", allow);
		return send_reply(req, &r);
	}
	req->route = &pf_routes[req->route_idx];
	long limit = req->route->body_limit;
	if (limit < 0)
		limit = (long)(d->cfg.max_upload_mb * 1024 * 1024);
	pf_buf_init(&req->body, (size_t)limit);
	const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
	uint64_t n = 0;
	bool has_len = cl && pf_parse_u64(cl, &n);
	if (has_len && n > (uint64_t)limit) {
		if (limit == 0)
			pf_err_set(&err, PF_E_TOO_LARGE, NULL, "%s %s takes no request body",
			           method, req->route->pattern);
		else
			pf_err_set(&err, PF_E_TOO_LARGE, NULL,
			           "request body of %llu bytes exceeds the limit of %ld bytes",
			           (unsigned long long)n, limit);
		return reject(req, &err, n);
	}
	/* authenticate before reading a body: a refused upload costs nothing */
	pf_err_clear(&err);
	if (pf_auth_check(req, &err) != PF_OK)
		return reject(req, &err, has_len ? n : (uint64_t)limit);
	return MHD_YES;
}

/* Seconds from t (CLOCK_MONOTONIC) to now. */
static double seconds_since(const struct timespec *t)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t->tv_sec) + (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}

/* Run the handler of one complete request; its reply (or error) stays in
 * the request until finish() sends it. */
static void call_handler(struct pf_req *req)
{
	memset(&req->job_reply, 0, sizeof req->job_reply);
	pf_err_clear(&req->job_err);
	req->job_rc = req->route->handler(req, &req->job_reply, &req->job_err);
}

static void *worker_main(void *arg)
{
	struct pf_daemon *d = arg;
	for (;;) {
		pthread_mutex_lock(&d->qlock);
		while (!d->qhead && !d->qstop)
			pthread_cond_wait(&d->qcond, &d->qlock);
		struct pf_req *req = d->qhead;
		if (req) {
			d->qhead = req->next_job;
			if (!d->qhead)
				d->qtail = NULL;
		}
		pthread_mutex_unlock(&d->qlock);
		if (!req)
			return NULL; /* stopping, and the queue is empty */
		pf_metrics_dequeued(seconds_since(&req->queued_at));
		call_handler(req);
		/* hand the connection back; libmicrohttpd calls access_cb
		 * again, which sends the reply */
		req->job_done = true;
		MHD_resume_connection(req->conn);
	}
}

/* Send what the handler made. */
static enum MHD_Result finish(struct pf_req *req)
{
	req->job_done = false;
	enum MHD_Result ret =
	        req->job_rc ? send_error(req, &req->job_err) : send_reply(req, &req->job_reply);
	free(req->job_reply.body); /* NULL when libmicrohttpd took it */
	req->job_reply.body = NULL;
	return ret;
}

/* The request is complete: answer what is already known here; run a
 * quick route's handler at once; hand the rest to the workers in arrival
 * order. The connection is suspended before the request is queued, so a
 * worker never resumes a connection that is not yet suspended. */
static enum MHD_Result dispatch(struct pf_req *req)
{
	struct pf_daemon *d = req->d;
	struct pf_err err;

	req->dispatched = true;
	if (req->body_too_large) {
		pf_err_set(&err, PF_E_TOO_LARGE, NULL,
		           "request body exceeds the limit of %zu bytes", req->body.max);
		return send_error(req, &err);
	}
	if (req->route->multipart) {
		if (!req->form_started) {
			/* no body at all: still say what was expected */
			req->form_started = true;
			if (pf_form_begin(req, &req->form, req->body.max, &err) != PF_OK)
				return send_error(req, &err);
		}
		if (pf_form_end(&req->form, &err) != PF_OK)
			return send_error(req, &err);
	}
	if (req->route->quick) {
		call_handler(req);
		return finish(req);
	}
	MHD_suspend_connection(req->conn);
	clock_gettime(CLOCK_MONOTONIC, &req->queued_at);
	pf_metrics_queued();
	pthread_mutex_lock(&d->qlock);
	req->next_job = NULL;
	if (d->qtail)
		d->qtail->next_job = req;
	else
		d->qhead = req;
	d->qtail = req;
	pthread_cond_signal(&d->qcond);
	pthread_mutex_unlock(&d->qlock);
	return MHD_YES;
}

static enum MHD_Result access_cb(void *cls, struct MHD_Connection *conn, const char *url,
                                 const char *method, const char *version, const char *upload_data,
                                 size_t *upload_data_size, void **req_cls)
{
	struct pf_daemon *d = cls;
	struct pf_req *req = *req_cls;
	(void)version;

	if (!req)
		return first_call(d, conn, url, method, req_cls);
	if (req->status) {
		/* already answered (error before the body): drop the body */
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (req->rejected.code) {
		if (*upload_data_size) {
			*upload_data_size = 0;
			return MHD_YES;
		}
		return send_error(req, &req->rejected);
	}
	if (*upload_data_size) {
		size_t n = *upload_data_size;
		*upload_data_size = 0;
		req->body_bytes += n;
		if (req->body_too_large || req->body_bytes > req->body.max) {
			req->body_too_large = true;
			return MHD_YES; /* drain; answered 413 when complete */
		}
		if (!req->route->multipart) {
			if (pf_buf_append(&req->body, upload_data, n) != PF_OK)
				req->body_too_large = true;
			return MHD_YES;
		}
		if (!req->form_started) {
			struct pf_err err;
			req->form_started = true;
			if (pf_form_begin(req, &req->form, req->body.max, &err) != PF_OK)
				req->form.err = err;
		}
		pf_form_feed(&req->form, upload_data, n);
		return MHD_YES;
	}
	if (req->job_done)
		return finish(req);
	if (req->dispatched)
		return MHD_YES;
	return dispatch(req);
}

static void completed_cb(void *cls, struct MHD_Connection *conn, void **req_cls,
                         enum MHD_RequestTerminationCode toe)
{
	struct pf_daemon *d = cls;
	struct pf_req *req = *req_cls;
	(void)conn;

	if (!req)
		return;
	double secs = seconds_since(&req->start);
	int status = req->status ? req->status : 499;
	pf_metrics_request(req->route_idx, status, secs);
	pf_log(PF_LOG_INFO, req->id, "%s %s %d %zu %.1fms%s", req->method ? req->method : "?",
	       req->path ? req->path : "?", status, req->resp_bytes, secs * 1000,
	       toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " (connection closed early)");
	pf_buf_free(&req->body);
	pf_form_free(&req->form);
	pf_arena_free(&req->arena);
	free(req);
	*req_cls = NULL;
	pthread_mutex_lock(&d->lock);
	d->inflight--;
	pthread_mutex_unlock(&d->lock);
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[1024];
	(void)cls;
	vsnprintf(msg, sizeof msg, fmt, ap);
	size_t n = strlen(msg);
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		msg[--n] = '\0';
	pf_log(PF_LOG_WARN, NULL, "libmicrohttpd: %s", msg);
}

/* Let the workers finish every queued request, then join them. */
static void stop_workers(struct pf_daemon *d)
{
	pthread_mutex_lock(&d->qlock);
	d->qstop = true;
	pthread_cond_broadcast(&d->qcond);
	pthread_mutex_unlock(&d->qlock);
	for (int i = 0; i < d->nworkers; i++)
		pthread_join(d->workers[i], NULL);
	free(d->workers);
	d->workers = NULL;
	d->nworkers = 0;
	pthread_cond_destroy(&d->qcond);
	pthread_mutex_destroy(&d->qlock);
}

enum pf_code pf_daemon_start(struct pf_daemon *d, struct pf_config *cfg, struct pf_err *err)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG |
	                 MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME;

	memset(d, 0, sizeof *d);
	d->cfg = *cfg;
	memset(cfg, 0, sizeof *cfg);
	pthread_mutex_init(&d->lock, NULL);
	pf_metrics_init();

	memset(&ss, 0, sizeof ss);
	const char *host =
	        strcmp(d->cfg.listen_host, "localhost") == 0 ? "127.0.0.1" : d->cfg.listen_host;
	if (strchr(host, ':')) {
		struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons(d->cfg.listen_port);
		if (inet_pton(AF_INET6, host, &a6->sin6_addr) != 1)
			return pf_err_set(err, PF_E_BAD_CONFIG, "PERFGATE_LISTEN",
			                  "PERFGATE_LISTEN: '%s' is not an IPv6 address", host);
		sl = sizeof *a6;
		flags |= MHD_USE_IPv6;
	} else {
		struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;
		a4->sin_family = AF_INET;
		a4->sin_port = htons(d->cfg.listen_port);
		if (inet_pton(AF_INET, host, &a4->sin_addr) != 1)
			return pf_err_set(err, PF_E_BAD_CONFIG, "PERFGATE_LISTEN",
			                  "PERFGATE_LISTEN: '%s' is not an IPv4 address", host);
		sl = sizeof *a4;
	}
	(void)sl;
	d->basecache = pf_basecache_new(); /* NULL (no memory): uploads read every time */
	pthread_mutex_init(&d->qlock, NULL);
	pthread_cond_init(&d->qcond, NULL);
	d->workers = pf_xcalloc((size_t)d->cfg.threads, sizeof *d->workers);
	for (; d->nworkers < d->cfg.threads; d->nworkers++)
		if (pthread_create(&d->workers[d->nworkers], NULL, worker_main, d) != 0) {
			stop_workers(d);
			pf_basecache_free(d->basecache);
			d->basecache = NULL;
			return pf_err_set(err, PF_E_INTERNAL, "PERFGATE_THREADS",
			                  "cannot start worker thread %d of %d", d->nworkers + 1,
			                  d->cfg.threads);
		}
	d->mhd = MHD_start_daemon(flags, d->cfg.listen_port, NULL, NULL, access_cb, d,
	                          MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL, MHD_OPTION_SOCK_ADDR,
	                          (struct sockaddr *)&ss, MHD_OPTION_NOTIFY_COMPLETED, completed_cb,
	                          d, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)120,
	                          MHD_OPTION_CONNECTION_LIMIT, (unsigned)1024,
	                          MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned)1, MHD_OPTION_END);
	if (!d->mhd) {
		stop_workers(d);
		pf_basecache_free(d->basecache);
		d->basecache = NULL;
		return pf_err_set(err, PF_E_IO, "PERFGATE_LISTEN",
		                  "cannot listen on %s:%u (in use, or not an address of this host)",
		                  d->cfg.listen_host, d->cfg.listen_port);
	}
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(d->mhd, MHD_DAEMON_INFO_BIND_PORT);
	d->port = info ? info->port : d->cfg.listen_port;
	if (d->cfg.database_url)
		d->notifier = pf_notifier_start(&d->cfg);
	return PF_OK;
}

void pf_daemon_stop(struct pf_daemon *d, int grace_seconds)
{
	if (!d->mhd)
		return;
	MHD_socket s = MHD_quiesce_daemon(d->mhd);
	if (s != MHD_INVALID_SOCKET)
		close(s);
	for (int i = 0; i < grace_seconds * 20; i++) {
		pthread_mutex_lock(&d->lock);
		long n = d->inflight;
		pthread_mutex_unlock(&d->lock);
		if (n <= 0)
			break;
		usleep(50 * 1000);
	}
	/* before libmicrohttpd stops: it closes suspended connections, and
	 * a worker may still hold one */
	stop_workers(d);
	MHD_stop_daemon(d->mhd);
	d->mhd = NULL;
	pf_notifier_stop(d->notifier);
	d->notifier = NULL;
	pf_basecache_free(d->basecache);
	d->basecache = NULL;
	for (size_t i = 0; i < d->ndbs; i++)
		pf_db_free(d->dbs[i]);
	free(d->dbs);
	d->dbs = NULL;
	d->ndbs = d->capdbs = 0;
	pthread_mutex_destroy(&d->lock);
	pf_config_free(&d->cfg);
}
