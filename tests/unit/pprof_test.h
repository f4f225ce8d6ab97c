/* pprof_test.h: helpers of the pprof suites (test_pprof*.c): a tiny
 * profile writer on pprof_wire.h (value types, functions, locations,
 * samples with labels, packed or not, the string table), the worked
 * example of spec/pprof.md §10 and a small inline/plain-call profile, the
 * fixture list, decode/build shortcuts that fail the test on error, table
 * comparison, gzip, and the suite runner. Header-only (static), so each suite stays one binary. */
#ifndef PF_PPROF_TEST_H
#define PF_PPROF_TEST_H

#include <check.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "functab.h"
#include "gunzip.h"
#include "pprof.h"
#include "pprof_int.h"
#include "pprof_wire.h"
#include "testutil.h"
#include "pftest_run.h"

static inline void vtype(struct pf_buf *b, uint32_t field, uint64_t type, uint64_t unit)
{
	struct pf_buf m;
	pf_buf_init(&m, 0);
	pf_pbw_uint(&m, 1, type);
	pf_pbw_uint(&m, 2, unit);
	pf_pbw_msg(b, field, &m);
	pf_buf_free(&m);
}

static inline void func(struct pf_buf *b, uint64_t id, uint64_t name)
{
	struct pf_buf m;
	pf_buf_init(&m, 0);
	pf_pbw_uint(&m, 1, id);
	pf_pbw_uint(&m, 2, name);
	pf_pbw_uint(&m, 3, name);
	pf_pbw_msg(b, 5, &m);
	pf_buf_free(&m);
}

/* location id with lines of functions fids[0..n) (fids[0] innermost) */
static inline void loc(struct pf_buf *b, uint64_t id, uint64_t mapping, const uint64_t *fids,
                       size_t n)
{
	struct pf_buf m;
	pf_buf_init(&m, 0);
	pf_pbw_uint(&m, 1, id);
	if (mapping)
		pf_pbw_uint(&m, 2, mapping);
	pf_pbw_uint(&m, 3, 0x1000 + id);
	for (size_t i = 0; i < n; i++) {
		struct pf_buf l;
		pf_buf_init(&l, 0);
		pf_pbw_uint(&l, 1, fids[i]);
		pf_pbw_uint(&l, 2, 10 + i);
		pf_pbw_msg(&m, 4, &l);
		pf_buf_free(&l);
	}
	pf_pbw_msg(b, 4, &m);
	pf_buf_free(&m);
}

struct lbl {
	uint64_t key, str;
	int64_t num;
	uint64_t unit;
};

static inline void sample(struct pf_buf *b, const uint64_t *locs, size_t nl, const int64_t *vals,
                          size_t nv, bool packed, const struct lbl *lb, size_t nlb)
{
	struct pf_buf m;
	pf_buf_init(&m, 0);
	if (packed) {
		pf_pbw_packed(&m, 1, locs, nl);
		pf_pbw_packed(&m, 2, (const uint64_t *)vals, nv);
	} else {
		for (size_t i = 0; i < nl; i++)
			pf_pbw_uint(&m, 1, locs[i]);
		for (size_t i = 0; i < nv; i++)
			pf_pbw_uint(&m, 2, (uint64_t)vals[i]);
	}
	for (size_t i = 0; i < nlb; i++) {
		struct pf_buf l;
		pf_buf_init(&l, 0);
		pf_pbw_uint(&l, 1, lb[i].key);
		if (lb[i].str)
			pf_pbw_uint(&l, 2, lb[i].str);
		if (lb[i].num)
			pf_pbw_uint(&l, 3, (uint64_t)lb[i].num);
		if (lb[i].unit)
			pf_pbw_uint(&l, 4, lb[i].unit);
		pf_pbw_msg(&m, 3, &l);
		pf_buf_free(&l);
	}
	pf_pbw_msg(b, 2, &m);
	pf_buf_free(&m);
}

static inline void strings(struct pf_buf *b, const char *const *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		pf_pbw_str(b, 6, s[i]);
}

/* spec/pprof.md §10: main, a (recursive), b with inl inlined; extra: an
 * empty-named function, a mapping, a zero-valued and a negative sample. */
