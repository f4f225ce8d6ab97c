/* report_json.c: the parts of the report JSON (DESIGN §4 "Report") that are
 * not gate decisions: the head (run, project, baseline), the links, the
 * change lists in the analyzer's `name: A% -> B% (D% regression)` form and
 * the benchmark table. Ordering is deterministic: biggest change first,
 * then name. Pure: no I/O. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gate_int.h"

json_t *pf_report_num(double v)
{
	if (!isfinite(v))
		return json_null();
	if (v == floor(v) && fabs(v) < 9007199254740992.0)
		return json_integer((json_int_t)v);
	return json_real(v);
}

double pf_report_r1(double v)
{
	return round(v * 10.0) / 10.0;
}

double pf_report_r2(double v)
{
	return round(v * 100.0) / 100.0;
}

static json_t *str_or_null(const char *s)
{
	return s ? pf_json_text(s) : json_null();
}

json_t *pf_report_header(const struct pf_report_meta *meta, bool has_baseline)
{
	static const struct pf_report_meta none;
	const struct pf_report_meta *m = meta ? meta : &none;
	json_t *baseline = json_null();
	if (has_baseline) {
		json_t *runs = json_array(), *commits = json_array();
		for (size_t i = 0; i < m->n_baseline; i++) {
			if (m->baseline_runs)
				json_array_append_new(runs, json_integer(m->baseline_runs[i]));
			if (m->baseline_commits)
				json_array_append_new(commits, str_or_null(m->baseline_commits[i]));
		}
		baseline = json_pack("{s:o, s:o, s:o}", "branch", str_or_null(m->base_branch),
		                     "runs", runs, "commits", commits);
	}
	return json_pack("{s:o, s:o, s:o, s:o, s:o}", "run_id",
	                 m->run_id > 0 ? json_integer(m->run_id) : json_null(), "project",
	                 str_or_null(m->project), "branch", str_or_null(m->branch), "commit",
	                 str_or_null(m->commit), "baseline", baseline);
}

json_t *pf_report_links(const struct pf_report_meta *meta)
{
	static const char *const suffix[3] = {"", "/comment.md", "/junit.xml"};
	static const char *const key[3] = {"self", "comment", "junit"};
	json_t *l = json_object();
	for (int i = 0; i < 3; i++) {
		json_t *v = json_null();
		if (meta && meta->run_id > 0) {
			const char *base = meta->public_url ? meta->public_url : "";
			size_t n = strlen(base);
			while (n && base[n - 1] == '/')
				n--;
			char buf[1200];
			snprintf(buf, sizeof buf, "%.*s/v1/runs/%lld%s", (int)(n < 1000 ? n : 1000),
			         base, (long long)meta->run_id, suffix[i]);
			v = pf_json_text(buf);
		}
		json_object_set_new(l, key[i], v);
	}
	return l;
}

json_t *pf_report_bench_config(const struct pf_bench_cmp *c, const struct pf_bench_row *r)
{
	const struct pf_bench_config *cf = &c->configs[c->tables[r->table].config];
	json_t *cfg = json_object();
	for (size_t i = 0; cfg && i < cf->n; i++)
		json_object_set_new(cfg, cf->keys[i], pf_json_text(cf->values[i]));
	return cfg;
}

/* "name: A% -> B% (D% regression|improvement)", one decimal. */
static json_t *change_text(const struct pf_profdiff_row *r)
{
	size_t n = strlen(r->name) + 96;
	char *s = malloc(n);
	if (!s)
		return NULL;
	snprintf(s, n, "%s: %.1f%% -> %.1f%% (%.1f%% %s)", r->name, r->base_pct, r->cand_pct,
	         fabs(r->delta_pts), r->delta_pts > 0 ? "regression" : "improvement");
	json_t *j = pf_json_text(s);
	free(s);
	return j;
}

/* Listed changes of a diff (rows are already |delta| desc, then name). */
static bool profile_lists(const struct pf_gate_data *g, const struct pf_profdiff *d, json_t *impr,
                          json_t *reg, json_t *fresh)
{
	for (size_t i = 0; d && i < d->n_rows; i++) {
		const struct pf_profdiff_row *r = &d->rows[i];
		int l = pf_gate_fn_listed(d, r, g->pol);
		if (l && json_array_append_new(l > 0 ? reg : impr, change_text(r)) != 0)
			return false;
		if (fresh && r->base_pct < 0.5 &&
		    pf_gate_above(r->cand_pct, g->pol->new_hotspot_min) &&
		    json_array_append_new(fresh, change_text(r)) != 0)
			return false;
	}
	return true;
}

/* No profile pair of a kind: the analyzer's own lists stand in for ours,
 * so `jq '.cpu_regressions | length'` keeps meaning what it meant. */
