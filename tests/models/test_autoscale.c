/* Tests of models/autoscale against hand-calculated sequences of policy evaluations. */
#include <criterion/criterion.h>

#include <math.h>
#include <stdint.h>

#include "models/autoscale.h"
#include "sim/error.h"

#define DAY 86400.0
#define HOUR 3600.0

/* Every count below is a whole number computed by hand; the metrics fed in are chosen so that
 * current × metric / target is a whole or clearly fractional number, so counts are compared
 * exactly. Times are whole seconds, exact in a double. */

/* A target-tracking-only spec: no tolerance, no cooldowns, no window unless a test sets them. */
static struct scenario_autoscaling tt_spec(int min, int max, int desired, double target)
{
	struct scenario_autoscaling s = { .min = min, .max = max, .desired = desired };
	s.has_target_tracking = 1;
	s.target_tracking = (struct scenario_target_tracking){
		.target = target, .tolerance = 0, .metric_period = 60 };
	return s;
}

static void init_ok(struct autoscale *a, const struct scenario_autoscaling *s)
{
	cr_assert_eq(autoscale_init(a, s, 10.0, 0.5, 60.0), 0);
}

Test(autoscale, tt_recommend_50_replicas_at_90_percent_for_75_gives_60)
{
	/* ceil(50 × 0.9 / 0.75) = ceil(60) = 60: floating noise must not make it 61. Also
	 * 10 at 0.85 against 0.75 (outside a 0.1 tolerance: |1.1333 - 1| > 0.1):
	 * ceil(11.333) = 12; 10 at 0.3 against 0.75: ceil(4) = 4 (a scale-in recommendation). */
	cr_assert_eq(autoscale_tt_recommend(50, 0.9, 0.75, 0.0), 60);
	cr_assert_eq(autoscale_tt_recommend(50, 0.9, 0.75, 0.1), 60);
	cr_assert_eq(autoscale_tt_recommend(10, 0.85, 0.75, 0.1), 12);
	cr_assert_eq(autoscale_tt_recommend(10, 0.3, 0.75, 0.1), 4);
	/* Products that land one ulp above a whole number in doubles (checked in Python:
	 * 10 * 0.56 / 0.7 = 8.000000000000002, 10 * 0.66 / 0.6 = 11.000000000000002) are the
	 * exact 8 and 11 instances, not 9 and 12. */
	cr_assert_eq(autoscale_tt_recommend(10, 0.56, 0.7, 0.0), 8);
	cr_assert_eq(autoscale_tt_recommend(10, 0.66, 0.6, 0.0), 11);
}

Test(autoscale, tt_recommend_within_tolerance_keeps_current)
{
	/* 0.78 / 0.75 = 1.04, |1.04 - 1| = 0.04 <= 0.1: no change, 10 stays 10 (the formula
	 * would give ceil(10.4) = 11). 0.825 / 0.75 = 1.1 sits on the edge: still no change. */
	cr_assert_eq(autoscale_tt_recommend(10, 0.78, 0.75, 0.1), 10);
	cr_assert_eq(autoscale_tt_recommend(10, 0.78, 0.75, 0.0), 11);
	cr_assert_eq(autoscale_tt_recommend(10, 0.825, 0.75, 0.1), 10);
	cr_assert_eq(autoscale_tt_recommend(10, 0.675, 0.75, 0.1), 10);
	/* Edges whose double ratio lands just outside the band (0.55/0.5 - 1 =
	 * 0.10000000000000009, 0.6/0.75 - 1 = -0.20000000000000007) are still inside it. */
	cr_assert_eq(autoscale_tt_recommend(10, 0.55, 0.5, 0.1), 10);
	cr_assert_eq(autoscale_tt_recommend(10, 0.6, 0.75, 0.2), 10);
	/* No instance, no recommendation (AWS needs an instance to have a metric). */
	cr_assert_eq(autoscale_tt_recommend(0, 0.9, 0.75, 0.1), 0);
}

