/* The purchase optimizer: fleet mixes simulated on common random numbers, commitments sized
 * and billed analytically on each mix's hourly usage. See models/optimize.h. */
#include "models/optimize.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/commit.h"
#include "models/world.h"
#include "sim/error.h"
#include "sim/mc.h"
#include "sim/stats.h"

const char *opt_constraint_name(int c)
{
	static const char *const names[OPT_NCONSTRAINTS] = { "feasible", "availability", "latency",
							     "rto", "rpo", "budget" };
	return c >= 0 && c < OPT_NCONSTRAINTS ? names[c] : "?";
}

const char *opt_role_name(int role)
{
	switch (role) {
	case OPT_SEARCHED: return "searched";
	case OPT_ALL_ON_DEMAND: return "all_on_demand";
	case OPT_AS_WRITTEN: return "as_written";
	}
	return "?";
}

void opt_candidate_release(struct opt_candidate *c)
{
	if (!c)
		return;
	free(c->mix);
	free(c->commit.ri);
	free(c->rep_cost);
	free(c->rep_availability);
	free(c->tier_instances);
	free(c->tier_cost);
	memset(c, 0, sizeof *c);
}

void opt_result_release(struct opt_result *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++)
		opt_candidate_release(&r->c[i]);
	free(r->c);
	memset(r, 0, sizeof *r);
}

/* ---- A fleet mix as a scenario ---- */

/* The scenario a mix runs: a shallow copy of the base sharing everything but the tiers, whose
 * purchase blocks the mix replaces, and without commitments (they are billed afterwards).
 * Never scenario_release'd: it owns only `tiers`. */
struct mix_scenario {
	struct scenario sc;
	struct scenario_tier *tiers;
};

static int mix_scenario_init(struct mix_scenario *ms, const struct scenario *base,
			     const struct opt_mix *mix)
{
	ms->sc = *base;
	if (!(ms->tiers = malloc(base->ntiers * sizeof *ms->tiers)))
		return CAPSIM_ENOMEM;
	memcpy(ms->tiers, base->tiers, base->ntiers * sizeof *ms->tiers);
	for (size_t t = 0; t < base->ntiers; t++) {
		struct scenario_tier *tier = &ms->tiers[t];
		const struct scenario_opt_tier *ot = &base->optimize.tiers[t];
		struct scenario_purchase *p = &tier->purchase;
		if (mix[t].on_demand_above_base >= 1.0 || mix[t].spot_types < 1) {
			/* All on demand: what a tier without a purchase block gets. */
			memset(p, 0, sizeof *p);
			p->on_demand_above_base = 1;
			p->allocation = SCENARIO_ALLOC_PRICE_CAPACITY_OPTIMIZED;
			p->fallback_on_demand = 1;
			tier->has_purchase = 0;
			continue;
		}
		if (!tier->has_purchase) {
			/* The defaults of a purchase block (scenarios/README.md). */
			memset(p, 0, sizeof *p);
			p->allocation = SCENARIO_ALLOC_PRICE_CAPACITY_OPTIMIZED;
			p->fallback_on_demand = 1;
		}
		tier->has_purchase = 1;
		p->on_demand_base = mix[t].on_demand_base;
		p->on_demand_above_base = mix[t].on_demand_above_base;
		p->spot_types = ot->spot_types;
		p->nspot_types = (size_t)mix[t].spot_types;
	}
	ms->sc.tiers = ms->tiers;
	ms->sc.reservations = NULL;
	ms->sc.nreservations = 0;
	ms->sc.savings_plans = NULL;
	ms->sc.nsavings_plans = 0;
	return 0;
}

/* ---- Simulating a fleet ---- */

/* What the replications of one fleet gave, per replication. */
struct sim_out {
	uint64_t reps;         /* capacity of the arrays */
	size_t npools, nhours;
	double *cost;          /* [reps] USD over the horizon, as simulated */
	double *avail;         /* [reps] */
	double *latency;       /* [reps] s, request-weighted SLO percentile */
	long *worst;           /* [reps] the region it is of (world_slo_latency), or -1 */
	double *unused;        /* [reps] USD of unused commitment (as written only) */
	double *pool_cost;     /* [reps × npools × BILL_NOPTIONS] USD */
	double *pool_inst;     /* [reps × npools × BILL_NOPTIONS] mean instances */
	double *hourly;        /* [reps × npools × nhours] with keep_hourly, else NULL */
	double *rto, *rpo;     /* every outage's, in fold order */
	size_t nrto, nrpo, cap;
	int err;
};

static void sim_out_release(struct sim_out *so)
{
	free(so->cost);
	free(so->avail);
	free(so->latency);
	free(so->worst);
	free(so->unused);
	free(so->pool_cost);
	free(so->pool_inst);
	free(so->hourly);
	free(so->rto);
	free(so->rpo);
	memset(so, 0, sizeof *so);
}

static int sim_out_init(struct sim_out *so, uint64_t reps, size_t npools, size_t nhours,
			int hourly)
{
	memset(so, 0, sizeof *so);
	so->reps = reps;
	so->npools = npools;
	so->nhours = nhours;
	size_t cells = (size_t)reps * npools * BILL_NOPTIONS;
	if (!(so->cost = calloc(reps, sizeof *so->cost)) ||
	    !(so->avail = calloc(reps, sizeof *so->avail)) ||
	    !(so->latency = calloc(reps, sizeof *so->latency)) ||
	    !(so->worst = calloc(reps, sizeof *so->worst)) ||
	    !(so->unused = calloc(reps, sizeof *so->unused)) ||
	    !(so->pool_cost = calloc(cells, sizeof *so->pool_cost)) ||
	    !(so->pool_inst = calloc(cells, sizeof *so->pool_inst)) ||
	    (hourly && !(so->hourly = calloc((size_t)reps * npools * nhours, sizeof *so->hourly)))) {
		sim_out_release(so);
		return CAPSIM_ENOMEM;
	}
	return 0;
}

struct sim_job {
	const struct world_shared *sh;
	uint64_t first;        /* replication number of the batch's first */
	struct sim_out *so;
	struct opt_progress *pr;
};

/* Progress across the whole optimisation: replications done out of an estimate. */
struct opt_progress {
	const struct opt_options *o;
	uint64_t done, total;
};

static int sim_run(uint64_t seed, uint64_t rep, void *result, void *ctx)
{
	struct sim_job *j = ctx;
	struct world_rep *w = result;
	int rc = world_run(j->sh, seed, j->first + rep, w);
	if (rc < 0)
		world_rep_release(w);
	return rc;
}

static int grow(double **v, size_t cap)
{
	double *x = realloc(*v, cap * sizeof *x);
	if (!x)
		return CAPSIM_ENOMEM;
	*v = x;
	return 0;
}

