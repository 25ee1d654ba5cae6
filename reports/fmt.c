/* Text formatting shared by the reports. */
#include "reports/report.h"

#include "models/scenario.h"

#include <math.h>
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
