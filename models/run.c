/* Monte Carlo of the fluid model over replications, summarised into a struct run_result. */
#include "models/run.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/billing.h"
#include "models/world.h"
#include "sim/error.h"
#include "sim/mc.h"
#include "sim/stats.h"

const char *const run_ts_name[RUN_TS_NFIELDS] = {
	[RUN_TS_DEMAND] = "demand_rps",
	[RUN_TS_CAPACITY] = "capacity_rps",
	[RUN_TS_INSTANCES] = "instances",
	[RUN_TS_IN_SERVICE] = "in_service",
	[RUN_TS_UTILIZATION] = "utilization",
	[RUN_TS_WAIT_PROB] = "wait_prob",
	[RUN_TS_P99] = "latency_pct_s",
	[RUN_TS_SERVED] = "served_rps",
	[RUN_TS_FAILED] = "failed_rps",
	[RUN_TS_COST_RATE] = "cost_per_hour",
	[RUN_TS_PAID_ON_DEMAND] = "paid_on_demand",
	[RUN_TS_PAID_SPOT] = "paid_spot",
	[RUN_TS_PAID_RESERVED] = "paid_reserved",
	[RUN_TS_PAID_SAVINGS_PLAN] = "paid_savings_plan",
};

const struct run_metric *run_find_metric(const struct run_result *r, const char *name)
{
	for (size_t i = 0; i < r->nmetrics; i++)
		if (strcmp(r->metrics[i].name, name) == 0)
			return &r->metrics[i];
	return NULL;
}

void run_result_release(struct run_result *r)
{
	if (!r)
		return;
	free(r->metrics);
	free(r->rep_values);
	free(r->rep_range);
	free(r->series);
	free(r->ts);
	free(r->network);
	free(r->costs);
	free(r->bills);
	free(r->events);
	memset(r, 0, sizeof *r);
}

/* One figure across replications: every value's running mean and spread (Welford, in
 * replication order: the same sums as over an array of them), the values of the first `keep`
 * replications for the percentiles (RUN_SAMPLE_REPS), whether any value was not 0, and how
 * many were above 1/2 (a share's successes). */
struct sample {
	struct welford w;
	double *v;             /* [keep], in replication order until the statistics sort it */
	uint64_t above_half;
	int nonzero;
};

static void sample_add(struct sample *s, uint64_t keep, uint64_t rep, double x)
{
	welford_add(&s->w, x);
	if (rep < keep)
		s->v[rep] = x;
	s->above_half += x > 0.5;
	s->nonzero |= x != 0;
}

/* n samples of keep values each, their values in one block; NULL when out of memory. */
static struct sample *samples_new(size_t n, uint64_t keep)
{
	size_t nv = n * keep;
	struct sample *s = calloc(n ? n : 1, sizeof *s);
	double *v = calloc(nv ? nv : 1, sizeof *v);
	if (!s || !v) {
		free(s);
		free(v);
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		welford_init(&s[i].w);
		s[i].v = &v[i * keep];
	}
	return s;
}

static void samples_free(struct sample *s)
{
	if (s)
		free(s[0].v);
	free(s);
}

/* A metric being accumulated: its values across replications, for the mean, CI and
 * percentiles. */
struct acc_metric {
	char name[RUN_METRIC_NAME_MAX];
	char unit[16];
	double lo, hi;         /* the figure's range, for clipping its interval */
	int share;             /* 1: each value is 0 or 1, the mean a probability (Wilson) */
};

/* Per-replication figures of the all-on-demand counterfactual (same seeds). */
struct counterfactual {
	double *cost;          /* [reps] USD over the horizon */
	double *availability;  /* [reps] */
	double *pct;           /* [reps] s, request-weighted end-to-end percentile */
};

struct acc {
	const struct world_shared *sh;
	const struct scenario *sc;
	uint64_t reps;
	uint64_t keep;         /* replications whose values are kept: min(reps, sample_reps) */
	struct acc_metric *m;
	struct sample *mv;     /* [nm] the metrics' values */
	size_t nm;
	struct sample *cost;   /* (month, pool, option) cells, then unused per month, DR data
				  per month, network per month, tier and region */
	struct sample *bill;   /* [nmonths] the whole bill of each month */
	double *ts;            /* sums over replications */
	double *network;       /* [nbuckets × ntiers × nregions] sums over replications, or NULL */
	struct run_event *events;
	size_t nevents, events_cap;
	uint64_t dropped;
	const struct run_options *o;
	double *rto, *rto_full; /* every outage's RTOs, all replications, in fold order */
	double *rpo;           /* and its RPO (-1: not measured) */
	double *outage_pct;    /* and the latency of the requests served during it (-1: none) */
	unsigned char *rto_open; /* and 1 when it was not recovered by the horizon */
	unsigned char *full_open; /* and 1 when not back to full capacity by the horizon */
	size_t nrto, rto_cap;
	int rto_err;
	int has_cf;            /* the scenario buys something other than on demand */
	struct counterfactual cf;
	const struct world_shared *cf_sh;
	uint64_t progress_base, progress_total;
};

int run_buys_more_than_on_demand(const struct scenario *sc)
{
	if (sc->nreservations || sc->nsavings_plans)
		return 1;
	for (size_t t = 0; t < sc->ntiers; t++)
		if (sc->tiers[t].has_purchase && sc->tiers[t].purchase.on_demand_above_base < 1.0)
			return 1;
	return 0;
}

