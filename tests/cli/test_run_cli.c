/* `capsim run` end to end: the files it writes, the results database it appends to, its
 * options, and how it fails on bad input, a broken database and a missing gnuplot. */
#include <cJSON.h>
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <nettle/sha2.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/cli/run.h"

#define SUMMARY_HEADER "metric,unit,mean,ci95_low,ci95_high,p5,p50,p95"

static const char *const csv_names[] = { "summary.csv", "timeseries.csv", "cost.csv",
					 "events.csv", "cost_daily.csv", "bill.csv" };
static const char *const plot_names[] = { "demand", "instances", "latency", "cost",
					   "purchase", "bill" };

/* A day of noisy, spiky traffic on an autoscaled tier: every replication draws different
 * numbers, and the whole run takes a fraction of a second. */
static const char noisy_json[] =
	"{\n"
	"  \"name\": \"noisy\",\n"
	"  \"version\": 1,\n"
	"  \"horizon\": \"1d\",\n"
	"  \"step\": \"1m\",\n"
	"  \"seed\": 5,\n"
	"  \"replications\": 3,\n"
	"  \"traffic\": { \"base_rate\": 200, \"daily\": { \"amplitude\": 0.5 }, \"noise\": 0.3,\n"
	"    \"spikes\": { \"rate_per_day\": 4, \"magnitude\": [1.5, 2], \"duration\": \"20m\" } },\n"
	"  \"instance_types\": [\n"
	"    { \"name\": \"small\", \"vcpu\": 2, \"memory_gib\": 4, \"price_hourly\": 0.1 }\n"
	"  ],\n"
	"  \"regions\": [ { \"name\": \"local\", \"zones\": [\"a\", \"b\"] } ],\n"
	"  \"tiers\": [\n"
	"    { \"name\": \"api\", \"instance_type\": \"small\", \"service_time\": \"50ms\",\n"
	"      \"concurrency\": 4,\n"
	"      \"autoscaling\": { \"min\": 1, \"max\": 10, \"desired\": 3,\n"
	"                       \"target_tracking\": { \"target\": 0.6 } } }\n"
	"  ]\n"
	"}\n";

/* ---- temporary folders and files ---- */

/* Each test gets a fresh folder, removed afterwards even when the test fails (Criterion runs
 * .fini after a failed assertion; each test is its own process, so the static is its own). */
static char dir[64];

static void make_tmpdir(void)
{
	strcpy(dir, "/tmp/capsim-run-XXXXXX");
	if (!mkdtemp(dir))
		cr_assert_fail("mkdtemp: %s", strerror(errno));
}

static void remove_tmpdir(void)
{
	if (dir[0])
		cli_remove_tree(dir);
}

TestSuite(run_cli, .init = make_tmpdir, .fini = remove_tmpdir);

static size_t count_char(const char *s, char c)
{
	size_t n = 0;
	for (; *s; s++)
		n += *s == c;
	return n;
}

static void sha256_hex(const char *data, size_t len, char hex[65])
{
	struct sha256_ctx ctx;
	uint8_t d[SHA256_DIGEST_SIZE];
	sha256_init(&ctx);
	sha256_update(&ctx, len, (const uint8_t *)data);
	sha256_digest(&ctx, sizeof d, d);
	for (size_t i = 0; i < sizeof d; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
}

/* ---- the results database, read through the SQLite API ---- */

struct run_row {
	int64_t id;
	char name[64];
	uint64_t seed;
	int64_t replications;
	char sha256[65];
};

static sqlite3 *db_open(const char *path)
{
	sqlite3 *db = NULL;
	int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL);
	cr_assert_eq(rc, SQLITE_OK, "%s: %s", path, db ? sqlite3_errmsg(db) : "cannot open");
	return db;
}

static int64_t db_count(sqlite3 *db, const char *sql, int64_t arg)
{
	sqlite3_stmt *st;
	cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK, "%s: %s", sql,
		     sqlite3_errmsg(db));
	if (sqlite3_bind_parameter_count(st) > 0)
		sqlite3_bind_int64(st, 1, arg);
	cr_assert_eq(sqlite3_step(st), SQLITE_ROW, "%s", sql);
	int64_t n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* The rows of `runs` in id order; returns how many (at most max). */
