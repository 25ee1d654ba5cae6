/* Spot capacity, purchase mixes and the hourly bill in the fluid model, against closed forms
 * and hand-worked bills. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "models/catalog.h"
#include "models/run.h"
#include "models/scenario.h"
#include "sim/error.h"

static void parse(const char *json, const char *path, struct scenario *sc)
{
	struct scenario_error err;
	int rc = scenario_parse(json, strlen(json), path, sc, &err);
	cr_assert_eq(rc, 0, "scenario: %s", err.msg);
}

static const struct run_metric *metric(const struct run_result *r, const char *name)
{
	const struct run_metric *m = run_find_metric(r, name);
	cr_assert_not_null(m, "metric %s", name);
	return m;
}

/* n instances entirely on spot in one pool, plenty of capacity (so the load never matters),
 * capacity rebalancing on, no reclaims. The interruption bucket ">20%" means a monthly
 * interruption probability of 25% (catalog_spot_hazard), i.e. a hazard
 * h = -ln(0.75) / 730 per hour = 3.9409e-4 /h. With rebalancing, each instance's replacement
 * is launched at its notice and draws its own exponential time, so each of the n places in the
 * fleet sees a Poisson process of rate h: over H hours the expected count of interruptions
 * is n × h × H, and its variance is the same (Poisson). */
static char *spot_fleet(int n, const char *horizon, const char *extra)
{
	char *json = malloc(4096);
	snprintf(json, 4096,
		 "{ \"name\": \"spot\", \"version\": 1, \"horizon\": \"%s\", \"step\": \"1m\","
		 "  \"traffic\": { \"base_rate\": 100 },"
		 "  \"instance_types\": [ { \"name\": \"s\", \"vcpu\": 2, \"memory_gib\": 4,"
		 "      \"price_hourly\": 0.1, \"spot_discount\": 0.7,"
		 "      \"spot_interruption\": \">20%%\" } ],"
		 "  \"regions\": [ { \"name\": \"r1\", \"zones\": [\"a\"] } ],"
		 "  \"tiers\": [ { \"name\": \"api\", \"instance_type\": \"s\", \"capacity_rps\": 100,"
		 "    \"autoscaling\": { \"min\": %d, \"max\": %d },"
		 "    \"purchase\": { \"on_demand_percentage_above_base\": 0,"
		 "                    \"spot_types\": [\"s\"] %s } } ] }",
		 horizon, n, n, extra);
	return json;
}

Test(world_spot, interruptions_match_the_hazard)
{
	char *json = spot_fleet(20, "30d", ", \"capacity_rebalance\": true");
	struct scenario sc;
	parse(json, NULL, &sc);
	struct run_options o = { .seed = 9, .reps = 200, .threads = 2 };
	struct run_result r;
	cr_assert_eq(run_simulate(&sc, &o, &r), 0);
	double h = -log(0.75) / 730.0, expect = 20 * h * 720.0;   /* 5.6749 per replication */
	/* 200 replications: the mean's standard error is sqrt(expect / 200) = 0.168; 3.3 of
	 * them (a two-sided 0.1% test) is the tolerance. */
	double se = sqrt(expect / 200.0);
	const struct run_metric *m = metric(&r, "spot_interruptions");
	cr_assert(fabs(m->stat.mean - expect) < 3.3 * se, "interruptions %g, expected %g ± %g",
		  m->stat.mean, expect, 3.3 * se);
	/* Spot at 70% off: 20 instances × 720 h × 0.03 USD, plus the overlap of each noticed
	 * instance with its replacement (two minutes each): 432 USD + about 5.7 × 120 s × 0.03
	 * / 3600 = 0.006 USD. */
	cr_assert(fabs(metric(&r, "cost_total")->stat.mean - 432.0) < 0.02, "cost %g",
		  metric(&r, "cost_total")->stat.mean);
	cr_assert_float_eq(metric(&r, "cost.option.on_demand")->stat.mean, 0, 1e-12);
	run_result_release(&r);
	scenario_release(&sc);
	free(json);
}

/* A correlated reclaim takes the stated share of the pool's spot instances: 10 instances in
 * one pool, fraction exactly 0.5, so the first reclaim notices round(0.5 × 10) = 5 of them.
 * Individual interruptions are rare at this bucket ("<5%": h = -ln(0.975)/730 = 3.5e-5 /h,
 * 0.008 expected over 10 instances × 24 h), so the pool is full at the first reclaim. */
Test(world_spot, a_reclaim_takes_the_stated_fraction)
{
	char *json = spot_fleet(10, "1d",
				", \"reclaims\": { \"rate_per_month\": 300, \"fraction\": [0.5, 0.5],"
				"  \"unavailable\": \"1h\" }");
	char *b = strstr(json, ">20%");
	memcpy(b, "<5%\"", 4);   /* same length: ">20%" -> "<5%" and the closing quote */
	b[4] = ' ';
	struct scenario sc;
	parse(json, NULL, &sc);
	struct run_options o = { .seed = 4, .reps = 1, .threads = 1 };
	struct run_result r;
	cr_assert_eq(run_simulate(&sc, &o, &r), 0);
	const struct run_event *first = NULL;
	for (size_t i = 0; i < r.nevents && !first; i++)
		if (strcmp(r.events[i].kind, "spot_reclaim") == 0)
			first = &r.events[i];
	cr_assert_not_null(first, "no reclaim in a day at 300 a month");
	cr_assert_float_eq(first->value, 5, 1e-12, "%s", first->detail);
	cr_assert_not_null(strstr(first->detail, "5 of 10"), "%s", first->detail);
	run_result_release(&r);
	scenario_release(&sc);
	free(json);
}

