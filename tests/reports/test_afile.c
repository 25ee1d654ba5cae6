/* Atomic files: nothing at the final name before commit, nothing left behind by abort. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "reports/report.h"
#include "sim/error.h"
#include "tests/reports/fake.h"

/* Entries of dir other than . and .. */
static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	cr_assert_not_null(d);
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

Test(afile, file_appears_only_on_commit)
{
	char *dir = fake_tmpdir(), *path = fake_path(dir, "out.csv");
	struct afile a;
	cr_assert_eq(afile_open(&a, path), 0);
	/* The temporary file is beside the target: same folder, "<path>.tmp." prefix. */
	cr_assert_eq(strncmp(a.tmp, path, strlen(path)), 0);
	cr_assert_eq(strncmp(a.tmp + strlen(path), ".tmp.", 5), 0);
	fputs("hello\n", a.f);
	fflush(a.f);
	cr_assert_null(fake_slurp(path, NULL), "the final name exists before commit");
	cr_assert_eq(count_entries(dir), 1);
	cr_assert_eq(afile_commit(&a), 0);
	cr_assert_null(a.f);
	cr_assert_null(a.tmp);

	char *text = fake_slurp(path, NULL);
	cr_assert_str_eq(text, "hello\n");
	cr_assert_eq(count_entries(dir), 1, "the temporary file is gone after the rename");
	free(text);
	free(path);
	fake_rmtree(dir);
}

Test(afile, mode_is_0644_less_the_umask)
{
	/* mkstemp creates 0600; the file must end as a plain fopen would leave it. */
	umask(027);
	char *dir = fake_tmpdir(), *path = fake_path(dir, "m");
	struct afile a;
	struct stat st;
	cr_assert_eq(afile_open(&a, path), 0);
	cr_assert_eq(afile_commit(&a), 0);
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0640, "mode %o", st.st_mode & 0777);
	free(path);
	fake_rmtree(dir);
}

Test(afile, abort_leaves_nothing_and_keeps_the_earlier_file)
{
	char *dir = fake_tmpdir(), *path = fake_path(dir, "keep.txt");
	struct afile a;
	cr_assert_eq(afile_open(&a, path), 0);
	fputs("old", a.f);
	cr_assert_eq(afile_commit(&a), 0);

	cr_assert_eq(afile_open(&a, path), 0);
	fputs("new, half written", a.f);
	fflush(a.f);
	cr_assert_eq(count_entries(dir), 2);
	afile_abort(&a);
	cr_assert_eq(count_entries(dir), 1, "abort removed the temporary file");
	char *text = fake_slurp(path, NULL);
	cr_assert_str_eq(text, "old");
	afile_abort(&a);    /* a released afile is accepted */
	afile_abort(NULL);
	free(text);
	free(path);
	fake_rmtree(dir);
}

Test(afile, missing_folder_is_eio)
{
	char *dir = fake_tmpdir(), *path = fake_path(dir, "no/such/folder/x.csv");
	struct afile a;
	errno = 0;
	cr_assert_eq(afile_open(&a, path), CAPSIM_EIO);
	cr_assert_eq(errno, ENOENT, "errno is kept: %s", strerror(errno));
	cr_assert_null(a.f);
	cr_assert_null(a.path);
	cr_assert_null(a.tmp);
	free(path);
	fake_rmtree(dir);
}

Test(afile, failed_rename_keeps_the_target_and_removes_the_temporary)
{
	/* The target is a non-empty folder: rename(2) refuses to replace it. */
	char *dir = fake_tmpdir(), *path = fake_path(dir, "target"), *inner = fake_path(path, "x");
	cr_assert_eq(mkdir(path, 0755), 0);
	FILE *f = fopen(inner, "w");
	cr_assert_not_null(f);
	fclose(f);
	struct afile a;
	cr_assert_eq(afile_open(&a, path), 0);
	fputs("data", a.f);
	cr_assert_eq(afile_commit(&a), CAPSIM_EIO);
	cr_assert_eq(count_entries(dir), 1, "only the folder is left");
	cr_assert_eq(count_entries(path), 1);
	free(inner);
	free(path);
	fake_rmtree(dir);
}

/* A write that failed (a full disk) is reported with its cause, not a bare EIO: /dev/full
 * fails every write with ENOSPC. */
Test(afile, a_failed_write_keeps_its_cause)
{
	struct afile a;
	char *dir = fake_tmpdir(), *path = fake_path(dir, "target");
	cr_assert_eq(afile_open(&a, path), 0);
	FILE *full = freopen("/dev/full", "w", a.f);
	if (!full)
		cr_skip_test("no /dev/full");
	a.f = full;
	for (int i = 0; i < 10000; i++)
		fputs("a line of a CSV file that cannot be written\n", a.f);
	cr_assert(ferror(a.f));
	errno = 0;
	cr_assert_eq(afile_commit(&a), CAPSIM_EIO);
	cr_assert_eq(errno, ENOSPC, "errno: %s", strerror(errno));
	cr_assert_eq(count_entries(dir), 0, "the temporary is removed");
	free(path);
	fake_rmtree(dir);
}
