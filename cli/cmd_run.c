/* `capsim run`: simulates a scenario over many replications and writes its report. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <nettle/sha2.h>

#include "cli/cli.h"
#include "models/run.h"
#include "models/scenario.h"
#include "models/units.h"
#include "reports/report.h"
#include "sim/error.h"
#include "sim/version.h"

const char cmd_run_usage[] =
	"usage: capsim run FILE [-o DIR] [--reps N] [--seed S] [--threads T] [--json] [--quiet]\n"
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
	"Writes into DIR: summary.csv, timeseries.csv, cost.csv, bill.csv, events.csv, the\n"
	"plots demand.png, instances.png, latency.png, cost.png, purchase.png and bill.png\n"
	"with their gnuplot scripts (.gp),\n"
	"and appends the run to DIR/results.db (SQLite; earlier runs are kept). Every file\n"
	"is written under a temporary name and renamed when complete. A mistake in the\n"
	"scenario is reported as FILE:LINE: PATH: message, with exit status 2 and nothing\n"
	"written.\n"
	"\n"
	"example: capsim run scenarios/shop.json -o out/shop\n";

static const char *C = "run";

struct run_args {
	const char *file;
	const char *dir;
	uint64_t reps, seed;
	unsigned threads;
	double bucket;
	int have_reps, have_seed, json, quiet, no_plots;
};

static int parse_count(const char *opt, const char *text, uint64_t max, uint64_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(text, &end, 10);
	if (errno || end == text || *end || text[0] == '-' || v > max)
		return cli_usage_error(C, "%s: expected a whole number up to %" PRIu64 ", got \"%s\"",
				       opt, max, text);
	*out = v;
	return 0;
}

static int parse_args(int argc, char **argv, struct run_args *a)
{
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		int rc;
		if (arg[0] != '-' || arg[1] == '\0') {
			if (a->file)
				return cli_usage_error(C, "one scenario file only; got \"%s\" and "
						       "\"%s\"", a->file, arg);
			a->file = arg;
			continue;
		}
		if (!strcmp(arg, "--json")) {
			a->json = 1;
			continue;
		}
		if (!strcmp(arg, "--quiet") || !strcmp(arg, "-q")) {
			a->quiet = 1;
			continue;
		}
		if (!strcmp(arg, "--no-plots")) {
			a->no_plots = 1;
			continue;
		}
		if (i + 1 >= argc)
			return cli_usage_error(C, "%s needs a value; see 'capsim help run'", arg);
		const char *val = argv[++i];
		uint64_t n;
		if (!strcmp(arg, "-o") || !strcmp(arg, "--output")) {
			a->dir = val;
		} else if (!strcmp(arg, "--reps")) {
			if ((rc = parse_count(arg, val, 100000000, &a->reps)))
				return rc;
			if (a->reps < 1)
				return cli_usage_error(C, "--reps: expected at least 1, got %s", val);
			a->have_reps = 1;
		} else if (!strcmp(arg, "--seed")) {
			if ((rc = parse_count(arg, val, UINT64_MAX, &a->seed)))
				return rc;
			a->have_seed = 1;
		} else if (!strcmp(arg, "--threads")) {
			if ((rc = parse_count(arg, val, 1024, &n)))
				return rc;
			if (n < 1)
				return cli_usage_error(C, "--threads: expected 1 to 1024, got %s", val);
			a->threads = (unsigned)n;
		} else if (!strcmp(arg, "--bucket")) {
			if (units_parse_duration(val, &a->bucket) != 0 || !(a->bucket > 0))
				return cli_usage_error(C, "--bucket: expected a duration such as 1h, "
						       "got \"%s\"", val);
		} else {
			return cli_usage_error(C, "unknown option \"%s\"; see 'capsim help run'",
					       arg);
		}
	}
	if (!a->file)
		return cli_usage_error(C, "expected a scenario file; see 'capsim help run'");
	return 0;
}

/* Reads a whole file. Returns a malloc'd buffer (NUL-terminated) or NULL with errno set. */
static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap);
	while (buf) {
		n += fread(buf + n, 1, cap - n - 1, f);
		if (ferror(f)) {
			free(buf);
			buf = NULL;
			break;
		}
		if (feof(f))
			break;
		char *b = realloc(buf, cap *= 2);
		if (!b) {
			free(buf);
			errno = ENOMEM;
		}
		buf = b;
	}
	fclose(f);
	if (buf) {
		buf[n] = '\0';
		*len = n;
	}
	return buf;
}

static void sha256_hex(const char *data, size_t len, char hex[65])
{
	struct sha256_ctx ctx;
	uint8_t d[SHA256_DIGEST_SIZE];
	sha256_init(&ctx);
	sha256_update(&ctx, len, (const uint8_t *)data);
	sha256_digest(&ctx, sizeof d, d);
	for (size_t i = 0; i < sizeof d; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
}

/* mkdir -p. Returns 0 or -1 with errno. */
static int make_dirs(const char *path)
{
	char buf[4096];
	if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) != 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(buf, 0755) != 0 && errno != EEXIST)
		return -1;
	struct stat st;
	if (stat(buf, &st) != 0)
		return -1;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return -1;
	}
	return 0;
}

