/* The price catalog: reads and checks a CSV of public instance prices per (type, region). */
#include "models/catalog.h"

#include <csv.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/units.h"
#include "sim/error.h"
#include "sim/file.h"

#ifndef CAPSIM_DATA_DIR
#define CAPSIM_DATA_DIR "models/data"
#endif

/* Hours in the month of the Spot Instance Advisor's interruption frequency (8760 / 12). */
#define MONTH_HOURS 730.0

/* A field longer than this is refused before it is looked at: no column needs more. */
#define FIELD_MAX 64

const char *const catalog_bucket_name[CATALOG_NBUCKETS] = { "<5%", "5-10%", "10-15%", "15-20%",
							    ">20%" };

enum col {
	C_TYPE, C_FAMILY, C_CATEGORY, C_REGION, C_VCPU, C_MEMORY, C_ON_DEMAND,
	C_RI1_NU_HOURLY, C_RI1_PU_UPFRONT, C_RI1_PU_HOURLY, C_RI1_AU_UPFRONT,
	C_RI3_NU_HOURLY, C_RI3_PU_UPFRONT, C_RI3_PU_HOURLY, C_RI3_AU_UPFRONT,
	C_SP_COMPUTE_1Y, C_SP_COMPUTE_3Y, C_SP_FAMILY_1Y, C_SP_FAMILY_3Y,
	C_SPOT_DISCOUNT, C_SPOT_INTERRUPTION,
	NCOLS
};

/* The header names the columns; a catalog may put them in any order. */
static const char *const col_name[NCOLS] = {
	"type", "family", "category", "region", "vcpu", "memory_gib", "on_demand",
	"ri_1y_no_upfront_hourly", "ri_1y_partial_upfront", "ri_1y_partial_hourly",
	"ri_1y_all_upfront",
	"ri_3y_no_upfront_hourly", "ri_3y_partial_upfront", "ri_3y_partial_hourly",
	"ri_3y_all_upfront",
	"sp_compute_1y", "sp_compute_3y", "sp_family_1y", "sp_family_3y",
	"spot_discount", "spot_interruption",
};

/* The reserved-instance columns of one term: recurring hourly price of the no-upfront and
 * partial-upfront options, upfront fee of the partial- and all-upfront options. */
static const struct {
	enum col nu_hourly, pu_upfront, pu_hourly, au_upfront;
} ri_cols[CATALOG_NTERMS] = {
	[CATALOG_1Y] = { C_RI1_NU_HOURLY, C_RI1_PU_UPFRONT, C_RI1_PU_HOURLY, C_RI1_AU_UPFRONT },
	[CATALOG_3Y] = { C_RI3_NU_HOURLY, C_RI3_PU_UPFRONT, C_RI3_PU_HOURLY, C_RI3_AU_UPFRONT },
};

static const struct {
	enum col col;
	enum catalog_plan plan;
	enum catalog_term term;
} sp_cols[] = {
	{ C_SP_COMPUTE_1Y, CATALOG_SP_COMPUTE, CATALOG_1Y },
	{ C_SP_COMPUTE_3Y, CATALOG_SP_COMPUTE, CATALOG_3Y },
	{ C_SP_FAMILY_1Y, CATALOG_SP_INSTANCE_FAMILY, CATALOG_1Y },
	{ C_SP_FAMILY_3Y, CATALOG_SP_INSTANCE_FAMILY, CATALOG_3Y },
};

static const char *const categories[] = { "general", "compute", "memory" };

struct reader {
	struct catalog *c;
	size_t cap;
	int *entry_line;          /* [n]: line of each entry, for duplicate messages */
	int line;                 /* line of the file being parsed */
	int have_header;
	int have_date;
	int pos[NCOLS];           /* position of each column in a row, from the header */
	char field[NCOLS][FIELD_MAX];
	int bad[NCOLS];           /* field too long or holding a NUL byte */
	int nfields;
	int err_code;             /* 0 while all is well */
	int err_line;
	char err_col[32];
	char err_text[320];
};

