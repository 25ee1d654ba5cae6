/* The report of `capsim drill`: drill.csv, the drill's plots and its side-by-side summary. */
#include "reports/report.h"

#include <cJSON.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "models/scenario.h"
#include "sim/error.h"

const char *const report_drill_plot_names[REPORT_DRILL_NPLOTS] = { "drill", "timeline",
								     "rto_cdf", "rpo_cdf" };

#define DRILL_CSV "drill.csv"
/* Columns of timeseries.csv (time_s, day, region, tier, then run_ts_name) and of events.csv
 * (replication, time_s, day, region, tier, kind, value, detail), 1-based as gnuplot counts. */
#define TS_COL_TIME 1
#define TS_COL(field) (5 + (int)(field))
#define EV_COL_KIND 6
#define EV_COL_VALUE 7
/* The timeline's window around the first injected outage. */
#define BEFORE 3600.0
#define AFTER 7200.0

/* Tics of a log axis in seconds, named in their units. */
#define TIME_TICS(axis) "set " axis "tics (\"1 s\" 1, \"10 s\" 10, \"1 min\" 60, " \
	"\"10 min\" 600, \"1 h\" 3600, \"10 h\" 36000, \"1 d\" 86400, \"10 d\" 864000)\n"

/* What drill.csv, the text and the JSON say of one strategy; NaN where unknown. */
struct fig {
	double rto_p50, rto_p95, rto_target, rto_met;
	double rpo_p50, rpo_p95, rpo_writes_p50, rpo_writes_p95, rpo_target, rpo_met;
	double failed_mean, failed_lo, failed_hi, availability, cost_monthly, dr_data_monthly;
	double latency, latency_outage; /* s, the SLO's percentile: over the run; of the
					   requests served during the outages (their mean) */
};

static const struct run_stat *stat_of(const struct run_result *r, const char *name)
{
	const struct run_metric *m = run_find_metric(r, name);
	return m ? &m->stat : NULL;
}

static void figures(const struct run_result *r, struct fig *f)
{
	const struct scenario *sc = r->sc;
	const struct run_stat *s;
	double dr_data = 0;
	int any = 0;

	*f = (struct fig){ NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN,
			   NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN };
	if ((s = stat_of(r, "rto"))) {
		f->rto_p50 = s->p50;
		f->rto_p95 = s->p95;
	}
	if (sc->has_dr && sc->dr.rto_target > 0)
		f->rto_target = sc->dr.rto_target;
	if ((s = stat_of(r, "rto_target_met")))
		f->rto_met = s->mean;
	if ((s = stat_of(r, "rpo"))) {
		f->rpo_p50 = s->p50;
		f->rpo_p95 = s->p95;
	}
	if ((s = stat_of(r, "rpo_writes"))) {
		f->rpo_writes_p50 = s->p50;
		f->rpo_writes_p95 = s->p95;
	}
	if (sc->has_dr && sc->dr.has_rpo_target)
		f->rpo_target = sc->dr.rpo_target;
	if ((s = stat_of(r, "rpo_target_met")))
		f->rpo_met = s->mean;
	if ((s = stat_of(r, "requests_failed"))) {
		f->failed_mean = s->mean;
		f->failed_lo = s->ci95_low;
		f->failed_hi = s->ci95_high;
	}
	if ((s = stat_of(r, "availability")))
		f->availability = s->mean;
	char name[64];
	snprintf(name, sizeof name, "latency_p%g", report_slo_percentile(sc));
	if ((s = stat_of(r, name)))
		f->latency = s->mean;
	snprintf(name, sizeof name, "latency_p%g_outage", report_slo_percentile(sc));
	if ((s = stat_of(r, name)))
		f->latency_outage = s->mean;
	if ((s = stat_of(r, "cost_monthly")))
		f->cost_monthly = s->mean;
	/* The DR data costs are totals over the horizon; per month like cost_monthly. */
	if ((s = stat_of(r, "cost.dr.replication"))) {
		dr_data += s->mean;
		any = 1;
	}
	if ((s = stat_of(r, "cost.dr.backup_storage"))) {
		dr_data += s->mean;
		any = 1;
	}
	if (any && sc->horizon > 0)
		f->dr_data_monthly = dr_data * SCENARIO_MONTH / sc->horizon;
}

static const char *strategy_name(const struct drill_run *dr)
{
	return scenario_dr_strategy_name(dr->strategy);
}

/* ---- drill.csv ---- */

static void drill_rows(FILE *f, const struct drill *d)
{
	fputs("strategy,rto_p50_s,rto_p95_s,rto_target_s,rto_target_met,rpo_p50_s,rpo_p95_s,"
	      "rpo_writes_p50,rpo_target_s,rpo_target_met,requests_failed_mean,"
	      "requests_failed_ci95_low,requests_failed_ci95_high,availability,"
	      "cost_monthly_usd,dr_data_cost_monthly_usd,latency_s,latency_outage_s,"
	      "rpo_writes_p95\n", f);
	for (size_t i = 0; i < d->nruns; i++) {
		struct fig g;
		figures(d->runs[i].run, &g);
		const double v[] = { g.rto_p50, g.rto_p95, g.rto_target, g.rto_met, g.rpo_p50,
				     g.rpo_p95, g.rpo_writes_p50, g.rpo_target, g.rpo_met,
				     g.failed_mean, g.failed_lo, g.failed_hi, g.availability,
				     g.cost_monthly, g.dr_data_monthly, g.latency,
				     g.latency_outage, g.rpo_writes_p95 };
		fputs(strategy_name(&d->runs[i]), f);   /* a fixed identifier: no quoting */
		for (size_t k = 0; k < sizeof v / sizeof v[0]; k++) {
			fputc(',', f);
			report_put_num(f, v[k]);
		}
		fputc('\n', f);
	}
}

int report_drill_csv(const struct drill *d, const char *path, char *err, size_t errlen)
{
	struct afile a;
	int rc = afile_open(&a, path);
	if (rc == 0) {
		drill_rows(a.f, d);
		rc = afile_commit(&a);
	}
	if (rc)
		report_set_err(err, errlen, "%s: %s", path,
			rc == CAPSIM_ENOMEM ? capsim_strerror(rc) : strerror(errno));
	return rc;
}

/* ---- words and numbers for people ---- */

/* "29 h", "10 d", "90 min", "45 s": a duration as the scenario would write it, in the
 * largest unit that divides it, else in seconds. */
static void fmt_span(char *buf, size_t len, double s)
{
	if (s >= 86400 && fmod(s, 86400) == 0)
		snprintf(buf, len, "%g d", s / 86400);
	else if (s >= 3600 && fmod(s, 3600) == 0)
		snprintf(buf, len, "%g h", s / 3600);
	else if (s >= 60 && fmod(s, 60) == 0)
		snprintf(buf, len, "%g min", s / 60);
	else
		snprintf(buf, len, "%g s", s);
}

/* An instant from the run's start: as fmt_span below two days ("29 h", "90 min"); from two
 * days whole days and what is left of the day ("10 d 19 h", "3 d 2 h 30 min"), since
 * "259 h" leaves the reader to divide. */
static void fmt_at(char *buf, size_t len, double s)
{
	if (s < 2 * 86400.0 || fmod(s, 86400) == 0) {
		fmt_span(buf, len, s);
		return;
	}
	static const struct { double size; const char *name; } unit[] = {
		{ 86400, "d" }, { 3600, "h" }, { 60, "min" }, { 1, "s" } };
	size_t o = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < sizeof unit / sizeof unit[0] && o < len; i++) {
		double whole = i + 1 < sizeof unit / sizeof unit[0] ? floor(s / unit[i].size)
								      : s / unit[i].size;
		if (whole <= 0)
			continue;
		int n = snprintf(buf + o, len - o, "%s%g %s", o ? " " : "", whole, unit[i].name);
		if (n < 0)
			break;
		o += (size_t)n;
		s -= whole * unit[i].size;
	}
}

