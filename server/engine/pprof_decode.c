/* pprof_decode.c: bytes -> struct pf_profile (spec/pprof.md §1-§6).
 * Owns gunzip-with-limit, the top-level wire scan (framing, counts, byte
 * offsets for errors) and the conversion of protobuf-c messages into the
 * arena model. The only file besides pprof_diag.c that knows the wire
 * format; no I/O, no logging, no globals. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gunzip.h"
#include "pprof.h"
#include "pprof_int.h"
#include "profile.pb-c.h"

struct pf_pprof_limits pf_pprof_limits_default(void)
{
	struct pf_pprof_limits l = {
	        .max_bytes = (size_t)256 << 20,
	        .max_samples = (size_t)4 << 20,
	        .max_locations = (size_t)2 << 20,
	        .max_functions = (size_t)1 << 20,
	        .max_mappings = (size_t)64 << 10,
	        .max_strings = (size_t)4 << 20,
	        .split_bytes = (size_t)2 << 20,
	};
	return l;
}

/* --- scratch allocator for protobuf-c: reset after every message ------- */

struct pf_pp_scratch_blk {
	struct pf_pp_scratch_blk *next;
	size_t size, off;
	max_align_t data[];
};

#define SCRATCH_ALIGN(n) (((n) + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1))

static void *scratch_alloc(void *ad, size_t n)
{
	struct pf_pp_scratch *s = ad;
	struct pf_pp_scratch_blk *b = s->head;
	n = SCRATCH_ALIGN(n ? n : 1);
	if (!b || b->size - b->off < n) {
		size_t size = b ? b->size * 2 : (size_t)64 * 1024;
		if (size < n)
			size = n;
		struct pf_pp_scratch_blk *nb = malloc(sizeof *nb + size);
		if (!nb) {
			s->failed = true;
			return NULL;
		}
		nb->size = size;
		nb->off = 0;
		nb->next = b;
		s->head = b = nb;
	}
	void *p = (char *)b->data + b->off;
	b->off += n;
	return p;
}

static void scratch_free(void *ad, void *p)
{
	(void)ad;
	(void)p;
}

/* Keep only the newest (largest) block, emptied. */
void pf_pp_scratch_reset(struct pf_pp_scratch *s)
{
	if (!s->head)
		return;
	struct pf_pp_scratch_blk *b = s->head->next;
	while (b) {
		struct pf_pp_scratch_blk *next = b->next;
		free(b);
		b = next;
	}
	s->head->next = NULL;
	s->head->off = 0;
}

static void scratch_destroy(struct pf_pp_scratch *s)
{
	pf_pp_scratch_reset(s);
	free(s->head);
	s->head = NULL;
}

enum pf_code pf_pp_nomem(struct pf_pp_dec *d)
{
	return pf_err_set(d->err, PF_E_NOMEM, NULL,
	                  "out of memory while decoding the profile (%zu bytes in use)",
	                  d->a->reserved);
}

const char *pf_pp_field_name(uint64_t f)
{
	static const char *const names[] = {"?",
	                                    "sample_type",
	                                    "sample",
	                                    "mapping",
	                                    "location",
	                                    "function",
	                                    "string_table",
	                                    "drop_frames",
	                                    "keep_frames",
	                                    "time_nanos",
	                                    "duration_nanos",
	                                    "period_type",
	                                    "period",
	                                    "comment",
	                                    "default_sample_type",
	                                    "doc_url"};
	return f < sizeof names / sizeof names[0] ? names[f] : "unknown";
}

/* Resolve string index i for what (e.g. "function #3 (id 7) name"). */
enum pf_code pf_pp_str_at(struct pf_pp_dec *d, int64_t i, const char **out, const char *what,
                          size_t idx, uint64_t id)
{
	if (i < 0 || (uint64_t)i >= d->n_strings)
		return pf_err_set(d->err, PF_E_BAD_PROFILE, NULL,
		                  "%s #%zu (id %" PRIu64 "): string index %" PRId64
		                  " out of range (string_table has %zu entries)",
		                  what, idx, id, i, d->n_strings);
	*out = d->strings[i];
	return PF_OK;
}

/* protobuf-c rejected (or could not allocate) message #idx at off. */
enum pf_code pf_pp_bad_msg(struct pf_pp_dec *d, enum pf_pb_msg k, const char *what, size_t idx,
                           const uint8_t *p, size_t n)
{
	char why[200];
	size_t off = (size_t)(p - d->base);
	if (d->scratch.failed)
		return pf_pp_nomem(d);
	if (!pf_pb_diagnose(k, p, n, off, why, sizeof why))
		snprintf(why, sizeof why, "invalid message");
	return pf_err_set(d->err, PF_E_BAD_PROFILE, NULL, "%s #%zu at byte %zu: %s", what, idx, off,
	                  why);
}

