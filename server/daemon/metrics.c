/* metrics.c: process-wide counters for GET /metrics (Prometheus text
 * format 0.0.4): requests by route and status, a latency histogram per
 * route, database errors, verdicts, baseline cache lookups, the worker
 * queue (its length and how long requests waited). One mutex. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "daemon.h"

#define MAX_STATUSES 16
#define NBUCKETS     12

static const double bucket_le[NBUCKETS] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                           0.1,   0.25,   0.5,   1.0,  2.5,   5.0};

struct histogram {
	uint64_t bucket[NBUCKETS]; /* non-cumulative here; summed when rendered */
	uint64_t total;
	double sum;
};

struct route_stats {
	int status[MAX_STATUSES];
	uint64_t count[MAX_STATUSES];
	struct histogram latency;
};

#define MAX_ROUTES 64
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct route_stats stats[MAX_ROUTES + 1]; /* last slot: unmatched */
static uint64_t db_errors;
static uint64_t verdicts[3];
static uint64_t cache_lookups[2]; /* misses, hits */
static long queued;               /* requests waiting for a worker */
static struct histogram waits;    /* how long they waited */
static const char *const verdict_names[3] = {"pass", "warn", "fail"};

void pf_metrics_init(void)
{
	pthread_mutex_lock(&lock);
	memset(stats, 0, sizeof stats);
	db_errors = 0;
	memset(verdicts, 0, sizeof verdicts);
	memset(cache_lookups, 0, sizeof cache_lookups);
	queued = 0;
	memset(&waits, 0, sizeof waits);
	pthread_mutex_unlock(&lock);
}

/* Count one observation (under lock). */
static void hist_add(struct histogram *h, double seconds)
{
	int b = 0;
	while (b < NBUCKETS && seconds > bucket_le[b])
		b++;
	if (b < NBUCKETS)
		h->bucket[b]++;
	h->total++;
	h->sum += seconds;
}

/* The _bucket, _sum and _count lines of histogram name; labels ("" or
 * `k="v",...`) go on each. */
static void hist_render(struct pf_buf *b, const char *name, const char *labels,
                        const struct histogram *h)
{
	const char *sep = *labels ? "," : "";
	uint64_t cum = 0;
	for (int i = 0; i < NBUCKETS; i++) {
		cum += h->bucket[i];
		pf_buf_printf(b, "%s_bucket{%s%sle=\"%g\"} %llu\n", name, labels, sep, bucket_le[i],
		              (unsigned long long)cum);
	}
	pf_buf_printf(b, "%s_bucket{%s%sle=\"+Inf\"} %llu\n", name, labels, sep,
	              (unsigned long long)h->total);
	if (*labels)
		pf_buf_printf(b, "%s_sum{%s} %.6f\n%s_count{%s} %llu\n", name, labels, h->sum, name,
		              labels, (unsigned long long)h->total);
	else
		pf_buf_printf(b, "%s_sum %.6f\n%s_count %llu\n", name, h->sum, name,
		              (unsigned long long)h->total);
}

void pf_metrics_request(int route_idx, int status, double seconds)
{
	int slot = route_idx >= 0 && route_idx < MAX_ROUTES ? route_idx : MAX_ROUTES;
	struct route_stats *s = &stats[slot];

	pthread_mutex_lock(&lock);
	for (int i = 0; i < MAX_STATUSES; i++) {
		if (s->status[i] == status || s->status[i] == 0) {
			s->status[i] = status;
			s->count[i]++;
			break;
		}
	}
	hist_add(&s->latency, seconds);
	pthread_mutex_unlock(&lock);
}

void pf_metrics_db_error(void)
{
	pthread_mutex_lock(&lock);
	db_errors++;
	pthread_mutex_unlock(&lock);
}

void pf_metrics_verdict(const char *verdict)
{
	pthread_mutex_lock(&lock);
	for (int i = 0; i < 3; i++)
		if (strcmp(verdict, verdict_names[i]) == 0)
			verdicts[i]++;
	pthread_mutex_unlock(&lock);
}

