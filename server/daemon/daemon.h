/* daemon.h: what the daemon's files share: the request context of the
 * libmicrohttpd lifecycle (STYLE §6), the reply every handler fills, the
 * static route table's row, and the daemon object. Handlers read
 * parse -> validate -> engine/db -> reply. */
#ifndef PF_DAEMON_H
#define PF_DAEMON_H

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "arena.h"
#include "buf.h"
#include "config.h"
#include "db.h"
#include "form.h"
#include "pf_err.h"

struct pf_daemon;
struct pf_req;
struct pf_reply;

typedef enum pf_code (*pf_handler_fn)(struct pf_req *req, struct pf_reply *reply,
                                      struct pf_err *err);

struct pf_route {
	const char *method;  /* "GET", "POST", "PUT" */
	const char *pattern; /* "/v1/projects/{p}/runs" */
	pf_handler_fn handler;
	long body_limit;           /* bytes; 0 = no body; -1 = PERFGATE_MAX_UPLOAD_MB */
	enum pf_scope scope;       /* PF_SCOPE_NONE = no token needed */
	const char *project_param; /* path parameter naming the project, or NULL */
	bool multipart;            /* body is multipart/form-data, parsed into req->form */
	bool quick; /* no database, no heavy work: run on libmicrohttpd's thread, never
	             * queued behind busy workers (liveness, metrics) */
};

#define PF_MAX_REPLY_HEADERS 6

struct pf_reply {
	int status;
	const char *content_type; /* static string */
	char *body;               /* malloc'ed; the lifecycle frees or hands it to MHD */
	size_t len;
	int nheaders;
	const char *hname[PF_MAX_REPLY_HEADERS];
	char *hvalue[PF_MAX_REPLY_HEADERS]; /* arena strings */
};

#define PF_MAX_PARAMS 4

struct pf_req {
	char id[40];           /* request id, echoed in X-Request-Id */
	struct timespec start; /* CLOCK_MONOTONIC */
	struct pf_daemon *d;
	void *conn; /* struct MHD_Connection * */
	const char *method;
	const char *path;
	int route_idx; /* index in the route table; -1 unmatched */
	const struct pf_route *route;
	int nparams;
	const char *param_name[PF_MAX_PARAMS];
	char *param_value[PF_MAX_PARAMS];
	struct pf_arena arena; /* everything of this request; freed at completion */
	struct pf_buf body;    /* the request body, bounded by the route */
	size_t body_bytes;     /* bytes received */
	struct pf_form form;   /* multipart routes: the parts */
	bool form_started;
	struct pf_err rejected; /* answer due once the body is drained */
	bool body_too_large;
	bool dispatched;
	struct pf_req *next_job;   /* the worker queue (http.c) */
	struct timespec queued_at; /* CLOCK_MONOTONIC, when queued */
	bool job_done;             /* set by the worker; the reply below is due */
	enum pf_code job_rc;
	struct pf_reply job_reply;  /* the handler's reply */
	struct pf_err job_err;      /* the handler's error when job_rc != PF_OK */
	struct pf_token_info token; /* who is calling (scope admin when auth is off) */
	int status;                 /* the status sent, for the access log */
	size_t resp_bytes;
};

/* ---- replies (reply.c) ------------------------------------------------ */
/* Body from a JSON value; steals the reference. */
void pf_reply_json(struct pf_reply *r, int status, json_t *body);
/* Body copied from data. */
void pf_reply_data(struct pf_reply *r, int status, const char *content_type, const void *data,
                   size_t len);
/* Body taken over (malloc'ed). */
void pf_reply_take(struct pf_reply *r, int status, const char *content_type, char *data,
                   size_t len);
/* The JSON error reply of DESIGN §5 for err (status from the code table;
 * Retry-After on 503). */
void pf_reply_error(struct pf_req *req, struct pf_reply *r, const struct pf_err *err);
void pf_reply_header(struct pf_req *req, struct pf_reply *r, const char *name, const char *value);

