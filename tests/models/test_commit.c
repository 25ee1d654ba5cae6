/* Break-even reservation counts and savings-plan commitments against hand calculations and
 * brute force. */
#include <criterion/criterion.h>
#include <math.h>

#include "models/commit.h"
#include "sim/error.h"
#include "sim/rng.h"

/* The day: 10 instances for 16 hours and 20 for 8, on demand 1 USD/h.
 * With a reservation at 0.3 USD/h (ratio 0.3): the 11th to 20th reservations are used 8 of
 * 24 hours, a third of the time, and 1/3 >= 0.3, so each saves: k = 20, cost 24 × 20 × 0.3 =
 * 144 USD (every hour covered). With 0.4: 1/3 < 0.4, so only the 10 always used pay: k = 10,
 * cost 24 × 10 × 0.4 + 8 × 10 × 1 = 96 + 80 = 176 USD. */
Test(commit, the_break_even_example_reserves_20_at_0_3_and_10_at_0_4)
{
	double u[24];
	for (int h = 0; h < 24; h++)
		u[h] = h >= 8 && h < 16 ? 20 : 10;
	int k;
	double cost;
	cr_assert_eq(commit_reserved_count(u, 24, 1.0, 0.3, &k, &cost), 0);
	cr_assert_eq(k, 20);
	cr_assert_float_eq(cost, 144.0, 1e-9);
	cr_assert_eq(commit_reserved_count(u, 24, 1.0, 0.4, &k, &cost), 0);
	cr_assert_eq(k, 10);
	cr_assert_float_eq(cost, 176.0, 1e-9);
}

/* The returned count minimises C(k) over every k, on random curves (a property checked by
 * brute force), and lies at the (1 − fee/price) quantile for whole-instance usage. */
Test(commit, reserved_count_is_the_brute_force_minimum)
{
	struct rng r;
	cr_assert_eq(rng_init(&r, 7, 0, 1), 0);
	for (int trial = 0; trial < 200; trial++) {
		size_t n = 1 + rng_uniform_int(&r, 300);
		double u[300];
		int whole = trial % 2;
		for (size_t h = 0; h < n; h++)
			u[h] = whole ? (double)rng_uniform_int(&r, 40) : 40 * rng_uniform(&r);
		double ratio = 0.05 + 0.9 * rng_uniform(&r);
		int k;
		double cost;
		cr_assert_eq(commit_reserved_count(u, n, 1.0, ratio, &k, &cost), 0);
		cr_assert_float_eq(cost, commit_reserved_cost(u, n, 1.0, ratio, k), 1e-9);
		for (int j = 0; j <= 41; j++)
			cr_assert(commit_reserved_cost(u, n, 1.0, ratio, j) >= cost - 1e-9,
				  "trial %d: k=%d costs less than k=%d", trial, j, k);
		if (whole) {
			/* The largest k whose usage share P(u >= k) is at least the ratio (k >= 1),
			 * or 0. */
			int q = 0;
			for (int j = 1; j <= 40; j++) {
				size_t m = 0;
				for (size_t h = 0; h < n; h++)
					m += u[h] >= j;
				if ((double)m / (double)n >= ratio)
					q = j;
			}
			/* Ties in cost (share exactly the ratio) may stop one short: compare costs. */
			cr_assert_float_eq(commit_reserved_cost(u, n, 1.0, ratio, q), cost, 1e-9,
					   "trial %d: quantile %d vs %d", trial, q, k);
		}
	}
	rng_release(&r);
}

/* A savings plan with rate ratio q = 0.7 (30% off) on hours spending 10, 10, 10, 4 USD/h at
 * on-demand prices. C(c) = 4c + Σ max(0, s − c/0.7): at c = 0.7 × 4 = 2.8: 11.2 + 3 × 6 =
 * 29.2; at c = 0.7 × 10 = 7: 28 + 0 = 28; at 0: 34. The optimum is c = 7 USD/h for 28 USD
 * (the 10-USD hours are three quarters of the time, above the 0.7 break-even share). With
 * q = 0.8: at 8: 32; at 3.2: 12.8 + 18 = 30.8; at 0: 34 — the optimum moves to 3.2. */
Test(commit, savings_plan_hand_case)
{
	double s[4] = { 10, 10, 4, 10 };
	double c, cost;
	cr_assert_eq(commit_savings_plan(s, 4, 0.7, &c, &cost), 0);
	cr_assert_float_eq(c, 7.0, 1e-12);
	cr_assert_float_eq(cost, 28.0, 1e-9);
	cr_assert_eq(commit_savings_plan(s, 4, 0.8, &c, &cost), 0);
	cr_assert_float_eq(c, 3.2, 1e-12);
	cr_assert_float_eq(cost, 30.8, 1e-9);
}

Test(commit, savings_plan_is_the_minimum_of_a_fine_sweep)
{
	struct rng r;
	cr_assert_eq(rng_init(&r, 8, 0, 1), 0);
	for (int trial = 0; trial < 100; trial++) {
		size_t n = 1 + rng_uniform_int(&r, 200);
		double s[200];
		for (size_t h = 0; h < n; h++)
			s[h] = 100 * rng_uniform(&r);
		double q = 0.4 + 0.55 * rng_uniform(&r), c, cost;
		cr_assert_eq(commit_savings_plan(s, n, q, &c, &cost), 0);
		cr_assert_float_eq(cost, commit_savings_plan_cost(s, n, q, c), 1e-9 * cost);
		for (int j = 0; j <= 1000; j++)
			cr_assert(commit_savings_plan_cost(s, n, q, 0.1 * j) >= cost - 1e-9 * cost,
				  "trial %d: c=%g beats %g", trial, 0.1 * j, c);
	}
	rng_release(&r);
}

Test(commit, bad_input_is_refused)
{
	double u[2] = { 1, -1 }, c, cost;
	int k;
	cr_assert_eq(commit_reserved_count(u, 2, 1, 0.5, &k, &cost), CAPSIM_EINVAL);
	cr_assert_eq(commit_reserved_count(u, 0, 1, 0.5, &k, &cost), CAPSIM_EINVAL);
	u[1] = 1;
	cr_assert_eq(commit_reserved_count(u, 2, 0, 0.5, &k, &cost), CAPSIM_EINVAL);
	cr_assert_eq(commit_savings_plan(u, 2, 1.0, &c, &cost), CAPSIM_EINVAL);
	cr_assert_eq(commit_savings_plan(u, 2, 0.0, &c, &cost), CAPSIM_EINVAL);
}
