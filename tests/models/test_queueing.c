/* Tests of models/queueing against hand calculations, textbook tables, an independent
 * long-double recursion, numerical convolution and the Pollaczek–Khinchine formula. */
#include <criterion/criterion.h>

#include <math.h>

#include <gsl/gsl_integration.h>
#include <gsl/gsl_sf_gamma.h>

#include "models/queueing.h"
#include "sim/error.h"

/* |x - ref| <= rel |ref|, with a readable failure message. */
#define ASSERT_REL(x, ref, rel)                                                              \
	do {                                                                                 \
		double x_ = (x), r_ = (ref);                                                 \
		cr_assert(fabs(x_ - r_) <= (rel) * fabs(r_), "%s = %.17g, expected %.17g (rel %g)", \
		          #x, x_, r_, (double)(rel));                                        \
	} while (0)

/* Reference Erlang B: the recursion B_k = a B_{k-1} / (k + a B_{k-1}) in long double (64-bit
 * mantissa). It is forward-stable, so its relative error stays near c * 2^-64 (< 1e-13 for
 * c <= 1e6), far below the 1e-10 tolerance used against it. */
static long double ref_erlang_b(double c, double a)
{
	long double b = 1.0L;
	for (long k = 1; k <= (long)c; k++)
		b = (long double)a * b / ((long double)k + (long double)a * b);
	return b;
}

static long double ref_erlang_c(double c, double a)
{
	long double b = ref_erlang_b(c, a);
	return (long double)c * b / ((long double)c - (long double)a * (1.0L - b));
}

static struct queue_model mk(double c, double lambda, double s, double ca2, double cs2)
{
	return (struct queue_model){ c, lambda, s, ca2, cs2 };
}

Test(queueing, erlang_b_and_c_match_hand_calculation_for_small_pools)
{
	/* c = 2, a = 1: B = (a^2/2!) / (1 + a + a^2/2!) = 0.5 / 2.5 = 1/5;
	 *   C = c B / (c - a (1 - B)) = 0.4 / (2 - 0.8) = 1/3.
	 * c = 3, a = 2: B = (8/6) / (1 + 2 + 2 + 8/6) = 4/19;
	 *   C = (12/19) / (3 - 2 * 15/19) = 12/27 = 4/9.
	 * c = 1: B = a/(1+a), C = rho. */
	ASSERT_REL(erlang_b(2, 1), 0.2, 1e-15);
	ASSERT_REL(erlang_c(2, 1), 1.0 / 3.0, 1e-15);
	ASSERT_REL(erlang_b(3, 2), 4.0 / 19.0, 1e-15);
	ASSERT_REL(erlang_c(3, 2), 4.0 / 9.0, 1e-15);
	ASSERT_REL(erlang_b(1, 0.7), 0.7 / 1.7, 1e-15);
	ASSERT_REL(erlang_c(1, 0.7), 0.7, 1e-15);
	cr_assert_eq(erlang_b(5, 0), 0.0);
	cr_assert_eq(erlang_c(5, 0), 0.0);
}

Test(queueing, erlang_values_agree_with_published_tables)
{
	/* Erlang B table, 10 circuits: 4.46 erlangs at 1% blocking, 5.08 erlangs at 2% (tables
	 * round the load to 0.01, so the true load lies within +-0.005 of the entry). */
	cr_assert_lt(erlang_b(10, 4.455), 0.01);
	cr_assert_gt(erlang_b(10, 4.465), 0.01);
	cr_assert_lt(erlang_b(10, 5.075), 0.02);
	cr_assert_gt(erlang_b(10, 5.085), 0.02);
	/* The classic call-centre example: 10 erlangs on 11 agents waits with probability
	 * 68.21% (rounded to 0.01%). */
	cr_assert_lt(fabs(erlang_c(11, 10) - 0.6821), 0.00005);
}

Test(queueing, mm1_matches_its_closed_form)
{
	/* M/M/1, lambda = 0.8, mu = 1: C = rho = 0.8, Wq = rho/(mu - lambda) = 4, W = 5,
	 * W ~ Exp(mu - lambda) so P(W > t) = e^{-0.2 t} and the p-quantile is -ln(1-p)/0.2;
	 * P(Wq > t) = rho e^{-0.2 t}, quantile 0 for p <= 1 - rho, else ln(rho/(1-p))/0.2. */
	struct queue_model m = mk(1, 0.8, 1.0, 1, 1);
	struct queue_result r;
	cr_assert_eq(queue_solve(&m, &r), 0);
	ASSERT_REL(r.utilization, 0.8, 1e-15);
	ASSERT_REL(r.erlang_c, 0.8, 1e-14);
	ASSERT_REL(r.wait_mean, 4.0, 1e-13);
	ASSERT_REL(r.response_mean, 5.0, 1e-13);
	ASSERT_REL(r.queue_len_mean, 3.2, 1e-13);       /* Little: Lq = lambda Wq */
	for (double t = 0.0; t <= 60.0; t += 7.5) {
		ASSERT_REL(queue_response_ccdf(&m, &r, t), exp(-0.2 * t), 1e-13);
		ASSERT_REL(queue_wait_ccdf(&m, &r, t), 0.8 * exp(-0.2 * t), 1e-13);
	}
	const double ps[] = { 0.5, 0.9, 0.99, 0.999, 0.99999 };
	for (size_t i = 0; i < sizeof ps / sizeof ps[0]; i++) {
		double t;
		cr_assert_eq(queue_response_percentile(&m, &r, ps[i], &t), 0);
		ASSERT_REL(t, -log1p(-ps[i]) / 0.2, 1e-10);
		cr_assert_eq(queue_wait_percentile(&m, &r, ps[i], &t), 0);
		double want = ps[i] <= 0.2 ? 0.0 : log(0.8 / (1 - ps[i])) / 0.2;
		ASSERT_REL(t, want, 1e-13);
	}
	double t = -1;
	cr_assert_eq(queue_wait_percentile(&m, &r, 0.15, &t), 0);
	cr_assert_eq(t, 0.0);
}

Test(queueing, large_pools_match_long_double_recursion)
{
	const double cs[] = { 99, 100, 1000, 10000, 100000 };
	const double fr[] = { 0.5, 0.9, 0.99, 0.999 };
	for (size_t i = 0; i < sizeof cs / sizeof cs[0]; i++)
		for (size_t j = 0; j < sizeof fr / sizeof fr[0]; j++) {
			double c = cs[i], a = fr[j] * c;
			long double rb = ref_erlang_b(c, a), rc = ref_erlang_c(c, a);
			if (rb < 1e-290L) {    /* below double's range: only "tiny" is checkable */
				cr_assert_leq(erlang_b(c, a), 1e-280);
				continue;
			}
			ASSERT_REL(erlang_b(c, a), (double)rb, 1e-10);
			ASSERT_REL(erlang_c(c, a), (double)rc, 1e-10);
		}
	/* overload (a >= c): the Poisson form below c + 1, the series beyond */
	const double over[][2] = { { 150, 150 }, { 150, 150.5 }, { 150, 151 }, { 1000, 1200 },
		                   { 10000, 10000.7 }, { 10000, 10100 }, { 10000, 30000 },
		                   { 2000000, 2000500 } };
	for (size_t i = 0; i < sizeof over / sizeof over[0]; i++)
		ASSERT_REL(erlang_b(over[i][0], over[i][1]),
		           (double)ref_erlang_b(over[i][0], over[i][1]), 1e-10);
}

Test(queueing, erlang_b_rises_with_load_and_falls_with_servers)
{
	/* Property: B(c, a) is strictly increasing in a and strictly decreasing in c (while it
	 * has not underflowed). Checked across the recursion / Poisson / series branches. */
	const double cs[] = { 1, 7, 99, 100, 101, 1000, 12345 };
	for (size_t i = 0; i < sizeof cs / sizeof cs[0]; i++) {
		double c = cs[i], prev = 0.0;
		for (double f = 0.05; f <= 3.0; f += 0.05) {
			double b = erlang_b(c, f * c);
			cr_assert(b > prev || (b == 0.0 && prev == 0.0), "c=%g f=%g", c, f);
			cr_assert(b < 1.0);
			double b_more = erlang_b(c + 1, f * c);
			cr_assert(b_more < b || b == 0.0, "c=%g f=%g", c, f);
			prev = b;
		}
	}
}

Test(queueing, erlang_b_is_defined_across_the_supported_range)
{
	/* Property: a probability, never NaN, for c up to QUEUE_MAX_SERVERS and any load; GSL's
	 * default error handler (which aborts the process) must not be reached either. */
	const double cs[] = { 1e3, 1e5, 1e6, 3e6, QUEUE_MAX_SERVERS };
	const double fr[] = { 1e-3, 0.3, 0.9, 0.99, 0.999, 0.9999, 0.99999, 1.0, 1.00001,
		              1.0001, 1.001, 1.01, 1.1, 2.0, 100.0 };
	for (size_t i = 0; i < sizeof cs / sizeof cs[0]; i++)
		for (size_t j = 0; j < sizeof fr / sizeof fr[0]; j++) {
			double b = erlang_b(cs[i], fr[j] * cs[i]);
			cr_assert(b >= 0.0 && b <= 1.0, "c=%g f=%g b=%g", cs[i], fr[j], b);
		}
}

Test(queueing, bad_arguments_give_nan)
{
	cr_assert(isnan(erlang_b(0, 1)));
	cr_assert(isnan(erlang_b(2.5, 1)));
	cr_assert(isnan(erlang_b(2 * QUEUE_MAX_SERVERS, 1)));
	cr_assert(isnan(erlang_b(3, -1)));
	cr_assert(isnan(erlang_b(3, NAN)));
	cr_assert(isnan(erlang_b(NAN, 1)));
	cr_assert(isnan(erlang_c(3, 3)));
	cr_assert(isnan(erlang_c(3, 4)));
}

/* ---- sojourn tail against numerical convolution ------------------------------------------- */

struct conv {
	double t, theta, k, s;                 /* wait rate, gamma shape (0 = exponential), mean S */
};

static double service_tail(const struct conv *cv, double x)
{
	if (cv->k == 0.0)
		return exp(-x / cv->s);
	return gsl_sf_gamma_inc_Q(cv->k, x * cv->k / cv->s);
}

static double conv_integrand(double u, void *p)
{
	const struct conv *cv = p;
	return cv->theta * exp(-cv->theta * u) * service_tail(cv, cv->t - u);
}

/* P(W > t) with W = Wq + S: (1 - C) P(S > t) + C [P(E > t) + int_0^t theta e^{-theta u}
 * P(S > t - u) du], E ~ Exp(theta) the conditional wait, integrated by GSL's QAGS. */
static double ref_response_ccdf(double cw, struct conv cv, gsl_integration_workspace *w)
{
	gsl_function f = { conv_integrand, &cv };
	double val, err;
	int st = gsl_integration_qags(&f, 0.0, cv.t, 0.0, 1e-12, 1000, w, &val, &err);
	cr_assert_eq(st, 0);
	return (1 - cw) * service_tail(&cv, cv.t) + cw * (exp(-cv.theta * cv.t) + val);
}

Test(queueing, sojourn_tail_matches_numerical_convolution)
{
	/* Models chosen to reach every branch: M/M/c (theta > mu and theta < mu); gamma service
	 * with theta' > beta (Kummer form, z < 0), theta' < beta at small and large z (z > 50:
	 * incomplete gamma form), shape below 1 (cs2 = 4) and large shapes (cs2 = 0.02, 1e-4). */
	const struct queue_model ms[] = {
		mk(5, 3.5, 1.0, 1, 1),      /* theta = 1.5 > mu = 1 */
		mk(2, 1.9, 1.0, 1, 1),      /* theta = 0.1 < mu */
		mk(50, 40, 1.0, 1, 0.5),    /* k = 2, beta = 2, theta' = 13.3 */
		mk(2, 1.9, 1.0, 1, 0.5),    /* k = 2, beta = 2, theta' = 0.133: z > 50 for t > 27 */
		mk(4, 3.0, 1.0, 2, 4),      /* k = 0.25, beta = 0.25, theta' = 0.333 */
		mk(10, 45, 0.2, 0.3, 0.02), /* k = 50, beta = 250, theta' = 31.25: z > 50 from t = 0.23 */
		mk(3, 2.0, 1.0, 0.5, 1),    /* exponential service, AC-scaled wait: theta' = 1.33 */
		mk(10, 45, 0.2, 1, 1e-4),   /* k = 1e4, beta = 5e4, theta' = 10: z ~ k near t = S */
	};
	gsl_integration_workspace *w = gsl_integration_workspace_alloc(1000);
	for (size_t i = 0; i < sizeof ms / sizeof ms[0]; i++) {
		struct queue_result r;
		cr_assert_eq(queue_solve(&ms[i], &r), 0);
		struct conv cv = { 0, r.wait_rate, ms[i].cs2 == 1.0 ? 0.0 : 1.0 / ms[i].cs2,
			           ms[i].service_time };
		const double ts[] = { 0.01, 0.1, 0.5, 0.97, 0.99, 1, 1.01, 1.03, 2, 5, 10, 30, 60, 120 };
		for (size_t j = 0; j < sizeof ts / sizeof ts[0]; j++) {
			cv.t = ts[j] * ms[i].service_time;
			double ref = ref_response_ccdf(r.erlang_c, cv, w);
			if (ref < 1e-200)
				continue;
			double got = queue_response_ccdf(&ms[i], &r, cv.t);
			/* quadrature asked for 1e-12; 1e-9 leaves room for its error estimate */
			cr_assert(fabs(got - ref) <= 1e-9 * ref, "model %zu t=%g: %.15g vs %.15g", i,
			          cv.t, got, ref);
		}
	}
	gsl_integration_workspace_free(w);
}

Test(queueing, sojourn_tail_is_continuous_where_wait_rate_equals_service_rate)
{
	/* c = 2, lambda = 1, S = 1: theta = c mu - lambda = 1 = mu, C = 1/3 (hand calculation
	 * above). E_1 + E_1 is Erlang-2, so P(W > t) = (2/3) e^{-t} + (1/3)(1 + t) e^{-t}. */
	struct queue_model m = mk(2, 1.0, 1.0, 1, 1);
	struct queue_result r;
	cr_assert_eq(queue_solve(&m, &r), 0);
	for (double t = 0.0; t <= 40.0; t += 0.5)
		ASSERT_REL(queue_response_ccdf(&m, &r, t), (2.0 / 3.0 + (1.0 + t) / 3.0) * exp(-t),
		           1e-13);
	/* Either side of theta = mu the tail moves by O(d lambda): |dP/d lambda| < 10 here
	 * (C and theta have bounded derivatives), so a 1e-9 change may move it < 1e-8. */
	for (int side = -1; side <= 1; side += 2) {
		struct queue_model m2 = mk(2, 1.0 + side * 1e-9, 1.0, 1, 1);
		struct queue_result r2;
		cr_assert_eq(queue_solve(&m2, &r2), 0);
		for (double t = 0.25; t <= 40.0; t += 1.25)
			cr_assert_lt(fabs(queue_response_ccdf(&m2, &r2, t) -
			                  queue_response_ccdf(&m, &r, t)), 1e-8);
	}
}

Test(queueing, percentiles_round_trip_through_the_tail)
{
	/* The returned t has P(W > t) = 1 - p (to the root tolerance times the density scale) and
	 * is the smallest such t: a point 1e-6 below it still has P(W > t) > 1 - p. */
	const struct queue_model ms[] = {
		mk(10, 90, 0.1, 1, 1),          mk(1000, 9990, 0.1, 1, 1),
		mk(10000, 99900, 0.1, 1, 1),    mk(10, 80, 0.1, 1.5, 4),
		mk(10, 80, 0.1, 1, 0.5),        mk(100, 900, 0.1, 0.5, 0.01),
		mk(1, 0.5, 1, 1, 100),          mk(20000, 100000, 0.1, 1, 2e-5),
		mk(3, 2.5, 1, 1, 0.3),
	};
	const double ps[] = { 0.5, 0.9, 0.99, 0.999, 0.9999 };
	for (size_t i = 0; i < sizeof ms / sizeof ms[0]; i++) {
		struct queue_result r;
		cr_assert_eq(queue_solve(&ms[i], &r), 0);
		for (size_t j = 0; j < sizeof ps / sizeof ps[0]; j++) {
			double t;
			cr_assert_eq(queue_response_percentile(&ms[i], &r, ps[j], &t), 0);
			double u = 1 - ps[j];
			double at = queue_response_ccdf(&ms[i], &r, t);
			cr_assert(at <= u && at >= u * (1 - 1e-9), "model %zu p=%g: tail %.15g", i,
			          ps[j], at);
			cr_assert_gt(queue_response_ccdf(&ms[i], &r, t * (1 - 1e-6)), u);
		}
	}
}

Test(queueing, unstable_load_is_reported_not_computed)
{
	const double lambdas[] = { 100.0, 120.0 };    /* rho = 1 and 1.2 with c = 10, S = 0.1 */
	for (int i = 0; i < 2; i++) {
		struct queue_model m = mk(10, lambdas[i], 0.1, 1, 1);
		struct queue_result r;
		cr_assert_eq(queue_solve(&m, &r), CAPSIM_EUNSTABLE);
		ASSERT_REL(r.utilization, lambdas[i] / 100.0, 1e-15);
		ASSERT_REL(r.offered_load, lambdas[i] / 10.0, 1e-15);
		ASSERT_REL(r.erlang_b, (double)ref_erlang_b(10, lambdas[i] / 10.0), 1e-12);
		cr_assert(isnan(r.erlang_c) && isnan(r.wait_mean) && isnan(r.response_mean));
		cr_assert(isnan(r.wait_rate) && isnan(r.queue_len_mean));
		double t = -7;
		cr_assert_eq(queue_response_percentile(&m, &r, 0.99, &t), CAPSIM_EUNSTABLE);
		cr_assert_eq(queue_wait_percentile(&m, &r, 0.99, &t), CAPSIM_EUNSTABLE);
		cr_assert_eq(t, -7);
		cr_assert(isnan(queue_response_ccdf(&m, &r, 1.0)));
		cr_assert(isnan(queue_wait_ccdf(&m, &r, 1.0)));
	}
}

Test(queueing, invalid_models_are_rejected)
{
	const struct queue_model bad[] = {
		mk(0, 1, 1, 1, 1),     mk(2.5, 1, 1, 1, 1),   mk(2 * QUEUE_MAX_SERVERS, 1, 1, 1, 1),
		mk(2, 0, 1, 1, 1),     mk(2, -1, 1, 1, 1),    mk(2, 1, 0, 1, 1),
		mk(2, 1, NAN, 1, 1),   mk(2, 1, 1, -1, 1),    mk(2, 1, 1, INFINITY, 1),
		mk(2, 1, 1, 1, -0.1),  mk(2, 1, 1, 1, 2 * QUEUE_CS2_MAX), mk(2, 1, 1, 1, NAN),
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct queue_result r;
		cr_assert_eq(queue_solve(&bad[i], &r), CAPSIM_EINVAL, "model %zu", i);
		cr_assert(isnan(r.utilization) && isnan(r.erlang_b));
	}
	struct queue_model m = mk(2, 1, 1, 1, 1);
	struct queue_result r;
	double t;
	cr_assert_eq(queue_solve(&m, &r), 0);
	cr_assert_eq(queue_response_percentile(&m, &r, 1.0, &t), CAPSIM_EINVAL);
	cr_assert_eq(queue_response_percentile(&m, &r, 0.0, &t), CAPSIM_EINVAL);
	cr_assert_eq(queue_response_percentile(&m, &r, 0.5, NULL), CAPSIM_EINVAL);
	cr_assert_eq(queue_response_ccdf(&m, &r, -1.0), 1.0);
	cr_assert_eq(queue_solve(NULL, &r), CAPSIM_EINVAL);
	cr_assert(isnan(r.erlang_c));
}

Test(queueing, allen_cunneen_reduces_to_mmc_when_both_scvs_are_one)
{
	/* ca2 = cs2 = 1 is exact M/M/c: Wq = C / (c mu - lambda) with C from the reference
	 * recursion. The gamma path with cs2 = 1 +- 1e-7 is a different formula (Kummer
	 * function, incomplete gamma) whose answer moves only O(1e-7) from the exponential
	 * one, so its percentiles must agree to 1e-5 relative. */
	const double cs[] = { 1, 4, 40, 400 };
	for (size_t i = 0; i < sizeof cs / sizeof cs[0]; i++) {
		double c = cs[i], s = 0.2, lambda = 0.85 * c / s;
		struct queue_model m = mk(c, lambda, s, 1, 1);
		struct queue_result r;
		cr_assert_eq(queue_solve(&m, &r), 0);
		double cw = (double)ref_erlang_c(c, lambda * s);
		ASSERT_REL(r.erlang_c, cw, 1e-12);
		ASSERT_REL(r.wait_mean, cw / (c / s - lambda), 1e-12);
		cr_assert_eq(r.variability, 1.0);
		for (int side = -1; side <= 1; side += 2) {
			struct queue_model g = mk(c, lambda, s, 1, 1 + side * 1e-7);
			struct queue_result rg;
			cr_assert_eq(queue_solve(&g, &rg), 0);
			const double ps[] = { 0.5, 0.95, 0.99, 0.9999 };
			for (size_t j = 0; j < 4; j++) {
				double te, tg;
				cr_assert_eq(queue_response_percentile(&m, &r, ps[j], &te), 0);
				cr_assert_eq(queue_response_percentile(&g, &rg, ps[j], &tg), 0);
				ASSERT_REL(tg, te, 1e-5);
			}
		}
	}
}

Test(queueing, mg1_mean_wait_equals_pollaczek_khinchine)
{
	/* For c = 1 Allen–Cunneen is exact: Wq = rho S (1 + cs2) / (2 (1 - rho)) (P-K). M/D/1
	 * with rho = 0.5, S = 1: 0.5 / (2 * 0.5) = 0.5; rho = 0.9: 0.9 / 0.2 = 4.5. */
	struct queue_model m = mk(1, 0.5, 1.0, 1, 0);
	struct queue_result r;
	cr_assert_eq(queue_solve(&m, &r), 0);
	ASSERT_REL(r.wait_mean, 0.5, 1e-14);
	m.arrival_rate = 0.9;
	cr_assert_eq(queue_solve(&m, &r), 0);
	ASSERT_REL(r.wait_mean, 4.5, 1e-13);
	const double cs2s[] = { 0.25, 2.0, 9.0 };
	for (int i = 0; i < 3; i++) {
		struct queue_model g = mk(1, 0.3, 2.0, 1, cs2s[i]);
		cr_assert_eq(queue_solve(&g, &r), 0);
		ASSERT_REL(r.wait_mean, 0.6 * 2.0 * (1 + cs2s[i]) / (2 * 0.4), 1e-13);
	}
}

Test(queueing, deterministic_service_percentile_has_closed_form)
{
	/* M/D/1, lambda = 0.5, S = 1: C = 0.5; theta = (c - a)/S = 0.5 and (ca2 + cs2)/2 = 0.5,
	 * so theta' = 1. P(W > t) = 1 for t < 1, else 0.5 e^{-(t - 1)}. p = 0.99: 1 + ln(50);
	 * p = 0.4 <= 1 - C: the service time itself, 1. */
	struct queue_model m = mk(1, 0.5, 1.0, 1, 0);
	struct queue_result r;
	double t;
	cr_assert_eq(queue_solve(&m, &r), 0);
	ASSERT_REL(r.wait_rate, 1.0, 1e-15);
	cr_assert_eq(queue_response_percentile(&m, &r, 0.99, &t), 0);
	ASSERT_REL(t, 1.0 + log(50.0), 1e-14);
	cr_assert_eq(queue_response_percentile(&m, &r, 0.4, &t), 0);
	cr_assert_eq(t, 1.0);
	ASSERT_REL(queue_response_ccdf(&m, &r, 3.0), 0.5 * exp(-2.0), 1e-14);
	cr_assert_eq(queue_response_ccdf(&m, &r, 0.999), 1.0);
}

Test(queueing, no_variability_means_no_wait)
{
	/* D/D/c (ca2 = cs2 = 0) below saturation never queues: Wq = 0, every quantile is S. */
	struct queue_model m = mk(4, 30, 0.1, 0, 0);
	struct queue_result r;
	double t;
	cr_assert_eq(queue_solve(&m, &r), 0);
	cr_assert_eq(r.wait_mean, 0.0);
	cr_assert(isinf(r.wait_rate));
	cr_assert_eq(queue_response_percentile(&m, &r, 0.999, &t), 0);
	cr_assert_eq(t, 0.1);
	cr_assert_eq(queue_wait_ccdf(&m, &r, 0.0), 0.0);
}

Test(queueing, sizing_for_wait_probability_is_tight)
{
	/* The returned c meets the target and c - 1 does not (or is unstable). */
	const double loads[] = { 0.3, 4.0, 37.5, 9000.0, 90000.0 };
	const double targets[] = { 0.5, 0.2, 0.05, 0.01, 1e-6 };
	for (size_t i = 0; i < sizeof loads / sizeof loads[0]; i++)
		for (size_t j = 0; j < sizeof targets / sizeof targets[0]; j++) {
			struct queue_model m = mk(0, loads[i] / 0.1, 0.1, 1, 1);
			double c = -1;
			cr_assert_eq(queue_size_for_wait_prob(&m, targets[j], &c), 0);
			cr_assert_leq(erlang_c(c, loads[i]), targets[j]);
			cr_assert(c - 1 <= loads[i] || erlang_c(c - 1, loads[i]) > targets[j],
			          "a=%g target=%g c=%g", loads[i], targets[j], c);
		}
	/* target 1: the smallest stable pool, floor(a) + 1 */
	struct queue_model m = mk(0, 40, 0.1, 1, 1);
	double c;
	cr_assert_eq(queue_size_for_wait_prob(&m, 1.0, &c), 0);
	cr_assert_eq(c, 5.0);
}

static double p_quantile_at(const struct queue_model *m0, double c, double p)
{
	struct queue_model m = *m0;
	struct queue_result r;
	double t;
	m.servers = c;
	if (queue_solve(&m, &r) != 0)
		return INFINITY;                /* unstable: no finite quantile */
	cr_assert_eq(queue_response_percentile(&m, &r, p, &t), 0);
	return t;
}

Test(queueing, sizing_for_percentile_is_tight)
{
	const struct {
		struct queue_model m;
		double p, target;
	} cases[] = {
		{ mk(0, 90, 0.1, 1, 1), 0.99, 0.5 },          /* q_S(0.99) = 0.46 */
		{ mk(0, 90, 0.1, 1, 1), 0.9, 0.3 },
		{ mk(0, 90000, 0.1, 1, 1), 0.99, 0.4606 },    /* tens of thousands of servers */
		{ mk(0, 900000, 0.1, 1, 1), 0.99, 0.47 },     /* ~ 100,000 servers */
		{ mk(0, 50, 0.2, 2, 3), 0.95, 1.5 },
		{ mk(0, 50, 0.2, 1, 0), 0.99, 0.25 },
		{ mk(0, 50, 0.2, 0.5, 0.5), 0.999, 1.0 },   /* gamma k = 2: q_S(0.999) = 0.923 */
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		double c = -1;
		cr_assert_eq(queue_size_for_percentile(&cases[i].m, cases[i].p, cases[i].target, &c),
		             0, "case %zu", i);
		cr_assert_leq(p_quantile_at(&cases[i].m, c, cases[i].p), cases[i].target);
		cr_assert_gt(p_quantile_at(&cases[i].m, c - 1, cases[i].p), cases[i].target,
		             "case %zu c=%g", i, c);
	}
}

Test(queueing, sizing_reports_targets_no_pool_can_meet)
{
	/* Exponential S = 0.1: its own p99 is 0.1 ln 100 = 0.4605; W is strictly longer for any
	 * finite c, so that target (less a rounding margin) is infeasible and a slightly larger
	 * one is not. */
	struct queue_model m = mk(0, 90, 0.1, 1, 1);
	double c = -1;
	cr_assert_eq(queue_size_for_percentile(&m, 0.99, 0.1 * log(100.0) * (1 - 1e-9), &c),
	             CAPSIM_EINFEASIBLE);
	cr_assert_eq(c, -1);
	cr_assert_eq(queue_size_for_percentile(&m, 0.99, 0.1 * log(100.0) * 1.01, &c), 0);
	/* Deterministic S = 0.2: the quantile can equal S exactly once C <= 1 - p, not go below. */
	struct queue_model d = mk(0, 50, 0.2, 1, 0);
	cr_assert_eq(queue_size_for_percentile(&d, 0.99, 0.1999, &c), CAPSIM_EINFEASIBLE);
	cr_assert_eq(queue_size_for_percentile(&d, 0.99, 0.2, &c), 0);
	cr_assert_leq(erlang_c(c, 10.0), 0.01);
	cr_assert_gt(erlang_c(c - 1, 10.0), 0.01);
}

/* M/M/c+D by its own derivation, independent of Erlang C: level crossing of the virtual
 * waiting time V gives states j < c of probability p_j = p_{c-1} (c-1)! a^(j-c+1) / j!, and
 * V's density λ p_{c-1} e^{-θx} below the patience t (θ = cμ - λ), λ p_{c-1} e^{λt - cμx}
 * above it; a request leaves when V >= t, so P = ρ p_{c-1} e^{-θt}, with p_{c-1} from the
 * total: 1 / p_{c-1} = Σ_{j<c} a^j/j! / (a^(c-1)/(c-1)!) + λ (1 - e^{-θt}) / θ + ρ e^{-θt}.
 * The sum is taken here term by term. 10 servers of 100 ms, t = 0.5 s: at 95 req/s
 * P = 0.0036215651235 (a simulation of 10^6 requests: 0.0035), at 99 req/s 0.013874321140
 * (simulations: 0.0137–0.0150), where P(Wq > t) without leaving would be 0.068 and 0.585. */
static double mmcd_loss(int c, double s, double lambda, double t)
{
	double mu = 1.0 / s, a = lambda * s, rho = a / c, theta = c * mu - lambda;
	double e = exp(-theta * t), sum = 0, term = 1;   /* term = a^j / j! */
	for (int j = 0; j < c; j++) {
		sum += term;
		term *= a / (j + 1);
	}
	double last = term * c / a;                      /* a^(c-1) / (c-1)! */
	double p = 1.0 / (sum / last + lambda * (1 - e) / theta + rho * e);
	return rho * p * e;
}

Test(queueing, timeout_loss_is_mmc_with_deterministic_patience)
{
	const double lambdas[] = { 50, 90, 95, 99, 99.9 };
	for (size_t i = 0; i < sizeof lambdas / sizeof lambdas[0]; i++) {
		struct queue_model m = mk(10, lambdas[i], 0.1, 1, 1);
		struct queue_result r;
		cr_assert_eq(queue_solve(&m, &r), 0);
		ASSERT_REL(queue_timeout_loss(&m, &r, 0.5), mmcd_loss(10, 0.1, lambdas[i], 0.5),
			   1e-12);
		cr_assert_lt(queue_timeout_loss(&m, &r, 0.5), queue_wait_ccdf(&m, &r, 0.5));
	}
	struct queue_model m = mk(10, 95, 0.1, 1, 1);
	struct queue_result r;
	cr_assert_eq(queue_solve(&m, &r), 0);
	ASSERT_REL(queue_timeout_loss(&m, &r, 0.5), 0.0036215651235, 1e-10);
	cr_assert_eq(queue_timeout_loss(&m, &r, INFINITY), 0.0);
}

/* Past saturation the requests that leave keep the queue finite, and the level-crossing sum
 * of timeout_loss_is_mmc_with_deterministic_patience holds as it is (θ < 0, e^{-θt} > 1):
 * queue_mmcd_loss agrees with it on both sides of ρ = 1, with queue_timeout_loss below, and
 * is continuous through θ = 0 (10 servers of 100 ms, t = 0.5 s: 99.999, 100 and 100.001
 * req/s within 1e-5 of each other). */
Test(queueing, mmcd_loss_holds_past_saturation_and_through_it)
{
	const double lambdas[] = { 50, 99, 101, 110, 150, 400 };
	for (size_t i = 0; i < sizeof lambdas / sizeof lambdas[0]; i++)
		ASSERT_REL(queue_mmcd_loss(10, lambdas[i], 0.1, 0.5),
			   mmcd_loss(10, 0.1, lambdas[i], 0.5), 1e-11);
	struct queue_model m = mk(10, 95, 0.1, 1, 1);
	struct queue_result r;
	cr_assert_eq(queue_solve(&m, &r), 0);
	ASSERT_REL(queue_mmcd_loss(10, 95, 0.1, 0.5), queue_timeout_loss(&m, &r, 0.5), 1e-12);
	double lo = queue_mmcd_loss(10, 99.999, 0.1, 0.5), at = queue_mmcd_loss(10, 100, 0.1, 0.5),
	       hi = queue_mmcd_loss(10, 100.001, 0.1, 0.5);
	cr_assert(fabs(at - lo) < 1e-5 && fabs(hi - at) < 1e-5 && lo < at && at < hi,
		  "%.12g %.12g %.12g", lo, at, hi);
	/* Far past saturation it approaches the fluid share (ρ - 1)/ρ from above: at 400 req/s
	 * on 100 req/s of capacity, 0.75 to double precision. */
	double far = queue_mmcd_loss(10, 400, 0.1, 0.5);
	cr_assert(far >= 0.75 - 1e-15 && far < 0.76, "%.17g", far);
	/* One server (B of none is 1): M/M/1+D, (1 - ρ) ρ E / (1 - ρ² E) with ρ = 0.5, E =
	 * e^{-(1 - 0.5) 2} = e^{-1}: 0.25 e^{-1} / (1 - 0.25 e^{-1}). */
	ASSERT_REL(queue_mmcd_loss(1, 0.5, 1, 2), 0.25 * exp(-1) / (1 - 0.25 * exp(-1)), 1e-12);
}