static double wall(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

struct progress {
	double start;
	int shown;
};

/* A bar with ETA on stderr, redrawn in place. */
static void show_progress(uint64_t done, uint64_t total, void *ctx)
{
	struct progress *pg = ctx;
	double el = wall() - pg->start;
	double frac = (double)done / (double)total;
	int width = 30, fill = (int)(frac * width);
	char bar[32];
	for (int i = 0; i < width; i++)
		bar[i] = i < fill ? '=' : (i == fill ? '>' : ' ');
	bar[width] = '\0';
	double eta = done > 0 ? el * (double)(total - done) / (double)done : 0;
	fprintf(stderr, "\r[%s] %3.0f%% %" PRIu64 "/%" PRIu64 " replications, %.0f s, ETA %.0f s ",
		bar, 100 * frac, done, total, el, eta);
	pg->shown = 1;
}

int cmd_run(int argc, char **argv)
{
	struct run_args a = { 0 };
	int rc = parse_args(argc, argv, &a);
	if (rc)
		return rc;

	size_t len = 0;
	char *text = slurp(a.file, &len);
	if (!text) {
		fprintf(stderr, "%s: cannot read: %s\n", a.file, strerror(errno));
		return EXIT_USAGE;
	}
	struct scenario sc;
	struct scenario_error err;
	rc = scenario_parse(text, len, a.file, &sc, &err);
	if (rc) {
		free(text);
		if (rc == CAPSIM_ENOMEM) {
			fprintf(stderr, "capsim run: %s\n", capsim_strerror(rc));
			return EXIT_FAIL;
		}
		fprintf(stderr, "%s\n", err.msg);
		return EXIT_USAGE;
	}
	char sha[65];
	sha256_hex(text, len, sha);
	free(text);

	char dir[4096];
	if (a.dir)
		snprintf(dir, sizeof dir, "%s", a.dir);
	else
		snprintf(dir, sizeof dir, "out/%s", sc.name);

	/* The command line as given, for the database. */
	char args[4096] = "capsim";
	for (int i = 0; i < argc; i++) {
		size_t n = strlen(args);
		snprintf(args + n, sizeof args - n, " %s", argv[i]);
	}

	struct run_options o = {
		.seed = a.have_seed ? a.seed : sc.seed,
		.reps = a.have_reps ? a.reps : (uint64_t)sc.replications,
		.threads = a.threads,
		.bucket = a.bucket,
	};
	if (o.threads == 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		o.threads = n > 0 ? (unsigned)n : 1;
	}
	if (o.threads > o.reps)
		o.threads = (unsigned)o.reps;
	struct progress pg = { .start = wall() };
	if (!a.quiet && isatty(STDERR_FILENO)) {
		o.progress = show_progress;
		o.progress_ctx = &pg;
	}
	struct run_result res;
	time_t started = time(NULL);
	double t0 = wall();
	rc = run_simulate(&sc, &o, &res);
	double elapsed = wall() - t0;
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

	char path[4200], msg[1024];
	if (make_dirs(dir) != 0) {
		fprintf(stderr, "capsim run: %s: cannot create the output folder: %s\n", dir,
			strerror(errno));
		status = EXIT_FAIL;
		goto out;
	}
	struct run_meta meta = {
		.scenario_path = a.file, .scenario_sha256 = sha, .args = args,
		.version = CAPSIM_VERSION, .started = started, .elapsed = elapsed,
	};
	/* The database first: if it cannot take the run, nothing in the folder changes.
	 * (The CSV files after it are each replaced atomically.) */
	int64_t run_id = 0;
	snprintf(path, sizeof path, "%s/results.db", dir);
	if (report_db_append(path, &res, &meta, &run_id, msg, sizeof msg) < 0) {
		fprintf(stderr, "capsim run: %s\n", msg);
		status = EXIT_FAIL;
		goto out;
	}
	static const struct {
		const char *name;
		int (*fn)(const struct run_result *, const char *, char *, size_t);
	} csvs[] = {
		{ "summary.csv", report_summary_csv },
		{ "timeseries.csv", report_timeseries_csv },
		{ "cost.csv", report_cost_csv },
		{ "bill.csv", report_bill_csv },
		{ "events.csv", report_events_csv },
	};
	for (size_t i = 0; i < sizeof csvs / sizeof csvs[0]; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, csvs[i].name);
		if (csvs[i].fn(&res, path, msg, sizeof msg) < 0) {
			fprintf(stderr, "capsim run: %s\n", msg);
			status = EXIT_FAIL;
			goto out;
		}
	}
	const char *plots_note = NULL;
	if (report_plot_scripts(&res, dir, msg, sizeof msg) < 0) {
		fprintf(stderr, "capsim run: %s\n", msg);
		status = EXIT_FAIL;
		goto out;
	}
	if (!a.no_plots) {
		rc = report_plot_render(dir, msg, sizeof msg);
		if (rc == CAPSIM_ENOTFOUND)
			plots_note = "gnuplot is not installed: the plots were not drawn";
		else if (rc < 0)
			plots_note = msg;
	}

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
		printf("\nwrote %s/{summary,timeseries,cost,bill,events}.csv, run %" PRId64
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