static size_t db_runs(sqlite3 *db, struct run_row *rows, size_t max)
{
	sqlite3_stmt *st;
	size_t n = 0;
	cr_assert_eq(sqlite3_prepare_v2(db, "SELECT id, scenario, seed, replications, "
					"scenario_sha256 FROM runs ORDER BY id", -1, &st, NULL),
		     SQLITE_OK, "%s", sqlite3_errmsg(db));
	while (sqlite3_step(st) == SQLITE_ROW && n < max) {
		struct run_row *r = &rows[n++];
		const unsigned char *name = sqlite3_column_text(st, 1);
		const unsigned char *sha = sqlite3_column_text(st, 4);
		r->id = sqlite3_column_int64(st, 0);
		snprintf(r->name, sizeof r->name, "%s", name ? (const char *)name : "(null)");
		/* runs.seed holds the uint64 seed's bits as a signed integer (reports/db.c). */
		r->seed = (uint64_t)sqlite3_column_int64(st, 2);
		r->replications = sqlite3_column_int64(st, 3);
		snprintf(r->sha256, sizeof r->sha256, "%s", sha ? (const char *)sha : "(null)");
	}
	sqlite3_finalize(st);
	return n;
}

/* ---- running ---- */

static void run_ok(const char *const *argv, struct cli_result *r)
{
	run_capsim(argv, r);
	cr_assert_eq(r->status, 0, "capsim %s %s: exit %d, stderr: %s", argv[0], argv[1],
		     r->status, r->err);
}

Test(run_cli, writes_every_file_and_a_summary_with_its_header)
{
	char out[PATH_MAX], path[PATH_MAX];
	struct cli_result r;
	cli_join(out, sizeof out, dir, "out");
	const char *argv[] = { "run", "scenarios/minimal.json", "-o", out, "--reps", "3", NULL };
	run_ok(argv, &r);
	cr_expect(strstr(r.out, "\np99 of all requests together "), "stdout:\n%s", r.out);
	cli_result_release(&r);

	for (size_t i = 0; i < sizeof csv_names / sizeof csv_names[0]; i++) {
		cli_join(path, sizeof path, out, csv_names[i]);
		cr_expect(cli_exists(path), "%s is missing", csv_names[i]);
	}
	cli_join(path, sizeof path, out, "results.db");
	cr_expect(cli_exists(path), "results.db is missing");
	cli_join(path, sizeof path, out, "report.md");
	cr_expect(cli_exists(path), "report.md is missing");
	for (size_t i = 0; i < 4; i++) {
		char gp[64];
		snprintf(gp, sizeof gp, "%s.gp", plot_names[i]);
		cli_join(path, sizeof path, out, gp);
		cr_expect(cli_exists(path), "%s is missing", gp);
	}

	cli_join(path, sizeof path, out, "summary.csv");
	char *csv = cli_read_file(path, NULL);
	cr_assert(strncmp(csv, SUMMARY_HEADER "\n", strlen(SUMMARY_HEADER) + 1) == 0,
		  "first line: %.80s", csv);
	cr_assert(strstr(csv, "\navailability,fraction,"), "no availability row:\n%s", csv);
	/* minimal.json by hand: 100 requests/s for 30 d = 100 x 2,592,000 = 259,200,000
	 * requests in every replication (no noise, so the interval is a point); 2 fixed
	 * instances x 720 h x $0.1 = $144; utilisation 100 / (2 x 4 / 0.05 s) = 0.625. The
	 * CSV prints 10 significant digits, hence the relative 1e-9. */
	cr_expect(fabs(cli_summary_mean(csv, "requests_offered") - 259200000) <= 1e-9 * 259200000);
	cr_expect(fabs(cli_summary_mean(csv, "cost_total") - 144) <= 1e-9 * 144);
	cr_expect(fabs(cli_summary_mean(csv, "utilization.api.local") - 0.625) <= 1e-9);
	/* Every step alike: the p99 of all requests together is the steps' own. */
	double p99 = cli_summary_mean(csv, "latency_p99");
	cr_expect(p99 > 0 && fabs(cli_summary_mean(csv, "latency_p99_overall") - p99) <= 1e-9 * p99);
	free(csv);
}

