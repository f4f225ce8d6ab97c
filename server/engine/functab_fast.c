/* functab_fast.c: newGraph's walk (spec/pprof.md §8 step 6) for the case
 * perfgate uses — no node trimmed yet, every edge counts — without an
 * edge table. Edge weights are then irrelevant: a node is labelled
 * "call" when any plain call reaches it, "inline" when some incoming pair
 * had inlined contributions and never a plain one. Inlined pairs are fixed
 * by the locations' line lists, so they sit in a small set up front and
 * the walk only strikes the ones also seen as plain calls. The same walk
 * also runs fed one sample at a time (functab_stream.h). No I/O. */
#include <stdlib.h>
#include <string.h>

#include "functab_int.h"
#include "functab_stream.h"

#define MULTI 0x80000000u /* lnode: the location has several slots */
#define NONE  UINT32_MAX

/* An inlined pair P -> N (P + 1 in src1; 0 = empty) and whether a plain
 * call P -> N was also seen. */
struct ipair {
	uint32_t src1, dst;
	bool plain;
};

/* Per node: the walk's stamp and the bloom bits of the inlined pairs
 * into it (struct pf_ft_hot of functab_stream.h), cum and cum samples
 * (this walk: cold only), the call bit. */
struct fast {
	struct pf_ft_hot *hot;
	struct pf_ft_cold *cold;
	uint8_t *call;
	struct ipair *ip;
	size_t ip_mask;
	uint32_t serial;
};

static size_t pair_hash(uint32_t src, uint32_t dst)
{
	uint64_t k = ((uint64_t)src << 32) | dst;
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	return (size_t)k;
}

static struct ipair *pair_slot(const struct fast *f, uint32_t src, uint32_t dst)
{
	size_t h = pair_hash(src, dst) & f->ip_mask;
	for (; f->ip[h].src1; h = (h + 1) & f->ip_mask)
		if (f->ip[h].src1 == src + 1 && f->ip[h].dst == dst)
			break;
	return &f->ip[h];
}

/* The inlined pairs of every location of every input. */
static bool pairs_init(struct fast *f, const struct input *ins, size_t n_in)
{
	size_t n = 0, cap = 64;
	for (size_t i = 0; i < n_in; i++)
		n += ins[i].loc_off[ins[i].p->n_locations] - ins[i].p->n_locations;
	while (cap < n * 2)
		cap <<= 1;
	f->ip = calloc(cap, sizeof *f->ip);
	f->ip_mask = cap - 1;
	if (!f->ip)
		return false;
	for (size_t i = 0; i < n_in; i++) {
		const struct input *in = &ins[i];
		for (size_t l = 0; l < in->p->n_locations; l++)
			for (uint32_t k = in->loc_off[l]; k + 1 < in->loc_off[l + 1]; k++) {
				uint32_t src = in->loc_nodes[k + 1], dst = in->loc_nodes[k];
				if (src == dst)
					continue;
				struct ipair *e = pair_slot(f, src, dst);
				*e = (struct ipair){.src1 = src + 1, .dst = dst, .plain = e->plain};
				f->hot[dst].bloom |= 1u << (src & 31);
			}
	}
	return true;
}

/* A plain call src -> dst (src != dst). */
static inline void plain_call(struct fast *f, uint32_t src, uint32_t dst)
{
	f->call[dst] = 1;
	if (f->hot[dst].bloom >> (src & 31) & 1) {
		struct ipair *e = pair_slot(f, src, dst);
		if (e->src1)
			e->plain = true;
	}
}

static inline void touch(struct fast *f, uint32_t nd, int64_t w, int64_t c)
{
	struct pf_ft_hot *h = &f->hot[nd];
	if (h->stamp != f->serial) {
		h->stamp = f->serial;
		f->cold[nd].cum += w;
		f->cold[nd].cs += c;
	}
}

