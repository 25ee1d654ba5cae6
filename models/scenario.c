/* Loading and validation of scenario files (format v1) into SI-unit structs, with errors that
 * name the file, the line and the JSON path of the first mistake. */
#include "models/scenario.h"

#include <cJSON.h>
#include <csv.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/jsonloc.h"
#include "models/units.h"
#include "sim/error.h"
#include "sim/file.h"

#define MAX_PATH_DEPTH 16
/* Largest whole number a JSON number (an IEEE double) holds exactly: 2^53. */
#define MAX_EXACT_INT 9007199254740992.0
/* Caps on counts, so that they fit an int and a typo like 1e9 instances is caught. */
#define MAX_INSTANCES 1000000
/* Cap on a rate in requests/s: a thousand times the busiest services' peaks (tens of
 * millions a second), so that a slip like 1e300 is caught before its sums overflow. */
#define MAX_RATE 1e10
/* The largest rate multiplier a weekend or a spike may apply: with the base rate's 1e10 and a
 * year's growth at most 10 a month, rates stay far from overflowing. */
#define MAX_FACTOR 1e3
/* Most replications optimize.final_replications defaults to. */
#define OPT_FINAL_CAP 40
/* Bytes the optimizer's finalist may hold of hourly usage (load_optimize): the memory the
 * project allows a run. */
#define OPT_HOURLY_BYTES (256.0 * 1048576.0)

struct ctx {
	const char *text;
	size_t len;
	const char *file;            /* for messages */
	char *dir;                   /* folder of the scenario file, "" or ending in '/' */
	char *catalog_path;          /* the file's "catalog" resolved; NULL: the bundled one */
	struct scenario *sc;
	struct scenario_error *err;
	struct jsonloc_step path[MAX_PATH_DEPTH];
	size_t depth;
};

/* Where a message points: at the value of the current path, at its key, or (for a missing
 * key) at the deepest value that exists, which jsonloc reports by itself. */
enum where { AT_VALUE, AT_KEY };

static const double REQUIRED = NAN;

/* ---- paths and messages ---- */

static void push_key(struct ctx *c, const char *key)
{
	CAPSIM_ASSERT(c->depth < MAX_PATH_DEPTH);
	c->path[c->depth].key = key;
	c->path[c->depth++].index = 0;
}

static void push_index(struct ctx *c, size_t i)
{
	CAPSIM_ASSERT(c->depth < MAX_PATH_DEPTH);
	c->path[c->depth].key = NULL;
	c->path[c->depth++].index = i;
}

static void pop(struct ctx *c)
{
	CAPSIM_ASSERT(c->depth > 0);
	c->depth--;
}

static void path_string(const struct jsonloc_step *p, size_t n, char *buf, size_t size)
{
	size_t w = 0;
	buf[0] = '\0';
	for (size_t k = 0; k < n && w < size; k++) {
		int m = p[k].key ? snprintf(buf + w, size - w, "%s%s", k ? "." : "", p[k].key)
				 : snprintf(buf + w, size - w, "[%zu]", p[k].index);
		if (m < 0)
			break;
		w += (size_t)m;
	}
}

/* Length of the valid UTF-8 character at s (RFC 3629: no overlong forms, no surrogates, at
 * most U+10FFFF), 0 when the bytes there are not one. */
static size_t utf8_char(const unsigned char *s)
{
	size_t n = s[0] < 0x80 ? 1 : s[0] >= 0xC2 && s[0] <= 0xDF ? 2
		 : s[0] >= 0xE0 && s[0] <= 0xEF ? 3 : s[0] >= 0xF0 && s[0] <= 0xF4 ? 4 : 0;
	for (size_t k = 1; k < n; k++)
		if ((s[k] & 0xC0) != 0x80)
			return 0;   /* also stops at the NUL */
	if ((s[0] == 0xE0 && s[1] < 0xA0) || (s[0] == 0xED && s[1] > 0x9F) ||
	    (s[0] == 0xF0 && s[1] < 0x90) || (s[0] == 0xF4 && s[1] > 0x8F))
		return 0;
	return n;
}

/* n, or less so that s[0..n) does not end inside a UTF-8 character that s[n] continues
 * (s[n] must exist). Stray continuation bytes are no character: they are not cut back. */
static size_t whole_chars(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	if ((u[n] & 0xC0) != 0x80)
		return n;
	for (size_t j = n; j > 0 && n - j < 3; j--) {
		if (u[j - 1] >= 0xC0)
			return j - 1;
		if ((u[j - 1] & 0xC0) != 0x80)
			break;
	}
	return n;
}

/* The length of the longest prefix of s of at most max bytes that does not split a UTF-8
 * character, for quoting the start of a long value ("%.*s"). */
static int cut(const char *s, size_t max)
{
	return (int)whole_chars(s, strnlen(s, max));
}

/* Whether the UTF-8 character p[0..n) is one a terminal would not show as itself: a C1
 * control (U+0080-U+009F; some terminals take U+009B as an escape sequence's start) or a
 * bidirectional control (U+061C, U+200E-U+200F, U+202A-U+202E, U+2066-U+2069), which
 * reorders the rest of the line, so that an error message could read other than it is. */
static int invisible(const unsigned char *p, size_t n, unsigned *cp)
{
	if (n == 2)
		*cp = (unsigned)(p[0] & 0x1F) << 6 | (p[1] & 0x3Fu);
	else if (n == 3)
		*cp = (unsigned)(p[0] & 0x0F) << 12 | (unsigned)(p[1] & 0x3F) << 6 | (p[2] & 0x3Fu);
	else
		return 0;
	return (*cp >= 0x80 && *cp <= 0x9F) || *cp == 0x61C || *cp == 0x200E || *cp == 0x200F ||
	       (*cp >= 0x202A && *cp <= 0x202E) || (*cp >= 0x2066 && *cp <= 0x2069);
}

/* Rewrites the string in buf[size] so that a terminal shows it as written: the values it
 * quotes come from the file, where JSON lets a string hold any control character (an
 * escape sequence would redraw the terminal, a bidirectional override reorder the line)
 * and any bytes. Control characters become JSON escapes (\t, \u001b, \u202e), bytes that
 * are not UTF-8 \xNN; what no longer fits is left out. */
static void printable(char *buf, size_t size)
{
	char out[512];
	size_t w = 0, n;
	CAPSIM_ASSERT(size <= sizeof out);
	for (const unsigned char *p = (const unsigned char *)buf; *p; p += n) {
		char esc[8];
		const char *piece = esc;
		size_t len;
		unsigned cp;
		n = utf8_char(p);
		if (n == 1 && (*p < 0x20 || *p == 0x7f)) {
			const char *named = *p == '\t' ? "\\t" : *p == '\n' ? "\\n"
					  : *p == '\r' ? "\\r" : NULL;
			if (named)
				snprintf(esc, sizeof esc, "%s", named);
			else
				snprintf(esc, sizeof esc, "\\u%04x", *p);
		} else if (n == 0) {
			snprintf(esc, sizeof esc, "\\x%02x", *p);
			n = 1;
		} else if (invisible(p, n, &cp)) {
			snprintf(esc, sizeof esc, "\\u%04x", cp);
		} else {
			piece = (const char *)p;
		}
		len = piece == esc ? strlen(esc) : n;
		if (w + len >= size)
			break;
		memcpy(out + w, piece, len);
		w += len;
	}
	memcpy(buf, out, w);
	buf[w] = '\0';
}

static void format_msg(struct scenario_error *e)
{
	char where[64];
	printable(e->file, sizeof e->file);
	printable(e->path, sizeof e->path);
	printable(e->text, sizeof e->text);
	if (e->line > 0)
		snprintf(where, sizeof where, ":%d", e->line);
	else
		where[0] = '\0';
	if (e->path[0])
		snprintf(e->msg, sizeof e->msg, "%.512s%s: %.256s: %.512s", e->file, where, e->path,
			 e->text);
	else
		snprintf(e->msg, sizeof e->msg, "%.512s%s: %.512s", e->file, where, e->text);
}

/* Records the first error at the current path; returns `code` for `return fail(...)`. */
static int failv(struct ctx *c, int code, enum where w, const char *fmt, va_list ap)
{
	struct scenario_error *e = c->err;
	struct jsonloc_pos pos;
	snprintf(e->file, sizeof e->file, "%s", c->file);
	path_string(c->path, c->depth, e->path, sizeof e->path);
	vsnprintf(e->text, sizeof e->text, fmt, ap);
	int rc = jsonloc_find(c->text, c->len, c->path, c->depth, &pos);
	if (rc == 0 || rc == CAPSIM_ENOTFOUND) {
		e->line = (w == AT_KEY && rc == 0 && pos.key_line) ? pos.key_line : pos.line;
		e->col = (w == AT_KEY && rc == 0 && pos.key_line) ? pos.key_col : pos.col;
	} else {
		e->line = e->col = 0;
	}
	format_msg(e);
	return code;
}

__attribute__((format(printf, 3, 4)))
static int fail(struct ctx *c, enum where w, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = failv(c, CAPSIM_EINVAL, w, fmt, ap);
	va_end(ap);
	return rc;
}

/* fail() with another code than CAPSIM_EINVAL. */
__attribute__((format(printf, 4, 5)))
static int fail_code(struct ctx *c, int code, enum where w, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = failv(c, code, w, fmt, ap);
	va_end(ap);
	return rc;
}

/* The same one step below the current path (a key of the current object). */
__attribute__((format(printf, 4, 5)))
static int fail_key(struct ctx *c, const char *key, enum where w, const char *fmt, ...)
{
	va_list ap;
	push_key(c, key);
	va_start(ap, fmt);
	int rc = failv(c, CAPSIM_EINVAL, w, fmt, ap);
	va_end(ap);
	pop(c);
	return rc;
}

/* Describes a JSON value for "got ..." in a message. */
static const char *describe(const cJSON *v, char *buf, size_t size)
{
	if (!v)
		snprintf(buf, size, "nothing");
	else if (cJSON_IsString(v))
		snprintf(buf, size, "\"%.*s%s\"", cut(v->valuestring, 40), v->valuestring,
			 strlen(v->valuestring) > 40 ? "..." : "");
	else if (cJSON_IsNumber(v))
		snprintf(buf, size, "%.15g", v->valuedouble);
	else if (cJSON_IsBool(v))
		snprintf(buf, size, "%s", cJSON_IsTrue(v) ? "true" : "false");
	else if (cJSON_IsNull(v))
		snprintf(buf, size, "null");
	else if (cJSON_IsObject(v))
		snprintf(buf, size, "an object");
	else if (cJSON_IsArray(v))
		snprintf(buf, size, cJSON_GetArraySize(v) ? "an array" : "an empty array");
	else
		snprintf(buf, size, "something else");
	return buf;
}

/* "expected WHAT, got GOT" at key `key` of the current object (key NULL: the current path). */
static int expected(struct ctx *c, const char *key, const cJSON *v, const char *what)
{
	char got[64];
	describe(v, got, sizeof got);
	if (!v)
		return fail_key(c, key, AT_VALUE, "expected %s, got nothing (the field is required)",
				what);
	if (key)
		return fail_key(c, key, AT_VALUE, "expected %s, got %s", what, got);
	return fail(c, AT_VALUE, "expected %s, got %s", what, got);
}

/* ---- "did you mean" ---- */

int scenario_edit_distance(const char *a, const char *b, int cap)
{
	/* Levenshtein distance by the two-row dynamic programme (Wagner-Fischer 1974):
	 * d[i][j] = min(d[i-1][j] + 1, d[i][j-1] + 1, d[i-1][j-1] + (a_i != b_j)). */
	enum { MAXLEN = 127 };
	size_t la = strlen(a), lb = strlen(b);
	if (la > MAXLEN || lb > MAXLEN)
		return strcmp(a, b) == 0 ? 0 : cap + 1;
	if ((la > lb ? la - lb : lb - la) > (size_t)cap)
		return cap + 1;
	int prev[MAXLEN + 1], cur[MAXLEN + 1];
	for (size_t j = 0; j <= lb; j++)
		prev[j] = (int)j;
	for (size_t i = 1; i <= la; i++) {
		cur[0] = (int)i;
		for (size_t j = 1; j <= lb; j++) {
			int sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
			int del = prev[j] + 1, ins = cur[j - 1] + 1;
			cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
		}
		memcpy(prev, cur, (lb + 1) * sizeof prev[0]);
	}
	return prev[lb] > cap ? cap + 1 : prev[lb];
}

/* Closest of names[0..n) to `word` within 2 edits (and fewer edits than its length, so
 * that "ab" never suggests "x"), or NULL. */
static const char *closest(const char *word, const char *const *names, size_t n)
{
	const char *best = NULL;
	int bestd = 3;
	int len = (int)strlen(word);
	for (size_t i = 0; i < n; i++) {
		int d = scenario_edit_distance(word, names[i], 2);
		if (d < bestd && d < len) {
			bestd = d;
			best = names[i];
		}
	}
	return best;
}

/* Appends "; did you mean "X"?" or "; KIND: a, b, c" to a message. */
static void hint(char *buf, size_t size, const char *word, const char *const *names, size_t n,
		 const char *kind)
{
	size_t w = strlen(buf);
	const char *best = closest(word, names, n);
	if (best) {
		snprintf(buf + w, size - w, "; did you mean \"%s\"?", best);
		return;
	}
	snprintf(buf + w, size - w, "; %s: ", kind);
	for (size_t i = 0; i < n; i++) {
		w = strlen(buf);
		snprintf(buf + w, size - w, "%s%s", i ? ", " : "", names[i]);
	}
}

/* ---- keys ---- */

static int is_comment(const char *key)
{
	return strncmp(key, "_comment", 8) == 0;
}

/* A member of an object, for sorting by key. */
struct member {
	const char *key;
	size_t index;                /* position in the object */
};

static int cmp_member(const void *a, const void *b)
{
	const struct member *x = a, *y = b;
	int d = strcmp(x->key, y->key);
	return d ? d : (x->index > y->index) - (x->index < y->index);
}

/* Rejects duplicate keys (cJSON keeps both) in object o at the current path, naming the
 * first key in file order that repeats an earlier one. The members are sorted by key, so
 * that an object of many keys costs n log n (comparing each with all before it took 30 s
 * for 100,000 keys); the duplicate is then the second of its run. */
static int check_duplicates(struct ctx *c, const cJSON *o)
{
	size_t n = 0, i = 0, first = SIZE_MAX;
	const char *key = NULL;
	const cJSON *m;
	for (m = o->child; m; m = m->next)
		n++;
	if (n < 2)
		return 0;
	struct member *s = malloc(n * sizeof *s);
	if (!s)
		return CAPSIM_ENOMEM;
	n = 0;
	for (m = o->child; m; m = m->next, i++)
		if (!is_comment(m->string))
			s[n++] = (struct member){ m->string, i };
	qsort(s, n, sizeof *s, cmp_member);
	for (size_t j = 1; j < n; j++)
		if (strcmp(s[j].key, s[j - 1].key) == 0 &&
		    (j == 1 || strcmp(s[j].key, s[j - 2].key) != 0) && s[j].index < first) {
			first = s[j].index;
			key = s[j].key;
		}
	free(s);
	if (!key)
		return 0;
	struct jsonloc_pos pos;
	int first_line = 0;
	push_key(c, key);
	if (jsonloc_find(c->text, c->len, c->path, c->depth, &pos) == 0)
		first_line = pos.key_line;
	c->path[c->depth - 1].index = 1;
	int rc = fail(c, AT_KEY, "duplicate key; it was first given on line %d", first_line);
	pop(c);
	return rc;
}

/* Rejects duplicate and unknown keys of the object at the current path; `known` ends with
 * NULL. Keys starting with "_comment" are ignored. */
static int check_keys(struct ctx *c, const cJSON *o, const char *const *known)
{
	int rc = check_duplicates(c, o);
	if (rc)
		return rc;
	size_t nknown = 0;
	while (known[nknown])
		nknown++;
	for (const cJSON *m = o->child; m; m = m->next) {
		if (is_comment(m->string))
			continue;
		size_t i = 0;
		while (i < nknown && strcmp(known[i], m->string) != 0)
			i++;
		if (i < nknown)
			continue;
		char text[400] = "unknown key";
		hint(text, sizeof text, m->string, known, nknown, "the keys here are");
		return fail_key(c, m->string, AT_KEY, "%s", text);
	}
	return 0;
}

/* Element i of an array of objects: its index on the path, then an object with known keys
 * only. *count becomes i + 1 once it is an object (a release then frees whatever the element
 * got before a later check failed: the arrays are calloc'd); NULL leaves the count to the
 * caller. */
static int array_object(struct ctx *c, const cJSON *it, size_t i, const char *const *keys,
			size_t *count)
{
	push_index(c, i);
	if (!cJSON_IsObject(it))
		return expected(c, NULL, it, "an object");
	if (count)
		*count = i + 1;
	return check_keys(c, it, keys);
}

/* ---- typed fields ---- */

/* Object at key (NULL *out when absent and optional). */
static int get_object(struct ctx *c, const cJSON *o, const char *key, int required,
		      const cJSON **out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	*out = v;
	if (!v && !required)
		return 0;
	if (!cJSON_IsObject(v))
		return expected(c, key, v, "an object");
	return 0;
}

/* Non-empty array at key (NULL *out when absent and optional). */
static int get_array(struct ctx *c, const cJSON *o, const char *key, int required,
		     const cJSON **out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	*out = v;
	if (!v && !required)
		return 0;
	if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) == 0)
		return expected(c, key, v, "a non-empty array");
	return 0;
}

/* A number in the range given by lo/hi (open or closed ends); def = REQUIRED (NaN) makes the
 * field required. `what` describes the range for the message. */
static int get_number(struct ctx *c, const cJSON *o, const char *key, double def, double lo,
		      int lo_open, double hi, int hi_open, const char *what, double *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	if (!v && !isnan(def)) {
		*out = def;
		return 0;
	}
	if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble))
		return expected(c, key, v, what);
	double x = v->valuedouble;
	if ((lo_open ? !(x > lo) : !(x >= lo)) || (hi_open ? !(x < hi) : !(x <= hi)))
		return expected(c, key, v, what);
	*out = x;
	return 0;
}

/* A whole number in [lo, hi]; required unless has_def. */
static int get_int(struct ctx *c, const cJSON *o, const char *key, int has_def, double def,
		   double lo, double hi, const char *what, double *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	if (!v && has_def) {
		*out = def;
		return 0;
	}
	if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) ||
	    v->valuedouble != floor(v->valuedouble) || v->valuedouble < lo || v->valuedouble > hi)
		return expected(c, key, v, what);
	*out = v->valuedouble;
	return 0;
}

static int get_int_i(struct ctx *c, const cJSON *o, const char *key, int has_def, int def,
		     int lo, int hi, const char *what, int *out)
{
	double d = 0;
	int rc = get_int(c, o, key, has_def, def, lo, hi, what, &d);
	if (rc == 0)
		*out = (int)d;
	return rc;
}

/* A duration: a string with a unit ("90s", "5m", "250ms") or a number of seconds. def is the
 * default as written in the format (NULL: required). positive: must be > 0, else >= 0. */
static int get_duration(struct ctx *c, const cJSON *o, const char *key, const char *def,
			int positive, double *out)
{
	const char *what = positive ? "a duration > 0 such as \"90s\", \"5m\", \"2h\", \"30d\" "
				      "or a number of seconds"
				    : "a duration >= 0 such as \"0s\", \"90s\", \"5m\" or a number "
				      "of seconds";
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	double x;
	if (!v && def) {
		int rc = units_parse_duration(def, out);
		CAPSIM_ASSERT(rc == 0);
		return 0;
	}
	if (cJSON_IsString(v)) {
		if (units_parse_duration(v->valuestring, &x) != 0)
			return expected(c, key, v, what);
	} else if (cJSON_IsNumber(v) && isfinite(v->valuedouble) && v->valuedouble >= 0) {
		x = v->valuedouble;
	} else {
		return expected(c, key, v, what);
	}
	if (positive && !(x > 0))
		return expected(c, key, v, what);
	*out = x;
	return 0;
}

