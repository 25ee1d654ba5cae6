/* `capsim optimize`: the cheapest purchase mix that still meets the scenario's targets. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "models/optimize.h"
#include "models/scenario.h"
#include "reports/report.h"
#include "sim/error.h"
#include "sim/version.h"

const char cmd_optimize_usage[] =
	"usage: capsim optimize FILE [-o DIR] [--objective mean|p90] [--reps N]\n"
	"                       [--final-reps N] [--finalists N] [--seed S] [--threads T]\n"
	"                       [--json] [--quiet] [--no-plots]\n"
	"\n"
	"Finds the cheapest way to buy the capacity of the scenario FILE that still meets its\n"
	"targets: per tier the on-demand base, the on-demand share above it and how many spot\n"
	"types to diversify over (simulated, every candidate on the same random numbers), and\n"
	"the reserved instances and compute savings plan sized on each candidate's simulated\n"
	"hourly usage (each at its break-even; the finalists' two sized together). A\n"
	"candidate is feasible only when its 95% confidence intervals say so: availability's\n"
	"lower bound reaches the SLO, the latency percentile's upper bound is within its\n"
	"target, and so are mean RTO and RPO (with a dr block and outages) and the monthly\n"
	"cost (with a budget). The scenario's \"optimize\" block sets the search space and\n"
	"effort (scenarios/README.md); without one the defaults apply.\n"
	"\n"
	"  -o DIR           output folder (default out/NAME-optimize); created if missing\n"
	"  --objective O    mean (expected monthly cost, the default unless the file says) or\n"
	"                   p90 (its 90th percentile across replications)\n"
	"  --reps N         screening replications per candidate (default: optimize.replications)\n"
	"  --final-reps N   replications of the finalists and the baselines (default:\n"
	"                   optimize.final_replications)\n"
	"  --finalists N    candidates re-evaluated with the final replications (default 3)\n"
	"  --seed S         random seed (default: the scenario's `seed`)\n"
	"  --threads T      worker threads (default: all CPUs); results do not depend on it\n"
	"  --no-plots       write the plot scripts but do not run gnuplot\n"
	"  --json           print the recommendation as one JSON object instead of the text\n"
	"  --quiet          print nothing on success (no text, no progress bar)\n"
	"\n"
	"Writes into DIR: plan.md (the text below and the plots on one page), frontier.csv\n"
	"(every candidate evaluated: its mix, commitments, cost,\n"
	"availability, latency, RTO and RPO with 95% intervals, whether it is feasible and\n"
	"Pareto-optimal), the plots frontier.png (cost against availability) and mix.png (the\n"
	"recommended mix against all on demand) with their gnuplot scripts and mix.csv (its\n"
	"data: each tier's instances and cost by purchase option), and appends the\n"
	"optimisation to DIR/results.db (SQLite; earlier runs are kept). Exit status: 0 with a\n"
	"recommendation; 3 when no candidate meets the targets (the message names the\n"
	"constraint that binds; the files are still written); 2 for bad input (nothing\n"
	"written); 1 for a failure while working.\n"
	"\n"
	"example: capsim optimize scenarios/shop.json\n";

static const char *C = "optimize";

struct opt_args {
	struct cli_sim_args sim;
	int objective;             /* -1 = the scenario's */
	uint64_t final_reps;
	int have_final_reps;
	uint64_t finalists;
	int have_finalists;
	int status;                /* an exit status an option asked for */
};

static int opt_option(const char *opt, const char *val, void *ctx)
{
	struct opt_args *a = ctx;
	if (!strcmp(opt, "--objective")) {
		if (!strcmp(val, "mean"))
			a->objective = SCENARIO_OBJ_MEAN;
		else if (!strcmp(val, "p90"))
			a->objective = SCENARIO_OBJ_P90;
		else
			return cli_usage_error(C, "--objective: expected mean or p90, got \"%s\"",
					       val);
		return 1;
	}
	if (!strcmp(opt, "--final-reps")) {
		int rc = cli_parse_count(C, opt, val, SCENARIO_MAX_REPLICATIONS, &a->final_reps);
		if (rc)
			return rc;
		a->have_final_reps = 1;
		return 1;
	}
	if (!strcmp(opt, "--finalists")) {
		int rc = cli_parse_count(C, opt, val, 64, &a->finalists);
		if (rc)
			return rc;
		a->have_finalists = 1;
		return 1;
	}
	return 0;
}

