/* arena.c: bump allocator in malloc'ed blocks with a byte ceiling.
 * Owns only its blocks; no global state. */
#include "arena.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pf_arena_block {
	struct pf_arena_block *next;
	size_t size; /* usable bytes after the header */
	size_t off;
	max_align_t data[];
};

#define ALIGN_UP(n) (((n) + (sizeof(max_align_t) - 1)) & ~(sizeof(max_align_t) - 1))
#define MIN_BLOCK   ((size_t)16 * 1024)

void pf_arena_init(struct pf_arena *a, size_t limit)
{
	memset(a, 0, sizeof *a);
	a->limit = limit;
}

void pf_arena_free(struct pf_arena *a)
{
	struct pf_arena_block *b = a->head;
	while (b) {
		struct pf_arena_block *next = b->next;
		free(b);
		b = next;
	}
	a->head = NULL;
	a->used = 0;
	a->reserved = 0;
}

void *pf_arena_alloc(struct pf_arena *a, size_t n)
{
	struct pf_arena_block *b = a->head;
	size_t need;

	if (n > SIZE_MAX / 2) {
		a->failed = true;
		return NULL;
	}
	need = ALIGN_UP(n ? n : 1);
	if (!b || b->size - b->off < need) {
		size_t size = b ? b->size * 2 : MIN_BLOCK;
		if (size > (size_t)64 * 1024 * 1024)
			size = (size_t)64 * 1024 * 1024;
		if (size < need)
			size = need;
		if (a->limit && a->reserved + size > a->limit) {
			size = need; /* try the exact size before giving up */
			if (a->reserved + size > a->limit) {
				a->failed = true;
				return NULL;
			}
		}
		b = malloc(sizeof *b + size);
		if (!b) {
			a->failed = true;
			return NULL;
		}
		b->size = size;
		b->off = 0;
		b->next = a->head;
		a->head = b;
		a->reserved += size;
	}
	void *p = (char *)b->data + b->off;
	b->off += need;
	a->used += need;
	return p;
}

void *pf_arena_calloc(struct pf_arena *a, size_t count, size_t size)
{
	if (size && count > SIZE_MAX / size) {
		a->failed = true;
		return NULL;
	}
	void *p = pf_arena_alloc(a, count * size);
	if (p)
		memset(p, 0, count * size);
	return p;
}

void *pf_arena_realloc(struct pf_arena *a, void *old, size_t old_n, size_t n)
{
	void *p = pf_arena_alloc(a, n);
	if (p && old)
		memcpy(p, old, old_n < n ? old_n : n);
	return p;
}

char *pf_arena_strndup(struct pf_arena *a, const char *s, size_t n)
{
	char *p = pf_arena_alloc(a, n + 1);
	if (!p)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *pf_arena_strdup(struct pf_arena *a, const char *s)
{
	return pf_arena_strndup(a, s, strlen(s));
}

char *pf_arena_printf(struct pf_arena *a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return NULL;
	char *p = pf_arena_alloc(a, (size_t)n + 1);
	if (!p)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}
