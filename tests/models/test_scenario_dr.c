/* Scenario loading of the disaster-recovery plan ("dr") and the data it protects ("data"):
 * values as written, defaults per strategy, mistakes with line and path, the name helpers. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "models/scenario.h"
#include "sim/error.h"

/* Values are short decimals times one unit factor (1e-3, 60, 3600); strtod and that one
 * multiplication leave them within a few ulps of the hand-converted value. */
static void assert_near(double got, double want, const char *what)
{
	cr_assert(fabs(got - want) <= 1e-12 * fmax(1.0, fabs(want)), "%s: got %.17g, want %.17g",
		  what, got, want);
}

/* Lines 1-12 of every test file; the text given to load() starts on line 13 and each "\n" in
 * it moves to the next line. regions: [0] eu-west-1, [1] us-east-1, [2] ap-south-1. tiers:
 * [0] web calls app, [1] db (placed in the regions given, on line 10), [2] app calls db, so
 * the chain is web -> app -> db and its last tier, db, is not the last one listed. */
static const char head[] =
	"{ \"name\": \"d\", \"version\": 1,\n"
	"  \"traffic\": { \"base_rate\": 100 },\n"
	"  \"instance_types\": [ { \"name\": \"small\", \"vcpu\": 2, \"memory_gib\": 4,"
	" \"price_hourly\": 0.1 } ],\n"
	"  \"regions\": [ { \"name\": \"eu-west-1\", \"zones\": [\"a\", \"b\"] },\n"
	"               { \"name\": \"us-east-1\", \"zones\": [\"a\", \"b\", \"c\"] },\n"
	"               { \"name\": \"ap-south-1\", \"zones\": [\"a\"] } ],\n"
	"  \"tiers\": [ { \"name\": \"web\", \"instance_type\": \"small\", \"capacity_rps\": 100,"
	" \"calls\": \"app\",\n"
	"               \"autoscaling\": { \"min\": 2, \"max\": 2 } },\n"
	"             { \"name\": \"db\", \"instance_type\": \"small\", \"capacity_rps\": 500,\n"
	"               \"placement\": { \"regions\": %s }, \"autoscaling\": { \"min\": 1,"
	" \"max\": 1 } },\n"
	"             { \"name\": \"app\", \"instance_type\": \"small\", \"capacity_rps\": 200,"
	" \"calls\": \"db\",\n"
	"               \"autoscaling\": { \"min\": 1, \"max\": 4 } } ],\n"
	"  %s }\n";

/* db in the first two regions: enough for every strategy between them. */
#define EU_US "[\"eu-west-1\", \"us-east-1\"]"

static int load(const char *placement, const char *rest, struct scenario *sc,
		struct scenario_error *err)
{
	char text[8192];
	int n = snprintf(text, sizeof text, head, placement, rest);
	cr_assert(n > 0 && (size_t)n < sizeof text);
	return scenario_parse(text, (size_t)n, "d.json", sc, err);
}

/* Every field given, none at its default. */
static const char full[] =
	"\"dr\": { \"strategy\": \"warm_standby\", \"primary\": \"us-east-1\","
	" \"recovery\": \"eu-west-1\",\n"
	"    \"health_check\": { \"interval\": \"10s\", \"failure_threshold\": 5 },\n"
	"    \"dns_ttl\": \"30s\", \"decision_delay\": \"15m\", \"promotion_time\": \"90s\",\n"
	"    \"standby_scale\": 0.5, \"data_tier\": \"app\", \"failback\": false,\n"
	"    \"rto_target\": \"1h\", \"rpo_target\": \"5m\" },\n"
	"  \"data\": { \"write_rate\": 250, \"write_kb\": 4.5, \"replication\": \"async\",\n"
	"    \"lag\": { \"median\": \"800ms\", \"p95\": \"3s\" }, \"backup_interval\": \"6h\",\n"
	"    \"size_gb\": 750, \"restore_gb_per_hour\": 300, \"transfer_price_gb\": 0.01,\n"
	"    \"backup_price_gb_month\": 0.023, \"_comment\": \"comments are ignored\" }";