Test(run_cli, each_run_appends_one_row_and_leaves_earlier_rows_alone)
{
	char out[PATH_MAX], db_path[PATH_MAX], path[PATH_MAX], sha[65];
	struct cli_result r;
	struct run_row first[4], second[4];
	cli_join(out, sizeof out, dir, "out");
	cli_join(db_path, sizeof db_path, out, "results.db");

	size_t len;
	char *text = cli_read_file("scenarios/minimal.json", &len);
	sha256_hex(text, len, sha);
	free(text);

	const char *run1[] = { "run", "scenarios/minimal.json", "-o", out, "--reps", "3",
			       "--seed", "11", NULL };
	const char *run2[] = { "run", "scenarios/minimal.json", "-o", out, "--reps", "2",
			       "--seed", "12", NULL };
	run_ok(run1, &r);
	cli_result_release(&r);
	sqlite3 *db = db_open(db_path);
	cr_assert_eq(db_runs(db, first, 4), 1);
	sqlite3_close(db);
	cr_expect_str_eq(first[0].name, "minimal");
	cr_expect_eq(first[0].seed, 11);
	cr_expect_eq(first[0].replications, 3);
	cr_expect_str_eq(first[0].sha256, sha, "the SHA-256 of the file's bytes");

	run_ok(run2, &r);
	db = db_open(db_path);
	cr_assert_eq(db_count(db, "SELECT count(*) FROM runs", 0), 2);
	cr_assert_eq(db_runs(db, second, 4), 2);
	cr_expect_neq(second[0].id, second[1].id);
	cr_expect(second[0].id == 1 && second[1].id == 2, "a new database numbers runs 1, 2");
	cr_expect_eq(second[0].id, first[0].id, "the first run keeps its id");
	cr_expect_str_eq(second[0].name, first[0].name);
	cr_expect_eq(second[0].seed, first[0].seed);
	cr_expect_eq(second[0].replications, first[0].replications);
	cr_expect_str_eq(second[0].sha256, first[0].sha256);
	cr_expect_eq(second[1].seed, 12);
	cr_expect_eq(second[1].replications, 2);
	cr_expect_str_eq(second[1].sha256, sha);

	/* The run's id is the one the command announced, and its metrics are summary.csv's
	 * rows (the folder's summary.csv is the second run's). */
	char said[64];
	snprintf(said, sizeof said, ", run %lld in ", (long long)second[1].id);
	cr_expect(strstr(r.out, said), "stdout does not say \"%s\": %s", said, r.out);
	cli_result_release(&r);
	cli_join(path, sizeof path, out, "summary.csv");
	char *csv = cli_read_file(path, NULL);
	int64_t rows = (int64_t)count_char(csv, '\n') - 1;
	free(csv);
	cr_expect_gt(rows, 10);
	cr_expect_eq(db_count(db, "SELECT count(*) FROM metrics WHERE run_id = ?", second[1].id),
		     rows);
	cr_expect_eq(db_count(db, "SELECT count(*) FROM metrics WHERE run_id = ?", second[0].id),
		     rows, "the first run's metrics are still there");
	sqlite3_close(db);
}

Test(run_cli, seed_and_reps_are_recorded_and_the_seed_changes_results)
{
	char scen[PATH_MAX], a[PATH_MAX], b[PATH_MAX], path[PATH_MAX];
	struct cli_result r;
	struct run_row row[2];
	cli_join(scen, sizeof scen, dir, "noisy.json");
	cli_write_file(scen, noisy_json, strlen(noisy_json));
	cli_join(a, sizeof a, dir, "a");
	cli_join(b, sizeof b, dir, "b");
	const char *runa[] = { "run", scen, "-o", a, "--reps", "2", "--seed", "101", NULL };
	const char *runb[] = { "run", scen, "-o", b, "--reps", "2", "--seed", "202", NULL };
	run_ok(runa, &r);
	cli_result_release(&r);
	run_ok(runb, &r);
	cli_result_release(&r);

	cli_join(path, sizeof path, a, "results.db");
	sqlite3 *db = db_open(path);
	cr_assert_eq(db_runs(db, row, 2), 1);
	sqlite3_close(db);
	cr_expect_eq(row[0].seed, 101, "runs.seed is --seed, not the scenario's 5");
	cr_expect_eq(row[0].replications, 2, "runs.replications is --reps, not the scenario's 3");
	cli_join(path, sizeof path, b, "results.db");
	db = db_open(path);
	cr_assert_eq(db_runs(db, row, 2), 1);
	sqlite3_close(db);
	cr_expect_eq(row[0].seed, 202);
	cr_expect_eq(row[0].replications, 2);

	/* Same replications, other seed. Lognormal noise of sigma 0.3 on each of 1440 steps:
	 * two seeds giving the same mean to 10 digits would be a coincidence of probability ~0. */
	cli_join(path, sizeof path, a, "summary.csv");
	char *csva = cli_read_file(path, NULL);
	cli_join(path, sizeof path, b, "summary.csv");
	char *csvb = cli_read_file(path, NULL);
	double ma = cli_summary_mean(csva, "requests_offered");
	double mb = cli_summary_mean(csvb, "requests_offered");
	/* Both are near 200 requests/s x 86,400 s = 17,280,000 (spikes add a few %). */
	cr_expect(ma > 0.8 * 17280000 && ma < 1.3 * 17280000, "%g", ma);
	cr_expect(mb > 0.8 * 17280000 && mb < 1.3 * 17280000, "%g", mb);
	cr_expect(ma != mb, "seeds 101 and 202 gave the same requests_offered %.17g", ma);
	free(csva);
	free(csvb);
}

