/* The purchase optimizer of `capsim optimize`: the cheapest way to buy a scenario's capacity
 * (on demand, spot, reserved instances, a compute savings plan) that still meets its targets.
 *
 * The decision splits in two, because only one half changes what the fleet does:
 *   - the fleet mix of each tier (on-demand base, on-demand share above it, how many spot
 *     types it diversifies over: scenario.optimize.tiers) changes which instances run and
 *     how spot interruptions hit them, so each mix is simulated;
 *   - commitments (reserved instances per (type, region), one compute savings plan) change
 *     only the bill: for a simulated fleet, the bill of any commitment is computed exactly
 *     from the hourly on-demand usage of every pool (models/billing.h), without simulating
 *     again. The reservation count of each (type, region) is the break-even quantile of the
 *     pooled hourly usage of all replications (models/commit.h: exact for the expected
 *     cost); the savings-plan commitment is then the minimiser of the expected bill of what
 *     the reservations leave, found by bisection on the slope of that convex, piecewise
 *     linear function over the hourly spends. Reservations are sized first and the plan on
 *     the rest (AWS applies them in that order); the four choices none / reservations /
 *     plan / both are billed and the cheapest kept. For the finalists, the two are then
 *     sized together: a plan covers any type in any region, so beside one a reservation
 *     pays only above a higher share of hours; each reservation count is lowered from its
 *     break-even, the plan sized again on what is left, while the objective falls (a
 *     descent from the break-even counts: never dearer than them, not proven optimal).
 * Method: simulation-optimisation with common random numbers. Every candidate is simulated
 * with the same seed and replication numbers, and every model draws from its own stream
 * (sim/rng.h), so two candidates see the same traffic, boots, outages and (for the spot pools
 * they share) interruptions: their difference is not noise. The search is coordinate
 * descent over the tiers in chain order (each tier's mixes tried with the others held at
 * their current choice, passes repeated until none changes, at most OPT_MAX_PASSES),
 * starting from all on demand. Screening uses scenario.optimize.replications; a candidate
 * is raced: after the first half of its replications it is dropped (pruned) when its paired
 * cost difference to the incumbent is above zero with 95% confidence and its paired
 * availability difference is not above zero with 95% confidence. The `finalists` best feasible candidates, the all-on-demand fleet and the
 * scenario as written are then re-evaluated with final_replications, and the recommendation
 * is the best of those.
 * Feasibility is judged on confidence intervals, not point estimates: the 95% lower bound of
 * availability must reach the SLO, the upper bound of the request-weighted latency
 * percentile must be within its target (that of the worst-served region, where regions serve
 * their own users: world_slo_latency), the upper bounds of mean RTO and RPO within the DR
 * targets (when outages occurred), and the upper bound of the monthly cost within the
 * budget. Deterministic for a seed whatever the thread count. */
#ifndef CAPSIM_OPTIMIZE_H
#define CAPSIM_OPTIMIZE_H

#include <stddef.h>
#include <stdint.h>

#include "models/billing.h"
#include "models/run.h"
#include "models/scenario.h"

/* Most coordinate-descent passes over the tiers. */
#define OPT_MAX_PASSES 3

/* How one tier buys its fleet (AWS mixed-instances semantics, see scenario_purchase). */
struct opt_mix {
	int on_demand_base;          /* instances per region */
	double on_demand_above_base; /* fraction in [0,1]; 1 = all on demand */
	int spot_types;              /* how many of the tier's optimize.spot_types it uses (a
				      * prefix); 0 when all on demand */
};

/* Reserved instances bought for one (instance type, region). */
struct opt_reservation {
	size_t instance_type, region; /* indexes into scenario.instance_types / regions */
	int count;                   /* instances, >= 1 */
	double hourly_fee;           /* USD per instance-hour: recurring + upfront / term hours */
	double utilization;          /* reserved hours used / reserved hours */
	double coverage;             /* of the (type, region)'s on-demand hours, the share covered */
	double breakeven_months;     /* months of the simulated usage after which the on-demand
				      * cost it replaced equals everything it costs over its term */
};

/* The commitments of a candidate, sized for its simulated fleet. */
struct opt_commitment {
	struct opt_reservation *ri;  /* [nri] */
	size_t nri;
	int ri_term, ri_payment;     /* enum catalog_term, catalog_payment */
	double ri_utilization, ri_coverage; /* all reservations together (Cost Explorer) */
	double sp_hourly;            /* USD per hour committed to a compute savings plan; 0: none */
	int sp_term;                 /* enum catalog_term */
	double sp_utilization, sp_coverage; /* as billing.h defines them */
	double sp_breakeven_months;  /* as for a reservation */
};

/* Which role a candidate plays. */
enum opt_role {
	OPT_SEARCHED,                /* a mix the search tried, with commitments sized for it */
	OPT_ALL_ON_DEMAND,           /* every tier all on demand, no commitment */
	OPT_AS_WRITTEN               /* the scenario's own purchase blocks, reservations, plans */
};

/* The targets, in the order they are judged (opt_check_targets: a target missed outright
 * binds before an earlier one that is only uncertain); OPT_FEASIBLE when all hold. */