/* ---- request helpers (http.c) ----------------------------------------- */
/* Path parameter by name (NULL when absent); borrowed until completion. */
const char *pf_req_param(const struct pf_req *req, const char *name);
/* Query argument / header by name (borrowed from libmicrohttpd). */
const char *pf_req_query(const struct pf_req *req, const char *name);
const char *pf_req_header(const struct pf_req *req, const char *name);
/* The body as a JSON object: PF_E_MEDIA_TYPE unless the Content-Type is
 * application/json, PF_E_BAD_REQUEST (with line and column) unless it
 * parses to an object. *out is a new reference. */
enum pf_code pf_req_json_object(const struct pf_req *req, json_t **out,
                                struct pf_err *err) PF_MUSTCHECK;
/* This worker thread's database connection (lazy; reconnects). */
struct pf_db *pf_req_db(struct pf_req *req);
/* This thread's handle for token checks alone (pf_db_new_tokens). */
struct pf_db *pf_req_token_db(struct pf_req *req);
/* 403 unless the caller's token may act on project p. */
enum pf_code pf_req_check_project(const struct pf_req *req, const char *project,
                                  struct pf_err *err) PF_MUSTCHECK;
/* Log with the request id. */
void pf_req_log(const struct pf_req *req, enum pf_log_level lvl, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

/* ---- routes (router.c) -------------------------------------------------- */
extern const struct pf_route pf_routes[];
extern const size_t pf_routes_count;
/* Match method+path. Returns the route index, or -1; on -1, *path_known
 * tells whether another method matches the path (405), and allow receives
 * the allowed methods ("GET, PUT"). Parameters go to req (arena). */
int pf_route_match(struct pf_req *req, const char *method, const char *path, bool *path_known,
                   char *allow, size_t allow_len);
/* Pure form for tests: match without a request. Parameters are written to
 * names/values (pointers into pattern and a copy of path in buf). */
int pf_route_find(const char *method, const char *path, bool *path_known, char *allow,
                  size_t allow_len, const char **names, char (*values)[256], int *nparams);

/* ---- metrics (metrics.c) ----------------------------------------------- */
void pf_metrics_init(void);
void pf_metrics_request(int route_idx, int status, double seconds);
void pf_metrics_db_error(void);
void pf_metrics_verdict(const char *verdict);
/* A request joined the worker queue; one left it after waiting `waited`
 * seconds. */
void pf_metrics_queued(void);
void pf_metrics_dequeued(double waited);
/* A baseline window looked up in the daemon's cache (basecache.h). */
void pf_metrics_baseline_cache(bool hit);
/* Prometheus text exposition into b. */
void pf_metrics_render(struct pf_buf *b);

/* ---- auth (auth.c) ------------------------------------------------------ */
/* Authenticate and authorise req for its route; fills req->token. */
enum pf_code pf_auth_check(struct pf_req *req, struct pf_err *err) PF_MUSTCHECK;
/* Make a new random token (text into out, >= 64 bytes) and its SHA-256. */
enum pf_code pf_auth_new_token(char *out, size_t outlen, uint8_t sha256[32]) PF_MUSTCHECK;
void pf_auth_hash(const char *token, uint8_t sha256[32]);

/* ---- the daemon (http.c) ---------------------------------------------- */
struct pf_daemon {
	struct pf_config cfg;
	void *mhd; /* struct MHD_Daemon * */
	uint16_t port;
	pthread_mutex_t lock; /* guards dbs and inflight */
	struct pf_db **dbs;   /* every thread's connection, closed at shutdown */
	size_t ndbs, capdbs;
	long inflight;
	/* Handlers run on cfg.threads workers, taking complete requests in
	 * arrival order from one queue (http.c); libmicrohttpd's one thread
	 * only reads, authenticates and writes. */
	pthread_mutex_t qlock; /* guards the queue and qstop */
	pthread_cond_t qcond;
	struct pf_req *qhead, *qtail;
	bool qstop;
	pthread_t *workers;
	int nworkers;
	struct pf_notifier *notifier;   /* the outbox delivery thread (notifier.c) */
	struct pf_basecache *basecache; /* merged baseline windows (basecache.h) */
};

/* Start listening; the config is moved into the daemon. */
enum pf_code pf_daemon_start(struct pf_daemon *d, struct pf_config *cfg,
                             struct pf_err *err) PF_MUSTCHECK;
/* Stop accepting; wait up to grace_seconds for the requests in flight,
 * then let the workers answer every queued request; close every
 * connection and database handle. */
void pf_daemon_stop(struct pf_daemon *d, int grace_seconds);

/* ---- handlers ------------------------------------------------------------ */
enum pf_code pf_h_healthz(struct pf_req *, struct pf_reply *, struct pf_err *);
enum pf_code pf_h_readyz(struct pf_req *, struct pf_reply *, struct pf_err *);
enum pf_code pf_h_metrics(struct pf_req *, struct pf_reply *, struct pf_err *);
enum pf_code pf_h_openapi(struct pf_req *, struct pf_reply *, struct pf_err *);
enum pf_code pf_h_project_list(struct pf_req *, struct pf_reply *, struct pf_err *);
enum pf_code pf_h_project_get(struct pf_req *, struct pf_reply *, struct pf_err *);
enum pf_code pf_h_run_upload(struct pf_req *, struct pf_reply *, struct pf_err *);
enum pf_code pf_h_run_get(struct pf_req *, struct pf_reply *, struct pf_err *);
enum pf_code pf_h_run_comment(struct pf_req *, struct pf_reply *, struct pf_err *);
enum pf_code pf_h_run_junit(struct pf_req *, struct pf_reply *, struct pf_err *);
enum pf_code pf_h_run_profile(struct pf_req *, struct pf_reply *, struct pf_err *);
enum pf_code pf_h_run_speedscope(struct pf_req *, struct pf_reply *, struct pf_err *);
enum pf_code pf_h_run_top(struct pf_req *, struct pf_reply *, struct pf_err *);
enum pf_code pf_h_run_promote(struct pf_req *, struct pf_reply *, struct pf_err *);
enum pf_code pf_h_run_feedback(struct pf_req *, struct pf_reply *, struct pf_err *);
enum pf_code pf_h_project_put(struct pf_req *, struct pf_reply *, struct pf_err *);
enum pf_code pf_h_project_runs(struct pf_req *, struct pf_reply *, struct pf_err *);
enum pf_code pf_h_project_baseline(struct pf_req *, struct pf_reply *, struct pf_err *);
enum pf_code pf_h_gate_stats(struct pf_req *, struct pf_reply *, struct pf_err *);
enum pf_code pf_h_project_notifications(struct pf_req *, struct pf_reply *, struct pf_err *);
/* history (h_trend.c, h_grafana.c, h_grafana_query.c) */
enum pf_code pf_h_trend(struct pf_req *, struct pf_reply *, struct pf_err *);
enum pf_code pf_h_grafana_root(struct pf_req *, struct pf_reply *, struct pf_err *);
enum pf_code pf_h_grafana_metrics(struct pf_req *, struct pf_reply *, struct pf_err *);
enum pf_code pf_h_grafana_search(struct pf_req *, struct pf_reply *, struct pf_err *);
enum pf_code pf_h_grafana_payload_options(struct pf_req *, struct pf_reply *, struct pf_err *);
enum pf_code pf_h_grafana_query(struct pf_req *, struct pf_reply *, struct pf_err *);
enum pf_code pf_h_grafana_annotations(struct pf_req *, struct pf_reply *, struct pf_err *);
enum pf_code pf_h_grafana_variable(struct pf_req *, struct pf_reply *, struct pf_err *);
enum pf_code pf_h_grafana_tag_keys(struct pf_req *, struct pf_reply *, struct pf_err *);
enum pf_code pf_h_grafana_tag_values(struct pf_req *, struct pf_reply *, struct pf_err *);

/* Project names: [A-Za-z0-9][A-Za-z0-9._-]{0,63}. */
bool pf_valid_project_name(const char *s);

#endif
