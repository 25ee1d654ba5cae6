/* The future event list: one sorted array while small, a lazily sorted calendar queue when
 * large; exact (time, seq) order in both.
 *
 * Two modes. Up to EVQ_SMALL_MAX (50) pending events, every entry lives in the sorted
 * "bottom" array (the small mode): a pop takes the entry at its head, a push walks from one
 * end to the entry's place moving what it passes by one slot, as one step of insertion
 * sort, and a removal erases the entry at once (binary search on its key, then a shift).
 * No bucket arithmetic, no bookkeeping per operation. A push that takes the size past
 * EVQ_SMALL_MAX rebuilds the queue as a calendar queue (below); a pop or removal that takes
 * a calendar queue below EVQ_SMALL_MIN (12) gathers the live entries back into the bottom.
 * The gap between the two thresholds is the hysteresis: a round trip costs two rebuilds of
 * about 50 entries (together about half a microsecond: stack buffers, the pool's blocks
 * reused, the sort skipped for already sorted times) and takes at least 39 operations.
 *
 * Calendar mode. Time is cut into buckets of equal width; virtual bucket v = trunc((t -
 * origin) / width) lives in bucket v mod nbucket (Brown 1988, "Calendar queues", CACM
 * 31(10)). Unlike Brown's sorted linked lists, a bucket here is an unsorted array of inline
 * entries (time, seq, event pointer) from a pool of size-classed blocks: a push appends one
 * entry (a load from the small bucket-header array and one store; no event is dereferenced),
 * and a bucket is sorted only when the scan reaches it, into the bottom, which pops consume
 * in order (the lazy sorting of the ladder queue, Tang, Goh & Thng 2005, ACM TOMACS 15(3)).
 * Entries of a later "year" (v >= cur + nbucket) share arrays with the current one and are
 * left in place by the scan, as in Brown's queue. While a bucket is sorted, the events of the
 * next one are prefetched, so a popped event is usually in cache when the caller reads it.
 *
 * Exactness. In the small mode the bottom is sorted on (time, seq) and holds everything. In
 * the calendar mode vbucket() is monotone in t, so vbucket(a) < vbucket(b) implies a < b;
 * the bottom holds every live entry with v <= cur and the buckets only later ones. Hence pops
 * come out in exact (time, seq) order whatever the width, which only affects speed. Equal
 * times always share a bucket and are sorted by seq there.
 *
 * Removal is O(1) and lazy in the calendar mode: the event's seq joins a "dead" hash set and
 * the event is the caller's again; its entry is dropped when the scan or a pop reaches it.
 * Entries carry their own key, so a dead entry is never dereferenced and never changes the
 * order of live ones. When dead entries outnumber live ones (+64) everything is rebuilt
 * without them, so memory stays O(live) and the purge costs O(1) amortised per removal. (In
 * the small mode removal is real, O(log n + EVQ_SMALL_MAX) = O(1); the switch back to the
 * small mode drops all dead entries.)
 *
 * Adaptation. A rebuild (when the size has doubled or fallen to a quarter since the last one,
 * or on a purge or retune) sets the width to EVQ_WIDTH_FACTOR times the mean time between
 * recent pops (so that a bucket feeds about that many pops), or before any pops to Brown's
 * estimate from the gaps at the head of the queue; and the bucket count so that a year spans
 * EVQ_YEAR times the 90th percentile of the pending times (between n/16 and n/2 buckets).
 * Following Oh & Ahn's dynamic calendar queue (1999), the work per operation (buckets
 * visited + entries scanned or moved) is watched over windows of at least nbucket
 * operations, and a high figure triggers a rebuild. Every rebuild is O(size + nbucket) and
 * is amortised over at least that many operations.
 *
 * Why this structure. bench/bench_evq, hold model with Exp(1) increments, events per second
 * relative to a binary heap of 24-byte (time, seq, payload) entries measured in the same run
 * (median of 5 paired repetitions; 2-core AMD EPYC VM shared with other jobs; the last two
 * rows are medians of 3 such runs, and the 1e5 column swings between about 2.3 and 3.3 with
 * the load the other jobs put on the shared cache):
 *
 *                                                 n = 10     50    1e3    1e5    1e6
 *   indexed 4-ary heap of inline entries (O(log n) removal)        0.86   0.85   0.85
 *   Brown's calendar queue, sorted intrusive lists                 1.97   1.99   0.70
 *   the calendar mode alone (this queue before the small mode)
 *                                                   0.69   0.93   1.71   2.54   3.26
 *   this queue                                      1.24   1.28   1.68   2.78   3.25
 *   the engine on this queue (schedule + dispatch)  1.06   1.13   1.45   1.95   1.98
 *
 * The heap of pointers loses because every move also writes the event's position; the
 * linked calendar queue loses at 1e6 because each list step dereferences an event scattered
 * over 40+ MiB, while the last-level cache this process actually gets is about 8 MiB
 * (dependent loads: 14 ns over 4 MiB, 130 ns over 16 MiB). The calendar mode touches one
 * random cache line per push and streams through its buckets for pops. With other increment
 * distributions at n = 1e5 (same harness, not in the bench) it did uniform 3.1x, constant
 * (all ties) 2.5x, zero delay 2.0x, multiples of 60 s 4.9x, bimodal (1e-3 s / 1e6 s) 1.6x,
 * lognormal sigma = 3 1.3x; its weak spot is a sudden density change of many orders of
 * magnitude, slower than the heap until the next retune (bimodal at n = 1e4: 0.5x).
 *
 * Small mode. With a handful of events the calendar mode pays for its generality: bucket
 * arithmetic, block handouts, a drain per bucket and after_op() on every operation (in
 * bench_mmc's M/M/10 queue, about 11 pending events, the calendar queue took about a third
 * of the engine's run). The sorted array wins up to between 64 and 96 events; hold model,
 * ns per pop + push (same harness as above, outside the bench, medians of 3):
 *
 *   n                 8     16     32     50     64     96    128
 *   sorted array    16.7   18.6   24.4   26.6   28.1   32.0   35.8
 *   calendar mode   30.3   33.1   36.4   38.7   30.0   29.5   30.9
 *
 * (the calendar figures below 64 depend on the geometry the fill left; 50 is where a calendar
 * queue growing from empty resizes anyway, see EVQ_SMALL_MAX). bench/bench_mmc, engine
 * customers/s over the same queue written as a tight loop (target >= 0.6), medians of 3 runs
 * of its median of 3: 0.565 with the calendar mode alone, 0.676 with the small mode (plus a
 * mask instead of % in models/qsim's ring buffer). Walking and moving in one pass beat a
 * binary search followed by memmove(), which ran at 0.52: the search is a chain of
 * dependent, unpredictable compares and memmove() a library call, for a few entries. The
 * worst case of the switch is a size sawing between 11 and 51 forever, a rebuild every 80
 * operations: 34 ns per operation against the calendar mode's 24. */
