/* The report of `capsim optimize`: frontier.csv, the recommendation for people and for
 * scripts, the frontier and mix plots, and the views of a candidate the database shares. */
#include "reports/report.h"

#include <cJSON.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "models/billing.h"
#include "models/catalog.h"
#include "models/optimize.h"
#include "models/scenario.h"
#include "models/world.h"
#include "sim/error.h"
#include "sim/version.h"

const char *const report_opt_plot_names[REPORT_OPT_NPLOTS] = { "frontier", "mix" };

#define FRONTIER_CSV "frontier.csv"
#define MIX_CSV "mix.csv"

/* The scenario file's words for terms, payments and plans (scenarios/README.md), and the
 * same for people. */
static const char *const term_key[CATALOG_NTERMS] = { "1y", "3y" };
static const char *const term_words[CATALOG_NTERMS] = { "1 year", "3 years" };
static const char *const payment_key[CATALOG_NPAYMENTS] = { "no_upfront", "partial_upfront",
							    "all_upfront" };
static const char *const payment_words[CATALOG_NPAYMENTS] = { "no upfront", "partial upfront",
							      "all upfront" };
static const char *const plan_key[CATALOG_NPLANS] = { "compute", "instance_family" };
static const char *const plan_words[CATALOG_NPLANS] = { "Compute", "Instance-family" };

/* names[i], or "?" for an index out of range (a value the optimiser never writes). */
static const char *name_of(const char *const *names, int n, int i)
{
	return i >= 0 && i < n ? names[i] : "?";
}

/* The purchase options bottom to top in the mix plot and left to right in the tables:
 * commitments form the base that is paid whatever runs, the flexible options ride on it (the
 * order and colours of the run's purchase plot). */
static const struct {
	int opt;               /* enum billing_option */
	const char *title;
	const char *rgb;
} layers[BILL_NOPTIONS] = {
	{ BILL_RESERVED, "reserved", "#3b6ea8" },
	{ BILL_SAVINGS_PLAN, "savings plan", "#6aa84f" },
	{ BILL_ON_DEMAND, "on demand", "#9a9a9a" },
	{ BILL_SPOT, "spot", "#e69f00" },
};

/* ---- a candidate, as every report sees it ---- */

static const struct opt_candidate *cand(const struct opt_result *r, long i)
{
	return i >= 0 && (size_t)i < r->n ? &r->c[i] : NULL;
}

/* How many spot types tier t of c uses. As written they are the tier's own purchase block's;
 * otherwise a prefix of what the optimize block allows the tier. */
static size_t spot_count(const struct opt_result *r, const struct opt_candidate *c, size_t t)
{
	const struct scenario *sc = r->sc;
	size_t have = c->role == OPT_AS_WRITTEN ? sc->tiers[t].purchase.nspot_types
						: sc->optimize.tiers[t].nspot_types;
	CAPSIM_ASSERT(c->mix[t].spot_types >= 0 && (size_t)c->mix[t].spot_types <= have);
	return (size_t)c->mix[t].spot_types;
}

static const char *spot_name(const struct opt_result *r, const struct opt_candidate *c, size_t t,
			     size_t k)
{
	const struct scenario *sc = r->sc;
	size_t type = c->role == OPT_AS_WRITTEN ? sc->tiers[t].purchase.spot_types[k]
						: sc->optimize.tiers[t].spot_types[k];
	CAPSIM_ASSERT(type < sc->ninstance_types);
	return sc->instance_types[type].name;
}

/* The names of the spot types tier t of c uses, joined by sep ("" when none); malloc'd, NULL
 * when out of memory. */
static char *spot_names(const struct opt_result *r, const struct opt_candidate *c, size_t t,
			const char *sep)
{
	size_t n = spot_count(r, c, t), len = 1, o = 0;
	for (size_t k = 0; k < n; k++)
		len += strlen(spot_name(r, c, t, k)) + strlen(sep);
	char *s = malloc(len);
	if (!s)
		return NULL;
	for (size_t k = 0; k < n; k++) {
		const char *name = spot_name(r, c, t, k);
		if (k) {
			memcpy(s + o, sep, strlen(sep));
			o += strlen(sep);
		}
		memcpy(s + o, name, strlen(name));
		o += strlen(name);
	}
	s[o] = '\0';
	return s;
}

/* Zones the tier runs in, over all its regions: with n spot types it has n x this many spot
 * pools (a pool is an instance type in a zone). */
static size_t zones_placed(const struct scenario *sc, size_t t)
{
	size_t z = 0;
	for (size_t p = 0; p < sc->tiers[t].nplacement; p++)
		z += (size_t)sc->tiers[t].placement[p].zones;
	return z;
}

int report_opt_commitments(const struct opt_result *r, size_t i, struct report_opt_commit **out,
			   size_t *n)
{
	const struct scenario *sc = r->sc;
	const struct opt_candidate *c = &r->c[i];
	const struct opt_commitment *cm = &c->commit;
	size_t cap, k = 0;

	*out = NULL;
	*n = 0;
	CAPSIM_ASSERT(i < r->n);
	if (c->role == OPT_AS_WRITTEN)
		cap = sc->nreservations + sc->nsavings_plans;
	else
		cap = cm->nri + (cm->sp_hourly > 0);
	if (cap == 0)
		return 0;
	struct report_opt_commit *a = calloc(cap, sizeof *a);
	if (!a)
		return CAPSIM_ENOMEM;

	if (c->role == OPT_AS_WRITTEN) {
		for (size_t j = 0; j < sc->nreservations; j++) {
			const struct scenario_reservation *x = &sc->reservations[j];
			const struct catalog_entry *e =
				sc->instance_types[x->instance_type].price[x->region].cat;
			/* The fee is the catalog's, which a loaded scenario always has here. */
			double fee = e ? catalog_ri_effective(e, (enum catalog_term)x->term,
							       (enum catalog_payment)x->payment)
				       : NAN;
			a[k++] = (struct report_opt_commit){
				0, (long)x->instance_type, (long)x->region, NULL, 0, x->count,
				x->term, x->payment, x->count * fee, NAN, NAN, NAN
			};
		}
		for (size_t j = 0; j < sc->nsavings_plans; j++) {
			const struct scenario_savings_plan *x = &sc->savings_plans[j];
			a[k++] = (struct report_opt_commit){
				1, -1, x->region, x->family, x->kind, 0, x->term, -1,
				x->commitment_hourly, NAN, NAN, NAN
			};
		}
	} else {
		for (size_t j = 0; j < cm->nri; j++) {
			const struct opt_reservation *x = &cm->ri[j];
			a[k++] = (struct report_opt_commit){
				0, (long)x->instance_type, (long)x->region, NULL, 0, x->count,
				cm->ri_term, cm->ri_payment, x->count * x->hourly_fee,
				x->utilization, x->coverage, x->breakeven_months
			};
		}
		if (cm->sp_hourly > 0)
			a[k++] = (struct report_opt_commit){
				1, -1, -1, NULL, CATALOG_SP_COMPUTE, 0, cm->sp_term, -1,
				cm->sp_hourly, cm->sp_utilization, cm->sp_coverage,
				cm->sp_breakeven_months
			};
	}
	*out = a;
	*n = k;
	return 0;
}

/* The totals of frontier.csv: reserved instances and USD per hour of savings plans. */
static int commit_totals(const struct opt_result *r, size_t i, int *reserved, double *sp_hourly)
{
	struct report_opt_commit *a;
	size_t n;
	int rc = report_opt_commitments(r, i, &a, &n);
	*reserved = 0;
	*sp_hourly = 0;
	for (size_t k = 0; rc == 0 && k < n; k++) {
		if (a[k].savings_plan)
			*sp_hourly += a[k].usd_hourly;
		else
			*reserved += a[k].count;
	}
	free(a);
	return rc;
}

char *report_opt_mix_text(const struct opt_result *r, size_t i)
{
	const struct scenario *sc = r->sc;
	const struct opt_candidate *c = &r->c[i];
	size_t len = 1, o = 0;
	char **types = calloc(sc->ntiers + 1, sizeof *types), *s = NULL;

	CAPSIM_ASSERT(i < r->n);
	if (!types)
		return NULL;
	for (size_t t = 0; t < sc->ntiers; t++) {
		if (!(types[t] = spot_names(r, c, t, "+")))
			goto out;
		/* "NAME:base=N,od=P%,spot=TYPES;" with N and P at most 11 and 24 characters. */
		len += strlen(sc->tiers[t].name) + strlen(types[t]) + 64;
	}
	if (!(s = malloc(len)))
		goto out;
	s[0] = '\0';
	for (size_t t = 0; t < sc->ntiers; t++) {
		const struct opt_mix *m = &c->mix[t];
		o += (size_t)snprintf(s + o, len - o, "%s%s:base=%d,od=%.10g%%", t ? ";" : "",
				      sc->tiers[t].name, m->on_demand_base,
				      100.0 * m->on_demand_above_base);
		if (types[t][0])
			o += (size_t)snprintf(s + o, len - o, ",spot=%s", types[t]);
	}
out:
	for (size_t t = 0; t < sc->ntiers; t++)
		free(types[t]);
	free(types);
	return s;
}

/* ---- frontier.csv ---- */

/* ",mean,ci95_low,ci95_high" of s, or three empty fields when not measured. */
static void put_ci(FILE *f, const struct run_stat *s, int measured)
{
	const double v[] = { s->mean, s->ci95_low, s->ci95_high };
	for (size_t k = 0; k < 3; k++) {
		fputc(',', f);
		if (measured)
			report_put_num(f, v[k]);
	}
}

