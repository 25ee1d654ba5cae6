/* Per-server-count tables of queueing metrics over utilisation, read by cubic interpolation. */
#include "models/qtable.h"

#include <float.h>
#include <math.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_sf_gamma.h>

#include "models/queueing.h"
#include "sim/error.h"

/* The coarse grid lives in x = 1 - rho. Each binary octave of x holds 2^GRID_BITS equal
 * intervals, so an interval's number is the top bits of x's IEEE representation (exponent
 * and the first GRID_BITS mantissa bits): finding it costs a shift, no log and no division.
 * The spacing is between 1/64 and 1/32 of x itself: dense near rho = 1, where the metrics
 * diverge like 1/x and, for large c, vary on the Halfin-Whitt scale beta = x sqrt(c) (equal
 * relative steps in x are equal steps in ln beta: the same number of nodes across the rise
 * of Erlang C whatever c). For x in [1/2, 1] (rho <= 1/2) it is 1/64 in rho. */
#define GRID_BITS 5
#define GRID_SHIFT (52 - GRID_BITS)
/* The grid runs from the octave holding 1 - QTABLE_RHO_MAX (2^-8 <= 0.005 < 2^-7) to x = 1:
 * at most 8 octaves, so at most this many coarse intervals. */
#define GRID_MAX_INTERVALS (8 << GRID_BITS)

/* Build-time check: every interval's cubics are compared with the exact values at its
 * midpoint, and an interval whose ln C (so C, relatively) or percentile is off by more than
 * REFINE_TOL (relative) is split in two, recursively. Cubic Hermite interpolation with exact
 * end slopes errs by h^4 f''''(xi) / 384, largest at the midpoint, so the check sees the worst
 * error of a smooth interval; the percentile bends sharply where C crosses 1 - p when the
 * service time varies little next to the wait (ca2 >> cs2), and only there do intervals
 * split. A split stops at REFINE_MAX_DEPTH levels or when a table holds REFINE_MAX_EXTRA
 * refined intervals; an interval still failing then is answered by qtable_exact (never
 * seen in the families of tests/models/test_qtable.c). */
#define REFINE_TOL 1e-7
#define REFINE_MAX_DEPTH 30
#define REFINE_MAX_EXTRA 4096

/* The percentile's slope comes from central differences of the exact response tail, in x
 * with a step of this fraction of the narrowest interval that ends at the node, and in t
 * with this fraction of t. The tail is smooth to rounding (~1e-16 relative), so the
 * differences lose ~1e-12 relatively, and a slope off by d moves the interpolated value by
 * at most ~h d / 4: a relative ~1e-12; the truncation error (step^2 f''' / 6, relative
 * ~1e-8 of the slope) moves it by a relative ~1e-9 at most, both far below REFINE_TOL. */
#define SLOPE_STEP 1e-4

/* A pool is served the rho = 0 answer while its Erlang C is at most this times 1 - p: the
 * difference is at most that in wait_prob and timeout_frac, and a relative ~1e-12 in the
 * response percentile (which moves by about C / (1 - p) of itself) and the mean. The floor
 * keeps the cut-off, and so every tabulated C, far from underflow for absurd percentiles. */
#define WAIT_PROB_NEGLIGIBLE 1e-12
#define WAIT_PROB_NEGLIGIBLE_MIN 1e-250

/* The rho = 0 percentile is the one queue_response_percentile gives at this utilisation
 * (there C = rho^c-ish is below anything a percentile can see). */
#define RHO_TINY 1e-30

/* ln DBL_MIN = ln 2^-1022: below it a probability is flushed to 0 (see table_eval). */
#define LN_DBL_MIN (-708.39641853226408)

/* One interval [x0, x0 + h) of the grid: two cubics in dx = x - x0. `wait` is ln C where
 * x < 1/2 (C falls super-exponentially as rho drops when c is large: the log keeps a relative
 * accuracy) and ln C - c ln rho where x >= 1/2: there C ~ rho^c c^c / c! as rho -> 0, so ln C
 * diverges while the difference is analytic down to rho = 0, where it is ln(c^c / c!).
 * `pct` is the response p-quantile scaled as pct x / S, which stays bounded as rho -> 1.
 * One interval is one cache line. */
