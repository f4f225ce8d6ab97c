/* cli.h: the subcommands of the perfgate binary. Each takes the argv that
 * starts at its own name and returns the process exit status. */
#ifndef PF_CLI_H
#define PF_CLI_H

#include <stdbool.h>

struct pf_cli_cmd {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *help;
};

struct pf_config;
/* Load the configuration (file, then environment) and set up logging; on
 * failure print why on stderr and return 1. need_database: also require
 * PERFGATE_DATABASE_URL. Free cfg with pf_config_free. */
int pf_cli_load_config(struct pf_config *cfg, bool need_database);

int pf_cli_serve(int argc, char **argv);
int pf_cli_migrate(int argc, char **argv);
int pf_cli_token(int argc, char **argv);
int pf_cli_check_config(int argc, char **argv);
int pf_cli_benchstat(int argc, char **argv);
int pf_cli_top(int argc, char **argv);
int pf_cli_diff(int argc, char **argv);
int pf_cli_speedscope(int argc, char **argv);
int pf_cli_gate(int argc, char **argv);
int pf_cli_nightly(int argc, char **argv);

#endif