/* Columns of frontier.csv before the tiers', and after them (1-based as gnuplot counts; the
 * tiers take 3 columns each). */
#define FR_ROLE 2
#define FR_PRUNED 5
#define FR_NHEAD 5
#define FR_AFTER(sc) (FR_NHEAD + 3 * (int)(sc)->ntiers)
#define FR_COST(sc) (FR_AFTER(sc) + 3)
#define FR_AVAIL(sc) (FR_AFTER(sc) + 7)
#define FR_FEASIBLE(sc) (FR_AFTER(sc) + 19)
#define FR_PARETO(sc) (FR_AFTER(sc) + 21)
#define FR_RECOMMENDED(sc) (FR_AFTER(sc) + 22)

static int frontier_rows(FILE *f, const void *ctx)
{
	const struct opt_result *r = ctx;
	const struct scenario *sc = r->sc;

	fputs("id,role,stage,replications,pruned", f);
	for (size_t t = 0; t < sc->ntiers; t++) {
		static const char *const cols[] = { "on_demand_base", "on_demand_pct",
						    "spot_types" };
		for (size_t k = 0; k < 3; k++) {
			char h[SCENARIO_NAME_MAX + 32];
			snprintf(h, sizeof h, "%s.%s", sc->tiers[t].name, cols[k]);
			fputc(',', f);
			report_put_str(f, h);
		}
	}
	fputs(",reserved_instances,savings_plan_usd_hourly,cost_monthly_usd,cost_ci95_low,"
	      "cost_ci95_high,cost_p90_usd,availability,availability_ci95_low,"
	      "availability_ci95_high,latency_s,latency_ci95_low,latency_ci95_high,rto_s,"
	      "rto_ci95_low,rto_ci95_high,rpo_s,rpo_ci95_low,rpo_ci95_high,feasible,binding,"
	      "pareto,recommended\n", f);

	for (size_t i = 0; i < r->n; i++) {
		const struct opt_candidate *c = &r->c[i];
		int reserved;
		double sp;
		if (commit_totals(r, i, &reserved, &sp))
			return CAPSIM_ENOMEM;
		fprintf(f, "%zu,%s,%d,%" PRIu64 ",%d", i + 1, opt_role_name(c->role), c->stage,
			c->reps, c->pruned ? 1 : 0);
		for (size_t t = 0; t < sc->ntiers; t++) {
			char *types = spot_names(r, c, t, "+");
			if (!types)
				return CAPSIM_ENOMEM;
			fprintf(f, ",%d,", c->mix[t].on_demand_base);
			report_put_num(f, 100.0 * c->mix[t].on_demand_above_base);
			fputc(',', f);
			report_put_str(f, types);
			free(types);
		}
		fprintf(f, ",%d,", reserved);
		report_put_num(f, sp);
		put_ci(f, &c->cost, 1);
		fputc(',', f);
		report_put_num(f, c->cost_p90);
		put_ci(f, &c->availability, 1);
		put_ci(f, &c->latency, 1);
		put_ci(f, &c->rto, c->has_rto);
		put_ci(f, &c->rpo, c->has_rpo);
		fprintf(f, ",%d,%s,%d,%d\n", c->binding == OPT_FEASIBLE,
			opt_constraint_name(c->binding), c->pareto ? 1 : 0, (long)i == r->best);
	}
	return 0;
}

int report_frontier_csv(const struct opt_result *r, const char *path, char *err, size_t errlen)
{
	return report_write_file(path, frontier_rows, r, err, errlen);
}

/* ---- the targets, shared by the text and the JSON ---- */

enum style { ST_PCT, ST_TIME, ST_USD };

/* A target against a candidate's figure. The optimiser calls it met when the bound of the 95%
 * interval on the bad side is on the good side of the target (models/optimize.h), that is when
 * the whole interval is; "missed" says the whole interval is on the bad side. */
struct target {
	int id;                /* enum opt_constraint */
	char label[48];
	enum style style;
	const struct run_stat *s;
	int measured;          /* 0: RTO or RPO without an outage that measured one */
	int has_target;
	double target;
	int at_least;          /* 1: the figure must reach the target (availability) */
};

static size_t targets(const struct opt_result *r, const struct opt_candidate *c,
		      struct target out[OPT_NCONSTRAINTS])
{
	const struct scenario *sc = r->sc;
	size_t n = 0;
	double pct = report_slo_percentile(sc);

	out[n] = (struct target){ OPT_AVAILABILITY, "availability", ST_PCT, &c->availability, 1,
				  sc->has_slo, sc->slo.availability, 1 };
	n++;
	out[n] = (struct target){ OPT_LATENCY, "", ST_TIME, &c->latency, 1,
				  sc->has_slo && sc->slo.latency_target > 0, sc->slo.latency_target,
				  0 };
	/* With regions of their own (world_region_latency), the worst-served region's. */
	snprintf(out[n].label, sizeof out[n].label, "latency p%g%s", pct,
		 world_has_region_latency(sc) ? ", worst region" : "");
	n++;
	if (c->has_rto || (sc->has_dr && sc->dr.rto_target > 0))
		out[n++] = (struct target){ OPT_RTO, "RTO (mean over outages)", ST_TIME, &c->rto,
					    c->has_rto, sc->has_dr && sc->dr.rto_target > 0,
					    sc->dr.rto_target, 0 };
	if (c->has_rpo || (sc->has_dr && sc->dr.has_rpo_target))
		out[n++] = (struct target){ OPT_RPO, "RPO (mean over failovers)", ST_TIME, &c->rpo,
					    c->has_rpo, sc->has_dr && sc->dr.has_rpo_target,
					    sc->dr.rpo_target, 0 };
	if (sc->budget_monthly > 0)
		out[n++] = (struct target){ OPT_BUDGET, "cost per month (budget)", ST_USD, &c->cost,
					    1, 1, sc->budget_monthly, 0 };
	return n;
}

/* 1 met, 0 missed, -1 uncertain (the interval straddles the target). Unmeasured figures
 * count as met, as the optimiser counts them. */
static int verdict(const struct target *g)
{
	if (!g->measured)
		return 1;
	if (g->at_least)
		return g->s->ci95_low >= g->target ? 1 : g->s->ci95_high < g->target ? 0 : -1;
	return g->s->ci95_high <= g->target ? 1 : g->s->ci95_low > g->target ? 0 : -1;
}

/* ---- words and numbers for people ---- */

#define WIDTH REPORT_WIDTH
#define DASH "\xe2\x80\x94"   /* "—", a figure that is not known */

/* text word-wrapped into lines of at most WIDTH columns, the first starting with `first`, the
 * others with `indent` (both ASCII); a word longer than a line is cut by line(). */
static void wrapped(FILE *out, const char *first, const char *indent, const char *text)
{
	const char *lead = first;
	while (*text == ' ')
		text++;
	while (*text) {
		size_t room = WIDTH - strlen(lead), len = 0, cut = 0, cols = 0;
		/* The longest prefix of whole words within room columns. */
		for (; text[len]; len++) {
			if (((unsigned char)text[len] & 0xc0) != 0x80 && ++cols > room)
				break;
			if (text[len] == ' ')
				cut = len;
		}
		if (!text[len] || cut == 0)
			cut = len;
		report_line(out, "%s%.*s", lead, (int)cut, text);
		text += cut;
		while (*text == ' ')
			text++;
		lead = indent;
	}
}

/* Copies s into buf[0..len), cut to fit. */
static void copy_str(char *buf, size_t len, const char *s)
{
	size_t n = strlen(s);
	if (!len)
		return;
	if (n >= len)
		n = len - 1;
	memcpy(buf, s, n);
	buf[n] = '\0';
}

/* report_grouped, "—" for NaN. */
static void grouped(char *buf, size_t len, double x, int dec)
{
	if (isnan(x))
		snprintf(buf, len, DASH);
	else
		report_grouped(buf, len, x, dec);
}

/* "$12,345.67", "-$80.00"; "—" for NaN. */
static void fmt_usd(char *buf, size_t len, double x)
{
	char g[64], t[72];
	grouped(g, sizeof g, x, 2);
	if (isnan(x)) {
		copy_str(buf, len, g);
		return;
	}
	/* The sign before the dollar. */
	size_t o = 0;
	if (g[0] == '-')
		t[o++] = '-';
	t[o++] = '$';
	copy_str(t + o, sizeof t - o, g + (g[0] == '-'));
	copy_str(buf, len, t);
}

/* An hourly commitment: cents and, where they matter, tenths of a cent ("$1.25", "$0.125"). */
static void fmt_usd_hourly(char *buf, size_t len, double x)
{
	char g[64];
	size_t n;
	g[0] = '$';
	snprintf(g + 1, sizeof g - 1, "%.4f", x);
	n = strlen(g);
	while (n > 0 && g[n - 1] == '0' && n > strcspn(g, ".") + 3)
		g[--n] = '\0';
	copy_str(buf, len, g);
}

/* A share near 1 with enough decimals to tell it from 1: 0.99955 -> "99.955 %", 0.999 ->
 * "99.900 %" (three decimals at least above 99 %), else two. */