static bool analyzer_lists(const json_t *an, const char *kind, json_t *impr, json_t *reg,
                           json_t *notes)
{
	char ki[64], kr[64];
	snprintf(ki, sizeof ki, "%s_improvements", kind);
	snprintf(kr, sizeof kr, "%s_regressions", kind);
	const json_t *ai = json_object_get(an, ki), *ar = json_object_get(an, kr);
	if (!json_is_array(ai) && !json_is_array(ar))
		return true;
	if (json_is_array(ai) && json_array_extend(impr, (json_t *)ai) != 0)
		return false;
	if (json_is_array(ar) && json_array_extend(reg, (json_t *)ar) != 0)
		return false;
	char note[200];
	snprintf(note, sizeof note,
	         "%s and %s are the analyzer report's: no %s profile pair was compared", ki, kr,
	         strcmp(kind, "cpu") == 0 ? "cpu" : "heap");
	return json_array_append_new(notes, json_string(note)) == 0;
}

/* Benchmark rows: table order (configuration, unit); inside a table
 * |delta| desc (unknown last), then name. */
static int cmp_row(const void *a, const void *b)
{
	const struct pf_bench_row *l = *(const struct pf_bench_row *const *)a;
	const struct pf_bench_row *r = *(const struct pf_bench_row *const *)b;
	if (l->table != r->table)
		return l->table < r->table ? -1 : 1;
	bool kl = l->has_base && l->has_cand && isfinite(l->delta_pct);
	bool kr = r->has_base && r->has_cand && isfinite(r->delta_pct);
	if (kl != kr)
		return kl ? -1 : 1;
	if (kl && fabs(l->delta_pct) != fabs(r->delta_pct))
		return fabs(l->delta_pct) > fabs(r->delta_pct) ? -1 : 1;
	return strcmp(l->name, r->name);
}

static json_t *bench_entry(const struct pf_bench_cmp *c, const struct pf_bench_row *r,
                           const struct pf_policy *pol)
{
	bool both = r->has_base && r->has_cand;
	int l = both ? pf_gate_bench_listed(r, pol) : 0;
	json_t *o = json_pack(
	        "{s:o, s:o, s:o, s:o, s:o, s:o, s:[I,I], s:b, s:b, s:o}", "name",
	        pf_json_text(r->name), "unit", pf_json_text(r->unit), "base",
	        r->has_base ? pf_report_num(r->base.median) : json_null(), "cand",
	        r->has_cand ? pf_report_num(r->cand.median) : json_null(), "delta_pct",
	        both ? pf_report_num(pf_report_r2(r->delta_pct)) : json_null(), "p_value",
	        both ? pf_report_num(r->p_value) : json_null(), "n",
	        (json_int_t)(r->has_base ? r->base.n : 0),
	        (json_int_t)(r->has_cand ? r->cand.n : 0), "significant", both && r->significant,
	        "insufficient_samples", both && r->insufficient_samples, "change",
	        l > 0   ? json_string("regression")
	        : l < 0 ? json_string("improvement")
	                : json_null());
	if (o && c->nconfigs > 1)
		json_object_set_new(o, "config", pf_report_bench_config(c, r));
	return o;
}

static bool bench_table(const struct pf_gate_data *g, json_t *arr)
{
	const struct pf_bench_cmp *c = g->bench;
	if (!c)
		return true;
	const struct pf_bench_row **v = malloc((c->nrows + 1) * sizeof *v);
	if (!v)
		return false;
	for (size_t i = 0; i < c->nrows; i++)
		v[i] = &c->rows[i];
	qsort(v, c->nrows, sizeof *v, cmp_row);
	bool ok = true;
	for (size_t i = 0; ok && i < c->nrows; i++)
		ok = json_array_append_new(arr, bench_entry(c, v[i], g->pol)) == 0;
	free(v);
	return ok;
}

bool pf_report_lists(const struct pf_gate_data *g, json_t *report, json_t *notes)
{
	static const char *const keys[6] = {"cpu_improvements",   "cpu_regressions",
	                                    "alloc_improvements", "alloc_regressions",
	                                    "new_hotspots",       "bench"};
	json_t *v[6];
	for (int i = 0; i < 6; i++)
		if (json_object_set_new(report, keys[i], v[i] = json_array()) != 0 || !v[i])
			return false;
	return profile_lists(g, g->cpu, v[0], v[1], v[4]) &&
	       profile_lists(g, g->heap, v[2], v[3], NULL) &&
	       (!g->in->analyzer || g->cpu ||
	        analyzer_lists(g->in->analyzer, "cpu", v[0], v[1], notes)) &&
	       (!g->in->analyzer || g->heap ||
	        analyzer_lists(g->in->analyzer, "alloc", v[2], v[3], notes)) &&
	       bench_table(g, v[5]);
}
