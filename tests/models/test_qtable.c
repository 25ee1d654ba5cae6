/* Tests of models/qtable: the tables against the exact functions and against closed forms,
 * errors, and first use from two threads at once. */
#include <criterion/criterion.h>

#include <float.h>
#include <math.h>
#include <pthread.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "models/qtable.h"
#include "models/queueing.h"
#include "sim/error.h"
#include "sim/rng.h"

/* |x - ref| <= rel |ref| + abs, with a readable failure message that ends with `where`, a
 * format naming the point, and its arguments. */
#define ASSERT_NEAR(x, ref, rel, abs, where, ...)                                          \
	do {                                                                               \
		double x_ = (x), r_ = (ref);                                               \
		cr_assert(fabs(x_ - r_) <= (rel) * fabs(r_) + (abs),                       \
		          "%s = %.17g, expected %.17g (rel %g, abs %g) at " where, #x, x_, r_, \
		          (double)(rel), (double)(abs), __VA_ARGS__);                      \
	} while (0)

/* The bound every tabulated value is held to against qtable_exact.
 * - Relative 1e-6 on wait_prob (C), response_mean, response_pct and timeout_frac. The
 *   build compares each interval's cubics with the exact values at its midpoint, where the
 *   error of a cubic Hermite interpolant with exact end slopes peaks (h^4 f''''/384 times
 *   t^2 (1 - t)^2, largest at t = 1/2), and splits any interval off by more than 1e-7; the
 *   factor 10 covers the first-order estimate used for the percentile in that check and
 *   intervals whose error does not peak exactly at the midpoint. The mean's error is C's
 *   times v C / (c x) / (1 + v C / (c x)) < 1, and the timeout fraction is C times an
 *   exact factor, so both inherit C's bound.
 * - Absolute 1e-13 on wait_prob and timeout_frac: below an Erlang C of 1e-12 (1 - p) the
 *   table serves the rho = 0 answer, 0, and 1e-12 (1 - p) <= 5e-14 for p >= 0.95.
 * Both are far inside the targets of the design (relative 1e-3 on the mean and percentile,
 * absolute 1e-6 or relative 1e-3 on the probabilities). */
#define TABLE_REL 1e-6
#define TABLE_ABS 1e-13

static void assert_close(const struct qpoint *a, const struct qpoint *e, long c, double rho)
{
	ASSERT_NEAR(a->wait_prob, e->wait_prob, TABLE_REL, TABLE_ABS, "c=%ld rho=%.17g", c, rho);
	ASSERT_NEAR(a->response_mean, e->response_mean, TABLE_REL, 0.0, "c=%ld rho=%.17g", c,
	            rho);
	ASSERT_NEAR(a->response_pct, e->response_pct, TABLE_REL, 0.0, "c=%ld rho=%.17g", c, rho);
	ASSERT_NEAR(a->timeout_frac, e->timeout_frac, TABLE_REL, TABLE_ABS, "c=%ld rho=%.17g", c,
	            rho);
}

/* Utilisations that probe a table: random ones, a geometric sweep towards QTABLE_RHO_MAX
 * (where the metrics diverge like 1/(1 - rho)), a geometric sweep towards 0 (where C ~
 * rho^c), both sides of rho = 1/2 (where the representation of C changes), and the ends. */
static size_t probe_rhos(struct rng *r, double *rho, size_t nrandom)
{
	size_t n = 0;
	for (size_t i = 0; i < nrandom; i++)
		rho[n++] = QTABLE_RHO_MAX * rng_uniform(r);
	for (double x = 0.5; x >= 1.0 - QTABLE_RHO_MAX; x *= 0.93)
		rho[n++] = 1.0 - x;
	for (double y = 0.5; y > 1e-9; y *= 0.8)
		rho[n++] = y;
	rho[n++] = 0.5 - 1e-9;
	rho[n++] = 0.5 + 1e-9;
	rho[n++] = 0.0;
	rho[n++] = QTABLE_RHO_MAX;
	return n;
}

#define MAX_PROBES 400

