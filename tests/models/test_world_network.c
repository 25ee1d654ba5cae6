/* Network round trips between regions (regions[].rtt) in the fluid model: the chain's calls to
 * a tier placed elsewhere, and users DNS sends away from their entry region. Each test runs a
 * scenario with and without the round trips: they share every random draw and every load, so
 * the latencies differ by exactly the network time computed by hand in the comments. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "models/run.h"
#include "models/scenario.h"
#include "models/world.h"

static double metric(const struct run_result *r, const char *name)
{
	const struct run_metric *m = run_find_metric(r, name);
	cr_assert_not_null(m, "metric %s", name);
	return m->stat.mean;
}

/* Runs the scenario text (a format whose one %s is the regions' list) with `regions`, into r. */
static void run(const char *fmt, const char *regions, struct run_result *r)
{
	char json[8192];
	struct scenario sc;
	struct scenario_error err;
	int n = snprintf(json, sizeof json, fmt, regions);
	cr_assert(n > 0 && (size_t)n < sizeof json);
	cr_assert_eq(scenario_parse(json, (size_t)n, NULL, &sc, &err), 0, "%s", err.msg);
	struct run_options o = { .seed = 5, .reps = 2, .threads = 1 };
	cr_assert_eq(run_simulate(&sc, &o, r), 0);
	/* The results name the scenario's tiers and regions: keep it until released. */
	r->sc = NULL;
	scenario_release(&sc);
}

static void assert_diff(const struct run_result *with, const struct run_result *without,
			const char *name, double want)
{
	double d = metric(with, name) - metric(without, name);
	cr_assert(fabs(d - want) <= 1e-12, "%s: %.17g more, want %.17g", name, d, want);
}

/* Two regions (users 60 / 40), web in both, db (2 visits) in r1 only; fixed fleets, noisy
 * traffic. */
static const char *db_in_r1 =
	"{ \"name\": \"net\", \"version\": 1, \"horizon\": \"1d\", \"step\": \"5m\","
	"  \"slo\": { \"availability\": 0.99, \"latency_percentile\": 99,"
	"           \"latency_target\": \"1s\" },"
	"  \"traffic\": { \"base_rate\": 300, \"noise\": 0.2, \"daily\": { \"amplitude\": 0.5 },"
	"                 \"regions\": { \"r1\": 0.6, \"r2\": 0.4 } },"
	"  \"instance_types\": [ { \"name\": \"m\", \"vcpu\": 2, \"memory_gib\": 8,"
	"                          \"price_hourly\": 0.1 } ],"
	"  \"regions\": [ %s ],"
	"  \"tiers\": [ { \"name\": \"web\", \"instance_type\": \"m\", \"service_time\": \"50ms\","
	"      \"concurrency\": 4, \"calls\": \"db\", \"autoscaling\": { \"min\": 3, \"max\": 3 } },"
	"    { \"name\": \"db\", \"instance_type\": \"m\", \"capacity_rps\": 1500, \"visits\": 2,"
	"      \"placement\": { \"regions\": [\"r1\"] },"
	"      \"autoscaling\": { \"min\": 2, \"max\": 2 } } ] }";

Test(world_network, calls_to_a_tier_in_another_region_add_their_round_trips)
{
	struct run_result with, without;
	/* Declared on r2's side: the matrix is symmetric. */
	run(db_in_r1, "{ \"name\": \"r1\", \"zones\": [\"a\"] },"
		      "{ \"name\": \"r2\", \"zones\": [\"a\"], \"rtt\": { \"r1\": \"80ms\" } }", &with);
	run(db_in_r1, "{ \"name\": \"r1\", \"zones\": [\"a\"] },"
		      "{ \"name\": \"r2\", \"zones\": [\"a\"] }", &without);
	/* r2's users: web in r2, then 2 calls to db in r1, each a round trip: 2 × 80 ms =
	 * 160 ms on every step. r1's users stay in r1: nothing. */
	assert_diff(&with, &without, "latency_p99.region.r2", 0.160);
	assert_diff(&with, &without, "latency_p99.region.r1", 0.0);
	/* The total is weighted by user requests, 40% of them r2's: 0.4 × 160 ms = 64 ms (the
	 * weights are the same noisy requests in both runs, so this is exact up to rounding). */
	double d = metric(&with, "latency_p99") - metric(&without, "latency_p99");
	cr_assert(fabs(d - 0.064) <= 1e-9, "total: %.17g more", d);
	/* The summary's split of it: the round trips' part, per region and over all users. */
	cr_assert_float_eq(metric(&with, "latency_network.region.r2"), 0.160, 1e-12);
	cr_assert_float_eq(metric(&with, "latency_network.region.r1"), 0.0, 1e-12);
	cr_assert_float_eq(metric(&with, "latency_network"), 0.064, 1e-9);
	cr_assert_null(run_find_metric(&without, "latency_network"), "no rtt: no figure");
	/* The network adds time, not load: availability and cost are the same. */
	assert_diff(&with, &without, "availability", 0.0);
	assert_diff(&with, &without, "cost_total", 0.0);
	run_result_release(&with);
	run_result_release(&without);
}