/* The injected outages in words: "region p down at 29 h for 1 h; zone p/a ...". */
static void fmt_outages(char *buf, size_t len, const struct scenario *sc)
{
	size_t o = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < sc->failures.nscripted && o < len; i++) {
		const struct scenario_outage *x = &sc->failures.scripted[i];
		char at[32], dur[32];
		fmt_at(at, sizeof at, x->at);
		fmt_span(dur, sizeof dur, x->duration);
		int n;
		if (x->kind == SCENARIO_OUTAGE_ZONE)
			n = snprintf(buf + o, len - o, "%szone %s/%s down at %s for %s",
				     i ? "; " : "", sc->regions[x->region].name,
				     sc->regions[x->region].zones[x->zone], at, dur);
		else
			n = snprintf(buf + o, len - o, "%sregion %s down at %s for %s",
				     i ? "; " : "", sc->regions[x->region].name, at, dur);
		if (n < 0)
			break;
		o += (size_t)n;
	}
}

/* A unit for durations up to x: hours from 2 h, minutes from 2 min, else seconds. */
static double time_unit(double x, const char **name)
{
	if (x >= 7200) {
		*name = "h";
		return 3600;
	}
	if (x >= 120) {
		*name = "min";
		return 60;
	}
	*name = "s";
	return 1;
}

/* A figure in at most 4 significant digits, without a trailing ".0". */
static void fmt_g(char *buf, size_t len, double x)
{
	snprintf(buf, len, "%.3g", x);
	if (strchr(buf, 'e'))
		snprintf(buf, len, "%.0f", x);
}

/* A count for a narrow column: "850", "27.5k", "1.8M". */
static void fmt_count(char *buf, size_t len, double x)
{
	char g[32];
	if (fabs(x) >= 1e9) {
		fmt_g(g, sizeof g, x / 1e9);
		snprintf(buf, len, "%sG", g);
	} else if (fabs(x) >= 1e6) {
		fmt_g(g, sizeof g, x / 1e6);
		snprintf(buf, len, "%sM", g);
	} else if (fabs(x) >= 1e4) {
		fmt_g(g, sizeof g, x / 1e3);
		snprintf(buf, len, "%sk", g);
	} else {
		fmt_g(buf, len, x);
	}
}

#define DASH "\xe2\x80\x94"   /* "—", a figure that is not known */

/* "9 / 11 min": two durations in the unit of the larger; "—" for an unknown one. */
static void fmt_pair_time(char *buf, size_t len, double a, double b)
{
	const char *u;
	char x[32], y[32];
	if (isnan(a) && isnan(b)) {
		snprintf(buf, len, DASH);
		return;
	}
	double unit = time_unit(fmax(isnan(a) ? 0 : a, isnan(b) ? 0 : b), &u);
	if (isnan(a))
		snprintf(x, sizeof x, DASH);
	else
		fmt_g(x, sizeof x, a / unit);
	if (isnan(b))
		snprintf(y, sizeof y, DASH);
	else
		fmt_g(y, sizeof y, b / unit);
	snprintf(buf, len, "%s / %s %s", x, y, u);
}

static void fmt_pair_count(char *buf, size_t len, double a, double b)
{
	char x[32], y[32];
	if (isnan(a) && isnan(b)) {
		snprintf(buf, len, DASH);
		return;
	}
	if (isnan(a))
		snprintf(x, sizeof x, DASH);
	else
		fmt_count(x, sizeof x, a);
	if (isnan(b))
		snprintf(y, sizeof y, DASH);
	else
		fmt_count(y, sizeof y, b);
	snprintf(buf, len, "%s / %s", x, y);
}

static void fmt_time(char *buf, size_t len, double s)
{
	if (isnan(s)) {
		snprintf(buf, len, DASH);
		return;
	}
	const char *u;
	char g[32];
	double unit = time_unit(s, &u);
	fmt_g(g, sizeof g, s / unit);
	snprintf(buf, len, "%.24s %s", g, u);
}

/* A share: "100 %", "50 %", "37.5 %", and near 1 enough decimals to tell it from 1
 * ("99.95 %"). */
static void fmt_pct(char *buf, size_t len, double x)
{
	if (isnan(x)) {
		snprintf(buf, len, DASH);
		return;
	}
	int dec = 1;
	if (x >= 1.0 || x <= 0.0 || fabs(100.0 * x - round(100.0 * x)) < 1e-9)
		dec = 0;
	else if (x > 0.99)
		dec = (int)ceil(-log10((1.0 - x) * 100.0) - 1e-9) + 1;
	dec = dec < 0 ? 0 : dec > 5 ? 5 : dec;
	snprintf(buf, len, "%.*f %%", dec, 100.0 * x);
}

/* "$1,234.56": cents below $10,000, whole dollars above. */
static void fmt_usd(char *buf, size_t len, double x)
{
	char digits[64];
	if (isnan(x)) {
		snprintf(buf, len, DASH);
		return;
	}
	report_grouped(digits, sizeof digits, x, fabs(x) < 1e4 ? 2 : 0);
	/* The sign before the dollar. */
	if (digits[0] == '-')
		snprintf(buf, len, "-$%s", digits + 1);
	else
		snprintf(buf, len, "$%s", digits);
}

/* ---- the text table ---- */

#define WIDTH 100
#define LABEL 26
#define COL 18

/* Appends s to line[0..*len) padded with spaces to `width` columns (cut to width - 1 if
 * longer, at a character boundary). */
static void put_cell(char *line, size_t cap, size_t *len, const char *s, size_t width)
{
	size_t cols = 0;
	for (; *s && *len + 4 < cap; s++) {
		int lead = ((unsigned char)*s & 0xc0) != 0x80;
		if (lead && cols + 1 >= width)
			break;
		cols += (size_t)lead;
		line[(*len)++] = *s;
	}
	/* A cut multi-byte character would be left half: drop its start. */
	while (*len > 0 && ((unsigned char)line[*len - 1] & 0x80) && *s &&
	       ((unsigned char)*s & 0xc0) == 0x80)
		(*len)--;
	while (cols < width && *len + 1 < cap) {
		line[(*len)++] = ' ';
		cols++;
	}
	line[*len] = '\0';
}

/* Prints a row: the label, then cell() of each strategy's figures; no trailing blanks. */
static void put_row(FILE *out, const struct drill *d, size_t col, const char *label,
		    void (*cell)(char *, size_t, const struct fig *))
{
	char line[4 * WIDTH], c[64];
	size_t len = 0;
	line[0] = '\0';
	put_cell(line, sizeof line, &len, label, LABEL);
	for (size_t i = 0; i < d->nruns; i++) {
		struct fig g;
		figures(d->runs[i].run, &g);
		cell(c, sizeof c, &g);
		put_cell(line, sizeof line, &len, c, col);
	}
	while (len > 0 && line[len - 1] == ' ')
		line[--len] = '\0';
	fprintf(out, "%s\n", line);
}

