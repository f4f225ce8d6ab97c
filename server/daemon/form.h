/* form.h: multipart/form-data uploads streamed through libmicrohttpd's
 * post processor into bounded buffers (DESIGN §5 "Upload"). The request
 * lifecycle feeds the chunks as they arrive; the handler reads the parts. */
#ifndef PF_FORM_H
#define PF_FORM_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "pf_err.h"

#define PF_FORM_MAX_PARTS 40

struct pf_form_part {
	char name[64];
	bool is_file;       /* sent with a filename (curl -F name=@file) */
	struct pf_buf data; /* file bytes or text value */
};

struct pf_form {
	void *pp; /* struct MHD_PostProcessor * */
	size_t max_file;
	int n;
	struct pf_form_part parts[PF_FORM_MAX_PARTS];
	struct pf_err err; /* first error; code PF_OK while none */
	bool done;
};

struct pf_req;

/* Start parsing req's body: PF_E_MEDIA_TYPE unless the Content-Type is
 * multipart/form-data with a boundary. max_file bounds each part. */
enum pf_code pf_form_begin(struct pf_req *req, struct pf_form *f, size_t max_file,
                           struct pf_err *err) PF_MUSTCHECK;
/* Feed the next chunk of the body; errors are sticky in f->err. */
void pf_form_feed(struct pf_form *f, const char *data, size_t n);
/* The body is complete: PF_E_BAD_MULTIPART when it ended inside a part
 * (truncated) or was malformed; the first recorded error otherwise. */
enum pf_code pf_form_end(struct pf_form *f, struct pf_err *err) PF_MUSTCHECK;
/* Free every part (and the post processor if still there). */
void pf_form_free(struct pf_form *f);
/* The part named name, or NULL. */
const struct pf_form_part *pf_form_get(const struct pf_form *f, const char *name);

#endif