/* A reclaim's share of a small pool is rounded up or down at random, so that the share taken
 * is the drawn one on average: one spot instance and fraction exactly 0.2, so each reclaim
 * that finds the instance takes it with probability 0.2 (rounded to the nearest it was never
 * taken). Reclaims come at 600 a month for 30 days (~600 in the replication's event log),
 * a taken instance is replaced within the minute's unavailability plus its boot, so most
 * reclaims find it. The share of those that took it is a binomial proportion: with m of them,
 * its standard error is sqrt(0.2 × 0.8 / m), 0.016 at m = 600; 3.3 of them (0.1% two-sided)
 * is the tolerance. */
Test(world_spot, a_reclaim_of_a_small_pool_takes_the_share_on_average)
{
	char *json = spot_fleet(1, "30d",
				", \"reclaims\": { \"rate_per_month\": 600, \"fraction\": [0.2, 0.2],"
				"  \"unavailable\": \"1m\" }");
	char *b = strstr(json, ">20%");
	memcpy(b, "<5%\"", 4);   /* ">20%" -> "<5%": few individual interruptions */
	b[4] = ' ';
	struct scenario sc;
	parse(json, NULL, &sc);
	struct run_options o = { .seed = 12, .reps = 1, .threads = 1 };
	struct run_result r;
	cr_assert_eq(run_simulate(&sc, &o, &r), 0);
	int found = 0, taken = 0;
	for (size_t i = 0; i < r.nevents; i++) {
		if (strcmp(r.events[i].kind, "spot_reclaim") != 0)
			continue;
		int k, n;
		const char *at = strstr(r.events[i].detail, ": ");
		cr_assert_not_null(at, "%s", r.events[i].detail);
		cr_assert_eq(sscanf(at + 2, "%d of %d", &k, &n), 2, "%s", r.events[i].detail);
		cr_assert(k >= 0 && k <= n, "%s", r.events[i].detail);
		if (n == 1) {
			found++;
			taken += k;
		}
	}
	cr_assert_gt(found, 300, "only %d reclaims found the instance", found);
	double share = (double)taken / found, se = sqrt(0.2 * 0.8 / found);
	cr_assert(fabs(share - 0.2) < 3.3 * se, "share taken %g of %d, expected 0.2 ± %g", share,
		  found, 3.3 * se);
	run_result_release(&r);
	scenario_release(&sc);
	free(json);
}

/* When every spot pool is reclaimed for good (fraction 1, unavailable for 30 days), the group
 * falls back to on demand: after the first reclaim the 10 instances are all on demand. */
Test(world_spot, fallback_to_on_demand_when_every_pool_is_reclaimed)
{
	char *json = spot_fleet(10, "2d",
				", \"reclaims\": { \"rate_per_month\": 60, \"fraction\": [1, 1],"
				"  \"unavailable\": \"30d\" }");
	struct scenario sc;
	parse(json, NULL, &sc);
	struct run_options o = { .seed = 4, .reps = 1, .threads = 1, .bucket = 3600 };
	struct run_result r;
	cr_assert_eq(run_simulate(&sc, &o, &r), 0);
	cr_assert(metric(&r, "spot_reclaims")->stat.mean >= 1, "no reclaim in 2 days at 60/month");
	cr_assert(metric(&r, "spot_fallbacks_to_on_demand")->stat.mean >= 10);
	/* Each reclaim is an event of replication 0 whose value is the instances it took: the
	 * first takes all 10; once they are on demand, later ones find none to take. The two
	 * counts of the summary are those events, and those with a value above 0. */
	size_t events = 0, took = 0;
	const struct run_event *first = NULL;
	for (size_t i = 0; i < r.nevents; i++)
		if (strcmp(r.events[i].kind, "spot_reclaim") == 0) {
			events++;
			took += r.events[i].value > 0;
			if (!first)
				first = &r.events[i];
		}
	cr_assert_float_eq(first->value, 10, 1e-12, "%s", first->detail);
	cr_assert_float_eq(metric(&r, "spot_reclaims")->stat.mean, (double)events, 1e-12);
	cr_assert_float_eq(metric(&r, "spot_reclaims_with_instances")->stat.mean, (double)took,
			   1e-12);
	cr_assert_lt(took, events, "no reclaim after the fallback in 2 days");
	/* The last hour: 10 instances, all paid on demand. */
	size_t last = r.nbuckets - 1;
	cr_assert_float_eq(run_ts(&r, last, 0, RUN_TS_PAID_ON_DEMAND), 10, 1e-9);
	cr_assert_float_eq(run_ts(&r, last, 0, RUN_TS_PAID_SPOT), 0, 1e-9);
	run_result_release(&r);
	scenario_release(&sc);
	free(json);
}

