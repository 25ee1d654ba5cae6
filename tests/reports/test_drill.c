/* The drill's report on a hand-built drill: drill.csv field by field, the side-by-side text,
 * the JSON, and the plots read back from gnuplot's own tables. */
#include <cJSON.h>
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "models/run.h"
#include "models/scenario.h"
#include "reports/report.h"
#include "tests/reports/fake.h"

#define DRILL_HEADER "strategy,rto_p50_s,rto_p95_s,rto_target_s,rto_target_met,rpo_p50_s," \
	"rpo_p95_s,rpo_writes_p50,rpo_target_s,rpo_target_met,requests_failed_mean," \
	"requests_failed_ci95_low,requests_failed_ci95_high,availability,cost_monthly_usd," \
	"dr_data_cost_monthly_usd,latency_s,latency_outage_s,rpo_writes_p95"

/* A drill of a scenario "o'shop" with regions "eu'west" and "us", 2 days long, region eu'west
 * down at 29 h (104,400 s) for 1 h; RTO target 10 min, RPO target 1 min. Three strategies:
 *   backup_restore  RTO p50 600 s, p95 610 s; RPO 18,000 s (1.8M writes); DR data costs
 *                   $0.60 replication + $0.12 backups over the 2 days
 *   warm_standby    RTO 540 / 540; RPO 2 / 3 s; region outages of RTO 60, 120, 120, 300 s and a
 *                   zone outage of 5,000 s in its events
 *   active_active   RTO 120 / 130; no RPO, no DR data cost metrics (unknown figures)
 * Each run has a time series of each region's chain in 5-minute buckets: capacity 2000
 * requests/s, 0 for eu'west during the outage's buckets; demand 500. */
#define HORIZON 172800.0
#define BUCKET 300.0
#define NBUCKETS 576
#define AT 104400.0
#define NRUNS 3

struct hand {
	struct scenario sc;
	struct scenario_region regions[2];
	char *zones[1];
	struct scenario_outage fail;
	struct run_metric metrics[NRUNS][16];
	struct run_event events[8];
	struct run_series series[2];
	double *ts;
	struct run_result runs[NRUNS];
	struct drill_run dr[NRUNS];
	struct drill d;
};

static void metric(struct run_result *r, const char *name, const char *unit, double mean,
		   double lo, double hi, double p50, double p95)
{
	struct run_metric *m = &r->metrics[r->nmetrics++];
	snprintf(m->name, sizeof m->name, "%s", name);
	snprintf(m->unit, sizeof m->unit, "%s", unit);
	m->stat = (struct run_stat){ mean, lo, hi, p50, p50, p95 };
}

static void event(struct run_result *r, struct run_event *e, uint64_t rep, double t, long region,
		  const char *kind, double value)
{
	memset(e, 0, sizeof *e);
	e->rep = rep;
	e->time = t;
	e->region = region;
	e->tier = -1;
	snprintf(e->kind, sizeof e->kind, "%s", kind);
	e->value = value;
	snprintf(e->detail, sizeof e->detail, "hand-made, with a comma");
	if (!r->events)
		r->events = e;
	r->nevents++;
}