#include "sim/evq.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_sort_double.h>
#include <gsl/gsl_statistics_double.h>

#include "sim/error.h"

#ifndef EVQ_YEAR
/* A year (nbucket * width) spans this many times the 90th percentile of the pending times
 * (less the least): a pushed event then rarely lands beyond the year, where it would share a
 * bucket with the current year's events and be rescanned at each pass. */
#define EVQ_YEAR 0.25
#endif
#ifndef EVQ_WIDTH_FACTOR
/* Bucket width = this many mean gaps between the events at the head. */
#define EVQ_WIDTH_FACTOR 12.0
#endif
_Static_assert(EVQ_SMALL_MIN <= EVQ_SMALL_MAX / 2, "the two thresholds need a gap (hysteresis)");
/* Small-mode bottoms up to this size take every insertion from the start side (when there is
 * room there), without the comparison that picks the shorter side: a scan of a few entries
 * costs less than that comparison's mispredictions. */
#define EVQ_SMALL_SCAN 16
/* Rebuilds of up to this many entries use stack buffers (2 KiB). */
#define EVQ_REBUILD_STACK 64
/* Entries the bottom can hold from the start: room for the small mode's sliding window. */
#define EVQ_SMALL_CAP 256
_Static_assert(EVQ_SMALL_MIN <= EVQ_SMALL_CAP, "the switch to the small mode needs the room");
/* Pending times sampled (strided) for that percentile. */
#define EVQ_SPREAD_SAMPLE 1024
/* Fewest buckets. */
#define EVQ_MIN_BUCKETS 16
/* Events at the head of the queue sampled for the width (Brown used 25). */
#define EVQ_SAMPLE 32
/* Mean work per operation (buckets visited + entries scanned or moved) above which the width
 * is re-estimated; a well-tuned queue does about 2. */
#define EVQ_WORK_LIMIT 12
/* Dead entries tolerated beyond the live count before a purge. */
#define EVQ_DEAD_SLACK 64
/* Bottoms up to this size are sorted by insertion, larger ones by qsort. */
#define EVQ_SMALL_SORT 48
/* Bytes per slab of small blocks. */
#define EVQ_SLAB_BYTES 16384
/* Virtual buckets are clamped to +-2^62 so that cur + 1 never overflows. */
#define EVQ_VB_MAX 4611686018427387904.0
/* Widths stay where 1/width is finite and (t - origin)/width is never NaN. */
#define EVQ_WIDTH_MIN 1e-200
#define EVQ_WIDTH_MAX 1e200

#if defined(__GNUC__)
#define EVQ_PREFETCH(p) __builtin_prefetch(p)
#define EVQ_NOINLINE __attribute__((noinline))
#else
#define EVQ_PREFETCH(p) ((void)(p))
#define EVQ_NOINLINE
#endif

/* ---- keys ---- */

/* Monotone non-decreasing in t: subtraction, multiplication by a positive constant and
 * truncation each preserve order under IEEE rounding, and so does clamping. */
static inline int64_t vbucket(const struct evq *q, double t)
{
	double x = (t - q->origin) * q->inv_width;

	if (x >= EVQ_VB_MAX)
		return (int64_t)EVQ_VB_MAX;
	if (x <= -EVQ_VB_MAX)
		return -(int64_t)EVQ_VB_MAX;
	return (int64_t)x;
}

static inline struct evq_bucket *bucket_of(const struct evq *q, int64_t v)
{
	return &q->bucket[(uint64_t)v & (q->nbucket - 1)];
}

static inline int ent_before(const struct evq_ent *a, const struct evq_ent *b)
{
	return a->time < b->time || (a->time == b->time && a->seq < b->seq);
}

static int ent_cmp(const void *pa, const void *pb)
{
	const struct evq_ent *a = pa, *b = pb;

	return ent_before(a, b) ? -1 : ent_before(b, a) ? 1 : 0;
}

/* ent_before() without short-circuit branches, for the binary search, where the outcome is
 * a coin toss that a branch predictor cannot learn. */