static void sim_fold(const void *result, uint64_t rep, void *ctx)
{
	struct sim_job *j = ctx;
	struct world_rep w = *(const struct world_rep *)result;
	const struct world_shared *sh = j->sh;
	struct sim_out *so = j->so;
	uint64_t r = j->first + rep;
	double offered = w.scalar[W_OFFERED];
	so->cost[r] = w.scalar[W_COST];
	so->avail[r] = offered > 0 ? w.scalar[W_SUCCEEDED] / offered : 1.0;
	so->latency[r] = world_slo_latency(sh->sc, &w, &so->worst[r]);
	so->unused[r] = w.scalar[W_UNUSED_COMMITMENT];
	static const enum run_ts_field paid[BILL_NOPTIONS] = {
		[BILL_ON_DEMAND] = RUN_TS_PAID_ON_DEMAND, [BILL_SPOT] = RUN_TS_PAID_SPOT,
		[BILL_RESERVED] = RUN_TS_PAID_RESERVED, [BILL_SAVINGS_PLAN] = RUN_TS_PAID_SAVINGS_PLAN,
	};
	for (size_t i = 0; i < sh->npools; i++)
		for (int opt = 0; opt < BILL_NOPTIONS; opt++) {
			double c = 0;
			for (size_t m = 0; m < sh->nmonths; m++)
				c += w.month_cost[(m * sh->npools + i) * BILL_NOPTIONS + opt];
			size_t cell = ((size_t)r * sh->npools + i) * BILL_NOPTIONS + (size_t)opt;
			so->pool_cost[cell] = c;
			/* One bucket spans the horizon: its mean is the time average. */
			so->pool_inst[cell] = w.ts[i * RUN_TS_NFIELDS + paid[opt]];
		}
	if (so->hourly && w.hourly_od)
		memcpy(&so->hourly[(size_t)r * sh->npools * sh->nhours], w.hourly_od,
		       sh->npools * sh->nhours * sizeof *so->hourly);
	if (w.nrto && !so->err) {
		if (so->nrto + w.nrto > so->cap) {
			size_t cap = 2 * (so->nrto + w.nrto);
			if (grow(&so->rto, cap) < 0 || grow(&so->rpo, cap) < 0)
				so->err = CAPSIM_ENOMEM;
			else
				so->cap = cap;
		}
		for (size_t i = 0; !so->err && i < w.nrto; i++) {
			so->rto[so->nrto++] = w.rto[i];
			if (w.rpo[i] >= 0)
				so->rpo[so->nrpo++] = w.rpo[i];
		}
	}
	world_rep_release(&w);
}

static void sim_progress(uint64_t done, uint64_t total, void *ctx)
{
	struct sim_job *j = ctx;
	struct opt_progress *pr = j->pr;
	(void)total;
	if (pr && pr->o->progress) {
		if (pr->done + done > pr->total)
			pr->total = pr->done + done;
		pr->o->progress(pr->done + done, pr->total, pr->o->progress_ctx);
	}
}

/* Simulates replications [from, to) of sh into so. */
static int simulate(const struct world_shared *sh, uint64_t seed, uint64_t from, uint64_t to,
		    unsigned threads, struct sim_out *so, struct opt_progress *pr)
{
	struct sim_job j = { .sh = sh, .first = from, .so = so, .pr = pr };
	struct mc_config cfg = {
		.seed = seed, .reps = to - from, .threads = threads,
		.result_size = sizeof(struct world_rep), .run = sim_run, .fold = sim_fold,
		.discard = world_rep_discard,
		.progress = pr ? sim_progress : NULL, .ctx = &j,
	};
	int rc = mc_run(&cfg);
	if (pr)
		pr->done += to - from;
	return rc < 0 ? rc : so->err;
}

/* ---- Billing commitments on the simulated usage ---- */

/* The usage of one simulated fleet, ready to be billed under any commitment. Billing lines
 * are the pools' own types (their first line), one per pool. */
struct usage {
	const struct world_shared *sh;
	const double *hourly;  /* [reps × npools × nhours] */
	uint64_t reps;
	size_t npools, nhours;
	size_t *rate;          /* [npools] billing rate (type × nregions + region) of each pool */
};

/* The sums of one billing of every replication and hour. */
struct bill_sums {
	double total;          /* USD, all replications */
	double *rep_total;     /* [reps] USD of each replication (may be NULL) */
	double *line_cost;     /* [npools × BILL_NOPTIONS] USD, all replications (may be NULL) */
	double *line_hours;    /* [npools × BILL_NOPTIONS] instance-hours, idem (may be NULL) */
	struct billing_hour h; /* each field summed over replications and hours */
};

/* Bills every hour of every replication of u under plan (whose rates are sh->rates). */
static int bill_usage(const struct usage *u, const struct billing_plan *plan,
		      struct billing_line *lines, struct bill_sums *s)
{
	s->total = 0;
	memset(&s->h, 0, sizeof s->h);
	if (s->line_cost)
		memset(s->line_cost, 0, u->npools * BILL_NOPTIONS * sizeof *s->line_cost);
	if (s->line_hours)
		memset(s->line_hours, 0, u->npools * BILL_NOPTIONS * sizeof *s->line_hours);
	for (uint64_t r = 0; r < u->reps; r++) {
		const double *hr = &u->hourly[(size_t)r * u->npools * u->nhours];
		double rep_total = 0;
		for (size_t h = 0; h < u->nhours; h++) {
			for (size_t i = 0; i < u->npools; i++) {
				lines[i] = (struct billing_line){ .rate = u->rate[i],
								  .od_hours = hr[i * u->nhours + h] };
			}
			struct billing_hour bh;
			int rc = billing_apply_hour(plan, lines, u->npools,
						    world_hour_span(u->sh, h), &bh);
			if (rc < 0)
				return rc;
			rep_total += bh.total;
			s->h.ri_fee += bh.ri_fee;
			s->h.ri_unused += bh.ri_unused;
			s->h.ri_hours += bh.ri_hours;
			s->h.ri_used_hours += bh.ri_used_hours;
			s->h.ri_covered_od_equiv += bh.ri_covered_od_equiv;
			s->h.od_eligible_hours += bh.od_eligible_hours;
			s->h.sp_commitment += bh.sp_commitment;
			s->h.sp_used += bh.sp_used;
			s->h.sp_covered_od_equiv += bh.sp_covered_od_equiv;
			s->h.od_equiv += bh.od_equiv;
			for (size_t i = 0; i < u->npools; i++)
				for (int opt = 0; opt < BILL_NOPTIONS; opt++) {
					if (s->line_cost)
						s->line_cost[i * BILL_NOPTIONS + opt] += lines[i].cost[opt];
					if (s->line_hours)
						s->line_hours[i * BILL_NOPTIONS + opt] += lines[i].hours[opt];
				}
		}
		if (s->rep_total)
			s->rep_total[r] = rep_total;
		s->total += rep_total;
	}
	return 0;
}

/* A breakpoint of the savings-plan cost: at commitment c the slope of the expected bill
 * changes by dslope. */
struct sp_break {
	double c, dslope;
};

static int cmp_break(const void *a, const void *b)
{
	double x = ((const struct sp_break *)a)->c, y = ((const struct sp_break *)b)->c;
	return (x > y) - (x < y);
}

struct sp_line {
	double q;              /* plan rate / on-demand price */
	double spend;          /* USD/h of commitment that buys all of the line's hour */
};

static int cmp_sp_line(const void *a, const void *b)
{
	double x = ((const struct sp_line *)a)->q, y = ((const struct sp_line *)b)->q;
	return (x > y) - (x < y);
}

/* The compute savings-plan commitment (USD/h) minimising the bill of the usage in `residual`
 * ([reps × npools × nhours] on-demand hours left by the reservations).
 * In one hour a commitment c buys the eligible lines in order of their discount, largest
 * first (billing.h); while it is buying line i (plan rate q_i × on-demand price), one more
 * USD of commitment saves 1/q_i USD of on-demand spend, so the hour's bill has slope
 * 1 − 1/q_i, and slope 1 (commitment paid, nothing bought) once every eligible line is
 * bought. The expected bill is the sum over hours: convex and piecewise linear, its slope
 * rising by 1/q_i − 1/q_{i+1} at each hour's cumulative breakpoints. Its minimum is where the
 * slope, accumulated over the sorted breakpoints, first reaches zero (ties to the smaller
 * commitment). Exact, and O(m log m) for m breakpoints. */
