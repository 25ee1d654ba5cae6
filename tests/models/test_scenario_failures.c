/* Scenario loading of failures (instance MTBF, zone and region outages, scripted outages) and
 * the `--fail` outage syntax: values as written, defaults, and mistakes with line and path. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "models/scenario.h"
#include "sim/error.h"

/* Values are short decimals times one unit factor (60, 3600, 86400); strtod and that one
 * multiplication leave them within a few ulps of the hand-converted value. */
static void assert_near(double got, double want, const char *what)
{
	cr_assert(fabs(got - want) <= 1e-12 * fmax(1.0, fabs(want)), "%s: got %.17g, want %.17g",
		  what, got, want);
}

/* Lines 1-7 of every test file; "failures" opens on line 8, so the failures text given to
 * load() starts on line 8 and each "\n" in it moves to the next line. regions[0] is eu-west-1
 * (zones a, b), regions[1] us-east-1 (zones a, b, c); the horizon is HORIZON. */
static const char head[] =
	"{ \"name\": \"f\", \"version\": 1, \"horizon\": \"%s\",\n"
	"  \"traffic\": { \"base_rate\": 100 },\n"
	"  \"instance_types\": [ { \"name\": \"small\", \"vcpu\": 2, \"memory_gib\": 4,"
	" \"price_hourly\": 0.1 } ],\n"
	"  \"regions\": [ { \"name\": \"eu-west-1\", \"zones\": [\"a\", \"b\"] },\n"
	"               { \"name\": \"us-east-1\", \"zones\": [\"a\", \"b\", \"c\"] } ],\n"
	"  \"tiers\": [ { \"name\": \"api\", \"instance_type\": \"small\", \"capacity_rps\": 100,\n"
	"               \"autoscaling\": { \"min\": 2, \"max\": 2 } } ],\n"
	"  \"failures\": %s }\n";

static int load(const char *horizon, const char *failures, struct scenario *sc,
		struct scenario_error *err)
{
	char text[4096];
	int n = snprintf(text, sizeof text, head, horizon, failures);
	cr_assert(n > 0 && (size_t)n < sizeof text);
	return scenario_parse(text, (size_t)n, "f.json", sc, err);
}

/* Every field given, none at its default. */
static const char full[] =
	"{ \"instance_mtbf\": \"2000h\",\n"
	"    \"zone_outages\": { \"rate_per_year\": 2,\n"
	"                      \"duration\": { \"median\": \"45m\", \"p95\": \"3h\" } },\n"
	"    \"region_outages\": { \"rate_per_year\": 0.2,\n"
	"                        \"duration\": { \"median\": \"2h\", \"p95\": \"8h\" } },\n"
	"    \"scripted\": [\n"
	"      { \"target\": \"region:eu-west-1\", \"at\": \"10d\", \"duration\": \"4h\" },\n"
	"      { \"target\": \"zone:us-east-1/b\", \"at\": \"84h\", \"duration\": \"1h\" },\n"
	"      { \"target\": \"zone:eu-west-1/a\", \"at\": 0, \"duration\": 90,\n"
	"        \"_comment\": \"at the very start, in plain seconds\" } ] }";