static void fmt_avail(char *buf, size_t len, double x)
{
	int dec = 2;
	if (isnan(x)) {
		snprintf(buf, len, DASH);
		return;
	}
	if (x > 0.99 && x < 1.0) {
		dec = (int)ceil(-log10((1.0 - x) * 100.0) - 1e-9) + 2;
		dec = dec < 3 ? 3 : dec > 6 ? 6 : dec;
	} else if (x >= 1.0) {
		dec = 3;
	}
	snprintf(buf, len, "%.*f %%", dec, 100.0 * x);
}

/* A plain share: "93.0 %". */
static void fmt_share(char *buf, size_t len, double x)
{
	if (isnan(x))
		snprintf(buf, len, DASH);
	else
		snprintf(buf, len, "%.1f %%", 100.0 * x);
}

/* A duration s in the unit that reads for durations up to `ref`: "231 ms", "2.5 s", "12 min",
 * "3.5 h" (ms below 1 s, s below 2 min, min below 2 h). */
static void fmt_time(char *buf, size_t len, double s, double ref)
{
	if (isnan(s))
		snprintf(buf, len, DASH);
	else if (!(ref >= 1.0))
		snprintf(buf, len, "%.3g ms", s * 1000.0);
	else if (ref < 120.0)
		snprintf(buf, len, "%.3g s", s);
	else if (ref < 7200.0)
		snprintf(buf, len, "%.3g min", s / 60.0);
	else
		snprintf(buf, len, "%.3g h", s / 3600.0);
}

/* x in the figure's style; durations in the unit of ref, so that a row reads in one unit. */
static void fmt_style(char *buf, size_t len, double x, enum style st, double ref)
{
	if (st == ST_PCT)
		fmt_avail(buf, len, x);
	else if (st == ST_TIME)
		fmt_time(buf, len, x, ref);
	else
		fmt_usd(buf, len, x);
}

/* "[a, b]" in the figure's style. */
static void fmt_interval(char *buf, size_t len, double lo, double hi, enum style st, double ref)
{
	char a[48], b[48];
	fmt_style(a, sizeof a, lo, st, ref);
	fmt_style(b, sizeof b, hi, st, ref);
	snprintf(buf, len, "[%s, %s]", a, b);
}

static void fmt_months(char *buf, size_t len, double m)
{
	if (isnan(m))
		snprintf(buf, len, DASH);
	else if (isinf(m))
		snprintf(buf, len, "never");
	else
		snprintf(buf, len, "%.1f months", m);
}

/* ---- the text ---- */

/* The width of a column of tier names: at least min, and the longest name (never cut). */
static int tier_width(const struct scenario *sc, int min)
{
	size_t w = (size_t)min;
	for (size_t t = 0; t < sc->ntiers; t++)
		if (strlen(sc->tiers[t].name) > w)
			w = strlen(sc->tiers[t].name);
	return w > 200 ? 200 : (int)w;
}

static void mix_lines(FILE *out, const struct opt_result *r, const struct opt_candidate *c)
{
	const struct scenario *sc = r->sc;
	int tw = tier_width(sc, 13);
	for (size_t t = 0; t < sc->ntiers; t++) {
		const struct opt_mix *m = &c->mix[t];
		size_t ntypes = spot_count(r, c, t);
		char lead[240], what[200];
		snprintf(lead, sizeof lead, "  %-*s ", tw, sc->tiers[t].name);
		if (ntypes == 0 || m->on_demand_above_base >= 1.0) {
			report_line(out, "%sall on demand", lead);
			continue;
		}
		if (m->on_demand_base > 0)
			snprintf(what, sizeof what, "on-demand base %d per region, ",
				 m->on_demand_base);
		else
			snprintf(what, sizeof what, "no on-demand base, ");
		if (m->on_demand_above_base > 0)
			snprintf(what + strlen(what), sizeof what - strlen(what), "%s%.10g %% on "
				 "demand and the rest spot", m->on_demand_base > 0 ? "above it " : "",
				 100.0 * m->on_demand_above_base);
		else
			snprintf(what + strlen(what), sizeof what - strlen(what), "all spot%s",
				 m->on_demand_base > 0 ? " above it" : "");
		wrapped(out, lead, "                ", what);
		char *types = spot_names(r, c, t, " + ");
		size_t zones = zones_placed(sc, t);
		char text[WIDTH * 8];
		snprintf(text, sizeof text, "spot over %s: %zu spot pools (%zu type%s x %zu zone%s)",
			 types ? types : "?", ntypes * zones, ntypes, ntypes == 1 ? "" : "s", zones,
			 zones == 1 ? "" : "s");
		free(types);
		wrapped(out, "                ", "                  ", text);
	}
}

static int commitment_lines(FILE *out, const struct opt_result *r, size_t i)
{
	const struct scenario *sc = r->sc;
	const struct opt_candidate *c = &r->c[i];
	struct report_opt_commit *a;
	size_t n, nri = 0;
	char u[32], cov[32], be[32], fee[48];
	int rc = report_opt_commitments(r, i, &a, &n);
	if (rc)
		return rc;
	for (size_t k = 0; k < n; k++)
		nri += !a[k].savings_plan;

	if (nri == 0) {
		/* Say so when the catalog cannot price a reservation for the first on-demand
		 * (type, region) that has no row: then "none" is not the optimizer's choice. */
		const char *type = NULL, *region = NULL;
		for (size_t t = 0; !type && t < sc->ntiers; t++) {
			const struct scenario_tier *tier = &sc->tiers[t];
			const struct scenario_instance_type *it =
				&sc->instance_types[tier->instance_type];
			for (size_t g = 0; !type && g < tier->nplacement; g++)
				if (!it->price[tier->placement[g].region].cat) {
					type = it->name;
					region = sc->regions[tier->placement[g].region].name;
				}
		}
		if (type && c->role != OPT_AS_WRITTEN && !sc->has_catalog)
			report_line(out, "Reserved instances: none (%s is declared in the file; its "
			     "catalog prices were not read)", type);
		else if (type && c->role != OPT_AS_WRITTEN)
			report_line(out, "Reserved instances: none (%s in %s has no catalog row: no "
			     "reservation price to weigh)", type, region);
		else
			report_line(out, "Reserved instances: none");
	} else {
		if (c->role == OPT_AS_WRITTEN)
			report_line(out, "Reserved instances (the scenario's own; the optimiser does not "
			     "measure their use)");
		else
			report_line(out, "Reserved instances, %s, %s", name_of(term_words, CATALOG_NTERMS,
									c->commit.ri_term),
			     name_of(payment_words, CATALOG_NPAYMENTS, c->commit.ri_payment));
		report_line(out, "  %-18s %-16s %5s  %-20s %11s %9s  %s", "instance type", "region",
		     "count", "term, payment", "utilisation", "coverage", "break-even");
		for (size_t k = 0; k < n; k++) {
			const struct report_opt_commit *x = &a[k];
			char tp[64];
			if (x->savings_plan)
				continue;
			fmt_share(u, sizeof u, x->utilization);
			fmt_share(cov, sizeof cov, x->coverage);
			fmt_months(be, sizeof be, x->breakeven_months);
			snprintf(tp, sizeof tp, "%s, %s", name_of(term_key, CATALOG_NTERMS, x->term),
				 name_of(payment_words, CATALOG_NPAYMENTS, x->payment));
			report_line(out, "  %-18.18s %-16.16s %5d  %-20s %11s %9s  %s",
			     sc->instance_types[x->instance_type].name, sc->regions[x->region].name,
			     x->count, tp, u, cov, be);
		}
		if (c->role != OPT_AS_WRITTEN) {
			fmt_share(u, sizeof u, c->commit.ri_utilization);
			fmt_share(cov, sizeof cov, c->commit.ri_coverage);
			report_line(out, "  %-18s %-16s %5s  %-20s %11s %9s", "all reservations", "", "", "",
			     u, cov);
		}
	}
	if (nri == n)
		report_line(out, "Savings plan: none");
	for (size_t k = 0; k < n; k++) {
		const struct report_opt_commit *x = &a[k];
		char scope[SCENARIO_NAME_MAX * 2 + 32] = "";
		if (!x->savings_plan)
			continue;
		fmt_usd_hourly(fee, sizeof fee, x->usd_hourly);
		if (x->plan == CATALOG_SP_INSTANCE_FAMILY && x->family && x->region >= 0)
			snprintf(scope, sizeof scope, " (%s in %s)", x->family,
				 sc->regions[x->region].name);
		report_line(out, "%s savings plan%s, %s, no upfront: %s per hour",
		     name_of(plan_words, CATALOG_NPLANS, x->plan), scope,
		     name_of(term_words, CATALOG_NTERMS, x->term), fee);
		if (!isnan(x->utilization)) {
			fmt_share(u, sizeof u, x->utilization);
			fmt_share(cov, sizeof cov, x->coverage);
			fmt_months(be, sizeof be, x->breakeven_months);
			report_line(out, "  utilisation %s, coverage %s, break-even %s%s", u, cov, be,
			     isfinite(x->breakeven_months) ? " of use" : "");
		}
	}
	free(a);
	return 0;
}

static void cost_line(FILE *out, const char *label, const struct opt_candidate *c)
{
	char m[48], ci[112], p90[48];
	fmt_usd(m, sizeof m, c->cost.mean);
	fmt_interval(ci, sizeof ci, c->cost.ci95_low, c->cost.ci95_high, ST_USD, 0);
	fmt_usd(p90, sizeof p90, c->cost_p90);
	report_line(out, "  %-24s %-14s 95%% CI %-30s P90 %s", label, m, ci, p90);
}

/* A saving s of a plan against a baseline costing `base` a month: "$300.00 (30.0 %)" and its
 * interval. */
