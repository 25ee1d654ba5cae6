/* Monte Carlo runner: a pthread pool with a bounded reorder window, folding in replication order. */
#include "sim/mc.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/error.h"

#define MC_SLOT_ALIGN 64   /* a cache line: workers writing neighbouring slots do not share one */

/* State shared by the workers and the folding (calling) thread, guarded by mu. */
struct mc_shared {
	const struct mc_config *cfg;
	pthread_mutex_t mu;
	pthread_cond_t space;      /* workers wait here while the window is full */
	pthread_cond_t ready;      /* the folder waits here for the next result */
	uint64_t next;             /* next replication to hand out */
	uint64_t folded;           /* replications folded = the next one to fold */
	uint64_t window;           /* result slots; rep r lives in slot r % window */
	int stop;                  /* a replication failed or the folder is done */
	unsigned char *buf;        /* window slots of `stride` bytes */
	size_t stride;             /* result_size rounded up to MC_SLOT_ALIGN */
	unsigned char *done;       /* per slot: its replication has finished */
	int *rc;                   /* per slot: that replication's return code */
};

static void *mc_worker(void *arg)
{
	struct mc_shared *sh = arg;
	const struct mc_config *cfg = sh->cfg;

	pthread_mutex_lock(&sh->mu);
	for (;;) {
		/* A worker more than a window ahead of the fold waits: memory stays bounded. */
		while (!sh->stop && sh->next < cfg->reps && sh->next >= sh->folded + sh->window)
			pthread_cond_wait(&sh->space, &sh->mu);
		if (sh->stop || sh->next >= cfg->reps)
			break;
		uint64_t rep = sh->next++;
		size_t slot = (size_t)(rep % sh->window);
		pthread_mutex_unlock(&sh->mu);

		void *result = sh->buf + slot * sh->stride;
		memset(result, 0, cfg->result_size);
		int rc = cfg->run(cfg->seed, rep, result, cfg->ctx);

		pthread_mutex_lock(&sh->mu);
		sh->rc[slot] = rc;
		sh->done[slot] = 1;
		if (rc != 0) {
			/* No new replication starts; those below rep are already running, so the
			 * folder still meets the lowest failing one first. */
			sh->stop = 1;
			pthread_cond_broadcast(&sh->space);
		}
		if (rep == sh->folded)
			pthread_cond_signal(&sh->ready);
	}
	pthread_mutex_unlock(&sh->mu);
	return NULL;
}

/* One thread: no pool, no window, same order and same results. */
static int mc_run_inline(const struct mc_config *cfg)
{
	void *result = malloc(cfg->result_size ? cfg->result_size : 1);
	if (!result)
		return CAPSIM_ENOMEM;
	int rc = 0;
	for (uint64_t rep = 0; rep < cfg->reps; rep++) {
		memset(result, 0, cfg->result_size);
		if ((rc = cfg->run(cfg->seed, rep, result, cfg->ctx)) != 0)
			break;
		if (cfg->fold)
			cfg->fold(result, rep, cfg->ctx);
		if (cfg->progress)
			cfg->progress(rep + 1, cfg->reps, cfg->ctx);
	}
	free(result);
	return rc;
}

/* Folds replications in order as they complete; returns 0 or the first failing one's code. */
static int mc_fold_all(struct mc_shared *sh)
{
	const struct mc_config *cfg = sh->cfg;
	int rc = 0;

	pthread_mutex_lock(&sh->mu);
	while (sh->folded < cfg->reps) {
		size_t slot = (size_t)(sh->folded % sh->window);
		while (!sh->done[slot])
			pthread_cond_wait(&sh->ready, &sh->mu);
		if ((rc = sh->rc[slot]) != 0)
			break;
		/* No worker writes this slot until folded moves past it, so fold unlocked. */
		pthread_mutex_unlock(&sh->mu);
		if (cfg->fold)
			cfg->fold(sh->buf + slot * sh->stride, sh->folded, cfg->ctx);
		pthread_mutex_lock(&sh->mu);
		sh->done[slot] = 0;
		sh->folded++;
		pthread_cond_broadcast(&sh->space);
		if (cfg->progress) {
			uint64_t done = sh->folded;
			pthread_mutex_unlock(&sh->mu);
			cfg->progress(done, cfg->reps, cfg->ctx);
			pthread_mutex_lock(&sh->mu);
		}
	}
	sh->stop = 1;
	pthread_cond_broadcast(&sh->space);
	pthread_mutex_unlock(&sh->mu);
	return rc;
}

int mc_run(const struct mc_config *cfg)
{
	if (!cfg || !cfg->run)
		return CAPSIM_EINVAL;
	if (cfg->reps == 0)
		return 0;

	uint64_t threads = cfg->threads;
	if (threads == 0) {
		long cpus = sysconf(_SC_NPROCESSORS_ONLN);
		threads = cpus > 0 ? (uint64_t)cpus : 1;
	}
	if (threads > cfg->reps)
		threads = cfg->reps;
	if (threads == 1)
		return mc_run_inline(cfg);

	struct mc_shared sh = {
		.cfg = cfg,
		.mu = PTHREAD_MUTEX_INITIALIZER,
		.space = PTHREAD_COND_INITIALIZER,
		.ready = PTHREAD_COND_INITIALIZER,
		.window = threads * MC_SLOTS_PER_THREAD,
	};
	int rc = 0;
	pthread_t *tids = NULL;
	unsigned started = 0;

	sh.stride = (cfg->result_size + MC_SLOT_ALIGN - 1) / MC_SLOT_ALIGN * MC_SLOT_ALIGN;
	if (sh.stride == 0)
		sh.stride = MC_SLOT_ALIGN;
	if (sh.window > SIZE_MAX / sh.stride) {
		rc = CAPSIM_ENOMEM;
		goto out;
	}
	sh.buf = aligned_alloc(MC_SLOT_ALIGN, (size_t)sh.window * sh.stride);
	sh.done = calloc((size_t)sh.window, sizeof *sh.done);
	sh.rc = calloc((size_t)sh.window, sizeof *sh.rc);
	tids = calloc((size_t)threads, sizeof *tids);
	if (!sh.buf || !sh.done || !sh.rc || !tids) {
		rc = CAPSIM_ENOMEM;
		goto out;
	}

	for (; started < threads; started++)
		if (pthread_create(&tids[started], NULL, mc_worker, &sh) != 0)
			break;   /* go on with the workers we have: results do not depend on their number */
	if (started == 0) {
		rc = CAPSIM_ETHREAD;
		goto out;
	}
	rc = mc_fold_all(&sh);
	for (unsigned i = 0; i < started; i++)
		pthread_join(tids[i], NULL);
	/* After a failure, the results of later replications that finished are never folded:
	 * hand them to discard, in order (every one lies in the window after the failing one). */
	if (rc != 0 && cfg->discard)
		for (uint64_t r = sh.folded + 1; r < sh.folded + sh.window; r++) {
			size_t slot = (size_t)(r % sh.window);
			if (sh.done[slot] && sh.rc[slot] == 0)
				cfg->discard(sh.buf + slot * sh.stride, r, cfg->ctx);
		}
out:
	free(tids);
	free(sh.rc);
	free(sh.done);
	free(sh.buf);
	pthread_cond_destroy(&sh.ready);
	pthread_cond_destroy(&sh.space);
	pthread_mutex_destroy(&sh.mu);
	return rc;
}
