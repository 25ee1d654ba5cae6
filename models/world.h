/* The fluid capacity model: one replication of a scenario, month after month, step by step.
 *
 * Two kinds of work share one engine (DESIGN.md, "The world"):
 *   - infrastructure events, rare, on the engine: instance boots complete (boot times drawn
 *     from the tier's lognormal, median and p95), scheduled actions fire;
 *   - the load, every `step` seconds: the traffic generator's user rate is split by region
 *     and walked down the tiers' chain; each (tier, region) pool receives
 *     visits × (the user requests still alive) and serves it with the instances in service at
 *     the step's start. A stable pool (no backlog, rho < 1) gets its utilisation, P(wait),
 *     mean and percentile response time from the queueing core (models/qtable.h: M/M/c, exact
 *     for Poisson arrivals and exponential service), and loses the fraction P(wait > timeout)
 *     to the timeout. An overloaded pool (rho >= 1, or a backlog left from earlier steps)
 *     follows the fluid limit: it serves c/S requests/s, keeps at most the c/S × timeout
 *     requests that can still be served within the timeout and times out the rest; its
 *     percentile response is the wait of the last request in the backlog plus the service
 *     percentile. A pool with no instance in service fails every request it receives.
 *     A user request succeeds only if each of its visits to every tier on the chain is
 *     served, so a step's success fraction is the product over tiers of (1 − f)^visits. The
 *     end-to-end percentile is approximated from the tiers' mean responses m and percentiles
 *     p: the sum over the chain of visits × m plus the root of the sum of visits × (p − m)²,
 *     as for independent visits whose percentiles lie equally many standard deviations above
 *     their means (at most the sum of the percentiles; scenarios/README.md has its error
 *     against the exact percentile of a sum). The tiers' common load moves with the step.
 * Autoscaling (models/autoscale.h) is evaluated inside the step loop every metric period
 * (rounded to whole steps), on the mean utilisation of the in-service instances over the
 * steps that ended at least `metric_delay` ago; a changed desired count launches instances
 * (booting, billed from launch) or terminates the newest ones first (a booting instance is
 * cancelled).
 * Purchase mix (models/spot.h): a tier with a `purchase` block keeps its on-demand share of the
 * desired count (base, then a rounded-up fraction above it) and launches the rest as spot in
 * the pool (type × zone) its allocation strategy picks, zones balanced. Each spot instance has
 * a constant interruption hazard from its pool's Spot Instance Advisor bucket
 * (catalog_spot_hazard); at the interruption it gets the two-minute notice and is terminated
 * at its end. With capacity rebalancing the replacement launches at the notice, otherwise
 * after the termination. A correlated reclaim (Poisson per pool) notices a random share of a
 * pool's instances at once and makes the pool unable to launch for a while; launches then go
 * to other pools, else on demand (at once or after the fallback delay), else wait.
 * Billing: usage is integrated per second from launch to termination (a 60-second minimum
 * when the group terminates an instance; a spot interruption bills the seconds used) into one
 * line per (pool, instance type), spot at the pool's current spot price; every hour (a
 * billing event) the hour is settled by models/billing.c: reservations, then savings plans,
 * then on-demand prices. Instances still running at the horizon are billed to it.
 * Random streams (sim/rng.h), each its own so that models do not shift each other's draws:
 * traffic noise and spikes (TRAFFIC_STREAM_*); for pool p, boot times (WORLD_STREAM_BOOT + p),
 * spot interruptions (WORLD_STREAM_SPOT + p), reclaims (WORLD_STREAM_RECLAIM + p) and the spot
 * price (WORLD_STREAM_PRICE + p). A replication is a pure function of (shared, seed, rep), and
 * the all-on-demand counterfactual sees the same traffic and boot draws. */
#ifndef CAPSIM_WORLD_H
#define CAPSIM_WORLD_H

#include <stddef.h>
#include <stdint.h>

#include "models/billing.h"
#include "models/qtable.h"
#include "models/run.h"
#include "models/scenario.h"

