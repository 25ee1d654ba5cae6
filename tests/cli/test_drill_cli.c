/* `capsim drill` end to end: every strategy on one drill against its hand-computed RTO, RPO,
 * lost requests and DR data cost; the files and the results database it writes; its JSON;
 * and how it refuses bad input without writing anything. */
#include <cJSON.h>
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/cli/run.h"

#define DRILL_HEADER "strategy,rto_p50_s,rto_p95_s,rto_target_s,rto_target_met,rpo_p50_s," \
	"rpo_p95_s,rpo_writes_p50,rpo_target_s,rpo_target_met,requests_failed_mean," \
	"requests_failed_ci95_low,requests_failed_ci95_high,availability,cost_monthly_usd," \
	"dr_data_cost_monthly_usd,latency_s,latency_outage_s,rpo_writes_p95"

static const char *const strategies[4] = { "backup_restore", "pilot_light", "warm_standby",
					   "active_active" };

/* The two-region scenario of tests/models/test_world_dr.c with deterministic timings: users
 * split evenly between p and r (DNS sends them all to the primary p), web -> db, 2 instances
 * of 1,000 req/s each per tier and region against 500 req/s; boots exactly 2 min. Health
 * checks every 30 s, 3 failures; DNS TTL 60 s; decision 5 min; promotion 2 min; a full-size
 * warm standby. Replication lag exactly 2 s at 100 writes/s of 2 KB at $0.02/GB; backups
 * every 24 h of 10 GB at $0.05/GB-month, restored at 600 GB/h (60 s). RTO target 10 min,
 * RPO target 1 min. It also has a scripted outage of r at 6 h and random region outages at
 * 1,000 a year (5.5 per region over the 2 days): the drill must replace the first and switch
 * off the second, or the outage counts below would not be 1. */
static const char dr_json[] =
	"{ \"name\": \"dr\", \"version\": 1, \"horizon\": \"2d\", \"step\": \"1m\",\n"
	"  \"seed\": 3, \"replications\": 2,\n"
	"  \"slo\": { \"availability\": 0.999, \"latency_percentile\": 99,\n"
	"           \"latency_target\": \"5s\" },\n"
	"  \"traffic\": { \"base_rate\": 500, \"regions\": { \"p\": 0.5, \"r\": 0.5 } },\n"
	"  \"instance_types\": [ { \"name\": \"m\", \"vcpu\": 2, \"memory_gib\": 8,\n"
	"                          \"price_hourly\": 0.1 } ],\n"
	"  \"regions\": [ { \"name\": \"p\", \"zones\": [\"a\", \"b\"] },\n"
	"                 { \"name\": \"r\", \"zones\": [\"a\", \"b\"] } ],\n"
	"  \"tiers\": [ { \"name\": \"web\", \"instance_type\": \"m\", \"capacity_rps\": 1000,\n"
	"      \"calls\": \"db\", \"boot_time\": { \"median\": \"2m\", \"p95\": \"2m\" },\n"
	"      \"autoscaling\": { \"min\": 2, \"max\": 2 } },\n"
	"    { \"name\": \"db\", \"instance_type\": \"m\", \"capacity_rps\": 1000,\n"
	"      \"boot_time\": { \"median\": \"2m\", \"p95\": \"2m\" },\n"
	"      \"autoscaling\": { \"min\": 2, \"max\": 2 } } ],\n"
	"  \"failures\": {\n"
	"    \"scripted\": [ { \"target\": \"region:r\", \"at\": \"6h\",\n"
	"                   \"duration\": \"1h\" } ],\n"
	"    \"region_outages\": { \"rate_per_year\": 1000,\n"
	"                        \"duration\": { \"median\": \"1h\" } } },\n"
	"  \"dr\": { \"strategy\": \"warm_standby\", \"primary\": \"p\", \"recovery\": \"r\",\n"
	"          \"standby_scale\": 1, \"decision_delay\": \"5m\",\n"
	"          \"health_check\": { \"interval\": \"30s\", \"failure_threshold\": 3 },\n"
	"          \"dns_ttl\": \"60s\", \"promotion_time\": \"2m\",\n"
	"          \"rto_target\": \"10m\", \"rpo_target\": \"1m\" },\n"
	"  \"data\": { \"write_rate\": 100, \"write_kb\": 2, \"transfer_price_gb\": 0.02,\n"
	"            \"lag\": { \"median\": \"2s\", \"p95\": \"2s\" },\n"
	"            \"backup_interval\": \"24h\", \"size_gb\": 10,\n"
	"            \"backup_price_gb_month\": 0.05,\n"
	"            \"restore_gb_per_hour\": 600 } }\n";

