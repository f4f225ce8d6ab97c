/* gate.c: pf_gate_evaluate: compares the two sides (profile diffs, the
 * benchmark comparison), evaluates the five gates of DESIGN §4 under the
 * effective modes, decides the verdict and assembles the report JSON.
 * Pure: no I/O, no logging, no clock. Decisions are in docs/gates.md:
 *  - thresholds are strict (a change equal to one passes, within 1e-9);
 *  - cpu_hotspot needs p <= alpha / n_tests (Bonferroni over every
 *    function with a p-value); without sample counts the threshold alone;
 *  - alloc_regression: threshold alone (heap profiles have no counts);
 *  - bench_slowdown: unit sec/op only (B/s, B/op, custom units are
 *    reported, never gated); p <= alpha, or insufficient_samples;
 *  - new_hotspot: CPU only (a new allocation site is alloc_regression's);
 *  - rating: the lower of our overall and the analyzer's; ratings compare
 *    after rounding to one decimal;
 *  - no baseline: every gate skipped with reason "no baseline", pass. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "gate_int.h"

#define REASON_ITEMS 5 /* violations named in one reason sentence */

struct gate_res {
	enum pf_gate_mode mode;
	const char *status; /* pass, fail, warn, skipped, off */
	const char *reason; /* skipped only */
	double threshold;
	json_t *violations;
	struct pf_buf sentence; /* the reason sentence when violated */
};

const char *pf_verdict_name(enum pf_verdict v)
{
	switch (v) {
	case PF_VERDICT_PASS:
		return "pass";
	case PF_VERDICT_WARN:
		return "warn";
	case PF_VERDICT_FAIL:
		return "fail";
	}
	return "pass";
}

static json_t *fn_violation(const struct pf_profdiff_row *r)
{
	return json_pack("{s:o, s:o, s:o, s:o, s:o}", "function", pf_json_text(r->name), "base",
	                 pf_report_num(pf_report_r2(r->base_pct)), "cand",
	                 pf_report_num(pf_report_r2(r->cand_pct)), "delta",
	                 pf_report_num(pf_report_r2(r->delta_pts)), "p_value",
	                 pf_report_num(r->p_value));
}

/* Start or continue a reason sentence: "Title: item; item; ... and N more". */
static void sentence_item(struct gate_res *gr, const char *title, size_t i, size_t n,
                          const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void sentence_item(struct gate_res *gr, const char *title, size_t i, size_t n,
                          const char *fmt, ...)
{
	char item[512];
	va_list ap;
	if (i >= REASON_ITEMS) {
		if (i == REASON_ITEMS)
			pf_buf_printf(&gr->sentence, "; and %zu more", n - REASON_ITEMS);
		return;
	}
	va_start(ap, fmt);
	vsnprintf(item, sizeof item, fmt, ap);
	va_end(ap);
	pf_buf_printf(&gr->sentence, "%s%s", i == 0 ? title : "; ", item);
	(void)n;
}

/* Profile gates: cpu_hotspot (significance), alloc_regression, new_hotspot. */
static void eval_profile(struct gate_res *gr, enum pf_gate_id id, const struct pf_profdiff *d,
                         const struct pf_policy *pol)
{
	size_t n = 0, k = 0;
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < d->n_rows; i++) {
			const struct pf_profdiff_row *r = &d->rows[i];
			bool hit;
			if (id == PF_GATE_NEW_HOTSPOT)
				hit = r->base_pct < 0.5 &&
				      pf_gate_above(r->cand_pct, gr->threshold);
			else
				hit = pf_gate_above(r->delta_pts, gr->threshold) &&
				      (id != PF_GATE_CPU ||
				       pf_gate_fn_significant(d, r, pol->alpha));
			if (!hit)
				continue;
			if (pass == 0) {
				n++;
				continue;
			}
			json_array_append_new(gr->violations, fn_violation(r));
			if (id == PF_GATE_NEW_HOTSPOT)
				sentence_item(gr, "New hotspot: ", k++, n,
				              "%s %.1f%% -> %.1f%% (> %g%% flat, base < 0.5%%)",
				              r->name, r->base_pct, r->cand_pct, gr->threshold);
			else
				sentence_item(gr,
				              id == PF_GATE_CPU ? "CPU hotspot regression: "
				                                : "Allocation regression: ",
				              k++, n, "%s %.1f%% -> %.1f%% (+%.1f points > %g)",
				              r->name, r->base_pct, r->cand_pct, r->delta_pts,
				              gr->threshold);
		}
	}
}