/* true or false at key; def when absent (def < 0: the field is required). */
static int get_bool(struct ctx *c, const cJSON *o, const char *key, int def, int *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	if (!v && def >= 0) {
		*out = def;
		return 0;
	}
	if (!cJSON_IsBool(v))
		return expected(c, key, v, "true or false");
	*out = cJSON_IsTrue(v);
	return 0;
}

/* One of the strings names[0..n) at key: its index goes to *out. When absent: def if not
 * required. With suggest, a string close to one of the names gets a "did you mean" (not for
 * names that differ by a symbol or a digit, where the closest is no better a guess). */
static int get_enum(struct ctx *c, const cJSON *o, const char *key, const char *const *names,
		    size_t n, int required, int def, int suggest, int *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	char what[200], got[64], text[400];
	size_t w;
	if (!v && !required) {
		*out = def;
		return 0;
	}
	if (cJSON_IsString(v))
		for (size_t i = 0; i < n; i++)
			if (strcmp(v->valuestring, names[i]) == 0) {
				*out = (int)i;
				return 0;
			}
	w = (size_t)snprintf(what, sizeof what, "one of ");
	for (size_t i = 0; i < n && w < sizeof what; i++)
		w += (size_t)snprintf(what + w, sizeof what - w, "%s\"%s\"",
				      i == 0 ? "" : i + 1 < n ? ", " : " or ", names[i]);
	if (!cJSON_IsString(v))
		return expected(c, key, v, what);
	snprintf(text, sizeof text, "expected %s, got %s", what, describe(v, got, sizeof got));
	const char *best = suggest ? closest(v->valuestring, names, n) : NULL;
	if (best) {
		w = strlen(text);
		snprintf(text + w, sizeof text - w, "; did you mean \"%s\"?", best);
	}
	return fail_key(c, key, AT_VALUE, "%s", text);
}

static int valid_name(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > SCENARIO_NAME_MAX || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return 0;
	return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") == n;
}

static const char NAME_WHAT[] = "a name of letters, digits, '.', '_' or '-' "
				"(at most 100 characters)";

/* A name string (see valid_name) from a JSON value already located at the current path. */
static int name_value(struct ctx *c, const cJSON *v, char **out)
{
	if (!cJSON_IsString(v) || !valid_name(v->valuestring))
		return expected(c, NULL, v, NAME_WHAT);
	if (!(*out = strdup(v->valuestring)))
		return CAPSIM_ENOMEM;
	return 0;
}

static int get_name(struct ctx *c, const cJSON *o, const char *key, char **out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	if (!v)
		return expected(c, key, v, NAME_WHAT);
	push_key(c, key);
	int rc = name_value(c, v, out);
	pop(c);
	return rc;
}

/* Reports that the object at the current path lacks both of two alternative keys, or has
 * both. Returns 0 when exactly one is present. */
static int exactly_one(struct ctx *c, const cJSON *o, const char *a, const char *b,
		       const char *neither)
{
	int ha = cJSON_HasObjectItem(o, a), hb = cJSON_HasObjectItem(o, b);
	if (ha && hb)
		return fail_key(c, b, AT_KEY, "%s and %s are mutually exclusive; give one of them",
				a, b);
	if (!ha && !hb)
		return fail(c, AT_VALUE, "expected %s, got neither", neither);
	return 0;
}

/* ---- sections ---- */

static int load_slo(struct ctx *c, const cJSON *root)
{
	static const char *const keys[] = { "availability", "latency_percentile",
					    "latency_target", NULL };
	struct scenario *sc = c->sc;
	const cJSON *o;
	int rc;
	sc->slo.availability = 0.999;
	sc->slo.latency_percentile = 99;
	sc->slo.latency_target = 0;
	if ((rc = get_object(c, root, "slo", 0, &o)) != 0 || !o)
		return rc;
	sc->has_slo = 1;
	push_key(c, "slo");
	if ((rc = check_keys(c, o, keys)) != 0 ||
	    (rc = get_number(c, o, "availability", 0.999, 0, 1, 1, 0, "a number in (0,1]",
			     &sc->slo.availability)) != 0 ||
	    (rc = get_number(c, o, "latency_percentile", 99, 0, 1, 100, 1,
			     "a percentile in (0,100) such as 99 or 99.9",
			     &sc->slo.latency_percentile)) != 0 ||
	    (rc = get_duration(c, o, "latency_target", NULL, 1, &sc->slo.latency_target)) != 0)
		return rc;
	pop(c);
	return 0;
}

static int load_regions(struct ctx *c, const cJSON *root)
{
	static const char *const keys[] = { "name", "zones", "rtt", "transfer_price_gb", NULL };
	struct scenario *sc = c->sc;
	const cJSON *arr, *it;
	int rc;
	if ((rc = get_array(c, root, "regions", 1, &arr)) != 0)
		return rc;
	size_t n = (size_t)cJSON_GetArraySize(arr), i = 0;
	if (!(sc->regions = calloc(n, sizeof *sc->regions)))
		return CAPSIM_ENOMEM;
	push_key(c, "regions");
	cJSON_ArrayForEach(it, arr) {
		struct scenario_region *r = &sc->regions[i];
		const cJSON *zones, *z;
		if ((rc = array_object(c, it, i, keys, &sc->nregions)) != 0 ||
		    (rc = get_name(c, it, "name", &r->name)) != 0)
			return rc;
		for (size_t j = 0; j < i; j++)
			if (strcmp(sc->regions[j].name, r->name) == 0)
				return fail_key(c, "name", AT_VALUE, "duplicate region name \"%s\"; "
						"regions[%zu] has it already", r->name, j);
		/* AWS's data transfer out to another region from most US and EU regions. */
		if ((rc = get_number(c, it, "transfer_price_gb", 0.02, 0, 0, INFINITY, 1,
				     "a price in USD per GB >= 0", &r->transfer_price_gb)) != 0 ||
		    (rc = get_array(c, it, "zones", 1, &zones)) != 0)
			return rc;
		size_t nz = (size_t)cJSON_GetArraySize(zones), k = 0;
		if (!(r->zones = calloc(nz, sizeof *r->zones)))
			return CAPSIM_ENOMEM;
		push_key(c, "zones");
		cJSON_ArrayForEach(z, zones) {
			push_index(c, k);
			r->nzones = k + 1;
			if ((rc = name_value(c, z, &r->zones[k])) != 0)
				return rc;
			for (size_t j = 0; j < k; j++)
				if (strcmp(r->zones[j], r->zones[k]) == 0)
					return fail(c, AT_VALUE, "duplicate zone \"%s\"; zones[%zu] "
						    "has it already", r->zones[k], j);
			pop(c);
			k++;
		}
		pop(c);
		pop(c);
		i++;
	}
	pop(c);
	return 0;
}

/* Names of the declared regions, for hints (an array of borrowed pointers, caller frees). */
static const char **region_names(const struct scenario *sc)
{
	const char **names = malloc((sc->nregions + 1) * sizeof *names);
	if (names)
		for (size_t i = 0; i < sc->nregions; i++)
			names[i] = sc->regions[i].name;
	return names;
}

/* The index of the declared region `name`; else a failure at the current path (where: at
 * its value, which then quotes the name, or at its key, which is the name), with the closest
 * declared name as a hint. */
static int region_named(struct ctx *c, const char *name, enum where where, size_t *out)
{
	long r = scenario_find_region(c->sc, name);
	if (r >= 0) {
		*out = (size_t)r;
		return 0;
	}
	const char **names = region_names(c->sc);
	if (!names)
		return CAPSIM_ENOMEM;
	char text[400];
	if (where == AT_KEY)
		snprintf(text, sizeof text, "unknown region");
	else
		snprintf(text, sizeof text, "unknown region \"%.*s\"", cut(name, 60), name);
	hint(text, sizeof text, name, names, c->sc->nregions, "declared regions are");
	free(names);
	return fail(c, where, "%s", text);
}

/* The index of a declared region named by the string v at the current path. */
static int region_ref(struct ctx *c, const cJSON *v, size_t *out)
{
	if (!cJSON_IsString(v))
		return expected(c, NULL, v, "the name of a declared region");
	return region_named(c, v->valuestring, AT_VALUE, out);
}

/* Each region's "rtt": {"OTHER": duration}, the round trip between two regions, into
 * sc->rtt. Read once every region is declared (a region names the ones after it). The
 * matrix is symmetric, so a pair may be given on either side or both, with one value. */
static int load_rtt(struct ctx *c, const cJSON *root)
{
	struct scenario *sc = c->sc;
	size_t nr = sc->nregions;
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(root, "regions"), *it;
	unsigned char *given;
	int rc;
	if (!(sc->rtt = calloc(nr * nr, sizeof *sc->rtt)) || !(given = calloc(nr * nr, 1)))
		return CAPSIM_ENOMEM;
	size_t i = 0;
	rc = 0;
	push_key(c, "regions");
	cJSON_ArrayForEach(it, arr) {
		const cJSON *o, *m;
		push_index(c, i);
		if ((rc = get_object(c, it, "rtt", 0, &o)) != 0)
			goto out;
		if (o) {
			push_key(c, "rtt");
			if ((rc = check_duplicates(c, o)) != 0)
				goto out;
			for (m = o->child; m; m = m->next) {
				size_t r;
				double d;
				if (is_comment(m->string))
					continue;
				push_key(c, m->string);
				if ((rc = region_named(c, m->string, AT_KEY, &r)) != 0)
					goto out;
				pop(c);
				if (r == i) {
					rc = fail_key(c, m->string, AT_KEY, "a region's round trip to "
						      "itself is not declared (calls within a region "
						      "add no network time)");
					goto out;
				}
				if ((rc = get_duration(c, o, m->string, NULL, 0, &d)) != 0)
					goto out;
				if (given[i * nr + r] == 0 && given[r * nr + i] &&
				    sc->rtt[r * nr + i] != d) {
					char a[32], b[32];
					units_format_duration(d, a, sizeof a);
					units_format_duration(sc->rtt[r * nr + i], b, sizeof b);
					rc = fail_key(c, m->string, AT_VALUE, "expected the round trip "
						      "regions[%zu] (\"%s\") declares to this region, %s, "
						      "got %s (a round trip is the same both ways)", r,
						      sc->regions[r].name, b, a);
					goto out;
				}
				sc->rtt[i * nr + r] = sc->rtt[r * nr + i] = d;
				given[i * nr + r] = 1;
				if (d > 0)
					sc->has_rtt = 1;
			}
			pop(c);
		}
		pop(c);
		i++;
	}
	pop(c);
out:
	free(given);
	return rc;
}

/* ---- instance types and the price catalog ---- */

/* Completes a type's prices from the catalog (which is loaded): each region's catalog row;
 * for a type taken from the catalog its on-demand price; spot data not declared. */
static void fill_from_catalog(struct scenario *sc, struct scenario_instance_type *t)
{
	for (size_t r = 0; r < sc->nregions; r++) {
		struct scenario_price *p = &t->price[r];
		const struct catalog_entry *e = catalog_find(&sc->catalog, t->name,
							     sc->regions[r].name);
		p->cat = e;
		if (t->from_catalog) {
			p->known = e != NULL;
			p->on_demand = e ? e->on_demand : 0;
		}
		if (e && p->spot_discount < 0)
			p->spot_discount = e->spot_discount;
		if (e && p->spot_bucket < 0)
			p->spot_bucket = e->spot_bucket;
	}
}

static const char *catalog_path(const struct ctx *c)
{
	return c->catalog_path ? c->catalog_path : catalog_default_path();
}

/* Reads the price catalog unless it is loaded already: the file's "catalog", else the
 * bundled one. Returns 0 once it is loaded, and completes every type's prices. When the
 * file cannot be read it returns CAPSIM_EIO with the reason in why[] and records nothing,
 * so that the caller can say what needed the catalog. A mistake inside the catalog is
 * recorded as a scenario error naming the catalog file and line, at the current path. */
static int open_catalog(struct ctx *c, char *why, size_t whylen)
{
	struct scenario *sc = c->sc;
	const char *path = catalog_path(c);
	char msg[512] = "";
	if (sc->has_catalog)
		return 0;
	/* Opened here first so that an unreadable file gets its system reason. */
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(why, whylen, "%s", strerror(errno));
		return CAPSIM_EIO;
	}
	fclose(f);
	int rc = catalog_load(path, &sc->catalog, msg, sizeof msg);
	if (rc == CAPSIM_ENOMEM)
		return rc;
	if (rc == CAPSIM_EIO) {
		snprintf(why, whylen, "%s", msg);
		return rc;
	}
	if (rc) {
		/* catalog_load says "PATH:LINE: COLUMN: ..."; the line becomes the error's. */
		struct scenario_error *e = c->err;
		size_t pl = strlen(path);
		const char *text = msg;
		e->line = e->col = 0;
		if (strncmp(msg, path, pl) == 0 && msg[pl] == ':') {
			char *end;
			long line = strtol(msg + pl + 1, &end, 10);
			text = msg + pl + 1;
			if (end > msg + pl + 1 && *end == ':' && line > 0 && line < 1000000000) {
				e->line = (int)line;
				text = end + 1;
			}
			text += strspn(text, " ");
		}
		snprintf(e->file, sizeof e->file, "%s", path);
		path_string(c->path, c->depth, e->path, sizeof e->path);
		snprintf(e->text, sizeof e->text, "%s", text);
		format_msg(e);
		return rc;
	}
	sc->has_catalog = 1;
	for (size_t k = 0; k < sc->ninstance_types; k++)
		fill_from_catalog(sc, &sc->instance_types[k]);
	return 0;
}

/* Adds the catalog type `name` (which has a row in at least one declared region) to
 * sc->instance_types; its index goes to *out. */
static int add_catalog_type(struct scenario *sc, const char *name, long *out)
{
	const struct catalog_entry *e = NULL;
	for (size_t r = 0; r < sc->nregions && !e; r++)
		e = catalog_find(&sc->catalog, name, sc->regions[r].name);
	CAPSIM_ASSERT(e);
	struct scenario_instance_type *nt = realloc(sc->instance_types,
						    (sc->ninstance_types + 1) * sizeof *nt);
	if (!nt)
		return CAPSIM_ENOMEM;
	sc->instance_types = nt;
	struct scenario_instance_type *t = &nt[sc->ninstance_types++];
	memset(t, 0, sizeof *t);
	t->from_catalog = 1;
	t->vcpu = e->vcpu;
	t->memory_gib = e->memory_gib;
	t->price_hourly = e->on_demand;
	if (!(t->name = strdup(name)) || !(t->family = strdup(e->family)) ||
	    !(t->price = calloc(sc->nregions, sizeof *t->price)))
		return CAPSIM_ENOMEM;
	for (size_t r = 0; r < sc->nregions; r++)
		t->price[r].spot_discount = t->price[r].spot_bucket = -1;
	fill_from_catalog(sc, t);
	*out = (long)(sc->ninstance_types - 1);
	return 0;
}

/* Appends to text the catalog's instance types in `region` and the declared types as a
 * "did you mean" when one is close, else the declared types' list. */
static int type_hint(const struct scenario *sc, const char *word, const char *region,
		     int declared_only, char *text, size_t size)
{
	size_t n = 0, nd = 0, w;
	const size_t ncat = sc->has_catalog ? sc->catalog.n : 0;
	const char **names = malloc((sc->ninstance_types + ncat + 1) * sizeof *names);
	if (!names)
		return CAPSIM_ENOMEM;
	for (size_t k = 0; k < sc->ninstance_types; k++)
		if (!sc->instance_types[k].from_catalog)
			names[n++] = sc->instance_types[k].name;
	nd = n;
	for (size_t i = 0; i < ncat && !declared_only; i++)
		if (!region || strcmp(sc->catalog.e[i].region, region) == 0)
			names[n++] = sc->catalog.e[i].type;
	const char *best = closest(word, names, n);
	w = strlen(text);
	if (best)
		snprintf(text + w, size - w, "; did you mean \"%s\"?", best);
	else if (nd)
		hint(text, size, word, names, nd, "declared instance types are");
	free(names);
	return 0;
}

/* The instance type named by v at the current path, used by a pool in each region of
 * pl[0..npl): a declared type, else a catalog type with a row in each of those regions,
 * added to sc->instance_types the first time it is named. */
static int type_ref(struct ctx *c, const cJSON *v, const struct scenario_placement *pl,
		    size_t npl, size_t *out)
{
	struct scenario *sc = c->sc;
	char why[256] = "", text[512];
	int rc;
	CAPSIM_ASSERT(npl > 0);
	if (!cJSON_IsString(v))
		return expected(c, NULL, v, "the name of an instance type (declared in "
				"instance_types or in the catalog)");
	const char *name = v->valuestring;
	long k = scenario_find_instance_type(sc, name);
	if (k >= 0 && !sc->instance_types[k].from_catalog) {
		*out = (size_t)k;
		return 0;
	}
	/* k >= 0 only for a type already taken from the catalog, which is then loaded. */
	if ((rc = open_catalog(c, why, sizeof why)) != 0 && rc != CAPSIM_EIO)
		return rc;
	size_t miss = npl;
	for (size_t i = 0; i < npl && miss == npl && sc->has_catalog; i++)
		if (!catalog_find(&sc->catalog, name, sc->regions[pl[i].region].name))
			miss = i;
	if (sc->has_catalog && miss == npl) {
		if (k < 0 && (rc = add_catalog_type(sc, name, &k)) != 0)
			return rc;
		*out = (size_t)k;
		return 0;
	}
	const char *region = sc->regions[pl[miss == npl ? 0 : miss].region].name;
	snprintf(text, sizeof text, "expected an instance type declared in instance_types or in "
		 "the catalog for %s, got \"%.*s\"", region, cut(name, 60), name);
	size_t w = strlen(text), nin = 0;
	for (size_t i = 0; i < (sc->has_catalog ? sc->catalog.n : 0); i++) {
		const struct catalog_entry *e = &sc->catalog.e[i];
		if (strcmp(e->type, name) != 0 || w >= sizeof text)
			continue;
		w += (size_t)snprintf(text + w, sizeof text - w, "%s%s",
				      nin++ ? ", " : "; the catalog has it only in ", e->region);
	}
	if (!nin && (rc = type_hint(sc, name, region, !sc->has_catalog, text, sizeof text)))
		return rc;
	if (!sc->has_catalog) {
		w = strlen(text);
		snprintf(text + w, sizeof text - w, " (the price catalog \"%.*s\" cannot be read: "
			 "%.*s)", cut(catalog_path(c), 200), catalog_path(c), cut(why, 100), why);
	}
	return fail(c, AT_VALUE, "%s", text);
}

