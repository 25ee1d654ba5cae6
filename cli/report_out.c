/* What `capsim run` and `capsim drill` share: reading the scenario file, the progress bar,
 * and writing a run's whole report into a folder. */
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
#include "sim/file.h"
#include "models/units.h"
#include "models/run.h"
#include "reports/report.h"
#include "sim/error.h"

int cli_parse_count(const char *cmd, const char *opt, const char *text, uint64_t max,
		    uint64_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(text, &end, 10);
	if (errno || end == text || *end || text[0] == '-' || v > max)
		return cli_usage_error(cmd, "%s: expected a whole number up to %" PRIu64 ", got "
				       "\"%s\"", opt, max, text);
	*out = v;
	return 0;
}

/* Each line of notes, after "FILE: ": a command that reads two files says which one. */
static void put_notes(const char *file, const char *notes)
{
	for (const char *line = notes; *line;) {
		size_t n = strcspn(line, "\n");
		fprintf(stderr, "%s: %.*s\n", file, (int)n, line);
		line += n + (line[n] == '\n');
	}
}

void cli_scenario_notes(const char *cmd, const char *file, const struct scenario *sc,
			double bucket, int quiet)
{
	char notes[2048];
	if (quiet)
		return;
	/* Buckets are whole steps (models/world.c rounds up), and at most the whole horizon. */
	double steps = bucket > 0 ? ceil(bucket / sc->step - 1e-9) : 0;
	double nsteps = round(sc->horizon / sc->step);
	if (steps < 1)
		steps = 1;
	if (bucket > 0 && steps > nsteps)
		fprintf(stderr, "capsim %s: note: --bucket %g s is longer than %s's horizon: the "
			"time series use one bucket of %g s\n", cmd, bucket, sc->name,
			nsteps * sc->step);
	else if (bucket > 0 && fabs(steps * sc->step - bucket) > 1e-9 * bucket)
		fprintf(stderr, "capsim %s: note: --bucket %g s is not a whole number of %s's "
			"steps (%g s): the time series use %g s\n", cmd, bucket, sc->name, sc->step,
			steps * sc->step);
	if (!quiet && scenario_network_notes(sc, notes, sizeof notes))
		put_notes(file, notes);
	if (!quiet && scenario_value_notes(sc, notes, sizeof notes))
		put_notes(file, notes);
}

int cli_load_scenario(const char *cmd, const char *file, struct scenario *sc, char sha[65])
{
	size_t len;
	int err = 0;
	char *text = file_read(file, &len, &err);
	if (!text) {
		fprintf(stderr, "%s: cannot read: %s\n", file, strerror(err));
		return EXIT_USAGE;
	}
	struct scenario_error perr;
	int rc = scenario_parse(text, len, file, sc, &perr);
	if (rc) {
		free(text);
		if (rc == CAPSIM_ENOMEM) {
			fprintf(stderr, "capsim %s: %s\n", cmd, capsim_strerror(rc));
			return EXIT_FAIL;
		}
		fprintf(stderr, "%s\n", perr.msg);
		return EXIT_USAGE;
	}
	struct sha256_ctx ctx;
	uint8_t d[SHA256_DIGEST_SIZE];
	sha256_init(&ctx);
	sha256_update(&ctx, len, (const uint8_t *)text);
	sha256_digest(&ctx, sizeof d, d);
	for (size_t i = 0; i < sizeof d; i++)
		snprintf(sha + 2 * i, 3, "%02x", d[i]);
	free(text);
	return 0;
}

int cli_make_dirs(const char *path)
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