Test(scenario_failures, every_field_loads_with_the_value_written_in_it)
{
	struct scenario sc;
	struct scenario_error err;
	cr_assert_eq(load("30d", full, &sc, &err), 0, "%s", err.msg);
	const struct scenario_failures *f = &sc.failures;
	cr_assert(sc.has_failures);
	assert_near(f->instance_mtbf, 2000 * 3600.0, "2000h = 7,200,000 s");
	cr_assert(f->has_zone_outages && f->has_region_outages);
	assert_near(f->zone_outages.rate_per_year, 2, "zone rate");
	assert_near(f->zone_outages.duration_median, 45 * 60.0, "45m = 2700 s");
	assert_near(f->zone_outages.duration_p95, 3 * 3600.0, "3h = 10800 s");
	assert_near(f->region_outages.rate_per_year, 0.2, "region rate");
	assert_near(f->region_outages.duration_median, 2 * 3600.0, "2h = 7200 s");
	assert_near(f->region_outages.duration_p95, 8 * 3600.0, "8h = 28800 s");

	cr_assert_eq(f->nscripted, 3);
	const struct scenario_outage *o = f->scripted;
	cr_assert_eq(o[0].kind, SCENARIO_OUTAGE_REGION);
	cr_assert_eq(o[0].region, 0, "eu-west-1 is regions[0]");
	cr_assert_eq(o[0].zone, -1, "a region outage has no zone");
	assert_near(o[0].at, 10 * 86400.0, "10d = 864000 s");
	assert_near(o[0].duration, 4 * 3600.0, "4h = 14400 s");
	cr_assert_eq(o[1].kind, SCENARIO_OUTAGE_ZONE);
	cr_assert_eq(o[1].region, 1, "us-east-1 is regions[1]");
	cr_assert_eq(o[1].zone, 1, "b is the second zone of us-east-1");
	assert_near(o[1].at, 84 * 3600.0, "84h = 3.5 days = 302400 s");
	assert_near(o[1].duration, 3600, "1h");
	cr_assert_eq(o[2].kind, SCENARIO_OUTAGE_ZONE);
	cr_assert_eq(o[2].region, 0);
	cr_assert_eq(o[2].zone, 0, "a is the first zone of eu-west-1");
	cr_assert_eq(o[2].at, 0, "at 0 is allowed: the interval is [0, horizon)");
	cr_assert_eq(o[2].duration, 90, "a bare number is seconds");
	scenario_release(&sc);
	cr_assert_null(sc.failures.scripted, "released and zeroed");
	cr_assert_eq(sc.has_failures, 0);
}

Test(scenario_failures, without_failures_nothing_fails)
{
	struct scenario sc;
	struct scenario_error err;
	cr_assert_eq(scenario_load("scenarios/minimal.json", &sc, &err), 0, "%s", err.msg);
	cr_assert_eq(sc.has_failures, 0);
	cr_assert_eq(sc.failures.instance_mtbf, 0, "instances never fail");
	cr_assert_eq(sc.failures.has_zone_outages, 0);
	cr_assert_eq(sc.failures.has_region_outages, 0);
	cr_assert_eq(sc.failures.zone_outages.rate_per_year, 0);
	cr_assert_eq(sc.failures.region_outages.rate_per_year, 0);
	cr_assert_null(sc.failures.scripted);
	cr_assert_eq(sc.failures.nscripted, 0);
	scenario_release(&sc);
}

Test(scenario_failures, an_empty_failures_object_is_no_failures)
{
	struct scenario sc;
	struct scenario_error err;
	cr_assert_eq(load("30d", "{ \"_comment\": \"nothing fails yet\" }", &sc, &err), 0, "%s",
		     err.msg);
	cr_assert_eq(sc.has_failures, 1, "the object is there");
	cr_assert_eq(sc.failures.instance_mtbf, 0, "absent instance_mtbf: instances never fail");
	cr_assert_eq(sc.failures.has_zone_outages, 0);
	cr_assert_eq(sc.failures.has_region_outages, 0);
	cr_assert_eq(sc.failures.nscripted, 0);
	cr_assert_null(sc.failures.scripted);
	scenario_release(&sc);
}

Test(scenario_failures, p95_defaults_to_twice_the_median_and_laws_are_independent)
{
	struct scenario sc;
	struct scenario_error err;
	const char *f = "{ \"zone_outages\": { \"rate_per_year\": 0,"
			" \"duration\": { \"median\": \"45m\" } } }";
	cr_assert_eq(load("30d", f, &sc, &err), 0, "%s", err.msg);
	cr_assert(sc.failures.has_zone_outages);
	cr_assert_eq(sc.failures.zone_outages.rate_per_year, 0, "a rate of 0 is allowed: none");
	assert_near(sc.failures.zone_outages.duration_median, 2700, "45m");
	assert_near(sc.failures.zone_outages.duration_p95, 5400, "2 x 45m = 90m = 5400 s");
	cr_assert_eq(sc.failures.has_region_outages, 0, "region_outages was not given");
	cr_assert_eq(sc.failures.region_outages.duration_median, 0);
	scenario_release(&sc);
}

