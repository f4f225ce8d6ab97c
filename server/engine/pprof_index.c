/* pprof_index.c: choosing a sample column of a decoded profile (spec
 * §5, profile/index.go; DESIGN §4 for the gate default and the count
 * column). No I/O. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pprof.h"

int pf_pprof_sample_index(const struct pf_profile *p, const char *name, struct pf_err *err)
{
	if (p->n_types == 0) {
		pf_err_set(err, PF_E_BAD_PROFILE, NULL, "profile has no sample types");
		return -1;
	}
	if (!name || !*name) {
		for (size_t i = 0; *p->default_type && i < p->n_types; i++)
			if (strcmp(p->types[i].type, p->default_type) == 0)
				return (int)i;
		return (int)p->n_types - 1;
	}
	char *endp;
	long v = strtol(name, &endp, 10);
	if (*endp == '\0' && endp != name) {
		if (v < 0 || (size_t)v >= p->n_types) {
			pf_err_set(err, PF_E_BAD_REQUEST, "sample_index",
			           "sample index %s is outside the range [0..%zu]", name,
			           p->n_types - 1);
			return -1;
		}
		return (int)v;
	}
	const char *noinuse = strncmp(name, "inuse_", 6) == 0 ? name + 6 : name;
	for (size_t i = 0; i < p->n_types; i++)
		if (strcmp(p->types[i].type, name) == 0 || strcmp(p->types[i].type, noinuse) == 0)
			return (int)i;
	char list[256] = "";
	size_t used = 0;
	for (size_t i = 0; i < p->n_types && used < sizeof list - 1; i++) {
		int n = snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "",
		                 p->types[i].type);
		if (n < 0)
			break;
		used += (size_t)n;
	}
	pf_err_set(err, PF_E_BAD_REQUEST, "sample_index", "sample index \"%s\" must be one of: %s",
	           name, list);
	return -1;
}

const char *pf_pprof_kind_index(const char *kind)
{
	return strcmp(kind, "cpu") == 0 ? NULL : "alloc_space";
}

int pf_pprof_gate_index(const struct pf_profile *p)
{
	for (size_t i = 0; i < p->n_types; i++)
		if (strcmp(p->types[i].type, "cpu") == 0)
			return (int)i;
	return p->n_types ? pf_pprof_sample_index(p, NULL, NULL) : -1;
}

int pf_pprof_choose_index(const struct pf_profile *p, const char *name, struct pf_err *err)
{
	if (name)
		return pf_pprof_sample_index(p, name, err);
	int i = pf_pprof_gate_index(p);
	if (i < 0)
		pf_err_set(err, PF_E_BAD_PROFILE, NULL, "profile has no sample types");
	return i;
}

int pf_pprof_count_index(const struct pf_profile *p)
{
	for (size_t i = 0; i < p->n_types; i++)
		if (strcmp(p->types[i].type, "samples") == 0 &&
		    strcmp(p->types[i].unit, "count") == 0)
			return (int)i;
	return -1;
}
