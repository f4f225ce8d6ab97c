/* test_notify.c: notifications end to end (issue 8): real daemons, the
 * throwaway PostgreSQL, and a loopback receiver playing Slack and the
 * GitHub REST API (pftest_recv.h). Payloads and headers field by field
 * against spec/notifications.md; the sticky PR comment over three uploads;
 * the label added and removed; the gate issue opened, commented, closed;
 * two daemons without duplicates; receiver down then up; always 500;
 * 429 with Retry-After; SIGKILL with a claimed row. */
#include <check.h>
#include <curl/curl.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "pftest_recv.h"
#include "pftest_srv.h"
#include "testutil.h"
#include "pftest_run.h"

static char *db, *tok_up, *tok_admin, *tok_read;
static char cpu_base[600], cpu_cand[600];

static void setup(void)
{
	curl_global_init(CURL_GLOBAL_ALL);
	db = pft_fresh_db("notify");
	ck_assert_int_eq(pft_migrate(db), 0);
	tok_up = pft_token(db, "upload", NULL);
	tok_admin = pft_token(db, "admin", NULL);
	tok_read = pft_token(db, "read", NULL);
	char *p = pf_test_fixture_path("cpu_base.pb.gz");
	snprintf(cpu_base, sizeof cpu_base, "cpu=@%s", p);
	free(p);
	p = pf_test_fixture_path("cpu_cand.pb.gz");
	snprintf(cpu_cand, sizeof cpu_cand, "cpu=@%s", p);
	free(p);
}

static void teardown(void)
{
}

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* A daemon pointed at the receiver, with short retry settings. */
static void start(struct pft_daemon *d, struct pft_recv *r, int max_attempts, int lease_s)
{
	char slack[128], api[128], att[64], lease[64];
	snprintf(slack, sizeof slack, "PERFGATE_SLACK_WEBHOOK_URL=%s/slack/T0/B0/secret",
	         pft_recv_base(r));
	snprintf(api, sizeof api, "PERFGATE_GITHUB_API_URL=%s/gh", pft_recv_base(r));
	snprintf(att, sizeof att, "PERFGATE_NOTIFY_MAX_ATTEMPTS=%d", max_attempts);
	snprintf(lease, sizeof lease, "PERFGATE_NOTIFY_LEASE_S=%d", lease_s);
	const char *env[] = {slack,
	                     api,
	                     att,
	                     lease,
	                     "PERFGATE_GITHUB_TOKEN=ghp_testtoken",
	                     "PERFGATE_NOTIFY_BACKOFF_MS=100",
	                     "PERFGATE_NOTIFY_POLL_MS=50",
	                     "PERFGATE_NOTIFY_TIMEOUT_S=2",
	                     "PERFGATE_PUBLIC_URL=https://perf.example",
	                     NULL};
	ck_assert_int_eq(pft_daemon_start(d, db, env, NULL), 0);
}

static void settings(const struct pft_daemon *d, const char *project, const char *json)
{
	struct pft_resp r;
	char url[256];
	snprintf(url, sizeof url, "%s/v1/projects/%s", d->base, project);
	pft_http("PUT", url, tok_admin, "application/json", json, strlen(json), NULL, &r);
	ck_assert_msg(r.status == 200, "PUT settings: %ld %s", r.status, r.body);
	pft_resp_free(&r);
}

/* Upload cpu (base or cand) to project/branch; pr 0 = none. Returns the
 * run id; *secs the time the upload took. */