struct interval {
	_Alignas(64) double wait[4];
	double pct[4];
};

/* Refinement of an interval: LEAF, EXACT (answered by qtable_exact), or the index k > 0 of
 * its left half in iv[] (its right half is k + 1). */
#define LEAF 0
#define EXACT (-1)

/* The table of one server count: coarse intervals [0, n) cover x from the grid's first node
 * up to x_hi; x >= x_hi (rho <= 1 - x_hi) is the rho = 0 answer. Refined halves follow the
 * coarse intervals in iv[]. Immutable once published. */
struct table {
	long n;                /* coarse intervals, <= GRID_MAX_INTERVALS */
	long total;            /* coarse and refined intervals in iv[] and split[] */
	double c;              /* servers */
	double x_hi;           /* 1 - rho at the last node: Erlang C <= the cut-off there */
	double kwait;          /* s, v S / c: Wq = kwait C / x */
	double ktimeout;       /* c T / (S v): P(Wq > T) = C e^{-ktimeout x} */
	int32_t *split;        /* [total]: LEAF, EXACT or the left half's index; in this block */
	int plain;             /* every split[] is LEAF: a read need not look there */
	struct interval iv[];  /* [total] */
};

struct qcache {
	struct qtable_family f;
	long max_servers;
	double u;              /* 1 - p, the tail probability of the percentile */
	double ln_u;           /* ln u */
	double cut;            /* Erlang C below which the rho = 0 answer is served */
	double v;              /* Allen-Cunneen factor (ca2 + cs2) / 2 */
	int det;               /* deterministic service: the percentile has a closed form in C */
	double pct0;           /* s, response_pct at rho = 0: the service time's own p-quantile */
	uint64_t base;         /* interval number (top bits of x) of the grid's first interval */
	long nmax;             /* node number of x = 1 (rho = 0) */
	long nlog;             /* node number of x = 1/2: intervals below it tabulate ln C */
	atomic_size_t built;
	_Atomic(struct table *) tables[];  /* [max_servers + 1], NULL until built */
};

static double bits_to_double(uint64_t b)
{
	double x;
	memcpy(&x, &b, sizeof x);
	return x;
}

static uint64_t double_to_bits(double x)
{
	uint64_t b;
	memcpy(&b, &x, sizeof b);
	return b;
}

/* 1 - rho at coarse node j. Nodes are dyadic with at most 9 + GRID_BITS significant bits
 * above 2^-8, so 1 - x is exact too. */
static double node_x(const struct qcache *q, long j)
{
	return bits_to_double((q->base + (uint64_t)j) << GRID_SHIFT);
}

static int family_ok(const struct qtable_family *f)
{
	return f && isfinite(f->service_time) && f->service_time > 0.0 && isfinite(f->ca2) &&
	       f->ca2 >= 0.0 && f->cs2 >= 0.0 && f->cs2 <= QUEUE_CS2_MAX && f->p > 0.0 &&
	       f->p < 1.0 && f->timeout > 0.0;
}

/* The model of c servers at utilisation rho, as every exact value here is computed from:
 * rho = 0 is solved at RHO_TINY, where the percentile is the service time's own. */
static struct queue_model model_at(const struct qtable_family *f, long c, double rho)
{
	double s = f->service_time, load = rho > 0.0 ? rho : RHO_TINY;
	return (struct queue_model){ (double)c, load * (double)c / s, s, f->ca2, f->cs2 };
}

int qtable_exact(const struct qtable_family *f, long c, double rho, struct qpoint *out)
{
	if (!out || !family_ok(f) || c < 1 || (double)c > QUEUE_MAX_SERVERS || !(rho >= 0.0))
		return CAPSIM_EINVAL;
	if (rho >= 1.0)
		return CAPSIM_EUNSTABLE;
	struct queue_model m = model_at(f, c, rho);
	struct queue_result r;
	double pct;
	int rc = queue_solve(&m, &r);
	if (rc)
		return rc;
	if ((rc = queue_response_percentile(&m, &r, f->p, &pct)) != 0)
		return rc;
	if (rho == 0.0)
		*out = (struct qpoint){ 0.0, m.service_time, pct, 0.0 };
	else
		*out = (struct qpoint){ r.erlang_c, r.response_mean, pct,
		                        queue_timeout_loss(&m, &r, f->timeout) };
	return 0;
}

