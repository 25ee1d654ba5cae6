/* The percentile of all requests of a run together (latency_pNN_overall): checked against the
 * mixture of the steps' shifted exponentials computed by hand from closed forms, and against
 * bounds that any accounting of the requests must respect. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "models/run.h"
#include "models/scenario.h"
#include "sim/error.h"

static void parse(const char *json, const char *path, struct scenario *sc)
{
	struct scenario_error err;
	int rc = scenario_parse(json, strlen(json), path, sc, &err);
	cr_assert_eq(rc, 0, "scenario: %s", err.msg);
}

static double metric(const struct run_result *r, const char *name)
{
	const struct run_metric *m = run_find_metric(r, name);
	cr_assert_not_null(m, "metric %s", name);
	return m->stat.mean;
}

/* A shifted exponential a + Exp(theta) holding w requests. */
struct part {
	double w, a, theta;
};

/* The x at which the mixture of parts has tail 1 − p, by bisection (independent of
 * capsim's solver): P(a + Exp(θ) > x) is 1 below a, e^{−(x−a)/θ} above. */
static double mixture(const struct part *c, size_t n, double p)
{
	double total = 0, lo = 0, hi = 1e6;
	for (size_t i = 0; i < n; i++)
		total += c[i].w;
	for (int it = 0; it < 200; it++) {
		double x = 0.5 * (lo + hi), tail = 0;
		for (size_t i = 0; i < n; i++)
			tail += x < c[i].a ? c[i].w :
				c[i].theta > 0 ? c[i].w * exp(-(x - c[i].a) / c[i].theta) : 0;
		if (tail / total > 1.0 - p)
			lo = x;
		else
			hi = x;
	}
	return hi;
}

/* A chain of M/M/1 pools with rates mu[0..n) after a constant shift (round trips): each
 * response Exp(mu_i), percentile L/mu_i, spread (L − 1)/mu_i; the chain's mean m = shift +
 * Σ 1/mu_i and percentile m + (L − 1)·sqrt(Σ 1/mu_i²), so its fit has θ = sqrt(Σ 1/mu_i²)
 * and a = m − θ (README, The latency of all requests together). */
static struct part chain(double w, const double *mu, size_t n, double shift)
{
	double m = shift, s2 = 0;
	for (size_t i = 0; i < n; i++) {
		m += 1.0 / mu[i];
		s2 += 1.0 / (mu[i] * mu[i]);
	}
	return (struct part){ w, m - sqrt(s2), sqrt(s2) };
}

/* Runs json (a scenario whose trace, when it has one, is the file "t.csv" beside it holding
 * trace) for one replication. */
static void run(const char *json, const char *trace, struct run_result *r, struct scenario *sc)
{
	char dir[] = "/tmp/capsim-lat-XXXXXX", csv[256], path[256];
	cr_assert_not_null(mkdtemp(dir));
	snprintf(csv, sizeof csv, "%s/t.csv", dir);
	snprintf(path, sizeof path, "%s/s.json", dir);
	FILE *f = fopen(csv, "w");
	cr_assert_not_null(f);
	fputs(trace ? trace : "time_s,requests_per_s\n0,1\n", f);
	fclose(f);
	parse(json, path, sc);
	struct run_options o = { .seed = 1, .reps = 1, .threads = 1 };
	cr_assert_eq(run_simulate(sc, &o, r), 0);
	unlink(csv);
	rmdir(dir);
}

/* One region, one tier: an M/M/1 of 100 ms (mu = 10/s) with a timeout of TIMEOUT, fed the
 * trace t.csv, SLO percentile PCT, over HORIZON at a step of STEP. */
static void mm1(char *json, size_t len, const char *pct, const char *timeout,
		const char *horizon, const char *step, const char *extra)
{
	snprintf(json, len,
		"{ \"name\": \"mm1\", \"version\": 1, \"horizon\": \"%s\", \"step\": \"%s\",%s"
		"  \"slo\": { \"availability\": 0.5, \"latency_percentile\": %s,"
		"            \"latency_target\": \"10s\" },"
		"  \"traffic\": { \"trace\": \"t.csv\" },"
		"  \"instance_types\": [ { \"name\": \"m\", \"vcpu\": 2, \"memory_gib\": 8,"
		"                          \"price_hourly\": 0.1 } ],"
		"  \"regions\": [ { \"name\": \"r1\", \"zones\": [\"a\"] } ],"
		"  \"tiers\": [ { \"name\": \"api\", \"instance_type\": \"m\","
		"                 \"service_time\": \"100ms\", \"concurrency\": 1,"
		"                 \"timeout\": \"%s\", \"autoscaling\": { \"min\": 1, \"max\": 1 } } ] }",
		horizon, step, extra, pct, timeout);
}

