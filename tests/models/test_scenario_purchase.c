/* Scenario loading of catalogs, catalog instance types, purchase options, reservations and
 * savings plans: values as written, prices per region from the catalog, and mistakes with
 * their line and path. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "models/catalog.h"
#include "models/scenario.h"
#include "sim/error.h"

/* Values in the files are short decimals read by strtod on both sides (scenario and
 * catalog); after at most one division (a percentage) they differ from the hand value by a
 * few ulps at most. */
static void assert_near(double got, double want, const char *what)
{
	cr_assert(fabs(got - want) <= 1e-12 * fmax(1.0, fabs(want)), "%s: got %.17g, want %.17g",
		  what, got, want);
}

/* One catalog row whose reserved and savings-plan figures are derived from on_demand with
 * ratios that keep every ordering the catalog checks (all < partial < no upfront <
 * on-demand, 3y < 1y, family plan <= compute plan < on-demand). */
static void cat_row(FILE *f, const char *type, const char *category, const char *region,
		    int vcpu, double mem, double od, double disc, const char *bucket)
{
	char family[16];
	snprintf(family, sizeof family, "%.*s", (int)strcspn(type, "."), type);
	fprintf(f, "%s,%s,%s,%s,%d,%.10g,%.10g,", type, family, category, region, vcpu, mem, od);
	fprintf(f, "%.10g,%.10g,%.10g,%.10g,", od * 0.625, od * 0.30 * 8760, od * 0.30,
		od * 0.5875 * 8760);
	fprintf(f, "%.10g,%.10g,%.10g,%.10g,", od * 0.43, od * 0.205 * 26280, od * 0.205,
		od * 0.375 * 26280);
	fprintf(f, "%.10g,%.10g,%.10g,%.10g,%.10g,%s\n", od * 0.73, od * 0.48, od * 0.625,
		od * 0.43, disc, bucket);
}

static const char cat_header[] =
	"# date: 2025-01-01\n"
	"# source: hand-made rows for the scenario tests\n"
	"type,family,category,region,vcpu,memory_gib,on_demand,ri_1y_no_upfront_hourly,"
	"ri_1y_partial_upfront,ri_1y_partial_hourly,ri_1y_all_upfront,ri_3y_no_upfront_hourly,"
	"ri_3y_partial_upfront,ri_3y_partial_hourly,ri_3y_all_upfront,sp_compute_1y,"
	"sp_compute_3y,sp_family_1y,sp_family_3y,spot_discount,spot_interruption\n";

/* A folder holding c.csv (the test catalog) and s.json (the scenario under test). */
struct dir {
	char path[64], csv[96], json[96];
};

/* The test catalog, lines 1-3 the comments and header, then:
 *   line 4: m6i.large us-east-1  0.096 USD/h, spot 0.60, <5%     (bucket 0)
 *   line 5: m6i.large eu-west-1  0.107 USD/h, spot 0.55, 5-10%   (bucket 1)
 *   line 6: c6i.large us-east-1  0.085 USD/h, spot 0.65, 10-15%  (bucket 2)
 *   line 7: r6i.large eu-west-1  0.141 USD/h, spot 0.50, >20%    (bucket 4)
 * c6i.large has no eu-west-1 row; r6i.large no us-east-1 row. */
static void write_catalog(const char *path, const char *bad_line7)
{
	FILE *f = fopen(path, "wb");
	cr_assert_not_null(f);
	fputs(cat_header, f);
	cat_row(f, "m6i.large", "general", "us-east-1", 2, 8, 0.096, 0.60, "<5%");
	cat_row(f, "m6i.large", "general", "eu-west-1", 2, 8, 0.107, 0.55, "5-10%");
	cat_row(f, "c6i.large", "compute", "us-east-1", 2, 4, 0.085, 0.65, "10-15%");
	if (bad_line7)
		fprintf(f, "%s\n", bad_line7);
	else
		cat_row(f, "r6i.large", "memory", "eu-west-1", 2, 16, 0.141, 0.50, ">20%");
	fclose(f);
}

static void dir_open(struct dir *d)
{
	snprintf(d->path, sizeof d->path, "/tmp/capsim-purchase-XXXXXX");
	cr_assert_not_null(mkdtemp(d->path));
	snprintf(d->csv, sizeof d->csv, "%s/c.csv", d->path);
	snprintf(d->json, sizeof d->json, "%s/s.json", d->path);
	write_catalog(d->csv, NULL);
}

static void dir_close(struct dir *d)
{
	unlink(d->csv);
	unlink(d->json);
	rmdir(d->path);
}

static int load_text(struct dir *d, const char *text, struct scenario *sc,
		     struct scenario_error *err)
{
	FILE *f = fopen(d->json, "wb");
	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
	return scenario_load(d->json, sc, err);
}

