/* Paired comparison of two runs: differences by hand, the common random numbers, refusals. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/compare.h"
#include "models/run.h"
#include "models/scenario.h"
#include "sim/error.h"

/* One tier of 2 workers of 100 ms an instance (20 req/s each) at `price` USD/h, between min
 * and max instances (target tracking at 60% when they differ), fed 60 req/s with 10% lognormal
 * noise for a day: never above 120 req/s in practice (that is 6.9 standard deviations of the
 * noise's log), so a fleet of 6 is never overloaded. */
static void fleet(char *buf, size_t len, int min, int max, const char *price)
{
	snprintf(buf, len,
		 "{ \"name\": \"f%d\", \"version\": 1, \"horizon\": \"1d\", \"step\": \"1m\","
		 "  \"traffic\": { \"base_rate\": 60, \"noise\": 0.1 },"
		 "  \"instance_types\": [ { \"name\": \"m\", \"vcpu\": 2, \"memory_gib\": 8,"
		 "                          \"price_hourly\": %s } ],"
		 "  \"regions\": [ { \"name\": \"r1\", \"zones\": [\"a\"] } ],"
		 "  \"tiers\": [ { \"name\": \"api\", \"instance_type\": \"m\","
		 "    \"service_time\": \"100ms\", \"concurrency\": 2, \"timeout\": \"2s\","
		 "    \"autoscaling\": { \"min\": %d, \"max\": %d%s } } ] }",
		 max, price, min, max,
		 min < max ? ", \"target_tracking\": { \"target\": 0.6 }" : "");
}

static void simulate(const char *json, uint64_t seed, uint64_t reps, struct scenario *sc,
		     struct run_result *r)
{
	struct scenario_error err;
	cr_assert_eq(scenario_parse(json, strlen(json), NULL, sc, &err), 0, "%s", err.msg);
	struct run_options o = { .seed = seed, .reps = reps, .threads = 2 };
	cr_assert_eq(run_simulate(sc, &o, r), 0);
}

/* Two scenarios simulated on one seed and replications, and their comparison. */
struct pair {
	struct scenario sa, sb;
	struct run_result a, b;
	struct compare_row *rows;
	size_t n;
};

static void pair_run(struct pair *p, const char *ja, const char *jb, uint64_t seed,
		     uint64_t reps)
{
	simulate(ja, seed, reps, &p->sa, &p->a);
	simulate(jb, seed, reps, &p->sb, &p->b);
	cr_assert_eq(compare_runs(&p->a, &p->b, &p->rows, &p->n), 0);
}

static void pair_release(struct pair *p)
{
	free(p->rows);
	run_result_release(&p->a);
	run_result_release(&p->b);
	scenario_release(&p->sa);
	scenario_release(&p->sb);
}

static const struct compare_row *row(const struct pair *p, const char *name)
{
	const struct compare_row *r = compare_find(p->rows, p->n, name);
	cr_assert_not_null(r, "%s", name);
	return r;
}

Test(compare, a_design_against_itself_differs_by_exactly_nothing)
{
	char json[2048];
	struct pair p;
	fleet(json, sizeof json, 6, 6, "0.096");
	pair_run(&p, json, json, 7, 8);
	cr_assert_eq(p.n, p.a.nrep_metrics, "every per-replication figure is in both");
	for (size_t i = 0; i < p.n; i++) {
		/* The same random numbers give the same replications, bit for bit. */
		const struct compare_row *r = &p.rows[i];
		cr_assert_eq(r->diff.mean, 0, "%s", r->name);
		cr_assert_eq(r->diff.low, 0, "%s", r->name);
		cr_assert_eq(r->diff.high, 0, "%s", r->name);
		cr_assert_eq(r->sign, 0, "%s", r->name);
	}
	/* ... while the figures themselves vary across replications (the noise). */
	const struct compare_row *offered = row(&p, "requests_offered");
	cr_assert_gt(offered->a.ci95_high - offered->a.ci95_low, 0);
	pair_release(&p);
}