static long long upload(const struct pft_daemon *d, const char *project, const char *branch,
                        bool cand, int pr, const char *commit, double *secs)
{
	struct pft_resp r;
	char b[300], p[64], c[128];
	snprintf(b, sizeof b, "branch=%s", branch);
	snprintf(p, sizeof p, "pr=%d", pr);
	snprintf(c, sizeof c, "commit=%s", commit);
	const char *fields[] = {cand ? cpu_cand : cpu_base,
	                        b,
	                        c,
	                        "AI_GATE_ENABLE=true",
	                        "AI_GATE_MODE_RATING=off",
	                        pr > 0 ? p : NULL,
	                        NULL};
	double t0 = now_s();
	pft_upload(d->base, project, tok_up, fields, NULL, NULL, &r);
	if (secs)
		*secs = now_s() - t0;
	ck_assert_msg(r.status == 201, "upload: %ld %s", r.status, r.body);
	json_error_t je;
	json_t *j = json_loads(r.body, 0, &je);
	long long id = json_integer_value(json_object_get(j, "run_id"));
	const char *v = json_string_value(json_object_get(j, "verdict"));
	ck_assert_str_eq(v, cand ? "fail" : "pass");
	json_decref(j);
	pft_resp_free(&r);
	return id;
}

/* Wait until every outbox event of project is delivered or failed. */
static void settle(const char *project, int timeout_ms)
{
	char sql[300];
	snprintf(sql, sizeof sql,
	         "SELECT count(*) FROM outbox o JOIN projects p ON p.id = o.project_id"
	         " WHERE p.name = '%s' AND o.state IN ('pending', 'sending')",
	         project);
	for (int waited = 0;; waited += 100) {
		char *n = pft_sql(db, sql);
		bool done = strcmp(n, "0") == 0;
		free(n);
		if (done)
			return;
		ck_assert_msg(waited < timeout_ms, "outbox of %s not settled", project);
		usleep(100 * 1000);
	}
}

static char *sql1(const char *fmt, const char *project)
{
	char sql[600];
	snprintf(sql, sizeof sql, fmt, project);
	return pft_sql(db, sql);
}

static void assert_github_headers(const struct pft_recv_req *q)
{
	char *h = pft_recv_header(q, "authorization");
	ck_assert_str_eq(h, "Bearer ghp_testtoken");
	free(h);
	h = pft_recv_header(q, "accept");
	ck_assert_str_eq(h, "application/vnd.github+json");
	free(h);
	h = pft_recv_header(q, "x-github-api-version");
	ck_assert_str_eq(h, "2022-11-28");
	free(h);
	h = pft_recv_header(q, "user-agent");
	ck_assert_str_eq(h, "perfgate-notifier");
	free(h);
}

static json_t *body_of(const struct pft_recv_req *q)
{
	json_error_t je;
	json_t *j = json_loads(q->body, 0, &je);
	ck_assert_msg(j != NULL, "not JSON: %.200s", q->body);
	return j;
}

static const char *block_text(const json_t *msg, size_t i)
{
	return json_string_value(json_object_get(
	        json_object_get(json_array_get(json_object_get(msg, "blocks"), i), "text"),
	        "text"));
}