static void fail(struct reader *r, int code, const char *col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Records the first error: where it is (line, column) and "expected ..., got ...". */
static void fail(struct reader *r, int code, const char *col, const char *fmt, ...)
{
	va_list ap;
	if (r->err_code)
		return;
	r->err_code = code;
	r->err_line = r->line;
	snprintf(r->err_col, sizeof r->err_col, "%s", col);
	va_start(ap, fmt);
	vsnprintf(r->err_text, sizeof r->err_text, fmt, ap);
	va_end(ap);
}

static void on_field(void *s, size_t len, void *data)
{
	struct reader *r = data;
	if (r->nfields < NCOLS) {
		int i = r->nfields;
		r->bad[i] = len >= FIELD_MAX || memchr(s, '\0', len) != NULL;
		if (!r->bad[i]) {
			memcpy(r->field[i], s, len);
			r->field[i][len] = '\0';
		} else {
			/* What a message quotes for it, rather than "" (it is never parsed: every
			 * reader of a field checks bad[] first). */
			snprintf(r->field[i], FIELD_MAX, "%s",
				 len >= FIELD_MAX ? "(a field of 64 characters or more)"
						  : "(a field with a NUL byte)");
		}
	}
	r->nfields++;
}

/* ---- the header ---- */

static void read_header(struct reader *r, int nf)
{
	char where[32];
	for (int k = 0; k < NCOLS; k++)
		r->pos[k] = -1;
	if (nf > NCOLS) {
		fail(r, CAPSIM_EPARSE, "header", "expected the %d catalog columns, got %d fields",
		     NCOLS, nf);
		return;
	}
	for (int i = 0; i < nf; i++) {
		int k;
		snprintf(where, sizeof where, "column %d", i + 1);
		for (k = 0; k < NCOLS; k++)
			if (!r->bad[i] && strcmp(r->field[i], col_name[k]) == 0)
				break;
		if (k == NCOLS) {
			fail(r, CAPSIM_EPARSE, where, "expected a catalog column name (type, family, "
			     "..., spot_interruption), got \"%s\"", r->field[i]);
			return;
		}
		if (r->pos[k] >= 0) {
			fail(r, CAPSIM_EPARSE, where, "expected a column not named before, got "
			     "\"%s\" again (column %d)", r->field[i], r->pos[k] + 1);
			return;
		}
		r->pos[k] = i;
	}
	for (int k = 0; k < NCOLS; k++)
		if (r->pos[k] < 0) {
			fail(r, CAPSIM_EPARSE, col_name[k], "expected a column named %s in the "
			     "header, got none", col_name[k]);
			return;
		}
	r->have_header = 1;
}

/* ---- one row ---- */

static const char *text(const struct reader *r, enum col k)
{
	return r->field[r->pos[k]];
}

/* Copies column k into dst (size bytes with its NUL); refuses an empty or too long text. */
static int get_string(struct reader *r, enum col k, char *dst, size_t size, const char *what)
{
	const char *s = text(r, k);
	if (r->bad[r->pos[k]] || !s[0] || strlen(s) >= size) {
		fail(r, CAPSIM_EPARSE, col_name[k], "expected %s of 1 to %zu characters, got \"%s\"",
		     what, size - 1, s);
		return -1;
	}
	memcpy(dst, s, strlen(s) + 1);
	return 0;
}

/* Reads column k as a finite number > 0 (what says which, with its unit). */
static int get_positive(struct reader *r, enum col k, double *v, const char *what)
{
	const char *s = text(r, k);
	if (r->bad[r->pos[k]] || units_parse_number(s, v) != 0) {
		fail(r, CAPSIM_EPARSE, col_name[k], "expected %s > 0, got \"%s\"", what, s);
		return -1;
	}
	if (!(*v > 0)) {
		fail(r, CAPSIM_EINVAL, col_name[k], "expected %s > 0, got %s", what, s);
		return -1;
	}
	return 0;
}

/* An effective hourly price must be below on-demand, or the option is never worth buying
 * and a typo (a price in the wrong column, cents for dollars) would pass unnoticed. */
static int below_on_demand(struct reader *r, enum col k, double eff, double od, const char *how)
{
	if (eff < od)
		return 0;
	fail(r, CAPSIM_EINVAL, col_name[k], "expected an effective price below on_demand "
	     "(%.10g USD/h), got %s", od, how);
	return -1;
}

static int read_ri(struct reader *r, struct catalog_entry *e, enum catalog_term t)
{
	double hours = CATALOG_TERM_HOURS(t), od = e->on_demand, v;
	char how[160];
	/* No upfront: a recurring price only. */
	if (get_positive(r, ri_cols[t].nu_hourly, &v, "a price in USD per hour") != 0 ||
	    below_on_demand(r, ri_cols[t].nu_hourly, v, od, text(r, ri_cols[t].nu_hourly)) != 0)
		return -1;
	e->ri_upfront[t][CATALOG_NO_UPFRONT] = 0;
	e->ri_hourly[t][CATALOG_NO_UPFRONT] = v;
	/* Partial upfront: a fee and a recurring price, judged together. */
	if (get_positive(r, ri_cols[t].pu_upfront, &e->ri_upfront[t][CATALOG_PARTIAL_UPFRONT],
			 "an upfront fee in USD") != 0 ||
	    get_positive(r, ri_cols[t].pu_hourly, &e->ri_hourly[t][CATALOG_PARTIAL_UPFRONT],
			 "a price in USD per hour") != 0)
		return -1;
	double eff = catalog_ri_effective(e, t, CATALOG_PARTIAL_UPFRONT);
	snprintf(how, sizeof how, "%s / %.0f h + %s = %.6g USD/h", text(r, ri_cols[t].pu_upfront),
		 hours, text(r, ri_cols[t].pu_hourly), eff);
	if (below_on_demand(r, ri_cols[t].pu_hourly, eff, od, how) != 0)
		return -1;
	/* All upfront: a fee only. */
	if (get_positive(r, ri_cols[t].au_upfront, &e->ri_upfront[t][CATALOG_ALL_UPFRONT],
			 "an upfront fee in USD") != 0)
		return -1;
	e->ri_hourly[t][CATALOG_ALL_UPFRONT] = 0;
	eff = catalog_ri_effective(e, t, CATALOG_ALL_UPFRONT);
	snprintf(how, sizeof how, "%s / %.0f h = %.6g USD/h", text(r, ri_cols[t].au_upfront), hours,
		 eff);
	return below_on_demand(r, ri_cols[t].au_upfront, eff, od, how);
}

/* The entry already read with the same (type, region), or -1. A linear scan: catalogs hold a
 * few hundred rows and are read once per run. */
static long find_duplicate(const struct catalog *c, const struct catalog_entry *e)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->e[i].type, e->type) == 0 && strcmp(c->e[i].region, e->region) == 0)
			return (long)i;
	return -1;
}

