/* fuzz_pprof_functab.c: libFuzzer target for pf_pprof_functab (the
 * daemon's streaming path). Any input must give PF_OK or a pf_code with a
 * message; and the same code, message and table as decode + build, read
 * by one thread and by two (samples split wherever there are enough). */
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
	for (int k = 0; k < 2; k++) {
		lim.split_bytes = (size_t)k; /* 0: one thread; 1: two */
		memset(&e2, 0, sizeof e2);
		enum pf_code r2 = pf_pprof_functab(data, size, &lim, NULL, &a, &y, &e2);
		if (r1 != r2 || strcmp(e1.msg, e2.msg) != 0)
			abort();
		if (r1 != PF_OK)
			continue;
		if (x->total != y->total || x->n_rows != y->n_rows)
			abort();
		for (size_t i = 0; i < x->n_rows; i++)
			if (strcmp(x->rows[i].name, y->rows[i].name) != 0 ||
			    x->rows[i].flat != y->rows[i].flat ||
			    x->rows[i].cum != y->rows[i].cum || x->rows[i].inl != y->rows[i].inl ||
			    x->rows[i].cum_samples != y->rows[i].cum_samples)
				abort();
	}
	pf_arena_free(&a);
	return 0;
}
