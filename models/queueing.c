/* M/M/c closed forms (Erlang B/C, sojourn tail) and the Allen–Cunneen G/G/c approximation. */
#include "models/queueing.h"

#include <math.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_roots.h>
#include <gsl/gsl_sf_gamma.h>
#include <gsl/gsl_sf_hyperg.h>
#include <gsl/gsl_sf_log.h>

#include "sim/error.h"

/* Below this many servers the O(c) recursion is faster than the incomplete gamma function
 * (measured on x86-64: 0.37 us vs 0.29 us at c = 100, 0.09 us vs 0.53 us at c = 40). */
#define RECURSION_MAX_SERVERS 100.0

/* Switch from the Kummer-function form of the gamma/exponential convolution to the incomplete
 * gamma form once its argument z exceeds this (and k - 10 sqrt(k); see conv_gamma_exp). */
#define KUMMER_Z_MAX 50.0

/* Root tolerance in y = ln t: an absolute 1e-13 is a relative 1e-13 on t; the relative term
 * keeps the test attainable when |y| is large. */
#define ROOT_EPSABS_LOG 1e-13
#define ROOT_MAX_ITER 200

static int servers_ok(double c)
{
	return isfinite(c) && c >= 1.0 && c <= QUEUE_MAX_SERVERS && c == floor(c);
}

/* Erlang B recursion, B_0 = 1, B_k = a B_{k-1} / (k + a B_{k-1}) (forward-stable). */
static double erlang_b_recursion(double c, double a)
{
	double b = 1.0;
	for (double k = 1.0; k <= c; k += 1.0)
		b = a * b / (k + a * b);
	return b;
}

/* ln(y^k e^{-y} / Gamma(k+1)), a Poisson mass at a real "count" k > 0 with mean y > 0. Near
 * y = k the direct form loses ~k ln k * eps to cancellation, so there it is evaluated through
 * Gamma(k+1) = gammastar(k) sqrt(2 pi k) k^k e^{-k} (GSL's Stirling-scaled gamma) as
 * k (ln(1+x) - x) - ln sqrt(2 pi k) - ln gammastar(k), x = y/k - 1, with GSL's accurate
 * ln(1+x) - x. Far below k (x < -1/2) the direct form has no cancellation, while x itself
 * would round to the singular point -1 once y/k < 1e-16. */
static double ln_poisson_mass(double k, double y)
{
	double x = y / k - 1.0;
	if (x < -0.5)
		return k * log(y) - y - gsl_sf_lngamma(k + 1.0);
	return k * gsl_sf_log_1plusx_mx(x) - 0.5 * log(2.0 * M_PI * k) - log(gsl_sf_gammastar(k));
}

/* Poisson form B(c, a) = P(X = c) / P(X <= c), X ~ Poisson(a), with P(X <= c) = Q(c+1, a), the
 * regularised upper incomplete gamma function. Only called with a < c + 1: there Q >= ~1/2
 * and GSL stays on its series / continued-fraction / uniform-asymptotic branches, checked up
 * to c = 1e7 (beyond a = c + sqrt(c) with a > 1e6 its large-x asymptotic raises an error). */
static double erlang_b_poisson(double c, double a)
{
	return exp(ln_poisson_mass(c, a)) / gsl_sf_gamma_inc_Q(c + 1.0, a);
}

/* Overloaded case a >= c + 1: 1/B = sum_{k=0}^{c} c!/((c-k)! a^k), a sum of positive terms that
 * shrink at least geometrically (ratio (c-k)/a < 1), so it stops after O(sqrt(c)) terms. */
static double erlang_b_overload(double c, double a)
{
	double sum = 1.0, term = 1.0;
	for (double k = 0.0; k < c; k += 1.0) {
		term *= (c - k) / a;
		sum += term;
		if (term < 1e-17 * sum)
			break;
	}
	return 1.0 / sum;
}

double erlang_b(double c, double a)
{
	if (!servers_ok(c) || !isfinite(a) || a < 0.0)
		return NAN;
	if (a == 0.0)
		return 0.0;
	if (c < RECURSION_MAX_SERVERS)
		return erlang_b_recursion(c, a);
	if (a < c + 1.0)
		return erlang_b_poisson(c, a);
	return erlang_b_overload(c, a);
}

