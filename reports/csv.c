/* The CSV files of a run: summary.csv, timeseries.csv, cost.csv, bill.csv, events.csv,
 * cost_daily.csv. */
#include "reports/report.h"

#include <csv.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim/error.h"

void report_put_num(FILE *f, double x)
{
	if (!isnan(x))
		fprintf(f, "%.10g", x);
}

void report_put_str(FILE *f, const char *s)
{
	size_t n = strlen(s);
	if (s[strcspn(s, ",\"\r\n")] == '\0' &&
	    (n == 0 || (s[0] != ' ' && s[0] != '\t' && s[n - 1] != ' ' && s[n - 1] != '\t')))
		fputs(s, f);
	else
		csv_fwrite(f, s, n);
}

const char *report_region_name(const struct run_result *r, long region)
{
	if (region < 0)
		return "all";
	CAPSIM_ASSERT((size_t)region < r->sc->nregions);
	return r->sc->regions[region].name;
}

const char *report_tier_name(const struct run_result *r, long tier)
{
	if (tier < 0)
		return "all";
	CAPSIM_ASSERT((size_t)tier < r->sc->ntiers);
	return r->sc->tiers[tier].name;
}

static void put_stat(FILE *f, const struct run_stat *s)
{
	const double v[] = { s->mean, s->ci95_low, s->ci95_high, s->p5, s->p50, s->p95 };
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		fputc(',', f);
		report_put_num(f, v[i]);
	}
}

static void summary_rows(FILE *f, const struct run_result *r)
{
	fputs("metric,unit,mean,ci95_low,ci95_high,p5,p50,p95\n", f);
	for (size_t i = 0; i < r->nmetrics; i++) {
		const struct run_metric *m = &r->metrics[i];
		report_put_str(f, m->name);
		fputc(',', f);
		report_put_str(f, m->unit);
		put_stat(f, &m->stat);
		fputc('\n', f);
	}
}

static void timeseries_rows(FILE *f, const struct run_result *r)
{
	fputs("time_s,day,region,tier", f);
	for (int k = 0; k < RUN_TS_NFIELDS; k++)
		fprintf(f, ",%s", run_ts_name[k]);
	fputc('\n', f);
	/* Series-major, so that a plot of one series reads only its rows (report_gp_ts_rows). */
	for (size_t s = 0; s < r->nseries; s++) {
		for (size_t b = 0; b < r->nbuckets; b++) {
			double t = (double)b * r->bucket;   /* the bucket's start */
			report_put_num(f, t);
			fputc(',', f);
			report_put_num(f, t / 86400.0);
			fputc(',', f);
			report_put_str(f, report_region_name(r, r->series[s].region));
			fputc(',', f);
			report_put_str(f, report_tier_name(r, r->series[s].tier));
			for (int k = 0; k < RUN_TS_NFIELDS; k++) {
				fputc(',', f);
				report_put_num(f, run_ts(r, b, s, (enum run_ts_field)k));
			}
			fputc('\n', f);
		}
	}
}

/* Here, beside timeseries_rows, because it counts rows in the order that writes them. */
void report_gp_ts_rows(FILE *f, const struct run_result *r, size_t first, size_t last)
{
	CAPSIM_ASSERT(first <= last && last < r->nseries);
	/* With no buckets there are no rows: a range past the end selects none. */
	size_t lo = first * r->nbuckets, hi = r->nbuckets ? (last + 1) * r->nbuckets - 1 : lo;
	fprintf(f, "every ::%zu::%zu", lo, hi);
}

/* `month` is 1-based in the file (month 1 is the first 730 h), unlike run_cost.month, so that
 * a spreadsheet reads "month 1, month 2, ...". */
static void cost_rows(FILE *f, const struct run_result *r)
{
	fputs("month,region,tier,purchase_option,mean_usd,ci95_low,ci95_high,p5,p50,p95\n", f);
	for (size_t i = 0; i < r->ncosts; i++) {
		const struct run_cost *c = &r->costs[i];
		fprintf(f, "%d,", c->month + 1);
		report_put_str(f, report_region_name(r, c->region));
		fputc(',', f);
		report_put_str(f, report_tier_name(r, c->tier));
		fputc(',', f);
		report_put_str(f, c->option ? c->option : "");
		put_stat(f, &c->stat);
		fputc('\n', f);
	}
}

/* month 1-based, as in cost.csv. */
static void bill_rows(FILE *f, const struct run_result *r)
{
	fputs("month,mean_usd,p10,p50,p90,p95\n", f);
	for (size_t i = 0; i < r->nbills; i++) {
		const struct run_bill *b = &r->bills[i];
		const double v[] = { b->mean, b->p10, b->p50, b->p90, b->p95 };
		fprintf(f, "%d", b->month + 1);
		for (size_t k = 0; k < sizeof v / sizeof v[0]; k++) {
			fputc(',', f);
			report_put_num(f, v[k]);
		}
		fputc('\n', f);
	}
}

/* region and tier are empty fields for an event about neither. */
static void event_rows(FILE *f, const struct run_result *r)
{
	fputs("replication,time_s,day,region,tier,kind,value,detail\n", f);
	for (size_t i = 0; i < r->nevents; i++) {
		const struct run_event *e = &r->events[i];
		fprintf(f, "%" PRIu64 ",", e->rep);
		report_put_num(f, e->time);
		fputc(',', f);
		report_put_num(f, e->time / 86400.0);
		fputc(',', f);
		if (e->region >= 0)
			report_put_str(f, report_region_name(r, e->region));
		fputc(',', f);
		if (e->tier >= 0)
			report_put_str(f, report_tier_name(r, e->tier));
		fputc(',', f);
		report_put_str(f, e->kind);
		fputc(',', f);
		report_put_num(f, e->value);
		fputc(',', f);
		report_put_str(f, e->detail);
		fputc('\n', f);
	}
}

