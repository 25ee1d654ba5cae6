/* The optimisation's report on a hand-built result: frontier.csv field by field, the text of a
 * plan and of a search that found none, the JSON read back, the plots (read back through
 * gnuplot's own tables when it is installed) and the results database. */
#include <cJSON.h>
#include <criterion/criterion.h>
#include <math.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "models/billing.h"
#include "models/catalog.h"
#include "models/optimize.h"
#include "models/scenario.h"
#include "reports/report.h"
#include "sim/error.h"
#include "tests/reports/fake.h"

/* A scenario "o'shop" of 2 regions, eu-west-1 (zones a, b, c) and us-east-1 (a, b), 3 instance
 * types m5.large, c6i.large, c5.large, and 2 tiers:
 *   web  in eu-west-1 on 3 zones and us-east-1 on 2 (5 zones placed); the optimize block
 *        allows spot on c6i.large then c5.large; its own purchase block buys 1 on-demand
 *        instance per region, 25 % on demand above it, spot on c5.large;
 *   app  in eu-west-1 on 2 zones, no spot allowed.
 * SLO: availability 99.9 %, p99 latency 0.5 s; budget $1,500 a month; DR RTO target 300 s.
 * The file reserves 2 m5.large in us-east-1 for 3 years, partial upfront (catalog: $2,628
 * upfront, $0.05 an hour: 2628 / 26280 h + 0.05 = $0.15 an instance-hour, $0.30 for both), and
 * commits $0.50/h to a 1-year compute savings plan.
 *
 * Four candidates (cost USD/month, availability, latency s, RTO s as mean [ci95]):
 *   1 all on demand   1000 [980, 1020] P90 1030; 0.9995 [0.9993, 0.9997]; 0.2 [0.19, 0.21];
 *                     RTO 150 [130, 170]; feasible; web 10 instances on demand ($600), app 4
 *                     ($400)
 *   2 searched, the recommendation: web base 2, 50 % on demand, spot on 2 types; app base 1,
 *                     all on demand; 3 m5.large reserved in eu-west-1 at $0.06 (1y, no
 *                     upfront; utilisation 0.9, coverage 0.4, break-even 7.5 months) and a
 *                     $1.25/h compute plan (0.97, 0.22, 8 months). 700 [680, 720] P90 730;
 *                     0.99955 [0.99935, 0.99975]; 0.25 [0.23, 0.27]; RTO 120 [100, 140]; Pareto.
 *                     web: instances 2 on demand, 4 spot, 3 reserved, 1 plan ($140, $100,
 *                     $130, $90 = $460); app: 1 on demand, 3 plan ($120 + $100 = $220);
 *                     unused commitment $20: 460 + 220 + 20 = 700
 *   3 searched, pruned after 8 replications: web no base, all spot on c6i.large. 600 [560,
 *                     640], P90 unknown (NaN); 0.995 [0.99, 0.999]; misses availability; Pareto
 *   4 as written      900 [880, 920] P90 930; 0.9994 [0.9992, 0.9996]; 0.22 [0.2, 0.24]; RTO
 *                     160 [140, 180]; feasible
 * Savings of the recommendation: 300 [280, 320] against all on demand (30 % of 1000), 200
 * [185, 215] against the scenario as written (200 / 900 = 22.2 %). */
#define NTIERS 2
#define NCAND 4
#define SEED (UINT64_MAX - 5)   /* 18446744073709551610 */

struct hand {
	struct scenario sc;
	struct scenario_region regions[2];
	char *zones_eu[3], *zones_us[2];
	struct scenario_instance_type types[3];
	struct scenario_price prices[3][2];
	struct catalog_entry m5_us;
	struct scenario_tier tiers[NTIERS];
	struct scenario_placement place_web[2], place_app[1];
	struct scenario_opt_tier opt[NTIERS];
	size_t opt_web_types[2], purchase_web_types[1];
	struct scenario_reservation res[1];
	struct scenario_savings_plan plans[1];
	struct opt_mix mix[NCAND][NTIERS];
	struct opt_reservation ri[1];
	double inst[NCAND][NTIERS * BILL_NOPTIONS], cost[NCAND][NTIERS * BILL_NOPTIONS];
	struct opt_candidate c[NCAND];
	struct opt_result r;
};

static struct run_stat st(double mean, double lo, double hi)
{
	return (struct run_stat){ mean, lo, hi, lo, mean, hi };
}

static void hand_init(struct hand *h)
{
	memset(h, 0, sizeof *h);
	struct scenario *sc = &h->sc;
	sc->name = (char *)"o'shop";
	sc->version = SCENARIO_VERSION;
	sc->horizon = 7 * 86400.0;
	sc->step = 60.0;
	sc->seed = 42;
	sc->replications = 20;
	sc->has_slo = 1;
	sc->slo = (struct scenario_slo){ 0.999, 99.0, 0.5 };
	sc->budget_monthly = 1500.0;
	sc->has_dr = 1;
	sc->dr.strategy = SCENARIO_DR_WARM_STANDBY;
	sc->dr.rto_target = 300.0;

	h->zones_eu[0] = (char *)"a";
	h->zones_eu[1] = (char *)"b";
	h->zones_eu[2] = (char *)"c";
	h->zones_us[0] = (char *)"a";
	h->zones_us[1] = (char *)"b";
	h->regions[0] = (struct scenario_region){ .name = (char *)"eu-west-1", .zones = h->zones_eu,
						  .nzones = 3 };
	h->regions[1] = (struct scenario_region){ .name = (char *)"us-east-1", .zones = h->zones_us,
						  .nzones = 2 };
	sc->regions = h->regions;
	sc->nregions = 2;

	static const char *const names[3] = { "m5.large", "c6i.large", "c5.large" };
	for (size_t t = 0; t < 3; t++) {
		h->types[t].name = (char *)names[t];
		h->types[t].family = (char *)(t == 0 ? "m5" : t == 1 ? "c6i" : "c5");
		h->types[t].price_hourly = 0.1;
		h->types[t].price = h->prices[t];
		for (size_t g = 0; g < 2; g++)
			h->prices[t][g] = (struct scenario_price){ 1, 0.1, 0.6, 1, NULL };
	}
	h->m5_us.ri_upfront[CATALOG_3Y][CATALOG_PARTIAL_UPFRONT] = 2628.0;
	h->m5_us.ri_hourly[CATALOG_3Y][CATALOG_PARTIAL_UPFRONT] = 0.05;
	h->prices[0][1].cat = &h->m5_us;
	sc->instance_types = h->types;
	sc->ninstance_types = 3;

	h->place_web[0] = (struct scenario_placement){ 0, 3 };
	h->place_web[1] = (struct scenario_placement){ 1, 2 };
	h->place_app[0] = (struct scenario_placement){ 0, 2 };
	h->purchase_web_types[0] = 2;
	h->tiers[0].name = (char *)"web";
	h->tiers[0].calls = 1;
	h->tiers[0].placement = h->place_web;
	h->tiers[0].nplacement = 2;
	h->tiers[0].has_purchase = 1;
	h->tiers[0].purchase.on_demand_base = 1;
	h->tiers[0].purchase.on_demand_above_base = 0.25;
	h->tiers[0].purchase.spot_types = h->purchase_web_types;
	h->tiers[0].purchase.nspot_types = 1;
	h->tiers[1].name = (char *)"app";
	h->tiers[1].calls = -1;
	h->tiers[1].instance_type = 0;
	h->tiers[1].placement = h->place_app;
	h->tiers[1].nplacement = 1;
	h->tiers[1].purchase.on_demand_above_base = 1.0;
	sc->tiers = h->tiers;
	sc->ntiers = NTIERS;

	h->opt_web_types[0] = 1;
	h->opt_web_types[1] = 2;
	h->opt[0].spot = 1;
	h->opt[0].spot_types = h->opt_web_types;
	h->opt[0].nspot_types = 2;
	sc->optimize.objective = SCENARIO_OBJ_MEAN;
	sc->optimize.replications = 8;
	sc->optimize.final_replications = 20;
	sc->optimize.tiers = h->opt;

	h->res[0] = (struct scenario_reservation){ 0, 1, 2, CATALOG_3Y, CATALOG_PARTIAL_UPFRONT };
	sc->reservations = h->res;
	sc->nreservations = 1;
	h->plans[0] = (struct scenario_savings_plan){ CATALOG_SP_COMPUTE, NULL, -1, 0.5,
						      CATALOG_1Y };
	sc->savings_plans = h->plans;
	sc->nsavings_plans = 1;

	/* The mixes: { base, on-demand share above it, spot types }. */
	const struct opt_mix all_od = { 0, 1.0, 0 };
	h->mix[0][0] = all_od;
	h->mix[0][1] = all_od;
	h->mix[1][0] = (struct opt_mix){ 2, 0.5, 2 };
	h->mix[1][1] = (struct opt_mix){ 1, 1.0, 0 };
	h->mix[2][0] = (struct opt_mix){ 0, 0.0, 1 };
	h->mix[2][1] = all_od;
	h->mix[3][0] = (struct opt_mix){ 1, 0.25, 1 };
	h->mix[3][1] = all_od;

	static const int roles[NCAND] = { OPT_ALL_ON_DEMAND, OPT_SEARCHED, OPT_SEARCHED,
					  OPT_AS_WRITTEN };
	for (size_t i = 0; i < NCAND; i++) {
		struct opt_candidate *c = &h->c[i];
		c->role = roles[i];
		c->mix = h->mix[i];
		c->reps = 20;
		c->stage = 2;
		c->tier_instances = h->inst[i];
		c->tier_cost = h->cost[i];
		c->binding = OPT_FEASIBLE;
		c->has_rto = 1;
	}
#define IX(t, opt) ((t) * BILL_NOPTIONS + (opt))
	struct opt_candidate *c = &h->c[0];
	c->cost = st(1000, 980, 1020);
	c->cost_p90 = 1030;
	c->availability = st(0.9995, 0.9993, 0.9997);
	c->latency = st(0.2, 0.19, 0.21);
	c->rto = st(150, 130, 170);
	h->inst[0][IX(0, BILL_ON_DEMAND)] = 10;
	h->inst[0][IX(1, BILL_ON_DEMAND)] = 4;
	h->cost[0][IX(0, BILL_ON_DEMAND)] = 600;
	h->cost[0][IX(1, BILL_ON_DEMAND)] = 400;

	c = &h->c[1];
	h->ri[0] = (struct opt_reservation){ 0, 0, 3, 0.06, 0.9, 0.4, 7.5 };
	c->commit = (struct opt_commitment){ h->ri, 1, CATALOG_1Y, CATALOG_NO_UPFRONT, 0.9, 0.4,
					     1.25, CATALOG_1Y, 0.97, 0.22, 8.0 };
	c->cost = st(700, 680, 720);
	c->cost_p90 = 730;
	c->availability = st(0.99955, 0.99935, 0.99975);
	c->latency = st(0.25, 0.23, 0.27);
	c->rto = st(120, 100, 140);
	c->unused_commitment = 20;
	c->pareto = 1;
	const double web_inst[BILL_NOPTIONS] = { 2, 4, 3, 1 }, web_cost[BILL_NOPTIONS] = {
		140, 100, 130, 90 };
	const double app_inst[BILL_NOPTIONS] = { 1, 0, 0, 3 }, app_cost[BILL_NOPTIONS] = {
		120, 0, 0, 100 };
	for (int k = 0; k < BILL_NOPTIONS; k++) {
		h->inst[1][IX(0, k)] = web_inst[k];
		h->cost[1][IX(0, k)] = web_cost[k];
		h->inst[1][IX(1, k)] = app_inst[k];
		h->cost[1][IX(1, k)] = app_cost[k];
	}

	c = &h->c[2];
	c->reps = 8;
	c->stage = 1;
	c->pruned = 1;
	c->cost = st(600, 560, 640);
	c->cost_p90 = NAN;
	c->availability = st(0.995, 0.99, 0.999);
	c->latency = st(0.3, 0.25, 0.35);
	c->has_rto = 0;
	c->binding = OPT_AVAILABILITY;
	c->pareto = 1;
	h->inst[2][IX(0, BILL_SPOT)] = 10;
	h->cost[2][IX(0, BILL_SPOT)] = 200;
	h->inst[2][IX(1, BILL_ON_DEMAND)] = 4;
	h->cost[2][IX(1, BILL_ON_DEMAND)] = 400;

	c = &h->c[3];
	c->cost = st(900, 880, 920);
	c->cost_p90 = 930;
	c->availability = st(0.9994, 0.9992, 0.9996);
	c->latency = st(0.22, 0.2, 0.24);
	c->rto = st(160, 140, 180);
#undef IX

	struct opt_result *r = &h->r;
	r->sc = sc;
	r->seed = SEED;
	r->objective = SCENARIO_OBJ_MEAN;
	r->reps = 8;
	r->final_reps = 20;
	r->c = h->c;
	r->n = NCAND;
	r->best = 1;
	r->all_on_demand = 0;
	r->as_written = 3;
	r->savings_vs_on_demand = st(300, 280, 320);
	r->savings_vs_as_written = st(200, 185, 215);
	r->binding = OPT_FEASIBLE;
	r->simulated_reps = 300;
	r->evaluated = 6;
}

