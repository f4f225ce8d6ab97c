/* speedscope.c: speedscope export (speedscope.h, spec/speedscope.md §7).
 * Owns frame de-duplication and stack ordering; builds jansson values
 * only. No I/O. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "functab.h"
#include "speedscope.h"

#define SCHEMA "https://www.speedscope.app/file-format-schema.json"

struct frames {
	json_t *arr;        /* shared.frames */
	json_t *index;      /* "name\nfile" -> frame index */
	int64_t *fn_frame;  /* per function, -1 until seen */
	int64_t *loc_frame; /* per line-less location, -1 until seen */
};

static int64_t frame_of(struct frames *f, const char *name, const char *file, int64_t line)
{
	size_t n = strlen(name) + strlen(file) + 2;
	char *key = malloc(n);
	if (!key)
		return -1;
	snprintf(key, n, "%s\n%s", name, file);
	json_t *hit = json_object_get(f->index, key);
	int64_t id;
	if (hit) {
		id = (int64_t)json_integer_value(hit);
	} else {
		json_t *fr = json_pack("{s:o}", "name", pf_json_text(*name ? name : "(unknown)"));
		if (fr && *file)
			json_object_set_new(fr, "file", pf_json_text(file));
		if (fr && line > 0)
			json_object_set_new(fr, "line", json_integer(line));
		id = (int64_t)json_array_size(f->arr);
		if (!fr || json_array_append_new(f->arr, fr) ||
		    json_object_set_new(f->index, key, json_integer(id)))
			id = -1;
	}
	free(key);
	return id;
}

static const char *ss_unit(const char *u)
{
	static const char *const ok[] = {"nanoseconds", "microseconds", "milliseconds", "seconds",
	                                 "bytes"};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
		if (strcmp(u, ok[i]) == 0)
			return ok[i];
	return "none";
}

/* Frame indices of location l, innermost line first (as in the profile). */
static bool loc_frames(const struct pf_profile *p, struct frames *f, uint32_t li, json_t *stack)
{
	const struct pf_pprof_location *l = &p->locations[li];
	if (l->n_lines == 0) {
		if (f->loc_frame[li] < 0) {
			char nm[32];
			snprintf(nm, sizeof nm, "0x%" PRIx64, l->address);
			const char *file = l->mapping != PF_PPROF_NO_MAPPING
			                           ? p->mappings[l->mapping].filename
			                           : "";
			f->loc_frame[li] = frame_of(f, nm, file, 0);
		}
		return f->loc_frame[li] >= 0 &&
		       json_array_append_new(stack, json_integer(f->loc_frame[li])) == 0;
	}
	for (uint32_t j = l->n_lines; j-- > 0;) { /* outermost caller first */
		uint32_t fn = l->lines[j].func;
		if (f->fn_frame[fn] < 0) {
			const struct pf_pprof_function *pf = &p->functions[fn];
			f->fn_frame[fn] = frame_of(f, pf->name, pf->filename, pf->start_line);
		}
		if (f->fn_frame[fn] < 0 ||
		    json_array_append_new(stack, json_integer(f->fn_frame[fn])) != 0)
			return false;
	}
	return true;
}

static enum pf_code one_profile(const struct pf_profile *p, int idx, struct frames *f,
                                json_t *profiles, struct pf_err *err)
{
	json_t *samples = json_array(), *weights = json_array();
	int64_t end = 0;
	for (size_t i = 0; samples && weights && i < p->n_samples; i++) {
		const struct pf_pprof_sample *s = &p->samples[i];
		int64_t w = s->values[idx];
		if (w == 0)
			continue;
		if (w < 0) {
			json_decref(samples);
			json_decref(weights);
			return pf_err_set(err, PF_E_UNPROCESSABLE, NULL,
			                  "sample #%zu has a negative %s value: speedscope cannot "
			                  "show negative weights (diff profile?)",
			                  i, p->types[idx].type);
		}
		json_t *stack = json_array();
		for (uint32_t k = s->n_locs; stack && k-- > 0;)
			if (!loc_frames(p, f, pf_pprof_sample_loc(p, s, k), stack)) {
				json_decref(stack);
				stack = NULL;
			}
		if (!stack || json_array_append_new(samples, stack) ||
		    json_array_append_new(weights, json_integer(w)))
			goto oom;
		end += w;
	}
	if (!samples || !weights)
		goto oom;
	json_t *prof = json_pack("{s:s, s:o, s:s, s:i, s:I, s:o, s:o}", "type", "sampled", "name",
	                         pf_json_text(p->types[idx].type), "unit",
	                         ss_unit(p->types[idx].unit), "startValue", 0, "endValue",
	                         (json_int_t)end, "samples", samples, "weights", weights);
	if (!prof || json_array_append_new(profiles, prof))
		return pf_err_set(err, PF_E_NOMEM, NULL, "out of memory");
	return PF_OK;
oom:
	json_decref(samples);
	json_decref(weights);
	return pf_err_set(err, PF_E_NOMEM, NULL, "out of memory building speedscope JSON");
}

enum pf_code pf_speedscope_json(const struct pf_profile *p, int index, const char *name,
                                json_t **out, struct pf_err *err)
{
	struct frames f;
	enum pf_code rc = PF_OK;
	*out = NULL;
	if (p->n_types == 0 || index < -1 || index >= (int)p->n_types)
		return pf_err_set(err, PF_E_BAD_REQUEST, "sample_index",
		                  "sample index %d is outside the range [0..%zu)", index,
		                  p->n_types);
	f.arr = json_array();
	f.index = json_object();
	f.fn_frame = malloc((p->n_functions + 1) * sizeof *f.fn_frame);
	f.loc_frame = malloc((p->n_locations + 1) * sizeof *f.loc_frame);
	json_t *profiles = json_array();
	if (!f.arr || !f.index || !f.fn_frame || !f.loc_frame || !profiles) {
		rc = pf_err_set(err, PF_E_NOMEM, NULL, "out of memory");
		goto out;
	}
	memset(f.fn_frame, 0xff, (p->n_functions + 1) * sizeof *f.fn_frame);
	memset(f.loc_frame, 0xff, (p->n_locations + 1) * sizeof *f.loc_frame);
	int active = 0;
	if (index >= 0) {
		rc = one_profile(p, index, &f, profiles, err);
	} else {
		active = pf_pprof_sample_index(p, NULL, NULL);
		for (size_t i = 0; rc == PF_OK && i < p->n_types; i++)
			rc = one_profile(p, (int)i, &f, profiles, err);
	}
	if (rc != PF_OK)
		goto out;
	*out = json_pack("{s:s, s:{s:O}, s:O, s:o, s:i, s:s}", "$schema", SCHEMA, "shared",
	                 "frames", f.arr, "profiles", profiles, "name",
	                 pf_json_text(name ? name : "profile"), "activeProfileIndex", active,
	                 "exporter", "perfgate@1");
	if (!*out)
		rc = pf_err_set(err, PF_E_NOMEM, NULL, "out of memory");
out:
	json_decref(f.arr);
	json_decref(f.index);
	json_decref(profiles);
	free(f.fn_frame);
	free(f.loc_frame);
	return rc;
}