Test(run_cli, the_thread_count_does_not_change_a_single_byte)
{
	char scen[PATH_MAX], a[PATH_MAX], b[PATH_MAX], pa[PATH_MAX], pb[PATH_MAX];
	struct cli_result r;
	cli_join(scen, sizeof scen, dir, "noisy.json");
	cli_write_file(scen, noisy_json, strlen(noisy_json));
	cli_join(a, sizeof a, dir, "t1");
	cli_join(b, sizeof b, dir, "t2");
	const char *run1[] = { "run", scen, "-o", a, "--reps", "4", "--seed", "9",
			       "--threads", "1", "--no-plots", NULL };
	const char *run2[] = { "run", scen, "-o", b, "--reps", "4", "--seed", "9",
			       "--threads", "2", "--no-plots", NULL };
	run_ok(run1, &r);
	cli_result_release(&r);
	run_ok(run2, &r);
	cli_result_release(&r);
	for (size_t i = 0; i < sizeof csv_names / sizeof csv_names[0]; i++) {
		size_t la, lb;
		cli_join(pa, sizeof pa, a, csv_names[i]);
		cli_join(pb, sizeof pb, b, csv_names[i]);
		char *ta = cli_read_file(pa, &la), *tb = cli_read_file(pb, &lb);
		cr_expect(la == lb && memcmp(ta, tb, la) == 0,
			  "%s differs between --threads 1 and --threads 2", csv_names[i]);
		free(ta);
		free(tb);
	}
}

Test(run_cli, json_prints_one_object_with_the_metrics)
{
	char out[PATH_MAX], path[PATH_MAX];
	struct cli_result r;
	cli_join(out, sizeof out, dir, "out");
	const char *argv[] = { "run", "scenarios/minimal.json", "-o", out, "--reps", "3",
			       "--seed", "77", "--json", NULL };
	run_ok(argv, &r);
	/* require_null_terminated: nothing but white space may follow the one object. */
	const char *end = NULL;
	cJSON *js = cJSON_ParseWithOpts(r.out, &end, 1);
	cr_assert_not_null(js, "stdout is not one JSON value near: %.40s", end ? end : r.out);
	cr_assert(cJSON_IsObject(js));
	const cJSON *metrics = cJSON_GetObjectItemCaseSensitive(js, "metrics");
	cr_assert(cJSON_IsObject(metrics), "no \"metrics\" object");
	const cJSON *av = cJSON_GetObjectItemCaseSensitive(metrics, "availability");
	cr_assert(cJSON_IsObject(av), "no metrics.availability");
	const cJSON *mean = cJSON_GetObjectItemCaseSensitive(av, "mean");
	cr_assert(cJSON_IsNumber(mean));
	const cJSON *reps = cJSON_GetObjectItemCaseSensitive(js, "replications");
	cr_expect(cJSON_IsNumber(reps) && reps->valuedouble == 3);

	/* The same figure as summary.csv, which prints 10 significant digits. */
	cli_join(path, sizeof path, out, "summary.csv");
	char *csv = cli_read_file(path, NULL);
	double want = cli_summary_mean(csv, "availability");
	cr_expect(fabs(mean->valuedouble - want) <= 1e-9 * fmax(1, fabs(want)), "%.17g vs %.17g",
		  mean->valuedouble, want);
	free(csv);
	cJSON_Delete(js);
	cli_result_release(&r);
}

/* Names may be 100 characters long: two tiers whose names share their first 95 and a region
 * of 100 give metric names of 12 + 100 + 1 + 100 = 213 characters ("utilization.T.R"). Each
 * pool's row is its own in summary.csv (no two with one name), and the table names both
 * tiers whole, so the rows can be told apart. Two fixed instances of price 0.1 per tier over
 * one day: each tier costs 2 x 24 h x $0.1 = $4.80. */