static int load_instance_types(struct ctx *c, const cJSON *root)
{
	static const char *const keys[] = { "name", "family", "vcpu", "memory_gib", "price_hourly",
		"spot_discount", "spot_interruption", NULL };
	struct scenario *sc = c->sc;
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(root, "instance_types"), *it;
	int rc;
	/* Optional, and may be empty: tiers may use catalog types only. */
	if (!arr)
		return 0;
	if (!cJSON_IsArray(arr))
		return expected(c, "instance_types", arr, "an array of instance types");
	size_t n = (size_t)cJSON_GetArraySize(arr), i = 0;
	if (n == 0)
		return 0;
	if (!(sc->instance_types = calloc(n, sizeof *sc->instance_types)))
		return CAPSIM_ENOMEM;
	push_key(c, "instance_types");
	cJSON_ArrayForEach(it, arr) {
		struct scenario_instance_type *t = &sc->instance_types[i];
		const cJSON *fam;
		double vcpu, discount = -1;
		int bucket = -1;
		if ((rc = array_object(c, it, i, keys, &sc->ninstance_types)) != 0 ||
		    (rc = get_name(c, it, "name", &t->name)) != 0)
			return rc;
		for (size_t j = 0; j < i; j++)
			if (strcmp(sc->instance_types[j].name, t->name) == 0)
				return fail_key(c, "name", AT_VALUE, "duplicate instance type name "
						"\"%s\"; instance_types[%zu] has it already", t->name, j);
		if ((fam = cJSON_GetObjectItemCaseSensitive(it, "family"))) {
			push_key(c, "family");
			if ((rc = name_value(c, fam, &t->family)) != 0)
				return rc;
			pop(c);
		} else {
			/* AWS names are FAMILY.SIZE ("m6i.large"); a name without a dot is its
			 * own family. */
			size_t len = strcspn(t->name, ".");
			if (!(t->family = strndup(t->name, len ? len : strlen(t->name))))
				return CAPSIM_ENOMEM;
		}
		if ((rc = get_int(c, it, "vcpu", 0, 0, 1, 65536, "a whole number >= 1", &vcpu)) != 0 ||
		    (rc = get_number(c, it, "memory_gib", REQUIRED, 0, 1, INFINITY, 1,
				     "a number of GiB > 0", &t->memory_gib)) != 0 ||
		    (rc = get_number(c, it, "price_hourly", REQUIRED, 0, 0, INFINITY, 1,
				     "a price in USD per hour >= 0", &t->price_hourly)) != 0 ||
		    (rc = get_number(c, it, "spot_discount", -1, 0, 1, 1, 1,
				     "a fraction in (0,1): 0.7 = spot costs 30% of on demand",
				     &discount)) != 0 ||
		    (rc = get_enum(c, it, "spot_interruption", catalog_bucket_name,
				   CATALOG_NBUCKETS, 0, -1, 0, &bucket)) != 0)
			return rc;
		t->vcpu = (int)vcpu;
		if (!(t->price = calloc(sc->nregions, sizeof *t->price)))
			return CAPSIM_ENOMEM;
		for (size_t r = 0; r < sc->nregions; r++) {
			t->price[r].known = 1;
			t->price[r].on_demand = t->price_hourly;
			t->price[r].spot_discount = discount;
			t->price[r].spot_bucket = bucket;
		}
		pop(c);
		i++;
	}
	pop(c);
	return 0;
}

/* The top-level "catalog": a catalog CSV relative to the scenario's folder, read now so that
 * a mistake in it is reported even when nothing else needs the catalog. */
static int load_catalog_key(struct ctx *c, const cJSON *root)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, "catalog");
	char why[256] = "";
	int rc;
	if (!v)
		return 0;
	push_key(c, "catalog");
	if (!cJSON_IsString(v) || !v->valuestring[0])
		return expected(c, NULL, v, "the path of a price catalog CSV file");
	const char *rel = v->valuestring;
	size_t dl = rel[0] == '/' ? 0 : strlen(c->dir);
	if (!(c->catalog_path = malloc(dl + strlen(rel) + 1)))
		return CAPSIM_ENOMEM;
	memcpy(c->catalog_path, c->dir, dl);
	strcpy(c->catalog_path + dl, rel);
	rc = open_catalog(c, why, sizeof why);
	if (rc == CAPSIM_EIO)
		return fail_code(c, CAPSIM_EIO, AT_VALUE, "cannot read the catalog \"%s\": %s",
				 c->catalog_path, why);
	if (rc)
		return rc;
	pop(c);
	return 0;
}

/* ---- the trace ---- */

struct trace_reader {
	struct scenario_trace *tr;
	size_t cap;
	char field[2][64];
	int nfields, rows;
	const char *bad;          /* what is wrong with a field of the row, or NULL */
	int line;                 /* line of the CSV being fed to the parser */
	int err_line;             /* 0 while all is well */
	int err_code;
	char err_text[256];
};

static void trace_error(struct trace_reader *r, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void trace_error(struct trace_reader *r, int code, const char *fmt, ...)
{
	va_list ap;
	if (r->err_line)
		return;
	r->err_line = r->line;
	r->err_code = code;
	va_start(ap, fmt);
	vsnprintf(r->err_text, sizeof r->err_text, fmt, ap);
	va_end(ap);
}

static void trace_field(void *s, size_t len, void *data)
{
	struct trace_reader *r = data;
	if (r->nfields < 2) {
		/* A NUL would end the field's text there: "1\0junk" would read as 1. */
		if (len >= sizeof r->field[0])
			r->bad = "a field of 64 characters or more";
		else if (memchr(s, '\0', len))
			r->bad = "a field with a NUL byte";
		else {
			memcpy(r->field[r->nfields], s, len);
			r->field[r->nfields][len] = '\0';
		}
	}
	r->nfields++;
}

static void trace_row(int term, void *data)
{
	struct trace_reader *r = data;
	struct scenario_trace *tr = r->tr;
	double t, q;
	int nf = r->nfields;
	(void)term;
	r->nfields = 0;
	if (r->err_line)
		return;
	int first = r->rows++ == 0;
	if (nf != 2) {
		trace_error(r, CAPSIM_EPARSE, "expected 2 fields (time_s,requests_per_s), got %d", nf);
		return;
	}
	if (r->bad) {
		trace_error(r, CAPSIM_EPARSE, "expected numbers, got %s", r->bad);
		return;
	}
	if (first && units_parse_number(r->field[0], &t) != 0) {
		if (strcmp(r->field[0], "time_s") != 0 || strcmp(r->field[1], "requests_per_s") != 0)
			trace_error(r, CAPSIM_EPARSE, "expected the header time_s,requests_per_s or "
				    "numbers, got \"%s,%s\"", r->field[0], r->field[1]);
		return;
	}
	if (units_parse_number(r->field[0], &t) != 0 || t < 0) {
		trace_error(r, CAPSIM_EPARSE, "expected a time in seconds >= 0, got \"%s\"",
			    r->field[0]);
		return;
	}
	if (tr->n > 0 && !(t > tr->time[tr->n - 1])) {
		trace_error(r, CAPSIM_EPARSE, "expected a time after the previous row's %.15g s, "
			    "got %.15g", tr->time[tr->n - 1], t);
		return;
	}
	if (units_parse_number(r->field[1], &q) != 0 || q < 0 || q > MAX_RATE) {
		trace_error(r, CAPSIM_EPARSE, "expected a rate in requests/s in [0, 1e10], got "
			    "\"%s\"", r->field[1]);
		return;
	}
	if (tr->n == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 256;
		double *nt = realloc(tr->time, cap * sizeof *nt);
		if (nt)
			tr->time = nt;
		double *nq = nt ? realloc(tr->rate, cap * sizeof *nq) : NULL;
		if (nq)
			tr->rate = nq;
		if (!nt || !nq) {
			trace_error(r, CAPSIM_ENOMEM, "out of memory");
			return;
		}
		r->cap = cap;
	}
	tr->time[tr->n] = t;
	tr->rate[tr->n++] = q;
}


/* Reads the CSV trace named by v at the current path (traffic.trace), relative to the
 * scenario's folder. Errors inside the CSV name the CSV file and its line. The CSV is fed to
 * libcsv one line at a time, each finished (csv_fini) before the next, so that each row's
 * callback knows its line number: a row cannot span lines (a quote left open is an error on
 * its own line, not a row that ends lines later). */
static int load_trace(struct ctx *c, const cJSON *v)
{
	struct scenario_trace *tr = &c->sc->traffic.trace;
	struct trace_reader r = { .tr = tr };
	struct csv_parser p;
	char *data = NULL;
	size_t len;
	int e = 0, rc = 0;
	if (!cJSON_IsString(v) || !v->valuestring[0])
		return expected(c, NULL, v, "the path of a CSV file (time_s,requests_per_s)");
	const char *rel = v->valuestring;
	size_t dl = rel[0] == '/' ? 0 : strlen(c->dir);
	if (!(tr->path = malloc(dl + strlen(rel) + 1)))
		return CAPSIM_ENOMEM;
	memcpy(tr->path, c->dir, dl);
	strcpy(tr->path + dl, rel);
	if (!(data = file_read(tr->path, &len, &e)))
		return e == ENOMEM ? CAPSIM_ENOMEM
				   : fail_code(c, CAPSIM_EIO, AT_VALUE, "cannot read the trace "
					       "\"%s\": %s", tr->path, strerror(e));
	if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI) != 0) {
		free(data);
		return CAPSIM_ENOMEM;
	}
	size_t off = 0;
	/* A UTF-8 byte order mark (Excel's "CSV UTF-8" writes one), as the scenario's own JSON
	 * may start with one. */
	if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
		off = 3;
	r.line = 1;
	while (off < len && !r.err_line) {
		/* One line at a time, so that an error names its line: up to "\n", "\r\n" or a
		 * lone "\r" (old Mac files, which libcsv reads as a row's end too). */
		const char *nl = NULL;
		for (size_t k = off; k < len && !nl; k++)
			if (data[k] == '\n')
				nl = data + k;
			else if (data[k] == '\r')
				nl = data + k + (k + 1 < len && data[k + 1] == '\n');
		size_t n = nl ? (size_t)(nl - (data + off)) + 1 : len - off;
		if (csv_parse(&p, data + off, n, trace_field, trace_row, &r) != n ||
		    csv_fini(&p, trace_field, trace_row, &r) != 0)
			trace_error(&r, CAPSIM_EPARSE, "expected a CSV row on one line, got %s",
				    csv_error(&p) == CSV_EPARSE ? "a misplaced or unclosed quote"
								: csv_strerror(csv_error(&p)));
		off += n;
		if (nl && off < len)
			r.line++;
	}
	csv_free(&p);
	free(data);
	if (!r.err_line && tr->n == 0) {
		r.line = 1;
		trace_error(&r, CAPSIM_EPARSE, "expected at least one row time_s,requests_per_s, "
			    "got none");
	}
	if (r.err_line) {
		struct scenario_error *er = c->err;
		rc = r.err_code;
		snprintf(er->file, sizeof er->file, "%s", tr->path);
		er->line = r.err_line;
		er->col = 0;
		path_string(c->path, c->depth, er->path, sizeof er->path);
		snprintf(er->text, sizeof er->text, "%s", r.err_text);
		format_msg(er);
	}
	return rc;
}

static int load_traffic(struct ctx *c, const cJSON *root)
{
	static const char *const keys[] = { "base_rate", "daily", "weekly", "growth_per_month",
					    "noise", "spikes", "trace", "trace_period", "regions",
					    NULL };
	static const char *const daily_keys[] = { "amplitude", "peak_hour", NULL };
	static const char *const weekly_keys[] = { "weekend_factor", NULL };
	static const char *const spike_keys[] = { "rate_per_day", "magnitude", "duration", NULL };
	static const char *const region_keys[] = { "share", "peak_hour", NULL };
	struct scenario *sc = c->sc;
	struct scenario_traffic *t = &sc->traffic;
	const cJSON *o, *sub;
	int rc;
	if ((rc = get_object(c, root, "traffic", 1, &o)) != 0)
		return rc;
	push_key(c, "traffic");
	if ((rc = check_keys(c, o, keys)) != 0 ||
	    (rc = exactly_one(c, o, "base_rate", "trace",
			      "base_rate (requests/s) or trace (a CSV file)")) != 0)
		return rc;
	t->weekend_factor = 1;
	t->daily_peak_hour = 12;
	t->has_trace = cJSON_HasObjectItem(o, "trace");
	if (t->has_trace) {
		/* A trace carries its own shape; a daily or weekly shape on top would be applied
		 * twice, so it is refused rather than silently combined. */
		static const char *const shaped[] = { "daily", "weekly", "growth_per_month" };
		for (size_t k = 0; k < 3; k++)
			if (cJSON_HasObjectItem(o, shaped[k]))
				return fail_key(c, shaped[k], AT_KEY, "not allowed with trace (the "
						"trace already has its shape; noise and spikes are)");
		push_key(c, "trace");
		if ((rc = load_trace(c, cJSON_GetObjectItemCaseSensitive(o, "trace"))) != 0)
			return rc;
		pop(c);
		if (cJSON_HasObjectItem(o, "trace_period")) {
			if ((rc = get_duration(c, o, "trace_period", NULL, 1, &t->trace_period)))
				return rc;
			/* A row after the period would never be read (one at it, closing the
			 * trace, is the next period's start and is not read either). */
			double last = t->trace.time[t->trace.n - 1];
			if (!(last <= t->trace_period))
				return fail_key(c, "trace_period", AT_VALUE, "expected a period at "
						"least the trace's last row (at %g s), got %g s", last,
						t->trace_period);
		}
	} else if (cJSON_HasObjectItem(o, "trace_period")) {
		return fail_key(c, "trace_period", AT_KEY, "only allowed with trace (it repeats "
				"the trace)");
	} else if ((rc = get_number(c, o, "base_rate", REQUIRED, 0, 1, MAX_RATE, 0,
				    "a rate in requests/s in (0, 1e10]", &t->base_rate)) != 0) {
		return rc;
	}
	if ((rc = get_object(c, o, "daily", 0, &sub)) != 0)
		return rc;
	int has_daily = sub != NULL;
	if (sub) {
		push_key(c, "daily");
		if ((rc = check_keys(c, sub, daily_keys)) != 0 ||
		    (rc = get_number(c, sub, "amplitude", REQUIRED, 0, 0, 1, 1, "a number in [0,1)",
				     &t->daily_amplitude)) != 0 ||
		    (rc = get_number(c, sub, "peak_hour", 12, 0, 0, 24, 1,
				     "an hour of the day in [0,24)", &t->daily_peak_hour)) != 0)
			return rc;
		pop(c);
	}
	if ((rc = get_object(c, o, "weekly", 0, &sub)) != 0)
		return rc;
	if (sub) {
		push_key(c, "weekly");
		if ((rc = check_keys(c, sub, weekly_keys)) != 0 ||
		    (rc = get_number(c, sub, "weekend_factor", REQUIRED, 0, 1, MAX_FACTOR, 0,
				     "a factor in (0, 1000]", &t->weekend_factor)) != 0)
			return rc;
		pop(c);
	}
	if ((rc = get_number(c, o, "growth_per_month", 0, -1, 1, 10, 0,
			     "a growth rate per month in (-1, 10] (0.05 = +5%/month)",
			     &t->growth_per_month)) != 0 ||
	    (rc = get_number(c, o, "noise", 0, 0, 0, 3, 0,
			     "a number in [0, 3] (sigma of the log of the noise factor)",
			     &t->noise)) != 0 ||
	    (rc = get_object(c, o, "spikes", 0, &sub)) != 0)
		return rc;
	if (sub) {
		struct scenario_spikes *sp = &t->spikes;
		const cJSON *mag;
		static const char mag_what[] = "[lo, hi] with 1 <= lo <= hi <= 1000 (rate multipliers)";
		push_key(c, "spikes");
		if ((rc = check_keys(c, sub, spike_keys)) != 0 ||
		    (rc = get_number(c, sub, "rate_per_day", REQUIRED, 0, 0, 1440, 0,
				     "a number of spikes per day in [0, 1440]", &sp->rate_per_day)) != 0)
			return rc;
		mag = cJSON_GetObjectItemCaseSensitive(sub, "magnitude");
		if (!cJSON_IsArray(mag) || cJSON_GetArraySize(mag) != 2)
			return expected(c, "magnitude", mag, mag_what);
		const cJSON *lo = cJSON_GetArrayItem(mag, 0), *hi = cJSON_GetArrayItem(mag, 1);
		if (!cJSON_IsNumber(lo) || !cJSON_IsNumber(hi))
			return expected(c, "magnitude", mag, mag_what);
		if (!(hi->valuedouble <= MAX_FACTOR) || !(lo->valuedouble >= 1) ||
		    !(hi->valuedouble >= lo->valuedouble))
			return fail_key(c, "magnitude", AT_VALUE, "expected %s, got [%g, %g]",
					mag_what, lo->valuedouble, hi->valuedouble);
		sp->magnitude_lo = lo->valuedouble;
		sp->magnitude_hi = hi->valuedouble;
		if ((rc = get_duration(c, sub, "duration", NULL, 1, &sp->duration)) != 0)
			return rc;
		/* Overlapping spikes multiply: at most 10 in progress on average keeps the product
		 * of magnitudes of up to 1000 finite with certainty for all practical purposes. */
		if (sp->rate_per_day * sp->duration / 86400.0 > 10)
			return fail_key(c, "duration", AT_VALUE, "expected spikes 10 at a time at most "
					"on average (rate_per_day x duration <= 10 days), got %g a day "
					"lasting %g s each", sp->rate_per_day, sp->duration);
		pop(c);
	}

	/* Shares per region: equal when not given; regions not listed receive none. Peaks: the
	 * daily sine's unless a region has its own. */
	if (!(t->region_share = calloc(sc->nregions, sizeof *t->region_share)) ||
	    !(t->region_peak_hour = calloc(sc->nregions, sizeof *t->region_peak_hour)))
		return CAPSIM_ENOMEM;
	t->nregions = sc->nregions;
	for (size_t r = 0; r < sc->nregions; r++)
		t->region_peak_hour[r] = t->daily_peak_hour;
	if ((rc = get_object(c, o, "regions", 0, &sub)) != 0)
		return rc;
	if (!sub) {
		for (size_t r = 0; r < sc->nregions; r++)
			t->region_share[r] = 1.0 / (double)sc->nregions;
	} else {
		const cJSON *m;
		double sum = 0;
		push_key(c, "regions");
		if ((rc = check_duplicates(c, sub)) != 0)
			return rc;
		if (!sub->child)
			return expected(c, NULL, sub, "an object of \"region\": share");
		for (m = sub->child; m; m = m->next) {
			size_t r;
			if (is_comment(m->string))
				continue;
			push_key(c, m->string);
			if ((rc = region_named(c, m->string, AT_KEY, &r)) != 0)
				return rc;
			if (cJSON_IsObject(m)) {
				/* { "share": s, "peak_hour": h }: the region's users peak at their own
				 * hour of the daily sine. */
				if ((rc = check_keys(c, m, region_keys)) != 0 ||
				    (rc = get_number(c, m, "share", REQUIRED, 0, 1, 1, 0,
						     "a share in (0,1]", &t->region_share[r])) != 0)
					return rc;
				if (cJSON_HasObjectItem(m, "peak_hour")) {
					if (!has_daily)
						return fail_key(c, "peak_hour", AT_KEY, "only allowed with "
								"traffic.daily (it moves the daily "
								"sine's peak)");
					if ((rc = get_number(c, m, "peak_hour", REQUIRED, 0, 0, 24, 1,
							     "an hour of the day in [0,24)",
							     &t->region_peak_hour[r])) != 0)
						return rc;
					if (t->region_peak_hour[r] != t->daily_peak_hour)
						t->region_peaks = 1;
				}
			} else if (!cJSON_IsNumber(m) || !(m->valuedouble > 0 && m->valuedouble <= 1)) {
				return expected(c, NULL, m, "a share in (0,1] or an object "
						"{ \"share\": ..., \"peak_hour\": ... }");
			} else {
				t->region_share[r] = m->valuedouble;
			}
			sum += t->region_share[r];
			pop(c);
		}
		if (fabs(sum - 1) > 1e-9)
			return fail(c, AT_VALUE, "expected shares summing to 1 (within 1e-9), got a "
				    "sum of %.12g", sum);
		pop(c);
	}
	pop(c);
	return 0;
}

/* ---- tiers ---- */

static int parse_hhmm(const char *s, double *at)
{
	if (strlen(s) != 5 || s[2] != ':')
		return -1;
	for (int k = 0; k < 5; k++)
		if (k != 2 && (s[k] < '0' || s[k] > '9'))
			return -1;
	int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
	if (h > 23 || m > 59)
		return -1;
	*at = h * 3600.0 + m * 60.0;
	return 0;
}

