/* Tests of sim/stats: Welford moments and merge, t quantiles and intervals, sample quantiles,
 * and the relative-error histogram. */
#include <criterion/criterion.h>

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "sim/error.h"
#include "sim/rng.h"
#include "sim/stats.h"

#define SEED UINT64_C(77)

static double rel_diff(double got, double want)
{
	return fabs(got - want) / fabs(want);
}

Test(welford, stable_with_a_huge_offset)
{
	/* x = 1e9 + u, u ~ U(0,1): var = 1/12 lives 18 orders of magnitude below E[x^2].
	 * Reference: two-pass moments of d = x - 1e9, which is exact (Sterbenz: x and 1e9 are
	 * within a factor 2), so mean = 1e9 + mean(d), var = var(d).
	 * Bounds: Welford's mean carries at most one rounding of ulp(1e9)/2 = 6e-8 per update,
	 * damped by k/n afterwards (mean_k = mean_{k-1} (1 - 1/k) + x/k), so its error is below
	 * sum_k 6e-8 k/n < 6e-8 (n+1)/2 = 3e-4 for n = 1e4; that shifts m2 only at second order,
	 * (3e-4)^2 / (1/12) ~ 1e-6 relative, so 1e-5 is a safe bound on the variance. */
	enum { N = 10000 };
	static double x[N], d[N];
	struct rng s;
	cr_assert_eq(rng_init(&s, SEED, 0, 0), 0);
	struct welford w;
	welford_init(&w);
	double sum = 0.0, sumsq = 0.0;
	for (int i = 0; i < N; i++) {
		x[i] = 1e9 + rng_uniform(&s);
		d[i] = x[i] - 1e9;
		welford_add(&w, x[i]);
		sum += x[i];
		sumsq += x[i] * x[i];
	}
	double mean_d = gsl_stats_mean(d, 1, N), var_d = gsl_stats_variance(d, 1, N);
	cr_assert_eq(w.n, (uint64_t)N);
	cr_assert(fabs(w.mean - (1e9 + mean_d)) <= 3e-4, "mean off by %g", w.mean - 1e9 - mean_d);
	cr_assert(rel_diff(welford_var(&w), var_d) <= 1e-5, "var %.10g vs %.10g",
		  welford_var(&w), var_d);
	cr_assert(rel_diff(welford_sd(&w), sqrt(var_d)) <= 1e-5);
	cr_assert_eq(w.min, gsl_stats_min(x, 1, N));
	cr_assert_eq(w.max, gsl_stats_max(x, 1, N));
	/* The data is hard: the textbook sum-of-squares formula is wrong by far more. */
	double naive = (sumsq - sum * sum / N) / (N - 1);
	cr_assert(rel_diff(naive, var_d) > 1e-2, "naive formula unexpectedly fine: %g", naive);
	rng_release(&s);
}

Test(welford, merge_equals_adding_all)
{
	/* Chunks of 0, 1, 999 and 4000 observations merged in turn vs one accumulator: counts and
	 * extremes equal exactly; mean and variance to rounding (data of mean ~100, sd ~3, so
	 * the two orders of rounding agree to ~1e-13 relative). */
	enum { N = 5000 };
	const size_t cut[] = { 0, 0, 1, 1000, N };
	struct rng s;
	cr_assert_eq(rng_init(&s, SEED, 1, 0), 0);
	struct welford all, merged;
	welford_init(&all);
	welford_init(&merged);
	double x[N];
	for (int i = 0; i < N; i++) {
		x[i] = rng_normal(&s, 100.0, 3.0);
		welford_add(&all, x[i]);
	}
	for (size_t c = 0; c + 1 < sizeof cut / sizeof cut[0]; c++) {
		struct welford part;
		welford_init(&part);
		for (size_t i = cut[c]; i < cut[c + 1]; i++)
			welford_add(&part, x[i]);
		welford_merge(&merged, &part);
	}
	cr_assert_eq(merged.n, all.n);
	cr_assert_eq(merged.min, all.min);
	cr_assert_eq(merged.max, all.max);
	cr_assert(rel_diff(merged.mean, all.mean) < 1e-12);
	cr_assert(rel_diff(welford_var(&merged), welford_var(&all)) < 1e-12);

	/* Merging an empty accumulator changes nothing. */
	struct welford empty, before = merged;
	welford_init(&empty);
	welford_merge(&merged, &empty);
	cr_assert(memcmp(&merged, &before, sizeof before) == 0);
	rng_release(&s);
}