static void check_family(const struct qtable_family *f, const long *cs, size_t ncs,
                         size_t nrandom, uint64_t seed)
{
	struct qcache *q;
	struct rng r;
	double rho[MAX_PROBES];
	cr_assert_eq(rng_init(&r, seed, 0, 0), 0);
	cr_assert_eq(qcache_new(f, cs[ncs - 1], &q), 0);
	for (size_t k = 0; k < ncs; k++) {
		size_t n = probe_rhos(&r, rho, nrandom);
		cr_assert_leq(n, MAX_PROBES);
		for (size_t i = 0; i < n; i++) {
			struct qpoint a, e;
			cr_assert_eq(qcache_eval(q, cs[k], rho[i], &a), 0, "c=%ld rho=%g", cs[k],
			             rho[i]);
			cr_assert_eq(qtable_exact(f, cs[k], rho[i], &e), 0);
			assert_close(&a, &e, cs[k], rho[i]);
			/* Never a subnormal: below DBL_MIN the timeout fraction is 0. */
			cr_assert(a.timeout_frac == 0 || a.timeout_frac >= DBL_MIN, "c=%ld rho=%.17g",
			          cs[k], rho[i]);
			/* The simulation's read: ln C instead of C, the same percentile and
			 * timeout fraction; exp(ln C) held to the same bound against the exact C. */
			struct qpoint l;
			double ln_wait;
			cr_assert_eq(qcache_eval_ln(q, cs[k], rho[i], NAN, &l, &ln_wait), 0);
			ASSERT_NEAR(exp(ln_wait), e.wait_prob, TABLE_REL, TABLE_ABS, "c=%ld rho=%.17g",
			            cs[k], rho[i]);
			cr_assert(l.response_pct == a.response_pct &&
			          l.timeout_frac == a.timeout_frac, "c=%ld rho=%.17g", cs[k], rho[i]);
			/* Given ln rho, the same read (the caller's ln rho is the one log(rho)
			 * would give). */
			double ln_given;
			cr_assert_eq(qcache_eval_ln(q, cs[k], rho[i], log(rho[i]), &l, &ln_given), 0);
			cr_assert(ln_given == ln_wait || (isinf(ln_given) && isinf(ln_wait)),
			          "c=%ld rho=%.17g", cs[k], rho[i]);
		}
	}
	qcache_free(q);
	rng_release(&r);
}

Test(qtable, mm1_exact_values_match_the_closed_form)
{
	/* M/M/1, S = 0.1 s: C = rho, W = S / (1 - rho), W ~ Exp((1 - rho)/S) so its p-quantile
	 * is -S ln(1 - p) / (1 - rho), and P(Wq > t) = rho e^{-(1 - rho) t / S}; requests that
	 * would wait past t leave (M/M/1 with deterministic impatience): the share lost is
	 * (1 - rho) rho E / (1 - rho^2 E), E = e^{-(1 - rho) t / S}. The percentile comes from a
	 * root solve to ~1e-13 relative; the rest is closed form to rounding. */
	const struct qtable_family f = { 0.1, 1.0, 1.0, 0.99, 0.5 };
	const double rhos[] = { 0.05, 0.3, 0.5, 0.8, 0.95, 0.999 };
	for (size_t i = 0; i < sizeof rhos / sizeof rhos[0]; i++) {
		double rho = rhos[i];
		struct qpoint e;
		cr_assert_eq(qtable_exact(&f, 1, rho, &e), 0);
		ASSERT_NEAR(e.wait_prob, rho, 1e-14, 0.0, "rho=%g", rho);
		ASSERT_NEAR(e.response_mean, 0.1 / (1.0 - rho), 1e-12, 0.0, "rho=%g", rho);
		ASSERT_NEAR(e.response_pct, -0.1 * log(0.01) / (1.0 - rho), 1e-10, 0.0, "rho=%g",
		            rho);
		double E = exp(-(1.0 - rho) * 0.5 / 0.1);
		ASSERT_NEAR(e.timeout_frac, (1.0 - rho) * rho * E / (1.0 - rho * rho * E), 1e-12,
		            0.0, "rho=%g", rho);
	}
	/* rho = 0: nobody waits; the percentile is the service time's own, -S ln(1 - p) */
	struct qpoint z;
	cr_assert_eq(qtable_exact(&f, 1, 0.0, &z), 0);
	cr_assert_eq(z.wait_prob, 0.0);
	cr_assert_eq(z.response_mean, 0.1);
	cr_assert_eq(z.timeout_frac, 0.0);
	ASSERT_NEAR(z.response_pct, -0.1 * log(0.01), 1e-10, 0.0, "rho=%g", 0.0);
}

