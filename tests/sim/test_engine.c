/* Tests of the engine: clock, ordering of handlers, run/stop, cancellation, event reuse. */
#include <criterion/criterion.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "sim/engine.h"
#include "sim/error.h"

/* What a recording handler saw: one row per event run. */
struct rec {
	double time[20000];      /* engine_now() in the handler, s */
	uint64_t arg[20000];     /* the event's arg */
	size_t n;
};

static void record(struct engine *eng, struct event *ev, void *ctx)
{
	struct rec *r = ctx;

	cr_assert_lt(r->n, 20000);
	cr_assert_eq(engine_now(eng), ev->time);
	r->time[r->n] = ev->time;
	r->arg[r->n] = ev->arg;
	r->n++;
}

static struct engine *new_engine(void)
{
	struct engine *eng = malloc(sizeof *eng);

	cr_assert_not_null(eng);
	cr_assert_eq(engine_init(eng), 0);
	return eng;
}

static void free_engine(struct engine *eng)
{
	engine_release(eng);
	free(eng);
}

Test(engine, ties_run_in_scheduling_order)
{
	/* 3000 events; every other one at exactly t = 10, the rest at t = 0..14 (also tying
	 * with each other). arg = scheduling index, so ties must run with increasing arg and
	 * times must not decrease. */
	struct engine *eng = new_engine();
	struct rec *r = calloc(1, sizeof *r);
	int type = engine_on(eng, record, r);

	cr_assert_geq(type, 0);
	for (uint64_t i = 0; i < 3000; i++)
		cr_assert_eq(engine_schedule(eng, i % 2 ? 10.0 : (double)(i % 15), type, NULL, i,
					     NULL), 0);
	cr_assert_eq(engine_run(eng, INFINITY), 3000);
	cr_assert_eq(r->n, 3000);
	for (size_t k = 1; k < r->n; k++) {
		cr_assert_leq(r->time[k - 1], r->time[k]);
		if (r->time[k - 1] == r->time[k])
			cr_assert_lt(r->arg[k - 1], r->arg[k], "tie at %g out of order", r->time[k]);
	}
	/* 1500 at t = 10 from the odd indices plus the even indices with i % 15 == 10. */
	size_t at10 = 0;

	for (size_t k = 0; k < r->n; k++)
		at10 += r->time[k] == 10.0;
	cr_assert_eq(at10, 1500 + 100);
	cr_assert_eq(engine_now(eng), 14.0);
	free(r);
	free_engine(eng);
}

/* A handler that, at its first call, schedules one zero-delay event (arg 100). */
struct chain {
	int type;
	struct rec rec;
};

static void schedule_now(struct engine *eng, struct event *ev, void *ctx)
{
	struct chain *c = ctx;

	record(eng, ev, &c->rec);
	if (ev->arg == 0)
		cr_assert_eq(engine_schedule(eng, engine_now(eng), c->type, NULL, 100, NULL), 0);
}

Test(engine, zero_delay_events_run_after_those_already_pending_at_now)
{
	/* Events 0..4 at t = 1; event 0 schedules event 100 at t = 1 (zero delay). It was
	 * scheduled last, so it runs after 1..4 but before event 5 at t = 2. */
	struct engine *eng = new_engine();
	struct chain *c = calloc(1, sizeof *c);
	uint64_t want[] = {0, 1, 2, 3, 4, 100, 5};

	c->type = engine_on(eng, schedule_now, c);
	for (uint64_t i = 0; i < 5; i++)
		cr_assert_eq(engine_schedule(eng, 1.0, c->type, NULL, i, NULL), 0);
	cr_assert_eq(engine_schedule(eng, 2.0, c->type, NULL, 5, NULL), 0);
	cr_assert_eq(engine_run(eng, INFINITY), 7);
	cr_assert_eq(c->rec.n, 7);
	for (size_t k = 0; k < 7; k++)
		cr_assert_eq(c->rec.arg[k], want[k], "position %zu", k);
	free(c);
	free_engine(eng);
}