Test(welford, too_few_observations)
{
	struct welford w;
	struct ci ci;
	welford_init(&w);
	cr_assert(isnan(welford_var(&w)));
	cr_assert_eq(welford_ci95(&w, &ci), CAPSIM_EINVAL);
	cr_assert(isnan(ci.mean) && isnan(ci.low) && isnan(ci.high) && isnan(ci.half));
	welford_add(&w, 7.0);
	cr_assert(isnan(welford_var(&w)) && isnan(welford_sd(&w)));
	cr_assert_eq(welford_ci95(&w, &ci), CAPSIM_EINVAL);
	cr_assert_eq(ci.mean, 7.0);
	cr_assert(isnan(ci.low) && isnan(ci.high) && isnan(ci.half));
	welford_add(&w, 9.0);
	cr_assert_eq(welford_ci(&w, 1.0, &ci), CAPSIM_EINVAL);
	cr_assert_eq(welford_ci(&w, 0.0, &ci), CAPSIM_EINVAL);
}

Test(stats, t_quantiles_match_tables)
{
	/* Student-t table values (e.g. Abramowitz & Stegun table 26.10). */
	cr_assert(fabs(stats_t_quantile(0.975, 9) - 2.262157) < 1e-6);
	cr_assert(fabs(stats_t_quantile(0.025, 9) + 2.262157) < 1e-6);
	cr_assert(fabs(stats_t_quantile(0.95, 1) - 6.313752) < 1e-6);
	cr_assert(fabs(stats_t_quantile(0.975, 4) - 2.776445) < 1e-6);
	cr_assert(fabs(stats_t_quantile(0.975, INFINITY) - 1.959964) < 1e-6);
	cr_assert(fabs(stats_t_quantile(0.975, 1e9) - 1.959964) < 1e-6);
	cr_assert(isnan(stats_t_quantile(0.5, 0.0)));
	cr_assert(isnan(stats_t_quantile(1.5, 3.0)));
	cr_assert(isnan(stats_t_quantile(NAN, 3.0)));
}

Test(stats, ci95_by_hand)
{
	/* {1,2,3,4,5}: mean 3, s^2 = 10/4 = 2.5, s/sqrt(5) = sqrt(0.5) = 0.70710678;
	 * t_{0.975,4} = 2.776445 (table), half = 1.9632432. */
	struct welford w;
	welford_init(&w);
	for (int i = 1; i <= 5; i++)
		welford_add(&w, i);
	struct ci ci;
	cr_assert_eq(welford_ci95(&w, &ci), 0);
	cr_assert(fabs(ci.mean - 3.0) < 1e-15);
	cr_assert(fabs(ci.half - 1.9632432) < 1e-6, "half %.9g", ci.half);
	cr_assert(fabs(ci.low - (3.0 - 1.9632432)) < 1e-6);
	cr_assert(fabs(ci.high - (3.0 + 1.9632432)) < 1e-6);
}

Test(stats, ci95_covers_the_mean_95_percent_of_the_time)
{
	/* 2000 independent intervals, each from 10 draws of N(5, 2^2). The number covering 5 is
	 * Bin(2000, 0.95) if the intervals are right; the Clopper-Pearson 99.9% interval of the
	 * observed fraction must then contain 0.95 (false failure probability <= 1e-3; a z in
	 * place of t would cover only ~92% and fail). */
	enum { K = 2000, N = 10 };
	const double alpha = 1e-3;
	struct rng s;
	cr_assert_eq(rng_init(&s, SEED, 2, 0), 0);
	unsigned covered = 0;
	for (int k = 0; k < K; k++) {
		struct welford w;
		welford_init(&w);
		for (int i = 0; i < N; i++)
			welford_add(&w, rng_normal(&s, 5.0, 2.0));
		struct ci ci;
		cr_assert_eq(welford_ci95(&w, &ci), 0);
		covered += ci.low <= 5.0 && 5.0 <= ci.high;
	}
	double lo = covered ? gsl_cdf_beta_Pinv(alpha / 2, covered, K - covered + 1) : 0.0;
	double hi = covered < K ? gsl_cdf_beta_Pinv(1 - alpha / 2, covered + 1, K - covered) : 1.0;
	cr_assert(lo <= 0.95 && 0.95 <= hi, "covered %u of %d: [%g, %g]", covered, K, lo, hi);
	rng_release(&s);
}