/* Erlang C from Erlang B by the standard identity C = c B / (c - a (1 - B)).
 * The denominator is (c - a) + a B, a sum of non-negative terms: no cancellation. */
static double erlang_c_from_b(double c, double a, double b)
{
	return c * b / ((c - a) + a * b);
}

double erlang_c(double c, double a)
{
	if (!(a < c))
		return NAN;
	double b = erlang_b(c, a);
	if (isnan(b))
		return NAN;
	return erlang_c_from_b(c, a, b);
}

int queue_model_check(const struct queue_model *m, int ignore_servers)
{
	if (!m)
		return CAPSIM_EINVAL;
	if (!ignore_servers && !servers_ok(m->servers))
		return CAPSIM_EINVAL;
	if (!(isfinite(m->arrival_rate) && m->arrival_rate > 0.0))
		return CAPSIM_EINVAL;
	if (!(isfinite(m->service_time) && m->service_time > 0.0))
		return CAPSIM_EINVAL;
	if (!(isfinite(m->ca2) && m->ca2 >= 0.0))
		return CAPSIM_EINVAL;
	if (!(m->cs2 >= 0.0 && m->cs2 <= QUEUE_CS2_MAX))
		return CAPSIM_EINVAL;
	return 0;
}

int queue_solve(const struct queue_model *m, struct queue_result *out)
{
	if (!out)
		return CAPSIM_EINVAL;
	*out = (struct queue_result){ NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN };
	if (queue_model_check(m, 0) != 0)
		return CAPSIM_EINVAL;

	double c = m->servers, s = m->service_time;
	double a = m->arrival_rate * s;
	if (!isfinite(a))
		return CAPSIM_EINVAL;
	out->offered_load = a;
	out->utilization = a / c;
	out->erlang_b = erlang_b(c, a);
	if (!(a < c))
		return CAPSIM_EUNSTABLE;

	double v = 0.5 * (m->ca2 + m->cs2);
	double cw = erlang_c_from_b(c, a, out->erlang_b);
	/* M/M/c: the wait given wait > 0 is Exp(c mu - lambda) = Exp((c - a)/S); Allen–Cunneen
	 * scales its mean by (ca2 + cs2)/2 (A. O. Allen, Probability, Statistics, and Queueing
	 * Theory, 2nd ed., 1990), so Wq = C / (c mu - lambda) * (ca2 + cs2)/2. */
	double theta = (c - a) / s;
	out->variability = v;
	out->erlang_c = cw;
	out->wait_rate = v > 0.0 ? theta / v : INFINITY;
	out->wait_mean = v > 0.0 ? cw / out->wait_rate : 0.0;
	out->response_mean = out->wait_mean + s;
	out->queue_len_mean = m->arrival_rate * out->wait_mean;
	return 0;
}

/* ---- distributions of the parts --------------------------------------------------------- */

enum service_kind { SERVICE_EXP, SERVICE_DET, SERVICE_GAMMA };

static enum service_kind service_kind(const struct queue_model *m)
{
	if (m->cs2 == 1.0)
		return SERVICE_EXP;
	if (m->cs2 < QUEUE_CS2_DETERMINISTIC)
		return SERVICE_DET;
	return SERVICE_GAMMA;
}

/* P(S > t) for t >= 0: exponential, deterministic, or gamma with shape k = 1/cs2 and rate
 * k/S (mean S, SCV cs2), the last through the regularised upper incomplete gamma Q(k, t k/S). */
static double service_ccdf(const struct queue_model *m, double t)
{
	double s = m->service_time;
	switch (service_kind(m)) {
	case SERVICE_EXP:
		return exp(-t / s);
	case SERVICE_DET:
		return t < s ? 1.0 : 0.0;
	case SERVICE_GAMMA:
	default: {
		double k = 1.0 / m->cs2;
		return gsl_sf_gamma_inc_Q(k, t * k / s);
	}
	}
}

/* Finds the root of a decreasing f on [ylo, yhi] (f(ylo) > 0 > f(yhi)) with Brent's method and
 * returns in *y the upper end of the final bracket, so f(*y) <= 0. The callers search in
 * y = ln t: quantiles span many decades (a gamma with shape 0.01 has its median near 1e-30 of
 * its mean) and the stopping test on |dy| is then a relative tolerance on t. */
