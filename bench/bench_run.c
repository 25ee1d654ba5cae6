/* Benchmark of `capsim run`'s simulation: replications/s and pool-steps/s of the fluid model
 * on scenarios/bench-year.json (two regions × three tiers, one-minute step, 365 days,
 * autoscaled), with the peak resident memory.
 *
 * The baseline, measured in the same run, is the same model with the queueing tables turned
 * off (every pool-step solved by the exact formulas of models/queueing.h), on fewer
 * replications: the ratio is what the tables buy. Usage:
 *     build/bench/bench_run [REPS [THREADS [BASELINE_REPS]]]
 * (defaults 1000, 2, 4; BASELINE_REPS 0 skips the baseline, e.g. under a profiler; the target is 1000 replications in <= 60 s on 2 threads and <= 256 MB
 * peak memory). Run from the repository's root. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

#include "models/run.h"
#include "models/scenario.h"
#include "sim/error.h"

static double wall(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int run(const struct scenario *sc, uint64_t reps, unsigned threads, int exact,
	       double *seconds)
{
	struct run_options o = { .seed = sc->seed, .reps = reps, .threads = threads,
				 .exact_queueing = exact };
	struct run_result r;
	double t0 = wall();
	int rc = run_simulate(sc, &o, &r);
	*seconds = wall() - t0;
	if (rc == 0) {
		const struct run_metric *m = run_find_metric(&r, "availability");
		const struct run_metric *c = run_find_metric(&r, "cost_monthly");
		printf("    availability %.6f [%.6f, %.6f], cost_monthly %.2f [%.2f, %.2f] USD\n",
		       m->stat.mean, m->stat.ci95_low, m->stat.ci95_high, c->stat.mean,
		       c->stat.ci95_low, c->stat.ci95_high);
	}
	run_result_release(&r);
	return rc;
}

int main(int argc, char **argv)
{
	uint64_t reps = argc > 1 ? strtoull(argv[1], NULL, 10) : 1000;
	unsigned threads = argc > 2 ? (unsigned)strtoul(argv[2], NULL, 10) : 2;
	uint64_t base_reps = argc > 3 ? strtoull(argv[3], NULL, 10) : 4;
	const char *path = "scenarios/bench-year.json";
	struct scenario sc;
	struct scenario_error err;
	if (scenario_load(path, &sc, &err) != 0) {
		fprintf(stderr, "bench_run: %s\n", err.msg);
		return 1;
	}
	size_t pools = 0;
	for (size_t t = 0; t < sc.ntiers; t++)
		pools += sc.tiers[t].nplacement;
	double steps = sc.horizon / sc.step;

	printf("bench_run: %s, %zu pools, %.0f steps per replication, %u threads\n", path, pools,
	       steps, threads);
	double tb = 0, tt, base_rate = 0;
	if (base_reps > 0) {
		printf("  baseline (exact queueing formulas every pool-step), %llu replications:\n",
		       (unsigned long long)base_reps);
		if (run(&sc, base_reps, threads, 1, &tb) != 0)
			return 1;
		base_rate = (double)base_reps / tb;
		printf("    %.3f s: %.3f replications/s, %.3g pool-steps/s\n", tb, base_rate,
		       base_rate * steps * (double)pools);
	}
	printf("  capsim run (tabulated queueing), %llu replications:\n",
	       (unsigned long long)reps);
	if (run(&sc, reps, threads, 0, &tt) != 0)
		return 1;
	double rate = (double)reps / tt;
	printf("    %.3f s: %.3f replications/s, %.3g pool-steps/s\n", tt, rate,
	       rate * steps * (double)pools);
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	if (base_reps > 0)
		printf("  speed-up over the baseline: %.2fx\n", rate / base_rate);
	printf("  1000 replications would take %.1f s (target 60 s); peak memory %.1f MB "
	       "(target 256 MB)\n", 1000.0 / rate, (double)ru.ru_maxrss / 1024.0);
	scenario_release(&sc);
	return 0;
}
