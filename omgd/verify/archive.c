/* archive.c — see archive.h. */
#include "config.h"
#include "archive.h"
#include "aptconf.h"
#include "aptdir.h"
#include "aptsources.h"
#include "deb822.h"
#include "dpkg/dpkg.h"
#include "grow.h"
#include "listfile.h"
#include "hex.h"
#include "omg_error.h"
#include "release.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <mbedtls/sha256.h>
#include <sys/stat.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define RELEASE_MAX (64u << 20)   /* a Release larger than this is not one */
#define READ_CHUNK (256u << 10)

struct cached_deb {
	char *name;               /* as apt stores it: NAME_VERSION_ARCH.deb, ':' as %3a */
	int known;                /* a verified list gives its hash */
	unsigned char sha256[32];
	uint64_t size;
};

struct archive_memo_entry {
	char *name;
	uint64_t dev, ino, size;
	int64_t mtime_ns, ctime_ns;
	unsigned char sha256[32];
};

struct names {
	char **v;
	size_t n, cap;
};

struct run {
	struct archive_report *r;
	const atomic_int *cancel;
	const struct archive_memo *memo; /* the last check's digests (read only) */
	int full;
	struct archive_memo next;        /* this check's */
	struct cached_deb *debs;
	size_t ndebs;
	size_t *touched;          /* debs given a hash by the list being read (undone if it is bad) */
	size_t ntouched, captouched;
};

static int names_add(struct names *ns, const char *name)
{
	if (omg_grow(&ns->v, &ns->cap, ns->n + 1, sizeof *ns->v, OMG_GROW_UNBOUNDED) != OMG_OK)
			return OMG_ERROR(OMG_E_NOMEM, "lists");
	if (!(ns->v[ns->n] = strdup(name)))
		return OMG_ERROR(OMG_E_NOMEM, "lists");
	ns->n++;
	return OMG_OK;
}

static void names_free(struct names *ns)
{
	for (size_t i = 0; i < ns->n; i++)
		free(ns->v[i]);
	free(ns->v);
	memset(ns, 0, sizeof *ns);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The regular files of DIR whose names end with SUFFIX ("" for all), sorted, links to regular
 * files included (apt links a file: source's uncompressed lists; what they point to is hashed
 * like any list, so a link to a tampered copy is found); the other entries so named (FIFOs,
 * directories, dangling links) in ODD: they are not read (a FIFO would block), but they must
 * not pass unseen. */
static int read_names(const char *dir, const char *suffix, struct names *ns, struct names *odd)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t sl = strlen(suffix);
	int rc = OMG_OK;

	if (!d)
		return errno == ENOENT || errno == ENOTDIR ? OMG_OK : OMG_ERROR(OMG_E_SYS, "%s: %s", dir, strerror(errno));
	while (rc == OMG_OK && (de = readdir(d))) {
		size_t l = strlen(de->d_name);
		if (de->d_name[0] == '.' || l < sl || strcmp(de->d_name + l - sl, suffix))
			continue;
		if (de->d_type != DT_REG) {
			struct stat st;
			de->d_type = fstatat(dirfd(d), de->d_name, &st, 0) == 0 && S_ISREG(st.st_mode) ? DT_REG : DT_UNKNOWN;
		}
		rc = names_add(de->d_type == DT_REG ? ns : odd, de->d_name);
	}
	closedir(d);
	if (ns->n)
		qsort(ns->v, ns->n, sizeof *ns->v, by_name);
	if (odd->n)
		qsort(odd->v, odd->n, sizeof *odd->v, by_name);
	return rc;
}

static int deb_by_name(const void *key, const void *elem)
{
	return strcmp(key, ((const struct cached_deb *)elem)->name);
}

