/* profdiff.h: the per-function comparison of two function tables (base,
 * candidate) of DESIGN §4: flat shares of each side's own total, the delta
 * in percentage points, and the two-proportion z-test on the flat sample
 * share where sample counts are known. Works on tables rebuilt from stored
 * rows as well as on freshly built ones. */
#ifndef PF_PROFDIFF_H
#define PF_PROFDIFF_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "arena.h"
#include "functab.h"
#include "pf_err.h"

struct pf_profdiff_row {
	const char *name;
	unsigned inl; /* PF_FT_* bits, or'ed over both sides */
	bool in_base, in_cand;
	int64_t base_flat, cand_flat, base_cum, cand_cum;
	double base_pct, cand_pct; /* 100·flat/total of each side */
	double delta_pts;          /* cand_pct − base_pct */
	/* Pooled two-proportion z statistic of the flat sample share
	 * (cand vs base) and its two-sided p-value; NaN when either side has
	 * no sample counts (heap profiles): significance unknown. */
	double z, p_value;
};

struct pf_profdiff {
	const char *sample_index, *unit;
	int64_t base_total, cand_total;
	int64_t base_samples, cand_samples; /* -1 when unknown */
	size_t n_rows;
	struct pf_profdiff_row *rows; /* |delta_pts| desc, then name */
	size_t n_tests;               /* rows with a p-value: the Bonferroni divisor */
};

/* Compare base and cand (same sample type and unit, else
 * PF_E_BAD_REQUEST). Every function of either side gets a row (a missing
 * side counts as 0). *out in arena, names copied. */
enum pf_code pf_profdiff_build(const struct pf_functab *base, const struct pf_functab *cand,
                               struct pf_arena *arena, struct pf_profdiff **out,
                               struct pf_err *err) PF_MUSTCHECK;

/* Two-sided p-value of the pooled two-proportion z-test of x1/n1 vs
 * x2/n2 (*z receives the statistic, positive when the share rose). NaN
 * when n1 or n2 is not positive. */
double pf_profdiff_ztest(int64_t x1, int64_t n1, int64_t x2, int64_t n2, double *z);

/* {"sample_index","unit","base_total","cand_total","tests","functions":
 * [{"name","inline","base_flat","cand_flat","base_flat_pct","cand_flat_pct",
 * "delta_pts","base_cum","cand_cum","p_value"}]}; p_value null when
 * unknown; percentages rounded to 4 decimals. At most limit rows (0: all).
 * New reference, NULL on allocation failure. */
json_t *pf_profdiff_json(const struct pf_profdiff *d, size_t limit);

#endif