static int load_target_tracking(struct ctx *c, const cJSON *o, struct scenario_target_tracking *tt)
{
	static const char *const keys[] = { "target", "tolerance", "scale_out_cooldown",
		"scale_in_cooldown", "stabilization_window", "warmup", "metric_period",
		"metric_delay", "max_scale_out_step", NULL };
	int rc;
	if ((rc = check_keys(c, o, keys)) != 0 ||
	    (rc = get_number(c, o, "target", REQUIRED, 0, 1, 1, 0,
			     "a number in (0,1]", &tt->target)) != 0 ||
	    (rc = get_number(c, o, "tolerance", 0.1, 0, 0, 1, 1, "a number in [0,1)",
			     &tt->tolerance)) != 0 ||
	    (rc = get_duration(c, o, "scale_out_cooldown", "60s", 0, &tt->scale_out_cooldown)) ||
	    (rc = get_duration(c, o, "scale_in_cooldown", "300s", 0, &tt->scale_in_cooldown)) ||
	    (rc = get_duration(c, o, "stabilization_window", "300s", 0,
			       &tt->stabilization_window)) ||
	    (rc = get_duration(c, o, "warmup", "60s", 0, &tt->warmup)) ||
	    (rc = get_duration(c, o, "metric_period", "60s", 1, &tt->metric_period)) ||
	    (rc = get_duration(c, o, "metric_delay", "60s", 0, &tt->metric_delay)) ||
	    (rc = get_int_i(c, o, "max_scale_out_step", 1, 0, 1, MAX_INSTANCES,
			    "a whole number >= 1", &tt->max_scale_out_step)))
		return rc;
	return 0;
}

static int load_step_scaling(struct ctx *c, const cJSON *o, struct scenario_step_scaling *ss)
{
	static const char *const keys[] = { "adjustments", "cooldown", NULL };
	static const char *const adj_keys[] = { "lower", "upper", "change", NULL };
	const cJSON *arr, *a;
	int rc;
	if ((rc = check_keys(c, o, keys)) != 0 || (rc = get_array(c, o, "adjustments", 1, &arr)) ||
	    (rc = get_duration(c, o, "cooldown", "300s", 0, &ss->cooldown)))
		return rc;
	size_t n = (size_t)cJSON_GetArraySize(arr), i = 0;
	if (!(ss->adjustments = calloc(n, sizeof *ss->adjustments)))
		return CAPSIM_ENOMEM;
	push_key(c, "adjustments");
	cJSON_ArrayForEach(a, arr) {
		struct scenario_step_adjustment *adj = &ss->adjustments[i];
		if ((rc = array_object(c, a, i, adj_keys, &ss->n)) != 0 ||
		    (rc = get_number(c, a, "lower", REQUIRED, 0, 0, INFINITY, 1,
				     "a utilisation >= 0", &adj->lower)) ||
		    (rc = get_number(c, a, "upper", INFINITY, adj->lower, 1, INFINITY, 1,
				     "a utilisation above lower (absent: no upper bound)",
				     &adj->upper)) ||
		    (rc = get_int_i(c, a, "change", 0, 0, -MAX_INSTANCES, MAX_INSTANCES,
				    "a whole number of instances (negative removes)", &adj->change)))
			return rc;
		if (i > 0 && isinf(ss->adjustments[i - 1].upper))
			return fail(c, AT_VALUE, "follows an adjustment without an upper bound; only "
				    "the last may leave upper out");
		if (i > 0 && adj->lower < ss->adjustments[i - 1].upper)
			return fail_key(c, "lower", AT_VALUE, "expected a lower bound >= %.15g (the "
					"previous adjustment's upper; bands are sorted and do not "
					"overlap), got %.15g", ss->adjustments[i - 1].upper,
					adj->lower);
		pop(c);
		i++;
	}
	pop(c);
	return 0;
}

static int load_scheduled(struct ctx *c, const cJSON *arr, struct scenario_autoscaling *as)
{
	static const char *const keys[] = { "at", "days", "min", "max", "desired", NULL };
	static const char *const day_names[] = { "mon", "tue", "wed", "thu", "fri", "sat", "sun" };
	static const char count_what[] = "a whole number of instances >= 0";
	const cJSON *s;
	int rc;
	size_t n = (size_t)cJSON_GetArraySize(arr), i = 0;
	if (!(as->scheduled = calloc(n, sizeof *as->scheduled)))
		return CAPSIM_ENOMEM;
	cJSON_ArrayForEach(s, arr) {
		struct scenario_scheduled *a = &as->scheduled[i];
		const cJSON *at, *days, *d;
		if ((rc = array_object(c, s, i, keys, &as->nscheduled)) != 0)
			return rc;
		at = cJSON_GetObjectItemCaseSensitive(s, "at");
		if (!cJSON_IsString(at) || parse_hhmm(at->valuestring, &a->at) != 0)
			return expected(c, "at", at, "a time of day \"HH:MM\" (UTC, 00:00 to 23:59)");
		a->days = SCENARIO_ALL_DAYS;
		if ((rc = get_array(c, s, "days", 0, &days)) != 0)
			return rc;
		if (days) {
			size_t k = 0;
			a->days = 0;
			push_key(c, "days");
			cJSON_ArrayForEach(d, days) {
				unsigned bit = 0;
				push_index(c, k);
				for (unsigned j = 0; j < 7 && cJSON_IsString(d); j++)
					if (strcmp(d->valuestring, day_names[j]) == 0)
						bit = 1u << j;
				if (!bit) {
					if (!cJSON_IsString(d))
						return expected(c, NULL, d, "a day: \"mon\" ... \"sun\"");
					char text[200];
					snprintf(text, sizeof text, "expected a day: \"mon\" ... \"sun\", "
						 "got \"%.*s\"", cut(d->valuestring, 40),
						 d->valuestring);
					hint(text, sizeof text, d->valuestring, day_names, 7, "days are");
					return fail(c, AT_VALUE, "%s", text);
				}
				if (a->days & bit)
					return fail(c, AT_VALUE, "duplicate day \"%s\"", d->valuestring);
				a->days |= bit;
				pop(c);
				k++;
			}
			pop(c);
		}
		if ((rc = get_int_i(c, s, "min", 1, -1, 0, MAX_INSTANCES, count_what, &a->min)) ||
		    (rc = get_int_i(c, s, "max", 1, -1, 0, MAX_INSTANCES, count_what, &a->max)) ||
		    (rc = get_int_i(c, s, "desired", 1, -1, 0, MAX_INSTANCES, count_what,
				    &a->desired)))
			return rc;
		if (a->min < 0 && a->max < 0 && a->desired < 0)
			return fail(c, AT_VALUE, "expected at least one of min, max, desired, got none");
		if (a->min >= 0 && a->max >= 0 && a->min > a->max)
			return fail_key(c, "max", AT_VALUE, "expected max >= min (%d), got %d", a->min,
					a->max);
		if (a->desired >= 0 && ((a->min >= 0 && a->desired < a->min) ||
					(a->max >= 0 && a->desired > a->max)))
			return fail_key(c, "desired", AT_VALUE, "expected desired within this "
					"action's min and max, got %d", a->desired);
		pop(c);
		i++;
	}
	return 0;
}

static int load_autoscaling(struct ctx *c, const cJSON *tier, struct scenario_tier *t)
{
	static const char *const keys[] = { "min", "max", "desired", "target_tracking",
		"step_scaling", "scheduled", "predictive", NULL };
	static const char *const pred_keys[] = { "lookback", "lead", NULL };
	struct scenario_autoscaling *as = &t->autoscaling;
	const cJSON *o, *sub;
	char what[96];
	int rc;
	if ((rc = get_object(c, tier, "autoscaling", 1, &o)) != 0)
		return rc;
	push_key(c, "autoscaling");
	if ((rc = check_keys(c, o, keys)) != 0 ||
	    (rc = get_int_i(c, o, "min", 0, 0, 0, MAX_INSTANCES,
			    "a whole number of instances >= 0", &as->min)))
		return rc;
	snprintf(what, sizeof what, "a whole number of instances >= %d (min, and at least 1)",
		 as->min > 1 ? as->min : 1);
	if ((rc = get_int_i(c, o, "max", 0, 0, as->min > 1 ? as->min : 1, MAX_INSTANCES, what,
			    &as->max)))
		return rc;
	snprintf(what, sizeof what, "a whole number of instances in [%d,%d] (min to max)",
		 as->min, as->max);
	if ((rc = get_int_i(c, o, "desired", 1, as->min, as->min, as->max, what, &as->desired)))
		return rc;
	if ((rc = get_object(c, o, "target_tracking", 0, &sub)) != 0)
		return rc;
	if (sub) {
		as->has_target_tracking = 1;
		push_key(c, "target_tracking");
		if ((rc = load_target_tracking(c, sub, &as->target_tracking)) != 0)
			return rc;
		pop(c);
	}
	if ((rc = get_object(c, o, "step_scaling", 0, &sub)) != 0)
		return rc;
	if (sub) {
		as->has_step_scaling = 1;
		push_key(c, "step_scaling");
		if ((rc = load_step_scaling(c, sub, &as->step_scaling)) != 0)
			return rc;
		pop(c);
	}
	if ((rc = get_array(c, o, "scheduled", 0, &sub)) != 0)
		return rc;
	if (sub) {
		push_key(c, "scheduled");
		if ((rc = load_scheduled(c, sub, as)) != 0)
			return rc;
		pop(c);
	}
	if ((rc = get_object(c, o, "predictive", 0, &sub)) != 0)
		return rc;
	if (sub) {
		as->has_predictive = 1;
		push_key(c, "predictive");
		if ((rc = check_keys(c, sub, pred_keys)) != 0 ||
		    (rc = get_duration(c, sub, "lookback", "7d", 1, &as->predictive.lookback)))
			return rc;
		/* A seasonal forecast needs at least one whole daily cycle of history. */
		if (as->predictive.lookback < 86400)
			return expected(c, "lookback", cJSON_GetObjectItemCaseSensitive(sub, "lookback"),
					"a duration of at least one day (\"1d\")");
		as->predictive.lead = t->boot_p95;
		if (cJSON_HasObjectItem(sub, "lead") &&
		    (rc = get_duration(c, sub, "lead", NULL, 0, &as->predictive.lead)))
			return rc;
		pop(c);
	}
	/* Target tracking and step scaling measure the instances in service: a pool that
	 * starts with none gets one only from a scheduled action or predictive scaling. */
	if (as->desired == 0 && !as->has_predictive) {
		int raised = 0;
		for (size_t i = 0; i < as->nscheduled; i++)
			raised |= as->scheduled[i].min > 0 || as->scheduled[i].desired > 0;
		if (!raised) {
			const char *key = cJSON_HasObjectItem(o, "desired") ? "desired" : "min";
			return expected(c, key, cJSON_GetObjectItemCaseSensitive(o, key),
					"at least 1 instance at the start, or a scheduled action or "
					"predictive scaling to add one (with none in service, target "
					"tracking and step scaling have nothing to measure, and the "
					"tier would never run)");
		}
	}
	pop(c);
	return 0;
}

static int load_placement(struct ctx *c, const cJSON *tier, struct scenario_tier *t)
{
	static const char *const keys[] = { "regions", "zones", NULL };
	struct scenario *sc = c->sc;
	const cJSON *o, *arr = NULL, *r;
	int rc, zones = 0;
	if ((rc = get_object(c, tier, "placement", 0, &o)) != 0)
		return rc;
	if (o) {
		push_key(c, "placement");
		if ((rc = check_keys(c, o, keys)) != 0 || (rc = get_array(c, o, "regions", 0, &arr)))
			return rc;
	}
	size_t n = arr ? (size_t)cJSON_GetArraySize(arr) : sc->nregions;
	if (!(t->placement = calloc(n, sizeof *t->placement)))
		return CAPSIM_ENOMEM;
	t->nplacement = n;
	if (!arr) {
		for (size_t i = 0; i < n; i++)
			t->placement[i].region = i;
	} else {
		size_t i = 0;
		push_key(c, "regions");
		cJSON_ArrayForEach(r, arr) {
			push_index(c, i);
			if ((rc = region_ref(c, r, &t->placement[i].region)) != 0)
				return rc;
			for (size_t j = 0; j < i; j++)
				if (t->placement[j].region == t->placement[i].region)
					return fail(c, AT_VALUE, "duplicate region \"%s\"",
						    r->valuestring);
			pop(c);
			i++;
		}
		pop(c);
	}
	/* zones is one count for every placed region, so it may not exceed the smallest. */
	int zmin = MAX_INSTANCES;
	for (size_t i = 0; i < n; i++)
		if ((int)sc->regions[t->placement[i].region].nzones < zmin)
			zmin = (int)sc->regions[t->placement[i].region].nzones;
	if (o && cJSON_HasObjectItem(o, "zones")) {
		char what[96];
		snprintf(what, sizeof what, "a whole number of zones in [1,%d] (the fewest zones "
			 "of the placed regions)", zmin);
		if ((rc = get_int_i(c, o, "zones", 0, 0, 1, zmin, what, &zones)) != 0)
			return rc;
	}
	for (size_t i = 0; i < n; i++)
		t->placement[i].zones = zones ? zones
					      : (int)sc->regions[t->placement[i].region].nzones;
	if (o)
		pop(c);
	return 0;
}

/* Spot capacity of type k in every region the tier is placed in needs a discount and an
 * interruption bucket: declared, else the catalog's (read now if it is not yet). */
static int check_spot_data(struct ctx *c, const struct scenario_tier *t, size_t k)
{
	struct scenario *sc = c->sc;
	char why[256] = "";
	int rc;
	for (size_t i = 0; i < t->nplacement; i++) {
		size_t r = t->placement[i].region;
		const struct scenario_price *p = &sc->instance_types[k].price[r];
		if (p->spot_discount >= 0 && p->spot_bucket >= 0)
			continue;
		const char *name = sc->instance_types[k].name;
		const char *missing = p->spot_discount < 0 && p->spot_bucket < 0
					      ? "spot_discount and spot_interruption"
				      : p->spot_discount < 0 ? "spot_discount" : "spot_interruption";
		if ((rc = open_catalog(c, why, sizeof why)) == CAPSIM_EIO)
			return fail(c, AT_VALUE, "instance type \"%s\" has no declared %s, and the "
				    "price catalog \"%.*s\" that would give them cannot be read: "
				    "%s", name, missing, cut(catalog_path(c), 200),
				    catalog_path(c), why);
		if (rc)
			return rc;
		p = &sc->instance_types[k].price[r];
		if (p->spot_discount >= 0 && p->spot_bucket >= 0)
			continue;
		return fail(c, AT_VALUE, "instance type \"%s\" lacks %s for %s, which spot capacity "
			    "needs: declare %s in its instance_types entry (the catalog has no row "
			    "for \"%s\" in %s)", name, missing, sc->regions[r].name,
			    strchr(missing, ' ') ? "them" : "it", name, sc->regions[r].name);
	}
	return 0;
}

/* The spot types at key "spot_types" of o, when given, for tier t: a non-empty array of
 * unique instance types (type_ref), each with spot data in every placed region (which may
 * read the catalog). Into *types (calloc'd, owned by the caller even on failure) and *n. */
static int get_spot_types(struct ctx *c, const cJSON *o, const struct scenario_tier *t,
			  size_t **types, size_t *n)
{
	const cJSON *arr, *v;
	int rc;
	if ((rc = get_array(c, o, "spot_types", 0, &arr)) != 0 || !arr)
		return rc;
	size_t i = 0;
	if (!(*types = calloc((size_t)cJSON_GetArraySize(arr), sizeof **types)))
		return CAPSIM_ENOMEM;
	push_key(c, "spot_types");
	cJSON_ArrayForEach(v, arr) {
		size_t k;
		push_index(c, i);
		if ((rc = type_ref(c, v, t->placement, t->nplacement, &k)) != 0)
			return rc;
		for (size_t j = 0; j < i; j++)
			if ((*types)[j] == k)
				return fail(c, AT_VALUE, "duplicate instance type \"%s\"; "
					    "spot_types[%zu] has it already", v->valuestring, j);
		(*types)[i] = k;
		*n = i + 1;
		if ((rc = check_spot_data(c, t, k)) != 0)
			return rc;
		pop(c);
		i++;
	}
	pop(c);
	return 0;
}

static int load_purchase(struct ctx *c, const cJSON *tier, struct scenario_tier *t)
{
	static const char *const keys[] = { "on_demand_base", "on_demand_percentage_above_base",
		"spot_types", "allocation_strategy", "capacity_rebalance", "fallback_to_on_demand",
		"fallback_delay", "reclaims", "spot_price_volatility", NULL };
	static const char *const reclaim_keys[] = { "rate_per_month", "fraction", "unavailable",
						    NULL };
	/* Indexed by enum scenario_alloc. */
	static const char *const strategies[] = { "lowest-price", "capacity-optimized",
						  "price-capacity-optimized" };
	static const char fraction_what[] = "[lo, hi] with 0 < lo <= hi <= 1 (shares of the "
					    "pool's spot instances)";
	struct scenario_purchase *p = &t->purchase;
	const cJSON *o, *v, *sub;
	double pct;
	int rc;
	/* Without a purchase object every instance is on demand. */
	p->on_demand_above_base = 1;
	p->allocation = SCENARIO_ALLOC_PRICE_CAPACITY_OPTIMIZED;
	p->fallback_on_demand = 1;
	if ((rc = get_object(c, tier, "purchase", 0, &o)) != 0 || !o)
		return rc;
	t->has_purchase = 1;
	push_key(c, "purchase");
	if ((rc = check_keys(c, o, keys)) != 0 ||
	    (rc = get_int_i(c, o, "on_demand_base", 1, 0, 0, MAX_INSTANCES,
			    "a whole number of instances >= 0", &p->on_demand_base)) != 0 ||
	    (rc = get_number(c, o, "on_demand_percentage_above_base", 100, 0, 0, 100, 0,
			     "a percentage in [0,100]", &pct)) != 0)
		return rc;
	p->on_demand_above_base = pct / 100;
	if (pct < 100 && !cJSON_HasObjectItem(o, "spot_types"))
		return expected(c, "spot_types", NULL, "a non-empty array of instance types for spot "
				"capacity (required when on_demand_percentage_above_base is below "
				"100)");
	if ((rc = get_spot_types(c, o, t, &p->spot_types, &p->nspot_types)) != 0)
		return rc;
	if ((rc = get_enum(c, o, "allocation_strategy", strategies, 3, 0,
			   SCENARIO_ALLOC_PRICE_CAPACITY_OPTIMIZED, 1, &p->allocation)) != 0 ||
	    (rc = get_bool(c, o, "capacity_rebalance", 0, &p->capacity_rebalance)) != 0 ||
	    (rc = get_bool(c, o, "fallback_to_on_demand", 1, &p->fallback_on_demand)) != 0 ||
	    (rc = get_duration(c, o, "fallback_delay", "0s", 0, &p->fallback_delay)) != 0 ||
	    (rc = get_number(c, o, "spot_price_volatility", 0, 0, 0, INFINITY, 1,
			     "a number >= 0 (0: a constant spot price)",
			     &p->spot_price_volatility)) != 0 ||
	    (rc = get_object(c, o, "reclaims", 0, &sub)) != 0)
		return rc;
	if (sub) {
		struct scenario_reclaims *rec = &p->reclaims;
		push_key(c, "reclaims");
		if ((rc = check_keys(c, sub, reclaim_keys)) != 0 ||
		    (rc = get_number(c, sub, "rate_per_month", REQUIRED, 0, 0, INFINITY, 1,
				     "a number of reclaims per month >= 0", &rec->rate_per_month)))
			return rc;
		v = cJSON_GetObjectItemCaseSensitive(sub, "fraction");
		if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) != 2)
			return expected(c, "fraction", v, fraction_what);
		const cJSON *lo = cJSON_GetArrayItem(v, 0), *hi = cJSON_GetArrayItem(v, 1);
		if (!cJSON_IsNumber(lo) || !cJSON_IsNumber(hi))
			return expected(c, "fraction", v, fraction_what);
		if (!(lo->valuedouble > 0) || !(hi->valuedouble >= lo->valuedouble) ||
		    !(hi->valuedouble <= 1))
			return fail_key(c, "fraction", AT_VALUE, "expected %s, got [%g, %g]",
					fraction_what, lo->valuedouble, hi->valuedouble);
		rec->fraction_lo = lo->valuedouble;
		rec->fraction_hi = hi->valuedouble;
		if ((rc = get_duration(c, sub, "unavailable", NULL, 1, &rec->unavailable)) != 0)
			return rc;
		pop(c);
	}
	pop(c);
	return 0;
}

