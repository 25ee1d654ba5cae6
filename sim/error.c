/* Error texts and the invariant-failure handler. */
#include "sim/error.h"

#include <stdio.h>
#include <stdlib.h>

const char *capsim_strerror(int code)
{
	switch (code) {
	case CAPSIM_OK: return "success";
#define X(name, c, text) case (c): return (text);
	CAPSIM_ERRORS(X)
#undef X
	}
	return "unknown error";
}

_Noreturn void capsim_panic(const char *file, int line, const char *expr)
{
	/* The one place library code writes to stderr: a bug, about to abort. */
	fprintf(stderr, "capsim: internal error at %s:%d: %s\n", file, line, expr);
	abort();
}
