/* `capsim compare` end to end: its files, its table, and how it refuses bad input. */
#include <cJSON.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/cli/run.h"

#define COMPARE_HEADER "metric,unit,a_mean,a_ci95_low,a_ci95_high,b_mean,b_ci95_low," \
		       "b_ci95_high,diff_mean,diff_ci95_low,diff_ci95_high,verdict"

/* A day of noisy traffic on an autoscaled tier at `price` USD/h. */
static void scenario(char *buf, size_t len, const char *name, const char *price)
{
	snprintf(buf, len,
		 "{\n"
		 "  \"name\": \"%s\", \"version\": 1, \"horizon\": \"1d\", \"step\": \"1m\",\n"
		 "  \"seed\": 5, \"replications\": 4,\n"
		 "  \"traffic\": { \"base_rate\": 200, \"daily\": { \"amplitude\": 0.5 },\n"
		 "                \"noise\": 0.3 },\n"
		 "  \"instance_types\": [ { \"name\": \"small\", \"vcpu\": 2, \"memory_gib\": 4,\n"
		 "                          \"price_hourly\": %s } ],\n"
		 "  \"regions\": [ { \"name\": \"local\", \"zones\": [\"a\", \"b\"] } ],\n"
		 "  \"tiers\": [ { \"name\": \"api\", \"instance_type\": \"small\",\n"
		 "    \"service_time\": \"50ms\", \"concurrency\": 4,\n"
		 "    \"autoscaling\": { \"min\": 1, \"max\": 10,\n"
		 "                     \"target_tracking\": { \"target\": 0.6 } } } ]\n"
		 "}\n",
		 name, price);
}

static char dir[64];

static void make_tmpdir(void)
{
	strcpy(dir, "/tmp/capsim-compare-XXXXXX");
	if (!mkdtemp(dir))
		cr_assert_fail("mkdtemp: %s", strerror(errno));
}

static void remove_tmpdir(void)
{
	if (dir[0])
		cli_remove_tree(dir);
}

TestSuite(compare_cli, .init = make_tmpdir, .fini = remove_tmpdir);

/* Writes dir/a.json (scenario() named name_a at 0.1 USD/h) and dir/b.json (text); a, b and
 * out (dir/out, not created) get their paths, each PATH_MAX long. */
static void write_pair(char *a, char *b, char *out, const char *name_a, const char *text)
{
	char first[2048];
	cli_join(a, PATH_MAX, dir, "a.json");
	cli_join(b, PATH_MAX, dir, "b.json");
	cli_join(out, PATH_MAX, dir, "out");
	scenario(first, sizeof first, name_a, "0.1");
	cli_write_file(a, first, strlen(first));
	cli_write_file(b, text, strlen(text));
}

/* Field k (0-based) of the CSV line that starts with "name,". */
static double field(const char *csv, const char *name, int k, char *text, size_t len)
{
	char key[96];
	snprintf(key, sizeof key, "\n%s,", name);
	const char *p = strstr(csv, key);
	cr_assert_not_null(p, "no row %s", name);
	p++;
	for (int i = 0; i < k; i++) {
		p = strchr(p, ',');
		cr_assert_not_null(p);
		p++;
	}
	size_t n = strcspn(p, ",\n");
	if (text)
		snprintf(text, len, "%.*s", (int)n, p);
	return strtod(p, NULL);
}

/* The line of the text table that starts with label, into buf. */
static const char *table_row(const char *out, const char *label, char *buf, size_t len)
{
	char key[96];
	snprintf(key, sizeof key, "\n%s ", label);
	const char *p = strstr(out, key);
	cr_assert_not_null(p, "no row %s in:\n%s", label, out);
	p++;
	snprintf(buf, len, "%.*s", (int)strcspn(p, "\n"), p);
	return buf;
}

