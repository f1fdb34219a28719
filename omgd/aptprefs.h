/* aptprefs.h — apt_preferences(5) as apt 2.6 reads it: ROOT/etc/apt/preferences, then the
 * files of ROOT/etc/apt/preferences.d in byte order (names of [A-Za-z0-9_:.-] with no
 * extension or ".pref", not starting with '.' nor ending with '.'; others are ignored, as
 * apt ignores them).
 *
 * A stanza is "Package:", "Pin:" and "Pin-Priority:" (keys in any case, the last of a
 * repeated key wins); a line starting with '#' is a comment and, like a line of blanks, does
 * not end a stanza. "Package: *" makes a general pin (it applies to package files);
 * anything else one specific pin per word of Package (it applies to versions): a name,
 * "name:arch", a glob or a /regex/, each optionally "src:". A stanza with no Pin is skipped;
 * "Pin: version" with "Package: *", an unknown pin type, a priority of 0 or none, "never"
 * for specific packages, or one out of range are errors: counted and skipped (apt stops
 * there; omgd keeps the rest). Explanation and other fields are ignored.
 *
 * The matching functions follow apt's pkgVersionMatch: globs by fnmatch and "/regex/" as
 * extended regular expressions, both ignoring case; a version's "1.2*" is a prefix.
 */
#ifndef OMGD_APTPREFS_H
#define OMGD_APTPREFS_H

#include <stddef.h>
#include <regex.h>
#include <stdint.h>

#define APTPIN_NEVER (-32768) /* "Pin-Priority: never" */

enum aptpin_type { APTPIN_RELEASE, APTPIN_ORIGIN, APTPIN_VERSION };

/* The fields of apt's "Pin: release" (v= o= a= n= l= c= b=, or a bare suite or codename, or
 * a bare version when it starts with a digit); NULL when not given. */
enum { REL_V, REL_O, REL_A, REL_N, REL_L, REL_C, REL_B, REL_RELEASE, REL__COUNT };

struct aptpin {
	/* Specific pins: the package (or source, SRC) name or pattern and its architecture
	 * ("" for the native one, "any"); NULL NAME: a general pin. */
	char *name, *arch;
	int src, pattern;
	regex_t *name_re;     /* a "/regex/" NAME, compiled once (NULL: a glob, a name, or bad) */
	enum aptpin_type type;
	char *data;           /* version or origin pattern, as written (version: without '*') */
	int prefix;           /* version or v=: a trailing '*' */
	int match_all;        /* "Pin: release *" */
	int match_none;       /* a release pin of more than 19 fields: apt's matches nothing */
	char *rel[REL__COUNT];
	int16_t prio;
};

struct aptprefs {
	struct aptpin *v;     /* in apt's order: the main file, then preferences.d's */
	size_t n, cap;
	int errors;           /* stanzas apt rejects */
	int specific;         /* how many of V are specific */
};

/* A package file as a release pin sees it (apt's PkgFile and its Release file). A NULL field
 * is one its Release file does not have (a source without a Release file has none but its
 * site); STATUS: dpkg's status file, which has no Release file (its component is "now"). */
struct aptpin_file {
	const char *version, *origin, *archive, *codename, *label, *component, *arch, *site;
	int status;
};

int aptprefs_load(struct aptprefs *p, const char *root);
/* Adds the stanzas of one file's TEXT (exposed for tests and the fuzz target). */
int aptprefs_parse(struct aptprefs *p, const char *text, size_t len);
/* Adds a general release pin at the front (APT::Default-Release, 990). */
int aptprefs_default_release(struct aptprefs *p, const char *release);
void aptprefs_free(struct aptprefs *p);

/* apt's ExpressionMatches: PATTERN as "/regex/" or a glob, ignoring case; NULL S: no. */
int aptpin_expr(const char *pattern, const char *s);
/* Whether specific pin PIN names NAME: equal to it, or a glob or /regex/ (ignoring case)
 * matching it but for the name the pattern equals (apt: "Name != G.Name()"). */
int aptpin_names(const struct aptpin *pin, const char *name);
/* Whether release or origin pin PIN matches package file F. */
int aptpin_file_matches(const struct aptpin *pin, const struct aptpin_file *f);
/* Whether version pin PIN matches the version string VER. */
int aptpin_version_matches(const struct aptpin *pin, const char *ver);

#endif
