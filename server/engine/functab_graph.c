/* functab_graph.c: the call graph of pprof's newGraph/newTrimmedGraph
 * (spec/pprof.md §8 steps 3-8) over one profile or a diff pair, reduced to
 * a sorted function table. Owns node interning, the per-sample walk (cum
 * once per sample, flat on the innermost line of the leaf location, edges
 * with their inline flag), node/edge trimming and the row labels.
 * No I/O, no logging; scratch memory is malloc'ed and freed here. */
#include <math.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "functab.h"

struct node {
	const char *name;
	int64_t flat[2], cum[2]; /* per side (base/cand), unsigned by side */
	int64_t fs[2], cs[2];    /* sample counts per side */
	uint32_t stamp;          /* last sample that added cum */
	bool kept;
	unsigned inl;
};

/* A call edge P -> N of the graph (node indices), a slot of the open
 * addressing edge table: 16 bytes, so a lookup touches one cache line. */
#define EDGE_CALL 0x80000000u /* in dst: some contribution was a plain call */
struct edge {
	uint32_t src1; /* P + 1; 0: empty slot */
	uint32_t dst;  /* N, | EDGE_CALL */
	int64_t weight;
};

/* The edge last fed from one loc_nodes slot (the caller side), with
 * weight not yet added to it. A slot's node is fixed and a call site
 * nearly always calls the same function, so consecutive samples through
 * it reuse the edge without a hash lookup. Inlined or not is fixed by the
 * slot too: the next slot is the same location's next line (inline) or,
 * from its innermost line, the next location's outermost line (a call). */
struct slot_memo {
	uint32_t child; /* UINT32_MAX: unbound */
	uint32_t edge;
	int64_t pending;
};

struct input {
	const struct pf_profile *p;
	int index, count_index;
	int side;          /* 0 base, 1 cand (single profile: 1) */
	int64_t sign;      /* -1 for the base of a diff */
	uint32_t *loc_off; /* n_locations + 1 offsets into loc_nodes */
	uint32_t *loc_nodes;
	struct slot_memo *memo; /* one per loc_nodes slot */
	int64_t total, total_samples;
};

struct graph {
	struct node *nodes;
	size_t n_nodes, cap_nodes;
	uint32_t *ntab; /* name hash: node index + 1 */
	size_t ntab_mask;
	struct edge *edges; /* hash table of the edges */
	size_t n_edges, etab_mask;
	struct input *ins; /* their slot memos point into edges */
	size_t n_in;
	uint32_t serial;
	uint32_t *seq; /* kept nodes of the current sample, in walk order */
	size_t cap_seq;
	bool all_kept; /* no node dropped: the slot memos apply */
	bool oom;
	const struct pf_functab_opts *o;
	regex_t *focus;
	size_t n_focus;
};

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	while (*s)
		h = (h ^ (uint8_t)*s++) * 1099511628211ULL;
	return h;
}

static bool ntab_grow(struct graph *g)
{
	size_t cap = g->ntab ? (g->ntab_mask + 1) * 2 : 1024;
	uint32_t *t = calloc(cap, sizeof *t);
	if (!t)
		return false;
	for (size_t i = 0; i < g->n_nodes; i++) {
		size_t h = hash_str(g->nodes[i].name) & (cap - 1);
		while (t[h])
			h = (h + 1) & (cap - 1);
		t[h] = (uint32_t)i + 1;
	}
	free(g->ntab);
	g->ntab = t;
	g->ntab_mask = cap - 1;
	return true;
}

/* Node index for a printable name (interned); UINT32_MAX on OOM. */
static uint32_t intern(struct graph *g, const char *name)
{
	if (!g->ntab || g->n_nodes * 2 >= g->ntab_mask + 1)
		if (!ntab_grow(g))
			goto oom;
	size_t h = hash_str(name) & g->ntab_mask;
	while (g->ntab[h]) {
		uint32_t i = g->ntab[h] - 1;
		if (strcmp(g->nodes[i].name, name) == 0)
			return i;
		h = (h + 1) & g->ntab_mask;
	}
	if (g->n_nodes == g->cap_nodes) {
		size_t cap = g->cap_nodes ? g->cap_nodes * 2 : 256;
		struct node *nn = realloc(g->nodes, cap * sizeof *nn);
		if (!nn)
			goto oom;
		g->nodes = nn;
		g->cap_nodes = cap;
	}
	memset(&g->nodes[g->n_nodes], 0, sizeof g->nodes[0]);
	g->nodes[g->n_nodes].name = name;
	g->nodes[g->n_nodes].kept = true;
	g->ntab[h] = (uint32_t)g->n_nodes + 1;
	return (uint32_t)g->n_nodes++;
oom:
	g->oom = true;
	return UINT32_MAX;
}

