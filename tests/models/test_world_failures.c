/* Instance failures and zone and region outages in the fluid model: the measured RTO and the
 * requests lost against hand calculations, N+1 placement riding out a zone, and failure
 * counts against the MTBF. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/queueing.h"
#include "models/run.h"
#include "models/scenario.h"

static void parse(const char *json, struct scenario *sc)
{
	struct scenario_error err;
	int rc = scenario_parse(json, strlen(json), NULL, sc, &err);
	cr_assert_eq(rc, 0, "scenario: %s", err.msg);
}

static double metric(const struct run_result *r, const char *name)
{
	const struct run_metric *m = run_find_metric(r, name);
	cr_assert_not_null(m, "metric %s", name);
	return m->stat.mean;
}

/* One region, three zones, 6 instances of 100 req/s spread 2 per zone, 300 req/s of traffic,
 * a fixed boot time of 2 minutes. `failures` is the scenario's failures block. */
static char *three_zones(const char *failures, int n)
{
	char *json = malloc(4096);
	snprintf(json, 4096,
		 "{ \"name\": \"zones\", \"version\": 1, \"horizon\": \"2d\", \"step\": \"1m\","
		 "  \"slo\": { \"availability\": 0.999, \"latency_percentile\": 99,"
		 "           \"latency_target\": \"5s\" },"
		 "  \"traffic\": { \"base_rate\": 300 },"
		 "  \"instance_types\": [ { \"name\": \"m\", \"vcpu\": 2, \"memory_gib\": 8,"
		 "                          \"price_hourly\": 0.1 } ],"
		 "  \"regions\": [ { \"name\": \"r1\", \"zones\": [\"a\", \"b\", \"c\"] } ],"
		 "  \"tiers\": [ { \"name\": \"api\", \"instance_type\": \"m\", \"capacity_rps\": 100,"
		 "    \"boot_time\": { \"median\": \"2m\", \"p95\": \"2m\" }, \"timeout\": \"10s\","
		 "    \"autoscaling\": { \"min\": %d, \"max\": %d } } ],"
		 "  \"failures\": %s }", n, n, failures);
	return json;
}

/* One replication of the N+1 fleet (6 instances) losing zone b for 4 hours at 1 day. */
static void zone_b_outage(struct scenario *sc, struct run_result *r)
{
	char *json = three_zones("{ \"scripted\": [ { \"target\": \"zone:r1/b\", \"at\": \"1d\","
				 " \"duration\": \"4h\" } ] }", 6);
	parse(json, sc);
	free(json);
	struct run_options o = { .seed = 1, .reps = 1, .threads = 1 };
	cr_assert_eq(run_simulate(sc, &o, r), 0);
}

/* N+1 over three zones: losing zone b for 4 hours leaves 4 instances (400 req/s) for 300
 * req/s, rho = 0.75 on M/M/4: P(wait > 10 s) = C e^{-(4 × 100 − 300) × 10} ~ e^{-1000}, so
 * nothing is lost, the SLO holds at every step, and the RTO is 0. Full capacity is measured
 * from the outage's end: the group relaunched the two lost instances in zones a and c at once
 * and they have long been serving by then, so it is reached at the end, 4 h = 14,400 s after
 * the start. */
Test(world_failures, zone_outage_on_n_plus_one_keeps_the_slo)
{
	struct scenario sc;
	struct run_result r;
	zone_b_outage(&sc, &r);
	cr_assert_float_eq(metric(&r, "outages"), 1, 1e-12);
	cr_assert(metric(&r, "availability") > 1 - 1e-12);
	cr_assert_float_eq(metric(&r, "downtime_per_year"), 0, 1e-12);
	cr_assert_float_eq(metric(&r, "rto"), 0, 1e-12);
	cr_assert_float_eq(metric(&r, "rto_full_capacity"), 14400, 1e-9);
	run_result_release(&r);
	scenario_release(&sc);
}

/* The same outage starting 30 s into a one-minute step: the next step is the first to see it,
 * and it meets the SLO as every step does (M/M/4 at rho 0.75, above). The service never fell
 * below its SLO, so the RTO is 0, not the 30 s to that step; full capacity is still measured
 * to the first step after the end, 14,400 + 30 s after the start. */
