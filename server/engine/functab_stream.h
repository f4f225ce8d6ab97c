/* functab_stream.h: the function table of pf_functab_build with NULL
 * options (every node, every edge, flat order) accumulated one sample at
 * a time, for a decoder that never stores the samples (pf_pprof_functab).
 * Internal to the engine. */
#ifndef PF_FUNCTAB_STREAM_H
#define PF_FUNCTAB_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "functab.h"
#include "pf_err.h"
#include "pprof.h"

/* A location's code for pf_ft_stream_sample: its node, or
 * PF_FT_MULTI | location index when it has several lines. */
#define PF_FT_MULTI 0x80000000u

struct pf_ft_stream;

/* Start the table of column index of p, whose functions, locations and
 * mappings are complete (samples are not read). NULL when out of memory
 * or when p is too large for the location codes (> 2^31 locations or
 * nodes). Free with pf_ft_stream_free. */
struct pf_ft_stream *pf_ft_stream_new(const struct pf_profile *p, int index,
                                      struct pf_arena *arena);
/* The code of every location of p (n_locations entries), borrowed. */
const uint32_t *pf_ft_stream_codes(const struct pf_ft_stream *st);
/* One sample: its location codes, leaf first, and its values. */
void pf_ft_stream_sample(struct pf_ft_stream *st, const uint32_t *codes, size_t n,
                         const int64_t *values);
/* The table, as pf_functab_build would return it: PF_OK, PF_E_EMPTY
 * (total 0) or PF_E_NOMEM. */
enum pf_code pf_ft_stream_finish(struct pf_ft_stream *st, struct pf_arena *arena,
                                 struct pf_functab **out, struct pf_err *err) PF_MUSTCHECK;
void pf_ft_stream_free(struct pf_ft_stream *st);

#endif
