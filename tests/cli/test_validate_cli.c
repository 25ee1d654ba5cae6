/* `capsim validate` and `capsim init` end to end: exit statuses, the one-line messages,
 * and a starter scenario that validates and is never overwritten. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/cli/run.h"

static size_t count_char(const char *s, char c)
{
	size_t n = 0;
	for (; *s; s++)
		n += *s == c;
	return n;
}

Test(validate_cli, examples_are_ok_with_one_summary_line_each)
{
	/* Written from the files: shop has 3 tiers in 2 regions, 30d at 1m, 20 replications;
	 * minimal takes every default; trace-example is 1d at 5m with 10 replications. */
	const char *argv[] = { "validate", "scenarios/shop.json", "scenarios/minimal.json",
			       "scenarios/trace-example.json", NULL };
	struct cli_result r;
	run_capsim(argv, &r);
	cr_assert_eq(r.status, 0, "stderr: %s", r.err);
	cr_assert_str_eq(r.out,
		"scenarios/shop.json: ok (shop: 3 tiers, 2 regions, horizon 30 d, step 1 min, "
		"20 replications)\n"
		"scenarios/minimal.json: ok (minimal: 1 tier, 1 region, horizon 30 d, step 1 min, "
		"20 replications)\n"
		"scenarios/trace-example.json: ok (trace-example: 1 tier, 1 region, horizon 1 d, "
		"step 5 min, 10 replications)\n");
	cr_assert_str_eq(r.err, "");
	cli_result_release(&r);
}

/* A good file whose requests cross regions with nothing declared to count it gets a note
 * after its line, on stdout, and still exits 0: the shop with db in eu-west-1 only and no
 * round trips. */
Test(validate_cli, crossings_nothing_counts_get_a_note)
{
	char dir[] = "/tmp/capsim-validate-XXXXXX", path[256];
	cr_assert_not_null(mkdtemp(dir));
	cli_join(path, sizeof path, dir, "s.json");
	size_t len;
	char *text = cli_read_file("scenarios/shop.json", &len), out[16384];
	const char *rtt = ", \"rtt\": { \"us-east-1\": \"70ms\" }";
	const char *db = "\"placement\": { \"zones\": 2 }";
	char *a = strstr(text, rtt), *b = strstr(text, db);
	cr_assert(a && b && a < b);
	int n = snprintf(out, sizeof out, "%.*s%.*s\"placement\": { \"regions\": [\"eu-west-1\"] }%s",
			 (int)(a - text), text, (int)(b - a - strlen(rtt)), a + strlen(rtt),
			 b + strlen(db));
	cr_assert(n > 0 && (size_t)n < sizeof out);
	cli_write_file(path, out, (size_t)n);
	const char *argv[] = { "validate", path, NULL };
	struct cli_result r;
	run_capsim(argv, &r);
	cr_assert_eq(r.status, 0, "stderr: %s", r.err);
	char want[1024];
	snprintf(want, sizeof want, "%s: ok (shop: 3 tiers, 2 regions, horizon 30 d, step 1 min, "
		 "20 replications)\nnote: the requests entering us-east-1 call tier db across "
		 "regions, with no round trip between us-east-1 and eu-west-1 (regions[].rtt) "
		 "declared: no network time is counted\n", path);
	cr_assert_str_eq(r.out, want);
	cli_result_release(&r);
	free(text);
	unlink(path);
	rmdir(dir);
}

