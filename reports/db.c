/* The SQLite results database: every run and optimisation appended in one transaction,
 * nothing overwritten. */
#include "reports/report.h"

#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "models/optimize.h"
#include "sim/error.h"

/* PRAGMA user_version of the schema below. A database with a higher version was written by a
 * newer capsim and is refused rather than guessed at; a change of the schema (including a new
 * run_ts_name field, which adds a timeseries column) raises it and adds an upgrade step.
 *   1  runs, metrics, timeseries (demand_rps .. cost_per_hour), costs, events
 *   2  timeseries gains paid_on_demand, paid_spot, paid_reserved, paid_savings_plan; the
 *      bills table. Upgrade: the missing columns added (NULL in earlier runs), bills created.
 *   3  the optimisations: opt_runs, opt_candidates, opt_commitments. Upgrade: created (an
 *      upgrade from 1 takes the step to 2 first).
 *   4  runs gains command ("run", "drill", "compare", "optimize") and part (a drill's
 *      strategy, compare's "A" or "B"; NULL for a command's only run). Upgrade: the two
 *      columns added, NULL in earlier runs (their args still say what made them).
 *   5  runs gains batch, the id of the first row its command appended (see below). Upgrade:
 *      the column added; an earlier row of command "run" or "optimize" (one row each) gets
 *      its own id, every other earlier row NULL: which rows of an earlier drill or compare
 *      went together is not known (ids and started_utc of two commands appending to one
 *      folder at once interleave), and a guess would read as a fact.
 * Every append raises a database to version 5, in its own transaction; the optimiser's
 * tables are made by the first optimisation appended.
 *
 * Why runs.batch rather than a table of commands with runs.command_id: runs already names
 * the command and the part of each row (version 4), and each of a drill's rows has its own
 * args and started_utc, so a commands table would repeat them or leave them split across two
 * tables. One integer column links the rows with no join ("the rows of the last drill" is
 * WHERE batch = (SELECT max(batch) FROM runs WHERE command = 'drill'), and GROUP BY batch
 * counts commands), its values are run ids the command already prints, and a command's rows
 * go in by separate appends (one transaction per run) without anything made ahead of them.
 * batch references runs(id), so a link to no run is refused. */
#define DB_SCHEMA_VERSION 5

/* runs.seed holds the uint64 seed as the signed 64-bit integer with the same bits (two's
 * complement): seeds below 2^63 read as themselves, larger ones as seed - 2^64. C readers get
 * the seed back exactly with (uint64_t)sqlite3_column_int64. started_utc is ISO 8601 UTC
 * ("2026-11-23T16:20:00Z"). In the result tables region and tier are names: "all" is a
 * region's whole chain in timeseries, and NULL an event about no region or tier. Time series
 * rows start at time_s and last runs.bucket_s; months in costs and bills are 1-based as in
 * cost.csv and bill.csv; costs has region and tier "all" for a figure about none (unused
 * commitment). NaN values are stored as NULL. batch is NULL only in rows of an earlier
 * schema whose command is not known to have made them alone. */
