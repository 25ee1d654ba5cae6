/* The purchase optimizer against hand-worked bills, brute force and the variance it saves. */
#include <criterion/criterion.h>
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "models/optimize.h"
#include "models/scenario.h"
#include "sim/error.h"
#include "sim/stats.h"

/* A test's folder: its catalog and scenario file. */
struct fixture {
	char dir[64];
	char path[128];
};

static void fixture_init(struct fixture *f)
{
	snprintf(f->dir, sizeof f->dir, "/tmp/capsim-opt-XXXXXX");
	cr_assert_not_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof f->path, "%s/s.json", f->dir);
}

static void fixture_release(struct fixture *f)
{
	char p[160];
	snprintf(p, sizeof p, "%s/cat.csv", f->dir);
	unlink(p);
	rmdir(f->dir);
}

/* A catalog of two types in r1, on demand 1.00 USD/h each:
 *   x.large: a 1-year no-upfront reservation at `ri` USD/h (the other payment options dearer
 *            per hour than none of it matters here: partial 1000 USD + 0.20/h = 0.314/h,
 *            all upfront 2500 USD = 0.285/h, 3 years cheaper still), compute savings plan
 *            1y at 0.75 USD/h, spot 70% off in the "<5%" bucket;
 *   y.large: the same prices, spot 80% off in the same bucket (so that diversifying over
 *            both changes the bill: price-capacity-optimized then prefers y). */
static void write_catalog(const struct fixture *f, double ri)
{
	char cat[160];
	snprintf(cat, sizeof cat, "%s/cat.csv", f->dir);
	FILE *o = fopen(cat, "w");
	cr_assert_not_null(o);
	fprintf(o, "# date: 2026-11-23\n# source: test\n"
		"type,family,category,region,vcpu,memory_gib,on_demand,"
		"ri_1y_no_upfront_hourly,ri_1y_partial_upfront,ri_1y_partial_hourly,"
		"ri_1y_all_upfront,ri_3y_no_upfront_hourly,ri_3y_partial_upfront,"
		"ri_3y_partial_hourly,ri_3y_all_upfront,sp_compute_1y,sp_compute_3y,sp_family_1y,"
		"sp_family_3y,spot_discount,spot_interruption\n");
	fprintf(o, "x.large,x,general,r1,2,8,1.00,%.2f,1000,0.20,2500,0.25,3000,0.1,5000,"
		"0.75,0.55,0.65,0.45,0.7,<5%%\n", ri);
	fprintf(o, "y.large,y,general,r1,2,8,1.00,%.2f,1000,0.20,2500,0.25,3000,0.1,5000,"
		"0.75,0.55,0.65,0.45,0.8,<5%%\n", ri);
	fclose(o);
}

static void load(const struct fixture *f, const char *json, struct scenario *sc)
{
	struct scenario_error err;
	int rc = scenario_parse(json, strlen(json), f->path, sc, &err);
	cr_assert_eq(rc, 0, "scenario: %s", err.msg);
}

/* The break-even day, simulated: 10 instances for 16 hours and 20 for 8 (scheduled
 * at 08:00 and 16:00; instances are billed from launch to termination, so every hour uses
 * exactly 10 or 20 instance-hours). `commitments` selects what may be bought. */
static char *day_scenario(const char *commitments)
{
	char *json = malloc(4096);
	snprintf(json, 4096,
		 "{ \"name\": \"day\", \"version\": 1, \"horizon\": \"2d\", \"step\": \"1m\","
		 "  \"catalog\": \"cat.csv\", \"replications\": 2,"
		 "  \"traffic\": { \"base_rate\": 100 },"
		 "  \"regions\": [ { \"name\": \"r1\", \"zones\": [\"a\"] } ],"
		 "  \"tiers\": [ { \"name\": \"api\", \"instance_type\": \"x.large\","
		 "    \"capacity_rps\": 1000, \"boot_time\": { \"median\": \"1m\", \"p95\": \"1m\" },"
		 "    \"autoscaling\": { \"min\": 10, \"max\": 20, \"scheduled\": ["
		 "      { \"at\": \"08:00\", \"desired\": 20 }, { \"at\": \"16:00\", \"desired\": 10 } ] } } ],"
		 "  \"optimize\": { \"replications\": 2, \"final_replications\": 2,"
		 "    \"commitments\": [%s], \"tiers\": { \"api\": { \"spot\": false } } } }",
		 commitments);
	return json;
}

