/* The gnuplot scripts of a run and their rendering to PNG by a gnuplot child process. */
#define _GNU_SOURCE   /* posix_spawn_file_actions_addchdir_np (glibc >= 2.29), pipe2 */
#include "reports/report.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sim/error.h"

extern char **environ;

const char *const report_plot_names[REPORT_NPLOTS] = {
	"demand", "instances", "latency", "cost", "purchase", "bill",
};

/* The cost plot reads the cost of each pool on each day from cost_daily.csv (see
 * report_cost_daily_csv), written beside the scripts: computed in C rather than gnuplot because
 * a time bucket need not divide a day. */
#define COST_DAILY_CSV "cost_daily.csv"
/* The bill plot reads bill.csv (report_bill_csv), which the caller writes. */
#define BILL_CSV "bill.csv"
#define DAY 86400.0

/* A gnuplot column number of timeseries.csv: time_s, day, region, tier, then run_ts_name. */
#define TS_COL_DAY 2
#define TS_COL_TIER 4
static int ts_col(enum run_ts_field f)
{
	return 5 + (int)f;
}

static char *join(const char *dir, const char *name, const char *ext)
{
	size_t n = strlen(dir) + strlen(name) + strlen(ext) + 2;
	char *p = malloc(n);
	if (p)
		snprintf(p, n, "%s/%s%s", dir, name, ext);
	return p;
}

/* Scenario text inside a script is always a single-quoted gnuplot string: there a quote is
 * written twice and nothing else is special (no backslash escapes, no variable expansion).
 * Control characters, which would end the line, become '?'. */
static void put_quoted(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '\'')
			fputs("''", f);
		else
			fputc(c < 0x20 || c == 0x7f ? '?' : c, f);
	}
	fputc('\'', f);
}

/* put_quoted of a formatted text (cut at 1 KiB). */
static void put_quotedf(FILE *f, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	put_quoted(f, buf);
}

static const char *tier_label(const struct run_result *r, long tier)
{
	return tier < 0 ? "all" : r->sc->tiers[tier].name;
}

void report_gp_quote(FILE *f, const char *s)
{
	put_quoted(f, s);
}

/* The lines every script starts with. */
static void put_head(FILE *f, const struct run_result *r, const char *name, const char *what)
{
	report_gp_head(f, r->sc->name, name, what);
}

void report_gp_head(FILE *f, const char *scenario, const char *name, const char *what)
{
	fprintf(f, "# %s.gp: %s, written by capsim for scenario ", name, what);
	put_quoted(f, scenario);
	fprintf(f, ".\n# Redraw with `gnuplot %s.gp` in this folder, or choose the file with\n"
		"# gnuplot -e \"outfile='other.png'\" %s.gp\n", name, name);
	fprintf(f, "if (!exists(\"outfile\")) outfile = \"%s.png\"\n", name);
	/* The cairo terminal draws antialiased text and lines; libgd's png is the fallback of a
	 * gnuplot built without cairo. noenhanced: names such as eu_west are not subscripts. */
	fputs("if (strstrt(GPVAL_TERMINALS, \"pngcairo\") > 0) {\n"
	      "\tset terminal pngcairo size 1200,800 noenhanced font \"Sans,10\"\n"
	      "} else {\n"
	      "\tset terminal png size 1200,800 noenhanced\n"
	      "}\n"
	      "set output outfile\n"
	      "set datafile separator \",\"\n"
	      "# Rows a plot filters out evaluate to NaN; as missing points they leave the lines whole.\n"
	      "set datafile missing NaN\n"
	      "set grid\n"
	      "set key outside right top\n"
	      "# Room above the highest line, so a line at the top is not hidden by the border.\n"
	      "set offsets 0, 0, graph 0.05, 0\n", f);
}

/* Whether r has a series of this tier (-1: a region's chain). */
static int has_tier(const struct run_result *r, long tier)
{
	for (size_t s = 0; s < r->nseries; s++)
		if (r->series[s].tier == tier)
			return 1;
	return 0;
}

/* The panels of a per-tier plot: the tiers that have series, in scenario order, then the
 * chains (-1) when there are any and they differ from the one tier. Returns the count and,
 * for i < count, the i-th in *tier. */
static size_t panels(const struct run_result *r, size_t i, long *tier)
{
	const struct scenario *sc = r->sc;
	size_t n = 0;
	for (long t = 0; t < (long)sc->ntiers; t++)
		if (has_tier(r, t) && n++ == i)
			*tier = t;
	/* The whole chain, unless it is one tier visited once: then it is that tier's panel
	 * again. */
	int same = sc->ntiers == 1 && sc->tiers[0].visits == 1.0;
	if (!same && has_tier(r, -1) && n++ == i)
		*tier = -1;
	return n;
}

/* The unit of the time axes: days, unless the horizon is short enough that days would be
 * read as fractions (a 3-hour run spans 0 to 0.125 "days"); then hours, or minutes for up to
 * two hours. */
#define HOUR 3600.0
#define MINUTE 60.0
#define HOURS_HORIZON (2 * DAY)
#define MINUTES_HORIZON (2 * HOUR)

struct time_axis {
	double unit;        /* s per unit of x */
	const char *name;   /* "days", "hours", "minutes" */
	double tics;        /* x between tics, 0: gnuplot's own */
};

static struct time_axis time_axis(const struct run_result *r)
{
	/* Tics on whole hours of the day (or minutes of the hour), at most 12 of them: gnuplot
	 * would tick a day at 0, 5, 10, 15, 20 h. */
	static const double hour_tics[] = { 0.5, 1, 2, 3, 6, 12 };
	static const double minute_tics[] = { 1, 2, 5, 10, 15, 20, 30 };
	double h = r->sc->horizon;
	struct time_axis a = { DAY, "days", 0 };
	const double *tics = NULL;
	size_t ntics = 0;

	if (h <= MINUTES_HORIZON) {
		a = (struct time_axis){ MINUTE, "minutes", 0 };
		tics = minute_tics;
		ntics = sizeof minute_tics / sizeof minute_tics[0];
	} else if (h <= HOURS_HORIZON) {
		a = (struct time_axis){ HOUR, "hours", 0 };
		tics = hour_tics;
		ntics = sizeof hour_tics / sizeof hour_tics[0];
	}
	for (size_t i = 0; i < ntics && !(a.tics > 0); i++)
		if (h / a.unit <= 12 * tics[i])
			a.tics = tics[i];
	return a;
}

