/* functab_stream.h: the function table of pf_functab_build with NULL
 * options (every node, every edge, flat order) accumulated one sample at
 * a time, for a decoder that never stores the samples (pf_pprof_functab).
 * The per-frame work is inline here so the decoder's loop over a sample's
 * location ids does it in place. Internal to the engine. */
#ifndef PF_FUNCTAB_STREAM_H
#define PF_FUNCTAB_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "functab.h"
#include "pf_err.h"
#include "pprof.h"

#define PF_FT_MULTI 0x80000000u

/* What a frame touches, one 16-byte record per node: cum of the samples
 * whose value is k times their count (CPU profiles: all of them), so
 * their cum samples are cum / k without being added up; the bloom bits
 * of the node as a callee, read with the record the previous frame
 * touched. */
struct pf_ft_hot {
	uint32_t stamp; /* last sample that added cum */
	uint32_t bloom; /* bit P % 32 for the inlined pairs P -> node */
	int64_t cum;
};

/* Per node, cum and cum samples of the other samples. */
struct pf_ft_cold {
	int64_t cum, cs;
};

/* A location for the frame loop: its innermost and outermost nodes (the
 * same node for one line); outer | PF_FT_MULTI when it has more than two
 * lines, inner then being the location index. */
struct pf_ft_loc {
	uint32_t inner, outer;
};

struct pf_ft_stream;

/* The state a sample loop reads and writes, borrowed from the stream. */
struct pf_ft_frames {
	struct pf_ft_hot *hot;   /* per node, then the sink (callee of nothing) */
	struct pf_ft_cold *cold; /* per node */
	uint8_t *call;           /* per node: reached by a plain call */
	int64_t k;               /* value = k * count in hot's samples; 0: unset */
	uint32_t sink;
	uint32_t serial;              /* bump once per walked sample */
	const struct pf_ft_loc *locs; /* per location */
	const uint32_t *loc_off;      /* n_locations + 1 */
	const uint32_t *loc_nodes;    /* innermost first */
	uint8_t *used;                /* per location: walked by a sample */
	int64_t (*flat)[2];           /* per node: flat, flat samples */
	int index, count_index;       /* value columns */
	int64_t total, total_samples; /* Σ|value|, Σ count over all samples */
	struct pf_ft_stream *st;
	uint8_t *plain; /* a fork's: per inlined-pair slot, also a plain call */
};

/* Start the table of column index of p, whose functions, locations and
 * mappings are complete (samples are not read). NULL when out of memory
 * or when p has 2^31 locations or nodes or more. Free with
 * pf_ft_stream_free. */
struct pf_ft_stream *pf_ft_stream_new(const struct pf_profile *p, int index,
                                      struct pf_arena *arena);
struct pf_ft_frames *pf_ft_stream_frames(struct pf_ft_stream *st);
/* Frames of their own for another thread: fresh accumulators (per node,
 * per location, totals), the same read-only maps; it writes nothing of
 * st's. NULL when out of memory. pf_ft_stream_join adds it into st's
 * frames (sums, ors) and frees it; pf_ft_stream_drop only frees it. */
struct pf_ft_frames *pf_ft_stream_fork(struct pf_ft_stream *st);
void pf_ft_stream_join(struct pf_ft_stream *st, struct pf_ft_frames *fr);
void pf_ft_stream_drop(struct pf_ft_frames *fr);
/* A plain call src -> dst whose pair may also be inlined (bloom hit). */
void pf_ft_stream_pair_plain(const struct pf_ft_frames *fr, uint32_t src, uint32_t dst);
/* The table, as pf_functab_build would return it: PF_OK, PF_E_EMPTY
 * (total 0) or PF_E_NOMEM. */
enum pf_code pf_ft_stream_finish(struct pf_ft_stream *st, struct pf_arena *arena,
                                 struct pf_functab **out, struct pf_err *err) PF_MUSTCHECK;
void pf_ft_stream_free(struct pf_ft_stream *st);

/* cum once per sample, without a branch on the stamp: into hot when
 * cold is NULL (a proportional sample), else into cold with its count. */
