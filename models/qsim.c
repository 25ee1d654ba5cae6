/* G/G/c FCFS queue simulated customer by customer on the engine (see qsim.h). */
#include "models/qsim.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim/engine.h"
#include "sim/error.h"
#include "sim/mc.h"
#include "sim/rng.h"

/* Each model draws from its own stream so that one never shifts another's draws. */
enum { QSIM_STREAM_ARRIVALS = 1, QSIM_STREAM_SERVICE = 2 };

/* Histogram geometry: response times from S/1000 to S*1e6 within 0.1%. */
#define QSIM_HIST_LO_FACTOR 1e-3
#define QSIM_HIST_HI_FACTOR 1e6
#define QSIM_HIST_REL_ERR 1e-3

/* A time distribution with a given mean and squared coefficient of variation. */
struct draw {
	int kind;              /* DRAW_EXP, DRAW_CONST or DRAW_LOGNORMAL */
	double mean;           /* s */
	double mu, sigma;      /* lognormal parameters */
};
enum { DRAW_EXP, DRAW_CONST, DRAW_LOGNORMAL };

struct waiting {
	double arrived;        /* s */
	uint64_t index;        /* arrival order */
};

struct qsim {
	const struct qsim_config *cfg;
	struct engine eng;
	struct rng arrivals, service;
	struct draw interarrival, service_draw;
	int ev_arrival, ev_departure;
	unsigned servers, busy;
	uint64_t next_index;   /* index of the next customer to arrive */
	uint64_t measure_end;  /* warmup + customers */
	struct waiting *fifo;  /* ring buffer of waiting customers */
	size_t fifo_cap, fifo_head, fifo_len;  /* fifo_cap is 0 or a power of two */
	/* measurement */
	int measuring;
	double busy_area;      /* server-seconds since measurement began */
	double last_change, measure_start;   /* s */
	uint64_t measured, waited;
	int failed;            /* first error met inside a handler (ENOMEM); stops the run */
	struct welford wait, response;
	struct hist hist;
};

static int draw_init(struct draw *d, double mean, double scv)
{
	d->mean = mean;
	if (scv == 1.0) {
		d->kind = DRAW_EXP;
		return 0;
	}
	if (scv == 0.0) {
		d->kind = DRAW_CONST;
		return 0;
	}
	d->kind = DRAW_LOGNORMAL;
	return lognormal_from_mean_scv(mean, scv, &d->mu, &d->sigma);
}

static inline double draw(const struct draw *d, struct rng *s)
{
	switch (d->kind) {
	case DRAW_EXP: return rng_exponential(s, d->mean);
	case DRAW_CONST: return d->mean;
	default: return rng_lognormal(s, d->mu, d->sigma);
	}
}

/* Handlers cannot return errors: remember the first and stop the engine. */
static void fail(struct qsim *q, int rc)
{
	if (!q->failed)
		q->failed = rc;
	engine_stop(&q->eng);
}

static void account_busy(struct qsim *q, double now)
{
	if (q->measuring)
		q->busy_area += q->busy * (now - q->last_change);
	q->last_change = now;
}

/* A customer starts service now: record it if it is measured, schedule its departure. */
static void start_service(struct qsim *q, double now, double arrived, uint64_t index)
{
	double s = draw(&q->service_draw, &q->service);
	int rc = engine_schedule(&q->eng, now + s, q->ev_departure, NULL, 0, NULL);
	if (rc) {
		fail(q, rc);
		return;
	}

	if (index < q->cfg->warmup)
		return;
	double w = now - arrived;
	welford_add(&q->wait, w);
	welford_add(&q->response, w + s);
	hist_add(&q->hist, w + s);
	q->waited += w > 0.0;
	if (++q->measured == q->cfg->customers)
		engine_stop(&q->eng);
}

static int fifo_push(struct qsim *q, double arrived, uint64_t index)
{
	if (q->fifo_len == q->fifo_cap) {
		size_t cap = q->fifo_cap ? 2 * q->fifo_cap : 1024;
		struct waiting *f = malloc(cap * sizeof *f);
		if (!f)
			return CAPSIM_ENOMEM;
		for (size_t i = 0; i < q->fifo_len; i++)
			f[i] = q->fifo[(q->fifo_head + i) % q->fifo_cap];
		free(q->fifo);
		q->fifo = f;
		q->fifo_cap = cap;
		q->fifo_head = 0;
	}
	/* A mask, not %: the capacity is a power of two, and a division is slow on this path. */
	q->fifo[(q->fifo_head + q->fifo_len++) & (q->fifo_cap - 1)] =
		(struct waiting){ arrived, index };
	return 0;
}

