/* cmd_pprof.c: `perfgate top`, `perfgate diff` and `perfgate speedscope`:
 * read pprof files (bounded by PERFGATE_MAX_PROFILE_MB), run the pprof
 * engine and print text like `go tool pprof -top` / `-top -diff_base`, or
 * JSON. Exit 0 on success, 2 on bad usage or bad input (message on stderr
 * naming the file). Owns argument parsing and file reading only. */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cli.h"
#include "functab.h"
#include "parse.h"
#include "pprof.h"
#include "pprof_text.h"
#include "profdiff.h"
#include "speedscope.h"

struct opts {
	const char *files[2];
	int n_files;
	const char *sample_index;
	const char *unit;
	const char *tagfocus;
	bool json, all, cum, noinlines, relative, normalize;
};

static void usage(const char *cmd)
{
	if (strcmp(cmd, "speedscope") == 0)
		fprintf(stderr, "usage: perfgate speedscope FILE [--sample-index NAME]\n"
		                "  speedscope JSON on stdout (one profile per sample type, or the "
		                "named one)\n");
	else
		fprintf(stderr,
		        "usage: perfgate %s %s [--sample-index NAME] [--json] [--all] [--cum]\n"
		        "       [--noinlines] [--unit U] [--tagfocus KEY=REGEX]\n"
		        "       [--relative-percentages] [--normalize]\n"
		        "  text as `go tool pprof -top%s` (node trimming as pprof; --all keeps\n"
		        "  every node); --json prints every function as JSON;\n"
		        "  --relative-percentages (top): of the samples --tagfocus keeps;\n"
		        "  --normalize (diff): the candidate scaled to the base's total first\n",
		        cmd, strcmp(cmd, "diff") == 0 ? "BASE CAND" : "FILE",
		        strcmp(cmd, "diff") == 0 ? " -diff_base BASE CAND" : "");
}

static int parse_args(int argc, char **argv, int want_files, struct opts *o)
{
	memset(o, 0, sizeof *o);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char **val = NULL;
		if (strcmp(a, "--json") == 0)
			o->json = true;
		else if (strcmp(a, "--all") == 0)
			o->all = true;
		else if (strcmp(a, "--cum") == 0)
			o->cum = true;
		else if (strcmp(a, "--noinlines") == 0)
			o->noinlines = true;
		else if (strcmp(a, "--normalize") == 0)
			o->normalize = true;
		else if (strcmp(a, "--relative-percentages") == 0 ||
		         strcmp(a, "--relative_percentages") == 0)
			o->relative = true;
		else if (strcmp(a, "--sample-index") == 0 || strcmp(a, "--sample_index") == 0)
			val = &o->sample_index;
		else if (strcmp(a, "--unit") == 0)
			val = &o->unit;
		else if (strcmp(a, "--tagfocus") == 0)
			val = &o->tagfocus;
		else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0)
			return 1;
		else if (a[0] == '-' && a[1] != '\0')
			return -1;
		else if (o->n_files < 2)
			o->files[o->n_files++] = a;
		else
			return -1;
		if (val) {
			if (++i >= argc)
				return -1;
			*val = argv[i];
		}
	}
	return o->n_files == want_files ? 0 : -1;
}

static struct pf_pprof_limits limits(void)
{
	struct pf_pprof_limits l = pf_pprof_limits_default();
	const char *mb = getenv("PERFGATE_MAX_PROFILE_MB");
	uint64_t v;
	if (mb && *mb && pf_parse_u64(mb, &v) && v > 0 && v < ((uint64_t)1 << 20))
		l.max_bytes = (size_t)v << 20;
	return l;
}

/* Read and decode path into arena; prints the error and returns NULL. */
static struct pf_profile *load(const char *cmd, const char *path, struct pf_arena *a)
{
	struct pf_pprof_limits lim = limits();
	struct pf_err err;
	struct pf_buf buf;
	struct pf_profile *p = NULL;
	char chunk[65536];
	size_t got;
	FILE *f = fopen(path, "rb");

