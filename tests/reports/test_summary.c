/* The text summary's SLO verdicts and figures, and the JSON summary read back with cJSON. */
#include <criterion/criterion.h>
#include <cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

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

Test(summary, headline_and_figures_are_formatted_with_units)
{
	struct fake f;
	fake_init(&f);
	char *text = summary(&f), line[256];
	find_line(text, "scenario", line, sizeof line);
	cr_assert_str_eq(line, "scenario   shop");
	/* 259200 s = 3 days; 60 s steps; 20 replications; seed 42; 2 threads. */
	find_line(text, "horizon", line, sizeof line);
	cr_assert_str_eq(line, "horizon    3 days (step 60 s), 20 replications, seed 42, 2 threads");
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
	find_line(text, "  utilization web in eu-west-1", line, sizeof line);
	cr_assert_not_null(strstr(line, "61.00 %"), "%s", line);
	/* No line is wider than 100 columns. */
	for (const char *p = text; *p; p += strcspn(p, "\n") + 1)
		cr_assert_leq(strcspn(p, "\n"), 100);
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
	cr_assert_not_null(strstr(text, "SLO 99.9 %: missed"));
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
