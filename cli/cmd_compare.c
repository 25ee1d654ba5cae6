/* `capsim compare`: two scenarios simulated on the same random numbers, side by side. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "models/compare.h"
#include "models/run.h"
#include "models/scenario.h"
#include "reports/report.h"
#include "sim/error.h"
#include "sim/version.h"

const char cmd_compare_usage[] =
	"usage: capsim compare A.json B.json [-o DIR] [--reps N] [--seed S] [--threads T]\n"
	"                      [--bucket D] [--no-plots] [--json] [--quiet]\n"
	"\n"
	"Simulates two designs on the same random numbers and tells, figure by figure, whether\n"
	"B costs more or less than A, is more or less available, faster or slower: the\n"
	"difference B - A is taken replication by replication (both see the same traffic\n"
	"noise, spikes, failures and spot interruptions where they declare the same ones), so\n"
	"its 95% interval is far narrower than the two runs' own intervals would suggest.\n"
	"\n"
	"  -o DIR           output folder (default out/compare-A-B, A and B the scenarios'\n"
	"                   names); created if missing\n"
	"  --reps N         replications of each (default: the larger `replications` of the two;\n"
	"                   at most 10000)\n"
	"  --seed S         random seed of both (default: A's `seed`)\n"
	"  --threads T      worker threads (default: all CPUs); results do not depend on it\n"
	"  --bucket D       time-series resolution, e.g. 1h\n"
	"  --no-plots       write the plot scripts but do not run gnuplot\n"
	"  --json           print the comparison as one JSON object instead of the table\n"
	"  --quiet          print nothing on success\n"
	"\n"
	"Writes DIR/compare.md (the table, compare.png and links to each run's report.md),\n"
	"DIR/compare.csv (every figure both runs have, and each cost either has, 0 in the\n"
	"other: each one's mean and interval, the paired difference and its interval, and\n"
	"b_higher, b_lower, no_difference, or unknown from a single replication),\n"
	"DIR/compare.png (cost per day and latency over time), each run's full report (as\n"
	"capsim run writes it) in DIR/a and DIR/b, and appends both runs to DIR/results.db.\n"
	"A mistake in either scenario is reported as FILE:LINE: PATH: message, with exit\n"
	"status 2 and nothing written.\n"
	"\n"
	"example: capsim compare scenarios/shop.json my-shop.json\n";

static const char *C = "compare";

/* Simulates one side, with a progress bar labelled `label` when stderr is a terminal. */
static int simulate(const struct scenario *sc, struct run_options o, const char *label,
		    int quiet, struct run_result *res, double *elapsed)
{
	struct cli_progress pg = { .start = cli_wall(), .label = label };
	if (!quiet && isatty(STDERR_FILENO)) {
		o.progress = cli_show_progress;
		o.progress_ctx = &pg;
	}
	double t0 = cli_wall();
	int rc = run_simulate(sc, &o, res);
	*elapsed = cli_wall() - t0;
	if (pg.shown)
		fprintf(stderr, "\n");
	return rc;
}