static void hand_init(struct hand *h)
{
	static const int strategies[NRUNS] = { SCENARIO_DR_BACKUP_RESTORE,
					       SCENARIO_DR_WARM_STANDBY,
					       SCENARIO_DR_ACTIVE_ACTIVE };
	memset(h, 0, sizeof *h);
	h->zones[0] = (char *)"a";
	h->regions[0] = (struct scenario_region){ .name = (char *)"eu'west", .zones = h->zones,
						  .nzones = 1 };
	h->regions[1] = (struct scenario_region){ .name = (char *)"us", .zones = h->zones,
						  .nzones = 1 };
	h->fail = (struct scenario_outage){ SCENARIO_OUTAGE_REGION, 0, -1, AT, 3600 };
	h->sc.name = (char *)"o'shop";
	h->sc.version = 1;
	h->sc.horizon = HORIZON;
	h->sc.step = 60;
	h->sc.replications = 4;
	h->sc.regions = h->regions;
	h->sc.nregions = 2;
	h->sc.has_failures = 1;
	h->sc.failures.scripted = &h->fail;
	h->sc.failures.nscripted = 1;
	h->sc.has_dr = 1;
	h->sc.dr.strategy = SCENARIO_DR_WARM_STANDBY;
	h->sc.dr.rto_target = 600;
	h->sc.dr.rpo_target = 60;
	h->sc.dr.has_rpo_target = 1;

	h->series[0] = (struct run_series){ -1, 0 };
	h->series[1] = (struct run_series){ -1, 1 };
	h->ts = calloc(NBUCKETS * 2 * RUN_TS_NFIELDS, sizeof *h->ts);
	cr_assert_not_null(h->ts);
	for (size_t b = 0; b < NBUCKETS; b++)
		for (size_t s = 0; s < 2; s++) {
			double t = (double)b * BUCKET, *v = &h->ts[(b * 2 + s) * RUN_TS_NFIELDS];
			int down = s == 0 && t >= AT && t < AT + 3600;
			v[RUN_TS_DEMAND] = 500;
			v[RUN_TS_CAPACITY] = down ? 0 : 2000;
		}

	for (size_t i = 0; i < NRUNS; i++) {
		struct run_result *r = &h->runs[i];
		r->sc = &h->sc;
		r->seed = 7;
		r->reps = 4;
		r->threads = 1;
		r->metrics = h->metrics[i];
		r->bucket = BUCKET;
		r->nbuckets = NBUCKETS;
		r->series = h->series;
		r->nseries = 2;
		r->ts = h->ts;
		h->dr[i] = (struct drill_run){ strategies[i], r, NULL, (int64_t)i + 1 };
	}
	struct run_result *br = &h->runs[0], *ws = &h->runs[1], *aa = &h->runs[2];
	metric(br, "availability", "fraction", 0.9965, 0.996, 0.997, 0.9965, 0.997);
	metric(br, "requests_failed", "requests", 300000, 290000, 310000, 300000, 310000);
	metric(br, "cost_monthly", "USD", 292.35, 290, 295, 292, 294);
	metric(br, "rto", "s", 605, 600, 610, 600, 610);
	metric(br, "rto_full_capacity", "s", 700, 700, 700, 700, 700);
	metric(br, "rpo", "s", 18000, 18000, 18000, 18000, 18000);
	metric(br, "rpo_writes", "writes", 1.8e6, 1.8e6, 1.8e6, 1.8e6, 1.8e6);
	metric(br, "rto_target_met", "fraction", 0.5, 0, 1, 0.5, 1);
	metric(br, "rpo_target_met", "fraction", 0, 0, 0, 0, 0);
	metric(br, "cost.dr.replication", "USD", 0.6, 0.6, 0.6, 0.6, 0.6);
	metric(br, "cost.dr.backup_storage", "USD", 0.12, 0.12, 0.12, 0.12, 0.12);
	metric(br, "latency_p99", "s", 0.5, 0.49, 0.51, 0.49, 0.51);
	metric(br, "latency_p99_outage", "s", 0.61, 0.6, 0.62, 0.6, 0.62);
	event(br, &h->events[0], 0, AT, 0, "region_outage", 600);
	event(br, &h->events[1], 1, AT, 0, "region_outage", 610);

	metric(ws, "availability", "fraction", 0.99969, 0.9996, 0.9998, 0.9997, 0.9998);
	metric(ws, "requests_failed", "requests", 27500, 25000, 30000, 27000, 30000);
	metric(ws, "cost_monthly", "USD", 12345.678, 12000, 12500, 12345, 12400);
	metric(ws, "rto", "s", 540, 540, 540, 540, 540);
	metric(ws, "rpo", "s", 2.2, 2, 2.5, 2, 3);
	metric(ws, "rpo_writes", "writes", 220, 200, 250, 200, 300);
	metric(ws, "rto_target_met", "fraction", 1, 1, 1, 1, 1);
	metric(ws, "rpo_target_met", "fraction", 1, 1, 1, 1, 1);
	metric(ws, "cost.dr.replication", "USD", 0.6, 0.6, 0.6, 0.6, 0.6);
	metric(ws, "cost.dr.backup_storage", "USD", 0.12, 0.12, 0.12, 0.12, 0.12);
	metric(ws, "latency_p99", "s", 0.45, 0.44, 0.46, 0.44, 0.46);
	event(ws, &h->events[2], 0, AT, 0, "region_outage", 60);
	event(ws, &h->events[3], 0, AT + 60, 0, "scale_out", 3);
	event(ws, &h->events[4], 1, AT, 0, "region_outage", 120);
	event(ws, &h->events[5], 2, AT, 0, "region_outage", 300);
	event(ws, &h->events[6], 3, 3600, 1, "zone_outage", 5000);
	event(ws, &h->events[7], 3, AT, 0, "region_outage", 120);

	metric(aa, "availability", "fraction", 0.9999, 0.9998, 1, 0.9999, 1);
	metric(aa, "requests_failed", "requests", 3000, 2900, 3100, 3000, 3100);
	metric(aa, "cost_monthly", "USD", 600, 600, 600, 600, 600);
	metric(aa, "rto", "s", 121, 120, 122, 120, 130);

	h->d = (struct drill){ h->dr, NRUNS };
}

static void hand_release(struct hand *h)
{
	free(h->ts);
}

/* The drill's folder with drill.csv, each strategy's timeseries.csv and events.csv, and the
 * scripts: what the drill's plots read. */
static char *write_drill(struct hand *h)
{
	char *dir = fake_tmpdir(), err[512] = "";
	char *csv = fake_path(dir, "drill.csv");
	cr_assert_eq(report_drill_csv(&h->d, csv, err, sizeof err), 0, "%s", err);
	free(csv);
	for (size_t i = 0; i < NRUNS; i++) {
		char *sub = fake_path(dir, scenario_dr_strategy_name(h->dr[i].strategy));
		cr_assert_eq(mkdir(sub, 0755), 0);
		char *ts = fake_path(sub, "timeseries.csv"), *ev = fake_path(sub, "events.csv");
		cr_assert_eq(report_timeseries_csv(&h->runs[i], ts, err, sizeof err), 0, "%s", err);
		cr_assert_eq(report_events_csv(&h->runs[i], ev, err, sizeof err), 0, "%s", err);
		free(ts);
		free(ev);
		free(sub);
	}
	cr_assert_eq(report_drill_scripts(&h->d, dir, err, sizeof err), 0, "%s", err);
	return dir;
}

static double num(const char *s)
{
	cr_assert(s[0] != '\0', "an empty field where a number was expected");
	char *end;
	double x = strtod(s, &end);
	cr_assert_eq(*end, '\0', "not a number: \"%s\"", s);
	return x;
}

