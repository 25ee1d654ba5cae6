/* Tests of models/billing against hand-worked bills, the reserved-instance break-even
 * utilisation fee / price, and conservation laws on random hours. */
#include <criterion/criterion.h>

#include <math.h>
#include <string.h>

#include "models/billing.h"
#include "sim/error.h"
#include "sim/rng.h"

/* Money and hours here are sums of at most a few hundred products of doubles of magnitude
 * <= ~300, each rounded to 2^-53 relative: the accumulated error is below 1e-11 absolute,
 * while every mistake the tests look for (a line bought twice, a fee missing, the wrong rate)
 * is at least a cent. */
#define TOL 1e-9

#define ASSERT_NEAR(x, ref, tol)                                                             \
	do {                                                                                 \
		double x_ = (x), r_ = (ref);                                                 \
		cr_assert(fabs(x_ - r_) <= (tol), "%s = %.17g, expected %.17g (tol %g)", #x, \
			  x_, r_, (double)(tol));                                            \
	} while (0)

static struct billing_rate mkrate(double on_demand, const char *family, size_t region)
{
	struct billing_rate r = { .on_demand = on_demand, .region = region };
	strncpy(r.family, family, sizeof r.family - 1);
	return r;
}

static struct billing_line mkline(size_t rate, double od_hours)
{
	return (struct billing_line){ .rate = rate, .od_hours = od_hours };
}

static struct billing_savings_plan mkplan(enum catalog_plan kind, const char *family,
					  size_t region, double commitment)
{
	struct billing_savings_plan s = { .kind = kind, .region = region,
					  .commitment = commitment, .term = CATALOG_1Y };
	strncpy(s.family, family, sizeof s.family - 1);
	return s;
}

Test(billing, option_names_match_the_enum)
{
	cr_assert_str_eq(billing_option_name[BILL_ON_DEMAND], "on_demand");
	cr_assert_str_eq(billing_option_name[BILL_SPOT], "spot");
	cr_assert_str_eq(billing_option_name[BILL_RESERVED], "reserved");
	cr_assert_str_eq(billing_option_name[BILL_SAVINGS_PLAN], "savings_plan");
}

Test(billing, reservations_bill_the_issues_day_exactly)
{
	/* Issue 4: 10 instances for 16 h a day, 20 for 8 h, 15 reserved; on-demand 1.00 USD/h,
	 * reservation 0.60 USD/h per instance, paid every hour: 15 * 0.60 = 9.00 USD/h.
	 *   hour with 10 used: the RI covers 10 (6.00 to the line), 5 idle (3.00 unused),
	 *     nothing on demand: 9.00 USD;
	 *   hour with 20 used: the RI covers 15 (9.00), 5 on demand (5.00): 14.00 USD.
	 * Day: 16 * 9 + 8 * 14 = 144 + 112 = 256.00 USD.
	 * RI utilisation = (16*10 + 8*15) / (24*15) = 280/360; coverage = 280 / (16*10 + 8*20)
	 * = 280/320. All on demand would have cost 320.00. */
	struct billing_rate rates[] = { mkrate(1.00, "m6i", 0) };
	struct billing_reservation ri[] = { { .rate = 0, .count = 15, .hourly_fee = 0.60 } };
	struct billing_plan p = { .rates = rates, .nrates = 1, .ri = ri, .nri = 1 };
	double total = 0, used = 0, reserved = 0, eligible = 0, od_equiv = 0, ri_cost = 0,
	       od_cost = 0, unused = 0;
	for (int hr = 0; hr < 24; hr++) {
		int busy = hr >= 8 && hr < 16; /* the 8 busy hours of the day */
		struct billing_line l = mkline(0, busy ? 20 : 10);
		struct billing_hour h;
		cr_assert_eq(billing_apply_hour(&p, &l, 1, 1.0, &h), 0);
		if (busy) {
			ASSERT_NEAR(l.hours[BILL_RESERVED], 15.0, TOL);
			ASSERT_NEAR(l.hours[BILL_ON_DEMAND], 5.0, TOL);
			ASSERT_NEAR(l.cost[BILL_RESERVED], 9.00, TOL);
			ASSERT_NEAR(l.cost[BILL_ON_DEMAND], 5.00, TOL);
			ASSERT_NEAR(h.ri_unused, 0.0, TOL);
			ASSERT_NEAR(h.total, 14.00, TOL);
		} else {
			ASSERT_NEAR(l.hours[BILL_RESERVED], 10.0, TOL);
			ASSERT_NEAR(l.hours[BILL_ON_DEMAND], 0.0, TOL);
			ASSERT_NEAR(l.cost[BILL_RESERVED], 6.00, TOL);
			ASSERT_NEAR(l.cost[BILL_ON_DEMAND], 0.0, TOL);
			ASSERT_NEAR(h.ri_unused, 3.00, TOL);
			ASSERT_NEAR(h.total, 9.00, TOL);
		}
		ASSERT_NEAR(h.ri_fee, 9.00, TOL);
		total += h.total;
		used += h.ri_used_hours;
		reserved += h.ri_hours;
		eligible += h.od_eligible_hours;
		od_equiv += h.od_equiv;
		ri_cost += l.cost[BILL_RESERVED];
		od_cost += l.cost[BILL_ON_DEMAND];
		unused += h.ri_unused;
	}
	ASSERT_NEAR(total, 256.00, TOL);
	ASSERT_NEAR(used / reserved, 280.0 / 360.0, 1e-12);
	ASSERT_NEAR(used / eligible, 280.0 / 320.0, 1e-12);
	ASSERT_NEAR(od_equiv, 320.00, TOL);
	/* 280 reserved hours * 0.60 + 40 on demand * 1.00 + 16 idle hours' 3.00. */
	ASSERT_NEAR(ri_cost, 168.00, TOL);
	ASSERT_NEAR(od_cost, 40.00, TOL);
	ASSERT_NEAR(unused, 48.00, TOL);
}

