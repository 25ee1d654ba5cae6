/* Autoscaling decisions of one (tier, region) pool: target tracking, step scaling, scheduled
 * actions and predictive scaling, as pure logic with no engine and no randomness.
 *
 * The fluid model (models/world.c) owns the clock and the instances; it calls in here with
 * the time, the pool's counts and its metric, and gets back the new desired count, which it
 * then makes true by launching or terminating instances. The rules, as documented in
 * scenarios/README.md (`autoscaling`):
 *   - target tracking (the Kubernetes HPA formula, which AWS's alarms act on): recommendation
 *     ceil(current × metric / target), no recommendation while |metric/target − 1| <=
 *     tolerance; a scale-out adds at most max_scale_out_step instances per evaluation and not
 *     within scale_out_cooldown of the last scale-out; a scale-in follows the highest
 *     recommendation seen during the last stabilization_window and waits scale_in_cooldown
 *     after the last scale-in (as AWS: a scale-out neither waits for nor starts it);
 *   - step scaling: the band holding the metric adds `change` instances to the desired count,
 *     at most once per cooldown;
 *   - several policies: the largest desired count wins (as on AWS): a scale-in happens only
 *     when every policy that has an opinion asks for fewer instances, and not before
 *     hold_in_until (the caller's: while instances warm up, as AWS blocks scale-in);
 *   - scheduled actions set min, max and/or desired at a time of day on chosen days (the run
 *     starts on a Monday at 00:00 UTC); desired is then clamped into [min, max];
 *   - predictive: the demand recorded in the last `lookback` is averaged over the same time of
 *     day of previous days; the capacity that forecast needs `lead` seconds ahead (at the
 *     policy's target utilisation) becomes a floor on desired; it never scales in.
 * Every result is clamped into the current [min, max]. */
#ifndef CAPSIM_AUTOSCALE_H
#define CAPSIM_AUTOSCALE_H

#include <stddef.h>

#include "models/scenario.h"

/* One recommendation remembered for the stabilisation window (private). */
struct autoscale_rec {
	double time;           /* s */
	int count;             /* instances recommended */
};

/* Caller-owned state of one pool. Fields are read-only for callers, but hold_in_until. */
struct autoscale {
	const struct scenario_autoscaling *spec; /* borrowed */
	int min, max;          /* current bounds (scheduled actions change them) */
	int desired;           /* current desired count, always in [min, max] */
	double last_scale_out; /* s, time of the last increase of desired by a policy; -INFINITY */
	double last_scale_in;  /* s, time of the last decrease of desired by a policy; -INFINITY */
	double last_step;      /* s, time of the last step-scaling adjustment; -INFINITY */
	double hold_in_until;  /* s, set by the caller: before it the dynamic policies do not
				  scale in (instances are warming up: AWS blocks scale-in until
				  they are done); -INFINITY */
	double inv_target;     /* 1 / the target-tracking target */
	struct autoscale_rec *recs;   /* ring of target-tracking recommendations in the window,
				       * kept as a sliding-window maximum (oldest = highest) */
	size_t nrecs, rec_head, rec_cap; /* entries, oldest's slot, most entries kept */
	size_t rec_mask;       /* slots - 1: recs[] has a power of two of slots >= rec_cap */
	/* predictive: demand history, one slot per `slot` seconds over `lookback` */
	double capacity_rps;   /* requests/s one instance sustains */
	double predictive_target; /* utilisation the forecast capacity is sized for, (0,1] */
	double slot;           /* s per history slot */
	size_t nslots;         /* ceil(lookback/slot) + 1: the slot a whole lookback ago is
				* still held while the current one is being recorded */
	double *hist_sum;      /* [nslots] demand-seconds recorded in each slot (ring by time) */
	double *hist_time;     /* [nslots] seconds recorded in each slot */
	long *hist_index;      /* [nslots] absolute slot number held, -1 when empty */
};

/* Sets up the pool's state: bounds and desired from spec, nothing remembered. capacity_rps is
 * what one instance sustains (for the predictive forecast); predictive_target the utilisation
 * it sizes for (the target-tracking target when there is one; callers pass 0.7 otherwise);
 * slot the resolution of the predictive history in s (> 0; the caller's metric period).
 * Returns 0, CAPSIM_EINVAL or CAPSIM_ENOMEM (then a holds nothing to release). */
int autoscale_init(struct autoscale *a, const struct scenario_autoscaling *spec,
		   double capacity_rps, double predictive_target, double slot);

/* Frees what a holds; accepts NULL and a released state. */
void autoscale_release(struct autoscale *a);

/* The target-tracking recommendation alone, for `current` instances whose metric is `metric`
 * against `target` with `tolerance`: ceil(current × metric / target), or `current` when
 * |metric/target − 1| <= tolerance. Pure; no bounds applied. */
int autoscale_tt_recommend(int current, double metric, double target, double tolerance);

/* A policy evaluation at time `now` (s, non-decreasing between calls): `current` instances
 * are in service and their metric (mean utilisation over the metric period, as the policy sees
 * it) is `metric`; metric < 0 (or current <= 0) means there is no metric (no instance is past
 * its warm-up), and only the predictive floor may act. Runs every policy the spec has,
 * updates cooldowns and the window, and returns the new desired count (also in a->desired).
 * Details: within the tolerance, target tracking recommends the desired count itself (no
 * action even while current != desired); a policy that wants to move but is in its cooldown
 * holds desired, so it also blocks another policy's scale-in (AWS: scale in only when every
 * policy is ready to); the predictive floor, like the bounds, starts no cooldown. Call it
 * about once per metric period: faster calls keep working but may hold a high recommendation
 * in the window a little longer than `stabilization_window`. */
int autoscale_evaluate(struct autoscale *a, double now, int current, double metric);

/* Applies scheduled action `act` (one of spec->scheduled): sets the bounds it gives; when it
 * gives only one and that one crosses the other bound, the other follows it (a new min above
 * max raises max to it, a new max below min lowers min to it); then desired becomes the
 * action's desired, or stays, clamped into [min, max]. Starts no cooldown. Returns the new
 * desired. */
int autoscale_apply_scheduled(struct autoscale *a, const struct scenario_scheduled *act);

/* The first time > after (s since the start, a Monday 00:00 UTC) at which `act` fires, or
 * INFINITY if it has no day. */
double autoscale_next_scheduled(const struct scenario_scheduled *act, double after);

/* Records that the pool's offered demand was `rps` requests/s during [t0, t1) (t0 < t1,
 * non-decreasing between calls). Cheap: O(1) per call. No-op without a predictive policy. */
void autoscale_record(struct autoscale *a, double t0, double t1, double rps);

/* The forecast demand (requests/s) at time t from the history (the mean over previous days of
 * the slot at the same time of day, within the lookback), or -1 when no previous day has been
 * recorded there. */
double autoscale_forecast(const struct autoscale *a, double t);

#endif
