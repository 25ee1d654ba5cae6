/* Scenario loading: bundled examples against the values written in them, defaults, every
 * broken example with its path and line, jsonloc on tricky text, hints and traces. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "models/jsonloc.h"
#include "models/scenario.h"
#include "sim/error.h"

/* Values in the files are short decimals; after strtod and one unit multiplication they
 * differ from the hand-converted value by a few ulps at most. */
static void assert_near(double got, double want, const char *what)
{
	cr_assert(fabs(got - want) <= 1e-12 * fmax(1.0, fabs(want)), "%s: got %.17g, want %.17g",
		  what, got, want);
}

static void load_ok(const char *path, struct scenario *sc)
{
	struct scenario_error err;
	int rc = scenario_load(path, sc, &err);
	cr_assert_eq(rc, 0, "%s: %s (%s)", path, err.msg, capsim_strerror(rc));
}

static int parse_text(const char *text, struct scenario *sc, struct scenario_error *err)
{
	return scenario_parse(text, strlen(text), "mem.json", sc, err);
}

Test(scenario, shop_loads_with_the_values_written_in_it)
{
	struct scenario sc;
	load_ok("scenarios/shop.json", &sc);
	cr_assert_str_eq(sc.name, "shop");
	cr_assert_eq(sc.version, 1);
	assert_near(sc.horizon, 30 * 86400.0, "horizon 30d");   /* 2592000 s */
	assert_near(sc.step, 60, "step 1m");
	cr_assert_eq(sc.seed, 42);
	cr_assert_eq(sc.replications, 20);
	cr_assert(sc.has_slo);
	assert_near(sc.slo.availability, 0.999, "availability");
	assert_near(sc.slo.latency_percentile, 99, "percentile");
	assert_near(sc.slo.latency_target, 0.6, "latency_target 600ms");
	assert_near(sc.budget_monthly, 2500, "budget");

	const struct scenario_traffic *t = &sc.traffic;
	cr_assert(!t->has_trace);
	assert_near(t->base_rate, 400, "base_rate");
	assert_near(t->daily_amplitude, 0.5, "amplitude");
	assert_near(t->daily_peak_hour, 19, "peak_hour");
	assert_near(t->weekend_factor, 1.3, "weekend_factor");
	assert_near(t->growth_per_month, 0.05, "growth");
	assert_near(t->noise, 0.1, "noise");
	assert_near(t->spikes.rate_per_day, 0.2, "spike rate");
	assert_near(t->spikes.magnitude_lo, 1.5, "spike lo");
	assert_near(t->spikes.magnitude_hi, 3, "spike hi");
	assert_near(t->spikes.duration, 1800, "spike duration 30m");

	/* The tiers' three types, then the optimize block's four other spot types, all from the
	 * bundled catalog (models/data/prices.csv: c6i.large 0.096 USD/h in eu-west-1 and
	 * 0.085 in us-east-1, r6i.xlarge 0.282 and 0.252). */
	cr_assert_eq(sc.ninstance_types, 7);
	cr_assert(sc.has_catalog);
	cr_assert_str_eq(sc.instance_types[0].name, "c6i.large");
	cr_assert(sc.instance_types[0].from_catalog);
	cr_assert_eq(sc.instance_types[0].vcpu, 2);
	assert_near(sc.instance_types[0].memory_gib, 4, "memory");
	assert_near(sc.instance_types[0].price[0].on_demand, 0.096, "c6i.large eu-west-1");
	assert_near(sc.instance_types[0].price[1].on_demand, 0.085, "c6i.large us-east-1");
	cr_assert_str_eq(sc.instance_types[2].name, "r6i.xlarge");
	assert_near(sc.instance_types[2].price[0].on_demand, 0.282, "r6i.xlarge eu-west-1");
	assert_near(sc.instance_types[2].price[1].on_demand, 0.252, "r6i.xlarge us-east-1");
	/* web and app may go to spot over their three types each; db (the chain's end) not. */
	cr_assert_eq(sc.optimize.tiers[0].nspot_types, 3);
	cr_assert_eq(sc.optimize.tiers[0].spot, 1);
	cr_assert_eq(sc.optimize.tiers[1].nspot_types, 3);
	cr_assert_eq(sc.optimize.tiers[2].spot, 0);

	cr_assert_eq(sc.nregions, 2);
	cr_assert_str_eq(sc.regions[1].name, "us-east-1");
	cr_assert_eq(sc.regions[1].nzones, 3);
	cr_assert_str_eq(sc.regions[1].zones[2], "c");
	assert_near(t->region_share[0], 0.6, "share eu-west-1");
	assert_near(t->region_share[1], 0.4, "share us-east-1");

	cr_assert_eq(sc.ntiers, 3);
	const struct scenario_tier *web = &sc.tiers[0], *app = &sc.tiers[1], *db = &sc.tiers[2];
	cr_assert_str_eq(web->name, "web");
	cr_assert_eq(web->instance_type, 0);
	cr_assert(web->has_service_time);
	assert_near(web->service_time, 0.020, "web service_time 20ms");
	cr_assert_eq(web->concurrency, 8);
	assert_near(web->capacity_rps, 400, "web capacity = 8 / 0.020 s");
	cr_assert_eq(web->calls, 1);
	cr_assert_eq(web->nplacement, 2);
	cr_assert_eq(web->placement[1].region, 1);
	cr_assert_eq(web->placement[1].zones, 3);
	assert_near(web->boot_median, 45, "boot median");
	assert_near(web->boot_p95, 90, "boot p95");
	assert_near(web->timeout, 10, "timeout");
	const struct scenario_autoscaling *as = &web->autoscaling;
	cr_assert_eq(as->min, 2);
	cr_assert_eq(as->max, 20);
	cr_assert_eq(as->desired, 2, "desired defaults to min");
	cr_assert(as->has_target_tracking && !as->has_step_scaling && !as->has_predictive);
	assert_near(as->target_tracking.target, 0.6, "target");
	assert_near(as->target_tracking.scale_in_cooldown, 600, "scale_in_cooldown 10m");
	cr_assert_eq(as->nscheduled, 2);
	assert_near(as->scheduled[0].at, 7 * 3600, "07:00");
	cr_assert_eq(as->scheduled[0].days, 0x1f, "mon..fri = bits 0-4");
	cr_assert_eq(as->scheduled[0].min, 3);
	cr_assert_eq(as->scheduled[0].max, -1);
	cr_assert_eq(as->scheduled[0].desired, -1);
	assert_near(as->scheduled[1].at, 23 * 3600, "23:00");
	cr_assert_eq(as->scheduled[1].days, SCENARIO_ALL_DAYS);

	cr_assert_eq(app->instance_type, 1);
	assert_near(app->capacity_rps, 200, "app capacity = 16 / 0.080 s");
	cr_assert_eq(app->calls, 2);
	cr_assert_eq(app->nplacement, 2, "placement defaults to every region");
	cr_assert_eq(app->placement[0].zones, 3, "zones default to all of the region's");
	assert_near(app->boot_p95, 180, "boot p95 3m");
	assert_near(app->timeout, 30, "timeout default 30s");
	cr_assert_eq(app->autoscaling.desired, 4);
	assert_near(app->autoscaling.target_tracking.tolerance, 0.05, "tolerance");
	assert_near(app->autoscaling.target_tracking.warmup, 120, "warmup 2m");
	cr_assert_eq(app->autoscaling.target_tracking.max_scale_out_step, 5);
	cr_assert(app->autoscaling.has_predictive);
	assert_near(app->autoscaling.predictive.lookback, 7 * 86400.0, "lookback 7d");
	assert_near(app->autoscaling.predictive.lead, 180, "lead defaults to the boot p95");

	cr_assert(!db->has_service_time);
	assert_near(db->capacity_rps, 1500, "db capacity");
	assert_near(db->visits, 3, "visits");
	cr_assert_eq(db->calls, -1);
	cr_assert_eq(db->placement[0].zones, 2);
	assert_near(db->boot_median, 300, "boot 5m");
	assert_near(db->boot_p95, 600, "boot 10m");
	const struct scenario_step_scaling *ss = &db->autoscaling.step_scaling;
	cr_assert(db->autoscaling.has_step_scaling);
	cr_assert_eq(ss->n, 3);
	cr_assert_eq(ss->adjustments[0].change, -1);
	assert_near(ss->adjustments[1].lower, 0.7, "lower");
	assert_near(ss->adjustments[1].upper, 0.85, "upper");
	cr_assert_eq(ss->adjustments[2].change, 2);
	cr_assert(isinf(ss->adjustments[2].upper), "an absent upper is unbounded");
	assert_near(ss->cooldown, 600, "cooldown 10m");
	scenario_release(&sc);
	scenario_release(&sc);   /* released structs are zeroed: a second release is harmless */
}

Test(scenario, minimal_gets_every_default)
{
	struct scenario sc;
	load_ok("scenarios/minimal.json", &sc);
	assert_near(sc.horizon, 2592000, "horizon default 30d");
	assert_near(sc.step, 60, "step default 1m");
	cr_assert_eq(sc.seed, 1);
	cr_assert_eq(sc.replications, 20);
	cr_assert(!sc.has_slo);
	assert_near(sc.slo.availability, 0.999, "availability default");
	assert_near(sc.slo.latency_percentile, 99, "percentile default");
	cr_assert_eq(sc.slo.latency_target, 0, "no latency target without slo");
	cr_assert_eq(sc.budget_monthly, 0);
	cr_assert_eq(sc.traffic.daily_amplitude, 0);
	cr_assert_eq(sc.traffic.weekend_factor, 1);
	cr_assert_eq(sc.traffic.growth_per_month, 0);
	cr_assert_eq(sc.traffic.noise, 0);
	cr_assert_eq(sc.traffic.spikes.rate_per_day, 0);
	cr_assert_eq(sc.traffic.region_share[0], 1, "one region takes all the traffic");
	const struct scenario_tier *t = &sc.tiers[0];
	assert_near(t->capacity_rps, 80, "4 workers / 0.050 s");
	cr_assert_eq(t->visits, 1);
	cr_assert_eq(t->calls, -1);
	cr_assert_eq(t->boot_median, 60);
	cr_assert_eq(t->boot_p95, 120);
	cr_assert_eq(t->timeout, 30);
	cr_assert_eq(t->nplacement, 1);
	cr_assert_eq(t->placement[0].zones, 1);
	cr_assert_eq(t->autoscaling.desired, 2);
	cr_assert(!t->autoscaling.has_target_tracking && !t->autoscaling.has_step_scaling &&
		  !t->autoscaling.has_predictive && t->autoscaling.nscheduled == 0);
	scenario_release(&sc);
}

