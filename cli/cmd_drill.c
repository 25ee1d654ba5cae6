/* `capsim drill`: rehearses injected outages under one or every DR strategy, side by side. */
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
#include "models/units.h"
#include "reports/report.h"
#include "sim/error.h"
#include "sim/version.h"

const char cmd_drill_usage[] =
	"usage: capsim drill FILE --fail region:NAME@AT+DURATION\n"
	"                    [--fail zone:REGION/ZONE@AT+DURATION ...] [--strategy NAME|all]\n"
	"                    [--reps N] [--seed S] [--threads T] [-o DIR] [--bucket D]\n"
	"                    [--json] [--quiet] [--no-plots]\n"
	"\n"
	"Rehearses an outage: simulates the scenario FILE with the outages given by --fail, N\n"
	"times, under its disaster-recovery plan (its \"dr\" block, required) or under each\n"
	"strategy in turn, and reports per strategy the RTO and RPO against their targets, the\n"
	"requests lost and what the strategy costs each month.\n"
	"\n"
	"The --fail outages REPLACE the scenario's scripted outages, and its random zone and\n"
	"region outages are switched off, so that every replication fails exactly as asked;\n"
	"instance failures (instance_mtbf) are kept.\n"
	"\n"
	"  --fail TARGET@AT+DURATION\n"
	"                   an outage, repeatable: region:NAME (every zone of the region) or\n"
	"                   zone:REGION/ZONE, failing AT after the start for DURATION\n"
	"                   (e.g. region:eu-west-1@10d+4h)\n"
	"  --strategy NAME  backup_restore, pilot_light, warm_standby or active_active instead of\n"
	"                   the scenario's dr.strategy; \"all\" runs the four in turn on the same\n"
	"                   seed (common random numbers: the same traffic for each). The other\n"
	"                   dr settings are kept, except what a strategy defines for itself: a\n"
	"                   warm standby the file does not size runs at standby_scale 0.25, and\n"
	"                   active_active has no decision delay (health checks take the failed\n"
	"                   region out of DNS). A scenario whose own strategy is\n"
	"                   active_active names no primary and recovery region, so it drills\n"
	"                   active_active only.\n"
	"  -o DIR           output folder (default out/NAME-drill); created if missing\n"
	"  --reps N         replications per strategy (default: the scenario's `replications`)\n"
	"  --seed S         random seed (default: the scenario's `seed`)\n"
	"  --threads T      worker threads (default: all CPUs); results do not depend on it\n"
	"  --bucket D       time-series resolution (default 300 s, enough to see the outage;\n"
	"                   coarser when that would make more than 20,000 buckets)\n"
	"  --no-plots       write the plot scripts but do not run gnuplot\n"
	"  --json           print one JSON object with a \"strategies\" array instead of the\n"
	"                   table\n"
	"  --quiet          print nothing on success (no table, no progress bar)\n"
	"\n"
	"Writes into DIR: for each strategy, the whole report of capsim run in DIR/STRATEGY/\n"
	"(report.md, summary.csv, timeseries.csv, cost.csv, bill.csv, events.csv and the\n"
	"plots), each run appended to DIR/results.db with a command line that repeats it;\n"
	"then drill.md (the table and the plots on one page), drill.csv (one\n"
	"row per strategy: RTO and RPO p50/p95, targets and the share of outages meeting them,\n"
	"failed requests, availability, monthly cost and its DR data part, the SLO's latency\n"
	"percentile over the run and of the requests served during the outage) and the plots\n"
	"drill.png (RTO, RPO and cost per strategy), timeline.png (demand and capacity around\n"
	"the first outage), rto_cdf.png and rpo_cdf.png (the RTO and RPO distributions against\n"
	"their targets), with their gnuplot scripts. Bad input (a scenario mistake, a bad --fail, no dr block) exits\n"
	"with status 2 and writes nothing.\n"
	"\n"
	"example: capsim drill scenarios/dr-shop.json --fail region:eu-west-1@10d+4h --strategy all\n";

static const char *C = "drill";

/* The default resolution: fine enough to see a failover of minutes, capped so that a long
 * horizon does not make a huge timeseries.csv per strategy. */
#define DRILL_BUCKET 300.0
#define DRILL_MAX_BUCKETS 20000.0
/* The loader's default standby_scale (models/scenario.c), for a warm standby the file does
 * not size because its own strategy is another. */
#define DRILL_STANDBY_SCALE 0.25