static void saving_line(FILE *out, const char *label, const struct run_stat *s, double base,
			const char *note)
{
	char m[48], ci[112], pct[32] = "";
	fmt_usd(m, sizeof m, s->mean);
	fmt_interval(ci, sizeof ci, s->ci95_low, s->ci95_high, ST_USD, 0);
	if (base > 0 && !isnan(s->mean))
		snprintf(pct, sizeof pct, "(%.1f %%)", 100.0 * s->mean / base);
	report_line(out, "  %-24s %-14s %-10s 95%% CI %s", label, m, pct, ci);
	if (note[0])
		report_line(out, "  %-24s %s", "", note);
}

static void target_lines(FILE *out, const struct opt_result *r, const struct opt_candidate *c)
{
	struct target g[OPT_NCONSTRAINTS];
	size_t n = targets(r, c, g);
	report_line(out, "  %-25s %-14s %-30s %-14s %s", "target", "value", "95% CI", "target",
	     "verdict");
	for (size_t k = 0; k < n; k++) {
		char v[48], ci[112], t[64] = DASH, tv[48];
		const char *word;
		/* The unit of the largest figure of the row. */
		double ref = fmax(g[k].has_target ? g[k].target : 0,
				  g[k].measured ? fmax(g[k].s->mean, g[k].s->ci95_high) : 0);
		if (g[k].measured) {
			fmt_style(v, sizeof v, g[k].s->mean, g[k].style, ref);
			fmt_interval(ci, sizeof ci, g[k].s->ci95_low, g[k].s->ci95_high, g[k].style,
				     ref);
		} else {
			snprintf(v, sizeof v, DASH);
			snprintf(ci, sizeof ci, "no outage measured one");
		}
		if (g[k].has_target) {
			fmt_style(tv, sizeof tv, g[k].target, g[k].style, ref);
			snprintf(t, sizeof t, "%s %s", g[k].at_least ? ">=" : "<=", tv);
			int vd = verdict(&g[k]);
			word = !g[k].measured ? "unmeasured" : vd > 0 ? "met" : vd == 0 ? "missed"
											: "uncertain";
		} else {
			word = "no target";
		}
		report_line(out, "  %-25s %-*s %-*s %-*s %s", g[k].label, report_pad(v, 14), v,
		     report_pad(ci, 30), ci, report_pad(t, 14), t, word);
	}
}

static void tier_cost_lines(FILE *out, const struct opt_result *r, const struct opt_candidate *c)
{
	const struct scenario *sc = r->sc;
	double col[BILL_NOPTIONS] = { 0 }, all = 0;
	char v[BILL_NOPTIONS][48], tot[48];

	int tw = tier_width(sc, 17);
	report_line(out, "  %-*s %13s %13s %13s %13s %13s", tw, "tier", layers[2].title,
	     layers[3].title, layers[0].title, layers[1].title, "total");
	for (size_t t = 0; t < sc->ntiers; t++) {
		const double *tc = &c->tier_cost[t * BILL_NOPTIONS];
		double sum = 0;
		for (int k = 0; k < BILL_NOPTIONS; k++) {
			fmt_usd(v[k], sizeof v[k], tc[layers[k].opt]);
			col[k] += tc[layers[k].opt];
			sum += tc[layers[k].opt];
		}
		all += sum;
		fmt_usd(tot, sizeof tot, sum);
		report_line(out, "  %-*s %13s %13s %13s %13s %13s", tw, sc->tiers[t].name, v[2], v[3],
		     v[0], v[1], tot);
	}
	fmt_usd(tot, sizeof tot, c->unused_commitment);
	report_line(out, "  %-*s %13s %13s %13s %13s %13s", tw, "unused commitment", "", "", "", "",
	     tot);
	/* What the plan costs beyond its instances and commitments: the bytes of calls between
	 * regions and the DR strategy's data costs, which no tier or option carries. */
	double other = c->cost.mean - (all + c->unused_commitment);
	if (other >= 0.005) {
		fmt_usd(tot, sizeof tot, other);
		report_line(out, "  %-*s %13s %13s %13s %13s %13s", tw, "network, DR data", "", "", "",
		     "", tot);
	} else {
		other = 0;
	}
	for (int k = 0; k < BILL_NOPTIONS; k++)
		fmt_usd(v[k], sizeof v[k], col[k]);
	fmt_usd(tot, sizeof tot, all + c->unused_commitment + other);
	report_line(out, "  %-*s %13s %13s %13s %13s %13s", tw, "all tiers", v[2], v[3], v[0], v[1],
	     tot);
}

static const char *role_words(const struct opt_result *r, long i)
{
	const struct opt_candidate *c = cand(r, i);
	if (!c)
		return "";
	if (c->role == OPT_ALL_ON_DEMAND)
		return ": everything on demand, no commitment";
	if (c->role == OPT_AS_WRITTEN)
		return ": the scenario as written";
	return "";
}

static int plan_text(FILE *out, const struct opt_result *r)
{
	const struct opt_candidate *c = &r->c[r->best];
	const struct opt_candidate *od = cand(r, r->all_on_demand);
	const struct opt_candidate *aw = cand(r, r->as_written);
	int rc;

	report_line(out, "RECOMMENDED PURCHASE PLAN (candidate %ld in frontier.csv%s)", r->best + 1,
	     role_words(r, r->best));
	fputc('\n', out);
	report_line(out, "Fleet mix per tier");
	mix_lines(out, r, c);
	fputc('\n', out);
	if ((rc = commitment_lines(out, r, (size_t)r->best)) != 0)
		return rc;
	fputc('\n', out);
	report_line(out, "Cost per month (%" PRIu64 " replications)", c->reps);
	cost_line(out, "this plan", c);
	if (od && od != c)
		cost_line(out, "all on demand", od);
	if (aw && aw != c)
		cost_line(out, "the scenario as written", aw);
	report_line(out, "Saving per month (paired on the same random numbers)");
	if (od == c)
		report_line(out, "  %-24s %s", "vs all on demand", "none: the plan is all on demand");
	else if (od)
		saving_line(out, "vs all on demand", &r->savings_vs_on_demand, od->cost.mean, "");
	if (!aw)
		report_line(out, "  %-24s %s", "vs as written", "the scenario as written buys only on "
		     "demand");
	else if (aw == c)
		report_line(out, "  %-24s %s", "vs as written", "none: the plan is the scenario as written");
	else
		saving_line(out, "vs as written", &r->savings_vs_as_written, aw->cost.mean,
			    aw->binding != OPT_FEASIBLE ? "(the scenario as written misses a target)"
							: "");
	fputc('\n', out);
	report_line(out, "Targets of the plan (met: the whole 95%% interval is on the right side)");
	target_lines(out, r, c);
	fputc('\n', out);
	report_line(out, "Cost per month by tier and purchase option (mean)");
	tier_cost_lines(out, r, c);
	return 0;
}

static void infeasible_text(FILE *out, const struct opt_result *r)
{
	const struct opt_candidate *od = cand(r, r->all_on_demand);
	char rule[WIDTH + 1];
	memset(rule, '=', WIDTH);
	rule[WIDTH] = '\0';
	report_line(out, "%s", rule);
	report_line(out, "No purchase plan meets the targets.");
	report_line(out, "Binding target: %s", opt_constraint_name(r->binding));
	wrapped(out, "", "", r->why);
	report_line(out, "%s", rule);
	if (!od)
		return;
	fputc('\n', out);
	report_line(out, "For reference, all on demand (candidate %ld in frontier.csv, %" PRIu64
	     " replications):", r->all_on_demand + 1, od->reps);
	cost_line(out, "cost per month", od);
	target_lines(out, r, od);
}

int report_optimize_text(const struct opt_result *r, FILE *out)
{
	const struct scenario *sc = r->sc;
	size_t pruned = 0, final = 0;
	int rc = 0;

	for (size_t i = 0; i < r->n; i++) {
		pruned += r->c[i].pruned != 0;
		final += r->c[i].stage == 2;
	}
	report_line(out, "Purchase plan for %s", sc->name);
	report_line(out, "  objective     %s", r->objective == SCENARIO_OBJ_P90
	     ? "the lowest 90th percentile of the monthly cost across replications"
	     : "the lowest expected monthly cost (mean over replications)");
	report_line(out, "  replications  %" PRIu64 " per candidate to screen, %" PRIu64 " to re-evaluate "
	     "the finalists and baselines", r->reps, r->final_reps);
	report_line(out, "  candidates    %zu: %zu pruned halfway through screening, %zu re-evaluated "
	     "(finalists, baselines)", r->n, pruned, final);
	report_line(out, "  simulated     %" PRIu64 " replications, seed %" PRIu64 ", common random "
	     "numbers", r->simulated_reps, r->seed);
	fputc('\n', out);
	if (r->best >= 0)
		rc = plan_text(out, r);
	else
		infeasible_text(out, r);
	if (rc)
		return rc;
	return ferror(out) ? CAPSIM_EIO : 0;
}

/* ---- JSON ---- */

/* A number, or null for NaN and infinities (not JSON numbers). */
static int add_num(cJSON *o, const char *key, double x)
{
	return (isfinite(x) ? cJSON_AddNumberToObject(o, key, x) : cJSON_AddNullToObject(o, key)) !=
	       NULL;
}

static int add_str(cJSON *o, const char *key, const char *s)
{
	return (s ? cJSON_AddStringToObject(o, key, s) : cJSON_AddNullToObject(o, key)) != NULL;
}

