/* Tests of sim/rng: reproducible, independent streams and draws that follow their laws.
 *
 * Moment checks allow 4 standard errors of the estimator (two-sided normal tail
 * P(|Z| > 4) = 6.3e-5 per check); the standard errors come from closed forms, noted at each
 * check. Seeds are fixed, so a run is deterministic. */
#include <criterion/criterion.h>

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>

#include "sim/error.h"
#include "sim/rng.h"

#define SEED UINT64_C(20240601)

struct moments {
	double mean, var;
};

/* Two-pass sample mean and variance (n - 1). */
static struct moments moments_of(const double *x, size_t n)
{
	double s = 0.0, ss = 0.0;
	for (size_t i = 0; i < n; i++)
		s += x[i];
	double m = s / (double)n;
	for (size_t i = 0; i < n; i++)
		ss += (x[i] - m) * (x[i] - m);
	return (struct moments){ m, ss / (double)(n - 1) };
}

/* |got - want| <= 4 se, with a message naming the quantity. */
static void within_4se(const char *what, double got, double want, double se)
{
	cr_assert(fabs(got - want) <= 4.0 * se, "%s: got %.9g, want %.9g +- 4 x %.3g", what, got,
		  want, se);
}

static double *draws(size_t n)
{
	double *x = malloc(n * sizeof *x);
	cr_assert_not_null(x);
	return x;
}

Test(rng, same_triple_gives_same_sequence)
{
	struct rng a, b;
	cr_assert_eq(rng_init(&a, SEED, 3, 7), 0);
	cr_assert_eq(rng_init(&b, SEED, 3, 7), 0);
	for (int i = 0; i < 10000; i++) {
		double x = rng_uniform(&a), y = rng_uniform(&b);
		cr_assert(memcmp(&x, &y, sizeof x) == 0, "draw %d differs", i);
	}
	rng_release(&a);
	rng_release(&b);
	rng_release(&a);     /* twice is allowed */
	rng_release(NULL);
}

Test(rng, drawing_from_one_stream_does_not_shift_another)
{
	/* Reference: stream 2's first 100 draws, nothing else drawn. */
	struct rng b;
	double ref[100];
	cr_assert_eq(rng_init(&b, SEED, 0, 2), 0);
	for (int i = 0; i < 100; i++)
		ref[i] = rng_uniform(&b);
	rng_release(&b);

	/* Now a million draws from stream 1 of the same replication first. */
	struct rng a;
	cr_assert_eq(rng_init(&a, SEED, 0, 1), 0);
	cr_assert_eq(rng_init(&b, SEED, 0, 2), 0);
	double sink = 0.0;
	for (int i = 0; i < 1000000; i++)
		sink += rng_exponential(&a, 1.0);
	cr_assert(sink > 0.0);
	for (int i = 0; i < 100; i++) {
		double x = rng_uniform(&b);
		cr_assert(memcmp(&x, &ref[i], sizeof x) == 0, "draw %d of stream 2 moved", i);
	}
	rng_release(&a);
	rng_release(&b);
}