Test(billing, savings_plan_buys_the_largest_discount_first_and_loses_what_it_cannot_use)
{
	/* A compute plan committing 5.00 USD/h. Line 0: rate B, on-demand 2.00, plan rate 1.40
	 * (30% off), 4 h used. Line 1: rate A, on-demand 1.00, plan rate 0.50 (50% off), 6 h.
	 * A goes first although it is listed second: 6 * 0.50 = 3.00 <= 5.00, all of it bought;
	 * 2.00 is left for B: 2.00 / 1.40 = 10/7 h at the plan rate, the other 4 - 10/7 = 18/7 h
	 * on demand at 2.00 = 36/7 USD. Total = 5.00 + 36/7 = 71/7 USD (all on demand: 14.00).
	 * Covered on-demand equivalent = 6 * 1.00 + 10/7 * 2.00 = 62/7 USD. */
	struct billing_rate rates[2] = { mkrate(2.00, "c6i", 0), mkrate(1.00, "m6i", 0) };
	rates[0].sp_rate[CATALOG_SP_COMPUTE][CATALOG_1Y] = 1.40;
	rates[1].sp_rate[CATALOG_SP_COMPUTE][CATALOG_1Y] = 0.50;
	struct billing_savings_plan sp[] = { mkplan(CATALOG_SP_COMPUTE, "", 0, 5.00) };
	struct billing_plan p = { .rates = rates, .nrates = 2, .sp = sp, .nsp = 1 };
	struct billing_line l[2] = { mkline(0, 4), mkline(1, 6) };
	struct billing_hour h;
	cr_assert_eq(billing_apply_hour(&p, l, 2, 1.0, &h), 0);
	ASSERT_NEAR(l[1].hours[BILL_SAVINGS_PLAN], 6.0, TOL);
	ASSERT_NEAR(l[1].cost[BILL_SAVINGS_PLAN], 3.00, TOL);
	ASSERT_NEAR(l[1].hours[BILL_ON_DEMAND], 0.0, TOL);
	ASSERT_NEAR(l[0].hours[BILL_SAVINGS_PLAN], 10.0 / 7.0, TOL);
	ASSERT_NEAR(l[0].cost[BILL_SAVINGS_PLAN], 2.00, TOL);
	ASSERT_NEAR(l[0].hours[BILL_ON_DEMAND], 18.0 / 7.0, TOL);
	ASSERT_NEAR(l[0].cost[BILL_ON_DEMAND], 36.0 / 7.0, TOL);
	ASSERT_NEAR(h.sp_commitment, 5.00, TOL);
	ASSERT_NEAR(h.sp_used, 5.00, TOL);
	ASSERT_NEAR(h.sp_covered_od_equiv, 62.0 / 7.0, TOL);
	ASSERT_NEAR(h.od_equiv, 14.00, TOL);
	ASSERT_NEAR(h.total, 71.0 / 7.0, TOL);

	/* A quiet hour: 2 h of A only. The plan buys them for 2 * 0.50 = 1.00 and loses the
	 * other 4.00, which is paid all the same: total 5.00 (on demand would be 2.00);
	 * utilisation 1/5, coverage 2.00 / 2.00 = 1. */
	l[0] = mkline(0, 0);
	l[1] = mkline(1, 2);
	cr_assert_eq(billing_apply_hour(&p, l, 2, 1.0, &h), 0);
	ASSERT_NEAR(l[1].cost[BILL_SAVINGS_PLAN], 1.00, TOL);
	ASSERT_NEAR(l[1].hours[BILL_SAVINGS_PLAN], 2.0, TOL);
	ASSERT_NEAR(h.sp_used, 1.00, TOL);
	ASSERT_NEAR(h.sp_commitment - h.sp_used, 4.00, TOL);
	ASSERT_NEAR(h.total, 5.00, TOL);
	ASSERT_NEAR(h.sp_covered_od_equiv / (h.od_equiv - h.ri_covered_od_equiv), 1.0, 1e-12);
}