Test(engine, run_until_stops_at_until_and_leaves_later_events_pending)
{
	struct engine *eng = new_engine();
	struct rec *r = calloc(1, sizeof *r);
	int type = engine_on(eng, record, r);

	for (uint64_t i = 1; i <= 10; i++)
		cr_assert_eq(engine_schedule(eng, (double)i, type, NULL, i, NULL), 0);
	/* Events at 1..5 run, 5 included (time <= until); the clock ends at until. */
	cr_assert_eq(engine_run(eng, 5.0), 5);
	cr_assert_eq(engine_now(eng), 5.0);
	cr_assert_eq(engine_pending(eng), 5);
	cr_assert_eq(r->arg[4], 5);
	/* Nothing pending in (5, 5.5]: the clock still moves to until. */
	cr_assert_eq(engine_run(eng, 5.5), 0);
	cr_assert_eq(engine_now(eng), 5.5);
	/* Scheduling before the clock is refused. */
	cr_assert_eq(engine_schedule(eng, 5.25, type, NULL, 0, NULL), CAPSIM_EINVAL);
	/* until before the clock, or NaN: refused, nothing runs, clock unchanged. */
	cr_assert_eq(engine_run(eng, 5.0), CAPSIM_EINVAL);
	cr_assert_eq(engine_run(eng, NAN), CAPSIM_EINVAL);
	cr_assert_eq(engine_now(eng), 5.5);
	/* INFINITY runs the rest and leaves the clock at the last event. */
	cr_assert_eq(engine_run(eng, INFINITY), 5);
	cr_assert_eq(engine_now(eng), 10.0);
	cr_assert_eq(engine_pending(eng), 0);
	cr_assert_eq(engine_events_run(eng), 10);
	free(r);
	free_engine(eng);
}

/* engine_idle_until is engine_run when nothing is due: the clock moves, nothing runs; when
 * an event is due (at until included), or until is before the clock, NaN or INFINITY, it
 * declines and changes nothing. */
Test(engine, idle_until_moves_the_clock_only_when_nothing_is_due)
{
	struct engine *eng = new_engine();
	struct rec *r = calloc(1, sizeof *r);
	int type = engine_on(eng, record, r);

	cr_assert_eq(engine_schedule(eng, 2.0, type, NULL, 1, NULL), 0);
	cr_assert_eq(engine_idle_until(eng, 1.5), 1);
	cr_assert_eq(engine_now(eng), 1.5);
	cr_assert_eq(engine_pending(eng), 1);
	cr_assert_eq(engine_idle_until(eng, 2.0), 0);   /* due at until */
	cr_assert_eq(engine_idle_until(eng, 1.0), 0);   /* before the clock */
	cr_assert_eq(engine_idle_until(eng, NAN), 0);
	cr_assert_eq(engine_idle_until(eng, INFINITY), 0);
	cr_assert_eq(engine_now(eng), 1.5);
	cr_assert_eq(r->n, 0);
	/* engine_run does what it declined. */
	cr_assert_eq(engine_run(eng, 2.0), 1);
	cr_assert_eq(r->n, 1);
	/* An empty queue: idle to any finite time. */
	cr_assert_eq(engine_idle_until(eng, 7.0), 1);
	cr_assert_eq(engine_now(eng), 7.0);
	free(r);
	free_engine(eng);
}

static void stop_at_arg_3(struct engine *eng, struct event *ev, void *ctx)
{
	record(eng, ev, ctx);
	if (ev->arg == 3)
		engine_stop(eng);
}

Test(engine, stop_returns_after_the_stopping_handler)
{
	struct engine *eng = new_engine();
	struct rec *r = calloc(1, sizeof *r);
	int type = engine_on(eng, stop_at_arg_3, r);

	for (uint64_t i = 1; i <= 6; i++)
		cr_assert_eq(engine_schedule(eng, 0.5 * (double)i, type, NULL, i, NULL), 0);
	/* Stops after the event at 1.5 although until is 100: clock = 1.5, 3 left. */
	cr_assert_eq(engine_run(eng, 100.0), 3);
	cr_assert_eq(engine_now(eng), 1.5);
	cr_assert_eq(engine_pending(eng), 3);
	/* engine_stop outside a run does nothing; a new run goes on from there. */
	engine_stop(eng);
	cr_assert_eq(engine_run(eng, 100.0), 3);
	cr_assert_eq(engine_now(eng), 100.0);
	cr_assert_eq(r->n, 6);
	free(r);
	free_engine(eng);
}

