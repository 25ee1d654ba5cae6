/* The request-level queue simulation against closed forms, and its determinism. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "models/qsim.h"
#include "sim/error.h"
#include "sim/stats.h"

/* Asserts |sim - exact| <= 4 standard errors of the replication mean. The standard error is
 * the 95% half-width divided by t_{0.975, reps-1}; 4 SE makes a false failure less likely
 * than 1e-4 for a normal mean. The warm-up removes the empty-start bias well below that. */
static void assert_within_4se(const struct ci *ci, double exact, uint64_t reps, const char *what)
{
	double se = ci->half / stats_t_quantile(0.975, (double)(reps - 1));
	cr_assert(fabs(ci->mean - exact) <= 4 * se,
		  "%s: simulated %.6f +- %.6f (SE), exact %.6f", what, ci->mean, se, exact);
	cr_assert(se < 0.05 * exact, "%s: standard error %.6f too wide to test anything", what, se);
}

Test(qsim, mmc_matches_erlang_c)
{
	/* M/M/3, lambda = 2, S = 1: a = 2 erlangs, rho = 2/3.
	 * Erlang B(3, 2) = 4/19 by the recursion B_k = a B_{k-1} / (k + a B_{k-1}):
	 * B1 = 2/3, B2 = (4/3)/(2 + 4/3) = 2/5, B3 = (4/5)/(3 + 4/5) = 4/19.
	 * Erlang C = c B / (c - a (1 - B)) = (12/19) / (3 - 2 * 15/19) = (12/19)/(27/19) = 4/9.
	 * Wq = C / (c mu - lambda) = 4/9; W = Wq + S = 13/9.
	 * The response p90 solves (1-C) e^{-t} + C (theta e^{-t} - e^{-theta t})/(theta - 1) = 0.1
	 * with theta = c mu - lambda = 1: the limit (1 + t) e^{-t}, so 5/9 e^{-t} + 4/9 (1+t) e^{-t}
	 * = 0.1, i.e. (1 + 4t/9) e^{-t} = 0.1: t = 3.18440... (bisection, checked
	 * below through the closed form itself). */
	struct qsim_config cfg = {
		.servers = 3, .arrival_rate = 2, .service_time = 1, .ca2 = 1, .cs2 = 1,
		.customers = 100000, .warmup = 5000, .npercentiles = 1, .percentiles = { 0.90 },
	};
	struct qsim_summary s;
	cr_assert_eq(qsim_replicate(&cfg, 7, 20, 2, &s), 0);
	assert_within_4se(&s.p_wait, 4.0 / 9.0, 20, "P(wait)");
	assert_within_4se(&s.wait_mean, 4.0 / 9.0, 20, "mean wait");
	assert_within_4se(&s.response_mean, 13.0 / 9.0, 20, "mean response");
	assert_within_4se(&s.utilization, 2.0 / 3.0, 20, "utilisation");

	double t = 3.18440;
	cr_assert(fabs((1 + 4 * t / 9) * exp(-t) - 0.1) < 1e-4, "hand root of the p90 equation");
	/* The histogram adds at most 0.1% relative error on top of the sampling error. */
	assert_within_4se(&s.response_q[0], t, 20, "response p90");
}

Test(qsim, md1_matches_pollaczek_khinchine)
{
	/* M/D/1 with rho = 0.8, S = 1 (cs2 = 0: constant service). Pollaczek–Khinchine:
	 * Wq = rho S (1 + cs2) / (2 (1 - rho)) = 0.8 / 0.4 = 2.0 s exactly. */
	struct qsim_config cfg = {
		.servers = 1, .arrival_rate = 0.8, .service_time = 1, .ca2 = 1, .cs2 = 0,
		.customers = 200000, .warmup = 10000,
	};
	struct qsim_summary s;
	cr_assert_eq(qsim_replicate(&cfg, 11, 20, 2, &s), 0);
	assert_within_4se(&s.wait_mean, 2.0, 20, "M/D/1 mean wait");
	/* M/G/1: P(wait) = rho exactly (PASTA and the server's busy fraction). */
	assert_within_4se(&s.p_wait, 0.8, 20, "M/D/1 P(wait)");
}

Test(qsim, same_results_whatever_the_thread_count)
{
	struct qsim_config cfg = {
		.servers = 4, .arrival_rate = 3, .service_time = 1, .ca2 = 0.5, .cs2 = 2,
		.customers = 20000, .warmup = 1000, .npercentiles = 2, .percentiles = { 0.5, 0.99 },
	};
	struct qsim_summary one, two, three;
	cr_assert_eq(qsim_replicate(&cfg, 3, 9, 1, &one), 0);
	cr_assert_eq(qsim_replicate(&cfg, 3, 9, 2, &two), 0);
	cr_assert_eq(qsim_replicate(&cfg, 3, 9, 3, &three), 0);
	cr_assert(memcmp(&one, &two, sizeof one) == 0, "T=1 and T=2 differ");
	cr_assert(memcmp(&one, &three, sizeof one) == 0, "T=1 and T=3 differ");
	/* and a different seed gives a different sample */
	cr_assert_eq(qsim_replicate(&cfg, 4, 9, 2, &two), 0);
	cr_assert_neq(one.wait_mean.mean, two.wait_mean.mean);
}

