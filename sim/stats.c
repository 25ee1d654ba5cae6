/* Welford moments, t intervals, sample quantiles and the relative-error latency histogram. */
#include "sim/stats.h"

#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sort.h>

#include "sim/error.h"

void welford_init(struct welford *w)
{
	w->n = 0;
	w->mean = 0.0;
	w->m2 = 0.0;
	w->min = INFINITY;
	w->max = -INFINITY;
}

void welford_add(struct welford *w, double x)
{
	/* mean_n = mean_{n-1} + (x - mean_{n-1}) / n;  M2_n = M2_{n-1} + (x - mean_{n-1})(x - mean_n) */
	w->n++;
	double d = x - w->mean;
	w->mean += d / (double)w->n;
	w->m2 += d * (x - w->mean);
	if (x < w->min)
		w->min = x;
	if (x > w->max)
		w->max = x;
}

void welford_merge(struct welford *into, const struct welford *from)
{
	if (from->n == 0)
		return;
	if (into->n == 0) {
		*into = *from;
		return;
	}
	/* Chan, Golub & LeVeque: n = na + nb, d = mean_b - mean_a,
	 * mean = mean_a + d nb/n,  M2 = M2_a + M2_b + d^2 na nb / n. */
	double na = (double)into->n, nb = (double)from->n, n = na + nb;
	double d = from->mean - into->mean;
	into->mean += d * (nb / n);
	into->m2 += from->m2 + d * d * (na * nb / n);
	into->n += from->n;
	if (from->min < into->min)
		into->min = from->min;
	if (from->max > into->max)
		into->max = from->max;
}

double welford_var(const struct welford *w)
{
	return w->n < 2 ? NAN : w->m2 / (double)(w->n - 1);
}

double welford_sd(const struct welford *w)
{
	return sqrt(welford_var(w));
}

int welford_ci(const struct welford *w, double level, struct ci *out)
{
	out->mean = w->n ? w->mean : NAN;
	out->low = out->high = out->half = NAN;
	if (w->n < 2 || !(level > 0.0 && level < 1.0))
		return CAPSIM_EINVAL;
	double t = stats_t_quantile(0.5 + level / 2.0, (double)(w->n - 1));
	out->half = t * welford_sd(w) / sqrt((double)w->n);
	out->low = out->mean - out->half;
	out->high = out->mean + out->half;
	return 0;
}

int welford_ci95(const struct welford *w, struct ci *out)
{
	return welford_ci(w, 0.95, out);
}

double stats_t_quantile(double p, double dof)
{
	if (!(p >= 0.0 && p <= 1.0 && dof > 0.0))
		return NAN;
	if (isinf(dof))
		return gsl_cdf_ugaussian_Pinv(p);
	return gsl_cdf_tdist_Pinv(p, dof);
}

/* Type 7's position of the p-quantile among n sorted values: between v[*lhs] and v[*lhs + 1]
 * at the fraction *delta of the way (gsl_stats_quantile_from_sorted_data's index). The one
 * definition the point estimate and its interval's ranks both use. */
static void type7_index(size_t n, double p, size_t *lhs, double *delta)
{
	double index = p * (double)(n - 1);
	*lhs = (size_t)index;
	*delta = index - (double)*lhs;
	if (*lhs >= n - 1) {
		*lhs = n - 1;
		*delta = 0.0;
	}
}

double stats_quantile_sorted(const double *v, size_t n, double p)
{
	if (n == 0 || !(p >= 0.0 && p <= 1.0))
		return NAN;
	size_t lhs;
	double delta;
	type7_index(n, p, &lhs, &delta);
	double a = v[lhs];
	if (delta == 0.0)
		return a;
	double b = v[lhs + 1];
	/* GSL's (1 - delta) a + delta b can land an ulp outside [a, b]: on equal values
	 * (24 copies of 3362.4 give 3362.3999999999996 at p = 0.99), under the lowest order
	 * statistic its interval may use. a + delta (b - a) is a exactly when a == b, and the
	 * clamp keeps the rounding of the rest within [a, b]. An infinite end (a censored value
	 * taken as +inf) is the interpolation's limit, where the formula would give NaN. */
	if (a == b || isinf(a))
		return a;
	if (isinf(b))
		return b;
	double x = a + delta * (b - a);
	return x < a ? a : x > b ? b : x;
}

double stats_quantile(double *v, size_t n, double p)
{
	if (n == 0 || !(p >= 0.0 && p <= 1.0))
		return NAN;
	gsl_sort(v, 1, n);
	return stats_quantile_sorted(v, n, p);
}

