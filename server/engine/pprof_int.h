/* pprof_int.h: internals shared by the pprof*.c decoder files (wire-level
 * reading and the diagnostics that turn protobuf-c failures into byte
 * offsets). Not part of the engine's API. */
#ifndef PF_PPROF_INT_H
#define PF_PPROF_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Read a varint at *pp (< end). 0 ok, -1 truncated, -2 longer than 10
 * bytes. Advances *pp only on success. */
static inline int pf_pb_varint(const uint8_t **pp, const uint8_t *end, uint64_t *v)
{
	const uint8_t *p = *pp;
	uint64_t r = 0;
	for (unsigned shift = 0; shift < 70; shift += 7) {
		if (p >= end)
			return -1;
		uint8_t b = *p++;
		r |= (uint64_t)(b & 0x7f) << (shift < 64 ? shift : 63);
		if (!(b & 0x80)) {
			*v = r;
			*pp = p;
			return 0;
		}
	}
	return -2;
}

/* Varint at *pp; false when truncated or longer than 10 bytes. */
static inline bool pf_pb_rd(const uint8_t **pp, const uint8_t *end, uint64_t *v)
{
	const uint8_t *p = *pp;
	if (p < end && !(*p & 0x80)) {
		*v = *p;
		*pp = p + 1;
		return true;
	}
	if (end - p >= 2 && !(p[1] & 0x80)) {
		*v = (uint64_t)(p[0] & 0x7f) | ((uint64_t)p[1] << 7);
		*pp = p + 2;
		return true;
	}
	return pf_pb_varint(pp, end, v) == 0;
}

/* The varint at p, when it is 1-3 bytes long (below 2^21), from one
 * 8-byte load without a branch on its length: its length, or 0 when it
 * is longer. 8 bytes must be readable at p; the caller makes sure the
 * varint ends before its field does (the field's last byte ending one). */
static inline unsigned pf_pb_rd3(const uint8_t *p, uint64_t *v)
{
	uint64_t w;
	memcpy(&w, p, 8);
	uint64_t stop = ~w & 0x808080u;
	if (__builtin_expect(stop == 0, 0))
		return 0;
	w &= stop ^ (stop - 1); /* the varint's bytes */
	*v = (w & 0x7f) | (w >> 1 & 0x3f80) | (w >> 2 & 0x1fc000);
	return ((unsigned)__builtin_ctzll(stop) >> 3) + 1;
}

/* The fields of one Sample message (spec §2) as byte ranges: location_id
 * [lp, le) and value [vp, ve) as packed varints, labels [bp, be) (n_lab of
 * them, together). A repeated field written unpacked (one tag per element,
 * as Go writes runs of one or two: every CPU sample's two values) is
 * gathered into the struct's own buffer and its range points there
 * (l_copy / v_copy). false for anything else (a field both packed and
 * unpacked, more unpacked bytes than the buffer holds, labels not together
 * or before the ids and values, unknown fields): the caller takes
 * protobuf-c's path. Shared by the model's reader (pprof_sample.c) and the
 * streaming table (pprof_functab.c). */
struct pf_pp_sample_fields {
	const uint8_t *lp, *le, *vp, *ve, *bp, *be;
	size_t n_lab;
	bool l_copy, v_copy;
	uint8_t lbuf[32], vbuf[32]; /* unpacked elements, re-packed */
};

/* Append the varint at *pp (< end) to an unpacked field's buffer. */
static inline bool pf_pp_unpacked(const uint8_t **pp, const uint8_t *end, uint8_t *buf,
                                  const uint8_t **fp, const uint8_t **fe, bool *copy)
{
	const uint8_t *p = *pp;
	uint64_t v;
	if (*fp && !*copy)
		return false; /* packed before */
	if (!*fp)
		*fp = *fe = buf;
	if (!pf_pb_rd(pp, end, &v) || (size_t)(*pp - p) > (size_t)(buf + 32 - *fe))
		return false;
	memcpy((uint8_t *)*fe, p, (size_t)(*pp - p));
	*fe += *pp - p;
	*copy = true;
	return true;
}

