/* pprof_functab.c: pf_pprof_functab, bytes -> the gate's function table
 * without storing the samples: the decoder's passes 1-3 build the model
 * minus samples, then each Sample is read from the wire straight into the
 * accumulators of functab_stream.h. Unusual or invalid samples go through
 * the decoder's protobuf-c path (same checks, same messages); a sample
 * index that cannot be chosen falls back to decode + build. Large sample
 * sections are cut into runs that a second thread and this one take in
 * turn (see struct runs), their sums added up at the end. No I/O, no
 * globals. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "functab_stream.h"
#include "pprof_int.h"

#define NO_LOC UINT32_MAX

/* pf_pb_rd3 reads varints as little-endian words */
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "little-endian only");

/* One thread's sample reader: its frames and scratch; the id map is
 * shared and read-only. */
struct feed {
	struct pf_ft_frames *fr;
	/* location id (< n_by_id) -> inner | outer << 16 for the one- and
	 * two-line locations whose nodes are under 0xffff (4 bytes an id keep
	 * the table in the core's cache); NO_LOC: see loc_of */
	const uint32_t *by_id;
	size_t n_by_id;
	uint8_t *used_id;      /* per id < n_by_id: walked by a sample */
	int64_t *vals;         /* n_types */
	struct pf_ft_loc *buf; /* one sample's locations */
	size_t cap;
};

enum { DONE, DECLINED };

/* Location id -> its frame record; false for an id that does not exist.
 * by_id's ids are marked walked in used_id, the others in fr->used. */
static bool loc_of(const struct pf_pp_dec *d, struct feed *fd, uint64_t id, struct pf_ft_loc *l)
{
	uint32_t x = fd->by_id[id < fd->n_by_id ? id : 0], li;
	if (x != NO_LOC) {
		fd->used_id[id] = 1;
		*l = (struct pf_ft_loc){x & 0xffff, x >> 16};
		return true;
	}
	if (!pf_pp_idmap_get(&d->locs, id, &li))
		return false;
	*l = fd->fr->locs[li];
	fd->fr->used[li] = 1;
	return true;
}

/* buf holds n locations (false: out of memory). */
static bool room(struct feed *fd, size_t n)
{
	if (n <= fd->cap)
		return true;
	size_t cap = fd->cap ? fd->cap : 64;
	while (cap < n)
		cap *= 2;
	struct pf_ft_loc *b = realloc(fd->buf, cap * sizeof *b);
	if (!b)
		return false;
	fd->buf = b;
	fd->cap = cap;
	return true;
}

/* The ids from *pp on (< le, 8 bytes readable from each) into buf while
 * they are under 2^21 and in by_id. They are read 8 bytes at a time:
 * the stop bits of a word give the ends of all the varints in it, so the
 * next id's position does not wait on this one's length. Returns how
 * many, *pp moved past them; the rest (if any) need loc_of. */
static size_t ids_fast(const struct feed *fd, const uint8_t **pp, const uint8_t *le,
                       struct pf_ft_loc *buf)
{
	const uint32_t *by_id = fd->by_id;
	const size_t n_by_id = fd->n_by_id;
	uint8_t *used = fd->used_id;
	const uint8_t *p = *pp;
	size_t n = 0;
	bool more = true;
	while (more && p < le) {
		uint64_t w;
		memcpy(&w, p, 8);
		uint64_t stops = ~w & 0x8080808080808080ULL;
		size_t left = (size_t)(le - p);
		if (left < 8) /* only the varints that end by le */
			stops &= (1ULL << (8 * left)) - 1;
		unsigned at = 0; /* bit where the next varint starts */
		for (; stops; stops &= stops - 1) {
			unsigned end = (unsigned)__builtin_ctzll(stops) + 1, bits = end - at;
			if (bits > 24) /* 4 bytes or more */
				break;
			uint64_t v = (w >> at) & ((1ULL << bits) - 1);
			uint64_t id = (v & 0x7f) | (v >> 1 & 0x3f80) | (v >> 2 & 0x1fc000);
			uint32_t x = by_id[id < n_by_id ? id : 0];
			if (__builtin_expect(x == NO_LOC, 0))
				break;
			used[(x & 0xffff) != x >> 16 ? id : 0] = 1; /* only pairs need it */
			buf[n++] = (struct pf_ft_loc){x & 0xffff, x >> 16};
			at = end;
		}
		more = stops == 0 && at != 0; /* every varint ending in w read */
		p += at / 8;
	}
	*pp = p;
	return n;
}

