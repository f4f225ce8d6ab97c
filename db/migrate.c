/* migrate.c: applies migrations/NNNN_*.sql (compiled into the binary) in
 * order, each in its own transaction, recorded in schema_migrations, under
 * an advisory lock so concurrent serve/migrate processes serialize. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_internal.h"
#include "embedded.h"

/* Advisory lock key: "perfgate" folded into 63 bits. */
#define MIGRATE_LOCK_KEY "7305234471845226017"

static int version_of(const char *name)
{
	return (int)strtol(name, NULL, 10);
}

/* The highest migration number this binary carries (not their count: a
 * gap in the numbering must not make the daemon refuse its own schema). */
size_t pf_db_known_schema_version(void)
{
	int max = 0;
	for (size_t i = 0; i < pf_migrations_count; i++)
		if (version_of(pf_migrations[i].name) > max)
			max = version_of(pf_migrations[i].name);
	return (size_t)max;
}

static enum pf_code run(PGconn *c, struct pf_db *db, const char *sql, const char *what,
                        struct pf_err *err)
{
	PGresult *r = PQexec(c, sql);
	ExecStatusType s = PQresultStatus(r);
	if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) {
		enum pf_code rc = pf_db_error(db, r, what, err);
		PQclear(r);
		return rc;
	}
	PQclear(r);
	return PF_OK;
}

static enum pf_code apply_one(PGconn *c, struct pf_db *db, const struct pf_embedded *m,
                              struct pf_err *err)
{
	char v[16];
	const char *params[2];
	PGresult *r;
	enum pf_code rc = run(c, db, "BEGIN", "begin migration", err);
	if (rc)
		return rc;
	rc = run(c, db, m->data, m->name, err);
	if (rc) {
		run(c, db, "ROLLBACK", "rollback", NULL);
		return rc;
	}
	snprintf(v, sizeof v, "%d", version_of(m->name));
	params[0] = v;
	params[1] = m->name;
	r = PQexecParams(c, "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", 2,
	                 NULL, params, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		rc = pf_db_error(db, r, "record migration", err);
		PQclear(r);
		run(c, db, "ROLLBACK", "rollback", NULL);
		return rc;
	}
	PQclear(r);
	return run(c, db, "COMMIT", "commit migration", err);
}

enum pf_code pf_db_migrate(struct pf_db *db, int *applied, struct pf_err *err)
{
	enum pf_code rc = pf_db_ensure(db, err);
	int current = 0;
	PGconn *c;

	*applied = 0;
	if (rc)
		return rc;
	c = pf_db_conn(db);
	rc = run(c, db, "SELECT pg_advisory_lock(" MIGRATE_LOCK_KEY ")", "advisory lock", err);
	if (rc)
		return rc;
	rc = run(c, db,
	         "CREATE TABLE IF NOT EXISTS schema_migrations ("
	         " version integer PRIMARY KEY, name text NOT NULL,"
	         " applied_at timestamptz NOT NULL DEFAULT now());"
	         "COMMENT ON TABLE schema_migrations IS"
	         " 'Migrations applied by perfgate migrate, one row per migrations/NNNN_*.sql'",
	         "schema_migrations", err);
	if (rc == PF_OK)
		rc = pf_db_schema_version(db, &current, err);
	if (rc == PF_OK && current > (int)pf_db_known_schema_version())
		rc = pf_err_set(err, PF_E_SCHEMA, NULL,
		                "database schema version %d is newer than this perfgate knows "
		                "(%zu): upgrade perfgate",
		                current, pf_db_known_schema_version());
	for (size_t i = 0; rc == PF_OK && i < pf_migrations_count; i++) {
		if (version_of(pf_migrations[i].name) <= current)
			continue;
		rc = apply_one(c, db, &pf_migrations[i], err);
		if (rc == PF_OK)
			(*applied)++;
	}
	if (pf_db_conn(db))
		run(pf_db_conn(db), db, "SELECT pg_advisory_unlock(" MIGRATE_LOCK_KEY ")",
		    "advisory unlock", NULL);
	/* statements are prepared again on the next connect, against the
	 * schema as it is now (this process or another one migrated it) */
	if (rc == PF_OK)
		pf_db_disconnect(db);
	return rc;
}
