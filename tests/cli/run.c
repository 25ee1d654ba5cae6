/* Spawns the capsim binary with its output redirected to temporary files. */
#include "tests/cli/run.h"

#include <criterion/criterion.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static char *slurp(int fd)
{
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap);
	ssize_t n;
	cr_assert_not_null(buf);
	lseek(fd, 0, SEEK_SET);
	while ((n = read(fd, buf + len, cap - len - 1)) > 0) {
		len += (size_t)n;
		if (cap - len < 2) {
			buf = realloc(buf, cap *= 2);
			cr_assert_not_null(buf);
		}
	}
	buf[len] = '\0';
	return buf;
}

void run_capsim(const char *const *argv, struct cli_result *r)
{
	const char *bin = getenv("CAPSIM_BIN");
	if (!bin)
		bin = "build/capsim";
	char out_path[] = "/tmp/capsim-test-out-XXXXXX", err_path[] = "/tmp/capsim-test-err-XXXXXX";
	int out_fd = mkstemp(out_path), err_fd = mkstemp(err_path);
	cr_assert(out_fd >= 0 && err_fd >= 0);
	unlink(out_path);
	unlink(err_path);

	size_t n = 0;
	while (argv[n])
		n++;
	char **args = calloc(n + 2, sizeof *args);
	cr_assert_not_null(args);
	args[0] = (char *)bin;
	for (size_t i = 0; i < n; i++)
		args[i + 1] = (char *)argv[i];

	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, out_fd, 1);
	posix_spawn_file_actions_adddup2(&fa, err_fd, 2);
	pid_t pid;
	int rc = posix_spawn(&pid, bin, &fa, NULL, args, environ);
	posix_spawn_file_actions_destroy(&fa);
	free(args);
	cr_assert_eq(rc, 0, "cannot run %s: %s (set CAPSIM_BIN or run through make)", bin,
		     strerror(rc));
	int st;
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	r->status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	r->out = slurp(out_fd);
	r->err = slurp(err_fd);
	close(out_fd);
	close(err_fd);
}

void cli_result_release(struct cli_result *r)
{
	free(r->out);
	free(r->err);
	r->out = r->err = NULL;
}