static void c_rto(char *b, size_t n, const struct fig *g)
{
	fmt_pair_time(b, n, g->rto_p50, g->rto_p95);
}
static void c_rto_met(char *b, size_t n, const struct fig *g)
{
	fmt_pct(b, n, g->rto_met);
}
static void c_rpo(char *b, size_t n, const struct fig *g)
{
	fmt_pair_time(b, n, g->rpo_p50, g->rpo_p95);
}
static void c_rpo_writes(char *b, size_t n, const struct fig *g)
{
	fmt_pair_count(b, n, g->rpo_writes_p50, g->rpo_writes_p95);
}
static void c_rpo_met(char *b, size_t n, const struct fig *g)
{
	fmt_pct(b, n, g->rpo_met);
}
static void c_failed(char *b, size_t n, const struct fig *g)
{
	if (isnan(g->failed_mean))
		snprintf(b, n, DASH);
	else
		fmt_count(b, n, g->failed_mean);
}
static void c_failed_ci(char *b, size_t n, const struct fig *g)
{
	char lo[32], hi[32];
	if (isnan(g->failed_lo) || isnan(g->failed_hi)) {
		snprintf(b, n, DASH);
		return;
	}
	fmt_count(lo, sizeof lo, g->failed_lo);
	fmt_count(hi, sizeof hi, g->failed_hi);
	snprintf(b, n, "[%s, %s]", lo, hi);
}
static void c_avail(char *b, size_t n, const struct fig *g)
{
	fmt_pct(b, n, g->availability);
}
static void c_latency(char *b, size_t n, const struct fig *g)
{
	fmt_time(b, n, g->latency);
}
static void c_latency_outage(char *b, size_t n, const struct fig *g)
{
	fmt_time(b, n, g->latency_outage);
}
static void c_cost(char *b, size_t n, const struct fig *g)
{
	fmt_usd(b, n, g->cost_monthly);
}
static void c_dr_cost(char *b, size_t n, const struct fig *g)
{
	fmt_usd(b, n, g->dr_data_monthly);
}

int report_drill_text(const struct drill *d, FILE *out)
{
	const struct run_result *r0 = d->runs[0].run;
	const struct scenario *sc = r0->sc;
	struct fig g;
	char what[1024], label[64], t[32], head[4 * WIDTH];
	size_t col = d->nruns <= 4 ? COL : (WIDTH - LABEL) / d->nruns, len = 0;

	figures(r0, &g);   /* the targets: the same for every strategy */
	fmt_outages(what, sizeof what, sc);
	fprintf(out, "Drill of %s: %s\n", sc->name, what);
	fprintf(out, "%" PRIu64 " replication%s per strategy, seed %" PRIu64 "%s\n\n", r0->reps,
		r0->reps == 1 ? "" : "s", r0->seed,
		d->nruns > 1 ? ", the same random numbers for every strategy" : "");

	head[0] = '\0';
	put_cell(head, sizeof head, &len, "", LABEL);
	for (size_t i = 0; i < d->nruns; i++)
		put_cell(head, sizeof head, &len, strategy_name(&d->runs[i]), col);
	while (len > 0 && head[len - 1] == ' ')
		head[--len] = '\0';
	fprintf(out, "%s\n", head);

	put_row(out, d, col, "RTO p50 / p95", c_rto);
	if (!isnan(g.rto_target)) {
		fmt_time(t, sizeof t, g.rto_target);
		snprintf(label, sizeof label, "  P(RTO <= %s)", t);
	} else {
		snprintf(label, sizeof label, "  P(RTO met): no target");
	}
	put_row(out, d, col, label, c_rto_met);
	put_row(out, d, col, "RPO p50 / p95", c_rpo);
	put_row(out, d, col, "  in writes", c_rpo_writes);
	if (!isnan(g.rpo_target)) {
		fmt_time(t, sizeof t, g.rpo_target);
		snprintf(label, sizeof label, "  P(RPO <= %s)", t);
	} else {
		snprintf(label, sizeof label, "  P(RPO met): no target");
	}
	put_row(out, d, col, label, c_rpo_met);
	put_row(out, d, col, "failed requests (mean)", c_failed);
	put_row(out, d, col, "  95% interval", c_failed_ci);
	put_row(out, d, col, "availability", c_avail);
	snprintf(label, sizeof label, "p%g latency, step mean", report_slo_percentile(sc));
	put_row(out, d, col, label, c_latency);
	put_row(out, d, col, "  during the outage", c_latency_outage);
	put_row(out, d, col, "cost per month", c_cost);
	put_row(out, d, col, "  of which DR data", c_dr_cost);
	fputs("\nRTO: from an outage's start until the service again meets its availability SLO.\n"
	      "RPO: the writes not yet in the recovery region when it began. p50 / p95 over\n"
	      "every outage of every replication; " DASH " where nothing was measured.\n"
	      "Latency: the mean of the steps' end-to-end percentiles weighted by their requests,\n"
	      "counting failed requests at their timeout (not the percentile of all requests\n"
	      "together, in each strategy's latency.png); during the outage, of the requests\n"
	      "served from its start to its end.\n",
	      out);
	/* An outage still open at the horizon has only a lower bound for its RTO. */
	int first = 1;
	for (size_t i = 0; i < d->nruns; i++) {
		const struct run_stat *s = stat_of(d->runs[i].run, "rto_unrecovered");
		if (!s || !(s->mean > 0))
			continue;
		if (first)
			fputs("Not recovered by the end of the run (the RTO is then the time left, a "
			      "lower bound,\nleft out of the target's share while shorter than it):",
			      out);
		fprintf(out, "%s %s %.3g %%", first ? "" : ",", strategy_name(&d->runs[i]),
			100.0 * s->mean);
		first = 0;
	}
	if (!first)
		fputs(" of the outages.\n", out);
	return ferror(out) ? CAPSIM_EIO : 0;
}

/* ---- JSON ---- */

/* A number, or null for NaN (cJSON writes null for NaN itself; explicit for readers). */
static int add_num(cJSON *o, const char *key, double x)
{
	return (isnan(x) ? cJSON_AddNullToObject(o, key) : cJSON_AddNumberToObject(o, key, x)) !=
	       NULL;
}

static int add_strategy(cJSON *arr, const struct drill_run *dr)
{
	struct fig g;
	cJSON *o = cJSON_CreateObject(), *run;
	char *js;
	if (!o)
		return 0;
	cJSON_AddItemToArray(arr, o);
	figures(dr->run, &g);
	const struct {
		const char *key;
		double v;
	} nums[] = {
		{ "rto_p50_s", g.rto_p50 }, { "rto_p95_s", g.rto_p95 },
		{ "rto_target_s", g.rto_target }, { "rto_target_met", g.rto_met },
		{ "rpo_p50_s", g.rpo_p50 }, { "rpo_p95_s", g.rpo_p95 },
		{ "rpo_writes_p50", g.rpo_writes_p50 }, { "rpo_writes_p95", g.rpo_writes_p95 },
		{ "rpo_target_s", g.rpo_target }, { "rpo_target_met", g.rpo_met },
		{ "requests_failed_mean", g.failed_mean },
		{ "requests_failed_ci95_low", g.failed_lo },
		{ "requests_failed_ci95_high", g.failed_hi },
		{ "availability", g.availability }, { "cost_monthly_usd", g.cost_monthly },
		{ "dr_data_cost_monthly_usd", g.dr_data_monthly },
		{ "latency_s", g.latency }, { "latency_outage_s", g.latency_outage },
	};
	if (!cJSON_AddStringToObject(o, "strategy", strategy_name(dr)) ||
	    !cJSON_AddStringToObject(o, "dir", strategy_name(dr)) ||
	    !(dr->run_id ? cJSON_AddNumberToObject(o, "run_id", (double)dr->run_id)
			 : cJSON_AddNullToObject(o, "run_id")))
		return 0;
	for (size_t k = 0; k < sizeof nums / sizeof nums[0]; k++)
		if (!add_num(o, nums[k].key, nums[k].v))
			return 0;
	if (!(js = report_summary_json(dr->run, dr->meta)))
		return 0;
	run = cJSON_Parse(js);
	free(js);
	if (!run)
		return 0;
	cJSON_AddItemToObject(o, "run", run);
	/* The parse read the seed as a double: put back its exact digits (2^64 − 1 would print
	 * as 1.8446744073709552e+19). */
	char seed[24];
	snprintf(seed, sizeof seed, "%" PRIu64, dr->run->seed);
	cJSON *raw = cJSON_CreateRaw(seed);
	if (raw && cJSON_ReplaceItemInObject(run, "seed", raw))
		return 1;
	cJSON_Delete(raw);
	return 0;
}