static int load_tier(struct ctx *c, const cJSON *o, struct scenario_tier *t)
{
	static const char *const boot_keys[] = { "median", "p95", NULL };
	struct scenario *sc = c->sc;
	const cJSON *v, *boot;
	int rc;
	/* name and check_keys ran in the first pass over the tiers. The instance type is
	 * resolved after the placement: a catalog type must have a price in every placed
	 * region. */
	if (!cJSON_HasObjectItem(o, "instance_type"))
		return expected(c, "instance_type", NULL, "the name of an instance type (declared "
				"in instance_types or in the catalog)");

	if ((rc = exactly_one(c, o, "service_time", "capacity_rps",
			      "service_time (with concurrency) or capacity_rps")) != 0)
		return rc;
	t->has_service_time = cJSON_HasObjectItem(o, "service_time");
	if (t->has_service_time) {
		if ((rc = get_duration(c, o, "service_time", NULL, 1, &t->service_time)) ||
		    (rc = get_int_i(c, o, "concurrency", 1, 1, 1, MAX_INSTANCES,
				    "a whole number >= 1", &t->concurrency)))
			return rc;
		t->capacity_rps = t->concurrency / t->service_time;
	} else {
		if (cJSON_HasObjectItem(o, "concurrency"))
			return fail_key(c, "concurrency", AT_KEY, "only allowed with service_time "
					"(capacity_rps already is the capacity of one instance)");
		if ((rc = get_number(c, o, "capacity_rps", REQUIRED, 0, 1, MAX_RATE, 0,
				     "a rate in requests/s in (0, 1e10]", &t->capacity_rps)) != 0)
			return rc;
		t->concurrency = 1;
	}
	if ((rc = get_number(c, o, "visits", 1, 0, 1, INFINITY, 1, "a number > 0",
			     &t->visits)) != 0 ||
	    (rc = get_number(c, o, "request_kb", 0, 0, 0, INFINITY, 1, "a size in KB >= 0",
			     &t->request_kb)) != 0 ||
	    (rc = get_number(c, o, "response_kb", 0, 0, 0, INFINITY, 1, "a size in KB >= 0",
			     &t->response_kb)) != 0)
		return rc;
	t->calls = -1;
	v = cJSON_GetObjectItemCaseSensitive(o, "calls");
	if (v) {
		if (!cJSON_IsString(v))
			return expected(c, "calls", v, "the name of another tier");
		t->calls = scenario_find_tier(sc, v->valuestring);
		if (t->calls < 0) {
			const char **names = malloc(sc->ntiers * sizeof *names);
			char text[400];
			if (!names)
				return CAPSIM_ENOMEM;
			for (size_t j = 0; j < sc->ntiers; j++)
				names[j] = sc->tiers[j].name;
			snprintf(text, sizeof text, "unknown tier \"%.*s\"",
				 cut(v->valuestring, 60), v->valuestring);
			hint(text, sizeof text, v->valuestring, names, sc->ntiers, "tiers are");
			free(names);
			return fail_key(c, "calls", AT_VALUE, "%s", text);
		}
		if (&sc->tiers[t->calls] == t)
			return fail_key(c, "calls", AT_VALUE, "a tier cannot call itself");
	}
	if ((rc = load_placement(c, o, t)) != 0)
		return rc;
	push_key(c, "instance_type");
	rc = type_ref(c, cJSON_GetObjectItemCaseSensitive(o, "instance_type"), t->placement,
		      t->nplacement, &t->instance_type);
	if (rc)
		return rc;
	pop(c);
	if ((rc = get_object(c, o, "boot_time", 0, &boot)) != 0)
		return rc;
	t->boot_median = 60;
	t->boot_p95 = 120;
	if (boot) {
		push_key(c, "boot_time");
		if ((rc = check_keys(c, boot, boot_keys)) != 0 ||
		    (rc = get_duration(c, boot, "median", "60s", 1, &t->boot_median)))
			return rc;
		/* Without p95 the default keeps the default shape: p95 = 2 x median. */
		t->boot_p95 = 2 * t->boot_median;
		if (cJSON_HasObjectItem(boot, "p95")) {
			if ((rc = get_duration(c, boot, "p95", NULL, 1, &t->boot_p95)) != 0)
				return rc;
			if (t->boot_p95 < t->boot_median)
				return expected(c, "p95", cJSON_GetObjectItemCaseSensitive(boot, "p95"),
						"a p95 at least the median");
		}
		pop(c);
	}
	if ((rc = get_duration(c, o, "timeout", "30s", 1, &t->timeout)) != 0 ||
	    (rc = load_autoscaling(c, o, t)) != 0 || (rc = load_purchase(c, o, t)) != 0)
		return rc;
	return 0;
}

static int load_tiers(struct ctx *c, const cJSON *root)
{
	static const char *const keys[] = { "name", "instance_type", "service_time", "concurrency",
		"capacity_rps", "visits", "request_kb", "response_kb", "calls", "placement",
		"boot_time", "timeout", "autoscaling", "purchase", NULL };
	struct scenario *sc = c->sc;
	const cJSON *arr, *it;
	int rc;
	if ((rc = get_array(c, root, "tiers", 1, &arr)) != 0)
		return rc;
	size_t n = (size_t)cJSON_GetArraySize(arr), i = 0;
	if (!(sc->tiers = calloc(n, sizeof *sc->tiers)))
		return CAPSIM_ENOMEM;
	push_key(c, "tiers");
	/* First pass: keys and names, so that `calls` may name a tier declared further down. */
	cJSON_ArrayForEach(it, arr) {
		if ((rc = array_object(c, it, i, keys, &sc->ntiers)) != 0 ||
		    (rc = get_name(c, it, "name", &sc->tiers[i].name)) != 0)
			return rc;
		for (size_t j = 0; j < i; j++)
			if (strcmp(sc->tiers[j].name, sc->tiers[i].name) == 0)
				return fail_key(c, "name", AT_VALUE, "duplicate tier name \"%s\"; "
						"tiers[%zu] has it already", sc->tiers[i].name, j);
		pop(c);
		i++;
	}
	i = 0;
	cJSON_ArrayForEach(it, arr) {
		push_index(c, i);
		if ((rc = load_tier(c, it, &sc->tiers[i])) != 0)
			return rc;
		pop(c);
		i++;
	}

	/* The chain: tiers[0] receives the users' requests and each tier calls at most one
	 * next tier, so the tiers must form one path from tiers[0] with no cycle. */
	unsigned char *seen = calloc(n, 1);
	if (!seen)
		return CAPSIM_ENOMEM;
	long k = 0, prev = -1;
	while (k >= 0 && !seen[k]) {
		seen[k] = 1;
		prev = k;
		k = sc->tiers[k].calls;
	}
	if (k >= 0) {
		free(seen);
		push_index(c, (size_t)prev);
		return fail_key(c, "calls", AT_VALUE, "calls \"%s\", which is earlier on the chain "
				"from tiers[0]: the chain has a cycle", sc->tiers[k].name);
	}
	for (size_t j = 0; j < n; j++)
		if (!seen[j]) {
			free(seen);
			push_index(c, j);
			return fail_key(c, "name", AT_VALUE, "tier \"%s\" is not reachable from "
					"tiers[0] (\"%s\") through calls", sc->tiers[j].name,
					sc->tiers[0].name);
		}
	free(seen);
	pop(c);
	return 0;
}

/* ---- reservations and savings plans ---- */

/* Indexed by enum catalog_term, enum catalog_payment and enum catalog_plan. */
static const char *const term_names[CATALOG_NTERMS] = { "1y", "3y" };
static const char *const payment_names[CATALOG_NPAYMENTS] = { "no_upfront", "partial_upfront",
							      "all_upfront" };
static const char *const plan_names[CATALOG_NPLANS] = { "compute", "instance_family" };

static int load_reservations(struct ctx *c, const cJSON *root)
{
	static const char *const keys[] = { "instance_type", "region", "count", "term", "payment",
					    NULL };
	struct scenario *sc = c->sc;
	const cJSON *arr, *it;
	char why[256] = "", text[512];
	int rc;
	if ((rc = get_array(c, root, "reservations", 0, &arr)) != 0 || !arr)
		return rc;
	size_t n = (size_t)cJSON_GetArraySize(arr), i = 0;
	if (!(sc->reservations = calloc(n, sizeof *sc->reservations)))
		return CAPSIM_ENOMEM;
	push_key(c, "reservations");
	cJSON_ArrayForEach(it, arr) {
		struct scenario_reservation *r = &sc->reservations[i];
		const cJSON *v;
		if ((rc = array_object(c, it, i, keys, &sc->nreservations)) != 0)
			return rc;
		/* The region first: a catalog type must have a row in it. */
		if (!(v = cJSON_GetObjectItemCaseSensitive(it, "region")))
			return expected(c, "region", v, "the name of a declared region");
		push_key(c, "region");
		if ((rc = region_ref(c, v, &r->region)) != 0)
			return rc;
		pop(c);
		if (!(v = cJSON_GetObjectItemCaseSensitive(it, "instance_type")))
			return expected(c, "instance_type", v, "the name of an instance type the "
					"catalog has in the reservation's region");
		push_key(c, "instance_type");
		struct scenario_placement pl = { .region = r->region, .zones = 1 };
		if ((rc = type_ref(c, v, &pl, 1, &r->instance_type)) != 0)
			return rc;
		/* Reserved-instance prices exist in the catalog only, so even a declared type
		 * needs its row there. */
		const char *region = sc->regions[r->region].name;
		if ((rc = open_catalog(c, why, sizeof why)) == CAPSIM_EIO)
			return fail(c, AT_VALUE, "reserved-instance prices come from the price catalog "
				    "\"%.*s\", which cannot be read: %s",
				    cut(catalog_path(c), 200), catalog_path(c), why);
		if (rc)
			return rc;
		if (!sc->instance_types[r->instance_type].price[r->region].cat) {
			snprintf(text, sizeof text, "expected an instance type the catalog has in %s "
				 "(reserved-instance prices come from the catalog only), got "
				 "\"%.*s\"", region, cut(v->valuestring, 60), v->valuestring);
			size_t w = strlen(text), m = 0;
			const char **names = malloc((sc->catalog.n + 1) * sizeof *names);
			if (!names)
				return CAPSIM_ENOMEM;
			for (size_t j = 0; j < sc->catalog.n; j++)
				if (strcmp(sc->catalog.e[j].region, region) == 0)
					names[m++] = sc->catalog.e[j].type;
			const char *best = closest(v->valuestring, names, m);
			if (best)
				snprintf(text + w, sizeof text - w, "; did you mean \"%s\"?", best);
			free(names);
			return fail(c, AT_VALUE, "%s", text);
		}
		pop(c);
		if ((rc = get_int_i(c, it, "count", 0, 0, 1, MAX_INSTANCES,
				    "a whole number of instances >= 1", &r->count)) != 0 ||
		    (rc = get_enum(c, it, "term", term_names, CATALOG_NTERMS, 1, 0, 0, &r->term)) != 0 ||
		    (rc = get_enum(c, it, "payment", payment_names, CATALOG_NPAYMENTS, 1, 0, 1,
				   &r->payment)) != 0)
			return rc;
		pop(c);
		i++;
	}
	pop(c);
	return 0;
}

/* The families of the instance types the tiers use (on demand or spot), each once, as
 * borrowed pointers in a malloc'd array. */
static const char **used_families(const struct scenario *sc, size_t *n)
{
	size_t cap = sc->ntiers, m = 0;
	for (size_t i = 0; i < sc->ntiers; i++)
		cap += sc->tiers[i].purchase.nspot_types;
	const char **names = malloc((cap + 1) * sizeof *names);
	if (!names)
		return NULL;
	for (size_t i = 0; i < sc->ntiers; i++) {
		const struct scenario_tier *t = &sc->tiers[i];
		for (size_t j = 0; j <= t->purchase.nspot_types; j++) {
			size_t k = j == 0 ? t->instance_type : t->purchase.spot_types[j - 1];
			const char *f = sc->instance_types[k].family;
			size_t q = 0;
			while (q < m && strcmp(names[q], f) != 0)
				q++;
			if (q == m)
				names[m++] = f;
		}
	}
	*n = m;
	return names;
}

static int load_savings_plans(struct ctx *c, const cJSON *root)
{
	static const char *const keys[] = { "type", "family", "region", "commitment_hourly",
					    "term", NULL };
	struct scenario *sc = c->sc;
	const cJSON *arr, *it;
	char why[256] = "";
	int rc;
	if ((rc = get_array(c, root, "savings_plans", 0, &arr)) != 0 || !arr)
		return rc;
	size_t n = (size_t)cJSON_GetArraySize(arr), i = 0;
	if (!(sc->savings_plans = calloc(n, sizeof *sc->savings_plans)))
		return CAPSIM_ENOMEM;
	push_key(c, "savings_plans");
	cJSON_ArrayForEach(it, arr) {
		struct scenario_savings_plan *sp = &sc->savings_plans[i];
		const cJSON *v;
		push_index(c, i);
		if (!cJSON_IsObject(it))
			return expected(c, NULL, it, "an object");
		sc->nsavings_plans = i + 1;
		sp->region = -1;
		if (cJSON_HasObjectItem(it, "payment"))
			return fail_key(c, "payment", AT_KEY, "savings plans are no upfront only (the "
					"catalog holds no-upfront savings-plan rates); remove payment");
		if ((rc = check_keys(c, it, keys)) != 0 ||
		    (rc = get_enum(c, it, "type", plan_names, CATALOG_NPLANS, 1, 0, 1, &sp->kind)))
			return rc;
		if (sp->kind == CATALOG_SP_COMPUTE) {
			static const char *const only[] = { "family", "region" };
			for (size_t k = 0; k < 2; k++)
				if (cJSON_HasObjectItem(it, only[k]))
					return fail_key(c, only[k], AT_KEY, "only for instance_family "
							"plans (a compute plan applies to every "
							"family and region)");
		} else {
			size_t nf = 0, k = 0;
			v = cJSON_GetObjectItemCaseSensitive(it, "family");
			if (!cJSON_IsString(v))
				return expected(c, "family", v, "the family of an instance type a tier "
						"uses, such as \"m6i\"");
			const char **fams = used_families(sc, &nf);
			if (!fams)
				return CAPSIM_ENOMEM;
			while (k < nf && strcmp(fams[k], v->valuestring) != 0)
				k++;
			if (k == nf) {
				char text[400];
				snprintf(text, sizeof text, "expected the family of an instance type a "
					 "tier uses, got \"%.*s\"", cut(v->valuestring, 60),
					 v->valuestring);
				hint(text, sizeof text, v->valuestring, fams, nf,
				     "the families in use are");
				free(fams);
				return fail_key(c, "family", AT_VALUE, "%s", text);
			}
			free(fams);
			if (!(sp->family = strdup(v->valuestring)))
				return CAPSIM_ENOMEM;
			size_t r;
			if (!(v = cJSON_GetObjectItemCaseSensitive(it, "region")))
				return expected(c, "region", v, "the name of a declared region (an "
						"instance_family plan covers one region)");
			push_key(c, "region");
			if ((rc = region_ref(c, v, &r)) != 0)
				return rc;
			pop(c);
			sp->region = (long)r;
		}
		if ((rc = get_number(c, it, "commitment_hourly", REQUIRED, 0, 1, INFINITY, 1,
				     "an amount in USD per hour > 0", &sp->commitment_hourly)) != 0 ||
		    (rc = get_enum(c, it, "term", term_names, CATALOG_NTERMS, 1, 0, 0, &sp->term)) != 0)
			return rc;
		/* Savings-plan rates exist in the catalog only. */
		if ((rc = open_catalog(c, why, sizeof why)) == CAPSIM_EIO)
			return fail(c, AT_VALUE, "savings-plan rates come from the price catalog "
				    "\"%.*s\", which cannot be read: %s",
				    cut(catalog_path(c), 200), catalog_path(c), why);
		if (rc)
			return rc;
		pop(c);
		i++;
	}
	pop(c);
	return 0;
}

/* ---- failures ---- */

/* Longest outage target: "zone:" + a region name + "/" + a zone name. */
#define TARGET_MAX (5 + SCENARIO_NAME_MAX + 1 + SCENARIO_NAME_MAX)

static const char TARGET_WHAT[] = "region:NAME or zone:REGION/ZONE";

/* Resolves the outage target text[0..len) ("region:NAME" or "zone:REGION/ZONE", not
 * NUL-terminated) against sc into o->kind, o->region and o->zone. Returns 0; CAPSIM_EPARSE
 * when the text does not have that form (the caller says what was expected); CAPSIM_EINVAL
 * with msg saying which region or zone is unknown, with a hint; CAPSIM_ENOMEM. */
static int resolve_target(const struct scenario *sc, const char *text, size_t len,
			  struct scenario_outage *o, char *msg, size_t msglen)
{
	char buf[TARGET_MAX + 1];
	const char *name;
	int zone;
	if (len > TARGET_MAX)
		return CAPSIM_EPARSE;
	memcpy(buf, text, len);
	buf[len] = '\0';
	if (strncmp(buf, "region:", 7) == 0) {
		zone = 0;
		name = buf + 7;
	} else if (strncmp(buf, "zone:", 5) == 0) {
		zone = 1;
		name = buf + 5;
	} else {
		return CAPSIM_EPARSE;
	}
	/* Names hold no '/', so a zone target has exactly one and a region target none. */
	char *slash = strchr(name, '/');
	if (zone != (slash != NULL))
		return CAPSIM_EPARSE;
	if (slash)
		*slash = '\0';
	if (!valid_name(name) || (slash && !valid_name(slash + 1)))
		return CAPSIM_EPARSE;
	long r = scenario_find_region(sc, name);
	if (r < 0) {
		const char **names = region_names(sc);
		if (!names)
			return CAPSIM_ENOMEM;
		snprintf(msg, msglen, "unknown region \"%s\"", name);
		hint(msg, msglen, name, names, sc->nregions, "declared regions are");
		free(names);
		return CAPSIM_EINVAL;
	}
	const struct scenario_region *reg = &sc->regions[r];
	long z = -1;
	if (zone) {
		const char *zn = slash + 1;
		for (size_t k = 0; k < reg->nzones && z < 0; k++)
			if (strcmp(reg->zones[k], zn) == 0)
				z = (long)k;
		if (z < 0) {
			char kind[160];
			snprintf(kind, sizeof kind, "the zones of %s are", reg->name);
			snprintf(msg, msglen, "unknown zone \"%s\" in region %s", zn, reg->name);
			hint(msg, msglen, zn, (const char *const *)reg->zones, reg->nzones, kind);
			return CAPSIM_EINVAL;
		}
	}
	o->kind = zone ? SCENARIO_OUTAGE_ZONE : SCENARIO_OUTAGE_REGION;
	o->region = (size_t)r;
	o->zone = z;
	return 0;
}