/* Printable name of a line-less or nameless frame (NodeInfo.NameComponents):
 * "[<base of the mapping file>]" or "<unknown>". */
static const char *anon_name(struct pf_arena *a, const struct pf_profile *p,
                             const struct pf_pprof_location *l)
{
	if (l->mapping != PF_PPROF_NO_MAPPING && *p->mappings[l->mapping].filename) {
		const char *f = p->mappings[l->mapping].filename;
		const char *slash = strrchr(f, '/');
		return pf_arena_printf(a, "[%s]", slash && slash[1] ? slash + 1 : f);
	}
	return "<unknown>";
}

/* Map every location of in->p to its node per line (spec §8 step 6). */
static enum pf_code map_locations(struct graph *g, struct input *in, struct pf_arena *a)
{
	const struct pf_profile *p = in->p;
	size_t total = 0;
	uint32_t *fnode = malloc((p->n_functions ? p->n_functions : 1) * sizeof *fnode);
	in->loc_off = malloc((p->n_locations + 1) * sizeof *in->loc_off);
	if (!fnode || !in->loc_off)
		goto oom;
	for (size_t i = 0; i < p->n_functions; i++)
		fnode[i] = *p->functions[i].name ? intern(g, p->functions[i].name) : UINT32_MAX;
	for (size_t i = 0; i < p->n_locations; i++) {
		uint32_t n = p->locations[i].n_lines;
		in->loc_off[i] = (uint32_t)total;
		total += n == 0 ? 1 : (g->o->no_inlines ? 1 : n);
	}
	in->loc_off[p->n_locations] = (uint32_t)total;
	in->loc_nodes = malloc((total ? total : 1) * sizeof *in->loc_nodes);
	in->memo = malloc((total ? total : 1) * sizeof *in->memo);
	if (!in->loc_nodes || !in->memo)
		goto oom;
	for (size_t i = 0; i < total; i++)
		in->memo[i] = (struct slot_memo){.child = UINT32_MAX};
	for (size_t i = 0; i < p->n_locations; i++) {
		const struct pf_pprof_location *l = &p->locations[i];
		uint32_t *out = &in->loc_nodes[in->loc_off[i]];
		uint32_t first = g->o->no_inlines && l->n_lines ? l->n_lines - 1 : 0;
		if (l->n_lines == 0) {
			const char *nm = anon_name(a, p, l);
			out[0] = nm ? intern(g, nm) : UINT32_MAX;
			if (!nm)
				g->oom = true;
			continue;
		}
		for (uint32_t j = first; j < l->n_lines; j++) {
			uint32_t fn = l->lines[j].func;
			uint32_t nd = fnode[fn];
			if (nd == UINT32_MAX) {
				const char *nm = anon_name(a, p, l);
				nd = nm ? intern(g, nm) : UINT32_MAX;
				if (!nm)
					g->oom = true;
			}
			out[j - first] = nd;
		}
	}
	free(fnode);
	return g->oom ? PF_E_NOMEM : PF_OK;
oom:
	free(fnode);
	g->oom = true;
	return PF_E_NOMEM;
}

static size_t edge_hash(uint32_t src, uint32_t dst)
{
	uint64_t k = ((uint64_t)src << 32) | dst;
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	return (size_t)k;
}

/* Add the pending weights of in's slot memos to their edges, unbind them. */
static void memo_flush(struct graph *g, struct input *in)
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
			memo_flush(g, &g->ins[i]);
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

