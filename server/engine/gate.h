/* gate.h: the gate engine of DESIGN §4: five gates with modes, the verdict,
 * the deterministic rating, and the report JSON that CI scripts read with
 * jq; plus the analyzer report.json input and the renderings of a report
 * (PR-comment markdown, JUnit XML). The same code serves `perfgate gate`
 * and the HTTP upload, so both give the same verdict for the same inputs.
 * Pure: no I/O, no logging, no globals, no clock. */
#ifndef PF_GATE_H
#define PF_GATE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "bench.h"
#include "functab.h"
#include "pf_err.h"
#include "policy.h"

/* What is compared. Every pointer is borrowed for the call; NULL means
 * that side lacks that data (the gate is then `skipped`, with the reason). */
struct pf_gate_input {
	const struct pf_functab *base_cpu, *cand_cpu;   /* sample index `cpu` */
	const struct pf_functab *base_heap, *cand_heap; /* sample index `alloc_space` */
	const struct pf_benchset *base_bench, *cand_bench;
	/* The uploaded analyzer report (as returned by pf_analyzer_parse):
	 * kept under "analyzer"; its rating.overall, when present, takes part
	 * in the rating gate (the lower of the two decides). */
	const json_t *analyzer;
	/* false: the base branch has no baseline yet (verdict pass,
	 * "baseline": null and a note; never a silent comparison). */
	bool has_baseline;
};

/* Who and where, echoed in the report. Strings may be NULL (JSON null). */
struct pf_report_meta {
	int64_t run_id; /* 0: none (offline `perfgate gate`): "run_id": null */
	const char *project, *branch, *commit, *base_branch;
	const int64_t *baseline_runs; /* the runs merged into the baseline */
	const char *const *baseline_commits;
	size_t n_baseline;
	/* Base URL for "links" (PERFGATE_PUBLIC_URL); NULL: links are
	 * relative paths ("/v1/runs/42"). */
	const char *public_url;
	/* Extra notes for the report's "notes" array (e.g. "runner label
	 * differs from the baseline's"); may be NULL. */
	const char *const *notes;
	size_t n_notes;
};

enum pf_verdict { PF_VERDICT_PASS, PF_VERDICT_WARN, PF_VERDICT_FAIL };
const char *pf_verdict_name(enum pf_verdict v);

struct pf_gate_outcome {
	enum pf_verdict verdict;
	/* rating per dimension, NAN when the dimension has no data */
	double rating_cpu, rating_memory, rating_bench, rating_overall;
	json_t *report; /* new reference: the caller owns it (json_decref) */
	/* the benchmark comparison of baseline and candidate (in the arena;
	 * NULL when one side has none): its candidate summaries are the
	 * candidate's own, as the store keeps them */
	const struct pf_bench_cmp *bench;
};

/* Evaluate every gate under the effective policy and build the report
 * (DESIGN §4 "Report"). PF_E_BAD_REQUEST when the two sides of a
 * dimension are of different sample types; PF_E_NOMEM. */
enum pf_code pf_gate_evaluate(const struct pf_gate_input *in, const struct pf_policy *policy,
                              const struct pf_report_meta *meta, struct pf_arena *arena,
                              struct pf_gate_outcome *out, struct pf_err *err) PF_MUSTCHECK;

/* Parse and validate an analyzer report.json (DESIGN §4): an object whose
 * cpu_improvements/cpu_regressions/alloc_* are arrays of strings, rating an
 * object of numbers 0..10 (cpu, memory, bench, overall; each optional),
 * summary a string; other keys kept. PF_E_BAD_REPORT naming the key (and
 * the array index) otherwise. *out is a new reference. */
enum pf_code pf_analyzer_parse(const char *text, size_t len, json_t **out,
                               struct pf_err *err) PF_MUSTCHECK;

/* The rating of DESIGN §4 for one dimension: R = rise_sum / threshold,
 * I = fall_sum / threshold (sums of the listed regressions' rises and of
 * the listed improvements' |falls|), score = clamp(8 - 3R + min(I, 2), 0,
 * 10) rounded to one decimal. A zero threshold with any rise scores 0. */
double pf_rating_score(double rise_sum, double fall_sum, double threshold);
/* Weighted mean of the dimensions present (NaN = absent): cpu 0.4, memory
 * 0.3, bench 0.3, renormalised; one decimal. NaN when none is present. */
double pf_rating_overall(double cpu, double memory, double bench);

/* Markdown PR comment of a report (verdict line, gate table, top changes,
 * baseline, links, the hidden marker <!-- perfgate:PROJECT/BRANCH -->),
 * at most max_len bytes (lists cut with "… and N more"). malloc'ed. */
char *pf_report_markdown(const json_t *report, size_t max_len);
/* The hidden marker "<!-- perfgate:PROJECT/BRANCH -->" that identifies a
 * PR comment (the notifier searches for it to update the comment): bytes
 * other than [A-Za-z0-9._/+-] and a '-' followed by '-' or '>' are written
 * as %XX, so the marker never ends early. Writes it NUL-terminated into
 * out (cut to cap) and returns its full length. NULL names are empty. */
size_t pf_report_marker(const char *project, const char *branch, char *out, size_t cap);
/* JUnit XML: one testsuite, one testcase per gate. malloc'ed. */
char *pf_report_junit(const json_t *report);

#endif