Test(stats, wilson_interval_by_hand)
{
	/* z = 1.959964, z^2 = 3.841459. 5 of 10: centre (5 + z^2/2)/(10 + z^2) = 0.5, half
	 * z/(10 + z^2) sqrt(5·5/10 + z^2/4) = 0.1416006 × 1.8602056 = 0.2634063: [0.2365937,
	 * 0.7634063] (the interval quoted for 5/10 in Newcombe 1998, 0.2366-0.7634). 4 of 4: the
	 * low end is n/(n + z^2) = 4/7.841459 = 0.5101092, the high end 1; 0 of 4 mirrors it. */
	struct ci ci;
	cr_assert_eq(stats_wilson(5, 10, 0.95, &ci), 0);
	cr_assert(fabs(ci.mean - 0.5) < 1e-15);
	cr_assert(fabs(ci.low - 0.2365937) < 1e-6, "%.9f", ci.low);
	cr_assert(fabs(ci.high - 0.7634063) < 1e-6, "%.9f", ci.high);
	cr_assert_eq(stats_wilson(4, 4, 0.95, &ci), 0);
	cr_assert(fabs(ci.low - 0.5101092) < 1e-6, "%.9f", ci.low);
	cr_assert_eq(ci.high, 1.0);
	cr_assert_eq(stats_wilson(0, 4, 0.95, &ci), 0);
	cr_assert_eq(ci.low, 0.0);
	cr_assert(fabs(ci.high - (1.0 - 0.5101092)) < 1e-6, "%.9f", ci.high);
	cr_assert_eq(stats_wilson(5, 4, 0.95, &ci), CAPSIM_EINVAL);
	cr_assert(isnan(ci.low) && isnan(ci.mean));
	cr_assert_eq(stats_wilson(0, 0, 0.95, &ci), CAPSIM_EINVAL);
}

Test(stats, quantile_interval_from_order_statistics_by_hand)
{
	/* The median of 100 values: B ~ Bin(100, 0.5) has P(B <= 39) = 0.0176 <= 0.025 <
	 * P(B <= 40) = 0.0284, so l = 40; P(B >= 61) = 0.0176 <= 0.025 < P(B >= 60) = 0.0284,
	 * so u = 61: the 40th and 61st smallest values, the ranks of the usual tables (e.g.
	 * Campbell & Gardner, BMJ 1988, for n = 100). Values 1..100: [40, 61]. */
	double v[100];
	for (int i = 0; i < 100; i++)
		v[i] = i + 1;
	struct ci ci;
	cr_assert_eq(stats_quantile_ci_sorted(v, 100, 0.5, 0.95, &ci), 0);
	cr_assert_eq(ci.low, 40.0);
	cr_assert_eq(ci.high, 61.0);
	cr_assert_eq(ci.mean, 50.5, "type-7 median of 1..100");
	/* The 99th percentile of 4 values: P(B <= 2) = 1 - 0.99^4 - 4·0.99^3·0.01 = 0.000592
	 * <= 0.025 < P(B <= 3) = 1 - 0.99^4 = 0.0394, so l = 3; P(B >= 4) = 0.99^4 = 0.961 >
	 * 0.025: no rank bounds it above. */
	double w[4] = { 10, 20, 30, 40 };
	cr_assert_eq(stats_quantile_ci_sorted(w, 4, 0.99, 0.95, &ci), 0);
	cr_assert_eq(ci.low, 30.0);
	cr_assert(isinf(ci.high) && ci.high > 0);
	/* One value: P(B <= 0) = 0.01 <= 0.025 gives l = 1, P(B >= 1) = 0.99: no upper rank. */
	cr_assert_eq(stats_quantile_ci_sorted(w, 1, 0.99, 0.95, &ci), 0);
	cr_assert_eq(ci.low, 10.0);
	cr_assert(isinf(ci.high));
	/* The upper rank appears once 0.99^n <= 0.025, n >= ln 0.025 / ln 0.99 = 367.04. */
	double *x = malloc(368 * sizeof *x);
	cr_assert_not_null(x);
	for (int i = 0; i < 368; i++)
		x[i] = i;
	cr_assert_eq(stats_quantile_ci_sorted(x, 367, 0.99, 0.95, &ci), 0);
	cr_assert(isinf(ci.high), "367 values cannot bound the p99 above: %g", ci.high);
	cr_assert_eq(stats_quantile_ci_sorted(x, 368, 0.99, 0.95, &ci), 0);
	cr_assert_eq(ci.high, 367.0, "368 values: the largest bounds it");
	free(x);
	cr_assert_eq(stats_quantile_ci_sorted(w, 4, 1.0, 0.95, &ci), CAPSIM_EINVAL);
	cr_assert_eq(stats_quantile_ci_sorted(w, 0, 0.5, 0.95, &ci), CAPSIM_EINVAL);
	cr_assert(isnan(ci.low));
}

