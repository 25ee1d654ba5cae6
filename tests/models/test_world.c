/* The fluid capacity model end to end: golden scenarios checked against closed forms and hand
 * calculations, the step response of autoscaling, trace replay, and determinism. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "models/queueing.h"
#include "models/run.h"
#include "models/scenario.h"
#include "models/world.h"
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

/* One tier of 5 instances × 2 workers of 100 ms (c = 10 servers, 100 req/s capacity) fed a
 * constant 90 req/s for one day: an M/M/10 at rho = 0.9. */
static const char *fixed_fleet =
	"{ \"name\": \"fixed\", \"version\": 1, \"horizon\": \"1d\", \"step\": \"1m\","
	"  \"replications\": 2,"
	"  \"slo\": { \"availability\": 0.999, \"latency_percentile\": 99,"
	"            \"latency_target\": \"1s\" },"
	"  \"traffic\": { \"base_rate\": 90 },"
	"  \"instance_types\": [ { \"name\": \"m\", \"vcpu\": 2, \"memory_gib\": 8,"
	"                          \"price_hourly\": 0.096 } ],"
	"  \"regions\": [ { \"name\": \"r1\", \"zones\": [\"a\", \"b\"] } ],"
	"  \"tiers\": [ { \"name\": \"api\", \"instance_type\": \"m\", \"service_time\": \"100ms\","
	"                 \"concurrency\": 2, \"timeout\": \"500ms\","
	"                 \"autoscaling\": { \"min\": 5, \"max\": 5 } } ] }";

Test(world, fixed_fleet_matches_the_closed_form)
{
	struct scenario sc;
	parse(fixed_fleet, NULL, &sc);
	struct run_options o = { .seed = 1, .reps = 2, .threads = 1 };
	struct run_result r;
	cr_assert_eq(run_simulate(&sc, &o, &r), 0);

	/* The queueing core's closed form for M/M/10, lambda 90, S 0.1: */
	struct queue_model m = { .servers = 10, .arrival_rate = 90, .service_time = 0.1,
				 .ca2 = 1, .cs2 = 1 };
	struct queue_result q;
	cr_assert_eq(queue_solve(&m, &q), 0);
	double p99;
	cr_assert_eq(queue_response_percentile(&m, &q, 0.99, &p99), 0);
	double lost = queue_timeout_loss(&m, &q, 0.5);   /* leave rather than wait 0.5 s */

	/* Utilisation lambda S / c = 90 × 0.1 / 10 = 0.9 exactly (no noise, no spikes). */
	cr_assert_float_eq(metric(&r, "utilization.api.r1"), 0.9, 1e-12);
	/* p99: the tables interpolate the closed form within 1e-3 relative (models/qtable.h). */
	cr_assert(fabs(metric(&r, "latency_p99") - p99) <= 1e-3 * p99,
		  "p99 %g vs closed form %g", metric(&r, "latency_p99"), p99);
	/* Requests dropped by the timeout: the fraction that would have waited past 0.5 s
	 * (test_queueing checks it by hand);
	 * offered = 90 req/s × 86400 s = 7,776,000 exactly. */
	cr_assert_float_eq(metric(&r, "requests_offered"), 7776000.0, 1e-6);
	double avail = metric(&r, "availability");
	cr_assert(fabs((1 - avail) - lost) <= 1e-3 * lost + 1e-9,
		  "lost fraction %g vs the timeout loss %g", 1 - avail, lost);
	/* Cost: 5 instances × 24 h × 0.096 USD = 11.52 USD, per-second billing. */
	cr_assert_float_eq(metric(&r, "cost_total"), 11.52, 1e-9);
	cr_assert_float_eq(metric(&r, "instance_hours"), 120.0, 1e-9);
	/* A month is 730 h: monthly = 11.52 × 730 / 24 = 350.4 USD. */
	cr_assert_float_eq(metric(&r, "cost_monthly"), 350.4, 1e-9);
	/* Cost per million requests: 11.52 / 7.776 = 1.48148... USD. */
	cr_assert_float_eq(metric(&r, "cost_per_million"), 11.52 / 7.776, 1e-9);
	/* p99 (~0.78 s) is under the 1 s target in every step. */
	cr_assert(p99 < 1.0);
	cr_assert_float_eq(metric(&r, "latency_slo_steps"), 1.0, 1e-12);
	cr_assert_float_eq(metric(&r, "scaling_actions"), 0.0, 1e-12);
	/* Two replications with no randomness at all are identical: a zero-width interval. */
	const struct run_metric *c = run_find_metric(&r, "cost_total");
	cr_assert_float_eq(c->stat.ci95_low, c->stat.ci95_high, 1e-12);
	run_result_release(&r);
	scenario_release(&sc);
}

/* The same fleet with too little capacity: 150 req/s into 100 req/s. The fluid limit serves
 * 100 req/s, keeps at most 100 × 0.5 = 50 requests queued, times out the rest. */
Test(world, overload_serves_capacity_and_times_out_the_rest)
{
	char *json = strdup(fixed_fleet);
	char *p = strstr(json, "\"base_rate\": 90");
	memcpy(p, "\"base_rate\": 150", 16);   /* same length: "90 }" -> "150}" */
	p[16] = '}';
	struct scenario sc;
	parse(json, NULL, &sc);
	struct run_options o = { .seed = 1, .reps = 1, .threads = 1 };
	struct run_result r;
	cr_assert_eq(run_simulate(&sc, &o, &r), 0);
	/* Per one-minute step: 9000 arrive, 6000 are served. The first step ends with 3000
	 * left, keeps 50 and times out 2950; every later step has 50 + 9000 in, serves 6000,
	 * keeps 50 and times out 3000. Lost over the day's 1440 steps: 2950 + 1439 × 3000 =
	 * 4,319,950 of 150 × 86400 = 12,960,000 offered (the 50 still queued at the horizon
	 * are not lost), plus the random losses beyond the fluid share in each step: 9000 ×
	 * (P - 1/3), P the M/M/c+D loss at rho = 1.5 (1/3 + 8.7e-13; test_queueing's
	 * mmcd_loss_holds_past_saturation_and_through_it). */
	double excess = queue_mmcd_loss(10, 150, 0.1, 0.5) - 1.0 / 3.0;
	cr_assert(excess >= 0 && excess < 1e-11, "%g", excess);
	cr_assert_float_eq(metric(&r, "availability"),
			   (8640050.0 - 1440 * 9000 * excess) / 12960000.0, 1e-12);
	cr_assert_float_eq(metric(&r, "utilization.api.r1"), 1.0, 1e-12);
	/* Every step misses the 1 s target? No: the queue holds at most 0.5 s of work, so the
	 * p99 is 0.5 s + the service p99 (0.1 × ln 100 = 0.4605 s) = 0.9605 s < 1 s. */
	cr_assert_float_eq(metric(&r, "latency_p99"), 0.5 + 0.1 * log(100.0), 1e-6);
	run_result_release(&r);
	scenario_release(&sc);
	free(json);
}

