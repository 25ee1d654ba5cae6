/* Text formatting shared by the reports. */
#include "reports/report.h"

#include "models/scenario.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void report_grouped(char *buf, size_t len, double x, int decimals)
{
	char digits[64], tmp[96];
	size_t o = 0;
	int n = snprintf(digits, sizeof digits, "%.*f", decimals, fabs(x));
	if (n < 0 || (size_t)n >= sizeof digits || !isfinite(x)) {
		snprintf(buf, len, "%g", x);
		return;
	}
	size_t whole = strcspn(digits, ".");
	if (x < 0 && strspn(digits, "0.") < (size_t)n)   /* no "-0.00" */
		tmp[o++] = '-';
	for (size_t i = 0; i < whole; i++) {
		if (i > 0 && (whole - i) % 3 == 0)
			tmp[o++] = ',';
		tmp[o++] = digits[i];
	}
	snprintf(tmp + o, sizeof tmp - o, "%s", digits + whole);
	snprintf(buf, len, "%s", tmp);
}

int report_pad(const char *s, int width)
{
	for (; *s; s++)
		width += ((unsigned char)*s & 0xc0) == 0x80;
	return width;
}

double report_slo_percentile(const struct scenario *sc)
{
	return sc->has_slo && sc->slo.latency_percentile > 0 ? sc->slo.latency_percentile : 99.0;
}

int report_pct_decimals(double x)
{
	if (!(x > 0.99))
		return 2;
	if (x >= 1.0)
		return 3;
	int d = (int)ceil(-log10((1.0 - x) * 100.0)) + 2;
	return d < 2 ? 2 : d > 6 ? 6 : d;
}

enum report_style report_style_of(const char *unit)
{
	if (strcmp(unit, "fraction") == 0)
		return REPORT_PCT;
	if (strcmp(unit, "USD") == 0)
		return REPORT_USD;
	if (strcmp(unit, "s") == 0)
		return REPORT_SECONDS;
	if (strcmp(unit, "requests") == 0 || strcmp(unit, "count") == 0 ||
	    strcmp(unit, "h") == 0 || strcmp(unit, "instances") == 0)
		return REPORT_COUNT;
	return REPORT_PLAIN;
}

void report_fmt(char *buf, size_t len, enum report_style st, const char *unit, double x,
		int decimals)
{
	char g[80];
	if (isnan(x)) {
		snprintf(buf, len, "-");
		return;
	}
	if (isinf(x)) {   /* an interval's end that the data cannot bound */
		snprintf(buf, len, "%s\xe2\x88\x9e", x < 0 ? "-" : "");
		return;
	}
	switch (st) {
	case REPORT_PCT: {
		/* A tiny negative (a rounding error of a difference) prints as 0, not "-0.00". */
		double p = 100.0 * x;
		if (fabs(p) < 0.5 * pow(10.0, -decimals))
			p = 0;   /* -0.0 too */
		snprintf(buf, len, "%.*f %%", decimals, p);
		return;
	}
	case REPORT_USD:
		report_grouped(g, sizeof g, fabs(x), 2);
		snprintf(buf, len, "%s$%s", x < 0 && fabs(x) >= 0.005 ? "-" : "", g);
		return;
	case REPORT_SECONDS:
		/* 21,240 s, not 2.124e+04 s: whole seconds grouped from 10,000 on. */
		if (fabs(x) >= 1e4) {
			report_grouped(g, sizeof g, fabs(x), 0);
			snprintf(buf, len, "%s%s s", x < 0 ? "-" : "", g);
		} else {
			snprintf(buf, len, "%.4g s", x);
		}
		return;
	case REPORT_COUNT:
		/* Means of counts are rarely whole: 3 significant digits below 1000, none below
		 * 0.0005 (a mean of 1.5e-166 requests timed out is 0 to any reader). */
		if (fabs(x) < 0.0005)
			snprintf(g, sizeof g, "0");
		else if (fabs(x) < 1000.0)
			snprintf(g, sizeof g, "%.3g", x);
		else
			report_grouped(g, sizeof g, x, 0);
		if (strcmp(unit, "h") == 0)
			snprintf(buf, len, "%s h", g);
		else
			snprintf(buf, len, "%s", g);
		return;
	case REPORT_PLAIN:
		snprintf(buf, len, "%.4g%s%s", x, unit[0] && strcmp(unit, "ratio") ? " " : "",
			 strcmp(unit, "ratio") ? unit : "");
		return;
	}
}

const char *report_verdict(const struct run_stat *s, double target, int higher_is_better)
{
	if (isnan(s->ci95_low) || isnan(s->ci95_high))
		return "uncertain";
	if (higher_is_better)
		return s->ci95_low >= target ? "met" : s->ci95_high < target ? "missed" : "uncertain";
	return s->ci95_high <= target ? "met" : s->ci95_low > target ? "missed" : "uncertain";
}

