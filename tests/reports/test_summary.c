/* The text summary's SLO verdicts and figures, and the JSON summary read back with cJSON. */
#include <criterion/criterion.h>
#include <cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "models/run.h"
#include "reports/report.h"
#include "sim/error.h"
#include "tests/reports/fake.h"

/* The summary of f as a malloc'd string. */
static char *summary(struct fake *f)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	cr_assert_not_null(out);
	cr_assert_eq(report_summary_text(&f->r, out), 0);
	fclose(out);
	return buf;
}

/* The line of text starting with prefix, copied into line. */
static void find_line(const char *text, const char *prefix, char *line, size_t len)
{
	for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (strncmp(p, prefix, strlen(prefix)) == 0) {
			size_t n = strcspn(p, "\n");
			cr_assert_lt(n, len);
			memcpy(line, p, n);
			line[n] = '\0';
			return;
		}
	cr_assert_fail("no line starts with \"%s\" in:\n%s", prefix, text);
}

/* Sets metric name's statistics (it must exist). */
static void set_metric(struct fake *f, const char *name, double mean, double lo, double hi)
{
	for (size_t i = 0; i < f->r.nmetrics; i++)
		if (strcmp(f->r.metrics[i].name, name) == 0) {
			f->r.metrics[i].stat = (struct run_stat){ mean, lo, hi, lo, mean, hi };
			return;
		}
	cr_assert_fail("no metric %s", name);
}

/* Every line of text is at most 100 columns. */
static void assert_narrow(const char *text)
{
	for (const char *p = text; *p; p += strcspn(p, "\n") + 1)
		cr_assert_leq(strcspn(p, "\n"), 100, "%.*s", (int)strcspn(p, "\n"), p);
}

/* The SLO target is 99.9 %; the verdict follows the interval, not the mean. */
static void check_availability(double mean, double lo, double hi, const char *want)
{
	struct fake f;
	fake_init(&f);
	fake_set_availability(&f, mean, lo, hi);
	char *text = summary(&f), line[256];
	find_line(text, "availability", line, sizeof line);
	char expect[64];
	snprintf(expect, sizeof expect, "SLO 99.9 %%: %s", want);
	cr_assert_not_null(strstr(line, expect), "want \"%s\" in: %s", expect, line);
	free(text);
	fake_release(&f);
}

Test(summary, availability_met_when_the_whole_interval_clears_the_target)
{
	/* 0.9990 <= 0.99941: met, although ci95_low is only 0.00041 above it. */
	check_availability(0.99951, 0.99941, 0.99961, "met");
	/* ci95_low exactly at the target is met (>=). */
	check_availability(0.9995, 0.999, 0.9999, "met");
}

Test(summary, availability_missed_when_the_whole_interval_is_below)
{
	check_availability(0.9985, 0.9980, 0.99899, "missed");
}

Test(summary, availability_uncertain_when_the_interval_straddles_the_target)
{
	/* The mean clears the target, the interval does not: uncertain, not met. */
	check_availability(0.9992, 0.9985, 0.9999, "uncertain");
	/* The mean misses it, the interval reaches it: uncertain, not missed. */
	check_availability(0.9988, 0.9980, 0.9991, "uncertain");
}

Test(summary, one_replication_has_no_interval_and_says_so)
{
	/* run_stat_of gives one value no interval (NaN), not a zero-width one: 99.97% from one
	 * replication does not show the 99.9% SLO is met. */
	struct run_stat st;
	double v[1] = { 0.9997 };
	run_stat_of(v, 1, 0, 1, &st);
	cr_assert_eq(st.mean, 0.9997);
	cr_assert(isnan(st.ci95_low) && isnan(st.ci95_high));
	cr_assert_eq(st.p50, 0.9997);
	struct fake f;
	fake_init(&f);
	f.r.reps = 1;
	set_metric(&f, "availability", st.mean, st.ci95_low, st.ci95_high);
	char *text = summary(&f), line[256];
	cr_assert_not_null(strstr(text, "no interval from 1 replication"), "%s", text);
	find_line(text, "availability", line, sizeof line);
	cr_assert_not_null(strstr(line, "SLO 99.9 %: uncertain"), "%s", line);
	cr_assert_null(strchr(line, '['), "no interval printed: %s", line);
	free(text);
	fake_release(&f);
}

