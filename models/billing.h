/* Hourly billing of a fleet: on-demand, spot, reserved instances and savings plans, applied
 * hour by hour as AWS bills them.
 *
 * The fluid model (models/world.c) adds up, for each hour and each billing line (one
 * (pool, instance type), priced by one (type, region) rate), the on-demand instance-hours it
 * used and the cost of its spot instance-hours (spot is priced by the world, whose spot price
 * may vary). billing_apply_hour() then settles the hour:
 *   1. reserved instances: each reservation of `count` instances of one (type, region) is paid
 *      every hour of its term (its recurring fee plus its upfront fee amortised over the term,
 *      `hourly_fee` per instance) and covers up to `count` on-demand instance-hours of that
 *      (type, region) in the hour, shared among the lines using it in proportion to their
 *      usage (regional reservations, no size flexibility);
 *   2. savings plans, in the order given: each commits `commitment` USD per hour, applied to
 *      the eligible on-demand usage left after reservations (any type and region for a
 *      compute plan; its family and region for an instance-family plan) at the plan's rate for
 *      that usage, the usage with the largest discount first (as AWS applies them); what the
 *      commitment does not use in the hour is lost;
 *   3. what remains pays the on-demand price.
 * Each line gets its cost split by how it was paid, and the hour's reservation and savings-plan
 * utilisation and coverage figures, defined as the AWS Cost Explorer reports define them:
 *   RI utilisation = reserved hours used / reserved hours purchased;
 *   RI coverage = on-demand-eligible hours covered by reservations / all such hours;
 *   SP utilisation = commitment used / commitment;
 *   SP coverage = on-demand-equivalent cost covered by plans / on-demand-equivalent cost of
 *   the usage left after reservations... (see billing_hour below for the exact fields).
 * Pure: no allocation, no state between hours. */
#ifndef CAPSIM_BILLING_H
#define CAPSIM_BILLING_H

#include <stddef.h>

#include "models/catalog.h"

enum billing_option { BILL_ON_DEMAND, BILL_SPOT, BILL_RESERVED, BILL_SAVINGS_PLAN, BILL_NOPTIONS };
/* "on_demand", "spot", "reserved", "savings_plan" */
extern const char *const billing_option_name[BILL_NOPTIONS];

/* The prices of one (instance type, region). */
struct billing_rate {
	double on_demand;      /* USD per instance-hour */
	double sp_rate[CATALOG_NPLANS]; /* USD per instance-hour under a compute / instance-family
					   plan of the plan's term; 0 = not eligible */
	char family[16];       /* instance family, for instance-family plans */
	size_t region;         /* region index, for instance-family plans */
};

struct billing_reservation {
	size_t rate;           /* index into plan.rates: the (type, region) it covers */
	int count;             /* instances */
	double hourly_fee;     /* USD per instance-hour: recurring + upfront / term hours */
};

struct billing_savings_plan {
	enum catalog_plan kind;
	char family[16];       /* instance-family plans: the family covered */
	size_t region;         /* instance-family plans: the region covered */
	double commitment;     /* USD per hour */
	int term;              /* enum catalog_term, selects the rate sp_rate was read for */
};

struct billing_plan {
	const struct billing_rate *rates;
	size_t nrates;
	const struct billing_reservation *ri;
	size_t nri;
	const struct billing_savings_plan *sp;
	size_t nsp;
};

/* One billing line for one hour: inputs set by the caller, outputs by billing_apply_hour. */
struct billing_line {
	size_t rate;           /* in: index into plan.rates */
	double od_hours;       /* in: on-demand instance-hours used in the hour (>= 0) */
	double spot_hours;     /* in: spot instance-hours used in the hour (>= 0) */
	double spot_cost;      /* in: USD of those spot hours */
	double cost[BILL_NOPTIONS];  /* out: USD attributed to the line by how it was paid */
	double hours[BILL_NOPTIONS]; /* out: instance-hours by how they were paid */
};

/* What one hour came to, beyond the lines. */
struct billing_hour {
	double total;          /* USD: every line's cost plus the unused fees below */
	double ri_fee;         /* USD: all reservations' fees for the hour */
	double ri_unused;      /* USD of ri_fee that covered nothing */
	double ri_hours;       /* instance-hours reserved */
	double ri_used_hours;  /* of which used */
	double od_eligible_hours; /* on-demand instance-hours of every line (before any discount) */
	double sp_commitment;  /* USD committed for the hour */
	double sp_used;        /* USD of it applied to usage */
	double sp_covered_od_equiv; /* on-demand-equivalent USD of the usage the plans covered */
	double od_equiv;       /* on-demand-equivalent USD of all on-demand-eligible usage */
};

/* Settles one hour for lines[0..n). Returns 0, or CAPSIM_EINVAL (a rate index out of range,
 * negative usage) with nothing written. */
int billing_apply_hour(const struct billing_plan *p, struct billing_line *lines, size_t n,
		       struct billing_hour *h);

#endif
