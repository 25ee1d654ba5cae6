/* Offered traffic per step: synthetic or traced shape × lognormal noise × Poisson spikes. */
#include "models/traffic.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_sort_double.h>

#include "sim/error.h"

#define DAY 86400.0
/* M_PI is XSI, not C11: spelled out. */
#define TRAFFIC_PI 3.14159265358979323846

/* Index of the trace row holding at time t (0 before the first row), searching forward from
 * *cursor, which only moves forward: O(1) amortised when t does not decrease. */
static size_t trace_row(const struct scenario_trace *tr, double t, size_t *cursor)
{
	size_t i = *cursor;
	while (i + 1 < tr->n && tr->time[i + 1] <= t)
		i++;
	*cursor = i;
	return i;
}

/* Integral of the piecewise-constant trace over [t0, t1), t0 < t1; *cursor as above. */
static double trace_integral(const struct scenario_trace *tr, double t0, double t1,
			     size_t *cursor)
{
	size_t i = trace_row(tr, t0, cursor);
	double sum = 0, a = t0;
	for (;;) {
		double end = i + 1 < tr->n ? tr->time[i + 1] : INFINITY;
		double b = end < t1 ? end : t1;
		sum += tr->rate[i] * (b - a);
		if (b >= t1)
			break;
		a = b;
		i++;
	}
	return sum;
}

/* The integral of the trace over one period [0, period), computed once into *whole (< 0
 * until then). */
static double period_integral(const struct scenario_trace *tr, double period, double *whole)
{
	size_t cursor = 0;
	if (*whole < 0)
		*whole = trace_integral(tr, 0, period, &cursor);
	return *whole;
}

/* The trace's mean rate over [t0, t1), t0 < t1, repeated with spec->trace_period when it has
 * one: each period's piece is read at its offset into the period, and the whole periods
 * inside [t0, t1) count at once (a period far shorter than the step, a trace of a few ms,
 * would otherwise be walked period by period). *cursor as above; it goes back to the first
 * row when a piece starts before the row it is at (a new period). */
static double trace_mean(const struct scenario_traffic *spec, double t0, double t1,
			 size_t *cursor)
{
	const struct scenario_trace *tr = &spec->trace;
	double period = spec->trace_period;
	if (!(period > 0))
		return trace_integral(tr, t0, t1, cursor) / (t1 - t0);
	double sum = 0, whole = -1;   /* integral over one period, once needed */
	for (double t = t0; t < t1;) {
		double start = floor(t / period) * period;
		/* The quotient's rounding may put start a period off: t is in [start, +period). */
		if (start > t)
			start -= period;
		else if (start + period <= t)
			start += period;
		double end = start + period < t1 ? start + period : t1;
		if (!(end > t) || !isfinite((t1 - t) / period)) {
			/* The period is below the resolution of t, or so far below the step
			 * that their ratio overflows: what is left is whole periods, at the
			 * trace's mean rate over one. */
			sum += (t1 - t) * (period_integral(tr, period, &whole) / period);
			break;
		}
		if (tr->time[*cursor] > t - start)
			*cursor = 0;
		sum += trace_integral(tr, t - start, end - start, cursor);
		t = end;
		double n = floor((t1 - t) / period) - 1;
		if (n >= 1) {
			sum += n * period_integral(tr, period, &whole);
			t += n * period;
		}
	}
	return sum / (t1 - t0);
}

/* Region r's daily factor at `hour` (UTC, hours since the start). */
static double region_daily(const struct scenario_traffic *spec, size_t r, double hour)
{
	return 1.0 + spec->daily_amplitude *
		cos(2.0 * TRAFFIC_PI * (hour - spec->region_peak_hour[r]) / 24.0);
}

/* The mean over [h0, h1] (hours, h1 - h0 at most a day) of a daily factor peaking at `peak`:
 * 1 + A cos(w (mid - peak)) sin(x) / x with x = w (h1 - h0) / 2, since the sine's
 * difference over the interval is 2 cos(w mid) sin(x): no cancellation however short. */