/* --- pass 1: framing, counts, scalars ---------------------------------- */

static enum pf_code frame_err(struct pf_pp_dec *d, const char *fmt, size_t at, uint64_t f,
                              uint64_t x)
{
	char msg[256];
	snprintf(msg, sizeof msg, fmt, at, (unsigned long long)f, (unsigned long long)x,
	         pf_pp_field_name(f));
	return pf_err_set(d->err, PF_E_BAD_PROFILE, NULL, "%s%s", d->gzipped ? "" : NOT_PB, msg);
}

static enum pf_code count_limit(struct pf_pp_dec *d, size_t n, size_t max, const char *what)
{
	if (max && n > max)
		return pf_err_set(d->err, PF_E_LIMIT, NULL,
		                  "more than %zu %s (the limit); stopped at the %zu-th", max, what,
		                  n);
	return PF_OK;
}

/* The malloc'ed array arr (*cap elements of size sz) with room for
 * element n: arr, or a larger copy (doubled from `first`), or NULL when
 * out of memory (arr is then unchanged). */
static void *grow(void *arr, size_t n, size_t *cap, size_t sz, size_t first)
{
	if (n < *cap)
		return arr;
	size_t c = *cap ? *cap * 2 : first;
	void *p = realloc(arr, c * sz);
	if (p)
		*cap = c;
	return p;
}

/* Pass 1 of the streaming table marks every PF_PP_MARK_EVERY-th sample
 * (at byte at): where the samples may be split between threads. */
static bool note_mark(struct pf_pp_dec *d, size_t at)
{
	struct pf_pp_cursor *m = grow(d->marks, d->n_marks, &d->cap_marks, sizeof *m, 64);
	if (!m)
		return false;
	d->marks = m;
	d->marks[d->n_marks++] =
	        (struct pf_pp_cursor){at, d->n_others, d->n_samples, d->sample_bytes};
	return true;
}

static enum pf_code pass1_field(struct pf_pp_dec *d, uint64_t f, unsigned wt, uint64_t v,
                                const uint8_t *body, size_t at)
{
	switch (f) {
	case 1:
		d->n_types++;
		break;
	case 2:
		if (d->stream && d->n_samples % PF_PP_MARK_EVERY == 0 && !note_mark(d, at))
			return pf_pp_nomem(d);
		d->sample_bytes += (size_t)(body + v - d->base) - at;
		PF_PP_TRY(count_limit(d, ++d->n_samples, d->lim.max_samples, "samples"));
		break;
	case 3:
		PF_PP_TRY(count_limit(d, ++d->n_mappings, d->lim.max_mappings, "mappings"));
		break;
	case 4:
		PF_PP_TRY(count_limit(d, ++d->n_locations, d->lim.max_locations, "locations"));
		break;
	case 5:
		PF_PP_TRY(count_limit(d, ++d->n_functions, d->lim.max_functions, "functions"));
		break;
	case 6:
		PF_PP_TRY(count_limit(d, ++d->n_strings, d->lim.max_strings, "strings"));
		break;
	case 9:
		if (d->seen_time)
			return pf_err_set(d->err, PF_E_BAD_PROFILE, NULL,
			                  "time_nanos appears twice (byte %zu): concatenated "
			                  "profiles detected",
			                  at);
		d->seen_time = true;
		d->time_nanos = (int64_t)v;
		break;
	case 10:
		d->duration_nanos = (int64_t)v;
		break;
	case 12:
		d->period = (int64_t)v;
		break;
	case 13:
		if (wt == 0) {
			d->n_comments++;
		} else {
			const uint8_t *q = body, *qe = body + v;
			while (q < qe) {
				size_t e = (size_t)(q - d->base);
				uint64_t x;
				if (pf_pb_varint(&q, qe, &x))
					return frame_err(
					        d, "bad varint at byte %zu in packed field %llu", e,
					        f, 0);
				d->n_comments++;
			}
		}
		break;
	case 14:
		d->default_type = (int64_t)v;
		break;
	}
	return PF_OK;
}

/* Expected wire type of top-level field f: 0, 2, or -1 (either: packed). */
static int want_wt(uint64_t f)
{
	if ((f >= 1 && f <= 6) || f == 11)
		return 2;
	if (f == 13)
		return -1;
	if (f >= 7 && f <= 15)
		return 0;
	return -2; /* unknown: anything but groups */
}

/* Walk the top-level fields. pass 1 validates framing; passes 2.. call
 * visit for the fields they convert. */
typedef enum pf_code (*visit_fn)(struct pf_pp_dec *d, uint64_t f, unsigned wt, uint64_t v,
                                 const uint8_t *body, size_t at);

/* Pass 1 also notes where every field but the samples starts, so the
 * passes that skip samples (most of the bytes) do not read them again. */
