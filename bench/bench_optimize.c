/* Benchmark of `capsim optimize`: evaluations per second (a candidate's screening and each
 * re-evaluation with the final replications count one each) and the time to a
 * recommendation on the bundled examples, with the optimizer's default settings.
 *
 * The baseline, measured in the same run, is one `capsim run` of the same scenario with the
 * optimizer's final replications (run_simulate: the simulation of the scenario as written):
 * the ratio says how many plain runs an optimisation costs. The line also gives the size of
 * the full grid of fleet mixes (the product over tiers of each tier's candidates) and what
 * evaluating all of it with the final replications would take at the baseline's speed: the
 * work the coordinate descent and the racing avoid. Each figure is the median of REPEAT
 * runs. Usage:
 *     build/bench/bench_optimize [THREADS [REPEAT [SCENARIO ...]]]
 * (defaults 2, 3, and scenarios/{shop,spot-web,spot-batch,dr-shop}.json). The target is a
 * recommendation in <= 60 s for each bundled example on 2 threads. Run from the repository's
 * root. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gsl/gsl_errno.h>

#include "models/optimize.h"
#include "models/run.h"
#include "models/scenario.h"
#include "sim/error.h"
#include "sim/stats.h"

static double wall(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double grid_size(const struct scenario *sc)
{
	double n = 1;
	for (size_t t = 0; t < sc->ntiers; t++) {
		const struct scenario_opt_tier *ot = &sc->optimize.tiers[t];
		size_t k = 1;
		if (ot->spot && ot->nspot_types)
			for (size_t p = 0; p < ot->npct; p++)
				if (ot->pct[p] < 1.0)
					k += ot->nbase * ot->ntype_counts;
		n *= (double)k;
	}
	return n;
}

static int bench(const char *path, unsigned threads, int repeat)
{
	struct scenario sc;
	struct scenario_error err;
	if (scenario_load(path, &sc, &err) != 0) {
		fprintf(stderr, "bench_optimize: %s\n", err.msg);
		return 1;
	}
	double *t_opt = calloc((size_t)repeat, sizeof *t_opt);
	double *t_run = calloc((size_t)repeat, sizeof *t_run);
	if (!t_opt || !t_run) {
		free(t_opt);
		free(t_run);
		scenario_release(&sc);
		return 1;
	}
	uint64_t evaluated = 0, reps = 0;
	double cost = 0, saving = 0;
	int rc = 0;
	for (int i = 0; i < repeat && rc == 0; i++) {
		struct opt_options o = { .seed = sc.seed, .threads = threads, .objective = -1 };
		struct opt_result r;
		double t0 = wall();
		rc = opt_run(&sc, &o, &r);
		t_opt[i] = wall() - t0;
		if (rc == 0) {
			evaluated = r.evaluated;
			reps = r.simulated_reps;
			cost = r.best >= 0 ? r.c[r.best].cost.mean : 0;
			saving = r.best >= 0 ? r.savings_vs_on_demand.mean : 0;
			opt_result_release(&r);
		}
		struct run_options ro = { .seed = sc.seed,
					  .reps = (uint64_t)sc.optimize.final_replications,
					  .threads = threads };
		struct run_result rr;
		t0 = wall();
		if (rc == 0 && (rc = run_simulate(&sc, &ro, &rr)) == 0)
			run_result_release(&rr);
		t_run[i] = wall() - t0;
	}
	if (rc == 0) {
		double opt_s = stats_quantile(t_opt, (size_t)repeat, 0.5);
		double run_s = stats_quantile(t_run, (size_t)repeat, 0.5);
		double grid = grid_size(&sc);
		printf("bench_optimize: scenario=%s threads=%u evaluations=%llu replications=%llu "
		       "time_to_recommendation_s=%.2f evaluations_per_s=%.2f "
		       "replications_per_s=%.1f baseline_run_s=%.2f ratio=%.1f grid=%.0f "
		       "grid_at_final_reps_s=%.0f recommended_usd_month=%.2f "
		       "saving_vs_on_demand_usd_month=%.2f\n",
		       sc.name, threads, (unsigned long long)evaluated, (unsigned long long)reps,
		       opt_s, (double)evaluated / opt_s, (double)reps / opt_s, run_s,
		       opt_s / run_s, grid, grid * run_s, cost, saving);
	} else {
		fprintf(stderr, "bench_optimize: %s: %s\n", path, capsim_strerror(rc));
	}
	free(t_opt);
	free(t_run);
	scenario_release(&sc);
	return rc == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
	static const char *const defaults[] = { "scenarios/shop.json", "scenarios/spot-web.json",
						"scenarios/spot-batch.json",
						"scenarios/dr-shop.json" };
	unsigned threads = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 2;
	int repeat = argc > 2 ? atoi(argv[2]) : 3;
	if (repeat < 1)
		repeat = 1;
	gsl_set_error_handler_off();
	int bad = 0;
	if (argc > 3)
		for (int i = 3; i < argc; i++)
			bad |= bench(argv[i], threads, repeat);
	else
		for (size_t i = 0; i < sizeof defaults / sizeof *defaults; i++)
			bad |= bench(defaults[i], threads, repeat);
	return bad;
}