/* The x axis of a plot against time, from 0 to end (s): its label (unless the caller writes
 * its own), range and tics. */
static void put_time_axis(FILE *f, const struct run_result *r, int label, double end)
{
	struct time_axis a = time_axis(r);
	if (label)
		fprintf(f, "set xlabel \"time (%s)\"\n", a.name);
	fprintf(f, "set xrange [0:%.10g]\n", end / a.unit);
	if (a.tics > 0)
		fprintf(f, "set xtics %.10g\n", a.tics);
}

/* The x of a row of timeseries.csv: its bucket's middle in the axis' unit. A bucket's value
 * is its time average, so it is drawn there. Days read the day column, as they always
 * have; shorter units the seconds. */
static void put_time_x(FILE *f, const struct run_result *r)
{
	struct time_axis a = time_axis(r);
	if (a.unit == DAY)
		fprintf(f, "($%d + %.10g)", TS_COL_DAY, r->bucket / 2.0 / DAY);
	else
		fprintf(f, "(($1 + %.10g) / %.10g)", r->bucket / 2.0, a.unit);
}

/* One series against time: its rows of timeseries.csv, yexpr of each. */
static void put_series_using(FILE *f, const struct run_result *r, size_t s, const char *yexpr)
{
	report_gp_ts_rows(f, r, s, s);
	fputs(" using ", f);
	put_time_x(f, r);
	fprintf(f, ":(%s) skip 1", yexpr);
}

/* The page of a multiplot: its title, one key shared by the panels across the top and, under
 * them, `npanels` in `cols` columns. A key beside each panel took up to half its width (four
 * regions: eight entries, the data squeezed into a sliver with unreadable tics) and said the
 * same in every panel; here the margins leave room for the title and `keyrows` lines of key
 * (about 18 px each on the 800 px page), and the panel that carries the key is told by
 * put_page_key. */
static void put_page(FILE *f, const struct run_result *r, const char *title, size_t npanels,
		     size_t cols, size_t keyrows)
{
	size_t rows = npanels ? (npanels + cols - 1) / cols : 1;
	double top = 1.0 - (40.0 + 18.0 * (double)keyrows + 45.0) / 800.0;
	fprintf(f, "set multiplot layout %zu,%zu title ", rows, cols);
	put_quotedf(f, "%s: %s", r->sc->name, title);
	fprintf(f, " font \",12\" margins 0.07,0.98,0.07,%.4g spacing 0.08,0.12\n", top);
}

/* The shared key, set before the plot of the panel that draws it: entries in columns of
 * `keyrows`, across the top of the page under its title; the panels after it have none. */
static void put_page_key(FILE *f, size_t keyrows)
{
	fprintf(f, "set key at screen 0.5,%.4g center top vertical maxrows %zu reverse Left "
		"samplen 3\n", 1.0 - 40.0 / 800.0, keyrows);
}

/* Whether panel `tier` of put_panels has a line of every region that has series: its key
 * then names them all. */
static int panel_has_every_region(const struct run_result *r, long tier)
{
	for (size_t g = 0; g < r->sc->nregions; g++) {
		int any = 0, here = 0;
		for (size_t s = 0; s < r->nseries; s++)
			if (r->series[s].region == g) {
				any = 1;
				here |= r->series[s].tier == tier;
			}
		if (any && !here)
			return 0;
	}
	return 1;
}

/* How much wider than the last region's line region g's is drawn: regions drawn earlier are
 * wider, so that where two regions have the same values (a capacity floor, an idle latency)
 * the earlier one shows as a border around the later instead of vanishing under it. */
static double region_widening(const struct run_result *r, size_t g)
{
	size_t nr = r->sc->nregions;
	return nr > 1 ? 1.25 * (double)(nr - 1 - g) / (double)(nr - 1) : 0.0;
}

/* One panel per tier (and one for the regions' whole chains), a line per region: field a
 * solid and, when b >= 0, field b dashed in the same colour. The key is shared, drawn by the
 * first panel that has every region; when none has (tiers placed in different regions), each
 * panel keeps its own beside it. */
static void put_panels(FILE *f, const struct run_result *r, const char *title, const char *ylabel,
		       enum run_ts_field a, const char *a_label, int b, const char *b_label,
		       const char *all_title)
{
	long tier = 0;
	size_t n = panels(r, 0, &tier), cols = n <= 3 ? 1 : 2, keyed = n;
	size_t per = b >= 0 ? 2 : 1, ncols = r->sc->nregions < 4 ? r->sc->nregions : 4;
	size_t keyrows = per * (ncols ? (r->sc->nregions + ncols - 1) / ncols : 1);
	char ya[16], yb[16];

	for (size_t i = 0; i < n && keyed == n; i++) {
		panels(r, i, &tier);
		if (panel_has_every_region(r, tier))
			keyed = i;
	}
	snprintf(ya, sizeof ya, "$%d", ts_col(a));
	snprintf(yb, sizeof yb, "$%d", ts_col((enum run_ts_field)(b < 0 ? 0 : b)));
	fprintf(f, "set ylabel \"%s\"\nset yrange [0:*]\n", ylabel);
	put_time_axis(f, r, 1, r->sc->horizon);
	if (keyed < n)
		put_page(f, r, title, n, cols, keyrows);
	else
		put_page(f, r, title, n, cols, 0);
	if (n == 0)
		fputs("plot NaN notitle\n", f);   /* a run without series: an empty frame */
	for (size_t i = 0; i < n; i++) {
		panels(r, i, &tier);
		if (i == keyed)
			put_page_key(f, keyrows);
		fputs("set title ", f);
		if (tier < 0)
			put_quoted(f, all_title);
		else
			put_quotedf(f, "tier %s", tier_label(r, tier));
		fputs("\nplot ", f);
		int first = 1;
		for (size_t s = 0; s < r->nseries; s++) {
			if (r->series[s].tier != tier)
				continue;
			const char *region = r->sc->regions[r->series[s].region].name;
			int lc = 1 + (int)r->series[s].region;
			double wider = region_widening(r, r->series[s].region);
			fprintf(f, "%s\"timeseries.csv\" ", first ? "" : ", \\\n     ");
			put_series_using(f, r, s, ya);
			fprintf(f, " with lines lw %.3g lc %d title ", 2 + wider, lc);
			put_quotedf(f, "%s %s", region, a_label);
			if (b >= 0) {
				fputs(", \\\n     \"timeseries.csv\" ", f);
				put_series_using(f, r, s, yb);
				fprintf(f, " with lines lw %.3g dt 2 lc %d title ", 1.5 + wider, lc);
				put_quotedf(f, "%s %s", region, b_label);
			}
			first = 0;
		}
		fputc('\n', f);
		if (i == keyed)
			fputs("unset key\n", f);
	}
	fputs("unset multiplot\n", f);
}