/* The frames of one sample, root first; returns the leaf node or NONE. */
static inline uint32_t walk_frames(struct fast *f, const struct input *in,
                                   const struct pf_pprof_sample *s, const uint32_t *lnode,
                                   uint8_t *used, int64_t w, int64_t c, bool narrow)
{
	uint32_t prev = NONE;
	for (uint32_t li = s->n_locs; li-- > 0;) {
		uint32_t loc = narrow ? s->locs16[li] : s->locs[li];
		uint32_t x = lnode[loc];
		if (!(x & MULTI)) {
			if (prev != NONE && prev != x)
				plain_call(f, prev, x);
			touch(f, x, w, c);
			prev = x;
			continue;
		}
		uint32_t lo = in->loc_off[loc], hi = in->loc_off[loc + 1];
		used[loc] = 1;
		for (uint32_t k = hi; k-- > lo;) {
			uint32_t nd = in->loc_nodes[k];
			if (k == hi - 1 && prev != NONE && prev != nd)
				plain_call(f, prev, nd);
			touch(f, nd, w, c);
			prev = nd;
		}
	}
	return prev;
}

/* One input: totals, flat, cum; marks the multi-slot locations used. */
static void walk_input(struct graph *g, struct fast *f, struct input *in, const uint32_t *lnode,
                       uint8_t *used)
{
	const struct pf_profile *p = in->p;
	const int side = in->side;
	for (size_t si = 0; si < p->n_samples; si++) {
		const struct pf_pprof_sample *s = &p->samples[si];
		int64_t w = pf_ft_value(in, s, si);
		int64_t c = in->count_index >= 0 ? s->values[in->count_index] : 0;
		in->total += w < 0 ? -w : w;
		in->total_samples += c;
		if (w == 0 || (g->o->focus_key && !pf_ft_focused(g, s)))
			continue;
		in->focus_total += w < 0 ? -w : w;
		f->serial++;
		uint32_t leaf = p->narrow_locs ? walk_frames(f, in, s, lnode, used, w, c, true)
		                               : walk_frames(f, in, s, lnode, used, w, c, false);
		if (leaf != NONE) {
			g->nodes[leaf].flat[side] += w;
			g->nodes[leaf].fs[side] += c;
		}
	}
	for (size_t i = 0; i < g->n_nodes; i++) {
		g->nodes[i].cum[side] += f->cold[i].cum;
		g->nodes[i].cs[side] += f->cold[i].cs;
		f->cold[i] = (struct pf_ft_cold){0, 0};
	}
}

/* Inline bits from the used locations' pairs never seen as plain calls. */
static void inline_labels(struct graph *g, const struct fast *f, const struct input *in,
                          const uint8_t *used)
{
	for (size_t l = 0; l < in->p->n_locations; l++) {
		if (!used[l])
			continue;
		for (uint32_t k = in->loc_off[l]; k + 1 < in->loc_off[l + 1]; k++) {
			uint32_t src = in->loc_nodes[k + 1], dst = in->loc_nodes[k];
			if (src != dst && !pair_slot(f, src, dst)->plain)
				g->nodes[dst].inl |= PF_FT_INLINE;
		}
	}
}

bool pf_ft_walk_fast(struct graph *g, struct input *ins, size_t n_in)
{
	struct fast f = {0};
	uint32_t *lnode[2] = {NULL, NULL};
	uint8_t *used[2] = {NULL, NULL};
	size_t nn = g->n_nodes ? g->n_nodes : 1;
	bool ok = false;
	if (n_in > 2)
		goto out;
	f.hot = calloc(nn, sizeof *f.hot);
	f.cold = calloc(nn, sizeof *f.cold);
	f.call = calloc(nn, 1);
	if (!f.hot || !f.cold || !f.call || !pairs_init(&f, ins, n_in))
		goto out;
	for (size_t i = 0; i < n_in; i++) {
		const struct input *in = &ins[i];
		size_t nl = in->p->n_locations;
		lnode[i] = malloc((nl ? nl : 1) * sizeof *lnode[i]);
		used[i] = calloc(nl ? nl : 1, 1);
		if (!lnode[i] || !used[i])
			goto out;
		for (size_t l = 0; l < nl; l++)
			lnode[i][l] = in->loc_off[l + 1] - in->loc_off[l] == 1
			                      ? in->loc_nodes[in->loc_off[l]]
			                      : MULTI;
	}
	for (size_t i = 0; i < n_in; i++)
		walk_input(g, &f, &ins[i], lnode[i], used[i]);
	for (size_t i = 0; i < n_in; i++)
		inline_labels(g, &f, &ins[i], used[i]);
	for (size_t i = 0; i < g->n_nodes; i++)
		if (f.call[i])
			g->nodes[i].inl |= PF_FT_CALL;
	ok = true;
out:
	for (size_t i = 0; i < 2; i++) {
		free(lnode[i]);
		free(used[i]);
	}
	free(f.hot);
	free(f.cold);
	free(f.call);
	free(f.ip);
	if (!ok)
		g->oom = true;
	return ok;
}

