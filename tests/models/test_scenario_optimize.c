/* Scenario loading of the "optimize" block: the documented defaults with and without it,
 * values as written, grids expanded, and mistakes with their line and path. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/catalog.h"
#include "models/scenario.h"
#include "sim/error.h"

/* Percentages are short decimals divided once by 100: within a few ulps of the hand value. */
static void assert_near(double got, double want, const char *what)
{
	cr_assert(fabs(got - want) <= 1e-12 * fmax(1.0, fabs(want)), "%s: got %.17g, want %.17g",
		  what, got, want);
}

/* Lines 1-16 of every test scenario; `rest` starts on line 17. instance_types: [0] a,
 * [1] b, [2] c, [3] d declare spot data (so in every region), [4] plain declares none and
 * the catalog does not have it. Both regions hold every tier (the default placement). The
 * chain is web -> app -> cache -> db, so db is the last tier on it:
 *   web   plain, autoscaling min 2, purchase spot_types a, b, c, d
 *   app   a,     min 0 (desired 2), no purchase
 *   cache plain, min 1, no purchase
 *   db    b,     min 3, no purchase */
static const char head[] =
	"{ \"name\": \"o\", \"version\": 1, \"replications\": %d,\n"
	"  \"traffic\": { \"base_rate\": 100 },\n"
	"  \"instance_types\": [\n"
	"    { \"name\": \"a\", \"vcpu\": 2, \"memory_gib\": 4, \"price_hourly\": 0.1,"
	" \"spot_discount\": 0.6, \"spot_interruption\": \"<5%%\" },\n"
	"    { \"name\": \"b\", \"vcpu\": 2, \"memory_gib\": 4, \"price_hourly\": 0.1,"
	" \"spot_discount\": 0.5, \"spot_interruption\": \"5-10%%\" },\n"
	"    { \"name\": \"c\", \"vcpu\": 2, \"memory_gib\": 4, \"price_hourly\": 0.1,"
	" \"spot_discount\": 0.7, \"spot_interruption\": \"10-15%%\" },\n"
	"    { \"name\": \"d\", \"vcpu\": 2, \"memory_gib\": 4, \"price_hourly\": 0.1,"
	" \"spot_discount\": 0.4, \"spot_interruption\": \">20%%\" },\n"
	"    { \"name\": \"plain\", \"vcpu\": 2, \"memory_gib\": 4, \"price_hourly\": 0.1 } ],\n"
	"  \"regions\": [ { \"name\": \"eu-west-1\", \"zones\": [\"a\", \"b\"] },"
	" { \"name\": \"us-east-1\", \"zones\": [\"a\"] } ],\n"
	"  \"tiers\": [\n"
	"    { \"name\": \"web\", \"instance_type\": \"plain\", \"capacity_rps\": 100,"
	" \"calls\": \"app\",\n"
	"      \"autoscaling\": { \"min\": 2, \"max\": 10 },\n"
	"      \"purchase\": { \"on_demand_percentage_above_base\": 50,"
	" \"spot_types\": [\"a\", \"b\", \"c\", \"d\"] } },\n"
	"    { \"name\": \"app\", \"instance_type\": \"a\", \"capacity_rps\": 100,"
	" \"calls\": \"cache\", \"autoscaling\": { \"min\": 0, \"max\": 10, \"desired\": 2 } },\n"
	"    { \"name\": \"cache\", \"instance_type\": \"plain\", \"capacity_rps\": 100,"
	" \"calls\": \"db\", \"autoscaling\": { \"min\": 1, \"max\": 4 } },\n"
	"    { \"name\": \"db\", \"instance_type\": \"b\", \"capacity_rps\": 100,"
	" \"autoscaling\": { \"min\": 3, \"max\": 3 } } ],\n"
	"  %s }\n";

enum { A, B, C, D, PLAIN };                /* instance_types indexes */
enum { WEB, APP, CACHE, DB };              /* tiers indexes */

/* The scenario of head with `replications` and `rest` (which must not be empty: use a
 * "_comment" for no block). */
static int load(int replications, const char *rest, struct scenario *sc,
		struct scenario_error *err)
{
	char text[8192];
	int n = snprintf(text, sizeof text, head, replications, rest);
	cr_assert(n > 0 && (size_t)n < sizeof text);
	return scenario_parse(text, (size_t)n, "o.json", sc, err);
}

static void assert_ints(const int *got, size_t n, const int *want, size_t nwant,
			const char *what)
{
	cr_assert_eq(n, nwant, "%s: %zu values, want %zu", what, n, nwant);
	for (size_t i = 0; i < n; i++)
		cr_assert_eq(got[i], want[i], "%s[%zu]: got %d, want %d", what, i, got[i], want[i]);
}