int stats_wilson(uint64_t k, uint64_t n, double level, struct ci *out)
{
	out->mean = out->low = out->high = out->half = NAN;
	if (n == 0 || k > n || !(level > 0.0 && level < 1.0))
		return CAPSIM_EINVAL;
	double z = gsl_cdf_ugaussian_Pinv(0.5 + level / 2.0), z2 = z * z;
	double dn = (double)n, dk = (double)k, ph = dk / dn;
	double centre = (dk + z2 / 2.0) / (dn + z2);
	double half = z / (dn + z2) * sqrt(dk * (dn - dk) / dn + z2 / 4.0);
	out->mean = ph;
	out->low = centre - half;
	out->high = centre + half;
	/* The exact ends: at k = 0 the low end and at k = n the high one are 0 and 1 (the
	 * formula gives them up to rounding). */
	if (k == 0 || out->low < 0.0)
		out->low = 0.0;
	if (k == n || out->high > 1.0)
		out->high = 1.0;
	return 0;
}

int stats_quantile_ci_sorted(const double *v, size_t n, double p, double level, struct ci *out)
{
	out->mean = out->low = out->high = out->half = NAN;
	if (n == 0 || n > UINT_MAX || !(p > 0.0 && p < 1.0) || !(level > 0.0 && level < 1.0))
		return CAPSIM_EINVAL;
	double tail = (1.0 - level) / 2.0;
	unsigned un = (unsigned)n;
	/* F(j) = P(B <= j) rises with j: binary searches for the two ranks (1-based). lo_rank is
	 * the largest l in [1, n] with F(l - 1) <= tail, 0 when there is none. */
	size_t a = 1, b = n, lo_rank = 0;
	while (a <= b) {
		size_t m = a + (b - a) / 2;
		if (gsl_cdf_binomial_P((unsigned)(m - 1), p, un) <= tail) {
			lo_rank = m;
			a = m + 1;
		} else {
			b = m - 1;
		}
	}
	/* hi_rank: the smallest u in [1, n] with 1 - F(u - 1) <= tail, n + 1 when there is
	 * none. The upper tail through gsl_cdf_binomial_Q keeps its small values exact. */
	size_t hi_rank = n + 1;
	a = 1;
	b = n;
	while (a <= b) {
		size_t m = a + (b - a) / 2;
		if (gsl_cdf_binomial_Q((unsigned)(m - 1), p, un) <= tail) {
			hi_rank = m;
			b = m - 1;
		} else {
			a = m + 1;
		}
	}
	/* The point estimate interpolates between the ranks lhs + 1 and lhs + 2 (1-based): the
	 * interval must hold them. The equal-tailed ranks pass them when n is small for p: the
	 * 99th percentile of 2 values has l = 2 (P(B <= 1) = 1 - 0.99^2 = 0.0199 <= 0.025), the
	 * larger value, above the point 1% below it. Widening to those ranks only adds to the
	 * coverage P(l <= B < u), so the interval stays distribution-free at >= level. */
	size_t lhs;
	double delta;
	type7_index(n, p, &lhs, &delta);
	if (lo_rank > lhs + 1)
		lo_rank = lhs + 1;
	if (hi_rank < lhs + 1 + (delta > 0.0))
		hi_rank = lhs + 1 + (delta > 0.0);
	out->mean = stats_quantile_sorted(v, n, p);
	out->low = lo_rank ? v[lo_rank - 1] : -INFINITY;
	out->high = hi_rank <= n ? v[hi_rank - 1] : INFINITY;
	return 0;
}

/* ---- histogram ---- */

#define HIST_MAX_BUCKETS (1u << 24)
#define HIST_MAX_HI 1e300   /* keeps the top bucket's upper edge finite */

/* The IEEE-754 bits of a positive double, shifted so that the exponent and the top sub_bits
 * of the mantissa remain: consecutive keys are consecutive buckets, increasing with x. */
static uint64_t hist_key(double x, unsigned sub_bits)
{
	uint64_t b;
	memcpy(&b, &x, sizeof b);
	return b >> (52 - sub_bits);
}

/* The double whose bit pattern starts at key (its bucket's lower edge). */
static double hist_edge(uint64_t key, unsigned sub_bits)
{
	uint64_t b = key << (52 - sub_bits);
	double x;
	memcpy(&x, &b, sizeof x);
	return x;
}

int hist_init(struct hist *h, double lo, double hi, double rel_err)
{
	memset(h, 0, sizeof *h);
	if (!(lo >= DBL_MIN && lo < hi && hi <= HIST_MAX_HI && rel_err > 0.0 && rel_err < 1.0))
		return CAPSIM_EINVAL;
	/* Smallest S = 2^k with (U-L)/(U+L) <= 1/(2S+1) <= rel_err; the worst bucket is the
	 * first of an octave, [2^e, 2^e (1 + 1/S)). */
	unsigned sub_bits = 0;
	while (1.0 / (2.0 * (double)(UINT64_C(1) << sub_bits) + 1.0) > rel_err) {
		if (++sub_bits > 52)
			return CAPSIM_ERANGE;
	}
	uint64_t key_lo = hist_key(lo, sub_bits), key_hi = hist_key(hi, sub_bits);
	if (key_hi - key_lo + 1 > HIST_MAX_BUCKETS - 2)
		return CAPSIM_ERANGE;
	size_t nb = (size_t)(key_hi - key_lo + 1);
	uint64_t *counts = calloc(nb + 2, sizeof *counts);
	if (!counts)
		return CAPSIM_ENOMEM;
	h->lo = lo;
	h->hi = hi;
	h->rel_err = rel_err;
	h->rel_err_bound = 1.0 / (2.0 * (double)(UINT64_C(1) << sub_bits) + 1.0);
	h->sub_bits = sub_bits;
	h->key_lo = key_lo;
	h->nbuckets = nb;
	h->counts = counts;
	hist_reset(h);
	return 0;
}