Test(billing, savings_plan_eligibility_follows_family_region_and_rate)
{
	/* Four rates, 10 h each, on-demand 1.00, instance-family rate 0.60 and compute 0.70
	 * except where said:
	 *   0: m6i in region 0  -> the m6i/region-0 family plan applies;
	 *   1: m6i in region 1  -> other region: not eligible;
	 *   2: c6i in region 0  -> other family: not eligible;
	 *   3: m6i in region 0 with no plan rates (a declared type without a catalog row): never.
	 * Family plan committing 100.00: buys line 0 only, 10 * 0.60 = 6.00, loses 94.00;
	 * lines 1-3 pay 30.00 on demand. Total 130.00. */
	struct billing_rate rates[4] = { mkrate(1.00, "m6i", 0), mkrate(1.00, "m6i", 1),
					 mkrate(1.00, "c6i", 0), mkrate(1.00, "m6i", 0) };
	for (int k = 0; k < 3; k++) {
		rates[k].sp_rate[CATALOG_SP_INSTANCE_FAMILY][CATALOG_1Y] = 0.60;
		rates[k].sp_rate[CATALOG_SP_COMPUTE][CATALOG_1Y] = 0.70;
	}
	struct billing_savings_plan sp = mkplan(CATALOG_SP_INSTANCE_FAMILY, "m6i", 0, 100.00);
	struct billing_plan p = { .rates = rates, .nrates = 4, .sp = &sp, .nsp = 1 };
	struct billing_line l[4];
	for (size_t i = 0; i < 4; i++)
		l[i] = mkline(i, 10);
	struct billing_hour h;
	cr_assert_eq(billing_apply_hour(&p, l, 4, 1.0, &h), 0);
	ASSERT_NEAR(l[0].hours[BILL_SAVINGS_PLAN], 10.0, TOL);
	ASSERT_NEAR(l[0].cost[BILL_SAVINGS_PLAN], 6.00, TOL);
	for (int i = 1; i < 4; i++) {
		cr_assert_eq(l[i].hours[BILL_SAVINGS_PLAN], 0.0, "line %d", i);
		ASSERT_NEAR(l[i].cost[BILL_ON_DEMAND], 10.00, TOL);
	}
	ASSERT_NEAR(h.sp_used, 6.00, TOL);
	ASSERT_NEAR(h.total, 130.00, TOL);

	/* A compute plan of 100.00 instead: lines 0-2 at 0.70 (21.00), line 3 on demand (10.00);
	 * total 100.00 + 10.00 = 110.00. */
	sp = mkplan(CATALOG_SP_COMPUTE, "", 0, 100.00);
	cr_assert_eq(billing_apply_hour(&p, l, 4, 1.0, &h), 0);
	for (int i = 0; i < 3; i++)
		ASSERT_NEAR(l[i].cost[BILL_SAVINGS_PLAN], 7.00, TOL);
	cr_assert_eq(l[3].hours[BILL_SAVINGS_PLAN], 0.0);
	ASSERT_NEAR(h.sp_used, 21.00, TOL);
	ASSERT_NEAR(h.total, 110.00, TOL);

	/* A 3-year plan reads the 3-year rate: give only line 0 a 3-year compute rate of 0.50.
	 * Plan of 100.00: line 0 at 0.50 (5.00), the others on demand (30.00): 130.00. */
	rates[0].sp_rate[CATALOG_SP_COMPUTE][CATALOG_3Y] = 0.50;
	sp.term = CATALOG_3Y;
	cr_assert_eq(billing_apply_hour(&p, l, 4, 1.0, &h), 0);
	ASSERT_NEAR(l[0].cost[BILL_SAVINGS_PLAN], 5.00, TOL);
	ASSERT_NEAR(h.sp_used, 5.00, TOL);
	ASSERT_NEAR(h.total, 130.00, TOL);
}

Test(billing, instance_family_plans_apply_before_compute_plans)
{
	/* Line 0: m6i, 10 h, on-demand 1.00, family rate 0.60, compute 0.70. Line 1: c6i, 10 h,
	 * on-demand 1.00, compute 0.70 only. Plans listed compute (7.00) first, then the m6i
	 * family plan (6.00). AWS order: the family plan buys all of m6i (6.00), then the
	 * compute plan all of c6i (7.00): total 13.00, nothing on demand, nothing lost.
	 * (In the listed order the compute plan would take m6i first — equal 30% discounts, line
	 * order — leaving the family plan nothing and c6i on demand: 7 + 6 + 10 = 23.00.) */
	struct billing_rate rates[2] = { mkrate(1.00, "m6i", 0), mkrate(1.00, "c6i", 0) };
	rates[0].sp_rate[CATALOG_SP_INSTANCE_FAMILY][CATALOG_1Y] = 0.60;
	rates[0].sp_rate[CATALOG_SP_COMPUTE][CATALOG_1Y] = 0.70;
	rates[1].sp_rate[CATALOG_SP_COMPUTE][CATALOG_1Y] = 0.70;
	struct billing_savings_plan sp[2] = { mkplan(CATALOG_SP_COMPUTE, "", 0, 7.00),
					      mkplan(CATALOG_SP_INSTANCE_FAMILY, "m6i", 0, 6.00) };
	struct billing_plan p = { .rates = rates, .nrates = 2, .sp = sp, .nsp = 2 };
	struct billing_line l[2] = { mkline(0, 10), mkline(1, 10) };
	struct billing_hour h;
	cr_assert_eq(billing_apply_hour(&p, l, 2, 1.0, &h), 0);
	ASSERT_NEAR(l[0].cost[BILL_SAVINGS_PLAN], 6.00, TOL);
	ASSERT_NEAR(l[1].cost[BILL_SAVINGS_PLAN], 7.00, TOL);
	ASSERT_NEAR(l[0].cost[BILL_ON_DEMAND] + l[1].cost[BILL_ON_DEMAND], 0.0, TOL);
	ASSERT_NEAR(h.sp_used, 13.00, TOL);
	ASSERT_NEAR(h.total, 13.00, TOL);
}

