/* The fluid capacity model: traffic down the tiers' chain, pools served by the queueing core,
 * autoscaling, boots and per-second billing, one replication at a time. */
#include "models/world.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/autoscale.h"
#include "models/billing.h"
#include "models/catalog.h"
#include "models/commit.h"
#include "models/queueing.h"
#include "models/spot.h"
#include "models/traffic.h"
#include "sim/engine.h"
#include "sim/error.h"
#include "sim/rng.h"

/* Billing minimum of one instance, s (AWS per-second billing, Linux: 60 s minimum). */
#define BILL_MIN_S 60.0
/* Metric period of a pool with step scaling only, s (CloudWatch's standard resolution), and
 * the age of its metric, as target tracking's `metric_delay` defaults to: the alarm sees the
 * same minute-late metric, so neither policy reacts a minute before the other. */
#define DEFAULT_EVAL_PERIOD 60.0
#define DEFAULT_METRIC_DELAY 60.0
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

/* The billing side of the layout: one line per (pool, instance type) it may run, prices per
 * (type, region), and the reservations and savings plans. */
static int billing_layout(struct world_shared *sh)
{
	const struct scenario *sc = sh->sc;
	size_t nr = sc->nregions, ntypes = sc->ninstance_types;
	size_t n = 0;
	for (size_t i = 0; i < sh->npools; i++) {
		const struct scenario_tier *tier = &sc->tiers[sh->pools[i].tier];
		n += 1 + (!sh->all_on_demand && tier->has_purchase ? tier->purchase.nspot_types : 0);
	}
	if (!(sh->line_types = calloc(n, sizeof *sh->line_types)) ||
	    !(sh->rates = calloc(ntypes * nr, sizeof *sh->rates)))
		return CAPSIM_ENOMEM;
	for (size_t i = 0; i < sh->npools; i++) {
		struct world_pool *pl = &sh->pools[i];
		const struct scenario_tier *tier = &sc->tiers[pl->tier];
		pl->first_line = sh->nlines;
		pl->line_type = &sh->line_types[sh->nlines];
		sh->line_types[sh->nlines++] = tier->instance_type;
		pl->nlines = 1;
		if (sh->all_on_demand || !tier->has_purchase)
			continue;
		for (size_t j = 0; j < tier->purchase.nspot_types; j++) {
			size_t type = tier->purchase.spot_types[j], l;
			for (l = 0; l < pl->nlines; l++)
				if (pl->line_type[l] == type)
					break;
			if (l == pl->nlines) {
				sh->line_types[sh->nlines++] = type;
				pl->nlines++;
			}
		}
	}
	size_t nsp = sh->all_on_demand ? 0 : sc->nsavings_plans;
	size_t nri = sh->all_on_demand ? 0 : sc->nreservations;
	for (size_t t = 0; t < ntypes; t++)
		for (size_t r = 0; r < nr; r++) {
			const struct scenario_price *pr = &sc->instance_types[t].price[r];
			struct billing_rate *rate = &sh->rates[t * nr + r];
			rate->on_demand = pr->known ? pr->on_demand : 0;
			rate->region = r;
			snprintf(rate->family, sizeof rate->family, "%s",
				 sc->instance_types[t].family ? sc->instance_types[t].family : "");
			for (int kind = 0; kind < CATALOG_NPLANS; kind++)
				for (int term = 0; term < CATALOG_NTERMS; term++)
					rate->sp_rate[kind][term] =
						pr->cat ? pr->cat->sp_rate[kind][term] : 0;
		}
	if ((nri && !(sh->ri = calloc(nri, sizeof *sh->ri))) ||
	    (nsp && !(sh->sp = calloc(nsp, sizeof *sh->sp))))
		return CAPSIM_ENOMEM;
	for (size_t k = 0; k < nri; k++) {
		const struct scenario_reservation *res = &sc->reservations[k];
		const struct scenario_price *pr =
			&sc->instance_types[res->instance_type].price[res->region];
		sh->ri[k].rate = res->instance_type * nr + res->region;
		sh->ri[k].count = res->count;
		sh->ri[k].hourly_fee = pr->cat ? catalog_ri_effective(pr->cat, res->term,
								      res->payment) : 0;
	}
	for (size_t k = 0; k < nsp; k++) {
		const struct scenario_savings_plan *plan = &sc->savings_plans[k];
		sh->sp[k].kind = (enum catalog_plan)plan->kind;
		snprintf(sh->sp[k].family, sizeof sh->sp[k].family, "%s",
			 plan->family ? plan->family : "");
		sh->sp[k].region = plan->region >= 0 ? (size_t)plan->region : 0;
		sh->sp[k].commitment = plan->commitment_hourly;
		sh->sp[k].term = plan->term;
	}
	/* Reservation advice: every (type, region) an on-demand line bills, whose catalog row
	 * gives a reservation price. */
	if (!(sh->advice_rate = calloc(sh->nlines, sizeof *sh->advice_rate)) ||
	    !(sh->advice_fee = calloc(sh->nlines, sizeof *sh->advice_fee)))
		return CAPSIM_ENOMEM;
	for (size_t i = 0; i < sh->npools; i++) {
		const struct world_pool *pl = &sh->pools[i];
		size_t rate = pl->line_type[0] * nr + pl->region, a;
		const struct scenario_price *pr = &sc->instance_types[pl->line_type[0]].price[pl->region];
		if (!pr->cat || !(pr->on_demand > 0))
			continue;
		for (a = 0; a < sh->nadvice; a++)
			if (sh->advice_rate[a] == rate)
				break;
		if (a < sh->nadvice)
			continue;
		sh->advice_rate[sh->nadvice] = rate;
		sh->advice_fee[sh->nadvice++] = catalog_ri_effective(pr->cat, CATALOG_1Y,
								     CATALOG_NO_UPFRONT);
	}
	sh->nhours = (size_t)ceil(sc->horizon / 3600.0 - 1e-9);
	sh->last_span = (sc->horizon - 3600.0 * (double)(sh->nhours - 1)) / 3600.0;
	if (!(sh->last_span > 0 && sh->last_span < 1))
		sh->last_span = 1;
	sh->plan = (struct billing_plan){ .rates = sh->rates, .nrates = ntypes * nr,
					  .ri = sh->ri, .nri = nri, .sp = sh->sp, .nsp = nsp };
	return 0;
}

/* The network of the chain's calls between regions, per entry region r: the round trips
 * they add (chain_rtt) and the price of each tier's calls that cross (call_price). The request
 * starts in r; each tier's visits are calls from where the caller runs to where the route
 * sends the flow (its own region's pool, or the tier's regions in equal shares), each call a
 * round trip whose request leaves the caller's region and whose response leaves the
 * tier's. A flow split between regions adds the shares' mean round trip, as the chain's
 * latency does for the pools themselves. */
static int chain_network(struct world_shared *sh)
{
	const struct scenario *sc = sh->sc;
	size_t nr = sc->nregions, nt = sc->ntiers;
	double *at = malloc(nr * sizeof *at);
	if (!at)
		return CAPSIM_ENOMEM;
	for (size_t r = 0; r < nr; r++) {
		double sum = 0;
		memset(at, 0, nr * sizeof *at);
		at[r] = 1;   /* where the request is: a distribution over regions */
		for (size_t i = 0; i < nt; i++) {
			size_t t = sh->chain[i];
			const struct scenario_tier *tier = &sc->tiers[t];
			const double *to = &sh->route[(t * nr + r) * nr];
			double rtt = 0, *usd = &sh->call_price[(t * nr + r) * nr];
			for (size_t x = 0; x < nr; x++)
				for (size_t y = 0; y < nr; y++) {
					if (x == y)
						continue;
					double share = at[x] * to[y];
					rtt += share * (sc->rtt ? sc->rtt[x * nr + y] : 0);
					/* The request leaves x, the response leaves y. */
					usd[x] += share * 1e-6 * tier->request_kb *
						  sc->regions[x].transfer_price_gb;
					usd[y] += share * 1e-6 * tier->response_kb *
						  sc->regions[y].transfer_price_gb;
				}
			sum += tier->visits * rtt;
			for (size_t z = 0; z < nr; z++)
				if (usd[z] > 0)
					sh->has_call_price = 1;
			memcpy(at, to, nr * sizeof *at);
		}
		sh->chain_rtt[r] = sum;
	}
	free(at);
	return 0;
}

int world_shared_init(struct world_shared *sh, const struct scenario *sc, double bucket,
		      int all_on_demand)
{
	memset(sh, 0, sizeof *sh);
	if (!sc || sc->ntiers == 0 || sc->nregions == 0)
		return CAPSIM_EINVAL;
	int rc = CAPSIM_ENOMEM;
	size_t nt = sc->ntiers, nr = sc->nregions;
	for (size_t r = 0; r < sc->nregions; r++)
		if (sc->regions[r].nzones > WORLD_MAX_ZONES)
			return CAPSIM_ERANGE;
	sh->sc = sc;
	sh->all_on_demand = all_on_demand;
	sh->step = sc->step;
	sh->nsteps = (uint64_t)llround(sc->horizon / sc->step);
	sh->p = sc->has_slo ? sc->slo.latency_percentile / 100.0 : 0.99;
	sh->latency_target = sc->has_slo ? sc->slo.latency_target : 0;
	{
		double L = -log1p(-sh->p);
		sh->overall = L > 1.0;
		sh->overall_k1 = sh->overall ? 1.0 / (L - 1.0) : 0;
		sh->overall_k2 = sh->overall ? L / (L - 1.0) : 0;
	}
	sh->availability_target = sc->has_slo ? sc->slo.availability : 0.999;

	if (!(sh->chain = calloc(nt, sizeof *sh->chain)) ||
	    !(sh->pool_of = malloc(nt * nr * sizeof *sh->pool_of)) ||
	    !(sh->route = calloc(nt * nr * nr, sizeof *sh->route)) ||
	    !(sh->everywhere = calloc(nt, sizeof *sh->everywhere)) ||
	    !(sh->ln_visits = calloc(nt, sizeof *sh->ln_visits)) ||
	    !(sh->chain_rtt = calloc(nr, sizeof *sh->chain_rtt)) ||
	    !(sh->call_price = calloc(nt * nr * nr, sizeof *sh->call_price)) ||
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
			/* Exponential service: P(S' > x) = e^{-x/S}. */
			pl->svc_pct = -S * log1p(-sh->p);
			pl->timeout = tier->timeout;
			pl->pct_cap = pl->timeout + pl->svc_pct;
			pl->max_instances = maxn;
			sh->pool_of[ti * nr + pl->region] = (long)sh->npools;
			sh->npools++;
		}
		sh->ln_visits[ti] = log(tier->visits);
		/* Routing: a region where the tier runs serves its own flow; a region where it does
		 * not sends its flow to the placed regions in equal shares. */
		sh->everywhere[ti] = 1;
		for (size_t r = 0; r < nr; r++)
			if (sh->pool_of[ti * nr + r] < 0)
				sh->everywhere[ti] = 0;
		for (size_t r = 0; r < nr; r++)
			scenario_route(sc, ti, r, &sh->route[(ti * nr + r) * nr]);
		struct qtable_family fam = {
			.service_time = S, .ca2 = 1.0, .cs2 = 1.0, .p = sh->p,
			.timeout = tier->timeout,
		};
		/* Noticed spot instances keep serving until their interruption while their
		 * replacements come in: up to twice the group's maximum in service. */
		long maxc = 2L * maxn * conc;
		if (maxc < 1)
			maxc = 1;
		sh->family[ti] = fam;
		if ((rc = qcache_new(&fam, maxc, &sh->qc[ti])) < 0)
			goto out;
		for (size_t j = sh->npools - tier->nplacement; j < sh->npools; j++)
			sh->pools[j].qc = sh->qc[ti];
		rc = CAPSIM_ENOMEM;
	}

	if (nr > 1 && chain_network(sh) < 0)
		goto out;

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
	if ((rc = billing_layout(sh)) < 0)
		goto out;
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
	free(sh->line_types);
	free(sh->rates);
	free(sh->ri);
	free(sh->sp);
	free(sh->advice_rate);
	free(sh->advice_fee);
	free(sh->shape);
	free(sh->pools);
	free(sh->pool_of);
	free(sh->route);
	free(sh->chain);
	free(sh->everywhere);
	free(sh->ln_visits);
	free(sh->chain_rtt);
	free(sh->call_price);
	memset(sh, 0, sizeof *sh);
}

/* ---------------------------------------------------------------- one replication */

enum { INST_FREE, INST_BOOTING, INST_SERVICE };
enum { OPT_OD, OPT_SPOT };

struct instance {
	double launched;       /* s */
	double ready;          /* s, when it entered service (or will) */
	int state;             /* INST_* */
	int option;            /* OPT_OD or OPT_SPOT */
	int zone;
	int counted;           /* 1 while it counts toward the group's capacity (not noticed
				  under capacity rebalancing) */
	int noticed;           /* a spot interruption notice was given */
	int partner;           /* return_to_spot's pairing, -1 when none: on an on-demand
				  instance handed back, its spot replacement's slot; on the
				  replacement, that instance's slot */
	long spool;            /* spot pool index within the pool, -1 on demand */
	size_t line;           /* billing line (on demand) within the pool */
	struct engine_handle boot;
	struct engine_handle notice;   /* the pending notice, then the pending interruption; on
					  demand, its retirement for a spot replacement */
	struct engine_handle fail;     /* the pending instance failure (instance_mtbf) */
};

/* A spot pool: one (instance type, zone) of a (tier, region) pool. */
struct spool {
	size_t type;
	int zone;
	int bucket;
	double hazard;         /* 1/s, per instance */
	double od_price;       /* USD/h, on demand */
	double base_price;     /* USD/h, on demand × (1 − discount) */
	double y;              /* log deviation of the price (models/spot.h) */
	double price;          /* USD/h now */
	double unavailable_until; /* s: reclaimed capacity, launches fail before this */
	int running;           /* spot instances of this pool running (noticed ones too) */
	double acc_seconds, acc_cost; /* this hour */
	size_t line;           /* billing line of its type within the pool */
};

/* A billing line: one instance type of a pool. */
struct line {
	size_t type;
	int od_running;        /* on-demand instances of the type running */
	double od_seconds;     /* this hour */
	double spot_seconds, spot_cost; /* this hour, gathered from the spools at settlement */
};

/* A pool's moving state during a replication. */
struct pool {
	const struct world_pool *def;
	struct world *w;
	const struct scenario_purchase *buy; /* NULL: everything on demand */
	struct instance *inst; /* [cap] slots; indices are stable (events name them) */
	int cap, used;         /* slots allocated, slots ever used (high-water mark) */
	int *free_slots;       /* [cap] stack of free slot indices */
	int nfree;
	int nactive;           /* instances counting toward the group's capacity */
	int nod, nspot;        /* of which on demand, spot */
	int nrunning;          /* every instance running (billed), noticed ones too */
	int nservice;          /* instances in service (serving load), noticed ones too */
	int *zone_count;       /* [zones] counted instances per zone */
	int zones;
	struct spool *spools;  /* [nspools] spot pools: spot types × zones */
	size_t nspools;
	struct spot_choice *choice; /* [nspools] scratch for spot_choose */
	struct line *lines;    /* [nlines] the on-demand type first, then the spot types */
	size_t nlines;
	size_t first_line;     /* index of lines[0] in the world's billing line array */
	double warm_from;      /* s, earliest time an in-service instance is past its warm-up */
	struct autoscale as;
	int has_policy;
	int predictive;        /* as.spec->has_predictive: record the demand every step */
	size_t region_row;     /* offset of its region's row in a bucket of the time series */
	int fallback_pending;  /* a fallback event is scheduled */
	struct engine_handle retry; /* a spot launch retry when a reclaimed pool can launch
				       again (spot_retry) */
	double retry_at;       /* s, its time while pending */
	int standby;           /* a DR recovery pool held at its standby count, policies off */
	int pre_outage_desired; /* desired count when its region's last outage began */
	int sched_min, sched_max; /* the bounds the scheduled actions have set, kept while in
				     standby for the failover */
	int at_max;            /* at its autoscaling max (track_max) since at_max_since */
	double at_max_since;   /* s */
	int fallback_now;      /* inside that event: a spot deficit may launch on demand */
	int last_slot;         /* the slot launch() filled last */
	int dr_hold;           /* a failed-back region waiting for its users: no scale-in (its
				  idle metric would shrink what it is to take them back with) */
	uint64_t eval_every;   /* steps between evaluations, 0 = never */
	uint64_t delay_steps;  /* steps of metric delay */
	uint64_t win_back;     /* delay_steps + eval_every: steps from k back to its window's start */
	double *util_cum;      /* ring of cumulative busy-instance sums by step: a power of two
				  of slots, at least eval_every + delay_steps + 2 */
	uint64_t ring_mask;    /* slots - 1 */
	uint64_t ring_k;       /* k mod slots for the current step k (no division per step) */
	uint64_t eval_left;    /* steps until the next evaluation */
	uint64_t metric_from;  /* first step whose metric window has data: delay_steps + 1 at
				  the start (windows cut at step 0), then win_back steps after the
				  last step with no instance in service (a window with such a step
				  has no data, as a utilisation alarm with no instance reporting) */
	double backlog;        /* requests waiting from earlier steps */
	double warmup;         /* s */
	double bill_t;         /* s, usage accumulated up to here */
	double mu_boot, sigma_boot;
	struct rng boot_rng, spot_rng, reclaim_rng, price_rng, fail_rng;
	/* per-step results */
	double lambda, fail_frac, pct, util, served, failed, capacity;
	double wait_prob;      /* P(wait > 0) */
	double resp_mean;      /* s, mean response time (at most pct): with pct, the spread
				  the end-to-end percentile adds up (flow_through) */
	uint64_t queued_k;     /* 1 + the last step k that ran past its capacity (serve's fluid
				  branch), 0 = none: that step's requests waited behind a queue
				  of q0 + qslope × t requests t s into it, between 0 and qcap,
				  qwait s at the longest; qextra of its arrivals were lost at
				  random (M/M/c+D) at the timeout */
	double q0, qslope, qcap, qwait, qextra;
	int st_ok;             /* that step drained at rho < 1: once the queue is gone its
				  requests meet the M/M/c queue of mean response st_mean and
				  spread st_d (percentile − mean) */
	double st_mean, st_d;
	/* Reciprocals kept while what they divide by stays put: a division per step sat on the
	 * step loop's critical path (bench/README.md). */
	long mu_servers;       /* servers the three below are for; 0 = none yet */
	double mu, inv_mu;     /* requests/s the servers sustain, and s per request */
	double ln_inv_mu;      /* ln inv_mu */
	uint64_t win_span;     /* steps of the metric window the reciprocal below is for */
	int win_service;       /* and instances in service */
	double inv_win;        /* 1 / (win_span × win_service) */
};