/* The whole bill of month m of replication w: instances by option, unused commitments, DR
 * data and network transfer (bill.csv's sum). */
static double month_bill(const struct world_shared *sh, const struct scenario *sc,
			 const struct world_rep *w, size_t m)
{
	double bill = w->month_unused[m] + w->month_dr[m];
	size_t nnet = sc->ntiers * sc->nregions;   /* (tier, region) cells a month */
	for (size_t j = 0; j < nnet; j++)
		bill += w->month_network[m * nnet + j];
	for (size_t i = 0; i < sh->npools * BILL_NOPTIONS; i++)
		bill += w->month_cost[m * sh->npools * BILL_NOPTIONS + i];
	return bill;
}

/* The months of w whose bill exceeded the monthly budget: a partial last month against the
 * budget for its share of a month. */
static double months_over_budget(const struct world_shared *sh, const struct scenario *sc,
				 const struct world_rep *w)
{
	double n = 0;
	for (size_t m = 0; m < sh->nmonths; m++) {
		double len = sc->horizon - (double)m * SCENARIO_MONTH;
		double share = len < SCENARIO_MONTH ? len / SCENARIO_MONTH : 1.0;
		n += month_bill(sh, sc, w, m) > sc->budget_monthly * share;
	}
	return n;
}

static double ratio(double a, double b, double if_zero)
{
	return b > 0 ? a / b : if_zero;
}

/* Metric order is fixed by this function: it names every metric and, given a replication,
 * its value. With w == NULL it only declares the names (into a->m when it is not NULL). */