#define NSTRATEGIES 4
static const int all_strategies[NSTRATEGIES] = {
	SCENARIO_DR_BACKUP_RESTORE, SCENARIO_DR_PILOT_LIGHT, SCENARIO_DR_WARM_STANDBY,
	SCENARIO_DR_ACTIVE_ACTIVE,
};

struct drill_args {
	struct cli_sim_args sim;   /* the options drill shares with run */
	const char *strategy;      /* as given, NULL without --strategy */
	const char **fails;        /* [nfails] the --fail texts */
	size_t nfails;
};

/* drill's own options, for cli_parse_sim_args. */
static int drill_option(const char *opt, const char *val, void *ctx)
{
	struct drill_args *a = ctx;
	if (!strcmp(opt, "--fail")) {
		a->fails[a->nfails++] = val;
		return 1;
	}
	if (!strcmp(opt, "--strategy")) {
		a->strategy = val;
		return 1;
	}
	return 0;
}

static int parse_args(int argc, char **argv, struct drill_args *a)
{
	int rc = cli_parse_sim_args(C, argc, argv, &a->sim, drill_option, a);
	if (rc)
		return rc;
	if (a->nfails == 0)
		return cli_usage_error(C, "expected at least one --fail, e.g. --fail "
				       "region:NAME@10d+4h; see 'capsim help drill'");
	return 0;
}

/* The strategies to run into out[] (returns how many), or EXIT_USAGE (negated) after saying
 * why. */
static int choose_strategies(const struct drill_args *a, const struct scenario *sc,
			     int out[NSTRATEGIES])
{
	int n = 0;
	if (!a->strategy) {
		out[n++] = sc->dr.strategy;
	} else if (!strcmp(a->strategy, "all")) {
		for (int i = 0; i < NSTRATEGIES; i++)
			out[n++] = all_strategies[i];
	} else {
		int s = scenario_dr_strategy_parse(a->strategy);
		if (s <= SCENARIO_DR_NONE) {
			/* "warm-standby" for warm_standby: a did-you-mean, as a file's dr.strategy
			 * gets one. */
			const char *near = NULL;
			for (int i = 0; i < NSTRATEGIES && !near; i++) {
				const char *name = scenario_dr_strategy_name(all_strategies[i]);
				if (scenario_edit_distance(a->strategy, name, 2) <= 2)
					near = name;
			}
			if (near)
				return -cli_usage_error(C, "--strategy: expected backup_restore, "
							"pilot_light, warm_standby, active_active or "
							"all, got \"%s\"; did you mean \"%s\"?",
							a->strategy, near);
			return -cli_usage_error(C, "--strategy: expected backup_restore, "
						"pilot_light, warm_standby, active_active or all, "
						"got \"%s\"", a->strategy);
		}
		out[n++] = s;
	}
	for (int i = 0; i < n; i++)
		if (out[i] != SCENARIO_DR_ACTIVE_ACTIVE &&
		    sc->dr.strategy == SCENARIO_DR_ACTIVE_ACTIVE)
			return -cli_usage_error(C, "--strategy %s: %s uses active_active, "
						"which names no primary and recovery region, so "
						"it cannot drill %s; give a copy of it a dr with "
						"\"primary\" and \"recovery\" (any strategy) to "
						"compare the four", a->strategy, a->sim.file,
						scenario_dr_strategy_name(out[i]));
	return n;
}

/* sc drilled under `strategy` with the injected outages: a shallow copy sharing sc's memory
 * (sc keeps owning it and is released alone). */
static void drilled(const struct scenario *sc, int strategy, struct scenario_outage *fails,
		    size_t nfails, struct scenario *out)
{
	*out = *sc;
	out->has_failures = 1;
	out->failures.scripted = fails;
	out->failures.nscripted = nfails;
	out->failures.has_zone_outages = 0;
	out->failures.has_region_outages = 0;
	if (strategy == sc->dr.strategy)
		return;
	struct scenario_dr *dr = &out->dr;
	dr->strategy = strategy;
	/* What each strategy defines for itself, as the loader sets it (models/scenario.c). */
	dr->standby_scale = 0;
	if (strategy == SCENARIO_DR_WARM_STANDBY)
		dr->standby_scale = DRILL_STANDBY_SCALE;
	if (strategy == SCENARIO_DR_ACTIVE_ACTIVE) {
		dr->primary = dr->recovery = 0;
		dr->decision_delay = 0;
	}
}

