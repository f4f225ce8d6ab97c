/* test_pprof_malformed.c: the malformed-input catalogue. Each broken
 * profile must fail pf_pprof_decode with its code and a message naming
 * what and where, and pf_pprof_functab (the daemon's path) the same way. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "functab.h"
#include "pprof.h"
#include "pprof_test.h"
#include "testutil.h"

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
	/* 2b a legacy text profile (debug=1, the compiler's -memprofile) */
	expect("heap profile: 14294: 13478680 [64722: 75191272] @ heap/1048576\n", 63, NULL,
	       PF_E_BAD_PROFILE, "a legacy text profile ('heap profile'), not the protobuf format");
	/* 3 truncated gzip */
	size_t n;
	uint8_t *gz = pf_test_read_fixture("cpu_base.pb.gz", &n);
	expect(gz, n / 2, NULL, PF_E_BAD_PROFILE, "truncated");
	free(gz);
	/* 4 gzip bomb: 64 MiB of zeros against a 1 MiB limit, stops early */
	{
		size_t big = (size_t)64 << 20, zl;
		uint8_t *zeros = calloc(1, big);
		uint8_t *bomb = pt_gzip(zeros, big, &zl);
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
	/* 26-29 unpacked samples (Go writes CPU values so), read by the fast
	 * path: a dangling id, a truncated element, a wrong wire type, a
	 * value element cut off at the end of the message */
	base(&b);
	func(&b, 1, 3);
	loc(&b, 1, 0, f1, 1);
	sample(&b, l42, 1, v1, 1, false, NULL, 0);
	strings(&b, S3, 4);
	expect(b.data, b.len, NULL, PF_E_BAD_PROFILE, "location id 42 does not exist");
	pf_buf_free(&b);
	static const struct {
		const char *body;
		size_t len;
		const char *msg;
	} unpacked[] = {
	        {"\x08\x01\x08\x80", 4, "sample #0 at byte 29: truncated varint at byte 32"},
	        {"\x08\x01\x0d\x01\x00\x00\x00\x10\x05", 9,
	         "sample #0 at byte 29: field 1 at byte 31 has wire type 5, expected 0 (varint)"},
	        {"\x08\x01\x10", 3, "sample #0 at byte 29: truncated varint at byte 32"},
	};
	for (size_t i = 0; i < sizeof unpacked / sizeof unpacked[0]; i++) {
		base(&b);
		func(&b, 1, 3);
		loc(&b, 1, 0, f1, 1);
		pf_pbw_bytes(&b, 2, unpacked[i].body, unpacked[i].len);
		strings(&b, S3, 4);
		expect(b.data, b.len, NULL, PF_E_BAD_PROFILE, unpacked[i].msg);
		pf_buf_free(&b);
	}
}
END_TEST

int main(void)
{
	const TTest *const tests[] = {malformed_catalogue};
	return pt_run("pprof_malformed", tests, sizeof tests / sizeof tests[0]);
}
