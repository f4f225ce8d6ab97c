/* pf_mem.h: the out-of-memory policy (STYLE §10). Small internal
 * allocations go through these wrappers, which abort on failure; sizes that
 * come from a client go through an arena or a pf_buf with a ceiling. */
#ifndef PF_MEM_H
#define PF_MEM_H

#include <stddef.h>

void *pf_xmalloc(size_t n);
void *pf_xcalloc(size_t count, size_t size);
void *pf_xrealloc(void *p, size_t n);
char *pf_xstrdup(const char *s);
char *pf_xstrndup(const char *s, size_t n);

#endif