/* The first two 32-bit outputs of a stream, as one 64-bit fingerprint. */
static uint64_t fingerprint(uint64_t seed, uint64_t rep, uint32_t stream)
{
	struct rng s;
	cr_assert_eq(rng_init(&s, seed, rep, stream), 0);
	uint64_t hi = gsl_rng_get(s.r), lo = gsl_rng_get(s.r);
	rng_release(&s);
	return hi << 32 | lo;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

Test(rng, distinct_triples_start_differently)
{
	/* 1024 replications x 16 streams, plus neighbouring seeds: with independent 64-bit
	 * fingerprints, a repeat among these 16386 would have probability ~16386^2 / 2^65 < 1e-11;
	 * a seeding that ignored a coordinate would repeat at once. */
	enum { REPS = 1024, STREAMS = 16, N = REPS * STREAMS + 2 };
	uint64_t *f = malloc(N * sizeof *f);
	cr_assert_not_null(f);
	size_t k = 0;
	for (uint64_t r = 0; r < REPS; r++)
		for (uint32_t s = 0; s < STREAMS; s++)
			f[k++] = fingerprint(SEED, r, s);
	f[k++] = fingerprint(SEED + 1, 0, 0);
	f[k++] = fingerprint(SEED - 1, 0, 0);
	qsort(f, N, sizeof *f, cmp_u64);
	for (size_t i = 1; i < N; i++)
		cr_assert_neq(f[i], f[i - 1], "two streams start alike");
	free(f);
}

Test(rng, all_64_bits_of_seed_and_replication_count)
{
	/* gsl_rng_set() keeps 32 bits of a seed; rng_init must not. */
	uint64_t hi = UINT64_C(1) << 32;
	cr_assert_neq(fingerprint(5, 0, 0), fingerprint(5 + hi, 0, 0));
	cr_assert_neq(fingerprint(5, 9, 0), fingerprint(5, 9 + hi, 0));
	cr_assert_neq(fingerprint(5, 0, 0), fingerprint(5 + (UINT64_C(1) << 63), 0, 0));
}

/* Pearson correlation of n paired uniforms from two streams. */
static double stream_correlation(struct rng *a, struct rng *b, size_t n)
{
	double sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
	for (size_t i = 0; i < n; i++) {
		double x = rng_uniform(a) - 0.5, y = rng_uniform(b) - 0.5;
		sa += x;
		sb += y;
		saa += x * x;
		sbb += y * y;
		sab += x * y;
	}
	double dn = (double)n;
	double cov = sab / dn - (sa / dn) * (sb / dn);
	return cov / sqrt((saa / dn - (sa / dn) * (sa / dn)) * (sbb / dn - (sb / dn) * (sb / dn)));
}

Test(rng, neighbouring_streams_are_uncorrelated)
{
	/* Under independence the sample correlation of n pairs has sd 1/sqrt(n): 4/sqrt(n). */
	const size_t n = 1000000;
	const double bound = 4.0 / sqrt((double)n);
	struct { uint64_t rep_a; uint32_t st_a; uint64_t rep_b; uint32_t st_b; } pairs[] = {
		{ 0, 0, 0, 1 },   /* adjacent streams, same replication */
		{ 0, 0, 1, 0 },   /* adjacent replications, same stream */
		{ 7, 3, 8, 4 },
	};
	for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
		struct rng a, b;
		cr_assert_eq(rng_init(&a, SEED, pairs[i].rep_a, pairs[i].st_a), 0);
		cr_assert_eq(rng_init(&b, SEED, pairs[i].rep_b, pairs[i].st_b), 0);
		double r = stream_correlation(&a, &b, n);
		cr_assert(fabs(r) <= bound, "pair %zu: correlation %g beyond %g", i, r, bound);
		rng_release(&a);
		rng_release(&b);
	}
}

/* GSL's private taus113 state, as rng.c assumes it (rng/taus113.c). */
struct taus113_state {
	unsigned long z1, z2, z3, z4;
};

Test(rng, taus113_state_layout_matches_lecuyer_lfsr113)
{
	/* rng_init writes the generator's state words directly. Check that GSL's state is the
	 * four words z1..z4 of LFSR113 in that order, by comparing GSL's outputs from a state we
	 * wrote with L'Ecuyer's reference recurrence (lfsr113.c, Math. Comp. 68 (1999) 261-269). */
	gsl_rng *r = gsl_rng_alloc(gsl_rng_taus113);
	cr_assert_not_null(r);
	cr_assert_eq(gsl_rng_size(r), sizeof(struct taus113_state));
	uint32_t z1 = 987654321u, z2 = 123456789u, z3 = 3141592653u, z4 = 2718281828u;
	struct taus113_state *st = gsl_rng_state(r);
	st->z1 = z1;
	st->z2 = z2;
	st->z3 = z3;
	st->z4 = z4;
	for (int i = 0; i < 1000; i++) {
		uint32_t b;
		b = ((z1 << 6) ^ z1) >> 13;
		z1 = ((z1 & 4294967294u) << 18) ^ b;
		b = ((z2 << 2) ^ z2) >> 27;
		z2 = ((z2 & 4294967288u) << 2) ^ b;
		b = ((z3 << 13) ^ z3) >> 21;
		z3 = ((z3 & 4294967280u) << 7) ^ b;
		b = ((z4 << 3) ^ z4) >> 12;
		z4 = ((z4 & 4294967168u) << 13) ^ b;
		cr_assert_eq(gsl_rng_get(r), (unsigned long)(z1 ^ z2 ^ z3 ^ z4), "output %d", i);
	}
	gsl_rng_free(r);
}

