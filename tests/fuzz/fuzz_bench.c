/* fuzz_bench.c: libFuzzer target for the benchmark engine: parse the input
 * (and its second half as a candidate), then compare, merge and render both
 * forms, so every path a hostile upload can reach runs under ASan/UBSan. */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "arena.h"
#include "bench.h"
#include "buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pf_bench_limits lim;
	struct pf_arena a;
	struct pf_benchset *base = NULL, *cand = NULL, *merged = NULL;
	struct pf_bench_cmp *cmp = NULL;
	struct pf_err e;
	struct pf_buf out;

	pf_bench_limits_default(&lim);
	lim.max_bytes = 1 << 20;
	lim.max_line = 4096;
	pf_arena_init(&a, (size_t)256 << 20);
	if (pf_bench_parse((const char *)data, size, &lim, &a, &base, &e) != PF_OK)
		goto out;
	if (pf_bench_parse((const char *)data + size / 2, size - size / 2, &lim, &a, &cand, &e) !=
	    PF_OK)
		cand = NULL;
	const struct pf_benchset *sets[2] = {base, cand ? cand : base};
	if (pf_bench_merge(sets, 2, &lim, &a, &merged, &e) != PF_OK)
		merged = base;
	if (pf_bench_compare(merged, cand, NULL, &a, &cmp, &e) != PF_OK)
		goto out;
	pf_buf_init(&out, (size_t)64 << 20);
	(void)pf_bench_render_text(cmp, &out);
	pf_buf_free(&out);
	json_t *j = pf_bench_render_json(cmp);
	char *s = j ? json_dumps(j, 0) : NULL;
	free(s);
	json_decref(j);
out:
	pf_arena_free(&a);
	return 0;
}