/* Every new field given, none at its default; line numbers in the comments of the tests. */
static const char full[] =
	"{ \"name\": \"p\", \"version\": 1, \"catalog\": \"c.csv\",\n"
	"  \"traffic\": { \"base_rate\": 100 },\n"
	"  \"instance_types\": [\n"
	"    { \"name\": \"small\", \"vcpu\": 1, \"memory_gib\": 2, \"price_hourly\": 0.05,\n"
	"      \"spot_discount\": 0.7, \"spot_interruption\": \"10-15%\" },\n"
	"    { \"name\": \"big\", \"family\": \"custom\", \"vcpu\": 8, \"memory_gib\": 32,\n"
	"      \"price_hourly\": 0.4 } ],\n"
	"  \"regions\": [ { \"name\": \"eu-west-1\", \"zones\": [\"a\", \"b\"] },\n"
	"               { \"name\": \"us-east-1\", \"zones\": [\"a\", \"b\", \"c\"] } ],\n"
	"  \"tiers\": [\n"
	"    { \"name\": \"web\", \"instance_type\": \"m6i.large\", \"capacity_rps\": 100,\n"
	"      \"calls\": \"db\", \"autoscaling\": { \"min\": 2, \"max\": 20 },\n"
	"      \"purchase\": { \"on_demand_base\": 2, \"on_demand_percentage_above_base\": 30,\n"
	"        \"spot_types\": [\"m6i.large\", \"small\"],\n"
	"        \"allocation_strategy\": \"lowest-price\", \"capacity_rebalance\": true,\n"
	"        \"fallback_to_on_demand\": false, \"fallback_delay\": \"2m\",\n"
	"        \"reclaims\": { \"rate_per_month\": 0.5, \"fraction\": [0.1, 0.3],\n"
	"                      \"unavailable\": \"30m\" },\n"
	"        \"spot_price_volatility\": 0.2 } },\n"
	"    { \"name\": \"db\", \"instance_type\": \"c6i.large\", \"capacity_rps\": 500,\n"
	"      \"placement\": { \"regions\": [\"us-east-1\"] },\n"
	"      \"autoscaling\": { \"min\": 1, \"max\": 4 } } ],\n"
	"  \"reservations\": [\n"
	"    { \"instance_type\": \"m6i.large\", \"region\": \"us-east-1\", \"count\": 4,\n"
	"      \"term\": \"3y\", \"payment\": \"partial_upfront\" },\n"
	"    { \"instance_type\": \"c6i.large\", \"region\": \"us-east-1\", \"count\": 1,\n"
	"      \"term\": \"1y\", \"payment\": \"all_upfront\" } ],\n"
	"  \"savings_plans\": [\n"
	"    { \"type\": \"compute\", \"commitment_hourly\": 1.5, \"term\": \"1y\" },\n"
	"    { \"type\": \"instance_family\", \"family\": \"m6i\", \"region\": \"eu-west-1\",\n"
	"      \"commitment_hourly\": 0.25, \"term\": \"3y\" } ] }\n";

static long type_index(const struct scenario *sc, const char *name)
{
	long k = scenario_find_instance_type(sc, name);
	cr_assert_geq(k, 0, "%s is not in instance_types", name);
	return k;
}

