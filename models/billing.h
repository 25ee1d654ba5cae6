/* Hourly billing of a fleet: on-demand, spot, reserved instances and savings plans, applied
 * hour by hour as AWS bills them.
 *
 * The fluid model (models/world.c) adds up, for each hour and each billing line (one
 * (pool, instance type), priced by one (type, region) rate), the on-demand instance-hours it
 * used and the cost of its spot instance-hours (spot is priced by the world, whose spot price
 * may vary). billing_apply_hour() then settles the hour in three steps (for a slice of an
 * hour, the last of a horizon that is not a whole number of hours, span < 1 hour: the
 * reservations cover and cost count × span instance-hours, the plans commit
 * commitment × span USD, as for the part of the hour the run simulates):
 *   1. reserved instances, in the order given: each reservation of `count` instances of one
 *      (type, region) is paid every hour of its term (its recurring fee plus its upfront fee
 *      amortised over the term, `hourly_fee` per instance) whatever the usage, and covers up
 *      to `count` of the on-demand instance-hours of that (type, region) left by the
 *      reservations before it, split among the lines using that rate in proportion to what
 *      each has left (regional reservations, no size flexibility). The covered part of the fee
 *      goes to the lines (BILL_RESERVED), the rest to ri_unused;
 *   2. savings plans, every instance-family plan first, then every compute plan (AWS applies
 *      the narrower plans first), each kind in the order given: a plan commits `commitment`
 *      USD for the hour and buys the eligible on-demand instance-hours still unpaid at its
 *      rate (sp_rate[kind][term]), the usage with the largest discount 1 - sp_rate/on_demand
 *      first (equal discounts: the lower rate first, then line order), until the commitment
 *      is spent, the last line partly. Eligible: the rate has 0 < sp_rate[kind][term] <
 *      on_demand (a plan buys only what it discounts), and for an instance-family plan the
 *      same family and region. The commitment is paid whole:
 *      what it does not buy in the hour is lost (in total, in no line);
 *   3. what remains pays the on-demand price (BILL_ON_DEMAND). Spot hours and their cost pass
 *      through (BILL_SPOT): reservations and plans never touch them.
 * Utilisation and coverage, as AWS Cost Explorer reports them, from the billing_hour fields;
 * every field adds up over hours, so a period's figure is the ratio of the summed fields:
 *   RI utilisation = ri_used_hours / ri_hours;
 *   RI coverage    = ri_used_hours / od_eligible_hours (all on-demand instance-hours, spot
 *                    excluded);
 *   SP utilisation = sp_used / sp_commitment;
 *   SP coverage    = sp_covered_od_equiv / (od_equiv - ri_covered_od_equiv): the on-demand
 *                    value of the usage the plans bought over that of all usage reservations
 *                    left (what AWS calls covered spend + on-demand spend).
 * Cost conservation: total = ri_fee + sp_commitment + on-demand cost left + spot cost.
 * Pure and thread-safe: no allocation, no state between hours. Cost is O(n (nri + nsp n)):
 * each plan finds its next line by a scan (no sort, no scratch memory), which is quadratic in
 * the number of lines a plan buys; a few dozen lines per hour is the expected size, and more
 * lines stay correct, only slower. */
#ifndef CAPSIM_BILLING_H
#define CAPSIM_BILLING_H

#include <stddef.h>

#include "models/catalog.h"

enum billing_option { BILL_ON_DEMAND, BILL_SPOT, BILL_RESERVED, BILL_SAVINGS_PLAN, BILL_NOPTIONS };
/* "on_demand", "spot", "reserved", "savings_plan" */
extern const char *const billing_option_name[BILL_NOPTIONS];

/* The prices of one (instance type, region). */
struct billing_rate {
	double on_demand;      /* USD per instance-hour, >= 0 */
	double sp_rate[CATALOG_NPLANS][CATALOG_NTERMS]; /* USD per instance-hour under a no-upfront
					   compute / instance-family plan of each term, as in
					   catalog_entry.sp_rate; 0 = not eligible, and so
					   is a rate not below on_demand (a declared type may
					   share a catalog type's name and rates at a price of
					   its own) */
	char family[104];      /* instance family (a scenario name: at most 100 characters) */
	size_t region;         /* region index, for instance-family plans */
};

struct billing_reservation {
	size_t rate;           /* index into plan.rates: the (type, region) it covers */
	int count;             /* instances, >= 0 */
	double hourly_fee;     /* USD per instance-hour: recurring + upfront / term hours, >= 0 */
};

struct billing_savings_plan {
	enum catalog_plan kind;
	char family[104];      /* instance-family plans: the family covered */
	size_t region;         /* instance-family plans: the region covered */
	double commitment;     /* USD per hour, >= 0 */
	int term;              /* enum catalog_term: selects the rate, sp_rate[kind][term] */
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
	double spot_cost;      /* in: USD of those spot hours (>= 0) */
	double cost[BILL_NOPTIONS];  /* out: USD attributed to the line by how it was paid */
	double hours[BILL_NOPTIONS]; /* out: instance-hours by how they were paid; the on-demand,
					reserved and savings-plan hours add up to od_hours */
};

/* What one hour came to, beyond the lines. */
struct billing_hour {
	double total;          /* USD: every line's cost + ri_unused + (sp_commitment - sp_used) */
	double ri_fee;         /* USD: all reservations' fees for the hour */
	double ri_unused;      /* USD of ri_fee that covered nothing */
	double ri_hours;       /* instance-hours reserved (sum of counts) */
	double ri_used_hours;  /* of which covered usage */
	double ri_covered_od_equiv; /* on-demand-equivalent USD of the usage reservations covered */
	double od_eligible_hours; /* on-demand instance-hours of every line (before any discount) */
	double sp_commitment;  /* USD committed for the hour */
	double sp_used;        /* USD of it applied to usage */
	double sp_covered_od_equiv; /* on-demand-equivalent USD of the usage the plans covered */
	double od_equiv;       /* on-demand-equivalent USD of all on-demand usage (sum of od_hours
				  * on_demand), reserved and plan-covered usage included */
};

/* Settles one hour, or its first span hours (0 < span <= 1), for lines[0..n) (n may be 0:
 * then only the fees are paid) and fills every output field of the lines and all of *h.
 * Returns 0, or CAPSIM_EINVAL with nothing written: a NULL pointer where an array has
 * elements, span out of range, a line's or reservation's rate index out of range, a
 * referenced rate whose on_demand or sp_rate is negative or not finite, negative or
 * non-finite usage, spot cost, count, fee or commitment, a plan kind or term out of range. */
int billing_apply_hour(const struct billing_plan *p, struct billing_line *lines, size_t n,
		       double span, struct billing_hour *h);

#endif