/* The interval must hold its own point estimate. The 99th percentile of {10, 20}: type 7 puts
 * it at rank 1 + (2 - 1) 0.99 = 1.99, 10 + 0.99 × 10 = 19.9. For B ~ Bin(2, 0.99), P(B <= 1)
 * = 1 - 0.99^2 = 0.0199 <= 0.025, so the equal-tailed lower rank is 2: the value 20, above
 * 19.9. Widened to rank 1, the point's lower neighbour: [10, inf), of coverage P(B >= 1) =
 * 1 - 0.01^2 = 0.9999 (P(B >= 2) = 0.9801 > 0.025: no upper rank). The 1st percentile
 * mirrors it: point 10.1, and P(B >= 1) = 0.0199 for Bin(2, 0.01) made the upper rank 1 (10,
 * below 10.1): widened to rank 2, (-inf, 20] (P(B <= 0) = 0.99^2 = 0.9801 > 0.025: no lower
 * rank). The 99.9th of 1..25: P(B <= 24) = 1 - 0.999^25 = 0.024702 <= 0.025 for Bin(25,
 * 0.999) gave l = 25, where the point is at rank 1 + 24 × 0.999 = 24.976: l = 24. */
Test(stats, quantile_interval_holds_its_point_estimate)
{
	double two[] = { 10, 20 };
	struct ci ci;
	cr_assert_eq(stats_quantile_ci_sorted(two, 2, 0.99, 0.95, &ci), 0);
	cr_assert_float_eq(ci.mean, 19.9, 1e-12);
	cr_assert_eq(ci.low, 10.0, "low %g above the point %g", ci.low, ci.mean);
	cr_assert(isinf(ci.high) && ci.high > 0);
	cr_assert_eq(stats_quantile_ci_sorted(two, 2, 0.01, 0.95, &ci), 0);
	cr_assert_float_eq(ci.mean, 10.1, 1e-12);
	cr_assert(isinf(ci.low) && ci.low < 0);
	cr_assert_eq(ci.high, 20.0, "high %g below the point %g", ci.high, ci.mean);
	double v[25];
	for (int i = 0; i < 25; i++)
		v[i] = i + 1;
	cr_assert_eq(stats_quantile_ci_sorted(v, 25, 0.999, 0.95, &ci), 0);
	cr_assert_float_eq(ci.mean, 24.976, 1e-9);
	cr_assert_eq(ci.low, 24.0);
	cr_assert(isinf(ci.high));
}

/* Whatever n and p: low <= point <= high, and the interval's ranks still cover the quantile
 * with probability >= 95%. On 1..n the value is the rank, so the coverage of the ranks
 * returned is P(l <= B < u) = F(u - 1) - F(l - 1), B ~ Bin(n, p), F(-1) = 0 and F(n) = 1 for
 * a missing bound, computed here from gsl_cdf_binomial_P directly. */
Test(stats, quantile_interval_is_coherent_and_covers_for_every_n)
{
	static const double ps[] = { 0.001, 0.01, 0.05, 0.25, 0.5, 0.9, 0.95, 0.99, 0.999 };
	static double v[400];
	for (int i = 0; i < 400; i++)
		v[i] = i + 1;
	for (size_t n = 1; n <= 400; n++)
		for (size_t k = 0; k < sizeof ps / sizeof ps[0]; k++) {
			double p = ps[k];
			struct ci ci;
			cr_assert_eq(stats_quantile_ci_sorted(v, n, p, 0.95, &ci), 0);
			cr_assert(ci.low <= ci.mean && ci.mean <= ci.high,
				  "n %zu p %g: %g not in [%g, %g]", n, p, ci.mean, ci.low, ci.high);
			unsigned un = (unsigned)n;
			double below = isinf(ci.low) ? 0.0 :
				gsl_cdf_binomial_P((unsigned)ci.low - 1, p, un);
			double upto = isinf(ci.high) ? 1.0 :
				gsl_cdf_binomial_P((unsigned)ci.high - 1, p, un);
			cr_assert(upto - below >= 0.95 - 1e-12, "n %zu p %g: [%g, %g] covers %g",
				  n, p, ci.low, ci.high, upto - below);
		}
}