Test(scenario_failures, a_scripted_outage_may_outlast_the_horizon)
{
	struct scenario sc;
	struct scenario_error err;
	/* Starts 1 s before the end of a one-day horizon and lasts a week: only the start must
	 * fall inside the simulated time. */
	const char *f = "{ \"scripted\": [ { \"target\": \"region:us-east-1\", \"at\": 86399,"
			" \"duration\": \"1w\" } ] }";
	cr_assert_eq(load("1d", f, &sc, &err), 0, "%s", err.msg);
	cr_assert_eq(sc.failures.nscripted, 1);
	cr_assert_eq(sc.failures.scripted[0].at, 86399);
	assert_near(sc.failures.scripted[0].duration, 7 * 86400.0, "1w");
	scenario_release(&sc);
}

struct mistake {
	const char *horizon;
	const char *failures;   /* starts on line 8 */
	int line;
	const char *path;
	const char *text;       /* must appear in the message */
};

static const struct mistake mistakes[] = {
	/* target forms: no kind, a zone without its zone, a region with a zone, empty names,
	 * a name with a space, not a string */
	{ "30d", "{ \"scripted\": [\n{ \"target\": \"eu-west-1\", \"at\": \"1d\","
	  " \"duration\": \"1h\" } ] }", 9, "failures.scripted[0].target",
	  "expected region:NAME or zone:REGION/ZONE, got \"eu-west-1\"" },
	{ "30d", "{ \"scripted\": [\n{ \"target\": \"zone:us-east-1\", \"at\": \"1d\","
	  " \"duration\": \"1h\" } ] }", 9, "failures.scripted[0].target",
	  "expected region:NAME or zone:REGION/ZONE, got \"zone:us-east-1\"" },
	{ "30d", "{ \"scripted\": [\n{ \"target\": \"region:us-east-1/a\", \"at\": \"1d\","
	  " \"duration\": \"1h\" } ] }", 9, "failures.scripted[0].target",
	  "got \"region:us-east-1/a\"" },
	{ "30d", "{ \"scripted\": [\n{ \"target\": \"zone:us-east-1/\", \"at\": \"1d\","
	  " \"duration\": \"1h\" } ] }", 9, "failures.scripted[0].target",
	  "got \"zone:us-east-1/\"" },
	{ "30d", "{ \"scripted\": [\n{ \"target\": \"region:\", \"at\": \"1d\","
	  " \"duration\": \"1h\" } ] }", 9, "failures.scripted[0].target", "got \"region:\"" },
	{ "30d", "{ \"scripted\": [\n{ \"target\": \"region:us east\", \"at\": \"1d\","
	  " \"duration\": \"1h\" } ] }", 9, "failures.scripted[0].target",
	  "got \"region:us east\"" },
	{ "30d", "{ \"scripted\": [\n{ \"target\": 3, \"at\": \"1d\", \"duration\": \"1h\" } ] }",
	  9, "failures.scripted[0].target", "expected region:NAME or zone:REGION/ZONE, got 3" },
	/* the target of the second entry (line 10) */
	{ "30d", "{ \"scripted\": [\n{ \"target\": \"region:eu-west-1\", \"at\": \"1d\","
	  " \"duration\": \"1h\" },\n{ \"duration\": \"1h\", \"at\": \"2d\" } ] }", 10,
	  "failures.scripted[1].target", "got nothing" },
	/* unknown region: one edit away, and nothing close (the list instead) */
	{ "30d", "{ \"scripted\": [\n{ \"target\": \"region:eu-wset-1\", \"at\": \"1d\","
	  " \"duration\": \"1h\" } ] }", 9, "failures.scripted[0].target",
	  "unknown region \"eu-wset-1\"; did you mean \"eu-west-1\"?" },
	{ "30d", "{ \"scripted\": [\n{ \"target\": \"zone:ap-south-1/a\", \"at\": \"1d\","
	  " \"duration\": \"1h\" } ] }", 9, "failures.scripted[0].target",
	  "unknown region \"ap-south-1\"; declared regions are: eu-west-1, us-east-1" },
	/* unknown zone: eu-west-1 has a and b only; "bb" is one edit from "b" */
	{ "30d", "{ \"scripted\": [\n{ \"target\": \"zone:eu-west-1/c\", \"at\": \"1d\","
	  " \"duration\": \"1h\" } ] }", 9, "failures.scripted[0].target",
	  "unknown zone \"c\" in region eu-west-1; the zones of eu-west-1 are: a, b" },
	{ "30d", "{ \"scripted\": [\n{ \"target\": \"zone:eu-west-1/bb\", \"at\": \"1d\","
	  " \"duration\": \"1h\" } ] }", 9, "failures.scripted[0].target",
	  "unknown zone \"bb\" in region eu-west-1; did you mean \"b\"?" },
	/* at: exactly the horizon is already beyond it ([0, horizon)); 86400 s = 1d */
	{ "1d", "{ \"scripted\": [\n{ \"target\": \"region:eu-west-1\",\n\"at\": 86400,"
	  " \"duration\": \"1h\" } ] }", 10, "failures.scripted[0].at",
	  "expected a time before the horizon (1.000 d), got 86400" },
	{ "30d", "{ \"scripted\": [\n{ \"target\": \"region:eu-west-1\",\n\"at\": \"1y\","
	  " \"duration\": \"1h\" } ] }", 10, "failures.scripted[0].at",
	  "before the horizon (30.00 d), got \"1y\"" },
	{ "30d", "{ \"scripted\": [\n{ \"target\": \"region:eu-west-1\",\n\"at\": \"-1h\","
	  " \"duration\": \"1h\" } ] }", 10, "failures.scripted[0].at",
	  "expected a duration >= 0" },
	{ "30d", "{ \"scripted\": [\n{ \"target\": \"region:eu-west-1\", \"at\": \"1d\",\n"
	  "\"duration\": \"0s\" } ] }", 10, "failures.scripted[0].duration",
	  "expected a duration > 0" },
	{ "30d", "{ \"scripted\": [] }", 8, "failures.scripted", "got an empty array" },
	{ "30d", "{ \"scripted\": [\n\"region:eu-west-1@1d+1h\" ] }", 9, "failures.scripted[0]",
	  "expected an object, got \"region:eu-west-1@1d+1h\"" },
	/* rates, medians and p95 */
	{ "30d", "{ \"zone_outages\": {\n\"rate_per_year\": -1,"
	  " \"duration\": { \"median\": \"1h\" } } }", 9, "failures.zone_outages.rate_per_year",
	  "expected a number of outages per year (365 days) >= 0, got -1" },
	{ "30d", "{ \"region_outages\": {\n\"rate_per_year\": \"twice\","
	  " \"duration\": { \"median\": \"1h\" } } }", 9,
	  "failures.region_outages.rate_per_year", "got \"twice\"" },
	{ "30d", "{ \"region_outages\": {\n\"duration\": { \"median\": \"1h\" } } }", 8,
	  "failures.region_outages.rate_per_year", "got nothing (the field is required)" },
	{ "30d", "{ \"region_outages\": { \"rate_per_year\": 1 } }", 8,
	  "failures.region_outages.duration", "expected an object, got nothing" },
	{ "30d", "{ \"region_outages\": { \"rate_per_year\": 1,\n\"duration\": {\n"
	  "\"p95\": \"1h\" } } }", 9, "failures.region_outages.duration.median",
	  "got nothing" },
	{ "30d", "{ \"region_outages\": { \"rate_per_year\": 1, \"duration\": {\n"
	  "\"median\": \"0m\" } } }", 9, "failures.region_outages.duration.median",
	  "expected a duration > 0" },
	{ "30d", "{ \"region_outages\": { \"rate_per_year\": 1,\n\"duration\": { \"median\": \"2h\","
	  "\n\"p95\": \"119m\" } } }", 10, "failures.region_outages.duration.p95",
	  "expected a p95 at least the median (2.000 h), got \"119m\"" },
	/* instance_mtbf */
	{ "30d", "{\n\"instance_mtbf\": \"0h\" }", 9, "failures.instance_mtbf",
	  "expected a duration > 0" },
	{ "30d", "{\n\"instance_mtbf\": \"2000 hours\" }", 9, "failures.instance_mtbf",
	  "got \"2000 hours\"" },
	/* unknown and duplicate keys, at each level */
	{ "30d", "{\n\"zone_outage\": {} }", 9, "failures.zone_outage",
	  "unknown key; did you mean \"zone_outages\"?" },
	{ "30d", "{ \"zone_outages\": { \"rate_per_year\": 1,\n\"rate\": 2 } }", 9,
	  "failures.zone_outages.rate", "unknown key; the keys here are: rate_per_year, duration" },
	{ "30d", "{ \"zone_outages\": { \"rate_per_year\": 1, \"duration\": { \"median\": \"1h\","
	  "\n\"p99\": \"3h\" } } }", 9, "failures.zone_outages.duration.p99",
	  "unknown key; did you mean \"p95\"?" },
	{ "30d", "{ \"scripted\": [ { \"target\": \"region:eu-west-1\", \"at\": \"1d\","
	  "\n\"duraton\": \"1h\" } ] }", 9, "failures.scripted[0].duraton",
	  "unknown key; did you mean \"duration\"?" },
	{ "30d", "{ \"instance_mtbf\": \"1h\",\n\"instance_mtbf\": \"2h\" }", 9,
	  "failures.instance_mtbf", "duplicate key; it was first given on line 8" },
	{ "30d", "[\n]", 8, "failures", "expected an object, got an empty array" },
};