char *report_drill_json(const struct drill *d)
{
	const struct run_result *r0 = d->runs[0].run;
	const struct scenario *sc = r0->sc;
	cJSON *root = cJSON_CreateObject(), *fails, *arr;
	char seed[32], *text = NULL;
	int ok = root != NULL;

	snprintf(seed, sizeof seed, "%" PRIu64, r0->seed);
	ok = ok && cJSON_AddStringToObject(root, "scenario", sc->name) &&
	     cJSON_AddRawToObject(root, "seed", seed) &&
	     cJSON_AddNumberToObject(root, "replications", (double)r0->reps) &&
	     add_num(root, "rto_target_s", sc->dr.rto_target > 0 ? sc->dr.rto_target : NAN) &&
	     add_num(root, "rpo_target_s", sc->dr.has_rpo_target ? sc->dr.rpo_target : NAN) &&
	     /* results.db's runs.batch of the drill's rows: its first strategy's run id. */
	     add_num(root, "batch", d->runs[0].run_id ? (double)d->runs[0].run_id : NAN) &&
	     (fails = cJSON_AddArrayToObject(root, "fails")) &&
	     (arr = cJSON_AddArrayToObject(root, "strategies"));
	for (size_t i = 0; ok && i < sc->failures.nscripted; i++) {
		const struct scenario_outage *x = &sc->failures.scripted[i];
		const struct scenario_region *reg = &sc->regions[x->region];
		char target[2 * SCENARIO_NAME_MAX + 16];
		cJSON *o = cJSON_CreateObject();
		if (!o) {
			ok = 0;
			break;
		}
		cJSON_AddItemToArray(fails, o);
		if (x->kind == SCENARIO_OUTAGE_ZONE)
			snprintf(target, sizeof target, "zone:%s/%s", reg->name,
				 reg->zones[x->zone]);
		else
			snprintf(target, sizeof target, "region:%s", reg->name);
		ok = cJSON_AddStringToObject(o, "target", target) &&
		     cJSON_AddNumberToObject(o, "at_s", x->at) &&
		     cJSON_AddNumberToObject(o, "duration_s", x->duration);
	}
	for (size_t i = 0; ok && i < d->nruns; i++)
		ok = add_strategy(arr, &d->runs[i]);
	if (ok)
		text = cJSON_Print(root);
	cJSON_Delete(root);
	return text;
}

/* ---- plots ---- */

/* The larger of m and the finite values among a and b. */
static double top_of(double m, double a, double b)
{
	if (isfinite(a) && a > m)
		m = a;
	if (isfinite(b) && b > m)
		m = b;
	return m;
}

/* xtics naming the strategies at 0, 1, ...: "warm_standby" becomes "warm\nstandby". */
static void put_strategy_tics(FILE *f, const struct drill *d)
{
	fputs("set xtics (", f);
	for (size_t i = 0; i < d->nruns; i++) {
		fprintf(f, "%s\"", i ? ", " : "");
		for (const char *s = strategy_name(&d->runs[i]); *s; s++)
			if (*s == '_')
				fputs("\\n", f);
			else
				fputc(*s, f);
		fprintf(f, "\" %zu", i);
	}
	fputs(")\n", f);
}

/* A multiplot title: the scenario's name and text, as one quoted gnuplot string. */
static void put_multiplot(FILE *f, size_t rows, size_t cols, const char *scenario,
			  const char *text)
{
	char buf[1536];
	snprintf(buf, sizeof buf, "%s: %s", scenario, text);
	fprintf(f, "set multiplot layout %zu,%zu title ", rows, cols);
	report_gp_quote(f, buf);
	fputs(" font \",12\"\n", f);
}

/* The smaller of m and the values among a and b above zero. */
static double low_of(double m, double a, double b)
{
	if (isfinite(a) && a > 0 && a < m)
		m = a;
	if (isfinite(b) && b > 0 && b < m)
		m = b;
	return m;
}

/* The vertical axis of a bar panel, in its unit: linear from lo, or log. */
struct yaxis {
	int logy;
	double lo, hi;
};

/* Where y is on the axis, as a share of the panel's height from its floor. */
static double gfrac(const struct yaxis *a, double y)
{
	return a->logy ? log(y / a->lo) / log(a->hi / a->lo) : (y - a->lo) / (a->hi - a->lo);
}

/* The sizes the bar labels are placed by, estimated for the 1200x800 page of three panels
 * (pngcairo, Sans 10): a text line of the default font, in which gnuplot counts a label's
 * offset, is about 17 of a panel's 620 pixels of height; a panel is about 290 pixels wide and
 * a character of the labels' 8-point font about 6 pixels. */
#define LINE_H (17.0 / 620.0)
#define PANEL_W 290.0
#define CHAR_W 6.0
#define LABEL_OFF 0.8   /* text lines between a bar's top and its label's centre */

/* A bar label's place: at axis height y, its centre `off` text lines above (below when
 * negative: inside the bar). */
struct place {
	double y, off;
};

/* The label's extent (shares of the panel's height): the 8-point text is under a line. */
static void label_band(const struct yaxis *a, struct place p, double *lo, double *hi)
{
	double c = gfrac(a, p.y) + p.off * LINE_H;
	*lo = c - 0.45 * LINE_H;
	*hi = c + 0.45 * LINE_H;
}

/* Whether the target line (axis units; NaN: none) runs through the label, or too close to
 * tell which side of it the label is. */
static int label_on_line(const struct yaxis *a, struct place p, double target)
{
	double lo, hi, t;
	if (isnan(target))
		return 0;
	t = gfrac(a, target);
	label_band(a, p, &lo, &hi);
	return t > lo - 0.15 * LINE_H && t < hi + 0.15 * LINE_H;
}

static int labels_clash(const struct yaxis *a, struct place p, struct place q)
{
	double plo, phi, qlo, qhi;
	label_band(a, p, &plo, &phi);
	label_band(a, q, &qlo, &qhi);
	return plo < qhi && qlo < phi;
}

/* Where the label of a bar of height y goes: above it; where the target line runs there,
 * inside the bar under its top when the bar has the room (bar: there is one, not a square
 * for 0), else just above the line. It also keeps off `other` (NULL: none), a label beside
 * it that overlaps it across; failing all, it goes a line above that one. */
static struct place place_label(const struct yaxis *a, double y, int bar, double target,
				const struct place *other)
{
	struct place c[3];
	size_t n = 0;
	c[n++] = (struct place){ y, LABEL_OFF };
	if (bar && gfrac(a, y) >= (LABEL_OFF + 0.6) * LINE_H)
		c[n++] = (struct place){ y, -LABEL_OFF };
	if (!isnan(target) && target >= y)
		c[n++] = (struct place){ target, LABEL_OFF };
	for (size_t k = 0; k < n; k++)
		if (!label_on_line(a, c[k], target) && !(other && labels_clash(a, c[k], *other)))
			return c[k];
	if (other)
		return (struct place){ other->y, other->off + 1.0 };
	return c[0];
}

/* On a white box: readable inside a bar, and where a label wider than its bar runs onto the
 * taller one beside it. */