/* Two idle tiers in a chain, web (20 ms) then app (80 ms, `visits` V), 20 servers each for
 * 1 request/s: utilisations 0.001 and 0.004·V, where Erlang C is below 1e-40, so each
 * response is its exponential service time: mean S, p99 S ln 100. The end-to-end p99 is
 * the means plus the root of the squared spreads (p99 − mean = S (ln 100 − 1)), one per
 * visit: for V = 1, 0.1 + 3.6052 × sqrt(0.02² + 0.08²) = 0.39729 s. The exact p99 of the
 * sum of the two exponentials solves (λ₂e^(−λ₁t) − λ₁e^(−λ₂t)) / (λ₂ − λ₁) = 0.01 with
 * λ₁ = 12.5, λ₂ = 50: t = 0.39143 s (bisection by hand in a calculator), which the rule
 * overstates by 1.5%; the sum of the p99s, 0.4605 s, by 18%. For V = 3: 0.02 + 0.24 +
 * 3.6052 × sqrt(0.02² + 3 × 0.08²) = 0.76472 s. */
static double chain_p99(int visits)
{
	char json[1024];
	snprintf(json, sizeof json,
		 "{ \"name\": \"chain\", \"version\": 1, \"horizon\": \"1h\", \"step\": \"1m\","
		 "  \"traffic\": { \"base_rate\": 1 },"
		 "  \"instance_types\": [ { \"name\": \"m\", \"vcpu\": 2, \"memory_gib\": 8,"
		 "                          \"price_hourly\": 0.1 } ],"
		 "  \"regions\": [ { \"name\": \"r1\", \"zones\": [\"a\"] } ],"
		 "  \"tiers\": [ { \"name\": \"web\", \"instance_type\": \"m\","
		 "                 \"service_time\": \"20ms\", \"concurrency\": 10, \"calls\": \"app\","
		 "                 \"autoscaling\": { \"min\": 2, \"max\": 2 } },"
		 "               { \"name\": \"app\", \"instance_type\": \"m\", \"visits\": %d,"
		 "                 \"service_time\": \"80ms\", \"concurrency\": 10,"
		 "                 \"autoscaling\": { \"min\": 2, \"max\": 2 } } ] }", visits);
	struct scenario sc;
	parse(json, NULL, &sc);
	struct run_options o = { .seed = 1, .reps = 1, .threads = 1 };
	struct run_result r;
	cr_assert_eq(run_simulate(&sc, &o, &r), 0);
	double p99 = metric(&r, "latency_p99");
	run_result_release(&r);
	scenario_release(&sc);
	return p99;
}

Test(world, a_chain_adds_means_and_the_root_of_the_squared_spreads)
{
	double z = log(100.0) - 1.0;
	double one = 0.1 + z * sqrt(0.02 * 0.02 + 0.08 * 0.08);
	double three = 0.26 + z * sqrt(0.02 * 0.02 + 3 * 0.08 * 0.08);
	double got = chain_p99(1);
	/* The tables hold the percentile within 1e-6 relative (models/qtable.h). */
	cr_assert(fabs(got - one) <= 1e-5 * one, "p99 %.6f vs %.6f", got, one);
	cr_assert(got >= 0.39143 && got <= 1.02 * 0.39143, "%.5f vs the exact 0.39143", got);
	got = chain_p99(3);
	cr_assert(fabs(got - three) <= 1e-5 * three, "visits 3: p99 %.6f vs %.6f", got, three);
}

/* months_over budget, by the month's bill: 2 fixed instances at $0.60/h over 45 days (1080 h)
 * bill month 1 (730 h) 2 × 730 × 0.6 = $876 and month 2 (350 h) 2 × 350 × 0.6 = $420. Under
 * a budget of $877 neither is over (month 2 against 877 × 350/730 = $420.48); under $875
 * both are (month 2 against $419.52). */
static double months_over(double budget)
{
	char json[1024];
	snprintf(json, sizeof json,
		 "{ \"name\": \"budget\", \"version\": 1, \"horizon\": \"45d\", \"step\": \"1h\","
		 "  \"budget_monthly\": %g, \"traffic\": { \"base_rate\": 10 },"
		 "  \"instance_types\": [ { \"name\": \"m\", \"vcpu\": 2, \"memory_gib\": 8,"
		 "                          \"price_hourly\": 0.6 } ],"
		 "  \"regions\": [ { \"name\": \"r1\", \"zones\": [\"a\"] } ],"
		 "  \"tiers\": [ { \"name\": \"api\", \"instance_type\": \"m\","
		 "                 \"service_time\": \"20ms\", \"concurrency\": 4,"
		 "                 \"autoscaling\": { \"min\": 2, \"max\": 2 } } ] }", budget);
	struct scenario sc;
	parse(json, NULL, &sc);
	struct run_options o = { .seed = 1, .reps = 1, .threads = 1 };
	struct run_result r;
	cr_assert_eq(run_simulate(&sc, &o, &r), 0);
	cr_assert_eq(r.nbills, 2);
	cr_assert_float_eq(r.bills[0].mean, 876.0, 1e-9);
	cr_assert_float_eq(r.bills[1].mean, 420.0, 1e-9);
	double n = metric(&r, "budget_months_over");
	run_result_release(&r);
	scenario_release(&sc);
	return n;
}

Test(world, months_over_budget_by_each_bill_a_partial_month_prorated)
{
	cr_assert_eq(months_over(877), 0);
	cr_assert_eq(months_over(875), 2);
}

/* budget_exceeded is a probability estimated from k of n replications, so its interval is
 * Wilson's, as for the outages' shares: the fleet of months_over costs 876 USD a month
 * (2 × 0.6 × 730) in every replication. Under a budget of 875 the 4 replications are all over
 * it: 4 of 4, [4/(4 + z^2), 1] = [4/7.841459, 1] = [0.5101092, 1], where mean +- t sd gave
 * [1, 1]; under 877 none is: 0 of 4, [0, 1 - 0.5101092] = [0, 0.4898908], not [0, 0]. */
