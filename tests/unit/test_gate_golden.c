/* test_gate_golden.c: the gate engine on the fixture pairs of
 * tests/fixtures/README.md ("What perfgate must conclude: base -> cand",
 * "The noise pairs must pass", "Too few runs: the count3 pair"): the gates
 * that fire, by function and benchmark name; the report against
 * docs/report.schema.json; the jq step CI scripts run on it. */
#include <check.h>
#include <math.h>
#include <regex.h>
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "gate_test.h"
#include "pftest_run.h"

struct pair {
	const char *cpu[2], *heap[2], *bench[2];
};

static json_t *eval_pair(const struct pair *p, const struct pf_policy *pol,
                         struct pf_gate_outcome *out)
{
	struct pf_arena a;
	struct pf_err e;
	struct pf_gate_input in = {.has_baseline = true};
	struct pf_report_meta meta = {.project = "ledger",
	                              .branch = "feature",
	                              .commit = "c0ffee",
	                              .base_branch = "main"};
	pf_arena_init(&a, 0);
	if (p->cpu[0]) {
		in.base_cpu = gt_profile(&a, p->cpu[0], false);
		in.cand_cpu = gt_profile(&a, p->cpu[1], false);
	}
	if (p->heap[0]) {
		in.base_heap = gt_profile(&a, p->heap[0], true);
		in.cand_heap = gt_profile(&a, p->heap[1], true);
	}
	if (p->bench[0]) {
		in.base_bench = gt_bench(&a, p->bench[0]);
		in.cand_bench = gt_bench(&a, p->bench[1]);
	}
	ck_assert_msg(pf_gate_evaluate(&in, pol, &meta, &a, out, &e) == PF_OK, "%s", e.msg);
	pf_arena_free(&a);
	return out->report;
}

/* ---- a JSON Schema (draft 2020-12) validator for the subset that
 * docs/report.schema.json uses: type, enum, required, properties,
 * additionalProperties (boolean), items, minItems, maxItems, minimum,
 * maximum, anyOf and local "$ref": "#/$defs/NAME". Any other keyword in
 * the schema is a test failure, so the subset cannot silently grow. */

static json_t *schema_root;

static bool type_is(const json_t *v, const char *t)
{
	if (strcmp(t, "object") == 0)
		return json_is_object(v);
	if (strcmp(t, "array") == 0)
		return json_is_array(v);
	if (strcmp(t, "string") == 0)
		return json_is_string(v);
	if (strcmp(t, "integer") == 0)
		return json_is_integer(v) ||
		       (json_is_real(v) && json_real_value(v) == floor(json_real_value(v)));
	if (strcmp(t, "number") == 0)
		return json_is_number(v);
	if (strcmp(t, "boolean") == 0)
		return json_is_boolean(v);
	if (strcmp(t, "null") == 0)
		return json_is_null(v);
	ck_abort_msg("schema: unknown type %s", t);
	return false;
}

