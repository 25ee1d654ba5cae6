/* The results database: appends keep earlier runs, counts match the result, a failure leaves
 * the file as it was, version-1 and version-4 databases are upgraded without losing a row, and
 * the runs of one command share their batch. */
#include <criterion/criterion.h>
#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "reports/report.h"
#include "sim/error.h"
#include "tests/reports/fake.h"

static struct run_meta meta(void)
{
	return (struct run_meta){
		.scenario_path = "scenarios/shop.json",
		.scenario_sha256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
		.args = "run scenarios/shop.json -o out",
		.version = "0.1.0",
		.started = 1795450800,   /* 2026-11-23T16:20:00Z: 20780 days + 58800 s (16:20) */
		.elapsed = 12.5,
	};
}

static char *dump_run1(sqlite3 *h)
{
	static const char *const q[] = {
		"SELECT * FROM runs WHERE id = 1",
		"SELECT * FROM metrics WHERE run_id = 1 ORDER BY rowid",
		"SELECT * FROM timeseries WHERE run_id = 1 ORDER BY rowid",
		"SELECT * FROM costs WHERE run_id = 1 ORDER BY rowid",
		"SELECT * FROM bills WHERE run_id = 1 ORDER BY rowid",
		"SELECT * FROM events WHERE run_id = 1 ORDER BY rowid",
	};
	size_t n = 0;
	char *all = NULL;
	for (size_t i = 0; i < sizeof q / sizeof q[0]; i++) {
		char *part = fake_db_dump(h, q[i]);
		size_t len = strlen(part);
		all = realloc(all, n + len + 1);
		cr_assert_not_null(all);
		memcpy(all + n, part, len + 1);
		n += len;
		free(part);
	}
	return all;
}

