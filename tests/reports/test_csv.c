/* The CSV files read back with libcsv: headers, row counts, values and quoting. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "reports/report.h"
#include "sim/error.h"
#include "tests/reports/fake.h"

/* Numbers go out with 10 significant digits, so a value read back differs from the one
 * written by at most half a unit in the 10th digit: 5e-10 relative. */
static void assert_num(const char *field, double want, const char *what)
{
	char *end;
	double got = strtod(field, &end);
	cr_assert(end != field && *end == '\0', "%s: \"%s\" is not a number", what, field);
	cr_assert(fabs(got - want) <= 5e-10 * fabs(want), "%s: got %.17g, want %.17g", what, got,
		  want);
}

static void assert_header(const struct table *t, const char *const *names, size_t n)
{
	cr_assert_geq(t->nrows, 1);
	cr_assert_eq(t->ncols[0], n, "header has %zu fields, want %zu", t->ncols[0], n);
	for (size_t i = 0; i < n; i++)
		cr_assert_str_eq(t->cell[0][i], names[i]);
}

/* Every row has as many fields as the header. */
static void assert_rectangular(const struct table *t)
{
	for (size_t i = 1; i < t->nrows; i++)
		cr_assert_eq(t->ncols[i], t->ncols[0], "row %zu has %zu fields", i, t->ncols[i]);
}

Test(csv, summary_has_one_row_per_metric_in_order)
{
	struct fake f;
	fake_init(&f);
	char *dir = fake_tmpdir(), *path = fake_path(dir, "summary.csv");
	cr_assert_eq(report_summary_csv(&f.r, path, NULL, 0), 0);

	/* The header line is a contract: compare its bytes. */
	char *text = fake_slurp(path, NULL);
	const char head[] = "metric,unit,mean,ci95_low,ci95_high,p5,p50,p95\n";
	cr_assert_eq(strncmp(text, head, strlen(head)), 0);
	free(text);

	struct table t;
	table_read(path, &t);
	static const char *const names[] = { "metric", "unit", "mean", "ci95_low", "ci95_high",
					     "p5", "p50", "p95" };
	assert_header(&t, names, 8);
	assert_rectangular(&t);
	cr_assert_eq(t.nrows, 1 + f.r.nmetrics);
	for (size_t i = 0; i < f.r.nmetrics; i++) {
		const struct run_metric *m = &f.r.metrics[i];
		cr_assert_str_eq(t.cell[1 + i][0], m->name);
		cr_assert_str_eq(t.cell[1 + i][1], m->unit);
	}
	/* availability: 0.99951 +- 0.0001, p5/p95 at +-1.5 half-widths (fake.c). */
	assert_num(t.cell[1][2], 0.99951, "mean");
	assert_num(t.cell[1][3], 0.99941, "ci95_low");
	assert_num(t.cell[1][4], 0.99961, "ci95_high");
	assert_num(t.cell[1][5], 0.99936, "p5");
	assert_num(t.cell[1][7], 0.99966, "p95");
	/* The last metric has only a mean: NaN is an empty field. */
	size_t last = f.r.nmetrics;
	assert_num(t.cell[last][2], 42.0, "rto mean");
	for (int j = 3; j < 8; j++)
		cr_assert_str_eq(t.cell[last][j], "");
	table_release(&t);
	fake_release(&f);
	free(path);
	fake_rmtree(dir);
}