void report_fmt_signed(char *buf, size_t len, enum report_style st, const char *unit, double x,
		       int decimals, int sign)
{
	char g[96];
	report_fmt(g, sizeof g, st, unit, x, decimals);
	/* No '+' on a figure that rounds to zero ("$0.00", "0.00 %"): only its digits and
	 * separators are zeros. */
	int zero = strspn(g, "$0.,") >= strcspn(g, " ");
	snprintf(buf, len, "%s%s", sign && x > 0 && !zero ? "+" : "", g);
}

const char *report_latency_verdict(const struct run_result *r, const char *name, double target)
{
	const struct run_metric *m = run_find_metric(r, name);
	if (!m)
		return "uncertain";
	const char *v = report_verdict(&m->stat, target, 0);
	for (size_t g = 0; g < r->sc->nregions; g++) {
		char rn[RUN_METRIC_NAME_MAX];
		snprintf(rn, sizeof rn, "%s.region.%s", name, r->sc->regions[g].name);
		const struct run_metric *mg = run_find_metric(r, rn);
		const char *vg = mg ? report_verdict(&mg->stat, target, 0) : "met";
		if (strcmp(vg, "missed") == 0 ||
		    (strcmp(vg, "uncertain") == 0 && strcmp(v, "met") == 0))
			v = vg;
	}
	return v;
}

void report_line(FILE *out, const char *fmt, ...)
{
	char buf[4 * REPORT_WIDTH + 1];
	size_t cols = 0, n = 0;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	for (; buf[n]; n++) {
		if (((unsigned char)buf[n] & 0xc0) != 0x80 && cols++ == REPORT_WIDTH)
			break;
	}
	buf[n] = '\0';
	while (n > 0 && buf[n - 1] == ' ')
		buf[--n] = '\0';
	fputs(buf, out);
	fputc('\n', out);
}

void report_label_line(FILE *out, const char *label)
{
	size_t n = strlen(label);
	while (n > 0 && label[n - 1] == ' ')
		n--;
	fprintf(out, "%.*s\n", (int)n, label);
}

void report_fmt_duration(char *buf, size_t len, double s)
{
	if (s >= 86400.0 && fmod(s, 86400.0) == 0.0)
		snprintf(buf, len, "%g day%s", s / 86400.0, s == 86400.0 ? "" : "s");
	else if (s >= 3600.0 && fmod(s, 3600.0) == 0.0)
		snprintf(buf, len, "%g h", s / 3600.0);
	else if (s >= 60.0 && fmod(s, 60.0) == 0.0)
		snprintf(buf, len, "%g min", s / 60.0);
	else
		snprintf(buf, len, "%g s", s);
}

/* A money axis from lo to hi (USD, lo < hi) with its tics in grouped dollars ("$0", "$1,500",
 * "$3,000"; cents when the step has them), as the text reports write money: gnuplot's
 * "$%.0f" has no thousands separator ("$1800") and its %' needs a locale that may not exist.
 * The step is the first of 1, 2, 2.5, 5 x 10^k at least an eighth of the span (4 to 8 of them);
 * the axis ends at the first tic at or above hi when round_up, else at hi. */
void report_gp_usd_axis(FILE *f, const char *axis, double lo, double hi, int round_up)
{
	static const double nice[] = { 1, 2, 2.5, 5, 10 };
	if (!isfinite(lo) || !isfinite(hi) || !(hi > lo))
		hi = lo + 1;
	double raw = (hi - lo) / 8, mag = pow(10, floor(log10(raw))), step = 10 * mag;
	for (size_t i = 0; i < sizeof nice / sizeof nice[0]; i++)
		if (nice[i] * mag >= raw) {
			step = nice[i] * mag;
			break;
		}
	/* + 0.0: a -0 would be written "-0". */
	double k0 = ceil(lo / step - 1e-9) + 0.0, k1 = round_up ? ceil(hi / step - 1e-9)
								 : floor(hi / step + 1e-9);
	int cents = step < 1 || fmod(step, 1.0) > 1e-9;
	fprintf(f, "set %srange [%.10g:%.10g]\nset %stics (", axis, lo, round_up ? k1 * step : hi,
		axis);
	for (double k = k0; k <= k1; k++) {
		char buf[64];
		report_grouped(buf, sizeof buf, fabs(k * step), cents ? 2 : 0);
		fprintf(f, "%s\"%s$%s\" %.10g", k > k0 ? ", " : "", k < 0 ? "-" : "", buf, k * step);
	}
	fputs(")\n", f);
}

/* usd(x) in gnuplot, for labels read from a CSV column: "$1,441" like the text reports
 * (report_grouped), cents below $100 ("$12.35"). Grouping of the rounded whole dollars by
 * recursion on the thousands. */
