/* test_common.c: unit tests of server/common: error table, arena, bounded
 * buffers, bounded gunzip, strict parsing. */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "arena.h"
#include "buf.h"
#include "gunzip.h"
#include "parse.h"
#include "pf_err.h"
#include "pftest_run.h"

START_TEST(err_table_names_and_statuses)
{
	ck_assert_str_eq(pf_code_name(PF_OK), "ok");
	ck_assert_str_eq(pf_code_name(PF_E_BAD_PROFILE), "bad_profile");
	ck_assert_int_eq(pf_code_http_status(PF_E_BAD_PROFILE), 400);
	ck_assert_int_eq(pf_code_http_status(PF_E_TOO_LARGE), 413);
	ck_assert_int_eq(pf_code_http_status(PF_E_UNAUTHORIZED), 401);
	ck_assert_int_eq(pf_code_http_status(PF_E_FORBIDDEN), 403);
	ck_assert_int_eq(pf_code_http_status(PF_E_METHOD), 405);
	ck_assert_int_eq(pf_code_http_status(PF_E_MEDIA_TYPE), 415);
	ck_assert_int_eq(pf_code_http_status(PF_E_UNAVAILABLE), 503);
	ck_assert_int_eq(pf_code_http_status((enum pf_code)999), 500);
	ck_assert_str_eq(pf_code_name((enum pf_code)999), "internal");
	ck_assert(pf_code_is_client(PF_E_NOT_FOUND));
	ck_assert(!pf_code_is_client(PF_E_UNAVAILABLE));
	/* every code has a distinct name */
	for (int i = 0; i < PF_E__COUNT; i++)
		for (int j = i + 1; j < PF_E__COUNT; j++)
			ck_assert_str_ne(pf_code_name((enum pf_code)i),
			                 pf_code_name((enum pf_code)j));
}
END_TEST

START_TEST(err_set_and_prefix)
{
	struct pf_err e;
	ck_assert_int_eq(pf_err_set(&e, PF_E_BAD_BENCH, "bench", "line %d: bad", 7),
	                 PF_E_BAD_BENCH);
	ck_assert_str_eq(e.field, "bench");
	ck_assert_str_eq(e.msg, "line 7: bad");
	pf_err_prefix(&e, "bench");
	ck_assert_str_eq(e.msg, "bench: line 7: bad");
	ck_assert_int_eq(pf_err_set(NULL, PF_E_IO, NULL, "x"), PF_E_IO);
}
END_TEST

START_TEST(arena_allocates_and_respects_limit)
{
	struct pf_arena a;
	pf_arena_init(&a, 64 * 1024);
	char *s = pf_arena_strdup(&a, "hello");
	ck_assert_str_eq(s, "hello");
	ck_assert_str_eq(pf_arena_printf(&a, "%d-%s", 42, "x"), "42-x");
	int *v = pf_arena_calloc(&a, 100, sizeof *v);
	for (int i = 0; i < 100; i++)
		ck_assert_int_eq(v[i], 0);
	ck_assert_ptr_eq(pf_arena_alloc(&a, 1 << 20), NULL);
	ck_assert(a.failed);
	ck_assert_ptr_eq(pf_arena_calloc(&a, SIZE_MAX / 2, 4), NULL);
	pf_arena_free(&a);
}
END_TEST

START_TEST(buf_ceiling_is_sticky)
{
	struct pf_buf b;
	pf_buf_init(&b, 10);
	ck_assert_int_eq(pf_buf_puts(&b, "12345"), PF_OK);
	ck_assert_int_eq(pf_buf_printf(&b, "%d", 6789), PF_OK);
	ck_assert_str_eq(b.data, "123456789");
	ck_assert_int_eq(pf_buf_puts(&b, "ab"), PF_E_TOO_LARGE);
	ck_assert_int_eq(pf_buf_puts(&b, ""), PF_E_TOO_LARGE);
	ck_assert_int_eq(pf_buf_status(&b), PF_E_TOO_LARGE);
	pf_buf_reset(&b);
	ck_assert_int_eq(pf_buf_puts(&b, "ok"), PF_OK);
	ck_assert_uint_eq(b.len, 2);
	pf_buf_free(&b);
}
END_TEST

