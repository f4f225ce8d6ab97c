/* h_trend.h: what the history handlers share (h_trend.c, h_grafana*.c):
 * the wall clock, the db series key of a metric, label validation, and the
 * Grafana data source's request helpers (docs/grafana.md). */
#ifndef PF_H_TREND_H
#define PF_H_TREND_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "daemon.h"
#include "trend.h"

/* Wall clock in epoch milliseconds (the engine takes `now` from here). */
int64_t pf_now_ms(void);
/* The struct pf_db_trend_q series of a metric ("overall", "function", ...). */
const char *pf_trend_series_key(enum pf_trend_metric m);
/* 1..max bytes, no control characters. */
bool pf_valid_label(const char *s, size_t max);

/* ---- Grafana (h_grafana.c) ------------------------------------------- */

/* Answer err as Grafana shows it: the DESIGN §5 error object plus a
 * top-level "message" (spec §0); logs client errors at info. Returns
 * PF_OK (the reply is filled). */
enum pf_code pf_gf_fail(struct pf_req *req, struct pf_reply *reply, const struct pf_err *err);
/* The request body as a JSON object (an empty body is {}); new reference
 * in *out. PF_E_BAD_REQUEST naming the problem. */
enum pf_code pf_gf_body(struct pf_req *req, json_t **out, struct pf_err *err) PF_MUSTCHECK;
/* A payload value as one string: a string, or an array of exactly one
 * string (Grafana multi-value variables); NULL otherwise. Borrowed. */
const char *pf_gf_one(const json_t *v);
/* The project a Grafana call is about: `given` (may be NULL) or the
 * token's project. PF_E_BAD_REQUEST when none or invalid (what names the
 * field), PF_E_FORBIDDEN when the token may not see it. */
enum pf_code pf_gf_project(struct pf_req *req, const char *given, const char *what,
                           const char **out, struct pf_err *err) PF_MUSTCHECK;

/* ---- Grafana /query (h_grafana_query.c) ------------------------------- */

/* Annotation rows of a project into a table response object (spec §1.5):
 * columns time, title, text, tags. */
enum pf_code pf_gf_annotations(struct pf_req *req, const char *project, const char *branch,
                               int64_t from_ms, int64_t to_ms, json_t *rows,
                               struct pf_err *err) PF_MUSTCHECK;

#endif
