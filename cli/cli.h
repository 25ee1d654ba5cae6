/* The command table's entries and the small helpers every command shares. Only cli/ prints
 * for the user and chooses exit statuses: 0 success, 1 a failure while working, 2 bad input. */
#ifndef CAPSIM_CLI_H
#define CAPSIM_CLI_H

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);   /* argv[0] is the command's name */
	const char *summary;                /* one line for `capsim help` */
	const char *usage;                  /* the full text for `capsim help NAME` */
};

int cmd_queue(int argc, char **argv);
extern const char cmd_queue_usage[];
int cmd_validate(int argc, char **argv);
extern const char cmd_validate_usage[];
int cmd_run(int argc, char **argv);
extern const char cmd_run_usage[];
int cmd_init(int argc, char **argv);
extern const char cmd_init_usage[];

/* Prints "capsim CMD: MESSAGE" on stderr and returns EXIT_USAGE, for bad arguments. */
int cli_usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
