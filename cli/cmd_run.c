/* `capsim run`: simulates a scenario over many replications and writes its report. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "models/run.h"
#include "models/scenario.h"
#include "reports/report.h"
#include "sim/error.h"
#include "sim/version.h"

const char cmd_run_usage[] =
	"usage: capsim run FILE [-o DIR] [--reps N] [--seed S] [--threads T] [--bucket D]\n"
	"                   [--no-plots] [--json] [--quiet]\n"
	"\n"
	"Simulates the scenario FILE (format v1, see scenarios/README.md) over its horizon,\n"
	"N times with independent random streams, and reports what the design costs and how it\n"
	"meets its SLOs, with 95% confidence intervals across replications.\n"
	"\n"
	"  -o DIR           output folder (default out/NAME, NAME the scenario's name);\n"
	"                   created if missing\n"
	"  --reps N         replications (default: the scenario's `replications`)\n"
	"  --seed S         random seed (default: the scenario's `seed`)\n"
	"  --threads T      worker threads (default: all CPUs); results do not depend on it\n"
	"  --bucket D       time-series resolution, e.g. 1h (default: at most ~1000 buckets)\n"
	"  --no-plots       write the plot scripts but do not run gnuplot\n"
	"  --json           print the summary as one JSON object instead of the table\n"
	"  --quiet          print nothing on success (no table, no progress bar)\n"
	"\n"
	"Writes into DIR: report.md (the run on one page: the summary, the plots, the files),\n"
	"summary.csv, timeseries.csv, cost.csv, bill.csv, events.csv, the plots demand.png,\n"
	"instances.png, latency.png, cost.png, purchase.png and bill.png with their gnuplot\n"
	"scripts (.gp) and cost_daily.csv (the cost per day and pool that cost.png draws),\n"
	"and appends the run to DIR/results.db (SQLite; earlier runs are kept). Every file\n"
	"is written under a temporary name and renamed when complete. A mistake in the\n"
	"scenario, or a DIR that cannot be written (a file, or a folder where one of these\n"
	"files goes), is reported with exit status 2 before anything is simulated or\n"
	"written. Notes on the scenario (requests that cross regions with no round trip or\n"
	"no sizes declared, as capsim validate gives them) go to stderr unless --quiet.\n"
	"\n"
	"example: capsim run scenarios/shop.json -o out/shop\n";

static const char *C = "run";

int cmd_run(int argc, char **argv)
{
	struct cli_sim_args a = { 0 };
	int rc = cli_parse_sim_args(C, argc, argv, &a, NULL, NULL);
	if (rc)
		return rc;

	struct scenario sc;
	char sha[65];
	if ((rc = cli_load_scenario(C, a.file, &sc, sha)) != 0)
		return rc;

	char dir[4096];
	if (a.dir)
		snprintf(dir, sizeof dir, "%s", a.dir);
	else
		snprintf(dir, sizeof dir, "out/%s", sc.name);
	char db_path[4200];
	snprintf(db_path, sizeof db_path, "%s/results.db", dir);
	if ((rc = cli_check_out_dir(C, dir)) != 0 ||
	    (rc = cli_check_report_dir(C, dir, db_path)) != 0) {
		scenario_release(&sc);
		return rc;
	}

	/* The command line as given, for the database. */
	char args[4096];
	cli_args_text(args, sizeof args, argc, argv);

	struct run_options o = {
		.seed = a.have_seed ? a.seed : sc.seed,
		.reps = a.have_reps ? a.reps : (uint64_t)sc.replications,
		.threads = a.threads,
		.bucket = a.bucket,
	};
	o.threads = cli_threads(o.threads, o.reps);
	cli_scenario_notes(C, a.file, &sc, a.bucket, a.quiet);
	struct cli_progress pg = { .start = cli_wall() };
	if (!a.quiet && isatty(STDERR_FILENO)) {
		o.progress = cli_show_progress;
		o.progress_ctx = &pg;
	}
	struct run_result res;
	time_t started = time(NULL);
	double t0 = cli_wall();
	rc = run_simulate(&sc, &o, &res);
	double elapsed = cli_wall() - t0;
	if (pg.shown)
		fprintf(stderr, "\n");
	int status = EXIT_OK;
	if (rc) {
		fprintf(stderr, "capsim run: %s: simulation failed: %s\n", a.file,
			capsim_strerror(rc));
		scenario_release(&sc);
		return EXIT_FAIL;
	}
	res.threads = o.threads;

	char note[1024];
	struct run_meta meta = {
		.scenario_path = a.file, .scenario_sha256 = sha, .args = args,
		.version = CAPSIM_VERSION, .started = started, .elapsed = elapsed,
	};
	int64_t run_id = 0;
	if ((status = cli_write_report(C, dir, db_path, &res, &meta, !a.no_plots, &run_id, note,
				       sizeof note)) != 0)
		goto out;
	const char *plots_note = note[0] ? note : NULL;

	if (a.json) {
		char *js = report_summary_json(&res, &meta);
		if (!js) {
			fprintf(stderr, "capsim run: %s\n", capsim_strerror(CAPSIM_ENOMEM));
			status = EXIT_FAIL;
			goto out;
		}
		puts(js);
		free(js);
	} else if (!a.quiet) {
		report_summary_text(&res, stdout);
		printf("\nwrote %s/report.md and {summary,timeseries,cost,cost_daily,bill,events}.csv, run %" PRId64
		       " in %s/results.db\n", dir, run_id, dir);
		if (!plots_note && !a.no_plots) {
			printf("plots: %s/{", dir);
			for (int i = 0; i < REPORT_NPLOTS; i++)
				printf("%s%s", i ? "," : "", report_plot_names[i]);
			printf("}.png\n");
		}
	}
	if (plots_note || (a.no_plots && !a.quiet)) {
		if (plots_note)
			fprintf(stderr, "capsim run: %s\n", plots_note);
		fprintf(stderr, "capsim run: draw the plots later with: "
			"cd %s && for f in *.gp; do gnuplot \"$f\"; done\n", dir);
	}
out:
	run_result_release(&res);
	scenario_release(&sc);
	return status;
}
