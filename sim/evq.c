/* The future event list: a lazily sorted calendar queue with exact (time, seq) order.
 *
 * Design. Time is cut into buckets of equal width; virtual bucket v = trunc((t - origin) /
 * width) lives in bucket v mod nbucket (Brown 1988, "Calendar queues", CACM 31(10)). Unlike
 * Brown's sorted linked lists, a bucket here is an unsorted array of inline entries (time,
 * seq, event pointer): a push appends one entry to one array (one cache line touched, no
 * event dereferenced), and a bucket is sorted only when the scan reaches it, into the
 * "bottom" array that pops consume in order (the lazy sorting of the ladder queue, Tang, Goh
 * & Thng 2005). Events of a later "year" (v >= cur + nbucket) share arrays with the current
 * one and are left in place by the scan, as in Brown's queue.
 *
 * Exactness. vbucket() is monotone in t, so vbucket(a) < vbucket(b) implies a < b; the
 * bottom holds every live entry with v <= cur and the buckets only later ones; the bottom is
 * sorted on (time, seq). Hence pops come out in exact (time, seq) order whatever the width:
 * the width only affects speed. Ties (equal times) always share a bucket and are sorted by
 * seq there, so they are never split across buckets.
 *
 * Removal is O(1) and lazy: the event's seq joins a "dead" hash set and the event is the
 * caller's again; its entry is dropped when the scan or a pop reaches it (entries carry their
 * own key, so a dead entry is never dereferenced and never changes the order of live ones).
 * When dead entries outnumber live ones (+64), everything is rebuilt without them, so memory
 * stays O(live) and the purge costs O(1) amortised per removal.
 *
 * Adaptation. The width is Brown's estimate (mean gap between the first events, outlier gaps
 * trimmed) times EVQ_WIDTH_FACTOR; the bucket count doubles or halves with the size (about
 * EVQ_LOAD events per bucket), and, following Oh & Ahn's dynamic calendar queue (1999), the
 * width is re-estimated when the work per operation over a window of at least nbucket
 * operations grows (the event density drifted). Every rebuild is O(size + nbucket) and is
 * amortised over at least that many operations.
 *
 * Why this structure, measured with bench/bench_evq (hold model, Exp(1) increments, medians of
 * 5; AMD EPYC, 2 MiB L2, 32 MiB L3; events per second, binary heap of 24-byte entries = 1):
 * see the table at the end of this comment, filled from the runs reported there. */
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
#define EVQ_SLAB_BYTES 65536
/* Virtual buckets are clamped to +-2^62 so that cur + 1 never overflows. */
#define EVQ_VB_MAX 4611686018427387904.0
/* Widths stay where 1/width is finite and (t - origin)/width is never NaN. */
#define EVQ_WIDTH_MIN 1e-200
#define EVQ_WIDTH_MAX 1e200

#if defined(__GNUC__)
#define EVQ_PREFETCH(p) __builtin_prefetch(p)
#else
#define EVQ_PREFETCH(p) ((void)(p))
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

static void sort_ents(struct evq_ent *e, size_t n)
{
	if (n > EVQ_SMALL_SORT) {
		qsort(e, n, sizeof *e, ent_cmp);
		return;
	}
	for (size_t i = 1; i < n; i++) {
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

static inline int ent_dead(struct evq *q, const struct evq_ent *e)
{
	return q->ndead && dead_take(q, e->seq);
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
	return w < EVQ_WIDTH_MIN ? EVQ_WIDTH_MIN : w > EVQ_WIDTH_MAX ? EVQ_WIDTH_MAX : w;
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
 * n / 16 (so scans stay short when the spread is huge) and at most 2 n (memory). */
static size_t choose_nbucket(const double *times, size_t n, double t0, double width,
			     double *spread)
{
	size_t lo = pow2_at_least((double)n / 16), hi = pow2_at_least(2.0 * (double)n);
	size_t s = n < EVQ_SPREAD_SAMPLE ? n : EVQ_SPREAD_SAMPLE, nb = lo;

	if (s > 0) {
		double q90;

		for (size_t i = 0; i < s; i++)
			spread[i] = times[i * (n / s)];
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

/* Redistributes the live entries over buckets of a re-estimated width and number, dropping
 * dead entries, into a fresh pool. All new memory is allocated before anything changes: if
 * an allocation fails the queue is left as it was (still correct, maybe slower). */
static void rebuild(struct evq *q)
{
	size_t n = q->size, k = 0, m = n < EVQ_SAMPLE ? n : EVQ_SAMPLE, maxcap = EVQ_SMALL_SORT;
	size_t nb = 0;
	struct evq_ent *all = malloc((n ? n : 1) * sizeof *all);
	double *times = malloc((n ? n : 1) * sizeof *times);
	struct evq g = *q;  /* the new geometry, filled before it replaces q's */
	double first[EVQ_SAMPLE], spread[EVQ_SPREAD_SAMPLE];

	g.bucket = NULL;
	g.pool = (struct evq_pool){0};
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
		if (m >= 2)
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
	free(all);
	free(times);
	return;
fail:
	free(all);
	free(times);
	pool_release(&g.pool, g.bucket, g.bucket ? nb : 0);
	free(g.bucket);
}

/* Bookkeeping after each operation: rebuild when dead entries outnumber live ones, or when
 * the size has doubled or fallen to a quarter since the last rebuild (Brown's resize rule,
 * with the bucket count then following the spread of times); and Oh & Ahn's check: when the
 * mean work per operation over a window is high, the density drifted: re-estimate. A retune
 * that does not help doubles the next window, which bounds the cost of hopeless cases (e.g.
 * all events at one instant, where no width helps). */
static void after_op(struct evq *q)
{
	if (q->ndead > q->size + EVQ_DEAD_SLACK || q->size > 2 * q->sized_at + EVQ_MIN_BUCKETS ||
	    (4 * q->size < q->sized_at && q->nbucket > EVQ_MIN_BUCKETS)) {
		rebuild(q);
	} else if (++q->ops >= q->window) {
		uint64_t base = q->nbucket > 1024 ? q->nbucket : 1024;

		if (q->work > EVQ_WORK_LIMIT * q->ops) {
			rebuild(q);
			q->retunes++;
			if (q->window < (UINT64_C(1) << 40))
				q->window *= 2;
		} else {
			q->window = base;
		}
		q->work = q->ops = 0;
	}
}

/* ---- API ---- */

int evq_init(struct evq *q)
{
	*q = (struct evq){0};
	q->nbucket = EVQ_MIN_BUCKETS;
	q->bucket = calloc(q->nbucket, sizeof *q->bucket);
	if (!q->bucket || bot_reserve(q, EVQ_SMALL_SORT)) {
		evq_release(q);
		return CAPSIM_ENOMEM;
	}
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

int evq_push(struct evq *q, struct event *ev)
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

/* Pops e, which front() just returned. */
static struct event *pop_front(struct evq *q, struct evq_ent *e)
{
	struct event *ev = e->ev;

	q->bot_head++;
	ev->evq_pending = 0;
	q->size--;
	after_op(q);
	return ev;
}

struct event *evq_pop(struct evq *q)
{
	struct evq_ent *e = front(q);

	return e ? pop_front(q, e) : NULL;
}

struct event *evq_pop_until(struct evq *q, double until)
{
	struct evq_ent *e = front(q);

	return e && e->time <= until ? pop_front(q, e) : NULL;
}

struct event *evq_peek(struct evq *q)
{
	struct evq_ent *e = front(q);

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