Test(scenario_dr, every_field_loads_with_the_value_written_in_it)
{
	struct scenario sc;
	struct scenario_error err;
	cr_assert_eq(load(EU_US, full, &sc, &err), 0, "%s", err.msg);
	const struct scenario_dr *dr = &sc.dr;
	cr_assert(sc.has_dr);
	cr_assert_eq(dr->strategy, SCENARIO_DR_WARM_STANDBY);
	cr_assert_eq(dr->primary, 1, "us-east-1 is regions[1]");
	cr_assert_eq(dr->recovery, 0, "eu-west-1 is regions[0]");
	assert_near(dr->check_interval, 10, "interval 10s");
	cr_assert_eq(dr->failure_threshold, 5);
	assert_near(dr->dns_ttl, 30, "dns_ttl 30s");
	assert_near(dr->decision_delay, 15 * 60.0, "15m = 900 s");
	assert_near(dr->promotion_time, 90, "90s");
	assert_near(dr->standby_scale, 0.5, "standby_scale");
	cr_assert_eq(dr->data_tier, 2, "app is tiers[2]");
	cr_assert_eq(dr->failback, 0);
	assert_near(dr->rto_target, 3600, "1h");
	assert_near(dr->rpo_target, 300, "5m");
	cr_assert_eq(dr->has_rpo_target, 1);

	const struct scenario_data *d = &sc.data;
	cr_assert(sc.has_data);
	assert_near(d->write_rate, 250, "write_rate");
	assert_near(d->write_kb, 4.5, "write_kb");
	cr_assert_eq(d->replication, SCENARIO_REPL_ASYNC);
	assert_near(d->lag_median, 0.8, "800ms");
	assert_near(d->lag_p95, 3, "3s");
	assert_near(d->backup_interval, 6 * 3600.0, "6h = 21600 s");
	assert_near(d->size_gb, 750, "size_gb");
	assert_near(d->restore_gb_per_hour, 300, "restore_gb_per_hour");
	assert_near(d->transfer_price_gb, 0.01, "transfer_price_gb");
	assert_near(d->backup_price_gb_month, 0.023, "backup_price_gb_month");
	scenario_release(&sc);
	cr_assert_eq(sc.has_dr, 0, "released and zeroed");
	cr_assert_eq(sc.dr.strategy, SCENARIO_DR_NONE);
	cr_assert_eq(sc.has_data, 0);
}

Test(scenario_dr, without_dr_nothing_fails_over)
{
	struct scenario sc;
	struct scenario_error err;
	cr_assert_eq(scenario_load("scenarios/minimal.json", &sc, &err), 0, "%s", err.msg);
	cr_assert_eq(sc.has_dr, 0);
	cr_assert_eq(sc.dr.strategy, SCENARIO_DR_NONE);
	cr_assert_eq(sc.has_data, 0);
	cr_assert_eq(sc.data.write_rate, 0);
	scenario_release(&sc);
}

struct strategy_defaults {
	const char *dr;
	int strategy;
	size_t primary, recovery;
	double decision_delay;   /* s */
	double standby_scale;
};

/* The format's defaults: health checks every 30 s, 3 failures; DNS TTL 60 s; a decision
 * delay of 5 min = 300 s except with active_active (0 s: every region already serves);
 * promotion 2 min = 120 s; standby 0.25 with warm_standby only (0 otherwise); data_tier the
 * last tier on the chain web -> app -> db, which is db = tiers[1]; failback on; no targets. */
static const struct strategy_defaults defaults[] = {
	{ "\"dr\": { \"strategy\": \"backup_restore\", \"primary\": \"eu-west-1\","
	  " \"recovery\": \"us-east-1\" }", SCENARIO_DR_BACKUP_RESTORE, 0, 1, 300, 0 },
	{ "\"dr\": { \"strategy\": \"pilot_light\", \"primary\": \"us-east-1\","
	  " \"recovery\": \"eu-west-1\" }", SCENARIO_DR_PILOT_LIGHT, 1, 0, 300, 0 },
	{ "\"dr\": { \"strategy\": \"warm_standby\", \"primary\": \"eu-west-1\","
	  " \"recovery\": \"us-east-1\" }", SCENARIO_DR_WARM_STANDBY, 0, 1, 300, 0.25 },
	{ "\"dr\": { \"strategy\": \"active_active\" }", SCENARIO_DR_ACTIVE_ACTIVE, 0, 0, 0, 0 },
};