static const char schema[] =
	"CREATE TABLE IF NOT EXISTS runs ("
	" id INTEGER PRIMARY KEY,"
	" scenario TEXT NOT NULL,"
	" scenario_path TEXT,"
	" scenario_sha256 TEXT,"
	" seed INTEGER NOT NULL,"
	" replications INTEGER NOT NULL,"
	" threads INTEGER,"
	" version TEXT,"
	" args TEXT,"
	" started_utc TEXT,"
	" elapsed_s REAL,"
	" horizon_s REAL,"
	" step_s REAL,"
	" bucket_s REAL,"
	" events_dropped INTEGER,"
	" command TEXT,"
	" part TEXT,"
	" batch INTEGER REFERENCES runs(id));\n"
	"CREATE TABLE IF NOT EXISTS metrics ("
	" run_id INTEGER NOT NULL REFERENCES runs(id),"
	" metric TEXT NOT NULL, unit TEXT,"
	" mean REAL, ci95_low REAL, ci95_high REAL, p5 REAL, p50 REAL, p95 REAL);\n"
	"CREATE INDEX IF NOT EXISTS metrics_run_id ON metrics(run_id);\n"
	"CREATE TABLE IF NOT EXISTS costs ("
	" run_id INTEGER NOT NULL REFERENCES runs(id),"
	" month INTEGER NOT NULL, region TEXT NOT NULL, tier TEXT NOT NULL,"
	" purchase_option TEXT NOT NULL,"
	" mean_usd REAL, ci95_low REAL, ci95_high REAL, p5 REAL, p50 REAL, p95 REAL);\n"
	"CREATE INDEX IF NOT EXISTS costs_run_id ON costs(run_id);\n"
	"CREATE TABLE IF NOT EXISTS events ("
	" run_id INTEGER NOT NULL REFERENCES runs(id),"
	" replication INTEGER NOT NULL, time_s REAL NOT NULL, region TEXT, tier TEXT,"
	" kind TEXT NOT NULL, value REAL, detail TEXT);\n"
	"CREATE INDEX IF NOT EXISTS events_run_id ON events(run_id);\n"
	"CREATE TABLE IF NOT EXISTS bills ("
	" run_id INTEGER NOT NULL REFERENCES runs(id),"
	" month INTEGER NOT NULL,"
	" mean_usd REAL, p10 REAL, p50 REAL, p90 REAL, p95 REAL);\n"
	"CREATE INDEX IF NOT EXISTS bills_run_id ON bills(run_id);\n"
	"CREATE INDEX IF NOT EXISTS timeseries_run_id ON timeseries(run_id);\n";

/* The optimisations (version 3). An optimisation's row in runs has its scenario, seed, meta,
 * horizon and step, replications its final replications, and threads, bucket_s and
 * events_dropped NULL. opt_runs has one row per optimisation: objective "mean" or "p90", the
 * screening and final replications, candidates simulated and replications in all, the
 * recommended candidate's id (NULL when none is feasible: then binding names the constraint
 * that rules every candidate out, opt_constraint_name, and why says by how much). One row per
 * candidate in opt_candidates, id 1-based in the order evaluated (frontier.csv's id): role
 * opt_role_name; mix as report_opt_mix_text writes it; reserved_instances and
 * savings_plan_usd_hourly the totals of its commitments; costs in USD per SCENARIO_MONTH; the
 * mean and 95% interval of availability, latency (s, the SLO percentile), RTO and RPO (s; NULL
 * when no outage measured one); feasible, pareto and recommended 1/0; binding the first target
 * missed ("feasible" when none). One row per commitment of a candidate in opt_commitments
 * (report_opt_commitments): kind "reserved" (instance_type, region, count, payment) or
 * "savings_plan" (plan "compute" or "instance_family", the latter with family and region);
 * term "1y"/"3y"; usd_hourly the whole commitment's USD per hour; utilization and coverage
 * fractions and breakeven_months (Inf when the usage never pays it back) NULL where not
 * measured (the scenario as written's own commitments). */
static const char opt_schema[] =
	"CREATE TABLE IF NOT EXISTS opt_runs ("
	" run_id INTEGER PRIMARY KEY REFERENCES runs(id),"
	" objective TEXT NOT NULL,"
	" replications INTEGER NOT NULL, final_replications INTEGER NOT NULL,"
	" candidates_evaluated INTEGER, replications_simulated INTEGER,"
	" recommended INTEGER, binding TEXT, why TEXT);\n"
	"CREATE TABLE IF NOT EXISTS opt_candidates ("
	" run_id INTEGER NOT NULL REFERENCES runs(id),"
	" id INTEGER NOT NULL, role TEXT NOT NULL, stage INTEGER, replications INTEGER,"
	" pruned INTEGER, mix TEXT NOT NULL, reserved_instances INTEGER,"
	" savings_plan_usd_hourly REAL,"
	" cost_monthly_usd REAL, cost_ci95_low REAL, cost_ci95_high REAL, cost_p90_usd REAL,"
	" unused_commitment_usd REAL,"
	" availability REAL, availability_ci95_low REAL, availability_ci95_high REAL,"
	" latency_s REAL, latency_ci95_low REAL, latency_ci95_high REAL,"
	" rto_s REAL, rto_ci95_low REAL, rto_ci95_high REAL,"
	" rpo_s REAL, rpo_ci95_low REAL, rpo_ci95_high REAL,"
	" feasible INTEGER NOT NULL, binding TEXT NOT NULL, pareto INTEGER NOT NULL,"
	" recommended INTEGER NOT NULL,"
	" PRIMARY KEY (run_id, id));\n"
	"CREATE TABLE IF NOT EXISTS opt_commitments ("
	" run_id INTEGER NOT NULL REFERENCES runs(id),"
	" candidate_id INTEGER NOT NULL,"
	" kind TEXT NOT NULL, instance_type TEXT, plan TEXT, family TEXT, region TEXT,"
	" count INTEGER, term TEXT, payment TEXT, usd_hourly REAL,"
	" utilization REAL, coverage REAL, breakeven_months REAL,"
	" FOREIGN KEY (run_id, candidate_id) REFERENCES opt_candidates(run_id, id));\n"
	"CREATE INDEX IF NOT EXISTS opt_commitments_run_id ON opt_commitments(run_id);\n";

