/* The discrete-event engine: a clock, events from a free list, and handler dispatch.
 *
 * An engine owns a future event list (sim/evq.h) and every struct event it hands out. Models
 * register a handler per event type with engine_on() and schedule events with
 * engine_schedule(); engine_run() pops events in (time, seq) order, sets the clock to each
 * event's time and calls its handler. seq is a per-engine counter, so events scheduled for the
 * same instant run in the order they were scheduled, deterministically. The clock never goes
 * backwards: scheduling before engine_now() is refused. Events come from slabs of
 * ENGINE_SLAB_EVENTS chained on a LIFO free list, so a steady state allocates no events and
 * reuses the most recently freed (cache-hot) one first. A struct event belongs to the
 * engine: a handler may read it during the call but must not keep the pointer; keep an
 * engine_handle instead, which stays safe to cancel after the event fired or was reused.
 * Not thread-safe: one engine per thread (one per replication). */
#ifndef CAPSIM_ENGINE_H
#define CAPSIM_ENGINE_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/evq.h"

/* Events per slab (one malloc each). */
#define ENGINE_SLAB_EVENTS 4096

struct engine;

/* Called with the event being run (engine-owned, valid only during the call) and the ctx
 * given to engine_on(). It may schedule, cancel, and call engine_stop(). */
typedef void (*engine_handler)(struct engine *eng, struct event *ev, void *ctx);

/* Names one scheduling of an event. Cancelling through a stale handle is safe: the seq
 * differs once the struct event has been reused. A zeroed handle names nothing. */
struct engine_handle {
	struct event *ev;        /* the event as scheduled (engine-owned; may since be reused) */
	uint64_t seq;            /* its seq at scheduling */
};

/* A registered event type (private). */
struct engine_type {
	engine_handler fn;       /* the handler */
	void *ctx;               /* passed to fn, not owned */
};

/* Caller-owned engine. All fields are private: use the functions below. */
struct engine {
	struct evq queue;        /* pending events */
	double now;              /* the clock, s since the start of the run */
	uint64_t last_seq;       /* seq of the last scheduled event (seqs start at 1) */
	uint64_t events_run;     /* handlers called since init */
	struct event *free_list; /* free events, LIFO, chained through their obj field */
	struct event **slab;     /* every slab of ENGINE_SLAB_EVENTS events, for release */
	size_t nslab;            /* slabs allocated */
	size_t slab_cap;         /* capacity of slab[] */
	struct engine_type *type; /* handler table, indexed by event type */
	size_t ntype;            /* registered types */
	size_t type_cap;         /* capacity of type[] */
	int running;             /* inside engine_run() */
	int stop;                /* engine_stop() called during this run */
};

/* Sets up an engine with the clock at 0, no types and no events. Returns 0, or CAPSIM_ENOMEM
 * (eng is then safe to release). */
int engine_init(struct engine *eng);

/* Frees every event, slab and table; accepts NULL. Handles into this engine become invalid. */
void engine_release(struct engine *eng);

/* Registers a handler (fn not NULL; ctx not owned). Returns the new type id (>= 0, to pass to
 * engine_schedule), CAPSIM_EINVAL if fn is NULL, CAPSIM_ERANGE past 65536 types, or
 * CAPSIM_ENOMEM; on failure nothing is registered. */
int engine_on(struct engine *eng, engine_handler fn, void *ctx);

/* Schedules an event of the given type at time `at` (s, >= engine_now()), with obj (not owned)
 * and arg for the handler. If h is not NULL it is set to name this scheduling. Returns 0;
 * CAPSIM_EINVAL if at < now, at is NaN, or type is not registered; CAPSIM_ENOMEM if a new
 * slab or queue memory was needed and could not be had. On failure nothing is scheduled and *h is unchanged. */
int engine_schedule(struct engine *eng, double at, int type, void *obj, uint64_t arg,
		    struct engine_handle *h);

/* Cancels the scheduling h names. Returns 0 if it was pending and is now cancelled (its event
 * is back on the free list), or CAPSIM_ENOTFOUND if it already fired, is firing now, was
 * cancelled, or h is zeroed, even if its struct event has since been reused. */
int engine_cancel(struct engine *eng, struct engine_handle h);

/* Nonzero if the scheduling h names is still pending. */
int engine_is_pending(const struct engine *eng, struct engine_handle h);

/* The clock, s since the start of the run. */
double engine_now(const struct engine *eng);

/* Runs every pending event with time <= until, in (time, seq) order, including events that
 * handlers schedule during the run. Returns the number of events run. On return the clock is
 * `until` (or, when until is +INFINITY, the time of the last event run; unchanged if none
 * ran), unless a handler called engine_stop(): then it is the stopping event's time and the
 * later events stay pending. Returns CAPSIM_EINVAL, running nothing, if until is NaN or before
 * the clock, or if called from a handler. */
long engine_run(struct engine *eng, double until);

/* engine_run(eng, until)'s common case of a model that steps time itself, inline: when no event
 * is due by `until` (in the queue's small mode, where its first entry is the earliest), moves
 * the clock there and returns 1; else returns 0 and changes nothing, for engine_run to do. */
static inline int engine_idle_until(struct engine *eng, double until)
{
	const struct evq *q = &eng->queue;
	if (!q->small || eng->running || !(until >= eng->now) || until == INFINITY ||
	    (q->size && q->bot[q->bot_head].time <= until))
		return 0;
	eng->now = until;
	return 1;
}

/* Called from a handler: engine_run() returns once that handler returns. Outside a run it has
 * no effect. */
void engine_stop(struct engine *eng);

/* Number of pending events. */
size_t engine_pending(const struct engine *eng);

/* Handlers called since engine_init(). */
uint64_t engine_events_run(const struct engine *eng);

/* struct events allocated so far (a multiple of ENGINE_SLAB_EVENTS): a steady state shows a
 * constant figure, since freed events are reused. */
size_t engine_events_allocated(const struct engine *eng);

#endif