Test(autoscale, scale_out_is_limited_by_the_step_and_the_cooldown)
{
	/* target 0.5, 10 instances at 100%: recommendation ceil(10 × 1 / 0.5) = 20.
	 *   t = 0:   20 > 10, no scale-out yet: min(20, 10 + 3) = 13.
	 *   t = 30:  30 - 0 < 60 s cooldown: stays 13.
	 *   t = 60:  min(20, 13 + 3) = 16.
	 *   t = 120: min(20, 19) = 19;   t = 180: min(20, 22) = 20. */
	struct scenario_autoscaling s = tt_spec(1, 100, 10, 0.5);
	s.target_tracking.max_scale_out_step = 3;
	s.target_tracking.scale_out_cooldown = 60;
	struct autoscale a;
	init_ok(&a, &s);
	cr_assert_eq(autoscale_evaluate(&a, 0, 10, 1.0), 13);
	cr_assert_eq(autoscale_evaluate(&a, 30, 10, 1.0), 13);
	cr_assert_eq(autoscale_evaluate(&a, 60, 10, 1.0), 16);
	cr_assert_eq(a.desired, 16);
	cr_assert_eq(a.last_scale_out, 60.0);
	cr_assert_eq(autoscale_evaluate(&a, 120, 10, 1.0), 19);
	cr_assert_eq(autoscale_evaluate(&a, 180, 10, 1.0), 20);
	autoscale_release(&a);
}

Test(autoscale, scale_in_waits_for_the_stabilisation_window)
{
	/* target 0.5, window 300 s, evaluations every 60 s, no cooldown. The load, in busy
	 * instances, is 5 until t = 600 (recommendation 5/0.5 = 10 = desired), then 3, 2.5, 2
	 * (recommendations 6, 5, 4) at t = 600, 660, 720 and 2 afterwards. metric = load/current
	 * with current = desired (instant boot), so rec = ceil(load / 0.5).
	 * The last 10 is recorded at t = 540 and stays in the window while 540 >= now - 300,
	 * i.e. up to t = 840: desired stays 10 through t = 840. At t = 900 the window holds
	 * t = 600..900, whose highest recommendation is 6 (t = 600); at 960 it holds 660..960:
	 * 5; at 1020: 4, and 4 afterwards. */
	struct scenario_autoscaling s = tt_spec(1, 100, 10, 0.5);
	s.target_tracking.stabilization_window = 300;
	struct autoscale a;
	init_ok(&a, &s);
	static const int expect[] = {
		/* t = 0 .. 540 */ 10, 10, 10, 10, 10, 10, 10, 10, 10, 10,
		/* t = 600 .. 840 */ 10, 10, 10, 10, 10,
		/* t = 900, 960, 1020, 1080 */ 6, 5, 4, 4 };
	for (int i = 0; i < (int)(sizeof expect / sizeof expect[0]); i++) {
		double t = 60.0 * i;
		double load = t < 600 ? 5 : t < 660 ? 3 : t < 720 ? 2.5 : 2;
		int cur = a.desired;
		cr_assert_eq(autoscale_evaluate(&a, t, cur, load / cur), expect[i],
			     "t = %g: desired %d, expected %d", t, a.desired, expect[i]);
	}
	autoscale_release(&a);
}

/* The stabilisation rule replayed by brute force: desired follows rec upwards at once, and
 * downwards to the highest of recs[j] with times[j] >= t - window (no cooldown, no step, no
 * tolerance, no clamping in the bounds used below). */
static int reference_desired(int desired, const double *times, const int *recs, int n,
			     double window)
{
	int rec = recs[n - 1], highest = 0;
	if (rec > desired)
		return rec;
	for (int j = 0; j < n; j++)
		if (times[j] >= times[n - 1] - window && recs[j] > highest)
			highest = recs[j];
	return highest < desired ? highest : desired;
}

