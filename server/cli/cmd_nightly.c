/* cmd_nightly.c: `perfgate nightly --project P [--branch B] [--since 24h]
 * [--format json|markdown] [--notify]`: a summary of the period read
 * straight from the store (runs, verdicts, rating now vs then, the
 * functions and benchmarks that moved most, with run links), for the
 * Kubernetes CronJob of deploy/k8s/. Exit 0 done, 1 failure, 2 usage. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "notify.h"
#include "config.h"
#include "db.h"
#include "log.h"
#include "trend.h"

#define MOVES_MAX  10
#define FAILED_MAX 20

static int usage(void)
{
	fprintf(stderr, "usage: perfgate nightly --project P [--branch B] [--since 24h]"
	                " [--format json|markdown] [--notify]\n");
	return 2;
}

/* "<public url>/v1/runs/<id>" (relative without PERFGATE_PUBLIC_URL). */
static json_t *link_of(const struct pf_config *cfg, json_int_t id)
{
	char buf[1200];
	const char *base = cfg->public_url ? cfg->public_url : "";
	size_t n = strlen(base);
	snprintf(buf, sizeof buf, "%.*s/v1/runs/%lld", (int)(n && base[n - 1] == '/' ? n - 1 : n),
	         base, (long long)id);
	return json_string(buf);
}

static void add_link(const struct pf_config *cfg, json_t *run)
{
	if (json_is_object(run))
		json_object_set_new(
		        run, "link",
		        link_of(cfg, json_integer_value(json_object_get(run, "run_id"))));
}

static double rating(const json_t *run, const char *dim)
{
	const json_t *v = json_object_get(json_object_get(run, "rating"), dim);
	return json_is_number(v) ? json_number_value(v) : -1;
}

/* The summary as markdown (for a chat message or an issue). */
static void print_md(const json_t *s, FILE *out)
{
	const json_t *then = json_object_get(s, "then"), *now = json_object_get(s, "now");
	const json_t *v = json_object_get(s, "verdicts"), *e;
	size_t i;
	fprintf(out, "## perfgate nightly: %s/%s\n\n",
	        json_string_value(json_object_get(s, "project")),
	        json_string_value(json_object_get(s, "branch")));
	fprintf(out, "Period %s .. %s: %lld runs (%lld pass, %lld warn, %lld fail).\n\n",
	        json_string_value(json_object_get(s, "from")),
	        json_string_value(json_object_get(s, "to")),
	        (long long)json_integer_value(json_object_get(s, "runs")),
	        (long long)json_integer_value(json_object_get(v, "pass")),
	        (long long)json_integer_value(json_object_get(v, "warn")),
	        (long long)json_integer_value(json_object_get(v, "fail")));
	if (!json_is_object(now)) {
		fprintf(out, "No runs in the period.\n");
		return;
	}
	fprintf(out, "| rating | then ([run %lld](%s)) | now ([run %lld](%s)) |\n|---|---|---|\n",
	        (long long)json_integer_value(json_object_get(then, "run_id")),
	        json_string_value(json_object_get(then, "link")),
	        (long long)json_integer_value(json_object_get(now, "run_id")),
	        json_string_value(json_object_get(now, "link")));
	static const char *dims[] = {"overall", "cpu", "memory", "bench"};
	for (int k = 0; k < 4; k++) {
		char a[16] = "-", b[16] = "-";
		if (rating(then, dims[k]) >= 0)
			snprintf(a, sizeof a, "%.1f", rating(then, dims[k]));
		if (rating(now, dims[k]) >= 0)
			snprintf(b, sizeof b, "%.1f", rating(now, dims[k]));
		fprintf(out, "| %s | %s | %s |\n", dims[k], a, b);
	}
	const json_t *fails = json_object_get(s, "failed_runs");
	if (json_array_size(fails)) {
		fprintf(out, "\n### Failed runs\n\n");
		json_array_foreach(fails, i, e)
		{
			fprintf(out, "- [run %lld](%s) %s: %s\n",
			        (long long)json_integer_value(json_object_get(e, "run_id")),
			        json_string_value(json_object_get(e, "link")),
			        json_string_value(json_object_get(e, "commit"))
			                ? json_string_value(json_object_get(e, "commit"))
			                : "",
			        json_string_value(json_object_get(e, "summary"))
			                ? json_string_value(json_object_get(e, "summary"))
			                : "");
		}
	}
	const json_t *fns = json_object_get(s, "functions");
	if (json_array_size(fns)) {
		fprintf(out,
		        "\n### Functions that moved most (flat %%)\n\n| kind | function | then | "
		        "now | "
		        "delta |\n|---|---|---|---|---|\n");
		json_array_foreach(fns, i, e)
		{
			fprintf(out, "| %s | `%s` | %.2f | %.2f | %+.2f |\n",
			        json_string_value(json_object_get(e, "kind")),
			        json_string_value(json_object_get(e, "function")),
			        json_number_value(json_object_get(e, "then")),
			        json_number_value(json_object_get(e, "now")),
			        json_number_value(json_object_get(e, "delta")));
		}
	}
	const json_t *bs = json_object_get(s, "benchmarks");
	if (json_array_size(bs)) {
		fprintf(out,
		        "\n### Benchmarks that moved most (median)\n\n| benchmark | unit | then | "
		        "now | "
		        "delta |\n|---|---|---|---|---|\n");
		json_array_foreach(bs, i, e)
		{
			fprintf(out, "| %s | %s | %.4g | %.4g | %+.2f%% |\n",
			        json_string_value(json_object_get(e, "benchmark")),
			        json_string_value(json_object_get(e, "unit")),
			        json_number_value(json_object_get(e, "then")),
			        json_number_value(json_object_get(e, "now")),
			        json_number_value(json_object_get(e, "delta_pct")));
		}
	}
}

