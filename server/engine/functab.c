/* functab.c: sorting, merging and the JSON form of function tables
 * (functab.h). The graph that produces a table lives in functab_graph.c.
 * No I/O, no logging. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "functab.h"

static int64_t abs64(int64_t v)
{
	return v < 0 ? -v : v;
}

static int cmp_flat(const void *a, const void *b)
{
	const struct pf_functab_row *l = a, *r = b;
	int64_t x = abs64(l->flat), y = abs64(r->flat);
	if (x != y)
		return x > y ? -1 : 1;
	int c = strcmp(l->name, r->name);
	if (c)
		return c;
	x = abs64(l->cum), y = abs64(r->cum);
	return x == y ? 0 : (x > y ? -1 : 1);
}

static int cmp_cum(const void *a, const void *b)
{
	const struct pf_functab_row *l = a, *r = b;
	int64_t x = abs64(l->cum), y = abs64(r->cum);
	if (x != y)
		return x > y ? -1 : 1;
	int c = strcmp(l->name, r->name);
	if (c)
		return c;
	x = abs64(l->flat), y = abs64(r->flat);
	return x == y ? 0 : (x > y ? -1 : 1);
}

void pf_functab_sort(struct pf_functab *t, bool cum_sort)
{
	if (t->n_rows > 1)
		qsort(t->rows, t->n_rows, sizeof *t->rows, cum_sort ? cmp_cum : cmp_flat);
}

const char *pf_functab_inline_label(unsigned inl)
{
	if (!(inl & PF_FT_INLINE))
		return "";
	return (inl & PF_FT_CALL) ? " (partial-inline)" : " (inline)";
}

static int cmp_name(const void *a, const void *b)
{
	const struct pf_functab_row *const *l = a, *const *r = b;
	return strcmp((*l)->name, (*r)->name);
}

enum pf_code pf_functab_merge(const struct pf_functab *const *tabs, size_t n,
                              struct pf_arena *arena, struct pf_functab **out, struct pf_err *err)
{
	size_t total_rows = 0;
	*out = NULL;
	if (n == 0)
		return pf_err_set(err, PF_E_BAD_REQUEST, NULL, "nothing to merge");
	for (size_t i = 0; i < n; i++) {
		if (strcmp(tabs[i]->sample_index, tabs[0]->sample_index) != 0 ||
		    strcmp(tabs[i]->unit, tabs[0]->unit) != 0)
			return pf_err_set(err, PF_E_BAD_REQUEST, NULL,
			                  "cannot merge %s/%s with %s/%s", tabs[0]->sample_index,
			                  tabs[0]->unit, tabs[i]->sample_index, tabs[i]->unit);
		total_rows += tabs[i]->n_rows;
	}
	struct pf_functab *t = pf_arena_calloc(arena, 1, sizeof *t);
	const struct pf_functab_row **all = malloc((total_rows ? total_rows : 1) * sizeof *all);
	if (!t || !all) {
		free(all);
		return pf_err_set(err, PF_E_NOMEM, NULL, "out of memory merging tables");
	}
	bool counted = true;
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		t->total += tabs[i]->total;
		t->total_samples += tabs[i]->total_samples;
		counted = counted && tabs[i]->total_samples >= 0;
		for (size_t j = 0; j < tabs[i]->n_rows; j++)
			all[k++] = &tabs[i]->rows[j];
	}
	qsort(all, total_rows, sizeof *all, cmp_name);
	t->sample_index = pf_arena_strdup(arena, tabs[0]->sample_index);
	t->unit = pf_arena_strdup(arena, tabs[0]->unit);
	t->rows = pf_arena_calloc(arena, total_rows ? total_rows : 1, sizeof *t->rows);
	if (!t->rows || !t->sample_index || !t->unit) {
		free(all);
		return pf_err_set(err, PF_E_NOMEM, NULL, "out of memory merging tables");
	}
	for (size_t i = 0; i < total_rows; i++) {
		struct pf_functab_row *r = &t->rows[t->n_rows];
		if (i == 0 || strcmp(all[i]->name, all[i - 1]->name) != 0) {
			t->n_rows++;
			r->name = pf_arena_strdup(arena, all[i]->name);
			if (!r->name) {
				free(all);
				return pf_err_set(err, PF_E_NOMEM, NULL, "out of memory");
			}
		} else {
			r = &t->rows[t->n_rows - 1];
		}
		r->inl |= all[i]->inl;
		r->flat += all[i]->flat;
		r->cum += all[i]->cum;
		r->flat_samples += all[i]->flat_samples;
		r->cum_samples += all[i]->cum_samples;
	}
	free(all);
	if (!counted) {
		t->total_samples = -1;
		for (size_t i = 0; i < t->n_rows; i++)
			t->rows[i].flat_samples = t->rows[i].cum_samples = -1;
	}
	pf_functab_sort(t, false);
	*out = t;
	return PF_OK;
}

/* --- JSON --------------------------------------------------------------- */

