/* trend.c: metric names, time expressions, durations, buckets of the
 * history reads (trend.h). Pure: the caller passes `now`; no libc time
 * zone functions (civil dates are computed here, always UTC). */
#include "trend.h"

#include <stdio.h>
#include <string.h>

static const struct pf_trend_metric_info metrics[PF_TREND__COUNT] = {
        [PF_TREND_RATING_OVERALL] = {"rating.overall", "Rating: overall (0-10)", "none"},
        [PF_TREND_RATING_CPU] = {"rating.cpu", "Rating: CPU (0-10)", "none"},
        [PF_TREND_RATING_MEMORY] = {"rating.memory", "Rating: memory (0-10)", "none"},
        [PF_TREND_RATING_BENCH] = {"rating.bench", "Rating: benchmarks (0-10)", "none"},
        [PF_TREND_VERDICT] = {"verdict", "Verdict (0 pass, 1 warn, 2 fail)", "none"},
        [PF_TREND_FUNCTION_FLAT] = {"function.flat_pct", "Function flat% (cpu or heap)", "percent"},
        [PF_TREND_BENCH_MEDIAN] = {"bench.median", "Benchmark median", "none"},
};

const struct pf_trend_metric_info *pf_trend_metric_info(enum pf_trend_metric m)
{
	return &metrics[m];
}

bool pf_trend_metric_parse(const char *name, enum pf_trend_metric *out)
{
	for (int i = 0; i < PF_TREND__COUNT; i++)
		if (name && strcmp(name, metrics[i].name) == 0) {
			*out = (enum pf_trend_metric)i;
			return true;
		}
	return false;
}

const char *pf_trend_metric_names(void)
{
	return "rating.overall, rating.cpu, rating.memory, rating.bench, verdict, "
	       "function.flat_pct, bench.median";
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil). */
static int64_t days_from_civil(int64_t y, int64_t m, int64_t d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* n decimal digits at s into *v; false unless all are digits. */
static bool digits(const char *s, int n, int64_t *v)
{
	*v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		*v = *v * 10 + (s[i] - '0');
	}
	return true;
}

static int month_days(int64_t y, int64_t m)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return m == 2 && leap ? 29 : days[m - 1];
}

/* RFC 3339 date-time or a plain date; false when malformed. */
static bool parse_rfc3339(const char *s, int64_t *out)
{
	int64_t y, mo, d, h = 0, mi = 0, sec = 0, ms = 0, off = 0;
	size_t n = strlen(s);
	if (n < 10 || !digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) || s[7] != '-' ||
	    !digits(s + 8, 2, &d))
		return false;
	if (y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > month_days(y, mo))
		return false;
	const char *p = s + 10;
	if (*p) {
		if ((*p != 'T' && *p != 't' && *p != ' ') || strlen(p) < 9 ||
		    !digits(p + 1, 2, &h) || p[3] != ':' || !digits(p + 4, 2, &mi) || p[6] != ':' ||
		    !digits(p + 7, 2, &sec))
			return false;
		if (h > 23 || mi > 59 || sec > 60)
			return false;
		p += 9;
		if (*p == '.') {
			int k = 0;
			p++;
			for (; *p >= '0' && *p <= '9'; p++, k++)
				if (k < 3)
					ms = ms * 10 + (*p - '0');
			if (k == 0 || k > 9)
				return false;
			for (; k < 3; k++)
				ms *= 10;
		}
		if (*p == 'Z' || *p == 'z') {
			p++;
		} else if (*p == '+' || *p == '-') {
			int64_t oh, om;
			if (!digits(p + 1, 2, &oh) || p[3] != ':' || !digits(p + 4, 2, &om) ||
			    oh > 23 || om > 59)
				return false;
			off = (oh * 60 + om) * 60 * (*p == '-' ? -1 : 1);
			p += 6;
		} else {
			return false; /* RFC 3339 requires the offset */
		}
		if (*p)
			return false;
	}
	int64_t secs = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - off;
	*out = secs * 1000 + ms;
	return true;
}

