/* Benchmark: Erlang C + p99 evaluations per second, Poisson-form Erlang B vs the O(c) recursion. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <gsl/gsl_statistics_double.h>
#include <gsl/gsl_sort.h>

#include "models/queueing.h"

#define REPS 7                             /* repetitions per figure; the median is quoted */

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* The offered load of call i: the nominal load nudged by up to 1e-4 relative, so that no
 * call repeats the previous one's arguments. */
static double load_of(double a, long i)
{
	return a * (1.0 + 1e-7 * (double)(i % 1000));
}

/* The baseline's Erlang B: the classical O(c) recursion B_k = a B_{k-1} / (k + a B_{k-1}). */
static double erlang_b_recursion(double c, double a)
{
	double b = 1.0;
	for (double k = 1.0; k <= c; k += 1.0)
		b = a * b / (k + a * b);
	return b;
}

/* Fills *r as queue_solve would (see the field comments in models/queueing.h) for M/M/c, but
 * with Erlang B from the recursion. */
static void solve_with_recursion(const struct queue_model *m, struct queue_result *r)
{
	double c = m->servers, s = m->service_time, a = m->arrival_rate * s;
	double b = erlang_b_recursion(c, a);
	double cw = c * b / ((c - a) + a * b);
	r->utilization = a / c;
	r->offered_load = a;
	r->erlang_b = b;
	r->erlang_c = cw;
	r->variability = 1.0;
	r->wait_rate = (c - a) / s;
	r->wait_mean = cw / r->wait_rate;
	r->response_mean = r->wait_mean + s;
	r->queue_len_mean = m->arrival_rate * r->wait_mean;
}

/* Runs n evaluations (Erlang C + p99) and returns the elapsed seconds; *sink defeats dead-code
 * elimination. Returns a negative time if any evaluation failed. */
static double run(double c, double a, long n, int baseline, double *sink)
{
	struct queue_model m = { c, 0.0, 0.1, 1.0, 1.0 };
	struct queue_result r;
	double t0 = now(), acc = 0.0;
	for (long i = 0; i < n; i++) {
		double t;
		m.arrival_rate = load_of(a, i) / m.service_time;
		if (baseline)
			solve_with_recursion(&m, &r);
		else if (queue_solve(&m, &r) != 0)
			return -1.0;
		if (queue_response_percentile(&m, &r, 0.99, &t) != 0)
			return -1.0;
		acc += r.erlang_c + t;
	}
	double dt = now() - t0;
	*sink += acc;
	return dt;
}

/* Median evaluations per second over REPS repetitions of n calls. */
static double median_rate(double c, double a, long n, int baseline, double *sink)
{
	double rate[REPS];
	for (int k = 0; k < REPS; k++) {
		double dt = run(c, a, n, baseline, sink);
		if (dt <= 0.0)
			return NAN;
		rate[k] = (double)n / dt;
	}
	gsl_sort(rate, 1, REPS);
	return gsl_stats_median_from_sorted_data(rate, 1, REPS);
}

/* Largest relative difference of Erlang C between the two methods over the loads used. */
static double max_rel_diff(double c, double a)
{
	double worst = 0.0;
	for (long i = 0; i < 1000; i += 37) {
		double ai = load_of(a, i);
		double x = erlang_c(c, ai), b = erlang_b_recursion(c, ai);
		double y = c * b / ((c - ai) + ai * b);
		if (y > 0.0)
			worst = fmax(worst, fabs(x - y) / y);
	}
	return worst;
}

int main(void)
{
	const struct {
		double c, load;
	} cases[] = { { 10, 0.9 }, { 1000, 0.9 }, { 10000, 0.9 }, { 10000, 0.99 }, { 10000, 0.999 } };
	double sink = 0.0;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		double c = cases[i].c, a = cases[i].load * c;
		/* ~50 ms per repetition: ~1 us per fast evaluation; the recursion costs ~5 ns * c */
		long n_fast = 50000, n_base = (long)fmax(2000.0, 1e7 / (c + 100.0));
		double fast = median_rate(c, a, n_fast, 0, &sink);
		double base = median_rate(c, a, n_base, 1, &sink);
		if (!(fast > 0.0) || !(base > 0.0)) {
			fprintf(stderr, "bench_erlang: evaluation failed at c=%g\n", c);
			return 1;
		}
		printf("bench_erlang: c=%.0f evals_per_s=%.0f us_per_eval=%.3f recursion_evals_per_s=%.0f "
		       "ratio=%.1f load=%g reps=%d max_rel_diff_erlang_c=%.1e\n",
		       c, fast, 1e6 / fast, base, fast / base, cases[i].load, REPS,
		       max_rel_diff(c, a));
	}
	volatile double keep = sink;              /* the results are used, so the calls stay */
	(void)keep;
	return 0;
}