int cmd_optimize(int argc, char **argv)
{
	struct opt_args a = { .objective = -1 };
	int rc = cli_parse_sim_args(C, argc, argv, &a.sim, opt_option, &a);
	if (rc)
		return rc;
	if (a.sim.bucket > 0)
		return cli_usage_error(C, "--bucket: optimize writes no time series");
	if (a.sim.have_reps && a.sim.reps < 2)
		return cli_usage_error(C, "--reps: expected at least 2 screening replications "
				       "(an interval needs two), got %" PRIu64, a.sim.reps);
	if (a.have_finalists && a.finalists < 1)
		return cli_usage_error(C, "--finalists: expected at least 1, got 0");

	struct scenario sc;
	char sha[65];
	if ((rc = cli_load_scenario(C, a.sim.file, &sc, sha)) != 0)
		return rc;
	cli_scenario_notes(C, a.sim.file, &sc, a.sim.bucket, a.sim.quiet);

	struct opt_options o = {
		.seed = a.sim.have_seed ? a.sim.seed : sc.seed,
		.threads = a.sim.threads,
		.objective = a.objective,
		.reps = a.sim.have_reps ? a.sim.reps : 0,
		.final_reps = a.have_final_reps ? a.final_reps : 0,
		.finalists = a.have_finalists ? (int)a.finalists : 0,
	};
	uint64_t reps = o.reps ? o.reps : (uint64_t)sc.optimize.replications;
	uint64_t final_reps = o.final_reps ? o.final_reps : (uint64_t)sc.optimize.final_replications;
	int status = EXIT_OK;
	if (final_reps < reps) {
		/* Only the command line can make them disagree: the loader checks the file. */
		if (!o.final_reps)
			o.final_reps = final_reps = reps;
		else {
			status = cli_usage_error(C, "--final-reps %" PRIu64 ": expected at least the "
						 "screening replications (%" PRIu64 ")", final_reps,
						 reps);
			scenario_release(&sc);
			return status;
		}
	}
	o.threads = cli_threads(o.threads, UINT64_MAX);

	char dir[4096], path[4200], note[1024] = "", msg[1024], args[4096];
	if (a.sim.dir)
		snprintf(dir, sizeof dir, "%s", a.sim.dir);
	else
		snprintf(dir, sizeof dir, "out/%s-optimize", sc.name);
	/* Its files and its database, before the search goes into the database. */
	static const char *const own[] = { "frontier.csv", "frontier.gp", "frontier.png",
					   "mix.csv", "mix.gp", "mix.png", "plan.md", NULL };
	snprintf(path, sizeof path, "%s/results.db", dir);
	if ((rc = cli_check_out_dir(C, dir)) != 0 ||
	    (rc = cli_check_names(C, dir, own, path)) != 0) {
		scenario_release(&sc);
		return rc;
	}

	struct cli_progress pg = { .start = cli_wall(), .label = "candidates" };
	if (!a.sim.quiet && !a.sim.json && isatty(STDERR_FILENO)) {
		o.progress = cli_show_progress;
		o.progress_ctx = &pg;
	}
	struct opt_result res;
	time_t started = time(NULL);
	double t0 = cli_wall();
	rc = opt_run(&sc, &o, &res);
	double elapsed = cli_wall() - t0;
	if (pg.shown)
		fprintf(stderr, "\n");
	if (rc) {
		fprintf(stderr, "capsim optimize: %s: %s\n", a.sim.file, capsim_strerror(rc));
		scenario_release(&sc);
		return EXIT_FAIL;
	}
	cli_args_text(args, sizeof args, argc, argv);
	struct run_meta meta = {
		.scenario_path = a.sim.file, .scenario_sha256 = sha, .args = args,
		.version = CAPSIM_VERSION, .started = started, .elapsed = elapsed,
	};

	/* The database first: when it cannot take the run, nothing in dir changes. */
	int64_t run_id = 0;
	if (cli_make_dirs(dir) != 0) {
		fprintf(stderr, "capsim optimize: %s: cannot create the output folder: %s\n", dir,
			strerror(errno));
		status = EXIT_FAIL;
		goto out;
	}
	snprintf(path, sizeof path, "%s/results.db", dir);
	if (report_db_append_optimize(path, &res, &meta, &run_id, msg, sizeof msg) < 0) {
		fprintf(stderr, "capsim optimize: %s\n", msg);
		status = EXIT_FAIL;
		goto out;
	}
	snprintf(path, sizeof path, "%s/frontier.csv", dir);
	if (report_frontier_csv(&res, path, msg, sizeof msg) < 0 ||
	    report_optimize_plots(&res, dir, msg, sizeof msg) < 0) {
		fprintf(stderr, "capsim optimize: %s\n", msg);
		status = EXIT_FAIL;
		goto out;
	}
	int drawn = !a.sim.no_plots;
	for (size_t i = 0; drawn && i < REPORT_OPT_NPLOTS; i++)
		drawn = cli_plots_drawn(report_plot_render_one(dir, report_opt_plot_names[i], msg,
							       sizeof msg), msg, note, sizeof note);
	if (report_optimize_markdown(&res, dir, drawn, msg, sizeof msg) < 0) {
		fprintf(stderr, "capsim optimize: %s\n", msg);
		status = EXIT_FAIL;
		goto out;
	}

	if (a.sim.json) {
		char *js = report_optimize_json(&res, &meta);
		if (!js) {
			fprintf(stderr, "capsim optimize: %s\n", capsim_strerror(CAPSIM_ENOMEM));
			status = EXIT_FAIL;
			goto out;
		}
		puts(js);
		free(js);
	} else if (!a.sim.quiet) {
		report_optimize_text(&res, stdout);
		printf("\n%zu candidates (%" PRIu64 " evaluations), %" PRIu64 " replications in "
		       "%.1f s; wrote %s/plan.md and frontier.csv; run %" PRId64 " in %s/results.db\n", res.n,
		       res.evaluated, res.simulated_reps, elapsed, dir, run_id, dir);
		if (!note[0] && !a.sim.no_plots)
			printf("plots: %s/{frontier,mix}.png\n", dir);
	}
	if (note[0] || (a.sim.no_plots && !a.sim.quiet)) {
		if (note[0])
			fprintf(stderr, "capsim optimize: %s\n", note);
		fprintf(stderr, "capsim optimize: draw the plots later with: cd %s && gnuplot "
			"frontier.gp mix.gp\n", dir);
	}
	if (res.best < 0) {
		fprintf(stderr, "capsim optimize: no purchase plan meets the targets: %s\n",
			res.why);
		status = EXIT_INFEASIBLE;
	}
out:
	opt_result_release(&res);
	scenario_release(&sc);
	return status;
}