Test(qsim, refuses_unstable_and_bad_queues)
{
	struct qsim_config cfg = {
		.servers = 2, .arrival_rate = 2, .service_time = 1, .ca2 = 1, .cs2 = 1,
		.customers = 10,
	};
	struct qsim_result r;
	cr_assert_eq(qsim_run(&cfg, 1, 0, &r), CAPSIM_EUNSTABLE);   /* rho = 1 exactly */
	cfg.servers = 2.5;
	cr_assert_eq(qsim_run(&cfg, 1, 0, &r), CAPSIM_EINVAL);
	cfg.servers = 3;
	cfg.customers = 0;
	cr_assert_eq(qsim_run(&cfg, 1, 0, &r), CAPSIM_EINVAL);
}

/* A summary interval is the t interval mean +- half with its bounds clipped into [lo, hi], and
 * then 0 <= lo <= low <= mean <= high <= hi. */
static void assert_clipped(const struct ci *ci, double lo, double hi, const char *what)
{
	cr_assert_eq(ci->low, fmax(ci->mean - ci->half, lo), "%s: low %.6f", what, ci->low);
	cr_assert_eq(ci->high, fmin(ci->mean + ci->half, hi), "%s: high %.6f", what, ci->high);
	cr_assert(lo <= ci->low && ci->low <= ci->mean && ci->mean <= ci->high && ci->high <= hi,
		  "%s: [%.6f, %.6f] around %.6f outside [%g, %g]", what, ci->low, ci->high,
		  ci->mean, lo, hi);
}

static void assert_all_clipped(const struct qsim_config *cfg, const struct qsim_summary *s)
{
	assert_clipped(&s->utilization, 0, 1, "utilisation");
	assert_clipped(&s->p_wait, 0, 1, "P(wait)");
	assert_clipped(&s->wait_mean, 0, INFINITY, "mean wait");
	assert_clipped(&s->response_mean, 0, INFINITY, "mean response");
	for (size_t i = 0; i < cfg->npercentiles; i++)
		assert_clipped(&s->response_q[i], 0, INFINITY, "response percentile");
}

Test(qsim, utilisation_interval_stops_at_one)
{
	/* capsim queue --servers 10 --arrival-rate 90 --service-time 100ms --simulate 500: ten
	 * replications of 50 customers at rho = 0.9 after the default warm-up of 1709. Their
	 * utilisations scatter so widely that mean + half passes 1 (the user saw 1.0062), but no
	 * busy fraction exceeds 1, so neither may the interval. */
	struct qsim_config cfg = {
		.servers = 10, .arrival_rate = 90, .service_time = 0.1, .ca2 = 1, .cs2 = 1,
		.customers = 50, .warmup = 1709, .npercentiles = 3, .percentiles = { 0.5, 0.95, 0.99 },
	};
	struct qsim_summary s;
	cr_assert_eq(qsim_replicate(&cfg, 1, 10, 2, &s), 0);
	cr_assert(s.utilization.mean + s.utilization.half > 1,
		  "the case must cross 1 to test anything: %.4f + %.4f", s.utilization.mean,
		  s.utilization.half);
	cr_assert_eq(s.utilization.high, 1.0);
	assert_all_clipped(&cfg, &s);
}

Test(qsim, intervals_of_a_quiet_queue_stop_at_zero)
{
	/* 30 servers at rho = 1/300, three replications of 10 customers and no warm-up: the busy
	 * fraction and the response times vary so much between replications that mean - half is
	 * negative, which no utilisation or duration can be. */
	struct qsim_config cfg = {
		.servers = 30, .arrival_rate = 1, .service_time = 0.1, .ca2 = 1, .cs2 = 1,
		.customers = 10, .warmup = 0, .npercentiles = 1, .percentiles = { 0.99 },
	};
	struct qsim_summary s;
	cr_assert_eq(qsim_replicate(&cfg, 1, 3, 2, &s), 0);
	cr_assert(s.utilization.mean - s.utilization.half < 0, "the case must cross 0");
	cr_assert(s.response_mean.mean - s.response_mean.half < 0, "the case must cross 0");
	cr_assert_eq(s.utilization.low, 0.0);
	cr_assert_eq(s.response_mean.low, 0.0);
	assert_all_clipped(&cfg, &s);
}
