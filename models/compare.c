/* Paired differences of two runs' figures (see compare.h). */
#include "models/compare.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim/error.h"

int compare_runs(const struct run_result *a, const struct run_result *b,
		 struct compare_row **rows, size_t *n)
{
	*rows = NULL;
	*n = 0;
	if (!a || !b || a->reps != b->reps || a->seed != b->seed || a->reps < 1 ||
	    !a->rep_values || !b->rep_values)
		return CAPSIM_EINVAL;
	struct compare_row *out = calloc(a->nrep_metrics ? a->nrep_metrics : 1, sizeof *out);
	if (!out)
		return CAPSIM_ENOMEM;
	size_t k = 0, reps = (size_t)a->reps;
	for (size_t i = 0; i < a->nrep_metrics; i++) {
		const struct run_metric *ma = &a->metrics[i];
		size_t j;
		for (j = 0; j < b->nrep_metrics; j++)
			if (strcmp(b->metrics[j].name, ma->name) == 0)
				break;
		if (j == b->nrep_metrics)
			continue;
		struct compare_row *r = &out[k++];
		memcpy(r->name, ma->name, sizeof r->name);
		memcpy(r->unit, ma->unit, sizeof r->unit);
		r->a = ma->stat;
		r->b = b->metrics[j].stat;
		const double *va = &a->rep_values[i * reps], *vb = &b->rep_values[j * reps];
		struct welford w;
		welford_init(&w);
		for (size_t x = 0; x < reps; x++)
			welford_add(&w, vb[x] - va[x]);
		welford_ci95(&w, &r->diff);   /* one pair: the mean, NaN bounds */
		r->sign = r->diff.low > 0 ? 1 : r->diff.high < 0 ? -1 : 0;
	}
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