/* The timeseries table has one REAL column per run_ts_name, so its DDL and INSERT are built
 * from that table (the names are identifiers of ours, not input). */
static const char ts_create_head[] =
	"CREATE TABLE IF NOT EXISTS timeseries ("
	" run_id INTEGER NOT NULL REFERENCES runs(id),"
	" time_s REAL NOT NULL, region TEXT NOT NULL, tier TEXT NOT NULL";

struct db {
	sqlite3 *h;
	const char *path;
	char *err;
	size_t errlen;
};

/* Records sqlite's message for the call that just failed with code rc. */
static int db_fail(struct db *d, int rc)
{
	if (d->err && d->errlen)
		snprintf(d->err, d->errlen, "%s: %s", d->path,
			 d->h ? sqlite3_errmsg(d->h) : sqlite3_errstr(rc));
	return (rc & 0xff) == SQLITE_NOMEM ? CAPSIM_ENOMEM : CAPSIM_EIO;
}

static int db_exec(struct db *d, const char *sql)
{
	int rc = sqlite3_exec(d->h, sql, NULL, NULL, NULL);
	return rc == SQLITE_OK ? 0 : db_fail(d, rc);
}

static int db_prepare(struct db *d, const char *sql, sqlite3_stmt **st)
{
	int rc = sqlite3_prepare_v2(d->h, sql, -1, st, NULL);
	return rc == SQLITE_OK ? 0 : db_fail(d, rc);
}

/* Runs an INSERT whose parameters are bound, and readies it for the next row. */
static int db_step(struct db *d, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);
	rc = rc == SQLITE_DONE ? 0 : db_fail(d, rc);   /* the message before reset */
	sqlite3_reset(st);
	return rc;
}

static void bind_real(sqlite3_stmt *st, int i, double x)
{
	if (isnan(x))
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_double(st, i, x);
}

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

/* Binds mean, ci95_low, ci95_high, p5, p50, p95 from parameter i on. */
static void bind_stat(sqlite3_stmt *st, int i, const struct run_stat *s)
{
	bind_real(st, i, s->mean);
	bind_real(st, i + 1, s->ci95_low);
	bind_real(st, i + 2, s->ci95_high);
	bind_real(st, i + 3, s->p5);
	bind_real(st, i + 4, s->p50);
	bind_real(st, i + 5, s->p95);
}

/* The upgrade of timeseries: adds the run_ts_name columns it lacks (a version-1 table has the
 * fields up to cost_per_hour), so rows already there read NULL in them. Looks at the table
 * rather than at the version, so any older table gets exactly what it misses. */
static int add_ts_columns(struct db *d)
{
	sqlite3_stmt *st = NULL;
	int have[RUN_TS_NFIELDS] = { 0 };
	char sql[128];
	int rc, src;

	if ((rc = db_prepare(d, "SELECT name FROM pragma_table_info('timeseries')", &st)) != 0)
		return rc;
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);
		for (int k = 0; name && k < RUN_TS_NFIELDS; k++)
			if (strcmp(name, run_ts_name[k]) == 0)
				have[k] = 1;
	}
	rc = src == SQLITE_DONE ? 0 : db_fail(d, src);
	sqlite3_finalize(st);
	for (int k = 0; rc == 0 && k < RUN_TS_NFIELDS; k++) {
		if (have[k])
			continue;
		snprintf(sql, sizeof sql, "ALTER TABLE timeseries ADD COLUMN %s REAL", run_ts_name[k]);
		rc = db_exec(d, sql);
	}
	return rc;
}