/* Build the summary; NULL with a message on stderr on failure. */
static json_t *summary(struct pf_config *cfg, struct pf_db *db, const char *project,
                       const char *branch_opt, int64_t since_ms)
{
	struct pf_err err;
	struct pf_db_project proj;
	char *text = NULL, *fj = NULL, *bj = NULL;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	int64_t to = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000, from = to - since_ms;

	pf_err_clear(&err);
	enum pf_code rc = pf_db_project_load(db, project, &proj, &err);
	if (rc) {
		fprintf(stderr, "perfgate nightly: %s\n",
		        rc == PF_E_NOT_FOUND ? "no such project" : err.msg);
		return NULL;
	}
	free(proj.settings_json);
	const char *branch = branch_opt ? branch_opt : proj.default_branch;
	rc = pf_db_nightly_period(db, project, branch, from, to, FAILED_MAX, &text, &err);
	json_t *s = rc ? NULL : json_loads(text, 0, NULL);
	free(text);
	if (!s) {
		fprintf(stderr, "perfgate nightly: %s\n", rc ? err.msg : "bad JSON from the store");
		return NULL;
	}
	json_t *then = json_object_get(s, "then"), *now = json_object_get(s, "now");
	add_link(cfg, then);
	add_link(cfg, now);
	size_t i;
	json_t *e;
	json_array_foreach(json_object_get(s, "failed_runs"), i, e) add_link(cfg, e);
	json_t *fns = json_array(), *bs = json_array();
	if (json_is_object(then) && json_is_object(now)) {
		rc = pf_db_nightly_moves(db, json_integer_value(json_object_get(then, "run_id")),
		                         json_integer_value(json_object_get(now, "run_id")),
		                         MOVES_MAX, &fj, &bj, &err);
		if (rc) {
			fprintf(stderr, "perfgate nightly: %s\n", err.msg);
			json_decref(s);
			json_decref(fns);
			json_decref(bs);
			return NULL;
		}
		json_decref(fns);
		json_decref(bs);
		fns = json_loads(fj, 0, NULL);
		bs = json_loads(bj, 0, NULL);
		free(fj);
		free(bj);
	}
	char f[32], t[32];
	pf_trend_format_time(from, f);
	pf_trend_format_time(to, t);
	json_t *out = json_pack("{s:s, s:s, s:s, s:s}", "project", project, "branch", branch,
	                        "from", f, "to", t);
	json_object_update(out, s);
	json_decref(s);
	json_t *delta = json_null();
	if (rating(then, "overall") >= 0 && rating(now, "overall") >= 0)
		delta = json_real(rating(now, "overall") - rating(then, "overall"));
	json_object_set_new(out, "rating_delta", delta);
	json_object_set_new(out, "functions", fns ? fns : json_array());
	json_object_set_new(out, "benchmarks", bs ? bs : json_array());
	return out;
}

/* --notify: hand the summary to the notification outbox as a Slack
 * message (the daemons' delivery threads send it, with retries); the
 * webhook is the project's, else PERFGATE_SLACK_WEBHOOK_URL. */