static int brent_decreasing(double (*f)(double, void *), void *params, double ylo, double yhi,
                            double *y)
{
	gsl_root_fsolver *solver = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
	if (!solver)
		return CAPSIM_ENOMEM;
	gsl_function fn = { f, params };
	int rc = CAPSIM_ENOCONV;
	if (gsl_root_fsolver_set(solver, &fn, ylo, yhi) != GSL_SUCCESS)
		goto out;
	for (int i = 0; i < ROOT_MAX_ITER; i++) {
		if (gsl_root_fsolver_iterate(solver) != GSL_SUCCESS)
			goto out;
		ylo = gsl_root_fsolver_x_lower(solver);
		yhi = gsl_root_fsolver_x_upper(solver);
		if (gsl_root_test_interval(ylo, yhi, ROOT_EPSABS_LOG, 4.0 * GSL_DBL_EPSILON) ==
		    GSL_SUCCESS) {
			*y = yhi;
			rc = 0;
			goto out;
		}
	}
out:
	gsl_root_fsolver_free(solver);
	return rc;
}

struct gamma_root {
	double k;                          /* shape */
	double u;                          /* target tail probability */
};

static double gamma_tail_minus_target(double y, void *params)
{
	const struct gamma_root *g = params;
	return gsl_sf_gamma_inc_Q(g->k, exp(y)) - g->u;
}

/* Smallest x with Q(k, x) <= u for the unit-rate gamma of shape k. GSL's gsl_cdf_gamma_Qinv is
 * not used: at shape 1e5 it returns points whose tail is off by orders of magnitude for
 * u < 1e-4. Bracket: P(X <= x) <= x^k / Gamma(k+1) (as e^{-s} <= 1 under the integral), so
 * x_lo = ((1-u) Gamma(k+1))^{1/k} still has a tail >= u; the upper end doubles from 2 max(k, 1)
 * until the tail drops to u (the tail falls at least like e^{-x/2} beyond 2k). */
static int gamma_quantile_tail(double k, double u, double *x)
{
	struct gamma_root g = { k, u };
	double ylo = (log1p(-u) + gsl_sf_lngamma(k + 1.0)) / k;
	double yhi = log(2.0 * fmax(k, 1.0));
	for (int i = 0; gamma_tail_minus_target(yhi, &g) > 0.0; i++) {
		if (i == 64)
			return CAPSIM_ENOCONV;
		yhi += M_LN2;
	}
	if (!(ylo < yhi) || gamma_tail_minus_target(ylo, &g) <= 0.0) {
		*x = exp(fmin(ylo, yhi));
		return 0;
	}
	double y;
	int rc = brent_decreasing(gamma_tail_minus_target, &g, ylo, yhi, &y);
	if (rc == 0)
		*x = exp(y);
	return rc;
}

/* Smallest t with P(S > t) <= u, u in (0,1). */
static int service_quantile_tail(const struct queue_model *m, double u, double *t)
{
	double s = m->service_time;
	switch (service_kind(m)) {
	case SERVICE_EXP:
		*t = -log(u) * s;
		return 0;
	case SERVICE_DET:
		*t = s;
		return 0;
	case SERVICE_GAMMA:
	default: {
		double k = 1.0 / m->cs2, x = 0.0;
		int rc = gamma_quantile_tail(k, u, &x);
		if (rc == 0)
			*t = x * s / k;
		return rc;
	}
	}
}

/* P(E_theta + E_mu > t), the hypoexponential tail (theta e^{-mu t} - mu e^{-theta t})/(theta -
 * mu). It is symmetric in the two rates; with s = min, f = max and x = (f - s) t >= 0 it equals
 * e^{-s t} (1 + s t phi(x)), phi(x) = (1 - e^{-x})/x computed with expm1, so theta -> mu tends
 * smoothly to the Erlang-2 tail (1 + mu t) e^{-mu t} with no cancellation. */
static double hypoexp_ccdf(double theta, double mu, double t)
{
	double s = fmin(theta, mu), f = fmax(theta, mu);
	double x = (f - s) * t;
	double phi = x > 0.0 ? -expm1(-x) / x : 1.0;
	return exp(-s * t) * (1.0 + s * t * phi);
}

