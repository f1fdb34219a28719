/* pkgfiles.h — the files an installed package put on the system, as the package manager
 * recorded them: dpkg's info/NAME[:ARCH].list (what dpkg -L prints), pacman's
 * local/NAME-VERSION/files (what pacman -Ql prints, with the leading slash).
 *
 * One small file is read on the event loop, like INFO's one record: opened without blocking,
 * a regular file only, at most PKGFILES_MAX bytes. */
#ifndef OMGD_PKGFILES_H
#define OMGD_PKGFILES_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"

#define PKGFILES_MAX (64u << 20)

/* The paths of installed package PKG (an index into db->pkgs) in *OUT (malloc'd), one absolute
 * path a line, each ending in '\n', *LEN bytes. OMG_E_NOTFOUND: not installed, or no list. */
int pkgfiles_dpkg(const struct db *db, const char *root, uint32_t pkg, char **out, size_t *len);
int pkgfiles_alpm(const struct db *db, const char *root, uint32_t pkg, char **out, size_t *len);

/* Installed package PKG's changelog, decompressed, in *OUT (malloc'd, *LEN bytes, each line
 * ending in '\n'), at most PKGFILES_MAX: Debian's /usr/share/doc/NAME/changelog.Debian[.gz],
 * else changelog[.gz] (a native package's); pacman's local/NAME-VERSION/changelog. */
int pkgchangelog_dpkg(const struct db *db, const char *root, uint32_t pkg, char **out, size_t *len);
int pkgchangelog_alpm(const struct db *db, const char *root, uint32_t pkg, char **out, size_t *len);

#endif
