/* gate_int.h: what the gate engine's files share (gate.c, rating.c,
 * report_json.c): the compared data of one evaluation and the rules that
 * say which change is "listed" (DESIGN §4), so the gates, the rating and
 * the report's lists can never disagree. Not part of the public API. */
#ifndef PF_GATE_INT_H
#define PF_GATE_INT_H

#include <jansson.h>
#include <stdbool.h>

#include "bench.h"
#include "gate.h"
#include "profdiff.h"

/* Floating-point slack of the threshold comparisons: a change equal to a
 * threshold within this (relative) tolerance counts as equal, so "5 %"
 * computed as (105/100 - 1) * 100 = 5.000000000000004 still passes. */
#define PF_GATE_EPS 1e-9

/* The compared data of one evaluation. Diffs and the benchmark comparison
 * live in the caller's arena; NULL when a side lacks the data. */
struct pf_gate_data {
	const struct pf_gate_input *in;
	const struct pf_policy *pol;
	struct pf_profdiff *cpu, *heap;
	struct pf_bench_cmp *bench;
};

/* v > t, beyond the floating-point slack (strict thresholds). */
bool pf_gate_above(double v, double t);
/* v >= t, within the floating-point slack ("at least REPORT_MIN"). */
bool pf_gate_atleast(double v, double t);

/* Significance of a profile row's rise or fall: its z-test p-value is at
 * most alpha / n_tests (Bonferroni). True when the p-value is unknown
 * (heap profiles): the threshold alone decides. */
bool pf_gate_fn_significant(const struct pf_profdiff *d, const struct pf_profdiff_row *r,
                            double alpha);
/* A listed profile change (DESIGN §4 "Rating"): |delta| at least
 * REPORT_MIN and significant where significance is known. +1 a listed
 * regression (rise), -1 a listed improvement (fall), 0 not listed. */
int pf_gate_fn_listed(const struct pf_profdiff *d, const struct pf_profdiff_row *r,
                      const struct pf_policy *pol);

/* A benchmark row that takes part in the time gate and the bench rating:
 * unit sec/op with both sides and a finite delta. */
bool pf_gate_bench_timed(const struct pf_bench_row *r);
/* The row's change in its unit's "worse" direction, percent: +delta for
 * lower-is-better units, -delta for higher-is-better ones, NaN when the
 * direction or the delta is unknown. */
double pf_gate_bench_rise(const struct pf_bench_row *r);
/* Like pf_gate_fn_listed for any benchmark row with both sides: |rise|
 * at least REPORT_MIN and p <= alpha, or insufficient samples. */
int pf_gate_bench_listed(const struct pf_bench_row *r, const struct pf_policy *pol);

/* The rating of the compared data (rating.c): per dimension NaN when the
 * dimension has no data. */
void pf_rating_compute(const struct pf_gate_data *g, double *cpu, double *memory, double *bench,
                       double *overall);

/* The report's change lists and benchmark table (report_json.c), added
 * to report: cpu_improvements, cpu_regressions, alloc_improvements,
 * alloc_regressions, new_hotspots, bench. False on allocation failure. */
bool pf_report_lists(const struct pf_gate_data *g, json_t *report, json_t *notes);

/* The report's head, in DESIGN §4's order: run_id, project, branch,
 * commit, baseline ({branch, runs, commits} or null). New reference. */
json_t *pf_report_header(const struct pf_report_meta *meta, bool has_baseline);
/* {"self", "comment", "junit"}: null without a run id; relative paths
 * without a public URL. New reference. */
json_t *pf_report_links(const struct pf_report_meta *meta);

/* {"goos": "linux", "pkg": ...}: the configuration of a benchmark row,
 * given when the inputs hold several. New reference. */
json_t *pf_report_bench_config(const struct pf_bench_cmp *c, const struct pf_bench_row *r);

/* Numbers for the report: NaN becomes null; whole numbers print as
 * integers; r1/r2 round to one or two decimals. New references. */
json_t *pf_report_num(double v);
double pf_report_r1(double v);
double pf_report_r2(double v);

#endif
