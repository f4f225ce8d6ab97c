/* functab_int.h: the graph shared by the function-table files:
 * functab_graph.c (nodes, trimming, rows), functab_edges.c (the edge
 * table and the general per-sample walk) and functab_fast.c (the walk
 * without an edge table). Not part of the engine's API. */
#ifndef PF_FUNCTAB_INT_H
#define PF_FUNCTAB_INT_H

#include <regex.h>
#include <stdbool.h>
#include <stdint.h>

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
	int64_t focus_total;    /* Σ|value| of the samples -tagfocus keeps */
	const int64_t *weights; /* -normalize: per sample, instead of its value */
};

/* Sample si's (s's) value in input in. */
static inline int64_t pf_ft_value(const struct input *in, const struct pf_pprof_sample *s,
                                  size_t si)
{
	return in->weights ? in->weights[si] : s->values[in->index];
}

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

/* -tagfocus: does sample s carry focus_key with a value matching a regex? */
bool pf_ft_focused(const struct graph *g, const struct pf_pprof_sample *s);

/* functab_edges.c: newGraph's walk of one sample with the edge table
 * (kept flags honoured); memo_flush adds pending memo weights to their
 * edges; edge_labels sets the nodes' PF_FT_* bits from the edges whose
 * |weight| >= cut. */
void pf_ft_walk_sample(struct graph *g, struct input *in, const struct pf_pprof_sample *s,
                       int64_t w, int64_t c);
void pf_ft_memo_flush(struct graph *g, struct input *in);
void pf_ft_edge_labels(struct graph *g, int64_t cut);

/* functab_graph.c: every location of in->p mapped to its nodes, one per
 * line (loc_off/loc_nodes; PF_E_NOMEM, g->oom set); the kept non-zero
 * nodes as t's sorted rows (PF_E_NOMEM); the graph's and inputs' scratch
 * memory freed. */
enum pf_code pf_ft_map_locations(struct graph *g, struct input *in, struct pf_arena *a);
enum pf_code pf_ft_rows(struct graph *g, const struct input *ins, size_t n_in, struct pf_arena *a,
                        struct pf_functab *t);
void pf_ft_graph_free(struct graph *g, struct input *ins, size_t n_in);

/* functab_fast.c: flat, cum, totals and the PF_FT_* bits of every node
 * over all inputs in one walk, for an untrimmed graph whose every edge
 * counts (edge_fraction 0): call edges only set bits, so no edge table.
 * false on allocation failure (g->oom set). */
bool pf_ft_walk_fast(struct graph *g, struct input *ins, size_t n_in);

#endif