Test(billing, equal_discounts_go_to_the_lower_rate_then_to_line_order)
{
	/* Three lines, 10 h each, all 40% off: line 0 on-demand 2.00 / plan 1.20, line 1
	 * on-demand 1.00 / plan 0.60, line 2 the same rate as line 1. Commitment 9.00.
	 * AWS: equal savings percentages go to the lower plan rate first, so line 1 (6.00), then
	 * line 2 by line order (3.00 left: 5 h), line 0 none. */
	struct billing_rate rates[2] = { mkrate(2.00, "m6i", 0), mkrate(1.00, "m6i", 0) };
	rates[0].sp_rate[CATALOG_SP_COMPUTE][CATALOG_1Y] = 1.20;
	rates[1].sp_rate[CATALOG_SP_COMPUTE][CATALOG_1Y] = 0.60;
	struct billing_savings_plan sp = mkplan(CATALOG_SP_COMPUTE, "", 0, 9.00);
	struct billing_plan p = { .rates = rates, .nrates = 2, .sp = &sp, .nsp = 1 };
	struct billing_line l[3] = { mkline(0, 10), mkline(1, 10), mkline(1, 10) };
	struct billing_hour h;
	cr_assert_eq(billing_apply_hour(&p, l, 3, 1.0, &h), 0);
	cr_assert_eq(l[0].hours[BILL_SAVINGS_PLAN], 0.0);
	ASSERT_NEAR(l[1].hours[BILL_SAVINGS_PLAN], 10.0, TOL);
	ASSERT_NEAR(l[2].hours[BILL_SAVINGS_PLAN], 5.0, TOL);
	ASSERT_NEAR(l[2].hours[BILL_ON_DEMAND], 5.0, TOL);
	/* 9.00 + 5 h * 1.00 + 10 h * 2.00 = 34.00 */
	ASSERT_NEAR(h.total, 34.00, TOL);
}

/* The bill of one hour in which one instance runs u of the hour, with or without one
 * reservation of fee F on it. */
static double hour_bill(double price, double fee, double u, int reserved, double *util)
{
	struct billing_rate rate = mkrate(price, "m6i", 0);
	struct billing_reservation ri = { .rate = 0, .count = 1, .hourly_fee = fee };
	struct billing_plan p = { .rates = &rate, .nrates = 1, .ri = &ri, .nri = reserved ? 1 : 0 };
	struct billing_line l = mkline(0, u);
	struct billing_hour h;
	cr_assert_eq(billing_apply_hour(&p, &l, 1, 1.0, &h), 0);
	if (util)
		*util = reserved ? h.ri_used_hours / h.ri_hours : 0;
	return h.total;
}

Test(billing, single_reservation_breaks_even_at_fee_over_price)
{
	/* One instance used u of every hour, u in [0, 1]: reserved it costs F whatever u, on
	 * demand u * P, so the reservation is cheaper exactly when u > F / P (the break-even
	 * utilisation is reserved / on-demand price). Pairs: m6i.large-like 0.096 on demand,
	 * 0.060 for 1-year no upfront (u* = 0.625), and two awkward ratios.
	 * u runs over k/1000 and over u* -+ 1e-6; the two bills differ by |u - u*| P >= ~1e-7
	 * there, far above rounding (a few 1e-16 on bills of at most 3.1 USD, hence 1e-14). */
	static const double pairs[][2] = { { 0.096, 0.060 }, { 0.192, 0.0731 }, { 3.1, 2.9 } };
	for (size_t k = 0; k < sizeof pairs / sizeof pairs[0]; k++) {
		double price = pairs[k][0], fee = pairs[k][1], ustar = fee / price;
		for (int i = 0; i <= 1002; i++) {
			double u = i <= 1000 ? i / 1000.0 : ustar + (i == 1001 ? -1e-6 : 1e-6);
			if (fabs(u - ustar) < 1e-9)
				continue;
			double util;
			double ri = hour_bill(price, fee, u, 1, &util);
			double od = hour_bill(price, fee, u, 0, NULL);
			ASSERT_NEAR(ri, fee, 1e-14);
			ASSERT_NEAR(od, u * price, 1e-14);
			ASSERT_NEAR(util, u, 1e-14);
			cr_assert_eq(ri < od, u > ustar, "price %g fee %g u %g: RI %.17g OD %.17g",
				     price, fee, u, ri, od);
		}
		/* At u* itself both bills are the same, to rounding. */
		ASSERT_NEAR(hour_bill(price, fee, ustar, 1, NULL),
			    hour_bill(price, fee, ustar, 0, NULL), 1e-14);
	}
}

Test(billing, reservations_of_one_rate_stack_and_split_pro_rata)
{
	/* Rate 0 (on-demand 1.00): lines 0 and 1 with 6 h and 2 h (8 h); reservations r0 of 3 at
	 * 0.50 and r1 of 4 at 0.60. Rate 1 (on-demand 2.00): line 2 with 1 h; r2 of 2 at 1.20.
	 *   r0 covers 3 of 8 h: line 0 3 * 6/8 = 2.25, line 1 0.75; left 3.75 and 1.25 (5 h);
	 *   r1 covers 4 of 5 h: line 0 4 * 3.75/5 = 3.00, line 1 1.00; left 0.75 and 0.25;
	 *   leftovers on demand: 0.75 and 0.25 USD.
	 *   line 0: reserved 5.25 h, 2.25 * 0.50 + 3.00 * 0.60 = 2.925 USD;
	 *   line 1: reserved 1.75 h, 0.75 * 0.50 + 1.00 * 0.60 = 0.975 USD (3:1 like the usage);
	 *   r2 covers 1 of its 2: line 2 1.20 USD, 1.20 unused.
	 * Fees 1.50 + 2.40 + 2.40 = 6.30, unused 1.20; total = 6.30 + 1.00 on demand = 7.30.
	 * Reserved hours 9, used 8; covered on-demand equivalent 7 * 1.00 + 1 * 2.00 = 9.00. */
	struct billing_rate rates[2] = { mkrate(1.00, "m6i", 0), mkrate(2.00, "r6i", 0) };
	struct billing_reservation ri[3] = { { 0, 3, 0.50 }, { 0, 4, 0.60 }, { 1, 2, 1.20 } };
	struct billing_plan p = { .rates = rates, .nrates = 2, .ri = ri, .nri = 3 };
	struct billing_line l[3] = { mkline(0, 6), mkline(0, 2), mkline(1, 1) };
	struct billing_hour h;
	cr_assert_eq(billing_apply_hour(&p, l, 3, 1.0, &h), 0);
	ASSERT_NEAR(l[0].hours[BILL_RESERVED], 5.25, TOL);
	ASSERT_NEAR(l[0].cost[BILL_RESERVED], 2.925, TOL);
	ASSERT_NEAR(l[0].cost[BILL_ON_DEMAND], 0.75, TOL);
	ASSERT_NEAR(l[1].hours[BILL_RESERVED], 1.75, TOL);
	ASSERT_NEAR(l[1].cost[BILL_RESERVED], 0.975, TOL);
	ASSERT_NEAR(l[1].cost[BILL_ON_DEMAND], 0.25, TOL);
	ASSERT_NEAR(l[2].hours[BILL_RESERVED], 1.0, TOL);
	ASSERT_NEAR(l[2].cost[BILL_RESERVED], 1.20, TOL);
	ASSERT_NEAR(l[2].cost[BILL_ON_DEMAND], 0.0, TOL);
	ASSERT_NEAR(h.ri_fee, 6.30, TOL);
	ASSERT_NEAR(h.ri_unused, 1.20, TOL);
	ASSERT_NEAR(h.ri_hours, 9.0, TOL);
	ASSERT_NEAR(h.ri_used_hours, 8.0, TOL);
	ASSERT_NEAR(h.ri_covered_od_equiv, 9.00, TOL);
	ASSERT_NEAR(h.od_eligible_hours, 9.0, TOL);
	ASSERT_NEAR(h.od_equiv, 10.00, TOL);
	ASSERT_NEAR(h.total, 7.30, TOL);
}

