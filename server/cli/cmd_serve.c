/* cmd_serve.c: `perfgate serve`, `perfgate migrate`, `perfgate
 * check-config`: load the configuration, talk to the database, run the
 * daemon until SIGTERM/SIGINT. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "config.h"
#include "daemon.h"
#include "db.h"
#include "log.h"

int pf_cli_load_config(struct pf_config *cfg, bool need_database)
{
	struct pf_err err;
	pf_err_clear(&err);
	if (pf_config_load(cfg, NULL, &err) != PF_OK) {
		fprintf(stderr, "perfgate: configuration error: %s\n", err.msg);
		pf_config_free(cfg);
		return 1;
	}
	if (need_database && !cfg->database_url) {
		fprintf(stderr, "perfgate: PERFGATE_DATABASE_URL is not set\n");
		pf_config_free(cfg);
		return 1;
	}
	pf_log_configure(cfg->log_level, cfg->log_json);
	return 0;
}

int pf_cli_check_config(int argc, char **argv)
{
	struct pf_config cfg;
	if (argc > 1 && strcmp(argv[1], "--example") == 0) {
		pf_config_print_example(stdout);
		return 0;
	}
	if (argc > 1) {
		fprintf(stderr, "usage: perfgate check-config [--example]\n");
		return 2;
	}
	if (pf_cli_load_config(&cfg, false))
		return 1;
	pf_config_print(&cfg, stdout);
	pf_config_free(&cfg);
	return 0;
}

int pf_cli_migrate(int argc, char **argv)
{
	struct pf_config cfg;
	struct pf_err err;
	int applied = 0, version = 0;
	(void)argv;

	if (argc > 1) {
		fprintf(stderr, "usage: perfgate migrate\n");
		return 2;
	}
	if (pf_cli_load_config(&cfg, true))
		return 1;
	struct pf_db *db = pf_db_new(cfg.database_url);
	pf_err_clear(&err);
	enum pf_code rc = pf_db_migrate(db, &applied, &err);
	if (rc == PF_OK)
		rc = pf_db_schema_version(db, &version, &err);
	if (rc == PF_OK)
		rc = pf_db_check_statements(db, &err);
	pf_db_free(db);
	pf_config_free(&cfg);
	if (rc) {
		fprintf(stderr, "perfgate: migrate failed: %s\n", err.msg);
		return 1;
	}
	printf("migrate: %d migration(s) applied, schema at version %d\n", applied, version);
	return 0;
}

int pf_cli_serve(int argc, char **argv)
{
	struct pf_config cfg;
	struct pf_daemon d;
	struct pf_err err;
	sigset_t set;
	int sig = 0;
	(void)argv;

	if (argc > 1) {
		fprintf(stderr, "usage: perfgate serve\n");
		return 2;
	}
	if (pf_cli_load_config(&cfg, false))
		return 1;
	if (cfg.auth_off)
		pf_warn("PERFGATE_AUTH=off: no tokens are checked (accepted because %s is a "
		        "loopback address)",
		        cfg.listen_host);
	if (!cfg.database_url)
		pf_warn("PERFGATE_DATABASE_URL is not set: /readyz answers 503 and every API "
		        "call needs a database");
	else {
		/* refuse a schema newer than this binary; a database that is down
		 * now is fine: /readyz says so until it is back */
		struct pf_db *db = pf_db_new(cfg.database_url);
		int version = 0;
		pf_err_clear(&err);
		enum pf_code rc = pf_db_schema_version(db, &version, &err);
		pf_db_free(db);
		if (rc == PF_OK && version > (int)pf_db_known_schema_version()) {
			pf_error("database schema version %d is newer than this perfgate knows "
			         "(%zu): refusing to start",
			         version, pf_db_known_schema_version());
			pf_config_free(&cfg);
			return 1;
		}
		if (rc)
			pf_warn("database not reachable at start-up (%s); serving anyway", err.msg);
		else if (version < (int)pf_db_known_schema_version())
			pf_warn("database schema at version %d, %zu needed: run `perfgate "
			        "migrate`",
			        version, pf_db_known_schema_version());
	}

	/* Block the stop signals in every thread; the main thread waits. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	pf_err_clear(&err);
	int threads = cfg.threads;
	if (pf_daemon_start(&d, &cfg, &err) != PF_OK) {
		pf_error("%s", err.msg);
		pf_config_free(&cfg);
		pf_config_free(&d.cfg);
		return 1;
	}
	pf_info("perfgate listening on %s:%u (%d worker threads)", d.cfg.listen_host, d.port,
	        threads);
	sigwait(&set, &sig);
	pf_info("%s received: finishing in-flight requests", sig == SIGINT ? "SIGINT" : "SIGTERM");
	pf_daemon_stop(&d, 30);
	pf_info("stopped");
	return 0;
}