START_TEST(slack_message_fields)
{
	struct pft_recv *r = pft_recv_start();
	struct pft_daemon d;
	start(&d, r, 4, 30);
	upload(&d, "n1", "main", false, 0, "aaa111", NULL);
	long long id = upload(&d, "n1", "feat/x<y>", true, 0, "bbb2222222222222", NULL);
	ck_assert(pft_recv_wait_ok(r, "POST", "/slack/", 1, 10000));
	struct pft_recv_req q;
	ck_assert(pft_recv_nth(r, "POST", "/slack/T0/B0/secret", 0, &q));
	char *ct = pft_recv_header(&q, "content-type");
	ck_assert_str_eq(ct, "application/json");
	free(ct);
	json_t *m = body_of(&q);
	/* text: the fallback, escaped mrkdwn */
	const char *text = json_string_value(json_object_get(m, "text"));
	ck_assert_ptr_nonnull(text);
	ck_assert_ptr_nonnull(strstr(text, "perfgate FAIL: n1/feat/x&lt;y&gt; @ bbb222222222"));
	json_t *blocks = json_object_get(m, "blocks");
	ck_assert_int_ge(json_array_size(blocks), 4);
	ck_assert_int_le(json_array_size(blocks), 50);
	/* header: plain_text */
	json_t *h = json_array_get(blocks, 0);
	ck_assert_str_eq(json_string_value(json_object_get(h, "type")), "header");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(h, "text"), "type")),
	                 "plain_text");
	ck_assert_str_eq(block_text(m, 0), "Perf gate: FAIL — n1/feat/x<y>");
	/* fields: project, branch, commit, verdict */
	json_t *f = json_object_get(json_array_get(blocks, 1), "fields");
	ck_assert_int_eq(json_array_size(f), 4);
	const char *want[4] = {"*Project*\nn1", "*Branch*\n`feat/x&lt;y&gt;`",
	                       "*Commit*\n`bbb222222222`", "*Verdict*\nFAIL"};
	for (size_t i = 0; i < 4; i++) {
		json_t *fi = json_array_get(f, i);
		ck_assert_str_eq(json_string_value(json_object_get(fi, "type")), "mrkdwn");
		ck_assert_str_eq(json_string_value(json_object_get(fi, "text")), want[i]);
	}
	/* reasons, top regressions, link */
	ck_assert_ptr_nonnull(strstr(block_text(m, 2), "*Reasons*\n• CPU hotspot regression: "));
	ck_assert_ptr_nonnull(strstr(block_text(m, 3), "*Top regressions*\n• `"));
	ck_assert_ptr_nonnull(strstr(block_text(m, 3), "% regression)`"));
	char *hot = pft_ref_cpu_hotspot();
	ck_assert_msg(hot && strstr(block_text(m, 3), hot), "%s not among %s", hot,
	              block_text(m, 3));
	free(hot);
	json_t *ctx = json_array_get(blocks, 4);
	ck_assert_str_eq(json_string_value(json_object_get(ctx, "type")), "context");
	char link[200];
	snprintf(link, sizeof link, "<https://perf.example/v1/runs/%lld|Run #%lld>", id, id);
	const char *lt = json_string_value(
	        json_object_get(json_array_get(json_object_get(ctx, "elements"), 0), "text"));
	ck_assert_ptr_nonnull(strstr(lt, link));
	for (size_t i = 0; i < json_array_size(blocks); i++)
		if (json_object_get(json_array_get(blocks, i), "text"))
			ck_assert_int_le(strlen(block_text(m, i)), 3000);
	json_decref(m);
	pft_recv_req_free(&q);
	/* a pass sends nothing; the webhook URL never reaches the log */
	settle("n1", 5000);
	ck_assert_int_eq(pft_recv_count(r, "POST", "/slack/"), 1);
	char *log = (char *)pf_test_read_file(d.log, NULL);
	ck_assert_ptr_null(strstr(log, "secret"));
	free(log);
	pft_daemon_stop(&d);
	pft_recv_stop(r);
}
END_TEST

