/* Hold-model benchmark of the future event list (evq) and the engine against a binary heap.
 *
 * The classic hold model (Jones 1986; Brown 1988): fill the queue with n events at Exp(1)
 * times, then repeatedly pop the least and push one new event at its time + Exp(1), so the
 * size stays n (n = 10 and 50 exercise the small mode of sim/evq, larger n its calendar
 * mode). The initial times and the increments are drawn once with GSL into arrays read in
 * the same order by every structure, so the RNG is not what is measured and all structures
 * see the same event times. (The initial times must be n distinct draws: filling
 * from a short cycled table would plant thousands of exact ties, a different workload.)
 * Three structures:
 *   evq     sim/evq with real struct events (the popped event is re-pushed);
 *   heap    the baseline: a plain binary heap of (time, seq, payload) entries stored by value,
 *           sift with a hole (moves, not swaps); pop then push, like the others;
 *   engine  the whole engine: each handler schedules the next event via engine_schedule().
 * Each repetition builds the structure afresh (fill timed separately, not reported in the
 * ratio), then times HOLD_OPS hold operations. Repetitions of the three structures are
 * interleaved so that a noisy neighbour hurts them alike; rates are medians over the
 * repetitions and ratio is the median of the per-repetition ratios (each pair measured back
 * to back, so a burst of load elsewhere on the machine cancels out), printed as
 *   bench_evq: n=N evq_events_per_s=... heap_events_per_s=... ratio=...
 *   bench_evq: n=N engine_events_per_s=... heap_events_per_s=... ratio=...
 * A checksum of popped times guards against dead-code elimination and checks that all three
 * popped exactly the same sequence of times. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_statistics_double.h>
#include <gsl/gsl_sort.h>

#include "sim/engine.h"
#include "sim/evq.h"

#ifndef REPS
#define REPS 5
#endif
#ifndef HOLD_OPS
#define HOLD_OPS 4000000L
#endif
/* 2^20 increments (8 MiB), read sequentially: they stream through the cache. */
#define NDRAW (1u << 20)
#define NFILL_MAX 1000000

static double *draws;      /* Exp(1) increments of the hold phase */
static double *fill;       /* Exp(1) initial times: distinct, unlike a cycled table */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* ---- baseline: binary heap of entries by value ---- */

struct hent {
	double time;
	uint64_t seq;
	uint64_t payload;
};

struct heap {
	struct hent *a;
	size_t n;
};

static inline int hless(const struct hent *x, const struct hent *y)
{
	return x->time < y->time || (x->time == y->time && x->seq < y->seq);
}

static inline void heap_push(struct heap *h, struct hent e)
{
	size_t i = h->n++;

	while (i > 0) {
		size_t p = (i - 1) / 2;

		if (!hless(&e, &h->a[p]))
			break;
		h->a[i] = h->a[p];
		i = p;
	}
	h->a[i] = e;
}

static inline struct hent heap_pop(struct heap *h)
{
	struct hent top = h->a[0];
	struct hent last = h->a[--h->n];
	size_t n = h->n, i = 0;

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= n)
			break;
		if (c + 1 < n && hless(&h->a[c + 1], &h->a[c]))
			c++;
		if (!hless(&h->a[c], &last))
			break;
		h->a[i] = h->a[c];
		i = c;
	}
	if (n > 0)
		h->a[i] = last;
	return top;
}

static double run_heap(size_t n, double *fill_s, double *sum)
{
	struct heap h = {malloc(n * sizeof(struct hent)), 0};
	uint64_t seq = 0;
	size_t d = 0;
	double t0, t1, s = 0;

	if (!h.a)
		abort();
	t0 = now_s();
	for (size_t i = 0; i < n; i++) {
		heap_push(&h, (struct hent){fill[i], ++seq, i});
	}
	t1 = now_s();
	*fill_s = t1 - t0;
	for (long k = 0; k < HOLD_OPS; k++) {
		struct hent e = heap_pop(&h);

		s += e.time;
		e.time += draws[d];
		e.seq = ++seq;
		d = (d + 1) & (NDRAW - 1);
		heap_push(&h, e);
	}
	t0 = now_s() - t1;
	free(h.a);
	*sum = s;
	return (double)HOLD_OPS / t0;
}

/* ---- evq with real struct events ---- */