Test(autoscale, stabilisation_window_matches_a_brute_force_scan)
{
	/* 600 evaluations of a noisy sawtooth load (busy instances falling from 50 to 0 over 40
	 * evaluations, plus a pseudo-random 0..3; target 0.5, so rec = ceil(load / 0.5) whatever
	 * the current count): long falling runs make a deep window. Evaluated once per 60 s metric
	 * period the window holds at most floor(300/60) + 1 entries and must agree exactly with
	 * a scan of every past recommendation. Evaluated every 10 s it overflows its ring (7
	 * entries); then it may only err towards the higher count: desired >= the reference,
	 * never a scale-in the reference would not make (the rule is non-decreasing in both
	 * desired and the window's maximum, so the inequality carries from step to step). */
	enum { N = 600 };
	static double times[N];
	static int recs[N];
	for (int pass = 0; pass < 2; pass++) {
		double dt = pass == 0 ? 60 : 10;
		struct scenario_autoscaling s = tt_spec(1, 1000, 10, 0.5);
		s.target_tracking.stabilization_window = 300;
		struct autoscale a;
		init_ok(&a, &s);
		int ref = 10, strictly_above = 0;
		uint32_t x = 12345;
		for (int i = 0; i < N; i++) {
			x = x * 1664525u + 1013904223u;          /* Numerical Recipes LCG */
			double load = 50.0 * (1.0 - (i % 40) / 40.0) +
				      (double)(x >> 8) / 16777216.0 * 3.0;
			times[i] = dt * i;
			recs[i] = autoscale_tt_recommend(1, load, 0.5, 0);
			int cur = a.desired;
			int got = autoscale_evaluate(&a, times[i], cur, load / cur);
			cr_assert_eq(recs[i], autoscale_tt_recommend(cur, load / cur, 0.5, 0),
				     "i = %d: the recommendation depends on the load only", i);
			ref = reference_desired(ref, times, recs, i + 1, 300);
			if (pass == 0)
				cr_assert_eq(got, ref, "i = %d: %d, reference %d", i, got, ref);
			else
				cr_assert_geq(got, ref, "i = %d: %d, reference %d", i, got, ref);
			strictly_above += got > ref;
		}
		/* The fast pass does overflow the ring (else it would not test the fallback). */
		if (pass == 1)
			cr_assert_gt(strictly_above, 0);
		autoscale_release(&a);
	}
}

Test(autoscale, scale_in_waits_for_the_cooldown_after_a_scale_in)
{
	/* target 0.5, no window, scale-in cooldown 300 s, which (as on AWS) only a scale-in
	 * starts. t = 0: 10 at 100% -> 20 (a scale-out). t = 60: the load is 4 busy instances,
	 * rec = ceil(4/0.5) = 8 < 20, and no scale-in has happened: 8 at once. Then the load is
	 * 2 (rec 4): t = 120..300 are within 300 s of the scale-in at 60; t = 360: 4. */
	struct scenario_autoscaling s = tt_spec(1, 100, 10, 0.5);
	s.target_tracking.scale_in_cooldown = 300;
	struct autoscale a;
	init_ok(&a, &s);
	cr_assert_eq(autoscale_evaluate(&a, 0, 10, 1.0), 20);
	cr_assert_eq(autoscale_evaluate(&a, 60, 20, 4.0 / 20), 8);
	cr_assert_eq(a.last_scale_in, 60.0);
	for (double t = 120; t <= 300; t += 60)
		cr_assert_eq(autoscale_evaluate(&a, t, 8, 2.0 / 8), 8, "t = %g", t);
	cr_assert_eq(autoscale_evaluate(&a, 360, 8, 2.0 / 8), 4);
	autoscale_release(&a);
}

/* AWS blocks dynamic scale-in while instances warm up. target 0.5, no window, no cooldown:
 * 20 in service with 4 busy recommend 8, but an instance warms up until t = 200 (the caller's
 * hold_in_until): t = 60..180 keep 20; t = 240 scales in to 8. A scale-out is not held: at
 * t = 300 with all 8 busy the recommendation 16 is taken at once though another instance
 * warms up until 400. */
Test(autoscale, no_scale_in_while_an_instance_warms_up)
{
	struct scenario_autoscaling s = tt_spec(1, 100, 20, 0.5);
	struct autoscale a;
	init_ok(&a, &s);
	a.hold_in_until = 200;
	for (double t = 60; t <= 180; t += 60)
		cr_assert_eq(autoscale_evaluate(&a, t, 20, 4.0 / 20), 20, "t = %g", t);
	cr_assert_eq(autoscale_evaluate(&a, 240, 20, 4.0 / 20), 8);
	a.hold_in_until = 400;
	cr_assert_eq(autoscale_evaluate(&a, 300, 8, 1.0), 16);
	autoscale_release(&a);
}

Test(autoscale, target_tracking_does_nothing_without_a_metric_or_within_tolerance)
{
	/* metric < 0 (nothing warmed up) or no instance: desired stays 10 whatever the load.
	 * Within tolerance: 8 instances in service (2 booting) at 0.52 against 0.5 +- 10%:
	 * "no action" keeps desired = 10 rather than recommending the 8 in service. */
	struct scenario_autoscaling s = tt_spec(1, 100, 10, 0.5);
	s.target_tracking.tolerance = 0.1;
	struct autoscale a;
	init_ok(&a, &s);
	cr_assert_eq(autoscale_evaluate(&a, 0, 10, -1), 10);
	cr_assert_eq(autoscale_evaluate(&a, 60, 0, 0.9), 10);
	cr_assert_eq(autoscale_evaluate(&a, 120, 8, 0.52), 10);
	cr_assert_eq(autoscale_evaluate(&a, 180, 8, 0.52), 10);
	autoscale_release(&a);
}