Test(qtable, tables_match_closed_forms_of_mm1_and_mm2)
{
	/* The tables against formulas that do not go through models/queueing at all, to
	 * TABLE_REL (the closed forms are exact to rounding, so the table's own bound is the
	 * whole tolerance, plus 1e-10 for the percentile's root solve). M/M/1 as above; M/M/2:
	 * C = 2 rho^2 / (1 + rho) (Erlang C with c = 2, a = 2 rho), W = S + C S / (2 (1 - rho)).
	 * Over 0 < rho <= 0.995 in steps of 1/997 (not a grid node). */
	const struct qtable_family f = { 0.2, 1.0, 1.0, 0.999, 1.0 };
	struct qcache *q;
	cr_assert_eq(qcache_new(&f, 2, &q), 0);
	for (double rho = 1.0 / 997.0; rho <= QTABLE_RHO_MAX; rho += 1.0 / 997.0) {
		struct qpoint a;
		cr_assert_eq(qcache_eval(q, 1, rho, &a), 0);
		ASSERT_NEAR(a.wait_prob, rho, TABLE_REL, TABLE_ABS, "rho=%g", rho);
		ASSERT_NEAR(a.response_mean, 0.2 / (1.0 - rho), TABLE_REL, 0.0, "rho=%g", rho);
		ASSERT_NEAR(a.response_pct, -0.2 * log(0.001) / (1.0 - rho), TABLE_REL + 1e-10, 0.0,
		            "rho=%g", rho);
		double E = exp(-(1.0 - rho) / 0.2);
		ASSERT_NEAR(a.timeout_frac, (1.0 - rho) * rho * E / (1.0 - rho * rho * E), TABLE_REL,
		            TABLE_ABS, "rho=%g", rho);
		double c2 = 2.0 * rho * rho / (1.0 + rho);
		cr_assert_eq(qcache_eval(q, 2, rho, &a), 0);
		ASSERT_NEAR(a.wait_prob, c2, TABLE_REL, TABLE_ABS, "rho=%g", rho);
		ASSERT_NEAR(a.response_mean, 0.2 + c2 * 0.2 / (2.0 * (1.0 - rho)), TABLE_REL, 0.0,
		            "rho=%g", rho);
	}
	qcache_free(q);
}

Test(qtable, deterministic_service_matches_md1_closed_form)
{
	/* M/D/1 (cs2 = 0), S = 1, Poisson arrivals: C = rho, the Allen-Cunneen factor is
	 * v = (1 + 0)/2, the wait given a wait is Exp((1 - rho) / (S v)), so the mean wait is
	 * rho S / (2 (1 - rho)) (Pollaczek-Khinchine, exact for M/D/1) and the response
	 * p-quantile is S + ln(C / (1 - p)) S v / (1 - rho) when C > 1 - p, else S (p = 0.99).
	 * The table computes that quantile from its interpolated C: a relative error d in C
	 * moves it by d S v / (1 - rho), a relative d / ((1 - rho) / v + L) <= d / L of the
	 * quantile, L = ln(C / (1 - p)). Away from the kink at C = 1 - p (|L| >= 0.18 here) the
	 * tolerance is TABLE_REL / min(L, 1); below the kink the answer is S exactly. */
	const struct qtable_family f = { 1.0, 1.0, 0.0, 0.99, 30.0 };
	struct qcache *q;
	cr_assert_eq(qcache_new(&f, 1, &q), 0);
	for (double rho = 0.003; rho <= QTABLE_RHO_MAX; rho += 0.0071) {
		struct qpoint a;
		cr_assert_eq(qcache_eval(q, 1, rho, &a), 0);
		ASSERT_NEAR(a.wait_prob, rho, TABLE_REL, TABLE_ABS, "rho=%g", rho);
		ASSERT_NEAR(a.response_mean, 1.0 + rho / (2.0 * (1.0 - rho)), TABLE_REL, 0.0,
		            "rho=%g", rho);
		double L = log(rho / 0.01);
		if (fabs(L) < 0.18)
			continue;
		if (L < 0.0) {
			cr_assert_eq(a.response_pct, 1.0, "rho=%g", rho);
			continue;
		}
		ASSERT_NEAR(a.response_pct, 1.0 + L * 0.5 / (1.0 - rho), TABLE_REL / fmin(L, 1.0),
		            0.0, "rho=%g", rho);
	}
	qcache_free(q);
}

