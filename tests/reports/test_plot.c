/* Plot scripts: names escaped, the cost data split by day, the purchase stack and the bill band
 * read back from gnuplot's own tables, and gnuplot drawing real PNGs. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "reports/report.h"
#include "sim/error.h"
#include "tests/reports/fake.h"

static int exists(const char *dir, const char *name)
{
	char *p = fake_path(dir, name);
	int ok = access(p, F_OK) == 0;
	free(p);
	return ok;
}

/* Whether dir holds an entry whose name starts with prefix (a temporary PNG "NAME.png.XXXXXX"
 * left behind). */
static int any_with_prefix(const char *dir, const char *prefix)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int found = 0;
	cr_assert_not_null(d);
	while (!found && (e = readdir(d)))
		found = strncmp(e->d_name, prefix, strlen(prefix)) == 0;
	closedir(d);
	return found;
}

/* A fake run whose tier and region names carry a quote, with its CSV and scripts in dir. */
static void write_quoted_run(struct fake *f, const char *dir)
{
	char err[512] = "";
	fake_init(f);
	f->tiers[1].name = (char *)"o'brien";
	f->regions[1].name = (char *)"us'east";
	char *ts = fake_path(dir, "timeseries.csv"), *bill = fake_path(dir, "bill.csv");
	cr_assert_eq(report_timeseries_csv(&f->r, ts, err, sizeof err), 0, "%s", err);
	cr_assert_eq(report_bill_csv(&f->r, bill, err, sizeof err), 0, "%s", err);
	cr_assert_eq(report_plot_scripts(&f->r, dir, err, sizeof err), 0, "%s", err);
	free(ts);
	free(bill);
}

Test(plot, scripts_exist_and_quote_names_the_gnuplot_way)
{
	struct fake f;
	char *dir = fake_tmpdir();
	write_quoted_run(&f, dir);
	for (int i = 0; i < REPORT_NPLOTS; i++) {
		char name[32], first[96];
		snprintf(name, sizeof name, "%s.gp", report_plot_names[i]);
		char *path = fake_path(dir, name), *text = fake_slurp(path, NULL);
		cr_assert_not_null(text, "%s missing", name);
		snprintf(first, sizeof first, "if (!exists(\"outfile\")) outfile = \"%s.png\"\n",
			 report_plot_names[i]);
		cr_assert_not_null(strstr(text, first), "%s lacks: %s", name, first);
		cr_assert_not_null(strstr(text, "set terminal pngcairo size 1200,800"));
		cr_assert_not_null(strstr(text, "set terminal png size 1200,800"));
		cr_assert_not_null(strstr(text, "set datafile separator \",\""));
		/* A quote inside a single-quoted gnuplot string is doubled; the names never
		 * appear with a lone quote. Regions appear in the titles of demand, instances
		 * and latency (cost and purchase sum a tier's regions); tiers in all but latency
		 * (chains only) and bill (the whole bill). */
		const char *plot = report_plot_names[i];
		if (strcmp(plot, "cost") && strcmp(plot, "purchase") && strcmp(plot, "bill"))
			cr_assert_not_null(strstr(text, "us''east"), "%s", name);
		cr_assert_null(strstr(text, "us'east"), "%s has an unescaped name", name);
		if (strcmp(plot, "latency") && strcmp(plot, "bill"))
			cr_assert_not_null(strstr(text, "o''brien"), "%s", name);
		cr_assert_null(strstr(text, "o'brien"), "%s has an unescaped name", name);
		free(text);
		free(path);
	}
	/* The latency plot draws the target: SLO p99 at 0.5 s. */
	char *path = fake_path(dir, "latency.gp"), *text = fake_slurp(path, NULL);
	cr_assert_not_null(strstr(text, "SLO target of 0.5 s"));
	cr_assert_not_null(strstr(text, "0.5 with lines"));
	free(text);
	free(path);
	fake_release(&f);
	fake_rmtree(dir);
}

/* Writes f's plot scripts into dir and returns the text of the one called name (".gp"
 * added). */
static char *script_text(struct fake *f, const char *dir, const char *name)
{
	char err[512] = "", file[64];
	cr_assert_eq(report_plot_scripts(&f->r, dir, err, sizeof err), 0, "%s", err);
	snprintf(file, sizeof file, "%s.gp", name);
	char *path = fake_path(dir, file), *text = fake_slurp(path, NULL);
	free(path);
	return text;
}

Test(plot, latency_on_a_log_axis_when_the_target_is_far_above_it)
{
	/* The fake's regional p99 is 0.05 + 0.6 u^8 with u <= 1: between 0.05 and 0.65 s. A
	 * 0.5 s target keeps the axis linear (0.65 / 0.05 = 13 <= 30); a 600 s one (a batch
	 * deadline) spans 600 / 0.65 > 30 times: log scale, up to 1.5 × 600 = 900. */
	struct fake f;
	char *dir = fake_tmpdir();
	fake_init(&f);
	char *text = script_text(&f, dir, "latency");
	cr_assert_null(strstr(text, "logscale"), "%s", text);
	cr_assert_not_null(strstr(text, "set yrange [0:*]"), "%s", text);
	free(text);
	f.sc.slo.latency_target = 600;
	text = script_text(&f, dir, "latency");
	cr_assert_not_null(strstr(text, "set logscale y\nset yrange ["), "%s", text);
	cr_assert_not_null(strstr(text, ":900]\n"), "%s", text);
	cr_assert_not_null(strstr(text, "(s, log scale)"), "%s", text);
	free(text);
	fake_release(&f);
	fake_rmtree(dir);
}

/* The p99 of all requests together, when the run has it, is a grey dotted level beside the
 * regions' curves and the target, its value in the key. The fake has no such metric: one of
 * its figures (latency_p99_all_on_demand, 0.2 s) is renamed to stand for it. Without it the
 * script draws no such line. */
Test(plot, latency_draws_the_percentile_of_all_requests_as_a_level)
{
	struct fake f;
	char *dir = fake_tmpdir();
	fake_init(&f);
	char *text = script_text(&f, dir, "latency");
	cr_assert_null(strstr(text, "of all requests"), "%s", text);
	free(text);
	struct run_metric *m = (struct run_metric *)run_find_metric(&f.r,
								     "latency_p99_all_on_demand");
	cr_assert_not_null(m);
	snprintf(m->name, sizeof m->name, "latency_p99_overall");
	text = script_text(&f, dir, "latency");
	cr_assert_not_null(strstr(text, "0.2 with lines lw 1.5 dt 3 lc rgb \"gray30\" "
				  "title \"p99 of all requests 0.2 s\""), "%s", text);
	free(text);
	fake_release(&f);
	fake_rmtree(dir);
}

/* One tier visited once: the whole chain's panel would repeat the tier's, and is left out;
 * with two tiers (the fake's) both tiers and the chain have a panel. */
Test(plot, one_tier_has_no_separate_chain_panel)
{
	struct fake f;
	char *dir = fake_tmpdir();
	fake_init(&f);
	char *text = script_text(&f, dir, "demand");
	cr_assert_not_null(strstr(text, "multiplot layout 3,1"), "%s", text);
	cr_assert_not_null(strstr(text, "whole chain"), "%s", text);
	free(text);
	/* One tier: the fake's second tier's series become the first's. */
	f.sc.ntiers = 1;
	f.tiers[0].visits = 1.0;
	f.tiers[0].calls = -1;
	for (size_t s = 0; s < f.r.nseries; s++)
		if (f.r.series[s].tier == 1)
			f.r.series[s].tier = 0;
	text = script_text(&f, dir, "demand");
	cr_assert_not_null(strstr(text, "multiplot layout 1,1"), "%s", text);
	cr_assert_null(strstr(text, "whole chain"), "%s", text);
	free(text);
	fake_release(&f);
	fake_rmtree(dir);
}

