/* A small scanner over raw JSON text that finds the line and column of the value at a path. */
#include "models/jsonloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sim/error.h"

struct scan {
	const char *t;
	size_t len, i;
	int depth;
};

/* Blank as cJSON sees it: any byte from 1 to 32 (a form feed, a stray control character), not
 * just JSON's four; else a value after one could not be located. */
static void skip_ws(struct scan *s)
{
	while (s->i < s->len && (unsigned char)s->t[s->i] - 1u < 32u)
		s->i++;
}

static int at(const struct scan *s, char c)
{
	return s->i < s->len && s->t[s->i] == c;
}

/* Moves past a string starting at s->i (the opening quote). Escapes are skipped as pairs so
 * that \" and \\ never end or extend the string wrongly. Raw control characters (a tab) are
 * let through, as cJSON lets them. */
static int skip_string(struct scan *s)
{
	if (!at(s, '"'))
		return CAPSIM_EPARSE;
	s->i++;
	while (s->i < s->len) {
		char c = s->t[s->i];
		if (c == '"') {
			s->i++;
			return 0;
		}
		s->i += c == '\\' ? 2 : 1;
	}
	return CAPSIM_EPARSE;
}

static int hex4(const char *p, unsigned *v)
{
	*v = 0;
	for (int k = 0; k < 4; k++) {
		char c = p[k];
		unsigned d;
		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			d = (unsigned)(c - 'A' + 10);
		else
			return -1;
		*v = *v << 4 | d;
	}
	return 0;
}