static double daily_mean(double amplitude, double peak, double h0, double h1)
{
	double w = 2.0 * TRAFFIC_PI / 24.0, x = 0.5 * w * (h1 - h0);
	double sinc = x > 1e-4 ? sin(x) / x : 1.0 - x * x / 6.0;
	return 1.0 + amplitude * cos(w * (0.5 * (h0 + h1) - peak)) * sinc;
}

void traffic_split(const struct scenario_traffic *spec, double t0, double t1, double *share)
{
	if (!spec->region_peaks) {
		memcpy(share, spec->region_share, spec->nregions * sizeof *share);
		return;
	}
	double sum = 0;
	for (size_t r = 0; r < spec->nregions; r++) {
		share[r] = spec->region_share[r] *
			   daily_mean(spec->daily_amplitude, spec->region_peak_hour[r],
				      t0 / 3600.0, t1 / 3600.0);
		sum += share[r];
	}
	for (size_t r = 0; r < spec->nregions; r++)
		share[r] /= sum;
}

double traffic_shape(const struct scenario_traffic *spec, double t)
{
	if (spec->has_trace) {
		size_t cursor = 0;
		if (spec->trace_period > 0)
			t -= floor(t / spec->trace_period) * spec->trace_period;
		/* binary search would be faster; this is the one-off query, traffic_rate walks. */
		return spec->trace.rate[trace_row(&spec->trace, t, &cursor)];
	}
	double hour = t / 3600.0, daily;
	if (spec->region_peaks) {
		/* Each region's users on their own sine: the shares' sum of them. */
		daily = 0;
		for (size_t r = 0; r < spec->nregions; r++)
			daily += spec->region_share[r] * region_daily(spec, r, hour);
	} else {
		daily = 1.0 + spec->daily_amplitude *
			cos(2.0 * TRAFFIC_PI * (hour - spec->daily_peak_hour) / 24.0);
	}
	/* Day 0 is a Monday, so days 5 and 6 of each week are Saturday and Sunday. */
	long dow = (long)fmod(floor(t / DAY), 7.0);
	double weekly = dow >= 5 ? spec->weekend_factor : 1.0;
	double growth = pow(1.0 + spec->growth_per_month, t / SCENARIO_MONTH);
	return spec->base_rate * daily * weekly * growth;
}

/* The synthetic shape's exact mean over [t0, t1): cut at each midnight (the weekend factor
 * holds for a whole day), the daily sines' means on each piece in closed form, the growth at
 * each piece's middle (at 3% a month it moves by 1e-3 within a day, and a second-order
 * error of that). At a step of a day the shape at the step's middle would be the sine's
 * value at one hour, every day: with the peak there, 1 + A where the day averages 1. */
static double synthetic_mean(const struct scenario_traffic *spec, double t0, double t1)
{
	double sum = 0;
	for (double a = t0; a < t1;) {
		double b = (floor(a / DAY) + 1.0) * DAY;
		if (b > t1)
			b = t1;
		double h0 = a / 3600.0, h1 = b / 3600.0, daily;
		if (spec->region_peaks) {
			daily = 0;
			for (size_t r = 0; r < spec->nregions; r++)
				daily += spec->region_share[r] *
					 daily_mean(spec->daily_amplitude, spec->region_peak_hour[r],
						    h0, h1);
		} else {
			daily = daily_mean(spec->daily_amplitude, spec->daily_peak_hour, h0, h1);
		}
		long dow = (long)fmod(floor(a / DAY), 7.0);
		double weekly = dow >= 5 ? spec->weekend_factor : 1.0;
		double growth = pow(1.0 + spec->growth_per_month, 0.5 * (a + b) / SCENARIO_MONTH);
		sum += (b - a) * spec->base_rate * daily * weekly * growth;
		if (b <= a)
			break;   /* t1 - t0 below the resolution of a: nothing left to add */
		a = b;
	}
	return sum / (t1 - t0);
}

