/* Cost-minimising reservation counts and savings-plan commitments for an hourly usage curve. */
#include "models/commit.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_sort_double.h>

#include "sim/error.h"

static int usable(const double *v, size_t n)
{
	if (!v || n == 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!(v[i] >= 0) || !isfinite(v[i]))
			return 0;
	return 1;
}

double commit_reserved_cost(const double *usage, size_t n, double price, double fee, int k)
{
	double c = 0;
	for (size_t h = 0; h < n; h++)
		c += (double)k * fee + (usage[h] > k ? usage[h] - k : 0) * price;
	return c;
}

int commit_reserved_count(const double *usage, size_t n, double price, double fee, int *best,
			  double *cost)
{
	if (!usable(usage, n) || !(price > 0) || !(fee > 0) || !isfinite(price) ||
	    !isfinite(fee))
		return CAPSIM_EINVAL;
	double *u = malloc(n * sizeof *u);
	if (!u)
		return CAPSIM_ENOMEM;
	memcpy(u, usage, n * sizeof *u);
	gsl_sort(u, 1, n);
	/* suffix[i] = Σ_{j >= i} u[j]: the usage above k is Σ over u_j > k of (u_j − k). */
	double *suffix = malloc((n + 1) * sizeof *suffix);
	if (!suffix) {
		free(u);
		return CAPSIM_ENOMEM;
	}
	suffix[n] = 0;
	for (size_t i = n; i-- > 0;)
		suffix[i] = suffix[i + 1] + u[i];
	int kmax = (int)ceil(u[n - 1]);
	size_t first = 0;   /* first index with u > k */
	double best_cost = INFINITY;
	int best_k = 0;
	for (int k = 0; k <= kmax; k++) {
		while (first < n && u[first] <= k)
			first++;
		double above = suffix[first] - (double)(n - first) * k;
		double c = (double)n * k * fee + above * price;
		if (k == 0 || c < best_cost - 1e-12 * fabs(best_cost)) {
			best_cost = c;
			best_k = k;
		}
	}
	free(u);
	free(suffix);
	*best = best_k;
	*cost = best_cost;
	return 0;
}

double commit_savings_plan_cost(const double *spend, size_t n, double q, double c)
{
	double total = 0;
	for (size_t h = 0; h < n; h++) {
		double covered = c / q;
		total += c + (spend[h] > covered ? spend[h] - covered : 0);
	}
	return total;
}

int commit_savings_plan(const double *spend, size_t n, double q, double *best, double *cost)
{
	if (!usable(spend, n) || !(q > 0) || !(q < 1))
		return CAPSIM_EINVAL;
	double *s = malloc(n * sizeof *s), *suffix = malloc((n + 1) * sizeof *suffix);
	if (!s || !suffix) {
		free(s);
		free(suffix);
		return CAPSIM_ENOMEM;
	}
	memcpy(s, spend, n * sizeof *s);
	gsl_sort(s, 1, n);
	suffix[n] = 0;
	for (size_t i = n; i-- > 0;)
		suffix[i] = suffix[i + 1] + s[i];
	/* The candidates: c = 0 and c = q·s_i. At c = q·s_i the hours above it are those with
	 * spend > s_i: indices > the last equal to s_i. */
	double best_c = 0, best_cost = suffix[0];
	for (size_t i = 0; i < n; i++) {
		if (i + 1 < n && s[i + 1] == s[i])
			continue;
		double c = q * s[i];
		double cst = (double)n * c + suffix[i + 1] - (double)(n - i - 1) * s[i];
		if (cst < best_cost - 1e-12 * fabs(best_cost)) {
			best_cost = cst;
			best_c = c;
		}
	}
	free(s);
	free(suffix);
	*best = best_c;
	*cost = best_cost;
	return 0;
}