/* {mean, ci95_low, ci95_high} (with p5, p50, p95 when full), or null when not measured. */
static int add_stat(cJSON *o, const char *key, const struct run_stat *s, int measured, int full)
{
	cJSON *x;
	if (!measured)
		return cJSON_AddNullToObject(o, key) != NULL;
	if (!(x = cJSON_AddObjectToObject(o, key)))
		return 0;
	return add_num(x, "mean", s->mean) && add_num(x, "ci95_low", s->ci95_low) &&
	       add_num(x, "ci95_high", s->ci95_high) &&
	       (!full || (add_num(x, "p5", s->p5) && add_num(x, "p50", s->p50) &&
			  add_num(x, "p95", s->p95)));
}

static int add_mix(cJSON *o, const struct opt_result *r, const struct opt_candidate *c)
{
	const struct scenario *sc = r->sc;
	cJSON *arr = cJSON_AddArrayToObject(o, "mix");
	if (!arr)
		return 0;
	for (size_t t = 0; t < sc->ntiers; t++) {
		cJSON *m = cJSON_CreateObject(), *types;
		size_t ntypes = spot_count(r, c, t);
		if (!m)
			return 0;
		cJSON_AddItemToArray(arr, m);
		if (!add_str(m, "tier", sc->tiers[t].name) ||
		    !cJSON_AddNumberToObject(m, "on_demand_base", c->mix[t].on_demand_base) ||
		    !add_num(m, "on_demand_pct", 100.0 * c->mix[t].on_demand_above_base) ||
		    !(types = cJSON_AddArrayToObject(m, "spot_types")) ||
		    !cJSON_AddNumberToObject(m, "spot_pools",
					     (double)(ntypes * zones_placed(sc, t))))
			return 0;
		for (size_t k = 0; k < ntypes; k++) {
			cJSON *s = cJSON_CreateString(spot_name(r, c, t, k));
			if (!s)
				return 0;
			cJSON_AddItemToArray(types, s);
		}
	}
	return 1;
}

/* Whether the commitment's saving pays its fee back over the simulated usage: JSON has no
 * infinity, so breakeven_months is null both when it never does (Inf) and when it was not
 * measured (NaN); this tells the two apart (false and null). */
static int add_pays_back(cJSON *o, double breakeven_months)
{
	if (isnan(breakeven_months))
		return cJSON_AddNullToObject(o, "pays_back") != NULL;
	return cJSON_AddBoolToObject(o, "pays_back", isfinite(breakeven_months)) != NULL;
}

static int add_commitments(cJSON *o, const struct opt_result *r, size_t i)
{
	const struct scenario *sc = r->sc;
	const struct opt_candidate *c = &r->c[i];
	struct report_opt_commit *a;
	size_t n;
	cJSON *x = NULL, *ris = NULL, *sps = NULL;
	int ok;

	if (report_opt_commitments(r, i, &a, &n))
		return 0;
	int measured = c->role != OPT_AS_WRITTEN && c->commit.nri > 0;
	ok = (x = cJSON_AddObjectToObject(o, "commitments")) &&
	     (ris = cJSON_AddArrayToObject(x, "reservations")) &&
	     add_num(x, "ri_utilization", measured ? c->commit.ri_utilization : NAN) &&
	     add_num(x, "ri_coverage", measured ? c->commit.ri_coverage : NAN) &&
	     (sps = cJSON_AddArrayToObject(x, "savings_plans"));
	for (size_t k = 0; ok && k < n; k++) {
		const struct report_opt_commit *e = &a[k];
		cJSON *y = cJSON_CreateObject();
		if (!y) {
			ok = 0;
			break;
		}
		cJSON_AddItemToArray(e->savings_plan ? sps : ris, y);
		if (e->savings_plan)
			ok = add_str(y, "plan", name_of(plan_key, CATALOG_NPLANS, e->plan)) &&
			     add_str(y, "family", e->family) &&
			     add_str(y, "region", e->region >= 0 ? sc->regions[e->region].name
								 : NULL);
		else
			ok = add_str(y, "instance_type", sc->instance_types[e->instance_type].name) &&
			     add_str(y, "region", sc->regions[e->region].name) &&
			     cJSON_AddNumberToObject(y, "count", e->count) &&
			     add_str(y, "payment", name_of(payment_key, CATALOG_NPAYMENTS,
							   e->payment));
		ok = ok && add_str(y, "term", name_of(term_key, CATALOG_NTERMS, e->term)) &&
		     add_num(y, "usd_hourly", e->usd_hourly) &&
		     add_num(y, "utilization", e->utilization) &&
		     add_num(y, "coverage", e->coverage) &&
		     add_num(y, "breakeven_months", e->breakeven_months) &&
		     add_pays_back(y, e->breakeven_months);
	}
	free(a);
	return ok;
}

/* A saving with its share of the baseline's mean monthly cost; null without a baseline. */
static int add_saving(cJSON *o, const char *key, const struct run_stat *s,
		      const struct opt_candidate *base)
{
	cJSON *x;
	if (!base)
		return cJSON_AddNullToObject(o, key) != NULL;
	if (!add_stat(o, key, s, 1, 1) || !(x = cJSON_GetObjectItemCaseSensitive(o, key)))
		return 0;
	double b = base->cost.mean;
	return add_num(x, "fraction", b > 0 ? s->mean / b : NAN) &&
	       add_num(x, "fraction_ci95_low", b > 0 ? s->ci95_low / b : NAN) &&
	       add_num(x, "fraction_ci95_high", b > 0 ? s->ci95_high / b : NAN);
}

static int add_constraints(cJSON *o, const struct opt_result *r, const struct opt_candidate *c)
{
	struct target g[OPT_NCONSTRAINTS];
	size_t n = targets(r, c, g);
	cJSON *arr = cJSON_AddArrayToObject(o, "constraints");
	if (!arr)
		return 0;
	for (size_t k = 0; k < n; k++) {
		cJSON *x;
		if (!g[k].has_target)
			continue;
		if (!(x = cJSON_CreateObject()))
			return 0;
		cJSON_AddItemToArray(arr, x);
		if (!add_str(x, "name", opt_constraint_name(g[k].id)) ||
		    !add_num(x, "target", g[k].target) ||
		    !add_num(x, "value", g[k].measured ? g[k].s->mean : NAN) ||
		    !add_num(x, "ci95_low", g[k].measured ? g[k].s->ci95_low : NAN) ||
		    !add_num(x, "ci95_high", g[k].measured ? g[k].s->ci95_high : NAN) ||
		    !cJSON_AddBoolToObject(x, "measured", g[k].measured) ||
		    !cJSON_AddBoolToObject(x, "met", verdict(&g[k]) > 0))
			return 0;
	}
	return 1;
}

/* The mean instances and USD per month of each tier by purchase option. */
static int add_by_tier(cJSON *o, const struct opt_result *r, const struct opt_candidate *c)
{
	const struct scenario *sc = r->sc;
	cJSON *arr = cJSON_AddArrayToObject(o, "by_tier");
	if (!arr)
		return 0;
	for (size_t t = 0; t < sc->ntiers; t++) {
		cJSON *x = cJSON_CreateObject(), *inst, *cost;
		if (!x)
			return 0;
		cJSON_AddItemToArray(arr, x);
		if (!add_str(x, "tier", sc->tiers[t].name) ||
		    !(inst = cJSON_AddObjectToObject(x, "instances")) ||
		    !(cost = cJSON_AddObjectToObject(x, "cost_monthly_usd")))
			return 0;
		for (int k = 0; k < BILL_NOPTIONS; k++)
			if (!add_num(inst, billing_option_name[k],
				     c->tier_instances[t * BILL_NOPTIONS + k]) ||
			    !add_num(cost, billing_option_name[k],
				     c->tier_cost[t * BILL_NOPTIONS + k]))
				return 0;
	}
	return 1;
}

static int add_recommendation(cJSON *root, const struct opt_result *r)
{
	const struct opt_candidate *c = cand(r, r->best);
	cJSON *o;
	if (!c)
		return cJSON_AddNullToObject(root, "recommendation") != NULL;
	return (o = cJSON_AddObjectToObject(root, "recommendation")) &&
	       cJSON_AddNumberToObject(o, "candidate", (double)(r->best + 1)) &&
	       add_str(o, "role", opt_role_name(c->role)) &&
	       cJSON_AddNumberToObject(o, "replications", (double)c->reps) &&
	       add_mix(o, r, c) && add_commitments(o, r, (size_t)r->best) &&
	       add_stat(o, "cost_monthly_usd", &c->cost, 1, 1) &&
	       add_num(o, "cost_p90_usd", c->cost_p90) &&
	       add_num(o, "unused_commitment_usd", c->unused_commitment) &&
	       add_saving(o, "savings_vs_on_demand", &r->savings_vs_on_demand,
			  cand(r, r->all_on_demand)) &&
	       add_saving(o, "savings_vs_as_written", &r->savings_vs_as_written,
			  cand(r, r->as_written)) &&
	       add_stat(o, "availability", &c->availability, 1, 1) &&
	       add_stat(o, "latency_s", &c->latency, 1, 1) &&
	       add_stat(o, "rto_s", &c->rto, c->has_rto, 1) &&
	       add_stat(o, "rpo_s", &c->rpo, c->has_rpo, 1) &&
	       add_constraints(o, r, c) && add_by_tier(o, r, c);
}