static size_t metrics(struct acc *a, const struct world_rep *w, uint64_t rep)
{
	const struct world_shared *sh = a->sh;
	const struct scenario *sc = a->sc;
	size_t n = 0;
#define MR(UNIT, LO, HI, VALUE, ...)                                                       \
	do {                                                                               \
		if (!w) {                                                                  \
			if (a->m) {                                                        \
				snprintf(a->m[n].name, sizeof a->m[n].name, __VA_ARGS__);  \
				snprintf(a->m[n].unit, sizeof a->m[n].unit, "%s", UNIT);   \
				a->m[n].lo = (LO);                                         \
				a->m[n].hi = (HI);                                         \
			}                                                                  \
		} else {                                                                   \
			sample_add(&a->mv[n], a->keep, rep, (VALUE));                      \
		}                                                                          \
		n++;                                                                       \
	} while (0)
#define M(UNIT, VALUE, ...) \
	MR(UNIT, 0.0, strcmp(UNIT, "fraction") == 0 ? 1.0 : INFINITY, VALUE, __VA_ARGS__)
	const double *s = w ? w->scalar : NULL;
	double offered = w ? s[W_OFFERED] : 0, ok = w ? s[W_SUCCEEDED] : 0;
	double avail = offered > 0 ? ok / offered : 1.0;
	double cost = w ? s[W_COST] : 0;
	double monthly = cost * SCENARIO_MONTH / sc->horizon;
	char pct[16];
	snprintf(pct, sizeof pct, "%g", sh->p * 100.0);

	M("fraction", avail, "availability");
	if (sh->latency_target > 0) {
		M("fraction", s[W_STEPS] > 0 ? s[W_STEPS_MET] / s[W_STEPS] : 1.0,
		  "latency_slo_steps");
		M("fraction", offered > 0 ? s[W_REQ_MET] / offered : 1.0, "latency_slo_requests");
	}
	if (sc->has_slo && sc->slo.availability < 1.0)
		M("ratio", (1.0 - avail) / (1.0 - sc->slo.availability), "error_budget_burn");
	M("s", offered > 0 ? s[W_PCT_WEIGHTED] / offered : 0.0, "latency_p%s", pct);
	if (sh->overall)
		M("s", s[W_PCT_OVERALL], "latency_p%s_overall", pct);
	/* The part of it that is round trips between regions (regions[].rtt). */
	if (sc->has_rtt) {
		double net = 0;
		for (size_t g = 0; w && g < sc->nregions; g++)
			net += w->region_lat[g * WORLD_NLAT + WORLD_LAT_NETWORK];
		M("s", offered > 0 ? net / offered : 0.0, "latency_network");
	}
	/* Per region served, where each region serves its own users (world_region_latency). */
	for (size_t g = 0; g < sc->nregions; g++) {
		const double *lat = w ? &w->region_lat[g * WORLD_NLAT] : NULL;
		if (!world_region_latency(sc, g))
			continue;
		M("s", lat && lat[WORLD_LAT_OFFERED] > 0 ?
		  lat[WORLD_LAT_WEIGHTED] / lat[WORLD_LAT_OFFERED] : 0.0,
		  "latency_p%s.region.%s", pct, sc->regions[g].name);
		if (sh->overall)
			M("s", lat ? lat[WORLD_LAT_OVERALL] : 0.0, "latency_p%s_overall.region.%s",
			  pct, sc->regions[g].name);
		if (sc->has_rtt)
			M("s", lat && lat[WORLD_LAT_OFFERED] > 0 ?
			  lat[WORLD_LAT_NETWORK] / lat[WORLD_LAT_OFFERED] : 0.0,
			  "latency_network.region.%s", sc->regions[g].name);
		if (sh->latency_target > 0)
			M("fraction", lat && lat[WORLD_LAT_STEPS] > 0 ?
			  lat[WORLD_LAT_MET] / lat[WORLD_LAT_STEPS] : 1.0,
			  "latency_slo_steps.region.%s", sc->regions[g].name);
	}
	M("requests", offered, "requests_offered");
	M("requests", offered - ok, "requests_failed");
	M("requests", s[W_TIMED_OUT], "requests_timed_out");
	M("requests", s[W_REJECTED], "requests_rejected");
	M("USD", cost, "cost_total");
	M("USD", monthly, "cost_monthly");
	M("USD", offered > 0 ? cost / (offered / 1e6) : 0.0, "cost_per_million");
	if (sc->budget_monthly > 0) {
		M("fraction", monthly > sc->budget_monthly ? 1.0 : 0.0, "budget_exceeded");
		/* A probability estimated from k of n replications: 0 of 20 does not show it
		 * is 0, as mean +- t sd = [0, 0] would claim. */
		if (!w && a->m)
			a->m[n - 1].share = 1;
		M("count", w ? months_over_budget(sh, sc, w) : 0, "budget_months_over");
	}
	M("h", s[W_INSTANCE_SECONDS] / 3600.0, "instance_hours");
	M("instances", s[W_PEAK_INSTANCES], "peak_instances");
	M("count", s[W_SCALING_ACTIONS], "scaling_actions");
	for (int opt = 0; opt < BILL_NOPTIONS; opt++) {
		double c = 0;
		for (size_t m = 0; w && m < sh->nmonths; m++)
			for (size_t i = 0; i < sh->npools; i++)
				c += w->month_cost[(m * sh->npools + i) * BILL_NOPTIONS + opt];
		M("USD", c, "cost.option.%s", billing_option_name[opt]);
	}
	M("USD", s[W_UNUSED_COMMITMENT], "cost.option.unused_commitment");
	for (int opt = 0; opt < BILL_NOPTIONS; opt++)
		M("h", w ? w->option_hours[opt] : 0, "instance_hours.%s", billing_option_name[opt]);
	if (a->has_cf) {
		double od = w ? a->cf.cost[rep] : 0;
		MR("USD", -INFINITY, INFINITY, (od - cost) * SCENARIO_MONTH / sc->horizon,
		   "savings_monthly_vs_on_demand");
		MR("fraction", -INFINITY, 1.0, ratio(od - cost, od, 0), "savings_vs_on_demand");
		M("fraction", w ? a->cf.availability[rep] : 0, "availability_all_on_demand");
		M("s", w ? a->cf.pct[rep] : 0, "latency_p%s_all_on_demand", pct);
	}
	if (sc->has_failures) {
		M("count", s[W_INSTANCE_FAILURES], "instance_failures");
		M("count", s[W_OUTAGES], "outages");
	}
	M("h", s[W_DOWNTIME] / 3600.0 * (WORLD_YEAR / sc->horizon), "downtime_per_year");
	if (sh->has_call_price)
		M("USD", s[W_NETWORK], "cost.network");
	if (sc->has_dr && sc->has_data) {
		M("USD", s[W_DR_TRANSFER], "cost.dr.replication");
		M("USD", s[W_DR_BACKUP], "cost.dr.backup_storage");
	}
	M("count", s[W_INTERRUPTIONS], "spot_interruptions");
	M("count", s[W_RECLAIMS], "spot_reclaims");
	M("count", s[W_RECLAIMS_HIT], "spot_reclaims_with_instances");
	M("count", s[W_FALLBACKS], "spot_fallbacks_to_on_demand");
	if (sc->nreservations && !sh->all_on_demand) {
		M("fraction", ratio(s[W_RI_USED_HOURS], s[W_RI_HOURS], 0), "ri_utilization");
		M("fraction", ratio(s[W_RI_USED_HOURS], s[W_OD_ELIGIBLE_HOURS], 0), "ri_coverage");
	}
	if (sc->nsavings_plans && !sh->all_on_demand) {
		M("fraction", ratio(s[W_SP_USED], s[W_SP_COMMITMENT], 0), "sp_utilization");
		M("fraction", ratio(s[W_SP_COVERED_EQUIV], s[W_OD_EQUIV], 0), "sp_coverage");
	}
	for (size_t ad = 0; ad < sh->nadvice; ad++) {
		size_t type = sh->advice_rate[ad] / sc->nregions;
		size_t region = sh->advice_rate[ad] % sc->nregions;
		M("instances", w ? w->ri_advice[ad] : 0, "ri_breakeven.%s.%s",
		  sc->instance_types[type].name, sc->regions[region].name);
		M("USD", w ? w->ri_saving[ad] : 0, "ri_breakeven_saving.%s.%s",
		  sc->instance_types[type].name, sc->regions[region].name);
	}
	for (size_t t = 0; t < sc->ntiers; t++) {
		double c = 0;
		for (size_t i = 0; w && i < sh->npools; i++)
			if (sh->pools[i].tier == t)
				c += w->pool_cost[i];
		M("USD", c, "cost.tier.%s", sc->tiers[t].name);
	}
	for (size_t r = 0; r < sc->nregions; r++) {
		double c = 0;
		for (size_t i = 0; w && i < sh->npools; i++)
			if (sh->pools[i].region == r)
				c += w->pool_cost[i];
		M("USD", c, "cost.region.%s", sc->regions[r].name);
	}
	for (size_t i = 0; i < sh->npools; i++)
		M("fraction", w ? w->pool_util[i] : 0, "utilization.%s.%s",
		  sc->tiers[sh->pools[i].tier].name, sc->regions[sh->pools[i].region].name);
	/* Where a dynamic policy could scale: how much of the time it was held at its max. */
	for (size_t i = 0; i < sh->npools; i++) {
		const struct scenario_autoscaling *as = &sc->tiers[sh->pools[i].tier].autoscaling;
		if (as->has_target_tracking || as->has_step_scaling)
			M("fraction", w ? w->pool_at_max[i] : 0, "at_max.%s.%s",
			  sc->tiers[sh->pools[i].tier].name,
			  sc->regions[sh->pools[i].region].name);
	}
#undef M
#undef MR
	return n;
}

