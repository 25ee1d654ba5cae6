/* The price catalog: public prices of common instance types per region, loaded at run time.
 *
 * The bundled catalog is models/data/prices.csv (its first comment lines name its date and
 * public sources); a scenario may name another file with the same columns. Each row is one
 * (instance type, region): on-demand hourly price, reserved-instance prices for 1- and 3-year
 * terms under the three payment options (an upfront fee per instance and a recurring hourly
 * price: effective hourly = upfront / term hours + recurring), savings-plan hourly rates for
 * the type under compute and instance-family plans (1 and 3 years, no upfront), the typical
 * spot discount and the spot interruption-frequency bucket of the AWS Spot Instance Advisor.
 * All prices USD, Linux, shared tenancy. A loaded catalog is valid: every price > 0 where
 * required, reserved and savings-plan rates below on-demand, discounts in (0,1), buckets in
 * range, no duplicate (type, region). */
#ifndef CAPSIM_CATALOG_H
#define CAPSIM_CATALOG_H

#include <stddef.h>

enum catalog_term { CATALOG_1Y, CATALOG_3Y, CATALOG_NTERMS };
enum catalog_payment { CATALOG_NO_UPFRONT, CATALOG_PARTIAL_UPFRONT, CATALOG_ALL_UPFRONT,
		       CATALOG_NPAYMENTS };
enum catalog_plan { CATALOG_SP_COMPUTE, CATALOG_SP_INSTANCE_FAMILY, CATALOG_NPLANS };

/* Spot interruption-frequency buckets (share of instances interrupted per month), as the AWS
 * Spot Instance Advisor reports them: <5%, 5-10%, 10-15%, 15-20%, >20%. */
enum { CATALOG_NBUCKETS = 5 };
extern const char *const catalog_bucket_name[CATALOG_NBUCKETS]; /* "<5%", "5-10%", ... */

/* Hours in a reserved-instance or savings-plan term (365-day years). */
#define CATALOG_TERM_HOURS(term) ((term) == CATALOG_1Y ? 8760.0 : 26280.0)

struct catalog_entry {
	char type[32];         /* e.g. "m6i.large" */
	char family[16];       /* e.g. "m6i" (the part before the dot) */
	char category[16];     /* "general", "compute" or "memory" */
	char region[32];       /* e.g. "us-east-1" */
	int vcpu;
	double memory_gib;
	double on_demand;      /* USD per instance-hour */
	double ri_upfront[CATALOG_NTERMS][CATALOG_NPAYMENTS];   /* USD per instance per term */
	double ri_hourly[CATALOG_NTERMS][CATALOG_NPAYMENTS];    /* USD per instance-hour, recurring */
	double sp_rate[CATALOG_NPLANS][CATALOG_NTERMS];         /* USD per instance-hour under a
								   no-upfront plan */
	double spot_discount;  /* typical saving of spot against on-demand, (0,1) */
	int spot_bucket;       /* 0..CATALOG_NBUCKETS-1 */
};

struct catalog {
	struct catalog_entry *e; /* [n] in file order */
	size_t n;
	char date[32];         /* from the file's "# date:" line */
	char source[512];      /* from its "# source:" lines, joined by "; " */
	char *path;            /* the file read (owned) */
};

/* Reads and checks a catalog CSV. Lines starting with '#' are comments: "# date: YYYY-MM-DD"
 * (required, once) and "# source: ..." (at least one) are kept; then a header row naming the
 * columns of models/data/prices.csv in any order, then one row per (type, region) on one line
 * each. Returns 0; CAPSIM_EIO (unreadable), CAPSIM_EPARSE (malformed: not a number, a missing
 * or unknown column, no date) or CAPSIM_EINVAL (a value out of range, a duplicate, a price not
 * below on-demand); for both, msg gets "PATH:LINE: column: expected ..., got ...";
 * CAPSIM_ENOMEM. On failure c holds nothing. msg may be NULL. */
int catalog_load(const char *path, struct catalog *c, char *msg, size_t msglen);

/* Frees what c holds and zeroes it; accepts NULL. */
void catalog_release(struct catalog *c);

/* The entry for (type, region), or NULL. */
const struct catalog_entry *catalog_find(const struct catalog *c, const char *type,
					 const char *region);

/* The bundled catalog's path: $CAPSIM_CATALOG if set, else CAPSIM_DATA_DIR "/prices.csv"
 * (CAPSIM_DATA_DIR is set by the Makefile to the source tree's models/data). */
const char *catalog_default_path(void);

/* Effective hourly price of a reservation: upfront / term hours + recurring. */
double catalog_ri_effective(const struct catalog_entry *e, enum catalog_term t,
			    enum catalog_payment p);

/* Hourly interruption hazard (1/h) of a spot instance in bucket b: the bucket's monthly
 * interruption probability q (its midpoint; 25% for ">20%") turned into a constant hazard
 * over a 730-hour month, h = -ln(1 - q) / 730. */
double catalog_spot_hazard(int bucket);

#endif
