/* The fluid capacity model: traffic down the tiers' chain, pools served by the queueing core,
 * autoscaling, boots and per-second billing, one replication at a time. */
#include "models/world.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/autoscale.h"
#include "models/traffic.h"
#include "sim/engine.h"
#include "sim/error.h"
#include "sim/rng.h"

/* Billing minimum of one instance, s (AWS per-second billing, Linux: 60 s minimum). */
#define BILL_MIN_S 60.0
/* Metric period of a pool with step scaling only, s (CloudWatch's standard resolution). */
#define DEFAULT_EVAL_PERIOD 60.0
/* Utilisation the predictive floor sizes for when the tier has no target tracking. */
#define PREDICTIVE_DEFAULT_TARGET 0.7

/* ---------------------------------------------------------------- shared layout */

/* A readable time-series resolution giving at most ~1000 buckets: the smallest of these
 * (s) that does, never below the step. */
static double auto_bucket(double horizon, double step)
{
	static const double nice[] = { 60, 300, 900, 1800, 3600, 7200, 21600, 43200, 86400,
				       604800 };
	double b = nice[sizeof nice / sizeof nice[0] - 1];
	for (size_t i = 0; i < sizeof nice / sizeof nice[0]; i++)
		if (horizon / nice[i] <= 1000.0) {
			b = nice[i];
			break;
		}
	return b < step ? step : b;
}

int world_shared_init(struct world_shared *sh, const struct scenario *sc, double bucket)
{
	memset(sh, 0, sizeof *sh);
	if (!sc || sc->ntiers == 0 || sc->nregions == 0)
		return CAPSIM_EINVAL;
	int rc = CAPSIM_ENOMEM;
	size_t nt = sc->ntiers, nr = sc->nregions;
	sh->sc = sc;
	sh->step = sc->step;
	sh->nsteps = (uint64_t)llround(sc->horizon / sc->step);
	sh->p = sc->has_slo ? sc->slo.latency_percentile / 100.0 : 0.99;
	sh->latency_target = sc->has_slo ? sc->slo.latency_target : 0;

	if (!(sh->chain = calloc(nt, sizeof *sh->chain)) ||
	    !(sh->pool_of = malloc(nt * nr * sizeof *sh->pool_of)) ||
	    !(sh->route = calloc(nt * nr * nr, sizeof *sh->route)) ||
	    !(sh->qc = calloc(nt, sizeof *sh->qc)) ||
	    !(sh->family = calloc(nt, sizeof *sh->family)))
		goto out;
	/* The validated chain is a path from tiers[0]. */
	size_t t = 0;
	for (size_t i = 0; i < nt; i++) {
		sh->chain[i] = t;
		if (sc->tiers[t].calls < 0)
			break;
		t = (size_t)sc->tiers[t].calls;
	}

	size_t np = 0;
	for (size_t i = 0; i < nt * nr; i++)
		sh->pool_of[i] = -1;
	for (size_t i = 0; i < nt; i++)
		np += sc->tiers[sh->chain[i]].nplacement;
	if (!(sh->pools = calloc(np, sizeof *sh->pools)))
		goto out;
	for (size_t i = 0; i < nt; i++) {
		size_t ti = sh->chain[i];
		const struct scenario_tier *tier = &sc->tiers[ti];
		const struct scenario_autoscaling *as = &tier->autoscaling;
		int maxn = as->max;
		for (size_t k = 0; k < as->nscheduled; k++)
			if (as->scheduled[k].max > maxn)
				maxn = as->scheduled[k].max;
		double S = tier->has_service_time ? tier->service_time : 1.0 / tier->capacity_rps;
		int conc = tier->has_service_time ? tier->concurrency : 1;
		for (size_t j = 0; j < tier->nplacement; j++) {
			struct world_pool *pl = &sh->pools[sh->npools];
			pl->tier = ti;
			pl->region = tier->placement[j].region;
			pl->service_time = S;
			pl->servers_per_instance = conc;
			pl->price_per_s = sc->instance_types[tier->instance_type].price_hourly / 3600.0;
			/* Exponential service: P(S' > x) = e^{-x/S}. */
			pl->svc_pct = -S * log1p(-sh->p);
			pl->max_instances = maxn;
			sh->pool_of[ti * nr + pl->region] = (long)sh->npools;
			sh->npools++;
		}
		/* Routing: a region where the tier runs serves its own flow; a region where it does
		 * not sends its flow to the placed regions in equal shares. */
		for (size_t r = 0; r < nr; r++) {
			double *row = &sh->route[(ti * nr + r) * nr];
			if (sh->pool_of[ti * nr + r] >= 0) {
				row[r] = 1.0;
				continue;
			}
			for (size_t j = 0; j < tier->nplacement; j++)
				row[tier->placement[j].region] = 1.0 / (double)tier->nplacement;
		}
		struct qtable_family fam = {
			.service_time = S, .ca2 = 1.0, .cs2 = 1.0, .p = sh->p,
			.timeout = tier->timeout,
		};
		long maxc = (long)maxn * conc;
		if (maxc < 1)
			maxc = 1;
		sh->family[ti] = fam;
		if ((rc = qcache_new(&fam, maxc, &sh->qc[ti])) < 0)
			goto out;
		rc = CAPSIM_ENOMEM;
	}

	if (sh->nsteps <= WORLD_SHAPE_TABLE_MAX &&
	    (rc = traffic_shape_table(&sc->traffic, sc->step, sh->nsteps, &sh->shape)) < 0)
		goto out;
	rc = CAPSIM_ENOMEM;
	if (bucket <= 0)
		bucket = auto_bucket(sc->horizon, sc->step);
	sh->steps_per_bucket = (uint64_t)ceil(bucket / sc->step - 1e-9);
	if (sh->steps_per_bucket < 1)
		sh->steps_per_bucket = 1;
	if (sh->steps_per_bucket > sh->nsteps)
		sh->steps_per_bucket = sh->nsteps;
	sh->bucket = (double)sh->steps_per_bucket * sc->step;
	sh->nbuckets = (size_t)((sh->nsteps + sh->steps_per_bucket - 1) / sh->steps_per_bucket);
	sh->nseries = sh->npools + nr;
	sh->nmonths = (size_t)ceil(sc->horizon / SCENARIO_MONTH - 1e-12);
	if (sh->nmonths < 1)
		sh->nmonths = 1;
	sh->record_events = 1;
	return 0;
out:
	world_shared_release(sh);
	return rc;
}