static int rep_run(uint64_t seed, uint64_t rep, void *result, void *ctx)
{
	struct acc *a = ctx;
	struct world_rep *w = result;
	int rc = world_run(a->sh, seed, rep, w);
	if (rc < 0)
		world_rep_release(w);
	return rc;
}

static void rep_fold(const void *result, uint64_t rep, void *ctx)
{
	struct acc *a = ctx;
	/* The result slot is ours until this call returns: release its arrays here. */
	struct world_rep w = *(const struct world_rep *)result;
	const struct world_shared *sh = a->sh;
	metrics(a, &w, rep);
	size_t ncells = sh->nmonths * sh->npools * BILL_NOPTIONS;
	for (size_t i = 0; i < ncells; i++)
		sample_add(&a->cost[i], a->keep, rep, w.month_cost[i]);
	for (size_t m = 0; m < sh->nmonths; m++) {
		sample_add(&a->cost[ncells + m], a->keep, rep, w.month_unused[m]);
		sample_add(&a->cost[ncells + sh->nmonths + m], a->keep, rep, w.month_dr[m]);
		size_t nnet = a->sc->ntiers * a->sc->nregions;   /* (tier, region) cells a month */
		for (size_t j = 0; j < nnet; j++)
			sample_add(&a->cost[ncells + 2 * sh->nmonths + m * nnet + j], a->keep, rep,
				   w.month_network[m * nnet + j]);
		sample_add(&a->bill[m], a->keep, rep, month_bill(sh, a->sc, &w, m));
	}
	size_t nts = sh->nbuckets * sh->nseries * RUN_TS_NFIELDS;
	for (size_t i = 0; i < nts; i++)
		a->ts[i] += w.ts[i];
	size_t nnb = sh->nbuckets * a->sc->ntiers * a->sc->nregions;
	for (size_t i = 0; a->network && w.bucket_network && i < nnb; i++)
		a->network[i] += w.bucket_network[i];
	for (size_t i = 0; i < w.nevents; i++) {
		if (a->nevents == a->events_cap) {
			size_t cap = a->events_cap ? 2 * a->events_cap : 256;
			if (cap > RUN_MAX_EVENTS)
				cap = RUN_MAX_EVENTS;   /* the documented most, not the next power of two */
			struct run_event *e = NULL;
			if (a->events_cap < RUN_MAX_EVENTS)
				e = realloc(a->events, cap * sizeof *e);
			if (!e) {
				a->dropped += w.nevents - i;
				break;
			}
			a->events = e;
			a->events_cap = cap;
		}
		a->events[a->nevents++] = w.events[i];
	}
	a->dropped += w.events_dropped;
	/* The first RUN_MAX_OUTAGES outages of the run are kept. */
	size_t take = w.nrto < RUN_MAX_OUTAGES - a->nrto ? w.nrto : RUN_MAX_OUTAGES - a->nrto;
	if (take && a->nrto + take > a->rto_cap) {
		size_t cap = 2 * (a->nrto + take);
		if (cap > RUN_MAX_OUTAGES)
			cap = RUN_MAX_OUTAGES;
		double *x = realloc(a->rto, cap * sizeof *x);
		if (x)
			a->rto = x;
		double *y = x ? realloc(a->rto_full, cap * sizeof *y) : NULL;
		if (y)
			a->rto_full = y;
		double *z = y ? realloc(a->rpo, cap * sizeof *z) : NULL;
		if (z)
			a->rpo = z;
		double *q = z ? realloc(a->outage_pct, cap * sizeof *q) : NULL;
		if (q)
			a->outage_pct = q;
		unsigned char *u = q ? realloc(a->rto_open, cap * sizeof *u) : NULL;
		if (u)
			a->rto_open = u;
		unsigned char *f = u ? realloc(a->full_open, cap * sizeof *f) : NULL;
		if (f)
			a->full_open = f;
		if (x && y && z && q && u && f)
			a->rto_cap = cap;
		else
			a->rto_err = CAPSIM_ENOMEM;
	}
	if (!a->rto_err)
		for (size_t i = 0; i < take; i++) {
			a->rto[a->nrto] = w.rto[i];
			a->rpo[a->nrto] = w.rpo[i];
			a->outage_pct[a->nrto] = w.outage_pct[i];
			a->rto_open[a->nrto] = w.rto_open[i];
			a->full_open[a->nrto] = w.full_open[i];
			a->rto_full[a->nrto++] = w.rto_full[i];
		}
	world_rep_release(&w);
}

