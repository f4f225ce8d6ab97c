/* loadgen.c: a bounded upload load generator for `make bench`: N uploads
 * of the same files to one perfgate on loopback, C at a time, with the
 * latency of each. Prints p50, p99, throughput and errors.
 *   loadgen URL TOKEN CONCURRENCY REQUESTS name=@file... name=value...
 * LOADGEN_DUMP=FILE also writes every latency, in request order. */
#include <curl/curl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "testutil.h"

struct field {
	const char *name;
	const char *data;
	size_t len;
	bool file;
};

static const char *url;
static const char *token;
static struct field fields[16];
static int nfields;
static int total;
static int next;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static double *lat;
static int errors;

static size_t sink(char *p, size_t s, size_t n, void *arg)
{
	(void)p;
	(void)arg;
	return s * n;
}

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void *worker(void *arg)
{
	char auth[512];
	(void)arg;
	snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
	for (;;) {
		pthread_mutex_lock(&lock);
		int i = next < total ? next++ : -1;
		pthread_mutex_unlock(&lock);
		if (i < 0)
			return NULL;
		CURL *c = curl_easy_init();
		curl_mime *m = curl_mime_init(c);
		struct curl_slist *h = curl_slist_append(NULL, auth);
		h = curl_slist_append(h, "Expect:");
		for (int f = 0; f < nfields; f++) {
			curl_mimepart *p = curl_mime_addpart(m);
			curl_mime_name(p, fields[f].name);
			curl_mime_data(p, fields[f].data, fields[f].len);
			if (fields[f].file)
				curl_mime_filename(p, fields[f].name);
		}
		curl_easy_setopt(c, CURLOPT_URL, url);
		curl_easy_setopt(c, CURLOPT_MIMEPOST, m);
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
		curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
		curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
		double t0 = now();
		CURLcode rc = curl_easy_perform(c);
		double dt = now() - t0;
		long status = 0;
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
		pthread_mutex_lock(&lock);
		lat[i] = dt;
		if (rc != CURLE_OK || (status != 201 && status != 200))
			errors++;
		pthread_mutex_unlock(&lock);
		curl_slist_free_all(h);
		curl_mime_free(m);
		curl_easy_cleanup(c);
	}
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	if (argc < 6) {
		fprintf(stderr,
		        "usage: loadgen URL TOKEN CONCURRENCY REQUESTS name=@file|name=value...\n");
		return 2;
	}
	url = argv[1];
	token = argv[2];
	int conc = atoi(argv[3]); /* NOLINT: test tool arguments */
	total = atoi(argv[4]);    /* NOLINT */
	for (int i = 5; i < argc && nfields < 16; i++) {
		char *eq = strchr(argv[i], '=');
		if (!eq)
			return 2;
		*eq = '\0';
		fields[nfields].name = argv[i];
		if (eq[1] == '@') {
			fields[nfields].data =
			        (const char *)pf_test_read_file(eq + 2, &fields[nfields].len);
			fields[nfields].file = true;
		} else {
			fields[nfields].data = eq + 1;
			fields[nfields].len = strlen(eq + 1);
		}
		nfields++;
	}
	curl_global_init(CURL_GLOBAL_ALL);
	lat = calloc((size_t)total, sizeof *lat);
	pthread_t th[256];
	if (conc > 256)
		conc = 256;
	double t0 = now();
	for (int i = 0; i < conc; i++)
		pthread_create(&th[i], NULL, worker, NULL);
	for (int i = 0; i < conc; i++)
		pthread_join(th[i], NULL);
	double wall = now() - t0;
	if (getenv("LOADGEN_DUMP")) {
		FILE *f = fopen(getenv("LOADGEN_DUMP"), "w");
		for (int i = 0; f && i < total; i++)
			fprintf(f, "%d %.1f\n", i, 1000 * lat[i]);
		if (f)
			fclose(f);
	}
	qsort(lat, (size_t)total, sizeof *lat, cmp);
	printf("upload -> verdict, concurrency %2d: %d requests, p50 %.1f ms, p99 %.1f ms, "
	       "%.1f req/s, %d errors\n",
	       conc, total, 1000 * lat[total / 2],
	       1000 * lat[(total * 99) / 100 < total ? (total * 99) / 100 : total - 1],
	       total / wall, errors);
	free(lat);
	return errors ? 1 : 0;
}