/* J(t) = E[e^{-theta (t - G)}; G <= t] for G ~ gamma(shape k, rate beta), so that
 * P(E_theta + G > t) = P(G > t) + J(t). With z = (beta - theta) t:
 *  - Kummer form, J = (beta t)^k e^{-beta t} / Gamma(k+1) * M(1; k+1; z), from
 *    int_0^t s^{k-1} e^{-z s/t} ds = t^k/k M(k; k+1; -z) (the incomplete gamma function as a
 *    Kummer function, Abramowitz & Stegun 6.5.12) and Kummer's transformation
 *    M(k; k+1; y) = e^y M(1; k+1; -y) (A&S 13.1.27); the prefactor is a Poisson-like mass
 *    (ln_poisson_mass). Used for z <= max(50, k - 10 sqrt(k)): there
 *    M(1; k+1; z) <= (k+1)/(k+1-z) (its series is dominated by a geometric one) or <= ~e^50,
 *    so nothing overflows; and GSL's 1F1 raises an underflow error for z within ~sqrt(k) of a
 *    large non-integral k (seen at k = 99999.98), which this keeps clear of.
 *  - incomplete gamma form otherwise (then beta > theta, z > 50):
 *    J = (beta/(beta - theta))^k e^{-theta t} P(k, (beta - theta) t), the gamma MGF restricted
 *    to G <= t. There P(k, z) stays above ~1e-30 (at most 10 standard deviations below the
 *    mean for large k, and z > 50 for small k), so it does not underflow, and as J <= 1 the
 *    exponent is below ~70: no overflow. */
static double conv_gamma_exp(double k, double beta, double theta, double t)
{
	if (t <= 0.0)
		return 0.0;
	double z = (beta - theta) * t;
	if (z <= fmax(KUMMER_Z_MAX, k - 10.0 * sqrt(k))) {
		double pref = exp(ln_poisson_mass(k, beta * t));
		if (pref == 0.0)
			return 0.0;
		return pref * gsl_sf_hyperg_1F1(1.0, k + 1.0, z);
	}
	double p = gsl_sf_gamma_inc_P(k, z);
	if (p == 0.0)
		return 0.0;
	return exp(-k * log1p(-theta / beta) - theta * t + log(p));
}

static int result_ok(const struct queue_result *r)
{
	return r && r->erlang_c >= 0.0 && r->erlang_c <= 1.0 && r->wait_rate > 0.0 &&
	       r->utilization < 1.0;
}

double queue_wait_ccdf(const struct queue_model *m, const struct queue_result *r, double t)
{
	if (queue_model_check(m, 0) != 0 || !result_ok(r) || isnan(t))
		return NAN;
	if (t < 0.0)
		return 1.0;
	if (isinf(r->wait_rate))
		return 0.0;
	/* atom 1 - C at 0, else Exp(theta') */
	return r->erlang_c * exp(-r->wait_rate * t);
}

double queue_timeout_loss(const struct queue_model *m, const struct queue_result *r, double t)
{
	double w = queue_wait_ccdf(m, r, t);
	if (isnan(w) || t < 0.0)
		return w;
	double rho = r->utilization;
	return (1.0 - rho) * w / (1.0 - rho * w);
}

double queue_mmcd_loss(double c, double lambda, double s, double t)
{
	if (!servers_ok(c) || !(lambda >= 0.0) || !isfinite(lambda) || !(s > 0.0) ||
	    !isfinite(s) || !(t >= 0.0))
		return NAN;
	if (lambda == 0.0 || isinf(t))
		return 0.0;
	double a = lambda * s, rho = a / c, theta = c / s - lambda, x = theta * t;
	double b = c == 1.0 ? 1.0 : erlang_b(c - 1.0, a);
	/* (e^{x} - 1) / theta without cancellation, t itself at theta = 0. */
	double g = theta != 0.0 ? expm1(x) / theta : t;
	double den = (b > 0.0 ? exp(x) / b : INFINITY) + lambda * g + rho;
	return rho / den;
}

