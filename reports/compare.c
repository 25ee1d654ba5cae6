/* Two runs side by side (capsim compare): the text table, compare.csv and the JSON. */
#include "reports/report.h"

#include <cJSON.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "models/compare.h"
#include "sim/error.h"

/* "B higher", "B lower" or "" as the row's interval says. */
static const char *says(const struct compare_row *r)
{
	return r->sign > 0 ? "B higher" : r->sign < 0 ? "B lower" : "";
}

/* A difference in the row's unit, signed: "+$12.34", "-0.0331 pp" (percentage points of a
 * fraction), "+0.012 s", "-1,234"; "-" for NaN. */
static void fmt_diff(char *buf, size_t len, const struct compare_row *r, double x)
{
	enum report_style st = report_style_of(r->unit);
	if (isnan(x)) {
		snprintf(buf, len, "-");
		return;
	}
	/* No sign on a zero, as report_fmt_signed has it: "0 pp", not "+0 pp". */
	if (x == 0 && st != REPORT_USD && st != REPORT_COUNT) {
		snprintf(buf, len, "0%s", st == REPORT_PCT ? " pp" : st == REPORT_SECONDS ? " s" : "");
		return;
	}
	if (st == REPORT_PCT) {
		snprintf(buf, len, "%+.3g pp", 100.0 * x);
		return;
	}
	if (st == REPORT_SECONDS) {
		snprintf(buf, len, "%+.3g s", x);
		return;
	}
	if (st == REPORT_PLAIN) {
		snprintf(buf, len, "%+.3g", x);
		return;
	}
	report_fmt_signed(buf, len, st, r->unit, x, 2, 1);
}

/* One row of the table: label, A, B, B − A, its interval and what it says. */
static void row(FILE *out, const struct compare_row *r, const char *label)
{
	enum report_style st = report_style_of(r->unit);
	int dec = report_pct_decimals(fmin(r->a.mean, r->b.mean));
	char a[64], b[64], d[64], lo[64], hi[64], ci[160] = "";
	report_fmt(a, sizeof a, st, r->unit, r->a.mean, dec);
	report_fmt(b, sizeof b, st, r->unit, r->b.mean, dec);
	fmt_diff(d, sizeof d, r, r->diff.mean);
	if (!isnan(r->diff.low) && !isnan(r->diff.high)) {
		fmt_diff(lo, sizeof lo, r, r->diff.low);
		fmt_diff(hi, sizeof hi, r, r->diff.high);
		snprintf(ci, sizeof ci, "[%s, %s]", lo, hi);
	}
	if (strlen(label) > 22) {
		report_label_line(out, label);
		label = "";
	}
	report_line(out, "%-22s %12s %12s %12s  %-*s %s", label, a, b, d, report_pad(ci, 26), ci,
	     says(r));
}