Test(qtable, rho_zero_percentile_is_the_service_quantile)
{
	/* rho = 0: exponential S: -S ln(1 - p); deterministic: S; gamma with SCV 1/2 is shape
	 * 2, scale S/2, its quantile from GSL (accurate at this small shape; 1e-9 covers GSL's
	 * inversion and the percentile's root solve). Through the table as well. */
	const struct {
		double cs2, want;
	} cases[] = {
		{ 1.0, -0.05 * log(0.05) },
		{ 0.0, 0.05 },
		{ 0.5, gsl_cdf_gamma_Qinv(0.05, 2.0, 0.025) },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct qtable_family f = { 0.05, 1.0, cases[i].cs2, 0.95, 1.0 };
		struct qcache *q;
		struct qpoint e, a;
		cr_assert_eq(qtable_exact(&f, 7, 0.0, &e), 0);
		ASSERT_NEAR(e.response_pct, cases[i].want, 1e-9, 0.0, "cs2=%g", cases[i].cs2);
		cr_assert_eq(qcache_new(&f, 7, &q), 0);
		cr_assert_eq(qcache_eval(q, 7, 0.0, &a), 0);
		cr_assert_eq(a.response_pct, e.response_pct);
		cr_assert_eq(a.wait_prob, 0.0);
		cr_assert_eq(a.response_mean, 0.05);
		cr_assert_eq(a.timeout_frac, 0.0);
		qcache_free(q);
	}
}

/* Server counts probed: every small pool, then a spread up to 2000. */
static const long servers[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 13, 20, 37, 64, 100, 150,
	                        233, 400, 700, 1000, 1500, 2000 };
#define NSERVERS (sizeof servers / sizeof servers[0])

Test(qtable, typical_families_interpolate_within_bound, .timeout = 120)
{
	/* Exponential, and gamma service with SCV 1/2 and 2, Poisson arrivals; p95, p99 and
	 * p99.9; service times 1 ms to 1 s with timeouts from 10 S to 30 s. */
	const double cs2[] = { 1.0, 0.5, 2.0 }, p[] = { 0.95, 0.99, 0.999 };
	const double st[][2] = { { 0.001, 0.01 }, { 0.1, 2.0 }, { 1.0, 30.0 } };
	for (size_t i = 0; i < 3; i++)
		for (size_t j = 0; j < 3; j++) {
			size_t k = (i + j) % 3;
			struct qtable_family f = { st[k][0], 1.0, cs2[i], p[j], st[k][1] };
			check_family(&f, servers, NSERVERS, 40, 10 * i + j);
		}
}

Test(qtable, timeouts_from_ten_services_to_thirty_seconds_interpolate_within_bound)
{
	/* timeout_frac = C e^{-c x T / (S v)} spans hundreds of decades across these */
	const double st[][2] = { { 0.001, 30.0 }, { 0.001, 0.01 }, { 1.0, 10.0 }, { 0.05, 0.5 } };
	for (size_t k = 0; k < 4; k++) {
		struct qtable_family f = { st[k][0], 1.0, 1.0, 0.99, st[k][1] };
		check_family(&f, servers, NSERVERS, 40, 100 + k);
	}
}

Test(qtable, hard_families_interpolate_within_bound, .timeout = 120)
{
	/* Bursty arrivals with near-deterministic service (the percentile turns sharply where
	 * C crosses 1 - p: these tables refine), heavy-tailed service, smooth arrivals, and
	 * deterministic service (percentile in closed form of C). */
	const struct qtable_family fams[] = {
		{ 0.1, 4.0, 0.1, 0.999, 2.0 },
		{ 0.1, 0.5, 1e-4, 0.99, 2.0 },
		{ 0.1, 2.0, 100.0, 0.95, 2.0 },
		{ 0.1, 0.0, 1.0, 0.99, 2.0 },
		{ 0.1, 4.0, 0.0, 0.99, 2.0 },
	};
	const long cs[] = { 1, 2, 3, 4, 6, 10, 30, 300 };
	for (size_t i = 0; i < sizeof fams / sizeof fams[0]; i++)
		check_family(&fams[i], cs, sizeof cs / sizeof cs[0], 40, 200 + i);
}

