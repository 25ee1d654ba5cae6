/* Paired differences of two runs' figures (see compare.h). */
#include "models/compare.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim/error.h"

/* A cost component ("cost.network", "cost.tier.web", ...) that a run does not report is one
 * its design does not incur: 0 in every replication, so it can still be paired. */
static int zero_when_absent(const struct run_metric *m)
{
	return strncmp(m->name, "cost.", 5) == 0 && strcmp(m->unit, "USD") == 0;
}

static long metric_index(const struct run_result *r, const char *name)
{
	for (size_t j = 0; j < r->nrep_metrics; j++)
		if (strcmp(r->metrics[j].name, name) == 0)
			return (long)j;
	return -1;
}

/* Fills row r from A's metric ia and B's ib (either -1: a cost not incurred, 0 throughout). */
static void pair(struct compare_row *r, const struct run_result *a, long ia,
		 const struct run_result *b, long ib, const double *zeros)
{
	size_t reps = (size_t)a->reps;
	const struct run_metric *m = ia >= 0 ? &a->metrics[ia] : &b->metrics[ib];
	static const struct run_stat none;   /* mean, interval and percentiles 0 */
	memcpy(r->name, m->name, sizeof r->name);
	memcpy(r->unit, m->unit, sizeof r->unit);
	r->a = ia >= 0 ? a->metrics[ia].stat : none;
	r->b = ib >= 0 ? b->metrics[ib].stat : none;
	const double *va = ia >= 0 ? &a->rep_values[(size_t)ia * reps] : zeros;
	const double *vb = ib >= 0 ? &b->rep_values[(size_t)ib * reps] : zeros;
	struct welford w;
	welford_init(&w);
	for (size_t x = 0; x < reps; x++)
		welford_add(&w, vb[x] - va[x]);
	welford_ci95(&w, &r->diff);   /* one pair: the mean, NaN bounds */
	/* B − A of a value in [lo_B, hi_B] and one in [lo_A, hi_A] lies in [lo_B − hi_A,
	 * hi_B − lo_A], [−1, 1] for two fractions, yet a t interval from few pairs may reach past
	 * it: clipped there, as run_stat_of clips each run's own interval (a side without the
	 * figure is 0 throughout: [0, 0]). Every range holds 0, so lo_B − hi_A <= 0 <= hi_B −
	 * lo_A: a clipped end never crosses 0 and the sign is the unclipped interval's. */
	static const struct run_range zero;
	const struct run_range *ra = ia >= 0 ? &a->rep_range[ia] : &zero;
	const struct run_range *rb = ib >= 0 ? &b->rep_range[ib] : &zero;
	if (r->diff.low < rb->lo - ra->hi)
		r->diff.low = rb->lo - ra->hi;
	if (r->diff.high > rb->hi - ra->lo)
		r->diff.high = rb->hi - ra->lo;
	r->sign = r->diff.low > 0 ? 1 : r->diff.high < 0 ? -1 : 0;
}

int compare_runs(const struct run_result *a, const struct run_result *b,
		 struct compare_row **rows, size_t *n)
{
	*rows = NULL;
	*n = 0;
	if (!a || !b || a->reps != b->reps || a->seed != b->seed || a->reps < 1 ||
	    !a->rep_values || !b->rep_values || !a->rep_range || !b->rep_range)
		return CAPSIM_EINVAL;
	size_t most = a->nrep_metrics + b->nrep_metrics;
	struct compare_row *out = calloc(most ? most : 1, sizeof *out);
	double *zeros = calloc((size_t)a->reps, sizeof *zeros);
	if (!out || !zeros) {
		free(out);
		free(zeros);
		return CAPSIM_ENOMEM;
	}
	size_t k = 0;
	/* A's figures in A's order, then the costs only B incurs. */
	for (size_t i = 0; i < a->nrep_metrics; i++) {
		long j = metric_index(b, a->metrics[i].name);
		if (j >= 0 || zero_when_absent(&a->metrics[i]))
			pair(&out[k++], a, (long)i, b, j, zeros);
	}
	for (size_t j = 0; j < b->nrep_metrics; j++)
		if (zero_when_absent(&b->metrics[j]) && metric_index(a, b->metrics[j].name) < 0)
			pair(&out[k++], a, -1, b, (long)j, zeros);
	free(zeros);
	*rows = out;
	*n = k;
	return 0;
}

const struct compare_row *compare_find(const struct compare_row *rows, size_t n,
				       const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(rows[i].name, name) == 0)
			return &rows[i];
	return NULL;
}