/* --- the walk fed one frame at a time (functab_stream.h) --------------- */

struct pf_ft_stream {
	struct graph g;
	struct input in;
	struct fast f;
	struct pf_functab_opts o;
	struct pf_ft_frames fr;
	struct pf_ft_loc *locs;
	uint8_t *used;
	int64_t (*flat)[2];
};

struct pf_ft_stream *pf_ft_stream_new(const struct pf_profile *p, int index, struct pf_arena *arena)
{
	struct pf_ft_stream *st = calloc(1, sizeof *st);
	if (!st)
		return NULL;
	st->o = pf_functab_opts_all();
	st->g.o = &st->o;
	st->g.all_kept = true;
	st->in = (struct input){.p = p, .index = index, .side = 1, .sign = 1};
	st->in.count_index = pf_pprof_count_index(p);
	st->g.ins = &st->in;
	st->g.n_in = 1;
	size_t nl = p->n_locations;
	if (nl >= PF_FT_MULTI || pf_ft_map_locations(&st->g, &st->in, arena) != PF_OK ||
	    st->g.n_nodes >= PF_FT_MULTI - 1)
		goto fail;
	size_t nn = st->g.n_nodes + 1; /* + the sink */
	st->f.hot = calloc(nn, sizeof *st->f.hot);
	st->f.cold = calloc(nn, sizeof *st->f.cold);
	st->f.call = calloc(nn, 1);
	st->locs = malloc((nl ? nl : 1) * sizeof *st->locs);
	st->used = calloc(nl ? nl : 1, 1);
	st->flat = calloc(st->g.n_nodes + 1, sizeof *st->flat);
	if (!st->f.hot || !st->f.cold || !st->f.call || !st->locs || !st->used || !st->flat ||
	    !pairs_init(&st->f, &st->in, 1))
		goto fail;
	const uint32_t *off = st->in.loc_off, *ln = st->in.loc_nodes;
	for (size_t l = 0; l < nl; l++) {
		uint32_t n = off[l + 1] - off[l];
		st->locs[l] = n <= 2 ? (struct pf_ft_loc){ln[off[l]], ln[off[l + 1] - 1]}
		                     : (struct pf_ft_loc){(uint32_t)l, PF_FT_MULTI};
	}
	st->fr = (struct pf_ft_frames){
	        .hot = st->f.hot,
	        .cold = st->f.cold,
	        .call = st->f.call,
	        .sink = (uint32_t)st->g.n_nodes,
	        .locs = st->locs,
	        .loc_off = off,
	        .loc_nodes = ln,
	        .used = st->used,
	        .flat = st->flat,
	        .index = index,
	        .count_index = st->in.count_index,
	        .st = st,
	};
	return st;
fail:
	pf_ft_stream_free(st);
	return NULL;
}

struct pf_ft_frames *pf_ft_stream_frames(struct pf_ft_stream *st)
{
	return &st->fr;
}

void pf_ft_stream_pair_plain(const struct pf_ft_frames *fr, uint32_t src, uint32_t dst)
{
	struct ipair *e = pair_slot(&fr->st->f, src, dst);
	if (!e->src1)
		return;
	if (fr->plain)
		fr->plain[e - fr->st->f.ip] = 1;
	else
		e->plain = true;
}