/* NULL when v is valid, else a static message naming the path. */
static const char *validate(const json_t *v, const json_t *sch, const char *path)
{
	static char msg[1024];
	const char *k, *e;
	json_t *kw;
	json_object_foreach((json_t *)sch, k, kw)
	{
		if (strcmp(k, "$ref") == 0) {
			const char *ref = json_string_value(kw);
			ck_assert_msg(strncmp(ref, "#/$defs/", 8) == 0, "schema: $ref %s", ref);
			json_t *d = json_object_get(json_object_get(schema_root, "$defs"), ref + 8);
			ck_assert_msg(d != NULL, "schema: no $defs/%s", ref + 8);
			if ((e = validate(v, d, path)))
				return e;
		} else if (strcmp(k, "type") == 0) {
			bool ok = false;
			if (json_is_string(kw))
				ok = type_is(v, json_string_value(kw));
			for (size_t i = 0; json_is_array(kw) && i < json_array_size(kw); i++)
				ok = ok || type_is(v, json_string_value(json_array_get(kw, i)));
			if (!ok) {
				char *t = json_dumps(kw, JSON_COMPACT | JSON_ENCODE_ANY);
				snprintf(msg, sizeof msg, "%s: not of type %s", path, t);
				free(t);
				return msg;
			}
		} else if (strcmp(k, "enum") == 0) {
			bool ok = false;
			for (size_t i = 0; i < json_array_size(kw); i++)
				ok = ok || json_equal((json_t *)v, json_array_get(kw, i)) ||
				     (json_is_null(v) && json_is_null(json_array_get(kw, i)));
			if (!ok) {
				snprintf(msg, sizeof msg, "%s: not in the enum", path);
				return msg;
			}
		} else if (strcmp(k, "required") == 0) {
			for (size_t i = 0; json_is_object(v) && i < json_array_size(kw); i++) {
				const char *r = json_string_value(json_array_get(kw, i));
				if (!json_object_get(v, r)) {
					snprintf(msg, sizeof msg, "%s: missing '%s'", path, r);
					return msg;
				}
			}
		} else if (strcmp(k, "properties") == 0 || strcmp(k, "additionalProperties") == 0) {
			if (!json_is_object(v))
				continue;
			const json_t *props = json_object_get(sch, "properties");
			const json_t *add = json_object_get(sch, "additionalProperties");
			const char *pk;
			json_t *pv;
			if (strcmp(k, "additionalProperties") == 0 && json_is_true(add))
				continue;
			json_object_foreach((json_t *)v, pk, pv)
			{
				const json_t *ps = json_object_get(props, pk);
				char sub[512];
				snprintf(sub, sizeof sub, "%s.%s", path, pk);
				if (!ps && json_is_false(add) &&
				    strcmp(k, "additionalProperties") == 0) {
					snprintf(msg, sizeof msg, "%s: property not allowed", sub);
					return msg;
				}
				if (ps && strcmp(k, "properties") == 0 &&
				    (e = validate(pv, ps, sub)))
					return e;
			}
		} else if (strcmp(k, "items") == 0) {
			for (size_t i = 0; json_is_array(v) && i < json_array_size(v); i++) {
				char sub[512];
				snprintf(sub, sizeof sub, "%s[%zu]", path, i);
				if ((e = validate(json_array_get(v, i), kw, sub)))
					return e;
			}
		} else if (strcmp(k, "minItems") == 0 || strcmp(k, "maxItems") == 0) {
			size_t n = json_array_size(v), lim = (size_t)json_integer_value(kw);
			if (json_is_array(v) && (k[1] == 'i' ? n < lim : n > lim)) {
				snprintf(msg, sizeof msg, "%s: %zu items (%s %zu)", path, n, k,
				         lim);
				return msg;
			}
		} else if (strcmp(k, "minimum") == 0 || strcmp(k, "maximum") == 0) {
			double d = json_number_value(v), lim = json_number_value(kw);
			if (json_is_number(v) && (k[1] == 'i' ? d < lim : d > lim)) {
				snprintf(msg, sizeof msg, "%s: %g out of range (%s %g)", path, d, k,
				         lim);
				return msg;
			}
		} else if (strcmp(k, "anyOf") == 0) {
			bool ok = false;
			for (size_t i = 0; !ok && i < json_array_size(kw); i++)
				ok = validate(v, json_array_get(kw, i), path) == NULL;
			if (!ok) {
				snprintf(msg, sizeof msg, "%s: matches none of anyOf", path);
				return msg;
			}
		} else if (strcmp(k, "$schema") && strcmp(k, "$id") && strcmp(k, "$defs") &&
		           strcmp(k, "title") && strcmp(k, "description")) {
			ck_abort_msg("schema: keyword %s is outside the test's subset", k);
		}
	}
	return NULL;
}

static void load_schema(void)
{
	json_error_t je;
	char *path = pf_test_source_path("docs/report.schema.json");
	schema_root = json_load_file(path, 0, &je);
	ck_assert_msg(schema_root != NULL, "%s: %s", path, je.text);
	free(path);
	ck_assert_str_eq(json_string_value(json_object_get(schema_root, "$schema")),
	                 "https://json-schema.org/draft/2020-12/schema");
}

static void assert_valid(const json_t *report)
{
	if (!schema_root)
		load_schema();
	const char *e = validate(report, schema_root, "$");
	ck_assert_msg(e == NULL, "report does not match docs/report.schema.json: %s", e);
}