Test(world, budget_overrun_probability_has_a_wilson_interval)
{
	const double budgets[] = { 875, 877 };
	for (int b = 0; b < 2; b++) {
		char json[1024];
		snprintf(json, sizeof json,
			 "{ \"name\": \"budget\", \"version\": 1, \"horizon\": \"45d\","
			 "  \"step\": \"1h\", \"budget_monthly\": %g,"
			 "  \"traffic\": { \"base_rate\": 10 },"
			 "  \"instance_types\": [ { \"name\": \"m\", \"vcpu\": 2,"
			 "                          \"memory_gib\": 8, \"price_hourly\": 0.6 } ],"
			 "  \"regions\": [ { \"name\": \"r1\", \"zones\": [\"a\"] } ],"
			 "  \"tiers\": [ { \"name\": \"api\", \"instance_type\": \"m\","
			 "                 \"service_time\": \"20ms\", \"concurrency\": 4,"
			 "                 \"autoscaling\": { \"min\": 2, \"max\": 2 } } ] }",
			 budgets[b]);
		struct scenario sc;
		parse(json, NULL, &sc);
		struct run_options o = { .seed = 1, .reps = 4, .threads = 2 };
		struct run_result r;
		cr_assert_eq(run_simulate(&sc, &o, &r), 0);
		cr_assert_float_eq(metric(&r, "cost_monthly"), 876.0, 1e-9);
		const struct run_metric *m = run_find_metric(&r, "budget_exceeded");
		cr_assert_not_null(m);
		if (b == 0) {
			cr_assert_eq(m->stat.mean, 1.0);
			cr_assert_float_eq(m->stat.ci95_low, 0.5101092, 1e-6);
			cr_assert_eq(m->stat.ci95_high, 1.0);
		} else {
			cr_assert_eq(m->stat.mean, 0.0);
			cr_assert_eq(m->stat.ci95_low, 0.0);
			cr_assert_float_eq(m->stat.ci95_high, 0.4898908, 1e-6);
		}
		cr_assert_eq(m->stat.p50, m->stat.mean, "the percentiles stay the replications'");
		run_result_release(&r);
		scenario_release(&sc);
	}
}

/* A folder for a scenario with a trace: dir (a mkdtemp template, filled in), the CSV file
 * dir/name holding text (its path in csv) and the scenario's path dir/s.json in path, from
 * which the trace's relative name resolves. */
static void trace_dir(char *dir, const char *name, const char *text, char *csv, char *path,
		      size_t len)
{
	cr_assert_not_null(mkdtemp(dir));
	snprintf(csv, len, "%s/%s", dir, name);
	FILE *f = fopen(csv, "w");
	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
	snprintf(path, len, "%s/s.json", dir);
}

/* Target tracking meets a step increase of traffic after the evaluation period plus the boot
 * time. A trace gives 200 req/s for the first hour, then 560. One instance sustains 100 req/s
 * (capacity_rps); target 0.5, tolerance 0.1, no metric delay, 60 s period; boot exactly 120 s
 * (median = p95); timeout 100 ms; min 4, max 20, starting at 4.
 * Before: utilisation 200 / 400 = 0.5, on target: 4 instances.
 * At t = 3600 the load becomes 560 (utilisation 1.4, measured as 1.0: a CPU is at most busy).
 * The evaluation at t = 3660 sees 4 busy instances over [3600, 3660) -> desired =
 * ceil(4 × 1.0 / 0.5) = 8; they boot until 3780. At 3720 the same -> 8, no change. At 3780
 * the 8 are in service; the window [3720, 3780) had 4 busy -> metric 4/8 = 0.5: on target.
 * Step [3780, 3840) serves 560 req/s plus the 40 requests the timeout let wait (100 × 4 ×
 * 0.1 s): utilisation (560 × 60 + 40) / (800 × 60) = 0.70083 -> at 3840 desired =
 * ceil(8 × 0.70083 / 0.5) = ceil(11.21) = 12, in service at 3960. Then 560 / 1200 = 0.467,
 * within 10% of the target: steady at 12. */
Test(world, step_increase_met_after_evaluation_and_boot)
{
	char dir[] = "/tmp/capsim-world-XXXXXX", csv[256], path[256];
	trace_dir(dir, "step.csv", "time_s,requests_per_s\n0,200\n3600,560\n", csv, path,
		  sizeof csv);
	const char *json =
		"{ \"name\": \"step\", \"version\": 1, \"horizon\": \"3h\", \"step\": \"1m\","
		"  \"traffic\": { \"trace\": \"step.csv\" },"
		"  \"instance_types\": [ { \"name\": \"m\", \"vcpu\": 2, \"memory_gib\": 8,"
		"                          \"price_hourly\": 0.1 } ],"
		"  \"regions\": [ { \"name\": \"r1\", \"zones\": [\"a\"] } ],"
		"  \"tiers\": [ { \"name\": \"api\", \"instance_type\": \"m\","
		"    \"capacity_rps\": 100, \"boot_time\": { \"median\": \"2m\", \"p95\": \"2m\" },"
		"    \"timeout\": \"100ms\","
		"    \"autoscaling\": { \"min\": 4, \"max\": 20,"
		"      \"target_tracking\": { \"target\": 0.5, \"metric_delay\": 0,"
		"                             \"metric_period\": \"1m\" } } } ] }";
	struct scenario sc;
	parse(json, path, &sc);
	struct run_options o = { .seed = 3, .reps = 1, .threads = 1, .bucket = 60 };
	struct run_result r;
	cr_assert_eq(run_simulate(&sc, &o, &r), 0);
	cr_assert_eq(r.nbuckets, 180);
	/* Bucket b = step b covers [60b, 60b + 60). Series 0 is the pool. */
	for (size_t b = 0; b < r.nbuckets; b++) {
		double t = 60.0 * (double)b;
		double n = run_ts(&r, b, 0, RUN_TS_IN_SERVICE);
		double want = t < 3780 ? 4 : (t < 3960 ? 8 : 12);
		cr_assert_float_eq(n, want, 1e-12, "t = %g s: %g in service, want %g", t, n, want);
	}
	/* Instances running (booting too) rise at the evaluations themselves. */
	cr_assert_float_eq(run_ts(&r, 3660 / 60, 0, RUN_TS_INSTANCES), 8, 1e-12);
	cr_assert_float_eq(run_ts(&r, 3840 / 60, 0, RUN_TS_INSTANCES), 12, 1e-12);
	cr_assert_float_eq(metric(&r, "scaling_actions"), 2, 1e-12);
	run_result_release(&r);
	scenario_release(&sc);
	unlink(csv);
	rmdir(dir);
}

/* The step of traffic of step_increase_met_after_evaluation_and_boot (200 -> 560 req/s at
 * 3600 s on 4 × 100 req/s) on a pool with step scaling alone, a band [0.7, inf) adding 4, no
 * cooldown, run at a step of `step_s` seconds: the time of its first scale-out, and the
 * instances running in the steps starting `before` and `at` (4, then 8). */
