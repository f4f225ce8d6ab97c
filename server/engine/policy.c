/* policy.c: AI_GATE_* keys: table, validation, layering, JSON echo. */
#include "policy.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

enum ktype { K_BOOL, K_NUM, K_ALPHA, K_RUNS, K_MODE };

static const struct {
	const char *name;
	enum ktype type;
	const char *def;
	const char *help;
} keys[PF_PK__COUNT] = {
        [PF_PK_ENABLE] = {"AI_GATE_ENABLE", K_BOOL, "false",
                          "true: hard gates fail the verdict; false: every gate only warns"},
        [PF_PK_CPU_REG_MAX] = {"AI_GATE_CPU_REG_MAX", K_NUM, "8",
                               "CPU hotspot: max rise of a function's flat% (percentage points)"},
        [PF_PK_MEM_REG_MAX] = {"AI_GATE_MEM_REG_MAX", K_NUM, "10",
                               "allocation: max rise of a function's alloc_space flat% (points)"},
        [PF_PK_BENCH_SLOW_MAX] = {"AI_GATE_BENCH_SLOW_MAX", K_NUM, "5",
                                  "benchmark: max time/op slowdown in percent"},
        [PF_PK_MIN_RATING] = {"AI_GATE_MIN_RATING", K_NUM, "5",
                              "overall rating (0-10) below this fails"},
        [PF_PK_NEW_HOTSPOT_MIN] = {"AI_GATE_NEW_HOTSPOT_MIN", K_NUM, "4",
                                   "new hotspot alert: flat% of a function new since the baseline"},
        [PF_PK_REPORT_MIN] = {"AI_GATE_REPORT_MIN", K_NUM, "1",
                              "changes smaller than this (points or percent) are not listed"},
        [PF_PK_ALPHA] = {"AI_GATE_ALPHA", K_ALPHA, "0.05",
                         "significance level for benchmark and profile tests"},
        [PF_PK_BASELINE_RUNS] = {"AI_GATE_BASELINE_RUNS", K_RUNS, "3",
                                 "how many latest baseline runs are merged into the baseline"},
        [PF_PK_MODE_CPU] = {"AI_GATE_MODE_CPU", K_MODE, NULL,
                            "off, soft or hard for the cpu_hotspot gate (default from "
                            "AI_GATE_ENABLE)"},
        [PF_PK_MODE_ALLOC] = {"AI_GATE_MODE_ALLOC", K_MODE, NULL,
                              "off, soft or hard for the alloc_regression gate"},
        [PF_PK_MODE_BENCH] = {"AI_GATE_MODE_BENCH", K_MODE, NULL,
                              "off, soft or hard for the bench_slowdown gate"},
        [PF_PK_MODE_RATING] = {"AI_GATE_MODE_RATING", K_MODE, NULL,
                               "off, soft or hard for the rating gate"},
        [PF_PK_MODE_NEW_HOTSPOT] = {"AI_GATE_MODE_NEW_HOTSPOT", K_MODE, NULL,
                                    "off, soft or hard for the new_hotspot gate (default soft)"},
};

static const char *const gate_names[PF_GATE__COUNT] = {"cpu_hotspot", "alloc_regression",
                                                       "bench_slowdown", "rating", "new_hotspot"};
static const char *const mode_names[3] = {"off", "soft", "hard"};

const char *pf_policy_key_name(enum pf_policy_key k)
{
	return (unsigned)k < PF_PK__COUNT ? keys[k].name : NULL;
}

const char *pf_policy_key_default(enum pf_policy_key k)
{
	return (unsigned)k < PF_PK__COUNT ? keys[k].def : NULL;
}

const char *pf_policy_key_help(enum pf_policy_key k)
{
	return (unsigned)k < PF_PK__COUNT ? keys[k].help : NULL;
}

bool pf_policy_key_find(const char *name, enum pf_policy_key *out)
{
	for (int i = 0; i < PF_PK__COUNT; i++)
		if (strcmp(keys[i].name, name) == 0) {
			*out = (enum pf_policy_key)i;
			return true;
		}
	return false;
}

const char *pf_gate_name(enum pf_gate_id g)
{
	return (unsigned)g < PF_GATE__COUNT ? gate_names[g] : "unknown";
}

const char *pf_gate_mode_name(enum pf_gate_mode m)
{
	return (unsigned)m < 3 ? mode_names[m] : "off";
}

static bool parse_mode(const char *s, enum pf_gate_mode *m)
{
	for (int i = 0; i < 3; i++)
		if (strcmp(s, mode_names[i]) == 0) {
			*m = (enum pf_gate_mode)i;
			return true;
		}
	return false;
}

