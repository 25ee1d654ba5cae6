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

/* File helpers of the end-to-end tests; each aborts the test on failure. */
#include <stddef.h>
void cli_join(char *buf, size_t size, const char *folder, const char *name);  /* folder/name */
void cli_write_file(const char *path, const void *data, size_t len);
/* The whole file, NUL-terminated (malloc'd); *len (may be NULL) gets its size. */
char *cli_read_file(const char *path, size_t *len);
int cli_exists(const char *path);
/* rm -r path; best effort (a leftover in /tmp is not worth failing a test for). */
void cli_remove_tree(const char *path);
/* The mean of metric `name` in a summary.csv text (its third field). */
double cli_summary_mean(const char *csv, const char *name);
/* Whether an executable gnuplot is in a folder of $PATH. */
int cli_have_gnuplot(void);

#endif
