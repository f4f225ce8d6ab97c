/* fuzz_pprof_functab.c: libFuzzer target for pf_pprof_functab (the
 * daemon's streaming path). Any input must give PF_OK or a pf_code with a
 * message; and the same code, message and table as decode + build. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "functab.h"
#include "pprof.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pf_pprof_limits lim = pf_pprof_limits_default();
	struct pf_arena a;
	struct pf_err e1, e2;
	struct pf_profile *p;
	struct pf_functab *x = NULL, *y = NULL;
	enum pf_code r1;

	lim.max_bytes = (size_t)16 << 20;
	memset(&e1, 0, sizeof e1);
	memset(&e2, 0, sizeof e2);
	pf_arena_init(&a, 0);
	r1 = pf_pprof_decode(data, size, &lim, &a, &p, &e1);
	if (r1 == PF_OK) {
		int i = pf_pprof_gate_index(p);
		r1 = i < 0 ? pf_err_set(&e1, PF_E_BAD_PROFILE, NULL, "profile has no sample types")
		           : pf_functab_build(p, i, NULL, &a, &x, &e1);
	}
	enum pf_code r2 = pf_pprof_functab(data, size, &lim, NULL, &a, &y, &e2);
	if (r1 != r2 || strcmp(e1.msg, e2.msg) != 0)
		abort();
	if (r1 == PF_OK) {
		if (x->total != y->total || x->n_rows != y->n_rows)
			abort();
		for (size_t k = 0; k < x->n_rows; k++)
			if (strcmp(x->rows[k].name, y->rows[k].name) != 0 ||
			    x->rows[k].flat != y->rows[k].flat ||
			    x->rows[k].cum != y->rows[k].cum || x->rows[k].inl != y->rows[k].inl ||
			    x->rows[k].cum_samples != y->rows[k].cum_samples)
				abort();
	}
	pf_arena_free(&a);
	return 0;
}