/* Reservation count k costs, per day, 24·k·fee + Σ_h max(0, u_h − k)·1.00. One more
 * reservation above 10 is used in 8 of 24 hours: it pays off when 8/24 = 1/3 >= fee/price.
 * At a price ratio of 0.3 the optimum is therefore 20 reservations, at 0.4 it is 10 (the
 * break-even quantile; C(10) = 24·10·0.4 + 8·10 = 176 < C(20) = 24·20·0.4 = 192 per day). */
static void break_even(double ratio, int expect)
{
	struct fixture f;
	fixture_init(&f);
	write_catalog(&f, ratio);
	char *json = day_scenario("\"reserved\"");
	struct scenario sc;
	load(&f, json, &sc);
	struct opt_options o = { .seed = 3, .threads = 2, .objective = -1 };
	struct opt_result r;
	cr_assert_eq(opt_run(&sc, &o, &r), 0);
	cr_assert_geq(r.best, 0, "no recommendation: %s", r.why);
	const struct opt_candidate *b = &r.c[r.best];
	cr_assert_eq(b->commit.nri, 1);
	cr_assert_eq(b->commit.ri[0].count, expect, "ratio %g: %d reserved, expected %d", ratio,
		     b->commit.ri[0].count, expect);
	cr_assert_eq(b->commit.sp_hourly, 0);
	/* Its bill: per day 24·k·fee + 8·(20 − k); a month is 730/48 of the 2-day horizon. */
	double day = 24 * expect * ratio + 8 * (20 - expect);
	cr_assert_float_eq(b->cost.mean, 2 * day * 730.0 / 48.0, 1e-6);
	/* Utilisation: k = 20 is used 16·10 + 8·20 = 320 of 480 reserved hours a day; k = 10
	 * always. Break-even: a year of fees over the on-demand cost replaced each month. */
	double used = expect == 20 ? 320.0 / 480.0 : 1.0;
	cr_assert_float_eq(b->commit.ri[0].utilization, used, 1e-9);
	double replaced = used * expect * 730.0 * 1.00;   /* USD a month */
	cr_assert_float_eq(b->commit.ri[0].breakeven_months,
			   expect * ratio * 8760.0 / replaced, 1e-9);
	opt_result_release(&r);
	scenario_release(&sc);
	free(json);
	fixture_release(&f);
}

/* The day above over 48.5 hours: the last half hour runs 10 instances, which the 10
 * reservations of a price ratio of 0.4 cover for 10 × 0.5 × 0.4 = 2.00 USD. The bill is
 * 2 × 176 + 2 = 354 USD over 48.5 h, 354 × 730 / 48.5 a month, and the reservations are
 * used in every hour they are paid for: utilisation 1 (the part of an hour once counted
 * as a whole one, 485 of 490 reserved hours: 0.99). */
Test(optimize, a_last_half_hour_reserves_half_an_hour)
{
	struct fixture f;
	fixture_init(&f);
	write_catalog(&f, 0.4);
	char *day = day_scenario("\"reserved\"");
	char *at = strstr(day, "\"2d\""), json[4096];
	cr_assert_not_null(at);
	snprintf(json, sizeof json, "%.*s\"2910m\"%s", (int)(at - day), day, at + 4);
	struct scenario sc;
	load(&f, json, &sc);
	struct opt_options o = { .seed = 3, .threads = 2, .objective = -1 };
	struct opt_result r;
	cr_assert_eq(opt_run(&sc, &o, &r), 0);
	cr_assert_geq(r.best, 0, "no recommendation: %s", r.why);
	const struct opt_candidate *b = &r.c[r.best];
	cr_assert_eq(b->commit.nri, 1);
	cr_assert_eq(b->commit.ri[0].count, 10);
	cr_assert_float_eq(b->cost.mean, 354.0 * 730.0 / 48.5, 1e-6);
	cr_assert_float_eq(b->commit.ri[0].utilization, 1.0, 1e-9);
	opt_result_release(&r);
	scenario_release(&sc);
	free(day);
	fixture_release(&f);
}

Test(optimize, break_even_reserves_20_at_ratio_0_3)
{
	break_even(0.3, 20);
}

Test(optimize, break_even_reserves_10_at_ratio_0_4)
{
	break_even(0.4, 10);
}

/* The same day with only a compute savings plan at q = 0.75 of on demand: a commitment c
 * buys c/q instance-hours an hour. Between 7.5 and 15 USD/h the daily bill's slope is
 * 24 − 8/q = 13.3 > 0 and below 7.5 it is 24 − 24/q < 0: the optimum is c = 7.5 USD/h,
 * always fully used (utilisation 1), covering 24·10 of the 320 instance-hours (0.75). */