Test(compare_cli, a_dearer_price_is_b_higher_on_cost_and_nothing_else_moves)
{
	char a[PATH_MAX], b[PATH_MAX], out[PATH_MAX], path[PATH_MAX], text[2048];
	struct cli_result r;
	scenario(text, sizeof text, "dear", "0.25");
	write_pair(a, b, out, "cheap", text);

	const char *argv[] = { "compare", a, b, "-o", out, "--no-plots", NULL };
	run_capsim(argv, &r);
	cr_assert_eq(r.status, 0, "exit %d: %s", r.status, r.err);
	cr_expect(strstr(r.out, "4 replications each, seed 5"), "%s", r.out);
	/* The table's cost row says B is dearer; the availability row says nothing. */
	char row[256];
	cr_expect(strstr(table_row(r.out, "cost per month", row, sizeof row), "B higher"), "%s",
		  row);
	table_row(r.out, "availability", row, sizeof row);
	cr_expect(!strstr(row, "B higher") && !strstr(row, "B lower"), "%s", row);
	/* Nor the p99 of all requests together: the same requests on the same fleet. */
	table_row(r.out, "p99 of all requests", row, sizeof row);
	cr_expect(!strstr(row, "B higher") && !strstr(row, "B lower") && strstr(row, " s "),
		  "%s", row);

	cli_join(path, sizeof path, out, "compare.csv");
	char *csv = cli_read_file(path, NULL);
	cr_assert(strncmp(csv, COMPARE_HEADER "\n", strlen(COMPARE_HEADER) + 1) == 0,
		  "first line: %.120s", csv);
	/* The same random numbers drive the same fleet, so B's cost is 2.5 x A's in every
	 * replication: the difference is 1.5 x A's cost (the CSV's 10 digits: 1e-9). */
	double a_cost = field(csv, "cost_total", 2, NULL, 0);
	double d_cost = field(csv, "cost_total", 8, NULL, 0);
	cr_expect(fabs(d_cost - 1.5 * a_cost) <= 1e-8 * a_cost, "%g vs 1.5 x %g", d_cost, a_cost);
	field(csv, "cost_total", 11, text, sizeof text);
	cr_expect_str_eq(text, "b_higher");
	/* Not a request differs: an interval of exactly 0, no verdict. */
	cr_expect_eq(field(csv, "requests_offered", 9, NULL, 0), 0);
	cr_expect_eq(field(csv, "requests_offered", 10, NULL, 0), 0);
	field(csv, "requests_offered", 11, text, sizeof text);
	cr_expect_str_eq(text, "no_difference");
	free(csv);

	/* Each run's own report, and both runs in one database. */
	cli_join(path, sizeof path, out, "a/summary.csv");
	cr_expect(cli_exists(path), "a/summary.csv");
	cli_join(path, sizeof path, out, "b/summary.csv");
	cr_expect(cli_exists(path), "b/summary.csv");
	cr_expect(strstr(r.out, "runs 1 and 2 in"), "%s", r.out);
	/* --no-plots: the script is written, nothing drawn, and stderr says how to draw. */
	cli_join(path, sizeof path, out, "compare.gp");
	cr_expect(cli_exists(path), "compare.gp");
	cli_join(path, sizeof path, out, "compare.png");
	cr_expect(!cli_exists(path), "compare.png drawn under --no-plots");
	cr_expect(strstr(r.err, "draw the plots later"), "%s", r.err);
	/* compare.md: the printed table, inside a code block, no image without a plot, and the
	 * runs' pages linked. */
	cli_join(path, sizeof path, out, "compare.md");
	char *md = cli_read_file(path, NULL);
	const char *wrote = strstr(r.out, "\n\nwrote ");
	cr_assert_not_null(wrote);
	size_t len = (size_t)(wrote - r.out) + 1;
	const char *fence = strstr(md, "```text\n");
	cr_assert_not_null(fence, "%s", md);
	cr_expect(strncmp(fence + 8, r.out, len) == 0, "%.*s", (int)len, fence + 8);
	cr_expect(!strstr(md, "![compare]"), "%s", md);
	cr_expect(strstr(md, "[a/report.md](a/report.md)"), "%s", md);
	free(md);
	cli_result_release(&r);

	/* --json: one object with both sides and the rows. */
	const char *js[] = { "compare", a, b, "-o", out, "--no-plots", "--json", "--reps", "3",
			     NULL };
	run_capsim(js, &r);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_expect(r.out[0] == '{', "%.40s", r.out);
	cr_expect(strstr(r.out, "\"verdict\":\t\"b_higher\""), "%.400s", r.out);
	cr_expect(strstr(r.out, "\"replications\":\t3"), "%.400s", r.out);
	cr_expect(strstr(r.out, "\"seed\":\t5,"), "a number, as run's: %.400s", r.out);
	cr_expect(strstr(r.out, "runs 3 and 4") == NULL);
	cli_result_release(&r);
}