/* Equal values: every quantile of them is that value, exactly. GSL's (1 - d) a + d b gives
 * 3362.3999999999996 for the 99th percentile of 24 copies of 3362.4 (d = 0.77), an ulp
 * under the value its interval's lower end is (l = 23 there, the ranks all hold 3362.4), and
 * 7.389999999999999 for the 95th of 50 copies of 7.39: a p95 below the p5. */
Test(stats, quantile_of_equal_values_is_that_value)
{
	double v[50];
	struct ci ci;
	for (int i = 0; i < 50; i++)
		v[i] = 3362.4;
	cr_assert_eq(stats_quantile_sorted(v, 24, 0.99), 3362.4);
	cr_assert_eq(stats_quantile_ci_sorted(v, 24, 0.99, 0.95, &ci), 0);
	cr_assert(ci.low <= ci.mean, "%.17g above %.17g", ci.low, ci.mean);
	for (int i = 0; i < 50; i++)
		v[i] = 7.39;
	cr_assert_eq(stats_quantile(v, 50, 0.95), 7.39);
	cr_assert_eq(stats_quantile_sorted(v, 50, 0.05), 7.39);
	/* An infinite value (an unknown, large one) is the interpolation's limit, not NaN. */
	double w[] = { 1, 2, INFINITY };
	cr_assert_eq(stats_quantile_sorted(w, 3, 0.5), 2.0);
	cr_assert(isinf(stats_quantile_sorted(w, 3, 0.75)));
}

Test(stats, quantile_interval_covers_the_true_quantile)
{
	/* 2000 intervals for the 90th percentile of 50 draws of U(0, 1) (true value 0.9). The
	 * ranks give coverage >= 95% whatever the distribution (here P(l <= B < u) for
	 * Bin(50, 0.9)); the count covering must not be below 95% beyond chance: the one-sided
	 * Clopper-Pearson 99.9% upper bound of the covered fraction must reach 0.95. */
	enum { K = 2000, N = 50 };
	struct rng s;
	cr_assert_eq(rng_init(&s, SEED, 3, 0), 0);
	unsigned covered = 0;
	double v[N];
	for (int k = 0; k < K; k++) {
		for (int i = 0; i < N; i++)
			v[i] = rng_uniform(&s);
		gsl_sort(v, 1, N);
		struct ci ci;
		cr_assert_eq(stats_quantile_ci_sorted(v, N, 0.9, 0.95, &ci), 0);
		covered += ci.low <= 0.9 && 0.9 <= ci.high;
	}
	double hi = covered < K ? gsl_cdf_beta_Pinv(1 - 1e-3, covered + 1, K - covered) : 1.0;
	cr_assert(hi >= 0.95, "covered %u of %d, upper bound %g", covered, K, hi);
	rng_release(&s);
}

Test(stats, quantile_of_a_small_vector_by_hand)
{
	/* Sorted 1..5, rank (n-1)p: p 0.1 -> 0.4 -> 1.4; 0.5 -> 2 -> 3; 0.9 -> 3.6 -> 4.6. */
	double v[] = { 5, 1, 4, 2, 3 };
	cr_assert(fabs(stats_quantile(v, 5, 0.1) - 1.4) < 1e-12);
	for (int i = 0; i < 5; i++)
		cr_assert_eq(v[i], i + 1.0, "v not sorted in place");
	cr_assert_eq(stats_quantile(v, 5, 0.5), 3.0);
	cr_assert(fabs(stats_quantile(v, 5, 0.9) - 4.6) < 1e-12);
	cr_assert_eq(stats_quantile(v, 5, 0.0), 1.0);
	cr_assert_eq(stats_quantile(v, 5, 1.0), 5.0);
	/* {10,20,30,40}, p 0.25: rank 0.75 -> 10 + 0.75 x 10 = 17.5. */
	double u[] = { 40, 30, 20, 10 };
	cr_assert(fabs(stats_quantile(u, 4, 0.25) - 17.5) < 1e-12);
	cr_assert(fabs(stats_quantile_sorted(u, 4, 0.25) - 17.5) < 1e-12);
	cr_assert(isnan(stats_quantile(v, 0, 0.5)));
	cr_assert(isnan(stats_quantile(v, 5, -0.1)));
	cr_assert(isnan(stats_quantile(v, 5, 1.1)));
}

