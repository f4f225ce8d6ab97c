/* h_upload.c: POST /v1/projects/{p}/runs — the CI upload (DESIGN §5):
 * parse the form, decode the files, load the baseline, evaluate the gates,
 * store everything in one transaction, answer 201 with the report. A bad
 * request never stores anything. */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "daemon.h"
#include "notifier.h"
#include "parse.h"
#include "pf_mem.h"
#include "upload.h"

struct upload {
	const char *project;
	const char *branch, *commit, *base_branch, *ci_url, *runner;
	int pr;
	struct pf_policy_layer request;
	const struct pf_form_part *file[4]; /* cpu, heap, bench, report */
};

static const char *const file_fields[4] = {"cpu", "heap", "bench", "report"};
enum { F_CPU, F_HEAP, F_BENCH, F_REPORT };

/* A text field: at most max bytes of printable characters. */
static enum pf_code text_field(const struct pf_form_part *p, size_t max, const char **out,
                               struct pf_err *err)
{
	if (p->is_file)
		return pf_err_set(err, PF_E_BAD_REQUEST, p->name,
		                  "%s must be a text field (-F %s=value), not a file", p->name,
		                  p->name);
	if (p->data.len == 0 || p->data.len > max)
		return pf_err_set(err, PF_E_BAD_REQUEST, p->name, "%s must be 1 to %zu bytes long",
		                  p->name, max);
	for (size_t i = 0; i < p->data.len; i++) {
		unsigned char c = (unsigned char)p->data.data[i];
		if (c < 0x20 || c == 0x7f)
			return pf_err_set(err, PF_E_BAD_REQUEST, p->name,
			                  "%s has a control character at byte %zu", p->name, i);
	}
	*out = p->data.data;
	return PF_OK;
}

static enum pf_code parse_form(struct pf_req *req, struct upload *u, struct pf_err *err)
{
	const struct pf_form *f = &req->form;
	enum pf_code rc = PF_OK;
	bool any_file = false;

	for (int i = 0; i < f->n && rc == PF_OK; i++) {
		const struct pf_form_part *p = &f->parts[i];
		const char *v = NULL;
		int k;
		for (k = 0; k < 4; k++)
			if (strcmp(p->name, file_fields[k]) == 0)
				break;
		if (k < 4) {
			u->file[k] = p;
			any_file = true;
		} else if (strcmp(p->name, "branch") == 0) {
			rc = text_field(p, 255, &u->branch, err);
		} else if (strcmp(p->name, "commit") == 0) {
			rc = text_field(p, 100, &u->commit, err);
		} else if (strcmp(p->name, "base_branch") == 0) {
			rc = text_field(p, 255, &u->base_branch, err);
		} else if (strcmp(p->name, "ci_url") == 0) {
			rc = text_field(p, 2048, &u->ci_url, err);
		} else if (strcmp(p->name, "runner") == 0) {
			rc = text_field(p, 255, &u->runner, err);
		} else if (strcmp(p->name, "pr") == 0) {
			int64_t n;
			rc = text_field(p, 12, &v, err);
			if (rc == PF_OK && (!pf_parse_i64(v, &n) || n <= 0 || n > 2147483647))
				rc = pf_err_set(
				        err, PF_E_BAD_REQUEST, "pr",
				        "pr must be a positive pull request number, not '%s'", v);
			u->pr = rc == PF_OK ? (int)n : 0;
		} else if (strncmp(p->name, "AI_GATE_", 8) == 0) {
			rc = text_field(p, 64, &v, err);
			if (rc == PF_OK)
				rc = pf_policy_layer_set(&u->request, p->name, v, err);
		} else {
			rc = pf_err_set(err, PF_E_BAD_REQUEST, p->name,
			                "unknown form field '%s' (files: cpu, heap, bench, report; "
			                "text: branch, commit, base_branch, pr, ci_url, runner, "
			                "AI_GATE_*)",
			                p->name);
		}
	}
	if (rc)
		return rc;
	if (!any_file)
		return pf_err_set(err, PF_E_BAD_REQUEST, "cpu",
		                  "no file uploaded: send at least one of cpu, heap, bench, report "
		                  "(-F cpu=@cpu.prof)");
	if (!u->branch)
		return pf_err_set(err, PF_E_BAD_REQUEST, "branch",
		                  "branch is required (-F branch=\"$BRANCH\")");
	return PF_OK;
}

