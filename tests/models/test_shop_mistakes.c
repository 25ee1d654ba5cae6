/* Validation catches every mistake in a deliberately broken copy of the example shop. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/scenario.h"
#include "sim/error.h"

#define SHOP "scenarios/shop.json"

/* One single mistake: `from`, which must occur exactly once in shop.json, becomes `to`. The
 * loader must report `path` on the line where `from` sits; `text`, when given, must appear in
 * the message. Each replacement stays within one line, so "the line where the replaced text
 * sits" is unambiguous and the test counts it itself. Paths and reasons come from
 * scenarios/README.md, not from the loader's output. */
struct mistake {
	const char *what;
	const char *from, *to;
	const char *path;   /* "" for JSON syntax, reported as FILE:LINE:COL: */
	const char *text;   /* NULL: no check of the wording */
};

static const struct mistake mistakes[] = {
	{ "typo in a key", "\"amplitude\": 0.5", "\"amplitud\": 0.5",
	  "traffic.daily.amplitud", "did you mean \"amplitude\"?" },
	{ "typo in a top-level key", "\"replications\": 20", "\"replication\": 20",
	  "replication", "did you mean \"replications\"?" },
	{ "wrong type: a string for an integer", "\"concurrency\": 8,", "\"concurrency\": \"8\",",
	  "tiers[0].concurrency", NULL },
	{ "target above 1", "\"target\": 0.6,", "\"target\": 1.5,",
	  "tiers[0].autoscaling.target_tracking.target", "(0,1]" },
	{ "negative min", "\"min\": 2, \"max\": 20", "\"min\": -2, \"max\": 20",
	  "tiers[0].autoscaling.min", NULL },
	{ "availability 2", "\"availability\": 0.999", "\"availability\": 2",
	  "slo.availability", "(0,1]" },
	{ "latency percentile 100", "\"latency_percentile\": 99", "\"latency_percentile\": 100",
	  "slo.latency_percentile", "(0,100)" },
	{ "bad duration", "\"median\": \"45s\"", "\"median\": \"45 parsecs\"",
	  "tiers[0].boot_time.median", "\"45 parsecs\"" },
	{ "unknown instance type", "\"instance_type\": \"m6i.xlarge\"",
	  "\"instance_type\": \"m9z.xlarge\"", "tiers[1].instance_type", "\"m9z.xlarge\"" },
	{ "unknown region in traffic.regions", "\"us-east-1\": 0.4 }", "\"us-east-2\": 0.4 }",
	  "traffic.regions.us-east-2", NULL },
	{ "shares summing to 0.9", "{ \"eu-west-1\": 0.6,", "{ \"eu-west-1\": 0.5,",
	  "traffic.regions", NULL },
	{ "max below min", "\"min\": 2, \"max\": 6,", "\"min\": 2, \"max\": 1,",
	  "tiers[2].autoscaling.max", NULL },
	{ "desired above max", "\"desired\": 4", "\"desired\": 40",
	  "tiers[1].autoscaling.desired", NULL },
	/* db's min 0, desired left to default to it, only step scaling: nothing to measure, so
	 * nothing would ever launch its first instance (scenarios/README, autoscaling). */
	{ "a tier that can never start", "\"min\": 2, \"max\": 6,", "\"min\": 0, \"max\": 6,",
	  "tiers[2].autoscaling.min", "at least 1 instance at the start" },
	{ "calls a missing tier", "\"calls\": \"db\"", "\"calls\": \"cache\"",
	  "tiers[1].calls", "\"cache\"" },
	{ "a tier calls itself", "\"calls\": \"app\"", "\"calls\": \"web\"",
	  "tiers[0].calls", NULL },
	/* The second occurrence is the mistake; both sit on the same line here. */
	{ "duplicate key", "\"noise\": 0.1,", "\"noise\": 0.1, \"noise\": 0.2,",
	  "traffic.noise", "first given on line" },
	{ "trailing comma", "{ \"weekend_factor\": 1.3 }", "{ \"weekend_factor\": 1.3, }",
	  "", "invalid JSON" },
	{ "weekend factor 0", "\"weekend_factor\": 1.3", "\"weekend_factor\": 0",
	  "traffic.weekly.weekend_factor", NULL },
	{ "growth of -100 %", "\"growth_per_month\": 0.05", "\"growth_per_month\": -1",
	  "traffic.growth_per_month", NULL },
	/* The second band [0.2, 0.85) starts inside the first, [0, 0.3). */
	{ "step-scaling overlap", "{ \"lower\": 0.7, \"upper\": 0.85,",
	  "{ \"lower\": 0.2, \"upper\": 0.85,",
	  "tiers[2].autoscaling.step_scaling.adjustments[1].lower", NULL },
	{ "fractional step change", "\"change\": 2 }", "\"change\": 2.5 }",
	  "tiers[2].autoscaling.step_scaling.adjustments[2].change", NULL },
	{ "scheduled at 25:00", "\"at\": \"23:00\"", "\"at\": \"25:00\"",
	  "tiers[0].autoscaling.scheduled[1].at", "\"25:00\"" },
	{ "bad day name", "\"thu\", \"fri\"", "\"thu\", \"fry\"",
	  "tiers[0].autoscaling.scheduled[0].days[4]", "\"fry\"" },
	{ "visits 0", "\"visits\": 3", "\"visits\": 0", "tiers[2].visits", NULL },
	{ "misspelt spot type", "\"c5.large\", \"c7i.large\"", "\"c5.large\", \"c7i.lrge\"",
	  "optimize.tiers.web.spot_types[2]", "did you mean \"c7i.large\"?" },
	{ "boot p95 below the median", "\"median\": \"90s\", \"p95\": \"3m\"",
	  "\"median\": \"90s\", \"p95\": \"1m\"", "tiers[1].boot_time.p95", NULL },
	{ "version 2", "\"version\": 1", "\"version\": 2", "version", "got 2" },
	/* 30 d / 7 min = 43200 / 7 = 6171.4 steps: not whole. */
	{ "step not dividing the horizon", "\"step\": \"1m\"", "\"step\": \"7m\"", "step", NULL },
	{ "more zones than the region has", "\"placement\": { \"zones\": 2 }",
	  "\"placement\": { \"zones\": 4 }", "tiers[2].placement.zones", NULL },
	{ "unknown region in a placement", "[\"eu-west-1\", \"us-east-1\"], \"zones\": 3",
	  "[\"eu-west-1\", \"us-east-2\"], \"zones\": 3", "tiers[0].placement.regions[1]",
	  "\"us-east-2\"" },
	{ "duplicate zone", "{ \"name\": \"us-east-1\", \"zones\": [\"a\", \"b\", \"c\"] }",
	  "{ \"name\": \"us-east-1\", \"zones\": [\"a\", \"b\", \"a\"] }",
	  "regions[1].zones[2]", NULL },
	{ "tolerance 1.5", "\"tolerance\": 0.05", "\"tolerance\": 1.5",
	  "tiers[1].autoscaling.target_tracking.tolerance", "[0,1)" },
	{ "predictive lookback under a day", "\"lookback\": \"7d\"", "\"lookback\": \"12h\"",
	  "tiers[1].autoscaling.predictive.lookback", NULL },
	{ "negative budget", "\"budget_monthly\": 2500", "\"budget_monthly\": -2500",
	  "budget_monthly", NULL },
	{ "a space in the name", "\"name\": \"shop\"", "\"name\": \"my shop\"", "name",
	  "\"my shop\"" },
	/* 1 <= lo <= hi constrains the pair, so the pair is named rather than its element. */
	{ "spike magnitude below 1", "\"magnitude\": [1.5, 3]", "\"magnitude\": [0.5, 3]",
	  "traffic.spikes.magnitude", "1 <= lo <= hi" },
	/* Either key could be blamed; the loader names capacity_rps, the alternative to the
	 * usual form, and both sit on this line. */
	{ "capacity given twice", "\"capacity_rps\": 1500,",
	  "\"capacity_rps\": 1500, \"service_time\": \"1ms\",", "tiers[2].capacity_rps",
	  "mutually exclusive" },
};
#define NMISTAKES (sizeof mistakes / sizeof mistakes[0])