static void on_arrival(struct engine *eng, struct event *ev, void *ctx)
{
	struct qsim *q = ctx;
	double now = ev->time;
	uint64_t index = q->next_index++;
	(void)eng;

	if (index == q->cfg->warmup) {
		q->measuring = 1;
		q->measure_start = now;
		q->last_change = now;
	}
	account_busy(q, now);
	if (index + 1 < q->measure_end) {
		int rc = engine_schedule(&q->eng, now + draw(&q->interarrival, &q->arrivals),
					 q->ev_arrival, NULL, 0, NULL);
		if (rc) {
			fail(q, rc);
			return;
		}
	}
	if (q->busy < q->servers) {
		q->busy++;
		start_service(q, now, now, index);
	} else {
		int rc = fifo_push(q, now, index);
		if (rc)
			fail(q, rc);
	}
}

static void on_departure(struct engine *eng, struct event *ev, void *ctx)
{
	struct qsim *q = ctx;
	double now = ev->time;
	(void)eng;

	account_busy(q, now);
	if (q->fifo_len == 0) {
		q->busy--;
		return;
	}
	struct waiting w = q->fifo[q->fifo_head];
	q->fifo_head = (q->fifo_head + 1) & (q->fifo_cap - 1);
	q->fifo_len--;
	start_service(q, now, w.arrived, w.index);
}

int qsim_check(const struct qsim_config *cfg)
{
	if (!(cfg->servers >= 1 && cfg->servers <= 1e6 && cfg->servers == floor(cfg->servers)) ||
	    !(cfg->arrival_rate > 0 && isfinite(cfg->arrival_rate)) ||
	    !(cfg->service_time > 0 && isfinite(cfg->service_time)) ||
	    !(cfg->ca2 >= 0 && isfinite(cfg->ca2)) || !(cfg->cs2 >= 0 && isfinite(cfg->cs2)) ||
	    cfg->customers == 0 || cfg->npercentiles > QSIM_MAX_PERCENTILES)
		return CAPSIM_EINVAL;
	for (size_t i = 0; i < cfg->npercentiles; i++)
		if (!(cfg->percentiles[i] > 0 && cfg->percentiles[i] < 1))
			return CAPSIM_EINVAL;
	if (cfg->arrival_rate * cfg->service_time >= cfg->servers)
		return CAPSIM_EUNSTABLE;
	return 0;
}

int qsim_run(const struct qsim_config *cfg, uint64_t seed, uint64_t rep, struct qsim_result *out)
{
	struct qsim q = { .cfg = cfg };
	int rc = qsim_check(cfg);
	if (rc)
		return rc;
	q.servers = (unsigned)cfg->servers;
	q.measure_end = cfg->warmup + cfg->customers;
	welford_init(&q.wait);
	welford_init(&q.response);

	int have_engine = 0, have_arr = 0, have_svc = 0, have_hist = 0;
	if ((rc = engine_init(&q.eng)) != 0)
		goto out;
	have_engine = 1;
	if ((rc = rng_init(&q.arrivals, seed, rep, QSIM_STREAM_ARRIVALS)) != 0)
		goto out;
	have_arr = 1;
	if ((rc = rng_init(&q.service, seed, rep, QSIM_STREAM_SERVICE)) != 0)
		goto out;
	have_svc = 1;
	if ((rc = hist_init(&q.hist, cfg->service_time * QSIM_HIST_LO_FACTOR,
			    cfg->service_time * QSIM_HIST_HI_FACTOR, QSIM_HIST_REL_ERR)) != 0)
		goto out;
	have_hist = 1;
	if ((rc = draw_init(&q.interarrival, 1.0 / cfg->arrival_rate, cfg->ca2)) != 0 ||
	    (rc = draw_init(&q.service_draw, cfg->service_time, cfg->cs2)) != 0)
		goto out;
	q.ev_arrival = engine_on(&q.eng, on_arrival, &q);
	q.ev_departure = engine_on(&q.eng, on_departure, &q);
	if (q.ev_arrival < 0 || q.ev_departure < 0) {
		rc = q.ev_arrival < 0 ? q.ev_arrival : q.ev_departure;
		goto out;
	}
	/* The first customer arrives after one inter-arrival time, as in a stationary stream. */
	if ((rc = engine_schedule(&q.eng, draw(&q.interarrival, &q.arrivals), q.ev_arrival,
				  NULL, 0, NULL)) != 0)
		goto out;
	engine_run(&q.eng, INFINITY);
	if ((rc = q.failed) != 0)
		goto out;
	CAPSIM_ASSERT(q.measured == cfg->customers);

	double now = engine_now(&q.eng);
	account_busy(&q, now);
	memset(out, 0, sizeof *out);
	out->customers = q.measured;
	out->wait_mean = q.wait.mean;
	out->response_mean = q.response.mean;
	out->p_wait = (double)q.waited / (double)q.measured;
	out->utilization = now > q.measure_start
		? q.busy_area / (q.servers * (now - q.measure_start)) : 0.0;
	for (size_t i = 0; i < cfg->npercentiles; i++)
		out->response_q[i] = hist_quantile(&q.hist, cfg->percentiles[i]);
	out->events = engine_events_run(&q.eng);
out:
	free(q.fifo);
	if (have_hist)
		hist_release(&q.hist);
	if (have_svc)
		rng_release(&q.service);
	if (have_arr)
		rng_release(&q.arrivals);
	if (have_engine)
		engine_release(&q.eng);
	return rc;
}