/* fail_on=fail|warn: 422 when the verdict is at least that bad. */
static enum pf_code parse_fail_on(struct pf_req *req, int *level, struct pf_err *err)
{
	const char *f = pf_req_query(req, "fail_on");
	*level = 99;
	if (!f)
		return PF_OK;
	if (strcmp(f, "fail") == 0)
		*level = PF_VERDICT_FAIL;
	else if (strcmp(f, "warn") == 0)
		*level = PF_VERDICT_WARN;
	else
		return pf_err_set(err, PF_E_BAD_REQUEST, "fail_on",
		                  "fail_on must be fail or warn, not '%.40s'", f);
	return PF_OK;
}

static int verdict_level(const char *v)
{
	if (v && strcmp(v, "fail") == 0)
		return PF_VERDICT_FAIL;
	if (v && strcmp(v, "warn") == 0)
		return PF_VERDICT_WARN;
	return PF_VERDICT_PASS;
}

/* Reply with a report (text) of that verdict, status 201 or 200, or 422
 * under fail_on. */
static void reply_report(struct pf_req *req, struct pf_reply *reply, char *report, int64_t id,
                         const char *verdict, int status, int fail_level)
{
	char loc[64];
	if (verdict_level(verdict) >= fail_level)
		status = 422;
	pf_reply_take(reply, status, "application/json", report, strlen(report));
	snprintf(loc, sizeof loc, "/v1/runs/%lld", (long long)id);
	pf_reply_header(req, reply, "Location", loc);
}

static enum pf_code decode_inputs(struct pf_req *req, struct upload *u, struct pf_gate_input *in,
                                  json_t **analyzer, struct pf_err *err)
{
	size_t max_profile = (size_t)req->d->cfg.max_profile_mb * 1024 * 1024;
	struct pf_functab *ft;
	enum pf_code rc;

	if (u->file[F_CPU]) {
		rc = pf_upload_profile((const uint8_t *)u->file[F_CPU]->data.data,
		                       u->file[F_CPU]->data.len, "cpu", max_profile, &req->arena,
		                       &ft, err);
		if (rc)
			return rc;
		in->cand_cpu = ft;
	}
	if (u->file[F_HEAP]) {
		rc = pf_upload_profile((const uint8_t *)u->file[F_HEAP]->data.data,
		                       u->file[F_HEAP]->data.len, "heap", max_profile, &req->arena,
		                       &ft, err);
		if (rc)
			return rc;
		in->cand_heap = ft;
	}
	if (u->file[F_BENCH]) {
		struct pf_benchset *raw, *canon;
		rc = pf_bench_parse(u->file[F_BENCH]->data.data, u->file[F_BENCH]->data.len, NULL,
		                    &req->arena, &raw, err);
		if (rc == PF_OK)
			rc = pf_bench_canonical(raw, &req->arena, &canon, err);
		if (rc) {
			snprintf(err->field, sizeof err->field, "bench");
			pf_err_prefix(err, "bench");
			return rc;
		}
		in->cand_bench = canon;
	}
	if (u->file[F_REPORT]) {
		rc = pf_analyzer_parse(u->file[F_REPORT]->data.data, u->file[F_REPORT]->data.len,
		                       analyzer, err);
		if (rc) {
			snprintf(err->field, sizeof err->field, "report");
			return rc;
		}
		in->analyzer = *analyzer;
	}
	return PF_OK;
}

enum pf_code pf_h_run_upload(struct pf_req *req, struct pf_reply *reply, struct pf_err *err)
{
	struct upload u;
	struct pf_gate_input in;
	struct pf_gate_outcome out = {0};
	struct pf_db_project proj = {0};
	struct pf_policy policy;
	struct pf_db_baseline_run base[100];
	int64_t base_ids[100];
	const char *base_commits[100];
	size_t nbase = 0;
	json_t *analyzer = NULL, *settings = NULL;
	struct pf_db *db = pf_req_db(req);
	const char *idem = pf_req_header(req, "Idempotency-Key");
	char *report = NULL, *gates = NULL;
	char *notify = NULL, verdict[8];
	const char *notes[2];
	size_t nnotes = 0;
	int fail_level;
	int64_t id;
	bool arrays_made = false; /* row's arrays to free */
	enum pf_code rc;