/* When the reclaimed pool can launch again (after an hour here), the group returns to spot at
 * the next billing hour: each extra on-demand instance is replaced by a spot one and goes when
 * its replacement is in service. So on-demand hours come only within a few hours of a reclaim:
 * the hour the pool is unavailable, up to an hour to the next check, the replacement's boot
 * (the default median 60 s, p95 180 s). Any hour whose bill has on-demand instances therefore
 * starts less than 3 hours after a reclaim event (replication 0's, one replication). Before
 * the return, the first fallback stayed on demand to the end. */
Test(world_spot, after_a_fallback_the_group_returns_to_spot)
{
	char *json = spot_fleet(10, "4d",
				", \"reclaims\": { \"rate_per_month\": 30, \"fraction\": [1, 1],"
				"  \"unavailable\": \"1h\" }");
	struct scenario sc;
	parse(json, NULL, &sc);
	struct run_options o = { .seed = 4, .reps = 1, .threads = 1, .bucket = 3600 };
	struct run_result r;
	cr_assert_eq(run_simulate(&sc, &o, &r), 0);
	cr_assert(metric(&r, "spot_fallbacks_to_on_demand")->stat.mean >= 10,
		  "no fallback in 4 days at 30 reclaims a month (seed 4)");
	size_t od_hours = 0;
	for (size_t b = 0; b < r.nbuckets; b++) {
		if (!(run_ts(&r, b, 0, RUN_TS_PAID_ON_DEMAND) > 0))
			continue;
		od_hours++;
		double start = 3600.0 * (double)b, recent = -INFINITY;
		for (size_t i = 0; i < r.nevents; i++)
			if (strcmp(r.events[i].kind, "spot_reclaim") == 0 &&
			    r.events[i].time < start + 3600.0)
				recent = r.events[i].time;
		cr_assert(start - recent < 3 * 3600.0, "hour %zu paid on demand %.1f h after the "
			  "last reclaim", b, (start - recent) / 3600.0);
	}
	cr_assert_gt(od_hours, 0);
	cr_assert_lt(od_hours, r.nbuckets / 2, "on demand in %zu of %zu hours", od_hours,
		     r.nbuckets);
	run_result_release(&r);
	scenario_release(&sc);
	free(json);
}

/* A replacement lost before it serves leaves the on-demand instance it was to relieve. One
 * instance, all spot, boots of exactly 20 minutes; reclaims (fraction 1) about hourly, each
 * leaving its pool unable to launch for 5 minutes. A reclaim of the spot instance in service
 * interrupts it two minutes later; the pool cannot launch, so the group falls back to an
 * on-demand instance, and at the next billing hour starts returning to spot: a replacement
 * boots for 20 minutes while the on-demand one serves. A reclaim in those 20 minutes (about
 * 1 − e^(−18/60) = 26% of the returns, dozens in 10 days) interrupts the replacement while it
 * boots: the on-demand instance must stay. Had it left at the replacement's ready time
 * anyway, the tier would go dark then with no reclaim two minutes before. So every step
 * that finds the tier dark after a step with an instance in service follows an interruption
 * of an instance in service: a reclaim 2 to 3 minutes before it (the interruption comes two
 * minutes after the notice, the step at most one after that), or one of the interruptions
 * that came from the pool's own hazard (spot_interruptions less the instances reclaims
 * took). */
Test(world_spot, a_replacement_lost_while_booting_keeps_the_on_demand_instance)
{
	const char *json =
		"{ \"name\": \"lost\", \"version\": 1, \"horizon\": \"10d\", \"step\": \"1m\","
		"  \"traffic\": { \"base_rate\": 10 },"
		"  \"instance_types\": [ { \"name\": \"s\", \"vcpu\": 2, \"memory_gib\": 4,"
		"      \"price_hourly\": 0.1, \"spot_discount\": 0.7,"
		"      \"spot_interruption\": \"<5%\" } ],"
		"  \"regions\": [ { \"name\": \"r1\", \"zones\": [\"a\"] } ],"
		"  \"tiers\": [ { \"name\": \"api\", \"instance_type\": \"s\", \"capacity_rps\": 100,"
		"    \"boot_time\": { \"median\": \"20m\", \"p95\": \"20m\" },"
		"    \"autoscaling\": { \"min\": 1, \"max\": 1 },"
		"    \"purchase\": { \"on_demand_percentage_above_base\": 0, \"spot_types\": [\"s\"],"
		"      \"reclaims\": { \"rate_per_month\": 720, \"fraction\": [1, 1],"
		"                      \"unavailable\": \"5m\" } } } ] }";
	struct scenario sc;
	parse(json, NULL, &sc);
	struct run_options o = { .seed = 11, .reps = 1, .threads = 1, .bucket = 60 };
	struct run_result r;
	cr_assert_eq(run_simulate(&sc, &o, &r), 0);
	double reclaimed = 0;
	for (size_t i = 0; i < r.nevents; i++)
		if (strcmp(r.events[i].kind, "spot_reclaim") == 0)
			reclaimed += r.events[i].value;
	double own = metric(&r, "spot_interruptions")->stat.mean - reclaimed;
	cr_assert(metric(&r, "spot_fallbacks_to_on_demand")->stat.mean >= 20,
		  "too few fallbacks to exercise the returns");
	int unexplained = 0;
	for (size_t b = 1; b < r.nbuckets; b++) {
		if (!(run_ts(&r, b - 1, 0, RUN_TS_IN_SERVICE) >= 1) ||
		    run_ts(&r, b, 0, RUN_TS_IN_SERVICE) != 0)
			continue;
		double t = 60.0 * (double)b;
		int explained = 0;
		for (size_t i = 0; i < r.nevents; i++)
			if (strcmp(r.events[i].kind, "spot_reclaim") == 0 &&
			    r.events[i].value > 0 && r.events[i].time > t - 180 &&
			    r.events[i].time <= t - 120)
				explained = 1;
		unexplained += !explained;
	}
	cr_assert_leq(unexplained, own, "%d dark steps follow no reclaim (%g own interruptions)",
		      unexplained, own);
	run_result_release(&r);
	scenario_release(&sc);
}