/* zone_outages or region_outages (key) of the failures object f, when given. */
static int load_outage_law(struct ctx *c, const cJSON *f, const char *key, int *has,
			   struct scenario_outage_law *law)
{
	static const char *const keys[] = { "rate_per_year", "duration", NULL };
	static const char *const duration_keys[] = { "median", "p95", NULL };
	const cJSON *o, *d, *p95;
	int rc;
	if ((rc = get_object(c, f, key, 0, &o)) != 0 || !o)
		return rc;
	*has = 1;
	push_key(c, key);
	if ((rc = check_keys(c, o, keys)) != 0 ||
	    (rc = get_number(c, o, "rate_per_year", REQUIRED, 0, 0, INFINITY, 1,
			     "a number of outages per year (365 days) >= 0",
			     &law->rate_per_year)) != 0 ||
	    (rc = get_object(c, o, "duration", 1, &d)) != 0)
		return rc;
	push_key(c, "duration");
	if ((rc = check_keys(c, d, duration_keys)) != 0 ||
	    (rc = get_duration(c, d, "median", NULL, 1, &law->duration_median)) != 0)
		return rc;
	/* As for boot times: without p95 the lognormal keeps p95 = 2 x median. */
	law->duration_p95 = 2 * law->duration_median;
	if ((p95 = cJSON_GetObjectItemCaseSensitive(d, "p95"))) {
		if ((rc = get_duration(c, d, "p95", NULL, 1, &law->duration_p95)) != 0)
			return rc;
		if (law->duration_p95 < law->duration_median) {
			char what[96], med[32];
			snprintf(what, sizeof what, "a p95 at least the median (%s)",
				 units_format_duration(law->duration_median, med, sizeof med));
			return expected(c, "p95", p95, what);
		}
	}
	pop(c);
	pop(c);
	return 0;
}

static int load_scripted(struct ctx *c, const cJSON *arr)
{
	static const char *const keys[] = { "target", "at", "duration", NULL };
	struct scenario *sc = c->sc;
	struct scenario_failures *f = &sc->failures;
	const cJSON *it;
	char hz[32];
	int rc;
	size_t n = (size_t)cJSON_GetArraySize(arr), i = 0;
	if (!(f->scripted = calloc(n, sizeof *f->scripted)))
		return CAPSIM_ENOMEM;
	units_format_duration(sc->horizon, hz, sizeof hz);
	cJSON_ArrayForEach(it, arr) {
		struct scenario_outage *o = &f->scripted[i];
		const cJSON *v;
		char text[400], got[64];
		if ((rc = array_object(c, it, i, keys, NULL)) != 0)
			return rc;
		v = cJSON_GetObjectItemCaseSensitive(it, "target");
		if (!cJSON_IsString(v))
			return expected(c, "target", v, TARGET_WHAT);
		rc = resolve_target(sc, v->valuestring, strlen(v->valuestring), o, text,
				    sizeof text);
		if (rc == CAPSIM_EPARSE)
			return expected(c, "target", v, TARGET_WHAT);
		if (rc == CAPSIM_EINVAL)
			return fail_key(c, "target", AT_VALUE, "%s", text);
		if (rc)
			return rc;
		if ((rc = get_duration(c, it, "at", NULL, 0, &o->at)) != 0)
			return rc;
		if (!(o->at < sc->horizon))
			return fail_key(c, "at", AT_VALUE, "expected a time before the horizon (%s), "
					"got %s", hz, describe(cJSON_GetObjectItemCaseSensitive(it, "at"),
							       got, sizeof got));
		if ((rc = get_duration(c, it, "duration", NULL, 1, &o->duration)) != 0)
			return rc;
		f->nscripted = i + 1;
		pop(c);
		i++;
	}
	return 0;
}

static int load_failures(struct ctx *c, const cJSON *root)
{
	static const char *const keys[] = { "instance_mtbf", "zone_outages", "region_outages",
					    "scripted", NULL };
	struct scenario *sc = c->sc;
	struct scenario_failures *f = &sc->failures;
	const cJSON *o, *arr;
	int rc;
	if ((rc = get_object(c, root, "failures", 0, &o)) != 0 || !o)
		return rc;
	sc->has_failures = 1;
	push_key(c, "failures");
	if ((rc = check_keys(c, o, keys)) != 0)
		return rc;
	if (cJSON_HasObjectItem(o, "instance_mtbf") &&
	    (rc = get_duration(c, o, "instance_mtbf", NULL, 1, &f->instance_mtbf)) != 0)
		return rc;
	if ((rc = load_outage_law(c, o, "zone_outages", &f->has_zone_outages,
				  &f->zone_outages)) != 0 ||
	    (rc = load_outage_law(c, o, "region_outages", &f->has_region_outages,
				  &f->region_outages)) != 0 ||
	    (rc = get_array(c, o, "scripted", 0, &arr)) != 0)
		return rc;
	if (arr) {
		push_key(c, "scripted");
		if ((rc = load_scripted(c, arr)) != 0)
			return rc;
		pop(c);
	}
	pop(c);
	return 0;
}

int scenario_parse_outage(const struct scenario *sc, const char *text,
			  struct scenario_outage *out, char *msg, size_t msglen)
{
	static const char form[] = "expected region:NAME@AT+DURATION or "
				   "zone:REGION/ZONE@AT+DURATION (AT and DURATION durations such "
				   "as \"10d\" and \"4h\")";
	char local[512], part[64], hz[32];
	struct scenario_outage o;
	double at = 0, duration = 0;
	int rc;
	if (!msg || msglen == 0) {
		msg = local;
		msglen = sizeof local;
	}
	msg[0] = '\0';
	const char *amp = strchr(text, '@');
	if (!amp) {
		snprintf(msg, msglen, "%s, got \"%.100s\"", form, text);
		return CAPSIM_EINVAL;
	}
	rc = resolve_target(sc, text, (size_t)(amp - text), &o, msg, msglen);
	if (rc == CAPSIM_EPARSE) {
		snprintf(msg, msglen, "%s, got \"%.100s\"", form, text);
		return CAPSIM_EINVAL;
	}
	if (rc)
		return rc;
	/* AT may hold a '+' itself ("1e+3s"), so the split is the first '+' after which both
	 * sides are durations. */
	const char *plus = strchr(amp + 1, '+'), *p;
	if (!plus) {
		snprintf(msg, msglen, "%s, got \"%.100s\" (no '+' before the duration)", form, text);
		return CAPSIM_EINVAL;
	}
	for (p = plus; p; p = strchr(p + 1, '+')) {
		size_t n = (size_t)(p - (amp + 1));
		if (n < sizeof part) {
			memcpy(part, amp + 1, n);
			part[n] = '\0';
			if (units_parse_duration(part, &at) == 0 &&
			    units_parse_duration(p + 1, &duration) == 0)
				break;
		}
	}
	if (!p) {
		/* Neither split works: name the side of the first '+' that is wrong. */
		size_t n = (size_t)(plus - (amp + 1));
		snprintf(part, sizeof part, "%.*s", (int)(n < sizeof part ? n : sizeof part - 1),
			 amp + 1);
		if (n >= sizeof part || units_parse_duration(part, &at) != 0)
			snprintf(msg, msglen, "expected a start time such as \"10d\" or \"84h\" after "
				 "'@', got \"%.60s\"", part);
		else
			snprintf(msg, msglen, "expected a duration > 0 such as \"4h\" after '+', got "
				 "\"%.60s\"", plus + 1);
		return CAPSIM_EINVAL;
	}
	if (!(at < sc->horizon)) {
		snprintf(msg, msglen, "expected a start time before the horizon (%s), got \"%s\"",
			 units_format_duration(sc->horizon, hz, sizeof hz), part);
		return CAPSIM_EINVAL;
	}
	if (!(duration > 0)) {
		snprintf(msg, msglen, "expected a duration > 0 after '+', got \"%.60s\"", p + 1);
		return CAPSIM_EINVAL;
	}
	o.at = at;
	o.duration = duration;
	*out = o;
	return 0;
}

/* ---- disaster recovery and data ---- */

/* Indexed by enum scenario_dr_strategy; the file names all but the first. */
static const char *const dr_strategy_names[] = { "none", "backup_restore", "pilot_light",
						 "warm_standby", "active_active" };
#define NDR_STRATEGIES (sizeof dr_strategy_names / sizeof dr_strategy_names[0])

/* Indexed by enum scenario_replication. */
static const char *const replication_names[] = { "async", "sync" };

const char *scenario_dr_strategy_name(int strategy)
{
	if (strategy < 0 || (size_t)strategy >= NDR_STRATEGIES)
		return dr_strategy_names[SCENARIO_DR_NONE];
	return dr_strategy_names[strategy];
}

int scenario_dr_strategy_parse(const char *name)
{
	for (size_t i = 0; name && i < NDR_STRATEGIES; i++)
		if (strcmp(name, dr_strategy_names[i]) == 0)
			return (int)i;
	return -1;
}

static int load_data(struct ctx *c, const cJSON *root)
{
	static const char *const keys[] = { "write_rate", "write_kb", "replication", "lag",
		"sync_latency", "backup_interval", "size_gb", "restore_gb_per_hour",
		"transfer_price_gb", "backup_price_gb_month", NULL };
	static const char *const lag_keys[] = { "median", "p95", NULL };
	struct scenario *sc = c->sc;
	struct scenario_data *d = &sc->data;
	const cJSON *o, *lag, *p95;
	int rc;
	if ((rc = get_object(c, root, "data", 0, &o)) != 0 || !o)
		return rc;
	sc->has_data = 1;
	push_key(c, "data");
	if ((rc = check_keys(c, o, keys)) != 0 ||
	    (rc = get_number(c, o, "write_rate", REQUIRED, 0, 0, MAX_RATE, 0,
			     "a rate in writes/s in [0, 1e10]", &d->write_rate)) != 0 ||
	    (rc = get_number(c, o, "write_kb", 2, 0, 1, INFINITY, 1,
			     "a size in KB per write > 0", &d->write_kb)) != 0 ||
	    (rc = get_enum(c, o, "replication", replication_names, 2, 0, SCENARIO_REPL_ASYNC, 1,
			   &d->replication)) != 0 ||
	    (rc = get_object(c, o, "lag", 0, &lag)) != 0)
		return rc;
	if (d->replication == SCENARIO_REPL_SYNC) {
		/* A synchronous write commits in both regions: there is no lag to describe, but
		 * every request waits for the round trip to the other region (default: 70 ms,
		 * about Europe - US East). */
		if (lag)
			return fail_key(c, "lag", AT_KEY, "only allowed with \"async\" replication "
					"(with \"sync\" every write commits in both regions: no lag, "
					"nothing lost)");
		if ((rc = get_duration(c, o, "sync_latency", "70ms", 0, &d->sync_latency)) != 0)
			return rc;
	} else {
		if (cJSON_HasObjectItem(o, "sync_latency"))
			return fail_key(c, "sync_latency", AT_KEY, "only allowed with \"sync\" "
					"replication (an asynchronous write does not wait for the "
					"other region)");
		/* As for boot times: a lognormal lag, p95 = 2 x median unless given. */
		d->lag_median = 1;
		d->lag_p95 = 2;
		if (lag) {
			push_key(c, "lag");
			if ((rc = check_keys(c, lag, lag_keys)) != 0 ||
			    (rc = get_duration(c, lag, "median", "1s", 1, &d->lag_median)) != 0)
				return rc;
			d->lag_p95 = 2 * d->lag_median;
			if ((p95 = cJSON_GetObjectItemCaseSensitive(lag, "p95"))) {
				if ((rc = get_duration(c, lag, "p95", NULL, 1, &d->lag_p95)) != 0)
					return rc;
				if (d->lag_p95 < d->lag_median) {
					char what[96], med[32];
					snprintf(what, sizeof what, "a p95 at least the median (%s)",
						 units_format_duration(d->lag_median, med,
								       sizeof med));
					return expected(c, "p95", p95, what);
				}
			}
			pop(c);
		}
	}
	if ((rc = get_duration(c, o, "backup_interval", "24h", 1, &d->backup_interval)) != 0 ||
	    (rc = get_number(c, o, "size_gb", 100, 0, 1, INFINITY, 1, "a size in GB > 0",
			     &d->size_gb)) != 0 ||
	    (rc = get_number(c, o, "restore_gb_per_hour", 500, 0, 1, INFINITY, 1,
			     "a restore throughput in GB per hour > 0",
			     &d->restore_gb_per_hour)) != 0 ||
	    /* Defaults: AWS inter-region data transfer (0.02 USD/GB between most regions) and
	     * EBS snapshot storage (0.05 USD per GB-month), us-east-1 list prices. */
	    (rc = get_number(c, o, "transfer_price_gb", 0.02, 0, 0, INFINITY, 1,
			     "a price in USD per GB >= 0", &d->transfer_price_gb)) != 0 ||
	    (rc = get_number(c, o, "backup_price_gb_month", 0.05, 0, 0, INFINITY, 1,
			     "a price in USD per GB-month >= 0", &d->backup_price_gb_month)) != 0)
		return rc;
	pop(c);
	return 0;
}

/* dr.primary or dr.recovery (key) into *out: required for the strategies that fail over
 * from one region to another. */
static int dr_region(struct ctx *c, const cJSON *o, const char *key, const char *strategy,
		     size_t *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	int rc;
	if (!v) {
		char what[160];
		snprintf(what, sizeof what, "the name of a declared region (the region %s fails "
			 "over %s)", strategy, strcmp(key, "primary") == 0 ? "from" : "to");
		return expected(c, key, v, what);
	}
	push_key(c, key);
	if ((rc = region_ref(c, v, out)) != 0)
		return rc;
	pop(c);
	return 0;
}

/* Every tier placed where the strategy needs it: in both the primary and the recovery
 * region, or (active_active) in at least two regions. Reported at tiers[i].placement. */
static int check_dr_placement(struct ctx *c)
{
	struct scenario *sc = c->sc;
	const struct scenario_dr *dr = &sc->dr;
	const char *strategy = dr_strategy_names[dr->strategy];
	int rc = 0;
	if (dr->strategy == SCENARIO_DR_ACTIVE_ACTIVE && sc->nregions < 2)
		return fail_key(c, "strategy", AT_VALUE, "active_active needs at least 2 regions "
				"serving; the scenario declares %zu", sc->nregions);
	/* The tiers are at the top level, not under "dr": the path restarts and is put back. */
	struct jsonloc_step saved[MAX_PATH_DEPTH];
	size_t depth = c->depth;
	memcpy(saved, c->path, sizeof saved);
	c->depth = 0;
	push_key(c, "tiers");
	for (size_t i = 0; i < sc->ntiers && rc == 0; i++) {
		const struct scenario_tier *t = &sc->tiers[i];
		push_index(c, i);
		push_key(c, "placement");
		if (dr->strategy == SCENARIO_DR_ACTIVE_ACTIVE) {
			if (t->nplacement < 2)
				rc = fail(c, AT_VALUE, "tier \"%s\" is placed in %s only; "
					  "dr.strategy active_active needs every tier in at least "
					  "2 regions", t->name, sc->regions[t->placement[0].region].name);
		} else {
			const size_t need[2] = { dr->primary, dr->recovery };
			for (size_t k = 0; k < 2 && rc == 0; k++) {
				size_t j = 0;
				while (j < t->nplacement && t->placement[j].region != need[k])
					j++;
				if (j == t->nplacement)
					rc = fail(c, AT_VALUE, "tier \"%s\" is not placed in %s, the %s "
						  "region of dr: %s needs every tier in both the "
						  "primary and the recovery region", t->name,
						  sc->regions[need[k]].name,
						  k == 0 ? "primary" : "recovery", strategy);
			}
		}
		pop(c);
		pop(c);
	}
	memcpy(c->path, saved, sizeof saved);
	c->depth = depth;
	return rc;
}

static int load_dr(struct ctx *c, const cJSON *root)
{
	static const char *const keys[] = { "strategy", "primary", "recovery", "health_check",
		"dns_ttl", "decision_delay", "promotion_time", "standby_scale", "data_tier",
		"failback", "rto_target", "rpo_target", NULL };
	static const char *const hc_keys[] = { "interval", "failure_threshold", NULL };
	struct scenario *sc = c->sc;
	struct scenario_dr *dr = &sc->dr;
	const cJSON *o, *hc, *v;
	int rc, k;
	if ((rc = get_object(c, root, "dr", 0, &o)) != 0 || !o)
		return rc;
	sc->has_dr = 1;
	push_key(c, "dr");
	if ((rc = check_keys(c, o, keys)) != 0 ||
	    (rc = get_enum(c, o, "strategy", dr_strategy_names + 1, NDR_STRATEGIES - 1, 1, 0, 1,
			   &k)) != 0)
		return rc;
	dr->strategy = k + 1;
	const char *strategy = dr_strategy_names[dr->strategy];
	int active = dr->strategy == SCENARIO_DR_ACTIVE_ACTIVE;
	if (active) {
		static const char *const regions[] = { "primary", "recovery" };
		for (size_t j = 0; j < 2; j++)
			if (cJSON_HasObjectItem(o, regions[j]))
				return fail_key(c, regions[j], AT_KEY, "not allowed with "
						"active_active (every region serves and a failed one "
						"is removed: there is no primary or recovery region)");
	} else {
		if ((rc = dr_region(c, o, "primary", strategy, &dr->primary)) != 0 ||
		    (rc = dr_region(c, o, "recovery", strategy, &dr->recovery)) != 0)
			return rc;
		if (dr->recovery == dr->primary)
			return fail_key(c, "recovery", AT_VALUE, "expected a region other than the "
					"primary (%s), got \"%s\"", sc->regions[dr->primary].name,
					sc->regions[dr->recovery].name);
	}
	/* Route 53 health checks: every 30 s, 3 failures in a row mark the target unhealthy. */
	dr->check_interval = 30;
	dr->failure_threshold = 3;
	if ((rc = get_object(c, o, "health_check", 0, &hc)) != 0)
		return rc;
	if (hc) {
		push_key(c, "health_check");
		if ((rc = check_keys(c, hc, hc_keys)) != 0 ||
		    (rc = get_duration(c, hc, "interval", "30s", 1, &dr->check_interval)) != 0 ||
		    (rc = get_int_i(c, hc, "failure_threshold", 1, 3, 1, MAX_INSTANCES,
				    "a whole number of failed checks >= 1",
				    &dr->failure_threshold)) != 0)
			return rc;
		pop(c);
	}
	/* A person decides to fail over (5 minutes) unless every region already serves. */
	if ((rc = get_duration(c, o, "dns_ttl", "60s", 0, &dr->dns_ttl)) != 0 ||
	    (rc = get_duration(c, o, "decision_delay", active ? "0s" : "5m", 0,
			       &dr->decision_delay)) != 0 ||
	    (rc = get_duration(c, o, "promotion_time", "2m", 0, &dr->promotion_time)) != 0)
		return rc;
	if (dr->strategy == SCENARIO_DR_WARM_STANDBY) {
		if ((rc = get_number(c, o, "standby_scale", 0.25, 0, 1, 1, 0,
				     "a share of the primary's capacity in (0,1]",
				     &dr->standby_scale)) != 0)
			return rc;
	} else if (cJSON_HasObjectItem(o, "standby_scale")) {
		return fail_key(c, "standby_scale", AT_KEY, "only allowed with warm_standby (%s "
				"keeps %s in the recovery region)", strategy,
				active ? "a full copy serving" : "no compute running");
	}
	/* The database is at the end of the chain, unless the file says otherwise. */
	if ((v = cJSON_GetObjectItemCaseSensitive(o, "data_tier"))) {
		long t;
		if (!cJSON_IsString(v))
			return expected(c, "data_tier", v, "the name of a tier");
		if ((t = scenario_find_tier(sc, v->valuestring)) < 0) {
			const char **names = malloc(sc->ntiers * sizeof *names);
			char text[400];
			if (!names)
				return CAPSIM_ENOMEM;
			for (size_t j = 0; j < sc->ntiers; j++)
				names[j] = sc->tiers[j].name;
			snprintf(text, sizeof text, "unknown tier \"%.*s\"",
				 cut(v->valuestring, 60), v->valuestring);
			hint(text, sizeof text, v->valuestring, names, sc->ntiers, "tiers are");
			free(names);
			return fail_key(c, "data_tier", AT_VALUE, "%s", text);
		}
		dr->data_tier = (size_t)t;
	} else {
		long t = 0;
		while (sc->tiers[t].calls >= 0)
			t = sc->tiers[t].calls;
		dr->data_tier = (size_t)t;
	}
	if ((rc = get_bool(c, o, "failback", 1, &dr->failback)) != 0)
		return rc;
	if (cJSON_HasObjectItem(o, "rto_target") &&
	    (rc = get_duration(c, o, "rto_target", NULL, 1, &dr->rto_target)) != 0)
		return rc;
	if (cJSON_HasObjectItem(o, "rpo_target")) {
		/* The RPO is measured from the data's writes; without them a target could never
		 * be checked, so it is refused rather than silently ignored. */
		if (!sc->has_data)
			return fail_key(c, "rpo_target", AT_KEY, "needs a \"data\" object (without "
					"data no RPO is measured)");
		if ((rc = get_duration(c, o, "rpo_target", NULL, 0, &dr->rpo_target)) != 0)
			return rc;
		dr->has_rpo_target = 1;
	}
	if ((rc = check_dr_placement(c)) != 0)
		return rc;
	pop(c);
	return 0;
}

