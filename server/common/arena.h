/* arena.h: per-request (or per-operation) bump allocator with a ceiling.
 * Everything allocated from an arena is freed at once by pf_arena_free.
 * Allocation past the ceiling (or a failed malloc) returns NULL and sets
 * the sticky `failed` flag: callers turn that into PF_E_TOO_LARGE/NOMEM. */
#ifndef PF_ARENA_H
#define PF_ARENA_H

#include <stdbool.h>
#include <stddef.h>

struct pf_arena_block;

struct pf_arena {
	struct pf_arena_block *head; /* newest block first */
	size_t used;                 /* bytes handed out, with alignment */
	size_t reserved;             /* bytes obtained from malloc */
	size_t limit;                /* ceiling on reserved; 0 = unlimited */
	bool failed;                 /* sticky: an allocation failed */
};

/* Initialise an empty arena; limit 0 means no ceiling. No allocation. */
void pf_arena_init(struct pf_arena *a, size_t limit);
/* Free every block; the arena may be reused after pf_arena_init. */
void pf_arena_free(struct pf_arena *a);

/* n bytes aligned for any type; NULL past the ceiling. Memory is borrowed
 * until pf_arena_free. */
void *pf_arena_alloc(struct pf_arena *a, size_t n);
void *pf_arena_calloc(struct pf_arena *a, size_t count, size_t size);
/* Grow an allocation (copying); old contents of old_n bytes are kept. */
void *pf_arena_realloc(struct pf_arena *a, void *old, size_t old_n, size_t n);
char *pf_arena_strdup(struct pf_arena *a, const char *s);
char *pf_arena_strndup(struct pf_arena *a, const char *s, size_t n);
char *pf_arena_printf(struct pf_arena *a, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

#endif
