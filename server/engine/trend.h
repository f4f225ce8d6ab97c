/* trend.h: the pure parts of the history reads (DESIGN §7): the trend
 * metrics and their names, time expressions (RFC 3339, epoch ms, now-30d),
 * durations (24h), the downsampling bucket of a Grafana query and the
 * numeric value of a verdict. No I/O and no clock: callers pass `now`. */
#ifndef PF_TREND_H
#define PF_TREND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pf_err.h"

/* A metric of GET /v1/projects/{p}/trend and of /grafana/metrics. Values
 * never renumbered (they select the db query). */
enum pf_trend_metric {
	PF_TREND_RATING_OVERALL = 0,
	PF_TREND_RATING_CPU = 1,
	PF_TREND_RATING_MEMORY = 2,
	PF_TREND_RATING_BENCH = 3,
	PF_TREND_VERDICT = 4,       /* 0 pass, 1 warn, 2 fail */
	PF_TREND_FUNCTION_FLAT = 5, /* function_stats.flat_pct; needs function, kind */
	PF_TREND_BENCH_MEDIAN = 6,  /* bench_stats.median; needs benchmark, unit */
	PF_TREND__COUNT
};

struct pf_trend_metric_info {
	const char *name;  /* "rating.overall" */
	const char *label; /* for Grafana's metric picker */
	const char *unit;  /* Grafana unit hint: "none", "percent", "s" ... */
};

/* The row of metric m (m < PF_TREND__COUNT). */
const struct pf_trend_metric_info *pf_trend_metric_info(enum pf_trend_metric m);
/* Metric by name; false when unknown. */
bool pf_trend_metric_parse(const char *name, enum pf_trend_metric *out);
/* "rating.overall, rating.cpu, ..." for error messages (static). */
const char *pf_trend_metric_names(void);

/* A point in time as epoch milliseconds from s:
 *   RFC 3339: 2024-05-01T12:00:00Z, 2024-05-01T12:00:00.123+02:00
 *   a date:   2024-05-01 (midnight UTC)
 *   epoch ms: 1714564800000 (Grafana's ${__from})
 *   relative: now, now-30d, now-6h, now+1h (units s m h d w M=30d y=365d)
 * PF_E_BAD_REQUEST naming field when s is none of these. */
enum pf_code pf_trend_parse_time(const char *s, int64_t now_ms, const char *field, int64_t *out_ms,
                                 struct pf_err *err) PF_MUSTCHECK;
/* A positive duration "90s", "15m", "24h", "7d", "2w" as milliseconds. */
enum pf_code pf_trend_parse_duration(const char *s, const char *field, int64_t *out_ms,
                                     struct pf_err *err) PF_MUSTCHECK;
/* ms as RFC 3339 UTC with milliseconds: "2024-05-01T12:00:00.000Z". */
void pf_trend_format_time(int64_t ms, char out[32]);

/* The downsampling bucket of a Grafana query over [from, to): at most
 * max_points buckets, none narrower than interval_ms (0: no floor).
 * Always >= 1. */
int64_t pf_trend_bucket_ms(int64_t from_ms, int64_t to_ms, int64_t max_points, int64_t interval_ms);

/* pass 0, warn 1, fail 2; -1 for anything else. */
int pf_trend_verdict_value(const char *verdict);

#endif