void pf_metrics_baseline_cache(bool hit)
{
	pthread_mutex_lock(&lock);
	cache_lookups[hit]++;
	pthread_mutex_unlock(&lock);
}

void pf_metrics_queued(void)
{
	pthread_mutex_lock(&lock);
	queued++;
	pthread_mutex_unlock(&lock);
}

void pf_metrics_dequeued(double waited)
{
	pthread_mutex_lock(&lock);
	queued--;
	hist_add(&waits, waited);
	pthread_mutex_unlock(&lock);
}

static void route_label(int slot, const char **method, const char **pattern)
{
	if (slot < MAX_ROUTES && (size_t)slot < pf_routes_count) {
		*method = pf_routes[slot].method;
		*pattern = pf_routes[slot].pattern;
	} else {
		*method = "";
		*pattern = "unmatched";
	}
}

void pf_metrics_render(struct pf_buf *b)
{
	pthread_mutex_lock(&lock);
	pf_buf_puts(b, "# HELP perfgate_http_requests_total HTTP requests by route and status.\n"
	               "# TYPE perfgate_http_requests_total counter\n");
	for (int r = 0; r <= MAX_ROUTES; r++) {
		const char *m, *p;
		route_label(r, &m, &p);
		for (int i = 0; i < MAX_STATUSES && stats[r].status[i]; i++)
			pf_buf_printf(b,
			              "perfgate_http_requests_total{method=\"%s\",route=\"%s\","
			              "status=\"%d\"} %llu\n",
			              m, p, stats[r].status[i],
			              (unsigned long long)stats[r].count[i]);
	}
	pf_buf_puts(b, "# HELP perfgate_http_request_duration_seconds Request latency by route.\n"
	               "# TYPE perfgate_http_request_duration_seconds histogram\n");
	for (int r = 0; r <= MAX_ROUTES; r++) {
		const char *m, *p;
		char labels[512];
		if (!stats[r].latency.total)
			continue;
		route_label(r, &m, &p);
		snprintf(labels, sizeof labels, "method=\"%s\",route=\"%s\"", m, p);
		hist_render(b, "perfgate_http_request_duration_seconds", labels, &stats[r].latency);
	}
	pf_buf_printf(b,
	              "# HELP perfgate_db_errors_total Database errors (unreachable, failed "
	              "statements).\n"
	              "# TYPE perfgate_db_errors_total counter\n"
	              "perfgate_db_errors_total %llu\n",
	              (unsigned long long)db_errors);
	pf_buf_puts(b, "# HELP perfgate_verdicts_total Verdicts given, by verdict.\n"
	               "# TYPE perfgate_verdicts_total counter\n");
	for (int i = 0; i < 3; i++)
		pf_buf_printf(b, "perfgate_verdicts_total{verdict=\"%s\"} %llu\n", verdict_names[i],
		              (unsigned long long)verdicts[i]);
	pf_buf_printf(b,
	              "# HELP perfgate_baseline_cache_total Baseline windows looked up in the "
	              "daemon's cache, by result.\n"
	              "# TYPE perfgate_baseline_cache_total counter\n"
	              "perfgate_baseline_cache_total{result=\"hit\"} %llu\n"
	              "perfgate_baseline_cache_total{result=\"miss\"} %llu\n",
	              (unsigned long long)cache_lookups[1], (unsigned long long)cache_lookups[0]);
	pf_buf_printf(b,
	              "# HELP perfgate_queued_requests Complete requests waiting for a worker.\n"
	              "# TYPE perfgate_queued_requests gauge\n"
	              "perfgate_queued_requests %ld\n"
	              "# HELP perfgate_queue_wait_seconds Time a request waited for a worker.\n"
	              "# TYPE perfgate_queue_wait_seconds histogram\n",
	              queued);
	hist_render(b, "perfgate_queue_wait_seconds", "", &waits);
	pthread_mutex_unlock(&lock);
}