static const struct scenario_step_adjustment bands[] = {
	{ 0.0, 0.3, -2 },
	{ 0.3, 0.7, 0 },
	{ 0.7, 0.9, 2 },
	{ 0.9, INFINITY, 5 },
};

Test(autoscale, step_scaling_applies_the_band_of_the_metric_once_per_cooldown)
{
	/* desired 10, cooldown 120 s:
	 *   t = 0,   0.95 in [0.9, inf): +5 -> 15;   t = 60, in cooldown: 15;
	 *   t = 120, 0.80 in [0.7, 0.9): +2 -> 17;
	 *   t = 240, 0.50 in [0.3, 0.7): +0 -> 17 (no adjustment: the cooldown does not restart);
	 *   t = 250, 0.10 in [0, 0.3): -2 -> 15 (250 - 120 >= 120);  t = 260: cooldown, 15;
	 *   t = 370, 0.70 is the lower edge of [0.7, 0.9), inclusive: +2 -> 17;
	 *   t = 490, 0.30 is the lower edge of [0.3, 0.7): 17. */
	struct scenario_autoscaling s = { .min = 1, .max = 50, .desired = 10 };
	s.has_step_scaling = 1;
	s.step_scaling = (struct scenario_step_scaling){
		(struct scenario_step_adjustment *)bands, 4, 120 };
	struct autoscale a;
	init_ok(&a, &s);
	cr_assert_eq(autoscale_evaluate(&a, 0, 10, 0.95), 15);
	cr_assert_eq(autoscale_evaluate(&a, 60, 15, 0.95), 15);
	cr_assert_eq(autoscale_evaluate(&a, 120, 15, 0.80), 17);
	cr_assert_eq(autoscale_evaluate(&a, 240, 17, 0.50), 17);
	cr_assert_eq(a.last_step, 120.0);
	cr_assert_eq(autoscale_evaluate(&a, 250, 17, 0.10), 15);
	cr_assert_eq(autoscale_evaluate(&a, 260, 15, 0.10), 15);
	cr_assert_eq(autoscale_evaluate(&a, 370, 15, 0.70), 17);
	cr_assert_eq(autoscale_evaluate(&a, 490, 17, 0.30), 17);
	/* No metric: no band, no change. */
	cr_assert_eq(autoscale_evaluate(&a, 1000, 17, -1), 17);
	autoscale_release(&a);
}

/* Target tracking at 0.5 (no tolerance, window, cooldown) with the bands above (cooldown 0). */
static struct scenario_autoscaling two_policies(void)
{
	struct scenario_autoscaling s = tt_spec(1, 100, 10, 0.5);
	s.has_step_scaling = 1;
	s.step_scaling = (struct scenario_step_scaling){
		(struct scenario_step_adjustment *)bands, 4, 0 };
	return s;
}

Test(autoscale, two_policies_the_larger_wins_and_scale_in_needs_both)
{
	struct scenario_autoscaling s = two_policies();
	struct autoscale a;
	init_ok(&a, &s);
	/* 10 at 0.95: target tracking ceil(19) = 19, step 10 + 5 = 15: 19. */
	cr_assert_eq(autoscale_evaluate(&a, 0, 10, 0.95), 19);
	/* 19 at 0.55 (load 10.45): TT ceil(20.9) = 21, step band [0.3, 0.7) holds: 21. */
	cr_assert_eq(autoscale_evaluate(&a, 60, 19, 0.55), 21);
	/* 21 at 0.4: TT ceil(16.8) = 17 < 21 but the step band says +0: both must agree, 21. */
	cr_assert_eq(autoscale_evaluate(&a, 120, 21, 0.4), 21);
	/* 21 at 0.2: TT ceil(8.4) = 9, step 21 - 2 = 19: both fewer, the larger, 19. */
	cr_assert_eq(autoscale_evaluate(&a, 180, 21, 0.2), 19);
	/* 19 at 0.1: TT ceil(3.8) = 4, step 17: 17. */
	cr_assert_eq(autoscale_evaluate(&a, 240, 19, 0.1), 17);
	autoscale_release(&a);

	/* The step policy outbids target tracking on the way up: target 0.9, 10 at 0.95:
	 * TT ceil(10.56) = 11, step 10 + 5 = 15: 15. */
	s.target_tracking.target = 0.9;
	init_ok(&a, &s);
	cr_assert_eq(autoscale_evaluate(&a, 0, 10, 0.95), 15);
	autoscale_release(&a);

	/* Step wants fewer, target tracking is within its tolerance (no action): no scale-in.
	 * target 0.25, tolerance 0.5: 0.2/0.25 = 0.8, |0.8 - 1| <= 0.5; step band [0, 0.3): -2. */
	s.target_tracking.target = 0.25;
	s.target_tracking.tolerance = 0.5;
	init_ok(&a, &s);
	cr_assert_eq(autoscale_evaluate(&a, 0, 10, 0.2), 10);
	autoscale_release(&a);
}