/* ---- what `capsim optimize` may change ---- */

/* Indexed by enum scenario_objective. */
static const char *const objective_names[] = { "mean", "p90" };
/* The commitments the optimizer may size; "commitments" lists a subset. */
static const char *const commitment_names[] = { "reserved", "savings_plan" };

/* Most values a grid {min, max, step} may expand to: more is a typo (a step of 0.01 meant
 * as 1) or a search too large to simulate. */
#define MAX_GRID 1000

/* What one candidate list of optimize.tiers.NAME holds. */
struct candidates {
	double lo, hi;               /* range of one value as written */
	int whole;                   /* 1: whole numbers only */
	double step;                 /* default step of a {min, max, step} grid */
	const char *what;            /* one value, for messages */
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* A number v (key of the current object, or the current path when key is NULL) in [lo, hi],
 * whole when asked. */
static int candidate_value(struct ctx *c, const char *key, const cJSON *v, double lo,
			   double hi, int whole, const char *what, double *out)
{
	if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) || v->valuedouble < lo ||
	    v->valuedouble > hi || (whole && v->valuedouble != floor(v->valuedouble)))
		return expected(c, key, v, what);
	*out = v->valuedouble;
	return 0;
}

/* The candidate list at key of o, when given: a non-empty array of unique values, sorted
 * here (a duplicate is a typo, the order is not), or a grid {"min", "max", "step"} that
 * expands to min, min + step, ... up to max. The values as written go to *out (malloc'd,
 * the caller frees it) and their number to *n; *out stays NULL when the key is absent. */
static int get_candidates(struct ctx *c, const cJSON *o, const char *key,
			  const struct candidates *k, double **out, size_t *n)
{
	static const char *const grid_keys[] = { "min", "max", "step", NULL };
	const cJSON *v = o ? cJSON_GetObjectItemCaseSensitive(o, key) : NULL, *it;
	double *x = NULL;
	size_t m = 0;
	int rc = 0;
	*out = NULL;
	*n = 0;
	if (!v)
		return 0;
	push_key(c, key);
	if (cJSON_IsArray(v) && cJSON_GetArraySize(v) > 0) {
		if (!(x = malloc((size_t)cJSON_GetArraySize(v) * sizeof *x)))
			return CAPSIM_ENOMEM;
		cJSON_ArrayForEach(it, v) {
			push_index(c, m);
			if ((rc = candidate_value(c, NULL, it, k->lo, k->hi, k->whole, k->what,
						  &x[m])) != 0)
				goto out;
			size_t j = 0;
			while (j < m && x[j] != x[m])
				j++;
			if (j < m) {
				rc = fail(c, AT_VALUE, "duplicate value %.15g; %s[%zu] has it "
					  "already", x[m], key, j);
				goto out;
			}
			pop(c);
			m++;
		}
		qsort(x, m, sizeof *x, cmp_double);
	} else if (cJSON_IsObject(v)) {
		const cJSON *s = cJSON_GetObjectItemCaseSensitive(v, "step");
		double lo, hi, step = k->step;
		char what[200];
		if ((rc = check_keys(c, v, grid_keys)) != 0 ||
		    (rc = candidate_value(c, "min", cJSON_GetObjectItemCaseSensitive(v, "min"),
					  k->lo, k->hi, k->whole, k->what, &lo)) != 0)
			goto out;
		snprintf(what, sizeof what, "%s, at least min (%.15g)", k->what, lo);
		if ((rc = candidate_value(c, "max", cJSON_GetObjectItemCaseSensitive(v, "max"), lo,
					  k->hi, k->whole, what, &hi)) != 0)
			goto out;
		if (s && (rc = candidate_value(c, "step", s, k->whole, INFINITY, k->whole,
					       k->whole ? "a whole number >= 1" : "a number > 0",
					       &step)) != 0)
			goto out;
		if (!(step > 0)) {
			rc = expected(c, "step", s, "a number > 0");
			goto out;
		}
		/* The tolerance keeps max itself when (max - min) / step is a whole number that
		 * rounding left just below it (a step of 100/3, say). */
		double count = floor((hi - lo) / step + 1e-9) + 1;
		if (count > MAX_GRID) {
			rc = fail(c, AT_VALUE, "expected a grid of at most %d values, got %.15g "
				  "(min %.15g to max %.15g by %.15g); use a larger step", MAX_GRID,
				  count, lo, hi, step);
			goto out;
		}
		m = (size_t)count;
		if (!(x = malloc(m * sizeof *x)))
			return CAPSIM_ENOMEM;
		for (size_t j = 0; j < m; j++)
			x[j] = fmin(lo + (double)j * step, hi);
	} else {
		rc = expected(c, NULL, v, "a non-empty array of candidates or a grid "
			      "{\"min\": ..., \"max\": ..., \"step\": ...}");
		goto out;
	}
	pop(c);
	*out = x;
	*n = m;
	return 0;
out:
	free(x);
	return rc;
}

/* 1 when instance type k has spot data (a discount and an interruption bucket) in every
 * region tier t is placed in, as far as is known now: declared, or from the catalog when it
 * has been read. Never reads the catalog. */
static int has_spot_data(const struct scenario *sc, const struct scenario_tier *t, size_t k)
{
	for (size_t i = 0; i < t->nplacement; i++) {
		size_t r = t->placement[i].region;
		const struct scenario_price *p = &sc->instance_types[k].price[r];
		if (p->spot_discount < 0 || p->spot_bucket < 0)
			return 0;
	}
	return 1;
}

/* The tier at the end of the chain from tiers[0]. */
static size_t last_tier(const struct scenario *sc)
{
	long t = 0;
	while (sc->tiers[t].calls >= 0)
		t = sc->tiers[t].calls;
	return (size_t)t;
}

/* Everything but spot_types of optimize.tiers.NAME for tiers[i] (o NULL: the tier is not
 * listed), each value from o or its default; at the tier's path. ot->spot_types already
 * holds the types the file lists, if any. */
static int load_opt_tier(struct ctx *c, const cJSON *o, size_t i, struct scenario_opt_tier *ot)
{
	static const struct candidates base_kind = { 0, MAX_INSTANCES, 1, 1,
		"a whole number of instances in [0,1000000]" };
	/* Percentages by quarters unless told otherwise: 0, 25, 50, 75, 100 over [0,100]. */
	static const struct candidates pct_kind = { 0, 100, 0, 25, "a percentage in [0,100]" };
	const struct scenario *sc = c->sc;
	const struct scenario_tier *t = &sc->tiers[i];
	double *x;
	size_t n;
	int rc;
	/* Default spot candidates: the types the tier's purchase already diversifies over,
	 * else its own type when spot data is known for it everywhere it runs. */
	if (!ot->spot_types && t->purchase.nspot_types > 0) {
		n = t->purchase.nspot_types;
		if (!(ot->spot_types = malloc(n * sizeof *ot->spot_types)))
			return CAPSIM_ENOMEM;
		memcpy(ot->spot_types, t->purchase.spot_types, n * sizeof *ot->spot_types);
		ot->nspot_types = n;
	} else if (!ot->spot_types && has_spot_data(sc, t, t->instance_type)) {
		if (!(ot->spot_types = malloc(sizeof *ot->spot_types)))
			return CAPSIM_ENOMEM;
		ot->spot_types[0] = t->instance_type;
		ot->nspot_types = 1;
	}
	/* The database keeps its data on its instances: an interruption would lose it, so
	 * spot is only considered there when the file asks for it — or already buys it. A
	 * scenario of one tier without a dr block has no database behind it (a batch or a
	 * stateless service). */
	size_t data_tier = sc->has_dr ? sc->dr.data_tier : last_tier(sc);
	int is_data = i == data_tier && (sc->has_dr || sc->ntiers > 1);
	int buys_spot = t->has_purchase && t->purchase.on_demand_above_base < 1;
	ot->spot = (!is_data || buys_spot) && ot->nspot_types > 0;
	if (o && (rc = get_bool(c, o, "spot", ot->spot, &ot->spot)) != 0)
		return rc;
	if (ot->spot && ot->nspot_types == 0) {
		char what[400];
		snprintf(what, sizeof what, "a non-empty array of instance types for spot capacity "
			 "(required with \"spot\": true: the tier's purchase has no spot_types and "
			 "its instance type \"%s\" lacks spot data in a region it is placed in)",
			 sc->instance_types[t->instance_type].name);
		return expected(c, "spot_types", NULL, what);
	}

	if ((rc = get_candidates(c, o, "on_demand_base", &base_kind, &x, &n)) != 0)
		return rc;
	if (!x) {
		n = t->autoscaling.min > 0 ? 2 : 1;
		if (!(x = malloc(n * sizeof *x)))
			return CAPSIM_ENOMEM;
		x[0] = 0;
		x[n - 1] = t->autoscaling.min;
	}
	if (!(ot->base = malloc(n * sizeof *ot->base))) {
		free(x);
		return CAPSIM_ENOMEM;
	}
	for (size_t j = 0; j < n; j++)
		ot->base[j] = (int)x[j];
	ot->nbase = n;
	free(x);

	if ((rc = get_candidates(c, o, "on_demand_percentage_above_base", &pct_kind, &x, &n)))
		return rc;
	if (!x) {
		static const double def[] = { 0, 50, 100 };
		n = 3;
		if (!(x = malloc(sizeof def)))
			return CAPSIM_ENOMEM;
		memcpy(x, def, sizeof def);
	}
	for (size_t j = 0; j < n; j++)
		x[j] /= 100;
	ot->pct = x;
	ot->npct = n;

	if (o && ot->nspot_types == 0 && cJSON_HasObjectItem(o, "spot_type_counts"))
		return fail_key(c, "spot_type_counts", AT_KEY, "the tier has no spot types to "
				"count (give spot_types)");
	char what[160];
	snprintf(what, sizeof what, "a whole number of spot types in [1,%zu] (the tier's "
		 "spot_types)", ot->nspot_types);
	const struct candidates count_kind = { 1, (double)ot->nspot_types, 1, 1, what };
	if ((rc = get_candidates(c, o, "spot_type_counts", &count_kind, &x, &n)) != 0)
		return rc;
	if (!x) {
		/* Up to 3 types: AWS recommends diversifying over several pools, and each type
		 * added beyond a few changes little. */
		n = ot->nspot_types < 3 ? ot->nspot_types : 3;
		if (n && !(x = malloc(n * sizeof *x)))
			return CAPSIM_ENOMEM;
		for (size_t j = 0; j < n; j++)
			x[j] = (double)(j + 1);
	}
	if (n && !(ot->type_counts = malloc(n * sizeof *ot->type_counts))) {
		free(x);
		return CAPSIM_ENOMEM;
	}
	for (size_t j = 0; j < n; j++)
		ot->type_counts[j] = (int)x[j];
	ot->ntype_counts = n;
	free(x);
	return 0;
}

/* optimize.tiers (o: the optimize object, NULL without one) and every tier's defaults. */
static int load_opt_tiers(struct ctx *c, const cJSON *o)
{
	static const char *const keys[] = { "spot", "on_demand_base",
		"on_demand_percentage_above_base", "spot_types", "spot_type_counts", NULL };
	struct scenario *sc = c->sc;
	const cJSON **src = calloc(sc->ntiers, sizeof *src), *tiers = NULL, *m;
	int rc = 0;
	if (!src)
		return CAPSIM_ENOMEM;
	if (o && (rc = get_object(c, o, "tiers", 0, &tiers)) != 0)
		goto out;
	if (tiers) {
		push_key(c, "tiers");
		if ((rc = check_duplicates(c, tiers)) != 0)
			goto out;
		for (m = tiers->child; m; m = m->next) {
			if (is_comment(m->string))
				continue;
			push_key(c, m->string);
			/* The key names the tier, so an unknown one is reported at the key. */
			long i = scenario_find_tier(sc, m->string);
			if (i < 0) {
				const char **names = malloc(sc->ntiers * sizeof *names);
				char text[400];
				if (!names) {
					rc = CAPSIM_ENOMEM;
					goto out;
				}
				for (size_t j = 0; j < sc->ntiers; j++)
					names[j] = sc->tiers[j].name;
				snprintf(text, sizeof text, "unknown tier \"%.*s\"",
					 cut(m->string, 60), m->string);
				hint(text, sizeof text, m->string, names, sc->ntiers, "tiers are");
				free(names);
				rc = fail(c, AT_KEY, "%s", text);
				goto out;
			}
			if (!cJSON_IsObject(m)) {
				rc = expected(c, NULL, m, "an object");
				goto out;
			}
			struct scenario_opt_tier *ot = &sc->optimize.tiers[i];
			if ((rc = check_keys(c, m, keys)) != 0 ||
			    (rc = get_spot_types(c, m, &sc->tiers[i], &ot->spot_types,
						 &ot->nspot_types)) != 0)
				goto out;
			src[i] = m;
			pop(c);
		}
		pop(c);
	}
	/* The defaults come once every listed spot type is resolved: one of them may have read
	 * the catalog, which gives spot data to types that declare none, and a tier's default
	 * should not depend on where the file lists the tiers. */
	for (size_t i = 0; i < sc->ntiers; i++) {
		if (src[i]) {
			push_key(c, "tiers");
			push_key(c, src[i]->string);
		}
		if ((rc = load_opt_tier(c, src[i], i, &sc->optimize.tiers[i])) != 0)
			goto out;
		if (src[i]) {
			pop(c);
			pop(c);
		}
	}
out:
	free(src);
	return rc;
}

static int load_optimize(struct ctx *c, const cJSON *root)
{
	static const char *const keys[] = { "objective", "replications", "final_replications",
		"finalists", "commitments", "reserved", "savings_plan", "tiers", NULL };
	static const char *const reserved_keys[] = { "term", "payment", NULL };
	static const char *const plan_keys[] = { "term", NULL };
	struct scenario *sc = c->sc;
	struct scenario_optimize *opt = &sc->optimize;
	const cJSON *o, *sub, *v;
	char what[160];
	int rc;
	/* Screening ranks candidates on common random numbers, for which a few replications
	 * (at least 2, for a spread) are enough; the finalists get the scenario's own count. */
	opt->objective = SCENARIO_OBJ_MEAN;
	opt->replications = sc->replications < 2 ? 2 : sc->replications > 8 ? 8 : sc->replications;
	opt->finalists = 3;
	opt->reserved = opt->savings_plan = 1;
	opt->ri_term = opt->sp_term = CATALOG_1Y;
	opt->ri_payment = CATALOG_NO_UPFRONT;
	if (!(opt->tiers = calloc(sc->ntiers, sizeof *opt->tiers)))
		return CAPSIM_ENOMEM;
	if ((rc = get_object(c, root, "optimize", 0, &o)) != 0)
		return rc;
	if (o) {
		sc->has_optimize = 1;
		push_key(c, "optimize");
		if ((rc = check_keys(c, o, keys)) != 0 ||
		    (rc = get_enum(c, o, "objective", objective_names, 2, 0, SCENARIO_OBJ_MEAN, 1,
				   &opt->objective)) != 0 ||
		    (rc = get_int_i(c, o, "replications", 1, opt->replications, 2, SCENARIO_MAX_REPLICATIONS,
				    "a whole number in [2,1000000]", &opt->replications)) != 0)
			return rc;
	}
	/* The scenario's own count for the finalists, capped at OPT_FINAL_CAP: a scenario
	 * written for a thousand-replication benchmark would otherwise make every finalist a
	 * full benchmark. */
	int final = sc->replications < OPT_FINAL_CAP ? sc->replications : OPT_FINAL_CAP;
	opt->final_replications = opt->replications > final ? opt->replications : final;
	if (!o)
		return load_opt_tiers(c, NULL);
	snprintf(what, sizeof what, "a whole number in [%d,1000000] (at least replications, %d)",
		 opt->replications, opt->replications);
	if ((rc = get_int_i(c, o, "final_replications", 1, opt->final_replications,
			    opt->replications, SCENARIO_MAX_REPLICATIONS, what,
			    &opt->final_replications)) != 0 ||
	    (rc = get_int_i(c, o, "finalists", 1, 3, 1, MAX_INSTANCES,
			    "a whole number in [1,1000000]", &opt->finalists)) != 0)
		return rc;
	/* A finalist's reservations and savings plan are sized on its hourly usage in every
	 * replication, which it keeps twice (as used, and as the reservations leave it):
	 * replications × pools × hours × 16 bytes, held within OPT_HOURLY_BYTES. */
	size_t npools = 0;
	for (size_t t = 0; t < sc->ntiers; t++)
		npools += sc->tiers[t].nplacement;
	double hours = ceil(sc->horizon / 3600.0 - 1e-9);
	double per_rep = 2.0 * sizeof(double) * (double)npools * hours;
	double most = floor(OPT_HOURLY_BYTES / per_rep);
	if (opt->final_replications > most)
		return fail_key(c, "final_replications", AT_VALUE,
				"expected at most %.0f final replications for this scenario (a "
				"finalist keeps the hourly usage of its %zu pools over %.0f hours in "
				"every replication, %.0f KB each, within %.0f MB), got %d", most,
				npools, hours, per_rep / 1e3, OPT_HOURLY_BYTES / 1048576.0,
				opt->final_replications);
	if ((v = cJSON_GetObjectItemCaseSensitive(o, "commitments"))) {
		long first[2] = { -1, -1 };
		size_t i = 0;
		const cJSON *it;
		if (!cJSON_IsArray(v))
			return expected(c, "commitments", v, "an array of \"reserved\" and "
					"\"savings_plan\" (may be empty)");
		push_key(c, "commitments");
		cJSON_ArrayForEach(it, v) {
			size_t k = 0;
			push_index(c, i);
			while (k < 2 && !(cJSON_IsString(it) &&
					  strcmp(it->valuestring, commitment_names[k]) == 0))
				k++;
			if (k == 2 && !cJSON_IsString(it))
				return expected(c, NULL, it, "\"reserved\" or \"savings_plan\"");
			if (k == 2) {
				char text[400];
				snprintf(text, sizeof text, "expected \"reserved\" or "
					 "\"savings_plan\", got \"%.*s\"",
					 cut(it->valuestring, 60), it->valuestring);
				hint(text, sizeof text, it->valuestring, commitment_names, 2,
				     "commitments are");
				return fail(c, AT_VALUE, "%s", text);
			}
			if (first[k] >= 0)
				return fail(c, AT_VALUE, "duplicate commitment \"%s\"; "
					    "commitments[%ld] has it already", commitment_names[k],
					    first[k]);
			first[k] = (long)i;
			pop(c);
			i++;
		}
		pop(c);
		opt->reserved = first[0] >= 0;
		opt->savings_plan = first[1] >= 0;
	}
	if ((rc = get_object(c, o, "reserved", 0, &sub)) != 0)
		return rc;
	if (sub) {
		push_key(c, "reserved");
		if ((rc = check_keys(c, sub, reserved_keys)) != 0 ||
		    (rc = get_enum(c, sub, "term", term_names, CATALOG_NTERMS, 0, CATALOG_1Y, 0,
				   &opt->ri_term)) != 0 ||
		    (rc = get_enum(c, sub, "payment", payment_names, CATALOG_NPAYMENTS, 0,
				   CATALOG_NO_UPFRONT, 1, &opt->ri_payment)) != 0)
			return rc;
		pop(c);
	}
	if ((rc = get_object(c, o, "savings_plan", 0, &sub)) != 0)
		return rc;
	if (sub) {
		push_key(c, "savings_plan");
		if ((rc = check_keys(c, sub, plan_keys)) != 0 ||
		    (rc = get_enum(c, sub, "term", term_names, CATALOG_NTERMS, 0, CATALOG_1Y, 0,
				   &opt->sp_term)) != 0)
			return rc;
		pop(c);
	}
	if ((rc = load_opt_tiers(c, o)) != 0)
		return rc;
	pop(c);
	return 0;
}

