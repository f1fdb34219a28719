/* names.c — the names of a PLAN request, checked against the index before any package
 * manager sees them: no option can be smuggled in (apt reads "-x" as an option even after
 * the action), nothing but a package apt would take, and "did you mean" for the rest. */
#include "config.h"
#include "internal.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int span(const char *s, const char *set)
{
	return (int)strspn(s, set);
}

#define LOWER "abcdefghijklmnopqrstuvwxyz"
#define UPPER "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
#define DIGIT "0123456789"

/* Whether the file name ends as a package of pacman's (.pkg.tar, .pkg.tar.zst, .xz, .gz, ...). */
static int pacman_file(const char *name)
{
	const char *pkg = strstr(name, ".pkg.tar");

	return pkg && !strchr(pkg + 8 + (pkg[8] == '.'), '.') && !strchr(pkg, '/');
}

const char *plan_name_invalid(uint8_t action, const char *name, int alpm)
{
	size_t n = strlen(name), k, base;

	if (!n)
		return "an empty name";
	if (n > OMG_QUERY_MAX)
		return "a name longer than 256 bytes";
	if (name[0] == '/') {
		struct stat st;
		if (action != OMG_ACT_INSTALL && action != OMG_ACT_REINSTALL)
			return "a file can only be installed";
		if (alpm ? !pacman_file(name) : n < 5 || strcmp(name + n - 4, ".deb") != 0)
			return alpm ? "not a package file (.pkg.tar.*)" : "not a .deb file";
		if (strstr(name, "/../") || strchr(name, '\n'))
			return "a path with /../ or a newline";
		if (stat(name, &st) != 0 || !S_ISREG(st.st_mode))
			return "no such file";
		return NULL;
	}
	if (alpm) { /* pacman's: [a-z0-9@._+-], not starting with '-' or '.'; REPO/ before it */
		const char *slash = strchr(name, '/');
		if (slash && (slash == name || (size_t)span(name, LOWER UPPER DIGIT "._-") != (size_t)(slash - name)))
			return "not a repository name before '/'";
		name = slash ? slash + 1 : name;
		if (!name[0] || name[0] == '-' || name[0] == '.')
			return name[0] == '-' ? "a name starting with '-' (an option?)" : "not a package name";
		return name[span(name, LOWER UPPER DIGIT "@._+-")] ? "not a package name" : NULL;
	}
	/* a Debian name: [a-z0-9][a-z0-9+.-]* (upper case too: some archives have it) */
	if (!strchr(LOWER UPPER DIGIT, name[0]))
		return name[0] == '-' ? "a name starting with '-' (an option?)" : "not a package name";
	k = (size_t)span(name, LOWER UPPER DIGIT "+.-");
	base = k;
	if (name[k] == ':') { /* :ARCH */
		size_t a = (size_t)span(name + k + 1, LOWER DIGIT "-");
		if (!a)
			return "an empty architecture";
		k += 1 + a;
	}
	if (name[k] == '=') { /* =VERSION */
		size_t v = (size_t)span(name + k + 1, LOWER UPPER DIGIT ".+~:-");
		if (!v)
			return "an empty version";
		k += 1 + v;
	} else if (name[k] == '/') { /* /RELEASE */
		size_t r = (size_t)span(name + k + 1, LOWER UPPER DIGIT ".+_-");
		if (!r)
			return "an empty release";
		k += 1 + r;
	}
	if (name[k])
		return "not a package name";
	/* a trailing - or + (apt's "remove this" / "install this") passes only if it is part of
	 * a name the index has: plan_name_known decides; after :ARCH, =VERSION or /RELEASE it
	 * is apt's modifier whatever the name */
	if (k > base && (name[k - 1] == '-' || name[k - 1] == '+'))
		return "a trailing '-' or '+' (apt would read it as remove or install)";
	return NULL;
}

/* NAME[:ARCH] of a checked NAME into OUT (the version or release cut off). */
static void base_of(const char *name, char *out, size_t n)
{
	size_t k = strcspn(name, "=/");

	if (k >= n)
		k = n - 1;
	memcpy(out, name, k);
	out[k] = 0;
}

int plan_name_known(const struct db *db, const char *name, int alpm)
{
	char base[OMG_QUERY_MAX + 1], *colon;
	uint32_t first, count;

	if (name[0] == '/')
		return 1;
	if (alpm && strchr(name, '/')) /* REPO/NAME: libalpm says whether that repository has it */
		name = strchr(name, '/') + 1;
	base_of(name, base, sizeof base);
	if (db_lookup_any(db, base) != DB_NONE)
		return 1;
	if ((colon = strchr(base, ':')))
		*colon = 0;
	db_providers(db, base, &first, &count);
	return count > 0;
}

uint32_t plan_suggest(const struct db *db, const char *name, const char **out, uint32_t max)
{
	char base[OMG_QUERY_MAX + 1], *colon;
	struct db_hits h = { 0 };
	uint32_t n = 0;
	size_t blen;

	base_of(name, base, sizeof base);
	if ((colon = strchr(base, ':')))
		*colon = 0;
	blen = strlen(base);
	/* one typo away first (as command-not-found), in name order */
	for (uint32_t i = 0; i < db->npkgs && n < max; i++) {
		const struct db_pkg *pk = &db->pkgs[db->by_name ? db->by_name[i] : i];
		const char *pn = db_s(db, pk->name);
		size_t pl = strlen(pn);
		if (pl + 2 < blen || pl > blen + 2 || !db_one_edit(base, blen, pn, pl))
			continue;
		if (n && !strcmp(out[n - 1], pn))
			continue; /* another architecture of the same name */
		out[n++] = pn;
	}
	/* then what a search for it finds first (a name that contains it) */
	if (n < max && db_search(db, base, max, 0, &h) == 0) {
		for (uint32_t i = 0; i < h.n && n < max; i++) {
			const char *pn = db_s(db, db->pkgs[h.v[i]].name);
			int dup = 0;
			for (uint32_t k = 0; k < n && !dup; k++)
				dup = !strcmp(out[k], pn);
			if (!dup)
				out[n++] = pn;
		}
	}
	free(h.v);
	return n;
}
