/* notify_payload.c: the bodies perfgate sends: the Slack message of a
 * report (Block Kit plus fallback text, spec/notifications.md A.2) and the
 * GitHub issue title, body and comments of a gate failing on the default
 * branch (B.2). Reads JSON, returns JSON or text. Pure. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "gate.h"
#include "notify.h"

#define TOP_N 5 /* regressions and violations listed */

static const char *jstr(const json_t *o, const char *k, const char *def)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : def;
}

/* Slack mrkdwn: escape &, <, > (spec A.2); a backtick would end a code
 * span, so it becomes '. Stops before max bytes on a UTF-8 boundary. */
static void slack_esc(struct pf_buf *b, const char *s, size_t max)
{
	size_t start = b->len;
	for (; s && *s; s++) {
		if (b->len - start >= max && ((unsigned char)*s & 0xC0) != 0x80) {
			pf_buf_puts(b, "…");
			return;
		}
		switch (*s) {
		case '&':
			pf_buf_puts(b, "&amp;");
			break;
		case '<':
			pf_buf_puts(b, "&lt;");
			break;
		case '>':
			pf_buf_puts(b, "&gt;");
			break;
		case '`':
			pf_buf_puts(b, "'");
			break;
		default:
			pf_buf_append(b, s, 1);
		}
	}
}

/* Cut a finished section text to the Slack limit on a line boundary. */
static json_t *mrkdwn(struct pf_buf *b)
{
	if (b->len > PF_NOTIFY_SLACK_TEXT_MAX - 8) {
		size_t cut = PF_NOTIFY_SLACK_TEXT_MAX - 8;
		while (cut > 0 && b->data[cut] != '\n')
			cut--;
		b->len = cut;
		b->data[cut] = '\0';
		pf_buf_puts(b, "\n…");
	}
	json_t *t = json_pack("{s:s, s:s}", "type", "mrkdwn", "text", b->data ? b->data : "");
	pf_buf_reset(b);
	return t;
}

static json_t *field(const char *name, const char *value, bool code)
{
	struct pf_buf b;
	pf_buf_init(&b, 0);
	pf_buf_printf(&b, "*%s*\n%s", name, code ? "`" : "");
	slack_esc(&b, value, 200);
	pf_buf_puts(&b, code ? "`" : "");
	json_t *t = json_pack("{s:s, s:s}", "type", "mrkdwn", "text", b.data);
	pf_buf_free(&b);
	return t;
}

static void upper(char *s)
{
	for (; *s; s++)
		if (*s >= 'a' && *s <= 'z')
			*s = (char)(*s - 'a' + 'A');
}

/* The top regressions: cpu, alloc, then slower benchmarks. */
static size_t top_regressions(const json_t *report, struct pf_buf *b)
{
	static const char *const lists[2] = {"cpu_regressions", "alloc_regressions"};
	size_t n = 0, i;
	json_t *v;
	for (int l = 0; l < 2; l++)
		json_array_foreach(json_object_get(report, lists[l]), i, v)
		{
			if (n >= TOP_N || !json_is_string(v))
				break;
			pf_buf_puts(b, "\n• `");
			slack_esc(b, json_string_value(v), 300);
			pf_buf_puts(b, "`");
			n++;
		}
	json_array_foreach(json_object_get(report, "bench"), i, v)
	{
		if (n >= TOP_N)
			break;
		if (strcmp(jstr(v, "change", ""), "regression") != 0)
			continue;
		pf_buf_puts(b, "\n• `");
		slack_esc(b, jstr(v, "name", "?"), 200);
		pf_buf_printf(b, "` %+.1f%% %s (p=%.3g)",
		              json_number_value(json_object_get(v, "delta_pct")),
		              jstr(v, "unit", ""),
		              json_number_value(json_object_get(v, "p_value")));
		n++;
	}
	return n;
}