static int size_savings_plan(const struct usage *u, const double *residual, int term,
			     double *best)
{
	const struct world_shared *sh = u->sh;
	size_t cap = (size_t)u->reps * u->nhours * u->npools, m = 0;
	struct sp_break *bp = malloc((cap ? cap : 1) * sizeof *bp);
	struct sp_line *ln = malloc((u->npools ? u->npools : 1) * sizeof *ln);
	if (!bp || !ln) {
		free(bp);
		free(ln);
		return CAPSIM_ENOMEM;
	}
	double slope = 0;
	for (uint64_t r = 0; r < u->reps; r++) {
		const double *hr = &residual[(size_t)r * u->npools * u->nhours];
		for (size_t h = 0; h < u->nhours; h++) {
			size_t k = 0;
			for (size_t i = 0; i < u->npools; i++) {
				const struct billing_rate *rt = &sh->rates[u->rate[i]];
				/* A last hour shorter than an hour: as an hour of its mean usage. */
				double x = hr[i * u->nhours + h] / world_hour_span(sh, h);
				double sp = rt->sp_rate[CATALOG_SP_COMPUTE][term];
				if (x > 0 && sp > 0 && sp < rt->on_demand)
					ln[k++] = (struct sp_line){ sp / rt->on_demand, sp * x };
			}
			if (k == 0) {
				slope += 1;
				continue;
			}
			qsort(ln, k, sizeof *ln, cmp_sp_line);
			slope += 1 - 1 / ln[0].q;
			double c = 0;
			for (size_t i = 0; i < k; i++) {
				c += ln[i].spend;
				double next = i + 1 < k ? 1 / ln[i + 1].q : 0;
				bp[m++] = (struct sp_break){ c, 1 / ln[i].q - next };
			}
		}
	}
	qsort(bp, m, sizeof *bp, cmp_break);
	*best = 0;
	for (size_t i = 0; i < m && slope < 0; i++) {
		slope += bp[i].dslope;
		*best = bp[i].c;
	}
	free(bp);
	free(ln);
	return 0;
}

/* ---- Evaluating a candidate ---- */

struct opt_ctx {
	const struct scenario *sc;
	uint64_t seed;
	unsigned threads;
	int objective;
	struct opt_progress pr;
};

static double monthly(const struct scenario *sc, double usd)
{
	return usd * SCENARIO_MONTH / sc->horizon;
}

/* An RTO or RPO across the n outages of a candidate's replications. A single outage has no
 * interval: the targets are then judged on its value, the only evidence there is (both ends
 * are set to it, and frontier.csv shows them so). */
static void outage_stat(double *v, size_t n, struct run_stat *st)
{
	run_stat_of(v, n, 0, INFINITY, st);
	if (n == 1)
		st->ci95_low = st->ci95_high = st->mean;
}

/* A target is met when the whole 95% interval is on its right side; missed outright when the
 * whole interval is on the wrong side; else uncertain. */
enum { TARGET_MET, TARGET_UNCERTAIN, TARGET_MISSED };

static int judge_at_most(const struct run_stat *st, double target)
{
	return st->ci95_high <= target ? TARGET_MET :
	       st->ci95_low > target ? TARGET_MISSED : TARGET_UNCERTAIN;
}

void opt_check_targets(const struct scenario *sc, struct opt_candidate *c)
{
	int verdict[OPT_NCONSTRAINTS] = { 0 };
	if (sc->has_slo) {
		const struct run_stat *a = &c->availability;
		verdict[OPT_AVAILABILITY] = a->ci95_low >= sc->slo.availability ? TARGET_MET :
					    a->ci95_high < sc->slo.availability ?
					    TARGET_MISSED : TARGET_UNCERTAIN;
		if (sc->slo.latency_target > 0)
			verdict[OPT_LATENCY] = judge_at_most(&c->latency, sc->slo.latency_target);
	}
	if (sc->has_dr && sc->dr.rto_target > 0 && c->has_rto)
		verdict[OPT_RTO] = judge_at_most(&c->rto, sc->dr.rto_target);
	if (sc->has_dr && sc->dr.has_rpo_target && c->has_rpo)
		verdict[OPT_RPO] = judge_at_most(&c->rpo, sc->dr.rpo_target);
	if (sc->budget_monthly > 0)
		verdict[OPT_BUDGET] = judge_at_most(&c->cost, sc->budget_monthly);
	/* The binding target: the first missed outright, else the first uncertain, in the
	 * order availability, latency, RTO, RPO, budget. */
	static const int order[] = { OPT_AVAILABILITY, OPT_LATENCY, OPT_RTO, OPT_RPO,
				     OPT_BUDGET };
	c->binding = OPT_FEASIBLE;
	c->binding_missed = 0;
	for (int want = TARGET_MISSED; want >= TARGET_UNCERTAIN && c->binding == OPT_FEASIBLE;
	     want--)
		for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
			if (verdict[order[i]] == want) {
				c->binding = order[i];
				c->binding_missed = want == TARGET_MISSED;
				break;
			}
}

/* The figures every candidate has: cost (from c->rep_cost), availability, latency, RTO/RPO,
 * the objective and the verdict. */
static int figures(const struct opt_ctx *x, const struct sim_out *so, uint64_t reps,
		   struct opt_candidate *c)
{
	double *v = malloc((reps > so->nrto ? reps : so->nrto) * sizeof *v + sizeof *v);
	if (!v)
		return CAPSIM_ENOMEM;
	memcpy(v, c->rep_cost, reps * sizeof *v);
	run_stat_of(v, reps, -INFINITY, INFINITY, &c->cost);
	c->cost_p90 = stats_quantile_sorted(v, reps, 0.90);
	memcpy(c->rep_availability, so->avail, reps * sizeof *v);
	memcpy(v, so->avail, reps * sizeof *v);
	run_stat_of(v, reps, 0, 1, &c->availability);
	memcpy(v, so->latency, reps * sizeof *v);
	run_stat_of(v, reps, 0, INFINITY, &c->latency);
	/* The region worst served in most replications (the first such on a tie). */
	c->worst_region = -1;
	for (size_t g = 0, most = 0; g < x->sc->nregions; g++) {
		size_t k = 0;
		for (uint64_t r = 0; r < reps; r++)
			k += so->worst[r] == (long)g;
		if (k > most) {
			most = k;
			c->worst_region = (long)g;
		}
	}
	if ((c->has_rto = so->nrto > 0)) {
		memcpy(v, so->rto, so->nrto * sizeof *v);
		outage_stat(v, so->nrto, &c->rto);
	}
	if ((c->has_rpo = so->nrpo > 0)) {
		memcpy(v, so->rpo, so->nrpo * sizeof *v);
		outage_stat(v, so->nrpo, &c->rpo);
	}
	free(v);
	c->reps = reps;
	c->objective = x->objective == SCENARIO_OBJ_P90 ? c->cost_p90 : c->cost.mean;
	opt_check_targets(x->sc, c);
	return 0;
}

/* A commitment choice: its reservations (the break-even counts or the joint ones) and the
 * plan. */
struct choice {
	const struct billing_reservation *ri;
	size_t nri;
	struct billing_savings_plan sp;
	int has_sp;
};

/* What billing one plan over a simulated fleet needs: the usage, each replication's cost
 * outside the billed lines (base) and scratch arrays. */
struct plan_eval {
	const struct opt_ctx *x;
	const struct usage *u;
	const struct sim_out *so;
	const double *base;        /* [reps] USD */
	struct billing_line *lines; /* [npools] */
	double *residual;          /* [reps × npools × nhours], allocated on first need */
	double *rep_bill;          /* [reps] */
	double *scratch;           /* [reps] */
};

/* The objective (the mean or the P90 of the monthly cost over the replications) of plan's
 * reservations and, when sp is not NULL, a compute savings plan sized on the usage they
 * leave (sp->commitment set; 0 when no plan pays, and then the plan is not bought). */
