/* Scenario format v1: the validated, SI-unit picture of one JSON scenario file.
 *
 * scenario_load() reads a JSON scenario (documented field by field in scenarios/README.md),
 * checks every field — types, ranges, references between sections, unknown and duplicate
 * keys — and fills a struct scenario in which every value is SI (seconds, requests/s, USD),
 * every default is applied and every reference is resolved to an index. A loaded scenario is
 * therefore always valid: later stages (traffic, fleets, autoscaling, costs) never re-check
 * it. Loading stops at the first mistake and describes it in a struct scenario_error as
 * "FILE:LINE: JSON.PATH: what was expected, what was found". The struct owns all its memory
 * (names, arrays, the trace, the price catalog); scenario_release() frees it. Keys starting
 * with "_comment" are accepted and ignored in every object.
 *
 * Instance types are either declared in the file or taken from a price catalog (the bundled
 * models/data/prices.csv, or the file's "catalog"); both end up in one array,
 * scenario.instance_types, so that every reference is one index. Each type has a price per
 * region (scenario_price): the declared price_hourly in every region, else the catalog's for
 * that region. The catalog is read only when the file needs it (a "catalog" key, a type it
 * does not declare, reservations, savings plans, or a spot type without declared spot data);
 * its rows stay referenced by the prices, so it lives as long as the scenario. Failures
 * (instance MTBF, random zone and region outages, scripted outages) are optional: without a
 * "failures" object nothing fails. A disaster-recovery plan ("dr") and the data it protects
 * ("data") are optional too: without "dr" nothing fails over (has_dr = 0, strategy
 * SCENARIO_DR_NONE); a loaded "dr" with one of the three primary/recovery strategies has
 * every tier placed in both its regions, and an active_active one every tier in at least two
 * regions. "dr" without "data" is allowed: no RPO is then measured. */
#ifndef CAPSIM_SCENARIO_H
#define CAPSIM_SCENARIO_H

#include <stddef.h>
#include <stdint.h>

#include "models/catalog.h"

/* The one format version this code reads. */
#define SCENARIO_VERSION 1
/* A month for growth rates and monthly budgets: 730 hours, the convention of cloud price
 * lists (AWS and Azure quote monthly prices as 730 x the hourly price). */
#define SCENARIO_MONTH 2628000.0
/* A year for failure rates (failures.*_outages.rate_per_year): 365 days, the same year as the
 * duration unit "y". */
#define SCENARIO_YEAR 31536000.0
/* The step may cut the horizon into at most this many steps. */
#define SCENARIO_MAX_STEPS 10000000.0
/* Longest name accepted for the scenario and anything it names. */
#define SCENARIO_NAME_MAX 100

/* Most replications a scenario (`replications`) or a command line (--reps) may ask for. */
#define SCENARIO_MAX_REPLICATIONS 1000000

/* Where and why loading failed. */
struct scenario_error {
	char file[512];     /* the scenario (or trace) file as given, "<input>" without one */
	int line, col;      /* 1-based; 0 when the mistake has no place (e.g. unreadable file) */
	char path[256];     /* JSON path such as "tiers[1].autoscaling.min", "" for the whole file */
	char text[512];     /* what was expected and what was found */
	char msg[1536];     /* the whole message: "FILE:LINE: PATH: TEXT" (or FILE:LINE:COL:) */
};

struct scenario_slo {
	double availability;         /* target fraction of requests served, (0,1] */
	double latency_percentile;   /* percent, (0,100) */
	double latency_target;       /* s; 0 when the scenario sets no latency target */
};

struct scenario_spikes {
	double rate_per_day;         /* mean number of spikes per day (Poisson); 0 = none */
	double magnitude_lo, magnitude_hi;   /* multiplier of the rate during a spike, 1 <= lo <= hi */
	double duration;             /* s */
};

/* A recorded traffic trace, as read from its CSV file. */
struct scenario_trace {
	char *path;                  /* resolved path of the CSV file */
	double *time;                /* s, strictly increasing, first >= 0 */
	double *rate;                /* requests/s at each time, >= 0 */
	size_t n;                    /* number of rows, >= 1 */
};