static inline bool pf_pp_sample_split(const uint8_t *body, size_t n, struct pf_pp_sample_fields *f)
{
	const uint8_t *p = body, *end = body + n;
	f->lp = f->le = f->vp = f->ve = f->bp = f->be = NULL;
	f->n_lab = 0;
	f->l_copy = f->v_copy = false;
	while (p < end) {
		const uint8_t *at = p;
		uint64_t tag, len;
		if (!pf_pb_rd(&p, end, &tag))
			return false;
		if ((tag & 7) == 0) { /* an unpacked element of field 1 or 2 */
			bool ok = !f->bp &&
			          (tag >> 3 == 1 ? pf_pp_unpacked(&p, end, f->lbuf, &f->lp, &f->le,
			                                          &f->l_copy)
			           : tag >> 3 == 2 ? pf_pp_unpacked(&p, end, f->vbuf, &f->vp,
			                                            &f->ve, &f->v_copy)
			                           : false);
			if (!ok)
				return false;
			continue;
		}
		if ((tag & 7) != 2 || !pf_pb_rd(&p, end, &len) || len > (uint64_t)(end - p))
			return false;
		switch (tag >> 3) {
		case 1:
			if (f->lp || f->bp)
				return false;
			f->lp = p;
			f->le = p + len;
			break;
		case 2:
			if (f->vp || f->bp)
				return false;
			f->vp = p;
			f->ve = p + len;
			break;
		case 3:
			if (f->bp && f->be != at)
				return false; /* labels not together */
			if (!f->bp)
				f->bp = at;
			f->be = p + len;
			f->n_lab++;
			break;
		default:
			return false;
		}
		p += len;
	}
	return true;
}

/* The location ids of f lie in the profile's buffer with 8 bytes readable
 * after them (the one-load readers pf_pb_rd3 and ids_fast may be used). */
static inline bool pf_pp_ids_in_place(const uint8_t *base, size_t len,
                                      const struct pf_pp_sample_fields *f)
{
	return !f->l_copy && base + len - f->le >= 8;
}

/* Message kinds of profile.proto, for diagnostics. */
enum pf_pb_msg {
	PF_PB_VALUETYPE,
	PF_PB_SAMPLE,
	PF_PB_LABEL,
	PF_PB_MAPPING,
	PF_PB_LOCATION,
	PF_PB_LINE,
	PF_PB_FUNCTION,
};

/* Walk one embedded message of kind k (bytes p..p+n, at absolute offset
 * off of the protobuf) and describe its first wire-format error into
 * msg ("truncated varint at byte 123", ...). Returns false when no error
 * is found. */
bool pf_pb_diagnose(enum pf_pb_msg k, const uint8_t *p, size_t n, size_t off, char *msg,
                    size_t msgsz);

#include <protobuf-c/protobuf-c.h>

#include "arena.h"
#include "buf.h"
#include "pf_err.h"
#include "pprof.h"

/* Bump allocator handed to protobuf-c, emptied after every message. */
struct pf_pp_scratch_blk;
struct pf_pp_scratch {
	struct pf_pp_scratch_blk *head;
	bool failed;
};

/* uint64 id -> uint32 index (ids are non-zero). Ids below dcap (the
 * count and a quarter: Go numbers them 1..n) live in a dense array; the
 * others in an open-addressing hash made on first use. */
struct pf_pp_idmap {
	uint32_t *dense; /* index + 1; 0 = absent */
	size_t dcap;
	uint64_t *keys; /* 0 = empty */
	uint32_t *vals;
	size_t mask, n_hashed, n_max;
};

bool pf_pp_idmap_init(struct pf_pp_idmap *m, size_t n);
void pf_pp_idmap_free(struct pf_pp_idmap *m);
/* false when k is already present (or on allocation failure: *oom set) */
bool pf_pp_idmap_put(struct pf_pp_idmap *m, uint64_t k, uint32_t v, bool *oom);
bool pf_pp_idmap_get_hashed(const struct pf_pp_idmap *m, uint64_t k, uint32_t *v);

static inline bool pf_pp_idmap_get(const struct pf_pp_idmap *m, uint64_t k, uint32_t *v)
{
	if (k < m->dcap) {
		uint32_t x = m->dense[k];
		*v = x - 1;
		return x != 0;
	}
	return pf_pp_idmap_get_hashed(m, k, v);
}

