/* srccache.h — what a build parsed from each source file, kept in the index store.
 *
 * A backend asks for the records of a source (a package list, a Contents index, dpkg's file
 * lists) before parsing it. The stored records are used only when they were made from the
 * same file: same kind, size, mtime, ctime, inode, device and SALT (the caller's hash of
 * anything else the records depend on), and not "racy" (snapshot.h). Otherwise the backend
 * parses the file and hands its records over with srccache_put.
 *
 * srccache_commit then updates the store in one write transaction: the new records, the
 * removal of records of sources under the build's root that this build no longer has, and
 * the snapshot of the finished db. Used by the build thread only.
 */
#ifndef OMGD_SRCCACHE_H
#define OMGD_SRCCACHE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "db.h"
#include "store.h"

enum src_kind { SRC_PACKAGES = 1, SRC_CONTENTS = 2, SRC_DPKG_INFO = 3, SRC_TRANSLATIONS = 4 };

/* The index store's databases, in the order store_open gets them. */
#define SRCCACHE_DBS { "sources", "snapshot", NULL }
#define SRCCACHE_FORMAT 4

struct src_records {
	const uint8_t *p;        /* valid until srccache_commit or srccache_close */
	size_t len;
	uint32_t malformed, damaged;
};

struct srccache;

/* KEY names the build (backend and root) for its snapshot; ROOT scopes the cleanup. */
int srccache_open(struct srccache **c, struct store *s, const char *key, const char *root,
		  uint64_t read_at_ns);
/* OMG_OK and *OUT, or OMG_E_NOTFOUND (parse the file), or OMG_E_CORRUPT (damaged: parse it). */
int srccache_get(struct srccache *c, const char *path, const struct stat *st, uint32_t kind,
		 uint64_t salt, struct src_records *out);
/* Copies the records just parsed from PATH, for the commit. */
int srccache_put(struct srccache *c, const char *path, const struct stat *st, uint32_t kind,
		 uint64_t salt, uint32_t malformed, uint32_t damaged, const void *rec, size_t len);
/* How many sources were served from the store and how many parsed, this build. */
void srccache_stats(const struct srccache *c, unsigned *hits, unsigned *parsed);
int srccache_commit(struct srccache *c, const struct db *db);
void srccache_close(struct srccache *c);

/* The stored snapshot for KEY, read into DB: OMG_OK, OMG_E_NOTFOUND, or why it is unusable. */
int srccache_load_snapshot(struct store *s, const char *key, struct db *db);

#endif