Test(autoscale, a_policy_in_its_cooldown_blocks_the_other_s_scale_in)
{
	/* Target tracking with a 300 s scale-in cooldown: t = 0, 10 at 0.1: TT ceil(2) = 2, step
	 * band [0, 0.3) 10 - 2 = 8: both fewer, the larger, 8 (a scale-in). t = 60, 8 at 0.1: TT
	 * 2 but in its scale-in cooldown (holds), step 6: stays 8. t = 300: TT ready: max(2, 6) =
	 * 6. */
	struct scenario_autoscaling s = two_policies();
	s.target_tracking.scale_in_cooldown = 300;
	struct autoscale a;
	init_ok(&a, &s);
	cr_assert_eq(autoscale_evaluate(&a, 0, 10, 0.1), 8);
	cr_assert_eq(autoscale_evaluate(&a, 60, 8, 0.1), 8);
	cr_assert_eq(autoscale_evaluate(&a, 300, 8, 0.1), 6);
	autoscale_release(&a);

	/* Target tracking wants more but is in its scale-out cooldown: it holds, so the step
	 * policy's scale-in does not happen. Target 0.2, scale-out cooldown 60 s:
	 * t = 0, 10 at 0.25: TT ceil(12.5) = 13, step band [0, 0.3) 10 - 2 = 8: the larger, 13.
	 * t = 30, 13 at 0.25: TT ceil(16.25) = 17 but 30 < 60 (holds); step 11 blocked: 13. */
	s = two_policies();
	s.target_tracking.target = 0.2;
	s.target_tracking.scale_out_cooldown = 60;
	init_ok(&a, &s);
	cr_assert_eq(autoscale_evaluate(&a, 0, 10, 0.25), 13);
	cr_assert_eq(autoscale_evaluate(&a, 30, 13, 0.25), 13);
	autoscale_release(&a);
}

Test(autoscale, every_result_is_clamped_into_the_bounds)
{
	/* [2, 12], desired 5, target 0.5: 5 at 1.0 -> 10; 10 at 1.0 -> 20, clamped to 12;
	 * 12 at 0.01 -> ceil(0.24) = 1, clamped to 2. Step scaling alone: 2 at 0.1 -> 2 - 2 = 0,
	 * clamped to 2. */
	struct scenario_autoscaling s = tt_spec(2, 12, 5, 0.5);
	struct autoscale a;
	init_ok(&a, &s);
	cr_assert_eq(autoscale_evaluate(&a, 0, 5, 1.0), 10);
	cr_assert_eq(autoscale_evaluate(&a, 60, 10, 1.0), 12);
	cr_assert_eq(autoscale_evaluate(&a, 120, 12, 0.01), 2);
	autoscale_release(&a);

	struct scenario_autoscaling st = { .min = 2, .max = 12, .desired = 2 };
	st.has_step_scaling = 1;
	st.step_scaling = (struct scenario_step_scaling){
		(struct scenario_step_adjustment *)bands, 4, 0 };
	init_ok(&a, &st);
	cr_assert_eq(autoscale_evaluate(&a, 0, 2, 0.1), 2);
	autoscale_release(&a);
}