Test(plot, cost_daily_sums_each_pool_over_the_day)
{
	/* Pool s costs (s + 1) USD/h for 12 h and 2 (s + 1) USD/h for 12 h: 36 (s + 1) a day. */
	struct fake f;
	fake_init(&f);
	char *dir = fake_tmpdir(), *path = fake_path(dir, "cost_daily.csv");
	char err[256];
	cr_assert_eq(report_cost_daily_csv(&f.r, path, err, sizeof err), 0, "%s", err);
	struct table t;
	table_read(path, &t);
	cr_assert_eq(t.ncols[0], 5);
	cr_assert_str_eq(t.cell[0][0], "day");
	cr_assert_str_eq(t.cell[0][3], "cost_usd");
	cr_assert_str_eq(t.cell[0][4], "what");
	cr_assert_eq(t.nrows, 1 + 3 * 4, "3 days x 4 pools, chains left out, no network priced");
	for (size_t d = 0; d < 3; d++)
		for (size_t s = 0; s < 4; s++) {
			char **row = t.cell[1 + d * 4 + s];
			cr_assert_eq(strtod(row[0], NULL), (double)d);
			cr_assert_str_eq(row[1], s % 2 ? "us-east-1" : "eu-west-1");
			cr_assert_str_eq(row[2], s / 2 ? "app" : "web");
			/* Sums of 24 small integers: exact in binary floating point. */
			cr_assert_eq(strtod(row[3], NULL), 36.0 * (double)(s + 1), "day %zu pool %zu: %s",
				     d, s, row[3]);
			cr_assert_str_eq(row[4], "instances");
		}
	table_release(&t);
	fake_release(&f);
	free(path);
	fake_rmtree(dir);
}

/* Adds a metric of USD to f's run (the fake leaves room for 64). */
static void usd_metric(struct fake *f, const char *name, double mean)
{
	struct run_metric *m = &f->r.metrics[f->r.nmetrics++];
	snprintf(m->name, sizeof m->name, "%s", name);
	snprintf(m->unit, sizeof m->unit, "USD");
	m->stat = (struct run_stat){ mean, mean, mean, mean, mean, mean };
}

static void set_mean(struct fake *f, const char *name, double mean)
{
	struct run_metric *m = (struct run_metric *)run_find_metric(&f->r, name);
	cr_assert_not_null(m, "%s", name);
	m->stat.mean = mean;
}

/* The instances' cost is the pools': the x label names what else a month costs, only the
 * parts the run has, and their sum. Over the fake's 3 days (259,200 s) a month is
 * 2,628,000 / 259,200 = 10.1389 times as much: its $50 of unused commitments are $506.94 a
 * month; DR data of $6 replication + $3 backups, $91.25; together $598.19. Nothing else is
 * left out of cost.png (network transfer, where priced, is drawn): "network" never appears
 * in the label. */
Test(plot, cost_plot_names_only_the_parts_it_does_not_show)
{
	struct fake f;
	fake_init(&f);
	char *dir = fake_tmpdir(), *text = script_text(&f, dir, "cost");
	cr_assert_not_null(strstr(text, "set xlabel 'time (days); not shown: $506.94 a month of "
				  "unused commitments (in bill.png)'"), "%s", text);
	cr_assert_null(strstr(text, "DR data"), "%s", text);
	free(text);

	usd_metric(&f, "cost.dr.replication", 6.0);
	usd_metric(&f, "cost.dr.backup_storage", 3.0);
	text = script_text(&f, dir, "cost");
	cr_assert_not_null(strstr(text, "set xlabel 'time (days); not shown: $598.19 a month of "
				  "unused commitments and DR data (in bill.png)'"), "%s", text);
	free(text);

	set_mean(&f, "cost.option.unused_commitment", 0);
	text = script_text(&f, dir, "cost");
	cr_assert_not_null(strstr(text, "set xlabel 'time (days); not shown: $91.25 a month of "
				  "DR data (in bill.png)'"), "%s", text);
	cr_assert_null(strstr(text, "unused"), "%s", text);
	free(text);

	set_mean(&f, "cost.dr.replication", 0);
	set_mean(&f, "cost.dr.backup_storage", 0);
	text = script_text(&f, dir, "cost");
	cr_assert_not_null(strstr(text, "set xlabel \"time (days)\"\n"), "%s", text);
	cr_assert_null(strstr(text, "not shown"), "%s", text);
	free(text);
	fake_release(&f);
	fake_rmtree(dir);
}

Test(plot, cost_daily_splits_buckets_across_days)
{
	/* 10 h buckets over a 48 h horizon: [0,10) [10,20) [20,30) [30,40) [40,48), the last one
	 * cut by the horizon, at 1, 2, 3, 4, 5 USD/h for pool 0.
	 *   day 0 = 10*1 + 10*2 + 4*3        = 42
	 *   day 1 =  6*3 + 10*4 + 8*5        = 98  (total 140 = the 48 h of cost) */
	struct fake f;
	fake_init(&f);
	f.sc.horizon = 2 * 86400.0;
	f.r.bucket = 36000.0;
	f.r.nbuckets = 5;
	for (size_t b = 0; b < 5; b++)
		f.r.ts[(b * FAKE_NSERIES + 0) * RUN_TS_NFIELDS + RUN_TS_COST_RATE] = (double)(b + 1);
	char *dir = fake_tmpdir(), *path = fake_path(dir, "cost_daily.csv");
	cr_assert_eq(report_cost_daily_csv(&f.r, path, NULL, 0), 0);
	struct table t;
	table_read(path, &t);
	cr_assert_eq(t.nrows, 1 + 2 * 4);
	/* Sums of products of small integers and 4, 6, 8, 10 h: exact. */
	cr_assert_eq(strtod(t.cell[1][3], NULL), 42.0, "day 0: %s", t.cell[1][3]);
	cr_assert_eq(strtod(t.cell[5][3], NULL), 98.0, "day 1: %s", t.cell[5][3]);
	table_release(&t);
	fake_release(&f);
	free(path);
	fake_rmtree(dir);
}

/* The transfer of calls between regions, where priced, is USD per bucket (not a rate): split
 * across days in proportion to the bucket's time in each. 10 h buckets over 48 h as above,
 * calls to tier app billed to eu-west-1 costing 10 (b + 1) USD in bucket b (the last bucket
 * 8 h long): day 0 = 10 + 20 + 30 × 4/10 = 42, day 1 = 30 × 6/10 + 40 + 50 = 108, together
 * the 150 of the buckets. Cells that cost nothing get no row. */
Test(plot, cost_daily_spreads_network_transfer_over_the_days)
{
	struct fake f;
	fake_init(&f);
	f.sc.horizon = 2 * 86400.0;
	f.r.bucket = 36000.0;
	f.r.nbuckets = 5;
	size_t ncell = 2 * 2;   /* [tier][region] */
	f.r.network = calloc(5 * ncell, sizeof *f.r.network);
	cr_assert_not_null(f.r.network);
	for (size_t b = 0; b < 5; b++)
		f.r.network[b * ncell + 1 * 2 + 0] = 10.0 * (double)(b + 1);
	char *dir = fake_tmpdir(), *path = fake_path(dir, "cost_daily.csv");
	cr_assert_eq(report_cost_daily_csv(&f.r, path, NULL, 0), 0);
	struct table t;
	table_read(path, &t);
	cr_assert_eq(t.nrows, 1 + 2 * 5, "2 days x (4 pools + 1 network cell)");
	static const double want[2] = { 42.0, 108.0 };
	for (size_t d = 0; d < 2; d++) {
		char **row = t.cell[1 + d * 5 + 4];
		cr_assert_str_eq(row[4], "network");
		cr_assert_eq(strtod(row[0], NULL), (double)d);
		cr_assert_str_eq(row[1], "eu-west-1");
		cr_assert_str_eq(row[2], "app");
		cr_assert_float_eq(strtod(row[3], NULL), want[d], 1e-9, "day %zu: %s", d, row[3]);
	}
	table_release(&t);
	fake_release(&f);
	free(path);
	fake_rmtree(dir);
}

/* With calls between regions priced, their transfer is a curve of its own and part of the
 * total, never in the x label. Up to three days (the fake's) it is drawn per hour: calls to
 * app billed to eu-west-1 costing $2 in each 1-hour bucket are $2 an hour, on top of the
 * instances' 10 and 20 USD/h (fake.h: pools 1 + 2 + 3 + 4 USD/h, then twice that). Over a
 * longer horizon it is drawn per day, from cost_daily.csv's "network" rows. */