double traffic_shape_mean(const struct scenario_traffic *spec, double t0, double t1)
{
	if (spec->has_trace) {
		size_t cursor = 0;
		return trace_mean(spec, t0, t1, &cursor);
	}
	return synthetic_mean(spec, t0, t1);
}

int traffic_init(struct traffic *t, const struct scenario_traffic *spec, double step,
		 double horizon, uint64_t seed, uint64_t rep)
{
	memset(t, 0, sizeof *t);
	if (!spec || !(step > 0) || !isfinite(step) || !(horizon > 0) || !isfinite(horizon) ||
	    horizon / step > SCENARIO_MAX_STEPS)
		return CAPSIM_EINVAL;
	t->spec = spec;
	t->step = step;
	/* The scenario makes horizon/step whole; round so that 1e-16 noise does not drop one. */
	t->nsteps = (uint64_t)llround(horizon / step);
	if (t->nsteps == 0)
		t->nsteps = 1;
	if (rng_init(&t->noise, seed, rep, TRAFFIC_STREAM_NOISE) < 0)
		return CAPSIM_ENOMEM;
	if (rng_init(&t->spikes, seed, rep, TRAFFIC_STREAM_SPIKES) < 0) {
		rng_release(&t->noise);
		return CAPSIM_ENOMEM;
	}
	t->next_spike = INFINITY;
	const struct scenario_spikes *sp = &spec->spikes;
	if (sp->rate_per_day > 0 && sp->duration > 0) {
		/* Draw order per spike: its interarrival gap, then its magnitude. */
		t->next_spike = rng_exponential(&t->spikes, DAY / sp->rate_per_day);
		t->next_magnitude = sp->magnitude_lo +
			(sp->magnitude_hi - sp->magnitude_lo) * rng_uniform(&t->spikes);
	}
	return 0;
}

void traffic_release(struct traffic *t)
{
	if (!t)
		return;
	rng_release(&t->noise);
	rng_release(&t->spikes);
	free(t->active);
	free(t->points);
	t->active = NULL;
	t->points = NULL;
	t->nactive = t->cap = 0;
}

/* Makes room for one more spike in progress. Returns 0 or CAPSIM_ENOMEM (t unchanged). */
static int grow(struct traffic *t)
{
	if (t->nactive < t->cap)
		return 0;
	size_t cap = t->cap ? 2 * t->cap : 8;
	struct traffic_spike *a = realloc(t->active, cap * sizeof *a);
	if (!a)
		return CAPSIM_ENOMEM;
	t->active = a;
	double *p = realloc(t->points, (2 * cap + 2) * sizeof *p);
	if (!p)
		return CAPSIM_ENOMEM;   /* active[] is merely larger than cap says: harmless */
	t->points = p;
	t->cap = cap;
	return 0;
}

/* Time-average over [a, b) of the product of the magnitudes of the spikes in progress:
 * the product is constant between consecutive breakpoints (a, b and every spike start or end
 * inside), so the integral is a finite sum. Few spikes overlap, so O(n²) is fine. */
static double spike_factor(struct traffic *t, double a, double b)
{
	if (t->nactive == 0)
		return 1.0;
	size_t np = 0;
	t->points[np++] = a;
	t->points[np++] = b;
	for (size_t i = 0; i < t->nactive; i++) {
		if (t->active[i].start > a && t->active[i].start < b)
			t->points[np++] = t->active[i].start;
		if (t->active[i].end > a && t->active[i].end < b)
			t->points[np++] = t->active[i].end;
	}
	gsl_sort(t->points, 1, np);
	double sum = 0;
	for (size_t j = 0; j + 1 < np; j++) {
		double p = t->points[j], q = t->points[j + 1];
		if (!(q > p))
			continue;
		double mid = 0.5 * (p + q), prod = 1.0;
		for (size_t i = 0; i < t->nactive; i++)
			if (t->active[i].start <= mid && mid < t->active[i].end)
				prod *= t->active[i].magnitude;
		sum += prod * (q - p);
	}
	return sum / (b - a);
}

