/* Duration and number parsing and formatting for scenario files and command lines. */
#include "models/units.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/error.h"

static const struct {
	const char *suffix;
	double seconds;
} duration_units[] = {
	{ "us", 1e-6 }, { "ms", 1e-3 }, { "s", 1.0 }, { "m", 60.0 }, { "h", 3600.0 },
	{ "d", 86400.0 }, { "w", 7 * 86400.0 }, { "y", 365 * 86400.0 },
};

int units_parse_number(const char *text, double *value)
{
	char *end;
	/* Decimal only: strtod would also take leading blanks and hexadecimal ("0x3C"). */
	const char *d = text && (*text == '-' || *text == '+') ? text + 1 : text;
	if (!d || !((*d >= '0' && *d <= '9') || *d == '.') || strpbrk(d, "xX"))
		return CAPSIM_EINVAL;
	double v = strtod(text, &end);
	if (end == text || *end != '\0' || !isfinite(v))
		return CAPSIM_EINVAL;
	*value = v;
	return 0;
}

int units_parse_duration(const char *text, double *seconds)
{
	char *end;
	/* strtod would also take leading blanks and hexadecimal ("0x32ms"): a duration is
	 * decimal digits (or '.') immediately followed by its unit. */
	if (!text || !((*text >= '0' && *text <= '9') || *text == '.') ||
	    strpbrk(text, "xX"))
		return CAPSIM_EINVAL;
	double v = strtod(text, &end);
	if (end == text || !isfinite(v) || v < 0)
		return CAPSIM_EINVAL;
	double scale = 1.0;
	if (*end) {
		size_t i, n = sizeof duration_units / sizeof duration_units[0];
		for (i = 0; i < n; i++)
			if (strcmp(end, duration_units[i].suffix) == 0)
				break;
		if (i == n)
			return CAPSIM_EINVAL;
		scale = duration_units[i].seconds;
	}
	/* "1e306y" is finite as a number but not in seconds. */
	if (!isfinite(v * scale))
		return CAPSIM_EINVAL;
	*seconds = v * scale;
	return 0;
}

char *units_format_duration(double s, char *buf, unsigned long size)
{
	static const struct {
		double limit, scale;
		const char *unit;
	} steps[] = {
		{ 1e-3, 1e6, "us" }, { 1.0, 1e3, "ms" }, { 60.0, 1.0, "s" },
		{ 3600.0, 1.0 / 60, "min" }, { 86400.0, 1.0 / 3600, "h" }, { INFINITY, 1.0 / 86400, "d" },
	};
	if (!isfinite(s)) {
		snprintf(buf, size, "%s", isnan(s) ? "n/a" : "inf");
		return buf;
	}
	size_t i = 0;
	while (fabs(s) >= steps[i].limit)
		i++;
	double v = s * steps[i].scale;
	int decimals = fabs(v) >= 100 ? 1 : fabs(v) >= 10 ? 2 : 3;
	snprintf(buf, size, "%.*f %s", decimals, v, steps[i].unit);
	return buf;
}