static int read_entry(struct reader *r, struct catalog_entry *e)
{
	double v;
	const char *s, *dot;
	size_t k;
	memset(e, 0, sizeof *e);
	if (get_string(r, C_TYPE, e->type, sizeof e->type, "an instance type like m6i.large") != 0)
		return -1;
	dot = strchr(e->type, '.');
	if (!dot || dot == e->type || !dot[1] || (size_t)(dot - e->type) >= sizeof e->family) {
		fail(r, CAPSIM_EPARSE, "type", "expected an instance type FAMILY.SIZE like "
		     "m6i.large, got \"%s\"", e->type);
		return -1;
	}
	if (get_string(r, C_FAMILY, e->family, sizeof e->family, "an instance family like m6i") != 0)
		return -1;
	if (strlen(e->family) != (size_t)(dot - e->type) ||
	    strncmp(e->family, e->type, (size_t)(dot - e->type)) != 0) {
		fail(r, CAPSIM_EINVAL, "family", "expected \"%.*s\" (the type before its dot), got "
		     "\"%s\"", (int)(dot - e->type), e->type, e->family);
		return -1;
	}
	s = text(r, C_CATEGORY);
	for (k = 0; k < sizeof categories / sizeof categories[0]; k++)
		if (strcmp(s, categories[k]) == 0)
			break;
	if (k == sizeof categories / sizeof categories[0]) {
		fail(r, CAPSIM_EINVAL, "category", "expected general, compute or memory, got \"%s\"", s);
		return -1;
	}
	strcpy(e->category, categories[k]);
	if (get_string(r, C_REGION, e->region, sizeof e->region, "a region like us-east-1") != 0)
		return -1;
	if (get_positive(r, C_VCPU, &v, "a whole number of vCPUs") != 0)
		return -1;
	if (v != floor(v) || v > 1e5) {
		fail(r, CAPSIM_EINVAL, "vcpu", "expected a whole number of vCPUs in 1..100000, got %s",
		     text(r, C_VCPU));
		return -1;
	}
	e->vcpu = (int)v;
	if (get_positive(r, C_MEMORY, &e->memory_gib, "a memory size in GiB") != 0 ||
	    get_positive(r, C_ON_DEMAND, &e->on_demand, "a price in USD per hour") != 0 ||
	    read_ri(r, e, CATALOG_1Y) != 0 || read_ri(r, e, CATALOG_3Y) != 0)
		return -1;
	for (k = 0; k < sizeof sp_cols / sizeof sp_cols[0]; k++) {
		double *rate = &e->sp_rate[sp_cols[k].plan][sp_cols[k].term];
		if (get_positive(r, sp_cols[k].col, rate, "a savings-plan rate in USD per hour") != 0 ||
		    below_on_demand(r, sp_cols[k].col, *rate, e->on_demand, text(r, sp_cols[k].col)))
			return -1;
	}
	s = text(r, C_SPOT_DISCOUNT);
	if (r->bad[r->pos[C_SPOT_DISCOUNT]] || units_parse_number(s, &e->spot_discount) != 0) {
		fail(r, CAPSIM_EPARSE, "spot_discount", "expected a fraction in (0,1), got \"%s\"", s);
		return -1;
	}
	if (!(e->spot_discount > 0 && e->spot_discount < 1)) {
		fail(r, CAPSIM_EINVAL, "spot_discount", "expected a fraction in (0,1) (0.7 for 70%% "
		     "off), got %s", s);
		return -1;
	}
	s = text(r, C_SPOT_INTERRUPTION);
	for (e->spot_bucket = 0; e->spot_bucket < CATALOG_NBUCKETS; e->spot_bucket++)
		if (strcmp(s, catalog_bucket_name[e->spot_bucket]) == 0)
			break;
	if (e->spot_bucket == CATALOG_NBUCKETS) {
		fail(r, CAPSIM_EINVAL, "spot_interruption", "expected one of <5%%, 5-10%%, 10-15%%, "
		     "15-20%%, >20%%, got \"%s\"", s);
		return -1;
	}
	long d = find_duplicate(r->c, e);
	if (d >= 0) {
		fail(r, CAPSIM_EINVAL, "type", "expected one row per (type, region), got %s in %s "
		     "again (first on line %d)", e->type, e->region, r->entry_line[d]);
		return -1;
	}
	return 0;
}