/* Appends metric name (the fake's array has room for 64). */
static void append_metric(struct fake *f, const char *name, const char *unit, double mean,
			  double p95)
{
	cr_assert_lt(f->r.nmetrics, 64);
	struct run_metric *m = &f->r.metrics[f->r.nmetrics++];
	snprintf(m->name, sizeof m->name, "%s", name);
	snprintf(m->unit, sizeof m->unit, "%s", unit);
	m->stat = (struct run_stat){ mean, mean, mean, mean, mean, p95 };
}

Test(summary, long_labels_dust_and_empty_advice_read_plainly)
{
	struct fake f;
	fake_init(&f);
	/* A tier name that makes "  checkout-service-frontend in eu-west-1" 40 columns: the
	 * label stands on its own line, whole, and the figures go under it. */
	f.tiers[0].name = (char *)"checkout-service-frontend";
	for (size_t i = 0; i < f.r.nmetrics; i++)
		if (strcmp(f.r.metrics[i].name, "utilization.web.eu-west-1") == 0)
			snprintf(f.r.metrics[i].name, sizeof f.r.metrics[i].name,
				 "utilization.checkout-service-frontend.eu-west-1");
	/* 1.48e-166 requests timed out, as the fluid model can compute: 0 to a reader. */
	set_metric(&f, "requests_timed_out", 1.48e-166, 1.48e-166, 1.48e-166);
	/* Reservation advice of 0 in every replication is no advice; 2 is. */
	append_metric(&f, "ri_breakeven.c6i.large.eu-west-1", "instances", 0, 0);
	append_metric(&f, "ri_breakeven.m6i.xlarge.us-east-1", "instances", 2, 2);
	append_metric(&f, "ri_breakeven_saving.m6i.xlarge.us-east-1", "USD", 115.49, 120);
	char *text = summary(&f), line[256];
	assert_narrow(text);
	const char *label = strstr(text, "utilization\n  checkout-service-frontend in eu-west-1\n");
	cr_assert_not_null(label, "%s", text);
	const char *next = strchr(strchr(label, '\n') + 1, '\n') + 1;
	cr_assert_eq(strncmp(next, "                               ", 31), 0,
		     "the figures under the label: %.60s", next);
	cr_assert_not_null(strstr(next, "61.00 %"), "%.80s", next);
	find_line(text, "tier requests timed out", line, sizeof line);
	cr_assert_not_null(strstr(line, " 0  [0, 0]"), "%s", line);
	cr_assert_null(strstr(line, "e-"), "%s", line);
	cr_assert_null(strstr(text, "c6i.large.eu-west-1"), "%s", text);
	find_line(text, "  reserve m6i.xlarge.us-east-1", line, sizeof line);
	cr_assert_not_null(strstr(line, "saves $115.49"), "%s", line);
	free(text);
	/* One month, partial: one day of it, in the singular. */
	fake_set_months(&f, 1, 86400.0 / SCENARIO_MONTH);
	text = summary(&f);
	find_line(text, "monthly bill", line, sizeof line);
	cr_assert_not_null(strstr(line, "(partial: 1 day)"), "%s", line);
	free(text);
	fake_release(&f);
}