Test(rng, uniform_int_and_bernoulli_frequencies)
{
	/* Each face of a die: count ~ Bin(n, 1/6), sd sqrt(n (1/6)(5/6)). Bernoulli(0.3):
	 * successes ~ Bin(n, 0.3). */
	struct rng s;
	cr_assert_eq(rng_init(&s, SEED, 0, 11), 0);
	const size_t n = 600000;
	size_t face[6] = { 0 }, hits = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned long k = rng_uniform_int(&s, 6);
		cr_assert_lt(k, 6ul);
		face[k]++;
		hits += (size_t)rng_bernoulli(&s, 0.3);
	}
	double sd_face = sqrt((double)n / 6.0 * 5.0 / 6.0);
	for (int k = 0; k < 6; k++)
		within_4se("face count", (double)face[k], (double)n / 6.0, sd_face);
	within_4se("bernoulli successes", (double)hits, 0.3 * (double)n, sqrt((double)n * 0.3 * 0.7));
	cr_assert_eq(rng_bernoulli(&s, 0.0), 0);
	cr_assert_eq(rng_bernoulli(&s, 1.0), 1);
	rng_release(&s);
}

Test(rng, uniform_moments)
{
	/* U(0,1): mean 1/2, variance 1/12; Var(s^2) ~ (mu4 - sigma^4)/n with mu4 = 1/80. */
	const size_t n = 1000000;
	double *x = draws(n);
	struct rng s;
	cr_assert_eq(rng_init(&s, SEED, 1, 0), 0);
	for (size_t i = 0; i < n; i++) {
		x[i] = rng_uniform_pos(&s);
		cr_assert(x[i] > 0.0 && x[i] < 1.0);
	}
	struct moments m = moments_of(x, n);
	within_4se("uniform mean", m.mean, 0.5, sqrt(1.0 / 12.0 / (double)n));
	within_4se("uniform var", m.var, 1.0 / 12.0,
		   sqrt((1.0 / 80.0 - 1.0 / 144.0) / (double)n));
	rng_release(&s);
	free(x);
}

Test(rng, exponential_moments)
{
	/* Exp with mean m: variance m^2, fourth central moment 9 m^4, so
	 * se(mean) = m/sqrt(n) and se(s^2) = sqrt((9 - 1) m^4 / n). */
	const size_t n = 1000000;
	const double mean = 2.5;
	double *x = draws(n);
	struct rng s;
	cr_assert_eq(rng_init(&s, SEED, 2, 0), 0);
	for (size_t i = 0; i < n; i++)
		x[i] = rng_exponential(&s, mean);
	struct moments m = moments_of(x, n);
	within_4se("exponential mean", m.mean, mean, mean / sqrt((double)n));
	within_4se("exponential var", m.var, mean * mean, mean * mean * sqrt(8.0 / (double)n));
	rng_release(&s);
	free(x);
}

Test(rng, normal_moments)
{
	/* N(mu, sd^2): se(mean) = sd/sqrt(n); mu4 = 3 sd^4 so se(s^2) = sd^2 sqrt(2/n). */
	const size_t n = 1000000;
	const double mu = -3.0, sd = 0.7;
	double *x = draws(n);
	struct rng s;
	cr_assert_eq(rng_init(&s, SEED, 3, 0), 0);
	for (size_t i = 0; i < n; i++)
		x[i] = rng_normal(&s, mu, sd);
	struct moments m = moments_of(x, n);
	within_4se("normal mean", m.mean, mu, sd / sqrt((double)n));
	within_4se("normal var", m.var, sd * sd, sd * sd * sqrt(2.0 / (double)n));
	rng_release(&s);
	free(x);
}

Test(rng, lognormal_moments)
{
	/* X = exp(N(mu, sigma^2)): ln X has the normal moments above, and
	 * E X = exp(mu + sigma^2/2), Var X = (exp(sigma^2) - 1) exp(2 mu + sigma^2). */
	const size_t n = 1000000;
	const double mu = 0.3, sigma = 0.5;
	double *x = draws(n), *lx = draws(n);
	struct rng s;
	cr_assert_eq(rng_init(&s, SEED, 4, 0), 0);
	for (size_t i = 0; i < n; i++) {
		x[i] = rng_lognormal(&s, mu, sigma);
		lx[i] = log(x[i]);
	}
	struct moments m = moments_of(x, n), lm = moments_of(lx, n);
	double var = expm1(sigma * sigma) * exp(2.0 * mu + sigma * sigma);
	within_4se("lognormal mean", m.mean, exp(mu + sigma * sigma / 2.0), sqrt(var / (double)n));
	within_4se("log mean", lm.mean, mu, sigma / sqrt((double)n));
	within_4se("log var", lm.var, sigma * sigma, sigma * sigma * sqrt(2.0 / (double)n));
	rng_release(&s);
	free(x);
	free(lx);
}

