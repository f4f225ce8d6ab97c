/* db.h: the store. db/ is the only code that includes libpq (STYLE §11):
 * callers get typed functions that return enum pf_code, never a PGresult.
 * A struct pf_db is one connection, owned by one thread; it connects
 * lazily, prepares every statement of the table on (re)connect, and
 * reconnects after a failure. */
#ifndef PF_DB_H
#define PF_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pf_err.h"

struct pf_db;

/* A connection handle for conninfo (copied). Does not connect yet. */
struct pf_db *pf_db_new(const char *conninfo);
void pf_db_free(struct pf_db *db);

/* Connect (or reconnect after a failure) and prepare the statements.
 * PF_E_UNAVAILABLE when the server cannot be reached. */
enum pf_code pf_db_ensure(struct pf_db *db, struct pf_err *err) PF_MUSTCHECK;

/* Schema version: highest applied migration (0 when none), and the number
 * of migrations this binary knows. */
size_t pf_db_known_schema_version(void);
enum pf_code pf_db_schema_version(struct pf_db *db, int *version, struct pf_err *err) PF_MUSTCHECK;

/* Apply pending migrations in order, each in its own transaction, under an
 * advisory lock (safe with several processes). *applied receives how many
 * were applied now. PF_E_SCHEMA when the database is newer than this
 * binary. */
enum pf_code pf_db_migrate(struct pf_db *db, int *applied, struct pf_err *err) PF_MUSTCHECK;

/* Transactions: begin/commit/rollback on this connection. pf_db_tx_run
 * calls fn inside a transaction and retries it on serialization failure
 * or deadlock (PF_E_RETRYABLE) a bounded number of times. */
enum pf_code pf_db_begin(struct pf_db *db, struct pf_err *err) PF_MUSTCHECK;
enum pf_code pf_db_commit(struct pf_db *db, struct pf_err *err) PF_MUSTCHECK;
void pf_db_rollback(struct pf_db *db);
enum pf_code pf_db_tx_run(struct pf_db *db,
                          enum pf_code (*fn)(struct pf_db *, void *, struct pf_err *), void *arg,
                          struct pf_err *err) PF_MUSTCHECK;

/* ---- tokens ---------------------------------------------------------- */

enum pf_scope { PF_SCOPE_NONE = 0, PF_SCOPE_READ = 1, PF_SCOPE_UPLOAD = 2, PF_SCOPE_ADMIN = 3 };
const char *pf_scope_name(enum pf_scope s);
bool pf_scope_parse(const char *s, enum pf_scope *out);

struct pf_token_info {
	int64_t id;
	enum pf_scope scope;
	char project[80]; /* "" when the token is not bound to a project */
	bool revoked;
};

/* Look a token up by the SHA-256 of its text; PF_E_NOT_FOUND when unknown.
 * Also records last use (at most once a minute per token). */
enum pf_code pf_db_token_lookup(struct pf_db *db, const uint8_t sha256[32],
                                struct pf_token_info *out, struct pf_err *err) PF_MUSTCHECK;
enum pf_code pf_db_token_insert(struct pf_db *db, const uint8_t sha256[32], enum pf_scope scope,
                                const char *project, const char *note, int64_t *id,
                                struct pf_err *err) PF_MUSTCHECK;
/* PF_E_NOT_FOUND when no such token (or already revoked). */
enum pf_code pf_db_token_revoke(struct pf_db *db, int64_t id, struct pf_err *err) PF_MUSTCHECK;
/* Calls fn once per token, oldest first. Strings are borrowed for the call. */
enum pf_code pf_db_token_list(struct pf_db *db,
                              void (*fn)(void *arg, int64_t id, const char *scope,
                                         const char *project, const char *note, const char *created,
                                         const char *last_used, const char *revoked),
                              void *arg, struct pf_err *err) PF_MUSTCHECK;

/* ---- projects -------------------------------------------------------- */

/* Project as JSON text {"name","default_branch","settings",...}
 * (malloc'ed, free() it); PF_E_NOT_FOUND when missing. */
enum pf_code pf_db_project_get_json(struct pf_db *db, const char *name, char **json,
                                    struct pf_err *err) PF_MUSTCHECK;
/* All projects as a JSON array text (malloc'ed). */
enum pf_code pf_db_project_list_json(struct pf_db *db, char **json,
                                     struct pf_err *err) PF_MUSTCHECK;

#endif
