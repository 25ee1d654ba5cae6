/* Traffic generator: shapes by hand, noise and spike statistics against their laws, traces. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>

#include "models/traffic.h"
#include "sim/error.h"

/* A synthetic spec: no noise, no spikes, no trace unless a test sets them. */
static struct scenario_traffic flat(double base)
{
	struct scenario_traffic s = { 0 };
	s.base_rate = base;
	s.daily_peak_hour = 12;
	s.weekend_factor = 1;
	return s;
}

static double rate_of(struct traffic *t, uint64_t k)
{
	double r = -1;
	cr_assert_eq(traffic_rate(t, k, &r), 0, "step %llu", (unsigned long long)k);
	return r;
}

Test(traffic, shape_at_hand_picked_times)
{
	struct scenario_traffic s = flat(100);
	s.daily_amplitude = 0.5;
	s.daily_peak_hour = 14;
	s.weekend_factor = 1.3;
	/* t = 0 is Monday 00:00 UTC. By hand, rate = 100 × (1 + 0.5 cos(2π(h − 14)/24)) × w:
	 *   Monday 14:00 (t = 50400): cos 0 = 1 -> 150 (peak)
	 *   Monday 02:00 (t = 7200):  cos(−π) = −1 -> 50 (trough)
	 *   Saturday 14:00 (t = 5·86400 + 50400 = 482400): 150 × 1.3 = 195
	 *   Sunday 08:00 (t = 6·86400 + 28800 = 547200): cos(−π/2) = 0 -> 100 × 1.3 = 130
	 *   Friday 23:00 (t = 4·86400 + 82800 = 428400): cos(2π·9/24) = cos(3π/4) = −0.70710678
	 *     -> 100 × (1 − 0.35355339) = 64.644661, weekday
	 *   next Monday 20:00 (t = 7·86400 + 72000 = 676800): cos(π/2) = 0 -> 100, weekday again */
	cr_assert_float_eq(traffic_shape(&s, 50400), 150, 1e-9);
	cr_assert_float_eq(traffic_shape(&s, 7200), 50, 1e-9);
	cr_assert_float_eq(traffic_shape(&s, 482400), 195, 1e-9);
	cr_assert_float_eq(traffic_shape(&s, 547200), 130, 1e-9);
	cr_assert_float_eq(traffic_shape(&s, 428400), 64.644661, 1e-6);
	cr_assert_float_eq(traffic_shape(&s, 676800), 100, 1e-9);
}

Test(traffic, peak_hour_wraps_around_midnight)
{
	struct scenario_traffic s = flat(100);
	s.daily_amplitude = 0.5;
	s.daily_peak_hour = 23;
	/* Monday 01:00: 2π(1 − 23)/24 = −11π/6, cos = cos(π/6) = 0.8660254 -> 143.30127 */
	cr_assert_float_eq(traffic_shape(&s, 3600), 143.30127, 1e-5);
}

/* Two regions whose users peak at their own hours (traffic.regions[].peak_hour). */
static struct scenario_traffic two_peaks(double share0, double peak0, double peak1, double *shares,
					 double *peaks)
{
	struct scenario_traffic s = flat(100);
	s.daily_amplitude = 0.5;
	shares[0] = share0;
	shares[1] = 1 - share0;
	peaks[0] = peak0;
	peaks[1] = peak1;
	s.region_share = shares;
	s.region_peak_hour = peaks;
	s.nregions = 2;
	s.region_peaks = 1;
	return s;
}

Test(traffic, regions_peaking_twelve_hours_apart_with_equal_shares_sum_to_a_flat_day)
{
	double shares[2], peaks[2], split[2];
	struct scenario_traffic s = two_peaks(0.5, 6, 18, shares, peaks);
	s.weekend_factor = 1.3;
	/* cos(x) + cos(x − π) = 0: half the users on each sine leave the daily factor 1, so the
	 * total is the base times the weekly factor at any hour; each region's part is its own sine:
	 * at 06:00 region 0 offers 0.5 × 100 × 1.5 = 75 and region 1 0.5 × 100 × 0.5 = 25. */
	for (double t = 0; t < 7 * 86400.0; t += 3600 * 5.5) {
		double w = fmod(floor(t / 86400), 7) >= 5 ? 1.3 : 1.0;
		cr_assert_float_eq(traffic_shape(&s, t), 100 * w, 1e-9, "t = %g", t);
	}
	traffic_split(&s, 6 * 3600.0, 6 * 3600.0, split);
	cr_assert_float_eq(split[0], 0.75, 1e-12);
	cr_assert_float_eq(split[1], 0.25, 1e-12);
	traffic_split(&s, 12 * 3600.0, 12 * 3600.0, split);   /* both sines at 1: the declared shares */
	cr_assert_float_eq(split[0], 0.5, 1e-12);
}

