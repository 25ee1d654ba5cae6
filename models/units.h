/* Parsing of the units a person writes: durations ("90s", "5m", "2h", "30d", "1y", "250ms",
 * or a bare number of seconds). Every value inside capsim is SI: seconds, requests/s, USD. */
#ifndef CAPSIM_UNITS_H
#define CAPSIM_UNITS_H

/* Parses a duration: a finite, non-negative decimal number followed by an optional unit
 * us, ms, s, m (minutes), h, d, w or y (365 days), with no space. Returns 0 and sets *seconds,
 * or CAPSIM_EINVAL (*seconds unchanged). */
int units_parse_duration(const char *text, double *seconds);

/* Parses a finite decimal number that fills the whole text. Returns 0 or CAPSIM_EINVAL. */
int units_parse_number(const char *text, double *value);

/* Formats a duration for people with four significant digits and a unit chosen by size
 * ("850.0 us", "166.9 ms", "2.310 s", "12.50 min", "3.200 h", "4.100 d"). Returns buf. */
char *units_format_duration(double seconds, char *buf, unsigned long size);

#endif