Test(qtable, above_rho_max_is_the_exact_answer)
{
	const struct qtable_family f = { 0.1, 1.0, 1.0, 0.99, 2.0 };
	struct qcache *q;
	cr_assert_eq(qcache_new(&f, 50, &q), 0);
	const double rhos[] = { 0.9951, 0.998, 0.9999, 0.999999 };
	for (size_t i = 0; i < sizeof rhos / sizeof rhos[0]; i++) {
		struct qpoint a, e;
		cr_assert_eq(qcache_eval(q, 50, rhos[i], &a), 0);
		cr_assert_eq(qtable_exact(&f, 50, rhos[i], &e), 0);
		cr_assert(memcmp(&a, &e, sizeof a) == 0, "rho=%g", rhos[i]);
		double ln_wait;
		cr_assert_eq(qcache_eval_ln(q, 50, rhos[i], NAN, &a, &ln_wait), 0);
		cr_assert(ln_wait == log(e.wait_prob) && a.response_pct == e.response_pct,
		          "rho=%g", rhos[i]);
	}
	cr_assert_eq(qcache_tables_built(q), 0, "the exact path builds no table");
	qcache_free(q);
}

Test(qtable, unstable_load_is_reported_and_leaves_out_untouched)
{
	const struct qtable_family f = { 0.1, 1.0, 1.0, 0.99, 2.0 };
	struct qcache *q;
	cr_assert_eq(qcache_new(&f, 10, &q), 0);
	const double rhos[] = { 1.0, 1.5, INFINITY };
	for (size_t i = 0; i < sizeof rhos / sizeof rhos[0]; i++) {
		struct qpoint pt = { -1.0, -2.0, -3.0, -4.0 };
		cr_assert_eq(qcache_eval(q, 3, rhos[i], &pt), CAPSIM_EUNSTABLE);
		cr_assert_eq(qtable_exact(&f, 3, rhos[i], &pt), CAPSIM_EUNSTABLE);
		cr_assert(pt.wait_prob == -1.0 && pt.response_mean == -2.0 &&
		          pt.response_pct == -3.0 && pt.timeout_frac == -4.0);
	}
	qcache_free(q);
}

Test(qtable, bad_arguments_are_rejected)
{
	const struct qtable_family ok = { 0.1, 1.0, 1.0, 0.99, 2.0 };
	struct qtable_family bad[] = { ok, ok, ok, ok, ok, ok, ok, ok, ok, ok };
	bad[0].service_time = 0.0;
	bad[1].service_time = NAN;
	bad[2].ca2 = -1.0;
	bad[3].cs2 = QUEUE_CS2_MAX * 2.0;
	bad[4].p = 0.0;
	bad[5].p = 1.0;
	bad[6].timeout = 0.0;
	bad[7].timeout = NAN;
	bad[8].service_time = INFINITY;
	bad[9].cs2 = -0.5;
	struct qcache *q = NULL;
	struct qpoint pt;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cr_assert_eq(qcache_new(&bad[i], 10, &q), CAPSIM_EINVAL, "family %zu", i);
		cr_assert_eq(qtable_exact(&bad[i], 3, 0.5, &pt), CAPSIM_EINVAL, "family %zu", i);
	}
	cr_assert_null(q);
	cr_assert_eq(qcache_new(NULL, 10, &q), CAPSIM_EINVAL);
	cr_assert_eq(qcache_new(&ok, 0, &q), CAPSIM_EINVAL);
	cr_assert_eq(qcache_new(&ok, (long)QUEUE_MAX_SERVERS + 1, &q), CAPSIM_EINVAL);
	cr_assert_eq(qcache_new(&ok, 10, NULL), CAPSIM_EINVAL);

	cr_assert_eq(qcache_new(&ok, 10, &q), 0);
	cr_assert_eq(qcache_eval(q, 0, 0.5, &pt), CAPSIM_EINVAL);
	cr_assert_eq(qcache_eval(q, 11, 0.5, &pt), CAPSIM_EINVAL);
	cr_assert_eq(qcache_eval(q, 3, -0.1, &pt), CAPSIM_EINVAL);
	cr_assert_eq(qcache_eval(q, 3, NAN, &pt), CAPSIM_EINVAL);
	cr_assert_eq(qcache_eval(q, 3, 0.5, NULL), CAPSIM_EINVAL);
	cr_assert_eq(qcache_eval(NULL, 3, 0.5, &pt), CAPSIM_EINVAL);
	cr_assert_eq(qtable_exact(&ok, 0, 0.5, &pt), CAPSIM_EINVAL);
	cr_assert_eq(qtable_exact(&ok, 3, -1e-300, &pt), CAPSIM_EINVAL);
	cr_assert_eq(qtable_exact(&ok, 3, NAN, &pt), CAPSIM_EINVAL);
	cr_assert_eq(qtable_exact(NULL, 3, 0.5, &pt), CAPSIM_EINVAL);
	cr_assert_eq(qtable_exact(&ok, 3, 0.5, NULL), CAPSIM_EINVAL);
	cr_assert_eq(qcache_tables_built(q), 0, "failed calls build nothing");
	qcache_free(q);
	qcache_free(NULL);
}

