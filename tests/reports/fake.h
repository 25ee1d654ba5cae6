/* A small hand-made run for the report tests: a scenario of 2 regions and 2 tiers, a few time
 * buckets, metrics, costs by purchase option, monthly bills and events, with values from
 * closed formulas that the tests recompute. Also temporary folders and readers to get the
 * outputs back: CSV files (libcsv), results databases (SQLite) and the curves gnuplot computes
 * for a plot script. */
#ifndef CAPSIM_TESTS_REPORTS_FAKE_H
#define CAPSIM_TESTS_REPORTS_FAKE_H

#include <sqlite3.h>
#include <stddef.h>

#include "models/run.h"
#include "models/scenario.h"

/* Shape of the fake run. */
#define FAKE_HORIZON (3 * 86400.0)   /* s: three days */
#define FAKE_BUCKET 3600.0           /* s per bucket: 72 buckets */
#define FAKE_NBUCKETS 72
#define FAKE_NSERIES 6               /* 4 pools, then each region's "all" */
#define FAKE_NCOSTS 6                /* month 0: on demand of each pool, spot of pool 0,
					unused commitment (region and tier "all") */
#define FAKE_NBILLS 1                /* the 3 days are one partial month */
#define FAKE_NEVENTS 3

struct fake {
	struct scenario sc;
	struct scenario_region regions[2];   /* "eu-west-1", "us-east-1" */
	struct scenario_tier tiers[2];       /* "web", "app" */
	struct run_result r;                 /* r.sc = &sc; arrays malloc'd */
};

/* Fills f (the names may be replaced afterwards; they are borrowed string literals). */
void fake_init(struct fake *f);
void fake_release(struct fake *f);

/* The value of field k of series s in bucket b, as fake_init stored it. Pools are
 * s = 2 * tier + region; the cost rate of pool s is (s + 1) USD/h in the first 12 h of each
 * day and twice that in the last 12 h, so a day of pool s costs 36 (s + 1) USD. Pool s runs
 * 4 (s + 1) instances, then 8 (s + 1), paid: 2 (s + 1) reserved and (s + 1) by savings plan
 * always, a quarter of the instances on demand, the rest (0, then 3 (s + 1)) spot. A
 * region's chain sums its pools. */
double fake_ts(size_t b, size_t s, int k);

/* The bill of 0-based month m in fake_init and fake_set_months: mean 10000 + 500 m USD,
 * p10 = mean - 800, p50 = mean - 50, p90 = mean + 900, p95 = mean + 1300 (so the P95 grows
 * with the month). field: 0 mean, 1 p10, 2 p50, 3 p90, 4 p95. */
double fake_bill(int m, int field);

/* Makes the horizon months - 1 whole months of SCENARIO_MONTH plus `last` of one (0 < last
 * <= 1), with one fake_bill per month; the time series keep their 72 buckets, stretched
 * (bucket = horizon / 72). */
void fake_set_months(struct fake *f, int months, double last);

/* Replaces the metrics by one "availability" metric with this interval. */
void fake_set_availability(struct fake *f, double mean, double lo, double hi);

/* A fresh folder under /tmp (malloc'd path); aborts the test on failure. */
char *fake_tmpdir(void);
/* Removes dir and everything under it, then frees the string. */
void fake_rmtree(char *dir);
/* dir/name, malloc'd. */
char *fake_path(const char *dir, const char *name);
/* The whole file (malloc'd, NUL-terminated; *len set when len is not NULL), NULL if absent. */
char *fake_slurp(const char *path, size_t *len);

/* A CSV file parsed by libcsv: rows of fields, each NUL-terminated. */
struct table {
	size_t nrows;
	size_t *ncols;         /* [nrows] */
	char ***cell;          /* [nrows][ncols[i]] */
};

/* Reads path with libcsv in strict mode; aborts the test on a parse error. */
void table_read(const char *path, struct table *t);
void table_release(struct table *t);

/* path opened read-write, never created; aborts the test on failure. Close with
 * sqlite3_close(). */
sqlite3 *fake_db_open(const char *path);
/* The first column of the first row of sql as an integer; aborts the test when sql fails or
 * returns no row. */
sqlite3_int64 fake_db_int(sqlite3 *h, const char *sql);
/* Every row sql returns as text, one line per row, fields separated by '|', NULL as \N
 * (malloc'd; "" for no row); aborts the test when sql fails. */
char *fake_db_dump(sqlite3 *h, const char *sql);

/* One curve of a gnuplot `set table` output: its title and its points, each line of the
 * table being "x y [third fourth] type" (third and fourth: ylow yhigh of error bars, y2 of a
 * filled band). */
#define FAKE_MAXCURVES 32
#define FAKE_MAXPOINTS 640   /* the most a test needs; a sampled function (a key's NaN) has 100 */
struct curve {
	char title[96];          /* "" for an untitled curve */
	size_t n;                /* points */
	int nv;                  /* numbers on the last point's line: 2 to 4 */
	double x[FAKE_MAXPOINTS], y[FAKE_MAXPOINTS];
	double more[FAKE_MAXPOINTS][2];   /* the third and fourth numbers, 0 when absent */
};

/* The curves gnuplot computes for dir/NAME.gp, run with `set table` so that it writes them
 * instead of drawing them; in plotting order, multiplot panels one after the other. Numbers
 * come with 12 significant digits unless the script sets its own axis format (a '$' before
 * a number, as in "$700", is skipped). Returns FAKE_MAXCURVES curves (calloc'd, free with
 * free()) with *ncurves set to how many were read; aborts the test if gnuplot fails or a
 * limit above is exceeded. Leaves table.txt and gnuplot.err in dir. */
struct curve *fake_gnuplot_table(const char *dir, const char *name, size_t *ncurves);

/* The k-th (0-based) of the n curves c titled `title`; aborts the test if there is none. */
const struct curve *fake_curve(const struct curve *c, size_t n, const char *title, int k);

/* 1 if a gnuplot program runs here (the plot tests are skipped without one). */
int fake_have_gnuplot(void);

#endif