#define WORLD_STREAM_BOOT 100
#define WORLD_STREAM_SPOT 200     /* + pool: spot interruption times */
#define WORLD_STREAM_RECLAIM 300  /* + pool: correlated reclaims */
#define WORLD_STREAM_PRICE 400    /* + pool: the spot price process */
#define WORLD_STREAM_FAIL 500     /* + pool: instance failures (instance_mtbf) */
#define WORLD_STREAM_OUTAGE 600   /* random zone and region outages */
#define WORLD_STREAM_DR 700       /* replication lags at outages */
/* Most zones a region may have. */
#define WORLD_MAX_ZONES 64
/* A year for outage rates, s (365 days). */
#define WORLD_YEAR SCENARIO_YEAR
/* Longest horizon, in steps, whose traffic shape is tabulated once for all replications
 * (8 bytes a step: 32 MiB at most). */
#define WORLD_SHAPE_TABLE_MAX 4194304

/* Per-replication scalar figures, summed over the horizon. */
enum world_scalar {
	W_OFFERED,             /* user requests offered */
	W_SUCCEEDED,           /* user requests served by every tier */
	W_TIMED_OUT,           /* tier requests dropped by a timeout, all pools */
	W_REJECTED,            /* tier requests failed for want of any instance in service */
	W_STEPS,               /* steps with traffic */
	W_STEPS_MET,           /* of those, steps whose end-to-end percentile met the target in
				  every region with traffic */
	W_PCT_WEIGHTED,        /* sum over steps and regions of user requests × e2e percentile */
	W_REQ_MET,             /* user requests offered in a region at a step whose e2e
				  percentile met the target */
	W_COST,                /* USD */
	W_INSTANCE_SECONDS,    /* instance-seconds billed (before the 60 s minimum) */
	W_SCALING_ACTIONS,     /* changes of a pool's desired count by a policy or schedule */
	W_PEAK_INSTANCES,      /* most instances running at once, all pools */
	W_INTERRUPTIONS,       /* spot interruption notices */
	W_RECLAIMS,            /* correlated reclaim events */
	W_RECLAIMS_HIT,        /* those that found spot instances to take */
	W_FALLBACKS,           /* on-demand launches made because no spot pool could launch */
	W_UNUSED_COMMITMENT,   /* USD of reservation fees and savings-plan commitment unused */
	W_RI_HOURS,            /* instance-hours reserved */
	W_RI_USED_HOURS,       /* of which used */
	W_OD_ELIGIBLE_HOURS,   /* on-demand instance-hours before any discount */
	W_SP_COMMITMENT,       /* USD committed to savings plans */
	W_SP_USED,             /* of which applied */
	W_SP_COVERED_EQUIV,    /* on-demand-equivalent USD the plans covered */
	W_INSTANCE_FAILURES,   /* instances lost to instance_mtbf */
	W_OUTAGES,             /* zone and region outages started */
	W_DOWNTIME,            /* s of steps whose success fraction was below the SLO target */
	W_DR_TRANSFER,         /* USD of replication traffic between regions */
	W_DR_BACKUP,           /* USD of backup storage */
	W_NETWORK,             /* USD of the chain's calls between regions (their bytes) */
	W_OD_EQUIV,            /* on-demand-equivalent USD of the on-demand-eligible usage that
				  reservations left (the denominator of savings-plan coverage) */
	W_PCT_OVERALL,         /* s, the e2e percentile of all user requests of the run
				  together (sh->overall only) */
	W_NSCALARS
};

/* A pool of the model (tier × region), read-only after world_shared_init. */
struct world_pool {
	size_t tier, region;
	double service_time;   /* s per request on one server */
	int servers_per_instance; /* concurrency (1 with capacity_rps) */
	size_t nlines;         /* billing lines: the tier's on-demand type, then spot types */
	size_t first_line;     /* index of its first line among all pools' lines */
	const size_t *line_type; /* [nlines] instance type of each line */
	double svc_pct;        /* s, p-quantile of one service time (exponential) */
	double timeout;        /* s, the tier's request timeout */
	double pct_cap;        /* s, timeout + svc_pct: the longest response a request has */
	struct qcache *qc;     /* the tier's queueing tables (sh->qc[tier]) */
	int max_instances;     /* the most any bound or schedule allows */
};

