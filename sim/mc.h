/* Monte Carlo replication runner: runs replications 0..reps-1 on a pool of pthreads and
 * hands each result to a fold callback in replication order.
 *
 * Workers take the next replication number from a shared counter and write its result into
 * one of a fixed ring of slots; the calling thread folds the slots strictly in order
 * 0, 1, 2, ..., so whatever the thread count (and the scheduling), the fold sees the same
 * results in the same order and the caller's accumulators end bit-identical for a seed.
 * Memory is bounded by the thread count, not by reps: there are MC_SLOTS_PER_THREAD slots per
 * worker, and a worker that runs that far ahead of the fold waits. */
#ifndef CAPSIM_MC_H
#define CAPSIM_MC_H

#include <stddef.h>
#include <stdint.h>

/* Result slots per worker thread: the reorder window is threads * MC_SLOTS_PER_THREAD
 * replications, so a replication starts only once every replication at least that many
 * before it has been folded. */
#define MC_SLOTS_PER_THREAD 4

/* Runs replication `rep` and writes its result into `result` (cfg.result_size bytes, zeroed
 * before the call). Returns 0 or a CAPSIM_E* code. Called concurrently from several threads
 * (on different reps): it must only share read-only data through ctx. */
typedef int (*mc_run_fn)(uint64_t seed, uint64_t rep, void *result, void *ctx);

/* Folds one replication's result into the caller's accumulator. Called exactly once per
 * successful replication, in order 0, 1, 2, ..., never concurrently, from mc_run's caller
 * thread. `result` is valid only during the call. */
typedef void (*mc_fold_fn)(const void *result, uint64_t rep, void *ctx);

/* Optional: called after each fold with the number of replications folded so far. */
typedef void (*mc_progress_fn)(uint64_t done, uint64_t total, void *ctx);

struct mc_config {
	uint64_t seed;         /* passed to every run call */
	uint64_t reps;         /* replications to run; 0 runs nothing */
	unsigned threads;      /* worker threads, 0 = online CPUs; never more than reps */
	size_t result_size;    /* bytes of one replication's result (may be 0) */
	mc_run_fn run;         /* required */
	mc_fold_fn fold;       /* may be NULL */
	mc_progress_fn progress; /* may be NULL */
	mc_fold_fn discard;    /* may be NULL: after a failure, called once for each replication
				* that succeeded but is not folded (in replication order, from
				* mc_run's caller thread, once every worker has finished), so that
				* a result owning memory can release it */
	void *ctx;             /* passed to run, fold and progress */
};

/* Runs and folds every replication. Returns 0; CAPSIM_EINVAL (cfg or cfg->run NULL);
 * CAPSIM_ENOMEM; CAPSIM_ETHREAD if no worker thread could be started (if some could, the
 * run goes on with those, with the same results); or the error returned by the
 * lowest-numbered replication that failed. On a failure of replication k, fold has been
 * called for exactly 0..k-1 (whatever the thread count), discard for those after k that
 * succeeded, no replication is started once the
 * failure is seen, and every started one has finished before mc_run returns. */
int mc_run(const struct mc_config *cfg);

#endif
