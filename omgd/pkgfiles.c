/* pkgfiles.c — see pkgfiles.h. */
#include "config.h"
#include "pkgfiles.h"
#include "omg_error.h"
#include "listfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The whole of PATH if it is a regular file of at most PKGFILES_MAX bytes (NUL-terminated). */
static int slurp(const char *path, char **out, size_t *len)
{
	struct stat st;
	char *buf = NULL;
	size_t n = 0;
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY), rc;

	*out = NULL;
	if (fd < 0)
		return errno == ENOENT ? OMG_E_NOTFOUND : OMG_ERROR(OMG_E_SYS, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		rc = OMG_ERROR(OMG_E_INVAL, "%s: not a regular file", path);
		goto fail;
	}
	if ((uint64_t)st.st_size > PKGFILES_MAX) {
		rc = OMG_ERROR(OMG_E_TOOBIG, "%s: larger than %u MiB", path, PKGFILES_MAX >> 20);
		goto fail;
	}
	if (!(buf = malloc((size_t)st.st_size + 1))) {
		rc = OMG_ERROR(OMG_E_NOMEM, "%s", path);
		goto fail;
	}
	while (n < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + n, (size_t)st.st_size - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break; /* shrank while read: what was there */
		n += (size_t)r;
	}
	buf[n] = 0;
	close(fd);
	*out = buf;
	*len = n;
	return OMG_OK;
fail:
	free(buf);
	close(fd);
	return rc;
}

static int installed(const struct db *db, uint32_t pkg)
{
	return pkg < db->npkgs && db->pkgs[pkg].inst != DB_NONE;
}

int pkgfiles_dpkg(const struct db *db, const char *root, uint32_t pkg, char **out, size_t *len)
{
	const struct db_pkg *p = &db->pkgs[pkg];
	char path[8192];
	int rc;

	char *format = NULL;
	size_t flen;

	if (!installed(db, pkg))
		return OMG_ERROR(OMG_E_NOTFOUND, "not installed");
	/* dpkg names the list NAME:ARCH.list for Multi-Arch: same packages once its database is
	 * in the multiarch format (info/format says 1), else NAME.list; a package that is not
	 * Multi-Arch: same never has the first, so both are tried, in that order. */
	snprintf(path, sizeof path, "%s/var/lib/dpkg/info/format", root);
	if (slurp(path, &format, &flen) == OMG_OK && atoi(format) >= 1) {
		snprintf(path, sizeof path, "%s/var/lib/dpkg/info/%s:%s.list", root, db_s(db, p->name), db_s(db, p->arch));
		if ((rc = slurp(path, out, len)) != OMG_E_NOTFOUND) {
			free(format);
			return rc;
		}
	}
	free(format);
	snprintf(path, sizeof path, "%s/var/lib/dpkg/info/%s.list", root, db_s(db, p->name));
	rc = slurp(path, out, len);
	return rc == OMG_E_NOTFOUND ? OMG_ERROR(OMG_E_NOTFOUND, "dpkg has no file list for it") : rc;
}

/* The build's DBPath/local (db inputs), or NULL. */
static const char *alpm_local(const struct db *db)
{
	for (uint32_t i = 0; i < db->ninputs; i++) {
		const char *s = db_s(db, db->inputs[i].path);
		size_t n = strlen(s);
		if (n >= 6 && !strcmp(s + n - 6, "/local"))
			return s;
	}
	return NULL;
}

/* pacman's files: "%FILES%" then one path a line, relative to the root, ended by a blank line
 * or another %SECTION%. Rewritten in place as absolute paths. */
int pkgfiles_alpm(const struct db *db, const char *root, uint32_t pkg, char **out, size_t *len)
{
	const struct db_pkg *p = &db->pkgs[pkg];
	const char *local = NULL;
	char path[8192], *raw, *line, *end, *w;
	size_t rawlen, cap;
	int rc, in_files = 0;

	(void)root;
	if (!installed(db, pkg))
		return OMG_ERROR(OMG_E_NOTFOUND, "not installed");
	if (!(local = alpm_local(db)))
		return OMG_ERROR(OMG_E_NOTFOUND, "no local database");
	snprintf(path, sizeof path, "%s/%s-%s/files", local, db_s(db, p->name),
		 db_s(db, db->vers[p->inst].version));
	if ((rc = slurp(path, &raw, &rawlen)) != OMG_OK)
		return rc == OMG_E_NOTFOUND ? OMG_ERROR(OMG_E_NOTFOUND, "pacman has no file list for it") : rc;
	cap = rawlen * 2 + 2; /* a '/' more a line at most */
	if (!(*out = w = malloc(cap))) {
		free(raw);
		return OMG_ERROR(OMG_E_NOMEM, "%s", path);
	}
	for (line = raw; line < raw + rawlen; line = end + 1) {
		end = memchr(line, '\n', (size_t)(raw + rawlen - line));
		if (!end)
			end = raw + rawlen;
		if (line[0] == '%') {
			in_files = end - line == 7 && !strncmp(line, "%FILES%", 7);
			continue;
		}
		if (!in_files || end == line)
			continue;
		*w++ = '/';
		memcpy(w, line, (size_t)(end - line));
		w += end - line;
		*w++ = '\n';
	}
	*len = (size_t)(w - *out);
	free(raw);
	return OMG_OK;
}

/* The first of NAMES (under DIR) that exists, decompressed as listfile reads it. */
static int read_text(const char *dir, const char *const *names, char **out, size_t *len)
{
	char path[8192];
	struct stat st;

	for (; *names; names++) {
		char *p;
		size_t n;
		int rc;
		snprintf(path, sizeof path, "%s/%s", dir, *names);
		if (stat(path, &st) != 0)
			continue;
		if ((rc = listfile_read_all(path, PKGFILES_MAX - 2, "changelog", &p, &n)) != OMG_OK)
			return rc;
		if (n && p[n - 1] != '\n') /* room for it: listfile_read_all keeps one byte */
			p[n++] = '\n', p[n] = 0;
		*out = p;
		*len = n;
		return OMG_OK;
	}
	return OMG_ERROR(OMG_E_NOTFOUND, "no changelog in %s", dir);
}

int pkgchangelog_dpkg(const struct db *db, const char *root, uint32_t pkg, char **out, size_t *len)
{
	static const char *const names[] = { "changelog.Debian.gz", "changelog.Debian", "changelog.gz",
					     "changelog", NULL };
	char dir[8192];

	if (!installed(db, pkg))
		return OMG_ERROR(OMG_E_NOTFOUND, "not installed");
	snprintf(dir, sizeof dir, "%s/usr/share/doc/%s", root, db_s(db, db->pkgs[pkg].name));
	return read_text(dir, names, out, len);
}

int pkgchangelog_alpm(const struct db *db, const char *root, uint32_t pkg, char **out, size_t *len)
{
	static const char *const names[] = { "changelog", NULL };
	const struct db_pkg *p = &db->pkgs[pkg];
	const char *local;
	char dir[8192];

	(void)root;
	if (!installed(db, pkg))
		return OMG_ERROR(OMG_E_NOTFOUND, "not installed");
	if (!(local = alpm_local(db)))
		return OMG_ERROR(OMG_E_NOTFOUND, "no local database");
	snprintf(dir, sizeof dir, "%s/%s-%s", local, db_s(db, p->name), db_s(db, db->vers[p->inst].version));
	return read_text(dir, names, out, len);
}
