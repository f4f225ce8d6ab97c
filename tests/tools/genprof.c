/* genprof.c: writes a large, deterministic, Go-like CPU profile for
 * `make bench` (issue 3): ≥ 20 MB of protobuf, 180 000 samples, 6 000
 * functions, stacks 30-60 deep drawn from a fixed call tree, inlined
 * frames, labels. Laid out as the Go runtime writes a CPU profile
 * (runtime/pprof's profileBuilder, as in the fixtures): each Location
 * just before the first Sample that uses it, followed by the Functions it
 * names for the first time, ids numbered in that order; the Mapping and
 * the string table last; gzip at its fastest level. Usage: genprof
 * OUT.pb.gz [RAW.pb]. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "buf.h"
#include "pprof_wire.h"

#define N_FUNCS   6000
#define N_LOCS    30000
#define N_SAMPLES 180000
#define FANOUT    6

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void) /* xorshift64* */
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ULL;
}

static void sub_vt(struct pf_buf *b, uint32_t field, uint64_t t, uint64_t u)
{
	struct pf_buf m;
	pf_buf_init(&m, 0);
	pf_pbw_uint(&m, 1, t);
	pf_pbw_uint(&m, 2, u);
	pf_pbw_msg(b, field, &m);
	pf_buf_free(&m);
}

/* The call graph and the locations' lines, by generation index; the ids
 * the profile gives them, 0 until written (the runtime numbers locations
 * and functions in the order it writes them). */
static uint32_t child[N_LOCS + 1][FANOUT];
static uint32_t lines[N_LOCS + 1][2], nlines[N_LOCS + 1], line_no[N_LOCS + 1][2];
static uint64_t loc_id[N_LOCS + 1], fn_id[N_FUNCS + 1];
static uint64_t n_locs, n_fns;

/* Location i into b, then the Functions it names for the first time, as
 * runtime/pprof's emitLocation does. */
static void emit_location(struct pf_buf *b, uint32_t i)
{
	struct pf_buf m, l;
	uint32_t fresh[2];
	unsigned n_fresh = 0;
	loc_id[i] = ++n_locs;
	pf_buf_init(&m, 0);
	pf_pbw_uint(&m, 1, loc_id[i]);
	pf_pbw_uint(&m, 2, 1);
	pf_pbw_uint(&m, 3, 0x401000 + (uint64_t)i * 16);
	for (unsigned j = 0; j < nlines[i]; j++) {
		uint32_t f = lines[i][j];
		if (!fn_id[f]) {
			fn_id[f] = ++n_fns;
			fresh[n_fresh++] = f;
		}
		pf_buf_init(&l, 0);
		pf_pbw_uint(&l, 1, fn_id[f]);
		pf_pbw_uint(&l, 2, line_no[i][j]);
		pf_pbw_msg(&m, 4, &l);
		pf_buf_free(&l);
	}
	pf_pbw_msg(b, 4, &m);
	pf_buf_free(&m);
	for (unsigned k = 0; k < n_fresh; k++) {
		uint32_t f = fresh[k];
		pf_buf_init(&m, 0);
		pf_pbw_uint(&m, 1, fn_id[f]);
		pf_pbw_uint(&m, 2, 10 + f);
		pf_pbw_uint(&m, 3, 10 + f);
		pf_pbw_uint(&m, 4, 10 + N_FUNCS + 1 + f % 50);
		pf_pbw_uint(&m, 5, 10 + f % 900);
		pf_pbw_msg(b, 5, &m);
		pf_buf_free(&m);
	}
}

static int write_file(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(p, 1, n, f) != n) {
		perror(path);
		return -1;
	}
	return fclose(f);
}