START_TEST(pr_comment_label_three_uploads)
{
	struct pft_recv *r = pft_recv_start();
	struct pft_daemon d;
	start(&d, r, 4, 30);
	settings(&d, "n2",
	         "{\"notifications\":{\"github_repository\":\"acme/shop\","
	         "\"slack_webhook_url\":\"\"}}");
	/* 120 comments by others: the marker search pages through Link */
	for (int i = 0; i < 120; i++)
		pft_recv_gh_add_comment(r, 7, "LGTM");
	upload(&d, "n2", "main", false, 0, "c0", NULL);
	upload(&d, "n2", "feat", true, 7, "c1", NULL);
	settle("n2", 10000);
	ck_assert_int_eq(pft_recv_count(r, "GET", "/gh/repos/acme/shop/issues/7/comments"), 2);
	ck_assert_int_eq(pft_recv_count(r, "POST", "/gh/repos/acme/shop/issues/7/comments"), 1);
	ck_assert(pft_recv_gh_has_label(r, 7, "performance-regression"));
	struct pft_recv_req q;
	ck_assert(pft_recv_nth(r, "POST", "/gh/repos/acme/shop/issues/7/comments", 0, &q));
	assert_github_headers(&q);
	json_t *b = body_of(&q);
	const char *body = json_string_value(json_object_get(b, "body"));
	ck_assert_ptr_nonnull(strstr(body, "<!-- perfgate:n2/feat -->"));
	ck_assert_int_le(strlen(body), 65536);
	json_decref(b);
	pft_recv_req_free(&q);
	ck_assert(pft_recv_nth(r, "POST", "/gh/repos/acme/shop/issues/7/labels", 0, &q));
	assert_github_headers(&q);
	char *ct = pft_recv_header(&q, "content-type");
	ck_assert_str_eq(ct, "application/json");
	free(ct);
	ck_assert_str_eq(q.body, "{\"labels\":[\"performance-regression\"]}");
	pft_recv_req_free(&q);

	/* second upload: the same comment, patched in place by its id */
	upload(&d, "n2", "feat", true, 7, "c2", NULL);
	settle("n2", 10000);
	/* third upload passes: patched again, label removed */
	upload(&d, "n2", "feat", false, 7, "c3", NULL);
	settle("n2", 10000);
	ck_assert_int_eq(pft_recv_gh_comments(r, 7), 121);
	ck_assert_int_eq(pft_recv_count(r, "POST", "/gh/repos/acme/shop/issues/7/comments"), 1);
	ck_assert_int_eq(pft_recv_count(r, "PATCH", "/gh/repos/acme/shop/issues/comments/"), 2);
	ck_assert(pft_recv_nth(r, "PATCH", "/gh/repos/acme/shop/issues/comments/", 1, &q));
	assert_github_headers(&q);
	b = body_of(&q);
	body = json_string_value(json_object_get(b, "body"));
	ck_assert_ptr_nonnull(strstr(body, "<!-- perfgate:n2/feat -->"));
	ck_assert_ptr_nonnull(strstr(body, "c3"));
	json_decref(b);
	pft_recv_req_free(&q);
	char *last = pft_recv_gh_comment_body(r, 7, 120);
	ck_assert_ptr_nonnull(strstr(last, "c3"));
	free(last);
	ck_assert_int_eq(
	        pft_recv_count(r, "DELETE",
	                       "/gh/repos/acme/shop/issues/7/labels/performance-regression"),
	        1);
	ck_assert(!pft_recv_gh_has_label(r, 7, "performance-regression"));

	/* the stored id lost (a crash after the POST): found by the marker */
	free(pft_sql(db, "DELETE FROM github_pr_state"));
	upload(&d, "n2", "feat", false, 7, "c4", NULL);
	settle("n2", 10000);
	ck_assert_int_eq(pft_recv_gh_comments(r, 7), 121);
	ck_assert_int_eq(pft_recv_count(r, "POST", "/gh/repos/acme/shop/issues/7/comments"), 1);
	ck_assert_int_eq(pft_recv_count(r, "PATCH", "/gh/repos/acme/shop/issues/comments/"), 3);
	/* a pass after a pass removes nothing */
	ck_assert_int_eq(pft_recv_count(r, "DELETE", NULL), 1);

	/* GET /v1/projects/n2/notifications: admin only, every event */
	struct pft_resp resp;
	char url[200];
	snprintf(url, sizeof url, "%s/v1/projects/n2/notifications", d.base);
	pft_http("GET", url, tok_read, NULL, NULL, 0, NULL, &resp);
	ck_assert_int_eq(resp.status, 403);
	pft_resp_free(&resp);
	pft_http("GET", url, tok_admin, NULL, NULL, 0, NULL, &resp);
	ck_assert_int_eq(resp.status, 200);
	json_error_t je;
	json_t *root = json_loads(resp.body, 0, &je);
	json_t *list = json_object_get(root, "notifications");
	ck_assert_int_eq(json_array_size(list), 7); /* 4 comments, add, remove (+ none) */
	json_t *e0 = json_array_get(list, 0);
	ck_assert_str_eq(json_string_value(json_object_get(e0, "state")), "delivered");
	ck_assert_str_eq(json_string_value(json_object_get(e0, "event")), "github.pr_comment");
	ck_assert_int_eq(json_integer_value(json_object_get(e0, "pr")), 7);
	json_decref(root);
	pft_resp_free(&resp);
	pft_daemon_stop(&d);
	pft_recv_stop(r);
}
END_TEST

