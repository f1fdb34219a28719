/* listfile.c — see listfile.h. */
#include "config.h"
#include "listfile.h"
#include "grow.h"
#include "omg_error.h"

#include <archive.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHUNK (256u << 10)
#define PARA_MAX (16u << 20) /* a paragraph larger than this is not a package list */

static struct archive *open_stream(const char *path)
{
	struct archive *a = archive_read_new();

	if (!a)
		return NULL;
	archive_read_support_filter_all(a);
	archive_read_support_format_raw(a);
	archive_read_support_format_empty(a);
	if (archive_read_open_filename(a, path, CHUNK) != ARCHIVE_OK) {
		OMG_ERROR(OMG_E_SYS, "%s: %s", path, archive_error_string(a));
		archive_read_free(a);
		return NULL;
	}
	return a;
}

/* Where a stream's buffers are cut: after a paragraph, after a line, or anywhere (hashing). */
enum cut { CUT_PARAGRAPHS, CUT_LINES, CUT_NONE };

/* End of the last paragraph separator (a blank line) in BUF, or of the last line in CUT_LINES
 * mode, or LEN in CUT_NONE mode; 0 when there is none yet. */
static size_t last_boundary(const char *buf, size_t len, enum cut lines)
{
	if (lines == CUT_NONE)
		return len;
	for (size_t i = len; i >= 2; i--)
		if (buf[i - 1] == '\n' && (lines == CUT_LINES || buf[i - 2] == '\n'))
			return i;
	return 0;
}

static int read_stream(const char *path, listfile_fn fn, void *ctx, enum cut lines);

int listfile_read(const char *path, listfile_fn fn, void *ctx)
{
	return read_stream(path, fn, ctx, CUT_PARAGRAPHS);
}

int listfile_read_lines(const char *path, listfile_fn fn, void *ctx)
{
	return read_stream(path, fn, ctx, CUT_LINES);
}

static int read_stream(const char *path, listfile_fn fn, void *ctx, enum cut lines)
{
	struct archive *a = open_stream(path);
	struct archive_entry *entry;
	char *buf = NULL;
	size_t cap = CHUNK * 2, have = 0;
	uint64_t base = 0;
	int rc = OMG_OK, r;

	if (!a)
		return OMG_E_SYS;
	r = archive_read_next_header(a, &entry);
	if (r == ARCHIVE_EOF)
		goto done; /* an empty file */
	if (r != ARCHIVE_OK) {
		rc = OMG_ERROR(OMG_E_CORRUPT, "%s: %s", path, archive_error_string(a));
		goto done;
	}
	if (!(buf = malloc(cap))) {
		rc = OMG_ERROR(OMG_E_NOMEM, "reading %s", path);
		goto done;
	}
	for (;;) {
		la_ssize_t n;
		size_t cut;
		if ((rc = omg_grow(&buf, &cap, have + CHUNK, 1, PARA_MAX)) != OMG_OK) {
			rc = rc == OMG_E_TOOBIG ? OMG_ERROR(OMG_E_CORRUPT, "%s: paragraph over %u bytes", path, PARA_MAX)
						: OMG_ERROR(OMG_E_NOMEM, "reading %s", path);
			goto done;
		}
		n = archive_read_data(a, buf + have, cap - have);
		if (n < 0) {
			/* A truncated or damaged stream: keep what was whole, report the rest. */
			cut = last_boundary(buf, have, lines);
			if (cut && (r = fn(ctx, buf, cut, base)) != 0)
				rc = r;
			else
				rc = OMG_ERROR(OMG_E_CORRUPT, "%s: %s", path, archive_error_string(a));
			goto done;
		}
		if (n == 0) {
			if (have)
				rc = fn(ctx, buf, have, base);
			goto done;
		}
		have += (size_t)n;
		cut = last_boundary(buf, have, lines);
		if (!cut)
			continue;
		if ((r = fn(ctx, buf, cut, base)) != 0) {
			rc = r;
			goto done;
		}
		memmove(buf, buf + cut, have - cut);
		have -= cut;
		base += cut;
	}
done:
	free(buf);
	archive_read_free(a);
	return rc;
}

int listfile_read_raw(const char *path, listfile_fn fn, void *ctx)
{
	return read_stream(path, fn, ctx, CUT_NONE);
}

struct whole {
	char *p;
	size_t n, cap, max;
	const char *what;
};

static int add_whole(void *ctx, const char *buf, size_t len, uint64_t base)
{
	struct whole *w = ctx;

	(void)base;
	if (w->n + len > w->max)
		return OMG_ERROR(OMG_E_TOOBIG, "%s: over %zu bytes", w->what, w->max);
	if (omg_grow(&w->p, &w->cap, w->n + len + 2, 1, OMG_GROW_UNBOUNDED) != OMG_OK)
		return OMG_ERROR(OMG_E_NOMEM, "%s", w->what);
	memcpy(w->p + w->n, buf, len);
	w->n += len;
	return 0;
}

int listfile_read_all(const char *path, size_t max, const char *what, char **out, size_t *len)
{
	struct whole w = { .max = max, .what = what };
	int rc = listfile_read_raw(path, add_whole, &w);

	if (rc == OMG_OK && !w.p && !(w.p = malloc(2)))
		rc = OMG_ERROR(OMG_E_NOMEM, "%s", what);
	if (rc != OMG_OK) {
		free(w.p);
		return rc;
	}
	w.p[w.n] = 0;
	*out = w.p;
	*len = w.n;
	return OMG_OK;
}

int listfile_extract(const char *path, int compressed, uint64_t off, uint32_t len, char *out)
{
	struct archive *a;
	struct archive_entry *entry;
	uint64_t skipped = 0;
	char scratch[64 << 10];
	size_t got = 0;

	if (!compressed) {
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		ssize_t n;
		if (fd < 0)
			return OMG_ERROR(OMG_E_SYS, "open %s: %s", path, strerror(errno));
		n = pread(fd, out, len, (off_t)off);
		close(fd);
		if (n != (ssize_t)len)
			return OMG_ERROR(OMG_E_CORRUPT, "%s changed since it was indexed", path);
		out[len] = 0;
		return OMG_OK;
	}
	if (!(a = open_stream(path)))
		return OMG_E_SYS;
	if (archive_read_next_header(a, &entry) != ARCHIVE_OK)
		goto short_read;
	while (skipped < off) {
		size_t want = off - skipped < sizeof scratch ? (size_t)(off - skipped) : sizeof scratch;
		la_ssize_t n = archive_read_data(a, scratch, want);
		if (n <= 0)
			goto short_read;
		skipped += (uint64_t)n;
	}
	while (got < len) {
		la_ssize_t n = archive_read_data(a, out + got, len - got);
		if (n <= 0)
			goto short_read;
		got += (size_t)n;
	}
	archive_read_free(a);
	out[len] = 0;
	return OMG_OK;
short_read:
	archive_read_free(a);
	return OMG_ERROR(OMG_E_CORRUPT, "%s changed since it was indexed", path);
}
