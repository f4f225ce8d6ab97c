/* pprof_int.h: internals shared by the pprof*.c decoder files (wire-level
 * reading and the diagnostics that turn protobuf-c failures into byte
 * offsets). Not part of the engine's API. */
#ifndef PF_PPROF_INT_H
#define PF_PPROF_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

/* Decoder state shared by pprof_decode.c (framing, passes) and
 * pprof_convert.c (message conversion). */
struct pf_pp_dec {
	const uint8_t *base; /* the protobuf (after gunzip) */
	size_t len;
	bool gzipped;
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
};

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

/* pprof_sample.c: the Sample message (~95 % of a profile) read straight
 * into the model. Returns false, having changed nothing visible, for
 * anything unusual or invalid (unpacked or repeated fields, unknown
 * fields, a bad reference...): the caller then takes the protobuf-c path,
 * which produces the error message. */
bool pf_pp_sample_fast(struct pf_pp_dec *d, const uint8_t *body, size_t n);
void pf_pp_lsets_free(struct pf_pp_dec *d);

#endif