Test(validate_cli, each_broken_file_gives_exit_2_and_one_located_line)
{
	DIR *d = opendir("scenarios/broken");
	struct dirent *e;
	int n = 0;
	cr_assert_not_null(d);
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		if (len < 6 || strcmp(e->d_name + len - 5, ".json") != 0)
			continue;
		char path[PATH_MAX];
		snprintf(path, sizeof path, "scenarios/broken/%s", e->d_name);
		const char *argv[] = { "validate", path, NULL };
		struct cli_result r;
		run_capsim(argv, &r);
		cr_assert_eq(r.status, 2, "%s: exit %d", path, r.status);
		cr_assert_str_eq(r.out, "", "%s: nothing on stdout", path);
		cr_assert_eq(count_char(r.err, '\n'), 1, "%s: one line: %s", path, r.err);
		/* FILE:LINE: with LINE >= 1; the file is the scenario, or its trace CSV. */
		char *colon = strchr(r.err + strlen("scenarios/broken/"), ':');
		cr_assert_not_null(colon, "%s: %s", path, r.err);
		cr_assert(strncmp(r.err, "scenarios/broken/", 17) == 0, "%s: %s", path, r.err);
		char *end;
		long line = strtol(colon + 1, &end, 10);
		cr_assert(line >= 1 && *end == ':', "%s: no line number in %s", path, r.err);
		cli_result_release(&r);
		n++;
	}
	closedir(d);
	cr_assert_geq(n, 20, "the broken examples are all there");
}

Test(validate_cli, stops_at_the_first_bad_file)
{
	const char *argv[] = { "validate", "scenarios/minimal.json",
			       "scenarios/broken/version.json", "scenarios/shop.json", NULL };
	struct cli_result r;
	run_capsim(argv, &r);
	cr_assert_eq(r.status, 2);
	cr_assert_eq(count_char(r.out, '\n'), 1, "only minimal.json was reported: %s", r.out);
	cr_assert(strncmp(r.out, "scenarios/minimal.json: ok", 26) == 0, "%s", r.out);
	cr_assert_str_eq(r.err, "scenarios/broken/version.json:3: version: expected 1 (the only "
			 "scenario format version), got 2\n");
	cli_result_release(&r);
}

Test(validate_cli, missing_file_and_missing_argument_exit_2)
{
	const char *nofile[] = { "validate", "scenarios/does-not-exist.json", NULL };
	const char *noarg[] = { "validate", NULL };
	struct cli_result r;
	run_capsim(nofile, &r);
	cr_assert_eq(r.status, 2);
	cr_assert(strstr(r.err, "scenarios/does-not-exist.json: cannot read"), "%s", r.err);
	cli_result_release(&r);
	run_capsim(noarg, &r);
	cr_assert_eq(r.status, 2);
	cr_assert(strstr(r.err, "capsim validate:"), "%s", r.err);
	cli_result_release(&r);
}

Test(validate_cli, help_shows_the_usage_from_the_table)
{
	const char *v[] = { "help", "validate", NULL }, *i[] = { "init", "--help", NULL };
	struct cli_result r;
	run_capsim(v, &r);
	cr_assert_eq(r.status, 0);
	cr_assert(strncmp(r.out, "usage: capsim validate FILE...", 30) == 0, "%s", r.out);
	cli_result_release(&r);
	run_capsim(i, &r);
	cr_assert_eq(r.status, 0);
	cr_assert(strncmp(r.out, "usage: capsim init [NAME]", 25) == 0, "%s", r.out);
	cli_result_release(&r);
}

/* Runs the tests below in a fresh temporary folder; the binary's path is made absolute first
 * because the tests chdir (each Criterion test runs in its own process). */
static char tmpdir[64], origin[PATH_MAX];

static void enter_tmpdir(void)
{
	char bin[2 * PATH_MAX];
	const char *b = getenv("CAPSIM_BIN");
	cr_assert_not_null(getcwd(origin, sizeof origin));
	if (!b)
		b = "build/capsim";
	if (b[0] == '/')
		snprintf(bin, sizeof bin, "%s", b);
	else
		snprintf(bin, sizeof bin, "%s/%s", origin, b);
	cr_assert_eq(access(bin, X_OK), 0, "capsim binary %s not found", bin);
	setenv("CAPSIM_BIN", bin, 1);
	strcpy(tmpdir, "/tmp/capsim-init-XXXXXX");
	cr_assert_not_null(mkdtemp(tmpdir));
	cr_assert_eq(chdir(tmpdir), 0);
}