Test(csv, timeseries_has_one_row_per_bucket_and_series)
{
	struct fake f;
	fake_init(&f);
	char *dir = fake_tmpdir(), *path = fake_path(dir, "timeseries.csv");
	cr_assert_eq(report_timeseries_csv(&f.r, path, NULL, 0), 0);
	struct table t;
	table_read(path, &t);
	static const char *const names[] = { "time_s", "day", "region", "tier", "demand_rps",
		"capacity_rps", "instances", "in_service", "utilization", "wait_prob",
		"latency_pct_s", "served_rps", "failed_rps", "cost_per_hour", "paid_on_demand",
		"paid_spot", "paid_reserved", "paid_savings_plan" };
	cr_assert_eq(RUN_TS_NFIELDS, 14, "names[] above lists the 14 fields of run.h");
	assert_header(&t, names, 18);
	assert_rectangular(&t);
	cr_assert_eq(t.nrows, 1 + FAKE_NBUCKETS * FAKE_NSERIES);   /* 1 + 72 * 6 = 433 */

	/* Bucket 30 (30 h = 108000 s = 1.25 days), series 5: us-east-1's chain; the rows are
	 * series-major, 72 buckets a series after the header. */
	size_t b = 30, s = 5;
	char **row = t.cell[1 + s * FAKE_NBUCKETS + b];
	assert_num(row[0], 108000.0, "time_s");
	assert_num(row[1], 1.25, "day");
	cr_assert_str_eq(row[2], "us-east-1");
	cr_assert_str_eq(row[3], "all");
	for (int k = 0; k < RUN_TS_NFIELDS; k++)
		assert_num(row[4 + k], fake_ts(b, s, k), run_ts_name[k]);
	/* Series 2: tier app (1) in eu-west-1 (0); bucket 0 starts at 0. */
	row = t.cell[1 + 2 * FAKE_NBUCKETS];
	cr_assert_str_eq(row[0], "0");
	cr_assert_str_eq(row[2], "eu-west-1");
	cr_assert_str_eq(row[3], "app");
	assert_num(row[4 + RUN_TS_COST_RATE], 3.0, "cost rate of pool 2 at 00:00 (s + 1)");
	/* Pool 2 at 00:00 runs 4 (s + 1) = 12 instances: 2 (s + 1) = 6 reserved, (s + 1) = 3 by
	 * savings plan, a quarter (3) on demand, no spot. */
	assert_num(row[4 + RUN_TS_INSTANCES], 12.0, "instances");
	assert_num(row[4 + RUN_TS_PAID_RESERVED], 6.0, "paid_reserved");
	assert_num(row[4 + RUN_TS_PAID_SAVINGS_PLAN], 3.0, "paid_savings_plan");
	assert_num(row[4 + RUN_TS_PAID_ON_DEMAND], 3.0, "paid_on_demand");
	cr_assert_str_eq(row[4 + RUN_TS_PAID_SPOT], "0");
	table_release(&t);
	fake_release(&f);
	free(path);
	fake_rmtree(dir);
}

/* What the plot scripts' `every ::FIRST::LAST` ranges rely on (report_gp_ts_rows): each
 * series' rows form one block, the blocks come in the order of r.series, and within a block
 * every bucket comes once, in time order. */
Test(csv, timeseries_is_series_major_with_time_increasing_within_each_series)
{
	struct fake f;
	fake_init(&f);
	char *dir = fake_tmpdir(), *path = fake_path(dir, "timeseries.csv");
	cr_assert_eq(report_timeseries_csv(&f.r, path, NULL, 0), 0);
	struct table t;
	table_read(path, &t);
	cr_assert_eq(t.nrows, 1 + FAKE_NBUCKETS * FAKE_NSERIES);
	size_t block = 0, in_block = 0;
	double prev = -1;
	for (size_t i = 1; i < t.nrows; i++) {
		const char *region = t.cell[i][2], *tier = t.cell[i][3];
		double time = strtod(t.cell[i][0], NULL);
		/* A row of another series than the last one's starts the next block. */
		if (i > 1 && (strcmp(region, t.cell[i - 1][2]) || strcmp(tier, t.cell[i - 1][3]))) {
			cr_assert_eq(in_block, FAKE_NBUCKETS, "block %zu has %zu rows", block,
				     in_block);
			block++;
			in_block = 0;
		}
		cr_assert_lt(block, FAKE_NSERIES, "row %zu: more blocks than series", i);
		const struct run_series *s = &f.r.series[block];
		cr_assert_str_eq(region, report_region_name(&f.r, (long)s->region), "row %zu", i);
		cr_assert_str_eq(tier, report_tier_name(&f.r, s->tier), "row %zu", i);
		if (in_block == 0)
			cr_assert_eq(time, 0.0, "row %zu: a block starts at the first bucket", i);
		else
			cr_assert_eq(time - prev, f.r.bucket, "row %zu: the next bucket", i);
		prev = time;
		in_block++;
	}
	cr_assert_eq(block, FAKE_NSERIES - 1, "every series has its block");
	cr_assert_eq(in_block, FAKE_NBUCKETS);
	table_release(&t);
	fake_release(&f);
	free(path);
	fake_rmtree(dir);
}