Test(scenario_failures, each_mistake_is_reported_at_its_path_and_line)
{
	for (size_t i = 0; i < sizeof mistakes / sizeof mistakes[0]; i++) {
		const struct mistake *m = &mistakes[i];
		struct scenario sc;
		struct scenario_error err;
		int rc = load(m->horizon, m->failures, &sc, &err);
		cr_assert_eq(rc, CAPSIM_EINVAL, "mistake %zu: rc %d (%s)", i, rc, err.msg);
		cr_assert_eq(err.line, m->line, "mistake %zu: line %d, want %d: %s", i, err.line,
			     m->line, err.msg);
		cr_assert_str_eq(err.path, m->path, "mistake %zu: %s", i, err.msg);
		cr_assert(strstr(err.msg, m->text), "mistake %zu: \"%s\" lacks \"%s\"", i, err.msg,
			  m->text);
		cr_assert_null(sc.failures.scripted, "mistake %zu: nothing left on failure", i);
		cr_assert_eq(sc.has_failures, 0);
	}
}

/* ---- scenario_parse_outage ---- */

static void load_for_drill(struct scenario *sc)
{
	struct scenario_error err;
	cr_assert_eq(load("30d", "{}", sc, &err), 0, "%s", err.msg);
}

Test(scenario_failures, parse_outage_reads_region_and_zone_targets)
{
	struct scenario sc;
	struct scenario_outage o;
	char msg[512];
	load_for_drill(&sc);

	/* The drill: lose the primary region for four hours on day ten. */
	cr_assert_eq(scenario_parse_outage(&sc, "region:eu-west-1@10d+4h", &o, msg, sizeof msg),
		     0, "%s", msg);
	cr_assert_eq(o.kind, SCENARIO_OUTAGE_REGION);
	cr_assert_eq(o.region, 0);
	cr_assert_eq(o.zone, -1);
	assert_near(o.at, 864000, "10d");
	assert_near(o.duration, 14400, "4h");

	cr_assert_eq(scenario_parse_outage(&sc, "zone:us-east-1/c@84h+30m", &o, msg, sizeof msg),
		     0, "%s", msg);
	cr_assert_eq(o.kind, SCENARIO_OUTAGE_ZONE);
	cr_assert_eq(o.region, 1);
	cr_assert_eq(o.zone, 2, "c is the third zone of us-east-1");
	assert_near(o.at, 302400, "84h");
	assert_near(o.duration, 1800, "30m");

	/* Bare seconds, and a start at 0. */
	cr_assert_eq(scenario_parse_outage(&sc, "zone:eu-west-1/b@0+90", &o, NULL, 0), 0);
	cr_assert_eq(o.at, 0);
	cr_assert_eq(o.duration, 90);
	cr_assert_eq(o.zone, 1);

	/* A '+' inside AT ("1e+3s" = 1000 s) is not the separator: the split is the first
	 * '+' with a duration on both sides. */
	cr_assert_eq(scenario_parse_outage(&sc, "region:us-east-1@1e+3s+2h", &o, msg, sizeof msg),
		     0, "%s", msg);
	cr_assert_eq(o.region, 1);
	assert_near(o.at, 1000, "1e+3s");
	assert_near(o.duration, 7200, "2h");

	/* The last second before the 30-day horizon (2592000 s) is allowed. */
	cr_assert_eq(scenario_parse_outage(&sc, "region:eu-west-1@2591999s+1s", &o, msg,
					   sizeof msg), 0, "%s", msg);
	cr_assert_eq(o.at, 2591999);
	scenario_release(&sc);
}