enum pf_code pf_policy_check(enum pf_policy_key k, const char *v, struct pf_err *err)
{
	const char *name = keys[k].name, *why = NULL;
	bool b;
	double d;
	int64_t n;
	enum pf_gate_mode m;

	switch (keys[k].type) {
	case K_BOOL:
		if (!pf_parse_bool(v, &b))
			why = "expected true or false";
		break;
	case K_NUM:
		if (!pf_parse_double(v, &d) || d < 0)
			why = "expected a number >= 0";
		break;
	case K_ALPHA:
		if (!pf_parse_double(v, &d) || d <= 0 || d >= 1)
			why = "expected a number between 0 and 1";
		break;
	case K_RUNS:
		if (!pf_parse_i64(v, &n) || n < 1 || n > 100)
			why = "expected a whole number 1..100";
		break;
	case K_MODE:
		if (!parse_mode(v, &m))
			why = "expected off, soft or hard";
		break;
	}
	if (why)
		return pf_err_set(err, PF_E_BAD_CONFIG, name, "%s: invalid value '%.100s': %s",
		                  name, v, why);
	return PF_OK;
}

enum pf_code pf_policy_layer_set(struct pf_policy_layer *l, const char *name, const char *value,
                                 struct pf_err *err)
{
	enum pf_policy_key k;
	if (!pf_policy_key_find(name, &k))
		return pf_err_set(err, PF_E_BAD_CONFIG, name, "unknown gate policy key '%.100s'",
		                  name);
	enum pf_code rc = pf_policy_check(k, value, err);
	if (rc)
		return rc;
	l->value[k] = value;
	return PF_OK;
}

enum pf_code pf_policy_resolve(const struct pf_policy_layer *const *layers, size_t n,
                               struct pf_policy *out, struct pf_err *err)
{
	const char *v[PF_PK__COUNT];
	int64_t runs;

	for (int k = 0; k < PF_PK__COUNT; k++) {
		v[k] = keys[k].def;
		for (size_t i = 0; i < n; i++)
			if (layers[i] && layers[i]->value[k])
				v[k] = layers[i]->value[k];
		if (v[k]) {
			enum pf_code rc = pf_policy_check((enum pf_policy_key)k, v[k], err);
			if (rc)
				return rc;
		}
	}
	memset(out, 0, sizeof *out);
	pf_parse_bool(v[PF_PK_ENABLE], &out->enable);
	pf_parse_double(v[PF_PK_CPU_REG_MAX], &out->cpu_reg_max);
	pf_parse_double(v[PF_PK_MEM_REG_MAX], &out->mem_reg_max);
	pf_parse_double(v[PF_PK_BENCH_SLOW_MAX], &out->bench_slow_max);
	pf_parse_double(v[PF_PK_MIN_RATING], &out->min_rating);
	pf_parse_double(v[PF_PK_NEW_HOTSPOT_MIN], &out->new_hotspot_min);
	pf_parse_double(v[PF_PK_REPORT_MIN], &out->report_min);
	pf_parse_double(v[PF_PK_ALPHA], &out->alpha);
	pf_parse_i64(v[PF_PK_BASELINE_RUNS], &runs);
	out->baseline_runs = (int)runs;
	for (int g = 0; g < PF_GATE__COUNT; g++) {
		const char *mv = v[PF_PK_MODE_CPU + g];
		if (mv)
			parse_mode(mv, &out->mode[g]);
		else if (!out->enable)
			out->mode[g] = PF_MODE_SOFT;
		else
			out->mode[g] = g == PF_GATE_NEW_HOTSPOT ? PF_MODE_SOFT : PF_MODE_HARD;
	}
	return PF_OK;
}

/* Whole numbers print as integers ("8", not "8.0"), as teams write them. */
static json_t *num(double d)
{
	if (d == floor(d) && fabs(d) < 9007199254740992.0)
		return json_integer((json_int_t)d);
	return json_real(d);
}

json_t *pf_policy_json(const struct pf_policy *p)
{
	json_t *j = json_object();
	const double nums[] = {p->cpu_reg_max,     p->mem_reg_max, p->bench_slow_max, p->min_rating,
	                       p->new_hotspot_min, p->report_min,  p->alpha};
	json_object_set_new(j, keys[PF_PK_ENABLE].name, json_boolean(p->enable));
	for (int i = 0; i < 7; i++)
		json_object_set_new(j, keys[PF_PK_CPU_REG_MAX + i].name, num(nums[i]));
	json_object_set_new(j, keys[PF_PK_BASELINE_RUNS].name, json_integer(p->baseline_runs));
	for (int g = 0; g < PF_GATE__COUNT; g++)
		json_object_set_new(j, keys[PF_PK_MODE_CPU + g].name,
		                    json_string(mode_names[p->mode[g]]));
	return j;
}