static size_t utf8_len(const unsigned char *s)
{
	if (s[0] < 0x80)
		return 1;
	size_t n = (s[0] & 0xe0) == 0xc0   ? 2
	           : (s[0] & 0xf0) == 0xe0 ? 3
	           : (s[0] & 0xf8) == 0xf0 ? 4
	                                   : 0;
	if (n == 0 || (n == 2 && s[0] < 0xc2) || (n == 4 && s[0] > 0xf4))
		return 0;
	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	if (n == 3 && ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] >= 0xa0)))
		return 0;
	if (n == 4 && ((s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] >= 0x90)))
		return 0;
	return n;
}

json_t *pf_json_text(const char *s)
{
	json_t *j = json_string(s);
	if (j || !s)
		return j;
	/* invalid UTF-8: replace offending bytes with U+FFFD */
	size_t n = strlen(s);
	char *fixed = malloc(n * 3 + 1);
	if (!fixed)
		return NULL;
	size_t o = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		size_t k = utf8_len(p);
		if (k == 0) {
			memcpy(fixed + o, "\xef\xbf\xbd", 3);
			o += 3;
			p++;
		} else {
			memcpy(fixed + o, p, k);
			o += k;
			p += k;
		}
	}
	fixed[o] = '\0';
	j = json_string(fixed);
	free(fixed);
	return j;
}

static double pct(int64_t v, int64_t total)
{
	if (total == 0)
		return 0;
	return round(100.0 * (double)v / (double)total * 1e4) / 1e4;
}

json_t *pf_functab_json(const struct pf_functab *t, size_t limit)
{
	json_t *fns = json_array();
	size_t n = limit && limit < t->n_rows ? limit : t->n_rows;
	for (size_t i = 0; fns && i < n; i++) {
		const struct pf_functab_row *r = &t->rows[i];
		json_t *o =
		        json_pack("{s:o, s:b, s:I, s:f, s:I, s:f}", "name", pf_json_text(r->name),
		                  "inline", (r->inl & PF_FT_INLINE) && !(r->inl & PF_FT_CALL),
		                  "flat", (json_int_t)r->flat, "flat_pct", pct(r->flat, t->total),
		                  "cum", (json_int_t)r->cum, "cum_pct", pct(r->cum, t->total));
		if (o && (r->inl & PF_FT_INLINE) && (r->inl & PF_FT_CALL))
			json_object_set_new(o, "partial_inline", json_true());
		if (!o || json_array_append_new(fns, o) != 0) {
			json_decref(fns);
			return NULL;
		}
	}
	if (!fns)
		return NULL;
	return json_pack("{s:o, s:o, s:I, s:o}", "sample_index", pf_json_text(t->sample_index),
	                 "unit", pf_json_text(t->unit), "total", (json_int_t)t->total, "functions",
	                 fns);
}