void world_shared_release(struct world_shared *sh)
{
	if (!sh)
		return;
	if (sh->qc && sh->sc)
		for (size_t i = 0; i < sh->sc->ntiers; i++)
			qcache_free(sh->qc[i]);
	free(sh->qc);
	free(sh->family);
	free(sh->shape);
	free(sh->pools);
	free(sh->pool_of);
	free(sh->route);
	free(sh->chain);
	memset(sh, 0, sizeof *sh);
}

/* ---------------------------------------------------------------- one replication */

enum { INST_BOOTING, INST_SERVICE };

struct instance {
	double launched;       /* s */
	double ready;          /* s, when it entered service (or will) */
	int state;
	int zone;
	struct engine_handle boot;
};

/* A pool's moving state during a replication. */
struct pool {
	const struct world_pool *def;
	struct world *w;
	size_t index;
	struct instance *inst; /* [max_instances] a stack, oldest launch at the bottom */
	int ninst, nservice;
	int *zone_count;       /* [zones] instances per zone */
	int zones;
	double warm_from;      /* s, earliest time an in-service instance is past its warm-up */
	struct autoscale as;
	int has_policy;
	uint64_t eval_every;   /* steps between evaluations, 0 = never */
	uint64_t delay_steps;  /* steps of metric delay */
	double *util_cum;      /* ring [ring] of cumulative busy-instance sums by step */
	uint64_t ring;
	uint64_t ring_k;       /* k mod ring for the current step k (no division per step) */
	uint64_t eval_left;    /* steps until the next evaluation */
	double backlog;        /* requests waiting from earlier steps */
	double warmup;         /* s */
	/* billing */
	double bill_t;         /* s, billed up to here */
	double cost_acc;       /* USD not yet flushed to a step */
	double mu_boot, sigma_boot;
	struct rng boot_rng;
	/* per-step results */
	double lambda, fail_frac, pct, wait_prob, util, served, failed, capacity;
};

struct world {
	const struct world_shared *sh;
	const struct scenario *sc;
	struct engine eng;
	int ev_boot, ev_sched;
	struct pool *pools;
	size_t bucket;         /* bucket of the current step */
	size_t month;          /* month of the current step */
	uint64_t month_end;    /* first step of the next month */
	uint64_t bucket_left;  /* steps left in it */
	struct world_rep *out;
	uint64_t rep;
	int running_total;
	int err;
	/* per-region breach episodes */
	double *breach_start;  /* [nregions] s, or -1 */
	double *breach_failed; /* [nregions] user requests failed in the episode */
};

