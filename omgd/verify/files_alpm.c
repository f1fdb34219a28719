/* files_alpm.c — verify_alpm (files.h): each local package's mtree, read through libalpm, as
 * pacman -Qkk checks it (src/pacman/check.c read to learn what it reports; pacman 6 also
 * compares the MD5 and SHA-256 digests, once per file here):
 *   - an entry that does not exist: missing (NoExtract patterns are not consulted);
 *   - a type other than the mtree's (file, directory, symlink): replaced;
 *   - a symlink's target, a file's size or its SHA-256 (MD5 when the mtree has no SHA-256):
 *     changed, or changed-config for a backup file (pacman reports those, does not count them);
 *   - mode, owner, group, or a file's or symlink's mtime: altered (a backup file's mtime is
 *     expected to move: not counted, as pacman does).
 * The .PKGINFO/.BUILDINFO/.MTREE/.INSTALL/.CHANGELOG entries describe the package, not files
 * of the system: skipped (pacman looks for the last two in the database).
 */
#include "config.h"

#include "verify/files_int.h"

#include "omg_error.h"
#include "pacmanconf.h"

#include <alpm.h>
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int is_backup(alpm_pkg_t *pkg, const char *rel)
{
	for (alpm_list_t *l = alpm_pkg_get_backup(pkg); l; l = l->next) {
		const alpm_backup_t *b = l->data;

		if (b && b->name && !strcmp(b->name, rel))
			return 1;
	}
	return 0;
}

static int nonzero(const unsigned char *p, size_t n)
{
	for (size_t i = 0; p && i < n; i++)
		if (p[i])
			return 1;
	return 0;
}

static int check_link(struct vf *x, const char *path, struct archive_entry *e)
{
	char got[VERIFY_PATH_MAX];
	const char *want = archive_entry_symlink(e);
	ssize_t n = vf_readlink(x, path, got, sizeof got - 1);

	if (n < 0)
		return 1;
	got[n] = 0;
	return !want || strcmp(got, want) != 0;
}

static int check_entry(struct vf *x, alpm_pkg_t *pkg, const char *name, struct archive_entry *e)
{
	const char *rel = archive_entry_pathname(e);
	char path[VERIFY_PATH_MAX];
	const unsigned char *sha, *md5;
	uint8_t got[VF_DIGEST_MAX];
	unsigned type = archive_entry_filetype(e), detail = 0;
	struct stat st;
	int backup, err, rc, content = 0, meta = 0;

	if (!rel)
		return OMG_OK;
	if (rel[0] == '.' && rel[1] == '/')
		rel += 2;
	if (rel[0] == '.' || !verify_canon_path(rel, strlen(rel), path))
		return OMG_OK;
	if (type != AE_IFREG && type != AE_IFDIR && type != AE_IFLNK)
		return OMG_OK; /* pacman: "file type not recognized" */
	backup = is_backup(pkg, rel);
	x->run->totals.files++;
	if ((err = vf_lstat(x, path, &st)) != 0)
		return vf_add(x, name, path, err == ENOENT || err == ENOTDIR ? VERIFY_MISSING : VERIFY_UNREADABLE, backup, 0, err);
	if ((type == AE_IFREG && !S_ISREG(st.st_mode)) || (type == AE_IFDIR && !S_ISDIR(st.st_mode)) ||
	    (type == AE_IFLNK && !S_ISLNK(st.st_mode)))
		return vf_add(x, name, path, VERIFY_REPLACED, backup, 0, 0);
	if (st.st_uid != (uid_t)archive_entry_uid(e))
		detail |= VERIFY_D_UID;
	if (st.st_gid != (gid_t)archive_entry_gid(e))
		detail |= VERIFY_D_GID;
	if ((st.st_mode & 07777) != (archive_entry_mode(e) & 07777))
		detail |= VERIFY_D_MODE;
	meta = detail != 0;
	if (type != AE_IFDIR && st.st_mtime != archive_entry_mtime(e)) {
		detail |= VERIFY_D_MTIME;
		meta |= !backup;
	}
	if (type == AE_IFLNK && check_link(x, path, e))
		detail |= VERIFY_D_LINK, content = 1;
	if (type == AE_IFREG && st.st_size != archive_entry_size(e))
		detail |= VERIFY_D_SIZE, content = 1;
	if (type == AE_IFREG && !content) {
		int kind = 0;
		const unsigned char *want = NULL;

		sha = archive_entry_digest(e, ARCHIVE_ENTRY_DIGEST_SHA256);
		md5 = archive_entry_digest(e, ARCHIVE_ENTRY_DIGEST_MD5);
		if (nonzero(sha, 32))
			kind = VF_SHA256, want = sha;
		else if (nonzero(md5, 16))
			kind = VF_MD5, want = md5;
		if (kind) {
			if ((rc = vf_digest(x, name, path, &st, kind, got, &err)) != OMG_OK)
				return rc;
			if (err)
				return vf_add(x, name, path, VERIFY_UNREADABLE, backup, detail, err);
			if (memcmp(got, want, vf_digest_len(kind)))
				detail |= VERIFY_D_DIGEST, content = 1;
		}
	}
	/* a backup file whose mode or owner moved is counted by pacman: altered before changed-config */
	if (content && !backup)
		return vf_add(x, name, path, VERIFY_CHANGED, 0, detail, 0);
	if (meta)
		return vf_add(x, name, path, VERIFY_ALTERED, backup, detail, 0);
	if (content)
		return vf_add(x, name, path, VERIFY_CHANGED_CONFIG, 1, detail, 0);
	return OMG_OK;
}