/* The drill: p fails at 29 h (104,400 s: a multiple of the 30 s checks and the 1 min step)
 * for an hour. */
#define FAIL "region:p@29h+1h"

/* ---- temporary folders and files ---- */

static char dir[64];
static char scen[PATH_MAX];

static void setup(void)
{
	strcpy(dir, "/tmp/capsim-drill-XXXXXX");
	if (!mkdtemp(dir))
		cr_assert_fail("mkdtemp: %s", strerror(errno));
	snprintf(scen, sizeof scen, "%s/dr.json", dir);
	cli_write_file(scen, dr_json, strlen(dr_json));
}

static void teardown(void)
{
	if (dir[0])
		cli_remove_tree(dir);
}

TestSuite(drill_cli, .init = setup, .fini = teardown);

/* drill.csv as rows of fields (it quotes nothing: strategy names and numbers only). */
#define MAXROWS 8
#define NFIELDS 19
struct drill_csv {
	char *text;
	size_t nrows;
	char *f[MAXROWS][NFIELDS];
};

static void drill_csv_read(const char *path, struct drill_csv *t)
{
	t->text = cli_read_file(path, NULL);
	t->nrows = 0;
	for (char *line = t->text, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		cr_assert_lt(t->nrows, MAXROWS);
		size_t k = 0;
		for (char *p = line;; p++) {
			char *comma = strchr(p, ',');
			cr_assert_lt(k, NFIELDS, "too many fields in \"%s\"", line);
			t->f[t->nrows][k++] = p;
			if (!comma)
				break;
			*comma = '\0';
			p = comma;
		}
		cr_assert_eq(k, NFIELDS, "row %zu has %zu fields", t->nrows, k);
		t->nrows++;
	}
}

static double field(const struct drill_csv *t, size_t row, size_t k)
{
	char *end;
	cr_assert(t->f[row][k][0], "row %zu field %zu is empty", row, k);
	double x = strtod(t->f[row][k], &end);
	cr_assert_eq(*end, '\0', "row %zu field %zu: \"%s\"", row, k, t->f[row][k]);
	return x;
}

static void run_ok(const char *const *argv, struct cli_result *r)
{
	run_capsim(argv, r);
	cr_assert_eq(r->status, 0, "capsim drill: exit %d, stderr: %s", r->status, r->err);
}

/* Every line of the table in s (up to the paths written after it) at most 100 columns
 * (UTF-8: each code point one column). */
static void expect_narrow(const char *s)
{
	const char *stop = strstr(s, "\nwrote ");
	cr_assert_not_null(stop, "no \"wrote\" line after the table: %s", s);
	for (const char *p = s; p < stop; p += strcspn(p, "\n") + (p[strcspn(p, "\n")] ? 1 : 0)) {
		size_t n = strcspn(p, "\n"), cols = 0;
		for (size_t i = 0; i < n; i++)
			cols += ((unsigned char)p[i] & 0xc0) != 0x80;
		cr_expect_leq(cols, 100, "too wide: %.*s", (int)n, p);
	}
}

