/* Tests of the text formatting shared by the reports (reports/fmt.c). */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "reports/report.h"

static void check(double x, int decimals, const char *want)
{
	char buf[64];
	report_grouped(buf, sizeof buf, x, decimals);
	cr_assert_str_eq(buf, want, "report_grouped(%.17g, %d) = \"%s\", expected \"%s\"", x,
			 decimals, buf, want);
}

/* Groups of three from the decimal point leftwards, by hand: 1|234|567.89. */
Test(fmt, grouped_puts_a_comma_between_groups_of_three_digits)
{
	check(1234567.891, 2, "1,234,567.89");
	check(123456.0, 0, "123,456");
	check(999.0, 0, "999");
	check(1000.0, 0, "1,000");
	check(0.5, 2, "0.50");
	check(-1234.5, 1, "-1,234.5");
	check(-999999.5, 0, "-1,000,000");   /* rounds up into a fourth group */
}

/* A value that rounds to zero has no sign: "-0.00" would read as a loss. */
Test(fmt, grouped_writes_no_negative_zero)
{
	check(-0.001, 2, "0.00");
	check(-0.4, 0, "0");
	check(-0.006, 2, "-0.01");
}

Test(fmt, grouped_writes_what_is_not_finite_as_printf_does)
{
	check(INFINITY, 2, "inf");
	check(-INFINITY, 0, "-inf");
	check(NAN, 2, "nan");
}

/* A buffer too short gets the start of the figure, NUL-terminated. */
Test(fmt, grouped_truncates_to_the_buffer)
{
	char buf[6];
	report_grouped(buf, sizeof buf, 1234567.0, 0);
	cr_assert_str_eq(buf, "1,234");
}

/* "—" is 3 bytes and 1 column: padded to 14 columns it needs a field of 16 bytes; ASCII needs
 * none more. Printed, both end at the same column. */
Test(fmt, pad_counts_columns_not_bytes)
{
	cr_assert_eq(report_pad("\xe2\x80\x94", 14), 16);
	cr_assert_eq(report_pad("502 ms", 14), 14);
	cr_assert_eq(report_pad("", 3), 3);
	char a[64], b[64];
	snprintf(a, sizeof a, "%-*s|", report_pad("\xe2\x80\x94", 14), "\xe2\x80\x94");
	snprintf(b, sizeof b, "%-*s|", report_pad("x", 14), "x");
	cr_assert_eq(strlen(a) - 2, strlen(b), "%s / %s", a, b);
}

/* Seconds below 10,000 keep four significant digits; from 10,000 on they are whole seconds
 * grouped by thousands (21,240 s is 5.9 h of writes lost, printed 2.124e+04 s before). */
Test(fmt, seconds_are_never_in_scientific_notation)
{
	char b[64];
	report_fmt(b, sizeof b, REPORT_SECONDS, "s", 0.4231, 0);
	cr_expect_str_eq(b, "0.4231 s");
	report_fmt(b, sizeof b, REPORT_SECONDS, "s", 9999, 0);
	cr_expect_str_eq(b, "9999 s");
	report_fmt(b, sizeof b, REPORT_SECONDS, "s", 21240, 0);
	cr_expect_str_eq(b, "21,240 s");
	report_fmt(b, sizeof b, REPORT_SECONDS, "s", 1234567.4, 0);
	cr_expect_str_eq(b, "1,234,567 s");
}

/* A share that is 0 up to rounding prints as 0, not "-0.00 %"; a real negative keeps its sign. */
Test(fmt, a_tiny_negative_share_is_zero)
{
	char b[64];
	report_fmt(b, sizeof b, REPORT_PCT, "fraction", -0.0, 2);
	cr_expect_str_eq(b, "0.00 %");
	report_fmt(b, sizeof b, REPORT_PCT, "fraction", -1e-9, 2);
	cr_expect_str_eq(b, "0.00 %");
	report_fmt(b, sizeof b, REPORT_PCT, "fraction", -0.0001, 2);
	cr_expect_str_eq(b, "-0.01 %");
	report_fmt(b, sizeof b, REPORT_PCT, "fraction", 0.123456, 3);
	cr_expect_str_eq(b, "12.346 %");
}

/* A duration in its largest whole unit: 2 days, 3 h, 5 min; seconds when no unit divides it
 * (90 s is not 1.5 min). */
Test(fmt, durations_are_written_in_their_largest_whole_unit)
{
	static const struct { double s; const char *want; } cases[] = {
		{ 172800, "2 days" }, { 86400, "1 day" }, { 10800, "3 h" }, { 300, "5 min" },
		{ 60, "1 min" }, { 90, "90 s" }, { 10, "10 s" }, { 5400, "90 min" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char buf[32];
		report_fmt_duration(buf, sizeof buf, cases[i].s);
		cr_assert_str_eq(buf, cases[i].want, "%g s", cases[i].s);
	}
}