/* Three regions A, B, C (users a third each); web everywhere, app (1 visit) in A and B, db
 * (3 visits) everywhere. Round trips A-B 10 ms, A-C 30 ms, B-C 50 ms. */
static const char *split =
	"{ \"name\": \"net\", \"version\": 1, \"horizon\": \"1d\", \"step\": \"10m\","
	"  \"traffic\": { \"base_rate\": 300, \"noise\": 0.2 },"
	"  \"instance_types\": [ { \"name\": \"m\", \"vcpu\": 2, \"memory_gib\": 8,"
	"                          \"price_hourly\": 0.1 } ],"
	"  \"regions\": [ %s ],"
	"  \"tiers\": [ { \"name\": \"web\", \"instance_type\": \"m\", \"capacity_rps\": 400,"
	"      \"calls\": \"app\", \"autoscaling\": { \"min\": 1, \"max\": 1 } },"
	"    { \"name\": \"app\", \"instance_type\": \"m\", \"capacity_rps\": 400,"
	"      \"calls\": \"db\", \"placement\": { \"regions\": [\"A\", \"B\"] },"
	"      \"autoscaling\": { \"min\": 1, \"max\": 1 } },"
	"    { \"name\": \"db\", \"instance_type\": \"m\", \"capacity_rps\": 1000, \"visits\": 3,"
	"      \"autoscaling\": { \"min\": 1, \"max\": 1 } } ] }";

Test(world_network, a_flow_split_between_regions_adds_the_mean_round_trip)
{
	struct run_result with, without;
	run(split, "{ \"name\": \"A\", \"zones\": [\"a\"], \"rtt\": { \"B\": \"10ms\", \"C\": \"30ms\" } },"
		   "{ \"name\": \"B\", \"zones\": [\"a\"], \"rtt\": { \"C\": \"50ms\" } },"
		   "{ \"name\": \"C\", \"zones\": [\"a\"], \"rtt\": { \"A\": \"30ms\" } }", &with);
	run(split, "{ \"name\": \"A\", \"zones\": [\"a\"] }, { \"name\": \"B\", \"zones\": [\"a\"] },"
		   "{ \"name\": \"C\", \"zones\": [\"a\"] }", &without);
	/* C's users: web in C; app has no pool in C, so half go to A and half to B, 1 call:
	 * (30 + 50) / 2 = 40 ms; db has a pool in C, which the flow returns to from A or B,
	 * 3 calls: 3 × (30 + 50) / 2 = 120 ms. 160 ms in all. A's and B's users never leave
	 * their region. */
	assert_diff(&with, &without, "latency_p99.region.C", 0.160);
	assert_diff(&with, &without, "latency_p99.region.A", 0.0);
	assert_diff(&with, &without, "latency_p99.region.B", 0.0);
	run_result_release(&with);
	run_result_release(&without);
}

/* Warm standby: every user goes to the primary p, whatever their entry region. share is r's
 * users; round trip p-r 70 ms. */
static const char *standby =
	"{ \"name\": \"net\", \"version\": 1, \"horizon\": \"1d\", \"step\": \"5m\","
	"  \"slo\": { \"availability\": 0.99, \"latency_percentile\": 99,"
	"           \"latency_target\": \"1s\" },"
	"  \"traffic\": { \"base_rate\": 300, \"noise\": 0.2, \"regions\": %s },"
	"  \"instance_types\": [ { \"name\": \"m\", \"vcpu\": 2, \"memory_gib\": 8,"
	"                          \"price_hourly\": 0.1 } ],"
	"  \"regions\": [ { \"name\": \"p\", \"zones\": [\"a\"], \"rtt\": { \"r\": \"%s\" } },"
	"                 { \"name\": \"r\", \"zones\": [\"a\"] } ],"
	"  \"tiers\": [ { \"name\": \"web\", \"instance_type\": \"m\", \"capacity_rps\": 1000,"
	"      \"autoscaling\": { \"min\": 2, \"max\": 2 } } ],"
	"  \"dr\": { \"strategy\": \"warm_standby\", \"primary\": \"p\", \"recovery\": \"r\" } }";

