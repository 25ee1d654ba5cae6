/* The hand-made run, temporary folders and the readers (CSV, SQLite, gnuplot tables) shared by
 * the report tests. */
#include "tests/reports/fake.h"

#include <criterion/criterion.h>
#include <csv.h>
#include <dirent.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Pool s serves tier s / 2 in region s % 2; series 4 and 5 are the regions' chains. */
static long series_tier(size_t s)
{
	return s < 4 ? (long)(s / 2) : -1;
}

static size_t series_region(size_t s)
{
	return s < 4 ? s % 2 : s - 4;
}

double fake_ts(size_t b, size_t s, int k)
{
	double hour = (double)(b % 24);
	size_t reg = series_region(s);
	/* User requests/s entering the region: a daily sine peaking at 19:00. */
	double user = (reg == 0 ? 600.0 : 400.0) * (1.0 + 0.5 * sin(2.0 * 3.14159265358979323846 * (hour - 13.0) / 24.0));
	double demand, capacity, instances, cost, reserved, sp, od, spot;
	if (s < 4) {
		double visits = series_tier(s) == 0 ? 1.0 : 2.0;
		cost = (double)(s + 1) * (hour < 12 ? 1.0 : 2.0);   /* USD/h */
		instances = cost / 0.25;                             /* at 0.25 USD/h each */
		demand = user * visits;
		capacity = instances * 200.0;
		reserved = 2.0 * (double)(s + 1);
		sp = (double)(s + 1);
		od = instances / 4.0;
		spot = instances - reserved - sp - od;
	} else {
		demand = user;
		capacity = INFINITY;
		instances = cost = reserved = sp = od = spot = 0.0;
		for (size_t p = reg; p < 4; p += 2) {
			capacity = fmin(capacity, fake_ts(b, p, RUN_TS_CAPACITY) / (p < 2 ? 1.0 : 2.0));
			instances += fake_ts(b, p, RUN_TS_INSTANCES);
			cost += fake_ts(b, p, RUN_TS_COST_RATE);
			reserved += fake_ts(b, p, RUN_TS_PAID_RESERVED);
			sp += fake_ts(b, p, RUN_TS_PAID_SAVINGS_PLAN);
			od += fake_ts(b, p, RUN_TS_PAID_ON_DEMAND);
			spot += fake_ts(b, p, RUN_TS_PAID_SPOT);
		}
	}
	double util = fmin(1.0, demand / capacity);
	switch (k) {
	case RUN_TS_DEMAND: return demand;
	case RUN_TS_CAPACITY: return capacity;
	case RUN_TS_INSTANCES: return instances;
	case RUN_TS_IN_SERVICE: return instances - (b % 24 == 12 ? 1.0 : 0.0);
	case RUN_TS_UTILIZATION: return util;
	case RUN_TS_WAIT_PROB: return pow(util, 4.0);
	case RUN_TS_P99: return 0.05 + 0.6 * pow(util, 8.0);
	case RUN_TS_SERVED: return fmin(demand, capacity);
	case RUN_TS_FAILED: return demand - fmin(demand, capacity);
	case RUN_TS_COST_RATE: return cost;
	case RUN_TS_PAID_ON_DEMAND: return od;
	case RUN_TS_PAID_SPOT: return spot;
	case RUN_TS_PAID_RESERVED: return reserved;
	case RUN_TS_PAID_SAVINGS_PLAN: return sp;
	}
	return NAN;
}

double fake_bill(int m, int field)
{
	static const double offset[] = { 0.0, -800.0, -50.0, 900.0, 1300.0 };
	return 10000.0 + 500.0 * m + offset[field];
}

static struct run_bill mkbill(int m)
{
	return (struct run_bill){ m, fake_bill(m, 0), fake_bill(m, 1), fake_bill(m, 2),
				  fake_bill(m, 3), fake_bill(m, 4) };
}

void fake_set_months(struct fake *f, int months, double last)
{
	f->sc.horizon = ((double)(months - 1) + last) * SCENARIO_MONTH;
	f->r.bucket = f->sc.horizon / FAKE_NBUCKETS;
	f->r.bills = realloc(f->r.bills, (size_t)months * sizeof *f->r.bills);
	cr_assert_not_null(f->r.bills);
	for (int m = 0; m < months; m++)
		f->r.bills[m] = mkbill(m);
	f->r.nbills = (size_t)months;
}