/* The same search finding nothing: every candidate misses availability. */
#define WHY "availability: even all on demand serves 99.95000% of requests (95% CI " \
	"99.93000%-99.97000%) against the SLO's 99.99000%; buying differently cannot add " \
	"capacity: change the fleet (autoscaling limits, placement, DR strategy) or the target"

static void make_infeasible(struct hand *h)
{
	h->sc.slo.availability = 0.9999;
	for (size_t i = 0; i < NCAND; i++)
		h->c[i].binding = OPT_AVAILABILITY;
	h->r.best = -1;
	h->r.binding = OPT_AVAILABILITY;
	snprintf(h->r.why, sizeof h->r.why, "%s", WHY);
}

/* ---- frontier.csv ---- */

static const char *const header[] = {
	"id", "role", "stage", "replications", "pruned",
	"web.on_demand_base", "web.on_demand_pct", "web.spot_types",
	"app.on_demand_base", "app.on_demand_pct", "app.spot_types",
	"reserved_instances", "savings_plan_usd_hourly", "cost_monthly_usd", "cost_ci95_low",
	"cost_ci95_high", "cost_p90_usd", "availability", "availability_ci95_low",
	"availability_ci95_high", "latency_s", "latency_ci95_low", "latency_ci95_high", "rto_s",
	"rto_ci95_low", "rto_ci95_high", "rpo_s", "rpo_ci95_low", "rpo_ci95_high", "feasible",
	"binding", "pareto", "recommended",
};
#define NCOLS (sizeof header / sizeof header[0])

/* The rows, from the figures above: pct as a percentage; the as-written row's commitments are
 * the file's (2 reserved, $0.50/h); no RPO anywhere; no RTO and no P90 for candidate 3. */
static const char *const rows[NCAND][NCOLS] = {
	{ "1", "all_on_demand", "2", "20", "0", "0", "100", "", "0", "100", "", "0", "0",
	  "1000", "980", "1020", "1030", "0.9995", "0.9993", "0.9997", "0.2", "0.19", "0.21",
	  "150", "130", "170", "", "", "", "1", "feasible", "0", "0" },
	{ "2", "searched", "2", "20", "0", "2", "50", "c6i.large+c5.large", "1", "100", "", "3",
	  "1.25", "700", "680", "720", "730", "0.99955", "0.99935", "0.99975", "0.25", "0.23",
	  "0.27", "120", "100", "140", "", "", "", "1", "feasible", "1", "1" },
	{ "3", "searched", "1", "8", "1", "0", "0", "c6i.large", "0", "100", "", "0", "0", "600",
	  "560", "640", "", "0.995", "0.99", "0.999", "0.3", "0.25", "0.35", "", "", "", "", "",
	  "", "0", "availability", "1", "0" },
	{ "4", "as_written", "2", "20", "0", "1", "25", "c5.large", "0", "100", "", "2", "0.5",
	  "900", "880", "920", "930", "0.9994", "0.9992", "0.9996", "0.22", "0.2", "0.24", "160",
	  "140", "180", "", "", "", "1", "feasible", "0", "0" },
};

Test(report_optimize, frontier_csv_has_one_row_per_candidate_field_by_field)
{
	struct hand h;
	hand_init(&h);
	char *dir = fake_tmpdir(), *path = fake_path(dir, "frontier.csv");
	char err[256] = "";
	cr_assert_eq(report_frontier_csv(&h.r, path, err, sizeof err), 0, "%s", err);

	struct table t;
	table_read(path, &t);
	cr_assert_eq(t.nrows, 1 + NCAND);
	cr_assert_eq(t.ncols[0], NCOLS, "header has %zu columns", t.ncols[0]);
	for (size_t k = 0; k < NCOLS; k++)
		cr_expect_str_eq(t.cell[0][k], header[k], "header column %zu", k + 1);
	for (size_t i = 0; i < NCAND; i++) {
		cr_assert_eq(t.ncols[i + 1], NCOLS, "row %zu has %zu columns", i + 1, t.ncols[i + 1]);
		for (size_t k = 0; k < NCOLS; k++)
			cr_expect_str_eq(t.cell[i + 1][k], rows[i][k], "row %zu, %s", i + 1, header[k]);
	}
	table_release(&t);
	free(path);
	fake_rmtree(dir);
}

Test(report_optimize, frontier_csv_quotes_a_tier_and_a_type_with_a_comma_or_quote)
{
	struct hand h;
	hand_init(&h);
	h.tiers[0].name = (char *)"web,front";
	h.types[1].name = (char *)"c6i\"x";
	char *dir = fake_tmpdir(), *path = fake_path(dir, "frontier.csv");
	char err[256] = "";
	cr_assert_eq(report_frontier_csv(&h.r, path, err, sizeof err), 0, "%s", err);

	/* Quoted the CSV way: the whole field in quotes, a quote doubled. */
	char *text = fake_slurp(path, NULL);
	cr_assert_not_null(strstr(text, ",\"web,front.on_demand_base\",\"web,front.on_demand_pct\","
				  "\"web,front.spot_types\",app.on_demand_base,"), "%s", text);
	cr_assert_not_null(strstr(text, ",\"c6i\"\"x+c5.large\","), "%s", text);
	free(text);
	/* And read back whole by a strict CSV reader, columns unmoved. */
	struct table t;
	table_read(path, &t);
	cr_assert_eq(t.ncols[0], NCOLS);
	cr_assert_str_eq(t.cell[0][5], "web,front.on_demand_base");
	cr_assert_str_eq(t.cell[0][7], "web,front.spot_types");
	cr_assert_eq(t.ncols[2], NCOLS);
	cr_assert_str_eq(t.cell[2][7], "c6i\"x+c5.large");
	cr_assert_str_eq(t.cell[2][13], "700");
	table_release(&t);
	free(path);
	fake_rmtree(dir);
}