START_TEST(issue_open_comment_close)
{
	struct pft_recv *r = pft_recv_start();
	struct pft_daemon d;
	start(&d, r, 4, 30);
	settings(&d, "n3",
	         "{\"notifications\":{\"github_repository\":\"acme/shop\","
	         "\"slack_webhook_url\":\"\",\"issue_after\":2}}");
	upload(&d, "n3", "main", false, 0, "m0", NULL);
	upload(&d, "n3", "main", true, 0, "m1", NULL);
	settle("n3", 10000);
	ck_assert_int_eq(pft_recv_gh_issues(r), 0); /* one failure is not yet N */
	upload(&d, "n3", "main", true, 0, "m2", NULL);
	settle("n3", 10000);
	ck_assert_int_eq(pft_recv_gh_issues(r), 1);
	int number;
	char state[16], title[300];
	ck_assert(pft_recv_gh_issue(r, 0, &number, state, sizeof state, title, sizeof title));
	ck_assert_str_eq(state, "open");
	ck_assert_str_eq(title, "perfgate: cpu_hotspot gate failing on n3/main");
	struct pft_recv_req q;
	ck_assert(pft_recv_nth(r, "POST", "/gh/repos/acme/shop/issues", 0, &q));
	assert_github_headers(&q);
	json_t *b = body_of(&q);
	const char *body = json_string_value(json_object_get(b, "body"));
	ck_assert_ptr_nonnull(strstr(body, "<!-- perfgate-issue:n3/cpu_hotspot -->"));
	ck_assert_ptr_nonnull(strstr(body, "Commit range: `m1` .. `m2`"));
	char *hot = pft_ref_cpu_hotspot(), quoted[512];
	ck_assert_ptr_nonnull(hot);
	snprintf(quoted, sizeof quoted, "`%s`", hot);
	ck_assert_msg(strstr(body, quoted), "%s not in the issue", quoted);
	free(hot);
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(b, "labels"), 0)),
	                 "performance-regression");
	json_decref(b);
	pft_recv_req_free(&q);
	/* the next failure comments on it, no second issue */
	upload(&d, "n3", "main", true, 0, "m3", NULL);
	settle("n3", 10000);
	ck_assert_int_eq(pft_recv_gh_issues(r), 1);
	ck_assert_int_eq(pft_recv_gh_comments(r, number), 1);
	char *c = pft_recv_gh_comment_body(r, number, 0);
	ck_assert_ptr_nonnull(strstr(c, "Still failing: **cpu_hotspot**"));
	ck_assert_ptr_nonnull(strstr(c, "`m3`"));
	free(c);
	/* recovery closes it with a comment */
	upload(&d, "n3", "main", false, 0, "m4", NULL);
	settle("n3", 10000);
	ck_assert_int_eq(pft_recv_gh_comments(r, number), 2);
	c = pft_recv_gh_comment_body(r, number, 1);
	ck_assert_ptr_nonnull(strstr(c, "passes again"));
	free(c);
	ck_assert(pft_recv_gh_issue(r, 0, &number, state, sizeof state, title, sizeof title));
	ck_assert_str_eq(state, "closed");
	char *st = sql1("SELECT string_agg(state || ':' || coalesce(issue_number, 0), ',')"
	                " FROM github_issues gi JOIN projects p ON p.id = gi.project_id"
	                " WHERE p.name = '%s'",
	                "n3");
	char want[64];
	snprintf(want, sizeof want, "closed:%d", number);
	ck_assert_str_eq(st, want);
	free(st);
	/* failing again starts a new streak: nothing until N */
	upload(&d, "n3", "main", true, 0, "m5", NULL);
	settle("n3", 10000);
	ck_assert_int_eq(pft_recv_gh_issues(r), 1);
	pft_daemon_stop(&d);
	pft_recv_stop(r);
}
END_TEST