Test(compare_cli, a_mistake_in_either_file_exits_2_and_writes_nothing)
{
	char a[PATH_MAX], b[PATH_MAX], out[PATH_MAX], text[2048];
	struct cli_result r;
	/* Line 3 (counted by hand in scenario()) gets an unknown key. */
	scenario(text, sizeof text, "bad", "0.1");
	char *p = strstr(text, "\"seed\": 5");
	cr_assert_not_null(p);
	memcpy(p, "\"sede\": 5", 9);
	write_pair(a, b, out, "good", text);

	const char *argv[] = { "compare", a, b, "-o", out, NULL };
	run_capsim(argv, &r);
	cr_expect_eq(r.status, 2, "exit %d", r.status);
	char want[PATH_MAX + 32];
	snprintf(want, sizeof want, "%s:3: sede", b);
	cr_expect(strncmp(r.err, want, strlen(want)) == 0, "%s", r.err);
	cr_expect_str_eq(r.out, "");
	cr_expect(!cli_exists(out), "the output folder was created");
	cli_result_release(&r);

	const char *one[] = { "compare", a, "-o", out, NULL };
	run_capsim(one, &r);
	cr_expect_eq(r.status, 2);
	cr_expect(strstr(r.err, "expected two scenario files"), "%s", r.err);
	cli_result_release(&r);

	const char *three[] = { "compare", a, a, a, "-o", out, NULL };
	run_capsim(three, &r);
	cr_expect_eq(r.status, 2);
	cr_expect(strstr(r.err, "two scenario files only"), "%s", r.err);
	cli_result_release(&r);
	cr_expect(!cli_exists(out), "a refused comparison created the output folder");
}

/* One replication each: a difference without an interval is `unknown`, not `no_difference`
 * (B's price is 2.5 times A's: B is dearer in that replication, and nothing says by how much
 * with confidence). */
Test(compare_cli, one_replication_gives_no_verdict)
{
	char a[PATH_MAX], b[PATH_MAX], out[PATH_MAX], path[PATH_MAX], text[2048];
	struct cli_result r;
	scenario(text, sizeof text, "dear", "0.25");
	write_pair(a, b, out, "cheap", text);
	const char *argv[] = { "compare", a, b, "-o", out, "--reps", "1", "--no-plots", NULL };
	run_capsim(argv, &r);
	cr_assert_eq(r.status, 0, "exit %d: %s", r.status, r.err);
	cli_join(path, sizeof path, out, "compare.csv");
	char *csv = cli_read_file(path, NULL);
	cr_expect_gt(field(csv, "cost_total", 8, NULL, 0), 0);
	field(csv, "cost_total", 11, text, sizeof text);
	cr_expect_str_eq(text, "unknown");
	free(csv);
	cli_result_release(&r);
}

/* A comparison pairs every replication's figures, which a run keeps up to 10,000
 * replications (RUN_SAMPLE_REPS): more are refused with exit 2 before anything is simulated
 * or written, whether they come from --reps or from the scenarios' `replications`. */
Test(compare_cli, more_replications_than_a_run_keeps_are_refused)
{
	char a[PATH_MAX], b[PATH_MAX], out[PATH_MAX], text[2048];
	struct cli_result r;
	scenario(text, sizeof text, "dear", "0.25");
	write_pair(a, b, out, "cheap", text);
	const char *argv[] = { "compare", a, b, "-o", out, "--reps", "10001", NULL };
	run_capsim(argv, &r);
	cr_assert_eq(r.status, 2, "exit %d: %s", r.status, r.err);
	cr_assert_not_null(strstr(r.err, "--reps: expected at most 10000 replications"), "%s",
			   r.err);
	cr_assert_eq(access(out, F_OK), -1, "%s was created", out);
	cli_result_release(&r);

	const char *key = "\"replications\": 4";
	char *at = strstr(text, key), more[2048];
	cr_assert_not_null(at);
	snprintf(more, sizeof more, "%.*s\"replications\": 20000%s", (int)(at - text), text,
		 at + strlen(key));
	cli_write_file(b, more, strlen(more));
	const char *deflt[] = { "compare", a, b, "-o", out, NULL };
	run_capsim(deflt, &r);
	cr_assert_eq(r.status, 2, "exit %d: %s", r.status, r.err);
	cr_assert_not_null(strstr(r.err, "the scenarios' replications: expected at most 10000"),
			   "%s", r.err);
	cli_result_release(&r);
}