static int cmp_bench_rise(const void *a, const void *b)
{
	const struct pf_bench_row *const *l = a, *const *r = b;
	double x = pf_gate_bench_rise(*l), y = pf_gate_bench_rise(*r);
	if (x != y)
		return x > y ? -1 : 1;
	return strcmp((*l)->name, (*r)->name);
}

/* bench_slowdown: sec/op rows rising by more than the threshold with
 * p <= alpha or insufficient samples. */
static bool eval_bench(struct gate_res *gr, const struct pf_bench_cmp *c)
{
	const struct pf_bench_row **hits = calloc(c->nrows + 1, sizeof *hits);
	size_t n = 0, timed = 0;
	if (!hits)
		return false;
	for (size_t i = 0; i < c->nrows; i++) {
		const struct pf_bench_row *r = &c->rows[i];
		if (!pf_gate_bench_timed(r))
			continue;
		timed++;
		double rise = pf_gate_bench_rise(r);
		if (!isnan(rise) && pf_gate_above(rise, gr->threshold) &&
		    (r->significant || r->insufficient_samples))
			hits[n++] = r;
	}
	qsort(hits, n, sizeof *hits, cmp_bench_rise);
	for (size_t i = 0; i < n; i++) {
		const struct pf_bench_row *r = hits[i];
		json_t *v = json_pack(
		        "{s:o, s:s, s:o, s:o, s:o, s:o, s:[I,I], s:b}", "benchmark",
		        pf_json_text(r->name), "unit", r->unit, "base",
		        pf_report_num(r->base.median), "cand", pf_report_num(r->cand.median),
		        "delta_pct", pf_report_num(pf_report_r2(r->delta_pct)), "p_value",
		        pf_report_num(r->p_value), "n", (json_int_t)r->base.n,
		        (json_int_t)r->cand.n, "insufficient_samples", r->insufficient_samples);
		if (v && c->nconfigs > 1)
			json_object_set_new(v, "config", pf_report_bench_config(c, r));
		json_array_append_new(gr->violations, v);
		if (r->insufficient_samples)
			sentence_item(gr, "Benchmark slowdown: ", i, n,
			              "%s %+.1f%% %s (> %g%%; %zu vs %zu runs: too few for a "
			              "significance test, threshold alone)",
			              r->name, r->delta_pct, r->unit, gr->threshold, r->base.n,
			              r->cand.n);
		else
			sentence_item(gr, "Benchmark slowdown: ", i, n,
			              "%s %+.1f%% %s (> %g%%, p=%.2g)", r->name, r->delta_pct,
			              r->unit, gr->threshold, r->p_value);
	}
	free(hits);
	if (timed == 0)
		gr->reason = "no sec/op benchmark in both sides";
	return true;
}

static double analyzer_overall(const json_t *an)
{
	const json_t *v = json_object_get(json_object_get(an, "rating"), "overall");
	return json_is_number(v) ? json_number_value(v) : NAN;
}