enum opt_constraint {
	OPT_FEASIBLE,
	OPT_AVAILABILITY,            /* availability's ci95_low below the SLO (not met) */
	OPT_LATENCY,                 /* the latency percentile's ci95_high above its target */
	OPT_RTO,                     /* mean RTO's ci95_high above dr.rto_target */
	OPT_RPO,                     /* mean RPO's ci95_high above dr.rpo_target */
	OPT_BUDGET,                  /* monthly cost's ci95_high above budget_monthly */
	OPT_NCONSTRAINTS
};

struct opt_candidate {
	int role;                    /* enum opt_role */
	struct opt_mix *mix;         /* [ntiers] (as written: the scenario's own, spot_types =
				      * the number of its purchase.spot_types) */
	struct opt_commitment commit; /* as written: its reservations and plans are not listed
				      * here (nri = 0, sp_hourly = 0) but are billed */
	uint64_t reps;               /* replications of its figures */
	int stage;                   /* 1: screening only; 2: re-evaluated with the final
				      * replications */
	int pruned;                  /* 1: dropped after half its screening replications */
	double *rep_cost;            /* [reps] USD per month of each replication (commitments
				      * included), in replication order: paired differences */
	double *rep_availability;    /* [reps] availability of each replication, idem */
	struct run_stat cost;        /* USD per month (SCENARIO_MONTH) */
	double cost_p90;             /* USD per month, 90th percentile across replications */
	double objective;            /* cost.mean or cost_p90 (the scenario's objective) */
	struct run_stat availability; /* fraction */
	struct run_stat latency;     /* s, request-weighted SLO percentile: world_slo_latency */
	long worst_region;           /* the region it is of in most replications, -1 when the
				      * regions do not serve their own users */
	int has_rto, has_rpo;        /* 1 when outages measured one */
	struct run_stat rto, rpo;    /* s, across outages */
	double *tier_instances;      /* [ntiers × BILL_NOPTIONS] mean instances by how they are
				      * paid, summed over the tier's regions */
	double *tier_cost;           /* [ntiers × BILL_NOPTIONS] mean USD per month by option */
	double unused_commitment;    /* mean USD per month of commitments that covered nothing */
	int binding;                 /* enum opt_constraint: the first target missed outright
				      * (the whole 95% interval on the wrong side), else the first
				      * not met with confidence; OPT_FEASIBLE when all are met */
	int binding_missed;          /* 1: that target is missed outright; 0: only uncertain */
	int pareto;                  /* 1: no other candidate is both cheaper and more available
				      * (means; ties count as not dominating) */
};

struct opt_result {
	const struct scenario *sc;   /* borrowed */
	uint64_t seed;
	int objective;               /* enum scenario_objective */
	uint64_t reps, final_reps;
	struct opt_candidate *c;     /* [n] in the order evaluated: all on demand first */
	size_t n;
	long best;                   /* the recommendation, or -1 when no candidate is feasible */
	long all_on_demand, as_written; /* their indexes (as_written -1 when the scenario buys
				      * only on demand: it is the same as all on demand) */
	struct run_stat savings_vs_on_demand; /* USD per month, paired per replication (best) */
	struct run_stat savings_vs_as_written; /* idem against the scenario as written */
	int binding;                 /* with best < 0: the constraint that rules every candidate out */
	char why[512];               /* with best < 0: a sentence naming it and by how much */
	uint64_t simulated_reps;     /* replications simulated in all */
	uint64_t evaluated;          /* candidates simulated (screened or final) */
};

/* How to run. */
struct opt_options {
	uint64_t seed;
	unsigned threads;            /* 0 = online CPUs */
	int objective;               /* enum scenario_objective, or -1 for the scenario's */
	uint64_t reps, final_reps;   /* 0 = the scenario's optimize block */
	int finalists;               /* 0 = the scenario's */
	void (*progress)(uint64_t done, uint64_t total, void *ctx); /* replications; total is an
				      * estimate that may grow. May be NULL */
	void *progress_ctx;
};

/* Searches sc's purchase space (sc->optimize) and fills *out. Returns 0 — also when nothing
 * is feasible (out->best < 0, binding and why say why) — or CAPSIM_EINVAL, CAPSIM_ENOMEM,
 * CAPSIM_ETHREAD or a replication's error; on failure out holds nothing. */
int opt_run(const struct scenario *sc, const struct opt_options *o, struct opt_result *out);

/* Simulates one fleet mix (mix[ntiers]; NULL for the scenario as written) for reps
 * replications of seed and fills *c: figures, commitments sized for it (unless as written or
 * commit is 0), rep_cost. For tests and the benchmark; opt_run is built on it. Returns 0 or
 * an error (c then holds nothing). */
int opt_evaluate(const struct scenario *sc, const struct opt_mix *mix, int commit,
		 uint64_t seed, uint64_t reps, unsigned threads, struct opt_candidate *c);

/* "feasible", "availability", "latency", "rto", "rpo", "budget". */
const char *opt_constraint_name(int c);

/* "searched", "all_on_demand", "as_written". */
const char *opt_role_name(int role);

/* Frees what c holds and zeroes it; accepts NULL. */
void opt_candidate_release(struct opt_candidate *c);

/* Frees what r holds (not the scenario) and zeroes it; accepts NULL. */
void opt_result_release(struct opt_result *r);

/* Judges candidate c's figures (availability, latency, rto, rpo, cost and has_rto/has_rpo)
 * against sc's targets: sets binding and binding_missed. */
void opt_check_targets(const struct scenario *sc, struct opt_candidate *c);

#endif
