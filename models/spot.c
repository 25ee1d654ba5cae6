/* Mixed-instances decisions: the on-demand share, spot pool choice and the spot price. */
#include "models/spot.h"

#include <math.h>

int spot_on_demand_count(int desired, int base, double above)
{
	if (desired <= 0)
		return 0;
	if (desired <= base)
		return desired;
	int extra = desired - base;
	/* Round the on-demand part up; the slack keeps 10 × 0.3 = 3 from becoming 4. */
	double od = ceil((double)extra * above - 1e-9);
	if (od < 0)
		od = 0;
	if (od > extra)
		od = extra;
	return base + (int)od;
}

/* 1 if pool a is preferred to pool b under strategy s (given the best bucket available). */
static int better(const struct spot_choice *a, const struct spot_choice *b,
		  enum spot_strategy s, int best_bucket)
{
	switch (s) {
	case SPOT_CAPACITY_OPTIMIZED:
		if (a->bucket != b->bucket)
			return a->bucket < b->bucket;
		return a->price < b->price;
	case SPOT_PRICE_CAPACITY_OPTIMIZED: {
		int ea = a->bucket <= best_bucket + 1, eb = b->bucket <= best_bucket + 1;
		if (ea != eb)
			return ea;
		return a->price < b->price;
	}
	case SPOT_LOWEST_PRICE:
	default:
		return a->price < b->price;
	}
}

long spot_choose(const struct spot_choice *pools, size_t n, enum spot_strategy s,
		 const int *zone_count, int nzones)
{
	size_t avail = 0;
	for (size_t i = 0; i < n; i++)
		avail += pools[i].available != 0;
	if (!avail)
		return -1;
	/* Zones from the emptiest; within a zone, the strategy's best available pool. */
	int tried = 0;
	unsigned long done = 0;   /* zones tried, as bits (a group spans at most a few zones) */
	while (tried < nzones) {
		int z = -1;
		for (int k = 0; k < nzones && k < 64; k++)
			if (!(done & (1ul << k)) && (z < 0 || zone_count[k] < zone_count[z]))
				z = k;
		if (z < 0)
			break;
		done |= 1ul << z;
		tried++;
		/* The best bucket available in this zone: against the group's best, a zone
		 * with none within one of it would fall to the cheapest, most interrupted pool. */
		int zone_best = 1 << 30;
		for (size_t i = 0; i < n; i++)
			if (pools[i].available && pools[i].zone == z && pools[i].bucket < zone_best)
				zone_best = pools[i].bucket;
		long pick = -1;
		for (size_t i = 0; i < n; i++) {
			if (!pools[i].available || pools[i].zone != z)
				continue;
			if (pick < 0 || better(&pools[i], &pools[pick], s, zone_best))
				pick = (long)i;
		}
		if (pick >= 0)
			return pick;
	}
	return -1;
}

double spot_price_start(double sigma, struct rng *r)
{
	if (!(sigma > 0))
		return 0;
	return sigma * rng_normal(r, 0, 1);
}

double spot_price_next(double y, double sigma, struct rng *r)
{
	if (!(sigma > 0))
		return 0;
	return SPOT_PRICE_PHI * y +
	       sqrt(1.0 - SPOT_PRICE_PHI * SPOT_PRICE_PHI) * sigma * rng_normal(r, 0, 1);
}

double spot_price_factor(double y, double sigma)
{
	if (!(sigma > 0))
		return 1.0;
	return exp(y - 0.5 * sigma * sigma);
}