/* The hand values of each strategy for the drill FAIL, its steps as in test_world_dr.c:
 * detection = the first failing check (104,400) + 2 more x 30 s = 60 s; then
 *   backup_restore  decision 300 + database boot 120 + restore 10 GB at 600 GB/h 60
 *                   + TTL 60:                                   RTO = 60+300+120+60+60 = 600 s
 *   pilot_light     decision 300 + boot p95 120 + promotion 120 + TTL 60: RTO = 660 s
 *   warm_standby    decision 300 + promotion 120 + TTL 60:      RTO = 540 s
 *   active_active   no decision (the drill gives it none) + TTL 60: RTO = 120 s
 * RPO: backups every 24 h from 0, the last at 86,400: 104,400 - 86,400 = 18,000 s x 100
 * writes/s = 1,800,000 writes; the replicating strategies lose the 2 s lag = 200 writes.
 * Failed requests, each replication alike (no noise): DNS sends all 500 req/s to p until the
 * switch, and the step at the switch still sends everyone (the answers expire over it), so
 * 500 x 60 x ((RTO - TTL) / 60 + 1): 300,000, 330,000 and 270,000; active-active loses only
 * p's own half in the 2 steps before the TTL ends: 250 x 120 = 30,000. Availability = 1 -
 * failed / (500 x 172,800 = 86,400,000 offered).
 * DR data cost per 730-h month (2,628,000 s): replication 100 x 2 KB = 2e-4 GB/s x $0.02 x
 * 2,628,000 = $10.512 (none for backup_restore, which copies nothing between regions) plus
 * backups 10 GB x $0.05 = $0.50. */
static const struct {
	double rto, rpo, rpo_writes, rto_met, rpo_met, failed, dr_data;
} hand[4] = {
	{ 600, 18000, 1800000, 1, 0, 300000, 0.50 },
	{ 660, 2, 200, 0, 1, 330000, 11.012 },
	{ 540, 2, 200, 1, 1, 270000, 11.012 },
	{ 120, 2, 200, 1, 1, 30000, 11.012 },
};