Test(run_cli, hundred_character_names_keep_every_metric_whole)
{
	char scen[PATH_MAX], out[PATH_MAX], path[PATH_MAX], t1[101], t2[101], reg[101], json[2048];
	memset(t1, 't', 95);
	memcpy(t1 + 95, "-web1", 6);
	memcpy(t2, t1, 95);
	memcpy(t2 + 95, "-web2", 6);
	memset(reg, 'r', 100);
	reg[100] = '\0';
	snprintf(json, sizeof json,
		 "{ \"name\": \"long\", \"version\": 1, \"horizon\": \"1d\",\n"
		 "  \"traffic\": { \"base_rate\": 100 },\n"
		 "  \"instance_types\": [ { \"name\": \"small\", \"vcpu\": 2, \"memory_gib\": 4,"
		 " \"price_hourly\": 0.1 } ],\n"
		 "  \"regions\": [ { \"name\": \"%s\", \"zones\": [\"a\"] } ],\n"
		 "  \"tiers\": [\n"
		 "    { \"name\": \"%s\", \"instance_type\": \"small\", \"service_time\": \"50ms\","
		 " \"concurrency\": 4, \"calls\": \"%s\", \"autoscaling\": { \"min\": 2, \"max\": 2 } },\n"
		 "    { \"name\": \"%s\", \"instance_type\": \"small\", \"service_time\": \"50ms\","
		 " \"concurrency\": 4, \"autoscaling\": { \"min\": 2, \"max\": 2 } } ] }\n",
		 reg, t1, t2, t2);
	cli_join(scen, sizeof scen, dir, "long.json");
	cli_write_file(scen, json, strlen(json));
	cli_join(out, sizeof out, dir, "out");
	const char *argv[] = { "run", scen, "-o", out, "--reps", "2", "--no-plots", NULL };
	struct cli_result r;
	run_ok(argv, &r);

	cli_join(path, sizeof path, out, "summary.csv");
	char *csv = cli_read_file(path, NULL);
	char name[300];
	for (int k = 0; k < 2; k++) {
		snprintf(name, sizeof name, "utilization.%s.%s", k ? t2 : t1, reg);
		cr_expect(strlen(name) == 213);
		cr_expect(!isnan(cli_summary_mean(csv, name)), "no row %s", name);
		snprintf(name, sizeof name, "cost.tier.%s", k ? t2 : t1);
		cr_expect_float_eq(cli_summary_mean(csv, name), 4.8, 1e-9, "%s", name);
	}
	/* No metric name twice. */
	for (const char *a = csv; (a = strchr(a, '\n')) && a[1]; a++) {
		size_t n = strcspn(a + 1, ",");
		for (const char *b = a + 1; (b = strchr(b, '\n')) && b[1]; b++)
			cr_expect(!(strncmp(a + 1, b + 1, n) == 0 && b[1 + n] == ','),
				  "%.*s twice", (int)n, a + 1);
	}
	free(csv);
	char line[300];
	for (int k = 0; k < 2; k++) {
		snprintf(line, sizeof line, "\n  cost of tier %s\n", k ? t2 : t1);
		cr_expect(strstr(r.out, line), "%s not whole in:\n%s", line, r.out);
		snprintf(line, sizeof line, "\n  %s in %s\n", k ? t2 : t1, reg);
		cr_expect(strstr(r.out, line), "%s not whole", line);
	}
	cli_result_release(&r);
}

Test(run_cli, a_scenario_mistake_exits_2_with_a_located_line_and_writes_nothing)
{
	/* Line 4 (counted by hand) holds the unknown key "burst" in traffic. */
	static const char bad_json[] =
		"{\n"
		"  \"name\": \"bad\",\n"
		"  \"version\": 1,\n"
		"  \"traffic\": { \"base_rate\": 100, \"burst\": 2 },\n"
		"  \"instance_types\": [\n"
		"    { \"name\": \"small\", \"vcpu\": 2, \"memory_gib\": 4, \"price_hourly\": 0.1 }\n"
		"  ],\n"
		"  \"regions\": [ { \"name\": \"local\", \"zones\": [\"a\"] } ],\n"
		"  \"tiers\": [ { \"name\": \"api\", \"instance_type\": \"small\",\n"
		"    \"service_time\": \"50ms\", \"autoscaling\": { \"min\": 1, \"max\": 1 } } ]\n"
		"}\n";
	char scen[PATH_MAX], out[PATH_MAX], want[PATH_MAX + 64];
	struct cli_result r;
	cli_join(scen, sizeof scen, dir, "bad.json");
	cli_write_file(scen, bad_json, strlen(bad_json));
	cli_join(out, sizeof out, dir, "out");

	const char *argv[] = { "run", scen, "-o", out, "--reps", "2", NULL };
	run_capsim(argv, &r);
	cr_expect_eq(r.status, 2, "exit %d", r.status);
	snprintf(want, sizeof want, "%s:4: traffic.burst: ", scen);
	cr_expect(strncmp(r.err, want, strlen(want)) == 0, "stderr \"%s\" does not start with "
		  "\"%s\"", r.err, want);
	cr_expect_eq(count_char(r.err, '\n'), 1, "one line: %s", r.err);
	cr_expect_str_eq(r.out, "");
	cr_expect(!cli_exists(out), "the output folder was created");
	cli_result_release(&r);

	cli_join(scen, sizeof scen, dir, "does-not-exist.json");
	const char *missing[] = { "run", scen, "-o", out, NULL };
	run_capsim(missing, &r);
	cr_expect_eq(r.status, 2, "missing file: exit %d", r.status);
	cr_expect(strstr(r.err, "does-not-exist.json"), "%s", r.err);
	cli_result_release(&r);

	const char *unknown[] = { "run", "scenarios/minimal.json", "-o", out, "--fast", NULL };
	run_capsim(unknown, &r);
	cr_expect_eq(r.status, 2, "unknown option: exit %d", r.status);
	cr_expect(strstr(r.err, "--fast"), "%s", r.err);
	cli_result_release(&r);

	/* A flag misspelt at the end of the line is an unknown option with a hint, not one
	 * that "needs a value" (it was, there, and unknown elsewhere). */
	const char *jsn[] = { "run", "scenarios/minimal.json", "-o", out, "--jsn", NULL };
	run_capsim(jsn, &r);
	cr_expect_eq(r.status, 2, "--jsn: exit %d", r.status);
	cr_expect(strstr(r.err, "unknown option \"--jsn\"; did you mean \"--json\"?"), "%s",
		  r.err);
	cli_result_release(&r);
	const char *rep[] = { "run", "scenarios/minimal.json", "--rep", "3", "-o", out, NULL };
	run_capsim(rep, &r);
	cr_expect_eq(r.status, 2, "--rep: exit %d", r.status);
	cr_expect(strstr(r.err, "did you mean \"--reps\"?"), "%s", r.err);
	cli_result_release(&r);

	const char *zero[] = { "run", "scenarios/minimal.json", "-o", out, "--reps", "0", NULL };
	run_capsim(zero, &r);
	cr_expect_eq(r.status, 2, "--reps 0: exit %d", r.status);
	cli_result_release(&r);

	cr_expect(!cli_exists(out), "a refused run created the output folder");
}