/* Creates what is missing of the schema (the optimiser's tables too when with_opt) and
 * upgrades an older one to DB_SCHEMA_VERSION; refuses a newer one than this capsim's. Inside the append's transaction, so a failed append
 * leaves the old schema too. */
static int ensure_schema(struct db *d, int with_opt)
{
	sqlite3_stmt *st = NULL;
	char sql[1024];
	size_t n;
	int rc, version;

	if ((rc = db_prepare(d, "PRAGMA user_version", &st)) != 0)
		return rc;
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		rc = db_fail(d, rc);
		sqlite3_finalize(st);
		return rc;
	}
	version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (version > DB_SCHEMA_VERSION) {
		if (d->err && d->errlen)
			snprintf(d->err, d->errlen, "%s: results database schema version %d is newer "
				 "than this capsim's (%d)", d->path, version, DB_SCHEMA_VERSION);
		return CAPSIM_EIO;
	}

	n = (size_t)snprintf(sql, sizeof sql, "%s", ts_create_head);
	for (int k = 0; k < RUN_TS_NFIELDS; k++)
		n += (size_t)snprintf(sql + n, sizeof sql - n, ", %s REAL", run_ts_name[k]);
	n += (size_t)snprintf(sql + n, sizeof sql - n, ");");
	CAPSIM_ASSERT(n < sizeof sql);
	if ((rc = db_exec(d, sql)) != 0 || (rc = db_exec(d, schema)) != 0)
		return rc;
	if (version < 2 && (rc = add_ts_columns(d)) != 0)
		return rc;
	/* A runs table made before version 4 (CREATE TABLE IF NOT EXISTS left it as it was). */
	if (version >= 1 && version < 4 &&
	    (rc = db_exec(d, "ALTER TABLE runs ADD COLUMN command TEXT;"
			  " ALTER TABLE runs ADD COLUMN part TEXT;")) != 0)
		return rc;
	/* And one made before version 5: only a run's and an optimisation's rows are known to
	 * be their command's only one (see DB_SCHEMA_VERSION). */
	if (version >= 1 && version < 5 &&
	    (rc = db_exec(d, "ALTER TABLE runs ADD COLUMN batch INTEGER REFERENCES runs(id);"
			  " UPDATE runs SET batch = id WHERE command IN ('run', 'optimize');")) != 0)
		return rc;
	if (with_opt && (rc = db_exec(d, opt_schema)) != 0)
		return rc;
	if (version < DB_SCHEMA_VERSION) {
		snprintf(sql, sizeof sql, "PRAGMA user_version = %d", DB_SCHEMA_VERSION);
		rc = db_exec(d, sql);
	}
	return rc;
}

/* The runs row of a run or an optimisation: negative counts and NaN are stored as NULL. */
struct run_row {
	const struct scenario *sc;
	uint64_t seed, reps;
	int64_t threads, events_dropped;
	double bucket;
	const char *command;   /* when the meta names none: "run" or "optimize" */
};

static void bind_count(sqlite3_stmt *st, int i, int64_t n)
{
	if (n < 0)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_int64(st, i, n);
}