Test(engine, bad_arguments_are_refused_and_schedule_nothing)
{
	struct engine *eng = new_engine();
	struct rec *r = calloc(1, sizeof *r);
	struct engine_handle h = {0};
	int type;

	cr_assert_eq(engine_on(eng, NULL, NULL), CAPSIM_EINVAL);
	type = engine_on(eng, record, r);
	cr_assert_eq(type, 0);
	cr_assert_eq(engine_on(eng, record, r), 1);  /* ids are 0, 1, 2, ... */
	cr_assert_eq(engine_schedule(eng, NAN, type, NULL, 0, &h), CAPSIM_EINVAL);
	cr_assert_eq(engine_schedule(eng, -1.0, type, NULL, 0, &h), CAPSIM_EINVAL);
	cr_assert_eq(engine_schedule(eng, 1.0, 2, NULL, 0, &h), CAPSIM_EINVAL);
	cr_assert_eq(engine_schedule(eng, 1.0, -1, NULL, 0, &h), CAPSIM_EINVAL);
	cr_assert_null(h.ev);
	cr_assert_eq(engine_pending(eng), 0);
	/* A zeroed handle names nothing. */
	cr_assert_eq(engine_cancel(eng, h), CAPSIM_ENOTFOUND);
	free(r);
	free_engine(eng);
}

Test(engine, cancelling_a_random_subset_runs_exactly_the_others_in_order)
{
	enum { N = 10000 };
	struct engine *eng = new_engine();
	struct rec *r = calloc(1, sizeof *r);
	struct engine_handle *h = malloc(N * sizeof *h);
	char *cancelled = calloc(N, 1);
	double *at = malloc(N * sizeof *at);
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	int type = engine_on(eng, record, r);
	size_t left = 0, k = 0;

	gsl_rng_set(rng, 3);
	for (uint64_t i = 0; i < N; i++) {
		/* Times on a grid of 0.25 s over [0, 250): ties are common. */
		at[i] = 0.25 * (double)gsl_rng_uniform_int(rng, 1000);
		cr_assert_eq(engine_schedule(eng, at[i], type, NULL, i, &h[i]), 0);
	}
	for (size_t i = 0; i < N; i++) {
		if (gsl_rng_uniform(rng) < 0.3) {
			cr_assert_eq(engine_cancel(eng, h[i]), 0);
			cancelled[i] = 1;
			/* A second cancel of the same scheduling finds nothing. */
			cr_assert_eq(engine_cancel(eng, h[i]), CAPSIM_ENOTFOUND);
		} else {
			left++;
		}
	}
	cr_assert_eq(engine_pending(eng), left);
	cr_assert_eq(engine_run(eng, INFINITY), (long)left);
	/* Exactly the survivors, by (time, scheduling order). */
	for (size_t t = 0; t < 1000; t++) {
		for (size_t i = 0; i < N; i++) {
			if (cancelled[i] || at[i] != 0.25 * (double)t)
				continue;
			cr_assert_lt(k, r->n);
			cr_assert_eq(r->arg[k], i, "run %zu: got event %llu, want %zu", k,
				     (unsigned long long)r->arg[k], i);
			k++;
		}
	}
	cr_assert_eq(k, r->n);
	/* Fired events cannot be cancelled either. */
	for (size_t i = 0; i < N; i++)
		if (!cancelled[i])
			cr_assert_eq(engine_cancel(eng, h[i]), CAPSIM_ENOTFOUND);
	gsl_rng_free(rng);
	free(at);
	free(cancelled);
	free(h);
	free(r);
	free_engine(eng);
}