struct replicate_ctx {
	const struct qsim_config *cfg;
	struct welford wait, response, p_wait, util, q[QSIM_MAX_PERCENTILES];
	uint64_t customers, events;
};

static int replicate_run(uint64_t seed, uint64_t rep, void *result, void *ctx)
{
	const struct replicate_ctx *rc = ctx;
	return qsim_run(rc->cfg, seed, rep, result);
}

static void replicate_fold(const void *result, uint64_t rep, void *ctx)
{
	const struct qsim_result *r = result;
	struct replicate_ctx *c = ctx;
	(void)rep;
	welford_add(&c->wait, r->wait_mean);
	welford_add(&c->response, r->response_mean);
	welford_add(&c->p_wait, r->p_wait);
	welford_add(&c->util, r->utilization);
	for (size_t i = 0; i < c->cfg->npercentiles; i++)
		welford_add(&c->q[i], r->response_q[i]);
	c->customers += r->customers;
	c->events += r->events;
}

/* A Student-t interval knows nothing of the figure's range: at a utilisation near 1, or from
 * a few short replications, mean +- half runs past what the figure can take (0.94 +- 0.065
 * gives a utilisation of 1.006). Bounds are clipped into [lo, hi]; the mean, which is an
 * average of values in that range, already lies in it, and half keeps the t half-width. */
static void ci_clip(struct ci *ci, double lo, double hi)
{
	if (ci->low < lo)
		ci->low = lo;
	if (ci->high > hi)
		ci->high = hi;
}

int qsim_replicate(const struct qsim_config *cfg, uint64_t seed, uint64_t reps,
		   unsigned threads, struct qsim_summary *out)
{
	struct replicate_ctx c = { .cfg = cfg };
	int rc = qsim_check(cfg);
	if (rc)
		return rc;
	if (reps < 2)
		return CAPSIM_EINVAL;   /* an interval needs two replications */
	welford_init(&c.wait);
	welford_init(&c.response);
	welford_init(&c.p_wait);
	welford_init(&c.util);
	for (size_t i = 0; i < QSIM_MAX_PERCENTILES; i++)
		welford_init(&c.q[i]);

	struct mc_config mc = {
		.seed = seed, .reps = reps, .threads = threads,
		.result_size = sizeof(struct qsim_result),
		.run = replicate_run, .fold = replicate_fold, .ctx = &c,
	};
	if ((rc = mc_run(&mc)) != 0)
		return rc;

	memset(out, 0, sizeof *out);
	out->replications = reps;
	out->customers = c.customers;
	out->events = c.events;
	welford_ci95(&c.wait, &out->wait_mean);
	welford_ci95(&c.response, &out->response_mean);
	welford_ci95(&c.p_wait, &out->p_wait);
	welford_ci95(&c.util, &out->utilization);
	for (size_t i = 0; i < cfg->npercentiles; i++)
		welford_ci95(&c.q[i], &out->response_q[i]);
	/* Fractions stay in [0, 1]; waits and responses are durations, never negative. */
	ci_clip(&out->utilization, 0, 1);
	ci_clip(&out->p_wait, 0, 1);
	ci_clip(&out->wait_mean, 0, INFINITY);
	ci_clip(&out->response_mean, 0, INFINITY);
	for (size_t i = 0; i < cfg->npercentiles; i++)
		ci_clip(&out->response_q[i], 0, INFINITY);
	return 0;
}
