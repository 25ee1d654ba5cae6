/* Tests of sim/mc: in-order folding, thread-count-independent results, errors, bounds. */
#include <criterion/criterion.h>

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sim/error.h"
#include "sim/mc.h"
#include "sim/rng.h"

static const unsigned thread_counts[] = { 1, 2, 3, 7 };
#define NCOUNTS (sizeof thread_counts / sizeof thread_counts[0])

static void sleep_ms(long ms)
{
	struct timespec t = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&t, NULL);
}

/* ---- order, zeroing and progress ---- */

struct tagged {
	uint64_t rep_times_3_plus_1;   /* written by run */
	int was_zero;                  /* run saw an all-zero result buffer */
	char pad[100];                 /* make slots larger than a cache line */
};

struct order_ctx {
	uint64_t *order;      /* reps in fold order */
	uint64_t nfold;
	uint64_t last_progress;
	int progress_ok;
};

static int order_run(uint64_t seed, uint64_t rep, void *result, void *ctx)
{
	(void)seed;
	(void)ctx;
	struct tagged *t = result;
	static const struct tagged zero;
	t->was_zero = memcmp(t, &zero, sizeof zero) == 0;
	t->rep_times_3_plus_1 = rep * 3 + 1;
	memset(t->pad, 0xab, sizeof t->pad);   /* dirty the slot for its next user */
	return 0;
}

static void order_fold(const void *result, uint64_t rep, void *ctx)
{
	const struct tagged *t = result;
	struct order_ctx *c = ctx;
	cr_assert(t->was_zero, "result of rep %llu not zeroed before run", (unsigned long long)rep);
	cr_assert_eq(t->rep_times_3_plus_1, rep * 3 + 1, "fold got another rep's result");
	c->order[c->nfold++] = rep;
}

static void order_progress(uint64_t done, uint64_t total, void *ctx)
{
	struct order_ctx *c = ctx;
	if (done != c->last_progress + 1 || done != c->nfold || total != 1000)
		c->progress_ok = 0;
	c->last_progress = done;
}

Test(mc, fold_is_called_once_per_rep_in_order)
{
	const uint64_t reps = 1000;
	for (size_t t = 0; t < NCOUNTS; t++) {
		struct order_ctx c = { .order = calloc(reps, sizeof(uint64_t)), .progress_ok = 1 };
		cr_assert_not_null(c.order);
		struct mc_config cfg = {
			.seed = 1, .reps = reps, .threads = thread_counts[t],
			.result_size = sizeof(struct tagged),
			.run = order_run, .fold = order_fold, .progress = order_progress, .ctx = &c,
		};
		cr_assert_eq(mc_run(&cfg), 0);
		cr_assert_eq(c.nfold, reps, "threads %u: %llu folds", thread_counts[t],
			     (unsigned long long)c.nfold);
		for (uint64_t i = 0; i < reps; i++)
			cr_assert_eq(c.order[i], i, "threads %u: fold %llu was rep %llu",
				     thread_counts[t], (unsigned long long)i,
				     (unsigned long long)c.order[i]);
		cr_assert(c.progress_ok && c.last_progress == reps, "progress out of step");
		free(c.order);
	}
}

/* ---- bit-identical results ---- */

/* Sum of 500 lognormal(0, 3) draws of the replication's own stream: values spanning many
 * orders of magnitude, so that a sum of them depends on its order in the last bits. */
static int sum_run(uint64_t seed, uint64_t rep, void *result, void *ctx)
{
	(void)ctx;
	struct rng s;
	int rc = rng_init(&s, seed, rep, 0);
	if (rc)
		return rc;
	double sum = 0.0;
	for (int i = 0; i < 500; i++)
		sum += rng_lognormal(&s, 0.0, 3.0);
	rng_release(&s);
	*(double *)result = sum;
	return 0;
}

struct sum_ctx {
	double acc;            /* order-sensitive running sum */
	double *each;          /* per replication, for the reordering check */
};

static void sum_fold(const void *result, uint64_t rep, void *ctx)
{
	struct sum_ctx *c = ctx;
	double x = *(const double *)result;
	c->acc += x;
	c->each[rep] = x;
}

