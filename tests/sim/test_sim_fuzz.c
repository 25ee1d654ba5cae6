/* The engine layer against independent references: the event list and the engine against
 * a linear scan over random operations, Welford against a two-pass variance, quantiles
 * against brute force; and edge cases of the histogram, the generator and mc. */
#include <criterion/criterion.h>

#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "sim/engine.h"
#include "sim/error.h"
#include "sim/evq.h"
#include "sim/mc.h"
#include "sim/rng.h"
#include "sim/stats.h"

/* ---- evq against a linear-scan reference ---- */

static int before(const struct event *a, const struct event *b)
{
	return a->time < b->time || (a->time == b->time && a->seq < b->seq);
}

/* Index of the least pending event of ref[0..n), or n. */
static size_t ref_min(struct event **ref, size_t n)
{
	size_t best = n;
	for (size_t i = 0; i < n; i++)
		if (best == n || before(ref[i], ref[best]))
			best = i;
	return best;
}

static double draw_time(gsl_rng *r, int mode, double last)
{
	double u = gsl_rng_uniform(r);
	switch (mode) {
	case 0: /* hold model, exp increments from the last pop */
		return last - log(1 - u);
	case 1: /* 1e-9 .. 1e12 log-uniform, anywhere (also before the last pop) */
		return pow(10.0, -9.0 + 21.0 * u);
	case 2: /* a few instants only: masses of ties */
		return (double)gsl_rng_uniform_int(r, 3);
	case 3: /* bimodal from the last pop */
		return last + (u < 0.5 ? 1e-3 * u : 1e6 * u);
	case 4: /* infinities and signed zeros mixed with normal times */
		if (u < 0.1)
			return INFINITY;
		if (u < 0.15)
			return -INFINITY;
		if (u < 0.2)
			return -0.0;
		return pow(10.0, -9.0 + 21.0 * gsl_rng_uniform(r)) * (u < 0.6 ? 1 : -1);
	default: /* engine-like: last + tiny or huge, or exactly last */
		if (u < 0.3)
			return last;
		if (u < 0.6)
			return last + 1e-9 * gsl_rng_uniform(r);
		return last + pow(10.0, 12.0 * gsl_rng_uniform(r));
	}
}

Test(sim_fuzz, evq_random_ops_match_linear_reference)
{
	enum { MAXN = 4000 };
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	struct event *pool = calloc(MAXN, sizeof *pool);
	struct event **ref = calloc(MAXN, sizeof *ref);
	struct event **freel = calloc(MAXN, sizeof *freel);

	for (unsigned trial = 0; trial < 120; trial++) {
		struct evq q;
		size_t n = 0, nfree = 0;
		uint64_t seq = 0;
		int mode = (int)(trial % 6);
		double last = 0;
		/* Size target that saws: crosses the small/calendar thresholds and resizes. */
		size_t target = (size_t[]){5, 60, 300, 3000}[trial / 6 % 4];

		gsl_rng_set(r, 1000 + trial);
		memset(pool, 0, MAXN * sizeof *pool);
		for (size_t i = 0; i < MAXN; i++)
			freel[nfree++] = &pool[i];
		cr_assert_eq(evq_init(&q), 0);
		for (unsigned op = 0; op < 40000; op++) {
			double u = gsl_rng_uniform(r);
			double ppush = n < target ? 0.6 : 0.4;
			if (op % 5000 == 4999)
				target = (size_t)gsl_rng_uniform_int(r, 3000) + 1;
			if (u < ppush && nfree > 0) {
				struct event *ev = freel[--nfree];
				ev->time = draw_time(r, mode, last);
				ev->seq = ++seq;
				cr_assert_eq(evq_push(&q, ev), 0);
				ref[n++] = ev;
			} else if (u < ppush + 0.1 && n > 0) {
				size_t k = gsl_rng_uniform_int(r, n);
				struct event *ev = ref[k];
				evq_remove(&q, ev);
				cr_assert(!evq_is_pending(ev));
				ref[k] = ref[--n];
				/* Scribble: the queue must never read it again. */
				ev->time = NAN;
				ev->seq = 0xdeadbeef;
				freel[nfree++] = ev;
			} else if (u < ppush + 0.15) {
				size_t m = ref_min(ref, n);
				struct event *pk = evq_peek(&q);
				cr_assert_eq(pk, m < n ? ref[m] : NULL, "trial %u op %u peek", trial, op);
			} else if (u < ppush + 0.25) {
				size_t m = ref_min(ref, n);
				double until = m < n ? ref[m]->time + (gsl_rng_uniform(r) - 0.5) : 0;
				struct event *ev = evq_pop_until(&q, until);
				struct event *want = (m < n && ref[m]->time <= until) ? ref[m] : NULL;
				cr_assert_eq(ev, want, "trial %u op %u pop_until", trial, op);
				if (ev) {
					last = ev->time;
					ref[m] = ref[--n];
					freel[nfree++] = ev;
				}
			} else {
				size_t m = ref_min(ref, n);
				struct event *ev = evq_pop(&q);
				cr_assert_eq(ev, m < n ? ref[m] : NULL,
					     "trial %u (mode %d) op %u pop: got (%.17g,%llu) want (%.17g,%llu)",
					     trial, mode, op, ev ? ev->time : -1.0,
					     ev ? (unsigned long long)ev->seq : 0ULL,
					     m < n ? ref[m]->time : -1.0,
					     m < n ? (unsigned long long)ref[m]->seq : 0ULL);
				if (ev) {
					if (isfinite(ev->time))
						last = ev->time;
					ref[m] = ref[--n];
					freel[nfree++] = ev;
				}
			}
			cr_assert_eq(evq_size(&q), n);
		}
		evq_release(&q);
	}
	free(pool);
	free(ref);
	free(freel);
	gsl_rng_free(r);
}