void hist_release(struct hist *h)
{
	if (!h)
		return;
	free(h->counts);
	h->counts = NULL;
	h->nbuckets = 0;
}

void hist_reset(struct hist *h)
{
	if (h->counts)
		memset(h->counts, 0, (h->nbuckets + 2) * sizeof *h->counts);
	h->n = 0;
	h->sum = 0.0;
	h->min = INFINITY;
	h->max = -INFINITY;
}

/* Index into counts[] of a value. */
static size_t hist_index(const struct hist *h, double x)
{
	if (x < h->lo)
		return 0;
	if (x > h->hi)
		return h->nbuckets + 1;
	return 1 + (size_t)(hist_key(x, h->sub_bits) - h->key_lo);
}

void hist_add(struct hist *h, double x)
{
	CAPSIM_ASSERT(!isnan(x));
	h->counts[hist_index(h, x)]++;
	h->n++;
	h->sum += x;
	if (x < h->min)
		h->min = x;
	if (x > h->max)
		h->max = x;
}

void hist_add_n(struct hist *h, double x, uint64_t n)
{
	CAPSIM_ASSERT(!isnan(x));
	if (n == 0)
		return;
	h->counts[hist_index(h, x)] += n;
	h->n += n;
	h->sum += x * (double)n;
	if (x < h->min)
		h->min = x;
	if (x > h->max)
		h->max = x;
}

int hist_merge(struct hist *into, const struct hist *from)
{
	if (into->lo != from->lo || into->hi != from->hi || into->sub_bits != from->sub_bits)
		return CAPSIM_EINVAL;
	CAPSIM_ASSERT(into->nbuckets == from->nbuckets && into->key_lo == from->key_lo);
	for (size_t i = 0; i < into->nbuckets + 2; i++)
		into->counts[i] += from->counts[i];
	into->n += from->n;
	into->sum += from->sum;
	if (from->min < into->min)
		into->min = from->min;
	if (from->max > into->max)
		into->max = from->max;
	return 0;
}

/* The value reported for bucket i, clamped into the exact [min, max] seen (the true
 * order statistic lies there, so clamping never moves the estimate away from it). */
static double hist_value(const struct hist *h, size_t i)
{
	double v;
	if (i == 0) {
		v = h->lo;
	} else if (i == h->nbuckets + 1) {
		v = h->hi;
	} else {
		uint64_t key = h->key_lo + (i - 1);
		double l = hist_edge(key, h->sub_bits), u = hist_edge(key + 1, h->sub_bits);
		v = 2.0 * l * u / (l + u);   /* harmonic point: equal relative error to both edges */
	}
	return v < h->min ? h->min : v > h->max ? h->max : v;
}

/* Estimate of the order statistic k (0-based), walking the buckets from (*i, *below):
 * the first and last order statistics are the tracked extremes, exactly. */
static double hist_order_stat(const struct hist *h, uint64_t k, size_t *i, uint64_t *below)
{
	while (*below + h->counts[*i] <= k)
		*below += h->counts[(*i)++];
	if (k == 0)
		return h->min;
	if (k == h->n - 1)
		return h->max;
	return hist_value(h, *i);
}

double hist_quantile(const struct hist *h, double p)
{
	if (h->n == 0 || !(p >= 0.0 && p <= 1.0))
		return NAN;
	/* Rank (n-1)p as in stats_quantile: interpolate between order statistics k and k+1
	 * (0-based). Both estimates are within the bound of their true values, which are
	 * positive, so the interpolated estimate is within it of the interpolated truth. */
	double rank = (double)(h->n - 1) * p;
	uint64_t k = (uint64_t)rank;
	if (k > h->n - 1)
		k = h->n - 1;
	double frac = rank - (double)k;

	size_t i = 0;
	uint64_t below = 0;   /* values in buckets before i */
	double xk = hist_order_stat(h, k, &i, &below);
	if (frac == 0.0 || k + 1 >= h->n)
		return xk;
	double xk1 = hist_order_stat(h, k + 1, &i, &below);
	/* Equal ends (both +inf when every value is) are the answer: inf - inf would be NaN. */
	if (xk == xk1)
		return xk;
	return xk + frac * (xk1 - xk);
}

uint64_t hist_count(const struct hist *h)
{
	return h->n;
}

double hist_mean(const struct hist *h)
{
	return h->n ? h->sum / (double)h->n : NAN;
}