/* Two M/M/1 tiers in a chain, api (mu 10) then db (mu 20), half a day at 5 req/s and half at
 * 8. At 5: api Exp(5), db Exp(15): θ = sqrt(1/25 + 1/225) = 0.21082, a = 0.2 + 0.06667 −
 * 0.21082 = 0.05585. At 8: Exp(2), Exp(12): θ = sqrt(1/4 + 1/144) = 0.50690, a = 0.5 +
 * 0.08333 − 0.50690 = 0.07644. Weights 5 : 8. The mixture's p99 is 2.1656 s: the slower half
 * alone gives a + θ ln(100 × 8/13) = 0.0764 + 0.5069 × 4.1196 = 2.1647; the faster half's
 * tail there, (5/13) e^{−(2.1647 − 0.0558)/0.2108} = 1.7e-5, leaves the slower half
 * 0.01 − 1.7e-5 and moves x to 0.0764 + 0.5069 × ln(0.6154 / 0.009983) = 2.1656. Each
 * level is one group, so grouping is exact: the tolerance is the percentile tables' (1e-3
 * at most). */
Test(world_latency, a_chain_on_two_traffic_levels_is_the_mixture_of_its_steps)
{
	const char *json =
		"{ \"name\": \"two\", \"version\": 1, \"horizon\": \"1d\", \"step\": \"1m\","
		"  \"slo\": { \"availability\": 0.9, \"latency_percentile\": 99,"
		"            \"latency_target\": \"10s\" },"
		"  \"traffic\": { \"trace\": \"t.csv\" },"
		"  \"instance_types\": [ { \"name\": \"m\", \"vcpu\": 2, \"memory_gib\": 8,"
		"                          \"price_hourly\": 0.1 } ],"
		"  \"regions\": [ { \"name\": \"r1\", \"zones\": [\"a\"] } ],"
		"  \"tiers\": ["
		"    { \"name\": \"api\", \"instance_type\": \"m\", \"service_time\": \"100ms\","
		"      \"concurrency\": 1, \"timeout\": \"1h\", \"calls\": \"db\","
		"      \"autoscaling\": { \"min\": 1, \"max\": 1 } },"
		"    { \"name\": \"db\", \"instance_type\": \"m\", \"service_time\": \"50ms\","
		"      \"concurrency\": 1, \"timeout\": \"1h\","
		"      \"autoscaling\": { \"min\": 1, \"max\": 1 } } ] }";
	struct scenario sc;
	struct run_result r;
	run(json, "time_s,requests_per_s\n0,5\n43200,8\n", &r, &sc);
	struct part c[2] = { chain(5, (double[]){ 5, 15 }, 2, 0),
			     chain(8, (double[]){ 2, 12 }, 2, 0) };
	double expect = mixture(c, 2, 0.99);
	cr_assert(fabs(expect - 2.1656) < 1e-4, "hand value %g", expect);
	double got = metric(&r, "latency_p99_overall");
	cr_assert(fabs(got - expect) < 1e-3 * expect, "overall %.9g, expected %.9g", got, expect);
	run_result_release(&r);
	scenario_release(&sc);
}

/* The same percentile name as latency_pNN: p99.9 of the M/M/1 at 5 then 8 req/s (half a day
 * each, weights 5 : 8): (5/13) e^{−5x} + (8/13) e^{−2x} = 0.001 gives x ≈ ln(8000/13) / 2 =
 * 3.2111 (the other term, 5/13 × e^{−16} = 4.1e-8, moves it by ln(0.001 / (0.001 −
 * 4.1e-8)) / 2 = 2e-5). Below 1 − 1/e = 63.2% (p60) the
 * percentile lies below the mean of an exponential, the fit does not exist and the metric
 * is absent; just above it (p63.3) it is there. */