Test(plot, cost_plot_draws_network_transfer_when_priced)
{
	struct fake f;
	fake_init(&f);
	f.r.network = calloc(FAKE_NBUCKETS * 4, sizeof *f.r.network);
	cr_assert_not_null(f.r.network);
	for (size_t b = 0; b < FAKE_NBUCKETS; b++)
		f.r.network[b * 4 + 1 * 2 + 0] = 2.0;
	usd_metric(&f, "cost.network", 144.0);
	char *dir = fake_tmpdir(), *text = script_text(&f, dir, "cost");
	cr_assert_null(strstr(text, "network transfer (in bill.png)"), "%s", text);
	cr_assert_not_null(strstr(text, "title \"network transfer\""), "%s", text);
	cr_assert_not_null(strstr(text, "title \"all instances and network\""), "%s", text);
	free(text);
	if (fake_have_gnuplot()) {
		size_t n;
		struct curve *c = fake_gnuplot_table(dir, "cost", &n);
		const struct curve *net = fake_curve(c, n, "network transfer", 0);
		const struct curve *all = fake_curve(c, n, "all instances and network", 0);
		cr_assert_eq(net->n, 72);
		cr_assert_eq(all->n, 72);
		for (size_t h = 0; h < 72; h++) {
			cr_expect_float_eq(net->y[h], 2.0, 1e-9, "hour %zu", h);
			cr_expect_float_eq(all->y[h], (h % 24 < 12 ? 10.0 : 20.0) + 2.0, 1e-9,
					   "hour %zu", h);
		}
		free(c);
	}

	fake_set_months(&f, 1, 0.5);
	text = script_text(&f, dir, "cost");
	cr_assert_not_null(strstr(text, "strcol(5) eq \"network\""), "%s", text);
	cr_assert_not_null(strstr(text, "title \"network transfer\""), "%s", text);
	cr_assert_not_null(strstr(text, "set ylabel \"USD per day\""), "%s", text);
	free(text);
	fake_release(&f);
	fake_rmtree(dir);
}

/* Up to three days the cost is drawn per hour, from the buckets' cost rates (the run keeps
 * nothing finer than its buckets, and bills by the hour): the fake's tiers cost 1 + 2 = 3 USD/h
 * (web) and 3 + 4 = 7 (app) in the first 12 hours of each day, twice that after (fake.h),
 * one point per hour at its middle. The hours add up to the days of cost_daily.csv. Half-hour
 * buckets give the same hours. A horizon beyond three days, or buckets coarser than an hour,
 * keep one point per day. */
Test(plot, cost_plot_is_hourly_up_to_three_days)
{
	if (!fake_have_gnuplot())
		cr_skip_test("gnuplot is not installed");
	struct fake f;
	fake_init(&f);
	char *dir = fake_tmpdir(), *text = script_text(&f, dir, "cost");
	cr_assert_not_null(strstr(text, "set ylabel \"USD per hour\""), "%s", text);
	cr_assert_null(strstr(text, "cost_daily.csv\" using"), "%s", text);
	free(text);
	size_t n;
	struct curve *c = fake_gnuplot_table(dir, "cost", &n);
	const struct curve *web = fake_curve(c, n, "tier web", 0);
	const struct curve *app = fake_curve(c, n, "tier app", 0);
	const struct curve *all = fake_curve(c, n, "all instances", 0);
	cr_assert_eq(web->n, 72);
	double day[3] = { 0, 0, 0 };
	for (size_t h = 0; h < 72; h++) {
		double k = h % 24 < 12 ? 1.0 : 2.0;
		cr_expect_float_eq(web->x[h], (h + 0.5) / 24.0, 1e-9, "hour %zu", h);
		cr_expect_float_eq(web->y[h], 3.0 * k, 1e-9, "hour %zu", h);
		cr_expect_float_eq(app->y[h], 7.0 * k, 1e-9, "hour %zu", h);
		cr_expect_float_eq(all->y[h], 10.0 * k, 1e-9, "hour %zu", h);
		day[h / 24] += all->y[h];
	}
	free(c);
	struct table t;
	char *path = fake_path(dir, "cost_daily.csv");
	table_read(path, &t);
	for (size_t d = 0; d < 3; d++) {
		double sum = 0;
		for (size_t i = 1; i < t.nrows; i++)
			if (strtod(t.cell[i][0], NULL) == (double)d)
				sum += strtod(t.cell[i][3], NULL);
		cr_expect_float_eq(day[d], sum, 1e-9, "day %zu", d);
	}
	table_release(&t);
	free(path);

	/* Half-hour buckets over 36 h, each at its hour's rate: the same hours. */
	double *ts = calloc(72 * FAKE_NSERIES * RUN_TS_NFIELDS, sizeof *ts);
	cr_assert_not_null(ts);
	for (size_t b = 0; b < 72; b++)
		for (size_t s = 0; s < FAKE_NSERIES; s++)
			ts[(b * FAKE_NSERIES + s) * RUN_TS_NFIELDS + RUN_TS_COST_RATE] =
				f.r.ts[((b / 2) * FAKE_NSERIES + s) * RUN_TS_NFIELDS +
				       RUN_TS_COST_RATE];
	memcpy(f.r.ts, ts, 72 * FAKE_NSERIES * RUN_TS_NFIELDS * sizeof *ts);
	free(ts);
	f.r.bucket = 1800;
	f.sc.horizon = 36 * 3600.0;
	free(script_text(&f, dir, "cost"));
	c = fake_gnuplot_table(dir, "cost", &n);
	all = fake_curve(c, n, "all instances", 0);
	cr_assert_eq(all->n, 36);
	for (size_t h = 0; h < 36; h++)
		cr_expect_float_eq(all->y[h], h % 24 < 12 ? 10.0 : 20.0, 1e-9, "hour %zu", h);
	free(c);

	f.r.bucket = 2 * 3600.0;
	text = script_text(&f, dir, "cost");
	cr_assert_not_null(strstr(text, "set ylabel \"USD per day\""), "%s", text);
	free(text);
	f.r.bucket = 3600.0;
	f.sc.horizon = 4 * 86400.0;
	text = script_text(&f, dir, "cost");
	cr_assert_not_null(strstr(text, "set ylabel \"USD per day\""), "%s", text);
	cr_assert_not_null(strstr(text, "cost_daily.csv\" using ($1 + 0.5):4"), "%s", text);
	free(text);
	fake_release(&f);
	fake_rmtree(dir);
}

/* Sets f's horizon to h seconds, its 72 buckets stretched or shrunk to fit, and writes its
 * timeseries.csv and bill.csv into dir. */
static void set_horizon(struct fake *f, const char *dir, double h)
{
	char err[512] = "";
	f->sc.horizon = h;
	f->r.bucket = h / FAKE_NBUCKETS;
	char *ts = fake_path(dir, "timeseries.csv"), *bill = fake_path(dir, "bill.csv");
	cr_assert_eq(report_timeseries_csv(&f->r, ts, err, sizeof err), 0, "%s", err);
	cr_assert_eq(report_bill_csv(&f->r, bill, err, sizeof err), 0, "%s", err);
	free(ts);
	free(bill);
}

/* A short run is drawn against hours or minutes, not fractions of a day (a 3-hour run spanned
 * 0 to 0.125 "days"). 3 h: hours, 0 to 3, a tic each half hour (the first of 0.5, 1, 2, ...
 * giving at most 12 tics: 3 / 0.5 = 6); its 72 buckets of 150 s are drawn at their middles,
 * bucket b at (b + 0.5) × 150 / 3600 h. 90 minutes: minutes, 0 to 90, a tic each 10 (5 would
 * give 18 > 12). 2 days: hours, 0 to 48, a tic each 6 h (3 would give 16). The fake's 3 days
 * stay in days. */