static void add_event(struct world *w, double t, long region, long tier, const char *kind,
		      double value, const char *detail)
{
	struct world_rep *o = w->out;
	if (o->nevents == o->events_cap) {
		if (o->events_cap >= RUN_MAX_EVENTS) {
			o->events_dropped++;
			return;
		}
		size_t cap = o->events_cap ? 2 * o->events_cap : 64;
		struct run_event *e = realloc(o->events, cap * sizeof *e);
		if (!e) {
			o->events_dropped++;
			return;
		}
		o->events = e;
		o->events_cap = cap;
	}
	struct run_event *e = &o->events[o->nevents++];
	memset(e, 0, sizeof *e);
	e->rep = w->rep;
	e->time = t;
	e->region = region;
	e->tier = tier;
	snprintf(e->kind, sizeof e->kind, "%s", kind);
	e->value = value;
	snprintf(e->detail, sizeof e->detail, "%s", detail ? detail : "");
}

/* Bills the pool's running instances up to now. */
static inline void bill(struct pool *p, double now)
{
	double dt = now - p->bill_t;
	if (dt > 0) {
		p->cost_acc += (double)p->ninst * p->def->price_per_s * dt;
		p->w->out->scalar[W_INSTANCE_SECONDS] += (double)p->ninst * dt;
		p->bill_t = now;
	}
}

static int launch(struct pool *p, double now)
{
	struct world *w = p->w;
	if (p->ninst >= p->def->max_instances)
		return 0;
	bill(p, now);
	struct instance *in = &p->inst[p->ninst];
	int zone = 0;
	for (int z = 1; z < p->zones; z++)
		if (p->zone_count[z] < p->zone_count[zone])
			zone = z;
	double boot = exp(p->mu_boot + p->sigma_boot * rng_normal(&p->boot_rng, 0, 1));
	in->launched = now;
	in->ready = now + boot;
	in->state = INST_BOOTING;
	in->zone = zone;
	int rc = engine_schedule(&w->eng, in->ready, w->ev_boot, p, (uint64_t)p->ninst, &in->boot);
	if (rc < 0)
		return rc;
	p->zone_count[zone]++;
	p->ninst++;
	w->running_total++;
	if (w->running_total > w->out->scalar[W_PEAK_INSTANCES])
		w->out->scalar[W_PEAK_INSTANCES] = w->running_total;
	return 0;
}

/* Terminates the newest instance. */
static void terminate(struct pool *p, double now)
{
	struct world *w = p->w;
	bill(p, now);
	struct instance *in = &p->inst[--p->ninst];
	double life = now - in->launched;
	if (life < BILL_MIN_S)
		p->cost_acc += (BILL_MIN_S - life) * p->def->price_per_s;
	if (in->state == INST_BOOTING) {
		engine_cancel(&w->eng, in->boot);
	} else {
		p->nservice--;
		if (in->ready + p->warmup <= p->warm_from) {
			/* It may have been the earliest warm one: find the new earliest. */
			p->warm_from = INFINITY;
			for (int i = 0; i < p->ninst; i++)
				if (p->inst[i].state == INST_SERVICE &&
				    p->inst[i].ready + p->warmup < p->warm_from)
					p->warm_from = p->inst[i].ready + p->warmup;
		}
	}
	p->zone_count[in->zone]--;
	w->running_total--;
}

/* Makes the pool's instance count equal to desired. */
static int resize(struct pool *p, int desired, double now)
{
	while (p->ninst < desired) {
		int before = p->ninst, rc = launch(p, now);
		if (rc < 0)
			return rc;
		if (p->ninst == before)
			break;
	}
	while (p->ninst > desired)
		terminate(p, now);
	return 0;
}

static void on_boot(struct engine *eng, struct event *ev, void *ctx)
{
	(void)ctx;
	struct pool *p = ev->obj;
	struct instance *in = &p->inst[ev->arg];
	double now = engine_now(eng);
	in->state = INST_SERVICE;
	p->nservice++;
	if (now + p->warmup < p->warm_from)
		p->warm_from = now + p->warmup;
}

static void scaled(struct pool *p, int before, double now, const char *why)
{
	struct world *w = p->w;
	if (p->as.desired == before)
		return;
	w->out->scalar[W_SCALING_ACTIONS]++;
	if (w->sh->record_events && w->rep == 0) {
		char d[96];
		snprintf(d, sizeof d, "%s: desired %d -> %d", why, before, p->as.desired);
		add_event(w, now, (long)p->def->region, (long)p->def->tier,
			  p->as.desired > before ? "scale_out" : "scale_in", p->as.desired, d);
	}
}