static inline int ent_before_nb(const struct evq_ent *a, const struct evq_ent *b)
{
	return (a->time < b->time) | ((a->time == b->time) & (a->seq < b->seq));
}

/* The first index in [lo, hi) whose entry comes after e, or hi. Halving with a conditional
 * move instead of a branch; the range [base, base + n] always holds the answer. */
static inline size_t upper_bound(const struct evq_ent *a, size_t lo, size_t hi,
				 const struct evq_ent *e)
{
	const struct evq_ent *base = a + lo;
	size_t n = hi - lo;

	if (n == 0)
		return lo;
	while (n > 1) {
		size_t half = n / 2;

		base = ent_before_nb(e, &base[half]) ? base : base + half;
		n -= half;
	}
	return (size_t)(base - a) + (size_t)!ent_before_nb(e, base);
}

static void sort_ents(struct evq_ent *e, size_t n)
{
	size_t i = 1;

	/* Runs of ties are appended in seq order: often there is nothing to do. */
	while (i < n && !ent_before(&e[i], &e[i - 1]))
		i++;
	if (i >= n)
		return;
	if (n > EVQ_SMALL_SORT) {
		qsort(e, n, sizeof *e, ent_cmp);
		return;
	}
	/* Insertion sort from the first out-of-order entry: the prefix is sorted already. */
	for (; i < n; i++) {
		struct evq_ent x = e[i];
		size_t j = i;

		for (; j > 0 && ent_before(&x, &e[j - 1]); j--)
			e[j] = e[j - 1];
		e[j] = x;
	}
}

/* ---- the block pool ---- */

static inline size_t class_cap(uint32_t cls)
{
	return (size_t)4 << cls;
}

/* The least class holding n entries, or EVQ_NCLASS if none does. */
static uint32_t class_for(size_t n)
{
	uint32_t c = 0;

	while (c < EVQ_NCLASS && class_cap(c) < n)
		c++;
	return c;
}

/* A block of class cls, or NULL. Small classes come from the free list or a fresh slab. */
static struct evq_ent *block_get(struct evq_pool *p, uint32_t cls)
{
	struct evq_ent *b = p->free[cls];
	size_t bytes = class_cap(cls) * sizeof *b, nblk;
	char *slab;

	if (b) {
		memcpy(&p->free[cls], b, sizeof p->free[cls]);
		return b;
	}
	if (cls >= EVQ_SLAB_CLASSES)
		return malloc(bytes);
	if (p->nslab == p->slab_cap) {
		size_t cap = p->slab_cap ? 2 * p->slab_cap : 16;
		void **s = realloc(p->slab, cap * sizeof *s);

		if (!s)
			return NULL;
		p->slab = s;
		p->slab_cap = cap;
	}
	nblk = EVQ_SLAB_BYTES / bytes;
	slab = malloc(nblk * bytes);
	if (!slab)
		return NULL;
	p->slab[p->nslab++] = slab;
	/* Hand out the first block; chain the others, lowest address on top. */
	for (size_t i = nblk; i-- > 1;) {
		b = (struct evq_ent *)(void *)(slab + i * bytes);
		memcpy(b, &p->free[cls], sizeof p->free[cls]);
		p->free[cls] = b;
	}
	return (struct evq_ent *)(void *)slab;
}

static void block_put(struct evq_pool *p, struct evq_ent *b, uint32_t cls)
{
	if (cls >= EVQ_SLAB_CLASSES) {
		free(b);
		return;
	}
	memcpy(b, &p->free[cls], sizeof p->free[cls]);
	p->free[cls] = b;
}

/* Frees the pool's slabs and the large blocks still held by buckets. */
static void pool_release(struct evq_pool *p, struct evq_bucket *bk, size_t nb)
{
	for (size_t i = 0; bk && i < nb; i++)
		if (bk[i].e && bk[i].cls >= EVQ_SLAB_CLASSES)
			free(bk[i].e);
	for (size_t i = 0; i < p->nslab; i++)
		free(p->slab[i]);
	free(p->slab);
	*p = (struct evq_pool){0};
}

/* ---- the dead set: open addressing, linear probing, backward-shift deletion ---- */

static inline size_t dead_home(uint64_t seq, size_t mask)
{
	/* Fibonacci hashing (Knuth, TAOCP 6.4): seqs are consecutive, the multiply spreads them. */
	uint64_t h = seq * UINT64_C(0x9E3779B97F4A7C15);

	return (size_t)(h ^ (h >> 29)) & mask;
}

static int dead_has(const struct evq *q, uint64_t seq)
{
	size_t mask = q->dead_cap - 1;

	if (seq == 0)
		return q->dead_zero;
	if (!q->dead_cap)
		return 0;
	for (size_t i = dead_home(seq, mask); q->dead[i]; i = (i + 1) & mask)
		if (q->dead[i] == seq)
			return 1;
	return 0;
}

static void dead_put(uint64_t *t, size_t mask, uint64_t seq)
{
	size_t i = dead_home(seq, mask);

	while (t[i])
		i = (i + 1) & mask;
	t[i] = seq;
}

/* Adds seq. Returns 0 or CAPSIM_ENOMEM (the set is then unchanged). */
static int dead_add(struct evq *q, uint64_t seq)
{
	if (seq == 0) {
		q->dead_zero = 1;
	} else {
		if (2 * (q->ndead + 1) > q->dead_cap) {
			size_t cap = q->dead_cap ? 2 * q->dead_cap : 64;
			uint64_t *t = calloc(cap, sizeof *t);

			if (!t)
				return CAPSIM_ENOMEM;
			for (size_t i = 0; i < q->dead_cap; i++)
				if (q->dead[i])
					dead_put(t, cap - 1, q->dead[i]);
			free(q->dead);
			q->dead = t;
			q->dead_cap = cap;
		}
		dead_put(q->dead, q->dead_cap - 1, seq);
	}
	q->ndead++;
	return 0;
}

