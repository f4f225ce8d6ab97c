/* bench.h: Go benchmark results (spec/benchfmt.md): parsing `go test -bench`
 * output into samples grouped as benchstat groups them, merging several
 * runs, and comparing two sets with benchstat's statistics (bench_compare.c),
 * rendered as benchstat's text table or as JSON (bench_render.c).
 *
 * Grouping (spec §3, benchstat's defaults -table .config -row .fullname):
 * a *configuration* is the tuple of every file-level `key: value` line in
 * effect for a result (goos, goarch, pkg, cpu, any other key). A later line
 * with the same key replaces the value for the results that follow (later
 * wins, as benchfmt does), `key:` alone deletes it. Concatenated `go test`
 * outputs that repeat the same lines are therefore one configuration. A
 * series is one (configuration, full benchmark name, tidied unit); every
 * result line adds one value to each of its units' series.
 *
 * Stricter than benchstat, which reports bad lines and carries on: any
 * malformed result or unit line is an error naming its line number, as are
 * non-finite values and iteration counts that are not positive integers.
 * Other lines (PASS, ok, logs, `--- BENCH:`) are ignored, like benchfmt does.
 * Not supported: `Unit ... assume=exact` is parsed and kept but the
 * statistics are always the median/U-test ones (assume=nothing).
 *
 * Memory: everything returned lives in the caller's arena (borrowed until
 * pf_arena_free). No I/O, no logging, no globals. */
#ifndef PF_BENCH_H
#define PF_BENCH_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "arena.h"
#include "buf.h"
#include "pf_err.h"

struct pf_bench_limits {
	size_t max_bytes;      /* whole input (PF_E_TOO_LARGE) */
	size_t max_line;       /* bytes per line, without the newline (PF_E_LIMIT) */
	size_t max_benchmarks; /* distinct (configuration, name) (PF_E_LIMIT) */
	size_t max_runs;       /* values per series, i.e. runs per benchmark (PF_E_LIMIT) */
	size_t max_units;      /* value/unit pairs on one result line (PF_E_LIMIT) */
	size_t max_configs;    /* distinct configurations (PF_E_LIMIT) */
};

/* The defaults: 64 MiB, 64 KiB lines, 10 000 benchmarks, 10 000 runs,
 * 64 units per line, 1 000 configurations. */
void pf_bench_limits_default(struct pf_bench_limits *lim);

/* Direction of a unit (spec §5): explicit `Unit u better=...` metadata
 * wins; otherwise sec/op, B/op, allocs/op lower, B/s higher, else unknown. */
enum pf_bench_better {
	PF_BENCH_LOWER = -1,
	PF_BENCH_UNKNOWN = 0,
	PF_BENCH_HIGHER = 1,
};

/* One configuration: keys in order of first appearance, with values. */
struct pf_bench_config {
	size_t n;
	const char **keys;
	const char **values;
};

struct pf_bench_series {
	size_t config;    /* index into pf_benchset.configs */
	const char *name; /* full name without "Benchmark": "Validate/rules=8-2" */
	const char *unit; /* tidied unit: "sec/op", "B/s", "B/op", "nodes/op" */
	double *values;   /* tidied values in input order */
	size_t n;         /* runs */
	size_t cap;
	enum pf_bench_better better;
	size_t line; /* line of the first result (1-based) */
};

struct pf_bench_unitmeta {
	const char *unit; /* tidied */
	const char *key;
	const char *value;
};

struct pf_benchset {
	struct pf_bench_config *configs;
	size_t nconfigs;
	struct pf_bench_series *series; /* in order of first appearance */
	size_t nseries;
	struct pf_bench_unitmeta *meta; /* Unit metadata lines */
	size_t nmeta;
	size_t nresults;    /* result lines read */
	size_t nbenchmarks; /* distinct (configuration, name) */
	/* private: lookup index */
	struct pf_bench_index *index;
	size_t cap_configs, cap_series, cap_meta;
	struct pf_bench_limits lim;
};

