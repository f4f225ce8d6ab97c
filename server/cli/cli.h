/* cli.h: the subcommands of the perfgate binary. Each takes the argv that
 * starts at its own name and returns the process exit status. */
#ifndef PF_CLI_H
#define PF_CLI_H

struct pf_cli_cmd {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *help;
};

int pf_cli_serve(int argc, char **argv);
int pf_cli_migrate(int argc, char **argv);
int pf_cli_token(int argc, char **argv);
int pf_cli_check_config(int argc, char **argv);
int pf_cli_benchstat(int argc, char **argv);
int pf_cli_top(int argc, char **argv);
int pf_cli_diff(int argc, char **argv);
int pf_cli_speedscope(int argc, char **argv);
int pf_cli_gate(int argc, char **argv);

#endif