/* Without fallback, a reclaimed single pool leaves the tier empty: every request fails from
 * the end of the two-minute notice, and availability drops well below one. */
Test(world_spot, without_fallback_a_reclaim_empties_the_tier)
{
	char *json = spot_fleet(10, "2d",
				", \"fallback_to_on_demand\": false,"
				"  \"reclaims\": { \"rate_per_month\": 60, \"fraction\": [1, 1],"
				"  \"unavailable\": \"30d\" }");
	struct scenario sc;
	parse(json, NULL, &sc);
	struct run_options o = { .seed = 4, .reps = 1, .threads = 1 };
	struct run_result r;
	cr_assert_eq(run_simulate(&sc, &o, &r), 0);
	cr_assert(metric(&r, "availability")->stat.mean < 0.99, "availability %g",
		  metric(&r, "availability")->stat.mean);
	cr_assert(metric(&r, "requests_rejected")->stat.mean > 0);
	run_result_release(&r);
	scenario_release(&sc);
	free(json);
}

/* Review: without fallback, a group with no scaling policy (fixed at 4, all spot in one pool)
 * relaunches once its reclaimed pool can launch again: a reclaim (fraction 1, the pool
 * unavailable for 1 h) empties it two minutes later, and it is back in service about an hour
 * after the reclaim (the pool's hour, then a boot of 1 minute). So every minute with no
 * instance in service lies within 1 h + 5 min of a reclaim that took instances. Before, it
 * waited for the next event of the pool (its next reclaim, ~1.5 days away at 20 a month). */
Test(world_spot, without_fallback_a_fixed_group_relaunches_when_its_pool_can)
{
	const char *json =
		"{ \"name\": \"nofb\", \"version\": 1, \"horizon\": \"5d\", \"step\": \"1m\","
		"  \"traffic\": { \"base_rate\": 100 },"
		"  \"instance_types\": [ { \"name\": \"s\", \"vcpu\": 2, \"memory_gib\": 4,"
		"      \"price_hourly\": 0.1, \"spot_discount\": 0.7,"
		"      \"spot_interruption\": \"<5%\" } ],"
		"  \"regions\": [ { \"name\": \"r1\", \"zones\": [\"a\"] } ],"
		"  \"tiers\": [ { \"name\": \"api\", \"instance_type\": \"s\", \"capacity_rps\": 100,"
		"    \"boot_time\": { \"median\": \"1m\", \"p95\": \"1m\" },"
		"    \"autoscaling\": { \"min\": 4, \"max\": 4 },"
		"    \"purchase\": { \"on_demand_percentage_above_base\": 0, \"spot_types\": [\"s\"],"
		"      \"fallback_to_on_demand\": false,"
		"      \"reclaims\": { \"rate_per_month\": 20, \"fraction\": [1, 1],"
		"                      \"unavailable\": \"1h\" } } } ] }";
	struct scenario sc;
	parse(json, NULL, &sc);
	struct run_options o = { .seed = 4, .reps = 1, .threads = 1, .bucket = 60 };
	struct run_result r;
	cr_assert_eq(run_simulate(&sc, &o, &r), 0);
	int dark = 0, unexplained = 0;
	for (size_t b = 0; b < r.nbuckets; b++) {
		if (run_ts(&r, b, 0, RUN_TS_IN_SERVICE) != 0)
			continue;
		dark++;
		double t = 60.0 * (double)b;
		int explained = 0;
		for (size_t i = 0; i < r.nevents; i++)
			if (strcmp(r.events[i].kind, "spot_reclaim") == 0 && r.events[i].value > 0 &&
			    r.events[i].time <= t && r.events[i].time > t - 3900)
				explained = 1;
		unexplained += !explained;
	}
	cr_assert_gt(dark, 0, "no reclaim emptied the tier (seed 4)");
	cr_assert_eq(unexplained, 0, "%d of %d dark minutes more than 65 min after a reclaim",
		     unexplained, dark);
	run_result_release(&r);
	scenario_release(&sc);
}

/* Review: a warm-standby recovery pool returns to spot after a fallback too (the README's
 * "at every billing hour a group holding more on-demand instances than its mix asks returns
 * to spot"). Two regions of one zone, 8 instances all spot, the standby at half (4); reclaims
 * (fraction 1, 1 h unavailable) about daily per pool. Seed 4 reclaims r2's pool at 14.7 h;
 * before, its 4 fallback instances stayed on demand to the horizon (hours 14 to 95). Now, as
 * in the serving region, on-demand hours come only within 3 h of a reclaim of the pool. */
