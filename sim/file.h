/* Reading a whole file into memory: the scenario, a traffic trace, the price catalog. */
#ifndef CAPSIM_FILE_H
#define CAPSIM_FILE_H

#include <stddef.h>

/* Reads the file at path. Returns a malloc'd buffer holding its bytes followed by a NUL (the
 * caller frees it) and sets *len to the byte count; or NULL with *err set to an errno value
 * (the fopen/fread error, or ENOMEM). */
char *file_read(const char *path, size_t *len, int *err);

#endif