Test(scenario_purchase, every_field_loads_with_the_value_written_in_it)
{
	struct dir d;
	struct scenario sc;
	struct scenario_error err;
	dir_open(&d);
	cr_assert_eq(load_text(&d, full, &sc, &err), 0, "%s", err.msg);

	const struct scenario_purchase *p = &sc.tiers[0].purchase;
	cr_assert(sc.tiers[0].has_purchase);
	cr_assert_eq(p->on_demand_base, 2);
	assert_near(p->on_demand_above_base, 0.30, "30% as a fraction");
	cr_assert_eq(p->nspot_types, 2);
	cr_assert_str_eq(sc.instance_types[p->spot_types[0]].name, "m6i.large");
	cr_assert_str_eq(sc.instance_types[p->spot_types[1]].name, "small");
	cr_assert_eq(p->spot_types[0], sc.tiers[0].instance_type, "one index for one type");
	cr_assert_eq(p->allocation, SCENARIO_ALLOC_LOWEST_PRICE);
	cr_assert_eq(p->capacity_rebalance, 1);
	cr_assert_eq(p->fallback_on_demand, 0);
	assert_near(p->fallback_delay, 120, "2m");
	assert_near(p->reclaims.rate_per_month, 0.5, "reclaim rate");
	assert_near(p->reclaims.fraction_lo, 0.1, "fraction lo");
	assert_near(p->reclaims.fraction_hi, 0.3, "fraction hi");
	assert_near(p->reclaims.unavailable, 1800, "30m");
	assert_near(p->spot_price_volatility, 0.2, "volatility");

	/* db has no purchase object: everything on demand, the documented defaults. */
	const struct scenario_purchase *q = &sc.tiers[1].purchase;
	cr_assert(!sc.tiers[1].has_purchase);
	cr_assert_eq(q->on_demand_base, 0);
	cr_assert_eq(q->on_demand_above_base, 1);
	cr_assert_eq(q->nspot_types, 0);
	cr_assert_eq(q->allocation, SCENARIO_ALLOC_PRICE_CAPACITY_OPTIMIZED);
	cr_assert_eq(q->capacity_rebalance, 0);
	cr_assert_eq(q->fallback_on_demand, 1);
	cr_assert_eq(q->fallback_delay, 0);
	cr_assert_eq(q->reclaims.rate_per_month, 0);
	cr_assert_eq(q->spot_price_volatility, 0);

	cr_assert_eq(sc.nreservations, 2);
	cr_assert_str_eq(sc.instance_types[sc.reservations[0].instance_type].name, "m6i.large");
	cr_assert_eq(sc.reservations[0].region, 1, "us-east-1 is regions[1]");
	cr_assert_eq(sc.reservations[0].count, 4);
	cr_assert_eq(sc.reservations[0].term, CATALOG_3Y);
	cr_assert_eq(sc.reservations[0].payment, CATALOG_PARTIAL_UPFRONT);
	cr_assert_eq(sc.reservations[1].instance_type, sc.tiers[1].instance_type);
	cr_assert_eq(sc.reservations[1].term, CATALOG_1Y);
	cr_assert_eq(sc.reservations[1].payment, CATALOG_ALL_UPFRONT);

	cr_assert_eq(sc.nsavings_plans, 2);
	cr_assert_eq(sc.savings_plans[0].kind, CATALOG_SP_COMPUTE);
	cr_assert_null(sc.savings_plans[0].family);
	cr_assert_eq(sc.savings_plans[0].region, -1, "a compute plan covers every region");
	assert_near(sc.savings_plans[0].commitment_hourly, 1.5, "commitment");
	cr_assert_eq(sc.savings_plans[0].term, CATALOG_1Y);
	cr_assert_eq(sc.savings_plans[1].kind, CATALOG_SP_INSTANCE_FAMILY);
	cr_assert_str_eq(sc.savings_plans[1].family, "m6i");
	cr_assert_eq(sc.savings_plans[1].region, 0);
	assert_near(sc.savings_plans[1].commitment_hourly, 0.25, "commitment");
	cr_assert_eq(sc.savings_plans[1].term, CATALOG_3Y);

	cr_assert(sc.has_catalog);
	cr_assert_str_eq(sc.catalog.path, d.csv, "the catalog path is relative to the scenario");
	cr_assert_eq(sc.catalog.n, 4);
	scenario_release(&sc);
	dir_close(&d);
}

Test(scenario_purchase, catalog_types_get_the_catalog_prices_of_each_region)
{
	struct dir d;
	struct scenario sc;
	struct scenario_error err;
	dir_open(&d);
	cr_assert_eq(load_text(&d, full, &sc, &err), 0, "%s", err.msg);
	/* Declared small and big, then m6i.large (web) and c6i.large (db) from the catalog, each
	 * added once although named again by spot_types and the reservations. */
	cr_assert_eq(sc.ninstance_types, 4);
	const struct scenario_instance_type *m = &sc.instance_types[type_index(&sc, "m6i.large")];
	const struct scenario_instance_type *c = &sc.instance_types[type_index(&sc, "c6i.large")];
	cr_assert_eq(type_index(&sc, "m6i.large"), 2);
	cr_assert_eq(type_index(&sc, "c6i.large"), 3);
	cr_assert(m->from_catalog && c->from_catalog);
	cr_assert_str_eq(m->family, "m6i");
	cr_assert_eq(m->vcpu, 2);
	assert_near(m->memory_gib, 8, "m6i.large memory");
	/* regions[0] is eu-west-1 (catalog line 5), regions[1] us-east-1 (line 4). */
	assert_near(m->price_hourly, 0.107, "the first scenario region that has it: eu-west-1");
	cr_assert(m->price[0].known && m->price[1].known);
	assert_near(m->price[0].on_demand, 0.107, "m6i.large eu-west-1");
	assert_near(m->price[1].on_demand, 0.096, "m6i.large us-east-1");
	assert_near(m->price[0].spot_discount, 0.55, "spot eu-west-1");
	assert_near(m->price[1].spot_discount, 0.60, "spot us-east-1");
	cr_assert_eq(m->price[0].spot_bucket, 1, "5-10%");
	cr_assert_eq(m->price[1].spot_bucket, 0, "<5%");
	cr_assert_not_null(m->price[0].cat);
	cr_assert_str_eq(m->price[0].cat->region, "eu-west-1");
	cr_assert_str_eq(m->price[1].cat->region, "us-east-1");
	assert_near(m->price[1].cat->ri_hourly[CATALOG_3Y][CATALOG_PARTIAL_UPFRONT], 0.096 * 0.205,
		    "the row is the one written (3y partial recurring = 0.205 x on-demand)");
	/* c6i.large has no eu-west-1 row: unknown there; db runs in us-east-1 only. */
	cr_assert(!c->price[0].known);
	cr_assert_eq(c->price[0].on_demand, 0);
	cr_assert_eq(c->price[0].spot_discount, -1);
	cr_assert_eq(c->price[0].spot_bucket, -1);
	cr_assert_null(c->price[0].cat);
	cr_assert(c->price[1].known);
	assert_near(c->price[1].on_demand, 0.085, "c6i.large us-east-1");
	cr_assert_eq(c->price[1].spot_bucket, 2, "10-15%");
	assert_near(c->price_hourly, 0.085, "the first region that has it: us-east-1");

	/* Declared types: their price_hourly in every region, their spot data as declared, no
	 * catalog row (the catalog has neither name). */
	const struct scenario_instance_type *s = &sc.instance_types[0], *b = &sc.instance_types[1];
	cr_assert(!s->from_catalog);
	cr_assert_str_eq(s->family, "small", "a name without a dot is its own family");
	cr_assert_str_eq(b->family, "custom", "a declared family");
	for (size_t r = 0; r < 2; r++) {
		cr_assert(s->price[r].known && b->price[r].known);
		assert_near(s->price[r].on_demand, 0.05, "small");
		assert_near(b->price[r].on_demand, 0.4, "big");
		assert_near(s->price[r].spot_discount, 0.7, "declared discount");
		cr_assert_eq(s->price[r].spot_bucket, 2, "10-15%");
		cr_assert_eq(b->price[r].spot_discount, -1, "not declared, not in the catalog");
		cr_assert_eq(b->price[r].spot_bucket, -1);
		cr_assert_null(s->price[r].cat);
	}
	scenario_release(&sc);
	dir_close(&d);
}

