/* main.c: the perfgate binary: dispatches git-style subcommands (DESIGN §1).
 * Owns argument dispatch only; each subcommand lives in its own file. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct pf_cli_cmd commands[] = {
        {"serve", pf_cli_serve, "run the HTTP daemon"},
        {"migrate", pf_cli_migrate, "apply pending database migrations and exit"},
        {"token", pf_cli_token, "create, list or revoke API tokens"},
        {"check-config", pf_cli_check_config, "validate the configuration and print it"},
        {"benchstat", pf_cli_benchstat, "compare go test -bench outputs, as benchstat"},
        {"top", pf_cli_top, "function table of a pprof profile, as go tool pprof -top"},
        {"diff", pf_cli_diff, "function deltas of two profiles, as pprof -top -diff_base"},
        {"speedscope", pf_cli_speedscope, "speedscope JSON of a pprof profile"},
        {"gate", pf_cli_gate, "the full gate verdict offline: report JSON, markdown or JUnit"},
        {"nightly", pf_cli_nightly, "summary of a branch's recent runs (JSON or markdown)"},
};

static void usage(FILE *out)
{
	fprintf(out, "usage: perfgate <command> [options]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(out, "  %-14s %s\n", commands[i].name, commands[i].help);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "perfgate: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