Test(summary, headline_and_figures_are_formatted_with_units)
{
	struct fake f;
	fake_init(&f);
	char *text = summary(&f), line[256];
	find_line(text, "scenario", line, sizeof line);
	cr_assert_str_eq(line, "scenario   shop");
	/* 259200 s = 3 days; 60 s steps; 20 replications; seed 42; 2 threads. */
	find_line(text, "horizon", line, sizeof line);
	cr_assert_str_eq(line, "horizon    3 days (step 1 min), 20 replications, seed 42, 2 threads");
	/* 0.99951 is 1 - 4.9e-4: 4 decimals of percent tell it from 99.95 %. */
	find_line(text, "availability", line, sizeof line);
	cr_assert_not_null(strstr(line, "99.9510 %  [99.9410 %, 99.9610 %]"), "%s", line);
	/* p99 latency 0.231 +- 0.02 s against 0.5 s: the whole interval is below, met. */
	find_line(text, "p99 latency", line, sizeof line);
	cr_assert_not_null(strstr(line, "0.231 s  [0.211 s, 0.251 s]"), "%s", line);
	cr_assert_not_null(strstr(line, "SLO 0.5 s: met"), "%s", line);
	/* 12345.67 +- 100 USD under a 25,000 USD budget. */
	find_line(text, "cost per month", line, sizeof line);
	cr_assert_not_null(strstr(line, "$12,345.67  [$12,245.67, $12,445.67]"), "%s", line);
	cr_assert_not_null(strstr(line, "budget $25,000: within"), "%s", line);
	find_line(text, "requests offered", line, sizeof line);
	cr_assert_not_null(strstr(line, "259,000,000  [258,000,000, 260,000,000]"), "%s", line);
	find_line(text, "instance hours", line, sizeof line);
	cr_assert_not_null(strstr(line, "1,728 h"), "%s", line);
	/* Per tier and region, from cost.TIER and cost.REGION. */
	find_line(text, "  cost of tier app", line, sizeof line);
	cr_assert_not_null(strstr(line, "$700.00"), "%s", line);
	find_line(text, "  cost in us-east-1", line, sizeof line);
	cr_assert_not_null(strstr(line, "$600.00"), "%s", line);
	find_line(text, "  web in eu-west-1", line, sizeof line);
	cr_assert_not_null(strstr(line, "61.00 %"), "%s", line);
	cr_assert_null(strstr(line, "at max"), "no at_max metric, no note: %s", line);
	free(text);
	/* A quarter of the time at its autoscaling max: said beside its utilisation. */
	append_metric(&f, "at_max.web.eu-west-1", "fraction", 0.25, 0.3);
	text = summary(&f);
	find_line(text, "  web in eu-west-1", line, sizeof line);
	cr_assert_not_null(strstr(line, "61.00 %"), "%s", line);
	cr_assert_not_null(strstr(line, "25 % of time at max"), "%s", line);
	/* No line is wider than 100 columns. */
	assert_narrow(text);
	free(text);
	fake_release(&f);
}

Test(summary, missing_metrics_are_skipped)
{
	struct fake f;
	fake_init(&f);
	fake_set_availability(&f, 0.99, 0.98, 0.995);
	char *text = summary(&f);
	cr_assert_null(strstr(text, "cost per month"));
	cr_assert_null(strstr(text, "latency"));
	cr_assert_null(strstr(text, "purchase option"), "no cost.option.*: no purchase block");
	cr_assert_null(strstr(text, "all on demand"));
	cr_assert_not_null(strstr(text, "SLO 99.9 %: missed"));
	free(text);
	fake_release(&f);
}

Test(summary, cost_by_purchase_option_with_share_of_the_cost_and_instance_hours)
{
	/* fake.c: on demand 600, spot 300, reserved 200, savings plans 84.5, unused 50 of a
	 * 1234.5 USD total: 48.6 %, 24.3 %, 16.2 %, 6.8 %, 4.1 % (600 / 1234.5 = 0.48603, ...),
	 * with 400, 900, 300 and 128 instance hours. */
	static const struct {
		const char *label, *figures, *note;
	} want[] = {
		{ "  on demand ", "$600.00  [$594.00, $606.00]", "48.6 %, 400 h" },
		{ "  spot ", "$300.00  [$297.00, $303.00]", "24.3 %, 900 h" },
		{ "  reserved instances ", "$200.00  [$200.00, $200.00]", "16.2 %, 300 h" },
		{ "  savings plans ", "$84.50  [$84.50, $84.50]", "6.8 %, 128 h" },
		{ "  unused commitment ", "$50.00  [$45.00, $55.00]", "4.1 %" },
	};
	struct fake f;
	fake_init(&f);
	char *text = summary(&f), line[256];
	double shares = 0;
	find_line(text, "cost by purchase option", line, sizeof line);
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		find_line(text, want[i].label, line, sizeof line);
		cr_assert_not_null(strstr(line, want[i].figures), "%s", line);
		cr_assert_not_null(strstr(line, want[i].note), "%s", line);
		shares += strtod(want[i].note, NULL);
	}
	/* The shares add up to the whole, within 5 roundings to 0.05. */
	cr_assert(fabs(shares - 100.0) <= 0.25, "%g", shares);
	cr_assert_null(strstr(strstr(text, "  unused commitment"), " h\n"),
		       "unused commitment has no instance hours");
	assert_narrow(text);
	free(text);

	/* An option the mix never used (zero in every replication) is left out. */
	set_metric(&f, "cost.option.savings_plan", 0, 0, 0);
	text = summary(&f);
	cr_assert_null(strstr(text, "  savings plans"), "%s", text);
	cr_assert_not_null(strstr(text, "  reserved instances"));
	free(text);
	fake_release(&f);
}

