/* Request-level simulation of a G/G/c FCFS queue on the engine: each customer's arrival and
 * departure is an event. It exists to check the queueing formulas (capsim queue --simulate,
 * and the tests) and to measure the engine (bench_mmc).
 *
 * Arrivals are Poisson when ca2 == 1, otherwise lognormal inter-arrival times with the given
 * squared coefficient of variation (deterministic when 0); service times likewise with cs2.
 * Arrivals and services draw from separate streams, so changing the service distribution
 * leaves the arrival sequence untouched (common random numbers). A replication starts empty,
 * discards the first `warmup` customers (in arrival order) and measures the next `customers`;
 * a customer's wait and response are known when its service starts. Only stable queues
 * (rho < 1) can be simulated. */
#ifndef CAPSIM_QSIM_H
#define CAPSIM_QSIM_H

#include <stddef.h>
#include <stdint.h>

#include "sim/stats.h"

#define QSIM_MAX_PERCENTILES 16

struct qsim_config {
	double servers;        /* c, integral >= 1 */
	double arrival_rate;   /* lambda, req/s */
	double service_time;   /* mean S, s */
	double ca2;            /* SCV of inter-arrival times (1 = Poisson) */
	double cs2;            /* SCV of service times (1 = exponential) */
	uint64_t customers;    /* measured customers per replication */
	uint64_t warmup;       /* customers discarded before measuring */
	size_t npercentiles;
	double percentiles[QSIM_MAX_PERCENTILES];   /* response-time quantiles wanted, in (0,1) */
};

/* One replication's figures. Plain data: copied by the Monte Carlo runner. */
struct qsim_result {
	uint64_t customers;    /* measured */
	double wait_mean;      /* s */
	double response_mean;  /* s */
	double p_wait;         /* fraction of measured customers who waited */
	double utilization;    /* time-average busy servers / c over the measured span */
	double response_q[QSIM_MAX_PERCENTILES];    /* s, per config.percentiles */
	uint64_t events;       /* engine events run */
};

/* Across replications: mean and 95% interval of each figure. The interval is the Student-t
 * one, mean +- half, with its bounds clipped to the figure's range: [0, 1] for utilization
 * and p_wait, [0, inf) for the times. So low and high may sit closer to the mean than half
 * says; half is the unclipped half-width. */
struct qsim_summary {
	uint64_t replications, customers;   /* customers: measured, all replications */
	struct ci wait_mean, response_mean, p_wait, utilization;
	struct ci response_q[QSIM_MAX_PERCENTILES];
	uint64_t events;
};

/* Checks a configuration: 0, or CAPSIM_EINVAL (bad numbers) or CAPSIM_EUNSTABLE (rho >= 1). */
int qsim_check(const struct qsim_config *cfg);

/* Runs replication `rep` of the queue with streams derived from `seed`. Returns 0, or
 * CAPSIM_EINVAL / CAPSIM_EUNSTABLE / CAPSIM_ENOMEM; *out is fully written on success. */
int qsim_run(const struct qsim_config *cfg, uint64_t seed, uint64_t rep, struct qsim_result *out);

/* Runs `reps` replications on `threads` threads (0 = all CPUs) and summarises them with 95%
 * Student-t intervals across replications (reps >= 2), clipped to each figure's range (see
 * struct qsim_summary). The summary is identical for a seed whatever the thread count.
 * Returns 0 or an error code of qsim_run / mc_run. */
int qsim_replicate(const struct qsim_config *cfg, uint64_t seed, uint64_t reps,
		   unsigned threads, struct qsim_summary *out);

#endif