static int plan_objective(struct plan_eval *ev, struct billing_plan *plan,
			  struct billing_savings_plan *sp, double *obj)
{
	const struct usage *u = ev->u;
	const struct sim_out *so = ev->so;
	size_t np = u->npools, nh = u->nhours;
	uint64_t reps = u->reps;
	int rc;
	plan->sp = NULL;
	plan->nsp = 0;
	if (sp) {
		/* The usage the reservations leave, then the plan on it. */
		if (!ev->residual && !(ev->residual = malloc((size_t)reps * np * nh *
							     sizeof *ev->residual)))
			return CAPSIM_ENOMEM;
		if (plan->nri) {
			for (uint64_t r = 0; r < reps; r++)
				for (size_t h = 0; h < nh; h++) {
					for (size_t i = 0; i < np; i++)
						ev->lines[i] = (struct billing_line){
							.rate = u->rate[i],
							.od_hours = so->hourly[((size_t)r * np + i) * nh + h] };
					struct billing_hour bh;
					if ((rc = billing_apply_hour(plan, ev->lines, np,
								     world_hour_span(u->sh, h),
								     &bh)) < 0)
						return rc;
					for (size_t i = 0; i < np; i++)
						ev->residual[((size_t)r * np + i) * nh + h] =
							ev->lines[i].hours[BILL_ON_DEMAND];
				}
		} else {
			memcpy(ev->residual, so->hourly, (size_t)reps * np * nh * sizeof *ev->residual);
		}
		if ((rc = size_savings_plan(u, ev->residual, sp->term, &sp->commitment)) < 0)
			return rc;
		if (sp->commitment > 0) {
			plan->sp = sp;
			plan->nsp = 1;
		}
	}
	struct bill_sums s = { .rep_total = ev->rep_bill };
	if ((rc = bill_usage(u, plan, ev->lines, &s)) < 0)
		return rc;
	const struct scenario *sc = ev->x->sc;
	for (uint64_t r = 0; r < reps; r++)
		ev->scratch[r] = monthly(sc, ev->base[r] + ev->rep_bill[r]);
	if (ev->x->objective == SCENARIO_OBJ_P90) {
		*obj = stats_quantile(ev->scratch, reps, 0.90);
	} else {
		*obj = 0;
		for (uint64_t r = 0; r < reps; r++)
			*obj += ev->scratch[r];
		*obj /= (double)reps;
	}
	return 0;
}

/* Sizes and bills the commitments of a simulated fleet and fills c's cost figures, mix and
 * commitments. so holds reps replications with hourly usage. */
static int commit_and_bill(const struct opt_ctx *x, const struct world_shared *sh,
			   const struct sim_out *so, uint64_t reps, int commit, int refine,
			   struct opt_candidate *c)
{
	const struct scenario *sc = x->sc;
	const struct scenario_optimize *op = &sc->optimize;
	size_t np = sh->npools, nh = sh->nhours, nr = sc->nregions;
	struct usage u = { .sh = sh, .hourly = so->hourly, .reps = reps, .npools = np,
			   .nhours = nh };
	int rc = CAPSIM_ENOMEM;
	struct billing_line *lines = calloc(np ? np : 1, sizeof *lines);
	size_t *rate = calloc(np ? np : 1, sizeof *rate);
	size_t *ri_rate = calloc(np ? np : 1, sizeof *ri_rate);
	struct billing_reservation *ri = calloc(np ? np : 1, sizeof *ri);
	size_t nrh = (size_t)reps * nh;
	double *pooled = malloc((nrh ? nrh : 1) * sizeof *pooled);
	double *base = NULL, *rep_bill = calloc(reps, sizeof *rep_bill);
	double *line_cost = calloc(np * BILL_NOPTIONS + 1, sizeof *line_cost);
	double *line_hours = calloc(np * BILL_NOPTIONS + 1, sizeof *line_hours);
	double *scratch = calloc(reps, sizeof *scratch);
	struct billing_reservation *ri_joint = NULL;
	struct plan_eval ev = { .x = x, .u = &u, .so = so, .lines = lines, .rep_bill = rep_bill,
				.scratch = scratch };
	size_t nri = 0;
	if (!lines || !rate || !ri_rate || !ri || !pooled || !rep_bill || !line_cost ||
	    !line_hours || !scratch)
		goto out;
	for (size_t i = 0; i < np; i++)
		rate[i] = sh->pools[i].line_type[0] * nr + sh->pools[i].region;
	u.rate = rate;
	/* The part of each replication's simulated cost that billing replaces: its pools' own
	 * types' on-demand hours at the on-demand price. */
	if (!(base = calloc(reps, sizeof *base)))
		goto out;
	for (uint64_t r = 0; r < reps; r++) {
		const double *hr = &so->hourly[(size_t)r * np * nh];
		double od = 0;
		for (size_t i = 0; i < np; i++) {
			double hours = 0;
			for (size_t h = 0; h < nh; h++)
				hours += hr[i * nh + h];
			od += hours * sh->rates[rate[i]].on_demand;
		}
		base[r] = so->cost[r] - od;
	}

	/* Reservations: per (type, region) with a catalog row, the break-even count of the
	 * pooled hourly usage of every replication. */
	for (size_t i = 0; commit && op->reserved && i < np; i++) {
		size_t k;
		for (k = 0; k < nri; k++)
			if (ri_rate[k] == rate[i])
				break;
		if (k < nri)
			continue;
		size_t type = sh->pools[i].line_type[0], region = sh->pools[i].region;
		const struct catalog_entry *cat = sc->instance_types[type].price[region].cat;
		if (!cat)
			continue;
		double fee = catalog_ri_effective(cat, (enum catalog_term)op->ri_term,
						  (enum catalog_payment)op->ri_payment);
		for (uint64_t r = 0; r < reps; r++)
			for (size_t h = 0; h < nh; h++) {
				double s = 0;
				for (size_t j = 0; j < np; j++)
					if (rate[j] == rate[i])
						s += so->hourly[((size_t)r * np + j) * nh + h];
				/* A last hour shorter than an hour: as an hour of its mean usage. */
				pooled[(size_t)r * nh + h] = s / world_hour_span(sh, h);
			}
		int count;
		double cost;
		if ((rc = commit_reserved_count(pooled, (size_t)reps * nh,
						sh->rates[rate[i]].on_demand, fee, &count, &cost)) < 0)
			goto out;
		rc = CAPSIM_ENOMEM;
		if (count < 1)
			continue;
		ri_rate[nri] = rate[i];
		ri[nri++] = (struct billing_reservation){ .rate = rate[i], .count = count,
							  .hourly_fee = fee };
	}

	/* The four choices: nothing, reservations, a plan, both; the plan sized on what the
	 * reservations leave. */
	struct billing_savings_plan sp = { .kind = CATALOG_SP_COMPUTE, .term = op->sp_term };
	struct billing_plan plan = { .rates = sh->rates, .nrates = sc->ninstance_types * nr };
	struct bill_sums s = { .rep_total = rep_bill };
	ev.base = base;
	double best_obj = INFINITY;
	struct choice best = { 0 };
	for (int ch = 0; ch < 4; ch++) {
		int use_ri = ch & 1, use_sp = ch & 2;
		double obj;
		if ((use_ri && !nri) || (use_sp && !(commit && op->savings_plan)))
			continue;
		plan.ri = use_ri ? ri : NULL;
		plan.nri = use_ri ? nri : 0;
		if ((rc = plan_objective(&ev, &plan, use_sp ? &sp : NULL, &obj)) < 0)
			goto out;
		rc = CAPSIM_ENOMEM;
		if (use_sp && !(sp.commitment > 0))
			continue;
		/* Strictly cheaper only: the simpler choice wins ties. */
		if (ch == 0 || obj < best_obj - 1e-9 * fabs(best_obj)) {
			best_obj = obj;
			best.ri = use_ri ? ri : NULL;
			best.nri = use_ri ? nri : 0;
			best.has_sp = use_sp != 0;
			best.sp = sp;
		}
	}
	/* Joint sizing: a savings plan covers any type in any region, so beside it a
	 * reservation must be used in more hours than its break-even to pay (an hour it covers
	 * would otherwise be bought through the plan at the plan's rate, not on demand). From
	 * the break-even counts, each reservation is lowered one at a time, the plan sized again
	 * on what is left, while the objective falls: never worse than the counts above. */
	if (refine && nri && commit && op->savings_plan) {
		if (!(ri_joint = malloc(nri * sizeof *ri_joint)))
			goto out;
		memcpy(ri_joint, ri, nri * sizeof *ri);
		plan.ri = ri_joint;
		plan.nri = nri;
		double cur;
		struct billing_savings_plan sp_cur = sp;
		if ((rc = plan_objective(&ev, &plan, &sp_cur, &cur)) < 0)
			goto out;
		for (int improved = 1, pass = 0; improved && pass < 8; pass++) {
			improved = 0;
			for (size_t k = 0; k < nri; k++)
				while (ri_joint[k].count > 0) {
					double obj;
					struct billing_savings_plan sp_try = sp;
					ri_joint[k].count--;
					if ((rc = plan_objective(&ev, &plan, &sp_try, &obj)) < 0)
						goto out;
					if (!(obj < cur - 1e-9 * fabs(cur))) {
						ri_joint[k].count++;
						break;
					}
					cur = obj;
					sp_cur = sp_try;
					improved = 1;
				}
		}
		/* Reservations lowered to none drop out of the plan. */
		size_t kept = 0;
		for (size_t k = 0; k < nri; k++)
			if (ri_joint[k].count > 0)
				ri_joint[kept++] = ri_joint[k];
		if (cur < best_obj - 1e-9 * fabs(best_obj) && sp_cur.commitment > 0) {
			best_obj = cur;
			best.ri = kept ? ri_joint : NULL;
			best.nri = kept;
			best.has_sp = 1;
			best.sp = sp_cur;
		}
		rc = CAPSIM_ENOMEM;
	}

