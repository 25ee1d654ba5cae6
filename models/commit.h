/* How much capacity to commit to: the cost-minimising count of reserved instances and the
 * cost-minimising savings-plan commitment for a simulated hourly usage curve. The analytic
 * fast paths of the optimizer (issue 6): exact for a fixed usage curve, no simulation.
 *
 * Reserved instances: k reservations cost k·fee every hour and cover up to k instance-hours
 * of that hour's on-demand usage u_h; the rest pays the on-demand price. The total
 *     C(k) = Σ_h [ k·fee + max(0, u_h − k)·price ]
 * is convex in k, and one more reservation pays for itself exactly when the share of hours
 * in which it would be used (u_h >= k) is at least fee/price: the optimum is the
 * (1 − fee/price) quantile of the hourly usage — the break-even quantile. For whole-instance
 * usage the two agree exactly; for fractional usage the partial hours count pro rata, which
 * the direct minimisation below handles too.
 *
 * Savings plans: a commitment of c USD/h buys up to c/q of on-demand-equivalent spend each
 * hour (q = plan rate / on-demand price, the plan's price ratio); the rest pays on demand:
 *     C(c) = Σ_h [ c + max(0, s_h − c/q) ]
 * with s_h the hour's on-demand-equivalent spend. C is convex and piecewise linear with
 * breakpoints at c = q·s_h, so the optimum is one of them (or 0): a sweep over the sorted
 * spends finds it exactly. Both functions sort a private copy and take O(n log n). */
#ifndef CAPSIM_COMMIT_H
#define CAPSIM_COMMIT_H

#include <stddef.h>

/* The reservation count k in [0, ceil(max usage)] minimising C(k) for usage[0..n) (instances
 * in each hour, >= 0), an on-demand price and a reservation's hourly fee (both USD/h,
 * 0 < fee). Ties go to the smaller k. Sets *best and *cost (C at best, USD). Returns 0,
 * CAPSIM_EINVAL (n == 0, a negative or non-finite usage, price or fee not > 0) or
 * CAPSIM_ENOMEM. */
int commit_reserved_count(const double *usage, size_t n, double price, double fee, int *best,
			  double *cost);

/* C(k) itself, for checking: USD over the n hours. */
double commit_reserved_cost(const double *usage, size_t n, double price, double fee, int k);

/* The commitment c >= 0 (USD/h) minimising C(c) for spend[0..n) (on-demand-equivalent USD
 * per hour, >= 0) and price ratio q in (0, 1). Ties go to the smaller commitment. Sets *best
 * and *cost. Returns 0, CAPSIM_EINVAL or CAPSIM_ENOMEM. */
int commit_savings_plan(const double *spend, size_t n, double q, double *best, double *cost);

/* C(c) itself, for checking: USD over the n hours. */
double commit_savings_plan_cost(const double *spend, size_t n, double q, double c);

#endif