Test(scenario, target_tracking_defaults_match_the_format)
{
	struct scenario sc;
	load_ok("scenarios/trace-example.json", &sc);
	const struct scenario_target_tracking *tt = &sc.tiers[0].autoscaling.target_tracking;
	assert_near(tt->target, 0.7, "target");
	assert_near(tt->tolerance, 0.1, "tolerance");
	assert_near(tt->scale_out_cooldown, 60, "scale_out_cooldown");
	assert_near(tt->scale_in_cooldown, 300, "scale_in_cooldown");
	assert_near(tt->stabilization_window, 300, "stabilization_window");
	assert_near(tt->warmup, 60, "warmup");
	assert_near(tt->metric_period, 60, "metric_period");
	assert_near(tt->metric_delay, 60, "metric_delay");
	cr_assert_eq(tt->max_scale_out_step, 0, "unlimited by default");
	scenario_release(&sc);
}

Test(scenario, trace_is_loaded_exactly)
{
	/* scenarios/traces/diurnal.csv: a header, then 25 hourly rows 0 .. 86400 s. */
	static const double rates[25] = { 120, 95, 80, 75, 80, 110, 180, 320, 480, 560, 600,
		620, 640, 630, 600, 580, 560, 590, 650, 700, 640, 480, 300, 180, 120 };
	struct scenario sc;
	load_ok("scenarios/trace-example.json", &sc);
	const struct scenario_trace *tr = &sc.traffic.trace;
	cr_assert(sc.traffic.has_trace);
	cr_assert_eq(sc.traffic.base_rate, 0);
	cr_assert_str_eq(tr->path, "scenarios/traces/diurnal.csv", "relative to the scenario");
	cr_assert_eq(tr->n, 25);
	for (size_t k = 0; k < 25; k++) {
		cr_assert_eq(tr->time[k], 3600.0 * (double)k, "row %zu", k);
		cr_assert_eq(tr->rate[k], rates[k], "row %zu", k);
	}
	assert_near(sc.horizon, 86400, "1d");
	assert_near(sc.step, 300, "5m");
	assert_near(sc.traffic.noise, 0.05, "noise with a trace");
	scenario_release(&sc);
}

struct broken {
	const char *file;
	int code;
	const char *err_file;   /* NULL: the scenario itself */
	int line;
	const char *path;
	const char *text;       /* must appear in the message */
};

/* Lines counted by hand in each file (1-based). Each broken file has one mistake: most in
 * minimal.json's shape; those about catalogs, purchase, reservations and savings plans in the
 * shape of a small tier on spot (m6i.large on demand, m6i.large and c6i.large for spot, from
 * the small catalog broken/prices.csv, so that they do not depend on the bundled prices). */
static const struct broken broken[] = {
	/* bad-catalog.csv: 2 comment lines, the header on 3, rows on 4-6; line 6 has the
	 * interruption bucket "30%", which is not one of the five */
	{ "bad-catalog", CAPSIM_EINVAL, "scenarios/broken/bad-catalog.csv", 6, "catalog",
	  "spot_interruption: expected one of" },
	/* line 4: "horizon": "30 days" (inserted after "version" on line 3) */
	{ "bad-duration", CAPSIM_EINVAL, NULL, 4, "horizon", "got \"30 days\"" },
	/* line 2: "name": "my shop" -- a space cannot name a folder safely */
	{ "bad-name", CAPSIM_EINVAL, NULL, 2, "name", "got \"my shop\"" },
	/* bad-trace.csv line 1 header, 2 "0,100", 3 "60,110", 4 "30,120": time goes back */
	{ "bad-trace", CAPSIM_EPARSE, "scenarios/broken/bad-trace.csv", 4, "traffic.trace",
	  "previous row's 60 s, got 30" },
	/* line 17: boot_time { median 2m, p95 90s }: p95 below the median */
	{ "boot-time", CAPSIM_EINVAL, NULL, 17, "tiers[0].boot_time.p95", "at least the median" },
	/* line 16: "instance_type": "m6i.large", placed in us-east-1 and ap-south-1; the catalog
	 * (broken/prices.csv) has m6i.large in us-east-1 and eu-west-1 only */
	{ "catalog-region", CAPSIM_EINVAL, NULL, 16, "tiers[0].instance_type",
	  "in the catalog for ap-south-1, got \"m6i.large\"; the catalog has it only in "
	  "us-east-1, eu-west-1" },
	/* lines 12-18 web (calls db), 19-25 db; line 23: db "calls": "web" closes the cycle */
	{ "cycle", CAPSIM_EINVAL, NULL, 23, "tiers[1].calls", "cycle" },
	/* The data-* and dr-* files share one shape: regions eu-west-1 and us-east-1, web (lines
	 * 14-21) calls db (22-28, placement on 26); dr on lines 30-36 (pilot_light from
	 * eu-west-1, strategy on 31, recovery on 33), data on 37-41 (replication on 39, lag on
	 * 40). */
	/* line 39: "replication": "sync", with the lag of line 40 left in */
	{ "data-lag-sync", CAPSIM_EINVAL, NULL, 40, "data.lag",
	  "only allowed with \"async\" replication" },
	/* line 17: autoscaling { min 1, max 3, desired 5 } */
	{ "desired-range", CAPSIM_EINVAL, NULL, 17, "tiers[0].autoscaling.desired",
	  "in [1,3]" },
	/* line 26: db placed in eu-west-1 only, while pilot_light recovers in us-east-1 */
	{ "dr-placement", CAPSIM_EINVAL, NULL, 26, "tiers[1].placement",
	  "tier \"db\" is not placed in us-east-1, the recovery region of dr" },
	/* line 33: "recovery": "eu-west-1", the primary itself */
	{ "dr-same-region", CAPSIM_EINVAL, NULL, 33, "dr.recovery",
	  "a region other than the primary (eu-west-1), got \"eu-west-1\"" },
	/* line 31: "strategy": "warm-standby" (a dash for the underscore) */
	{ "dr-strategy", CAPSIM_EINVAL, NULL, 31, "dr.strategy",
	  "got \"warm-standby\"; did you mean \"warm_standby\"?" },
	/* lines 5 and 7: base_rate twice in traffic; the second is the mistake */
	{ "duplicate-key", CAPSIM_EINVAL, NULL, 7, "traffic.base_rate", "first given on line 5" },
	/* lines 13 and 20: two tiers named "web" */
	{ "duplicate-tier", CAPSIM_EINVAL, NULL, 20, "tiers[1].name", "duplicate tier name" },
	/* line 11: "tiers": [] */
	{ "empty-tiers", CAPSIM_EINVAL, NULL, 11, "tiers", "got an empty array" },
	/* line 17: capacity_rps after service_time (line 15) */
	{ "exclusive", CAPSIM_EINVAL, NULL, 17, "tiers[0].capacity_rps", "mutually exclusive" },
	/* The failures-* files share one shape: horizon 30d on line 4, regions eu-west-1 (zones
	 * a, b) and us-east-1 (a, b, c), failures on lines 22-30 with zone_outages on 24,
	 * region_outages on 25 and scripted[1] on 28. */
	/* line 28: scripted[1] "at": "31d", past the 30-day horizon */
	{ "failures-at", CAPSIM_EINVAL, NULL, 28, "failures.scripted[1].at",
	  "before the horizon (30.00 d), got \"31d\"" },
	/* line 24: zone_outages duration { median 45m, p95 30m } */
	{ "failures-p95", CAPSIM_EINVAL, NULL, 24, "failures.zone_outages.duration.p95",
	  "at least the median (45.00 min), got \"30m\"" },
	/* line 25: region_outages "rate_per_year": -0.2 */
	{ "failures-rate", CAPSIM_EINVAL, NULL, 25, "failures.region_outages.rate_per_year",
	  ">= 0, got -0.2" },
	/* line 28: "target": "us-east-1/b", without its "zone:" */
	{ "failures-target", CAPSIM_EINVAL, NULL, 28, "failures.scripted[1].target",
	  "expected region:NAME or zone:REGION/ZONE, got \"us-east-1/b\"" },
	/* line 23: "instance_mtfb" */
	{ "failures-unknown-key", CAPSIM_EINVAL, NULL, 23, "failures.instance_mtfb",
	  "unknown key; did you mean \"instance_mtbf\"?" },
	/* line 28: "target": "zone:us-east1/b", one edit from us-east-1 */
	{ "failures-unknown-region", CAPSIM_EINVAL, NULL, 28, "failures.scripted[1].target",
	  "unknown region \"us-east1\"; did you mean \"us-east-1\"?" },
	/* line 28: "target": "zone:us-east-1/d"; one-letter zones get the list, not a guess */
	{ "failures-unknown-zone", CAPSIM_EINVAL, NULL, 28, "failures.scripted[1].target",
	  "unknown zone \"d\" in region us-east-1; the zones of us-east-1 are: a, b, c" },
	/* the tier that lacks autoscaling opens with '{' on line 12 */
	{ "missing-autoscaling", CAPSIM_EINVAL, NULL, 12, "tiers[0].autoscaling",
	  "got nothing" },
	/* line 4: "catalog": "nope.csv" does not exist */
	{ "missing-catalog", CAPSIM_EIO, NULL, 4, "catalog", "cannot read the catalog" },
	/* line 4: "trace": "traces/nope.csv" does not exist */
	{ "missing-trace", CAPSIM_EIO, NULL, 4, "traffic.trace", "cannot read the trace" },
	/* line 1: an array where the scenario object should be */
	{ "not-json-object", CAPSIM_EINVAL, NULL, 1, "", "got an array" },
	/* line 6: daily { amplitude 1.2 } outside [0,1) */
	{ "out-of-range", CAPSIM_EINVAL, NULL, 6, "traffic.daily.amplitude", "[0,1), got 1.2" },
	/* line 22: "capacity_rebalance": "yes" */
	{ "purchase-boolean", CAPSIM_EINVAL, NULL, 22, "tiers[0].purchase.capacity_rebalance",
	  "expected true or false, got \"yes\"" },
	/* line 21: spot_types ["m6i.large", "c6i.large", "m6i.large"] */
	{ "purchase-duplicate-spot-type", CAPSIM_EINVAL, NULL, 21,
	  "tiers[0].purchase.spot_types[2]", "spot_types[0] has it already" },
	/* line 20: "on_demand_percentage_above_base": 120 */
	{ "purchase-percentage", CAPSIM_EINVAL, NULL, 20,
	  "tiers[0].purchase.on_demand_percentage_above_base", "[0,100], got 120" },
	/* line 22: reclaims "fraction": [0.5, 0.2], lo above hi */
	{ "purchase-reclaims", CAPSIM_EINVAL, NULL, 22, "tiers[0].purchase.reclaims.fraction",
	  "got [0.5, 0.2]" },
	/* line 21: spot_types[1] "small" is declared without spot_discount or
	 * spot_interruption, and the catalog has no row for it */
	{ "purchase-spot-data", CAPSIM_EINVAL, NULL, 21, "tiers[0].purchase.spot_types[1]",
	  "lacks spot_discount and spot_interruption for us-east-1" },
	/* percentage 20 without spot_types: the purchase object opens on line 18 */
	{ "purchase-spot-types-missing", CAPSIM_EINVAL, NULL, 18,
	  "tiers[0].purchase.spot_types", "got nothing" },
	/* line 22: "allocation_strategy": "lowest-cost" */
	{ "purchase-strategy", CAPSIM_EINVAL, NULL, 22, "tiers[0].purchase.allocation_strategy",
	  "got \"lowest-cost\"" },
	/* line 21: spot_types[1] "c6i.larg", one edit from the catalog's c6i.large */
	{ "purchase-unknown-spot-type", CAPSIM_EINVAL, NULL, 21, "tiers[0].purchase.spot_types[1]",
	  "did you mean \"c6i.large\"?" },
	/* line 28: the second reservation has "count": 0 */
	{ "reservation-count", CAPSIM_EINVAL, NULL, 28, "reservations[1].count", "got 0" },
	/* line 28: a reservation of the declared type "small", which the catalog lacks */
	{ "reservation-not-in-catalog", CAPSIM_EINVAL, NULL, 28, "reservations[1].instance_type",
	  "the catalog has in us-east-1" },
	/* line 29: "payment": "no-upfront" (a dash for the underscore) */
	{ "reservation-payment", CAPSIM_EINVAL, NULL, 29, "reservations[1].payment",
	  "did you mean \"no_upfront\"?" },
	/* line 28: "term": "2y" */
	{ "reservation-term", CAPSIM_EINVAL, NULL, 28, "reservations[1].term",
	  "one of \"1y\" or \"3y\", got \"2y\"" },
	/* line 13: us-east-1 gives its round trip to eu-west-1 as 75 ms; eu-west-1 (line 12)
	 * gave the same pair 70 ms */
	{ "rtt-conflict", CAPSIM_EINVAL, NULL, 13, "regions[1].rtt.eu-west-1",
	  "(\"eu-west-1\") declares to this region, 70.00 ms, got 75.00 ms" },
	/* line 27: a compute plan with a family */
	{ "savings-plan-compute-family", CAPSIM_EINVAL, NULL, 27, "savings_plans[1].family",
	  "only for instance_family plans" },
	/* line 27: family "c6g" while the tier uses m6i and c6i */
	{ "savings-plan-family", CAPSIM_EINVAL, NULL, 27, "savings_plans[1].family",
	  "did you mean \"c6i\"?" },
	/* line 28: "payment" in a savings plan */
	{ "savings-plan-payment", CAPSIM_EINVAL, NULL, 28, "savings_plans[1].payment",
	  "no upfront only" },
	/* an instance_family plan without region: its object opens on line 27 */
	{ "savings-plan-region", CAPSIM_EINVAL, NULL, 27, "savings_plans[1].region",
	  "got nothing" },
	/* line 27: "type": "ec2_instance" */
	{ "savings-plan-type", CAPSIM_EINVAL, NULL, 27, "savings_plans[1].type",
	  "got \"ec2_instance\"" },
	/* line 22: the second scheduled action, at "25:00" */
	{ "scheduled-time", CAPSIM_EINVAL, NULL, 22, "tiers[0].autoscaling.scheduled[1].at",
	  "got \"25:00\"" },
	/* line 6: shares 0.5 + 0.4 = 0.9 */
	{ "shares", CAPSIM_EINVAL, NULL, 6, "traffic.regions", "sum of 0.9" },
	/* line 8: "spot_interruption": "25%", not one of the Spot Instance Advisor buckets */
	{ "spot-interruption", CAPSIM_EINVAL, NULL, 8, "instance_types[0].spot_interruption",
	  "\">20%\", got \"25%\"" },
	/* line 5: step 7m; 30 d / 7 min = 43200/7 = 6171.43 steps, not whole */
	{ "step", CAPSIM_EINVAL, NULL, 5, "step", "whole steps, got 420 s, 6171.43 steps" },
	/* line 23: second band starts at 0.8, inside the first [0.7, 0.9) */
	{ "step-overlap", CAPSIM_EINVAL, NULL, 23,
	  "tiers[0].autoscaling.step_scaling.adjustments[1].lower", ">= 0.9" },
	/* line 3 lacks its comma; cJSON stops at line 4, column 3 ("traffic") */
	{ "syntax", CAPSIM_EPARSE, NULL, 4, "", "invalid JSON near '\"traffic\"" },
	/* line 14: "instance_type": "smal" */
	{ "unknown-instance-type", CAPSIM_EINVAL, NULL, 14, "tiers[0].instance_type",
	  "did you mean \"small\"?" },
	/* line 21: "targte" in target_tracking */
	{ "unknown-key", CAPSIM_EINVAL, NULL, 21, "tiers[0].autoscaling.target_tracking.targte",
	  "unknown key; did you mean \"target\"?" },
	/* line 7: the key "eu-wst-1" in traffic.regions */
	{ "unknown-region", CAPSIM_EINVAL, NULL, 7, "traffic.regions.eu-wst-1",
	  "did you mean \"eu-west-1\"?" },
	/* lines 12-17 web, 18-23 db, no calls: db (name on line 19) is unreachable */
	{ "unreachable", CAPSIM_EINVAL, NULL, 19, "tiers[1].name", "not reachable" },
	/* line 3: "version": 2 */
	{ "version", CAPSIM_EINVAL, NULL, 3, "version", "got 2" },
	/* line 21: "target": "high" */
	{ "wrong-type", CAPSIM_EINVAL, NULL, 21, "tiers[0].autoscaling.target_tracking.target",
	  "expected a number in (0,1], got \"high\"" },
};
#define NBROKEN (sizeof broken / sizeof broken[0])