Test(engine, few_pending_events_run_in_order_with_ties_and_cancellations)
{
	/* Eight events (the event list's small mode, one sorted array) at times
	 * 2, 1, 2, 0.5, 1, 2, 3, 1 with arg = scheduling index; 2 and 4 cancelled. By hand:
	 * 0.5 -> 3; 1 -> 1, 7 (4 cancelled); 2 -> 0, 5 (2 cancelled); 3 -> 6. */
	static const double at[8] = {2, 1, 2, 0.5, 1, 2, 3, 1};
	static const uint64_t want[6] = {3, 1, 7, 0, 5, 6};
	struct engine *eng = new_engine();
	struct rec *r = calloc(1, sizeof *r);
	int type = engine_on(eng, record, r);
	struct engine_handle h[8];

	for (uint64_t i = 0; i < 8; i++)
		cr_assert_eq(engine_schedule(eng, at[i], type, NULL, i, &h[i]), 0);
	cr_assert_eq(engine_cancel(eng, h[2]), 0);
	cr_assert_eq(engine_cancel(eng, h[4]), 0);
	cr_assert_eq(engine_cancel(eng, h[4]), CAPSIM_ENOTFOUND);
	cr_assert_eq(engine_pending(eng), 6);
	cr_assert_eq(engine_run(eng, INFINITY), 6);
	cr_assert_eq(r->n, 6);
	for (size_t k = 0; k < 6; k++)
		cr_assert_eq(r->arg[k], want[k], "run %zu: got %llu, want %llu", k,
			     (unsigned long long)r->arg[k], (unsigned long long)want[k]);
	free(r);
	free_engine(eng);
}

Test(engine, stale_handle_is_not_found_even_after_its_event_is_reused)
{
	struct engine *eng = new_engine();
	struct rec *r = calloc(1, sizeof *r);
	int type = engine_on(eng, record, r);
	struct engine_handle a, b, c;

	/* Cancelled, then reused: the free list is LIFO, so b gets a's struct. */
	cr_assert_eq(engine_schedule(eng, 1.0, type, NULL, 1, &a), 0);
	cr_assert_eq(engine_cancel(eng, a), 0);
	cr_assert_eq(engine_schedule(eng, 2.0, type, NULL, 2, &b), 0);
	cr_assert_eq(b.ev, a.ev, "test premise: the struct is reused");
	cr_assert_eq(engine_cancel(eng, a), CAPSIM_ENOTFOUND);
	cr_assert(engine_is_pending(eng, b));
	/* Fired, then reused: same again. */
	cr_assert_eq(engine_run(eng, INFINITY), 1);
	cr_assert_eq(r->arg[0], 2);   /* b ran; a's cancellation did not touch it */
	cr_assert_eq(engine_schedule(eng, 3.0, type, NULL, 3, &c), 0);
	cr_assert_eq(c.ev, b.ev, "test premise: the struct is reused");
	cr_assert_eq(engine_cancel(eng, b), CAPSIM_ENOTFOUND);
	cr_assert_eq(engine_cancel(eng, a), CAPSIM_ENOTFOUND);
	cr_assert(engine_is_pending(eng, c));
	cr_assert_eq(engine_cancel(eng, c), 0);
	cr_assert_eq(engine_pending(eng), 0);
	free(r);
	free_engine(eng);
}

/* Handler for the self-cancel test: tries to cancel its own scheduling and another. */
struct selfcancel {
	struct engine_handle self, other;
	int rc_self, rc_other, ran;
};

static void cancel_self_and_other(struct engine *eng, struct event *ev, void *ctx)
{
	struct selfcancel *s = ctx;

	(void)ev;
	s->ran++;
	if (s->ran == 1) {
		s->rc_self = engine_cancel(eng, s->self);
		s->rc_other = engine_cancel(eng, s->other);
		/* Running a nested loop from a handler is refused. */
		cr_assert_eq(engine_run(eng, INFINITY), CAPSIM_EINVAL);
	}
}

Test(engine, a_handler_cannot_cancel_itself_but_can_cancel_others)
{
	struct engine *eng = new_engine();
	struct selfcancel s = {0};
	int type = engine_on(eng, cancel_self_and_other, &s);

	cr_assert_eq(engine_schedule(eng, 1.0, type, NULL, 0, &s.self), 0);
	cr_assert_eq(engine_schedule(eng, 1.0, type, NULL, 0, &s.other), 0);
	cr_assert_eq(engine_run(eng, INFINITY), 1);
	cr_assert_eq(s.rc_self, CAPSIM_ENOTFOUND);   /* firing now: no longer pending */
	cr_assert_eq(s.rc_other, 0);
	cr_assert_eq(s.ran, 1);
	free_engine(eng);
}

