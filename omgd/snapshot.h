/* snapshot.h — a finished db as one stored value, and the check that it is still current.
 *
 * Layout (host byte order; the header names it, and the struct sizes, so that another
 * build of omgd never misreads a snapshot): a struct snap_header, then, each padded to 8
 * bytes, the string arena, pkgs, vers, srcs, cmds, by_name, the hash table, the inputs, the
 * version files, provides and relations, and the search index (docs, doc_provs, tris, postings).
 * The header's checksum covers every byte after it (store_checksum: damage, not tampering:
 * the store directory is the user's own, mode 0700).
 *
 * A snapshot is current when every input still exists (or is still missing) with the
 * same size, mtime, ctime, inode and device, and was not "racy": its ctime was at least
 * SNAPSHOT_RACY_NS before the build read it, so a change in the same timestamp tick after
 * the read cannot go unseen (git's racy-clean rule).
 */
#ifndef OMGD_SNAPSHOT_H
#define OMGD_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"

#define SNAPSHOT_FORMAT 5 /* 4: DBV_ARCH_ALL; 5: the search index and DBV_LONG_DESC */
#define SNAPSHOT_RACY_NS 1000000000ull

/* Bytes snapshot_write will write for DB. */
size_t snapshot_size(const struct db *db);
/* Writes DB into DST (snapshot_size bytes). */
void snapshot_write(const struct db *db, void *dst);

#define SNAPSHOT_SKIP_CHECKSUM 0x1u /* fuzzing only: let mutated bytes reach the decoder */
/* Reads a snapshot into DB without copying it: DB's arrays point into P (8-byte aligned),
 * which must stay mapped, unchanged, while DB lives; the caller sets DB->release to give
 * it back. OMG_E_CORRUPT or OMG_E_VERSION, with DB left empty. */
int snapshot_read(const void *p, size_t n, struct db *db, unsigned flags);

/* 1 when every input of DB is unchanged and trusted (see above), else 0; *WHY names the
 * first input that is not. */
int snapshot_current(const struct db *db, const char **why);

/* A fast 64-bit checksum of N bytes (not cryptographic). */
uint64_t store_checksum(const void *p, size_t n);

#endif
