/* Tabulated queueing metrics of a pool, for the fluid model's per-step load.
 *
 * The fluid model asks, every step and for every (tier, region) pool, what a queue of c
 * servers does at utilisation rho: P(wait), mean and p-quantile of the response time, and the
 * fraction of requests that wait longer than the timeout. The exact answers (models/queueing.h)
 * cost microseconds (Erlang B by incomplete gamma, a Brent solve for the percentile); a year of
 * one-minute steps over six pools and a thousand replications asks 3e9 times. But c changes
 * rarely (only when instances come or go) and the other parameters never do, so each c gets a
 * table over rho, built once from the exact functions and read by interpolation in a few ns.
 *
 * A struct qcache holds the tables of one family (service time, SCVs, percentile, timeout),
 * one per server count 1..max_servers, built lazily on first use. Tables are immutable once
 * published (C11 atomics), so one cache is shared read-only by every replication thread;
 * a table is a pure function of (family, c), so results do not depend on which thread built
 * it or when. Above QTABLE_RHO_MAX the exact functions are called directly.
 *
 * Accuracy: Erlang C and the percentile are interpolated (cubic Hermite in 1 - rho, C as a
 * logarithm); the mean and the timeout fraction follow from C in closed form. Every table
 * is checked against the exact functions at the midpoint of each of its intervals while it
 * is built, and intervals are split until they agree to 1e-7 relative. Measured against
 * qtable_exact at random and swept utilisations, for c = 1..2000 (and up to 1e6),
 * S = 1 ms..1 s, timeouts 10 S..30 s, p = 0.95, 0.99, 0.999, the largest relative errors
 * (where the exact value exceeds 1e-12) were, for ca2 = 1 and cs2 = 1, 0.5, 2: 9.9e-8 on
 * wait_prob, 9.6e-8 on response_pct, 6.1e-10 on response_mean, 6.4e-9 on timeout_frac; and
 * 3.3e-7 at most over ca2 in [0, 4] with cs2 from 0 (deterministic) to 100. Where Erlang C
 * is below 1e-12 (1 - p), the rho = 0 answer is returned (an absolute error below that on
 * the probabilities). tests/models/test_qtable.c asserts a relative 1e-6. A table holds
 * at most 248 intervals of 68 bytes (~17 KB) plus any split ones, and builds in 0.3-1 ms
 * for exponential service, 2-13 ms for gamma service (bench/README.md). */
#ifndef CAPSIM_QTABLE_H
#define CAPSIM_QTABLE_H

#include <stddef.h>

/* Largest utilisation served from a table; above it (and below 1) qcache_eval solves exactly. */
#define QTABLE_RHO_MAX 0.995

/* The parameters shared by every server count of a family. */
struct qtable_family {
	double service_time;   /* S, mean, s, > 0 */
	double ca2;            /* SCV of inter-arrival times (1 = Poisson) */
	double cs2;            /* SCV of service times (1 = exponential) */
	double p;              /* percentile as a probability in (0,1), e.g. 0.99 */
	double timeout;        /* s > 0: a request waiting longer than this is dropped */
};

/* What a stable pool does at one utilisation. */
struct qpoint {
	double wait_prob;      /* P(wait > 0), Erlang C (Allen–Cunneen keeps it) */
	double response_mean;  /* s, mean wait + S */
	double response_pct;   /* s, the p-quantile of the response time */
	double timeout_frac;   /* fraction of requests dropped by the timeout, which leave
				  rather than wait past it (queue_timeout_loss: M/M/c+D) */
};

struct qcache;

/* Creates an empty cache for server counts 1..max_servers (<= QUEUE_MAX_SERVERS). Returns 0
 * and sets *out; CAPSIM_EINVAL (bad family or max_servers); CAPSIM_ENOMEM. */
int qcache_new(const struct qtable_family *f, long max_servers, struct qcache **out);

/* Frees the cache and every table; accepts NULL. No thread may be using it. */
void qcache_free(struct qcache *q);

/* Sets *out to the metrics of c servers (1 <= c <= max_servers) at utilisation rho in [0, 1)
 * (rho = lambda S / c). Builds c's table on first use. Thread-safe. Returns 0; CAPSIM_EINVAL
 * (c out of range, rho < 0 or NaN); CAPSIM_EUNSTABLE (rho >= 1: no steady state, *out
 * untouched); CAPSIM_ENOMEM or an error of the exact functions (CAPSIM_ENOCONV) when c's
 * table could not be built (nothing is kept; the next call tries again). Allocation-free
 * once c's table exists, except above QTABLE_RHO_MAX, where the exact percentile allocates
 * its root-finder workspace. A timeout fraction below DBL_MIN is given as 0 (never a
 * subnormal). */
int qcache_eval(struct qcache *q, long c, double rho, struct qpoint *out);

/* As qcache_eval, but Erlang C comes as its logarithm: *ln_wait = ln C (-INFINITY when C is
 * 0), and out->wait_prob and out->response_mean are left NaN where the table is read (each
 * would cost an exp()): read neither. For a caller that needs C only later: the simulation
 * sums it over a time bucket, which takes the exp() off the step's critical path
 * (bench/README.md). ln_rho is ln rho when the caller has it at hand (below rho = 1/2 the
 * table needs it, and a log() is a fair share of a read), else NAN. Same returns. */
int qcache_eval_ln(struct qcache *q, long c, double rho, double ln_rho, struct qpoint *out,
		   double *ln_wait);

/* As qcache_eval, with ln rho given as for qcache_eval_ln (NAN when the caller has not got
 * it): for a caller that needs C and the mean as well as the percentile, the simulation's
 * step. Same returns. */
int qcache_eval_lnrho(struct qcache *q, long c, double rho, double ln_rho, struct qpoint *out);

/* The exact metrics, as the tables are built from (for tests and benchmarks). Same returns. */
int qtable_exact(const struct qtable_family *f, long c, double rho, struct qpoint *out);

/* Tables built so far (for tests and benchmarks). */
size_t qcache_tables_built(const struct qcache *q);

#endif