/* A scenario with one tier in eu-west-1 and us-east-1; TYPES, TIER_TYPE and PURCHASE are
 * filled in by the tests (the catalog key names the test catalog). */
static int load_one_tier(struct dir *d, const char *types, const char *tier_type,
			 const char *purchase, struct scenario *sc, struct scenario_error *err)
{
	char text[4096];
	snprintf(text, sizeof text,
		 "{ \"name\": \"p\", \"version\": 1, \"catalog\": \"c.csv\",\n"
		 "  \"traffic\": { \"base_rate\": 100 },\n"
		 "  \"instance_types\": [ %s ],\n"
		 "  \"regions\": [ { \"name\": \"eu-west-1\", \"zones\": [\"a\"] },\n"
		 "               { \"name\": \"us-east-1\", \"zones\": [\"a\"] } ],\n"
		 "  \"tiers\": [ { \"name\": \"web\", \"instance_type\": \"%s\",\n"
		 "      \"capacity_rps\": 100, \"autoscaling\": { \"min\": 1, \"max\": 9 }%s%s } ] }\n",
		 types, tier_type, purchase ? ",\n      \"purchase\": " : "", purchase ? purchase : "");
	return load_text(d, text, sc, err);
}

Test(scenario_purchase, a_declared_type_takes_missing_spot_data_from_its_catalog_row)
{
	struct dir d;
	struct scenario sc;
	struct scenario_error err;
	dir_open(&d);
	/* m6i.large declared with its own price and discount but no bucket: the declared price
	 * and discount hold in every region, the bucket comes from each region's row. */
	cr_assert_eq(load_one_tier(&d, "{ \"name\": \"m6i.large\", \"vcpu\": 2, \"memory_gib\": 8,"
				   " \"price_hourly\": 0.2, \"spot_discount\": 0.4 }, "
				   "{ \"name\": \"c6i.large\", \"vcpu\": 2, \"memory_gib\": 4, "
				   "\"price_hourly\": 0.1, \"spot_interruption\": \">20%\" }",
				   "m6i.large", "{ \"on_demand_percentage_above_base\": 0, "
				   "\"spot_types\": [\"m6i.large\"] }", &sc, &err), 0, "%s", err.msg);
	const struct scenario_instance_type *t = &sc.instance_types[0];
	cr_assert_eq(sc.ninstance_types, 2);
	cr_assert(!t->from_catalog);
	cr_assert_str_eq(t->family, "m6i", "the name up to its first dot");
	assert_near(t->price[0].on_demand, 0.2, "declared price, eu-west-1");
	assert_near(t->price[1].on_demand, 0.2, "declared price, us-east-1");
	assert_near(t->price[0].spot_discount, 0.4, "declared discount");
	assert_near(t->price[1].spot_discount, 0.4, "declared discount");
	cr_assert_eq(t->price[0].spot_bucket, 1, "eu-west-1 row: 5-10%");
	cr_assert_eq(t->price[1].spot_bucket, 0, "us-east-1 row: <5%");
	cr_assert_not_null(t->price[0].cat, "the row is there for RI/SP prices");
	assert_near(sc.tiers[0].purchase.on_demand_above_base, 0, "0%");
	/* c6i.large declares its bucket (>20%) but no discount: the declared bucket wins over
	 * the us-east-1 row's 10-15%, the discount is the row's; eu-west-1 has no row. */
	const struct scenario_instance_type *c = &sc.instance_types[1];
	cr_assert_eq(c->price[1].spot_bucket, 4, "declared >20%, not the row's 10-15%");
	assert_near(c->price[1].spot_discount, 0.65, "the us-east-1 row's discount");
	cr_assert_eq(c->price[0].spot_bucket, 4, "declared, every region");
	cr_assert_eq(c->price[0].spot_discount, -1, "no eu-west-1 row");
	cr_assert_null(c->price[0].cat);
	scenario_release(&sc);
	dir_close(&d);
}

