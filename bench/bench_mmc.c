/* bench_mmc: an M/M/c queue (lambda = 9, mu = 1, c = 10, 10 million customers) simulated on the
 * engine (models/qsim, the code behind `capsim queue --simulate`) against the same queue as a
 * hand-written tight loop — a binary heap of departure times, no engine — that draws the same
 * random numbers from the same streams and records the same statistics. Both therefore follow
 * the same sample path: their mean waits must agree exactly, which the benchmark checks.
 * Prints customers/s of each and their ratio (target: ratio >= 0.6), medians of 3 runs. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "models/qsim.h"
#include "sim/rng.h"
#include "sim/stats.h"

#define LAMBDA 9.0
#define SERVICE 1.0
#define SERVERS 10
#define CUSTOMERS 10000000ULL
#define RUNS 3
#define SEED 42

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* The baseline: next event = min(next arrival, earliest departure in a binary heap). */
struct loop_result {
	double wait_mean, response_mean, p99;
};

static void heap_push(double *h, int *n, double t)
{
	int i = (*n)++;
	while (i > 0 && h[(i - 1) / 2] > t) {
		h[i] = h[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	h[i] = t;
}

static double heap_pop(double *h, int *n)
{
	double top = h[0], last = h[--*n];
	int i = 0;
	for (;;) {
		int c = 2 * i + 1;
		if (c >= *n)
			break;
		if (c + 1 < *n && h[c + 1] < h[c])
			c++;
		if (h[c] >= last)
			break;
		h[i] = h[c];
		i = c;
	}
	h[i] = last;
	return top;
}

static int tight_loop(uint64_t customers, struct loop_result *out)
{
	struct rng arr, svc;
	struct welford wait, resp;
	struct hist hist;
	double heap[SERVERS];
	int nheap = 0;
	size_t cap = 1 << 16, head = 0, len = 0;   /* a power of two: ring indices by mask, as in qsim */
	double *fifo = malloc(cap * sizeof *fifo);
	if (!fifo || rng_init(&arr, SEED, 0, 1) || rng_init(&svc, SEED, 0, 2) ||
	    hist_init(&hist, SERVICE * 1e-3, SERVICE * 1e6, 1e-3))
		return -1;
	welford_init(&wait);
	welford_init(&resp);

	uint64_t arrived = 0, served = 0;
	double next_arrival = rng_exponential(&arr, 1.0 / LAMBDA);
	while (served < customers) {
		double now, arrived_at;
		if (nheap == 0 || next_arrival < heap[0]) {
			now = next_arrival;
			if (++arrived < customers)
				next_arrival = now + rng_exponential(&arr, 1.0 / LAMBDA);
			else
				next_arrival = INFINITY;
			if (nheap == SERVERS) {
				if (len == cap) {   /* grow the ring, keeping order */
					double *f = malloc(2 * cap * sizeof *f);
					if (!f)
						return -1;
					for (size_t i = 0; i < len; i++)
						f[i] = fifo[(head + i) & (cap - 1)];
					free(fifo);
					fifo = f, head = 0, cap *= 2;
				}
				fifo[(head + len++) & (cap - 1)] = now;
				continue;
			}
			arrived_at = now;
		} else {
			now = heap_pop(heap, &nheap);
			if (len == 0)
				continue;
			arrived_at = fifo[head];
			head = (head + 1) & (cap - 1);
			len--;
		}
		double s = rng_exponential(&svc, SERVICE);
		heap_push(heap, &nheap, now + s);
		welford_add(&wait, now - arrived_at);
		welford_add(&resp, now - arrived_at + s);
		hist_add(&hist, now - arrived_at + s);
		served++;
	}
	out->wait_mean = wait.mean;
	out->response_mean = resp.mean;
	out->p99 = hist_quantile(&hist, 0.99);
	hist_release(&hist);
	rng_release(&arr);
	rng_release(&svc);
	free(fifo);
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int main(void)
{
	struct qsim_config cfg = {
		.servers = SERVERS, .arrival_rate = LAMBDA, .service_time = SERVICE,
		.ca2 = 1, .cs2 = 1, .customers = CUSTOMERS, .warmup = 0,
		.npercentiles = 1, .percentiles = { 0.99 },
	};
	double eng_rate[RUNS], loop_rate[RUNS];
	struct qsim_result r;
	struct loop_result l;

	for (int i = 0; i < RUNS; i++) {
		double t0 = now_s();
		if (qsim_run(&cfg, SEED, 0, &r) != 0) {
			fprintf(stderr, "bench_mmc: engine run failed\n");
			return 1;
		}
		double t1 = now_s();
		if (tight_loop(CUSTOMERS, &l) != 0) {
			fprintf(stderr, "bench_mmc: tight loop failed\n");
			return 1;
		}
		double t2 = now_s();
		eng_rate[i] = CUSTOMERS / (t1 - t0);
		loop_rate[i] = CUSTOMERS / (t2 - t1);
	}
	qsort(eng_rate, RUNS, sizeof eng_rate[0], cmp_double);
	qsort(loop_rate, RUNS, sizeof loop_rate[0], cmp_double);
	double e = eng_rate[RUNS / 2], b = loop_rate[RUNS / 2];
	printf("bench_mmc: customers=%llu engine_customers_per_s=%.0f baseline_customers_per_s=%.0f "
	       "ratio=%.3f\n", CUSTOMERS, e, b, e / b);
	printf("bench_mmc: engine_wait_mean=%.9f baseline_wait_mean=%.9f engine_p99=%.6f "
	       "baseline_p99=%.6f same_path=%s\n", r.wait_mean, l.wait_mean, r.response_q[0], l.p99,
	       r.wait_mean == l.wait_mean ? "yes" : "NO");
	return r.wait_mean == l.wait_mean ? 0 : 1;
}