static inline void example(struct pf_buf *b, bool extra)
{
	static const char *const EX_STR[] = {"",     "samples", "count", "cpu",    "nanoseconds",
	                                     "main", "a",       "b",     "inl",    "endpoint",
	                                     "/x",   "bytes",   "",      "bin/app"};
	static const uint64_t f1[] = {1}, f2[] = {2}, f3[] = {4, 3};
	pf_buf_init(b, 0);
	pf_pbw_uint(b, 9, 1700000000000000000ULL);
	vtype(b, 1, 1, 2);
	vtype(b, 1, 3, 4);
	func(b, 1, 5);
	loc(b, 1, 0, f1, 1); /* location before its function is fine too */
	func(b, 2, 6);
	func(b, 3, 7);
	func(b, 4, 8);
	loc(b, 2, 0, f2, 1);
	loc(b, 3, 0, f3, 2);
	const uint64_t s1[] = {3, 2, 1}, s2[] = {2, 2, 1}, s3[] = {1};
	const int64_t v1[] = {1, 10}, v2[] = {2, 20}, v3[] = {1, 5};
	const struct lbl l1[] = {{9, 10, 0, 0}, {11, 0, 64, 0}, {11, 0, 0, 0}};
	sample(b, s1, 3, v1, 2, false, l1, 3);  /* unpacked */
	sample(b, s2, 3, v2, 2, true, NULL, 0); /* packed */
	sample(b, s3, 1, v3, 2, false, NULL, 0);
	if (extra) {
		static const uint64_t f5[] = {5}, f6[] = {6};
		const uint64_t z[] = {4}, n[] = {5, 1};
		const int64_t zv[] = {0, 0}, nv[] = {1, -7};
		func(b, 5, 0); /* empty name */
		loc(b, 4, 0, f5, 1);
		func(b, 6, 12);  /* another empty name (string 12 is "") */
		struct pf_buf m; /* mapping 1, file bin/app */
		pf_buf_init(&m, 0);
		pf_pbw_uint(&m, 1, 1);
		pf_pbw_uint(&m, 5, 13);
		pf_pbw_msg(b, 3, &m);
		pf_buf_free(&m);
		loc(b, 5, 1, f6, 1);
		sample(b, z, 1, zv, 2, true, NULL, 0);  /* zero-valued */
		sample(b, n, 2, nv, 2, false, NULL, 0); /* negative */
	}
	strings(b, EX_STR, sizeof EX_STR / sizeof EX_STR[0]); /* string table last */
	ck_assert_int_eq(pf_buf_status(b), PF_OK);
}

static inline struct pf_profile *decode_ok(const struct pf_buf *b, struct pf_arena *a)
{
	struct pf_profile *p;
	struct pf_err err;
	enum pf_code rc = pf_pprof_decode((const uint8_t *)b->data, b->len, NULL, a, &p, &err);
	ck_assert_msg(rc == PF_OK, "%s", err.msg);
	return p;
}

static inline const struct pf_functab_row *row(const struct pf_functab *t, const char *name)
{
	for (size_t i = 0; i < t->n_rows; i++)
		if (strcmp(t->rows[i].name, name) == 0)
			return &t->rows[i];
	return NULL;
}

static inline struct pf_functab *fixture_table(const char *name, const char *si, struct pf_arena *a)
{
	size_t n;
	struct pf_err err;
	struct pf_profile *p;
	struct pf_functab *t;
	uint8_t *d = pf_test_read_fixture(name, &n);
	ck_assert_int_eq(pf_pprof_decode(d, n, NULL, a, &p, &err), PF_OK);
	free(d);
	int idx = pf_pprof_sample_index(p, si, &err);
	ck_assert_int_ge(idx, 0);
	ck_assert_int_eq(pf_functab_build(p, idx, NULL, a, &t, &err), PF_OK);
	return t;
}

/* The fixture profiles (tests/fixtures), PT_N_FIX of them. */
#define PT_N_FIX 8
static inline const char *pt_fixture(size_t i)
{
	static const char *const names[PT_N_FIX] = {
	        "cpu_base.pb.gz",  "cpu_cand.pb.gz",  "cpu_noise1.pb.gz",  "cpu_noise2.pb.gz",
	        "heap_base.pb.gz", "heap_cand.pb.gz", "heap_noise1.pb.gz", "heap_noise2.pb.gz",
	};
	return names[i];
}

/* Fixture name decoded into a (the test fails otherwise); its gunzipped
 * bytes into *raw unless raw is NULL (pf_buf_free them). */
static inline struct pf_profile *load(const char *name, struct pf_arena *a, struct pf_buf *raw)
{
	size_t n;
	struct pf_err err;
	struct pf_profile *p;
	uint8_t *gz = pf_test_read_fixture(name, &n);
	ck_assert_ptr_nonnull(gz);
	if (raw) {
		pf_buf_init(raw, 0);
		ck_assert_int_eq(pf_gunzip(gz, n, SIZE_MAX, raw, NULL, &err), PF_OK);
	}
	ck_assert_int_eq(pf_pprof_decode(gz, n, NULL, a, &p, &err), PF_OK);
	free(gz);
	return p;
}

/* raw with a field 15 (varint 0) appended to every message of top-level
 * field `field` (2: Sample, 4: Location). */