static double run_evq(size_t n, double *fill_s, double *sum)
{
	struct evq q;
	struct event *ev;
	uint64_t seq = 0;
	size_t d = 0;
	double t0, t1, s = 0;
	size_t bytes = (n * sizeof *ev + 63) / 64 * 64;

	/* Aligned like the engine's slabs. */
	ev = aligned_alloc(64, bytes);
	if (!ev || evq_init(&q))
		abort();
	memset(ev, 0, bytes);
	t0 = now_s();
	for (size_t i = 0; i < n; i++) {
		ev[i].time = fill[i];
		ev[i].seq = ++seq;
		evq_push(&q, &ev[i]);
	}
	t1 = now_s();
	*fill_s = t1 - t0;
	for (long k = 0; k < HOLD_OPS; k++) {
		struct event *e = evq_pop(&q);

		s += e->time;
		e->time += draws[d];
		e->seq = ++seq;
		d = (d + 1) & (NDRAW - 1);
		evq_push(&q, e);
	}
	t0 = now_s() - t1;
	evq_release(&q);
	free(ev);
	*sum = s;
	return (double)HOLD_OPS / t0;
}

/* ---- the engine: handler reschedules ---- */

struct hold_ctx {
	int type;
	size_t d;
	long left;
	double sum;
};

static void hold_handler(struct engine *eng, struct event *ev, void *ctx)
{
	struct hold_ctx *c = ctx;

	c->sum += ev->time;
	engine_schedule(eng, ev->time + draws[c->d], c->type, NULL, 0, NULL);
	c->d = (c->d + 1) & (NDRAW - 1);
	if (--c->left == 0)
		engine_stop(eng);
}

static double run_engine(size_t n, double *fill_s, double *sum)
{
	struct engine eng;
	struct hold_ctx c = {0, 0, HOLD_OPS, 0};
	double t0, t1;

	if (engine_init(&eng))
		abort();
	c.type = engine_on(&eng, hold_handler, &c);
	t0 = now_s();
	for (size_t i = 0; i < n; i++) {
		if (engine_schedule(&eng, fill[i], c.type, NULL, 0, NULL))
			abort();
	}
	t1 = now_s();
	*fill_s = t1 - t0;
	engine_run(&eng, INFINITY);
	t0 = now_s() - t1;
	if (engine_events_run(&eng) != (uint64_t)HOLD_OPS)
		abort();
	engine_release(&eng);
	*sum = c.sum;
	return (double)HOLD_OPS / t0;
}

static double median(double *x, size_t n)
{
	gsl_sort(x, 1, n);
	return gsl_stats_median_from_sorted_data(x, 1, n);
}

int main(void)
{
	/* 10 and 50: the event list's small mode (at most EVQ_SMALL_MAX events); the others its
	 * calendar mode. Targets: ratio >= 1 at 1e3, >= 2 at 1e5 and 1e6. */
	static const size_t sizes[] = {10, 50, 1000, 100000, 1000000};
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	int bad = 0;

	draws = malloc(NDRAW * sizeof *draws);
	fill = malloc(NFILL_MAX * sizeof *fill);
	if (!rng || !draws || !fill)
		return 1;
	gsl_rng_set(rng, 12345);
	for (size_t i = 0; i < NDRAW; i++)
		draws[i] = gsl_ran_exponential(rng, 1.0);
	for (size_t i = 0; i < NFILL_MAX; i++)
		fill[i] = gsl_ran_exponential(rng, 1.0);
	for (size_t si = 0; si < sizeof sizes / sizeof *sizes; si++) {
		size_t n = sizes[si];
		double he[REPS], ee[REPS], ge[REPS], hf[REPS], ef[REPS], gf[REPS];
		double er[REPS], gr[REPS];
		double hs = 0, es = 0, gs = 0;

		for (int r = 0; r < REPS; r++) {
			he[r] = run_heap(n, &hf[r], &hs);
			ee[r] = run_evq(n, &ef[r], &es);
			ge[r] = run_engine(n, &gf[r], &gs);
			/* Same draws, same (time, seq) order: identical popped times, summed in
			 * the same order, so the sums agree exactly. */
			if (hs != es || hs != gs)
				bad = 1;
			er[r] = ee[r] / he[r];
			gr[r] = ge[r] / he[r];
		}
		double h = median(he, REPS), e = median(ee, REPS), g = median(ge, REPS);

		printf("bench_evq: n=%zu evq_events_per_s=%.4g heap_events_per_s=%.4g ratio=%.2f"
		       " evq_fill_s=%.3g heap_fill_s=%.3g\n",
		       n, e, h, median(er, REPS), median(ef, REPS), median(hf, REPS));
		printf("bench_evq: n=%zu engine_events_per_s=%.4g heap_events_per_s=%.4g ratio=%.2f"
		       " engine_fill_s=%.3g\n",
		       n, g, h, median(gr, REPS), median(gf, REPS));
		fflush(stdout);
	}
	if (bad)
		printf("bench_evq: error=checksums_differ\n");
	free(draws);
	free(fill);
	gsl_rng_free(rng);
	return bad;
}