/* The analyzer's string form, one decimal (DESIGN §4). */
static void assert_change_strings(const json_t *r)
{
	static const char *const keys[] = {"cpu_improvements", "cpu_regressions",
	                                   "alloc_improvements", "alloc_regressions"};
	regex_t re;
	ck_assert_int_eq(regcomp(&re,
	                         "^.+: [0-9]+\\.[0-9]% -> [0-9]+\\.[0-9]% \\([0-9]+\\.[0-9]% "
	                         "(regression|improvement)\\)$",
	                         REG_EXTENDED | REG_NOSUB),
	                 0);
	for (size_t k = 0; k < 4; k++) {
		size_t i;
		json_t *v;
		json_array_foreach(json_object_get(r, keys[k]), i, v)
		{
			const char *s = json_string_value(v);
			ck_assert_msg(regexec(&re, s, 0, NULL, 0) == 0, "%s: %s", keys[k], s);
			ck_assert(strstr(s, k % 2 ? "regression)" : "improvement)"));
		}
	}
	regfree(&re);
}

static const struct pair base_cand = {{"cpu_base.pb.gz", "cpu_cand.pb.gz"},
                                      {"heap_base.pb.gz", "heap_cand.pb.gz"},
                                      {"bench_base.txt", "bench_cand.txt"}};

static bool list_has(const json_t *r, const char *key, const char *prefix)
{
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(r, key), i, v)
	{
		if (strncmp(json_string_value(v), prefix, strlen(prefix)) == 0)
			return true;
	}
	return false;
}

/* What the reference pairs list past each gate's threshold (README:
 * "What perfgate must conclude"), so another fixture set made the same way
 * is checked by the same rules. */
struct expect {
	json_t *cpu, *heap, *bench;                  /* pair_*_base_cand.json */
	const json_t *hot, *improve, *newhot, *rest; /* gates_cpu lists */
	const json_t *alloc;                         /* gates_alloc_space regressions */
	const json_t *slow, *slow_few;               /* benchmark slowdowns */
	double report_min;
};

static struct expect expect_base_cand(void)
{
	struct expect x = {.cpu = gt_ref("pair_cpu_base_cand.json"),
	                   .heap = gt_ref("pair_heap_base_cand.json"),
	                   .bench = gt_ref("pair_bench_base_cand.json")};
	const json_t *gc = json_object_get(x.cpu, "gates_cpu");
	const json_t *gb = json_object_get(x.bench, "gates");
	x.hot = json_object_get(gc, "flat_regression_gt_8_pts");
	x.improve = json_object_get(gc, "flat_improvement_gt_8_pts");
	x.newhot = json_object_get(gc, "new_hotspot_base_lt_0.5_cand_gt_4_pct");
	x.rest = json_object_get(gc, "changes_ge_1_pts_below_thresholds");
	x.alloc = json_object_get(json_object_get(x.heap, "gates_alloc_space"),
	                          "flat_regression_gt_10_pts");
	x.slow = json_object_get(gb, "time_slowdown_gt_5_pct_significant");
	x.slow_few = json_object_get(gb, "time_slowdown_gt_5_pct_insufficient_samples");
	x.report_min = json_number_value(
	        json_object_get(json_object_get(x.cpu, "thresholds"), "report_min"));
	ck_assert(x.hot && x.improve && x.newhot && x.rest && x.alloc && x.slow && x.slow_few);
	return x;
}

static void expect_free(struct expect *x)
{
	json_decref(x->cpu);
	json_decref(x->heap);
	json_decref(x->bench);
}

/* gate id names exactly want; its status is fired when it names any */
static void expect_gate(const json_t *r, const char *id, const char *want, const char *fired)
{
	ck_assert_msg(strcmp(gt_names_sorted(r, id), want) == 0, "%s names [%s], reference [%s]",
	              id, gt_names_sorted(r, id), want);
	ck_assert_str_eq(gt_status(r, id), *want ? fired : "pass");
}

/* The base, cand and delta of an analyzer list entry, s from just after
 * its "NAME: " ("7.0% -> 22.6% (15.6% regression)"). */
static bool change_numbers(const char *s, double v[3])
{
	return sscanf(s, "%lf%% -> %lf%% (%lf%%", &v[0], &v[1], &v[2]) == 3;
}

/* The entry of list key (cpu_regressions, ...) for function name: its
 * numbers (change_numbers); false if absent. */