/* The frames of one sample from its packed location ids at lp..le, leaf
 * first (in_place: in the profile's buffer with 8 bytes readable after,
 * pf_pp_ids_in_place): every id resolved into buf first (so a bad one adds nothing, and
 * the loads are independent), then walked. DECLINED when an id is bad or
 * the run ends inside a varint (nothing was added). */
static int walk_ids(const struct pf_pp_dec *d, struct feed *fd, const uint8_t *lp,
                    const uint8_t *le, bool in_place, int64_t w, int64_t c)
{
	size_t n = 0;
	if (lp == le)
		return DONE;
	if (!room(fd, (size_t)(le - lp)))
		return DECLINED; /* the protobuf-c path meets the same shortage */
	if (le[-1] & 0x80)
		return DECLINED;
	if (in_place)
		n = ids_fast(fd, &lp, le, fd->buf);
	while (lp < le) {
		uint64_t id;
		if (!pf_pb_rd(&lp, le, &id) || !loc_of(d, fd, id, &fd->buf[n++]))
			return DECLINED;
	}
	pf_ft_sample(fd->fr, fd->buf, n, w, c);
	return DONE;
}

/* Every location id of lp..le exists (a zero-valued sample). */
static bool ids_ok(const struct pf_pp_dec *d, const uint8_t *lp, const uint8_t *le)
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

/* The common shape (as pf_pp_sample_fast): location_id and value once
 * each (packed, or unpacked elements), labels together. DECLINED: take the protobuf-c path
 * (nothing was added). Reads d only, so two threads may run it. */
static int sample_fast(const struct pf_pp_dec *d, struct feed *fd, const uint8_t *body, size_t n)
{
	__builtin_prefetch(body + 512); /* the samples a few ahead */
	struct pf_pp_sample_fields sf;
	if (!pf_pp_sample_split(body, n, &sf))
		return DECLINED;
	const uint8_t *lp = sf.lp, *le = sf.le, *vp = sf.vp, *ve = sf.ve;
	size_t nv = 0;
	while (vp < ve) {
		uint64_t v;
		if (nv == d->n_types || !pf_pb_rd(&vp, ve, &v))
			return DECLINED;
		fd->vals[nv++] = (int64_t)v;
	}
	if (nv != d->n_types)
		return DECLINED;
	if (sf.n_lab && !pf_pp_labels_ok(d, sf.bp, sf.be))
		return DECLINED;
	struct pf_ft_frames *fr = fd->fr;
	int64_t w = fd->vals[fr->index];
	int64_t c = fr->count_index >= 0 ? fd->vals[fr->count_index] : 0;
	if (w == 0) {
		if (!ids_ok(d, lp, le))
			return DECLINED;
	} else {
		int r = walk_ids(d, fd, lp, le, pf_pp_ids_in_place(d->base, d->len, &sf), w, c);
		if (r != DONE)
			return r;
	}
	fr->total += w < 0 ? -w : w;
	fr->total_samples += c;
	return DONE;
}

/* The main thread's reader: the fast path, else protobuf-c's (which owns
 * every error message) into scratch. */
struct main_feed {
	struct feed fd;
	struct pf_pprof_sample scratch;
};