Test(qtable, one_table_per_server_count)
{
	const struct qtable_family f = { 0.1, 1.0, 1.0, 0.99, 2.0 };
	struct qcache *q;
	struct qpoint pt;
	cr_assert_eq(qcache_new(&f, 100, &q), 0);
	cr_assert_eq(qcache_tables_built(q), 0);
	for (int i = 0; i < 50; i++)
		cr_assert_eq(qcache_eval(q, 7, 0.02 * i, &pt), 0);
	cr_assert_eq(qcache_tables_built(q), 1);
	cr_assert_eq(qcache_eval(q, 100, 0.5, &pt), 0);
	cr_assert_eq(qcache_eval(q, 1, 0.0, &pt), 0);
	cr_assert_eq(qcache_eval(q, 7, 0.9, &pt), 0);
	cr_assert_eq(qcache_tables_built(q), 3);
	qcache_free(q);
}

/* ---- two threads, first use ---- */

#define NPOINTS 600

struct worker {
	struct qcache *q;
	pthread_barrier_t *start;
	const long *c;
	const double *rho;
	struct qpoint out[NPOINTS];
	int rc;
};

static void *worker_run(void *arg)
{
	struct worker *w = arg;
	pthread_barrier_wait(w->start);
	for (int i = 0; i < NPOINTS && !w->rc; i++)
		w->rc = qcache_eval(w->q, w->c[i], w->rho[i], &w->out[i]);
	return NULL;
}

Test(qtable, two_threads_on_first_use_agree_and_build_one_table_per_c)
{
	/* Both threads start together on an empty cache and ask for the same server counts in
	 * the same order, so they race to build each table; the loser of each race frees its
	 * copy. Whoever wins, the results must be bit-identical to each other and to a cache
	 * used from one thread, and each server count must count one table. Several rounds,
	 * each with a fresh cache, give the race many chances. */
	const struct qtable_family f = { 0.1, 1.0, 0.5, 0.99, 2.0 };
	static long c[NPOINTS];
	static double rho[NPOINTS];
	static struct worker w[2];
	static struct qpoint ref[NPOINTS];
	struct rng r;
	cr_assert_eq(rng_init(&r, 7, 0, 0), 0);
	for (int i = 0; i < NPOINTS; i++) {
		c[i] = 1 + (long)rng_uniform_int(&r, 12);   /* 12 distinct counts, all used */
		rho[i] = QTABLE_RHO_MAX * rng_uniform(&r);
	}
	rng_release(&r);
	struct qcache *solo;
	cr_assert_eq(qcache_new(&f, 12, &solo), 0);
	for (int i = 0; i < NPOINTS; i++)
		cr_assert_eq(qcache_eval(solo, c[i], rho[i], &ref[i]), 0);
	cr_assert_eq(qcache_tables_built(solo), 12);
	qcache_free(solo);

	for (int round = 0; round < 4; round++) {
		struct qcache *q;
		pthread_barrier_t start;
		pthread_t th[2];
		cr_assert_eq(qcache_new(&f, 12, &q), 0);
		cr_assert_eq(pthread_barrier_init(&start, NULL, 2), 0);
		for (int k = 0; k < 2; k++) {
			w[k] = (struct worker){ .q = q, .start = &start, .c = c, .rho = rho };
			cr_assert_eq(pthread_create(&th[k], NULL, worker_run, &w[k]), 0);
		}
		for (int k = 0; k < 2; k++)
			pthread_join(th[k], NULL);
		pthread_barrier_destroy(&start);
		cr_assert_eq(w[0].rc, 0);
		cr_assert_eq(w[1].rc, 0);
		cr_assert(memcmp(w[0].out, w[1].out, sizeof w[0].out) == 0, "threads disagree");
		cr_assert(memcmp(w[0].out, ref, sizeof ref) == 0, "differs from one thread's");
		cr_assert_eq(qcache_tables_built(q), 12);
		qcache_free(q);
	}
}