static void demand_script(FILE *f, const struct run_result *r)
{
	put_head(f, r, "demand", "demand and capacity per tier and region, from timeseries.csv");
	put_panels(f, r, "demand and capacity (mean over replications)", "requests/s",
		   RUN_TS_DEMAND, "demand", RUN_TS_CAPACITY, "capacity",
		   "whole chain (user requests/s; capacity of the narrowest tier)");
}

static void instances_script(FILE *f, const struct run_result *r)
{
	put_head(f, r, "instances", "instances per tier and region, from timeseries.csv");
	put_panels(f, r, "instances (mean over replications)", "instances",
		   RUN_TS_INSTANCES, "running", RUN_TS_IN_SERVICE, "in service",
		   "all tiers of the region");
}

/* The latency plot's y range when it needs a log scale: when what it shows (the regions'
 * percentile and the target) spans more than 30 times its smallest positive value, a linear
 * axis would flatten the usual latency onto the floor (a batch tier's 600 s target over 6 s
 * responses, a start-up spike). Returns 1 and the range then, else 0. */
static int latency_log_range(const struct run_result *r, double target, double overall,
			     double *lo, double *hi)
{
	*lo = INFINITY;
	*hi = target > 0 ? target : 0;
	if (overall > *hi)
		*hi = overall;
	for (size_t s = 0; s < r->nseries; s++) {
		if (r->series[s].tier >= 0)
			continue;
		for (size_t b = 0; b < r->nbuckets; b++) {
			double v = run_ts(r, b, s, RUN_TS_P99);
			if (!(run_ts(r, b, s, RUN_TS_DEMAND) > 0))
				continue;   /* not drawn (latency_script) */
			if (v > 0 && v < *lo)
				*lo = v;
			if (v > *hi)
				*hi = v;
		}
	}
	return isfinite(*lo) && isfinite(*hi) && *hi > 30 * *lo;
}

/* The regions' chains' percentile against the SLO target. */
static void latency_script(FILE *f, const struct run_result *r)
{
	const struct scenario *sc = r->sc;
	double pct = report_slo_percentile(sc);
	double target = sc->has_slo ? sc->slo.latency_target : 0.0;
	double lo, hi;
	char y[48], on[RUN_METRIC_NAME_MAX];
	/* The percentile of all requests together (run.c), drawn beside the curves: the level
	 * their spikes and floor come to over the whole run. */
	snprintf(on, sizeof on, "latency_p%g_overall", pct);
	const struct run_metric *all = run_find_metric(r, on);
	double overall = all ? all->stat.mean : 0;
	int first = 1, logy = latency_log_range(r, target, overall, &lo, &hi);

	put_head(f, r, "latency", "end-to-end response-time percentile per region, from "
		 "timeseries.csv");
	/* A bucket without demand served no request, so it has no response time to draw (the
	 * model's figure for it is the idle service time): NaN there, and with no value counted
	 * as missing, gnuplot breaks the line over such buckets instead of drawing a
	 * response time across them. */
	snprintf(y, sizeof y, "$%d > 0 ? $%d : NaN", ts_col(RUN_TS_DEMAND), ts_col(RUN_TS_P99));
	fputs("unset datafile missing\n", f);
	fprintf(f, "set ylabel \"p%g response time (s%s)\"\n", pct, logy ? ", log scale" : "");
	put_time_axis(f, r, 1, r->sc->horizon);
	if (logy)
		fprintf(f, "set logscale y\nset yrange [%.10g:%.10g]\n", lo / 1.5, hi * 1.5);
	else
		fputs("set yrange [0:*]\n", f);
	/* A bucket's mean over its steps and the replications: spikes at different times in
	 * different replications, each a few minutes, are diluted, so the title says so. */
	char per[48];
	report_fmt_duration(per, sizeof per, r->bucket);
	fputs("set title ", f);
	if (target > 0)
		put_quotedf(f, "%s: p%g end-to-end response time (mean over each %s and the "
			    "replications) against the SLO target of %g s", sc->name, pct, per, target);
	else
		put_quotedf(f, "%s: p%g end-to-end response time (mean over each %s and the "
			    "replications; no latency target set)", sc->name, pct, per);
	fputs(" font \",12\"\nplot ", f);
	for (size_t s = 0; s < r->nseries; s++) {
		if (r->series[s].tier >= 0)
			continue;
		fprintf(f, "%s\"timeseries.csv\" ", first ? "" : ", \\\n     ");
		put_series_using(f, r, s, y);
		fprintf(f, " with lines lw %.3g lc %d title ", 2 + region_widening(r, r->series[s].region),
			1 + (int)r->series[s].region);
		put_quoted(f, sc->regions[r->series[s].region].name);
		first = 0;
	}
	if (target > 0) {
		fprintf(f, "%s%.10g with lines lw 2 dt 2 lc rgb \"red\" title \"SLO target %g s\"",
			first ? "" : ", \\\n     ", target, target);
		first = 0;
	}
	if (overall > 0 && !first)
		fprintf(f, ", \\\n     %.10g with lines lw 1.5 dt 3 lc rgb \"gray30\" "
			"title \"p%g of all requests %.3g s\"", overall, pct, overall);
	else if (first)
		fputs("NaN notitle", f);   /* a run without chains: an empty frame */
	fputc('\n', f);
}

static void usd(char *buf, size_t len, double x);