Test(optimize, savings_plan_commitment_is_the_break_even_spend)
{
	struct fixture f;
	fixture_init(&f);
	write_catalog(&f, 0.6);
	char *json = day_scenario("\"savings_plan\"");
	struct scenario sc;
	load(&f, json, &sc);
	struct opt_options o = { .seed = 3, .threads = 1, .objective = -1 };
	struct opt_result r;
	cr_assert_eq(opt_run(&sc, &o, &r), 0);
	cr_assert_geq(r.best, 0);
	const struct opt_candidate *b = &r.c[r.best];
	cr_assert_eq(b->commit.nri, 0);
	cr_assert_float_eq(b->commit.sp_hourly, 7.5, 1e-9);
	cr_assert_float_eq(b->commit.sp_utilization, 1.0, 1e-9);
	cr_assert_float_eq(b->commit.sp_coverage, 0.75, 1e-9);
	/* A day: 24 × 7.5 + 8 × 10 on demand = 260 USD; savings against 320 a day on demand. */
	cr_assert_float_eq(b->cost.mean, 2 * 260 * 730.0 / 48.0, 1e-6);
	cr_assert_float_eq(r.savings_vs_on_demand.mean, 2 * 60 * 730.0 / 48.0, 1e-6);
	opt_result_release(&r);
	scenario_release(&sc);
	free(json);
	fixture_release(&f);
}

/* Two tiers in opposite phase, a day by hand: `a` (x.large) runs 10 instances from 00:00 and
 * 20 from 08:00, `b` (y.large) 20 from 00:00 and 10 from 08:00, so together they run 30 in
 * every hour. Reservations at 0.60 of the 1.00 on-demand price, a compute savings plan at
 * 0.75, both allowed.
 *   Each type's break-even reservations: a's 11th-20th instances run 16 of 24 hours (2/3 >=
 *   0.6): 20 reserved; b's 8 of 24 (1/3 < 0.6): 10. What is left is b's 10 extra for 8 hours,
 *   too few hours for a plan (0.75 a hour for 1/3 of the hours' use): none. A day:
 *   30 × 0.6 × 24 = 432 + 10 × 8 on demand = 512 USD.
 *   Jointly: 10 reserved of each type, and a plan of 7.5 USD/h for the 10 instances above
 *   them, a's in its hours and b's in its own, used in every hour: 20 × 0.6 × 24 = 288 +
 *   7.5 × 24 = 180: 468 USD a day. (An 11th reservation of either type would replace a plan
 *   unit used in every hour at 0.75 by one at 0.60 used 16 or 8 of 24 hours: worse, since
 *   the plan unit it frees would then idle part of the day.) */
Test(optimize, reservations_and_a_plan_are_sized_together)
{
	struct fixture f;
	fixture_init(&f);
	write_catalog(&f, 0.6);
	static const char json[] =
		"{ \"name\": \"phase\", \"version\": 1, \"horizon\": \"2d\", \"step\": \"1m\","
		"  \"catalog\": \"cat.csv\", \"replications\": 2,"
		"  \"traffic\": { \"base_rate\": 100 },"
		"  \"regions\": [ { \"name\": \"r1\", \"zones\": [\"a\"] } ],"
		"  \"tiers\": [ { \"name\": \"a\", \"instance_type\": \"x.large\","
		"    \"capacity_rps\": 1000, \"calls\": \"b\","
		"    \"boot_time\": { \"median\": \"1m\", \"p95\": \"1m\" },"
		"    \"autoscaling\": { \"min\": 10, \"max\": 20, \"scheduled\": ["
		"      { \"at\": \"08:00\", \"desired\": 20 }, { \"at\": \"00:00\", \"desired\": 10 } ] } },"
		"    { \"name\": \"b\", \"instance_type\": \"y.large\", \"capacity_rps\": 1000,"
		"    \"boot_time\": { \"median\": \"1m\", \"p95\": \"1m\" },"
		"    \"autoscaling\": { \"min\": 10, \"max\": 20, \"desired\": 20, \"scheduled\": ["
		"      { \"at\": \"08:00\", \"desired\": 10 }, { \"at\": \"00:00\", \"desired\": 20 } ] } } ],"
		"  \"optimize\": { \"replications\": 2, \"final_replications\": 2,"
		"    \"commitments\": [\"reserved\", \"savings_plan\"],"
		"    \"tiers\": { \"a\": { \"spot\": false }, \"b\": { \"spot\": false } } } }";
	struct scenario sc;
	load(&f, json, &sc);
	struct opt_options o = { .seed = 3, .threads = 2, .objective = -1 };
	struct opt_result r;
	cr_assert_eq(opt_run(&sc, &o, &r), 0);
	cr_assert_geq(r.best, 0, "no recommendation: %s", r.why);
	const struct opt_candidate *b = &r.c[r.best];
	cr_assert_eq(b->commit.nri, 2);
	for (size_t k = 0; k < 2; k++)
		cr_assert_eq(b->commit.ri[k].count, 10, "%s: %d reserved",
			     sc.instance_types[b->commit.ri[k].instance_type].name,
			     b->commit.ri[k].count);
	cr_assert_float_eq(b->commit.sp_hourly, 7.5, 1e-9);
	cr_assert_float_eq(b->commit.sp_utilization, 1.0, 1e-9);
	cr_assert_float_eq(b->cost.mean, 2 * 468 * 730.0 / 48.0, 1e-6);
	opt_result_release(&r);
	scenario_release(&sc);
	fixture_release(&f);
}