START_TEST(two_daemons_no_duplicates)
{
	struct pft_recv *r = pft_recv_start();
	struct pft_daemon d1, d2;
	start(&d1, r, 4, 30);
	start(&d2, r, 4, 30);
	settings(&d1, "n4", "{\"notifications\":{\"github_repository\":\"acme/shop\"}}");
	upload(&d1, "n4", "main", false, 0, "b0", NULL);
	enum { N = 12 };
	for (int i = 0; i < N; i++) {
		char br[32], commit[32];
		snprintf(br, sizeof br, "f%d", i);
		snprintf(commit, sizeof commit, "k%d", i);
		upload(i % 2 ? &d2 : &d1, "n4", br, true, 100 + i, commit, NULL);
	}
	settle("n4", 30000);
	ck_assert_int_eq(pft_recv_count(r, "POST", "/slack/"), N);
	ck_assert_int_eq(pft_recv_count(r, "POST", "/gh/repos/acme/shop/issues/1"), 2 * N);
	for (int i = 0; i < N; i++) {
		ck_assert_int_eq(pft_recv_gh_comments(r, 100 + i), 1);
		ck_assert(pft_recv_gh_has_label(r, 100 + i, "performance-regression"));
	}
	char *st = sql1("SELECT string_agg(DISTINCT state, ',') || ' ' || count(*) || ' '"
	                " || max(attempts) FROM outbox o JOIN projects p ON p.id = o.project_id"
	                " WHERE p.name = '%s'",
	                "n4");
	ck_assert_str_eq(st, "delivered 36 1");
	free(st);
	/* both daemons delivered */
	char *l1 = (char *)pf_test_read_file(d1.log, NULL);
	char *l2 = (char *)pf_test_read_file(d2.log, NULL);
	ck_assert_ptr_nonnull(strstr(l1, "delivered on attempt 1"));
	ck_assert_ptr_nonnull(strstr(l2, "delivered on attempt 1"));
	free(l1);
	free(l2);
	pft_daemon_stop(&d1);
	pft_daemon_stop(&d2);
	pft_recv_stop(r);
}
END_TEST

START_TEST(down_then_up_delivered_once)
{
	struct pft_recv *r = pft_recv_start();
	struct pft_daemon d;
	start(&d, r, 8, 30);
	upload(&d, "n5", "main", false, 0, "a", NULL);
	pft_recv_down(r);
	upload(&d, "n5", "feat", true, 0, "b", NULL);
	for (int i = 0;; i++) {
		char *a = sql1("SELECT coalesce(max(attempts), 0) FROM outbox o JOIN projects p"
		               " ON p.id = o.project_id WHERE p.name = '%s'",
		               "n5");
		int n = atoi(a);
		free(a);
		if (n >= 3)
			break;
		ck_assert_msg(i < 100, "no retries while the receiver is down");
		usleep(100 * 1000);
	}
	char *err = sql1("SELECT last_error FROM outbox o JOIN projects p ON p.id = o.project_id"
	                 " WHERE p.name = '%s'",
	                 "n5");
	ck_assert_ptr_nonnull(strstr(err, "Slack webhook: "));
	ck_assert_ptr_null(strstr(err, "secret"));
	free(err);
	pft_recv_up(r);
	settle("n5", 20000);
	ck_assert_int_eq(pft_recv_count(r, "POST", "/slack/"), 1);
	char *st = sql1("SELECT state || ' ' || (attempts >= 4)::text || ' ' || last_status"
	                " FROM outbox o JOIN projects p ON p.id = o.project_id WHERE p.name = '%s'",
	                "n5");
	ck_assert_str_eq(st, "delivered true 200");
	free(st);
	pft_daemon_stop(&d);
	pft_recv_stop(r);
}
END_TEST

