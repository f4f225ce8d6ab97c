/* basecache.c: merged baseline windows by (kind, run ids); see
 * basecache.h for why an entry never goes stale. */
#include "basecache.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "daemon.h"

enum value_kind { V_FUNCTAB, V_BENCH };

struct entry {
	bool used;
	enum value_kind vk;
	char kind[8];
	int64_t *runs; /* in the entry's arena */
	size_t n;
	const void *value; /* in the entry's arena; NULL: the window is empty */
	uint64_t last;     /* the tick of the last hit or store */
	struct pf_arena arena;
};

struct pf_basecache {
	pthread_mutex_t lock;
	uint64_t tick;
	struct entry e[PF_BASECACHE_ENTRIES];
};

struct pf_basecache *pf_basecache_new(void)
{
	struct pf_basecache *c = calloc(1, sizeof *c);
	if (c)
		pthread_mutex_init(&c->lock, NULL);
	return c;
}

void pf_basecache_free(struct pf_basecache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < PF_BASECACHE_ENTRIES; i++)
		if (c->e[i].used)
			pf_arena_free(&c->e[i].arena);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

static struct pf_functab *functab_copy(const struct pf_functab *t, struct pf_arena *a)
{
	struct pf_functab *o = pf_arena_alloc(a, sizeof *o);
	if (!o)
		return NULL;
	*o = *t;
	o->sample_index = pf_arena_strdup(a, t->sample_index);
	o->unit = pf_arena_strdup(a, t->unit);
	o->rows = pf_arena_alloc(a, (t->n_rows ? t->n_rows : 1) * sizeof *o->rows);
	if (!o->sample_index || !o->unit || !o->rows)
		return NULL;
	for (size_t i = 0; i < t->n_rows; i++) {
		o->rows[i] = t->rows[i];
		o->rows[i].name = pf_arena_strdup(a, t->rows[i].name);
		if (!o->rows[i].name)
			return NULL;
	}
	return o;
}

static struct pf_benchset *bench_copy(const struct pf_benchset *s, struct pf_arena *a)
{
	struct pf_benchset *o;
	struct pf_err err;
	/* a merge of one set is a deep copy with the set's own limits */
	if (pf_bench_merge(&s, 1, &s->lim, a, &o, &err) != PF_OK)
		return NULL;
	return o;
}

static void *copy_value(enum value_kind vk, const void *v, struct pf_arena *a)
{
	return vk == V_FUNCTAB ? (void *)functab_copy(v, a) : (void *)bench_copy(v, a);
}

static struct entry *find(struct pf_basecache *c, enum value_kind vk, const char *kind,
                          const int64_t *runs, size_t n)
{
	for (size_t i = 0; i < PF_BASECACHE_ENTRIES; i++) {
		struct entry *e = &c->e[i];
		if (e->used && e->vk == vk && e->n == n && strcmp(e->kind, kind) == 0 &&
		    memcmp(e->runs, runs, n * sizeof *runs) == 0)
			return e;
	}
	return NULL;
}

static bool get(struct pf_basecache *c, enum value_kind vk, const char *kind, const int64_t *runs,
                size_t n, struct pf_arena *arena, void **out)
{
	bool hit = false;
	*out = NULL;
	if (!c)
		return false;
	pthread_mutex_lock(&c->lock);
	struct entry *e = find(c, vk, kind, runs, n);
	if (e) {
		e->last = ++c->tick;
		*out = e->value ? copy_value(vk, e->value, arena) : NULL;
		hit = !e->value || *out;
	}
	pthread_mutex_unlock(&c->lock);
	pf_metrics_baseline_cache(hit);
	return hit;
}

static void put(struct pf_basecache *c, enum value_kind vk, const char *kind, const int64_t *runs,
                size_t n, const void *value)
{
	if (!c || strlen(kind) >= sizeof c->e[0].kind)
		return;
	pthread_mutex_lock(&c->lock);
	if (find(c, vk, kind, runs, n)) {
		pthread_mutex_unlock(&c->lock);
		return; /* another request stored it meanwhile */
	}
	struct entry *e = &c->e[0];
	for (size_t i = 0; i < PF_BASECACHE_ENTRIES; i++) {
		if (!c->e[i].used) {
			e = &c->e[i];
			break;
		}
		if (c->e[i].last < e->last)
			e = &c->e[i];
	}
	if (e->used)
		pf_arena_free(&e->arena);
	memset(e, 0, sizeof *e);
	pf_arena_init(&e->arena, 0);
	e->runs = pf_arena_alloc(&e->arena, (n ? n : 1) * sizeof *runs);
	if (e->runs && value)
		e->value = copy_value(vk, value, &e->arena);
	if (!e->runs || (value && !e->value)) {
		pf_arena_free(&e->arena); /* out of memory: not cached */
	} else {
		memcpy(e->runs, runs, n * sizeof *runs);
		e->n = n;
		e->vk = vk;
		strcpy(e->kind, kind);
		e->last = ++c->tick;
		e->used = true;
	}
	pthread_mutex_unlock(&c->lock);
}

bool pf_basecache_get_functab(struct pf_basecache *c, const char *kind, const int64_t *runs,
                              size_t n, struct pf_arena *arena, struct pf_functab **out)
{
	void *v;
	bool hit = get(c, V_FUNCTAB, kind, runs, n, arena, &v);
	*out = v;
	return hit;
}

void pf_basecache_put_functab(struct pf_basecache *c, const char *kind, const int64_t *runs,
                              size_t n, const struct pf_functab *t)
{
	put(c, V_FUNCTAB, kind, runs, n, t);
}

bool pf_basecache_get_bench(struct pf_basecache *c, const int64_t *runs, size_t n,
                            struct pf_arena *arena, struct pf_benchset **out)
{
	void *v;
	bool hit = get(c, V_BENCH, "bench", runs, n, arena, &v);
	*out = v;
	return hit;
}

void pf_basecache_put_bench(struct pf_basecache *c, const int64_t *runs, size_t n,
                            const struct pf_benchset *s)
{
	put(c, V_BENCH, "bench", runs, n, s);
}