Test(scenario_purchase, spot_types_are_optional_at_100_percent_on_demand)
{
	struct dir d;
	struct scenario sc;
	struct scenario_error err;
	dir_open(&d);
	cr_assert_eq(load_one_tier(&d, "", "m6i.large", "{ \"on_demand_base\": 3 }", &sc, &err), 0,
		     "%s", err.msg);
	cr_assert(sc.tiers[0].has_purchase);
	cr_assert_eq(sc.tiers[0].purchase.on_demand_base, 3);
	cr_assert_eq(sc.tiers[0].purchase.on_demand_above_base, 1);
	cr_assert_eq(sc.tiers[0].purchase.nspot_types, 0);
	cr_assert_eq(sc.ninstance_types, 1, "instance_types may be empty");
	scenario_release(&sc);
	/* 99.5% above the base still buys spot, so it needs spot types. */
	cr_assert_eq(load_one_tier(&d, "", "m6i.large", "{ \"on_demand_percentage_above_base\": "
				   "99.5 }", &sc, &err), CAPSIM_EINVAL);
	cr_assert_str_eq(err.path, "tiers[0].purchase.spot_types");
	dir_close(&d);
}

Test(scenario_purchase, spot_types_need_spot_data_in_every_placed_region)
{
	struct dir d;
	struct scenario sc;
	struct scenario_error err;
	dir_open(&d);
	/* A declared type the catalog lacks, with a discount but no bucket. */
	cr_assert_eq(load_one_tier(&d, "{ \"name\": \"x\", \"vcpu\": 1, \"memory_gib\": 1, "
				   "\"price_hourly\": 0.01, \"spot_discount\": 0.5 }", "x",
				   "{ \"on_demand_percentage_above_base\": 50, \"spot_types\": "
				   "[\"x\"] }", &sc, &err), CAPSIM_EINVAL);
	cr_assert_str_eq(err.path, "tiers[0].purchase.spot_types[0]");
	cr_assert(strstr(err.msg, "lacks spot_interruption for eu-west-1"), "%s", err.msg);
	cr_assert(strstr(err.msg, "declare it in its instance_types entry"), "%s", err.msg);
	/* c6i.large is in the catalog for us-east-1 only, and the tier is placed in both. */
	cr_assert_eq(load_one_tier(&d, "", "m6i.large", "{ \"on_demand_percentage_above_base\": "
				   "50, \"spot_types\": [\"m6i.large\", \"c6i.large\"] }", &sc, &err),
		     CAPSIM_EINVAL);
	cr_assert_str_eq(err.path, "tiers[0].purchase.spot_types[1]");
	cr_assert(strstr(err.msg, "for eu-west-1, got \"c6i.large\"; the catalog has it only in "
			 "us-east-1"), "%s", err.msg);
	/* Declaring both makes a type usable for spot without any catalog row. */
	cr_assert_eq(load_one_tier(&d, "{ \"name\": \"x\", \"vcpu\": 1, \"memory_gib\": 1, "
				   "\"price_hourly\": 0.01, \"spot_discount\": 0.5, "
				   "\"spot_interruption\": \">20%\" }", "x",
				   "{ \"on_demand_percentage_above_base\": 50, \"spot_types\": "
				   "[\"x\"] }", &sc, &err), 0, "%s", err.msg);
	cr_assert_eq(sc.instance_types[0].price[1].spot_bucket, 4, ">20% is the fifth bucket");
	scenario_release(&sc);
	dir_close(&d);
}

