/* The future event list: a priority queue of struct event ordered by (time, seq).
 *
 * An evq holds pointers to events it does not own; the caller (normally the engine) allocates
 * them and sets time and seq before evq_push(). seq is unique: no two pushes into one queue
 * carry the same seq (a counter, as the engine keeps, does it). The order is exact and
 * total: the smaller time first, and among equal times the smaller seq first, so events
 * scheduled for the same instant come out in scheduling order when seq grows with scheduling
 * order. An event is in at most one evq at a time; while it is pending its public fields must
 * not change (remove it, change them, push it again with a new seq). Removal is O(1) and the
 * caller may reuse or free the event at once. Up to EVQ_SMALL_MAX pending events the queue
 * is one sorted array (the small mode); beyond, a calendar queue (Brown 1988) with unsorted
 * buckets of inline (time, seq, event) entries, sorted only when reached, until the size
 * falls below EVQ_SMALL_MIN; see evq.c for the design and the measurements that chose it.
 * Not thread-safe: one evq per thread. */
#ifndef CAPSIM_EVQ_H
#define CAPSIM_EVQ_H

#include <stddef.h>
#include <stdint.h>

/* The two modes' thresholds, in events (public so that tests can cross them). */
#ifndef EVQ_SMALL_MAX
/* The small mode ends when the size exceeds this. The sorted array beats the calendar queue
 * up to 64..96 events (evq.c); 50 puts the switch where a calendar queue growing from empty
 * has a resize rebuild anyway (at sizes 17, 51, 119, 255, ...), so that a large queue ends
 * up with the geometry it had before the small mode existed. */
#define EVQ_SMALL_MAX 50
#endif
#ifndef EVQ_SMALL_MIN
/* The calendar mode returns to the small mode when the size falls below this. The gap is
 * the hysteresis: a round trip takes at least EVQ_SMALL_MAX - EVQ_SMALL_MIN + 1 operations. */
#define EVQ_SMALL_MIN 12
#endif

/* One scheduled occurrence. Public fields are set by the scheduler; evq_* fields are private. */
struct event {
	double time;             /* when it fires, s since the start of the run */
	uint64_t seq;            /* scheduling order: breaks ties, earlier-scheduled first; unique */
	void *obj;               /* the model object the event concerns (not owned) */
	uint64_t arg;            /* a small payload for the handler */
	uint16_t type;           /* handler index, from engine_on() */
	uint16_t evq_pending;    /* private: 1 while in an evq */
	uint32_t evq_pad;        /* private: padding */
};

/* A queue entry (private): the key inline, so that buckets are scanned and sorted without
 * touching the events; an entry is dead iff its seq is in the queue's cancelled set. */
struct evq_ent {
	double time;             /* copy of ev->time, s */
	uint64_t seq;            /* copy of ev->seq */
	struct event *ev;        /* the event (not owned; never read through a dead entry) */
};

/* A bucket (private): an unsorted array of entries from the queue's block pool. */
struct evq_bucket {
	struct evq_ent *e;       /* entries, or NULL when the bucket has no block */
	uint32_t n;              /* entries in use */
	uint32_t cls;            /* size class of e: capacity 4 << cls entries */
};

/* Pool of bucket blocks (private): per size class, a LIFO free list, so that the block a
 * scan just emptied (still in cache) is the next one handed out. */
#define EVQ_NCLASS 27        /* classes 0..26: 4 .. 2^28 entries */
#define EVQ_SLAB_CLASSES 7   /* classes below this are carved from slabs; larger ones malloc'd */
struct evq_pool {
	struct evq_ent *free[EVQ_NCLASS]; /* free blocks, chained through their first bytes */
	void **slab;             /* slabs to release */
	size_t nslab;            /* slabs in use */
	size_t slab_cap;         /* capacity of slab[] */
};