Test(autoscale, scheduled_actions_set_bounds_and_desired)
{
	struct scenario_autoscaling s = { .min = 2, .max = 10, .desired = 5 };
	struct autoscale a;
	init_ok(&a, &s);
	/* min 8 only: [8, 10], desired 5 clamped up to 8. */
	struct scenario_scheduled act = { 0, SCENARIO_ALL_DAYS, 8, -1, -1 };
	cr_assert_eq(autoscale_apply_scheduled(&a, &act), 8);
	cr_assert_eq(a.min, 8);
	cr_assert_eq(a.max, 10);
	/* max 4 only, below min 8: min follows down to 4; desired 8 clamped to 4. */
	act = (struct scenario_scheduled){ 0, SCENARIO_ALL_DAYS, -1, 4, -1 };
	cr_assert_eq(autoscale_apply_scheduled(&a, &act), 4);
	cr_assert_eq(a.min, 4);
	cr_assert_eq(a.max, 4);
	/* desired 7 only, outside [4, 4]: 4. */
	act = (struct scenario_scheduled){ 0, SCENARIO_ALL_DAYS, -1, -1, 7 };
	cr_assert_eq(autoscale_apply_scheduled(&a, &act), 4);
	/* all three: [0, 20], desired 15. */
	act = (struct scenario_scheduled){ 0, SCENARIO_ALL_DAYS, 0, 20, 15 };
	cr_assert_eq(autoscale_apply_scheduled(&a, &act), 15);
	cr_assert_eq(a.min, 0);
	cr_assert_eq(a.max, 20);
	/* min 30 only, above max 20: max follows up to 30; desired 15 clamped to 30. */
	act = (struct scenario_scheduled){ 0, SCENARIO_ALL_DAYS, 30, -1, -1 };
	cr_assert_eq(autoscale_apply_scheduled(&a, &act), 30);
	cr_assert_eq(a.max, 30);
	/* A scheduled change starts no cooldown. */
	cr_assert(isinf(a.last_scale_in) && a.last_scale_in < 0);
	autoscale_release(&a);
}

Test(autoscale, next_scheduled_time_skips_disallowed_days)
{
	/* Weekdays (Mon..Fri = bits 0..4 = 0x1f) at 08:00, asked on Friday (day 4) at 20:00:
	 * Saturday and Sunday are skipped, next Monday is day 7: 7 × 86400 + 8 × 3600 = 633600.
	 * Every day: Saturday, day 5: 5 × 86400 + 28800 = 460800. */
	struct scenario_scheduled weekdays = { 8 * HOUR, 0x1f, 5, -1, -1 };
	struct scenario_scheduled daily = { 8 * HOUR, SCENARIO_ALL_DAYS, 5, -1, -1 };
	double friday_evening = 4 * DAY + 20 * HOUR;
	cr_assert_eq(autoscale_next_scheduled(&weekdays, friday_evening), 633600.0);
	cr_assert_eq(autoscale_next_scheduled(&daily, friday_evening), 460800.0);
	/* Strictly after: asked at Monday 08:00 exactly, the daily one fires Tuesday 08:00. */
	cr_assert_eq(autoscale_next_scheduled(&daily, 8 * HOUR), DAY + 8 * HOUR);
	/* Same day, earlier: Monday 07:00 -> Monday 08:00; from before the start -> Monday. */
	cr_assert_eq(autoscale_next_scheduled(&weekdays, 7 * HOUR), 8 * HOUR);
	cr_assert_eq(autoscale_next_scheduled(&weekdays, -1e-9), 8 * HOUR);
	/* Sunday only (bit 6), asked Monday of week 2 (day 7): Sunday is day 13. */
	struct scenario_scheduled sunday = { 0, 1u << 6, 5, -1, -1 };
	cr_assert_eq(autoscale_next_scheduled(&sunday, 7 * DAY), 13 * DAY);
	struct scenario_scheduled never = { 0, 0, 5, -1, -1 };
	cr_assert(isinf(autoscale_next_scheduled(&never, 0)));
}

/* A predictive-only pool: capacity 10 rps per instance sized at 50%, i.e. 5 rps per
 * instance; 60 s slots, 7-day lookback, lead 600 s. */
static struct scenario_autoscaling predictive_spec(int desired)
{
	struct scenario_autoscaling s = { .min = 1, .max = 100, .desired = desired };
	s.has_predictive = 1;
	s.predictive = (struct scenario_predictive){ .lookback = 7 * DAY, .lead = 600 };
	return s;
}

/* Daily pattern: 100 rps from 09:00 to 17:00, 10 rps otherwise, recorded over days
 * [from, to) in 60 s steps as the fluid model does. */
static void record_pattern(struct autoscale *a, int from, int to)
{
	for (double t = from * DAY; t < to * DAY; t += 60) {
		double tod = fmod(t, DAY);
		autoscale_record(a, t, t + 60, tod >= 9 * HOUR && tod < 17 * HOUR ? 100 : 10);
	}
}