Test(drill, csv_has_the_exact_header_and_a_row_per_strategy_in_run_order)
{
	struct hand h;
	hand_init(&h);
	char *dir = fake_tmpdir(), *path = fake_path(dir, "drill.csv"), err[512] = "";
	cr_assert_eq(report_drill_csv(&h.d, path, err, sizeof err), 0, "%s", err);
	char *text = fake_slurp(path, NULL);
	cr_assert_eq(strncmp(text, DRILL_HEADER "\n", strlen(DRILL_HEADER) + 1), 0, "%s", text);

	struct table t;
	table_read(path, &t);
	cr_assert_eq(t.nrows, 1 + NRUNS);
	for (size_t i = 0; i < t.nrows; i++)
		cr_assert_eq(t.ncols[i], 19, "row %zu has %zu fields", i, t.ncols[i]);
	cr_assert_str_eq(t.cell[1][0], "backup_restore");
	cr_assert_str_eq(t.cell[2][0], "warm_standby");
	cr_assert_str_eq(t.cell[3][0], "active_active");

	/* backup_restore, field by field from the metrics above: RTO p50 and p95, the target
	 * (dr.rto_target), the share meeting it, RPO p50 and p95, writes p50, the RPO target, its
	 * share, failed requests mean and interval, availability, monthly cost. */
	const double want[] = { 600, 610, 600, 0.5, 18000, 18000, 1.8e6, 60, 0, 300000, 290000,
				310000, 0.9965, 292.35 };
	for (size_t k = 0; k < sizeof want / sizeof want[0]; k++)
		cr_expect_float_eq(num(t.cell[1][1 + k]), want[k], 1e-9 * fmax(1, want[k]),
				   "field %zu", 1 + k);
	/* The DR data costs are over the 2-day horizon; a month is 730 h = 2,628,000 s, so
	 * (0.60 + 0.12) x 2,628,000 / 172,800 = 0.72 x 15.2083... = 10.95 USD per month. */
	cr_expect_float_eq(num(t.cell[1][15]), 10.95, 1e-9);
	cr_expect_float_eq(num(t.cell[2][1]), 540, 1e-12);
	cr_expect_float_eq(num(t.cell[2][6]), 3, 1e-12);
	cr_expect_float_eq(num(t.cell[2][14]), 12345.678, 1e-9);
	/* The latencies, over the run and during the outage; warm_standby served nothing
	 * during its outage (no figure: an empty field). */
	cr_expect_float_eq(num(t.cell[1][16]), 0.5, 1e-12);
	cr_expect_float_eq(num(t.cell[1][17]), 0.61, 1e-12);
	cr_expect_float_eq(num(t.cell[2][16]), 0.45, 1e-12);
	cr_expect_str_eq(t.cell[2][17], "");

	/* active_active measured no RPO and has no DR data metrics: those fields are empty; its
	 * targets are the scenario's all the same. */
	const int empty[] = { 4, 5, 6, 7, 9, 15 };
	for (size_t k = 0; k < sizeof empty / sizeof empty[0]; k++)
		cr_expect_str_eq(t.cell[3][empty[k]], "", "field %d", empty[k]);
	cr_expect_float_eq(num(t.cell[3][3]), 600, 1e-12);
	cr_expect_float_eq(num(t.cell[3][8]), 60, 1e-12);

	table_release(&t);
	free(text);
	free(path);
	fake_rmtree(dir);
	hand_release(&h);
}

Test(drill, targets_the_scenario_does_not_set_are_empty_fields)
{
	struct hand h;
	hand_init(&h);
	h.sc.dr.rto_target = 0;
	h.sc.dr.rpo_target = 0;
	h.sc.dr.has_rpo_target = 0;
	char *dir = fake_tmpdir(), *path = fake_path(dir, "drill.csv"), err[512] = "";
	cr_assert_eq(report_drill_csv(&h.d, path, err, sizeof err), 0, "%s", err);
	struct table t;
	table_read(path, &t);
	for (size_t i = 1; i < t.nrows; i++) {
		cr_expect_str_eq(t.cell[i][3], "", "row %zu: rto_target_s", i);
		cr_expect_str_eq(t.cell[i][8], "", "row %zu: rpo_target_s", i);
	}
	table_release(&t);
	free(path);
	fake_rmtree(dir);
	hand_release(&h);
}

/* Columns a UTF-8 line takes (each code point one column). */
static size_t columns(const char *s, size_t n)
{
	size_t c = 0;
	for (size_t i = 0; i < n; i++)
		c += ((unsigned char)s[i] & 0xc0) != 0x80;
	return c;
}

/* The line of text starting with `start`, copied into buf; fails the test when absent. */
static void line_of(const char *text, const char *start, char *buf, size_t len)
{
	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (strncmp(p, start, strlen(start)) == 0) {
			size_t n = strcspn(p, "\n");
			cr_assert_lt(n, len);
			memcpy(buf, p, n);
			buf[n] = '\0';
			return;
		}
	cr_assert_fail("no line starts with \"%s\" in:\n%s", start, text);
}

/* An outage's start from two days on reads as days and the rest of the day: 932,400 s is
 * 10 × 86,400 + 68,400 = 10 d 19 h (not "259 h"); 2 d + 2 h 30 min 15 s = 181,815 s. Under two
 * days, or a whole number of days, as the scenario would write a duration. */