static int insert_run(struct db *d, const struct run_row *r, const struct run_meta *m,
		      int64_t *run_id)
{
	sqlite3_stmt *st = NULL;
	char started[32];
	struct tm tm;
	int rc;

	rc = db_prepare(d, "INSERT INTO runs (scenario, scenario_path, scenario_sha256, seed,"
			" replications, threads, version, args, started_utc, elapsed_s, horizon_s,"
			" step_s, bucket_s, events_dropped, command, part, batch)"
			" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15,"
			" ?16, ?17)", &st);
	if (rc)
		return rc;
	bind_text(st, 1, r->sc->name);
	bind_text(st, 2, m ? m->scenario_path : NULL);
	bind_text(st, 3, m ? m->scenario_sha256 : NULL);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)r->seed);   /* same bits; see schema */
	sqlite3_bind_int64(st, 5, (sqlite3_int64)r->reps);
	bind_count(st, 6, r->threads);
	bind_text(st, 7, m ? m->version : NULL);
	bind_text(st, 8, m ? m->args : NULL);
	if (m && gmtime_r(&m->started, &tm) && strftime(started, sizeof started,
							"%Y-%m-%dT%H:%M:%SZ", &tm) > 0)
		bind_text(st, 9, started);
	else
		sqlite3_bind_null(st, 9);
	bind_real(st, 10, m ? m->elapsed : NAN);
	bind_real(st, 11, r->sc->horizon);
	bind_real(st, 12, r->sc->step);
	bind_real(st, 13, r->bucket);
	bind_count(st, 14, r->events_dropped);
	bind_text(st, 15, m && m->command ? m->command : r->command);
	bind_text(st, 16, m ? m->part : NULL);
	/* A command's first run links to itself, once its id is known. */
	if (m && m->batch > 0)
		sqlite3_bind_int64(st, 17, m->batch);
	else
		sqlite3_bind_null(st, 17);
	rc = db_step(d, st);
	sqlite3_finalize(st);
	if (rc)
		return rc;
	*run_id = sqlite3_last_insert_rowid(d->h);
	if (m && m->batch > 0)
		return 0;
	if ((rc = db_prepare(d, "UPDATE runs SET batch = id WHERE id = ?1", &st)) != 0)
		return rc;
	sqlite3_bind_int64(st, 1, *run_id);
	rc = db_step(d, st);
	sqlite3_finalize(st);
	return rc;
}

static int insert_metrics(struct db *d, const struct run_result *r, int64_t id)
{
	sqlite3_stmt *st = NULL;
	int rc = db_prepare(d, "INSERT INTO metrics (run_id, metric, unit, mean, ci95_low,"
			    " ci95_high, p5, p50, p95) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
			    &st);
	for (size_t i = 0; rc == 0 && i < r->nmetrics; i++) {
		const struct run_metric *m = &r->metrics[i];
		sqlite3_bind_int64(st, 1, id);
		bind_text(st, 2, m->name);
		bind_text(st, 3, m->unit);
		bind_stat(st, 4, &m->stat);
		rc = db_step(d, st);
	}
	sqlite3_finalize(st);
	return rc;
}

static int insert_timeseries(struct db *d, const struct run_result *r, int64_t id)
{
	sqlite3_stmt *st = NULL;
	char sql[1024];
	size_t n;
	int rc;

	n = (size_t)snprintf(sql, sizeof sql, "INSERT INTO timeseries (run_id, time_s, region, tier");
	for (int k = 0; k < RUN_TS_NFIELDS; k++)
		n += (size_t)snprintf(sql + n, sizeof sql - n, ", %s", run_ts_name[k]);
	n += (size_t)snprintf(sql + n, sizeof sql - n, ") VALUES (?, ?, ?, ?");
	for (int k = 0; k < RUN_TS_NFIELDS; k++)
		n += (size_t)snprintf(sql + n, sizeof sql - n, ", ?");
	n += (size_t)snprintf(sql + n, sizeof sql - n, ")");
	CAPSIM_ASSERT(n < sizeof sql);

	rc = db_prepare(d, sql, &st);
	for (size_t b = 0; rc == 0 && b < r->nbuckets; b++)
		for (size_t s = 0; rc == 0 && s < r->nseries; s++) {
			sqlite3_bind_int64(st, 1, id);
			bind_real(st, 2, (double)b * r->bucket);
			bind_text(st, 3, report_region_name(r, r->series[s].region));
			bind_text(st, 4, report_tier_name(r, r->series[s].tier));
			for (int k = 0; k < RUN_TS_NFIELDS; k++)
				bind_real(st, 5 + k, run_ts(r, b, s, (enum run_ts_field)k));
			rc = db_step(d, st);
		}
	sqlite3_finalize(st);
	return rc;
}