static void eval_rating(struct gate_res *gr, double ours, double theirs)
{
	if (isnan(ours) && isnan(theirs)) {
		gr->reason = "nothing to rate: no profile or benchmark pair and no analyzer rating";
		return;
	}
	double low = isnan(ours) ? theirs : isnan(theirs) ? ours : fmin(ours, theirs);
	low = pf_report_r1(low);
	if (!(low < gr->threshold - PF_GATE_EPS * fmax(1.0, gr->threshold)))
		return;
	json_array_append_new(gr->violations,
	                      json_pack("{s:o, s:o, s:o}", "rating", pf_report_num(low), "ours",
	                                pf_report_num(ours), "analyzer", pf_report_num(theirs)));
	pf_buf_printf(&gr->sentence, "Rating %.1f < %g", low, gr->threshold);
	if (!isnan(ours) && !isnan(theirs))
		pf_buf_printf(&gr->sentence, " (ours %.1f, analyzer %.1f)", ours, theirs);
	else if (!isnan(theirs))
		pf_buf_printf(&gr->sentence, " (the analyzer's)");
}

static const char *side_reason(const void *base, const void *cand, const char *what, char *buf,
                               size_t cap)
{
	if (base && cand)
		return NULL;
	snprintf(buf, cap, "no %s %s", what,
	         !base && !cand ? "on either side"
	         : !base        ? "in the baseline"
	                        : "in the candidate");
	return buf;
}

/* The diff of one profile field, or why its baseline cannot be compared
 * (a profile of another kind uploaded under that field once). */
static enum pf_code diff_field(const char *field, const struct pf_functab *b,
                               const struct pf_functab *c, struct pf_arena *a,
                               struct pf_profdiff **out, struct pf_err *err)
{
	if (strcmp(b->sample_index, c->sample_index) != 0 || strcmp(b->unit, c->unit) != 0)
		return pf_err_set(
		        err, PF_E_BAD_REQUEST, field,
		        "%s: the baseline's profile is %s/%s, this one %s/%s: they cannot "
		        "be compared (upload each profile under its own field; promoting "
		        "another run replaces a baseline of the wrong kind)",
		        field, b->sample_index, b->unit, c->sample_index, c->unit);
	return pf_profdiff_build(b, c, a, out, err);
}

/* Compute the diffs and the benchmark comparison of the sides present. */
static enum pf_code compare(struct pf_gate_data *g, struct pf_arena *a, struct pf_err *err)
{
	const struct pf_gate_input *in = g->in;
	enum pf_code rc;
	if (!in->has_baseline)
		return PF_OK;
	if (in->base_cpu && in->cand_cpu &&
	    (rc = diff_field("cpu", in->base_cpu, in->cand_cpu, a, &g->cpu, err)) != PF_OK)
		return rc;
	if (in->base_heap && in->cand_heap &&
	    (rc = diff_field("heap", in->base_heap, in->cand_heap, a, &g->heap, err)) != PF_OK)
		return rc;
	if (in->base_bench && in->cand_bench) {
		struct pf_bench_opts o;
		pf_bench_opts_default(&o);
		o.alpha = g->pol->alpha;
		rc = pf_bench_compare(in->base_bench, in->cand_bench, &o, a, &g->bench, err);
		if (rc)
			return rc;
	}
	return PF_OK;
}