struct world {
	const struct world_shared *sh;
	struct lat_map *lat;   /* [nregions] the latency cells, sh->overall only */
	struct lat_queue *lat_queues; /* [npools] scratch for lat_add_sliced */
	double *lat_split;     /* [2 × ntiers] scratch for lat_add_sliced */
	int nqueued;           /* pools that ran a queue this step (serve's fluid branch) */
	const struct scenario *sc;
	struct engine eng;
	int ev_boot, ev_sched, ev_notice, ev_interrupt, ev_reclaim, ev_fallback, ev_hour, ev_retire;
	int ev_retry;
	int ev_fail, ev_outage_start, ev_outage_end, ev_outage_next, ev_dr;
	int *zone_down;        /* [nregions × WORLD_MAX_ZONES] outages in progress per zone */
	int *region_down;      /* [nregions] outages in progress per region */
	struct outage *outages; /* every outage started, in start order */
	size_t noutages, outages_cap;
	size_t open_outages;   /* outages still being measured */
	struct rng outage_rng; /* random outages: starts and durations */
	/* DNS: the users entering region r reach region r2 with weight
	 * prev + (target - prev) × min(1, (now - since[r]) / dns_ttl) ([r × nr + r2]): after a
	 * switch, cached answers expire uniformly over the TTL. */
	double *dns_prev, *dns_target, *dns_since;
	unsigned char *dns_out; /* [nr] active-active: region taken out of DNS (failed over) */
	unsigned char *dr_state; /* [nr] the region's failover: DR_IDLE, DR_PENDING (detection to
				   switch) or DR_MOVED (its users sent away) */
	uint32_t *dr_gen;      /* [nr] the region's failover: its steps carry it and stop where
				  it has moved on (a failover cancelled, or a new one started) */
	double *dr_from;       /* [nr] start of the outage that set the region's failover off */
	int dns_moving;        /* some switch is within its TTL, routing is not the identity, or
				  the regions' shares move with the hour: route_moving */
	double *split;         /* [nr × nr] this step's route of one tier placed in some regions
				  only: live_route */
	double *dns_flow;      /* [nr × nr] user requests/s from entry region r to region r2, this
				  step (only while dns_moving and with the regions' rtt) */
	double *user_rtt;      /* [nr] s the p-th percentile user of region r2 travels further
				  than to its own entry region: 0 unless DNS sends users across */
	double *share;         /* [nr] this step's share of the users entering each region when
				  regions peak apart (traffic_split), else NULL */
	struct rng dr_rng;     /* replication lags */
	int failover;          /* 0 normal, 1 failing over or failed over (primary/recovery) */
	size_t failover_outage; /* the outage being recovered from */
	struct pool *pools;
	struct billing_line *bl; /* [nlines] every pool's lines, for the hourly settlement */
	double *hourly;        /* [nadvice × nhours] on-demand instance-hours of each hour, per
				  advised (type, region) */
	size_t nlines;
	double hour_start;     /* s, start of the hour being accumulated */
	size_t bucket;         /* bucket of the current step */
	uint64_t bucket_left;  /* steps left in it */
	struct world_rep *out;
	uint64_t rep;
	int running_total;
	int err;
	/* per-region breach episodes */
	double *breach_start;  /* [nregions] s, or -1 */
	double *breach_failed; /* [nregions] user requests failed in the episode */
};