/* Removes seq if present; returns whether it was. */
static int dead_take(struct evq *q, uint64_t seq)
{
	size_t mask = q->dead_cap - 1, i, j;

	if (seq == 0) {
		if (!q->dead_zero)
			return 0;
		q->dead_zero = 0;
		q->ndead--;
		return 1;
	}
	if (!q->dead_cap)
		return 0;
	for (i = dead_home(seq, mask); q->dead[i] != seq; i = (i + 1) & mask)
		if (!q->dead[i])
			return 0;
	/* Backward shift (Knuth's Algorithm R): pull later members of the probe run into the
	 * hole unless their home lies cyclically in (hole, their slot]. */
	for (j = i;;) {
		size_t k;

		j = (j + 1) & mask;
		if (!q->dead[j])
			break;
		k = dead_home(q->dead[j], mask);
		if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
			continue;
		q->dead[i] = q->dead[j];
		i = j;
	}
	q->dead[i] = 0;
	q->ndead--;
	return 1;
}

static void dead_clear(struct evq *q)
{
	if (q->dead_cap)
		memset(q->dead, 0, q->dead_cap * sizeof *q->dead);
	q->dead_zero = 0;
	q->ndead = 0;
}

/* ---- growth ---- */

/* Makes the bottom hold at least cap entries. */
static int bot_reserve(struct evq *q, size_t cap)
{
	struct evq_ent *p;

	if (cap <= q->bot_cap)
		return 0;
	p = realloc(q->bot, cap * sizeof *p);
	if (!p)
		return CAPSIM_ENOMEM;
	q->bot = p;
	q->bot_cap = cap;
	return 0;
}

/* Appends to bucket b: one header load (a small array) and one store into the block. */
static int bucket_append(struct evq *q, struct evq_bucket *b, struct evq_ent e)
{
	if (!b->e || b->n == class_cap(b->cls)) {
		uint32_t cls = b->e ? b->cls + 1 : 0;
		struct evq_ent *blk;

		if (cls >= EVQ_NCLASS || bot_reserve(q, class_cap(cls)))
			return CAPSIM_ENOMEM;
		blk = block_get(&q->pool, cls);
		if (!blk)
			return CAPSIM_ENOMEM;
		if (b->e) {
			memcpy(blk, b->e, b->n * sizeof *blk);
			block_put(&q->pool, b->e, b->cls);
		}
		b->e = blk;
		b->cls = cls;
	}
	b->e[b->n++] = e;
	return 0;
}

/* Inserts an entry of virtual bucket <= cur into the sorted bottom. */
static int bot_insert(struct evq *q, struct evq_ent e)
{
	size_t lo, hi;

	if (q->bot_n == q->bot_cap) {
		if (q->bot_head > 0) {
			memmove(q->bot, q->bot + q->bot_head,
				(q->bot_n - q->bot_head) * sizeof *q->bot);
			q->bot_n -= q->bot_head;
			q->bot_head = 0;
		} else if (bot_reserve(q, 2 * q->bot_cap + 16)) {
			return CAPSIM_ENOMEM;
		}
	}
	/* Binary search for the first entry after e; a new event usually has the largest seq,
	 * so it goes after its ties. */
	lo = q->bot_head;
	hi = q->bot_n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ent_before(&e, &q->bot[mid]))
			hi = mid;
		else
			lo = mid + 1;
	}
	memmove(q->bot + lo + 1, q->bot + lo, (q->bot_n - lo) * sizeof *q->bot);
	q->bot[lo] = e;
	q->bot_n++;
	q->work += q->bot_n - lo;
	return 0;
}

/* ---- the scan ---- */

/* Starts fetching what the scan needs soon: the events named by bucket b (whose block was
 * prefetched one step earlier) and the block of the bucket after it. By the time those
 * events are popped they are in cache. */
static void prefetch_ahead(const struct evq *q, int64_t v)
{
	const struct evq_bucket *b = bucket_of(q, v), *c = bucket_of(q, v + 1);

	for (uint32_t i = 0; i < b->n; i++)
		EVQ_PREFETCH(b->e[i].ev);
	for (size_t off = 0; off < c->n * sizeof *c->e; off += 64)
		EVQ_PREFETCH((const char *)c->e + off);
}

/* Fills the (empty) bottom with the next virtual bucket that has live entries, sorted.
 * Requires size > 0. Visits at most one year of buckets; if none of them holds an entry of
 * the bucket being visited, jumps to the least virtual bucket seen (Brown's direct search:
 * every entry was seen, so that is the least pending one). */