Test(report_optimize, mix_text_and_commitments_of_each_role)
{
	struct hand h;
	hand_init(&h);
	char *m = report_opt_mix_text(&h.r, 1);
	cr_assert_str_eq(m, "web:base=2,od=50%,spot=c6i.large+c5.large;app:base=1,od=100%");
	free(m);
	m = report_opt_mix_text(&h.r, 3);   /* as written: the file's own spot type */
	cr_assert_str_eq(m, "web:base=1,od=25%,spot=c5.large;app:base=0,od=100%");
	free(m);

	struct report_opt_commit *a;
	size_t n;
	cr_assert_eq(report_opt_commitments(&h.r, 0, &a, &n), 0);
	cr_assert_eq(n, 0);
	cr_assert_null(a);
	cr_assert_eq(report_opt_commitments(&h.r, 1, &a, &n), 0);
	cr_assert_eq(n, 2);
	/* 3 x $0.06 = $0.18 an hour. */
	cr_assert_eq(a[0].savings_plan, 0);
	cr_assert_eq(a[0].instance_type, 0);
	cr_assert_eq(a[0].region, 0);
	cr_assert_eq(a[0].count, 3);
	cr_assert_float_eq(a[0].usd_hourly, 0.18, 1e-12);
	cr_assert_eq(a[0].utilization, 0.9);
	cr_assert_eq(a[0].breakeven_months, 7.5);
	cr_assert_eq(a[1].savings_plan, 1);
	cr_assert_eq(a[1].plan, CATALOG_SP_COMPUTE);
	cr_assert_eq(a[1].usd_hourly, 1.25);
	cr_assert_eq(a[1].coverage, 0.22);
	free(a);
	/* As written: the file's, at the catalog's fee, use not measured. */
	cr_assert_eq(report_opt_commitments(&h.r, 3, &a, &n), 0);
	cr_assert_eq(n, 2);
	cr_assert_eq(a[0].region, 1);
	cr_assert_eq(a[0].count, 2);
	cr_assert_eq(a[0].term, CATALOG_3Y);
	cr_assert_eq(a[0].payment, CATALOG_PARTIAL_UPFRONT);
	cr_assert_float_eq(a[0].usd_hourly, 0.30, 1e-12);
	cr_assert(isnan(a[0].utilization) && isnan(a[0].breakeven_months));
	cr_assert_eq(a[1].usd_hourly, 0.5);
	cr_assert_eq(a[1].term, CATALOG_1Y);
	free(a);
}

/* ---- the text ---- */

static char *text_of(const struct opt_result *r)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	cr_assert_not_null(f);
	cr_assert_eq(report_optimize_text(r, f), 0);
	fclose(f);
	return buf;
}

/* Every line at most 100 columns (UTF-8 characters), without trailing blanks. */
static void check_width(const char *text)
{
	size_t cols = 0, line = 1;
	for (const char *p = text; *p; p++) {
		if (*p == '\n') {
			cr_expect(p == text || p[-1] != ' ', "line %zu ends with a blank", line);
			cols = 0;
			line++;
			continue;
		}
		if (((unsigned char)*p & 0xc0) != 0x80)
			cols++;
		cr_assert_leq(cols, 100, "line %zu is wider than 100 columns:\n%s", line, text);
	}
}

/* text with every run of blanks and line breaks made one space. */
static char *squeezed(const char *text)
{
	char *s = malloc(strlen(text) + 1), *o = s;
	cr_assert_not_null(s);
	for (const char *p = text; *p; p++) {
		if (*p == ' ' || *p == '\n') {
			if (o > s && o[-1] != ' ')
				*o++ = ' ';
		} else {
			*o++ = *p;
		}
	}
	*o = '\0';
	return s;
}

/* The first line of text that starts with `key` once its blanks are squeezed (a row of a
 * table), squeezed. */
static char *row_of(const char *text, const char *key)
{
	for (const char *p = text; *p; p += strcspn(p, "\n") + (p[strcspn(p, "\n")] != 0)) {
		char *one = strndup(p, strcspn(p, "\n")), *s = squeezed(one);
		free(one);
		if (strncmp(s, key, strlen(key)) == 0)
			return s;
		free(s);
	}
	cr_assert_fail("no line starting with \"%s\" in:\n%s", key, text);
	return NULL;
}

static void expect_row(const char *text, const char *key, const char *want)
{
	char *row = row_of(text, key);
	cr_expect_str_eq(row, want);
	free(row);
}

Test(report_optimize, text_of_a_plan_names_mix_commitments_costs_savings_and_targets)
{
	struct hand h;
	hand_init(&h);
	char *text = text_of(&h.r), *flat = squeezed(text);
	check_width(text);

	cr_expect_not_null(strstr(flat, "Purchase plan for o'shop"), "%s", text);
	cr_expect_not_null(strstr(flat, "8 per candidate to screen, 20 to re-evaluate"), "%s", text);
	/* The hand result: 4 candidates, one pruned (c[2]), the other three at stage 2. */
	cr_expect_not_null(strstr(flat, "candidates 4: 1 pruned halfway through screening, "
				  "3 re-evaluated (finalists, baselines)"), "%s", text);
	cr_expect_not_null(strstr(flat, "seed 18446744073709551610"), "%s", text);
	cr_expect_not_null(strstr(flat, "RECOMMENDED PURCHASE PLAN (candidate 2 in frontier.csv)"),
			   "%s", text);
	/* The mix: web spreads over 2 types in its 5 zones, 10 pools. */
	cr_expect_not_null(strstr(flat, "web on-demand base 2 per region, above it 50 % on demand "
				  "and the rest spot spot over c6i.large + c5.large: 10 spot pools "
				  "(2 types x 5 zones) app all on demand"), "%s", text);
	/* The reservation and the plan. */
	cr_expect_not_null(strstr(flat, "Reserved instances, 1 year, no upfront"), "%s", text);
	expect_row(text, "m5.large", "m5.large eu-west-1 3 1y, no upfront 90.0 % 40.0 % 7.5 months");
	expect_row(text, "all reservations", "all reservations 90.0 % 40.0 %");
	cr_expect_not_null(strstr(flat, "Compute savings plan, 1 year, no upfront: $1.25 per hour "
				  "utilisation 97.0 %, coverage 22.0 %, break-even 8.0 months of "
				  "use"), "%s", text);
	/* Costs, the baselines and the savings: 300 / 1000 = 30 %, 200 / 900 = 22.2 %. */
	expect_row(text, "this plan", "this plan $700.00 95% CI [$680.00, $720.00] P90 $730.00");
	expect_row(text, "all on demand $", "all on demand $1,000.00 95% CI [$980.00, $1,020.00] "
		   "P90 $1,030.00");
	expect_row(text, "the scenario as written $", "the scenario as written $900.00 95% CI "
		   "[$880.00, $920.00] P90 $930.00");
	expect_row(text, "vs all on demand", "vs all on demand $300.00 (30.0 %) 95% CI "
		   "[$280.00, $320.00]");
	expect_row(text, "vs as written", "vs as written $200.00 (22.2 %) 95% CI "
		   "[$185.00, $215.00]");
	/* The targets, each row in one unit: RTO in minutes (120 s = 2 min, 100 s = 1.67 min,
	 * 140 s = 2.33 min, 300 s = 5 min). */
	expect_row(text, "availability ", "availability 99.9550 % [99.9350 %, 99.9750 %] "
		   ">= 99.900 % met");
	expect_row(text, "latency p99", "latency p99 250 ms [230 ms, 270 ms] <= 500 ms met");
	expect_row(text, "RTO ", "RTO (mean over outages) 2 min [1.67 min, 2.33 min] <= 5 min met");
	expect_row(text, "cost per month (budget)", "cost per month (budget) $700.00 [$680.00, $720.00] "
		   "<= $1,500.00 met");
	/* Cost by tier and option: on demand, spot, reserved, savings plan, total. */
	expect_row(text, "web $", "web $140.00 $100.00 $130.00 $90.00 $460.00");
	expect_row(text, "app $", "app $120.00 $0.00 $0.00 $100.00 $220.00");
	expect_row(text, "unused commitment", "unused commitment $20.00");
	expect_row(text, "all tiers", "all tiers $260.00 $100.00 $130.00 $190.00 $700.00");
	/* The tiers and the unused commitment make the whole $700: no other row. */
	cr_expect_null(strstr(text, "network, DR data"), "%s", text);
	cr_expect_null(strstr(text, "No purchase plan"));
	free(flat);
	free(text);
}

