/* Two designs side by side: the paired difference of every figure of two runs made on the same
 * random numbers.
 *
 * Two runs with the same seed and replications draw the same random streams in each
 * replication (sim/rng.h: a stream is a function of seed, replication and stream id), so
 * replication r of A and replication r of B see the same traffic noise, spikes, failures and
 * spot interruptions wherever the two scenarios declare the same ones. The difference
 * d_r = B_r − A_r then varies far less than either figure, and its Student-t 95% interval over
 * the replications (pairs are independent of one another) tells whether B is higher or lower
 * than A with fewer replications than two separate intervals would need. Scenarios that differ
 * in their traffic or failures are still compared correctly, only with less to gain from the
 * pairing. */
#ifndef CAPSIM_COMPARE_H
#define CAPSIM_COMPARE_H

#include <stddef.h>

#include "models/run.h"
#include "sim/stats.h"

/* One figure of both runs. */
struct compare_row {
	char name[RUN_METRIC_NAME_MAX]; /* the metric's name (models/run.h), e.g. "cost_monthly" */
	char unit[16];
	struct run_stat a, b;  /* each run's own statistics */
	struct ci diff;        /* mean of B − A over the pairs and its 95% interval (both ends
				  the mean when every pair differs alike; NaN with 1 pair),
				  clipped to the range B − A can take ([−1, 1] for two
				  fractions, from run_result's rep_range); half is the t
				  half-width, unclipped */
	int sign;              /* +1: B higher with 95% confidence (the interval above 0), −1:
				  B lower, 0: the interval holds 0 */
};

/* The rows of every per-replication metric both runs have, in A's order, then the cost
 * components ("cost.*", USD) only B reports: a cost one run does not report is one its design
 * does not incur, so it counts as 0 there (B's transfer between regions against an A that
 * makes no such calls, a tier only one design has). a and b must come
 * from run_simulate with the same seed and replications (else CAPSIM_EINVAL). Sets *rows
 * (malloc'd; the caller frees) and *n. Returns 0, CAPSIM_EINVAL or CAPSIM_ENOMEM. */
int compare_runs(const struct run_result *a, const struct run_result *b,
		 struct compare_row **rows, size_t *n);

/* The row named `name`, or NULL. */
const struct compare_row *compare_find(const struct compare_row *rows, size_t n,
				       const char *name);

#endif
