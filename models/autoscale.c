/* Autoscaling decisions of one pool: target tracking, step scaling, scheduled and predictive. */
#include "models/autoscale.h"

#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim/error.h"

#define DAY 86400.0

/* Relative slack of the rounding up of a count: x × (1 − 1e-9) stays above the next lower
 * whole number for any count below 1e9, and absorbs the 1-ulp noise of products such as
 * 50 × (0.9 / 0.75) = 60.000000000000007, which must give 60 instances, not 61. */
#define CEIL_SLACK 1e-9

/* Absolute slack of the tolerance test, so that a ratio the user wrote on the edge of the band
 * (0.825 / 0.75 against 0.1) counts as inside it whichever way its last bit rounds. */
#define TOLERANCE_SLACK 1e-12

/* Most recommendations the stabilisation window keeps (16 bytes each); past this, and whenever
 * the caller evaluates more often than every metric period, the newest entry absorbs the new
 * recommendation (see window_push). */
#define MAX_RECS 65536

/* Most history slots a predictive pool may have (24 bytes each). */
#define MAX_SLOTS 100000000.0

/* Opinions of the policies in one evaluation: a policy that wants more proposes a count above
 * desired, one that wants fewer a count below, one that wants to keep desired (or wants to move
 * but is in its cooldown, i.e. not ready, as on AWS) holds; a policy without a metric or
 * outside every step band has no opinion. */
struct vote {
	long up;                     /* largest count proposed above desired; -1: none */
	long down;                   /* largest count proposed below desired; -1: none */
	int hold;                    /* some policy wants desired kept */
};

static int ceil_count(double x)
{
	if (!(x > 0))
		return 0;
	x -= CEIL_SLACK * x;
	if (x >= (double)INT_MAX)
		return INT_MAX;
	/* ceil(x) for 0 < x < INT_MAX: truncation is the floor, one more unless x is whole.
	 * (ceil() is a library sequence on x86-64 without SSE4.1, and this runs at almost every
	 * evaluation of every pool.) */
	int n = (int)x;
	return n + ((double)n < x);
}

static long clamp_long(long x, long lo, long hi)
{
	return x < lo ? lo : x > hi ? hi : x;
}

static void vote_for(struct vote *v, long desired, long count)
{
	if (count > desired) {
		if (count > v->up)
			v->up = count;
	} else if (count < desired) {
		if (count > v->down)
			v->down = count;
	} else {
		v->hold = 1;
	}
}

int autoscale_init(struct autoscale *a, const struct scenario_autoscaling *spec,
		   double capacity_rps, double predictive_target, double slot)
{
	memset(a, 0, sizeof *a);
	if (!spec || spec->min < 0 || spec->min > spec->max || !(slot > 0) || !isfinite(slot))
		return CAPSIM_EINVAL;
	a->spec = spec;
	a->min = spec->min;
	a->max = spec->max;
	a->desired = (int)clamp_long(spec->desired, spec->min, spec->max);
	a->last_scale_out = a->last_scale_in = a->last_step = a->hold_in_until = -INFINITY;
	a->capacity_rps = capacity_rps;
	a->predictive_target = predictive_target;
	a->slot = slot;

	if (spec->has_target_tracking) {
		const struct scenario_target_tracking *tt = &spec->target_tracking;
		double period = tt->metric_period > 0 ? tt->metric_period : slot;
		if (!(tt->target > 0) || !(tt->stabilization_window >= 0))
			return CAPSIM_EINVAL;
		a->inv_target = 1.0 / tt->target;
		/* Evaluations one period apart leave at most floor(window/period) + 1 of them in
		 * the window; one more spares the edge case of float noise on the cutoff. */
		double cap = floor(tt->stabilization_window / period) + 2.0;
		a->rec_cap = cap > MAX_RECS ? MAX_RECS : (size_t)cap;
		/* Stored in a power of two of slots, so that a position is a mask away. */
		size_t slots = 1;
		while (slots < a->rec_cap)
			slots *= 2;
		a->rec_mask = slots - 1;
		if (!(a->recs = malloc(slots * sizeof *a->recs)))
			return CAPSIM_ENOMEM;
	}
	if (spec->has_predictive) {
		double lookback = spec->predictive.lookback;
		if (!(capacity_rps > 0) || !isfinite(capacity_rps) || !(predictive_target > 0) ||
		    predictive_target > 1 || !(lookback >= slot) || lookback / slot > MAX_SLOTS ||
		    !(spec->predictive.lead >= 0) || !isfinite(spec->predictive.lead)) {
			autoscale_release(a);
			return CAPSIM_EINVAL;
		}
		/* One slot more than the lookback: while the current slot is being recorded, the
		 * slot a whole lookback earlier (the oldest day the forecast averages) is kept. */
		a->nslots = (size_t)ceil_count(lookback / slot) + 1;
		a->hist_sum = calloc(a->nslots, sizeof *a->hist_sum);
		a->hist_time = calloc(a->nslots, sizeof *a->hist_time);
		a->hist_index = malloc(a->nslots * sizeof *a->hist_index);
		if (!a->hist_sum || !a->hist_time || !a->hist_index) {
			autoscale_release(a);
			return CAPSIM_ENOMEM;
		}
		for (size_t i = 0; i < a->nslots; i++)
			a->hist_index[i] = -1;
	}
	return 0;
}