/* A plan whose cost holds more than its instances and commitments (the bytes of calls between
 * regions, DR data): $750 against the tiers' $680 and $20 unused. The table shows the $50 on
 * its own row, and its total is the plan's. */
Test(report_optimize, cost_table_shows_what_no_tier_carries)
{
	struct hand h;
	hand_init(&h);
	h.c[1].cost.mean = 750;
	char *text = text_of(&h.r);
	expect_row(text, "network, DR data", "network, DR data $50.00");
	expect_row(text, "all tiers", "all tiers $260.00 $100.00 $130.00 $190.00 $750.00");
	free(text);
}

/* A tier name longer than the columns (13 in the mix, 17 in the cost table) widens them for
 * every row instead of being cut; the rows stay aligned. */
Test(report_optimize, long_tier_names_are_whole_and_the_columns_follow)
{
	struct hand h;
	hand_init(&h);
	h.tiers[0].name = (char *)"checkout-frontend-web";   /* 21 characters */
	char *text = text_of(&h.r);
	const char *mix = strstr(text, "  checkout-frontend-web on-demand base 2 per region");
	cr_expect_not_null(mix, "%s", text);
	/* The mix's column is 21 wide: "app" padded to it. */
	cr_expect_not_null(strstr(text, "\n  app                   all on demand\n"), "%s", text);
	/* The cost table: the name, then the on-demand figure right-aligned in 13 columns,
	 * and "all tiers" padded to the same 21. */
	cr_expect_not_null(strstr(text, "\n  checkout-frontend-web       $140.00"), "%s", text);
	cr_expect_not_null(strstr(text, "\n  all tiers                   $260.00"), "%s", text);
	free(text);
}

/* No reservation in the plan: when a tier's on-demand type has no catalog row in a region
 * it runs in, the text says that nothing could price one. Both tiers run m5.large; the hand
 * catalog holds its us-east-1 row only, so eu-west-1 (web's first region) is named. */
Test(report_optimize, no_reservation_for_want_of_a_catalog_row_says_so)
{
	struct hand h;
	hand_init(&h);
	h.c[1].commit.nri = 0;
	h.sc.has_catalog = 1;   /* the hand catalog, read */
	char *text = text_of(&h.r);
	cr_expect_not_null(strstr(text, "Reserved instances: none (m5.large in eu-west-1 has no "
				  "catalog row: no reservation price to weigh)\n"), "%s", text);
	free(text);
	/* A file that declares its types and never had the catalog read: said so, not that the
	 * catalog lacks the row. */
	h.sc.has_catalog = 0;
	text = text_of(&h.r);
	cr_expect_not_null(strstr(text, "Reserved instances: none (m5.large is declared in the "
				  "file; its catalog prices were not read)\n"), "%s", text);
	free(text);
	h.sc.has_catalog = 1;
	/* With the eu-west-1 row too, "none" is the optimizer's choice and says nothing more. */
	h.prices[0][0].cat = &h.m5_us;
	text = text_of(&h.r);
	cr_expect_not_null(strstr(text, "Reserved instances: none\n"), "%s", text);
	free(text);
}

Test(report_optimize, text_of_the_scenario_as_written_says_its_commitments_are_its_own)
{
	struct hand h;
	hand_init(&h);
	h.r.best = 3;
	char *text = text_of(&h.r), *flat = squeezed(text);
	check_width(text);
	cr_expect_not_null(strstr(flat, "(candidate 4 in frontier.csv: the scenario as written)"),
			   "%s", text);
	cr_expect_not_null(strstr(flat, "web on-demand base 1 per region, above it 25 % on demand "
				  "and the rest spot spot over c5.large: 5 spot pools (1 type x 5 "
				  "zones)"), "%s", text);
	cr_expect_not_null(strstr(flat, "the scenario's own"), "%s", text);
	expect_row(text, "m5.large", "m5.large us-east-1 2 3y, partial upfront \xe2\x80\x94 "
		   "\xe2\x80\x94 \xe2\x80\x94");
	cr_expect_not_null(strstr(flat, "Compute savings plan, 1 year, no upfront: $0.50 per hour"),
			   "%s", text);
	cr_expect_not_null(strstr(flat, "vs as written none: the plan is the scenario as written"),
			   "%s", text);
	free(flat);
	free(text);
}

Test(report_optimize, text_of_an_infeasible_search_says_why_and_shows_no_plan)
{
	struct hand h;
	hand_init(&h);
	make_infeasible(&h);
	char *text = text_of(&h.r), *flat = squeezed(text);
	check_width(text);
	cr_expect_not_null(strstr(text, "No purchase plan meets the targets."), "%s", text);
	cr_expect_not_null(strstr(text, "Binding target: availability"), "%s", text);
	/* The whole sentence, wrapped over lines of at most 100 columns. */
	cr_expect_not_null(strstr(flat, WHY), "%s", text);
	/* No plan: no mix, commitment, saving or recommendation. */
	static const char *const absent[] = { "RECOMMENDED", "Fleet mix", "Reserved instances",
					       "savings plan", "Saving per month", "c6i.large" };
	for (size_t k = 0; k < sizeof absent / sizeof absent[0]; k++)
		cr_expect_null(strstr(text, absent[k]), "\"%s\" in:\n%s", absent[k], text);
	/* All on demand for reference, against the target it misses: its lower bound 99.93 %
	 * is below 99.99 % and its upper bound 99.97 % too, so the SLO is missed outright. */
	cr_expect_not_null(strstr(flat, "all on demand (candidate 1 in frontier.csv, 20 "
				  "replications)"), "%s", text);
	expect_row(text, "availability ", "availability 99.9500 % [99.9300 %, 99.9700 %] "
		   ">= 99.9900 % missed");
	free(flat);
	free(text);
}

/* ---- JSON ---- */

static const cJSON *get(const cJSON *o, const char *key)
{
	const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, key);
	cr_assert_not_null(x, "no \"%s\"", key);
	return x;
}

static double num(const cJSON *o, const char *key)
{
	const cJSON *x = get(o, key);
	cr_assert(cJSON_IsNumber(x), "\"%s\" is not a number", key);
	return x->valuedouble;
}

static const char *str(const cJSON *o, const char *key)
{
	const cJSON *x = get(o, key);
	cr_assert(cJSON_IsString(x), "\"%s\" is not a string", key);
	return x->valuestring;
}

