/* Spawns the capsim binary with its output redirected to temporary files. */
#include "tests/cli/run.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

void cli_join(char *buf, size_t size, const char *folder, const char *name)
{
	cr_assert_lt((size_t)snprintf(buf, size, "%s/%s", folder, name), size);
}

void cli_write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	cr_assert_not_null(f, "%s: %s", path, strerror(errno));
	cr_assert_eq(fwrite(data, 1, len, f), len);
	cr_assert_eq(fclose(f), 0);
}

char *cli_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	cr_assert_not_null(f, "%s: %s", path, strerror(errno));
	size_t cap = 1 << 16, n = 0, got;
	char *buf = malloc(cap);
	cr_assert_not_null(buf);
	while ((got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
		n += got;
		if (cap - n < 2) {
			buf = realloc(buf, cap *= 2);
			cr_assert_not_null(buf);
		}
	}
	cr_assert(!ferror(f), "%s", path);
	fclose(f);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

int cli_exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

void cli_remove_tree(const char *path)
{
	struct stat st;
	if (lstat(path, &st) != 0)
		return;
	if (S_ISDIR(st.st_mode)) {
		DIR *d = opendir(path);
		struct dirent *e;
		while (d && (e = readdir(d))) {
			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			char sub[PATH_MAX];
			snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
			cli_remove_tree(sub);
		}
		if (d)
			closedir(d);
		rmdir(path);
	} else {
		unlink(path);
	}
}

double cli_summary_mean(const char *csv, const char *name)
{
	size_t n = strlen(name);
	for (const char *p = csv; p; p = strchr(p, '\n')) {
		if (*p == '\n')
			p++;
		if (strncmp(p, name, n) == 0 && p[n] == ',') {
			const char *unit_end = strchr(p + n + 1, ',');
			cr_assert_not_null(unit_end, "%s: no mean", name);
			return strtod(unit_end + 1, NULL);
		}
	}
	cr_assert_fail("summary.csv has no row %s", name);
	return NAN;
}

int cli_have_gnuplot(void)
{
	const char *path = getenv("PATH");
	char buf[PATH_MAX], file[PATH_MAX];
	if (!path)
		return 0;
	snprintf(buf, sizeof buf, "%s", path);
	for (char *save, *d = strtok_r(buf, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		snprintf(file, sizeof file, "%s/gnuplot", d[0] ? d : ".");
		if (access(file, X_OK) == 0)
			return 1;
	}
	return 0;
}
