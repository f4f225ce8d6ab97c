/* bench_canon.c: benchmark results without their configuration, the form
 * in which the store keeps them (bench_stats: benchmark, unit, samples).
 * The gate compares a candidate with a baseline made of several stored
 * runs, so both sides go through this one form: results keyed by
 * (benchmark, tidied unit) alone, in order of first appearance.
 * Configuration lines (goos, goarch, pkg, cpu, ...) are dropped, as are
 * `Unit` metadata lines (the store has no place for them: directions come
 * from the unit); a runner whose `cpu:` line differs still compares (the
 * upload notes a runner change). Pure: no I/O. */
#include <string.h>

#include "bench.h"
#include "bench_set.h"

enum pf_code pf_bench_canonical_init(struct pf_benchset *set, const struct pf_bench_limits *lim,
                                     struct pf_arena *arena, struct pf_err *err)
{
	size_t config;
	enum pf_code rc = pf_bench_set_init(set, lim, arena, err);
	if (rc == PF_OK)
		rc = pf_bench_set_config(set, arena, NULL, NULL, 0, 0, &config, err);
	return rc;
}

enum pf_code pf_bench_canonical_add(struct pf_benchset *set, struct pf_arena *arena,
                                    const char *name, const char *unit, const double *vals,
                                    size_t n, struct pf_err *err)
{
	/* "line": the sample's position, as if the set were written out one
	 * `Benchmark<name> 1 <value> <unit>` line per sample */
	enum pf_code rc = pf_bench_set_add(set, arena, 0, name, strlen(name), unit, vals, n,
	                                   set->nresults + 1, err);
	if (rc == PF_OK)
		set->nresults += n;
	return rc;
}

enum pf_code pf_bench_canonical(const struct pf_benchset *in, struct pf_arena *arena,
                                struct pf_benchset **out, struct pf_err *err)
{
	struct pf_benchset *set = pf_arena_calloc(arena, 1, sizeof *set);
	enum pf_code rc;

	*out = NULL;
	if (!set)
		return pf_err_set(err, PF_E_NOMEM, NULL, "out of memory for benchmark results");
	rc = pf_bench_canonical_init(set, &in->lim, arena, err);
	for (size_t i = 0; rc == PF_OK && i < in->nseries; i++) {
		const struct pf_bench_series *s = &in->series[i];
		rc = pf_bench_canonical_add(set, arena, s->name, s->unit, s->values, s->n, err);
	}
	if (rc)
		return rc;
	if (set->nseries == 0)
		return pf_err_set(err, PF_E_EMPTY, NULL, "no benchmark results");
	*out = set;
	return PF_OK;
}