static void on_scheduled(struct engine *eng, struct event *ev, void *ctx)
{
	struct world *w = ctx;
	struct pool *p = ev->obj;
	const struct scenario_autoscaling *spec = p->as.spec;
	const struct scenario_scheduled *act = &spec->scheduled[ev->arg];
	double now = engine_now(eng);
	int before = p->as.desired;
	autoscale_apply_scheduled(&p->as, act);
	scaled(p, before, now, "scheduled");
	int rc = resize(p, p->as.desired, now);
	double next = autoscale_next_scheduled(act, now);
	if (rc == 0 && isfinite(next) && next < w->sc->horizon)
		rc = engine_schedule(eng, next, w->ev_sched, p, ev->arg, NULL);
	if (rc < 0 && !w->err) {
		w->err = rc;
		engine_stop(eng);
	}
}

/* ------------------------------------------------------------- the load of a step */

/* Serves one step of load lambda (requests/s) at pool p: sets its per-step figures. */
static int serve(struct world *w, struct pool *p, double lambda)
{
	const struct world_pool *d = p->def;
	double dt = w->sh->step, S = d->service_time;
	double timeout = w->sc->tiers[d->tier].timeout;
	long c = (long)p->nservice * d->servers_per_instance;
	double arrivals = lambda * dt;
	p->lambda = lambda;
	if (c == 0) {
		/* No instance in service: every request (and any backlog) fails at once. */
		double lost = arrivals + p->backlog;
		p->backlog = 0;
		p->served = 0;
		p->failed = lost;
		p->fail_frac = arrivals > 0 ? 1.0 : 0.0;
		p->pct = timeout + d->svc_pct;
		p->wait_prob = arrivals > 0 ? 1.0 : 0.0;
		p->util = 0;
		p->capacity = 0;
		w->out->scalar[W_REJECTED] += lost;
		return 0;
	}
	double mu = (double)c / S;
	double rho = lambda / mu;
	p->capacity = mu;
	if (p->backlog <= 0 && rho < 1.0) {
		struct qpoint q;
		int rc = w->sh->exact_queueing ?
			 qtable_exact(&w->sh->family[d->tier], c, rho, &q) :
			 qcache_eval(w->sh->qc[d->tier], c, rho, &q);
		if (rc == CAPSIM_EUNSTABLE)
			goto overload;   /* rho a rounding error below 1: the fluid limit holds */
		if (rc < 0)
			return rc;
		double lost = arrivals * q.timeout_frac;
		p->served = arrivals - lost;
		p->failed = lost;
		p->fail_frac = q.timeout_frac;
		p->pct = q.response_pct < timeout + d->svc_pct ? q.response_pct
							       : timeout + d->svc_pct;
		p->wait_prob = q.wait_prob;
		p->util = rho;
		w->out->scalar[W_TIMED_OUT] += lost;
		return 0;
	}
overload:;
	/* Fluid overload: serve at full rate, keep what can still be served in time. */
	double input = p->backlog + arrivals, served = mu * dt;
	if (served > input)
		served = input;
	double left = input - served, keep = mu * timeout;
	double lost = left > keep ? left - keep : 0;
	double before = p->backlog;
	p->backlog = left - lost;
	p->served = served;
	p->failed = lost;
	/* The losses are charged to this step's arrivals (the backlog kept is at most what
	 * the timeout lets through, so a step can lose at most its own arrivals and what the
	 * capacity dropped by). */
	p->fail_frac = arrivals > 0 ? (lost < arrivals ? lost / arrivals : 1.0) : 0;
	double queued = before > p->backlog ? before : p->backlog;
	double wait = queued / mu;
	p->pct = (wait < timeout ? wait : timeout) + d->svc_pct;
	p->wait_prob = 1.0;
	p->util = rho < 1.0 ? (input > 0 ? served / (mu * dt) : 0) : 1.0;
	w->out->scalar[W_TIMED_OUT] += lost;
	return 0;
}

/* Flushes the cost billed since the last flush, all within bucket b and month `month`, into
 * them. Called when a bucket or a month ends, not every step: per-second billing makes the
 * sum the same, and the time-series cost rate (a sum of per-step rates, divided by the
 * bucket's steps at the end) is cost / step × 3600 however the cost was split. */
