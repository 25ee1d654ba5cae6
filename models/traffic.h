/* Traffic generator of the fluid capacity model: the offered rate of user requests per step.
 *
 * Time t is in seconds since the start of the simulation, which is a Monday at 00:00 UTC
 * (scenarios/README.md), so day-of-week = floor(t / 86400) mod 7 with 0 = Monday and 5, 6 =
 * Saturday, Sunday. The deterministic shape is either the synthetic one
 *     base × (1 + amplitude × cos(2π (t/3600 − peak_hour) / 24)) × weekend × (1+growth)^(t/MONTH)
 * (weekend = weekend_factor on Saturdays and Sundays, 1 otherwise; MONTH = SCENARIO_MONTH;
 * when regions peak at their own hours, the daily factor is Σ_r share_r × (1 + amplitude ×
 * cos(2π (t/3600 − peak_r) / 24)), each region's users on their own sine), or
 * a recorded trace read as a piecewise-constant rate: rate[i] holds on [time[i], time[i+1]),
 * rate[0] before time[0] and rate[n-1] after the last row. Step k covers [k·step, (k+1)·step).
 * Its shape is the exact mean of the trace's piecewise-constant rate over the step (so a trace
 * whose rows are one step apart, starting at 0, is replayed exactly), or the synthetic shape's
 * mean over the step: the step cut at each midnight (the weekend factor is constant in between),
 * each daily sine's mean over a part in closed form, the growth at the part's middle (its
 * curvature over a day is of order (ln(1+growth)·day/MONTH)², 1e-6 at 3% a month). The shape at
 * the step's middle was off by amplitude·(1 − sinc) for short steps and by the whole sine for a
 * step of a day.
 * The offered rate of step k is shape × noise × spikes:
 *   - noise: the k-th draw of rng stream TRAFFIC_STREAM_NOISE, a mean-one lognormal
 *     exp(N(−σ²/2, σ²)) with σ = spec->noise (no draw when σ = 0);
 *   - spikes: a Poisson process in time (rate_per_day / 86400 per s, none in progress at t = 0)
 *     drawn from stream TRAFFIC_STREAM_SPIKES; each spike multiplies the rate by a magnitude
 *     uniform on [lo, hi] during [start, start + duration); overlapping spikes multiply; the
 *     step's factor is the exact time-average of the product of active magnitudes over it.
 * The rate of step k is thus a pure function of (spec, step, seed, rep, k), whichever earlier
 * steps were asked for. Steps must be asked for in non-decreasing order; memory is O(1) in the
 * horizon (the spikes in progress only). The generator borrows spec (and its trace), which must
 * outlive it. Not thread-safe: one generator per replication. */
#ifndef CAPSIM_TRAFFIC_H
#define CAPSIM_TRAFFIC_H

#include <stddef.h>
#include <stdint.h>

#include "models/scenario.h"
#include "sim/rng.h"

/* rng stream ids (sim/rng.h) reserved for the traffic's noise and spikes. */
#define TRAFFIC_STREAM_NOISE 10
#define TRAFFIC_STREAM_SPIKES 11

/* A spike in progress (private). */
struct traffic_spike {
	double start, end;           /* s */
	double magnitude;            /* multiplier of the rate, >= 1 */
};

/* Caller-owned generator. All fields are private: use the functions below. */
struct traffic {
	const struct scenario_traffic *spec; /* borrowed */
	double step;                 /* s per step */
	uint64_t nsteps;             /* steps in the horizon */
	struct rng noise;            /* stream TRAFFIC_STREAM_NOISE */
	struct rng spikes;           /* stream TRAFFIC_STREAM_SPIKES */
	uint64_t next_step;          /* noise draws made so far = first step not yet computed */
	uint64_t last_step;          /* step of last_rate; valid when next_step > 0 */
	double last_rate;            /* requests/s of last_step, returned again on a repeat */
	size_t cursor;               /* trace row holding at the start of the next step */
	double next_spike;           /* s: start of the next spike not yet in progress; INFINITY */
	double next_magnitude;       /* its magnitude */
	struct traffic_spike *active; /* [nactive] spikes that may still overlap a later step */
	size_t nactive, cap;         /* used and allocated entries of active[] */
	double *points;              /* [2·cap + 2] scratch for the breakpoints inside a step */
	uint64_t spikes_started;     /* spikes started before the end of the last step computed */
	const double *shape;         /* [nsteps] borrowed table of the steps' shapes, or NULL */
};

/* Sets up a generator for a horizon of `horizon` s cut in steps of `step` s, replication `rep`
 * under `seed`. Returns 0, CAPSIM_EINVAL (NULL spec, step or horizon not > 0 and finite, or
 * horizon/step above SCENARIO_MAX_STEPS), or CAPSIM_ENOMEM; on failure t holds nothing to
 * release. */
int traffic_init(struct traffic *t, const struct scenario_traffic *spec, double step,
		 double horizon, uint64_t seed, uint64_t rep);

/* Frees what t holds; accepts NULL and a released generator. */
void traffic_release(struct traffic *t);

/* The deterministic mean rate (requests/s) at time t >= 0: the synthetic shape, or the
 * trace's piecewise-constant rate at t (see the contract above). */
double traffic_shape(const struct scenario_traffic *spec, double t);

/* Each region's share of the users' requests over [t0, t1] (t0 = t1: at that instant), into
 * share[spec->nregions]: the declared shares, or, when regions peak at their own hours
 * (spec->region_peaks), share_r × daily_r / Σ share_j × daily_j with daily_r region r's
 * daily factor's mean over the interval, so that region r offers base × share_r × daily_r ×
 * weekend × growth (× the noise and spikes all regions share). */
void traffic_split(const struct scenario_traffic *spec, double t0, double t1, double *share);

/* The deterministic shape of the interval [t0, t1) (0 <= t0 < t1): the exact mean of the
 * trace over it, or of the synthetic shape (its daily sines and weekend factor exactly, the
 * growth at the middle of each day's part). */
double traffic_shape_mean(const struct scenario_traffic *spec, double t0, double t1);

/* Sets *rate to the offered requests/s during step k (shape × noise × spikes). k must be
 * >= the last step asked for (asking again for it returns the same rate without drawing).
 * Returns 0; CAPSIM_EINVAL if k went backwards, CAPSIM_ERANGE if k >= the number of steps,
 * CAPSIM_ENOMEM if more spikes overlap than ever before and memory ran out. On failure *rate
 * is untouched and t stays consistent: retrying the call gives the rate it would have given. */
int traffic_rate(struct traffic *t, uint64_t k, double *rate);

/* The deterministic shape of every step 0..nsteps-1 of `step` s, computed once so that many
 * replications can share it (it is the part of traffic_rate that does not depend on the
 * replication). Sets *out to a malloc'd array (caller frees). Returns 0, CAPSIM_EINVAL or
 * CAPSIM_ENOMEM (*out NULL). */
int traffic_shape_table(const struct scenario_traffic *spec, double step, uint64_t nsteps,
			double **out);

/* Makes t read step shapes from `shape` (borrowed, from traffic_shape_table with the same
 * spec, step and horizon; must outlive t) instead of computing them: the rates are
 * bit-identical, only faster. NULL goes back to computing. */
void traffic_use_shape_table(struct traffic *t, const double *shape);

/* Number of steps in the horizon. */
uint64_t traffic_nsteps(const struct traffic *t);

/* Spikes that started before the end of the last step computed (for tests and reports). */
uint64_t traffic_spikes_started(const struct traffic *t);

#endif
