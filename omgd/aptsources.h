/* aptsources.h — apt's sources as apt names them: ROOT/etc/apt/sources.list, then the
 * files of ROOT/etc/apt/sources.list.d in name order ("*.list" one-line entries,
 * "*.sources" deb822 stanzas; "Enabled: no" and deb-src skipped).
 *
 * omgd reads them to describe a package list the way apt does in policy and show
 * ("http://deb.debian.org/debian bookworm/main amd64 Packages"): the list file's name is the
 * URI with its scheme and password dropped, quoted and with '/' made '_' (apt's
 * URItoFileName), so the scheme can only come from the source that names it.
 * An entry's architectures come from its "[arch=… arch+=… arch-=…]" options (deb822:
 * Architectures, Architectures-Add, Architectures-Remove); without them, apt's configured
 * ones. Only the lists an entry names are apt's: a list file that no entry names (a removed
 * or disabled source's) is not used.
 * Not covered: Dir::Etc::sourcelist and sourceparts set elsewhere.
 */
#ifndef OMGD_APTSOURCES_H
#define OMGD_APTSOURCES_H

#include <stddef.h>

struct aptsource {
	char *uri;        /* as written, without a trailing '/' */
	char *suite;      /* ends with '/' for a flat repository ("./") */
	char *comps;      /* space-separated, "" for a flat repository */
	/* Space-separated architectures: the entry's own set (arch=), or NULL for apt's
	 * configured ones, with ARCH_ADD added and ARCH_DEL taken away (NULL: none). */
	char *arch_set, *arch_add, *arch_del;
	/* Signed-By as written (fingerprints, keyring paths, or a deb822 entry's armored key
	 * block), NULL when not set; trusted: 1 for trusted=yes, -1 for trusted=no, 0 unset. */
	char *signed_by;
	int trusted;
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
/* What apt knows of a package list from the entry that names it. */
struct aptsources_list {
	const struct aptsource *entry;
	int rank;             /* its place in apt's order, as aptsources_describe returns it */
	char desc[1024];      /* as aptsources_describe describes it */
	char component[256];  /* "" for a flat repository */
	char arch[64];        /* the index's architecture ("" for a flat repository) */
	char site[256];       /* the URI's host ("" for file: and cdrom:) */
};
/* The entry that names the package list file NAME (as aptsources_describe): 1 and *L, or 0
 * (then only L->desc, from the name alone). */
int aptsources_find(const struct aptsources *s, const char *name, struct aptsources_list *l);
/* Whether entry E fetches the lists of architecture ARCH (LEN bytes); CONFIGURED(CTX, ARCH,
 * LEN) says whether apt is configured for it. */
int aptsource_has_arch(const struct aptsource *e, const char *arch, size_t len,
		       int (*configured)(const void *ctx, const char *arch, size_t len), const void *ctx);
/* apt's URItoFileName of S (LEN bytes) without a scheme: '/' made '_', specials %-quoted. */
void aptsources_quote(const char *s, size_t len, char *out, size_t n);
/* The name apt gives the Release files of entry E in its lists directory, without "InRelease"
 * or "Release": "deb.debian.org_debian_dists_bookworm_", "example.org_repo_._" (flat). */
void aptsource_release_prefix(const struct aptsource *e, char *out, size_t n);
void aptsources_free(struct aptsources *s);

#endif
