/* cmd_token.c: `perfgate token create --project P --scope S [--note N]`,
 * `token list`, `token revoke ID`. The token text is printed once, at
 * creation; only its SHA-256 is stored. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "config.h"
#include "daemon.h"
#include "db.h"
#include "parse.h"

static void usage(void)
{
	fprintf(stderr, "usage: perfgate token create --scope read|upload|admin [--project P] "
	                "[--note TEXT]\n"
	                "       perfgate token list\n"
	                "       perfgate token revoke ID\n");
}

static void print_row(void *arg, int64_t id, const char *scope, const char *project,
                      const char *note, const char *created, const char *last_used,
                      const char *revoked)
{
	(void)arg;
	printf("%-6lld %-7s %-20s %-21s %-21s %-21s %s\n", (long long)id, scope,
	       *project ? project : "*", created, *last_used ? last_used : "-",
	       *revoked ? revoked : "-", note);
}

static int create(struct pf_db *db, int argc, char **argv)
{
	static const struct option opts[] = {{"scope", required_argument, NULL, 's'},
	                                     {"project", required_argument, NULL, 'p'},
	                                     {"note", required_argument, NULL, 'n'},
	                                     {NULL, 0, NULL, 0}};
	const char *scope_s = NULL, *project = NULL, *note = "";
	enum pf_scope scope;
	char token[128];
	uint8_t sha[32];
	int64_t id;
	struct pf_err err;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			scope_s = optarg;
			break;
		case 'p':
			project = optarg;
			break;
		case 'n':
			note = optarg;
			break;
		default:
			usage();
			return 2;
		}
	}
	if (optind != argc || !scope_s) {
		usage();
		return 2;
	}
	if (!pf_scope_parse(scope_s, &scope)) {
		fprintf(stderr, "perfgate: --scope must be read, upload or admin, not '%s'\n",
		        scope_s);
		return 2;
	}
	if (project && !pf_valid_project_name(project)) {
		fprintf(stderr, "perfgate: invalid project name '%s'\n", project);
		return 2;
	}
	if (pf_auth_new_token(token, sizeof token, sha) != PF_OK) {
		fprintf(stderr, "perfgate: cannot get random bytes for a token\n");
		return 1;
	}
	pf_err_clear(&err);
	if (pf_db_token_insert(db, sha, scope, project, note, &id, &err) != PF_OK) {
		fprintf(stderr, "perfgate: %s\n", err.msg);
		return 1;
	}
	fprintf(stderr, "token %lld created: scope %s, project %s. It is shown only now.\n",
	        (long long)id, pf_scope_name(scope), project ? project : "(all)");
	printf("%s\n", token);
	return 0;
}

int pf_cli_token(int argc, char **argv)
{
	struct pf_config cfg;
	struct pf_err err;
	int rc = 0;

	if (argc < 2) {
		usage();
		return 2;
	}
	pf_err_clear(&err);
	if (pf_cli_load_config(&cfg, true))
		return 1;
	struct pf_db *db = pf_db_new(cfg.database_url);
	if (strcmp(argv[1], "create") == 0) {
		rc = create(db, argc - 1, argv + 1);
	} else if (strcmp(argv[1], "list") == 0 && argc == 2) {
		printf("%-6s %-7s %-20s %-21s %-21s %-21s %s\n", "ID", "SCOPE", "PROJECT",
		       "CREATED", "LAST USED", "REVOKED", "NOTE");
		if (pf_db_token_list(db, print_row, NULL, &err) != PF_OK) {
			fprintf(stderr, "perfgate: %s\n", err.msg);
			rc = 1;
		}
	} else if (strcmp(argv[1], "revoke") == 0 && argc == 3) {
		int64_t id;
		if (!pf_parse_i64(argv[2], &id) || id <= 0) {
			fprintf(stderr, "perfgate: token id must be a positive number, not '%s'\n",
			        argv[2]);
			rc = 2;
		} else if (pf_db_token_revoke(db, id, &err) != PF_OK) {
			fprintf(stderr, "perfgate: %s\n", err.msg);
			rc = 1;
		} else {
			printf("token %lld revoked\n", (long long)id);
		}
	} else {
		usage();
		rc = 2;
	}
	pf_db_free(db);
	pf_config_free(&cfg);
	return rc;
}
