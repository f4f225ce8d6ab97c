/* array.c: one-dimensional PostgreSQL arrays in the binary wire format
 * (array_send / array_recv), built as statement parameters. An upload
 * passes its function and benchmark rows as columns of arrays (unnest on
 * the server): in binary, numbers travel as their 8 bytes and names as
 * their bytes, with no printing, escaping or parsing on either side.
 *
 * Layout: int32 ndim, int32 has-nulls, uint32 element type; per dimension
 * int32 length, int32 lower bound (1); per element int32 byte length (-1:
 * NULL) and the element in its binary form. All integers big-endian. An
 * empty array has ndim 0 and no dimension. */
#include <arpa/inet.h>
#include <string.h>

#include "db.h"

#define HEADER 20 /* ndim, flags, type, length, lower bound */

static void put32(struct pf_buf *b, uint32_t v)
{
	uint32_t be = htonl(v);
	pf_buf_append(b, &be, 4);
}

static void put64(struct pf_buf *b, uint64_t v)
{
	put32(b, (uint32_t)(v >> 32));
	put32(b, (uint32_t)v);
}

void pf_db_array_init(struct pf_db_array *a, enum pf_db_elem type)
{
	memset(a, 0, sizeof *a);
	pf_buf_init(&a->buf, 0);
	a->type = type;
	/* the header, completed by pf_db_array_finish */
	static const char zero[HEADER];
	pf_buf_append(&a->buf, zero, HEADER);
}

void pf_db_array_free(struct pf_db_array *a)
{
	pf_buf_free(&a->buf);
}

void pf_db_array_int(struct pf_db_array *a, int64_t v)
{
	switch (a->type) {
	case PF_DB_INT2:
		put32(&a->buf, 2);
		uint16_t be = htons((uint16_t)v);
		pf_buf_append(&a->buf, &be, 2);
		break;
	case PF_DB_INT4:
		put32(&a->buf, 4);
		put32(&a->buf, (uint32_t)v);
		break;
	default:
		put32(&a->buf, 8);
		put64(&a->buf, (uint64_t)v);
		break;
	}
	a->n++;
}

void pf_db_array_f64(struct pf_db_array *a, double v)
{
	uint64_t bits;
	memcpy(&bits, &v, 8);
	put32(&a->buf, 8);
	put64(&a->buf, bits);
	a->n++;
}

void pf_db_array_text(struct pf_db_array *a, const char *s)
{
	size_t len = strlen(s);
	put32(&a->buf, (uint32_t)len);
	pf_buf_append(&a->buf, s, len);
	a->n++;
}

void pf_db_array_null(struct pf_db_array *a)
{
	put32(&a->buf, 0xffffffffu);
	a->has_null = true;
	a->n++;
}

/* element type OIDs of pg_type (fixed in every PostgreSQL) */
static uint32_t type_oid(enum pf_db_elem t)
{
	switch (t) {
	case PF_DB_INT2:
		return 21;
	case PF_DB_INT4:
		return 23;
	case PF_DB_INT8:
		return 20;
	case PF_DB_FLOAT8:
		return 701;
	case PF_DB_TEXT:
		return 25;
	}
	return 0;
}

enum pf_code pf_db_array_finish(struct pf_db_array *a, struct pf_err *err)
{
	if (pf_buf_status(&a->buf) != PF_OK || a->buf.len > (size_t)INT32_MAX)
		return pf_err_set(err, PF_E_NOMEM, NULL, "cannot hold an array of %u rows", a->n);
	uint32_t h[5] = {htonl(a->n ? 1 : 0), htonl(a->has_null), htonl(type_oid(a->type)),
	                 htonl(a->n), htonl(1)};
	memcpy(a->buf.data, h, HEADER);
	if (a->n == 0)
		a->buf.len = 12; /* no dimension */
	return PF_OK;
}