static void assert_types(const size_t *got, size_t n, const size_t *want, size_t nwant,
			 const char *what)
{
	cr_assert_eq(n, nwant, "%s: %zu types, want %zu", what, n, nwant);
	for (size_t i = 0; i < n; i++)
		cr_assert_eq(got[i], want[i], "%s[%zu]: got %zu, want %zu", what, i, got[i],
			     want[i]);
}

static void assert_fracs(const double *got, size_t n, const double *want, size_t nwant,
			 const char *what)
{
	cr_assert_eq(n, nwant, "%s: %zu values, want %zu", what, n, nwant);
	for (size_t i = 0; i < n; i++)
		assert_near(got[i], want[i], what);
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

Test(scenario_optimize, defaults_fill_every_tier_without_an_optimize_block)
{
	struct scenario sc;
	struct scenario_error err;
	/* Every type is declared and no spot type needs the catalog: were the loader to read
	 * one (to look for spot data of "plain", say), it would fail on this path. */
	setenv("CAPSIM_CATALOG", "/nonexistent/prices.csv", 1);
	cr_assert_eq(load(5, "\"_comment\": \"no optimize block\"", &sc, &err), 0, "%s",
		     err.msg);
	cr_assert(!sc.has_catalog);
	const struct scenario_optimize *o = &sc.optimize;
	cr_assert(!sc.has_optimize);
	cr_assert_eq(o->objective, SCENARIO_OBJ_MEAN);
	/* min(8, max(2, 5)) = 5; max(5, 5) = 5. */
	cr_assert_eq(o->replications, 5);
	cr_assert_eq(o->final_replications, 5);
	cr_assert_eq(o->finalists, 3);
	cr_assert_eq(o->reserved, 1);
	cr_assert_eq(o->ri_term, CATALOG_1Y);
	cr_assert_eq(o->ri_payment, CATALOG_NO_UPFRONT);
	cr_assert_eq(o->savings_plan, 1);
	cr_assert_eq(o->sp_term, CATALOG_1Y);
	cr_assert_not_null(o->tiers);
	static const double pct[] = { 0, 0.5, 1 };

	/* web: the purchase's four spot types (a copy, in their order); counts up to 3. */
	const struct scenario_opt_tier *t = &o->tiers[WEB];
	static const size_t web_types[] = { A, B, C, D };
	static const int web_base[] = { 0, 2 }, web_counts[] = { 1, 2, 3 };
	cr_assert_eq(t->spot, 1);
	assert_types(t->spot_types, t->nspot_types, web_types, N(web_types), "web spot_types");
	cr_assert_neq(t->spot_types, sc.tiers[WEB].purchase.spot_types, "a copy, not a borrow");
	assert_ints(t->base, t->nbase, web_base, N(web_base), "web base {0, min 2}");
	assert_fracs(t->pct, t->npct, pct, N(pct), "web pct");
	assert_ints(t->type_counts, t->ntype_counts, web_counts, N(web_counts), "web counts");

	/* app: no purchase; its own type a has spot data everywhere. min 0: one base. */
	t = &o->tiers[APP];
	static const size_t app_types[] = { A };
	static const int app_base[] = { 0 }, one[] = { 1 };
	cr_assert_eq(t->spot, 1);
	assert_types(t->spot_types, t->nspot_types, app_types, N(app_types), "app spot_types");
	assert_ints(t->base, t->nbase, app_base, N(app_base), "app base {0}");
	assert_fracs(t->pct, t->npct, pct, N(pct), "app pct");
	assert_ints(t->type_counts, t->ntype_counts, one, N(one), "app counts");

	/* cache: plain has no spot data and no catalog is read: no candidates, no spot. */
	t = &o->tiers[CACHE];
	static const int cache_base[] = { 0, 1 };
	cr_assert_eq(t->spot, 0);
	cr_assert_eq(t->nspot_types, 0);
	cr_assert_null(t->spot_types);
	assert_ints(t->base, t->nbase, cache_base, N(cache_base), "cache base {0, 1}");
	assert_fracs(t->pct, t->npct, pct, N(pct), "cache pct");
	cr_assert_eq(t->ntype_counts, 0);
	cr_assert_null(t->type_counts);

	/* db: the last tier on the chain is the data tier: its own type b is a candidate,
	 * but spot is off. */
	t = &o->tiers[DB];
	static const size_t db_types[] = { B };
	static const int db_base[] = { 0, 3 };
	cr_assert_eq(t->spot, 0);
	assert_types(t->spot_types, t->nspot_types, db_types, N(db_types), "db spot_types");
	assert_ints(t->base, t->nbase, db_base, N(db_base), "db base {0, 3}");
	assert_ints(t->type_counts, t->ntype_counts, one, N(one), "db counts");
	scenario_release(&sc);
	unsetenv("CAPSIM_CATALOG");
}

Test(scenario_optimize, replication_defaults_follow_the_scenarios_replications)
{
	/* replications = min(8, max(2, R)), final = max(replications, min(R, 40)). */
	static const struct { int r, screen, final; } cases[] = {
		{ 1, 2, 2 }, { 2, 2, 2 }, { 5, 5, 5 }, { 8, 8, 8 }, { 20, 8, 20 }, { 30, 8, 30 },
		{ 40, 8, 40 }, { 1000, 8, 40 },
	};
	for (size_t i = 0; i < N(cases); i++) {
		struct scenario sc;
		struct scenario_error err;
		cr_assert_eq(load(cases[i].r, "\"optimize\": { \"objective\": \"mean\" }", &sc,
				  &err), 0, "%s", err.msg);
		cr_assert(sc.has_optimize);
		cr_assert_eq(sc.optimize.replications, cases[i].screen, "R = %d", cases[i].r);
		cr_assert_eq(sc.optimize.final_replications, cases[i].final, "R = %d", cases[i].r);
		scenario_release(&sc);
	}
	/* A larger screening count given raises the default final count with it. */
	struct scenario sc;
	struct scenario_error err;
	cr_assert_eq(load(20, "\"optimize\": { \"replications\": 30 }", &sc, &err), 0, "%s",
		     err.msg);
	cr_assert_eq(sc.optimize.replications, 30);
	cr_assert_eq(sc.optimize.final_replications, 30, "max(30, 20)");
	scenario_release(&sc);
}

Test(scenario_optimize, the_data_tier_gets_no_spot_by_default)
{
	struct scenario sc;
	struct scenario_error err;
	/* dr names app as the data tier: app loses spot, db (the chain's end) gets it. */
	cr_assert_eq(load(20, "\"dr\": { \"strategy\": \"pilot_light\", \"primary\": "
			  "\"eu-west-1\", \"recovery\": \"us-east-1\", \"data_tier\": \"app\" }",
			  &sc, &err), 0, "%s", err.msg);
	cr_assert_eq(sc.dr.data_tier, APP);
	cr_assert_eq(sc.optimize.tiers[APP].spot, 0);
	cr_assert_eq(sc.optimize.tiers[APP].nspot_types, 1, "a still lists as a candidate");
	cr_assert_eq(sc.optimize.tiers[DB].spot, 1);
	cr_assert_eq(sc.optimize.tiers[WEB].spot, 1);
	scenario_release(&sc);
	/* A dr without data_tier: the chain's end, db. */
	cr_assert_eq(load(20, "\"dr\": { \"strategy\": \"pilot_light\", \"primary\": "
			  "\"eu-west-1\", \"recovery\": \"us-east-1\" }", &sc, &err), 0, "%s",
		     err.msg);
	cr_assert_eq(sc.optimize.tiers[DB].spot, 0);
	cr_assert_eq(sc.optimize.tiers[APP].spot, 1);
	scenario_release(&sc);
	/* The file may still ask for spot on the data tier. */
	cr_assert_eq(load(20, "\"optimize\": { \"tiers\": { \"db\": { \"spot\": true } } }", &sc,
			  &err), 0, "%s", err.msg);
	cr_assert_eq(sc.optimize.tiers[DB].spot, 1);
	scenario_release(&sc);
}

/* A single tier without a dr has no data tier (a batch, a stateless service): spot is
 * considered there. A data tier whose purchase already buys spot keeps spot too. */
Test(scenario_optimize, one_tier_and_a_data_tier_on_spot_keep_spot)
{
	static const char one[] =
		"{ \"name\": \"one\", \"version\": 1, \"traffic\": { \"base_rate\": 100 },"
		"  \"instance_types\": [ { \"name\": \"a\", \"vcpu\": 2, \"memory_gib\": 4,"
		"    \"price_hourly\": 0.1, \"spot_discount\": 0.6, \"spot_interruption\": \"<5%\" } ],"
		"  \"regions\": [ { \"name\": \"r1\", \"zones\": [\"a\"] } ],"
		"  \"tiers\": [ { \"name\": \"batch\", \"instance_type\": \"a\","
		"    \"capacity_rps\": 100, \"autoscaling\": { \"min\": 1, \"max\": 4 } } ] }";
	struct scenario sc;
	struct scenario_error err;
	cr_assert_eq(scenario_parse(one, strlen(one), NULL, &sc, &err), 0, "%s", err.msg);
	cr_assert_eq(sc.optimize.tiers[0].spot, 1);
	scenario_release(&sc);
	/* db (the chain's end, type b with spot data) bought half spot as written. */
	char *text = strdup(head);
	cr_assert_not_null(text);
	char *p = strstr(text, "\"autoscaling\": { \"min\": 3, \"max\": 3 } }");
	cr_assert_not_null(p);
	const char *db_purchase = "\"autoscaling\": { \"min\": 3, \"max\": 3 }, \"purchase\": "
				  "{ \"on_demand_percentage_above_base\": 50, \"spot_types\": "
				  "[\"b\"] } }";
	size_t len = strlen(text) + strlen(db_purchase) + 64;
	char *fmt = malloc(len);
	cr_assert_not_null(fmt);
	snprintf(fmt, len, "%.*s%s%s", (int)(p - text), text, db_purchase,
		 p + strlen("\"autoscaling\": { \"min\": 3, \"max\": 3 } }"));
	char json[8192];
	snprintf(json, sizeof json, fmt, 20, "\"seed\": 1");
	cr_assert_eq(scenario_parse(json, strlen(json), NULL, &sc, &err), 0, "%s", err.msg);
	cr_assert_eq(sc.optimize.tiers[DB].spot, 1);
	scenario_release(&sc);
	free(fmt);
	free(text);
}

Test(scenario_optimize, every_field_loads_with_the_value_written_in_it)
{
	struct scenario sc;
	struct scenario_error err;
	static const char block[] =
		"\"optimize\": { \"objective\": \"p90\", \"replications\": 4,\n"
		"    \"final_replications\": 12, \"finalists\": 2, \"commitments\": "
		"[\"savings_plan\"],\n"
		"    \"reserved\": { \"term\": \"3y\", \"payment\": \"all_upfront\" },\n"
		"    \"savings_plan\": { \"term\": \"3y\" },\n"
		"    \"tiers\": {\n"
		"      \"cache\": { \"spot\": true, \"on_demand_base\": [4, 1],\n"
		"        \"on_demand_percentage_above_base\": [100, 0, 37.5],\n"
		"        \"spot_types\": [\"d\", \"c\"], \"spot_type_counts\": [2] },\n"
		"      \"_comment\": \"comments are ignored\",\n"
		"      \"web\": { \"spot\": false, \"spot_types\": [\"b\"] } } }";
	cr_assert_eq(load(20, block, &sc, &err), 0, "%s", err.msg);
	const struct scenario_optimize *o = &sc.optimize;
	cr_assert(sc.has_optimize);
	cr_assert_eq(o->objective, SCENARIO_OBJ_P90);
	cr_assert_eq(o->replications, 4);
	cr_assert_eq(o->final_replications, 12);
	cr_assert_eq(o->finalists, 2);
	cr_assert_eq(o->reserved, 0, "not listed in commitments");
	cr_assert_eq(o->savings_plan, 1);
	cr_assert_eq(o->ri_term, CATALOG_3Y, "kept although reserved is not considered");
	cr_assert_eq(o->ri_payment, CATALOG_ALL_UPFRONT);
	cr_assert_eq(o->sp_term, CATALOG_3Y);

	/* cache: lists sorted ascending, percentages / 100, spot types in the order given. */
	const struct scenario_opt_tier *t = &o->tiers[CACHE];
	static const int cache_base[] = { 1, 4 }, two[] = { 2 };
	static const double cache_pct[] = { 0, 0.375, 1 };
	static const size_t cache_types[] = { D, C };
	cr_assert_eq(t->spot, 1);
	assert_ints(t->base, t->nbase, cache_base, N(cache_base), "cache base");
	assert_fracs(t->pct, t->npct, cache_pct, N(cache_pct), "cache pct");
	assert_types(t->spot_types, t->nspot_types, cache_types, N(cache_types), "cache types");
	assert_ints(t->type_counts, t->ntype_counts, two, N(two), "cache counts");

	/* web: the listed types replace the purchase's; the rest keeps its defaults. */
	t = &o->tiers[WEB];
	static const size_t web_types[] = { B };
	static const int web_base[] = { 0, 2 }, one[] = { 1 };
	cr_assert_eq(t->spot, 0);
	assert_types(t->spot_types, t->nspot_types, web_types, N(web_types), "web types");
	assert_ints(t->base, t->nbase, web_base, N(web_base), "web base");
	assert_ints(t->type_counts, t->ntype_counts, one, N(one), "web counts: min(1, 3)");

	/* app and db are not listed: their defaults. */
	cr_assert_eq(o->tiers[APP].spot, 1);
	cr_assert_eq(o->tiers[DB].spot, 0);
	scenario_release(&sc);

	/* An empty commitments list: neither is considered. */
	cr_assert_eq(load(20, "\"optimize\": { \"commitments\": [] }", &sc, &err), 0, "%s",
		     err.msg);
	cr_assert_eq(sc.optimize.reserved, 0);
	cr_assert_eq(sc.optimize.savings_plan, 0);
	scenario_release(&sc);
}

Test(scenario_optimize, grids_expand_from_min_to_max_by_step)
{
	struct scenario sc;
	struct scenario_error err;
	static const char block[] =
		"\"optimize\": { \"tiers\": {\n"
		"  \"web\": { \"spot_type_counts\": { \"min\": 2, \"max\": 4 },\n"
		"    \"on_demand_percentage_above_base\": { \"min\": 10, \"max\": 60, \"step\": 20 } },\n"
		"  \"app\": { \"on_demand_base\": { \"min\": 3, \"max\": 3 },\n"
		"    \"on_demand_percentage_above_base\": { \"min\": 0, \"max\": 100,"
		" \"step\": 33.333333333333336 } },\n"
		"  \"cache\": { \"on_demand_base\": { \"min\": 0, \"max\": 6, \"step\": 2 },\n"
		"    \"on_demand_percentage_above_base\": { \"min\": 0, \"max\": 100 } },\n"
		"  \"db\": { \"on_demand_base\": { \"min\": 1, \"max\": 10, \"step\": 4 },\n"
		"    \"on_demand_percentage_above_base\": { \"min\": 0, \"max\": 100, \"step\": 12.5 }"
		" } } }";
	cr_assert_eq(load(20, block, &sc, &err), 0, "%s", err.msg);
	const struct scenario_opt_tier *t = sc.optimize.tiers;
	/* web: counts 2, 3, 4 (step 1 by default; web has 4 spot types); 10, 30, 50 % (70 >
	 * 60 is past max). */
	static const int web_counts[] = { 2, 3, 4 };
	static const double web_pct[] = { 0.1, 0.3, 0.5 };
	assert_ints(t[WEB].type_counts, t[WEB].ntype_counts, web_counts, N(web_counts), "web");
	assert_fracs(t[WEB].pct, t[WEB].npct, web_pct, N(web_pct), "web pct");
	/* app: min = max is one value; a third of 100 as the closest double lands on 100 after
	 * three steps within rounding, so max is kept: 0, 1/3, 2/3, 1. */
	static const int app_base[] = { 3 };
	static const double app_pct[] = { 0, 1.0 / 3, 2.0 / 3, 1 };
	assert_ints(t[APP].base, t[APP].nbase, app_base, N(app_base), "app base");
	assert_fracs(t[APP].pct, t[APP].npct, app_pct, N(app_pct), "app pct");
	cr_assert_eq(t[APP].pct[3], 1.0, "never past max");
	/* cache: 0, 2, 4, 6; percentages by the default step of 25. */
	static const int cache_base[] = { 0, 2, 4, 6 };
	static const double quarters[] = { 0, 0.25, 0.5, 0.75, 1 };
	assert_ints(t[CACHE].base, t[CACHE].nbase, cache_base, N(cache_base), "cache base");
	assert_fracs(t[CACHE].pct, t[CACHE].npct, quarters, N(quarters), "cache pct");
	/* db: 1, 5, 9 (13 > 10); eighths: 100 / 12.5 = 8 steps, 9 values. */
	static const int db_base[] = { 1, 5, 9 };
	static const double eighths[] = { 0, 0.125, 0.25, 0.375, 0.5, 0.625, 0.75, 0.875, 1 };
	assert_ints(t[DB].base, t[DB].nbase, db_base, N(db_base), "db base");
	assert_fracs(t[DB].pct, t[DB].npct, eighths, N(eighths), "db pct");
	scenario_release(&sc);

	/* 1000 values is the most a grid may hold: 0..999 loads, 0..1000 does not. */
	cr_assert_eq(load(20, "\"optimize\": { \"tiers\": { \"web\": { \"on_demand_base\": "
			  "{ \"min\": 0, \"max\": 999 } } } }", &sc, &err), 0, "%s", err.msg);
	cr_assert_eq(sc.optimize.tiers[WEB].nbase, 1000);
	cr_assert_eq(sc.optimize.tiers[WEB].base[999], 999);
	scenario_release(&sc);
	cr_assert_eq(load(20, "\"optimize\": { \"tiers\": { \"web\": { \"on_demand_base\": "
			  "{ \"min\": 0, \"max\": 1000 } } } }", &sc, &err), CAPSIM_EINVAL);
	cr_assert_str_eq(err.path, "optimize.tiers.web.on_demand_base");
	cr_assert(strstr(err.msg, "at most 1000 values, got 1001"), "%s", err.msg);
}

/* Two tiers of m5.large, declared without spot data; the bundled catalog has m5.large and
 * c5.large, with spot data, in both regions. */
static const char catalog_text[] =
	"{ \"name\": \"o\", \"version\": 1, \"traffic\": { \"base_rate\": 100 },\n"
	"  \"instance_types\": [ { \"name\": \"m5.large\", \"vcpu\": 2, \"memory_gib\": 8,"
	" \"price_hourly\": 0.1 } ],\n"
	"  \"regions\": [ { \"name\": \"eu-west-1\", \"zones\": [\"a\"] },"
	" { \"name\": \"us-east-1\", \"zones\": [\"a\"] } ],\n"
	"  \"tiers\": [ { \"name\": \"web\", \"instance_type\": \"m5.large\", \"capacity_rps\": 100,"
	" \"calls\": \"db\", \"autoscaling\": { \"min\": 1, \"max\": 4 } },\n"
	"    { \"name\": \"db\", \"instance_type\": \"m5.large\", \"capacity_rps\": 100,"
	" \"autoscaling\": { \"min\": 1, \"max\": 1 } } ],\n"
	"  \"optimize\": %s }\n";

static int load_catalog_text(const char *block, struct scenario *sc, struct scenario_error *err)
{
	char text[4096];
	int n = snprintf(text, sizeof text, catalog_text, block);
	cr_assert(n > 0 && (size_t)n < sizeof text);
	return scenario_parse(text, (size_t)n, "c.json", sc, err);
}

Test(scenario_optimize, a_declared_type_is_a_spot_candidate_from_the_catalog_only_once_read)
{
	struct scenario sc;
	struct scenario_error err;
	/* Nothing needs the catalog: it is not read, and m5.large has no known spot data. */
	setenv("CAPSIM_CATALOG", "/nonexistent/prices.csv", 1);
	cr_assert_eq(load_catalog_text("{}", &sc, &err), 0, "%s", err.msg);
	cr_assert(!sc.has_catalog);
	cr_assert_eq(sc.optimize.tiers[0].nspot_types, 0);
	cr_assert_eq(sc.optimize.tiers[0].spot, 0);
	cr_assert_eq(sc.optimize.tiers[0].ntype_counts, 0);
	scenario_release(&sc);
	unsetenv("CAPSIM_CATALOG");

	/* db lists a catalog type, so the catalog is read; web, listed before db in tiers,
	 * then has m5.large's catalog spot data too and gets it as its default candidate. */
	cr_assert_eq(load_catalog_text("{ \"tiers\": { \"db\": { \"spot_types\": [\"c5.large\"] } } }",
				       &sc, &err), 0, "%s", err.msg);
	cr_assert(sc.has_catalog);
	long m5 = scenario_find_instance_type(&sc, "m5.large");
	long c5 = scenario_find_instance_type(&sc, "c5.large");
	cr_assert_eq(m5, 0);
	cr_assert_eq(c5, 1, "added from the catalog");
	const struct scenario_opt_tier *web = &sc.optimize.tiers[0], *db = &sc.optimize.tiers[1];
	cr_assert_eq(web->nspot_types, 1);
	cr_assert_eq(web->spot_types[0], (size_t)m5);
	cr_assert_eq(web->spot, 1);
	cr_assert_eq(web->ntype_counts, 1);
	cr_assert_eq(db->nspot_types, 1);
	cr_assert_eq(db->spot_types[0], (size_t)c5);
	cr_assert_eq(db->spot, 0, "db ends the chain");
	scenario_release(&sc);
}

/* The line of text on which `needle` first occurs (counted here, not by the loader). */
static int line_of(const char *text, const char *needle)
{
	const char *p = strstr(text, needle);
	int line = 1;
	cr_assert_not_null(p, "%s", needle);
	for (const char *q = text; q < p; q++)
		line += *q == '\n';
	return line;
}

/* A valid block every mistake below edits; it starts on line 17 of the scenario, so a
 * mistake on line k of the block is on line 16 + k. */
static const char block[] =
	"\"optimize\": { \"objective\": \"mean\", \"replications\": 8, \"final_replications\": 20,\n"
	"    \"finalists\": 3, \"commitments\": [\"reserved\", \"savings_plan\"],\n"
	"    \"reserved\": { \"term\": \"1y\", \"payment\": \"no_upfront\" },\n"
	"    \"savings_plan\": { \"term\": \"1y\" },\n"
	"    \"tiers\": {\n"
	"      \"web\": { \"spot\": true, \"on_demand_base\": [0, 2],\n"
	"        \"on_demand_percentage_above_base\": [0, 50, 100],\n"
	"        \"spot_types\": [\"a\", \"b\"],\n"
	"        \"spot_type_counts\": [1, 2] },\n"
	"      \"cache\": { \"on_demand_base\": {\"min\": 0, \"max\": 4, \"step\": 2} },\n"
	"      \"db\": { \"spot\": false } } }";

struct mistake {
	const char *from, *to;  /* in `block`; from occurs once, and the mistake sits on its line */
	const char *path;
	const char *text;       /* must appear in the message */
};

static const struct mistake mistakes[] = {
	{ "\"finalists\": 3", "\"finalist\": 3", "optimize.finalist",
	  "unknown key; did you mean \"finalists\"?" },
	{ "\"web\": { \"spot\": true", "\"webb\": { \"spot\": true", "optimize.tiers.webb",
	  "unknown tier \"webb\"; did you mean \"web\"?" },
	{ "\"objective\": \"mean\"", "\"objective\": \"median\"", "optimize.objective",
	  "expected one of \"mean\" or \"p90\", got \"median\"; did you mean \"mean\"?" },
	{ "\"replications\": 8", "\"replications\": 1", "optimize.replications",
	  "expected a whole number in [2,1000000], got 1" },
	{ "\"final_replications\": 20", "\"final_replications\": 4",
	  "optimize.final_replications",
	  "expected a whole number in [8,1000000] (at least replications, 8), got 4" },
	{ "\"finalists\": 3", "\"finalists\": 0", "optimize.finalists", "got 0" },
	{ "[0, 50, 100]", "[0, 50, 50]", "optimize.tiers.web.on_demand_percentage_above_base[2]",
	  "duplicate value 50; on_demand_percentage_above_base[1] has it already" },
	{ "[0, 50, 100]", "[0, 50, 150]", "optimize.tiers.web.on_demand_percentage_above_base[2]",
	  "expected a percentage in [0,100], got 150" },
	{ "\"on_demand_base\": [0, 2]", "\"on_demand_base\": [0, 2.5]",
	  "optimize.tiers.web.on_demand_base[1]",
	  "expected a whole number of instances in [0,1000000], got 2.5" },
	{ "\"on_demand_base\": [0, 2]", "\"on_demand_base\": []", "optimize.tiers.web.on_demand_base",
	  "got an empty array" },
	{ "\"on_demand_base\": [0, 2]", "\"on_demand_base\": \"0-2\"",
	  "optimize.tiers.web.on_demand_base", "or a grid {\"min\": ..., \"max\": ..., \"step\": "
	  "...}, got \"0-2\"" },
	{ "\"spot_type_counts\": [1, 2]", "\"spot_type_counts\": [1, 3]",
	  "optimize.tiers.web.spot_type_counts[1]",
	  "expected a whole number of spot types in [1,2] (the tier's spot_types), got 3" },
	{ "\"spot_type_counts\": [1, 2]", "\"spot_type_count\": [1, 2]",
	  "optimize.tiers.web.spot_type_count", "did you mean \"spot_type_counts\"?" },
	{ "[\"a\", \"b\"]", "[\"a\", \"plain\"]", "optimize.tiers.web.spot_types[1]",
	  "instance type \"plain\" lacks spot_discount and spot_interruption for eu-west-1" },
	{ "[\"a\", \"b\"]", "[\"a\", \"a\"]", "optimize.tiers.web.spot_types[1]",
	  "duplicate instance type \"a\"; spot_types[0] has it already" },
	{ "[\"a\", \"b\"]", "[\"a\", \"bb\"]", "optimize.tiers.web.spot_types[1]",
	  "did you mean \"b\"?" },
	/* cache's type, plain, has no spot data and cache has no purchase: nothing to use. */
	{ "\"cache\": { \"on_demand_base\"", "\"cache\": { \"spot\": true, \"on_demand_base\"",
	  "optimize.tiers.cache.spot_types", "(required with \"spot\": true: the tier's purchase "
	  "has no spot_types and its instance type \"plain\" lacks spot data in a region it is "
	  "placed in), got nothing" },
	{ "\"cache\": { \"on_demand_base\"", "\"cache\": { \"spot_type_counts\": [1], "
	  "\"on_demand_base\"", "optimize.tiers.cache.spot_type_counts",
	  "the tier has no spot types to count (give spot_types)" },
	{ "\"step\": 2}", "\"step\": 0}", "optimize.tiers.cache.on_demand_base.step",
	  "expected a whole number >= 1, got 0" },
	{ "\"step\": 2}", "\"stp\": 2}", "optimize.tiers.cache.on_demand_base.stp",
	  "unknown key; did you mean \"step\"?" },
	{ "\"min\": 0, \"max\": 4", "\"min\": 3, \"max\": 2", "optimize.tiers.cache.on_demand_base.max",
	  "at least min (3), got 2" },
	{ "\"min\": 0, \"max\": 4", "\"max\": 4", "optimize.tiers.cache.on_demand_base.min",
	  "got nothing (the field is required)" },
	{ "\"step\": 2}", "\"step\": 1e-4}", "optimize.tiers.cache.on_demand_base.step",
	  "got 0.0001" },
	{ "\"db\": { \"spot\": false }", "\"db\": { \"spot\": \"no\" }", "optimize.tiers.db.spot",
	  "expected true or false, got \"no\"" },
	{ "\"db\": { \"spot\": false }", "\"db\": true", "optimize.tiers.db",
	  "expected an object, got true" },
	{ "\"db\": { \"spot\": false }", "\"web\": { \"spot\": false }", "optimize.tiers.web",
	  "duplicate key; it was first given on line 22" },
	/* After web, app and cache have their arrays: a late mistake must free them too. */
	{ "\"db\": { \"spot\": false }", "\"db\": { \"on_demand_base\": [-1] }",
	  "optimize.tiers.db.on_demand_base[0]", "got -1" },
	{ "[\"reserved\", \"savings_plan\"]", "[\"reserve\", \"savings_plan\"]",
	  "optimize.commitments[0]", "got \"reserve\"; did you mean \"reserved\"?" },
	{ "[\"reserved\", \"savings_plan\"]", "[\"savings_plan\", \"savings_plan\"]",
	  "optimize.commitments[1]",
	  "duplicate commitment \"savings_plan\"; commitments[0] has it already" },
	{ "[\"reserved\", \"savings_plan\"]", "\"reserved\"", "optimize.commitments",
	  "expected an array of \"reserved\" and \"savings_plan\" (may be empty)" },
	{ "\"savings_plan\": { \"term\": \"1y\" }", "\"savings_plan\": { \"term\": \"2y\" }",
	  "optimize.savings_plan.term", "expected one of \"1y\" or \"3y\", got \"2y\"" },
	{ "\"payment\": \"no_upfront\"", "\"payment\": \"noupfront\"", "optimize.reserved.payment",
	  "did you mean \"no_upfront\"?" },
	{ "\"reserved\": { \"term\"", "\"reserved\": { \"count\": 2, \"term\"",
	  "optimize.reserved.count", "unknown key; the keys here are: term, payment" },
};

/* A finalist keeps its hourly usage of every replication twice (as used, and as its
 * reservations leave it). Here: 4 tiers in 2 regions, 8 pools, over the default 30 days,
 * 720 hours: 2 × 8 bytes × 8 × 720 = 92,160 bytes a replication, and 256 MB = 268,435,456
 * bytes hold floor(2912.7) = 2912 of them. 2912 loads; 2913 is refused at its key. */
Test(scenario_optimize, final_replications_are_held_within_the_memory_of_a_run)
{
	struct scenario sc;
	struct scenario_error err;
	cr_assert_eq(load(20, "\"optimize\": { \"final_replications\": 2912 }", &sc, &err), 0,
		     "%s", err.msg);
	cr_assert_eq(sc.optimize.final_replications, 2912);
	scenario_release(&sc);
	int rc = load(20, "\"optimize\": { \"final_replications\": 2913 }", &sc, &err);
	cr_assert_eq(rc, CAPSIM_EINVAL, "%s", err.msg);
	cr_assert_str_eq(err.path, "optimize.final_replications", "%s", err.msg);
	cr_assert_eq(err.line, 17, "%s", err.msg);
	cr_assert_not_null(strstr(err.msg, "expected at most 2912 final replications for this "
				  "scenario (a finalist keeps the hourly usage of its 8 pools over "
				  "720 hours in every replication, 92 KB each, within 256 MB), got "
				  "2913"), "%s", err.msg);
}

Test(scenario_optimize, every_mistake_is_reported_at_its_line_and_path)
{
	/* The spot-data mistake opens the bundled catalog to look for "plain". */
	unsetenv("CAPSIM_CATALOG");
	for (size_t i = 0; i < N(mistakes); i++) {
		const struct mistake *m = &mistakes[i];
		char edited[sizeof block + 256];
		const char *at = strstr(block, m->from);
		cr_assert_not_null(at, "%s", m->from);
		cr_assert_null(strstr(at + 1, m->from), "%s occurs twice", m->from);
		snprintf(edited, sizeof edited, "%.*s%s%s", (int)(at - block), block, m->to,
			 at + strlen(m->from));
		struct scenario sc;
		struct scenario_error err;
		int rc = load(20, edited, &sc, &err);
		cr_assert_eq(rc, CAPSIM_EINVAL, "%s: rc %d: %s", m->to, rc, err.msg);
		cr_assert_str_eq(err.path, m->path, "%s: %s", m->to, err.msg);
		cr_assert_eq(err.line, 16 + line_of(block, m->from), "%s: %s", m->to, err.msg);
		cr_assert(strstr(err.msg, m->text), "%s: \"%s\" lacks \"%s\"", m->to, err.msg,
			  m->text);
		cr_assert_null(sc.name, "nothing is left in the struct on failure");
		cr_assert_null(sc.optimize.tiers);
	}
}

Test(scenario_optimize, release_frees_everything_and_zeroes_the_struct)
{
	struct scenario sc;
	struct scenario_error err;
	unsetenv("CAPSIM_CATALOG");
	cr_assert_eq(load(20, block, &sc, &err), 0, "%s", err.msg);
	cr_assert(sc.has_optimize);
	scenario_release(&sc);
	/* Zeroed: a second release is harmless (the asan build checks that nothing leaked). */
	cr_assert_null(sc.optimize.tiers);
	cr_assert_eq(sc.has_optimize, 0);
	cr_assert_eq(sc.ntiers, 0);
	scenario_release(&sc);
	scenario_release(NULL);
}