static bool listed(const json_t *r, const char *key, const char *name, double v[3])
{
	size_t i, n = strlen(name);
	json_t *e;
	json_array_foreach(json_object_get(r, key), i, e)
	{
		const char *s = json_string_value(e);
		if (strncmp(s, name, n) == 0 && strncmp(s + n, ": ", 2) == 0)
			return change_numbers(s + n + 2, v);
	}
	return false;
}

/* Every CPU change of at least report_min points in the reference is
 * listed as a regression or an improvement when significant (z-test,
 * Bonferroni), and not listed otherwise; with the reference's numbers. */
static void expect_cpu_lists(const json_t *r, const struct expect *x)
{
	const json_t *lists[4] = {x->hot, x->improve, x->newhot, x->rest};
	for (int k = 0; k < 4; k++) {
		size_t i;
		json_t *e;
		json_array_foreach(lists[k], i, e)
		{
			const char *name = json_string_value(json_object_get(e, "name"));
			double d = json_number_value(json_object_get(e, "delta_flat_pts")), v[3];
			if (fabs(d) < x->report_min)
				continue;
			const char *key = d > 0 ? "cpu_regressions" : "cpu_improvements";
			bool sig = json_is_true(json_object_get(e, "significant_bonferroni"));
			bool has = listed(r, key, name, v);
			ck_assert_msg(has == sig, "%s %s in %s (significant: %d)", name,
			              has ? "listed" : "not listed", key, sig);
			if (!has)
				continue;
			ck_assert_double_eq_tol(
			        v[0], json_number_value(json_object_get(e, "base_flat_pct")),
			        0.051);
			ck_assert_double_eq_tol(
			        v[1], json_number_value(json_object_get(e, "cand_flat_pct")),
			        0.051);
			ck_assert_double_eq_tol(v[2], fabs(d), 0.051);
		}
	}
}

START_TEST(base_cand_enable_true)
{
	struct pf_policy pol = gt_policy("AI_GATE_ENABLE", "true", NULL);
	struct pf_gate_outcome o;
	json_t *r = eval_pair(&base_cand, &pol, &o);
	struct expect x = expect_base_cand();

	/* the pair is made to fire them (README); the rules decide which */
	ck_assert_int_gt(json_array_size(x.hot), 0);
	expect_gate(r, "cpu_hotspot", gt_ref_names(x.hot, true, NULL), "fail");
	expect_gate(r, "alloc_regression", gt_ref_names(x.alloc, false, NULL), "fail");
	expect_gate(r, "bench_slowdown", gt_ref_names(x.slow, false, "sec/op"), "fail");
	expect_gate(r, "new_hotspot", gt_ref_names(x.newhot, false, NULL), "warn");
	ck_assert_int_eq(o.verdict, PF_VERDICT_FAIL);
	ck_assert_str_eq(json_string_value(json_object_get(r, "verdict")), "fail");

	/* the bench violations: significant, not insufficient */
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(gt_gate(r, "bench_slowdown"), "violations"), i, v)
	{
		ck_assert(json_is_false(json_object_get(v, "insufficient_samples")));
		ck_assert_double_le(json_real_value(json_object_get(v, "p_value")), 0.05);
		ck_assert_str_eq(json_string_value(json_object_get(v, "unit")), "sec/op");
	}
	/* each cpu_hotspot violation carries the reference's numbers */
	json_array_foreach(json_object_get(gt_gate(r, "cpu_hotspot"), "violations"), i, v)
	{
		const char *fn = json_string_value(json_object_get(v, "function"));
		json_t *ref = pf_test_json_find(x.hot, "name", fn);
		ck_assert_ptr_nonnull(ref);
		ck_assert_double_eq_tol(json_number_value(json_object_get(v, "base")),
		                        json_number_value(json_object_get(ref, "base_flat_pct")),
		                        0.01);
		ck_assert_double_eq_tol(json_number_value(json_object_get(v, "cand")),
		                        json_number_value(json_object_get(ref, "cand_flat_pct")),
		                        0.01);
		ck_assert_double_eq_tol(json_number_value(json_object_get(v, "delta")),
		                        json_number_value(json_object_get(ref, "delta_flat_pts")),
		                        0.01);
	}

	/* the change lists: significant CPU moves, the alloc regressions, the
	 * new hotspots; the biggest regression first */
	expect_cpu_lists(r, &x);
	json_t *e;
	json_array_foreach(x.alloc, i, e)
	{
		double got[3];
		const char *fn = json_string_value(json_object_get(e, "name"));
		ck_assert_msg(listed(r, "alloc_regressions", fn, got), "%s not listed", fn);
		ck_assert_double_eq_tol(
		        got[2], json_number_value(json_object_get(e, "delta_flat_pts")), 0.051);
	}
	ck_assert_uint_eq(json_array_size(json_object_get(r, "new_hotspots")),
	                  json_array_size(x.newhot));
	json_array_foreach(x.newhot, i, e)
	{
		ck_assert(
		        list_has(r, "new_hotspots", json_string_value(json_object_get(e, "name"))));
	}
	double top = 0, d[3];
	json_array_foreach(json_object_get(r, "cpu_regressions"), i, e)
	{
		ck_assert(change_numbers(strstr(json_string_value(e), ": ") + 2, d));
		if (i == 0)
			top = d[2];
		ck_assert_double_le(d[2], top);
	}

	/* The rating follows DESIGN's formula (test_gate.c checks it); here
	 * its gate agrees with it. */
	ck_assert_str_eq(gt_status(r, "rating"),
	                 o.rating_overall < pol.min_rating ? "fail" : "pass");
	assert_valid(r);
	assert_change_strings(r);
	expect_free(&x);
	json_decref(r);
}
END_TEST