Test(scenario, every_broken_example_fails_at_its_path_and_line)
{
	for (size_t i = 0; i < NBROKEN; i++) {
		const struct broken *b = &broken[i];
		char path[256], prefix[1024];
		struct scenario sc;
		struct scenario_error err;
		snprintf(path, sizeof path, "scenarios/broken/%s.json", b->file);
		int rc = scenario_load(path, &sc, &err);
		cr_assert_eq(rc, b->code, "%s: rc %d (%s)", path, rc, err.msg);
		cr_assert_str_eq(err.file, b->err_file ? b->err_file : path);
		cr_assert_eq(err.line, b->line, "%s: line %d, want %d: %s", path, err.line, b->line,
			     err.msg);
		cr_assert_str_eq(err.path, b->path, "%s: %s", path, err.msg);
		cr_assert(strstr(err.msg, b->text), "%s: \"%s\" lacks \"%s\"", path, err.msg, b->text);
		snprintf(prefix, sizeof prefix, "%s:%d:", err.file, b->line);
		cr_assert(strncmp(err.msg, prefix, strlen(prefix)) == 0, "%s does not start with %s",
			  err.msg, prefix);
		cr_assert_null(sc.name, "nothing is left in the struct on failure");
		cr_assert_eq(sc.ntiers, 0);
	}
}

Test(scenario, the_broken_table_covers_every_broken_file)
{
	DIR *d = opendir("scenarios/broken");
	struct dirent *e;
	size_t n = 0;
	cr_assert_not_null(d);
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		if (len < 6 || strcmp(e->d_name + len - 5, ".json") != 0)
			continue;
		size_t i = 0;
		while (i < NBROKEN && (strlen(broken[i].file) != len - 5 ||
				       strncmp(broken[i].file, e->d_name, len - 5) != 0))
			i++;
		cr_assert_lt(i, NBROKEN, "scenarios/broken/%s has no expected error", e->d_name);
		n++;
	}
	closedir(d);
	cr_assert_eq(n, NBROKEN);
}

Test(scenario, syntax_error_names_line_and_column)
{
	/* line 2 is `  "a": 1,`; cJSON stops just after the '}' that follows the trailing comma,
	 * and the message points back at that '}': line 3, column 1. */
	struct scenario sc;
	struct scenario_error err;
	cr_assert_eq(parse_text("{\n  \"a\": 1,\n}\n", &sc, &err), CAPSIM_EPARSE);
	cr_assert_eq(err.line, 3);
	cr_assert_eq(err.col, 1);
	cr_assert_str_eq(err.msg, "mem.json:3:1: invalid JSON near '}'");
	cr_assert_eq(parse_text("", &sc, &err), CAPSIM_EPARSE);
	cr_assert(strstr(err.msg, "empty"), "%s", err.msg);
}

static const char small_scenario[] =
	"{ \"_comment\": \"top\", \"_comment\": \"twice is fine\",\n"
	"  \"name\": \"t\", \"version\": 1,\n"
	"  \"traffic\": { \"_comment\": 1, \"base_rate\": 10 },\n"
	"  \"instance_types\": [ { \"_comment\": [], \"name\": \"s\", \"vcpu\": 1,\n"
	"      \"memory_gib\": 1, \"price_hourly\": 0 } ],\n"
	"  \"regions\": [ { \"name\": \"r1\", \"zones\": [\"a\", \"b\"] },\n"
	"               { \"name\": \"r2\", \"zones\": [\"a\"] } ],\n"
	"  \"tiers\": [ { \"name\": \"x\", \"instance_type\": \"s\", \"capacity_rps\": 5,\n"
	"      \"boot_time\": { \"_comment_why\": \"slow\", \"median\": \"3m\" },\n"
	"      \"autoscaling\": { \"min\": 1, \"max\": 1 } } ] }\n";

