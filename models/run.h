/* The results of `capsim run`: a scenario simulated over many replications, summarised.
 *
 * run_simulate() runs the fluid capacity model (models/world.h) once per replication on the
 * Monte Carlo runner and folds each replication into accumulators sized by the output: the
 * time series are summed over replications (time buckets × series), and each figure (each
 * metric; each month, pool and purchase option of the bill) keeps running sums for its mean
 * and interval and its values in the first RUN_SAMPLE_REPS replications for its percentiles,
 * never a replication's time series: memory does not grow with replications beyond
 * RUN_SAMPLE_REPS (below). What comes out, struct run_result, is plain
 * data that reports/ writes (CSV, SQLite, plots, text, JSON) without simulating anything.
 * Figures across replications are means with Student-t 95% confidence intervals and the
 * 5th/50th/95th percentiles of the per-replication values. Results are identical for a seed
 * whatever the thread count. */
#ifndef CAPSIM_RUN_H
#define CAPSIM_RUN_H

#include <stddef.h>
#include <stdint.h>

#include "models/scenario.h"

/* One figure across replications: a row of summary.csv and of cost.csv. */
struct run_stat {
	double mean;           /* mean over replications */
	double ci95_low;       /* Student-t 95% interval of the mean (NaN with 1 replication:
				  no interval), clipped to the figure's range: >= 0, and <= 1
				  for fractions */
	double ci95_high;
	double p5, p50, p95;   /* percentiles of the per-replication values (type 7) */
};

/* Room for the longest metric name, "ri_breakeven_saving.TYPE.REGION" with two names of
 * SCENARIO_NAME_MAX: a cut name could fall on another's (two long tier names sharing their
 * first 60 characters) or miss its lookup. */
#define RUN_METRIC_NAME_MAX (32 + 2 * SCENARIO_NAME_MAX + 24)

/* Room for an event's words with two names in them, a spot reclaim's "pool TYPE in zone ZONE:
 * ..." (its region has a column of its own). Up to RUN_MAX_EVENTS are kept (the SLO breaches
 * of every replication), so each byte here is up to 100 kB of a run's peak memory. */
#define RUN_EVENT_DETAIL_MAX (2 * SCENARIO_NAME_MAX + 80)

/* A summary metric: one row of summary.csv. */
struct run_metric {
	char name[RUN_METRIC_NAME_MAX]; /* e.g. "availability", "utilization.web.eu-west-1" */
	char unit[16];         /* e.g. "fraction", "USD", "s", "requests", "instances" */
	struct run_stat stat;
};

/* The range every value of a figure lies in, in its unit, with lo <= 0 <= hi: [0, 1] for
 * most fractions, [0, +inf] for most other figures, [-inf, 1] or [-inf, +inf] for a saving.
 * The interval of a mean is clipped to it (a t interval from few replications may reach
 * past it), and that of a difference of two runs' figures to the range that gives. */
struct run_range {
	double lo, hi;
};

/* The fields of a time-series row, averaged across replications. */
enum run_ts_field {
	RUN_TS_DEMAND,         /* requests/s offered (user requests/s for a region's "all" row) */
	RUN_TS_CAPACITY,       /* requests/s the instances in service sustain (for "all": user
				  requests/s the chain sustains, its narrowest tier) */
	RUN_TS_INSTANCES,      /* instances running (booting or in service), all on demand here */
	RUN_TS_IN_SERVICE,     /* instances in service */
	RUN_TS_UTILIZATION,    /* demand / capacity, capped at 1 (NaN-free: 0 with no capacity) */
	RUN_TS_WAIT_PROB,      /* P(wait > 0) */
	RUN_TS_P99,            /* s, response-time percentile of the SLO (end to end for "all") */
	RUN_TS_SERVED,         /* requests/s served (successful user requests/s for "all") */
	RUN_TS_FAILED,         /* requests/s failed or timed out (failed user requests/s for "all") */
	RUN_TS_COST_RATE,      /* USD per hour */
	RUN_TS_PAID_ON_DEMAND, /* instances paid at the on-demand price (hourly billing) */
	RUN_TS_PAID_SPOT,      /* instances paid at the spot price */
	RUN_TS_PAID_RESERVED,  /* instances covered by reservations */
	RUN_TS_PAID_SAVINGS_PLAN, /* instances covered by savings plans */
	RUN_TS_NFIELDS
};

/* Column names and units of the fields, in enum order (e.g. "demand_rps"). */
extern const char *const run_ts_name[RUN_TS_NFIELDS];

/* A time series: one (tier, region) pool, or a region's whole chain (tier = -1, "all"). */
struct run_series {
	long tier;             /* index into scenario.tiers, or -1 for the region's chain */
	size_t region;         /* index into scenario.regions */
};

/* A cost cell: one row of cost.csv. */
struct run_cost {
	int month;             /* 0-based month of SCENARIO_MONTH (730 h) since the start */
	long region;           /* index into scenario.regions; -1 for "all" */
	long tier;             /* index into scenario.tiers; -1 for "all" */
	const char *option;    /* "on_demand", "spot", "reserved", "savings_plan",
				  "unused_commitment" (reservation fees and savings-plan
				  commitment that covered nothing; region and tier "all"),
				  "dr_data" (replication traffic and backup storage; region and
				  tier "all") or "network" (the bytes of calls to the tier that
				  left the region) */
	struct run_stat stat;  /* USD over that month (partial at the end of the horizon) */
};

