/* functab_graph.c: the call graph of pprof's newGraph/newTrimmedGraph
 * (spec/pprof.md §8 steps 3-8) over one profile or a diff pair, reduced to
 * a sorted function table. Owns node interning, the location -> node map,
 * the choice of walk (functab_fast.c when every edge counts, else the
 * edge-table walk of functab_edges.c), node trimming and the rows.
 * No I/O, no logging; scratch memory is malloc'ed and freed here. */
#include <math.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "functab_int.h"

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
enum pf_code pf_ft_map_locations(struct graph *g, struct input *in, struct pf_arena *a)
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

/* -tagfocus: does sample s carry focus_key with a value matching any regex? */
bool pf_ft_focused(const struct graph *g, const struct pf_pprof_sample *s)
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

/* One pass of newGraph over every sample of in (kept flags honoured). */
static void walk(struct graph *g, struct input *in, bool totals)
{
	const struct pf_profile *p = in->p;
	for (size_t si = 0; si < p->n_samples && !g->oom; si++) {
		const struct pf_pprof_sample *s = &p->samples[si];
		int64_t w = pf_ft_value(in, s, si);
		int64_t c = in->count_index >= 0 ? s->values[in->count_index] : 0;
		if (totals) {
			in->total += w < 0 ? -w : w;
			in->total_samples += c;
		}
		if (w == 0 || (g->o->focus_key && !pf_ft_focused(g, s)))
			continue;
		if (totals)
			in->focus_total += w < 0 ? -w : w;
		pf_ft_walk_sample(g, in, s, w, c);
	}
	if (!g->oom)
		pf_ft_memo_flush(g, in);
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

/* The kept, non-zero nodes of g as the rows of t, sorted (opts). */
enum pf_code pf_ft_rows(struct graph *g, const struct input *ins, size_t n_in, struct pf_arena *a,
                        struct pf_functab *t)
{
	size_t n_rows = 0;
	t->rows = pf_arena_calloc(a, g->n_nodes ? g->n_nodes : 1, sizeof *t->rows);
	if (!t->rows)
		return PF_E_NOMEM;
	for (size_t i = 0; i < g->n_nodes; i++) {
		const struct node *n = &g->nodes[i];
		int64_t f = node_flat(n, ins, n_in), c = node_cum(n, ins, n_in);
		if (!n->kept || (f == 0 && c == 0))
			continue;
		struct pf_functab_row *r = &t->rows[n_rows++];
		r->name = pf_arena_strdup(a, n->name);
		if (!r->name)
			return PF_E_NOMEM;
		r->inl = n->inl;
		r->flat = f;
		r->cum = c;
		bool counted = n_in == 1 && ins[0].count_index >= 0;
		r->flat_samples = counted ? n->fs[ins[0].side] : -1;
		r->cum_samples = counted ? n->cs[ins[0].side] : -1;
	}
	t->n_rows = n_rows;
	pf_functab_sort(t, g->o->cum_sort);
	return PF_OK;
}

void pf_ft_graph_free(struct graph *g, struct input *ins, size_t n_in)
{
	for (size_t i = 0; i < n_in; i++) {
		free(ins[i].loc_off);
		free(ins[i].loc_nodes);
		free(ins[i].memo);
		ins[i].loc_off = NULL;
		ins[i].loc_nodes = NULL;
		ins[i].memo = NULL;
	}
	for (size_t i = 0; i < g->n_focus; i++)
		regfree(&g->focus[i]);
	free(g->focus);
	free(g->nodes);
	free(g->ntab);
	free(g->edges);
	free(g->seq);
	memset(g, 0, sizeof *g);
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
		if (pf_ft_map_locations(&g, &ins[i], a) != PF_OK)
			goto oom;
	/* every edge counts: labels without an edge table (functab_fast.c) */
	bool fast = o->edge_fraction == 0;
	if (fast)
		(void)pf_ft_walk_fast(&g, ins, n_in);
	else
		for (size_t i = 0; i < n_in; i++)
			walk(&g, &ins[i], true);
	if (g.oom)
		goto oom;
	/* -relative_percentages: of what the focus keeps (one profile) */
	if (o->relative && o->focus_key && n_in == 1)
		t->total = ins[0].focus_total;

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
	if (!fast || !g.all_kept)
		pf_ft_edge_labels(&g, edge_cut);

	if (pf_ft_rows(&g, ins, n_in, a, t) != PF_OK)
		goto oom;
	goto out;
oom:
	rc = pf_err_set(err, PF_E_NOMEM, NULL, "out of memory building the function table");
out:
	pf_ft_graph_free(&g, ins, n_in);
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

static uint64_t fnv(uint64_t h, const char *s)
{
	for (; s && *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static bool same_label(const struct pf_pprof_label *a, const struct pf_pprof_label *b)
{
	if (strcmp(a->key, b->key) != 0 || !a->str != !b->str)
		return false;
	return a->str ? strcmp(a->str, b->str) == 0
	              : a->num == b->num && strcmp(a->num_unit, b->num_unit) == 0;
}

/* A sample's stack and labels; the labels in any order (Go writes a
 * label map in no fixed order). */
static uint64_t sample_hash(const struct pf_profile *p, const struct pf_pprof_sample *s)
{
	uint64_t h = 1469598103934665603ULL ^ s->n_locs, lh = 0;
	for (uint32_t j = 0; j < s->n_locs; j++)
		h = (h ^ pf_pprof_sample_loc(p, s, j)) * 1099511628211ULL;
	for (uint32_t j = 0; j < s->n_labels; j++) {
		const struct pf_pprof_label *l = &s->labels[j];
		lh += fnv(fnv(1469598103934665603ULL, l->key), l->str) ^ (uint64_t)l->num;
	}
	return (h ^ lh) * 1099511628211ULL;
}

static bool same_key(const struct pf_profile *p, const struct pf_pprof_sample *a,
                     const struct pf_pprof_sample *b)
{
	if (a->n_locs != b->n_locs || a->n_labels != b->n_labels)
		return false;
	for (uint32_t j = 0; j < a->n_locs; j++)
		if (pf_pprof_sample_loc(p, a, j) != pf_pprof_sample_loc(p, b, j))
			return false;
	for (uint32_t i = 0; i < a->n_labels; i++) {
		bool found = false;
		for (uint32_t j = 0; j < b->n_labels && !found; j++)
			found = same_label(&a->labels[i], &b->labels[j]);
		if (!found)
			return false;
	}
	return true;
}

/* pprof -normalize scales the candidate after profile.Merge has summed
 * its samples of the same stack and labels, each sum rounded half away
 * from zero (ScaleN): per sample, the scaled sum on the first of a group
 * and 0 on the others. NULL when out of memory. */
static int64_t *normalized(const struct pf_profile *p, int index, double ratio)
{
	size_t n = p->n_samples, cap = 16;
	while (cap < 2 * n)
		cap *= 2;
	int64_t *w = calloc(n ? n : 1, sizeof *w);
	size_t *slot = calloc(cap, sizeof *slot); /* sample index + 1 */
	if (!w || !slot) {
		free(w);
		free(slot);
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		const struct pf_pprof_sample *s = &p->samples[i];
		for (size_t at = sample_hash(p, s) & (cap - 1);; at = (at + 1) & (cap - 1)) {
			if (!slot[at]) {
				slot[at] = i + 1;
				w[i] = s->values[index];
				break;
			}
			if (same_key(p, &p->samples[slot[at] - 1], s)) {
				w[slot[at] - 1] += s->values[index];
				break;
			}
		}
	}
	for (size_t i = 0; i < n; i++)
		w[i] = (int64_t)llround((double)w[i] * ratio);
	free(slot);
	return w;
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
	int64_t tb = 0, sb = 0, tc = 0, *weights = NULL;
	for (size_t i = 0; i < base->n_samples; i++) {
		int64_t v = base->samples[i].values[base_index];
		tb += abs64(v);
		sb += v;
	}
	if (opts && opts->normalize) {
		/* pprof -normalize: the candidate scaled to the base's sum */
		int64_t sc = 0;
		for (size_t i = 0; i < cand->n_samples; i++)
			sc += cand->samples[i].values[cand_index];
		weights = normalized(cand, cand_index, sc == 0 ? 0.0 : (double)sb / (double)sc);
		if (!weights)
			return pf_err_set(err, PF_E_NOMEM, NULL, "out of memory");
		ins[1].weights = weights;
	}
	for (size_t i = 0; i < cand->n_samples; i++)
		tc += abs64(pf_ft_value(&ins[1], &cand->samples[i], i));
	t->total = tb > 0 ? tb : tc; /* spec §3: base-only total when > 0 */
	t->total_samples = -1;
	rc = build(ins, 2, opts ? opts : &all, arena, t, err);
	free(weights);
	if (rc != PF_OK)
		return rc;
	if (t->total == 0)
		return pf_err_set(err, PF_E_EMPTY, NULL,
		                  "both profiles have no %s values (total 0)", t->sample_index);
	*out = t;
	return PF_OK;
}
