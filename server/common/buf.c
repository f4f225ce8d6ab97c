/* buf.c: bounded growable buffer. Owns its data; no global state. */
#include "buf.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void pf_buf_init(struct pf_buf *b, size_t max)
{
	memset(b, 0, sizeof *b);
	b->max = max;
}

void pf_buf_free(struct pf_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

void pf_buf_reset(struct pf_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
	b->failed = b->too_large = false;
}

enum pf_code pf_buf_status(const struct pf_buf *b)
{
	if (!b->failed)
		return PF_OK;
	return b->too_large ? PF_E_TOO_LARGE : PF_E_NOMEM;
}

static enum pf_code grow(struct pf_buf *b, size_t n)
{
	size_t need, cap;
	char *p;

	if (b->failed)
		return pf_buf_status(b);
	if (n > SIZE_MAX - b->len - 1 || (b->max && b->len + n > b->max)) {
		b->failed = b->too_large = true;
		return PF_E_TOO_LARGE;
	}
	need = b->len + n + 1;
	if (need <= b->cap)
		return PF_OK;
	cap = b->cap ? b->cap : 256;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	if (b->max && cap > b->max + 1)
		cap = b->max + 1 > need ? b->max + 1 : need;
	p = realloc(b->data, cap);
	if (!p) {
		b->failed = true;
		return PF_E_NOMEM;
	}
	b->data = p;
	b->cap = cap;
	return PF_OK;
}

enum pf_code pf_buf_append(struct pf_buf *b, const void *p, size_t n)
{
	enum pf_code rc = grow(b, n);
	if (rc)
		return rc;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return PF_OK;
}

enum pf_code pf_buf_puts(struct pf_buf *b, const char *s)
{
	return pf_buf_append(b, s, strlen(s));
}

enum pf_code pf_buf_printf(struct pf_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;
	enum pf_code rc;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->failed = true;
		return PF_E_NOMEM;
	}
	rc = grow(b, (size_t)n);
	if (rc)
		return rc;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return PF_OK;
}

char *pf_buf_steal(struct pf_buf *b, size_t *len)
{
	char *p = b->data;
	if (len)
		*len = b->len;
	b->data = NULL;
	b->len = b->cap = 0;
	return p;
}
