/* httplat.c: latency of one read request for `make bench`: N sequential
 * requests on one kept-alive libcurl handle (so the figure is the
 * server's, not a process start), after W warm-up requests. Prints p50,
 * p99 and max; exit 1 when any answer is not 200.
 *   httplat LABEL URL TOKEN N [JSON-BODY]   (a body makes it a POST) */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define WARMUP 5

static size_t sink(char *p, size_t s, size_t n, void *arg)
{
	size_t *bytes = arg;
	(void)p;
	*bytes += s * n;
	return s * n;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	if (argc < 5 || strtol(argv[4], NULL, 10) < 1) {
		fprintf(stderr, "usage: httplat LABEL URL TOKEN N [JSON-BODY]\n");
		return 2;
	}
	const char *label = argv[1], *url = argv[2], *body = argc > 5 ? argv[5] : NULL;
	int n = (int)strtol(argv[4], NULL, 10);
	char auth[512];
	double *lat = calloc((size_t)n, sizeof *lat);
	size_t bytes = 0;
	struct curl_slist *h = NULL;

	snprintf(auth, sizeof auth, "Authorization: Bearer %s", argv[3]);
	h = curl_slist_append(h, auth);
	h = curl_slist_append(h, "Content-Type: application/json");
	curl_global_init(CURL_GLOBAL_DEFAULT);
	CURL *c = curl_easy_init();
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &bytes);
	if (body)
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	for (int i = -WARMUP; i < n; i++) {
		struct timespec a, b;
		long status = 0;
		clock_gettime(CLOCK_MONOTONIC, &a);
		CURLcode rc = curl_easy_perform(c);
		clock_gettime(CLOCK_MONOTONIC, &b);
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
		if (rc != CURLE_OK || status != 200) {
			fprintf(stderr, "%s: request %d: %s, status %ld\n", label, i,
			        curl_easy_strerror(rc), status);
			return 1;
		}
		if (i >= 0)
			lat[i] = (double)(b.tv_sec - a.tv_sec) * 1e3 +
			         (double)(b.tv_nsec - a.tv_nsec) / 1e6;
	}
	qsort(lat, (size_t)n, sizeof *lat, cmp);
	printf("%-44s %4d requests, p50 %6.1f ms, p99 %6.1f ms, max %6.1f ms, %zu bytes/answer\n",
	       label, n, lat[n / 2], lat[(n * 99 + 99) / 100 - 1], lat[n - 1],
	       bytes / (size_t)(n + WARMUP));
	curl_easy_cleanup(c);
	curl_slist_free_all(h);
	curl_global_cleanup();
	free(lat);
	return 0;
}