Test(scenario_purchase, the_catalog_is_read_only_when_needed)
{
	struct scenario sc;
	struct scenario_error err;
	/* If the loader tried to read the bundled catalog it would fail on this path. */
	setenv("CAPSIM_CATALOG", "/nonexistent/prices.csv", 1);
	cr_assert_eq(scenario_load("scenarios/dr-shop.json", &sc, &err), 0, "%s", err.msg);
	cr_assert(!sc.has_catalog);
	cr_assert_eq(sc.nreservations, 0);
	cr_assert_eq(sc.nsavings_plans, 0);
	for (size_t i = 0; i < sc.ntiers; i++) {
		cr_assert(!sc.tiers[i].has_purchase);
		cr_assert_eq(sc.tiers[i].purchase.on_demand_above_base, 1);
	}
	/* dr-shop.json: instance_types[1] is m6i.xlarge at 0.192 USD/h, in both regions. */
	const struct scenario_instance_type *t = &sc.instance_types[1];
	cr_assert_str_eq(t->family, "m6i");
	for (size_t r = 0; r < sc.nregions; r++) {
		cr_assert(t->price[r].known);
		assert_near(t->price[r].on_demand, 0.192, "declared price");
		cr_assert_eq(t->price[r].spot_discount, -1);
		cr_assert_eq(t->price[r].spot_bucket, -1);
		cr_assert_null(t->price[r].cat);
	}
	scenario_release(&sc);
	unsetenv("CAPSIM_CATALOG");
}

Test(scenario_purchase, without_a_catalog_key_the_bundled_catalog_is_used)
{
	struct dir d;
	struct scenario sc;
	struct scenario_error err;
	dir_open(&d);
	/* No "catalog" key: an undeclared type is looked up in catalog_default_path(), here
	 * pointed at the test catalog. */
	setenv("CAPSIM_CATALOG", d.csv, 1);
	static const char text[] =
		"{ \"name\": \"p\", \"version\": 1, \"traffic\": { \"base_rate\": 100 },\n"
		"  \"regions\": [ { \"name\": \"us-east-1\", \"zones\": [\"a\"] } ],\n"
		"  \"tiers\": [ { \"name\": \"web\", \"instance_type\": \"c6i.large\",\n"
		"      \"capacity_rps\": 100, \"autoscaling\": { \"min\": 1, \"max\": 9 } } ] }\n";
	cr_assert_eq(load_text(&d, text, &sc, &err), 0, "%s", err.msg);
	cr_assert(sc.has_catalog);
	cr_assert_eq(sc.ninstance_types, 1, "instance_types may be left out");
	assert_near(sc.instance_types[0].price[0].on_demand, 0.085, "catalog line 6");
	scenario_release(&sc);
	/* An unreadable bundled catalog: the message says so, and still hints at declared
	 * names. */
	static const char typo[] =
		"{ \"name\": \"p\", \"version\": 1, \"traffic\": { \"base_rate\": 100 },\n"
		"  \"instance_types\": [ { \"name\": \"small\", \"vcpu\": 1, \"memory_gib\": 1,\n"
		"                        \"price_hourly\": 0.01 } ],\n"
		"  \"regions\": [ { \"name\": \"us-east-1\", \"zones\": [\"a\"] } ],\n"
		"  \"tiers\": [ { \"name\": \"web\", \"instance_type\": \"smal\",\n"
		"      \"capacity_rps\": 100, \"autoscaling\": { \"min\": 1, \"max\": 9 } } ] }\n";
	setenv("CAPSIM_CATALOG", "/nonexistent/prices.csv", 1);
	cr_assert_eq(load_text(&d, typo, &sc, &err), CAPSIM_EINVAL);
	cr_assert_eq(err.line, 5, "\"smal\" is on line 5: %s", err.msg);
	cr_assert_str_eq(err.path, "tiers[0].instance_type");
	cr_assert(strstr(err.msg, "got \"smal\"; did you mean \"small\"? (the price catalog "
			 "\"/nonexistent/prices.csv\" cannot be read: "), "%s", err.msg);
	dir_close(&d);
	unsetenv("CAPSIM_CATALOG");
}

Test(scenario_purchase, the_real_bundled_catalog_prices_catalog_types)
{
	/* The bundled catalog, read on its own, gives the expected prices for a scenario that
	 * names m6i.large in two regions without declaring it. */
	struct catalog cat;
	char msg[512];
	struct scenario sc;
	struct scenario_error err;
	unsetenv("CAPSIM_CATALOG");
	cr_assert_eq(catalog_load(catalog_default_path(), &cat, msg, sizeof msg), 0, "%s", msg);
	const struct catalog_entry *us = catalog_find(&cat, "m6i.large", "us-east-1");
	const struct catalog_entry *eu = catalog_find(&cat, "m6i.large", "eu-west-1");
	cr_assert(us && eu, "the bundled catalog has m6i.large in us-east-1 and eu-west-1");
	static const char text[] =
		"{ \"name\": \"p\", \"version\": 1, \"traffic\": { \"base_rate\": 100 },\n"
		"  \"regions\": [ { \"name\": \"us-east-1\", \"zones\": [\"a\"] },\n"
		"               { \"name\": \"eu-west-1\", \"zones\": [\"a\"] } ],\n"
		"  \"tiers\": [ { \"name\": \"web\", \"instance_type\": \"m6i.large\",\n"
		"      \"capacity_rps\": 100, \"autoscaling\": { \"min\": 1, \"max\": 9 } } ] }\n";
	cr_assert_eq(scenario_parse(text, strlen(text), "mem.json", &sc, &err), 0, "%s", err.msg);
	const struct scenario_price *p = sc.instance_types[0].price;
	cr_assert_eq(p[0].on_demand, us->on_demand, "the same text read by the same parser");
	cr_assert_eq(p[1].on_demand, eu->on_demand);
	cr_assert_eq(p[0].spot_bucket, us->spot_bucket);
	cr_assert_eq(p[1].spot_discount, eu->spot_discount);
	cr_assert_str_eq(sc.catalog.path, catalog_default_path());
	scenario_release(&sc);
	catalog_release(&cat);
}