Test(plot, short_horizons_are_drawn_in_hours_or_minutes)
{
	static const char *const timed[] = { "demand", "instances", "latency", "purchase" };
	struct fake f;
	char *dir = fake_tmpdir();
	fake_init(&f);
	set_horizon(&f, dir, 3 * 3600.0);
	for (size_t i = 0; i < sizeof timed / sizeof timed[0]; i++) {
		char *text = script_text(&f, dir, timed[i]);
		cr_assert_not_null(strstr(text, "set xlabel \"time (hours)\"\n"), "%s: %s", timed[i],
				   text);
		cr_assert_not_null(strstr(text, "set xrange [0:3]\nset xtics 0.5\n"), "%s: %s",
				   timed[i], text);
		cr_assert_null(strstr(text, "days"), "%s: %s", timed[i], text);
		free(text);
	}
	char *text = script_text(&f, dir, "cost");
	cr_assert_not_null(strstr(text, "set xlabel 'time (hours); not shown"), "%s", text);
	cr_assert_not_null(strstr(text, "set boxwidth 0.9\n"), "an hour's box in hours: %s", text);
	free(text);
	if (fake_have_gnuplot()) {
		size_t n;
		struct curve *c = fake_gnuplot_table(dir, "demand", &n);
		cr_assert_eq(c[0].n, FAKE_NBUCKETS);
		for (size_t b = 0; b < FAKE_NBUCKETS; b++)
			cr_assert_float_eq(c[0].x[b], ((double)b + 0.5) * 150.0 / 3600.0, 1e-9,
					   "bucket %zu", b);
		free(c);
		/* The cost's three hours, at 0.5, 1.5 and 2.5 h. */
		c = fake_gnuplot_table(dir, "cost", &n);
		const struct curve *all = fake_curve(c, n, "all instances", 0);
		cr_assert_eq(all->n, 3);
		for (size_t h = 0; h < 3; h++)
			cr_assert_float_eq(all->x[h], (double)h + 0.5, 1e-9, "hour %zu", h);
		free(c);
	}

	set_horizon(&f, dir, 90 * 60.0);
	text = script_text(&f, dir, "demand");
	cr_assert_not_null(strstr(text, "set xlabel \"time (minutes)\"\nset xrange [0:90]\n"
				  "set xtics 10\n"), "%s", text);
	free(text);
	set_horizon(&f, dir, 2 * 86400.0);
	text = script_text(&f, dir, "latency");
	cr_assert_not_null(strstr(text, "set xlabel \"time (hours)\"\nset xrange [0:48]\n"
				  "set xtics 6\n"), "%s", text);
	free(text);
	set_horizon(&f, dir, 3 * 86400.0);
	text = script_text(&f, dir, "demand");
	cr_assert_not_null(strstr(text, "set xlabel \"time (days)\"\nset xrange [0:3]\n"), "%s",
			   text);
	cr_assert_null(strstr(text, "set xtics"), "gnuplot's own tics for days: %s", text);
	free(text);
	fake_release(&f);
	fake_rmtree(dir);
}