Test(hist, bucket_count_from_rel_err)
{
	/* rel_err 0.01: smallest S = 2^k with 2S+1 >= 100 is 64, bound 1/129;
	 * rel_err 0.1: 2S+1 >= 10 -> S = 8, bound 1/17; rel_err 0.5: S = 1, bound 1/3. */
	struct hist h;
	cr_assert_eq(hist_init(&h, 1e-3, 1e3, 0.01), 0);
	cr_assert_eq(h.sub_bits, 6u);
	cr_assert_eq(h.rel_err_bound, 1.0 / 129.0);
	hist_release(&h);
	cr_assert_eq(hist_init(&h, 1e-3, 1e3, 0.1), 0);
	cr_assert_eq(h.rel_err_bound, 1.0 / 17.0);
	hist_release(&h);
	cr_assert_eq(hist_init(&h, 1e-3, 1e3, 0.5), 0);
	cr_assert_eq(h.rel_err_bound, 1.0 / 3.0);
	hist_release(&h);
	hist_release(&h);
	hist_release(NULL);
}

Test(hist, invalid_geometry_is_refused)
{
	struct hist h;
	cr_assert_eq(hist_init(&h, 0.0, 1.0, 0.01), CAPSIM_EINVAL);
	cr_assert_eq(hist_init(&h, -1.0, 1.0, 0.01), CAPSIM_EINVAL);
	cr_assert_eq(hist_init(&h, 2.0, 1.0, 0.01), CAPSIM_EINVAL);
	cr_assert_eq(hist_init(&h, 1.0, 1.0, 0.01), CAPSIM_EINVAL);
	cr_assert_eq(hist_init(&h, 1.0, INFINITY, 0.01), CAPSIM_EINVAL);
	cr_assert_eq(hist_init(&h, 1.0, 2.0, 0.0), CAPSIM_EINVAL);
	cr_assert_eq(hist_init(&h, 1.0, 2.0, 1.0), CAPSIM_EINVAL);
	cr_assert_eq(hist_init(&h, 1.0, 2.0, NAN), CAPSIM_EINVAL);
	/* 1e-9 over 40 decades: 2^29 sub-buckets per octave, far beyond 2^24 buckets. */
	cr_assert_eq(hist_init(&h, 1e-20, 1e20, 1e-9), CAPSIM_ERANGE);
	cr_assert_null(h.counts);
	hist_release(&h);
}

/* |est - exact| within the histogram's guaranteed bound, plus rounding of a few ulps. */
static void within_bound(const struct hist *h, double est, double exact, double p)
{
	double tol = h->rel_err_bound * exact * (1.0 + 1e-12);
	cr_assert(fabs(est - exact) <= tol && fabs(est - exact) <= h->rel_err * exact,
		  "p %.6g: %.12g vs exact %.12g (rel %.3g, bound %.3g)", p, est, exact,
		  fabs(est - exact) / exact, h->rel_err_bound);
}

