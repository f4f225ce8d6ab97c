/* functab.h: function tables as `go tool pprof -top` computes them
 * (spec/pprof.md §8): one row per function name at pprof's default
 * granularity, inlined frames as their own rows, flat on line[0] of the
 * leaf location, cum once per sample, total = Σ|value|. Also the merge of
 * several tables (baseline window, DESIGN §4) and their JSON form. */
#ifndef PF_FUNCTAB_H
#define PF_FUNCTAB_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "arena.h"
#include "pf_err.h"
#include "pprof.h"

/* How a row's function was reached, from its incoming call edges
 * (spec §8 step 10): only inlined calls print "(inline)", both kinds
 * "(partial-inline)", neither (a root) or only plain calls print nothing. */
#define PF_FT_INLINE 1u /* some incoming edge is an inlined call */
#define PF_FT_CALL   2u /* some incoming edge is a plain call */

struct pf_functab_row {
	const char *name; /* pprof's printable name, without the inline label */
	unsigned inl;     /* PF_FT_* bits */
	int64_t flat, cum;
	/* Samples (the `samples`/`count` column) whose flat/cum went to this
	 * row, for the share test of DESIGN §4; -1 when the profile has no such
	 * column (heap). */
	int64_t flat_samples, cum_samples;
};

struct pf_functab {
	const char *sample_index; /* sample type name, e.g. "cpu" */
	const char *unit;         /* its unit, e.g. "nanoseconds" */
	int64_t total;            /* Σ|value| (diff: the base total, spec §9) */
	int64_t total_samples;    /* Σ of the count column, -1 when unknown */
	size_t n_rows;
	struct pf_functab_row *rows; /* sorted as pprof sorts (opts.cum_sort) */
	/* node trimming (text reports): rows dropped by node_fraction */
	size_t n_dropped;
	int64_t drop_cutoff; /* |trunc(total × node_fraction)| */
};

struct pf_functab_opts {
	double node_fraction; /* 0: every node (perfgate); pprof -top: 0.005 */
	double edge_fraction; /* 0: every edge; pprof -top: 0.001 */
	bool cum_sort;        /* -cum: sort by |cum| first */
	bool no_inlines;      /* -noinlines: fold inlined frames into callers */
	/* -tagfocus=key=value restricted to an exact string label match;
	 * NULL for none. Percentages stay of the whole profile (pprof's
	 * default); the total is unchanged. */
	const char *focus_key, *focus_value;
	/* -relative_percentages: with a focus, the total (and so every
	 * percentage) is that of the samples the focus keeps */
	bool relative;
	/* -normalize (diffs): the candidate's values scaled by base total /
	 * candidate total, each rounded, before the difference */
	bool normalize;
};

/* perfgate's defaults: every node and edge, flat order, inlines kept. */
struct pf_functab_opts pf_functab_opts_all(void);
/* `go tool pprof -top` defaults: node fraction 0.005, edge fraction 0.001. */
struct pf_functab_opts pf_functab_opts_pprof(void);

/* Function table of column `index` of p. opts may be NULL (opts_all).
 * *out is allocated from arena (names copied: the table does not borrow
 * from p). PF_E_EMPTY when the total is 0 (nothing to compare: perfgate
 * treats such a profile as an error, not as an empty table);
 * PF_E_NOMEM. */
enum pf_code pf_functab_build(const struct pf_profile *p, int index,
                              const struct pf_functab_opts *opts, struct pf_arena *arena,
                              struct pf_functab **out, struct pf_err *err) PF_MUSTCHECK;

/* The graph of `pprof -top -diff_base BASE CAND` (spec §9): rows hold
 * cand − base (flat, cum; labels from the union graph), total = the base
 * total (or Σ|both| when the base total is 0), sample counts -1. The two
 * columns must have the same type and unit (else PF_E_BAD_PROFILE). */
enum pf_code pf_functab_build_diff(const struct pf_profile *base, int base_index,
                                   const struct pf_profile *cand, int cand_index,
                                   const struct pf_functab_opts *opts, struct pf_arena *arena,
                                   struct pf_functab **out, struct pf_err *err) PF_MUSTCHECK;

/* pprof merge of n tables of the same sample type (DESIGN §4): flat, cum
 * and totals summed per function name; sample counts summed while every
 * table knows them (else -1); inline bits or'ed. Works on tables rebuilt
 * from stored rows (plain structs). Result in arena, names copied, sorted
 * by flat. PF_E_BAD_REQUEST when n == 0 or the sample types differ. */
enum pf_code pf_functab_merge(const struct pf_functab *const *tabs, size_t n,
                              struct pf_arena *arena, struct pf_functab **out,
                              struct pf_err *err) PF_MUSTCHECK;

/* Sort rows as pprof does: flat order (|flat| desc, name, |cum| desc) or
 * cum order (|cum| desc, name, |flat| desc). */
void pf_functab_sort(struct pf_functab *t, bool cum_sort);

/* " (inline)", " (partial-inline)" or "" for a row's inline bits. */
const char *pf_functab_inline_label(unsigned inl);

/* {"sample_index","unit","total","functions":[{"name","inline","flat",
 * "flat_pct","cum","cum_pct"}]} with at most limit rows (0: all);
 * percentages of total rounded to 4 decimals; "partial_inline": true only
 * on partial-inline rows. New reference; NULL on allocation failure. */
json_t *pf_functab_json(const struct pf_functab *t, size_t limit);

/* A JSON string of s, made valid UTF-8 (invalid bytes become U+FFFD).
 * New reference. */
json_t *pf_json_text(const char *s);

#endif