static int insert_costs(struct db *d, const struct run_result *r, int64_t id)
{
	sqlite3_stmt *st = NULL;
	int rc = db_prepare(d, "INSERT INTO costs (run_id, month, region, tier, purchase_option,"
			    " mean_usd, ci95_low, ci95_high, p5, p50, p95)"
			    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)", &st);
	for (size_t i = 0; rc == 0 && i < r->ncosts; i++) {
		const struct run_cost *c = &r->costs[i];
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int(st, 2, c->month + 1);
		bind_text(st, 3, report_region_name(r, c->region));
		bind_text(st, 4, report_tier_name(r, c->tier));
		bind_text(st, 5, c->option ? c->option : "");
		bind_stat(st, 6, &c->stat);
		rc = db_step(d, st);
	}
	sqlite3_finalize(st);
	return rc;
}

static int insert_bills(struct db *d, const struct run_result *r, int64_t id)
{
	sqlite3_stmt *st = NULL;
	int rc = db_prepare(d, "INSERT INTO bills (run_id, month, mean_usd, p10, p50, p90, p95)"
			    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)", &st);
	for (size_t i = 0; rc == 0 && i < r->nbills; i++) {
		const struct run_bill *b = &r->bills[i];
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int(st, 2, b->month + 1);
		bind_real(st, 3, b->mean);
		bind_real(st, 4, b->p10);
		bind_real(st, 5, b->p50);
		bind_real(st, 6, b->p90);
		bind_real(st, 7, b->p95);
		rc = db_step(d, st);
	}
	sqlite3_finalize(st);
	return rc;
}

static int insert_events(struct db *d, const struct run_result *r, int64_t id)
{
	sqlite3_stmt *st = NULL;
	int rc = db_prepare(d, "INSERT INTO events (run_id, replication, time_s, region, tier,"
			    " kind, value, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)", &st);
	for (size_t i = 0; rc == 0 && i < r->nevents; i++) {
		const struct run_event *e = &r->events[i];
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)e->rep);
		bind_real(st, 3, e->time);
		bind_text(st, 4, e->region >= 0 ? report_region_name(r, e->region) : NULL);
		bind_text(st, 5, e->tier >= 0 ? report_tier_name(r, e->tier) : NULL);
		bind_text(st, 6, e->kind);
		bind_real(st, 7, e->value);
		bind_text(st, 8, e->detail);
		rc = db_step(d, st);
	}
	sqlite3_finalize(st);
	return rc;
}

/* Opens db_path (created when missing) and begins the append's transaction. On failure the
 * caller still calls db_finish. */
static int db_begin(struct db *d)
{
	int rc = sqlite3_open_v2(d->path, &d->h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	if (rc != SQLITE_OK)
		return db_fail(d, rc);
	/* Another capsim appending at the same moment holds the write lock for well under a
	 * second; wait for it rather than fail. */
	sqlite3_busy_timeout(d->h, 5000);
	/* foreign_keys is a per-connection setting and a no-op inside a transaction. */
	if ((rc = db_exec(d, "PRAGMA foreign_keys = ON")) != 0 ||
	    (rc = db_exec(d, "BEGIN IMMEDIATE")) != 0)
		return rc;
	return 0;
}

/* Commits when rc is 0; otherwise (or when the COMMIT fails) rolls everything back. Closes the
 * database and returns the outcome. */
static int db_finish(struct db *d, int rc)
{
	if (rc == 0 && d->h)
		rc = db_exec(d, "COMMIT");
	/* A failed COMMIT may leave the transaction open; any failure rolls it all back. */
	if (rc && d->h && !sqlite3_get_autocommit(d->h))
		sqlite3_exec(d->h, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(d->h);
	d->h = NULL;
	return rc;
}

int report_db_append(const char *db_path, const struct run_result *r, const struct run_meta *m,
		     int64_t *run_id, char *err, size_t errlen)
{
	struct db d = { NULL, db_path, err, errlen };
	struct run_row row = { r->sc, r->seed, r->reps, (int64_t)r->threads,
			       (int64_t)r->events_dropped, r->bucket, "run" };
	int64_t id = 0;
	int rc;

	if ((rc = db_begin(&d)) == 0 &&
	    (rc = ensure_schema(&d, 0)) == 0 &&
	    (rc = insert_run(&d, &row, m, &id)) == 0 &&
	    (rc = insert_metrics(&d, r, id)) == 0 &&
	    (rc = insert_timeseries(&d, r, id)) == 0 &&
	    (rc = insert_costs(&d, r, id)) == 0 &&
	    (rc = insert_bills(&d, r, id)) == 0)
		rc = insert_events(&d, r, id);
	rc = db_finish(&d, rc);
	if (rc == 0 && run_id)
		*run_id = id;
	return rc;
}

/* ---- capsim optimize ---- */

static const char *const term_key[CATALOG_NTERMS] = { "1y", "3y" };
static const char *const payment_key[CATALOG_NPAYMENTS] = { "no_upfront", "partial_upfront",
							    "all_upfront" };
static const char *const plan_key[CATALOG_NPLANS] = { "compute", "instance_family" };

static void bind_key(sqlite3_stmt *st, int i, const char *const *names, int n, int k)
{
	bind_text(st, i, k >= 0 && k < n ? names[k] : NULL);
}

static int insert_opt_run(struct db *d, const struct opt_result *r, int64_t id)
{
	sqlite3_stmt *st = NULL;
	int rc = db_prepare(d, "INSERT INTO opt_runs (run_id, objective, replications,"
			    " final_replications, candidates_evaluated, replications_simulated,"
			    " recommended, binding, why) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
			    &st);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	bind_text(st, 2, r->objective == SCENARIO_OBJ_P90 ? "p90" : "mean");
	sqlite3_bind_int64(st, 3, (sqlite3_int64)r->reps);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)r->final_reps);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)r->evaluated);
	sqlite3_bind_int64(st, 6, (sqlite3_int64)r->simulated_reps);
	if (r->best >= 0) {
		sqlite3_bind_int64(st, 7, r->best + 1);
		sqlite3_bind_null(st, 8);
		sqlite3_bind_null(st, 9);
	} else {
		sqlite3_bind_null(st, 7);
		bind_text(st, 8, opt_constraint_name(r->binding));
		bind_text(st, 9, r->why);
	}
	rc = db_step(d, st);
	sqlite3_finalize(st);
	return rc;
}

