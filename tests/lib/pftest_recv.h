/* pftest_recv.h: a real HTTP receiver on loopback (libmicrohttpd, in the
 * test process) that plays a Slack incoming webhook (POST /slack/...) and
 * the GitHub REST API under /gh (comments, labels, issues, with Link
 * pagination), records every request, and can answer 5xx or 429 with
 * Retry-After, answer slowly, or be down. Start it inside the test (CK_FORK
 * runs each test in a child: threads of a fixture would not be there). */
#ifndef PF_PFTEST_RECV_H
#define PF_PFTEST_RECV_H

#include <stdbool.h>
#include <stddef.h>

#define PFT_RECV_MAX_REQS 2000

struct pft_recv_req {
	char method[8];
	char url[1024]; /* path and query */
	char *headers;  /* "name: value\n" lines, names lower-case */
	char *body;     /* NUL-terminated */
	int status;     /* what the receiver answered */
	double t;       /* seconds since the receiver started */
};

struct pft_recv;

struct pft_recv *pft_recv_start(void);
void pft_recv_stop(struct pft_recv *r);
/* http://127.0.0.1:PORT */
const char *pft_recv_base(const struct pft_recv *r);
/* The next count requests (count < 0: all) answer status, with
 * Retry-After: retry_after when >= 0. count 0 ends a fault. */
void pft_recv_fault(struct pft_recv *r, int status, int count, int retry_after);
/* Every answer waits ms first. */
void pft_recv_slow(struct pft_recv *r, int ms);
/* Close the listening socket (connections refused) / listen again. */
void pft_recv_down(struct pft_recv *r);
void pft_recv_up(struct pft_recv *r);

/* Requests recorded with this method and url prefix (NULL = any). */
size_t pft_recv_count(struct pft_recv *r, const char *method, const char *prefix);
/* Wait until at least n such requests were answered with 2xx; false on
 * timeout. */
bool pft_recv_wait_ok(struct pft_recv *r, const char *method, const char *prefix, size_t n,
                      int timeout_ms);
/* A copy of the i-th request with this method and prefix (free with
 * pft_recv_req_free); false when there is none. */
bool pft_recv_nth(struct pft_recv *r, const char *method, const char *prefix, size_t i,
                  struct pft_recv_req *out);
void pft_recv_req_free(struct pft_recv_req *q);
/* Value of a recorded header (malloc'ed) or NULL. */
char *pft_recv_header(const struct pft_recv_req *q, const char *name);

/* The simulated GitHub state. */
size_t pft_recv_gh_comments(struct pft_recv *r, int issue);              /* comments on issue/PR */
char *pft_recv_gh_comment_body(struct pft_recv *r, int issue, size_t i); /* malloc'ed */
bool pft_recv_gh_has_label(struct pft_recv *r, int issue, const char *label);
size_t pft_recv_gh_issues(struct pft_recv *r); /* issues created */
/* Number, state ("open"/"closed") and title of the i-th created issue. */
bool pft_recv_gh_issue(struct pft_recv *r, size_t i, int *number, char *state, size_t slen,
                       char *title, size_t tlen);
/* Add a comment not made by perfgate (for pagination). */
void pft_recv_gh_add_comment(struct pft_recv *r, int issue, const char *body);

#endif
