/* pprof_wire.h: a tiny protobuf wire-format writer (varints, tags,
 * length-delimited fields) into a bounded pf_buf. Used to write pprof
 * profiles (tests, the bench generator, fuzz seeds); no protobuf-c types.
 * Every function appends to b; failures are sticky in b (check
 * pf_buf_status once at the end, STYLE §9). */
#ifndef PF_PPROF_WIRE_H
#define PF_PPROF_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

enum { PF_WT_VARINT = 0, PF_WT_I64 = 1, PF_WT_LEN = 2, PF_WT_I32 = 5 };

void pf_pbw_varint(struct pf_buf *b, uint64_t v);
void pf_pbw_tag(struct pf_buf *b, uint32_t field, unsigned wire_type);
/* tag + varint, written even when v is 0 (int64 values pass as uint64). */
void pf_pbw_uint(struct pf_buf *b, uint32_t field, uint64_t v);
void pf_pbw_bytes(struct pf_buf *b, uint32_t field, const void *p, size_t n);
void pf_pbw_str(struct pf_buf *b, uint32_t field, const char *s);
/* An embedded message: field, length, then sub's bytes. */
void pf_pbw_msg(struct pf_buf *b, uint32_t field, const struct pf_buf *sub);
/* A packed repeated varint field (one tag, one length). */
void pf_pbw_packed(struct pf_buf *b, uint32_t field, const uint64_t *v, size_t n);

#endif
