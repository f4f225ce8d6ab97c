/* bench_pprof.c: `make bench` figures for the pprof engine (issue 3):
 * decode + function-table throughput in MB/s of decompressed protobuf and
 * the peak RSS, each case measured in its own forked child so the RSS is
 * per case. Cases: every fixture profile (tests/fixtures), and a large generated
 * profile ($BUILD/tools/genprof), gzipped and raw, through the daemon's path
 * (pf_pprof_functab); the raw one also through decode + build (the model
 * the text, speedscope and label paths use). */
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "functab.h"
#include "gunzip.h"
#include "pprof.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static unsigned char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long sz = ftell(f);
	fseek(f, 0, SEEK_SET);
	unsigned char *d = malloc(sz > 0 ? (size_t)sz : 1);
	if (!d || fread(d, 1, (size_t)sz, f) != (size_t)sz) {
		fclose(f);
		free(d);
		return NULL;
	}
	fclose(f);
	*n = (size_t)sz;
	return d;
}

/* The protobuf's size: n, or n gunzipped (outside the timing). */
static size_t decompressed_size(const unsigned char *d, size_t n)
{
	if (!pf_is_gzip(d, n))
		return n;
	struct pf_buf b;
	struct pf_err err;
	size_t len = 0;
	pf_buf_init(&b, 0);
	if (pf_gunzip(d, n, SIZE_MAX, &b, NULL, &err) == PF_OK)
		len = b.len;
	pf_buf_free(&b);
	return len;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Child: decode + table `reps` times, print one line (the best run, and
 * the median as a sign of how busy the machine was), exit. stream: the
 * daemon's path (pf_pprof_functab with the sample index an upload of that
 * kind uses: the default for CPU profiles, alloc_space for heap ones, as
 * upload.c), else pf_pprof_decode + build. */
static int run_case(const char *label, const char *path, double min_seconds, bool stream)
{
	const char *base = strrchr(path, '/');
	const char *sample_index = pf_pprof_kind_index(
	        strncmp(base ? base + 1 : path, "heap", 4) == 0 ? "heap" : "cpu");
	size_t n;
	unsigned char *d = slurp(path, &n);
	if (!d) {
		fprintf(stderr, "bench_pprof: cannot read %s\n", path);
		return 1;
	}
	size_t decoded = 0, rows = 0;
	int reps = 0;
	static double times[4096];
	double t0 = now();
	do {
		struct pf_arena a;
		struct pf_err err;
		struct pf_profile *p;
		struct pf_functab *t;
		double s = now();
		pf_arena_init(&a, 0);
		if (stream ? pf_pprof_functab(d, n, NULL, sample_index, &a, &t, &err) != PF_OK
		           : (pf_pprof_decode(d, n, NULL, &a, &p, &err) != PF_OK ||
		              pf_functab_build(p, pf_pprof_choose_index(p, sample_index, &err),
		                               NULL, &a, &t, &err) != PF_OK)) {
			fprintf(stderr, "bench_pprof: %s: %s\n", path, err.msg);
			return 1;
		}
		if (stream && decoded == 0)
			decoded = decompressed_size(d, n);
		else if (!stream)
			decoded = p->decoded_bytes;
		rows = t->n_rows;
		pf_arena_free(&a);
		times[reps++ % 4096] = now() - s;
	} while ((now() - t0 < min_seconds || reps < 3) && reps < 4096);
	qsort(times, (size_t)reps, sizeof times[0], cmp_double);
	double best = times[0], median = times[reps / 2];
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	double mb = (double)decoded / 1e6, rss = (double)ru.ru_maxrss / 1024.0;
	printf("%-26s %9.2f MB %8.1f ms %8.1f MB/s %6zu rows  peak RSS %7.1f MB (%.2fx)  "
	       "median of %d: %.1f ms\n",
	       label, mb, best * 1e3, mb / best, rows, rss, rss / (mb > 0 ? mb : 1), reps,
	       median * 1e3);
	free(d);
	fflush(stdout);
	return 0;
}

static int in_child(const char *label, const char *path, double min_seconds, bool stream)
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0)
		_exit(run_case(label, path, min_seconds, stream));
	int st;
	if (pid < 0 || waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
		return 1;
	return 0;
}

int main(void)
{
	const char *build = getenv("BUILD");
	char cmd[1024], gz[256], raw[256], path[512];
	int rc = 0;
	printf("decode + function table (best of >= 3 runs); MB = decompressed protobuf\n");
	DIR *dir = opendir("tests/fixtures");
	struct dirent *e;
	while (dir && (e = readdir(dir)) != NULL) {
		size_t l = strlen(e->d_name);
		if (l < 7 || strcmp(e->d_name + l - 6, ".pb.gz") != 0)
			continue;
		snprintf(path, sizeof path, "tests/fixtures/%s", e->d_name);
		rc |= in_child(e->d_name, path, 0.5, true);
	}
	if (dir)
		closedir(dir);
	snprintf(gz, sizeof gz, "/tmp/perfgate-bench-%d.pb.gz", (int)getpid());
	snprintf(raw, sizeof raw, "/tmp/perfgate-bench-%d.pb", (int)getpid());
	/* genprof of the same build: $BUILD, else next to this binary
	 * ($BUILD/bench/bench_pprof), not whatever build/ holds */
	char self[512] = "";
	ssize_t sl = build ? -1 : readlink("/proc/self/exe", self, sizeof self - 1);
	if (sl > 0) {
		self[sl] = '\0';
		char *slash = strrchr(self, '/');
		if (slash && slash - self >= 6 && strncmp(slash - 6, "/bench", 6) == 0) {
			slash[-6] = '\0';
			build = self;
		}
	}
	snprintf(cmd, sizeof cmd, "'%s/tools/genprof' '%s' '%s'", build ? build : "build", gz, raw);
	if (system(cmd) != 0) {
		fprintf(stderr, "bench_pprof: genprof failed\n");
		return 1;
	}
	rc |= in_child("large (gzip)", gz, 2, true);
	rc |= in_child("large (raw protobuf)", raw, 2, true);
	rc |= in_child("large (raw, decode+build)", raw, 2, false);
	remove(gz);
	remove(raw);
	printf("targets: >= 200 MB/s, peak RSS <= 3x the decompressed size (large profile)\n");
	return rc;
}
