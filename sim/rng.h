/* Random streams for the simulator: one independent GSL generator per (seed, replication,
 * stream), and the draws the models need (uniform, exponential, normal, lognormal, Poisson,
 * empirical, weighted discrete choice).
 *
 * A stream's whole state is a pure function of (seed, replication, stream): the three numbers
 * are hashed with the splitmix64 finaliser and the hash fills the full 113-bit state of GSL's
 * taus113 generator (L'Ecuyer's maximally equidistributed LFSR113). gsl_rng_set() would keep
 * only 32 bits of a seed, so that streams would start to collide after ~2^16 of them; filling
 * the state directly keeps distinct triples distinct. A model that draws only from its own
 * stream therefore never shifts another model's draws, which keeps common random numbers
 * valid when models or replications are added. A stream is not thread-safe: one thread
 * draws from it at a time. Draws never allocate. */
#ifndef CAPSIM_RNG_H
#define CAPSIM_RNG_H

#include <stddef.h>
#include <stdint.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

struct rng {
	gsl_rng *r;            /* GSL generator owned by the stream (taus113) */
};

/* Sets up stream `stream` of replication `replication` under `seed`. Returns 0 or
 * CAPSIM_ENOMEM (then s holds nothing to release; GSL's default error handler aborts before
 * that unless the program called gsl_set_error_handler_off()). Same triple, same sequence,
 * always. */
int rng_init(struct rng *s, uint64_t seed, uint64_t replication, uint32_t stream);

/* Frees the generator. Accepts NULL and a stream already released. */
void rng_release(struct rng *s);

/* Uniform on [0, 1), 32 bits of resolution. */
double rng_uniform(struct rng *s);

/* Uniform on (0, 1): never exactly 0 (safe under log). */
double rng_uniform_pos(struct rng *s);

/* Uniform integer in [0, n), without modulo bias; n must be in [1, 2^32]. */
unsigned long rng_uniform_int(struct rng *s, unsigned long n);

/* 1 with probability p, else 0 (p <= 0 never, p >= 1 always). */
int rng_bernoulli(struct rng *s, double p);

/* Exponential with the given mean (not rate), mean > 0. */
double rng_exponential(struct rng *s, double mean);

/* Normal N(mean, sd^2) by the ziggurat method (Marsaglia & Tsang 2000), sd >= 0. */
double rng_normal(struct rng *s, double mean, double sd);

/* Lognormal exp(N(mu, sigma^2)); median exp(mu), mean exp(mu + sigma^2/2). */
double rng_lognormal(struct rng *s, double mu, double sigma);

/* Poisson with the given mean >= 0. */
unsigned long rng_poisson(struct rng *s, double mean);

/* Lognormal parameters from a median and a 95th percentile: mu = ln median,
 * sigma = ln(p95/median) / z_0.95 with z_0.95 = Phi^-1(0.95) = 1.6448536. Returns 0, or
 * CAPSIM_EINVAL unless 0 < median <= p95 < inf (outputs then untouched). */
int lognormal_from_median_p95(double median, double p95, double *mu, double *sigma);

/* Lognormal parameters from a mean and a squared coefficient of variation (var/mean^2):
 * sigma^2 = ln(1 + scv), mu = ln mean - sigma^2/2. Returns 0, or CAPSIM_EINVAL unless
 * 0 < mean < inf and 0 <= scv < inf (outputs then untouched). */
int lognormal_from_mean_scv(double mean, double scv, double *mu, double *sigma);

/* An empirical distribution from observed samples. Draws invert the piecewise-linear CDF
 * through the sorted samples x_(0) <= ... <= x_(n-1): F(x_(i)) = i/(n-1), linear in between
 * (Law & Kelton, Simulation Modeling and Analysis, sec. 6.2.4), so draws lie in
 * [min, max] and interpolate between observations. A single sample gives a constant. */
struct empirical {
	double *x;             /* sorted copy of the samples, owned */
	size_t n;              /* number of samples, >= 1 */
};

/* Copies and sorts n samples. Returns 0, CAPSIM_EINVAL (n == 0, NULL, or a non-finite
 * sample) or CAPSIM_ENOMEM; on failure e holds nothing to release. */
int empirical_init(struct empirical *e, const double *samples, size_t n);

/* Frees the copy. Accepts NULL. */
void empirical_release(struct empirical *e);

/* One draw from e (one uniform). */
double rng_empirical(struct rng *s, const struct empirical *e);

/* A weighted choice among n outcomes, drawn in O(1) by Walker's alias method
 * (gsl_ran_discrete). */
struct discrete {
	gsl_ran_discrete_t *t; /* GSL alias table, owned */
	size_t n;              /* number of outcomes */
};

/* Builds the table from n non-negative weights (they need not sum to 1). Returns 0,
 * CAPSIM_EINVAL (n == 0, NULL, a negative or non-finite weight, or all weights 0) or
 * CAPSIM_ENOMEM; on failure d holds nothing to release. */
int discrete_init(struct discrete *d, const double *weights, size_t n);

/* Frees the table. Accepts NULL. */
void discrete_release(struct discrete *d);

/* An outcome index in [0, n), chosen with probability weight[i] / sum(weights). */
size_t rng_discrete(struct rng *s, const struct discrete *d);

#endif
