/* gate_test.h: helpers of the gate suites (test_gate*.c, test_report.c):
 * fixture loading into function tables and benchmark sets, policies from
 * KEY=value lists, and lookups in a report. Header-only (static), so each
 * suite stays one binary. */
#ifndef PF_GATE_TEST_H
#define PF_GATE_TEST_H

#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "gate.h"
#include "testutil.h"

/* Decode a fixture profile and build its gate table: sample index `cpu`
 * (heap = false) or `alloc_space` (heap = true). */
static inline struct pf_functab *gt_profile(struct pf_arena *a, const char *name, bool heap)
{
	size_t len;
	uint8_t *data = pf_test_read_fixture(name, &len);
	struct pf_profile *p;
	struct pf_functab *t;
	struct pf_err e;
	ck_assert_msg(pf_pprof_decode(data, len, NULL, a, &p, &e) == PF_OK, "%s: %s", name, e.msg);
	free(data);
	int idx = heap ? pf_pprof_sample_index(p, "alloc_space", &e) : pf_pprof_gate_index(p);
	ck_assert_int_ge(idx, 0);
	ck_assert_msg(pf_functab_build(p, idx, NULL, a, &t, &e) == PF_OK, "%s: %s", name, e.msg);
	return t;
}

static inline struct pf_benchset *gt_bench_text(struct pf_arena *a, const char *text)
{
	struct pf_benchset *b;
	struct pf_err e;
	ck_assert_msg(pf_bench_parse(text, strlen(text), NULL, a, &b, &e) == PF_OK, "%s", e.msg);
	return b;
}

static inline struct pf_benchset *gt_bench(struct pf_arena *a, const char *name)
{
	size_t len;
	uint8_t *data = pf_test_read_fixture(name, &len);
	struct pf_benchset *b;
	struct pf_err e;
	ck_assert_msg(pf_bench_parse((const char *)data, len, NULL, a, &b, &e) == PF_OK, "%s: %s",
	              name, e.msg);
	free(data);
	return b;
}

/* A reference file of the fixtures (reference/NAME) as JSON. */
static inline json_t *gt_ref(const char *name)
{
	char rel[256];
	snprintf(rel, sizeof rel, "reference/%s", name);
	return pf_test_json_fixture(rel);
}

static inline int gt_strcmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* names[0..n) joined with "," (one of 8 static buffers), in byte order
 * when sorted. */
static inline char *gt_join(const char **names, size_t n, bool sorted)
{
	static char buf[8][4096];
	static int slot;
	char *out = buf[slot++ % 8];
	size_t used = 0;
	if (sorted)
		qsort(names, n, sizeof *names, gt_strcmp);
	out[0] = '\0';
	for (size_t i = 0; i < n && used < 4096; i++)
		used += (size_t)snprintf(out + used, 4096 - used, "%s%s", i ? "," : "", names[i]);
	return out;
}

/* The names of a reference pair list (pair_*.json), in byte order: only
 * the significant ones (significant_bonferroni) when asked, only those in
 * unit when unit is not NULL. */
static inline char *gt_ref_names(const json_t *list, bool significant, const char *unit)
{
	const char *names[512];
	size_t n = 0, i;
	json_t *e;
	json_array_foreach(list, i, e)
	{
		if (significant && !json_is_true(json_object_get(e, "significant_bonferroni")))
			continue;
		if (unit && strcmp(json_string_value(json_object_get(e, "unit")), unit) != 0)
			continue;
		if (n < 512)
			names[n++] = json_string_value(json_object_get(e, "name"));
	}
	return gt_join(names, n, true);
}

/* Policy from NULL-terminated "KEY", "value" pairs. */
static inline struct pf_policy gt_policy(const char *key, ...)
{
	struct pf_policy_layer l = {0};
	const struct pf_policy_layer *ls[] = {&l};
	struct pf_policy p;
	struct pf_err e;
	va_list ap;
	va_start(ap, key);
	for (const char *k = key; k; k = va_arg(ap, const char *)) {
		const char *v = va_arg(ap, const char *);
		ck_assert_msg(pf_policy_layer_set(&l, k, v, &e) == PF_OK, "%s", e.msg);
	}
	va_end(ap);
	ck_assert_msg(pf_policy_resolve(ls, 1, &p, &e) == PF_OK, "%s", e.msg);
	return p;
}