/* Each pool's instance cost per day: a bucket's cost (its mean rate x its hours, the last
 * bucket ending at the horizon) split across the days the bucket covers in proportion to the
 * time it spends in each, so any bucket length works. Chains (tier -1) are left out: their
 * pools are already counted. Then, where calls between regions are priced, the transfer of
 * the calls to each tier by the region billed, split the same way ("network" rows). */
/* One row of cost_daily.csv. */
static void cost_daily_row(FILE *f, const struct run_result *r, size_t d, size_t region,
			   long tier, double usd, const char *what)
{
	fprintf(f, "%zu,", d);
	report_put_str(f, report_region_name(r, (long)region));
	fputc(',', f);
	report_put_str(f, report_tier_name(r, tier));
	fputc(',', f);
	report_put_num(f, usd);
	fprintf(f, ",%s\n", what);
}

int report_cost_by_day(const struct run_result *r, double **cost, double **net, size_t *ndays)
{
	const double day = 86400.0;
	double horizon = r->sc->horizon;
	size_t n = horizon > 0 ? (size_t)ceil(horizon / day) : 0;
	size_t ncell = r->sc->ntiers * r->sc->nregions;   /* network cells: [tier][region] */
	double *c = calloc(n * r->nseries + 1, sizeof *c);   /* [ndays][nseries] */
	double *x = calloc(n * ncell + 1, sizeof *x);        /* [ndays][ncell] */
	if (!c || !x) {
		free(c);
		free(x);
		return CAPSIM_ENOMEM;
	}
	for (size_t b = 0; b < r->nbuckets; b++) {
		double t0 = (double)b * r->bucket, t1 = fmin(t0 + r->bucket, horizon);
		for (size_t d = (size_t)(t0 / day); t0 < t1 && d < n; d++) {
			double lo = fmax(t0, (double)d * day), hi = fmin(t1, (double)(d + 1) * day);
			if (hi <= lo)
				break;
			for (size_t s = 0; s < r->nseries; s++)
				if (r->series[s].tier >= 0)
					c[d * r->nseries + s] +=
						run_ts(r, b, s, RUN_TS_COST_RATE) * (hi - lo) / 3600.0;
			/* A bucket's transfer is its USD, spread over its time like its rate. */
			for (size_t k = 0; r->network && k < ncell; k++)
				x[d * ncell + k] += r->network[b * ncell + k] * (hi - lo) / (t1 - t0);
		}
	}
	*cost = c;
	*net = x;
	*ndays = n;
	return 0;
}

static int cost_daily_rows(FILE *f, const struct run_result *r)
{
	size_t ndays, ncell = r->sc->ntiers * r->sc->nregions;
	double *cost, *net;
	int rc = report_cost_by_day(r, &cost, &net, &ndays);
	if (rc < 0)
		return rc;
	fputs("day,region,tier,cost_usd,what\n", f);
	for (size_t d = 0; d < ndays; d++) {
		for (size_t s = 0; s < r->nseries; s++)
			if (r->series[s].tier >= 0)
				cost_daily_row(f, r, d, r->series[s].region, r->series[s].tier,
					       cost[d * r->nseries + s], "instances");
		for (size_t c = 0; r->network && c < ncell; c++)
			if (net[d * ncell + c] > 0)
				cost_daily_row(f, r, d, c % r->sc->nregions,
					       (long)(c / r->sc->nregions), net[d * ncell + c],
					       "network");
	}
	free(cost);
	free(net);
	return 0;
}

/* Writes rows() into path atomically; err gets "PATH: cause" on failure. */
static int write_csv(const struct run_result *r, const char *path,
		     void (*rows)(FILE *, const struct run_result *), char *err, size_t errlen)
{
	struct afile a;
	int rc = afile_open(&a, path);
	if (rc == 0) {
		rows(a.f, r);
		rc = afile_commit(&a);
	}
	if (rc && err && errlen)
		snprintf(err, errlen, "%s: %s", path,
			 rc == CAPSIM_ENOMEM ? capsim_strerror(rc) : strerror(errno));
	return rc;
}

int report_summary_csv(const struct run_result *r, const char *path, char *err, size_t errlen)
{
	return write_csv(r, path, summary_rows, err, errlen);
}

int report_timeseries_csv(const struct run_result *r, const char *path, char *err, size_t errlen)
{
	return write_csv(r, path, timeseries_rows, err, errlen);
}

int report_cost_csv(const struct run_result *r, const char *path, char *err, size_t errlen)
{
	return write_csv(r, path, cost_rows, err, errlen);
}

int report_bill_csv(const struct run_result *r, const char *path, char *err, size_t errlen)
{
	return write_csv(r, path, bill_rows, err, errlen);
}

int report_events_csv(const struct run_result *r, const char *path, char *err, size_t errlen)
{
	return write_csv(r, path, event_rows, err, errlen);
}

int report_cost_daily_csv(const struct run_result *r, const char *path, char *err, size_t errlen)
{
	struct afile a;
	int rc = afile_open(&a, path);
	if (rc == 0) {
		rc = cost_daily_rows(a.f, r);
		if (rc)
			afile_abort(&a);
		else
			rc = afile_commit(&a);
	}
	if (rc && err && errlen)
		snprintf(err, errlen, "%s: %s", path,
			 rc == CAPSIM_ENOMEM ? capsim_strerror(rc) : strerror(errno));
	return rc;
}