/* Binds mean, ci95_low, ci95_high from parameter i on, or NULLs when not measured. */
static void bind_ci(sqlite3_stmt *st, int i, const struct run_stat *s, int measured)
{
	bind_real(st, i, measured ? s->mean : NAN);
	bind_real(st, i + 1, measured ? s->ci95_low : NAN);
	bind_real(st, i + 2, measured ? s->ci95_high : NAN);
}

static int insert_opt_candidates(struct db *d, const struct opt_result *r, int64_t id)
{
	sqlite3_stmt *st = NULL;
	int rc = db_prepare(d, "INSERT INTO opt_candidates (run_id, id, role, stage, replications,"
			    " pruned, mix, reserved_instances, savings_plan_usd_hourly,"
			    " cost_monthly_usd, cost_ci95_low, cost_ci95_high, cost_p90_usd,"
			    " unused_commitment_usd, availability, availability_ci95_low,"
			    " availability_ci95_high, latency_s, latency_ci95_low, latency_ci95_high,"
			    " rto_s, rto_ci95_low, rto_ci95_high, rpo_s, rpo_ci95_low, rpo_ci95_high,"
			    " feasible, binding, pareto, recommended) VALUES (?1, ?2, ?3, ?4, ?5, ?6,"
			    " ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21,"
			    " ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30)", &st);
	for (size_t i = 0; rc == 0 && i < r->n; i++) {
		const struct opt_candidate *c = &r->c[i];
		struct report_opt_commit *a = NULL;
		size_t n = 0;
		int64_t reserved = 0;
		double sp = 0;
		char *mix = report_opt_mix_text(r, i);
		if (!mix || report_opt_commitments(r, i, &a, &n) != 0) {
			free(mix);
			rc = CAPSIM_ENOMEM;
			if (d->err && d->errlen)
				snprintf(d->err, d->errlen, "%s: %s", d->path, capsim_strerror(rc));
			break;
		}
		for (size_t k = 0; k < n; k++) {
			if (a[k].savings_plan)
				sp += a[k].usd_hourly;
			else
				reserved += a[k].count;
		}
		free(a);
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)i + 1);
		bind_text(st, 3, opt_role_name(c->role));
		sqlite3_bind_int(st, 4, c->stage);
		sqlite3_bind_int64(st, 5, (sqlite3_int64)c->reps);
		sqlite3_bind_int(st, 6, c->pruned != 0);
		sqlite3_bind_text(st, 7, mix, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 8, reserved);
		bind_real(st, 9, sp);
		bind_ci(st, 10, &c->cost, 1);
		bind_real(st, 13, c->cost_p90);
		bind_real(st, 14, c->unused_commitment);
		bind_ci(st, 15, &c->availability, 1);
		bind_ci(st, 18, &c->latency, 1);
		bind_ci(st, 21, &c->rto, c->has_rto);
		bind_ci(st, 24, &c->rpo, c->has_rpo);
		sqlite3_bind_int(st, 27, c->binding == OPT_FEASIBLE);
		bind_text(st, 28, opt_constraint_name(c->binding));
		sqlite3_bind_int(st, 29, c->pareto != 0);
		sqlite3_bind_int(st, 30, (long)i == r->best);
		free(mix);
		rc = db_step(d, st);
	}
	sqlite3_finalize(st);
	return rc;
}