static void flush_cost(struct world *w, size_t b, size_t month, double now)
{
	const struct world_shared *sh = w->sh;
	if (month >= sh->nmonths)
		month = sh->nmonths - 1;
	for (size_t i = 0; i < sh->npools; i++) {
		struct pool *p = &w->pools[i];
		bill(p, now);
		double c = p->cost_acc;
		p->cost_acc = 0;
		w->out->month_cost[month * sh->npools + i] += c;
		w->out->pool_cost[i] += c;
		w->out->scalar[W_COST] += c;
		double rate = c / sh->step * 3600.0;
		w->out->ts[(b * sh->nseries + i) * RUN_TS_NFIELDS + RUN_TS_COST_RATE] += rate;
		w->out->ts[(b * sh->nseries + sh->npools + sh->pools[i].region) * RUN_TS_NFIELDS +
			   RUN_TS_COST_RATE] += rate;
	}
}

/* The first step of month m: the step holding m × SCENARIO_MONTH (a month boundary inside a
 * step counts that step in the new month). */
static uint64_t month_first_step(const struct world_shared *sh, size_t m)
{
	return (uint64_t)floor((double)m * SCENARIO_MONTH / sh->step + 1e-9);
}

/* Evaluates pool p's policies at the start of step k (time now). */
static int evaluate(struct pool *p, uint64_t k, double now)
{
	double metric = -1;
	/* Steps k-1-delay back over one period: the metric's window. */
	uint64_t per = p->eval_every, del = p->delay_steps;
	if (k >= del + 1 && p->nservice > 0 && now >= p->warm_from) {
		uint64_t end = k - del;              /* steps [end - per, end) */
		uint64_t start = end > per ? end - per : 0;
		/* Ring slots of steps `end` and `start`, both within ring − 1 steps of k. */
		uint64_t ie = p->ring_k >= k - end ? p->ring_k - (k - end)
						   : p->ring_k + p->ring - (k - end);
		uint64_t is = p->ring_k >= k - start ? p->ring_k - (k - start)
						     : p->ring_k + p->ring - (k - start);
		double hi = p->util_cum[ie];
		double lo = p->util_cum[is];
		/* The window's mean busy instances, as a utilisation of the fleet in service now:
		 * current × metric is then the measured load whatever the fleet was during the
		 * window, so instances that came into service since are not asked for twice. */
		metric = (hi - lo) / (double)(end - start) / (double)p->nservice;
	}
	int before = p->as.desired;
	autoscale_evaluate(&p->as, now, p->nservice, metric);
	scaled(p, before, now, "policy");
	return resize(p, p->as.desired, now);
}