/* A folder where compare writes compare.csv: refused before anything is simulated, with
 * exit 2, and results.db never takes the two runs (it once did, then failed the rename). */
Test(compare_cli, a_folder_in_the_way_of_compare_csv_is_refused_before_the_runs)
{
	char a[PATH_MAX], b[PATH_MAX], out[PATH_MAX], text[2048], in_way[PATH_MAX + 16];
	char db[PATH_MAX + 16];
	scenario(text, sizeof text, "b", "0.2");
	write_pair(a, b, out, "a", text);
	snprintf(in_way, sizeof in_way, "%s/compare.csv", out);
	cr_assert_eq(mkdir(out, 0755), 0);
	cr_assert_eq(mkdir(in_way, 0755), 0);
	const char *argv[] = { "compare", a, b, "-o", out, "--no-plots", NULL };
	struct cli_result r;
	run_capsim(argv, &r);
	cr_assert_eq(r.status, 2, "exit %d: %s", r.status, r.err);
	cr_assert(strstr(r.err, "compare.csv is a folder where capsim writes"), "%s", r.err);
	snprintf(db, sizeof db, "%s/results.db", out);
	cr_assert(!cli_exists(db), "results.db took the runs");
	cli_result_release(&r);
}

Test(compare_cli, with_gnuplot_compare_png_is_drawn_beside_each_runs_plots)
{
	if (!cli_have_gnuplot())
		cr_skip_test("gnuplot is not installed");
	char a[PATH_MAX], b[PATH_MAX], out[PATH_MAX], path[PATH_MAX], text[2048];
	struct cli_result r;
	scenario(text, sizeof text, "dear", "0.25");
	write_pair(a, b, out, "cheap", text);
	const char *argv[] = { "compare", a, b, "-o", out, "--reps", "2", NULL };
	run_capsim(argv, &r);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_expect_str_eq(r.err, "");
	static const char *const pngs[] = { "compare.png", "a/cost.png", "b/latency.png" };
	for (size_t i = 0; i < 3; i++) {
		size_t len;
		cli_join(path, sizeof path, out, pngs[i]);
		char *png = cli_read_file(path, &len);
		cr_expect(len > 8 && memcmp(png, "\x89PNG", 4) == 0, "%s is not a PNG", pngs[i]);
		free(png);
	}
	cr_expect(strstr(r.out, "plot: "), "%s", r.out);
	cli_join(path, sizeof path, out, "compare.md");
	char *md = cli_read_file(path, NULL);
	cr_expect(strstr(md, "![compare](compare.png)"), "%s", md);
	free(md);
	cli_result_release(&r);
}

/* --json judges A's targets for both runs exactly as the table does: the shop against its
 * one-database copy, 2 replications, each target's verdicts in the JSON are the words of the
 * table's "targets of A's scenario" row for it (availability, p99 latency, the budget). */