/* A position among the top-level fields, at a field's start: its byte
 * offset, the index in others of the next noted field, and (pass 1's
 * marks) the samples and sample bytes before it. */
struct pf_pp_cursor {
	size_t at, oi, i_sample, sample_bytes;
};

/* Decoder state shared by pprof_decode.c (framing, passes) and
 * pprof_convert.c (message conversion). */
struct pf_pp_dec {
	const uint8_t *base; /* the protobuf (after gunzip) */
	size_t len;
	bool gzipped;
	bool stream;       /* pf_pprof_functab: no sample array in the model */
	struct pf_buf raw; /* the gunzipped bytes (when gzipped) */
	struct pf_pprof_limits lim;
	struct pf_arena *a;
	struct pf_err *err;
	struct pf_profile *p;
	ProtobufCAllocator pa;
	struct pf_pp_scratch scratch;

	/* pass 1: counts and top-level scalars */
	size_t n_types, n_samples, n_mappings, n_locations, n_functions, n_strings, n_comments;
	int64_t time_nanos, duration_nanos, period, default_type;
	bool seen_time;
	/* later passes */
	const char **strings;
	size_t i_strings, i_types, i_mappings, i_functions, i_locations, i_samples, i_comments;
	struct pf_pp_idmap funcs, locs, maps;
	struct pf_pp_lsets *lsets; /* label sets seen (pprof_sample.c) */
	size_t *others;            /* offsets of the non-sample fields */
	size_t n_others, cap_others;
	/* stream only: a cursor at every PF_PP_MARK_EVERY-th sample and the
	 * sample bytes in all (pass 1), to split the samples between threads */
	struct pf_pp_cursor *marks;
	size_t n_marks, cap_marks, sample_bytes;
};

#define PF_PP_MARK_EVERY 16

#define PF_PP_TRY(x)                                                                               \
	do {                                                                                       \
		enum pf_code rc_ = (x);                                                            \
		if (rc_ != PF_OK)                                                                  \
			return rc_;                                                                \
	} while (0)

#define NOT_PB "not gzip and not a valid pprof protobuf: "

enum pf_code pf_pp_nomem(struct pf_pp_dec *d);
const char *pf_pp_field_name(uint64_t f);
/* string index i of `what` #idx (id) -> *out, or a BAD_PROFILE error */
enum pf_code pf_pp_str_at(struct pf_pp_dec *d, int64_t i, const char **out, const char *what,
                          size_t idx, uint64_t id);
/* protobuf-c returned NULL for message #idx (bytes p..p+n): say why/where */
enum pf_code pf_pp_bad_msg(struct pf_pp_dec *d, enum pf_pb_msg k, const char *what, size_t idx,
                           const uint8_t *p, size_t n);
void pf_pp_scratch_reset(struct pf_pp_scratch *s);

/* The passes of pprof_convert.c, run by walk() over the top-level fields:
 * alloc after pass 1; pass 2 strings, sample types, period type, comments;
 * then functions and mappings (resolving strings); pass 3 locations; pass 4
 * samples; finish checks the whole. */
enum pf_code pf_pp_alloc(struct pf_pp_dec *d);
enum pf_code pf_pp_pass2(struct pf_pp_dec *d, uint64_t f, unsigned wt, uint64_t v,
                         const uint8_t *body, size_t at);
enum pf_code pf_pp_strings_done(struct pf_pp_dec *d);
enum pf_code pf_pp_pass2b(struct pf_pp_dec *d, uint64_t f, unsigned wt, uint64_t v,
                          const uint8_t *body, size_t at);
enum pf_code pf_pp_pass3(struct pf_pp_dec *d, uint64_t f, unsigned wt, uint64_t v,
                         const uint8_t *body, size_t at);
enum pf_code pf_pp_pass4(struct pf_pp_dec *d, uint64_t f, unsigned wt, uint64_t v,
                         const uint8_t *body, size_t at);
enum pf_code pf_pp_finish(struct pf_pp_dec *d);

/* pprof_decode.c: open (empty check, sniffed gunzip with the byte limit,
 * or the raw-size check) into d; passes 1-3 (everything but samples);
 * every Sample message in order; reset (free the pass state, keep the
 * bytes) and close (free all but the model, which lives in the arena). */