Test(traffic, a_regions_part_is_its_share_of_its_own_sine)
{
	double shares[2], peaks[2], split[2];
	struct scenario_traffic s = two_peaks(0.6, 19, 1, shares, peaks);
	/* Monday 19:00 (t = 68400), by hand: region 0 at its peak, 0.6 × 1.5 = 0.9; region 1
	 * 18 h past its peak, cos(2π·18/24) = cos(3π/2) = 0, 0.4 × 1 = 0.4. Total 100 × 1.3 = 130,
	 * split 0.9/1.3 = 0.6923077 and 0.4/1.3 = 0.3076923. */
	cr_assert_float_eq(traffic_shape(&s, 68400), 130, 1e-9);
	traffic_split(&s, 68400, 68400, split);
	cr_assert_float_eq(split[0], 0.9 / 1.3, 1e-12);
	cr_assert_float_eq(split[1], 0.4 / 1.3, 1e-12);
	cr_assert_float_eq(split[0] + split[1], 1, 1e-15);
	/* The same peaks everywhere: the declared shares, whatever the hour. */
	s.region_peaks = 0;
	traffic_split(&s, 68400, 68400, split);
	cr_assert_eq(split[0], 0.6);
	cr_assert_eq(split[1], 0.4);
}

Test(traffic, growth_compounds_per_730_hour_month)
{
	struct scenario_traffic s = flat(100);
	s.growth_per_month = 0.1;
	s.weekend_factor = 1.3;
	/* One month = 730 h = 30 d 10 h: day 30 is a Wednesday (30 mod 7 = 2) -> 100 × 1.1 = 110.
	 * Two months = 60 d 20 h: day 60 is a Friday (60 mod 7 = 4) -> 121.
	 * Half a month = 365 h = 15 d 5 h: Tuesday -> 100 × sqrt(1.1) = 104.88088. */
	cr_assert_float_eq(traffic_shape(&s, SCENARIO_MONTH), 110, 1e-9);
	cr_assert_float_eq(traffic_shape(&s, 2 * SCENARIO_MONTH), 121, 1e-9);
	cr_assert_float_eq(traffic_shape(&s, 0.5 * SCENARIO_MONTH), 104.88088, 1e-5);
}

Test(traffic, synthetic_step_is_the_shapes_mean_over_it)
{
	struct scenario_traffic s = flat(100);
	s.daily_amplitude = 0.5;
	s.daily_peak_hour = 14;
	struct traffic t;
	cr_assert_eq(traffic_init(&t, &s, 7200, 86400, 1, 0), 0);
	/* Step 6 = [12:00, 14:00), the two hours before the peak: the cosine's mean over them is
	 * (1/2) ∫_{-2}^{0} cos(2π u / 24) du = sin(π/6) / (π/6) = 3/π, so 100 × (1 + 1.5/π) =
	 * 147.74648 (its value at the midpoint, 13:00, would be 148.29629). */
	cr_assert_float_eq(rate_of(&t, 6), 100 * (1 + 1.5 / 3.14159265358979323846), 1e-9);
	traffic_release(&t);
}

/* Steps of a day and of a week offer what the shape does over them: a day averages its sine
 * to 1 whatever the peak hour (it was read at noon, the peak here: 1.5 every day), and a week
 * of 5 weekdays and a weekend at 2 averages (5 + 2 × 2) / 7 = 9/7 (it was read at Thursday
 * noon: 1). */