/* What every replication shares, read-only: the layout of the model and its caches. */
struct world_shared {
	const struct scenario *sc; /* borrowed */
	double step;           /* s */
	uint64_t nsteps;
	double p;              /* SLO percentile as a probability (0.99 without an SLO) */
	int overall;           /* 1 when p > 1 − 1/e: the percentile of all requests together
				  is measured (world.c, "The latency of all requests together") */
	double overall_k1, overall_k2; /* 1/(L − 1) and L/(L − 1), L = −ln(1 − p) */
	double latency_target; /* s; 0 = none */
	double availability_target; /* the SLO's, 0.999 without one: downtime and RTO use it */
	struct world_pool *pools; /* [npools], tier-major in chain order then region order */
	size_t npools;
	long *pool_of;         /* [ntiers × nregions]: pool of tier t in region r, -1 if not placed */
	double *route;         /* [ntiers × nregions × nregions]: share of region r's flow that
				  tier t serves in region r2 (identity when placed in r) */
	size_t *chain;         /* [ntiers] tier indices from tiers[0] along `calls` */
	unsigned char *everywhere; /* [ntiers] 1: placed in every region, so its route is the
				      identity and each pool serves its own region's flow */
	double *ln_visits;     /* [ntiers] ln visits */
	double *chain_rtt;     /* [nregions] s the chain's calls between regions add to a user
				  request entering region r (scenario's rtt; 0 without it) */
	double *call_price;    /* [ntiers × nregions × nregions] USD of one call to tier t made
				  for a user request entering region r, billed to region z
				  ([(t × nr + r) × nr + z]): its bytes that leave z for another
				  region, priced */
	int has_call_price;    /* 1 when some call_price is > 0 */
	struct qcache **qc;    /* [ntiers] one table family per tier */
	struct qtable_family *family; /* [ntiers] the families' parameters */
	double *shape;         /* [nsteps] the traffic's deterministic shape per step, shared by
				  every replication; NULL above WORLD_SHAPE_TABLE_MAX steps */
	/* output layout */
	double bucket;         /* s per time-series bucket, a whole number of steps */
	uint64_t steps_per_bucket;
	size_t nbuckets;
	size_t nseries;        /* npools + nregions ("all" rows) */
	size_t nmonths;        /* months of SCENARIO_MONTH the horizon touches */
	int record_events;     /* keep scaling events of replication 0 */
	int all_on_demand;     /* ignore purchase options, reservations and savings plans (the
				  "everything on demand" counterfactual) */
	size_t nlines;         /* billing lines of all pools */
	size_t *line_types;    /* [nlines] */
	struct billing_rate *rates; /* [ntypes × nregions], index type × nregions + region */
	struct billing_reservation *ri;
	struct billing_savings_plan *sp;
	struct billing_plan plan;
	size_t nadvice;        /* (type, region)s given reservation advice */
	size_t *advice_rate;   /* [nadvice] their rate indexes */
	double *advice_fee;    /* [nadvice] USD/h of a 1-year no-upfront reservation */
	size_t nhours;         /* billing hours in the horizon */
	double last_span;      /* the last one's length in hours, (0, 1]: less than 1 when the
				  horizon is not a whole number of hours */
	int exact_queueing;    /* solve every pool-step with qtable_exact (benchmark baseline) */
	int keep_hourly;       /* 1: each replication returns its pools' hourly on-demand usage
				  (world_rep.hourly_od), for the optimizer's billing of
				  commitments */
};

/* Lays out the model of sc (which must outlive sh). bucket is the time-series resolution in s
 * (rounded to whole steps, at least one); 0 picks one giving at most ~1000 buckets.
 * all_on_demand ignores the purchase options and commitments. Returns 0, CAPSIM_EINVAL or
 * CAPSIM_ENOMEM (sh then holds nothing). */
int world_shared_init(struct world_shared *sh, const struct scenario *sc, double bucket,
		      int all_on_demand);

/* Frees sh's tables; accepts NULL and a released struct. */
void world_shared_release(struct world_shared *sh);

/* world_rep.region_lat's sums for one region, over the steps it serves user requests. */
enum {
	WORLD_LAT_OFFERED,     /* user requests */
	WORLD_LAT_WEIGHTED,    /* user requests × e2e percentile */
	WORLD_LAT_STEPS,       /* steps */
	WORLD_LAT_MET,         /* steps whose e2e percentile meets the SLO's target */
	WORLD_LAT_NETWORK,     /* user requests × the round trips between regions in it */
	WORLD_LAT_OVERALL,     /* s, the e2e percentile of all its user requests together
				  (sh->overall only) */
	WORLD_NLAT
};