Test(world_spot, a_standby_pool_returns_to_spot_after_a_fallback)
{
	const char *json =
		"{ \"name\": \"sb\", \"version\": 1, \"horizon\": \"4d\", \"step\": \"1m\","
		"  \"traffic\": { \"base_rate\": 100 },"
		"  \"instance_types\": [ { \"name\": \"s\", \"vcpu\": 2, \"memory_gib\": 4,"
		"      \"price_hourly\": 0.1, \"spot_discount\": 0.7,"
		"      \"spot_interruption\": \"<5%\" } ],"
		"  \"regions\": [ { \"name\": \"r1\", \"zones\": [\"a\"] },"
		"               { \"name\": \"r2\", \"zones\": [\"a\"] } ],"
		"  \"dr\": { \"strategy\": \"warm_standby\", \"primary\": \"r1\","
		"           \"recovery\": \"r2\", \"standby_scale\": 0.5 },"
		"  \"tiers\": [ { \"name\": \"api\", \"instance_type\": \"s\", \"capacity_rps\": 100,"
		"    \"boot_time\": { \"median\": \"1m\", \"p95\": \"1m\" },"
		"    \"autoscaling\": { \"min\": 8, \"max\": 8 },"
		"    \"purchase\": { \"on_demand_percentage_above_base\": 0, \"spot_types\": [\"s\"],"
		"      \"reclaims\": { \"rate_per_month\": 30, \"fraction\": [1, 1],"
		"                      \"unavailable\": \"1h\" } } } ] }";
	struct scenario sc;
	parse(json, NULL, &sc);
	struct run_options o = { .seed = 4, .reps = 1, .threads = 1, .bucket = 3600 };
	struct run_result r;
	cr_assert_eq(run_simulate(&sc, &o, &r), 0);
	size_t series = 1 + 1;   /* the regions' series follow the pools' (one per region) */
	series += 1;             /* r2 */
	size_t od_hours = 0, reclaims = 0;
	for (size_t b = 0; b < r.nbuckets; b++) {
		if (!(run_ts(&r, b, series, RUN_TS_PAID_ON_DEMAND) > 0))
			continue;
		od_hours++;
		double start = 3600.0 * (double)b, recent = -INFINITY;
		for (size_t i = 0; i < r.nevents; i++)
			if (strcmp(r.events[i].kind, "spot_reclaim") == 0 && r.events[i].region == 1 &&
			    r.events[i].time < start + 3600.0)
				recent = r.events[i].time;
		cr_assert(start - recent < 3 * 3600.0, "r2 paid on demand in hour %zu, %.1f h "
			  "after its last reclaim", b, (start - recent) / 3600.0);
	}
	for (size_t i = 0; i < r.nevents; i++)
		reclaims += strcmp(r.events[i].kind, "spot_reclaim") == 0 &&
			    r.events[i].region == 1 && r.events[i].value > 0;
	cr_assert_gt(reclaims, 0, "no reclaim hit r2 (seed 4)");
	cr_assert_gt(od_hours, 0);
	run_result_release(&r);
	scenario_release(&sc);
}

/* A catalog in dir/cat.csv (its path into cat): x.large in r1 at 1.00 USD/h on demand,
 * 0.60 USD/h reserved for a year with no upfront; with both, the same row for r2 too. */
static void write_catalog_regions(const char *dir, char *cat, size_t size, int both)
{
	snprintf(cat, size, "%s/cat.csv", dir);
	FILE *f = fopen(cat, "w");
	cr_assert_not_null(f);
	fprintf(f, "# date: 2026-11-23\n# source: test\n"
		"type,family,category,region,vcpu,memory_gib,on_demand,"
		"ri_1y_no_upfront_hourly,ri_1y_partial_upfront,ri_1y_partial_hourly,"
		"ri_1y_all_upfront,ri_3y_no_upfront_hourly,ri_3y_partial_upfront,"
		"ri_3y_partial_hourly,ri_3y_all_upfront,sp_compute_1y,sp_compute_3y,sp_family_1y,"
		"sp_family_3y,spot_discount,spot_interruption\n"
		"x.large,x,general,r1,2,8,1.00,0.60,2500,0.30,5000,0.45,6000,0.2,11000,"
		"0.75,0.55,0.65,0.45,0.7,<5%%\n");
	if (both)
		fprintf(f, "x.large,x,general,r2,2,8,1.00,0.60,2500,0.30,5000,0.45,6000,0.2,11000,"
			"0.75,0.55,0.65,0.45,0.7,<5%%\n");
	fclose(f);
}

static void write_catalog(const char *dir, char *cat, size_t size)
{
	write_catalog_regions(dir, cat, size, 0);
}

/* The days of the tests below: an api tier of 10 x.large instances for 16 hours a day and 20
 * for 8 (scheduled at 08:00 and 16:00, boots of a minute), 15 of them reserved in r1 for a
 * year with no upfront. */