Test(world_latency, the_overall_follows_the_slo_percentile)
{
	const char *trace = "time_s,requests_per_s\n0,5\n43200,8\n";
	char json[4096];
	struct scenario sc;
	struct run_result r;

	mm1(json, sizeof json, "99.9", "1h", "1d", "1m", "");
	run(json, trace, &r, &sc);
	struct part c[2] = { { 5, 0, 0.2 }, { 8, 0, 0.5 } };
	double expect = mixture(c, 2, 0.999);
	cr_assert(fabs(expect - log(8000.0 / 13.0) / 2) < 1e-4, "hand value %g", expect);
	double got = metric(&r, "latency_p99.9_overall");
	cr_assert(fabs(got - expect) < 1e-3 * expect, "overall %.9g, expected %.9g", got, expect);
	run_result_release(&r);
	scenario_release(&sc);

	mm1(json, sizeof json, "60", "1h", "1d", "1m", "");
	run(json, trace, &r, &sc);
	cr_assert_not_null(run_find_metric(&r, "latency_p60"));
	cr_assert_null(run_find_metric(&r, "latency_p60_overall"));
	run_result_release(&r);
	scenario_release(&sc);

	mm1(json, sizeof json, "63.3", "1h", "1d", "1m", "");
	run(json, trace, &r, &sc);
	cr_assert_not_null(run_find_metric(&r, "latency_p63.3_overall"));
	run_result_release(&r);
	scenario_release(&sc);
}

/* The region down from 6 h for an hour of a day at a constant 5 req/s: its steps with no
 * instance in service count their requests at the cap, timeout + the service p99 = 1 s +
 * 0.1 × ln 100 = 1.4605 s, all of them (a point: mean = percentile). They are more than
 * 1/24 = 4.2% of the requests, the rest Exp(5) with P(> 1.4605 s) = e^{−7.3} = 0.07%: so
 * just below 1.4605 s more than 1% of the requests are slower, at it fewer: the p99 is the
 * cap itself. */
Test(world_latency, steps_out_of_service_count_at_the_cap)
{
	char json[4096];
	mm1(json, sizeof json, "99", "1s", "1d", "1m",
	    " \"failures\": { \"scripted\": [ { \"target\": \"region:r1\", \"at\": \"6h\","
	    " \"duration\": \"1h\" } ] },");
	struct scenario sc;
	struct run_result r;
	run(json, "time_s,requests_per_s\n0,5\n", &r, &sc);
	double cap = 1.0 + 0.1 * log(100.0);
	cr_assert(metric(&r, "requests_rejected") >= 5.0 * 3600.0 - 1e-6);
	double got = metric(&r, "latency_p99_overall");
	cr_assert(fabs(got - cap) < 1e-9 * cap, "overall %.12g, cap %.12g", got, cap);
	run_result_release(&r);
	scenario_release(&sc);
}

/* Requests of test 4 above x: each piece of the day as the fluid queue and M/M/1 have it,
 * integrated over arrival times by the midpoint rule (10,000 points a minute), independent of
 * capsim's slices. Returns N(x), the requests slower than x. */
static double slow_requests(double x)
{
	double n = 86220 * exp(-9 * x) + 540 * exp(-x);
	const int K = 10000;
	for (int i = 0; i < K; i++) {
		double t = 60.0 * (i + 0.5) / K;
		/* The 10.69 req/s minute: 641.4 requests, the queue 0.69 t, a wait of 0.069 t
		 * s, then Exp(10) (its service alone: the server is busy throughout). */
		double w = 0.069 * t;
		n += 641.4 / K * (x < w ? 1.0 : exp(-10 * (x - w)));
		/* The next minute at 1 req/s: 60 requests; the queue 41.4 − 9t drains in 4.6 s,
		 * a wait of 4.14 − 0.9t s, then the service; after it, the M/M/1's Exp(9). */
		double w2 = 4.14 - 0.9 * t;
		if (w2 > 0)
			n += 60.0 / K * (x < w2 ? 1.0 : exp(-10 * (x - w2)));
		else
			n += 60.0 / K * exp(-9 * x);
	}
	return n;
}

/* The x with slow_requests(x) = n, by bisection. */
static double slow_quantile(double n)
{
	double lo = 0, hi = 100;
	for (int it = 0; it < 100; it++) {
		double x = 0.5 * (lo + hi);
		if (slow_requests(x) > n)
			lo = x;
		else
			hi = x;
	}
	return hi;
}