struct scenario_traffic {
	double base_rate;            /* requests/s; 0 when a trace gives the traffic */
	double daily_amplitude;      /* relative swing of the daily sine, [0,1); 0 = flat */
	double daily_peak_hour;      /* hour of day (0-24, UTC) at which the daily sine peaks */
	double weekend_factor;       /* multiplier on Saturdays and Sundays; 1 = no weekly shape */
	double growth_per_month;     /* compound growth per SCENARIO_MONTH, > -1 */
	double noise;                /* sigma of ln(factor) of a mean-one lognormal multiplier */
	struct scenario_spikes spikes;
	int has_trace;               /* 1 when `trace` replaces base_rate and the shapes */
	struct scenario_trace trace;
	double trace_period;         /* s: the trace repeats with this period; 0 = it does not
				        (its last rate holds to the horizon) */
	double *region_share;        /* [nregions] fraction of traffic entering each region; sums to 1 */
	double *region_peak_hour;    /* [nregions] hour (UTC) at which each region's users peak:
				      * daily_peak_hour unless the region gives its own */
	int region_peaks;            /* 1 when some region's peak differs from daily_peak_hour */
	size_t nregions;             /* entries of region_share and region_peak_hour */
};

/* What one instance type costs in one region. */
struct scenario_price {
	int known;                   /* 1 when the type has a price in that region */
	double on_demand;            /* USD per instance-hour: the declared price_hourly (every
				      * region), else the catalog's for the region; 0 when unknown */
	double spot_discount;        /* saving of spot against on demand, (0,1): the declared
				      * value, else the catalog's; -1 when unknown */
	int spot_bucket;             /* interruption-frequency bucket 0..CATALOG_NBUCKETS-1
				      * (catalog_bucket_name): declared, else the catalog's; -1
				      * when unknown */
	const struct catalog_entry *cat; /* the catalog row for (type, region); NULL when no
					  * catalog was read or it has no such row */
};

struct scenario_instance_type {
	char *name;
	char *family;                /* declared, else the name up to its first '.' */
	int vcpu;
	double memory_gib;           /* GiB */
	double price_hourly;         /* USD per instance-hour, on demand: the declared price, or
				      * for a catalog type the first region's that has it */
	int from_catalog;            /* 1: not declared, added from the catalog */
	struct scenario_price *price; /* [nregions] */
};

struct scenario_region {
	char *name;
	char **zones;                /* [nzones] zone names, unique within the region */
	size_t nzones;
	double transfer_price_gb;    /* USD per GB sent from this region to another, >= 0 */
};

/* One region a tier runs in. */
struct scenario_placement {
	size_t region;               /* index into scenario.regions */
	int zones;                   /* zones of that region used, 1..nzones (the first ones listed) */
};

struct scenario_target_tracking {
	double target;               /* utilisation the policy aims at, (0,1] */
	double tolerance;            /* no action while |metric/target - 1| <= tolerance, [0,1) */
	double scale_out_cooldown;   /* s */
	double scale_in_cooldown;    /* s */
	double stabilization_window; /* s; scale-in uses the highest recommendation in the window */
	double warmup;               /* s after boot before an instance counts in the metric */
	double metric_period;        /* s, > 0: the metric is averaged over and evaluated every period */
	double metric_delay;         /* s: age of the metric when the policy sees it */
	int max_scale_out_step;      /* most instances added per evaluation; 0 = unlimited */
};

struct scenario_step_adjustment {
	double lower, upper;         /* utilisation band [lower, upper); upper = INFINITY on the last */
	int change;                  /* instances added (negative: removed) while in the band */
};

struct scenario_step_scaling {
	struct scenario_step_adjustment *adjustments;   /* [n], sorted, non-overlapping */
	size_t n;
	double cooldown;             /* s */
};

#define SCENARIO_ALL_DAYS 0x7f   /* bit 0 = Monday ... bit 6 = Sunday */

/* A scheduled action; the simulation starts on a Monday at 00:00 UTC. -1 = not set. */
struct scenario_scheduled {
	double at;                   /* s after midnight UTC */
	unsigned days;               /* bit mask, bit 0 = Monday */
	int min, max, desired;       /* new bounds / count, or -1 when the action leaves them */
};

struct scenario_predictive {
	double lookback;             /* s of history the seasonal forecast uses */
	double lead;                 /* s ahead of the forecast peak that instances are launched */
};

