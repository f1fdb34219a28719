/* fuzz_md5sums.c — libFuzzer target: arbitrary bytes as dpkg's md5sums, .list, a Conffiles:
 * value and the diversions file (omgd/verify/files.h's parsers). Every path handed to a
 * callback must be canonical (one leading '/', no trailing '/', no NUL, shorter than
 * VERIFY_PATH_MAX), and the parsers must never read or write out of bounds (ASan). */
#include "config.h"
#include "omg_error.h"
#include "verify/files.h"

#include <stdlib.h>
#include <string.h>

static void check_path(const char *p, size_t n)
{
	if (n == 0 || n >= VERIFY_PATH_MAX || strlen(p) != n || p[0] != '/' || (n > 1 && p[n - 1] == '/'))
		abort();
}

static int on_md5(void *ctx, const char *path, size_t plen, const uint8_t md5[16])
{
	(void)ctx;
	(void)md5;
	check_path(path, plen);
	return OMG_OK;
}

static int on_conf(void *ctx, const char *path, size_t plen, const uint8_t *md5, unsigned flags)
{
	(void)ctx;
	check_path(path, plen);
	if ((flags & VERIFY_CONF_NEW) && md5)
		abort();
	return OMG_OK;
}

static int on_divert(void *ctx, const char *from, const char *to, const char *pkg)
{
	(void)ctx;
	check_path(from, strlen(from));
	check_path(to, strlen(to));
	if (pkg && (!pkg[0] || !strcmp(pkg, ":")))
		abort();
	return OMG_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* a copy of exactly SIZE bytes, not NUL-terminated: the parsers must stay inside it */
	char *buf = malloc(size ? size : 1), out[VERIFY_PATH_MAX];
	uint64_t bad = 0;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	verify_parse_md5sums(buf, size, on_md5, NULL, &bad);
	verify_parse_list(buf, size, on_md5, NULL, &bad);
	verify_parse_conffiles(buf, size, on_conf, NULL, &bad);
	verify_parse_diversions(buf, size, on_divert, NULL, &bad);
	if (verify_canon_path(buf, size, out))
		check_path(out, strlen(out));
	free(buf);
	return 0;
}