static enum pf_code one_sample(struct pf_pp_dec *d, const uint8_t *body, size_t n, void *arg)
{
	struct main_feed *mf = arg;
	if (sample_fast(d, &mf->fd, body, n) == DONE) {
		d->i_samples++;
		return PF_OK;
	}
	struct pf_pprof_sample *s = &mf->scratch;
	PF_PP_TRY(pf_pp_sample_into(d, body, n, s));
	struct pf_ft_frames *fr = mf->fd.fr;
	int64_t w = s->values[fr->index];
	int64_t c = fr->count_index >= 0 ? s->values[fr->count_index] : 0;
	fr->total += w < 0 ? -w : w;
	fr->total_samples += c;
	if (w == 0 || s->n_locs == 0)
		return PF_OK;
	if (!room(&mf->fd, s->n_locs))
		return pf_pp_nomem(d);
	for (uint32_t j = 0; j < s->n_locs; j++) {
		uint32_t li = pf_pprof_sample_loc(d->p, s, j);
		fr->used[li] = 1;
		mf->fd.buf[j] = fr->locs[li];
	}
	pf_ft_sample(fr, mf->fd.buf, s->n_locs, w, c);
	return PF_OK;
}

static void feed_free(struct feed *fd)
{
	free(fd->used_id);
	free(fd->vals);
	free(fd->buf);
}

/* The samples cut at pass-1 marks into runs of about equal bytes, which
 * the two threads take in turn, reading them with the fast path only.
 * Where a thread declines a sample, the rest of that run is left over;
 * the main thread reads the leftovers afterwards, in order, with every
 * check, so errors and their messages stay the serial ones. A thread
 * that is slow (a busy machine) just takes fewer runs. */
#define RUNS 64
struct runs {
	const struct pf_pp_dec *d;
	struct pf_pp_cursor bound[RUNS + 1]; /* run k: [bound[k], bound[k + 1].at) */
	struct pf_pp_cursor left[RUNS];      /* where run k's reading stopped */
	size_t n;
	atomic_size_t next; /* the next run to take */
};

static void take_runs(struct runs *r, struct feed *fd)
{
	const struct pf_pp_dec *d = r->d;
	const uint8_t *body;
	size_t n, k;
	while ((k = atomic_fetch_add_explicit(&r->next, 1, memory_order_relaxed)) < r->n) {
		struct pf_pp_cursor c = r->bound[k];
		for (struct pf_pp_cursor at = c;
		     pf_pp_next_sample(d, &c, r->bound[k + 1].at, &body, &n); at = c) {
			if (sample_fast(d, fd, body, n) != DONE) {
				c = at;
				break;
			}
		}
		r->left[k] = c;
	}
}

/* The runs of d's samples when there are enough bytes of them to share
 * (lim.split_bytes) and at least two marks; NULL otherwise (or out of
 * memory): the main thread then reads them all in one pass. */
static struct runs *plan(const struct pf_pp_dec *d)
{
	if (!d->lim.split_bytes || d->sample_bytes < d->lim.split_bytes || d->n_marks < 2)
		return NULL;
	struct runs *r = calloc(1, sizeof *r);
	if (!r)
		return NULL;
	r->d = d;
	size_t want = d->n_marks < RUNS ? d->n_marks : RUNS;
	for (size_t m = 0; m < d->n_marks && r->n < want; m++)
		if (m == 0 || d->marks[m].sample_bytes >= d->sample_bytes / want * r->n)
			r->bound[r->n++] = d->marks[m];
	r->bound[r->n] = (struct pf_pp_cursor){d->len, d->n_others, d->n_samples, d->sample_bytes};
	atomic_init(&r->next, 0);
	return r;
}

/* The second thread: runs taken with its own feed (a fork of st's
 * frames), added into the main thread's after the join. */
struct worker {
	struct runs *r;
	struct feed fd;
	pthread_t th;
};

static void *work(void *arg)
{
	struct worker *wk = arg;
	take_runs(wk->r, &wk->fd);
	return NULL;
}

static struct worker *start(struct runs *r, struct pf_ft_stream *st, const struct feed *mine)
{
	struct worker *wk = calloc(1, sizeof *wk);
	if (!wk)
		return NULL;
	wk->r = r;
	wk->fd = (struct feed){.by_id = mine->by_id, .n_by_id = mine->n_by_id};
	wk->fd.fr = pf_ft_stream_fork(st);
	wk->fd.used_id = calloc(mine->n_by_id, 1);
	wk->fd.vals = malloc((r->d->n_types ? r->d->n_types : 1) * sizeof *wk->fd.vals);
	if (wk->fd.fr && wk->fd.used_id && wk->fd.vals &&
	    pthread_create(&wk->th, NULL, work, wk) == 0)
		return wk;
	pf_ft_stream_drop(wk->fd.fr);
	feed_free(&wk->fd);
	free(wk);
	return NULL;
}