/* The response tail without argument checks. W = Wq + S with Wq and S independent:
 *  P(W > t) = (1 - C) P(S > t) + C P(E_theta' + S > t).
 * M/M/c (exact for FCFS): P(S > t) = e^{-mu t} and the second term is the hypoexponential tail.
 * Deterministic S: P(W > t) = 1 for t < S, else C e^{-theta' (t - S)}.
 * Gamma S: P(E + G > t) = P(G > t) + J(t), so P(W > t) = P(G > t) + C J(t). */
static double response_ccdf(const struct queue_model *m, const struct queue_result *r, double t)
{
	double s = m->service_time, cw = r->erlang_c, th = r->wait_rate;
	if (t < 0.0)
		return 1.0;
	if (cw == 0.0 || isinf(th))
		return service_ccdf(m, t);
	switch (service_kind(m)) {
	case SERVICE_EXP:
		return (1.0 - cw) * exp(-t / s) + cw * hypoexp_ccdf(th, 1.0 / s, t);
	case SERVICE_DET:
		return t < s ? 1.0 : cw * exp(-th * (t - s));
	case SERVICE_GAMMA:
	default: {
		double k = 1.0 / m->cs2;
		return service_ccdf(m, t) + cw * conv_gamma_exp(k, k / s, th, t);
	}
	}
}

double queue_response_ccdf(const struct queue_model *m, const struct queue_result *r, double t)
{
	if (queue_model_check(m, 0) != 0 || !result_ok(r) || isnan(t))
		return NAN;
	return response_ccdf(m, r, t);
}

static int percentile_args_ok(const struct queue_model *m, const struct queue_result *r,
                              double p, double *t)
{
	if (!t || !r || !(p > 0.0 && p < 1.0) || queue_model_check(m, 0) != 0)
		return CAPSIM_EINVAL;
	if (!(r->utilization < 1.0))
		return CAPSIM_EUNSTABLE;
	if (!result_ok(r))
		return CAPSIM_EINVAL;
	return 0;
}

/* Smallest t with C e^{-theta' t} <= u: 0 when C <= u, else ln(C/u)/theta'. */
static double wait_quantile_tail(const struct queue_result *r, double u)
{
	if (r->erlang_c <= u || isinf(r->wait_rate))
		return 0.0;
	return log(r->erlang_c / u) / r->wait_rate;
}

int queue_wait_percentile(const struct queue_model *m, const struct queue_result *r, double p,
                          double *t)
{
	int rc = percentile_args_ok(m, r, p, t);
	if (rc)
		return rc;
	*t = wait_quantile_tail(r, 1.0 - p);
	return 0;
}

struct tail_root {
	const struct queue_model *m;
	const struct queue_result *r;
	double u;                          /* target tail probability 1 - p */
};

static double tail_minus_target(double y, void *params)
{
	const struct tail_root *tr = params;
	return response_ccdf(tr->m, tr->r, exp(y)) - tr->u;
}

/* Below this (s) a quantile is reported as this: nothing in a capacity plan is that short. */
#define TINY_TIME 1e-300

int queue_response_percentile(const struct queue_model *m, const struct queue_result *r,
                              double p, double *t)
{
	int rc = percentile_args_ok(m, r, p, t);
	if (rc)
		return rc;
	double u = 1.0 - p, lo, hi;

	if (r->erlang_c == 0.0 || isinf(r->wait_rate))
		return service_quantile_tail(m, u, t);
	if (service_kind(m) == SERVICE_DET) {
		*t = m->service_time + wait_quantile_tail(r, u);
		return 0;
	}

	/* Bracket: W >= S gives P(W > t) >= P(S > t), so the quantile is at least S's own. And
	 * P(W > t) <= P(Wq > t/2) + P(S > t/2), so at twice the larger of the two (u/2)-tail
	 * points the tail is at most u. */
	if ((rc = service_quantile_tail(m, u, &lo)) != 0 ||
	    (rc = service_quantile_tail(m, 0.5 * u, &hi)) != 0)
		return rc;
	hi = 2.0 * fmax(hi, wait_quantile_tail(r, 0.5 * u));
	lo = fmax(lo, TINY_TIME);
	struct tail_root tr = { m, r, u };
	double ylo = log(lo), yhi = log(hi), y;
	if (tail_minus_target(ylo, &tr) <= 0.0) {  /* C too small to show at this precision */
		*t = lo;
		return 0;
	}
	if (!(ylo < yhi) || !(tail_minus_target(yhi, &tr) <= 0.0))
		return CAPSIM_ENOCONV;               /* the bounds above make this unreachable */
	rc = brent_decreasing(tail_minus_target, &tr, ylo, yhi, &y);
	if (rc == 0)
		*t = exp(y);
	return rc;
}