static double step_scaling_first_scale_out(int step_s, double before, double at)
{
	char dir[] = "/tmp/capsim-world-XXXXXX", csv[256], path[256], json[2048];
	trace_dir(dir, "step.csv", "time_s,requests_per_s\n0,200\n3600,560\n", csv, path,
		  sizeof csv);
	snprintf(json, sizeof json,
		 "{ \"name\": \"step\", \"version\": 1, \"horizon\": \"2h\", \"step\": %d,"
		 "  \"traffic\": { \"trace\": \"step.csv\" },"
		 "  \"instance_types\": [ { \"name\": \"m\", \"vcpu\": 2, \"memory_gib\": 8,"
		 "                          \"price_hourly\": 0.1 } ],"
		 "  \"regions\": [ { \"name\": \"r1\", \"zones\": [\"a\"] } ],"
		 "  \"tiers\": [ { \"name\": \"api\", \"instance_type\": \"m\","
		 "    \"capacity_rps\": 100, \"boot_time\": { \"median\": \"2m\", \"p95\": \"2m\" },"
		 "    \"timeout\": \"100ms\","
		 "    \"autoscaling\": { \"min\": 4, \"max\": 20,"
		 "      \"step_scaling\": { \"cooldown\": \"0s\", \"adjustments\": ["
		 "        { \"lower\": 0, \"upper\": 0.7, \"change\": 0 },"
		 "        { \"lower\": 0.7, \"change\": 4 } ] } } } ] }", step_s);
	struct scenario sc;
	parse(json, path, &sc);
	struct run_options o = { .seed = 3, .reps = 1, .threads = 1, .bucket = step_s };
	struct run_result r;
	cr_assert_eq(run_simulate(&sc, &o, &r), 0);
	double first = INFINITY;
	for (size_t i = 0; i < r.nevents && isinf(first); i++)
		if (strcmp(r.events[i].kind, "scale_out") == 0)
			first = r.events[i].time;
	cr_assert_float_eq(run_ts(&r, (size_t)(before / step_s), 0, RUN_TS_INSTANCES), 4, 1e-12);
	cr_assert_float_eq(run_ts(&r, (size_t)(at / step_s), 0, RUN_TS_INSTANCES), 8, 1e-12);
	run_result_release(&r);
	scenario_release(&sc);
	unlink(csv);
	rmdir(dir);
	return first;
}

/* Step scaling alone sees the metric a minute late, as target tracking does by default
 * (metric_delay 60 s). At a 1-minute step, the evaluation at 3660 reads the window
 * [3540, 3600), at 50%: no change; at 3720 it reads [3600, 3660), at 100%: 8 instances.
 * Without the delay it would have been 3660. */
Test(world, step_scaling_sees_the_metric_a_minute_late)
{
	cr_assert_float_eq(step_scaling_first_scale_out(60, 3660, 3720), 3720, 1e-9);
}

/* The metric delay is rounded to the nearest whole step, not up: at a 5-minute step the 60 s
 * delay is 0 steps, so the evaluation at 3900 reads the step just ended, [3600, 3900), at
 * 100%, and adds 4 (its window is then 1-6 minutes old where AWS's is 1-2; rounded up it read
 * [3300, 3600), at 50%, and the first scale-out waited until 4200). The 60 s period rounds up
 * to one step. */
Test(world, metric_delay_rounds_to_the_nearest_step)
{
	cr_assert_float_eq(step_scaling_first_scale_out(300, 3600, 3900), 3900, 1e-9);
}

/* The fixed fleet of fixed_fleet_matches_the_closed_form (M/M/10, S = 100 ms, a 500 ms
 * timeout) fed 90 req/s but 150 for the hour from 3600 s. At 90 the p99 is M/M/10's (0.625 s,
 * below a 0.8 s target); overloaded it is the 0.5 s the timeout lets wait plus the service's
 * 0.1 ln 100 = 0.4605 s, above it, in the hour's 60 steps and the step at 7200 that drains
 * the 50 left waiting. Steps: 1 - 61/1440 met the target. Requests: 60 × 60 × 150 + 60 × 90 =
 * 545,400 of 90 × 82,800 + 150 × 3600 = 7,992,000 were in the steps that missed it, so
 * 1 - 545,400/7,992,000 = 0.93176 were in steps that met it: fewer than the steps' share,
 * the bad hour being busy. */
Test(world, the_share_of_requests_in_steps_meeting_the_latency_target)
{
	char dir[] = "/tmp/capsim-world-XXXXXX", csv[256], path[256];
	trace_dir(dir, "hour.csv", "time_s,requests_per_s\n0,90\n3600,150\n7200,90\n", csv, path,
		  sizeof csv);
	const char *json =
		"{ \"name\": \"hour\", \"version\": 1, \"horizon\": \"1d\", \"step\": \"1m\","
		"  \"slo\": { \"availability\": 0.9, \"latency_percentile\": 99,"
		"            \"latency_target\": \"800ms\" },"
		"  \"traffic\": { \"trace\": \"hour.csv\" },"
		"  \"instance_types\": [ { \"name\": \"m\", \"vcpu\": 2, \"memory_gib\": 8,"
		"                          \"price_hourly\": 0.096 } ],"
		"  \"regions\": [ { \"name\": \"r1\", \"zones\": [\"a\", \"b\"] } ],"
		"  \"tiers\": [ { \"name\": \"api\", \"instance_type\": \"m\", \"service_time\": \"100ms\","
		"                 \"concurrency\": 2, \"timeout\": \"500ms\","
		"                 \"autoscaling\": { \"min\": 5, \"max\": 5 } } ] }";
	struct scenario sc;
	parse(json, path, &sc);
	struct run_options o = { .seed = 1, .reps = 1, .threads = 1 };
	struct run_result r;
	cr_assert_eq(run_simulate(&sc, &o, &r), 0);
	cr_assert_float_eq(metric(&r, "latency_slo_steps"), 1.0 - 61.0 / 1440.0, 1e-12);
	cr_assert_float_eq(metric(&r, "latency_slo_requests"), 1.0 - 545400.0 / 7992000.0, 1e-9);
	run_result_release(&r);
	scenario_release(&sc);
	unlink(csv);
	rmdir(dir);
}

/* The time of replication 0's first scale_in event, or INFINITY. */
static double first_scale_in_of(const struct run_result *r)
{
	for (size_t i = 0; i < r->nevents; i++)
		if (strcmp(r->events[i].kind, "scale_in") == 0)
			return r->events[i].time;
	return INFINITY;
}

/* The first scale_in of replication 0 of the step-down scenario below with target tracking's
 * `warmup` set to `warmup`. */
static double first_scale_in(const char *warmup)
{
	char dir[] = "/tmp/capsim-world-XXXXXX", csv[256], path[256], json[2048];
	trace_dir(dir, "down.csv", "time_s,requests_per_s\n0,560\n1800,200\n", csv, path,
		  sizeof csv);
	snprintf(json, sizeof json,
		"{ \"name\": \"down\", \"version\": 1, \"horizon\": \"2h\", \"step\": \"1m\","
		"  \"traffic\": { \"trace\": \"down.csv\" },"
		"  \"instance_types\": [ { \"name\": \"m\", \"vcpu\": 2, \"memory_gib\": 8,"
		"                          \"price_hourly\": 0.1 } ],"
		"  \"regions\": [ { \"name\": \"r1\", \"zones\": [\"a\"] } ],"
		"  \"tiers\": [ { \"name\": \"api\", \"instance_type\": \"m\","
		"    \"capacity_rps\": 100, \"boot_time\": { \"median\": \"2m\", \"p95\": \"2m\" },"
		"    \"timeout\": \"100ms\","
		"    \"autoscaling\": { \"min\": 4, \"max\": 20,"
		"      \"target_tracking\": { \"target\": 0.5, \"metric_delay\": 0,"
		"                             \"metric_period\": \"1m\", \"warmup\": \"%s\" } } } ] }",
		warmup);
	struct scenario sc;
	parse(json, path, &sc);
	struct run_options o = { .seed = 3, .reps = 1, .threads = 1 };
	struct run_result r;
	cr_assert_eq(run_simulate(&sc, &o, &r), 0);
	double at = first_scale_in_of(&r);
	run_result_release(&r);
	scenario_release(&sc);
	unlink(csv);
	rmdir(dir);
	return at;
}