Test(db, two_appends_get_ids_1_and_2_and_leave_the_first_unchanged)
{
	struct fake f;
	fake_init(&f);
	struct run_meta m = meta();
	char *dir = fake_tmpdir(), *path = fake_path(dir, "results.db");
	char err[512] = "";
	int64_t id = 0;

	cr_assert_eq(report_db_append(path, &f.r, &m, &id, err, sizeof err), 0, "%s", err);
	cr_assert_eq(id, 1);
	sqlite3 *h = fake_db_open(path);
	char *before = dump_run1(h);
	sqlite3_close(h);

	/* A second run of other figures and a seed above 2^63. */
	f.r.seed = UINT64_MAX - 5;
	f.r.metrics[0].stat.mean = 0.5;
	f.r.ts[0] = 1e9;
	cr_assert_eq(report_db_append(path, &f.r, &m, &id, err, sizeof err), 0, "%s", err);
	cr_assert_eq(id, 2);

	h = fake_db_open(path);
	cr_assert_eq(fake_db_int(h, "SELECT count(*) FROM runs"), 2);
	cr_assert_eq(fake_db_int(h, "SELECT min(id) FROM runs"), 1);
	cr_assert_eq(fake_db_int(h, "SELECT max(id) FROM runs"), 2);
	char *after = dump_run1(h);
	cr_assert_str_eq(after, before, "run 1 changed after run 2 was appended");

	for (int run = 1; run <= 2; run++) {
		char sql[128];
		snprintf(sql, sizeof sql, "SELECT count(*) FROM metrics WHERE run_id = %d", run);
		cr_assert_eq(fake_db_int(h, sql), (sqlite3_int64)f.r.nmetrics);
		snprintf(sql, sizeof sql, "SELECT count(*) FROM timeseries WHERE run_id = %d", run);
		cr_assert_eq(fake_db_int(h, sql), FAKE_NBUCKETS * FAKE_NSERIES);
		snprintf(sql, sizeof sql, "SELECT count(*) FROM costs WHERE run_id = %d", run);
		cr_assert_eq(fake_db_int(h, sql), FAKE_NCOSTS);
		snprintf(sql, sizeof sql, "SELECT count(*) FROM events WHERE run_id = %d", run);
		cr_assert_eq(fake_db_int(h, sql), FAKE_NEVENTS);
		snprintf(sql, sizeof sql, "SELECT count(*) FROM bills WHERE run_id = %d", run);
		cr_assert_eq(fake_db_int(h, sql), FAKE_NBILLS);
	}
	cr_assert_eq(fake_db_int(h, "PRAGMA user_version"), 5);
	/* Each row says the command that made it: a plain run, the only one of its command. */
	cr_assert_eq(fake_db_int(h, "SELECT count(*) FROM runs WHERE command = 'run' AND"
				 " part IS NULL"), 2);
	/* The uint64 seed comes back bit for bit; 42 reads as itself. */
	cr_assert_eq((uint64_t)fake_db_int(h, "SELECT seed FROM runs WHERE id = 2"),
		     UINT64_MAX - 5);
	cr_assert_eq(fake_db_int(h, "SELECT seed FROM runs WHERE id = 1"), 42);
	cr_assert_eq(fake_db_int(h, "SELECT count(*) FROM runs WHERE id = 1 AND"
				 " started_utc = '2026-11-23T16:20:00Z' AND elapsed_s = 12.5 AND"
				 " horizon_s = 259200 AND step_s = 60 AND replications = 20 AND"
				 " scenario = 'shop' AND version = '0.1.0'"), 1);
	/* Values: the second run's first metric, a NaN stored as NULL, bucket 30 of series 5,
	 * months 1-based, an event about no region. */
	cr_assert_eq(fake_db_int(h, "SELECT count(*) FROM metrics WHERE run_id = 2 AND"
				 " metric = 'availability' AND mean = 0.5"), 1);
	cr_assert_eq(fake_db_int(h, "SELECT count(*) FROM metrics WHERE run_id = 1 AND"
				 " metric = 'rto' AND mean = 42 AND ci95_low IS NULL"), 1);
	sqlite3_stmt *st;
	cr_assert_eq(sqlite3_prepare_v2(h, "SELECT demand_rps, cost_per_hour FROM timeseries"
					" WHERE run_id = 1 AND time_s = 108000 AND region = 'us-east-1'"
					" AND tier = 'all'", -1, &st, NULL), SQLITE_OK);
	cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
	cr_assert_eq(sqlite3_column_double(st, 0), fake_ts(30, 5, RUN_TS_DEMAND));
	cr_assert_eq(sqlite3_column_double(st, 1), fake_ts(30, 5, RUN_TS_COST_RATE));
	sqlite3_finalize(st);
	cr_assert_eq(fake_db_int(h, "SELECT count(*) FROM costs WHERE month = 1"), 2 * FAKE_NCOSTS);
	/* The unused commitment is about no region or tier: "all" as in cost.csv. */
	cr_assert_eq(fake_db_int(h, "SELECT count(*) FROM costs WHERE run_id = 1 AND"
				 " purchase_option = 'unused_commitment' AND region = 'all' AND"
				 " tier = 'all' AND mean_usd = 50"), 1);
	/* Month 1's bill (fake_bill): mean 10000, P10 9200, P50 9950, P90 10900, P95 11300. */
	cr_assert_eq(fake_db_int(h, "SELECT count(*) FROM bills WHERE run_id = 1 AND month = 1"
				 " AND mean_usd = 10000 AND p10 = 9200 AND p50 = 9950 AND"
				 " p90 = 10900 AND p95 = 11300"), 1);
	/* Web in eu-west-1 (pool 0) at 12:00 runs 8 instances: 2 reserved, 1 by savings plan,
	 * 2 on demand, 3 spot (fake.h). */
	cr_assert_eq(fake_db_int(h, "SELECT count(*) FROM timeseries WHERE run_id = 1 AND"
				 " time_s = 43200 AND region = 'eu-west-1' AND tier = 'web' AND"
				 " paid_reserved = 2 AND paid_savings_plan = 1 AND"
				 " paid_on_demand = 2 AND paid_spot = 3"), 1);
	cr_assert_eq(fake_db_int(h, "SELECT count(*) FROM events WHERE run_id = 1 AND"
				 " region IS NULL AND tier IS NULL AND"
				 " kind = 'slo_breach_start'"), 1);
	/* Every run_id points at a run. */
	cr_assert_eq(fake_db_int(h, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
	sqlite3_close(h);
	free(before);
	free(after);
	fake_release(&f);
	free(path);
	fake_rmtree(dir);
}

Test(db, a_file_that_is_not_a_database_is_eio_and_left_unchanged)
{
	struct fake f;
	fake_init(&f);
	struct run_meta m = meta();
	char *dir = fake_tmpdir(), *path = fake_path(dir, "results.db");
	char *journal = fake_path(dir, "results.db-journal");
	/* More than SQLite's 100-byte header, so the file is read as a (bad) database. */
	FILE *fp = fopen(path, "w");
	cr_assert_not_null(fp);
	for (int i = 0; i < 100; i++)
		fprintf(fp, "metric,unit,mean %d\n", i);
	fclose(fp);
	size_t len0, len1;
	char *bytes0 = fake_slurp(path, &len0);

	char err[512] = "";
	int64_t id = -1;
	cr_assert_eq(report_db_append(path, &f.r, &m, &id, err, sizeof err), CAPSIM_EIO);
	cr_assert_eq(id, -1, "run_id is not set on failure");
	cr_assert_not_null(strstr(err, path), "err: %s", err);
	cr_assert_not_null(strstr(err, "not a database"), "err: %s", err);
	char *bytes1 = fake_slurp(path, &len1);
	cr_assert_eq(len1, len0);
	cr_assert_eq(memcmp(bytes0, bytes1, len0), 0, "the file was changed");
	cr_assert_eq(access(journal, F_OK), -1, "a journal was left behind");
	free(bytes0);
	free(bytes1);
	free(journal);
	fake_release(&f);
	free(path);
	fake_rmtree(dir);
}

Test(db, a_failure_midway_rolls_the_whole_run_back)
{
	/* After one good append the events table loses a column, so the next append fails on
	 * its last table, after its run, metrics, time series and costs went in. */
	struct fake f;
	fake_init(&f);
	struct run_meta m = meta();
	char *dir = fake_tmpdir(), *path = fake_path(dir, "results.db");
	char err[512] = "";
	int64_t id;
	cr_assert_eq(report_db_append(path, &f.r, &m, &id, err, sizeof err), 0, "%s", err);
	sqlite3 *h = fake_db_open(path);
	cr_assert_eq(sqlite3_exec(h, "ALTER TABLE events DROP COLUMN detail", NULL, NULL, NULL),
		     SQLITE_OK, "%s", sqlite3_errmsg(h));
	char *before = dump_run1(h);
	sqlite3_close(h);

	cr_assert_eq(report_db_append(path, &f.r, &m, &id, err, sizeof err), CAPSIM_EIO);
	cr_assert_not_null(strstr(err, "detail"), "err: %s", err);
	h = fake_db_open(path);
	cr_assert_eq(fake_db_int(h, "SELECT count(*) FROM runs"), 1);
	cr_assert_eq(fake_db_int(h, "SELECT count(*) FROM metrics"), (sqlite3_int64)f.r.nmetrics);
	cr_assert_eq(fake_db_int(h, "SELECT count(*) FROM timeseries"),
		     FAKE_NBUCKETS * FAKE_NSERIES);
	cr_assert_eq(fake_db_int(h, "SELECT count(*) FROM costs"), FAKE_NCOSTS);
	char *after = dump_run1(h);
	cr_assert_str_eq(after, before);
	sqlite3_close(h);
	free(before);
	free(after);
	fake_release(&f);
	free(path);
	fake_rmtree(dir);
}

/* The schema of version 1 as capsim wrote it (reports/db.c before version 2), kept here as it
 * was so that the upgrade is tested against the real old layout, with one run of one row in
 * each table. events_detail: whether events has its detail column (a broken database lacks
 * it, to make an append fail after the upgrade). */
static void make_v1(const char *path, int events_detail)
{
	static const char ddl[] =
		"CREATE TABLE runs (id INTEGER PRIMARY KEY, scenario TEXT NOT NULL,"
		" scenario_path TEXT, scenario_sha256 TEXT, seed INTEGER NOT NULL,"
		" replications INTEGER NOT NULL, threads INTEGER, version TEXT, args TEXT,"
		" started_utc TEXT, elapsed_s REAL, horizon_s REAL, step_s REAL, bucket_s REAL,"
		" events_dropped INTEGER);"
		"CREATE TABLE metrics (run_id INTEGER NOT NULL REFERENCES runs(id),"
		" metric TEXT NOT NULL, unit TEXT,"
		" mean REAL, ci95_low REAL, ci95_high REAL, p5 REAL, p50 REAL, p95 REAL);"
		"CREATE INDEX metrics_run_id ON metrics(run_id);"
		"CREATE TABLE costs (run_id INTEGER NOT NULL REFERENCES runs(id),"
		" month INTEGER NOT NULL, region TEXT NOT NULL, tier TEXT NOT NULL,"
		" purchase_option TEXT NOT NULL,"
		" mean_usd REAL, ci95_low REAL, ci95_high REAL, p5 REAL, p50 REAL, p95 REAL);"
		"CREATE INDEX costs_run_id ON costs(run_id);"
		"CREATE TABLE timeseries (run_id INTEGER NOT NULL REFERENCES runs(id),"
		" time_s REAL NOT NULL, region TEXT NOT NULL, tier TEXT NOT NULL,"
		" demand_rps REAL, capacity_rps REAL, instances REAL, in_service REAL,"
		" utilization REAL, wait_prob REAL, latency_pct_s REAL, served_rps REAL,"
		" failed_rps REAL, cost_per_hour REAL);"
		"CREATE INDEX timeseries_run_id ON timeseries(run_id);"
		"INSERT INTO runs VALUES (1, 'old', 'scenarios/old.json', 'ab', 7, 3, 1, '0.1.0',"
		" 'run old', '2026-01-02T03:04:05Z', 1.5, 86400, 60, 3600, 0);"
		"INSERT INTO metrics VALUES (1, 'availability', 'fraction', 0.99, 0.98, 0.995,"
		" 0.97, 0.99, 0.996);"
		"INSERT INTO costs VALUES (1, 1, 'eu-west-1', 'web', 'on_demand', 100, 99, 101, 98,"
		" 100, 102);"
		"INSERT INTO timeseries VALUES (1, 0, 'eu-west-1', 'web', 500, 800, 4, 4, 0.625,"
		" 0.1, 0.2, 500, 0, 1);"
		"PRAGMA user_version = 1;";
	sqlite3 *h;
	cr_assert_eq(sqlite3_open(path, &h), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(h, ddl, NULL, NULL, NULL), SQLITE_OK, "%s", sqlite3_errmsg(h));
	cr_assert_eq(sqlite3_exec(h, events_detail ?
				  "CREATE TABLE events (run_id INTEGER NOT NULL REFERENCES runs(id),"
				  " replication INTEGER NOT NULL, time_s REAL NOT NULL, region TEXT,"
				  " tier TEXT, kind TEXT NOT NULL, value REAL, detail TEXT);"
				  "CREATE INDEX events_run_id ON events(run_id);"
				  "INSERT INTO events VALUES (1, 0, 10, NULL, NULL, 'scale_out', 3,"
				  " 'old event');" :
				  "CREATE TABLE events (run_id INTEGER NOT NULL REFERENCES runs(id),"
				  " replication INTEGER NOT NULL, time_s REAL NOT NULL, region TEXT,"
				  " tier TEXT, kind TEXT NOT NULL, value REAL);"
				  "INSERT INTO events VALUES (1, 0, 10, NULL, NULL, 'scale_out', 3);",
				  NULL, NULL, NULL), SQLITE_OK, "%s", sqlite3_errmsg(h));
	sqlite3_close(h);
}

/* Run 1's rows in the columns version 1 had, each table in full. */
static char *dump_v1_run1(sqlite3 *h)
{
	static const char *const q[] = {
		"SELECT id, scenario, scenario_path, scenario_sha256, seed, replications, threads,"
		" version, args, started_utc, elapsed_s, horizon_s, step_s, bucket_s,"
		" events_dropped FROM runs WHERE id = 1",   /* version 1's columns */
		"SELECT * FROM metrics WHERE run_id = 1",
		"SELECT * FROM costs WHERE run_id = 1",
		"SELECT run_id, time_s, region, tier, demand_rps, capacity_rps, instances,"
		" in_service, utilization, wait_prob, latency_pct_s, served_rps, failed_rps,"
		" cost_per_hour FROM timeseries WHERE run_id = 1",
		"SELECT run_id, replication, time_s, region, tier, kind, value FROM events"
		" WHERE run_id = 1",
	};
	size_t n = 0;
	char *all = NULL;
	for (size_t i = 0; i < sizeof q / sizeof q[0]; i++) {
		char *part = fake_db_dump(h, q[i]);
		size_t len = strlen(part);
		all = realloc(all, n + len + 1);
		cr_assert_not_null(all);
		memcpy(all + n, part, len + 1);
		n += len;
		free(part);
	}
	return all;
}

Test(db, a_version_1_database_is_upgraded_and_keeps_its_runs)
{
	struct fake f;
	fake_init(&f);
	struct run_meta m = meta();
	char *dir = fake_tmpdir(), *path = fake_path(dir, "results.db");
	char err[512] = "";
	int64_t id = 0;
	make_v1(path, 1);
	sqlite3 *h = fake_db_open(path);
	char *before = dump_v1_run1(h);
	sqlite3_close(h);
	/* The hand-written rows, as the dump prints them. */
	cr_assert_not_null(strstr(before, "1|0.0|eu-west-1|web|500.0|800.0|4.0|4.0|0.625|0.1|0.2|"
				  "500.0|0.0|1.0\n"), "%s", before);

	cr_assert_eq(report_db_append(path, &f.r, &m, &id, err, sizeof err), 0, "%s", err);
	cr_assert_eq(id, 2, "the new run follows the old one");
	h = fake_db_open(path);
	cr_assert_eq(fake_db_int(h, "PRAGMA user_version"), 5);
	char *after = dump_v1_run1(h);
	/* Version 4's step: runs gains command and part, NULL for the old run; version 5's:
	 * batch, NULL for it too (no command says it was alone), the new run's own id. */
	cr_assert_eq(fake_db_int(h, "SELECT count(*) FROM runs WHERE id = 1 AND command IS NULL"
				 " AND part IS NULL AND batch IS NULL"), 1);
	cr_assert_eq(fake_db_int(h, "SELECT count(*) FROM runs WHERE id = 2 AND batch = 2"), 1);
	cr_assert_eq(fake_db_int(h, "SELECT count(*) FROM runs WHERE id = 2 AND"
				 " command = 'run'"), 1);
	cr_assert_str_eq(after, before, "the version-1 run changed in the upgrade");
	/* The old row has the new columns, empty; the new run fills them. */
	cr_assert_eq(fake_db_int(h, "SELECT count(*) FROM timeseries WHERE run_id = 1 AND"
				 " paid_on_demand IS NULL AND paid_spot IS NULL AND"
				 " paid_reserved IS NULL AND paid_savings_plan IS NULL"), 1);
	cr_assert_eq(fake_db_int(h, "SELECT count(*) FROM timeseries WHERE run_id = 2 AND"
				 " paid_reserved IS NOT NULL"), FAKE_NBUCKETS * FAKE_NSERIES);
	cr_assert_eq(fake_db_int(h, "SELECT count(*) FROM bills WHERE run_id = 1"), 0);
	cr_assert_eq(fake_db_int(h, "SELECT count(*) FROM bills WHERE run_id = 2"), FAKE_NBILLS);
	cr_assert_eq(fake_db_int(h, "SELECT count(*) FROM pragma_table_info('timeseries')"),
		     4 + RUN_TS_NFIELDS);
	sqlite3_close(h);

	/* A second append to the upgraded database works and changes neither run before it. */
	h = fake_db_open(path);
	char *run2 = fake_db_dump(h, "SELECT * FROM timeseries WHERE run_id = 2 ORDER BY rowid");
	sqlite3_close(h);
	cr_assert_eq(report_db_append(path, &f.r, &m, &id, err, sizeof err), 0, "%s", err);
	cr_assert_eq(id, 3);
	h = fake_db_open(path);
	cr_assert_eq(fake_db_int(h, "SELECT count(*) FROM runs"), 3);
	cr_assert_eq(fake_db_int(h, "SELECT count(*) FROM bills"), 2 * FAKE_NBILLS);
	char *again = dump_v1_run1(h);
	char *run2_again = fake_db_dump(h, "SELECT * FROM timeseries WHERE run_id = 2"
					" ORDER BY rowid");
	cr_assert_str_eq(again, before);
	cr_assert_str_eq(run2_again, run2);
	cr_assert_eq(fake_db_int(h, "PRAGMA user_version"), 5);
	cr_assert_eq(fake_db_int(h, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
	sqlite3_close(h);
	free(before);
	free(after);
	free(again);
	free(run2);
	free(run2_again);
	fake_release(&f);
	free(path);
	fake_rmtree(dir);
}

Test(db, a_failed_append_leaves_a_version_1_database_as_it_was)
{
	/* The events table lacks its detail column, so the append fails on its last table,
	 * after the upgrade: the upgrade is rolled back with the run. */
	struct fake f;
	fake_init(&f);
	char *dir = fake_tmpdir(), *path = fake_path(dir, "results.db");
	char err[512] = "";
	int64_t id;
	make_v1(path, 0);
	sqlite3 *h = fake_db_open(path);
	char *schema = fake_db_dump(h, "SELECT sql FROM sqlite_schema ORDER BY name");
	sqlite3_close(h);

	cr_assert_eq(report_db_append(path, &f.r, NULL, &id, err, sizeof err), CAPSIM_EIO);
	cr_assert_not_null(strstr(err, "detail"), "err: %s", err);
	h = fake_db_open(path);
	cr_assert_eq(fake_db_int(h, "PRAGMA user_version"), 1);
	char *schema_after = fake_db_dump(h, "SELECT sql FROM sqlite_schema ORDER BY name");
	cr_assert_str_eq(schema_after, schema, "the schema changed although the append failed");
	cr_assert_eq(fake_db_int(h, "SELECT count(*) FROM pragma_table_info('timeseries')"), 14);
	cr_assert_eq(fake_db_int(h, "SELECT count(*) FROM runs"), 1);
	cr_assert_eq(fake_db_int(h, "SELECT count(*) FROM timeseries"), 1);
	sqlite3_close(h);
	free(schema);
	free(schema_after);
	fake_release(&f);
	free(path);
	fake_rmtree(dir);
}

Test(db, a_newer_schema_is_refused)
{
	struct fake f;
	fake_init(&f);
	char *dir = fake_tmpdir(), *path = fake_path(dir, "results.db");
	sqlite3 *h;
	cr_assert_eq(sqlite3_open(path, &h), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(h, "PRAGMA user_version = 7", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(h);

	char err[512] = "";
	int64_t id;
	cr_assert_eq(report_db_append(path, &f.r, NULL, &id, err, sizeof err), CAPSIM_EIO);
	cr_assert_not_null(strstr(err, "schema version 7"), "err: %s", err);
	h = fake_db_open(path);
	cr_assert_eq(fake_db_int(h, "SELECT count(*) FROM sqlite_schema"), 0,
		     "tables were created");
	sqlite3_close(h);
	fake_release(&f);
	free(path);
	fake_rmtree(dir);
}

Test(db, a_missing_folder_is_eio)
{
	struct fake f;
	fake_init(&f);
	char err[512] = "";
	int64_t id;
	cr_assert_eq(report_db_append("/nonexistent-capsim/results.db", &f.r, NULL, &id, err,
				      sizeof err), CAPSIM_EIO);
	cr_assert_eq(strncmp(err, "/nonexistent-capsim/results.db: ", 32), 0, "err: %s", err);
	fake_release(&f);
}

/* ---- runs.batch (schema version 5) ---- */

Test(db, a_fresh_database_is_version_5_and_a_lone_run_is_its_own_batch)
{
	struct fake f;
	fake_init(&f);
	struct run_meta m = meta();
	char *dir = fake_tmpdir(), *path = fake_path(dir, "results.db");
	char err[512] = "";
	int64_t id = 0;

	cr_assert_eq(report_db_append(path, &f.r, &m, &id, err, sizeof err), 0, "%s", err);
	cr_assert_eq(id, 1);
	cr_assert_eq(report_db_append(path, &f.r, NULL, &id, err, sizeof err), 0, "%s", err);
	cr_assert_eq(id, 2);
	sqlite3 *h = fake_db_open(path);
	cr_assert_eq(fake_db_int(h, "PRAGMA user_version"), 5);
	cr_assert_eq(fake_db_int(h, "SELECT count(*) FROM pragma_table_info('runs')"
				 " WHERE name = 'batch' AND type = 'INTEGER'"), 1);
	/* Two commands of one run each (the second without meta): each row its own batch. */
	char *rows = fake_db_dump(h, "SELECT id, batch FROM runs ORDER BY id");
	cr_assert_str_eq(rows, "1|1\n2|2\n");
	cr_assert_eq(fake_db_int(h, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
	sqlite3_close(h);
	free(rows);
	fake_release(&f);
	free(path);
	fake_rmtree(dir);
}

Test(db, the_runs_of_one_command_share_its_first_runs_id_when_others_come_between)
{
	/* A drill of two strategies while another capsim appends a run to the same database
	 * between them: ids 1 (drill), 2 (run), 3 (drill). The drill's rows are not adjacent;
	 * batch links them: 1, 2, 1. */
	struct fake f;
	fake_init(&f);
	struct run_meta d1 = meta(), d2 = meta(), r = meta();
	char *dir = fake_tmpdir(), *path = fake_path(dir, "results.db");
	char err[512] = "";
	int64_t first = 0, id = 0;

	d1.command = d2.command = "drill";
	d1.part = "backup_restore";
	d2.part = "pilot_light";
	cr_assert_eq(report_db_append(path, &f.r, &d1, &first, err, sizeof err), 0, "%s", err);
	cr_assert_eq(first, 1);
	cr_assert_eq(report_db_append(path, &f.r, &r, &id, err, sizeof err), 0, "%s", err);
	cr_assert_eq(id, 2);
	d2.batch = first;
	cr_assert_eq(report_db_append(path, &f.r, &d2, &id, err, sizeof err), 0, "%s", err);
	cr_assert_eq(id, 3);

	sqlite3 *h = fake_db_open(path);
	char *rows = fake_db_dump(h, "SELECT id, command, part, batch FROM runs ORDER BY id");
	cr_assert_str_eq(rows, "1|drill|backup_restore|1\n2|run|\\N|2\n3|drill|pilot_light|1\n");
	/* The query scenarios/README.md gives for "the rows of the last drill". */
	char *last = fake_db_dump(h, "SELECT id FROM runs WHERE batch = (SELECT max(batch)"
				  " FROM runs WHERE command = 'drill') ORDER BY id");
	cr_assert_str_eq(last, "1\n3\n");
	cr_assert_eq(fake_db_int(h, "SELECT count(DISTINCT batch) FROM runs"), 2);
	sqlite3_close(h);

	/* A link to no run is refused, and the database keeps its three rows. */
	d2.batch = 99;
	id = -1;
	cr_assert_eq(report_db_append(path, &f.r, &d2, &id, err, sizeof err), CAPSIM_EIO);
	cr_assert_not_null(strstr(err, "FOREIGN KEY"), "err: %s", err);
	cr_assert_eq(id, -1);
	h = fake_db_open(path);
	cr_assert_eq(fake_db_int(h, "SELECT count(*) FROM runs"), 3);
	cr_assert_eq(fake_db_int(h, "SELECT count(*) FROM metrics"), 3 * (sqlite3_int64)f.r.nmetrics);
	sqlite3_close(h);
	free(rows);
	free(last);
	fake_release(&f);
	free(path);
	fake_rmtree(dir);
}

/* The schema of version 4 as capsim wrote it for runs (reports/db.c before version 5), kept
 * here as it was, with three runs: a lone run (1) and a compare's A (2) and B (3), and a
 * metric of run 1. */
static void make_v4(const char *path)
{
	static const char ddl[] =
		"CREATE TABLE timeseries (run_id INTEGER NOT NULL REFERENCES runs(id),"
		" time_s REAL NOT NULL, region TEXT NOT NULL, tier TEXT NOT NULL,"
		" demand_rps REAL, capacity_rps REAL, instances REAL, in_service REAL,"
		" utilization REAL, wait_prob REAL, latency_pct_s REAL, served_rps REAL,"
		" failed_rps REAL, cost_per_hour REAL, paid_on_demand REAL, paid_spot REAL,"
		" paid_reserved REAL, paid_savings_plan REAL);"
		"CREATE TABLE runs (id INTEGER PRIMARY KEY, scenario TEXT NOT NULL,"
		" scenario_path TEXT, scenario_sha256 TEXT, seed INTEGER NOT NULL,"
		" replications INTEGER NOT NULL, threads INTEGER, version TEXT, args TEXT,"
		" started_utc TEXT, elapsed_s REAL, horizon_s REAL, step_s REAL, bucket_s REAL,"
		" events_dropped INTEGER, command TEXT, part TEXT);"
		"CREATE TABLE metrics (run_id INTEGER NOT NULL REFERENCES runs(id),"
		" metric TEXT NOT NULL, unit TEXT,"
		" mean REAL, ci95_low REAL, ci95_high REAL, p5 REAL, p50 REAL, p95 REAL);"
		"CREATE INDEX metrics_run_id ON metrics(run_id);"
		"CREATE TABLE costs (run_id INTEGER NOT NULL REFERENCES runs(id),"
		" month INTEGER NOT NULL, region TEXT NOT NULL, tier TEXT NOT NULL,"
		" purchase_option TEXT NOT NULL,"
		" mean_usd REAL, ci95_low REAL, ci95_high REAL, p5 REAL, p50 REAL, p95 REAL);"
		"CREATE INDEX costs_run_id ON costs(run_id);"
		"CREATE TABLE events (run_id INTEGER NOT NULL REFERENCES runs(id),"
		" replication INTEGER NOT NULL, time_s REAL NOT NULL, region TEXT, tier TEXT,"
		" kind TEXT NOT NULL, value REAL, detail TEXT);"
		"CREATE INDEX events_run_id ON events(run_id);"
		"CREATE TABLE bills (run_id INTEGER NOT NULL REFERENCES runs(id),"
		" month INTEGER NOT NULL,"
		" mean_usd REAL, p10 REAL, p50 REAL, p90 REAL, p95 REAL);"
		"CREATE INDEX bills_run_id ON bills(run_id);"
		"CREATE INDEX timeseries_run_id ON timeseries(run_id);"
		"INSERT INTO runs VALUES (1, 'old', 'scenarios/old.json', 'ab', 7, 3, 1, '0.1.0',"
		" 'capsim run scenarios/old.json', '2026-01-02T03:04:05Z', 1.5, 86400, 60, 3600, 0,"
		" 'run', NULL);"
		"INSERT INTO runs VALUES (2, 'old', 'scenarios/old.json', 'ab', 7, 3, 1, '0.1.0',"
		" 'capsim compare a b', '2026-01-02T04:00:00Z', 1.5, 86400, 60, 3600, 0,"
		" 'compare', 'A');"
		"INSERT INTO runs VALUES (3, 'other', 'scenarios/other.json', 'cd', 7, 3, 1, '0.1.0',"
		" 'capsim compare a b', '2026-01-02T04:00:02Z', 1.5, 86400, 60, 3600, 0,"
		" 'compare', 'B');"
		"INSERT INTO metrics VALUES (1, 'availability', 'fraction', 0.99, 0.98, 0.995,"
		" 0.97, 0.99, 0.996);"
		"PRAGMA user_version = 4;";
	sqlite3 *h;
	cr_assert_eq(sqlite3_open(path, &h), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(h, ddl, NULL, NULL, NULL), SQLITE_OK, "%s", sqlite3_errmsg(h));
	sqlite3_close(h);
}

Test(db, a_version_4_database_gains_batch_and_keeps_its_rows)
{
	struct fake f;
	fake_init(&f);
	struct run_meta m = meta();
	char *dir = fake_tmpdir(), *path = fake_path(dir, "results.db");
	char err[512] = "";
	int64_t id = 0;
	/* The rows in version 4's columns; they must read the same after the upgrade. */
	static const char v4_rows[] =
		"SELECT id, scenario, scenario_path, scenario_sha256, seed, replications, threads,"
		" version, args, started_utc, elapsed_s, horizon_s, step_s, bucket_s,"
		" events_dropped, command, part FROM runs WHERE id <= 3 ORDER BY id";
	make_v4(path);
	sqlite3 *h = fake_db_open(path);
	char *before = fake_db_dump(h, v4_rows);
	char *metric_before = fake_db_dump(h, "SELECT * FROM metrics WHERE run_id = 1");
	sqlite3_close(h);
	cr_assert_not_null(strstr(before, "3|other|scenarios/other.json|cd|7|3|1|0.1.0|"
				  "capsim compare a b|2026-01-02T04:00:02Z|1.5|86400.0|60.0|3600.0|0|"
				  "compare|B\n"), "%s", before);

	cr_assert_eq(report_db_append(path, &f.r, &m, &id, err, sizeof err), 0, "%s", err);
	cr_assert_eq(id, 4, "the new run follows the old ones");
	h = fake_db_open(path);
	cr_assert_eq(fake_db_int(h, "PRAGMA user_version"), 5);
	char *after = fake_db_dump(h, v4_rows);
	char *metric_after = fake_db_dump(h, "SELECT * FROM metrics WHERE run_id = 1");
	cr_assert_str_eq(after, before, "a version-4 run changed in the upgrade");
	cr_assert_str_eq(metric_after, metric_before);
	/* The lone run is its own batch; which rows the old compare wrote together is not
	 * recorded, so they have none; the new run is its own. */
	char *batches = fake_db_dump(h, "SELECT id, batch FROM runs ORDER BY id");
	cr_assert_str_eq(batches, "1|1\n2|\\N\n3|\\N\n4|4\n");
	sqlite3_close(h);

	/* The upgraded database takes a command's later run linked to its first. */
	m.command = "compare";
	m.part = "B";
	m.batch = 4;
	cr_assert_eq(report_db_append(path, &f.r, &m, &id, err, sizeof err), 0, "%s", err);
	cr_assert_eq(id, 5);
	h = fake_db_open(path);
	char *again = fake_db_dump(h, v4_rows);
	cr_assert_str_eq(again, before);
	cr_assert_eq(fake_db_int(h, "SELECT batch FROM runs WHERE id = 5"), 4);
	cr_assert_eq(fake_db_int(h, "SELECT count(*) FROM runs"), 5);
	cr_assert_eq(fake_db_int(h, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
	sqlite3_close(h);
	free(before);
	free(after);
	free(again);
	free(metric_before);
	free(metric_after);
	free(batches);
	fake_release(&f);
	free(path);
	fake_rmtree(dir);
}