static void drain(struct evq *q)
{
	size_t visited = 0;
	int64_t best = INT64_MAX;

	for (;;) {
		int64_t v;
		struct evq_bucket *b;
		uint32_t keep = 0;
		size_t k = 0;

		if (visited == q->nbucket) {
			CAPSIM_ASSERT(best != INT64_MAX);
			q->cur = best - 1;
			best = INT64_MAX;
			visited = 0;
		}
		v = ++q->cur;
		b = bucket_of(q, v);
		visited++;
		q->work++;
		if (b->n == 0)
			continue;
		for (uint32_t j = 0; j < b->n; j++) {
			struct evq_ent e = b->e[j];
			int64_t ev_v = vbucket(q, e.time);

			if (ev_v == v) {
				if (q->ndead && dead_take(q, e.seq))
					continue;
				EVQ_PREFETCH(e.ev);
				q->bot[k++] = e;
			} else {
				b->e[keep++] = e;
				if (ev_v < best)
					best = ev_v;
			}
		}
		q->work += b->n;
		b->n = keep;
		if (keep == 0) {
			/* Back to the pool while hot: the next new bucket reuses it. */
			block_put(&q->pool, b->e, b->cls);
			b->e = NULL;
		}
		if (k) {
			prefetch_ahead(q, v + 1);
			sort_ents(q->bot, k);
			q->bot_head = 0;
			q->bot_n = k;
			return;
		}
	}
}

/* The least live entry, at bot[bot_head]; NULL when empty. Drops dead entries on the way. */
static struct evq_ent *front(struct evq *q)
{
	for (;;) {
		while (q->bot_head < q->bot_n) {
			struct evq_ent *e = &q->bot[q->bot_head];

			if (!q->ndead || !dead_take(q, e->seq))
				return e;
			q->bot_head++;
		}
		if (q->size == 0)
			return NULL;
		q->bot_head = q->bot_n = 0;
		drain(q);
	}
}

/* ---- rebuild: resize, retune, purge ---- */

static double clamp_width(double w)
{
	return w < EVQ_WIDTH_MIN ? EVQ_WIDTH_MIN : w > EVQ_WIDTH_MAX ? EVQ_WIDTH_MAX : w;
}

/* Brown's width estimate from the first m (>= 2) times, ascending: the mean gap, recomputed
 * without gaps above twice that mean (a few outliers would dominate it), times
 * EVQ_WIDTH_FACTOR. Falls back to the untrimmed mean when the trimmed one is zero (a cluster
 * of ties then a gap), and to the old width when the sample is all ties or not finite. */
static double estimate_width(const double *t, size_t m, double old)
{
	double mean = (t[m - 1] - t[0]) / (double)(m - 1), sum = 0, w;
	size_t n = 0;

	if (!(mean > 0) || !isfinite(mean))
		return old;
	for (size_t i = 1; i < m; i++) {
		double gap = t[i] - t[i - 1];

		if (gap <= 2 * mean) {
			sum += gap;
			n++;
		}
	}
	w = EVQ_WIDTH_FACTOR * (sum > 0 ? sum / (double)n : mean);
	return clamp_width(w);
}

static size_t pow2_at_least(double x)
{
	size_t p = 1;

	while ((double)p < x && p < ((size_t)1 << 40))
		p <<= 1;
	return p;
}

/* Buckets for n pending times (least t0) and the given width: enough that a year spans
 * EVQ_YEAR times the 90th percentile of t - t0, estimated from a strided sample; at least
 * n / 16 and at most n / 2: blocks hold 4 entries or more, so sparser buckets waste memory
 * (and cache) for no gain in scan length. */
static size_t choose_nbucket(const double *times, size_t n, double t0, double width,
			     double *spread)
{
	size_t lo = pow2_at_least((double)n / 16), hi = pow2_at_least(0.5 * (double)n);
	size_t s = n < EVQ_SPREAD_SAMPLE ? n : EVQ_SPREAD_SAMPLE, nb = lo;

	if (s > 0) {
		double q90;

		size_t i;

		for (i = 0; i < s; i++)
			spread[i] = times[i * (n / s)];
		/* Already sorted when the times come from a sorted bottom (a switch from the small
		 * mode): then the sort, most of such a rebuild's cost, is skipped. */
		for (i = 1; i < s && spread[i - 1] <= spread[i]; i++)
			;
		if (i < s)
			gsl_sort(spread, 1, s);
		q90 = gsl_stats_quantile_from_sorted_data(spread, 1, s, 0.9) - t0;
		if (isfinite(q90) && q90 > 0)
			nb = pow2_at_least(EVQ_YEAR * q90 / width);
	}
	if (nb < lo)
		nb = lo;
	if (nb > hi)
		nb = hi;
	return nb < EVQ_MIN_BUCKETS ? EVQ_MIN_BUCKETS : nb;
}

/* Redistributes the live entries (of the bottom and the buckets) over buckets of a
 * re-estimated width and number, dropping dead entries, into a fresh pool. Returns 0, or
 * CAPSIM_ENOMEM: all new memory is allocated before anything changes, so the queue is then
 * left as it was (still correct, maybe slower). */