Test(report_optimize, json_parses_back_with_the_plan_and_every_candidate)
{
	struct hand h;
	hand_init(&h);
	struct run_meta m = { "scenarios/o'shop.json", "ab12", "capsim optimize o'shop.json",
			      "9.9.9", 1795450800, 3.5, NULL, NULL, 0 };
	char *js = report_optimize_json(&h.r, &m);
	cr_assert_not_null(js);
	/* The seed with all its digits (a double would round it to ...552000). */
	cr_expect_not_null(strstr(js, "18446744073709551610"), "%s", js);
	cJSON *root = cJSON_Parse(js);
	cr_assert_not_null(root, "not JSON:\n%s", js);

	cr_expect_str_eq(str(root, "command"), "optimize");
	cr_expect_str_eq(str(root, "scenario"), "o'shop");
	cr_expect_str_eq(str(root, "version"), "9.9.9");
	cr_expect_str_eq(str(root, "started_utc"), "2026-11-23T16:20:00Z");
	cr_expect_str_eq(str(root, "objective"), "mean");
	cr_expect_eq(num(get(root, "replications"), "screening"), 8);
	cr_expect_eq(num(get(root, "replications"), "final"), 20);
	cr_expect_eq(num(root, "candidates_evaluated"), 6);
	cr_expect_eq(num(root, "candidates_pruned"), 1);
	cr_expect(cJSON_IsTrue(get(root, "feasible")));
	cr_expect(cJSON_IsNull(get(root, "why")));
	cr_expect(cJSON_IsNull(get(get(root, "targets"), "rpo_s")), "no RPO target: null");
	cr_expect_eq(num(get(root, "targets"), "rto_s"), 300);

	const cJSON *rec = get(root, "recommendation");
	cr_expect_eq(num(rec, "candidate"), 2);
	cr_expect_str_eq(str(rec, "role"), "searched");
	const cJSON *web = cJSON_GetArrayItem(get(rec, "mix"), 0);
	cr_assert_not_null(web);
	cr_expect_str_eq(str(web, "tier"), "web");
	cr_expect_eq(num(web, "on_demand_base"), 2);
	cr_expect_eq(num(web, "on_demand_pct"), 50);
	cr_expect_eq(num(web, "spot_pools"), 10);
	const cJSON *types = get(web, "spot_types");
	cr_assert_eq(cJSON_GetArraySize(types), 2);
	cr_expect_str_eq(cJSON_GetArrayItem(types, 0)->valuestring, "c6i.large");
	cr_expect_str_eq(cJSON_GetArrayItem(types, 1)->valuestring, "c5.large");
	cr_expect_eq(cJSON_GetArraySize(get(cJSON_GetArrayItem(get(rec, "mix"), 1),
					    "spot_types")), 0);

	const cJSON *cm = get(rec, "commitments");
	const cJSON *ri = cJSON_GetArrayItem(get(cm, "reservations"), 0);
	cr_assert_not_null(ri);
	cr_expect_str_eq(str(ri, "instance_type"), "m5.large");
	cr_expect_str_eq(str(ri, "region"), "eu-west-1");
	cr_expect_eq(num(ri, "count"), 3);
	cr_expect_str_eq(str(ri, "term"), "1y");
	cr_expect_str_eq(str(ri, "payment"), "no_upfront");
	cr_expect_float_eq(num(ri, "usd_hourly"), 0.18, 1e-12);
	cr_expect_eq(num(ri, "utilization"), 0.9);
	cr_expect_eq(num(ri, "breakeven_months"), 7.5);
	cr_expect(cJSON_IsTrue(get(ri, "pays_back")), "a finite break-even pays back");
	cr_expect_eq(num(cm, "ri_coverage"), 0.4);
	const cJSON *sp = cJSON_GetArrayItem(get(cm, "savings_plans"), 0);
	cr_assert_not_null(sp);
	cr_expect_str_eq(str(sp, "plan"), "compute");
	cr_expect(cJSON_IsNull(get(sp, "region")));
	cr_expect_eq(num(sp, "usd_hourly"), 1.25);
	cr_expect_eq(num(sp, "breakeven_months"), 8);

	cr_expect_eq(num(get(rec, "cost_monthly_usd"), "mean"), 700);
	cr_expect_eq(num(get(rec, "cost_monthly_usd"), "ci95_high"), 720);
	cr_expect_eq(num(rec, "cost_p90_usd"), 730);
	cr_expect_eq(num(get(rec, "savings_vs_on_demand"), "mean"), 300);
	cr_expect_float_eq(num(get(rec, "savings_vs_on_demand"), "fraction"), 0.3, 1e-12);
	cr_expect_float_eq(num(get(rec, "savings_vs_as_written"), "fraction"), 200.0 / 900.0,
			   1e-12);
	cr_expect(cJSON_IsNull(get(rec, "rpo_s")));
	cr_expect_eq(num(get(rec, "rto_s"), "mean"), 120);

	/* The constraints the scenario sets, in the optimiser's order, each met. */
	static const char *const names[] = { "availability", "latency", "rto", "budget" };
	static const double target[] = { 0.999, 0.5, 300, 1500 };
	const cJSON *cons = get(rec, "constraints");
	cr_assert_eq(cJSON_GetArraySize(cons), 4);
	for (int k = 0; k < 4; k++) {
		const cJSON *c = cJSON_GetArrayItem(cons, k);
		cr_expect_str_eq(str(c, "name"), names[k]);
		cr_expect_eq(num(c, "target"), target[k]);
		cr_expect(cJSON_IsTrue(get(c, "met")), "%s", names[k]);
	}
	cr_expect_eq(num(cJSON_GetArrayItem(cons, 0), "ci95_low"), 0.99935);

	const cJSON *app = cJSON_GetArrayItem(get(rec, "by_tier"), 1);
	cr_expect_str_eq(str(app, "tier"), "app");
	cr_expect_eq(num(get(app, "instances"), "savings_plan"), 3);
	cr_expect_eq(num(get(app, "cost_monthly_usd"), "on_demand"), 120);

	const cJSON *cands = get(root, "candidates");
	cr_assert_eq(cJSON_GetArraySize(cands), NCAND);
	const cJSON *c3 = cJSON_GetArrayItem(cands, 2);
	cr_expect_eq(num(c3, "id"), 3);
	cr_expect(cJSON_IsTrue(get(c3, "pruned")));
	cr_expect(cJSON_IsFalse(get(c3, "feasible")));
	cr_expect_str_eq(str(c3, "binding"), "availability");
	cr_expect_str_eq(str(c3, "mix"), "web:base=0,od=0%,spot=c6i.large;app:base=0,od=100%");
	cr_expect(cJSON_IsNull(get(c3, "cost_p90_usd")), "NaN is null");
	cr_expect(cJSON_IsNull(get(c3, "rto_s")), "not measured is null");
	cr_expect_eq(num(get(c3, "availability"), "ci95_low"), 0.99);
	const cJSON *c4 = cJSON_GetArrayItem(cands, 3);
	cr_expect_str_eq(str(c4, "role"), "as_written");
	cr_expect_eq(num(c4, "reserved_instances"), 2);
	cr_expect_eq(num(c4, "savings_plan_usd_hourly"), 0.5);
	cr_expect(cJSON_IsTrue(get(cJSON_GetArrayItem(cands, 1), "recommended")));
	cr_expect(cJSON_IsFalse(get(c4, "recommended")));
	cJSON_Delete(root);
	free(js);
}

/* JSON has no infinity: a commitment the usage never pays back (break-even Inf) and one whose
 * break-even was not measured (NaN) both print breakeven_months null, and pays_back tells
 * them apart (false, null). */
Test(report_optimize, json_tells_never_paid_back_from_unmeasured)
{
	struct hand h;
	hand_init(&h);
	h.ri[0].breakeven_months = NAN;
	h.c[1].commit.sp_breakeven_months = INFINITY;
	char *js = report_optimize_json(&h.r, NULL);
	cr_assert_not_null(js);
	cJSON *root = cJSON_Parse(js);
	cr_assert_not_null(root, "%s", js);
	const cJSON *cm = get(get(root, "recommendation"), "commitments");
	const cJSON *ri = cJSON_GetArrayItem(get(cm, "reservations"), 0);
	const cJSON *sp = cJSON_GetArrayItem(get(cm, "savings_plans"), 0);
	cr_assert(ri && sp);
	cr_expect(cJSON_IsNull(get(ri, "breakeven_months")) && cJSON_IsNull(get(ri, "pays_back")));
	cr_expect(cJSON_IsNull(get(sp, "breakeven_months")));
	cr_expect(cJSON_IsFalse(get(sp, "pays_back")), "never paid back is false, not null");
	cJSON_Delete(root);
	free(js);
}

Test(report_optimize, json_of_an_infeasible_search_has_no_recommendation_and_says_why)
{
	struct hand h;
	hand_init(&h);
	make_infeasible(&h);
	char *js = report_optimize_json(&h.r, NULL);
	cr_assert_not_null(js);
	cJSON *root = cJSON_Parse(js);
	cr_assert_not_null(root);
	cr_expect(cJSON_IsFalse(get(root, "feasible")));
	cr_expect(cJSON_IsNull(get(root, "recommendation")));
	cr_expect_str_eq(str(root, "binding"), "availability");
	cr_expect_str_eq(str(root, "why"), WHY);
	cr_expect(cJSON_IsNull(get(root, "scenario_path")), "no meta: null");
	cr_expect_eq(cJSON_GetArraySize(get(root, "candidates")), NCAND);
	cJSON_Delete(root);
	free(js);
}

/* ---- plots ---- */

static char *write_all(const struct hand *h)
{
	char *dir = fake_tmpdir(), *path = fake_path(dir, "frontier.csv");
	char err[512] = "";
	cr_assert_eq(report_frontier_csv(&h->r, path, err, sizeof err), 0, "%s", err);
	cr_assert_eq(report_optimize_plots(&h->r, dir, err, sizeof err), 0, "%s", err);
	free(path);
	return dir;
}

/* Outside single-quoted gnuplot strings a quote of a name would end the string: every quote
 * of "o'shop" and "app'2" in the scripts is doubled. */
static void check_quoted(const char *dir, const char *name)
{
	char *path = fake_path(dir, name), *gp = fake_slurp(path, NULL);
	cr_assert_not_null(gp, "%s missing", path);
	cr_expect_not_null(strstr(gp, "o''shop"), "%s", gp);
	for (const char *p = gp; (p = strstr(p, "shop")); p++)
		cr_expect(p - gp >= 3 && strncmp(p - 3, "o''", 3) == 0,
			  "%s: a name not quoted at offset %ld", name, (long)(p - gp));
	for (const char *p = gp; (p = strstr(p, "app'")); p++)
		cr_expect(strncmp(p, "app''2", 6) == 0, "%s: app'2 not quoted", name);
	free(gp);
	free(path);
}

Test(report_optimize, plot_scripts_and_mix_csv_are_written_with_names_quoted)
{
	struct hand h;
	hand_init(&h);
	h.tiers[1].name = (char *)"app'2";
	char *dir = write_all(&h);
	check_quoted(dir, "frontier.gp");
	check_quoted(dir, "mix.gp");
	char *gp_path = fake_path(dir, "mix.gp"), *gp = fake_slurp(gp_path, NULL);
	cr_expect_not_null(strstr(gp, "set label 2 'app''2'"), "%s", gp);
	free(gp);
	free(gp_path);

	/* mix.csv: the recommendation and all on demand side by side per tier (slots 0, 1 for
	 * web, 3, 4 for app), instances then USD by option (on demand, spot, reserved, plan). */
	char *path = fake_path(dir, "mix.csv");
	struct table t;
	table_read(path, &t);
	static const char *const want[][11] = {
		{ "slot", "on_demand_instances", "spot_instances", "reserved_instances",
		  "savings_plan_instances", "on_demand_usd", "spot_usd", "reserved_usd",
		  "savings_plan_usd", "tier", "candidate" },
		{ "0", "2", "4", "3", "1", "140", "100", "130", "90", "web", "recommended" },
		{ "1", "10", "0", "0", "0", "600", "0", "0", "0", "web", "all_on_demand" },
		{ "3", "1", "0", "0", "3", "120", "0", "0", "100", "app'2", "recommended" },
		{ "4", "4", "0", "0", "0", "400", "0", "0", "0", "app'2", "all_on_demand" },
	};
	cr_assert_eq(t.nrows, 5);
	for (size_t i = 0; i < 5; i++) {
		cr_assert_eq(t.ncols[i], 11);
		for (size_t k = 0; k < 11; k++)
			cr_expect_str_eq(t.cell[i][k], want[i][k], "mix.csv row %zu column %zu", i,
					 k + 1);
	}
	table_release(&t);
	free(path);
	fake_rmtree(dir);
}

