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

/* One region, two M/M/1 tiers in a chain: api (100 ms) calls db (DB_SERVICE), timeouts of an
 * hour, over HORIZON at a one-minute step, fed the trace t.csv. */
static void api_db(char *json, size_t len, const char *horizon, const char *db_service)
{
	snprintf(json, len,
		"{ \"name\": \"chain\", \"version\": 1, \"horizon\": \"%s\", \"step\": \"1m\","
		"  \"slo\": { \"availability\": 0.5, \"latency_percentile\": 99,"
		"            \"latency_target\": \"10s\" },"
		"  \"traffic\": { \"trace\": \"t.csv\" },"
		"  \"instance_types\": [ { \"name\": \"m\", \"vcpu\": 2, \"memory_gib\": 8,"
		"                          \"price_hourly\": 0.1 } ],"
		"  \"regions\": [ { \"name\": \"r1\", \"zones\": [\"a\"] } ],"
		"  \"tiers\": ["
		"    { \"name\": \"api\", \"instance_type\": \"m\", \"service_time\": \"100ms\","
		"      \"concurrency\": 1, \"timeout\": \"1h\", \"calls\": \"db\","
		"      \"autoscaling\": { \"min\": 1, \"max\": 1 } },"
		"    { \"name\": \"db\", \"instance_type\": \"m\", \"service_time\": \"%s\","
		"      \"concurrency\": 1, \"timeout\": \"1h\","
		"      \"autoscaling\": { \"min\": 1, \"max\": 1 } } ] }", horizon, db_service);
}

/* Runs mm1()'s scenario (SLO percentile PCT, timeout TIMEOUT, over HORIZON at STEP) on
 * trace; returns the run's metric name (and into *second, when not NULL, name2's). */
static double mm1_run(const char *pct, const char *timeout, const char *horizon, const char *step,
		      const char *extra, const char *trace, const char *name, const char *name2,
		      double *second)
{
	char json[4096];
	mm1(json, sizeof json, pct, timeout, horizon, step, extra);
	struct scenario sc;
	struct run_result r;
	run(json, trace, &r, &sc);
	double got = metric(&r, name);
	if (second)
		*second = metric(&r, name2);
	run_result_release(&r);
	scenario_release(&sc);
	return got;
}

/* The p99 of all requests together is the mixture's, not the mean of the steps' p99s. One
 * M/M/1 (100 ms, mu = 10; a timeout of an hour, so nothing is lost): its response at rate
 * lambda is exactly Exp(10 − lambda). Half a day at 5 req/s (Exp(5): p99 ln 100 / 5 = 0.921
 * s), half at 8 (Exp(2): 2.303 s); the requests weigh 5 : 8. The mean of the steps' p99s is
 * (5 × 0.921 + 8 × 2.303) / 13 = 1.771 s; the mixture's p99 solves (5/13) e^{−5x} + (8/13)
 * e^{−2x} = 0.01: x = 2.0605 s (by hand, x ≈ ln(800/13) / 2 = 2.0598 from the slower half
 * alone, and its other term 5/13 × e^{−10.3} = 1.3e-5 moves it to 2.0605). Each half's steps
 * are identical, so they fall in one cell each and the grouping is exact: the tolerance is
 * the percentile tables' (1e-6 relative). */
Test(world_latency, the_percentile_of_all_requests_is_the_mixtures)
{
	double mean;
	double overall = mm1_run("99", "1h", "1d", "1m", "", "time_s,requests_per_s\n0,5\n43200,8\n",
				 "latency_p99_overall", "latency_p99", &mean);
	struct part c[2] = { { 5, 0, 0.2 }, { 8, 0, 0.5 } };
	double expect = mixture(c, 2, 0.99);
	cr_assert(fabs(expect - 2.0605) < 1e-4, "hand value %g", expect);
	cr_assert(fabs(overall - expect) < 1e-6 * expect, "overall %.9g, expected %.9g", overall,
		  expect);
	double mean_expect = (5 * log(100) / 5 + 8 * log(100) / 2) / 13;
	cr_assert(fabs(mean - mean_expect) < 1e-6 * mean_expect, "mean %.9g, expected %.9g", mean,
		  mean_expect);
}