/* Per (tier, region) pool: every placed region has its own group with these bounds. */
struct scenario_autoscaling {
	int min, max, desired;       /* instances per region; min <= desired <= max, max >= 1 */
	int has_target_tracking, has_step_scaling, has_predictive;
	struct scenario_target_tracking target_tracking;
	struct scenario_step_scaling step_scaling;
	struct scenario_scheduled *scheduled;   /* [nscheduled] in file order */
	size_t nscheduled;
	struct scenario_predictive predictive;
};

/* Allocation strategies of spot capacity across the spot pools (AWS EC2 Auto Scaling). */
enum scenario_alloc {
	SCENARIO_ALLOC_LOWEST_PRICE,             /* the cheapest pools first */
	SCENARIO_ALLOC_CAPACITY_OPTIMIZED,       /* the pools least likely to be interrupted */
	SCENARIO_ALLOC_PRICE_CAPACITY_OPTIMIZED  /* low interruption first, then low price */
};

/* Correlated reclaims of spot capacity; rate_per_month = 0 when there are none. */
struct scenario_reclaims {
	double rate_per_month;       /* reclaim events per SCENARIO_MONTH in each spot pool
				      * (instance type x zone), >= 0 */
	double fraction_lo, fraction_hi; /* share of the pool's spot instances taken by one
					  * event, drawn in [lo, hi], 0 < lo <= hi <= 1 */
	double unavailable;          /* s the pool refuses spot launches after an event, > 0 */
};

/* How a tier buys its instances (an AWS mixed-instances policy). Per (tier, region) pool:
 * the first on_demand_base instances are on demand; of the instances above the base, the
 * fraction on_demand_above_base is on demand (rounded up) and the rest spot. */
struct scenario_purchase {
	int on_demand_base;          /* instances per region, >= 0 */
	double on_demand_above_base; /* fraction in [0,1] (the file's percentage / 100) */
	size_t *spot_types;          /* [nspot_types] indexes into scenario.instance_types,
				      * unique; every one has spot data in every placed region */
	size_t nspot_types;          /* >= 1 when on_demand_above_base < 1, else may be 0 */
	int allocation;              /* enum scenario_alloc */
	int capacity_rebalance;      /* 1: launch a replacement at the interruption notice */
	int fallback_on_demand;      /* 1: launch on demand when no spot pool can launch */
	double fallback_delay;       /* s before falling back to on demand */
	struct scenario_reclaims reclaims;
	double spot_price_volatility; /* >= 0; 0 = the spot price is a constant discount */
};

struct scenario_tier {
	char *name;
	size_t instance_type;        /* index into scenario.instance_types */
	int has_service_time;        /* 1: service_time and concurrency given; 0: capacity_rps */
	double service_time;         /* s per request on one worker; 0 with capacity_rps */
	int concurrency;             /* requests one instance serves at once (workers), >= 1 */
	double capacity_rps;         /* requests/s one instance sustains: concurrency/service_time
				      * in the service-time form */
	double visits;               /* requests to this tier per user request, > 0 */
	double request_kb, response_kb; /* KB (1,000 bytes) of one call to the tier and of its
				      * response, >= 0: priced where a call crosses regions */
	long calls;                  /* index of the next tier on the chain, -1 for the last */
	struct scenario_placement *placement;   /* [nplacement], in the order listed */
	size_t nplacement;
	double boot_median, boot_p95;   /* s, 0 < median <= p95 */
	double timeout;              /* s a request waits before it is dropped */
	struct scenario_autoscaling autoscaling;
	int has_purchase;            /* 0: every instance on demand (purchase then holds the
				      * defaults: base 0, 100% on demand, no spot types) */
	struct scenario_purchase purchase;
};

/* Reserved instances bought for one (instance type, region); the prices are the catalog's
 * (instance_types[instance_type].price[region].cat, never NULL). */
struct scenario_reservation {
	size_t instance_type;        /* index into scenario.instance_types */
	size_t region;               /* index into scenario.regions */
	int count;                   /* instances, >= 1 */
	int term;                    /* enum catalog_term */
	int payment;                 /* enum catalog_payment */
};

