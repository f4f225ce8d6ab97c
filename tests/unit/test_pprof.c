/* test_pprof.c: the pprof engine on hand-built profiles (recursion,
 * inlining, empty strings, zero and negative values, default_sample_type,
 * labels, packed/unpacked fields, string table last), the malformed-input
 * catalogue, merge, the diff against the fixture pair files, and the
 * speedscope export. Profiles are written with pprof_wire.h. */
#include <check.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "functab.h"
#include "gunzip.h"
#include "pprof.h"
#include "pprof_wire.h"
#include "profdiff.h"
#include "speedscope.h"
#include "testutil.h"

/* --- a tiny profile writer --------------------------------------------- */

static void vtype(struct pf_buf *b, uint32_t field, uint64_t type, uint64_t unit)
{
	struct pf_buf m;
	pf_buf_init(&m, 0);
	pf_pbw_uint(&m, 1, type);
	pf_pbw_uint(&m, 2, unit);
	pf_pbw_msg(b, field, &m);
	pf_buf_free(&m);
}

static void func(struct pf_buf *b, uint64_t id, uint64_t name)
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
static void loc(struct pf_buf *b, uint64_t id, uint64_t mapping, const uint64_t *fids, size_t n)
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

static void sample(struct pf_buf *b, const uint64_t *locs, size_t nl, const int64_t *vals,
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

static void strings(struct pf_buf *b, const char *const *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		pf_pbw_str(b, 6, s[i]);
}

/* spec/pprof.md §10: main, a (recursive), b with inl inlined. */
static const char *const EX_STR[] = {"",     "samples", "count", "cpu",    "nanoseconds",
                                     "main", "a",       "b",     "inl",    "endpoint",
                                     "/x",   "bytes",   "",      "bin/app"};

static void example(struct pf_buf *b, bool extra)
{
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

static struct pf_profile *decode_ok(const struct pf_buf *b, struct pf_arena *a)
{
	struct pf_profile *p;
	struct pf_err err;
	enum pf_code rc = pf_pprof_decode((const uint8_t *)b->data, b->len, NULL, a, &p, &err);
	ck_assert_msg(rc == PF_OK, "%s", err.msg);
	return p;
}

static const struct pf_functab_row *row(const struct pf_functab *t, const char *name)
{
	for (size_t i = 0; i < t->n_rows; i++)
		if (strcmp(t->rows[i].name, name) == 0)
			return &t->rows[i];
	return NULL;
}

START_TEST(worked_example_recursion_inlining)
{
	struct pf_buf b;
	struct pf_arena a;
	struct pf_err err;
	struct pf_functab *t;
	example(&b, false);
	pf_arena_init(&a, 0);
	struct pf_profile *p = decode_ok(&b, &a);
	ck_assert_uint_eq(p->n_samples, 3);
	ck_assert_uint_eq(p->samples[0].n_locs, 3);
	ck_assert_uint_eq(p->locations[2].n_lines, 2);
	int idx = pf_pprof_sample_index(p, NULL, &err);
	ck_assert_int_eq(idx, 1); /* no default_sample_type: the last */
	ck_assert_int_eq(pf_pprof_gate_index(p), 1);
	ck_assert_int_eq(pf_functab_build(p, idx, NULL, &a, &t, &err), PF_OK);
	ck_assert_int_eq(t->total, 35);
	ck_assert_int_eq(t->total_samples, 4);
	ck_assert_uint_eq(t->n_rows, 4);
	/* order: a, inl, main, b (flat desc) */
	ck_assert_str_eq(t->rows[0].name, "a");
	ck_assert_int_eq(t->rows[0].flat, 20);
	ck_assert_int_eq(t->rows[0].cum, 30); /* recursion counted once */
	ck_assert_int_eq(t->rows[0].flat_samples, 2);
	ck_assert_str_eq(t->rows[1].name, "inl");
	ck_assert_str_eq(pf_functab_inline_label(t->rows[1].inl), " (inline)");
	ck_assert_int_eq(t->rows[1].flat, 10);
	ck_assert_str_eq(t->rows[2].name, "main");
	ck_assert_int_eq(t->rows[2].cum, 35);
	ck_assert_str_eq(pf_functab_inline_label(t->rows[2].inl), "");
	ck_assert_str_eq(t->rows[3].name, "b");
	ck_assert_int_eq(t->rows[3].flat, 0);
	ck_assert_int_eq(t->rows[3].cum, 10);
	/* -noinlines folds inl into b */
	struct pf_functab_opts o = pf_functab_opts_all();
	o.no_inlines = true;
	ck_assert_int_eq(pf_functab_build(p, idx, &o, &a, &t, &err), PF_OK);
	ck_assert_ptr_null(row(t, "inl"));
	ck_assert_int_eq(row(t, "b")->flat, 10);
	/* labels: string, numeric, and the zero numeric one dropped */
	ck_assert_uint_eq(p->samples[0].n_labels, 2);
	ck_assert_str_eq(p->samples[0].labels[0].key, "endpoint");
	ck_assert_str_eq(p->samples[0].labels[0].str, "/x");
	ck_assert_ptr_null(p->samples[0].labels[1].str);
	ck_assert_int_eq(p->samples[0].labels[1].num, 64);
	/* tagfocus endpoint=/x keeps the first sample only, total unchanged */
	o = pf_functab_opts_all();
	o.focus_key = "endpoint";
	o.focus_value = "/x";
	ck_assert_int_eq(pf_functab_build(p, idx, &o, &a, &t, &err), PF_OK);
	ck_assert_int_eq(t->total, 35);
	ck_assert_int_eq(row(t, "main")->cum, 10);
	ck_assert_ptr_null(row(t, "x"));
	pf_buf_free(&b);
	pf_arena_free(&a);
}
END_TEST

START_TEST(empty_names_zero_and_negative_values)
{
	struct pf_buf b;
	struct pf_arena a;
	struct pf_err err;
	struct pf_functab *t;
	example(&b, true);
	pf_arena_init(&a, 0);
	struct pf_profile *p = decode_ok(&b, &a);
	ck_assert_int_eq(pf_functab_build(p, 1, NULL, &a, &t, &err), PF_OK);
	ck_assert_int_eq(t->total, 42); /* Σ|v|: 35 + 0 + 7 */
	/* zero-valued sample: its location (nameless, no mapping) makes no row */
	ck_assert_ptr_null(row(t, "<unknown>"));
	/* the nameless function under mapping bin/app prints as [app] */
	const struct pf_functab_row *r = row(t, "[app]");
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(r->flat, -7);
	ck_assert_int_eq(row(t, "main")->cum, 28); /* 35 − 7 */
	ck_assert_str_eq(t->rows[0].name, "a");
	ck_assert_str_eq(t->rows[2].name, "[app]"); /* |−7| sorts after 10 */
	pf_buf_free(&b);
	pf_arena_free(&a);
}
END_TEST

START_TEST(default_sample_type_selects)
{
	static const char *const s[] = {"",      "alloc_objects", "count", "alloc_space",
	                                "bytes", "inuse_space",   "f"};
	static const uint64_t f1[] = {1}, l1[] = {1};
	const int64_t v[] = {3, 300, 100};
	struct pf_arena a;
	struct pf_err err;
	for (int with_default = 0; with_default < 2; with_default++) {
		struct pf_buf b;
		pf_buf_init(&b, 0);
		vtype(&b, 1, 1, 2);
		vtype(&b, 1, 3, 4);
		vtype(&b, 1, 5, 4);
		if (with_default)
			pf_pbw_uint(&b, 14, 3);
		func(&b, 1, 6);
		loc(&b, 1, 0, f1, 1);
		sample(&b, l1, 1, v, 3, true, NULL, 0);
		strings(&b, s, 7);
		pf_arena_init(&a, 0);
		struct pf_profile *p = decode_ok(&b, &a);
		ck_assert_int_eq(pf_pprof_sample_index(p, NULL, &err), with_default ? 1 : 2);
		ck_assert_int_eq(pf_pprof_sample_index(p, "alloc_objects", &err), 0);
		ck_assert_int_eq(pf_pprof_sample_index(p, "2", &err), 2);
		ck_assert_int_eq(pf_pprof_sample_index(p, "nope", &err), -1);
		ck_assert_ptr_nonnull(strstr(err.msg, "alloc_objects, alloc_space, inuse_space"));
		ck_assert_int_eq(pf_pprof_count_index(p), -1);
		struct pf_functab *t;
		ck_assert_int_eq(pf_functab_build(p, 1, NULL, &a, &t, &err), PF_OK);
		ck_assert_int_eq(t->total_samples, -1);
		ck_assert_int_eq(t->rows[0].flat_samples, -1);
		pf_buf_free(&b);
		pf_arena_free(&a);
	}
}
END_TEST

/* --- malformed catalogue ------------------------------------------------ */

static void expect(const void *data, size_t len, const struct pf_pprof_limits *lim,
                   enum pf_code code, const char *substr)
{
	struct pf_arena a;
	struct pf_err err;
	struct pf_profile *p;
	pf_arena_init(&a, 0);
	memset(&err, 0, sizeof err);
	enum pf_code rc = pf_pprof_decode(data, len, lim, &a, &p, &err);
	ck_assert_msg(rc == code, "want %s got %s: %s", pf_code_name(code), pf_code_name(rc),
	              err.msg);
	ck_assert_msg(strstr(err.msg, substr), "message \"%s\" lacks \"%s\"", err.msg, substr);
	ck_assert_ptr_null(p);
	/* the streaming table fails the same way */
	struct pf_err e2;
	struct pf_functab *t;
	memset(&e2, 0, sizeof e2);
	ck_assert_int_eq(pf_pprof_functab(data, len, lim, NULL, &a, &t, &e2), code);
	ck_assert_str_eq(e2.msg, err.msg);
	ck_assert_ptr_null(t);
	pf_arena_free(&a);
}

static uint8_t *gzip_of(const void *data, size_t len, size_t *out_len)
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

/* A minimal valid prefix: one sample type; caller appends the rest. */
static void base(struct pf_buf *b)
{
	pf_buf_init(b, 0);
	vtype(b, 1, 1, 2);
}

static const char *const S3[] = {"", "cpu", "nanoseconds", "f"};

START_TEST(malformed_catalogue)
{
	struct pf_buf b;
	struct pf_pprof_limits lim = pf_pprof_limits_default();
	static const uint64_t f1[] = {1}, f9[] = {9}, l1[] = {1}, l42[] = {42};
	const int64_t v1[] = {5}, v2[] = {5, 6};

	/* 1 empty */
	expect("", 0, NULL, PF_E_EMPTY, "empty input");
	/* 2 neither gzip nor protobuf */
	expect("hello, world: not a profile", 27, NULL, PF_E_BAD_PROFILE, "not gzip");
	/* 3 truncated gzip */
	size_t n;
	uint8_t *gz = pf_test_read_fixture("cpu_base.pb.gz", &n);
	expect(gz, n / 2, NULL, PF_E_BAD_PROFILE, "truncated");
	free(gz);
	/* 4 gzip bomb: 64 MiB of zeros against a 1 MiB limit, stops early */
	{
		size_t big = (size_t)64 << 20, zl;
		uint8_t *zeros = calloc(1, big);
		uint8_t *bomb = gzip_of(zeros, big, &zl);
		free(zeros);
		struct pf_pprof_limits small = lim;
		small.max_bytes = (size_t)1 << 20;
		expect(bomb, zl, &small, PF_E_TOO_LARGE, "exceeds the limit of 1048576 bytes");
		struct pf_arena a;
		struct pf_err err;
		struct pf_profile *p;
		pf_arena_init(&a, 0);
		ck_assert_int_eq(pf_pprof_decode(bomb, zl, &small, &a, &p, &err), PF_E_TOO_LARGE);
		size_t at = 0, of = 0;
		const char *m = strstr(err.msg, "at input byte ");
		ck_assert_ptr_nonnull(m);
		ck_assert_int_eq(sscanf(m, "at input byte %zu of %zu", &at, &of), 2);
		ck_assert_uint_lt(at, of / 4); /* read well under the stream */
		pf_arena_free(&a);
		free(bomb);
	}
	/* 5 truncated varint (time_nanos) */
	expect("\x48\x80\x80", 3, NULL, PF_E_BAD_PROFILE, "truncated varint at byte 1");
	/* 6 over-long varint */
	expect("\x48\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 12, NULL, PF_E_BAD_PROFILE,
	       "over-long varint at byte 1");
	/* 7 wrong wire type: sample as a varint */
	expect("\x10\x01", 2, NULL, PF_E_BAD_PROFILE, "field 2 (sample) at byte 0 has wire type 0");
	/* 8 group wire type */
	expect("\x0b\x0c", 2, NULL, PF_E_BAD_PROFILE, "wire type 3 at byte 0");
	/* 9 huge length prefix */
	expect("\x32\xff\xff\xff\xff\x0f"
	       "abc",
	       9, NULL, PF_E_BAD_PROFILE, "declares 4294967295 bytes, only 3 remain");
	/* 10 string index out of range */
	base(&b);
	func(&b, 1, 99);
	strings(&b, S3, 4);
	expect(b.data, b.len, NULL, PF_E_BAD_PROFILE, "string index 99 out of range");
	pf_buf_free(&b);
	/* 11 duplicate function ids */
	base(&b);
	func(&b, 1, 3);
	func(&b, 1, 3);
	strings(&b, S3, 4);
	expect(b.data, b.len, NULL, PF_E_BAD_PROFILE, "function #1: duplicate function id 1");
	pf_buf_free(&b);
	/* 12 duplicate location ids */
	base(&b);
	func(&b, 1, 3);
	loc(&b, 7, 0, f1, 1);
	loc(&b, 7, 0, f1, 1);
	strings(&b, S3, 4);
	expect(b.data, b.len, NULL, PF_E_BAD_PROFILE, "duplicate location id 7");
	pf_buf_free(&b);
	/* 13 dangling location id */
	base(&b);
	func(&b, 1, 3);
	loc(&b, 1, 0, f1, 1);
	sample(&b, l42, 1, v1, 1, true, NULL, 0);
	strings(&b, S3, 4);
	expect(b.data, b.len, NULL, PF_E_BAD_PROFILE, "sample #0 at byte");
	expect(b.data, b.len, NULL, PF_E_BAD_PROFILE, "location id 42 does not exist");
	pf_buf_free(&b);
	/* 14 dangling function id */
	base(&b);
	func(&b, 1, 3);
	loc(&b, 1, 0, f9, 1);
	strings(&b, S3, 4);
	expect(b.data, b.len, NULL, PF_E_BAD_PROFILE, "references function id 9");
	pf_buf_free(&b);
	/* 15 value count mismatch */
	base(&b);
	func(&b, 1, 3);
	loc(&b, 1, 0, f1, 1);
	sample(&b, l1, 1, v2, 2, false, NULL, 0);
	strings(&b, S3, 4);
	expect(b.data, b.len, NULL, PF_E_BAD_PROFILE, "has 2 values, expected 1");
	pf_buf_free(&b);
	/* 16 location with id 0 */
	base(&b);
	func(&b, 1, 3);
	loc(&b, 0, 0, f1, 1);
	strings(&b, S3, 4);
	expect(b.data, b.len, NULL, PF_E_BAD_PROFILE, "location #0 has id 0");
	pf_buf_free(&b);
	/* 17 string_table[0] not empty, 18 no string table */
	{
		static const char *const bad[] = {"x", "cpu", "ns"};
		base(&b);
		strings(&b, bad, 3);
		expect(b.data, b.len, NULL, PF_E_BAD_PROFILE, "string_table[0] must be the empty");
		pf_buf_free(&b);
		base(&b);
		expect(b.data, b.len, NULL, PF_E_BAD_PROFILE, "no string_table");
		pf_buf_free(&b);
	}
	/* 19 concatenated profiles */
	expect("\x48\x01\x48\x02", 4, NULL, PF_E_BAD_PROFILE, "concatenated profiles");
	/* 20 samples without sample types */
	pf_buf_init(&b, 0);
	sample(&b, l1, 0, v1, 0, true, NULL, 0);
	strings(&b, S3, 1);
	expect(b.data, b.len, NULL, PF_E_BAD_PROFILE, "1 samples but no sample_type");
	pf_buf_free(&b);
	/* 21 a broken sample message: packed run ends inside a varint */
	base(&b);
	pf_pbw_bytes(&b, 2, "\x0a\x02\x01\x80", 4);
	strings(&b, S3, 4);
	expect(b.data, b.len, NULL, PF_E_BAD_PROFILE, "sample #0 at byte 8: truncated varint");
	pf_buf_free(&b);
	/* 22 10^6 tiny samples over the count limit */
	{
		struct pf_pprof_limits l2 = lim;
		l2.max_samples = 999999;
		pf_buf_init(&b, 0);
		for (int i = 0; i < 1000000; i++)
			pf_buf_append(&b, "\x12\x00", 2);
		strings(&b, S3, 1);
		expect(b.data, b.len, &l2, PF_E_LIMIT, "more than 999999 samples");
		pf_buf_free(&b);
	}
	/* 23 zero total: decodes, but the function table refuses it */
	{
		const int64_t z[] = {0};
		struct pf_arena a;
		struct pf_err err;
		struct pf_functab *t;
		base(&b);
		func(&b, 1, 3);
		loc(&b, 1, 0, f1, 1);
		sample(&b, l1, 1, z, 1, true, NULL, 0);
		strings(&b, S3, 4);
		pf_arena_init(&a, 0);
		struct pf_profile *p = decode_ok(&b, &a);
		ck_assert_int_eq(pf_functab_build(p, 0, NULL, &a, &t, &err), PF_E_EMPTY);
		ck_assert_ptr_nonnull(strstr(err.msg, "total 0"));
		pf_arena_free(&a);
		pf_buf_free(&b);
	}
	/* 24 arena ceiling: out of memory, not a crash */
	{
		struct pf_arena a;
		struct pf_err err;
		struct pf_profile *p;
		gz = pf_test_read_fixture("cpu_base.pb.gz", &n);
		pf_arena_init(&a, 64 * 1024);
		ck_assert_int_eq(pf_pprof_decode(gz, n, NULL, &a, &p, &err), PF_E_NOMEM);
		pf_arena_free(&a);
		free(gz);
	}
	/* 25 raw input over the byte limit */
	{
		struct pf_pprof_limits l3 = lim;
		l3.max_bytes = 4;
		expect("\x48\x01\x50\x01\x60\x01", 6, &l3, PF_E_TOO_LARGE, "exceeds the limit");
	}
}
END_TEST

/* --- fixtures: gzip and raw decode, merge, diff vs the pair files ------- */

static struct pf_functab *fixture_table(const char *name, const char *si, struct pf_arena *a)
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

START_TEST(merge_sums_tables)
{
	struct pf_arena a;
	struct pf_err err;
	struct pf_functab *m;
	pf_arena_init(&a, 0);
	struct pf_functab *t1 = fixture_table("cpu_noise1.pb.gz", "cpu", &a);
	struct pf_functab *t2 = fixture_table("cpu_noise2.pb.gz", "cpu", &a);
	const struct pf_functab *tabs[] = {t1, t2};
	ck_assert_int_eq(pf_functab_merge(tabs, 2, &a, &m, &err), PF_OK);
	ck_assert_int_eq(m->total, t1->total + t2->total);
	ck_assert_int_eq(m->total_samples, t1->total_samples + t2->total_samples);
	const char *fn = "example.com/ledger/internal/fx.(*Table).lookup";
	ck_assert_int_eq(row(m, fn)->flat, row(t1, fn)->flat + row(t2, fn)->flat);
	ck_assert_int_eq(row(m, fn)->flat_samples,
	                 row(t1, fn)->flat_samples + row(t2, fn)->flat_samples);
	for (size_t i = 1; i < m->n_rows; i++)
		ck_assert_int_ge(llabs(m->rows[i - 1].flat), llabs(m->rows[i].flat));
	/* a heap table has no sample counts: the merge keeps them unknown */
	struct pf_functab *h1 = fixture_table("heap_noise1.pb.gz", "alloc_space", &a);
	const struct pf_functab *mixed[] = {h1, h1};
	ck_assert_int_eq(pf_functab_merge(mixed, 2, &a, &m, &err), PF_OK);
	ck_assert_int_eq(m->total_samples, -1);
	ck_assert_int_eq(m->rows[0].flat, 2 * h1->rows[0].flat);
	const struct pf_functab *bad[] = {t1, h1};
	ck_assert_int_eq(pf_functab_merge(bad, 2, &a, &m, &err), PF_E_BAD_REQUEST);
	pf_arena_free(&a);
}
END_TEST

static void check_pair(const char *pair_json, const char *section, const char *bfile,
                       const char *cfile)
{
	struct pf_arena a;
	struct pf_err err;
	struct pf_profdiff *d;
	json_error_t je;
	char *path = pf_test_fixture_path(pair_json);
	json_t *ref = json_load_file(path, 0, &je);
	free(path);
	ck_assert_ptr_nonnull(ref);
	json_t *sec = json_object_get(ref, section);
	pf_arena_init(&a, 0);
	struct pf_functab *tb = fixture_table(bfile, section, &a);
	struct pf_functab *tc = fixture_table(cfile, section, &a);
	ck_assert_int_eq(pf_profdiff_build(tb, tc, &a, &d, &err), PF_OK);
	ck_assert_int_eq(d->base_total, json_integer_value(json_object_get(sec, "base_total")));
	ck_assert_int_eq(d->cand_total, json_integer_value(json_object_get(sec, "cand_total")));
	json_t *fns = json_object_get(sec, "functions");
	ck_assert_uint_eq(d->n_rows, json_array_size(fns));
	json_t *tested = json_object_get(sec, "functions_tested");
	if (tested)
		ck_assert_uint_eq(d->n_tests, (size_t)json_integer_value(tested));
	else
		ck_assert_uint_eq(d->n_tests, 0);
	size_t i;
	json_t *f;
	json_array_foreach(fns, i, f)
	{
		const char *name = json_string_value(json_object_get(f, "name"));
		const struct pf_profdiff_row *r = NULL;
		for (size_t k = 0; k < d->n_rows && !r; k++)
			if (strcmp(d->rows[k].name, name) == 0)
				r = &d->rows[k];
		ck_assert_msg(r != NULL, "%s missing", name);
		ck_assert_int_eq(r->base_flat, json_integer_value(json_object_get(f, "base_flat")));
		ck_assert_int_eq(r->cand_flat, json_integer_value(json_object_get(f, "cand_flat")));
		ck_assert_int_eq(r->base_cum, json_integer_value(json_object_get(f, "base_cum")));
		ck_assert_int_eq(r->cand_cum, json_integer_value(json_object_get(f, "cand_cum")));
		double dp = json_number_value(json_object_get(f, "delta_flat_pts"));
		ck_assert_msg(fabs(r->delta_pts - dp) < 1e-4, "%s delta %f vs %f", name,
		              r->delta_pts, dp);
		json_t *z = json_object_get(f, "flat_share_z");
		if (z) {
			ck_assert_msg(fabs(r->z - json_number_value(z)) < 1e-4, "%s z %f vs %f",
			              name, r->z, json_number_value(z));
			double pr = json_number_value(json_object_get(f, "flat_share_p_two_sided"));
			ck_assert_msg(fabs(r->p_value - pr) <= 1e-5 * pr + 1e-300, "%s p %g vs %g",
			              name, r->p_value, pr);
		} else {
			ck_assert(isnan(r->p_value));
		}
	}
	json_t *j = pf_profdiff_json(d, 0);
	ck_assert_ptr_nonnull(j);
	json_t *j0 = json_array_get(json_object_get(j, "functions"), 0);
	ck_assert(tested ? json_is_real(json_object_get(j0, "p_value"))
	                 : json_is_null(json_object_get(j0, "p_value")));
	json_decref(j);
	json_decref(ref);
	pf_arena_free(&a);
}

START_TEST(diff_matches_pair_files)
{
	check_pair("reference/pair_cpu_base_cand.json", "cpu", "cpu_base.pb.gz", "cpu_cand.pb.gz");
	check_pair("reference/pair_cpu_noise.json", "cpu", "cpu_noise1.pb.gz", "cpu_noise2.pb.gz");
	const char *heap[] = {"alloc_space", "inuse_space", "alloc_objects", "inuse_objects"};
	for (size_t i = 0; i < 4; i++) {
		check_pair("reference/pair_heap_base_cand.json", heap[i], "heap_base.pb.gz",
		           "heap_cand.pb.gz");
		check_pair("reference/pair_heap_noise.json", heap[i], "heap_noise1.pb.gz",
		           "heap_noise2.pb.gz");
	}
}
END_TEST

START_TEST(gzip_and_raw_decode_alike)
{
	size_t n;
	struct pf_buf raw;
	struct pf_err err;
	struct pf_arena a;
	struct pf_profile *p1, *p2;
	uint8_t *gz = pf_test_read_fixture("heap_base.pb.gz", &n);
	pf_buf_init(&raw, 0);
	ck_assert_int_eq(pf_gunzip(gz, n, SIZE_MAX, &raw, NULL, &err), PF_OK);
	pf_arena_init(&a, 0);
	ck_assert_int_eq(pf_pprof_decode(gz, n, NULL, &a, &p1, &err), PF_OK);
	ck_assert_int_eq(pf_pprof_decode((uint8_t *)raw.data, raw.len, NULL, &a, &p2, &err), PF_OK);
	ck_assert_uint_eq(p1->n_samples, p2->n_samples);
	ck_assert_uint_eq(p1->decoded_bytes, raw.len);
	ck_assert_uint_eq(p1->n_types, 4);
	ck_assert_str_eq(p1->types[1].type, "alloc_space");
	ck_assert_str_eq(p1->period_type.type, "space");
	ck_assert_int_eq(p1->period, 4096);
	/* heap samples carry the numeric label bytes */
	size_t labelled = 0;
	for (size_t i = 0; i < p1->n_samples; i++)
		if (p1->samples[i].n_labels == 1 &&
		    !strcmp(p1->samples[i].labels[0].key, "bytes") &&
		    !p1->samples[i].labels[0].str && p1->samples[i].labels[0].num > 0)
			labelled++;
	ck_assert_uint_gt(labelled, p1->n_samples / 2);
	pf_buf_free(&raw);
	free(gz);
	pf_arena_free(&a);
}
END_TEST

START_TEST(speedscope_document)
{
	struct pf_buf b;
	struct pf_arena a;
	struct pf_err err;
	json_t *doc;
	example(&b, false);
	pf_arena_init(&a, 0);
	struct pf_profile *p = decode_ok(&b, &a);
	ck_assert_int_eq(pf_speedscope_json(p, 1, "ex.pb", &doc, &err), PF_OK);
	ck_assert_str_eq(json_string_value(json_object_get(doc, "$schema")),
	                 "https://www.speedscope.app/file-format-schema.json");
	json_t *frames = json_object_get(json_object_get(doc, "shared"), "frames");
	json_t *prof = json_array_get(json_object_get(doc, "profiles"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(prof, "unit")), "nanoseconds");
	ck_assert_int_eq(json_integer_value(json_object_get(prof, "endValue")), 35);
	json_t *s0 = json_array_get(json_object_get(prof, "samples"), 0);
	/* root first, inlined callee after its caller: main a b inl */
	const char *want[] = {"main", "a", "b", "inl"};
	ck_assert_uint_eq(json_array_size(s0), 4);
	for (size_t i = 0; i < 4; i++) {
		json_t *fr =
		        json_array_get(frames, (size_t)json_integer_value(json_array_get(s0, i)));
		ck_assert_str_eq(json_string_value(json_object_get(fr, "name")), want[i]);
	}
	ck_assert_uint_eq(json_array_size(frames), 4); /* shared, deduplicated */
	json_decref(doc);
	/* every sample type: two profiles, active = the default (last) */
	ck_assert_int_eq(pf_speedscope_json(p, -1, "ex.pb", &doc, &err), PF_OK);
	ck_assert_uint_eq(json_array_size(json_object_get(doc, "profiles")), 2);
	ck_assert_int_eq(json_integer_value(json_object_get(doc, "activeProfileIndex")), 1);
	prof = json_array_get(json_object_get(doc, "profiles"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(prof, "unit")), "none");
	json_decref(doc);
	pf_buf_free(&b);
	/* negative weights are refused */
	example(&b, true);
	p = decode_ok(&b, &a);
	ck_assert_int_eq(pf_speedscope_json(p, 1, "x", &doc, &err), PF_E_UNPROCESSABLE);
	ck_assert_ptr_nonnull(strstr(err.msg, "negative"));
	pf_buf_free(&b);
	pf_arena_free(&a);
}
END_TEST

START_TEST(functab_json_shape)
{
	struct pf_arena a;
	pf_arena_init(&a, 0);
	struct pf_functab *t = fixture_table("heap_base.pb.gz", "alloc_space", &a);
	json_t *j = pf_functab_json(t, 3);
	ck_assert_str_eq(json_string_value(json_object_get(j, "sample_index")), "alloc_space");
	ck_assert_str_eq(json_string_value(json_object_get(j, "unit")), "bytes");
	ck_assert_int_eq(json_integer_value(json_object_get(j, "total")), 409960256);
	json_t *fns = json_object_get(j, "functions");
	ck_assert_uint_eq(json_array_size(fns), 3);
	json_t *f0 = json_array_get(fns, 0);
	ck_assert_str_eq(json_string_value(json_object_get(f0, "name")),
	                 "example.com/ledger/internal/journal.(*parser).node");
	ck_assert(json_is_true(json_object_get(f0, "inline")));
	ck_assert_int_eq(json_integer_value(json_object_get(f0, "flat")), 136096656);
	ck_assert(fabs(json_real_value(json_object_get(f0, "flat_pct")) - 33.1975) < 1e-3);
	json_decref(j);
	/* invalid UTF-8 becomes U+FFFD instead of a missing string */
	j = pf_json_text("a\xff"
	                 "b");
	ck_assert_str_eq(json_string_value(j), "a\xef\xbf\xbd"
	                                       "b");
	json_decref(j);
	pf_arena_free(&a);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("pprof");
	TCase *tc = tcase_create("engine");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, worked_example_recursion_inlining);
	tcase_add_test(tc, empty_names_zero_and_negative_values);
	tcase_add_test(tc, default_sample_type_selects);
	tcase_add_test(tc, malformed_catalogue);
	tcase_add_test(tc, merge_sums_tables);
	tcase_add_test(tc, diff_matches_pair_files);
	tcase_add_test(tc, gzip_and_raw_decode_alike);
	tcase_add_test(tc, speedscope_document);
	tcase_add_test(tc, functab_json_shape);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
