/* The command table's entries and the small helpers every command shares. Only cli/ prints
 * for the user and chooses exit statuses: 0 success, 1 a failure while working, 2 bad input,
 * 3 (capsim optimize) no candidate meets the targets. */
#ifndef CAPSIM_CLI_H
#define CAPSIM_CLI_H

#include <stddef.h>
#include <stdint.h>

struct run_result;
struct run_meta;

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2, EXIT_INFEASIBLE = 3 };

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);   /* argv[0] is the command's name */
	const char *summary;                /* one line for `capsim help` */
	const char *usage;                  /* the full text for `capsim help NAME` */
};

int cmd_queue(int argc, char **argv);
extern const char cmd_queue_usage[];
int cmd_validate(int argc, char **argv);
extern const char cmd_validate_usage[];
int cmd_run(int argc, char **argv);
extern const char cmd_run_usage[];
int cmd_init(int argc, char **argv);
extern const char cmd_init_usage[];
int cmd_drill(int argc, char **argv);
extern const char cmd_drill_usage[];
int cmd_optimize(int argc, char **argv);
extern const char cmd_optimize_usage[];
int cmd_compare(int argc, char **argv);
extern const char cmd_compare_usage[];

/* Prints "capsim CMD: MESSAGE" on stderr and returns EXIT_USAGE, for bad arguments. */
int cli_usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* ---- shared by run and drill (cli/report_out.c) ---- */

/* Parses a whole number 0..max of option opt into *out. Returns 0, or EXIT_USAGE after
 * cli_usage_error (*out unchanged). */
/* The options capsim run and capsim drill share. */
struct cli_sim_args {
	const char *file;          /* the scenario */
	const char *dir;           /* -o, NULL for the default */
	uint64_t reps, seed;
	unsigned threads;          /* 0 = all CPUs */
	double bucket;             /* s, 0 = the default */
	int have_reps, have_seed, json, quiet, no_plots;
	int two_files;             /* set by the caller: a second scenario goes to file2 */
	const char *file2;
};

/* Parses argv[1..argc) into *a: the scenario file (two with a->two_files), --json, --quiet/-q, --no-plots, -o, --reps,
 * --seed, --threads and --bucket. An option with a value that is none of these goes to
 * `extra` (may be NULL), which returns 1 when it took it, 0 when it does not know it either,
 * or an exit status. Returns 0, or EXIT_USAGE after printing "capsim CMD: ..." (a missing
 * scenario file included). */
int cli_parse_sim_args(const char *cmd, int argc, char **argv, struct cli_sim_args *a,
		       int (*extra)(const char *opt, const char *val, void *ctx), void *ctx);

int cli_parse_count(const char *cmd, const char *opt, const char *text, uint64_t max,
		    uint64_t *out);

struct scenario;

/* Reads and parses the scenario `file` for "capsim CMD" into *sc (scenario_free releases it)
 * and the SHA-256 of its text into sha (64 lowercase hex digits and a NUL). Returns 0, or
 * after printing the reason on stderr: EXIT_USAGE (unreadable file; a mistake in it, as
 * scenario_parse words it) or EXIT_FAIL (out of memory). */
int cli_load_scenario(const char *cmd, const char *file, struct scenario *sc, char sha[65]);

/* Prints the scenario's notes on stderr, unless quiet: scenario_network_notes and
 * scenario_value_notes, and a --bucket of `bucket` s (0: none asked) that is not a whole
 * number of the scenario's steps, with the bucket the run uses instead. */
void cli_scenario_notes(const char *cmd, const char *file, const struct scenario *sc,
			double bucket, int quiet);

/* The command line as given, "capsim" and argv[0..argc) separated by spaces, for the
 * results database. */
void cli_args_text(char *buf, size_t len, int argc, char **argv);

/* The worker threads to use: `asked`, or the online CPUs when 0; at most `reps` (there is
 * nothing for more to do). */
unsigned cli_threads(unsigned asked, uint64_t reps);

/* What a gnuplot rendering that returned rc (msg its error) means for the user: 1 when the
 * plots were drawn; else 0 with note set to why not ("gnuplot is not installed: ..." for
 * CAPSIM_ENOTFOUND, msg otherwise). */
int cli_plots_drawn(int rc, const char *msg, char *note, size_t notelen);

/* Checks before a simulation that the output folder dir can be written: it is a folder, or
 * its nearest existing parent is one, writable. Returns 0, or EXIT_USAGE after saying why
 * ("capsim CMD: DIR: ..."). */
int cli_check_out_dir(const char *cmd, const char *dir);

/* Checks that the files cli_write_report writes in dir and the database db_path can take
 * their names (no folder there). Returns 0, or EXIT_USAGE after saying why. Commands that
 * write several reports check them all before writing the first. */
int cli_check_report_dir(const char *cmd, const char *dir, const char *db_path);

/* The same for a command's own files in dir, names[] NULL-terminated, and its database
 * db_path (NULL: none). */
int cli_check_names(const char *cmd, const char *dir, const char *const *names,
		    const char *db_path);

/* mkdir -p. Returns 0, or -1 with errno set (ENOTDIR when path is a file). */
int cli_make_dirs(const char *path);

/* Seconds on the monotonic clock. */
double cli_wall(void);

/* A progress bar with ETA on stderr, redrawn in place: cli_show_progress is a
 * run_options.progress callback, its ctx a struct cli_progress. */
struct cli_progress {
	double start;          /* cli_wall() at the start */
	const char *label;     /* printed before the bar; NULL for none */
	int shown;             /* set once the bar was drawn (the caller ends its line) */
};
void cli_show_progress(uint64_t done, uint64_t total, void *ctx);

/* Writes the whole report of a run into dir, created if missing: appends the run to the
 * SQLite database db_path first (so that nothing in dir changes when it cannot take the run),
 * then summary.csv, timeseries.csv, cost.csv, bill.csv, events.csv, the plot scripts and,
 * when render is set, the PNGs. Sets *run_id (may be NULL). Returns 0, EXIT_USAGE when one
 * of those names is taken by a folder (nothing written), or EXIT_FAIL, after printing
 * "capsim CMD: cause" on stderr. A plot that could not be drawn is no failure: note
 * (may be NULL) gets why, and is "" when every plot was drawn or render is 0. */
int cli_write_report(const char *cmd, const char *dir, const char *db_path,
		     const struct run_result *res, const struct run_meta *meta, int render,
		     int64_t *run_id, char *note, size_t notelen);

#endif
