/* embedded.h: files compiled into the binary by scripts/embed.sh
 * (the migrations and docs/openapi.json). */
#ifndef PF_EMBEDDED_H
#define PF_EMBEDDED_H

#include <stddef.h>

struct pf_embedded {
	const char *name; /* base name, e.g. "0001_init.sql" */
	const char *data; /* NUL-terminated */
	size_t len;       /* without the NUL */
};

/* the migrations in name order; the list ends with a zeroed entry. */
extern const struct pf_embedded pf_migrations[];
extern const size_t pf_migrations_count;
/* docs/openapi.json */
extern const struct pf_embedded pf_docs[];
extern const size_t pf_docs_count;

#endif