void autoscale_release(struct autoscale *a)
{
	if (!a)
		return;
	free(a->recs);
	free(a->hist_sum);
	free(a->hist_time);
	free(a->hist_index);
	a->recs = NULL;
	a->hist_sum = a->hist_time = NULL;
	a->hist_index = NULL;
	a->nrecs = a->rec_head = a->rec_cap = a->rec_mask = 0;
	a->nslots = 0;
}

/* metric / target as metric × (1 / target): the reciprocal is computed once per pool, and a
 * division per evaluation sat on the step loop's critical path (bench/README.md). The
 * product may differ from the quotient in its last bit, which CEIL_SLACK and TOLERANCE_SLACK
 * absorb. */
static int within_tolerance(double ratio, double tolerance)
{
	return fabs(ratio - 1.0) <= tolerance + TOLERANCE_SLACK;
}

int autoscale_tt_recommend(int current, double metric, double target, double tolerance)
{
	if (current <= 0)
		return 0;
	double ratio = metric * (1.0 / target);
	if (within_tolerance(ratio, tolerance))
		return current;
	return ceil_count((double)current * ratio);
}

/* The stabilisation window as a sliding-window maximum (a monotonic deque in the ring recs[]):
 * from the oldest entry (rec_head) to the newest, times increase and counts strictly decrease,
 * because an entry that a later, at least as large recommendation outlives can never be the
 * maximum again. The maximum of the window is thus the oldest entry, in O(1) amortised time
 * per evaluation. Entries older than now − window leave (one exactly at the cutoff stays).
 * Returns the highest recommendation of the window, the new one included. */
static int window_push(struct autoscale *a, double now, int count)
{
	/* Through locals: the stores into recs[] could otherwise alias a's fields, and every
	 * pop would reload them (this runs at every evaluation of every pool). */
	struct autoscale_rec *r = a->recs;
	size_t n = a->nrecs, head = a->rec_head, mask = a->rec_mask;
	double cutoff = now - a->spec->target_tracking.stabilization_window;
	while (n > 0 && r[head].time < cutoff) {
		head = (head + 1) & mask;
		n--;
	}
	/* The newest entry with this very count (most evaluations recommend what the last
	 * did): popping it and pushing (now, count) is moving its time to now. */
	if (n > 0 && r[(head + n - 1) & mask].count == count) {
		r[(head + n - 1) & mask].time = now;
		a->nrecs = n;
		a->rec_head = head;
		return r[head].count;
	}
	while (n > 0 && r[(head + n - 1) & mask].count <= count)
		n--;
	if (n == a->rec_cap) {
		/* Full (only when evaluated more often than every metric period): the newest
		 * entry, larger than count, is kept until now + window instead. That errs on the
		 * side of the higher count, i.e. of scaling in later, never earlier. */
		r[(head + n - 1) & mask].time = now;
	} else {
		r[(head + n) & mask] = (struct autoscale_rec){ now, count };
		n++;
	}
	a->nrecs = n;
	a->rec_head = head;
	return r[head].count;
}

/* Target tracking's opinion (metric >= 0, current > 0). Within the tolerance the
 * recommendation is the desired count itself ("no action"; the Kubernetes HPA likewise returns
 * the scale's replica count there); outside, ceil(current × metric / target). */
