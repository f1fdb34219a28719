/* files_parse.c — the parsers of dpkg's md5sums, file lists, Conffiles: and diversions
 * (files.h). Outside bytes: every line is bounded by the buffer, a line that does not parse is
 * skipped and counted, nothing is ever written past VERIFY_PATH_MAX. */
#include "config.h"

#include "verify/files.h"

#include "hex.h"
#include "omg_error.h"

#include <string.h>

size_t verify_canon_path(const char *p, size_t n, char *out)
{
	/* dpkg keys file names without their leading "/" and "./" (fsys_hash_find_node) */
	for (;;) {
		if (n && p[0] == '/')
			p++, n--;
		else if (n >= 2 && p[0] == '.' && p[1] == '/')
			p += 2, n -= 2;
		else
			break;
	}
	while (n && p[n - 1] == '/')
		n--;
	if (!n || n + 2 > VERIFY_PATH_MAX || memchr(p, 0, n))
		return 0;
	out[0] = '/';
	memcpy(out + 1, p, n);
	out[n + 1] = 0;
	return n + 1;
}

static int parse_md5(const char *s, uint8_t md5[16])
{
	for (int i = 0; i < 16; i++) {
		int hi = hex_value(s[2 * i]), lo = hex_value(s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		md5[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

/* The next line of BUF at *POS (without its '\n'); 0 at the end. A last line without a
 * newline still counts: dpkg refuses that file, a verifier checks what it can. */
static int next_line(const char *buf, size_t len, size_t *pos, const char **line, size_t *n)
{
	const char *nl;

	if (*pos >= len)
		return 0;
	*line = buf + *pos;
	nl = memchr(*line, '\n', len - *pos);
	*n = nl ? (size_t)(nl - *line) : len - *pos;
	*pos += *n + 1;
	return 1;
}

int verify_parse_md5sums(const char *buf, size_t len, verify_md5_fn fn, void *ctx, uint64_t *malformed)
{
	char path[VERIFY_PATH_MAX];
	const char *l;
	size_t pos = 0, n, plen;
	uint8_t md5[16];
	int rc;

	while (next_line(buf, len, &pos, &l, &n)) {
		if (!n)
			continue;
		if (n < 35 || l[32] != ' ' || l[33] != ' ' || parse_md5(l, md5) != 0 ||
		    !(plen = verify_canon_path(l + 34, n - 34, path))) {
			(*malformed)++;
			continue;
		}
		if ((rc = fn(ctx, path, plen, md5)) != OMG_OK)
			return rc;
	}
	return OMG_OK;
}

int verify_parse_list(const char *buf, size_t len, verify_md5_fn fn, void *ctx, uint64_t *malformed)
{
	char path[VERIFY_PATH_MAX];
	const char *l;
	size_t pos = 0, n, plen;
	int rc;

	while (next_line(buf, len, &pos, &l, &n)) {
		if (!n)
			continue;
		if (!(plen = verify_canon_path(l, n, path))) {
			/* "/." (the root, first in every list) canonicalizes to "/." itself: only
			 * an empty or overlong name lands here */
			(*malformed)++;
			continue;
		}
		if ((rc = fn(ctx, path, plen, NULL)) != OMG_OK)
			return rc;
	}
	return OMG_OK;
}

/* The last space-separated word of L[0..*N): its start; *N becomes the length before it. */
static const char *last_word(const char *l, size_t *n, size_t *wlen)
{
	size_t end = *n, start;

	while (end && (l[end - 1] == ' ' || l[end - 1] == '\t'))
		end--;
	start = end;
	while (start && l[start - 1] != ' ' && l[start - 1] != '\t')
		start--;
	*wlen = end - start;
	*n = start;
	return l + start;
}

int verify_parse_conffiles(const char *value, size_t len, verify_conf_fn fn, void *ctx, uint64_t *malformed)
{
	char path[VERIFY_PATH_MAX];
	const char *l, *w;
	size_t pos = 0, n, wl, plen;
	uint8_t md5[16];
	int rc;

	while (next_line(value, len, &pos, &l, &n)) {
		unsigned flags = 0;
		int have = 0;

		while (n && (l[0] == ' ' || l[0] == '\t'))
			l++, n--;
		if (!n)
			continue;
		/* from the end: flags, then the hash; the path may hold spaces */
		for (;;) {
			w = last_word(l, &n, &wl);
			if (wl == 8 && !memcmp(w, "obsolete", 8))
				flags |= VERIFY_CONF_OBSOLETE;
			else if (wl == 17 && !memcmp(w, "remove-on-upgrade", 17))
				flags |= VERIFY_CONF_REMOVE_ON_UPGRADE;
			else
				break;
		}
		if (wl == 11 && !memcmp(w, "newconffile", 11))
			flags |= VERIFY_CONF_NEW;
		else if (wl == 32 && parse_md5(w, md5) == 0)
			have = 1;
		else
			wl = 0;
		while (n && (l[n - 1] == ' ' || l[n - 1] == '\t'))
			n--;
		if (!wl || !(plen = verify_canon_path(l, n, path))) {
			(*malformed)++;
			continue;
		}
		if ((rc = fn(ctx, path, plen, have ? md5 : NULL, flags)) != OMG_OK)
			return rc;
	}
	return OMG_OK;
}

int verify_parse_diversions(const char *buf, size_t len, verify_divert_fn fn, void *ctx, uint64_t *malformed)
{
	char from[VERIFY_PATH_MAX], to[VERIFY_PATH_MAX], pkg[256];
	const char *l[3];
	size_t pos = 0, n[3];
	int rc;

	for (;;) {
		int got = 0;

		while (got < 3 && next_line(buf, len, &pos, &l[got], &n[got]))
			got++;
		if (got < 3) {
			if (got)
				(*malformed)++;
			return OMG_OK;
		}
		if (!verify_canon_path(l[0], n[0], from) || !verify_canon_path(l[1], n[1], to) || !n[2] ||
		    n[2] >= sizeof pkg || memchr(l[2], 0, n[2])) {
			(*malformed)++;
			continue;
		}
		memcpy(pkg, l[2], n[2]);
		pkg[n[2]] = 0;
		if ((rc = fn(ctx, from, to, strcmp(pkg, ":") ? pkg : NULL)) != OMG_OK)
			return rc;
	}
}