/* The savings row and its share with savings_monthly_vs_on_demand in [lo, hi]. */
static void check_savings(double mean, double lo, double hi, const char *figures,
			  const char *note)
{
	struct fake f;
	fake_init(&f);
	set_metric(&f, "savings_monthly_vs_on_demand", mean, lo, hi);
	char *text = summary(&f), line[256];
	find_line(text, "savings/month vs all on demand", line, sizeof line);
	cr_assert_not_null(strstr(line, figures), "want \"%s\" in: %s", figures, line);
	cr_assert_not_null(strstr(line, note), "want \"%s\" in: %s", note, line);
	free(text);
	fake_release(&f);
}

Test(summary, savings_against_all_on_demand_are_signed_and_judged_by_their_interval)
{
	/* 1500 +- 2000 USD a month: the interval reaches below zero, so neither saving nor
	 * costing more is established. */
	check_savings(1500, -500, 3500, "+$1,500.00  [-$500.00, +$3,500.00]", "uncertain: spans 0");
	check_savings(1500, 200, 2800, "+$1,500.00  [+$200.00, +$2,800.00]", "saves");
	check_savings(-1500, -3000, -100, "-$1,500.00  [-$3,000.00, -$100.00]", "costs more");
	/* The share: 0.08 +- 0.1 of the on-demand bill. */
	struct fake f;
	fake_init(&f);
	char *text = summary(&f), line[256];
	find_line(text, "  share of the on-demand bill", line, sizeof line);
	cr_assert_not_null(strstr(line, "+8.00 %  [-2.00 %, +18.00 %]"), "%s", line);
	free(text);
	fake_release(&f);
}

Test(summary, spot_rows_show_when_the_mix_uses_spot)
{
	struct fake f;
	fake_init(&f);
	char *text = summary(&f), line[256];
	/* 12.5 +- 3, 1.5 +- 0.5, 0.75 +- 0.5 (fake.c), counts to 3 significant digits. */
	find_line(text, "spot interruptions", line, sizeof line);
	cr_assert_not_null(strstr(line, "12.5  [9.5, 15.5]"), "%s", line);
	find_line(text, "spot pool reclaim events", line, sizeof line);
	cr_assert_not_null(strstr(line, "1.5  [1, 2]"), "%s", line);
	find_line(text, "spot fallbacks to on demand", line, sizeof line);
	cr_assert_not_null(strstr(line, "0.75  [0.25, 1.25]"), "%s", line);
	/* RI and SP utilisation and coverage: 93, 41, 97, 22 % (fake.c). */
	find_line(text, "reserved-instance utilization", line, sizeof line);
	cr_assert_not_null(strstr(line, "93.00 %  [91.00 %, 95.00 %]"), "%s", line);
	find_line(text, "reserved-instance coverage", line, sizeof line);
	cr_assert_not_null(strstr(line, "41.00 %"), "%s", line);
	find_line(text, "savings-plan utilization", line, sizeof line);
	cr_assert_not_null(strstr(line, "97.00 %"), "%s", line);
	find_line(text, "savings-plan coverage", line, sizeof line);
	cr_assert_not_null(strstr(line, "22.00 %"), "%s", line);
	free(text);

	/* No spot bought and nothing interrupted: the spot rows go. */
	set_metric(&f, "cost.option.spot", 0, 0, 0);
	set_metric(&f, "spot_interruptions", 0, 0, 0);
	set_metric(&f, "spot_reclaims", 0, 0, 0);
	set_metric(&f, "spot_fallbacks_to_on_demand", 0, 0, 0);
	text = summary(&f);
	cr_assert_null(strstr(text, "spot "), "%s", text);
	free(text);
	fake_release(&f);
}

