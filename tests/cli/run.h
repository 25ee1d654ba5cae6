/* Runs the capsim binary (path in $CAPSIM_BIN, set by the Makefile) without a shell and
 * captures its exit status, stdout and stderr, for the end-to-end tests. */
#ifndef CAPSIM_TESTS_CLI_RUN_H
#define CAPSIM_TESTS_CLI_RUN_H

struct cli_result {
	int status;      /* exit status, or -1 if it did not exit normally */
	char *out, *err; /* NUL-terminated, malloc'd */
};

/* argv: the arguments after "capsim", NULL-terminated. Aborts the test on spawn failure. */
void run_capsim(const char *const *argv, struct cli_result *r);
void cli_result_release(struct cli_result *r);

#endif
