/* run_simulate's accumulators: what a run keeps of each replication, and what it gives when it
 * keeps only some (RUN_SAMPLE_REPS, run_options.sample_reps). */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "models/run.h"
#include "models/scenario.h"

/* Noisy traffic on an autoscaled tier bought half on spot (so the all-on-demand counterfactual
 * and its paired savings are figures too), over two billing months, with a budget at the
 * monthly cost's mean (259.3 USD, its p5-p95 258.2-260.3 over 20 replications of seed 21), so
 * that budget_exceeded is a share strictly between 0 and 1: every kind of figure run_simulate
 * accumulates. */
static const char *const scenario_json =
	"{ \"name\": \"sample\", \"version\": 1, \"horizon\": \"45d\", \"step\": \"5m\","
	"  \"budget_monthly\": 259.3,"
	"  \"traffic\": { \"base_rate\": 200, \"daily\": { \"amplitude\": 0.5 }, \"noise\": 0.3 },"
	"  \"instance_types\": [ { \"name\": \"s\", \"vcpu\": 2, \"memory_gib\": 4,"
	"      \"price_hourly\": 0.1, \"spot_discount\": 0.7, \"spot_interruption\": \">20%\" } ],"
	"  \"regions\": [ { \"name\": \"r1\", \"zones\": [\"a\", \"b\"] } ],"
	"  \"tiers\": [ { \"name\": \"api\", \"instance_type\": \"s\", \"service_time\": \"50ms\","
	"    \"concurrency\": 4,"
	"    \"autoscaling\": { \"min\": 1, \"max\": 10, \"target_tracking\": { \"target\": 0.6 } },"
	"    \"purchase\": { \"on_demand_percentage_above_base\": 50, \"spot_types\": [\"s\"] } } ] }";

static void simulate(const struct scenario *sc, uint64_t reps, uint64_t keep,
		     struct run_result *r)
{
	struct run_options o = { .seed = 21, .reps = reps, .threads = 2, .sample_reps = keep };
	cr_assert_eq(run_simulate(sc, &o, r), 0);
}

static void same_bits(double got, double want, const char *what, const char *name)
{
	cr_assert(got == want || (isnan(got) && isnan(want)), "%s of %s: %.17g, want %.17g", what,
		  name, got, want);
}

/* The same 20 replications summarised keeping every value (all) and keeping the first 8
 * (some): the means and intervals come from the same running sums in the same order, so they
 * are equal to the bit, the shares' Wilson intervals from the same counts; the percentiles
 * are those of the first 8 replications, which a run of 8 (first8) computes exactly (a
 * replication's random numbers depend on its number, not on how many run). Costs and the
 * monthly bill alike. Nothing per replication is handed out for pairing. */
Test(run, a_run_keeping_some_replications_differs_only_in_its_percentiles)
{
	struct scenario sc;
	struct scenario_error err;
	cr_assert_eq(scenario_parse(scenario_json, strlen(scenario_json), NULL, &sc, &err), 0,
		     "%s", err.msg);
	struct run_result all, some, first8;
	simulate(&sc, 20, 0, &all);
	simulate(&sc, 20, 8, &some);
	simulate(&sc, 8, 0, &first8);
	cr_assert_not_null(all.rep_values);
	cr_assert_null(some.rep_values);
	cr_assert_eq(some.nmetrics, all.nmetrics);
	cr_assert_not_null(run_find_metric(&all, "savings_monthly_vs_on_demand"));
	const struct run_metric *share = run_find_metric(&all, "budget_exceeded");
	cr_assert_not_null(share);
	cr_assert(share->stat.mean > 0 && share->stat.mean < 1, "budget_exceeded %g: move the "
		  "budget so that the share is neither 0 nor 1", share->stat.mean);
	size_t moved = 0;
	for (size_t i = 0; i < all.nmetrics; i++) {
		const struct run_stat *a = &all.metrics[i].stat, *s = &some.metrics[i].stat,
				      *f = &first8.metrics[i].stat;
		const char *name = all.metrics[i].name;
		cr_assert_str_eq(some.metrics[i].name, name);
		same_bits(s->mean, a->mean, "mean", name);
		same_bits(s->ci95_low, a->ci95_low, "ci95_low", name);
		same_bits(s->ci95_high, a->ci95_high, "ci95_high", name);
		same_bits(s->p5, f->p5, "p5", name);
		same_bits(s->p50, f->p50, "p50", name);
		same_bits(s->p95, f->p95, "p95", name);
		moved += a->p50 != f->p50;
	}
	/* The test means something only if 8 replications' percentiles differ from 20's. */
	cr_assert_gt(moved, 3, "only %zu medians differ between 8 and 20 replications", moved);
	cr_assert_eq(some.ncosts, all.ncosts);
	for (size_t i = 0; i < all.ncosts; i++) {
		const struct run_cost *a = &all.costs[i], *s = &some.costs[i];
		cr_assert(s->month == a->month && s->region == a->region && s->tier == a->tier &&
			  strcmp(s->option, a->option) == 0);
		same_bits(s->stat.mean, a->stat.mean, "mean", a->option);
		same_bits(s->stat.ci95_high, a->stat.ci95_high, "ci95_high", a->option);
		for (size_t j = 0; j < first8.ncosts; j++) {
			const struct run_cost *f = &first8.costs[j];
			if (f->month == a->month && f->region == a->region && f->tier == a->tier &&
			    strcmp(f->option, a->option) == 0)
				same_bits(s->stat.p50, f->stat.p50, "p50", a->option);
		}
	}
	cr_assert_eq(all.nbills, 2);
	for (size_t m = 0; m < all.nbills; m++) {
		same_bits(some.bills[m].mean, all.bills[m].mean, "bill mean", "month");
		same_bits(some.bills[m].p10, first8.bills[m].p10, "bill p10", "month");
		same_bits(some.bills[m].p90, first8.bills[m].p90, "bill p90", "month");
		same_bits(some.bills[m].p95, first8.bills[m].p95, "bill p95", "month");
	}
	run_result_release(&all);
	run_result_release(&some);
	run_result_release(&first8);
	scenario_release(&sc);
}