/* The command line that repeats one strategy's run: argv with --strategy set to it. */
static void run_args_text(char *buf, size_t len, int argc, char **argv, const char *strategy)
{
	int set = 0;
	snprintf(buf, len, "capsim");
	for (int i = 0; i < argc; i++) {
		size_t n = strlen(buf);
		const char *w = argv[i];
		if (i > 0 && !strcmp(argv[i - 1], "--strategy")) {
			w = strategy;
			set = 1;
		}
		snprintf(buf + n, len - n, " %s", w);
	}
	if (!set) {
		size_t n = strlen(buf);
		snprintf(buf + n, len - n, " --strategy %s", strategy);
	}
}

int cmd_drill(int argc, char **argv)
{
	struct drill_args a = { 0 };
	struct scenario sc;
	struct scenario_outage *fails = NULL;
	struct scenario copies[NSTRATEGIES];
	struct run_result res[NSTRATEGIES];
	struct run_meta metas[NSTRATEGIES];
	struct drill_run runs[NSTRATEGIES];
	char args[NSTRATEGIES][4096];
	int strategies[NSTRATEGIES], nstrategies, nrun = 0, status = EXIT_OK, rc;
	char dir[4096], path[4200], note[1024] = "", msg[1024], sha[65];

	if (!(a.fails = calloc((size_t)argc, sizeof *a.fails))) {
		fprintf(stderr, "capsim drill: %s\n", capsim_strerror(CAPSIM_ENOMEM));
		return EXIT_FAIL;
	}
	if ((rc = parse_args(argc, argv, &a))) {
		free(a.fails);
		return rc;
	}

	if ((rc = cli_load_scenario(C, a.sim.file, &sc, sha)) != 0) {
		free(a.fails);
		return rc;
	}
	cli_scenario_notes(C, a.sim.file, &sc, a.sim.bucket, a.sim.quiet);

	if (!sc.has_dr) {
		fprintf(stderr, "capsim drill: %s has no dr block; a drill needs one (see "
			"scenarios/README.md)\n", a.sim.file);
		status = EXIT_USAGE;
		goto out;
	}
	if (!(fails = calloc(a.nfails, sizeof *fails))) {
		fprintf(stderr, "capsim drill: %s\n", capsim_strerror(CAPSIM_ENOMEM));
		status = EXIT_FAIL;
		goto out;
	}
	for (size_t i = 0; i < a.nfails; i++) {
		rc = scenario_parse_outage(&sc, a.fails[i], &fails[i], msg, sizeof msg);
		if (rc == CAPSIM_ENOMEM) {
			fprintf(stderr, "capsim drill: %s\n", capsim_strerror(rc));
			status = EXIT_FAIL;
			goto out;
		}
		if (rc) {
			status = cli_usage_error(C, "--fail %s: %s", a.fails[i], msg);
			goto out;
		}
	}
	if ((nstrategies = choose_strategies(&a, &sc, strategies)) < 0) {
		status = -nstrategies;
		goto out;
	}

	if (a.sim.dir)
		snprintf(dir, sizeof dir, "%s", a.sim.dir);
	else
		snprintf(dir, sizeof dir, "out/%s-drill", sc.name);
	if ((status = cli_check_out_dir(C, dir)) != 0)
		goto out;
	struct run_options o = {
		.seed = a.sim.have_seed ? a.sim.seed : sc.seed,
		.reps = a.sim.have_reps ? a.sim.reps : (uint64_t)sc.replications,
		.threads = a.sim.threads,
		.bucket = a.sim.bucket,
	};
	if (o.bucket <= 0)
		o.bucket = fmax(DRILL_BUCKET, sc.horizon / DRILL_MAX_BUCKETS);
	o.threads = cli_threads(o.threads, o.reps);
	snprintf(path, sizeof path, "%s/results.db", dir);
	/* The drill's own files and every strategy's folder, before the first run goes into
	 * the database. */
	static const char *const own[] = { "drill.csv", "drill.md", "drill.gp", "drill.png",
					   "timeline.gp", "timeline.png", "rto_cdf.gp", "rto_cdf.png",
					   "rpo_cdf.gp", "rpo_cdf.png", NULL };
	if ((status = cli_check_names(C, dir, own, path)) != 0)
		goto out;
	for (int i = 0; i < nstrategies; i++) {
		char sub[4200];
		snprintf(sub, sizeof sub, "%s/%s", dir, scenario_dr_strategy_name(strategies[i]));
		if ((status = cli_check_report_dir(C, sub, path)) != 0)
			goto out;
	}

	for (int i = 0; i < nstrategies; i++) {
		const char *name = scenario_dr_strategy_name(strategies[i]);
		char label[64], sub[4200], sub_note[1024];
		drilled(&sc, strategies[i], fails, a.nfails, &copies[i]);
		snprintf(label, sizeof label, "%-14s %d/%d", name, i + 1, nstrategies);
		struct cli_progress pg = { .start = cli_wall(), .label = label };
		o.progress = NULL;
		o.progress_ctx = NULL;
		if (!a.sim.quiet && isatty(STDERR_FILENO)) {
			o.progress = cli_show_progress;
			o.progress_ctx = &pg;
		}
		time_t started = time(NULL);
		double t0 = cli_wall();
		rc = run_simulate(&copies[i], &o, &res[i]);
		double elapsed = cli_wall() - t0;
		if (pg.shown)
			fprintf(stderr, "\n");
		if (rc) {
			fprintf(stderr, "capsim drill: %s: %s: simulation failed: %s\n", a.sim.file,
				name, capsim_strerror(rc));
			status = EXIT_FAIL;
			goto out;
		}
		nrun++;
		res[i].threads = o.threads;
		run_args_text(args[i], sizeof args[i], argc, argv, name);
		metas[i] = (struct run_meta){
			.scenario_path = a.sim.file, .scenario_sha256 = sha, .args = args[i],
			.version = CAPSIM_VERSION, .started = started, .elapsed = elapsed,
			.command = C, .part = name,
			/* Every strategy's row links to the first one's (runs.batch). */
			.batch = i ? runs[0].run_id : 0,
		};
		runs[i] = (struct drill_run){ .strategy = strategies[i], .run = &res[i],
					      .meta = &metas[i] };
		snprintf(sub, sizeof sub, "%s/%s", dir, name);
		/* Once gnuplot is missing, the other folders are not tried. */
		if ((status = cli_write_report(C, sub, path, &res[i], &metas[i],
					       !a.sim.no_plots && !note[0], &runs[i].run_id,
					       sub_note, sizeof sub_note)) != 0)
			goto out;
		if (sub_note[0] && !note[0])
			snprintf(note, sizeof note, "%s", sub_note);
	}

	struct drill d = { .runs = runs, .nruns = (size_t)nstrategies };
	snprintf(path, sizeof path, "%s/drill.csv", dir);
	if (report_drill_csv(&d, path, msg, sizeof msg) < 0 ||
	    report_drill_scripts(&d, dir, msg, sizeof msg) < 0) {
		fprintf(stderr, "capsim drill: %s\n", msg);
		status = EXIT_FAIL;
		goto out;
	}
	int drawn = !a.sim.no_plots && !note[0] &&
		    cli_plots_drawn(report_drill_render(dir, msg, sizeof msg), msg, note,
				    sizeof note);
	if (report_drill_markdown(&d, dir, drawn, msg, sizeof msg) < 0) {
		fprintf(stderr, "capsim drill: %s\n", msg);
		status = EXIT_FAIL;
		goto out;
	}

	if (a.sim.json) {
		char *js = report_drill_json(&d);
		if (!js) {
			fprintf(stderr, "capsim drill: %s\n", capsim_strerror(CAPSIM_ENOMEM));
			status = EXIT_FAIL;
			goto out;
		}
		puts(js);
		free(js);
	} else if (!a.sim.quiet) {
		report_drill_text(&d, stdout);
		if (nstrategies == 1)
			printf("\nwrote %s/drill.md and drill.csv; run %" PRId64 " in %s/results.db\n", dir,
			       runs[0].run_id, dir);
		else
			printf("\nwrote %s/drill.md and drill.csv; runs %" PRId64 " to %" PRId64 " in "
			       "%s/results.db\n", dir, runs[0].run_id, runs[nstrategies - 1].run_id,
			       dir);
		printf("reports: %s/%s", dir, nstrategies > 1 ? "{" : "");
		for (int i = 0; i < nstrategies; i++)
			printf("%s%s", i ? "," : "", scenario_dr_strategy_name(strategies[i]));
		printf("%s/\n", nstrategies > 1 ? "}" : "");
		if (!note[0] && !a.sim.no_plots)
			printf("plots: %s/{drill,timeline,rto_cdf,rpo_cdf}.png\n", dir);
	}
	if (note[0] || (a.sim.no_plots && !a.sim.quiet)) {
		if (note[0])
			fprintf(stderr, "capsim drill: %s\n", note);
		fprintf(stderr, "capsim drill: draw the plots later with: cd %s && for d in . */; "
			"do (cd \"$d\" && for f in *.gp; do gnuplot \"$f\"; done); done\n", dir);
	}
out:
	for (int i = 0; i < nrun; i++)
		run_result_release(&res[i]);
	free(fails);
	free(a.fails);
	scenario_release(&sc);
	return status;
}
