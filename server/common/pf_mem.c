/* pf_mem.c: aborting allocation wrappers for small internal objects.
 * Never used for client-sized data (that goes through arenas/buffers). */
#include "pf_mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void oom(size_t n)
{
	fprintf(stderr, "perfgate: out of memory allocating %zu bytes\n", n);
	abort();
}

void *pf_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom(n);
	return p;
}

void *pf_xcalloc(size_t count, size_t size)
{
	void *p = calloc(count ? count : 1, size ? size : 1);
	if (!p)
		oom(count * size);
	return p;
}

void *pf_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		oom(n);
	return q;
}

char *pf_xstrdup(const char *s)
{
	return pf_xstrndup(s, strlen(s));
}

char *pf_xstrndup(const char *s, size_t n)
{
	char *p = pf_xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}