/* Names of the files in the current folder, sorted into one comma-separated string. */
static void list_dir(char *buf, size_t size)
{
	struct dirent **names;
	int n = scandir(".", &names, NULL, alphasort);
	cr_assert_geq(n, 0);
	buf[0] = '\0';
	for (int k = 0; k < n; k++) {
		if (names[k]->d_name[0] != '.' || names[k]->d_name[1] > '.' ||
		    (names[k]->d_name[1] == '.' && names[k]->d_name[2]))
			snprintf(buf + strlen(buf), size - strlen(buf), "%s%s", buf[0] ? "," : "",
				 names[k]->d_name);
		free(names[k]);
	}
	free(names);
}

static void leave_tmpdir(const char *const *files)
{
	for (; *files; files++)
		unlink(*files);
	cr_assert_eq(chdir(origin), 0);
	cr_assert_eq(rmdir(tmpdir), 0, "the temporary folder holds unexpected files");
}

static char *slurp_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	cr_assert_not_null(f, "%s", path);
	static char buf[65536];
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = '\0';
	fclose(f);
	return strdup(buf);
}

Test(init_cli, writes_a_starter_that_validates_and_never_overwrites)
{
	const char *init[] = { "init", "shop", NULL };
	const char *validate[] = { "validate", "shop.json", NULL };
	const char *files[] = { "shop.json", NULL };
	struct cli_result r;
	char listing[512];
	enter_tmpdir();
	run_capsim(init, &r);
	cr_assert_eq(r.status, 0, "stderr: %s", r.err);
	cli_result_release(&r);
	list_dir(listing, sizeof listing);
	cr_assert_str_eq(listing, "shop.json", "no temporary file is left behind");

	char *before = slurp_file("shop.json");
	cr_assert(strstr(before, "\"_comment\""), "the starter is commented");
	cr_assert(strstr(before, "\"name\": \"shop\""), "NAME names the scenario");
	run_capsim(validate, &r);
	cr_assert_eq(r.status, 0, "stderr: %s", r.err);
	cr_assert(strncmp(r.out, "shop.json: ok (shop: ", 21) == 0, "%s", r.out);
	cli_result_release(&r);

	run_capsim(init, &r);   /* again: must refuse */
	cr_assert_eq(r.status, 2);
	cr_assert(strstr(r.err, "shop.json already exists"), "%s", r.err);
	cli_result_release(&r);
	char *after = slurp_file("shop.json");
	cr_assert_str_eq(after, before, "the existing file is untouched");
	free(before);
	free(after);
	list_dir(listing, sizeof listing);
	cr_assert_str_eq(listing, "shop.json");
	leave_tmpdir(files);
}

Test(init_cli, default_name_is_scenario_json_and_bad_names_are_refused)
{
	const char *init[] = { "init", NULL }, *bad[] = { "init", "../escape", NULL };
	const char *validate[] = { "validate", "scenario.json", NULL };
	const char *files[] = { "scenario.json", NULL };
	struct cli_result r;
	char listing[512];
	enter_tmpdir();
	run_capsim(init, &r);
	cr_assert_eq(r.status, 0, "stderr: %s", r.err);
	cli_result_release(&r);
	run_capsim(validate, &r);
	cr_assert_eq(r.status, 0, "stderr: %s", r.err);
	cr_assert(strncmp(r.out, "scenario.json: ok (scenario: ", 29) == 0, "%s", r.out);
	cli_result_release(&r);
	run_capsim(bad, &r);
	cr_assert_eq(r.status, 2);
	cr_assert_str_eq(r.out, "");
	cli_result_release(&r);
	list_dir(listing, sizeof listing);
	cr_assert_str_eq(listing, "scenario.json", "nothing written for a bad name");
	leave_tmpdir(files);
}