static bool note_field(struct pf_pp_dec *d, size_t at)
{
	size_t *o = grow(d->others, d->n_others, &d->cap_others, sizeof *o, 1024);
	if (!o)
		return false;
	d->others = o;
	d->others[d->n_others++] = at;
	return true;
}

/* with others: only the fields noted by pass 1 */
static enum pf_code walk(struct pf_pp_dec *d, visit_fn visit, bool others)
{
	const uint8_t *p = d->base, *end = d->base + d->len;
	for (size_t i = 0; others ? i < d->n_others : p < end; i++) {
		if (others)
			p = d->base + d->others[i];
		size_t at = (size_t)(p - d->base);
		uint64_t tag, v = 0;
		if (visit == pass1_field && *p == 0x12) {
			/* a Sample, most of the fields: when its length fits, the
			 * checks below have nothing to say */
			const uint8_t *q = p + 1;
			__builtin_prefetch(p + 1024);
			if (pf_pb_rd(&q, end, &v) && v <= (uint64_t)(end - q)) {
				PF_PP_TRY(pass1_field(d, 2, 2, v, q, at));
				p = q + v;
				continue;
			}
		}
		int rc = pf_pb_varint(&p, end, &tag);
		if (rc)
			return frame_err(d,
			                 rc == -1 ? "truncated varint (field tag) at byte %zu"
			                          : "over-long varint (field tag) at byte %zu",
			                 at, 0, 0);
		uint64_t f = tag >> 3;
		unsigned wt = (unsigned)(tag & 7);
		int want = want_wt(f);
		if (f == 0)
			return frame_err(d, "field number 0 at byte %zu", at, f, 0);
		if (wt == 3 || wt == 4 || wt > 5)
			return pf_err_set(
			        d->err, PF_E_BAD_PROFILE, NULL,
			        "%swire type %u at byte %zu (field %llu) is not supported "
			        "(group or invalid)",
			        d->gzipped ? "" : NOT_PB, wt, at, (unsigned long long)f);
		if ((want == 0 && wt != 0) || (want == 2 && wt != 2) ||
		    (want == -1 && wt != 0 && wt != 2))
			return pf_err_set(
			        d->err, PF_E_BAD_PROFILE, NULL,
			        "%sfield %llu (%s) at byte %zu has wire type %u, expected %s",
			        d->gzipped ? "" : NOT_PB, (unsigned long long)f,
			        pf_pp_field_name(f), at, wt,
			        want == 2 ? "2 (length-delimited)" : "0 (varint)");
		const uint8_t *body = p;
		size_t vat = (size_t)(p - d->base);
		switch (wt) {
		case 0:
			if ((rc = pf_pb_varint(&p, end, &v)))
				return frame_err(
				        d,
				        rc == -1 ? "truncated varint at byte %zu (field %llu)"
				                 : "over-long varint at byte %zu (field %llu)",
				        vat, f, 0);
			break;
		case 1:
		case 5:
			if ((size_t)(end - p) < (wt == 1 ? 8u : 4u))
				return frame_err(
				        d, "truncated fixed-size value at byte %zu (field %llu)",
				        vat, f, 0);
			p += wt == 1 ? 8 : 4;
			break;
		case 2:
			if ((rc = pf_pb_varint(&p, end, &v)))
				return frame_err(
				        d,
				        rc == -1 ? "truncated length at byte %zu (field %llu)"
				                 : "over-long length at byte %zu (field %llu)",
				        vat, f, 0);
			body = p;
			if (v > (uint64_t)(end - p))
				return pf_err_set(
				        d->err, PF_E_BAD_PROFILE, NULL,
				        "%sfield %llu (%s) at byte %zu declares %llu bytes, "
				        "only %zu remain (truncated)",
				        d->gzipped ? "" : NOT_PB, (unsigned long long)f,
				        pf_pp_field_name(f), at, (unsigned long long)v,
				        (size_t)(end - p));
			p += v;
			break;
		}
		if (visit == pass1_field && f != 2 && !note_field(d, at))
			return pf_pp_nomem(d);
		PF_PP_TRY(visit(d, f, wt, v, body, at));
	}
	return PF_OK;
}

/* Passes 1-3: framing and counts, strings, types, functions, mappings,
 * locations; everything but the samples. */
enum pf_code pf_pp_decode_prefix(struct pf_pp_dec *d)
{
	d->default_type = 0;
	PF_PP_TRY(walk(d, pass1_field, false));
	PF_PP_TRY(pf_pp_alloc(d));
	PF_PP_TRY(walk(d, pf_pp_pass2, true));
	PF_PP_TRY(pf_pp_strings_done(d));
	PF_PP_TRY(walk(d, pf_pp_pass2b, true));
	return walk(d, pf_pp_pass3, true);
}

