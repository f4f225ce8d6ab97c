/* pprof_sample.c: the Sample, Location and Function messages (nearly all
 * of a profile) read straight from the wire into the arena model, without
 * protobuf-c. Handles the common, valid shape only (Sample: packed
 * location_id and value, each at most once, label messages together;
 * Location and Function: known varint fields only, every reference
 * resolvable); anything else
 * returns false and pprof_convert.c takes the protobuf-c path, which owns
 * every error message. Identical label byte runs share one label array.
 * No I/O. */
#include <stdlib.h>
#include <string.h>

#include "pprof_int.h"

/* Label sets already resolved, keyed by their raw bytes (in the decoded
 * buffer, alive for the whole decode). Bounded: once full, new sets are
 * resolved per sample. */
#define LSET_SLOTS 1024u
struct lset {
	const uint8_t *raw; /* NULL: empty slot */
	uint64_t hash;
	uint32_t len, n;
	const struct pf_pprof_label *labels;
};
struct pf_pp_lsets {
	struct lset slot[LSET_SLOTS];
	size_t used;
};

void pf_pp_lsets_free(struct pf_pp_dec *d)
{
	free(d->lsets);
	d->lsets = NULL;
}

#define rd pf_pb_rd

static uint64_t hash_bytes(const uint8_t *p, size_t n)
{
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 1099511628211ULL;
	return h;
}

static bool str_ok(const struct pf_pp_dec *d, uint64_t i)
{
	return i < d->n_strings; /* int64 negatives are huge as uint64 */
}

/* The next label message at *p (< end; only field-3 messages, framing
 * checked by pf_pp_sample_split): its fields 1-4 into f; false for
 * anything the protobuf-c path must judge. */
static bool label_next(const struct pf_pp_dec *d, const uint8_t **p, const uint8_t *end,
                       uint64_t f[5])
{
	uint64_t tag, len;
	if (!rd(p, end, &tag) || !rd(p, end, &len))
		return false;
	const uint8_t *q = *p, *qe = *p + len;
	*p = qe;
	memset(f, 0, 5 * sizeof *f);
	while (q < qe) {
		uint64_t t, v;
		if (!rd(&q, qe, &t) || (t & 7) != 0 || (t >> 3) < 1 || (t >> 3) > 4 ||
		    !rd(&q, qe, &v))
			return false;
		f[t >> 3] = v;
	}
	return q == qe && str_ok(d, f[1]) && str_ok(d, f[4]) && str_ok(d, f[2]);
}

/* Every field of every label message checked on its own: a subset of
 * what labels_resolve accepts (it checks only the last of a repeated
 * field), which is all a fast reader needs. */
bool pf_pp_labels_ok(const struct pf_pp_dec *d, const uint8_t *p, const uint8_t *end)
{
	while (p < end) {
		uint64_t tag, len, t, v;
		if (!rd(&p, end, &tag) || !rd(&p, end, &len))
			return false;
		const uint8_t *qe = p + len;
		while (p < qe) {
			if (!rd(&p, qe, &t) || (t & 7) != 0 || (t >> 3) < 1 || (t >> 3) > 4 ||
			    !rd(&p, qe, &v) || ((t >> 3) != 3 && !str_ok(d, v)))
				return false;
		}
		if (p != qe)
			return false;
	}
	return true;
}

/* Resolve the label messages in p..end (only field-3 messages) into a new
 * arena array; false for anything the protobuf-c path must judge. */
static bool labels_resolve(struct pf_pp_dec *d, const uint8_t *p, const uint8_t *end, size_t n_lab,
                           const struct pf_pprof_label **out, uint32_t *n_out)
{
	struct pf_pprof_label *ls = pf_arena_alloc(d->a, n_lab * sizeof *ls);
	size_t kept = 0;
	if (!ls)
		return false;
	while (p < end) {
		uint64_t f[5];
		if (!label_next(d, &p, end, f))
			return false;
		if (f[2] == 0 && f[3] == 0 && f[4] == 0)
			continue; /* pprof drops it (spec §6) */
		struct pf_pprof_label *o = &ls[kept++];
		o->key = d->strings[f[1]];
		o->str = f[2] ? d->strings[f[2]] : NULL;
		o->num = (int64_t)f[3];
		o->num_unit = d->strings[f[4]];
	}
	*out = ls;
	*n_out = (uint32_t)kept;
	return true;
}