/* Steps of one percentile but different shapes must not be merged into one average shape,
 * and a step past its capacity does not put all its requests behind its longest queue. The
 * M/M/1 (timeout 1 h: nothing is lost) runs a day at 1 req/s (Exp(9): p99 0.512 s), except
 * one minute at 9 req/s from 10 h (Exp(1): a = 0, θ = 1, p99 4.6052 s) and one at 10.69
 * from 49980 s, which overloads: its queue grows at 0.69/s to 41.4 requests, a wait of
 * 4.14 s, at its end (p99 4.14 + 0.4605 = 4.6005 s, near the 9 req/s minute's), and the next
 * minute drains it in 4.6 s. Requests: 1437 minutes × 60 = 86,220 fast, 540 at Exp(1), 641.4
 * in the busy minute with waits spread evenly over [0, 4.14 s], 60 in the next; 1% of the
 * 87,461.4 is 874.6, and slow_requests puts the p99 near 0.77 s. Grouped into one shape
 * the two slow minutes claimed 2.511 s; counted all behind the 4.14 s queue, 1.1527 s.
 *
 * The bound: capsim's cells hold each request's a and θ within 2^(1/32) (2.2%, above), and
 * its 32 slices of a minute put each request's wait within half a slice's change of the
 * queue's: 0.069 × 60/64 = 0.065 s in the busy minute; in the draining one only its 4.6
 * queued requests may land on the other side of x. So N(x) from capsim lies between
 * slow_requests((x + 0.065)·f) − 4.6 and slow_requests((x/f − 0.065)) + 4.6, and the p99
 * between (slow_quantile(874.6 + 4.6) − 0.065)/f and (slow_quantile(874.6 − 4.6) + 0.065)·f. */
Test(world_latency, steps_of_one_percentile_and_different_shapes_are_not_averaged)
{
	char json[4096];
	mm1(json, sizeof json, "99", "1h", "1d", "1m", "");
	struct scenario sc;
	struct run_result r;
	run(json, "time_s,requests_per_s\n0,1\n36000,9\n36060,1\n49980,10.69\n50040,1\n", &r,
	    &sc);
	double offered = metric(&r, "requests_offered"), got = metric(&r, "latency_p99_overall");
	run_result_release(&r);
	scenario_release(&sc);
	cr_assert_float_eq(offered, 87461.4, 1e-6);
	double target = 0.01 * offered, f = pow(2.0, 1.0 / 32.0);
	double expect = slow_quantile(target);
	cr_assert(fabs(expect - 0.77) < 0.01, "hand value %g", expect);
	double lo = (slow_quantile(target + 4.6) - 0.065) / f;
	double hi = (slow_quantile(target - 4.6) + 0.065) * f;
	cr_assert(got >= lo && got <= hi, "overall %.9g, fluid mixture %.9g, bounds [%g, %g]", got,
		  expect, lo, hi);
}

/* The same across regions. r1 (1% of the users) calls db, placed in r2 only, over a round
 * trip of 1.5 s; r2 holds 99%. api is an M/M/1 (mu 10) in each region, db an M/M/1 of 1 ms
 * (mu 1000). 86,160 s at 2 req/s, then 240 s at 7.73. Each step as chain() fits it:
 *   at 2:    r1 λ 0.02, rates {9.98, 998} + 1.5 s; r2 λ 1.98, rates {8.02, 998};
 *   at 7.73: r1 λ 0.0773, rates {9.9227, 992.27} + 1.5 s; r2 λ 7.6527, rates {2.3473, 992.27}.
 * Every r1 request waits at least the 1.5 s round trip and they are 1% of all, and r2's at
 * 7.73 req/s add Exp(2.35) tails above 1.5 s: the p99 is above 1.5 s, at 1.5042 s by the
 * bisection. r1's steps at 2 req/s (p99 1.9625 s) and r2's at 7.73 (1.9629 s) fall in one
 * group; averaged into one shape they give 0.938 s, below a latency that more than 1% of
 * the requests exceed. */