/* With every step different (120 one-minute rows, lambda from 1 to 8.9 req/s), the steps are
 * grouped into cells of their shift a (0 for M/M/1) and scale θ = 1/(10 − lambda), each
 * spanning a factor 65/64 (64 per octave, by the mantissa's top bits): a cell's one
 * exponential has a rate within that factor of each of its steps', so each step's latency is
 * replaced by one stochastically between the step's own scaled by 64/65 and by 65/64, and
 * the mixture's p99 moves by at most that factor: 1.56%. */
Test(world_latency, grouping_steps_into_cells_moves_the_overall_by_less_than_a_cell)
{
	char text[4096];
	size_t n = 120, len = (size_t)snprintf(text, sizeof text, "time_s,requests_per_s\n");
	struct part c[120];
	for (size_t i = 0; i < n; i++) {
		double lambda = 1.0 + 7.9 * (double)i / (double)(n - 1);
		c[i] = (struct part){ lambda, 0, 1.0 / (10.0 - lambda) };
		len += (size_t)snprintf(text + len, sizeof text - len, "%zu,%.17g\n", 60 * i,
					lambda);
	}
	double overall = mm1_run("99", "1h", "2h", "1m", "", text, "latency_p99_overall", NULL,
				 NULL);
	double expect = mixture(c, n, 0.99), f = 65.0 / 64.0;
	cr_assert(overall >= expect / f && overall <= expect * f, "overall %.9g, exact %.9g",
		  overall, expect);
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
	char json[4096];
	api_db(json, sizeof json, "1d", "50ms");
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
 * The bound: capsim's cells hold each request's a and θ within f = 65/64 (1.6%, above), and
 * its 32 slices of a minute put each request's wait within half a slice's change of the
 * queue's: 0.069 × 60/64 = 0.065 s in the busy minute; in the draining one only its 4.6
 * queued requests may land on the other side of x (the rest meet the M/M/1's Exp(9), as
 * slow_requests has them). So N(x) from capsim lies between slow_requests(x·f + 0.065) − 4.6
 * and slow_requests(x/f − 0.065) + 4.6, and the p99 between
 * (slow_quantile(874.6 + 4.6) − 0.065)/f and (slow_quantile(874.6 − 4.6) + 0.065)·f. */
Test(world_latency, steps_of_one_percentile_and_different_shapes_are_not_averaged)
{
	double offered;
	double got = mm1_run("99", "1h", "1d", "1m", "",
			     "time_s,requests_per_s\n0,1\n36000,9\n36060,1\n49980,10.69\n"
			     "50040,1\n", "latency_p99_overall", "requests_offered", &offered);
	cr_assert_float_eq(offered, 87461.4, 1e-6);
	double target = 0.01 * offered, f = 65.0 / 64.0;
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
	double f = 65.0 / 64.0;
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
	double offered;
	double got = mm1_run("99", "1h", "1d", "5m", "",
			     "time_s,requests_per_s\n0,5\n43200,10.5\n43500,5\n",
			     "latency_p99_overall", "requests_offered", &offered);
	cr_assert_float_eq(offered, 433650.0, 1e-6);
	cr_assert(got <= 2.0, "overall %.9g s, at most 2 s", got);
}

/* The shifted exponential of a mean m and a spread s (percentile − mean) at p99. */
static struct part fit99(double w, double m, double s)
{
	double th = s / (log(100.0) - 1.0);
	return (struct part){ w, m - th, th };
}

/* Region rg's requests of one step (or slice) in the three-region chain of the test below:
 * api in every region (M/M/1, 1 ms: mu 1000), db in r2 and r3 only (M/M/1, 100 ms: mu 10),
 * r1 splitting its db calls 0.5/0.5 (no own pool). R user req/s; w2 < 0: r2's db is an
 * M/M/1 at 0.6 R, else it waits w2 s behind its fluid queue and then serves in Exp(10)
 * (mean w2 + 0.1, spread 0.1 (L − 1)); r3's db is an M/M/1 at 0.4 R. Each visit adds its
 * mean, a split the shares' means; the spread is the root of the squared spreads, a split's
 * spread the shares' mean spread (README, End-to-end latency). */
static struct part three_regions(int rg, double R, double w2, double req)
{
	const double share[3] = { 0.2, 0.5, 0.3 }, L1 = log(100.0) - 1.0;
	double la = share[rg] * R, am = 1.0 / (1000 - la), as = L1 / (1000 - la);
	double m2 = w2 < 0 ? 1.0 / (10 - 0.6 * R) : w2 + 0.1;
	double s2 = w2 < 0 ? L1 / (10 - 0.6 * R) : 0.1 * L1;
	double m3 = 1.0 / (10 - 0.4 * R), s3 = L1 / (10 - 0.4 * R);
	double dm = rg == 0 ? 0.5 * m2 + 0.5 * m3 : rg == 1 ? m2 : m3;
	double ds = rg == 0 ? 0.5 * s2 + 0.5 * s3 : rg == 1 ? s2 : s3;
	return fit99(req, am + dm, sqrt(as * as + ds * ds));
}

/* A tier placed in two regions of three, its pool in r2 overloaded for a minute, the third
 * region (r1, 20% of the users) splitting its calls 0.5/0.5 between r2 and r3. An hour at
 * 10 req/s but the minute from 1200 s at 17.5: r2's db gets 0.5 R + 0.5 × 0.2 R = 6 (then
 * 10.5) req/s, r3's 4 (then 7). In the busy minute r2's db queue grows 0.5/s from 0 to 30
 * (3 s at its end); the next minute (6 req/s) drains it at 4/s in 7.5 s, after which its
 * requests meet the M/M/1 at 6 req/s again (Exp(4)). r1's requests pay half of r2's wait:
 * in slice j (middle t_j) its mean is 1/(1000 − 0.2R) + 0.5 (w(t_j) + 0.1) + 0.5/(10 −
 * 0.4R). Hand mixture over the three regions' 58 quiet minutes, 32 slices of
 * the busy and the draining one (three_regions, mixture, independent of capsim's code): r1
 * p99 1.3157 s, r2 2.1351 s, all 1.5407 s. Counting r1's two minutes wholly behind r2's 3 s
 * (share 1 where it is 0.5, or no slicing) gives r1 1.7832 s instead; integrating r1's waits
 * continuously (6000 slices) 1.3116 s. Tolerance: the documented cell factor 65/64. */
Test(world_latency, a_split_route_to_an_overloaded_pool_pays_its_share_of_the_queue)
{
	const char *json =
		"{ \"name\": \"split\", \"version\": 1, \"horizon\": \"1h\", \"step\": \"1m\","
		"  \"slo\": { \"availability\": 0.5, \"latency_percentile\": 99,"
		"            \"latency_target\": \"10s\" },"
		"  \"traffic\": { \"trace\": \"t.csv\","
		"                 \"regions\": { \"r1\": 0.2, \"r2\": 0.5, \"r3\": 0.3 } },"
		"  \"instance_types\": [ { \"name\": \"m\", \"vcpu\": 2, \"memory_gib\": 8,"
		"                          \"price_hourly\": 0.1 } ],"
		"  \"regions\": [ { \"name\": \"r1\", \"zones\": [\"a\"] },"
		"               { \"name\": \"r2\", \"zones\": [\"a\"] },"
		"               { \"name\": \"r3\", \"zones\": [\"a\"] } ],"
		"  \"tiers\": ["
		"    { \"name\": \"api\", \"instance_type\": \"m\", \"service_time\": \"1ms\","
		"      \"concurrency\": 1, \"timeout\": \"1h\", \"calls\": \"db\","
		"      \"autoscaling\": { \"min\": 1, \"max\": 1 } },"
		"    { \"name\": \"db\", \"instance_type\": \"m\", \"service_time\": \"100ms\","
		"      \"concurrency\": 1, \"timeout\": \"1h\","
		"      \"placement\": { \"regions\": [\"r2\", \"r3\"] },"
		"      \"autoscaling\": { \"min\": 1, \"max\": 1 } } ] }";
	struct scenario sc;
	struct run_result r;
	run(json, "time_s,requests_per_s\n0,10\n1200,17.5\n1260,10\n", &r, &sc);
	const double share[3] = { 0.2, 0.5, 0.3 };
	struct part all[3 * 66], one[66];
	size_t na = 0;
	double expect[3];
	for (int rg = 0; rg < 3; rg++) {
		size_t n = 0;
		one[n++] = three_regions(rg, 10, -1, share[rg] * 10 * 60 * 58);
		for (int j = 0; j < 32; j++) {
			double t = (j + 0.5) / 32 * 60;
			double q = 30 - 4 * t;
			one[n++] = three_regions(rg, 17.5, 0.05 * t, share[rg] * 17.5 * 60 / 32);
			one[n++] = three_regions(rg, 10, q > 0 ? q / 10 : -1, share[rg] * 10 * 60 / 32);
		}
		expect[rg] = mixture(one, n, 0.99);
		memcpy(all + na, one, n * sizeof *one);
		na += n;
	}
	double expect_all = mixture(all, na, 0.99);
	cr_assert(fabs(expect[0] - 1.3157) < 1e-3 && fabs(expect_all - 1.5407) < 1e-3,
		  "hand values %g %g", expect[0], expect_all);
	double got[3] = { metric(&r, "latency_p99_overall.region.r1"),
			  metric(&r, "latency_p99_overall.region.r2"),
			  metric(&r, "latency_p99_overall.region.r3") };
	double got_all = metric(&r, "latency_p99_overall"), f = 65.0 / 64.0;
	run_result_release(&r);
	scenario_release(&sc);
	cr_log_info("split: r1 %.6f/%.6f r2 %.6f/%.6f r3 %.6f/%.6f all %.6f/%.6f", got[0], expect[0],
		    got[1], expect[1], got[2], expect[2], got_all, expect_all);
	for (int rg = 0; rg < 3; rg++)
		cr_expect(got[rg] >= expect[rg] / f && got[rg] <= expect[rg] * f,
			  "r%d: overall %.9g, hand %.9g (ratio %.5f)", rg + 1, got[rg], expect[rg],
			  got[rg] / expect[rg]);
	cr_expect(got_all >= expect_all / f && got_all <= expect_all * f,
		  "all: overall %.9g, hand %.9g (ratio %.5f)", got_all, expect_all,
		  got_all / expect_all);
}

/* Synchronous replication: only writes wait for the other region. Two regions, active-active,
 * each an M/M/1 of 100 ms at 5 req/s (Exp(5), p99 0.9210 s), 0.2 writes/s of the 10 req/s
 * (2%, at least the 1% beyond p99, so every step's p99 gets sync_latency = 1 s: 1.9210 s).
 * Of all requests, 98% are Exp(5) and 2% 1 s + Exp(5): 0.98 e^{−5x} + 0.02 e^{−5(x−1)} =
 * 0.01, e^{−5x} (0.98 + 0.02 e^5) = 0.01, x = ln(100 × 3.9483) / 5 = 1.1957 s. Shifting
 * every request by the second would give 1.9210 s. */
Test(world_latency, sync_replication_delays_only_the_writes)
{
	const char *json =
		"{ \"name\": \"sync\", \"version\": 1, \"horizon\": \"1d\", \"step\": \"1m\","
		"  \"slo\": { \"availability\": 0.5, \"latency_percentile\": 99,"
		"            \"latency_target\": \"10s\" },"
		"  \"traffic\": { \"trace\": \"t.csv\", \"regions\": { \"r1\": 0.5, \"r2\": 0.5 } },"
		"  \"dr\": { \"strategy\": \"active_active\" },"
		"  \"data\": { \"write_rate\": 0.2, \"replication\": \"sync\","
		"             \"sync_latency\": \"1s\" },"
		"  \"instance_types\": [ { \"name\": \"m\", \"vcpu\": 2, \"memory_gib\": 8,"
		"                          \"price_hourly\": 0.1 } ],"
		"  \"regions\": [ { \"name\": \"r1\", \"zones\": [\"a\"] },"
		"               { \"name\": \"r2\", \"zones\": [\"a\"] } ],"
		"  \"tiers\": [ { \"name\": \"api\", \"instance_type\": \"m\","
		"                 \"service_time\": \"100ms\", \"concurrency\": 1, \"timeout\": \"1h\","
		"                 \"autoscaling\": { \"min\": 1, \"max\": 1 } } ] }";
	struct scenario sc;
	struct run_result r;
	run(json, "time_s,requests_per_s\n0,10\n", &r, &sc);
	struct part c[2] = { { 0.98, 0, 0.2 }, { 0.02, 1.0, 0.2 } };
	double expect = mixture(c, 2, 0.99);
	cr_assert(fabs(expect - log(100 * (0.98 + 0.02 * exp(5.0))) / 5) < 1e-6 &&
		  fabs(expect - 1.1957) < 1e-4, "hand value %g", expect);
	double got = metric(&r, "latency_p99_overall"), step = metric(&r, "latency_p99");
	run_result_release(&r);
	scenario_release(&sc);
	cr_assert(fabs(step - (1.0 + log(100.0) / 5)) < 1e-6, "latency_p99 %g", step);
	cr_expect(fabs(got - expect) < 1e-3 * expect, "overall %.9g, hand %.9g (+%.4f s)", got,
		  expect, got - expect);
}

/* The documented cell bound: a cell spans a factor 65/64 of a and θ (its values share the
 * sign, the exponent and the top 6 bits of the mantissa), so the answer is within 1.6% of
 * the ungrouped mixture's. An M/M/1 of 0.1 ms (mu = 10,000/s; its fluid queue at exactly
 * mu = 10,000 req/s stands still): a minute at 10,166.75 req/s fills 10,005 requests
 * (1.0005 s), 20 h at 10,000 hold them (7.2e8 requests at a = 1.0005, θ = 0.1 ms); a minute
 * at 10,002.5 adds 150 (10,155: 1.0155 s), 1.5 h at 10,000 hold that (5.4e7 requests at
 * a = 1.0155); then 5,000 req/s (the queue drains in 2.03 s, then the M/M/1's Exp(5000)).
 * Both levels lie in one cell, [1, 1.015625), whose shift is their weighted mean
 * (7.2e8 × 1.0005 + 5.4e7 × 1.0155) / 7.74e8 = 1.00155; yet the 6.59% of all 8.2e8
 * requests at 1.0155 hold the p99: ungrouped 1.0155 + 0.0001 ln(6.59) = 1.01569 s (mixture
 * below, the transition minutes in 32 slices as documented); grouped, the cell's 94.4% give
 * 1.00155 + 0.0001 ln(94.4) = 1.00201 s, a factor 1.0137 lower: near the bound, and within
 * it. */
Test(world_latency, a_cell_moves_the_percentile_by_less_than_its_width)
{
	char json[4096];
	snprintf(json, sizeof json,
		"{ \"name\": \"cell\", \"version\": 1, \"horizon\": \"1d\", \"step\": \"1m\","
		"  \"slo\": { \"availability\": 0.5, \"latency_percentile\": 99,"
		"            \"latency_target\": \"10s\" },"
		"  \"traffic\": { \"trace\": \"t.csv\" },"
		"  \"instance_types\": [ { \"name\": \"m\", \"vcpu\": 2, \"memory_gib\": 8,"
		"                          \"price_hourly\": 0.1 } ],"
		"  \"regions\": [ { \"name\": \"r1\", \"zones\": [\"a\"] } ],"
		"  \"tiers\": [ { \"name\": \"api\", \"instance_type\": \"m\", \"service_time\": 0.0001,"
		"                 \"concurrency\": 1, \"timeout\": \"1h\","
		"                 \"autoscaling\": { \"min\": 1, \"max\": 1 } } ] }");
	char trace[512];
	double up1 = 10000 + 10005.0 / 60, up2 = 10000 + 150.0 / 60;
	snprintf(trace, sizeof trace,
		 "time_s,requests_per_s\n0,%.17g\n60,10000\n72060,%.17g\n72120,10000\n"
		 "77520,5000\n", up1, up2);
	struct scenario sc;
	struct run_result r;
	run(json, trace, &r, &sc);
	double got = metric(&r, "latency_p99_overall");
	run_result_release(&r);
	scenario_release(&sc);
	struct part c[3 + 3 * 32];
	size_t n = 0;
	const double S = 1e-4;
	c[n++] = (struct part){ 10000.0 * 72000, 1.0005, S };
	c[n++] = (struct part){ 10000.0 * 5400, 1.0155, S };
	c[n++] = (struct part){ 5000.0 * 8820, 0, 1.0 / 5000 };
	for (int j = 0; j < 32; j++) {
		double t = (j + 0.5) / 32 * 60, q = 10155 - 5000 * t;
		c[n++] = (struct part){ up1 * 60 / 32, (up1 - 10000) * t * S, S };
		c[n++] = (struct part){ up2 * 60 / 32, (10005 + (up2 - 10000) * t) * S, S };
		c[n++] = (struct part){ 5000.0 * 60 / 32, q > 0 ? q * S : 0,
					q > 0 ? S : 1.0 / 5000 };
	}
	double expect = mixture(c, n, 0.99), f = 65.0 / 64.0;
	cr_assert(fabs(expect - 1.01569) < 2e-5, "hand value %.7g", expect);
	cr_expect(got >= expect / f && got <= expect * f,
		  "overall %.9g, ungrouped %.9g: ratio %.5f, documented bound %.5f", got, expect,
		  expect / got, f);
}

/* Requests lost at random at saturation wait the timeout. The M/M/1 of 100 ms (timeout 1 s)
 * offered exactly its capacity, 10 req/s, for a day: its fluid queue stands at 0, but M/M/1+D
 * loses 1/(2 + μT) = 1/12 = 8.33% of the requests (72,000 of 864,000), each after waiting the
 * 1 s timeout. With more than 1% of the requests at 1 s or more, the p99 is at least 1 s;
 * and it is at most timeout + the service's p99, 1 + 0.1 ln 100 = 1.4605 s: a served request
 * waits less than the timeout, and its service passes its own p99 in 1% of cases. Counted
 * at the queue's wait (0) they gave 0.4605 s, the bare service's p99. */
Test(world_latency, requests_lost_at_saturation_count_at_the_timeout)
{
	double failed;
	double got = mm1_run("99", "1s", "1d", "1m", "", "time_s,requests_per_s\n0,10\n",
			     "latency_p99_overall", "requests_failed", &failed);
	cr_assert(fabs(failed - 864000.0 / 12) < 1e-6 * 864000, "failed %g", failed);
	cr_assert(got >= 1.0 && got <= 1.0 + 0.1 * log(100.0), "overall %.9g", got);
}

/* Once a draining queue is gone, the pool's requests meet its M/M/c queue, not the bare
 * service. The M/M/1 of 100 ms alternates 5-minute steps at 10.05 req/s (its fluid queue
 * grows 0.05/s to 15 requests, waits up to 1.5 s, then Exp(10)) and 9.5 (the 15 drain at
 * 0.5/s in 30 s; the other 270 s meet the M/M/1 at 9.5: Exp(0.5), p99 9.21 s). Per 600 s:
 * 3015 + 2850 requests, 2565 of them (43.73%) Exp(0.5). Every other request takes at most
 * 1.5 s + Exp(10), whose tail at 7 s is e^{−55}: the p99 is where 0.4373 e^{−x/2} = 0.01,
 * x = 2 ln 43.73 = 7.556 s, within a cell's 65/64. Counted at the bare service (Exp(10))
 * those requests made it 1.6 s. */
Test(world_latency, a_drained_queue_leaves_the_pools_own_queue)
{
	char trace[16384];
	size_t len = (size_t)snprintf(trace, sizeof trace, "time_s,requests_per_s\n");
	for (int i = 0; i < 288; i++)
		len += (size_t)snprintf(trace + len, sizeof trace - len, "%d,%s\n", 300 * i,
					i % 2 ? "9.5" : "10.05");
	double got = mm1_run("99", "1h", "1d", "5m", "", trace, "latency_p99_overall", NULL,
			     NULL);
	double expect = 2 * log(100 * 2565.0 / 5865.0), f = 65.0 / 64.0;
	cr_assert(fabs(expect - 7.556) < 1e-3, "hand value %g", expect);
	cr_assert(got >= expect / f && got <= expect * f, "overall %.9g, expected %.9g", got,
		  expect);
}

/* A backlog does not make a step look faster than its load alone: the step's own percentile
 * (latency_p99, the mean of the steps') in a draining step is at least its M/M/c queue's.
 * The alternating M/M/1 above: a 10.05 req/s step ends behind 15 requests, p99 1.5 s + 0.1 ln
 * 100 = 1.9605 s; the 9.5 req/s step after it drains them, and its own queue's p99 is
 * ln 100 / 0.5 = 9.2103 s, which it keeps (the fluid figure, 1.9605 s, counted the queue it
 * drains and not the one it keeps). Weighted by requests, 3015 : 2850: (3015 × 1.9605 +
 * 2850 × 9.2103) / 5865 = 5.4834 s (the fluid figure alone gave 1.9605 s). */
Test(world_latency, a_draining_step_is_at_least_as_slow_as_its_own_queue)
{
	char trace[16384];
	size_t len = (size_t)snprintf(trace, sizeof trace, "time_s,requests_per_s\n");
	for (int i = 0; i < 288; i++)
		len += (size_t)snprintf(trace + len, sizeof trace - len, "%d,%s\n", 300 * i,
					i % 2 ? "9.5" : "10.05");
	double got = mm1_run("99", "1h", "1d", "5m", "", trace, "latency_p99", NULL, NULL);
	double busy = 1.5 + 0.1 * log(100.0), drain = log(100.0) / 0.5;
	double expect = (3015 * busy + 2850 * drain) / 5865;
	cr_assert(fabs(expect - 5.4834) < 1e-4, "hand value %g", expect);
	cr_assert(fabs(got - expect) < 1e-6 * expect, "latency_p99 %.9g, expected %.9g", got,
		  expect);
}

/* DNS across regions and synchronous writes together (lat_add_parts' by-entry path,
 * with nothing else testing it). Warm standby, primary r1: every user is served by r1's api, an M/M/1 of
 * 100 ms at 5 req/s: Exp(5), p99 ln 100 / 5 = 0.9210 s. 3% of the users enter in r2 and cross
 * the 1 s round trip; 0.1 of the 5 req/s (2%) are writes, which wait a 0.5 s synchronous
 * replication. step()'s percentile rules shift every request: 3% >= 1% gives user_rtt = 1 s,
 * 2% >= 1% gives sync 0.5 s, latency_p99 = 0.9210 + 0.5 + 1 = 2.4210 s. The requests are four
 * independent parts: 0.97 × 0.98 Exp(5), 0.97 × 0.02 at 0.5 + Exp(5), 0.03 × 0.98 at
 * 1 + Exp(5), 0.03 × 0.02 at 1.5 + Exp(5). Below 1.5 s the last part (0.0006) is all slower,
 * so the p99 solves e^{−5x} (0.9506 + 0.0194 e^{2.5} + 0.0294 e^{5}) + 0.0006 = 0.01: the
 * bracket is 0.9506 + 0.2363 + 4.3633 = 5.5503, x = ln(5.5503 / 0.0094) / 5 = 1.2762 s
 * (below 1.5: consistent). Subtracting the step's shifts (a − sync_add −
 * user_rtt) and adding each part's own is exact when the weights sum to the step's requests
 * and the shifts are those step() added: within the table tolerance (1e-3). */
Test(world_latency, dns_and_sync_writes_are_each_their_own_part)
{
	const char *json =
		"{ \"name\": \"dns\", \"version\": 1, \"horizon\": \"1d\", \"step\": \"1m\","
		"  \"slo\": { \"availability\": 0.5, \"latency_percentile\": 99,"
		"            \"latency_target\": \"10s\" },"
		"  \"traffic\": { \"trace\": \"t.csv\", \"regions\": { \"r1\": 0.97, \"r2\": 0.03 } },"
		"  \"dr\": { \"strategy\": \"warm_standby\", \"primary\": \"r1\", \"recovery\": \"r2\" },"
		"  \"data\": { \"write_rate\": 0.1, \"replication\": \"sync\","
		"             \"sync_latency\": \"500ms\" },"
		"  \"instance_types\": [ { \"name\": \"m\", \"vcpu\": 2, \"memory_gib\": 8,"
		"                          \"price_hourly\": 0.1 } ],"
		"  \"regions\": [ { \"name\": \"r1\", \"zones\": [\"a\"], \"rtt\": { \"r2\": \"1s\" } },"
		"               { \"name\": \"r2\", \"zones\": [\"a\"] } ],"
		"  \"tiers\": [ { \"name\": \"api\", \"instance_type\": \"m\","
		"                 \"service_time\": \"100ms\", \"concurrency\": 1, \"timeout\": \"1h\","
		"                 \"autoscaling\": { \"min\": 1, \"max\": 1 } } ] }";
	struct scenario sc;
	struct run_result r;
	run(json, "time_s,requests_per_s\n0,5\n", &r, &sc);
	struct part c[4] = { { 0.97 * 0.98, 0, 0.2 }, { 0.97 * 0.02, 0.5, 0.2 },
			     { 0.03 * 0.98, 1.0, 0.2 }, { 0.03 * 0.02, 1.5, 0.2 } };
	double expect = mixture(c, 4, 0.99);
	cr_assert(fabs(expect - 1.2762) < 1e-4, "hand value %g", expect);
	double got = metric(&r, "latency_p99_overall"), step = metric(&r, "latency_p99");
	run_result_release(&r);
	scenario_release(&sc);
	cr_assert(fabs(step - (1.5 + log(100.0) / 5)) < 1e-6, "latency_p99 %g", step);
	cr_expect(fabs(got - expect) < 1e-3 * expect, "overall %.9g, hand %.9g", got, expect);
}

/* Two pools of one chain queued in the same step (lat_add_sliced adds each pool's
 * slice wait, and each drained pool's own M/M/1, with more than one). api then db,
 * both M/M/1 of 100 ms (mu 10, timeout 1 h), 2 h at 5 req/s except the minute from 3600 s at
 * 10.5: both queues grow 0.5/s (a wait of 0.05 t s each, t s into the minute), and the next
 * minute (5 req/s) drains both at 5/s from 30 requests in 6 s. Each step or slice as fit99
 * has it: quiet, two Exp(5): mean 0.4, spread √2 × 0.2 (L − 1); busy slice j (middle
 * t_j = (j + 0.5) × 60/32), mean 0.1 t_j + 0.2, spread √2 × 0.1 (L − 1) (the service alone);
 * draining slices j = 0..2 (t_j < 6 s), mean 2 ((30 − 5 t_j)/10 + 0.1), the same spread;
 * j >= 3 as quiet (each pool's M/M/1 at 5 req/s). Requests 35,400 + 630 + 300 = 36,330, 1%
 * = 363.3: the busy minute's 630 hold the tail, the p99 near the wait of the busy request
 * at t ≈ 60 × (1 − 363/630) = 25 s, 0.1 × 25 + 0.06 ≈ 2.6 s plus its Exp(0.14) tail: the
 * mixture gives 2.9442 s. One queue only (db's wait dropped) gives 1.8704 s; every busy and
 * draining request behind both longest waits, 6.19 s. Tolerance: the cell factor 65/64. */
Test(world_latency, two_queued_pools_on_one_chain_add_their_waits)
{
	char json[4096];
	api_db(json, sizeof json, "2h", "100ms");
	struct scenario sc;
	struct run_result r;
	run(json, "time_s,requests_per_s\n0,5\n3600,10.5\n3660,5\n", &r, &sc);
	const double L1 = log(100.0) - 1.0, sq = sqrt(2.0);
	struct part c[1 + 2 * 32];
	size_t n = 0;
	c[n++] = fit99(118 * 60 * 5, 0.4, sq * 0.2 * L1);
	for (int j = 0; j < 32; j++) {
		double t = (j + 0.5) / 32 * 60, q = 30 - 5 * t;
		c[n++] = fit99(10.5 * 60 / 32, 0.1 * t + 0.2, sq * 0.1 * L1);
		c[n++] = q > 0 ? fit99(5.0 * 60 / 32, 2 * (q / 10 + 0.1), sq * 0.1 * L1) :
				 fit99(5.0 * 60 / 32, 0.4, sq * 0.2 * L1);
	}
	double expect = mixture(c, n, 0.99), f = 65.0 / 64.0;
	cr_assert(fabs(expect - 2.9442) < 1e-3, "hand value %g", expect);
	double got = metric(&r, "latency_p99_overall");
	run_result_release(&r);
	scenario_release(&sc);
	cr_expect(got >= expect / f && got <= expect * f, "overall %.9g, hand %.9g (ratio %.5f)",
		  got, expect, got / expect);
}