/* The row named name (printf-style), if both runs have it. */
static const struct compare_row *find(const struct report_compare *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static const struct compare_row *find(const struct report_compare *c, const char *fmt, ...)
{
	char name[RUN_METRIC_NAME_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(name, sizeof name, fmt, ap);
	va_end(ap);
	return compare_find(c->rows, c->nrows, name);
}

static void row_if(FILE *out, const struct compare_row *r, const char *label)
{
	if (r)
		row(out, r, label);
}

/* A row shown only where one of the runs has something in it. */
static void nonzero_row(FILE *out, const struct compare_row *r, const char *label)
{
	if (r && (r->a.mean != 0 || r->b.mean != 0))
		row(out, r, label);
}

/* Whether scenario sc has the tier (kind "tier") or region ("region") called name. */
static int has_part(const struct scenario *sc, const char *kind, const char *name)
{
	int tier = strcmp(kind, "tier") == 0;
	size_t n = tier ? sc->ntiers : sc->nregions;
	for (size_t i = 0; i < n; i++)
		if (strcmp(tier ? sc->tiers[i].name : sc->regions[i].name, name) == 0)
			return 1;
	return 0;
}

/* The rows "cost.KIND.NAME" (kind "tier" or "region"): A's parts first, then those only B
 * has (0 in A: compare_runs). */
static void cost_parts(FILE *out, const struct report_compare *c, const char *kind,
		       const char *indent)
{
	char prefix[16];
	size_t n = (size_t)snprintf(prefix, sizeof prefix, "cost.%s.", kind);
	for (int only_b = 0; only_b < 2; only_b++)
		for (size_t i = 0; i < c->nrows; i++) {
			const char *name = c->rows[i].name + n;
			if (strncmp(c->rows[i].name, prefix, n) != 0 ||
			    has_part(c->a->sc, kind, name) == only_b)
				continue;
			char label[RUN_METRIC_NAME_MAX];
			snprintf(label, sizeof label, "%s%s", indent, name);
			row(out, &c->rows[i], label);
		}
}

/* "30 days (step 1 min)". */
static void fmt_horizon(char *buf, size_t len, const struct scenario *sc)
{
	char h[48], st[48];
	report_fmt_duration(h, sizeof h, sc->horizon);
	report_fmt_duration(st, sizeof st, sc->step);
	snprintf(buf, len, "%s (step %s)", h, st);
}

/* A target's verdict for both runs: "met", "missed", "uncertain" (report_verdict). */
static void target_row(FILE *out, const char *label, const struct compare_row *r,
		       double target, int higher_is_better)
{
	if (!r)
		return;
	report_line(out, "%-34s %-12s %s", label, report_verdict(&r->a, target, higher_is_better),
	     report_verdict(&r->b, target, higher_is_better));
}

/* The same for every region's users (report_latency_verdict). */
static void latency_target_row(FILE *out, const char *label, const struct report_compare *c,
			       const char *name, double target)
{
	report_line(out, "%-34s %-12s %s", label, report_latency_verdict(c->a, name, target),
	     report_latency_verdict(c->b, name, target));
}

int report_compare_text(const struct report_compare *c, FILE *out)
{
	const struct scenario *sa = c->a->sc, *sb = c->b->sc;
	char ha[64], hb[64], name[64], label[RUN_METRIC_NAME_MAX];
	fmt_horizon(ha, sizeof ha, sa);
	fmt_horizon(hb, sizeof hb, sb);
	fprintf(out, "A          %s (%s), %s\n", sa->name, c->path_a, ha);
	fprintf(out, "B          %s (%s), %s\n", sb->name, c->path_b, hb);
	fprintf(out, "runs       %" PRIu64 " replication%s each, seed %" PRIu64 ": the same random "
		"numbers, so B - A is paired\n           replication by replication\n",
		c->a->reps, c->a->reps == 1 ? "" : "s", c->a->seed);
	if (sa->horizon != sb->horizon)
		fprintf(out, "note       the horizons differ: figures over the horizon (cost over the "
			"horizon and its\n           parts, requests, instance hours, scaling actions) "
			"do not compare; those\n           per month or per year, fractions and "
			"latencies do\n");
	fputc('\n', out);
	report_line(out, "%-22s %12s %12s %12s  %s", "", "A", "B", "B - A", "95% interval of B - A");

	double pct = report_slo_percentile(sa);
	snprintf(name, sizeof name, "latency_p%g", pct);
	row_if(out, find(c, "availability"), "availability");
	snprintf(label, sizeof label, "p%g latency", pct);
	row_if(out, find(c, "%s", name), label);
	for (size_t g = 0; g < sa->nregions; g++) {
		snprintf(label, sizeof label, "  in %s", sa->regions[g].name);
		row_if(out, find(c, "%s.region.%s", name, sa->regions[g].name), label);
	}
	snprintf(label, sizeof label, "p%g of all requests", pct);
	row_if(out, find(c, "%s_overall", name), label);
	row_if(out, find(c, "latency_slo_steps"), "steps meeting latency");
	row_if(out, find(c, "error_budget_burn"), "error-budget burn");
	row_if(out, find(c, "requests_failed"), "requests failed");
	row_if(out, find(c, "downtime_per_year"), "downtime per year");
	fputc('\n', out);
	row_if(out, find(c, "cost_monthly"), "cost per month");
	/* The parts, as the run's summary gives them: over the horizon (cost_total), the
	 * instances by tier and by region, then what is not instances. */
	row_if(out, find(c, "cost_total"), "cost over the horizon");
	cost_parts(out, c, "tier", "  tier ");
	cost_parts(out, c, "region", "  in ");
	nonzero_row(out, find(c, "cost.network"), "  network transfer");
	nonzero_row(out, find(c, "cost.dr.replication"), "  DR replication");
	nonzero_row(out, find(c, "cost.dr.backup_storage"), "  DR backup storage");
	nonzero_row(out, find(c, "cost.option.unused_commitment"), "  unused commitments");
	row_if(out, find(c, "cost_per_million"), "cost per million req.");
	row_if(out, find(c, "instance_hours"), "instance hours");
	row_if(out, find(c, "peak_instances"), "peak instances");
	row_if(out, find(c, "scaling_actions"), "scaling actions");
	const struct compare_row *spot = find(c, "spot_interruptions");
	if (spot && (spot->a.mean > 0 || spot->b.mean > 0))
		row(out, spot, "spot interruptions");

	/* Both runs judged on A's targets. */
	int slo = sa->has_slo && (sa->slo.availability > 0 || sa->slo.latency_target > 0);
	if (slo || sa->budget_monthly > 0) {
		fputc('\n', out);
		report_line(out, "%-34s %-12s %s", "targets of A's scenario", "A", "B");
	}
	if (sa->has_slo) {
		snprintf(label, sizeof label, "availability >= %g %%", 100.0 * sa->slo.availability);
		target_row(out, label, find(c, "availability"), sa->slo.availability, 1);
		if (sa->slo.latency_target > 0) {
			snprintf(label, sizeof label, "p%g latency <= %g s", pct,
				 sa->slo.latency_target);
			latency_target_row(out, label, c, name, sa->slo.latency_target);
		}
	}
	if (sa->budget_monthly > 0) {
		char usd[48];
		report_fmt(usd, sizeof usd, REPORT_USD, "USD", sa->budget_monthly, 2);
		snprintf(label, sizeof label, "cost per month <= %s", usd);
		target_row(out, label, find(c, "cost_monthly"), sa->budget_monthly, 0);
	}
	if (sb->has_slo && (!sa->has_slo || sb->slo.availability != sa->slo.availability ||
			    sb->slo.latency_target != sa->slo.latency_target ||
			    report_slo_percentile(sb) != pct))
		fprintf(out, "%s(B's own SLO differs from A's: B's report in b/ gives its verdicts)\n",
			slo || sa->budget_monthly > 0 ? "" : "\n");
	fprintf(out, "\nB higher / B lower: the whole 95%% interval of the paired difference is "
		"above / below 0;\nblank: these replications cannot tell A and B apart on that "
		"figure. pp: percentage points.\n");
	return ferror(out) ? CAPSIM_EIO : 0;
}

static const char *verdict_word(const struct compare_row *r)
{
	/* One replication has no interval: nothing to say either way. */
	if (!(isfinite(r->diff.low) && isfinite(r->diff.high)))
		return "unknown";
	return r->sign > 0 ? "b_higher" : r->sign < 0 ? "b_lower" : "no_difference";
}

static int compare_rows(FILE *f, const void *ctx)
{
	const struct report_compare *c = ctx;
	fputs("metric,unit,a_mean,a_ci95_low,a_ci95_high,b_mean,b_ci95_low,b_ci95_high,"
	      "diff_mean,diff_ci95_low,diff_ci95_high,verdict\n", f);
	for (size_t i = 0; i < c->nrows; i++) {
		const struct compare_row *r = &c->rows[i];
		const double v[9] = { r->a.mean, r->a.ci95_low, r->a.ci95_high,
				      r->b.mean, r->b.ci95_low, r->b.ci95_high,
				      r->diff.mean, r->diff.low, r->diff.high };
		report_put_str(f, r->name);
		fputc(',', f);
		report_put_str(f, r->unit);
		for (int k = 0; k < 9; k++) {
			fputc(',', f);
			report_put_num(f, v[k]);
		}
		fputc(',', f);
		report_put_str(f, verdict_word(r));
		fputc('\n', f);
	}
	return 0;
}

int report_compare_csv(const struct report_compare *c, const char *path, char *err,
		       size_t errlen)
{
	return report_write_file(path, compare_rows, c, err, errlen);
}

/* The highest cost of a day in r's cost_daily.csv, all its rows summed (what the plot draws
 * for the day). 0 when there is none. */
static double daily_top(const struct run_result *r)
{
	size_t ndays, ncell = r->sc->ntiers * r->sc->nregions;
	double *cost, *net, top = 0;
	if (report_cost_by_day(r, &cost, &net, &ndays) < 0)
		return 0;
	for (size_t d = 0; d < ndays; d++) {
		double day = 0;
		for (size_t s = 0; s < r->nseries; s++)
			day += cost[d * r->nseries + s];
		for (size_t c = 0; r->network && c < ncell; c++)
			day += net[d * ncell + c];
		top = fmax(top, day);
	}
	free(cost);
	free(net);
	return top;
}

/* The line colour of region name: its place among A's regions, then B's not in A, so that a
 * region both designs have is drawn in the same colour in both (and no two differ only by
 * their dashes). */
static size_t region_colour(const struct scenario *sa, const struct scenario *sb,
			    const char *name)
{
	size_t k = 0;
	for (size_t g = 0; g < sa->nregions; g++, k++)
		if (strcmp(sa->regions[g].name, name) == 0)
			return k + 1;
	for (size_t g = 0; g < sb->nregions; g++) {
		size_t h = 0;
		while (h < sa->nregions && strcmp(sa->regions[h].name, sb->regions[g].name) != 0)
			h++;
		if (h < sa->nregions)
			continue;
		if (strcmp(sb->regions[g].name, name) == 0)
			return k + 1;
		k++;
	}
	return k + 1;
}

/* The day-by-day instance cost of A and B (their cost_daily.csv, summed over pools), and
 * each region's end-to-end percentile over time from their timeseries.csv: A solid, B
 * dashed in the region's colour. */
static int compare_plot(FILE *f, const void *ctx)
{
	const struct report_compare *c = ctx;
	const struct scenario *sa = c->a->sc, *sb = c->b->sc;
	double pct = report_slo_percentile(sa);
	double target = sa->has_slo ? sa->slo.latency_target : 0;
	double days = ceil(fmax(sa->horizon, sb->horizon) / 86400.0);
	char title[512];
	report_gp_head(f, sa->name, "compare", "A's and B's cost per day and latency over time, "
		       "from a/ and b/");
	/* The same margins for both panels, so that their days line up. */
	fputs("set multiplot layout 2,1\nset lmargin at screen 0.07\n"
	      "set rmargin at screen 0.84\n", f);
	snprintf(title, sizeof title, "cost per day of the instances%s (mean over replications): "
		 "A = %s, B = %s", c->a->network || c->b->network ? " and network transfer" : "",
		 sa->name, sb->name);
	fputs("set title ", f);
	report_gp_quote(f, title);
	char wa[128], wb[128];
	double oa = report_unshown_monthly(c->a, wa, sizeof wa);
	double ob = report_unshown_monthly(c->b, wb, sizeof wb);
	if (oa > 0 || ob > 0) {
		char ua[48], ub[48];
		report_fmt(ua, sizeof ua, REPORT_USD, "USD", oa, 2);
		report_fmt(ub, sizeof ub, REPORT_USD, "USD", ob, 2);
		/* Either's parts: both when they differ ("DR data" in A, none in B). */
		const char *what = strlen(wa) >= strlen(wb) ? wa : wb;
		if (oa > 0 && ob > 0 && strcmp(wa, wb) != 0)
			what = "unused commitments and DR data";
		snprintf(title, sizeof title, "time (days); not shown: %s (A) and %s (B) a month of "
			 "%s", ua, ub, what);
	} else {
		snprintf(title, sizeof title, "time (days)");
	}
	fputs(" font \",12\"\nset xlabel ", f);
	report_gp_quote(f, title);
	fprintf(f, "\nset ylabel \"USD per day\"\nset xrange [0:%.10g]\n", days);
	/* Room above the dearest day for the lines' points. */
	report_gp_usd_axis(f, "y", 0, 1.05 * fmax(daily_top(c->a), daily_top(c->b)), 1);
	fputs("plot \"a/cost_daily.csv\" using ($1 + 0.5):4 skip 1 smooth frequency with "
	      "linespoints lw 2 pt 7 lc rgb \"black\" title \"A\", \\\n"
	      "     \"b/cost_daily.csv\" using ($1 + 0.5):4 skip 1 smooth frequency with "
	      "linespoints lw 2 pt 6 dt 2 lc rgb \"orange-red\" title \"B\"\n", f);
	snprintf(title, sizeof title, "p%g end-to-end response time per region (mean over "
		 "replications): A solid, B dashed", pct);
	fputs("set title ", f);
	report_gp_quote(f, title);
	fprintf(f, " font \",12\"\nset xlabel \"time (days)\"\n"
		"set ylabel \"p%g response time (s)\"\nset ytics autofreq\n", pct);
	/* The target behind the lines, thinner, grey and dash-dotted: a region's p99 that runs
	 * along it (B's us-east-1 at 0.61 s against 0.6 s) must stay visible over it. An arrow
	 * is no part of the autoscaling: the axis reaches above it all the same. */
	if (target > 0)
		fprintf(f, "set yrange [0:%.10g<*]\nset arrow 1 from graph 0, first %.10g to graph 1, "
			"first %.10g nohead back lw 1 dt 4 lc rgb \"#555555\"\n", 1.05 * target,
			target, target);
	else
		fputs("set yrange [0:*]\n", f);
	fputs("plot ", f);
	int first = 1;
	for (int side = 0; side < 2; side++) {
		const struct run_result *r = side ? c->b : c->a;
		for (size_t s = 0; s < r->nseries; s++) {
			/* Each region's chain: tier "all". */
			if (r->series[s].tier >= 0)
				continue;
			size_t g = r->series[s].region;
			char label[160];
			fprintf(f, "%s\"%s/timeseries.csv\" ", first ? "" : ", \\\n     ",
				side ? "b" : "a");
			report_gp_ts_rows(f, r, s, s);
			fprintf(f, " using ($2 + %.10g):($%d) skip 1 with lines lw 2 dt %d lc %zu "
				"title ", r->bucket / 2.0 / 86400.0, 5 + (int)RUN_TS_P99, side ? 2 : 1,
				region_colour(sa, sb, r->sc->regions[g].name));
			snprintf(label, sizeof label, "%s %s", side ? "B" : "A", r->sc->regions[g].name);
			report_gp_quote(f, label);
			first = 0;
		}
	}
	if (target > 0)
		fprintf(f, "%sNaN with lines lw 1 dt 4 lc rgb \"#555555\" title \"SLO target %g s\"",
			first ? "" : ", \\\n     ", target);
	else if (first)
		fputs("NaN notitle", f);
	fputs("\nunset multiplot\n", f);
	return 0;
}

int report_compare_script(const struct report_compare *c, const char *dir, char *err,
			  size_t errlen)
{
	char path[4200];
	snprintf(path, sizeof path, "%s/compare.gp", dir);
	return report_write_file(path, compare_plot, c, err, errlen);
}

/* {"mean", "ci95_low", "ci95_high"} under key, NULL on failure. */
static cJSON *interval(cJSON *o, const char *key, double mean, double lo, double hi)
{
	cJSON *x = cJSON_AddObjectToObject(o, key);
	if (!x || !cJSON_AddNumberToObject(x, "mean", mean) ||
	    !cJSON_AddNumberToObject(x, "ci95_low", lo) ||
	    !cJSON_AddNumberToObject(x, "ci95_high", hi))
		return NULL;
	return x;
}

/* {"name", "path"} of one side. */
static int side(cJSON *root, const char *key, const struct run_result *r, const char *path)
{
	cJSON *o = cJSON_AddObjectToObject(root, key);
	return o && cJSON_AddStringToObject(o, "scenario", r->sc->name) &&
	       cJSON_AddStringToObject(o, "scenario_path", path) &&
	       cJSON_AddNumberToObject(o, "horizon_s", r->sc->horizon) &&
	       cJSON_AddNumberToObject(o, "step_s", r->sc->step) ? 0 : -1;
}

/* One of A's targets judged for both runs, as the table's "targets of A's scenario". */
static int target_json(cJSON *targets, const char *name, double value, const char *a,
		       const char *b)
{
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return -1;
	cJSON_AddItemToArray(targets, o);
	return cJSON_AddStringToObject(o, "target", name) &&
	       cJSON_AddNumberToObject(o, "value", value) &&
	       cJSON_AddStringToObject(o, "a", a) && cJSON_AddStringToObject(o, "b", b) ? 0 : -1;
}

/* "targets": [{ "target", "value", "a", "b" }] with "met", "missed" or "uncertain". */
static int targets_json(cJSON *root, const struct report_compare *c)
{
	const struct scenario *sa = c->a->sc;
	const struct compare_row *r;
	char name[64];
	cJSON *t = cJSON_AddArrayToObject(root, "targets");
	if (!t)
		return -1;
	snprintf(name, sizeof name, "latency_p%g", report_slo_percentile(sa));
	if (sa->has_slo && (r = compare_find(c->rows, c->nrows, "availability")) &&
	    target_json(t, "availability", sa->slo.availability,
			report_verdict(&r->a, sa->slo.availability, 1),
			report_verdict(&r->b, sa->slo.availability, 1)))
		return -1;
	if (sa->has_slo && sa->slo.latency_target > 0 &&
	    target_json(t, name, sa->slo.latency_target,
			report_latency_verdict(c->a, name, sa->slo.latency_target),
			report_latency_verdict(c->b, name, sa->slo.latency_target)))
		return -1;
	if (sa->budget_monthly > 0 && (r = compare_find(c->rows, c->nrows, "cost_monthly")) &&
	    target_json(t, "cost_monthly", sa->budget_monthly,
			report_verdict(&r->a, sa->budget_monthly, 0),
			report_verdict(&r->b, sa->budget_monthly, 0)))
		return -1;
	return 0;
}

char *report_compare_json(const struct report_compare *c)
{
	cJSON *root = cJSON_CreateObject(), *rows;
	char seed[24], *text = NULL;
	if (!root)
		return NULL;
	snprintf(seed, sizeof seed, "%" PRIu64, c->a->seed);
	if (side(root, "a", c->a, c->path_a) || side(root, "b", c->b, c->path_b) ||
	    !cJSON_AddRawToObject(root, "seed", seed) ||   /* exact, as run's */
	    !cJSON_AddNumberToObject(root, "replications", (double)c->a->reps) ||
	    targets_json(root, c) || !(rows = cJSON_AddArrayToObject(root, "metrics")))
		goto out;
	for (size_t i = 0; i < c->nrows; i++) {
		const struct compare_row *r = &c->rows[i];
		cJSON *o = cJSON_CreateObject();
		if (!o)
			goto out;
		cJSON_AddItemToArray(rows, o);
		if (!cJSON_AddStringToObject(o, "metric", r->name) ||
		    !cJSON_AddStringToObject(o, "unit", r->unit) ||
		    !interval(o, "a", r->a.mean, r->a.ci95_low, r->a.ci95_high) ||
		    !interval(o, "b", r->b.mean, r->b.ci95_low, r->b.ci95_high) ||
		    !interval(o, "diff", r->diff.mean, r->diff.low, r->diff.high) ||
		    !cJSON_AddStringToObject(o, "verdict", verdict_word(r)))
			goto out;
	}
	text = cJSON_Print(root);
out:
	cJSON_Delete(root);
	return text;
}

static int compare_text(FILE *f, const void *ctx)
{
	return report_compare_text(ctx, f);
}

int report_compare_markdown(const struct report_compare *c, const char *dir, int plot,
			    char *err, size_t errlen)
{
	static const char *const plots[] = { "compare" };
	static const char *const captions[] = { "Cost per day and latency over time" };
	struct report_page p = {
		.title = "capsim compare", .text = compare_text, .ctx = c, .plots = plots,
		.captions = captions, .nplots = 1, .drawn = plot,
		.after = "## Each run\n\n"
			 "- A: [a/report.md](a/report.md)\n"
			 "- B: [b/report.md](b/report.md)\n\n"
			 "`compare.csv` holds every figure both runs have: each one's mean and 95% "
			 "interval, the paired difference B - A with its interval, and `b_higher`, "
			 "`b_lower`, `no_difference` or, from one replication, `unknown`.\n",
	};
	return report_page_write(dir, "compare.md", &p, err, errlen);
}
