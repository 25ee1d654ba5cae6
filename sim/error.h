/* Error codes shared by every layer of capsim, and the invariant check.
 *
 * Library functions return int: 0 on success or a negative CAPSIM_E* code from the one
 * table below; capsim_strerror() names it. Rich messages (file, line, JSON path) travel in
 * caller-provided buffers, never to stderr. A broken invariant is a bug, not bad input:
 * CAPSIM_ASSERT aborts with file and line in every build. */
#ifndef CAPSIM_ERROR_H
#define CAPSIM_ERROR_H

#define CAPSIM_ERRORS(X)                                              \
	X(NOMEM,      -1, "out of memory")                            \
	X(INVAL,      -2, "invalid argument")                         \
	X(RANGE,      -3, "value out of range")                       \
	X(UNSTABLE,   -4, "unstable: utilisation is at or above 1")   \
	X(IO,         -5, "input/output error")                       \
	X(PARSE,      -6, "malformed input")                          \
	X(NOTFOUND,   -7, "not found")                                \
	X(INFEASIBLE, -8, "no candidate meets the targets")           \
	X(NOCONV,     -9, "numerical method did not converge")        \
	X(THREAD,    -10, "could not start a thread")

enum capsim_error {
	CAPSIM_OK = 0,
#define X(name, code, text) CAPSIM_E##name = (code),
	CAPSIM_ERRORS(X)
#undef X
};

/* Returns a static, human-readable text for an error code (never NULL). */
const char *capsim_strerror(int code);

/* Prints "capsim: internal error at FILE:LINE: EXPR" and aborts. Never returns. */
_Noreturn void capsim_panic(const char *file, int line, const char *expr);

#define CAPSIM_ASSERT(e) ((e) ? (void)0 : capsim_panic(__FILE__, __LINE__, #e))

#endif