/* Parse len bytes of `go test -bench` output (need not be NUL-terminated).
 * lim may be NULL for the defaults. On success *out is a set with at least
 * one result. Errors: PF_E_BAD_BENCH (malformed line; the message starts
 * with "line N: "), PF_E_EMPTY (no benchmark result at all), PF_E_TOO_LARGE
 * (input over max_bytes), PF_E_LIMIT (line length or a count over its limit;
 * "line N: " too), PF_E_NOMEM (arena ceiling). err->field is left empty:
 * the caller names the upload field. */
enum pf_code pf_bench_parse(const char *text, size_t len, const struct pf_bench_limits *lim,
                            struct pf_arena *arena, struct pf_benchset **out,
                            struct pf_err *err) PF_MUSTCHECK;

/* Merge sets (e.g. the baseline window of several runs) into one: samples
 * of the same (configuration, name, unit) are concatenated in the order of
 * `sets`; series order is first appearance. lim may be NULL. */
enum pf_code pf_bench_merge(const struct pf_benchset *const *sets, size_t nsets,
                            const struct pf_bench_limits *lim, struct pf_arena *arena,
                            struct pf_benchset **out, struct pf_err *err) PF_MUSTCHECK;

/* Unit helpers (bench_unit.c). */
/* benchunit.Tidy: ns/op -> sec/op (x 1e-9), MB/s -> B/s (x 1e6), ns and MB
 * tokens in a numerator likewise; writes the tidied unit (NUL-terminated,
 * at most cap bytes; units longer than cap - 2 are returned unchanged). */
double pf_bench_unit_tidy(const char *unit, char *tidied, size_t cap);
/* Built-in direction of a tidied unit (no metadata). */
enum pf_bench_better pf_bench_unit_better(const char *tidied);
/* benchunit.ClassOf: true for binary units (B, MB, bytes in a numerator). */
bool pf_bench_unit_binary(const char *tidied);
/* benchunit.CommonScale + Format: the value formatted with the prefix and
 * precision benchstat chooses for the smallest non-zero |v| of vals. */
struct pf_bench_scaler {
	int prec;
	double factor;
	const char *prefix;
};
struct pf_bench_scaler pf_bench_common_scale(const double *vals, size_t n, bool binary);
void pf_bench_scale_format(const struct pf_bench_scaler *s, double v, char *out, size_t cap);

/* ---- comparison (bench_compare.c) ---- */

struct pf_bench_opts {
	double alpha;           /* significance level, benchstat's -alpha [0.05] */
	double confidence;      /* CI level, benchstat's -confidence [0.95] */
	const char *base_label; /* column labels for the text table */
	const char *cand_label;
};
void pf_bench_opts_default(struct pf_bench_opts *o);

/* Warning flags, rendered as benchstat's footnotes. */
enum {
	PF_BENCH_W_BASE_CI = 1 << 0,      /* base: need >= N samples for a CI */
	PF_BENCH_W_CAND_CI = 1 << 1,      /* cand: same */
	PF_BENCH_W_ALL_EQUAL = 1 << 2,    /* U test: all samples are equal */
	PF_BENCH_W_NEED_SAMPLES = 1 << 3, /* p > alpha and both n < utest_min_n */
};

struct pf_bench_summary {
	double median;
	double ci_low, ci_high; /* -INFINITY / INFINITY when n is too small */
	size_t n;
	const double *sorted; /* the raw samples, ascending (n values) */
};