/* apt's name for a cached .deb: QuoteString of name, version ("_:") and architecture. */
static void apt_archive_name(const struct deb822_field *pkg, const struct deb822_field *ver,
			     const struct deb822_field *arch, char *out, size_t n)
{
	size_t at = 0;
	const struct deb822_field *parts[3] = { pkg, ver, arch };

	for (int i = 0; i < 3; i++) {
		for (size_t k = 0; k < parts[i]->value_len && at + 8 < n; k++) {
			unsigned char c = (unsigned char)parts[i]->value[k];
			if (c == '_' || c == ':' || c <= 0x20 || c >= 0x7f || c == '%')
				at += (size_t)snprintf(out + at, n - at, "%%%02x", c);
			else
				out[at++] = (char)c;
		}
		if (at + 5 < n)
			memcpy(out + at, i < 2 ? "_" : ".deb", i < 2 ? 2 : 5), at += i < 2 ? 1 : 4;
	}
	out[at < n ? at : n - 1] = 0;
}

/* 64 hex digits of a list's field (not NUL-terminated: only LEN bytes are read) */
static int parse_hex32(const char *s, size_t len, unsigned char *out)
{
	if (len != 64)
		return -1;
	for (int i = 0; i < 32; i++) {
		int hi = hex_value((unsigned char)s[2 * i]), lo = hex_value((unsigned char)s[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

/* Decimal digits of a list's field (LEN bytes); UINT64_MAX when absent or not a number. */
static uint64_t parse_size(const char *s, size_t len)
{
	uint64_t v = 0;

	if (!s || !len)
		return UINT64_MAX;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9' || v > (UINT64_MAX - 10) / 10)
			return UINT64_MAX;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	return v;
}

struct list_read {
	struct run *run;
	mbedtls_sha256_context sha;
	uint64_t bytes;
	int packages;             /* a Packages list: it names .debs */
};

/* The .debs of the cache that the paragraphs of BUF describe get their hash (for now). */
static int note_debs(struct run *run, const char *buf, size_t len)
{
	struct deb822_para para;
	size_t pos = 0;

	while (deb822_next_para(buf, len, &pos, &para)) {
		struct deb822_field f, pkg = { 0 }, ver = { 0 }, arch = { 0 }, sha = { 0 }, size = { 0 };
		struct cached_deb *d;
		size_t fpos = 0;
		char name[1024];
		while (deb822_next_field(&para, &fpos, &f) == 1) {
			if (deb822_is(&f, "Package")) pkg = f;
			else if (deb822_is(&f, "Version")) ver = f;
			else if (deb822_is(&f, "Architecture")) arch = f;
			else if (deb822_is(&f, "SHA256")) sha = f;
			else if (deb822_is(&f, "Size")) size = f;
		}
		if (!pkg.value || !ver.value || !arch.value || !sha.value)
			continue;
		apt_archive_name(&pkg, &ver, &arch, name, sizeof name);
		d = bsearch(name, run->debs, run->ndebs, sizeof *run->debs, deb_by_name);
		if (!d || d->known)
			continue;
		if (parse_hex32(sha.value, sha.value_len, d->sha256) != 0)
			continue;
		d->size = parse_size(size.value, size.value_len);
		d->known = 1;
		if (omg_grow(&run->touched, &run->captouched, run->ntouched + 1, sizeof *run->touched, OMG_GROW_UNBOUNDED) != OMG_OK)
				return OMG_ERROR(OMG_E_NOMEM, "cached packages");
		run->touched[run->ntouched++] = (size_t)(d - run->debs);
	}
	return OMG_OK;
}

static int on_list_chunk(void *ctx, const char *buf, size_t len, uint64_t base)
{
	struct list_read *lr = ctx;

	(void)base; /* chunks come in order and cover every byte */
	if (archive_cancelled(lr->run->cancel))
		return OMG_ERROR(OMG_E_TIMEOUT, "verification stopped");
	mbedtls_sha256_update_ret(&lr->sha, (const unsigned char *)buf, len);
	lr->bytes += len;
	if (lr->packages && lr->run->ndebs)
		return note_debs(lr->run, buf, len);
	return OMG_OK;
}

/* NAME's part without the compression suffix apt may have added. */
static size_t strip_compression(const char *name)
{
	static const char *const suffixes[] = { ".lz4", ".gz", ".xz", ".zst", ".bz2", ".lzma" };
	size_t n = strlen(name);

	for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
		size_t l = strlen(suffixes[i]);
		if (n > l && !strcmp(name + n - l, suffixes[i]))
			return n - l;
	}
	return n;
}

static int check_list(struct run *run, struct archive_source *s, const char *path, const struct release_entry *e)
{
	struct list_read lr = { .run = run };
	unsigned char got[32];
	char want_hex[65], got_hex[65], detail[300];
	size_t pl = strlen(path);
	int rc;

	lr.packages = pl >= 12 && strstr(path, "Packages") != NULL;
	run->ntouched = 0;
	mbedtls_sha256_init(&lr.sha);
	mbedtls_sha256_starts_ret(&lr.sha, 0);
	/* a Packages list by paragraphs (they name the cached .debs); any other index (apt-file's
	 * Contents has no blank line) as a raw stream */
	rc = lr.packages && run->ndebs ? listfile_read(path, on_list_chunk, &lr) : listfile_read_raw(path, on_list_chunk, &lr);
	mbedtls_sha256_finish_ret(&lr.sha, got);
	mbedtls_sha256_free(&lr.sha);
	s->lists++;
	run->r->bytes += lr.bytes;
	if (rc == OMG_E_TIMEOUT || rc == OMG_E_NOMEM)
		return rc;
	if (rc == OMG_OK && lr.bytes == e->size && !memcmp(got, e->sha256, 32))
		return OMG_OK;
	for (size_t i = 0; i < run->ntouched; i++)
		run->debs[run->touched[i]].known = 0; /* an unverified list vouches for nothing */
	s->lists_bad++;
	if (rc != OMG_OK)
		return archive_add_finding(run->r, ARCHIVE_LIST_UNREADABLE, path, omg_errdetail());
	hex_encode(e->sha256, 32, want_hex);
	hex_encode(got, 32, got_hex);
	if (lr.bytes != e->size)
		snprintf(detail, sizeof detail, "%llu bytes, signed: %llu", (unsigned long long)lr.bytes,
			 (unsigned long long)e->size);
	else
		snprintf(detail, sizeof detail, "sha256 %s, signed: %s", got_hex, want_hex);
	return archive_add_finding(run->r, ARCHIVE_LIST_CHANGED, path, detail);
}

/* A Release entry's path as apt names its list file, and its place in the Release. */
struct quoted {
	char *name;
	size_t idx;
};

static int by_quoted(const void *a, const void *b)
{
	const struct quoted *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : (x->idx > y->idx) - (x->idx < y->idx);
}

static int by_name_only(const void *a, const void *b)
{
	return strcmp(((const struct quoted *)a)->name, ((const struct quoted *)b)->name);
}

/* Reads the Release files of entry E (prefix PREFIX in LISTS) and checks them. */
static int check_source(struct run *run, const char *root, const char *lists, const struct aptsource *e,
			const char *prefix, const struct names *files, const struct names *odd, int64_t now)
{
	struct archive_source *s = &run->r->src[run->r->nsrc++];
	struct release_info rel = { 0 };
	char path[8300];
	struct quoted *quoted = NULL;
	char *buf = NULL, *gpg = NULL;
	size_t len = 0, glen = 0, plen = strlen(prefix), tlen = 0;
	const char *text = NULL;
	int rc = OMG_OK, ok;

	memset(s, 0, sizeof *s);
	s->date = s->valid_until = -1;
	s->dates = ARCHIVE_DATES_UNCHECKED;
	snprintf(s->desc, sizeof s->desc, "%s %s", e->uri, e->suite);
	snprintf(path, sizeof path, "%s/%sInRelease", lists, prefix);
	if ((rc = aptdir_read(path, RELEASE_MAX, &buf, &len)) != OMG_OK && rc != OMG_E_CORRUPT)
		goto done;
	if (!buf) {
		snprintf(path, sizeof path, "%s/%sRelease", lists, prefix);
		if ((rc = aptdir_read(path, RELEASE_MAX, &buf, &len)) != OMG_OK && rc != OMG_E_CORRUPT)
			goto done;
		if (buf) {
			char gpath[8300];
			snprintf(gpath, sizeof gpath, "%s/%sRelease.gpg", lists, prefix);
			if ((rc = aptdir_read(gpath, RELEASE_MAX, &gpg, &glen)) != OMG_OK && rc != OMG_E_CORRUPT)
				goto done;
		}
	}
	rc = OMG_OK;
	if (buf)
		snprintf(s->release, sizeof s->release, "%.4095s", path);
	if (!buf) {
		s->sig.verdict = ARCHIVE_SIG_MISSING;
		snprintf(s->sig.detail, sizeof s->sig.detail, "no InRelease or Release in %.200s", lists);
	} else if (e->trusted == 1 && !gpg && strncmp(buf, "-----BEGIN PGP SIGNED MESSAGE-----", 34)) {
		s->sig.verdict = ARCHIVE_SIG_TRUSTED;
		text = buf, tlen = len;
	} else if (!gpg && strncmp(path + strlen(path) - 9, "InRelease", 9)) {
		s->sig.verdict = e->trusted == 1 ? ARCHIVE_SIG_TRUSTED : ARCHIVE_SIG_UNSIGNED;
		text = buf, tlen = len;
	} else if ((rc = archive_sig_check(root, e, (const unsigned char *)buf, len, (const unsigned char *)gpg, glen,
					   now, &s->sig)) != OMG_OK) {
		goto done;
	} else if (e->trusted == 1 && s->sig.verdict != ARCHIVE_SIG_GOOD && s->sig.verdict != ARCHIVE_SIG_MALFORMED) {
		snprintf(s->sig.detail, sizeof s->sig.detail, "trusted=yes (the signature: %s)", archive_sig_name(s->sig.verdict));
		s->sig.verdict = ARCHIVE_SIG_TRUSTED;
	}
	if (s->sig.verdict == ARCHIVE_SIG_TRUSTED && !s->sig.detail[0])
		snprintf(s->sig.detail, sizeof s->sig.detail, "trusted=yes in the source: apt checks no signature");
	if (!text)
		text = s->sig.text, tlen = s->sig.text_len;
	ok = (s->sig.verdict == ARCHIVE_SIG_GOOD || s->sig.verdict == ARCHIVE_SIG_TRUSTED) && text;
	if (ok && release_parse(text, tlen, &rel) != OMG_OK) {
		snprintf(s->sig.detail, sizeof s->sig.detail, "signed, but not a Release: %s", omg_errdetail());
		s->sig.verdict = ARCHIVE_SIG_MALFORMED;
		ok = 0;
	}
	if (ok) {
		s->date = rel.date;
		s->valid_until = rel.valid_until;
		s->dates = rel.valid_until >= 0 && now > rel.valid_until ? ARCHIVE_DATES_EXPIRED
			   : rel.date >= 0 && rel.date > now + 10          ? ARCHIVE_DATES_FUTURE
									   : ARCHIVE_DATES_OK;
		if (rel.n && !(quoted = calloc(rel.n, sizeof *quoted))) {
			rc = OMG_ERROR(OMG_E_NOMEM, "Release");
			goto done;
		}
		for (size_t i = 0; i < rel.n; i++) {
			char q[4096];
			aptsources_quote(rel.v[i].path, strlen(rel.v[i].path), q, sizeof q);
			quoted[i].idx = i;
			if (!(quoted[i].name = strdup(q))) {
				rc = OMG_ERROR(OMG_E_NOMEM, "Release");
				goto done;
			}
		}
		/* sorted: a hostile Release of 100,000 entries and thousands of lists is a lookup each */
		if (rel.n)
			qsort(quoted, rel.n, sizeof *quoted, by_quoted);
	}
	for (size_t i = 0; rc == OMG_OK && i < files->n; i++) {
		const char *name = files->v[i], *rest = name + plen;
		const struct release_entry *hit = NULL;
		size_t stem;
		if (strncmp(name, prefix, plen) || !strcmp(rest, "InRelease") || !strcmp(rest, "Release") ||
		    !strcmp(rest, "Release.gpg"))
			continue;
		if (!ok) {
			s->lists_unchecked++;
			continue;
		}
		stem = strip_compression(rest);
		if (stem < sizeof path && rel.n) {
			struct quoted key = { path, 0 }, *q;
			memcpy(path, rest, stem);
			path[stem] = 0;
			if ((q = bsearch(&key, quoted, rel.n, sizeof *quoted, by_name_only))) {
				while (q > quoted && !strcmp(q[-1].name, path))
					q--; /* the Release's first entry of that name */
				hit = &rel.v[q->idx];
			}
		}
		snprintf(path, sizeof path, "%s/%s", lists, name);
		if (archive_cancelled(run->cancel)) {
			rc = OMG_ERROR(OMG_E_TIMEOUT, "verification stopped");
		} else if (!hit) {
			s->lists++;
			s->lists_bad++;
			rc = archive_add_finding(run->r, ARCHIVE_LIST_UNLISTED, path, "the signed Release names no such index");
		} else {
			rc = check_list(run, s, path, hit);
		}
	}
	/* what apt would follow, not read here: a link to a tampered copy must not pass unseen */
	for (size_t i = 0; rc == OMG_OK && i < odd->n; i++)
		if (!strncmp(odd->v[i], prefix, plen)) {
			snprintf(path, sizeof path, "%s/%s", lists, odd->v[i]);
			s->lists++;
			s->lists_bad++;
			rc = archive_add_finding(run->r, ARCHIVE_LIST_UNREADABLE, path, "not a regular file (a FIFO, a directory, a dangling link)");
		}
done:
	for (size_t i = 0; quoted && i < rel.n; i++)
		free(quoted[i].name);
	free(quoted);
	release_free(&rel);
	archive_sig_result_free(&s->sig); /* the text is parsed: only the verdict is kept */
	free(buf);
	free(gpg);
	return rc;
}

static int memo_by_name(const void *key, const void *elem)
{
	return strcmp(key, ((const struct archive_memo_entry *)elem)->name);
}

int archive_memo_add(struct archive_memo *m, const char *name, const struct stat *st, const unsigned char *sha)
{
	struct archive_memo_entry *e;

	if (omg_grow(&m->v, &m->cap, m->n + 1, sizeof *m->v, OMG_GROW_UNBOUNDED) != OMG_OK)
			return OMG_ERROR(OMG_E_NOMEM, "cached packages");
	e = &m->v[m->n];
	if (!(e->name = strdup(name)))
		return OMG_ERROR(OMG_E_NOMEM, "cached packages");
	e->dev = (uint64_t)st->st_dev, e->ino = (uint64_t)st->st_ino, e->size = (uint64_t)st->st_size;
	e->mtime_ns = (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
	e->ctime_ns = (int64_t)st->st_ctim.tv_sec * 1000000000 + st->st_ctim.tv_nsec;
	memcpy(e->sha256, sha, 32);
	m->n++;
	return OMG_OK;
}

const unsigned char *archive_memo_find(const struct archive_memo *m, const char *name, const struct stat *st)
{
	const struct archive_memo_entry *e;

	if (!m || !m->n || !(e = bsearch(name, m->v, m->n, sizeof *m->v, memo_by_name)))
		return NULL;
	if (e->dev != (uint64_t)st->st_dev || e->ino != (uint64_t)st->st_ino || e->size != (uint64_t)st->st_size ||
	    e->mtime_ns != (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec ||
	    e->ctime_ns != (int64_t)st->st_ctim.tv_sec * 1000000000 + st->st_ctim.tv_nsec)
		return NULL;
	return e->sha256;
}

static int memo_cmp(const void *a, const void *b)
{
	return strcmp(((const struct archive_memo_entry *)a)->name, ((const struct archive_memo_entry *)b)->name);
}

void archive_memo_sort(struct archive_memo *m)
{
	if (m->n)
		qsort(m->v, m->n, sizeof *m->v, memo_cmp);
}

void archive_memo_free(struct archive_memo *m)
{
	for (size_t i = 0; i < m->n; i++)
		free(m->v[i].name);
	free(m->v);
	m->v = NULL;
	m->n = m->cap = 0;
}

static int check_debs(struct run *run, const char *dir, const struct names *odd)
{
	unsigned char *chunk = malloc(READ_CHUNK);
	int rc = OMG_OK;

	if (!chunk)
		return OMG_ERROR(OMG_E_NOMEM, "cached packages");
	for (size_t i = 0; rc == OMG_OK && i < odd->n; i++) {
		char path[8300];
		snprintf(path, sizeof path, "%s/%s", dir, odd->v[i]);
		run->r->debs_bad++;
		rc = archive_add_finding(run->r, ARCHIVE_DEB_UNREADABLE, path, "not a regular file (a FIFO, a directory, a dangling link)");
	}
	for (size_t i = 0; rc == OMG_OK && i < run->ndebs; i++) {
		struct cached_deb *d = &run->debs[i];
		mbedtls_sha256_context sha;
		unsigned char got[32];
		const unsigned char *known;
		char path[8300], want_hex[65], got_hex[65], detail[300];
		uint64_t size = 0;
		struct stat st;
		ssize_t n = 0;
		int fd;
		if (!d->known) {
			run->r->debs_unknown++;
			continue;
		}
		run->r->debs++;
		snprintf(path, sizeof path, "%s/%s", dir, d->name);
		if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) < 0) {
			run->r->debs_bad++;
			rc = archive_add_finding(run->r, ARCHIVE_DEB_UNREADABLE, path, strerror(errno));
			continue;
		}
		if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
			close(fd);
			run->r->debs_bad++;
			rc = archive_add_finding(run->r, ARCHIVE_DEB_UNREADABLE, path, "not a regular file");
			continue;
		}
		if (d->size != UINT64_MAX && (uint64_t)st.st_size != d->size) { /* no need to read it */
			close(fd);
			run->r->debs_bad++;
			snprintf(detail, sizeof detail, "%llu bytes, its list: %llu", (unsigned long long)st.st_size,
				 (unsigned long long)d->size);
			rc = archive_add_finding(run->r, ARCHIVE_DEB_CHANGED, path, detail);
			continue;
		}
		if (!run->full && (known = archive_memo_find(run->memo, d->name, &st))) {
			memcpy(got, known, 32);
			size = (uint64_t)st.st_size;
		} else {
			mbedtls_sha256_init(&sha);
			mbedtls_sha256_starts_ret(&sha, 0);
			while ((n = read(fd, chunk, READ_CHUNK)) > 0 && !archive_cancelled(run->cancel)) {
				mbedtls_sha256_update_ret(&sha, chunk, (size_t)n);
				size += (uint64_t)n;
			}
			mbedtls_sha256_finish_ret(&sha, got);
			mbedtls_sha256_free(&sha);
			run->r->bytes += size;
		}
		/* remembered as read, right or wrong: a changed file has a new stat anyway */
		if (n >= 0 && !archive_cancelled(run->cancel) && fstat(fd, &st) == 0 &&
		    (rc = archive_memo_add(&run->next, d->name, &st, got)) != OMG_OK) {
			close(fd);
			break;
		}
		close(fd);
		if (archive_cancelled(run->cancel)) {
			rc = OMG_ERROR(OMG_E_TIMEOUT, "verification stopped");
		} else if (n < 0) {
			run->r->debs_bad++;
			rc = archive_add_finding(run->r, ARCHIVE_DEB_UNREADABLE, path, strerror(errno));
		} else if (memcmp(got, d->sha256, 32) || (d->size != UINT64_MAX && size != d->size)) {
			run->r->debs_bad++;
			hex_encode(d->sha256, 32, want_hex);
			hex_encode(got, 32, got_hex);
			snprintf(detail, sizeof detail, "sha256 %s, its list: %s", got_hex, want_hex);
			rc = archive_add_finding(run->r, ARCHIVE_DEB_CHANGED, path, detail);
		}
	}
	free(chunk);
	return rc;
}

int archive_verify(const char *root, int64_t now, const atomic_int *cancel, struct archive_memo *memo, int full,
		   struct archive_report *r)
{
	struct run run = { .r = r, .cancel = cancel, .memo = memo, .full = full };
	struct aptconf conf = { 0 };
	struct aptsources srcs = { 0 };
	struct names files = { 0 }, debs = { 0 }, prefixes = { 0 }, odd_files = { 0 }, odd_debs = { 0 };
	char state[4096], lists[4096], cache[4096], archives[4096], prefix[4096];
	int rc;

	memset(r, 0, sizeof *r);
	if ((rc = aptconf_load(&conf, root)) != OMG_OK || (rc = aptsources_load(&srcs, root)) != OMG_OK)
		goto fail;
	deb_join_dir(state, sizeof state, root, aptconf_get(&conf, "dir::state", "var/lib/apt/"));
	deb_join_dir(lists, sizeof lists, state, aptconf_get(&conf, "dir::state::lists", "lists/"));
	deb_join_dir(cache, sizeof cache, root, aptconf_get(&conf, "dir::cache", "var/cache/apt/"));
	deb_join_dir(archives, sizeof archives, cache, aptconf_get(&conf, "dir::cache::archives", "archives/"));
	for (char *d = lists; d; d = d == lists ? archives : NULL) /* paths are joined with '/' below */
		for (size_t l = strlen(d); l > 1 && d[l - 1] == '/'; l--)
			d[l - 1] = 0;
	if ((rc = read_names(lists, "", &files, &odd_files)) != OMG_OK ||
	    (rc = read_names(archives, ".deb", &debs, &odd_debs)) != OMG_OK)
		goto fail;
	if (debs.n && !(run.debs = calloc(debs.n, sizeof *run.debs))) {
		rc = OMG_ERROR(OMG_E_NOMEM, "cached packages");
		goto fail;
	}
	for (size_t i = 0; i < debs.n; i++) {
		run.debs[i].name = debs.v[i]; /* sorted: bsearch by name */
		debs.v[i] = NULL;
	}
	run.ndebs = debs.n;
	if (srcs.n && !(r->src = calloc(srcs.n, sizeof *r->src))) {
		rc = OMG_ERROR(OMG_E_NOMEM, "sources");
		goto fail;
	}
	for (size_t i = 0; i < srcs.n; i++) {
		int seen = 0;
		aptsource_release_prefix(&srcs.v[i], prefix, sizeof prefix);
		for (size_t k = 0; k < prefixes.n && !seen; k++)
			seen = !strcmp(prefixes.v[k], prefix); /* one Release for the entries of one suite */
		if (seen)
			continue;
		if ((rc = names_add(&prefixes, prefix)) != OMG_OK ||
		    (rc = check_source(&run, root, lists, &srcs.v[i], prefix, &files, &odd_files, now)) != OMG_OK)
			goto fail;
	}
	rc = check_debs(&run, archives, &odd_debs);
	if (rc == OMG_OK && memo) {
		archive_memo_free(memo);
		*memo = run.next;
		memset(&run.next, 0, sizeof run.next);
	}
fail:
	archive_memo_free(&run.next);
	for (size_t i = 0; i < run.ndebs; i++)
		free(run.debs[i].name);
	free(run.debs);
	free(run.touched);
	names_free(&files);
	names_free(&debs);
	names_free(&prefixes);
	names_free(&odd_files);
	names_free(&odd_debs);
	aptsources_free(&srcs);
	aptconf_free(&conf);
	return rc;
}

int archive_add_finding(struct archive_report *r, uint8_t problem, const char *path, const char *detail)
{
	struct archive_finding *f;

	if (omg_grow(&r->find, &r->capfind, r->nfind + 1, sizeof *r->find, OMG_GROW_UNBOUNDED) != OMG_OK)
			return OMG_ERROR(OMG_E_NOMEM, "findings");
	f = &r->find[r->nfind];
	f->problem = problem;
	f->path = strdup(path);
	f->detail = strdup(detail);
	if (!f->path || !f->detail) {
		free(f->path), free(f->detail);
		return OMG_ERROR(OMG_E_NOMEM, "findings");
	}
	r->nfind++;
	return OMG_OK;
}

int archive_source_ok(const struct archive_source *s)
{
	return (s->sig.verdict == ARCHIVE_SIG_GOOD || s->sig.verdict == ARCHIVE_SIG_TRUSTED) &&
	       s->dates == ARCHIVE_DATES_OK && !s->lists_bad;
}

void archive_report_free(struct archive_report *r)
{
	for (size_t i = 0; i < r->nfind; i++) {
		free(r->find[i].path);
		free(r->find[i].detail);
	}
	free(r->find);
	free(r->src);
	memset(r, 0, sizeof *r);
}
