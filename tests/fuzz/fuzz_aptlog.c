/* fuzz_aptlog.c — libFuzzer target: arbitrary bytes as apt's history.log, dpkg.log and
 * pacman.log (omgd/pmlog.h): never a crash, every entry freed, the tail inside the input. */
#include "config.h"
#include "omg_error.h"
#include "pmlog.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int drop(struct pmlog_entry *e, void *ctx)
{
	size_t *n = ctx;

	if (e->offset > *n)
		abort(); /* an entry must begin inside what was parsed */
	pmlog_entry_free(e);
	return 0;
}

static int cmp(const char *a, const char *b)
{
	return strcmp(a, b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	size_t tail, n = size;

	pmlog_parse_apt(buf, size, drop, &n, &tail);
	if (tail > size)
		abort();
	pmlog_parse_dpkg(buf, size, cmp, drop, &n, &tail);
	if (tail > size)
		abort();
	pmlog_parse_pacman(buf, size, drop, &n, &tail);
	if (tail > size)
		abort();
	return 0;
}