Test(compare, one_more_instance_by_hand_on_the_same_traffic)
{
	char ja[2048], jb[2048];
	struct pair p;
	fleet(ja, sizeof ja, 6, 6, "0.096");
	fleet(jb, sizeof jb, 7, 7, "0.096");
	pair_run(&p, ja, jb, 11, 10);

	/* Cost: one instance more for 24 h at 0.096 USD = 2.304 USD in every replication, so the
	 * interval has no width and B is dearer; a 730-hour month: 0.096 × 730 = 70.08 USD. */
	const struct compare_row *cost = row(&p, "cost_total");
	cr_assert_float_eq(cost->diff.mean, 2.304, 1e-9);
	cr_assert_float_eq(cost->diff.low, 2.304, 1e-9);
	cr_assert_float_eq(cost->diff.high, 2.304, 1e-9);
	cr_assert_eq(cost->sign, 1);
	cr_assert_float_eq(row(&p, "cost_monthly")->diff.mean, 70.08, 1e-9);
	cr_assert_float_eq(row(&p, "instance_hours")->diff.mean, 24, 1e-9);

	/* The traffic is the same random numbers on both sides: not a request differs, though the
	 * offered load itself varies from one replication to the next. */
	const struct compare_row *offered = row(&p, "requests_offered");
	cr_assert_eq(offered->diff.low, 0);
	cr_assert_eq(offered->diff.high, 0);
	cr_assert_eq(offered->sign, 0);
	cr_assert_gt(offered->a.ci95_high - offered->a.ci95_low, 0);

	/* Utilisation: each step's demand over 120 vs 140 req/s of capacity, so B's is 6/7 of
	 * A's in every step and replication: the difference is −A/7. */
	const struct compare_row *u = row(&p, "utilization.api.r1");
	cr_assert_float_eq(u->diff.mean, -u->a.mean / 7, 1e-9);
	cr_assert_eq(u->sign, -1);

	/* More servers never wait longer: B's latency is lower in every replication. */
	const struct compare_row *lat = row(&p, "latency_p99");
	cr_assert_lt(lat->b.mean, lat->a.mean);
	cr_assert_eq(lat->sign, -1);
	pair_release(&p);
}

/* A cost only one design has is 0 in the other, and still paired. The same fleet of 6 with
 * its tier renamed in B: A's tier "api" costs 6 × 24 h × 0.096 USD = 13.824 USD in every
 * replication and B has none of it; B's tier "web" the same the other way round. The total is
 * equal, and figures that are not costs (utilization.api.r1) are not invented for B. */
Test(compare, a_cost_only_one_design_has_counts_as_zero_in_the_other)
{
	char ja[2048], jb[2048];
	struct pair p;
	fleet(ja, sizeof ja, 6, 6, "0.096");
	fleet(jb, sizeof jb, 6, 6, "0.096");
	char *name = strstr(jb, "\"api\"");
	cr_assert_not_null(name);
	memcpy(name, "\"web\"", 5);
	pair_run(&p, ja, jb, 3, 6);

	const struct compare_row *api = row(&p, "cost.tier.api"), *web = row(&p, "cost.tier.web");
	cr_assert_float_eq(api->a.mean, 13.824, 1e-9);
	cr_assert_eq(api->b.mean, 0);
	cr_assert_float_eq(api->diff.mean, -13.824, 1e-9);
	cr_assert_float_eq(api->diff.high, -13.824, 1e-9);
	cr_assert_eq(api->sign, -1);
	cr_assert_eq(web->a.mean, 0);
	cr_assert_float_eq(web->b.mean, 13.824, 1e-9);
	cr_assert_float_eq(web->diff.low, 13.824, 1e-9);
	cr_assert_eq(web->sign, 1);
	cr_assert_gt(web - p.rows, api - p.rows, "B's own costs come after A's figures");
	cr_assert_eq(row(&p, "cost_total")->diff.mean, 0);
	cr_assert_null(compare_find(p.rows, p.n, "utilization.api.r1"));
	cr_assert_null(compare_find(p.rows, p.n, "utilization.web.r1"));
	pair_release(&p);
}

/* The paired interval is the Student-t interval of the per-replication differences: checked
 * here against the difference of two prices, which scales the cost of every replication. */
Test(compare, the_interval_is_the_t_interval_of_the_pairs)
{
	char ja[2048], jb[2048];
	struct pair p;
	/* An autoscaled fleet, so that the cost varies across replications. */
	fleet(ja, sizeof ja, 1, 9, "0.1");
	fleet(jb, sizeof jb, 1, 9, "0.3");
	pair_run(&p, ja, jb, 3, 12);
	/* Prices 0.1 and 0.3 on the same fleet: B's cost is 3 × A's in each replication, so the
	 * differences are 2 × A's costs and their interval is 2 × A's own interval. */
	const struct compare_row *cost = row(&p, "cost_total");
	cr_assert_gt(cost->a.ci95_high - cost->a.ci95_low, 0, "the cost varies");
	cr_assert_float_eq(cost->diff.mean, 2 * cost->a.mean, 1e-9 * cost->a.mean);
	cr_assert_float_eq(cost->diff.low, 2 * cost->a.ci95_low, 1e-9 * cost->a.mean);
	cr_assert_float_eq(cost->diff.high, 2 * cost->a.ci95_high, 1e-9 * cost->a.mean);
	pair_release(&p);
}

