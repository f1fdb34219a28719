/* commands.c — which package has which command: dpkg's file lists of installed packages
 * and apt-file's Contents indexes of available ones. */
#include "config.h"
#include "dpkg.h"
#include "listfile.h"
#include "omg_error.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Directories whose files are commands; listed without the leading slash, as in Contents. */
static const char *const bin_dirs[] = { "usr/bin/", "usr/sbin/", "bin/", "sbin/", "usr/games/",
					 "usr/local/bin/", "usr/local/sbin/" };

/* The command name when PATH (no leading slash) is a file directly in a bin directory. */
static const char *command_name(const char *path, size_t len, size_t *nlen)
{
	for (size_t i = 0; i < sizeof bin_dirs / sizeof bin_dirs[0]; i++) {
		size_t dl = strlen(bin_dirs[i]);
		if (len > dl && !strncmp(path, bin_dirs[i], dl) && !memchr(path + dl, '/', len - dl)) {
			*nlen = len - dl;
			return path + dl;
		}
	}
	return NULL;
}

struct list_ctx {
	struct build *b;
	const char *package;
	int installed;
};

/* Record: u8 installed, u16 name, package and path lengths, then the three strings. */
static int add_cmd(struct build *b, const char *name, size_t nlen, const char *pkg, size_t plen,
		   const char *path, size_t pathlen, int installed)
{
	if (nlen > UINT16_MAX || plen > UINT16_MAX || pathlen > UINT16_MAX)
		return 0;
	if (b->cache) {
		omg_put_u8(&b->rec, (uint8_t)installed);
		omg_put_u16(&b->rec, (uint16_t)nlen);
		omg_put_u16(&b->rec, (uint16_t)plen);
		omg_put_u16(&b->rec, (uint16_t)pathlen);
		omg_put_bytes(&b->rec, name, nlen);
		omg_put_bytes(&b->rec, pkg, plen);
		omg_put_bytes(&b->rec, path, pathlen);
	}
	return db_cmd_add(b->db, name, nlen, pkg, plen, path, pathlen, installed);
}

static int replay_cmds(struct build *b, const struct src_records *sr)
{
	struct omg_rbuf r;

	omg_rbuf_init(&r, sr->p, sr->len);
	while (r.pos < r.len && !r.failed) {
		int installed = omg_get_u8(&r);
		size_t nlen = omg_get_u16(&r), plen = omg_get_u16(&r), pathlen = omg_get_u16(&r);
		const char *name = (const char *)omg_get_bytes(&r, nlen);
		const char *pkg = (const char *)omg_get_bytes(&r, plen);
		const char *path = (const char *)omg_get_bytes(&r, pathlen);
		if (r.failed || !nlen)
			return OMG_ERROR(OMG_E_CORRUPT, "stored records of commands");
		if (db_cmd_add(b->db, name, nlen, pkg, plen, path, pathlen, installed) != OMG_OK)
			return OMG_E_NOMEM;
	}
	b->db->damaged_lists += sr->damaged;
	return OMG_OK;
}

/* dpkg's info/PACKAGE.list: one absolute path a line. */
static int dpkg_list_chunk(void *ctx, const char *buf, size_t len, uint64_t base)
{
	struct list_ctx *lc = ctx;
	const char *p = buf, *end = buf + len;

	(void)base;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *e = nl ? nl : end, *name;
		size_t nlen;
		if (*p == '/' && (name = command_name(p + 1, (size_t)(e - p - 1), &nlen)) &&
		    add_cmd(lc->b, name, nlen, lc->package, strlen(lc->package), p, (size_t)(e - p), 1) != OMG_OK)
			return OMG_E_NOMEM;
		p = e + 1;
	}
	return 0;
}

/* apt-file's Contents: "PATH<whitespace>section/package[,section/package...]". */
static int contents_chunk(void *ctx, const char *buf, size_t len, uint64_t base)
{
	struct list_ctx *lc = ctx;
	const char *p = buf, *end = buf + len;

	(void)base;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *e = nl ? nl : end;
		const char *ws = e, *name, *pk;
		size_t nlen;
		while (ws > p && ws[-1] != ' ' && ws[-1] != '\t')
			ws--; /* the package column is the last one: paths may hold spaces */
		pk = ws;
		while (ws > p && (ws[-1] == ' ' || ws[-1] == '\t'))
			ws--;
		if (ws > p && pk < e && (name = command_name(p, (size_t)(ws - p), &nlen))) {
			char path[512];
			int pl = snprintf(path, sizeof path, "/%.*s", (int)(ws - p), p);
			while (pk < e) { /* each section/package of the list */
				const char *comma = memchr(pk, ',', (size_t)(e - pk)), *pe = comma ? comma : e;
				const char *slash = pk;
				for (const char *q = pk; q < pe; q++)
					if (*q == '/')
						slash = q + 1;
				if (pe > slash && pl > 0 && (size_t)pl < sizeof path &&
				    add_cmd(lc->b, name, nlen, slash, (size_t)(pe - slash), path, (size_t)pl, 0) != OMG_OK)
					return OMG_E_NOMEM;
				pk = pe + 1;
			}
		}
		p = e + 1;
	}
	return 0;
}