static void header_at(double at, double duration, const char *want)
{
	struct hand h;
	hand_init(&h);
	h.fail.at = at;
	h.fail.duration = duration;
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);
	cr_assert_not_null(f);
	cr_assert_eq(report_drill_text(&h.d, f), 0);
	fclose(f);
	cr_expect_not_null(strstr(buf, want), "no \"%s\" in:\n%s", want, buf);
	free(buf);
	hand_release(&h);
}

Test(drill, header_gives_a_late_start_in_days_and_hours)
{
	header_at(932400, 4 * 3600, "region eu'west down at 10 d 19 h for 4 h\n");
	header_at(181815, 90, "region eu'west down at 2 d 2 h 30 min 15 s for 90 s\n");
	header_at(864000, 5400, "region eu'west down at 10 d for 90 min\n");
	header_at(104400, 3600, "region eu'west down at 29 h for 1 h\n");
}

Test(drill, text_puts_the_strategies_side_by_side_within_100_columns)
{
	struct hand h;
	hand_init(&h);
	char *buf = NULL, line[512];
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);
	cr_assert_not_null(f);
	cr_assert_eq(report_drill_text(&h.d, f), 0);
	fclose(f);

	for (const char *p = buf; *p; p += strcspn(p, "\n") + 1)
		cr_expect_leq(columns(p, strcspn(p, "\n")), 100, "too wide: %.*s",
			      (int)strcspn(p, "\n"), p);
	cr_expect_not_null(strstr(buf, "Drill of o'shop: region eu'west down at 29 h for 1 h\n"),
			   "%s", buf);
	/* The strategies head columns of 18 after a label of 26. */
	line_of(buf, "                          backup_restore", line, sizeof line);
	cr_expect_str_eq(line, "                          backup_restore    warm_standby      "
			 "active_active");
	/* 600 and 610 s in minutes (10 and 10.2), 540 s (9), 120 and 130 s (2 and 2.17). */
	line_of(buf, "RTO p50 / p95", line, sizeof line);
	cr_expect_str_eq(line, "RTO p50 / p95             10 / 10.2 min     9 / 9 min         "
			 "2 / 2.17 min");
	line_of(buf, "  P(RTO <= 10 min)", line, sizeof line);
	cr_expect_str_eq(line, "  P(RTO <= 10 min)        50 %              100 %             "
			 "\xe2\x80\x94");
	/* 18,000 s is 5 h; active_active measured no RPO: a dash, which takes one column. */
	line_of(buf, "RPO p50 / p95", line, sizeof line);
	cr_expect_str_eq(line, "RPO p50 / p95             5 / 5 h           2 / 3 s           "
			 "\xe2\x80\x94");
	line_of(buf, "  in writes", line, sizeof line);
	cr_expect_str_eq(line, "  in writes               1.8M / 1.8M       200 / 300         "
			 "\xe2\x80\x94");
	line_of(buf, "  P(RPO <= 60 s)", line, sizeof line);
	line_of(buf, "  95% interval", line, sizeof line);
	cr_expect_str_eq(line, "  95% interval            [290k, 310k]      [25k, 30k]        "
			 "[2900, 3100]");
	line_of(buf, "availability", line, sizeof line);
	cr_expect_str_eq(line, "availability              99.65 %           99.969 %          "
			 "99.990 %");
	/* $12,345.678 above $10,000: whole dollars. $10.95 as computed in the CSV test. */
	line_of(buf, "p99 latency, step mean", line, sizeof line);
	cr_expect_str_eq(line, "p99 latency, step mean    0.5 s             0.45 s            "
			 "\xe2\x80\x94");
	line_of(buf, "  during the outage", line, sizeof line);
	cr_expect_str_eq(line, "  during the outage       0.61 s            \xe2\x80\x94"
			 "                 \xe2\x80\x94");
	line_of(buf, "cost per month", line, sizeof line);
	cr_expect_str_eq(line, "cost per month            $292.35           $12,346           "
			 "$600.00");
	line_of(buf, "  of which DR data", line, sizeof line);
	cr_expect_str_eq(line, "  of which DR data        $10.95            $10.95            "
			 "\xe2\x80\x94");
	free(buf);
	hand_release(&h);
}

Test(drill, json_has_a_strategies_array_with_null_for_what_is_unknown)
{
	struct hand h;
	hand_init(&h);
	char *text = report_drill_json(&h.d);
	cr_assert_not_null(text);
	cJSON *js = cJSON_Parse(text);
	cr_assert_not_null(js, "%s", text);
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(js, "strategies");
	cr_assert(cJSON_IsArray(arr));
	cr_assert_eq(cJSON_GetArraySize(arr), NRUNS);
	const cJSON *ws = cJSON_GetArrayItem(arr, 1), *aa = cJSON_GetArrayItem(arr, 2);
	cr_expect_str_eq(cJSON_GetObjectItemCaseSensitive(ws, "strategy")->valuestring,
			 "warm_standby");
	cr_expect_float_eq(cJSON_GetObjectItemCaseSensitive(ws, "rto_p50_s")->valuedouble, 540,
			   1e-12);
	cr_expect_float_eq(cJSON_GetObjectItemCaseSensitive(ws, "run_id")->valuedouble, 2, 0);
	cr_expect(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(aa, "rpo_p50_s")));
	cr_expect(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(aa, "dr_data_cost_monthly_usd")));
	/* The whole run rides along: its metrics as report_summary_json writes them. */
	const cJSON *run = cJSON_GetObjectItemCaseSensitive(ws, "run");
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(run, "metrics"), "rto");
	cr_expect_float_eq(cJSON_GetObjectItemCaseSensitive(m, "mean")->valuedouble, 540, 1e-12);
	const cJSON *fails = cJSON_GetObjectItemCaseSensitive(js, "fails");
	cr_assert_eq(cJSON_GetArraySize(fails), 1);
	cr_expect_str_eq(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(fails, 0),
							  "target")->valuestring, "region:eu'west");
	cr_expect_float_eq(cJSON_GetObjectItemCaseSensitive(js, "seed")->valuedouble, 7, 0);
	cJSON_Delete(js);
	free(text);
	hand_release(&h);
}

