/* error.c — omg_strerror and the per-thread error detail. */
#include "config.h"
#include "omg_error.h"

#include <stdarg.h>
#include <stdio.h>

static _Thread_local char error_detail[512];

static const char *const error_names[OMG_E__COUNT] = {
	[OMG_OK] = "success",
	[OMG_E_SYS] = "system error",
	[OMG_E_NOMEM] = "out of memory",
	[OMG_E_INVAL] = "invalid argument",
	[OMG_E_TIMEOUT] = "timed out",
	[OMG_E_NODAEMON] = "omgd is not running",
	[OMG_E_PROTO] = "protocol error",
	[OMG_E_TOOBIG] = "too large",
	[OMG_E_NOTFOUND] = "not found",
	[OMG_E_CORRUPT] = "corrupt data",
	[OMG_E_STALE] = "stale data",
	[OMG_E_PERM] = "refused: ownership, mode or file type",
	[OMG_E_REMOTE] = "omgd reported an error",
	[OMG_E_VERSION] = "unsupported version",
};

const char *omg_strerror(int code)
{
	if (code < 0 || code >= OMG_E__COUNT)
		return "unknown error";
	return error_names[code];
}

const char *omg_errdetail(void)
{
	return error_detail;
}

int omg_error_set(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(error_detail, sizeof error_detail, fmt, ap);
	va_end(ap);
	return code;
}
