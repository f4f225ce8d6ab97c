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

#define NO_CODE UINT32_MAX

struct feed {
	struct pf_ft_stream *st;
	uint32_t *by_id; /* location id (< locs.dcap) -> code, NO_CODE if absent */
	size_t n_by_id;
	const uint32_t *code; /* location index -> code */
	uint32_t *buf;        /* one sample's codes */
	size_t cap;
	int64_t *vals; /* n_types */
	struct pf_pprof_sample scratch;
	bool oom;
};

static bool grow(struct feed *fd, size_t need)
{
	if (need <= fd->cap)
		return true;
	size_t cap = fd->cap ? fd->cap : 64;
	while (cap < need)
		cap *= 2;
	uint32_t *b = realloc(fd->buf, cap * sizeof *b);
	if (!b)
		return false;
	fd->buf = b;
	fd->cap = cap;
	return true;
}

/* The common shape (as pf_pp_sample_fast): packed location_id and value
 * at most once each, labels together. false: take the protobuf-c path. */
static bool sample_fast(struct pf_pp_dec *d, struct feed *fd, const uint8_t *body, size_t n)
{
	const uint8_t *p = body, *end = body + n;
	const uint8_t *lp = NULL, *le = NULL, *vp = NULL, *ve = NULL, *bp = NULL, *be = NULL;
	size_t n_lab = 0;
	while (p < end) {
		const uint8_t *at = p;
		uint64_t tag, len;
		if (!pf_pb_rd(&p, end, &tag) || (tag & 7) != 2 || !pf_pb_rd(&p, end, &len) ||
		    len > (uint64_t)(end - p))
			return false;
		switch (tag >> 3) {
		case 1:
			if (lp || bp)
				return false;
			lp = p;
			le = p + len;
			break;
		case 2:
			if (vp || bp)
				return false;
			vp = p;
			ve = p + len;
			break;
		case 3:
			if (bp && be != at)
				return false;
			if (!bp)
				bp = at;
			be = p + len;
			n_lab++;
			break;
		default:
			return false;
		}
		p += len;
	}
	size_t nv = 0;
	while (vp < ve) {
		uint64_t v;
		if (nv == d->n_types || !pf_pb_rd(&vp, ve, &v))
			return false;
		fd->vals[nv++] = (int64_t)v;
	}
	if (nv != d->n_types || !grow(fd, (size_t)(le - lp)))
		return false;
	size_t nl = 0;
	const uint8_t *bend = d->base + d->len; /* pf_pb_rd8 reads 8 bytes */
	while (lp < le) {
		uint64_t id;
		uint32_t x, li;
		if (!(bend - lp >= 8 ? pf_pb_rd8(&lp, le, &id) : pf_pb_rd(&lp, le, &id)))
			return false;
		if (id < fd->n_by_id)
			x = fd->by_id[id];
		else
			x = pf_pp_idmap_get_hashed(&d->locs, id, &li) ? fd->code[li] : NO_CODE;
		if (x == NO_CODE)
			return false;
		fd->buf[nl++] = x;
	}
	if (n_lab && !pf_pp_sample_labels(d, bp, be, n_lab, &fd->scratch))
		return false;
	d->i_samples++;
	pf_ft_stream_sample(fd->st, fd->buf, nl, fd->vals);
	return true;
}

static enum pf_code one_sample(struct pf_pp_dec *d, const uint8_t *body, size_t n, void *arg)
{
	struct feed *fd = arg;
	if (sample_fast(d, fd, body, n))
		return PF_OK;
	struct pf_pprof_sample *s = &fd->scratch;
	PF_PP_TRY(pf_pp_sample_into(d, body, n, s));
	if (!grow(fd, s->n_locs))
		return pf_pp_nomem(d);
	for (uint32_t j = 0; j < s->n_locs; j++)
		fd->buf[j] = fd->code[pf_pprof_sample_loc(d->p, s, j)];
	pf_ft_stream_sample(fd->st, fd->buf, s->n_locs, s->values);
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
	fd.vals = malloc(d->n_types * sizeof *fd.vals);
	fd.n_by_id = d->locs.dcap;
	fd.by_id = malloc(fd.n_by_id * sizeof *fd.by_id);
	if (!fd.st || !fd.vals || !fd.by_id) {
		rc = pf_pp_nomem(d);
		goto out;
	}
	fd.code = pf_ft_stream_codes(fd.st);
	for (size_t k = 0; k < fd.n_by_id; k++)
		fd.by_id[k] = d->locs.dense[k] ? fd.code[d->locs.dense[k] - 1] : NO_CODE;
	rc = pf_pp_each_sample(d, one_sample, &fd);
	if (rc == PF_OK)
		rc = pf_ft_stream_finish(fd.st, arena, out, err);
out:
	pf_ft_stream_free(fd.st);
	free(fd.vals);
	free(fd.by_id);
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