/* ---- stats against two-pass / brute force ---- */

Test(sim_fuzz, welford_matches_two_pass_with_large_offset)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	for (int t = 0; t < 50; t++) {
		size_t n = 2 + (size_t)gsl_rng_uniform_int(r, 5000);
		double off = pow(10.0, (double)gsl_rng_uniform_int(r, 13));
		double *x = malloc(n * sizeof *x);
		long double s = 0, ss = 0;
		struct welford w, a, b;
		welford_init(&w);
		welford_init(&a);
		welford_init(&b);
		for (size_t i = 0; i < n; i++) {
			x[i] = off + gsl_rng_uniform(r);
			welford_add(&w, x[i]);
			welford_add(i < n / 3 ? &a : &b, x[i]);
			s += x[i];
		}
		long double mean = s / n;
		for (size_t i = 0; i < n; i++)
			ss += (x[i] - mean) * (x[i] - mean);
		double var = (double)(ss / (n - 1));
		welford_merge(&a, &b);
		/* Double rounding of x itself bounds what any method gets: eps * mean / sd. */
		double tol = 1e-9 + 50 * 2.2e-16 * off / sqrt(var);
		cr_expect(fabs(welford_var(&w) - var) <= tol * var,
			  "n %zu off %g: %.17g vs %.17g", n, off, welford_var(&w), var);
		cr_expect(fabs(welford_var(&a) - var) <= tol * var);
		free(x);
	}
	gsl_rng_free(r);
}

static int dcmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

Test(sim_fuzz, quantile_matches_brute_force)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	for (int t = 0; t < 2000; t++) {
		size_t n = 1 + (size_t)gsl_rng_uniform_int(r, 40);
		double v[40], s[40], p = gsl_rng_uniform(r);
		for (size_t i = 0; i < n; i++)
			v[i] = s[i] = (double)gsl_rng_uniform_int(r, 5) * 1.1;
		qsort(s, n, sizeof *s, dcmp);
		long double h = (long double)(n - 1) * p;
		size_t lo = (size_t)floorl(h);
		size_t hi = lo + 1 < n ? lo + 1 : lo;
		long double want = s[lo] + (h - lo) * ((long double)s[hi] - s[lo]);
		double got = stats_quantile(v, n, p);
		cr_expect(fabsl(got - want) <= 1e-12L * (1 + fabsl(want)), "n %zu p %g: %g vs %Lg",
			  n, p, got, want);
		cr_expect(got >= s[lo] && got <= s[hi]);
	}
	gsl_rng_free(r);
}

/* stats.h: values above hi, "including +inf", are counted in the overflow bucket; the
 * extremes are exact. All +inf values: every quantile should be +inf (stats_quantile gives
 * +inf), never NaN. */
Test(sim_fuzz, hist_quantile_of_infinite_values_is_not_nan)
{
	struct hist h;
	double v[2] = {INFINITY, INFINITY};
	cr_assert_eq(hist_init(&h, 1e-3, 1e3, 0.01), 0);
	hist_add(&h, INFINITY);
	hist_add(&h, INFINITY);
	double q = hist_quantile(&h, 0.5), ref = stats_quantile(v, 2, 0.5);
	cr_expect(!isnan(q), "hist_quantile([inf, inf], 0.5) = %g, stats_quantile = %g", q, ref);
	hist_release(&h);
}

/* rng.h: "Uniform integer in [0, n) ...; n must be in [1, 2^32]". */
Test(sim_fuzz, rng_uniform_int_accepts_2_pow_32)
{
	struct rng s;
	cr_assert_eq(rng_init(&s, 1, 0, 0), 0);
	unsigned long x = rng_uniform_int(&s, 1UL << 32);
	cr_expect(x < (1UL << 32));
	rng_release(&s);
}

/* ---- mc: results of replications that finished but are not folded after a failure ---- */

#include <stdatomic.h>
#include <time.h>

static atomic_long live_results;

