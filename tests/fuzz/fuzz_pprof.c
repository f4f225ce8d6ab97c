/* fuzz_pprof.c: libFuzzer target for the pprof decoder and everything that
 * consumes its model (function table, text report, speedscope). Any input
 * must give PF_OK or a pf_code with a message: no crash, leak or UB. */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "functab.h"
#include "pprof.h"
#include "pprof_text.h"
#include "speedscope.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pf_pprof_limits lim = pf_pprof_limits_default();
	struct pf_arena a;
	struct pf_err err;
	struct pf_profile *p;

	lim.max_bytes = (size_t)16 << 20;
	pf_arena_init(&a, (size_t)256 << 20);
	if (pf_pprof_decode(data, size, &lim, &a, &p, &err) == PF_OK) {
		struct pf_functab *t, *d;
		int idx = pf_pprof_sample_index(p, NULL, &err);
		struct pf_functab_opts o = pf_functab_opts_pprof();
		if (idx >= 0 && pf_functab_build(p, idx, &o, &a, &t, &err) == PF_OK) {
			struct pf_buf out;
			struct pf_pprof_header h;
			pf_buf_init(&out, 0);
			pf_pprof_header_of(p, p->types[idx].type, &h);
			(void)pf_pprof_text(&h, t, NULL, &out);
			pf_buf_free(&out);
			json_decref(pf_functab_json(t, 0));
			if (pf_functab_build_diff(p, idx, p, idx, NULL, &a, &d, &err) == PF_OK)
				(void)d;
		}
		json_t *doc = NULL;
		if (pf_speedscope_json(p, -1, "fuzz", &doc, &err) == PF_OK)
			json_decref(doc);
	} else {
		/* every failure names itself */
		if (err.msg[0] == '\0')
			__builtin_trap();
	}
	pf_arena_free(&a);
	return 0;
}