static int step(struct world *w, struct traffic *tr, uint64_t k, double *region_state)
{
	const struct world_shared *sh = w->sh;
	const struct scenario *sc = w->sc;
	size_t nr = sc->nregions, nt = sc->ntiers;
	double now = (double)k * sh->step, dt = sh->step;
	double rate;
	int rc;
	if ((rc = traffic_rate(tr, k, &rate)) < 0)
		return rc;
	size_t b = w->bucket;
	if (k > 0 && (w->bucket_left == sh->steps_per_bucket || k == w->month_end)) {
		/* Step k opens a bucket or a month: what was billed so far belongs to the
		 * previous step's. */
		flush_cost(w, w->bucket_left == sh->steps_per_bucket ? b - 1 : b, w->month, now);
		if (k == w->month_end) {
			w->month++;
			w->month_end = month_first_step(sh, w->month + 1);
		}
	}

	/* Autoscaling evaluations due at this step boundary act before its load. */
	for (size_t i = 0; i < sh->npools; i++) {
		struct pool *p = &w->pools[i];
		if (p->eval_every && --p->eval_left == 0) {
			p->eval_left = p->eval_every;
			if ((rc = evaluate(p, k, now)) < 0)
				return rc;
		}
	}

	/* region_state: [0, nr) alive user rate, [nr, 2nr) e2e percentile, [2nr, 3nr) chain
	 * capacity in user requests/s. */
	double *alive = region_state, *pct = region_state + nr, *cap = region_state + 2 * nr;
	for (size_t r = 0; r < nr; r++) {
		alive[r] = rate * sc->traffic.region_share[r];
		pct[r] = 0;
		cap[r] = INFINITY;
	}
	for (size_t ci = 0; ci < nt; ci++) {
		size_t t = sh->chain[ci];
		const struct scenario_tier *tier = &sc->tiers[t];
		double v = tier->visits;
		/* Offered load of each pool of the tier. */
		for (size_t r2 = 0; r2 < nr; r2++) {
			long pi = sh->pool_of[t * nr + r2];
			if (pi < 0)
				continue;
			double lambda = 0;
			for (size_t r = 0; r < nr; r++)
				lambda += sh->route[(t * nr + r) * nr + r2] * alive[r];
			if ((rc = serve(w, &w->pools[pi], v * lambda)) < 0)
				return rc;
		}
		/* Each region's flow through the tier: survival and latency. */
		for (size_t r = 0; r < nr; r++) {
			long own = sh->pool_of[t * nr + r];
			if (own >= 0) {
				struct pool *p = &w->pools[own];
				if (p->fail_frac > 0)
					alive[r] *= v == 1.0 ? 1.0 - p->fail_frac
							     : pow(1.0 - p->fail_frac, v);
				pct[r] += v * p->pct;
				double c = p->capacity / v;
				if (c < cap[r])
					cap[r] = c;
				continue;
			}
			double surv = 0, lat = 0;
			for (size_t r2 = 0; r2 < nr; r2++) {
				double s = sh->route[(t * nr + r) * nr + r2];
				if (s <= 0)
					continue;
				struct pool *p = &w->pools[sh->pool_of[t * nr + r2]];
				surv += s * pow(1.0 - p->fail_frac, v);
				lat += s * v * p->pct;
			}
			alive[r] *= surv;
			pct[r] += lat;
		}
	}

	/* Accounting. */
	struct world_rep *o = w->out;
	double offered = 0, ok = 0;
	int met = 1, any = 0;
	for (size_t r = 0; r < nr; r++) {
		double u = rate * sc->traffic.region_share[r];
		double *row = &o->ts[(b * sh->nseries + sh->npools + r) * RUN_TS_NFIELDS];
		row[RUN_TS_DEMAND] += u;
		row[RUN_TS_SERVED] += alive[r];
		row[RUN_TS_FAILED] += u - alive[r];
		row[RUN_TS_P99] += pct[r];
		row[RUN_TS_CAPACITY] += isfinite(cap[r]) ? cap[r] : 0;
		row[RUN_TS_UTILIZATION] += cap[r] > 0 && isfinite(cap[r]) ?
			(u < cap[r] ? u / cap[r] : 1.0) : 0;
		offered += u * dt;
		ok += alive[r] * dt;
		if (u > 0) {
			any = 1;
			o->scalar[W_PCT_WEIGHTED] += u * dt * pct[r];
			if (sh->latency_target > 0 && pct[r] > sh->latency_target)
				met = 0;
		}
		/* SLO breach episodes: steps whose success fraction is below the target. */
		if (sc->has_slo && u > 0) {
			int bad = alive[r] < sc->slo.availability * u;
			if (bad && w->breach_start[r] < 0) {
				w->breach_start[r] = now;
				w->breach_failed[r] = 0;
				add_event(w, now, (long)r, -1, "slo_breach_start",
					  1.0 - alive[r] / u, "success fraction below the SLO");
			}
			if (w->breach_start[r] >= 0)
				w->breach_failed[r] += (u - alive[r]) * dt;
			if (!bad && w->breach_start[r] >= 0) {
				char d[96];
				snprintf(d, sizeof d, "lasted %.0f s", now - w->breach_start[r]);
				add_event(w, now, (long)r, -1, "slo_breach_end",
					  w->breach_failed[r], d);
				w->breach_start[r] = -1;
			}
		}
	}
	o->scalar[W_OFFERED] += offered;
	o->scalar[W_SUCCEEDED] += ok;
	if (any) {
		o->scalar[W_STEPS]++;
		o->scalar[W_STEPS_MET] += met;
	}

	for (size_t i = 0; i < sh->npools; i++) {
		struct pool *p = &w->pools[i];
		double *row = &o->ts[(b * sh->nseries + i) * RUN_TS_NFIELDS];
		row[RUN_TS_DEMAND] += p->lambda;
		row[RUN_TS_CAPACITY] += p->capacity;
		row[RUN_TS_INSTANCES] += p->ninst;
		row[RUN_TS_IN_SERVICE] += p->nservice;
		row[RUN_TS_UTILIZATION] += p->util;
		row[RUN_TS_WAIT_PROB] += p->wait_prob;
		row[RUN_TS_P99] += p->pct;
		row[RUN_TS_SERVED] += p->served / dt;
		row[RUN_TS_FAILED] += p->failed / dt;
		double *ir = &o->ts[(b * sh->nseries + sh->npools + p->def->region) * RUN_TS_NFIELDS];
		ir[RUN_TS_INSTANCES] += p->ninst;
		ir[RUN_TS_IN_SERVICE] += p->nservice;
		o->pool_util[i] += p->util;
		if (p->eval_every) {
			/* Busy instances: utilisation (at most 100%) × instances in service. */
			double u = p->util < 1.0 ? p->util : 1.0;
			uint64_t next = p->ring_k + 1 == p->ring ? 0 : p->ring_k + 1;
			p->util_cum[next] = p->util_cum[p->ring_k] + u * (double)p->nservice;
			p->ring_k = next;
			if (p->as.spec->has_predictive)
				autoscale_record(&p->as, now, now + dt, p->lambda);
		}
	}
	return 0;
}