static void put_label(FILE *f, int id, const char *text, double x, struct place p)
{
	fprintf(f, "set label %d ", id);
	report_gp_quote(f, text);
	fprintf(f, " at first %.10g, first %.10g center offset 0,%g font \",8\" boxed front\n",
		x, p.y, p.off);
}

/* The labels of strategy i's p50 and p95 bars, v50 and v95 (s; NaN: none), at x = i - 0.2
 * and i + 0.2. Each names its figure in its own unit ("25.8 min", as the text table), a 0 as
 * "0 s" over its square at floor (axis units). Equal labels are one, over the pair. Side by
 * side the two overlap across unless the panel is wide (few strategies): then the p50 one
 * keeps off the p95 one, usually inside its bar. */
static void pair_labels(FILE *f, const struct yaxis *a, size_t i, size_t n, double v50,
			double v95, double unit, double floor, double target)
{
	char t50[32] = "", t95[32] = "";
	double y50 = v50 > 0 ? v50 / unit : floor, y95 = v95 > 0 ? v95 / unit : floor;
	int id = 100 + 2 * (int)i;
	if (!isnan(v50))
		fmt_time(t50, sizeof t50, v50);
	if (!isnan(v95))
		fmt_time(t95, sizeof t95, v95);
	if (v50 == 0)
		snprintf(t50, sizeof t50, "0 s");
	if (v95 == 0)
		snprintf(t95, sizeof t95, "0 s");
	if (t50[0] && strcmp(t50, t95) == 0) {
		put_label(f, id, t95, (double)i, place_label(a, fmax(y50, y95), v50 > 0 && v95 > 0,
							     target, NULL));
		return;
	}
	struct place p95 = { 0, 0 };
	if (t95[0]) {
		p95 = place_label(a, y95, v95 > 0, target, NULL);
		put_label(f, id + 1, t95, (double)i + 0.2, p95);
	}
	if (t50[0]) {
		double apart = 0.4 * PANEL_W / ((double)n + 0.2);
		int across = t95[0] && CHAR_W * (double)(strlen(t50) + strlen(t95)) / 2 > apart;
		put_label(f, id, t50, (double)i - 0.2,
			  place_label(a, y50, v50 > 0, target, across ? &p95 : NULL));
	}
}

/* A bar panel of a p50/p95 pair of drill.csv columns (s) against a target; rpo: the RPO
 * figures of each strategy, else the RTO ones, for the bars' labels. Figures within a factor
 * 20 of each other share a linear axis in the unit of the largest; wider spreads (the RPO of
 * backups against replication) a log axis in seconds with tics named in their units. Each bar
 * is labelled with its figure (pair_labels), kept off the target line. A figure of exactly 0
 * (an RPO when the outage began at the backup's instant: no data lost) has no bar to draw,
 * and none at all on a log axis: it is a square on the axis floor (at a tic "0 s" of its own
 * on a log axis), labelled "0 s", with a key entry saying what it means (zero_note).
 * measured: some strategy has a figure; top, lo: the largest figure and the smallest above
 * 0. */
static void put_pair_panel(FILE *f, const struct drill *d, int rpo, const char *title,
			   int col50, int col95, int measured, double lo, double top, double target,
			   int zeros, const char *zero_note, const char *none)
{
	const char *u;
	if (!isnan(target)) {
		top = fmax(top, target);
		lo = target > 0 ? fmin(lo, target) : lo;
	}
	if (measured && !(top > 0))
		top = 1;   /* every figure 0 and no target: a second's axis for the squares */
	double unit = time_unit(top, &u);
	int logy = isfinite(lo) && top / lo > 20;
	double floor_y = 0;   /* in the axis unit: where a 0 is drawn */
	struct yaxis ax = { logy, 0, 1 };

	fprintf(f, "set title \"%s\"\n", title);
	if (!measured) {
		/* Nothing measured: an empty frame that says why. */
		fprintf(f, "set ylabel \"\"\nset yrange [0:1]\n"
			"set label 1 \"%s\" at graph 0.5, graph 0.5 center\n"
			"plot NaN notitle\nunset label 1\n", none);
		return;
	}
	if (logy) {
		unit = 1;
		floor_y = lo / 2;
		ax.lo = lo / 3;
		ax.hi = top * 4;
		fprintf(f, "set logscale y\nset yrange [%.10g:%.10g]\nset ylabel \"log scale\"\n%s",
			ax.lo, ax.hi, TIME_TICS("y"));
		if (zeros)
			fprintf(f, "set ytics add (\"0 s\" %.10g)\n", floor_y);
	} else {
		ax.hi = top / unit * 1.18;
		fprintf(f, "unset logscale y\nset ytics autofreq\nset yrange [0:%.10g]\n"
			"set ylabel \"%s\"\n", ax.hi,
			strcmp(u, "h") == 0 ? "hours" : strcmp(u, "min") == 0 ? "minutes" :
			"seconds");
	}
	for (size_t i = 0; i < d->nruns; i++) {
		struct fig g;
		figures(d->runs[i].run, &g);
		pair_labels(f, &ax, i, d->nruns, rpo ? g.rpo_p50 : g.rto_p50,
			    rpo ? g.rpo_p95 : g.rto_p95, unit, floor_y,
			    isnan(target) ? NAN : target / unit);
	}
	fprintf(f, "plot \"" DRILL_CSV "\" using ($0 - 0.2):($%d / %g) skip 1 with boxes "
		"lc rgb \"#6baed6\" title \"p50\", \\\n"
		"     \"" DRILL_CSV "\" using ($0 + 0.2):($%d / %g) skip 1 with boxes "
		"lc rgb \"#08519c\" title \"p95\"", col50, unit, col95, unit);
	if (zeros) {
		/* valid(): an empty field (nothing measured) is no 0. */
		static const struct {
			double dx;
			const char *rgb;
		} z[2] = { { -0.2, "#6baed6" }, { 0.2, "#08519c" } };
		for (int k = 0; k < 2; k++) {
			int col = k ? col95 : col50;
			fprintf(f, ", \\\n     \"" DRILL_CSV "\" using ($0 %+g):(valid(%d) && $%d == 0 ? "
				"%.10g : NaN) skip 1 with points pt 5 ps 1.5 lc rgb \"%s\" notitle",
				z[k].dx, col, col, floor_y, z[k].rgb);
		}
		fprintf(f, ", \\\n     NaN with points pt 5 ps 1.5 lc rgb \"#08519c\" title \"%s\"",
			zero_note);
	}

	if (!isnan(target)) {
		char t[32];
		fmt_time(t, sizeof t, target);
		fprintf(f, ", \\\n     %.10g with lines lw 2 dt 2 lc rgb \"red\" title \"target "
			"%s\"", target / unit, t);
	}
	fputs("\nunset label\n", f);
}

/* Whether a or b is exactly 0. */
static int zero_of(double a, double b)
{
	return a == 0 || b == 0;
}

