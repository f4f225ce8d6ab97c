/* test_notify.c: the pure side of notifications (server/engine/notify.h):
 * settings checks, the plan of an upload, the Slack message (fields,
 * escaping, limits), issue texts, and the retry policy (classification,
 * backoff with jitter, Link and Retry-After parsing). */
#include <check.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "notify.h"
#include "pftest_run.h"

static json_t *report(const char *verdict)
{
	json_error_t je;
	json_t *r = json_loads(
	        "{\"run_id\": 42, \"project\": \"shop\", \"branch\": \"feat<1>\", \"commit\":"
	        " \"9f1c2ab3d4e5f6a7\", \"verdict\": \"fail\", \"gates\": [],"
	        " \"reasons\": [\"CPU hotspot regression: a&b 8.0% -> 16.4% (+8.4 points > 8)\"],"
	        " \"cpu_regressions\": [\"main.process: 8.0% -> 16.4% (8.4% regression)\"],"
	        " \"alloc_regressions\": [], \"bench\": [{\"name\": \"BenchmarkParse\", \"unit\":"
	        " \"sec/op\", \"delta_pct\": 16.7, \"p_value\": 0.0002, \"change\": "
	        "\"regression\"}],"
	        " \"summary\": \"1 hard gate failed: cpu_hotspot.\","
	        " \"links\": {\"self\": \"https://perf.example/v1/runs/42\"}}",
	        0, &je);
	ck_assert_ptr_nonnull(r);
	json_object_set_new(r, "verdict", json_string(verdict));
	return r;
}

static const char *text_of(const json_t *block)
{
	return json_string_value(json_object_get(json_object_get(block, "text"), "text"));
}

START_TEST(slack_message)
{
	json_t *r = report("fail");
	json_t *m = pf_notify_slack_message(r);
	ck_assert_str_eq(json_string_value(json_object_get(m, "text")),
	                 "perfgate FAIL: shop/feat&lt;1&gt; @ 9f1c2ab3d4e5 — 1 hard gate failed: "
	                 "cpu_hotspot.");
	json_t *b = json_object_get(m, "blocks");
	ck_assert_int_eq(json_array_size(b), 5);
	ck_assert_str_eq(text_of(json_array_get(b, 0)), "Perf gate: FAIL — shop/feat<1>");
	json_t *f = json_object_get(json_array_get(b, 1), "fields");
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(f, 1), "text")),
	                 "*Branch*\n`feat&lt;1&gt;`");
	ck_assert_str_eq(text_of(json_array_get(b, 2)),
	                 "*Reasons*\n• CPU hotspot regression: a&amp;b 8.0% -&gt; 16.4% (+8.4 "
	                 "points &gt; 8)");
	ck_assert_str_eq(text_of(json_array_get(b, 3)),
	                 "*Top regressions*\n• `main.process: 8.0% -&gt; 16.4% (8.4% regression)`"
	                 "\n• `BenchmarkParse` +16.7% sec/op (p=0.0002)");
	json_t *el = json_array_get(json_object_get(json_array_get(b, 4), "elements"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(el, "text")),
	                 "<https://perf.example/v1/runs/42|Run #42> · "
	                 "<https://perf.example/v1/runs/42/comment.md|report>");
	json_decref(m);
	/* relative links (no PERFGATE_PUBLIC_URL) are named, not linked */
	json_object_set_new(json_object_get(r, "links"), "self", json_string("/v1/runs/42"));
	/* long texts stay under the Block Kit limits */
	json_t *reasons = json_object_get(r, "reasons");
	char big[600];
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	for (int i = 0; i < 40; i++)
		json_array_append_new(reasons, json_string(big));
	char longb[400];
	memset(longb, 'b', sizeof longb - 1);
	longb[sizeof longb - 1] = '\0';
	json_object_set_new(r, "branch", json_string(longb));
	m = pf_notify_slack_message(r);
	b = json_object_get(m, "blocks");
	ck_assert_int_le(strlen(text_of(json_array_get(b, 0))), 150 + 2);
	ck_assert_int_le(strlen(text_of(json_array_get(b, 2))), 3000);
	el = json_array_get(json_object_get(json_array_get(b, 4), "elements"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(el, "text")), "Run #42");
	json_decref(m);
	json_decref(r);
}
END_TEST