/* The counterfactual's fold keeps three figures per replication. */
static void cf_fold(const void *result, uint64_t rep, void *ctx)
{
	struct acc *a = ctx;
	struct world_rep w = *(const struct world_rep *)result;
	double offered = w.scalar[W_OFFERED];
	a->cf.cost[rep] = w.scalar[W_COST];
	a->cf.availability[rep] = offered > 0 ? w.scalar[W_SUCCEEDED] / offered : 1.0;
	a->cf.pct[rep] = offered > 0 ? w.scalar[W_PCT_WEIGHTED] / offered : 0.0;
	world_rep_release(&w);
}

static int cf_run(uint64_t seed, uint64_t rep, void *result, void *ctx)
{
	struct acc *a = ctx;
	struct world_rep *w = result;
	int rc = world_run(a->cf_sh, seed, rep, w);
	if (rc < 0)
		world_rep_release(w);
	return rc;
}

static void on_progress(uint64_t done, uint64_t total, void *ctx)
{
	struct acc *a = ctx;
	const struct run_options *o = a->o;
	/* With a counterfactual pass first, progress counts both passes. */
	uint64_t base = a->progress_base;
	o->progress(base + done, a->progress_total, o->progress_ctx);
	(void)total;
}

/* Appends a cost.csv row of sample s (its kept values sorted by it) unless every value was 0
 * and the row is not `always` kept. */
/* The mean and Student-t interval of w's values, clipped to [lo, hi]. */
static void mean_stat(const struct welford *w, double lo, double hi, struct run_stat *st)
{
	struct ci ci;
	if (w->n >= 2 && welford_ci95(w, &ci) == 0) {
		st->mean = ci.mean;
		st->ci95_low = ci.low;
		st->ci95_high = ci.high;
	} else {
		/* One value has no interval: NaN (an unknown width, never a zero one). */
		st->mean = w->mean;
		st->ci95_low = st->ci95_high = NAN;
	}
	if (st->ci95_low < lo)
		st->ci95_low = lo;
	if (st->ci95_high > hi)
		st->ci95_high = hi;
}

/* The type-7 percentiles of v[0..n), which it sorts. */
static void percentile_stat(double *v, size_t n, struct run_stat *st)
{
	st->p5 = stats_quantile(v, n, 0.05);
	st->p50 = stats_quantile_sorted(v, n, 0.50);
	st->p95 = stats_quantile_sorted(v, n, 0.95);
}

void run_stat_of(double *v, size_t n, double lo, double hi, struct run_stat *st)
{
	struct welford w;
	welford_init(&w);
	for (size_t i = 0; i < n; i++)
		welford_add(&w, v[i]);
	mean_stat(&w, lo, hi, st);
	percentile_stat(v, n, st);
}

/* A sample's statistics: the mean and interval of every value, the percentiles of those
 * kept (all of them up to keep replications; run_stat_of's figures then, bit for bit). */
static void sample_stat(struct sample *s, uint64_t keep, double lo, double hi,
			struct run_stat *st)
{
	mean_stat(&s->w, lo, hi, st);
	percentile_stat(s->v, s->w.n < keep ? s->w.n : keep, st);
}

static void cost_row(struct run_result *out, struct sample *s, uint64_t keep, int always,
		     int month, long region, long tier, const char *option)
{
	if (!always && !s->nonzero)
		return;
	struct run_cost *c = &out->costs[out->ncosts++];
	c->month = month;
	c->region = region;
	c->tier = tier;
	c->option = option;
	sample_stat(s, keep, 0, INFINITY, &c->stat);
}

/* The p-quantile of v[0..n), sorted, across outages: its point estimate in the mean and the
 * percentile columns, its distribution-free 95% interval from the order statistics (the
 * upper end infinite until there are enough outages to bound that tail). `upper`, sorted,
 * is v with the outages not recovered by the horizon at +inf (NULL: none was): their value
 * is only a lower bound (the time left), so it may hold up the point estimate and the lower
 * end (the true order statistics are at least those of v) but never the upper end, which
 * is taken from `upper`. */
static void quantile_stat(const double *v, const double *upper, size_t n, double p,
			  struct run_stat *st)
{
	struct ci ci, cu;
	if (stats_quantile_ci_sorted(v, n, p, 0.95, &ci) != 0)
		ci.mean = ci.low = ci.high = stats_quantile_sorted(v, n, p);
	else if (upper && stats_quantile_ci_sorted(upper, n, p, 0.95, &cu) == 0)
		ci.high = cu.high;
	*st = (struct run_stat){ ci.mean, ci.low, ci.high, ci.mean, ci.mean, ci.mean };
}

/* qsort's ascending order of doubles (no NaN). */
static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* A share's Wilson 95% interval, k of n, in place of st's t-interval: 4 outages out of 4
 * within the target do not show the share is 1 (its interval is [0.51, 1]), as mean +- t sd
 * would claim. */
static void wilson_stat(uint64_t k, uint64_t n, struct run_stat *st)
{
	struct ci ci;
	if (stats_wilson(k, n, 0.95, &ci) == 0) {
		st->ci95_low = ci.low;
		st->ci95_high = ci.high;
	}
}

