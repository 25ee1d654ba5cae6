/* models/queueing.h — closed forms for the M/M/c queue and its G/G/c approximation.
 *
 * A pool of c identical servers fed by one FCFS queue. Units are SI: times in seconds, rates in
 * requests per second, loads in erlangs (a = lambda * S, the mean number of busy servers).
 * Stability: rho = lambda * S / c must be < 1; rho >= 1 is reported as CAPSIM_EUNSTABLE and
 * never as a (meaningless) finite wait. When ca2 = cs2 = 1 the model is M/M/c and every result
 * is exact: Erlang B/C, the mean wait, and the sojourn-time distribution (FCFS). Otherwise the
 * Allen–Cunneen approximation is used: P(wait) is Erlang C, the conditional wait is exponential
 * with its mean scaled by (ca2 + cs2) / 2, and the service time is gamma with mean S and SCV
 * cs2 (deterministic when cs2 < QUEUE_CS2_DETERMINISTIC). The AC mean wait is exact for M/G/1
 * (Pollaczek–Khinchine) and an approximation for c > 1; its percentiles are a heuristic.
 * Numerics: Erlang B has a relative error of about 1e-12 or better for 1 <= c <=
 * QUEUE_MAX_SERVERS and any load; the response tail agrees with numerical convolution to ~1e-10
 * relative; percentiles are solved to ~1e-13 relative. Every function is pure and
 * thread-safe, never allocates except a root-finder workspace inside the percentile calls, and
 * stays inside the argument ranges where GSL's special functions raise no error (so GSL's
 * default error handler, which aborts, is never reached). */
#ifndef CAPSIM_MODELS_QUEUEING_H
#define CAPSIM_MODELS_QUEUEING_H

/* Largest server count accepted (GSL's incomplete gamma is verified up to this size). */
#define QUEUE_MAX_SERVERS 1e7
/* Service SCVs below this are treated as 0 (deterministic service): a gamma with SCV 1e-5 has a
 * standard deviation of 0.3% of its mean, so a p99.99 moves by at most ~1.2% of S. */
#define QUEUE_CS2_DETERMINISTIC 1e-5
/* Largest service SCV accepted (gamma shape 1/cs2 >= 0.01, whose median is ~1e-30 of its
 * mean). */
#define QUEUE_CS2_MAX 1e2

/* Blocking probability of the M/M/c/c loss system (Erlang B) with c servers (integral-valued,
 * 1 <= c <= QUEUE_MAX_SERVERS) and offered load a >= 0 erlangs. Returns a value in [0, 1]
 * (0 when it underflows); NaN on bad input (c not integral or out of range, a < 0, NaN). */
double erlang_b(double c, double a);

/* Probability that an arrival waits in M/M/c (Erlang C), same c as erlang_b and 0 <= a < c.
 * Returns a value in [0, 1); NaN on bad input, including a >= c (no steady state). */
double erlang_c(double c, double a);

/* The queue's parameters; every field is read, none is kept. */
struct queue_model {
	double servers;        /* c, integral, 1 <= c <= QUEUE_MAX_SERVERS */
	double arrival_rate;   /* lambda, req/s, > 0 */
	double service_time;   /* S, mean, s, > 0 */
	double ca2;            /* squared coefficient of variation (SCV) of inter-arrival times,
	                          >= 0 (1 = Poisson) */
	double cs2;            /* SCV of service times (1 = exponential), in [0, QUEUE_CS2_MAX] */
};

/* What queue_solve computed; the ccdf and percentile functions read it back. */
struct queue_result {
	double utilization;    /* rho = lambda S / c, dimensionless; always set, even when unstable */
	double offered_load;   /* a = lambda S, erlangs; always set */
	double erlang_b;       /* M/M/c/c blocking probability with the same c and a; always set */
	double erlang_c;       /* P(wait > 0) */
	double wait_mean;      /* Wq, s */
	double response_mean;  /* W = Wq + S, s */
	double queue_len_mean; /* Lq = lambda Wq (Little), requests waiting */
	double wait_rate;      /* theta', 1/s: the wait given wait > 0 is Exp(theta'); theta' = (c/S -
	                          lambda) / variability; +inf when variability is 0 (no wait) */
	double variability;    /* Allen–Cunneen factor (ca2 + cs2) / 2, dimensionless (1 for M/M/c) */
};