START_TEST(base_cand_enable_false_warns)
{
	struct pf_policy pol = gt_policy(NULL);
	struct pf_gate_outcome o;
	json_t *r = eval_pair(&base_cand, &pol, &o);
	struct expect x = expect_base_cand();
	ck_assert_int_eq(o.verdict, PF_VERDICT_WARN);
	expect_gate(r, "cpu_hotspot", gt_ref_names(x.hot, true, NULL), "warn");
	expect_gate(r, "alloc_regression", gt_ref_names(x.alloc, false, NULL), "warn");
	expect_gate(r, "bench_slowdown", gt_ref_names(x.slow, false, "sec/op"), "warn");
	expect_gate(r, "new_hotspot", gt_ref_names(x.newhot, false, NULL), "warn");
	expect_free(&x);
	json_decref(r);
}
END_TEST

static void assert_clean_pass(json_t *r, const struct pf_gate_outcome *o)
{
	char *dump = gt_dump(r);
	ck_assert_msg(o->verdict == PF_VERDICT_PASS, "%s", dump);
	free(dump);
	size_t i;
	json_t *g;
	json_array_foreach(json_object_get(r, "gates"), i, g)
	{
		ck_assert_str_eq(json_string_value(json_object_get(g, "status")), "pass");
		ck_assert_int_eq(json_array_size(json_object_get(g, "violations")), 0);
	}
	ck_assert_int_eq(json_array_size(json_object_get(r, "reasons")), 0);
	ck_assert_int_eq(json_array_size(json_object_get(r, "new_hotspots")), 0);
	assert_valid(r);
}

