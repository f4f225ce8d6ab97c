/* form.c: multipart/form-data through MHD's post processor into one bounded
 * pf_buf per part. Rejects duplicate part names, too many parts and parts
 * over the size limit, naming the field. */
#include "form.h"

#include <microhttpd.h>
#include <string.h>
#include <strings.h>

#include "daemon.h"

static struct pf_form_part *part_for(struct pf_form *f, const char *name, bool is_file)
{
	for (int i = 0; i < f->n; i++)
		if (strcmp(f->parts[i].name, name) == 0)
			return &f->parts[i];
	if (f->n == PF_FORM_MAX_PARTS) {
		pf_err_set(&f->err, PF_E_BAD_MULTIPART, name,
		           "more than %d form fields in the upload", PF_FORM_MAX_PARTS);
		return NULL;
	}
	if (strlen(name) >= sizeof f->parts[0].name) {
		pf_err_set(&f->err, PF_E_BAD_MULTIPART, NULL,
		           "form field name longer than %zu bytes: '%.40s...'",
		           sizeof f->parts[0].name - 1, name);
		return NULL;
	}
	struct pf_form_part *p = &f->parts[f->n++];
	memset(p, 0, sizeof *p);
	snprintf(p->name, sizeof p->name, "%s", name);
	p->is_file = is_file;
	pf_buf_init(&p->data, f->max_file); /* text fields: checked by the handler */
	return p;
}

static enum MHD_Result iterate(void *cls, enum MHD_ValueKind kind, const char *key,
                               const char *filename, const char *content_type,
                               const char *transfer_encoding, const char *data, uint64_t off,
                               size_t size)
{
	struct pf_form *f = cls;
	struct pf_form_part *p;
	(void)kind;
	(void)content_type;
	(void)transfer_encoding;

	if (f->err.code)
		return MHD_NO;
	if (!key || !*key) {
		pf_err_set(&f->err, PF_E_BAD_MULTIPART, NULL, "a form part has no name");
		return MHD_NO;
	}
	p = part_for(f, key, filename != NULL);
	if (!p)
		return MHD_NO;
	if (off == 0 && p->data.len > 0) {
		pf_err_set(&f->err, PF_E_BAD_REQUEST, key, "form field '%s' given more than once",
		           key);
		return MHD_NO;
	}
	if (size && pf_buf_append(&p->data, data, size) != PF_OK) {
		if (p->data.too_large)
			pf_err_set(&f->err, PF_E_TOO_LARGE, key,
			           "form field '%s' exceeds the limit of %zu bytes", key,
			           p->data.max);
		else
			pf_err_set(&f->err, PF_E_NOMEM, key, "out of memory for form field '%s'",
			           key);
		return MHD_NO;
	}
	return MHD_YES;
}

enum pf_code pf_form_begin(struct pf_req *req, struct pf_form *f, size_t max_file,
                           struct pf_err *err)
{
	const char *ct = pf_req_header(req, "Content-Type");
	memset(f, 0, sizeof *f);
	f->max_file = max_file;
	if (!ct || strncasecmp(ct, "multipart/form-data", 19) != 0)
		return pf_err_set(err, PF_E_MEDIA_TYPE, "Content-Type",
		                  "expected multipart/form-data (curl -F), got '%.80s'",
		                  ct ? ct : "(none)");
	if (!strstr(ct, "boundary="))
		return pf_err_set(err, PF_E_BAD_MULTIPART, "Content-Type",
		                  "multipart/form-data without a boundary");
	f->pp = MHD_create_post_processor(req->conn, 64 * 1024, iterate, f);
	if (!f->pp)
		return pf_err_set(err, PF_E_BAD_MULTIPART, "Content-Type",
		                  "cannot parse this multipart/form-data body");
	return PF_OK;
}

void pf_form_feed(struct pf_form *f, const char *data, size_t n)
{
	if (f->err.code || !f->pp)
		return;
	if (MHD_post_process(f->pp, data, n) != MHD_YES && !f->err.code)
		pf_err_set(&f->err, PF_E_BAD_MULTIPART, NULL, "malformed multipart/form-data body");
}

enum pf_code pf_form_end(struct pf_form *f, struct pf_err *err)
{
	if (f->pp) {
		enum MHD_Result complete = MHD_destroy_post_processor(f->pp);
		f->pp = NULL;
		if (complete != MHD_YES && !f->err.code)
			pf_err_set(
			        &f->err, PF_E_BAD_MULTIPART, NULL,
			        "multipart/form-data body ends inside a part (truncated upload)");
	}
	f->done = true;
	if (f->err.code) {
		*err = f->err;
		return f->err.code;
	}
	return PF_OK;
}

void pf_form_free(struct pf_form *f)
{
	if (f->pp) {
		MHD_destroy_post_processor(f->pp);
		f->pp = NULL;
	}
	for (int i = 0; i < f->n; i++)
		pf_buf_free(&f->parts[i].data);
	f->n = 0;
}

const struct pf_form_part *pf_form_get(const struct pf_form *f, const char *name)
{
	for (int i = 0; i < f->n; i++)
		if (strcmp(f->parts[i].name, name) == 0)
			return &f->parts[i];
	return NULL;
}