Test(hist, quantiles_within_rel_err_over_decades)
{
	/* Lognormal latencies with median 10 ms and sigma 2: 2e5 values spread over ~7 decades.
	 * Every quantile must be within rel_err of stats_quantile's on the same values. */
	enum { N = 200000 };
	double *x = malloc(N * sizeof *x);
	cr_assert_not_null(x);
	struct rng s;
	cr_assert_eq(rng_init(&s, SEED, 3, 0), 0);
	struct hist h;
	cr_assert_eq(hist_init(&h, 1e-7, 1e3, 0.01), 0);
	double sum = 0.0;
	for (int i = 0; i < N; i++) {
		x[i] = rng_lognormal(&s, log(0.01), 2.0);
		hist_add(&h, x[i]);
		sum += x[i];
	}
	gsl_sort(x, 1, N);
	cr_assert(x[0] >= 1e-7 && x[N - 1] <= 1e3, "data outside the contract's range");
	cr_assert(x[N - 1] / x[0] > 1e6, "data spans too few decades for the test");
	cr_assert_eq(hist_count(&h), (uint64_t)N);
	cr_assert(rel_diff(hist_mean(&h), sum / N) < 1e-12);
	for (int k = 0; k <= 1000; k++) {
		double p = k / 1000.0;
		within_bound(&h, hist_quantile(&h, p), gsl_stats_quantile_from_sorted_data(x, 1, N, p), p);
	}
	const double tail[] = { 0.9999, 0.99999, 1e-5, 1e-4 };
	for (size_t k = 0; k < sizeof tail / sizeof tail[0]; k++)
		within_bound(&h, hist_quantile(&h, tail[k]),
			     gsl_stats_quantile_from_sorted_data(x, 1, N, tail[k]), tail[k]);
	cr_assert_eq(hist_quantile(&h, 0.0), x[0]);
	cr_assert_eq(hist_quantile(&h, 1.0), x[N - 1]);
	hist_release(&h);
	rng_release(&s);
	free(x);
}

Test(hist, every_bucket_respects_the_bound)
{
	/* One value x between the extremes lo and hi: the median is x's bucket value, so this
	 * checks the bound for x swept over [lo, hi] in steps of 0.1%, and at every octave edge
	 * 2^e and just below it, where buckets are relatively widest. */
	const double lo = 1e-6, hi = 1e4;
	struct hist h;
	cr_assert_eq(hist_init(&h, lo, hi, 0.02), 0);
	for (double x = lo; x <= hi; x *= 1.001) {
		hist_reset(&h);
		hist_add(&h, lo);
		hist_add(&h, x);
		hist_add(&h, hi);
		within_bound(&h, hist_quantile(&h, 0.5), x, 0.5);
	}
	for (int e = -19; e <= 13; e++) {
		double edge = ldexp(1.0, e);
		const double xs[] = { edge, nextafter(edge, 0.0), nextafter(edge, INFINITY) };
		for (int k = 0; k < 3; k++) {
			hist_reset(&h);
			hist_add(&h, lo);
			hist_add(&h, xs[k]);
			hist_add(&h, hi);
			within_bound(&h, hist_quantile(&h, 0.5), xs[k], 0.5);
		}
	}
	hist_release(&h);
}

Test(hist, out_of_range_values_follow_the_contract)
{
	/* lo 1, hi 100; nine values so that rank 8p is exact at p = k/8. Sorted:
	 * -3 0.5 0.7 | 10 20 50 | 150 300 1000
	 * p 0 -> exact min -3; p 1/8, 2/8 -> underflow, reported as lo = 1; p 3/8, 4/8, 5/8 ->
	 * 10, 20, 50 within the bound; p 6/8, 7/8 -> overflow, reported as hi = 100; p 1 -> exact
	 * max 1000; p 11/16 -> rank 5.5, halfway between 50 (estimated) and 100: 75 +- 25 bound.
	 * count and mean exact: sum 1528.2, mean 169.8. */
	struct hist h;
	cr_assert_eq(hist_init(&h, 1.0, 100.0, 0.01), 0);
	const double v[] = { 1000.0, 10.0, 0.7, -3.0, 150.0, 50.0, 0.5, 300.0, 20.0 };
	for (int i = 0; i < 9; i++)
		hist_add(&h, v[i]);
	cr_assert_eq(hist_count(&h), (uint64_t)9);
	cr_assert(fabs(hist_mean(&h) - 169.8) < 1e-12);
	cr_assert_eq(hist_quantile(&h, 0.0), -3.0);
	cr_assert_eq(hist_quantile(&h, 1.0 / 8), 1.0);
	cr_assert_eq(hist_quantile(&h, 2.0 / 8), 1.0);
	within_bound(&h, hist_quantile(&h, 3.0 / 8), 10.0, 3.0 / 8);
	within_bound(&h, hist_quantile(&h, 4.0 / 8), 20.0, 4.0 / 8);
	within_bound(&h, hist_quantile(&h, 5.0 / 8), 50.0, 5.0 / 8);
	cr_assert_eq(hist_quantile(&h, 6.0 / 8), 100.0);
	cr_assert_eq(hist_quantile(&h, 7.0 / 8), 100.0);
	cr_assert_eq(hist_quantile(&h, 1.0), 1000.0);
	cr_assert(fabs(hist_quantile(&h, 11.0 / 16) - 75.0) <= 25.0 * h.rel_err_bound * (1 + 1e-12));
	cr_assert(isnan(hist_quantile(&h, 1.5)));
	hist_add(&h, INFINITY);
	cr_assert(isinf(hist_mean(&h)));
	cr_assert(isinf(hist_quantile(&h, 1.0)));
	hist_release(&h);
}