Test(csv, cost_months_are_one_based)
{
	struct fake f;
	fake_init(&f);
	f.r.costs[3].month = 4;
	char *dir = fake_tmpdir(), *path = fake_path(dir, "cost.csv");
	cr_assert_eq(report_cost_csv(&f.r, path, NULL, 0), 0);
	struct table t;
	table_read(path, &t);
	static const char *const names[] = { "month", "region", "tier", "purchase_option",
		"mean_usd", "ci95_low", "ci95_high", "p5", "p50", "p95" };
	assert_header(&t, names, 10);
	assert_rectangular(&t);
	cr_assert_eq(t.nrows, 1 + FAKE_NCOSTS);
	/* costs[1]: month 0, region 1, tier 0, 36 * 3 * 2 = 216 USD +- 1. */
	cr_assert_str_eq(t.cell[2][0], "1");
	cr_assert_str_eq(t.cell[2][1], "us-east-1");
	cr_assert_str_eq(t.cell[2][2], "web");
	cr_assert_str_eq(t.cell[2][3], "on_demand");
	assert_num(t.cell[2][4], 216.0, "mean_usd");
	assert_num(t.cell[2][5], 215.0, "ci95_low");
	assert_num(t.cell[2][6], 217.0, "ci95_high");
	cr_assert_str_eq(t.cell[4][0], "5", "0-based month 4 is month 5 in the file");
	/* Options other than on demand, and the unused commitment about no region or tier. */
	cr_assert_str_eq(t.cell[5][3], "spot");
	assert_num(t.cell[5][4], 50.0, "spot mean_usd");
	cr_assert_str_eq(t.cell[6][1], "all");
	cr_assert_str_eq(t.cell[6][2], "all");
	cr_assert_str_eq(t.cell[6][3], "unused_commitment");
	assert_num(t.cell[6][6], 55.0, "unused ci95_high: 50 + 5");
	table_release(&t);
	fake_release(&f);
	free(path);
	fake_rmtree(dir);
}

Test(csv, bill_has_one_row_per_month_one_based_with_its_percentiles)
{
	/* 3 months, the last one half: month m (0-based) has mean 10000 + 500 m and P10, P50,
	 * P90, P95 at -800, -50, +900, +1300 from it (fake_bill). */
	struct fake f;
	fake_init(&f);
	fake_set_months(&f, 3, 0.5);
	char *dir = fake_tmpdir(), *path = fake_path(dir, "bill.csv");
	char err[256] = "";
	cr_assert_eq(report_bill_csv(&f.r, path, err, sizeof err), 0, "%s", err);
	char *text = fake_slurp(path, NULL);
	const char head[] = "month,mean_usd,p10,p50,p90,p95\n";
	cr_assert_eq(strncmp(text, head, strlen(head)), 0, "%s", text);
	free(text);
	struct table t;
	table_read(path, &t);
	assert_rectangular(&t);
	cr_assert_eq(t.nrows, 1 + 3);
	for (int m = 0; m < 3; m++) {
		char **row = t.cell[1 + m];
		char want[16];
		snprintf(want, sizeof want, "%d", m + 1);
		cr_assert_str_eq(row[0], want, "months are 1-based");
		assert_num(row[1], 10000.0 + 500.0 * m, "mean_usd");
		assert_num(row[2], 10000.0 + 500.0 * m - 800.0, "p10");
		assert_num(row[3], 10000.0 + 500.0 * m - 50.0, "p50");
		assert_num(row[4], 10000.0 + 500.0 * m + 900.0, "p90");
		assert_num(row[5], 10000.0 + 500.0 * m + 1300.0, "p95");
	}
	table_release(&t);
	/* A run without months has the header alone. */
	f.r.nbills = 0;
	cr_assert_eq(report_bill_csv(&f.r, path, NULL, 0), 0);
	text = fake_slurp(path, NULL);
	cr_assert_str_eq(text, head);
	free(text);
	fake_release(&f);
	free(path);
	fake_rmtree(dir);
}