Test(scenario_dr, each_strategy_gets_its_defaults)
{
	for (size_t i = 0; i < sizeof defaults / sizeof defaults[0]; i++) {
		const struct strategy_defaults *w = &defaults[i];
		struct scenario sc;
		struct scenario_error err;
		cr_assert_eq(load(EU_US, w->dr, &sc, &err), 0, "%zu: %s", i, err.msg);
		const struct scenario_dr *dr = &sc.dr;
		cr_assert(sc.has_dr);
		cr_assert_eq(dr->strategy, w->strategy, "%zu", i);
		cr_assert_eq(dr->primary, w->primary, "%zu", i);
		cr_assert_eq(dr->recovery, w->recovery, "%zu", i);
		cr_assert_eq(dr->check_interval, 30, "%zu", i);
		cr_assert_eq(dr->failure_threshold, 3, "%zu", i);
		cr_assert_eq(dr->dns_ttl, 60, "%zu", i);
		cr_assert_eq(dr->decision_delay, w->decision_delay, "%zu", i);
		cr_assert_eq(dr->promotion_time, 120, "%zu", i);
		cr_assert_eq(dr->standby_scale, w->standby_scale, "%zu", i);
		cr_assert_eq(dr->data_tier, 1, "%zu: db, the end of the chain, is tiers[1]", i);
		cr_assert_eq(dr->failback, 1, "%zu", i);
		cr_assert_eq(dr->rto_target, 0, "%zu", i);
		cr_assert_eq(dr->rpo_target, 0, "%zu", i);
		cr_assert_eq(dr->has_rpo_target, 0, "%zu", i);
		cr_assert_eq(sc.has_data, 0, "%zu: dr without data is allowed", i);
		scenario_release(&sc);
	}
}

Test(scenario_dr, data_gets_its_defaults)
{
	struct scenario sc;
	struct scenario_error err;
	/* Only the required write rate; 0 is allowed (a read-only service). data without dr is
	 * allowed too (the standing cost of backups). */
	cr_assert_eq(load(EU_US, "\"data\": { \"write_rate\": 0 }", &sc, &err), 0, "%s", err.msg);
	const struct scenario_data *d = &sc.data;
	cr_assert(sc.has_data);
	cr_assert_eq(sc.has_dr, 0);
	cr_assert_eq(d->write_rate, 0);
	cr_assert_eq(d->write_kb, 2);
	cr_assert_eq(d->replication, SCENARIO_REPL_ASYNC);
	cr_assert_eq(d->lag_median, 1, "1s");
	cr_assert_eq(d->lag_p95, 2, "2 x the median");
	cr_assert_eq(d->backup_interval, 86400, "24h");
	cr_assert_eq(d->size_gb, 100);
	cr_assert_eq(d->restore_gb_per_hour, 500);
	assert_near(d->transfer_price_gb, 0.02, "AWS inter-region transfer");
	assert_near(d->backup_price_gb_month, 0.05, "EBS snapshot storage");
	scenario_release(&sc);

	/* A median alone keeps the lognormal's shape: p95 = 2 x 3 s = 6 s. */
	cr_assert_eq(load(EU_US, "\"data\": { \"write_rate\": 10, \"lag\": { \"median\": \"3s\" } }",
			  &sc, &err), 0, "%s", err.msg);
	cr_assert_eq(sc.data.lag_median, 3);
	cr_assert_eq(sc.data.lag_p95, 6);
	scenario_release(&sc);

	/* p95 equal to the median is allowed (a constant lag). */
	cr_assert_eq(load(EU_US, "\"data\": { \"write_rate\": 10, \"lag\": { \"median\": \"2s\","
			  " \"p95\": \"2s\" } }", &sc, &err), 0, "%s", err.msg);
	cr_assert_eq(sc.data.lag_p95, 2);
	scenario_release(&sc);

	/* Synchronous replication has no lag: both are 0. */
	cr_assert_eq(load(EU_US, "\"data\": { \"write_rate\": 10, \"replication\": \"sync\" }", &sc,
			  &err), 0, "%s", err.msg);
	cr_assert_eq(sc.data.replication, SCENARIO_REPL_SYNC);
	cr_assert_eq(sc.data.lag_median, 0);
	cr_assert_eq(sc.data.lag_p95, 0);
	scenario_release(&sc);
}