static int rebuild(struct evq *q)
{
	size_t n = q->size, k = 0, m = n < EVQ_SAMPLE ? n : EVQ_SAMPLE, maxcap = EVQ_SMALL_SORT;
	size_t nb = 0;
	/* Small rebuilds (the switch from the small mode) work on the stack. */
	struct evq_ent all_stack[EVQ_REBUILD_STACK];
	double times_stack[EVQ_REBUILD_STACK];
	int heap = n > EVQ_REBUILD_STACK;
	struct evq_ent *all = heap ? malloc(n * sizeof *all) : all_stack;
	double *times = heap ? malloc(n * sizeof *times) : times_stack;
	struct evq g = *q;  /* the new geometry, filled before it replaces q's */
	double first[EVQ_SAMPLE], spread[EVQ_SPREAD_SAMPLE];
	/* In the small mode no bucket holds a block: the pool has only free blocks, and the
	 * new buckets take theirs from it rather than from fresh slabs. */
	int reuse_pool = q->small;

	g.bucket = NULL;
	g.pool = reuse_pool ? q->pool : (struct evq_pool){0};
	if (!all || !times)
		goto fail;
	for (size_t i = q->bot_head; i < q->bot_n; i++)
		if (!q->ndead || !dead_has(q, q->bot[i].seq))
			all[k++] = q->bot[i];
	for (size_t b = 0; b < q->nbucket; b++)
		for (uint32_t j = 0; j < q->bucket[b].n; j++)
			if (!q->ndead || !dead_has(q, q->bucket[b].e[j].seq))
				all[k++] = q->bucket[b].e[j];
	CAPSIM_ASSERT(k == n);

	/* Origin at the least time (if finite); width from the head of the queue; buckets
	 * from the spread. */
	if (m > 0) {
		for (size_t i = 0; i < n; i++)
			times[i] = all[i].time;
		gsl_sort_smallest(first, m, times, 1, n);
		if (q->npop > EVQ_SAMPLE && q->pop_last > q->pop_first &&
		    isfinite(q->pop_last - q->pop_first))
			g.width = clamp_width(EVQ_WIDTH_FACTOR * (q->pop_last - q->pop_first) /
					      (double)(q->npop - 1));
		else if (m >= 2)
			g.width = estimate_width(first, m, q->width);
		if (isfinite(first[0]))
			g.origin = first[0];
	}
	g.inv_width = 1.0 / g.width;
	nb = choose_nbucket(times, n, m > 0 ? first[0] : 0, g.width, spread);
	g.nbucket = nb;
	g.bucket = calloc(nb, sizeof *g.bucket);
	if (!g.bucket)
		goto fail;
	/* Count, give each bucket a block with room for a few more, then fill. */
	for (size_t i = 0; i < n; i++)
		bucket_of(&g, vbucket(&g, all[i].time))->n++;
	for (size_t b = 0; b < nb; b++) {
		struct evq_bucket *bk = &g.bucket[b];

		if (bk->n == 0)
			continue;
		bk->cls = class_for(bk->n + bk->n / 4 + 1);
		if (bk->cls >= EVQ_NCLASS)
			goto fail;
		bk->e = block_get(&g.pool, bk->cls);
		if (!bk->e)
			goto fail;
		if (class_cap(bk->cls) > maxcap)
			maxcap = class_cap(bk->cls);
		bk->n = 0;
	}
	if (bot_reserve(q, maxcap))
		goto fail;
	for (size_t i = 0; i < n; i++) {
		struct evq_bucket *bk = bucket_of(&g, vbucket(&g, all[i].time));

		bk->e[bk->n++] = all[i];
	}

	/* Commit. Everything is in buckets and the bottom is empty; cur precedes every entry
	 * (the least time is in virtual bucket 0 unless infinite, then clamped). */
	if (!reuse_pool)
		pool_release(&q->pool, q->bucket, q->nbucket);
	free(q->bucket);
	q->bucket = g.bucket;
	q->nbucket = nb;
	q->pool = g.pool;
	q->width = g.width;
	q->inv_width = g.inv_width;
	q->origin = g.origin;
	q->cur = (m > 0 ? vbucket(q, first[0]) : 0) - 1;
	q->bot_head = q->bot_n = 0;
	q->sized_at = n;
	dead_clear(q);
	q->rebuilds++;
	if (heap) {
		free(all);
		free(times);
	}
	return 0;
fail:
	if (heap) {
		free(all);
		free(times);
	}
	if (reuse_pool) {
		/* Blocks back to q's pool, which keeps any slab it gained. */
		for (size_t b = 0; g.bucket && b < nb; b++)
			if (g.bucket[b].e)
				block_put(&g.pool, g.bucket[b].e, g.bucket[b].cls);
		q->pool = g.pool;
	} else {
		pool_release(&g.pool, g.bucket, g.bucket ? nb : 0);
	}
	free(g.bucket);
	return CAPSIM_ENOMEM;
}

/* ---- the small mode: one sorted array ---- */

/* Moves the n entries of bot starting at from so that they start at to. */
static inline void bot_shift(struct evq *q, size_t to, size_t from, size_t n)
{
	memmove(q->bot + to, q->bot + from, n * sizeof *q->bot);
}

/* Puts the bottom's entries in the middle of its array, so that both ends have room. */
static void small_centre(struct evq *q)
{
	size_t n = q->bot_n - q->bot_head, head = (q->bot_cap - n) / 2;

	bot_shift(q, head, q->bot_head, n);
	q->bot_head = head;
	q->bot_n = head + n;
}

/* Makes room at the end of the full bottom: recentres it, after doubling the array if the
 * bottom fills it. Rare (the window slides by at most one slot per push, and recentring
 * leaves (bot_cap - size) / 2, about 100, free slots at the end), hence out of line.
 * Returns 0, or CAPSIM_ENOMEM (nothing changed). */
static EVQ_NOINLINE int small_make_room(struct evq *q)
{
	if (q->bot_head == 0 && bot_reserve(q, 2 * q->bot_cap))
		return CAPSIM_ENOMEM;
	small_centre(q);
	return 0;
}

/* Inserts e into the sorted bottom. As in a step of insertion sort, the entries on one side
 * of e's place move one slot away from it while they are passed: either those before it,
 * towards the start (when there is room there), or those after it, towards the end. Search
 * and move are one pass with one unpredictable branch, at its end, and no library call
 * (a binary search then memmove() ran bench_mmc at ratio 0.52, this at 0.68). Small bottoms take the
 * start side; larger ones compare e with the middle entry first, to walk the shorter side.
 * Returns 0, or CAPSIM_ENOMEM (nothing changed). */
