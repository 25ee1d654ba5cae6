/* Monte Carlo of the fluid model over replications, summarised into a struct run_result. */
#include "models/run.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	free(r->series);
	free(r->ts);
	free(r->costs);
	free(r->events);
	memset(r, 0, sizeof *r);
}

/* A metric being accumulated: one value per replication, for the mean, CI and percentiles. */
struct acc_metric {
	char name[80];
	char unit[16];
	double *v;             /* [reps] */
};

struct acc {
	const struct world_shared *sh;
	const struct scenario *sc;
	uint64_t reps;
	struct acc_metric *m;
	size_t nm;
	double *cost;          /* [nmonths × npools × reps] */
	double *ts;            /* sums over replications */
	struct run_event *events;
	size_t nevents, events_cap;
	uint64_t dropped;
	const struct run_options *o;
};

/* Metric order is fixed by this function: it names every metric and, given a replication,
 * its value. With rep == NULL it only declares the names (into a when a->m is NULL). */
static size_t metrics(struct acc *a, const struct world_rep *w, uint64_t rep)
{
	const struct world_shared *sh = a->sh;
	const struct scenario *sc = a->sc;
	size_t n = 0;
#define M(UNIT, VALUE, ...)                                                      \
	do {                                                                               \
		if (!w) {                                                                  \
			if (a->m) {                                                        \
				snprintf(a->m[n].name, sizeof a->m[n].name, __VA_ARGS__);  \
				snprintf(a->m[n].unit, sizeof a->m[n].unit, "%s", UNIT);   \
			}                                                                  \
		} else {                                                                   \
			a->m[n].v[rep] = (VALUE);                                          \
		}                                                                          \
		n++;                                                                       \
	} while (0)
	const double *s = w ? w->scalar : NULL;
	double offered = w ? s[W_OFFERED] : 0, ok = w ? s[W_SUCCEEDED] : 0;
	double avail = offered > 0 ? ok / offered : 1.0;
	double cost = w ? s[W_COST] : 0;
	double monthly = cost * SCENARIO_MONTH / sc->horizon;
	char pct[16];
	snprintf(pct, sizeof pct, "%g", sh->p * 100.0);

	M("fraction", avail, "availability");
	if (sh->latency_target > 0)
		M("fraction", s[W_STEPS] > 0 ? s[W_STEPS_MET] / s[W_STEPS] : 1.0,
		  "latency_slo_steps");
	if (sc->has_slo && sc->slo.availability < 1.0)
		M("ratio", (1.0 - avail) / (1.0 - sc->slo.availability), "error_budget_burn");
	M("s", offered > 0 ? s[W_PCT_WEIGHTED] / offered : 0.0, "latency_p%s", pct);
	M("requests", offered, "requests_offered");
	M("requests", offered - ok, "requests_failed");
	M("requests", s[W_TIMED_OUT], "requests_timed_out");
	M("requests", s[W_REJECTED], "requests_rejected");
	M("USD", cost, "cost_total");
	M("USD", monthly, "cost_monthly");
	M("USD", offered > 0 ? cost / (offered / 1e6) : 0.0, "cost_per_million");
	if (sc->budget_monthly > 0)
		M("fraction", monthly > sc->budget_monthly ? 1.0 : 0.0, "budget_exceeded");
	M("h", s[W_INSTANCE_SECONDS] / 3600.0, "instance_hours");
	M("instances", s[W_PEAK_INSTANCES], "peak_instances");
	M("count", s[W_SCALING_ACTIONS], "scaling_actions");
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
		M("fraction", w->pool_util[i], "utilization.%s.%s",
		  sc->tiers[sh->pools[i].tier].name, sc->regions[sh->pools[i].region].name);
#undef M
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
	for (size_t i = 0; i < sh->nmonths * sh->npools; i++)
		a->cost[i * a->reps + rep] = w.month_cost[i];
	size_t nts = sh->nbuckets * sh->nseries * RUN_TS_NFIELDS;
	for (size_t i = 0; i < nts; i++)
		a->ts[i] += w.ts[i];
	for (size_t i = 0; i < w.nevents; i++) {
		if (a->nevents == a->events_cap) {
			size_t cap = a->events_cap ? 2 * a->events_cap : 256;
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
	world_rep_release(&w);
}

static void on_progress(uint64_t done, uint64_t total, void *ctx)
{
	const struct run_options *o = ((struct acc *)ctx)->o;
	o->progress(done, total, o->progress_ctx);
}

/* Mean, CI and percentiles of n values (sorted in place). Every figure here is >= 0, and a
 * fraction <= 1: a t-interval from few replications may reach past those limits, so it is
 * clipped to them (upper = 1 for fractions). */
static void stat_of(double *v, size_t n, double upper, struct run_stat *st)
{
	struct welford w;
	struct ci ci;
	welford_init(&w);
	for (size_t i = 0; i < n; i++)
		welford_add(&w, v[i]);
	if (n >= 2 && welford_ci95(&w, &ci) == 0) {
		st->mean = ci.mean;
		st->ci95_low = ci.low;
		st->ci95_high = ci.high;
	} else {
		st->mean = st->ci95_low = st->ci95_high = w.mean;
	}
	if (st->ci95_low < 0)
		st->ci95_low = 0;
	if (st->ci95_high > upper)
		st->ci95_high = upper;
	st->p5 = stats_quantile(v, n, 0.05);
	st->p50 = stats_quantile_sorted(v, n, 0.50);
	st->p95 = stats_quantile_sorted(v, n, 0.95);
}

int run_simulate(const struct scenario *sc, const struct run_options *o, struct run_result *out)
{
	memset(out, 0, sizeof *out);
	if (!sc || !o || o->reps < 1)
		return CAPSIM_EINVAL;
	struct world_shared sh;
	struct acc a = { 0 };
	int rc = world_shared_init(&sh, sc, o->bucket);
	if (rc < 0)
		return rc;
	sh.exact_queueing = o->exact_queueing;
	a.sh = &sh;
	a.sc = sc;
	a.o = o;
	a.reps = o->reps;
	rc = CAPSIM_ENOMEM;
	a.nm = metrics(&a, NULL, 0);
	size_t ncells = sh.nmonths * sh.npools;
	size_t nts = sh.nbuckets * sh.nseries * RUN_TS_NFIELDS;
	if (!(a.m = calloc(a.nm, sizeof *a.m)) ||
	    !(a.cost = calloc(ncells * o->reps, sizeof *a.cost)) ||
	    !(a.ts = calloc(nts, sizeof *a.ts)))
		goto out;
	metrics(&a, NULL, 0);
	for (size_t i = 0; i < a.nm; i++)
		if (!(a.m[i].v = calloc(o->reps, sizeof *a.m[i].v)))
			goto out;

	struct mc_config cfg = {
		.seed = o->seed, .reps = o->reps, .threads = o->threads,
		.result_size = sizeof(struct world_rep), .run = rep_run, .fold = rep_fold,
		.progress = o->progress ? on_progress : NULL, .ctx = &a,
	};
	if ((rc = mc_run(&cfg)) < 0)
		goto out;

	rc = CAPSIM_ENOMEM;
	if (!(out->metrics = calloc(a.nm, sizeof *out->metrics)) ||
	    !(out->series = calloc(sh.nseries, sizeof *out->series)) ||
	    !(out->costs = calloc(ncells, sizeof *out->costs)))
		goto out;
	out->sc = sc;
	out->seed = o->seed;
	out->reps = o->reps;
	out->threads = o->threads;
	out->nmetrics = a.nm;
	for (size_t i = 0; i < a.nm; i++) {
		memcpy(out->metrics[i].name, a.m[i].name, sizeof out->metrics[i].name);
		memcpy(out->metrics[i].unit, a.m[i].unit, sizeof out->metrics[i].unit);
		stat_of(a.m[i].v, o->reps,
			strcmp(a.m[i].unit, "fraction") == 0 ? 1.0 : INFINITY,
			&out->metrics[i].stat);
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
	/* cost.csv rows: month-major, then region, then the tiers in chain order. */
	for (size_t m = 0; m < sh.nmonths; m++)
		for (size_t r = 0; r < sc->nregions; r++)
			for (size_t i = 0; i < sh.npools; i++) {
				if (sh.pools[i].region != r)
					continue;
				struct run_cost *c = &out->costs[out->ncosts++];
				c->month = (int)m;
				c->region = r;
				c->tier = sh.pools[i].tier;
				c->option = "on_demand";
				stat_of(&a.cost[(m * sh.npools + i) * o->reps], o->reps,
					INFINITY, &c->stat);
			}
	out->events = a.events;
	out->nevents = a.nevents;
	out->events_dropped = a.dropped;
	a.events = NULL;
	rc = 0;
out:
	if (a.m)
		for (size_t i = 0; i < a.nm; i++)
			free(a.m[i].v);
	free(a.m);
	free(a.cost);
	free(a.ts);
	free(a.events);
	world_shared_release(&sh);
	if (rc < 0)
		run_result_release(out);
	return rc;
}