	/* Bill the choice once more for its figures. */
	plan.ri = best.nri ? best.ri : NULL;
	plan.nri = best.nri;
	plan.sp = best.has_sp ? &best.sp : NULL;
	plan.nsp = best.has_sp ? 1 : 0;
	s.line_cost = line_cost;
	s.line_hours = line_hours;
	if ((rc = bill_usage(&u, &plan, lines, &s)) < 0)
		goto out;
	rc = CAPSIM_ENOMEM;
	for (uint64_t r = 0; r < reps; r++)
		c->rep_cost[r] = monthly(sc, base[r] + rep_bill[r]);
	double R = (double)reps, H = sc->horizon / 3600.0;
	struct opt_commitment *cm = &c->commit;
	cm->ri_term = op->ri_term;
	cm->ri_payment = op->ri_payment;
	cm->sp_term = op->sp_term;
	if (plan.nri) {
		if (!(cm->ri = calloc(plan.nri, sizeof *cm->ri)))
			goto out;
		cm->nri = plan.nri;
		for (size_t k = 0; k < plan.nri; k++) {
			struct opt_reservation *o = &cm->ri[k];
			double used = 0, od = 0;
			for (size_t i = 0; i < np; i++)
				if (rate[i] == plan.ri[k].rate) {
					used += line_hours[i * BILL_NOPTIONS + BILL_RESERVED];
					for (int opt = 0; opt < BILL_NOPTIONS; opt++)
						od += line_hours[i * BILL_NOPTIONS + opt];
				}
			o->instance_type = plan.ri[k].rate / nr;
			o->region = plan.ri[k].rate % nr;
			o->count = plan.ri[k].count;
			o->hourly_fee = plan.ri[k].hourly_fee;
			/* reserved hours: a last part of an hour reserves only its length */
			o->utilization = used / ((double)plan.ri[k].count *
						 ((double)nh - 1.0 + sh->last_span) * R);
			o->coverage = od > 0 ? used / od : 0;
			double replaced = monthly(sc, used / R * sh->rates[plan.ri[k].rate].on_demand);
			/* What the term costs over the on-demand USD a month it replaces. */
			o->breakeven_months = replaced > 0
				? plan.ri[k].count * plan.ri[k].hourly_fee *
					  CATALOG_TERM_HOURS(op->ri_term) / replaced
				: INFINITY;
		}
		cm->ri_utilization = s.h.ri_hours > 0 ? s.h.ri_used_hours / s.h.ri_hours : 0;
		cm->ri_coverage = s.h.od_eligible_hours > 0
					  ? s.h.ri_used_hours / s.h.od_eligible_hours : 0;
	}
	if (plan.nsp) {
		cm->sp_hourly = best.sp.commitment;
		cm->sp_utilization = s.h.sp_commitment > 0 ? s.h.sp_used / s.h.sp_commitment : 0;
		double left = s.h.od_equiv - s.h.ri_covered_od_equiv;
		cm->sp_coverage = left > 0 ? s.h.sp_covered_od_equiv / left : 0;
		double replaced = monthly(sc, s.h.sp_covered_od_equiv / R);
		cm->sp_breakeven_months = replaced > 0
			? best.sp.commitment * CATALOG_TERM_HOURS(op->sp_term) / replaced
			: INFINITY;
	}
	c->unused_commitment = monthly(sc, (s.h.ri_unused + s.h.sp_commitment - s.h.sp_used) / R);
	/* The tiers' mix: the simulated costs and instances, with each pool's own-type
	 * on-demand hours replaced by how the billing paid them. */
	for (size_t i = 0; i < np; i++) {
		size_t t = sh->pools[i].tier;
		double *ti = &c->tier_instances[t * BILL_NOPTIONS];
		double *tc = &c->tier_cost[t * BILL_NOPTIONS];
		double od_price = sh->rates[rate[i]].on_demand, own_od = 0;
		for (int opt = 0; opt < BILL_NOPTIONS; opt++)
			own_od += line_hours[i * BILL_NOPTIONS + opt];
		for (uint64_t r = 0; r < reps; r++)
			for (int opt = 0; opt < BILL_NOPTIONS; opt++) {
				size_t cell = ((size_t)r * np + i) * BILL_NOPTIONS + (size_t)opt;
				ti[opt] += so->pool_inst[cell] / R;
				tc[opt] += monthly(sc, so->pool_cost[cell]) / R;
			}
		tc[BILL_ON_DEMAND] -= monthly(sc, own_od / R * od_price);
		ti[BILL_ON_DEMAND] -= (own_od - line_hours[i * BILL_NOPTIONS + BILL_ON_DEMAND]) /
				      R / H;
		for (int opt = 0; opt < BILL_NOPTIONS; opt++) {
			if (opt == BILL_SPOT)
				continue;
			tc[opt] += monthly(sc, line_cost[i * BILL_NOPTIONS + opt] / R);
			if (opt != BILL_ON_DEMAND)
				ti[opt] += line_hours[i * BILL_NOPTIONS + opt] / R / H;
		}
		if (ti[BILL_ON_DEMAND] < 0)   /* rounding */
			ti[BILL_ON_DEMAND] = 0;
	}
	rc = 0;
out:
	free(lines);
	free(rate);
	free(ri_rate);
	free(ri);
	free(pooled);
	free(ev.residual);
	free(ri_joint);
	free(base);
	free(rep_bill);
	free(line_cost);
	free(line_hours);
	free(scratch);
	return rc;
}

/* Fills c from a fleet simulated without commitments billing nothing more: the scenario as
 * written (its own commitments were simulated) or all on demand without commitments. */
static void plain_costs(const struct opt_ctx *x, const struct world_shared *sh,
			const struct sim_out *so, uint64_t reps, struct opt_candidate *c)
{
	const struct scenario *sc = x->sc;
	double R = (double)reps, unused = 0;
	for (uint64_t r = 0; r < reps; r++) {
		c->rep_cost[r] = monthly(sc, so->cost[r]);
		unused += so->unused[r];
	}
	c->unused_commitment = monthly(sc, unused / R);
	for (size_t i = 0; i < sh->npools; i++) {
		size_t t = sh->pools[i].tier;
		for (uint64_t r = 0; r < reps; r++)
			for (int opt = 0; opt < BILL_NOPTIONS; opt++) {
				size_t cell = ((size_t)r * sh->npools + i) * BILL_NOPTIONS + (size_t)opt;
				c->tier_instances[t * BILL_NOPTIONS + opt] += so->pool_inst[cell] / R;
				c->tier_cost[t * BILL_NOPTIONS + opt] +=
					monthly(sc, so->pool_cost[cell]) / R;
			}
	}
}