Test(summary, availability_and_latency_stand_beside_all_on_demand)
{
	/* The mix: 99.951 +- 0.01 %, 0.231 +- 0.02 s; all on demand: 99.972 +- 0.005 %,
	 * 0.2 +- 0.01 s. Both availabilities with the same 4 decimals. */
	struct fake f;
	fake_init(&f);
	char *text = summary(&f), line[256];
	find_line(text, "  availability", line, sizeof line);
	cr_assert_not_null(strstr(line, "99.9510 % [99.9410 %, 99.9610 %]"), "%s", line);
	cr_assert_not_null(strstr(line, "99.9720 % [99.9670 %, 99.9770 %]"), "%s", line);
	cr_assert_lt(strstr(line, "99.9510"), strstr(line, "99.9720"), "the mix first: %s", line);
	find_line(text, "  p99 latency", line, sizeof line);
	cr_assert_not_null(strstr(line, "0.231 s [0.211 s, 0.251 s]"), "%s", line);
	cr_assert_not_null(strstr(line, "0.2 s [0.19 s, 0.21 s]"), "%s", line);
	/* The header names the columns. */
	cr_assert_not_null(strstr(text, "this purchase mix"));
	cr_assert_not_null(strstr(text, "all on demand (same seeds)"));
	/* Widest case: 6 decimals of percent on both sides still fit in 100 columns. */
	set_metric(&f, "availability", 0.9999991, 0.9999981, 0.9999995);
	set_metric(&f, "availability_all_on_demand", 0.9999992, 0.9999982, 0.9999996);
	free(text);
	text = summary(&f);
	find_line(text, "  availability", line, sizeof line);
	cr_assert_not_null(strstr(line, "99.999910 % [99.999810 %, 99.999950 %]"), "%s", line);
	cr_assert_not_null(strstr(line, "99.999920 % [99.999820 %, 99.999960 %]"), "%s", line);
	assert_narrow(text);
	free(text);
	fake_release(&f);
}

Test(summary, monthly_bill_percentiles_of_the_first_full_month_and_the_highest)
{
	struct fake f;
	char *text, line[256];
	/* Month m: P50 = 9950 + 500 m, P90 = 10900 + 500 m, P95 = 11300 + 500 m (fake_bill);
	 * cents only below $10,000. The fake's 3 days are a partial month. */
	fake_init(&f);
	text = summary(&f);
	find_line(text, "monthly bill", line, sizeof line);
	cr_assert_str_eq(line, "monthly bill, month 1 of 1     P50 $9,950.00, P90 $10,900, "
			 "P95 $11,300  (partial: 3 days)");
	free(text);

	/* 12 whole months: month 1, then month 12, whose P95 (16,800) is the highest. */
	fake_set_months(&f, 12, 1.0);
	text = summary(&f);
	find_line(text, "monthly bill, month 1 ", line, sizeof line);
	cr_assert_str_eq(line, "monthly bill, month 1 of 12    P50 $9,950.00, P90 $10,900, "
			 "P95 $11,300  (the first full month)");
	find_line(text, "monthly bill, month 12", line, sizeof line);
	cr_assert_str_eq(line, "monthly bill, month 12 of 12   P50 $15,450, P90 $16,400, "
			 "P95 $16,800  (the highest P95)");
	assert_narrow(text);
	free(text);

	/* A 13th month of half the time is not compared: month 12 stays the highest although
	 * the fake gives month 13 a higher P95. */
	fake_set_months(&f, 13, 0.5);
	text = summary(&f);
	cr_assert_not_null(strstr(text, "monthly bill, month 12 of 13"), "%s", text);
	cr_assert_null(strstr(text, "month 13 of 13"), "%s", text);
	free(text);

	/* Exactly one month: no second line. */
	fake_set_months(&f, 1, 1.0);
	text = summary(&f);
	find_line(text, "monthly bill", line, sizeof line);
	cr_assert_not_null(strstr(line, "(the first full month)"), "%s", line);
	cr_assert_null(strstr(strstr(text, "monthly bill") + 1, "monthly bill"));
	free(text);
	fake_release(&f);
}

