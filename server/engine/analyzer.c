/* analyzer.c: the analyzer report.json that teams' CI scripts already
 * produce (DESIGN §4), accepted as the `report` upload field and by
 * `perfgate gate --report`: parsed and validated here, kept whole under
 * the report's "analyzer". Pure: bytes in, json_t out, no I/O. */
#include <math.h>
#include <string.h>

#include "gate.h"

static const char *const list_keys[] = {"cpu_improvements", "cpu_regressions", "alloc_improvements",
                                        "alloc_regressions", "new_hotspots"};
static const char *const rating_keys[] = {"cpu", "memory", "bench", "overall"};

/* "analyzer report: 'key' must be what" */
static enum pf_code bad(struct pf_err *err, const char *key, const char *what)
{
	return pf_err_set(err, PF_E_BAD_REPORT, "report", "analyzer report: '%s' must be %s", key,
	                  what);
}

static enum pf_code check(const json_t *j, struct pf_err *err)
{
	if (!json_is_object(j))
		return pf_err_set(err, PF_E_BAD_REPORT, "report",
		                  "analyzer report: expected a JSON object at the top level");
	for (size_t k = 0; k < sizeof list_keys / sizeof list_keys[0]; k++) {
		const json_t *a = json_object_get(j, list_keys[k]);
		if (!a || json_is_null(a))
			continue;
		if (!json_is_array(a))
			return bad(err, list_keys[k], "an array of strings");
		for (size_t i = 0; i < json_array_size(a); i++)
			if (!json_is_string(json_array_get(a, i)))
				return pf_err_set(err, PF_E_BAD_REPORT, "report",
				                  "analyzer report: '%s'[%zu] must be a string",
				                  list_keys[k], i);
	}
	const json_t *r = json_object_get(j, "rating");
	if (r && !json_is_null(r)) {
		if (!json_is_object(r))
			return bad(err, "rating", "an object of numbers");
		for (size_t k = 0; k < sizeof rating_keys / sizeof rating_keys[0]; k++) {
			const json_t *v = json_object_get(r, rating_keys[k]);
			if (!v || json_is_null(v))
				continue;
			double d = json_number_value(v);
			if (!json_is_number(v) || !(d >= 0 && d <= 10))
				return pf_err_set(err, PF_E_BAD_REPORT, "report",
				                  "analyzer report: 'rating.%s' must be a number "
				                  "from 0 to 10",
				                  rating_keys[k]);
		}
	}
	const json_t *s = json_object_get(j, "summary");
	if (s && !json_is_null(s) && !json_is_string(s))
		return bad(err, "summary", "a string");
	return PF_OK;
}

enum pf_code pf_analyzer_parse(const char *text, size_t len, json_t **out, struct pf_err *err)
{
	json_error_t je;
	*out = NULL;
	if (len == 0)
		return pf_err_set(err, PF_E_EMPTY, "report", "analyzer report: empty");
	json_t *j = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	if (!j)
		return pf_err_set(err, PF_E_BAD_REPORT, "report",
		                  "analyzer report: invalid JSON at line %d, column %d: %s",
		                  je.line, je.column, je.text);
	enum pf_code rc = check(j, err);
	if (rc) {
		json_decref(j);
		return rc;
	}
	*out = j;
	return PF_OK;
}