Test(billing, reservations_come_before_plans_and_spot_passes_through)
{
	/* One rate, on-demand 1.00, compute plan rate 0.70. Line 0: 5 h on demand and 3 spot
	 * hours costing 0.90; line 1: spot only, 4 h for 1.20. Reservation of 2 at 0.40: covers
	 * 2 of the 5 on-demand hours (spot is never reserved), 0.80. Compute plan of 1.40 buys
	 * 2 more h; 1 h on demand. Total = 0.80 + 1.40 + 1.00 + 0.90 + 1.20 = 5.30. */
	struct billing_rate rate = mkrate(1.00, "m6i", 0);
	rate.sp_rate[CATALOG_SP_COMPUTE][CATALOG_1Y] = 0.70;
	struct billing_reservation ri = { 0, 2, 0.40 };
	struct billing_savings_plan sp = mkplan(CATALOG_SP_COMPUTE, "", 0, 1.40);
	struct billing_plan p = { .rates = &rate, .nrates = 1, .ri = &ri, .nri = 1, .sp = &sp,
				  .nsp = 1 };
	struct billing_line l[2] = { mkline(0, 5), mkline(0, 0) };
	l[0].spot_hours = 3;
	l[0].spot_cost = 0.90;
	l[1].spot_hours = 4;
	l[1].spot_cost = 1.20;
	struct billing_hour h;
	cr_assert_eq(billing_apply_hour(&p, l, 2, 1.0, &h), 0);
	ASSERT_NEAR(l[0].hours[BILL_RESERVED], 2.0, TOL);
	ASSERT_NEAR(l[0].hours[BILL_SAVINGS_PLAN], 2.0, TOL);
	ASSERT_NEAR(l[0].hours[BILL_ON_DEMAND], 1.0, TOL);
	cr_assert_eq(l[0].hours[BILL_SPOT], 3.0);
	cr_assert_eq(l[0].cost[BILL_SPOT], 0.90);
	cr_assert_eq(l[1].hours[BILL_SPOT], 4.0);
	cr_assert_eq(l[1].cost[BILL_SPOT], 1.20);
	for (int o = 0; o < BILL_NOPTIONS; o++)
		if (o != BILL_SPOT)
			cr_assert_eq(l[1].cost[o], 0.0, "line 1 %s", billing_option_name[o]);
	ASSERT_NEAR(h.od_eligible_hours, 5.0, TOL);
	ASSERT_NEAR(h.ri_used_hours, 2.0, TOL);
	ASSERT_NEAR(h.sp_used, 1.40, TOL);
	ASSERT_NEAR(h.total, 5.30, TOL);

	/* Spot only: the reservation covers nothing (0.80 unused), the plan is lost (1.40). */
	l[0].od_hours = 0;
	cr_assert_eq(billing_apply_hour(&p, l, 2, 1.0, &h), 0);
	ASSERT_NEAR(h.ri_unused, 0.80, TOL);
	ASSERT_NEAR(h.sp_used, 0.0, TOL);
	ASSERT_NEAR(h.total, 0.80 + 1.40 + 0.90 + 1.20, TOL);

	/* No lines at all: only the fees. */
	cr_assert_eq(billing_apply_hour(&p, NULL, 0, 1.0, &h), 0);
	ASSERT_NEAR(h.total, 2.20, TOL);
}

/* A good hour (two rates, two lines, a reservation, a compute plan) for the bad-input test
 * to break one field at a time. */
struct bad_case {
	struct billing_rate rates[2];
	struct billing_reservation ri[1];
	struct billing_savings_plan sp[1];
	struct billing_plan p;
	struct billing_line l[2];
};

