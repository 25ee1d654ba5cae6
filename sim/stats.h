/* Online statistics: running mean/variance (Welford), Student-t confidence intervals,
 * sample quantiles, and a mergeable latency histogram with bounded relative error.
 *
 * Everything here is plain data with no hidden state: a struct welford or struct hist can
 * be built per replication and merged across replications, and merging in a fixed order
 * gives bit-identical results. Nothing allocates on the add paths. Inputs are expected to be
 * numbers: a NaN propagates into a welford's mean and is a bug (an assertion) in a hist. */
#ifndef CAPSIM_STATS_H
#define CAPSIM_STATS_H

#include <stddef.h>
#include <stdint.h>

/* Running moments by Welford's update (Knuth TAOCP vol. 2, 4.2.2): stable with large
 * offsets, where the sum-of-squares formula cancels catastrophically. */
struct welford {
	uint64_t n;            /* observations */
	double mean;           /* running mean (0 while n == 0), unit of the data */
	double m2;             /* sum of squared deviations from the mean, unit^2 */
	double min, max;       /* extremes (+inf / -inf while n == 0) */
};

/* Empties w. */
void welford_init(struct welford *w);

/* Adds one observation. */
void welford_add(struct welford *w, double x);

/* Adds everything in `from` to `into` (Chan, Golub & LeVeque 1979 pairwise update); equal to
 * having added all observations to one accumulator, up to rounding. `from` is unchanged. */
void welford_merge(struct welford *into, const struct welford *from);

/* Sample variance m2 / (n - 1); NaN if n < 2. */
double welford_var(const struct welford *w);

/* Sample standard deviation; NaN if n < 2. */
double welford_sd(const struct welford *w);

/* A confidence interval for a mean: mean +- half = [low, high]. */
struct ci {
	double mean;           /* sample mean, unit of the data */
	double low, high;      /* interval bounds, unit of the data */
	double half;           /* half-width, unit of the data */
};

/* Student-t interval at confidence `level` in (0, 1): mean +- t_{(1+level)/2, n-1} sd/sqrt(n).
 * Returns 0, or CAPSIM_EINVAL if n < 2 or level is outside (0, 1): then out->mean is the
 * sample mean (NaN if n == 0) and low, high and half are NaN (an unknown width, never a
 * zero one). */
int welford_ci(const struct welford *w, double level, struct ci *out);

/* welford_ci at 95%, the interval of summary.csv. Same returns and failure state. */
int welford_ci95(const struct welford *w, struct ci *out);

/* The p-quantile of Student's t with dof degrees of freedom (gsl_cdf_tdist_Pinv); dof may
 * be +INFINITY (standard normal). NaN unless p in [0, 1] and dof > 0; +-inf at p = 1 / 0. */
double stats_t_quantile(double p, double dof);

/* The p-quantile of v[0..n) by linear interpolation between order statistics, at rank
 * (n-1)p (Hyndman & Fan type 7, gsl_stats_quantile_from_sorted_data's definition), never
 * outside the two values it interpolates (equal values give that value exactly; an
 * infinite one gives itself). Sorts v in place. NaN if n == 0 or p is outside [0, 1]. v must
 * not hold NaN. */
double stats_quantile(double *v, size_t n, double p);

/* Same on data already sorted ascending (v unchanged): for several quantiles of one vector. */
double stats_quantile_sorted(const double *v, size_t n, double p);

/* Wilson score interval at confidence `level` of a proportion: k successes in n trials. Unlike
 * mean +- t sd it is never zero-width at 0 or n successes (4 of 4 gives [0.51, 1]), and stays
 * in [0, 1]. out->mean is k/n, half is NaN (the interval is not symmetric). Returns 0, or
 * CAPSIM_EINVAL if n == 0, k > n or level is outside (0, 1): then all of out is NaN. */
int stats_wilson(uint64_t k, uint64_t n, double level, struct ci *out);