/* One replication's results; arrays sized by sh's layout. */
struct world_rep {
	double scalar[W_NSCALARS];
	double *pool_cost;     /* [npools] USD */
	double *pool_util;     /* [npools] time-average utilisation */
	double *pool_at_max;   /* [npools] share of the horizon at the autoscaling max (desired
				  = max > min, a dynamic policy on, not in standby) */
	double *region_lat;    /* [nregions × WORLD_NLAT] the latency SLO per region served */
	double *ts;            /* [nbuckets × nseries × RUN_TS_NFIELDS] bucket means */
	double *month_cost;    /* [nmonths × npools × BILL_NOPTIONS] USD by purchase option */
	double *month_unused;  /* [nmonths] USD of commitments (reservations, plans) unused */
	double option_hours[BILL_NOPTIONS]; /* instance-hours by how they were paid */
	double *rto;           /* [nrto] s per outage: start to the first step meeting the
				  availability SLO (the horizon bounds it for one never recovered) */
	double *rto_full;      /* [nrto] s per outage: start to full capacity after its end */
	unsigned char *rto_open; /* [nrto] 1 when not recovered by the horizon: rto is then a
				  lower bound */
	unsigned char *full_open; /* [nrto] 1 when not back to full capacity by the horizon:
				   rto_full is then a lower bound */
	double *rpo;           /* [nrto] s of writes lost per outage; -1 when not measured */
	double *outage_pct;    /* [nrto] s, e2e percentile of the user requests served during
				  each outage (start to end), weighted by them; -1 when none was */
	double *month_dr;      /* [nmonths] USD of the DR strategy's data costs */
	double *month_network; /* [nmonths × ntiers × nregions] USD of the calls to each tier
				  that crossed regions (their bytes), by the region they left */
	double *bucket_network; /* [nbuckets × ntiers × nregions] the same by time bucket, or
				  NULL when no call between regions is priced */
	double *ri_advice;     /* [nadvice] break-even reservation count of this replication */
	double *ri_saving;     /* [nadvice] USD it saves on its on-demand usage */
	double *hourly_od;     /* [npools × nhours] with sh->keep_hourly, else NULL: on-demand
				  instance-hours of each pool's own type (its first billing line)
				  in each hour, before any reservation or plan */
	size_t nrto;
	struct run_event *events; /* [nevents] */
	size_t nevents, events_cap;
	uint64_t events_dropped;
};

/* Whether region g's latency is a figure of its own (latency_pNN.region.NAME): with two
 * regions or more, for a region receiving a traffic share, unless a primary/recovery DR plan
 * sends every user to the primary (whose figures are then the totals). */
int world_region_latency(const struct scenario *sc, size_t g);

/* Whether some region's latency is a figure of its own (world_region_latency). */
int world_has_region_latency(const struct scenario *sc);

/* The latency an SLO judges in replication w: the worst of the regions' of their own (the
 * request-weighted e2e percentile of the users each serves; *region gets which), else the
 * request-weighted percentile of all users (*region -1); 0 without traffic. */
double world_slo_latency(const struct scenario *sc, const struct world_rep *w, long *region);

/* Runs replication rep under seed. Fills *out (allocating its arrays; world_rep_release frees
 * them, on failure too). Returns 0, CAPSIM_ENOMEM, or an engine error. */
int world_run(const struct world_shared *sh, uint64_t seed, uint64_t rep, struct world_rep *out);

/* The length in hours of billing hour h: 1, or last_span for the horizon's last. */
static inline double world_hour_span(const struct world_shared *sh, size_t h)
{
	return h + 1 == sh->nhours ? sh->last_span : 1.0;
}

/* Frees what r holds and zeroes it; accepts NULL. */
void world_rep_release(struct world_rep *r);

/* An mc discard callback (sim/mc.h) for results that are world_reps: releases one that an
 * earlier replication's failure left unfolded. */
void world_rep_discard(const void *result, uint64_t rep, void *ctx);

#endif
