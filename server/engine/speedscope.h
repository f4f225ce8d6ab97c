/* speedscope.h: pprof profile -> speedscope JSON document
 * (spec/speedscope.md §7): `sampled` profiles, shared frames, inlined
 * frames expanded, root-first stacks, units mapped to speedscope's. */
#ifndef PF_SPEEDSCOPE_H
#define PF_SPEEDSCOPE_H

#include <jansson.h>

#include "pf_err.h"
#include "pprof.h"

/* The speedscope document of p: one sampled profile for column `index`,
 * or one per sample type when index is -1 (activeProfileIndex = pprof's
 * default column). name is the document name (e.g. the file name).
 * Frames are function-level: one per (function name, file), line =
 * Function.start_line (omitted when 0); a location without symbols
 * becomes "0x<address>" with the mapping file. Zero weights are skipped.
 * A negative value (diff profiles) is PF_E_UNPROCESSABLE: speedscope
 * rejects negative weights. *out is a new reference. */
enum pf_code pf_speedscope_json(const struct pf_profile *p, int index, const char *name,
                                json_t **out, struct pf_err *err) PF_MUSTCHECK;

#endif