static inline __attribute__((always_inline)) void pf_ft_touch(struct pf_ft_hot *hot,
                                                              struct pf_ft_cold *cold,
                                                              uint32_t serial, uint32_t nd,
                                                              int64_t w, int64_t c)
{
	struct pf_ft_hot *h = &hot[nd];
	int64_t m = -(int64_t)(h->stamp != serial);
	h->stamp = serial;
	if (!cold) {
		h->cum += w & m;
	} else {
		cold[nd].cum += w & m;
		cold[nd].cs += c & m;
	}
}

/* What one sample's walk keeps in registers: fr's hot and call, cold
 * as pf_ft_touch takes it, the sample's serial. */
struct pf_ft_regs {
	struct pf_ft_hot *hot;
	struct pf_ft_cold *cold;
	uint8_t *call;
	uint32_t serial;
};

/* One frame, walked leaf first: location l called *callee (the previous
 * frame's outermost node, or the sink); returns l's innermost node. */
static inline __attribute__((always_inline)) uint32_t
pf_ft_step(const struct pf_ft_frames *fr, struct pf_ft_regs r, struct pf_ft_loc l, uint32_t *callee,
           int64_t w, int64_t c)
{
	struct pf_ft_hot *hot = r.hot;
	struct pf_ft_cold *cold = r.cold;
	uint32_t serial = r.serial;
	uint32_t inner = l.inner, outer = l.outer;
	if (__builtin_expect(!!(outer & PF_FT_MULTI), 0)) {
		uint32_t lo = fr->loc_off[inner], hi = fr->loc_off[inner + 1];
		for (uint32_t k = lo; k < hi; k++)
			pf_ft_touch(hot, cold, serial, fr->loc_nodes[k], w, c);
		inner = fr->loc_nodes[lo];
		outer = fr->loc_nodes[hi - 1];
	} else {
		pf_ft_touch(hot, cold, serial, outer, w, c);
		pf_ft_touch(hot, cold, serial, inner, w, c);
	}
	r.call[*callee] |= inner != *callee;
	if (__builtin_expect((hot[*callee].bloom >> (inner & 31)) & 1, 0) && inner != *callee)
		pf_ft_stream_pair_plain(fr, inner, *callee);
	*callee = outer;
	return inner;
}

/* The leaf node of a walked sample takes its flat. */
static inline void pf_ft_flat(struct pf_ft_frames *fr, uint32_t leaf, int64_t w, int64_t c)
{
	fr->flat[leaf][0] += w;
	fr->flat[leaf][1] += c;
}

/* Whether a sample of weight w and count c goes to hot: value = k *
 * count, k set by the first sample with positive ones (or no count
 * column at all: count_index < 0). */
static inline bool pf_ft_proportional(struct pf_ft_frames *fr, int64_t w, int64_t c)
{
	int64_t kc;
	if (fr->count_index < 0)
		return true;
	if (c <= 0 || w <= 0)
		return false;
	if (fr->k == 0 && w % c == 0)
		fr->k = w / c;
	return fr->k && !__builtin_mul_overflow(fr->k, c, &kc) && kc == w;
}

/* The frames l[0..n) (n >= 1, leaf first) of one sample into hot or
 * cold; returns the leaf node. */
static inline __attribute__((always_inline)) uint32_t pf_ft_walk(struct pf_ft_frames *fr,
                                                                 struct pf_ft_cold *cold,
                                                                 const struct pf_ft_loc *l,
                                                                 size_t n, int64_t w, int64_t c)
{
	struct pf_ft_regs r = {fr->hot, cold, fr->call, ++fr->serial};
	uint32_t callee = fr->sink;
	uint32_t leaf = pf_ft_step(fr, r, l[0], &callee, w, c);
	for (size_t j = 1; j < n; j++)
		(void)pf_ft_step(fr, r, l[j], &callee, w, c);
	return leaf;
}

/* A whole sample of weight w (count c): its n >= 1 locations, leaf
 * first, walked as a new sample. */
static inline void pf_ft_sample(struct pf_ft_frames *fr, const struct pf_ft_loc *l, size_t n,
                                int64_t w, int64_t c)
{
	uint32_t leaf = pf_ft_proportional(fr, w, c) ? pf_ft_walk(fr, NULL, l, n, w, c)
	                                             : pf_ft_walk(fr, fr->cold, l, n, w, c);
	pf_ft_flat(fr, leaf, w, c);
}

#endif
