/* Tests of models/catalog: the bundled catalog's coverage and internal consistency, list
 * prices against the published figures, the spot hazard against its closed form, and the
 * messages for broken catalogs. */
#include <criterion/criterion.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "models/catalog.h"
#include "sim/error.h"

/* |x - ref| <= rel |ref|, with a readable failure message. */
#define ASSERT_REL(x, ref, rel)                                                              \
	do {                                                                                 \
		double x_ = (x), r_ = (ref);                                                 \
		cr_assert(fabs(x_ - r_) <= (rel) * fabs(r_), "%s = %.17g, expected %.17g (rel %g)", \
		          #x, x_, r_, (double)(rel));                                        \
	} while (0)

static void load_bundled(struct catalog *c)
{
	char msg[512];
	unsetenv("CAPSIM_CATALOG");
	int rc = catalog_load(catalog_default_path(), c, msg, sizeof msg);
	cr_assert_eq(rc, 0, "%s", msg);
}

static size_t count_distinct(const struct catalog *c, size_t offset)
{
	size_t n = 0;
	for (size_t i = 0; i < c->n; i++) {
		const char *s = (const char *)&c->e[i] + offset;
		size_t j;
		for (j = 0; j < i; j++)
			if (strcmp((const char *)&c->e[j] + offset, s) == 0)
				break;
		n += j == i;
	}
	return n;
}

Test(catalog, bundled_catalog_names_its_date_and_public_sources)
{
	struct catalog c;
	load_bundled(&c);
	/* "# date: YYYY-MM-DD" */
	cr_assert_eq(strlen(c.date), 10, "%s", c.date);
	cr_assert(c.date[4] == '-' && c.date[7] == '-', "%s", c.date);
	/* one source line per kind of figure: on-demand, reserved, savings plans, spot */
	cr_assert(strstr(c.source, "aws.amazon.com/ec2/pricing/on-demand"), "%s", c.source);
	cr_assert(strstr(c.source, "aws.amazon.com/ec2/pricing/reserved-instances"), "%s", c.source);
	cr_assert(strstr(c.source, "aws.amazon.com/savingsplans"), "%s", c.source);
	cr_assert(strstr(c.source, "Spot Instance Advisor"), "%s", c.source);
	cr_assert(strstr(c.source, "; "), "source lines are joined by \"; \": %s", c.source);
	cr_assert_str_eq(c.path, catalog_default_path());
	catalog_release(&c);
	/* release zeroes, and accepts NULL */
	cr_assert_null(c.e);
	cr_assert_null(c.path);
	cr_assert_eq(c.n, 0);
	catalog_release(NULL);
}

Test(catalog, bundled_catalog_covers_25_types_in_4_regions_and_3_categories)
{
	struct catalog c;
	load_bundled(&c);
	size_t types = count_distinct(&c, offsetof(struct catalog_entry, type));
	size_t regions = count_distinct(&c, offsetof(struct catalog_entry, region));
	size_t families = count_distinct(&c, offsetof(struct catalog_entry, family));
	cr_assert_geq(types, 25);
	cr_assert_geq(regions, 4);
	cr_assert_geq(c.n, 100);
	cr_assert_geq(families, 9);
	/* every type in every region: the grid is complete */
	cr_assert_eq(c.n, types * regions, "%zu rows, %zu types x %zu regions", c.n, types, regions);
	static const char *const cat[] = { "general", "compute", "memory" };
	for (size_t k = 0; k < 3; k++) {
		size_t n = 0;
		for (size_t i = 0; i < c.n; i++)
			n += strcmp(c.e[i].category, cat[k]) == 0;
		cr_assert_geq(n, 8 * regions, "%s: %zu rows", cat[k], n);
	}
	for (const char *const *f = (const char *const[]){ "m5", "m6i", "m6g", "m7i", "t3", "c5",
							   "c6i", "c6g", "c7i", "r5", "r6i",
							   "r6g", "r7i", NULL }; *f; f++) {
		size_t i;
		for (i = 0; i < c.n && strcmp(c.e[i].family, *f) != 0; i++)
			;
		cr_assert_lt(i, c.n, "family %s missing", *f);
	}
	catalog_release(&c);
}

/* What must hold in every row whatever the source: for each term, paying more upfront buys a
 * lower effective price (all < partial < no upfront < on-demand); a 3-year term is cheaper than
 * a 1-year one; an instance-family plan is at least as cheap as a compute plan (it is the
 * narrower commitment) and both are below on-demand. */
Test(catalog, bundled_rows_are_internally_consistent)
{
	struct catalog c;
	load_bundled(&c);
	for (size_t i = 0; i < c.n; i++) {
		const struct catalog_entry *e = &c.e[i];
		const char *t = e->type, *r = e->region;
		double eff[CATALOG_NTERMS][CATALOG_NPAYMENTS];
		for (int term = 0; term < CATALOG_NTERMS; term++) {
			for (int p = 0; p < CATALOG_NPAYMENTS; p++)
				eff[term][p] = catalog_ri_effective(e, term, p);
			cr_assert_eq(e->ri_upfront[term][CATALOG_NO_UPFRONT], 0, "%s %s", t, r);
			cr_assert_eq(e->ri_hourly[term][CATALOG_ALL_UPFRONT], 0, "%s %s", t, r);
			cr_assert_gt(e->ri_upfront[term][CATALOG_PARTIAL_UPFRONT], 0, "%s %s", t, r);
			cr_assert_gt(e->ri_hourly[term][CATALOG_PARTIAL_UPFRONT], 0, "%s %s", t, r);
			cr_assert_lt(eff[term][CATALOG_ALL_UPFRONT], eff[term][CATALOG_PARTIAL_UPFRONT],
				     "%s %s term %d", t, r, term);
			cr_assert_lt(eff[term][CATALOG_PARTIAL_UPFRONT], eff[term][CATALOG_NO_UPFRONT],
				     "%s %s term %d", t, r, term);
			cr_assert_lt(eff[term][CATALOG_NO_UPFRONT], e->on_demand, "%s %s", t, r);
			cr_assert_leq(e->sp_rate[CATALOG_SP_INSTANCE_FAMILY][term],
				      e->sp_rate[CATALOG_SP_COMPUTE][term], "%s %s", t, r);
			cr_assert_lt(e->sp_rate[CATALOG_SP_COMPUTE][term], e->on_demand, "%s %s", t, r);
			cr_assert_gt(e->sp_rate[CATALOG_SP_INSTANCE_FAMILY][term], 0, "%s %s", t, r);
		}
		for (int p = 0; p < CATALOG_NPAYMENTS; p++)
			cr_assert_lt(eff[CATALOG_3Y][p], eff[CATALOG_1Y][p], "%s %s payment %d", t, r, p);
		for (int plan = 0; plan < CATALOG_NPLANS; plan++)
			cr_assert_lt(e->sp_rate[plan][CATALOG_3Y], e->sp_rate[plan][CATALOG_1Y],
				     "%s %s", t, r);
		/* Published ranges: 1-year no-upfront RIs save about 30-40%, 3-year all-upfront
		 * about 60% (55-65%), spot typically 40-90% (Spot Instance Advisor). */
		double off1 = 1 - eff[CATALOG_1Y][CATALOG_NO_UPFRONT] / e->on_demand;
		double off3 = 1 - eff[CATALOG_3Y][CATALOG_ALL_UPFRONT] / e->on_demand;
		cr_assert(off1 >= 0.30 && off1 <= 0.40, "%s %s: 1y no upfront %.3f off", t, r, off1);
		cr_assert(off3 >= 0.55 && off3 <= 0.65, "%s %s: 3y all upfront %.3f off", t, r, off3);
		cr_assert(e->spot_discount >= 0.4 && e->spot_discount < 0.9, "%s %s", t, r);
		cr_assert(e->spot_bucket >= 0 && e->spot_bucket < CATALOG_NBUCKETS, "%s %s", t, r);
		/* the family is the type before its dot */
		size_t fl = strlen(e->family);
		cr_assert(strncmp(t, e->family, fl) == 0 && t[fl] == '.', "%s / %s", t, e->family);
		/* AWS's memory per vCPU: 4 GiB for m, 2 for c, 8 for r (t3 sizes vary) */
		double per = e->memory_gib / e->vcpu;
		if (e->family[0] == 'm')
			cr_assert_eq(per, 4, "%s", t);
		else if (e->family[0] == 'c')
			cr_assert_eq(per, 2, "%s", t);
		else if (e->family[0] == 'r')
			cr_assert_eq(per, 8, "%s", t);
	}
	catalog_release(&c);
}

/* EC2 prices scale with size inside a family and region: an xlarge costs twice a large and a
 * 2xlarge twice an xlarge, on demand exactly and for every reservation up to the file's
 * rounding: fees are whole dollars (1.5 $ over the term between 2 x a rounded fee and the
 * bigger type's rounded fee) and hourly prices have 4 decimals (3 x 0.00005 $/h). */
Test(catalog, bundled_prices_scale_with_instance_size)
{
	struct catalog c;
	load_bundled(&c);
	size_t pairs = 0;
	for (size_t i = 0; i < c.n; i++) {
		const struct catalog_entry *a = &c.e[i], *b;
		char big[40];
		const char *size = strchr(a->type, '.') + 1;
		const char *next = strcmp(size, "medium") == 0 ? "large"
				 : strcmp(size, "large") == 0 ? "xlarge"
				 : strcmp(size, "xlarge") == 0 ? "2xlarge" : NULL;
		if (!next)
			continue;
		snprintf(big, sizeof big, "%s.%s", a->family, next);
		if (!(b = catalog_find(&c, big, a->region)))
			continue;
		pairs++;
		ASSERT_REL(b->on_demand, 2 * a->on_demand, 1e-12);
		for (int t = 0; t < CATALOG_NTERMS; t++)
			for (int p = 0; p < CATALOG_NPAYMENTS; p++) {
				double eb = catalog_ri_effective(b, t, p);
				double ea = catalog_ri_effective(a, t, p);
				cr_assert(fabs(eb - 2 * ea) <= 1.5 / CATALOG_TERM_HOURS(t) + 1.5e-4 + 1e-12,
					  "%s/%s %s term %d payment %d", big, a->type, a->region, t, p);
			}
	}
	cr_assert_geq(pairs, 80, "%zu pairs", pairs);
	catalog_release(&c);
}

/* List prices (Linux, USD/h) as published by AWS and found again in the dated copies listed
 * under "Cross-checks" in models/data/README.md; the file's figures must be these. */
Test(catalog, bundled_list_prices_match_published_figures)
{
	static const struct {
		const char *type, *region;
		double price;
	} list[] = {
		{ "m5.large", "us-east-1", 0.096 },     { "m5.xlarge", "us-east-1", 0.192 },
		{ "m6i.large", "us-east-1", 0.096 },    { "m7g.large", "us-east-1", 0.0816 },
		{ "c5.large", "us-east-1", 0.085 },     { "c5.2xlarge", "us-east-1", 0.34 },
		{ "c6i.large", "us-east-1", 0.085 },    { "r5.large", "us-east-1", 0.126 },
		{ "r6i.large", "us-east-1", 0.126 },    { "t3.medium", "us-east-1", 0.0416 },
		{ "m5.large", "us-west-2", 0.096 },     { "c5.large", "us-west-2", 0.085 },
		{ "m5.large", "eu-west-1", 0.107 },     { "r5.large", "eu-west-1", 0.141 },
		{ "m5.xlarge", "ap-southeast-1", 0.24 }, { "m5.2xlarge", "ap-southeast-1", 0.48 },
		{ "t3.xlarge", "ap-southeast-1", 0.2112 },
	};
	struct catalog c;
	load_bundled(&c);
	for (size_t i = 0; i < sizeof list / sizeof list[0]; i++) {
		const struct catalog_entry *e = catalog_find(&c, list[i].type, list[i].region);
		cr_assert_not_null(e, "%s %s", list[i].type, list[i].region);
		ASSERT_REL(e->on_demand, list[i].price, 1e-12);
	}
	catalog_release(&c);
}

Test(catalog, find_returns_the_entry_for_type_and_region)
{
	struct catalog c;
	load_bundled(&c);
	const struct catalog_entry *a = catalog_find(&c, "m5.large", "us-east-1");
	const struct catalog_entry *b = catalog_find(&c, "m5.large", "eu-west-1");
	cr_assert_not_null(a);
	cr_assert_not_null(b);
	cr_assert_neq(a, b);
	cr_assert_str_eq(a->type, "m5.large");
	cr_assert_str_eq(a->region, "us-east-1");
	cr_assert_str_eq(a->family, "m5");
	cr_assert_str_eq(a->category, "general");
	cr_assert_eq(a->vcpu, 2);
	cr_assert_eq(a->memory_gib, 8);
	cr_assert_str_eq(b->region, "eu-west-1");
	cr_assert_null(catalog_find(&c, "m5.large", "mars-north-1"));
	cr_assert_null(catalog_find(&c, "m5.huge", "us-east-1"));
	cr_assert_null(catalog_find(&c, "m5", "us-east-1"));
	catalog_release(&c);
}

Test(catalog, default_path_follows_the_environment)
{
	unsetenv("CAPSIM_CATALOG");
	const char *p = catalog_default_path();
	const char *tail = "/models/data/prices.csv";
	cr_assert(strlen(p) > strlen(tail) && strcmp(p + strlen(p) - strlen(tail), tail) == 0,
		  "%s", p);
	cr_assert_eq(access(p, R_OK), 0, "%s", p);
	setenv("CAPSIM_CATALOG", "/elsewhere/prices.csv", 1);
	cr_assert_str_eq(catalog_default_path(), "/elsewhere/prices.csv");
	setenv("CAPSIM_CATALOG", "", 1);
	cr_assert_str_eq(catalog_default_path(), p);
	unsetenv("CAPSIM_CATALOG");
}

/* h = -ln(1 - q) / 730 with q the bucket midpoint (25% for ">20%"). The closed form checked:
 * an instance of constant hazard h survives the 730-hour month with probability
 * exp(-730 h) = 1 - q. The two logarithms (log here, log1p in the code) and exp each round
 * within an ulp or two, so 1e-14 relative is ample and still catches any other q. */
Test(catalog, spot_hazard_turns_the_monthly_bucket_into_an_hourly_rate)
{
	static const double q[CATALOG_NBUCKETS] = { 0.025, 0.075, 0.125, 0.175, 0.25 };
	ASSERT_REL(catalog_spot_hazard(0), -log(0.975) / 730.0, 1e-14);
	/* by hand: -ln(0.975) = 0.025317807984..., / 730 = 3.46819287...e-5 per hour */
	ASSERT_REL(catalog_spot_hazard(0), 3.468192874e-5, 1e-9);
	for (int b = 0; b < CATALOG_NBUCKETS; b++) {
		double h = catalog_spot_hazard(b);
		ASSERT_REL(exp(-730.0 * h), 1.0 - q[b], 1e-14);
		if (b > 0)
			cr_assert_gt(h, catalog_spot_hazard(b - 1));
	}
	cr_assert_str_eq(catalog_bucket_name[0], "<5%");
	cr_assert_str_eq(catalog_bucket_name[4], ">20%");
}

/* Effective hourly = upfront / term hours + recurring. */
Test(catalog, ri_effective_price_by_hand)
{
	struct catalog_entry e = { .on_demand = 0.5 };
	e.ri_upfront[CATALOG_1Y][CATALOG_PARTIAL_UPFRONT] = 876;   /* 876 / 8760 = 0.1 */
	e.ri_hourly[CATALOG_1Y][CATALOG_PARTIAL_UPFRONT] = 0.1;
	e.ri_upfront[CATALOG_3Y][CATALOG_ALL_UPFRONT] = 5256;      /* 5256 / 26280 = 0.2 */
	e.ri_hourly[CATALOG_3Y][CATALOG_NO_UPFRONT] = 0.15;
	ASSERT_REL(catalog_ri_effective(&e, CATALOG_1Y, CATALOG_PARTIAL_UPFRONT), 0.2, 1e-15);
	ASSERT_REL(catalog_ri_effective(&e, CATALOG_3Y, CATALOG_ALL_UPFRONT), 0.2, 1e-15);
	ASSERT_REL(catalog_ri_effective(&e, CATALOG_3Y, CATALOG_NO_UPFRONT), 0.15, 1e-15);

	/* The bundled m5.large in us-east-1, 1-year partial upfront: the row reads 252 upfront
	 * and 0.0288 per hour, so 252 / 8760 + 0.0288 = 0.028767123... + 0.0288 = 0.057567123
	 * USD/h, 40% below the 0.096 on-demand price. */
	struct catalog c;
	load_bundled(&c);
	const struct catalog_entry *m5 = catalog_find(&c, "m5.large", "us-east-1");
	cr_assert_not_null(m5);
	cr_assert_eq(m5->ri_upfront[CATALOG_1Y][CATALOG_PARTIAL_UPFRONT], 252);
	cr_assert_eq(m5->ri_hourly[CATALOG_1Y][CATALOG_PARTIAL_UPFRONT], 0.0288);
	ASSERT_REL(catalog_ri_effective(m5, CATALOG_1Y, CATALOG_PARTIAL_UPFRONT), 0.0575671233,
		   1e-9);
	catalog_release(&c);
}

/* ---- broken catalogs ---- */

static const char head[] =
	"# date: 2024-05-01\n"
	"# source: a test\n"
	"type,family,category,region,vcpu,memory_gib,on_demand,"
	"ri_1y_no_upfront_hourly,ri_1y_partial_upfront,ri_1y_partial_hourly,ri_1y_all_upfront,"
	"ri_3y_no_upfront_hourly,ri_3y_partial_upfront,ri_3y_partial_hourly,ri_3y_all_upfront,"
	"sp_compute_1y,sp_compute_3y,sp_family_1y,sp_family_3y,spot_discount,spot_interruption\n";

/* line 4 of head + good */
static const char good[] =
	"m5.large,m5,general,us-east-1,2,8,0.096,0.06,252,0.0288,494,0.0413,517,0.0197,946,"
	"0.0701,0.0461,0.06,0.0413,0.62,5-10%\n";

/* Writes text to a fresh folder, loads it and removes it; msg gets the message. On failure
 * the catalog must hold nothing. */
static int load_text(const char *text, char *msg, size_t msglen)
{
	char dir[] = "/tmp/capsim-catalog-XXXXXX", path[64];
	struct catalog c;
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/p.csv", dir);
	FILE *f = fopen(path, "wb");
	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
	int rc = catalog_load(path, &c, msg, msglen);
	if (rc != 0) {
		cr_assert_null(c.e);
		cr_assert_null(c.path);
		cr_assert_eq(c.n, 0);
	}
	catalog_release(&c);
	unlink(path);
	rmdir(dir);
	return rc;
}

/* head + good with the first `from` in the row replaced by `to`, then `extra` */
static int load_edited(const char *from, const char *to, const char *extra, char *msg,
		       size_t msglen)
{
	char text[4096], row[512];
	const char *p = strstr(good, from);
	cr_assert_not_null(p, "%s", from);
	snprintf(row, sizeof row, "%.*s%s%s", (int)(p - good), good, to, p + strlen(from));
	snprintf(text, sizeof text, "%s%s%s", head, row, extra ? extra : "");
	return load_text(text, msg, msglen);
}

#define ASSERT_MSG(msg, want) cr_assert(strstr(msg, want), "message \"%s\" lacks \"%s\"", msg, want)

Test(catalog, a_minimal_catalog_loads_in_any_column_order_with_crlf_and_comments)
{
	char text[4096], msg[512], dir[] = "/tmp/capsim-catalog-XXXXXX", path[64];
	struct catalog c;
	cr_assert_eq(load_edited("m5.large", "m5.large", NULL, msg, sizeof msg), 0, "%s", msg);
	/* columns reversed: spot_interruption first ... type last; CRLF line ends; a comment
	 * between rows; two source lines */
	snprintf(text, sizeof text,
		 "# date: 2024-05-01\r\n# source: one\r\n#source:two\r\n"
		 "spot_interruption,spot_discount,sp_family_3y,sp_family_1y,sp_compute_3y,"
		 "sp_compute_1y,ri_3y_all_upfront,ri_3y_partial_hourly,ri_3y_partial_upfront,"
		 "ri_3y_no_upfront_hourly,ri_1y_all_upfront,ri_1y_partial_hourly,"
		 "ri_1y_partial_upfront,ri_1y_no_upfront_hourly,on_demand,memory_gib,vcpu,region,"
		 "category,family,type\r\n"
		 "<5%%,0.7,0.0413,0.06,0.0461,0.0701,946,0.0197,517,0.0413,494,0.0288,252,0.06,"
		 "0.096,8,2,us-east-1,general,m5,m5.large\r\n"
		 "# a comment between rows\r\n"
		 ">20%%,0.8,0.0413,0.06,0.0461,0.0701,946,0.0197,517,0.0413,494,0.0288,252,0.06,"
		 "0.096,8,2,eu-west-1,general,m5,m5.large");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/p.csv", dir);
	FILE *f = fopen(path, "wb");
	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
	cr_assert_eq(catalog_load(path, &c, msg, sizeof msg), 0, "%s", msg);
	unlink(path);
	rmdir(dir);
	cr_assert_eq(c.n, 2);
	cr_assert_str_eq(c.date, "2024-05-01");
	cr_assert_str_eq(c.source, "one; two");
	const struct catalog_entry *e = catalog_find(&c, "m5.large", "eu-west-1");
	cr_assert_not_null(e);
	cr_assert_eq(e->spot_bucket, 4);
	cr_assert_eq(e->spot_discount, 0.8);
	cr_assert_eq(e->ri_upfront[CATALOG_3Y][CATALOG_PARTIAL_UPFRONT], 517);
	cr_assert_eq(e->ri_hourly[CATALOG_3Y][CATALOG_PARTIAL_UPFRONT], 0.0197);
	cr_assert_eq(e->sp_rate[CATALOG_SP_COMPUTE][CATALOG_1Y], 0.0701);
	cr_assert_eq(e->sp_rate[CATALOG_SP_INSTANCE_FAMILY][CATALOG_3Y], 0.0413);
	cr_assert_eq(catalog_find(&c, "m5.large", "us-east-1")->spot_bucket, 0);
	catalog_release(&c);
}

Test(catalog, a_bad_number_names_its_line_and_column)
{
	char msg[512];
	cr_assert_eq(load_edited(",0.096,", ",0.09x6,", NULL, msg, sizeof msg), CAPSIM_EPARSE);
	ASSERT_MSG(msg, "/p.csv:4: on_demand: expected a price in USD per hour > 0, got \"0.09x6\"");
	/* on the second data row, line 5 */
	cr_assert_eq(load_edited("us-east-1", "eu-west-1", "m5.large,m5,general,us-east-1,2,8,"
				 "0.096,0.06,252,0.0288,494,0.0413,517,0.0197,946,0.0701,,0.06,"
				 "0.0413,0.62,5-10%\n", msg, sizeof msg), CAPSIM_EPARSE);
	ASSERT_MSG(msg, "/p.csv:5: sp_compute_3y: expected a savings-plan rate in USD per hour > 0, "
		   "got \"\"");
	cr_assert_eq(load_edited(",0.096,", ",-0.096,", NULL, msg, sizeof msg), CAPSIM_EINVAL);
	ASSERT_MSG(msg, ":4: on_demand: expected a price in USD per hour > 0, got -0.096");
	cr_assert_eq(load_edited(",2,8,", ",2.5,8,", NULL, msg, sizeof msg), CAPSIM_EINVAL);
	ASSERT_MSG(msg, ":4: vcpu: expected a whole number of vCPUs");
	cr_assert_eq(load_edited(",0.62,", ",1.2,", NULL, msg, sizeof msg), CAPSIM_EINVAL);
	ASSERT_MSG(msg, ":4: spot_discount: expected a fraction in (0,1)");
	cr_assert_eq(load_edited(",0.62,", ",62%,", NULL, msg, sizeof msg), CAPSIM_EPARSE);
	ASSERT_MSG(msg, ":4: spot_discount: expected a fraction in (0,1), got \"62%\"");
}

Test(catalog, an_unknown_bucket_is_refused)
{
	char msg[512];
	cr_assert_eq(load_edited("5-10%", "5-15%", NULL, msg, sizeof msg), CAPSIM_EINVAL);
	ASSERT_MSG(msg, "/p.csv:4: spot_interruption: expected one of <5%, 5-10%, 10-15%, 15-20%, "
		   ">20%, got \"5-15%\"");
}

Test(catalog, a_duplicate_type_and_region_is_refused)
{
	char msg[512];
	/* rows on lines 4 (us-east-1), 5 (eu-west-1), 6 (us-east-1 again) */
	char extra[1024];
	snprintf(extra, sizeof extra, "%.*seu-west-1%s%s", (int)(strstr(good, "us-east-1") - good),
		 good, strstr(good, "us-east-1") + strlen("us-east-1"), good);
	cr_assert_eq(load_edited("m5.large", "m5.large", extra, msg, sizeof msg), CAPSIM_EINVAL);
	ASSERT_MSG(msg, "/p.csv:6: type: expected one row per (type, region), got m5.large in "
		   "us-east-1 again (first on line 4)");
}

Test(catalog, a_reservation_dearer_than_on_demand_is_refused)
{
	char msg[512];
	/* no upfront: 0.1 per hour against 0.096 on demand */
	cr_assert_eq(load_edited(",0.06,252,", ",0.1,252,", NULL, msg, sizeof msg), CAPSIM_EINVAL);
	ASSERT_MSG(msg, "/p.csv:4: ri_1y_no_upfront_hourly: expected an effective price below "
		   "on_demand (0.096 USD/h), got 0.1");
	/* partial upfront: 252 / 8760 + 0.08 = 0.1088 per hour */
	cr_assert_eq(load_edited(",252,0.0288,", ",252,0.08,", NULL, msg, sizeof msg),
		     CAPSIM_EINVAL);
	ASSERT_MSG(msg, ":4: ri_1y_partial_hourly: expected an effective price below on_demand "
		   "(0.096 USD/h), got 252 / 8760 h + 0.08 = 0.108767 USD/h");
	/* all upfront over 3 years: 2628 / 26280 = 0.1 per hour */
	cr_assert_eq(load_edited(",946,", ",2628,", NULL, msg, sizeof msg), CAPSIM_EINVAL);
	ASSERT_MSG(msg, ":4: ri_3y_all_upfront: expected an effective price below on_demand "
		   "(0.096 USD/h), got 2628 / 26280 h = 0.1 USD/h");
	/* a savings-plan rate equal to on-demand saves nothing */
	cr_assert_eq(load_edited(",0.0701,", ",0.096,", NULL, msg, sizeof msg), CAPSIM_EINVAL);
	ASSERT_MSG(msg, ":4: sp_compute_1y: expected an effective price below on_demand");
}

Test(catalog, a_missing_column_names_the_column)
{
	char text[4096], msg[512], hdr[1024], row[512];
	/* header without spot_discount (line 3), and the rows without it */
	const char *h = strstr(head, "type,"), *sd = strstr(head, "spot_discount,");
	snprintf(hdr, sizeof hdr, "%.*s%s", (int)(sd - head), head, sd + strlen("spot_discount,"));
	const char *v = strstr(good, ",0.62,");
	snprintf(row, sizeof row, "%.*s%s", (int)(v - good), good, v + strlen(",0.62"));
	snprintf(text, sizeof text, "%s%s", hdr, row);
	cr_assert(h);
	cr_assert_eq(load_text(text, msg, sizeof msg), CAPSIM_EPARSE);
	ASSERT_MSG(msg, "/p.csv:3: spot_discount: expected a column named spot_discount in the "
		   "header, got none");
	/* full header, a row one field short on line 5: its last column is missing */
	snprintf(text, sizeof text, "%s%s%.*s\n", head, good, (int)(strrchr(good, ',') - good), good);
	cr_assert_eq(load_text(text, msg, sizeof msg), CAPSIM_EPARSE);
	ASSERT_MSG(msg, "/p.csv:5: spot_interruption: expected a value (the row has 20 of 21 "
		   "fields), got the end of the line");
	/* one field too many */
	snprintf(text, sizeof text, "%s%.*s,x\n", head, (int)strlen(good) - 1, good);
	cr_assert_eq(load_text(text, msg, sizeof msg), CAPSIM_EPARSE);
	ASSERT_MSG(msg, "/p.csv:4: column 22: expected 21 fields, got 22");
	/* a misspelt column name */
	snprintf(text, sizeof text, "# date: 2024-05-01\n# source: x\ntype,famly\n");
	cr_assert_eq(load_text(text, msg, sizeof msg), CAPSIM_EPARSE);
	ASSERT_MSG(msg, "/p.csv:3: column 2: expected a catalog column name");
	ASSERT_MSG(msg, "got \"famly\"");
}

Test(catalog, the_date_and_source_lines_are_required)
{
	char text[4096], msg[512];
	snprintf(text, sizeof text, "%s%s", strstr(head, "# source"), good);
	cr_assert_eq(load_text(text, msg, sizeof msg), CAPSIM_EPARSE);
	ASSERT_MSG(msg, "/p.csv:1: date: expected a line \"# date: YYYY-MM-DD\"");
	snprintf(text, sizeof text, "# date: 2024-05-01\n%s%s", strstr(head, "type,"), good);
	cr_assert_eq(load_text(text, msg, sizeof msg), CAPSIM_EPARSE);
	ASSERT_MSG(msg, "/p.csv:1: source: expected a line \"# source: ...\"");
	snprintf(text, sizeof text, "# source: x\n# date: May 2024\n%s%s", strstr(head, "type,"),
		 good);
	cr_assert_eq(load_text(text, msg, sizeof msg), CAPSIM_EPARSE);
	ASSERT_MSG(msg, "/p.csv:2: date: expected a date YYYY-MM-DD, got \"May 2024\"");
}

Test(catalog, other_malformed_files)
{
	char text[4096], msg[512];
	struct catalog c;
	/* unreadable */
	cr_assert_eq(catalog_load("/nonexistent/capsim/prices.csv", &c, msg, sizeof msg),
		     CAPSIM_EIO);
	ASSERT_MSG(msg, "/nonexistent/capsim/prices.csv: cannot read the price catalog");
	cr_assert_null(c.e);
	/* msg may be NULL */
	cr_assert_eq(catalog_load("/nonexistent/capsim/prices.csv", &c, NULL, 0), CAPSIM_EIO);
	/* a header and no rows */
	cr_assert_eq(load_text(head, msg, sizeof msg), CAPSIM_EPARSE);
	ASSERT_MSG(msg, "expected at least one row after the header");
	/* an empty file */
	cr_assert_eq(load_text("", msg, sizeof msg), CAPSIM_EPARSE);
	/* a quote left open on line 4 does not swallow line 5 */
	snprintf(text, sizeof text, "%s\"m5.large,m5\n%s", head, good);
	cr_assert_eq(load_text(text, msg, sizeof msg), CAPSIM_EPARSE);
	ASSERT_MSG(msg, "/p.csv:4: row: expected a CSV row on one line");
	/* the family must be the type's prefix, the category one of three */
	cr_assert_eq(load_edited(",m5,", ",m6i,", NULL, msg, sizeof msg), CAPSIM_EINVAL);
	ASSERT_MSG(msg, ":4: family: expected \"m5\" (the type before its dot), got \"m6i\"");
	cr_assert_eq(load_edited("general", "storage", NULL, msg, sizeof msg), CAPSIM_EINVAL);
	ASSERT_MSG(msg, ":4: category: expected general, compute or memory, got \"storage\"");
	cr_assert_eq(load_edited("m5.large,m5,", "m5large,m5,", NULL, msg, sizeof msg),
		     CAPSIM_EPARSE);
	ASSERT_MSG(msg, ":4: type: expected an instance type FAMILY.SIZE");
	/* a region too long for its field */
	cr_assert_eq(load_edited("us-east-1", "us-east-1-and-a-name-far-too-long-to-keep", NULL, msg,
				 sizeof msg), CAPSIM_EPARSE);
	ASSERT_MSG(msg, ":4: region: expected a region like us-east-1 of 1 to 31 characters");
	/* a message cut to a small buffer stays terminated */
	char small[16];
	cr_assert_eq(load_edited("5-10%", "x", NULL, small, sizeof small), CAPSIM_EINVAL);
	cr_assert_eq(strlen(small), sizeof small - 1);
}

/* Found by fuzzing (tests/fuzz): a field of 64 characters or more, or with a NUL byte, is not
 * read, and the messages quoted it as "" -- an empty header name, an empty price. */
Test(catalog, a_field_too_long_or_with_a_nul_byte_is_named_as_such)
{
	char text[4096], msg[512];
	/* on_demand written with 70 characters */
	cr_assert_eq(load_edited(",0.096,", ",0.096000000000000000000000000000000000000000000000"
				 "0000000000000000000000,", NULL, msg, sizeof msg), CAPSIM_EPARSE);
	ASSERT_MSG(msg, "/p.csv:4: on_demand: expected a price in USD per hour > 0, got "
		   "\"(a field of 64 characters or more)\"");
	/* A NUL byte in the header's first name, on line 3: fputs would stop at it, so the text
	 * is written with fwrite. */
	char dir[] = "/tmp/capsim-catalog-XXXXXX", path[64];
	struct catalog c;
	int n = snprintf(text, sizeof text, "# date: 2024-05-01\n# source: a test\nty#pe,%s",
			 strchr(head + 36, ',') + 1);
	cr_assert(n > 0 && (size_t)n < sizeof text);
	text[38] = '\0';   /* the '#' of "ty#pe" */
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/p.csv", dir);
	FILE *f = fopen(path, "wb");
	cr_assert_not_null(f);
	fwrite(text, 1, (size_t)n, f);
	fclose(f);
	cr_assert_eq(catalog_load(path, &c, msg, sizeof msg), CAPSIM_EPARSE);
	unlink(path);
	rmdir(dir);
	ASSERT_MSG(msg, "/p.csv:3: column 1: expected a catalog column name (type, family, ..., "
		   "spot_interruption), got \"(a field with a NUL byte)\"");
}
