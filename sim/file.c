/* Whole-file reads with a growing buffer. */
#include "sim/file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

char *file_read(const char *path, size_t *len, int *err)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0;
	if (!f) {
		*err = errno;
		return NULL;
	}
	for (;;) {
		if (cap - n < 4096) {
			char *nb = realloc(buf, cap = cap ? 2 * cap : 65536);
			if (!nb) {
				*err = ENOMEM;
				goto fail;
			}
			buf = nb;
		}
		size_t m = fread(buf + n, 1, cap - n - 1, f);
		n += m;
		if (m == 0)
			break;
	}
	if (ferror(f)) {
		*err = errno ? errno : EIO;
		goto fail;
	}
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
fail:
	fclose(f);
	free(buf);
	return NULL;
}