static void bad_setup(struct bad_case *c)
{
	memset(c, 0, sizeof *c);
	c->rates[0] = mkrate(1.00, "m6i", 0);
	c->rates[1] = mkrate(2.00, "c6i", 0);
	c->rates[0].sp_rate[CATALOG_SP_COMPUTE][CATALOG_1Y] = 0.7;
	c->ri[0] = (struct billing_reservation){ 0, 1, 0.5 };
	c->sp[0] = mkplan(CATALOG_SP_COMPUTE, "", 0, 1.0);
	c->p = (struct billing_plan){ c->rates, 2, c->ri, 1, c->sp, 1 };
	c->l[0] = mkline(0, 3);
	c->l[1] = mkline(1, 2);
	for (int i = 0; i < 2; i++)
		for (int o = 0; o < BILL_NOPTIONS; o++)
			c->l[i].cost[o] = c->l[i].hours[o] = 12345.0 + o; /* sentinels */
}

/* Checks that the broken case fails with CAPSIM_EINVAL and writes neither the lines (their
 * outputs hold sentinels) nor the hour (filled with a byte pattern). */
static void expect_einval(struct bad_case *c, const char *what)
{
	struct billing_line before[2];
	struct billing_hour h, hbefore;
	memset(&h, 0x5a, sizeof h);
	hbefore = h;
	memcpy(before, c->l, sizeof before);
	cr_assert_eq(billing_apply_hour(&c->p, c->l, 2, 1.0, &h), CAPSIM_EINVAL, "%s", what);
	cr_assert(memcmp(before, c->l, sizeof before) == 0, "%s: lines written", what);
	cr_assert(memcmp(&hbefore, &h, sizeof h) == 0, "%s: hour written", what);
}