/* A candidate's arrays, for reps replications. */
static int candidate_alloc(const struct scenario *sc, uint64_t reps, struct opt_candidate *c)
{
	size_t cells = sc->ntiers * BILL_NOPTIONS;
	free(c->rep_cost);
	free(c->rep_availability);
	free(c->tier_instances);
	free(c->tier_cost);
	free(c->commit.ri);
	memset(&c->commit, 0, sizeof c->commit);
	c->rep_cost = calloc(reps, sizeof *c->rep_cost);
	c->rep_availability = calloc(reps, sizeof *c->rep_availability);
	c->tier_instances = calloc(cells, sizeof *c->tier_instances);
	c->tier_cost = calloc(cells, sizeof *c->tier_cost);
	if (!c->rep_cost || !c->rep_availability || !c->tier_instances || !c->tier_cost)
		return CAPSIM_ENOMEM;
	if (!c->mix && !(c->mix = calloc(sc->ntiers, sizeof *c->mix)))
		return CAPSIM_ENOMEM;
	return 0;
}

/* The scenario's own purchase as a mix (for as-written rows). */
static void own_mix(const struct scenario *sc, struct opt_mix *mix)
{
	for (size_t t = 0; t < sc->ntiers; t++) {
		const struct scenario_tier *tier = &sc->tiers[t];
		mix[t].on_demand_base = tier->has_purchase ? tier->purchase.on_demand_base : 0;
		mix[t].on_demand_above_base = tier->has_purchase ? tier->purchase.on_demand_above_base
								 : 1.0;
		mix[t].spot_types = tier->has_purchase && tier->purchase.on_demand_above_base < 1
					    ? (int)tier->purchase.nspot_types : 0;
	}
}

/* One fleet being simulated: the mix's scenario (none for the scenario as written), the
 * layout its replications share and their figures. */
struct fleet {
	struct mix_scenario ms;
	struct world_shared sh;
	struct sim_out so;
	int have_ms, have_sh, have_so;
};

static void fleet_release(struct fleet *f)
{
	if (f->have_sh)
		world_shared_release(&f->sh);
	if (f->have_ms)
		free(f->ms.tiers);
	if (f->have_so)
		sim_out_release(&f->so);
	memset(f, 0, sizeof *f);
}

static int fleet_init(struct fleet *f, const struct scenario *sc, const struct opt_mix *mix,
		      uint64_t reps)
{
	memset(f, 0, sizeof *f);
	const struct scenario *run = sc;
	int rc;
	if (mix) {
		if ((rc = mix_scenario_init(&f->ms, sc, mix)) < 0) {
			free(f->ms.tiers);
			return rc;
		}
		f->have_ms = 1;
		run = &f->ms.sc;
	}
	/* One time-series bucket over the whole horizon: its mean is what the mix needs. */
	if ((rc = world_shared_init(&f->sh, run, sc->horizon, 0)) < 0) {
		fleet_release(f);
		return rc;
	}
	f->have_sh = 1;
	f->sh.record_events = 0;
	f->sh.keep_hourly = mix != NULL;
	if ((rc = sim_out_init(&f->so, reps, f->sh.npools, f->sh.nhours, mix != NULL)) < 0) {
		fleet_release(f);
		return rc;
	}
	f->have_so = 1;
	return 0;
}

/* Fills c (role, mix set by the caller) from the first reps replications of f. */
static int fleet_candidate(const struct opt_ctx *x, struct fleet *f, uint64_t reps, int commit,
			   int refine, int as_written, struct opt_candidate *c)
{
	int rc;
	if ((rc = candidate_alloc(x->sc, reps, c)) < 0)
		return rc;
	if (as_written)
		plain_costs(x, &f->sh, &f->so, reps, c);
	else if ((rc = commit_and_bill(x, &f->sh, &f->so, reps, commit, refine, c)) < 0)
		return rc;
	return figures(x, &f->so, reps, c);
}

int opt_evaluate(const struct scenario *sc, const struct opt_mix *mix, int commit,
		 uint64_t seed, uint64_t reps, unsigned threads, struct opt_candidate *c)
{
	memset(c, 0, sizeof *c);
	if (!sc || reps < 1 || !sc->optimize.tiers)
		return CAPSIM_EINVAL;
	struct opt_ctx x = { .sc = sc, .seed = seed, .threads = threads,
			     .objective = sc->optimize.objective };
	struct fleet f;
	int rc = fleet_init(&f, sc, mix, reps);
	if (rc < 0)
		return rc;
	if ((rc = simulate(&f.sh, seed, 0, reps, threads, &f.so, NULL)) < 0 ||
	    (rc = fleet_candidate(&x, &f, reps, commit, commit, mix == NULL, c)) < 0)
		goto out;
	c->role = mix ? OPT_SEARCHED : OPT_AS_WRITTEN;
	if (mix)
		memcpy(c->mix, mix, sc->ntiers * sizeof *mix);
	else
		own_mix(sc, c->mix);
	c->stage = 1;
out:
	fleet_release(&f);
	if (rc < 0)
		opt_candidate_release(c);
	return rc;
}

/* ---- The search ---- */

/* 1 when two mixes buy the same fleet (all-on-demand tiers are equal whatever their base). */
static int same_mix(const struct scenario *sc, const struct opt_mix *a, const struct opt_mix *b)
{
	for (size_t t = 0; t < sc->ntiers; t++) {
		int od_a = a[t].on_demand_above_base >= 1 || a[t].spot_types < 1;
		int od_b = b[t].on_demand_above_base >= 1 || b[t].spot_types < 1;
		if (od_a != od_b)
			return 0;
		if (!od_a && (a[t].on_demand_base != b[t].on_demand_base ||
			      a[t].on_demand_above_base != b[t].on_demand_above_base ||
			      a[t].spot_types != b[t].spot_types))
			return 0;
	}
	return 1;
}

/* The mixes the search may give tier t: all on demand first, then every base × fraction
 * below 1 × type count. Returns how many were written into out (NULL: only counts). */
static size_t tier_options(const struct scenario *sc, size_t t, struct opt_mix *out)
{
	const struct scenario_opt_tier *ot = &sc->optimize.tiers[t];
	size_t n = 0;
	if (out)
		out[n] = (struct opt_mix){ 0, 1.0, 0 };
	n++;
	if (!ot->spot || ot->nspot_types == 0)
		return n;
	for (size_t b = 0; b < ot->nbase; b++)
		for (size_t p = 0; p < ot->npct; p++) {
			if (ot->pct[p] >= 1.0)
				continue;
			for (size_t k = 0; k < ot->ntype_counts; k++) {
				if (out)
					out[n] = (struct opt_mix){ ot->base[b], ot->pct[p],
								   ot->type_counts[k] };
				n++;
			}
		}
	return n;
}

static int add_candidate(struct opt_result *res, size_t *cap)
{
	if (res->n == *cap) {
		size_t ncap = *cap ? 2 * *cap : 16;
		struct opt_candidate *c = realloc(res->c, ncap * sizeof *c);
		if (!c)
			return CAPSIM_ENOMEM;
		res->c = c;
		*cap = ncap;
	}
	memset(&res->c[res->n], 0, sizeof res->c[res->n]);
	return (int)res->n++;
}

/* 1 when a is a better recommendation than b: feasible first, then the objective, then the
 * earlier (simpler: the search starts from all on demand) candidate. */
static int better(const struct opt_candidate *a, const struct opt_candidate *b)
{
	if ((a->binding == OPT_FEASIBLE) != (b->binding == OPT_FEASIBLE))
		return a->binding == OPT_FEASIBLE;
	return a->objective < b->objective - 1e-9 * fabs(b->objective);
}

/* The paired 95% interval of a − b over n replications into *ci; 0, or -1 when it has no
 * width to speak of (n < 2). A zero spread gives the difference itself as both bounds. */