double cli_wall(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void cli_show_progress(uint64_t done, uint64_t total, void *ctx)
{
	struct cli_progress *pg = ctx;
	double el = cli_wall() - pg->start;
	double frac = (double)done / (double)total;
	int width = 30, fill = (int)(frac * width);
	char bar[32];
	for (int i = 0; i < width; i++)
		bar[i] = i < fill ? '=' : (i == fill ? '>' : ' ');
	bar[width] = '\0';
	double eta = done > 0 ? el * (double)(total - done) / (double)done : 0;
	fprintf(stderr, "\r%s%s[%s] %3.0f%% %" PRIu64 "/%" PRIu64 " replications, %.0f s, ETA "
		"%.0f s ", pg->label ? pg->label : "", pg->label ? " " : "", bar, 100 * frac,
		done, total, el, eta);
	pg->shown = 1;
}

void cli_args_text(char *buf, size_t len, int argc, char **argv)
{
	snprintf(buf, len, "capsim");
	for (int i = 0; i < argc; i++) {
		size_t n = strlen(buf);
		snprintf(buf + n, len - n, " %s", argv[i]);
	}
}

unsigned cli_threads(unsigned asked, uint64_t reps)
{
	unsigned t = asked;
	if (t == 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		t = n > 0 ? (unsigned)n : 1;
	}
	return t > reps ? (unsigned)reps : t;
}

int cli_check_out_dir(const char *cmd, const char *dir)
{
	char buf[4096];
	struct stat st;
	size_t n = strlen(dir);
	if (n == 0)
		return cli_usage_error(cmd, "-o: expected the name of a folder, got \"\"");
	if (n >= sizeof buf)
		return cli_usage_error(cmd, "%s: the output folder's name is too long", dir);
	memcpy(buf, dir, n + 1);
	while (n > 1 && buf[n - 1] == '/')   /* "out/" is "out" */
		buf[--n] = '\0';
	/* The folder itself, else its nearest existing parent, which it will be made in. */
	for (int first = 1;; first = 0) {
		if (stat(buf, &st) == 0) {
			if (!S_ISDIR(st.st_mode) && first)
				return cli_usage_error(cmd, "%s is a file, not a folder (-o names the "
						       "folder to write into)", dir);
			if (!S_ISDIR(st.st_mode))
				return cli_usage_error(cmd, "%s: %s is a file, so the output folder "
						       "cannot be made in it", dir, buf);
			if (access(buf, W_OK | X_OK) != 0)
				return cli_usage_error(cmd, "%s: cannot write into %s: %s", dir, buf,
						       strerror(errno));
			return 0;
		}
		if (errno != ENOENT && errno != ENOTDIR)   /* ENOTDIR: a parent is a file */
			return cli_usage_error(cmd, "%s: %s", buf, strerror(errno));
		if (errno == ENOENT && lstat(buf, &st) == 0)
			return cli_usage_error(cmd, "%s: %s is a symbolic link to nothing", dir, buf);
		char *slash = strrchr(buf, '/');
		if (!slash)
			snprintf(buf, sizeof buf, ".");
		else if (slash == buf)
			buf[1] = '\0';                          /* "/x": the root */
		else
			*slash = '\0';
		for (n = strlen(buf); n > 1 && buf[n - 1] == '/';)   /* "a//b" */
			buf[--n] = '\0';
	}
}

/* The CSV files of a run's report, in the order they are written. */
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

/* Whether dir/name is a folder: then the file of that name cannot be renamed into place. */
static int folder_in_the_way(const char *cmd, const char *dir, const char *name)
{
	char path[4200];
	struct stat st;
	snprintf(path, sizeof path, "%s/%s", dir, name);
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return cli_usage_error(cmd, "%s is a folder where capsim writes its %s; nothing "
				       "was written", path, name);
	return 0;
}

static int db_in_the_way(const char *cmd, const char *db_path)
{
	struct stat st;
	if (db_path && stat(db_path, &st) == 0 && !S_ISREG(st.st_mode))
		return cli_usage_error(cmd, "%s is not a file: capsim keeps its runs' database "
				       "there; nothing was written", db_path);
	return 0;
}

int cli_check_names(const char *cmd, const char *dir, const char *const *names,
		    const char *db_path)
{
	int rc = 0;
	for (size_t i = 0; rc == 0 && names[i]; i++)
		rc = folder_in_the_way(cmd, dir, names[i]);
	return rc ? rc : db_in_the_way(cmd, db_path);
}

int cli_check_report_dir(const char *cmd, const char *dir, const char *db_path)
{
	char name[64];
	int rc = 0;
	/* Every file cli_write_report writes: a folder in the way of one would fail its rename
	 * after the database took the run. */
	for (size_t i = 0; rc == 0 && i < sizeof csvs / sizeof csvs[0]; i++)
		rc = folder_in_the_way(cmd, dir, csvs[i].name);
	for (int i = 0; rc == 0 && i < REPORT_NPLOTS; i++) {
		static const char *const ext[] = { ".gp", ".png" };
		for (int e = 0; rc == 0 && e < 2; e++) {
			snprintf(name, sizeof name, "%s%s", report_plot_names[i], ext[e]);
			rc = folder_in_the_way(cmd, dir, name);
		}
	}
	if (rc == 0)
		rc = folder_in_the_way(cmd, dir, "cost_daily.csv");
	if (rc == 0)
		rc = folder_in_the_way(cmd, dir, "report.md");
	return rc ? rc : db_in_the_way(cmd, db_path);
}

int cli_plots_drawn(int rc, const char *msg, char *note, size_t notelen)
{
	if (rc == CAPSIM_ENOTFOUND)
		snprintf(note, notelen, "gnuplot is not installed: the plots were not drawn");
	else if (rc < 0)
		snprintf(note, notelen, "%s", msg);
	return rc >= 0;
}

int cli_write_report(const char *cmd, const char *dir, const char *db_path,
		     const struct run_result *res, const struct run_meta *meta, int render,
		     int64_t *run_id, char *note, size_t notelen)
{
	char path[4200], msg[1024], local[8];

	if (!note || !notelen) {
		note = local;
		notelen = sizeof local;
	}
	note[0] = '\0';
	if (cli_make_dirs(dir) != 0) {
		fprintf(stderr, "capsim %s: %s: cannot create the output folder: %s\n", cmd, dir,
			strerror(errno));
		return EXIT_FAIL;
	}
	int rc = cli_check_report_dir(cmd, dir, db_path);
	if (rc)
		return rc;
	/* The database first: if it cannot take the run, nothing in the folder changes.
	 * (The CSV files after it are each replaced atomically.) */
	if (report_db_append(db_path, res, meta, run_id, msg, sizeof msg) < 0) {
		fprintf(stderr, "capsim %s: %s\n", cmd, msg);
		return EXIT_FAIL;
	}
	for (size_t i = 0; i < sizeof csvs / sizeof csvs[0]; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, csvs[i].name);
		if (csvs[i].fn(res, path, msg, sizeof msg) < 0) {
			fprintf(stderr, "capsim %s: %s\n", cmd, msg);
			return EXIT_FAIL;
		}
	}
	if (report_plot_scripts(res, dir, msg, sizeof msg) < 0) {
		fprintf(stderr, "capsim %s: %s\n", cmd, msg);
		return EXIT_FAIL;
	}
	int drawn = render &&
		    cli_plots_drawn(report_plot_render(dir, msg, sizeof msg), msg, note, notelen);
	/* Last: the page that shows the plots. */
	if (report_markdown(res, meta, dir, drawn, msg, sizeof msg) < 0) {
		fprintf(stderr, "capsim %s: %s\n", cmd, msg);
		return EXIT_FAIL;
	}
	return 0;
}