	memset(&u, 0, sizeof u);
	memset(&in, 0, sizeof in);
	u.project = pf_req_param(req, "p");
	if (!pf_valid_project_name(u.project))
		return pf_err_set(err, PF_E_BAD_REQUEST, "project",
		                  "invalid project name '%.64s': use 1-64 of A-Z a-z 0-9 . _ - "
		                  "starting with a letter or digit",
		                  u.project);
	rc = parse_fail_on(req, &fail_level, err);
	if (rc)
		return rc;
	if (idem && (strlen(idem) == 0 || strlen(idem) > 255))
		return pf_err_set(err, PF_E_BAD_REQUEST, "Idempotency-Key",
		                  "Idempotency-Key must be 1 to 255 bytes");
	rc = parse_form(req, &u, err);
	if (rc)
		return rc;
	if (idem) {
		/* a retried upload: answer with the first run */
		rc = pf_db_run_by_idem(db, u.project, idem, &id, verdict, &report, err);
		if (rc == PF_OK) {
			reply_report(req, reply, report, id, verdict, 200, fail_level);
			return PF_OK;
		}
		if (rc != PF_E_NOT_FOUND)
			return rc;
	}
	rc = decode_inputs(req, &u, &in, &analyzer, err);
	if (rc)
		goto done;

	/* the project (created on first upload, with the default settings) */
	rc = pf_db_project_load(db, u.project, &proj, err);
	if (rc == PF_E_NOT_FOUND) {
		snprintf(proj.default_branch, sizeof proj.default_branch, "main");
		proj.id = 0;
		rc = PF_OK;
	}
	if (rc)
		goto done;
	if (proj.settings_json) {
		json_error_t je;
		settings = json_loads(proj.settings_json, 0, &je);
	}
	rc = pf_upload_policy(&req->d->cfg, settings, &u.request, &policy, err);
	if (rc)
		goto done;
	if (!u.base_branch)
		u.base_branch = proj.default_branch;

	/* the baseline window: the latest promoted runs of the base branch */
	if (proj.id) {
		rc = pf_db_baseline_runs(db, proj.id, u.base_branch, policy.baseline_runs, base,
		                         &nbase, err);
		if (rc)
			goto done;
	}
	for (size_t i = 0; i < nbase; i++) {
		base_ids[i] = base[i].id;
		base_commits[i] = base[i].commit;
	}
	/* as `perfgate gate`: an analyzer report alone is its own comparison */
	in.has_baseline = nbase > 0 || (!in.cand_cpu && !in.cand_heap && !in.cand_bench);
	if (nbase > 0) {
		struct pf_functab *t;
		struct pf_benchset *b;
		if (in.cand_cpu) {
			rc = pf_upload_baseline_functab(db, req->d->basecache, base_ids, nbase,
			                                "cpu", &req->arena, &t, err);
			if (rc)
				goto done;
			in.base_cpu = t;
		}
		if (in.cand_heap) {
			rc = pf_upload_baseline_functab(db, req->d->basecache, base_ids, nbase,
			                                "heap", &req->arena, &t, err);
			if (rc)
				goto done;
			in.base_heap = t;
		}
		if (in.cand_bench) {
			rc = pf_upload_baseline_bench(db, req->d->basecache, base_ids, nbase,
			                              &req->arena, &b, err);
			if (rc)
				goto done;
			in.base_bench = b;
		}
		if (u.runner && base[0].runner[0] && strcmp(u.runner, base[0].runner) != 0)
			notes[nnotes++] = pf_arena_printf(&req->arena,
			                                  "runner '%s' differs from the baseline's "
			                                  "runner '%s': timings may not compare",
			                                  u.runner, base[0].runner);
	}

	rc = pf_db_next_run_id(db, &id, err);
	if (rc)
		goto done;
	struct pf_report_meta meta = {
	        .run_id = id,
	        .project = u.project,
	        .branch = u.branch,
	        .commit = u.commit,
	        .base_branch = u.base_branch,
	        .baseline_runs = base_ids,
	        .baseline_commits = base_commits,
	        .n_baseline = nbase,
	        .public_url = req->d->cfg.public_url,
	        .notes = notes,
	        .n_notes = nnotes,
	};
	rc = pf_gate_evaluate(&in, &policy, &meta, &req->arena, &out, err);
	if (rc)
		goto done;