static int paired_ci(const double *a, const double *b, uint64_t n, struct ci *ci)
{
	struct welford w;
	welford_init(&w);
	for (uint64_t r = 0; r < n; r++)
		welford_add(&w, a[r] - b[r]);
	if (n < 2)
		return -1;
	if (welford_ci95(&w, ci) != 0)
		return -1;
	return 0;
}

/* Paired racing test: 1 when the candidate's cost over the replications both have is above
 * the incumbent's with 95% confidence, and its availability is not above the incumbent's with
 * 95% confidence (a dearer candidate that is surely more available stays: the frontier
 * wants it). */
static int dominated(const struct opt_candidate *c, const struct opt_candidate *inc, uint64_t n)
{
	struct ci cost, avail;
	if (inc->binding != OPT_FEASIBLE ||
	    paired_ci(c->rep_cost, inc->rep_cost, n, &cost) != 0 ||
	    paired_ci(c->rep_availability, inc->rep_availability, n, &avail) != 0)
		return 0;
	return cost.low > 0 && !(avail.low > 0);
}

/* Screens one mix: half its replications, the racing test against the incumbent, then the
 * rest. Appends the candidate; *idx is its index. */
static int screen(struct opt_ctx *x, struct opt_result *res, size_t *cap,
		  const struct opt_mix *mix, long incumbent, uint64_t reps, long *idx)
{
	const struct scenario *sc = x->sc;
	struct fleet f;
	int rc = fleet_init(&f, sc, mix, reps);
	if (rc < 0)
		return rc;
	int k = add_candidate(res, cap);
	if (k < 0) {
		fleet_release(&f);
		return k;
	}
	struct opt_candidate *c = &res->c[k];
	if (!(c->mix = calloc(sc->ntiers, sizeof *c->mix))) {
		rc = CAPSIM_ENOMEM;
		goto out;
	}
	memcpy(c->mix, mix, sc->ntiers * sizeof *mix);
	c->role = OPT_SEARCHED;
	c->stage = 1;
	uint64_t half = reps / 2 >= 2 ? reps / 2 : reps;
	if ((rc = simulate(&f.sh, x->seed, 0, half, x->threads, &f.so, &x->pr)) < 0 ||
	    (rc = fleet_candidate(x, &f, half, 1, 0, 0, c)) < 0)
		goto out;
	res->evaluated++;
	res->simulated_reps += half;
	if (half < reps && incumbent >= 0 && dominated(c, &res->c[incumbent], half)) {
		c->pruned = 1;
		if (x->pr.total >= reps - half)
			x->pr.total -= reps - half;
		goto out;
	}
	if (half < reps) {
		if ((rc = simulate(&f.sh, x->seed, half, reps, x->threads, &f.so, &x->pr)) < 0 ||
		    (rc = fleet_candidate(x, &f, reps, 1, 0, 0, c)) < 0)
			goto out;
		res->simulated_reps += reps - half;
	}
out:
	fleet_release(&f);
	*idx = k;
	return rc;
}

/* Re-evaluates candidate k with reps replications: a searched mix with its commitments sized
 * again, the all-on-demand baseline without any, the scenario as written as it is. */
static int finalise(struct opt_ctx *x, struct opt_result *res, long k, uint64_t reps)
{
	struct opt_candidate *c = &res->c[k];
	int as_written = c->role == OPT_AS_WRITTEN;
	struct fleet f;
	int rc = fleet_init(&f, x->sc, as_written ? NULL : c->mix, reps);
	if (rc < 0)
		return rc;
	if ((rc = simulate(&f.sh, x->seed, 0, reps, x->threads, &f.so, &x->pr)) < 0 ||
	    (rc = fleet_candidate(x, &f, reps, c->role == OPT_SEARCHED,
					 c->role == OPT_SEARCHED, as_written, c)) < 0)
		goto out;
	c->stage = 2;
	c->pruned = 0;
	res->evaluated++;
	res->simulated_reps += reps;
out:
	fleet_release(&f);
	return rc;
}

static void paired(const struct opt_candidate *a, const struct opt_candidate *b, uint64_t n,
		   double *scratch, struct run_stat *st)
{
	/* Savings of a against b: b's cost minus a's, replication by replication. */
	for (uint64_t r = 0; r < n; r++)
		scratch[r] = b->rep_cost[r] - a->rep_cost[r];
	run_stat_of(scratch, n, -INFINITY, INFINITY, st);
}

/* Why nothing is feasible, from the candidates evaluated. */
static void explain(const struct scenario *sc, struct opt_result *res)
{
	/* The SLO and DR targets judged without the budget: binding names the first target
	 * missed outright, so a budget missed by every plan would hide an SLO that even all on
	 * demand meets only with uncertainty, and a plan quoted as meeting the SLOs must. */
	struct scenario nobudget = *sc;
	nobudget.budget_monthly = 0;
	struct opt_candidate odj = res->c[res->all_on_demand];
	opt_check_targets(&nobudget, &odj);
	const struct opt_candidate *od = &odj;
	char *w = res->why;
	size_t n = sizeof res->why;
	res->binding = od->binding;
	switch (od->binding) {
	case OPT_AVAILABILITY:
		snprintf(w, n, "availability: even all on demand serves %.5f%% of requests (95%% CI "
			 "%.5f%%-%.5f%%): %s the SLO's %.5f%%; buying differently cannot add "
			 "capacity: change the fleet (autoscaling limits, placement, DR strategy) or "
			 "the target", 100 * od->availability.mean, 100 * od->availability.ci95_low,
			 100 * od->availability.ci95_high,
			 od->binding_missed ? "below" : "its interval reaches below",
			 100 * sc->slo.availability);
		return;
	case OPT_LATENCY:
		snprintf(w, n, "latency: even all on demand has a p%g of %.4g s%s%s%s (95%% CI "
			 "%.4g-%.4g s): %s the SLO's %.4g s; buying differently cannot add "
			 "capacity: change the fleet or the target", sc->slo.latency_percentile,
			 od->latency.mean,
			 od->worst_region >= 0 ? " in the worst-served region of each replication "
						 "(mostly " : "",
			 od->worst_region >= 0 ? sc->regions[od->worst_region].name : "",
			 od->worst_region >= 0 ? ")" : "",
			 od->latency.ci95_low, od->latency.ci95_high,
			 od->binding_missed ? "above" : "its interval reaches above",
			 sc->slo.latency_target);
		return;
	case OPT_RTO:
		snprintf(w, n, "rto: even all on demand recovers in %.0f s on average (95%% CI "
			 "%.0f-%.0f s): %s the target of %.0f s; the DR strategy, not the "
			 "purchase mix, sets it", od->rto.mean, od->rto.ci95_low, od->rto.ci95_high,
			 od->binding_missed ? "above" : "its interval reaches above",
			 sc->dr.rto_target);
		return;
	case OPT_RPO:
		snprintf(w, n, "rpo: even all on demand loses %.0f s of writes on average (95%% CI "
			 "%.0f-%.0f s): %s the target of %.0f s; replication, not the purchase "
			 "mix, sets it", od->rpo.mean, od->rpo.ci95_low, od->rpo.ci95_high,
			 od->binding_missed ? "above" : "its interval reaches above",
			 sc->dr.rpo_target);
		return;
	default:
		break;
	}
	/* All on demand meets the SLOs: the budget binds. The cheapest plan that meets
	 * every target but the budget (all on demand at worst) says by how much. */
	const struct opt_candidate *cheapest = &res->c[res->all_on_demand];
	for (size_t i = 0; i < res->n; i++) {
		const struct opt_candidate *c = &res->c[i];
		struct opt_candidate j = *c;
		opt_check_targets(&nobudget, &j);
		if (j.binding == OPT_FEASIBLE && c->cost.mean < cheapest->cost.mean)
			cheapest = c;
	}
	res->binding = OPT_BUDGET;
	snprintf(w, n, "budget: the cheapest plan that meets the SLOs costs $%.2f a month "
		 "(95%% CI $%.2f-$%.2f) against a budget of $%.2f; raise the budget or relax a "
		 "target",
		 cheapest->cost.mean, cheapest->cost.ci95_low, cheapest->cost.ci95_high,
		 sc->budget_monthly);
}