#define RI_DAYS \
	"  \"tiers\": [ { \"name\": \"api\", \"instance_type\": \"x.large\"," \
	"    \"capacity_rps\": 1000, \"boot_time\": { \"median\": \"1m\", \"p95\": \"1m\" }," \
	"    \"autoscaling\": { \"min\": 10, \"max\": 20, \"scheduled\": [" \
	"      { \"at\": \"08:00\", \"desired\": 20 }, { \"at\": \"16:00\", \"desired\": 10 } ] } } ]," \
	"  \"reservations\": [ { \"instance_type\": \"x.large\", \"region\": \"r1\"," \
	"      \"count\": 15, \"term\": \"1y\", \"payment\": \"no_upfront\" } ]"

/* RI_DAYS in r1 with the test catalog over `horizon`: one replication into *r. */
static void run_ri_days(const char *horizon, struct scenario *sc, struct run_result *r)
{
	char dir[] = "/tmp/capsim-spot-XXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	char cat[256], path[256], json[2048];
	write_catalog(dir, cat, sizeof cat);
	snprintf(path, sizeof path, "%s/s.json", dir);
	snprintf(json, sizeof json,
		 "{ \"name\": \"ri\", \"version\": 1, \"horizon\": \"%s\", \"step\": \"1m\","
		 "  \"catalog\": \"cat.csv\","
		 "  \"traffic\": { \"base_rate\": 100 },"
		 "  \"regions\": [ { \"name\": \"r1\", \"zones\": [\"a\"] } ]," RI_DAYS " }",
		 horizon);
	parse(json, path, sc);
	struct run_options o = { .seed = 1, .reps = 1, .threads = 1 };
	cr_assert_eq(run_simulate(sc, &o, r), 0);
	unlink(cat);
	rmdir(dir);
}

/* The reserved-instance bill, end to end: 10 instances for 16 hours a day and 20 for
 * 8 (scheduled at 08:00 and 16:00), 15 reserved at 0.60 USD/h effective (no upfront) against
 * 1.00 USD/h on demand. Per hour: with 10 running, the 15 reserved cost 9.00 and cover them;
 * with 20, 9.00 + 5 × 1.00 = 14.00. A day: 16 × 9 + 8 × 14 = 256 USD; two days 512 USD.
 * RI utilisation: (16 × 10 + 8 × 15) / (24 × 15) = 280/360; coverage 280/320. */
Test(world_spot, reserved_instances_bill_the_hand_worked_days)
{
	struct scenario sc;
	struct run_result r;
	run_ri_days("2d", &sc, &r);
	cr_assert_float_eq(metric(&r, "cost_total")->stat.mean, 512.0, 1e-9);
	cr_assert_float_eq(metric(&r, "cost.option.reserved")->stat.mean, 2 * 280 * 0.6, 1e-9);
	cr_assert_float_eq(metric(&r, "cost.option.on_demand")->stat.mean, 2 * 40.0, 1e-9);
	cr_assert_float_eq(metric(&r, "cost.option.unused_commitment")->stat.mean,
			   2 * 80 * 0.6, 1e-9);
	cr_assert_float_eq(metric(&r, "ri_utilization")->stat.mean, 280.0 / 360.0, 1e-12);
	cr_assert_float_eq(metric(&r, "ri_coverage")->stat.mean, 280.0 / 320.0, 1e-12);
	/* Against all on demand: 2 × (16 × 10 + 8 × 20) = 640 USD, so 128 USD saved (20%). */
	cr_assert_float_eq(metric(&r, "savings_vs_on_demand")->stat.mean, 128.0 / 640.0, 1e-12);
	run_result_release(&r);
	scenario_release(&sc);
}

/* The same two days and half an hour more (a horizon of 48.5 h): in the last half hour 10
 * instances run, 5 instance-hours; the 15 reservations cover 15 × 0.5 = 7.5 of them for
 * 15 × 0.5 × 0.60 = 4.50 USD (3.00 of it to the 5 used, 1.50 unused), nothing on demand:
 * 512 + 4.50 = 516.50 USD (a whole hour's fee, 9.00, once made it 521). RI utilisation
 * (560 + 5) / (720 + 7.5); coverage (560 + 5) / (640 + 5). */
Test(world_spot, a_last_half_hour_pays_half_an_hour_of_reservations)
{
	struct scenario sc;
	struct run_result r;
	run_ri_days("2910m", &sc, &r);
	cr_assert_float_eq(metric(&r, "cost_total")->stat.mean, 516.5, 1e-9);
	cr_assert_float_eq(metric(&r, "cost.option.reserved")->stat.mean, 2 * 280 * 0.6 + 3.0,
			   1e-9);
	cr_assert_float_eq(metric(&r, "cost.option.unused_commitment")->stat.mean,
			   2 * 80 * 0.6 + 1.5, 1e-9);
	cr_assert_float_eq(metric(&r, "ri_utilization")->stat.mean, 565.0 / 727.5, 1e-12);
	cr_assert_float_eq(metric(&r, "ri_coverage")->stat.mean, 565.0 / 645.0, 1e-12);
	run_result_release(&r);
	scenario_release(&sc);
}

/* Reservation advice over a horizon of 90 minutes, 10 instances all along: an hour of 10
 * and half an hour of 10 (5 instance-hours). Reserving all 10 at 0.60 against 1.00 saves
 * 10 × 1.5 × 0.40 = 6.00 USD. Read as an hour of 5 instances, the half hour once made the
 * advice 5 (C(5) = 2 × 5 × 0.60 + 5 = 11 < C(10) = 12) and the saving 4.00. */