Test(summary, json_carries_every_metric_cost_and_the_meta)
{
	struct fake f;
	fake_init(&f);
	f.r.seed = UINT64_MAX;   /* 18446744073709551615: beyond a double's exact integers */
	struct run_meta m = {
		.scenario_path = "scenarios/shop.json",
		.scenario_sha256 = "ab12",
		.args = "run scenarios/shop.json",
		.version = "9.9.9",
		.started = 0,
		.elapsed = 1.5,
	};
	char *text = report_summary_json(&f.r, &m);
	cr_assert_not_null(text);
	cr_assert_not_null(strstr(text, "18446744073709551615"), "the seed is written exactly");
	cJSON *root = cJSON_Parse(text);
	cr_assert_not_null(root, "not JSON:\n%s", text);

	cr_assert_str_eq(cJSON_GetObjectItem(root, "scenario")->valuestring, "shop");
	cr_assert_str_eq(cJSON_GetObjectItem(root, "sha256")->valuestring, "ab12");
	cr_assert_str_eq(cJSON_GetObjectItem(root, "version")->valuestring, "9.9.9");
	cr_assert_str_eq(cJSON_GetObjectItem(root, "started_utc")->valuestring,
			 "1970-01-01T00:00:00Z");
	cr_assert_eq(cJSON_GetObjectItem(root, "replications")->valuedouble, 20.0);
	cr_assert_eq(cJSON_GetObjectItem(root, "elapsed_s")->valuedouble, 1.5);

	cJSON *metrics = cJSON_GetObjectItem(root, "metrics");
	cr_assert(cJSON_IsObject(metrics));
	cr_assert_eq((size_t)cJSON_GetArraySize(metrics), f.r.nmetrics);
	cJSON *av = cJSON_GetObjectItem(metrics, "availability");
	cr_assert_str_eq(cJSON_GetObjectItem(av, "unit")->valuestring, "fraction");
	/* cJSON prints 15 significant digits and reads them back to the same double here
	 * (checked within 1e-15 relative, well below any figure's meaning). */
	cr_assert(fabs(cJSON_GetObjectItem(av, "mean")->valuedouble - 0.99951) < 1e-15);
	cr_assert(fabs(cJSON_GetObjectItem(av, "ci95_low")->valuedouble - 0.99941) < 1e-15);
	cr_assert(fabs(cJSON_GetObjectItem(av, "p95")->valuedouble - 0.99966) < 1e-15);
	/* A NaN is null. */
	cJSON *rto = cJSON_GetObjectItem(metrics, "rto");
	cr_assert_eq(cJSON_GetObjectItem(rto, "mean")->valuedouble, 42.0);
	cr_assert(cJSON_IsNull(cJSON_GetObjectItem(rto, "ci95_low")));

	cJSON *costs = cJSON_GetObjectItem(root, "costs");
	cr_assert(cJSON_IsArray(costs));
	cr_assert_eq(cJSON_GetArraySize(costs), FAKE_NCOSTS);
	cJSON *c1 = cJSON_GetArrayItem(costs, 1);
	cr_assert_eq(cJSON_GetObjectItem(c1, "month")->valuedouble, 1.0, "months are 1-based");
	cr_assert_str_eq(cJSON_GetObjectItem(c1, "region")->valuestring, "us-east-1");
	cr_assert_str_eq(cJSON_GetObjectItem(c1, "tier")->valuestring, "web");
	cr_assert_str_eq(cJSON_GetObjectItem(c1, "purchase_option")->valuestring, "on_demand");
	cr_assert_eq(cJSON_GetObjectItem(c1, "mean_usd")->valuedouble, 216.0);
	/* The unused commitment, about no region or tier: "all", as in cost.csv. */
	cJSON *c5 = cJSON_GetArrayItem(costs, 5);
	cr_assert_str_eq(cJSON_GetObjectItem(c5, "region")->valuestring, "all");
	cr_assert_str_eq(cJSON_GetObjectItem(c5, "tier")->valuestring, "all");
	cr_assert_str_eq(cJSON_GetObjectItem(c5, "purchase_option")->valuestring,
			 "unused_commitment");
	cJSON *c4 = cJSON_GetArrayItem(costs, 4);
	cr_assert_str_eq(cJSON_GetObjectItem(c4, "purchase_option")->valuestring, "spot");

	/* The bills: month 1's mean and percentiles (fake_bill). */
	cJSON *bills = cJSON_GetObjectItem(root, "bills");
	cr_assert(cJSON_IsArray(bills));
	cr_assert_eq(cJSON_GetArraySize(bills), FAKE_NBILLS);
	cJSON *b0 = cJSON_GetArrayItem(bills, 0);
	cr_assert_eq(cJSON_GetObjectItem(b0, "month")->valuedouble, 1.0, "months are 1-based");
	cr_assert_eq(cJSON_GetObjectItem(b0, "mean_usd")->valuedouble, 10000.0);
	cr_assert_eq(cJSON_GetObjectItem(b0, "p10")->valuedouble, 9200.0);
	cr_assert_eq(cJSON_GetObjectItem(b0, "p50")->valuedouble, 9950.0);
	cr_assert_eq(cJSON_GetObjectItem(b0, "p90")->valuedouble, 10900.0);
	cr_assert_eq(cJSON_GetObjectItem(b0, "p95")->valuedouble, 11300.0);
	cJSON_Delete(root);
	free(text);
	fake_release(&f);
}