/* The line on which `needle` first occurs in text (counted here, not by the loader). */
static int line_of(const char *text, const char *needle)
{
	const char *p = strstr(text, needle);
	int line = 1;
	cr_assert_not_null(p, "%s", needle);
	for (const char *q = text; q < p; q++)
		line += *q == '\n';
	return line;
}

struct mistake {
	const char *from, *to;  /* in `full`; from occurs once, and the mistake sits on its line */
	int code;
	const char *path;
	const char *text;       /* must appear in the message */
};

static const struct mistake mistakes[] = {
	{ "\"capacity_rebalance\": true", "\"capacity_rebalnce\": true", CAPSIM_EINVAL,
	  "tiers[0].purchase.capacity_rebalnce", "did you mean \"capacity_rebalance\"?" },
	{ "\"on_demand_base\": 2", "\"on_demand_base\": 1.5", CAPSIM_EINVAL,
	  "tiers[0].purchase.on_demand_base", "got 1.5" },
	{ "\"on_demand_percentage_above_base\": 30", "\"on_demand_percentage_above_base\": -1",
	  CAPSIM_EINVAL, "tiers[0].purchase.on_demand_percentage_above_base", "[0,100], got -1" },
	{ "[\"m6i.large\", \"small\"]", "[]", CAPSIM_EINVAL, "tiers[0].purchase.spot_types",
	  "got an empty array" },
	{ "[\"m6i.large\", \"small\"]", "[\"m6i.large\", \"smal\"]", CAPSIM_EINVAL,
	  "tiers[0].purchase.spot_types[1]", "did you mean \"small\"?" },
	{ "\"allocation_strategy\": \"lowest-price\"", "\"allocation_strategy\": \"lowest_price\"",
	  CAPSIM_EINVAL, "tiers[0].purchase.allocation_strategy", "did you mean \"lowest-price\"?" },
	{ "\"fallback_to_on_demand\": false", "\"fallback_to_on_demand\": 0", CAPSIM_EINVAL,
	  "tiers[0].purchase.fallback_to_on_demand", "expected true or false, got 0" },
	{ "\"fallback_delay\": \"2m\"", "\"fallback_delay\": \"2 min\"", CAPSIM_EINVAL,
	  "tiers[0].purchase.fallback_delay", "got \"2 min\"" },
	{ "\"rate_per_month\": 0.5", "\"rate_per_month\": -0.5", CAPSIM_EINVAL,
	  "tiers[0].purchase.reclaims.rate_per_month", ">= 0, got -0.5" },
	{ "\"fraction\": [0.1, 0.3]", "\"fraction\": [0, 0.3]", CAPSIM_EINVAL,
	  "tiers[0].purchase.reclaims.fraction", "got [0, 0.3]" },
	{ "\"fraction\": [0.1, 0.3]", "\"fraction\": [0.1, 1.3]", CAPSIM_EINVAL,
	  "tiers[0].purchase.reclaims.fraction", "got [0.1, 1.3]" },
	{ "\"unavailable\": \"30m\"", "\"unavailable\": 0", CAPSIM_EINVAL,
	  "tiers[0].purchase.reclaims.unavailable", "a duration > 0" },
	{ "\"spot_price_volatility\": 0.2", "\"spot_price_volatility\": -0.2", CAPSIM_EINVAL,
	  "tiers[0].purchase.spot_price_volatility", "got -0.2" },
	{ "\"spot_discount\": 0.7", "\"spot_discount\": 1", CAPSIM_EINVAL,
	  "instance_types[0].spot_discount", "(0,1)" },
	{ "\"family\": \"custom\"", "\"family\": \"a b\"", CAPSIM_EINVAL,
	  "instance_types[1].family", "got \"a b\"" },
	{ "\"region\": \"us-east-1\", \"count\": 4", "\"region\": \"us-east-2\", \"count\": 4",
	  CAPSIM_EINVAL, "reservations[0].region", "did you mean \"us-east-1\"?" },
	/* r6i.large is in the catalog, but not for us-east-1. */
	{ "\"instance_type\": \"c6i.large\", \"region\"", "\"instance_type\": \"r6i.large\", "
	  "\"region\"", CAPSIM_EINVAL, "reservations[1].instance_type",
	  "for us-east-1, got \"r6i.large\"; the catalog has it only in eu-west-1" },
	{ "\"count\": 4", "\"count\": 2.5", CAPSIM_EINVAL, "reservations[0].count", "got 2.5" },
	{ "\"commitment_hourly\": 1.5", "\"commitment_hourly\": 0", CAPSIM_EINVAL,
	  "savings_plans[0].commitment_hourly", "> 0, got 0" },
	{ "\"type\": \"compute\", \"commitment_hourly\"", "\"type\": \"compute\", \"region\": "
	  "\"eu-west-1\", \"commitment_hourly\"", CAPSIM_EINVAL, "savings_plans[0].region",
	  "only for instance_family plans" },
	/* big's family "custom" is declared but no tier uses big. */
	{ "\"family\": \"m6i\"", "\"family\": \"custom\"", CAPSIM_EINVAL, "savings_plans[1].family",
	  "the families in use are: m6i, small, c6i" },
	{ "\"catalog\": \"c.csv\"", "\"catalog\": 7", CAPSIM_EINVAL, "catalog",
	  "expected the path of a price catalog CSV file, got 7" },
	{ "\"catalog\": \"c.csv\"", "\"catalog\": \"d.csv\"", CAPSIM_EIO, "catalog",
	  "d.csv\": No such file" },
	{ "\"catalog\": \"c.csv\"", "\"catalgo\": \"c.csv\"", CAPSIM_EINVAL, "catalgo",
	  "did you mean \"catalog\"?" },
};

