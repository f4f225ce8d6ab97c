/* cmd_gate.c: `perfgate gate`, the full verdict offline (DESIGN §1): reads
 * the profile, benchmark and analyzer files named on the command line, the
 * AI_GATE_* policy from the environment, runs the same engine as the
 * upload and prints the report (JSON, markdown or JUnit). Exit 0 pass or
 * warn, 1 fail, 2 bad usage or unreadable/invalid input (stderr names the
 * file or key). Owns argument parsing and file reading only.
 *
 * Baseline rule (docs/gates.md): any --base-* file makes the run a
 * comparison; a kind given on one side only is skipped by its gates. With
 * candidate files and no --base-* file there is no baseline: pass, with
 * "baseline": null and a note. --report alone (no profile or benchmark
 * file) is a comparison of the analyzer's own: its rating is gated. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cli.h"
#include "gate.h"
#include "parse.h"
#include "pprof.h"

enum { F_BASE_CPU, F_CPU, F_BASE_HEAP, F_HEAP, F_BASE_BENCH, F_BENCH, F_REPORT, F__COUNT };

static const char *const flag[F__COUNT] = {"--base-cpu",   "--cpu",   "--base-heap", "--heap",
                                           "--base-bench", "--bench", "--report"};

struct gate_opts {
	const char *file[F__COUNT];
	const char *format, *project, *branch, *base_branch, *commit;
};

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: perfgate gate [--base-cpu F --cpu F] [--base-heap F --heap F]\n"
	        "                     [--base-bench F --bench F] [--report F]\n"
	        "                     [--format json|markdown|junit] [--project P] [--branch B]\n"
	        "                     [--base-branch B] [--commit C]\n"
	        "  the verdict of DESIGN §4 offline; AI_GATE_* from the environment.\n"
	        "  exit 0 pass or warn, 1 fail, 2 bad usage or input\n");
}

static int parse_args(int argc, char **argv, struct gate_opts *o)
{
	memset(o, 0, sizeof *o);
	o->format = "json";
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], **val = NULL;
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0)
			return 1;
		for (int k = 0; k < F__COUNT && !val; k++)
			if (strcmp(a, flag[k]) == 0)
				val = &o->file[k];
		if (!val) {
			if (strcmp(a, "--format") == 0)
				val = &o->format;
			else if (strcmp(a, "--project") == 0)
				val = &o->project;
			else if (strcmp(a, "--branch") == 0)
				val = &o->branch;
			else if (strcmp(a, "--base-branch") == 0)
				val = &o->base_branch;
			else if (strcmp(a, "--commit") == 0)
				val = &o->commit;
		}
		if (!val) {
			fprintf(stderr, "perfgate gate: unknown argument '%s'\n", a);
			return -1;
		}
		if (++i >= argc || !*argv[i]) {
			fprintf(stderr, "perfgate gate: %s needs a value\n", a);
			return -1;
		}
		*val = argv[i];
	}
	if (strcmp(o->format, "json") && strcmp(o->format, "markdown") &&
	    strcmp(o->format, "junit")) {
		fprintf(stderr, "perfgate gate: --format must be json, markdown or junit\n");
		return -1;
	}
	for (int k = 0; k < F__COUNT; k++)
		if (o->file[k])
			return 0;
	fprintf(stderr, "perfgate gate: give at least one input file\n");
	return -1;
}

/* Whole file into buf, at most max bytes; prints the error. */
static bool read_file(const char *path, size_t max, struct pf_buf *buf)
{
	char chunk[65536];
	size_t got;
	FILE *f = fopen(path, "rb");
	pf_buf_init(buf, max);
	if (!f) {
		fprintf(stderr, "perfgate gate: %s: %s\n", path, strerror(errno));
		return false;
	}
	while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
		if (pf_buf_append(buf, chunk, got) != PF_OK)
			break;
	bool ok = !ferror(f) && !buf->failed;
	fclose(f);
	if (!ok)
		fprintf(stderr, "perfgate gate: %s: %s\n", path,
		        buf->too_large ? "file too large" : "read error");
	return ok;
}

static size_t profile_max(void)
{
	struct pf_pprof_limits l = pf_pprof_limits_default();
	const char *mb = getenv("PERFGATE_MAX_PROFILE_MB");
	uint64_t v;
	if (mb && *mb && pf_parse_u64(mb, &v) && v > 0 && v < ((uint64_t)1 << 20))
		l.max_bytes = (size_t)v << 20;
	return l.max_bytes;
}

/* The file's function table, read as an upload reads it (upload.c): the
 * stream decoder at the gate's sample index, alloc_space for heap. */
static bool load_profile(const char *path, bool heap, struct pf_arena *a, struct pf_functab **out)
{
	struct pf_pprof_limits lim = pf_pprof_limits_default();
	struct pf_buf buf;
	struct pf_err err;
	lim.max_bytes = profile_max();
	if (!read_file(path, lim.max_bytes, &buf)) {
		pf_buf_free(&buf);
		return false;
	}
	enum pf_code rc =
	        pf_pprof_functab((const uint8_t *)buf.data, buf.len, &lim,
	                         pf_pprof_kind_index(heap ? "heap" : "cpu"), a, out, &err);
	pf_buf_free(&buf);
	if (rc == PF_E_BAD_REQUEST) /* no such sample index: the file's fault here */
		rc = err.code = PF_E_BAD_PROFILE;
	if (rc)
		fprintf(stderr, "perfgate gate: %s: %s (%s)\n", path, err.msg, pf_code_name(rc));
	return rc == PF_OK;
}

