/* test_pprof_stream.c: the streaming table (pf_pprof_functab, read by
 * one thread and by two) against decode + build: the fixtures as they are
 * and with protobuf-c forced, every sample index, cut prefixes (the same
 * error), random profiles with torn and odd samples on either side of the
 * split, inline/plain call pairs. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "functab.h"
#include "gunzip.h"
#include "pprof.h"
#include "pprof_test.h"
#include "pprof_wire.h"
#include "testutil.h"

static uint64_t xs64(uint64_t *r)
{
	*r ^= *r << 13;
	*r ^= *r >> 7;
	*r ^= *r << 17;
	return *r;
}

/* A random profile: functions with empty names, locations of 0-3 lines
 * (some ids past the dense range), recursion, zero and negative values,
 * labels, an optional count column; sample #torn (-1: none) with a
 * location id that does not exist in the middle of its stack, sample #odd
 * (-1: none) with an unknown field (the fast readers decline it). */
static void random_profile(struct pf_buf *b, unsigned seed, bool counted, int torn, int odd)
{
	struct pf_buf m, l;
	uint64_t r = (uint64_t)seed * 2654435761u + 1;
#define RND() xs64(&r)
	enum { NF = 40, NL = 150 };
	uint64_t locid[NL];
	pf_buf_init(b, 0);
	if (counted)
		vtype(b, 1, 1, 2);
	vtype(b, 1, 3, 4);
	pf_buf_init(&m, 0);
	pf_pbw_uint(&m, 1, 7);
	pf_pbw_uint(&m, 5, 5);
	pf_pbw_msg(b, 3, &m);
	pf_buf_free(&m);
	for (uint64_t f = 1; f <= NF; f++) {
		pf_buf_init(&m, 0);
		pf_pbw_uint(&m, 1, f);
		pf_pbw_uint(&m, 2, f % 9 == 0 ? 0 : 6 + f % 30);
		pf_pbw_msg(b, 5, &m);
		pf_buf_free(&m);
	}
	for (int i = 0; i < NL; i++) {
		locid[i] = i % 17 == 5 ? ((uint64_t)1 << 40) + (uint64_t)i : (uint64_t)i + 1;
		pf_buf_init(&m, 0);
		pf_pbw_uint(&m, 1, locid[i]);
		if (i % 3)
			pf_pbw_uint(&m, 2, 7);
		unsigned nl = (unsigned)(RND() % 7);
		nl = nl > 3 ? 1 : nl;
		for (unsigned j = 0; j < nl; j++) {
			pf_buf_init(&l, 0);
			pf_pbw_uint(&l, 1, 1 + RND() % NF);
			pf_pbw_msg(&m, 4, &l);
			pf_buf_free(&l);
		}
		pf_pbw_msg(b, 4, &m);
		pf_buf_free(&m);
	}
	for (int s = 0; s < 400; s++) {
		uint64_t st[24], v[2];
		size_t depth = RND() % 24;
		for (size_t d = 0; d < depth; d++)
			st[d] = locid[RND() % (d > 2 && RND() % 4 == 0 ? 8 : NL)];
		if (s == torn && depth > 3)
			st[3] = 77777; /* after frames were added: a torn sample */
		v[0] = 1 + RND() % 3;
		v[1] = RND() % 9 == 0 ? 0 : (uint64_t)((int64_t)(RND() % 1000) - 100);
		pf_buf_init(&m, 0);
		pf_pbw_packed(&m, 1, st, depth);
		pf_pbw_packed(&m, 2, counted ? v : v + 1, counted ? 2 : 1);
		if (s % 5 == 0) {
			pf_buf_init(&l, 0);
			pf_pbw_uint(&l, 1, 6);
			pf_pbw_uint(&l, 2, 7 + s % 3);
			pf_pbw_msg(&m, 3, &l);
			pf_buf_free(&l);
		}
		if (s == odd)
			pf_pbw_uint(&m, 15, 0);
		pf_pbw_msg(b, 2, &m);
		pf_buf_free(&m);
	}
#undef RND
	pf_pbw_str(b, 6, "");
	pf_pbw_str(b, 6, "samples");
	pf_pbw_str(b, 6, "count");
	pf_pbw_str(b, 6, "cpu");
	pf_pbw_str(b, 6, "nanoseconds");
	pf_pbw_str(b, 6, "/bin/app");
	for (int i = 6; i < 40; i++) {
		char nm[32];
		snprintf(nm, sizeof nm, "pkg.F%d", i);
		pf_pbw_str(b, 6, nm);
	}
	ck_assert_int_eq(pf_buf_status(b), PF_OK);
}