Test(scenario_purchase, every_mistake_is_reported_at_its_line_and_path)
{
	struct dir d;
	dir_open(&d);
	for (size_t i = 0; i < sizeof mistakes / sizeof mistakes[0]; i++) {
		const struct mistake *m = &mistakes[i];
		char text[sizeof full + 256];
		const char *at = strstr(full, m->from);
		cr_assert_not_null(at, "%s", m->from);
		cr_assert_null(strstr(at + 1, m->from), "%s occurs twice", m->from);
		snprintf(text, sizeof text, "%.*s%s%s", (int)(at - full), full, m->to,
			 at + strlen(m->from));
		struct scenario sc;
		struct scenario_error err;
		int rc = load_text(&d, text, &sc, &err);
		cr_assert_eq(rc, m->code, "%s: rc %d: %s", m->to, rc, err.msg);
		cr_assert_str_eq(err.path, m->path, "%s: %s", m->to, err.msg);
		cr_assert_eq(err.line, line_of(full, m->from), "%s: %s", m->to, err.msg);
		cr_assert(strstr(err.msg, m->text), "%s: \"%s\" lacks \"%s\"", m->to, err.msg,
			  m->text);
		cr_assert_null(sc.name, "nothing is left in the struct on failure");
		cr_assert_eq(sc.has_catalog, 0);
	}
	dir_close(&d);
}

Test(scenario_purchase, catalog_errors_name_the_catalog_file_and_line)
{
	struct dir d;
	struct scenario sc;
	struct scenario_error err;
	dir_open(&d);
	/* Line 7 of the catalog: r6i.large with a discount of 1.5 (not in (0,1)). */
	write_catalog(d.csv, "r6i.large,r6i,memory,eu-west-1,2,16,0.141,0.08,370,0.04,725,0.06,"
		      "760,0.029,1390,0.1,0.07,0.088,0.06,1.5,>20%");
	cr_assert_eq(load_text(&d, full, &sc, &err), CAPSIM_EINVAL);
	cr_assert_str_eq(err.file, d.csv);
	cr_assert_eq(err.line, 7, "%s", err.msg);
	cr_assert_str_eq(err.path, "catalog");
	cr_assert(strstr(err.msg, "spot_discount: expected a fraction in (0,1)"), "%s", err.msg);
	/* The same catalog reached without a key, through the undeclared tier type: the path
	 * is what needed the catalog. */
	setenv("CAPSIM_CATALOG", d.csv, 1);
	static const char text[] =
		"{ \"name\": \"p\", \"version\": 1, \"traffic\": { \"base_rate\": 100 },\n"
		"  \"regions\": [ { \"name\": \"us-east-1\", \"zones\": [\"a\"] } ],\n"
		"  \"tiers\": [ { \"name\": \"web\", \"instance_type\": \"c6i.large\",\n"
		"      \"capacity_rps\": 100, \"autoscaling\": { \"min\": 1, \"max\": 9 } } ] }\n";
	cr_assert_eq(load_text(&d, text, &sc, &err), CAPSIM_EINVAL);
	cr_assert_str_eq(err.file, d.csv);
	cr_assert_eq(err.line, 7, "%s", err.msg);
	cr_assert_str_eq(err.path, "tiers[0].instance_type");
	unsetenv("CAPSIM_CATALOG");
	dir_close(&d);
}