static struct run_stat mkstat(double mean, double halfwidth)
{
	return (struct run_stat){ mean, mean - halfwidth, mean + halfwidth,
				  mean - 1.5 * halfwidth, mean, mean + 1.5 * halfwidth };
}

static void add_metric(struct run_result *r, const char *name, const char *unit,
		       struct run_stat st)
{
	struct run_metric *m = &r->metrics[r->nmetrics++];
	snprintf(m->name, sizeof m->name, "%s", name);
	snprintf(m->unit, sizeof m->unit, "%s", unit);
	m->stat = st;
}

void fake_init(struct fake *f)
{
	memset(f, 0, sizeof *f);
	struct scenario *sc = &f->sc;
	sc->name = (char *)"shop";
	sc->version = SCENARIO_VERSION;
	sc->horizon = FAKE_HORIZON;
	sc->step = 60.0;
	sc->seed = 42;
	sc->replications = 20;
	sc->has_slo = 1;
	sc->slo = (struct scenario_slo){ 0.999, 99.0, 0.5 };
	sc->budget_monthly = 25000.0;
	f->regions[0].name = (char *)"eu-west-1";
	f->regions[1].name = (char *)"us-east-1";
	sc->regions = f->regions;
	sc->nregions = 2;
	f->tiers[0].name = (char *)"web";
	f->tiers[1].name = (char *)"app";
	f->tiers[0].calls = 1;
	f->tiers[1].calls = -1;
	sc->tiers = f->tiers;
	sc->ntiers = 2;

	struct run_result *r = &f->r;
	r->sc = sc;
	r->seed = 42;
	r->reps = 20;
	r->threads = 2;

	r->metrics = calloc(64, sizeof *r->metrics);
	cr_assert_not_null(r->metrics);
	add_metric(r, "availability", "fraction", mkstat(0.99951, 0.0001));
	add_metric(r, "latency_slo_steps", "fraction", mkstat(0.982, 0.004));
	add_metric(r, "error_budget_burn", "ratio", mkstat(0.49, 0.1));
	add_metric(r, "requests_offered", "requests", mkstat(2.59e8, 1e6));
	add_metric(r, "requests_failed", "requests", mkstat(1.27e5, 2e4));
	add_metric(r, "requests_timed_out", "requests", mkstat(3.1e4, 5e3));
	add_metric(r, "latency_p99", "s", mkstat(0.231, 0.02));
	add_metric(r, "cost_total", "USD", mkstat(1234.5, 10.0));
	add_metric(r, "cost_monthly", "USD", mkstat(12345.67, 100.0));
	add_metric(r, "cost_per_million", "USD", mkstat(4.77, 0.05));
	add_metric(r, "budget_exceeded", "fraction", mkstat(0.05, 0.05));
	add_metric(r, "instance_hours", "h", mkstat(1728.0, 3.0));
	add_metric(r, "scaling_actions", "count", mkstat(14.0, 2.0));
	/* By purchase option: 600 + 300 + 200 + 84.5 + 50 = 1234.5 = cost_total, and
	 * 400 + 900 + 300 + 128 = 1728 h = instance_hours. */
	add_metric(r, "cost.option.on_demand", "USD", mkstat(600.0, 6.0));
	add_metric(r, "cost.option.spot", "USD", mkstat(300.0, 3.0));
	add_metric(r, "cost.option.reserved", "USD", mkstat(200.0, 0.0));
	add_metric(r, "cost.option.savings_plan", "USD", mkstat(84.5, 0.0));
	add_metric(r, "cost.option.unused_commitment", "USD", mkstat(50.0, 5.0));
	add_metric(r, "instance_hours.on_demand", "h", mkstat(400.0, 4.0));
	add_metric(r, "instance_hours.spot", "h", mkstat(900.0, 9.0));
	add_metric(r, "instance_hours.reserved", "h", mkstat(300.0, 0.0));
	add_metric(r, "instance_hours.savings_plan", "h", mkstat(128.0, 0.0));
	/* Savings whose interval reaches below zero. */
	add_metric(r, "savings_monthly_vs_on_demand", "USD", mkstat(1500.0, 2000.0));
	add_metric(r, "savings_vs_on_demand", "fraction", mkstat(0.08, 0.1));
	add_metric(r, "availability_all_on_demand", "fraction", mkstat(0.99972, 0.00005));
	add_metric(r, "latency_p99_all_on_demand", "s", mkstat(0.2, 0.01));
	add_metric(r, "spot_interruptions", "count", mkstat(12.5, 3.0));
	add_metric(r, "spot_reclaims", "count", mkstat(1.5, 0.5));
	add_metric(r, "spot_fallbacks_to_on_demand", "count", mkstat(0.75, 0.5));
	add_metric(r, "ri_utilization", "fraction", mkstat(0.93, 0.02));
	add_metric(r, "ri_coverage", "fraction", mkstat(0.41, 0.03));
	add_metric(r, "sp_utilization", "fraction", mkstat(0.97, 0.01));
	add_metric(r, "sp_coverage", "fraction", mkstat(0.22, 0.02));
	add_metric(r, "cost.tier.web", "USD", mkstat(300.0, 3.0));
	add_metric(r, "cost.tier.app", "USD", mkstat(700.0, 7.0));
	add_metric(r, "cost.region.eu-west-1", "USD", mkstat(400.0, 4.0));
	add_metric(r, "cost.region.us-east-1", "USD", mkstat(600.0, 6.0));
	add_metric(r, "utilization.web.eu-west-1", "fraction", mkstat(0.61, 0.01));
	/* With one replication nothing but the mean exists. */
	add_metric(r, "rto", "s", (struct run_stat){ 42.0, NAN, NAN, NAN, NAN, NAN });

	r->bucket = FAKE_BUCKET;
	r->nbuckets = FAKE_NBUCKETS;
	r->nseries = FAKE_NSERIES;
	r->series = calloc(FAKE_NSERIES, sizeof *r->series);
	r->ts = calloc(FAKE_NBUCKETS * FAKE_NSERIES * RUN_TS_NFIELDS, sizeof *r->ts);
	cr_assert(r->series && r->ts);
	for (size_t s = 0; s < FAKE_NSERIES; s++)
		r->series[s] = (struct run_series){ series_tier(s), series_region(s) };
	for (size_t b = 0; b < FAKE_NBUCKETS; b++)
		for (size_t s = 0; s < FAKE_NSERIES; s++)
			for (int k = 0; k < RUN_TS_NFIELDS; k++)
				r->ts[(b * FAKE_NSERIES + s) * RUN_TS_NFIELDS + k] = fake_ts(b, s, k);

	r->costs = calloc(FAKE_NCOSTS, sizeof *r->costs);
	cr_assert_not_null(r->costs);
	for (size_t p = 0; p < 4; p++)
		r->costs[p] = (struct run_cost){ 0, (long)(p % 2), (long)(p / 2), "on_demand",
						 mkstat(36.0 * 3 * (double)(p + 1), 1.0) };
	r->costs[4] = (struct run_cost){ 0, 0, 0, "spot", mkstat(50.0, 2.0) };
	r->costs[5] = (struct run_cost){ 0, -1, -1, "unused_commitment", mkstat(50.0, 5.0) };
	r->ncosts = FAKE_NCOSTS;

	r->bills = calloc(FAKE_NBILLS, sizeof *r->bills);
	cr_assert_not_null(r->bills);
	r->bills[0] = mkbill(0);
	r->nbills = FAKE_NBILLS;

	r->events = calloc(FAKE_NEVENTS, sizeof *r->events);
	cr_assert_not_null(r->events);
	r->events[0] = (struct run_event){ 0, 3600.0, 0, 0, "scale_out", 5.0,
					   "target tracking: utilization 0.82 > 0.7" };
	r->events[1] = (struct run_event){ 0, 43200.0, -1, -1, "slo_breach_start", 1250.0,
					   "latency 0.7 s, \"p99\" above target" };
	r->events[2] = (struct run_event){ 1, 100.5, 1, 1, "scale_in", 2.0, " padded " };
	r->nevents = FAKE_NEVENTS;
}

