/* test_pprof_paths.c: the fast paths agree with the general ones on every
 * fixture profile. Decode: the direct Sample and Location readers
 * (pprof_sample.c) against protobuf-c, forced by an unknown field appended
 * to every such message. Function tables: the walk without an edge table
 * (functab_fast.c, edge_fraction 0) against the edge-table walk with an
 * edge fraction too small to cut anything; for single tables, diffs, and
 * -noinlines. The streaming table (pf_pprof_functab, one thread and two)
 * against decode + build on the fixtures, their cut prefixes and random
 * profiles. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "functab.h"
#include "gunzip.h"
#include "pprof.h"
#include "pprof_int.h"
#include "pprof_wire.h"
#include "testutil.h"

static const char *const fixtures[] = {
        "cpu_base.pb.gz",  "cpu_cand.pb.gz",  "cpu_noise1.pb.gz",  "cpu_noise2.pb.gz",
        "heap_base.pb.gz", "heap_cand.pb.gz", "heap_noise1.pb.gz", "heap_noise2.pb.gz",
};
#define N_FIX (sizeof fixtures / sizeof fixtures[0])

static struct pf_profile *load(const char *name, struct pf_arena *a, struct pf_buf *raw)
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
static void add_unknown_field(const struct pf_buf *raw, uint64_t field, struct pf_buf *out)
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

/* Fixture f decoded as it is (*p) and with an unknown field appended to
 * every message of top-level field `field` (*q: protobuf-c's path). */
static void decode_both(size_t f, uint64_t field, struct pf_arena *a, struct pf_profile **p,
                        struct pf_profile **q)
{
	struct pf_buf raw, slow;
	struct pf_err err;
	*p = load(fixtures[f], a, &raw);
	add_unknown_field(&raw, field, &slow);
	ck_assert_int_eq(pf_pprof_decode((const uint8_t *)slow.data, slow.len, NULL, a, q, &err),
	                 PF_OK);
	pf_buf_free(&raw);
	pf_buf_free(&slow);
}

START_TEST(sample_reader_matches_protobuf_c)
{
	for (size_t f = 0; f < N_FIX; f++) {
		struct pf_arena a;
		struct pf_profile *p, *q;
		pf_arena_init(&a, 0);
		decode_both(f, 2, &a, &p, &q);
		ck_assert_uint_eq(p->n_samples, q->n_samples);
		ck_assert_uint_gt(p->n_samples, 0);
		for (size_t i = 0; i < p->n_samples; i++) {
			const struct pf_pprof_sample *s = &p->samples[i], *t = &q->samples[i];
			ck_assert_uint_eq(s->n_locs, t->n_locs);
			for (uint32_t j = 0; j < s->n_locs; j++)
				ck_assert_uint_eq(pf_pprof_sample_loc(p, s, j),
				                  pf_pprof_sample_loc(q, t, j));
			ck_assert_mem_eq(s->values, t->values, p->n_types * sizeof *s->values);
			ck_assert_uint_eq(s->n_labels, t->n_labels);
			for (uint32_t j = 0; j < s->n_labels; j++) {
				const struct pf_pprof_label *x = &s->labels[j], *y = &t->labels[j];
				ck_assert_str_eq(x->key, y->key);
				ck_assert_int_eq(!x->str, !y->str);
				if (x->str)
					ck_assert_str_eq(x->str, y->str);
				ck_assert_int_eq(x->num, y->num);
				ck_assert_str_eq(x->num_unit, y->num_unit);
			}
		}
		pf_arena_free(&a);
	}
}
END_TEST