	/* the rows of the store */
	struct pf_db_run_row row = {
	        .id = id,
	        .project = u.project,
	        .branch = u.branch,
	        .commit = u.commit,
	        .base_branch = u.base_branch,
	        .ci_url = u.ci_url,
	        .runner = u.runner,
	        .idem_key = idem,
	        .pr = u.pr,
	        .verdict = pf_verdict_name(out.verdict),
	        .ratings = {out.rating_cpu, out.rating_memory, out.rating_bench,
	                    out.rating_overall},
	        .auto_promote = true,
	};
	report = json_dumps(out.report,
	                    JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
	gates = json_dumps(json_object_get(out.report, "gates"), JSON_COMPACT);
	if (!report || !gates) {
		rc = pf_err_set(err, PF_E_NOMEM, NULL, "cannot render the report");
		goto done;
	}
	row.report_json = report;
	row.summary = json_string_value(json_object_get(out.report, "summary"));
	row.gates_json = gates;
	for (int k = 0; k < 4; k++) {
		if (!u.file[k])
			continue;
		row.art_kind[row.n_artifacts] = file_fields[k];
		row.art_data[row.n_artifacts] = (const uint8_t *)u.file[k]->data.data;
		row.art_len[row.n_artifacts] = u.file[k]->data.len;
		row.n_artifacts++;
	}
	const struct pf_functab *tabs[2] = {in.cand_cpu, in.cand_heap}, *present[2];
	static const char *const kinds[2] = {"cpu", "heap"};
	for (int k = 0; k < 2; k++) {
		if (!tabs[k])
			continue;
		size_t i = row.n_profiles++;
		present[i] = tabs[k];
		row.prof_kind[i] = kinds[k];
		snprintf(row.prof_totals[i].sample_index, sizeof row.prof_totals[i].sample_index,
		         "%s", tabs[k]->sample_index);
		snprintf(row.prof_totals[i].unit, sizeof row.prof_totals[i].unit, "%s",
		         tabs[k]->unit);
		row.prof_totals[i].total = tabs[k]->total;
		row.prof_totals[i].total_samples = tabs[k]->total_samples;
	}
	rc = pf_upload_fstats_arrays(present, row.prof_kind, row.n_profiles, row.fstats, err);
	arrays_made = true;
	if (rc == PF_OK)
		rc = pf_upload_bstats_arrays(in.cand_bench, out.bench, &req->arena, row.bstats,
		                             err);
	if (rc)
		goto done;
	/* notifications: enqueued in the run's transaction, sent later by
	 * the delivery thread (never from this request) */
	struct pf_notify_settings ns;
	pf_notify_settings_get(json_object_get(settings, "notifications"), &ns);
	json_t *plan = pf_notify_plan(out.report, &ns, req->d->cfg.slack_webhook_url != NULL, u.pr);
	if (json_array_size(plan) > 0)
		notify = json_dumps(plan, JSON_COMPACT);
	json_decref(plan);
	row.notify_json = notify;
	row.issue_repo = ns.github_repository;
	row.issue_after = ns.issue_after;
	bool promoted = false;
	rc = pf_db_run_store(db, &row, &promoted, err);
	if (rc == PF_E_CONFLICT && idem) {
		/* the same key won a race meanwhile: answer with that run */
		char *first;
		free(report);
		report = NULL;
		rc = pf_db_run_by_idem(db, u.project, idem, &id, verdict, &first, err);
		if (rc == PF_OK)
			reply_report(req, reply, first, id, verdict, 200, fail_level);
		goto done;
	}
	if (rc)
		goto done;
	if (row.notify_json || row.issue_repo) /* it may have enqueued something */
		pf_notifier_kick(req->d->notifier);
	pf_metrics_verdict(pf_verdict_name(out.verdict));
	pf_req_log(req, PF_LOG_INFO, "run %lld of %s/%s: %s%s", (long long)id, u.project, u.branch,
	           pf_verdict_name(out.verdict), promoted ? " (promoted to baseline)" : "");
	reply_report(req, reply, report, id, pf_verdict_name(out.verdict), 201, fail_level);
	report = NULL; /* owned by the reply */
done:
	free(notify);
	free(report);
	free(gates);
	for (int a = 0; arrays_made && a < PF_DB_FSTATS; a++)
		pf_db_array_free(&row.fstats[a]);
	for (int a = 0; arrays_made && a < 8; a++)
		pf_db_array_free(&row.bstats[a]);
	free(proj.settings_json);
	json_decref(settings);
	json_decref(analyzer);
	json_decref(out.report);
	return rc;
}