static void run_standby(const char *shares, const char *rtt, struct run_result *r)
{
	char fmt[4096];
	/* The shares go in now; run() fills the rtt. */
	int n = snprintf(fmt, sizeof fmt, standby, shares, "%s");
	cr_assert(n > 0 && (size_t)n < sizeof fmt);
	run(fmt, rtt, r);
}

Test(world_network, users_sent_to_another_region_add_its_round_trip_at_the_percentile)
{
	struct run_result with, without;
	/* 40% of p's users come from r: more than the 1% above the p99, so the p99 user is
	 * one of them and travels 70 ms further. */
	run_standby("{ \"p\": 0.6, \"r\": 0.4 }", "70ms", &with);
	run_standby("{ \"p\": 0.6, \"r\": 0.4 }", "0s", &without);
	assert_diff(&with, &without, "latency_p99", 0.070);
	cr_assert_float_eq(metric(&with, "latency_network"), 0.070, 1e-12);
	run_result_release(&with);
	run_result_release(&without);
	/* 0.5% of them: fewer than 1%, so the p99 user is a local one: nothing added. */
	run_standby("{ \"p\": 0.995, \"r\": 0.005 }", "70ms", &with);
	run_standby("{ \"p\": 0.995, \"r\": 0.005 }", "0s", &without);
	assert_diff(&with, &without, "latency_p99", 0.0);
	cr_assert_float_eq(metric(&with, "latency_network"), 0.0, 1e-12);
	run_result_release(&with);
	run_result_release(&without);
}

/* Bytes of calls that cross regions, priced and billed where they leave: r2's users call db
 * in r1 twice per request; each call sends 1 KB from r2 (0.09 USD/GB, declared) and gets 4 KB
 * back from r1 (0.02 USD/GB, the default): (1 × 0.09 + 4 × 0.02) × 1e-6 = 1.7e-7 USD a call. A
 * constant 100 requests/s, 40 of them r2's, on fleets idling at a few percent (nothing
 * lost): 40 × 86,400 × 2 = 6,912,000 calls in the day, 1.17504 USD. r1's users never
 * leave r1. */
Test(world_network, calls_between_regions_pay_for_their_bytes_where_they_leave)
{
	const char *json =
		"{ \"name\": \"net\", \"version\": 1, \"horizon\": \"1d\", \"step\": \"5m\","
		"  \"traffic\": { \"base_rate\": 100, \"regions\": { \"r1\": 0.6, \"r2\": 0.4 } },"
		"  \"instance_types\": [ { \"name\": \"m\", \"vcpu\": 2, \"memory_gib\": 8,"
		"                          \"price_hourly\": 0.1 } ],"
		"  \"regions\": [ { \"name\": \"r1\", \"zones\": [\"a\"] },"
		"                 { \"name\": \"r2\", \"zones\": [\"a\"], \"transfer_price_gb\": 0.09 } ],"
		"  \"tiers\": [ { \"name\": \"web\", \"instance_type\": \"m\", \"capacity_rps\": 1000,"
		"      \"calls\": \"db\", \"request_kb\": 50, \"response_kb\": 50,"
		"      \"autoscaling\": { \"min\": 1, \"max\": 1 } },"
		"    { \"name\": \"db\", \"instance_type\": \"m\", \"capacity_rps\": 5000, \"visits\": 2,"
		"      \"request_kb\": 1, \"response_kb\": 4, \"placement\": { \"regions\": [\"r1\"] },"
		"      \"autoscaling\": { \"min\": 1, \"max\": 1 } } ] }";
	struct scenario sc;
	struct scenario_error err;
	cr_assert_eq(scenario_parse(json, strlen(json), NULL, &sc, &err), 0, "%s", err.msg);
	struct run_options o = { .seed = 1, .reps = 2, .threads = 1 };
	struct run_result r;
	cr_assert_eq(run_simulate(&sc, &o, &r), 0);
	cr_assert_float_eq(metric(&r, "availability"), 1.0, 1e-12);
	/* web's sizes never cross: each region's users reach their own web pool. */
	cr_assert_float_eq(metric(&r, "cost.network"), 1.17504, 1e-9);
	/* In the total: 3 instances × 24 h × 0.10 USD = 7.20 USD, plus the network. */
	cr_assert_float_eq(metric(&r, "cost_total"), 7.2 + 1.17504, 1e-9);
	/* cost.csv: tier db's bytes, billed where they leave: the requests from r2,
	 * 6,912,000 × 1 KB × 0.09 USD/GB = 0.62208 USD, the responses from r1,
	 * 6,912,000 × 4 KB × 0.02 USD/GB = 0.55296 USD. */
	static const double want[2] = { 0.55296, 0.62208 };
	int rows = 0;
	for (size_t i = 0; i < r.ncosts; i++)
		if (strcmp(r.costs[i].option, "network") == 0) {
			rows++;
			cr_assert_eq(r.costs[i].tier, 1);
			cr_assert(r.costs[i].region == 0 || r.costs[i].region == 1);
			cr_assert_float_eq(r.costs[i].stat.mean, want[r.costs[i].region], 1e-9,
					   "region %ld", r.costs[i].region);
		}
	cr_assert_eq(rows, 2);
	/* The month's bill holds it. */
	cr_assert_float_eq(r.bills[0].mean, 7.2 + 1.17504, 1e-9);
	/* By time bucket (the day's plot): the constant traffic spreads it evenly, each bucket
	 * its share of each region's bill. */
	cr_assert_not_null(r.network);
	double sum[2] = { 0, 0 };
	for (size_t b = 0; b < r.nbuckets; b++)
		for (size_t g = 0; g < 2; g++) {
			cr_assert_eq(r.network[(b * 2 + 0) * 2 + g], 0, "web's bytes never cross");
			double x = r.network[(b * 2 + 1) * 2 + g];
			double len = fmin(r.bucket, sc.horizon - (double)b * r.bucket);
			cr_assert_float_eq(x, want[g] * len / sc.horizon, 1e-9, "bucket %zu", b);
			sum[g] += x;
		}
	for (size_t g = 0; g < 2; g++)
		cr_assert_float_eq(sum[g], want[g], 1e-9);
	run_result_release(&r);
	scenario_release(&sc);
}