static int insert_opt_commitments(struct db *d, const struct opt_result *r, int64_t id)
{
	const struct scenario *sc = r->sc;
	sqlite3_stmt *st = NULL;
	int rc = db_prepare(d, "INSERT INTO opt_commitments (run_id, candidate_id, kind,"
			    " instance_type, plan, family, region, count, term, payment, usd_hourly,"
			    " utilization, coverage, breakeven_months) VALUES (?1, ?2, ?3, ?4, ?5,"
			    " ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)", &st);
	for (size_t i = 0; rc == 0 && i < r->n; i++) {
		struct report_opt_commit *a;
		size_t n;
		if (report_opt_commitments(r, i, &a, &n) != 0) {
			rc = CAPSIM_ENOMEM;
			if (d->err && d->errlen)
				snprintf(d->err, d->errlen, "%s: %s", d->path, capsim_strerror(rc));
			break;
		}
		for (size_t k = 0; rc == 0 && k < n; k++) {
			const struct report_opt_commit *x = &a[k];
			sqlite3_bind_int64(st, 1, id);
			sqlite3_bind_int64(st, 2, (sqlite3_int64)i + 1);
			bind_text(st, 3, x->savings_plan ? "savings_plan" : "reserved");
			bind_text(st, 4, x->instance_type >= 0
					 ? sc->instance_types[x->instance_type].name : NULL);
			if (x->savings_plan)
				bind_key(st, 5, plan_key, CATALOG_NPLANS, x->plan);
			else
				sqlite3_bind_null(st, 5);
			bind_text(st, 6, x->family);
			bind_text(st, 7, x->region >= 0 ? sc->regions[x->region].name : NULL);
			if (x->savings_plan)
				sqlite3_bind_null(st, 8);
			else
				sqlite3_bind_int(st, 8, x->count);
			bind_key(st, 9, term_key, CATALOG_NTERMS, x->term);
			bind_key(st, 10, payment_key, CATALOG_NPAYMENTS, x->payment);
			bind_real(st, 11, x->usd_hourly);
			bind_real(st, 12, x->utilization);
			bind_real(st, 13, x->coverage);
			bind_real(st, 14, x->breakeven_months);
			rc = db_step(d, st);
		}
		free(a);
	}
	sqlite3_finalize(st);
	return rc;
}

int report_db_append_optimize(const char *db_path, const struct opt_result *r,
			      const struct run_meta *m, int64_t *run_id, char *err, size_t errlen)
{
	struct db d = { NULL, db_path, err, errlen };
	/* The final replications: those of the recommendation and the baselines. */
	struct run_row row = { r->sc, r->seed, r->final_reps, -1, -1, NAN, "optimize" };
	int64_t id = 0;
	int rc;

	if ((rc = db_begin(&d)) == 0 &&
	    (rc = ensure_schema(&d, 1)) == 0 &&
	    (rc = insert_run(&d, &row, m, &id)) == 0 &&
	    (rc = insert_opt_run(&d, r, id)) == 0 &&
	    (rc = insert_opt_candidates(&d, r, id)) == 0)
		rc = insert_opt_commitments(&d, r, id);
	rc = db_finish(&d, rc);
	if (rc == 0 && run_id)
		*run_id = id;
	return rc;
}