/* ---- the plots, read back through gnuplot ---- */

Test(drill, rto_cdf_steps_through_the_region_outages_of_each_strategy)
{
	if (!fake_have_gnuplot())
		cr_skip_test("gnuplot is not installed");
	struct hand h;
	hand_init(&h);
	char *dir = write_drill(&h);
	size_t n;
	struct curve *c = fake_gnuplot_table(dir, "rto_cdf", &n);
	/* The largest RTO, 610 s, is drawn in minutes. warm_standby's region outages took 60,
	 * 120, 120 and 300 s: the empirical CDF is 1/4 at 1 min, 3/4 at 2 min, 1 at 5 min; its
	 * zone outage (5,000 s) and its scale-out are not region outages. */
	const struct curve *ws = fake_curve(c, n, "warm_standby (4 outages)", 0);
	cr_assert_eq(ws->n, 3);
	const double x[] = { 1, 2, 5 }, y[] = { 0.25, 0.75, 1 };
	for (size_t i = 0; i < 3; i++) {
		cr_expect_float_eq(ws->x[i], x[i], 1e-9, "point %zu", i);
		cr_expect_float_eq(ws->y[i], y[i], 1e-9, "point %zu", i);
	}
	const struct curve *br = fake_curve(c, n, "backup_restore (2 outages)", 0);
	cr_assert_eq(br->n, 2);
	cr_expect_float_eq(br->x[0], 10, 1e-9);
	cr_expect_float_eq(br->y[0], 0.5, 1e-9);
	cr_expect_float_eq(br->x[1], 610.0 / 60, 1e-9);
	cr_expect_float_eq(br->y[1], 1, 1e-9);
	/* active_active has no region_outage event: no curve of its own. */
	for (size_t i = 0; i < n; i++)
		cr_expect_null(strstr(c[i].title, "active_active"), "%s", c[i].title);
	char *gp = fake_path(dir, "rto_cdf.gp"), *text = fake_slurp(gp, NULL);
	cr_expect_not_null(strstr(text, "title \"RTO target 10 min\""));
	cr_expect_not_null(strstr(text, "set arrow 1 from 10, graph 0 to 10, graph 1"));
	free(text);
	free(gp);
	free(c);
	fake_rmtree(dir);
	hand_release(&h);
}

Test(drill, drill_bars_are_the_csv_figures_in_the_panel_unit)
{
	if (!fake_have_gnuplot())
		cr_skip_test("gnuplot is not installed");
	struct hand h;
	hand_init(&h);
	char *dir = write_drill(&h);
	size_t n;
	struct curve *c = fake_gnuplot_table(dir, "drill", &n);
	/* RTO panel in minutes (its largest figure 610 s): p50 bars at x = i - 0.2 of 600, 540
	 * and 120 s; p95 at i + 0.2. */
	const struct curve *p50 = fake_curve(c, n, "p50", 0), *p95 = fake_curve(c, n, "p95", 0);
	cr_assert_eq(p50->n, 3);
	const double rto50[] = { 10, 9, 2 }, rto95[] = { 610.0 / 60, 9, 130.0 / 60 };
	for (size_t i = 0; i < 3; i++) {
		cr_expect_float_eq(p50->x[i], (double)i - 0.2, 1e-9);
		cr_expect_float_eq(p50->y[i], rto50[i], 1e-9);
		cr_expect_float_eq(p95->x[i], (double)i + 0.2, 1e-9);
		cr_expect_float_eq(p95->y[i], rto95[i], 1e-9);
	}
	/* RPO panel: 18,000 s against 2 s spans more than a factor 20, so a log axis in
	 * seconds; active_active has no RPO, so no bar. */
	p50 = fake_curve(c, n, "p50", 1);
	cr_assert_eq(p50->n, 2);
	cr_expect_float_eq(p50->y[0], 18000, 1e-6);
	cr_expect_float_eq(p50->y[1], 2, 1e-9);
	/* Cost panel: the totals, and the DR data part (10.95 a month, see the CSV test). */
	const struct curve *total = fake_curve(c, n, "total", 0);
	const struct curve *part = fake_curve(c, n, "DR data part", 0);
	cr_assert_eq(total->n, 3);
	cr_expect_float_eq(total->y[1], 12345.678, 1e-6);
	cr_assert_eq(part->n, 2);
	cr_expect_float_eq(part->y[0], 10.95, 1e-9);
	free(c);
	fake_rmtree(dir);
	hand_release(&h);
}

/* Sets the p50 and p95 (and mean) of run r's metric name. */
static void set_stat(struct run_result *r, const char *name, double mean, double p50, double p95)
{
	struct run_metric *m = (struct run_metric *)run_find_metric(r, name);
	cr_assert_not_null(m, "%s", name);
	m->stat.mean = mean;
	m->stat.p50 = p50;
	m->stat.p95 = p95;
}