START_TEST(always_500_fails_bounded)
{
	struct pft_recv *r = pft_recv_start();
	struct pft_daemon d;
	start(&d, r, 4, 30);
	upload(&d, "n6", "main", false, 0, "a", NULL);
	pft_recv_fault(r, 500, -1, -1);
	pft_recv_slow(r, 300);
	double secs;
	upload(&d, "n6", "feat", true, 0, "b", &secs);
	ck_assert_msg(secs < 2.0, "upload took %.2fs with a failing receiver", secs);
	settle("n6", 20000);
	char *st = sql1("SELECT state || ' ' || attempts || ' ' || last_status || ' ' || last_error"
	                " FROM outbox o JOIN projects p ON p.id = o.project_id WHERE p.name = '%s'",
	                "n6");
	ck_assert_str_eq(st, "failed 4 500 Slack webhook: HTTP 500 rollup_error");
	free(st);
	ck_assert_int_eq(pft_recv_count(r, "POST", "/slack/"), 4);
	/* uploads unaffected */
	upload(&d, "n6", "feat2", true, 0, "c", &secs);
	ck_assert_msg(secs < 2.0, "upload took %.2fs", secs);
	/* a 4xx other than 429 fails at once */
	pft_recv_fault(r, 404, -1, -1);
	pft_recv_slow(r, 0);
	settle("n6", 20000);
	upload(&d, "n6", "feat3", true, 0, "d", NULL);
	settle("n6", 20000);
	st = sql1("SELECT state || ' ' || attempts || ' ' || last_status FROM outbox o JOIN "
	          "projects p"
	          " ON p.id = o.project_id WHERE p.name = '%s' ORDER BY o.id DESC LIMIT 1",
	          "n6");
	ck_assert_str_eq(st, "failed 1 404");
	free(st);
	pft_daemon_stop(&d);
	pft_recv_stop(r);
}
END_TEST

START_TEST(retry_after_429)
{
	struct pft_recv *r = pft_recv_start();
	struct pft_daemon d;
	start(&d, r, 4, 30);
	upload(&d, "n7", "main", false, 0, "a", NULL);
	pft_recv_fault(r, 429, 1, 2);
	upload(&d, "n7", "feat", true, 0, "b", NULL);
	ck_assert(pft_recv_wait_ok(r, "POST", "/slack/", 1, 15000));
	struct pft_recv_req a, b;
	ck_assert(pft_recv_nth(r, "POST", "/slack/", 0, &a));
	ck_assert(pft_recv_nth(r, "POST", "/slack/", 1, &b));
	ck_assert_int_eq(a.status, 429);
	ck_assert_int_eq(b.status, 200);
	ck_assert_msg(b.t - a.t >= 1.9, "retried after %.2fs, Retry-After was 2", b.t - a.t);
	ck_assert_str_eq(a.body, b.body);
	pft_recv_req_free(&a);
	pft_recv_req_free(&b);
	pft_daemon_stop(&d);
	pft_recv_stop(r);
}
END_TEST

START_TEST(sigkill_with_claimed_rows)
{
	struct pft_recv *r = pft_recv_start();
	struct pft_daemon d;
	start(&d, r, 4, 6);
	settings(&d, "n8",
	         "{\"notifications\":{\"github_repository\":\"acme/shop\","
	         "\"slack_webhook_url\":\"\"}}");
	upload(&d, "n8", "main", false, 0, "a", NULL);
	pft_recv_slow(r, 1500); /* the first call is in flight when the daemon dies */
	double secs;
	upload(&d, "n8", "feat", true, 9, "b", &secs);
	ck_assert_msg(secs < 1.5, "upload took %.2fs with a slow receiver", secs);
	/* the comment search answered (after 1.5 s), the POST now in flight */
	for (int i = 0; pft_recv_count(r, "GET", "/gh/") < 1; i++) {
		ck_assert_msg(i < 200, "no search");
		usleep(20 * 1000);
	}
	usleep(300 * 1000);
	char *s = sql1("SELECT string_agg(state, ',' ORDER BY o.id) FROM outbox o JOIN projects p"
	               " ON p.id = o.project_id WHERE p.name = '%s'",
	               "n8");
	ck_assert_str_eq(s, "sending,pending");
	free(s);
	kill(d.pid, SIGKILL);
	waitpid(d.pid, NULL, 0);
	d.pid = 0;
	usleep(1500 * 1000); /* the receiver finishes the request it got */
	ck_assert_int_eq(pft_recv_gh_comments(r, 9), 1);
	pft_recv_slow(r, 0);
	start(&d, r, 4, 6);
	/* the lease (6 s) runs out first; on a loaded machine the calls after
	 * it (2 s timeout each, retried) took over 20 s once: a generous bound,
	 * which a healthy run never comes near */
	settle("n8", 60000);
	char *st = sql1("SELECT string_agg(state, ',' ORDER BY o.id) FROM outbox o JOIN projects p"
	                " ON p.id = o.project_id WHERE p.name = '%s'",
	                "n8");
	ck_assert_str_eq(st, "delivered,delivered");
	free(st);
	/* the comment was posted before the kill and found again after: one */
	ck_assert_int_eq(pft_recv_gh_comments(r, 9), 1);
	ck_assert(pft_recv_gh_has_label(r, 9, "performance-regression"));
	pft_daemon_stop(&d);
	pft_recv_stop(r);
}
END_TEST