Test(rng, lognormal_parameters_from_closed_forms)
{
	double mu = 99, sigma = 99;
	/* p95 / median = exp(z_0.95): sigma 1, mu ln 1 = 0. z_0.95 = 1.6448536269514722. */
	cr_assert_eq(lognormal_from_median_p95(1.0, exp(1.6448536269514722), &mu, &sigma), 0);
	cr_assert(fabs(mu) < 1e-15 && fabs(sigma - 1.0) < 1e-12, "mu %g sigma %g", mu, sigma);
	/* median == p95: a constant. */
	cr_assert_eq(lognormal_from_median_p95(2.0, 2.0, &mu, &sigma), 0);
	cr_assert(fabs(mu - log(2.0)) < 1e-15 && sigma == 0.0);
	/* mean 3, scv 2: sigma^2 = ln 3, mu = ln 3 - ln(3)/2 = ln(3)/2. */
	cr_assert_eq(lognormal_from_mean_scv(3.0, 2.0, &mu, &sigma), 0);
	cr_assert(fabs(mu - log(3.0) / 2.0) < 1e-15 && fabs(sigma * sigma - log(3.0)) < 1e-15);
	/* scv 0: deterministic at the mean. */
	cr_assert_eq(lognormal_from_mean_scv(4.0, 0.0, &mu, &sigma), 0);
	cr_assert(fabs(mu - log(4.0)) < 1e-15 && sigma == 0.0);

	mu = sigma = 42;
	cr_assert_eq(lognormal_from_median_p95(0.0, 1.0, &mu, &sigma), CAPSIM_EINVAL);
	cr_assert_eq(lognormal_from_median_p95(2.0, 1.0, &mu, &sigma), CAPSIM_EINVAL);
	cr_assert_eq(lognormal_from_median_p95(NAN, 1.0, &mu, &sigma), CAPSIM_EINVAL);
	cr_assert_eq(lognormal_from_median_p95(1.0, INFINITY, &mu, &sigma), CAPSIM_EINVAL);
	cr_assert_eq(lognormal_from_mean_scv(-1.0, 1.0, &mu, &sigma), CAPSIM_EINVAL);
	cr_assert_eq(lognormal_from_mean_scv(1.0, -0.5, &mu, &sigma), CAPSIM_EINVAL);
	cr_assert(mu == 42 && sigma == 42, "outputs touched on failure");
}

Test(rng, lognormal_from_median_p95_reproduces_its_quantiles)
{
	/* The count of draws <= q is Bin(n, F(q)). With F(median) = 0.5 and F(p95) = 0.95 the
	 * counts must sit within 4 binomial sds of 0.5 n and 0.95 n; equivalently the sample
	 * quantiles lie inside order-statistic intervals around the inputs. */
	const size_t n = 200000;
	const double median = 0.120, p95 = 0.900;   /* s: a skewed latency */
	double mu, sigma;
	cr_assert_eq(lognormal_from_median_p95(median, p95, &mu, &sigma), 0);
	struct rng s;
	cr_assert_eq(rng_init(&s, SEED, 5, 0), 0);
	size_t below_med = 0, below_p95 = 0;
	for (size_t i = 0; i < n; i++) {
		double x = rng_lognormal(&s, mu, sigma);
		below_med += x <= median;
		below_p95 += x <= p95;
	}
	within_4se("draws <= median", (double)below_med, 0.5 * (double)n, sqrt((double)n * 0.25));
	within_4se("draws <= p95", (double)below_p95, 0.95 * (double)n,
		   sqrt((double)n * 0.95 * 0.05));
	rng_release(&s);
}