int cmd_compare(int argc, char **argv)
{
	struct cli_sim_args a = { .two_files = 1 };
	int rc = cli_parse_sim_args(C, argc, argv, &a, NULL, NULL);
	if (rc)
		return rc;

	struct scenario sa, sb;
	char sha_a[65], sha_b[65];
	if ((rc = cli_load_scenario(C, a.file, &sa, sha_a)) != 0)
		return rc;
	if ((rc = cli_load_scenario(C, a.file2, &sb, sha_b)) != 0) {
		scenario_release(&sa);
		return rc;
	}

	char dir[4096];
	if (a.dir)
		snprintf(dir, sizeof dir, "%s", a.dir);
	else
		snprintf(dir, sizeof dir, "out/compare-%s-%s", sa.name, sb.name);
	/* The folder, and both runs' report folders, before anything is simulated. */
	char side[2][4200], db[4200];
	snprintf(side[0], sizeof side[0], "%s/a", dir);
	snprintf(side[1], sizeof side[1], "%s/b", dir);
	snprintf(db, sizeof db, "%s/results.db", dir);
	static const char *const own[] = { "compare.csv", "compare.gp", "compare.png", "compare.md",
					   NULL };
	if ((rc = cli_check_out_dir(C, dir)) != 0 || (rc = cli_check_names(C, dir, own, db)) != 0 ||
	    (rc = cli_check_report_dir(C, side[0], db)) != 0 ||
	    (rc = cli_check_report_dir(C, side[1], db)) != 0) {
		scenario_release(&sa);
		scenario_release(&sb);
		return rc;
	}
	char args[4096];
	cli_args_text(args, sizeof args, argc, argv);

	uint64_t reps = (uint64_t)(sa.replications > sb.replications ? sa.replications
								     : sb.replications);
	struct run_options o = {
		.seed = a.have_seed ? a.seed : sa.seed,
		.reps = a.have_reps ? a.reps : reps,
		.threads = a.threads,
		.bucket = a.bucket,
	};
	/* The paired differences need every replication's figures, which a run keeps up to
	 * RUN_SAMPLE_REPS replications. */
	if (o.reps > RUN_SAMPLE_REPS) {
		scenario_release(&sa);
		scenario_release(&sb);
		return cli_usage_error(C, "%s: expected at most %d replications (a comparison pairs "
				       "every replication's figures), got %" PRIu64,
				       a.have_reps ? "--reps" : "the scenarios' replications",
				       RUN_SAMPLE_REPS, o.reps);
	}
	o.threads = cli_threads(o.threads, o.reps);
	cli_scenario_notes(C, a.file, &sa, a.bucket, a.quiet);
	cli_scenario_notes(C, a.file2, &sb, a.bucket, a.quiet);

	struct run_result ra, rb;
	struct compare_row *rows = NULL;
	size_t nrows = 0;
	int status = EXIT_FAIL, have_a = 0, have_b = 0;
	time_t started_a = time(NULL), started_b;
	double el_a, el_b;
	if ((rc = simulate(&sa, o, "A", a.quiet, &ra, &el_a)) != 0) {
		fprintf(stderr, "capsim compare: %s: simulation failed: %s\n", a.file,
			capsim_strerror(rc));
		goto out;
	}
	have_a = 1;
	started_b = time(NULL);
	if ((rc = simulate(&sb, o, "B", a.quiet, &rb, &el_b)) != 0) {
		fprintf(stderr, "capsim compare: %s: simulation failed: %s\n", a.file2,
			capsim_strerror(rc));
		goto out;
	}
	have_b = 1;
	ra.threads = rb.threads = o.threads;
	if ((rc = compare_runs(&ra, &rb, &rows, &nrows)) != 0) {
		fprintf(stderr, "capsim compare: %s\n", capsim_strerror(rc));
		goto out;
	}

	/* Each run's report, both in one database, then the comparison. */
	char path[4200], note_a[1024], note_b[1024], msg[1024];
	int64_t id_a = 0, id_b = 0;
	struct run_meta ma = {
		.scenario_path = a.file, .scenario_sha256 = sha_a, .args = args,
		.version = CAPSIM_VERSION, .started = started_a, .elapsed = el_a,
		.command = C, .part = "A",
	};
	struct run_meta mb = ma;
	mb.part = "B";
	mb.scenario_path = a.file2;
	mb.scenario_sha256 = sha_b;
	mb.started = started_b;
	mb.elapsed = el_b;
	if (cli_make_dirs(dir) != 0) {
		fprintf(stderr, "capsim compare: %s: cannot create the output folder: %s\n", dir,
			strerror(errno));
		goto out;
	}
	/* Both folders were checked before the simulations (cli_write_report checks again). */
	if ((status = cli_write_report(C, side[0], db, &ra, &ma, !a.no_plots, &id_a, note_a,
				       sizeof note_a)) != 0)
		goto out;
	mb.batch = id_a;   /* B's row links to A's (runs.batch) */
	if ((status = cli_write_report(C, side[1], db, &rb, &mb, !a.no_plots, &id_b, note_b,
				       sizeof note_b)) != 0)
		goto out;
	status = EXIT_FAIL;
	struct report_compare rc_ = { .a = &ra, .b = &rb, .path_a = a.file, .path_b = a.file2,
				      .rows = rows, .nrows = nrows };
	snprintf(path, sizeof path, "%s/compare.csv", dir);
	if (report_compare_csv(&rc_, path, msg, sizeof msg) < 0 ||
	    report_compare_script(&rc_, dir, msg, sizeof msg) < 0) {
		fprintf(stderr, "capsim compare: %s\n", msg);
		goto out;
	}
	char note[1024] = "";
	int drawn = !a.no_plots &&
		    cli_plots_drawn(report_plot_render_one(dir, "compare", msg, sizeof msg), msg,
				    note, sizeof note);
	if (report_compare_markdown(&rc_, dir, drawn, msg, sizeof msg) < 0) {
		fprintf(stderr, "capsim compare: %s\n", msg);
		goto out;
	}

	if (a.json) {
		char *js = report_compare_json(&rc_);
		if (!js) {
			fprintf(stderr, "capsim compare: %s\n", capsim_strerror(CAPSIM_ENOMEM));
			goto out;
		}
		puts(js);
		free(js);
	} else if (!a.quiet) {
		report_compare_text(&rc_, stdout);
		printf("\nwrote %s/compare.md, compare.csv and each run's report in %s/{a,b},\nruns %" PRId64
		       " and %" PRId64 " in %s\n", dir, dir, id_a, id_b, db);
		if (!a.no_plots && !note[0] && !note_a[0] && !note_b[0])
			printf("plot: %s/compare.png\n", dir);
	}
	/* One note is enough: gnuplot missing says so for all three folders. */
	const char *why = note_a[0] ? note_a : note_b[0] ? note_b : note[0] ? note : NULL;
	if (why || (a.no_plots && !a.quiet)) {
		if (why)
			fprintf(stderr, "capsim compare: %s\n", why);
		fprintf(stderr, "capsim compare: draw the plots later with: cd %s && for d in . a "
			"b; do (cd $d && for f in *.gp; do gnuplot \"$f\"; done); done\n", dir);
	}
	status = EXIT_OK;
out:
	free(rows);
	if (have_a)
		run_result_release(&ra);
	if (have_b)
		run_result_release(&rb);
	scenario_release(&sa);
	scenario_release(&sb);
	return status;
}