/* Money on the plots reads as in the text: "$1,000", never gnuplot's "$1000". The frontier's
 * cost axis spans the intervals 560 to 1020 padded by 8 % of their 460 ($36.80) on each side,
 * [523.2, 1056.8]; an eighth of that, $66.70, rounds up to a step of $100: tics at $600 to
 * $1,000, none outside the range, each grouped. */
Test(report_optimize, frontier_cost_tics_group_thousands)
{
	struct hand h;
	hand_init(&h);
	char *dir = write_all(&h), *path = fake_path(dir, "frontier.gp");
	char *gp = fake_slurp(path, NULL);
	cr_expect_not_null(strstr(gp, "set yrange [523.2:1056.8]\n"), "%s", gp);
	cr_expect_not_null(strstr(gp, "set ytics (\"$600\" 600, \"$700\" 700, \"$800\" 800, "
				  "\"$900\" 900, \"$1,000\" 1000)\n"), "%s", gp);
	cr_expect_null(strstr(gp, "set format y"), "%s", gp);
	free(gp);
	free(path);
	fake_rmtree(dir);
}

/* The mix's cost panel with every tier cost ten times the hand result's: all on demand's web
 * is the tallest bar, $6,000; with room for its label (8 %) the axis must reach $6,480, an
 * eighth of which ($810) rounds up to a step of $1,000, so the axis ends at $7,000. The bars'
 * totals are grouped too: the recommendation's web 1,400 + 1,000 + 1,300 + 900 = $4,600, its
 * app 1,200 + 1,000 = $2,200, all on demand's $6,000 and $4,000 (read back from gnuplot's
 * table of the labels when gnuplot is installed). */
Test(report_optimize, mix_cost_axis_and_totals_group_thousands)
{
	struct hand h;
	hand_init(&h);
	for (size_t i = 0; i < NCAND; i++)
		for (size_t k = 0; k < NTIERS * BILL_NOPTIONS; k++)
			h.cost[i][k] *= 10;
	char *dir = write_all(&h), *path = fake_path(dir, "mix.gp");
	char *gp = fake_slurp(path, NULL);
	cr_expect_not_null(strstr(gp, "set yrange [0:7000]\nset ytics (\"$0\" 0, \"$1,000\" 1000, "
				  "\"$2,000\" 2000, \"$3,000\" 3000, \"$4,000\" 4000, "
				  "\"$5,000\" 5000, \"$6,000\" 6000, \"$7,000\" 7000)\n"), "%s", gp);
	cr_expect_null(strstr(gp, "$%.0f"), "%s", gp);
	if (fake_have_gnuplot()) {
		size_t n;
		free(fake_gnuplot_table(dir, "mix", &n));
		char *tpath = fake_path(dir, "table.txt"), *table = fake_slurp(tpath, NULL);
		static const char *const totals[] = { "\"$4,600\"", "\"$6,000\"", "\"$2,200\"",
						      "\"$4,000\"", "\"10.0\"" };
		for (size_t i = 0; i < sizeof totals / sizeof totals[0]; i++)
			cr_expect_not_null(strstr(table, totals[i]), "%s not in\n%s", totals[i],
					   table);
		free(table);
		free(tpath);
	}
	free(gp);
	free(path);
	fake_rmtree(dir);
}

Test(report_optimize, frontier_plots_unavailability_against_cost_with_the_pareto_front)
{
	if (!fake_have_gnuplot())
		cr_skip_test("gnuplot is not installed");
	struct hand h;
	hand_init(&h);
	char *dir = write_all(&h);
	size_t n;
	struct curve *c = fake_gnuplot_table(dir, "frontier", &n);

	/* x is 1 - availability: candidate 3 (0.995) at 0.005, the recommendation (0.99955) at
	 * 0.00045. The feasible points are candidates 1, 2 and 4 (in file order); the front joins
	 * the two Pareto-optimal ones sorted by x: (0.00045, 700) then (0.005, 600). Candidate 3
	 * was pruned during screening: drawn apart, its key entry saying so. */
	const struct curve *bad = fake_curve(c, n, "misses a target, pruned early (8 "
					     "replications)", 0);
	size_t nb = 0;
	for (size_t i = 0; i < bad->n; i++)
		if (!isnan(bad->y[i])) {
			cr_expect_float_eq(bad->x[i], 0.005, 1e-12);
			cr_expect_float_eq(bad->y[i], 600, 1e-9);
			nb++;
		}
	cr_expect_eq(nb, 1);
	const struct curve *good = fake_curve(c, n, "meets the targets", 0);
	static const double gx[] = { 0.0005, 0.00045, 0.0006 }, gy[] = { 1000, 700, 900 };
	size_t ng = 0;
	for (size_t i = 0; i < good->n; i++)
		if (!isnan(good->y[i])) {
			cr_assert_lt(ng, 3);
			cr_expect_float_eq(good->x[i], gx[ng], 1e-12, "point %zu", ng);
			cr_expect_float_eq(good->y[i], gy[ng], 1e-9, "point %zu", ng);
			ng++;
		}
	cr_expect_eq(ng, 3);
	const struct curve *front = fake_curve(c, n, "Pareto front (no candidate cheaper and more "
					  "available)", 0);
	cr_assert_eq(front->n, 2);
	cr_expect_float_eq(front->x[0], 0.00045, 1e-12);
	cr_expect_float_eq(front->y[0], 700, 1e-9);
	cr_expect_float_eq(front->x[1], 0.005, 1e-12);
	cr_expect_float_eq(front->y[1], 600, 1e-9);
	free(c);
	fake_rmtree(dir);
}

/* Candidates alike make a front of one point, which a line alone would not draw: the front is
 * drawn with points, and its key entry says the candidates coincide. A candidate pruned
 * halfway through screening (4 of 8 replications, so wider intervals) is on a series of its
 * own, named with its replications, and on no other; the others on theirs. */
Test(report_optimize, a_one_point_front_is_drawn_and_pruned_candidates_apart)
{
	if (!fake_have_gnuplot())
		cr_skip_test("gnuplot is not installed");
	struct hand h;
	hand_init(&h);
	struct opt_candidate *c = &h.c[2];
	c->reps = 4;
	c->binding = OPT_FEASIBLE;
	c->cost = h.c[1].cost;
	c->availability = h.c[1].availability;
	h.c[3].pruned = 1;
	h.c[3].reps = 4;
	char *dir = write_all(&h);
	char *gp = fake_path(dir, "frontier.gp"), *text = fake_slurp(gp, NULL);
	cr_expect_not_null(strstr(text, "smooth unique with linespoints"), "%s", text);
	size_t n;
	struct curve *cv = fake_gnuplot_table(dir, "frontier", &n);
	const struct curve *front = fake_curve(cv, n, "Pareto front: 2 candidates alike at one "
					       "point (none cheaper and more available)", 0);
	cr_assert_eq(front->n, 1);
	cr_expect_float_eq(front->x[0], 0.00045, 1e-12);
	cr_expect_float_eq(front->y[0], 700, 1e-9);
	/* Full: candidates 1 and 2; pruned: 3 and 4, in file order. */
	const struct {
		const char *title;
		double x[2], y[2];
	} want[] = {
		{ "meets the targets", { 0.0005, 0.00045 }, { 1000, 700 } },
		{ "meets the targets, pruned early (4 replications)", { 0.00045, 0.0006 },
		  { 700, 900 } },
	};
	for (size_t k = 0; k < 2; k++) {
		const struct curve *s = fake_curve(cv, n, want[k].title, 0);
		size_t m = 0;
		for (size_t i = 0; i < s->n; i++)
			if (!isnan(s->y[i])) {
				cr_assert_lt(m, 2, "%s", want[k].title);
				cr_expect_float_eq(s->x[i], want[k].x[m], 1e-12, "%s", want[k].title);
				cr_expect_float_eq(s->y[i], want[k].y[m], 1e-9, "%s", want[k].title);
				m++;
			}
		cr_expect_eq(m, 2, "%s", want[k].title);
	}
	for (size_t i = 0; i < n; i++)
		cr_expect_null(strstr(cv[i].title, "misses a target"), "%s", cv[i].title);
	free(cv);
	free(text);
	free(gp);
	fake_rmtree(dir);
}

