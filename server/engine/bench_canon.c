/* bench_canon.c: benchmark results without their configuration, the form
 * in which the store keeps them (bench_stats: benchmark, unit, samples).
 * The gate compares a candidate with a baseline made of several stored
 * runs, so both sides go through this one form: results keyed by
 * (benchmark, tidied unit) alone. Configuration lines (goos, goarch, pkg,
 * cpu, ...) are dropped; a runner whose `cpu:` line differs still
 * compares (the upload notes a runner change). Pure: no I/O. */
#include <stdio.h>
#include <string.h>

#include "bench.h"

enum pf_code pf_bench_canonical_text(const struct pf_benchset *in, struct pf_buf *out)
{
	for (size_t i = 0; i < in->nseries; i++) {
		const struct pf_bench_series *s = &in->series[i];
		for (size_t k = 0; k < s->n; k++)
			pf_buf_printf(out, "Benchmark%s 1 %.17g %s\n", s->name, s->values[k],
			              s->unit);
	}
	return pf_buf_status(out);
}

enum pf_code pf_bench_canonical(const struct pf_benchset *in, struct pf_arena *arena,
                                struct pf_benchset **out, struct pf_err *err)
{
	struct pf_buf b;
	struct pf_bench_limits lim = in->lim;
	enum pf_code rc;

	pf_buf_init(&b, 0);
	rc = pf_bench_canonical_text(in, &b);
	if (rc) {
		pf_buf_free(&b);
		return pf_err_set(err, rc, NULL, "cannot hold the benchmark results");
	}
	/* the canonical text is larger than the input by a bounded factor */
	lim.max_bytes = b.len + 1;
	rc = pf_bench_parse(b.data ? b.data : "", b.len, &lim, arena, out, err);
	pf_buf_free(&b);
	return rc;
}