START_TEST(plan)
{
	struct pf_notify_settings s;
	json_error_t je;
	json_t *n = json_loads("{\"github_repository\": \"acme/shop\"}", 0, &je);
	pf_notify_settings_get(n, &s);
	ck_assert_int_eq(s.issue_after, 3);
	ck_assert(!s.notify_warn);
	json_t *r = report("fail");
	json_t *p = pf_notify_plan(r, &s, true, 7);
	ck_assert_int_eq(json_array_size(p), 3);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(p, 0), "event")),
	                 "slack.message");
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(p, 0), "order_key")),
	                 "slack:shop");
	json_t *c = json_array_get(p, 1);
	ck_assert_str_eq(json_string_value(json_object_get(c, "event")), "github.pr_comment");
	ck_assert_str_eq(json_string_value(json_object_get(c, "order_key")), "github:acme/shop#7");
	json_t *pl = json_object_get(c, "payload");
	ck_assert_str_eq(json_string_value(json_object_get(pl, "marker")),
	                 "<!-- perfgate:shop/feat%3C1%3E -->");
	ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(pl, "body")),
	                             "<!-- perfgate:shop/feat%3C1%3E -->"));
	json_t *l = json_object_get(json_array_get(p, 2), "payload");
	ck_assert_str_eq(json_string_value(json_object_get(l, "action")), "add");
	ck_assert_ptr_null(json_object_get(json_array_get(p, 2), "cond"));
	json_decref(p);
	/* no slack webhook anywhere; no PR: nothing for GitHub */
	p = pf_notify_plan(r, &s, false, 0);
	ck_assert_int_eq(json_array_size(p), 0);
	json_decref(p);
	/* warn: Slack only with notify_on=warn; no label change */
	json_object_set_new(r, "verdict", json_string("warn"));
	p = pf_notify_plan(r, &s, true, 7);
	ck_assert_int_eq(json_array_size(p), 1);
	json_decref(p);
	json_object_set_new(n, "notify_on", json_string("warn"));
	pf_notify_settings_get(n, &s);
	p = pf_notify_plan(r, &s, true, 7);
	ck_assert_int_eq(json_array_size(p), 2);
	json_decref(p);
	/* pass: comment and a conditional label removal; "" disables Slack */
	json_object_set_new(r, "verdict", json_string("pass"));
	json_object_set_new(n, "slack_webhook_url", json_string(""));
	pf_notify_settings_get(n, &s);
	p = pf_notify_plan(r, &s, true, 7);
	ck_assert_int_eq(json_array_size(p), 2);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(p, 1), "cond")),
	                 "pr_failed_before");
	json_decref(p);
	json_decref(r);
	json_decref(n);
}
END_TEST

