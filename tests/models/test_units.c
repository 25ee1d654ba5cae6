/* Duration and number parsing: every unit, and the mistakes people make. */
#include <criterion/criterion.h>
#include <string.h>

#include "models/units.h"
#include "sim/error.h"

Test(units, durations_in_every_unit)
{
	static const struct {
		const char *text;
		double seconds;   /* by hand: 1 m = 60 s, 1 h = 3600 s, 1 d = 86400 s, 1 y = 365 d */
	} cases[] = {
		{ "90", 90 }, { "90s", 90 }, { "5m", 300 }, { "2h", 7200 }, { "30d", 2592000 },
		{ "1y", 31536000 }, { "2w", 1209600 }, { "250ms", 0.25 }, { "40us", 4e-5 },
		{ "1.5h", 5400 }, { "0", 0 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		double s = -1;
		cr_assert_eq(units_parse_duration(cases[i].text, &s), 0, "%s", cases[i].text);
		cr_assert_float_eq(s, cases[i].seconds, 1e-12 * (1 + cases[i].seconds), "%s",
				   cases[i].text);
	}
}

Test(units, bad_durations_are_rejected_and_leave_the_value)
{
	const char *bad[] = { "", "h", "5 m", "5min", "-1s", "1e400", "nan", "inf", "2hh", "m5",
			      "1e306y", "1e305w", " 5m", "0x32ms", "+5s" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		double s = 42;
		cr_assert_eq(units_parse_duration(bad[i], &s), CAPSIM_EINVAL, "\"%s\"", bad[i]);
		cr_assert_eq(s, 42, "\"%s\" changed the value", bad[i]);
	}
}

Test(units, numbers_fill_the_text)
{
	double v;
	cr_assert_eq(units_parse_number("0.25", &v), 0);
	cr_assert_eq(v, 0.25);
	cr_assert_eq(units_parse_number("-3e2", &v), 0);
	cr_assert_eq(v, -300);
	cr_assert_eq(units_parse_number("3x", &v), CAPSIM_EINVAL);
	cr_assert_eq(units_parse_number("", &v), CAPSIM_EINVAL);
	cr_assert_eq(units_parse_number("1e999", &v), CAPSIM_EINVAL);
	/* Decimal only: a trace row "0x3C,5" once read as 60 s. */
	cr_assert_eq(units_parse_number("0x3C", &v), CAPSIM_EINVAL);
	cr_assert_eq(units_parse_number(" 5", &v), CAPSIM_EINVAL);
	cr_assert_eq(units_parse_number("nan", &v), CAPSIM_EINVAL);
	cr_assert_eq(units_parse_number("+.5", &v), 0);
	cr_assert_eq(v, 0.5);
}

Test(units, durations_format_with_a_fitting_unit)
{
	char b[32];
	cr_assert_str_eq(units_format_duration(0.1669, b, sizeof b), "166.9 ms");
	cr_assert_str_eq(units_format_duration(2.31, b, sizeof b), "2.310 s");
	cr_assert_str_eq(units_format_duration(8.5e-4, b, sizeof b), "850.0 us");
	cr_assert_str_eq(units_format_duration(750, b, sizeof b), "12.50 min");
	cr_assert_str_eq(units_format_duration(3 * 86400.0, b, sizeof b), "3.000 d");
}