/* A synchronous write's round trip: sync_latency as given; else the regions' rtt between the
 * primary and the recovery region; else 70 ms. */
Test(scenario_dr, sync_latency_defaults_to_the_regions_round_trip)
{
	static const char sync[] =
		"\"dr\": { \"strategy\": \"pilot_light\", \"primary\": \"us-east-1\","
		" \"recovery\": \"eu-west-1\" },\n"
		"  \"data\": { \"write_rate\": 10, \"replication\": \"sync\" %s }";
	char rest[512];
	struct scenario sc;
	struct scenario_error err;
	snprintf(rest, sizeof rest, sync, "");
	cr_assert_eq(load(EU_US, rest, &sc, &err), 0, "%s", err.msg);
	assert_near(sc.data.sync_latency, 0.07, "no rtt: 70 ms");
	scenario_release(&sc);

	/* head's regions with rtt: eu-west-1 <-> us-east-1 90 ms, us-east-1 <-> ap-south-1
	 * 200 ms. The pair of primary and recovery is 90 ms. */
	char text[8192], with_rtt[sizeof head + 200];
	const char *eu = "\"zones\": [\"a\", \"b\"] }", *us = "\"zones\": [\"a\", \"b\", \"c\"] }";
	const char *pe = strstr(head, eu), *pu = strstr(head, us);
	cr_assert(pe && pu && pe < pu);
	snprintf(with_rtt, sizeof with_rtt, "%.*s%s%.*s%s%s", (int)(pe - head), head,
		 "\"zones\": [\"a\", \"b\"], \"rtt\": { \"us-east-1\": \"90ms\" } }",
		 (int)(pu - pe - strlen(eu)), pe + strlen(eu),
		 "\"zones\": [\"a\", \"b\", \"c\"], \"rtt\": { \"ap-south-1\": \"200ms\" } }",
		 pu + strlen(us));
	int n = snprintf(text, sizeof text, with_rtt, EU_US, rest);
	cr_assert(n > 0 && (size_t)n < sizeof text);
	cr_assert_eq(scenario_parse(text, (size_t)n, "d.json", &sc, &err), 0, "%s", err.msg);
	assert_near(sc.data.sync_latency, 0.09, "primary <-> recovery");
	scenario_release(&sc);

	/* Given explicitly, it stands. */
	snprintf(rest, sizeof rest, sync, ", \"sync_latency\": \"50ms\"");
	n = snprintf(text, sizeof text, with_rtt, EU_US, rest);
	cr_assert(n > 0 && (size_t)n < sizeof text);
	cr_assert_eq(scenario_parse(text, (size_t)n, "d.json", &sc, &err), 0, "%s", err.msg);
	assert_near(sc.data.sync_latency, 0.05, "as written");
	scenario_release(&sc);
}

Test(scenario_dr, a_zero_rpo_target_differs_from_none)
{
	struct scenario sc;
	struct scenario_error err;
	/* "0s" is a target (no write may be lost), which sync replication can meet. */
	cr_assert_eq(load(EU_US, "\"dr\": { \"strategy\": \"pilot_light\", \"primary\": "
			  "\"eu-west-1\", \"recovery\": \"us-east-1\", \"rpo_target\": \"0s\" },\n"
			  "\"data\": { \"write_rate\": 10, \"replication\": \"sync\" }", &sc, &err),
		     0, "%s", err.msg);
	cr_assert_eq(sc.dr.has_rpo_target, 1);
	cr_assert_eq(sc.dr.rpo_target, 0);
	cr_assert_eq(sc.dr.rto_target, 0, "no RTO target");
	scenario_release(&sc);
}