Test(traffic, coarse_steps_offer_the_shapes_mean)
{
	struct scenario_traffic s = flat(100);
	s.daily_amplitude = 0.5;
	s.daily_peak_hour = 12;
	struct traffic t;
	cr_assert_eq(traffic_init(&t, &s, 86400, 7 * 86400, 1, 0), 0);
	for (uint64_t k = 0; k < 5; k++)
		cr_assert_float_eq(rate_of(&t, k), 100, 1e-9, "day %llu", (unsigned long long)k);
	traffic_release(&t);
	s = flat(100);
	s.weekend_factor = 2;
	cr_assert_eq(traffic_init(&t, &s, 7 * 86400, 14 * 86400, 1, 0), 0);
	cr_assert_float_eq(rate_of(&t, 0), 100 * 9.0 / 7.0, 1e-9);
	cr_assert_float_eq(rate_of(&t, 1), 100 * 9.0 / 7.0, 1e-9);
	traffic_release(&t);
}

Test(traffic, noise_factor_is_a_mean_one_lognormal)
{
	struct scenario_traffic s = flat(100);
	s.noise = 0.3;
	enum { N = 100000 };
	struct traffic t;
	cr_assert_eq(traffic_init(&t, &s, 60, 60.0 * N, 42, 0), 0);
	double sum = 0, lsum = 0, lsq = 0;
	for (uint64_t k = 0; k < N; k++) {
		double f = rate_of(&t, k) / 100;
		double l = log(f);
		sum += f;
		lsum += l;
		lsq += l * l;
	}
	traffic_release(&t);
	/* Factor: mean 1, sd sqrt(exp(σ²) − 1) = sqrt(exp(0.09) − 1) = 0.306878; standard error
	 * over N = 1e5 iid draws 0.306878/316.228 = 9.704e-4. ln factor ~ N(−σ²/2 = −0.045, 0.09):
	 * standard error of its mean 0.3/316.228 = 9.487e-4. Tolerance 4 standard errors each
	 * (false-failure probability < 1e-4 per check). */
	double se = sqrt(expm1(0.09)) / sqrt((double)N);
	cr_assert(fabs(sum / N - 1) < 4 * se, "mean factor %g", sum / N);
	cr_assert(fabs(lsum / N + 0.045) < 4 * 0.3 / sqrt((double)N), "mean log %g", lsum / N);
	/* Sample variance of ln f: its standard error is σ²·sqrt(2/(N−1)) = 4.02e-4 (normal). */
	double var = (lsq - lsum * lsum / N) / (N - 1);
	cr_assert(fabs(var - 0.09) < 4 * 0.09 * sqrt(2.0 / (N - 1)), "var log %g", var);
}

Test(traffic, spike_count_is_poisson_in_rate_times_days)
{
	struct scenario_traffic s = flat(100);
	s.spikes = (struct scenario_spikes){ .rate_per_day = 5, .magnitude_lo = 2,
		.magnitude_hi = 4, .duration = 600 };
	struct traffic t;
	cr_assert_eq(traffic_init(&t, &s, 3600, 1000 * 86400.0, 7, 0), 0);
	uint64_t n = traffic_nsteps(&t);
	cr_assert_eq(n, 24000);
	double lo = INFINITY, hi = 0;
	for (uint64_t k = 0; k < n; k++) {
		double r = rate_of(&t, k);
		lo = fmin(lo, r);
		hi = fmax(hi, r);
	}
	/* 5/day × 1000 days: Poisson mean 5000, sd sqrt(5000) = 70.71; 4 sd = 282.8. */
	double c = (double)traffic_spikes_started(&t);
	cr_assert(fabs(c - 5000) < 4 * sqrt(5000.0), "spikes %g", c);
	/* Without noise a rate is never below the base, and a step is spiked somewhere. */
	cr_assert_float_eq(lo, 100, 1e-9);
	cr_assert(hi > 100);
	traffic_release(&t);
}

