/* pprof_idmap.c: the decoder's uint64 id -> uint32 index maps (dense
 * array for Go's 1..n numbering, open addressing for the rest), malloc'ed
 * and freed by the decoder. No I/O. */
#include <stdlib.h>
#include <string.h>

#include "pprof_int.h"

bool pf_pp_idmap_init(struct pf_pp_idmap *m, size_t n)
{
	memset(m, 0, sizeof *m);
	m->n_max = n;
	m->dcap = n + n / 4 + 64;
	m->dense = calloc(m->dcap, sizeof *m->dense);
	return m->dense != NULL;
}

void pf_pp_idmap_free(struct pf_pp_idmap *m)
{
	free(m->dense);
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof *m);
}

static size_t idmap_hash(uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	return (size_t)k;
}

/* Insert; false when the id is already present (or no memory: *oom). */
bool pf_pp_idmap_put(struct pf_pp_idmap *m, uint64_t k, uint32_t v, bool *oom)
{
	if (k < m->dcap) {
		if (m->dense[k])
			return false;
		m->dense[k] = v + 1;
		return true;
	}
	if (!m->keys) {
		size_t cap = 16;
		while (cap < m->n_max * 2)
			cap <<= 1;
		m->keys = calloc(cap, sizeof *m->keys);
		m->vals = malloc(cap * sizeof *m->vals);
		m->mask = cap - 1;
		if (!m->keys || !m->vals) {
			*oom = true;
			return false;
		}
	}
	size_t i = idmap_hash(k) & m->mask;
	while (m->keys[i]) {
		if (m->keys[i] == k)
			return false;
		i = (i + 1) & m->mask;
	}
	m->keys[i] = k;
	m->vals[i] = v;
	return true;
}

bool pf_pp_idmap_get_hashed(const struct pf_pp_idmap *m, uint64_t k, uint32_t *v)
{
	if (!m->keys)
		return false;
	size_t i = idmap_hash(k) & m->mask;
	while (m->keys[i]) {
		if (m->keys[i] == k) {
			*v = m->vals[i];
			return true;
		}
		i = (i + 1) & m->mask;
	}
	return false;
}