/* ---- the whole file ---- */

/* A synchronous write waits for the round trip to the other region: with the regions' rtt
 * declared and no "sync_latency" given, that round trip (the primary's to the recovery
 * region; with active_active, the longest between two regions, as a write waits for the
 * farthest). */
static void sync_latency_from_rtt(struct ctx *c, const cJSON *root)
{
	struct scenario *sc = c->sc;
	const cJSON *o = cJSON_GetObjectItemCaseSensitive(root, "data");
	size_t nr = sc->nregions;
	if (!sc->has_dr || !sc->has_data || sc->data.replication != SCENARIO_REPL_SYNC ||
	    !sc->has_rtt || cJSON_HasObjectItem(o, "sync_latency"))
		return;
	double d = 0;
	if (sc->dr.strategy == SCENARIO_DR_ACTIVE_ACTIVE) {
		for (size_t i = 0; i < nr * nr; i++)
			if (sc->rtt[i] > d)
				d = sc->rtt[i];
	} else {
		d = sc->rtt[sc->dr.primary * nr + sc->dr.recovery];
	}
	if (d > 0)
		sc->data.sync_latency = d;
}

static int load_root(struct ctx *c, const cJSON *root)
{
	static const char *const keys[] = { "name", "version", "horizon", "step", "seed",
		"replications", "slo", "budget_monthly", "traffic", "catalog", "instance_types",
		"regions", "tiers", "reservations", "savings_plans", "failures", "dr", "data",
		"optimize", NULL };
	struct scenario *sc = c->sc;
	double d;
	int rc;
	if (!cJSON_IsObject(root))
		return expected(c, NULL, root, "a JSON object (a scenario)");
	if ((rc = check_keys(c, root, keys)) != 0 || (rc = get_name(c, root, "name", &sc->name)))
		return rc;
	const cJSON *ver = cJSON_GetObjectItemCaseSensitive(root, "version");
	if (!cJSON_IsNumber(ver) || ver->valuedouble != SCENARIO_VERSION)
		return expected(c, "version", ver, "1 (the only scenario format version)");
	sc->version = SCENARIO_VERSION;
	if ((rc = get_duration(c, root, "horizon", "30d", 1, &sc->horizon)) != 0 ||
	    (rc = get_duration(c, root, "step", "1m", 1, &sc->step)) != 0)
		return rc;
	double steps = sc->horizon / sc->step;
	if (steps > SCENARIO_MAX_STEPS)
		return fail_key(c, "step", AT_VALUE, "expected a step that cuts the horizon (%.15g s) "
				"into at most 10000000 steps, got %.15g s, %.15g steps", sc->horizon,
				sc->step, steps);
	if (steps < 1 || fabs(steps - nearbyint(steps)) > 1e-9 * steps)
		return fail_key(c, "step", AT_VALUE, "expected a step that divides the horizon "
				"(%.15g s) into whole steps, got %.15g s, %.6g steps", sc->horizon,
				sc->step, steps);
	if ((rc = get_int(c, root, "seed", 1, 1, 0, MAX_EXACT_INT, "a whole number >= 0", &d)))
		return rc;
	sc->seed = (uint64_t)d;
	if ((rc = get_int_i(c, root, "replications", 1, 20, 1, SCENARIO_MAX_REPLICATIONS,
			    "a whole number in [1,1000000]", &sc->replications)) != 0 ||
	    (rc = load_slo(c, root)) != 0 ||
	    (rc = get_number(c, root, "budget_monthly", 0, 0, 1, INFINITY, 1,
			     "an amount in USD per month > 0", &sc->budget_monthly)) != 0 ||
	    (rc = load_regions(c, root)) != 0 || (rc = load_rtt(c, root)) != 0 ||
	    (rc = load_instance_types(c, root)) != 0 ||
	    (rc = load_catalog_key(c, root)) != 0 || (rc = load_traffic(c, root)) != 0 ||
	    (rc = load_tiers(c, root)) != 0 || (rc = load_reservations(c, root)) != 0 ||
	    (rc = load_savings_plans(c, root)) != 0 || (rc = load_failures(c, root)) != 0 ||
	    (rc = load_data(c, root)) != 0 || (rc = load_dr(c, root)) != 0 ||
	    /* After dr: the optimizer's defaults depend on dr.data_tier. */
	    (rc = load_optimize(c, root)) != 0)
		return rc;
	sync_latency_from_rtt(c, root);
	return 0;
}

/* The message for text that cJSON rejects, FILE:LINE:COL: invalid JSON near '...', or (why
 * not NULL) for text it should have rejected at `off`: FILE:LINE:COL: invalid JSON: WHY. */
static void syntax_error(struct ctx *c, size_t off, const char *why)
{
	struct scenario_error *e = c->err;
	char near[32];
	size_t k = 0;
	/* cJSON may stop one past the offending character (after a '}' that follows a trailing
	 * comma, say); point at the last character actually read instead of at blank space. */
	while (!why && off > 0 && (off >= c->len || strchr(" \t\r\n", c->text[off])))
		off--;
	while (off + k < c->len && k < 20 && c->text[off + k] != '\n' && c->text[off + k] != '\r')
		k++;
	/* The excerpt ends on a whole UTF-8 character. */
	if (off + k < c->len)
		k = whole_chars(c->text + off, k);
	memcpy(near, c->text + off, k);
	near[k] = '\0';
	snprintf(e->file, sizeof e->file, "%s", c->file);
	printable(e->file, sizeof e->file);
	jsonloc_line_col(c->text, c->len, off, &e->line, &e->col);
	e->path[0] = '\0';
	size_t blank = 0;   /* as cJSON counts blank: bytes 1 to 32 */
	while (blank < c->len && (unsigned char)c->text[blank] - 1u < 32u)
		blank++;
	if (blank == c->len)
		snprintf(e->text, sizeof e->text, "invalid JSON: the file is empty%s",
			 c->len ? " (blank space only)" : "");
	else if (why)
		snprintf(e->text, sizeof e->text, "invalid JSON: %s", why);
	else if (k == 0)
		snprintf(e->text, sizeof e->text, "invalid JSON near the end of %s",
			 off >= c->len ? "the file" : "the line");
	else
		snprintf(e->text, sizeof e->text, "invalid JSON near '%s'", near);
	printable(e->text, sizeof e->text);
	snprintf(e->msg, sizeof e->msg, "%.512s:%d:%d: %.512s", e->file, e->line, e->col, e->text);
}

/* cJSON reads a \u escape that is not four hex digits as U+0000, and U+0000 ends the C
 * string it decodes into: "a\uXYZW" and "a\u0000b" would both silently be read as "a".
 * Refused here, in text cJSON accepted (so every string is closed and every backslash in
 * one is followed by its escape). Returns 0, or CAPSIM_EPARSE with the error recorded. */
static int check_escapes(struct ctx *c)
{
	const char *t = c->text;
	int in = 0;
	for (size_t i = 0; i < c->len; i++) {
		if (t[i] == '"') {
			in = !in;
			continue;
		}
		if (!in || t[i] != '\\')
			continue;
		i++;
		if (i >= c->len || t[i] != 'u')
			continue;
		size_t k = 0;
		while (k < 4 && i + 1 + k < c->len && isxdigit((unsigned char)t[i + 1 + k]))
			k++;
		if (k < 4) {
			syntax_error(c, i - 1, "expected four hex digits after \\u");
			return CAPSIM_EPARSE;
		}
		if (strncmp(t + i + 1, "0000", 4) == 0) {
			syntax_error(c, i - 1, "\\u0000 (a NUL character) cannot be in a string");
			return CAPSIM_EPARSE;
		}
		i += 4;
	}
	return 0;
}

int scenario_parse(const char *text, size_t len, const char *path_for_messages,
		   struct scenario *sc, struct scenario_error *err)
{
	struct scenario_error dummy;
	struct ctx c = { .text = text, .len = len, .sc = sc, .err = err ? err : &dummy };
	cJSON *root = NULL;
	char *buf = NULL;
	int rc;
	memset(sc, 0, sizeof *sc);
	memset(c.err, 0, sizeof *c.err);
	c.file = path_for_messages ? path_for_messages : "<input>";
	const char *slash = path_for_messages ? strrchr(path_for_messages, '/') : NULL;
	size_t dl = slash ? (size_t)(slash - path_for_messages) + 1 : 0;
	if (!(c.dir = malloc(dl + 1)) || !(buf = malloc(len + 1))) {
		rc = CAPSIM_ENOMEM;
		goto out;
	}
	memcpy(c.dir, path_for_messages ? path_for_messages : "", dl);
	c.dir[dl] = '\0';
	/* cJSON wants NUL-terminated text; a NUL inside would silently end the document. */
	const char *nul = memchr(text, '\0', len);
	if (nul) {
		syntax_error(&c, (size_t)(nul - text), "a NUL byte (a text file has none)");
		rc = CAPSIM_EPARSE;
		goto out;
	}
	memcpy(buf, text, len);
	buf[len] = '\0';
	const char *end = NULL;
	root = cJSON_ParseWithOpts(buf, &end, 1);
	if (!root) {
		syntax_error(&c, end && end >= buf && end <= buf + len ? (size_t)(end - buf) : 0,
			     NULL);
		rc = CAPSIM_EPARSE;
		goto out;
	}
	if ((rc = check_escapes(&c)) != 0)
		goto out;
	rc = load_root(&c, root);
out:
	cJSON_Delete(root);
	free(buf);
	free(c.dir);
	free(c.catalog_path);
	if (rc)
		scenario_release(sc);
	return rc;
}

int scenario_load(const char *path, struct scenario *sc, struct scenario_error *err)
{
	struct scenario_error dummy;
	struct scenario_error *e = err ? err : &dummy;
	size_t len;
	int sys = 0;
	memset(sc, 0, sizeof *sc);
	char *text = file_read(path, &len, &sys);
	if (!text) {
		if (sys == ENOMEM)
			return CAPSIM_ENOMEM;
		memset(e, 0, sizeof *e);
		snprintf(e->file, sizeof e->file, "%s", path);
		snprintf(e->text, sizeof e->text, "cannot read: %s", strerror(sys));
		format_msg(e);
		return CAPSIM_EIO;
	}
	int rc = scenario_parse(text, len, path, sc, err);
	free(text);
	return rc;
}

void scenario_release(struct scenario *sc)
{
	if (!sc)
		return;
	free(sc->name);
	free(sc->traffic.trace.path);
	free(sc->traffic.trace.time);
	free(sc->traffic.trace.rate);
	free(sc->traffic.region_share);
	free(sc->traffic.region_peak_hour);
	for (size_t i = 0; i < sc->ninstance_types; i++) {
		free(sc->instance_types[i].name);
		free(sc->instance_types[i].family);
		free(sc->instance_types[i].price);
	}
	free(sc->instance_types);
	for (size_t i = 0; i < sc->nregions; i++) {
		for (size_t k = 0; k < sc->regions[i].nzones; k++)
			free(sc->regions[i].zones[k]);
		free(sc->regions[i].zones);
		free(sc->regions[i].name);
	}
	free(sc->regions);
	free(sc->rtt);
	for (size_t i = 0; i < sc->ntiers; i++) {
		struct scenario_tier *t = &sc->tiers[i];
		free(t->name);
		free(t->placement);
		free(t->autoscaling.step_scaling.adjustments);
		free(t->autoscaling.scheduled);
		free(t->purchase.spot_types);
	}
	free(sc->tiers);
	free(sc->reservations);
	for (size_t i = 0; i < sc->nsavings_plans; i++)
		free(sc->savings_plans[i].family);
	free(sc->savings_plans);
	free(sc->failures.scripted);
	for (size_t i = 0; sc->optimize.tiers && i < sc->ntiers; i++) {
		struct scenario_opt_tier *ot = &sc->optimize.tiers[i];
		free(ot->base);
		free(ot->pct);
		free(ot->spot_types);
		free(ot->type_counts);
	}
	free(sc->optimize.tiers);
	catalog_release(&sc->catalog);
	memset(sc, 0, sizeof *sc);
}

long scenario_find_tier(const struct scenario *sc, const char *name)
{
	for (size_t i = 0; i < sc->ntiers; i++)
		if (sc->tiers[i].name && strcmp(sc->tiers[i].name, name) == 0)
			return (long)i;
	return -1;
}

/* Appends one line to buf if it fits whole. */
__attribute__((format(printf, 4, 5)))
static void note(char *buf, size_t size, size_t *len, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	if (n > 0 && *len + (size_t)n + 2 <= size) {
		memcpy(buf + *len, line, (size_t)n);
		*len += (size_t)n;
		buf[(*len)++] = '\n';
		buf[*len] = '\0';
	}
}

void scenario_route(const struct scenario *sc, size_t t, size_t r, double *to)
{
	const struct scenario_tier *tier = &sc->tiers[t];
	for (size_t y = 0; y < sc->nregions; y++)
		to[y] = 0;
	for (size_t j = 0; j < tier->nplacement; j++)
		if (tier->placement[j].region == r) {
			to[r] = 1;
			return;
		}
	for (size_t j = 0; j < tier->nplacement; j++)
		to[tier->placement[j].region] = 1.0 / (double)tier->nplacement;
}

size_t scenario_network_notes(const struct scenario *sc, char *buf, size_t size)
{
	size_t nr = sc->nregions, len = 0, count = 0;
	double *at = malloc(2 * nr * sizeof *at), *to;
	buf[0] = '\0';
	if (!at)
		return 0;
	to = at + nr;
	/* Each entry region's walk down the chain, as the model routes it. */
	for (size_t r = 0; r < nr; r++) {
		if (!(sc->traffic.region_share[r] > 0) && !sc->has_dr)
			continue;   /* no user ever enters there */
		for (size_t y = 0; y < nr; y++)
			at[y] = y == r;
		for (long t = 0; t >= 0; t = sc->tiers[t].calls) {
			const struct scenario_tier *tier = &sc->tiers[t];
			int crosses = 0;
			long gap_x = -1, gap_y = -1;   /* a crossing pair with no round trip */
			scenario_route(sc, (size_t)t, r, to);
			for (size_t x = 0; x < nr; x++)
				for (size_t y = 0; y < nr; y++)
					if (x != y && at[x] > 0 && to[y] > 0) {
						crosses = 1;
						if (gap_x < 0 && !(sc->rtt && sc->rtt[x * nr + y] > 0)) {
							gap_x = (long)x;
							gap_y = (long)y;
						}
					}
			memcpy(at, to, nr * sizeof *at);
			int no_rtt = gap_x >= 0;
			int no_size = !(tier->request_kb > 0 || tier->response_kb > 0);
			if (!crosses || (!no_rtt && !no_size))
				continue;
			char what[300] = "";
			if (no_rtt)
				snprintf(what, sizeof what, "no round trip between %s and %s "
					 "(regions[].rtt)%s", sc->regions[gap_x].name,
					 sc->regions[gap_y].name, no_size ? " and " : "");
			if (no_size)
				snprintf(what + strlen(what), sizeof what - strlen(what),
					 "no sizes (request_kb, response_kb)");
			note(buf, size, &len, "note: the requests entering %s call tier %s across "
			     "regions, with %s declared: %s counted", sc->regions[r].name,
			     tier->name, what,
			     no_rtt && no_size ? "neither network time nor transfer is" :
			     no_rtt ? "no network time is" : "no transfer is");
			count++;
		}
	}
	free(at);
	if (sc->has_dr && sc->dr.strategy != SCENARIO_DR_ACTIVE_ACTIVE)
		for (size_t r = 0; r < nr; r++) {
			size_t p = sc->dr.primary;
			if (r == p || !(sc->traffic.region_share[r] > 0) ||
			    (sc->rtt && sc->rtt[r * nr + p] > 0))
				continue;
			note(buf, size, &len, "note: dr sends the users entering %s to the primary "
			     "%s, with no round trip (regions[].rtt) declared between them: no "
			     "network time is counted", sc->regions[r].name, sc->regions[p].name);
			count++;
		}
	return count;
}

long scenario_find_region(const struct scenario *sc, const char *name)
{
	for (size_t i = 0; i < sc->nregions; i++)
		if (sc->regions[i].name && strcmp(sc->regions[i].name, name) == 0)
			return (long)i;
	return -1;
}

long scenario_find_instance_type(const struct scenario *sc, const char *name)
{
	for (size_t i = 0; i < sc->ninstance_types; i++)
		if (sc->instance_types[i].name && strcmp(sc->instance_types[i].name, name) == 0)
			return (long)i;
	return -1;
}

size_t scenario_value_notes(const struct scenario *sc, char *buf, size_t size)
{
	size_t len = 0, count = 0;
	buf[0] = '\0';
	/* Durations written as bare numbers are seconds: "latency_target": 600 is ten minutes,
	 * where "600ms" was meant. Past these bounds a value is more likely such a slip than a
	 * design (a batch job's service time of minutes is real, so it is not judged). */
	if (sc->has_slo && sc->slo.latency_target > 0) {
		/* A request is dropped at each tier's timeout, so the chain's latency stays below
		 * the sum of its visits × timeouts (plus service and network times): a target
		 * above that can never be missed. */
		double most = 0;
		for (long t = 0; t >= 0; t = sc->tiers[t].calls)
			most += sc->tiers[t].visits * sc->tiers[t].timeout;
		if (sc->slo.latency_target > most) {
			note(buf, size, &len, "note: slo.latency_target is %g s, above the %g s the "
			     "tiers' timeouts let a request wait: the latency SLO cannot be missed "
			     "(a bare number is seconds; \"%gms\" if milliseconds were meant)",
			     sc->slo.latency_target, most, sc->slo.latency_target);
			count++;
		}
	}
	for (size_t x = 0; sc->rtt && x < sc->nregions; x++)
		for (size_t y = x + 1; y < sc->nregions; y++)
			if (sc->rtt[x * sc->nregions + y] > 2) {
				double v = sc->rtt[x * sc->nregions + y];
				note(buf, size, &len, "note: the round trip between %s and %s is %g s "
				     "(a bare number is seconds); \"%gms\" if milliseconds were meant",
				     sc->regions[x].name, sc->regions[y].name, v, v);
				count++;
			}
	/* A fraction written as a percentage: 5 is +500 % a month. */
	if (!sc->traffic.has_trace && sc->traffic.growth_per_month > 1) {
		double g = sc->traffic.growth_per_month;
		note(buf, size, &len, "note: traffic.growth_per_month is %g, traffic growing "
		     "×%.3g a month (a fraction: %g for +%g %%)", g, 1 + g, g / 100, g);
		count++;
	}
	/* A commitment is held the whole horizon: past its term it is taken as renewed at the
	 * same price, which a reader could not guess. One note for all of them. */
	int shortest = -1;
	for (size_t i = 0; i < sc->nreservations; i++)
		if (shortest < 0 || sc->reservations[i].term < shortest)
			shortest = sc->reservations[i].term;
	for (size_t i = 0; i < sc->nsavings_plans; i++)
		if (shortest < 0 || sc->savings_plans[i].term < shortest)
			shortest = sc->savings_plans[i].term;
	if (shortest >= 0 && sc->horizon > CATALOG_TERM_HOURS(shortest) * 3600.0 + 1e-6) {
		note(buf, size, &len, "note: the horizon (%g days) is longer than a %s "
		     "commitment's term: it is taken as renewed at the same price when its term "
		     "ends (scenarios/README.md, reservations)", sc->horizon / 86400.0,
		     shortest == CATALOG_1Y ? "1-year" : "3-year");
		count++;
	}
	return count;
}