Test(traffic, each_spike_adds_magnitude_minus_one_times_duration_requests)
{
	/* Spikes of 1 s with magnitude exactly 3 on a flat 100 req/s: each adds (3 − 1) × 100 ×
	 * 1 s = 200 requests, split between the one or two 60 s steps it overlaps by the
	 * time-average rule. So Σ_k (rate_k − 100) × 60 = 200 × spikes, provided no two spikes
	 * overlap and none runs past the horizon (with 2/day over 200 days, 400 spikes of 1 s,
	 * the chance of either is about 400²·2/(2·200·86400) < 1%, and this seed has neither:
	 * an overlap would show as an excess of 3×3 − 1 = 8 instead of 2 + 2). */
	struct scenario_traffic s = flat(100);
	s.spikes = (struct scenario_spikes){ .rate_per_day = 2, .magnitude_lo = 3,
		.magnitude_hi = 3, .duration = 1 };
	struct traffic t;
	cr_assert_eq(traffic_init(&t, &s, 60, 200 * 86400.0, 3, 1), 0);
	double excess = 0;
	int split = 0;
	for (uint64_t k = 0; k < traffic_nsteps(&t); k++) {
		double r = rate_of(&t, k);
		excess += (r - 100) * 60;
		if (r > 100 && r < 100 + 200.0 / 60 - 1e-9)
			split++;   /* a spike straddling a step boundary gives part of 200/60 */
	}
	double c = (double)traffic_spikes_started(&t);
	cr_assert(c > 300 && c < 500, "spikes %g", c);   /* Poisson(400): 4 sd = 80 */
	cr_assert_float_eq(excess, 200 * c, 1e-6 * 200 * c);
	/* A 1 s spike straddles a boundary with probability 1/60: expect ~6.7; this only checks
	 * that the partial-overlap path ran. */
	cr_assert(split > 0);
	traffic_release(&t);
}

Test(traffic, overlapping_spikes_multiply)
{
	/* Spikes last 10 days at 20/day: ~200 in progress at once, each of magnitude 1.001.
	 * Once the process is stationary, the number in progress at a time is Poisson with mean
	 * λd = 200 and the factor is 1.001^N; E[factor] = exp(200 × (1.001 − 1)) = e^0.2 =
	 * 1.2214. Sampled at day 20..100 (hourly steps), the factor must stay positive and its
	 * log / log 1.001 must be a whole number of spikes: this checks the product, exactly. */
	struct scenario_traffic s = flat(1);
	s.spikes = (struct scenario_spikes){ .rate_per_day = 20, .magnitude_lo = 1.001,
		.magnitude_hi = 1.001, .duration = 10 * 86400.0 };
	struct traffic t;
	/* The step is 1 s so that no spike starts or ends inside most steps. */
	cr_assert_eq(traffic_init(&t, &s, 1, 100 * 86400.0, 5, 0), 0);
	int checked = 0;
	double nsum = 0;
	for (uint64_t k = 20 * 86400; k < 100 * 86400; k += 3600) {
		double n = log(rate_of(&t, k)) / log(1.001);
		if (fabs(n - round(n)) < 1e-6) {
			checked++;
			nsum += round(n);
		}
	}
	/* At most a handful of the 1920 sampled steps contain a spike boundary (each step of 1 s
	 * does with probability ≈ 2 × 20/86400 = 4.6e-4). */
	cr_assert(checked > 1900, "checked %d", checked);
	/* Mean in-progress count over 1900 samples an hour apart: Poisson(200) marginals but
	 * strongly correlated over 10 days, so only a loose check: within 200 ± 60 (the count
	 * averaged over 80 days sees ~8 independent 10-day windows: sd ≈ sqrt(200/8) = 5). */
	cr_assert(fabs(nsum / checked - 200) < 60, "mean in progress %g", nsum / checked);
	traffic_release(&t);
}

/* Rows at 0, 1 h, 2 h: 10, 20, 40 req/s, piecewise constant, the last held. */
static double tr_time[] = { 0, 3600, 7200 };
static double tr_rate[] = { 10, 20, 40 };

static struct scenario_traffic traced(void)
{
	struct scenario_traffic s = { 0 };
	s.weekend_factor = 1;
	s.has_trace = 1;
	s.trace = (struct scenario_trace){ .path = "test", .time = tr_time, .rate = tr_rate,
		.n = 3 };
	return s;
}

Test(traffic, trace_is_replayed_exactly_at_its_spacing)
{
	struct scenario_traffic s = traced();
	struct traffic t;
	cr_assert_eq(traffic_init(&t, &s, 3600, 4 * 3600, 1, 0), 0);
	cr_assert_eq(rate_of(&t, 0), 10);
	cr_assert_eq(rate_of(&t, 1), 20);
	cr_assert_eq(rate_of(&t, 2), 40);
	cr_assert_eq(rate_of(&t, 3), 40);   /* after the last row, its rate holds */
	traffic_release(&t);
}