/* The mean of the metrics named, per month of the horizon; 0 for those the run lacks. */
static double monthly_of(const struct run_result *r, const char *const *names, size_t n)
{
	double sum = 0;
	for (size_t i = 0; i < n; i++) {
		const struct run_metric *m = run_find_metric(r, names[i]);
		if (m && isfinite(m->stat.mean))
			sum += m->stat.mean;
	}
	return r->sc->horizon > 0 ? sum * SCENARIO_MONTH / r->sc->horizon : 0;
}

double report_unshown_monthly(const struct run_result *r, char *what, size_t len)
{
	/* The instances' cost is the pools', and priced calls between regions are drawn, so
	 * what is left of the bill is the commitments that covered nothing and the DR
	 * strategy's data (models/world.c adds nothing else). */
	static const char *const unused[] = { "cost.option.unused_commitment" };
	static const char *const dr[] = { "cost.dr.replication", "cost.dr.backup_storage" };
	const struct {
		double usd;
		const char *name;
	} part[] = {
		{ round(monthly_of(r, unused, 1) * 100) / 100, "unused commitments" },
		{ round(monthly_of(r, dr, 2) * 100) / 100, "DR data" },
	};
	double sum = 0;
	if (len)
		what[0] = '\0';
	for (size_t i = 0; i < sizeof part / sizeof part[0]; i++) {
		if (!(part[i].usd > 0))
			continue;
		size_t n = len ? strlen(what) : 0;
		if (n + 1 < len)
			snprintf(what + n, len - n, "%s%s", n ? " and " : "", part[i].name);
		sum += part[i].usd;
	}
	return round(sum * 100) / 100;
}

/* The cost plot's x label: what a month costs that no curve draws (report_unshown_monthly). */
static void cost_xlabel(FILE *f, const struct run_result *r)
{
	char what[128], a[48];
	double sum = report_unshown_monthly(r, what, sizeof what);
	const char *unit = time_axis(r).name;
	fputs("set xlabel ", f);
	if (sum > 0) {
		usd(a, sizeof a, sum);
		put_quotedf(f, "time (%s); not shown: %s a month of %s (in bill.png)", unit, a,
			    what);
		fputc('\n', f);
	} else {
		fprintf(f, "\"time (%s)\"\n", unit);
	}
}

/* Horizons up to this are drawn per hour (a few days of daily bars would be one to three
 * bars), when the time buckets are an hour or finer: the run keeps each bucket's cost rate,
 * and the bill is per hour (models/billing.h), so an hour is the finest honest resolution. */
#define HOURLY_HORIZON (3 * DAY)

static int cost_hourly(const struct run_result *r)
{
	return r->sc->horizon <= HOURLY_HORIZON && r->bucket > 0 && r->bucket <= HOUR &&
	       r->nbuckets > 0;
}

/* What hour_cost adds up: the instances of every tier, or the transfer of calls between
 * regions. */
#define COST_ALL_TIERS (-1L)
#define COST_NETWORK (-2L)

/* USD per hour in hour h (its part inside the horizon) of tier `which`'s instances, of every
 * tier's (COST_ALL_TIERS) or of the network transfer (COST_NETWORK): the buckets' cost rates
 * times their time inside the hour, a bucket's transfer spread over its time like
 * report_cost_daily_csv does, divided by the hour's length. */
static double hour_cost(const struct run_result *r, size_t h, long which)
{
	double lo = (double)h * HOUR, hi = fmin(lo + HOUR, r->sc->horizon), usd = 0;
	size_t ncell = r->sc->ntiers * r->sc->nregions;
	if (!(hi > lo))
		return 0;
	for (size_t b = (size_t)(lo / r->bucket); b < r->nbuckets; b++) {
		double t0 = (double)b * r->bucket, t1 = fmin(t0 + r->bucket, r->sc->horizon);
		double in = fmin(t1, hi) - fmax(t0, lo);
		if (t0 >= hi)
			break;
		if (!(in > 0))
			continue;
		if (which == COST_NETWORK) {
			for (size_t c = 0; r->network && c < ncell; c++)
				usd += r->network[b * ncell + c] * in / (t1 - t0);
			continue;
		}
		for (size_t s = 0; s < r->nseries; s++)
			if (r->series[s].tier >= 0 &&
			    (which == COST_ALL_TIERS || r->series[s].tier == which))
				usd += run_ts(r, b, s, RUN_TS_COST_RATE) * in / HOUR;
	}
	return usd / ((hi - lo) / HOUR);
}

/* The hourly cost plot's data, inline (a datablock): each hour's middle in days, the whole
 * (instances and network), each tier that has series, then the network where priced. */
static void put_hours(FILE *f, const struct run_result *r)
{
	size_t nhours = (size_t)ceil(r->sc->horizon / HOUR);
	fprintf(f, "# Each hour: its middle (%s), USD per hour of everything drawn, of each tier's\n"
	      "# instances in the order of the plot, then of the network transfer where priced;\n"
	      "# from the time buckets' cost_per_hour (timeseries.csv) and transfers.\n"
	      "$hours << EOD\n", time_axis(r).name);
	for (size_t h = 0; h < nhours; h++) {
		double all = hour_cost(r, h, COST_ALL_TIERS);
		double net = r->network ? hour_cost(r, h, COST_NETWORK) : 0;
		fprintf(f, "%.10g,%.10g", ((double)h + 0.5) * HOUR / time_axis(r).unit, all + net);
		for (long t = 0; t < (long)r->sc->ntiers; t++)
			if (has_tier(r, t))
				fprintf(f, ",%.10g", hour_cost(r, h, t));
		if (r->network)
			fprintf(f, ",%.10g", net);
		fputc('\n', f);
	}
	fputs("EOD\n", f);
}

/* The instances' cost per tier (summed over regions), the network transfer where calls
 * between regions are priced, and their total: per day from cost_daily.csv (smooth
 * frequency: one point per day), or per hour from the script's own $hours for horizons of
 * up to three days (cost_hourly); the x label says what a month costs besides. */