Test(scenario, comment_keys_are_ignored_at_every_level)
{
	struct scenario sc;
	struct scenario_error err;
	cr_assert_eq(parse_text(small_scenario, &sc, &err), 0, "%s", err.msg);
	/* Two regions and no shares: half each. */
	cr_assert_eq(sc.traffic.region_share[0], 0.5);
	cr_assert_eq(sc.traffic.region_share[1], 0.5);
	/* zones default to all of each region's zones: 2 in r1, 1 in r2. */
	cr_assert_eq(sc.tiers[0].placement[0].zones, 2);
	cr_assert_eq(sc.tiers[0].placement[1].zones, 1);
	/* A median without p95 keeps the default shape: p95 = 2 x 180 s. */
	cr_assert_eq(sc.tiers[0].boot_median, 180);
	cr_assert_eq(sc.tiers[0].boot_p95, 360);
	cr_assert_eq(sc.tiers[0].concurrency, 1);
	scenario_release(&sc);
}

/* Replaces the one occurrence of `from` in small_scenario and parses the result. */
static int parse_edited(const char *from, const char *to, struct scenario_error *err)
{
	char buf[4096];
	const char *p = strstr(small_scenario, from);
	cr_assert_not_null(p, "%s", from);
	cr_assert_null(strstr(p + 1, from), "%s occurs twice", from);
	snprintf(buf, sizeof buf, "%.*s%s%s", (int)(p - small_scenario), small_scenario, to,
		 p + strlen(from));
	struct scenario sc;
	int rc = parse_text(buf, &sc, err);
	scenario_release(&sc);
	return rc;
}

/* regions[].rtt: one matrix, symmetric, whichever side declares a pair. */
Test(scenario, round_trips_between_regions)
{
	struct scenario sc;
	struct scenario_error err;
	char buf[4096];
	/* Declared on r2's side only: both directions; the diagonal and r1 -> r1 stay 0. */
	const char *from = "{ \"name\": \"r2\", \"zones\": [\"a\"] }";
	const char *p = strstr(small_scenario, from);
	cr_assert_not_null(p);
	snprintf(buf, sizeof buf, "%.*s%s%s", (int)(p - small_scenario), small_scenario,
		 "{ \"name\": \"r2\", \"zones\": [\"a\"], \"rtt\": { \"r1\": \"80ms\" } }",
		 p + strlen(from));
	cr_assert_eq(parse_text(buf, &sc, &err), 0, "%s", err.msg);
	cr_assert(sc.has_rtt);
	assert_near(sc.rtt[0 * 2 + 1], 0.08, "r1 -> r2");
	assert_near(sc.rtt[1 * 2 + 0], 0.08, "r2 -> r1");
	cr_assert_eq(sc.rtt[0], 0);
	cr_assert_eq(sc.rtt[3], 0);
	scenario_release(&sc);
	/* None declared: a zero matrix, no network time. */
	cr_assert_eq(parse_text(small_scenario, &sc, &err), 0, "%s", err.msg);
	cr_assert_eq(sc.has_rtt, 0);
	cr_assert_eq(sc.rtt[1], 0);
	scenario_release(&sc);
	/* Both sides with the same value: fine. 0 is allowed (and is no network time). */
	cr_assert_eq(parse_edited("\"zones\": [\"a\", \"b\"] }",
				  "\"zones\": [\"a\", \"b\"], \"rtt\": { \"r2\": 0 } }", &err), 0,
		     "%s", err.msg);

	/* A region's round trip to itself. */
	cr_assert_eq(parse_edited("\"zones\": [\"a\", \"b\"] }",
				  "\"zones\": [\"a\", \"b\"], \"rtt\": { \"r1\": \"1ms\" } }", &err),
		     CAPSIM_EINVAL);
	cr_assert_str_eq(err.path, "regions[0].rtt.r1");
	cr_assert(strstr(err.msg, "to itself"), "%s", err.msg);
	/* An unknown region, at its key, with the closest declared one. */
	cr_assert_eq(parse_edited("\"zones\": [\"a\", \"b\"] }",
				  "\"zones\": [\"a\", \"b\"], \"rtt\": { \"r3\": \"1ms\" } }", &err),
		     CAPSIM_EINVAL);
	cr_assert_str_eq(err.path, "regions[0].rtt.r3");
	cr_assert(strstr(err.msg, "unknown region"), "%s", err.msg);
	cr_assert_eq(err.line, 6);
	/* Not a duration. */
	cr_assert_eq(parse_edited("\"zones\": [\"a\", \"b\"] }",
				  "\"zones\": [\"a\", \"b\"], \"rtt\": { \"r2\": \"fast\" } }", &err),
		     CAPSIM_EINVAL);
	cr_assert_str_eq(err.path, "regions[0].rtt.r2");
	cr_assert(strstr(err.msg, "got \"fast\""), "%s", err.msg);
	/* Not an object. */
	cr_assert_eq(parse_edited("\"zones\": [\"a\", \"b\"] }",
				  "\"zones\": [\"a\", \"b\"], \"rtt\": 70 }", &err), CAPSIM_EINVAL);
	cr_assert_str_eq(err.path, "regions[0].rtt");
}