Test(autoscale, predictive_forecasts_the_daily_pattern_and_raises_the_floor)
{
	struct scenario_autoscaling s = predictive_spec(5);
	struct autoscale a;
	init_ok(&a, &s);
	/* Day 0: no previous day, no forecast, no floor (desired 5 stays, although the floor
	 * would be 20 at 09:30 on a later day). */
	record_pattern(&a, 0, 1);
	cr_assert_eq(autoscale_forecast(&a, 0.5 * DAY), -1.0);
	cr_assert_eq(autoscale_forecast(&a, 9.5 * HOUR), -1.0);
	cr_assert_eq(autoscale_evaluate(&a, 9.5 * HOUR, 5, -1), 5);
	record_pattern(&a, 1, 7);
	/* Day 7 (the eighth day) at 09:30: days 0..6 at 09:30 all held 100, mean 100; at 03:00,
	 * 10. Slot means of constant rates are exact in doubles. */
	cr_assert_eq(autoscale_forecast(&a, 7 * DAY + 9.5 * HOUR), 100.0);
	cr_assert_eq(autoscale_forecast(&a, 7 * DAY + 3 * HOUR), 10.0);
	/* At 08:45 the lead reaches 08:55: forecast 10, floor ceil(10 / (10 × 0.5)) = 2, below
	 * desired 5, which stays. At
	 * 08:55 it reaches 09:05: forecast 100, floor ceil(100 / 5) = 20, launched before 09:00.
	 * With metric < 0 only the predictive policy acts. */
	cr_assert_eq(autoscale_evaluate(&a, 7 * DAY + 8.75 * HOUR, 5, -1), 5);
	cr_assert_eq(autoscale_evaluate(&a, 7 * DAY + 8 * HOUR + 55 * 60, 5, -1), 20);
	/* Exactly 600 s before 09:00 the closed end of [now, now + lead] reaches the peak; at
	 * 08:49:59 it does not (floor 2 is below desired 5, which stays). */
	autoscale_release(&a);
	init_ok(&a, &s);
	record_pattern(&a, 0, 7);
	cr_assert_eq(autoscale_evaluate(&a, 7 * DAY + 8 * HOUR + 49 * 60 + 59, 5, -1), 5);
	cr_assert_eq(autoscale_evaluate(&a, 7 * DAY + 8 * HOUR + 50 * 60, 2, -1), 20);
	autoscale_release(&a);
}

Test(autoscale, predictive_never_scales_in)
{
	/* desired 50 at 03:00 of day 7: forecast 10, floor 2, but the floor never lowers desired. */
	struct scenario_autoscaling s = predictive_spec(50);
	struct autoscale a;
	init_ok(&a, &s);
	record_pattern(&a, 0, 7);
	cr_assert_eq(autoscale_evaluate(&a, 7 * DAY + 3 * HOUR, 50, -1), 50);
	autoscale_release(&a);
}

Test(autoscale, predictive_floor_does_not_override_target_tracking_scale_out)
{
	/* Target tracking (target 0.5) and predictive at 09:30 of day 7 (floor 20): 30 at 0.9
	 * -> TT ceil(54) = 54 > floor: 54. 54 at 0.1: TT ceil(10.8) = 11 but the floor is 20. */
	struct scenario_autoscaling s = predictive_spec(10);
	s.has_target_tracking = 1;
	s.target_tracking = (struct scenario_target_tracking){ .target = 0.5, .metric_period = 60 };
	struct autoscale a;
	init_ok(&a, &s);
	record_pattern(&a, 0, 7);
	double t = 7 * DAY + 9.5 * HOUR;
	cr_assert_eq(autoscale_evaluate(&a, t, 30, 0.9), 54);
	cr_assert_eq(autoscale_evaluate(&a, t + 60, 54, 0.1), 20);
	autoscale_release(&a);

	/* The floor starts no cooldown: at 08:55 of day 7, with no metric, the forecast lifts
	 * 10 to 20; at 08:56 target tracking (scale-out cooldown 300 s) sees 20 at 1.0 and goes
	 * to ceil(40) = 40 at once. */
	s.target_tracking.scale_out_cooldown = 300;
	init_ok(&a, &s);
	record_pattern(&a, 0, 7);
	t = 7 * DAY + 8 * HOUR + 55 * 60;
	cr_assert_eq(autoscale_evaluate(&a, t, 10, -1), 20);
	cr_assert_eq(autoscale_evaluate(&a, t + 60, 20, 1.0), 40);
	autoscale_release(&a);
}