static void cost_script(FILE *f, const struct run_result *r)
{
	int net = r->network != NULL, hourly = cost_hourly(r);
	double unit = time_axis(r).unit, bin = hourly ? HOUR : DAY;
	double nbins = ceil(r->sc->horizon / bin);
	/* A marker per day or hour while they stay apart; beyond about 100 (a year: 365 on
	 * 950 px) they merge into a thick band that hides the line's shape and those under it. */
	const char *style = nbins <= 100 ? "linespoints" : "lines";
	char x[64];

	/* cost_daily.csv's day is the day's start in days: its middle in the axis' unit. */
	if (unit == DAY)
		snprintf(x, sizeof x, "($1 + 0.5)");
	else
		snprintf(x, sizeof x, "(($1 + 0.5) * %.10g)", DAY / unit);
	put_head(f, r, "cost", hourly ? "cost per hour per tier, from the time buckets' cost "
		 "rates (the hours below)" : "cost per day per tier, from " COST_DAILY_CSV);
	if (hourly)
		put_hours(f, r);
	cost_xlabel(f, r);
	put_time_axis(f, r, 0, nbins * bin);
	fprintf(f, "set ylabel \"USD per %s\"\nset yrange [0:*]\nset title ",
		hourly ? "hour" : "day");
	put_quotedf(f, "%s: %s cost per %s (mean over replications; each %s drawn at its "
		    "middle)", r->sc->name, net ? "instance and network" : "instance",
		    hourly ? "hour" : "day", hourly ? "hour" : "day");
	fprintf(f, " font \",12\"\nset style fill solid 0.25 noborder\nset boxwidth %.10g\n",
		0.9 * bin / unit);
	const char *all = net ? "all instances and network" : "all instances";
	if (hourly)
		fprintf(f, "plot $hours using 1:2 with boxes lc rgb \"gray60\" title \"%s\"", all);
	else
		fprintf(f, "plot \"" COST_DAILY_CSV "\" using %s:4 skip 1 smooth frequency "
			"with boxes lc rgb \"gray60\" title \"%s\"", x, all);

	long lc = 1;
	for (long t = 0; t < (long)r->sc->ntiers; t++) {
		if (!has_tier(r, t))
			continue;
		if (hourly) {
			fprintf(f, ", \\\n     $hours using 1:%ld with %s lw 2 pt 7 ps 0.6 "
				"lc %ld title ", 2 + lc, style, lc);
		} else {
			fprintf(f, ", \\\n     \"" COST_DAILY_CSV "\" using %s:(strcol(3) eq ", x);
			put_quoted(f, tier_label(r, t));
			fprintf(f, " && strcol(5) eq \"instances\" ? $4 : NaN) skip 1 smooth "
				"frequency with %s lw 2 pt 7 lc %ld title ", style, lc);
		}
		lc++;
		put_quotedf(f, "tier %s", tier_label(r, t));
	}
	if (net && hourly)
		fprintf(f, ", \\\n     $hours using 1:%ld with %s lw 2 pt 6 ps 0.6 dt 2 "
			"lc %ld title \"network transfer\"", 2 + lc, style, lc);
	else if (net)
		fprintf(f, ", \\\n     \"" COST_DAILY_CSV "\" using %s:(strcol(5) eq "
			"\"network\" ? $4 : NaN) skip 1 smooth frequency with %s lw 2 "
			"pt 6 dt 2 lc %ld title \"network transfer\"", x, style, lc);
	fputc('\n', f);
}

/* The layers of the purchase plot, bottom to top: commitments form the base that is paid
 * whatever runs, the flexible options ride on it. */
static const struct {
	enum run_ts_field field;
	const char *title;
	const char *rgb;
} layers[] = {
	{ RUN_TS_PAID_RESERVED, "reserved", "#3b6ea8" },
	{ RUN_TS_PAID_SAVINGS_PLAN, "savings plan", "#6aa84f" },
	{ RUN_TS_PAID_ON_DEMAND, "on demand", "#9a9a9a" },
	{ RUN_TS_PAID_SPOT, "spot", "#e69f00" },
};
#define NLAYERS (sizeof layers / sizeof layers[0])

/* Whether any pool paid any instance by layer k's option at any time: a legend entry for an
 * option the run never used would only be noise. */
static int layer_used(const struct run_result *r, size_t k)
{
	for (size_t b = 0; b < r->nbuckets; b++)
		for (size_t s = 0; s < r->nseries; s++)
			if (r->series[s].tier >= 0 && run_ts(r, b, s, layers[k].field) > 0)
				return 1;
	return 0;
}

/* Instances by how they were paid, one panel per tier (summed over its regions) and, with
 * several tiers, one for all of them. A stack is drawn as its cumulative sums, each filled
 * down to the axis, the tallest first so that each lower one covers its part of it (opaque
 * fills, no transparency needed). The regions of a tier are added by smooth frequency, which
 * sums the rows of equal x: a bucket's rows share their time. Options the run never used
 * are left out of the stack and the legend. */