/* traffic.regions: a share, or { "share", "peak_hour" } for users on their own daily sine. */
Test(scenario, regions_may_peak_at_their_own_hours)
{
	struct scenario sc;
	struct scenario_error err;
	char buf[4096];
	const char *from = "\"base_rate\": 10 }";
	const char *p = strstr(small_scenario, from);
	cr_assert_not_null(p);
	snprintf(buf, sizeof buf, "%.*s%s%s", (int)(p - small_scenario), small_scenario,
		 "\"base_rate\": 10, \"daily\": { \"amplitude\": 0.5, \"peak_hour\": 19 },\n"
		 "  \"regions\": { \"r1\": { \"share\": 0.6 }, \"r2\": { \"share\": 0.4, "
		 "\"peak_hour\": 1 } } }", p + strlen(from));
	cr_assert_eq(parse_text(buf, &sc, &err), 0, "%s", err.msg);
	cr_assert_eq(sc.traffic.region_share[0], 0.6);
	cr_assert_eq(sc.traffic.region_share[1], 0.4);
	cr_assert_eq(sc.traffic.region_peak_hour[0], 19, "the daily sine's peak by default");
	cr_assert_eq(sc.traffic.region_peak_hour[1], 1);
	cr_assert_eq(sc.traffic.region_peaks, 1);
	cr_assert_eq(sc.traffic.nregions, 2);
	scenario_release(&sc);

	/* The daily sine's own hour again changes nothing. Plain shares and objects mix. */
	const char *daily = "\"base_rate\": 10, \"daily\": { \"amplitude\": 0.5 }, ";
	snprintf(buf, sizeof buf, "%.*s%s%s%s", (int)(p - small_scenario), small_scenario, daily,
		 "\"regions\": { \"r1\": 0.5, \"r2\": { \"share\": 0.5, \"peak_hour\": 12 } } }",
		 p + strlen(from));
	cr_assert_eq(parse_text(buf, &sc, &err), 0, "%s", err.msg);
	cr_assert_eq(sc.traffic.region_peaks, 0);
	scenario_release(&sc);

	/* Mistakes, each at its path. */
	static const struct {
		const char *regions, *path, *says;
	} bad[] = {
		{ "{ \"r1\": { \"share\": 1, \"peak_hour\": 24 } }", "traffic.regions.r1.peak_hour",
		  "an hour of the day in [0,24)" },
		{ "{ \"r1\": { \"share\": 1, \"peakhour\": 3 } }", "traffic.regions.r1.peakhour",
		  "did you mean \"peak_hour\"?" },
		{ "{ \"r1\": { \"peak_hour\": 3 } }", "traffic.regions.r1.share", "a share in (0,1]" },
		{ "{ \"r1\": { \"share\": 0, \"peak_hour\": 3 } }", "traffic.regions.r1.share",
		  "got 0" },
		{ "{ \"r1\": \"most\" }", "traffic.regions.r1", "or an object" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		snprintf(buf, sizeof buf, "%s\"regions\": %s }", daily, bad[i].regions);
		cr_assert_eq(parse_edited(from, buf, &err), CAPSIM_EINVAL, "%s", bad[i].regions);
		cr_assert_str_eq(err.path, bad[i].path, "%s", bad[i].regions);
		cr_assert(strstr(err.msg, bad[i].says), "%s", err.msg);
	}
	/* A peak hour needs a daily sine to move (a trace has its own shape, and no daily). */
	cr_assert_eq(parse_edited(from, "\"base_rate\": 10, \"regions\": { \"r1\": { \"share\": "
				  "1, \"peak_hour\": 3 } } }", &err), CAPSIM_EINVAL);
	cr_assert_str_eq(err.path, "traffic.regions.r1.peak_hour");
	cr_assert(strstr(err.msg, "only allowed with traffic.daily"), "%s", err.msg);
}

/* The two shipped variants differ from their originals where their comments say, and only
 * there in what these checks read. */
Test(scenario, shipped_variants_change_what_they_say)
{
	struct scenario a, b;
	struct scenario_error err;
	cr_assert_eq(scenario_load("scenarios/shop.json", &a, &err), 0, "%s", err.msg);
	cr_assert_eq(scenario_load("scenarios/shop-one-db.json", &b, &err), 0, "%s", err.msg);
	cr_assert_eq(a.ntiers, 3);
	cr_assert_eq(b.ntiers, 3);
	cr_assert_eq(a.tiers[2].nplacement, 2, "shop: db in both regions");
	cr_assert_eq(b.tiers[2].nplacement, 1, "shop-one-db: db in one region");
	cr_assert_str_eq(b.regions[b.tiers[2].placement[0].region].name, "eu-west-1");
	cr_assert_eq(b.tiers[2].placement[0].zones, a.tiers[2].placement[0].zones);
	for (size_t t = 0; t < 2; t++)
		cr_assert_eq(b.tiers[t].nplacement, a.tiers[t].nplacement);
	cr_assert_eq(b.traffic.base_rate, a.traffic.base_rate);
	cr_assert_eq(b.rtt[1], a.rtt[1]);
	scenario_release(&a);
	scenario_release(&b);

	cr_assert_eq(scenario_load("scenarios/dr-shop.json", &a, &err), 0, "%s", err.msg);
	cr_assert_eq(scenario_load("scenarios/dr-shop-two-peaks.json", &b, &err), 0, "%s",
		     err.msg);
	cr_assert_eq(a.traffic.region_peaks, 0);
	cr_assert_eq(b.traffic.region_peaks, 1);
	cr_assert_eq(b.traffic.region_peak_hour[0], 19, "Europe at the daily sine's peak");
	cr_assert_eq(b.traffic.region_peak_hour[1], 1, "the Americas at 01:00 UTC");
	for (size_t r = 0; r < 2; r++)
		cr_assert_eq(b.traffic.region_share[r], a.traffic.region_share[r]);
	cr_assert_eq(b.dr.strategy, a.dr.strategy);
	scenario_release(&a);
	scenario_release(&b);
}

Test(scenario, step_must_cut_the_horizon_into_at_most_ten_million_steps)
{
	struct scenario_error err;
	/* 1y / 1s = 31536000 steps > 10^7 */
	cr_assert_eq(parse_edited("\"version\": 1,", "\"version\": 1, \"horizon\": \"1y\", "
				  "\"step\": 1,", &err), CAPSIM_EINVAL);
	cr_assert_str_eq(err.path, "step");
	cr_assert(strstr(err.msg, "31536000 steps"), "%s", err.msg);
	/* 115d / 1s = 9936000 steps <= 10^7 */
	cr_assert_eq(parse_edited("\"version\": 1,", "\"version\": 1, \"horizon\": \"115d\", "
				  "\"step\": \"1s\",", &err), 0, "%s", err.msg);
	/* a step longer than the horizon is less than one step */
	cr_assert_eq(parse_edited("\"version\": 1,", "\"version\": 1, \"horizon\": \"1h\", "
				  "\"step\": \"2h\",", &err), CAPSIM_EINVAL);
}

Test(scenario, mutually_exclusive_and_missing_alternatives_are_errors)
{
	struct scenario_error err;
	cr_assert_eq(parse_edited("\"base_rate\": 10", "\"base_rate\": 10, \"trace\": \"x.csv\"",
				  &err), CAPSIM_EINVAL);
	cr_assert_str_eq(err.path, "traffic.trace");
	cr_assert_eq(err.line, 3);
	cr_assert_eq(parse_edited("\"base_rate\": 10", "\"noise\": 0", &err), CAPSIM_EINVAL);
	cr_assert_str_eq(err.path, "traffic");
	cr_assert(strstr(err.msg, "got neither"), "%s", err.msg);
	cr_assert_eq(parse_edited("\"capacity_rps\": 5", "\"capacity_rps\": 5, \"concurrency\": 2",
				  &err), CAPSIM_EINVAL);
	cr_assert_str_eq(err.path, "tiers[0].concurrency");
	/* A trace carries its own shape: a daily shape beside it is refused. */
	cr_assert_eq(parse_edited("\"base_rate\": 10", "\"trace\": \"scenarios/traces/diurnal.csv\","
				  " \"daily\": { \"amplitude\": 0.1 }", &err), CAPSIM_EINVAL);
	cr_assert_str_eq(err.path, "traffic.daily");
	/* trace_period repeats a trace: refused without one, and it must reach the last row
	 * (diurnal.csv's is at 24:00 = 86400 s, closing the day). */
	cr_assert_eq(parse_edited("\"base_rate\": 10", "\"base_rate\": 10, \"trace_period\": "
				  "\"1d\"", &err), CAPSIM_EINVAL);
	cr_assert_str_eq(err.path, "traffic.trace_period");
	cr_assert(strstr(err.msg, "only allowed with trace"), "%s", err.msg);
	cr_assert_eq(parse_edited("\"base_rate\": 10", "\"trace\": \"scenarios/traces/diurnal.csv\","
				  " \"trace_period\": \"23h\"", &err), CAPSIM_EINVAL);
	cr_assert_str_eq(err.path, "traffic.trace_period");
	cr_assert(strstr(err.msg, "last row (at 86400 s), got 82800 s"), "%s", err.msg);
	cr_assert_eq(parse_edited("\"base_rate\": 10", "\"trace\": \"scenarios/traces/diurnal.csv\","
				  " \"trace_period\": \"1d\"", &err), 0, "%s", err.msg);
}

Test(scenario, durations_accept_units_and_plain_seconds)
{
	struct scenario_error err;
	struct scenario sc;
	char buf[4096];
	/* 250ms, and a plain 0.5 (seconds) */
	const char *p = strstr(small_scenario, "\"capacity_rps\": 5");
	snprintf(buf, sizeof buf, "%.*s\"service_time\": \"250ms\", \"timeout\": 0.5%s",
		 (int)(p - small_scenario), small_scenario, p + strlen("\"capacity_rps\": 5"));
	cr_assert_eq(parse_text(buf, &sc, &err), 0, "%s", err.msg);
	assert_near(sc.tiers[0].service_time, 0.25, "250ms");
	assert_near(sc.tiers[0].capacity_rps, 4, "1 / 0.25 s");
	assert_near(sc.tiers[0].timeout, 0.5, "0.5 s");
	scenario_release(&sc);
	cr_assert_eq(parse_edited("\"median\": \"3m\"", "\"median\": \"3 min\"", &err),
		     CAPSIM_EINVAL);
	cr_assert_str_eq(err.path, "tiers[0].boot_time.median");
	cr_assert_eq(parse_edited("\"median\": \"3m\"", "\"median\": -3", &err), CAPSIM_EINVAL);
}

Test(scenario, edit_distance_is_levenshtein_capped)
{
	cr_assert_eq(scenario_edit_distance("target", "target", 2), 0);
	cr_assert_eq(scenario_edit_distance("targte", "target", 2), 2, "a swap is 2 edits");
	cr_assert_eq(scenario_edit_distance("taget", "target", 2), 1, "one insertion");
	cr_assert_eq(scenario_edit_distance("", "abc", 5), 3);
	/* kitten -> sitting: the textbook example, 3 edits (k->s, e->i, +g). */
	cr_assert_eq(scenario_edit_distance("kitten", "sitting", 5), 3);
	cr_assert_eq(scenario_edit_distance("kitten", "sitting", 2), 3, "capped at cap + 1");
}

Test(scenario, unknown_keys_get_the_closest_known_key_or_the_list)
{
	struct scenario_error err;
	cr_assert_eq(parse_edited("\"base_rate\": 10", "\"base_rate\": 10, \"nosie\": 0.1", &err),
		     CAPSIM_EINVAL);
	cr_assert_str_eq(err.path, "traffic.nosie");
	cr_assert(strstr(err.msg, "did you mean \"noise\"?"), "%s", err.msg);
	/* nothing within 2 edits: the keys that exist are listed instead */
	cr_assert_eq(parse_edited("\"base_rate\": 10", "\"base_rate\": 10, \"xyzzy\": 1", &err),
		     CAPSIM_EINVAL);
	cr_assert(strstr(err.msg, "the keys here are: base_rate, daily, weekly"), "%s", err.msg);
	/* unknown region in placement, one edit away */
	cr_assert_eq(parse_edited("\"capacity_rps\": 5", "\"capacity_rps\": 5, \"placement\": "
				  "{ \"regions\": [\"r3\"] }", &err), CAPSIM_EINVAL);
	cr_assert_str_eq(err.path, "tiers[0].placement.regions[0]");
	cr_assert(strstr(err.msg, "did you mean \"r1\"?"), "%s", err.msg);
}

/* Text for the jsonloc tests, one line per string (columns counted by hand below):
 * keys that are prefixes of other keys, braces and brackets inside strings, escaped quotes,
 * \u escapes in keys, arrays inside arrays. */
static const char loc_text[] =
	"{\n"                                                              /* line 1 */
	"  \"ab\": \"prefix of abc\", \"a\": \"{[\\\"\",\n"                /* line 2 */
	"  \"abc\": {\n"                                                   /* line 3 */
	"    \"list\": [ \"]\", {\"k\": \"v,}\"}, [1, [2, 3]], {\"k\": 4} ],\n" /* line 4 */
	"    \"k\": \"not me\"\n"                                          /* line 5 */
	"  },\n"                                                           /* line 6 */
	"  \"esc\\\"aped\": true, \"u\\u0041\": 9\n"                       /* line 7 */
	"}\n";

static struct jsonloc_pos loc(const char *path, int want_rc)
{
	struct jsonloc_pos pos;
	int rc = jsonloc_find_path(loc_text, strlen(loc_text), path, &pos);
	cr_assert_eq(rc, want_rc, "%s: rc %d", path, rc);
	return pos;
}

Test(jsonloc, finds_values_in_nested_arrays_and_objects)
{
	/* line 4: 4 spaces, "list" at 5-10, ':' 11, '[' 13, "]" 15-17, {"k": "v,}"} 20-31
	 * ("v,}" at 26-30), [1, [2, 3]] 34-44, {"k": 4} 47-54: its "k" at 48, the 4 at 53. */
	struct jsonloc_pos p = loc("abc.list[3].k", 0);
	cr_assert_eq(p.line, 4);
	cr_assert_eq(p.col, 53);
	cr_assert_eq(p.key_line, 4);
	cr_assert_eq(p.key_col, 48);
	p = loc("abc.list[2][1][1]", 0);   /* the 3 at column 42 */
	cr_assert_eq(p.line, 4);
	cr_assert_eq(p.col, 42);
	cr_assert_eq(p.key_line, 0, "an index has no key");
	p = loc("abc.list[1].k", 0);       /* "v,}" at column 26 */
	cr_assert_eq(p.col, 26);
	p = loc("abc.k", 0);               /* line 5: "k" at 5, its value at 10 */
	cr_assert_eq(p.line, 5);
	cr_assert_eq(p.col, 10);
	cr_assert_eq(p.key_col, 5);
	p = loc("", 0);
	cr_assert_eq(p.line, 1);
	cr_assert_eq(p.col, 1);
}

Test(jsonloc, prefix_keys_and_strings_with_braces_do_not_confuse_it)
{
	/* line 2: "ab" at 3-6, its value at 9; "prefix of abc" ends at 23; "a" at 26, value 31 */
	struct jsonloc_pos p = loc("ab", 0);
	cr_assert_eq(p.line, 2);
	cr_assert_eq(p.col, 9);
	p = loc("a", 0);
	cr_assert_eq(p.line, 2);
	cr_assert_eq(p.col, 31);
	p = loc("abc", 0);                 /* line 3: "abc" at 3-7, '{' at 10 */
	cr_assert_eq(p.line, 3);
	cr_assert_eq(p.col, 10);
}

Test(jsonloc, escaped_keys_are_compared_decoded)
{
	/* line 7: "esc\"aped" is 11 characters at 3-13, true at 16; "u\u0041" at 22-30, 9 at 33 */
	struct jsonloc_step esc[] = { { "esc\"aped", 0 } }, u[] = { { "uA", 0 } };
	struct jsonloc_pos p;
	cr_assert_eq(jsonloc_find(loc_text, strlen(loc_text), esc, 1, &p), 0);
	cr_assert_eq(p.line, 7);
	cr_assert_eq(p.col, 16);
	cr_assert_eq(jsonloc_find(loc_text, strlen(loc_text), u, 1, &p), 0);
	cr_assert_eq(p.line, 7);
	cr_assert_eq(p.col, 33);
}

Test(jsonloc, missing_paths_report_the_deepest_value_found)
{
	struct jsonloc_pos p = loc("abc.nope", CAPSIM_ENOTFOUND);
	cr_assert_eq(p.line, 3, "the object that lacks the key");
	cr_assert_eq(p.col, 10);
	loc("abc.list[9]", CAPSIM_ENOTFOUND);
	loc("ab[0]", CAPSIM_ENOTFOUND);   /* a string has no elements */
	loc("abc.list.x", CAPSIM_ENOTFOUND);
	struct jsonloc_pos q;
	cr_assert_eq(jsonloc_find_path(loc_text, strlen(loc_text), "a..b", &q), CAPSIM_EINVAL);
	cr_assert_eq(jsonloc_find_path(loc_text, strlen(loc_text), "a[x]", &q), CAPSIM_EINVAL);
}

Test(jsonloc, duplicate_keys_are_found_by_occurrence)
{
	static const char text[] = "{\"x\": 1,\n \"y\": 0,\n \"x\": 2}";
	struct jsonloc_step second[] = { { "x", 1 } }, third[] = { { "x", 2 } };
	struct jsonloc_pos p;
	cr_assert_eq(jsonloc_find(text, strlen(text), second, 1, &p), 0);
	cr_assert_eq(p.line, 3);
	cr_assert_eq(p.key_col, 2);
	cr_assert_eq(jsonloc_find(text, strlen(text), third, 1, &p), CAPSIM_ENOTFOUND);
}

Test(jsonloc, malformed_text_is_reported_not_overrun)
{
	struct jsonloc_pos p;
	/* The scanner must stop at len: the text is cut inside an array and inside a string. */
	static const char cut[] = "{\"a\": [1, 2";
	cr_assert_eq(jsonloc_find_path(cut, strlen(cut), "b", &p), CAPSIM_EPARSE);
	static const char str[] = "{\"a\": \"abc\\";
	cr_assert_eq(jsonloc_find_path(str, strlen(str), "b", &p), CAPSIM_EPARSE);
	cr_assert_eq(jsonloc_find_path("", 0, "", &p), CAPSIM_EPARSE);
}

/* Writes csv[0..len) to DIR/t.csv and parses small_scenario with traffic.trace = "t.csv", as
 * if the scenario lived in DIR (the trace path is relative to the scenario's folder). */
static int parse_with_trace_n(const char *csv, size_t len, struct scenario *sc,
			      struct scenario_error *err)
{
	char dir[] = "/tmp/capsim-trace-XXXXXX", csv_path[64], json_path[64], buf[4096];
	cr_assert_not_null(mkdtemp(dir));
	snprintf(csv_path, sizeof csv_path, "%s/t.csv", dir);
	snprintf(json_path, sizeof json_path, "%s/t.json", dir);
	FILE *f = fopen(csv_path, "wb");
	cr_assert_not_null(f);
	fwrite(csv, 1, len, f);
	fclose(f);
	const char *from = "\"base_rate\": 10", *p = strstr(small_scenario, from);
	snprintf(buf, sizeof buf, "%.*s\"trace\": \"t.csv\"%s", (int)(p - small_scenario),
		 small_scenario, p + strlen(from));
	int rc = scenario_parse(buf, strlen(buf), json_path, sc, err);
	unlink(csv_path);
	rmdir(dir);
	return rc;
}

static int parse_with_trace(const char *csv, struct scenario *sc, struct scenario_error *err)
{
	return parse_with_trace_n(csv, strlen(csv), sc, err);
}

Test(scenario, trace_without_header_and_with_crlf_loads)
{
	struct scenario sc;
	struct scenario_error err;
	cr_assert_eq(parse_with_trace("0,10\r\n60,\"20.5\"\r\n\r\n120, 0\r\n", &sc, &err), 0,
		     "%s", err.msg);
	cr_assert_eq(sc.traffic.trace.n, 3);
	cr_assert_eq(sc.traffic.trace.time[2], 120);
	cr_assert_eq(sc.traffic.trace.rate[1], 20.5);
	cr_assert_eq(sc.traffic.trace.rate[2], 0);
	scenario_release(&sc);
}

Test(scenario, trace_errors_name_the_csv_line)
{
	struct scenario sc;
	struct scenario_error err;
	/* lines: 1 "0,10", 2 "60,20", 3 blank, 4 "120,x" -- CRLF line ends count once */
	cr_assert_eq(parse_with_trace("0,10\r\n60,20\r\n\r\n120,x\r\n", &sc, &err), CAPSIM_EPARSE);
	cr_assert_eq(err.line, 4, "%s", err.msg);
	cr_assert_str_eq(err.path, "traffic.trace");
	cr_assert(strstr(err.msg, "/t.csv:4: traffic.trace: expected a rate"), "%s", err.msg);
	/* a negative rate on line 2 */
	cr_assert_eq(parse_with_trace("time_s,requests_per_s\n0,-1\n", &sc, &err), CAPSIM_EPARSE);
	cr_assert_eq(err.line, 2, "%s", err.msg);
	/* three fields on line 1 */
	cr_assert_eq(parse_with_trace("0,1,2\n", &sc, &err), CAPSIM_EPARSE);
	cr_assert_eq(err.line, 1, "%s", err.msg);
	cr_assert(strstr(err.msg, "got 3"), "%s", err.msg);
	/* a header only: no rows */
	cr_assert_eq(parse_with_trace("time_s,requests_per_s\n", &sc, &err), CAPSIM_EPARSE);
	cr_assert(strstr(err.msg, "at least one row"), "%s", err.msg);
	/* a wrong header is not silently skipped */
	cr_assert_eq(parse_with_trace("time,rate\n0,1\n", &sc, &err), CAPSIM_EPARSE);
	cr_assert_eq(err.line, 1, "%s", err.msg);
	/* a rate past 1e10 requests/s on line 3 (1e300: its sums would overflow to infinity) */
	cr_assert_eq(parse_with_trace("0,10\n60,1e10\n120,1e300\n", &sc, &err), CAPSIM_EPARSE);
	cr_assert_eq(err.line, 3, "%s", err.msg);
	cr_assert(strstr(err.msg, "in [0, 1e10], got \"1e300\""), "%s", err.msg);
}

/* Rates in the scenario are capped at 1e10 requests/s too: 1e10 is taken, 1.1e10 is not. */
Test(scenario, rates_past_1e10_are_refused)
{
	struct scenario_error err;
	cr_assert_eq(parse_edited("\"base_rate\": 10", "\"base_rate\": 1e10", &err), 0, "%s",
		     err.msg);
	cr_assert_eq(parse_edited("\"base_rate\": 10", "\"base_rate\": 1.1e10", &err),
		     CAPSIM_EINVAL);
	cr_assert_str_eq(err.path, "traffic.base_rate");
	cr_assert(strstr(err.msg, "expected a rate in requests/s in (0, 1e10]"), "%s", err.msg);
}

/* Notes where requests cross regions with nothing declared to count it. r1 and r2; web runs
 * in both and calls app, which calls db; app and db run where %s places them. */
static size_t notes_of(const char *app_db, const char *regions, const char *extra, char *buf,
		       size_t size)
{
	char text[4096];
	struct scenario sc;
	struct scenario_error err;
	int n = snprintf(text, sizeof text,
		"{ \"name\": \"n\", \"version\": 1,"
		"  \"traffic\": { \"base_rate\": 10, \"regions\": { \"r1\": 0.5, \"r2\": 0.5 } },"
		"  \"instance_types\": [ { \"name\": \"s\", \"vcpu\": 1, \"memory_gib\": 1,"
		"    \"price_hourly\": 0.1 } ],"
		"  \"regions\": [ %s ],"
		"  \"tiers\": [ { \"name\": \"web\", \"instance_type\": \"s\", \"capacity_rps\": 50,"
		"      \"calls\": \"app\", \"autoscaling\": { \"min\": 1, \"max\": 1 } },"
		"    { \"name\": \"app\", \"instance_type\": \"s\", \"capacity_rps\": 50,"
		"      \"calls\": \"db\", %s \"autoscaling\": { \"min\": 1, \"max\": 1 } },"
		"    { \"name\": \"db\", \"instance_type\": \"s\", \"capacity_rps\": 50, %s"
		"      \"autoscaling\": { \"min\": 1, \"max\": 1 } } ] %s }",
		regions, app_db, app_db, extra);
	cr_assert(n > 0 && (size_t)n < sizeof text);
	cr_assert_eq(scenario_parse(text, (size_t)n, NULL, &sc, &err), 0, "%s", err.msg);
	size_t k = scenario_network_notes(&sc, buf, size);
	scenario_release(&sc);
	return k;
}

Test(scenario, notes_name_crossings_with_nothing_declared_to_count_them)
{
	static const char plain[] = "{ \"name\": \"r1\", \"zones\": [\"a\"] },"
				    "{ \"name\": \"r2\", \"zones\": [\"a\"] }";
	static const char rtt[] = "{ \"name\": \"r1\", \"zones\": [\"a\"] },"
				  "{ \"name\": \"r2\", \"zones\": [\"a\"], \"rtt\": { \"r1\": \"70ms\" } }";
	static const char in_r1[] = "\"placement\": { \"regions\": [\"r1\"] },";
	static const char sized[] = "\"placement\": { \"regions\": [\"r1\"] }, \"request_kb\": 1,";
	char buf[2048];
	/* Every tier everywhere: nothing crosses. */
	cr_assert_eq(notes_of("", plain, "", buf, sizeof buf), 0, "%s", buf);
	cr_assert_str_eq(buf, "");
	/* app and db in r1 only: r2's requests cross to app; app calls db within r1 (no note
	 * for db); r1's requests never leave r1. */
	cr_assert_eq(notes_of(in_r1, plain, "", buf, sizeof buf), 1, "%s", buf);
	cr_assert_str_eq(buf, "note: the requests entering r2 call tier app across regions, "
			 "with no round trip between r2 and r1 (regions[].rtt) and no sizes "
			 "(request_kb, response_kb) declared: neither network time nor transfer is "
			 "counted\n");
	/* With the round trip: only the transfer is missing. */
	cr_assert_eq(notes_of(in_r1, rtt, "", buf, sizeof buf), 1, "%s", buf);
	cr_assert(strstr(buf, "with no sizes (request_kb, response_kb) declared: no transfer "
			 "is counted"), "%s", buf);
	/* With both: nothing to say. */
	cr_assert_eq(notes_of(sized, rtt, "", buf, sizeof buf), 0, "%s", buf);
	/* A primary/recovery plan sends r2's users to r1: without a round trip, a note. */
	cr_assert_eq(notes_of("", plain, ", \"dr\": { \"strategy\": \"warm_standby\", "
			      "\"primary\": \"r1\", \"recovery\": \"r2\" }", buf, sizeof buf), 1,
		     "%s", buf);
	cr_assert(strstr(buf, "dr sends the users entering r2 to the primary r1"), "%s", buf);
	cr_assert_eq(notes_of("", rtt, ", \"dr\": { \"strategy\": \"warm_standby\", "
			      "\"primary\": \"r1\", \"recovery\": \"r2\" }", buf, sizeof buf), 0,
		     "%s", buf);
	/* A buffer too small for a note keeps none of it (and still counts it). */
	cr_assert_eq(notes_of(in_r1, plain, "", buf, 40), 1);
	cr_assert_str_eq(buf, "");
}

/* Notes on values more likely a slip of units than a design. web (timeout 2 s, 1 visit) calls
 * app (timeout 3 s, 2 visits): a request is dropped before 2 + 2 × 3 = 8 s of waiting, so a
 * latency target above 8 s can never be missed. */
static size_t value_notes_of(const char *target, const char *rtt, const char *growth, char *buf,
			     size_t size)
{
	char text[4096];
	struct scenario sc;
	struct scenario_error err;
	int n = snprintf(text, sizeof text,
		"{ \"name\": \"v\", \"version\": 1,"
		"  \"slo\": { \"availability\": 0.99, \"latency_percentile\": 99,"
		"    \"latency_target\": %s },"
		"  \"traffic\": { \"base_rate\": 10, \"growth_per_month\": %s },"
		"  \"instance_types\": [ { \"name\": \"s\", \"vcpu\": 1, \"memory_gib\": 1,"
		"    \"price_hourly\": 0.1 } ],"
		"  \"regions\": [ { \"name\": \"r1\", \"zones\": [\"a\"] },"
		"    { \"name\": \"r2\", \"zones\": [\"a\"], \"rtt\": { \"r1\": %s } } ],"
		"  \"tiers\": [ { \"name\": \"web\", \"instance_type\": \"s\", \"capacity_rps\": 50,"
		"      \"timeout\": \"2s\", \"calls\": \"app\", \"autoscaling\": { \"min\": 1, \"max\": 1 } },"
		"    { \"name\": \"app\", \"instance_type\": \"s\", \"capacity_rps\": 50, \"visits\": 2,"
		"      \"timeout\": \"3s\", \"autoscaling\": { \"min\": 1, \"max\": 1 } } ] }",
		target, growth, rtt);
	cr_assert(n > 0 && (size_t)n < sizeof text);
	cr_assert_eq(scenario_parse(text, (size_t)n, NULL, &sc, &err), 0, "%s", err.msg);
	size_t k = scenario_value_notes(&sc, buf, size);
	scenario_release(&sc);
	return k;
}

Test(scenario, notes_on_values_that_look_like_a_slip_of_units)
{
	char buf[2048];
	/* At the bounds: 8 s of target, a 2 s round trip, +100 % a month: nothing to say. */
	cr_assert_eq(value_notes_of("\"8s\"", "\"2s\"", "1", buf, sizeof buf), 0, "%s", buf);
	cr_assert_str_eq(buf, "");
	/* Just past each, one note each, naming the value. */
	cr_assert_eq(value_notes_of("8.5", "\"2s\"", "1", buf, sizeof buf), 1, "%s", buf);
	cr_assert(strstr(buf, "slo.latency_target is 8.5 s, above the 8 s"), "%s", buf);
	cr_assert(strstr(buf, "\"8.5ms\" if milliseconds were meant"), "%s", buf);
	cr_assert_eq(value_notes_of("\"8s\"", "2.5", "1", buf, sizeof buf), 1, "%s", buf);
	cr_assert(strstr(buf, "round trip between r1 and r2 is 2.5 s"), "%s", buf);
	/* Growth 1.5 a month: traffic × 2.5 each month. */
	cr_assert_eq(value_notes_of("\"8s\"", "\"2s\"", "1.5", buf, sizeof buf), 1, "%s", buf);
	cr_assert(strstr(buf, "growth_per_month is 1.5, traffic growing ×2.5 a month"), "%s", buf);
	cr_assert_eq(value_notes_of("600", "70", "5", buf, sizeof buf), 3, "%s", buf);
}

/* spot-web.json holds a 1-year reservation (8,760 h): a horizon of 365 days is its term, no
 * note; 366 days outlive it, and the note says how capsim bills the rest (renewed). */
Test(scenario, a_horizon_past_a_commitment_s_term_gets_a_note)
{
	struct scenario sc;
	struct scenario_error err;
	char buf[2048];
	cr_assert_eq(scenario_load("scenarios/spot-web.json", &sc, &err), 0, "%s", err.msg);
	cr_assert_gt(sc.nreservations, 0);
	sc.horizon = 365 * 86400.0;
	cr_assert_eq(scenario_value_notes(&sc, buf, sizeof buf), 0, "%s", buf);
	sc.horizon = 366 * 86400.0;
	cr_assert_eq(scenario_value_notes(&sc, buf, sizeof buf), 1, "%s", buf);
	cr_assert(strstr(buf, "longer than a 1-year commitment's term: it is taken as renewed"),
		  "%s", buf);
	scenario_release(&sc);
}

/* ---- found by fuzzing (tests/fuzz, `make fuzz`) ---- */

/* A value quoted in a message is shown as written, escaped: JSON lets a string hold an
 * escape sequence (\u001b[2J clears the terminal) or a raw tab, which the message would
 * otherwise pass to the terminal. */
Test(scenario_fuzz, control_characters_in_values_are_escaped_in_messages)
{
	struct scenario_error err;
	cr_assert_eq(parse_edited("\"name\": \"t\"", "\"name\": \"t\\u001b[2J\tx\"", &err),
		     CAPSIM_EINVAL);
	cr_assert_eq(err.line, 2, "%s", err.msg);
	cr_assert_str_eq(err.path, "name");
	cr_assert(strstr(err.msg, "got \"t\\u001b[2J\\tx\""), "%s", err.msg);
	for (const char *p = err.msg; *p; p++)
		cr_assert((unsigned char)*p >= 0x20, "raw 0x%02x in %s", (unsigned char)*p,
			  err.msg);
}

/* So is a character that would make the line read other than it is: a right-to-left
 * override (U+202E, UTF-8 e2 80 ae) shows what follows it reversed, and a C1 control
 * (U+009B, c2 9b) starts an escape sequence on some terminals. A plain non-ASCII letter
 * (U+00E9, "é") stays as written. */
Test(scenario_fuzz, bidirectional_and_c1_controls_are_escaped_in_messages)
{
	struct scenario_error err;
	cr_assert_eq(parse_edited("\"name\": \"t\"", "\"name\": \"a\\u202eb\\u009b2Jc\\u00e9\"", &err),
		     CAPSIM_EINVAL);
	cr_assert(strstr(err.msg, "got \"a\\u202eb\\u009b2Jc\xc3\xa9\""), "%s", err.msg);
	cr_assert_null(strstr(err.msg, "\xe2\x80\xae"), "%s", err.msg);
	cr_assert_null(strstr(err.msg, "\xc2\x9b"), "%s", err.msg);
}

/* A long value is cut on a character boundary: "a" and 25 × "é" (2 bytes each) is cut after
 * 40 bytes at most, which is "a" and 19 × "é" (39 bytes); byte 40 would be half an "é". */
Test(scenario_fuzz, long_values_are_cut_between_utf8_characters)
{
	struct scenario_error err;
	char name[256] = "\"name\": \"a", want[256] = "got \"a";
	for (int i = 0; i < 25; i++)
		strcat(name, "é");
	strcat(name, "\"");
	for (int i = 0; i < 19; i++)
		strcat(want, "é");
	strcat(want, "...\"");
	cr_assert_eq(parse_edited("\"name\": \"t\"", name, &err), CAPSIM_EINVAL);
	cr_assert(strstr(err.msg, want), "%s lacks %s", err.msg, want);
	/* Bytes that are no UTF-8 (45 stray continuation bytes 0xA8) are no character to keep
	 * whole: 40 of them are quoted, each as \xa8. */
	strcpy(name, "\"name\": \"");
	strcpy(want, "got \"");
	for (int i = 0; i < 45; i++)
		strcat(name, "\xa8");
	for (int i = 0; i < 40; i++)
		strcat(want, "\\xa8");
	strcat(name, "\"");
	strcat(want, "...\"");
	cr_assert_eq(parse_edited("\"name\": \"t\"", name, &err), CAPSIM_EINVAL);
	cr_assert(strstr(err.msg, want), "%s lacks %s", err.msg, want);
}

/* A NUL byte ends the text cJSON sees: the message says so and points at it, line 2 column
 * 10 (`  "a": 1,` fills columns 1-9), not at the comma before it. */
Test(scenario_fuzz, a_nul_byte_is_named_where_it_is)
{
	static const char text[] = "{\n  \"a\": 1,\0 }\n";
	struct scenario sc;
	struct scenario_error err;
	cr_assert_eq(scenario_parse(text, sizeof text - 1, "mem.json", &sc, &err), CAPSIM_EPARSE);
	cr_assert_str_eq(err.msg, "mem.json:2:10: invalid JSON: a NUL byte (a text file has "
			 "none)");
}

/* A file of blank lines is empty, not "invalid JSON near the end of the line". */
Test(scenario_fuzz, a_blank_file_is_called_empty)
{
	struct scenario sc;
	struct scenario_error err;
	cr_assert_eq(parse_text("\n\n\t\n", &sc, &err), CAPSIM_EPARSE);
	cr_assert_str_eq(err.msg, "mem.json:1:1: invalid JSON: the file is empty (blank space "
			 "only)");
}

/* What cJSON reads, jsonloc must locate, or the message loses its line: a UTF-8 byte order
 * mark, blank bytes that are not JSON's four (a form feed, \x01), raw control characters
 * in strings. Each text has "version": 2 on line 2. */
Test(scenario_fuzz, errors_keep_their_line_in_text_cjson_reads_leniently)
{
	static const char *const edits[][2] = {
		{ "\"name\": \"t\", \"version\": 1", "\"name\": \"t\",\f\"version\": 2" },
		{ "\"name\": \"t\", \"version\": 1", "\"name\": \"t\",\x01 \"version\": 2" },
		{ "\"name\": \"t\", \"version\": 1",
		  "\"_comment_x\": \"t\x01\tx\", \"name\": \"t\", \"version\": 2" },
	};
	struct scenario sc;
	struct scenario_error err;
	for (size_t i = 0; i < sizeof edits / sizeof edits[0]; i++) {
		cr_assert_eq(parse_edited(edits[i][0], edits[i][1], &err), CAPSIM_EINVAL);
		cr_assert_eq(err.line, 2, "edit %zu: %s", i, err.msg);
		cr_assert_str_eq(err.path, "version");
	}
	char text[2048] = "\xEF\xBB\xBF";
	const char *v = strstr(small_scenario, "\"version\": 1");
	snprintf(text + 3, sizeof text - 3, "%.*s\"version\": 2%s", (int)(v - small_scenario),
		 small_scenario, v + strlen("\"version\": 1"));
	cr_assert_eq(parse_text(text, &sc, &err), CAPSIM_EINVAL);
	cr_assert_eq(err.line, 2, "%s", err.msg);
	cr_assert(strstr(err.msg, "mem.json:2: version: expected 1"), "%s", err.msg);
}

/* cJSON reads a \u escape that is not four hex digits as U+0000, which ends its C string:
 * "t\uZZZZ" would be the valid name "t". Both forms are refused at the backslash (line 2:
 * the name's quote is at column 11, the backslash at 13). */
Test(scenario_fuzz, escapes_cjson_reads_as_nul_are_refused)
{
	struct scenario_error err;
	cr_assert_eq(parse_edited("\"name\": \"t\"", "\"name\": \"t\\uZZZZ\"", &err),
		     CAPSIM_EPARSE);
	cr_assert_str_eq(err.msg, "mem.json:2:13: invalid JSON: expected four hex digits after "
			 "\\u");
	cr_assert_eq(parse_edited("\"name\": \"t\"", "\"name\": \"t\\u0000x\"", &err),
		     CAPSIM_EPARSE);
	cr_assert_str_eq(err.msg, "mem.json:2:13: invalid JSON: \\u0000 (a NUL character) cannot "
			 "be in a string");
	/* A key too: it would be read as "a", an unknown key, on no line. */
	cr_assert_eq(parse_edited("\"traffic\": {", "\"a\\utraffic\": {", &err), CAPSIM_EPARSE);
	cr_assert_eq(err.line, 3, "%s", err.msg);
	cr_assert_eq(err.col, 5, "%s", err.msg);
}

/* Duplicate keys were looked for by comparing each key with every one before it: an object
 * of 100,000 keys (1.4 MB) took 30 s. k0 ... k99999 are on lines 2 ... 100001 (k_i on line
 * i + 2), then k5 again on line 100002. */
Test(scenario_fuzz, many_keys_are_checked_for_duplicates_in_time, .timeout = 5)
{
	enum { NKEYS = 100000 };
	size_t size = 32 * (NKEYS + 2), w = 0;
	char *text = malloc(size);
	struct scenario sc;
	struct scenario_error err;
	cr_assert_not_null(text);
	w += (size_t)snprintf(text + w, size - w, "{\n");
	for (int i = 0; i < NKEYS; i++)
		w += (size_t)snprintf(text + w, size - w, "\"k%d\": 1,\n", i);
	w += (size_t)snprintf(text + w, size - w, "\"k5\": 2\n}\n");
	cr_assert_lt(w, size);
	cr_assert_eq(scenario_parse(text, w, "mem.json", &sc, &err), CAPSIM_EINVAL);
	cr_assert_str_eq(err.msg, "mem.json:100002: k5: duplicate key; it was first given on "
			 "line 7");
	free(text);
}

/* A NUL byte inside a trace's field ended its text there: "2\0junk" was read as 2. */
Test(scenario_fuzz, a_nul_byte_in_a_trace_field_is_refused)
{
	static const char csv[] = "0,1\n60,2\0junk\n";
	struct scenario sc;
	struct scenario_error err;
	cr_assert_eq(parse_with_trace_n(csv, sizeof csv - 1, &sc, &err), CAPSIM_EPARSE);
	cr_assert_eq(err.line, 2, "%s", err.msg);
	cr_assert(strstr(err.msg, "/t.csv:2: traffic.trace: expected numbers, got a field with "
			 "a NUL byte"), "%s", err.msg);
}

/* A quote left open in a trace: libcsv went on reading the next lines into the field, so the
 * message named the line where the row ended ("expected 2 fields ..., got 3" on line 3) or
 * libcsv's "error parsing data while strict checking enabled". The row is on line 2. */
Test(scenario_fuzz, an_open_quote_in_a_trace_is_named_on_its_line)
{
	struct scenario sc;
	struct scenario_error err;
	cr_assert_eq(parse_with_trace("0,10\n60,\"20\n\",\n120,5\n", &sc, &err), CAPSIM_EPARSE);
	cr_assert_eq(err.line, 2, "%s", err.msg);
	cr_assert(strstr(err.msg, "/t.csv:2: traffic.trace: expected a CSV row on one line, got "
			 "a misplaced or unclosed quote"), "%s", err.msg);
	cr_assert_eq(parse_with_trace("0,10\n60,\"20\n", &sc, &err), CAPSIM_EPARSE);
	cr_assert_eq(err.line, 2, "%s", err.msg);
	cr_assert(strstr(err.msg, "misplaced or unclosed quote"), "%s", err.msg);
}

/* A UTF-8 byte order mark (Excel's "CSV UTF-8") before the header is skipped, as it is before
 * the scenario's JSON; it used to be read as part of "time_s", so that the message quoted a
 * header that looked exactly like the one expected. */
Test(scenario, trace_with_a_byte_order_mark_loads)
{
	struct scenario sc;
	struct scenario_error err;
	cr_assert_eq(parse_with_trace("\xEF\xBB\xBFtime_s,requests_per_s\n0,10\n60,20\n", &sc,
				      &err), 0, "%s", err.msg);
	cr_assert_eq(sc.traffic.trace.n, 2);
	cr_assert_eq(sc.traffic.trace.rate[1], 20);
	scenario_release(&sc);
}

/* "1e306y" is a finite number of years but not of seconds: as trace_period it validated and
 * then crashed the run (floor(t / inf) * inf is NaN), as horizon and step (inf / inf) it passed
 * the whole-steps check and failed the run with exit status 1. */
Test(scenario, durations_that_overflow_in_seconds_are_refused)
{
	struct scenario_error err;
	cr_assert_eq(parse_edited("\"base_rate\": 10", "\"trace\": \"scenarios/traces/diurnal.csv\","
				  " \"trace_period\": \"1e306y\"", &err), CAPSIM_EINVAL);
	cr_assert_str_eq(err.path, "traffic.trace_period");
	cr_assert_eq(parse_edited("\"version\": 1", "\"version\": 1, \"horizon\": \"1e306y\", "
				  "\"step\": \"1e305y\"", &err), CAPSIM_EINVAL);
	cr_assert_str_eq(err.path, "horizon");
}

/* Multipliers that would take the rate past any double are refused where they are written:
 * a weekend of 1e308 on a base of 10 made requests_offered inf and the run exit 0, a noise
 * of 1e200 made sigma^2 overflow and the demand 0. */
Test(scenario, traffic_multipliers_are_bounded)
{
	struct scenario_error err;
	static const char *const bad[][2] = {
		{ "\"weekly\": { \"weekend_factor\": 1e308 }", "traffic.weekly.weekend_factor" },
		{ "\"noise\": 1e200", "traffic.noise" },
		{ "\"growth_per_month\": 1e6", "traffic.growth_per_month" },
		{ "\"spikes\": { \"rate_per_day\": 1, \"magnitude\": [2, 1e300], \"duration\": \"1h\" }",
		  "traffic.spikes.magnitude" },
		{ "\"spikes\": { \"rate_per_day\": 1e8, \"magnitude\": [2, 3], \"duration\": \"1ms\" }",
		  "traffic.spikes.rate_per_day" },
		/* 100 a day of 3 hours each: 12.5 in progress on average. */
		{ "\"spikes\": { \"rate_per_day\": 100, \"magnitude\": [2, 3], \"duration\": \"3h\" }",
		  "traffic.spikes.duration" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char to[256];
		snprintf(to, sizeof to, "\"base_rate\": 10, %s", bad[i][0]);
		cr_assert_eq(parse_edited("\"base_rate\": 10", to, &err), CAPSIM_EINVAL, "%s",
			     bad[i][0]);
		cr_assert_str_eq(err.path, bad[i][1], "%s: %s", bad[i][0], err.msg);
	}
	/* At the bounds: accepted (10 days of spikes in progress: 80 a day of 3 hours). */
	cr_assert_eq(parse_edited("\"base_rate\": 10",
				  "\"base_rate\": 10, \"weekly\": { \"weekend_factor\": 1000 }, "
				  "\"noise\": 3, \"growth_per_month\": 10, \"spikes\": { "
				  "\"rate_per_day\": 80, \"magnitude\": [1, 1000], \"duration\": \"3h\" }",
				  &err), 0, "%s", err.msg);
}

/* Lines ended by a lone "\r" (old Mac files) are lines: a mistake on the fourth line of a
 * trace, or of the scenario, is named on line 4 (both once counted only "\n": line 1). The
 * good rows before it load. */
Test(scenario, lines_ended_by_a_carriage_return_are_counted)
{
	struct scenario sc;
	struct scenario_error err;
	cr_assert_neq(parse_with_trace("time_s,requests_per_s\r0,10\r60,20\r120,-5\r", &sc, &err),
		      0);
	cr_assert_eq(err.line, 4, "%s", err.msg);
	cr_assert_eq(parse_with_trace("time_s,requests_per_s\r0,10\r60,20\r", &sc, &err), 0, "%s",
		     err.msg);
	cr_assert_eq(sc.traffic.trace.n, 2);
	scenario_release(&sc);
	char cr[sizeof small_scenario];
	memcpy(cr, small_scenario, sizeof cr);
	for (char *p = cr; *p; p++)
		if (*p == '\n')
			*p = '\r';
	/* "capacity_rps": 5 is on line 8 of small_scenario. */
	char *at = strstr(cr, "\"capacity_rps\": 5");
	cr_assert_not_null(at);
	at[16] = '0';   /* 0 is out of its range */
	cr_assert_eq(parse_text(cr, &sc, &err), CAPSIM_EINVAL);
	cr_assert_eq(err.line, 8, "%s", err.msg);
}