/* A small spot space: one tier, bases {0, 1}, on-demand shares {0, 50%}, 1 or 2 spot types:
 * 8 spot mixes and all on demand. Traffic with a daily swing and noise, autoscaling on. */
static const char small_space[] =
	"{ \"name\": \"small\", \"version\": 1, \"horizon\": \"3d\", \"step\": \"1m\","
	"  \"catalog\": \"cat.csv\", \"replications\": 12,"
	"  \"slo\": { \"availability\": 0.99, \"latency_percentile\": 99, \"latency_target\": \"2s\" },"
	"  \"traffic\": { \"base_rate\": 300, \"daily\": { \"amplitude\": 0.5, \"peak_hour\": 15 },"
	"    \"noise\": 0.2, \"spikes\": { \"rate_per_day\": 1, \"magnitude\": [1.5, 2],"
	"    \"duration\": \"30m\" } },"
	"  \"regions\": [ { \"name\": \"r1\", \"zones\": [\"a\", \"b\"] } ],"
	"  \"tiers\": [ { \"name\": \"api\", \"instance_type\": \"x.large\","
	"    \"service_time\": \"50ms\", \"concurrency\": 4,"
	"    \"placement\": { \"zones\": 2 },"
	"    \"autoscaling\": { \"min\": 2, \"max\": 20,"
	"      \"target_tracking\": { \"target\": 0.6 } } } ],"
	"  \"optimize\": { \"replications\": 6, \"final_replications\": 12, \"finalists\": 9,"
	"    \"commitments\": [\"reserved\", \"savings_plan\"],"
	"    \"tiers\": { \"api\": { \"spot\": true, \"on_demand_base\": [0, 1],"
	"      \"on_demand_percentage_above_base\": [0, 50],"
	"      \"spot_types\": [\"x.large\", \"y.large\"], \"spot_type_counts\": [1, 2] } } } }";

/* The optimizer's recommendation is the best feasible mix that brute force finds when it
 * evaluates every mix with the final replications on the same seed. */
Test(optimize, agrees_with_brute_force)
{
	struct fixture f;
	fixture_init(&f);
	write_catalog(&f, 0.6);
	struct scenario sc;
	load(&f, small_space, &sc);
	struct opt_options o = { .seed = 11, .threads = 2, .objective = -1 };
	struct opt_result r;
	cr_assert_eq(opt_run(&sc, &o, &r), 0);
	cr_assert_geq(r.best, 0, "%s", r.why);

	struct opt_mix mixes[9] = { { 0, 1.0, 0 } };
	int n = 1;
	for (int b = 0; b <= 1; b++)
		for (int p = 0; p <= 1; p++)
			for (int k = 1; k <= 2; k++)
				mixes[n++] = (struct opt_mix){ b, p * 0.5, k };
	int best = -1;
	double best_obj = INFINITY;
	for (int i = 0; i < n; i++) {
		struct opt_candidate c;
		cr_assert_eq(opt_evaluate(&sc, &mixes[i], 1, 11, 12, 2, &c), 0);
		if (c.binding == OPT_FEASIBLE && c.objective < best_obj) {
			best_obj = c.objective;
			best = i;
		}
		opt_candidate_release(&c);
	}
	cr_assert_geq(best, 0);
	const struct opt_mix *m = &r.c[r.best].mix[0];
	const struct opt_mix *e = &mixes[best];
	int same = (m->on_demand_above_base >= 1 && e->on_demand_above_base >= 1) ||
		   (m->on_demand_base == e->on_demand_base &&
		    m->on_demand_above_base == e->on_demand_above_base &&
		    m->spot_types == e->spot_types);
	cr_assert(same, "optimizer chose base %d, %.0f%%, %d types (%.2f USD); brute force "
		  "base %d, %.0f%%, %d types (%.2f USD)", m->on_demand_base,
		  100 * m->on_demand_above_base, m->spot_types, r.c[r.best].objective,
		  e->on_demand_base, 100 * e->on_demand_above_base, e->spot_types, best_obj);
	cr_assert_float_eq(r.c[r.best].objective, best_obj, 1e-9 * best_obj);
	opt_result_release(&r);
	scenario_release(&sc);
	fixture_release(&f);
}