/* An outage and what it did, measured as the run goes. */
struct outage {
	int kind;              /* enum scenario_outage_kind */
	size_t region;
	long zone;             /* -1 for a region */
	double start, end;     /* s */
	double recovered;      /* s: first step start >= start meeting the availability SLO after
				  one below it (start itself if none was below), or -1 */
	double full;           /* s: first step start >= end with every pool of the region at its
				  desired count in service, or -1 */
	double failed;         /* user requests failed from the start until recovered */
	double rpo;            /* s of writes not yet copied to the recovery region; -1 none */
	double rpo_pending;    /* what rpo becomes if the users are switched away (DR_SWITCH):
				  a region back before that keeps its data */
	double served, served_pct; /* user requests served from the start to the end, and the
				  sum of each one's e2e percentile: the latency during it */
	int measuring;
	int breached;          /* some step since the start was below the availability SLO */
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
		if (cap > RUN_MAX_EVENTS)
			cap = RUN_MAX_EVENTS;   /* the documented most, not the next power of two */
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

static void fail_run(struct world *w, int rc)
{
	if (rc < 0 && !w->err) {
		w->err = rc;
		engine_stop(&w->eng);
	}
}

/* Accumulates the pool's usage (instance-seconds, spot cost) up to now. */
static void bill(struct pool *p, double now)
{
	double dt = now - p->bill_t;
	if (!(dt > 0))
		return;
	for (size_t i = 0; i < p->nlines; i++)
		p->lines[i].od_seconds += (double)p->lines[i].od_running * dt;
	for (size_t i = 0; i < p->nspools; i++) {
		struct spool *s = &p->spools[i];
		if (s->running) {
			s->acc_seconds += (double)s->running * dt;
			s->acc_cost += (double)s->running * dt * s->price / 3600.0;
		}
	}
	p->w->out->scalar[W_INSTANCE_SECONDS] += (double)p->nrunning * dt;
	p->bill_t = now;
}

static int alloc_slot(struct pool *p)
{
	if (p->nfree > 0)
		return p->free_slots[--p->nfree];
	if (p->used == p->cap) {
		int cap = p->cap ? 2 * p->cap : 8;
		struct instance *in = realloc(p->inst, (size_t)cap * sizeof *in);
		if (!in)
			return CAPSIM_ENOMEM;
		p->inst = in;
		int *fs = realloc(p->free_slots, (size_t)cap * sizeof *fs);
		if (!fs)
			return CAPSIM_ENOMEM;
		p->free_slots = fs;
		p->cap = cap;
	}
	return p->used++;
}

/* Counts instance in toward the group's capacity again. */
static void recount(struct pool *p, struct instance *in)
{
	if (in->counted)
		return;
	in->counted = 1;
	p->nactive++;
	if (in->option == OPT_OD)
		p->nod++;
	else
		p->nspot++;
	p->zone_count[in->zone]++;
}

/* Stops counting instance in toward the group's capacity. */
static void uncount(struct pool *p, struct instance *in)
{
	if (!in->counted)
		return;
	in->counted = 0;
	p->nactive--;
	if (in->option == OPT_OD)
		p->nod--;
	else
		p->nspot--;
	p->zone_count[in->zone]--;
}

/* 1 when zone z of the pool's region can host instances now (no outage there). */
static int zone_up(const struct pool *p, int z)
{
	const struct world *w = p->w;
	size_t r = p->def->region;
	return w->region_down[r] == 0 && w->zone_down[r * WORLD_MAX_ZONES + (size_t)z] == 0;
}

/* Launches one instance: on demand, or spot in spool s. Returns 0, 1 when no zone can take an
 * on-demand instance (an outage), or a CAPSIM_E* code. */
static int launch(struct pool *p, int option, long s, double now)
{
	struct world *w = p->w;
	int odzone = -1;
	if (option == OPT_OD) {
		for (int z = 0; z < p->zones; z++)
			if (zone_up(p, z) && (odzone < 0 || p->zone_count[z] < p->zone_count[odzone]))
				odzone = z;
		if (odzone < 0)
			return 1;
	}
	int slot = alloc_slot(p);
	if (slot < 0)
		return slot;
	bill(p, now);
	struct instance *in = &p->inst[slot];
	memset(in, 0, sizeof *in);
	in->partner = -1;
	p->last_slot = slot;
	in->option = option;
	in->spool = s;
	if (option == OPT_SPOT) {
		in->zone = p->spools[s].zone;
		in->line = p->spools[s].line;
	} else {
		in->zone = odzone;
		in->line = 0;
	}
	double boot = exp(p->mu_boot + p->sigma_boot * rng_normal(&p->boot_rng, 0, 1));
	in->launched = now;
	in->ready = now + boot;
	in->state = INST_BOOTING;
	if (in->ready + p->warmup > p->as.hold_in_until)
		p->as.hold_in_until = in->ready + p->warmup;   /* no scale-in while it warms up */
	in->counted = 1;
	int rc = engine_schedule(&w->eng, in->ready, w->ev_boot, p, (uint64_t)slot, &in->boot);
	if (rc < 0)
		return rc;
	double mtbf = w->sc->has_failures ? w->sc->failures.instance_mtbf : 0;
	if (mtbf > 0) {
		double t = now + rng_exponential(&p->fail_rng, mtbf);
		if (t < w->sc->horizon &&
		    (rc = engine_schedule(&w->eng, t, w->ev_fail, p, (uint64_t)slot, &in->fail)) < 0)
			return rc;
	}
	if (option == OPT_SPOT) {
		/* A constant hazard: the time to interruption is exponential, memoryless. */
		double t = now + rng_exponential(&p->spot_rng, 1.0 / p->spools[s].hazard);
		if (t < w->sc->horizon &&
		    (rc = engine_schedule(&w->eng, t, w->ev_notice, p, (uint64_t)slot,
					  &in->notice)) < 0)
			return rc;
		p->spools[s].running++;
		p->nspot++;
	} else {
		p->lines[0].od_running++;
		p->nod++;
	}
	p->zone_count[in->zone]++;
	p->nactive++;
	p->nrunning++;
	w->running_total++;
	if (w->running_total > w->out->scalar[W_PEAK_INSTANCES])
		w->out->scalar[W_PEAK_INSTANCES] = w->running_total;
	return 0;
}

/* The pool's scale-in hold from its instances: until the last launched since the start has
 * warmed up (the starting fleet, ready at 0, never warms up). */
static void rehold(struct pool *p)
{
	p->as.hold_in_until = -INFINITY;
	for (int i = 0; i < p->used; i++)
		if (p->inst[i].state != INST_FREE && p->inst[i].ready > 0 &&
		    p->inst[i].ready + p->warmup > p->as.hold_in_until)
			p->as.hold_in_until = p->inst[i].ready + p->warmup;
}

/* Terminates the instance in slot: by the group (billed at least 60 s) or by the provider
 * (an interruption, failure or outage: an on-demand instance still at least 60 s, a spot
 * instance the seconds used). */
/* When an instance in service counts in the metric: past its warm-up, or from the start for
 * the starting fleet (ready 0). */
static double warm_at(const struct pool *p, const struct instance *in)
{
	return in->ready > 0 ? in->ready + p->warmup : 0;
}

static void terminate(struct pool *p, int slot, int by_provider, double now)
{
	struct world *w = p->w;
	struct instance *in = &p->inst[slot];
	bill(p, now);
	if (in->partner >= 0) {
		struct instance *o = &p->inst[in->partner];
		o->partner = -1;
		in->partner = -1;
		if (in->option == OPT_SPOT && in->state == INST_BOOTING) {
			/* A replacement lost before it served: the on-demand instance it was to
			 * relieve stays, counted again (the next billing hour tries again). */
			engine_cancel(&w->eng, o->notice);
			recount(p, o);
		}
	}
	double life = now - in->launched;
	uncount(p, in);
	if (in->option == OPT_SPOT) {
		struct spool *s = &p->spools[in->spool];
		s->running--;
		if (!by_provider && life < BILL_MIN_S) {
			s->acc_seconds += BILL_MIN_S - life;
			s->acc_cost += (BILL_MIN_S - life) * s->price / 3600.0;
		}
		engine_cancel(&w->eng, in->notice);
	} else {
		p->lines[0].od_running--;
		if (life < BILL_MIN_S)
			p->lines[0].od_seconds += BILL_MIN_S - life;
		engine_cancel(&w->eng, in->notice);   /* a retirement (return_to_spot) */
	}
	engine_cancel(&w->eng, in->fail);
	if (in->state == INST_BOOTING) {
		engine_cancel(&w->eng, in->boot);
	} else {
		p->nservice--;
		if (warm_at(p, in) <= p->warm_from) {
			/* It may have been the earliest warm one: find the new earliest. */
			p->warm_from = INFINITY;
			for (int i = 0; i < p->used; i++)
				if (i != slot && p->inst[i].state == INST_SERVICE &&
				    warm_at(p, &p->inst[i]) < p->warm_from)
					p->warm_from = warm_at(p, &p->inst[i]);
		}
	}
	in->state = INST_FREE;
	/* It may have been the last to finish warming up: find the new last. */
	if (in->ready > 0 && in->ready + p->warmup >= p->as.hold_in_until && !p->dr_hold)
		rehold(p);
	p->free_slots[p->nfree++] = slot;
	p->nrunning--;
	w->running_total--;
}

/* The newest counted instance of an option, or -1. */
static int newest(const struct pool *p, int option)
{
	int best = -1;
	for (int i = 0; i < p->used; i++) {
		const struct instance *in = &p->inst[i];
		if (in->state == INST_FREE || !in->counted || in->option != option)
			continue;
		if (best < 0 || in->launched >= p->inst[best].launched)
			best = i;
	}
	return best;
}

/* The spot pool a launch goes to now, or -1. */
static long pick_spool(struct pool *p, double now)
{
	for (size_t i = 0; i < p->nspools; i++) {
		p->choice[i].zone = p->spools[i].zone;
		p->choice[i].price = p->spools[i].price;
		p->choice[i].bucket = p->spools[i].bucket;
		p->choice[i].available = now >= p->spools[i].unavailable_until &&
					 zone_up(p, p->spools[i].zone);
	}
	return spot_choose(p->choice, p->nspools, (enum spot_strategy)p->buy->allocation,
			   p->zone_count, p->zones);
}

/* A spot deficit no pool can launch now: try again when the first reclaimed pool of a zone
 * that is up can launch (an Auto Scaling group keeps retrying its launches; a pool with no
 * policy would otherwise wait for an unrelated event). Zones down are retried at the
 * outage's end. */
static int spot_retry(struct pool *p, double now)
{
	struct world *w = p->w;
	double at = INFINITY;
	for (size_t i = 0; i < p->nspools; i++)
		if (p->spools[i].unavailable_until > now && p->spools[i].unavailable_until < at &&
		    zone_up(p, p->spools[i].zone))
			at = p->spools[i].unavailable_until;
	if (!(at < w->sc->horizon))
		return 0;
	if (engine_is_pending(&w->eng, p->retry)) {
		if (p->retry_at <= at)
			return 0;
		engine_cancel(&w->eng, p->retry);
	}
	p->retry_at = at;
	return engine_schedule(&w->eng, at, w->ev_retry, p, 0, &p->retry);
}

/* Makes the pool hold `desired` counted instances, on demand and spot as the purchase mix
 * asks (models/spot.h): scale-in terminates the newest instances of whichever option is over
 * its share; scale-out launches the missing ones. A spot launch with no available pool falls
 * back to on demand (at once, or once fallback_delay has passed), or waits. */
static int resize(struct pool *p, int desired, double now)
{
	struct world *w = p->w;
	int rc;
	int od_target = p->buy ? spot_on_demand_count(desired, p->buy->on_demand_base,
						      p->buy->on_demand_above_base)
			       : desired;
	int spot_target = desired - od_target;
	while (p->nactive > desired) {
		int opt = p->nspot > spot_target ? OPT_SPOT : OPT_OD;
		int slot = newest(p, opt);
		if (slot < 0)
			slot = newest(p, opt == OPT_SPOT ? OPT_OD : OPT_SPOT);
		if (slot < 0)
			break;
		terminate(p, slot, 0, now);
	}
	while (p->nod < od_target && p->nactive < desired) {
		if ((rc = launch(p, OPT_OD, -1, now)) < 0)
			return rc;
		if (rc == 1)
			return 0;   /* every zone is down: the next resize tries again */
	}
	while (p->buy && p->nactive < desired) {
		long s = pick_spool(p, now);
		if (s >= 0) {
			if ((rc = launch(p, OPT_SPOT, s, now)) < 0)
				return rc;
			continue;
		}
		if (p->buy->fallback_on_demand &&
		    (p->buy->fallback_delay <= 0 || p->fallback_now)) {
			if ((rc = launch(p, OPT_OD, -1, now)) < 0)
				return rc;
			if (rc == 1)
				return 0;
			w->out->scalar[W_FALLBACKS]++;
			continue;
		}
		if ((rc = spot_retry(p, now)) < 0)
			return rc;
		if (!p->buy->fallback_on_demand)
			break;
		if (!p->fallback_pending) {
			p->fallback_pending = 1;
			double at = now + p->buy->fallback_delay;
			if (at < w->sc->horizon &&
			    (rc = engine_schedule(&w->eng, at, w->ev_fallback, p, 0, NULL)) < 0)
				return rc;
		}
		break;
	}
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

/* A spot instance receives its two-minute notice. */
static void notice(struct pool *p, int slot, double now)
{
	struct world *w = p->w;
	struct instance *in = &p->inst[slot];
	if (in->noticed)
		return;
	engine_cancel(&w->eng, in->notice);
	in->noticed = 1;
	w->out->scalar[W_INTERRUPTIONS]++;
	int rc = engine_schedule(&w->eng, now + SPOT_NOTICE, w->ev_interrupt, p, (uint64_t)slot,
				 &in->notice);
	if (rc == 0 && p->buy->capacity_rebalance) {
		/* Rebalancing launches the replacement at the notice. */
		uncount(p, in);
		rc = resize(p, p->as.desired, now);
	}
	fail_run(w, rc);
}

static void on_notice(struct engine *eng, struct event *ev, void *ctx)
{
	(void)ctx;
	notice(ev->obj, (int)ev->arg, engine_now(eng));
}

static void on_interrupt(struct engine *eng, struct event *ev, void *ctx)
{
	struct world *w = ctx;
	struct pool *p = ev->obj;
	double now = engine_now(eng);
	terminate(p, (int)ev->arg, 1, now);
	/* The group replaces what it lost (with rebalancing it already has). */
	fail_run(w, resize(p, p->as.desired, now));
}

/* A correlated reclaim of spot pool s: a share of its instances get notices at once, and the
 * pool cannot launch for a while. */
static void on_reclaim(struct engine *eng, struct event *ev, void *ctx)
{
	struct world *w = ctx;
	struct pool *p = ev->obj;
	struct spool *s = &p->spools[ev->arg];
	const struct scenario_reclaims *rc_spec = &p->buy->reclaims;
	double now = engine_now(eng);
	double f = rc_spec->fraction_lo +
		   (rc_spec->fraction_hi - rc_spec->fraction_lo) * rng_uniform(&p->reclaim_rng);
	/* The instances not yet noticed, taken in a random order (a partial shuffle). */
	int n = 0;
	for (int i = 0; i < p->used; i++)
		if (p->inst[i].state != INST_FREE && p->inst[i].option == OPT_SPOT &&
		    p->inst[i].spool == (long)ev->arg && !p->inst[i].noticed)
			p->free_slots[p->nfree + n++] = i;   /* scratch above the free stack */
	/* f × n instances, rounded up with a probability of its fraction: the share taken is f
	 * on average whatever the pool's size (to the nearest, a pool of one at f < 0.5 was
	 * never hit, and 2 of 5 were taken at f = 0.3). */
	double x = f * n;
	int k = (int)floor(x);
	if (x > k && rng_uniform(&p->reclaim_rng) < x - k)
		k++;
	int *cand = &p->free_slots[p->nfree];
	for (int i = 0; i < k; i++) {
		int j = i + (int)rng_uniform_int(&p->reclaim_rng, (unsigned long)(n - i));
		int t = cand[i];
		cand[i] = cand[j];
		cand[j] = t;
	}
	/* Notices can launch replacements (and so move the free stack): copy the victims. */
	int *victims = k > 0 ? malloc((size_t)k * sizeof *victims) : NULL;
	if (k > 0 && !victims) {
		fail_run(w, CAPSIM_ENOMEM);
		return;
	}
	for (int i = 0; i < k; i++)
		victims[i] = cand[i];
	s->unavailable_until = now + rc_spec->unavailable;
	w->out->scalar[W_RECLAIMS]++;
	w->out->scalar[W_RECLAIMS_HIT] += k > 0;
	if (w->sh->record_events && w->rep == 0) {
		const struct scenario_region *reg = &w->sc->regions[p->def->region];
		char d[2 * RUN_EVENT_DETAIL_MAX];
		snprintf(d, sizeof d, "pool %s in zone %s: %d of %d spot instances, no launches "
			 "for %.0f s", w->sc->instance_types[s->type].name, reg->zones[s->zone], k,
			 n, rc_spec->unavailable);
		add_event(w, now, (long)p->def->region, (long)p->def->tier, "spot_reclaim", k, d);
	}
	for (int i = 0; i < k; i++)
		notice(p, victims[i], now);
	free(victims);
	double next = now + rng_exponential(&p->reclaim_rng,
					    SCENARIO_MONTH / rc_spec->rate_per_month);
	if (next < w->sc->horizon)
		fail_run(w, engine_schedule(eng, next, w->ev_reclaim, p, ev->arg, NULL));
}

static void on_fallback(struct engine *eng, struct event *ev, void *ctx)
{
	struct world *w = ctx;
	struct pool *p = ev->obj;
	p->fallback_pending = 0;
	p->fallback_now = 1;
	fail_run(w, resize(p, p->as.desired, engine_now(eng)));
	p->fallback_now = 0;
}

static void on_retry(struct engine *eng, struct event *ev, void *ctx)
{
	struct world *w = ctx;
	struct pool *p = ev->obj;
	fail_run(w, resize(p, p->as.desired, engine_now(eng)));
}

/* An instance fails (instance_mtbf): gone at once, billed the seconds it ran (terminate: at
 * least 60 on demand, as AWS bills any instance; a spot instance the seconds used); the group
 * replaces it. */
static void on_fail(struct engine *eng, struct event *ev, void *ctx)
{
	struct world *w = ctx;
	struct pool *p = ev->obj;
	double now = engine_now(eng);
	terminate(p, (int)ev->arg, 1, now);
	w->out->scalar[W_INSTANCE_FAILURES]++;
	fail_run(w, resize(p, p->as.desired, now));
}

static void outage_name(const struct world *w, const struct outage *o, char *buf, size_t n)
{
	const struct scenario_region *r = &w->sc->regions[o->region];
	if (o->zone < 0)
		snprintf(buf, n, "region %s", r->name);
	else
		snprintf(buf, n, "zone %s/%s", r->name, r->zones[o->zone]);
}

static int dr_outage_begin(struct world *w, struct outage *o);
static int dr_outage_end(struct world *w, struct outage *o);

/* Starts an outage: its zone (or region) loses every instance and can launch none until it
 * ends; the groups there relaunch elsewhere in the region if they can. */
static int outage_begin(struct world *w, int kind, size_t region, long zone, double duration)
{
	double now = engine_now(&w->eng);
	if (w->noutages == w->outages_cap) {
		size_t cap = w->outages_cap ? 2 * w->outages_cap : 16;
		struct outage *o = realloc(w->outages, cap * sizeof *o);
		if (!o)
			return CAPSIM_ENOMEM;
		w->outages = o;
		w->outages_cap = cap;
	}
	size_t id = w->noutages++;
	struct outage *o = &w->outages[id];
	*o = (struct outage){ .kind = kind, .region = region, .zone = zone, .start = now,
			      .end = now + duration, .recovered = -1, .full = -1, .rpo = -1,
			      .rpo_pending = -1, .measuring = 1 };
	w->open_outages++;
	w->out->scalar[W_OUTAGES]++;
	if (zone < 0)
		w->region_down[region]++;
	else
		w->zone_down[region * WORLD_MAX_ZONES + (size_t)zone]++;
	int rc = 0;
	for (size_t i = 0; i < w->sh->npools && rc == 0; i++) {
		struct pool *p = &w->pools[i];
		if (p->def->region != region)
			continue;
		p->pre_outage_desired = p->as.desired;
		for (int k = 0; k < p->used; k++) {
			struct instance *in = &p->inst[k];
			if (in->state != INST_FREE && (zone < 0 || in->zone == (int)zone))
				terminate(p, k, 1, now);
		}
		rc = resize(p, p->as.desired, now);
	}
	if (rc == 0 && o->end < w->sc->horizon)
		rc = engine_schedule(&w->eng, o->end, w->ev_outage_end, NULL, id, NULL);
	if (rc == 0)
		rc = dr_outage_begin(w, o);
	return rc;
}

static void on_outage_start(struct engine *eng, struct event *ev, void *ctx)
{
	struct world *w = ctx;
	(void)eng;
	const struct scenario_outage *so = &w->sc->failures.scripted[ev->arg];
	fail_run(w, outage_begin(w, so->kind, so->region, so->zone, so->duration));
}

static void on_outage_end(struct engine *eng, struct event *ev, void *ctx)
{
	struct world *w = ctx;
	struct outage *o = &w->outages[ev->arg];
	double now = engine_now(eng);
	if (o->zone < 0)
		w->region_down[o->region]--;
	else
		w->zone_down[o->region * WORLD_MAX_ZONES + (size_t)o->zone]--;
	int rc = 0;
	for (size_t i = 0; i < w->sh->npools && rc == 0; i++)
		if (w->pools[i].def->region == o->region)
			rc = resize(&w->pools[i], w->pools[i].as.desired, now);
	if (rc == 0)
		rc = dr_outage_end(w, o);
	fail_run(w, rc);
}

/* The next random outage of a zone (arg = region × WORLD_MAX_ZONES + zone) or a region
 * (arg = WORLD_REGION_FLAG | region): it starts now; its duration is drawn; the following
 * one is scheduled after an exponential gap (a Poisson process of starts). */
#define WORLD_REGION_FLAG (1ull << 40)
static void on_outage_next(struct engine *eng, struct event *ev, void *ctx)
{
	struct world *w = ctx;
	const struct scenario_failures *f = &w->sc->failures;
	int is_region = (ev->arg & WORLD_REGION_FLAG) != 0;
	uint64_t a = ev->arg & ~WORLD_REGION_FLAG;
	const struct scenario_outage_law *law = is_region ? &f->region_outages : &f->zone_outages;
	double mu, sigma, now = engine_now(eng);
	int rc = lognormal_from_median_p95(law->duration_median, law->duration_p95, &mu, &sigma);
	if (rc == 0) {
		double d = exp(mu + sigma * rng_normal(&w->outage_rng, 0, 1));
		if (is_region)
			rc = outage_begin(w, SCENARIO_OUTAGE_REGION, (size_t)a, -1, d);
		else
			rc = outage_begin(w, SCENARIO_OUTAGE_ZONE, (size_t)(a / WORLD_MAX_ZONES),
					  (long)(a % WORLD_MAX_ZONES), d);
	}
	double next = now + rng_exponential(&w->outage_rng, WORLD_YEAR / law->rate_per_year);
	if (rc == 0 && next < w->sc->horizon)
		rc = engine_schedule(eng, next, w->ev_outage_next, NULL, ev->arg, NULL);
	fail_run(w, rc);
}

/* After a step's load: the open outages' recovery and latency. ok_frac and failed: the step's
 * success fraction and user requests failed; served and served_pct: its user requests served
 * and the sum of their e2e percentile. */
static void measure_outages(struct world *w, double now, double ok_frac, double failed,
			    double served, double served_pct)
{
	double target = w->sh->availability_target;
	for (size_t i = 0; i < w->noutages && w->open_outages; i++) {
		struct outage *o = &w->outages[i];
		if (!o->measuring || now < o->start)
			continue;
		if (now < o->end) {
			o->served += served;
			o->served_pct += served_pct;
		}
		if (o->recovered < 0) {
			/* A service that never fell below the SLO recovered at once: RTO 0, not the
			 * time from an outage starting within a step to the next step. */
			if (ok_frac >= target)
				o->recovered = o->breached ? now : o->start;
			else {
				o->breached = 1;
				o->failed += failed;
			}
		}
		if (o->full < 0 && now >= o->end) {
			int full = 1;
			for (size_t j = 0; j < w->sh->npools && full; j++) {
				const struct pool *p = &w->pools[j];
				if (p->def->region == o->region && p->nservice < p->as.desired)
					full = 0;
			}
			if (full)
				o->full = now;
		}
		if (o->recovered >= 0 && o->full >= 0) {
			o->measuring = 0;
			w->open_outages--;
		}
	}
}

struct event_key {
	double time;
	size_t index;
};

static int cmp_event_key(const void *a, const void *b)
{
	const struct event_key *x = a, *y = b;
	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	return (x->index > y->index) - (x->index < y->index);
}

/* Puts the replication's events in time order (ties in the order they were recorded). */
static int sort_events(struct world_rep *out)
{
	size_t n = out->nevents;
	if (n < 2)
		return 0;
	struct event_key *k = malloc(n * sizeof *k);
	struct run_event *e = malloc(n * sizeof *e);
	if (!k || !e) {
		free(k);
		free(e);
		return CAPSIM_ENOMEM;
	}
	for (size_t i = 0; i < n; i++)
		k[i] = (struct event_key){ out->events[i].time, i };
	qsort(k, n, sizeof *k, cmp_event_key);
	for (size_t i = 0; i < n; i++)
		e[i] = out->events[k[i].index];
	memcpy(out->events, e, n * sizeof *e);
	free(k);
	free(e);
	return 0;
}

/* Records every outage of the replication: an event each, and its RTOs. */
static int report_outages(struct world *w)
{
	struct world_rep *out = w->out;
	if (w->noutages == 0)
		return 0;
	if (!(out->rto = malloc(w->noutages * sizeof *out->rto)) ||
	    !(out->rto_full = malloc(w->noutages * sizeof *out->rto_full)) ||
	    !(out->rto_open = malloc(w->noutages * sizeof *out->rto_open)) ||
	    !(out->full_open = malloc(w->noutages * sizeof *out->full_open)) ||
	    !(out->rpo = malloc(w->noutages * sizeof *out->rpo)) ||
	    !(out->outage_pct = malloc(w->noutages * sizeof *out->outage_pct)))
		return CAPSIM_ENOMEM;
	for (size_t i = 0; i < w->noutages; i++) {
		const struct outage *o = &w->outages[i];
		double horizon = w->sc->horizon;
		/* Not recovered by the horizon: the RTO is at least the time left (a lower
		 * bound, reported as such). */
		double rto = (o->recovered >= 0 ? o->recovered : horizon) - o->start;
		double full = (o->full >= 0 ? o->full : horizon) - o->start;
		out->rto[out->nrto] = rto;
		out->rpo[out->nrto] = o->rpo;
		out->outage_pct[out->nrto] = o->served > 0 ? o->served_pct / o->served : -1;
		out->rto_open[out->nrto] = o->recovered < 0;
		out->full_open[out->nrto] = o->full < 0;
		out->rto_full[out->nrto++] = full;
		char name[2 * SCENARIO_NAME_MAX + 16], d[2 * RUN_EVENT_DETAIL_MAX], rpo[64] = "";
		outage_name(w, o, name, sizeof name);
		if (o->rpo >= 0)
			snprintf(rpo, sizeof rpo, o->rpo < 1000 ? "; RPO %.3g s (%.0f writes)" :
				 "; RPO %.0f s (%.0f writes)", o->rpo, o->rpo * w->sc->data.write_rate);
		snprintf(d, sizeof d, "%s for %.0f s: full capacity after %.0f s%s; %.0f failed%s",
			 name, o->end - o->start, full,
			 o->recovered < 0 ? " (not recovered)" : "", o->failed, rpo);
		add_event(w, o->start, (long)o->region, -1,
			  o->kind == SCENARIO_OUTAGE_REGION ? "region_outage" : "zone_outage", rto,
			  d);
		if (o->rpo >= 0)
			add_event(w, o->start, (long)o->region, -1, "rpo", o->rpo,
				  "s of writes not yet in the recovery region");
	}
	return 0;
}

/* Keeps the time pool p spends at its autoscaling max: desired = max > min with a dynamic
 * policy on (not in standby), where demand beyond it goes unserved. Called wherever desired,
 * max or standby change: events, never the step loop. */
static void track_max(struct pool *p, double now)
{
	const struct scenario_autoscaling *s = p->as.spec;
	int at = (s->has_target_tracking || s->has_step_scaling) && !p->standby &&
		 p->as.max > p->as.min && p->as.desired >= p->as.max;
	if (at == p->at_max)
		return;
	if (p->at_max)
		p->w->out->pool_at_max[p - p->w->pools] += now - p->at_max_since;
	else
		p->at_max_since = now;
	p->at_max = at;
}

static void scaled(struct pool *p, int before, double now, const char *why)
{
	struct world *w = p->w;
	if (p->as.desired == before)
		return;
	track_max(p, now);
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
	int before = p->as.desired, rc = 0;
	if (p->standby) {
		/* A standby pool keeps its standby size; the bounds the action sets hold from the
		 * failover on (set_standby). */
		struct autoscale as = p->as;
		as.min = p->sched_min;
		as.max = p->sched_max;
		autoscale_apply_scheduled(&as, act);
		p->sched_min = as.min;
		p->sched_max = as.max;
	} else {
		autoscale_apply_scheduled(&p->as, act);
		p->sched_min = p->as.min;
		p->sched_max = p->as.max;
		scaled(p, before, now, "scheduled");
		track_max(p, now);   /* the action may move max alone */
		rc = resize(p, p->as.desired, now);
	}
	double next = autoscale_next_scheduled(act, now);
	if (rc == 0 && isfinite(next) && next < w->sc->horizon)
		rc = engine_schedule(eng, next, w->ev_sched, p, ev->arg, NULL);
	fail_run(w, rc);
}

/* The month of time t. */
static size_t month_of(const struct world_shared *sh, double t)
{
	size_t m = (size_t)(t / SCENARIO_MONTH + 1e-9);
	return m < sh->nmonths ? m : sh->nmonths - 1;
}

/* Adds value × (seconds of [t0, t1) in each bucket) / step to field f of series s: a rate
 * over [t0, t1) becomes its share of the buckets' time averages. */
static void spread(struct world *w, size_t s, enum run_ts_field f, double value, double t0,
		   double t1)
{
	const struct world_shared *sh = w->sh;
	size_t b = (size_t)(t0 / sh->bucket);
	while (b < sh->nbuckets) {
		double b0 = (double)b * sh->bucket, b1 = b0 + sh->bucket;
		double lo = t0 > b0 ? t0 : b0, hi = t1 < b1 ? t1 : b1;
		if (hi > lo)
			w->out->ts[(b * sh->nseries + s) * RUN_TS_NFIELDS + f] +=
				value * (hi - lo) / sh->step;
		if (b1 >= t1)
			break;
		b++;
	}
}

/* Settles the hour [w->hour_start, t_end): every line's usage through the billing engine,
 * costs into months, pools, options and the time series. */
static int settle(struct world *w, double t_end)
{
	const struct world_shared *sh = w->sh;
	double t0 = w->hour_start, len = t_end - t0;
	if (!(len > 0))
		return 0;
	for (size_t i = 0; i < sh->npools; i++) {
		struct pool *p = &w->pools[i];
		bill(p, t_end);
		for (size_t j = 0; j < p->nlines; j++)
			p->lines[j].spot_seconds = p->lines[j].spot_cost = 0;
		for (size_t j = 0; j < p->nspools; j++) {
			struct spool *s = &p->spools[j];
			p->lines[s->line].spot_seconds += s->acc_seconds;
			p->lines[s->line].spot_cost += s->acc_cost;
			s->acc_seconds = s->acc_cost = 0;
		}
		for (size_t j = 0; j < p->nlines; j++) {
			struct billing_line *b = &w->bl[p->first_line + j];
			b->od_hours = p->lines[j].od_seconds / 3600.0;
			b->spot_hours = p->lines[j].spot_seconds / 3600.0;
			b->spot_cost = p->lines[j].spot_cost;
			p->lines[j].od_seconds = 0;
		}
	}
	/* The hour's on-demand usage of each advised (type, region), before any discount. */
	size_t hour = (size_t)(t0 / 3600.0);
	if (hour >= sh->nhours)
		hour = sh->nhours - 1;
	for (size_t l = 0; w->hourly && l < w->nlines; l++)
		for (size_t a = 0; a < sh->nadvice; a++)
			if (w->bl[l].rate == sh->advice_rate[a])
				w->hourly[a * sh->nhours + hour] += w->bl[l].od_hours;
	if (w->out->hourly_od)
		for (size_t i = 0; i < sh->npools; i++)
			w->out->hourly_od[i * sh->nhours + hour] +=
				w->bl[w->pools[i].def->first_line].od_hours;
	/* A slice shorter than an hour (the horizon's last) pays its share of the commitments. */
	double hours = len / 3600.0;
	struct billing_hour h;
	int rc = billing_apply_hour(&sh->plan, w->bl, w->nlines, hours < 1.0 ? hours : 1.0, &h);
	if (rc < 0)
		return rc;
	struct world_rep *o = w->out;
	size_t m = month_of(sh, t0);
	for (size_t i = 0; i < sh->npools; i++) {
		struct pool *p = &w->pools[i];
		size_t reg_series = sh->npools + p->def->region;
		double cost = 0;
		for (size_t j = 0; j < p->nlines; j++) {
			const struct billing_line *b = &w->bl[p->first_line + j];
			for (int opt = 0; opt < BILL_NOPTIONS; opt++) {
				o->month_cost[(m * sh->npools + i) * BILL_NOPTIONS + opt] += b->cost[opt];
				o->option_hours[opt] += b->hours[opt];
				cost += b->cost[opt];
				static const enum run_ts_field paid[BILL_NOPTIONS] = {
					[BILL_ON_DEMAND] = RUN_TS_PAID_ON_DEMAND,
					[BILL_SPOT] = RUN_TS_PAID_SPOT,
					[BILL_RESERVED] = RUN_TS_PAID_RESERVED,
					[BILL_SAVINGS_PLAN] = RUN_TS_PAID_SAVINGS_PLAN,
				};
				if (b->hours[opt] > 0) {
					spread(w, i, paid[opt], b->hours[opt] / hours, t0, t_end);
					spread(w, reg_series, paid[opt], b->hours[opt] / hours, t0,
					       t_end);
				}
			}
		}
		o->pool_cost[i] += cost;
		o->scalar[W_COST] += cost;
		if (cost > 0) {
			spread(w, i, RUN_TS_COST_RATE, cost / hours, t0, t_end);
			spread(w, reg_series, RUN_TS_COST_RATE, cost / hours, t0, t_end);
		}
	}
	/* The strategy's standing data costs: replication traffic between the regions (every
	 * strategy but backup and restore) and backup storage. The all-on-demand
	 * counterfactual pays them too: they do not depend on how instances are paid. */
	if (w->sc->has_dr && w->sc->has_data) {
		const struct scenario_data *d = &w->sc->data;
		double transfer = w->sc->dr.strategy == SCENARIO_DR_BACKUP_RESTORE ? 0 :
			d->write_rate * d->write_kb * 1e-6 * len * d->transfer_price_gb;
		double backup = d->size_gb * d->backup_price_gb_month * len / SCENARIO_MONTH;
		o->month_dr[m] += transfer + backup;
		o->scalar[W_DR_TRANSFER] += transfer;
		o->scalar[W_DR_BACKUP] += backup;
		o->scalar[W_COST] += transfer + backup;
	}
	double unused = h.ri_unused + (h.sp_commitment - h.sp_used);
	o->month_unused[m] += unused;
	o->scalar[W_COST] += unused;
	o->scalar[W_UNUSED_COMMITMENT] += unused;
	o->scalar[W_RI_HOURS] += h.ri_hours;
	o->scalar[W_RI_USED_HOURS] += h.ri_used_hours;
	o->scalar[W_OD_ELIGIBLE_HOURS] += h.od_eligible_hours;
	o->scalar[W_SP_COMMITMENT] += h.sp_commitment;
	o->scalar[W_SP_USED] += h.sp_used;
	o->scalar[W_SP_COVERED_EQUIV] += h.sp_covered_od_equiv;
	o->scalar[W_OD_EQUIV] += h.od_equiv - h.ri_covered_od_equiv;
	w->hour_start = t_end;
	return 0;
}

/* An on-demand instance handed back for a spot one (return_to_spot): its replacement is in
 * service, and the group terminates it. */
static void on_retire(struct engine *eng, struct event *ev, void *ctx)
{
	(void)ctx;
	terminate(ev->obj, (int)ev->arg, 0, engine_now(eng));
}

/* Back to the purchase mix after falling back to on demand: while the pool holds more
 * on-demand instances than its mix asks and a spot pool can launch, the newest extra one is
 * replaced by a spot instance and terminated once the replacement is in service. It stops
 * counting toward the group at once, as a noticed instance under capacity rebalancing does,
 * and serves until then; if the replacement is lost before that (an interruption, a failure,
 * an outage, a scale-in), it stays and counts again (terminate). Checked every billing hour
 * (on_hour). */
static int return_to_spot(struct pool *p, double now)
{
	struct world *w = p->w;
	int od_target = spot_on_demand_count(p->as.desired, p->buy->on_demand_base,
					     p->buy->on_demand_above_base);
	while (p->nod > od_target) {
		long s = pick_spool(p, now);
		int od = newest(p, OPT_OD), rc;
		if (s < 0 || od < 0)
			return 0;
		if ((rc = launch(p, OPT_SPOT, s, now)) < 0)
			return rc;
		struct instance *in = &p->inst[od];
		uncount(p, in);
		in->partner = p->last_slot;
		p->inst[p->last_slot].partner = od;
		if ((rc = engine_schedule(&w->eng, p->inst[p->last_slot].ready, w->ev_retire, p,
					  (uint64_t)od, &in->notice)) < 0)
			return rc;
	}
	return 0;
}

/* The billing hour ends: settle it, move the spot prices, return pools to spot, schedule the
 * next. */
/* A spot pool's price for its log deviation s->y: base × the mean-one factor, never above on
 * demand. */
static void spot_reprice(struct spool *s, double sigma)
{
	double price = s->base_price * spot_price_factor(s->y, sigma);
	s->price = price < s->od_price ? price : s->od_price;
}

static void on_hour(struct engine *eng, struct event *ev, void *ctx)
{
	(void)ev;
	struct world *w = ctx;
	double now = engine_now(eng);
	int rc = settle(w, now);
	for (size_t i = 0; rc == 0 && i < w->sh->npools; i++) {
		struct pool *p = &w->pools[i];
		if (!p->buy)
			continue;
		if (p->buy->fallback_on_demand && p->nspools > 0 &&
		    (rc = return_to_spot(p, now)) < 0)
			break;
		if (!(p->buy->spot_price_volatility > 0))
			continue;
		for (size_t j = 0; j < p->nspools; j++) {
			struct spool *s = &p->spools[j];
			double sigma = p->buy->spot_price_volatility;
			s->y = spot_price_next(s->y, sigma, &p->price_rng);
			spot_reprice(s, sigma);
		}
	}
	if (rc == 0 && now + 3600.0 < w->sc->horizon)
		rc = engine_schedule(eng, now + 3600.0, w->ev_hour, NULL, 0, NULL);
	fail_run(w, rc);
}

/* ------------------------------------------------------------- disaster recovery */

/* The round trip the users DNS sends to region r2 travel on top of reaching their own entry
 * region, at the SLO's percentile: the users of r2 are a mixture by entry region r, each
 * adding rtt(r, r2), and the p-th percentile user adds the largest e whose share of users
 * adding at least e is at least 1 - p (as a synchronous write's round trip is added when
 * writes are at least that share). */
static void user_rtt(struct world *w, const double *inflow)
{
	const struct scenario *sc = w->sc;
	size_t nr = sc->nregions;
	double tail = 1.0 - w->sh->p;
	for (size_t r2 = 0; r2 < nr; r2++) {
		double e = 0;
		if (inflow[r2] > 0)
			for (size_t r = 0; r < nr; r++) {
				double x = sc->rtt[r * nr + r2], at_least = 0;
				if (x <= e || w->dns_flow[r * nr + r2] <= 0)
					continue;
				for (size_t q = 0; q < nr; q++)
					if (sc->rtt[q * nr + r2] >= x)
						at_least += w->dns_flow[q * nr + r2];
				if (at_least >= tail * inflow[r2])
					e = x;
			}
		w->user_rtt[r2] = e;
	}
}

static void route_moving(struct world *w, double rate, double now, double *inflow);

/* The user requests/s each region serves now: every entry region's share of rate, sent where
 * its (possibly still expiring) DNS answers point. */
static void route_users(struct world *w, double rate, double now, double *inflow)
{
	const struct scenario *sc = w->sc;
	if (!w->dns_moving) {
		for (size_t r = 0; r < sc->nregions; r++)
			inflow[r] = rate * sc->traffic.region_share[r];
		return;
	}
	route_moving(w, rate, now, inflow);
}

/* route_users while DNS moves users between regions or the shares move with the hour. Out of
 * line: the step loop of a scenario without either stays as small as it was. */
__attribute__((noinline))
static void route_moving(struct world *w, double rate, double now, double *inflow)
{
	const struct scenario *sc = w->sc;
	size_t nr = sc->nregions;
	/* Regions whose users peak at their own hours take this path (dr_init): their shares
	 * move with the hour, each its daily sine's mean over the step as the traffic's shape. */
	const double *share = sc->traffic.region_share;
	if (sc->traffic.region_peaks) {
		traffic_split(&sc->traffic, now, now + w->sh->step, w->share);
		share = w->share;
	}
	double ttl = sc->has_dr ? sc->dr.dns_ttl : 0;
	for (size_t r = 0; r < nr; r++)
		inflow[r] = 0;
	for (size_t r = 0; r < nr; r++) {
		double u = rate * share[r];
		double f = ttl > 0 ? (now - w->dns_since[r]) / ttl : 1.0;
		if (f > 1)
			f = 1;
		if (f < 0)
			f = 0;
		for (size_t r2 = 0; r2 < nr; r2++) {
			double prev = w->dns_prev[r * nr + r2], target = w->dns_target[r * nr + r2];
			double x = u * (prev + (target - prev) * f);
			inflow[r2] += x;
			if (sc->has_rtt)
				w->dns_flow[r * nr + r2] = x;
		}
	}
	if (sc->has_rtt)
		user_rtt(w, inflow);
}

/* Points the users of entry region r at the weights `to` ([nr]) from now on, the old answers
 * expiring over the TTL. */
static void dns_switch(struct world *w, size_t r, const double *to, double now)
{
	size_t nr = w->sc->nregions;
	double ttl = w->sc->dr.dns_ttl;
	double f = ttl > 0 ? (now - w->dns_since[r]) / ttl : 1.0;
	if (f > 1)
		f = 1;
	if (f < 0)
		f = 0;
	for (size_t r2 = 0; r2 < nr; r2++) {
		double *prev = &w->dns_prev[r * nr + r2], *target = &w->dns_target[r * nr + r2];
		*prev = *prev + (*target - *prev) * f;   /* where it stands mid-expiry */
		*target = to[r2];
	}
	w->dns_since[r] = now;
	w->dns_moving = 1;
}

/* The standby size of a recovery pool under the strategy (its count while not failed over). */
static int standby_count(const struct world *w, const struct pool *p)
{
	const struct scenario_dr *dr = &w->sc->dr;
	const struct scenario_autoscaling *as = &w->sc->tiers[p->def->tier].autoscaling;
	switch (dr->strategy) {
	case SCENARIO_DR_WARM_STANDBY: {
		int n = (int)ceil(dr->standby_scale * as->desired - 1e-9);
		return n < 1 ? 1 : n;
	}
	case SCENARIO_DR_PILOT_LIGHT:
		return p->def->tier == dr->data_tier ? 1 : 0;   /* the database replica only */
	default:
		return 0;                                       /* backup and restore: nothing */
	}
}

/* Puts a recovery pool in (or out of) standby: fixed at its standby count, policies off; or
 * back to its autoscaling bounds at `desired`. */
static int set_standby(struct world *w, struct pool *p, int on, int desired, double now)
{
	if (on) {
		int n = standby_count(w, p);
		p->standby = 1;
		p->as.min = p->as.max = p->as.desired = n;
	} else {
		/* Back to the bounds in force: the scenario's, as the scheduled actions left them. */
		p->standby = 0;
		p->as.min = p->sched_min;
		p->as.max = p->sched_max;
		p->as.desired = desired < p->as.min ? p->as.min :
				desired > p->as.max ? p->as.max : desired;
	}
	track_max(p, now);
	return resize(p, p->as.desired, now);
}

enum dr_phase { DR_DETECTED = 1, DR_DECIDED, DR_SWITCH, DR_FAILBACK, DR_RETURN, DR_STANDBY };
enum dr_state { DR_IDLE, DR_PENDING, DR_MOVED };
/* An event's argument: the phase, the failover's generation (the steps from detection to
 * the switch only) and the region. */
#define DR_ARG(phase, region) (((uint64_t)(phase) << 32) | (uint64_t)(region))
#define DR_ARG_GEN(phase, gen, region) \
	(DR_ARG(phase, region) | (uint64_t)((gen) & 0xffffu) << 16)

/* The first failing health check after t, plus the threshold's further checks: checks run
 * every interval from time 0. */
static double detection_time(const struct scenario_dr *dr, double t)
{
	double first = ceil(t / dr->check_interval - 1e-12) * dr->check_interval;
	return first + (double)(dr->failure_threshold - 1) * dr->check_interval;
}

/* The longest boot p95 among the tiers (the runbook's wait for instances to come up). */
static double boot_wait(const struct scenario *sc, int data_only)
{
	double b = 0;
	for (size_t t = 0; t < sc->ntiers; t++)
		if ((!data_only || t == sc->dr.data_tier) && sc->tiers[t].boot_p95 > b)
			b = sc->tiers[t].boot_p95;
	return b;
}

/* A region outage starts: the failover it sets off, and what it loses (RPO). */
static int dr_outage_begin(struct world *w, struct outage *o)
{
	const struct scenario *sc = w->sc;
	const struct scenario_dr *dr = &sc->dr;
	if (!sc->has_dr || o->zone >= 0)
		return 0;
	int aa = dr->strategy == SCENARIO_DR_ACTIVE_ACTIVE;
	if (!aa && (o->region != dr->primary || w->failover))
		return 0;   /* the standby region lost, or already failed over: nothing to do */
	/* Active-active: a region whose failover is under way or done (an earlier outage of it
	 * still on, or its failback still to come) keeps it, as w->failover keeps a primary's:
	 * its health checks have failed since that outage began, and a new detection from now
	 * would keep its users on a dead region longer. */
	if (aa && w->dr_state[o->region] != DR_IDLE)
		return 0;
	/* Data can be lost only where the data tier runs (active-active may lose a region
	 * without it), and no more than was written since the start. */
	if (sc->has_data && w->sh->pool_of[dr->data_tier * sc->nregions + o->region] >= 0) {
		const struct scenario_data *d = &sc->data;
		if (dr->strategy == SCENARIO_DR_BACKUP_RESTORE) {
			/* Backups every backup_interval from time 0: what was written since the last
			 * one is lost. */
			o->rpo_pending = o->start - floor(o->start / d->backup_interval) * d->backup_interval;
		} else if (d->replication == SCENARIO_REPL_SYNC) {
			o->rpo_pending = 0;
		} else {
			double mu, sigma;
			int rc = lognormal_from_median_p95(d->lag_median, d->lag_p95, &mu, &sigma);
			if (rc < 0)
				return rc;
			o->rpo_pending = exp(mu + sigma * rng_normal(&w->dr_rng, 0, 1));
		}
		if (o->rpo_pending > o->start)
			o->rpo_pending = o->start;
	}
	if (!aa) {
		w->failover = 1;
		w->failover_outage = (size_t)(o - w->outages);
	}
	/* A new failover of the region (an active-active region already out of DNS stays
	 * so); the steps of one still pending stop. */
	if (w->dr_state[o->region] != DR_MOVED)
		w->dr_state[o->region] = DR_PENDING;
	uint32_t gen = ++w->dr_gen[o->region];
	w->dr_from[o->region] = o->start;
	return engine_schedule(&w->eng, detection_time(dr, o->start), w->ev_dr, NULL,
			       DR_ARG_GEN(DR_DETECTED, gen, o->region), NULL);
}

/* A region outage ends: fail back once health checks pass again. */
static int dr_outage_end(struct world *w, struct outage *o)
{
	const struct scenario *sc = w->sc;
	const struct scenario_dr *dr = &sc->dr;
	if (!sc->has_dr || o->zone >= 0 || !dr->failback)
		return 0;
	int aa = dr->strategy == SCENARIO_DR_ACTIVE_ACTIVE;
	if (!aa && !(w->failover && o->region == dr->primary))
		return 0;
	/* Health checks run every interval from time 0, as for detection: the region is
	 * healthy again after the threshold's count of passing checks, the first at or after
	 * its end. */
	double at = detection_time(dr, engine_now(&w->eng)) + (aa ? 0 : dr->promotion_time);
	if (at >= sc->horizon)
		return 0;
	return engine_schedule(&w->eng, at, w->ev_dr, NULL, DR_ARG(DR_FAILBACK, o->region),
			       NULL);
}

/* Active-active DNS: the users of a region in DNS stay there; those of a region taken out
 * go to the regions in DNS in proportion to their own users, or evenly when none of those
 * has users of its own (a region left out of traffic.regions is still in DNS); nowhere to
 * go: as they were. Only answers that change are switched (a switch restarts their expiry
 * over the TTL). */
static void aa_route(struct world *w, double now)
{
	const struct scenario *sc = w->sc;
	size_t nr = sc->nregions, nin = 0;
	double to[64], sum = 0;
	for (size_t r2 = 0; r2 < nr; r2++)
		if (!w->dns_out[r2]) {
			sum += sc->traffic.region_share[r2];
			nin++;
		}
	for (size_t r = 0; r < nr; r++) {
		int same = 1;
		if (w->dns_out[r] && nin == 0)
			continue;
		for (size_t r2 = 0; r2 < nr; r2++) {
			to[r2] = !w->dns_out[r] ? r2 == r :
				 w->dns_out[r2] ? 0 :
				 sum > 0 ? sc->traffic.region_share[r2] / sum : 1.0 / (double)nin;
			same &= to[r2] == w->dns_target[r * nr + r2];
		}
		if (!same)
			dns_switch(w, r, to, now);
	}
}

/* Users DNS moves to region r (every region: SIZE_MAX) reach it over the TTL, and its
 * pools' metric sees them only a window later: until then their metric is the idle one,
 * so they do not scale in. */
static void hold_until_seen(struct world *w, size_t r, double now)
{
	for (size_t i = 0; i < w->sh->npools; i++) {
		struct pool *p = &w->pools[i];
		double t = now + w->sc->dr.dns_ttl + (double)(p->win_back + 1) * w->sh->step;
		if ((r == SIZE_MAX || p->def->region == r) && t > p->as.hold_in_until)
			p->as.hold_in_until = t;
	}
}

/* 1 when every pool of region r has its desired count in service (a pool scaled to 0 has
 * nothing to wait for): health checks would pass, and the region can take its users back. */
static int region_ready(const struct world *w, size_t r)
{
	for (size_t i = 0; i < w->sh->npools; i++) {
		const struct pool *p = &w->pools[i];
		if (p->def->region == r && p->nservice < p->as.desired)
			return 0;
	}
	return 1;
}

/* Failback's second half: once the failed region is ready, its users go back to it (and,
 * for a primary, every region's users), the recovery region returning to standby after the
 * TTL; until then, checked again at every health-check interval. Returns 1 when the users
 * went back, 0 when they wait, or a CAPSIM_E* code. */
static int dr_return(struct world *w, size_t failed, double now)
{
	const struct scenario *sc = w->sc;
	const struct scenario_dr *dr = &sc->dr;
	size_t nr = sc->nregions;
	int aa = dr->strategy == SCENARIO_DR_ACTIVE_ACTIVE;
	double to[64];
	if (!region_ready(w, failed)) {
		double at = now + dr->check_interval;
		return at < sc->horizon ? engine_schedule(&w->eng, at, w->ev_dr, NULL,
							  DR_ARG(DR_RETURN, failed), NULL) : 0;
	}
	for (size_t i = 0; i < w->sh->npools; i++)
		if (w->pools[i].def->region == failed && w->pools[i].dr_hold) {
			w->pools[i].dr_hold = 0;
			rehold(&w->pools[i]);
		}
	hold_until_seen(w, failed, now);
	w->dr_state[failed] = DR_IDLE;
	if (aa) {
		w->dns_out[failed] = 0;
		aa_route(w, now);
		return 1;
	}
	for (size_t r = 0; r < nr; r++) {
		for (size_t r2 = 0; r2 < nr; r2++)
			to[r2] = r2 == dr->primary;
		dns_switch(w, r, to, now);
	}
	/* Failed back: a new outage of the primary fails over again (the recovery region
	 * goes back to standby after the TTL unless one has). */
	w->failover = 0;
	int rc = 0;
	if (dr->dns_ttl + now < sc->horizon)
		rc = engine_schedule(&w->eng, now + dr->dns_ttl, w->ev_dr, NULL,
				     DR_ARG(DR_STANDBY, failed), NULL);
	return rc < 0 ? rc : 1;
}

/* The recovery region's pools go back to their standby count, policies off. */
static int recovery_to_standby(struct world *w, double now)
{
	int rc = 0;
	for (size_t i = 0; i < w->sh->npools && rc == 0; i++)
		if (w->pools[i].def->region == w->sc->dr.recovery)
			rc = set_standby(w, &w->pools[i], 1, 0, now);
	return rc;
}

/* Region failed's failover ends before its users were moved (its health checks pass
 * again): its steps still to come stop, and the recovery region (scaled up if the decision
 * was taken) goes back to standby, so that the next outage fails over. */
static int dr_cancel(struct world *w, size_t failed, double now)
{
	w->dr_state[failed] = DR_IDLE;
	w->dr_gen[failed]++;
	if (w->sc->dr.strategy == SCENARIO_DR_ACTIVE_ACTIVE || !w->failover)
		return 0;
	w->failover = 0;
	return recovery_to_standby(w, now);
}

static void on_dr(struct engine *eng, struct event *ev, void *ctx)
{
	struct world *w = ctx;
	const struct scenario *sc = w->sc;
	const struct scenario_dr *dr = &sc->dr;
	size_t nr = sc->nregions, failed = (size_t)(ev->arg & 0xffffu);
	uint32_t gen = (uint32_t)(ev->arg >> 16) & 0xffffu;
	enum dr_phase phase = (enum dr_phase)(ev->arg >> 32);
	int aa = dr->strategy == SCENARIO_DR_ACTIVE_ACTIVE;
	double now = engine_now(eng);
	double to[64];
	int rc = 0, back = 0;
	const char *what = NULL;
	if (phase == DR_DETECTED || phase == DR_DECIDED || phase == DR_SWITCH) {
		/* A step of a failover cancelled since, or replaced by a newer one: nothing. */
		if (gen != (w->dr_gen[failed] & 0xffffu))
			return;
		/* A failover's steps stop where the region is back already and in service: its
		 * health checks no longer fail (an outage shorter than the detection and
		 * decision). */
		if (!w->region_down[failed] && region_ready(w, failed)) {
			phase = 0;
			/* (An active-active region out of DNS since an earlier outage stays out
			 * until that outage's failback.) */
			if (w->dr_state[failed] == DR_PENDING) {
				what = "dr_failover_cancelled";
				rc = dr_cancel(w, failed, now);
			}
		}
	}
	switch (phase) {
	case DR_DETECTED:
		what = "dr_detected";
		rc = engine_schedule(eng, now + dr->decision_delay, w->ev_dr, NULL,
				     DR_ARG_GEN(DR_DECIDED, gen, failed), NULL);
		break;
	case DR_DECIDED: {
		what = "dr_failover_start";
		double wait = 0;
		if (aa) {
			wait = 0;   /* every region already serves: take the failed one out of DNS */
		} else {
			/* Bring the recovery region up to the primary's size. */
			for (size_t i = 0; i < w->sh->npools && rc == 0; i++) {
				struct pool *p = &w->pools[i];
				if (p->def->region != dr->recovery)
					continue;
				long prim = w->sh->pool_of[p->def->tier * nr + dr->primary];
				int want = prim >= 0 ? w->pools[prim].pre_outage_desired
						     : p->as.spec->desired;
				rc = set_standby(w, p, 0, want, now);
			}
			if (dr->strategy == SCENARIO_DR_WARM_STANDBY)
				wait = dr->promotion_time;
			else if (dr->strategy == SCENARIO_DR_PILOT_LIGHT)
				wait = boot_wait(sc, 0) + dr->promotion_time;
			else   /* backup and restore: boot the database, restore the latest backup */
				wait = boot_wait(sc, 1) +
				       (sc->has_data ? sc->data.size_gb / sc->data.restore_gb_per_hour *
							       3600.0 : 0);
		}
		if (rc == 0)
			rc = engine_schedule(eng, now + wait, w->ev_dr, NULL,
					     DR_ARG_GEN(DR_SWITCH, gen, failed), NULL);
		break;
	}
	case DR_SWITCH:
		what = "dr_dns_switch";
		w->dr_state[failed] = DR_MOVED;
		/* The users leave the region: what it had not replicated is lost, counted once,
		 * for the outage that set the failover off (a later one overlapping it drew
		 * none; a region already out of DNS wrote nothing since). */
		if (!aa) {
			struct outage *o = &w->outages[w->failover_outage];
			o->rpo = o->rpo_pending;
		} else if (!w->dns_out[failed]) {
			/* The outage that set this failover off: the last of the region with an
			 * RPO drawn (one overlapping it drew none). */
			for (size_t i = w->noutages; i-- > 0;)
				if (w->outages[i].region == failed && w->outages[i].zone < 0 &&
				    w->outages[i].rpo_pending >= 0 && w->outages[i].rpo < 0) {
					w->outages[i].rpo = w->outages[i].rpo_pending;
					break;
				}
		}
		hold_until_seen(w, aa ? SIZE_MAX : dr->recovery, now);
		if (aa) {
			w->dns_out[failed] = 1;
			aa_route(w, now);
			break;
		}
		for (size_t r = 0; r < nr; r++) {
			/* Users reaching the failed region go to the recovery region. */
			if (w->dns_target[r * nr + failed] <= 0)
				continue;
			for (size_t r2 = 0; r2 < nr; r2++)
				to[r2] = r2 == dr->recovery;
			dns_switch(w, r, to, now);
		}
		break;
	case DR_FAILBACK:
		/* Down again (a later outage of the region, whose own end fails back): stay. */
		if (w->region_down[failed])
			break;
		if (w->dr_state[failed] == DR_PENDING) {
			/* Its users never left: the failover still under way is cancelled once the
			 * region is in service (until then it may still move them, and this
			 * failback then brings them back). */
			if (!region_ready(w, failed)) {
				double at = now + dr->check_interval;
				if (at < sc->horizon)
					rc = engine_schedule(eng, at, w->ev_dr, NULL,
							     DR_ARG(DR_FAILBACK, failed), NULL);
			} else {
				what = "dr_failover_cancelled";
				rc = dr_cancel(w, failed, now);
			}
			break;
		}
		if (w->dr_state[failed] != DR_MOVED)
			break;   /* cancelled already: the users are where they were */
		what = "dr_failback";
		/* Its pools keep what they have until the users are back (dr_return). */
		for (size_t i = 0; i < w->sh->npools; i++)
			if (w->pools[i].def->region == failed) {
				w->pools[i].dr_hold = 1;
				w->pools[i].as.hold_in_until = INFINITY;
			}
		/* Scale the primary back up to what the recovery region carries; the users go
		 * back once it is in service (DR_RETURN). */
		for (size_t i = 0; !aa && i < w->sh->npools && rc == 0; i++) {
			struct pool *p = &w->pools[i];
			if (p->def->region != dr->primary)
				continue;
			long rec = w->sh->pool_of[p->def->tier * nr + dr->recovery];
			int want = rec >= 0 ? w->pools[rec].as.desired : p->as.desired;
			if (want > p->as.desired) {
				p->as.desired = want > p->as.max ? p->as.max : want;
				track_max(p, now);
				rc = resize(p, p->as.desired, now);
			}
		}
		if (rc == 0)
			rc = dr_return(w, failed, now);
		break;
	case DR_RETURN:
		/* (Two failbacks of one failover, from two outages of the region that both ended
		 * before its first check passed, run two of these: the users go back once.) */
		if (!w->region_down[failed] && w->dr_state[failed] == DR_MOVED)
			rc = dr_return(w, failed, now);
		break;
	case DR_STANDBY:
		/* The old answers have expired: the recovery region goes back to standby, unless
		 * a new outage of the primary has started a failover since. */
		if (w->failover)
			break;
		what = "dr_standby";
		rc = recovery_to_standby(w, now);
		break;
	}
	if (rc == 1) {
		back = 1;
		rc = 0;
	}
	/* The failover's steps of every outage of every replication, value = s since the
	 * outage that set it off began (not a later one overlapping it, which set off none:
	 * dr_failover_end's value is then that outage's RTO with deterministic timings). */
	if ((what || back) && w->sh->record_events) {
		double since = now - w->dr_from[failed];
		if (what)
			add_event(w, now, (long)failed, -1, what, since,
				  scenario_dr_strategy_name(dr->strategy));
		if (back)
			add_event(w, now, (long)failed, -1, "dr_failback_dns", since,
				  "the region is in service again: its users go back");
		/* (Not past the horizon: the run does not see it.) */
		if (phase == DR_SWITCH && now + dr->dns_ttl <= w->sc->horizon)
			add_event(w, now + dr->dns_ttl, (long)failed, -1, "dr_failover_end",
				  since + dr->dns_ttl, "the old DNS answers have expired");
	}
	fail_run(w, rc);
}

/* Sets up DNS and the recovery region's standby at time 0. */
static int dr_init(struct world *w)
{
	const struct scenario *sc = w->sc;
	size_t nr = sc->nregions;
	for (size_t r = 0; r < nr; r++)
		for (size_t r2 = 0; r2 < nr; r2++)
			w->dns_prev[r * nr + r2] = w->dns_target[r * nr + r2] = r2 == r;
	/* Shares that move with the hour are routed by the general path of route_users, which
	 * the others reach only once DNS moves: the common step stays as it was. */
	if (sc->traffic.region_peaks)
		w->dns_moving = 1;
	if (!sc->has_dr || sc->dr.strategy == SCENARIO_DR_ACTIVE_ACTIVE)
		return 0;
	/* Primary/recovery: every user goes to the primary. */
	for (size_t r = 0; r < nr; r++)
		for (size_t r2 = 0; r2 < nr; r2++)
			w->dns_prev[r * nr + r2] = w->dns_target[r * nr + r2] = r2 == sc->dr.primary;
	w->dns_moving = 1;
	return 0;
}

/* ------------------------------------------------------------- the load of a step */

/* Serves step k's load lambda (requests/s) at pool p: sets its per-step figures. ln_lambda
 * is ln lambda when the caller has it (then the table read needs no log() below 50%
 * utilisation), else NAN. */
/* Records for the latency of all requests together the fluid queue pool p's requests met in
 * step k (serve's fluid branch): before requests at its start, changing at lambda − mu per s,
 * at most keep; wait s at the longest; lost, the share of its arrivals lost at random at
 * the timeout; draining at rho < 1, the M/M/c queue its requests meet once the backlog is gone
 * (st_ok, its mean response st_mean and spread st_d). Out of line: the fluid branch is
 * rare. */
__attribute__((noinline))
static void queue_seen(struct world *w, struct pool *p, uint64_t k, double before, double lambda,
		       double keep, double wait, double lost, int st_ok, double st_mean,
		       double st_d)
{
	p->queued_k = k + 1;
	p->q0 = before;
	p->qslope = lambda - p->mu;
	p->qcap = keep;
	p->qwait = wait;
	p->qextra = lost;
	p->st_ok = st_ok;
	p->st_mean = st_mean;
	p->st_d = st_d;
	w->nqueued++;
}

static int serve(struct world *w, struct pool *p, uint64_t k, double lambda, double ln_lambda)
{
	const struct world_pool *d = p->def;
	double dt = w->sh->step, S = d->service_time;
	double timeout = d->timeout;
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
		p->pct = p->resp_mean = d->pct_cap;
		p->wait_prob = arrivals > 0 ? 1.0 : 0.0;
		p->util = 0;
		p->capacity = 0;
		p->metric_from = k + 1 + p->win_back;
		w->out->scalar[W_REJECTED] += lost;
		return 0;
	}
	if (c != p->mu_servers) {
		p->mu_servers = c;
		p->mu = (double)c / S;
		p->inv_mu = S / (double)c;
		p->ln_inv_mu = log(p->inv_mu);
	}
	double mu = p->mu;
	double rho = lambda * p->inv_mu;
	p->capacity = mu;
	if (p->backlog <= 0 && rho < 1.0) {
		struct qpoint q;
		int rc;
		if (w->sh->exact_queueing)
			rc = qtable_exact(&w->sh->family[d->tier], c, rho, &q);
		else
			rc = qcache_eval_lnrho(d->qc, c, rho, ln_lambda + p->ln_inv_mu, &q);
		if (rc == CAPSIM_EUNSTABLE)
			goto overload;   /* rho a rounding error below 1: the fluid limit holds */
		if (rc < 0)
			return rc;
		double mean = q.response_mean;
		double lost = arrivals * q.timeout_frac;
		p->served = arrivals - lost;
		p->failed = lost;
		p->fail_frac = q.timeout_frac;
		p->pct = q.response_pct < d->pct_cap ? q.response_pct : d->pct_cap;
		p->resp_mean = mean < p->pct ? mean : p->pct;
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
	/* At or past saturation a queue also loses requests at random: M/M/c+D (which keeps
	 * its queue finite however loaded) loses P, more than its own fluid share
	 * (rho - 1)/rho, most of all near rho = 1, where the fluid limit loses nothing. That
	 * random excess is added to the fluid's losses (which keep the transient of a queue
	 * filling at a spike's start), so that losses do not fall as the load crosses 1 (below
	 * 1 the tables give P itself). The excess times out instead of being served; the
	 * fluid backlog, and with it the latency, stays as it is. */
	double extra_lost = 0;
	if (rho >= 1.0 && arrivals > 0) {
		double extra = arrivals * (queue_mmcd_loss((double)c, lambda, S, timeout) -
					   (rho - 1.0) / rho);
		if (extra > served)
			extra = served;
		if (extra > 0) {
			lost += extra;
			served -= extra;
			extra_lost = extra;
		}
	}
	p->served = served;
	p->failed = lost;
	/* The losses are charged to this step's arrivals (the backlog kept is at most what
	 * the timeout lets through, so a step can lose at most its own arrivals and what the
	 * capacity dropped by). */
	p->fail_frac = arrivals > 0 ? (lost < arrivals ? lost / arrivals : 1.0) : 0;
	double queued = before > p->backlog ? before : p->backlog;
	double wait = queued / mu;
	p->pct = (wait < timeout ? wait : timeout) + d->svc_pct;
	p->resp_mean = (wait < timeout ? wait : timeout) + S;
	/* Draining at rho < 1, the requests after the backlog meet the pool's own M/M/c queue:
	 * the step is at least as slow as that queue alone (a backlog must not make it look
	 * faster than the same load without one). */
	double st_pct = 0, st_mean = 0;
	struct qpoint q;
	/* From the exact formulas (~1 µs, rare): a second call site of the table read made gcc
	 * take it out of the step loop (+5.6% instructions on bench-year). */
	int draining = rho < 1.0 && qtable_exact(&w->sh->family[d->tier], c, rho, &q) >= 0;
	if (draining) {
		st_pct = q.response_pct < d->pct_cap ? q.response_pct : d->pct_cap;
		st_mean = q.response_mean < st_pct ? q.response_mean : st_pct;
		if (st_pct > p->pct)
			p->pct = st_pct;
		if (st_mean > p->resp_mean)
			p->resp_mean = st_mean;
	}
	p->wait_prob = 1.0;
	/* The queue seen by each request, for the latency of all requests together. */
	if (w->sh->overall)
		queue_seen(w, p, k, before, lambda, keep, wait < timeout ? wait : timeout,
			   arrivals > 0 ? extra_lost / arrivals : 0, draining, st_mean,
			   st_pct - st_mean);
	p->util = rho < 1.0 ? (input > 0 ? served / (mu * dt) : 0) : 1.0;
	w->out->scalar[W_TIMED_OUT] += lost;
	return 0;
}

/* Evaluates pool p's policies at the start of step k (time now). */
static int evaluate(struct pool *p, uint64_t k, double now)
{
	double metric = -1;
	/* Steps k-1-delay back over one period: the metric's window, steps [end - per, end)
	 * with end = k - delay, cut at step 0 early in the run. */
	uint64_t del = p->delay_steps;
	/* A window with a step of no instance in service has no data (metric_from): its busy
	 * sum would read as an idle fleet and scale a pool just brought back from zero in
	 * again. */
	if (k >= p->metric_from && p->nservice > 0 && now >= p->warm_from) {
		uint64_t back = p->win_back, span = p->eval_every;   /* k - start, end - start */
		if (k < back) {
			back = k;
			span = k - del;
		}
		/* Ring slots of steps end and start, both fewer than the ring's slots back from
		 * k (unsigned arithmetic wraps, the mask takes it back into the ring). */
		double hi = p->util_cum[(p->ring_k - del) & p->ring_mask];
		double lo = p->util_cum[(p->ring_k - back) & p->ring_mask];
		/* The window's mean busy instances, as a utilisation of the fleet in service now:
		 * current × metric is then the measured load whatever the fleet was during the
		 * window, so instances that came into service since are not asked for twice. */
		if (span != p->win_span || p->nservice != p->win_service) {
			p->win_span = span;
			p->win_service = p->nservice;
			p->inv_win = 1.0 / ((double)p->win_span * (double)p->nservice);
		}
		metric = (hi - lo) * p->inv_win;
	}
	int before = p->as.desired;
	autoscale_evaluate(&p->as, now, p->nservice, metric);
	if (p->as.desired != before)
		scaled(p, before, now, "policy");
	/* Most evaluations leave the count as it is: then resize would find nothing to do. */
	return p->nactive == p->as.desired ? 0 : resize(p, p->as.desired, now);
}

/* A region's flow through its own pool p of a tier with v visits per user request: what
 * survives (and its log), the latency it adds, the capacity it allows. The latency adds up
 * as the end-to-end percentile of step() takes it: v mean responses to *mean, and v squared
 * spreads (percentile − mean) to *spread2, one per visit (each an independent call). */
static inline void flow_through(const struct pool *p, double v, double *alive, double *ln_alive,
				double *mean, double *spread2, double *cap)
{
	if (p->fail_frac > 0) {
		*alive *= v == 1.0 ? 1.0 - p->fail_frac : pow(1.0 - p->fail_frac, v);
		*ln_alive = log(*alive);
	}
	double d = p->pct - p->resp_mean;
	*mean += v * p->resp_mean;
	*spread2 += v * d * d;
	double c = p->capacity / v;
	if (c < *cap)
		*cap = c;
}

/* This step's route of tier t (placed in some regions only), [r × nr + r2]: a region
 * without its own pool splits its calls over the tier's regions whose pool has an instance
 * in service (the load balancers' health checks leave out a region that is down or a pool
 * still booting back); when none has, the static split stands and the calls fail there. */
__attribute__((noinline))   /* off the step loop of tiers placed everywhere (-0.6%) */
static const double *live_route(struct world *w, size_t t)
{
	const struct world_shared *sh = w->sh;
	size_t nr = w->sc->nregions;
	for (size_t r = 0; r < nr; r++) {
		const double *row = &sh->route[(t * nr + r) * nr];
		double *out = &w->split[r * nr], up = 0;
		if (sh->pool_of[t * nr + r] < 0)
			for (size_t y = 0; y < nr; y++) {
				long pi = sh->pool_of[t * nr + y];
				if (pi >= 0 && w->pools[pi].nservice > 0)
					up += row[y];
			}
		for (size_t y = 0; y < nr; y++) {
			long pi = sh->pool_of[t * nr + y];
			out[y] = !(up > 0) ? row[y] :
				 pi >= 0 && w->pools[pi].nservice > 0 ? row[y] / up : 0;
		}
	}
	return w->split;
}

/* The price of this step's calls to tier t (v visits per user request) that cross regions,
 * by the region billed for their bytes; alive[r] the user requests/s of entry region r
 * reaching the tier. */
static void network_cost(struct world *w, size_t t, double v, const double *alive, double now)
{
	const struct world_shared *sh = w->sh;
	size_t nr = w->sc->nregions;
	double *month = &w->out->month_network[(month_of(sh, now) * w->sc->ntiers + t) * nr];
	double *bucket = &w->out->bucket_network[(w->bucket * w->sc->ntiers + t) * nr];
	for (size_t z = 0; z < nr; z++) {
		double usd = 0;
		for (size_t r = 0; r < nr; r++)
			usd += alive[r] * sh->call_price[(t * nr + r) * nr + z];
		usd *= v * sh->step;
		if (usd > 0) {
			month[z] += usd;
			bucket[z] += usd;
			w->out->scalar[W_NETWORK] += usd;
			w->out->scalar[W_COST] += usd;
		}
	}
}

/* ---------------------------------------------------------------- the latency of all
 * requests together
 *
 * The percentile of a run's requests is not the mean of its steps' percentiles: a few slow
 * steps own the tail. Each step's end-to-end latency in a region is taken as a shifted
 * exponential, a + Exp(θ), with the step's mean and percentile (mean a + θ, percentile
 * a + θL with L = −ln(1 − p): exactly M/M/1's response, and the shape of M/M/c's wait tail
 * behind a constant part), weighted by the step's user requests; the run's percentile is
 * that mixture's. It needs p > 1 − 1/e (L > 1), where the percentile lies above the mean.
 *
 * Steps are grouped into cells by a and θ both (the sign, the exponent and the top 6 bits of
 * the mantissa of each: 64 cells per octave, linear within it; below 2^-24 s a value counts
 * as 0, above 2^24 s as 2^24), each region apart; a cell is one shifted exponential with
 * its steps' weighted mean a and θ, each within a factor 65/64 of every step's own (the
 * widest cell, at an octave's start), so a step's latency is replaced by one stochastically
 * between its own scaled by 64/65 and by 65/64 (for a ≥ 0), and the mixture's percentile
 * moves by less than that factor, 1.6%. Steps that repeat fall in one cell: exact. Grouping
 * by the percentile alone would merge steps of one percentile and different shapes (a slow
 * constant part against a long tail), and so would adding regions' cells together: the
 * regions' cells are only gathered for the solve.
 *
 * A step in which some pool ran past its capacity (serve's fluid branch) does not put all of
 * its requests behind the step's longest queue, which resp_mean holds: its requests are
 * taken in LAT_SLICES equal slices of the step, each behind the pools' queues at the
 * slice's middle (the fluid queue moves linearly, from the backlog it started with, until it
 * empties or reaches what the timeout keeps; once a draining queue is gone, the pool's
 * M/M/c queue at the step's load; requests lost at random past saturation at the timeout).
 *
 * step()'s percentile rules for synchronous writes (the percentile request is a write when
 * writes are at least 1 − p of the requests) and for users DNS sends to another region (the
 * p-th percentile user's round trip) are not shifts of every request: here the writes wait
 * the replication, the others not, and each entry region's users travel their own round
 * trip (lat_add_parts). */
#define LAT_SLICES 32
#define LAT_KEY_BITS 18        /* sign, exponent, 6 bits of mantissa */

struct lat_cell {
	uint64_t key;          /* the cell's (a, θ) key + 1; 0 = empty */
	double w, wa, wt;      /* Σ w, Σ w·a, Σ w·θ */
};

/* A region's cells: open addressing, linear probing, at most half full. */
struct lat_map {
	struct lat_cell *cell; /* [1 << bits] */
	unsigned bits;
	size_t n;
};

static inline uint64_t lat_key(double x)
{
	double m = fabs(x);
	if (!(m >= 0x1p-24))   /* NaN too */
		return 0;
	if (m > 0x1p24)
		x = copysign(0x1p24, x);
	uint64_t b;
	memcpy(&b, &x, sizeof b);
	return b >> (64 - LAT_KEY_BITS);
}

static inline size_t lat_slot(uint64_t key, unsigned bits)
{
	return (size_t)((key * UINT64_C(0x9E3779B97F4A7C15)) >> (64 - bits));
}

static int lat_init(struct lat_map *m)
{
	m->bits = 8;
	m->n = 0;
	m->cell = calloc((size_t)1 << m->bits, sizeof *m->cell);
	return m->cell ? 0 : CAPSIM_ENOMEM;
}

/* A new key's cell, doubling the map when it would pass half full. */
__attribute__((noinline))
static struct lat_cell *lat_insert(struct lat_map *m, uint64_t key)
{
	if (2 * (m->n + 1) > (size_t)1 << m->bits) {
		unsigned bits = m->bits + 1;
		size_t cap = (size_t)1 << bits, mask = cap - 1;
		struct lat_cell *c = calloc(cap, sizeof *c);
		if (!c)
			return NULL;
		for (size_t i = 0; i < (size_t)1 << m->bits; i++) {
			if (!m->cell[i].key)
				continue;
			size_t j = lat_slot(m->cell[i].key, bits);
			while (c[j].key)
				j = (j + 1) & mask;
			c[j] = m->cell[i];
		}
		free(m->cell);
		m->cell = c;
		m->bits = bits;
	}
	size_t mask = ((size_t)1 << m->bits) - 1, i = lat_slot(key, m->bits);
	while (m->cell[i].key)
		i = (i + 1) & mask;
	m->cell[i].key = key;
	m->n++;
	return &m->cell[i];
}

/* Adds ud requests of latency a + Exp(theta) to m. */
static inline int lat_add(struct lat_map *m, double a, double theta, double ud)
{
	uint64_t key = (lat_key(a) << LAT_KEY_BITS | lat_key(theta)) + 1;
	size_t mask = ((size_t)1 << m->bits) - 1, i = lat_slot(key, m->bits);
	struct lat_cell *c = &m->cell[i];
	while (c->key != key) {
		if (!c->key) {
			if (!(c = lat_insert(m, key)))
				return CAPSIM_ENOMEM;
			break;
		}
		i = (i + 1) & mask;
		c = &m->cell[i];
	}
	c->w += ud;
	c->wa += ud * a;
	c->wt += ud * theta;
	return 0;
}

/* s pool p's requests arriving t s into the step wait behind its fluid queue. */
static double queue_wait_at(const struct pool *p, double t)
{
	double q = p->q0 + p->qslope * t;
	q = q < 0 ? 0 : q > p->qcap ? p->qcap : q;
	return q * p->inv_mu;
}

/* A pool that ran a queue this step, as one region's requests meet it: the share of the
 * region's calls to its tier it serves, the tier's visits, its wait at a slice's middle. */
struct lat_queue {
	const struct pool *p;
	double share, v, wait, mean;   /* wait and mean response at a slice's middle */
	size_t ci;             /* its tier's place on the chain */
	int split;             /* the region has no pool of that tier: its calls split */
};

/* Region r's step with ud requests of latency a + Exp(theta) when some pool ran a queue this
 * step: LAT_SLICES slices, each with the chain's queues at its middle. a and theta hold each
 * queued pool's step figures (resp_mean: its longest wait and the service, or its M/M/c
 * queue's mean if that is longer; pct − resp_mean), v per visit, times the share of the
 * region's calls it serves, as the chain's mean and spread do; a slice puts its own in their
 * place: the wait at its middle and the service, or once a draining queue is gone the M/M/c
 * queue (st_mean, st_d). The requests a pool lost at random past saturation (qextra) waited
 * its timeout there. */
__attribute__((noinline))
static int lat_add_sliced(struct world *w, uint64_t k, size_t r, double a, double theta,
			  double ud)
{
	const struct world_shared *sh = w->sh;
	const struct scenario *sc = w->sc;
	size_t nr = sc->nregions, n = 0;
	struct lat_queue *lq = w->lat_queues;
	/* [ci] a split tier's Σ share × (pct − resp_mean) over its pools, as step() sums it
	 * (its spread² is v × that sum², not a sum over the pools), and a slice's. */
	double *split_sum = w->lat_split, *slice_sum = w->lat_split + sc->ntiers;
	for (size_t ci = 0; ci < sc->ntiers; ci++) {
		size_t t = sh->chain[ci];
		const double *route = sh->everywhere[t] ? NULL : live_route(w, t);
		int split = route && sh->pool_of[t * nr + r] < 0;
		split_sum[ci] = 0;
		for (size_t r2 = 0; r2 < nr; r2++) {
			long pi = sh->pool_of[t * nr + r2];
			if (pi < 0)
				continue;
			const struct pool *p = &w->pools[pi];
			double share = split ? route[r * nr + r2] : (r2 == r);
			if (split && share > 0)
				split_sum[ci] += share * (p->pct - p->resp_mean);
			if (p->queued_k == k + 1 && share > 0)
				lq[n++] = (struct lat_queue){ p, share, sc->tiers[t].visits, 0, 0, ci,
							      split };
		}
	}
	struct lat_map *m = &w->lat[r];
	if (n == 0)            /* this region's chain met none of the step's queues */
		return lat_add(m, a, theta, ud);
	double mean = a + theta, spread = theta / sh->overall_k1, wj = ud / LAT_SLICES;
	for (int j = 0; j < LAT_SLICES; j++) {
		double mid = ((double)j + 0.5) / LAT_SLICES * sh->step, mj = mean, s2 = spread * spread;
		for (size_t i = 0; i < n; i++)
			slice_sum[lq[i].ci] = split_sum[lq[i].ci];
		for (size_t i = 0; i < n; i++) {
			/* The pool's part of the fit (its step's mean and spread) gives way to the
			 * slice's: its wait then the service, or once a draining queue is gone
			 * its M/M/c queue. */
			const struct pool *p = lq[i].p;
			double sv = lq[i].share * lq[i].v, S = p->def->service_time;
			double d = p->pct - p->resp_mean, ms = 0, ds = 0;
			lq[i].wait = queue_wait_at(p, mid);
			if (lq[i].wait <= 0 && p->st_ok) {
				ms = p->st_mean;
				ds = p->st_d;
			} else {
				ms = lq[i].wait + S;
				ds = p->def->svc_pct - S;
			}
			lq[i].mean = ms;
			mj -= sv * (p->resp_mean - ms);
			if (lq[i].split)
				slice_sum[lq[i].ci] += lq[i].share * (ds - d);
			else
				s2 += sv * (ds * ds - d * d);
		}
		for (size_t i = 0; i < n; i++) {
			size_t ci = lq[i].ci;
			if (lq[i].split && (i == 0 || lq[i - 1].ci != ci))   /* once per tier */
				s2 += lq[i].v * (slice_sum[ci] * slice_sum[ci] -
						 split_sum[ci] * split_sum[ci]);
		}
		double th = sqrt(s2 > 0 ? s2 : 0) * sh->overall_k1, aj = mj - th, left = wj;
		for (size_t i = 0; i < n; i++) {
			const struct pool *p = lq[i].p;
			double f = lq[i].v * lq[i].share * p->qextra;
			if (!(f > 0))
				continue;
			double lost = wj * (f < 1 ? f : 1);
			if (lost > left)
				lost = left;
			/* Its part of the slice (sv × its mean response) gives way to the timeout,
			 * waited once. */
			int rc = lat_add(m, aj - lq[i].share * lq[i].v * lq[i].mean + p->def->timeout,
					 th, lost);
			if (rc < 0)
				return rc;
			left -= lost;
		}
		if (left > 0) {
			int rc = lat_add(m, aj, th, left);
			if (rc < 0)
				return rc;
		}
	}
	return 0;
}

/* Region r's ud requests of latency a + Exp(theta), the step's queues sliced when it had
 * some. */
static inline int lat_region(struct world *w, uint64_t k, size_t r, double a, double theta,
			     double ud)
{
	return w->nqueued ? lat_add_sliced(w, k, r, a, theta, ud) : lat_add(&w->lat[r], a, theta, ud);
}

/* Region r's requests when not all of them take the same path: a the latency's shift
 * without the percentile rules of step() for synchronous writes and for users DNS sends
 * from other regions. Writes (wshare of the requests) wait sync more; users from entry region
 * q (dns_flow while DNS moves users, with round trips) travel its rtt to r. */
__attribute__((noinline))
static int lat_add_parts(struct world *w, uint64_t k, size_t r, double a, double theta,
			 double ud, double wshare, double sync)
{
	const struct scenario *sc = w->sc;
	size_t nr = sc->nregions;
	int by_entry = sc->has_rtt && w->dns_moving;
	double in = 0;
	if (by_entry)
		for (size_t q = 0; q < nr; q++)
			in += w->dns_flow[q * nr + r];
	for (size_t q = 0; q < (by_entry ? nr : 1); q++) {
		double f = by_entry ? (in > 0 ? w->dns_flow[q * nr + r] / in : (q == r)) : 1.0;
		double rtt = by_entry ? sc->rtt[q * nr + r] : 0;
		if (!(f > 0))
			continue;
		int rc;
		if (wshare < 1 &&
		    (rc = lat_region(w, k, r, a + rtt, theta, ud * f * (1 - wshare))) < 0)
			return rc;
		if (wshare > 0 &&
		    (rc = lat_region(w, k, r, a + rtt + sync, theta, ud * f * wshare)) < 0)
			return rc;
	}
	return 0;
}

/* The p-percentile of the mixture of maps [r0, r1) together, 0 when they hold no request. g
 * is scratch for 3 doubles per cell of them. */
static double lat_quantile(const struct lat_map *maps, size_t r0, size_t r1, double p, double *g)
{
	double L = -log1p(-p), tail = 1.0 - p, total = 0, lo = INFINITY, hi = 0;
	size_t n = 0;
	for (size_t r = r0; r < r1; r++)
		for (size_t i = 0; i < (size_t)1 << maps[r].bits; i++) {
			const struct lat_cell *c = &maps[r].cell[i];
			if (!c->key || !(c->w > 0))
				continue;
			double a = c->wa / c->w, theta = c->wt / c->w, q = a + theta * L;
			g[3 * n] = c->w;
			g[3 * n + 1] = a;
			g[3 * n + 2] = theta;
			n++;
			total += c->w;
			/* Every cell's tail at its own percentile is 1 − p, so the mixture's
			 * percentile lies between the smallest and the largest of them. */
			if (q < lo)
				lo = q;
			if (q > hi)
				hi = q;
		}
	if (n == 0)
		return 0;
	for (int it = 0; it < 200 && hi - lo > 1e-13 * fabs(hi); it++) {
		double x = 0.5 * (lo + hi), over = 0;
		for (size_t j = 0; j < n; j++) {
			double a = g[3 * j + 1], theta = g[3 * j + 2];
			if (x < a)
				over += g[3 * j];
			else if (theta > 0)
				over += g[3 * j] * exp(-(x - a) / theta);
		}
		if (over <= tail * total)
			hi = x;
		else
			lo = x;
	}
	return hi;
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

	/* Autoscaling evaluations due at this step boundary act before its load. */
	for (size_t i = 0; i < sh->npools; i++) {
		struct pool *p = &w->pools[i];
		if (p->eval_every && --p->eval_left == 0) {
			p->eval_left = p->eval_every;
			if (!p->standby && (rc = evaluate(p, k, now)) < 0)
				return rc;
		}
	}

	/* region_state: [0, nr) alive user rate, [nr, 2nr) e2e percentile (during the chain
	 * walk, the sum of its visits' mean responses), [2nr, 3nr) chain capacity in user
	 * requests/s, [3nr, 4nr) user requests/s DNS sends to each region, [4nr, 5nr) ln alive:
	 * a tier placed everywhere offers its pools v × alive, whose log is then ln v + ln
	 * alive, one log() per region and step instead of one per pool; [5nr, 6nr) the sum of
	 * the visits' squared spreads (flow_through), then its root. */
	double *alive = region_state, *pct = region_state + nr, *cap = region_state + 2 * nr;
	double *inflow = region_state + 3 * nr, *ln_alive = region_state + 4 * nr;
	double *spread2 = region_state + 5 * nr;
	route_users(w, rate, now, inflow);
	w->nqueued = 0;
	for (size_t r = 0; r < nr; r++) {
		alive[r] = inflow[r];
		ln_alive[r] = log(alive[r]);
		pct[r] = 0;
		spread2[r] = 0;
		cap[r] = INFINITY;
	}
	for (size_t ci = 0; ci < nt; ci++) {
		size_t t = sh->chain[ci];
		const struct scenario_tier *tier = &sc->tiers[t];
		double v = tier->visits;
		int everywhere = sh->everywhere[t];
		if (sh->has_call_price)
			network_cost(w, t, v, alive, now);
		const double *route = everywhere ? NULL : live_route(w, t);
		/* Offered load of each pool of the tier. */
		for (size_t r2 = 0; r2 < nr; r2++) {
			long pi = sh->pool_of[t * nr + r2];
			if (pi < 0)
				continue;
			/* Placed everywhere, the route is the identity: each pool serves its own
			 * region's flow (the sum would add the other regions' flows times 0), and
			 * that flow goes on through it at once (no other pool reads it). */
			struct pool *p = &w->pools[pi];
			double lambda = 0, ln_lambda = NAN;
			if (everywhere) {
				lambda = alive[r2];
				ln_lambda = sh->ln_visits[t] + ln_alive[r2];
			} else {
				for (size_t r = 0; r < nr; r++)
					lambda += route[r * nr + r2] * alive[r];
			}
			if ((rc = serve(w, p, k, v * lambda, ln_lambda)) < 0)
				return rc;
			if (everywhere)
				flow_through(p, v, &alive[r2], &ln_alive[r2], &pct[r2], &spread2[r2],
					     &cap[r2]);
		}
		if (everywhere)
			continue;
		/* Each region's flow through the tier: survival and latency. */
		for (size_t r = 0; r < nr; r++) {
			long own = sh->pool_of[t * nr + r];
			if (own >= 0) {
				flow_through(&w->pools[own], v, &alive[r], &ln_alive[r], &pct[r],
					     &spread2[r], &cap[r]);
				continue;
			}
			/* A split: the shares' mean response and spread, as one pool's. */
			double surv = 0, lat = 0, spread = 0;
			for (size_t r2 = 0; r2 < nr; r2++) {
				double s = route[r * nr + r2];
				if (s <= 0)
					continue;
				struct pool *p = &w->pools[sh->pool_of[t * nr + r2]];
				surv += s * pow(1.0 - p->fail_frac, v);
				lat += s * v * p->resp_mean;
				spread += s * (p->pct - p->resp_mean);
			}
			alive[r] *= surv;
			ln_alive[r] = log(alive[r]);
			pct[r] += lat;
			spread2[r] += v * spread * spread;
		}
	}

	/* The end-to-end percentile: the visits' mean responses plus the root of the sum of
	 * their squared spreads (percentile − mean), as for a sum of independent parts whose
	 * percentile lies the same number of standard deviations above its mean. One tier is
	 * its own percentile; for more it is at most the sum of the percentiles, which
	 * overstates a chain (scenarios/README.md, End-to-end latency). */
	for (size_t r = 0; r < nr; r++) {
		spread2[r] = sqrt(spread2[r]);   /* from here on the spread itself */
		pct[r] += spread2[r];
	}

	/* Synchronous replication: a write commits only once the other region has it. When
	 * writes are at least the 1 − p share of the requests, the percentile request is a
	 * write and waits for that round trip. */
	int sync_on = sc->has_dr && sc->dr.strategy != SCENARIO_DR_BACKUP_RESTORE && sc->has_data &&
		      sc->data.replication == SCENARIO_REPL_SYNC &&
		      rate > 0;
	double wshare = sync_on ? sc->data.write_rate / rate : 0, sync_add = 0;
	if (wshare > 1)
		wshare = 1;
	if (sync_on && sc->data.write_rate / rate >= 1.0 - sh->p) {
		sync_add = sc->data.sync_latency;
		for (size_t r = 0; r < nr; r++)
			pct[r] += sync_add;
	}

	/* Network round trips between regions: the chain's calls, and users DNS sends away from
	 * their entry region. */
	if (sc->has_rtt)
		for (size_t r = 0; r < nr; r++) {
			double net = sh->chain_rtt[r] + w->user_rtt[r];
			pct[r] += net;
			w->out->region_lat[r * WORLD_NLAT + WORLD_LAT_NETWORK] += inflow[r] * dt * net;
		}

	/* Accounting. */
	struct world_rep *o = w->out;
	double offered = 0, ok = 0;
	int met = 1, any = 0;
	/* This bucket's rows, and the per-pool sums, through locals: o's pointers are not
	 * reloaded after every store. */
	double *ts_b = &o->ts[b * sh->nseries * RUN_TS_NFIELDS], *pool_util = o->pool_util;
	double *region_lat = o->region_lat;
	double target = sh->latency_target > 0 ? sh->latency_target : INFINITY;
	double pct_weighted = o->scalar[W_PCT_WEIGHTED];   /* added to in the same order */
	double req_met = o->scalar[W_REQ_MET];
	for (size_t r = 0; r < nr; r++) {
		double u = inflow[r];
		double *row = ts_b + (sh->npools + r) * RUN_TS_NFIELDS;
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
			double *lat = region_lat + r * WORLD_NLAT, ud = u * dt, w_pct = ud * pct[r];
			int on_time = !(pct[r] > target);
			any = 1;
			pct_weighted += w_pct;
			met &= on_time;
			lat[WORLD_LAT_OFFERED] += ud;
			lat[WORLD_LAT_WEIGHTED] += w_pct;
			lat[WORLD_LAT_STEPS]++;
			lat[WORLD_LAT_MET] += on_time;
			if (on_time)
				req_met += ud;
			if (sh->overall) {
				double a = pct[r] - spread2[r] * sh->overall_k2;
				double theta = spread2[r] * sh->overall_k1;
				if (sync_on || w->dns_moving)
					rc = lat_add_parts(w, k, r,
							   a - sync_add - (sc->has_rtt ? w->user_rtt[r] : 0),
							   theta, ud, wshare, sc->data.sync_latency);
				else
					rc = lat_region(w, k, r, a, theta, ud);
				if (rc < 0)
					return rc;
			}
		}
		if (!sc->has_slo)
			continue;
		/* SLO breach episodes: steps whose success fraction is below the target. A region
		 * that DNS no longer sends anyone to ends its episode. */
		char d[96];
		if (u <= 0) {
			if (w->breach_start[r] >= 0) {
				snprintf(d, sizeof d, "lasted %.0f s (no traffic since)",
					 now - w->breach_start[r]);
				add_event(w, now, (long)r, -1, "slo_breach_end", w->breach_failed[r],
					  d);
				w->breach_start[r] = -1;
			}
			continue;
		}
		int bad = alive[r] < sc->slo.availability * u;
		if (w->breach_start[r] < 0) {
			if (!bad)
				continue;
			w->breach_start[r] = now;
			w->breach_failed[r] = 0;
			add_event(w, now, (long)r, -1, "slo_breach_start", 1.0 - alive[r] / u,
				  "success fraction below the SLO (value: the fraction failed)");
		}
		w->breach_failed[r] += (u - alive[r]) * dt;
		if (!bad) {
			snprintf(d, sizeof d, "lasted %.0f s", now - w->breach_start[r]);
			add_event(w, now, (long)r, -1, "slo_breach_end", w->breach_failed[r], d);
			w->breach_start[r] = -1;
		}
	}
	o->scalar[W_PCT_WEIGHTED] = pct_weighted;
	o->scalar[W_REQ_MET] = req_met;
	o->scalar[W_OFFERED] += offered;
	o->scalar[W_SUCCEEDED] += ok;
	if (offered > 0) {
		double frac = ok / offered;
		if (frac < sh->availability_target)
			o->scalar[W_DOWNTIME] += dt;
		if (w->open_outages) {
			double served_pct = 0;
			for (size_t r = 0; r < nr; r++)
				if (inflow[r] > 0)
					served_pct += alive[r] * dt * pct[r];
			measure_outages(w, now, frac, offered - ok, ok, served_pct);
		}
	}
	if (any) {
		o->scalar[W_STEPS]++;
		o->scalar[W_STEPS_MET] += met;
	}

	for (size_t i = 0; i < sh->npools; i++) {
		struct pool *p = &w->pools[i];
		/* The pool's fields read once: the stores below could alias them. */
		double util = p->util, running = p->nrunning, service = p->nservice;
		double *row = ts_b + i * RUN_TS_NFIELDS;
		row[RUN_TS_DEMAND] += p->lambda;
		row[RUN_TS_CAPACITY] += p->capacity;
		row[RUN_TS_INSTANCES] += running;
		row[RUN_TS_IN_SERVICE] += service;
		row[RUN_TS_UTILIZATION] += util;
		row[RUN_TS_WAIT_PROB] += p->wait_prob;
		row[RUN_TS_P99] += p->pct;
		row[RUN_TS_SERVED] += p->served / dt;
		row[RUN_TS_FAILED] += p->failed / dt;
		pool_util[i] += util;
		if (p->eval_every) {
			/* Busy instances: utilisation (at most 100%) × instances in service. */
			double u = util < 1.0 ? util : 1.0;
			uint64_t next = (p->ring_k + 1) & p->ring_mask;
			p->util_cum[next] = p->util_cum[p->ring_k] + u * service;
			p->ring_k = next;
			if (p->predictive)
				autoscale_record(&p->as, now, now + dt, p->lambda);
		}
	}
	return 0;
}

static void world_free(struct world *w)
{
	if (w->lat)
		for (size_t r = 0; r < w->sc->nregions; r++)
			free(w->lat[r].cell);
	free(w->lat);
	free(w->lat_queues);
	free(w->lat_split);
	if (w->pools) {
		for (size_t i = 0; i < w->sh->npools; i++) {
			struct pool *p = &w->pools[i];
			free(p->inst);
			free(p->free_slots);
			free(p->zone_count);
			free(p->spools);
			free(p->choice);
			free(p->lines);
			free(p->util_cum);
			autoscale_release(&p->as);
			rng_release(&p->boot_rng);
			rng_release(&p->spot_rng);
			rng_release(&p->reclaim_rng);
			rng_release(&p->price_rng);
			rng_release(&p->fail_rng);
		}
		free(w->pools);
	}
	free(w->bl);
	free(w->hourly);
	free(w->zone_down);
	free(w->region_down);
	free(w->dns_prev);
	free(w->dns_target);
	free(w->dns_since);
	free(w->dns_out);
	free(w->dr_state);
	free(w->dr_gen);
	free(w->dr_from);
	free(w->dns_flow);
	free(w->split);
	free(w->user_rtt);
	free(w->share);
	free(w->outages);
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
	int rc = CAPSIM_ENOMEM, have_traffic = 0, have_outage_rng = 0, have_dr_rng = 0;

	memset(out, 0, sizeof *out);
	if ((rc = engine_init(&w.eng)) < 0)
		return rc;
	rc = CAPSIM_ENOMEM;
	size_t nts = sh->nbuckets * sh->nseries * RUN_TS_NFIELDS;
	if (!(out->pool_cost = calloc(sh->npools, sizeof *out->pool_cost)) ||
	    !(out->pool_util = calloc(sh->npools, sizeof *out->pool_util)) ||
	    !(out->pool_at_max = calloc(sh->npools, sizeof *out->pool_at_max)) ||
	    !(out->region_lat = calloc(nr * WORLD_NLAT, sizeof *out->region_lat)) ||
	    !(out->ts = calloc(nts, sizeof *out->ts)) ||
	    !(out->month_cost = calloc(sh->nmonths * sh->npools * BILL_NOPTIONS,
				       sizeof *out->month_cost)) ||
	    !(out->month_unused = calloc(sh->nmonths, sizeof *out->month_unused)) ||
	    !(out->month_dr = calloc(sh->nmonths, sizeof *out->month_dr)) ||
	    !(out->month_network = calloc(sh->nmonths * sc->ntiers * nr,
					  sizeof *out->month_network)) ||
	    (sh->has_call_price &&
	     !(out->bucket_network = calloc(sh->nbuckets * sc->ntiers * nr,
					    sizeof *out->bucket_network))) ||
	    !(w.pools = calloc(sh->npools, sizeof *w.pools)) ||
	    !(w.breach_start = malloc(nr * sizeof *w.breach_start)) ||
	    !(w.breach_failed = calloc(nr, sizeof *w.breach_failed)) ||
	    !(region_state = malloc(6 * nr * sizeof *region_state)) ||
	    (sh->overall && !(w.lat = calloc(nr, sizeof *w.lat))) ||
	    (sh->overall && !(w.lat_queues = calloc(sh->npools, sizeof *w.lat_queues))) ||
	    (sh->overall && !(w.lat_split = calloc(2 * sc->ntiers, sizeof *w.lat_split))) ||
	    !(w.dns_prev = calloc(nr * nr, sizeof *w.dns_prev)) ||
	    !(w.dns_target = calloc(nr * nr, sizeof *w.dns_target)) ||
	    !(w.dns_since = calloc(nr, sizeof *w.dns_since)) ||
	    !(w.dns_out = calloc(nr, sizeof *w.dns_out)) ||
	    !(w.dr_state = calloc(nr, sizeof *w.dr_state)) ||
	    !(w.dr_gen = calloc(nr, sizeof *w.dr_gen)) ||
	    !(w.dr_from = calloc(nr, sizeof *w.dr_from)) ||
	    !(w.dns_flow = calloc(nr * nr, sizeof *w.dns_flow)) ||
	    !(w.split = calloc(nr * nr, sizeof *w.split)) ||
	    !(w.user_rtt = calloc(nr, sizeof *w.user_rtt)) ||
	    (sc->traffic.region_peaks && !(w.share = malloc(nr * sizeof *w.share))))
		goto out;
	for (size_t r = 0; r < nr; r++) {
		w.breach_start[r] = -1;
		if (w.lat && (rc = lat_init(&w.lat[r])) < 0)
			goto out;
	}
	if ((rc = engine_on(&w.eng, on_boot, &w)) < 0)
		goto out;
	w.ev_boot = rc;
	if ((rc = engine_on(&w.eng, on_scheduled, &w)) < 0)
		goto out;
	w.ev_sched = rc;
	if ((rc = engine_on(&w.eng, on_notice, &w)) < 0)
		goto out;
	w.ev_notice = rc;
	if ((rc = engine_on(&w.eng, on_interrupt, &w)) < 0)
		goto out;
	w.ev_interrupt = rc;
	if ((rc = engine_on(&w.eng, on_retire, &w)) < 0)
		goto out;
	w.ev_retire = rc;
	if ((rc = engine_on(&w.eng, on_reclaim, &w)) < 0)
		goto out;
	w.ev_reclaim = rc;
	if ((rc = engine_on(&w.eng, on_fallback, &w)) < 0)
		goto out;
	w.ev_fallback = rc;
	if ((rc = engine_on(&w.eng, on_retry, &w)) < 0)
		goto out;
	w.ev_retry = rc;
	if ((rc = engine_on(&w.eng, on_hour, &w)) < 0)
		goto out;
	w.ev_hour = rc;
	if ((rc = engine_on(&w.eng, on_fail, &w)) < 0)
		goto out;
	w.ev_fail = rc;
	if ((rc = engine_on(&w.eng, on_outage_start, &w)) < 0)
		goto out;
	w.ev_outage_start = rc;
	if ((rc = engine_on(&w.eng, on_outage_end, &w)) < 0)
		goto out;
	w.ev_outage_end = rc;
	if ((rc = engine_on(&w.eng, on_outage_next, &w)) < 0)
		goto out;
	w.ev_outage_next = rc;
	if ((rc = engine_on(&w.eng, on_dr, &w)) < 0)
		goto out;
	w.ev_dr = rc;
	if ((rc = rng_init(&w.outage_rng, seed, rep, WORLD_STREAM_OUTAGE)) < 0)
		goto out;
	have_outage_rng = 1;
	if ((rc = rng_init(&w.dr_rng, seed, rep, WORLD_STREAM_DR)) < 0)
		goto out;
	have_dr_rng = 1;
	rc = CAPSIM_ENOMEM;
	if (!(w.zone_down = calloc(nr * WORLD_MAX_ZONES, sizeof *w.zone_down)) ||
	    !(w.region_down = calloc(nr, sizeof *w.region_down)))
		goto out;
	rc = CAPSIM_ENOMEM;
	if (!(w.bl = calloc(sh->nlines, sizeof *w.bl)) ||
	    (sh->nadvice && !(w.hourly = calloc(sh->nadvice * sh->nhours, sizeof *w.hourly))) ||
	    (sh->nadvice && !(out->ri_advice = calloc(sh->nadvice, sizeof *out->ri_advice))) ||
	    (sh->nadvice && !(out->ri_saving = calloc(sh->nadvice, sizeof *out->ri_saving))) ||
	    (sh->keep_hourly &&
	     !(out->hourly_od = calloc(sh->npools * sh->nhours, sizeof *out->hourly_od))))
		goto out;
	w.nlines = sh->nlines;

	for (size_t i = 0; i < sh->npools; i++) {
		struct pool *p = &w.pools[i];
		const struct world_pool *d = &sh->pools[i];
		const struct scenario_tier *tier = &sc->tiers[d->tier];
		const struct scenario_autoscaling *as = &tier->autoscaling;
		p->def = d;
		p->w = &w;
		p->warm_from = INFINITY;
		p->zones = 1;
		for (size_t j = 0; j < tier->nplacement; j++)
			if (tier->placement[j].region == d->region)
				p->zones = tier->placement[j].zones;
		p->buy = sh->all_on_demand || !tier->has_purchase ? NULL : &tier->purchase;
		p->nlines = d->nlines;
		p->first_line = d->first_line;
		p->nspools = p->buy ? p->buy->nspot_types * (size_t)p->zones : 0;
		rc = CAPSIM_ENOMEM;
		if (!(p->zone_count = calloc((size_t)p->zones, sizeof *p->zone_count)) ||
		    !(p->lines = calloc(p->nlines, sizeof *p->lines)) ||
		    (p->nspools && !(p->spools = calloc(p->nspools, sizeof *p->spools))) ||
		    (p->nspools && !(p->choice = calloc(p->nspools, sizeof *p->choice))))
			goto out;
		for (size_t j = 0; j < p->nlines; j++) {
			p->lines[j].type = d->line_type[j];
			w.bl[p->first_line + j].rate = d->line_type[j] * nr + d->region;
		}
		for (size_t j = 0; j < p->nspools; j++) {
			struct spool *sp = &p->spools[j];
			size_t type = p->buy->spot_types[j / (size_t)p->zones];
			const struct scenario_price *pr = &sc->instance_types[type].price[d->region];
			sp->type = type;
			sp->zone = (int)(j % (size_t)p->zones);
			sp->bucket = pr->spot_bucket;
			sp->hazard = catalog_spot_hazard(pr->spot_bucket) / 3600.0;
			sp->od_price = pr->on_demand;
			sp->base_price = pr->on_demand * (1.0 - pr->spot_discount);
			sp->price = sp->base_price;
			for (size_t l = 0; l < p->nlines; l++)
				if (p->lines[l].type == type)
					sp->line = l;
		}
		if ((rc = lognormal_from_median_p95(tier->boot_median, tier->boot_p95,
						    &p->mu_boot, &p->sigma_boot)) < 0)
			goto out;
		if ((rc = rng_init(&p->boot_rng, seed, rep, WORLD_STREAM_BOOT + (uint32_t)i)) < 0 ||
		    (rc = rng_init(&p->spot_rng, seed, rep, WORLD_STREAM_SPOT + (uint32_t)i)) < 0 ||
		    (rc = rng_init(&p->reclaim_rng, seed, rep,
				   WORLD_STREAM_RECLAIM + (uint32_t)i)) < 0 ||
		    (rc = rng_init(&p->price_rng, seed, rep, WORLD_STREAM_PRICE + (uint32_t)i)) < 0 ||
		    (rc = rng_init(&p->fail_rng, seed, rep, WORLD_STREAM_FAIL + (uint32_t)i)) < 0)
			goto out;
		/* A varying spot price starts from its stationary law, as on_hour moves it. */
		double sigma = p->buy ? p->buy->spot_price_volatility : 0;
		for (size_t j = 0; sigma > 0 && j < p->nspools; j++) {
			struct spool *sp = &p->spools[j];
			sp->y = spot_price_start(sigma, &p->price_rng);
			spot_reprice(sp, sigma);
		}
		double period = as->has_target_tracking ? as->target_tracking.metric_period
							: DEFAULT_EVAL_PERIOD;
		double delay = as->has_target_tracking ? as->target_tracking.metric_delay
							: DEFAULT_METRIC_DELAY;
		p->warmup = as->has_target_tracking ? as->target_tracking.warmup : 0;
		p->has_policy = as->has_target_tracking || as->has_step_scaling ||
				as->has_predictive;
		p->predictive = as->has_predictive;
		p->region_row = (sh->npools + d->region) * RUN_TS_NFIELDS;
		double cap_rps = d->servers_per_instance / d->service_time;
		double ptarget = as->has_target_tracking ? as->target_tracking.target
							 : PREDICTIVE_DEFAULT_TARGET;
		if ((rc = autoscale_init(&p->as, as, cap_rps, ptarget, period)) < 0)
			goto out;
		p->sched_min = as->min;
		p->sched_max = as->max;
		if (p->has_policy) {
			p->eval_every = (uint64_t)ceil(period / sh->step - 1e-9);
			if (p->eval_every < 1)
				p->eval_every = 1;
			/* The delay to the nearest whole step: rounded up, a 60 s delay at a
			 * 5-minute step would read a window 5–10 minutes old where the one ending
			 * now is nearer the truth (1–6 minutes old), and an hour old at a 1-hour
			 * step. */
			p->delay_steps = (uint64_t)floor(delay / sh->step + 0.5);
			p->win_back = p->delay_steps + p->eval_every;
			p->metric_from = p->delay_steps + 1;
			uint64_t slots = 1;
			while (slots < p->eval_every + p->delay_steps + 2)
				slots *= 2;
			p->ring_mask = slots - 1;
			/* The first evaluation is at step eval_every (never at step 0). */
			p->eval_left = p->eval_every + 1;
			rc = CAPSIM_ENOMEM;
			if (!(p->util_cum = calloc(slots, sizeof *p->util_cum)))
				goto out;
		}
		/* A DR recovery region starts in standby. */
		if (sc->has_dr && sc->dr.strategy != SCENARIO_DR_ACTIVE_ACTIVE &&
		    d->region == sc->dr.recovery) {
			p->standby = 1;
			p->as.min = p->as.max = p->as.desired = standby_count(&w, p);
		}
		/* The initial fleet, in its purchase mix, is in service at t = 0 (a run starts
		 * from a running system). */
		track_max(p, 0);
		if ((rc = resize(p, p->as.desired, 0)) < 0)
			goto out;
		for (int k = 0; k < p->used; k++) {
			struct instance *in = &p->inst[k];
			if (in->state != INST_BOOTING)
				continue;
			engine_cancel(&w.eng, in->boot);
			in->ready = 0;
			in->state = INST_SERVICE;
			p->nservice++;
			p->warm_from = 0;
		}
		p->as.hold_in_until = -INFINITY;   /* nothing of the starting fleet warms up */
		for (size_t j = 0; j < p->nspools; j++) {
			double rate = p->buy->reclaims.rate_per_month;
			if (!(rate > 0))
				continue;
			double at = rng_exponential(&p->reclaim_rng, SCENARIO_MONTH / rate);
			if (at < sc->horizon &&
			    (rc = engine_schedule(&w.eng, at, w.ev_reclaim, p, j, NULL)) < 0)
				goto out;
		}
		for (size_t a = 0; a < as->nscheduled; a++) {
			double at = autoscale_next_scheduled(&as->scheduled[a], -1e-9);
			if (isfinite(at) && at < sc->horizon &&
			    (rc = engine_schedule(&w.eng, at, w.ev_sched, p, a, NULL)) < 0)
				goto out;
		}
	}
	out->scalar[W_PEAK_INSTANCES] = w.running_total;
	if ((rc = dr_init(&w)) < 0)
		goto out;
	if (sc->has_failures) {
		const struct scenario_failures *f = &sc->failures;
		for (size_t k = 0; k < f->nscripted; k++)
			if (f->scripted[k].at < sc->horizon &&
			    (rc = engine_schedule(&w.eng, f->scripted[k].at, w.ev_outage_start, NULL,
						  k, NULL)) < 0)
				goto out;
		for (size_t r = 0; r < nr; r++) {
			if (f->has_region_outages && f->region_outages.rate_per_year > 0) {
				double at = rng_exponential(&w.outage_rng,
							    WORLD_YEAR / f->region_outages.rate_per_year);
				if (at < sc->horizon &&
				    (rc = engine_schedule(&w.eng, at, w.ev_outage_next, NULL,
							  WORLD_REGION_FLAG | r, NULL)) < 0)
					goto out;
			}
			for (size_t z = 0; f->has_zone_outages && f->zone_outages.rate_per_year > 0 &&
					   z < sc->regions[r].nzones; z++) {
				double at = rng_exponential(&w.outage_rng,
							    WORLD_YEAR / f->zone_outages.rate_per_year);
				if (at < sc->horizon &&
				    (rc = engine_schedule(&w.eng, at, w.ev_outage_next, NULL,
							  r * WORLD_MAX_ZONES + z, NULL)) < 0)
					goto out;
			}
		}
	}
	if (3600.0 < sc->horizon &&
	    (rc = engine_schedule(&w.eng, 3600.0, w.ev_hour, NULL, 0, NULL)) < 0)
		goto out;

	if ((rc = traffic_init(&tr, &sc->traffic, sh->step, sc->horizon, seed, rep)) < 0)
		goto out;
	have_traffic = 1;
	traffic_use_shape_table(&tr, sh->shape);
	w.bucket = 0;
	w.bucket_left = sh->steps_per_bucket;
	for (uint64_t k = 0; k < sh->nsteps; k++) {
		double now = (double)k * sh->step;
		long n = engine_idle_until(&w.eng, now) ? 0 : engine_run(&w.eng, now);
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
	/* Events up to the horizon (boots, notices, the last billing hour's end), then the
	 * last, possibly partial, hour. */
	if ((rc = (int)engine_run(&w.eng, sc->horizon)) < 0 || (rc = w.err) < 0 ||
	    (rc = settle(&w, sc->horizon)) < 0 || (rc = report_outages(&w)) < 0)
		goto out;
	/* Close breach episodes still open at the horizon. */
	for (size_t r = 0; r < nr; r++)
		if (w.breach_start[r] >= 0) {
			char d[96];
			snprintf(d, sizeof d, "open at the horizon after %.0f s",
				 sc->horizon - w.breach_start[r]);
			add_event(&w, sc->horizon, (long)r, -1, "slo_breach_end",
				  w.breach_failed[r], d);
		}
	if ((rc = sort_events(out)) < 0)
		goto out;
	/* Reservation advice from this replication's hourly on-demand usage (models/commit.h):
	 * the count that minimises that usage's bill at the 1-year no-upfront price, and what
	 * it would save against paying all of it on demand. A last hour shorter than an hour
	 * is chosen on as an hour of its mean usage, and saves its share of an hour. */
	for (size_t a = 0; a < sh->nadvice; a++) {
		double *u = &w.hourly[a * sh->nhours], *last = &u[sh->nhours - 1];
		double price = sh->rates[sh->advice_rate[a]].on_demand, fee = sh->advice_fee[a], cost;
		int k;
		*last /= sh->last_span;
		if ((rc = commit_reserved_count(u, sh->nhours, price, fee, &k, &cost)) < 0)
			goto out;
		out->ri_advice[a] = k;
		out->ri_saving[a] = commit_reserved_cost(u, sh->nhours - 1, price, fee, 0) -
				    commit_reserved_cost(u, sh->nhours - 1, price, fee, k) +
				    sh->last_span * (commit_reserved_cost(last, 1, price, fee, 0) -
						     commit_reserved_cost(last, 1, price, fee, k));
	}

	/* A region's instance counts are its pools' (sums of whole numbers, exact in any
	 * order): added up here once rather than at every step. */
	for (size_t b = 0; b < sh->nbuckets; b++) {
		double *row = &out->ts[b * sh->nseries * RUN_TS_NFIELDS];
		for (size_t i = 0; i < sh->npools; i++) {
			const double *pr = row + i * RUN_TS_NFIELDS;
			double *ir = row + w.pools[i].region_row;
			ir[RUN_TS_INSTANCES] += pr[RUN_TS_INSTANCES];
			ir[RUN_TS_IN_SERVICE] += pr[RUN_TS_IN_SERVICE];
		}
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
	if (sh->overall) {
		size_t cells = 0;
		for (size_t r = 0; r < nr; r++)
			cells += w.lat[r].n;
		double *g = malloc(3 * (cells ? cells : 1) * sizeof *g);
		rc = CAPSIM_ENOMEM;
		if (!g)
			goto out;
		out->scalar[W_PCT_OVERALL] = lat_quantile(w.lat, 0, nr, sh->p, g);
		for (size_t r = 0; r < nr; r++)
			out->region_lat[r * WORLD_NLAT + WORLD_LAT_OVERALL] =
				lat_quantile(w.lat, r, r + 1, sh->p, g);
		free(g);
	}
	for (size_t i = 0; i < sh->npools; i++) {
		struct pool *p = &w.pools[i];
		out->pool_util[i] /= (double)sh->nsteps;
		if (p->at_max)
			out->pool_at_max[i] += sc->horizon - p->at_max_since;
		out->pool_at_max[i] /= sc->horizon;
	}
	rc = 0;
out:
	if (have_traffic)
		traffic_release(&tr);
	if (have_outage_rng)
		rng_release(&w.outage_rng);
	if (have_dr_rng)
		rng_release(&w.dr_rng);
	free(region_state);
	world_free(&w);
	return rc;
}

int world_region_latency(const struct scenario *sc, size_t g)
{
	return sc->nregions > 1 && !(sc->has_dr && sc->dr.strategy != SCENARIO_DR_ACTIVE_ACTIVE) &&
	       sc->traffic.region_share && sc->traffic.region_share[g] > 0;
}

int world_has_region_latency(const struct scenario *sc)
{
	for (size_t g = 0; g < sc->nregions; g++)
		if (world_region_latency(sc, g))
			return 1;
	return 0;
}

double world_slo_latency(const struct scenario *sc, const struct world_rep *w, long *region)
{
	double worst = -1;
	*region = -1;
	for (size_t g = 0; g < sc->nregions; g++) {
		const double *lat = &w->region_lat[g * WORLD_NLAT];
		if (world_region_latency(sc, g) && lat[WORLD_LAT_OFFERED] > 0 &&
		    lat[WORLD_LAT_WEIGHTED] / lat[WORLD_LAT_OFFERED] > worst) {
			worst = lat[WORLD_LAT_WEIGHTED] / lat[WORLD_LAT_OFFERED];
			*region = (long)g;
		}
	}
	if (worst >= 0)
		return worst;
	double offered = w->scalar[W_OFFERED];
	return offered > 0 ? w->scalar[W_PCT_WEIGHTED] / offered : 0.0;
}

void world_rep_discard(const void *result, uint64_t rep, void *ctx)
{
	struct world_rep w = *(const struct world_rep *)result;
	(void)rep;
	(void)ctx;
	world_rep_release(&w);
}

void world_rep_release(struct world_rep *r)
{
	if (!r)
		return;
	free(r->pool_cost);
	free(r->pool_util);
	free(r->pool_at_max);
	free(r->region_lat);
	free(r->ts);
	free(r->month_cost);
	free(r->month_unused);
	free(r->month_dr);
	free(r->month_network);
	free(r->bucket_network);
	free(r->ri_advice);
	free(r->ri_saving);
	free(r->hourly_od);
	free(r->rto);
	free(r->rto_full);
	free(r->rto_open);
	free(r->full_open);
	free(r->rpo);
	free(r->outage_pct);
	free(r->events);
	memset(r, 0, sizeof *r);
}