Test(world_latency, regions_of_one_percentile_and_different_shapes_are_not_averaged)
{
	const char *json =
		"{ \"name\": \"grp\", \"version\": 1, \"horizon\": \"1d\", \"step\": \"1m\","
		"  \"slo\": { \"availability\": 0.9, \"latency_percentile\": 99,"
		"            \"latency_target\": \"10s\" },"
		"  \"traffic\": { \"trace\": \"t.csv\", \"regions\": { \"r1\": 0.01, \"r2\": 0.99 } },"
		"  \"instance_types\": [ { \"name\": \"m\", \"vcpu\": 2, \"memory_gib\": 8,"
		"                          \"price_hourly\": 0.1 } ],"
		"  \"regions\": [ { \"name\": \"r1\", \"zones\": [\"a\"], \"rtt\": { \"r2\": \"1500ms\" } },"
		"               { \"name\": \"r2\", \"zones\": [\"a\"] } ],"
		"  \"tiers\": ["
		"    { \"name\": \"api\", \"instance_type\": \"m\", \"service_time\": \"100ms\","
		"      \"concurrency\": 1, \"timeout\": \"1h\", \"calls\": \"db\","
		"      \"autoscaling\": { \"min\": 1, \"max\": 1 } },"
		"    { \"name\": \"db\", \"instance_type\": \"m\", \"service_time\": \"1ms\","
		"      \"concurrency\": 1, \"timeout\": \"1h\", \"placement\": { \"regions\": [\"r2\"] },"
		"      \"autoscaling\": { \"min\": 1, \"max\": 1 } } ] }";
	struct scenario sc;
	struct run_result r;
	run(json, "time_s,requests_per_s\n0,2\n86160,7.73\n", &r, &sc);
	struct part c[4];
	size_t n = 0;
	const double rate[2] = { 2, 7.73 }, dur[2] = { 86160, 240 };
	for (int i = 0; i < 2; i++) {
		double l1 = 0.01 * rate[i], l2 = 0.99 * rate[i];
		c[n++] = chain(l1 * dur[i], (double[]){ 10 - l1, 1000 - rate[i] }, 2, 1.5);
		c[n++] = chain(l2 * dur[i], (double[]){ 10 - l2, 1000 - rate[i] }, 2, 0);
	}
	double expect = mixture(c, n, 0.99);
	cr_assert(expect > 1.5 && fabs(expect - 1.5042) < 1e-3, "hand value %g", expect);
	double got = metric(&r, "latency_p99_overall");
	run_result_release(&r);
	scenario_release(&sc);
	double f = pow(2.0, 1.0 / 32.0);
	cr_assert(got >= expect / f && got <= expect * f, "overall %.9g, mixture %.9g", got,
		  expect);
}

/* A five-minute step whose queue drains in its first 30 seconds does not put all its
 * requests behind that queue. The M/M/1 (timeout 1 h) runs a day at 5 req/s, except one
 * step at 10.5 from 12 h: its queue grows 0.5/s to 150 requests (a wait of 15 s) at its end,
 * and the next step (5 req/s) drains it at 10 − 5 = 5/s in 30 s. The requests that met a
 * queue at all: the 3150 of the busy step and the 150 arriving in those 30 s, 3300 of
 * 5 × 86,400 + 5.5 × 300 = 433,650 (0.76%). Every other request is served by the M/M/1 at
 * 5 req/s, Exp(5): P(latency > 2 s) <= 0.0076 + e^{−10} = 0.0077 < 1%, so the p99 of all
 * requests is at most 2 s, whatever the shape of the queued ones. Counting the draining
 * step's 1500 requests all at the step's longest wait (15 s) puts 4650 (1.07%) above 15 s. */
Test(world_latency, a_draining_step_does_not_put_all_its_requests_behind_its_queue)
{
	char json[4096];
	mm1(json, sizeof json, "99", "1h", "1d", "5m", "");
	struct scenario sc;
	struct run_result r;
	run(json, "time_s,requests_per_s\n0,5\n43200,10.5\n43500,5\n", &r, &sc);
	double offered = metric(&r, "requests_offered"), got = metric(&r, "latency_p99_overall");
	run_result_release(&r);
	scenario_release(&sc);
	cr_assert_float_eq(offered, 433650.0, 1e-6);
	cr_assert(got <= 2.0, "overall %.9g s, at most 2 s", got);
}
