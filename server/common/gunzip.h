/* gunzip.h: bounded gzip decompression (stops gzip bombs early). */
#ifndef PF_GUNZIP_H
#define PF_GUNZIP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "pf_err.h"

/* True when the data starts with the gzip magic 0x1f 0x8b. */
bool pf_is_gzip(const uint8_t *p, size_t n);

/* Inflate the gzip stream (concatenated members allowed) into out, which
 * must be initialised by the caller; inflating stops as soon as the output
 * would pass max_out bytes (PF_E_TOO_LARGE). A truncated or corrupt stream
 * is PF_E_BAD_PROFILE with the input byte offset in the message; `field`
 * names the input in the error. */
enum pf_code pf_gunzip(const uint8_t *in, size_t n, size_t max_out, struct pf_buf *out,
                       const char *field, struct pf_err *err) PF_MUSTCHECK;

#endif