static unsigned char *gz(const void *data, size_t n, size_t *out_n)
{
	z_stream zs;
	size_t cap = compressBound(n) + 64;
	unsigned char *out = malloc(cap);
	memset(&zs, 0, sizeof zs);
	ck_assert_int_eq(deflateInit2(&zs, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY),
	                 Z_OK);
	zs.next_in = (unsigned char *)(uintptr_t)data;
	zs.avail_in = (uInt)n;
	zs.next_out = out;
	zs.avail_out = (uInt)cap;
	ck_assert_int_eq(deflate(&zs, Z_FINISH), Z_STREAM_END);
	*out_n = zs.total_out;
	deflateEnd(&zs);
	return out;
}

START_TEST(gunzip_roundtrip_truncation_and_bomb)
{
	size_t n, plain_n = 1 << 20;
	char *plain = calloc(1, plain_n); /* 1 MiB of zeros compresses ~1000x */
	unsigned char *z = gz(plain, plain_n, &n);
	struct pf_buf out;
	struct pf_err e;

	ck_assert(pf_is_gzip(z, n));
	ck_assert(!pf_is_gzip((const uint8_t *)"ab", 2));
	pf_buf_init(&out, 0);
	ck_assert_int_eq(pf_gunzip(z, n, plain_n, &out, "cpu", &e), PF_OK);
	ck_assert_uint_eq(out.len, plain_n);
	pf_buf_reset(&out);
	/* bomb: limit smaller than the output */
	ck_assert_int_eq(pf_gunzip(z, n, 4096, &out, "cpu", &e), PF_E_TOO_LARGE);
	ck_assert_str_eq(e.field, "cpu");
	ck_assert_ptr_ne(strstr(e.msg, "exceeds the limit"), NULL);
	ck_assert_uint_le(out.len, 4096);
	pf_buf_reset(&out);
	/* truncated */
	ck_assert_int_eq(pf_gunzip(z, n / 2, plain_n, &out, "cpu", &e), PF_E_BAD_PROFILE);
	ck_assert_ptr_ne(strstr(e.msg, "truncated"), NULL);
	pf_buf_reset(&out);
	/* corrupt body */
	z[n / 2] ^= 0xff;
	z[n / 2 + 1] ^= 0xff;
	ck_assert_int_eq(pf_gunzip(z, n, plain_n, &out, "cpu", &e), PF_E_BAD_PROFILE);
	pf_buf_free(&out);
	free(z);
	free(plain);
}
END_TEST

START_TEST(parse_strict)
{
	int64_t i;
	uint64_t u;
	double d;
	bool b;
	ck_assert(pf_parse_i64("-42", &i) && i == -42);
	ck_assert(!pf_parse_i64("42x", &i));
	ck_assert(!pf_parse_i64("", &i));
	ck_assert(!pf_parse_i64("99999999999999999999", &i));
	ck_assert(pf_parse_u64("7", &u) && u == 7);
	ck_assert(!pf_parse_u64("-7", &u));
	ck_assert(pf_parse_double("0.05", &d) && d == 0.05);
	ck_assert(!pf_parse_double("nan", &d));
	ck_assert(!pf_parse_double("inf", &d));
	ck_assert(!pf_parse_double("1e999", &d));
	ck_assert(!pf_parse_double("5%", &d));
	ck_assert(pf_parse_bool("TRUE", &b) && b);
	ck_assert(pf_parse_bool("off", &b) && !b);
	ck_assert(!pf_parse_bool("maybe", &b));
}
END_TEST

static Suite *common_suite(void)
{
	Suite *s = suite_create("common");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, err_table_names_and_statuses);
	tcase_add_test(tc, err_set_and_prefix);
	tcase_add_test(tc, arena_allocates_and_respects_limit);
	tcase_add_test(tc, buf_ceiling_is_sticky);
	tcase_add_test(tc, gunzip_roundtrip_truncation_and_bomb);
	tcase_add_test(tc, parse_strict);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return pft_run_suite(common_suite());
}