Test(summary, json_without_meta_has_nulls)
{
	struct fake f;
	fake_init(&f);
	char *text = report_summary_json(&f.r, NULL);
	cJSON *root = cJSON_Parse(text);
	cr_assert_not_null(root);
	cr_assert(cJSON_IsNull(cJSON_GetObjectItem(root, "sha256")));
	cr_assert_eq(cJSON_GetObjectItem(root, "seed")->valuedouble, 42.0);
	cJSON_Delete(root);
	free(text);
	fake_release(&f);
}

/* Puts n metrics into the fake's result: each replaces the one of its name, else is added. */
static void put_metrics(struct fake *f, const struct run_metric *add, size_t n)
{
	struct run_metric *m = realloc(f->r.metrics, (f->r.nmetrics + n) * sizeof *m);
	cr_assert_not_null(m);
	f->r.metrics = m;
	for (size_t i = 0; i < n; i++) {
		struct run_metric *had = (struct run_metric *)run_find_metric(&f->r, add[i].name);
		if (had)
			*had = add[i];
		else
			f->r.metrics[f->r.nmetrics++] = add[i];
	}
}

/* The failures block appears with the outage metrics and reads them: RTO's mean and
 * interval, and its p50 and p95 in the note, in the unit that reads best (90 s; 600 s =
 * 10 min; 7,200 s = 2 h). Reservation advice lines name the (type, region) and the saving. */
Test(summary, failures_and_reservation_advice_blocks)
{
	struct fake f;
	fake_init(&f);
	f.sc.slo.latency_percentile = 99.9;   /* the outages' latency is named after it */
	const struct run_metric add[] = {
		{ "outages", "count", { 2, 1, 3, 0, 2, 4 } },
		{ "rto", "s", { 600, 300, 900, 60, 90, 7200 } },
		{ "latency_p99.9_outage", "s", { 0.75, 0.7, 0.8, 0.7, 0.75, 0.8 } },
		{ "ri_breakeven.m6i.large.eu-west-1", "instances", { 5, 5, 5, 5, 5, 5 } },
		{ "ri_breakeven_saving.m6i.large.eu-west-1", "USD", { 124.5, 120, 129, 110, 124,
								       135 } },
	};
	put_metrics(&f, add, sizeof add / sizeof add[0]);
	/* The scenario holds 3 of those already, in two reservations of 2 and 1, and 4 of
	 * another type: the advice is a count in all, and says how many are held. */
	struct scenario_instance_type types[2] = { { .name = (char *)"m6i.large" },
						   { .name = (char *)"m6i.xlarge" } };
	struct scenario_reservation held[3] = { { .instance_type = 0, .region = 0, .count = 2 },
						{ .instance_type = 1, .region = 0, .count = 4 },
						{ .instance_type = 0, .region = 0, .count = 1 } };
	f.sc.instance_types = types;
	f.sc.ninstance_types = 2;
	f.sc.reservations = held;
	f.sc.nreservations = 3;
	char *text = summary(&f), line[256];
	find_line(text, "outages ", line, sizeof line);
	cr_assert_not_null(strstr(line, "zone and region"), "%s", line);
	find_line(text, "RTO (mean over outages)", line, sizeof line);
	cr_assert_not_null(strstr(line, "p50 90 s, p95 2 h"), "%s", line);
	/* The latency of the requests served during outages, named by its percentile. */
	find_line(text, "p99.9 latency in outages ", line, sizeof line);
	cr_assert_not_null(strstr(line, "0.75 s"), "%s", line);
	cr_assert_not_null(strstr(line, "of the requests served"), "%s", line);
	find_line(text, "  reserve m6i.large.eu-west-1", line, sizeof line);
	cr_assert_not_null(strstr(line, "saves $124.50 (3 held)"), "%s", line);
	/* The saving is over the horizon (the fake's, 3 days), and the count the total to hold. */
	find_line(text, "  the count to hold in all", line, sizeof line);
	cr_assert_not_null(strstr(line, "saves in the 3 days"), "%s", line);
	for (const char *p = text; *p; p += strcspn(p, "\n") + (p[strcspn(p, "\n")] != 0))
		cr_assert_leq(strcspn(p, "\n"), 100, "a line longer than 100 columns");
	free(text);
	fake_release(&f);
}