	if (!f) {
		fprintf(stderr, "perfgate %s: %s: %s\n", cmd, path, strerror(errno));
		return NULL;
	}
	pf_buf_init(&buf, lim.max_bytes);
	while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
		if (pf_buf_append(&buf, chunk, got) != PF_OK)
			break;
	bool failed = ferror(f) || buf.failed;
	fclose(f);
	if (failed) {
		fprintf(stderr, "perfgate %s: %s: %s\n", cmd, path,
		        buf.too_large ? "file exceeds PERFGATE_MAX_PROFILE_MB" : "read error");
	} else if (pf_pprof_decode((const uint8_t *)buf.data, buf.len, &lim, a, &p, &err) !=
	           PF_OK) {
		fprintf(stderr, "perfgate %s: %s: %s (%s)\n", cmd, path, err.msg,
		        pf_code_name(err.code));
		p = NULL;
	}
	pf_buf_free(&buf);
	return p;
}

static int print_json(json_t *j)
{
	if (!j || json_dumpf(j, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(12)) != 0) {
		json_decref(j);
		fprintf(stderr, "perfgate: out of memory\n");
		return 2;
	}
	fputc('\n', stdout);
	json_decref(j);
	return 0;
}

static void table_opts(const struct opts *o, struct pf_functab_opts *fo, char *key, size_t keysz)
{
	*fo = o->all ? pf_functab_opts_all() : pf_functab_opts_pprof();
	fo->cum_sort = o->cum;
	fo->no_inlines = o->noinlines;
	fo->relative = o->relative;
	fo->normalize = o->normalize;
	if (o->tagfocus) {
		const char *eq = strchr(o->tagfocus, '=');
		snprintf(key, keysz, "%.*s", eq ? (int)(eq - o->tagfocus) : 0, o->tagfocus);
		fo->focus_key = key;
		fo->focus_value = eq ? eq + 1 : o->tagfocus;
	}
}

static int fail(const char *cmd, const char *what, const struct pf_err *err)
{
	fprintf(stderr, "perfgate %s: %s: %s (%s)\n", cmd, what, err->msg, pf_code_name(err->code));
	return 2;
}

static int emit_text(const struct pf_pprof_header *h, const struct pf_functab *t,
                     const struct opts *o)
{
	struct pf_buf out;
	pf_buf_init(&out, 0);
	char filter[300];
	struct pf_pprof_header hh = *h;
	if (o->tagfocus) {
		snprintf(filter, sizeof filter, "tagfocus=%s", o->tagfocus);
		hh.filter = filter;
	}
	int rc = pf_pprof_text(&hh, t, o->unit, &out) == PF_OK ? 0 : 2;
	if (rc == 0)
		fwrite(out.data, 1, out.len, stdout);
	pf_buf_free(&out);
	return rc;
}

int pf_cli_top(int argc, char **argv)
{
	struct opts o;
	struct pf_arena a;
	struct pf_err err;
	struct pf_functab *t;
	struct pf_functab_opts fo;
	char key[128];
	int rc = parse_args(argc, argv, 1, &o);
	if (rc) {
		usage("top");
		return rc > 0 ? 0 : 2;
	}
	if (o.normalize) {
		fprintf(stderr, "perfgate top: --normalize is for diff (two profiles)\n");
		return 2;
	}
	pf_arena_init(&a, 0);
	struct pf_profile *p = load("top", o.files[0], &a);
	rc = 2;
	if (!p)
		goto out;
	int idx = pf_pprof_sample_index(p, o.sample_index, &err);
	if (idx < 0) {
		rc = fail("top", o.files[0], &err);
		goto out;
	}
	table_opts(&o, &fo, key, sizeof key);
	if (o.json)
		fo.node_fraction = fo.edge_fraction = 0;
	if (pf_functab_build(p, idx, &fo, &a, &t, &err) != PF_OK) {
		rc = fail("top", o.files[0], &err);
		goto out;
	}
	if (o.json) {
		rc = print_json(pf_functab_json(t, 0));
	} else {
		struct pf_pprof_header h;
		pf_pprof_header_of(p, p->types[idx].type, &h);
		rc = emit_text(&h, t, &o);
	}
out:
	pf_arena_free(&a);
	return rc;
}

