/* parse.c: strict conversions of whole strings. No global state. */
#include "parse.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <strings.h>

bool pf_parse_i64(const char *s, int64_t *out)
{
	char *end;
	long long v;

	if (!s || !*s)
		return false;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end || end == s)
		return false;
	*out = (int64_t)v;
	return true;
}

bool pf_parse_u64(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || end == s)
		return false;
	*out = (uint64_t)v;
	return true;
}

bool pf_parse_double(const char *s, double *out)
{
	char *end;
	double v;

	if (!s || !*s)
		return false;
	errno = 0;
	v = strtod(s, &end);
	if (errno == ERANGE && fabs(v) > 1.0)
		return false;
	if (*end || end == s || !isfinite(v))
		return false;
	*out = v;
	return true;
}

bool pf_parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = {"true", "1", "yes", "on"};
	static const char *const no[] = {"false", "0", "no", "off"};
	if (!s)
		return false;
	for (unsigned i = 0; i < 4; i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = true;
			return true;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = false;
			return true;
		}
	}
	return false;
}
