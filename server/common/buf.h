/* buf.h: growable byte buffer with a ceiling taken at creation (curl's
 * dynbuf) and a sticky failure flag checked once at the end (PgBouncer's
 * pktbuf). The data is always NUL-terminated for convenience. */
#ifndef PF_BUF_H
#define PF_BUF_H

#include <stdbool.h>
#include <stddef.h>

#include "pf_err.h"

struct pf_buf {
	char *data; /* owned; NULL until the first append */
	size_t len;
	size_t cap;
	size_t max;     /* ceiling on len; 0 = unlimited */
	bool failed;    /* sticky: an append hit the ceiling or malloc failed */
	bool too_large; /* the failure was the ceiling, not malloc */
};

void pf_buf_init(struct pf_buf *b, size_t max);
void pf_buf_free(struct pf_buf *b);
/* Drop the contents, keep the memory and the ceiling; clears failure. */
void pf_buf_reset(struct pf_buf *b);

/* Append; PF_E_TOO_LARGE past the ceiling, PF_E_NOMEM when malloc fails.
 * After a failure every further append fails the same way. */
enum pf_code pf_buf_append(struct pf_buf *b, const void *p, size_t n);
enum pf_code pf_buf_puts(struct pf_buf *b, const char *s);
enum pf_code pf_buf_printf(struct pf_buf *b, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));
/* The failure code of the buffer (PF_OK when none). */
enum pf_code pf_buf_status(const struct pf_buf *b);
/* Hand the data to the caller (free() it); the buffer is left empty. */
char *pf_buf_steal(struct pf_buf *b, size_t *len);

#endif