Test(mc, results_are_bit_identical_whatever_the_thread_count)
{
	enum { REPS = 300 };
	double ref = 0.0;
	double each[REPS];
	for (size_t t = 0; t < NCOUNTS; t++) {
		struct sum_ctx c = { .acc = 0.0, .each = each };
		struct mc_config cfg = {
			.seed = 99, .reps = REPS, .threads = thread_counts[t],
			.result_size = sizeof(double), .run = sum_run, .fold = sum_fold, .ctx = &c,
		};
		cr_assert_eq(mc_run(&cfg), 0);
		if (t == 0)
			ref = c.acc;
		cr_assert(memcmp(&c.acc, &ref, sizeof ref) == 0, "threads %u: %.17g vs %.17g",
			  thread_counts[t], c.acc, ref);
	}
	/* The check can fail: the same results summed in reverse differ in their bits. */
	double rev = 0.0;
	for (int i = REPS - 1; i >= 0; i--)
		rev += each[i];
	cr_assert(memcmp(&rev, &ref, sizeof ref) != 0, "the sum is not order-sensitive");
	cr_assert(fabs(rev - ref) <= 1e-12 * ref);
}

/* ---- errors ---- */

struct fail_ctx {
	uint64_t fail_a, fail_b;    /* reps that fail: fail_a with ERANGE, fail_b with EINVAL */
	long sleep_a_ms;            /* fail_a sleeps first, so fail_b is seen first */
	pthread_mutex_t mu;
	uint64_t max_started;       /* highest rep passed to run */
	int started_any;
	uint64_t nfold;
	int fold_in_order;
};

static int fail_run(uint64_t seed, uint64_t rep, void *result, void *ctx)
{
	(void)seed;
	(void)result;
	struct fail_ctx *c = ctx;
	pthread_mutex_lock(&c->mu);
	if (!c->started_any || rep > c->max_started)
		c->max_started = rep;
	c->started_any = 1;
	pthread_mutex_unlock(&c->mu);
	if (rep == c->fail_a) {
		sleep_ms(c->sleep_a_ms);
		return CAPSIM_ERANGE;
	}
	if (rep == c->fail_b)
		return CAPSIM_EINVAL;
	return 0;
}

static void fail_fold(const void *result, uint64_t rep, void *ctx)
{
	(void)result;
	struct fail_ctx *c = ctx;
	if (rep != c->nfold)
		c->fold_in_order = 0;
	c->nfold++;
}

Test(mc, error_of_replication_k_is_returned)
{
	/* Rep 37 fails (ERANGE), rep 90 too (EINVAL): 37's error comes back, fold saw exactly
	 * 0..36, and no replication at or beyond 37 + window was ever started (a worker takes rep
	 * r only when r < folded + window, and folded stops at 37). With one thread nothing after
	 * 37 starts at all. */
	for (size_t t = 0; t < NCOUNTS; t++) {
		struct fail_ctx c = { .fail_a = 37, .fail_b = 90, .mu = PTHREAD_MUTEX_INITIALIZER,
				      .fold_in_order = 1 };
		struct mc_config cfg = {
			.seed = 5, .reps = 200, .threads = thread_counts[t],
			.result_size = 8, .run = fail_run, .fold = fail_fold, .ctx = &c,
		};
		cr_assert_eq(mc_run(&cfg), CAPSIM_ERANGE, "threads %u", thread_counts[t]);
		cr_assert_eq(c.nfold, (uint64_t)37);
		cr_assert(c.fold_in_order);
		uint64_t window = (uint64_t)thread_counts[t] * MC_SLOTS_PER_THREAD;
		if (thread_counts[t] == 1)
			cr_assert_eq(c.max_started, (uint64_t)37);
		else
			cr_assert_lt(c.max_started, 37 + window);
		pthread_mutex_destroy(&c.mu);
	}
}

Test(mc, lowest_failing_replication_wins_even_if_seen_last)
{
	/* Rep 5 sleeps 50 ms then fails; rep 6 fails at once, so its failure is seen first.
	 * Rep 5 was started before 6, so the runner must still return 5's error (ERANGE) and
	 * have folded exactly 0..4. Holds whatever the timing. */
	struct fail_ctx c = { .fail_a = 5, .fail_b = 6, .sleep_a_ms = 50,
			      .mu = PTHREAD_MUTEX_INITIALIZER, .fold_in_order = 1 };
	struct mc_config cfg = {
		.seed = 5, .reps = 100, .threads = 4,
		.result_size = 8, .run = fail_run, .fold = fail_fold, .ctx = &c,
	};
	cr_assert_eq(mc_run(&cfg), CAPSIM_ERANGE);
	cr_assert_eq(c.nfold, (uint64_t)5);
	cr_assert(c.fold_in_order);
	pthread_mutex_destroy(&c.mu);
}

