/* test_pprof_paths.c: the fast paths agree with the general ones on every
 * fixture profile. Decode: the direct Sample, Location and Function
 * readers (pprof_sample.c) against protobuf-c, forced by an unknown field
 * appended to every such message. Function tables: the walk without an
 * edge table (functab_fast.c, edge_fraction 0) against the edge-table walk with an
 * edge fraction too small to cut anything; for single tables, diffs, and
 * -noinlines. gunzip's one-call path against its streaming one. The
 * streaming table is test_pprof_stream.c. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "functab.h"
#include "gunzip.h"
#include "pprof.h"
#include "pprof_test.h"
#include "testutil.h"

/* Fixture f decoded as it is (*p) and with an unknown field appended to
 * every message of top-level field `field` (*q: protobuf-c's path). */
static void decode_both(size_t f, uint64_t field, struct pf_arena *a, struct pf_profile **p,
                        struct pf_profile **q)
{
	struct pf_buf raw, slow;
	struct pf_err err;
	*p = load(pt_fixture(f), a, &raw);
	add_unknown_field(&raw, field, &slow);
	ck_assert_int_eq(pf_pprof_decode((const uint8_t *)slow.data, slow.len, NULL, a, q, &err),
	                 PF_OK);
	pf_buf_free(&raw);
	pf_buf_free(&slow);
}

START_TEST(sample_reader_matches_protobuf_c)
{
	for (size_t f = 0; f < PT_N_FIX; f++) {
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
	for (size_t f = 0; f < PT_N_FIX; f++) {
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

START_TEST(function_reader_matches_protobuf_c)
{
	for (size_t f = 0; f < PT_N_FIX; f++) {
		struct pf_arena a;
		struct pf_profile *p, *q;
		pf_arena_init(&a, 0);
		decode_both(f, 5, &a, &p, &q);
		ck_assert_uint_eq(p->n_functions, q->n_functions);
		ck_assert_uint_gt(p->n_functions, 0);
		for (size_t i = 0; i < p->n_functions; i++) {
			const struct pf_pprof_function *x = &p->functions[i], *y = &q->functions[i];
			ck_assert_uint_eq(x->id, y->id);
			ck_assert_str_eq(x->name, y->name);
			ck_assert_str_eq(x->system_name, y->system_name);
			ck_assert_str_eq(x->filename, y->filename);
			ck_assert_int_eq(x->start_line, y->start_line);
		}
		pf_arena_free(&a);
	}
}
END_TEST

START_TEST(fast_walk_matches_edge_table)
{
	struct pf_arena a;
	struct pf_err err;
	struct pf_profile *p[PT_N_FIX];
	pf_arena_init(&a, 0);
	for (size_t f = 0; f < PT_N_FIX; f++)
		p[f] = load(pt_fixture(f), &a, NULL);
	for (int noinl = 0; noinl < 2; noinl++) {
		struct pf_functab_opts fast = pf_functab_opts_all(), slow = fast;
		fast.no_inlines = slow.no_inlines = noinl;
		slow.edge_fraction = 1e-300; /* cuts nothing, takes the edge table */
		for (size_t f = 0; f < PT_N_FIX; f++) {
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
	uint8_t *a = pt_gzip(raw.data, half, &n1),
	        *b = pt_gzip(raw.data + half, raw.len - half, &n2);
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
	const TTest *const tests[] = {
	        sample_reader_matches_protobuf_c,   location_reader_matches_protobuf_c,
	        function_reader_matches_protobuf_c, fast_walk_matches_edge_table,
	        inline_and_plain_pair_is_a_call,    gunzip_paths_agree};
	return pt_run("pprof_paths", tests, sizeof tests / sizeof tests[0]);
}