int traffic_rate(struct traffic *t, uint64_t k, double *rate)
{
	if (t->next_step > 0 && k == t->last_step) {
		*rate = t->last_rate;
		return 0;
	}
	if (k < t->next_step)
		return CAPSIM_EINVAL;
	if (k >= t->nsteps)
		return CAPSIM_ERANGE;
	/* Multiply, never add, k·step: a running sum would drift over 10^7 steps. */
	double a = (double)k * t->step, b = (double)(k + 1) * t->step;
	const struct scenario_spikes *sp = &t->spec->spikes;

	/* Spikes ended before this step can no longer matter. */
	size_t w = 0;
	for (size_t i = 0; i < t->nactive; i++)
		if (t->active[i].end > a)
			t->active[w++] = t->active[i];
	t->nactive = w;
	/* Spikes starting before the step ends join; any that would end before it starts
	 * (possible only when steps were skipped) are counted and dropped. */
	while (t->next_spike < b) {
		double end = t->next_spike + sp->duration;
		if (end > a) {
			int rc = grow(t);
			if (rc < 0)
				return rc;
			t->active[t->nactive++] = (struct traffic_spike){
				.start = t->next_spike, .end = end, .magnitude = t->next_magnitude };
		}
		t->spikes_started++;
		t->next_spike += rng_exponential(&t->spikes, DAY / sp->rate_per_day);
		t->next_magnitude = sp->magnitude_lo +
			(sp->magnitude_hi - sp->magnitude_lo) * rng_uniform(&t->spikes);
	}

	/* The noise of step k is the k-th draw of its stream: skipped steps still draw, so the
	 * rate of a step does not depend on which earlier steps were asked for. A mean-one
	 * lognormal has mu = −σ²/2, since E[exp(N(mu, σ²))] = exp(mu + σ²/2). */
	double sigma = t->spec->noise, noise = 1.0;
	for (; t->next_step <= k; t->next_step++)
		if (sigma > 0)
			noise = rng_lognormal(&t->noise, -0.5 * sigma * sigma, sigma);

	double shape;
	if (t->shape)
		shape = t->shape[k];
	else if (t->spec->has_trace)
		shape = trace_mean(t->spec, a, b, &t->cursor);
	else
		shape = synthetic_mean(t->spec, a, b);
	t->last_step = k;
	t->last_rate = shape * noise * spike_factor(t, a, b);
	*rate = t->last_rate;
	return 0;
}

int traffic_shape_table(const struct scenario_traffic *spec, double step, uint64_t nsteps,
			double **out)
{
	*out = NULL;
	if (!spec || !(step > 0) || nsteps == 0 || nsteps > (uint64_t)SCENARIO_MAX_STEPS)
		return CAPSIM_EINVAL;
	double *v = malloc(nsteps * sizeof *v);
	if (!v)
		return CAPSIM_ENOMEM;
	size_t cursor = 0;
	for (uint64_t k = 0; k < nsteps; k++) {
		/* Exactly the computation of traffic_rate, so that a table changes nothing. */
		double a = (double)k * step, b = (double)(k + 1) * step;
		v[k] = spec->has_trace ? trace_mean(spec, a, b, &cursor) : synthetic_mean(spec, a, b);
	}
	*out = v;
	return 0;
}

void traffic_use_shape_table(struct traffic *t, const double *shape)
{
	t->shape = shape;
}

uint64_t traffic_nsteps(const struct traffic *t)
{
	return t->nsteps;
}

uint64_t traffic_spikes_started(const struct traffic *t)
{
	return t->spikes_started;
}
