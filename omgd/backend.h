/* backend.h — the seam between omgd and a packaging system: dpkg/apt (omgd/dpkg/) and
 * libalpm with pacman.conf (backend_alpm.c); backend_detect picks one for a root.
 *
 * A backend fills a fresh db from the system rooted at ROOT: every installed and available
 * package, its candidate, the DB_PKG_* flags and the counts (defined to equal the native
 * tools' answers; see docs/architecture.md). It runs on the build thread, never on the
 * event loop, and does not call db_finish: the builder does, once BUILD returns OMG_OK. It
 * names the files whose change must trigger a rebuild, and reads a version's full record for
 * INFO.
 */
#ifndef OMGD_BACKEND_H
#define OMGD_BACKEND_H

#include "db.h"
#include "record.h"
#include "srccache.h"

struct watch_spec {
	char dir[4096];
	char name[256]; /* a file in DIR, or "" for any file in it */
};

#define WATCH_MAX 8

struct backend {
	const char *name;
	/* CACHE (NULL without a store) serves the records of unchanged source files. */
	int (*build)(struct db *db, const char *root, struct srccache *cache);
	int (*watch_specs)(const char *root, struct watch_spec *out, int max);
	/* The version's record, its text and its fields (record.h), for INFO. */
	int (*record)(const struct db *db, uint32_t ver, struct record *out);
	/* The record of one appearance of a version in a package list (db->vfiles[VFILE]), as
	 * that list has it (policy, show); NULL: the backend has only RECORD. */
	int (*record_file)(const struct db *db, uint32_t vfile, struct record *out);
	/* The files installed package PKG put on the system, one absolute path a line
	 * (pkgfiles.h); on the event loop, one small file read. */
	int (*files)(const struct db *db, const char *root, uint32_t pkg, char **out, size_t *len);
	/* Its changelog, decompressed, as lines (pkgfiles.h). */
	int (*changelog)(const struct db *db, const char *root, uint32_t pkg, char **out, size_t *len);
	/* Orders two versions as the packaging system does (<0, 0, >0). */
	int (*vercmp)(const char *a, const char *b);
	/* Releases what BUILD keeps from one build to the next (NULL: nothing); called on the
	 * build thread as it ends. */
	void (*close)(void);
};

extern const struct backend backend_dpkg;
#ifdef OMG_WITH_ALPM
extern const struct backend backend_alpm;
#endif

/* The backend for the system at ROOT: /etc/os-release's ID and ID_LIKE (arch: alpm), then
 * which package database exists there; dpkg otherwise. */
const struct backend *backend_detect(const char *root);
const struct backend *backend_named(const char *name);

#endif