static void purchase_script(FILE *f, const struct run_result *r)
{
	size_t n = 0, cols, nused = 0;
	int used[NLAYERS];
	long tier;

	for (size_t k = 0; k < NLAYERS; k++)
		nused += (size_t)(used[k] = layer_used(r, k));

	put_head(f, r, "purchase", "instances by purchase option per tier, from timeseries.csv");
	for (long t = 0; t < (long)r->sc->ntiers; t++)
		n += has_tier(r, t) ? 1 : 0;
	size_t npanels = n > 1 ? n + 1 : n;
	cols = npanels <= 3 ? 1 : 2;
	fputs("set ylabel \"instances\"\nset yrange [0:*]\nset style fill solid 1.0 noborder\n", f);
	put_time_axis(f, r, 1, r->sc->horizon);
	/* Every panel stacks the same options: one key, in one row, for all of them. */
	put_page(f, r, "instances by purchase option, stacked (mean over replications)", npanels,
		 cols, nused ? 1 : 0);
	if (npanels == 0)
		fputs("plot NaN notitle\n", f);   /* a run without pools: an empty frame */
	for (size_t i = 0; i < npanels; i++) {
		int first = 1;
		/* Panel i < n is the i-th tier that has series; panel n is every tier. */
		tier = -1;
		for (long t = 0, k = 0; t < (long)r->sc->ntiers && tier < 0; t++)
			if (has_tier(r, t) && (size_t)k++ == i)
				tier = t;
		if (i == 0 && nused)
			put_page_key(f, 1);
		fputs("set title ", f);
		if (tier >= 0)
			put_quotedf(f, "tier %s%s", tier_label(r, tier),
				    r->sc->nregions > 1 ? " (all its regions)" : "");
		else
			put_quoted(f, r->sc->nregions > 1 ? "all tiers and regions" : "all tiers");
		fputs("\nplot ", f);
		if (nused == 0)
			fputs("NaN notitle", f);   /* nothing paid: an empty frame */
		/* The panel's pools (the chains' rows, tier "all", repeat them: left out): the rows
		 * from its first to its last, filtered by tier only if others lie between. */
		size_t lo = r->nseries, hi = 0, count = 0;
		for (size_t s = 0; s < r->nseries; s++)
			if (r->series[s].tier >= 0 && (tier < 0 || r->series[s].tier == tier)) {
				lo = s < lo ? s : lo;
				hi = s;
				count++;
			}
		CAPSIM_ASSERT(count > 0);
		int mixed = count < hi - lo + 1;
		for (size_t top = NLAYERS; top-- > 0;) {
			if (!used[top])
				continue;
			fprintf(f, "%s\"timeseries.csv\" ", first ? "" : ", \\\n     ");
			report_gp_ts_rows(f, r, lo, hi);
			fputs(" using ", f);
			put_time_x(f, r);
			fputs(":(", f);
			first = 0;
			if (mixed && tier >= 0) {
				fprintf(f, "strcol(%d) eq ", TS_COL_TIER);
				put_quoted(f, tier_label(r, tier));
				fputs(" ? ", f);
			} else if (mixed) {
				fprintf(f, "strcol(%d) ne 'all' ? ", TS_COL_TIER);
			}
			for (size_t k = 0, any = 0; k <= top; k++)
				if (used[k])
					fprintf(f, "%s$%d", any++ ? " + " : "", ts_col(layers[k].field));
			fprintf(f, "%s) skip 1 smooth frequency with filledcurves x1 "
				"lc rgb \"%s\" title \"%s\"", mixed ? " : NaN" : "", layers[top].rgb,
				layers[top].title);
		}
		fputc('\n', f);
		if (i == 0 && nused)
			fputs("unset key\n", f);
	}
	fputs("unset multiplot\n", f);
}

/* "$25,000" or "$1,234.50": cents only when there are some. */
static void usd(char *buf, size_t len, double x)
{
	if (!isfinite(x) || x < 0 || len < 2) {
		snprintf(buf, len, "$%g", x);
		return;
	}
	buf[0] = '$';
	report_grouped(buf + 1, len - 1, x, fmod(x, 1.0) == 0.0 ? 0 : 2);
}

/* The highest monthly P90: the top of the bill's band. */
static double bill_p90_max(const struct run_result *r)
{
	double hi = 0;
	for (size_t m = 0; m < r->nbills; m++)
		if (r->bills[m].p90 > hi)
			hi = r->bills[m].p90;
	return hi;
}

/* The share of a month that the last month of the bill covers: 1 when whole. */
static double last_month_share(const struct run_result *r)
{
	return r->nbills ? r->sc->horizon / SCENARIO_MONTH - (double)(r->nbills - 1) : 1.0;
}

/* The top of the budget line as drawn: the budget over whole months, its share over a partial
 * last month (bill_script), so a run of one partial month draws only the share: a 3-hour
 * run's $10 of a $2,500 budget, not the $2,500. */
static double budget_top(const struct run_result *r)
{
	double b = r->sc->budget_monthly;
	return r->nbills == 1 ? b * fmin(last_month_share(r), 1.0) : b;
}

/* Whether the budget line is drawn within the bill's axis: when its top is at most twice the
 * highest P90. Far above, it would flatten the bill (and its growth) onto the floor. */
static int budget_on_axis(const struct run_result *r)
{
	return r->sc->budget_monthly > 0 && budget_top(r) <= 2 * bill_p90_max(r);
}

/* The bill's y axis in grouped dollars ("$0", "$5,000", ... "$30,000"; cents when the step
 * has them), its tics chosen here: gnuplot's own "%s%c" mantissa format mixes "$500.0" with
 * "$1.5k". The step is the first of 1, 2, 2.5, 5 × 10^k at least a sixth of the top (the
 * highest P90, or the budget when budget_on_axis), the axis ends at the first tic 5% above
 * the top. */
static void bill_axis(FILE *f, const struct run_result *r)
{
	double top = bill_p90_max(r);
	if (budget_on_axis(r) && budget_top(r) > top)
		top = budget_top(r);
	if (!(top > 0) || !isfinite(top)) {
		fputs("set format y \"$%g\"\nset yrange [0:*]\n", f);
		return;
	}
	static const double nice[] = { 1, 2, 2.5, 5, 10 };
	double raw = top / 6, mag = pow(10, floor(log10(raw))), step = 10 * mag;
	for (size_t i = 0; i < sizeof nice / sizeof nice[0]; i++)
		if (nice[i] * mag >= raw) {
			step = nice[i] * mag;
			break;
		}
	double n = ceil(top * 1.05 / step);
	int cents = fmod(step, 1.0) != 0.0;
	fprintf(f, "set yrange [0:%.10g]\nset ytics (", n * step);
	for (double i = 0; i <= n; i++) {
		char buf[64];
		report_grouped(buf, sizeof buf, i * step, cents ? 2 : 0);
		fprintf(f, "%s\"$%s\" %.10g", i > 0 ? ", " : "", buf, i * step);
	}
	fputs(")\n", f);
}

/* A span of time as a reader says it: "30 days", "1 day", "3 h", "45 min" (3 digits). */
static void time_span(char *buf, size_t len, double s)
{
	if (s >= DAY - 0.5)
		snprintf(buf, len, "%.3g day%s", s / DAY, fabs(s - DAY) < 0.5 ? "" : "s");
	else if (s >= HOUR - 0.5)
		snprintf(buf, len, "%.3g h", s / HOUR);
	else
		snprintf(buf, len, "%.3g min", s / MINUTE);
}