Test(compare, runs_on_other_seeds_or_replications_are_not_paired)
{
	char json[2048];
	struct scenario sa, sb, sc;
	struct run_result a, b, c;
	struct compare_row *rows = (struct compare_row *)1;
	size_t n = 9;
	fleet(json, sizeof json, 6, 6, "0.096");
	simulate(json, 7, 4, &sa, &a);
	simulate(json, 8, 4, &sb, &b);
	simulate(json, 7, 5, &sc, &c);
	cr_assert_eq(compare_runs(&a, &b, &rows, &n), CAPSIM_EINVAL);
	cr_assert_null(rows);
	cr_assert_eq(n, 0);
	cr_assert_eq(compare_runs(&a, &c, &rows, &n), CAPSIM_EINVAL);
	run_result_release(&a);
	run_result_release(&b);
	run_result_release(&c);
	scenario_release(&sa);
	scenario_release(&sb);
	scenario_release(&sc);
}

/* A run made by hand: 4 replications of the figures m[0..n), figure i's values in v[i], in
 * the range g[i]. */
static struct run_result hand_run(struct run_metric *m, size_t n, double (*v)[4],
				  struct run_range *g)
{
	return (struct run_result){ .seed = 1, .reps = 4, .metrics = m, .nmetrics = n,
				    .nrep_metrics = n, .rep_values = &v[0][0], .rep_range = g };
}

/* The difference of two fractions lies in [−1, 1], and its interval is kept there as a run's
 * own is kept in [0, 1]; a figure whose range does not bound the difference is not clipped.
 *
 * latency_slo_steps: A = 1, 1, 1, 1 and B = 0, 0, 0, 0.4, so d = B − A = −1, −1, −1, −0.6:
 * mean −3.6 / 4 = −0.9, squared deviations 0.01 × 3 + 0.09 = 0.12, sd = sqrt(0.12 / 3) = 0.2,
 * standard error 0.2 / sqrt(4) = 0.1; t(0.975, 3 dof) = 3.182446 (tables), half-width
 * 0.3182446: the t interval [−1.2182446, −0.5817554] passes −1, the least B − A can be.
 * availability: A and B swapped, d = 1, 1, 1, 0.6: [0.5817554, 1.2182446] passes +1.
 * cost_total, USD in [0, +inf]: A = 10 and B = 9, 9, 9, 9.4, the same differences as the
 * first, but a difference of costs has no bound: [−1.2182446, −0.5817554] as it is.
 * savings_vs_on_demand, a fraction in [−inf, 1] (a design dearer than on demand saves less
 * than nothing): the first's values, in range, but B − A is unbounded below: not clipped. */
Test(compare, a_difference_of_fractions_stays_within_minus_one_and_one)
{
	struct run_metric m[4] = {
		{ .name = "latency_slo_steps", .unit = "fraction" },
		{ .name = "availability", .unit = "fraction" },
		{ .name = "cost_total", .unit = "USD" },
		{ .name = "savings_vs_on_demand", .unit = "fraction" },
	};
	struct run_range g[4] = { { 0, 1 }, { 0, 1 }, { 0, INFINITY }, { -INFINITY, 1 } };
	double va[4][4] = { { 1, 1, 1, 1 }, { 0, 0, 0, 0.4 }, { 10, 10, 10, 10 }, { 1, 1, 1, 1 } };
	double vb[4][4] = { { 0, 0, 0, 0.4 }, { 1, 1, 1, 1 }, { 9, 9, 9, 9.4 }, { 0, 0, 0, 0.4 } };
	struct run_result a = hand_run(m, 4, va, g), b = hand_run(m, 4, vb, g);
	struct compare_row *rows;
	size_t n;
	cr_assert_eq(compare_runs(&a, &b, &rows, &n), 0);
	cr_assert_eq(n, 4);
	const double half = 0.3182446;

	const struct compare_row *slo = compare_find(rows, n, "latency_slo_steps");
	cr_assert_float_eq(slo->diff.mean, -0.9, 1e-12);
	cr_assert_eq(slo->diff.low, -1.0, "clipped to the least B − A can be, not %.7f",
		     slo->diff.low);
	cr_assert_float_eq(slo->diff.high, -0.9 + half, 1e-6, "the other end is the t interval's");
	cr_assert(slo->diff.low <= slo->diff.mean && slo->diff.mean <= slo->diff.high);
	cr_assert_eq(slo->sign, -1, "still wholly below 0: B lower");

	const struct compare_row *av = compare_find(rows, n, "availability");
	cr_assert_float_eq(av->diff.mean, 0.9, 1e-12);
	cr_assert_float_eq(av->diff.low, 0.9 - half, 1e-6);
	cr_assert_eq(av->diff.high, 1.0, "clipped to the most B − A can be, not %.7f",
		     av->diff.high);
	cr_assert(av->diff.low <= av->diff.mean && av->diff.mean <= av->diff.high);
	cr_assert_eq(av->sign, 1);

	const struct compare_row *cost = compare_find(rows, n, "cost_total");
	cr_assert_float_eq(cost->diff.low, -0.9 - half, 1e-6);
	cr_assert_float_eq(cost->diff.high, -0.9 + half, 1e-6);
	const struct compare_row *sav = compare_find(rows, n, "savings_vs_on_demand");
	cr_assert_float_eq(sav->diff.low, -0.9 - half, 1e-6);
	cr_assert_float_eq(sav->diff.high, -0.9 + half, 1e-6);
	free(rows);
}

