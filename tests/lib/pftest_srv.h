/* pftest_srv.h: integration-test helpers: a fresh database on the
 * throwaway PostgreSQL of tests/run.sh, a real `perfgate serve` on a free
 * loopback port, HTTP calls with libcurl, tokens made with the binary. */
#ifndef PF_PFTEST_SRV_H
#define PF_PFTEST_SRV_H

#include <stddef.h>
#include <sys/types.h>

/* Conninfo of a new, empty database named pft_<name> (dropped first if it
 * exists). malloc'ed. Aborts when PERFGATE_TEST_DATABASE_URL is unset. */
char *pft_fresh_db(const char *name);
/* Run `perfgate migrate` against conninfo; returns its exit status. */
int pft_migrate(const char *conninfo);
/* `perfgate token create`; returns the token (malloc'ed). project may be NULL. */
char *pft_token(const char *conninfo, const char *scope, const char *project);
/* Run psql -Atc SQL; returns trimmed stdout (malloc'ed). */
char *pft_sql(const char *conninfo, const char *sql);

struct pft_daemon {
	pid_t pid;
	int port;
	char base[64]; /* http://127.0.0.1:PORT */
	char log[256]; /* the daemon's stderr */
};

/* Start `perfgate serve` with PERFGATE_DATABASE_URL=conninfo and the
 * extra "KEY=value" environment entries (NULL-terminated list, may be
 * NULL); waits until /healthz answers. Returns 0, or -1 when it exited
 * (its exit status in *exit_status when not NULL). */
int pft_daemon_start(struct pft_daemon *d, const char *conninfo, const char *const *env,
                     int *exit_status);
/* SIGTERM and wait; returns the exit status (-1 when killed). */
int pft_daemon_stop(struct pft_daemon *d);

struct pft_resp {
	long status;
	char *body; /* NUL-terminated */
	size_t len;
	char *headers; /* raw header block */
};

/* One request. token and ctype may be NULL; body may be NULL. extra_header
 * ("Name: value") may be NULL. */
void pft_http(const char *method, const char *url, const char *token, const char *ctype,
              const void *body, size_t len, const char *extra_header, struct pft_resp *out);
/* A multipart upload with libcurl's mime API: fields are "name=value"
 * (text) or "name=@path" (file), NULL-terminated. query may be NULL
 * ("fail_on=fail"). */
void pft_upload(const char *base, const char *project, const char *token, const char *const *fields,
                const char *query, const char *extra_header, struct pft_resp *out);
/* Row counts of every table of the store, as one string ("runs=3 ..."). */
char *pft_row_counts(const char *conninfo);

/* Value of a response header (malloc'ed) or NULL. */
char *pft_header(const struct pft_resp *r, const char *name);
void pft_resp_free(struct pft_resp *r);
int pft_free_port(void);
/* The function the fixture pair base -> cand must report as its CPU
 * hotspot: the first significant entry past the threshold in
 * reference/pair_cpu_base_cand.json (malloc'd; NULL when there is none). */
char *pft_ref_cpu_hotspot(void);

#endif