static int add_candidate(cJSON *arr, const struct opt_result *r, size_t i)
{
	const struct opt_candidate *c = &r->c[i];
	cJSON *o = cJSON_CreateObject();
	char *mix = report_opt_mix_text(r, i);
	int reserved, ok;
	double sp;
	if (o)
		cJSON_AddItemToArray(arr, o);
	ok = o && mix && commit_totals(r, i, &reserved, &sp) == 0 &&
	     cJSON_AddNumberToObject(o, "id", (double)(i + 1)) &&
	     add_str(o, "role", opt_role_name(c->role)) &&
	     cJSON_AddNumberToObject(o, "stage", c->stage) &&
	     cJSON_AddNumberToObject(o, "replications", (double)c->reps) &&
	     cJSON_AddBoolToObject(o, "pruned", c->pruned) &&
	     add_str(o, "mix", mix) &&
	     cJSON_AddNumberToObject(o, "reserved_instances", reserved) &&
	     add_num(o, "savings_plan_usd_hourly", sp) &&
	     add_stat(o, "cost_monthly_usd", &c->cost, 1, 0) &&
	     add_num(o, "cost_p90_usd", c->cost_p90) &&
	     add_stat(o, "availability", &c->availability, 1, 0) &&
	     add_stat(o, "latency_s", &c->latency, 1, 0) &&
	     add_stat(o, "rto_s", &c->rto, c->has_rto, 0) &&
	     add_stat(o, "rpo_s", &c->rpo, c->has_rpo, 0) &&
	     cJSON_AddBoolToObject(o, "feasible", c->binding == OPT_FEASIBLE) &&
	     add_str(o, "binding", opt_constraint_name(c->binding)) &&
	     cJSON_AddBoolToObject(o, "pareto", c->pareto) &&
	     cJSON_AddBoolToObject(o, "recommended", (long)i == r->best);
	free(mix);
	return ok;
}

/* The targets the scenario sets; null where it sets none. */
static int add_targets(cJSON *root, const struct scenario *sc)
{
	cJSON *t = cJSON_AddObjectToObject(root, "targets");
	return t && add_num(t, "availability", sc->has_slo ? sc->slo.availability : NAN) &&
	       add_num(t, "latency_percentile", sc->has_slo ? sc->slo.latency_percentile : NAN) &&
	       add_num(t, "latency_s", sc->has_slo && sc->slo.latency_target > 0
					       ? sc->slo.latency_target : NAN) &&
	       add_num(t, "rto_s", sc->has_dr && sc->dr.rto_target > 0 ? sc->dr.rto_target : NAN) &&
	       add_num(t, "rpo_s", sc->has_dr && sc->dr.has_rpo_target ? sc->dr.rpo_target : NAN) &&
	       add_num(t, "budget_monthly_usd", sc->budget_monthly > 0 ? sc->budget_monthly : NAN);
}

/* The seed is written as its exact decimal digits (cJSON numbers are doubles, which hold
 * integers exactly only up to 2^53). */
char *report_optimize_json(const struct opt_result *r, const struct run_meta *m)
{
	const struct scenario *sc = r->sc;
	cJSON *root = cJSON_CreateObject(), *reps, *arr;
	char seed[24], started[32] = "", *text = NULL;
	size_t pruned = 0;
	struct tm tm;
	int ok;

	if (!root)
		return NULL;
	for (size_t i = 0; i < r->n; i++)
		pruned += r->c[i].pruned != 0;
	snprintf(seed, sizeof seed, "%" PRIu64, r->seed);
	if (m && gmtime_r(&m->started, &tm))
		strftime(started, sizeof started, "%Y-%m-%dT%H:%M:%SZ", &tm);
	ok = add_str(root, "command", "optimize") && add_str(root, "scenario", sc->name) &&
	     add_str(root, "scenario_path", m ? m->scenario_path : NULL) &&
	     add_str(root, "sha256", m ? m->scenario_sha256 : NULL) &&
	     cJSON_AddRawToObject(root, "seed", seed) &&
	     add_str(root, "version", m && m->version ? m->version : CAPSIM_VERSION) &&
	     add_str(root, "args", m ? m->args : NULL) &&
	     add_str(root, "started_utc", started[0] ? started : NULL) &&
	     add_num(root, "elapsed_s", m ? m->elapsed : NAN) &&
	     add_str(root, "objective", r->objective == SCENARIO_OBJ_P90 ? "p90" : "mean") &&
	     (reps = cJSON_AddObjectToObject(root, "replications")) &&
	     cJSON_AddNumberToObject(reps, "screening", (double)r->reps) &&
	     cJSON_AddNumberToObject(reps, "final", (double)r->final_reps) &&
	     cJSON_AddNumberToObject(root, "candidates_evaluated", (double)r->evaluated) &&
	     cJSON_AddNumberToObject(root, "candidates_pruned", (double)pruned) &&
	     cJSON_AddNumberToObject(root, "replications_simulated", (double)r->simulated_reps) &&
	     add_targets(root, sc) &&
	     cJSON_AddBoolToObject(root, "feasible", r->best >= 0) &&
	     add_str(root, "binding", r->best < 0 ? opt_constraint_name(r->binding) : NULL) &&
	     add_str(root, "why", r->best < 0 ? r->why : NULL) &&
	     add_recommendation(root, r) &&
	     (arr = cJSON_AddArrayToObject(root, "candidates"));
	for (size_t i = 0; ok && i < r->n; i++)
		ok = add_candidate(arr, r, i);
	if (ok)
		text = cJSON_Print(root);
	cJSON_Delete(root);
	return text;
}

/* ---- plots ---- */

/* The availability axis of the frontier, as unavailability u = 1 - a: from a little beyond the
 * largest u (the SLO's included) down to below the smallest above zero. When some figure is
 * exactly 1 (nothing failed), the axis ends a decade below the smallest other one, where those
 * are drawn, at the tic "100 %". */
struct uaxis {
	double top, floor;
	int has_one;           /* 1: some figure is 1; drawn at floor */
};

static void note_u(struct uaxis *x, double *lo, double a)
{
	double u = 1.0 - a;
	if (isnan(a))
		return;
	if (!(u > 0)) {
		x->has_one = 1;
		return;
	}
	*lo = fmin(*lo, u);
	x->top = fmax(x->top, u);
}

static struct uaxis uaxis(const struct opt_result *r)
{
	const struct scenario *sc = r->sc;
	struct uaxis x = { 0, 0, 0 };
	double lo = INFINITY;
	for (size_t i = 0; i < r->n; i++) {
		note_u(&x, &lo, r->c[i].availability.mean);
		note_u(&x, &lo, r->c[i].availability.ci95_low);
		note_u(&x, &lo, r->c[i].availability.ci95_high);
	}
	if (sc->has_slo)
		note_u(&x, &lo, sc->slo.availability);
	if (!isfinite(lo))
		lo = x.top = 1e-5;   /* every figure exactly 1: any decade reads */
	x.top = fmin(1.0, 2.0 * x.top);
	/* 1e-9: 1 - 0.999 is a hair above 0.001, still its decade. */
	x.floor = x.has_one ? pow(10.0, floor(log10(lo) + 1e-9) - 1.0) : lo / 2.0;
	return x;
}

/* Tics named by their availability: u = m 10^-e (m = 1, and with fewer than three decades
 * in the range also 2 and 5) is "99.95 %" with e - 2 decimals. gnuplot reads a tic label as
 * a format: "%%" is its percent sign. */
static void put_utics(FILE *f, const struct uaxis *ax)
{
	int first = 1;
	long e0 = lround(ceil(-log10(ax->top) - 1e-9)), e1 = lround(floor(-log10(ax->floor) + 1e-9));
	int fine = e1 - e0 < 2;
	fputs("set xtics (", f);
	for (long e = e0 - 1; e <= e1; e++)
		for (int m = 1; m <= 5; m++) {
			double u = m * pow(10.0, (double)-e);
			if ((m != 1 && (!fine || (m != 2 && m != 5))) || u > ax->top * (1 + 1e-9) ||
			    u < ax->floor * (1 + 1e-9) * (ax->has_one ? 1.5 : 1.0))
				continue;
			fprintf(f, "%s\"%.*f %%%%\" %.10g", first ? "" : ", ", e > 2 ? (int)e - 2 : 0,
				100.0 * (1.0 - u), u);
			first = 0;
		}
	if (ax->has_one)
		fprintf(f, "%s\"100 %%%%\" %.10g", first ? "" : ", ", ax->floor);
	fputs(")\n", f);
}

/* The columns of xyerrorbars, x:y:xlow:xhigh:ylow:yhigh, for the rows where cond holds: the
 * lower unavailability comes from the upper availability. */
static void put_xy(FILE *f, const char *cond)
{
	fprintf(f, "(u(column(C_AV))):(%s ? column(C_COST) : NaN):(u(column(C_AV_HI))):"
		"(u(column(C_AV_LO))):(column(C_COST_LO)):(column(C_COST_HI))", cond);
}

