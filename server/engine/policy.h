/* policy.h: the gate policy, the AI_GATE_* keys of DESIGN §3. One parser
 * for every layer (defaults, daemon configuration, project settings,
 * upload fields) and one resolver that takes the layers and returns the
 * effective policy, which every report echoes. Pure: no I/O, no globals. */
#ifndef PF_POLICY_H
#define PF_POLICY_H

#include <jansson.h>
#include <stdbool.h>

#include "pf_err.h"

enum pf_gate_id {
	PF_GATE_CPU,         /* cpu_hotspot */
	PF_GATE_ALLOC,       /* alloc_regression */
	PF_GATE_BENCH,       /* bench_slowdown */
	PF_GATE_RATING,      /* rating */
	PF_GATE_NEW_HOTSPOT, /* new_hotspot */
	PF_GATE__COUNT
};

enum pf_gate_mode { PF_MODE_OFF, PF_MODE_SOFT, PF_MODE_HARD };

/* The keys, in the order of DESIGN §3. */
enum pf_policy_key {
	PF_PK_ENABLE,
	PF_PK_CPU_REG_MAX,
	PF_PK_MEM_REG_MAX,
	PF_PK_BENCH_SLOW_MAX,
	PF_PK_MIN_RATING,
	PF_PK_NEW_HOTSPOT_MIN,
	PF_PK_REPORT_MIN,
	PF_PK_ALPHA,
	PF_PK_BASELINE_RUNS,
	PF_PK_MODE_CPU,
	PF_PK_MODE_ALLOC,
	PF_PK_MODE_BENCH,
	PF_PK_MODE_RATING,
	PF_PK_MODE_NEW_HOTSPOT,
	PF_PK__COUNT
};

/* One layer: the keys it sets, as validated strings (NULL = not set).
 * Strings are borrowed from the caller for the layer's lifetime. */
struct pf_policy_layer {
	const char *value[PF_PK__COUNT];
};

struct pf_policy {
	bool enable;
	double cpu_reg_max, mem_reg_max, bench_slow_max, min_rating, new_hotspot_min, report_min,
	        alpha;
	int baseline_runs;
	enum pf_gate_mode mode[PF_GATE__COUNT]; /* effective modes */
};

/* "AI_GATE_ENABLE" ... ; NULL for an out-of-range key. */
const char *pf_policy_key_name(enum pf_policy_key k);
/* Key by name; false when name is not an AI_GATE_* key. */
bool pf_policy_key_find(const char *name, enum pf_policy_key *out);
/* Default value of a key as text ("8"); NULL for the modes (from ENABLE). */
const char *pf_policy_key_default(enum pf_policy_key k);
/* One line of help for a key. */
const char *pf_policy_key_help(enum pf_policy_key k);
/* Stable gate id ("cpu_hotspot") and mode name ("hard"). */
const char *pf_gate_name(enum pf_gate_id g);
const char *pf_gate_mode_name(enum pf_gate_mode m);

/* Validate one value of a key; PF_E_BAD_CONFIG naming the key and the
 * value (err->field = the key). */
enum pf_code pf_policy_check(enum pf_policy_key k, const char *value,
                             struct pf_err *err) PF_MUSTCHECK;
/* Validate and set name=value in a layer (value borrowed). Unknown names
 * are PF_E_BAD_CONFIG. */
enum pf_code pf_policy_layer_set(struct pf_policy_layer *l, const char *name, const char *value,
                                 struct pf_err *err) PF_MUSTCHECK;

/* The effective policy of n layers, lowest precedence first (e.g. daemon,
 * project, request); the defaults lie under them all. Each key takes the
 * value of the highest layer that sets it. A gate's mode is its
 * AI_GATE_MODE_* key when any layer sets it, else from AI_GATE_ENABLE:
 * false -> soft for every gate; true -> hard for cpu_hotspot,
 * alloc_regression, bench_slowdown and rating, soft for new_hotspot. */
enum pf_code pf_policy_resolve(const struct pf_policy_layer *const *layers, size_t n,
                               struct pf_policy *out, struct pf_err *err) PF_MUSTCHECK;

/* {"AI_GATE_ENABLE": true, "AI_GATE_CPU_REG_MAX": 8, ..., "AI_GATE_MODE_CPU": "hard", ...}:
 * every key with its effective value. New reference. */
json_t *pf_policy_json(const struct pf_policy *p);

#endif