static size_t put_utf8(char *o, uint32_t cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xC0 | cp >> 6);
		o[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xE0 | cp >> 12);
		o[1] = (char)(0x80 | (cp >> 6 & 0x3F));
		o[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	o[0] = (char)(0xF0 | cp >> 18);
	o[1] = (char)(0x80 | (cp >> 12 & 0x3F));
	o[2] = (char)(0x80 | (cp >> 6 & 0x3F));
	o[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/* Decodes the string at s->i into a new NUL-terminated buffer (*out, caller frees) and moves
 * past it. The decoded text is never longer than the raw one: \uXXXX (6 bytes) gives at most
 * 3 bytes of UTF-8 and a surrogate pair (12 bytes) 4. */
static int decode_string(struct scan *s, char **out)
{
	size_t start = s->i;
	int rc = skip_string(s);
	if (rc)
		return rc;
	size_t end = s->i - 1;   /* the closing quote */
	char *o = malloc(end - start + 1), *w = o;
	if (!o)
		return CAPSIM_ENOMEM;
	for (size_t k = start + 1; k < end; k++) {
		char c = s->t[k];
		if (c != '\\') {
			*w++ = c;
			continue;
		}
		c = s->t[++k];
		switch (c) {
		case 'b': *w++ = '\b'; break;
		case 'f': *w++ = '\f'; break;
		case 'n': *w++ = '\n'; break;
		case 'r': *w++ = '\r'; break;
		case 't': *w++ = '\t'; break;
		case 'u': {
			unsigned hi, lo;
			if (end - k < 5 || hex4(s->t + k + 1, &hi) != 0)
				goto bad;
			k += 4;
			uint32_t cp = hi;
			if (hi >= 0xD800 && hi <= 0xDBFF && end - k > 6 && s->t[k + 1] == '\\' &&
			    s->t[k + 2] == 'u' && hex4(s->t + k + 3, &lo) == 0 && lo >= 0xDC00 &&
			    lo <= 0xDFFF) {
				cp = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
				k += 6;
			}
			w += put_utf8(w, cp);
			break;
		}
		default: *w++ = c; break;   /* \" \\ \/ */
		}
	}
	*w = '\0';
	*out = o;
	return 0;
bad:
	free(o);
	return CAPSIM_EPARSE;
}

static int skip_value(struct scan *s)
{
	int rc;
	skip_ws(s);
	if (s->i >= s->len)
		return CAPSIM_EPARSE;
	char c = s->t[s->i];
	if (c == '"')
		return skip_string(s);
	if (c == '{' || c == '[') {
		char close = c == '{' ? '}' : ']';
		if (++s->depth > JSONLOC_MAX_DEPTH)
			return CAPSIM_EPARSE;
		s->i++;
		skip_ws(s);
		if (at(s, close)) {
			s->i++;
			s->depth--;
			return 0;
		}
		for (;;) {
			if (c == '{') {
				skip_ws(s);
				if ((rc = skip_string(s)) != 0)
					return rc;
				skip_ws(s);
				if (!at(s, ':'))
					return CAPSIM_EPARSE;
				s->i++;
			}
			if ((rc = skip_value(s)) != 0)
				return rc;
			skip_ws(s);
			if (at(s, ',')) {
				s->i++;
				continue;
			}
			if (at(s, close)) {
				s->i++;
				s->depth--;
				return 0;
			}
			return CAPSIM_EPARSE;
		}
	}
	/* Numbers and literals: a run of the characters they are made of. */
	size_t start = s->i;
	while (s->i < s->len && strchr("0123456789+-.eEtruefalsn", s->t[s->i]) && s->t[s->i])
		s->i++;
	return s->i > start ? 0 : CAPSIM_EPARSE;
}

void jsonloc_line_col(const char *text, size_t len, size_t offset, int *line, int *col)
{
	int l = 1;
	size_t bol = 0;
	if (offset > len)
		offset = len;
	/* A line ends at "\n", "\r\n" or a lone "\r" (old Mac files). */
	for (size_t k = 0; k < offset; k++)
		if (text[k] == '\n' || (text[k] == '\r' && (k + 1 >= len || text[k + 1] != '\n'))) {
			l++;
			bol = k + 1;
		}
	*line = l;
	*col = (int)(offset - bol) + 1;
}

/* Moves from the '{' at s->i to the value of the wanted key occurrence. */
static int find_key(struct scan *s, const struct jsonloc_step *st, size_t *key_off)
{
	int rc;
	size_t seen = 0;
	s->i++;
	skip_ws(s);
	if (at(s, '}'))
		return CAPSIM_ENOTFOUND;
	for (;;) {
		char *key;
		skip_ws(s);
		*key_off = s->i;
		if ((rc = decode_string(s, &key)) != 0)
			return rc;
		int match = strcmp(key, st->key) == 0;
		free(key);
		skip_ws(s);
		if (!at(s, ':'))
			return CAPSIM_EPARSE;
		s->i++;
		skip_ws(s);
		if (match && seen++ == st->index)
			return 0;
		if ((rc = skip_value(s)) != 0)
			return rc;
		skip_ws(s);
		if (at(s, ',')) {
			s->i++;
			continue;
		}
		return at(s, '}') ? CAPSIM_ENOTFOUND : CAPSIM_EPARSE;
	}
}

/* Moves from the '[' at s->i to the element with the wanted index. */
static int find_index(struct scan *s, size_t index)
{
	int rc;
	s->i++;
	skip_ws(s);
	if (at(s, ']'))
		return CAPSIM_ENOTFOUND;
	for (size_t k = 0;; k++) {
		skip_ws(s);
		if (k == index)
			return 0;
		if ((rc = skip_value(s)) != 0)
			return rc;
		skip_ws(s);
		if (at(s, ',')) {
			s->i++;
			continue;
		}
		return at(s, ']') ? CAPSIM_ENOTFOUND : CAPSIM_EPARSE;
	}
}

int jsonloc_find(const char *text, size_t len, const struct jsonloc_step *steps, size_t n,
		 struct jsonloc_pos *pos)
{
	struct scan s = { text, len, 0, 0 };
	memset(pos, 0, sizeof *pos);
	/* cJSON skips a UTF-8 byte order mark (which editors on Windows write). */
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
		s.i = 3;
	skip_ws(&s);
	if (s.i >= len)
		return CAPSIM_EPARSE;
	pos->offset = s.i;
	jsonloc_line_col(text, len, s.i, &pos->line, &pos->col);
	for (size_t k = 0; k < n; k++) {
		size_t key_off = 0;
		int rc;
		if (steps[k].key) {
			if (!at(&s, '{'))
				return CAPSIM_ENOTFOUND;
			rc = find_key(&s, &steps[k], &key_off);
		} else {
			if (!at(&s, '['))
				return CAPSIM_ENOTFOUND;
			rc = find_index(&s, steps[k].index);
		}
		if (rc)
			return rc;
		if (s.i >= len)
			return CAPSIM_EPARSE;
		pos->offset = s.i;
		jsonloc_line_col(text, len, s.i, &pos->line, &pos->col);
		if (steps[k].key)
			jsonloc_line_col(text, len, key_off, &pos->key_line, &pos->key_col);
		else
			pos->key_line = pos->key_col = 0;
	}
	return 0;
}

int jsonloc_find_path(const char *text, size_t len, const char *path, struct jsonloc_pos *pos)
{
	size_t n = 0, plen = strlen(path);
	int rc = CAPSIM_EINVAL;
	/* At most one step per character (plus one), and the keys fit in one copy of the path. */
	struct jsonloc_step *steps = malloc((plen + 1) * sizeof *steps);
	char *keys = malloc(plen + 1), *kw = keys;
	if (!steps || !keys) {
		rc = CAPSIM_ENOMEM;
		goto out;
	}
	for (const char *p = path; *p;) {
		if (*p == '[') {
			char *end;
			p++;
			if (*p < '0' || *p > '9')
				goto out;
			unsigned long long v = strtoull(p, &end, 10);
			if (*end != ']')
				goto out;
			steps[n].key = NULL;
			steps[n++].index = (size_t)v;
			p = end + 1;
			continue;
		}
		if (*p == '.') {
			if (n == 0)
				goto out;
			p++;
		} else if (n != 0) {
			goto out;
		}
		size_t klen = strcspn(p, ".[");
		if (klen == 0)
			goto out;
		memcpy(kw, p, klen);
		kw[klen] = '\0';
		steps[n].key = kw;
		steps[n++].index = 0;
		kw += klen + 1;
		p += klen;
	}
	rc = jsonloc_find(text, len, steps, n, pos);
out:
	free(steps);
	free(keys);
	return rc;
}