struct pf_bench_row {
	const char *name; /* as benchstat prints it: "Validate/rules=8-2" */
	const char *unit; /* tidied */
	size_t table;
	bool has_base, has_cand;
	struct pf_bench_summary base, cand;
	/* Set only when both sides exist: */
	double delta_pct; /* (cand/base - 1) * 100 on medians; 0 when equal; NaN when base is 0 */
	double p_value;   /* Mann-Whitney two-sided; 1 when all samples are equal */
	bool significant; /* p_value <= alpha (benchstat prints the delta, not "~") */
	/* Even fully separated samples of these sizes could not reach p <= alpha
	 * (2 / C(n1+n2, n1) > alpha: 3 vs 3 yes, 3 vs 5 no). DESIGN §4. */
	bool insufficient_samples;
	enum pf_bench_better better;
	/* +1 the change is a regression for this unit's direction, -1 an
	 * improvement, 0 no change or unknown direction (sign only, not
	 * significance). */
	int regression;
	unsigned warnings;
};

struct pf_bench_table {
	size_t config; /* index into pf_bench_cmp.configs */
	const char *unit;
	size_t first_row, nrows;
	/* the table's columns, as benchtab makes them: the sides with a row
	 * in it (a unit only one file reports has that file's column alone,
	 * which is then its own baseline) */
	bool base_col, cand_col;
	/* geomean row (spec §4.5) */
	bool has_base_gm, has_cand_gm, has_ratio;
	double base_gm, cand_gm, ratio;
	bool base_gm_warn, cand_gm_warn; /* summaries must be >0 */
	bool ratio_warn;                 /* ratios must be >0 */
	bool set_differs;                /* benchmark set differs from baseline */
};

struct pf_bench_cmp {
	bool has_cand; /* false: summary of one file */
	struct pf_bench_opts opts;
	struct pf_bench_config *configs; /* over the union of both sets' keys */
	size_t nconfigs;
	struct pf_bench_table *tables; /* one per (configuration, unit), in order */
	size_t ntables;
	struct pf_bench_row *rows; /* grouped by table */
	size_t nrows;
};

/* Compare base with cand (cand NULL: summaries only, like `benchstat
 * FILE`). opts NULL for the defaults. Result in the arena. */
enum pf_code pf_bench_compare(const struct pf_benchset *base, const struct pf_benchset *cand,
                              const struct pf_bench_opts *opts, struct pf_arena *arena,
                              struct pf_bench_cmp **out, struct pf_err *err) PF_MUSTCHECK;

/* ---- configuration-free form (bench_canon.c) ---- */

/* in without its configuration: series keyed by (name, unit) only, values
 * of the same key in different configurations concatenated, `Unit`
 * metadata dropped. The form the store keeps (benchmark, unit, samples) and
 * in which the gate compares candidate and baseline (DESIGN §4 with the
 * baseline window merged from stored rows). PF_E_EMPTY for no series. */
enum pf_code pf_bench_canonical(const struct pf_benchset *in, struct pf_arena *arena,
                                struct pf_benchset **out, struct pf_err *err) PF_MUSTCHECK;
/* Building that form from stored rows: an empty set (lim NULL for the
 * defaults), then n samples of benchmark name (without "Benchmark") in a
 * tidied unit at a time, appended to that key's series. */
enum pf_code pf_bench_canonical_init(struct pf_benchset *set, const struct pf_bench_limits *lim,
                                     struct pf_arena *arena, struct pf_err *err) PF_MUSTCHECK;
enum pf_code pf_bench_canonical_add(struct pf_benchset *set, struct pf_arena *arena,
                                    const char *name, const char *unit, const double *vals,
                                    size_t n, struct pf_err *err) PF_MUSTCHECK;

/* ---- rendering (bench_render.c) ---- */

/* benchstat's text layout, appended to buf (its ceiling applies). */
enum pf_code pf_bench_render_text(const struct pf_bench_cmp *cmp, struct pf_buf *buf);
/* New reference: [{"name","unit","base":{"median","ci_low","ci_high","n"},
 * "cand":{...},"delta_pct","p_value","significant","insufficient_samples"}]
 * in table order; a missing side is null, as are non-finite numbers. NULL
 * only when jansson fails to allocate. */
json_t *pf_bench_render_json(const struct pf_bench_cmp *cmp);

#endif