static void drill_script(FILE *f, const struct drill *d)
{
	const struct scenario *sc = d->runs[0].run->sc;
	char what[1024], title[1280];
	double rto_top = 0, rpo_top = 0, cost_top = 0, rto_lo = INFINITY, rpo_lo = INFINITY;
	int rto_any = 0, rpo_any = 0, rto_zero = 0, rpo_zero = 0, dr_data = 0;
	struct fig g;

	for (size_t i = 0; i < d->nruns; i++) {
		figures(d->runs[i].run, &g);
		rto_top = top_of(rto_top, g.rto_p50, g.rto_p95);
		rpo_top = top_of(rpo_top, g.rpo_p50, g.rpo_p95);
		rto_lo = low_of(rto_lo, g.rto_p50, g.rto_p95);
		rpo_lo = low_of(rpo_lo, g.rpo_p50, g.rpo_p95);
		rto_any |= isfinite(g.rto_p50) || isfinite(g.rto_p95);
		rpo_any |= isfinite(g.rpo_p50) || isfinite(g.rpo_p95);
		rto_zero |= zero_of(g.rto_p50, g.rto_p95);
		rpo_zero |= zero_of(g.rpo_p50, g.rpo_p95);
		dr_data |= g.dr_data_monthly > 0;
		cost_top = top_of(cost_top, g.cost_monthly, NAN);
	}
	figures(d->runs[0].run, &g);   /* the targets: the same for every strategy */
	fmt_outages(what, sizeof what, sc);
	report_gp_head(f, sc->name, "drill", "RTO, RPO and monthly cost per DR strategy, from "
		       DRILL_CSV);
	/* The white box of the bars' labels (put_label). */
	fputs("set key below\nset grid noxtics ytics\nset style fill solid 1.0 noborder\n"
	      "set boxwidth 0.38\nset bmargin 7\n"
	      "set style textbox opaque fc rgb \"white\" noborder margins 0.5,0.5\n", f);
	fprintf(f, "set xrange [-0.6:%zu.6]\n", d->nruns - 1);
	put_strategy_tics(f, d);
	snprintf(title, sizeof title, "drill, %s (%" PRIu64 " replications per strategy)", what,
		 d->runs[0].run->reps);
	put_multiplot(f, 1, 3, sc->name, title);

	put_pair_panel(f, d, 0, "RTO: p50 and p95 over all outages", 2, 3, rto_any, rto_lo,
		       rto_top, g.rto_target, rto_zero, "0 s: back at once", "no outage measured");
	put_pair_panel(f, d, 1, "RPO: p50 and p95 over all failovers", 6, 7, rpo_any, rpo_lo,
		       rpo_top, g.rpo_target, rpo_zero, "0 s: no data lost",
		       "no RPO measured (no data block, or no failover)");

	fputs("set title \"cost per month (mean over replications)\"\n"
	      "set ylabel \"USD per month\"\nset boxwidth 0.6\nunset logscale y\n", f);
	/* Room above the tallest bar for its label. */
	report_gp_usd_axis(f, "y", 0, cost_top > 0 ? cost_top * 1.1 : 1.0, 1);
	fputs(REPORT_GP_USD, f);
	fputs("plot \"" DRILL_CSV "\" using 0:15 skip 1 with boxes lc rgb \"#9ecae1\" "
	      "title \"total\", \\\n", f);
	/* The DR data part only where a strategy pays some: a key entry for bars of nothing
	 * would only be noise. */
	if (dr_data)
		fputs("     \"" DRILL_CSV "\" using 0:16 skip 1 with boxes lc rgb \"#e6550d\" "
		      "title \"DR data part\", \\\n", f);
	fputs("     \"" DRILL_CSV "\" using 0:15:(usd($15)) skip 1 with labels offset 0,0.7 "
	      "notitle\n", f);
	fputs("unset multiplot\n", f);
}

/* The first injected outage (earliest start), or NULL. */
static const struct scenario_outage *first_outage(const struct scenario *sc)
{
	const struct scenario_outage *o = NULL;
	for (size_t i = 0; i < sc->failures.nscripted; i++)
		if (!o || sc->failures.scripted[i].at < o->at)
			o = &sc->failures.scripted[i];
	return o;
}

/* The mean RTO across replications of outage o (its events: same kind, region and start),
 * or NaN when the run has none. */
static double outage_rto(const struct run_result *r, const struct scenario_outage *o)
{
	const char *kind = o->kind == SCENARIO_OUTAGE_ZONE ? "zone_outage" : "region_outage";
	double sum = 0;
	size_t n = 0;
	for (size_t i = 0; i < r->nevents; i++) {
		const struct run_event *e = &r->events[i];
		if (e->time == o->at && e->region == (long)o->region && isfinite(e->value) &&
		    strcmp(e->kind, kind) == 0) {
			sum += e->value;
			n++;
		}
	}
	return n ? sum / (double)n : NAN;
}

static void timeline_script(FILE *f, const struct drill *d)
{
	const struct run_result *r0 = d->runs[0].run;
	const struct scenario *sc = r0->sc;
	const struct scenario_outage *o = first_outage(sc);
	double t0 = o ? o->at : 0, end = o ? o->at + o->duration : sc->horizon;
	double x0 = fmax(0, t0 - BEFORE), x1 = fmin(sc->horizon, end + AFTER);
	size_t n = d->nruns, cols = n == 1 ? 1 : 2, rows = (n + cols - 1) / cols;
	char what[1024], title[1280];

	/* One y axis for every strategy's panel, to the highest line in the window (a bucket
	 * is drawn at its middle): each panel scaled to its own would draw the same traffic
	 * at different heights side by side. */
	double ytop = 0;
	for (size_t i = 0; i < n; i++) {
		const struct run_result *r = d->runs[i].run;
		for (size_t b = 0; b < r->nbuckets; b++) {
			double t = ((double)b + 0.5) * r->bucket;
			for (size_t sidx = 0; t >= x0 && t <= x1 && sidx < r->nseries; sidx++)
				if (r->series[sidx].tier < 0)
					ytop = top_of(ytop, run_ts(r, b, sidx, RUN_TS_CAPACITY),
						      run_ts(r, b, sidx, RUN_TS_DEMAND));
		}
	}
	fmt_outages(what, sizeof what, sc);
	report_gp_head(f, sc->name, "timeline", "each region's user demand and capacity around "
		       "the first injected outage, per strategy, from STRATEGY/timeseries.csv");
	fprintf(f, "set xlabel \"hours since the outage began (%g h into the run)\"\n"
		"set ylabel \"user requests/s (mean over replications)\"\n"
		"set xrange [%.10g:%.10g]\n", t0 / 3600, (x0 - t0) / 3600, (x1 - t0) / 3600);
	if (ytop > 0)
		fprintf(f, "set yrange [0:%.10g]\n", ytop * 1.1);
	else
		fputs("set yrange [0:*]\n", f);
	/* height 1: a line more of room, or gnuplot lays the key over the x label */
	fputs("set key below horizontal height 1\n", f);
	/* Every injected outage inside the window, shaded behind the lines; half transparent,
	 * so that where two overlap both show (the later one no longer hides the earlier). */
	for (size_t i = 0, k = 1; i < sc->failures.nscripted; i++) {
		const struct scenario_outage *x = &sc->failures.scripted[i];
		double a = fmax(x->at, x0), b = fmin(x->at + x->duration, x1);
		if (b <= a)
			continue;
		fprintf(f, "set object %zu rect from %.10g, graph 0 to %.10g, graph 1 behind "
			"fc rgb \"%s\" fs transparent solid 0.6 noborder\n", k++, (a - t0) / 3600,
			(b - t0) / 3600, x->kind == SCENARIO_OUTAGE_ZONE ? "#fdebd0" : "#fadbd8");
	}
	snprintf(title, sizeof title, "degraded capacity, %s (shaded)", what);
	put_multiplot(f, rows, cols, sc->name, title);
	for (size_t i = 0; i < n; i++) {
		const struct run_result *r = d->runs[i].run;
		const char *s = strategy_name(&d->runs[i]);
		double rto = o ? outage_rto(r, o) : NAN;
		int first = 1;
		fprintf(f, "set title \"%s\"\n", s);
		/* Where the service met its SLO again after this outage. */
		if (!isnan(rto)) {
			fprintf(f, "set arrow 1 from %.10g, graph 0 to %.10g, graph 1 nohead lw 2 "
				"dt 3 lc rgb \"black\" front\n", rto / 3600, rto / 3600);
		} else {
			fputs("unset arrow 1\n", f);
		}
		fputs("plot ", f);
		for (size_t sidx = 0; sidx < r->nseries; sidx++) {
			if (r->series[sidx].tier >= 0)
				continue;
			const char *region = sc->regions[r->series[sidx].region].name;
			int lc = 1 + (int)r->series[sidx].region;
			static const struct {
				enum run_ts_field field;
				const char *what, *style;
			} lines[] = {
				{ RUN_TS_CAPACITY, "capacity", "lw 2" },
				{ RUN_TS_DEMAND, "demand", "lw 1.5 dt 2" },
			};
			for (size_t k = 0; k < 2; k++) {
				fprintf(f, "%s\"%s/timeseries.csv\" ", first ? "" : ", \\\n     ",
					s);
				report_gp_ts_rows(f, r, sidx, sidx);
				fprintf(f, " using (($%d + %.10g - %.10g) / 3600):($%d) skip 1 with "
					"lines %s lc %d title ", TS_COL_TIME, r->bucket / 2, t0,
					TS_COL(lines[k].field), lines[k].style, lc);
				report_gp_quote(f, region);
				fprintf(f, " . ' %s'", lines[k].what);
				first = 0;
			}
		}
		if (!isnan(rto))
			fprintf(f, "%sNaN with lines lw 2 dt 3 lc rgb \"black\" title \"its RTO "
				"(mean)\"", first ? "" : ", \\\n     ");
		else if (first)
			fputs("NaN notitle", f);
		fputc('\n', f);
	}
	fputs("unset multiplot\n", f);
}