START_TEST(location_reader_matches_protobuf_c)
{
	for (size_t f = 0; f < N_FIX; f++) {
		struct pf_arena a;
		struct pf_profile *p, *q;
		pf_arena_init(&a, 0);
		decode_both(f, 4, &a, &p, &q);
		ck_assert_uint_eq(p->n_locations, q->n_locations);
		ck_assert_uint_gt(p->n_locations, 0);
		for (size_t i = 0; i < p->n_locations; i++) {
			const struct pf_pprof_location *l = &p->locations[i], *m = &q->locations[i];
			ck_assert_uint_eq(l->id, m->id);
			ck_assert_uint_eq(l->address, m->address);
			ck_assert_uint_eq(l->mapping, m->mapping);
			ck_assert_uint_eq(l->n_lines, m->n_lines);
			for (uint32_t j = 0; j < l->n_lines; j++) {
				ck_assert_uint_eq(l->lines[j].func, m->lines[j].func);
				ck_assert_int_eq(l->lines[j].line, m->lines[j].line);
			}
		}
		pf_arena_free(&a);
	}
}
END_TEST

static void same_table(const struct pf_functab *x, const struct pf_functab *y)
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

START_TEST(fast_walk_matches_edge_table)
{
	struct pf_arena a;
	struct pf_err err;
	struct pf_profile *p[N_FIX];
	pf_arena_init(&a, 0);
	for (size_t f = 0; f < N_FIX; f++)
		p[f] = load(fixtures[f], &a, NULL);
	for (int noinl = 0; noinl < 2; noinl++) {
		struct pf_functab_opts fast = pf_functab_opts_all(), slow = fast;
		fast.no_inlines = slow.no_inlines = noinl;
		slow.edge_fraction = 1e-300; /* cuts nothing, takes the edge table */
		for (size_t f = 0; f < N_FIX; f++) {
			for (size_t k = 0; k < p[f]->n_types; k++) {
				struct pf_functab *x, *y;
				ck_assert_int_eq(
				        pf_functab_build(p[f], (int)k, &fast, &a, &x, &err), PF_OK);
				ck_assert_int_eq(
				        pf_functab_build(p[f], (int)k, &slow, &a, &y, &err), PF_OK);
				same_table(x, y);
			}
			/* diff against the next fixture of the same kind */
			size_t g = f % 4 == 3 ? f - 3 : f + 1;
			int bi = pf_pprof_gate_index(p[f]), ci = pf_pprof_gate_index(p[g]);
			struct pf_functab *x, *y;
			ck_assert_int_eq(
			        pf_functab_build_diff(p[f], bi, p[g], ci, &fast, &a, &x, &err),
			        PF_OK);
			ck_assert_int_eq(
			        pf_functab_build_diff(p[f], bi, p[g], ci, &slow, &a, &y, &err),
			        PF_OK);
			same_table(x, y);
		}
	}
	pf_arena_free(&a);
}
END_TEST

static void vt(struct pf_buf *b, uint32_t field, uint64_t t, uint64_t u)
{
	struct pf_buf m;
	pf_buf_init(&m, 0);
	pf_pbw_uint(&m, 1, t);
	pf_pbw_uint(&m, 2, u);
	pf_pbw_msg(b, field, &m);
	pf_buf_free(&m);
}

/* X inlined into Y (location 1), and, when plain_too, Y calling X without
 * inlining (locations 2 -> 3): the edge Y -> X is then a plain call. */