static void eval_gate(enum pf_gate_id id, struct gate_res *gr, const struct pf_gate_data *g,
                      const struct pf_gate_outcome *o, char *rbuf, size_t rcap, bool *ok)
{
	const struct pf_gate_input *in = g->in;
	const struct pf_policy *pol = g->pol;
	const double th[PF_GATE__COUNT] = {pol->cpu_reg_max, pol->mem_reg_max, pol->bench_slow_max,
	                                   pol->min_rating, pol->new_hotspot_min};
	gr->mode = pol->mode[id];
	gr->threshold = th[id];
	gr->status = "pass";
	if (gr->mode == PF_MODE_OFF) {
		gr->status = "off";
		return;
	}
	if (!in->has_baseline) {
		gr->reason = "no baseline";
	} else if (id == PF_GATE_CPU || id == PF_GATE_NEW_HOTSPOT) {
		gr->reason = side_reason(in->base_cpu, in->cand_cpu, "cpu profile", rbuf, rcap);
		if (!gr->reason)
			eval_profile(gr, id, g->cpu, pol);
	} else if (id == PF_GATE_ALLOC) {
		gr->reason = side_reason(in->base_heap, in->cand_heap, "heap profile", rbuf, rcap);
		if (!gr->reason)
			eval_profile(gr, id, g->heap, pol);
	} else if (id == PF_GATE_BENCH) {
		gr->reason = side_reason(in->base_bench, in->cand_bench, "benchmark results", rbuf,
		                         rcap);
		if (!gr->reason)
			*ok = eval_bench(gr, g->bench) && *ok;
	} else {
		eval_rating(gr, o->rating_overall, analyzer_overall(in->analyzer));
	}
	if (gr->reason)
		gr->status = "skipped";
	else if (json_array_size(gr->violations))
		gr->status = gr->mode == PF_MODE_HARD ? "fail" : "warn";
	if (gr->sentence.len && gr->mode == PF_MODE_SOFT)
		pf_buf_puts(&gr->sentence, " (soft: warning only)");
}

static void summarize(const struct gate_res *gr, const struct pf_gate_outcome *o,
                      const struct pf_gate_input *in, const struct pf_report_meta *meta,
                      struct pf_buf *s)
{
	size_t nf = 0, nw = 0;
	if (!in->has_baseline) {
		pf_buf_printf(&s[0],
		              "No baseline for branch %s yet: nothing was compared, verdict "
		              "pass.",
		              meta && meta->base_branch ? meta->base_branch : "(unnamed)");
		return;
	}
	for (int i = 0; i < PF_GATE__COUNT; i++) {
		bool f = strcmp(gr[i].status, "fail") == 0, w = strcmp(gr[i].status, "warn") == 0;
		struct pf_buf *b = f ? &s[1] : w ? &s[2] : NULL;
		size_t *k = f ? &nf : &nw;
		if (b)
			pf_buf_printf(b, "%s%s", (*k)++ ? ", " : "",
			              pf_gate_name((enum pf_gate_id)i));
	}
	if (nf)
		pf_buf_printf(&s[0], "%zu hard gate%s failed: %s", nf, nf == 1 ? "" : "s",
		              s[1].data);
	if (nw)
		pf_buf_printf(&s[0], "%s%zu gate%s warned: %s", nf ? "; " : "", nw,
		              nw == 1 ? "" : "s", s[2].data);
	if (!nf && !nw)
		pf_buf_puts(&s[0], "All gates passed");
	if (!isnan(o->rating_overall))
		pf_buf_printf(&s[0], ". Rating %.1f/10.", o->rating_overall);
	else
		pf_buf_puts(&s[0], ".");
}

enum pf_code pf_gate_evaluate(const struct pf_gate_input *in, const struct pf_policy *policy,
                              const struct pf_report_meta *meta, struct pf_arena *arena,
                              struct pf_gate_outcome *out, struct pf_err *err)
{
	struct pf_gate_data g = {.in = in, .pol = policy};
	struct gate_res gr[PF_GATE__COUNT];
	char rbuf[PF_GATE__COUNT][96];
	struct pf_buf sum[3];
	bool ok = true;
	enum pf_code rc;

	memset(out, 0, sizeof *out);
	out->rating_cpu = out->rating_memory = out->rating_bench = out->rating_overall = NAN;
	if ((rc = compare(&g, arena, err)) != PF_OK)
		return rc;
	if (in->has_baseline)
		pf_rating_compute(&g, &out->rating_cpu, &out->rating_memory, &out->rating_bench,
		                  &out->rating_overall);

	json_t *lists = json_object(), *notes = json_array(), *gates = json_array(),
	       *reasons = json_array();
	ok = lists && notes && gates && reasons;
	if (meta)
		for (size_t i = 0; ok && i < meta->n_notes; i++)
			json_array_append_new(notes, pf_json_text(meta->notes[i]));
	if (!in->has_baseline)
		json_array_append_new(notes, json_string("no baseline yet for the base branch: no "
		                                         "gate was evaluated and the verdict is "
		                                         "pass; this run is not a comparison"));
	ok = ok && pf_report_lists(&g, lists, notes);

