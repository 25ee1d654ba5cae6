/* Locating a JSON path in raw JSON text, for error messages that name a line.
 *
 * cJSON keeps no source positions, so when the scenario loader finds a bad value it asks
 * jsonloc where that value sits: jsonloc scans the raw text (strings with escapes, nested
 * objects and arrays, array indices) along a path of steps and returns the 1-based line and
 * column of the value and, when the last step is an object key, of that key. The scanner
 * never reads past `len`, never allocates more than one key's worth of memory at a time, and
 * reports CAPSIM_EPARSE for text that is not JSON rather than guessing. It reads what cJSON
 * reads, so that any value cJSON parsed can be located: a UTF-8 byte order mark at the start,
 * any byte from 1 to 32 as blank, raw control characters inside strings. Columns count bytes
 * (the byte order mark too). */
#ifndef CAPSIM_JSONLOC_H
#define CAPSIM_JSONLOC_H

#include <stddef.h>

/* One step of a path: an object key (key != NULL; `index` then says which occurrence of that
 * key in the object, 0 for the first — duplicates are legal in the text, so the loader can
 * point at the second one), or an array element (key == NULL; `index` is 0-based). */
struct jsonloc_step {
	const char *key;     /* decoded (unescaped) key, or NULL for an array element */
	size_t index;        /* array index, or occurrence of the key (0 = first) */
};

/* Where a path's value was found. */
struct jsonloc_pos {
	int line, col;          /* 1-based position of the value's first character */
	int key_line, key_col;  /* of the key's opening quote when the last step is a key, else 0 */
	size_t offset;          /* byte offset of the value in the text */
};

/* Maximum nesting the scanner follows (the same as cJSON's default limit). */
#define JSONLOC_MAX_DEPTH 1000

/* Finds the value at steps[0..n) in text[0..len). n == 0 means the root value. Returns 0 and
 * fills *pos; CAPSIM_ENOTFOUND if a key or index on the path does not exist (*pos then holds
 * the position of the deepest value that was found, so a caller can point at the object that
 * lacks a key); CAPSIM_EPARSE if the text is not well-formed JSON along the way;
 * CAPSIM_ENOMEM. */
int jsonloc_find(const char *text, size_t len, const struct jsonloc_step *steps, size_t n,
		 struct jsonloc_pos *pos);

/* The same with the path written as in capsim's messages: keys separated by '.', indices in
 * brackets, e.g. "tiers[1].autoscaling.target_tracking.target"; "" is the root. Keys that
 * contain '.' or '[' cannot be written this way (use jsonloc_find). CAPSIM_EINVAL for a
 * malformed path; otherwise as jsonloc_find. */
int jsonloc_find_path(const char *text, size_t len, const char *path, struct jsonloc_pos *pos);

/* 1-based line and column of byte `offset` in text (offset clamped to len). */
void jsonloc_line_col(const char *text, size_t len, size_t offset, int *line, int *col);

#endif
