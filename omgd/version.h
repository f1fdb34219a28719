/* version.h — Debian version comparison (dpkg's algorithm, through libdpkg). */
#ifndef OMGD_VERSION_H
#define OMGD_VERSION_H

/* <0, 0, >0 as A is older than, equal to, newer than B. Unparsable versions compare
 * as strings after every valid one. */
int deb_version_compare(const char *a, const char *b);
/* OP is one of "<<", "<=", "=", ">=", ">>" (and the obsolete "<" and ">", as dpkg reads them). */
int deb_version_satisfies(const char *have, const char *op, const char *want);

#endif