/* Common random numbers: the cost difference between two close mixes (a base of 0 or 1 on
 * demand, the rest half spot) varies far less across replications when both see the same
 * random numbers than when they are simulated on independent seeds. Under equal variances
 * the ratio of the two sample variances (n − 1 = 19 degrees of freedom each) would exceed
 * the F(19, 19) 99.9% quantile (about 4.3) once in a thousand; CRN must beat it. */
Test(optimize, common_random_numbers_tighten_differences)
{
	struct fixture f;
	fixture_init(&f);
	write_catalog(&f, 0.6);
	struct scenario sc;
	load(&f, small_space, &sc);
	const uint64_t n = 20;
	struct opt_mix a = { 0, 0.5, 1 }, b = { 1, 0.5, 1 };
	struct opt_candidate ca, cb, cb2;
	cr_assert_eq(opt_evaluate(&sc, &a, 0, 5, n, 2, &ca), 0);
	cr_assert_eq(opt_evaluate(&sc, &b, 0, 5, n, 2, &cb), 0);
	cr_assert_eq(opt_evaluate(&sc, &b, 0, 6, n, 2, &cb2), 0);
	struct welford crn, ind;
	welford_init(&crn);
	welford_init(&ind);
	for (uint64_t r = 0; r < n; r++) {
		welford_add(&crn, cb.rep_cost[r] - ca.rep_cost[r]);
		welford_add(&ind, cb2.rep_cost[r] - ca.rep_cost[r]);
	}
	double f999 = gsl_cdf_fdist_Pinv(0.999, (double)(n - 1), (double)(n - 1));
	cr_assert(welford_var(&ind) > f999 * welford_var(&crn),
		  "variance of the difference: %g independent, %g with CRN (F 99.9%% = %g)",
		  welford_var(&ind), welford_var(&crn), f999);
	/* And the figures themselves vary: the test is not comparing zeros. */
	cr_assert_gt(welford_var(&ind), 0);
	opt_candidate_release(&ca);
	opt_candidate_release(&cb);
	opt_candidate_release(&cb2);
	scenario_release(&sc);
	fixture_release(&f);
}

/* Targets no purchase can meet give no recommendation and name the binding constraint.
 * Capacity: at most 2 instances of 4 workers × 20 requests/s = 160 requests/s against 300
 * offered, so at most about half the requests can be served: availability binds. */
Test(optimize, capacity_shortage_names_availability)
{
	struct fixture f;
	fixture_init(&f);
	write_catalog(&f, 0.6);
	char *json = strdup(small_space);
	char *p = strstr(json, "\"max\": 20");
	cr_assert_not_null(p);
	memcpy(p, "\"max\":  2", 9);
	struct scenario sc;
	load(&f, json, &sc);
	struct opt_options o = { .seed = 1, .threads = 2, .objective = -1, .reps = 2,
				 .final_reps = 2 };
	struct opt_result r;
	cr_assert_eq(opt_run(&sc, &o, &r), 0);
	cr_assert_eq(r.best, -1);
	cr_assert_eq(r.binding, OPT_AVAILABILITY);
	cr_assert_not_null(strstr(r.why, "availability"), "%s", r.why);
	cr_assert_not_null(strstr(r.why, "all on demand"), "%s", r.why);
	for (size_t i = 0; i < r.n; i++)
		cr_assert_neq(r.c[i].binding, OPT_FEASIBLE);
	opt_result_release(&r);
	scenario_release(&sc);
	free(json);
	fixture_release(&f);
}