/* Where round trips between regions are part of the latency, the summary says how much: over
 * all users on a line of its own under the p99, and per region in its verdict's note. The
 * fake's SLO is 99% / 500 ms: us-east-1's 0.71 s misses it, 0.21 s of it the network, and
 * so the SLO's verdict is "missed" whatever the average. */
Test(summary, latency_shows_its_round_trips_between_regions)
{
	struct fake f;
	fake_init(&f);
	const struct run_metric add[] = {
		{ "latency_network", "s", { 0.084, 0.084, 0.084, 0.084, 0.084, 0.084 } },
		{ "latency_p99.region.us-east-1", "s", { 0.71, 0.7, 0.72, 0.7, 0.71, 0.72 } },
		{ "latency_network.region.us-east-1", "s", { 0.21, 0.21, 0.21, 0.21, 0.21, 0.21 } },
		{ "latency_network.region.eu-west-1", "s", { 0, 0, 0, 0, 0, 0 } },
	};
	put_metrics(&f, add, sizeof add / sizeof add[0]);
	char *text = summary(&f), line[256];
	/* The fake's average p99 (0.231 s) meets the 0.5 s target; us-east-1's users do not:
	 * the SLO is missed. */
	find_line(text, "p99 latency ", line, sizeof line);
	cr_assert_not_null(strstr(line, "SLO 0.5 s: missed"), "%s", line);
	find_line(text, "  round trips between regions", line, sizeof line);
	cr_assert_not_null(strstr(line, "0.084 s"), "%s", line);
	find_line(text, "  in us-east-1", line, sizeof line);
	cr_assert_not_null(strstr(line, "missed, 0.21 s network"), "%s", line);
	cr_assert_leq(strlen(line), 100, "%s", line);
	free(text);
	fake_release(&f);
}

/* The p99 of all requests together is judged against the SLO's target like a region's line:
 * by its interval (report_verdict). Its verdict is its own: the fake's average p99 of 0.231 s
 * meets the 0.5 s target, while 1.2 s [1.0, 1.4] for all requests together lies wholly above
 * it (missed), [0.3, 0.45] wholly below (met), [0.4, 0.6] straddles it (uncertain). */
static void check_overall(double mean, double lo, double hi, const char *want)
{
	struct fake f;
	fake_init(&f);
	const struct run_metric add[] = {
		{ "latency_p99_overall", "s", { mean, lo, hi, lo, mean, hi } },
	};
	put_metrics(&f, add, 1);
	char *text = summary(&f), line[256];
	find_line(text, "p99 latency ", line, sizeof line);
	cr_assert_not_null(strstr(line, "SLO 0.5 s: met"), "%s", line);
	find_line(text, "p99 of all requests together ", line, sizeof line);
	size_t n = strlen(line), w = strlen(want);
	cr_assert(n >= w && strcmp(line + n - w, want) == 0, "%s (want \"%s\" at the end)", line,
		  want);
	free(text);
	fake_release(&f);
}

Test(summary, the_percentile_of_all_requests_is_judged_against_the_target)
{
	check_overall(1.2, 1.0, 1.4, "missed");
	check_overall(0.4, 0.3, 0.45, "met");
	check_overall(0.5, 0.4, 0.6, "uncertain");
}