START_TEST(noise_pairs_pass)
{
	struct pf_policy pol = gt_policy("AI_GATE_ENABLE", "true", NULL);
	struct pf_gate_outcome o;
	const struct pair all = {{"cpu_noise1.pb.gz", "cpu_noise2.pb.gz"},
	                         {"heap_noise1.pb.gz", "heap_noise2.pb.gz"},
	                         {"bench_noise1.txt", "bench_noise2.txt"}};
	json_t *r = eval_pair(&all, &pol, &o);
	assert_clean_pass(r, &o);
	/* no regression is listed; a dimension with no listed change rates
	 * 8.0 (DESIGN §4), one with improvements only more */
	ck_assert_int_eq(json_array_size(json_object_get(r, "cpu_regressions")), 0);
	ck_assert_int_eq(json_array_size(json_object_get(r, "alloc_regressions")), 0);
	if (json_array_size(json_object_get(r, "cpu_improvements")) == 0)
		ck_assert_double_eq(o.rating_cpu, 8.0);
	if (json_array_size(json_object_get(r, "alloc_improvements")) == 0)
		ck_assert_double_eq(o.rating_memory, 8.0);
	ck_assert_double_ge(o.rating_cpu, 8.0);
	ck_assert_double_ge(o.rating_memory, 8.0);
	/* benchmarks: benchstat's significant time changes (reference pair) */
	json_t *ref = gt_ref("pair_bench_noise.json"), *l, *e;
	const char *list;
	size_t at, faster = 0, slower = 0;
	json_object_foreach(json_object_get(ref, "gates"), list, l)
	{
		json_array_foreach(l, at, e)
		{
			if (strcmp(json_string_value(json_object_get(e, "unit")), "sec/op") != 0 ||
			    strcmp(json_string_value(json_object_get(e, "benchstat_delta")), "~") ==
			            0)
				continue;
			if (json_number_value(json_object_get(e, "delta_pct_from_medians")) > 0)
				slower++;
			else
				faster++;
		}
	}
	json_decref(ref);
	if (!faster && !slower)
		ck_assert_double_eq(o.rating_bench, 8.0);
	else if (!slower)
		ck_assert_double_gt(o.rating_bench, 8.0);
	else if (!faster)
		ck_assert_double_lt(o.rating_bench, 8.0);
	json_decref(r);

	/* each pair on its own as well */
	const struct pair one[3] = {{{"cpu_noise1.pb.gz", "cpu_noise2.pb.gz"}, {0}, {0}},
	                            {{0}, {"heap_noise1.pb.gz", "heap_noise2.pb.gz"}, {0}},
	                            {{0}, {0}, {"bench_noise1.txt", "bench_noise2.txt"}}};
	for (int k = 0; k < 3; k++) {
		r = eval_pair(&one[k], &pol, &o);
		ck_assert_int_eq(o.verdict, PF_VERDICT_PASS);
		size_t i;
		json_t *g;
		json_array_foreach(json_object_get(r, "gates"), i, g)
		{
			const char *st = json_string_value(json_object_get(g, "status"));
			ck_assert(strcmp(st, "pass") == 0 || strcmp(st, "skipped") == 0);
			ck_assert_int_eq(json_array_size(json_object_get(g, "violations")), 0);
		}
		json_decref(r);
	}
}
END_TEST

START_TEST(count3_insufficient)
{
	struct pf_policy pol = gt_policy("AI_GATE_ENABLE", "true", NULL);
	struct pf_gate_outcome o;
	const struct pair p = {{0}, {0}, {"bench_base_count3.txt", "bench_cand_count3.txt"}};
	json_t *r = eval_pair(&p, &pol, &o);
	/* slowdowns past the threshold with too few runs to tell: they fail
	 * the gate, marked insufficient (none is significant at n = 3) */
	json_t *ref = gt_ref("pair_bench_count3.json");
	const json_t *g = json_object_get(ref, "gates");
	const json_t *few = json_object_get(g, "time_slowdown_gt_5_pct_insufficient_samples");
	ck_assert_int_eq(json_array_size(json_object_get(g, "time_slowdown_gt_5_pct_significant")),
	                 0);
	ck_assert_int_gt(json_array_size(few), 0);
	expect_gate(r, "bench_slowdown", gt_ref_names(few, false, "sec/op"), "fail");
	json_decref(ref);
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(gt_gate(r, "bench_slowdown"), "violations"), i, v)
	{
		ck_assert(json_is_true(json_object_get(v, "insufficient_samples")));
		ck_assert_int_eq(json_integer_value(json_array_get(json_object_get(v, "n"), 0)), 3);
	}
	ck_assert_str_eq(gt_status(r, "cpu_hotspot"), "skipped");
	ck_assert_str_eq(json_string_value(json_object_get(gt_gate(r, "cpu_hotspot"), "reason")),
	                 "no cpu profile on either side");
	ck_assert_int_eq(o.verdict, PF_VERDICT_FAIL);
	assert_valid(r);
	json_decref(r);
}
END_TEST

START_TEST(schema_rejects)
{
	struct pf_policy pol = gt_policy(NULL);
	struct pf_gate_outcome o;
	const struct pair p = {{0}, {0}, {"bench_noise1.txt", "bench_noise2.txt"}};
	json_t *r = eval_pair(&p, &pol, &o);
	assert_valid(r);
	/* the validator does reject: a wrong enum, a missing key, a stray key */
	json_t *bad = json_deep_copy(r);
	json_object_set_new(bad, "verdict", json_string("maybe"));
	ck_assert_ptr_nonnull(validate(bad, schema_root, "$"));
	json_decref(bad);
	bad = json_deep_copy(r);
	json_object_del(bad, "cpu_regressions");
	ck_assert_str_eq(validate(bad, schema_root, "$"), "$: missing 'cpu_regressions'");
	json_decref(bad);
	bad = json_deep_copy(r);
	json_object_set_new(json_array_get(json_object_get(bad, "gates"), 0), "extra", json_true());
	ck_assert_str_eq(validate(bad, schema_root, "$"), "$.gates[0].extra: property not allowed");
	json_decref(bad);
	bad = json_deep_copy(r);
	json_object_set_new(json_object_get(bad, "rating"), "overall", json_real(11));
	ck_assert_ptr_nonnull(validate(bad, schema_root, "$"));
	json_decref(bad);
	json_decref(r);
}
END_TEST

