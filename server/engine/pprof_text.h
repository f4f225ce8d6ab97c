/* pprof_text.h: the text report of `go tool pprof -top` (and of
 * `-top -diff_base`) for a function table: header lines, unit selection
 * and number/percentage formatting of spec/pprof.md §8 steps 9-10. */
#ifndef PF_PPROF_TEXT_H
#define PF_PPROF_TEXT_H

#include <stdint.h>

#include "buf.h"
#include "functab.h"
#include "pprof.h"

/* The report header (ProfileLabels). Strings borrowed. */
struct pf_pprof_header {
	const char *file;     /* base name of mapping[0].filename, "" if none */
	const char *build_id; /* mapping[0].build_id */
	const char *const *comments;
	size_t n_comments;
	const char *type; /* the sample type name */
	int64_t time_nanos, duration_nanos;
	const char *filter; /* "tagfocus=..." or NULL */
};

/* Header of profile p for sample type `type`; strings borrowed from p. */
void pf_pprof_header_of(const struct pf_profile *p, const char *type, struct pf_pprof_header *h);
/* Header of a -diff_base report: the candidate's, with time = the earlier
 * time_nanos and duration = the sum (spec §9). */
void pf_pprof_header_diff(const struct pf_profile *base, const struct pf_profile *cand,
                          const char *type, struct pf_pprof_header *h);

/* Append the report to out. unit: NULL or "minimum" selects pprof's unit
 * rule (§8 step 9); "ns", "ms", "s", "B", "kB", "MB", ... force a unit
 * (-unit=). Time: is printed in the local time zone (TZ). Returns
 * pf_buf_status(out). */
enum pf_code pf_pprof_text(const struct pf_pprof_header *h, const struct pf_functab *t,
                           const char *unit, struct pf_buf *out);

/* measurement.ScaledLabel: value in from_unit shown in to_unit ("minimum"
 * or "auto" = auto-scale); "%.2f" with ".00" trimmed, "0" for zero. */
void pf_pprof_scaled_label(int64_t value, const char *from_unit, const char *to_unit, char *out,
                           size_t outsz);
/* measurement.Percentage: "  100%", "%5.2f%%" or "%5.2g%%". */
void pf_pprof_percentage(int64_t value, int64_t total, char *out, size_t outsz);

#endif
