/* owns.h — which installed packages have a path (OWNS: dpkg -S PATH, pacman -Qo PATH).
 *
 * An index of every installed package's file list (backend.h's files: dpkg's info/NAME.list,
 * pacman's local/NAME-VERSION/files), built at the first question after the index changed
 * (a new GENERATION) and kept until the next change: a sorted array of (64-bit FNV-1a hash of
 * the path, package), 16 bytes a file (~2.4 MB for 150,000 files), the paths themselves not
 * kept. A hit is confirmed in that package's list, so that a hash collision never answers
 * (up to 16 owners: a directory that more packages have is answered from the hash alone).
 * Built on the event loop, once per change of the installed set (44 ms for this machine's
 * 146,000 files, then 2 ms a question, client included).
 *
 * The path is looked up as given, then, when nothing has it and the root is merged-/usr
 * (ROOT/bin a symlink to usr/bin, and so for sbin and lib*), by its other name: bookworm's
 * dpkg lists /bin/ls, and `dpkg -S /usr/bin/ls` finds nothing. Each row names the path as
 * the package's list has it, as dpkg -S prints it. dpkg's diversions of the path
 * (ROOT/var/lib/dpkg/diversions) come first, as dpkg -S says them.
 */
#ifndef OMGD_OWNS_H
#define OMGD_OWNS_H

#include <stdint.h>

#include "backend.h"
#include "db.h"

struct owns;

/* Called for each row: PACKAGE (NAME, or NAME:ARCH as dpkg names a Multi-Arch: same one),
 * the PATH as recorded, and KIND (OMG_OWNS_*). Non-zero stops. */
typedef int (*owns_fn)(const char *package, const char *path, uint32_t kind, void *ctx);

/* Looks PATH (absolute) up in *O, (re)built from DB when GENERATION changed. OMG_OK (no row:
 * nothing has it), OMG_E_NOMEM. */
int owns_lookup(struct owns **o, const struct db *db, uint64_t generation, const struct backend *b,
		const char *root, const char *path, owns_fn fn, void *ctx);
void owns_free(struct owns *o);

#endif