/* pf_pprof_functab against decode + index + build on bytes. */
static enum pf_code stream_vs_model(const uint8_t *data, size_t len, const char *index)
{
	struct pf_arena a;
	struct pf_err e1, e2;
	struct pf_profile *p;
	struct pf_functab *x = NULL, *y = NULL;
	enum pf_code r1, r2;
	pf_arena_init(&a, 0);
	memset(&e1, 0, sizeof e1);
	memset(&e2, 0, sizeof e2);
	r1 = pf_pprof_decode(data, len, NULL, &a, &p, &e1);
	if (r1 == PF_OK) {
		int i = index ? pf_pprof_sample_index(p, index, &e1) : pf_pprof_gate_index(p);
		if (i < 0)
			r1 = index ? e1.code
			           : pf_err_set(&e1, PF_E_BAD_PROFILE, NULL,
			                        "profile has no sample types");
		else
			r1 = pf_functab_build(p, i, NULL, &a, &x, &e1);
	}
	/* one thread, then two wherever there are samples to split */
	struct pf_pprof_limits lim[2] = {pf_pprof_limits_default(), pf_pprof_limits_default()};
	lim[0].split_bytes = 0;
	lim[1].split_bytes = 1;
	for (int k = 0; k < 2; k++) {
		memset(&e2, 0, sizeof e2);
		r2 = pf_pprof_functab(data, len, &lim[k], index, &a, &y, &e2);
		ck_assert_int_eq(r1, r2);
		ck_assert_str_eq(e1.msg, e2.msg);
		if (r1 == PF_OK) {
			ck_assert_str_eq(x->sample_index, y->sample_index);
			ck_assert_str_eq(x->unit, y->unit);
			same_table(x, y);
		}
	}
	pf_arena_free(&a);
	return r1;
}

START_TEST(stream_matches_decode_build)
{
	static const char *const idx[] = {NULL,  "0",           "1",           "2",   "3",
	                                  "cpu", "alloc_space", "inuse_space", "nope"};
	for (size_t f = 0; f < PT_N_FIX; f++) {
		size_t n;
		struct pf_buf raw, slow;
		uint8_t *gz = pf_test_read_fixture(pt_fixture(f), &n);
		pf_buf_init(&raw, 0);
		struct pf_err err;
		ck_assert_int_eq(pf_gunzip(gz, n, SIZE_MAX, &raw, NULL, &err), PF_OK);
		add_unknown_field(&raw, 2, &slow);
		for (size_t k = 0; k < sizeof idx / sizeof idx[0]; k++) {
			enum pf_code rc = stream_vs_model(gz, n, idx[k]);
			ck_assert(k > 0 || rc == PF_OK);
			stream_vs_model((const uint8_t *)slow.data, slow.len, idx[k]);
		}
		/* every prefix cut of a small part: the same error or table */
		for (size_t cut = 0; cut < raw.len && cut < 3000; cut += 37)
			stream_vs_model((const uint8_t *)raw.data, raw.len - cut, NULL);
		pf_buf_free(&raw);
		pf_buf_free(&slow);
		free(gz);
	}
	for (unsigned seed = 1; seed <= 40; seed++) {
		struct pf_buf b;
		random_profile(&b, seed, seed % 2, -1, -1);
		ck_assert_int_eq(stream_vs_model((const uint8_t *)b.data, b.len, NULL), PF_OK);
		stream_vs_model((const uint8_t *)b.data, b.len, "0");
		stream_vs_model((const uint8_t *)b.data, b.len, "samples");
		pf_buf_free(&b);
		/* torn or odd samples early (before the split), in the middle,
		 * late (in the second thread's half), or both */
		static const int at[][2] = {{200, -1}, {20, -1},   {380, -1}, {-1, 300},
		                            {-1, 30},  {350, 300}, {300, 350}};
		for (size_t k = 0; k < sizeof at / sizeof at[0]; k++) {
			random_profile(&b, seed, seed % 2, at[k][0], at[k][1]);
			stream_vs_model((const uint8_t *)b.data, b.len, NULL);
			pf_buf_free(&b);
		}
	}
	for (int plain = 0; plain < 2; plain++) {
		struct pf_buf b;
		mixed_profile(&b, plain);
		stream_vs_model((const uint8_t *)b.data, b.len, NULL);
		pf_buf_free(&b);
	}
}
END_TEST

int main(void)
{
	const TTest *const tests[] = {stream_matches_decode_build};
	return pt_run("pprof_stream", tests, sizeof tests / sizeof tests[0]);
}
