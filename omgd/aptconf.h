/* aptconf.h — apt's configuration as apt reads it: every file of ROOT/etc/apt/apt.conf.d in name
 * order (names of [A-Za-z0-9_.-] with no extension or ".conf"), then ROOT/etc/apt/apt.conf.
 * Syntax: "A::B value;", scopes "A { B "v"; };", lists "A { "x"; "y"; };" or "A:: "x";",
 * "#clear A;", and // or # or C comments. Keys compare case-insensitively, as in apt.
 * "#include FILE;" and "#include DIR/;" as apt (paths inside the root), and $APT_CONFIG first
 * for the system's root. Not covered: -o options (omgd has --root instead).
 */
#ifndef OMGD_APTCONF_H
#define OMGD_APTCONF_H

#include <stddef.h>

struct aptconf_entry {
	char *key;   /* lower-case, "apt::neverautoremove" */
	char *value;
};

struct aptconf {
	struct aptconf_entry *v;
	size_t n, cap;
	int errors;  /* statements apt would reject; skipped */
	const char *root;      /* while loading: the root #include paths are in */
	int depth;   /* #include depth (apt's limit: 10) */
};

int aptconf_load(struct aptconf *c, const char *root);
/* Parses TEXT (exposed for tests and the fuzz target). */
int aptconf_parse(struct aptconf *c, const char *text, size_t len);
/* The last value set for KEY, or DEF. */
const char *aptconf_get(const struct aptconf *c, const char *key, const char *def);
int aptconf_bool(const struct aptconf *c, const char *key, int def);
/* Calls FN for every list item of KEY, in order. */
void aptconf_each(const struct aptconf *c, const char *key, void (*fn)(void *ctx, const char *v), void *ctx);
void aptconf_free(struct aptconf *c);

#endif