static void on_row(int term, void *data)
{
	struct reader *r = data;
	struct catalog *c = r->c;
	int nf = r->nfields;
	(void)term;
	r->nfields = 0;
	if (r->err_code)
		return;
	if (!r->have_header) {
		read_header(r, nf);
		return;
	}
	if (nf != NCOLS) {
		char where[32];
		if (nf < NCOLS) {
			/* the first column whose position the row does not reach */
			enum col miss = C_TYPE;
			for (int k = 0; k < NCOLS; k++)
				if (r->pos[k] == nf)
					miss = (enum col)k;
			fail(r, CAPSIM_EPARSE, col_name[miss], "expected a value (the row has %d of "
			     "%d fields), got the end of the line", nf, NCOLS);
		} else {
			snprintf(where, sizeof where, "column %d", NCOLS + 1);
			fail(r, CAPSIM_EPARSE, where, "expected %d fields, got %d", NCOLS, nf);
		}
		return;
	}
	if (c->n == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 64;
		struct catalog_entry *ne = realloc(c->e, cap * sizeof *ne);
		if (ne)
			c->e = ne;
		int *nl = ne ? realloc(r->entry_line, cap * sizeof *nl) : NULL;
		if (nl)
			r->entry_line = nl;
		if (!ne || !nl) {
			fail(r, CAPSIM_ENOMEM, "row", "expected memory for %zu rows, got none", cap);
			return;
		}
		r->cap = cap;
	}
	if (read_entry(r, &c->e[c->n]) == 0)
		r->entry_line[c->n++] = r->line;
}