struct bad_outage {
	const char *text;
	const char *want;       /* must appear in the message */
};

static const struct bad_outage bad_outages[] = {
	{ "region:eu-west-1", "expected region:NAME@AT+DURATION or zone:REGION/ZONE@AT+DURATION" },
	{ "eu-west-1@10d+4h", "got \"eu-west-1@10d+4h\"" },
	{ "zone:eu-west-1@10d+4h", "got \"zone:eu-west-1@10d+4h\"" },
	{ "region:eu-west-1/a@10d+4h", "got \"region:eu-west-1/a@10d+4h\"" },
	{ "", "got \"\"" },
	{ "region:eu-wset-1@10d+4h", "unknown region \"eu-wset-1\"; did you mean \"eu-west-1\"?" },
	{ "region:mars@10d+4h", "unknown region \"mars\"; declared regions are: eu-west-1, "
	  "us-east-1" },
	{ "zone:eu-west-1/c@10d+4h", "unknown zone \"c\" in region eu-west-1; the zones of "
	  "eu-west-1 are: a, b" },
	{ "region:eu-west-1@10d", "(no '+' before the duration)" },
	{ "region:eu-west-1@tomorrow+4h", "expected a start time such as \"10d\" or \"84h\" after "
	  "'@', got \"tomorrow\"" },
	{ "region:eu-west-1@+4h", "after '@', got \"\"" },
	{ "region:eu-west-1@10d+4 hours", "expected a duration > 0 such as \"4h\" after '+', got "
	  "\"4 hours\"" },
	{ "region:eu-west-1@10d+", "after '+', got \"\"" },
	{ "region:eu-west-1@10d+-4h", "after '+', got \"-4h\"" },
	{ "region:eu-west-1@10d+0s", "expected a duration > 0 after '+', got \"0s\"" },
	/* 30d is the horizon itself: [0, horizon) excludes it */
	{ "region:eu-west-1@30d+1h", "expected a start time before the horizon (30.00 d), got "
	  "\"30d\"" },
	{ "region:eu-west-1@1y+1h", "before the horizon (30.00 d), got \"1y\"" },
};