/* Checks a model's fields against the ranges above (m->servers too unless ignore_servers).
 * Returns 0 or CAPSIM_EINVAL (also for m == NULL). */
int queue_model_check(const struct queue_model *m, int ignore_servers);

/* Solves the queue. Returns 0; CAPSIM_EINVAL on bad parameters (every field of *out NaN);
 * CAPSIM_EUNSTABLE when rho >= 1 (utilization, offered_load and erlang_b are filled in, the
 * rest NaN). */
int queue_solve(const struct queue_model *m, struct queue_result *out);

/* P(Wq > t), t in s, for r = a successful queue_solve(m). Returns 1 for t < 0; NaN on bad
 * input or when r is unstable. */
double queue_wait_ccdf(const struct queue_model *m, const struct queue_result *r, double t);

/* The fraction of requests a timeout of t s drops when they leave rather than wait past it:
 * M/M/c+D, deterministic patience (Boots & Tijms 1999, by level crossing of the virtual
 * waiting time), P = (1 − rho) w / (1 − rho w) with w = queue_wait_ccdf(m, r, t), the wait
 * tail of the same queue without timeouts. The requests that leave shorten the queue, so P
 * is below w: by 1/(1 − rho) near saturation (10 servers of 100 ms at 99 req/s, t = 0.5 s:
 * w = 0.585, P = 0.0139). With Allen–Cunneen variability (ca2, cs2) the same form is applied
 * to its w, an approximation. Returns 0 for t = inf; NaN as queue_wait_ccdf. */
double queue_timeout_loss(const struct queue_model *m, const struct queue_result *r, double t);

/* The same M/M/c+D loss for c servers of mean service time s, lambda requests/s and patience
 * t, at any load, a pool past saturation included (the requests that leave keep the queue
 * finite): P = rho / (e^{theta t} / B + lambda (e^{theta t} - 1) / theta + rho), theta =
 * c/s - lambda (the limit lambda t at theta = 0), B Erlang B of c - 1 servers at a = lambda s
 * (1 for c = 1). Below saturation it equals queue_timeout_loss for M/M/c. Returns a value in
 * [0, 1], 0 when lambda is 0; NaN on bad input. */
double queue_mmcd_loss(double c, double lambda, double s, double t);

/* P(W > t), W = Wq + service time, for r = a successful queue_solve(m). Exact for M/M/c
 * (FCFS sojourn tail). Returns 1 for t < 0; NaN on bad input or when r is unstable. */
double queue_response_ccdf(const struct queue_model *m, const struct queue_result *r, double t);

/* Smallest t (s) with P(Wq <= t) >= p, p in (0,1); closed form. Returns 0 and sets *t;
 * CAPSIM_EINVAL (bad m, p or NULL) or CAPSIM_EUNSTABLE (r unstable); *t untouched on error. */
int queue_wait_percentile(const struct queue_model *m, const struct queue_result *r, double p,
                          double *t);

/* Smallest t (s) with P(W <= t) >= p, p in (0,1), solved by Brent's method on the tail (closed
 * form for deterministic service). Returns 0 and sets *t; CAPSIM_EINVAL, CAPSIM_EUNSTABLE,
 * CAPSIM_ENOMEM (root-finder workspace) or CAPSIM_ENOCONV; *t untouched on error. */
int queue_response_percentile(const struct queue_model *m, const struct queue_result *r,
                              double p, double *t);

/* Smallest server count c (m->servers ignored) whose response-time p-quantile is <= target s.
 * Exponential then binary search over c, O(log c) solves. Returns 0 and sets *servers;
 * CAPSIM_EINVAL; CAPSIM_EINFEASIBLE when no c can (target <= the service time's own p-quantile,
 * or < S for deterministic service); CAPSIM_ERANGE when c would exceed QUEUE_MAX_SERVERS; or
 * an error of queue_response_percentile. *servers untouched on error. */
int queue_size_for_percentile(const struct queue_model *m, double p, double target,
                              double *servers);

/* Smallest server count c (m->servers ignored) with P(wait > 0) = Erlang C <= target, target
 * in (0, 1] (1 gives the smallest stable c). Returns 0 and sets *servers; CAPSIM_EINVAL;
 * CAPSIM_ERANGE when c would exceed QUEUE_MAX_SERVERS. *servers untouched on error. */
int queue_size_for_wait_prob(const struct queue_model *m, double target, double *servers);

#endif
