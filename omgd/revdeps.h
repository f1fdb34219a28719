/* revdeps.h — who requires whom within one libalpm database, for every package at once.
 *
 * libalpm's alpm_pkg_compute_requiredby() and alpm_pkg_compute_optionalfor() scan the whole
 * database for each package asked about: over a build that is quadratic (1 s for 3,500
 * installed packages). revdeps_build() makes one pass over every package's depends and
 * optdepends and gives the same lists, in the same order (the database's package order,
 * each name once), for every package. Whether a dependency is satisfied is libalpm's own
 * decision (alpm_find_satisfier: the name with its version constraint, or a provision).
 *
 * Names point into libalpm's packages: a revdeps lives no longer than the handle's caches.
 * Functions return OMG_OK or OMG_E_NOMEM.
 */
#ifndef OMGD_REVDEPS_H
#define OMGD_REVDEPS_H

#include <alpm.h>
#include <stddef.h>

struct revdeps;

enum revdeps_kind { REVDEPS_REQUIRED_BY, REVDEPS_OPTIONAL_FOR };

int revdeps_build(struct revdeps **out, alpm_db_t *db);
/* The names of the packages of the database that depend on (or optionally on) PKG, a package
 * of the same database, looked up by name; *N is 0 for a package it does not know. */
const char *const *revdeps_of(const struct revdeps *r, alpm_pkg_t *pkg, enum revdeps_kind kind, size_t *n);
void revdeps_free(struct revdeps *r);

#endif