static void mark_pareto(struct opt_result *res)
{
	for (size_t i = 0; i < res->n; i++) {
		struct opt_candidate *a = &res->c[i];
		a->pareto = 1;
		for (size_t j = 0; j < res->n && a->pareto; j++) {
			const struct opt_candidate *b = &res->c[j];
			if (j == i)
				continue;
			int no_worse = b->cost.mean <= a->cost.mean &&
				       b->availability.mean >= a->availability.mean;
			int better_one = b->cost.mean < a->cost.mean ||
					 b->availability.mean > a->availability.mean;
			if (no_worse && better_one)
				a->pareto = 0;
		}
	}
}

int opt_run(const struct scenario *sc, const struct opt_options *o, struct opt_result *out)
{
	memset(out, 0, sizeof *out);
	if (!sc || !o || !sc->optimize.tiers)
		return CAPSIM_EINVAL;
	const struct scenario_optimize *op = &sc->optimize;
	struct opt_ctx x = {
		.sc = sc, .seed = o->seed, .threads = o->threads,
		.objective = o->objective >= 0 ? o->objective : op->objective,
		.pr = { .o = o },
	};
	uint64_t reps = o->reps ? o->reps : (uint64_t)op->replications;
	uint64_t final_reps = o->final_reps ? o->final_reps : (uint64_t)op->final_replications;
	int finalists = o->finalists > 0 ? o->finalists : op->finalists;
	if (reps < 2 || final_reps < reps || finalists < 1)
		return CAPSIM_EINVAL;
	out->sc = sc;
	out->seed = o->seed;
	out->objective = x.objective;
	out->reps = reps;
	out->final_reps = final_reps;
	out->best = out->all_on_demand = out->as_written = -1;
	size_t cap = 0, nt = sc->ntiers;
	int rc = CAPSIM_ENOMEM;
	struct opt_mix *cur = calloc(nt, sizeof *cur), *trial = calloc(nt, sizeof *trial);
	struct opt_mix *opts = NULL;
	double *scratch = calloc(final_reps, sizeof *scratch);
	size_t maxopts = 1;
	for (size_t t = 0; t < nt; t++) {
		size_t k = tier_options(sc, t, NULL);
		if (k > maxopts)
			maxopts = k;
		x.pr.total += (k - 1) * reps;
	}
	x.pr.total += reps + (uint64_t)(finalists + 2) * final_reps;
	if (!cur || !trial || !scratch || !(opts = calloc(maxopts, sizeof *opts)))
		goto out;
	for (size_t t = 0; t < nt; t++)
		cur[t] = (struct opt_mix){ 0, 1.0, 0 };

	/* The search, from all on demand with its commitments. */
	long best = -1, k;
	if ((rc = screen(&x, out, &cap, cur, -1, reps, &k)) < 0)
		goto out;
	best = k;
	for (int pass = 0; pass < OPT_MAX_PASSES; pass++) {
		int changed = 0;
		for (long t = 0, hops = 0; t >= 0 && hops < (long)nt; t = sc->tiers[t].calls, hops++) {
			size_t nopt = tier_options(sc, t, opts);
			if (nopt < 2)
				continue;
			for (size_t j = 0; j < nopt; j++) {
				memcpy(trial, cur, nt * sizeof *trial);
				trial[t] = opts[j];
				size_t i;
				for (i = 0; i < out->n; i++)
					if (same_mix(sc, out->c[i].mix, trial))
						break;
				if (i < out->n)
					continue;
				long inc = best >= 0 && out->c[best].binding == OPT_FEASIBLE ? best : -1;
				if ((rc = screen(&x, out, &cap, trial, inc, reps, &k)) < 0)
					goto out;
				if (!out->c[k].pruned && better(&out->c[k], &out->c[best]))
					best = k;
			}
			if (!same_mix(sc, out->c[best].mix, cur)) {
				memcpy(cur, out->c[best].mix, nt * sizeof *cur);
				changed = 1;
			}
		}
		if (!changed)
			break;
	}

	/* Baselines with the final replications: all on demand without commitments, and the
	 * scenario as written when it buys anything else. */
	if ((k = add_candidate(out, &cap)) < 0) {
		rc = (int)k;
		goto out;
	}
	out->all_on_demand = k;
	out->c[k].role = OPT_ALL_ON_DEMAND;
	if (!(out->c[k].mix = calloc(nt, sizeof *out->c[k].mix))) {
		rc = CAPSIM_ENOMEM;
		goto out;
	}
	for (size_t t = 0; t < nt; t++)
		out->c[k].mix[t] = (struct opt_mix){ 0, 1.0, 0 };
	if ((rc = finalise(&x, out, k, final_reps)) < 0)
		goto out;
	if (run_buys_more_than_on_demand(sc)) {
		if ((k = add_candidate(out, &cap)) < 0) {
			rc = (int)k;
			goto out;
		}
		out->as_written = k;
		out->c[k].role = OPT_AS_WRITTEN;
		if (!(out->c[k].mix = calloc(nt, sizeof *out->c[k].mix))) {
			rc = CAPSIM_ENOMEM;
			goto out;
		}
		own_mix(sc, out->c[k].mix);
		if ((rc = finalise(&x, out, k, final_reps)) < 0)
			goto out;
	} else if (x.pr.total >= final_reps) {
		x.pr.total -= final_reps;
	}

	/* Finalists: the best feasible screened candidates, re-evaluated in rounds until one
	 * stays feasible with the final replications or none is left. */
	for (;;) {
		long pick[64];
		int npick = 0;
		for (int f = 0; f < finalists && f < 64; f++) {
			long b = -1;
			for (size_t i = 0; i < out->n; i++) {
				const struct opt_candidate *c = &out->c[i];
				if (c->role != OPT_SEARCHED || c->stage != 1 || c->pruned ||
				    c->binding != OPT_FEASIBLE)
					continue;
				int taken = 0;
				for (int q = 0; q < npick; q++)
					taken |= pick[q] == (long)i;
				if (!taken && (b < 0 || better(c, &out->c[b])))
					b = (long)i;
			}
			if (b < 0)
				break;
			pick[npick++] = b;
		}
		if (npick == 0)
			break;
		x.pr.total += (uint64_t)npick * final_reps;
		for (int q = 0; q < npick; q++)
			if ((rc = finalise(&x, out, pick[q], final_reps)) < 0)
				goto out;
		int any = 0;
		for (int q = 0; q < npick; q++)
			any |= out->c[pick[q]].binding == OPT_FEASIBLE;
		if (any)
			break;
	}
	x.pr.total = x.pr.done;
	if (o->progress)
		o->progress(x.pr.done, x.pr.total, o->progress_ctx);

	/* The recommendation: the best feasible candidate evaluated with the final
	 * replications, the baselines included. */
	out->best = -1;
	for (size_t i = 0; i < out->n; i++) {
		const struct opt_candidate *c = &out->c[i];
		if (c->stage != 2 || c->binding != OPT_FEASIBLE)
			continue;
		if (out->best < 0 || better(c, &out->c[out->best]))
			out->best = (long)i;
	}
	mark_pareto(out);
	if (out->best >= 0) {
		const struct opt_candidate *b = &out->c[out->best];
		paired(b, &out->c[out->all_on_demand], final_reps, scratch,
		       &out->savings_vs_on_demand);
		paired(b, &out->c[out->as_written >= 0 ? out->as_written : out->all_on_demand],
		       final_reps, scratch, &out->savings_vs_as_written);
	} else {
		explain(sc, out);
	}
	rc = 0;
out:
	free(cur);
	free(trial);
	free(opts);
	free(scratch);
	if (rc < 0)
		opt_result_release(out);
	return rc;
}