Test(compare_cli, json_targets_are_the_tables_verdicts)
{
	char out[PATH_MAX];
	cli_join(out, sizeof out, dir, "out");
	const char *text[] = { "compare", "scenarios/shop.json", "scenarios/shop-one-db.json", "-o",
			       out, "--no-plots", "--reps", "2", NULL };
	const char *json[] = { "compare", "scenarios/shop.json", "scenarios/shop-one-db.json", "-o",
			       out, "--no-plots", "--reps", "2", "--json", NULL };
	struct cli_result t, j;
	run_capsim(text, &t);
	cr_assert_eq(t.status, 0, "%s", t.err);
	run_capsim(json, &j);
	cr_assert_eq(j.status, 0, "%s", j.err);
	cJSON *root = cJSON_Parse(j.out);
	cr_assert_not_null(root, "%.200s", j.out);
	const cJSON *targets = cJSON_GetObjectItem(root, "targets");
	cr_assert(cJSON_IsArray(targets));
	cr_assert_eq(cJSON_GetArraySize(targets), 3);
	static const char *const label[] = { "availability >= 99.9 %", "p99 latency <= 0.6 s",
					     "cost per month <= $2,500.00" };
	for (int i = 0; i < 3; i++) {
		const cJSON *x = cJSON_GetArrayItem(targets, i);
		const char *a = cJSON_GetStringValue(cJSON_GetObjectItem(x, "a"));
		const char *b = cJSON_GetStringValue(cJSON_GetObjectItem(x, "b"));
		cr_assert(a && b);
		char row[256], want[256];
		table_row(t.out, label[i], row, sizeof row);
		snprintf(want, sizeof want, "%-34s %-12s %s", label[i], a, b);
		cr_expect_str_eq(row, want);
	}
	cJSON_Delete(root);
	cli_result_release(&t);
	cli_result_release(&j);

	/* Both comparisons appended A then B to the folder's database, each row saying so. */
	char db_path[PATH_MAX];
	cli_join(db_path, sizeof db_path, out, "results.db");
	sqlite3 *db;
	sqlite3_stmt *st;
	cr_assert_eq(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	cr_assert_eq(sqlite3_prepare_v2(db, "SELECT group_concat(command || ':' || part, ',')"
					" FROM (SELECT command, part FROM runs ORDER BY id)", -1,
					&st, NULL), SQLITE_OK, "%s", sqlite3_errmsg(db));
	cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
	cr_expect_str_eq((const char *)sqlite3_column_text(st, 0),
			 "compare:A,compare:B,compare:A,compare:B");
	sqlite3_finalize(st);
	sqlite3_close(db);
}

/* The database value of sql's first column of its first row, as text (malloc'd; "" for no
 * row, "NULL" for NULL). */
static char *db_text(const char *db_path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	cr_assert_eq(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK, "%s: %s", sql,
		     sqlite3_errmsg(db));
	int rc = sqlite3_step(st);
	const char *v = rc == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0) : "";
	char *copy = strdup(v ? v : "NULL");
	cr_assert_not_null(copy);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return copy;
}

Test(compare_cli, the_rows_of_one_compare_share_a_batch_and_a_later_run_has_its_own)
{
	/* Two compares into one folder, then a run into it: rows 1, 2 (A, B), 3, 4 (A, B), 5.
	 * Each row's batch is the id of its command's first row: 1, 1, 3, 3, 5. */
	char out[PATH_MAX], db_path[PATH_MAX];
	cli_join(out, sizeof out, dir, "out");
	cli_join(db_path, sizeof db_path, out, "results.db");
	const char *cmp[] = { "compare", "scenarios/minimal.json", "scenarios/minimal.json", "-o",
			      out, "--reps", "2", "--no-plots", "--quiet", NULL };
	const char *run[] = { "run", "scenarios/minimal.json", "-o", out, "--reps", "2",
			      "--no-plots", "--quiet", NULL };
	struct cli_result r;
	for (int i = 0; i < 2; i++) {
		run_capsim(cmp, &r);
		cr_assert_eq(r.status, 0, "%s", r.err);
		cli_result_release(&r);
	}
	run_capsim(run, &r);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cli_result_release(&r);

	char *rows = db_text(db_path, "SELECT group_concat(id || ':' || command || ':' ||"
			     " coalesce(part, '-') || ':' || batch, ',') FROM (SELECT * FROM runs"
			     " ORDER BY id)");
	cr_expect_str_eq(rows, "1:compare:A:1,2:compare:B:1,3:compare:A:3,4:compare:B:3,"
			 "5:run:-:5");
	/* The query scenarios/README.md gives for the rows of the last compare. */
	char *last = db_text(db_path, "SELECT group_concat(id, ',') FROM (SELECT id FROM runs"
			     " WHERE batch = (SELECT max(batch) FROM runs WHERE command = 'compare')"
			     " ORDER BY id)");
	cr_expect_str_eq(last, "3,4");
	free(rows);
	free(last);
}