static char *read_shop(size_t *len)
{
	FILE *f = fopen(SHOP, "rb");
	cr_assert_not_null(f, "%s: run the tests from the repository root", SHOP);
	cr_assert_eq(fseek(f, 0, SEEK_END), 0);
	long n = ftell(f);
	cr_assert_gt(n, 0);
	rewind(f);
	char *text = malloc((size_t)n + 1);
	cr_assert_not_null(text);
	cr_assert_eq(fread(text, 1, (size_t)n, f), (size_t)n);
	text[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return text;
}

static int line_of(const char *text, size_t off)
{
	int line = 1;
	for (size_t i = 0; i < off; i++)
		line += text[i] == '\n';
	return line;
}

Test(shop_mistakes, the_unbroken_example_loads)
{
	size_t len;
	char *text = read_shop(&len);
	struct scenario sc;
	struct scenario_error err;
	int rc = scenario_parse(text, len, SHOP, &sc, &err);
	cr_assert_eq(rc, 0, "%s", err.msg);
	scenario_release(&sc);
	free(text);
}

Test(shop_mistakes, every_replacement_occurs_exactly_once_on_one_line)
{
	size_t len;
	char *text = read_shop(&len);
	for (size_t i = 0; i < NMISTAKES; i++) {
		const struct mistake *m = &mistakes[i];
		const char *at = strstr(text, m->from);
		cr_assert_not_null(at, "%s: %s is no longer in %s", m->what, m->from, SHOP);
		cr_assert_null(strstr(at + 1, m->from), "%s: %s occurs twice in %s", m->what,
			       m->from, SHOP);
		cr_assert(!strchr(m->from, '\n') && !strchr(m->to, '\n'), "%s: one line", m->what);
		cr_assert_str_neq(m->from, m->to, "%s", m->what);
	}
	free(text);
}

Test(shop_mistakes, validate_catches_every_mistake_at_its_path_and_line)
{
	size_t len;
	char *text = read_shop(&len);
	for (size_t i = 0; i < NMISTAKES; i++) {
		const struct mistake *m = &mistakes[i];
		const char *at = strstr(text, m->from);
		cr_assert_not_null(at, "%s", m->what);
		size_t off = (size_t)(at - text), nfrom = strlen(m->from), nto = strlen(m->to);
		size_t nlen = len - nfrom + nto;
		char *broken = malloc(nlen + 1);
		cr_assert_not_null(broken);
		memcpy(broken, text, off);
		memcpy(broken + off, m->to, nto);
		memcpy(broken + off + nto, at + nfrom, len - off - nfrom);
		broken[nlen] = '\0';
		int line = line_of(text, off);

		struct scenario sc;
		struct scenario_error err;
		memset(&err, 0, sizeof err);
		int rc = scenario_parse(broken, nlen, SHOP, &sc, &err);
		cr_expect_lt(rc, 0, "%s: accepted", m->what);
		if (rc == 0) {
			scenario_release(&sc);
			free(broken);
			continue;
		}
		cr_expect_str_eq(err.path, m->path, "%s: path \"%s\", want \"%s\" (%s)", m->what,
				 err.path, m->path, err.msg);
		cr_expect_eq(err.line, line, "%s: line %d, want %d (%s)", m->what, err.line, line,
			     err.msg);
		char prefix[1024];
		if (m->path[0])
			snprintf(prefix, sizeof prefix, "%s:%d: %s: ", SHOP, line, m->path);
		else   /* invalid JSON: FILE:LINE:COL: */
			snprintf(prefix, sizeof prefix, "%s:%d:", SHOP, line);
		cr_expect(strncmp(err.msg, prefix, strlen(prefix)) == 0,
			  "%s: message \"%s\" does not start with \"%s\"", m->what, err.msg, prefix);
		if (m->text)
			cr_expect(strstr(err.msg, m->text), "%s: \"%s\" not in \"%s\"", m->what,
				  m->text, err.msg);
		free(broken);
	}
	free(text);
}
