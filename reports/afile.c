/* Atomic file writing: a temporary file beside the target, renamed onto it once complete. */
#include "reports/report.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim/error.h"

/* The process umask without changing it: Linux reports it in /proc/self/status since 4.7.
 * Elsewhere the umask(2) round trip, which another thread creating a file in between could
 * see (reports are written from one thread, after the simulation). */
static mode_t current_umask(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[128];
	if (f) {
		while (fgets(line, sizeof line, f))
			if (strncmp(line, "Umask:", 6) == 0) {
				fclose(f);
				return (mode_t)strtoul(line + 6, NULL, 8) & 0777;
			}
		fclose(f);
	}
	mode_t m = umask(022);
	umask(m);
	return m;
}

static void afile_clear(struct afile *a)
{
	free(a->path);
	free(a->tmp);
	a->f = NULL;
	a->path = NULL;
	a->tmp = NULL;
}

int afile_open(struct afile *a, const char *path)
{
	static const char suffix[] = ".tmp.XXXXXX";
	size_t n = strlen(path);
	int fd = -1, err;

	a->f = NULL;
	a->path = malloc(n + 1);
	a->tmp = malloc(n + sizeof suffix);
	if (!a->path || !a->tmp) {
		afile_clear(a);
		return CAPSIM_ENOMEM;
	}
	memcpy(a->path, path, n + 1);
	memcpy(a->tmp, path, n);
	memcpy(a->tmp + n, suffix, sizeof suffix);

	/* mkstemp creates the file 0600; readers other than the owner expect what a plain
	 * fopen would give, 0644 less the umask. */
	fd = mkstemp(a->tmp);
	if (fd < 0)
		goto fail;
	if (fchmod(fd, 0644 & ~current_umask()) != 0)
		goto fail;
	a->f = fdopen(fd, "w");
	if (!a->f)
		goto fail;
	return 0;

fail:
	err = errno;
	if (fd >= 0) {
		close(fd);
		unlink(a->tmp);
	}
	afile_clear(a);
	errno = err;
	return err == ENOMEM ? CAPSIM_ENOMEM : CAPSIM_EIO;
}

/* Makes the rename itself durable; a failure here leaves the new file in place, so it is not
 * reported. */
static void sync_folder(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup(".");
	if (!dir)
		return;
	int fd = open(dir, O_RDONLY | O_DIRECTORY);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	free(dir);
}

int afile_commit(struct afile *a)
{
	int rc = 0, err = 0;

	if (!a->f)
		return CAPSIM_EIO;
	/* ferror catches a write that failed earlier (its errno is gone by now). */
	errno = 0;
	if (fflush(a->f) != 0 || ferror(a->f)) {
		/* A retried flush of what is left says why the writes failed (ENOSPC). */
		err = errno ? errno : EIO;
		fclose(a->f);
		goto fail;
	}
	if (fflush(a->f) != 0 || fsync(fileno(a->f)) != 0) {
		err = errno;
		fclose(a->f);
		goto fail;
	}
	if (fclose(a->f) != 0) {
		err = errno;
		goto fail;
	}
	a->f = NULL;
	if (rename(a->tmp, a->path) != 0) {
		err = errno;
		goto fail;
	}
	sync_folder(a->path);
	goto out;

fail:
	unlink(a->tmp);
	rc = CAPSIM_EIO;
out:
	afile_clear(a);
	if (rc)
		errno = err;
	return rc;
}

void afile_abort(struct afile *a)
{
	if (!a)
		return;
	if (a->f)
		fclose(a->f);
	if (a->tmp)
		unlink(a->tmp);
	afile_clear(a);
}

void report_set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

int report_write_file(const char *path, int (*write)(FILE *f, const void *ctx),
		      const void *ctx, char *err, size_t errlen)
{
	struct afile a;
	int rc = afile_open(&a, path);
	if (rc == 0) {
		rc = write(a.f, ctx);
		if (rc)
			afile_abort(&a);
		else
			rc = afile_commit(&a);
	}
	if (rc)
		report_set_err(err, errlen, "%s: %s", path,
			       rc == CAPSIM_ENOMEM ? capsim_strerror(rc) : strerror(errno));
	return rc;
}