Test(scenario_dr, placement_follows_the_strategy)
{
	struct scenario sc;
	struct scenario_error err;
	/* db in all three regions: any pair of them will do. */
	cr_assert_eq(load("[\"ap-south-1\", \"eu-west-1\", \"us-east-1\"]", "\"dr\": { \"strategy\":"
			  " \"pilot_light\", \"primary\": \"ap-south-1\", \"recovery\": \"us-east-1\" }",
			  &sc, &err), 0, "%s", err.msg);
	cr_assert_eq(sc.dr.primary, 2);
	cr_assert_eq(sc.dr.recovery, 1);
	scenario_release(&sc);
	/* active_active with db in two of the three regions: at least 2 is enough. */
	cr_assert_eq(load("[\"us-east-1\", \"ap-south-1\"]", "\"dr\": { \"strategy\":"
			  " \"active_active\" }", &sc, &err), 0, "%s", err.msg);
	scenario_release(&sc);
}

Test(scenario_dr, active_active_needs_two_regions)
{
	/* One region: no tier can be in two, and the placement is the default, so the
	 * strategy itself is the mistake (line 6). */
	static const char text[] =
		"{ \"name\": \"one\", \"version\": 1, \"traffic\": { \"base_rate\": 100 },\n"
		"  \"instance_types\": [ { \"name\": \"small\", \"vcpu\": 2, \"memory_gib\": 4,"
		" \"price_hourly\": 0.1 } ],\n"
		"  \"regions\": [ { \"name\": \"local\", \"zones\": [\"a\"] } ],\n"
		"  \"tiers\": [ { \"name\": \"api\", \"instance_type\": \"small\", \"capacity_rps\": 100,\n"
		"               \"autoscaling\": { \"min\": 2, \"max\": 2 } } ],\n"
		"  \"dr\": { \"strategy\": \"active_active\" } }\n";
	struct scenario sc;
	struct scenario_error err;
	cr_assert_eq(scenario_parse(text, strlen(text), "one.json", &sc, &err), CAPSIM_EINVAL);
	cr_assert_eq(err.line, 6, "%s", err.msg);
	cr_assert_str_eq(err.path, "dr.strategy");
	cr_assert(strstr(err.msg, "active_active needs at least 2 regions serving; the scenario "
			 "declares 1"), "%s", err.msg);
	cr_assert_eq(sc.has_dr, 0);
}

struct mistake {
	const char *placement;  /* db's regions, on line 10 */
	const char *rest;       /* starts on line 13 */
	int line;
	const char *path;
	const char *text;       /* must appear in the message */
};

#define PL "\"dr\": { \"strategy\": \"pilot_light\", \"primary\": \"eu-west-1\"," \
	   " \"recovery\": \"us-east-1\",\n"
#define WS "\"dr\": { \"strategy\": \"warm_standby\", \"primary\": \"eu-west-1\"," \
	   " \"recovery\": \"us-east-1\",\n"