/* Caller-owned queue. All fields are private. */
struct evq {
	int small;               /* 1 in the small mode: all entries in bot, live, sorted */
	size_t small_max;        /* the small mode ends when size exceeds this (EVQ_SMALL_MAX,
				  * doubled after a switch that ran out of memory) */
	struct evq_bucket *bucket; /* nbucket buckets; virtual bucket v is in bucket v mod nbucket */
	size_t nbucket;          /* a power of two */
	struct evq_pool pool;    /* where bucket arrays come from */
	struct evq_ent *bot;     /* the bottom: entries of virtual bucket <= cur (small mode:
				  * all entries), sorted */
	size_t bot_head;         /* first unconsumed entry of bot */
	size_t bot_n;            /* end of bot's entries: [bot_head, bot_n) are unconsumed */
	size_t bot_cap;          /* capacity of bot: >= 256 and >= any bucket's count */
	size_t size;             /* live (pending) events */
	size_t sized_at;         /* size at the last rebuild: a rebuild follows 2x or 1/4x */
	int64_t cur;             /* the bottom's virtual bucket; buckets hold only later ones */
	double origin;           /* time of virtual bucket 0, s */
	double width;            /* bucket width, s */
	double inv_width;        /* 1 / width, 1/s */
	uint64_t *dead;          /* cancelled set: seqs of removed events whose entry remains */
	size_t dead_cap;         /* slots in dead (a power of two, or 0); 0 marks a free slot */
	size_t ndead;            /* seqs in the set = entries left behind by evq_remove() */
	int dead_zero;           /* seq 0 is in the set (0 cannot be stored in a slot) */
	uint64_t work;           /* entries scanned or moved + buckets visited, this window */
	uint64_t ops;            /* operations in this window */
	uint64_t window;         /* operations between checks of work / ops */
	uint64_t npop;           /* pops in this window */
	double pop_first;        /* time of the first pop in this window, s */
	double pop_last;         /* time of the last pop, s */
	uint64_t rebuilds;       /* rebuilds so far: resize, retune or purge (diagnostics) */
	uint64_t retunes;        /* rebuilds caused by high work per operation (diagnostics) */
};

/* Sets up an empty queue. Returns 0, or CAPSIM_ENOMEM (q is then safe to release). */
int evq_init(struct evq *q);

/* Frees the queue's own memory (not the events, which it never owned); accepts NULL. Events
 * still pending are forgotten without being touched: they keep evq_is_pending() true. */
void evq_release(struct evq *q);

/* Adds ev, whose time and seq are set and which is not pending. seq must differ from that of
 * every event pushed into q before (the engine's counter guarantees it). Returns 0;
 * CAPSIM_EINVAL if ev->time is NaN or seq is that of a removed event whose entry is still
 * held (calendar mode); CAPSIM_ENOMEM if a bucket or the sorted array could not grow. On
 * failure q and ev are unchanged. (If memory runs short when the size passes EVQ_SMALL_MAX,
 * the queue stays in the small mode, correct but slower, and tries again at twice the size.) */
int evq_push(struct evq *q, struct event *ev);

/* Removes and returns the event with the least (time, seq); NULL when empty. */
struct event *evq_pop(struct evq *q);

/* Pops the least event if its time is <= until (the engine's loop in one call); otherwise,
 * or when empty, returns NULL and leaves the pending events as they were. */
struct event *evq_pop_until(struct evq *q, double until);

/* Returns the event evq_pop() would return, leaving it pending; NULL when empty. Not const:
 * it may sort the next bucket, which the following pop then needs not do. */
struct event *evq_peek(struct evq *q);

/* Removes a pending event in O(1); the caller owns it again at once and may reuse or free it
 * (the queue never reads it again). In the small mode its entry is erased at once (binary
 * search and a shift of at most EVQ_SMALL_MAX entries); in the calendar mode it stays, dead,
 * until reached or purged: at most size + 64 dead entries are kept. ev must be pending in q
 * (checked: aborts otherwise). */
void evq_remove(struct evq *q, struct event *ev);

/* Number of pending events. */
size_t evq_size(const struct evq *q);

/* Nonzero if ev is pending in some evq (pushed and not yet popped or removed). A fresh event
 * must be zero-initialised before its first push. */
static inline int evq_is_pending(const struct event *ev)
{
	return ev->evq_pending != 0;
}

#endif