Test(rng, lognormal_from_mean_scv_reproduces_mean_and_scv)
{
	/* mean 3, scv 2: Var X = scv mean^2 = 18, se(mean) = sqrt(18/n). On the log scale
	 * mu = ln(3)/2 and sigma^2 = ln 3 (hand-computed above), checked with normal se's. */
	const size_t n = 1000000;
	double mu, sigma;
	cr_assert_eq(lognormal_from_mean_scv(3.0, 2.0, &mu, &sigma), 0);
	double *x = draws(n), *lx = draws(n);
	struct rng s;
	cr_assert_eq(rng_init(&s, SEED, 6, 0), 0);
	for (size_t i = 0; i < n; i++) {
		x[i] = rng_lognormal(&s, mu, sigma);
		lx[i] = log(x[i]);
	}
	struct moments m = moments_of(x, n), lm = moments_of(lx, n);
	within_4se("mean", m.mean, 3.0, sqrt(18.0 / (double)n));
	within_4se("log mean", lm.mean, log(3.0) / 2.0, sqrt(log(3.0) / (double)n));
	within_4se("log var", lm.var, log(3.0), log(3.0) * sqrt(2.0 / (double)n));
	rng_release(&s);
	free(x);
	free(lx);
}

Test(rng, poisson_moments_small_and_large_mean)
{
	/* Poisson(l): mean = var = l; mu4 = l (1 + 3 l) so Var(s^2) ~ (l + 2 l^2)/n. GSL switches
	 * algorithm for large means, so both regimes are checked. */
	const size_t n = 1000000;
	const double lambda[] = { 4.2, 250.0 };
	double *x = draws(n);
	for (int k = 0; k < 2; k++) {
		struct rng s;
		cr_assert_eq(rng_init(&s, SEED, 7, (uint32_t)k), 0);
		double l = lambda[k];
		for (size_t i = 0; i < n; i++)
			x[i] = (double)rng_poisson(&s, l);
		struct moments m = moments_of(x, n);
		within_4se("poisson mean", m.mean, l, sqrt(l / (double)n));
		within_4se("poisson var", m.var, l, sqrt((l + 2.0 * l * l) / (double)n));
		rng_release(&s);
	}
	free(x);
}

/* Dvoretzky-Kiefer-Wolfowitz with Massart's constant: P(sup |F_m - F| > e) <= 2 exp(-2 m e^2),
 * so at level alpha the bound is e = sqrt(ln(2/alpha) / (2m)). */
static double dkw_bound(size_t m, double alpha)
{
	return sqrt(log(2.0 / alpha) / (2.0 * (double)m));
}

/* Piecewise-linear CDF through {0, 1, 10} with F(x_(i)) = i/2, by hand:
 * x/2 on [0, 1], 1/2 + (x - 1)/18 on [1, 10]. */
static double cdf_0_1_10(double x)
{
	if (x <= 0.0)
		return 0.0;
	if (x <= 1.0)
		return x / 2.0;
	if (x <= 10.0)
		return 0.5 + (x - 1.0) / 18.0;
	return 1.0;
}

Test(rng, empirical_draws_follow_the_piecewise_linear_cdf)
{
	/* Kolmogorov-Smirnov distance of m draws to the hand-computed CDF, against the DKW bound
	 * at alpha = 1e-4. The samples are given unsorted on purpose. */
	const double samples[] = { 10.0, 0.0, 1.0 };
	const size_t m = 200000;
	struct empirical e;
	cr_assert_eq(empirical_init(&e, samples, 3), 0);
	struct rng s;
	cr_assert_eq(rng_init(&s, SEED, 8, 0), 0);
	double *y = draws(m);
	for (size_t i = 0; i < m; i++) {
		y[i] = rng_empirical(&s, &e);
		cr_assert(y[i] >= 0.0 && y[i] <= 10.0);
	}
	gsl_sort(y, 1, m);
	double d = 0.0;
	for (size_t i = 0; i < m; i++) {
		double f = cdf_0_1_10(y[i]);
		d = fmax(d, fmax((double)(i + 1) / (double)m - f, f - (double)i / (double)m));
	}
	double bound = dkw_bound(m, 1e-4);
	cr_assert(d <= bound, "KS distance %g beyond %g", d, bound);
	free(y);
	empirical_release(&e);
	rng_release(&s);
}