static int small_insert(struct evq *q, struct evq_ent e)
{
	struct evq_ent *a;
	size_t head, n, i;

	if (q->bot_n == q->bot_cap && small_make_room(q))
		return CAPSIM_ENOMEM;
	a = q->bot;
	head = q->bot_head;
	n = q->bot_n;
	if (head > 0 && (n - head <= EVQ_SMALL_SCAN || ent_before(&e, &a[head + (n - head) / 2]))) {
		for (i = head; i < n && ent_before(&a[i], &e); i++)
			a[i - 1] = a[i];
		a[i - 1] = e;
		q->bot_head = head - 1;
	} else {
		for (i = n; i > head && ent_before(&e, &a[i - 1]); i--)
			a[i] = a[i - 1];
		a[i] = e;
		q->bot_n = n + 1;
	}
	return 0;
}

/* Erases ev's entry for real: found by binary search on its key (seqs are unique), then the
 * shorter side closes the gap. O(log n + EVQ_SMALL_MAX). */
static void small_erase(struct evq *q, struct event *ev)
{
	struct evq_ent key = {ev->time, ev->seq, ev};
	size_t i = upper_bound(q->bot, q->bot_head, q->bot_n, &key);

	/* The entry equal to key is the last one not after it. */
	CAPSIM_ASSERT(i > q->bot_head && q->bot[i - 1].ev == ev && q->bot[i - 1].seq == ev->seq);
	i--;
	if (i - q->bot_head < q->bot_n - 1 - i) {
		bot_shift(q, q->bot_head + 1, q->bot_head, i - q->bot_head);
		q->bot_head++;
	} else {
		bot_shift(q, i, i + 1, q->bot_n - 1 - i);
		q->bot_n--;
	}
}

/* Pops the first entry of the bottom, which holds size > 0 entries. */
static inline struct event *small_pop(struct evq *q)
{
	struct event *ev = q->bot[q->bot_head++].ev;

	ev->evq_pending = 0;
	if (--q->size == 0)
		q->bot_head = q->bot_n = q->bot_cap / 2;
	return ev;
}

/* Calendar to small mode: gathers the live entries (fewer than EVQ_SMALL_MIN, so they fit
 * in the bottom, which never has less room than EVQ_SMALL_CAP) into the bottom, sorts them,
 * empties the buckets (their blocks back to the pool, for the next switch to reuse) and
 * forgets the dead. Cannot fail. */
static EVQ_NOINLINE void to_small(struct evq *q)
{
	size_t k = 0;

	/* The bottom's live entries, in order, to its start (reads never trail writes). */
	for (size_t i = q->bot_head; i < q->bot_n; i++)
		if (!q->ndead || !dead_has(q, q->bot[i].seq))
			q->bot[k++] = q->bot[i];
	for (size_t b = 0; b < q->nbucket; b++) {
		struct evq_bucket *bk = &q->bucket[b];

		for (uint32_t j = 0; j < bk->n; j++) {
			if (q->ndead && dead_has(q, bk->e[j].seq))
				continue;
			CAPSIM_ASSERT(k < q->size);
			q->bot[k++] = bk->e[j];
		}
		if (bk->e)
			block_put(&q->pool, bk->e, bk->cls);
		*bk = (struct evq_bucket){0};
	}
	CAPSIM_ASSERT(k == q->size);
	/* Fewer than EVQ_SMALL_MIN entries, once per switch: qsort() will do, and sort_ents()
	 * keeps its one caller, drain(), into which it is inlined. */
	qsort(q->bot, k, sizeof *q->bot, ent_cmp);
	q->bot_head = 0;
	q->bot_n = k;
	small_centre(q);
	dead_clear(q);
	q->small = 1;
	q->small_max = EVQ_SMALL_MAX;
}

/* Small to calendar mode, through a rebuild (which reads the bottom). If memory is short,
 * stays small (correct at any size) and tries again at twice the size. */
static EVQ_NOINLINE void to_calendar(struct evq *q)
{
	if (rebuild(q)) {
		if (q->small_max < SIZE_MAX / 2)
			q->small_max *= 2;
		return;
	}
	q->small = 0;
	q->work = q->ops = q->npop = 0;
	q->window = 1024;
}

/* Bookkeeping after each operation: rebuild when dead entries outnumber live ones, or when
 * the size has doubled or fallen to a quarter since the last rebuild (Brown's resize rule,
 * with the bucket count then following the spread of times); and Oh & Ahn's check: when the
 * mean work per operation over a window is high, the density drifted: re-estimate. A retune
 * that does not help doubles the next window, which bounds the cost of hopeless cases (e.g.
 * all events at one instant, where no width helps). */
static void after_op(struct evq *q)
{
	if (q->size < EVQ_SMALL_MIN) {
		to_small(q);
		return;
	}
	if (q->ndead > q->size + EVQ_DEAD_SLACK || q->size > 2 * q->sized_at + EVQ_MIN_BUCKETS ||
	    (4 * q->size < q->sized_at && q->nbucket > EVQ_MIN_BUCKETS)) {
		(void)rebuild(q);
		return;
	}
	q->ops++;
	/* The window's work budget is spent early (the density changed under us, e.g. the
	 * scan keeps sweeping empty years): retune now rather than at the end of the window. */
	if (q->work > EVQ_WORK_LIMIT * q->window ||
	    (q->ops >= q->window && q->work > EVQ_WORK_LIMIT * q->ops)) {
		(void)rebuild(q);
		q->retunes++;
		if (q->window < (UINT64_C(1) << 40))
			q->window *= 2;
	} else if (q->ops >= q->window) {
		q->window = q->nbucket > 1024 ? q->nbucket : 1024;
	} else {
		return;
	}
	q->work = q->ops = q->npop = 0;
}