Test(drill_cli, all_four_strategies_meet_their_hand_computed_figures)
{
	char out[PATH_MAX], path[PATH_MAX], sub[PATH_MAX];
	struct cli_result r;
	struct drill_csv t;
	cli_join(out, sizeof out, dir, "out");
	const char *argv[] = { "drill", scen, "--fail", FAIL, "--strategy", "all", "-o", out,
			       "--no-plots", NULL };
	run_ok(argv, &r);

	cli_join(path, sizeof path, out, "drill.csv");
	drill_csv_read(path, &t);
	/* The header was split in place: compare it field by field against the exact text. */
	char header[] = DRILL_HEADER;
	char *save, *name = strtok_r(header, ",", &save);
	for (size_t k = 0; k < NFIELDS; k++, name = strtok_r(NULL, ",", &save))
		cr_assert_str_eq(t.f[0][k], name);
	cr_assert_eq(t.nrows, 5);
	for (size_t i = 0; i < 4; i++) {
		size_t row = i + 1;
		cr_assert_str_eq(t.f[row][0], strategies[i]);
		/* Deterministic timings: every outage alike, so p50 = p95 exactly (up to the 10
		 * digits of the CSV). */
		cr_expect_float_eq(field(&t, row, 1), hand[i].rto, 1e-9, "%s", strategies[i]);
		cr_expect_float_eq(field(&t, row, 2), hand[i].rto, 1e-9, "%s", strategies[i]);
		cr_expect_float_eq(field(&t, row, 3), 600, 1e-12);
		cr_expect_float_eq(field(&t, row, 4), hand[i].rto_met, 1e-12, "%s", strategies[i]);
		cr_expect_float_eq(field(&t, row, 5), hand[i].rpo, 1e-9 * hand[i].rpo);
		cr_expect_float_eq(field(&t, row, 6), hand[i].rpo, 1e-9 * hand[i].rpo);
		cr_expect_float_eq(field(&t, row, 7), hand[i].rpo_writes,
				   1e-9 * hand[i].rpo_writes);
		/* The writes' p95, in the last column: every outage alike, the same. */
		cr_expect_float_eq(field(&t, row, 18), hand[i].rpo_writes,
				   1e-9 * hand[i].rpo_writes);
		cr_expect_float_eq(field(&t, row, 8), 60, 1e-12);
		cr_expect_float_eq(field(&t, row, 9), hand[i].rpo_met, 1e-12, "%s", strategies[i]);
		cr_expect_float_eq(field(&t, row, 10), hand[i].failed, 1e-9 * hand[i].failed,
				   "%s", strategies[i]);
		cr_expect_float_eq(field(&t, row, 13), 1 - hand[i].failed / 86400000, 1e-9);
		cr_expect_float_eq(field(&t, row, 15), hand[i].dr_data, 1e-9, "%s", strategies[i]);
	}
	/* What runs in the recovery region while nothing fails: nothing, the database replica
	 * (1 instance), a full copy (4 instances): each dearer than the last. */
	double br = field(&t, 1, 14), pl = field(&t, 2, 14), ws = field(&t, 3, 14);
	cr_expect(br < pl && pl < ws, "monthly costs %g, %g, %g", br, pl, ws);

	/* Each strategy's full report, in which the drill's outage was the only one. */
	for (size_t i = 0; i < 4; i++) {
		cli_join(sub, sizeof sub, out, strategies[i]);
		static const char *const files[] = { "summary.csv", "timeseries.csv", "cost.csv",
						     "bill.csv", "events.csv", "demand.gp" };
		for (size_t k = 0; k < sizeof files / sizeof files[0]; k++) {
			cli_join(path, sizeof path, sub, files[k]);
			cr_expect(cli_exists(path), "%s missing", path);
		}
		cli_join(path, sizeof path, sub, "summary.csv");
		char *csv = cli_read_file(path, NULL);
		cr_expect_float_eq(cli_summary_mean(csv, "outages"), 1, 1e-12, "%s", strategies[i]);
		free(csv);
	}
	for (size_t k = 0; k < 3; k++) {
		static const char *const gp[] = { "drill.gp", "timeline.gp", "rto_cdf.gp" };
		cli_join(path, sizeof path, out, gp[k]);
		cr_expect(cli_exists(path), "%s missing", gp[k]);
	}

	/* The table: one column per strategy, 100 columns at most. */
	cr_expect_not_null(strstr(r.out, "backup_restore    pilot_light       warm_standby      "
				  "active_active\n"), "%s", r.out);
	cr_expect_not_null(strstr(r.out, "RTO p50 / p95             10 / 10 min       11 / 11 min"
				  "       9 / 9 min         2 / 2 min\n"), "%s", r.out);
	expect_narrow(r.out);
	free(t.text);
	cli_result_release(&r);

	/* One database for the drill, a run per strategy with the command line that repeats it,
	 * all four linked to the first (batch = its id, 1 in a new database). */
	sqlite3 *db = NULL;
	sqlite3_stmt *st;
	cli_join(path, sizeof path, out, "results.db");
	cr_assert_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	cr_assert_eq(sqlite3_prepare_v2(db, "SELECT scenario, seed, replications, args, batch,"
					" part FROM runs ORDER BY id", -1, &st, NULL), SQLITE_OK,
		     "%s", sqlite3_errmsg(db));
	size_t n = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		char want[128];
		cr_assert_lt(n, 4, "more than 4 runs");
		cr_expect_str_eq((const char *)sqlite3_column_text(st, 0), "dr");
		cr_expect_eq(sqlite3_column_int64(st, 1), 3);
		cr_expect_eq(sqlite3_column_int64(st, 2), 2);
		snprintf(want, sizeof want, " --strategy %s ", strategies[n]);
		cr_expect_not_null(strstr((const char *)sqlite3_column_text(st, 3), want), "%s",
				   sqlite3_column_text(st, 3));
		cr_expect_eq(sqlite3_column_int64(st, 4), 1);
		cr_expect_str_eq((const char *)sqlite3_column_text(st, 5), strategies[n]);
		n++;
	}
	cr_expect_eq(n, 4);
	sqlite3_finalize(st);
	sqlite3_close(db);
}

