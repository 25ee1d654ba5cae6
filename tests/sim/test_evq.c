/* Tests of the future event list: exact (time, seq) order against independent references. */
#include <criterion/criterion.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "sim/error.h"
#include "sim/evq.h"

/* (time, seq) order, written out independently of evq.c. */
static int key_cmp(const void *pa, const void *pb)
{
	const struct event *a = *(struct event *const *)pa, *b = *(struct event *const *)pb;

	if (a->time != b->time)
		return a->time < b->time ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* A time drawn to stress the structure: many exact duplicates (from a small pool), a spread
 * of magnitudes from 1e-6 to 1e9 s (log-uniform), and zero. */
static double stress_time(gsl_rng *r, const double *pool, size_t npool)
{
	double u = gsl_rng_uniform(r);

	if (u < 0.4)
		return pool[gsl_rng_uniform_int(r, npool)];
	if (u < 0.45)
		return 0.0;
	return pow(10.0, -6.0 + 15.0 * gsl_rng_uniform(r));
}

/* Pops everything and checks it against the qsort of the same events. */
static void drain_and_check(struct evq *q, struct event **ref, size_t n)
{
	qsort(ref, n, sizeof *ref, key_cmp);
	for (size_t i = 0; i < n; i++) {
		struct event *ev = evq_pop(q);

		cr_assert_not_null(ev, "queue ran dry at %zu of %zu", i, n);
		cr_assert_eq(ev, ref[i], "pop %zu: got (%.17g, %llu), want (%.17g, %llu)", i,
			     ev->time, (unsigned long long)ev->seq, ref[i]->time,
			     (unsigned long long)ref[i]->seq);
		cr_assert(!evq_is_pending(ev));
	}
	cr_assert_null(evq_pop(q));
	cr_assert_eq(evq_size(q), 0);
}

Test(evq, empty_queue_pops_null)
{
	struct evq q;

	cr_assert_eq(evq_init(&q), 0);
	cr_assert_null(evq_pop(&q));
	cr_assert_null(evq_peek(&q));
	cr_assert_null(evq_pop_until(&q, INFINITY));
	cr_assert_eq(evq_size(&q), 0);
	evq_release(&q);
	evq_release(&q);   /* a released queue is zeroed: releasing again is harmless */
	evq_release(NULL);
}

Test(evq, ties_pop_in_seq_order)
{
	/* 3000 events: every third at the same instant 5.0, the others spread around it, pushed
	 * in seq order. The ones at 5.0 must come out in seq order, after every earlier time
	 * and before every later one. */
	enum { N = 3000 };
	static struct event ev[N];
	struct event *ref[N];
	struct evq q;

	cr_assert_eq(evq_init(&q), 0);
	for (size_t i = 0; i < N; i++) {
		ev[i] = (struct event){0};
		ev[i].time = i % 3 == 0 ? 5.0 : (double)((i * 7919) % 1000) / 100.0;
		ev[i].seq = i + 1;
		ref[i] = &ev[i];
		cr_assert_eq(evq_push(&q, &ev[i]), 0);
	}
	cr_assert_eq(evq_size(&q), N);
	drain_and_check(&q, ref, N);
	evq_release(&q);
}

Test(evq, ties_pushed_out_of_seq_order_still_pop_by_seq)
{
	/* seq, not push order, breaks ties: push 500 ties with seqs in a shuffled order. */
	enum { N = 500 };
	static struct event ev[N];
	struct event *ref[N];
	struct evq q;
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	size_t perm[N];

	gsl_rng_set(r, 7);
	for (size_t i = 0; i < N; i++)
		perm[i] = i;
	gsl_ran_shuffle(r, perm, N, sizeof *perm);
	cr_assert_eq(evq_init(&q), 0);
	for (size_t i = 0; i < N; i++) {
		ev[i] = (struct event){.time = 42.0, .seq = perm[i] + 10};
		ref[i] = &ev[i];
		cr_assert_eq(evq_push(&q, &ev[i]), 0);
	}
	drain_and_check(&q, ref, N);
	evq_release(&q);
	gsl_rng_free(r);
}

Test(evq, pops_match_qsort_over_wide_magnitudes_and_duplicates)
{
	enum { N = 60000 };
	struct event *ev = calloc(N, sizeof *ev);
	struct event **ref = malloc(N * sizeof *ref);
	double pool[16];
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	struct evq q;

	gsl_rng_set(r, 2024);
	for (size_t i = 0; i < 16; i++)
		pool[i] = pow(10.0, -6.0 + 15.0 * gsl_rng_uniform(r));
	cr_assert_eq(evq_init(&q), 0);
	for (size_t i = 0; i < N; i++) {
		ev[i].time = stress_time(r, pool, 16);
		ev[i].seq = i + 1;
		ref[i] = &ev[i];
		cr_assert_eq(evq_push(&q, &ev[i]), 0);
	}
	drain_and_check(&q, ref, N);
	evq_release(&q);
	gsl_rng_free(r);
	free(ref);
	free(ev);
}

/* A reference priority queue that cannot be wrong: an unsorted array, linear search. */
struct refq {
	struct event **a;
	size_t n;
};

static struct event *refq_pop(struct refq *r)
{
	size_t best = 0;

	if (r->n == 0)
		return NULL;
	for (size_t i = 1; i < r->n; i++)
		if (key_cmp(&r->a[i], &r->a[best]) < 0)
			best = i;
	struct event *ev = r->a[best];

	r->a[best] = r->a[--r->n];
	return ev;
}

static void refq_remove(struct refq *r, struct event *ev)
{
	for (size_t i = 0; i < r->n; i++) {
		if (r->a[i] == ev) {
			r->a[i] = r->a[--r->n];
			return;
		}
	}
	cr_assert_fail("reference lost an event");
}

Test(evq, interleaved_push_pop_remove_match_reference)
{
	/* A simulation-like mix: the clock is the last popped time; pushes land at clock +
	 * a stress delay (duplicates, zero delays, 1e-6 .. 1e9 s), some pending events are
	 * removed at random, and bursts of pushes and of pops make the queue grow and shrink
	 * through many rebuilds. Every pop must equal the reference's. */
	enum { CAP = 4000, STEPS = 60000 };
	struct event *ev = calloc(CAP, sizeof *ev);
	struct event **freelist = malloc(CAP * sizeof *freelist);
	struct refq ref = {malloc(CAP * sizeof *ref.a), 0};
	size_t nfree = CAP;
	uint64_t seq = 0;
	double clock = 0, pool[8];
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	struct evq q;

	gsl_rng_set(r, 99);
	for (size_t i = 0; i < 8; i++)
		pool[i] = pow(10.0, -6.0 + 15.0 * gsl_rng_uniform(r));
	for (size_t i = 0; i < CAP; i++)
		freelist[i] = &ev[i];
	cr_assert_eq(evq_init(&q), 0);
	for (size_t step = 0; step < STEPS; step++) {
		/* Phases of 2000 steps alternate between growing and shrinking. */
		double p_push = (step / 2000) % 2 == 0 ? 0.7 : 0.3;
		double u = gsl_rng_uniform(r);

		if (u < p_push && nfree > 0) {
			struct event *e = freelist[--nfree];

			e->time = clock + stress_time(r, pool, 8);
			e->seq = ++seq;
			cr_assert_eq(evq_push(&q, e), 0);
			ref.a[ref.n++] = e;
		} else if (u < 0.9 || ref.n == 0) {
			struct event *a = evq_pop(&q), *b = refq_pop(&ref);

			cr_assert_eq(a, b, "step %zu: popped the wrong event", step);
			if (a) {
				cr_assert_geq(a->time, clock);
				clock = a->time;
				freelist[nfree++] = a;
			}
		} else {
			struct event *e = ref.a[gsl_rng_uniform_int(r, ref.n)];

			evq_remove(&q, e);
			cr_assert(!evq_is_pending(e));
			refq_remove(&ref, e);
			freelist[nfree++] = e;
		}
		cr_assert_eq(evq_size(&q), ref.n);
		/* The promise of evq.h: dead entries stay bounded by the live count. */
		cr_assert_leq(q.ndead, q.size + 64);
	}
	while (ref.n > 0)
		cr_assert_eq(evq_pop(&q), refq_pop(&ref));
	cr_assert_null(evq_pop(&q));
	evq_release(&q);
	gsl_rng_free(r);
	free(ref.a);
	free(freelist);
	free(ev);
}

Test(evq, removing_a_random_subset_leaves_exactly_the_others_in_order)
{
	enum { N = 20000 };
	struct event *ev = calloc(N, sizeof *ev);
	struct event **keep = malloc(N * sizeof *keep);
	char *gone = calloc(N, 1);
	size_t nkeep = 0;
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	struct evq q;

	gsl_rng_set(r, 5);
	cr_assert_eq(evq_init(&q), 0);
	for (size_t i = 0; i < N; i++) {
		/* Integer times in [0, 500): about 40 ties each. */
		ev[i].time = (double)gsl_rng_uniform_int(r, 500);
		ev[i].seq = i + 1;
		cr_assert_eq(evq_push(&q, &ev[i]), 0);
	}
	/* Pop a few first, so that some removals hit the sorted bottom, not only buckets. */
	for (size_t i = 0; i < 100; i++) {
		struct event *e = evq_pop(&q);

		gone[e - ev] = 1;
	}
	for (size_t i = 0; i < N; i++) {
		if (!gone[i] && gsl_rng_uniform(r) < 0.5) {
			evq_remove(&q, &ev[i]);
			gone[i] = 1;
		}
	}
	for (size_t i = 0; i < N; i++)
		if (!gone[i])
			keep[nkeep++] = &ev[i];
	cr_assert_eq(evq_size(&q), nkeep);
	drain_and_check(&q, keep, nkeep);
	evq_release(&q);
	gsl_rng_free(r);
	free(gone);
	free(keep);
	free(ev);
}

Test(evq, removed_event_may_be_freed_at_once)
{
	/* Each event is its own allocation and is freed right after evq_remove(): the queue must
	 * never read it again (ASan reports a use after free otherwise). */
	enum { N = 3000 };
	struct event *ev[N];
	struct event *keep[N];
	size_t nkeep = 0;
	struct evq q;

	cr_assert_eq(evq_init(&q), 0);
	for (size_t i = 0; i < N; i++) {
		ev[i] = calloc(1, sizeof **ev);
		ev[i]->time = (double)(i % 97);
		ev[i]->seq = i + 1;
		cr_assert_eq(evq_push(&q, ev[i]), 0);
	}
	(void)evq_peek(&q);  /* sorts the first bucket into the bottom */
	for (size_t i = 0; i < N; i++) {
		if (i % 3 == 0) {
			evq_remove(&q, ev[i]);
			free(ev[i]);
		} else {
			keep[nkeep++] = ev[i];
		}
	}
	drain_and_check(&q, keep, nkeep);
	for (size_t i = 0; i < nkeep; i++)
		free(keep[i]);
	evq_release(&q);
}

Test(evq, reusing_a_removed_seq_is_refused_until_its_entry_is_gone)
{
	/* In the calendar mode a removed event's entry stays, dead, until reached. Fillers at
	 * t >= 10, twice as many as the small mode holds, put the queue in that mode. */
	enum { NFILL = 2 * EVQ_SMALL_MAX };
	static struct event fill[NFILL];
	struct event a = {.time = 3.0, .seq = 1}, b = {.time = 4.0, .seq = 2};
	struct evq q;

	cr_assert_eq(evq_init(&q), 0);
	cr_assert_eq(evq_push(&q, &a), 0);
	cr_assert_eq(evq_push(&q, &b), 0);
	for (size_t i = 0; i < NFILL; i++) {
		fill[i] = (struct event){.time = 10.0 + (double)i, .seq = 100 + i};
		cr_assert_eq(evq_push(&q, &fill[i]), 0);
	}
	cr_assert(!q.small, "test premise: the calendar mode");
	evq_remove(&q, &a);
	/* Same seq while a's dead entry is held: ambiguous, refused, queue unchanged. */
	a.time = 1.0;
	cr_assert_eq(evq_push(&q, &a), CAPSIM_EINVAL);
	cr_assert(!evq_is_pending(&a));
	cr_assert_eq(evq_size(&q), NFILL + 1);
	/* With a new seq it is a new event. */
	a.seq = 3;
	cr_assert_eq(evq_push(&q, &a), 0);
	cr_assert_eq(evq_pop(&q), &a);
	cr_assert_eq(evq_pop(&q), &b);
	for (size_t i = 0; i < NFILL; i++)
		cr_assert_eq(evq_pop(&q), &fill[i]);
	cr_assert_null(evq_pop(&q));
	evq_release(&q);
}

Test(evq, small_mode_removal_erases_the_entry_so_its_seq_may_be_pushed_again)
{
	/* Up to EVQ_SMALL_MAX events the queue keeps one sorted array and erases removed
	 * entries at once: nothing of a is left, so pushing its seq again is not ambiguous and
	 * is accepted. */
	struct event a = {.time = 3.0, .seq = 1}, b = {.time = 4.0, .seq = 2};
	struct evq q;

	cr_assert_eq(evq_init(&q), 0);
	cr_assert_eq(evq_push(&q, &a), 0);
	cr_assert_eq(evq_push(&q, &b), 0);
	cr_assert(q.small, "test premise: the small mode");
	evq_remove(&q, &a);
	cr_assert_eq(q.ndead, 0);
	a.time = 5.0;
	cr_assert_eq(evq_push(&q, &a), 0);
	cr_assert_eq(evq_pop(&q), &b);
	cr_assert_eq(evq_pop(&q), &a);
	cr_assert_null(evq_pop(&q));
	evq_release(&q);
}

Test(evq, nan_time_is_refused)
{
	struct event a = {.time = NAN, .seq = 1};
	struct evq q;

	cr_assert_eq(evq_init(&q), 0);
	cr_assert_eq(evq_push(&q, &a), CAPSIM_EINVAL);
	cr_assert(!evq_is_pending(&a));
	cr_assert_eq(evq_size(&q), 0);
	evq_release(&q);
}

Test(evq, infinite_negative_and_signed_zero_times_keep_order)
{
	/* Order: -inf, -1e300, -1, -0.0 and +0.0 (equal: by seq), 1e-300, 1, 1e300, +inf. */
	double t[] = {INFINITY, 1.0, -0.0, -INFINITY, 1e300, 0.0, -1.0, 1e-300, -1e300};
	enum { N = sizeof t / sizeof *t };
	struct event ev[N];
	struct event *ref[N];
	struct evq q;

	cr_assert_eq(evq_init(&q), 0);
	for (size_t i = 0; i < N; i++) {
		ev[i] = (struct event){.time = t[i], .seq = i + 1};
		ref[i] = &ev[i];
		cr_assert_eq(evq_push(&q, &ev[i]), 0);
	}
	drain_and_check(&q, ref, N);
	evq_release(&q);
}

Test(evq, peek_and_pop_until_leave_later_events)
{
	struct event ev[4] = {
		{.time = 1.0, .seq = 1}, {.time = 2.0, .seq = 2},
		{.time = 2.0, .seq = 3}, {.time = 3.0, .seq = 4},
	};
	struct evq q;

	cr_assert_eq(evq_init(&q), 0);
	for (int i = 3; i >= 0; i--)
		cr_assert_eq(evq_push(&q, &ev[i]), 0);
	cr_assert_eq(evq_peek(&q), &ev[0]);
	cr_assert_eq(evq_size(&q), 4);
	cr_assert_eq(evq_pop_until(&q, 2.0), &ev[0]);
	cr_assert_eq(evq_pop_until(&q, 2.0), &ev[1]);   /* time == until is included */
	cr_assert_eq(evq_pop_until(&q, 2.0), &ev[2]);
	cr_assert_null(evq_pop_until(&q, 2.0));
	cr_assert_eq(evq_size(&q), 1);
	cr_assert(evq_is_pending(&ev[3]));
	cr_assert_eq(evq_pop(&q), &ev[3]);
	evq_release(&q);
}

Test(evq, density_shift_by_a_factor_of_a_million_keeps_order)
{
	/* The first 20000 events 1 s apart, the next 20000 1 us apart, then 1 ks apart: the
	 * width is re-estimated on the way; order must hold throughout (a hold model: pop one,
	 * push one at clock + gap). */
	enum { N = 2000, OPS = 60000 };
	struct event *ev = calloc(N, sizeof *ev);
	struct refq ref = {malloc(N * sizeof *ref.a), 0};
	uint64_t seq = 0;
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	struct evq q;

	gsl_rng_set(r, 11);
	cr_assert_eq(evq_init(&q), 0);
	for (size_t i = 0; i < N; i++) {
		ev[i].time = gsl_ran_exponential(r, (double)N);
		ev[i].seq = ++seq;
		cr_assert_eq(evq_push(&q, &ev[i]), 0);
		ref.a[ref.n++] = &ev[i];
	}
	for (size_t k = 0; k < OPS; k++) {
		double mean = k < 20000 ? (double)N : k < 40000 ? 1e-6 * N : 1e3 * N;
		struct event *a = evq_pop(&q), *b = refq_pop(&ref);

		cr_assert_eq(a, b, "op %zu: wrong event", k);
		a->time += gsl_ran_exponential(r, mean);
		a->seq = ++seq;
		cr_assert_eq(evq_push(&q, a), 0);
		ref.a[ref.n++] = a;
	}
	evq_release(&q);
	gsl_rng_free(r);
	free(ref.a);
	free(ev);
}

/* The least pending event of the reference, without removing it. */
static struct event *refq_min(const struct refq *r)
{
	size_t best = 0;

	if (r->n == 0)
		return NULL;
	for (size_t i = 1; i < r->n; i++)
		if (key_cmp(&r->a[i], &r->a[best]) < 0)
			best = i;
	return r->a[best];
}

Test(evq, mode_switches_keep_order_with_ties_and_removals_as_the_size_saws)
{
	/* The size saws up and down through both thresholds (the small mode ends above
	 * EVQ_SMALL_MAX and resumes below EVQ_SMALL_MIN): 300 cycles, each growing to a random
	 * size in [MIN, MIN + 4 MAX) and shrinking to one in [0, MIN + 8). Times come from a
	 * pool of 6 values near the clock (ties, also between events pending across a switch),
	 * zero delays, and Exp(1) delays. seqs are a counter times an odd constant (a bijection
	 * of 64-bit integers, never 0 for a nonzero counter), so ties are NOT pushed in seq
	 * order. One operation in 6 removes a random pending event, so removals happen in both
	 * modes, leave dead entries in the calendar mode that the switch back must drop, and
	 * themselves cause switches. After every operation the size and the least event must
	 * equal the reference's. */
	enum { CAP = EVQ_SMALL_MIN + 4 * EVQ_SMALL_MAX, CYCLES = 300 };
	struct event *ev = calloc(CAP, sizeof *ev);
	struct event **freelist = malloc(CAP * sizeof *freelist);
	struct refq ref = {malloc(CAP * sizeof *ref.a), 0};
	size_t nfree = CAP, to_small = 0, to_calendar = 0;
	uint64_t count = 0;
	double clock = 0;
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	struct evq q;
	int was_small;

	gsl_rng_set(r, 4242);
	for (size_t i = 0; i < CAP; i++)
		freelist[i] = &ev[i];
	cr_assert_eq(evq_init(&q), 0);
	was_small = q.small;
	for (size_t cycle = 0; cycle < CYCLES; cycle++) {
		size_t high = EVQ_SMALL_MIN + gsl_rng_uniform_int(r, 4 * EVQ_SMALL_MAX);
		size_t low = gsl_rng_uniform_int(r, EVQ_SMALL_MIN + 8);

		for (int growing = 1; growing >= 0; growing--) {
			while (growing ? ref.n < high : ref.n > low) {
				double u = gsl_rng_uniform(r);

				if (ref.n > 0 && u < 1.0 / 6) {
					struct event *e = ref.a[gsl_rng_uniform_int(r, ref.n)];

					evq_remove(&q, e);
					cr_assert(!evq_is_pending(e));
					refq_remove(&ref, e);
					freelist[nfree++] = e;
				} else if (growing) {
					struct event *e = freelist[--nfree];
					double v = gsl_rng_uniform(r);

					e->time = v < 0.4 ? floor(clock) + (double)gsl_rng_uniform_int(r, 6)
						: v < 0.5 ? clock : clock + gsl_ran_exponential(r, 1.0);
					if (e->time < clock)
						e->time = clock;
					e->seq = ++count * UINT64_C(0x9E3779B97F4A7C15);
					cr_assert_eq(evq_push(&q, e), 0);
					ref.a[ref.n++] = e;
				} else {
					struct event *a = evq_pop(&q), *b = refq_pop(&ref);

					cr_assert_eq(a, b, "cycle %zu: popped the wrong event", cycle);
					clock = a->time;
					freelist[nfree++] = a;
				}
				cr_assert_eq(evq_size(&q), ref.n);
				cr_assert_eq(evq_peek(&q), refq_min(&ref), "cycle %zu: wrong least event",
					     cycle);
				if (q.small != was_small) {
					to_small += q.small;
					to_calendar += !q.small;
					was_small = q.small;
				}
			}
		}
	}
	/* The test did what it says: many switches each way. A cycle that grows past MAX
	 * (probability about 3/4) and then shrinks below MIN (about 3/5 with the default
	 * thresholds) makes one of each: about 135 of 300 cycles. */
	cr_assert_geq(to_calendar, 50, "only %zu switches to the calendar mode", to_calendar);
	cr_assert_geq(to_small, 50, "only %zu switches to the small mode", to_small);
	while (ref.n > 0)
		cr_assert_eq(evq_pop(&q), refq_pop(&ref));
	cr_assert_null(evq_pop(&q));
	evq_release(&q);
	gsl_rng_free(r);
	free(ref.a);
	free(freelist);
	free(ev);
}

Test(evq, removals_at_the_switch_points_leave_exactly_the_others_in_order)
{
	/* A hand-made path through both switches. Event i has time i % 5 (many ties per
	 * instant) and seq i + 1, pushed in seq order. */
	enum { N = EVQ_SMALL_MAX + 2, LOW = EVQ_SMALL_MIN + 4 };
	static struct event ev[N], late[10];
	struct event *keep[N + 10];
	char gone[N] = {0};
	size_t nkeep = 0;
	struct evq q;

	cr_assert_eq(evq_init(&q), 0);
	for (size_t i = 0; i < EVQ_SMALL_MAX; i++) {
		ev[i] = (struct event){.time = (double)(i % 5), .seq = i + 1};
		cr_assert_eq(evq_push(&q, &ev[i]), 0);
	}
	cr_assert(q.small, "EVQ_SMALL_MAX events: still the small mode");
	/* Removed in the small mode, where the entry is erased at once. */
	evq_remove(&q, &ev[EVQ_SMALL_MAX / 3]);
	gone[EVQ_SMALL_MAX / 3] = 1;
	for (size_t i = EVQ_SMALL_MAX; i < N; i++) {
		ev[i] = (struct event){.time = (double)(i % 5), .seq = i + 1};
		cr_assert_eq(evq_push(&q, &ev[i]), 0);
	}
	cr_assert_eq(evq_size(&q), EVQ_SMALL_MAX + 1);
	cr_assert(!q.small, "EVQ_SMALL_MAX + 1 events: the calendar mode");
	/* Removed right after the switch: the least event, a tie in the middle, the last. */
	evq_remove(&q, &ev[0]);
	evq_remove(&q, &ev[N / 2]);
	evq_remove(&q, &ev[N - 1]);
	gone[0] = 1;
	gone[N / 2] = 1;
	gone[N - 1] = 1;
	/* Down to LOW by pops, which must come by time, then by index (= seq order). */
	for (size_t t = 0; t < 5 && evq_size(&q) > LOW; t++) {
		for (size_t i = t; i < N && evq_size(&q) > LOW; i += 5) {
			if (gone[i])
				continue;
			cr_assert_eq(evq_pop(&q), &ev[i], "want seq %zu", i + 1);
			gone[i] = 1;
		}
	}
	cr_assert(!q.small && evq_size(&q) == LOW);
	/* Remove events in the calendar mode, from the last index down (their entries stay,
	 * dead), until one removal takes the size below EVQ_SMALL_MIN: the switch must drop
	 * the dead entries. */
	for (size_t i = N; !q.small && i-- > 0;) {
		if (gone[i])
			continue;
		evq_remove(&q, &ev[i]);
		gone[i] = 1;
	}
	cr_assert(q.small);
	cr_assert_eq(evq_size(&q), EVQ_SMALL_MIN - 1);
	cr_assert_eq(q.ndead, 0, "the switch dropped the dead entries");
	/* Ties with what is left, pushed in the small mode, one of them removed at once. */
	for (size_t i = 0; i < 10; i++) {
		late[i] = (struct event){.time = 4.0, .seq = 1000 + i};
		cr_assert_eq(evq_push(&q, &late[i]), 0);
	}
	evq_remove(&q, &late[3]);
	for (size_t i = 0; i < N; i++)
		if (!gone[i])
			keep[nkeep++] = &ev[i];
	for (size_t i = 0; i < 10; i++)
		if (i != 3)
			keep[nkeep++] = &late[i];
	cr_assert_eq(evq_size(&q), nkeep);
	drain_and_check(&q, keep, nkeep);
	evq_release(&q);
}