/* A savings plan, no upfront (the catalog holds no-upfront rates only). */
struct scenario_savings_plan {
	int kind;                    /* enum catalog_plan */
	char *family;                /* instance-family plans: the family covered; NULL for compute */
	long region;                 /* instance-family plans: index into scenario.regions; -1
				      * for compute plans (every region) */
	double commitment_hourly;    /* USD per hour, > 0 */
	int term;                    /* enum catalog_term */
};

enum scenario_outage_kind {
	SCENARIO_OUTAGE_ZONE,        /* one availability zone of one region */
	SCENARIO_OUTAGE_REGION       /* every zone of one region */
};

/* Random outages of one kind: each zone of every region (zone outages), or each region
 * (region outages), fails as a Poisson process of this rate, independently of the others;
 * durations are lognormal with this median and 95th percentile. */
struct scenario_outage_law {
	double rate_per_year;        /* mean outages per SCENARIO_YEAR (365 days) of each zone or
				      * region, >= 0; 0 = none */
	double duration_median, duration_p95;   /* s, 0 < median <= p95 */
};

/* A scripted outage: the target named in the file fails at `at` for `duration`. */
struct scenario_outage {
	int kind;                    /* enum scenario_outage_kind */
	size_t region;               /* index into scenario.regions */
	long zone;                   /* index into regions[region].zones; -1 for a region */
	double at, duration;         /* s; 0 <= at < horizon, duration > 0 (it may outlast the
				      * horizon) */
};

/* The file's "failures"; all zero when it has none. */
struct scenario_failures {
	double instance_mtbf;        /* s, mean time between failures of one instance
				      * (exponential); 0 = instances never fail */
	int has_zone_outages, has_region_outages;   /* 1 when the law is given */
	struct scenario_outage_law zone_outages, region_outages;
	struct scenario_outage *scripted;   /* [nscripted] in file order */
	size_t nscripted;
};

/* Disaster-recovery strategies, as AWS names them ("Disaster recovery options in the cloud",
 * AWS Well-Architected reliability pillar), from the cheapest and slowest to the dearest and
 * fastest. */
enum scenario_dr_strategy {
	SCENARIO_DR_NONE,            /* no "dr": nothing fails over */
	SCENARIO_DR_BACKUP_RESTORE,  /* nothing runs in the recovery region; restore the backup */
	SCENARIO_DR_PILOT_LIGHT,     /* data replicated, compute off; scale out and promote */
	SCENARIO_DR_WARM_STANDBY,    /* a scaled-down full copy; promote, then scale out */
	SCENARIO_DR_ACTIVE_ACTIVE    /* every region serves; the failed one is removed */
};

/* The file's "dr"; all zero (strategy SCENARIO_DR_NONE) when it has none. */
struct scenario_dr {
	int strategy;                /* enum scenario_dr_strategy */
	size_t primary, recovery;    /* region indexes, distinct; 0 with active_active */
	double check_interval;       /* s between health checks, > 0 */
	int failure_threshold;       /* failed checks in a row that mark a region unhealthy, >= 1 */
	double dns_ttl, decision_delay, promotion_time;   /* s, >= 0 */
	double standby_scale;        /* warm standby's share of the primary's capacity, (0,1];
				      * 0 with the other strategies */
	size_t data_tier;            /* tier index of the database: declared, else the last tier
				      * on the chain */
	int failback;                /* 1: traffic returns to the primary once it recovers */
	double rto_target, rpo_target; /* s; 0 = no target */
	int has_rpo_target;          /* 1 when rpo_target is given, so that "0s" (no loss
				      * allowed) differs from no target */
};

enum scenario_replication {
	SCENARIO_REPL_ASYNC,         /* writes copied after they commit, with a lag */
	SCENARIO_REPL_SYNC           /* writes commit in both regions: nothing is lost */
};

/* The file's "data"; all zero when it has none. */
struct scenario_data {
	double write_rate;           /* writes/s, >= 0 */
	double write_kb;             /* KB per write, > 0 (replication traffic) */
	int replication;             /* enum scenario_replication */
	double lag_median, lag_p95;  /* s, 0 < median <= p95 (lognormal); 0 with sync */
	double sync_latency;         /* s each request waits for a synchronous write's round trip
				      to the other region; 0 with async */
	double backup_interval;      /* s between backups, > 0 */
	double size_gb;              /* GB of data, > 0 (backup storage, restore time) */
	double restore_gb_per_hour;  /* GB/hour a restore runs at, > 0 */
	double transfer_price_gb;    /* USD per GB copied between regions, >= 0 */
	double backup_price_gb_month; /* USD per GB of backup stored per SCENARIO_MONTH, >= 0 */
};