Test(scenario_failures, parse_outage_says_what_was_expected_and_what_was_found)
{
	struct scenario sc;
	const struct scenario_outage sentinel = { .kind = 7, .region = 9, .zone = 9, .at = -1,
						  .duration = -1 };
	load_for_drill(&sc);
	for (size_t i = 0; i < sizeof bad_outages / sizeof bad_outages[0]; i++) {
		const struct bad_outage *b = &bad_outages[i];
		struct scenario_outage o = sentinel;
		char msg[512];
		int rc = scenario_parse_outage(&sc, b->text, &o, msg, sizeof msg);
		cr_assert_eq(rc, CAPSIM_EINVAL, "%s: rc %d", b->text, rc);
		cr_assert(strstr(msg, b->want), "%s: \"%s\" lacks \"%s\"", b->text, msg, b->want);
		cr_assert(o.kind == 7 && o.region == 9 && o.zone == 9 && o.at == -1 &&
			  o.duration == -1, "%s: *out changed on failure", b->text);
		/* Without a message buffer, and with one too small for the message, the answer
		 * is the same and nothing is written past the buffer (the sanitizer build). */
		cr_assert_eq(scenario_parse_outage(&sc, b->text, &o, NULL, 0), CAPSIM_EINVAL);
		char tiny[8];
		memset(tiny, 'x', sizeof tiny);
		cr_assert_eq(scenario_parse_outage(&sc, b->text, &o, tiny, sizeof tiny),
			     CAPSIM_EINVAL);
		cr_assert(memchr(tiny, '\0', sizeof tiny), "%s: the message is terminated", b->text);
		cr_assert_eq(strncmp(tiny, msg, sizeof tiny - 1), 0, "%s: the start of the message",
			     b->text);
	}
	scenario_release(&sc);
}