Test(world_failures, outage_within_a_step_that_keeps_the_slo_has_rto_zero)
{
	char *json = three_zones("{ \"scripted\": [ { \"target\": \"zone:r1/b\", \"at\": 86430,"
				 " \"duration\": \"4h\" } ] }", 6);
	struct scenario sc;
	parse(json, &sc);
	free(json);
	struct run_options o = { .seed = 1, .reps = 1, .threads = 1 };
	struct run_result r;
	cr_assert_eq(run_simulate(&sc, &o, &r), 0);
	cr_assert_float_eq(metric(&r, "outages"), 1, 1e-12);
	cr_assert_float_eq(metric(&r, "downtime_per_year"), 0, 1e-12);
	cr_assert_float_eq(metric(&r, "rto"), 0, 1e-12);
	cr_assert_float_eq(metric(&r, "rto_full_capacity"), 14430, 1e-9);
	run_result_release(&r);
	scenario_release(&sc);
}

/* The p99 of an M/M/c pool of 100 req/s servers fed 300 req/s. */
static double p99_of(int servers)
{
	struct queue_model m = { .servers = servers, .arrival_rate = 300, .service_time = 0.01,
				 .ca2 = 1, .cs2 = 1 };
	struct queue_result q;
	double p99;
	cr_assert_eq(queue_solve(&m, &q), 0);
	cr_assert_eq(queue_response_percentile(&m, &q, 0.99, &p99), 0);
	return p99;
}

/* The same zone outage: the latency of the requests served during it. The 240 one-minute
 * steps from 86,400 s to its end at 100,800 s serve all 300 req/s; the first two with the 4
 * instances left (an M/M/4), the other 238 once the two relaunched ones are in service
 * (boot 120 s: an M/M/6). So the request-weighted p99 is (2 p99(4) + 238 p99(6)) / 240,
 * each within the tables' 1e-3 of the closed form. */
Test(world_failures, latency_during_an_outage_weights_the_requests_it_served)
{
	struct scenario sc;
	struct run_result r;
	zone_b_outage(&sc, &r);
	double want = (2 * p99_of(4) + 238 * p99_of(6)) / 240;
	double got = metric(&r, "latency_p99_outage");
	cr_assert(fabs(got - want) <= 1e-3 * want, "%.9g vs %.9g", got, want);
	/* Outside it the fleet is 6 instances all along: the run's p99 is that of M/M/6 up to
	 * those two steps, so the outage's figure is above it. */
	cr_assert_gt(p99_of(4), 1.01 * p99_of(6));
	cr_assert_gt(got, metric(&r, "latency_p99"));
	run_result_release(&r);
	scenario_release(&sc);
}

/* The only region goes down for an hour at t = 1 day: every request fails from 86,400 s
 * until the relaunched instances serve, at the end (90,000 s) plus the fixed 120 s boot =
 * 90,120 s. RTO = 3,720 s exactly (every instant falls on a one-minute step), and the requests
 * lost are 300 req/s × 3,720 s = 1,116,000 of 300 × 172,800 = 51,840,000 offered. */
Test(world_failures, region_outage_rto_is_duration_plus_boot)
{
	char *json = three_zones("{ \"scripted\": [ { \"target\": \"region:r1\", \"at\": \"1d\","
				 " \"duration\": \"1h\" } ] }", 6);
	struct scenario sc;
	parse(json, &sc);
	struct run_options o = { .seed = 1, .reps = 1, .threads = 1 };
	struct run_result r;
	cr_assert_eq(run_simulate(&sc, &o, &r), 0);
	cr_assert_float_eq(metric(&r, "rto"), 3720, 1e-9);
	cr_assert_float_eq(metric(&r, "rto_full_capacity"), 3720, 1e-9);
	cr_assert_float_eq(metric(&r, "requests_failed"), 1116000, 1e-6);
	cr_assert_float_eq(metric(&r, "availability"), 1 - 1116000.0 / 51840000.0, 1e-12);
	/* 62 one-minute steps below the SLO in 2 days, scaled to a year: 62 × 60 s × 182.5 =
	 * 188.6 h. */
	cr_assert_float_eq(metric(&r, "downtime_per_year"), 3720.0 / 3600.0 * 182.5, 1e-9);
	int seen = 0;
	for (size_t i = 0; i < r.nevents; i++)
		if (strcmp(r.events[i].kind, "region_outage") == 0) {
			seen++;
			cr_assert_float_eq(r.events[i].time, 86400, 1e-9);
			cr_assert_float_eq(r.events[i].value, 3720, 1e-9);
		}
	cr_assert_eq(seen, 1);
	run_result_release(&r);
	scenario_release(&sc);
	free(json);
}

