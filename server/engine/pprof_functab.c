/* pprof_functab.c: pf_pprof_functab, bytes -> the gate's function table
 * without storing the samples: the decoder's passes 1-3 build the model
 * minus samples, then each Sample is read from the wire straight into the
 * accumulators of functab_stream.h. Unusual or invalid samples go through
 * the decoder's protobuf-c path (same checks, same messages); a sample
 * index that cannot be chosen falls back to decode + build. No I/O. */
#include <stdlib.h>
#include <string.h>

#include "functab_stream.h"
#include "pprof_int.h"

#define NO_CODE     UINT32_MAX
#define NARROW_NONE UINT32_MAX

struct feed {
	struct pf_ft_stream *st;
	struct pf_ft_frames *fr;
	uint32_t *by_id; /* location id (< n_by_id) -> inner | outer << 16, NARROW_NONE: see locs */
	size_t n_by_id;
	uint8_t *used_id; /* per id < n_by_id: walked by a sample */
	int64_t *vals;    /* n_types */
	struct pf_pprof_sample scratch;
	struct pf_ft_loc *buf; /* one sample's locations */
	size_t cap;
};

enum { DONE, DECLINED };

/* The frames of one sample from its packed location ids at lp..le, leaf
 * first: the ids resolved into buf first (independent loads, and a
 * prefetch of each frame's node record), then walked. DECLINED when an id
 * is bad (nothing was added). */
static int walk_ids(struct pf_pp_dec *d, struct feed *fd, const uint8_t *lp, const uint8_t *le,
                    int64_t w, int64_t c)
{
	struct pf_ft_frames *fr = fd->fr;
	const uint8_t *bend = d->base + d->len; /* pf_pb_rd8 reads 8 bytes */
	size_t n = 0;
	if ((size_t)(le - lp) > fd->cap) {
		size_t cap = fd->cap ? fd->cap : 64;
		while (cap < (size_t)(le - lp))
			cap *= 2;
		struct pf_ft_loc *b = realloc(fd->buf, cap * sizeof *b);
		if (!b)
			return DECLINED; /* the protobuf-c path meets the same shortage */
		fd->buf = b;
		fd->cap = cap;
	}
	while (lp < le) {
		uint64_t id;
		uint32_t li, x;
		struct pf_ft_loc l;
		if (!(bend - lp >= 8 ? pf_pb_rd8(&lp, le, &id) : pf_pb_rd(&lp, le, &id)))
			return DECLINED;
		x = id < fd->n_by_id ? fd->by_id[id] : NARROW_NONE;
		if (x != NARROW_NONE) {
			l = (struct pf_ft_loc){x & 0xffff, x >> 16};
			fd->used_id[id] = 1;
		} else if (pf_pp_idmap_get(&d->locs, id, &li)) {
			l = fr->locs[li];
			fr->used[li] = 1;
		} else {
			return DECLINED;
		}
		fd->buf[n++] = l;
	}
	if (n == 0)
		return DONE;
	uint32_t callee = fr->sink;
	fr->serial++;
	uint32_t leaf = pf_ft_frame(fr, fd->buf[0], &callee, w, c);
	for (size_t j = 1; j < n; j++)
		(void)pf_ft_frame(fr, fd->buf[j], &callee, w, c);
	pf_ft_flat(fr, leaf, w, c);
	return DONE;
}

/* Every location id of lp..le exists (a zero-valued sample). */
static bool ids_ok(struct pf_pp_dec *d, const uint8_t *lp, const uint8_t *le)
{
	while (lp < le) {
		uint64_t id;
		uint32_t li;
		if (!pf_pb_rd(&lp, le, &id))
			return false;
		if (!pf_pp_idmap_get(&d->locs, id, &li))
			return false;
	}
	return true;
}

/* The common shape (as pf_pp_sample_fast): packed location_id and value
 * at most once each, labels together. DECLINED: take the protobuf-c path
 * (nothing was added). */
static int sample_fast(struct pf_pp_dec *d, struct feed *fd, const uint8_t *body, size_t n)
{
	__builtin_prefetch(body + 512); /* the samples a few ahead */
	struct pf_pp_sample_fields sf;
	if (!pf_pp_sample_split(body, n, &sf))
		return DECLINED;
	const uint8_t *lp = sf.lp, *le = sf.le, *vp = sf.vp, *ve = sf.ve, *bp = sf.bp, *be = sf.be;
	size_t n_lab = sf.n_lab;
	size_t nv = 0;
	while (vp < ve) {
		uint64_t v;
		if (nv == d->n_types || !pf_pb_rd(&vp, ve, &v))
			return DECLINED;
		fd->vals[nv++] = (int64_t)v;
	}
	if (nv != d->n_types)
		return DECLINED;
	if (n_lab && !pf_pp_sample_labels(d, bp, be, n_lab, &fd->scratch))
		return DECLINED;
	struct pf_ft_frames *fr = fd->fr;
	int64_t w = fd->vals[fr->index];
	int64_t c = fr->count_index >= 0 ? fd->vals[fr->count_index] : 0;
	if (w == 0) {
		if (!ids_ok(d, lp, le))
			return DECLINED;
	} else {
		int r = walk_ids(d, fd, lp, le, w, c);
		if (r != DONE)
			return r;
	}
	fr->total += w < 0 ? -w : w;
	fr->total_samples += c;
	d->i_samples++;
	return DONE;
}