Test(traffic, trace_is_resampled_as_its_mean_over_the_step)
{
	struct scenario_traffic s = traced();
	struct traffic t;
	/* Half-hour steps: each row covers two steps. */
	cr_assert_eq(traffic_init(&t, &s, 1800, 6 * 1800, 1, 0), 0);
	static const double half[] = { 10, 10, 20, 20, 40, 40 };
	for (uint64_t k = 0; k < 6; k++)
		cr_assert_eq(rate_of(&t, k), half[k], "step %llu", (unsigned long long)k);
	traffic_release(&t);
	/* 1.5 h steps: [0, 5400) = (10 × 3600 + 20 × 1800)/5400 = 13.3333;
	 * [5400, 10800) = (20 × 1800 + 40 × 3600)/5400 = 33.3333. */
	cr_assert_eq(traffic_init(&t, &s, 5400, 2 * 5400, 1, 0), 0);
	cr_assert_float_eq(rate_of(&t, 0), 40.0 / 3, 1e-12);
	cr_assert_float_eq(rate_of(&t, 1), 100.0 / 3, 1e-12);
	traffic_release(&t);
	/* 2 h steps: (10 + 20)/2 = 15, then 40. */
	cr_assert_eq(traffic_init(&t, &s, 7200, 2 * 7200, 1, 0), 0);
	cr_assert_float_eq(rate_of(&t, 0), 15, 1e-12);
	cr_assert_float_eq(rate_of(&t, 1), 40, 1e-12);
	traffic_release(&t);
}

Test(traffic, trace_starting_late_holds_its_first_rate)
{
	static double time[] = { 600, 1200 };
	static double rate[] = { 5, 7 };
	struct scenario_traffic s = { 0 };
	s.has_trace = 1;
	s.trace = (struct scenario_trace){ .path = "t", .time = time, .rate = rate, .n = 2 };
	/* Before 600 s the first row's rate: [0, 600) -> 5; at a point 900 -> 5; 1500 -> 7;
	 * mean over [0, 1800) = (5 × 1200 + 7 × 600)/1800 = 5.6667. */
	cr_assert_eq(traffic_shape(&s, 0), 5);
	cr_assert_eq(traffic_shape(&s, 900), 5);
	cr_assert_eq(traffic_shape(&s, 1500), 7);
	cr_assert_float_eq(traffic_shape_mean(&s, 0, 1800), 17.0 / 3, 1e-12);
}

/* Found by fuzzing (tests/fuzz): a trace repeated with a period far below the step was
 * walked period by period, 3.6e9 periods of 1 us in each one-hour step. Rows 0 -> 100 and
 * 0.5 us -> 300 repeated every 1 us: each period's mean is (100 + 300)/2 = 200, so every
 * step's is 200 too. A period of the smallest double (a one-row trace, 100) makes the count
 * of periods in a step overflow; the mean is still the trace's, 100. */
Test(traffic, a_period_far_below_the_step_counts_whole_periods_at_once, .timeout = 5)
{
	static double time[] = { 0, 0.5e-6 };
	static double rate[] = { 100, 300 };
	struct scenario_traffic s = { 0 };
	double *shape;
	s.has_trace = 1;
	s.trace = (struct scenario_trace){ .path = "t", .time = time, .rate = rate, .n = 2 };
	s.trace_period = 1e-6;
	cr_assert_eq(traffic_shape_table(&s, 3600, 24, &shape), 0);
	for (size_t k = 0; k < 24; k++)
		cr_assert_float_eq(shape[k], 200, 1e-9 * 200, "step %zu: %.17g", k, shape[k]);
	free(shape);
	s.trace.n = 1;
	s.trace_period = 4.9406564584124654e-324;
	cr_assert_eq(traffic_shape_table(&s, 3600, 24, &shape), 0);
	for (size_t k = 0; k < 24; k++)
		cr_assert_float_eq(shape[k], 100, 1e-9 * 100, "step %zu: %.17g", k, shape[k]);
	free(shape);
}