Test(world_spot, reservation_advice_reads_a_last_half_hour_as_its_fleet)
{
	char dir[] = "/tmp/capsim-spot-XXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	char cat[256], path[256];
	write_catalog(dir, cat, sizeof cat);
	snprintf(path, sizeof path, "%s/s.json", dir);
	const char *json =
		"{ \"name\": \"advice\", \"version\": 1, \"horizon\": \"90m\", \"step\": \"1m\","
		"  \"catalog\": \"cat.csv\","
		"  \"traffic\": { \"base_rate\": 100 },"
		"  \"regions\": [ { \"name\": \"r1\", \"zones\": [\"a\"] } ],"
		"  \"tiers\": [ { \"name\": \"api\", \"instance_type\": \"x.large\","
		"    \"capacity_rps\": 1000, \"autoscaling\": { \"min\": 10, \"max\": 10 } } ] }";
	struct scenario sc;
	parse(json, path, &sc);
	struct run_options o = { .seed = 1, .reps = 1, .threads = 1 };
	struct run_result r;
	cr_assert_eq(run_simulate(&sc, &o, &r), 0);
	cr_assert_float_eq(metric(&r, "ri_breakeven.x.large.r1")->stat.mean, 10, 1e-12);
	cr_assert_float_eq(metric(&r, "ri_breakeven_saving.x.large.r1")->stat.mean, 6.0, 1e-9);
	cr_assert_float_eq(metric(&r, "cost_total")->stat.mean, 15.0, 1e-9);
	run_result_release(&r);
	scenario_release(&sc);
	unlink(cat);
	rmdir(dir);
}

/* The spot price starts from its stationary law: over a first hour of 4 spot instances
 * at 0.10 USD/h (1.00 at 90% off), volatility σ = 0.5, the hour's cost is 0.4 f with
 * ln f ~ N(−σ²/2, σ²) across replications: mean 0.4, and its 95th and 5th percentiles
 * e^{±1.645 σ} apart, ln(p95 / p5) = 3.29 σ = 1.645. (Started from f = 1, every
 * replication paid 0.4 exactly.) 1000 replications: a sample quantile of a normal at 5%
 * or 95% has a standard error of sqrt(0.05 × 0.95 / 1000) / φ(1.645) × σ = 0.0335, the
 * difference of two sqrt(2) times that, 0.047; 3.3 of them, 0.16, is the tolerance. The
 * mean's standard error is 0.4 sqrt(e^{σ²} − 1) / sqrt(1000) = 0.0067; 3.3 of them is
 * 0.022. The cap at on demand (f <= 10) is 4.8 σ away: no part of it. */
Test(world_spot, the_spot_price_starts_from_its_stationary_law)
{
	const char *json =
		"{ \"name\": \"vol\", \"version\": 1, \"horizon\": \"1h\", \"step\": \"5m\","
		"  \"traffic\": { \"base_rate\": 10 },"
		"  \"instance_types\": [ { \"name\": \"t\", \"vcpu\": 2, \"memory_gib\": 4,"
		"      \"price_hourly\": 1.0, \"spot_discount\": 0.9, \"spot_interruption\": \"<5%\" } ],"
		"  \"regions\": [ { \"name\": \"r\", \"zones\": [\"a\"] } ],"
		"  \"tiers\": [ { \"name\": \"api\", \"instance_type\": \"t\", \"capacity_rps\": 100,"
		"      \"autoscaling\": { \"min\": 4, \"max\": 4 },"
		"      \"purchase\": { \"on_demand_percentage_above_base\": 0, \"spot_types\": [\"t\"],"
		"                     \"spot_price_volatility\": 0.5 } } ] }";
	struct scenario sc;
	parse(json, NULL, &sc);
	struct run_options o = { .seed = 5, .reps = 1000, .threads = 2 };
	struct run_result r;
	cr_assert_eq(run_simulate(&sc, &o, &r), 0);
	const struct run_metric *m = metric(&r, "cost.option.spot");
	cr_assert(fabs(m->stat.mean - 0.4) < 0.022, "mean %g", m->stat.mean);
	double spread = log(m->stat.p95 / m->stat.p5);
	cr_assert(fabs(spread - 1.645) < 0.16, "ln(p95/p5) = %g", spread);
	run_result_release(&r);
	scenario_release(&sc);
}

/* The days above in two regions, r1 holding the 15 reservations, under an active-active DR
 * plan whose data costs replication traffic and backups. Those costs do not depend on how
 * instances are paid, so the all-on-demand counterfactual pays them too and the saving is
 * still r1's 128 USD over the two days: 128 × 730 / 48 = 1946.67 USD a month (it once
 * left them out of the counterfactual, and the saving fell by them). */