/* Instances fail at 1/MTBF each and are replaced at once, so each of the n places in the
 * fleet sees a Poisson process: over H hours, n H / MTBF failures on average with the same
 * variance. 10 instances, MTBF 100 h, 2 days: E = 10 × 48 / 100 = 4.8 per replication; over
 * 400 replications the mean's standard error is sqrt(4.8 / 400) = 0.11, and 3.3 of them (a
 * two-sided 0.1% test) is the tolerance. */
Test(world_failures, instance_failures_follow_the_mtbf)
{
	char *json = three_zones("{ \"instance_mtbf\": \"100h\" }", 10);
	struct scenario sc;
	parse(json, &sc);
	struct run_options o = { .seed = 2, .reps = 400, .threads = 2 };
	struct run_result r;
	cr_assert_eq(run_simulate(&sc, &o, &r), 0);
	double expect = 10 * 48 / 100.0, se = sqrt(expect / 400);
	double got = metric(&r, "instance_failures");
	cr_assert(fabs(got - expect) < 3.3 * se, "failures %g, expected %g ± %g", got, expect,
		  3.3 * se);
	run_result_release(&r);
	scenario_release(&sc);
	free(json);
}

/* Three regions A, B, C, 100 req/s of users each; web in every region calls db, which runs in A
 * and B only, so C's calls are split between them. A goes down for an hour at 1 day: its own
 * users fail from 86,400 s until its relaunched instances serve at 90,000 + 120 s (3,720 s x
 * 100 req/s = 372,000 requests), but C's calls leave A out of their split at once and go all
 * to B (capacity to spare), so C loses nothing: 372,000 failed in all. (Splitting C's calls
 * over the dark pool too would fail half of them for those 3,720 s: 186,000 more; leaving out
 * only a region that is down, half of them in the 120 s of the relaunch: 6,000 more.) */
Test(world_failures, calls_split_over_regions_leave_a_region_that_is_down)
{
	const char *json =
		"{ \"name\": \"split\", \"version\": 1, \"horizon\": \"2d\", \"step\": \"1m\","
		"  \"traffic\": { \"base_rate\": 300, \"regions\": { \"A\": 0.3333333333333333,"
		"    \"B\": 0.3333333333333333, \"C\": 0.3333333333333334 } },"
		"  \"instance_types\": [ { \"name\": \"m\", \"vcpu\": 2, \"memory_gib\": 8,"
		"                          \"price_hourly\": 0.1 } ],"
		"  \"regions\": [ { \"name\": \"A\", \"zones\": [\"a\"] },"
		"                 { \"name\": \"B\", \"zones\": [\"a\"] },"
		"                 { \"name\": \"C\", \"zones\": [\"a\"] } ],"
		"  \"tiers\": [ { \"name\": \"web\", \"instance_type\": \"m\", \"capacity_rps\": 1000,"
		"      \"calls\": \"db\", \"boot_time\": { \"median\": \"2m\", \"p95\": \"2m\" },"
		"      \"autoscaling\": { \"min\": 1, \"max\": 1 } },"
		"    { \"name\": \"db\", \"instance_type\": \"m\", \"capacity_rps\": 1000,"
		"      \"placement\": { \"regions\": [\"A\", \"B\"] },"
		"      \"boot_time\": { \"median\": \"2m\", \"p95\": \"2m\" },"
		"      \"autoscaling\": { \"min\": 1, \"max\": 1 } } ],"
		"  \"failures\": { \"scripted\": [ { \"target\": \"region:A\", \"at\": \"1d\","
		"                                 \"duration\": \"1h\" } ] } }";
	struct scenario sc;
	parse(json, &sc);
	struct run_options o = { .seed = 1, .reps = 1, .threads = 1 };
	struct run_result r;
	cr_assert_eq(run_simulate(&sc, &o, &r), 0);
	cr_assert(fabs(metric(&r, "requests_failed") - 372000) <= 1e-6 * 372000,
		  "failed %.17g", metric(&r, "requests_failed"));
	run_result_release(&r);
	scenario_release(&sc);
}