/* -tagfocus: does sample s carry focus_key with a value matching any regex? */
static bool focused(const struct graph *g, const struct pf_pprof_sample *s)
{
	for (uint32_t i = 0; i < s->n_labels; i++) {
		const struct pf_pprof_label *lb = &s->labels[i];
		if (!lb->str || strcmp(lb->key, g->o->focus_key) != 0)
			continue;
		for (size_t r = 0; r < g->n_focus; r++)
			if (regexec(&g->focus[r], lb->str, 0, NULL, 0) == 0)
				return true;
	}
	return false;
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
static void walk_sample(struct graph *g, struct input *in, const struct pf_pprof_sample *s,
                        int64_t w, int64_t c)
{
	const int side = in->side;
	const uint32_t stamp = ++g->serial;
	uint32_t parent = UINT32_MAX, pslot = 0;
	size_t n_seq = 0;
	bool residual = false;
	for (uint32_t li = s->n_locs; li-- > 0;) {
		uint32_t loc = s->locs[li], lo = in->loc_off[loc], hi = in->loc_off[loc + 1];
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

/* One pass of newGraph over every sample of in (kept flags honoured). */
static void walk(struct graph *g, struct input *in, bool totals)
{
	const struct pf_profile *p = in->p;
	for (size_t si = 0; si < p->n_samples && !g->oom; si++) {
		const struct pf_pprof_sample *s = &p->samples[si];
		int64_t w = s->values[in->index];
		int64_t c = in->count_index >= 0 ? s->values[in->count_index] : 0;
		if (totals) {
			in->total += w < 0 ? -w : w;
			in->total_samples += c;
		}
		if (w == 0 || (g->o->focus_key && !focused(g, s)))
			continue;
		walk_sample(g, in, s, w, c);
	}
	if (!g->oom)
		memo_flush(g, in);
}

static int64_t node_flat(const struct node *n, const struct input *ins, size_t n_in)
{
	int64_t v = 0;
	for (size_t i = 0; i < n_in; i++)
		v += ins[i].sign * n->flat[ins[i].side];
	return v;
}

static int64_t node_cum(const struct node *n, const struct input *ins, size_t n_in)
{
	int64_t v = 0;
	for (size_t i = 0; i < n_in; i++)
		v += ins[i].sign * n->cum[ins[i].side];
	return v;
}

static void reset(struct graph *g)
{
	for (size_t i = 0; i < g->n_nodes; i++) {
		struct node *n = &g->nodes[i];
		memset(n->flat, 0, sizeof n->flat);
		memset(n->cum, 0, sizeof n->cum);
		memset(n->fs, 0, sizeof n->fs);
		memset(n->cs, 0, sizeof n->cs);
		n->inl = 0;
	}
	free(g->edges);
	g->edges = NULL;
	g->n_edges = 0;
}

static int64_t abs64(int64_t v)
{
	return v < 0 ? -v : v;
}

static enum pf_code compile_focus(struct graph *g, struct pf_err *err)
{
	const char *v = g->o->focus_value ? g->o->focus_value : "";
	size_t n = 1;
	for (const char *q = v; *q; q++)
		n += *q == ',';
	g->focus = calloc(n, sizeof *g->focus);
	if (!g->focus)
		return pf_err_set(err, PF_E_NOMEM, NULL, "out of memory");
	while (g->n_focus < n) {
		const char *comma = strchr(v, ',');
		size_t len = comma ? (size_t)(comma - v) : strlen(v);
		char re[256];
		if (len >= sizeof re)
			return pf_err_set(err, PF_E_BAD_REQUEST, "tagfocus", "regex too long");
		memcpy(re, v, len);
		re[len] = '\0';
		if (regcomp(&g->focus[g->n_focus], re, REG_EXTENDED | REG_NOSUB) != 0)
			return pf_err_set(err, PF_E_BAD_REQUEST, "tagfocus", "bad regex \"%s\"",
			                  re);
		g->n_focus++;
		v = comma ? comma + 1 : v + len;
	}
	return PF_OK;
}

/* Build the graph of ins, trim and label it, and emit the table. */
static enum pf_code build(struct input *ins, size_t n_in, const struct pf_functab_opts *o,
                          struct pf_arena *a, struct pf_functab *t, struct pf_err *err)
{
	struct graph g;
	enum pf_code rc = PF_OK;
	memset(&g, 0, sizeof g);
	g.o = o;
	g.all_kept = true;
	g.ins = ins;
	g.n_in = n_in;
	if (o->focus_key && (rc = compile_focus(&g, err)) != PF_OK)
		goto out;
	for (size_t i = 0; i < n_in; i++)
		if (map_locations(&g, &ins[i], a) != PF_OK)
			goto oom;
	for (size_t i = 0; i < n_in; i++)
		walk(&g, &ins[i], true);
	if (g.oom)
		goto oom;

	int64_t flat_sum = 0;
	for (size_t i = 0; i < g.n_nodes; i++)
		flat_sum += node_flat(&g.nodes[i], ins, n_in);
	int64_t node_cut = abs64((int64_t)((double)flat_sum * o->node_fraction));
	int64_t edge_cut = abs64((int64_t)((double)flat_sum * o->edge_fraction));
	t->drop_cutoff = abs64((int64_t)((double)t->total * o->node_fraction));
	if (node_cut > 0) {
		size_t dropped = 0;
		for (size_t i = 0; i < g.n_nodes; i++) {
			struct node *n = &g.nodes[i];
			int64_t f = node_flat(n, ins, n_in), c = node_cum(n, ins, n_in);
			n->kept = abs64(c) >= node_cut;
			dropped += !n->kept && (f != 0 || c != 0);
		}
		if (dropped) {
			t->n_dropped = dropped;
			g.all_kept = false;
			reset(&g);
			for (size_t i = 0; i < n_in; i++)
				walk(&g, &ins[i], false);
			if (g.oom)
				goto oom;
		}
	}
	for (size_t i = 0; g.edges && i <= g.etab_mask; i++) {
		const struct edge *e = &g.edges[i];
		if (e->src1 && abs64(e->weight) >= edge_cut)
			g.nodes[e->dst & ~EDGE_CALL].inl |=
			        (e->dst & EDGE_CALL) ? PF_FT_CALL : PF_FT_INLINE;
	}

	size_t n_rows = 0;
	t->rows = pf_arena_calloc(a, g.n_nodes ? g.n_nodes : 1, sizeof *t->rows);
	if (!t->rows)
		goto oom;
	for (size_t i = 0; i < g.n_nodes; i++) {
		const struct node *n = &g.nodes[i];
		int64_t f = node_flat(n, ins, n_in), c = node_cum(n, ins, n_in);
		if (!n->kept || (f == 0 && c == 0))
			continue;
		struct pf_functab_row *r = &t->rows[n_rows++];
		r->name = pf_arena_strdup(a, n->name);
		if (!r->name)
			goto oom;
		r->inl = n->inl;
		r->flat = f;
		r->cum = c;
		bool counted = n_in == 1 && ins[0].count_index >= 0;
		r->flat_samples = counted ? n->fs[ins[0].side] : -1;
		r->cum_samples = counted ? n->cs[ins[0].side] : -1;
	}
	t->n_rows = n_rows;
	pf_functab_sort(t, o->cum_sort);
	goto out;
oom:
	rc = pf_err_set(err, PF_E_NOMEM, NULL, "out of memory building the function table");
out:
	for (size_t i = 0; i < n_in; i++) {
		free(ins[i].loc_off);
		free(ins[i].loc_nodes);
		free(ins[i].memo);
		ins[i].loc_off = NULL;
		ins[i].loc_nodes = NULL;
		ins[i].memo = NULL;
	}
	for (size_t i = 0; i < g.n_focus; i++)
		regfree(&g.focus[i]);
	free(g.focus);
	free(g.nodes);
	free(g.ntab);
	free(g.edges);
	free(g.seq);
	return rc;
}

struct pf_functab_opts pf_functab_opts_all(void)
{
	struct pf_functab_opts o = {0};
	return o;
}

struct pf_functab_opts pf_functab_opts_pprof(void)
{
	struct pf_functab_opts o = {0};
	o.node_fraction = 0.005;
	o.edge_fraction = 0.001;
	return o;
}

static enum pf_code check_index(const struct pf_profile *p, int index, struct pf_err *err)
{
	if (index < 0 || (size_t)index >= p->n_types)
		return pf_err_set(err, PF_E_BAD_REQUEST, "sample_index",
		                  "sample index %d is outside the range [0..%zu)", index,
		                  p->n_types);
	return PF_OK;
}

enum pf_code pf_functab_build(const struct pf_profile *p, int index,
                              const struct pf_functab_opts *opts, struct pf_arena *arena,
                              struct pf_functab **out, struct pf_err *err)
{
	struct pf_functab_opts all = pf_functab_opts_all();
	struct input in = {.p = p, .index = index, .side = 1, .sign = 1};
	struct pf_functab *t;
	enum pf_code rc;

	*out = NULL;
	if ((rc = check_index(p, index, err)) != PF_OK)
		return rc;
	in.count_index = pf_pprof_count_index(p);
	t = pf_arena_calloc(arena, 1, sizeof *t);
	if (!t)
		return pf_err_set(err, PF_E_NOMEM, NULL, "out of memory");
	t->sample_index = pf_arena_strdup(arena, p->types[index].type);
	t->unit = pf_arena_strdup(arena, p->types[index].unit);
	if (!t->sample_index || !t->unit)
		return pf_err_set(err, PF_E_NOMEM, NULL, "out of memory");
	/* the total comes first: the trimming cut-off label uses it */
	for (size_t i = 0; i < p->n_samples; i++) {
		int64_t v = p->samples[i].values[index];
		t->total += v < 0 ? -v : v;
	}
	if ((rc = build(&in, 1, opts ? opts : &all, arena, t, err)) != PF_OK)
		return rc;
	t->total_samples = in.count_index >= 0 ? in.total_samples : -1;
	if (t->total == 0)
		return pf_err_set(err, PF_E_EMPTY, NULL,
		                  "profile has no %s values (total 0): nothing to compare",
		                  t->sample_index);
	*out = t;
	return PF_OK;
}

enum pf_code pf_functab_build_diff(const struct pf_profile *base, int base_index,
                                   const struct pf_profile *cand, int cand_index,
                                   const struct pf_functab_opts *opts, struct pf_arena *arena,
                                   struct pf_functab **out, struct pf_err *err)
{
	struct pf_functab_opts all = pf_functab_opts_all();
	struct input ins[2] = {
	        {.p = base, .index = base_index, .side = 0, .sign = -1, .count_index = -1},
	        {.p = cand, .index = cand_index, .side = 1, .sign = 1, .count_index = -1},
	};
	struct pf_functab *t;
	enum pf_code rc;

	*out = NULL;
	if ((rc = check_index(base, base_index, err)) != PF_OK ||
	    (rc = check_index(cand, cand_index, err)) != PF_OK)
		return rc;
	const struct pf_pprof_vtype *bt = &base->types[base_index], *ct = &cand->types[cand_index];
	if (strcmp(bt->type, ct->type) != 0 || strcmp(bt->unit, ct->unit) != 0)
		return pf_err_set(err, PF_E_BAD_PROFILE, NULL,
		                  "cannot compare %s/%s with %s/%s: different sample types",
		                  bt->type, bt->unit, ct->type, ct->unit);
	t = pf_arena_calloc(arena, 1, sizeof *t);
	if (!t)
		return pf_err_set(err, PF_E_NOMEM, NULL, "out of memory");
	t->sample_index = pf_arena_strdup(arena, ct->type);
	t->unit = pf_arena_strdup(arena, ct->unit);
	if (!t->sample_index || !t->unit)
		return pf_err_set(err, PF_E_NOMEM, NULL, "out of memory");
	int64_t tb = 0, tc = 0;
	for (size_t i = 0; i < base->n_samples; i++)
		tb += abs64(base->samples[i].values[base_index]);
	for (size_t i = 0; i < cand->n_samples; i++)
		tc += abs64(cand->samples[i].values[cand_index]);
	t->total = tb > 0 ? tb : tc; /* spec §3: base-only total when > 0 */
	t->total_samples = -1;
	if ((rc = build(ins, 2, opts ? opts : &all, arena, t, err)) != PF_OK)
		return rc;
	if (t->total == 0)
		return pf_err_set(err, PF_E_EMPTY, NULL,
		                  "both profiles have no %s values (total 0)", t->sample_index);
	*out = t;
	return PF_OK;
}
