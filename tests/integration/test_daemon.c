/* test_daemon.c: the daemon against a real PostgreSQL and real HTTP:
 * health, readiness, 404/405/413, auth (401/403/revoked), config errors,
 * migrations twice, a database outage with recovery, liveness while the
 * workers are busy, a stop that finishes the queued requests, and a
 * database that hangs instead of refusing. */
#include <check.h>
#include <jansson.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pftest_srv.h"
#include "testutil.h"
#include "pftest_run.h"

static char *db;
static struct pft_daemon d;
static char *tok_read, *tok_admin, *tok_shop, *tok_revoked;

static void setup(void)
{
	db = pft_fresh_db("daemon");
	ck_assert_int_eq(pft_migrate(db), 0);
	tok_read = pft_token(db, "read", NULL);
	tok_admin = pft_token(db, "admin", NULL);
	tok_shop = pft_token(db, "read", "shop");
	tok_revoked = pft_token(db, "read", NULL);
	free(pft_sql(db, "UPDATE tokens SET revoked_at = now() WHERE id = 4"));
	free(pft_sql(db, "INSERT INTO projects (name) VALUES ('shop'), ('other')"));
	ck_assert_int_eq(pft_daemon_start(&d, db, NULL, NULL), 0);
}

static void teardown(void)
{
	pft_daemon_stop(&d);
}

static void get(const char *path, const char *token, struct pft_resp *r)
{
	char url[512];
	snprintf(url, sizeof url, "%s%s", d.base, path);
	pft_http("GET", url, token, NULL, NULL, 0, NULL, r);
}

/* Assert an error body {"error":{"code":code,...}} and the status. */
static void assert_error(struct pft_resp *r, long status, const char *code)
{
	json_error_t je;
	json_t *j = json_loads(r->body, 0, &je);
	ck_assert_msg(j != NULL, "not JSON: %s", r->body);
	ck_assert_int_eq(r->status, status);
	json_t *e = json_object_get(j, "error");
	ck_assert_ptr_nonnull(e);
	ck_assert_str_eq(json_string_value(json_object_get(e, "code")), code);
	ck_assert_ptr_nonnull(json_string_value(json_object_get(e, "message")));
	ck_assert_ptr_nonnull(json_object_get(e, "field"));
	json_decref(j);
}

