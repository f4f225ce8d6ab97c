/* pprof_wire.c: protobuf wire-format writer into a pf_buf (see
 * pprof_wire.h). Writes bytes only; knows nothing of pprof semantics. */
#include "pprof_wire.h"

#include <string.h>

void pf_pbw_varint(struct pf_buf *b, uint64_t v)
{
	uint8_t tmp[10];
	size_t n = 0;
	while (v >= 0x80) {
		tmp[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	tmp[n++] = (uint8_t)v;
	(void)pf_buf_append(b, tmp, n);
}

void pf_pbw_tag(struct pf_buf *b, uint32_t field, unsigned wire_type)
{
	pf_pbw_varint(b, ((uint64_t)field << 3) | (wire_type & 7));
}

void pf_pbw_uint(struct pf_buf *b, uint32_t field, uint64_t v)
{
	pf_pbw_tag(b, field, PF_WT_VARINT);
	pf_pbw_varint(b, v);
}

void pf_pbw_bytes(struct pf_buf *b, uint32_t field, const void *p, size_t n)
{
	pf_pbw_tag(b, field, PF_WT_LEN);
	pf_pbw_varint(b, n);
	if (n)
		(void)pf_buf_append(b, p, n);
}

void pf_pbw_str(struct pf_buf *b, uint32_t field, const char *s)
{
	pf_pbw_bytes(b, field, s, strlen(s));
}

void pf_pbw_msg(struct pf_buf *b, uint32_t field, const struct pf_buf *sub)
{
	pf_pbw_bytes(b, field, sub->data, sub->len);
}

void pf_pbw_packed(struct pf_buf *b, uint32_t field, const uint64_t *v, size_t n)
{
	size_t len = 0;
	for (size_t i = 0; i < n; i++) {
		uint64_t x = v[i];
		do {
			len++;
			x >>= 7;
		} while (x);
	}
	pf_pbw_tag(b, field, PF_WT_LEN);
	pf_pbw_varint(b, len);
	for (size_t i = 0; i < n; i++)
		pf_pbw_varint(b, v[i]);
}