/* ---- bounded reorder window ---- */

struct lead_ctx {
	pthread_mutex_t mu;
	uint64_t folded;            /* folds so far */
	uint64_t max_lead;          /* max over runs of rep - folded at its start */
};

static int lead_run(uint64_t seed, uint64_t rep, void *result, void *ctx)
{
	(void)seed;
	(void)result;
	struct lead_ctx *c = ctx;
	pthread_mutex_lock(&c->mu);
	uint64_t lead = rep - c->folded;
	if (lead > c->max_lead)
		c->max_lead = lead;
	pthread_mutex_unlock(&c->mu);
	if (rep == 0)
		sleep_ms(100);   /* the others would run far ahead if nothing held them */
	return 0;
}

static void lead_fold(const void *result, uint64_t rep, void *ctx)
{
	(void)result;
	(void)rep;
	struct lead_ctx *c = ctx;
	pthread_mutex_lock(&c->mu);
	c->folded++;
	pthread_mutex_unlock(&c->mu);
}

Test(mc, workers_wait_rather_than_run_past_the_window)
{
	/* Rep 0 is slow; 3 threads must not start any rep r with r >= folded + 3 x slots. */
	struct lead_ctx c = { .mu = PTHREAD_MUTEX_INITIALIZER };
	struct mc_config cfg = {
		.seed = 1, .reps = 5000, .threads = 3, .result_size = 16,
		.run = lead_run, .fold = lead_fold, .ctx = &c,
	};
	cr_assert_eq(mc_run(&cfg), 0);
	cr_assert_eq(c.folded, (uint64_t)5000);
	cr_assert_lt(c.max_lead, (uint64_t)(3 * MC_SLOTS_PER_THREAD));
	pthread_mutex_destroy(&c.mu);
}

/* ---- edges ---- */

static int never_run(uint64_t seed, uint64_t rep, void *result, void *ctx)
{
	(void)seed;
	(void)rep;
	(void)result;
	(void)ctx;
	cr_assert_fail("run called");
	return 0;
}

Test(mc, zero_replications_run_nothing)
{
	const unsigned threads[] = { 0, 1, 4 };
	for (int i = 0; i < 3; i++) {
		struct mc_config cfg = { .reps = 0, .threads = threads[i], .result_size = 8,
					 .run = never_run };
		cr_assert_eq(mc_run(&cfg), 0);
	}
}

Test(mc, more_threads_than_replications_and_all_cpus)
{
	const unsigned threads[] = { 16, 0 };
	for (int i = 0; i < 2; i++) {
		uint64_t order[3] = { 9, 9, 9 };
		struct order_ctx c = { .order = order, .progress_ok = 1 };
		struct mc_config cfg = {
			.seed = 1, .reps = 3, .threads = threads[i], .result_size = sizeof(struct tagged),
			.run = order_run, .fold = order_fold, .ctx = &c,
		};
		cr_assert_eq(mc_run(&cfg), 0);
		cr_assert(c.nfold == 3 && order[0] == 0 && order[1] == 1 && order[2] == 2);
	}
}

static int count_run(uint64_t seed, uint64_t rep, void *result, void *ctx)
{
	(void)seed;
	(void)rep;
	(void)result;
	atomic_uint_least64_t *n = ctx;
	atomic_fetch_add(n, 1);
	return 0;
}

Test(mc, no_fold_and_empty_results_are_allowed)
{
	for (size_t t = 0; t < NCOUNTS; t++) {
		atomic_uint_least64_t n = 0;
		struct mc_config cfg = { .reps = 50, .threads = thread_counts[t], .result_size = 0,
					 .run = count_run, .ctx = &n };
		cr_assert_eq(mc_run(&cfg), 0);
		cr_assert_eq(atomic_load(&n), (uint64_t)50);
	}
}

Test(mc, invalid_configuration)
{
	cr_assert_eq(mc_run(NULL), CAPSIM_EINVAL);
	struct mc_config cfg = { .reps = 10, .threads = 2 };
	cr_assert_eq(mc_run(&cfg), CAPSIM_EINVAL);
}