Test(drill_cli, json_prints_one_object_with_a_strategies_array)
{
	char out[PATH_MAX];
	struct cli_result r;
	cli_join(out, sizeof out, dir, "out");
	/* The largest seed: every "seed" in the object must keep its 20 digits (a double would
	 * print 1.8446744073709552e+19), each strategy's run included. */
	const char *argv[] = { "drill", scen, "--fail", FAIL, "--strategy", "all", "-o", out,
			       "--no-plots", "--json", "--reps", "1", "--seed",
			       "18446744073709551615", NULL };
	run_ok(argv, &r);
	size_t seeds = 0;
	for (const char *p = strstr(r.out, "\"seed\":"); p; p = strstr(p + 1, "\"seed\":")) {
		seeds++;
		cr_expect(strncmp(p + strspn(p + 7, " \t") + 7, "18446744073709551615", 20) == 0,
			  "%.40s", p);
	}
	cr_expect_eq(seeds, 5, "the drill's seed and each strategy run's");
	const char *end = NULL;
	cJSON *js = cJSON_ParseWithOpts(r.out, &end, 1);
	cr_assert_not_null(js, "stdout is not one JSON value near: %.40s", end ? end : r.out);
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(js, "strategies");
	cr_assert(cJSON_IsArray(arr));
	cr_assert_eq(cJSON_GetArraySize(arr), 4);
	for (int i = 0; i < 4; i++) {
		const cJSON *s = cJSON_GetArrayItem(arr, i);
		cr_expect_str_eq(cJSON_GetObjectItemCaseSensitive(s, "strategy")->valuestring,
				 strategies[i]);
		cr_expect_float_eq(cJSON_GetObjectItemCaseSensitive(s, "rto_p50_s")->valuedouble,
				   hand[i].rto, 1e-9);
		cr_expect_float_eq(cJSON_GetObjectItemCaseSensitive(s, "run_id")->valuedouble,
				   i + 1, 0);
		cr_expect(cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(s, "run")));
	}
	cr_expect_float_eq(cJSON_GetObjectItemCaseSensitive(js, "replications")->valuedouble, 1, 0);
	/* The four rows of a fresh results.db: ids 1 to 4, all in the batch of the first. */
	cr_expect_float_eq(cJSON_GetObjectItemCaseSensitive(js, "batch")->valuedouble, 1, 0);
	cJSON_Delete(js);
	cli_result_release(&r);
}

Test(drill_cli, without_strategy_the_scenarios_own_is_drilled)
{
	char out[PATH_MAX], path[PATH_MAX];
	struct cli_result r;
	struct drill_csv t;
	cli_join(out, sizeof out, dir, "out");
	const char *argv[] = { "drill", scen, "--fail", FAIL, "-o", out, "--no-plots", "--quiet",
			       NULL };
	run_ok(argv, &r);
	cr_expect_str_eq(r.out, "");
	cli_join(path, sizeof path, out, "drill.csv");
	drill_csv_read(path, &t);
	cr_assert_eq(t.nrows, 2);
	cr_expect_str_eq(t.f[1][0], "warm_standby");
	cr_expect_float_eq(field(&t, 1, 1), 540, 1e-9);
	cli_join(path, sizeof path, out, "pilot_light");
	cr_expect(!cli_exists(path), "a strategy that was not asked for ran");
	/* drill.md: the table (even under --quiet), no plots drawn, the strategy's page linked. */
	cli_join(path, sizeof path, out, "drill.md");
	char *md = cli_read_file(path, NULL);
	cr_expect(strncmp(md, "# capsim drill\n\n```text\nDrill of ", 29) == 0, "%.80s", md);
	cr_expect(!strstr(md, "!["), "%s", md);
	cr_expect(strstr(md, "Not drawn"), "%s", md);
	cr_expect(strstr(md, "[warm_standby/report.md](warm_standby/report.md)"), "%s", md);
	cli_join(path, sizeof path, out, "warm_standby/report.md");
	free(md);
	/* The strategy's own page says which command and strategy made it. */
	md = cli_read_file(path, NULL);
	cr_expect(strncmp(md, "# capsim drill: `", 17) == 0 && strstr(md, "`, warm_standby\n"),
		  "%.80s", md);
	free(md);
	free(t.text);
	cli_result_release(&r);
}

