/* pprof_test.h: helpers of the pprof suites (test_pprof*.c): a tiny
 * profile writer on pprof_wire.h (value types, functions, locations,
 * samples with labels, packed or not, the string table), the worked
 * example of spec/pprof.md §10, and decode/build shortcuts that fail the
 * test on error. Header-only (static), so each suite stays one binary. */
#ifndef PF_PPROF_TEST_H
#define PF_PPROF_TEST_H

#include <check.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "functab.h"
#include "pprof.h"
#include "pprof_wire.h"
#include "testutil.h"

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

#endif