/* ---- comment lines ---- */

static int valid_date(const char *s)
{
	static const char form[] = "dddd-dd-dd";
	if (strlen(s) != sizeof form - 1)
		return 0;
	for (size_t i = 0; form[i]; i++)
		if (form[i] == 'd' ? !(s[i] >= '0' && s[i] <= '9') : s[i] != form[i])
			return 0;
	int month = (s[5] - '0') * 10 + (s[6] - '0'), day = (s[8] - '0') * 10 + (s[9] - '0');
	return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

/* A '#' line (s[0..n), without its line end): "# date: YYYY-MM-DD" and "# source: ..." are
 * kept, other comments (# note:, # columns:) are for people. */
static void read_comment(struct reader *r, const char *s, size_t n)
{
	struct catalog *c = r->c;
	char buf[1024];
	while (n > 0 && (s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	s++, n--;
	while (n > 0 && (*s == ' ' || *s == '\t'))
		s++, n--;
	if (n >= 5 && memcmp(s, "date:", 5) == 0) {
		s += 5, n -= 5;
		while (n > 0 && (*s == ' ' || *s == '\t'))
			s++, n--;
		snprintf(buf, sizeof buf, "%.*s", (int)n, s);
		if (r->have_date)
			fail(r, CAPSIM_EPARSE, "date", "expected one \"# date:\" line, got a second "
			     "(\"%s\")", buf);
		else if (!valid_date(buf))
			fail(r, CAPSIM_EPARSE, "date", "expected a date YYYY-MM-DD, got \"%s\"", buf);
		else {
			strcpy(c->date, buf);
			r->have_date = 1;
		}
	} else if (n >= 7 && memcmp(s, "source:", 7) == 0) {
		s += 7, n -= 7;
		while (n > 0 && (*s == ' ' || *s == '\t'))
			s++, n--;
		size_t used = strlen(c->source), sep = used ? 2 : 0;
		if (n == 0)
			fail(r, CAPSIM_EPARSE, "source", "expected the name of a public source, got an "
			     "empty \"# source:\" line");
		else if (used + sep + n >= sizeof c->source)
			fail(r, CAPSIM_EPARSE, "source", "expected the \"# source:\" lines to add up to "
			     "at most %zu characters, got %zu", sizeof c->source - 1, used + sep + n);
		else
			snprintf(c->source + used, sizeof c->source - used, "%s%.*s", sep ? "; " : "",
				 (int)n, s);
	}
}

/* ---- the file ---- */


/* Each line is handled on its own: a '#' line is a comment and never reaches libcsv, any
 * other is one CSV row, parsed and finished (csv_fini) before the next. So a row cannot span
 * lines (a quote left open is an error on its own line) and every message knows its line. */
int catalog_load(const char *path, struct catalog *c, char *msg, size_t msglen)
{
	struct reader r = { .c = c };
	struct csv_parser p;
	char *data = NULL;
	size_t len, off = 0;
	int e = 0, rc = 0;
	memset(c, 0, sizeof *c);
	if (msg && msglen)
		msg[0] = '\0';
	if (!(data = file_read(path, &len, &e))) {
		if (e == ENOMEM)
			return CAPSIM_ENOMEM;
		if (msg && msglen)
			snprintf(msg, msglen, "%s: cannot read the price catalog: %s", path, strerror(e));
		return CAPSIM_EIO;
	}
	if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI) != 0) {
		free(data);
		return CAPSIM_ENOMEM;
	}
	for (r.line = 1; off < len && !r.err_code; r.line++) {
		const char *s = data + off, *nl = memchr(s, '\n', len - off);
		size_t n = nl ? (size_t)(nl - s) + 1 : len - off;
		off += n;
		if (s[0] == '#') {
			read_comment(&r, s, nl ? n - 1 : n);
			continue;
		}
		if (csv_parse(&p, s, n, on_field, on_row, &r) != n ||
		    csv_fini(&p, on_field, on_row, &r) != 0)
			fail(&r, CAPSIM_EPARSE, "row", "expected a CSV row on one line, got %s",
			     csv_error(&p) == CSV_EPARSE ? "a misplaced or unclosed quote"
							 : csv_strerror(csv_error(&p)));
	}
	if (!r.err_code) {
		r.line = 1;
		if (!r.have_date)
			fail(&r, CAPSIM_EPARSE, "date", "expected a line \"# date: YYYY-MM-DD\" (when "
			     "the prices were taken), got none");
		else if (!c->source[0])
			fail(&r, CAPSIM_EPARSE, "source", "expected a line \"# source: ...\" naming "
			     "where the prices come from, got none");
		else if (!r.have_header)
			fail(&r, CAPSIM_EPARSE, "header", "expected the header row type,family,...,"
			     "spot_interruption, got none");
		else if (c->n == 0)
			fail(&r, CAPSIM_EPARSE, "row", "expected at least one row after the header, "
			     "got none");
	}
	csv_free(&p);
	free(data);
	free(r.entry_line);
	if (!r.err_code && !(c->path = strdup(path)))
		r.err_code = CAPSIM_ENOMEM;
	if (r.err_code) {
		rc = r.err_code;
		if (msg && msglen)
			snprintf(msg, msglen, "%s:%d: %s: %s", path, r.err_line, r.err_col,
				 r.err_text);
		catalog_release(c);
	}
	return rc;
}

void catalog_release(struct catalog *c)
{
	if (!c)
		return;
	free(c->e);
	free(c->path);
	memset(c, 0, sizeof *c);
}

const struct catalog_entry *catalog_find(const struct catalog *c, const char *type,
					 const char *region)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->e[i].type, type) == 0 && strcmp(c->e[i].region, region) == 0)
			return &c->e[i];
	return NULL;
}

