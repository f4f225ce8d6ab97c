/* pf_err.h: the one error type of perfgate (STYLE §4).
 * Fallible functions return enum pf_code (0 = ok) and fill a caller-provided
 * struct pf_err. Values are never renumbered; new codes go at the end, and
 * each has one row in the table of pf_err.c (stable name, HTTP status). */
#ifndef PF_ERR_H
#define PF_ERR_H

#include <stdarg.h>
#include <stddef.h>

#define PF_MUSTCHECK __attribute__((warn_unused_result))

enum pf_code {
	PF_OK = 0,
	PF_E_BAD_REQUEST = 1,    /* 400 malformed request (generic) */
	PF_E_BAD_PROFILE = 2,    /* 400 pprof input is not a valid profile */
	PF_E_BAD_BENCH = 3,      /* 400 benchmark text is not valid */
	PF_E_BAD_REPORT = 4,     /* 400 analyzer report.json is not valid */
	PF_E_BAD_CONFIG = 5,     /* 400 a configuration/policy key or value */
	PF_E_TOO_LARGE = 6,      /* 413 a size limit (body, decompressed) */
	PF_E_LIMIT = 7,          /* 413 a count limit (samples, lines, ...) */
	PF_E_UNAUTHORIZED = 8,   /* 401 no token, unknown or revoked token */
	PF_E_FORBIDDEN = 9,      /* 403 wrong scope or project */
	PF_E_NOT_FOUND = 10,     /* 404 */
	PF_E_METHOD = 11,        /* 405 */
	PF_E_CONFLICT = 12,      /* 409 */
	PF_E_MEDIA_TYPE = 13,    /* 415 */
	PF_E_UNAVAILABLE = 14,   /* 503 database unreachable */
	PF_E_RETRYABLE = 15,     /* 503 serialization failure, deadlock */
	PF_E_INTERNAL = 16,      /* 500 a bug or an unexpected failure */
	PF_E_NOMEM = 17,         /* 503 out of memory for a client-sized object */
	PF_E_IO = 18,            /* 500 file or system call failed */
	PF_E_SCHEMA = 19,        /* 503 database schema behind or ahead */
	PF_E_BAD_MULTIPART = 20, /* 400 multipart/form-data malformed */
	PF_E_EMPTY = 21,         /* 400 input holds no data (no samples/results) */
	PF_E_UNPROCESSABLE = 22, /* 422 semantically invalid */
	PF_E__COUNT
};

struct pf_err {
	enum pf_code code;
	char field[64]; /* the request field or key concerned, "" if none */
	char msg[512];  /* names what was wrong and where */
};

/* Fill *e (may be NULL) and return code. Field may be NULL. */
enum pf_code pf_err_set(struct pf_err *e, enum pf_code code, const char *field, const char *fmt,
                        ...) __attribute__((format(printf, 4, 5)));
enum pf_code pf_err_setv(struct pf_err *e, enum pf_code code, const char *field, const char *fmt,
                         va_list ap) __attribute__((format(printf, 4, 0)));
/* Prefix e->msg with "prefix: " (e.g. the upload field), keeping the code. */
void pf_err_prefix(struct pf_err *e, const char *prefix);
void pf_err_clear(struct pf_err *e);

/* Stable snake_case name of a code ("bad_profile"); never NULL. */
const char *pf_code_name(enum pf_code code);
/* HTTP status that a code maps to (200 for PF_OK). */
int pf_code_http_status(enum pf_code code);
/* True when the code is the client's mistake (4xx). */
int pf_code_is_client(enum pf_code code);

#endif