/* A cost only B has is 0 in A, range [0, 0]: B − A is B's cost, >= 0, and its interval is
 * clipped at 0 as B's own is. B's cost.network = 0, 0, 0, 4: mean 1, squared deviations
 * 1 × 3 + 9 = 12, sd = sqrt(12 / 3) = 2, standard error 1, half-width 3.182446: the t
 * interval [−2.182446, 4.182446] passes 0, the least B − 0 can be. */
Test(compare, a_cost_only_b_has_is_not_below_zero)
{
	struct run_metric ma[1] = { { .name = "cost_total", .unit = "USD" } };
	struct run_metric mb[2] = { { .name = "cost_total", .unit = "USD" },
				    { .name = "cost.network", .unit = "USD" } };
	struct run_range g[2] = { { 0, INFINITY }, { 0, INFINITY } };
	double va[1][4] = { { 5, 5, 5, 5 } };
	double vb[2][4] = { { 5, 5, 5, 9 }, { 0, 0, 0, 4 } };
	struct run_result a = hand_run(ma, 1, va, g), b = hand_run(mb, 2, vb, g);
	struct compare_row *rows;
	size_t n;
	cr_assert_eq(compare_runs(&a, &b, &rows, &n), 0);
	cr_assert_eq(n, 2);
	const struct compare_row *net = compare_find(rows, n, "cost.network");
	cr_assert_float_eq(net->diff.mean, 1, 1e-12);
	cr_assert_eq(net->diff.low, 0, "clipped at 0, not %.6f", net->diff.low);
	cr_assert_float_eq(net->diff.high, 1 + 3.182446, 1e-6);
	cr_assert_eq(net->sign, 0, "0 is in the interval: no verdict");
	/* Both have cost_total, each in [0, +inf]: B − A is unbounded, the same pairs as
	 * cost.network's difference, not clipped. */
	const struct compare_row *total = compare_find(rows, n, "cost_total");
	cr_assert_float_eq(total->diff.low, 1 - 3.182446, 1e-6);
	free(rows);
}

/* The ranges come from the run itself (models/run.c), whatever the unit: a fraction's is
 * [0, 1] and a cost's [0, +inf]; every range holds 0; and every paired interval of a
 * simulated comparison lies within [lo_B − hi_A, hi_B − lo_A]. */
Test(compare, a_simulated_run_gives_each_figure_its_range)
{
	char ja[2048], jb[2048];
	struct pair p;
	fleet(ja, sizeof ja, 1, 9, "0.1");
	fleet(jb, sizeof jb, 2, 4, "0.1");
	pair_run(&p, ja, jb, 5, 3);
	cr_assert_not_null(p.a.rep_range);
	struct { const char *name; double lo, hi; } want[] = {
		{ "availability", 0, 1 },
		{ "utilization.api.r1", 0, 1 },
		{ "cost_total", 0, INFINITY },
	};
	for (size_t k = 0; k < sizeof want / sizeof want[0]; k++) {
		const struct run_metric *m = run_find_metric(&p.a, want[k].name);
		cr_assert_not_null(m, "%s", want[k].name);
		const struct run_range *g = &p.a.rep_range[m - p.a.metrics];
		cr_assert(g->lo == want[k].lo && g->hi == want[k].hi, "%s: [%g, %g]",
			  want[k].name, g->lo, g->hi);
	}
	for (size_t i = 0; i < p.n; i++) {
		const struct compare_row *r = &p.rows[i];
		const struct run_metric *ma = run_find_metric(&p.a, r->name);
		const struct run_metric *mb = run_find_metric(&p.b, r->name);
		cr_assert(ma && mb, "%s", r->name);
		const struct run_range *ga = &p.a.rep_range[ma - p.a.metrics];
		const struct run_range *gb = &p.b.rep_range[mb - p.b.metrics];
		cr_assert(ga->lo <= 0 && 0 <= ga->hi, "%s", r->name);
		cr_assert_geq(r->diff.low, gb->lo - ga->hi, "%s", r->name);
		cr_assert_leq(r->diff.high, gb->hi - ga->lo, "%s", r->name);
	}
	pair_release(&p);
}