static int named(const struct verify_run *r, const char *name, char *seen)
{
	int hit = 0;

	for (size_t i = 0; seen && i < r->nnames; i++)
		if (!strcmp(r->names[i], name))
			seen[i] = 1, hit = 1;
	return hit;
}

static int check_pkg(struct vf *x, alpm_pkg_t *pkg)
{
	const char *name = alpm_pkg_get_name(pkg), *version = alpm_pkg_get_version(pkg);
	struct archive_entry *e = NULL;
	struct archive *mt;
	int rc = OMG_OK, r;

	x->run->totals.packages++;
	if (x->run->cache && (rc = vf_cache_pkg(x->run->cache, name, version ? version : "")) != OMG_OK)
		return rc;
	if (!(mt = alpm_pkg_mtree_open(pkg))) {
		x->run->totals.no_checksums++; /* pacman -Qkk: "no mtree file" */
		return OMG_OK;
	}
	while (rc == OMG_OK && (r = alpm_pkg_mtree_next(pkg, mt, &e)) == ARCHIVE_OK) {
		if (vf_stop(x))
			rc = OMG_E_TIMEOUT;
		else
			rc = check_entry(x, pkg, name, e);
	}
	if (rc == OMG_OK && r != ARCHIVE_EOF)
		x->run->totals.malformed++; /* a damaged mtree: what was read was checked */
	alpm_pkg_mtree_close(pkg, mt);
	return rc;
}

int verify_alpm(struct verify_run *run)
{
	struct pacmanconf conf;
	struct verify_run inner;
	alpm_handle_t *h = NULL;
	alpm_errno_t aerr;
	struct vf x;
	char *seen = NULL;
	const char *root = run->root && run->root[0] ? run->root : "/";
	int rc;

	memset(&x, 0, sizeof x);
	x.rootfd = -1;
	if ((rc = pacmanconf_load(&conf, root, NULL)) == OMG_E_NOTFOUND) {
		memset(&conf, 0, sizeof conf);
		snprintf(conf.rootdir, sizeof conf.rootdir, "%s", root);
		snprintf(conf.dbpath, sizeof conf.dbpath, "%s/var/lib/pacman/", strcmp(root, "/") ? root : "");
	} else if (rc != OMG_OK) {
		return rc;
	}
	if (run->admindir)
		snprintf(conf.dbpath, sizeof conf.dbpath, "%s", run->admindir);
	/* the files are looked up under pacman's RootDir (ROOT itself unless pacman.conf moves it) */
	inner = *run;
	inner.root = conf.rootdir;
	if ((rc = vf_begin(&x, &inner)) != OMG_OK)
		goto fail;
	x.run = run;
	memset(&run->totals, 0, sizeof run->totals);
	run->complete = 0;
	if (run->nnames && !(seen = calloc(run->nnames, 1))) {
		rc = OMG_ERROR(OMG_E_NOMEM, "names");
		goto fail;
	}
	if (!(h = alpm_initialize(conf.rootdir, conf.dbpath, &aerr))) {
		rc = OMG_ERROR(OMG_E_NOTFOUND, "libalpm (root %s, dbpath %s): %s", conf.rootdir, conf.dbpath, alpm_strerror(aerr));
		goto fail;
	}
	for (alpm_list_t *l = alpm_db_get_pkgcache(alpm_get_localdb(h)); l; l = l->next)
		x.total += !run->nnames || named(run, alpm_pkg_get_name(l->data), seen);
	for (alpm_list_t *l = alpm_db_get_pkgcache(alpm_get_localdb(h)); l && rc == OMG_OK; l = l->next) {
		if (run->nnames && !named(run, alpm_pkg_get_name(l->data), seen))
			continue;
		if (vf_stop(&x))
			break;
		rc = check_pkg(&x, l->data);
		if (rc == OMG_E_TIMEOUT && x.stopped)
			rc = OMG_OK;
		x.done++;
		vf_progress(&x, 0);
	}
	for (size_t i = 0; rc == OMG_OK && i < run->nnames; i++)
		if (seen && !seen[i])
			rc = vf_unknown(&x, run->names[i]);
	rc = vf_finish(&x, rc);
	goto done;
fail:
	vf_end(&x);
done:
	if (h)
		alpm_release(h);
	free(seen);
	pacmanconf_free(&conf);
	return rc;
}