static void target_tracking_vote(struct autoscale *a, double now, int current, double metric,
				 struct vote *v)
{
	const struct scenario_target_tracking *tt = &a->spec->target_tracking;
	/* autoscale_tt_recommend outside the band, without testing the band twice. */
	double ratio = metric * a->inv_target;
	int rec = within_tolerance(ratio, tt->tolerance) ? a->desired :
		ceil_count((double)current * ratio);
	int highest = window_push(a, now, rec);

	if (rec > a->desired) {
		if (now - a->last_scale_out < tt->scale_out_cooldown) {
			v->hold = 1;
			return;
		}
		long next = rec;
		if (tt->max_scale_out_step > 0 && next > (long)a->desired + tt->max_scale_out_step)
			next = (long)a->desired + tt->max_scale_out_step;
		vote_for(v, a->desired, next);
	} else if (highest < a->desired && now - a->last_scale_in >= tt->scale_in_cooldown) {
		vote_for(v, a->desired, highest);
	} else {
		v->hold = 1;
	}
}

/* Step scaling's opinion (metric >= 0). Returns the count it proposed (desired itself for a
 * zero change, which holds), or -1 when it has no opinion or is in its cooldown. */
static long step_scaling_vote(struct autoscale *a, double now, double metric, struct vote *v)
{
	const struct scenario_step_scaling *ss = &a->spec->step_scaling;
	const struct scenario_step_adjustment *band = NULL;
	for (size_t i = 0; i < ss->n && !band; i++)
		if (metric >= ss->adjustments[i].lower && metric < ss->adjustments[i].upper)
			band = &ss->adjustments[i];
	if (!band)
		return -1;
	if (now - a->last_step < ss->cooldown) {
		v->hold = 1;
		return -1;
	}
	long next = (long)a->desired + band->change;
	if (next < 0)
		next = 0;
	vote_for(v, a->desired, next);
	return next;
}

/* The next time after t at which the forecast may change: the first slot boundary, shifted by
 * d days for some d of the lookback, after t. */
static double next_forecast_change(const struct autoscale *a, double t, long ndays)
{
	double best = INFINITY;
	for (long d = 1; d <= ndays; d++) {
		double off = (double)d * DAY;
		double b = (floor((t - off) / a->slot) + 1.0) * a->slot + off;
		if (b <= t)
			b += a->slot;
		if (b < best)
			best = b;
	}
	return best;
}

static long lookback_days(const struct autoscale *a)
{
	return (long)floor(a->spec->predictive.lookback / DAY + CEIL_SLACK);
}

/* The highest forecast over [now, now + lead], or -1 when there is none. The forecast is
 * piecewise constant between the instants returned by next_forecast_change, so each piece is
 * probed once, at its midpoint (clear of the float noise at its ends), and the closed end
 * now + lead once more. */
static double highest_forecast(const struct autoscale *a, double now)
{
	double end = now + a->spec->predictive.lead, best = -1.0, t = now;
	long ndays = lookback_days(a);
	for (;;) {
		double next = next_forecast_change(a, t, ndays);
		double hi = next < end ? next : end;
		double f = autoscale_forecast(a, hi > t ? 0.5 * (t + hi) : t);
		if (f > best)
			best = f;
		if (!(next < end))
			break;
		t = next;
	}
	double f = autoscale_forecast(a, end);
	return f > best ? f : best;
}