Test(run_cli, a_results_db_that_is_not_a_database_fails_and_is_left_as_it_was)
{
	char db_path[PATH_MAX], garbage[8192];
	struct cli_result r;
	/* 7i + 3 mod 256 runs through every byte value, and never spells SQLite's header
	 * "SQLite format 3\0". */
	for (size_t i = 0; i < sizeof garbage; i++)
		garbage[i] = (char)(i * 7 + 3);
	cli_join(db_path, sizeof db_path, dir, "results.db");
	cli_write_file(db_path, garbage, sizeof garbage);

	const char *argv[] = { "run", "scenarios/minimal.json", "-o", dir, "--reps", "2",
			       "--no-plots", NULL };
	run_capsim(argv, &r);
	cr_expect_neq(r.status, 0, "a broken database was accepted");
	cr_expect(strstr(r.err, "results.db"), "stderr names the file: %s", r.err);
	cli_result_release(&r);

	size_t len;
	char *after = cli_read_file(db_path, &len);
	cr_expect(len == sizeof garbage && memcmp(after, garbage, len) == 0,
		  "results.db was changed (%zu bytes now)", len);
	free(after);
	/* The database is written first: a run it refuses leaves no CSV behind either. */
	char csv[PATH_MAX];
	cli_join(csv, sizeof csv, dir, "summary.csv");
	cr_expect(access(csv, F_OK) != 0, "summary.csv was written for a run not in the database");
}

/* An output folder that cannot be one is refused before anything is simulated, with exit
 * status 2: -o naming a file, or a folder to be made inside a file. */
Test(run_cli, an_output_folder_that_is_a_file_exits_2_before_simulating)
{
	char file[PATH_MAX], inside[PATH_MAX];
	cli_join(file, sizeof file, dir, "a-file");
	cli_write_file(file, "x", 1);
	cli_join(inside, sizeof inside, file, "sub");
	const char *const targets[] = { file, inside };
	for (size_t i = 0; i < 2; i++) {
		/* A million replications would take an hour: the refusal must come first. */
		const char *argv[] = { "run", "scenarios/minimal.json", "-o", targets[i], "--reps",
				       "1000000", "--no-plots", NULL };
		struct cli_result r;
		run_capsim(argv, &r);
		cr_expect_eq(r.status, 2, "-o %s: exit %d: %s", targets[i], r.status, r.err);
		cr_expect(strstr(r.err, "is a file"), "stderr says why: %s", r.err);
		cr_expect_eq(count_char(r.err, '\n'), 1, "one line: %s", r.err);
		cli_result_release(&r);
	}
	size_t len;
	char *after = cli_read_file(file, &len);
	cr_expect(len == 1 && after[0] == 'x', "the file in the way was changed");
	free(after);
}

/* A folder where one of the run's files goes would fail that file's rename after the database
 * took the run: it is found first, the run exits 2 and writes nothing, results.db included. */