Test(traffic, same_seed_same_rates_other_rep_other_noise)
{
	struct scenario_traffic s = flat(50);
	s.noise = 0.2;
	s.spikes = (struct scenario_spikes){ .rate_per_day = 24, .magnitude_lo = 1.5,
		.magnitude_hi = 2.5, .duration = 1800 };
	struct traffic a, b, c;
	cr_assert_eq(traffic_init(&a, &s, 300, 86400, 9, 2), 0);
	cr_assert_eq(traffic_init(&b, &s, 300, 86400, 9, 2), 0);
	cr_assert_eq(traffic_init(&c, &s, 300, 86400, 9, 3), 0);
	int differ = 0;
	for (uint64_t k = 0; k < traffic_nsteps(&a); k++) {
		double ra = rate_of(&a, k);
		cr_assert_eq(ra, rate_of(&b, k));
		differ += ra != rate_of(&c, k);
	}
	/* Continuous noise: two replications' rates never coincide. */
	cr_assert_eq(differ, (int)traffic_nsteps(&a));
	traffic_release(&a);
	traffic_release(&b);
	traffic_release(&c);
}

Test(traffic, rate_of_a_step_does_not_depend_on_skipped_steps)
{
	struct scenario_traffic s = flat(50);
	s.noise = 0.2;
	s.spikes = (struct scenario_spikes){ .rate_per_day = 48, .magnitude_lo = 1.5,
		.magnitude_hi = 2.5, .duration = 900 };
	struct traffic all, some;
	cr_assert_eq(traffic_init(&all, &s, 60, 2 * 86400, 4, 0), 0);
	cr_assert_eq(traffic_init(&some, &s, 60, 2 * 86400, 4, 0), 0);
	for (uint64_t k = 0; k < traffic_nsteps(&all); k++) {
		double r = rate_of(&all, k);
		if (k % 7 == 3)
			cr_assert_eq(rate_of(&some, k), r, "step %llu", (unsigned long long)k);
	}
	traffic_release(&all);
	traffic_release(&some);
}

Test(traffic, steps_must_not_go_back_nor_past_the_horizon)
{
	struct scenario_traffic s = flat(10);
	s.noise = 0.5;
	struct traffic t;
	cr_assert_eq(traffic_init(&t, &s, 60, 600, 1, 0), 0);
	cr_assert_eq(traffic_nsteps(&t), 10);
	double r5 = rate_of(&t, 5), r = -1;
	cr_assert_eq(rate_of(&t, 5), r5);   /* asking again: the same rate, no new draw */
	cr_assert_eq(traffic_rate(&t, 4, &r), CAPSIM_EINVAL);
	cr_assert_eq(traffic_rate(&t, 10, &r), CAPSIM_ERANGE);
	cr_assert_eq(r, -1);
	traffic_release(&t);
	cr_assert_eq(traffic_init(&t, &s, 0, 600, 1, 0), CAPSIM_EINVAL);
	cr_assert_eq(traffic_init(&t, NULL, 60, 600, 1, 0), CAPSIM_EINVAL);
	traffic_release(&t);   /* harmless after a failed init */
}

/* A shared shape table changes nothing: the same rates, bit for bit, with noise and spikes. */
Test(traffic, shape_table_gives_identical_rates)
{
	struct scenario_traffic s = flat(100);
	s.daily_amplitude = 0.4;
	s.weekend_factor = 1.2;
	s.growth_per_month = 0.05;
	s.noise = 0.2;
	s.spikes = (struct scenario_spikes){ .rate_per_day = 5, .magnitude_lo = 1.5,
					     .magnitude_hi = 3, .duration = 1800 };
	uint64_t n = 3 * 1440;
	double *table;
	cr_assert_eq(traffic_shape_table(&s, 60, n, &table), 0);
	struct traffic a, b;
	cr_assert_eq(traffic_init(&a, &s, 60, 60.0 * (double)n, 9, 2), 0);
	cr_assert_eq(traffic_init(&b, &s, 60, 60.0 * (double)n, 9, 2), 0);
	traffic_use_shape_table(&b, table);
	for (uint64_t k = 0; k < n; k++) {
		double x = rate_of(&a, k), y = rate_of(&b, k);
		cr_assert(x == y, "step %llu: %.17g vs %.17g", (unsigned long long)k, x, y);
	}
	traffic_release(&a);
	traffic_release(&b);
	free(table);
}