/* ---- building a table ------------------------------------------------------------------ */

/* The exact values at one node, with C in both representations. */
struct node {
	double x;              /* 1 - rho */
	double lnc, dlnc;      /* ln C and its derivative in x (rho > 0 only) */
	double g, dg;          /* ln C - c ln rho and its derivative in x */
	double pct;            /* s, the response p-quantile */
	double p, dp;          /* pct x / S and its derivative in x */
};

/* The queue of c servers at x = 1 - rho, solved. */
static int solve_at(const struct qcache *q, long c, double x, struct queue_model *m,
                    struct queue_result *r)
{
	*m = model_at(&q->f, c, 1.0 - x);
	return queue_solve(m, r);
}

/* dP/dt of the response tail P(W > t) at t > 0, by central differences of relative step
 * SLOPE_STEP; negative wherever W has a density. */
static double tail_slope(const struct queue_model *m, const struct queue_result *r, double t)
{
	double e = SLOPE_STEP * t;
	return (queue_response_ccdf(m, r, t + e) - queue_response_ccdf(m, r, t - e)) / (2.0 * e);
}

/* The percentile's slope in x, by implicit differentiation of P(W > t; x) = 1 - p:
 * dt/dx = -(dP/dx) / (dP/dt), both by central differences of the exact tail (at rho = 0,
 * dP/dx by the one-sided (3 f(x) - 4 f(x - e) + f(x - 2e)) / (2e)). This costs a few tail
 * evaluations where differencing the percentile itself would cost two more root solves. */
static int pct_slope(const struct qcache *q, long c, double h, const struct queue_model *m,
                     const struct queue_result *r, struct node *nd)
{
	struct queue_model ma, mb;
	struct queue_result ra, rb;
	double e = SLOPE_STEP * h, t = nd->pct, fx;
	int rc;
	if (nd->x == 1.0) {
		if ((rc = solve_at(q, c, 1.0 - e, &ma, &ra)) != 0 ||
		    (rc = solve_at(q, c, 1.0 - 2.0 * e, &mb, &rb)) != 0)
			return rc;
		fx = (3.0 * queue_response_ccdf(m, r, t) - 4.0 * queue_response_ccdf(&ma, &ra, t) +
		      queue_response_ccdf(&mb, &rb, t)) / (2.0 * e);
	} else {
		if ((rc = solve_at(q, c, nd->x - e, &ma, &ra)) != 0 ||
		    (rc = solve_at(q, c, nd->x + e, &mb, &rb)) != 0)
			return rc;
		fx = (queue_response_ccdf(&mb, &rb, t) - queue_response_ccdf(&ma, &ra, t)) /
		     (2.0 * e);
	}
	double dpct = -fx / tail_slope(m, r, t);
	if (!isfinite(dpct))
		return CAPSIM_ENOCONV;
	nd->dp = (t + nd->x * dpct) / q->f.service_time;
	return 0;
}

/* The exact values and slopes at x; h is the narrowest interval that ends there (it scales
 * the difference steps). C's slopes have a closed form: with a = c rho, B = Erlang B and the
 * identity dB/da = B (c/a - 1 + B), Erlang C = c B / (c x + a B) has
 * d ln C / da = x / rho + (1 - B) / (c x + a B), so
 *   d ln C / dx = -(c x / rho + c (1 - B) / (c x + a B)),
 *   d (ln C - c ln rho) / dx = c (1 - (1 - B) / (c x + a B)),
 * the latter c - 1 at rho = 0 (B = 0, x = 1), where ln C - c ln rho = ln(c^c / c!).
 * Deterministic service needs no percentile (it has a closed form in C). */