/* Whether some curve of c has a point at (x, y). */
static int has_point(const struct curve *c, size_t n, double x, double y)
{
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < c[i].n; k++)
			if (fabs(c[i].x[k] - x) < 1e-9 && fabs(c[i].y[k] - y) < 1e-9)
				return 1;
	return 0;
}

/* An RPO of 0 (backup_restore when the outage begins at the backup's instant) has no bar, and
 * no place at all on the log axis the RPO panel takes here (warm_standby's 2 s against the
 * 60 s target: 30 times). It is a square at the axis floor, half the smallest figure above 0
 * (1 s), on a tic "0 s", with a key entry saying what it means. active_active measured no
 * RPO (empty fields): no square there. With no 0 among the figures, none of it. */
Test(drill, a_zero_rpo_is_drawn_on_the_floor_and_says_no_data_was_lost)
{
	if (!fake_have_gnuplot())
		cr_skip_test("gnuplot is not installed");
	struct hand h;
	hand_init(&h);
	set_stat(&h.runs[0], "rpo", 0, 0, 0);
	char *dir = write_drill(&h), *gp = fake_path(dir, "drill.gp");
	char *text = fake_slurp(gp, NULL);
	cr_expect_not_null(strstr(text, "set ytics add (\"0 s\" 1)\n"), "%s", text);
	size_t n;
	struct curve *c = fake_gnuplot_table(dir, "drill", &n);
	fake_curve(c, n, "0 s: no data lost", 0);
	cr_expect(has_point(c, n, -0.2, 1), "no p50 square of backup_restore");
	cr_expect(has_point(c, n, 0.2, 1), "no p95 square of backup_restore");
	cr_expect(!has_point(c, n, 1.8, 1) && !has_point(c, n, 2.2, 1),
		  "a square for active_active, which measured nothing");
	/* The RTO panel has no 0: no square, no key entry. */
	for (size_t i = 0; i < n; i++)
		cr_expect_null(strstr(c[i].title, "back at once"), "%s", c[i].title);
	free(c);
	free(text);
	fake_rmtree(dir);

	set_stat(&h.runs[0], "rpo", 18000, 18000, 18000);
	dir = write_drill(&h);
	free(gp);
	gp = fake_path(dir, "drill.gp");
	text = fake_slurp(gp, NULL);
	cr_expect_null(strstr(text, "0 s: no data lost"), "%s", text);
	cr_expect_null(strstr(text, "\"0 s\""), "%s", text);
	free(text);
	free(gp);
	fake_rmtree(dir);
	hand_release(&h);
}

/* Every RPO 0 and no RPO target: the RPOs were measured, so the panel is not the empty frame
 * of "no RPO measured" but a linear axis with the squares at 0. */
Test(drill, rpos_all_zero_are_measured_not_missing)
{
	struct hand h;
	hand_init(&h);
	set_stat(&h.runs[0], "rpo", 0, 0, 0);
	set_stat(&h.runs[1], "rpo", 0, 0, 0);
	h.sc.dr.has_rpo_target = 0;
	char *dir = write_drill(&h), *gp = fake_path(dir, "drill.gp");
	char *text = fake_slurp(gp, NULL);
	cr_expect_null(strstr(text, "no RPO measured"), "%s", text);
	cr_expect_not_null(strstr(text, "title \"0 s: no data lost\""), "%s", text);
	free(text);
	free(gp);
	fake_rmtree(dir);
	hand_release(&h);
}

/* The cost panel's "DR data part" only when some strategy pays for DR data. */
Test(drill, no_dr_data_part_in_the_key_when_none_is_paid)
{
	struct hand h;
	hand_init(&h);
	char *dir = write_drill(&h), *gp = fake_path(dir, "drill.gp");
	char *text = fake_slurp(gp, NULL);
	cr_expect_not_null(strstr(text, "title \"DR data part\""), "%s", text);
	free(text);
	fake_rmtree(dir);
	for (size_t i = 0; i < NRUNS; i++)
		for (size_t k = 0; k < h.runs[i].nmetrics; k++)
			if (strncmp(h.runs[i].metrics[k].name, "cost.dr.", 8) == 0)
				h.runs[i].metrics[k].stat.mean = 0;
	dir = write_drill(&h);
	free(gp);
	gp = fake_path(dir, "drill.gp");
	text = fake_slurp(gp, NULL);
	cr_expect_null(strstr(text, "DR data part"), "%s", text);
	free(text);
	free(gp);
	fake_rmtree(dir);
	hand_release(&h);
}

/* rpo_cdf with backup_restore's two failovers losing nothing (RPO 0) and warm_standby's and
 * active_active's the same 2 and 3 s. The axis is log (60 s target over 2 s): the zeros are
 * drawn at its left end, a decade below the smallest figure above 0 (2 s: at 0.1), on a tic
 * "0 s", backup_restore's curve rising there to 1; its key entry says every RPO was 0.
 * active_active draws exactly warm_standby's line: its key entry says so, and it is drawn
 * thinner over it so both colours show. */