/* The count of non-overlapping occurrences of needle in text. */
static size_t count_of(const char *text, const char *needle)
{
	size_t n = 0;
	for (const char *p = text; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

/* The panels share one key across the top of the page instead of one beside each (which took
 * a third of each panel's width, and with four regions nearly all of it): it is set once,
 * before the plot of the first panel that has every region, and unset right after that plot;
 * the layout's margins leave room for it. With web's us-east-1 pool moved to eu-west-1, the
 * web panel lacks us-east-1, so the key comes with the app panel. */
Test(plot, panels_share_one_key_across_the_top)
{
	static const char *const paneled[] = { "demand", "instances", "purchase" };
	struct fake f;
	char *dir = fake_tmpdir();
	fake_init(&f);
	for (size_t i = 0; i < sizeof paneled / sizeof paneled[0]; i++) {
		char *text = script_text(&f, dir, paneled[i]);
		cr_assert_eq(count_of(text, "set key at screen"), 1, "%s: %s", paneled[i], text);
		cr_assert_eq(count_of(text, "unset key\n"), 1, "%s: %s", paneled[i], text);
		char *key = strstr(text, "set key at screen"), *plot = strstr(text, "\nplot ");
		char *unset = strstr(text, "unset key\n"), *second = strstr(plot + 1, "\nplot ");
		cr_assert(key < plot && plot < unset && unset < second, "%s: %s", paneled[i], text);
		cr_assert_not_null(strstr(text, " margins 0.07,0.98,0.07,"), "%s", text);
		free(text);
	}
	char *text = script_text(&f, dir, "demand");
	cr_assert_not_null(strstr(text, "vertical maxrows 2 "), "region by region: %s", text);
	free(text);

	f.r.series[1].region = 0;
	text = script_text(&f, dir, "demand");
	char *web = strstr(text, "set title 'tier web'"), *app = strstr(text, "set title 'tier app'");
	char *key = strstr(text, "set key at screen");
	cr_assert(web && app && key && web < app && app > key && key > web, "%s", text);
	free(text);
	fake_release(&f);
	fake_rmtree(dir);
}

/* Where two regions have the same values (a capacity floor, an idle latency) the later line
 * would hide the earlier: the earlier regions are drawn wider. With the fake's two regions,
 * region 0's lines are 1.25 wider than region 1's: 3.25 against 2 solid, 2.75 against 1.5
 * dashed; in the demand and the latency plots. */
Test(plot, an_earlier_region_is_drawn_wider_so_equal_lines_stay_visible)
{
	struct fake f;
	char *dir = fake_tmpdir();
	fake_init(&f);
	char *text = script_text(&f, dir, "demand");
	cr_assert_gt(count_of(text, " with lines lw 3.25 lc 1 "), 0, "%s", text);
	cr_assert_gt(count_of(text, " with lines lw 2 lc 2 "), 0, "%s", text);
	cr_assert_gt(count_of(text, " with lines lw 2.75 dt 2 lc 1 "), 0, "%s", text);
	cr_assert_gt(count_of(text, " with lines lw 1.5 dt 2 lc 2 "), 0, "%s", text);
	free(text);
	text = script_text(&f, dir, "latency");
	cr_assert_eq(count_of(text, " with lines lw 3.25 lc 1 "), 1, "%s", text);
	cr_assert_eq(count_of(text, " with lines lw 2 lc 2 "), 1, "%s", text);
	free(text);
	fake_release(&f);
	fake_rmtree(dir);
}

/* Where a region had no demand there was no request to time: the latency plot draws no
 * response time there (the model's figure for such a bucket is the idle service time), and
 * breaks the line (no value counted as "missing", which gnuplot would join across). Region 0's
 * chain without demand in buckets 10 to 19, its p99 there set to 0.001 s: those buckets come
 * back from gnuplot undefined (NaN), the others as written, and the 0.001 s does not make the
 * axis logarithmic (0.65 / 0.001 > 30 would). */
Test(plot, latency_is_not_drawn_where_there_was_no_demand)
{
	struct fake f;
	char *dir = fake_tmpdir(), err[512] = "";
	fake_init(&f);
	for (size_t b = 10; b < 20; b++) {
		f.r.ts[(b * FAKE_NSERIES + 4) * RUN_TS_NFIELDS + RUN_TS_DEMAND] = 0.0;
		f.r.ts[(b * FAKE_NSERIES + 4) * RUN_TS_NFIELDS + RUN_TS_P99] = 0.001;
	}
	char *ts = fake_path(dir, "timeseries.csv");
	cr_assert_eq(report_timeseries_csv(&f.r, ts, err, sizeof err), 0, "%s", err);
	char *text = script_text(&f, dir, "latency");
	cr_assert_not_null(strstr(text, "unset datafile missing\n"), "%s", text);
	cr_assert_null(strstr(text, "logscale"), "%s", text);
	free(text);
	if (fake_have_gnuplot()) {
		size_t n;
		struct curve *c = fake_gnuplot_table(dir, "latency", &n);
		const struct curve *eu = fake_curve(c, n, "eu-west-1", 0);
		cr_assert_eq(eu->n, FAKE_NBUCKETS);
		for (size_t b = 0; b < FAKE_NBUCKETS; b++)
			if (b >= 10 && b < 20)
				cr_assert(isnan(eu->y[b]), "bucket %zu: %g", b, eu->y[b]);
			else
				cr_assert_float_eq(eu->y[b], fake_ts(b, 4, RUN_TS_P99), 1e-9,
						   "bucket %zu", b);
		free(c);
	}
	free(ts);
	fake_release(&f);
	fake_rmtree(dir);
}

/* A point per day while they stay apart; 152 days (5 months of 730 h) of markers merge into
 * a band that hides the lines: lines only. The fake's 3 days (72 hours) keep them. */
Test(plot, cost_marks_its_points_only_while_they_stay_apart)
{
	struct fake f;
	char *dir = fake_tmpdir();
	fake_init(&f);
	char *text = script_text(&f, dir, "cost");
	cr_assert_eq(count_of(text, "with linespoints"), 2, "web and app: %s", text);
	free(text);
	fake_set_months(&f, 5, 1.0);
	text = script_text(&f, dir, "cost");
	cr_assert_null(strstr(text, "linespoints"), "%s", text);
	cr_assert_eq(count_of(text, "skip 1 smooth frequency with lines lw 2"), 2, "%s", text);
	free(text);
	fake_release(&f);
	fake_rmtree(dir);
}

static char *bill_gp(struct fake *f, char **dir);

/* One partial month is judged against the budget's share of it, and that share is what the
 * line draws: over the fake's 3 days, 25,000 × 72 / 730 = 2,465.75 USD. With a bill of P90
 * 2,000, it is within twice the P90 and on the axis: top 2,465.75, a sixth 411 -> magnitude
 * 100, step 5 × 100; 2,465.75 × 1.05 = 2,589 -> 6 steps, 0 to 3,000. (The whole budget,
 * 25,000, was taken for the line's height: "far above the axis", the share never shown, and
 * the axis the bill's own: 2,000 × 1.05 = 2,100 -> 5 steps of 500, 0 to 2,500.) */
Test(plot, the_budget_share_of_one_partial_month_is_on_the_axis)
{
	struct fake f;
	char *dir;
	fake_init(&f);
	f.r.bills[0] = (struct run_bill){ 0, 1800, 1500, 1800, 2000, 2100 };
	char *text = bill_gp(&f, &dir);
	cr_assert_null(strstr(text, "far above"), "%s", text);
	cr_assert_not_null(strstr(text, "set yrange [0:3000]\n"), "%s", text);
	cr_assert_not_null(strstr(text, "its share for the partial month $2,465.75"), "%s", text);
	size_t n;
	struct curve *c = fake_gnuplot_table(dir, "bill", &n);
	cr_assert_eq(n, 3, "bar, error bar, budget; got %zu", n);
	for (size_t i = 0; i < c[2].n; i++)
		cr_assert_float_eq(c[2].y[i], 25000.0 * 72.0 / 730.0, 1e-6, "x = %g", c[2].x[i]);
	free(c);
	free(text);
	fake_release(&f);
	fake_rmtree(dir);
}

/* One month's band is a few dollars on an axis of thousands: too narrow to see, so the key
 * gives the figures, to the cent (1,855.612571 -> $1,855.61; 1,852.47091 -> $1,852.47;
 * 1,859.098328 -> $1,859.10). Several months draw their band and keep a plain key. */
Test(plot, one_month_gives_its_band_in_the_key)
{
	struct fake f;
	char *dir;
	fake_init(&f);
	f.r.bills[0] = (struct run_bill){ 0, 1855.612571, 1852.47091, 1856.04245, 1859.098328,
					  1859.361267 };
	char *text = bill_gp(&f, &dir);
	cr_assert_not_null(strstr(text, "title \"mean $1,855.61\""), "%s", text);
	cr_assert_not_null(strstr(text, "title \"P10-P90 across replications: $1,852.47 to "
				  "$1,859.10\""), "%s", text);
	free(text);
	fake_rmtree(dir);
	fake_set_months(&f, 3, 1.0);
	text = bill_gp(&f, &dir);
	cr_assert_not_null(strstr(text, "title \"P10-P90 across replications\", "), "%s", text);
	cr_assert_not_null(strstr(text, "title \"mean\""), "%s", text);
	free(text);
	fake_release(&f);
	fake_rmtree(dir);
}

/* A partial month says how long it is as a reader would ("3 h", "1 day", not "0.125 days",
 * "1 days"), and the y axis says each bar is what the month was billed: a 3-hour run's $7 is
 * not "USD per month". */
Test(plot, a_partial_month_reads_in_hours_or_days)
{
	struct fake f;
	char *dir;
	fake_init(&f);
	f.sc.horizon = 3 * 3600.0;
	char *text = bill_gp(&f, &dir);
	cr_assert_not_null(strstr(text, "month 1 is partial: 3 h)"), "%s", text);
	cr_assert_not_null(strstr(text, "set ylabel \"USD billed in each month\""), "%s", text);
	free(text);
	fake_rmtree(dir);
	f.sc.horizon = 86400.0;
	text = bill_gp(&f, &dir);
	cr_assert_not_null(strstr(text, "month 1 is partial: 1 day)"), "%s", text);
	free(text);
	fake_rmtree(dir);
	fake_set_months(&f, 2, 0.5);
	text = bill_gp(&f, &dir);
	/* Half of 730 h: 365 h = 15.2 days. */
	cr_assert_not_null(strstr(text, "month 2 is partial: 15.2 days)"), "%s", text);
	free(text);
	fake_release(&f);
	fake_rmtree(dir);
}

Test(plot, the_six_plots_are_named)
{
	static const char *const want[] = { "demand", "instances", "latency", "cost", "purchase",
					    "bill" };
	cr_assert_eq(REPORT_NPLOTS, 6);
	for (int i = 0; i < REPORT_NPLOTS; i++)
		cr_assert_str_eq(report_plot_names[i], want[i]);
}

/* The sum over pools p of tier `tier` (-1: every tier) of paid fields [0, upto] of the stack
 * order reserved, savings plan, on demand, spot, in bucket b (fake_ts). */
static double stacked(size_t b, long tier, int upto)
{
	static const int order[] = { RUN_TS_PAID_RESERVED, RUN_TS_PAID_SAVINGS_PLAN,
				     RUN_TS_PAID_ON_DEMAND, RUN_TS_PAID_SPOT };
	double sum = 0;
	for (size_t p = 0; p < 4; p++)
		if (tier < 0 || (long)(p / 2) == tier)
			for (int k = 0; k <= upto; k++)
				sum += fake_ts(b, p, order[k]);
	return sum;
}

/* Per panel of dir/purchase.gp (web, app, all tiers) four curves, the tallest first: spot is
 * the top of the stack (everything paid = the instances running), then on demand, savings
 * plan, reserved, each the stacked() sum of the fake's pools. The table has 12 significant
 * digits and the CSV 10: compared within 1e-9 relative (x, in days, is not a binary
 * fraction; the instance counts are, and come back exact). */
static void assert_purchase_stack(const char *dir)
{
	static const char *const titles[] = { "spot", "on demand", "savings plan", "reserved" };
	size_t n;
	struct curve *c = fake_gnuplot_table(dir, "purchase", &n);
	cr_assert_eq(n, 12, "3 panels x 4 options, got %zu curves", n);
	for (size_t panel = 0; panel < 3; panel++)
		for (int layer = 0; layer < 4; layer++) {
			struct curve *k = &c[panel * 4 + (size_t)layer];
			long tier = panel < 2 ? (long)panel : -1;
			cr_assert_str_eq(k->title, titles[layer]);
			cr_assert_eq(k->n, FAKE_NBUCKETS, "%s: one point per bucket", k->title);
			for (size_t b = 0; b < FAKE_NBUCKETS; b++) {
				/* Drawn at the bucket's middle, in days. */
				double x = ((double)b + 0.5) * FAKE_BUCKET / 86400.0;
				double want = stacked(b, tier, 3 - layer);
				cr_assert(fabs(k->x[b] - x) <= 1e-9 * x, "x %.12g, want %.12g",
					  k->x[b], x);
				cr_assert(fabs(k->y[b] - want) <= 1e-9 * want,
					  "panel %zu %s bucket %zu: %g, want %g", panel, k->title, b,
					  k->y[b], want);
			}
		}
	free(c);
}

Test(plot, purchase_stacks_reserved_savings_plan_on_demand_spot_summed_over_regions)
{
	/* Web at 00:00: pools 0 and 1 run 4 and 8 instances, 12 in all; reserved 2 + 4 = 6,
	 * savings plan 1 + 2 = 3, on demand 1 + 2 = 3, spot 0; at 12:00 they run 24, of which
	 * on demand 2 + 4 = 6 and spot 3 + 6 = 9. */
	struct fake f;
	char *dir = fake_tmpdir();
	write_quoted_run(&f, dir);
	cr_assert_eq(stacked(0, 0, 3), 12.0, "the hand count above");
	cr_assert_eq(stacked(12, 0, 2), 15.0);
	assert_purchase_stack(dir);
	/* The top of the stack is every instance running. */
	for (size_t b = 0; b < FAKE_NBUCKETS; b++)
		cr_assert_eq(stacked(b, -1, 3), fake_ts(b, 4, RUN_TS_INSTANCES) +
			     fake_ts(b, 5, RUN_TS_INSTANCES));
	fake_release(&f);
	fake_rmtree(dir);
}

/* A tier's pools need not be neighbours in r.series (the scripts read a series' rows as a
 * line range of timeseries.csv): with pools 1 (web, us-east-1) and 2 (app, eu-west-1)
 * swapped, each tier's rows have the other's between them, and its panel still sums its own
 * pools only. */
Test(plot, purchase_sums_a_tier_whose_pools_are_not_neighbours)
{
	struct fake f;
	char *dir = fake_tmpdir(), err[512] = "";
	write_quoted_run(&f, dir);
	struct run_series tmp = f.r.series[1];
	f.r.series[1] = f.r.series[2];
	f.r.series[2] = tmp;
	for (size_t b = 0; b < FAKE_NBUCKETS; b++)
		for (int k = 0; k < RUN_TS_NFIELDS; k++) {
			double *x = &f.r.ts[(b * FAKE_NSERIES + 1) * RUN_TS_NFIELDS + k];
			double *y = &f.r.ts[(b * FAKE_NSERIES + 2) * RUN_TS_NFIELDS + k];
			double v = *x;
			*x = *y;
			*y = v;
		}
	char *ts = fake_path(dir, "timeseries.csv");
	cr_assert_eq(report_timeseries_csv(&f.r, ts, err, sizeof err), 0, "%s", err);
	cr_assert_eq(report_plot_scripts(&f.r, dir, err, sizeof err), 0, "%s", err);
	assert_purchase_stack(dir);
	free(ts);
	fake_release(&f);
	fake_rmtree(dir);
}

/* The rows of one region and tier in timeseries.csv's table t (region NULL: any). */
static size_t rows_of(const struct table *t, const char *region, const char *tier)
{
	size_t n = 0;
	for (size_t i = 1; i < t->nrows; i++)
		n += (!region || strcmp(t->cell[i][2], region) == 0) &&
		     strcmp(t->cell[i][3], tier) == 0;
	return n;
}

/* Each line of demand.gp reads a range of timeseries.csv's rows (`every ::FIRST::LAST`, data
 * rows counted from 0 after the header that `skip 1` passes over): the range of the line
 * titled "REGION demand" or "REGION capacity" in the panel of tier TIER ("all" for the whole
 * chains) holds exactly the rows of that region and tier, and gnuplot draws those rows'
 * values at their bucket's middle. */
Test(plot, each_demand_line_reads_exactly_its_series_rows)
{
	struct fake f;
	char *dir = fake_tmpdir(), err[512] = "";
	fake_init(&f);
	char *ts = fake_path(dir, "timeseries.csv"), *gp = fake_path(dir, "demand.gp");
	cr_assert_eq(report_timeseries_csv(&f.r, ts, err, sizeof err), 0, "%s", err);
	cr_assert_eq(report_plot_scripts(&f.r, dir, err, sizeof err), 0, "%s", err);
	struct table t;
	table_read(ts, &t);
	char *text = fake_slurp(gp, NULL), tier[64] = "";
	cr_assert_not_null(text);
	size_t nlines = 0, first[16], last[16];
	int col[16];
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		char *p;
		if (strncmp(line, "set title 'tier ", 16) == 0) {
			snprintf(tier, sizeof tier, "%.*s", (int)strcspn(line + 16, "'"), line + 16);
			continue;
		}
		if (strncmp(line, "set title 'whole chain", 22) == 0) {
			snprintf(tier, sizeof tier, "all");
			continue;
		}
		if (!(p = strstr(line, "\"timeseries.csv\" every ::")))
			continue;
		cr_assert_lt(nlines, 16);
		cr_assert_eq(sscanf(p, "\"timeseries.csv\" every ::%zu::%zu", &first[nlines],
				    &last[nlines]), 2, "%s", line);
		char *title = strstr(line, " title '");
		cr_assert_not_null(title, "%s", line);
		title += 8;
		char region[64];
		size_t len = strcspn(title, " ");
		snprintf(region, sizeof region, "%.*s", (int)len, title);
		cr_assert(strncmp(title + len, " demand'", 8) == 0 ||
			  strncmp(title + len, " capacity'", 10) == 0, "%s", line);
		col[nlines] = title[len + 1] == 'd' ? 4 + RUN_TS_DEMAND : 4 + RUN_TS_CAPACITY;
		cr_assert(tier[0], "a line before any panel: %s", line);
		/* Exactly the rows of this region and tier: all in the range are, and the range
		 * is as long as there are. */
		size_t a = first[nlines], b = last[nlines];
		cr_assert_leq(a, b, "%s", line);
		cr_assert_lt(1 + b, t.nrows, "%s: past the last row", line);
		for (size_t i = 1 + a; i <= 1 + b; i++) {
			cr_assert_str_eq(t.cell[i][2], region, "row %zu in %s", i, line);
			cr_assert_str_eq(t.cell[i][3], tier, "row %zu in %s", i, line);
		}
		cr_assert_eq(b - a + 1, rows_of(&t, region, tier), "%s", line);
		nlines++;
	}
	/* 3 panels (web, app, the chains) x 2 regions x demand and capacity. */
	cr_assert_eq(nlines, 12);
	cr_assert_eq(rows_of(&t, NULL, "all"), 2 * FAKE_NBUCKETS, "the chains' rows are all there");

	if (fake_have_gnuplot()) {
		size_t n;
		struct curve *c = fake_gnuplot_table(dir, "demand", &n);
		cr_assert_eq(n, nlines);
		for (size_t k = 0; k < n; k++) {
			cr_assert_eq(c[k].n, last[k] - first[k] + 1, "%s", c[k].title);
			for (size_t i = 0; i < c[k].n; i++) {
				char **row = t.cell[1 + first[k] + i];
				double x = strtod(row[1], NULL) + f.r.bucket / 2 / 86400.0;
				double y = strtod(row[col[k]], NULL);
				cr_assert(fabs(c[k].x[i] - x) <= 1e-9 * x, "%s: x %.12g, want %.12g",
					  c[k].title, c[k].x[i], x);
				cr_assert(fabs(c[k].y[i] - y) <= 1e-9 * fabs(y), "%s: y %.12g, want "
					  "%.12g", c[k].title, c[k].y[i], y);
			}
		}
		free(c);
	}
	free(text);
	table_release(&t);
	free(ts);
	free(gp);
	fake_release(&f);
	fake_rmtree(dir);
}

Test(plot, purchase_leaves_out_an_option_never_used)
{
	struct fake f;
	char *dir = fake_tmpdir(), err[512] = "";
	write_quoted_run(&f, dir);
	for (size_t i = 0; i < FAKE_NBUCKETS * FAKE_NSERIES; i++)
		f.r.ts[i * RUN_TS_NFIELDS + RUN_TS_PAID_SAVINGS_PLAN] = 0.0;
	char *ts = fake_path(dir, "timeseries.csv");
	cr_assert_eq(report_timeseries_csv(&f.r, ts, err, sizeof err), 0, "%s", err);
	cr_assert_eq(report_plot_scripts(&f.r, dir, err, sizeof err), 0, "%s", err);
	size_t n;
	struct curve *c = fake_gnuplot_table(dir, "purchase", &n);
	cr_assert_eq(n, 9, "3 panels x 3 options, got %zu", n);
	/* Web, bucket 12: on demand is now reserved 6 + on demand 6 = 12 (no savings plan). */
	cr_assert_str_eq(c[1].title, "on demand");
	cr_assert_str_eq(c[2].title, "reserved");
	cr_assert(fabs(c[1].y[12] - 12.0) < 1e-9, "%g", c[1].y[12]);
	cr_assert(fabs(c[0].y[12] - 21.0) < 1e-9, "spot on top: 12 + 9, got %g", c[0].y[12]);
	free(ts);
	free(c);
	fake_release(&f);
	fake_rmtree(dir);
}

/* bill.csv, timeseries.csv and the scripts of f in dir. The bill's y axis has its tics
 * listed, not a `set format y`, so gnuplot's table holds the numbers themselves. */
static void write_bill(struct fake *f, const char *dir)
{
	char err[512] = "";
	char *bill = fake_path(dir, "bill.csv"), *ts = fake_path(dir, "timeseries.csv");
	cr_assert_eq(report_timeseries_csv(&f->r, ts, err, sizeof err), 0, "%s", err);
	cr_assert_eq(report_bill_csv(&f->r, bill, err, sizeof err), 0, "%s", err);
	cr_assert_eq(report_plot_scripts(&f->r, dir, err, sizeof err), 0, "%s", err);
	free(bill);
	free(ts);
}

/* The text of f's bill.gp, written with write_bill into a new folder *dir (the caller
 * removes it). */
static char *bill_gp(struct fake *f, char **dir)
{
	*dir = fake_tmpdir();
	write_bill(f, *dir);
	char *gp = fake_path(*dir, "bill.gp"), *text = fake_slurp(gp, NULL);
	free(gp);
	return text;
}

Test(plot, bill_band_runs_from_p10_to_p90_around_the_mean_under_the_budget)
{
	/* 12 whole months; month m: mean 10000 + 500 m, P10 mean - 800, P90 mean + 900
	 * (fake_bill); the budget is 25,000 USD. Integers: compared exactly. */
	struct fake f;
	char *dir = fake_tmpdir(), err[512] = "";
	fake_init(&f);
	fake_set_months(&f, 12, 1.0);
	write_bill(&f, dir);
	char *gp = fake_path(dir, "bill.gp"), *text = fake_slurp(gp, NULL);
	cr_assert_null(strstr(text, "partial"), "12 whole months have no partial one");
	cr_assert_not_null(strstr(text, "budget $25,000 per month"));
	/* The axis: top = max(highest P90 10000 + 500·11 + 900 = 16400, budget 25000) =
	 * 25000; a sixth of it 4166.7 -> magnitude 1000, first nice step >= it 5 × 1000;
	 * 25000 × 1.05 = 26250 -> 6 steps, the axis ends at 30000. */
	cr_assert_null(strstr(text, "set format y"), "no mantissa format: %s", text);
	cr_assert_not_null(strstr(text, "set yrange [0:30000]\n"), "%s", text);
	cr_assert_not_null(strstr(text, "set ytics (\"$0\" 0, \"$5,000\" 5000, \"$10,000\" "
				  "10000, \"$15,000\" 15000, \"$20,000\" 20000, \"$25,000\" 25000, "
				  "\"$30,000\" 30000)\n"), "%s", text);
	size_t n;
	struct curve *c = fake_gnuplot_table(dir, "bill", &n);
	cr_assert_eq(n, 3, "band, mean, budget; got %zu", n);
	cr_assert_str_eq(c[0].title, "P10-P90 across replications");
	cr_assert_eq(c[0].n, 12);
	for (size_t m = 0; m < 12; m++) {
		cr_assert_eq(c[0].x[m], (double)(m + 1), "months are 1-based");
		cr_assert_eq(c[0].y[m], fake_bill((int)m, 1), "P10 of month %zu", m + 1);
		cr_assert_eq(c[0].more[m][0], fake_bill((int)m, 3), "P90 of month %zu", m + 1);
		cr_assert_eq(c[1].y[m], fake_bill((int)m, 0), "mean of month %zu", m + 1);
	}
	cr_assert_str_eq(c[1].title, "mean");
	cr_assert_eq(c[2].title[0] == 'b', 1, "%s", c[2].title);
	for (size_t i = 0; i < c[2].n; i++)
		cr_assert_eq(c[2].y[i], 25000.0);
	cr_assert_eq(report_plot_render(dir, err, sizeof err), 0, "%s", err);
	free(text);
	free(gp);
	free(c);
	fake_release(&f);
	fake_rmtree(dir);
}

/* A partial last month is drawn against its share of the budget, as the summary judges it:
 * 2 months, the second half long, a 25,000 USD budget: the line is at 25,000 over month 1
 * (x <= 1.5) and at 12,500 over month 2. */
Test(plot, the_budget_line_steps_down_to_its_share_over_a_partial_month)
{
	struct fake f;
	char *dir = fake_tmpdir();
	fake_init(&f);
	fake_set_months(&f, 2, 0.5);
	write_bill(&f, dir);
	char *gp = fake_path(dir, "bill.gp"), *text = fake_slurp(gp, NULL);
	cr_assert_not_null(strstr(text, "its share for the partial month $12,500"), "%s", text);
	size_t n;
	struct curve *c = fake_gnuplot_table(dir, "bill", &n);
	cr_assert_eq(n, 3, "band, mean, budget; got %zu", n);
	size_t before = 0, after = 0;
	for (size_t i = 0; i < c[2].n; i++) {
		double want = c[2].x[i] > 1.5 ? 12500.0 : 25000.0;
		cr_assert_float_eq(c[2].y[i], want, 1e-9, "x = %g", c[2].x[i]);
		before += c[2].x[i] < 1.5;
		after += c[2].x[i] > 1.5;
	}
	cr_assert(before > 0 && after > 0, "the line spans both months");
	free(text);
	free(gp);
	free(c);
	fake_release(&f);
	fake_rmtree(dir);
}

Test(plot, a_single_month_is_a_bar_with_its_p10_p90_bar_and_says_it_is_partial)
{
	/* The fake's 3 days: month 1 of 1, partial, 3 days of its 30.4. No budget here. */
	struct fake f;
	char *dir = fake_tmpdir(), err[512] = "";
	fake_init(&f);
	f.sc.budget_monthly = 0;
	write_bill(&f, dir);
	char *gp = fake_path(dir, "bill.gp"), *text = fake_slurp(gp, NULL);
	cr_assert_not_null(strstr(text, "month 1 is partial: 3 days"), "%s", text);
	cr_assert_null(strstr(text, "budget"));
	/* top = P90 10900 (no budget); a sixth 1816.7 -> magnitude 1000, step 2 × 1000;
	 * 10900 × 1.05 = 11445 -> 6 steps: 0 to 12000. */
	cr_assert_not_null(strstr(text, "set yrange [0:12000]\nset ytics (\"$0\" 0, \"$2,000\" "
				  "2000, "), "%s", text);
	cr_assert_not_null(strstr(text, "\"$12,000\" 12000)\n"), "%s", text);
	size_t n;
	struct curve *c = fake_gnuplot_table(dir, "bill", &n);
	cr_assert_eq(n, 2, "bar and error bar; got %zu", n);
	cr_assert_eq(c[0].n, 1);
	cr_assert_eq(c[0].y[0], fake_bill(0, 0), "the bar is the mean");
	/* yerrorbars: x y ylow yhigh. */
	cr_assert_eq(c[1].nv, 4);
	cr_assert_eq(c[1].y[0], fake_bill(0, 0));
	cr_assert_eq(c[1].more[0][0], fake_bill(0, 1), "from P10");
	cr_assert_eq(c[1].more[0][1], fake_bill(0, 3), "to P90");
	cr_assert_eq(report_plot_render(dir, err, sizeof err), 0, "%s", err);
	free(text);
	free(gp);
	free(c);
	fake_release(&f);
	fake_rmtree(dir);
}

Test(plot, a_budget_far_above_the_bill_stays_off_its_axis)
{
	/* 12 months, highest P90 10000 + 500·11 + 900 = 16400; a budget of 100,000 is more
	 * than twice that, so the axis is the bill's own: a sixth of 16400 is 2733 ->
	 * magnitude 1000, step 5 × 1000; 16400 × 1.05 = 17220 -> 4 steps, 0 to 20000. The key
	 * still names the budget, and says where it is. */
	struct fake f;
	char *dir;
	fake_init(&f);
	fake_set_months(&f, 12, 1.0);
	f.sc.budget_monthly = 100000;
	char *text = bill_gp(&f, &dir);
	cr_assert_not_null(strstr(text, "set yrange [0:20000]\n"), "%s", text);
	cr_assert_not_null(strstr(text, "\"$20,000\" 20000)\n"), "%s", text);
	cr_assert_not_null(strstr(text, "budget $100,000 per month (far above the axis)"), "%s",
			   text);
	free(text);
	fake_release(&f);
	fake_rmtree(dir);
}

Test(plot, a_bill_of_cents_has_its_axis_in_cents)
{
	/* One month: P90 $1.30, no budget. A sixth of 1.3 is 0.2167 -> magnitude 0.1, first
	 * nice step >= it 2.5 × 0.1 = 0.25; 1.3 × 1.05 = 1.365 -> 6 steps: 0 to 1.5. */
	struct fake f;
	char *dir, err[512] = "";
	fake_init(&f);
	f.sc.budget_monthly = 0;
	f.r.bills[0] = (struct run_bill){ 0, 1.0, 0.9, 1.0, 1.3, 1.4 };
	char *text = bill_gp(&f, &dir);
	cr_assert_not_null(strstr(text, "set yrange [0:1.5]\nset ytics (\"$0.00\" 0, \"$0.25\" "
				  "0.25, \"$0.50\" 0.5, \"$0.75\" 0.75, \"$1.00\" 1, \"$1.25\" 1.25, "
				  "\"$1.50\" 1.5)\n"), "%s", text);
	cr_assert_eq(report_plot_render(dir, err, sizeof err), 0, "%s", err);
	free(text);
	fake_release(&f);
	fake_rmtree(dir);
}

Test(plot, gnuplot_draws_every_png)
{
	static const unsigned char magic[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
	struct fake f;
	char *dir = fake_tmpdir(), err[512] = "";
	write_quoted_run(&f, dir);
	cr_assert_eq(report_plot_render(dir, err, sizeof err), 0, "%s", err);
	for (int i = 0; i < REPORT_NPLOTS; i++) {
		char name[32];
		size_t len;
		snprintf(name, sizeof name, "%s.png", report_plot_names[i]);
		char *path = fake_path(dir, name), *png = fake_slurp(path, &len);
		cr_assert_not_null(png, "%s missing", name);
		cr_assert_gt(len, sizeof magic);
		cr_assert_eq(memcmp(png, magic, sizeof magic), 0, "%s is not a PNG", name);
		snprintf(name, sizeof name, "%s.png.", report_plot_names[i]);
		cr_assert(!any_with_prefix(dir, name), "%s* left behind", name);
		free(png);
		free(path);
	}
	fake_release(&f);
	fake_rmtree(dir);
}

/* Two capsims drawing into one folder at once: each renders under a name of its own, so one
 * never renames away (or writes into) the other's partial PNG. Another's "demand.png.tmp"
 * stands for it here. */
Test(plot, the_temporary_png_is_private_to_one_render)
{
	struct fake f;
	char *dir = fake_tmpdir(), err[512] = "";
	write_quoted_run(&f, dir);
	char *other = fake_path(dir, "demand.png.tmp");
	FILE *fp = fopen(other, "w");
	cr_assert_not_null(fp);
	fputs("another capsim's partial PNG", fp);
	fclose(fp);
	cr_assert_eq(report_plot_render_one(dir, "demand", err, sizeof err), 0, "%s", err);
	size_t len;
	char *text = fake_slurp(other, &len);
	cr_assert_not_null(text, "the other render's file was renamed away");
	cr_assert_str_eq(text, "another capsim's partial PNG");
	cr_assert(exists(dir, "demand.png"));
	free(text);
	free(other);
	fake_release(&f);
	fake_rmtree(dir);
}

Test(plot, no_gnuplot_on_path_is_enotfound)
{
	struct fake f;
	char *dir = fake_tmpdir(), *empty = fake_tmpdir(), err[512] = "";
	write_quoted_run(&f, dir);
	cr_assert_eq(setenv("PATH", empty, 1), 0);   /* Criterion runs each test in its own process */
	cr_assert_eq(report_plot_render(dir, err, sizeof err), CAPSIM_ENOTFOUND);
	cr_assert_not_null(strstr(err, "gnuplot"), "err: %s", err);
	cr_assert(!exists(dir, "demand.png"));
	cr_assert(!any_with_prefix(dir, "demand.png."));
	fake_release(&f);
	fake_rmtree(empty);
	fake_rmtree(dir);
}

Test(plot, a_failing_script_names_itself_and_gnuplots_message)
{
	char *dir = fake_tmpdir(), *path = fake_path(dir, "demand.gp"), err[512] = "";
	FILE *fp = fopen(path, "w");
	cr_assert_not_null(fp);
	fputs("set terminal pngcairo\nset output outfile\nplot no_such_function(x)\n", fp);
	fclose(fp);
	cr_assert_eq(report_plot_render(dir, err, sizeof err), CAPSIM_EIO);
	cr_assert_not_null(strstr(err, "demand.gp"), "err: %s", err);
	cr_assert_not_null(strstr(err, "line 3: undefined function: no_such_function"),
			   "err: %s", err);
	cr_assert(!exists(dir, "demand.png"));
	cr_assert(!any_with_prefix(dir, "demand.png."), "the partial PNG was left behind");
	free(path);
	fake_rmtree(dir);
}

Test(plot, a_missing_folder_is_eio)
{
	char err[512] = "";
	cr_assert_eq(report_plot_render("/nonexistent-capsim", err, sizeof err), CAPSIM_EIO);
	cr_assert_str_eq(err, "/nonexistent-capsim: No such file or directory");
}

/* The fake run's $50 of unused commitments over its 3 days are 50 × 730 / 72 = 506.94 USD a
 * month (rounded to cents), named; with no room for the names (len 0, what NULL) the sum is
 * the same and nothing is written. */
Test(plot, unshown_monthly_names_its_parts_and_takes_no_buffer)
{
	struct fake f;
	fake_init(&f);
	char what[64];
	cr_assert_float_eq(report_unshown_monthly(&f.r, what, sizeof what), 506.94, 1e-9);
	cr_assert_str_eq(what, "unused commitments");
	cr_assert_float_eq(report_unshown_monthly(&f.r, NULL, 0), 506.94, 1e-9);
	char tiny[4] = "xyz";
	cr_assert_float_eq(report_unshown_monthly(&f.r, tiny, 1), 506.94, 1e-9);
	cr_assert_str_eq(tiny, "");
	fake_release(&f);
}

/* report.md without a run_meta (documented as allowed): titled as a plain run. */
Test(plot, report_md_without_meta_is_a_plain_runs_page)
{
	struct fake f;
	fake_init(&f);
	char *dir = fake_tmpdir(), *path = fake_path(dir, "report.md");
	cr_assert_eq(report_markdown(&f.r, NULL, dir, 0, NULL, 0), 0);
	char *text = fake_slurp(path, NULL);
	cr_assert(strncmp(text, "# capsim run: `shop`\n", 21) == 0, "%.60s", text);
	free(text);
	free(path);
	fake_release(&f);
	fake_rmtree(dir);
}
