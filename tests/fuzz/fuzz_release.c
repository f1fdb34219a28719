/* fuzz_release.c — libFuzzer target: arbitrary bytes as the signed text of a Release
 * (omgd/verify/release.h's release_parse) and as one RFC 1123 date (release_date). Every
 * entry kept must have a path that is non-empty, NUL-free, space-free and at most
 * RELEASE_PATH_MAX bytes, there are at most RELEASE_ENTRIES_MAX of them, release_find must
 * find each path again, a failure must leave the result empty, and a date that parses must be
 * one timegm can give back (1970..9999). ASan/UBSan: no read or write out of bounds. */
#include "config.h"
#include "omg_error.h"
#include "verify/release.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void check_release(const char *text, size_t len)
{
	struct release_info r;
	int rc = release_parse(text, len, &r);

	if (rc != OMG_OK) {
		if (r.n || r.v || r.date != -1 || r.valid_until != -1)
			abort();
		return;
	}
	if (r.n > RELEASE_ENTRIES_MAX)
		abort();
	for (size_t i = 0; i < r.n; i++) {
		const char *p = r.v[i].path;
		size_t n = strlen(p);
		if (!n || n > RELEASE_PATH_MAX || strchr(p, ' '))
			abort();
		const struct release_entry *e = release_find(&r, p, n);
		if (!e || strcmp(e->path, p))
			abort();
	}
	if (r.date < -1 || r.valid_until < -1 || r.date > 253402300800LL || r.valid_until > 253402300800LL)
		abort();
	release_free(&r);
	if (r.n || r.v)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* the whole input as a Release (its bytes need not end with NUL: copied without one) */
	char *text = malloc(size ? size : 1);
	int64_t t = 0;

	if (!text)
		return 0;
	memcpy(text, data, size);
	check_release(text, size);
	/* the input as one date; the date parser copies at most 63 bytes */
	if (release_date(text, size, &t) == OMG_OK && (t < 0 || t > 253402300800LL))
		abort();
	/* and as a Date field inside a minimal Release */
	if (size < 200) {
		char buf[512];
		int n = snprintf(buf, sizeof buf, "Origin: x\nDate: %.*s\nSHA256:\n %064d 1 main/Packages\n", (int)size,
				 (const char *)data, 0);
		if (n > 0 && (size_t)n < sizeof buf)
			check_release(buf, (size_t)n);
	}
	free(text);
	return 0;
}