Test(drill, rpo_cdf_draws_zeros_at_the_left_end_and_names_coinciding_strategies)
{
	if (!fake_have_gnuplot())
		cr_skip_test("gnuplot is not installed");
	struct hand h;
	hand_init(&h);
	static struct run_event ev[3][2];
	static const double v[3][2] = { { 0, 0 }, { 2, 3 }, { 3, 2 } };
	for (size_t i = 0; i < NRUNS; i++) {
		h.runs[i].events = NULL;
		h.runs[i].nevents = 0;
		for (size_t k = 0; k < 2; k++)
			event(&h.runs[i], &ev[i][k], k, AT, 0, "rpo", v[i][k]);
	}
	char *dir = write_drill(&h), *gp = fake_path(dir, "rpo_cdf.gp");
	char *text = fake_slurp(gp, NULL);
	cr_expect_not_null(strstr(text, "set logscale x\n"), "%s", text);
	cr_expect_not_null(strstr(text, "set xtics add (\"0 s\" 0.1)\n"), "%s", text);
	size_t n;
	struct curve *c = fake_gnuplot_table(dir, "rpo_cdf", &n);
	const struct curve *br = fake_curve(c, n, "backup_restore (2 outages, all 0 s: no data "
					    "lost)", 0);
	cr_assert_eq(br->n, 1);
	cr_expect_float_eq(br->x[0], 0.1, 1e-12);
	cr_expect_float_eq(br->y[0], 1, 1e-12);
	const struct curve *ws = fake_curve(c, n, "warm_standby (2 outages)", 0);
	const struct curve *aa = fake_curve(c, n, "active_active (2 outages; the same as "
					    "warm_standby)", 0);
	cr_assert_eq(ws->n, aa->n);
	for (size_t k = 0; k < ws->n; k++) {
		cr_expect_float_eq(ws->x[k], aa->x[k], 1e-12);
		cr_expect_float_eq(ws->y[k], aa->y[k], 1e-12);
	}
	cr_expect_not_null(strstr(text, "with steps lw 5 lc 2 title \"warm_standby"), "%s", text);
	cr_expect_not_null(strstr(text, "with steps lw 2 lc 3 title \"active_active"), "%s",
			   text);
	free(c);
	free(text);
	free(gp);
	fake_rmtree(dir);
	hand_release(&h);
}

Test(drill, timeline_shows_each_region_around_the_first_outage)
{
	if (!fake_have_gnuplot())
		cr_skip_test("gnuplot is not installed");
	struct hand h;
	hand_init(&h);
	char *dir = write_drill(&h);
	char *gp = fake_path(dir, "timeline.gp"), *text = fake_slurp(gp, NULL);
	/* From an hour before the outage (29 h) to two hours after its end (30 h), in hours
	 * since it began; names quoted the gnuplot way. */
	cr_expect_not_null(strstr(text, "set xrange [-1:3]"), "%s", text);
	cr_expect_not_null(strstr(text, "'o''shop: degraded capacity, region eu''west down"));
	cr_expect_null(strstr(text, "eu'west"));
	cr_expect_not_null(strstr(text, "set object 1 rect from 0, graph 0 to 1, graph 1"));
	size_t n;
	struct curve *c = fake_gnuplot_table(dir, "timeline", &n);
	/* eu'west's capacity in warm_standby's panel: the bucket starting at the outage (drawn
	 * at its middle, 150 s = 1/24 h in) has none, the one before it 2000. */
	const struct curve *cap = fake_curve(c, n, "eu'west capacity", 1);
	int seen_down = 0, seen_up = 0;
	for (size_t i = 0; i < cap->n; i++) {
		if (fabs(cap->x[i] - 150.0 / 3600) < 1e-9) {
			cr_expect_float_eq(cap->y[i], 0, 1e-12);
			seen_down = 1;
		}
		if (fabs(cap->x[i] + 150.0 / 3600) < 1e-9) {
			cr_expect_float_eq(cap->y[i], 2000, 1e-12);
			seen_up = 1;
		}
	}
	cr_expect(seen_down && seen_up, "the buckets around the outage's start are missing");
	/* warm_standby's mean RTO of this outage: (60 + 120 + 300 + 120) / 4 = 150 s. */
	cr_expect_not_null(strstr(text, "set arrow 1 from 0.04166666667, graph 0"), "%s", text);
	free(c);
	free(text);
	free(gp);
	fake_rmtree(dir);
	hand_release(&h);
}

/* Money on the drill's cost panel reads as in the table: the tallest bar, warm_standby's
 * $12,345.68, with a tenth more room for its label, needs $13,580; an eighth of that ($1,698)
 * rounds up to a step of $2,000, the axis ends at $14,000 and every tic is grouped. The bars'
 * labels are grouped whole dollars: "$292", "$12,346", "$600" (read back from gnuplot's table
 * of the labels when it is installed). */
Test(drill, cost_axis_and_labels_group_thousands)
{
	struct hand h;
	hand_init(&h);
	char *dir = write_drill(&h), *gp = fake_path(dir, "drill.gp");
	char *text = fake_slurp(gp, NULL);
	cr_expect_not_null(strstr(text, "set yrange [0:14000]\nset ytics (\"$0\" 0, \"$2,000\" "
				  "2000, \"$4,000\" 4000, \"$6,000\" 6000, \"$8,000\" 8000, "
				  "\"$10,000\" 10000, \"$12,000\" 12000, \"$14,000\" 14000)\n"),
			   "%s", text);
	cr_expect_null(strstr(text, "$%.0f"), "%s", text);
	if (fake_have_gnuplot()) {
		size_t n;
		free(fake_gnuplot_table(dir, "drill", &n));
		char *tpath = fake_path(dir, "table.txt"), *table = fake_slurp(tpath, NULL);
		static const char *const labels[] = { "\"$292\"", "\"$12,346\"", "\"$600\"" };
		for (size_t i = 0; i < 3; i++)
			cr_expect_not_null(strstr(table, labels[i]), "%s not in\n%s", labels[i],
					   table);
		free(table);
		free(tpath);
	}
	free(text);
	free(gp);
	fake_rmtree(dir);
	hand_release(&h);
}