/* No scale-in while instances warm up (as AWS blocks it). 560 req/s from the start on 4
 * instances of 100 req/s, target 0.5: as in the test above the fleet goes to 8 at t = 60 and
 * to 12 at t = 240, the last launch ready at 240 + 120 = 360 s. At 1800 s the load falls to
 * 200 req/s: target tracking recommends ceil(12 × 200/1200 / 0.5) = 4, and scales in once its
 * 300 s stabilisation window holds only that, by 1800 + 60 + 300 + 60 = 2220 s. With a warm-up
 * of 1 h, the last instance warms up until 360 + 3600 = 3960 s: the scale-in waits for the
 * evaluation at 3960 s exactly. */
Test(world, no_scale_in_before_the_last_launch_has_warmed_up)
{
	double quick = first_scale_in("0s"), held = first_scale_in("1h");
	cr_assert(quick >= 1800 && quick <= 2220, "warm-up 0: first scale-in at %g s", quick);
	cr_assert_float_eq(held, 3960, 1e-9, "warm-up 1 h: first scale-in at %g s", held);
}

/* The starting fleet is in service at t = 0 and does not warm up: 30 instances of 100 req/s
 * for 100 req/s (target 0.6 recommends ceil(30 × (100/3000) / 0.6) = 2) scale in as soon as
 * the 300 s stabilisation window allows, though `warmup` is 1 h. The first evaluation is at
 * t = 60 and the window then holds only 2s, so the scale-in comes within the first 6 minutes,
 * not after the hour. */
Test(world, the_starting_fleet_does_not_hold_scale_in)
{
	const char *json =
		"{ \"name\": \"start\", \"version\": 1, \"horizon\": \"6h\", \"step\": \"1m\","
		"  \"traffic\": { \"base_rate\": 100 },"
		"  \"instance_types\": [ { \"name\": \"m\", \"vcpu\": 2, \"memory_gib\": 8,"
		"                          \"price_hourly\": 0.1 } ],"
		"  \"regions\": [ { \"name\": \"r1\", \"zones\": [\"a\"] } ],"
		"  \"tiers\": [ { \"name\": \"api\", \"instance_type\": \"m\","
		"    \"capacity_rps\": 100, \"boot_time\": { \"median\": \"2m\", \"p95\": \"2m\" },"
		"    \"autoscaling\": { \"min\": 1, \"max\": 40, \"desired\": 30,"
		"      \"target_tracking\": { \"target\": 0.6, \"warmup\": \"1h\" } } } ] }";
	struct scenario sc;
	parse(json, NULL, &sc);
	struct run_options o = { .seed = 1, .reps = 1, .threads = 1 };
	struct run_result r;
	cr_assert_eq(run_simulate(&sc, &o, &r), 0);
	double at = first_scale_in_of(&r);
	cr_assert(at <= 360, "first scale-in at %g s", at);
	run_result_release(&r);
	scenario_release(&sc);
}

/* Once the starting fleet has gone, the metric again waits for a warm instance: 150 req/s
 * on instances of 100 req/s, target 0.75, warm-up 10 min, boots of exactly 30 s. The 2
 * starting instances go at 01:00 (scheduled desired 0); at 02:00 desired 1 launches one,
 * in service at 7230 s and warm at 7830 s, so the first evaluation with a metric, and the
 * first policy scale-out, is at 7860 s, as for a pool that starts with no instance. (The
 * starting fleet, warm from 0, once left the pool warm from 0 for good: the new instance's
 * overload scaled out at 7380 s, inside its warm-up.) */
Test(world, the_metric_waits_for_a_warm_instance_after_the_starting_fleet_left)
{
	const char *json =
		"{ \"name\": \"warm\", \"version\": 1, \"horizon\": \"3h\", \"step\": \"1m\","
		"  \"traffic\": { \"base_rate\": 150 },"
		"  \"instance_types\": [ { \"name\": \"m\", \"vcpu\": 2, \"memory_gib\": 8,"
		"                          \"price_hourly\": 0.1 } ],"
		"  \"regions\": [ { \"name\": \"r\", \"zones\": [\"a\"] } ],"
		"  \"tiers\": [ { \"name\": \"api\", \"instance_type\": \"m\", \"capacity_rps\": 100,"
		"    \"boot_time\": { \"median\": \"30s\", \"p95\": \"30s\" },"
		"    \"autoscaling\": { \"min\": 0, \"max\": 20, \"desired\": 2,"
		"      \"target_tracking\": { \"target\": 0.75, \"warmup\": \"10m\" },"
		"      \"scheduled\": [ { \"at\": \"01:00\", \"desired\": 0 },"
		"                       { \"at\": \"02:00\", \"desired\": 1 } ] } } ] }";
	struct scenario sc;
	parse(json, NULL, &sc);
	struct run_options o = { .seed = 1, .reps = 1, .threads = 1 };
	struct run_result r;
	cr_assert_eq(run_simulate(&sc, &o, &r), 0);
	double at = INFINITY;
	for (size_t i = 0; i < r.nevents && !isfinite(at); i++)
		if (strcmp(r.events[i].kind, "scale_out") == 0 &&
		    strncmp(r.events[i].detail, "policy", 6) == 0)
			at = r.events[i].time;
	cr_assert_float_eq(at, 7860, 1e-9, "first policy scale-out at %g s", at);
	run_result_release(&r);
	scenario_release(&sc);
}

/* One tier "api" of 100 requests/s per instance in one region, booting in exactly 2 minutes,
 * with target tracking at 0.5 evaluated every minute on the step before (no metric delay, no
 * warm-up); `rate` requests/s over `horizon`; `bounds` the autoscaling's other keys. */
static void one_tracked_tier(char *buf, size_t n, const char *horizon, double rate,
			     const char *bounds)
{
	snprintf(buf, n,
		 "{ \"name\": \"tt\", \"version\": 1, \"horizon\": \"%s\", \"step\": \"1m\","
		 "  \"traffic\": { \"base_rate\": %g },"
		 "  \"instance_types\": [ { \"name\": \"m\", \"vcpu\": 2, \"memory_gib\": 8,"
		 "                          \"price_hourly\": 0.1 } ],"
		 "  \"regions\": [ { \"name\": \"r1\", \"zones\": [\"a\"] } ],"
		 "  \"tiers\": [ { \"name\": \"api\", \"instance_type\": \"m\","
		 "    \"capacity_rps\": 100, \"boot_time\": { \"median\": \"2m\", \"p95\": \"2m\" },"
		 "    \"autoscaling\": { %s,"
		 "      \"target_tracking\": { \"target\": 0.5, \"metric_delay\": 0, \"warmup\": 0,"
		 "                             \"metric_period\": \"1m\" } } } ] }",
		 horizon, rate, bounds);
}