/* Distribution-free interval at confidence `level` of the p-quantile, from v[0..n) sorted
 * ascending: order statistics v[l-1] <= q_p <= v[u-1] with P(l <= B < u) >= level, where
 * B ~ Binomial(n, p) counts the values below q_p; l the largest rank with P(B < l) <=
 * (1 - level)/2, u the smallest with P(B >= u) <= (1 - level)/2 (gsl_cdf_binomial_P), each
 * then widened, if need be, to the two ranks the point estimate interpolates between, so
 * that low <= mean <= high always (the 99th percentile of 2 values: l = 1, not 2, the point
 * lying below the larger value). A bound that no rank gives, because n is too small for that
 * tail, is -inf / +inf (for the 99th percentile the upper one exists from n = 368 on).
 * out->mean is stats_quantile_sorted's point estimate, half NaN. v may hold +inf (values
 * known only to be large): the upper bound is then +inf wherever it falls on one. Returns 0,
 * or CAPSIM_EINVAL if n == 0, n > UINT_MAX, p is outside (0, 1) or level outside (0, 1):
 * then all of out is NaN. */
int stats_quantile_ci_sorted(const double *v, size_t n, double p, double level, struct ci *out);

/* Histogram of positive values with bounded relative error, for latencies.
 *
 * Buckets: every power-of-two octave [2^e, 2^(e+1)) is split into S = 2^sub_bits equal
 * linear sub-buckets, S the smallest power of two with 1/(2S+1) <= rel_err. A bucket
 * [L, U) is reported as the harmonic point 2LU/(L+U), which is within (U-L)/(U+L) <=
 * 1/(2S+1) of every value in it, relatively. The bucket of a value is its IEEE-754 bit
 * pattern shifted right (no log() on the add path), so an add is O(1).
 *
 * Contract of hist_quantile(p): with all added values in [lo, hi], the result is within
 * rel_err (more precisely rel_err_bound, plus a few ulps of rounding) of the sample quantile
 * that stats_quantile() would return on the same values: each order statistic is estimated
 * within the bound and the interpolation between two of them keeps it. Values below lo
 * (including 0 and negatives) are counted in an underflow bucket reported as lo, values
 * above hi (including +inf) in an overflow bucket reported as hi. The smallest and largest
 * values are tracked exactly and used for the first and last order statistics (so p = 0
 * and p = 1 give the exact extremes), and every bucket value is clamped into [min, max].
 * count and mean are exact whatever the range. */
struct hist {
	double lo, hi;         /* range with the relative-error guarantee, unit of the data */
	double rel_err;        /* relative error asked for */
	double rel_err_bound;  /* relative error guaranteed, 1/(2S+1) <= rel_err */
	unsigned sub_bits;     /* log2 S: sub-buckets per octave */
	uint64_t key_lo;       /* bit key (bits >> (52 - sub_bits)) of lo's bucket */
	size_t nbuckets;       /* regular buckets */
	uint64_t *counts;      /* [0] underflow, [1..nbuckets] regular, [nbuckets+1] overflow */
	uint64_t n;            /* values added */
	double sum;            /* running sum of the values added, unit of the data */
	double min, max;       /* extremes seen (+inf / -inf while empty) */
};

/* Sets up an empty histogram. Returns 0; CAPSIM_EINVAL unless DBL_MIN <= lo < hi <= 1e300
 * and 0 < rel_err < 1; CAPSIM_ERANGE if the geometry needs more than 2^24 buckets (128 MiB);
 * CAPSIM_ENOMEM. On failure h holds nothing to release. */
int hist_init(struct hist *h, double lo, double hi, double rel_err);

/* Frees the buckets. Accepts NULL and a histogram already released. */
void hist_release(struct hist *h);

/* Adds one value (not NaN). O(1), no allocation. */
void hist_add(struct hist *h, double x);

/* Adds the value x n times. */
void hist_add_n(struct hist *h, double x, uint64_t n);

/* Adds every count of `from` into `into`. Returns 0, or CAPSIM_EINVAL (into unchanged)
 * unless both have the same lo, hi and sub-buckets per octave. */
int hist_merge(struct hist *into, const struct hist *from);

/* The p-quantile (p in [0, 1]) under the contract above; NaN if empty or p outside [0, 1].
 * O(buckets). */
double hist_quantile(const struct hist *h, double p);

/* Values added. */
uint64_t hist_count(const struct hist *h);

/* Mean of the values added, from the tracked sum (not from buckets); NaN if empty. */
double hist_mean(const struct hist *h);

/* Empties the histogram, keeping its geometry and memory. */
void hist_reset(struct hist *h);

#endif
