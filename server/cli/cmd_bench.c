/* cmd_bench.c: `perfgate benchstat OLD [NEW] [--json] [--alpha A]
 * [--confidence C]`: reads the files (bounded by the parser's byte limit),
 * runs the benchmark engine and prints benchstat's text table or the JSON
 * rows. Exit 0 on success, 2 on bad usage or bad input (message on stderr,
 * with the file and line). */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "buf.h"
#include "cli.h"
#include "parse.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: perfgate benchstat OLD [NEW] [--json] [--alpha A] [--confidence C]\n"
	           "  compares `go test -bench` outputs as benchstat does; with one file,\n"
	           "  prints its summaries only\n");
}

/* Read at most max bytes (+1 to detect an over-long file) into buf. */
static enum pf_code read_file(const char *path, size_t max, struct pf_buf *buf, struct pf_err *e)
{
	FILE *f;
	char chunk[65536];
	size_t got;

	pf_buf_init(buf, max + 1);
	if (!(f = fopen(path, "rb")))
		return pf_err_set(e, PF_E_IO, NULL, "%s", strerror(errno));
	while ((got = fread(chunk, 1, sizeof chunk, f)) > 0) {
		if (buf->len + got > max) {
			fclose(f);
			return pf_err_set(e, PF_E_TOO_LARGE, NULL,
			                  "file is larger than the limit of %zu bytes", max);
		}
		if (pf_buf_append(buf, chunk, got) != PF_OK) {
			fclose(f);
			return pf_err_set(e, PF_E_NOMEM, NULL, "out of memory");
		}
	}
	if (ferror(f)) {
		fclose(f);
		return pf_err_set(e, PF_E_IO, NULL, "read error");
	}
	fclose(f);
	return PF_OK;
}

static enum pf_code load(const char *path, const struct pf_bench_limits *lim, struct pf_arena *a,
                         struct pf_benchset **out)
{
	struct pf_buf buf;
	struct pf_err e = {0};
	enum pf_code c = read_file(path, lim->max_bytes, &buf, &e);
	if (c == PF_OK)
		c = pf_bench_parse(buf.data ? buf.data : "", buf.len, lim, a, out, &e);
	pf_buf_free(&buf);
	if (c != PF_OK)
		fprintf(stderr, "perfgate benchstat: %s: %s\n", path, e.msg);
	return c;
}

static bool parse_unit_interval(const char *s, double *out)
{
	return pf_parse_double(s, out) && *out >= 0 && *out <= 1;
}

int pf_cli_benchstat(int argc, char **argv)
{
	const char *files[2] = {NULL, NULL};
	int nfiles = 0, rc = 2;
	bool json = false;
	struct pf_bench_limits lim;
	struct pf_bench_opts opts;
	struct pf_arena a;
	struct pf_benchset *sets[2] = {NULL, NULL};
	struct pf_bench_cmp *cmp;
	struct pf_err e = {0};
	char *labels[2] = {NULL, NULL};

	pf_bench_limits_default(&lim);
	pf_bench_opts_default(&opts);
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0) {
			json = true;
		} else if (strcmp(argv[i], "--alpha") == 0 && i + 1 < argc) {
			if (!parse_unit_interval(argv[++i], &opts.alpha)) {
				fprintf(stderr, "perfgate benchstat: --alpha must be in [0, 1]\n");
				return 2;
			}
		} else if (strcmp(argv[i], "--confidence") == 0 && i + 1 < argc) {
			if (!parse_unit_interval(argv[++i], &opts.confidence)) {
				fprintf(stderr,
				        "perfgate benchstat: --confidence must be in [0, 1]\n");
				return 2;
			}
		} else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return 0;
		} else if (argv[i][0] == '-' && argv[i][1] != '\0') {
			fprintf(stderr, "perfgate benchstat: unknown option %s\n", argv[i]);
			usage(stderr);
			return 2;
		} else if (nfiles < 2) {
			files[nfiles++] = argv[i];
		} else {
			usage(stderr);
			return 2;
		}
	}
	if (nfiles == 0) {
		usage(stderr);
		return 2;
	}

	pf_arena_init(&a, 0);
	for (int i = 0; i < nfiles; i++)
		if (load(files[i], &lim, &a, &sets[i]) != PF_OK)
			goto out;
	/* benchstat's column labels: the argument; the same path twice gets #0, #1 */
	if (nfiles == 2 && strcmp(files[0], files[1]) == 0) {
		labels[0] = pf_arena_printf(&a, "%s#0", files[0]);
		labels[1] = pf_arena_printf(&a, "%s#1", files[1]);
		opts.base_label = labels[0];
		opts.cand_label = labels[1];
	} else {
		opts.base_label = files[0];
		opts.cand_label = nfiles == 2 ? files[1] : "";
	}
	if (pf_bench_compare(sets[0], sets[1], &opts, &a, &cmp, &e) != PF_OK) {
		fprintf(stderr, "perfgate benchstat: %s\n", e.msg);
		goto out;
	}
	if (json) {
		json_t *j = pf_bench_render_json(cmp);
		if (!j || json_dumpf(j, stdout, JSON_INDENT(1) | JSON_REAL_PRECISION(17)) != 0) {
			json_decref(j);
			fprintf(stderr, "perfgate benchstat: cannot write JSON\n");
			goto out;
		}
		json_decref(j);
		fputc('\n', stdout);
	} else {
		struct pf_buf buf;
		pf_buf_init(&buf, 0);
		if (pf_bench_render_text(cmp, &buf) != PF_OK) {
			pf_buf_free(&buf);
			fprintf(stderr, "perfgate benchstat: out of memory\n");
			goto out;
		}
		fwrite(buf.data ? buf.data : "", 1, buf.len, stdout);
		pf_buf_free(&buf);
	}
	rc = fflush(stdout) == 0 ? 0 : 2;
out:
	pf_arena_free(&a);
	return rc;
}