/* ---- sizing -------------------------------------------------------------------------------- */

/* A monotone predicate of the server count: false for small c, true from some c on. */
struct size_pred {
	const struct queue_model *m;
	double p, target;
	int (*holds)(const struct size_pred *sp, double c, int *ok);
};

static int pred_percentile(const struct size_pred *sp, double c, int *ok)
{
	struct queue_model mc = *sp->m;
	struct queue_result r;
	double t;
	mc.servers = c;
	int rc = queue_solve(&mc, &r);
	if (rc == CAPSIM_EUNSTABLE) {
		*ok = 0;
		return 0;
	}
	if (rc)
		return rc;
	rc = queue_response_percentile(&mc, &r, sp->p, &t);
	if (rc)
		return rc;
	*ok = t <= sp->target;
	return 0;
}

static int pred_wait_prob(const struct size_pred *sp, double c, int *ok)
{
	double a = sp->m->arrival_rate * sp->m->service_time;
	double cw = erlang_c(c, a);
	*ok = !isnan(cw) && cw <= sp->target;
	return 0;
}

/* Smallest c >= floor(a) + 1 (the smallest stable count) where the predicate holds: doubling
 * steps find a c that holds, then bisection narrows (lo, hi] where lo fails and hi holds.
 * Both metrics are monotone in c: Erlang C falls and theta' = (c - a)/(S v) grows with c. */
static int size_search(const struct size_pred *sp, double *servers)
{
	double a = sp->m->arrival_rate * sp->m->service_time;
	double c0 = floor(a) + 1.0;
	int ok, rc;
	if (!(c0 <= QUEUE_MAX_SERVERS))
		return CAPSIM_ERANGE;
	if ((rc = sp->holds(sp, c0, &ok)) != 0)
		return rc;
	if (ok) {
		*servers = c0;
		return 0;
	}
	double lo = c0, hi = c0, step = 1.0;
	for (;;) {
		hi = fmin(c0 + step, QUEUE_MAX_SERVERS);
		if ((rc = sp->holds(sp, hi, &ok)) != 0)
			return rc;
		if (ok)
			break;
		if (hi >= QUEUE_MAX_SERVERS)
			return CAPSIM_ERANGE;
		lo = hi;
		step *= 2.0;
	}
	while (hi - lo > 1.0) {
		double mid = floor(0.5 * (lo + hi));
		if ((rc = sp->holds(sp, mid, &ok)) != 0)
			return rc;
		if (ok)
			hi = mid;
		else
			lo = mid;
	}
	*servers = hi;
	return 0;
}

int queue_size_for_percentile(const struct queue_model *m, double p, double target,
                              double *servers)
{
	if (!servers || queue_model_check(m, 1) != 0 || !(p > 0.0 && p < 1.0) ||
	    !(isfinite(target) && target > 0.0))
		return CAPSIM_EINVAL;
	if (!isfinite(m->arrival_rate * m->service_time))
		return CAPSIM_EINVAL;
	/* As c grows, C -> 0 and W -> S in distribution, but for continuous S every finite c has
	 * P(W > t) > P(S > t): the S quantile itself is never reached. Deterministic S reaches it. */
	double qs;
	int rc = service_quantile_tail(m, 1.0 - p, &qs);
	if (rc)
		return rc;
	int det = service_kind(m) == SERVICE_DET;
	if (det ? target < qs : target <= qs)
		return CAPSIM_EINFEASIBLE;
	struct size_pred sp = { m, p, target, pred_percentile };
	return size_search(&sp, servers);
}

int queue_size_for_wait_prob(const struct queue_model *m, double target, double *servers)
{
	if (!servers || queue_model_check(m, 1) != 0 || !(target > 0.0 && target <= 1.0))
		return CAPSIM_EINVAL;
	if (!isfinite(m->arrival_rate * m->service_time))
		return CAPSIM_EINVAL;
	struct size_pred sp = { m, 0.0, target, pred_wait_prob };
	return size_search(&sp, servers);
}