static void render_both(const char *dir)
{
	char err[512] = "";
	for (int i = 0; i < REPORT_OPT_NPLOTS; i++) {
		const char *name = report_opt_plot_names[i];
		cr_assert_eq(report_plot_render_one(dir, name, err, sizeof err), 0, "%s", err);
		char png[64];
		snprintf(png, sizeof png, "%s.png", name);
		char *path = fake_path(dir, png);
		struct stat s;
		cr_assert_eq(stat(path, &s), 0, "%s missing", path);
		cr_expect_gt(s.st_size, 1000, "%s is %ld bytes", path, (long)s.st_size);
		free(path);
	}
}

Test(report_optimize, plots_render_to_non_empty_pngs)
{
	if (!fake_have_gnuplot())
		cr_skip_test("gnuplot is not installed");
	struct hand h;
	hand_init(&h);
	h.tiers[1].name = (char *)"app'2";
	char *dir = write_all(&h);
	render_both(dir);
	fake_rmtree(dir);
}

Test(report_optimize, plots_of_an_infeasible_search_show_all_on_demand_alone)
{
	struct hand h;
	hand_init(&h);
	make_infeasible(&h);
	/* Candidate 2 reached 100 % at its upper bound: drawn at the "100 %" end of the axis. */
	h.c[1].availability.ci95_high = 1.0;
	char *dir = write_all(&h), *path = fake_path(dir, "mix.csv");
	struct table t;
	table_read(path, &t);
	cr_assert_eq(t.nrows, 3, "one bar per tier");
	cr_expect_str_eq(t.cell[1][0], "0");
	cr_expect_str_eq(t.cell[1][1], "10");
	cr_expect_str_eq(t.cell[1][10], "all_on_demand");
	cr_expect_str_eq(t.cell[2][0], "1");
	table_release(&t);
	char *gp_path = fake_path(dir, "frontier.gp"), *gp = fake_slurp(gp_path, NULL);
	/* Tics at 1 - a = 0.01, 0.001, 0.0001 (the SLO's), then "100 %" a decade below. */
	cr_expect_not_null(strstr(gp, "set xtics (\"99 %%\" 0.01, \"99.9 %%\" 0.001, "
				  "\"99.99 %%\" 0.0001, \"100 %%\" 1e-05)"), "%s", gp);
	/* No candidate meets the targets and none is recommended: those series are left out
	 * (gnuplot run by hand warns about a series with no valid points); the ones with rows
	 * stay. */
	cr_expect_null(strstr(gp, "title \"meets the targets\""), "%s", gp);
	cr_expect_null(strstr(gp, "C_RECOMMENDED) == 1 ?"), "%s", gp);
	cr_expect_not_null(strstr(gp, "misses a target"), "%s", gp);
	cr_expect_not_null(strstr(gp, "'all_on_demand'"), "%s", gp);
	cr_expect_not_null(strstr(gp, "'as_written'"), "%s", gp);
	free(gp);
	free(gp_path);
	if (fake_have_gnuplot())
		render_both(dir);
	free(path);
	fake_rmtree(dir);
}

/* ---- results.db ---- */

static struct run_meta meta(void)
{
	return (struct run_meta){ "scenarios/o'shop.json", "ab12", "capsim optimize o'shop.json",
				  "0.1.0", 1795450800, 3.5, NULL, NULL, 0 };
}

static char *dump_runs_of(sqlite3 *h, int id)
{
	static const char *const tables[] = { "runs", "metrics", "timeseries", "costs", "bills",
					      "events" };
	char *all = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&all, &len);
	cr_assert_not_null(f);
	for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
		char sql[128];
		snprintf(sql, sizeof sql, "SELECT * FROM %s WHERE %s = %d ORDER BY rowid", tables[i],
			 i ? "run_id" : "id", id);
		char *part = fake_db_dump(h, sql);
		fputs(part, f);
		free(part);
	}
	fclose(f);
	return all;
}