/* Something that happened, with the replication it happened in. */
struct run_event {
	uint64_t rep;          /* replication */
	double time;           /* s since the start */
	long region;           /* index into scenario.regions, -1 when not about one */
	long tier;             /* index into scenario.tiers, -1 when not about one */
	char kind[24];         /* e.g. "scale_out", "scale_in", "slo_breach_start" */
	double value;          /* the kind's figure (new desired count, failed requests, ...) */
	char detail[RUN_EVENT_DETAIL_MAX]; /* a few words for humans */
};

/* The whole bill of one month across replications (bill.csv). */
struct run_bill {
	int month;             /* 0-based */
	double mean;           /* USD */
	double p10, p50, p90, p95; /* percentiles across replications, USD */
};

struct run_result {
	const struct scenario *sc; /* borrowed: names of tiers and regions, SLO, horizon */
	uint64_t seed;
	uint64_t reps;
	unsigned threads;

	struct run_metric *metrics; /* [nmetrics], in the order summary.csv lists them */
	size_t nmetrics;
	/* The first nrep_metrics metrics have one value per replication (the outage figures
	 * after them are across outages): rep_values[i × reps + rep], in replication order, for
	 * paired comparisons of two runs on the same random numbers (models/compare.h), each in
	 * rep_range[i]. NULL when reps > the sample's size (run_options.sample_reps): memory
	 * does not grow with replications beyond it. */
	size_t nrep_metrics;
	double *rep_values;
	struct run_range *rep_range; /* [nrep_metrics] */

	double bucket;         /* s per time bucket of the time series */
	size_t nbuckets;       /* ceil(horizon / bucket) */
	struct run_series *series; /* [nseries]: each pool, then each region's "all" */
	size_t nseries;
	double *ts;            /* [nbuckets][nseries][RUN_TS_NFIELDS] means across replications;
				  a bucket's value is the time average over its steps */
	double *network;       /* [nbuckets][ntiers][nregions] mean USD across replications of
				  the bytes of calls to each tier that crossed regions in the
				  bucket, by the region they left; NULL when none is priced */

	struct run_cost *costs; /* [ncosts] by month, region, tier, option */
	size_t ncosts;

	struct run_bill *bills; /* [nbills] one per month */
	size_t nbills;

	struct run_event *events; /* [nevents] in (rep, time) order; see run_simulate */
	size_t nevents;
	uint64_t events_dropped;  /* events not kept beyond RUN_MAX_EVENTS */
};

/* Most events kept in a run_result. */
#define RUN_MAX_EVENTS 100000

/* The value of field f of series s in bucket b. */
static inline double run_ts(const struct run_result *r, size_t b, size_t s, enum run_ts_field f)
{
	return r->ts[(b * r->nseries + s) * RUN_TS_NFIELDS + f];
}

/* How to run: replications, seed, threads, the time-series resolution, progress. */
struct run_options {
	uint64_t seed;
	uint64_t reps;         /* >= 1 */
	unsigned threads;      /* 0 = online CPUs */
	double bucket;         /* s per time-series bucket; 0 picks one (at most ~1000 buckets) */
	int exact_queueing;    /* 1: solve every pool-step exactly instead of by the tables
				  (same results within the tables' error; for benchmarks) */
	void (*progress)(uint64_t done, uint64_t total, void *ctx); /* may be NULL */
	void *progress_ctx;
	uint64_t sample_reps;  /* the replications whose values are kept, for the percentiles
				  (0: RUN_SAMPLE_REPS); means and intervals use all of them */
};

/* Replications whose per-replication values a run keeps: up to this many every statistic is
 * that of every replication; beyond, means and confidence intervals still are (running
 * sums, in replication order), the percentiles across replications are those of the first
 * RUN_SAMPLE_REPS, and memory no longer grows with the count (but for the all-on-demand
 * counterfactual's three figures a replication, 24 bytes, kept for the pairing). */
#define RUN_SAMPLE_REPS 10000

/* Outages whose figures a run keeps (RTO, RPO, ...): the statistics across outages are
 * those of the first RUN_MAX_OUTAGES of the run, in replication order. */
#define RUN_MAX_OUTAGES 1000000

/* Simulates sc (which must outlive out) o->reps times and summarises into *out. Returns 0;
 * CAPSIM_EINVAL (bad options), CAPSIM_ENOMEM, CAPSIM_ETHREAD, or a replication's error; on
 * failure out holds nothing. */
int run_simulate(const struct scenario *sc, const struct run_options *o, struct run_result *out);

/* A figure's statistics from its n >= 1 per-replication values v (sorted in place): mean,
 * Student-t 95% interval (NaN when n == 1: no interval) clipped to the figure's range
 * [lo, hi] (a t-interval from few replications may reach past it), type-7 percentiles. */
void run_stat_of(double *v, size_t n, double lo, double hi, struct run_stat *st);

/* 1 when sc buys capacity other than on demand (spot, reservations, savings plans): then
 * run_simulate also runs the all-on-demand counterfactual. */
int run_buys_more_than_on_demand(const struct scenario *sc);

/* Finds a metric by name, or NULL. */
const struct run_metric *run_find_metric(const struct run_result *r, const char *name);

/* Frees what r holds (not the scenario) and zeroes it; accepts NULL. */
void run_result_release(struct run_result *r);

#endif