static void mixed_profile(struct pf_buf *b, bool plain_too)
{
	static const char *const str[] = {"", "samples", "count", "cpu", "nanoseconds", "X", "Y"};
	struct pf_buf m, l;
	pf_buf_init(b, 0);
	vt(b, 1, 1, 2);
	vt(b, 1, 3, 4);
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

START_TEST(inline_and_plain_pair_is_a_call)
{
	for (int plain = 0; plain < 2; plain++) {
		struct pf_arena a;
		struct pf_err err;
		struct pf_buf b;
		struct pf_profile *p;
		struct pf_functab *x, *y;
		struct pf_functab_opts fast = pf_functab_opts_all(), slow = fast;
		slow.edge_fraction = 1e-300;
		pf_arena_init(&a, 0);
		mixed_profile(&b, plain);
		ck_assert_int_eq(
		        pf_pprof_decode((const uint8_t *)b.data, b.len, NULL, &a, &p, &err), PF_OK);
		ck_assert_int_eq(pf_functab_build(p, 1, &fast, &a, &x, &err), PF_OK);
		ck_assert_int_eq(pf_functab_build(p, 1, &slow, &a, &y, &err), PF_OK);
		same_table(x, y);
		ck_assert_str_eq(x->rows[0].name, "X");
		ck_assert_uint_eq(x->rows[0].inl, plain ? PF_FT_CALL : PF_FT_INLINE);
		pf_buf_free(&b);
		pf_arena_free(&a);
	}
}
END_TEST

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
		vt(b, 1, 1, 2);
	vt(b, 1, 3, 4);
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
	for (size_t f = 0; f < N_FIX; f++) {
		size_t n;
		struct pf_buf raw, slow;
		uint8_t *gz = pf_test_read_fixture(fixtures[f], &n);
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

static uint8_t *gz(const void *data, size_t len, size_t *out_len)
{
	z_stream zs;
	memset(&zs, 0, sizeof zs);
	ck_assert_int_eq(deflateInit2(&zs, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY), Z_OK);
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

/* gunzip's one-call path (libdeflate: one member within the limit) and its
 * streaming path (zlib: several members, a trailer over the limit, a
 * trailer that lies) give the same bytes or the streaming path's error. */
START_TEST(gunzip_paths_agree)
{
	struct pf_buf raw, out;
	struct pf_err err;
	size_t n, n1, n2;
	uint8_t *file = pf_test_read_fixture("cpu_base.pb.gz", &n);
	pf_buf_init(&raw, 0);
	ck_assert_int_eq(pf_gunzip(file, n, SIZE_MAX, &raw, NULL, &err), PF_OK);
	size_t half = raw.len / 2;
	uint8_t *a = gz(raw.data, half, &n1), *b = gz(raw.data + half, raw.len - half, &n2);
	uint8_t *cat = malloc(n1 + n2);
	memcpy(cat, a, n1);
	memcpy(cat + n1, b, n2);
	/* two members: streamed, same bytes */
	pf_buf_init(&out, 0);
	ck_assert_int_eq(pf_gunzip(cat, n1 + n2, SIZE_MAX, &out, NULL, &err), PF_OK);
	ck_assert_uint_eq(out.len, raw.len);
	ck_assert_mem_eq(out.data, raw.data, raw.len);
	pf_buf_free(&out);
	/* one member exactly at the limit: one call; one byte under: too large */
	pf_buf_init(&out, 0);
	ck_assert_int_eq(pf_gunzip(a, n1, half, &out, NULL, &err), PF_OK);
	ck_assert_uint_eq(out.len, half);
	ck_assert_mem_eq(out.data, raw.data, half);
	ck_assert_uint_eq((uint8_t)out.data[half], 0);
	pf_buf_free(&out);
	pf_buf_init(&out, 0);
	ck_assert_int_eq(pf_gunzip(a, n1, half - 1, &out, NULL, &err), PF_E_TOO_LARGE);
	ck_assert_ptr_nonnull(strstr(err.msg, "at input byte"));
	pf_buf_free(&out);
	/* a trailer that lies about the size, smaller or larger */
	for (int k = 0; k < 2; k++) {
		uint32_t lie = k ? (uint32_t)half * 2 : 100;
		memcpy(a + n1 - 4, &lie, 4);
		pf_buf_init(&out, 0);
		ck_assert_int_eq(pf_gunzip(a, n1, SIZE_MAX, &out, NULL, &err), PF_E_BAD_PROFILE);
		ck_assert_ptr_nonnull(strstr(err.msg, "corrupt gzip data near byte"));
		pf_buf_free(&out);
	}
	free(a);
	free(b);
	free(cat);
	free(file);
	pf_buf_free(&raw);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("pprof_paths");
	TCase *tc = tcase_create("paths");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, sample_reader_matches_protobuf_c);
	tcase_add_test(tc, location_reader_matches_protobuf_c);
	tcase_add_test(tc, fast_walk_matches_edge_table);
	tcase_add_test(tc, inline_and_plain_pair_is_a_call);
	tcase_add_test(tc, stream_matches_decode_build);
	tcase_add_test(tc, gunzip_paths_agree);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