static int node_eval(const struct qcache *q, long c, double x, double h, struct node *nd)
{
	struct queue_model m;
	struct queue_result r;
	double rho = 1.0 - x, cc = (double)c, a = rho * cc;
	int rc = solve_at(q, c, x, &m, &r);
	if (rc)
		return rc;
	double b = erlang_b(cc, a), k = (1.0 - b) / (cc * x + a * b);
	*nd = (struct node){ .x = x, .dg = cc * (1.0 - k) };
	if (rho == 0.0) {
		nd->lnc = -INFINITY;
		nd->dlnc = NAN;
		nd->g = cc * log(cc) - gsl_sf_lngamma(cc + 1.0);
	} else {
		/* C > 0 at every node but rho = 0's (the nodes stop just past the cut-off, at
		 * most a factor ~e^2 below it); the clamp only keeps log() finite if that ever
		 * failed. */
		nd->lnc = log(fmax(r.erlang_c, DBL_MIN));
		nd->dlnc = -(cc * x / rho + cc * k);
		nd->g = nd->lnc - cc * log(rho);
	}
	if (q->det)
		return 0;
	if ((rc = queue_response_percentile(&m, &r, q->f.p, &nd->pct)) != 0)
		return rc;
	nd->p = nd->pct * x / q->f.service_time;
	return pct_slope(q, c, h, &m, &r, nd);
}

/* The Hermite cubic in dx = x - x0 through (x0, f0) and (x1, f1) with slopes d0, d1. */
static void hermite(double *k, double x0, double f0, double d0, double x1, double f1, double d1)
{
	double h = x1 - x0, s = (f1 - f0) / h;
	k[0] = f0;
	k[1] = d0;
	k[2] = (3.0 * s - 2.0 * d0 - d1) / h;
	k[3] = (d0 + d1 - 2.0 * s) / (h * h);
}

static double cubic(const double *k, double dx)
{
	return k[0] + dx * (k[1] + dx * (k[2] + dx * k[3]));
}

/* A table being built: intervals grow as they are refined. */
struct builder {
	const struct qcache *q;
	long c;
	struct interval *iv;
	int32_t *split;
	long used, cap;
};

static int builder_grow(struct builder *bd, long need)
{
	if (need <= bd->cap)
		return 0;
	long cap = bd->cap * 2 > need ? bd->cap * 2 : need;
	struct interval *iv = aligned_alloc(_Alignof(struct interval), (size_t)cap * sizeof *iv);
	int32_t *split = realloc(bd->split, (size_t)cap * sizeof *split);
	if (split)
		bd->split = split;
	if (!iv || !split) {
		free(iv);
		return CAPSIM_ENOMEM;
	}
	if (bd->used)
		memcpy(iv, bd->iv, (size_t)bd->used * sizeof *iv);
	free(bd->iv);
	bd->iv = iv;
	bd->cap = cap;
	return 0;
}

/* Sets interval i's cubics from its end nodes; `logc` chooses C's representation. */
static void interval_set(struct builder *bd, long i, int logc, const struct node *a,
                         const struct node *b)
{
	struct interval *iv = &bd->iv[i];
	if (logc)
		hermite(iv->wait, a->x, a->lnc, a->dlnc, b->x, b->lnc, b->dlnc);
	else
		hermite(iv->wait, a->x, a->g, a->dg, b->x, b->g, b->dg);
	hermite(iv->pct, a->x, a->p, a->dp, b->x, b->p, b->dp);
	bd->split[i] = LEAF;
}

/* How far interval i's cubics are from the exact values at x inside it: the error of ln C
 * (a relative error of C) and, unless service is deterministic, the relative error of the
 * percentile t' estimated from the exact tail as |P(W > t') - (1 - p)| / (t' |dP/dt|), its
 * first-order term (a root solve would cost ten times more). */
static int interval_error(const struct builder *bd, long i, int logc, double x0, double x,
                          double *err)
{
	const struct qcache *q = bd->q;
	struct queue_model m;
	struct queue_result r;
	int rc = solve_at(q, bd->c, x, &m, &r);
	if (rc)
		return rc;
	double lnc = cubic(bd->iv[i].wait, x - x0);
	if (!logc)
		lnc += (double)bd->c * log(1.0 - x);
	*err = fabs(lnc - log(r.erlang_c));
	if (q->det || !(*err <= REFINE_TOL))
		return 0;
	double t = q->f.service_time * cubic(bd->iv[i].pct, x - x0) / x;
	if (!(t > 0.0 && isfinite(t))) {
		*err = INFINITY;
		return 0;
	}
	double e = fabs(queue_response_ccdf(&m, &r, t) - q->u) / (t * fabs(tail_slope(&m, &r, t)));
	*err = isnan(e) ? INFINITY : fmax(*err, e);
	return 0;
}