json_t *pf_notify_slack_message(const json_t *report)
{
	char verdict[16], head[PF_NOTIFY_SLACK_HEADER_MAX * 4], shortc[16];
	const char *project = jstr(report, "project", "?");
	const char *branch = jstr(report, "branch", "?");
	const char *commit = jstr(report, "commit", "");
	const char *self =
	        json_string_value(json_object_get(json_object_get(report, "links"), "self"));
	json_int_t run = json_integer_value(json_object_get(report, "run_id"));
	json_t *blocks = json_array();
	struct pf_buf b;
	size_t i;
	json_t *v;

	snprintf(verdict, sizeof verdict, "%s", jstr(report, "verdict", "?"));
	upper(verdict);
	snprintf(shortc, sizeof shortc, "%.12s", commit);

	/* header: plain_text, at most 150 characters */
	snprintf(head, sizeof head, "Perf gate: %s — %s/%s", verdict, project, branch);
	if (strlen(head) > PF_NOTIFY_SLACK_HEADER_MAX - 3) {
		size_t cut = PF_NOTIFY_SLACK_HEADER_MAX - 3;
		while (cut > 0 && ((unsigned char)head[cut] & 0xC0) == 0x80)
			cut--;
		snprintf(head + cut, sizeof head - cut, "…");
	}
	json_array_append_new(blocks, json_pack("{s:s, s:{s:s, s:s}}", "type", "header", "text",
	                                        "type", "plain_text", "text", head));
	json_array_append_new(
	        blocks, json_pack("{s:s, s:[o, o, o, o]}", "type", "section", "fields",
	                          field("Project", project, false), field("Branch", branch, true),
	                          field("Commit", *commit ? shortc : "(none)", *commit != '\0'),
	                          field("Verdict", verdict, false)));

	pf_buf_init(&b, 0);
	pf_buf_puts(&b, "*Reasons*");
	size_t nreasons = 0;
	json_array_foreach(json_object_get(report, "reasons"), i, v)
	{
		pf_buf_puts(&b, "\n• ");
		slack_esc(&b, json_string_value(v), 500);
		nreasons++;
	}
	if (nreasons == 0) {
		pf_buf_puts(&b, "\n");
		slack_esc(&b, jstr(report, "summary", "no gate was violated"), 500);
	}
	json_array_append_new(blocks,
	                      json_pack("{s:s, s:o}", "type", "section", "text", mrkdwn(&b)));

	pf_buf_puts(&b, "*Top regressions*");
	if (top_regressions(report, &b) > 0)
		json_array_append_new(
		        blocks, json_pack("{s:s, s:o}", "type", "section", "text", mrkdwn(&b)));
	pf_buf_reset(&b);

	if (self && (strncmp(self, "http://", 7) == 0 || strncmp(self, "https://", 8) == 0))
		pf_buf_printf(&b, "<%s|Run #%lld> · <%s/comment.md|report>", self, (long long)run,
		              self);
	else
		pf_buf_printf(&b, "Run #%lld", (long long)run);
	json_array_append_new(blocks,
	                      json_pack("{s:s, s:[o]}", "type", "context", "elements", mrkdwn(&b)));

	/* fallback text for notifications (spec A.2: always send it) */
	pf_buf_printf(&b, "perfgate %s: ", verdict);
	slack_esc(&b, project, 100);
	pf_buf_puts(&b, "/");
	slack_esc(&b, branch, 100);
	if (*commit)
		pf_buf_printf(&b, " @ %s", shortc);
	pf_buf_puts(&b, " — ");
	slack_esc(&b, jstr(report, "summary", ""), 1000);
	json_t *msg = json_pack("{s:s, s:o}", "text", b.data ? b.data : "", "blocks", blocks);
	pf_buf_free(&b);
	return msg;
}

/* ---- GitHub issue texts ----------------------------------------------------- */

void pf_notify_issue_marker(const char *project, const char *gate, char *out, size_t cap)
{
	char m[600];
	pf_report_marker(project, gate, m, sizeof m);
	/* "<!-- perfgate:" -> "<!-- perfgate-issue:" */
	snprintf(out, cap, "<!-- perfgate-issue:%s", m + strlen("<!-- perfgate:"));
}

/* Markdown code span of untrusted text (backticks dropped, one line). */
static void code(struct pf_buf *b, const char *s, size_t max)
{
	size_t n = 0;
	pf_buf_puts(b, "`");
	for (; s && *s && n < max; s++, n++)
		pf_buf_append(b, *s == '`' || *s == '\n' || *s == '\r' ? " " : s, 1);
	pf_buf_puts(b, "`");
}

static void run_ref(struct pf_buf *b, const json_t *p, const char *public_url)
{
	json_int_t run = json_integer_value(json_object_get(p, "run_id"));
	if (public_url)
		pf_buf_printf(b, "[run #%lld](%s/v1/runs/%lld)", (long long)run, public_url,
		              (long long)run);
	else
		pf_buf_printf(b, "run #%lld", (long long)run);
	const char *c = jstr(p, "commit", NULL);
	if (c) {
		pf_buf_puts(b, " (commit ");
		code(b, c, 100);
		pf_buf_puts(b, ")");
	}
}

