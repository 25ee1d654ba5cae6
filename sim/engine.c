/* The engine loop: clock, slab-allocated events on a LIFO free list, handler dispatch. */
#include "sim/engine.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim/error.h"

/* event.type is 16 bits wide. */
#define ENGINE_MAX_TYPES 65536

/* aligned_alloc() wants a size that is a multiple of the alignment. */
_Static_assert(ENGINE_SLAB_EVENTS * sizeof(struct event) % 64 == 0,
	       "slab size must be a multiple of the cache line");

/* Returns an event to the free list, chained through obj. It is not pending, so its stale
 * handles see ENOTFOUND; its seq is kept until reuse, after which they fail by seq. */
static inline void event_free(struct engine *eng, struct event *ev)
{
	ev->obj = eng->free_list;
	eng->free_list = ev;
}

/* Adds one slab to the free list, its first event on top so first use walks memory forward. */
static int add_slab(struct engine *eng)
{
	struct event *s;

	if (eng->nslab == eng->slab_cap) {
		size_t cap = eng->slab_cap ? 2 * eng->slab_cap : 8;
		struct event **p = realloc(eng->slab, cap * sizeof *p);

		if (!p)
			return CAPSIM_ENOMEM;
		eng->slab = p;
		eng->slab_cap = cap;
	}
	/* Cache-line aligned, so that the layout (and thus cache behaviour) does not depend on
	 * where malloc happens to put the slab. */
	s = aligned_alloc(64, ENGINE_SLAB_EVENTS * sizeof *s);
	if (!s)
		return CAPSIM_ENOMEM;
	memset(s, 0, ENGINE_SLAB_EVENTS * sizeof *s);
	eng->slab[eng->nslab++] = s;
	for (size_t i = ENGINE_SLAB_EVENTS; i-- > 0;)
		event_free(eng, &s[i]);
	return 0;
}

int engine_init(struct engine *eng)
{
	*eng = (struct engine){0};
	return evq_init(&eng->queue);
}

void engine_release(struct engine *eng)
{
	if (!eng)
		return;
	evq_release(&eng->queue);
	for (size_t i = 0; i < eng->nslab; i++)
		free(eng->slab[i]);
	free(eng->slab);
	free(eng->type);
	*eng = (struct engine){0};
}

int engine_on(struct engine *eng, engine_handler fn, void *ctx)
{
	if (!fn)
		return CAPSIM_EINVAL;
	if (eng->ntype >= ENGINE_MAX_TYPES)
		return CAPSIM_ERANGE;
	if (eng->ntype == eng->type_cap) {
		size_t cap = eng->type_cap ? 2 * eng->type_cap : 16;
		struct engine_type *p = realloc(eng->type, cap * sizeof *p);

		if (!p)
			return CAPSIM_ENOMEM;
		eng->type = p;
		eng->type_cap = cap;
	}
	eng->type[eng->ntype] = (struct engine_type){fn, ctx};
	return (int)eng->ntype++;
}

int engine_schedule(struct engine *eng, double at, int type, void *obj, uint64_t arg,
		    struct engine_handle *h)
{
	struct event *ev;
	int rc;

	/* !(at >= now) also rejects NaN. */
	if (!(at >= eng->now) || type < 0 || (size_t)type >= eng->ntype)
		return CAPSIM_EINVAL;
	if (!eng->free_list && (rc = add_slab(eng)) != 0)
		return rc;
	ev = eng->free_list;
	eng->free_list = ev->obj;
	ev->time = at;
	ev->seq = ++eng->last_seq;
	ev->obj = obj;
	ev->arg = arg;
	ev->type = (uint16_t)type;
	rc = evq_push(&eng->queue, ev);
	if (rc) {
		event_free(eng, ev);
		return rc;
	}
	if (h)
		*h = (struct engine_handle){ev, ev->seq};
	return 0;
}

int engine_is_pending(const struct engine *eng, struct engine_handle h)
{
	(void)eng;
	return h.ev && h.ev->seq == h.seq && evq_is_pending(h.ev);
}

int engine_cancel(struct engine *eng, struct engine_handle h)
{
	if (!engine_is_pending(eng, h))
		return CAPSIM_ENOTFOUND;
	evq_remove(&eng->queue, h.ev);
	event_free(eng, h.ev);
	return 0;
}

double engine_now(const struct engine *eng)
{
	return eng->now;
}

long engine_run(struct engine *eng, double until)
{
	struct event *ev;
	long n = 0;

	if (!(until >= eng->now) || eng->running)
		return CAPSIM_EINVAL;
	eng->running = 1;
	eng->stop = 0;
	while ((ev = evq_pop_until(&eng->queue, until)) != NULL) {
		const struct engine_type *t = &eng->type[ev->type];

		eng->now = ev->time;
		t->fn(eng, ev, t->ctx);
		/* After the handler, not before: it may still read ev. */
		event_free(eng, ev);
		n++;
		eng->events_run++;
		if (eng->stop)
			break;
	}
	if (!eng->stop && until != INFINITY)
		eng->now = until;
	eng->running = 0;
	eng->stop = 0;
	return n;
}

void engine_stop(struct engine *eng)
{
	if (eng->running)
		eng->stop = 1;
}

size_t engine_pending(const struct engine *eng)
{
	return evq_size(&eng->queue);
}

uint64_t engine_events_run(const struct engine *eng)
{
	return eng->events_run;
}

size_t engine_events_allocated(const struct engine *eng)
{
	return eng->nslab * ENGINE_SLAB_EVENTS;
}
