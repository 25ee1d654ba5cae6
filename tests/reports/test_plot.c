/* Plot scripts: names escaped, the cost data split by day, and gnuplot drawing real PNGs. */
#include <criterion/criterion.h>
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

/* A fake run whose tier and region names carry a quote, with its CSV and scripts in dir. */
static void write_quoted_run(struct fake *f, const char *dir)
{
	char err[512] = "";
	fake_init(f);
	f->tiers[1].name = (char *)"o'brien";
	f->regions[1].name = (char *)"us'east";
	char *ts = fake_path(dir, "timeseries.csv");
	cr_assert_eq(report_timeseries_csv(&f->r, ts, err, sizeof err), 0, "%s", err);
	cr_assert_eq(report_plot_scripts(&f->r, dir, err, sizeof err), 0, "%s", err);
	free(ts);
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
		 * appear with a lone quote. */
		if (i != 3)   /* cost is drawn per tier only */
			cr_assert_not_null(strstr(text, "'us''east'"), "%s", name);
		cr_assert_null(strstr(text, "us'east"), "%s has an unescaped name", name);
		if (i != 2)   /* latency draws the chains only */
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
	cr_assert_eq(t.ncols[0], 4);
	cr_assert_str_eq(t.cell[0][0], "day");
	cr_assert_str_eq(t.cell[0][3], "cost_usd");
	cr_assert_eq(t.nrows, 1 + 3 * 4, "3 days x 4 pools, chains left out");
	for (size_t d = 0; d < 3; d++)
		for (size_t s = 0; s < 4; s++) {
			char **row = t.cell[1 + d * 4 + s];
			cr_assert_eq(strtod(row[0], NULL), (double)d);
			cr_assert_str_eq(row[1], s % 2 ? "us-east-1" : "eu-west-1");
			cr_assert_str_eq(row[2], s / 2 ? "app" : "web");
			/* Sums of 24 small integers: exact in binary floating point. */
			cr_assert_eq(strtod(row[3], NULL), 36.0 * (double)(s + 1), "day %zu pool %zu: %s",
				     d, s, row[3]);
		}
	table_release(&t);
	fake_release(&f);
	free(path);
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

Test(plot, gnuplot_draws_four_pngs)
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
		snprintf(name, sizeof name, "%s.png.tmp", report_plot_names[i]);
		cr_assert(!exists(dir, name), "%s left behind", name);
		free(png);
		free(path);
	}
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
	cr_assert(!exists(dir, "demand.png.tmp"));
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
	cr_assert(!exists(dir, "demand.png.tmp"), "the partial PNG was left behind");
	free(path);
	fake_rmtree(dir);
}

Test(plot, a_missing_folder_is_eio)
{
	char err[512] = "";
	cr_assert_eq(report_plot_render("/nonexistent-capsim", err, sizeof err), CAPSIM_EIO);
	cr_assert_str_eq(err, "/nonexistent-capsim: No such file or directory");
}