/* Cost against availability of every candidate. */
static int frontier_script(FILE *f, const void *ctx)
{
	const struct opt_result *r = ctx;
	const struct scenario *sc = r->sc;
	struct uaxis ax = uaxis(r);
	double ylo = INFINITY, yhi = -INFINITY;
	char title[512], usd[48];
	int in_range = 0;

	for (size_t i = 0; i < r->n; i++) {
		const struct run_stat *s = &r->c[i].cost;
		double a = isfinite(s->ci95_low) ? s->ci95_low : s->mean;
		double b = isfinite(s->ci95_high) ? s->ci95_high : s->mean;
		if (isfinite(a))
			ylo = fmin(ylo, a);
		if (isfinite(b))
			yhi = fmax(yhi, b);
	}
	if (!isfinite(ylo)) {
		ylo = 0;
		yhi = 1;
	}
	/* A budget far above every candidate would squash them: shown only when near. */
	if (sc->budget_monthly > 0 && sc->budget_monthly <= yhi + 0.25 * fmax(yhi - ylo, yhi)) {
		in_range = 1;
		ylo = fmin(ylo, sc->budget_monthly);
		yhi = fmax(yhi, sc->budget_monthly);
	}
	double pad = yhi > ylo ? 0.08 * (yhi - ylo) : fmax(1.0, 0.05 * fabs(yhi));
	ylo = fmax(0.0, ylo - pad);
	yhi += pad;

	report_gp_head(f, sc->name, "frontier", "monthly cost against availability of every "
		       "candidate, from " FRONTIER_CSV);
	fputs("# Availabilities such as 0.9995 and 0.99995 would crowd together at the right of a\n"
	      "# linear axis although one fails ten times as often: the x axis is therefore the\n"
	      "# unavailability 1 - a on a log scale, reversed so that availability still grows to\n"
	      "# the right, with tics naming the availability (\"99.9 %\" is 1 - a = 0.001). An\n"
	      "# availability of exactly 1 (nothing failed) has no place on a log scale: it is\n"
	      "# drawn at the right end, a decade beyond the others, at the tic \"100 %\".\n", f);
	fprintf(f, "ufloor = %.10g\nu(a) = (1 - a > ufloor) ? 1 - a : ufloor\n", ax.floor);
	fprintf(f, "# Columns of " FRONTIER_CSV ": %zu tier%s take 3 columns each.\n"
		"C_ROLE = %d\nC_PRUNED = %d\nC_COST = %d\nC_COST_LO = %d\nC_COST_HI = %d\nC_AV = %d\n"
		"C_AV_LO = %d\nC_AV_HI = %d\nC_FEASIBLE = %d\nC_PARETO = %d\nC_RECOMMENDED = %d\n",
		sc->ntiers, sc->ntiers == 1 ? "" : "s", FR_ROLE, FR_PRUNED, FR_COST(sc), FR_COST(sc) + 1,
		FR_COST(sc) + 2, FR_AVAIL(sc), FR_AVAIL(sc) + 1, FR_AVAIL(sc) + 2, FR_FEASIBLE(sc),
		FR_PARETO(sc), FR_RECOMMENDED(sc));
	/* The floor's own point a little inside the frame. */
	fprintf(f, "set logscale x\nset xrange [%.10g:%.10g]\n", ax.top,
		ax.floor / (ax.has_one ? 1.6 : 1.0));
	report_gp_usd_axis(f, "y", ylo, yhi, 0);
	put_utics(f, &ax);
	fputs("set xlabel \"availability (mean with its 95% CI; log scale of the unavailability)\"\n"
	      "set ylabel \"cost per month, USD (mean with its 95% CI)\"\n"
	      /* height 1: a line more of room, or gnuplot lays the key's first row over the
	       * x label */
	      "set key below height 1\n", f);
	snprintf(title, sizeof title, "%s: cost against availability of the %zu candidates%s",
		 sc->name, r->n, r->best < 0 ? " (none meets the targets)" : "");
	fputs("set title ", f);
	report_gp_quote(f, title);
	fputs(" font \",12\"\n", f);
	if (sc->has_slo) {
		double u = fmax(1.0 - sc->slo.availability, ax.floor);
		fprintf(f, "set arrow 1 from %.10g, graph 0 to %.10g, graph 1 nohead lw 2 dt 2 "
			"lc rgb \"red\" back\n", u, u);
	}
	if (in_range)
		fprintf(f, "set arrow 2 from graph 0, first %.10g to graph 1, first %.10g nohead "
			"lw 2 dt 4 lc rgb \"#b2182b\" back\n", sc->budget_monthly,
			sc->budget_monthly);

	/* A series is plotted only when some row belongs to it: gnuplot warns about one with
	 * no valid points ("Skipping data file ...") when the script is run by hand. A candidate
	 * pruned halfway through screening has half the replications of the others, hence wider
	 * intervals: it is drawn apart (an open circle, paler), lest it be compared as their
	 * equal. */
	size_t nseries[2][2] = { { 0, 0 }, { 0, 0 } };   /* [feasible][pruned] */
	size_t npareto = 0, nparetopts = 0, nrole[2] = { 0, 0 };
	uint64_t pruned_reps = 0;
	int pruned_alike = 1;
	for (size_t i = 0; i < r->n; i++) {
		const struct opt_candidate *c = &r->c[i];
		nseries[c->binding == OPT_FEASIBLE][c->pruned != 0]++;
		if (c->pruned) {
			pruned_alike &= pruned_reps == 0 || c->reps == pruned_reps;
			pruned_reps = c->reps;
		}
		if (c->pareto) {
			/* The front's points: candidates with the same figures are one. */
			size_t j = 0;
			while (j < i && !(r->c[j].pareto && r->c[j].cost.mean == c->cost.mean &&
					  r->c[j].availability.mean == c->availability.mean))
				j++;
			nparetopts += j == i;
			npareto++;
		}
		nrole[0] += c->role == OPT_ALL_ON_DEMAND;
		nrole[1] += c->role == OPT_AS_WRITTEN;
	}
	char pruned[64];
	if (pruned_alike)
		snprintf(pruned, sizeof pruned, "pruned early (%" PRIu64 " replications)",
			 pruned_reps);
	else
		snprintf(pruned, sizeof pruned, "pruned early (fewer replications)");
	static const struct {
		int feasible, pruned;
		const char *cond, *style, *title;
	} series[] = {
		{ 0, 0, "column(C_FEASIBLE) == 0 && column(C_PRUNED) == 0",
		  "pt 7 ps 1 lc rgb \"#d95f02\"", "misses a target" },
		{ 0, 1, "column(C_FEASIBLE) == 0 && column(C_PRUNED) == 1",
		  "pt 6 ps 1.2 lc rgb \"#f0a46e\"", "misses a target, " },
		{ 1, 0, "column(C_FEASIBLE) == 1 && column(C_PRUNED) == 0",
		  "pt 7 ps 1 lc rgb \"#1b9e77\"", "meets the targets" },
		{ 1, 1, "column(C_FEASIBLE) == 1 && column(C_PRUNED) == 1",
		  "pt 6 ps 1.2 lc rgb \"#84c9b3\"", "meets the targets, " },
	};
	fputs("plot ", f);
	for (size_t k = 0; k < sizeof series / sizeof series[0]; k++) {
		if (!nseries[series[k].feasible][series[k].pruned])
			continue;
		fputs("\"" FRONTIER_CSV "\" using ", f);
		put_xy(f, series[k].cond);
		fprintf(f, " skip 1 with xyerrorbars %s title \"%s%s\", \\\n     ",
			series[k].style, series[k].title, series[k].pruned ? pruned : "");
	}
	/* Points as well as the line: candidates alike make a front of one point, which a line
	 * alone would not show. */
	if (npareto > 0) {
		char front[160];
		if (nparetopts == 1 && npareto > 1)
			snprintf(front, sizeof front, "Pareto front: %zu candidates alike at one point "
				 "(none cheaper and more available)", npareto);
		else
			snprintf(front, sizeof front, "Pareto front (no candidate cheaper and more "
				 "available)");
		fprintf(f, "\"" FRONTIER_CSV "\" using (u(column(C_AV))):(column(C_PARETO) == 1 ? "
			"column(C_COST) : NaN) skip 1 smooth unique with linespoints lw 2 pt 12 "
			"ps 2 lc rgb \"#7570b3\" title \"%s\", \\\n     ", front);
	}
	/* The three candidates a reader looks for, ringed and named. */
	static const struct {
		const char *test, *label, *offset, *rgb;
		int pt;
	} marks[] = {
		{ "column(C_RECOMMENDED) == 1", "recommended", "0,1.6", "black", 6 },
		{ "strcol(C_ROLE) eq 'all_on_demand'", "all on demand", "0,-1.6", "#555555", 4 },
		{ "strcol(C_ROLE) eq 'as_written'", "as written", "2.2,0 left", "#555555", 8 },
	};
	int present[] = { r->best >= 0, nrole[0] > 0, nrole[1] > 0 };
	for (size_t k = 0; k < sizeof marks / sizeof marks[0]; k++)
		if (present[k])
			fprintf(f, "\"" FRONTIER_CSV "\" using (u(column(C_AV))):(%s ? "
				"column(C_COST) : NaN) skip 1 with points pt %d ps 3 lw 2 lc rgb "
				"\"%s\" notitle, \\\n"
				"     \"" FRONTIER_CSV "\" using (u(column(C_AV))):(%s ? "
				"column(C_COST) : NaN):(\"%s\") skip 1 with labels offset %s notitle, "
				"\\\n     ", marks[k].test, marks[k].pt, marks[k].rgb, marks[k].test,
				marks[k].label, marks[k].offset);
	if (sc->has_slo) {
		char a[48];
		fmt_avail(a, sizeof a, sc->slo.availability);
		fprintf(f, "NaN with lines lw 2 dt 2 lc rgb \"red\" title \"availability SLO "
			"%s\", \\\n     ", a);
	}
	if (sc->budget_monthly > 0) {
		fmt_usd(usd, sizeof usd, sc->budget_monthly);
		fprintf(f, "NaN with lines lw 2 dt 4 lc rgb \"#b2182b\" title \"budget %s per "
			"month%s\", \\\n     ", usd, in_range ? "" : " (above every candidate)");
	}
	fputs("NaN notitle\n", f);
	return 0;
}

