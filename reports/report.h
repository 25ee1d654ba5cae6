/* Writers of a run's results: CSV files, the SQLite results database, gnuplot plots and the
 * human and JSON summaries. They work on struct run_result (models/run.h), a drill's runs and
 * an optimisation's struct opt_result (models/optimize.h), and never simulate. Every file is written under a temporary name in its final folder and renamed into
 * place once complete, so an interrupted run leaves either the old file or the new one, never
 * half of one. Functions return 0 or a negative CAPSIM_E* code and, where a message helps,
 * fill a caller's buffer with one line naming the file and the cause; they print nothing. */
#ifndef CAPSIM_REPORT_H
#define CAPSIM_REPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "models/run.h"

/* A file being written atomically: written to `tmp` beside `path`, renamed on commit. */
struct afile {
	FILE *f;               /* write here */
	char *path;            /* final name (owned) */
	char *tmp;             /* temporary name in the same folder (owned) */
};

/* Opens a temporary file beside path (same folder, unique name, mode 0644 after umask).
 * Returns 0; CAPSIM_EIO (folder missing or not writable; errno kept); CAPSIM_ENOMEM. On
 * failure a holds nothing. */
int afile_open(struct afile *a, const char *path);

/* Flushes, syncs, closes and renames the temporary file onto path. Returns 0 or CAPSIM_EIO
 * (then the temporary file is removed and path is untouched). a holds nothing afterwards. */
int afile_commit(struct afile *a);

/* Closes and removes the temporary file; path is untouched. Accepts a released afile. */
void afile_abort(struct afile *a);

/* Writes the file at path atomically with write(f, ctx), which returns 0 or a negative
 * CAPSIM_E* code (then the file is left as it was). Returns 0 or the code; err (may be NULL)
 * gets "PATH: cause". */
int report_write_file(const char *path, int (*write)(FILE *f, const void *ctx),
		      const void *ctx, char *err, size_t errlen);

/* Fields of the CSV files the reports write. A number has 10 significant digits (more than
 * any figure of a Monte Carlo run can claim, and a cent on a bill of a hundred million
 * dollars); NaN (no value) is an empty field, infinities "inf" / "-inf". A string is quoted
 * by libcsv only when it has to be: a comma, quote or line break inside, or blanks at its
 * ends (which CSV readers such as libcsv trim from bare fields). */
void report_put_num(FILE *f, double x);
void report_put_str(FILE *f, const char *s);

/* The name of region `region` of r's scenario, or "all" for a figure about no single region
 * (-1); of tier `tier`, or "all" for a region's whole chain (-1). */
const char *report_region_name(const struct run_result *r, long region);
const char *report_tier_name(const struct run_result *r, long tier);

/* x rounded to `decimals` places with a comma between groups of three digits:
 * 1234567.891 -> "1,234,567.89", -1234.5 -> "-1,234.5" (no "-0.00": a value that rounds to 0
 * has no sign). Not finite, or too long for the digits, as "%g". Truncated to fit len. */
void report_grouped(char *buf, size_t len, double x, int decimals);

/* The printf field width that pads UTF-8 text s to `width` columns: width plus the bytes of
 * s that start no character ("—" is 3 bytes, 1 column), for "%-*s". */
int report_pad(const char *s, int width);

struct scenario;

/* The SLO's latency percentile, 99 without one: the NN of the run's latency_pNN metrics. */
double report_slo_percentile(const struct scenario *sc);

/* Widest line of the text reports, in columns. */
#define REPORT_WIDTH 100

/* Prints one line of at most REPORT_WIDTH columns (cut at a character boundary), without
 * trailing blanks. */