int main(int argc, char **argv)
{
	struct pf_buf b, m, l;
	if (argc < 2) {
		fprintf(stderr, "usage: genprof OUT.pb.gz [RAW.pb]\n");
		return 2;
	}
	pf_buf_init(&b, 0);
	pf_pbw_uint(&b, 9, 1764000000000000000ULL);
	sub_vt(&b, 1, 1, 2); /* samples/count */
	sub_vt(&b, 1, 3, 4); /* cpu/nanoseconds */
	pf_pbw_uint(&b, 10, 30000000000ULL);
	sub_vt(&b, 11, 3, 4);
	pf_pbw_uint(&b, 12, 10000000);
	/* strings: 0 "", 1-4 types, 5 endpoint, 6-9 values, 10 file, 11.. names */
	for (uint64_t id = 1; id <= N_LOCS; id++) {
		nlines[id] = rnd() % 5 == 0 ? 2 : 1; /* 20 % carry an inlined frame */
		for (unsigned j = 0; j < nlines[id]; j++) {
			lines[id][j] = (uint32_t)(1 + rnd() % N_FUNCS);
			line_no[id][j] = (uint32_t)(1 + rnd() % 2000);
		}
		for (int k = 0; k < FANOUT; k++)
			child[id][k] = (uint32_t)(1 + rnd() % N_LOCS);
	}
	uint64_t stack[64], ids[64];
	for (int s = 0; s < N_SAMPLES; s++) {
		unsigned depth = 30 + (unsigned)(rnd() % 31);
		uint64_t cur = 1 + rnd() % 16; /* a few roots */
		for (unsigned d = 0; d < depth; d++) {
			stack[depth - 1 - d] = cur; /* leaf first */
			uint64_t r = rnd();
			cur = child[cur][(r & 0xff) < 200 ? 0 : (r >> 8) % FANOUT];
		}
		/* the Locations new to this sample, leaf first */
		for (unsigned d = 0; d < depth; d++) {
			if (!loc_id[stack[d]])
				emit_location(&b, (uint32_t)stack[d]);
			ids[d] = loc_id[stack[d]];
		}
		uint64_t count = 1 + (rnd() % 16 == 0);
		uint64_t vals[2] = {count, count * 10000000};
		pf_buf_init(&m, 0);
		pf_pbw_packed(&m, 1, ids, depth);
		pf_pbw_packed(&m, 2, vals, 2);
		pf_buf_init(&l, 0);
		pf_pbw_uint(&l, 1, 5);
		pf_pbw_uint(&l, 2, 6 + rnd() % 4);
		pf_pbw_msg(&m, 3, &l);
		pf_buf_free(&l);
		pf_pbw_msg(&b, 2, &m);
		pf_buf_free(&m);
	}
	pf_buf_init(&m, 0);
	pf_pbw_uint(&m, 1, 1);
	pf_pbw_uint(&m, 2, 0x400000);
	pf_pbw_uint(&m, 3, 0x4000000);
	pf_pbw_uint(&m, 5, 10);
	pf_pbw_uint(&m, 7, 1);
	pf_pbw_msg(&b, 3, &m);
	pf_buf_free(&m);
	static const char *const fixed[] = {
	        "",          "samples", "count",    "cpu",        "nanoseconds",       "endpoint",
	        "/transfer", "/refund", "/balance", "/statement", "/usr/local/bin/app"};
	char name[96];
	for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
		pf_pbw_str(&b, 6, fixed[i]);
	for (int f = 1; f <= N_FUNCS; f++) {
		snprintf(name, sizeof name, "example.com/big/internal/pkg%02d.(*Type%03d).Method%d",
		         f % 50, f % 977, f);
		pf_pbw_str(&b, 6, name);
	}
	pf_pbw_str(&b, 6, "unused");
	for (int f = 0; f < 50; f++) {
		snprintf(name, sizeof name, "example.com/big/internal/pkg%02d/file.go", f);
		pf_pbw_str(&b, 6, name);
	}
	if (pf_buf_status(&b) != PF_OK)
		return 1;

	z_stream zs;
	memset(&zs, 0, sizeof zs);
	if (deflateInit2(&zs, Z_BEST_SPEED, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return 1;
	size_t cap = deflateBound(&zs, b.len);
	unsigned char *gz = malloc(cap);
	zs.next_in = (unsigned char *)b.data;
	zs.avail_in = (uInt)b.len;
	zs.next_out = gz;
	zs.avail_out = (uInt)cap;
	if (!gz || deflate(&zs, Z_FINISH) != Z_STREAM_END)
		return 1;
	int rc = write_file(argv[1], gz, zs.total_out);
	if (rc == 0 && argc > 2)
		rc = write_file(argv[2], b.data, b.len);
	fprintf(stderr,
	        "genprof: %zu bytes protobuf, %lu gzipped, %llu locations, %llu functions\n", b.len,
	        zs.total_out, (unsigned long long)n_locs, (unsigned long long)n_fns);
	deflateEnd(&zs);
	free(gz);
	pf_buf_free(&b);
	return rc ? 1 : 0;
}