/* Runs a drill that must be refused: exit 2, stderr containing `want`, nothing written. */
static void refused(const char *const *argv, const char *want)
{
	struct cli_result r;
	char out[PATH_MAX];
	cli_join(out, sizeof out, dir, "out");
	run_capsim(argv, &r);
	cr_expect_eq(r.status, 2, "exit %d for %s: %s", r.status, want, r.err);
	cr_expect_not_null(strstr(r.err, want), "stderr \"%s\" lacks \"%s\"", r.err, want);
	cr_expect_str_eq(r.out, "");
	cr_expect(!cli_exists(out), "a refused drill created its folder (%s)", want);
	cli_result_release(&r);
}

/* A folder where the drill writes drill.csv: refused before anything is simulated, with
 * exit 2, and results.db never takes the strategies' runs (it once did, then failed). */
Test(drill_cli, a_folder_in_the_way_of_drill_csv_is_refused_before_the_runs)
{
	char out[PATH_MAX], in_way[PATH_MAX + 16], db[PATH_MAX + 16];
	cli_join(out, sizeof out, dir, "out");
	snprintf(in_way, sizeof in_way, "%s/drill.csv", out);
	cr_assert_eq(mkdir(out, 0755), 0);
	cr_assert_eq(mkdir(in_way, 0755), 0);
	const char *argv[] = { "drill", scen, "--fail", FAIL, "-o", out, "--no-plots", NULL };
	struct cli_result r;
	run_capsim(argv, &r);
	cr_assert_eq(r.status, 2, "exit %d: %s", r.status, r.err);
	cr_assert(strstr(r.err, "drill.csv is a folder where capsim writes"), "%s", r.err);
	snprintf(db, sizeof db, "%s/results.db", out);
	cr_assert(!cli_exists(db), "results.db took the runs");
	cli_result_release(&r);
}

Test(drill_cli, a_bad_fail_exits_2_and_writes_nothing)
{
	char out[PATH_MAX];
	cli_join(out, sizeof out, dir, "out");
	const char *unknown[] = { "drill", scen, "--fail", "region:q@29h+1h", "-o", out, NULL };
	refused(unknown, "--fail region:q@29h+1h: unknown region \"q\"");
	const char *no_duration[] = { "drill", scen, "--fail", "region:p@29h", "-o", out, NULL };
	refused(no_duration, "no '+' before the duration");
	const char *late[] = { "drill", scen, "--fail", "region:p@3d+1h", "-o", out, NULL };
	refused(late, "before the horizon");
	const char *zone[] = { "drill", scen, "--fail", "region:p@1h+1h", "--fail",
			       "zone:p/c@2h+1h", "-o", out, NULL };
	refused(zone, "--fail zone:p/c@2h+1h: ");
	const char *none[] = { "drill", scen, "-o", out, NULL };
	refused(none, "expected at least one --fail");
	const char *strategy[] = { "drill", scen, "--fail", FAIL, "--strategy", "warm", "-o", out,
				   NULL };
	refused(strategy, "--strategy: expected backup_restore, pilot_light, warm_standby, "
		"active_active or all, got \"warm\"");
	const char *dashed[] = { "drill", scen, "--fail", FAIL, "--strategy", "warm-standby", "-o",
				 out, NULL };
	refused(dashed, "got \"warm-standby\"; did you mean \"warm_standby\"?");
	/* A --fail with its value forgotten: the next option is not taken for it (the folder
	 * after it was taken for a second scenario file). */
	const char *lost[] = { "drill", scen, "--fail", "-o", out, NULL };
	refused(lost, "--fail needs a value, got the option \"-o\"");
}