/* "<n><unit>" with unit s m h d w M y; false when malformed. */
static bool parse_span(const char *s, int64_t *out)
{
	int64_t n = 0;
	const char *p = s;
	if (*p < '0' || *p > '9')
		return false;
	for (; *p >= '0' && *p <= '9'; p++) {
		n = n * 10 + (*p - '0');
		if (n > 1000000)
			return false;
	}
	int64_t unit;
	switch (*p) {
	case 's':
		unit = 1000;
		break;
	case 'm':
		unit = 60 * 1000;
		break;
	case 'h':
		unit = 3600 * 1000;
		break;
	case 'd':
		unit = 86400 * 1000;
		break;
	case 'w':
		unit = 7 * 86400 * (int64_t)1000;
		break;
	case 'M':
		unit = 30 * 86400 * (int64_t)1000;
		break;
	case 'y':
		unit = 365 * 86400 * (int64_t)1000;
		break;
	default:
		return false;
	}
	if (p[1])
		return false;
	*out = n * unit;
	return true;
}

enum pf_code pf_trend_parse_time(const char *s, int64_t now_ms, const char *field, int64_t *out_ms,
                                 struct pf_err *err)
{
	int64_t v;
	size_t n = s ? strlen(s) : 0;
	if (n == 0 || n > 64)
		goto bad;
	if (strncmp(s, "now", 3) == 0) {
		if (!s[3]) {
			*out_ms = now_ms;
			return PF_OK;
		}
		if ((s[3] == '-' || s[3] == '+') && parse_span(s + 4, &v)) {
			*out_ms = s[3] == '-' ? now_ms - v : now_ms + v;
			return PF_OK;
		}
		goto bad;
	}
	if (n >= 10 && n <= 16 && strspn(s, "0123456789") == n && digits(s, (int)n, &v)) {
		*out_ms = v;
		return PF_OK;
	}
	if (parse_rfc3339(s, out_ms))
		return PF_OK;
bad:
	return pf_err_set(
	        err, PF_E_BAD_REQUEST, field,
	        "%s: '%.64s' is not a time: use RFC 3339 (2024-05-01T12:00:00Z), a date "
	        "(2024-05-01), epoch milliseconds, or now / now-30d (units s m h d w M y)",
	        field, s ? s : "");
}

enum pf_code pf_trend_parse_duration(const char *s, const char *field, int64_t *out_ms,
                                     struct pf_err *err)
{
	if (s && parse_span(s, out_ms) && *out_ms > 0)
		return PF_OK;
	return pf_err_set(err, PF_E_BAD_REQUEST, field,
	                  "%s: '%.64s' is not a duration: use e.g. 90m, 24h, 7d, 2w", field,
	                  s ? s : "");
}

void pf_trend_format_time(int64_t ms, char out[32])
{
	if (ms < 0)
		ms = 0;
	if (ms > (int64_t)253402300799999) /* 9999-12-31T23:59:59.999Z */
		ms = (int64_t)253402300799999;
	int64_t secs = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
	int64_t msr = ms - secs * 1000;
	int64_t z = (secs >= 0 ? secs : secs - 86399) / 86400;
	int64_t sod = secs - z * 86400;
	/* civil_from_days (H. Hinnant) */
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t y = yoe + era * 400;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int64_t d = doy - (153 * mp + 2) / 5 + 1;
	int64_t m = mp + (mp < 10 ? 3 : -9);
	y += m <= 2;
	snprintf(out, 32, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", (int)(y % 10000), (int)(m % 13),
	         (int)(d % 32), (int)(sod / 3600 % 24), (int)(sod / 60 % 60), (int)(sod % 60),
	         (int)(msr % 1000));
}

int64_t pf_trend_bucket_ms(int64_t from_ms, int64_t to_ms, int64_t max_points, int64_t interval_ms)
{
	int64_t span = to_ms > from_ms ? to_ms - from_ms : 1;
	if (max_points < 1)
		max_points = 1;
	int64_t b = (span + max_points - 1) / max_points;
	if (interval_ms > b)
		b = interval_ms;
	return b < 1 ? 1 : b;
}

int pf_trend_verdict_value(const char *v)
{
	if (!v)
		return -1;
	if (strcmp(v, "pass") == 0)
		return 0;
	if (strcmp(v, "warn") == 0)
		return 1;
	if (strcmp(v, "fail") == 0)
		return 2;
	return -1;
}
