/* Hourly billing: reservations, then savings plans, then on-demand, in the order AWS applies them. */
#include "models/billing.h"

#include <math.h>
#include <string.h>

#include "sim/error.h"

const char *const billing_option_name[BILL_NOPTIONS] = {
	[BILL_ON_DEMAND] = "on_demand",
	[BILL_SPOT] = "spot",
	[BILL_RESERVED] = "reserved",
	[BILL_SAVINGS_PLAN] = "savings_plan",
};

static int nonneg(double x)
{
	return isfinite(x) && x >= 0.0;
}

static int rate_ok(const struct billing_plan *p, size_t k)
{
	if (k >= p->nrates)
		return 0;
	const struct billing_rate *r = &p->rates[k];
	if (!nonneg(r->on_demand))
		return 0;
	for (int kind = 0; kind < CATALOG_NPLANS; kind++)
		for (int t = 0; t < CATALOG_NTERMS; t++)
			if (!nonneg(r->sp_rate[kind][t]))
				return 0;
	return 1;
}

/* Every check happens before anything is written, so that a failure leaves no trace. */
static int check(const struct billing_plan *p, const struct billing_line *lines, size_t n,
		 double span, const struct billing_hour *h)
{
	if (!p || !h || (n && !lines) || !(span > 0.0 && span <= 1.0))
		return CAPSIM_EINVAL;
	if ((p->nrates && !p->rates) || (p->nri && !p->ri) || (p->nsp && !p->sp))
		return CAPSIM_EINVAL;
	for (size_t i = 0; i < n; i++) {
		const struct billing_line *l = &lines[i];
		if (!rate_ok(p, l->rate) || !nonneg(l->od_hours) || !nonneg(l->spot_hours) ||
		    !nonneg(l->spot_cost))
			return CAPSIM_EINVAL;
	}
	for (size_t j = 0; j < p->nri; j++) {
		const struct billing_reservation *r = &p->ri[j];
		if (!rate_ok(p, r->rate) || r->count < 0 || !nonneg(r->hourly_fee))
			return CAPSIM_EINVAL;
	}
	for (size_t j = 0; j < p->nsp; j++) {
		const struct billing_savings_plan *s = &p->sp[j];
		/* Through int: an enum may be unsigned, and a garbage value may be negative. */
		int kind = (int)s->kind;
		if (kind < 0 || kind >= CATALOG_NPLANS || s->term < 0 || s->term >= CATALOG_NTERMS ||
		    !nonneg(s->commitment))
			return CAPSIM_EINVAL;
	}
	return 0;
}

/* One reservation over span hours: covers up to count × span of the on-demand hours its rate
 * still has unpaid, split pro rata over the lines of that rate. With covered < left, covered * (rem / left) <= rem in
 * floating point too (covered <= left (1 - 2^-53), and rem / left rounds up by at most that
 * factor), so no line goes negative; with covered == left every line is covered exactly. */
static void apply_reservation(const struct billing_plan *p, const struct billing_reservation *r,
			      struct billing_line *lines, size_t n, double span,
			      struct billing_hour *h)
{
	double count = r->count * span, left = 0.0;
	for (size_t i = 0; i < n; i++)
		if (lines[i].rate == r->rate)
			left += lines[i].hours[BILL_ON_DEMAND];
	double covered = fmin(count, left);
	for (size_t i = 0; covered > 0.0 && i < n; i++) {
		struct billing_line *l = &lines[i];
		double rem = l->hours[BILL_ON_DEMAND];
		if (l->rate != r->rate || rem <= 0.0)
			continue;
		double take = covered == left ? rem : covered * (rem / left);
		l->hours[BILL_ON_DEMAND] = rem - take;
		l->hours[BILL_RESERVED] += take;
		l->cost[BILL_RESERVED] += take * r->hourly_fee;
	}
	h->ri_fee += count * r->hourly_fee;
	h->ri_unused += (count - covered) * r->hourly_fee;
	h->ri_hours += count;
	h->ri_used_hours += covered;
	h->ri_covered_od_equiv += covered * p->rates[r->rate].on_demand;
}

/* A plan buys only usage it discounts: a declared type may share a catalog type's name (and
 * so its plan rates) at a price of its own below them. */