Test(billing, bad_input_is_einval_and_writes_nothing)
{
	struct bad_case c;
	struct billing_hour h;

	bad_setup(&c);
	cr_assert_eq(billing_apply_hour(&c.p, c.l, 2, 1.0, &h), 0, "the good case must pass");

#define BAD(stmt)                      \
	do {                           \
		bad_setup(&c);         \
		stmt;                  \
		expect_einval(&c, #stmt); \
	} while (0)
	BAD(c.l[1].rate = 2);
	BAD(c.l[0].rate = (size_t)-1);
	BAD(c.l[0].od_hours = -1);
	BAD(c.l[0].od_hours = NAN);
	BAD(c.l[1].spot_hours = -0.5);
	BAD(c.l[1].spot_cost = INFINITY);
	BAD(c.l[1].spot_cost = -0.01);
	BAD(c.ri[0].rate = 2);
	BAD(c.ri[0].count = -1);
	BAD(c.ri[0].hourly_fee = -0.1);
	BAD(c.ri[0].hourly_fee = NAN);
	BAD(c.sp[0].kind = (enum catalog_plan)CATALOG_NPLANS);
	BAD(c.sp[0].kind = (enum catalog_plan)-1);
	BAD(c.sp[0].term = CATALOG_NTERMS);
	BAD(c.sp[0].term = -1);
	BAD(c.sp[0].commitment = -1);
	BAD(c.sp[0].commitment = INFINITY);
	BAD(c.rates[1].on_demand = -0.01);
	BAD(c.rates[0].on_demand = NAN);
	BAD(c.rates[0].sp_rate[CATALOG_SP_INSTANCE_FAMILY][CATALOG_3Y] = -1);
	BAD(c.p.nrates = 1);
	BAD(c.p.ri = NULL);
	BAD(c.p.sp = NULL);
#undef BAD

	/* The span of the hour: in (0, 1]. */
	bad_setup(&c);
	struct billing_hour hs;
	cr_assert_eq(billing_apply_hour(&c.p, c.l, 2, 0.0, &hs), CAPSIM_EINVAL);
	cr_assert_eq(billing_apply_hour(&c.p, c.l, 2, 1.5, &hs), CAPSIM_EINVAL);
	cr_assert_eq(billing_apply_hour(&c.p, c.l, 2, NAN, &hs), CAPSIM_EINVAL);
	cr_assert_eq(billing_apply_hour(&c.p, c.l, 2, -0.5, &hs), CAPSIM_EINVAL);
	/* A free type (on demand 0, a declared price_hourly of 0) is billed 0, not refused. */
	bad_setup(&c);
	c.rates[1].on_demand = 0;
	cr_assert_eq(billing_apply_hour(&c.p, c.l, 2, 1.0, &hs), 0);
	ASSERT_NEAR(c.l[1].cost[BILL_ON_DEMAND], 0.0, 0);
	bad_setup(&c);
	cr_assert_eq(billing_apply_hour(NULL, c.l, 2, 1.0, &h), CAPSIM_EINVAL);
	cr_assert_eq(billing_apply_hour(&c.p, NULL, 2, 1.0, &h), CAPSIM_EINVAL);
	cr_assert_eq(billing_apply_hour(&c.p, c.l, 2, 1.0, NULL), CAPSIM_EINVAL);
	/* A rate nobody references may be anything: it is never read. */
	bad_setup(&c);
	c.rates[1].on_demand = -5;
	c.l[1].rate = 0;
	cr_assert_eq(billing_apply_hour(&c.p, c.l, 2, 1.0, &h), 0);
}

Test(billing, a_part_of_an_hour_pays_its_share_of_the_commitments)
{
	/* The last half hour of a horizon (span 0.5): 4 instances of a type at 0.096 USD/h on
	 * demand, 2 of them reserved at 0.06 USD/h: 4 × 0.5 = 2 instance-hours used; the 2
	 * reservations cover 2 × 0.5 = 1 of them and cost 2 × 0.5 × 0.06 = 0.06 USD; the other
	 * instance-hour pays 0.096 on demand: 0.156 USD (a whole hour's reservations would have
	 * covered both instance-hours and cost 0.12: 0.12 USD, less than the usage's share). */
	struct billing_rate rates[1] = { mkrate(0.096, "m6i", 0) };
	rates[0].sp_rate[CATALOG_SP_COMPUTE][CATALOG_1Y] = 0.0701;
	struct billing_reservation ri[] = { { 0, 2, 0.06 } };
	struct billing_plan p = { .rates = rates, .nrates = 1, .ri = ri, .nri = 1 };
	struct billing_line l = mkline(0, 2.0);
	struct billing_hour h;
	cr_assert_eq(billing_apply_hour(&p, &l, 1, 0.5, &h), 0);
	ASSERT_NEAR(l.hours[BILL_RESERVED], 1.0, TOL);
	ASSERT_NEAR(l.cost[BILL_RESERVED], 0.06, TOL);
	ASSERT_NEAR(l.hours[BILL_ON_DEMAND], 1.0, TOL);
	ASSERT_NEAR(h.ri_fee, 0.06, TOL);
	ASSERT_NEAR(h.ri_hours, 1.0, TOL);
	ASSERT_NEAR(h.ri_unused, 0.0, TOL);
	ASSERT_NEAR(h.total, 0.156, TOL);

	/* A compute plan of 0.10 USD/h over a half hour of 2 instances (1.0 instance-hour), no
	 * reservation: it commits 0.05 USD, which buys 0.05 / 0.0701 = 0.713267 instance-hours;
	 * the other 0.286733 pay 0.096 on demand: 0.05 + 0.286733 × 0.096 = 0.0775264 USD (a
	 * whole hour's commitment, 0.10, would have bought it all for 0.0701 and lost 0.0299). */
	struct billing_savings_plan sp[] = { mkplan(CATALOG_SP_COMPUTE, "", 0, 0.10) };
	p = (struct billing_plan){ .rates = rates, .nrates = 1, .sp = sp, .nsp = 1 };
	l = mkline(0, 1.0);
	cr_assert_eq(billing_apply_hour(&p, &l, 1, 0.5, &h), 0);
	ASSERT_NEAR(h.sp_commitment, 0.05, TOL);
	ASSERT_NEAR(h.sp_used, 0.05, TOL);
	ASSERT_NEAR(l.hours[BILL_SAVINGS_PLAN], 0.05 / 0.0701, TOL);
	ASSERT_NEAR(h.total, 0.05 + (1.0 - 0.05 / 0.0701) * 0.096, TOL);
}

Test(billing, a_plan_buys_nothing_it_would_not_discount)
{
	/* A declared type sharing a catalog type's name keeps its plan rate (0.0701 USD/h) at a
	 * price of its own below it (0.05 USD/h): buying its hours would cost more than on
	 * demand, so the plan's 0.10 USD is lost whole and the 2 instance-hours pay 2 × 0.05. */
	struct billing_rate rates[1] = { mkrate(0.05, "m6i", 0) };
	rates[0].sp_rate[CATALOG_SP_COMPUTE][CATALOG_1Y] = 0.0701;
	struct billing_savings_plan sp[] = { mkplan(CATALOG_SP_COMPUTE, "", 0, 0.10) };
	struct billing_plan p = { .rates = rates, .nrates = 1, .sp = sp, .nsp = 1 };
	struct billing_line l = mkline(0, 2.0);
	struct billing_hour h;
	cr_assert_eq(billing_apply_hour(&p, &l, 1, 1.0, &h), 0);
	ASSERT_NEAR(l.hours[BILL_SAVINGS_PLAN], 0.0, 0);
	ASSERT_NEAR(l.cost[BILL_ON_DEMAND], 0.10, TOL);
	ASSERT_NEAR(h.sp_used, 0.0, 0);
	ASSERT_NEAR(h.total, 0.20, TOL);
}

/* Random hours: a few rates, lines, reservations and (at most one) plan. Each hour is checked
 * against laws that do not depend on how the code splits the bill:
 *   - every line's on-demand, reserved and plan hours add up to its usage, none negative;
 *     its on-demand cost is those hours at its price; spot passes through;
 *   - conservation: total = all fees + all commitments + on-demand left + spot;
 *   - the definition: total = line costs + ri_unused + commitment not used;
 *   - reserved hours used = sum over rates of min(hours reserved, usage) (stacking);
 *   - one plan: it spends min(commitment, value at plan rates of what reservations left);
 *     a line the plan bought any of means every eligible line with a strictly larger
 *     discount was bought whole (largest discount first). */
Test(billing, random_hours_conserve_cost_and_hours)
{
	enum { NRATES = 6, NLINES = 24, NRI = 5 };
	struct rng s;
	cr_assert_eq(rng_init(&s, 20240607, 0, 0), 0);
	static const char *const fam[] = { "m6i", "c6i", "r6i" };
	for (int iter = 0; iter < 2000; iter++) {
		struct billing_rate rates[NRATES];
		struct billing_reservation ri[NRI];
		struct billing_savings_plan sp;
		struct billing_line l[NLINES];
		size_t nrates = 1 + rng_uniform_int(&s, NRATES);
		size_t n = rng_uniform_int(&s, NLINES + 1);
		size_t nri = rng_uniform_int(&s, NRI + 1);
		size_t nsp = rng_uniform_int(&s, 2);
		for (size_t k = 0; k < nrates; k++) {
			rates[k] = mkrate(0.05 + 5 * rng_uniform(&s), fam[rng_uniform_int(&s, 3)],
					  rng_uniform_int(&s, 2));
			for (int a = 0; a < CATALOG_NPLANS; a++)
				for (int t = 0; t < CATALOG_NTERMS; t++)
					rates[k].sp_rate[a][t] = rng_bernoulli(&s, 0.8) ?
						rates[k].on_demand * (0.3 + 0.6 * rng_uniform(&s)) : 0;
		}
		for (size_t j = 0; j < nri; j++)
			ri[j] = (struct billing_reservation){ rng_uniform_int(&s, nrates),
							      (int)rng_uniform_int(&s, 12),
							      3 * rng_uniform(&s) };
		sp = mkplan((enum catalog_plan)rng_uniform_int(&s, CATALOG_NPLANS),
			    fam[rng_uniform_int(&s, 3)], rng_uniform_int(&s, 2),
			    40 * rng_uniform(&s));
		sp.term = (int)rng_uniform_int(&s, CATALOG_NTERMS);
		double spot = 0, usage[NRATES] = { 0 }, reserved[NRATES] = { 0 }, fees = 0;
		for (size_t i = 0; i < n; i++) {
			l[i] = mkline(rng_uniform_int(&s, nrates),
				      rng_bernoulli(&s, 0.2) ? 0 : 10 * rng_uniform(&s));
			l[i].spot_hours = rng_bernoulli(&s, 0.5) ? 5 * rng_uniform(&s) : 0;
			l[i].spot_cost = l[i].spot_hours * rng_uniform(&s);
			spot += l[i].spot_cost;
			usage[l[i].rate] += l[i].od_hours;
		}
		for (size_t j = 0; j < nri; j++) {
			reserved[ri[j].rate] += ri[j].count;
			fees += ri[j].count * ri[j].hourly_fee;
		}
		struct billing_plan p = { rates, nrates, ri, nri, &sp, nsp };
		struct billing_hour h;
		cr_assert_eq(billing_apply_hour(&p, l, n, 1.0, &h), 0);

		double linesum = 0, od_left = 0, res_cost = 0, sp_cost = 0, sp_value = 0;
		for (size_t i = 0; i < n; i++) {
			const struct billing_line *li = &l[i];
			double price = rates[li->rate].on_demand;
			for (int o = 0; o < BILL_NOPTIONS; o++) {
				cr_assert_geq(li->hours[o], 0.0, "iter %d line %zu", iter, i);
				cr_assert_geq(li->cost[o], 0.0, "iter %d line %zu", iter, i);
				linesum += li->cost[o];
			}
			ASSERT_NEAR(li->hours[BILL_ON_DEMAND] + li->hours[BILL_RESERVED] +
				    li->hours[BILL_SAVINGS_PLAN], li->od_hours, 1e-12);
			ASSERT_NEAR(li->cost[BILL_ON_DEMAND], li->hours[BILL_ON_DEMAND] * price, 1e-12);
			cr_assert_eq(li->hours[BILL_SPOT], li->spot_hours);
			cr_assert_eq(li->cost[BILL_SPOT], li->spot_cost);
			od_left += li->cost[BILL_ON_DEMAND];
			res_cost += li->cost[BILL_RESERVED];
			sp_cost += li->cost[BILL_SAVINGS_PLAN];
			if (nsp)
				sp_value += (li->od_hours - li->hours[BILL_RESERVED]) *
					    rates[li->rate].sp_rate[sp.kind][sp.term] *
					    (sp.kind == CATALOG_SP_COMPUTE ||
					     (rates[li->rate].region == sp.region &&
					      strcmp(rates[li->rate].family, sp.family) == 0));
		}
		double commit = nsp ? sp.commitment : 0;
		ASSERT_NEAR(h.total, fees + commit + od_left + spot, TOL);
		ASSERT_NEAR(h.total, linesum + h.ri_unused + (h.sp_commitment - h.sp_used), TOL);
		ASSERT_NEAR(h.ri_fee, fees, TOL);
		ASSERT_NEAR(res_cost, h.ri_fee - h.ri_unused, TOL);
		ASSERT_NEAR(sp_cost, h.sp_used, TOL);
		ASSERT_NEAR(h.sp_commitment, commit, 0);
		double used = 0;
		for (size_t k = 0; k < nrates; k++)
			used += fmin(reserved[k], usage[k]);
		ASSERT_NEAR(h.ri_used_hours, used, TOL);
		ASSERT_NEAR(h.sp_used, fmin(commit, sp_value), TOL);
		cr_assert_leq(h.total, h.od_equiv + spot + fees + commit + TOL);

		if (!nsp)
			continue;
		for (size_t i = 0; i < n; i++) {
			const struct billing_rate *ri_ = &rates[l[i].rate];
			double rate_i = ri_->sp_rate[sp.kind][sp.term];
			int elig_i = rate_i > 0 && (sp.kind == CATALOG_SP_COMPUTE ||
				     (ri_->region == sp.region && strcmp(ri_->family, sp.family) == 0));
			if (!elig_i || l[i].hours[BILL_SAVINGS_PLAN] <= 0)
				continue;
			for (size_t k = 0; k < n; k++) {
				const struct billing_rate *rk = &rates[l[k].rate];
				double rate_k = rk->sp_rate[sp.kind][sp.term];
				int elig_k = rate_k > 0 && (sp.kind == CATALOG_SP_COMPUTE ||
					     (rk->region == sp.region &&
					      strcmp(rk->family, sp.family) == 0));
				if (elig_k && rate_k / rk->on_demand < rate_i / ri_->on_demand)
					cr_assert_leq(l[k].hours[BILL_ON_DEMAND], 1e-12,
						      "iter %d: line %zu left on demand, %zu bought",
						      iter, k, i);
			}
		}
	}
	rng_release(&s);
}