/* Hold-model handler: reschedules itself at now + Exp(mean) until a budget runs out. */
struct hold {
	int type;
	gsl_rng *rng;
	long budget;
	struct rec rec;
};

static void hold_step(struct engine *eng, struct event *ev, void *ctx)
{
	struct hold *h = ctx;

	record(eng, ev, &h->rec);
	if (h->budget-- > 0)
		cr_assert_eq(engine_schedule(eng, engine_now(eng) + gsl_ran_exponential(h->rng, 1.0),
					     h->type, NULL, ev->arg, NULL), 0);
}

Test(engine, free_list_reuse_allocates_no_new_slab_in_steady_state)
{
	/* 1000 pending events cycling through 15000 holds: at most 1000 + 1 events are ever
	 * live, so one slab (4096) suffices, and a second round allocates nothing more. */
	struct engine *eng = new_engine();
	struct hold *h = calloc(1, sizeof *h);
	size_t allocated;

	h->rng = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(h->rng, 1);
	h->type = engine_on(eng, hold_step, h);
	for (uint64_t i = 0; i < 1000; i++)
		cr_assert_eq(engine_schedule(eng, gsl_ran_exponential(h->rng, 1.0), h->type, NULL,
					     i, NULL), 0);
	h->budget = 15000;
	cr_assert_eq(engine_run(eng, INFINITY), 16000);
	allocated = engine_events_allocated(eng);
	cr_assert_eq(allocated, ENGINE_SLAB_EVENTS);
	h->rec.n = 0;
	for (uint64_t i = 0; i < 1000; i++)
		cr_assert_eq(engine_schedule(eng, engine_now(eng) + 1.0, h->type, NULL, i, NULL), 0);
	h->budget = 3000;
	cr_assert_eq(engine_run(eng, INFINITY), 4000);
	cr_assert_eq(engine_events_allocated(eng), allocated);
	cr_assert_eq(engine_events_run(eng), 20000);
	gsl_rng_free(h->rng);
	free(h);
	free_engine(eng);
}

Test(engine, handlers_run_in_time_order_while_scheduling_more)
{
	/* 200 initial events and 15000 rescheduled at Exp(1) delays: the run must see
	 * non-decreasing times (the clock never goes back). */
	struct engine *eng = new_engine();
	struct hold *h = calloc(1, sizeof *h);

	h->rng = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(h->rng, 2);
	h->type = engine_on(eng, hold_step, h);
	for (uint64_t i = 0; i < 200; i++)
		cr_assert_eq(engine_schedule(eng, 0.0, h->type, NULL, i, NULL), 0);
	h->budget = 15000;
	cr_assert_eq(engine_run(eng, INFINITY), 15200);
	/* The first 200 all at 0, in scheduling order. */
	for (size_t k = 0; k < 200; k++) {
		cr_assert_eq(h->rec.time[k], 0.0);
		cr_assert_eq(h->rec.arg[k], k);
	}
	for (size_t k = 1; k < h->rec.n; k++)
		cr_assert_leq(h->rec.time[k - 1], h->rec.time[k]);
	gsl_rng_free(h->rng);
	free(h);
	free_engine(eng);
}

Test(engine, release_accepts_null_and_frees_pending_events)
{
	struct engine eng;
	struct rec *r = calloc(1, sizeof *r);
	int type;

	engine_release(NULL);
	cr_assert_eq(engine_init(&eng), 0);
	type = engine_on(&eng, record, r);
	for (uint64_t i = 0; i < 10000; i++)   /* three slabs, left pending: ASan checks leaks */
		cr_assert_eq(engine_schedule(&eng, (double)i, type, NULL, i, NULL), 0);
	cr_assert_eq(engine_events_allocated(&eng), 3 * ENGINE_SLAB_EVENTS);
	engine_release(&eng);
	free(r);
}