Test(autoscale, predictive_history_averages_slots_within_the_lookback)
{
	/* Lookback 2 days. The slot at 12:00 holds 300 rps on day 0, 200 on day 1, 100 on day 2.
	 * On day 3 at 12:00 the forecast averages days 2 and 1 only: (100 + 200) / 2 = 150; day 0
	 * is beyond the lookback. On day 2 (before recording it)
	 * it averages days 1 and 0: (200 + 300) / 2 = 250. */
	struct scenario_autoscaling s = predictive_spec(2);
	s.predictive.lookback = 2 * DAY;
	struct autoscale a;
	init_ok(&a, &s);
	double noon = 12 * HOUR;
	autoscale_record(&a, noon, noon + 60, 300);
	autoscale_record(&a, DAY + noon, DAY + noon + 60, 200);
	cr_assert_eq(autoscale_forecast(&a, 2 * DAY + noon + 30), 250.0);
	autoscale_record(&a, 2 * DAY + noon, 2 * DAY + noon + 60, 100);
	cr_assert_eq(autoscale_forecast(&a, 3 * DAY + noon), 150.0);
	/* Nothing was recorded at 13:00. */
	cr_assert_eq(autoscale_forecast(&a, 3 * DAY + 13 * HOUR), -1.0);
	autoscale_release(&a);
}

Test(autoscale, predictive_ignores_a_ring_entry_reused_by_a_later_slot)
{
	/* Lookback 2 days, 60 s slots: the ring has 2 × 1440 + 1 = 2881 entries. Slot 0 (day 0,
	 * 00:00) is recorded at 300 rps, then slot 2881 (day 2, 00:01) at 50 rps, which takes
	 * the same ring entry. Asked about day 2 at 00:00, the forecast looks for slot 1440
	 * (never recorded) and slot 0 (overwritten): none, -1, not 50 read from the wrong slot. */
	struct scenario_autoscaling s = predictive_spec(2);
	s.predictive.lookback = 2 * DAY;
	struct autoscale a;
	init_ok(&a, &s);
	cr_assert_eq(a.nslots, 2881);
	autoscale_record(&a, 0, 60, 300);
	cr_assert_eq(autoscale_forecast(&a, 2 * DAY + 30), 300.0);
	autoscale_record(&a, 2 * DAY + 60, 2 * DAY + 120, 50);
	cr_assert_eq(autoscale_forecast(&a, 2 * DAY + 30), -1.0);
	/* A day after slot 2881 it is read back: 50. */
	cr_assert_eq(autoscale_forecast(&a, 3 * DAY + 90), 50.0);
	autoscale_release(&a);
}

Test(autoscale, predictive_record_splits_an_interval_across_slots)
{
	/* [30, 90) at 10 rps: slot 0 ([0, 60)) gets 300 requests over 30 s, slot 1 300 over 30 s.
	 * [90, 120) at 40 rps adds 1200 over 30 s to slot 1: mean (300 + 1200) / 60 = 25. A
	 * day later the forecast reads slot 0 as 10 and slot 1 as 25. */
	struct scenario_autoscaling s = predictive_spec(2);
	struct autoscale a;
	init_ok(&a, &s);
	autoscale_record(&a, 30, 90, 10);
	autoscale_record(&a, 90, 120, 40);
	cr_assert_eq(autoscale_forecast(&a, DAY + 45), 10.0);
	cr_assert_eq(autoscale_forecast(&a, DAY + 60), 25.0);
	cr_assert_eq(autoscale_forecast(&a, DAY + 119), 25.0);
	cr_assert_eq(autoscale_forecast(&a, DAY + 120), -1.0);
	autoscale_release(&a);
}

Test(autoscale, init_rejects_bad_arguments_and_release_accepts_null)
{
	struct autoscale a;
	struct scenario_autoscaling bad = { .min = 5, .max = 2, .desired = 3 };
	cr_assert_eq(autoscale_init(&a, &bad, 10, 0.5, 60), CAPSIM_EINVAL);
	cr_assert_eq(autoscale_init(&a, NULL, 10, 0.5, 60), CAPSIM_EINVAL);
	struct scenario_autoscaling p = predictive_spec(2);
	cr_assert_eq(autoscale_init(&a, &p, 0, 0.5, 60), CAPSIM_EINVAL);
	cr_assert_eq(autoscale_init(&a, &p, 10, 1.5, 60), CAPSIM_EINVAL);
	cr_assert_eq(autoscale_init(&a, &p, 10, 0.5, 0), CAPSIM_EINVAL);
	autoscale_release(NULL);
	init_ok(&a, &p);
	autoscale_release(&a);
	autoscale_release(&a);
}