int autoscale_evaluate(struct autoscale *a, double now, int current, double metric)
{
	const struct scenario_autoscaling *s = a->spec;
	struct vote v = { -1, -1, 0 };
	long old = a->desired, step = -1, next = old;
	/* No instance in the metric, or no metric: neither dynamic policy has an opinion. */
	int have_metric = current > 0 && metric >= 0 && metric <= DBL_MAX;

	if (have_metric && s->has_target_tracking) {
		target_tracking_vote(a, now, current, metric, &v);
		/* Target tracking alone, proposing no move, leaves desired where it is when it is
		 * within its bounds, as the rest of this function would: most evaluations. */
		if (v.up < 0 && v.down < 0 && !s->has_step_scaling && !s->has_predictive &&
		    old >= a->min && old <= a->max)
			return a->desired;
	}
	if (have_metric && s->has_step_scaling)
		step = step_scaling_vote(a, now, metric, &v);

	/* The largest count wins; fewer only when every policy with an opinion wants fewer, and
	 * no instance is warming up. */
	if (v.up >= 0)
		next = v.up;
	else if (v.down >= 0 && !v.hold && now >= a->hold_in_until)
		next = v.down;
	if (s->has_predictive) {
		double f = highest_forecast(a, now);
		if (f >= 0) {
			long floor_count = ceil_count(f / (a->capacity_rps * a->predictive_target));
			if (floor_count > next)
				next = floor_count;
		}
	}
	next = clamp_long(next, a->min, a->max);

	/* Cooldowns follow what the dynamic policies did; the predictive floor, like the bounds,
	 * moves desired without starting one (AWS predictive scaling raises the minimum). */
	if (next > old && v.up >= 0)
		a->last_scale_out = now;
	if (next < old)
		a->last_scale_in = now;
	if (step >= 0 && ((step > old && next > old) || (step < old && next < old)))
		a->last_step = now;
	a->desired = (int)next;
	return a->desired;
}

int autoscale_apply_scheduled(struct autoscale *a, const struct scenario_scheduled *act)
{
	if (act->min >= 0)
		a->min = act->min;
	if (act->max >= 0)
		a->max = act->max;
	/* The bound the action sets wins: a new min above the old max raises max to it, a new
	 * max below the old min lowers min to it. (When it sets both, the loader has checked
	 * min <= max; should it not hold, max is raised.) */
	if (a->min > a->max) {
		if (act->max >= 0 && act->min < 0)
			a->min = a->max;
		else
			a->max = a->min;
	}
	long desired = act->desired >= 0 ? act->desired : a->desired;
	a->desired = (int)clamp_long(desired, a->min, a->max);
	return a->desired;
}

double autoscale_next_scheduled(const struct scenario_scheduled *act, double after)
{
	if (!(act->days & SCENARIO_ALL_DAYS))
		return INFINITY;
	double day = floor(after / DAY);
	/* Today's firing may still be ahead; otherwise one of the next 7 days is allowed. */
	for (int k = 0; k <= 7; k++) {
		double d = day + k, t = d * DAY + act->at;
		int weekday = (int)(d - 7.0 * floor(d / 7.0));
		if (t > after && (act->days & (1u << weekday)))
			return t;
	}
	return INFINITY;
}

void autoscale_record(struct autoscale *a, double t0, double t1, double rps)
{
	if (!a->spec->has_predictive || !(t1 > t0))
		return;
	if (t0 < 0)
		t0 = 0;
	if (!(t1 > t0))
		return;
	/* Slots k0 .. k1 overlap [t0, t1); only the last nslots of them fit in the ring. */
	long k0 = (long)floor(t0 / a->slot), k1 = (long)ceil(t1 / a->slot) - 1;
	if (k1 < k0)
		k1 = k0;
	if (k1 - k0 >= (long)a->nslots)
		k0 = k1 - (long)a->nslots + 1;
	for (long k = k0; k <= k1; k++) {
		double lo = fmax(t0, (double)k * a->slot), hi = fmin(t1, (double)(k + 1) * a->slot);
		if (!(hi > lo))
			continue;
		size_t i = (size_t)k % a->nslots;
		if (a->hist_index[i] != k) {
			a->hist_index[i] = k;
			a->hist_sum[i] = 0;
			a->hist_time[i] = 0;
		}
		a->hist_sum[i] += rps * (hi - lo);
		a->hist_time[i] += hi - lo;
	}
}

double autoscale_forecast(const struct autoscale *a, double t)
{
	if (!a->spec->has_predictive)
		return -1.0;
	long ndays = lookback_days(a), n = 0;
	double sum = 0;
	for (long d = 1; d <= ndays; d++) {
		double u = t - (double)d * DAY;
		if (u < 0)
			break;
		long k = (long)floor(u / a->slot);
		size_t i = (size_t)k % a->nslots;
		if (a->hist_index[i] == k && a->hist_time[i] > 0) {
			sum += a->hist_sum[i] / a->hist_time[i];
			n++;
		}
	}
	return n > 0 ? sum / (double)n : -1.0;
}