/* Reads a small plain file whole (dpkg's file lists are never compressed): one open and one
 * read, not a decompressing reader. Returns a malloc'd buffer and its length, or NULL. */
static char *read_plain(const char *path, size_t *len)
{
	struct stat st;
	char *buf = NULL;
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC); /* a FIFO must not block */

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size < (64 << 20) &&
	    (buf = malloc((size_t)st.st_size + 1))) {
		ssize_t n = read(fd, buf, (size_t)st.st_size);
		*len = n > 0 ? (size_t)n : 0;
	}
	close(fd);
	return buf;
}

/* Installed commands: ADMINDIR/info/NAME:ARCH.list (Multi-Arch: same), else NAME.list, for
 * each installed package. DIR is that info directory. */
static int read_installed_cmds(struct build *b, const char *dir)
{
	char path[8192];

	for (uint32_t i = 0; i < b->ninst; i++) {
		const struct db_pkg *pk = &b->db->pkgs[b->inst[i].pkg];
		struct list_ctx lc = { b, db_s(b->db, pk->name), 1 };
		size_t len = 0;
		char *buf;
		int rc = OMG_OK;
		snprintf(path, sizeof path, "%s/%s:%s.list", dir, lc.package, db_s(b->db, pk->arch));
		if (!(buf = read_plain(path, &len))) {
			snprintf(path, sizeof path, "%s/%s.list", dir, lc.package);
			buf = read_plain(path, &len);
		}
		if (buf)
			rc = dpkg_list_chunk(&lc, buf, len, 0);
		free(buf);
		if (rc != OMG_OK)
			return rc;
	}
	return OMG_OK;
}

static int read_contents(struct build *b, const char *path)
{
	struct list_ctx lc = { b, NULL, 0 };

	if (listfile_read_lines(path, contents_chunk, &lc) != OMG_OK)
		b->db->damaged_lists++;
	return OMG_OK;
}

/* The installed set's identity, for the cached commands of dpkg's info directory: dpkg
 * replaces a .list file by renaming (which changes the directory), and the set of .list
 * files read depends on which packages are installed. */
static uint64_t installed_salt(const struct build *b)
{
	uint64_t h = 1469598103934665603ull;

	for (uint32_t i = 0; i < b->ninst; i++) {
		const struct db_pkg *pk = &b->db->pkgs[b->inst[i].pkg];
		for (const char *s = db_s(b->db, pk->name); *s; s++)
			h = (h ^ (unsigned char)*s) * 1099511628211ull;
		h = (h ^ ':') * 1099511628211ull;
		for (const char *s = db_s(b->db, pk->arch); *s; s++)
			h = (h ^ (unsigned char)*s) * 1099511628211ull;
		h = (h ^ '\n') * 1099511628211ull;
	}
	return h;
}

int deb_read_commands(struct build *b)
{
	char dir[4096], path[8192];
	const char *slash = strrchr(b->paths.status, '/');
	struct dirent *de;
	struct stat st;
	DIR *d;
	int rc = OMG_OK;

	snprintf(dir, sizeof dir, "%.*s/info", slash ? (int)(slash - b->paths.status) : 0, b->paths.status);
	if (db_input_add(b->db, dir) != OMG_OK)
		return OMG_E_NOMEM;
	if (stat(dir, &st) == 0 &&
	    (rc = deb_cached_source(b, dir, &st, SRC_DPKG_INFO, installed_salt(b), replay_cmds, read_installed_cmds)) != OMG_OK)
		return rc;
	/* available packages: apt-file's Contents indexes, when apt-file has fetched them */
	if (!(d = opendir(b->paths.lists)))
		return OMG_OK;
	while (rc == OMG_OK && (de = readdir(d))) {
		if (!strstr(de->d_name, "_Contents-") || strstr(de->d_name, ".diff"))
			continue;
		snprintf(path, sizeof path, "%s/%s", b->paths.lists, de->d_name);
		if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		if ((rc = db_input_add(b->db, path)) == OMG_OK)
			rc = deb_cached_source(b, path, &st, SRC_CONTENTS, 0, replay_cmds, read_contents);
	}
	closedir(d);
	return rc;
}