START_TEST(no_baseline_and_analyzer_valid)
{
	struct pf_arena a;
	struct pf_err e;
	struct pf_gate_outcome o;
	struct pf_policy pol = gt_policy("AI_GATE_ENABLE", "true", NULL);
	pf_arena_init(&a, 0);
	const char *an = "{\"cpu_regressions\": [\"main.process: 8.0% -> 16.4% (8.4% "
	                 "regression)\"], \"rating\": {\"cpu\": 7, \"overall\": 6}}";
	json_t *aj;
	ck_assert_int_eq(pf_analyzer_parse(an, strlen(an), &aj, &e), PF_OK);
	struct pf_gate_input in = {.has_baseline = false,
	                           .cand_cpu = gt_profile(&a, "cpu_cand.pb.gz", false),
	                           .analyzer = aj};
	ck_assert_int_eq(pf_gate_evaluate(&in, &pol, NULL, &a, &o, &e), PF_OK);
	ck_assert_int_eq(o.verdict, PF_VERDICT_PASS);
	assert_valid(o.report);
	assert_change_strings(o.report);
	json_decref(o.report);
	json_decref(aj);
	pf_arena_free(&a);
}
END_TEST

/* The gate step CI scripts already run on the analyzer's report.json. */
START_TEST(jq_gate_step)
{
	struct pf_policy pol = gt_policy("AI_GATE_ENABLE", "true", NULL);
	struct pf_gate_outcome o;
	json_t *r = eval_pair(&base_cand, &pol, &o);
	char *text = json_dumps(r, JSON_INDENT(2));
	char *path = pf_test_write_temp(text, strlen(text), ".json");
	char cmd[1024];
	int st;
	snprintf(cmd, sizeof cmd,
	         "COUNT_REG=$(jq '.cpu_regressions | length' '%s') && echo \"$COUNT_REG\"", path);
	char *out = pf_test_run(cmd, &st), want[4096];
	ck_assert_int_eq(st, 0);
	snprintf(want, sizeof want, "%zu\n",
	         json_array_size(json_object_get(r, "cpu_regressions")));
	ck_assert_str_eq(out, want);
	ck_assert_str_ne(out, "0\n"); /* the pair regresses */
	free(out);
	snprintf(cmd, sizeof cmd,
	         "jq -r '.verdict, (.gates[] | select(.status == \"fail\") | .id)' '%s'", path);
	out = pf_test_run(cmd, &st);
	size_t used = (size_t)snprintf(want, sizeof want, "%s\n", pf_verdict_name(o.verdict));
	size_t i;
	json_t *g;
	json_array_foreach(json_object_get(r, "gates"), i, g)
	{
		if (strcmp(json_string_value(json_object_get(g, "status")), "fail") == 0)
			used += (size_t)snprintf(want + used, sizeof want - used, "%s\n",
			                         json_string_value(json_object_get(g, "id")));
	}
	ck_assert_str_eq(out, want);
	ck_assert(strncmp(out, "fail\ncpu_hotspot\n", 17) == 0);
	free(out);
	unlink(path);
	free(path);
	free(text);
	json_decref(r);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("gate_golden");
	TCase *tc = tcase_create("fixtures");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, base_cand_enable_true);
	tcase_add_test(tc, base_cand_enable_false_warns);
	tcase_add_test(tc, noise_pairs_pass);
	tcase_add_test(tc, count3_insufficient);
	tcase_add_test(tc, schema_rejects);
	tcase_add_test(tc, no_baseline_and_analyzer_valid);
	tcase_add_test(tc, jq_gate_step);
	suite_add_tcase(s, tc);
	return pft_run_suite(s);
}