static int owning_run(uint64_t seed, uint64_t rep, void *result, void *ctx)
{
	(void)seed;
	(void)ctx;
	if (rep == 3) {
		/* Fail late, so that later replications finish first. */
		nanosleep(&(struct timespec){0, 50000000}, NULL);
		return CAPSIM_EINVAL;
	}
	*(uint64_t *)result = rep;
	atomic_fetch_add(&live_results, 1);   /* the result owns something */
	return 0;
}

static void owning_release(const void *result, uint64_t rep, void *ctx)
{
	(void)ctx;
	cr_expect_eq(*(const uint64_t *)result, rep);
	atomic_fetch_sub(&live_results, 1);
}

/* mc.h: a failure of replication k folds 0..k-1; the later replications that finished are
 * handed to discard, so that results owning memory (world_rep) are not leaked. */
Test(sim_fuzz, mc_failure_releases_every_unfolded_result)
{
	for (unsigned threads = 1; threads <= 4; threads++) {
		atomic_store(&live_results, 0);
		struct mc_config c = {.seed = 1, .reps = 64, .threads = threads,
				      .result_size = sizeof(uint64_t), .run = owning_run,
				      .fold = owning_release, .discard = owning_release};
		cr_expect_eq(mc_run(&c), CAPSIM_EINVAL);
		cr_expect_eq(atomic_load(&live_results), 0, "threads %u: %ld results never released",
			     threads, atomic_load(&live_results));
	}
}

/* ---- engine: handlers scheduling and cancelling, against a reference list ---- */

#define EF_MAX 20000
struct efz {
	gsl_rng *r;
	struct engine_handle h[EF_MAX];  /* by id */
	double t[EF_MAX];
	uint64_t order[EF_MAX];          /* scheduling order (reference seq) */
	unsigned char pending[EF_MAX];
	size_t nid;
	uint64_t sched;
	size_t fired;
	int type;
};

static void efz_sched(struct engine *eng, struct efz *z)
{
	if (z->nid >= EF_MAX)
		return;
	double u = gsl_rng_uniform(z->r), now = engine_now(eng);
	double at = u < 0.2 ? now : u < 0.5 ? now + 1e-9 * gsl_rng_uniform(z->r) :
		    now + pow(10.0, -9 + 21 * gsl_rng_uniform(z->r));
	size_t id = z->nid++;
	cr_assert_eq(engine_schedule(eng, at, z->type, z, id, &z->h[id]), 0);
	z->t[id] = at;
	z->order[id] = ++z->sched;
	z->pending[id] = 1;
}

/* The reference's next event: least (t, order) among pending. */
static size_t efz_min(struct efz *z)
{
	size_t best = EF_MAX;
	for (size_t i = 0; i < z->nid; i++)
		if (z->pending[i] && (best == EF_MAX || z->t[i] < z->t[best] ||
				      (z->t[i] == z->t[best] && z->order[i] < z->order[best])))
			best = i;
	return best;
}

static void efz_handler(struct engine *eng, struct event *ev, void *ctx)
{
	struct efz *z = ctx;
	size_t want = efz_min(z);
	cr_assert_eq(ev->arg, want, "fired %zu: got id %llu want %zu", z->fired,
		     (unsigned long long)ev->arg, want);
	z->pending[ev->arg] = 0;
	z->fired++;
	cr_assert_eq(engine_cancel(eng, z->h[ev->arg]), CAPSIM_ENOTFOUND);
	int k = (int)gsl_rng_uniform_int(z->r, 4);
	for (int i = 0; i < k; i++)
		efz_sched(eng, z);
	if (z->nid && gsl_rng_uniform(z->r) < 0.4) {
		size_t id = gsl_rng_uniform_int(z->r, z->nid);
		int rc = engine_cancel(eng, z->h[id]);
		cr_assert_eq(rc, z->pending[id] ? 0 : CAPSIM_ENOTFOUND, "cancel id %zu", id);
		z->pending[id] = 0;
		cr_assert_eq(engine_cancel(eng, z->h[id]), CAPSIM_ENOTFOUND);
	}
}

Test(sim_fuzz, engine_fuzz_matches_reference)
{
	for (unsigned trial = 0; trial < 6; trial++) {
		struct efz *z = calloc(1, sizeof *z);
		struct engine eng;
		z->r = gsl_rng_alloc(gsl_rng_mt19937);
		gsl_rng_set(z->r, trial);
		cr_assert_eq(engine_init(&eng), 0);
		z->type = engine_on(&eng, efz_handler, z);
		for (int i = 0; i < (int)(trial * 40); i++)
			efz_sched(&eng, z);
		efz_sched(&eng, z);
		while (z->fired < 3000 && engine_pending(&eng) > 0) {
			double until = engine_now(&eng) + pow(10.0, -9 + 21 * gsl_rng_uniform(z->r));
			cr_assert(engine_run(&eng, until) >= 0);
			if (engine_pending(&eng) == 0)
				efz_sched(&eng, z);
		}
		engine_release(&eng);
		gsl_rng_free(z->r);
		free(z);
	}
}