/* sup_x |A(x) - B(x)| between the ECDFs of two sorted samples. */
static double ks_two_sample(const double *a, size_t na, const double *b, size_t nb)
{
	size_t i = 0, j = 0;
	double d = 0.0;
	while (i < na && j < nb) {
		double x = fmin(a[i], b[j]);
		while (i < na && a[i] <= x)
			i++;
		while (j < nb && b[j] <= x)
			j++;
		d = fmax(d, fabs((double)i / (double)na - (double)j / (double)nb));
	}
	return d;
}

Test(rng, empirical_draws_reproduce_the_sample_cdf)
{
	/* Observed: 400 lognormal latencies. The piecewise-linear CDF differs from the sample's
	 * ECDF by at most 1/(n-1) (at x_(i) the ECDF is (i+1)/n or i/n, the line i/(n-1), and
	 * the line is monotone between them), so the draws' ECDF must be within
	 * dkw_bound(m, 1e-4) + 1/(n-1) of the sample's ECDF. */
	enum { N = 400 };
	const size_t m = 200000;
	double obs[N];
	struct rng s;
	cr_assert_eq(rng_init(&s, SEED, 9, 0), 0);
	for (int i = 0; i < N; i++)
		obs[i] = rng_lognormal(&s, log(0.05), 1.0);
	struct empirical e;
	cr_assert_eq(empirical_init(&e, obs, N), 0);
	gsl_sort(obs, 1, N);
	double *y = draws(m);
	for (size_t i = 0; i < m; i++)
		y[i] = rng_empirical(&s, &e);
	gsl_sort(y, 1, m);
	cr_assert(y[0] >= obs[0] && y[m - 1] <= obs[N - 1], "draw outside [min, max]");
	double d = ks_two_sample(y, m, obs, N);
	double bound = dkw_bound(m, 1e-4) + 1.0 / (N - 1);
	cr_assert(d <= bound, "KS distance %g beyond %g", d, bound);
	free(y);
	empirical_release(&e);
	rng_release(&s);
}

Test(rng, empirical_edge_cases)
{
	struct empirical e;
	struct rng s;
	cr_assert_eq(rng_init(&s, SEED, 10, 0), 0);
	const double one = 4.5;
	cr_assert_eq(empirical_init(&e, &one, 1), 0);
	for (int i = 0; i < 100; i++)
		cr_assert_eq(rng_empirical(&s, &e), 4.5);
	empirical_release(&e);
	empirical_release(&e);
	empirical_release(NULL);

	const double bad[] = { 1.0, NAN };
	cr_assert_eq(empirical_init(&e, bad, 2), CAPSIM_EINVAL);
	cr_assert_eq(empirical_init(&e, &one, 0), CAPSIM_EINVAL);
	cr_assert_eq(empirical_init(&e, NULL, 3), CAPSIM_EINVAL);
	rng_release(&s);
}

Test(rng, discrete_choice_frequencies)
{
	/* Weights 1:2:7 -> p = 0.1, 0.2, 0.7; count_i ~ Bin(n, p_i). A zero weight is never drawn. */
	const double w[] = { 1.0, 2.0, 0.0, 7.0 };
	const double p[] = { 0.1, 0.2, 0.0, 0.7 };
	struct discrete d;
	cr_assert_eq(discrete_init(&d, w, 4), 0);
	struct rng s;
	cr_assert_eq(rng_init(&s, SEED, 11, 0), 0);
	const size_t n = 500000;
	size_t count[4] = { 0 };
	for (size_t i = 0; i < n; i++) {
		size_t k = rng_discrete(&s, &d);
		cr_assert_lt(k, (size_t)4);
		count[k]++;
	}
	cr_assert_eq(count[2], (size_t)0);
	for (int k = 0; k < 4; k++)
		within_4se("choice count", (double)count[k], p[k] * (double)n,
			   sqrt((double)n * p[k] * (1.0 - p[k])));
	discrete_release(&d);
	discrete_release(NULL);

	const double neg[] = { 1.0, -1.0 }, zero[] = { 0.0, 0.0 }, inf[] = { 1.0, INFINITY };
	cr_assert_eq(discrete_init(&d, neg, 2), CAPSIM_EINVAL);
	cr_assert_eq(discrete_init(&d, zero, 2), CAPSIM_EINVAL);
	cr_assert_eq(discrete_init(&d, inf, 2), CAPSIM_EINVAL);
	cr_assert_eq(discrete_init(&d, w, 0), CAPSIM_EINVAL);
	rng_release(&s);
}