static int sp_eligible(const struct billing_savings_plan *s, const struct billing_rate *r)
{
	double rate = r->sp_rate[s->kind][s->term];
	if (!(rate > 0.0 && rate < r->on_demand))
		return 0;
	if (s->kind == CATALOG_SP_COMPUTE)
		return 1;
	return r->region == s->region && strncmp(r->family, s->family, sizeof r->family) == 0;
}

/* One savings plan, greedily: the eligible line with the lowest sp_rate / on_demand (largest
 * discount), ties to the lower rate, then to the earlier line (strict comparisons keep the
 * first), is bought whole while the commitment lasts, the last one partly. Each round either
 * empties a line's on-demand hours or spends the commitment, so there are at most n + 1
 * rounds of an O(n) scan. In the partial round left < rem * rate (both rounded), so
 * left / rate <= rem and the line stays >= 0. */
static void apply_savings_plan(const struct billing_plan *p, const struct billing_savings_plan *s,
			       struct billing_line *lines, size_t n, double span,
			       struct billing_hour *h)
{
	double left = s->commitment * span;
	h->sp_commitment += left;
	while (left > 0.0) {
		size_t best = n;
		double best_ratio = 0.0, best_rate = 0.0;
		for (size_t i = 0; i < n; i++) {
			const struct billing_rate *r = &p->rates[lines[i].rate];
			if (!(lines[i].hours[BILL_ON_DEMAND] > 0.0) || !sp_eligible(s, r))
				continue;
			double rate = r->sp_rate[s->kind][s->term];
			double ratio = rate / r->on_demand;
			if (best == n || ratio < best_ratio ||
			    (ratio == best_ratio && rate < best_rate)) {
				best = i;
				best_ratio = ratio;
				best_rate = rate;
			}
		}
		if (best == n)
			break;
		struct billing_line *l = &lines[best];
		double rem = l->hours[BILL_ON_DEMAND];
		double cost = rem * best_rate, take;
		if (cost <= left) {
			take = rem;
			left -= cost;
		} else {
			take = left / best_rate;
			cost = left;
			left = 0.0;
		}
		l->hours[BILL_ON_DEMAND] = rem - take;
		l->hours[BILL_SAVINGS_PLAN] += take;
		l->cost[BILL_SAVINGS_PLAN] += cost;
		h->sp_used += cost;
		h->sp_covered_od_equiv += take * p->rates[l->rate].on_demand;
	}
}

int billing_apply_hour(const struct billing_plan *p, struct billing_line *lines, size_t n,
		       double span, struct billing_hour *h)
{
	int rc = check(p, lines, n, span, h);
	if (rc)
		return rc;

	memset(h, 0, sizeof *h);
	for (size_t i = 0; i < n; i++) {
		struct billing_line *l = &lines[i];
		double od = p->rates[l->rate].on_demand;
		memset(l->cost, 0, sizeof l->cost);
		memset(l->hours, 0, sizeof l->hours);
		/* hours[BILL_ON_DEMAND] holds the hours still unpaid until step 3. */
		l->hours[BILL_ON_DEMAND] = l->od_hours;
		l->hours[BILL_SPOT] = l->spot_hours;
		l->cost[BILL_SPOT] = l->spot_cost;
		h->od_eligible_hours += l->od_hours;
		h->od_equiv += l->od_hours * od;
	}

	for (size_t j = 0; j < p->nri; j++)
		apply_reservation(p, &p->ri[j], lines, n, span, h);

	/* AWS applies instance-family plans before compute plans, whatever order they came in. */
	static const enum catalog_plan order[CATALOG_NPLANS] = { CATALOG_SP_INSTANCE_FAMILY,
								 CATALOG_SP_COMPUTE };
	for (int k = 0; k < CATALOG_NPLANS; k++)
		for (size_t j = 0; j < p->nsp; j++)
			if (p->sp[j].kind == order[k])
				apply_savings_plan(p, &p->sp[j], lines, n, span, h);

	for (size_t i = 0; i < n; i++) {
		struct billing_line *l = &lines[i];
		l->cost[BILL_ON_DEMAND] = l->hours[BILL_ON_DEMAND] * p->rates[l->rate].on_demand;
		for (int o = 0; o < BILL_NOPTIONS; o++)
			h->total += l->cost[o];
	}
	h->total += h->ri_unused + (h->sp_commitment - h->sp_used);
	return 0;
}