/* Labels of one sample, shared with earlier samples of the same bytes. */
bool pf_pp_sample_labels(struct pf_pp_dec *d, const uint8_t *p, const uint8_t *end, size_t n_lab,
                         struct pf_pprof_sample *s)
{
	size_t len = (size_t)(end - p);
	if (!d->lsets) {
		d->lsets = calloc(1, sizeof *d->lsets);
		if (!d->lsets)
			return false;
	}
	uint64_t h = hash_bytes(p, len);
	size_t i = h & (LSET_SLOTS - 1);
	for (struct lset *e; (e = &d->lsets->slot[i])->raw; i = (i + 1) & (LSET_SLOTS - 1)) {
		if (e->hash == h && e->len == len && memcmp(e->raw, p, len) == 0) {
			s->labels = e->labels;
			s->n_labels = e->n;
			return true;
		}
	}
	if (len > UINT32_MAX || !labels_resolve(d, p, end, n_lab, &s->labels, &s->n_labels))
		return false;
	if (d->lsets->used < LSET_SLOTS / 2) {
		d->lsets->slot[i] = (struct lset){p, h, (uint32_t)len, s->n_labels, s->labels};
		d->lsets->used++;
	}
	return true;
}

/* Number of varints in a packed run (bytes without the continuation bit);
 * SIZE_MAX when it ends inside a varint. */
static size_t packed_count(const uint8_t *p, const uint8_t *end)
{
	size_t n = 0;
	if (p < end && (end[-1] & 0x80))
		return SIZE_MAX;
	for (; end - p >= 8; p += 8) { /* 8 at a time: the stop bits summed */
		uint64_t w;
		memcpy(&w, p, 8);
		n += (size_t)(((~w >> 7) & 0x0101010101010101ULL) * 0x0101010101010101ULL >> 56);
	}
	for (; p < end; p++)
		n += !(*p & 0x80);
	return n;
}

bool pf_pp_sample_fast(struct pf_pp_dec *d, const uint8_t *body, size_t n)
{
	struct pf_pp_sample_fields sf;
	if (!pf_pp_sample_split(body, n, &sf))
		return false;
	const uint8_t *lp = sf.lp, *le = sf.le, *vp = sf.vp, *ve = sf.ve, *bp = sf.bp, *be = sf.be;
	size_t n_lab = sf.n_lab;
	size_t n_loc = packed_count(lp, le), n_val = packed_count(vp, ve);
	if (n_val != d->n_types || n_loc > UINT32_MAX)
		return false;

	const bool narrow = d->p->narrow_locs;
	size_t vbytes = n_val * sizeof(int64_t), lbytes = n_loc * (narrow ? 2 : 4);
	struct pf_pprof_sample *s = &d->p->samples[d->i_samples];
	uint8_t *mem = pf_arena_alloc(d->a, vbytes + lbytes ? vbytes + lbytes : 1);
	if (!mem)
		return false;
	s->values = (int64_t *)mem;
	s->locs = (uint32_t *)(mem + vbytes);
	for (size_t j = 0; j < n_val; j++) {
		uint64_t v;
		if (!rd(&vp, ve, &v))
			return false;
		s->values[j] = (int64_t)v;
	}
	const struct pf_pp_idmap *m = &d->locs;
	const uint32_t *dense = m->dense;
	const size_t dcap = m->dcap;
	uint16_t *o16 = s->locs16;
	uint32_t *o32 = s->locs;
	/* 8 readable bytes from every id: one load each (pf_pb_rd3); the run
	 * ends with a varint (packed_count) */
	const bool fast = pf_pp_ids_in_place(d->base, d->len, &sf);
	for (size_t j = 0; j < n_loc; j++) {
		uint64_t id;
		uint32_t li, h;
		unsigned len = fast ? pf_pb_rd3(lp, &id) : 0;
		if (len) {
			lp += len;
			li = dense[id < dcap ? id : 0] - 1; /* dense[0]: none */
			if (li == UINT32_MAX) {
				if (!pf_pp_idmap_get_hashed(m, id, &h))
					return false;
				li = h;
			}
		} else if (!rd(&lp, le, &id) || !pf_pp_idmap_get(m, id, &h)) {
			return false;
		} else {
			li = h;
		}
		if (narrow)
			o16[j] = (uint16_t)li;
		else
			o32[j] = li;
	}
	s->n_locs = (uint32_t)n_loc;
	s->labels = NULL;
	s->n_labels = 0;
	if (n_lab && !pf_pp_sample_labels(d, bp, be, n_lab, s))
		return false;
	d->i_samples++;
	return true;
}

