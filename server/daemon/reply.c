/* reply.c: filling struct pf_reply: JSON bodies, raw data and the one
 * error shape of DESIGN §5. No I/O; the lifecycle in http.c sends it. */
#include <stdlib.h>
#include <string.h>

#include "daemon.h"
#include "pf_mem.h"

static void set_body(struct pf_reply *r, int status, const char *ctype, char *data, size_t len)
{
	free(r->body);
	r->status = status;
	r->content_type = ctype;
	r->body = data;
	r->len = len;
}

void pf_reply_json(struct pf_reply *r, int status, json_t *body)
{
	char *s = json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
	json_decref(body);
	if (!s) {
		s = pf_xstrdup("{\"error\":{\"code\":\"out_of_memory\",\"message\":\"cannot "
		               "render the reply\",\"field\":null}}");
		status = 503;
	}
	set_body(r, status, "application/json", s, strlen(s));
}

void pf_reply_data(struct pf_reply *r, int status, const char *ctype, const void *data, size_t len)
{
	char *copy = pf_xmalloc(len + 1);
	memcpy(copy, data, len);
	copy[len] = '\0';
	set_body(r, status, ctype, copy, len);
}

void pf_reply_take(struct pf_reply *r, int status, const char *ctype, char *data, size_t len)
{
	set_body(r, status, ctype, data, len);
}

void pf_reply_header(struct pf_req *req, struct pf_reply *r, const char *name, const char *value)
{
	if (r->nheaders >= PF_MAX_REPLY_HEADERS)
		return;
	char *v = pf_arena_strdup(&req->arena, value);
	if (!v)
		return;
	r->hname[r->nheaders] = name;
	r->hvalue[r->nheaders] = v;
	r->nheaders++;
}

void pf_reply_error(struct pf_req *req, struct pf_reply *r, const struct pf_err *err)
{
	int status = pf_code_http_status(err->code);
	json_t *e = json_pack("{s:{s:s, s:s, s:o}}", "error", "code", pf_code_name(err->code),
	                      "message", err->msg[0] ? err->msg : pf_code_name(err->code), "field",
	                      err->field[0] ? json_string(err->field) : json_null());
	if (!e)
		e = json_pack("{s:{s:s, s:s, s:n}}", "error", "code", pf_code_name(err->code),
		              "message", "(message not valid UTF-8)", "field");
	pf_reply_json(r, status, e);
	if (status == 503)
		pf_reply_header(req, r, "Retry-After", "5");
	if (status == 401)
		pf_reply_header(req, r, "WWW-Authenticate", "Bearer realm=\"perfgate\"");
}