Test(world_spot, savings_against_on_demand_count_the_dr_data_costs_on_both_sides)
{
	char dir[] = "/tmp/capsim-spot-XXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	char cat[256], path[256];
	write_catalog_regions(dir, cat, sizeof cat, 1);
	snprintf(path, sizeof path, "%s/s.json", dir);
	const char *json =
		"{ \"name\": \"ri\", \"version\": 1, \"horizon\": \"2d\", \"step\": \"1m\","
		"  \"catalog\": \"cat.csv\","
		"  \"traffic\": { \"base_rate\": 100 },"
		"  \"regions\": [ { \"name\": \"r1\", \"zones\": [\"a\"] },"
		"                 { \"name\": \"r2\", \"zones\": [\"a\"] } ],"
		RI_DAYS ","
		"  \"dr\": { \"strategy\": \"active_active\" },"
		"  \"data\": { \"write_rate\": 100 } }";
	struct scenario sc;
	parse(json, path, &sc);
	struct run_options o = { .seed = 1, .reps = 1, .threads = 1 };
	struct run_result r;
	cr_assert_eq(run_simulate(&sc, &o, &r), 0);
	/* 100 writes/s × 2 KB for 48 h = 34.56 GB at 0.02 USD; 100 GB backed up at 0.05 USD a
	 * month for 48 of 730 h. */
	double data = 34.56 * 0.02 + 100 * 0.05 * 48.0 / 730.0;
	cr_assert_float_eq(metric(&r, "cost.dr.replication")->stat.mean, 34.56 * 0.02, 1e-9);
	/* r1 as above (512 USD), r2 all on demand (640 USD), and the data. */
	cr_assert_float_eq(metric(&r, "cost_total")->stat.mean, 512.0 + 640.0 + data, 1e-9);
	cr_assert_float_eq(metric(&r, "savings_monthly_vs_on_demand")->stat.mean,
			   128.0 * 730.0 / 48.0, 1e-9);
	run_result_release(&r);
	scenario_release(&sc);
	unlink(cat);
	rmdir(dir);
}

/* The spot example over 3 days: the same seed gives bit-identical results on 1 and 2 threads
 * (interruptions, reclaims, prices and the counterfactual included). */
Test(world_spot, seed_gives_identical_results_whatever_the_threads)
{
	struct scenario sc;
	struct scenario_error err;
	cr_assert_eq(scenario_load("scenarios/spot-batch.json", &sc, &err), 0, "%s", err.msg);
	sc.horizon = 3 * 86400.0;
	struct run_options o = { .seed = 5, .reps = 4, .threads = 1 };
	struct run_result a, b;
	cr_assert_eq(run_simulate(&sc, &o, &a), 0);
	o.threads = 2;
	cr_assert_eq(run_simulate(&sc, &o, &b), 0);
	cr_assert_eq(a.nmetrics, b.nmetrics);
	for (size_t i = 0; i < a.nmetrics; i++)
		cr_assert(memcmp(&a.metrics[i].stat, &b.metrics[i].stat, sizeof a.metrics[i].stat) == 0,
			  "%s differs", a.metrics[i].name);
	cr_assert(memcmp(a.ts, b.ts, a.nbuckets * a.nseries * RUN_TS_NFIELDS * sizeof *a.ts) == 0);
	cr_assert(metric(&a, "spot_interruptions")->stat.mean > 0);
	run_result_release(&a);
	run_result_release(&b);
	scenario_release(&sc);
}

/* Reservation advice: the same 10/20-instance days without reservations. At 0.60 USD/h
 * against 1.00 on demand (ratio 0.6), only the 10 instances used all day pay for themselves
 * (the next 10 are used 1/3 of the time < 0.6): advice 10. Their saving over two days: all on
 * demand 2 × (16 × 10 + 8 × 20) = 640 USD; with 10 reserved 2 × (24 × 10 × 0.6 + 8 × 10 ×
 * 1.0) = 448 USD; 192 USD saved. */
Test(world_spot, reservation_advice_is_the_break_even_count)
{
	char dir[] = "/tmp/capsim-spot-XXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	char cat[256], path[256];
	write_catalog(dir, cat, sizeof cat);
	snprintf(path, sizeof path, "%s/s.json", dir);
	const char *json =
		"{ \"name\": \"advice\", \"version\": 1, \"horizon\": \"2d\", \"step\": \"1m\","
		"  \"catalog\": \"cat.csv\","
		"  \"traffic\": { \"base_rate\": 100 },"
		"  \"regions\": [ { \"name\": \"r1\", \"zones\": [\"a\"] } ],"
		"  \"tiers\": [ { \"name\": \"api\", \"instance_type\": \"x.large\","
		"    \"capacity_rps\": 1000, \"boot_time\": { \"median\": \"1m\", \"p95\": \"1m\" },"
		"    \"autoscaling\": { \"min\": 10, \"max\": 20, \"scheduled\": ["
		"      { \"at\": \"08:00\", \"desired\": 20 }, { \"at\": \"16:00\", \"desired\": 10 } ] } } ] }";
	struct scenario sc;
	parse(json, path, &sc);
	struct run_options o = { .seed = 1, .reps = 1, .threads = 1 };
	struct run_result r;
	cr_assert_eq(run_simulate(&sc, &o, &r), 0);
	cr_assert_float_eq(metric(&r, "ri_breakeven.x.large.r1")->stat.mean, 10, 1e-12);
	cr_assert_float_eq(metric(&r, "ri_breakeven_saving.x.large.r1")->stat.mean, 192, 1e-9);
	cr_assert_float_eq(metric(&r, "cost_total")->stat.mean, 640, 1e-9);
	run_result_release(&r);
	scenario_release(&sc);
	unlink(cat);
	rmdir(dir);
}
