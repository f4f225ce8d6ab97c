/* bench_set.h: internal to the benchmark engine (bench_parse.c,
 * bench_set.c): building a struct pf_benchset. Not for other modules; use
 * pf_bench_parse and pf_bench_merge. All memory from the caller's arena. */
#ifndef PF_BENCH_SET_H
#define PF_BENCH_SET_H

#include "bench.h"

/* Empty set with the limits (NULL: defaults). */
enum pf_code pf_bench_set_init(struct pf_benchset *set, const struct pf_bench_limits *lim,
                               struct pf_arena *a, struct pf_err *err) PF_MUSTCHECK;
/* *out = index of the configuration with these n key/value pairs (order
 * irrelevant), added (copied) when new. line is for the limit message. */
enum pf_code pf_bench_set_config(struct pf_benchset *set, struct pf_arena *a,
                                 const char *const *keys, const char *const *values, size_t n,
                                 size_t line, size_t *out, struct pf_err *err) PF_MUSTCHECK;
/* Append nvals values to the series (config, name[0..nlen), tidied unit),
 * creating it; enforces max_benchmarks and max_runs. */
enum pf_code pf_bench_set_add(struct pf_benchset *set, struct pf_arena *a, size_t config,
                              const char *name, size_t nlen, const char *unit, const double *vals,
                              size_t nvals, size_t line, struct pf_err *err) PF_MUSTCHECK;
/* Record `Unit <unit> key=value`; a different value for a set key is an error. */
enum pf_code pf_bench_set_meta(struct pf_benchset *set, struct pf_arena *a, const char *unit,
                               const char *key, size_t klen, const char *value, size_t vlen,
                               size_t line, struct pf_err *err) PF_MUSTCHECK;
/* Apply `better=` metadata to the series of its unit. */
void pf_bench_set_finish(struct pf_benchset *set);

#endif
