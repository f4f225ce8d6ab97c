/* pprof_diag.c: finds where an embedded pprof message breaks the wire
 * format, so decode errors name a byte offset (protobuf-c only says "no").
 * Runs only after protobuf-c rejected a message; never allocates. */
#include <stdio.h>

#include "pprof_int.h"

enum kind { K_UNKNOWN, K_VARINT, K_PACKABLE, K_MSG };

/* Expected encoding of field f of message k; *sub receives the kind of an
 * embedded message. */
static enum kind field_kind(enum pf_pb_msg k, uint64_t f, enum pf_pb_msg *sub)
{
	switch (k) {
	case PF_PB_VALUETYPE:
		return f >= 1 && f <= 2 ? K_VARINT : K_UNKNOWN;
	case PF_PB_SAMPLE:
		if (f == 1 || f == 2)
			return K_PACKABLE;
		if (f == 3) {
			*sub = PF_PB_LABEL;
			return K_MSG;
		}
		return K_UNKNOWN;
	case PF_PB_LABEL:
		return f >= 1 && f <= 4 ? K_VARINT : K_UNKNOWN;
	case PF_PB_MAPPING:
		return f >= 1 && f <= 10 ? K_VARINT : K_UNKNOWN;
	case PF_PB_LOCATION:
		if (f == 4) {
			*sub = PF_PB_LINE;
			return K_MSG;
		}
		return (f >= 1 && f <= 5) ? K_VARINT : K_UNKNOWN;
	case PF_PB_LINE:
		return f >= 1 && f <= 3 ? K_VARINT : K_UNKNOWN;
	case PF_PB_FUNCTION:
		return f >= 1 && f <= 5 ? K_VARINT : K_UNKNOWN;
	}
	return K_UNKNOWN;
}

static bool varint_err(int rc, size_t at, const char *what, char *msg, size_t msgsz)
{
	snprintf(msg, msgsz, "%s varint at byte %zu",
	         rc == -1 ? "truncated" : "over-long (> 10 bytes)", at);
	(void)what;
	return true;
}

bool pf_pb_diagnose(enum pf_pb_msg k, const uint8_t *p, size_t n, size_t off, char *msg,
                    size_t msgsz)
{
	const uint8_t *start = p, *end = p + n;
	while (p < end) {
		size_t at = off + (size_t)(p - start);
		uint64_t tag, v;
		int rc = pf_pb_varint(&p, end, &tag);
		if (rc)
			return varint_err(rc, at, "tag", msg, msgsz);
		uint64_t f = tag >> 3;
		unsigned wt = (unsigned)(tag & 7);
		if (f == 0) {
			snprintf(msg, msgsz, "field number 0 at byte %zu", at);
			return true;
		}
		enum pf_pb_msg sub = PF_PB_LINE;
		enum kind want = field_kind(k, f, &sub);
		bool ok = want == K_UNKNOWN || (want == K_VARINT && wt == 0) ||
		          (want == K_PACKABLE && (wt == 0 || wt == 2)) ||
		          (want == K_MSG && wt == 2);
		if (!ok || wt == 3 || wt == 4 || wt > 5) {
			snprintf(msg, msgsz, "field %llu at byte %zu has wire type %u%s",
			         (unsigned long long)f, at, wt,
			         want == K_MSG       ? ", expected 2 (length-delimited)"
			         : want != K_UNKNOWN ? ", expected 0 (varint)"
			                             : " (groups are not supported)");
			return true;
		}
		size_t vat = off + (size_t)(p - start);
		switch (wt) {
		case 0:
			rc = pf_pb_varint(&p, end, &v);
			if (rc)
				return varint_err(rc, vat, "value", msg, msgsz);
			break;
		case 1:
		case 5: {
			size_t w = wt == 1 ? 8 : 4;
			if ((size_t)(end - p) < w) {
				snprintf(msg, msgsz, "truncated fixed-size field %llu at byte %zu",
				         (unsigned long long)f, vat);
				return true;
			}
			p += w;
			break;
		}
		case 2: {
			rc = pf_pb_varint(&p, end, &v);
			if (rc)
				return varint_err(rc, vat, "length", msg, msgsz);
			size_t body = off + (size_t)(p - start);
			if (v > (uint64_t)(end - p)) {
				snprintf(msg, msgsz,
				         "field %llu at byte %zu declares %llu bytes, only %zu "
				         "remain",
				         (unsigned long long)f, at, (unsigned long long)v,
				         (size_t)(end - p));
				return true;
			}
			const uint8_t *q = p, *qe = p + v;
			if (want == K_PACKABLE) {
				while (q < qe) {
					size_t e = body + (size_t)(q - p);
					uint64_t x;
					rc = pf_pb_varint(&q, qe, &x);
					if (rc)
						return varint_err(rc, e, "packed", msg, msgsz);
				}
			} else if (want == K_MSG &&
			           pf_pb_diagnose(sub, p, (size_t)v, body, msg, msgsz)) {
				return true;
			}
			p = qe;
			break;
		}
		}
	}
	return false;
}