START_TEST(healthz_and_request_id)
{
	struct pft_resp r;
	get("/healthz", NULL, &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(r.body, "{\"status\":\"ok\"}");
	char *rid = pft_header(&r, "X-Request-Id");
	ck_assert_ptr_nonnull(rid);
	ck_assert_uint_eq(strlen(rid), 16);
	free(rid);
	pft_resp_free(&r);
	/* a sane incoming id is echoed */
	char url[256];
	snprintf(url, sizeof url, "%s/healthz", d.base);
	pft_http("GET", url, NULL, NULL, NULL, 0, "X-Request-Id: ci-run-42", &r);
	rid = pft_header(&r, "X-Request-Id");
	ck_assert_str_eq(rid, "ci-run-42");
	free(rid);
	pft_resp_free(&r);
}
END_TEST

START_TEST(readyz_when_current)
{
	struct pft_resp r;
	get("/readyz", NULL, &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_nonnull(strstr(r.body, "\"ready\""));
	pft_resp_free(&r);
}
END_TEST

START_TEST(not_found_and_method_not_allowed)
{
	struct pft_resp r;
	char url[256], *allow;
	get("/nope", NULL, &r);
	assert_error(&r, 404, "not_found");
	pft_resp_free(&r);
	get("/v1/projects/shop/nothing", tok_admin, &r);
	assert_error(&r, 404, "not_found");
	pft_resp_free(&r);
	snprintf(url, sizeof url, "%s/healthz", d.base);
	pft_http("DELETE", url, NULL, NULL, NULL, 0, NULL, &r);
	assert_error(&r, 405, "method_not_allowed");
	allow = pft_header(&r, "Allow");
	ck_assert_str_eq(allow, "GET");
	free(allow);
	pft_resp_free(&r);
}
END_TEST

/* After a refused request, the daemon still answers. */
static void assert_still_serves(void)
{
	struct pft_resp r;
	get("/healthz", NULL, &r);
	ck_assert_int_eq(r.status, 200);
	pft_resp_free(&r);
}

START_TEST(body_on_bodyless_route_is_413)
{
	struct pft_resp r;
	char url[256];
	snprintf(url, sizeof url, "%s/v1/projects", d.base);
	pft_http("GET", url, tok_admin, "application/json", "{\"x\":1}", 7, NULL, &r);
	assert_error(&r, 413, "too_large");
	pft_resp_free(&r);
	assert_still_serves();
}
END_TEST

START_TEST(auth_rules)
{
	struct pft_resp r;
	char *www;
	get("/v1/projects", NULL, &r);
	assert_error(&r, 401, "unauthorized");
	www = pft_header(&r, "WWW-Authenticate");
	ck_assert_ptr_nonnull(www);
	free(www);
	pft_resp_free(&r);
	get("/v1/projects", "pfg_0000000000000000000000000000000000000000000000000000000000000000",
	    &r);
	assert_error(&r, 401, "unauthorized");
	ck_assert_ptr_nonnull(strstr(r.body, "unknown token"));
	pft_resp_free(&r);
	get("/v1/projects", tok_revoked, &r);
	assert_error(&r, 401, "unauthorized");
	ck_assert_ptr_nonnull(strstr(r.body, "revoked"));
	pft_resp_free(&r);
	get("/v1/projects", tok_read, &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_nonnull(strstr(r.body, "\"shop\""));
	ck_assert_ptr_nonnull(strstr(r.body, "\"other\""));
	pft_resp_free(&r);
	/* project-bound token: its project only */
	get("/v1/projects/shop", tok_shop, &r);
	ck_assert_int_eq(r.status, 200);
	pft_resp_free(&r);
	get("/v1/projects/other", tok_shop, &r);
	assert_error(&r, 403, "forbidden");
	pft_resp_free(&r);
	get("/v1/projects", tok_shop, &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_null(strstr(r.body, "\"other\""));
	pft_resp_free(&r);
	/* hostile names: an encoded slash never leaves the route, a bad
	 * name is refused naming the field */
	get("/v1/projects/..%2f..%2fetc", tok_read, &r);
	assert_error(&r, 404, "not_found");
	pft_resp_free(&r);
	get("/v1/projects/sh%20op", tok_read, &r);
	assert_error(&r, 400, "bad_request");
	ck_assert_ptr_nonnull(strstr(r.body, "\"field\":\"project\""));
	pft_resp_free(&r);
	get("/v1/projects/.hidden", tok_read, &r);
	assert_error(&r, 400, "bad_request");
	pft_resp_free(&r);
	get("/v1/projects/missing", tok_read, &r);
	assert_error(&r, 404, "not_found");
	pft_resp_free(&r);
}
END_TEST

/* The token as HTTP Basic credentials: what `go tool pprof
 * http://x:TOKEN@host/...` and `curl -u` send (libcurl turns the URL's
 * user:password into the header, as Go's client does). */
static void get_userinfo(const char *userinfo, const char *path, struct pft_resp *r)
{
	char url[1024];
	snprintf(url, sizeof url, "http://%s@%s%s", userinfo, d.base + strlen("http://"), path);
	pft_http("GET", url, NULL, NULL, NULL, 0, NULL, r);
}

static void get_basic(const char *b64, const char *path, struct pft_resp *r)
{
	char url[512], h[1024];
	snprintf(url, sizeof url, "%s%s", d.base, path);
	snprintf(h, sizeof h, "Authorization: Basic %s", b64);
	pft_http("GET", url, NULL, NULL, NULL, 0, h, r);
}

START_TEST(basic_credentials)
{
	struct pft_resp r;
	char ui[512];
	/* the token as password, or as user with an empty password */
	snprintf(ui, sizeof ui, "x:%s", tok_read);
	get_userinfo(ui, "/v1/projects", &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_nonnull(strstr(r.body, "\"shop\""));
	pft_resp_free(&r);
	snprintf(ui, sizeof ui, "%s:", tok_read);
	get_userinfo(ui, "/v1/projects", &r);
	ck_assert_int_eq(r.status, 200);
	pft_resp_free(&r);
	/* the same rules as a bearer token */
	snprintf(ui, sizeof ui, "x:%s", tok_shop);
	get_userinfo(ui, "/v1/projects/other", &r);
	assert_error(&r, 403, "forbidden");
	pft_resp_free(&r);
	snprintf(ui, sizeof ui, "x:%s", tok_read);
	get_userinfo(ui, "/v1/projects/shop/notifications", &r);
	assert_error(&r, 403, "forbidden");
	pft_resp_free(&r);
	get_userinfo("x:pfg_0000", "/v1/projects", &r);
	assert_error(&r, 401, "unauthorized");
	ck_assert_ptr_nonnull(strstr(r.body, "unknown token"));
	pft_resp_free(&r);
	snprintf(ui, sizeof ui, "x:%s", tok_revoked);
	get_userinfo(ui, "/v1/projects", &r);
	assert_error(&r, 401, "unauthorized");
	ck_assert_ptr_nonnull(strstr(r.body, "revoked"));
	pft_resp_free(&r);
	/* malformed: not base64, truncated, no colon ("pfg", "pfg_x"), empty
	 * token (":"), a NUL inside ("a\0:b"), longer than a token */
	static const char *const bad[][2] = {
	        {"!!!!", "base64 of user:token"}, {"cGZnX3g", "base64 of user:token"},
	        {"cGZn", "user:token expected"},  {"cGZnX3g=", "user:token expected"},
	        {"Og==", "malformed token"},      {"YQBiOmM=", "user:token expected"},
	        {"", "base64 of user:token"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		get_basic(bad[i][0], "/v1/projects", &r);
		assert_error(&r, 401, "unauthorized");
		ck_assert_ptr_nonnull(strstr(r.body, "\"field\":\"Authorization\""));
		ck_assert_msg(strstr(r.body, bad[i][1]), "'%s': %s", bad[i][0], r.body);
		pft_resp_free(&r);
	}
	char big[1200];
	memset(big, 'A', 1000);
	big[1000] = '\0';
	get_basic(big, "/v1/projects", &r);
	assert_error(&r, 401, "unauthorized");
	ck_assert_ptr_nonnull(strstr(r.body, "base64 of user:token"));
	pft_resp_free(&r);
	assert_still_serves();
}
END_TEST

START_TEST(metrics_count_requests)
{
	struct pft_resp r;
	get("/healthz", NULL, &r);
	pft_resp_free(&r);
	get("/metrics", NULL, &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_nonnull(
	        strstr(r.body, "perfgate_http_requests_total{method=\"GET\",route=\"/healthz\","
	                       "status=\"200\"}"));
	ck_assert_ptr_nonnull(strstr(r.body, "perfgate_http_request_duration_seconds_bucket"));
	ck_assert_ptr_nonnull(strstr(r.body, "perfgate_db_errors_total"));
	pft_resp_free(&r);
}
END_TEST

START_TEST(migrate_twice_is_noop)
{
	char *n1, *n2;
	n1 = pft_sql(db, "SELECT count(*) FROM schema_migrations");
	ck_assert_int_eq(pft_migrate(db), 0);
	ck_assert_int_eq(pft_migrate(db), 0);
	n2 = pft_sql(db, "SELECT count(*) FROM schema_migrations");
	ck_assert_str_eq(n1, n2);
	ck_assert_str_ne(n1, "0");
	free(n1);
	free(n2);
}
END_TEST

START_TEST(concurrent_migrations_serialize)
{
	char *fresh = pft_fresh_db("daemon_mig");
	pid_t kids[4];
	for (int i = 0; i < 4; i++) {
		kids[i] = fork();
		if (kids[i] == 0)
			_exit(pft_migrate(fresh));
	}
	for (int i = 0; i < 4; i++) {
		int st;
		waitpid(kids[i], &st, 0);
		ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	char *n = pft_sql(fresh, "SELECT count(*) = (SELECT max(version) FROM schema_migrations)"
	                         " FROM schema_migrations");
	ck_assert_str_eq(n, "t");
	free(n);
	free(fresh);
}
END_TEST

START_TEST(schema_behind_and_ahead)
{
	struct pft_daemon d2;
	struct pft_resp r;
	char url[256];
	int st = 0;
	char *fresh = pft_fresh_db("daemon_schema");
	/* empty database: the daemon serves, /readyz says why it is not ready */
	ck_assert_int_eq(pft_daemon_start(&d2, fresh, NULL, NULL), 0);
	snprintf(url, sizeof url, "%s/readyz", d2.base);
	pft_http("GET", url, NULL, NULL, NULL, 0, NULL, &r);
	assert_error(&r, 503, "schema_mismatch");
	ck_assert_ptr_nonnull(strstr(r.body, "perfgate migrate"));
	pft_resp_free(&r);
	ck_assert_int_eq(pft_daemon_stop(&d2), 0);
	/* a schema newer than the binary: refuse to start */
	ck_assert_int_eq(pft_migrate(fresh), 0);
	free(pft_sql(fresh, "INSERT INTO schema_migrations VALUES (9999, '9999_future.sql')"));
	ck_assert_int_eq(pft_daemon_start(&d2, fresh, NULL, &st), -1);
	ck_assert_int_eq(st, 1);
	ck_assert_int_ne(pft_migrate(fresh), 0);
	free(fresh);
}
END_TEST

/* A statement the schema cannot run is not silent: /readyz says which,
 * and perfgate migrate fails naming it. */
START_TEST(broken_statement_not_ready)
{
	struct pft_daemon d2;
	struct pft_resp r;
	char url[256];
	char *fresh = pft_fresh_db("daemon_broken");
	ck_assert_int_eq(pft_migrate(fresh), 0);
	free(pft_sql(fresh, "ALTER TABLE feedback RENAME COLUMN note TO remark"));
	ck_assert_int_ne(pft_migrate(fresh), 0);
	ck_assert_int_eq(pft_daemon_start(&d2, fresh, NULL, NULL), 0);
	snprintf(url, sizeof url, "%s/readyz", d2.base);
	pft_http("GET", url, NULL, NULL, NULL, 0, NULL, &r);
	assert_error(&r, 503, "schema_mismatch");
	ck_assert_ptr_nonnull(strstr(r.body, "feedback_insert"));
	pft_resp_free(&r);
	ck_assert_int_eq(pft_daemon_stop(&d2), 0);
	free(fresh);
}
END_TEST

START_TEST(config_errors_stop_startup)
{
	struct pft_daemon d2;
	int st = 0;
	const char *bad_threads[] = {"PERFGATE_THREADS=lots", NULL};
	const char *auth_off_public[] = {"PERFGATE_AUTH=off", "PERFGATE_LISTEN=0.0.0.0:0", NULL};
	ck_assert_int_eq(pft_daemon_start(&d2, db, bad_threads, &st), -1);
	ck_assert_int_eq(st, 1);
	/* the message names the key and the value */
	char *log = (char *)pf_test_read_file(d2.log, NULL);
	ck_assert_ptr_nonnull(strstr(log, "PERFGATE_THREADS"));
	ck_assert_ptr_nonnull(strstr(log, "'lots'"));
	free(log);
	ck_assert_int_eq(pft_daemon_start(&d2, db, auth_off_public, &st), -1);
	ck_assert_int_eq(st, 1);
	log = (char *)pf_test_read_file(d2.log, NULL);
	ck_assert_ptr_nonnull(strstr(log, "PERFGATE_AUTH=off is only accepted on a loopback"));
	free(log);
	/* unknown key in the file */
	char *conf = pf_test_write_temp("PERFGATE_LISTN=127.0.0.1:1\n", 27, ".conf");
	char cmd[512];
	snprintf(cmd, sizeof cmd, "PERFGATE_CONFIG=%s %s check-config 2>&1", conf, pf_test_bin());
	char *out = pf_test_run(cmd, &st);
	ck_assert_int_eq(st, 1);
	ck_assert_ptr_nonnull(strstr(out, "unknown configuration key 'PERFGATE_LISTN'"));
	free(out);
	unlink(conf);
	free(conf);
}
END_TEST

START_TEST(auth_off_on_loopback)
{
	struct pft_daemon d2;
	struct pft_resp r;
	char url[256];
	const char *env[] = {"PERFGATE_AUTH=off", NULL};
	ck_assert_int_eq(pft_daemon_start(&d2, db, env, NULL), 0);
	snprintf(url, sizeof url, "%s/v1/projects/shop", d2.base);
	pft_http("GET", url, NULL, NULL, NULL, 0, NULL, &r);
	ck_assert_int_eq(r.status, 200);
	pft_resp_free(&r);
	pft_daemon_stop(&d2);
}
END_TEST

/* Stop PostgreSQL under the running daemon: /readyz and API calls answer
 * 503 with Retry-After; start it again: 200 without restarting the daemon. */
START_TEST(database_outage_and_recovery)
{
	const char *pgctl = getenv("PERFGATE_TEST_PGCTL");
	const char *pgdir = getenv("PERFGATE_TEST_PGDIR");
	char cmd[1024], *ra;
	int st;
	struct pft_resp r;

	ck_assert_ptr_nonnull(pgctl);
	ck_assert_ptr_nonnull(pgdir);
	/* warm every worker's connection first */
	for (int i = 0; i < 8; i++) {
		get("/v1/projects", tok_read, &r);
		ck_assert_int_eq(r.status, 200);
		pft_resp_free(&r);
	}
	snprintf(cmd, sizeof cmd, "%s stop %s 2>&1", pgctl, pgdir);
	free(pf_test_run(cmd, &st));
	ck_assert_int_eq(st, 0);

	for (int i = 0; i < 3; i++) {
		get("/readyz", NULL, &r);
		assert_error(&r, 503, "database_unavailable");
		ra = pft_header(&r, "Retry-After");
		ck_assert_ptr_nonnull(ra);
		free(ra);
		pft_resp_free(&r);
		get("/v1/projects", tok_read, &r);
		assert_error(&r, 503, "database_unavailable");
		ra = pft_header(&r, "Retry-After");
		ck_assert_ptr_nonnull(ra);
		free(ra);
		pft_resp_free(&r);
	}
	get("/healthz", NULL, &r);
	ck_assert_int_eq(r.status, 200);
	pft_resp_free(&r);

	snprintf(cmd, sizeof cmd, "%s start %s 2>&1", pgctl, pgdir);
	free(pf_test_run(cmd, &st));
	ck_assert_int_eq(st, 0);
	for (int i = 0; i < 8; i++) {
		get("/readyz", NULL, &r);
		ck_assert_int_eq(r.status, 200);
		pft_resp_free(&r);
		get("/v1/projects", tok_read, &r);
		ck_assert_int_eq(r.status, 200);
		pft_resp_free(&r);
	}
	get("/metrics", NULL, &r);
	ck_assert_ptr_null(strstr(r.body, "perfgate_db_errors_total 0\n"));
	pft_resp_free(&r);
}
END_TEST

/* A request made on its own thread: GET url, or (fields set) an upload
 * to project shop of daemon base. */
struct blocked_get {
	const char *url, *token;
	const char *base;
	const char *const *fields;
	struct pft_resp r;
	volatile int done;
};

static void *blocked_get_main(void *arg)
{
	struct blocked_get *b = arg;
	if (b->fields)
		pft_upload(b->base, "shop", b->token, b->fields, NULL, NULL, &b->r);
	else
		pft_http("GET", b->url, b->token, NULL, NULL, 0, NULL, &b->r);
	__atomic_store_n(&b->done, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

/* Poll psql until SQL prints "1" (up to 30 s); returns whether it did. */
static int wait_for(const char *sql)
{
	for (int i = 0; i < 300; i++) {
		char *v = pft_sql(db, sql);
		int yes = strcmp(v, "1") == 0;
		free(v);
		if (yes)
			return 1;
		usleep(100 * 1000);
	}
	return 0;
}

/* Hold an exclusive lock on projects in a psql session (returned) until
 * unlock_projects; returns once the lock is granted. */
static FILE *lock_projects(void)
{
	char cmd[1024];
	snprintf(cmd, sizeof cmd, "psql -X -q '%s' >/dev/null 2>&1", db);
	FILE *holder = popen(cmd, "w");
	ck_assert_ptr_nonnull(holder);
	fputs("BEGIN; LOCK TABLE projects IN ACCESS EXCLUSIVE MODE;\n", holder);
	fflush(holder);
	ck_assert(wait_for("SELECT (count(*) > 0)::int FROM pg_locks WHERE relation = "
	                   "'projects'::regclass AND mode = 'AccessExclusiveLock' AND granted"));
	return holder;
}

static void unlock_projects(FILE *holder)
{
	fputs("COMMIT;\n", holder);
	ck_assert_int_eq(pclose(holder), 0);
}

/* Start b on its own thread and return once it waits for the lock on
 * projects (a worker stuck in the database). */
static void start_stuck(struct blocked_get *b, pthread_t *th)
{
	ck_assert_int_eq(pthread_create(th, NULL, blocked_get_main, b), 0);
	ck_assert_msg(wait_for("SELECT (count(*) > 0)::int FROM pg_locks WHERE relation = "
	                       "'projects'::regclass AND NOT granted"),
	              "the request did not wait for the lock (done %d, status %ld)", b->done,
	              b->r.status);
}

/* Poll base's /metrics until it shows n queued requests (up to 30 s). */
static bool wait_queued(const char *base, int n)
{
	char url[256], want[64];
	struct pft_resp r;
	snprintf(url, sizeof url, "%s/metrics", base);
	snprintf(want, sizeof want, "\nperfgate_queued_requests %d\n", n);
	for (int i = 0; i < 300; i++) {
		pft_http("GET", url, NULL, NULL, NULL, 0, NULL, &r);
		bool yes = r.body && strstr(r.body, want);
		pft_resp_free(&r);
		if (yes)
			return true;
		usleep(100 * 1000);
	}
	return false;
}

/* With its one worker stuck on a database lock, the daemon still answers
 * the routes that need no database (liveness, metrics) at once; /metrics
 * shows a second request waiting in the queue; both complete when the
 * lock goes. */
START_TEST(busy_worker_does_not_block_liveness)
{
	const char *env[] = {"PERFGATE_THREADS=1", NULL};
	struct pft_daemon d2;
	struct blocked_get b, q;
	struct pft_resp r;
	char url[256], cmd[1024], murl[256];
	pthread_t th, th2;

	ck_assert_int_eq(pft_daemon_start(&d2, db, env, NULL), 0);
	/* no request yet: the token check connects while the lock is held
	 * (it prepares the token statements alone, so it does not wait); the
	 * worker's connection prepares everything and waits */
	snprintf(url, sizeof url, "%s/v1/projects", d2.base);
	FILE *holder = lock_projects();
	memset(&b, 0, sizeof b);
	b.url = url;
	b.token = tok_read;
	start_stuck(&b, &th);
	/* a second request waits in the queue behind it */
	memset(&q, 0, sizeof q);
	q.url = url;
	q.token = tok_read;
	ck_assert_int_eq(pthread_create(&th2, NULL, blocked_get_main, &q), 0);
	snprintf(murl, sizeof murl, "%s/metrics", d2.base);
	ck_assert_msg(wait_queued(d2.base, 1), "/metrics never showed the queued request");
	/* the worker waits for the lock; libmicrohttpd's thread answers */
	for (int i = 0; i < 3; i++) {
		snprintf(cmd, sizeof cmd, "%s/healthz", d2.base);
		pft_http("GET", cmd, NULL, NULL, NULL, 0, NULL, &r);
		ck_assert_int_eq(r.status, 200);
		pft_resp_free(&r);
		pft_http("GET", murl, NULL, NULL, NULL, 0, NULL, &r);
		ck_assert_int_eq(r.status, 200);
		ck_assert_ptr_nonnull(strstr(r.body, "perfgate_http_requests_total"));
		pft_resp_free(&r);
	}
	ck_assert_int_eq(__atomic_load_n(&b.done, __ATOMIC_SEQ_CST), 0);
	ck_assert_int_eq(__atomic_load_n(&q.done, __ATOMIC_SEQ_CST), 0);
	unlock_projects(holder);
	pthread_join(th, NULL);
	pthread_join(th2, NULL);
	ck_assert_int_eq(b.r.status, 200);
	ck_assert_ptr_nonnull(strstr(b.r.body, "shop"));
	ck_assert_int_eq(q.r.status, 200);
	pft_resp_free(&b.r);
	pft_resp_free(&q.r);
	/* the queue is empty again; two requests went through it */
	pft_http("GET", murl, NULL, NULL, NULL, 0, NULL, &r);
	ck_assert_ptr_nonnull(strstr(r.body, "\nperfgate_queued_requests 0\n"));
	ck_assert_ptr_nonnull(strstr(r.body, "\nperfgate_queue_wait_seconds_count 2\n"));
	pft_resp_free(&r);
	ck_assert_int_eq(pft_daemon_stop(&d2), 0);
}
END_TEST

/* SIGTERM with an upload waiting in the queue behind a stuck worker: the
 * daemon stops accepting, finishes both requests (the upload is stored:
 * a deploy loses no run) and exits 0. */
START_TEST(sigterm_finishes_the_queue)
{
	const char *env[] = {"PERFGATE_THREADS=1", NULL};
	struct pft_daemon d2;
	struct blocked_get b, q;
	struct pft_resp r;
	char url[256], f1[700], f2[700];
	pthread_t th, th2;

	ck_assert_int_eq(pft_daemon_start(&d2, db, env, NULL), 0);
	snprintf(url, sizeof url, "%s/v1/projects", d2.base);
	pft_http("GET", url, tok_read, NULL, NULL, 0, NULL, &r);
	ck_assert_int_eq(r.status, 200);
	pft_resp_free(&r);
	char *runs0 = pft_sql(db, "SELECT count(*) FROM runs");
	FILE *holder = lock_projects();
	memset(&b, 0, sizeof b);
	b.url = url;
	b.token = tok_read;
	start_stuck(&b, &th);
	char *cpu = pf_test_fixture_path("cpu_base.pb.gz");
	char *bench = pf_test_fixture_path("bench_base.txt");
	snprintf(f1, sizeof f1, "cpu=@%s", cpu);
	snprintf(f2, sizeof f2, "bench=@%s", bench);
	free(cpu);
	free(bench);
	const char *fields[] = {f1, f2, "branch=main", NULL};
	memset(&q, 0, sizeof q);
	q.base = d2.base;
	q.token = tok_admin;
	q.fields = fields;
	ck_assert_int_eq(pthread_create(&th2, NULL, blocked_get_main, &q), 0);
	ck_assert(wait_queued(d2.base, 1));

	kill(d2.pid, SIGTERM);
	bool told = false;
	for (int i = 0; i < 300 && !told; i++) {
		char *log = (char *)pf_test_read_file(d2.log, NULL);
		told = log && strstr(log, "SIGTERM received");
		free(log);
		if (!told)
			usleep(50 * 1000);
	}
	ck_assert(told);
	/* a new connection is refused now; the two taken are served */
	pft_http("GET", url, tok_read, NULL, NULL, 0, NULL, &r);
	ck_assert_int_eq(r.status, 0);
	pft_resp_free(&r);
	ck_assert_int_eq(__atomic_load_n(&q.done, __ATOMIC_SEQ_CST), 0);
	unlock_projects(holder);
	pthread_join(th, NULL);
	pthread_join(th2, NULL);
	ck_assert_int_eq(b.r.status, 200);
	ck_assert_msg(q.r.status == 201, "upload: %ld %s", q.r.status, q.r.body);
	pft_resp_free(&b.r);
	pft_resp_free(&q.r);
	char *runs1 = pft_sql(db, "SELECT count(*) FROM runs");
	ck_assert_int_eq(atoi(runs1), atoi(runs0) + 1);
	free(runs0);
	free(runs1);
	ck_assert_int_eq(pft_daemon_stop(&d2), 0);
	char *log = (char *)pf_test_read_file(d2.log, NULL);
	ck_assert_ptr_nonnull(strstr(log, "stopped"));
	free(log);
}
END_TEST

static double mono(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* A database host that takes TCP connections and never answers (a hung
 * server, a partition that does not refuse): the first token check waits
 * out libpq's connect_timeout (5 s) and answers 503; for a while after,
 * token checks answer 503 at once instead of holding libmicrohttpd's
 * thread 5 s each; /healthz answers all along. */
START_TEST(hung_database_fails_fast)
{
	struct sockaddr_in a;
	socklen_t al = sizeof a;
	struct pft_daemon d2;
	struct pft_resp r;
	char ci[160], url[256];

	int s = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_ge(s, 0);
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(s, (struct sockaddr *)&a, sizeof a), 0);
	ck_assert_int_eq(listen(s, 64), 0); /* never accepted: the kernel keeps them */
	ck_assert_int_eq(getsockname(s, (struct sockaddr *)&a, &al), 0);
	snprintf(ci, sizeof ci, "host=127.0.0.1 port=%d dbname=perfgate user=perfgate",
	         ntohs(a.sin_port));
	ck_assert_int_eq(pft_daemon_start(&d2, ci, NULL, NULL), 0);
	snprintf(url, sizeof url, "%s/v1/projects", d2.base);
	double t0 = mono();
	pft_http("GET", url, tok_read, NULL, NULL, 0, NULL, &r);
	double first = mono() - t0;
	assert_error(&r, 503, "database_unavailable");
	pft_resp_free(&r);
	ck_assert_msg(first >= 4.0, "the first check did not wait for the server (%.1f s)", first);
	t0 = mono();
	pft_http("GET", url, tok_read, NULL, NULL, 0, NULL, &r);
	double second = mono() - t0;
	assert_error(&r, 503, "database_unavailable");
	ck_assert_ptr_nonnull(strstr(r.body, "timed out"));
	pft_resp_free(&r);
	ck_assert_msg(second < 2.5, "the second check waited %.1f s", second);
	snprintf(url, sizeof url, "%s/healthz", d2.base);
	pft_http("GET", url, NULL, NULL, NULL, 0, NULL, &r);
	ck_assert_int_eq(r.status, 200);
	pft_resp_free(&r);
	ck_assert_int_eq(pft_daemon_stop(&d2), 0);
	close(s);
}
END_TEST

/* SIGTERM: the daemon finishes, closes its connections and exits 0 (under
 * the sanitizers a leak would make that exit status non-zero). */
START_TEST(clean_shutdown)
{
	struct pft_daemon d2;
	struct pft_resp r;
	char url[256];
	ck_assert_int_eq(pft_daemon_start(&d2, db, NULL, NULL), 0);
	for (int i = 0; i < 4; i++) {
		snprintf(url, sizeof url, "%s/v1/projects", d2.base);
		pft_http("GET", url, tok_read, NULL, NULL, 0, NULL, &r);
		ck_assert_int_eq(r.status, 200);
		pft_resp_free(&r);
	}
	ck_assert_int_eq(pft_daemon_stop(&d2), 0);
	char *log = (char *)pf_test_read_file(d2.log, NULL);
	ck_assert_ptr_nonnull(strstr(log, "SIGTERM received"));
	ck_assert_ptr_nonnull(strstr(log, "stopped"));
	free(log);
}
END_TEST

static Suite *daemon_suite(void)
{
	Suite *s = suite_create("daemon");
	TCase *tc = tcase_create("http");
	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, healthz_and_request_id);
	tcase_add_test(tc, readyz_when_current);
	tcase_add_test(tc, not_found_and_method_not_allowed);
	tcase_add_test(tc, body_on_bodyless_route_is_413);
	tcase_add_test(tc, auth_rules);
	tcase_add_test(tc, basic_credentials);
	tcase_add_test(tc, metrics_count_requests);
	tcase_add_test(tc, migrate_twice_is_noop);
	tcase_add_test(tc, concurrent_migrations_serialize);
	tcase_add_test(tc, schema_behind_and_ahead);
	tcase_add_test(tc, broken_statement_not_ready);
	tcase_add_test(tc, config_errors_stop_startup);
	tcase_add_test(tc, auth_off_on_loopback);
	tcase_add_test(tc, database_outage_and_recovery);
	tcase_add_test(tc, clean_shutdown);
	tcase_add_test(tc, busy_worker_does_not_block_liveness);
	tcase_add_test(tc, sigterm_finishes_the_queue);
	tcase_add_test(tc, hung_database_fails_fast);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return pft_run_suite(daemon_suite());
}
