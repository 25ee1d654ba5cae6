/* Spot capacity and the mixed-instances policy of a pool: how many instances are on demand,
 * which spot pool a launch goes to, and the spot price process. Pure decisions: the fluid
 * model (models/world.c) owns the instances and the events.
 *
 * Semantics (AWS EC2 Auto Scaling mixed-instances groups):
 *   - of a desired count D, the first `base` instances are on demand; of the D − base above
 *     it, the fraction `above` is on demand, rounded up (as AWS rounds the On-Demand part),
 *     the rest spot;
 *   - a spot pool is one (instance type, zone). A launch first picks the zone holding the
 *     fewest of the group's instances (Auto Scaling balances zones), then a pool of that zone
 *     by the allocation strategy among the pools that can launch now:
 *       lowest-price: the cheapest spot price;
 *       capacity-optimized: the lowest interruption frequency (the pool with the most spare
 *         capacity, which is what the Spot Instance Advisor's frequency reflects), cheapest
 *         among equals;
 *       price-capacity-optimized: the cheapest among the pools whose interruption bucket is
 *         at most one above the best available (AWS: "pools with the highest capacity
 *         availability, then the lowest price");
 *     ties go to the pool listed first. If the chosen zone has no pool available, the other
 *     zones are tried in order of their instance counts;
 *   - the spot price of a pool is on-demand × (1 − discount) × f, where f = 1 or, with a
 *     volatility sigma > 0, an hourly mean-one lognormal AR(1): ln f_h = m + y_h,
 *     y_{h+1} = phi y_h + sqrt(1 − phi²) sigma e_h (stationary N(0, sigma²)), m = −sigma²/2,
 *     capped so that the price never exceeds on-demand. */
#ifndef CAPSIM_SPOT_H
#define CAPSIM_SPOT_H

#include <stddef.h>

#include "sim/rng.h"

/* Hourly persistence of the spot price's log deviation (a half-life of ~6.6 h). */
#define SPOT_PRICE_PHI 0.9

/* Seconds between a spot interruption notice and the termination (AWS: two minutes). */
#define SPOT_NOTICE 120.0

enum spot_strategy { SPOT_LOWEST_PRICE, SPOT_CAPACITY_OPTIMIZED, SPOT_PRICE_CAPACITY_OPTIMIZED };

/* What a launch decision needs to know of one spot pool. */
struct spot_choice {
	int zone;              /* zone index within the group */
	double price;          /* USD per hour now */
	int bucket;            /* interruption-frequency bucket, 0 = least interrupted */
	int available;         /* 0 while the pool cannot launch (reclaimed capacity) */
};

/* On-demand instances among `desired` under base capacity `base` (>= 0) and on-demand
 * fraction `above` in [0,1] of the capacity above the base. */
int spot_on_demand_count(int desired, int base, double above);

/* The pool a spot launch goes to, or -1 when none is available. zone_count[z] is the group's
 * instances in zone z (z < nzones). */
long spot_choose(const struct spot_choice *pools, size_t n, enum spot_strategy s,
		 const int *zone_count, int nzones);

/* The first hour's log deviation y: a draw from its stationary law N(0, sigma²), so that the
 * price averages base × 1 from the run's start (0 when sigma is 0). */
double spot_price_start(double sigma, struct rng *r);

/* The next hour's log deviation y (see the header comment) from this hour's. */
double spot_price_next(double y, double sigma, struct rng *r);

/* The price factor f for deviation y (mean one over the stationary law). */
double spot_price_factor(double y, double sigma);

#endif