enum pf_code pf_pp_open(struct pf_pp_dec *d, const uint8_t *data, size_t len,
                        const struct pf_pprof_limits *lim, struct pf_arena *arena,
                        struct pf_err *err);
enum pf_code pf_pp_decode_prefix(struct pf_pp_dec *d);
/* passes 1-4 and the final checks: the whole model (pf_pprof_decode) */
enum pf_code pf_pp_decode_all(struct pf_pp_dec *d);
typedef enum pf_code (*pf_pp_sample_fn)(struct pf_pp_dec *d, const uint8_t *body, size_t n,
                                        void *arg);
/* visit(d, body, n, arg) for each Sample message from c on, in order, up
 * to the field that starts at or after byte end; c ends there (or, on an
 * error, at the failing sample). */
enum pf_code pf_pp_each_sample(struct pf_pp_dec *d, struct pf_pp_cursor *c, size_t end,
                               pf_pp_sample_fn visit, void *arg);

/* The Sample message at or after c (pass 1 has checked the framing and
 * noted every other field, which is skipped), if one starts before byte
 * end: its body and size, c moved past it. Reads d only. */
static inline bool pf_pp_next_sample(const struct pf_pp_dec *d, struct pf_pp_cursor *c, size_t end,
                                     const uint8_t **body, size_t *n)
{
	const uint8_t *e = d->base + d->len;
	while (c->at < end) {
		const uint8_t *p = d->base + c->at;
		uint64_t tag = 0, v = 0;
		(void)pf_pb_rd(&p, e, &tag);
		if (c->oi < d->n_others && d->others[c->oi] == c->at) {
			c->oi++;
			switch (tag & 7) {
			case 0:
				(void)pf_pb_rd(&p, e, &v);
				break;
			case 1:
				p += 8;
				break;
			case 5:
				p += 4;
				break;
			case 2:
				(void)pf_pb_rd(&p, e, &v);
				p += v;
				break;
			}
			c->at = (size_t)(p - d->base);
			continue;
		}
		(void)pf_pb_rd(&p, e, &v);
		*body = p;
		*n = (size_t)v;
		c->at = (size_t)(p + v - d->base);
		c->i_sample++;
		return true;
	}
	return false;
}
void pf_pp_reset(struct pf_pp_dec *d);
void pf_pp_close(struct pf_pp_dec *d);

/* pprof_convert.c: Sample message #d->i_samples (counted up) through
 * protobuf-c into *s, with every check and error message of the decoder. */
enum pf_code pf_pp_sample_into(struct pf_pp_dec *d, const uint8_t *body, size_t n,
                               struct pf_pprof_sample *s);

/* pprof_sample.c: the Sample message (~95 % of a profile) read straight
 * into the model. Returns false, having changed nothing visible, for
 * anything unusual or invalid (unpacked or repeated fields, unknown
 * fields, a bad reference...): the caller then takes the protobuf-c path,
 * which produces the error message. */
bool pf_pp_sample_fast(struct pf_pp_dec *d, const uint8_t *body, size_t n);
void pf_pp_lsets_free(struct pf_pp_dec *d);
/* The n_lab label messages at p..end of one sample resolved into s
 * (shared with earlier samples of the same bytes); false as above. */
bool pf_pp_sample_labels(struct pf_pp_dec *d, const uint8_t *p, const uint8_t *end, size_t n_lab,
                         struct pf_pprof_sample *s);
/* pprof_sample.c: Location message #d->i_locations read straight into
 * the model (and the id map); false, having changed nothing visible, for
 * anything unusual or invalid: the caller then takes protobuf-c's path. */
bool pf_pp_location_fast(struct pf_pp_dec *d, const uint8_t *body, size_t n);
/* The same for Function message #d->i_functions (strings resolved). */
bool pf_pp_function_fast(struct pf_pp_dec *d, const uint8_t *body, size_t n);
/* The same label messages only checked, as pf_pp_sample_labels would
 * accept them; reads d only (the streaming table's threads). */
bool pf_pp_labels_ok(const struct pf_pp_dec *d, const uint8_t *p, const uint8_t *end);

#endif