/* Checks interval i = [a, b] at its midpoint and splits it while it errs by more than
 * REFINE_TOL (see there). */
static int refine(struct builder *bd, long i, int logc, const struct node *a,
                  const struct node *b, int depth)
{
	double h = b->x - a->x, err;
	struct node m;
	int rc = interval_error(bd, i, logc, a->x, a->x + 0.5 * h, &err);
	if (rc)
		return rc;
	if (err <= REFINE_TOL)
		return 0;
	if (depth == REFINE_MAX_DEPTH || bd->used + 2 > GRID_MAX_INTERVALS + REFINE_MAX_EXTRA) {
		bd->split[i] = EXACT;
		return 0;
	}
	if ((rc = node_eval(bd->q, bd->c, a->x + 0.5 * h, 0.5 * h, &m)) != 0 ||
	    (rc = builder_grow(bd, bd->used + 2)) != 0)
		return rc;
	long k = bd->used;
	bd->used += 2;
	interval_set(bd, k, logc, a, &m);
	interval_set(bd, k + 1, logc, &m, b);
	bd->split[i] = (int32_t)k;
	if ((rc = refine(bd, k, logc, a, &m, depth + 1)) != 0)
		return rc;
	return refine(bd, k + 1, logc, &m, b, depth + 1);
}

/* Smallest coarse node number whose Erlang C is negligible (C falls as x grows; node nmax,
 * rho = 0, has C = 0). */