static int enqueue(const struct pf_config *cfg, const char *project, const json_t *s)
{
	struct pf_db_project proj = {0};
	struct pf_notify_settings ns;
	struct pf_err err;
	json_error_t je;
	char *md = NULL, title[300];
	size_t len = 0;
	int rc = 1;
	struct pf_db *db = pf_db_new(cfg->database_url);

	pf_err_clear(&err);
	if (pf_db_project_load(db, project, &proj, &err) != PF_OK) {
		fprintf(stderr, "perfgate nightly: --notify: %s\n", err.msg);
		goto out;
	}
	json_t *settings = json_loads(proj.settings_json, 0, &je);
	pf_notify_settings_get(json_object_get(settings, "notifications"), &ns);
	bool has_hook = ns.slack_webhook_url ? ns.slack_webhook_url[0] != '\0'
	                                     : cfg->slack_webhook_url != NULL;
	json_decref(settings);
	if (!has_hook) {
		fprintf(stderr,
		        "perfgate nightly: --notify: no Slack webhook for %s: set "
		        "notifications.slack_webhook_url (PUT /v1/projects/%s) or "
		        "PERFGATE_SLACK_WEBHOOK_URL\n",
		        project, project);
		goto out;
	}
	FILE *f = open_memstream(&md, &len);
	if (!f)
		goto out;
	print_md(s, f);
	fclose(f);
	snprintf(title, sizeof title, "perfgate nightly: %s/%s", project,
	         json_string_value(json_object_get(s, "branch")));
	/* Slack section text is limited to 3000 characters */
	char section[3001];
	snprintf(section, sizeof section, "%s", md);
	json_t *events = json_pack("[{s:s, s:s, s:s, s:{s:s, s:[{s:s, s:{s:s, s:s}}]}}]", "event",
	                           "slack.message", "target", "slack", "order_key", "nightly",
	                           "payload", "text", title, "blocks", "type", "section", "text",
	                           "type", "mrkdwn", "text", section);
	char *ev = events ? json_dumps(events, JSON_COMPACT) : NULL;
	json_decref(events);
	if (ev && pf_db_outbox_enqueue(db, proj.id, 0, 0, ev, &err) == PF_OK) {
		fprintf(stderr, "perfgate nightly: summary queued for Slack\n");
		rc = 0;
	} else {
		fprintf(stderr, "perfgate nightly: --notify: %s\n", ev ? err.msg : "out of memory");
	}
	free(ev);
out:
	free(md);
	free(proj.settings_json);
	pf_db_free(db);
	return rc;
}

int pf_cli_nightly(int argc, char **argv)
{
	const char *project = NULL, *branch = NULL, *since = "24h", *format = "json";
	bool notify = false;
	struct pf_config cfg;
	struct pf_err err;
	int64_t since_ms;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--notify") == 0) {
			notify = true;
			continue;
		}
		if (!v)
			return usage();
		if (strcmp(a, "--project") == 0)
			project = v;
		else if (strcmp(a, "--branch") == 0)
			branch = v;
		else if (strcmp(a, "--since") == 0)
			since = v;
		else if (strcmp(a, "--format") == 0)
			format = v;
		else
			return usage();
		i++;
	}
	if (!project || (strcmp(format, "json") != 0 && strcmp(format, "markdown") != 0))
		return usage();
	pf_err_clear(&err);
	if (pf_trend_parse_duration(since, "--since", &since_ms, &err) != PF_OK) {
		fprintf(stderr, "perfgate nightly: %s\n", err.msg);
		return 2;
	}
	if (pf_config_load(&cfg, NULL, &err) != PF_OK) {
		fprintf(stderr, "perfgate: configuration error: %s\n", err.msg);
		pf_config_free(&cfg);
		return 1;
	}
	pf_log_configure(cfg.log_level, cfg.log_json);
	if (!cfg.database_url) {
		fprintf(stderr, "perfgate nightly: PERFGATE_DATABASE_URL is not set\n");
		pf_config_free(&cfg);
		return 1;
	}
	struct pf_db *db = pf_db_new(cfg.database_url);
	json_t *s = summary(&cfg, db, project, branch, since_ms);
	pf_db_free(db);
	if (!s) {
		pf_config_free(&cfg);
		return 1;
	}
	if (notify && enqueue(&cfg, project, s) != 0) {
		json_decref(s);
		pf_config_free(&cfg);
		return 1;
	}
	if (strcmp(format, "json") == 0) {
		char *txt = json_dumps(s, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
		                                  JSON_REAL_PRECISION(10));
		puts(txt);
		free(txt);
	} else {
		print_md(s, stdout);
	}
	json_decref(s);
	pf_config_free(&cfg);
	return 0;
}