static inline json_t *gt_gate(const json_t *report, const char *id)
{
	json_t *g = pf_test_json_find(json_object_get(report, "gates"), "id", id);
	ck_assert_msg(g != NULL, "no gate %s", id);
	return g;
}

static inline const char *gt_status(const json_t *report, const char *id)
{
	return json_string_value(json_object_get(gt_gate(report, id), "status"));
}

/* The violations' names of gate id (function or benchmark), joined with
 * ","; in the report's order, or in byte order when sorted. */
static inline char *gt_violation_names(const json_t *report, const char *id, bool sorted)
{
	const char *names[512];
	size_t n = 0, i;
	json_t *v;
	json_array_foreach(json_object_get(gt_gate(report, id), "violations"), i, v)
	{
		const json_t *name = json_object_get(v, "function");
		if (!name)
			name = json_object_get(v, "benchmark");
		if (n < 512)
			names[n++] = name ? json_string_value(name) : "?";
	}
	return gt_join(names, n, sorted);
}

static inline char *gt_names(const json_t *report, const char *id)
{
	return gt_violation_names(report, id, false);
}

static inline char *gt_names_sorted(const json_t *report, const char *id)
{
	return gt_violation_names(report, id, true);
}

static inline char *gt_dump(const json_t *j)
{
	return json_dumps(j, JSON_INDENT(2) | JSON_REAL_PRECISION(12));
}

/* ---- hand-built inputs (test_gate.c, test_gate_report.c) ---- */

#define TOTAL   1000000
#define FILLERS 20

/* One special function of a hand-built table. */
struct fn {
	const char *name;
	double pct;
};

/* A table of `kind` ("cpu": sample counts known when counted; "heap":
 * alloc_space, counts unknown) whose special functions hold the given
 * shares and FILLERS filler functions share the rest equally. */
static inline struct pf_functab *tab(struct pf_arena *a, const char *kind, bool counted,
                                     int64_t total, const struct fn *fns, size_t n)
{
	struct pf_functab *t = pf_arena_calloc(a, 1, sizeof *t);
	bool heap = strcmp(kind, "heap") == 0;
	t->sample_index = heap ? "alloc_space" : "cpu";
	t->unit = heap ? "bytes" : "nanoseconds";
	t->total = total;
	t->total_samples = counted ? total : -1;
	t->rows = pf_arena_calloc(a, n + FILLERS, sizeof *t->rows);
	int64_t used = 0;
	for (size_t i = 0; i < n; i++) {
		struct pf_functab_row *r = &t->rows[t->n_rows++];
		r->name = fns[i].name;
		r->flat = r->cum = llround(fns[i].pct * (double)total / 100.0);
		used += r->flat;
	}
	for (int i = 0; i < FILLERS; i++) {
		struct pf_functab_row *r = &t->rows[t->n_rows++];
		r->name = pf_arena_printf(a, "filler%d", i);
		r->flat = r->cum =
		        (total - used) / FILLERS + (i == 0 ? (total - used) % FILLERS : 0);
	}
	for (size_t i = 0; i < t->n_rows; i++)
		t->rows[i].flat_samples = t->rows[i].cum_samples = counted ? t->rows[i].flat : -1;
	return t;
}

static inline struct pf_gate_outcome eval(const struct pf_gate_input *in,
                                          const struct pf_policy *pol, struct pf_arena *a)
{
	struct pf_gate_outcome o;
	struct pf_err e;
	struct pf_report_meta meta = {.project = "p", .branch = "b", .base_branch = "main"};
	ck_assert_msg(pf_gate_evaluate(in, pol, &meta, a, &o, &e) == PF_OK, "%s", e.msg);
	return o;
}

/* go test output: one benchmark, values in ns/op around center. */
static inline char *bench_text(const char *name, double center, int runs, bool spread)
{
	static const double off10[10] = {-2, -1.5, -1, -0.5, 0, 0, 0.5, 1, 1.5, 2};
	static const double off3[3] = {-1, 0, 1};
	struct pf_buf b;
	pf_buf_init(&b, 0);
	pf_buf_puts(&b, "goos: linux\npkg: example.com/x\n");
	for (int i = 0; i < runs; i++)
		pf_buf_printf(&b, "Benchmark%s \t 1000\t %.4f ns/op\t 50.0 MB/s\n", name,
		              center + (spread ? (runs == 10 ? off10[i] : off3[i]) : 0));
	return pf_buf_steal(&b, NULL);
}

#endif