/* The common option closest to a misspelt one (within 2 edits), or NULL. */
static const char *close_option(const char *arg)
{
	static const char *const known[] = { "--json", "--quiet", "--no-plots", "--output",
					     "--reps", "--seed", "--threads", "--bucket" };
	const char *best = NULL;
	int best_d = 3;
	for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
		int d = scenario_edit_distance(arg, known[i], 2);
		if (d > 0 && d < best_d) {
			best = known[i];
			best_d = d;
		}
	}
	return best;
}

int cli_parse_sim_args(const char *cmd, int argc, char **argv, struct cli_sim_args *a,
		       int (*extra)(const char *opt, const char *val, void *ctx), void *ctx)
{
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		int rc;
		if (arg[0] != '-' || arg[1] == '\0') {
			if (a->two_files && a->file && !a->file2) {
				a->file2 = arg;
				continue;
			}
			if (a->file)
				return cli_usage_error(cmd, "%s scenario file%s only; got \"%s\" "
						       "and \"%s\"", a->two_files ? "two" : "one",
						       a->two_files ? "s" : "",
						       a->two_files ? a->file2 : a->file, arg);
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
		/* A flag misspelt at the end of the line is not one that needs a value. */
		const char *near = close_option(arg);
		if (i + 1 >= argc && near && (!strcmp(near, "--json") || !strcmp(near, "--quiet") ||
					      !strcmp(near, "--no-plots")))
			return cli_usage_error(cmd, "unknown option \"%s\"; did you mean \"%s\"? see "
					       "'capsim help %s'", arg, near, cmd);
		if (i + 1 >= argc)
			return cli_usage_error(cmd, "%s needs a value; see 'capsim help %s'", arg,
					       cmd);
		const char *val = argv[++i];
		uint64_t n;
		/* No value of these starts with '-': "--fail -o DIR" lost its value, and the
		 * folder would have been taken for a second scenario file. */
		if (val[0] == '-' && val[1] != '\0')
			return cli_usage_error(cmd, "%s needs a value, got the option \"%s\"; see "
					       "'capsim help %s'", arg, val, cmd);
		if (!strcmp(arg, "-o") || !strcmp(arg, "--output")) {
			a->dir = val;
		} else if (!strcmp(arg, "--reps")) {
			if ((rc = cli_parse_count(cmd, arg, val, SCENARIO_MAX_REPLICATIONS, &a->reps)))
				return rc;
			if (a->reps < 1)
				return cli_usage_error(cmd, "--reps: expected at least 1, got %s", val);
			a->have_reps = 1;
		} else if (!strcmp(arg, "--seed")) {
			if ((rc = cli_parse_count(cmd, arg, val, UINT64_MAX, &a->seed)))
				return rc;
			a->have_seed = 1;
		} else if (!strcmp(arg, "--threads")) {
			if ((rc = cli_parse_count(cmd, arg, val, 1024, &n)))
				return rc;
			if (n < 1)
				return cli_usage_error(cmd, "--threads: expected 1 to 1024, got %s",
						       val);
			a->threads = (unsigned)n;
		} else if (!strcmp(arg, "--bucket")) {
			if (units_parse_duration(val, &a->bucket) != 0 || !(a->bucket > 0))
				return cli_usage_error(cmd, "--bucket: expected a duration such as "
						       "1h, got \"%s\"", val);
		} else if (!extra || (rc = extra(arg, val, ctx)) == 0) {
			if (near)
				return cli_usage_error(cmd, "unknown option \"%s\"; did you mean "
						       "\"%s\"? see 'capsim help %s'", arg, near, cmd);
			return cli_usage_error(cmd, "unknown option \"%s\"; see 'capsim help %s'",
					       arg, cmd);
		} else if (rc != 1) {
			return rc;
		}
	}
	if (!a->file || (a->two_files && !a->file2))
		return cli_usage_error(cmd, "expected %s; see 'capsim help %s'",
				       a->two_files ? "two scenario files" : "a scenario file", cmd);
	return 0;
}
