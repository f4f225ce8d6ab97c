/* parse.h: strict number and boolean parsing (no atoi, STYLE §19).
 * Each returns false unless the whole string is a valid value in range. */
#ifndef PF_PARSE_H
#define PF_PARSE_H

#include <stdbool.h>
#include <stdint.h>

bool pf_parse_i64(const char *s, int64_t *out);
bool pf_parse_u64(const char *s, uint64_t *out);
/* Finite doubles only (no nan, inf). */
bool pf_parse_double(const char *s, double *out);
/* true/false, 1/0, yes/no, on/off (case-insensitive). */
bool pf_parse_bool(const char *s, bool *out);

#endif