START_TEST(settings_validated)
{
	struct pft_recv *r = pft_recv_start();
	struct pft_daemon d;
	struct pft_resp resp;
	char url[200];
	start(&d, r, 4, 30);
	snprintf(url, sizeof url, "%s/v1/projects/n9", d.base);
	const char *bad[][2] = {
	        {"{\"notifications\":{\"slack_webhook_url\":\"ftp://x\"}}", "slack_webhook_url"},
	        {"{\"notifications\":{\"github_repository\":\"noslash\"}}", "github_repository"},
	        {"{\"notifications\":{\"notify_on\":\"pass\"}}", "notify_on"},
	        {"{\"notifications\":{\"issue_after\":0}}", "issue_after"},
	        {"{\"notifications\":{\"webhook\":\"x\"}}", "webhook"},
	        {"{\"notifications\":{\"github_token\":\"(set)\"}}", "github_token"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		pft_http("PUT", url, tok_admin, "application/json", bad[i][0], strlen(bad[i][0]),
		         NULL, &resp);
		ck_assert_msg(resp.status == 400, "%s: %ld", bad[i][0], resp.status);
		char want[100];
		snprintf(want, sizeof want, "\"field\":\"%s\"", bad[i][1]);
		ck_assert_msg(strstr(resp.body, want), "%s", resp.body);
		pft_resp_free(&resp);
	}
	const char *good =
	        "{\"notifications\":{\"slack_webhook_url\":\"https://hooks.example/T/B/x\","
	        "\"github_repository\":\"acme/shop\",\"github_token\":\"ghp_x\","
	        "\"notify_on\":\"warn\",\"issue_after\":5}}";
	pft_http("PUT", url, tok_admin, "application/json", good, strlen(good), NULL, &resp);
	ck_assert_int_eq(resp.status, 200);
	ck_assert_ptr_null(strstr(resp.body, "hooks.example"));
	ck_assert_ptr_null(strstr(resp.body, "ghp_x"));
	ck_assert_ptr_nonnull(strstr(resp.body, "\"github_repository\":\"acme/shop\""));
	pft_resp_free(&resp);
	/* "(set)" sent back keeps the stored secrets */
	const char *back = "{\"notifications\":{\"slack_webhook_url\":\"(set)\",\"github_token\":"
	                   "\"(set)\",\"github_repository\":\"acme/shop\"}}";
	pft_http("PUT", url, tok_admin, "application/json", back, strlen(back), NULL, &resp);
	ck_assert_int_eq(resp.status, 200);
	pft_resp_free(&resp);
	char *s = pft_sql(db, "SELECT settings->'notifications'->>'github_token' FROM projects"
	                      " WHERE name = 'n9'");
	ck_assert_str_eq(s, "ghp_x");
	free(s);
	pft_daemon_stop(&d);
	pft_recv_stop(r);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("notify");
	TCase *tc = tcase_create("notifications");
	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, slack_message_fields);
	tcase_add_test(tc, pr_comment_label_three_uploads);
	tcase_add_test(tc, issue_open_comment_close);
	tcase_add_test(tc, two_daemons_no_duplicates);
	tcase_add_test(tc, down_then_up_delivered_once);
	tcase_add_test(tc, always_500_fails_bounded);
	tcase_add_test(tc, retry_after_429);
	tcase_add_test(tc, sigkill_with_claimed_rows);
	tcase_add_test(tc, settings_validated);
	suite_add_tcase(s, tc);
	return pft_run_suite(s);
}