Test(drill_cli, a_scenario_without_dr_or_with_a_mistake_exits_2)
{
	char out[PATH_MAX], want[PATH_MAX + 96], bad[PATH_MAX];
	cli_join(out, sizeof out, dir, "out");
	/* The same scenario with its "dr" key renamed "_comment_dr": ignored, so no dr block. */
	char *text = strdup(dr_json), *p = strstr(text, "\"dr\": {");
	cr_assert_not_null(p);
	char *nodr = malloc(strlen(text) + 16);
	snprintf(nodr, strlen(text) + 16, "%.*s\"_comment_dr\"%s", (int)(p - text), text, p + 4);
	cli_join(bad, sizeof bad, dir, "nodr.json");
	cli_write_file(bad, nodr, strlen(nodr));
	const char *argv[] = { "drill", bad, "--fail", FAIL, "-o", out, NULL };
	snprintf(want, sizeof want, "capsim drill: %s has no dr block; a drill needs one (see "
		 "scenarios/README.md)\n", bad);
	refused(argv, want);

	/* Line 2 (counted in dr_json) asks for 0 replications. */
	char *q = strstr(text, "\"replications\": 2");
	cr_assert_not_null(q);
	q[16] = '0';
	cli_join(bad, sizeof bad, dir, "bad.json");
	cli_write_file(bad, text, strlen(text));
	const char *mistake[] = { "drill", bad, "--fail", FAIL, "-o", out, NULL };
	snprintf(want, sizeof want, "%s:2: replications: ", bad);
	refused(mistake, want);
	free(nodr);
	free(text);
}

Test(drill_cli, an_active_active_scenario_cannot_drill_the_other_strategies)
{
	char out[PATH_MAX], aa[PATH_MAX];
	cli_join(out, sizeof out, dir, "out");
	/* The scenario with dr reduced to an active-active plan. */
	char *text = strdup(dr_json), *p = strstr(text, "\"dr\": {"), *q = strstr(text, "\"data\"");
	cr_assert(p && q);
	char *json = malloc(strlen(text) + 64);
	snprintf(json, strlen(text) + 64, "%.*s\"dr\": { \"strategy\": \"active_active\" },\n  %s",
		 (int)(p - text), text, q);
	cli_join(aa, sizeof aa, dir, "aa.json");
	cli_write_file(aa, json, strlen(json));
	const char *argv[] = { "drill", aa, "--fail", FAIL, "--strategy", "all", "-o", out, NULL };
	refused(argv, "uses active_active, which names no primary and recovery region");
	const char *one[] = { "drill", aa, "--fail", FAIL, "--strategy", "pilot_light", "-o", out,
			      NULL };
	refused(one, "cannot drill pilot_light");
	free(json);
	free(text);
}

Test(drill_cli, with_gnuplot_the_drill_plots_are_pngs)
{
	static const unsigned char magic[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
	static const char *const pngs[] = { "drill.png", "timeline.png", "rto_cdf.png",
					    "warm_standby/demand.png" };
	char out[PATH_MAX], path[PATH_MAX];
	struct cli_result r;
	if (!cli_have_gnuplot())
		cr_skip_test("gnuplot is not installed (Debian package gnuplot-nox)");
	cli_join(out, sizeof out, dir, "out");
	const char *argv[] = { "drill", scen, "--fail", FAIL, "--fail", "zone:r/a@40h+30m", "-o",
			       out, "--reps", "1", NULL };
	run_ok(argv, &r);
	/* Nothing from gnuplot; only the scenario's note (its plan sends r's users to p, and it
	 * declares no round trip between them), after the file's name. */
	char want[PATH_MAX + 256];
	snprintf(want, sizeof want, "%s: note: dr sends the users entering r to the primary p, "
		 "with no round trip (regions[].rtt) declared between them: no network time is "
		 "counted\n", scen);
	cr_expect_str_eq(r.err, want);
	cli_result_release(&r);
	for (size_t i = 0; i < sizeof pngs / sizeof pngs[0]; i++) {
		cli_join(path, sizeof path, out, pngs[i]);
		cr_assert(cli_exists(path), "%s was not drawn", pngs[i]);
		char *png = cli_read_file(path, NULL);
		cr_expect_eq(memcmp(png, magic, sizeof magic), 0, "%s is not a PNG", pngs[i]);
		free(png);
	}
}