/* A pool brought back from zero is not scaled in by a metric window it was dark in: with no
 * instance in service the window has no data (as a utilisation alarm with no instance
 * reporting), not an idle fleet. Constant 100 requests/s, capacity 100 requests/s an
 * instance, target 0.5, no metric delay, no warm-up, boot exactly 2 min. At 01:00 a scheduled
 * action sets desired 2: launched at 3600 s, in service at 3720 s (step 62). Steps 0 to 61
 * are dark. The evaluation at step 62 would see step 61's busy sum 0 and recommend
 * ceil(2 × 0) = 0; its window has no data instead. From step 63 on the window (the step
 * before) reads 100 / (2 × 100) = 0.5 = the target: no change. So 0 in service before 3720 s,
 * 2 from then to the end. */
Test(world, a_pool_back_from_zero_is_not_scaled_in_by_its_dark_window)
{
	char json[2048];
	one_tracked_tier(json, sizeof json, "3h", 100, "\"min\": 0, \"max\": 10, \"desired\": 0, "
			 "\"scheduled\": [ { \"at\": \"01:00\", \"desired\": 2 } ]");
	struct scenario sc;
	parse(json, "dark.json", &sc);
	struct run_options o = { .seed = 5, .reps = 1, .threads = 1, .bucket = 60 };
	struct run_result r;
	cr_assert_eq(run_simulate(&sc, &o, &r), 0);
	cr_assert_eq(r.nbuckets, 180);
	for (size_t b = 0; b < r.nbuckets; b++) {
		double t = 60.0 * (double)b, want = t < 3720 ? 0 : 2;
		cr_assert_eq(run_ts(&r, b, 0, RUN_TS_IN_SERVICE), want, "t = %g s: %g in service, "
			     "want %g", t, run_ts(&r, b, 0, RUN_TS_IN_SERVICE), want);
	}
	run_result_release(&r);
	scenario_release(&sc);
}

/* The time a pool is held at its autoscaling max. 1000 requests/s against 100 per instance,
 * min 2, max 5, target 0.5, no metric delay, no warm-up, boot exactly 2 min, one hour. Each
 * evaluation (every minute) reads the step before it; an overloaded pool is 100% busy.
 *   k = 1 (60 s): 2 busy of 2 in service, metric 1, ceil(2 × 1/0.5) = 4: desired 4.
 *   k = 2: the same window again: 4, held.
 *   k = 3 (180 s): the two new ones are in service; the window (step 2) had 2 busy, so the
 *     metric is 2 / 4 = 0.5, the target: held.
 *   k = 4 (240 s): 4 busy of 4, metric 1, ceil(4 × 2) = 8, clamped to 5: at max from 240 s.
 * So (3600 - 240) / 3600 = 0.93333 of the hour at max. A fixed fleet (min = max) is never
 * counted: it has no policy to be held back. */
Test(world, time_at_the_autoscaling_max_by_hand)
{
	char json[2048];
	one_tracked_tier(json, sizeof json, "1h", 1000, "\"min\": 2, \"max\": 5");
	struct scenario sc;
	parse(json, "capped.json", &sc);
	struct run_options o = { .seed = 9, .reps = 2, .threads = 1, .bucket = 60 };
	struct run_result r;
	cr_assert_eq(run_simulate(&sc, &o, &r), 0);
	cr_assert_float_eq(metric(&r, "at_max.api.r1"), (3600.0 - 240.0) / 3600.0, 1e-12);
	cr_assert_float_eq(run_ts(&r, 4, 0, RUN_TS_INSTANCES), 5, 1e-12, "5 from 240 s");
	cr_assert_float_eq(run_ts(&r, 3, 0, RUN_TS_INSTANCES), 4, 1e-12, "4 before");
	run_result_release(&r);
	scenario_release(&sc);
	parse(fixed_fleet, "fixed.json", &sc);
	cr_assert_eq(run_simulate(&sc, &o, &r), 0);
	cr_assert_null(run_find_metric(&r, "at_max.api.r1"), "no policy, no row");
	run_result_release(&r);
	scenario_release(&sc);
}

/* A trace whose rows are one step apart is replayed exactly: the demand of every step is the
 * trace's rate (no noise, no spikes, bucket = step). */
Test(world, trace_replayed_exactly)
{
	char dir[] = "/tmp/capsim-world-XXXXXX", csv[256], path[256], text[1024];
	double rates[12];
	size_t n = (size_t)snprintf(text, sizeof text, "time_s,requests_per_s\n");
	for (int i = 0; i < 12; i++) {
		rates[i] = 50.0 + 37.5 * (i % 5) + 0.25 * i;
		n += (size_t)snprintf(text + n, sizeof text - n, "%d,%.17g\n", 300 * i, rates[i]);
	}
	trace_dir(dir, "t.csv", text, csv, path, sizeof csv);
	const char *json =
		"{ \"name\": \"tr\", \"version\": 1, \"horizon\": \"1h\", \"step\": \"5m\","
		"  \"traffic\": { \"trace\": \"t.csv\", \"regions\": { \"r1\": 0.25, \"r2\": 0.75 } },"
		"  \"instance_types\": [ { \"name\": \"m\", \"vcpu\": 2, \"memory_gib\": 8,"
		"                          \"price_hourly\": 0.1 } ],"
		"  \"regions\": [ { \"name\": \"r1\", \"zones\": [\"a\"] },"
		"                 { \"name\": \"r2\", \"zones\": [\"a\"] } ],"
		"  \"tiers\": [ { \"name\": \"api\", \"instance_type\": \"m\","
		"    \"capacity_rps\": 1000, \"autoscaling\": { \"min\": 1, \"max\": 1 } } ] }";
	struct scenario sc;
	parse(json, path, &sc);
	struct run_options o = { .seed = 3, .reps = 1, .threads = 1, .bucket = 300 };
	struct run_result r;
	cr_assert_eq(run_simulate(&sc, &o, &r), 0);
	cr_assert_eq(r.nbuckets, 12);
	cr_assert_eq(r.nseries, 4);   /* api@r1, api@r2, all@r1, all@r2 */
	for (size_t b = 0; b < 12; b++) {
		cr_assert_float_eq(run_ts(&r, b, 2, RUN_TS_DEMAND), 0.25 * rates[b],
				   1e-12 * rates[b]);
		cr_assert_float_eq(run_ts(&r, b, 3, RUN_TS_DEMAND), 0.75 * rates[b],
				   1e-12 * rates[b]);
		cr_assert_float_eq(run_ts(&r, b, 0, RUN_TS_DEMAND), 0.25 * rates[b],
				   1e-12 * rates[b]);
	}
	run_result_release(&r);
	scenario_release(&sc);
	unlink(csv);
	rmdir(dir);
}

