/* version.c — split a version into epoch, upstream and revision on the stack (libdpkg's
 * parseversion allocates from a pool that is never freed) and let libdpkg compare. */
#include "config.h"
#include "version.h"

#define LIBDPKG_VOLATILE_API 1
#include <dpkg/version.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

struct split_version {
	struct dpkg_version v;
	char buf[256];
	int ok;
};

static void version_split(const char *s, struct split_version *out)
{
	const char *colon, *dash;
	size_t n;
	char *up;

	out->ok = 0;
	while (*s == ' ')
		s++;
	n = strlen(s);
	if (n == 0 || n >= sizeof out->buf)
		return;
	memcpy(out->buf, s, n + 1);
	up = out->buf;
	out->v.epoch = 0;
	colon = strchr(up, ':');
	if (colon) {
		char *end;
		unsigned long e = strtoul(up, &end, 10);
		if (end != colon || e > 0x7fffffffUL || !isdigit((unsigned char)*up))
			return;
		out->v.epoch = (unsigned)e;
		up = (char *)colon + 1;
	}
	dash = strrchr(up, '-');
	if (dash) {
		*(char *)dash = 0;
		out->v.revision = dash + 1;
	} else {
		out->v.revision = "";
	}
	out->v.version = up;
	out->ok = *up != 0;
}

int deb_version_compare(const char *a, const char *b)
{
	struct split_version va, vb;

	version_split(a, &va);
	version_split(b, &vb);
	if (va.ok && vb.ok)
		return dpkg_version_compare(&va.v, &vb.v);
	if (va.ok != vb.ok)
		return va.ok ? 1 : -1;
	return strcmp(a, b);
}

int deb_version_satisfies(const char *have, const char *op, const char *want)
{
	int c = deb_version_compare(have, want);

	if (!strcmp(op, ">=") || !strcmp(op, ">"))
		return c >= 0;
	if (!strcmp(op, "<=") || !strcmp(op, "<"))
		return c <= 0;
	if (!strcmp(op, ">>"))
		return c > 0;
	if (!strcmp(op, "<<"))
		return c < 0;
	if (!strcmp(op, "="))
		return c == 0;
	return 0;
}
