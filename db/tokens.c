/* tokens.c: typed queries on the tokens table. Only SHA-256 hashes of
 * tokens reach the database. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_internal.h"
#include "pf_mem.h"

static const char *const scope_names[] = {"none", "read", "upload", "admin"};

const char *pf_scope_name(enum pf_scope s)
{
	return (unsigned)s < 4 ? scope_names[s] : "none";
}

bool pf_scope_parse(const char *s, enum pf_scope *out)
{
	for (int i = 1; i < 4; i++)
		if (strcmp(s, scope_names[i]) == 0) {
			*out = (enum pf_scope)i;
			return true;
		}
	return false;
}

enum pf_code pf_db_token_lookup(struct pf_db *db, const uint8_t sha256[32],
                                struct pf_token_info *out, struct pf_err *err)
{
	const char *vals[1] = {(const char *)sha256};
	int lens[1] = {32}, fmts[1] = {1};
	PGresult *r;
	enum pf_code rc = pf_db_exec(db, ST_TOKEN_LOOKUP, 1, vals, lens, fmts, &r, err);
	if (rc)
		return rc;
	if (PQntuples(r) != 1) {
		PQclear(r);
		return pf_err_set(err, PF_E_NOT_FOUND, NULL, "unknown token");
	}
	out->id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	if (!pf_scope_parse(PQgetvalue(r, 0, 1), &out->scope))
		out->scope = PF_SCOPE_NONE;
	snprintf(out->project, sizeof out->project, "%s", PQgetvalue(r, 0, 2));
	out->revoked = strcmp(PQgetvalue(r, 0, 3), "t") == 0;
	bool touch = strcmp(PQgetvalue(r, 0, 4), "t") == 0;
	PQclear(r);
	if (touch && !out->revoked) {
		char id[24];
		const char *p[1] = {id};
		snprintf(id, sizeof id, "%lld", (long long)out->id);
		/* best effort: a failed touch never fails the request */
		if (pf_db_exec(db, ST_TOKEN_TOUCH, 1, p, NULL, NULL, &r, NULL) == PF_OK)
			PQclear(r);
	}
	return PF_OK;
}

enum pf_code pf_db_token_insert(struct pf_db *db, const uint8_t sha256[32], enum pf_scope scope,
                                const char *project, const char *note, int64_t *id,
                                struct pf_err *err)
{
	const char *vals[4] = {(const char *)sha256, pf_scope_name(scope),
	                       project && *project ? project : NULL, note ? note : ""};
	int lens[4] = {32, 0, 0, 0}, fmts[4] = {1, 0, 0, 0};
	PGresult *r;
	enum pf_code rc = pf_db_exec(db, ST_TOKEN_INSERT, 4, vals, lens, fmts, &r, err);
	if (rc)
		return rc;
	*id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	return PF_OK;
}

enum pf_code pf_db_token_revoke(struct pf_db *db, int64_t id, struct pf_err *err)
{
	char ids[24];
	const char *vals[1] = {ids};
	PGresult *r;
	I64(ids, id);
	enum pf_code rc = pf_db_exec(db, ST_TOKEN_REVOKE, 1, vals, NULL, NULL, &r, err);
	if (rc)
		return rc;
	bool hit = strcmp(PQcmdTuples(r), "1") == 0;
	PQclear(r);
	if (!hit)
		return pf_err_set(err, PF_E_NOT_FOUND, "id", "no active token with id %lld",
		                  (long long)id);
	return PF_OK;
}

enum pf_code pf_db_token_list(struct pf_db *db,
                              void (*fn)(void *arg, int64_t id, const char *scope,
                                         const char *project, const char *note, const char *created,
                                         const char *last_used, const char *revoked),
                              void *arg, struct pf_err *err)
{
	PGresult *r;
	enum pf_code rc = pf_db_exec(db, ST_TOKEN_LIST, 0, NULL, NULL, NULL, &r, err);
	if (rc)
		return rc;
	for (int i = 0; i < PQntuples(r); i++)
		fn(arg, strtoll(PQgetvalue(r, i, 0), NULL, 10), PQgetvalue(r, i, 1),
		   PQgetvalue(r, i, 2), PQgetvalue(r, i, 3), PQgetvalue(r, i, 4),
		   PQgetvalue(r, i, 5), PQgetvalue(r, i, 6));
	PQclear(r);
	return PF_OK;
}