void report_line(FILE *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Prints a table row's label too long for its column on a line of its own, whole: the
 * names in it (up to SCENARIO_NAME_MAX each) are what tells two rows apart, so it is never
 * cut, even past REPORT_WIDTH. */
void report_label_line(FILE *out, const char *label);

/* How a metric's figures are written, from its unit (models/run.h's units). */
enum report_style { REPORT_PCT, REPORT_USD, REPORT_SECONDS, REPORT_COUNT, REPORT_PLAIN };
enum report_style report_style_of(const char *unit);

/* r's cost split by day, as cost_daily.csv writes it: each bucket's instance cost and network
 * transfer over the days it covers. *cost is [ndays][r->nseries] (0 for the regions' series),
 * *net [ndays][ntiers × nregions]; the caller frees both. 0 or CAPSIM_ENOMEM. */
int report_cost_by_day(const struct run_result *r, double **cost, double **net, size_t *ndays);

/* A gnuplot money axis from lo to hi (USD, lo < hi): "set Xrange" and "set Xtics" with the
 * tics in grouped dollars ("$0", "$1,500", "$3,000"; cents when the step has them), as the
 * text reports write money (gnuplot's %' needs a locale that may not exist). The step is the
 * first of 1, 2, 2.5, 5 x 10^k at least an eighth of the span; the axis ends at the first tic
 * at or above hi when round_up, else at hi. */
void report_gp_usd_axis(FILE *f, const char *axis, double lo, double hi, int round_up);

/* usd(x) in gnuplot, for labels read from a CSV column: "$1,441" like the text reports
 * (report_grouped), cents below $100 ("$12.35"); the whole dollars grouped by recursion on
 * the thousands. */
#define REPORT_GP_USD "# Money as the text reports write it: \"$1,441\", cents below $100.\n" \
	"usd_grp(n) = n >= 1000 ? usd_grp(floor(n / 1000)) . " \
	"sprintf(\",%03.0f\", n - 1000 * floor(n / 1000)) : sprintf(\"%.0f\", n)\n" \
	"usd(x) = x >= 100 ? \"$\" . usd_grp(floor(x + 0.5)) : sprintf(\"$%.2f\", x)\n"

/* A horizon or step as a person reads it: "30 days", "1 day", "36 h", "5 min", "90 s". */
void report_fmt_duration(char *buf, size_t len, double s);

/* Decimals that show a fraction near 1 apart from 1: 0.99951 -> 4 ("99.9510 %"),
 * 0.999 -> 3, below 0.99 -> 2. */
int report_pct_decimals(double x);

/* A figure with its unit: "99.9510 %" (decimals places of a percentage), "$12,345.67",
 * "0.231 s", "1,728 h", "0.49"; "-" for NaN, "∞" for an end no data bounds. */
void report_fmt(char *buf, size_t len, enum report_style st, const char *unit, double x,
		int decimals);

/* report_fmt, with a '+' before a figure above zero when sign is set: for figures such as
 * savings, whose interval may reach below zero, so that both signs read alike. */
void report_fmt_signed(char *buf, size_t len, enum report_style st, const char *unit, double x,
		       int decimals, int sign);

/* Whether an interval clears a target: "met" only when the whole 95% interval is on the good
 * side, "missed" when all of it is on the bad side, "uncertain" when it straddles the target
 * (more replications would tell). higher_is_better says which side is good. */
const char *report_verdict(const struct run_stat *s, double target, int higher_is_better);

/* The latency SLO's verdict on run r: the worst of the metric `name`'s (e.g. "latency_p99")
 * and of its per-region figures (name.region.R, where regions serve their own users), since
 * the target holds for every region's users, as capsim optimize judges it too. */
const char *report_latency_verdict(const struct run_result *r, const char *name, double target);

struct compare_row;

/* Two runs of capsim compare: A and B simulated on the same seed and replications, and the
 * paired rows of models/compare.h. */
struct report_compare {
	const struct run_result *a, *b;
	const char *path_a, *path_b;   /* the scenario files as given */
	const struct compare_row *rows;
	size_t nrows;
};

/* The comparison for people: the headline figures of A and B, their paired difference with
 * its 95% interval and which is higher, then each run's verdict on A's targets. Returns 0 or
 * CAPSIM_EIO. */
int report_compare_text(const struct report_compare *c, FILE *out);

/* compare.csv, atomically: metric,unit,a_mean,a_ci95_low,a_ci95_high,b_mean,b_ci95_low,
 * b_ci95_high,diff_mean,diff_ci95_low,diff_ci95_high,verdict (b_higher, b_lower or
 * no_difference), one row per figure both runs have. err as the other writers. */
int report_compare_csv(const struct report_compare *c, const char *path, char *err,
		       size_t errlen);

/* The same as one JSON object (malloc'd text), NULL when out of memory. */
char *report_compare_json(const struct report_compare *c);

/* compare.gp in dir (which holds a/ and b/ with each run's CSV files): the cost per day of
 * A and B, and each region's latency percentile over time against the SLO target. Render it
 * with report_plot_render_one(dir, "compare", ...). err as the other writers. */
int report_compare_script(const struct report_compare *c, const char *dir, char *err,
			  size_t errlen);

/* compare.md in dir: the comparison's table, compare.png when `plot` is set (drawn), and
 * links to each run's report.md. err as the other writers. */
int report_compare_markdown(const struct report_compare *c, const char *dir, int plot,
			    char *err, size_t errlen);

/* Formats one message into err[0..errlen) (nothing when err is NULL or errlen 0). */
void report_set_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* What the results database records about a run besides its results. */
struct run_meta {
	const char *scenario_path;   /* as given on the command line */
	const char *scenario_sha256; /* 64 lowercase hex digits of the scenario file's bytes */
	const char *args;            /* the command line, arguments separated by spaces */
	const char *version;         /* capsim version */
	time_t started;              /* wall-clock start of the run (UTC) */
	double elapsed;              /* s of wall-clock time the simulation took */
	const char *command;         /* the capsim command that made the run ("drill"); NULL:
					"run" */
	const char *part;            /* which of its runs this is ("warm_standby", "A"); NULL
					for the only one */
	int64_t batch;               /* the run id of the command's first run, given to its
					later runs so that all share it (runs.batch); 0 for the
					first or only run, which gets its own id */
};

/* The four CSV files of DESIGN.md, each written atomically at `path`. err (may be NULL)
 * gets "PATH: cause" on failure. timeseries.csv is series-major: after its header come all
 * the buckets of series 0 (r->series[0]) in time order, then those of series 1, and so on. */
int report_summary_csv(const struct run_result *r, const char *path, char *err, size_t errlen);
int report_timeseries_csv(const struct run_result *r, const char *path, char *err, size_t errlen);
int report_cost_csv(const struct run_result *r, const char *path, char *err, size_t errlen);
int report_events_csv(const struct run_result *r, const char *path, char *err, size_t errlen);

/* bill.csv, the bill plot's data: `month,mean_usd,p10,p50,p90,p95`, one row per run_bill,
 * month 1-based as in cost.csv; the whole bill of the month (every option, unused commitment
 * included), its mean and percentiles across replications. The last month is partial when the
 * horizon is not whole months of SCENARIO_MONTH. Written atomically at path; same errors. */
int report_bill_csv(const struct run_result *r, const char *path, char *err, size_t errlen);

/* cost_daily.csv, the cost plot's data: `day,region,tier,cost_usd,what`, one row per day and
 * pool (chains left out) with what "instances", then where calls between regions are priced
 * a row per day, region and tier with what "network", day being the day's start in days since the start (0, 1, ...; the time
 * axis of timeseries.csv's `day`). A day's cost sums cost_per_hour x hours over the parts of
 * the buckets inside it; the last day is partial when the horizon is not whole days. Written
 * atomically at path; same errors as the files above. */
int report_cost_daily_csv(const struct run_result *r, const char *path, char *err, size_t errlen);

/* Appends the run to the SQLite database at db_path (created with its schema when missing):
 * one row in `runs`, its metrics, time series, costs, monthly bills and events keyed by the
 * new run id, all in one transaction; earlier runs are never changed. A database of an older
 * schema is upgraded in that same transaction (its earlier runs kept, new columns NULL for
 * them, except runs.batch, which a lone run or optimisation gets as its own id). The new row's
 * batch is m->batch when positive (it must be the id of a run in the database, else
 * CAPSIM_EIO), otherwise the new run id. Sets *run_id (may be NULL). m may be NULL (its
 * columns are then NULL, batch the new id). Returns 0, CAPSIM_EIO (with err filled: "PATH:
 * sqlite message"; also for a file that is not a database or has a newer schema) or
 * CAPSIM_ENOMEM; on failure the database holds exactly what it held before, schema included.
 * The schema is described in reports/db.c. */
int report_db_append(const char *db_path, const struct run_result *r, const struct run_meta *m,
		     int64_t *run_id, char *err, size_t errlen);

/* The plots of a run: each a gnuplot script NAME.gp that reads the CSV files in its own folder
 * (timeseries.csv; cost_daily.csv for "cost", whose script carries its own hours instead
 * when the horizon is 3 days or less; bill.csv for "bill") and draws NAME.png.
 * Scenario names appear in the scripts only as single-quoted gnuplot strings with ' doubled. */
enum { REPORT_NPLOTS = 6 };
/* "demand", "instances", "latency", "cost", "purchase" (instances by purchase option, stacked),
 * "bill" (the monthly bill with its P10-P90 band and the budget) */
extern const char *const report_plot_names[REPORT_NPLOTS];

/* Writes the plot scripts and cost_daily.csv into dir (each atomically). timeseries.csv and
 * bill.csv are written separately (report_timeseries_csv, report_bill_csv) and must be there
 * before report_plot_render. Returns 0, CAPSIM_EIO or CAPSIM_ENOMEM (err filled). */
int report_plot_scripts(const struct run_result *r, const char *dir, char *err, size_t errlen);

/* Runs gnuplot (found on PATH, no shell involved) on each script in dir; each PNG appears
 * under its final name only once gnuplot has drawn it completely. Returns 0; CAPSIM_ENOTFOUND
 * when gnuplot is not installed (nothing drawn, err says so); CAPSIM_EIO when gnuplot failed
 * on a script (err names it and quotes gnuplot's error line, "FILE" line N: ...). */
int report_plot_render(const char *dir, char *err, size_t errlen);

/* Helpers of the gnuplot scripts, shared by the run's plots and the drill's. */

/* Writes s as a single-quoted gnuplot string: a quote doubled, nothing else special, control
 * characters (which would end the line) as '?'. */
void report_gp_quote(FILE *f, const char *s);

/* Writes "every ::FIRST::LAST", the rows of timeseries.csv that hold series first to last
 * (r->series indices, first <= last < r->nseries), for a plot of it with `skip 1`: gnuplot
 * counts the data rows after the skipped header from 0, and does not parse the rows outside
 * the range, which is what makes a plot of one series of a large file fast. */
void report_gp_ts_rows(FILE *f, const struct run_result *r, size_t first, size_t last);

/* USD a month of r's costs that the cost plots draw no curve for: unused commitments and the
 * DR strategy's data, each counted from a cent a month; what gets their names ("DR data",
 * "unused commitments and DR data", "" for none). Rounded to cents. */
double report_unshown_monthly(const struct run_result *r, char *what, size_t len);   /* what may be NULL when len is 0 */

/* The lines every script starts with: a comment naming the script NAME.gp, what it draws and
 * the scenario; the PNG terminal (pngcairo when gnuplot has it, else png) at 1200x800 drawing
 * into `outfile` (default NAME.png); CSV input with NaN as missing; grid and key. */
void report_gp_head(FILE *f, const char *scenario, const char *name, const char *what);

/* report_plot_render for one script: dir/NAME.gp draws dir/NAME.png. Same returns. */
int report_plot_render_one(const char *dir, const char *name, char *err, size_t errlen);

/* The readable summary: the run's headline figures with their intervals, the SLO verdict,
 * the cost per month, tier and region, the monthly bill's percentiles and, when the run has
 * them, the purchase options (cost by option, savings against all on demand, spot
 * interruptions, availability and latency beside the all-on-demand run, reservation and
 * savings-plan utilisation and coverage), as a table of lines no wider than 100 columns.
 * Metrics are looked up by name (run_find_metric) and rows of missing ones left out. A verdict reads
 * "met" only when the whole 95% interval is on the good side of the target, "missed" when all
 * of it is on the bad side, "uncertain" otherwise. Returns 0, or CAPSIM_EIO when writing to
 * out failed. */
int report_summary_text(const struct run_result *r, FILE *out);

/* The same as JSON for scripts (cJSON): every metric with its statistics, the costs with
 * their purchase options and the monthly bills (months 1-based as in cost.csv and bill.csv;
 * region and tier "all" as there) and the meta (m may be NULL: its members are then null, the version
 * CAPSIM_VERSION). The seed is written with all its digits; NaN is null. Returns a malloc'd
 * NUL-terminated string (caller frees), or NULL when out of memory. */
char *report_summary_json(const struct run_result *r, const struct run_meta *m);

/* dir/report.md, atomically: the run's metadata (m may be NULL), the text summary in a code
 * block, the plots as images when `plots` is set (their PNGs drawn beside it), and what each
 * file of the folder holds. err as the other writers. */
int report_markdown(const struct run_result *r, const struct run_meta *m, const char *dir,
		    int plots, char *err, size_t errlen);

/* A command's page in Markdown: a title, `head` (may be NULL), its text as the terminal shows
 * it in a code block, `note` (may be NULL), its plots as images when they were drawn, then
 * `after` (Markdown, may be NULL). */
struct report_page {
	const char *title;
	int (*head)(FILE *f, const void *ctx);   /* Markdown under the title; 0 or CAPSIM_E* */
	int (*text)(FILE *f, const void *ctx);   /* writes the text; 0 or CAPSIM_E* */
	const char *note;            /* Markdown right after the text */
	const void *ctx;
	const char *const *plots;    /* [nplots] PNG names without ".png" */
	const char *const *captions; /* [nplots] */
	size_t nplots;
	int drawn;                   /* 1 when the PNGs are beside the page */
	const char *after;
};

/* Writes page p as dir/name atomically. err as the other writers. */
int report_page_write(const char *dir, const char *name, const struct report_page *p,
		      char *err, size_t errlen);

/* ---- capsim drill: the same outages rehearsed under one or more DR strategies ---- */

/* One strategy of a drill. */
struct drill_run {
	int strategy;                 /* enum scenario_dr_strategy; its name
					 (scenario_dr_strategy_name) is the run's subfolder */
	const struct run_result *run; /* run->sc is the scenario as drilled: dr.strategy is
					 `strategy`, failures.scripted the injected outages */
	const struct run_meta *meta;  /* may be NULL */
	int64_t run_id;               /* the run's row in the drill's results.db; 0 unknown */
};

/* A drill: runs[i] in the order they ran, on the same seed (common random numbers). */
struct drill {
	const struct drill_run *runs;
	size_t nruns;                 /* >= 1 */
};

/* drill.csv, one row per strategy:
 *   strategy,rto_p50_s,rto_p95_s,rto_target_s,rto_target_met,rpo_p50_s,rpo_p95_s,
 *   rpo_writes_p50,rpo_target_s,rpo_target_met,requests_failed_mean,requests_failed_ci95_low,
 *   requests_failed_ci95_high,availability,cost_monthly_usd,dr_data_cost_monthly_usd,
 *   latency_s,latency_outage_s,rpo_writes_p95
 * RTO and RPO percentiles are over every outage of every replication (metrics "rto", "rpo",
 * "rpo_writes"); *_target_met the share of outages that met the target; the targets those of
 * the scenario's dr (empty when it sets none); failed requests and availability the mean and
 * interval across replications; the costs per SCENARIO_MONTH, the DR data part being
 * replication traffic and backup storage. A figure the run lacks is an empty field. Written
 * atomically at path; err gets "PATH: cause" on failure. */
int report_drill_csv(const struct drill *d, const char *path, char *err, size_t errlen);

/* The drill's plots, each NAME.gp in the drill's folder drawing NAME.png:
 * "drill" (RTO p50/p95 and RPO p50/p95 per strategy as bars against the targets, and the
 * monthly cost with its DR data part; from drill.csv), "timeline" (a panel per strategy: each
 * region's user demand and chain capacity from STRATEGY/timeseries.csv, from an hour before
 * the first injected outage to two hours after its end), "rto_cdf" (the empirical CDF of the
 * RTOs of region outages per strategy, from STRATEGY/events.csv, against the RTO target),
 * "rpo_cdf" (the same for the RPOs of the failovers, from the "rpo" events). */
enum { REPORT_DRILL_NPLOTS = 4 };
extern const char *const report_drill_plot_names[REPORT_DRILL_NPLOTS];

/* Writes the drill's plot scripts into dir (atomically). drill.csv and each strategy's
 * timeseries.csv and events.csv must be there before report_drill_render. Returns 0,
 * CAPSIM_EIO or CAPSIM_ENOMEM (err filled). */
int report_drill_scripts(const struct drill *d, const char *dir, char *err, size_t errlen);

/* Runs gnuplot on the drill's scripts in dir; returns as report_plot_render. */
int report_drill_render(const char *dir, char *err, size_t errlen);

/* drill.md in dir: the drill's table, its plots when drawn, links to each strategy's
 * report.md. err as the other writers. */
int report_drill_markdown(const struct drill *d, const char *dir, int drawn, char *err,
			  size_t errlen);

/* The drill side by side: a column per strategy, rows RTO p50 / p95 and the chance of
 * meeting the RTO target, RPO p50 / p95 in seconds and writes and the chance of meeting its
 * target, failed requests with their 95% interval, availability, the monthly cost and its DR
 * data part; "—" where a figure is unknown. Lines are at most 100 columns for up to four
 * strategies. Returns 0, or CAPSIM_EIO when writing to out failed. */
int report_drill_text(const struct drill *d, FILE *out);

/* The same as JSON: the scenario, seed, replications and injected outages, the targets, and
 * a "strategies" array with each strategy's drill.csv figures (null where unknown), its
 * folder, run id and its whole run as report_summary_json gives it. Returns a malloc'd
 * string (caller frees), or NULL when out of memory. */
char *report_drill_json(const struct drill *d);

/* ---- capsim optimize: the purchase plan and every candidate it weighed ---- */

struct opt_result;   /* models/optimize.h */

/* frontier.csv, one row per candidate in r->c order:
 *   id,role,stage,replications,pruned, then per tier in scenario order
 *   TIER.on_demand_base,TIER.on_demand_pct,TIER.spot_types, then
 *   reserved_instances,savings_plan_usd_hourly,cost_monthly_usd,cost_ci95_low,cost_ci95_high,
 *   cost_p90_usd,availability,availability_ci95_low,availability_ci95_high,latency_s,
 *   latency_ci95_low,latency_ci95_high,rto_s,rto_ci95_low,rto_ci95_high,rpo_s,rpo_ci95_low,
 *   rpo_ci95_high,feasible,binding,pareto,recommended
 * id is 1-based (the JSON's and results.db's candidate id); role opt_role_name; the on-demand
 * share above the base a percentage (0-100); spot_types the names of the types used joined by
 * '+' (empty when none). reserved_instances and savings_plan_usd_hourly are the commitments
 * report_opt_commitments lists (for the scenario as written: the file's own). RTO and RPO are
 * empty when no outage measured one; feasible and pareto 1/0; binding opt_constraint_name;
 * recommended 1 for r->best only. Fields with a comma or quote are CSV-quoted. Written
 * atomically at path; err gets "PATH: cause" on failure. */
int report_frontier_csv(const struct opt_result *r, const char *path, char *err, size_t errlen);

/* The recommendation for people, lines of at most 100 columns: the objective, replications
 * and how many candidates were evaluated and pruned; then the plan (per tier the on-demand
 * base, share and spot types with their pools; the reservations and savings plan with their
 * utilisation, coverage and break-even; the monthly cost with its 95% interval and P90; the
 * savings against all on demand and the scenario as written; each target against its value;
 * the cost by tier and purchase option), or, when nothing is feasible, "No purchase plan meets
 * the targets", the binding constraint and r->why, with all on demand for reference. Returns
 * 0, or CAPSIM_EIO when writing to out failed. */
int report_optimize_text(const struct opt_result *r, FILE *out);

/* The same as JSON (cJSON): the meta (m may be NULL: its members null, the version
 * CAPSIM_VERSION), objective, replications, targets, the recommendation (null when none: then
 * binding and why say why) with its mix, commitments, cost, savings and constraints, and every
 * candidate in compact form. The seed is written with all its digits; NaN and infinities are
 * null. Returns a malloc'd string (caller frees), or NULL when out of memory. */
char *report_optimize_json(const struct opt_result *r, const struct run_meta *m);

/* The optimisation's plots, each NAME.gp in dir drawing NAME.png (report_plot_render_one):
 * "frontier" (monthly cost against availability of every candidate, from frontier.csv, which
 * report_frontier_csv writes) and "mix" (instances and cost per tier by purchase option of the
 * recommendation beside all on demand, from mix.csv, written here). Writes frontier.gp,
 * mix.csv and mix.gp atomically. Returns 0, CAPSIM_EIO or CAPSIM_ENOMEM (err filled). */
enum { REPORT_OPT_NPLOTS = 2 };
extern const char *const report_opt_plot_names[REPORT_OPT_NPLOTS];   /* "frontier", "mix" */
int report_optimize_plots(const struct opt_result *r, const char *dir, char *err, size_t errlen);

/* plan.md in dir: the recommendation as printed, frontier.png and mix.png when drawn. err as
 * the other writers. */
int report_optimize_markdown(const struct opt_result *r, const char *dir, int drawn, char *err,
			     size_t errlen);

/* Appends the optimisation to the SQLite database at db_path like report_db_append: a row in
 * `runs` (replications = the final replications), one in `opt_runs`, a row per candidate in
 * `opt_candidates` and one per commitment (report_opt_commitments) in `opt_commitments`, all
 * in one transaction; a database of an older schema is upgraded in it. Same returns and
 * guarantees as report_db_append. The schema is described in reports/db.c. */
int report_db_append_optimize(const char *db_path, const struct opt_result *r,
			      const struct run_meta *m, int64_t *run_id, char *err, size_t errlen);

/* One commitment of a candidate as the reports list it. A searched candidate has its own (the
 * optimiser's reservations, then its compute savings plan when sp_hourly > 0); the scenario as
 * written has the file's reservations and savings plans, whose utilisation, coverage and
 * break-even the optimiser does not measure (NaN); all on demand has none. */
struct report_opt_commit {
	int savings_plan;            /* 0: reserved instances; 1: a savings plan */
	long instance_type;          /* reservations: index into scenario.instance_types; else -1 */
	long region;                 /* reservations and instance-family plans: index into
				      * scenario.regions; compute plans -1 */
	const char *family;          /* instance-family plans: the family covered; else NULL */
	int plan;                    /* savings plans: enum catalog_plan */
	int count;                   /* reservations: instances; plans 0 */
	int term;                    /* enum catalog_term */
	int payment;                 /* reservations: enum catalog_payment; plans -1 */
	double usd_hourly;           /* USD per hour of the whole commitment (count x fee for
				      * reservations); NaN when unknown */
	double utilization, coverage; /* fractions; NaN when not measured */
	double breakeven_months;     /* INFINITY when the usage never pays it back; NaN unknown */
};

/* Sets *out to a malloc'd array of candidate i's commitments (NULL when there are none) and
 * *n to their number. Returns 0 or CAPSIM_ENOMEM (*out NULL, *n 0). The caller frees *out. */
int report_opt_commitments(const struct opt_result *r, size_t i, struct report_opt_commit **out,
			   size_t *n);

/* Candidate i's fleet mix as one line, tiers in scenario order separated by ';':
 * "web:base=2,od=50%,spot=c6i.large+c5.large;app:base=0,od=100%" (no spot= part when the tier
 * uses no spot type). Returns a malloc'd string, or NULL when out of memory. */
char *report_opt_mix_text(const struct opt_result *r, size_t i);

#endif