static bool load_bench(const char *path, struct pf_arena *a, struct pf_benchset **out)
{
	struct pf_bench_limits lim;
	struct pf_buf buf;
	struct pf_err err;
	pf_bench_limits_default(&lim);
	if (!read_file(path, lim.max_bytes, &buf)) {
		pf_buf_free(&buf);
		return false;
	}
	struct pf_benchset *raw;
	enum pf_code rc = pf_bench_parse(buf.data ? buf.data : "", buf.len, &lim, a, &raw, &err);
	pf_buf_free(&buf);
	/* compared in the configuration-free form the server stores, so the
	 * verdict is the server's (bench_canon.c) */
	if (rc == PF_OK)
		rc = pf_bench_canonical(raw, a, out, &err);
	if (rc)
		fprintf(stderr, "perfgate gate: %s: %s (%s)\n", path, err.msg, pf_code_name(rc));
	return rc == PF_OK;
}

static bool load_report(const char *path, json_t **out)
{
	struct pf_buf buf;
	struct pf_err err;
	bool ok = read_file(path, (size_t)16 << 20, &buf);
	if (ok && pf_analyzer_parse(buf.data ? buf.data : "", buf.len, out, &err) != PF_OK) {
		fprintf(stderr, "perfgate gate: %s: %s (%s)\n", path, err.msg,
		        pf_code_name(err.code));
		ok = false;
	}
	pf_buf_free(&buf);
	return ok;
}

/* AI_GATE_* from the environment: one policy layer over the defaults.
 * An empty value counts as unset. */
static bool env_policy(struct pf_policy *pol)
{
	struct pf_policy_layer l = {0};
	const struct pf_policy_layer *ls[] = {&l};
	struct pf_err err;
	for (int k = 0; k < PF_PK__COUNT; k++) {
		const char *name = pf_policy_key_name((enum pf_policy_key)k), *v = getenv(name);
		if (v && *v && pf_policy_layer_set(&l, name, v, &err) != PF_OK) {
			fprintf(stderr, "perfgate gate: environment: %s\n", err.msg);
			return false;
		}
	}
	if (pf_policy_resolve(ls, 1, pol, &err) != PF_OK) {
		fprintf(stderr, "perfgate gate: environment: %s\n", err.msg);
		return false;
	}
	return true;
}

static int emit(const struct gate_opts *o, const json_t *report)
{
	char *s;
	if (strcmp(o->format, "markdown") == 0)
		s = pf_report_markdown(report, 65536);
	else if (strcmp(o->format, "junit") == 0)
		s = pf_report_junit(report);
	else
		s = json_dumps(report, JSON_INDENT(2) | JSON_REAL_PRECISION(12));
	if (!s) {
		fprintf(stderr, "perfgate gate: out of memory\n");
		return 2;
	}
	fputs(s, stdout);
	if (strcmp(o->format, "json") == 0)
		fputc('\n', stdout);
	free(s);
	return fflush(stdout) == 0 ? 0 : 2;
}

int pf_cli_gate(int argc, char **argv)
{
	struct gate_opts o;
	struct pf_policy pol;
	struct pf_arena a;
	struct pf_gate_input in = {0};
	struct pf_gate_outcome out;
	struct pf_err err;
	json_t *analyzer = NULL;
	int rc = parse_args(argc, argv, &o);
	if (rc) {
		usage(rc > 0 ? stdout : stderr);
		return rc > 0 ? 0 : 2;
	}
	if (!env_policy(&pol))
		return 2;
	pf_arena_init(&a, 0);
	struct pf_functab *tabs[4] = {0};
	struct pf_benchset *sets[2] = {0};
	bool ok = true;
	for (int k = F_BASE_CPU; ok && k <= F_HEAP; k++)
		if (o.file[k])
			ok = load_profile(o.file[k], k >= F_BASE_HEAP, &a, &tabs[k]);
	for (int k = F_BASE_BENCH; ok && k <= F_BENCH; k++)
		if (o.file[k])
			ok = load_bench(o.file[k], &a, &sets[k - F_BASE_BENCH]);
	if (ok && o.file[F_REPORT])
		ok = load_report(o.file[F_REPORT], &analyzer);
	rc = 2;
	if (!ok)
		goto done;
	in.base_cpu = tabs[0];
	in.cand_cpu = tabs[1];
	in.base_heap = tabs[2];
	in.cand_heap = tabs[3];
	in.base_bench = sets[0];
	in.cand_bench = sets[1];
	in.analyzer = analyzer;
	in.has_baseline = o.file[F_BASE_CPU] || o.file[F_BASE_HEAP] || o.file[F_BASE_BENCH] ||
	                  (!o.file[F_CPU] && !o.file[F_HEAP] && !o.file[F_BENCH]);
	struct pf_report_meta meta = {.project = o.project,
	                              .branch = o.branch,
	                              .commit = o.commit,
	                              .base_branch = o.base_branch};
	if (pf_gate_evaluate(&in, &pol, &meta, &a, &out, &err) != PF_OK) {
		fprintf(stderr, "perfgate gate: %s (%s)\n", err.msg, pf_code_name(err.code));
		goto done;
	}
	rc = emit(&o, out.report);
	if (rc == 0 && out.verdict == PF_VERDICT_FAIL)
		rc = 1;
	json_decref(out.report);
done:
	json_decref(analyzer);
	pf_arena_free(&a);
	return rc;
}
