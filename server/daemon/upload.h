/* upload.h: the pieces of POST /v1/projects/{p}/runs that turn the parts of
 * an upload and the stored baseline into engine inputs, and the engine's
 * outputs into rows of the store. Used by h_upload.c. */
#ifndef PF_UPLOAD_H
#define PF_UPLOAD_H

#include <jansson.h>

#include "arena.h"
#include "basecache.h"
#include "bench.h"
#include "config.h"
#include "db.h"
#include "functab.h"
#include "gate.h"
#include "policy.h"

/* Decode a pprof upload and build the function table of the gate's sample
 * index (`cpu` for kind "cpu", `alloc_space` for kind "heap"). Errors name
 * the field (kind). */
enum pf_code pf_upload_profile(const uint8_t *data, size_t len, const char *kind, size_t max_bytes,
                               struct pf_arena *arena, struct pf_functab **out,
                               struct pf_err *err) PF_MUSTCHECK;

/* The merged function table of kind over the stored baseline runs; *out
 * NULL when none of them has that kind. Taken from cache when it holds
 * that window, else read from the store and remembered there (cache may
 * be NULL). */
enum pf_code pf_upload_baseline_functab(struct pf_db *db, struct pf_basecache *cache,
                                        const int64_t *runs, size_t n, const char *kind,
                                        struct pf_arena *arena, struct pf_functab **out,
                                        struct pf_err *err) PF_MUSTCHECK;
/* The merged benchmark samples of the stored baseline runs (in the
 * configuration-free form, bench.h); *out NULL when none has benchmarks.
 * Cached as above. */
enum pf_code pf_upload_baseline_bench(struct pf_db *db, struct pf_basecache *cache,
                                      const int64_t *runs, size_t n, struct pf_arena *arena,
                                      struct pf_benchset **out, struct pf_err *err) PF_MUSTCHECK;

/* Rows for function_stats of n profiles (tabs[i] of kind kinds[i]) as the
 * arrays of pf_db_run_row.fstats (the rows with a trend series, then the
 * small ones: |cum| under pprof's default node fraction of the total, the
 * rows `pprof -top` drops), and for bench_stats of a set (NULL:
 * none) as its eight arrays (the store keeps each series' sorted samples
 * and its median and CI as benchstat computes them; taken from the gate's
 * comparison gate_cmp of the set with a baseline when there is one). Every
 * array is initialised, also on failure: pf_db_array_free each. */
enum pf_code pf_upload_fstats_arrays(const struct pf_functab *const *tabs, const char *const *kinds,
                                     size_t n, struct pf_db_array out[PF_DB_FSTATS],
                                     struct pf_err *err) PF_MUSTCHECK;
enum pf_code pf_upload_bstats_arrays(const struct pf_benchset *s,
                                     const struct pf_bench_cmp *gate_cmp, struct pf_arena *arena,
                                     struct pf_db_array out[8], struct pf_err *err) PF_MUSTCHECK;

/* The effective gate policy of DESIGN §3's layers: the daemon's
 * configuration, the project's settings ({"policy": {"AI_GATE_...":
 * "value"}}, may be NULL) and the upload's fields (request, may be NULL). */
enum pf_code pf_upload_policy(const struct pf_config *cfg, const json_t *settings,
                              const struct pf_policy_layer *request, struct pf_policy *out,
                              struct pf_err *err) PF_MUSTCHECK;

#endif