Test(csv, events_quote_details_and_leave_unknown_places_empty)
{
	struct fake f;
	fake_init(&f);
	char *dir = fake_tmpdir(), *path = fake_path(dir, "events.csv");
	cr_assert_eq(report_events_csv(&f.r, path, NULL, 0), 0);
	struct table t;
	table_read(path, &t);
	static const char *const names[] = { "replication", "time_s", "day", "region", "tier",
					     "kind", "value", "detail" };
	assert_header(&t, names, 8);
	assert_rectangular(&t);
	cr_assert_eq(t.nrows, 1 + FAKE_NEVENTS);
	cr_assert_str_eq(t.cell[1][0], "0");
	cr_assert_str_eq(t.cell[1][3], "eu-west-1");
	cr_assert_str_eq(t.cell[1][4], "web");
	cr_assert_str_eq(t.cell[1][5], "scale_out");
	assert_num(t.cell[1][6], 5.0, "value");
	/* A comma and quotes survive the round trip; region and tier -1 are empty. */
	cr_assert_str_eq(t.cell[2][3], "");
	cr_assert_str_eq(t.cell[2][4], "");
	cr_assert_str_eq(t.cell[2][7], "latency 0.7 s, \"p99\" above target");
	assert_num(t.cell[2][2], 0.5, "day of 43200 s");
	/* Spaces at the ends are kept (libcsv trims them from bare fields). */
	cr_assert_str_eq(t.cell[3][7], " padded ");
	assert_num(t.cell[3][1], 100.5, "time_s");
	table_release(&t);

	/* The raw text quotes the detail the CSV way: "" for a quote. */
	char *text = fake_slurp(path, NULL);
	cr_assert_not_null(strstr(text, ",\"latency 0.7 s, \"\"p99\"\" above target\"\n"));
	free(text);
	fake_release(&f);
	free(path);
	fake_rmtree(dir);
}

Test(csv, names_with_commas_are_quoted)
{
	struct fake f;
	fake_init(&f);
	f.regions[0].name = (char *)"eu,west";
	char *dir = fake_tmpdir(), *path = fake_path(dir, "timeseries.csv");
	cr_assert_eq(report_timeseries_csv(&f.r, path, NULL, 0), 0);
	struct table t;
	table_read(path, &t);
	assert_rectangular(&t);
	cr_assert_str_eq(t.cell[1][2], "eu,west");
	table_release(&t);
	fake_release(&f);
	free(path);
	fake_rmtree(dir);
}

Test(csv, unwritable_path_names_the_file)
{
	struct fake f;
	fake_init(&f);
	char err[256] = "";
	cr_assert_eq(report_summary_csv(&f.r, "/nonexistent-capsim/summary.csv", err, sizeof err),
		     CAPSIM_EIO);
	cr_assert_str_eq(err, "/nonexistent-capsim/summary.csv: No such file or directory");
	cr_assert_eq(report_bill_csv(&f.r, "/nonexistent-capsim/bill.csv", err, sizeof err),
		     CAPSIM_EIO);
	cr_assert_str_eq(err, "/nonexistent-capsim/bill.csv: No such file or directory");
	fake_release(&f);
}
