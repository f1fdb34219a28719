/* omg_error.h — status codes shared by every omg module.
 *
 * Contract: every fallible omg_* function returns an int, OMG_OK (0) on success or
 * one of the positive codes below. omg_strerror() names a code; omg_errdetail()
 * gives the last failure's detail text for the calling thread (set by OMG_ERROR,
 * the one error-reporting macro library code uses; it never prints).
 */
#ifndef OMG_ERROR_H
#define OMG_ERROR_H

enum omg_err {
	OMG_OK = 0,
	OMG_E_SYS,        /* a system call failed; the detail names it and errno */
	OMG_E_NOMEM,      /* out of memory */
	OMG_E_INVAL,      /* bad argument or bad input (a package name, a query) */
	OMG_E_TIMEOUT,    /* a deadline passed */
	OMG_E_NODAEMON,   /* omgd is not running or does not accept connections */
	OMG_E_PROTO,      /* malformed frame or message */
	OMG_E_TOOBIG,     /* a frame or a value exceeds a documented limit */
	OMG_E_NOTFOUND,   /* no such package or file */
	OMG_E_CORRUPT,    /* a file's contents are invalid */
	OMG_E_STALE,      /* data older than its documented maximum age */
	OMG_E_PERM,       /* ownership, mode or file type refused */
	OMG_E_REMOTE,     /* omgd answered with an error (see the detail) */
	OMG_E_VERSION,    /* unsupported protocol or file format version */
	OMG_E__COUNT
};

const char *omg_strerror(int code);
const char *omg_errdetail(void);

/* Records a formatted detail for this thread and returns CODE. */
int omg_error_set(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* OMG_ERROR(CODE, FMT, ...): records the detail, and is an expression whose value is CODE
 * (`return OMG_ERROR(OMG_E_NOMEM, "index");`). The value is CODE itself, not what an
 * out-of-line function returns, so that the analyzers (scan-build, cppcheck) see which code
 * a failing path returns. CODE is evaluated twice: pass a constant or a plain variable. */
static inline int omg_error_code(int code, int recorded)
{
	(void)recorded;
	return code;
}
#define OMG_ERROR(code, ...) omg_error_code((code), omg_error_set((code), __VA_ARGS__))

#endif