/* The share of v[0..n) (each 0 or 1) across outages, with its Wilson interval. */
static void share_stat(double *v, size_t n, struct run_stat *st)
{
	uint64_t k = 0;
	for (size_t i = 0; i < n; i++)
		k += v[i] > 0.5;
	run_stat_of(v, n, 0, 1, st);
	wilson_stat(k, n, st);
}

int run_simulate(const struct scenario *sc, const struct run_options *o, struct run_result *out)
{
	memset(out, 0, sizeof *out);
	if (!sc || !o || o->reps < 1)
		return CAPSIM_EINVAL;
	struct world_shared sh, cf_sh;
	struct acc a = { 0 };
	memset(&cf_sh, 0, sizeof cf_sh);
	double *met = NULL;   /* per outage: 1 met the RTO target, 0 missed, NaN unknown */
	double *rto_upper = NULL;   /* the RTOs with those not recovered at +inf, sorted */
	int rc = world_shared_init(&sh, sc, o->bucket, 0);
	if (rc < 0)
		return rc;
	sh.exact_queueing = o->exact_queueing;
	a.sh = &sh;
	a.sc = sc;
	a.o = o;
	a.reps = o->reps;
	a.keep = o->sample_reps ? o->sample_reps : RUN_SAMPLE_REPS;
	if (a.keep > o->reps)
		a.keep = o->reps;
	a.has_cf = run_buys_more_than_on_demand(sc);
	a.progress_total = a.has_cf ? 2 * o->reps : o->reps;
	rc = CAPSIM_ENOMEM;
	a.nm = metrics(&a, NULL, 0);
	size_t ncells = sh.nmonths * sh.npools * BILL_NOPTIONS;
	/* After the pools' cells, per month: unused commitments, DR data, then the network
	 * per tier and region billed. */
	size_t nextra = sh.nmonths * (2 + sc->ntiers * sc->nregions);
	size_t nts = sh.nbuckets * sh.nseries * RUN_TS_NFIELDS;
	if (!(a.m = calloc(a.nm, sizeof *a.m)) || !(a.mv = samples_new(a.nm, a.keep)) ||
	    !(a.cost = samples_new(ncells + nextra, a.keep)) ||
	    !(a.bill = samples_new(sh.nmonths, a.keep)) ||
	    !(a.ts = calloc(nts, sizeof *a.ts)) ||
	    (sh.has_call_price &&
	     !(a.network = calloc(sh.nbuckets * sc->ntiers * sc->nregions, sizeof *a.network))))
		goto out;
	metrics(&a, NULL, 0);

	if (a.has_cf) {
		/* Everything on demand, on the same random numbers: the savings and what spot
		 * capacity does to the SLO are paired differences. */
		if (!(a.cf.cost = calloc(o->reps, sizeof *a.cf.cost)) ||
		    !(a.cf.availability = calloc(o->reps, sizeof *a.cf.availability)) ||
		    !(a.cf.pct = calloc(o->reps, sizeof *a.cf.pct)))
			goto out;
		if ((rc = world_shared_init(&cf_sh, sc, o->bucket, 1)) < 0)
			goto out;
		cf_sh.exact_queueing = o->exact_queueing;
		cf_sh.record_events = 0;
		a.cf_sh = &cf_sh;
		struct mc_config cf = {
			.seed = o->seed, .reps = o->reps, .threads = o->threads,
			.result_size = sizeof(struct world_rep), .run = cf_run, .fold = cf_fold,
			.discard = world_rep_discard,
			.progress = o->progress ? on_progress : NULL, .ctx = &a,
		};
		if ((rc = mc_run(&cf)) < 0)
			goto out;
		a.progress_base = o->reps;
	}

	struct mc_config cfg = {
		.seed = o->seed, .reps = o->reps, .threads = o->threads,
		.result_size = sizeof(struct world_rep), .run = rep_run, .fold = rep_fold,
		.discard = world_rep_discard,
		.progress = o->progress ? on_progress : NULL, .ctx = &a,
	};
	if ((rc = mc_run(&cfg)) < 0)
		goto out;

	if ((rc = a.rto_err) < 0)
		goto out;
	rc = CAPSIM_ENOMEM;
	size_t maxcosts = ncells + nextra;
	size_t nrows = a.nm + (a.nrto ? 12 : 0);   /* the per-outage figures below */
	/* Every replication's values for paired comparisons, while they are all kept. */
	int all_kept = a.keep == o->reps;
	if (!(out->metrics = calloc(nrows, sizeof *out->metrics)) ||
	    (all_kept && !(out->rep_values = malloc(a.nm * o->reps * sizeof *out->rep_values))) ||
	    !(out->rep_range = malloc(a.nm * sizeof *out->rep_range)) ||
	    !(out->series = calloc(sh.nseries, sizeof *out->series)) ||
	    !(out->costs = calloc(maxcosts, sizeof *out->costs)) ||
	    !(out->bills = calloc(sh.nmonths, sizeof *out->bills)))
		goto out;
	out->sc = sc;
	out->seed = o->seed;
	out->reps = o->reps;
	out->threads = o->threads;
	out->nmetrics = out->nrep_metrics = a.nm;
	for (size_t i = 0; i < a.nm; i++) {
		memcpy(out->metrics[i].name, a.m[i].name, sizeof out->metrics[i].name);
		memcpy(out->metrics[i].unit, a.m[i].unit, sizeof out->metrics[i].unit);
		out->rep_range[i] = (struct run_range){ a.m[i].lo, a.m[i].hi };
		/* Before sample_stat sorts them. */
		if (all_kept)
			memcpy(&out->rep_values[i * o->reps], a.mv[i].v,
			       o->reps * sizeof *a.mv[i].v);
		if (a.m[i].share && o->reps >= 2) {
			sample_stat(&a.mv[i], a.keep, 0, 1, &out->metrics[i].stat);
			wilson_stat(a.mv[i].above_half, o->reps, &out->metrics[i].stat);
		} else {
			sample_stat(&a.mv[i], a.keep, a.m[i].lo, a.m[i].hi, &out->metrics[i].stat);
		}
	}
	if (a.nrto && sc->has_dr && sc->dr.rto_target > 0) {
		/* Taken before the statistics below sort a.rto (a.rto_open stays in fold order).
		 * One still open at the horizon has missed the target if it has lasted longer;
		 * otherwise nobody knows. */
		if (!(met = malloc(a.nrto * sizeof *met))) {
			rc = CAPSIM_ENOMEM;
			goto out;
		}
		for (size_t i = 0; i < a.nrto; i++)
			met[i] = a.rto[i] <= sc->dr.rto_target ? (a.rto_open[i] ? NAN : 1.0) : 0.0;
	}
	size_t nopen = 0, nfull_open = 0;
	for (size_t i = 0; i < a.nrto; i++) {
		nopen += a.rto_open[i];
		nfull_open += a.full_open[i];
	}
	if (nopen) {
		if (!(rto_upper = malloc(a.nrto * sizeof *rto_upper))) {
			rc = CAPSIM_ENOMEM;
			goto out;
		}
		for (size_t i = 0; i < a.nrto; i++)
			rto_upper[i] = a.rto_open[i] ? INFINITY : a.rto[i];
		qsort(rto_upper, a.nrto, sizeof *rto_upper, cmp_double);
	}
	if (a.nrto) {
		/* Across outages, not replications: every outage of every replication is one
		 * value (their interval treats them as independent). */
		struct run_metric *m = &out->metrics[out->nmetrics++];
		snprintf(m->name, sizeof m->name, "rto");
		snprintf(m->unit, sizeof m->unit, "s");
		run_stat_of(a.rto, a.nrto, 0, INFINITY, &m->stat);
		/* A mean with values known only from below (outages not over by the horizon) is
		 * itself a lower bound: nothing bounds it above. */
		if (nopen)
			m->stat.ci95_high = INFINITY;
		m = &out->metrics[out->nmetrics++];
		snprintf(m->name, sizeof m->name, "rto_full_capacity");
		snprintf(m->unit, sizeof m->unit, "s");
		run_stat_of(a.rto_full, a.nrto, 0, INFINITY, &m->stat);
		if (nfull_open)
			m->stat.ci95_high = INFINITY;
		/* The tail the summary's p95 column cannot show: the 99th percentile across
		 * outages (stat_of left a.rto sorted). */
		m = &out->metrics[out->nmetrics++];
		snprintf(m->name, sizeof m->name, "rto_p99");
		snprintf(m->unit, sizeof m->unit, "s");
		quantile_stat(a.rto, rto_upper, a.nrto, 0.99, &m->stat);
		/* The latency of the requests served during the outages that served some. */
		size_t nlat = 0;
		for (size_t i = 0; i < a.nrto; i++)
			if (a.outage_pct[i] >= 0)
				a.outage_pct[nlat++] = a.outage_pct[i];
		if (nlat) {
			m = &out->metrics[out->nmetrics++];
			snprintf(m->name, sizeof m->name, "latency_p%g_outage", sh.p * 100.0);
			snprintf(m->unit, sizeof m->unit, "s");
			run_stat_of(a.outage_pct, nlat, 0, INFINITY, &m->stat);
		}
		/* RPO over the outages that measured one (failovers with a data block). */
		size_t nrpo = 0;
		for (size_t i = 0; i < a.nrto; i++)
			if (a.rpo[i] >= 0)
				a.rpo[nrpo++] = a.rpo[i];
		if (nrpo) {
			m = &out->metrics[out->nmetrics++];
			snprintf(m->name, sizeof m->name, "rpo");
			snprintf(m->unit, sizeof m->unit, "s");
			run_stat_of(a.rpo, nrpo, 0, INFINITY, &m->stat);
			m = &out->metrics[out->nmetrics++];
			snprintf(m->name, sizeof m->name, "rpo_p99");
			snprintf(m->unit, sizeof m->unit, "s");
			quantile_stat(a.rpo, NULL, nrpo, 0.99, &m->stat);
			m = &out->metrics[out->nmetrics++];
			snprintf(m->name, sizeof m->name, "rpo_writes");
			snprintf(m->unit, sizeof m->unit, "writes");
			/* In writes on a copy: dividing back would lose the seconds (all of them
			 * at a write_rate of 0, the last bit at others), which rpo_target_met
			 * compares with the target below. */
			double *wr = malloc(nrpo * sizeof *wr);
			if (!wr) {
				rc = CAPSIM_ENOMEM;
				goto out;
			}
			for (size_t i = 0; i < nrpo; i++)
				wr[i] = a.rpo[i] * sc->data.write_rate;
			run_stat_of(wr, nrpo, 0, INFINITY, &m->stat);
			free(wr);
		}
		/* The chance an outage meets a target: the share of outages that did, those
		 * still open and shorter than it left out (met[]). */
		if (met) {
			double *v = a.rto_full;   /* reused as scratch: its statistics are taken */
			size_t nv = 0;
			for (size_t i = 0; i < a.nrto; i++)
				if (!isnan(met[i]))
					v[nv++] = met[i];
			if (nv) {
				m = &out->metrics[out->nmetrics++];
				snprintf(m->name, sizeof m->name, "rto_target_met");
				snprintf(m->unit, sizeof m->unit, "fraction");
				share_stat(v, nv, &m->stat);
			}
		}
		/* The share of outages the RTO figures hold only a lower bound of (the time
		 * left), when some were not recovered by the horizon. */
		if (nopen) {
			m = &out->metrics[out->nmetrics++];
			snprintf(m->name, sizeof m->name, "rto_unrecovered");
			snprintf(m->unit, sizeof m->unit, "fraction");
			double *v = a.rto_full;
			for (size_t i = 0; i < a.nrto; i++)
				v[i] = a.rto_open[i];
			share_stat(v, a.nrto, &m->stat);
		}
		if (sc->has_dr && sc->dr.has_rpo_target && nrpo) {
			m = &out->metrics[out->nmetrics++];
			snprintf(m->name, sizeof m->name, "rpo_target_met");
			snprintf(m->unit, sizeof m->unit, "fraction");
			for (size_t i = 0; i < nrpo; i++)
				a.rpo[i] = a.rpo[i] <= sc->dr.rpo_target ? 1.0 : 0.0;
			share_stat(a.rpo, nrpo, &m->stat);
		}
	}
	out->bucket = sh.bucket;
	out->nbuckets = sh.nbuckets;
	out->nseries = sh.nseries;
	for (size_t i = 0; i < sh.npools; i++) {
		out->series[i].tier = (long)sh.pools[i].tier;
		out->series[i].region = sh.pools[i].region;
	}
	for (size_t r = 0; r < sc->nregions; r++) {
		out->series[sh.npools + r].tier = -1;
		out->series[sh.npools + r].region = r;
	}
	for (size_t i = 0; i < nts; i++)
		a.ts[i] /= (double)o->reps;
	out->ts = a.ts;
	a.ts = NULL;
	for (size_t i = 0; a.network && i < sh.nbuckets * sc->ntiers * sc->nregions; i++)
		a.network[i] /= (double)o->reps;
	out->network = a.network;
	a.network = NULL;
	/* cost.csv rows: month-major, then region, the tiers in chain order, the options; a
	 * cell that is zero in every replication (an option the pool never used) is left out. */
	for (size_t m = 0; m < sh.nmonths; m++) {
		int mi = (int)m;
		for (size_t r = 0; r < sc->nregions; r++)
			for (size_t i = 0; i < sh.npools; i++) {
				if (sh.pools[i].region != r)
					continue;
				for (int opt = 0; opt < BILL_NOPTIONS; opt++)
					cost_row(out, &a.cost[(m * sh.npools + i) * BILL_NOPTIONS +
							      (size_t)opt], a.keep,
						 opt == BILL_ON_DEMAND, mi, (long)r,
						 (long)sh.pools[i].tier, billing_option_name[opt]);
			}
		cost_row(out, &a.cost[ncells + m], a.keep, 0, mi, -1, -1, "unused_commitment");
		cost_row(out, &a.cost[ncells + sh.nmonths + m], a.keep, 0, mi, -1, -1, "dr_data");
		for (size_t t = 0; t < sc->ntiers; t++)
			for (size_t z = 0; z < sc->nregions; z++)
				cost_row(out, &a.cost[ncells + 2 * sh.nmonths +
						      (m * sc->ntiers + t) * sc->nregions + z],
					 a.keep, 0, mi, (long)z, (long)t, "network");
		struct run_bill *b = &out->bills[out->nbills++];
		struct sample *bs = &a.bill[m];
		struct run_stat st;
		sample_stat(bs, a.keep, 0, INFINITY, &st);   /* sorts its values */
		b->month = (int)m;
		b->mean = st.mean;
		b->p10 = stats_quantile_sorted(bs->v, a.keep, 0.10);
		b->p50 = st.p50;
		b->p90 = stats_quantile_sorted(bs->v, a.keep, 0.90);
		b->p95 = st.p95;
	}
	out->events = a.events;
	out->nevents = a.nevents;
	out->events_dropped = a.dropped;
	a.events = NULL;
	rc = 0;
out:
	free(a.m);
	samples_free(a.mv);
	samples_free(a.cost);
	samples_free(a.bill);
	free(a.ts);
	free(a.network);
	free(a.events);
	free(a.cf.cost);
	free(a.cf.availability);
	free(a.cf.pct);
	free(a.rto);
	free(a.rto_full);
	free(a.rto_open);
	free(a.full_open);
	free(met);
	free(rto_upper);
	free(a.outage_pct);
	free(a.rpo);
	world_shared_release(&sh);
	world_shared_release(&cf_sh);
	if (rc < 0)
		run_result_release(out);
	return rc;
}