/* The whole bill per month from bill.csv: the mean with the band from P10 to P90 across
 * replications, and the budget. One month has no band to draw: a bar with an error bar. The
 * last month is partial when the horizon is not whole months; the axis says so, lest its
 * smaller bill read as a saving. */
static void bill_script(FILE *f, const struct run_result *r)
{
	const struct scenario *sc = r->sc;
	size_t n = r->nbills, step = n > 24 ? (n + 23) / 24 : 1;
	double last = last_month_share(r);
	/* 1e-9 of a month is 2.6 ms: below it the month is whole, whatever the rounding. */
	int partial = n && last < 1.0 - 1e-9;

	put_head(f, r, "bill", "the monthly bill with its P10-P90 band, from " BILL_CSV);
	fputs("set xlabel ", f);
	if (partial) {
		char span[48];
		time_span(span, sizeof span, last * SCENARIO_MONTH);
		fprintf(f, "\"month (730 h each; month %zu is partial: %s)\"\n", n, span);
	} else {
		fputs("\"month (730 h each)\"\n", f);
	}
	/* What each month was billed: a partial month's bill is not a month's cost, and "USD per
	 * month" over a 3-hour run's $7 would read as $7 a month. */
	fprintf(f, "set ylabel \"USD billed in each month\"\nset xrange [0.5:%zu.5]\n"
		"set xtics %zu\n", n ? n : 1, step);
	/* Below the plot: beside it, the budget's long entry took half the page's width. The
	 * bottom margin holds the x label and two lines of key (gnuplot's own overlaps them). */
	fputs("set key below center horizontal reverse Left\nset bmargin 6\n", f);
	bill_axis(f, r);
	fputs("set title ", f);
	put_quotedf(f, "%s: monthly bill, mean and P10-P90 across %" PRIu64 " replication%s",
		    sc->name, r->reps, r->reps == 1 ? "" : "s");
	fputs(" font \",12\"\n", f);
	if (n == 0) {
		fputs("plot NaN notitle\n", f);   /* a run without months: an empty frame */
		return;
	}
	if (n == 1) {
		/* The figures in the key: a band of a few dollars on an axis of thousands is too
		 * narrow to see, and its width is what the reader came for. */
		const struct run_bill *b = &r->bills[0];
		char mean[64], lo[64], hi[64];
		usd(mean, sizeof mean, b->mean);
		usd(lo, sizeof lo, b->p10);
		usd(hi, sizeof hi, b->p90);
		fprintf(f, "set style fill solid 0.35 noborder\nset boxwidth 0.5\n"
			"plot \"" BILL_CSV "\" using 1:2 skip 1 with boxes lc rgb \"#6baed6\" "
			"title \"mean %s\", \\\n"
			"     \"" BILL_CSV "\" using 1:2:3:5 skip 1 with yerrorbars lw 2 pt 7 ps 1.2 "
			"lc rgb \"#08519c\" title \"P10-P90 across replications: %s to %s\"",
			mean, lo, hi);
	} else {
		fputs("set style fill solid 0.35 noborder\n"
		      "plot \"" BILL_CSV "\" using 1:3:5 skip 1 with filledcurves "
		      "lc rgb \"#6baed6\" title \"P10-P90 across replications\", \\\n"
		      "     \"" BILL_CSV "\" using 1:2 skip 1 with linespoints lw 2 pt 7 "
		      "lc rgb \"#08519c\" title \"mean\"", f);
	}
	if (sc->budget_monthly > 0) {
		/* A partial last month is judged against its share of the budget, as the
		 * summary's months over budget are: the line steps down over it. */
		char buf[64], share[128] = "", part[64];
		usd(buf, sizeof buf, sc->budget_monthly);
		if (partial) {
			usd(part, sizeof part, round(sc->budget_monthly * last * 100) / 100);
			snprintf(share, sizeof share, ", its share for the partial month %s", part);
		}
		fprintf(f, ", \\\n     (x >= %zu.5 ? %.10g : %.10g) with lines lw 2 dt 2 lc rgb \"red\" "
			"title \"budget %s per month%s%s\"", n - 1, sc->budget_monthly * last,
			sc->budget_monthly, buf, share,
			budget_on_axis(r) ? "" : " (far above the axis)");
	}
	fputc('\n', f);
}

/* Writes one script of dir atomically; err gets "PATH: cause". */
static int write_script(const struct run_result *r, const char *dir, const char *name,
			void (*script)(FILE *, const struct run_result *), char *err, size_t errlen)
{
	char *path = join(dir, name, ".gp");
	struct afile a;
	int rc;

	if (!path) {
		report_set_err(err, errlen, "%s: %s", dir, capsim_strerror(CAPSIM_ENOMEM));
		return CAPSIM_ENOMEM;
	}
	rc = afile_open(&a, path);
	if (rc == 0) {
		script(a.f, r);
		rc = afile_commit(&a);
	}
	if (rc)
		report_set_err(err, errlen, "%s: %s", path,
			rc == CAPSIM_ENOMEM ? capsim_strerror(rc) : strerror(errno));
	free(path);
	return rc;
}

int report_plot_scripts(const struct run_result *r, const char *dir, char *err, size_t errlen)
{
	static void (*const scripts[REPORT_NPLOTS])(FILE *, const struct run_result *) = {
		demand_script, instances_script, latency_script, cost_script, purchase_script,
		bill_script,
	};
	char *path = join(dir, COST_DAILY_CSV, "");
	int rc;

	if (!path) {
		report_set_err(err, errlen, "%s: %s", dir, capsim_strerror(CAPSIM_ENOMEM));
		return CAPSIM_ENOMEM;
	}
	rc = report_cost_daily_csv(r, path, err, errlen);
	free(path);
	for (int i = 0; rc == 0 && i < REPORT_NPLOTS; i++)
		rc = write_script(r, dir, report_plot_names[i], scripts[i], err, errlen);
	return rc;
}

/* The line of gnuplot's error output that names the script and line ("\"x.gp\" line 12:
 * ...") and is not a warning, else its first non-blank line: gnuplot echoes the failing
 * command and a caret before the message, and warnings may come first. */
struct errline {
	char first[256];       /* first non-blank line */
	char located[256];     /* first such line with " line " after a quoted name */
	char cur[256];
	size_t n;
};

