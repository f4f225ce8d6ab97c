/* pf_err.c: the error table (code -> stable name, HTTP status) and the
 * helpers that fill struct pf_err. Owns no state; never logs. */
#include "pf_err.h"

#include <stdio.h>
#include <string.h>

static const struct {
	const char *name;
	int status;
} code_table[PF_E__COUNT] = {
        [PF_OK] = {"ok", 200},
        [PF_E_BAD_REQUEST] = {"bad_request", 400},
        [PF_E_BAD_PROFILE] = {"bad_profile", 400},
        [PF_E_BAD_BENCH] = {"bad_bench", 400},
        [PF_E_BAD_REPORT] = {"bad_report", 400},
        [PF_E_BAD_CONFIG] = {"bad_config", 400},
        [PF_E_TOO_LARGE] = {"too_large", 413},
        [PF_E_LIMIT] = {"limit_exceeded", 413},
        [PF_E_UNAUTHORIZED] = {"unauthorized", 401},
        [PF_E_FORBIDDEN] = {"forbidden", 403},
        [PF_E_NOT_FOUND] = {"not_found", 404},
        [PF_E_METHOD] = {"method_not_allowed", 405},
        [PF_E_CONFLICT] = {"conflict", 409},
        [PF_E_MEDIA_TYPE] = {"unsupported_media_type", 415},
        [PF_E_UNAVAILABLE] = {"database_unavailable", 503},
        [PF_E_RETRYABLE] = {"retry", 503},
        [PF_E_INTERNAL] = {"internal", 500},
        [PF_E_NOMEM] = {"out_of_memory", 503},
        [PF_E_IO] = {"io_error", 500},
        [PF_E_SCHEMA] = {"schema_mismatch", 503},
        [PF_E_BAD_MULTIPART] = {"bad_multipart", 400},
        [PF_E_EMPTY] = {"empty_input", 400},
        [PF_E_UNPROCESSABLE] = {"unprocessable", 422},
};

const char *pf_code_name(enum pf_code code)
{
	if ((unsigned)code >= PF_E__COUNT || !code_table[code].name)
		return "internal";
	return code_table[code].name;
}

int pf_code_http_status(enum pf_code code)
{
	if ((unsigned)code >= PF_E__COUNT || !code_table[code].name)
		return 500;
	return code_table[code].status;
}

int pf_code_is_client(enum pf_code code)
{
	int s = pf_code_http_status(code);
	return s >= 400 && s < 500;
}

enum pf_code pf_err_setv(struct pf_err *e, enum pf_code code, const char *field, const char *fmt,
                         va_list ap)
{
	if (!e)
		return code;
	e->code = code;
	snprintf(e->field, sizeof e->field, "%s", field ? field : "");
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	return code;
}

enum pf_code pf_err_set(struct pf_err *e, enum pf_code code, const char *field, const char *fmt,
                        ...)
{
	va_list ap;
	va_start(ap, fmt);
	pf_err_setv(e, code, field, fmt, ap);
	va_end(ap);
	return code;
}

void pf_err_prefix(struct pf_err *e, const char *prefix)
{
	char old[sizeof e->msg];
	if (!e || !prefix)
		return;
	size_t n;

	memcpy(old, e->msg, sizeof old);
	n = (size_t)snprintf(e->msg, sizeof e->msg, "%s: ", prefix);
	if (n < sizeof e->msg)
		memcpy(e->msg + n, old,
		       sizeof e->msg - n - 1 < strlen(old) + 1 ? sizeof e->msg - n - 1
		                                               : strlen(old) + 1);
	e->msg[sizeof e->msg - 1] = '\0';
}

void pf_err_clear(struct pf_err *e)
{
	if (!e)
		return;
	e->code = PF_OK;
	e->field[0] = '\0';
	e->msg[0] = '\0';
}
