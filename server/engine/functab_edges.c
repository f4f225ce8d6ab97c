/* functab_edges.c: the call edges of pprof's newGraph (spec/pprof.md §8
 * step 6) in one open-addressing table with per-call-site memos, and the
 * general per-sample walk that feeds them (any trimming, any edge
 * fraction). Edge labels are read from the table here too. No I/O. */
#include <stdlib.h>
#include <string.h>

#include "functab_int.h"

static size_t edge_hash(uint32_t src, uint32_t dst)
{
	uint64_t k = ((uint64_t)src << 32) | dst;
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	return (size_t)k;
}

/* Add the pending weights of in's slot memos to their edges, unbind them. */
void pf_ft_memo_flush(struct graph *g, struct input *in)
{
	size_t n = in->loc_off[in->p->n_locations];
	for (size_t k = 0; k < n; k++) {
		struct slot_memo *m = &in->memo[k];
		if (m->child != UINT32_MAX)
			g->edges[m->edge].weight += m->pending;
		*m = (struct slot_memo){.child = UINT32_MAX};
	}
}

/* Double the edge table (memos are flushed first: edges move). */
static bool etab_grow(struct graph *g)
{
	size_t cap = g->edges ? (g->etab_mask + 1) * 2 : 4096;
	struct edge *t = calloc(cap, sizeof *t);
	if (!t)
		return false;
	for (size_t i = 0; i < g->n_in; i++)
		if (g->ins[i].memo && g->edges)
			pf_ft_memo_flush(g, &g->ins[i]);
	for (size_t i = 0; g->edges && i <= g->etab_mask; i++) {
		const struct edge *e = &g->edges[i];
		if (!e->src1)
			continue;
		size_t h = edge_hash(e->src1 - 1, e->dst & ~EDGE_CALL) & (cap - 1);
		while (t[h].src1)
			h = (h + 1) & (cap - 1);
		t[h] = *e;
	}
	free(g->edges);
	g->edges = t;
	g->etab_mask = cap - 1;
	return true;
}

/* Slot of edge src -> dst in the table, created (inline until a plain
 * call is seen) when new; UINT32_MAX on OOM. */
static uint32_t edge_find(struct graph *g, uint32_t src, uint32_t dst)
{
	if (!g->edges || (g->n_edges + 1) * 4 >= (g->etab_mask + 1) * 3)
		if (!etab_grow(g))
			goto oom;
	size_t h = edge_hash(src, dst) & g->etab_mask;
	for (; g->edges[h].src1; h = (h + 1) & g->etab_mask)
		if (g->edges[h].src1 == src + 1 && (g->edges[h].dst & ~EDGE_CALL) == dst)
			return (uint32_t)h;
	g->edges[h] = (struct edge){.src1 = src + 1, .dst = dst};
	g->n_edges++;
	return (uint32_t)h;
oom:
	g->oom = true;
	return UINT32_MAX;
}

/* Add one contribution of edge parent -> nd; outer: nd is its location's
 * outermost line, so the call is not inlined (spec §8 step 6). With every
 * node kept the slot after pslot is fixed, so the memo of pslot can skip
 * the hash lookup (its inline flag was applied when it was bound). */
static bool edge_add(struct graph *g, struct input *in, uint32_t parent, uint32_t pslot,
                     uint32_t nd, bool outer, int64_t sw)
{
	struct slot_memo *m = &in->memo[pslot];
	if (g->all_kept && m->child == nd) {
		m->pending += sw;
		return true;
	}
	uint32_t i = edge_find(g, parent, nd);
	if (i == UINT32_MAX)
		return false;
	g->edges[i].weight += sw;
	if (outer)
		g->edges[i].dst |= EDGE_CALL;
	if (g->all_kept && m->child == UINT32_MAX)
		*m = (struct slot_memo){.child = nd, .edge = i};
	return true;
}

/* Did the pair parent -> nd occur earlier in the sample (seq[0..n))? */
static bool pair_seen(const uint32_t *seq, size_t n, uint32_t parent, uint32_t nd)
{
	for (size_t i = 1; i < n; i++)
		if (seq[i] == nd && seq[i - 1] == parent)
			return true;
	return false;
}

/* newGraph's walk of one sample: root -> leaf, each location's lines
 * outermost first; cum once per node (stamps), each edge once per
 * distinct pair (only a repeated node can repeat a pair), flat to the
 * last node unless it was dropped. Dropped nodes are skipped: edges join
 * the nearest kept nodes. */
void pf_ft_walk_sample(struct graph *g, struct input *in, const struct pf_pprof_sample *s,
                       int64_t w, int64_t c)
{
	const int side = in->side;
	const uint32_t stamp = ++g->serial;
	uint32_t parent = UINT32_MAX, pslot = 0;
	size_t n_seq = 0;
	bool residual = false;
	for (uint32_t li = s->n_locs; li-- > 0;) {
		uint32_t loc = pf_pprof_sample_loc(in->p, s, li), lo = in->loc_off[loc],
		         hi = in->loc_off[loc + 1];
		for (uint32_t k = hi; k-- > lo;) {
			uint32_t nd = in->loc_nodes[k];
			struct node *n = &g->nodes[nd];
			if (!n->kept) {
				residual = true;
				continue;
			}
			bool seen = n->stamp == stamp;
			if (!seen) {
				n->stamp = stamp;
				n->cum[side] += w;
				n->cs[side] += c;
			}
			if (parent != UINT32_MAX && parent != nd &&
			    !(seen && pair_seen(g->seq, n_seq, parent, nd)) &&
			    !edge_add(g, in, parent, pslot, nd, k == hi - 1, in->sign * w))
				return;
			if (n_seq == g->cap_seq) {
				size_t cap = g->cap_seq ? g->cap_seq * 2 : 256;
				uint32_t *q = realloc(g->seq, cap * sizeof *q);
				if (!q) {
					g->oom = true;
					return;
				}
				g->seq = q;
				g->cap_seq = cap;
			}
			g->seq[n_seq++] = nd;
			parent = nd;
			pslot = k;
			residual = false;
		}
	}
	if (parent != UINT32_MAX && !residual) {
		g->nodes[parent].flat[side] += w;
		g->nodes[parent].fs[side] += c;
	}
}
void pf_ft_edge_labels(struct graph *g, int64_t cut)
{
	for (size_t i = 0; g->edges && i <= g->etab_mask; i++) {
		const struct edge *e = &g->edges[i];
		if (e->src1 && (e->weight < 0 ? -e->weight : e->weight) >= cut)
			g->nodes[e->dst & ~EDGE_CALL].inl |=
			        (e->dst & EDGE_CALL) ? PF_FT_CALL : PF_FT_INLINE;
	}
}