/* The candidate the mix plot shows: the recommendation, or all on demand when none. */
static long mix_shown(const struct opt_result *r)
{
	return r->best >= 0 ? r->best : r->all_on_demand;
}

/* mix.csv: per tier the shown candidate at slot 3t and all on demand at 3t + 1 (one bar per
 * tier at slot t when they are the same candidate); the names last, so that a name with a
 * comma cannot move a number's column. */
static int mix_rows(FILE *f, const void *ctx)
{
	const struct opt_result *r = ctx;
	const struct scenario *sc = r->sc;
	long shown = mix_shown(r), od = r->all_on_demand;
	int two = shown != od && cand(r, od) != NULL;

	fputs("slot", f);
	for (int k = 0; k < BILL_NOPTIONS; k++)
		fprintf(f, ",%s_instances", billing_option_name[k]);
	for (int k = 0; k < BILL_NOPTIONS; k++)
		fprintf(f, ",%s_usd", billing_option_name[k]);
	fputs(",tier,candidate\n", f);
	for (size_t t = 0; t < sc->ntiers && cand(r, shown); t++)
		for (int j = 0; j < 1 + two; j++) {
			const struct opt_candidate *c = &r->c[j ? od : shown];
			fprintf(f, "%zu", two ? 3 * t + (size_t)j : t);
			for (int k = 0; k < BILL_NOPTIONS; k++) {
				fputc(',', f);
				report_put_num(f, c->tier_instances[t * BILL_NOPTIONS + k]);
			}
			for (int k = 0; k < BILL_NOPTIONS; k++) {
				fputc(',', f);
				report_put_num(f, c->tier_cost[t * BILL_NOPTIONS + k]);
			}
			fputc(',', f);
			report_put_str(f, sc->tiers[t].name);
			fprintf(f, ",%s\n", j ? "all_on_demand" : r->best >= 0 ? "recommended"
									 : "all_on_demand");
		}
	return 0;
}

/* Whether option k is paid for by any tier of the shown candidates: a legend entry for an
 * option neither uses would only be noise. */
static int option_used(const struct opt_result *r, int opt)
{
	const long which[] = { mix_shown(r), r->all_on_demand };
	for (size_t j = 0; j < 2; j++) {
		const struct opt_candidate *c = cand(r, which[j]);
		for (size_t t = 0; c && t < r->sc->ntiers; t++)
			if (c->tier_instances[t * BILL_NOPTIONS + opt] > 0 ||
			    c->tier_cost[t * BILL_NOPTIONS + opt] > 0)
				return 1;
	}
	return 0;
}

/* One panel of stacked bars from mix.csv columns first + option: drawn as cumulative sums,
 * the tallest first, so that each lower one covers its part (opaque fills), with the total
 * written above each bar. */
static void mix_panel(FILE *f, const int used[BILL_NOPTIONS], int first, const char *label)
{
	int any = 0;
	fputs("plot ", f);
	for (int top = BILL_NOPTIONS; top-- > 0;) {
		if (!used[top])
			continue;
		fprintf(f, "%s\"" MIX_CSV "\" using 1:(", any ? ", \\\n     " : "");
		for (int k = 0, n = 0; k <= top; k++)
			if (used[k])
				fprintf(f, "%s$%d", n++ ? " + " : "", first + layers[k].opt);
		fprintf(f, ") skip 1 with boxes lc rgb \"%s\" title \"%s\"", layers[top].rgb,
			layers[top].title);
		any = 1;
	}
	if (!any) {
		fputs("NaN notitle\n", f);   /* nothing paid: an empty frame */
		return;
	}
	fprintf(f, ", \\\n     \"" MIX_CSV "\" using 1:($%d + $%d + $%d + $%d):(%s($%d + $%d + "
		"$%d + $%d)) skip 1 with labels offset 0,0.8 notitle\n", first, first + 1,
		first + 2, first + 3, label, first, first + 1, first + 2, first + 3);
}

static int mix_script(FILE *f, const void *ctx)
{
	const struct opt_result *r = ctx;
	const struct scenario *sc = r->sc;
	long shown = mix_shown(r), od = r->all_on_demand;
	int two = shown != od && cand(r, od) != NULL;
	size_t n = sc->ntiers, slots = two ? 3 * n - 1 : n;
	int used[BILL_NOPTIONS];
	char title[512];

	for (int k = 0; k < BILL_NOPTIONS; k++)
		used[k] = option_used(r, layers[k].opt);
	report_gp_head(f, sc->name, "mix", "instances and cost per tier by purchase option, from "
		       MIX_CSV);
	fprintf(f, "set style fill solid 1.0 noborder\nset boxwidth 0.8\nset xrange [-0.7:%.1f]\n"
		"set yrange [0:*]\nset grid noxtics ytics\nset key below\nset bmargin 7\n",
		(double)slots - 0.3);
	/* Each bar says whose it is; each tier's name sits under its bars. */
	fputs("set xtics (", f);
	for (size_t t = 0; t < n; t++) {
		if (two)
			fprintf(f, "%s\"%s\" %zu, \"all on\\ndemand\" %zu", t ? ", " : "",
				r->best >= 0 ? "recom-\\nmended" : "all on\\ndemand", 3 * t,
				3 * t + 1);
		else
			fprintf(f, "%s\"%s\" %zu", t ? ", " : "",
				r->best >= 0 ? "recommended" : "all on\\ndemand", t);
	}
	fputs(")\n", f);
	for (size_t t = 0; t < n; t++) {
		fprintf(f, "set label %zu ", t + 1);
		report_gp_quote(f, sc->tiers[t].name);
		fprintf(f, " at first %.1f, graph 0 center offset 0,-3.6 font \",11\"\n",
			two ? 3.0 * (double)t + 0.5 : (double)t);
	}
	if (r->best < 0)
		snprintf(title, sizeof title, "%s: no candidate meets the targets; the all-on-demand "
			 "fleet by purchase option", sc->name);
	else if (!two)
		snprintf(title, sizeof title, "%s: the recommendation is all on demand", sc->name);
	else
		snprintf(title, sizeof title, "%s: the recommended purchase mix beside all on "
			 "demand (means)", sc->name);
	fputs("set multiplot layout 1,2 title ", f);
	report_gp_quote(f, title);
	fputs(" font \",12\"\n", f);
	fputs("set title \"instances by purchase option (mean over time and replications)\"\n"
	      "set ylabel \"instances\"\ninstances(x) = sprintf(\"%.1f\", x)\n", f);
	mix_panel(f, used, 2, "instances");
	fputs("set title \"cost per month by purchase option (mean)\"\n"
	      "set ylabel \"USD per month\"\n" REPORT_GP_USD, f);
	/* The tallest bar's total and room above it for its label. */
	double top = 0;
	const long which[] = { shown, od };
	for (size_t j = 0; j < 2; j++) {
		const struct opt_candidate *c = cand(r, which[j]);
		for (size_t t = 0; c && t < n; t++) {
			double sum = 0;
			for (int k = 0; k < BILL_NOPTIONS; k++)
				sum += c->tier_cost[t * BILL_NOPTIONS + k];
			top = fmax(top, sum);
		}
	}
	report_gp_usd_axis(f, "y", 0, top > 0 ? 1.08 * top : 1.0, 1);
	mix_panel(f, used, 2 + BILL_NOPTIONS, "usd");
	fputs("unset multiplot\n", f);
	return 0;
}

static int write_in(const struct opt_result *r, const char *dir, const char *name,
		    int (*rows)(FILE *, const void *), char *err, size_t errlen)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *path = malloc(n);
	int rc;
	if (!path) {
		report_set_err(err, errlen, "%s: %s", dir, capsim_strerror(CAPSIM_ENOMEM));
		return CAPSIM_ENOMEM;
	}
	snprintf(path, n, "%s/%s", dir, name);
	rc = report_write_file(path, rows, r, err, errlen);
	free(path);
	return rc;
}

int report_optimize_plots(const struct opt_result *r, const char *dir, char *err, size_t errlen)
{
	int rc = write_in(r, dir, "frontier.gp", frontier_script, err, errlen);
	if (rc == 0)
		rc = write_in(r, dir, MIX_CSV, mix_rows, err, errlen);
	if (rc == 0)
		rc = write_in(r, dir, "mix.gp", mix_script, err, errlen);
	return rc;
}

static int optimize_page_text(FILE *f, const void *ctx)
{
	return report_optimize_text(ctx, f);
}

int report_optimize_markdown(const struct opt_result *r, const char *dir, int drawn, char *err,
			     size_t errlen)
{
	static const char *const captions[REPORT_OPT_NPLOTS] = {
		"Every candidate's cost against its availability, with the SLO and the budget",
		"The recommended mix beside all on demand: instances and cost per tier and option",
	};
	struct report_page p = {
		.title = "capsim optimize", .text = optimize_page_text, .ctx = r,
		.plots = report_opt_plot_names, .captions = captions, .nplots = REPORT_OPT_NPLOTS,
		.drawn = drawn,
		.after = "`frontier.csv` holds every candidate with its intervals, feasibility and "
			 "Pareto optimality.\n",
	};
	return report_page_write(dir, "plan.md", &p, err, errlen);
}