/* The values of a run's events of one kind: the RTOs of its region outages ("region_outage",
 * the rows rto_cdf plots from its events.csv), or the RPOs of its failovers ("rpo"). */
struct rtos {
	size_t n;              /* region outages */
	double min, max;       /* s; min the smallest, max the largest */
	double min_pos;        /* s, the smallest above zero (INFINITY if none) */
	size_t at_min;         /* outages whose RTO equals min */
	size_t zeros;          /* outages whose figure is exactly 0 */
};

static void values_of(const struct run_result *r, const char *kind, struct rtos *x)
{
	*x = (struct rtos){ 0, INFINITY, 0, INFINITY, 0, 0 };
	for (size_t i = 0; i < r->nevents; i++) {
		const struct run_event *e = &r->events[i];
		double v = e->value;
		if (strcmp(e->kind, kind) != 0 || !isfinite(v))
			continue;
		x->n++;
		if (v < x->min) {
			x->min = v;
			x->at_min = 0;
		}
		x->at_min += v == x->min;
		x->zeros += v == 0;
		if (v > x->max)
			x->max = v;
		if (v > 0 && v < x->min_pos)
			x->min_pos = v;
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* The sorted values of r's events of kind (malloc'd, n of them as values_of counts), or NULL
 * when there are none or memory ran out. */
static double *sorted_values(const struct run_result *r, const char *kind, size_t n)
{
	double *v = n ? malloc(n * sizeof *v) : NULL;
	size_t k = 0;
	for (size_t i = 0; v && i < r->nevents && k < n; i++)
		if (strcmp(r->events[i].kind, kind) == 0 && isfinite(r->events[i].value))
			v[k++] = r->events[i].value;
	if (v)
		qsort(v, k, sizeof *v, cmp_double);
	return v;
}

/* same[i]: the first strategy whose values of kind are exactly strategy i's (i itself when
 * none before it has them): their curves are the same line, one over the other. An
 * allocation failure leaves every strategy its own (only the drawing of coinciding lines is
 * lost). */
static void coinciding(const struct drill *d, const char *kind, size_t *same)
{
	double **v = calloc(d->nruns, sizeof *v);
	size_t *n = calloc(d->nruns, sizeof *n);
	for (size_t i = 0; i < d->nruns; i++)
		same[i] = i;
	for (size_t i = 0; v && n && i < d->nruns; i++) {
		struct rtos x;
		values_of(d->runs[i].run, kind, &x);
		n[i] = x.n;
		v[i] = sorted_values(d->runs[i].run, kind, x.n);
		for (size_t j = 0; j < i && v[i]; j++)
			if (same[j] == j && v[j] && n[j] == n[i] &&
			    memcmp(v[j], v[i], n[i] * sizeof *v[i]) == 0) {
				same[i] = j;
				break;
			}
	}
	for (size_t i = 0; v && i < d->nruns; i++)
		free(v[i]);
	free(v);
	free(n);
}

/* The empirical CDF of each strategy's region-outage RTOs. gnuplot draws it from the rows of
 * events.csv (smooth cnormal: the share of rows with an RTO at most each value) as steps,
 * which start at the first point; the rise from 0 at the smallest RTO and the level of 1
 * after the largest are drawn as segments from the same figures, so that a drill whose every
 * outage recovers alike reads as one vertical step. A figure of 0 (an RPO when the outage
 * began at the backup's instant) has no place on a log axis: there the zeros are drawn at its
 * left end, a decade below the smallest figure above 0, at a tic "0 s"; on a linear axis the
 * axis starts a little left of 0, so that a step at 0 is not hidden by the frame. Strategies
 * with exactly the same figures draw the same line: each later one is drawn thinner over the
 * earlier, so every colour shows, and its key entry names the first. */
static void cdf_script(FILE *f, const struct drill *d, const char *kind, const char *what,
		       const char *name, double target)
{
	const struct scenario *sc = d->runs[0].run->sc;
	double left = isnan(target) ? INFINITY : target, right = isnan(target) ? 0 : target;
	size_t total = 0, zeros = 0, *same = calloc(d->nruns, sizeof *same);
	struct rtos x;
	const char *u;
	char title[256];
	int logx = 0, first = 1;

	if (same)
		coinciding(d, kind, same);
	for (size_t i = 0; i < d->nruns; i++) {
		values_of(d->runs[i].run, kind, &x);
		total += x.n;
		zeros += x.zeros;
		if (x.n) {
			left = fmin(left, x.min_pos);
			right = fmax(right, x.max);
		}
	}
	double unit = time_unit(right, &u);
	/* Strategies an order of magnitude apart share the axis on a log scale, in seconds with
	 * tics named in their units. */
	logx = total > 0 && isfinite(left) && left > 0 && right / left > 20;
	if (logx)
		unit = 1;
	/* Where a 0 is drawn, in the axis unit. */
	double zero_x = logx ? pow(10.0, floor(log10(left) + 1e-9) - 1.0) : 0;
	char comment[128];
	snprintf(comment, sizeof comment, "the empirical CDF of the %ss of region outages per "
		 "strategy, from STRATEGY/events.csv", what);
	report_gp_head(f, sc->name, name, comment);
	snprintf(title, sizeof title, "%s: %s of region outages, empirical CDF over every outage "
		 "of every replication", sc->name, what);
	fputs("set title ", f);
	report_gp_quote(f, title);
	fprintf(f, " font \",12\"\nset xlabel \"%s (%s%s)\"\n"
		"set ylabel \"share of outages at most this\"\nset yrange [0:1.05]\n"
		/* Below the plot: inside, the key lay over the risers of the largest figures
		 * and the target line, which run up the right of a CDF; height 1, or gnuplot
		 * lays it over the x label. */
		"set key below height 1\n", what, logx ? "log scale" :
		strcmp(u, "h") == 0 ? "hours" : strcmp(u, "min") == 0 ? "minutes" : "seconds",
		logx && zeros ? "; 0 s drawn at the left end" : "");
	fprintf(f, "x(v) = v > 0 ? v / %g : %.10g\n", unit, zero_x);
	if (logx) {
		fprintf(f, "set logscale x\nset xrange [%.10g:%.10g]\n%s",
			(zeros ? zero_x : left) / 1.5, right * 1.5, TIME_TICS("x"));
		if (zeros)
			fprintf(f, "set xtics add (\"0 s\" %.10g)\n", zero_x);
	} else {
		double hi = right > 0 ? right / unit * 1.15 : 1.0;
		fprintf(f, "set xrange [%.10g:%.10g]\n", zeros ? -0.03 * hi : 0.0, hi);
	}
	if (!isnan(target))
		fprintf(f, "set arrow 1 from %.10g, graph 0 to %.10g, graph 1 nohead lw 2 dt 2 "
			"lc rgb \"red\" front\n", target / unit, target / unit);
	/* Later strategies of a group of equal ones: thinner, over the earlier. */
	double *lw = calloc(d->nruns, sizeof *lw);
	for (size_t i = 0; i < d->nruns; i++) {
		size_t later = 0;
		for (size_t k = i + 1; same && k < d->nruns; k++)
			later += same[k] == same[i];
		if (lw)
			lw[i] = 2.0 + 3.0 * (double)later;
	}
	for (size_t i = 0; i < d->nruns; i++) {
		values_of(d->runs[i].run, kind, &x);
		if (x.n == 0)
			continue;
		double a = x.min > 0 ? x.min / unit : zero_x, b = x.max > 0 ? x.max / unit : zero_x;
		fprintf(f, "set arrow %zu from first %.10g, first 0 to first %.10g, first %.10g "
			"nohead lw %g lc %zu\n", 10 + i, a, a, (double)x.at_min / (double)x.n,
			lw ? lw[i] : 2.0, i + 1);
		fprintf(f, "set arrow %zu from first %.10g, first 1 to graph 1, first 1 nohead "
			"lw %g lc %zu\n", 20 + i, b, lw ? lw[i] : 2.0, i + 1);
	}
	fputs("plot ", f);
	for (size_t i = 0; i < d->nruns; i++) {
		const char *s = strategy_name(&d->runs[i]);
		values_of(d->runs[i].run, kind, &x);
		if (x.n == 0)
			continue;
		char note[160] = "";
		if (x.zeros == x.n)
			snprintf(note, sizeof note, ", all 0 s%s", strcmp(kind, "rpo") == 0 ?
				 ": no data lost" : "");
		else if (x.zeros)
			snprintf(note, sizeof note, ", %zu at 0 s", x.zeros);
		if (same && same[i] != i) {
			size_t len = strlen(note);
			snprintf(note + len, sizeof note - len, "; the same as %s",
				 strategy_name(&d->runs[same[i]]));
		}
		double w = lw ? lw[i] : 2.0;
		/* Rows of other kinds have x NaN and are left out. */
		for (int k = 0; k < 2; k++) {
			fprintf(f, "%s\"%s/events.csv\" using (strcol(%d) eq '%s' ? "
				"x($%d) : NaN):(1) skip 1 smooth cnormal ",
				first ? "" : ", \\\n     ", s, EV_COL_KIND, kind, EV_COL_VALUE);
			if (k == 0)
				fprintf(f, "with steps lw %g lc %zu title \"%s (%zu outage%s%s)\"", w,
					i + 1, s, x.n, x.n == 1 ? "" : "s", note);
			else
				fprintf(f, "with points pt 7 ps %g lc %zu notitle", 0.5 + w / 4,
					i + 1);
			first = 0;
		}
	}
	if (!isnan(target)) {
		char t[32];
		fmt_time(t, sizeof t, target);
		fprintf(f, "%sNaN with lines lw 2 dt 2 lc rgb \"red\" title \"%s target %s\"",
			first ? "" : ", \\\n     ", what, t);
		first = 0;
	}
	if (total == 0)
		fprintf(f, "%sNaN title \"no region outage with %s in the drill\"",
			first ? "" : ", ", what);
	fputc('\n', f);
	free(lw);
	free(same);
}

static void rto_cdf_script(FILE *f, const struct drill *d)
{
	const struct scenario *sc = d->runs[0].run->sc;
	cdf_script(f, d, "region_outage", "RTO", "rto_cdf",
		   sc->dr.rto_target > 0 ? sc->dr.rto_target : NAN);
}

/* The RPOs come from the "rpo" events, one per failover that measured one. */
static void rpo_cdf_script(FILE *f, const struct drill *d)
{
	const struct scenario *sc = d->runs[0].run->sc;
	cdf_script(f, d, "rpo", "RPO", "rpo_cdf",
		   sc->dr.has_rpo_target ? sc->dr.rpo_target : NAN);
}

int report_drill_scripts(const struct drill *d, const char *dir, char *err, size_t errlen)
{
	static void (*const scripts[REPORT_DRILL_NPLOTS])(FILE *, const struct drill *) = {
		drill_script, timeline_script, rto_cdf_script, rpo_cdf_script,
	};
	for (int i = 0; i < REPORT_DRILL_NPLOTS; i++) {
		size_t n = strlen(dir) + strlen(report_drill_plot_names[i]) + 5;
		char *path = malloc(n);
		struct afile a;
		int rc;
		if (!path) {
			report_set_err(err, errlen, "%s: %s", dir, capsim_strerror(CAPSIM_ENOMEM));
			return CAPSIM_ENOMEM;
		}
		snprintf(path, n, "%s/%s.gp", dir, report_drill_plot_names[i]);
		rc = afile_open(&a, path);
		if (rc == 0) {
			scripts[i](a.f, d);
			rc = afile_commit(&a);
		}
		if (rc)
			report_set_err(err, errlen, "%s: %s", path,
				rc == CAPSIM_ENOMEM ? capsim_strerror(rc) : strerror(errno));
		free(path);
		if (rc)
			return rc;
	}
	return 0;
}

int report_drill_render(const char *dir, char *err, size_t errlen)
{
	for (int i = 0; i < REPORT_DRILL_NPLOTS; i++) {
		int rc = report_plot_render_one(dir, report_drill_plot_names[i], err, errlen);
		if (rc)
			return rc;
	}
	return 0;
}

static int drill_page_text(FILE *f, const void *ctx)
{
	return report_drill_text(ctx, f);
}

int report_drill_markdown(const struct drill *d, const char *dir, int drawn, char *err,
			  size_t errlen)
{
	static const char *const captions[REPORT_DRILL_NPLOTS] = {
		"RTO, RPO and monthly cost per strategy against the targets",
		"Each strategy's capacity and traffic per region around the outage",
		"The RTO distribution of the region outages against its target (the table's RTO "
		"figures take zone outages too)",
		"The RPO distribution against its target",
	};
	char after[2048];
	size_t o = (size_t)snprintf(after, sizeof after, "## Each strategy's run\n\n");
	for (size_t i = 0; i < d->nruns && o < sizeof after; i++) {
		const char *name = strategy_name(&d->runs[i]);
		o += (size_t)snprintf(after + o, sizeof after - o, "- %s: [%s/report.md](%s/report.md)\n",
				      name, name, name);
	}
	if (o < sizeof after)
		snprintf(after + o, sizeof after - o, "\n`drill.csv` holds the table's figures per "
			 "strategy.\n");
	struct report_page p = {
		.title = "capsim drill", .text = drill_page_text, .ctx = d,
		.plots = report_drill_plot_names, .captions = captions,
		.nplots = REPORT_DRILL_NPLOTS, .drawn = drawn, .after = after,
	};
	return report_page_write(dir, "drill.md", &p, err, errlen);
}