/* What `capsim optimize` may change in one tier (the file's "optimize.tiers.NAME"). Every
 * tier has one, filled with the defaults when the file says nothing about it. The fleet mix
 * candidates of the tier are: all on demand, and every (base, percentage, type count) of the
 * lists below with a percentage below 100. */
struct scenario_opt_tier {
	int spot;                    /* 1: spot capacity is considered for the tier. Default: 1
				      * when spot_types is not empty, except for the data tier
				      * (dr.data_tier with a "dr", else the last tier of a chain
				      * of two or more) unless its purchase already buys spot */
	int *base;                   /* [nbase] on-demand base candidates (instances per region),
				      * sorted ascending, unique, each >= 0. Default {0, the
				      * tier's autoscaling min} */
	size_t nbase;
	double *pct;                 /* [npct] on-demand fractions above the base, in [0,1],
				      * sorted ascending, unique (the file's percentages / 100).
				      * Default {0, 0.5, 1} */
	size_t npct;
	size_t *spot_types;          /* [nspot_types] candidate spot types, indexes into
				      * scenario.instance_types, unique, in preference order; each
				      * has spot data in every region the tier is placed in.
				      * Default: the tier's purchase.spot_types when it has them,
				      * else the tier's own type when it has spot data there
				      * (declared, or the catalog's when the file reads the
				      * catalog anyway: it is never read just for this), else
				      * none (and spot = 0) */
	size_t nspot_types;
	int *type_counts;            /* [ntype_counts] how many of spot_types (a prefix) a
				      * candidate diversifies over, sorted ascending, unique, each
				      * in [1, nspot_types]. Default {1, ..., min(nspot_types, 3)} */
	size_t ntype_counts;
};

enum scenario_objective {
	SCENARIO_OBJ_MEAN,           /* minimise the expected monthly cost */
	SCENARIO_OBJ_P90             /* minimise the 90th percentile of the monthly cost */
};

/* The file's "optimize"; filled with the defaults when the file has none. */
struct scenario_optimize {
	int objective;               /* enum scenario_objective; default mean */
	int replications;            /* screening replications per candidate, >= 2; default
				      * min(8, max(2, scenario replications)) */
	int final_replications;      /* replications of the finalists and baselines, >=
				      * replications; default max(replications, min(scenario
				      * replications, 40)) */
	int finalists;               /* candidates re-evaluated at final_replications, >= 1;
				      * default 3 */
	int reserved;                /* 1: reserved instances are considered (default 1) */
	int ri_term, ri_payment;     /* enum catalog_term / catalog_payment; default 1y,
				      * no_upfront */
	int savings_plan;            /* 1: a compute savings plan is considered (default 1) */
	int sp_term;                 /* enum catalog_term; default 1y */
	struct scenario_opt_tier *tiers; /* [ntiers], indexed like scenario.tiers */
};

struct scenario {
	char *name;                  /* [A-Za-z0-9._-]+, names the output folder */
	int version;                 /* SCENARIO_VERSION */
	double horizon;              /* s simulated */
	double step;                 /* s between load evaluations; horizon/step is a whole number */
	uint64_t seed;
	int replications;            /* >= 1 */
	int has_slo;                 /* 1 when the file has an "slo" object */
	struct scenario_slo slo;
	double budget_monthly;       /* USD per SCENARIO_MONTH; 0 when not set */
	struct scenario_traffic traffic;
	struct scenario_instance_type *instance_types;
	size_t ninstance_types;
	struct scenario_region *regions;
	size_t nregions;
	double *rtt;                 /* [nregions × nregions] s, network round trip between two
				      * regions (regions[].rtt), symmetric; 0 on the diagonal and
				      * for pairs not declared */
	int has_rtt;                 /* 1 when some pair's round trip is > 0 */
	struct scenario_tier *tiers; /* tiers[0] is the entry tier; `calls` chains the rest */
	size_t ntiers;
	struct scenario_reservation *reservations;     /* [nreservations] in file order */
	size_t nreservations;
	struct scenario_savings_plan *savings_plans;   /* [nsavings_plans] in file order */
	size_t nsavings_plans;
	int has_failures;            /* 1 when the file has a "failures" object */
	struct scenario_failures failures;
	int has_dr;                  /* 1 when the file has a "dr" object */
	struct scenario_dr dr;
	int has_data;                /* 1 when the file has a "data" object */
	struct scenario_data data;
	int has_optimize;            /* 1 when the file has an "optimize" object */
	struct scenario_optimize optimize; /* defaults filled in either way */
	int has_catalog;             /* 1 when the catalog was read (see the top of this file) */
	struct catalog catalog;      /* owned; its rows are referenced by scenario_price.cat */
};

