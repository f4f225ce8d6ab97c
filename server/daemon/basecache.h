/* basecache.h: merged baseline windows of recent uploads, kept by the
 * daemon so that uploads against the same baseline do not read and merge
 * the same stored rows again.
 *
 * Why nothing is ever invalidated: a window is keyed by its kind and the
 * exact list of its run ids. The rows it is merged from (function_stats,
 * profile_totals, bench_stats) are written in their run's transaction and
 * never changed afterwards, and run ids are never reused (bigserial). A
 * promotion changes which runs form the window, hence the key, not the
 * value under an old key. So a cached window is true for as long as it is
 * kept, in this daemon and beside any number of others on one database.
 *
 * Bounded: at most PF_BASECACHE_ENTRIES windows, the least recently used
 * one replaced. Thread-safe. Values are copied in and out, so what a
 * request gets lives in its own arena. Lookups count as hits or misses in
 * /metrics (perfgate_baseline_cache_total). */
#ifndef PF_BASECACHE_H
#define PF_BASECACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "bench.h"
#include "functab.h"

#define PF_BASECACHE_ENTRIES 32

struct pf_basecache;

struct pf_basecache *pf_basecache_new(void);
void pf_basecache_free(struct pf_basecache *c);

/* The window of kind ("cpu", "heap") over runs[0..n), copied into arena:
 * true on a hit (*out may then be NULL: none of the runs has that kind of
 * profile). False on a miss or when the copy does not fit the arena. */
bool pf_basecache_get_functab(struct pf_basecache *c, const char *kind, const int64_t *runs,
                              size_t n, struct pf_arena *arena, struct pf_functab **out);
/* Remember t (NULL: none) as that window. */
void pf_basecache_put_functab(struct pf_basecache *c, const char *kind, const int64_t *runs,
                              size_t n, const struct pf_functab *t);
/* The same for the benchmark window. */
bool pf_basecache_get_bench(struct pf_basecache *c, const int64_t *runs, size_t n,
                            struct pf_arena *arena, struct pf_benchset **out);
void pf_basecache_put_bench(struct pf_basecache *c, const int64_t *runs, size_t n,
                            const struct pf_benchset *s);

#endif