/* ---- API ---- */

int evq_init(struct evq *q)
{
	*q = (struct evq){0};
	q->nbucket = EVQ_MIN_BUCKETS;
	q->bucket = calloc(q->nbucket, sizeof *q->bucket);
	if (!q->bucket || bot_reserve(q, EVQ_SMALL_CAP)) {
		evq_release(q);
		return CAPSIM_ENOMEM;
	}
	q->small = 1;
	q->small_max = EVQ_SMALL_MAX;
	q->bot_head = q->bot_n = q->bot_cap / 2;
	q->width = 1.0;
	q->inv_width = 1.0;
	q->cur = -1;
	q->window = 1024;
	return 0;
}

void evq_release(struct evq *q)
{
	if (!q)
		return;
	pool_release(&q->pool, q->bucket, q->nbucket);
	free(q->bucket);
	free(q->bot);
	free(q->dead);
	*q = (struct evq){0};
}

/* evq_push() in the calendar mode. */
static EVQ_NOINLINE int calendar_push(struct evq *q, struct event *ev)
{
	struct evq_ent e = {ev->time, ev->seq, ev};
	int64_t v;
	int rc;

	CAPSIM_ASSERT(!evq_is_pending(ev));
	if (isnan(ev->time) || (q->ndead && dead_has(q, ev->seq)))
		return CAPSIM_EINVAL;
	v = vbucket(q, ev->time);
	rc = v <= q->cur ? bot_insert(q, e) : bucket_append(q, bucket_of(q, v), e);
	if (rc)
		return rc;
	ev->evq_pending = 1;
	q->size++;
	after_op(q);
	return 0;
}

/* evq_push() in the small mode. */
static EVQ_NOINLINE int small_push(struct evq *q, struct event *ev)
{
	int rc;

	CAPSIM_ASSERT(!evq_is_pending(ev));
	if (isnan(ev->time))
		return CAPSIM_EINVAL;
	if ((rc = small_insert(q, (struct evq_ent){ev->time, ev->seq, ev})) != 0)
		return rc;
	ev->evq_pending = 1;
	if (++q->size > q->small_max)
		to_calendar(q);
	return 0;
}

/* One test, then a tail call: neither mode pays for the other's registers. */
int evq_push(struct evq *q, struct event *ev)
{
	return q->small ? small_push(q, ev) : calendar_push(q, ev);
}

/* Pops e, which front() just returned. */
static struct event *pop_front(struct evq *q, struct evq_ent *e)
{
	struct event *ev = e->ev;

	if (q->npop++ == 0)
		q->pop_first = e->time;
	q->pop_last = e->time;
	q->bot_head++;
	ev->evq_pending = 0;
	q->size--;
	after_op(q);
	return ev;
}

struct event *evq_pop(struct evq *q)
{
	struct evq_ent *e;

	if (q->small)
		return q->size ? small_pop(q) : NULL;
	e = front(q);
	return e ? pop_front(q, e) : NULL;
}

struct event *evq_pop_until(struct evq *q, double until)
{
	struct evq_ent *e;

	if (q->small)
		return q->size && q->bot[q->bot_head].time <= until ? small_pop(q) : NULL;
	e = front(q);
	return e && e->time <= until ? pop_front(q, e) : NULL;
}

struct event *evq_peek(struct evq *q)
{
	struct evq_ent *e;

	if (q->small)
		return q->size ? q->bot[q->bot_head].ev : NULL;
	e = front(q);
	return e ? e->ev : NULL;
}

/* Finds and erases the live entry of ev for real: the fallback when the dead set cannot grow
 * (out of memory). O(size) at worst, but it keeps evq_remove() infallible. */
static void remove_slow(struct evq *q, struct event *ev)
{
	struct evq_bucket *b;

	for (size_t i = q->bot_head; i < q->bot_n; i++) {
		if (q->bot[i].ev == ev && q->bot[i].seq == ev->seq) {
			memmove(q->bot + i, q->bot + i + 1, (q->bot_n - i - 1) * sizeof *q->bot);
			q->bot_n--;
			return;
		}
	}
	b = bucket_of(q, vbucket(q, ev->time));
	for (uint32_t j = 0; j < b->n; j++) {
		if (b->e[j].ev == ev && b->e[j].seq == ev->seq) {
			b->e[j] = b->e[--b->n];
			return;
		}
	}
	CAPSIM_ASSERT(!"evq_remove: event not found in this queue");
}

void evq_remove(struct evq *q, struct event *ev)
{
	CAPSIM_ASSERT(evq_is_pending(ev) && q->size > 0);
	if (q->small) {
		small_erase(q, ev);
		ev->evq_pending = 0;
		if (--q->size == 0)
			q->bot_head = q->bot_n = q->bot_cap / 2;
		return;
	}
	if (dead_add(q, ev->seq))
		remove_slow(q, ev);
	ev->evq_pending = 0;
	q->size--;
	after_op(q);
}

size_t evq_size(const struct evq *q)
{
	return q->size;
}