/* The latency an SLO judges (the optimizer's): the worst-served region's where regions serve
 * their own users, else all users'. A hand-made replication: r1 served 600 requests at 0.5 s,
 * r2 400 at 0.7 s; all users 0.58 s. */
static double slo_latency_of(const char *shares, const char *dr, long *region)
{
	char json[2048];
	struct scenario sc;
	struct scenario_error err;
	int n = snprintf(json, sizeof json,
		"{ \"name\": \"net\", \"version\": 1,"
		"  \"traffic\": { \"base_rate\": 100, \"regions\": %s },"
		"  \"instance_types\": [ { \"name\": \"m\", \"vcpu\": 2, \"memory_gib\": 8,"
		"                          \"price_hourly\": 0.1 } ],"
		"  \"regions\": [ { \"name\": \"r1\", \"zones\": [\"a\"] },"
		"                 { \"name\": \"r2\", \"zones\": [\"a\"] } ],"
		"  \"tiers\": [ { \"name\": \"web\", \"instance_type\": \"m\", \"capacity_rps\": 1000,"
		"      \"autoscaling\": { \"min\": 1, \"max\": 1 } } ] %s }", shares, dr);
	cr_assert(n > 0 && (size_t)n < sizeof json);
	cr_assert_eq(scenario_parse(json, (size_t)n, NULL, &sc, &err), 0, "%s", err.msg);
	double lat[2 * WORLD_NLAT] = { 0 };
	lat[WORLD_LAT_OFFERED] = 600;
	lat[WORLD_LAT_WEIGHTED] = 300;
	lat[WORLD_NLAT + WORLD_LAT_OFFERED] = 400;
	lat[WORLD_NLAT + WORLD_LAT_WEIGHTED] = 280;
	struct world_rep w = { .region_lat = lat };
	w.scalar[W_OFFERED] = 1000;
	w.scalar[W_PCT_WEIGHTED] = 580;
	double x = world_slo_latency(&sc, &w, region);
	scenario_release(&sc);
	return x;
}

Test(world_network, the_slo_latency_is_the_worst_served_regions)
{
	long region;
	/* r1: 300 / 600 = 0.5 s, r2: 280 / 400 = 0.7 s, the worst. */
	cr_assert_float_eq(slo_latency_of("{ \"r1\": 0.6, \"r2\": 0.4 }", "", &region), 0.7,
			   1e-12);
	cr_assert_eq(region, 1);
	/* A region no user enters has no figure of its own: r1's is the worst left. */
	cr_assert_float_eq(slo_latency_of("{ \"r1\": 1 }", "", &region), 0.5, 1e-12);
	cr_assert_eq(region, 0);
	/* A primary/recovery plan sends everyone to the primary: all users' figure, no
	 * region's. */
	cr_assert_float_eq(slo_latency_of("{ \"r1\": 0.6, \"r2\": 0.4 }",
					  ", \"dr\": { \"strategy\": \"warm_standby\", "
					  "\"primary\": \"r1\", \"recovery\": \"r2\" }", &region),
			   0.58, 1e-12);
	cr_assert_eq(region, -1);
}
