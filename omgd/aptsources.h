/* aptsources.h — apt's sources as apt names them: ROOT/etc/apt/sources.list, then the
 * files of ROOT/etc/apt/sources.list.d in name order ("*.list" one-line entries,
 * "*.sources" deb822 stanzas; "Enabled: no" and deb-src skipped).
 *
 * omgd reads them to describe a package list the way apt does in policy and show
 * ("http://deb.debian.org/debian bookworm/main amd64 Packages"): the list file's name is the
 * URI with its scheme and password dropped, quoted and with '/' made '_' (apt's
 * URItoFileName), so the scheme can only come from the source that names it.
 * Not covered: Dir::Etc::sourcelist and sourceparts set elsewhere, [ ] options.
 */
#ifndef OMGD_APTSOURCES_H
#define OMGD_APTSOURCES_H

#include <stddef.h>

struct aptsource {
	char *uri;        /* as written, without a trailing '/' */
	char *suite;      /* ends with '/' for a flat repository ("./") */
	char *comps;      /* space-separated, "" for a flat repository */
};

struct aptsources {
	struct aptsource *v;
	size_t n, cap;
	int errors;       /* entries apt would reject; skipped */
};

/* Reads every sources file under ROOT into S (missing files are no sources). OMG_OK, or
 * OMG_E_NOMEM. */
int aptsources_load(struct aptsources *s, const char *root);
/* Adds the entries of one file's TEXT: one-line format (DEB822 0) or deb822 stanzas. */
int aptsources_parse(struct aptsources *s, const char *text, size_t len, int deb822);
/* apt's description of the package list file NAME (its name in the lists directory, with
 * or without a compression suffix) into OUT. Returns the list's place in apt's order (1 for
 * the first source's first component, and so on) when a source names it, 0 when the
 * description comes from the file name alone (then without the URI's scheme). */
int aptsources_describe(const struct aptsources *s, const char *name, char *out, size_t n);
void aptsources_free(struct aptsources *s);

#endif