/* The RTO panel's labels against its 10-minute target, with active_active's RTO 580 s (p50
 * and p95). The axis is linear in minutes up to 610 s x 1.18 = 12.0 min, some 620 pixels tall,
 * a text line about 17 of them (1/36 of the axis, 0.33 min):
 *   active_active  9.67 min, 0.33 min under the target: a label above its bar would sit on
 *                  the target line, so it goes inside the bar, under its top;
 *   warm_standby   9 / 9 min: one label "9 min" over the pair, above it (1 min under the
 *                  line), not two staggered ones;
 *   backup_restore 10 / 10.2 min: the two labels, 0.4 apart on an axis of 3.2 strategies
 *                  (36 of 290 pixels), are wider (6 and 8 characters of 6 pixels) and would
 *                  overlap: the p95 one above its bar (over the target line, which runs
 *                  through the bar), the p50 one inside its bar. */
Test(drill, bar_labels_keep_off_the_target_and_equal_pairs_are_one)
{
	struct hand h;
	hand_init(&h);
	set_stat(&h.runs[2], "rto", 580, 580, 580);
	char *dir = write_drill(&h), *gp = fake_path(dir, "drill.gp");
	char *text = fake_slurp(gp, NULL);
	cr_expect_not_null(strstr(text, "'9.67 min' at first 2, first 9.666666667 center offset "
				  "0,-0.8"), "%s", text);
	cr_expect_not_null(strstr(text, "'9 min' at first 1, first 9 center offset 0,0.8"), "%s",
			   text);
	cr_expect_null(strstr(text, "'9 min' at first 0.8"), "%s", text);
	cr_expect_null(strstr(text, "'9 min' at first 1.2"), "%s", text);
	cr_expect_not_null(strstr(text, "'10.2 min' at first 0.2, first 10.16666667 center "
				  "offset 0,0.8"), "%s", text);
	cr_expect_not_null(strstr(text, "'10 min' at first -0.2, first 10 center offset 0,-0.8"),
			   "%s", text);
	/* The RPO panel: backup_restore's 5 h (its p50 and p95 alike) once; warm_standby's 2 and
	 * 3 s each over its bar, apart on the log axis. */
	cr_expect_not_null(strstr(text, "'5 h' at first 0, first 18000 center offset 0,0.8"),
			   "%s", text);
	cr_expect_not_null(strstr(text, "'2 s' at first 0.8, first 2 center"), "%s", text);
	cr_expect_not_null(strstr(text, "'3 s' at first 1.2, first 3 center"), "%s", text);
	free(text);
	free(gp);
	fake_rmtree(dir);
	hand_release(&h);
}

/* Every strategy's timeline panel on one y axis: the highest line in the window is the
 * capacity of 2000 requests/s (demand 500), with a tenth more room: [0:2200]. Each panel
 * autoscaled would draw the same traffic at different heights side by side. */
Test(drill, timeline_panels_share_one_y_axis)
{
	struct hand h;
	hand_init(&h);
	char *dir = write_drill(&h), *gp = fake_path(dir, "timeline.gp");
	char *text = fake_slurp(gp, NULL);
	cr_expect_not_null(strstr(text, "set yrange [0:2200]\n"), "%s", text);
	cr_expect_null(strstr(text, "[0:*]"), "%s", text);
	free(text);
	free(gp);
	fake_rmtree(dir);
	hand_release(&h);
}

/* The CDFs' key below the plot: inside at the bottom right it lay over the risers of the
 * largest figures and the target line, which run up the right of a CDF. */
Test(drill, cdf_keys_are_below_the_plot)
{
	struct hand h;
	hand_init(&h);
	char *dir = write_drill(&h);
	static const char *const names[] = { "rto_cdf.gp", "rpo_cdf.gp" };
	for (size_t i = 0; i < 2; i++) {
		char *gp = fake_path(dir, names[i]), *text = fake_slurp(gp, NULL);
		cr_expect_not_null(strstr(text, "set key below"), "%s", text);
		cr_expect_null(strstr(text, "set key inside"), "%s", text);
		free(text);
		free(gp);
	}
	fake_rmtree(dir);
	hand_release(&h);
}

Test(drill, gnuplot_draws_every_png)
{
	static const unsigned char magic[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
	if (!fake_have_gnuplot())
		cr_skip_test("gnuplot is not installed");
	struct hand h;
	hand_init(&h);
	char *dir = write_drill(&h), err[512] = "";
	cr_assert_eq(report_drill_render(dir, err, sizeof err), 0, "%s", err);
	for (int i = 0; i < REPORT_DRILL_NPLOTS; i++) {
		char name[32];
		size_t len;
		snprintf(name, sizeof name, "%s.png", report_drill_plot_names[i]);
		char *path = fake_path(dir, name), *png = fake_slurp(path, &len);
		cr_assert_not_null(png, "%s missing", name);
		cr_assert_gt(len, sizeof magic);
		cr_assert_eq(memcmp(png, magic, sizeof magic), 0, "%s is not a PNG", name);
		free(png);
		free(path);
	}
	fake_rmtree(dir);
	hand_release(&h);
}