/* The lines of a Location (its field-4 messages in p..end, n of them)
 * into lines, function ids resolved; false for anything else. */
static bool lines_fast(const struct pf_pp_dec *d, const uint8_t *p, const uint8_t *end,
                       struct pf_pprof_line *lines)
{
	size_t j = 0;
	while (p < end) {
		uint64_t tag, v, fid = 0, line = 0;
		if (!rd(&p, end, &tag) || !rd(&p, end, &v))
			return false;
		if (tag != 0x22)
			continue; /* a scalar, read in pass A */
		const uint8_t *q = p, *qe = p + v;
		p = qe;
		while (q < qe) {
			if (!rd(&q, qe, &tag) || !rd(&q, qe, &v))
				return false;
			if (tag == 0x08)
				fid = v;
			else if (tag == 0x10)
				line = v;
			else if (tag != 0x18) /* column: not read (spec §2) */
				return false;
		}
		if (!pf_pp_idmap_get(&d->funcs, fid, &lines[j].func))
			return false;
		lines[j++].line = (int64_t)line;
	}
	return true;
}

bool pf_pp_location_fast(struct pf_pp_dec *d, const uint8_t *body, size_t n)
{
	const uint8_t *p = body, *end = body + n;
	uint64_t id = 0, mapping_id = 0, address = 0;
	size_t n_line = 0;
	while (p < end) { /* pass A: the scalars; the lines counted */
		uint64_t tag, v;
		if (!rd(&p, end, &tag) || !rd(&p, end, &v))
			return false;
		switch (tag) {
		case 0x08:
			id = v;
			break;
		case 0x10:
			mapping_id = v;
			break;
		case 0x18:
			address = v;
			break;
		case 0x28: /* is_folded: not read */
			break;
		case 0x22:
			if (v > (uint64_t)(end - p))
				return false;
			p += v;
			n_line++;
			break;
		default:
			return false;
		}
	}
	if (id == 0 || n_line > UINT32_MAX)
		return false;
	struct pf_pprof_line *lines = pf_arena_alloc(d->a, (n_line ? n_line : 1) * sizeof *lines);
	bool oom = false;
	if (!lines || !lines_fast(d, body, end, lines) ||
	    !pf_pp_idmap_put(&d->locs, id, (uint32_t)d->i_locations, &oom))
		return false;
	struct pf_pprof_location *l = &d->p->locations[d->i_locations++];
	l->id = id;
	l->address = address;
	l->mapping = PF_PPROF_NO_MAPPING;
	if (mapping_id)
		(void)pf_pp_idmap_get(&d->maps, mapping_id, &l->mapping); /* dangling: none */
	l->n_lines = (uint32_t)n_line;
	l->lines = lines;
	return true;
}

bool pf_pp_function_fast(struct pf_pp_dec *d, const uint8_t *body, size_t n)
{
	const uint8_t *p = body, *end = body + n;
	uint64_t f[6] = {0}; /* id, name, system_name, filename, start_line */
	while (p < end) {
		uint64_t tag, v;
		if (!rd(&p, end, &tag) || !rd(&p, end, &v) || (tag & 7) != 0 || tag >> 3 < 1 ||
		    tag >> 3 > 5)
			return false;
		f[tag >> 3] = v;
	}
	bool oom = false;
	if (f[1] == 0 || !str_ok(d, f[2]) || !str_ok(d, f[3]) || !str_ok(d, f[4]) ||
	    !pf_pp_idmap_put(&d->funcs, f[1], (uint32_t)d->i_functions, &oom))
		return false;
	struct pf_pprof_function *fn = &d->p->functions[d->i_functions++];
	fn->id = f[1];
	fn->name = d->strings[f[2]];
	fn->system_name = d->strings[f[3]];
	fn->filename = d->strings[f[4]];
	fn->start_line = (int64_t)f[5];
	return true;
}