Test(run_cli, a_folder_in_the_way_of_a_file_writes_nothing)
{
	char in_way[PATH_MAX], path[PATH_MAX];
	cli_join(in_way, sizeof in_way, dir, "events.csv");
	cr_assert_eq(mkdir(in_way, 0755), 0);
	const char *argv[] = { "run", "scenarios/minimal.json", "-o", dir, "--reps", "2",
			       "--no-plots", NULL };
	struct cli_result r;
	run_capsim(argv, &r);
	cr_expect_eq(r.status, 2, "exit %d: %s", r.status, r.err);
	cr_expect(strstr(r.err, "events.csv"), "stderr names it: %s", r.err);
	cli_result_release(&r);
	const char *names[] = { "results.db", "summary.csv", "timeseries.csv", "report.md" };
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		cli_join(path, sizeof path, dir, names[i]);
		cr_expect(!cli_exists(path), "%s was written", names[i]);
	}
}

/* Buckets are whole steps: --bucket 90s on minimal's 60 s step gives 120 s buckets, and the
 * run says so on stderr (the smallest bucket start above 0 in timeseries.csv is 120). */
Test(run_cli, a_bucket_that_is_not_whole_steps_gets_a_note)
{
	const char *argv[] = { "run", "scenarios/minimal.json", "-o", dir, "--reps", "2",
			       "--bucket", "90s", "--no-plots", NULL };
	struct cli_result r;
	run_ok(argv, &r);
	cr_expect(strstr(r.err, "--bucket 90 s is not a whole number"), "%s", r.err);
	cr_expect(strstr(r.err, "the time series use 120 s"), "%s", r.err);
	cli_result_release(&r);
	char path[PATH_MAX];
	cli_join(path, sizeof path, dir, "timeseries.csv");
	char *csv = cli_read_file(path, NULL);
	double first = INFINITY;
	for (const char *line = strchr(csv, '\n'); line && line[1]; line = strchr(line + 1, '\n')) {
		double t = strtod(line + 1, NULL);
		if (t > 0 && t < first)
			first = t;
	}
	cr_expect_eq(first, 120, "first bucket after 0 starts at %g s", first);
	free(csv);

	/* Longer than the 30-day horizon: one bucket of 2,592,000 s, said so; every row at 0. */
	const char *longer[] = { "run", "scenarios/minimal.json", "-o", dir, "--reps", "2",
				 "--bucket", "100d", "--no-plots", NULL };
	run_ok(longer, &r);
	cr_expect(strstr(r.err, "longer than minimal's horizon: the time series use one bucket "
			 "of 2.592e+06 s"), "%s", r.err);
	cli_result_release(&r);
	csv = cli_read_file(path, NULL);
	for (const char *line = strchr(csv, '\n'); line && line[1]; line = strchr(line + 1, '\n'))
		cr_expect_eq(strtod(line + 1, NULL), 0, "%.40s", line + 1);
	free(csv);
}

Test(run_cli, without_gnuplot_the_run_succeeds_and_says_how_to_draw_later)
{
	char bin[PATH_MAX], out[PATH_MAX], path[PATH_MAX];
	struct cli_result r;
	cli_join(bin, sizeof bin, dir, "bin");
	cr_assert_eq(mkdir(bin, 0755), 0);
	cli_join(out, sizeof out, dir, "out");
	/* Criterion runs each test in its own process, so this PATH is this test's only. */
	setenv("PATH", bin, 1);

	const char *argv[] = { "run", "scenarios/minimal.json", "-o", out, "--reps", "2", NULL };
	run_capsim(argv, &r);
	cr_expect_eq(r.status, 0, "exit %d: %s", r.status, r.err);
	cr_expect(strstr(r.err, "gnuplot is not installed"), "stderr: %s", r.err);
	cr_expect(strstr(r.err, "draw the plots later"), "stderr: %s", r.err);
	cli_result_release(&r);
	for (size_t i = 0; i < 4; i++) {
		char name[64];
		snprintf(name, sizeof name, "%s.gp", plot_names[i]);
		cli_join(path, sizeof path, out, name);
		cr_expect(cli_exists(path), "%s is missing", name);
		snprintf(name, sizeof name, "%s.png", plot_names[i]);
		cli_join(path, sizeof path, out, name);
		cr_expect(!cli_exists(path), "%s drawn without gnuplot", name);
	}
}