/* Wait for the worker, add what it read into st and mine, free it. */
static void join(struct worker *wk, struct pf_ft_stream *st, struct feed *mine)
{
	(void)pthread_join(wk->th, NULL);
	for (size_t k = 0; k < mine->n_by_id; k++)
		mine->used_id[k] |= wk->fd.used_id[k];
	pf_ft_stream_join(st, wk->fd.fr);
	feed_free(&wk->fd);
	free(wk);
}

/* Every sample into mf: in runs shared with a second thread, then the
 * leftovers in order; or all in one pass. */
static enum pf_code read_samples(struct pf_pp_dec *d, struct pf_ft_stream *st, struct main_feed *mf)
{
	struct runs *r = plan(d);
	if (!r) {
		struct pf_pp_cursor c = {0};
		return pf_pp_each_sample(d, &c, d->len, one_sample, mf);
	}
	struct worker *wk = start(r, st, &mf->fd);
	take_runs(r, &mf->fd); /* alone if the thread could not start */
	if (wk)
		join(wk, st, &mf->fd);
	enum pf_code rc = PF_OK;
	for (size_t k = 0; k < r->n && rc == PF_OK; k++) {
		d->i_samples = r->left[k].i_sample; /* numbers the errors */
		rc = pf_pp_each_sample(d, &r->left[k], r->bound[k + 1].at, one_sample, mf);
	}
	free(r);
	return rc;
}

/* decode + choose + build over d's bytes: the reference path. */
static enum pf_code full(struct pf_pp_dec *d, const char *name, struct pf_arena *arena,
                         struct pf_functab **out, struct pf_err *err)
{
	pf_pp_reset(d);
	PF_PP_TRY(pf_pp_decode_all(d));
	int i = pf_pprof_choose_index(d->p, name, err);
	if (i < 0)
		return err->code ? err->code : PF_E_BAD_PROFILE;
	return pf_functab_build(d->p, i, NULL, arena, out, err);
}

static enum pf_code stream(struct pf_pp_dec *d, const char *name, struct pf_arena *arena,
                           struct pf_functab **out, struct pf_err *err)
{
	struct main_feed mf;
	struct feed *fd = &mf.fd;
	struct pf_ft_stream *st = NULL;
	enum pf_code rc;
	memset(&mf, 0, sizeof mf);
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
	int idx = p->n_types ? pf_pprof_choose_index(p, name, &quiet) : -1;
	if (idx < 0 || d->n_locations + d->n_functions >= PF_FT_MULTI)
		return full(d, name, arena, out, err); /* its error comes first */
	st = pf_ft_stream_new(p, idx, arena);
	fd->vals = malloc((d->n_types ? d->n_types : 1) * sizeof *fd->vals);
	fd->n_by_id = d->locs.dcap;
	uint32_t *by_id = malloc(fd->n_by_id * sizeof *by_id);
	fd->by_id = by_id;
	fd->used_id = calloc(fd->n_by_id, 1);
	if (!st || !fd->vals || !by_id || !fd->used_id) {
		rc = pf_pp_nomem(d);
		goto out;
	}
	fd->fr = pf_ft_stream_frames(st);
	for (size_t k = 0; k < fd->n_by_id; k++) {
		uint32_t li = d->locs.dense[k];
		struct pf_ft_loc l = li ? fd->fr->locs[li - 1] : (struct pf_ft_loc){0, PF_FT_MULTI};
		by_id[k] = l.inner < 0xffff && l.outer < 0xffff ? l.inner | l.outer << 16 : NO_LOC;
	}
	rc = read_samples(d, st, &mf);
	if (rc != PF_OK)
		goto out;
	for (size_t k = 0; k < fd->n_by_id; k++)
		if (fd->used_id[k] && d->locs.dense[k])
			fd->fr->used[d->locs.dense[k] - 1] = 1;
	rc = pf_ft_stream_finish(st, arena, out, err);
out:
	pf_ft_stream_free(st);
	free(by_id);
	feed_free(fd);
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