Test(hist, empty_reset_and_add_n)
{
	struct hist h, g;
	cr_assert_eq(hist_init(&h, 1e-3, 10.0, 0.05), 0);
	cr_assert_eq(hist_init(&g, 1e-3, 10.0, 0.05), 0);
	cr_assert(isnan(hist_quantile(&h, 0.5)));
	cr_assert(isnan(hist_mean(&h)));
	/* add_n(x, k) is k adds. */
	hist_add_n(&h, 0.25, 5);
	hist_add_n(&h, 3.0, 0);
	for (int i = 0; i < 5; i++)
		hist_add(&g, 0.25);
	cr_assert_eq(hist_count(&h), (uint64_t)5);
	cr_assert(memcmp(h.counts, g.counts, (h.nbuckets + 2) * sizeof *h.counts) == 0);
	cr_assert_eq(hist_mean(&h), 0.25);
	cr_assert_eq(h.max, 0.25);
	hist_reset(&h);
	cr_assert_eq(hist_count(&h), (uint64_t)0);
	cr_assert(isnan(hist_quantile(&h, 0.5)) && isnan(hist_mean(&h)));
	for (size_t i = 0; i < h.nbuckets + 2; i++)
		cr_assert_eq(h.counts[i], (uint64_t)0);
	hist_add(&h, 2.0);
	cr_assert_eq(hist_quantile(&h, 0.5), 2.0);
	hist_release(&h);
	hist_release(&g);
}

Test(hist, merge_equals_adding_all)
{
	/* Two replications' histograms merged == one histogram of all values: same buckets and
	 * count, same extremes, so bit-identical quantiles; sums agree to rounding. */
	enum { N = 50000 };
	struct hist a, b, all;
	cr_assert_eq(hist_init(&a, 1e-5, 1e2, 0.01), 0);
	cr_assert_eq(hist_init(&b, 1e-5, 1e2, 0.01), 0);
	cr_assert_eq(hist_init(&all, 1e-5, 1e2, 0.01), 0);
	struct rng s;
	cr_assert_eq(rng_init(&s, SEED, 4, 0), 0);
	for (int i = 0; i < N; i++) {
		double x = rng_lognormal(&s, log(0.05), 1.5);
		hist_add(i % 3 ? &a : &b, x);
		hist_add(&all, x);
	}
	cr_assert_eq(hist_merge(&a, &b), 0);
	cr_assert_eq(hist_count(&a), hist_count(&all));
	cr_assert(memcmp(a.counts, all.counts, (a.nbuckets + 2) * sizeof *a.counts) == 0);
	cr_assert_eq(a.min, all.min);
	cr_assert_eq(a.max, all.max);
	cr_assert(rel_diff(hist_mean(&a), hist_mean(&all)) < 1e-12);
	for (int k = 0; k <= 100; k++) {
		double qa = hist_quantile(&a, k / 100.0), qall = hist_quantile(&all, k / 100.0);
		cr_assert(memcmp(&qa, &qall, sizeof qa) == 0, "p %d%%", k);
	}

	/* Different geometry: refused, `into` unchanged. */
	struct hist other;
	cr_assert_eq(hist_init(&other, 1e-5, 1e2, 0.05), 0);
	hist_add(&other, 1.0);
	uint64_t n = hist_count(&a);
	cr_assert_eq(hist_merge(&a, &other), CAPSIM_EINVAL);
	cr_assert_eq(hist_count(&a), n);
	hist_release(&other);
	cr_assert_eq(hist_init(&other, 1e-4, 1e2, 0.01), 0);
	cr_assert_eq(hist_merge(&a, &other), CAPSIM_EINVAL);
	hist_release(&other);

	hist_release(&a);
	hist_release(&b);
	hist_release(&all);
	rng_release(&s);
}