int pf_cli_diff(int argc, char **argv)
{
	struct opts o;
	struct pf_arena a;
	struct pf_err err;
	struct pf_functab_opts fo;
	char key[128];
	int rc = parse_args(argc, argv, 2, &o);
	if (rc) {
		usage("diff");
		return rc > 0 ? 0 : 2;
	}
	if (o.relative) {
		fprintf(stderr, "perfgate diff: --relative-percentages is for top (one profile)\n");
		return 2;
	}
	if (o.normalize && o.json) {
		fprintf(stderr, "perfgate diff: --normalize is for the text table, not --json\n");
		return 2;
	}
	pf_arena_init(&a, 0);
	struct pf_profile *b = load("diff", o.files[0], &a);
	struct pf_profile *c = b ? load("diff", o.files[1], &a) : NULL;
	rc = 2;
	if (!b || !c)
		goto out;
	/* pprof merges the candidate with the negated base, the candidate
	 * first: the diff's default sample type is the first one set of the
	 * two (a heap profile sets none, an allocs profile alloc_space) */
	const char *si = o.sample_index     ? o.sample_index
	                 : *c->default_type ? c->default_type
	                 : *b->default_type ? b->default_type
	                                    : NULL;
	int ci = pf_pprof_sample_index(c, si, &err);
	if (ci < 0) {
		rc = fail("diff", o.files[1], &err);
		goto out;
	}
	int bi =
	        pf_pprof_sample_index(b, o.sample_index ? o.sample_index : c->types[ci].type, &err);
	if (bi < 0) {
		rc = fail("diff", o.files[0], &err);
		goto out;
	}
	table_opts(&o, &fo, key, sizeof key);
	if (o.json) {
		struct pf_functab *tb, *tc;
		struct pf_profdiff *d;
		fo.node_fraction = fo.edge_fraction = 0;
		if (pf_functab_build(b, bi, &fo, &a, &tb, &err) != PF_OK) {
			rc = fail("diff", o.files[0], &err);
		} else if (pf_functab_build(c, ci, &fo, &a, &tc, &err) != PF_OK) {
			rc = fail("diff", o.files[1], &err);
		} else if (pf_profdiff_build(tb, tc, &a, &d, &err) != PF_OK) {
			rc = fail("diff", o.files[1], &err);
		} else {
			rc = print_json(pf_profdiff_json(d, 0));
		}
	} else {
		struct pf_functab *t;
		struct pf_pprof_header h;
		if (pf_functab_build_diff(b, bi, c, ci, &fo, &a, &t, &err) != PF_OK) {
			rc = fail("diff", o.files[1], &err);
			goto out;
		}
		pf_pprof_header_diff(b, c, c->types[ci].type, &h);
		rc = emit_text(&h, t, &o);
	}
out:
	pf_arena_free(&a);
	return rc;
}

int pf_cli_speedscope(int argc, char **argv)
{
	struct opts o;
	struct pf_arena a;
	struct pf_err err;
	json_t *doc;
	int rc = parse_args(argc, argv, 1, &o);
	if (rc || o.json || o.all || o.cum || o.noinlines || o.unit || o.tagfocus) {
		usage("speedscope");
		return rc > 0 ? 0 : 2;
	}
	pf_arena_init(&a, 0);
	struct pf_profile *p = load("speedscope", o.files[0], &a);
	rc = 2;
	if (!p)
		goto out;
	int idx = -1;
	if (o.sample_index && (idx = pf_pprof_sample_index(p, o.sample_index, &err)) < 0) {
		rc = fail("speedscope", o.files[0], &err);
		goto out;
	}
	const char *slash = strrchr(o.files[0], '/');
	if (pf_speedscope_json(p, idx, slash ? slash + 1 : o.files[0], &doc, &err) != PF_OK) {
		rc = fail("speedscope", o.files[0], &err);
		goto out;
	}
	rc = json_dumpf(doc, stdout, JSON_COMPACT) == 0 ? 0 : 2;
	fputc('\n', stdout);
	json_decref(doc);
out:
	pf_arena_free(&a);
	return rc;
}