START_TEST(settings_check)
{
	static const struct {
		const char *json, *field;
	} cases[] = {
	        {"{\"slack_webhook_url\": \"https://hooks.slack.com/services/T/B/x\","
	         " \"github_repository\": \"a-b/c.d_e\", \"github_token\": \"t\","
	         " \"notify_on\": \"warn\", \"issue_after\": 100}",
	         NULL},
	        {"{\"slack_webhook_url\": \"\"}", NULL},
	        {"{\"github_repository\": null}", NULL},
	        {"{\"slack_webhook_url\": \"hooks.slack.com\"}", "slack_webhook_url"},
	        {"{\"slack_webhook_url\": 1}", "slack_webhook_url"},
	        {"{\"github_repository\": \"a/b/c\"}", "github_repository"},
	        {"{\"github_repository\": \"a b/c\"}", "github_repository"},
	        {"{\"github_token\": \"\"}", "github_token"},
	        {"{\"github_token\": \"(set)\"}", "github_token"},
	        {"{\"notify_on\": \"always\"}", "notify_on"},
	        {"{\"issue_after\": 101}", "issue_after"},
	        {"{\"issue_after\": \"3\"}", "issue_after"},
	        {"{\"channel\": \"#perf\"}", "channel"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		json_error_t je;
		struct pf_err err;
		json_t *n = json_loads(cases[i].json, 0, &je);
		ck_assert_ptr_nonnull(n);
		enum pf_code rc = pf_notify_settings_check(n, &err);
		if (!cases[i].field) {
			ck_assert_msg(rc == PF_OK, "%s: %s", cases[i].json, err.msg);
		} else {
			ck_assert_int_eq(rc, PF_E_BAD_CONFIG);
			ck_assert_str_eq(err.field, cases[i].field);
		}
		json_decref(n);
	}
}
END_TEST

START_TEST(issue_texts)
{
	json_error_t je;
	json_t *p =
	        json_loads("{\"action\": \"open\", \"project\": \"shop\", \"gate\":"
	                   " \"bench_slowdown\", \"branch\": \"main\", \"run_id\": 9,"
	                   " \"commit\": \"c3\", \"commits\": [\"c2\", \"c3\"], \"n\": 2,"
	                   " \"violations\": [{\"benchmark\": \"Parse`x\", \"unit\": \"sec/op\","
	                   " \"delta_pct\": 20.5}, {\"rating\": 3.2}]}",
	                   0, &je);
	char *t = pf_notify_issue_title(p);
	ck_assert_str_eq(t, "perfgate: bench_slowdown gate failing on shop/main");
	free(t);
	char *b = pf_notify_issue_body(p, "https://perf.example");
	ck_assert_str_eq(b, "<!-- perfgate-issue:shop/bench_slowdown -->\n"
	                    "The **bench_slowdown** gate failed on 2 runs in a row of `main` "
	                    "(project shop).\n\n"
	                    "Commit range: `c2` .. `c3`\n\n"
	                    "Latest: [run #9](https://perf.example/v1/runs/9) (commit `c3`)\n\n"
	                    "Violations:\n- `Parse x`: +20.5% sec/op\n- rating 3.2\n\n"
	                    "perfgate comments here on later failures and closes this issue when "
	                    "the gate passes again.\n");
	free(b);
	json_object_set_new(p, "action", json_string("close"));
	char *c = pf_notify_issue_comment(p, NULL);
	ck_assert_str_eq(c, "The **bench_slowdown** gate passes again on run #9 (commit `c3`). "
	                    "Closing.\n");
	free(c);
	json_decref(p);
}
END_TEST

START_TEST(retry_policy)
{
	int64_t w;
	struct pf_notify_answer a = {200, -1, -1, 0};
	ck_assert_int_eq(pf_notify_classify(&a, 1000, &w), PF_NOTIFY_DONE);
	a.status = 201;
	ck_assert_int_eq(pf_notify_classify(&a, 1000, &w), PF_NOTIFY_DONE);
	a.status = 0;
	ck_assert_int_eq(pf_notify_classify(&a, 1000, &w), PF_NOTIFY_RETRY);
	ck_assert_int_eq(w, 0);
	a.status = 502;
	ck_assert_int_eq(pf_notify_classify(&a, 1000, &w), PF_NOTIFY_RETRY);
	a.status = 429;
	a.retry_after_s = 7;
	ck_assert_int_eq(pf_notify_classify(&a, 1000, &w), PF_NOTIFY_RETRY);
	ck_assert_int_eq(w, 7000);
	a.status = 404;
	ck_assert_int_eq(pf_notify_classify(&a, 1000, &w), PF_NOTIFY_FAIL);
	a.status = 400;
	ck_assert_int_eq(pf_notify_classify(&a, 1000, &w), PF_NOTIFY_FAIL);
	/* 403: a rate limit retries (Retry-After, or remaining 0 until the
	 * reset), a permission error does not (spec B.3) */
	a.status = 403;
	ck_assert_int_eq(pf_notify_classify(&a, 1000, &w), PF_NOTIFY_RETRY);
	a.retry_after_s = -1;
	ck_assert_int_eq(pf_notify_classify(&a, 1000, &w), PF_NOTIFY_FAIL);
	a.ratelimit_remaining = 0;
	a.ratelimit_reset = 1030;
	ck_assert_int_eq(pf_notify_classify(&a, 1000, &w), PF_NOTIFY_RETRY);
	ck_assert_int_eq(w, 31000);

	for (int n = 1; n <= 6; n++) {
		int64_t d = (int64_t)100 << (n - 1);
		ck_assert_int_eq(pf_notify_backoff_ms(n, 100, 3600000, 0), d / 2);
		ck_assert_int_eq(pf_notify_backoff_ms(n, 100, 3600000, (uint32_t)(d - d / 2)), d);
		int64_t j = pf_notify_backoff_ms(n, 100, 3600000, 123457);
		ck_assert(j >= d / 2 && j <= d);
	}
	ck_assert_int_le(pf_notify_backoff_ms(60, 1000, 5000, 0xffffffffu), 5000);

	char u[256];
	ck_assert(pf_notify_link_next("<https://api.github.com/x?page=2>; rel=\"next\", "
	                              "<https://api.github.com/x?page=5>; rel=\"last\"",
	                              u, sizeof u));
	ck_assert_str_eq(u, "https://api.github.com/x?page=2");
	ck_assert(pf_notify_link_next("<https://a/x?page=1>; rel=\"prev\", <https://a/x?page=3>; "
	                              "rel=\"next\"",
	                              u, sizeof u));
	ck_assert_str_eq(u, "https://a/x?page=3");
	ck_assert(!pf_notify_link_next("<https://a/x?page=1>; rel=\"prev\"", u, sizeof u));
	ck_assert(!pf_notify_link_next(NULL, u, sizeof u));

	ck_assert_int_eq(pf_notify_parse_retry_after("30"), 30);
	ck_assert_int_eq(pf_notify_parse_retry_after(" 2 "), 2);
	ck_assert_int_eq(pf_notify_parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), -1);
	ck_assert_int_eq(pf_notify_parse_retry_after("-1"), -1);
	ck_assert_int_eq(pf_notify_parse_retry_after("999999"), 86400);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("notify");
	TCase *tc = tcase_create("payloads and policy");
	tcase_add_test(tc, slack_message);
	tcase_add_test(tc, plan);
	tcase_add_test(tc, settings_check);
	tcase_add_test(tc, issue_texts);
	tcase_add_test(tc, retry_policy);
	suite_add_tcase(s, tc);
	return pft_run_suite(s);
}