static enum pf_code one_sample(struct pf_pp_dec *d, const uint8_t *body, size_t n, void *arg)
{
	struct feed *fd = arg;
	int r = sample_fast(d, fd, body, n);
	if (r == DONE)
		return PF_OK;
	struct pf_pprof_sample *s = &fd->scratch;
	PF_PP_TRY(pf_pp_sample_into(d, body, n, s));
	struct pf_ft_frames *fr = fd->fr;
	int64_t w = s->values[fr->index];
	int64_t c = fr->count_index >= 0 ? s->values[fr->count_index] : 0;
	fr->total += w < 0 ? -w : w;
	fr->total_samples += c;
	if (w == 0 || s->n_locs == 0)
		return PF_OK;
	uint32_t callee = fr->sink, leaf = NO_CODE;
	fr->serial++;
	for (uint32_t j = 0; j < s->n_locs; j++) {
		uint32_t li = pf_pprof_sample_loc(d->p, s, j);
		fr->used[li] = 1;
		uint32_t in = pf_ft_frame(fr, fr->locs[li], &callee, w, c);
		if (j == 0)
			leaf = in;
	}
	pf_ft_flat(fr, leaf, w, c);
	return PF_OK;
}

static int choose(const struct pf_profile *p, const char *name, struct pf_err *err)
{
	if (name)
		return pf_pprof_sample_index(p, name, err);
	int i = pf_pprof_gate_index(p);
	if (i < 0)
		pf_err_set(err, PF_E_BAD_PROFILE, NULL, "profile has no sample types");
	return i;
}

/* decode + choose + build over d's bytes: the reference path. */
static enum pf_code full(struct pf_pp_dec *d, const char *name, struct pf_arena *arena,
                         struct pf_functab **out, struct pf_err *err)
{
	pf_pp_reset(d);
	PF_PP_TRY(pf_pp_decode_all(d));
	int i = choose(d->p, name, err);
	if (i < 0)
		return err->code ? err->code : PF_E_BAD_PROFILE;
	return pf_functab_build(d->p, i, NULL, arena, out, err);
}

static enum pf_code stream(struct pf_pp_dec *d, const char *name, struct pf_arena *arena,
                           struct pf_functab **out, struct pf_err *err)
{
	struct feed fd;
	enum pf_code rc;
	memset(&fd, 0, sizeof fd);
	d->stream = true;
	PF_PP_TRY(pf_pp_decode_prefix(d));
	struct pf_profile *p = d->p;
	p->n_types = d->n_types;
	p->n_functions = d->n_functions;
	p->n_mappings = d->n_mappings;
	p->n_locations = d->n_locations;
	p->n_comments = d->i_comments;
	struct pf_err quiet;
	memset(&quiet, 0, sizeof quiet);
	int idx = p->n_types ? choose(p, name, &quiet) : -1;
	if (idx < 0 || d->n_locations + d->n_functions >= PF_FT_MULTI)
		return full(d, name, arena, out, err); /* its error comes first */
	fd.st = pf_ft_stream_new(p, idx, arena);
	fd.vals = malloc((d->n_types ? d->n_types : 1) * sizeof *fd.vals);
	fd.n_by_id = d->locs.dcap;
	fd.by_id = malloc(fd.n_by_id * sizeof *fd.by_id);
	fd.used_id = calloc(fd.n_by_id, 1);
	if (!fd.st || !fd.vals || !fd.by_id || !fd.used_id) {
		rc = pf_pp_nomem(d);
		goto out;
	}
	fd.fr = pf_ft_stream_frames(fd.st);
	/* ids of one- and two-line locations, nodes under 0xffff: inline */
	for (size_t k = 0; k < fd.n_by_id; k++) {
		uint32_t li = d->locs.dense[k];
		struct pf_ft_loc l = li ? fd.fr->locs[li - 1] : (struct pf_ft_loc){0, PF_FT_MULTI};
		fd.by_id[k] = l.inner < 0xffff && l.outer < 0xffff ? l.inner | l.outer << 16
		                                                   : NARROW_NONE;
	}
	rc = pf_pp_each_sample(d, one_sample, &fd);
	if (rc != PF_OK)
		goto out;
	for (size_t k = 0; k < fd.n_by_id; k++)
		if (fd.used_id[k] && d->locs.dense[k])
			fd.fr->used[d->locs.dense[k] - 1] = 1;
	rc = pf_ft_stream_finish(fd.st, arena, out, err);
out:
	pf_ft_stream_free(fd.st);
	free(fd.vals);
	free(fd.by_id);
	free(fd.used_id);
	free(fd.buf);
	return rc;
}

enum pf_code pf_pprof_functab(const uint8_t *data, size_t len, const struct pf_pprof_limits *lim,
                              const char *sample_index, struct pf_arena *arena,
                              struct pf_functab **out, struct pf_err *err)
{
	struct pf_pp_dec d;
	*out = NULL;
	enum pf_code rc = pf_pp_open(&d, data, len, lim, arena, err);
	if (rc == PF_OK)
		rc = stream(&d, sample_index, arena, out, err);
	pf_pp_close(&d);
	return rc;
}