static const struct mistake mistakes[] = {
	/* strategy: one edit from a name, nothing close, missing, not a string */
	{ EU_US, "\"dr\": {\n\"strategy\": \"warm-standby\" }", 14, "dr.strategy",
	  "got \"warm-standby\"; did you mean \"warm_standby\"?" },
	{ EU_US, "\"dr\": {\n\"strategy\": \"pilot\" }", 14, "dr.strategy",
	  "expected one of \"backup_restore\", \"pilot_light\", \"warm_standby\" or "
	  "\"active_active\", got \"pilot\"" },
	{ EU_US, "\"dr\": { \"primary\": \"eu-west-1\",\n\"recovery\": \"us-east-1\" }", 13,
	  "dr.strategy", "got nothing (the field is required)" },
	{ EU_US, "\"dr\": {\n\"strategy\": 3 }", 14, "dr.strategy", "got 3" },
	{ EU_US, "\"dr\": {\n\"strategy\": \"none\" }", 14, "dr.strategy", "got \"none\"" },
	/* primary and recovery */
	{ EU_US, "\"dr\": { \"strategy\": \"pilot_light\", \"primary\": \"eu-west-1\",\n"
	  "\"recovery\": \"eu-west-1\" }", 14, "dr.recovery",
	  "expected a region other than the primary (eu-west-1), got \"eu-west-1\"" },
	{ EU_US, "\"dr\": { \"strategy\": \"pilot_light\", \"primary\": \"eu-west-1\",\n"
	  "\"recovery\": \"us-east1\" }", 14, "dr.recovery",
	  "unknown region \"us-east1\"; did you mean \"us-east-1\"?" },
	{ EU_US, "\"dr\": { \"strategy\": \"backup_restore\",\n\"primary\": \"mars\","
	  " \"recovery\": \"us-east-1\" }", 14, "dr.primary",
	  "unknown region \"mars\"; declared regions are: eu-west-1, us-east-1, ap-south-1" },
	{ EU_US, "\"dr\": { \"strategy\": \"backup_restore\",\n\"recovery\": \"us-east-1\" }", 13,
	  "dr.primary", "expected the name of a declared region (the region backup_restore "
	  "fails over from), got nothing" },
	{ EU_US, "\"dr\": { \"strategy\": \"warm_standby\",\n\"primary\": \"us-east-1\" }", 13,
	  "dr.recovery", "(the region warm_standby fails over to), got nothing" },
	{ EU_US, "\"dr\": { \"strategy\": \"pilot_light\", \"primary\": \"eu-west-1\",\n"
	  "\"recovery\": [\"us-east-1\"] }", 14, "dr.recovery",
	  "expected the name of a declared region, got an array" },
	{ EU_US, "\"dr\": { \"strategy\": \"active_active\",\n\"primary\": \"eu-west-1\" }", 14,
	  "dr.primary", "not allowed with active_active" },
	{ EU_US, "\"dr\": { \"strategy\": \"active_active\",\n\"recovery\": \"eu-west-1\" }", 14,
	  "dr.recovery", "there is no primary or recovery region" },
	/* standby_scale */
	{ EU_US, PL "\"standby_scale\": 0.25 }", 14, "dr.standby_scale",
	  "only allowed with warm_standby (pilot_light keeps no compute running" },
	{ EU_US, "\"dr\": { \"strategy\": \"active_active\",\n\"standby_scale\": 1 }", 14,
	  "dr.standby_scale", "only allowed with warm_standby" },
	{ EU_US, WS "\"standby_scale\": 0 }", 14, "dr.standby_scale",
	  "expected a share of the primary's capacity in (0,1], got 0" },
	{ EU_US, WS "\"standby_scale\": 1.5 }", 14, "dr.standby_scale", "(0,1], got 1.5" },
	/* placement: db (line 10) misses the recovery region, the primary, or a second region */
	{ "[\"eu-west-1\"]", PL "\"dns_ttl\": \"60s\" }", 10, "tiers[1].placement",
	  "tier \"db\" is not placed in us-east-1, the recovery region of dr: pilot_light needs "
	  "every tier in both the primary and the recovery region" },
	{ "[\"us-east-1\", \"ap-south-1\"]", "\"dr\": { \"strategy\": \"backup_restore\","
	  " \"primary\": \"eu-west-1\", \"recovery\": \"us-east-1\" }", 10, "tiers[1].placement",
	  "tier \"db\" is not placed in eu-west-1, the primary region of dr" },
	{ "[\"ap-south-1\"]", "\"dr\": { \"strategy\": \"active_active\" }", 10,
	  "tiers[1].placement", "tier \"db\" is placed in ap-south-1 only; dr.strategy "
	  "active_active needs every tier in at least 2 regions" },
	/* health checks */
	{ EU_US, PL "\"health_check\": {\n\"interval\": \"0s\" } }", 15,
	  "dr.health_check.interval", "expected a duration > 0" },
	{ EU_US, PL "\"health_check\": {\n\"failure_threshold\": 0 } }", 15,
	  "dr.health_check.failure_threshold", "a whole number of failed checks >= 1, got 0" },
	{ EU_US, PL "\"health_check\": {\n\"failure_threshold\": 2.5 } }", 15,
	  "dr.health_check.failure_threshold", "got 2.5" },
	{ EU_US, PL "\"health_check\": {\n\"threshold\": 2 } }", 15,
	  "dr.health_check.threshold", "unknown key; the keys here are: interval, "
	  "failure_threshold" },
	{ EU_US, PL "\"health_check\": \"30s\" }", 14, "dr.health_check",
	  "expected an object, got \"30s\"" },
	/* delays */
	{ EU_US, PL "\"dns_ttl\": \"-1s\" }", 14, "dr.dns_ttl", "expected a duration >= 0" },
	{ EU_US, PL "\"decision_delay\": \"soon\" }", 14, "dr.decision_delay", "got \"soon\"" },
	{ EU_US, PL "\"promotion_time\": -5 }", 14, "dr.promotion_time", "got -5" },
	/* data_tier */
	{ EU_US, PL "\"data_tier\": \"dbb\" }", 14, "dr.data_tier",
	  "unknown tier \"dbb\"; did you mean \"db\"?" },
	{ EU_US, PL "\"data_tier\": \"cache\" }", 14, "dr.data_tier",
	  "unknown tier \"cache\"; tiers are: web, db, app" },
	{ EU_US, PL "\"data_tier\": 1 }", 14, "dr.data_tier", "the name of a tier, got 1" },
	/* failback and targets */
	{ EU_US, PL "\"failback\": \"yes\" }", 14, "dr.failback",
	  "expected true or false, got \"yes\"" },
	{ EU_US, PL "\"rto_target\": \"0s\" }", 14, "dr.rto_target", "expected a duration > 0" },
	{ EU_US, PL "\"rpo_target\": \"5m\" }", 14, "dr.rpo_target",
	  "needs a \"data\" object (without data no RPO is measured)" },
	{ EU_US, PL "\"rpo_target\": \"-5m\" },\n\"data\": { \"write_rate\": 1 }", 14,
	  "dr.rpo_target", "expected a duration >= 0" },
	/* unknown and duplicate keys, a dr that is not an object */
	{ EU_US, PL "\"dns_tll\": \"60s\" }", 14, "dr.dns_tll",
	  "unknown key; did you mean \"dns_ttl\"?" },
	{ EU_US, "\"dr\": { \"strategy\": \"active_active\",\n\"strategy\": \"pilot_light\" }", 14,
	  "dr.strategy", "duplicate key; it was first given on line 13" },
	{ EU_US, "\"dr\":\n\"warm_standby\"", 14, "dr", "expected an object, got \"warm_standby\"" },

	/* data: write_rate */
	{ EU_US, "\"data\": {\n\"write_kb\": 2 }", 13, "data.write_rate",
	  "expected a rate in writes/s in [0, 1e10], got nothing" },
	{ EU_US, "\"data\": {\n\"write_rate\": -5 }", 14, "data.write_rate", "in [0, 1e10], got -5" },
	{ EU_US, "\"data\": { \"write_rate\": 5,\n\"write_kb\": 0 }", 14, "data.write_kb",
	  "expected a size in KB per write > 0, got 0" },
	/* replication and lag */
	{ EU_US, "\"data\": { \"write_rate\": 5,\n\"replication\": \"asnyc\" }", 14,
	  "data.replication", "got \"asnyc\"; did you mean \"async\"?" },
	{ EU_US, "\"data\": { \"write_rate\": 5, \"replication\": \"sync\",\n"
	  "\"lag\": { \"median\": \"1s\" } }", 14, "data.lag",
	  "only allowed with \"async\" replication" },
	{ EU_US, "\"data\": { \"write_rate\": 5, \"lag\": { \"median\": \"2s\",\n"
	  "\"p95\": \"1s\" } }", 14, "data.lag.p95",
	  "expected a p95 at least the median (2.000 s), got \"1s\"" },
	{ EU_US, "\"data\": { \"write_rate\": 5, \"lag\": {\n\"median\": \"0s\" } }", 14,
	  "data.lag.median", "expected a duration > 0" },
	{ EU_US, "\"data\": { \"write_rate\": 5, \"lag\": { \"median\": \"2s\",\n"
	  "\"p99\": \"9s\" } }", 14, "data.lag.p99", "unknown key; did you mean \"p95\"?" },
	/* sizes, throughput, backups, prices */
	{ EU_US, "\"data\": { \"write_rate\": 5,\n\"backup_interval\": 0 }", 14,
	  "data.backup_interval", "expected a duration > 0" },
	{ EU_US, "\"data\": { \"write_rate\": 5,\n\"size_gb\": 0 }", 14, "data.size_gb",
	  "expected a size in GB > 0, got 0" },
	{ EU_US, "\"data\": { \"write_rate\": 5,\n\"restore_gb_per_hour\": -1 }", 14,
	  "data.restore_gb_per_hour", "throughput in GB per hour > 0, got -1" },
	{ EU_US, "\"data\": { \"write_rate\": 5,\n\"transfer_price_gb\": -0.01 }", 14,
	  "data.transfer_price_gb", "expected a price in USD per GB >= 0, got -0.01" },
	{ EU_US, "\"data\": { \"write_rate\": 5,\n\"backup_price_gb_month\": -0.05 }", 14,
	  "data.backup_price_gb_month", "USD per GB-month >= 0, got -0.05" },
	{ EU_US, "\"data\": { \"write_rate\": 5,\n\"write_rates\": 5 }", 14, "data.write_rates",
	  "unknown key; did you mean \"write_rate\"?" },
	{ EU_US, "\"data\":\n[]", 14, "data", "expected an object, got an empty array" },
};

