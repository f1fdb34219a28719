/* changes.h — what changed in the installed set between two dbs, as audit text.
 *
 * One line per package, sorted by name then architecture, fields separated by one space:
 *   install NAME:ARCH VERSION
 *   remove NAME:ARCH VERSION
 *   upgrade NAME:ARCH OLD NEW
 *   downgrade NAME:ARCH OLD NEW
 * A package counts as installed when it has a current version and is not in dpkg's
 * config-files state (the instances `omg list installed` shows, plus half-installed ones).
 */
#ifndef OMGD_CHANGES_H
#define OMGD_CHANGES_H

#include "db.h"

/* Appends the lines to *TEXT (malloc'd, NUL-terminated; *LEN bytes). Returns OMG_OK, and
 * *LINES 0 when nothing changed. VERCMP orders versions as the backend does. */
int changes_between(const struct db *old, const struct db *cur, int (*vercmp)(const char *, const char *),
		    char **text, size_t *len, unsigned *lines);

#endif