Test(run_cli, with_gnuplot_the_six_plots_are_pngs)
{
	static const unsigned char png_magic[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
	char path[PATH_MAX];
	struct cli_result r;
	if (!cli_have_gnuplot())
		cr_skip_test("gnuplot is not installed (Debian package gnuplot-nox)");
	const char *argv[] = { "run", "scenarios/minimal.json", "-o", dir, "--reps", "2", NULL };
	run_ok(argv, &r);
	cli_result_release(&r);
	for (size_t i = 0; i < 4; i++) {
		char name[64];
		size_t len;
		snprintf(name, sizeof name, "%s.png", plot_names[i]);
		cli_join(path, sizeof path, dir, name);
		cr_assert(cli_exists(path), "%s was not drawn", name);
		char *png = cli_read_file(path, &len);
		cr_expect(len > sizeof png_magic && memcmp(png, png_magic, sizeof png_magic) == 0,
			  "%s is not a PNG", name);
		free(png);
	}
	/* report.md shows every plot drawn beside it. */
	cli_join(path, sizeof path, dir, "report.md");
	char *md = cli_read_file(path, NULL);
	for (size_t i = 0; i < sizeof plot_names / sizeof plot_names[0]; i++) {
		char link[96];
		snprintf(link, sizeof link, "![%s](%s.png)", plot_names[i], plot_names[i]);
		cr_expect(strstr(md, link), "no %s in report.md", link);
	}
	free(md);
}

/* report.md: the run's page, with the summary the terminal shows in a code block; without
 * plots drawn it links none. A backtick in the scenario file's name would end its code span:
 * it becomes '?'. */
Test(run_cli, report_md_holds_the_summary_and_the_run)
{
	char scen[PATH_MAX], out[PATH_MAX], path[PATH_MAX];
	struct cli_result r;
	cli_join(scen, sizeof scen, dir, "no`isy.json");
	cli_write_file(scen, noisy_json, strlen(noisy_json));
	cli_join(out, sizeof out, dir, "out");
	const char *argv[] = { "run", scen, "-o", out, "--no-plots", NULL };
	run_ok(argv, &r);
	cli_join(path, sizeof path, out, "report.md");
	char *md = cli_read_file(path, NULL);
	cr_expect(strncmp(md, "# capsim run: `noisy`\n", 22) == 0, "%.60s", md);
	cr_expect(strstr(md, "/no?isy.json` (SHA-256 `"), "%s", md);
	cr_expect(!strstr(md, "no`isy"), "%s", md);
	cr_expect(strstr(md, "| run | 3 replications, seed 5,"), "%s", md);
	cr_expect(strstr(md, "| command | `capsim run "), "%s", md);
	/* The summary as printed: the text between the fence and the "wrote" line. */
	const char *fence = strstr(md, "```text\n");
	cr_assert_not_null(fence, "%s", md);
	size_t n = strcspn(r.out, "\n");   /* its first line: "scenario   noisy" */
	cr_expect(strncmp(fence + 8, r.out, n) == 0, "%.80s", fence + 8);
	const char *wrote = strstr(r.out, "\n\nwrote ");   /* a blank line, then the files */
	cr_assert_not_null(wrote);
	size_t len = (size_t)(wrote - r.out) + 1;   /* up to its last line break */
	cr_expect(strncmp(fence + 8, r.out, len) == 0, "the summary differs:\n%.*s", (int)len,
		  fence + 8);
	cr_expect(strncmp(fence + 8 + len, "```\n", 4) == 0, "%.20s", fence + 8 + len);
	/* No plot drawn: no image to show broken, but each plot linked with how to draw it. */
	cr_expect(!strstr(md, "!["), "an image shown though none was drawn");
	cr_expect(strstr(md, "Not drawn"), "%s", md);
	for (size_t i = 0; i < sizeof plot_names / sizeof plot_names[0]; i++) {
		char link[64];
		snprintf(link, sizeof link, "- [%s.png](%s.png): ", plot_names[i], plot_names[i]);
		cr_expect(strstr(md, link), "%s missing in:\n%s", link, md);
	}
	cr_expect(strstr(md, "| `cost_daily.csv` |"), "%s", md);
	free(md);
	cli_result_release(&r);
}

Test(run_cli, quiet_prints_nothing_on_stdout)
{
	char path[PATH_MAX];
	struct cli_result r;
	const char *argv[] = { "run", "scenarios/minimal.json", "-o", dir, "--reps", "2",
			       "--quiet", NULL };
	run_ok(argv, &r);
	cr_expect_str_eq(r.out, "");
	/* "nothing on success": stderr too, unless a missing gnuplot has to be mentioned. */
	if (cli_have_gnuplot())
		cr_expect_str_eq(r.err, "");
	cli_result_release(&r);
	cli_join(path, sizeof path, dir, "summary.csv");
	cr_expect(cli_exists(path), "--quiet still writes the report");
}