Test(scenario_dr, each_mistake_is_reported_at_its_path_and_line)
{
	for (size_t i = 0; i < sizeof mistakes / sizeof mistakes[0]; i++) {
		const struct mistake *m = &mistakes[i];
		struct scenario sc;
		struct scenario_error err;
		int rc = load(m->placement, m->rest, &sc, &err);
		cr_assert_eq(rc, CAPSIM_EINVAL, "mistake %zu: rc %d (%s)", i, rc, err.msg);
		cr_assert_eq(err.line, m->line, "mistake %zu: line %d, want %d: %s", i, err.line,
			     m->line, err.msg);
		cr_assert_str_eq(err.path, m->path, "mistake %zu: %s", i, err.msg);
		cr_assert(strstr(err.msg, m->text), "mistake %zu: \"%s\" lacks \"%s\"", i, err.msg,
			  m->text);
		cr_assert(sc.has_dr == 0 && sc.has_data == 0 && sc.name == NULL,
			  "mistake %zu: nothing left on failure", i);
	}
}

Test(scenario_dr, strategy_names_and_parse_are_inverses)
{
	static const struct {
		int strategy;
		const char *name;
	} names[] = {
		{ SCENARIO_DR_NONE, "none" },
		{ SCENARIO_DR_BACKUP_RESTORE, "backup_restore" },
		{ SCENARIO_DR_PILOT_LIGHT, "pilot_light" },
		{ SCENARIO_DR_WARM_STANDBY, "warm_standby" },
		{ SCENARIO_DR_ACTIVE_ACTIVE, "active_active" },
	};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		cr_assert_str_eq(scenario_dr_strategy_name(names[i].strategy), names[i].name);
		cr_assert_eq(scenario_dr_strategy_parse(names[i].name), names[i].strategy, "%s",
			     names[i].name);
	}
	/* Not strategies: out of range values name "none"; unknown, misspelt, differently
	 * cased, empty and NULL names parse to -1. */
	cr_assert_str_eq(scenario_dr_strategy_name(-1), "none");
	cr_assert_str_eq(scenario_dr_strategy_name(SCENARIO_DR_ACTIVE_ACTIVE + 1), "none");
	cr_assert_eq(scenario_dr_strategy_parse("warm-standby"), -1);
	cr_assert_eq(scenario_dr_strategy_parse("Warm_Standby"), -1);
	cr_assert_eq(scenario_dr_strategy_parse("active_active "), -1);
	cr_assert_eq(scenario_dr_strategy_parse("all"), -1);
	cr_assert_eq(scenario_dr_strategy_parse(""), -1);
	cr_assert_eq(scenario_dr_strategy_parse(NULL), -1);
}