enum pf_code pf_pp_each_sample(struct pf_pp_dec *d, struct pf_pp_cursor *c, size_t end,
                               pf_pp_sample_fn visit, void *arg)
{
	const uint8_t *body;
	size_t n;
	for (struct pf_pp_cursor at = *c; pf_pp_next_sample(d, c, end, &body, &n); at = *c) {
		enum pf_code rc = visit(d, body, n, arg);
		if (rc != PF_OK) {
			*c = at;
			return rc;
		}
	}
	return PF_OK;
}

enum pf_code pf_pp_decode_all(struct pf_pp_dec *d)
{
	PF_PP_TRY(pf_pp_decode_prefix(d));
	PF_PP_TRY(walk(d, pf_pp_pass4, false));
	return pf_pp_finish(d);
}

/* The text formats runtime/pprof writes with debug=1 (and the compiler's
 * -memprofile): named, instead of a protobuf error at byte 0. */
static enum pf_code legacy_text(struct pf_pp_dec *d)
{
	static const char *const heads[] = {"heap profile:", "--- contention:", "--- mutex:",
	                                    "goroutine profile:", "threadcreate profile:"};
	for (size_t i = 0; i < sizeof heads / sizeof heads[0]; i++) {
		size_t n = strlen(heads[i]);
		if (d->len >= n && memcmp(d->base, heads[i], n) == 0)
			return pf_err_set(
			        d->err, PF_E_BAD_PROFILE, NULL,
			        "a legacy text profile ('%.*s'), not the protobuf format: "
			        "write it with debug=0 (pprof.WriteHeapProfile, "
			        "go test -memprofile, /debug/pprof/heap without ?debug=1)",
			        (int)n - 1, heads[i]);
	}
	return PF_OK;
}

enum pf_code pf_pp_open(struct pf_pp_dec *d, const uint8_t *data, size_t len,
                        const struct pf_pprof_limits *lim, struct pf_arena *arena,
                        struct pf_err *err)
{
	enum pf_code rc;

	memset(d, 0, sizeof *d);
	d->lim = lim ? *lim : pf_pprof_limits_default();
	d->a = arena;
	d->err = err;
	d->pa.alloc = scratch_alloc;
	d->pa.free = scratch_free;
	d->pa.allocator_data = &d->scratch;
	pf_buf_init(&d->raw, d->lim.max_bytes);
	if (len == 0)
		return pf_err_set(err, PF_E_EMPTY, NULL, "empty input (0 bytes)");
	if (pf_is_gzip(data, len)) {
		d->gzipped = true;
		rc = pf_gunzip(data, len, d->lim.max_bytes ? d->lim.max_bytes : SIZE_MAX, &d->raw,
		               NULL, err);
		if (rc != PF_OK)
			return rc;
		d->base = (const uint8_t *)d->raw.data;
		d->len = d->raw.len;
		if (d->len == 0)
			return pf_err_set(err, PF_E_EMPTY, NULL,
			                  "gzip stream decompresses to 0 bytes");
	} else {
		if (d->lim.max_bytes && len > d->lim.max_bytes)
			return pf_err_set(err, PF_E_TOO_LARGE, NULL,
			                  "profile of %zu bytes exceeds the limit of %zu bytes",
			                  len, d->lim.max_bytes);
		d->base = data;
		d->len = len;
	}
	return legacy_text(d);
}

void pf_pp_reset(struct pf_pp_dec *d)
{
	scratch_destroy(&d->scratch);
	pf_pp_idmap_free(&d->funcs);
	pf_pp_idmap_free(&d->locs);
	pf_pp_idmap_free(&d->maps);
	pf_pp_lsets_free(d);
	free(d->others);
	free(d->marks);
	struct pf_pp_dec keep = *d;
	memset(d, 0, sizeof *d);
	d->base = keep.base;
	d->len = keep.len;
	d->gzipped = keep.gzipped;
	d->lim = keep.lim;
	d->a = keep.a;
	d->err = keep.err;
	d->pa = keep.pa;
	d->pa.allocator_data = &d->scratch;
	d->raw = keep.raw;
}

void pf_pp_close(struct pf_pp_dec *d)
{
	pf_pp_reset(d);
	pf_buf_free(&d->raw);
}

enum pf_code pf_pprof_decode(const uint8_t *data, size_t len, const struct pf_pprof_limits *lim,
                             struct pf_arena *arena, struct pf_profile **out, struct pf_err *err)
{
	struct pf_pp_dec d;
	enum pf_code rc;

	*out = NULL;
	rc = pf_pp_open(&d, data, len, lim, arena, err);
	if (rc == PF_OK)
		rc = pf_pp_decode_all(&d);
	if (rc == PF_OK)
		*out = d.p;
	pf_pp_close(&d);
	return rc;
}
