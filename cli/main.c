/* capsim's entry point: the command table, help and version. */
#include <gsl/gsl_errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "sim/version.h"

static int cmd_help(int argc, char **argv);

static const char cmd_help_usage[] =
	"usage: capsim help [COMMAND]\n"
	"\n"
	"Lists the commands, or shows one command's options.\n";

static const struct command commands[] = {
	{ "run", cmd_run, "simulate a scenario over many replications and write its report",
	  cmd_run_usage },
	{ "drill", cmd_drill, "rehearse an outage under one or every disaster-recovery strategy",
	  cmd_drill_usage },
	{ "optimize", cmd_optimize, "find the cheapest purchase mix that meets the targets",
	  cmd_optimize_usage },
	{ "compare", cmd_compare, "simulate two designs on the same random numbers, side by side",
	  cmd_compare_usage },
	{ "queue", cmd_queue, "queueing calculator: M/M/c and G/G/c waits, percentiles, sizing",
	  cmd_queue_usage },
	{ "validate", cmd_validate, "check scenario files and report the first mistake by line",
	  cmd_validate_usage },
	{ "init", cmd_init, "write a commented starter scenario", cmd_init_usage },
	{ "help", cmd_help, "list the commands or show one command's options", cmd_help_usage },
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "capsim %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	return EXIT_USAGE;
}

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

static void list_commands(FILE *f)
{
	fprintf(f, "usage: capsim COMMAND [OPTIONS]\n"
		   "       capsim --version\n"
		   "\n"
		   "capsim simulates cloud architectures and plans their capacity and cost.\n"
		   "\n"
		   "commands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\n'capsim help COMMAND' shows a command's options.\n");
}

static int cmd_help(int argc, char **argv)
{
	if (argc < 2) {
		list_commands(stdout);
		return EXIT_OK;
	}
	const struct command *c = find_command(argv[1]);
	if (!c)
		return cli_usage_error("help", "'%s' is not a command; 'capsim help' lists them",
				       argv[1]);
	fputs(c->usage, stdout);
	return EXIT_OK;
}

int main(int argc, char **argv)
{
	/* GSL's default handler aborts; capsim checks arguments itself and reports errors. */
	gsl_set_error_handler_off();
	if (argc < 2) {
		list_commands(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
		printf("capsim %s\n", CAPSIM_VERSION);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
		return cmd_help(1, argv);
	const struct command *c = find_command(argv[1]);
	if (!c) {
		fprintf(stderr, "capsim: '%s' is not a command; 'capsim help' lists them\n", argv[1]);
		return EXIT_USAGE;
	}
	/* `capsim CMD --help` is the same as `capsim help CMD`. */
	for (int i = 2; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			fputs(c->usage, stdout);
			return EXIT_OK;
		}
	int rc = c->fn(argc - 1, argv + 1);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "capsim: error writing to standard output\n");
		return EXIT_FAIL;
	}
	return rc;
}