static void world_free(struct world *w)
{
	if (w->pools) {
		for (size_t i = 0; i < w->sh->npools; i++) {
			struct pool *p = &w->pools[i];
			free(p->inst);
			free(p->zone_count);
			free(p->util_cum);
			autoscale_release(&p->as);
			rng_release(&p->boot_rng);
		}
		free(w->pools);
	}
	free(w->breach_start);
	free(w->breach_failed);
	engine_release(&w->eng);
}

int world_run(const struct world_shared *sh, uint64_t seed, uint64_t rep, struct world_rep *out)
{
	const struct scenario *sc = sh->sc;
	size_t nr = sc->nregions;
	struct world w = { .sh = sh, .sc = sc, .out = out, .rep = rep };
	struct traffic tr;
	double *region_state = NULL;
	int rc = CAPSIM_ENOMEM, have_traffic = 0;

	memset(out, 0, sizeof *out);
	if ((rc = engine_init(&w.eng)) < 0)
		return rc;
	rc = CAPSIM_ENOMEM;
	size_t nts = sh->nbuckets * sh->nseries * RUN_TS_NFIELDS;
	if (!(out->pool_cost = calloc(sh->npools, sizeof *out->pool_cost)) ||
	    !(out->pool_util = calloc(sh->npools, sizeof *out->pool_util)) ||
	    !(out->ts = calloc(nts, sizeof *out->ts)) ||
	    !(out->month_cost = calloc(sh->nmonths * sh->npools, sizeof *out->month_cost)) ||
	    !(w.pools = calloc(sh->npools, sizeof *w.pools)) ||
	    !(w.breach_start = malloc(nr * sizeof *w.breach_start)) ||
	    !(w.breach_failed = calloc(nr, sizeof *w.breach_failed)) ||
	    !(region_state = malloc(3 * nr * sizeof *region_state)))
		goto out;
	for (size_t r = 0; r < nr; r++)
		w.breach_start[r] = -1;
	if ((rc = engine_on(&w.eng, on_boot, &w)) < 0)
		goto out;
	w.ev_boot = rc;
	if ((rc = engine_on(&w.eng, on_scheduled, &w)) < 0)
		goto out;
	w.ev_sched = rc;

	for (size_t i = 0; i < sh->npools; i++) {
		struct pool *p = &w.pools[i];
		const struct world_pool *d = &sh->pools[i];
		const struct scenario_tier *tier = &sc->tiers[d->tier];
		const struct scenario_autoscaling *as = &tier->autoscaling;
		p->def = d;
		p->w = &w;
		p->index = i;
		p->warm_from = INFINITY;
		p->zones = 1;
		for (size_t j = 0; j < tier->nplacement; j++)
			if (tier->placement[j].region == d->region)
				p->zones = tier->placement[j].zones;
		rc = CAPSIM_ENOMEM;
		if (!(p->inst = calloc((size_t)(d->max_instances > 0 ? d->max_instances : 1),
				       sizeof *p->inst)) ||
		    !(p->zone_count = calloc((size_t)p->zones, sizeof *p->zone_count)))
			goto out;
		if ((rc = lognormal_from_median_p95(tier->boot_median, tier->boot_p95,
						    &p->mu_boot, &p->sigma_boot)) < 0)
			goto out;
		if ((rc = rng_init(&p->boot_rng, seed, rep, WORLD_STREAM_BOOT + (uint32_t)i)) < 0)
			goto out;
		double period = as->has_target_tracking ? as->target_tracking.metric_period
							: DEFAULT_EVAL_PERIOD;
		double delay = as->has_target_tracking ? as->target_tracking.metric_delay : 0;
		p->warmup = as->has_target_tracking ? as->target_tracking.warmup : 0;
		p->has_policy = as->has_target_tracking || as->has_step_scaling ||
				as->has_predictive;
		double cap_rps = d->servers_per_instance / d->service_time;
		double ptarget = as->has_target_tracking ? as->target_tracking.target
							 : PREDICTIVE_DEFAULT_TARGET;
		if ((rc = autoscale_init(&p->as, as, cap_rps, ptarget, period)) < 0)
			goto out;
		if (p->has_policy) {
			p->eval_every = (uint64_t)ceil(period / sh->step - 1e-9);
			if (p->eval_every < 1)
				p->eval_every = 1;
			p->delay_steps = (uint64_t)ceil(delay / sh->step - 1e-9);
			p->ring = p->eval_every + p->delay_steps + 2;
			/* The first evaluation is at step eval_every (never at step 0). */
			p->eval_left = p->eval_every + 1;
			rc = CAPSIM_ENOMEM;
			if (!(p->util_cum = calloc(p->ring, sizeof *p->util_cum)))
				goto out;
		}
		/* The initial fleet is in service at t = 0 (a run starts from a running system). */
		for (int k = 0; k < p->as.desired && k < d->max_instances; k++) {
			struct instance *in = &p->inst[p->ninst++];
			int zone = k % p->zones;
			in->launched = 0;
			in->ready = 0;
			in->state = INST_SERVICE;
			in->zone = zone;
			p->zone_count[zone]++;
			p->nservice++;
			w.running_total++;
		}
		if (p->nservice > 0)
			p->warm_from = 0;
		for (size_t a = 0; a < as->nscheduled; a++) {
			double at = autoscale_next_scheduled(&as->scheduled[a], -1e-9);
			if (isfinite(at) && at < sc->horizon &&
			    (rc = engine_schedule(&w.eng, at, w.ev_sched, p, a, NULL)) < 0)
				goto out;
		}
	}
	out->scalar[W_PEAK_INSTANCES] = w.running_total;

	if ((rc = traffic_init(&tr, &sc->traffic, sh->step, sc->horizon, seed, rep)) < 0)
		goto out;
	have_traffic = 1;
	traffic_use_shape_table(&tr, sh->shape);
	w.bucket = 0;
	w.bucket_left = sh->steps_per_bucket;
	w.month = 0;
	w.month_end = month_first_step(sh, 1);
	for (uint64_t k = 0; k < sh->nsteps; k++) {
		double now = (double)k * sh->step;
		long n = engine_run(&w.eng, now);
		if (n < 0) {
			rc = (int)n;
			goto out;
		}
		if (w.err) {
			rc = w.err;
			goto out;
		}
		if ((rc = step(&w, &tr, k, region_state)) < 0)
			goto out;
		if (--w.bucket_left == 0) {
			w.bucket++;
			w.bucket_left = sh->steps_per_bucket;
		}
	}
	if (sh->nsteps > 0)
		flush_cost(&w, (size_t)((sh->nsteps - 1) / sh->steps_per_bucket), w.month,
			   sc->horizon);
	/* Close breach episodes still open at the horizon. */
	for (size_t r = 0; r < nr; r++)
		if (w.breach_start[r] >= 0) {
			char d[96];
			snprintf(d, sizeof d, "open at the horizon after %.0f s",
				 sc->horizon - w.breach_start[r]);
			add_event(&w, sc->horizon, (long)r, -1, "slo_breach_end",
				  w.breach_failed[r], d);
		}

	/* Bucket sums to means; utilisation sums to time averages. */
	for (size_t b = 0; b < sh->nbuckets; b++) {
		uint64_t first = (uint64_t)b * sh->steps_per_bucket;
		uint64_t n = sh->nsteps - first < sh->steps_per_bucket ? sh->nsteps - first
								       : sh->steps_per_bucket;
		double inv = 1.0 / (double)n;
		double *row = &out->ts[b * sh->nseries * RUN_TS_NFIELDS];
		for (size_t i = 0; i < sh->nseries * RUN_TS_NFIELDS; i++)
			row[i] *= inv;
	}
	for (size_t i = 0; i < sh->npools; i++)
		out->pool_util[i] /= (double)sh->nsteps;
	rc = 0;
out:
	if (have_traffic)
		traffic_release(&tr);
	free(region_state);
	world_free(&w);
	return rc;
}

void world_rep_release(struct world_rep *r)
{
	if (!r)
		return;
	free(r->pool_cost);
	free(r->pool_util);
	free(r->ts);
	free(r->month_cost);
	free(r->events);
	memset(r, 0, sizeof *r);
}