/* A trace repeated every hour: 100 requests/s for its first half hour, 300 for the second.
 * 40-minute steps straddle the period: [0, 2400) is 1800 s at 100 and 600 at 300, mean 150;
 * [2400, 4800) is 1200 s at 300 (to 3600) and 1200 at 100 (the next hour's start), mean
 * 200; [4800, 7200) is offsets [1200, 3600): 600 s at 100 and 1800 at 300, mean 250. */
Test(world, a_trace_with_a_period_repeats)
{
	char dir[] = "/tmp/capsim-world-XXXXXX", csv[256], path[256];
	trace_dir(dir, "p.csv", "time_s,requests_per_s\n0,100\n1800,300\n", csv, path,
		  sizeof csv);
	const char *json =
		"{ \"name\": \"per\", \"version\": 1, \"horizon\": \"2h\", \"step\": \"40m\","
		"  \"traffic\": { \"trace\": \"p.csv\", \"trace_period\": \"1h\" },"
		"  \"instance_types\": [ { \"name\": \"m\", \"vcpu\": 2, \"memory_gib\": 8,"
		"                          \"price_hourly\": 0.1 } ],"
		"  \"regions\": [ { \"name\": \"r1\", \"zones\": [\"a\"] } ],"
		"  \"tiers\": [ { \"name\": \"api\", \"instance_type\": \"m\","
		"    \"capacity_rps\": 1000, \"autoscaling\": { \"min\": 1, \"max\": 1 } } ] }";
	struct scenario sc;
	parse(json, path, &sc);
	struct run_options o = { .seed = 3, .reps = 1, .threads = 1, .bucket = 2400 };
	struct run_result r;
	cr_assert_eq(run_simulate(&sc, &o, &r), 0);
	cr_assert_eq(r.nbuckets, 3);
	static const double want[3] = { 150, 200, 250 };
	for (size_t b = 0; b < 3; b++)
		cr_assert_float_eq(run_ts(&r, b, 0, RUN_TS_DEMAND), want[b], 1e-12 * want[b],
				   "step %zu: %g", b, run_ts(&r, b, 0, RUN_TS_DEMAND));
	run_result_release(&r);
	scenario_release(&sc);
	unlink(csv);
	rmdir(dir);
}

/* A tier placed in one region serves the flow of every region; its downstream latency and
 * losses reach each region's chain. */
Test(world, unplaced_region_routes_to_the_placed_one)
{
	const char *json =
		"{ \"name\": \"route\", \"version\": 1, \"horizon\": \"1h\", \"step\": \"1m\","
		"  \"traffic\": { \"base_rate\": 100, \"regions\": { \"r1\": 0.6, \"r2\": 0.4 } },"
		"  \"instance_types\": [ { \"name\": \"m\", \"vcpu\": 2, \"memory_gib\": 8,"
		"                          \"price_hourly\": 0.1 } ],"
		"  \"regions\": [ { \"name\": \"r1\", \"zones\": [\"a\"] },"
		"                 { \"name\": \"r2\", \"zones\": [\"a\"] } ],"
		"  \"tiers\": [ { \"name\": \"web\", \"instance_type\": \"m\", \"calls\": \"db\","
		"    \"capacity_rps\": 1000, \"autoscaling\": { \"min\": 1, \"max\": 1 } },"
		"    { \"name\": \"db\", \"instance_type\": \"m\", \"capacity_rps\": 1000,"
		"      \"visits\": 2, \"placement\": { \"regions\": [\"r1\"] },"
		"      \"autoscaling\": { \"min\": 1, \"max\": 1 } } ] }";
	struct scenario sc;
	parse(json, NULL, &sc);
	struct run_options o = { .seed = 3, .reps = 1, .threads = 1, .bucket = 3600 };
	struct run_result r;
	cr_assert_eq(run_simulate(&sc, &o, &r), 0);
	/* Pools: web@r1, web@r2, db@r1. db receives 2 visits × (60 + 40) = 200 req/s. */
	cr_assert_eq(r.nseries, 5);
	cr_assert_eq(r.series[2].tier, 1);
	cr_assert_float_eq(run_ts(&r, 0, 2, RUN_TS_DEMAND), 200.0, 1e-9);
	cr_assert_float_eq(run_ts(&r, 0, 0, RUN_TS_DEMAND), 60.0, 1e-9);
	cr_assert_float_eq(run_ts(&r, 0, 1, RUN_TS_DEMAND), 40.0, 1e-9);
	/* Three instance-hours at 0.1 USD. */
	cr_assert_float_eq(metric(&r, "cost_total"), 0.3, 1e-12);
	run_result_release(&r);
	scenario_release(&sc);
}

/* Users peaking at their own hours: each region's demand is its share of its own sine. One
 * day of hour-long steps (a step offers the shape's mean over it: a cosine's mean over an
 * hour is its value at the middle, h + 0.5, times sin(π/24) / (π/24)), no noise, a Monday
 * (no weekend factor), no growth: by hand region r offers
 * 100 × share_r × (1 + 0.5 cos(2π (h + 0.5 − peak_r) / 24) sin(π/24) / (π/24)) in hour h,
 * and the pools, placed in both regions, take their own region's. */
Test(world, regions_peaking_apart_each_offer_their_own_sine)
{
	const char *json =
		"{ \"name\": \"tz\", \"version\": 1, \"horizon\": \"1d\", \"step\": \"1h\","
		"  \"traffic\": { \"base_rate\": 100, \"daily\": { \"amplitude\": 0.5 },"
		"    \"regions\": { \"r1\": { \"share\": 0.6, \"peak_hour\": 19 },"
		"                   \"r2\": { \"share\": 0.4, \"peak_hour\": 1 } } },"
		"  \"instance_types\": [ { \"name\": \"m\", \"vcpu\": 2, \"memory_gib\": 8,"
		"                          \"price_hourly\": 0.1 } ],"
		"  \"regions\": [ { \"name\": \"r1\", \"zones\": [\"a\"] },"
		"                 { \"name\": \"r2\", \"zones\": [\"a\"] } ],"
		"  \"tiers\": [ { \"name\": \"api\", \"instance_type\": \"m\","
		"    \"capacity_rps\": 1000, \"autoscaling\": { \"min\": 1, \"max\": 1 } } ] }";
	struct scenario sc;
	parse(json, NULL, &sc);
	struct run_options o = { .seed = 3, .reps = 1, .threads = 1, .bucket = 3600 };
	struct run_result r;
	cr_assert_eq(run_simulate(&sc, &o, &r), 0);
	cr_assert_eq(r.nbuckets, 24);
	cr_assert_eq(r.nseries, 4);   /* api@r1, api@r2, all@r1, all@r2 */
	const double pi = 3.14159265358979323846, share[2] = { 0.6, 0.4 }, peak[2] = { 19, 1 };
	const double sinc = sin(pi / 24) / (pi / 24);
	double offered = 0;
	for (size_t h = 0; h < 24; h++)
		for (size_t g = 0; g < 2; g++) {
			double want = 100 * share[g] *
				(1 + 0.5 * cos(2 * pi * ((double)h + 0.5 - peak[g]) / 24) * sinc);
			cr_assert_float_eq(run_ts(&r, h, 2 + g, RUN_TS_DEMAND), want, 1e-9 * want,
					   "hour %zu, region %zu", h, g);
			cr_assert_float_eq(run_ts(&r, h, g, RUN_TS_DEMAND), want, 1e-9 * want);
			offered += want * 3600;
		}
	/* Over a whole day each sine averages 1: 100 req/s x 86400 s offered (the midpoint sum
	 * of a cosine over 24 equal steps of a period is exactly 0, and so that sum times sinc). */
	cr_assert_float_eq(offered, 8640000, 1e-6);
	cr_assert_float_eq(metric(&r, "requests_offered"), 8640000, 1e-6);
	run_result_release(&r);
	scenario_release(&sc);
}