	out->verdict = PF_VERDICT_PASS;
	for (int i = 0; i < PF_GATE__COUNT; i++) {
		memset(&gr[i], 0, sizeof gr[i]);
		gr[i].violations = json_array();
		pf_buf_init(&gr[i].sentence, 16384);
		eval_gate((enum pf_gate_id)i, &gr[i], &g, out, rbuf[i], sizeof rbuf[i], &ok);
		if (strcmp(gr[i].status, "fail") == 0)
			out->verdict = PF_VERDICT_FAIL;
		else if (strcmp(gr[i].status, "warn") == 0 && out->verdict == PF_VERDICT_PASS)
			out->verdict = PF_VERDICT_WARN;
		json_t *o = json_pack(
		        "{s:s, s:s, s:s, s:o, s:O}", "id", pf_gate_name((enum pf_gate_id)i), "mode",
		        pf_gate_mode_name(gr[i].mode), "status", gr[i].status, "threshold",
		        pf_report_num(gr[i].threshold), "violations", gr[i].violations);
		if (o && gr[i].reason)
			json_object_set_new(o, "reason", json_string(gr[i].reason));
		ok = ok && o && gr[i].violations && json_array_append_new(gates, o) == 0;
		if (gr[i].sentence.len)
			json_array_append_new(reasons, pf_json_text(gr[i].sentence.data));
		ok = ok && !gr[i].sentence.failed;
	}

	for (int i = 0; i < 3; i++)
		pf_buf_init(&sum[i], 16384);
	summarize(gr, out, in, meta, sum);
	json_t *rating = json_pack("{s:o, s:o, s:o, s:o}", "cpu", pf_report_num(out->rating_cpu),
	                           "memory", pf_report_num(out->rating_memory), "bench",
	                           pf_report_num(out->rating_bench), "overall",
	                           pf_report_num(out->rating_overall));
	json_t *r = pf_report_header(meta, in->has_baseline);
	ok = ok && r && rating && !sum[0].failed;
	if (ok) {
		static const char *const lk[] = {"cpu_improvements",   "cpu_regressions",
		                                 "alloc_improvements", "alloc_regressions",
		                                 "new_hotspots",       "bench"};
		json_object_set_new(r, "verdict", json_string(pf_verdict_name(out->verdict)));
		json_object_set_new(r, "policy", pf_policy_json(policy));
		json_object_set(r, "gates", gates);
		json_object_set(r, "reasons", reasons);
		for (size_t i = 0; i < sizeof lk / sizeof lk[0]; i++)
			json_object_set(r, lk[i], json_object_get(lists, lk[i]));
		json_object_set(r, "rating", rating);
		json_object_set_new(r, "summary", pf_json_text(sum[0].data ? sum[0].data : ""));
		json_object_set_new(r, "links", pf_report_links(meta));
		if (in->analyzer)
			json_object_set_new(r, "analyzer", json_deep_copy(in->analyzer));
		json_object_set(r, "notes", notes);
		ok = json_object_size(r) >= 19;
	}
	for (int i = 0; i < PF_GATE__COUNT; i++) {
		json_decref(gr[i].violations);
		pf_buf_free(&gr[i].sentence);
	}
	for (int i = 0; i < 3; i++)
		pf_buf_free(&sum[i]);
	json_decref(lists);
	json_decref(notes);
	json_decref(gates);
	json_decref(reasons);
	json_decref(rating);
	if (!ok) {
		json_decref(r);
		return pf_err_set(err, PF_E_NOMEM, NULL, "out of memory building the report");
	}
	out->report = r;
	out->bench = g.bench;
	return PF_OK;
}