static inline void add_unknown_field(const struct pf_buf *raw, uint64_t field, struct pf_buf *out)
{
	const uint8_t *p = (const uint8_t *)raw->data, *end = p + raw->len;
	pf_buf_init(out, 0);
	while (p < end) {
		const uint8_t *at = p;
		uint64_t tag, v;
		ck_assert_int_eq(pf_pb_varint(&p, end, &tag), 0);
		if ((tag & 7) == 0) {
			ck_assert_int_eq(pf_pb_varint(&p, end, &v), 0);
		} else {
			ck_assert_uint_eq(tag & 7, 2);
			ck_assert_int_eq(pf_pb_varint(&p, end, &v), 0);
			if (tag >> 3 == field) {
				struct pf_buf m;
				pf_buf_init(&m, 0);
				(void)pf_buf_append(&m, p, v);
				pf_pbw_uint(&m, 15, 0);
				pf_pbw_msg(out, (uint32_t)field, &m);
				pf_buf_free(&m);
				p += v;
				continue;
			}
			p += v;
		}
		(void)pf_buf_append(out, at, (size_t)(p - at));
	}
	ck_assert_int_eq(pf_buf_status(out), PF_OK);
}

/* Two function tables alike, row by row. */
static inline void same_table(const struct pf_functab *x, const struct pf_functab *y)
{
	ck_assert_int_eq(x->total, y->total);
	ck_assert_int_eq(x->total_samples, y->total_samples);
	ck_assert_uint_eq(x->n_rows, y->n_rows);
	for (size_t i = 0; i < x->n_rows; i++) {
		const struct pf_functab_row *r = &x->rows[i], *s = &y->rows[i];
		ck_assert_str_eq(r->name, s->name);
		ck_assert_uint_eq(r->inl, s->inl);
		ck_assert_int_eq(r->flat, s->flat);
		ck_assert_int_eq(r->cum, s->cum);
		ck_assert_int_eq(r->flat_samples, s->flat_samples);
		ck_assert_int_eq(r->cum_samples, s->cum_samples);
	}
}

/* X inlined into Y (location 1), and, when plain_too, Y calling X without
 * inlining (locations 2 -> 3): the edge Y -> X is then a plain call. */
static inline void mixed_profile(struct pf_buf *b, bool plain_too)
{
	static const char *const str[] = {"", "samples", "count", "cpu", "nanoseconds", "X", "Y"};
	struct pf_buf m, l;
	pf_buf_init(b, 0);
	vtype(b, 1, 1, 2);
	vtype(b, 1, 3, 4);
	for (uint64_t f = 1; f <= 2; f++) {
		pf_buf_init(&m, 0);
		pf_pbw_uint(&m, 1, f);
		pf_pbw_uint(&m, 2, 4 + f);
		pf_pbw_msg(b, 5, &m);
		pf_buf_free(&m);
	}
	static const uint64_t lines[3][2] = {{1, 2}, {2, 0}, {1, 0}};
	for (uint64_t id = 1; id <= 3; id++) {
		pf_buf_init(&m, 0);
		pf_pbw_uint(&m, 1, id);
		for (int j = 0; j < 2 && lines[id - 1][j]; j++) {
			pf_buf_init(&l, 0);
			pf_pbw_uint(&l, 1, lines[id - 1][j]);
			pf_pbw_msg(&m, 4, &l);
			pf_buf_free(&l);
		}
		pf_pbw_msg(b, 4, &m);
		pf_buf_free(&m);
	}
	static const uint64_t stacks[2][2] = {{1, 0}, {3, 2}}, vals[2] = {1, 10};
	for (int i = 0; i < (plain_too ? 2 : 1); i++) {
		pf_buf_init(&m, 0);
		pf_pbw_packed(&m, 1, stacks[i], stacks[i][1] ? 2 : 1);
		pf_pbw_packed(&m, 2, vals, 2);
		pf_pbw_msg(b, 2, &m);
		pf_buf_free(&m);
	}
	for (size_t i = 0; i < sizeof str / sizeof str[0]; i++)
		pf_pbw_str(b, 6, str[i]);
	ck_assert_int_eq(pf_buf_status(b), PF_OK);
}

/* data gzipped at level 9 (malloc'ed, *out_len bytes). */
static inline uint8_t *pt_gzip(const void *data, size_t len, size_t *out_len)
{
	z_stream zs;
	memset(&zs, 0, sizeof zs);
	ck_assert_int_eq(deflateInit2(&zs, 9, Z_DEFLATED, 31, 9, Z_DEFAULT_STRATEGY), Z_OK);
	size_t cap = deflateBound(&zs, len) + 64;
	uint8_t *out = malloc(cap);
	zs.next_in = (Bytef *)(uintptr_t)data;
	zs.avail_in = (uInt)len;
	zs.next_out = out;
	zs.avail_out = (uInt)cap;
	ck_assert_int_eq(deflate(&zs, Z_FINISH), Z_STREAM_END);
	*out_len = zs.total_out;
	deflateEnd(&zs);
	return out;
}

/* Run the tests of one suite (one test case, 120 s each); the process's
 * exit status. */
static inline int pt_run(const char *suite, const TTest *const *tests, size_t n)
{
	Suite *s = suite_create(suite);
	TCase *tc = tcase_create(suite);
	tcase_set_timeout(tc, 120);
	for (size_t i = 0; i < n; i++)
		tcase_add_test(tc, tests[i]);
	suite_add_tcase(s, tc);
	return pft_run_suite(s);
}

#endif