static int same_results(const struct run_result *a, const struct run_result *b)
{
	if (a->nmetrics != b->nmetrics || a->nbuckets != b->nbuckets ||
	    a->nseries != b->nseries || a->ncosts != b->ncosts || a->nevents != b->nevents)
		return 0;
	for (size_t i = 0; i < a->nmetrics; i++)
		if (memcmp(&a->metrics[i].stat, &b->metrics[i].stat, sizeof a->metrics[i].stat))
			return 0;
	if (memcmp(a->ts, b->ts, a->nbuckets * a->nseries * RUN_TS_NFIELDS * sizeof *a->ts))
		return 0;
	for (size_t i = 0; i < a->ncosts; i++)
		if (memcmp(&a->costs[i].stat, &b->costs[i].stat, sizeof a->costs[i].stat))
			return 0;
	for (size_t i = 0; i < a->nevents; i++)
		if (memcmp(&a->events[i], &b->events[i], sizeof a->events[i]))
			return 0;
	return 1;
}

/* The shop example (noise, spikes, every policy) over 3 days: the same seed gives
 * bit-identical results on 1 and 2 threads, and another seed does not. */
Test(world, seed_gives_identical_results_whatever_the_threads)
{
	struct scenario sc;
	struct scenario_error err;
	cr_assert_eq(scenario_load("scenarios/shop.json", &sc, &err), 0, "%s", err.msg);
	sc.horizon = 3 * 86400.0;
	struct run_options o = { .seed = 11, .reps = 6, .threads = 1 };
	struct run_result a, b, c;
	cr_assert_eq(run_simulate(&sc, &o, &a), 0);
	o.threads = 2;
	cr_assert_eq(run_simulate(&sc, &o, &b), 0);
	cr_assert(same_results(&a, &b), "1 thread and 2 threads differ");
	o.seed = 12;
	cr_assert_eq(run_simulate(&sc, &o, &c), 0);
	cr_assert(!same_results(&a, &c), "another seed gave the same results");
	/* Replications differ from each other (noise): a positive interval width. */
	const struct run_metric *m = run_find_metric(&a, "requests_offered");
	cr_assert(m->stat.ci95_high > m->stat.ci95_low);
	run_result_release(&a);
	run_result_release(&b);
	run_result_release(&c);
	scenario_release(&sc);
}

/* Costs split at month boundaries: the fixed fleet of 5 × 0.096 USD/h over 45 days (1080 h)
 * pays 5 × 730 × 0.096 = 350.4 USD in month 1 (730 h) and 5 × 350 × 0.096 = 168 USD in the
 * 350 h of month 2. */
Test(world, cost_split_by_month)
{
	char *json = strdup(fixed_fleet);
	char *p = strstr(json, "\"horizon\": \"1d\"");
	cr_assert_not_null(p);
	memcpy(p, "\"horizon\":\"45d\"", 15);
	struct scenario sc;
	parse(json, NULL, &sc);
	struct run_options o = { .seed = 1, .reps = 1, .threads = 1 };
	struct run_result r;
	cr_assert_eq(run_simulate(&sc, &o, &r), 0);
	cr_assert_eq(r.ncosts, 2);
	cr_assert_eq(r.costs[0].month, 0);
	cr_assert_eq(r.costs[1].month, 1);
	cr_assert_float_eq(r.costs[0].stat.mean, 350.4, 1e-9);
	cr_assert_float_eq(r.costs[1].stat.mean, 168.0, 1e-9);
	cr_assert_str_eq(r.costs[0].option, "on_demand");
	/* The time series' cost rate is 5 × 0.096 = 0.48 USD/h in every bucket. */
	for (size_t b = 0; b < r.nbuckets; b++)
		cr_assert_float_eq(run_ts(&r, b, 0, RUN_TS_COST_RATE), 0.48, 1e-9, "bucket %zu", b);
	run_result_release(&r);
	scenario_release(&sc);
	free(json);
}

/* Per-second billing has a 60-second minimum. Two scheduled actions fire at 07:00 in file
 * order: desired 5 (three launches), then desired 2 (the three newest terminated at once,
 * lifetime 0). Over one day: 2 instances × 24 h × 0.096 = 4.608 USD, plus 3 × 60 s ×
 * 0.096 / 3600 = 0.0048 USD for the three that ran 0 s: 4.6128 USD; instance-hours count the
 * time actually run (48 h). */
Test(world, billing_minimum_of_60_seconds)
{
	const char *json =
		"{ \"name\": \"bill\", \"version\": 1, \"horizon\": \"1d\", \"step\": \"1m\","
		"  \"traffic\": { \"base_rate\": 10 },"
		"  \"instance_types\": [ { \"name\": \"m\", \"vcpu\": 2, \"memory_gib\": 8,"
		"                          \"price_hourly\": 0.096 } ],"
		"  \"regions\": [ { \"name\": \"r1\", \"zones\": [\"a\"] } ],"
		"  \"tiers\": [ { \"name\": \"api\", \"instance_type\": \"m\", \"capacity_rps\": 100,"
		"    \"autoscaling\": { \"min\": 2, \"max\": 5, \"scheduled\": ["
		"      { \"at\": \"07:00\", \"desired\": 5 }, { \"at\": \"07:00\", \"desired\": 2 } ] } } ] }";
	struct scenario sc;
	parse(json, NULL, &sc);
	struct run_options o = { .seed = 1, .reps = 1, .threads = 1 };
	struct run_result r;
	cr_assert_eq(run_simulate(&sc, &o, &r), 0);
	cr_assert_float_eq(metric(&r, "cost_total"), 4.6128, 1e-12);
	cr_assert_float_eq(metric(&r, "instance_hours"), 48.0, 1e-12);
	cr_assert_float_eq(metric(&r, "scaling_actions"), 2, 1e-12);
	run_result_release(&r);
	scenario_release(&sc);
}