static long last_node(const struct qcache *q, long c)
{
	long lo = 0, hi = q->nmax;
	while (lo < hi) {
		long mid = lo + (hi - lo) / 2;
		double rho = 1.0 - node_x(q, mid);
		if (erlang_c((double)c, rho * (double)c) <= q->cut)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

/* Builds c's table from the exact functions. Returns 0 and sets *out (owned by the caller,
 * freed with free()); CAPSIM_ENOMEM or an error of qtable_exact. */
static int table_build(const struct qcache *q, long c, struct table **out)
{
	struct node nd[GRID_MAX_INTERVALS + 1];
	struct builder bd = { q, c, NULL, NULL, 0, 0 };
	struct table *t = NULL;
	long n = last_node(q, c);
	int rc = builder_grow(&bd, n > 0 ? 2 * n : 1);
	if (rc)
		goto out;
	for (long j = 0; j <= n; j++) {
		double x = node_x(q, j);
		/* the narrowest interval ending here: below an octave's first node, half the
		 * octave's spacing */
		double h = x * ldexp(1.0, -GRID_BITS - 1);
		if ((rc = node_eval(q, c, x, h, &nd[j])) != 0)
			goto out;
	}
	bd.used = n;
	for (long j = 0; j < n; j++)
		interval_set(&bd, j, j < q->nlog, &nd[j], &nd[j + 1]);
	for (long j = 0; j < n; j++)
		if ((rc = refine(&bd, j, j < q->nlog, &nd[j], &nd[j + 1], 0)) != 0)
			goto out;

	size_t ivsize = (size_t)bd.used * sizeof(struct interval);
	size_t size = sizeof *t + ivsize + (size_t)bd.used * sizeof(int32_t);
	size_t align = _Alignof(struct table);
	size = (size + align - 1) / align * align;    /* aligned_alloc wants a multiple */
	if (!(t = aligned_alloc(align, size))) {
		rc = CAPSIM_ENOMEM;
		goto out;
	}
	t->n = n;
	t->total = bd.used;
	t->c = (double)c;
	t->x_hi = node_x(q, n);
	t->kwait = q->v * q->f.service_time / (double)c;
	t->ktimeout = (double)c * q->f.timeout / (q->f.service_time * q->v);
	t->split = (int32_t *)((char *)t->iv + ivsize);
	if (bd.used) {
		memcpy(t->iv, bd.iv, ivsize);
		memcpy(t->split, bd.split, (size_t)bd.used * sizeof(int32_t));
	}
	t->plain = 1;
	for (long j = 0; j < bd.used; j++)
		if (t->split[j] != LEAF)
			t->plain = 0;
	*out = t;
out:
	free(bd.iv);
	free(bd.split);
	return rc;
}

/* ---- reading a table ------------------------------------------------------------------- */

/* qtable_exact, with ln C beside it (-INFINITY when C is 0). */
static int exact_ln(const struct qtable_family *f, long c, double rho, struct qpoint *out,
		    double *ln_wait)
{
	int rc = qtable_exact(f, c, rho, out);
	if (rc == 0)
		*ln_wait = out->wait_prob > 0 ? log(out->wait_prob) : -INFINITY;
	return rc;
}

/* The metrics at rho <= QTABLE_RHO_MAX from c's table, with ln C in *ln_wait; C itself and
 * the mean only when with_c (each costs an exp()). ln_rho is ln rho if the caller knows it,
 * else NAN (then log(rho) is taken where needed). CAPSIM_* only where the table defers to
 * qtable_exact. Only ln C and the percentile are interpolated; the mean and the timeout
 * fraction follow from C in closed form, as queue_solve and queue_wait_ccdf compute them:
 * Wq = C v S / (c x), P(Wq > T) = C e^{-c x T / (S v)}, and the timeout's losses from that tail
 * as queue_timeout_loss has them. */
static int table_eval(const struct qcache *q, const struct table *t, long c, double rho,
		      double ln_rho, int with_c, struct qpoint *out, double *ln_wait)
{
	double x = 1.0 - rho, s = q->f.service_time;
	if (!(x < t->x_hi)) {
		*out = (struct qpoint){ 0.0, s, q->pct0, 0.0 };
		*ln_wait = -INFINITY;
		return 0;
	}
	uint64_t top = double_to_bits(x) >> GRID_SHIFT;
	long i = (long)(top - q->base), j = i;
	double x0 = bits_to_double(top << GRID_SHIFT), dx = x - x0;
	int32_t k = t->plain ? LEAF : t->split[j];
	if (k != LEAF) {
		double h = bits_to_double((top + 1) << GRID_SHIFT) - x0;
		while (k > 0) {        /* halve until a leaf: dx stays exact (Sterbenz) */
			h *= 0.5;
			j = k;
			if (dx >= h) {
				dx -= h;
				j++;
			}
			k = t->split[j];
		}
		if (k == EXACT)
			return exact_ln(&q->f, c, rho, out, ln_wait);
	}
	const struct interval *iv = &t->iv[j];
	double lnc = cubic(iv->wait, dx);
	if (i >= q->nlog)
		lnc += t->c * (isnan(ln_rho) ? log(rho) : ln_rho);
	double inv_x = 1.0 / x;
	if (q->det) /* queue_response_percentile's closed form: S + ln(C/u) / theta' if C > u */
		out->response_pct = s + (lnc > q->ln_u ? t->kwait * (lnc - q->ln_u) * inv_x : 0.0);
	else
		out->response_pct = s * cubic(iv->pct, dx) * inv_x;
	/* C e^{-e} below DBL_MIN is 0: no number of requests it multiplies could be told from
	 * 0, a subnormal would slow every later operation on it (and exp() takes a slow path to
	 * make one), and timeseries.csv would print values such as 4e-321. The test on e alone
	 * comes first (ln C <= 0): it needs no ln C, so it is settled early. */
	double e = t->ktimeout * x;
	double w = e < -LN_DBL_MIN && lnc - e > LN_DBL_MIN ? exp(lnc - e) : 0.0;
	double lost = w > 0 ? x * w / (1.0 - rho * w) : 0.0;   /* queue_timeout_loss */
	out->timeout_frac = lost >= DBL_MIN ? lost : 0.0;
	*ln_wait = lnc;
	if (with_c) {
		double cw = exp(lnc);
		out->wait_prob = cw;
		out->response_mean = s + t->kwait * cw * inv_x;
	} else {
		out->wait_prob = out->response_mean = NAN;
	}
	return 0;
}

/* Builds c's table and publishes it, unless another thread got there first: then its table
 * is used and ours freed (both are identical). */
static int table_publish(struct qcache *q, long c, const struct table **out)
{
	struct table *t, *seen = NULL;
	int rc = table_build(q, c, &t);
	if (rc)
		return rc;
	if (atomic_compare_exchange_strong(&q->tables[c], &seen, t)) {
		atomic_fetch_add(&q->built, 1);
		*out = t;
	} else {
		free(t);
		*out = seen;
	}
	return 0;
}

int qcache_new(const struct qtable_family *f, long max_servers, struct qcache **out)
{
	if (!out || !family_ok(f) || max_servers < 1 || (double)max_servers > QUEUE_MAX_SERVERS)
		return CAPSIM_EINVAL;
	struct qcache *q = malloc(sizeof *q + ((size_t)max_servers + 1) * sizeof q->tables[0]);
	struct qpoint pt0;
	int rc;
	if (!q)
		return CAPSIM_ENOMEM;
	if ((rc = qtable_exact(f, 1, 0.0, &pt0)) != 0) {
		free(q);
		return rc;
	}
	q->f = *f;
	q->max_servers = max_servers;
	q->u = 1.0 - f->p;
	q->ln_u = log(q->u);
	q->cut = fmax(WAIT_PROB_NEGLIGIBLE * q->u, WAIT_PROB_NEGLIGIBLE_MIN);
	q->v = 0.5 * (f->ca2 + f->cs2);
	q->det = f->cs2 < QUEUE_CS2_DETERMINISTIC;
	q->pct0 = pt0.response_pct;
	q->base = double_to_bits(1.0 - QTABLE_RHO_MAX) >> GRID_SHIFT;
	q->nmax = (long)((double_to_bits(1.0) >> GRID_SHIFT) - q->base);
	q->nlog = (long)((double_to_bits(0.5) >> GRID_SHIFT) - q->base);
	atomic_init(&q->built, 0);
	for (long c = 0; c <= max_servers; c++)
		atomic_init(&q->tables[c], NULL);
	*out = q;
	return 0;
}

void qcache_free(struct qcache *q)
{
	if (!q)
		return;
	for (long c = 0; c <= q->max_servers; c++)
		free(atomic_load_explicit(&q->tables[c], memory_order_relaxed));
	free(q);
}

static int eval(struct qcache *q, long c, double rho, double ln_rho, int with_c,
		struct qpoint *out, double *ln_wait)
{
	if (!q || !out || c < 1 || c > q->max_servers || !(rho >= 0.0))
		return CAPSIM_EINVAL;
	if (rho >= 1.0)
		return CAPSIM_EUNSTABLE;
	if (rho > QTABLE_RHO_MAX)
		return exact_ln(&q->f, c, rho, out, ln_wait);
	/* acquire pairs with the publishing compare-exchange: the table's contents are visible */
	const struct table *t = atomic_load_explicit(&q->tables[c], memory_order_acquire);
	if (!t) {
		int rc = table_publish(q, c, &t);
		if (rc)
			return rc;
	}
	return table_eval(q, t, c, rho, ln_rho, with_c, out, ln_wait);
}

int qcache_eval(struct qcache *q, long c, double rho, struct qpoint *out)
{
	double ln_wait;
	return eval(q, c, rho, NAN, 1, out, &ln_wait);
}

int qcache_eval_ln(struct qcache *q, long c, double rho, double ln_rho, struct qpoint *out,
		   double *ln_wait)
{
	if (!ln_wait)
		return CAPSIM_EINVAL;
	return eval(q, c, rho, ln_rho, 0, out, ln_wait);
}

int qcache_eval_lnrho(struct qcache *q, long c, double rho, double ln_rho, struct qpoint *out)
{
	double ln_wait;
	return eval(q, c, rho, ln_rho, 1, out, &ln_wait);
}

size_t qcache_tables_built(const struct qcache *q)
{
	return atomic_load(&((struct qcache *)q)->built);
}