void fake_release(struct fake *f)
{
	run_result_release(&f->r);
}

void fake_set_availability(struct fake *f, double mean, double lo, double hi)
{
	f->r.nmetrics = 0;
	add_metric(&f->r, "availability", "fraction",
		   (struct run_stat){ mean, lo, hi, lo, mean, hi });
}

char *fake_tmpdir(void)
{
	char *dir = strdup("/tmp/capsim-reports-XXXXXX");
	cr_assert_not_null(dir);
	cr_assert_not_null(mkdtemp(dir));
	return dir;
}

static void rmtree(const char *path)
{
	struct stat st;
	if (lstat(path, &st) != 0)
		return;
	if (S_ISDIR(st.st_mode)) {
		DIR *d = opendir(path);
		struct dirent *e;
		while (d && (e = readdir(d)))
			if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
				char *p = fake_path(path, e->d_name);
				rmtree(p);
				free(p);
			}
		if (d)
			closedir(d);
		rmdir(path);
	} else {
		unlink(path);
	}
}

void fake_rmtree(char *dir)
{
	rmtree(dir);
	free(dir);
}

char *fake_path(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = malloc(n);
	cr_assert_not_null(p);
	snprintf(p, n, "%s/%s", dir, name);
	return p;
}

char *fake_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 4096, n = 0, got;
	char *buf = malloc(cap);
	cr_assert_not_null(buf);
	while ((got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
		n += got;
		if (cap - n < 2) {
			buf = realloc(buf, cap *= 2);
			cr_assert_not_null(buf);
		}
	}
	fclose(f);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

static void on_field(void *s, size_t len, void *data)
{
	struct table *t = data;
	size_t row = t->nrows - 1;
	char *c = malloc(len + 1);
	cr_assert_not_null(c);
	memcpy(c, s ? s : "", len);
	c[len] = '\0';
	t->cell[row] = realloc(t->cell[row], (t->ncols[row] + 1) * sizeof **t->cell);
	cr_assert_not_null(t->cell[row]);
	t->cell[row][t->ncols[row]++] = c;
}

static void new_row(struct table *t)
{
	t->nrows++;
	t->ncols = realloc(t->ncols, t->nrows * sizeof *t->ncols);
	t->cell = realloc(t->cell, t->nrows * sizeof *t->cell);
	cr_assert(t->ncols && t->cell);
	t->ncols[t->nrows - 1] = 0;
	t->cell[t->nrows - 1] = NULL;
}

/* libcsv calls on_field for each field, then on_row; a row is opened lazily by the first
 * field, so on_row only marks that the next field starts a new one. */
struct reader {
	struct table *t;
	int need_row;
};

static void cb_field(void *s, size_t len, void *data)
{
	struct reader *rd = data;
	if (rd->need_row) {
		new_row(rd->t);
		rd->need_row = 0;
	}
	on_field(s, len, rd->t);
}

static void cb_row(int c, void *data)
{
	(void)c;
	struct reader *rd = data;
	if (rd->need_row)       /* a row with no field at all */
		new_row(rd->t);
	rd->need_row = 1;
}

void table_read(const char *path, struct table *t)
{
	size_t len;
	char *text = fake_slurp(path, &len);
	cr_assert_not_null(text, "%s: missing", path);
	memset(t, 0, sizeof *t);
	struct csv_parser p;
	struct reader rd = { t, 1 };
	cr_assert_eq(csv_init(&p, CSV_STRICT | CSV_STRICT_FINI), 0);
	cr_assert_eq(csv_parse(&p, text, len, cb_field, cb_row, &rd), len, "%s: %s", path,
		     csv_strerror(csv_error(&p)));
	cr_assert_eq(csv_fini(&p, cb_field, cb_row, &rd), 0, "%s: %s", path,
		     csv_strerror(csv_error(&p)));
	csv_free(&p);
	free(text);
}

void table_release(struct table *t)
{
	for (size_t i = 0; i < t->nrows; i++) {
		for (size_t j = 0; j < t->ncols[i]; j++)
			free(t->cell[i][j]);
		free(t->cell[i]);
	}
	free(t->cell);
	free(t->ncols);
	memset(t, 0, sizeof *t);
}

sqlite3 *fake_db_open(const char *path)
{
	sqlite3 *h;
	cr_assert_eq(sqlite3_open_v2(path, &h, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK, "%s",
		     path);
	return h;
}

sqlite3_int64 fake_db_int(sqlite3 *h, const char *sql)
{
	sqlite3_stmt *st;
	cr_assert_eq(sqlite3_prepare_v2(h, sql, -1, &st, NULL), SQLITE_OK, "%s: %s", sql,
		     sqlite3_errmsg(h));
	cr_assert_eq(sqlite3_step(st), SQLITE_ROW, "%s", sql);
	sqlite3_int64 v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

char *fake_db_dump(sqlite3 *h, const char *sql)
{
	sqlite3_stmt *st;
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	cr_assert_not_null(f);
	cr_assert_eq(sqlite3_prepare_v2(h, sql, -1, &st, NULL), SQLITE_OK, "%s: %s", sql,
		     sqlite3_errmsg(h));
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		for (int i = 0; i < sqlite3_column_count(st); i++) {
			const char *v = (const char *)sqlite3_column_text(st, i);
			fprintf(f, "%s%c", v ? v : "\\N",
				i + 1 == sqlite3_column_count(st) ? '\n' : '|');
		}
	/* An error midway would leave a dump cut short that could still compare equal. */
	cr_assert_eq(rc, SQLITE_DONE, "%s: %s", sql, sqlite3_errmsg(h));
	sqlite3_finalize(st);
	cr_assert_eq(fclose(f), 0);
	return out;
}

/* The number at *p (after blanks and a '$' of a cost format); *end past it, or p if none. */
static double table_number(char *p, char **end)
{
	char *q = p + strspn(p, " \t");
	q += *q == '$';
	double v = strtod(q, end);
	if (*end == q)
		*end = p;
	return v;
}

struct curve *fake_gnuplot_table(const char *dir, const char *name, size_t *ncurves)
{
	char cmd[1024];
	int len = snprintf(cmd, sizeof cmd, "cd '%s' && gnuplot -e \"outfile='/dev/null'; set table "
			   "'table.txt'; set format x '%%.12g'; set format y '%%.12g'\" %s.gp "
			   "2>gnuplot.err", dir, name);
	cr_assert(len > 0 && (size_t)len < sizeof cmd);
	cr_assert_eq(system(cmd), 0, "%s failed", cmd);
	char *path = fake_path(dir, "table.txt"), *text = fake_slurp(path, NULL);
	cr_assert_not_null(text, "%s missing", path);
	struct curve *c = calloc(FAKE_MAXCURVES, sizeof *c);
	cr_assert_not_null(c);
	size_t n = 0;
	for (char *p = text; *p; p += strcspn(p, "\n") + (p[strcspn(p, "\n")] ? 1 : 0)) {
		if (strncmp(p, "# Curve title: \"", 16) == 0 && n > 0) {
			size_t tlen = strcspn(p + 16, "\"");
			cr_assert_lt(tlen, sizeof c[n - 1].title, "%.*s", (int)tlen, p + 16);
			memcpy(c[n - 1].title, p + 16, tlen);
		} else if (strncmp(p, "# Curve ", 8) == 0) {
			/* "# Curve I of N, K points"; an untitled curve has no title line. */
			cr_assert_lt(n, FAKE_MAXCURVES);
			n++;
		} else if (*p != '#' && *p != '\n' && n > 0) {
			/* A point: at least x and y, then the type (i, o or u), which is no number.
			 * Points outside the ranges (type o) are kept. */
			struct curve *k = &c[n - 1];
			double v[4];
			int nv = 0;
			char *q = p, *end;
			while (nv < 4) {
				v[nv] = table_number(q, &end);
				if (end == q)
					break;
				nv++;
				q = end;
			}
			if (nv < 2)
				continue;
			cr_assert_lt(k->n, FAKE_MAXPOINTS);
			k->x[k->n] = v[0];
			k->y[k->n] = v[1];
			for (int i = 2; i < nv; i++)
				k->more[k->n][i - 2] = v[i];
			k->nv = nv;
			k->n++;
		}
	}
	free(text);
	free(path);
	*ncurves = n;
	return c;
}

const struct curve *fake_curve(const struct curve *c, size_t n, const char *title, int k)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(c[i].title, title) == 0 && k-- == 0)
			return &c[i];
	cr_assert_fail("no curve \"%s\"", title);
	return NULL;
}

int fake_have_gnuplot(void)
{
	return system("gnuplot -e 'exit' >/dev/null 2>&1") == 0;
}