static void violations(struct pf_buf *b, const json_t *p)
{
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(p, "violations"), i, v)
	{
		if (i >= 10) {
			pf_buf_printf(b, "- … and %zu more\n",
			              json_array_size(json_object_get(p, "violations")) - i);
			break;
		}
		const char *name = jstr(v, "function", jstr(v, "benchmark", NULL));
		pf_buf_puts(b, "- ");
		if (name) {
			code(b, name, 300);
			if (json_object_get(v, "delta_pct"))
				pf_buf_printf(b, ": %+.1f%% %s",
				              json_number_value(json_object_get(v, "delta_pct")),
				              jstr(v, "unit", ""));
			else
				pf_buf_printf(b, ": %.1f%% -> %.1f%% (%+.1f points)",
				              json_number_value(json_object_get(v, "base")),
				              json_number_value(json_object_get(v, "cand")),
				              json_number_value(json_object_get(v, "delta")));
		} else if (json_object_get(v, "rating")) {
			pf_buf_printf(b, "rating %.1f",
			              json_number_value(json_object_get(v, "rating")));
		} else {
			char *t = json_dumps(v, JSON_COMPACT);
			code(b, t ? t : "", 300);
			free(t);
		}
		pf_buf_puts(b, "\n");
	}
}

char *pf_notify_issue_title(const json_t *p)
{
	struct pf_buf b;
	pf_buf_init(&b, 0);
	pf_buf_printf(&b, "perfgate: %.64s gate failing on %.64s/%.120s", jstr(p, "gate", "?"),
	              jstr(p, "project", "?"), jstr(p, "branch", "?"));
	return pf_buf_steal(&b, NULL);
}

char *pf_notify_issue_body(const json_t *p, const char *public_url)
{
	char marker[700];
	struct pf_buf b;
	json_t *commits = json_object_get(p, "commits");
	size_t nc = json_array_size(commits);
	pf_buf_init(&b, PF_NOTIFY_BODY_MAX);
	pf_notify_issue_marker(jstr(p, "project", ""), jstr(p, "gate", ""), marker, sizeof marker);
	pf_buf_printf(&b, "%s\n", marker);
	pf_buf_puts(&b, "The **");
	pf_buf_puts(&b, jstr(p, "gate", "?"));
	pf_buf_printf(&b, "** gate failed on %lld runs in a row of ",
	              (long long)json_integer_value(json_object_get(p, "n")));
	code(&b, jstr(p, "branch", "?"), 255);
	pf_buf_printf(&b, " (project %s).\n\n", jstr(p, "project", "?"));
	if (nc > 0) {
		pf_buf_puts(&b, "Commit range: ");
		code(&b, json_string_value(json_array_get(commits, 0)), 100);
		pf_buf_puts(&b, " .. ");
		code(&b, json_string_value(json_array_get(commits, nc - 1)), 100);
		pf_buf_puts(&b, "\n\n");
	}
	pf_buf_puts(&b, "Latest: ");
	run_ref(&b, p, public_url);
	pf_buf_puts(&b, "\n\n");
	if (json_array_size(json_object_get(p, "violations")) > 0) {
		pf_buf_puts(&b, "Violations:\n");
		violations(&b, p);
		pf_buf_puts(&b, "\n");
	}
	pf_buf_puts(&b, "perfgate comments here on later failures and closes this issue when the "
	                "gate passes again.\n");
	/* past the ceiling appends are dropped: what fits is kept */
	return pf_buf_steal(&b, NULL);
}

char *pf_notify_issue_comment(const json_t *p, const char *public_url)
{
	struct pf_buf b;
	bool close = strcmp(jstr(p, "action", ""), "close") == 0;
	pf_buf_init(&b, PF_NOTIFY_BODY_MAX);
	if (close) {
		pf_buf_printf(&b, "The **%s** gate passes again on ", jstr(p, "gate", "?"));
		run_ref(&b, p, public_url);
		pf_buf_puts(&b, ". Closing.\n");
	} else {
		pf_buf_printf(&b, "Still failing: **%s** on ", jstr(p, "gate", "?"));
		run_ref(&b, p, public_url);
		pf_buf_puts(&b, ".\n\n");
		violations(&b, p);
	}
	return pf_buf_steal(&b, NULL);
}