struct pf_ft_frames *pf_ft_stream_fork(struct pf_ft_stream *st)
{
	size_t nn = st->g.n_nodes + 1, nl = st->in.p->n_locations;
	struct pf_ft_frames *fr = malloc(sizeof *fr);
	if (!fr)
		return NULL;
	*fr = st->fr;
	fr->serial = 0;
	fr->k = 0;
	fr->total = fr->total_samples = 0;
	fr->hot = malloc(nn * sizeof *fr->hot);
	fr->cold = calloc(nn, sizeof *fr->cold);
	fr->call = calloc(nn, 1);
	fr->flat = calloc(nn, sizeof *fr->flat);
	fr->used = calloc(nl ? nl : 1, 1);
	fr->plain = calloc(st->f.ip_mask + 1, 1);
	if (!fr->hot || !fr->cold || !fr->call || !fr->flat || !fr->used || !fr->plain) {
		pf_ft_stream_drop(fr);
		return NULL;
	}
	for (size_t i = 0; i < nn; i++) /* the bloom bits are fixed */
		fr->hot[i] = (struct pf_ft_hot){.bloom = st->f.hot[i].bloom};
	return fr;
}

void pf_ft_stream_join(struct pf_ft_stream *st, struct pf_ft_frames *fr)
{
	struct pf_ft_frames *to = &st->fr;
	for (size_t i = 0; i <= st->g.n_nodes; i++) { /* fr's hot into to's cold */
		int64_t cum = fr->hot[i].cum;
		to->cold[i].cum += cum + fr->cold[i].cum;
		to->cold[i].cs += (fr->k ? cum / fr->k : 0) + fr->cold[i].cs;
		to->call[i] |= fr->call[i];
		to->flat[i][0] += fr->flat[i][0];
		to->flat[i][1] += fr->flat[i][1];
	}
	for (size_t l = 0; l < st->in.p->n_locations; l++)
		to->used[l] |= fr->used[l];
	for (size_t k = 0; k <= st->f.ip_mask; k++)
		if (fr->plain[k])
			st->f.ip[k].plain = true;
	to->total += fr->total;
	to->total_samples += fr->total_samples;
	pf_ft_stream_drop(fr);
}

void pf_ft_stream_drop(struct pf_ft_frames *fr)
{
	if (!fr)
		return;
	free(fr->hot);
	free(fr->cold);
	free(fr->call);
	free(fr->flat);
	free(fr->used);
	free(fr->plain);
	free(fr);
}

enum pf_code pf_ft_stream_finish(struct pf_ft_stream *st, struct pf_arena *arena,
                                 struct pf_functab **out, struct pf_err *err)
{
	const struct pf_profile *p = st->in.p;
	struct graph *g = &st->g;
	*out = NULL;
	struct pf_functab *t = pf_arena_calloc(arena, 1, sizeof *t);
	if (!t)
		return pf_err_set(err, PF_E_NOMEM, NULL, "out of memory");
	t->sample_index = pf_arena_strdup(arena, p->types[st->in.index].type);
	t->unit = pf_arena_strdup(arena, p->types[st->in.index].unit);
	if (!t->sample_index || !t->unit)
		return pf_err_set(err, PF_E_NOMEM, NULL, "out of memory");
	t->total = st->fr.total;
	for (size_t i = 0; i < g->n_nodes; i++) {
		int64_t cum = st->f.hot[i].cum, k = st->fr.k;
		g->nodes[i].cum[1] = cum + st->f.cold[i].cum;
		g->nodes[i].cs[1] = (k ? cum / k : 0) + st->f.cold[i].cs;
		g->nodes[i].flat[1] = st->flat[i][0];
		g->nodes[i].fs[1] = st->flat[i][1];
	}
	inline_labels(g, &st->f, &st->in, st->used);
	for (size_t i = 0; i < g->n_nodes; i++)
		if (st->f.call[i])
			g->nodes[i].inl |= PF_FT_CALL;
	if (pf_ft_rows(g, &st->in, 1, arena, t) != PF_OK)
		return pf_err_set(err, PF_E_NOMEM, NULL,
		                  "out of memory building the function table");
	t->total_samples = st->in.count_index >= 0 ? st->fr.total_samples : -1;
	if (t->total == 0)
		return pf_err_set(err, PF_E_EMPTY, NULL,
		                  "profile has no %s values (total 0): nothing to compare",
		                  t->sample_index);
	*out = t;
	return PF_OK;
}

void pf_ft_stream_free(struct pf_ft_stream *st)
{
	if (!st)
		return;
	pf_ft_graph_free(&st->g, &st->in, 1);
	free(st->f.hot);
	free(st->f.cold);
	free(st->f.call);
	free(st->f.ip);
	free(st->locs);
	free(st->used);
	free(st->flat);
	free(st);
}