/* A budget below anything the fleet can cost: at least 2 instances at 0.30 USD/h on spot
 * (70% off 1.00) is 438 USD a month, far above 10. The budget binds, with the cheapest
 * plan's cost in the message. */
Test(optimize, budget_below_the_cheapest_plan_names_the_budget)
{
	struct fixture f;
	fixture_init(&f);
	write_catalog(&f, 0.6);
	char *json = malloc(strlen(small_space) + 64);
	const char *p = strstr(small_space, "\"traffic\"");
	cr_assert_not_null(p);
	sprintf(json, "%.*s\"budget_monthly\": 10, %s", (int)(p - small_space), small_space, p);
	struct scenario sc;
	load(&f, json, &sc);
	struct opt_options o = { .seed = 1, .threads = 2, .objective = -1, .reps = 2,
				 .final_reps = 2 };
	struct opt_result r;
	cr_assert_eq(opt_run(&sc, &o, &r), 0);
	cr_assert_eq(r.best, -1);
	cr_assert_eq(r.binding, OPT_BUDGET);
	cr_assert_not_null(strstr(r.why, "budget"), "%s", r.why);
	/* In dollars, as the summary writes money: "against a budget of $10.00". */
	cr_assert_not_null(strstr(r.why, "a budget of $10.00"), "%s", r.why);
	opt_result_release(&r);
	scenario_release(&sc);
	free(json);
	fixture_release(&f);
}

/* The same seed gives the same recommendation whatever the thread count. */
Test(optimize, thread_count_does_not_change_the_answer)
{
	struct fixture f;
	fixture_init(&f);
	write_catalog(&f, 0.6);
	struct scenario sc;
	load(&f, small_space, &sc);
	struct opt_result r1, r2;
	struct opt_options o = { .seed = 4, .threads = 1, .objective = -1, .reps = 4,
				 .final_reps = 6, .finalists = 2 };
	cr_assert_eq(opt_run(&sc, &o, &r1), 0);
	o.threads = 2;
	cr_assert_eq(opt_run(&sc, &o, &r2), 0);
	cr_assert_eq(r1.n, r2.n);
	cr_assert_eq(r1.best, r2.best);
	for (size_t i = 0; i < r1.n; i++) {
		cr_assert_eq(r1.c[i].cost.mean, r2.c[i].cost.mean);
		cr_assert_eq(r1.c[i].availability.mean, r2.c[i].availability.mean);
	}
	opt_result_release(&r1);
	opt_result_release(&r2);
	scenario_release(&sc);
	fixture_release(&f);
}

/* The binding target is the first missed outright, before one only uncertain: availability
 * 99.88–99.95 % against 99.9 % straddles its SLO, latency 0.44–0.52 s against 0.3 s is above
 * it all, so latency binds and is said to be missed. With latency met, availability binds,
 * uncertain; with both met and the cost's interval 90–110 USD against a budget of 100, the
 * budget, uncertain. */
Test(optimize, the_binding_target_is_the_first_missed_outright)
{
	struct scenario sc = { .has_slo = 1, .slo = { 0.999, 99.0, 0.3 }, .budget_monthly = 100 };
	struct opt_candidate c = {
		.availability = { .mean = 0.99915, .ci95_low = 0.9988, .ci95_high = 0.9995 },
		.latency = { .mean = 0.48, .ci95_low = 0.44, .ci95_high = 0.52 },
		.cost = { .mean = 80, .ci95_low = 70, .ci95_high = 90 },
	};
	opt_check_targets(&sc, &c);
	cr_assert_eq(c.binding, OPT_LATENCY);
	cr_assert_eq(c.binding_missed, 1);
	c.latency = (struct run_stat){ .mean = 0.2, .ci95_low = 0.19, .ci95_high = 0.21 };
	opt_check_targets(&sc, &c);
	cr_assert_eq(c.binding, OPT_AVAILABILITY);
	cr_assert_eq(c.binding_missed, 0);
	c.availability = (struct run_stat){ .mean = 0.9995, .ci95_low = 0.9991, .ci95_high = 1 };
	c.cost = (struct run_stat){ .mean = 100, .ci95_low = 90, .ci95_high = 110 };
	opt_check_targets(&sc, &c);
	cr_assert_eq(c.binding, OPT_BUDGET);
	cr_assert_eq(c.binding_missed, 0);
	c.cost = (struct run_stat){ .mean = 95, .ci95_low = 90, .ci95_high = 100 };
	opt_check_targets(&sc, &c);
	cr_assert_eq(c.binding, OPT_FEASIBLE, "an interval ending on the target meets it");
}