/* Reads and validates the scenario file at `path`. Returns 0 and fills *sc, or a negative
 * code with *err filled: CAPSIM_EIO (unreadable file or trace), CAPSIM_EPARSE (not JSON, or a
 * malformed trace), CAPSIM_EINVAL (a field is wrong), CAPSIM_ENOMEM. On failure *sc holds
 * nothing (scenario_release on it is harmless). err may be NULL. */
int scenario_load(const char *path, struct scenario *sc, struct scenario_error *err);

/* The same from text[0..len) already in memory; path_for_messages names it in messages and
 * anchors a relative trace path (NULL: "<input>", traces relative to the working folder). */
int scenario_parse(const char *text, size_t len, const char *path_for_messages,
		   struct scenario *sc, struct scenario_error *err);

/* Parses "region:NAME@AT+DURATION" or "zone:REGION/ZONE@AT+DURATION" (AT and DURATION as
 * scenario durations, e.g. "10d", "4h") against sc into *out: NAME a region sc declares,
 * ZONE one of its zones, 0 <= AT < sc->horizon, DURATION > 0 (the `capsim drill --fail`
 * form of a scripted outage). Returns 0, or CAPSIM_EINVAL with msg (if not NULL) saying
 * what was expected and what was found, with a "did you mean" for a misspelt region or
 * zone (CAPSIM_ENOMEM if that hint cannot be built); *out is unchanged on failure. */
int scenario_parse_outage(const struct scenario *sc, const char *text,
			  struct scenario_outage *out, char *msg, size_t msglen);

/* The strategy's name in the file ("warm_standby"), or "none" for SCENARIO_DR_NONE and any
 * value that is not a strategy. The string is static. */
const char *scenario_dr_strategy_name(int strategy);

/* The strategy named (a name scenario_dr_strategy_name returns, "none" included; case
 * matters), or -1 for any other name and for NULL. */
int scenario_dr_strategy_parse(const char *name);

/* Frees everything *sc holds and zeroes it; accepts NULL and a zeroed struct. */
void scenario_release(struct scenario *sc);

/* Index of the tier, region or instance type (declared or taken from the catalog) with this
 * name, or -1. */
long scenario_find_tier(const struct scenario *sc, const char *name);
long scenario_find_region(const struct scenario *sc, const char *name);

/* Writes into buf (size > 0) one line "note: ..." per place where requests cross regions with
 * nothing declared to count it: a tier called from a region it does not run in, with no
 * regions[].rtt to its regions or no tiers[].request_kb/response_kb to price; users a
 * primary/recovery plan sends to the primary from a region with no rtt to it. Returns the
 * number of notes (buf holds as many whole lines as fit). */
size_t scenario_network_notes(const struct scenario *sc, char *buf, size_t size);

/* The same for values that are valid but more likely a slip of units: a latency target
 * above what the chain's timeouts let a request wait (never missed: "latency_target": 600 is
 * seconds, where "600ms" was meant), a round trip above 2 s, a growth per month above 1
 * (+100 %: a percentage written for a fraction). */
size_t scenario_value_notes(const struct scenario *sc, char *buf, size_t size);

/* Where the flow of tier t's calls made for region r goes, to[nregions] shares: all to r's own
 * pool when the tier runs there, else the tier's regions in equal shares. */
void scenario_route(const struct scenario *sc, size_t t, size_t r, double *to);
long scenario_find_instance_type(const struct scenario *sc, const char *name);

/* Levenshtein distance between a and b, capped: returns min(distance, cap + 1). Used for the
 * "did you mean" hints; exposed for the tests. */
int scenario_edit_distance(const char *a, const char *b, int cap);

#endif