static void errline_put(struct errline *e, char c)
{
	if (c != '\n') {
		if (e->n + 1 < sizeof e->cur)
			e->cur[e->n++] = c;
		return;
	}
	e->cur[e->n] = '\0';
	if (e->n > 0 && strspn(e->cur, " \t^") < e->n) {
		if (!e->first[0])
			memcpy(e->first, e->cur, e->n + 1);
		if (!e->located[0] && e->cur[0] == '"' && strstr(e->cur, "\" line ") &&
		    !strstr(e->cur, ": warning:"))
			memcpy(e->located, e->cur, e->n + 1);
	}
	e->n = 0;
}

static int render_one(const char *dir, const char *name, char *err, size_t errlen)
{
	char script[64], outarg[96];
	/* A name of our own beside the PNG (mkstemp): two capsims drawing into one folder at
	 * once must not write, or rename away, each other's partial file. */
	char *tmp = join(dir, name, ".png.XXXXXX"), *png = join(dir, name, ".png");
	char *const argv[] = { "gnuplot", "-e", outarg, script, NULL };
	posix_spawn_file_actions_t fa;
	struct errline e = { .n = 0 };
	int pfd[2] = { -1, -1 }, rc = 0, src, status;
	pid_t pid;
	ssize_t got;
	char buf[512];

	snprintf(script, sizeof script, "%s.gp", name);
	if (!tmp || !png) {
		rc = CAPSIM_ENOMEM;
		goto out;
	}
	int tfd = mkstemp(tmp);
	if (tfd < 0) {
		report_set_err(err, errlen, "%s: %s", png, strerror(errno));
		free(tmp);
		tmp = NULL;   /* nothing of ours to unlink */
		rc = CAPSIM_EIO;
		goto out;
	}
	/* mkstemp made it 0600; gnuplot would have created it 0666 less the umask (one thread
	 * runs here, after the simulation, so the umask round trip races with nothing). */
	mode_t mask = umask(022);
	umask(mask);
	fchmod(tfd, 0666 & ~mask);
	close(tfd);
	/* mkstemp's letters and digits need no escaping inside the single quotes. */
	snprintf(outarg, sizeof outarg, "outfile='%s'", strrchr(tmp, '/') + 1);
	if (pipe2(pfd, O_CLOEXEC) != 0) {
		report_set_err(err, errlen, "gnuplot: pipe: %s", strerror(errno));
		rc = CAPSIM_EIO;
		goto out;
	}
	if ((src = posix_spawn_file_actions_init(&fa)) != 0) {
		rc = src == ENOMEM ? CAPSIM_ENOMEM : CAPSIM_EIO;
		goto out;
	}
	/* gnuplot runs in dir (its scripts name their CSVs relatively), reads nothing from us,
	 * prints nothing of use on stdout, and its stderr comes back through the pipe. */
	src = posix_spawn_file_actions_addchdir_np(&fa, dir);
	if (!src)
		src = posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	if (!src)
		src = posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	if (!src)
		src = posix_spawn_file_actions_adddup2(&fa, pfd[1], 2);
	if (!src)
		src = posix_spawnp(&pid, "gnuplot", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(pfd[1]);
	pfd[1] = -1;
	if (src == ENOENT) {
		report_set_err(err, errlen, "gnuplot: not found on PATH (Debian package gnuplot-nox)");
		rc = CAPSIM_ENOTFOUND;
		goto out;
	}
	if (src) {
		report_set_err(err, errlen, "gnuplot: %s", strerror(src));
		rc = src == ENOMEM ? CAPSIM_ENOMEM : CAPSIM_EIO;
		goto out;
	}

	while ((got = read(pfd[0], buf, sizeof buf)) != 0) {
		if (got < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (ssize_t i = 0; i < got; i++)
			errline_put(&e, buf[i]);
	}
	errline_put(&e, '\n');
	close(pfd[0]);   /* after a read error, a gnuplot still writing gets SIGPIPE instead of blocking the wait */
	pfd[0] = -1;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			status = -1;
			break;
		}
	if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		const char *line = e.located[0] ? e.located : e.first[0] ? e.first : NULL;
		if (line)
			report_set_err(err, errlen, "%s/%s: gnuplot: %s", dir, script, line);
		else if (status != -1 && WIFSIGNALED(status))
			report_set_err(err, errlen, "%s/%s: gnuplot killed by signal %d", dir, script,
				WTERMSIG(status));
		else
			report_set_err(err, errlen, "%s/%s: gnuplot failed", dir, script);
		rc = CAPSIM_EIO;
		goto out;
	}
	if (rename(tmp, png) != 0) {
		report_set_err(err, errlen, "%s: %s", png, strerror(errno));
		rc = CAPSIM_EIO;
	}

out:
	if (rc == CAPSIM_ENOMEM)
		report_set_err(err, errlen, "%s", capsim_strerror(rc));
	if (rc && tmp)
		unlink(tmp);
	if (pfd[0] >= 0)
		close(pfd[0]);
	if (pfd[1] >= 0)
		close(pfd[1]);
	free(tmp);
	free(png);
	return rc;
}

/* Checked before gnuplot runs in dir: a failed chdir in the child would read as ENOENT,
 * "no gnuplot". */
static int check_dir(const char *dir, char *err, size_t errlen)
{
	struct stat st;
	if (stat(dir, &st) != 0) {
		report_set_err(err, errlen, "%s: %s", dir, strerror(errno));
		return CAPSIM_EIO;
	}
	if (!S_ISDIR(st.st_mode)) {
		report_set_err(err, errlen, "%s: %s", dir, strerror(ENOTDIR));
		return CAPSIM_EIO;
	}
	return 0;
}

int report_plot_render(const char *dir, char *err, size_t errlen)
{
	int rc = check_dir(dir, err, errlen);
	for (int i = 0; rc == 0 && i < REPORT_NPLOTS; i++)
		rc = render_one(dir, report_plot_names[i], err, errlen);
	return rc;
}

int report_plot_render_one(const char *dir, const char *name, char *err, size_t errlen)
{
	int rc = check_dir(dir, err, errlen);
	return rc ? rc : render_one(dir, name, err, errlen);
}