Test(report_optimize, db_an_optimisation_appended_to_a_v2_database_keeps_its_runs)
{
	struct fake f;
	fake_init(&f);
	struct hand h;
	hand_init(&h);
	struct run_meta m = meta();
	char *dir = fake_tmpdir(), *path = fake_path(dir, "results.db");
	char err[512] = "";
	int64_t id = 0;

	/* A run alone makes a version-4 database: no optimiser tables yet. */
	cr_assert_eq(report_db_append(path, &f.r, &m, &id, err, sizeof err), 0, "%s", err);
	cr_assert_eq(id, 1);
	sqlite3 *db = fake_db_open(path);
	cr_assert_eq(fake_db_int(db, "PRAGMA user_version"), 5);
	cr_assert_eq(fake_db_int(db, "SELECT count(*) FROM sqlite_schema WHERE name LIKE 'opt_%'"),
		     0);
	char *before = dump_runs_of(db, 1);
	sqlite3_close(db);

	cr_assert_eq(report_db_append_optimize(path, &h.r, &m, &id, err, sizeof err), 0, "%s",
		     err);
	cr_assert_eq(id, 2);
	db = fake_db_open(path);
	cr_assert_eq(fake_db_int(db, "PRAGMA user_version"), 5);
	char *after = dump_runs_of(db, 1);
	cr_assert_str_eq(after, before, "run 1 changed");
	/* The optimisation's runs row: the final replications, the seed bit for bit, no
	 * threads, bucket or events. */
	cr_expect_eq(fake_db_int(db, "SELECT count(*) FROM runs WHERE id = 2 AND"
				 " scenario = 'o''shop' AND replications = 20 AND"
				 " threads IS NULL AND bucket_s IS NULL AND events_dropped IS NULL"
				 " AND horizon_s = 604800 AND"
				 " started_utc = '2026-11-23T16:20:00Z'"), 1);
	cr_expect_eq((uint64_t)fake_db_int(db, "SELECT seed FROM runs WHERE id = 2"), SEED);
	char *opt = fake_db_dump(db, "SELECT objective, replications, final_replications,"
				 " candidates_evaluated, replications_simulated, recommended,"
				 " binding, why FROM opt_runs");
	cr_expect_str_eq(opt, "mean|8|20|6|300|2|\\N|\\N\n");
	free(opt);
	char *cand = fake_db_dump(db, "SELECT id, role, stage, replications, pruned, mix,"
				  " reserved_instances, savings_plan_usd_hourly, cost_monthly_usd,"
				  " cost_ci95_low, cost_ci95_high, cost_p90_usd,"
				  " unused_commitment_usd, availability, rto_s, rpo_s, feasible,"
				  " binding, pareto, recommended"
				  " FROM opt_candidates WHERE run_id = 2 ORDER BY id");
	cr_expect_str_eq(cand,
		"1|all_on_demand|2|20|0|web:base=0,od=100%;app:base=0,od=100%|0|0.0|1000.0|980.0|"
		"1020.0|1030.0|0.0|0.9995|150.0|\\N|1|feasible|0|0\n"
		"2|searched|2|20|0|web:base=2,od=50%,spot=c6i.large+c5.large;app:base=1,od=100%|3|"
		"1.25|700.0|680.0|720.0|730.0|20.0|0.99955|120.0|\\N|1|feasible|1|1\n"
		"3|searched|1|8|1|web:base=0,od=0%,spot=c6i.large;app:base=0,od=100%|0|0.0|600.0|"
		"560.0|640.0|\\N|0.0|0.995|\\N|\\N|0|availability|1|0\n"
		"4|as_written|2|20|0|web:base=1,od=25%,spot=c5.large;app:base=0,od=100%|2|0.5|900.0|"
		"880.0|920.0|930.0|0.0|0.9994|160.0|\\N|1|feasible|0|0\n");
	free(cand);
	/* Candidate 2's reservation ($0.18/h) and plan; the scenario's own for candidate 4
	 * ($0.30/h at the catalog's fee), their use unmeasured. */
	char *cm = fake_db_dump(db, "SELECT candidate_id, kind, instance_type, plan, family,"
				" region, count, term, payment, round(usd_hourly, 9), utilization,"
				" coverage, breakeven_months FROM opt_commitments WHERE run_id = 2"
				" ORDER BY rowid");
	cr_expect_str_eq(cm,
		"2|reserved|m5.large|\\N|\\N|eu-west-1|3|1y|no_upfront|0.18|0.9|0.4|7.5\n"
		"2|savings_plan|\\N|compute|\\N|\\N|\\N|1y|\\N|1.25|0.97|0.22|8.0\n"
		"4|reserved|m5.large|\\N|\\N|us-east-1|2|3y|partial_upfront|0.3|\\N|\\N|\\N\n"
		"4|savings_plan|\\N|compute|\\N|\\N|\\N|1y|\\N|0.5|\\N|\\N|\\N\n");
	free(cm);
	cr_expect_eq(fake_db_int(db, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
	sqlite3_close(db);

	/* A run appended after it keeps the database at version 4. */
	cr_assert_eq(report_db_append(path, &f.r, &m, &id, err, sizeof err), 0, "%s", err);
	cr_assert_eq(id, 3);
	db = fake_db_open(path);
	cr_expect_eq(fake_db_int(db, "PRAGMA user_version"), 5);
	cr_expect_eq(fake_db_int(db, "SELECT count(*) FROM runs"), 3);
	cr_expect_eq(fake_db_int(db, "SELECT count(*) FROM opt_candidates"), NCAND);
	sqlite3_close(db);
	free(before);
	free(after);
	fake_release(&f);
	free(path);
	fake_rmtree(dir);
}

Test(report_optimize, db_two_optimisations_are_two_runs)
{
	struct hand h;
	hand_init(&h);
	struct run_meta m = meta();
	char *dir = fake_tmpdir(), *path = fake_path(dir, "results.db");
	char err[512] = "";
	int64_t id = 0;

	cr_assert_eq(report_db_append_optimize(path, &h.r, &m, &id, err, sizeof err), 0, "%s",
		     err);
	cr_assert_eq(id, 1);
	sqlite3 *db = fake_db_open(path);
	char *first = fake_db_dump(db, "SELECT * FROM opt_candidates WHERE run_id = 1 ORDER BY id");
	sqlite3_close(db);
	/* The second finds nothing. */
	make_infeasible(&h);
	cr_assert_eq(report_db_append_optimize(path, &h.r, NULL, &id, err, sizeof err), 0, "%s",
		     err);
	cr_assert_eq(id, 2);
	db = fake_db_open(path);
	cr_expect_eq(fake_db_int(db, "PRAGMA user_version"), 5);
	cr_expect_eq(fake_db_int(db, "SELECT count(*) FROM runs"), 2);
	cr_expect_eq(fake_db_int(db, "SELECT count(*) FROM runs WHERE command = 'optimize'"), 2);
	cr_expect_eq(fake_db_int(db, "SELECT count(*) FROM opt_runs"), 2);
	cr_expect_eq(fake_db_int(db, "SELECT count(*) FROM opt_candidates"), 2 * NCAND);
	cr_expect_eq(fake_db_int(db, "SELECT count(*) FROM opt_commitments"), 2 * 4);
	char *again = fake_db_dump(db, "SELECT * FROM opt_candidates WHERE run_id = 1 ORDER BY id");
	cr_expect_str_eq(again, first, "the first optimisation changed");
	char *why = fake_db_dump(db, "SELECT recommended, binding, why FROM opt_runs"
				 " WHERE run_id = 2");
	cr_expect_str_eq(why, "\\N|availability|" WHY "\n");
	free(why);
	cr_expect_eq(fake_db_int(db, "SELECT count(*) FROM opt_candidates WHERE run_id = 2 AND"
				 " recommended = 1"), 0);
	cr_expect_eq(fake_db_int(db, "SELECT count(*) FROM runs WHERE id = 2 AND args IS NULL"), 1);
	cr_expect_eq(fake_db_int(db, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
	sqlite3_close(db);
	free(first);
	free(again);
	free(path);
	fake_rmtree(dir);
}

Test(report_optimize, db_a_version_1_database_is_upgraded_through_2_to_3)
{
	/* The version-1 layout (reports/db.c before version 2) with one run. */
	static const char ddl[] =
		"CREATE TABLE runs (id INTEGER PRIMARY KEY, scenario TEXT NOT NULL,"
		" scenario_path TEXT, scenario_sha256 TEXT, seed INTEGER NOT NULL,"
		" replications INTEGER NOT NULL, threads INTEGER, version TEXT, args TEXT,"
		" started_utc TEXT, elapsed_s REAL, horizon_s REAL, step_s REAL, bucket_s REAL,"
		" events_dropped INTEGER);"
		"CREATE TABLE metrics (run_id INTEGER NOT NULL REFERENCES runs(id),"
		" metric TEXT NOT NULL, unit TEXT,"
		" mean REAL, ci95_low REAL, ci95_high REAL, p5 REAL, p50 REAL, p95 REAL);"
		"CREATE TABLE costs (run_id INTEGER NOT NULL REFERENCES runs(id),"
		" month INTEGER NOT NULL, region TEXT NOT NULL, tier TEXT NOT NULL,"
		" purchase_option TEXT NOT NULL,"
		" mean_usd REAL, ci95_low REAL, ci95_high REAL, p5 REAL, p50 REAL, p95 REAL);"
		"CREATE TABLE timeseries (run_id INTEGER NOT NULL REFERENCES runs(id),"
		" time_s REAL NOT NULL, region TEXT NOT NULL, tier TEXT NOT NULL,"
		" demand_rps REAL, capacity_rps REAL, instances REAL, in_service REAL,"
		" utilization REAL, wait_prob REAL, latency_pct_s REAL, served_rps REAL,"
		" failed_rps REAL, cost_per_hour REAL);"
		"CREATE TABLE events (run_id INTEGER NOT NULL REFERENCES runs(id),"
		" replication INTEGER NOT NULL, time_s REAL NOT NULL, region TEXT,"
		" tier TEXT, kind TEXT NOT NULL, value REAL, detail TEXT);"
		"INSERT INTO runs VALUES (1, 'old', 'scenarios/old.json', 'ab', 7, 3, 1, '0.1.0',"
		" 'run old', '2026-01-02T03:04:05Z', 1.5, 86400, 60, 3600, 0);"
		"INSERT INTO timeseries VALUES (1, 0, 'eu-west-1', 'web', 500, 800, 4, 4, 0.625,"
		" 0.1, 0.2, 500, 0, 1);"
		"PRAGMA user_version = 1;";
	struct hand h;
	hand_init(&h);
	char *dir = fake_tmpdir(), *path = fake_path(dir, "results.db");
	char err[512] = "";
	int64_t id = 0;
	sqlite3 *db;
	cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(db, ddl, NULL, NULL, NULL), SQLITE_OK, "%s", sqlite3_errmsg(db));
	char *before = fake_db_dump(db, "SELECT * FROM runs");
	sqlite3_close(db);

	cr_assert_eq(report_db_append_optimize(path, &h.r, NULL, &id, err, sizeof err), 0, "%s",
		     err);
	cr_assert_eq(id, 2);
	db = fake_db_open(path);
	cr_expect_eq(fake_db_int(db, "PRAGMA user_version"), 5);
	/* The old row as it was, and the columns version 4 added empty. */
	char *after = fake_db_dump(db, "SELECT id, scenario, scenario_path, scenario_sha256, seed,"
				   " replications, threads, version, args, started_utc, elapsed_s,"
				   " horizon_s, step_s, bucket_s, events_dropped FROM runs WHERE id = 1");
	cr_expect_str_eq(after, before);
	cr_expect_eq(fake_db_int(db, "SELECT count(*) FROM runs WHERE id = 1 AND command IS NULL"
				 " AND part IS NULL"), 1);
	/* Version 2's step: the time series' purchase columns, empty for the old row. */
	cr_expect_eq(fake_db_int(db, "SELECT count(*) FROM timeseries WHERE run_id = 1 AND"
				 " paid_spot IS NULL AND demand_rps = 500"), 1);
	cr_expect_eq(fake_db_int(db, "SELECT count(*) FROM pragma_table_info('bills')"), 7);
	cr_expect_eq(fake_db_int(db, "SELECT count(*) FROM opt_candidates WHERE run_id = 2"),
		     NCAND);
	sqlite3_close(db);
	free(before);
	free(after);
	free(path);
	fake_rmtree(dir);
}

Test(report_optimize, db_a_failed_optimisation_append_leaves_the_database_as_it_was)
{
	/* A version-3 database whose opt_commitments lost a column: the append fails on its
	 * last table, after its run and candidates went in, and takes them all back. */
	struct hand h;
	hand_init(&h);
	char *dir = fake_tmpdir(), *path = fake_path(dir, "results.db");
	char err[512] = "";
	int64_t id = 0;
	cr_assert_eq(report_db_append_optimize(path, &h.r, NULL, &id, err, sizeof err), 0, "%s",
		     err);
	sqlite3 *db = fake_db_open(path);
	cr_assert_eq(sqlite3_exec(db, "ALTER TABLE opt_commitments DROP COLUMN family", NULL, NULL,
				  NULL),
		     SQLITE_OK, "%s", sqlite3_errmsg(db));
	char *before = fake_db_dump(db, "SELECT * FROM opt_candidates ORDER BY run_id, id");
	sqlite3_close(db);

	id = -1;
	cr_assert_eq(report_db_append_optimize(path, &h.r, NULL, &id, err, sizeof err),
		     CAPSIM_EIO);
	cr_expect_eq(id, -1);
	cr_expect_not_null(strstr(err, "family"), "err: %s", err);
	db = fake_db_open(path);
	cr_expect_eq(fake_db_int(db, "SELECT count(*) FROM runs"), 1);
	cr_expect_eq(fake_db_int(db, "SELECT count(*) FROM opt_runs"), 1);
	char *after = fake_db_dump(db, "SELECT * FROM opt_candidates ORDER BY run_id, id");
	cr_expect_str_eq(after, before);
	sqlite3_close(db);
	free(before);
	free(after);
	free(path);
	fake_rmtree(dir);
}

/* A target no outage measured reads "unmeasured", whole within the 100 columns: candidate 3
 * (index 2) has no RTO against the 5-minute target. */
Test(report_optimize, a_target_no_outage_measured_reads_unmeasured_in_full)
{
	struct hand h;
	hand_init(&h);
	h.r.best = 2;
	char *text = text_of(&h.r);
	check_width(text);
	expect_row(text, "RTO ", "RTO (mean over outages) \xe2\x80\x94 no outage measured one <= 5 min "
		   "unmeasured");
	free(text);
}