const char *catalog_default_path(void)
{
	const char *env = getenv("CAPSIM_CATALOG");
	return env && env[0] ? env : CAPSIM_DATA_DIR "/prices.csv";
}

double catalog_ri_effective(const struct catalog_entry *e, enum catalog_term t,
			    enum catalog_payment p)
{
	CAPSIM_ASSERT((unsigned)t < CATALOG_NTERMS && (unsigned)p < CATALOG_NPAYMENTS);
	return e->ri_upfront[t][p] / CATALOG_TERM_HOURS(t) + e->ri_hourly[t][p];
}

/* The Spot Instance Advisor gives the share q of spot instances interrupted over a month.
 * Taking interruptions of one instance as a Poisson process of constant hazard h (1/h), it
 * survives a month of H = 730 hours with probability exp(-h H); setting the monthly
 * interruption probability 1 - exp(-h H) equal to q gives h = -ln(1 - q) / H. q is the
 * bucket's midpoint (2.5%, 7.5%, 12.5%, 17.5%); the open bucket ">20%" is taken as 25%, the
 * midpoint of 20-30%, an assumption (the Advisor gives no upper bound). log1p keeps the
 * small-q end exact: -ln(1 - q) = -log1p(-q). */
double catalog_spot_hazard(int bucket)
{
	static const double q[CATALOG_NBUCKETS] = { 0.025, 0.075, 0.125, 0.175, 0.25 };
	CAPSIM_ASSERT(bucket >= 0 && bucket < CATALOG_NBUCKETS);
	return -log1p(-q[bucket]) / MONTH_HOURS;
}
