/* test_db.c — the index's queries as tables: db_search's ranking, db_suggest (completion),
 * db_lookup (NAME and NAME:ARCH), db_cmd_similar (command-not-found's "did you mean"), db_list
 * (omg list's five lists) and db_cmd_packages (command-not-found's packages).
 *
 * Each table is data: one row a case, the query and what the code must answer, written as
 * omg(1) describes it (search takes apt-cache search's terms: regular expressions that must
 * all match the name, a provided name or with -d the whole description; one row a name,
 * ranked exact name, prefix, word start, substring, then provides or description; names in
 * order within a rank). A new case is a new row. The packages
 * and commands every row runs against are tables too (PKGS, CMDS), built into a db with
 * db_pkg_get, db_ver_get and db_finish as a backend and the builder do.
 */
#include "config.h"
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "omg_error.h"

#define NATIVE "amd64"

/* ---- the fixture ---------------------------------------------------------------------- */

/* One package instance. INST and CAND are version strings or NULL; OTHER is a version that
 * is neither (a list has it, apt would not install it), or NULL. DESC is the Description
 * field as a record has it. */
static const struct pkg_row {
	const char *name, *arch, *inst, *cand, *other, *desc;
	uint32_t flags;
} PKGS[] = {
	{ "fire", NATIVE, "1.0", "1.0", NULL, "Lights the way", DB_PKG_INSTALLED },
	{ "fire", "i386", NULL, "1.0", NULL, "Lights the way", DB_PKG_FOREIGN },
	{ "firefox-esr", NATIVE, NULL, "115.0", NULL, "Mozilla Firefox web browser", 0 },
	{ "firewalld", NATIVE, "1.3", "1.3", NULL, "dynamically managed firewall", DB_PKG_INSTALLED },
	{ "firewood", NATIVE, NULL, NULL, NULL, "", 0 },               /* a name only, no version */
	{ "firemaker", NATIVE, NULL, NULL, "0.9", "old and unavailable", 0 },
	{ "gnome-fire", NATIVE, NULL, "2.0", NULL, "GNOME's fire", 0 },
	{ "node.fire", NATIVE, NULL, "3.1", NULL, "fire for node", 0 },
	{ "x+fire", NATIVE, NULL, "0.1", NULL, "", 0 },
	{ "bonfire-fire", NATIVE, NULL, "1", NULL, "", 0 },             /* "fire" twice: the second starts a word */
	{ "bonfire", NATIVE, "2", "2", NULL, "", DB_PKG_INSTALLED },
	{ "campfires", NATIVE, NULL, "5", NULL, "", 0 },
	{ "blaze", NATIVE, NULL, "1.2", NULL, "Starts a FIRE safely", 0 }, /* only its description */
	{ "ember", NATIVE, "1", "1", NULL, "cools down\n Puts out the fire\n .\n slowly.", DB_PKG_INSTALLED },
	{ "firejail-rc", NATIVE, NULL, NULL, NULL, "", DB_PKG_CONFIG_FILES }, /* dpkg rc: config files */
	{ "libonly32", "i386", "4", "4", NULL, "", DB_PKG_INSTALLED | DB_PKG_FOREIGN },
	{ "zsh", NATIVE, "5.9", "5.9", NULL, "shell with lots of features", DB_PKG_INSTALLED },
};

/* A name the candidate of a native package provides. */
static const struct prov_row {
	const char *package, *provides;
} PROVS[] = {
	{ "firefox-esr", "www-browser" },
	{ "fire", "fire" },  /* its own name: nothing more */
};

/* One executable: the command, its package, installed (dpkg's lists) or not (Contents). */
static const struct cmd_row {
	const char *name, *package;
	int installed;
} CMDS[] = {
	{ "git", "git", 1 },       { "gitk", "gitk", 1 },   { "ls", "coreutils", 1 },
	{ "sl", "sl", 0 },         { "gti", "gti", 0 },     { "firefox", "firefox-esr", 0 },
	{ "firefox", "firefox", 1 }, { "ip", "iproute2", 1 },
};

static struct db DB;       /* the rows above, all lower case (Debian policy) */
static struct db MIXED;    /* a few names in mixed case (possible on Arch) */

static uint32_t version(struct db *db, uint32_t p, const char *v)
{
	int created;
	uint32_t i = db_ver_get(db, p, v, strlen(v), &created);

	assert_int_not_equal(i, DB_NONE);
	return i;
}

static void add_pkg(struct db *db, const struct pkg_row *r)
{
	uint32_t arch = db_str(db, r->arch, strlen(r->arch));
	uint32_t p = db_pkg_get(db, r->name, strlen(r->name), arch, 1);

	assert_int_not_equal(p, DB_NONE);
	if (r->inst)
		db->pkgs[p].inst = version(db, p, r->inst);
	if (r->cand)
		db->pkgs[p].cand = version(db, p, r->cand);
	if (r->other)
		version(db, p, r->other);
	for (uint32_t i = db->pkgs[p].vers; i != DB_NONE; i = db->vers[i].next)
		assert_int_equal(db_desc_set(db, i, r->desc, strlen(r->desc)), OMG_OK);
	for (size_t i = 0; i < sizeof PROVS / sizeof PROVS[0]; i++)
		if (db == &DB && !strcmp(PROVS[i].package, r->name) && !strcmp(r->arch, NATIVE))
			assert_int_equal(db_provide_add(db, PROVS[i].provides, strlen(PROVS[i].provides), db->pkgs[p].cand,
							"", 0), OMG_OK);
	db->pkgs[p].flags = r->flags;
}

/* Adds the commands ROWS as /usr/bin/NAME (as a backend does during a build). */
static int add_cmds(struct db *db, const struct cmd_row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct cmd_row *c = &rows[i];
		char path[64];
		snprintf(path, sizeof path, "/usr/bin/%s", c->name);
		if (db_cmd_add(db, c->name, strlen(c->name), c->package, strlen(c->package), path, strlen(path),
			       c->installed) != OMG_OK)
			return OMG_E_NOMEM;
	}
	return OMG_OK;
}

static int setup(void **state)
{
	static const struct pkg_row mixed[] = {
		{ "FireTool", NATIVE, NULL, "1", NULL, "", 0 },
		{ "libFIRE", NATIVE, NULL, "1", NULL, "", 0 },
		{ "py-Fire", NATIVE, NULL, "1", NULL, "", 0 },
		{ "fire", NATIVE, NULL, "1", NULL, "", 0 },
	};
	(void)state;

	if (db_init(&DB) != OMG_OK || db_init(&MIXED) != OMG_OK)
		return -1;
	DB.native_arch = db_str(&DB, NATIVE, strlen(NATIVE));
	MIXED.native_arch = db_str(&MIXED, NATIVE, strlen(NATIVE));
	for (size_t i = 0; i < sizeof PKGS / sizeof PKGS[0]; i++)
		add_pkg(&DB, &PKGS[i]);
	if (add_cmds(&DB, CMDS, sizeof CMDS / sizeof CMDS[0]) != OMG_OK)
		return -1;
	for (size_t i = 0; i < sizeof mixed / sizeof mixed[0]; i++)
		add_pkg(&MIXED, &mixed[i]);
	if (db_finish(&DB) != OMG_OK || db_finish(&MIXED) != OMG_OK)
		return -1;
	return DB.mixed_case_names == 0 && MIXED.mixed_case_names == 1 ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	db_free(&DB);
	db_free(&MIXED);
	return 0;
}

/* Package P as the tables write it: "name", or "name:arch" when not native. */
static void spell(const struct db *db, uint32_t p, char *buf, size_t n)
{
	const char *arch = db_s(db, db->pkgs[p].arch);

	if (!strcmp(arch, NATIVE))
		snprintf(buf, n, "%s", db_s(db, db->pkgs[p].name));
	else
		snprintf(buf, n, "%s:%s", db_s(db, db->pkgs[p].name), arch);
}

/* The hits, space-separated. */
static void spell_hits(const struct db *db, const struct db_hits *h, char *buf, size_t n)
{
	size_t len = 0;

	buf[0] = 0;
	for (uint32_t i = 0; i < h->n && len < n; i++) {
		char one[128];
		spell(db, h->v[i], one, sizeof one);
		len += (size_t)snprintf(buf + len, n - len, "%s%s", i ? " " : "", one);
	}
}

/* ---- db_search ------------------------------------------------------------------------- */

#define D DB_SEARCH_DESCRIPTIONS
#define I DB_SEARCH_INSTALLED

static const struct search_row {
	int mixed;              /* 1: the mixed-case db */
	const char *query;
	uint32_t limit, flags;
	const char *hits;       /* in rank order, names in order within a rank */
	uint32_t matched;       /* every match, also those past LIMIT */
} SEARCHES[] = {
	/* exact, then prefix, then word start (after - . +), then substring; one row a name
	 * (fire and fire:i386 are one, as apt-cache search lists a name once) */
	{ 0, "fire", 50, 0,
	  "fire firefox-esr firewalld bonfire-fire gnome-fire node.fire x+fire bonfire campfires", 9 },
	/* the query is case-insensitive */
	{ 0, "FiRe", 50, 0,
	  "fire firefox-esr firewalld bonfire-fire gnome-fire node.fire x+fire bonfire campfires", 9 },
	/* -d: then the packages whose description has it, in any case, its long part too */
	{ 0, "fire", 50, D,
	  "fire firefox-esr firewalld bonfire-fire gnome-fire node.fire x+fire bonfire campfires blaze ember", 11 },
	/* -i: installed only (fire:i386 is not, fire is) */
	{ 0, "fire", 50, I, "fire firewalld bonfire", 3 },
	{ 0, "fire", 50, I | D, "fire firewalld bonfire ember", 4 },
	/* LIMIT keeps the best ranks; MATCHED still counts all */
	{ 0, "fire", 3, 0, "fire firefox-esr firewalld", 9 },
	{ 0, "fire", 5, 0, "fire firefox-esr firewalld bonfire-fire gnome-fire", 9 },
	{ 0, "fire", 1, D, "fire", 11 },
	/* no exact name: the prefix rank leads */
	{ 0, "firew", 50, 0, "firewalld", 1 },
	{ 0, "fox", 50, 0, "firefox-esr", 1 },
	{ 0, "esr", 50, 0, "firefox-esr", 1 },
	/* the description of a package that also matches by name is not a second hit */
	{ 0, "shell", 50, D, "zsh", 1 },
	{ 0, "zsh", 50, D, "zsh", 1 },
	/* never a package without a candidate (or with -i installed) version */
	{ 0, "firewood", 50, 0, "", 0 },
	{ 0, "firemaker", 50, D, "", 0 },
	{ 0, "nothing-like-it", 50, D, "", 0 },
	/* every term must match (a newline between terms), each the name or the description */
	{ 0, "fire\nesr", 50, 0, "firefox-esr", 1 },
	{ 0, "fire\nsafely", 50, D, "blaze", 1 },
	{ 0, "fire\nsafely", 50, 0, "", 0 },
	{ 0, "fire\nway", 50, D, "fire", 1 },         /* the worst term's rank: way is in its description */
	/* terms are POSIX extended regular expressions, as apt's */
	{ 0, ".fire", 50, 0, "bonfire bonfire-fire campfires gnome-fire node.fire x+fire", 6 },
	{ 0, "x+", 50, 0, "x+fire firefox-esr", 2 },
	{ 0, "node\\.fire", 50, 0, "node.fire", 1 },
	{ 0, "^fire", 50, 0, "fire firefox-esr firewalld", 3 },
	{ 0, "fire$", 50, 0, "fire bonfire-fire gnome-fire node.fire x+fire bonfire", 6 },
	{ 0, "fire|zsh", 50, 0, "fire zsh firefox-esr firewalld bonfire-fire gnome-fire node.fire x+fire bonfire campfires", 10 },
	{ 0, "f[aeiou]re", 50, 0,
	  "fire firefox-esr firewalld bonfire-fire gnome-fire node.fire x+fire bonfire campfires", 9 },
	/* a description is one string: first line, then "\n rest" ($ is its end, . a newline) */
	{ 0, "^cools", 50, D, "ember", 1 },
	{ 0, "down$", 50, D, "", 0 },
	{ 0, "down.*slowly\\.$", 50, D, "ember", 1 },
	{ 0, "down. Puts", 50, D, "ember", 1 },
	{ 0, "fire *slowly", 50, D, "", 0 },
	/* a provided name matches for its providers, names only too */
	{ 0, "www-browser", 50, 0, "firefox-esr", 1 },
	{ 0, "browser\nfire", 50, 0, "firefox-esr", 1 },
	/* mixed-case names are folded too: libFIRE's "FIRE" does not start a word */
	{ 1, "fire", 50, 0, "fire FireTool py-Fire libFIRE", 4 },
	{ 1, "TOOL", 50, 0, "FireTool", 1 },
	{ 1, "t[o]ol$", 50, 0, "FireTool", 1 },
};

static void test_search_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof SEARCHES / sizeof SEARCHES[0]; i++) {
		const struct search_row *r = &SEARCHES[i];
		const struct db *db = r->mixed ? &MIXED : &DB;
		struct db_hits h;
		char got[1024];

		assert_int_equal(db_search(db, r->query, r->limit, r->flags, &h), OMG_OK);
		spell_hits(db, &h, got, sizeof got);
		if (strcmp(got, r->hits) != 0 || h.matched != r->matched)
			print_message("row %zu: search '%s' limit %u flags %u\n", i, r->query, r->limit, r->flags);
		assert_string_equal(got, r->hits);
		assert_int_equal(h.matched, r->matched);
		free(h.v);
	}
}

/* Queries omgd refuses: empty, or longer than the protocol's limit. */
static void test_search_refuses(void **state)
{
	char longq[DB_QUERY_MAX + 2];
	struct db_hits h;
	(void)state;

	assert_int_equal(db_search(&DB, "", 50, 0, &h), OMG_E_INVAL);
	assert_null(h.v);
	memset(longq, 'a', sizeof longq - 1);
	longq[sizeof longq - 1] = 0;
	assert_int_equal(db_search(&DB, longq, 50, 0, &h), OMG_E_INVAL);
	longq[DB_QUERY_MAX] = 0; /* exactly the limit: accepted */
	assert_int_equal(db_search(&DB, longq, 50, 0, &h), OMG_OK);
	assert_int_equal(h.n, 0);
	free(h.v);
	/* what regcomp refuses (apt: "Regex compilation error"), an empty term, and what would
	 * cost exponential time or memory (ere.h) */
	static const char *const bad[] = { "*fire", "fire(", "[fire", "fire\n\nx", "\nfire", "a+++++", "(a)\\1",
					   "a{300}", "a{2}b{2}" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(db_search(&DB, bad[i], 50, D, &h), OMG_E_INVAL);
		assert_null(h.v);
	}
	/* what apt accepts: stacked quantifiers up to four (c++), one counted repetition */
	assert_int_equal(db_search(&DB, "x++", 50, 0, &h), OMG_OK);
	assert_int_equal(h.n, 2);
	free(h.v);
	assert_int_equal(db_search(&DB, "f{1}ire", 50, 0, &h), OMG_OK);
	assert_int_equal(h.n, 9);
	free(h.v);
}

/* A term whose every match costs milliseconds ("(a|aa)*b" against 4,000 a's: glibc tries the
 * ways to split them) over 1,280 documents: the search stops at its deadline with
 * OMG_E_TIMEOUT, whatever the machine's speed (it checks every 64 documents; the whole walk
 * would take over 10 s here). */
static void test_search_deadline(void **state)
{
	struct db db;
	struct db_hits h;
	char *desc = malloc(4002);
	(void)state;

	assert_non_null(desc);
	memset(desc, 'a', 4000);
	desc[4000] = 0;
	assert_int_equal(db_init(&db), OMG_OK);
	db.native_arch = db_str(&db, NATIVE, strlen(NATIVE));
	for (int i = 0; i < 1280; i++) {
		char name[32];
		snprintf(name, sizeof name, "slow-%04d", i);
		const struct pkg_row r = { name, NATIVE, NULL, "1", NULL, desc, 0 };
		add_pkg(&db, &r);
	}
	assert_int_equal(db_finish(&db), OMG_OK);
	assert_int_equal(db_search(&db, "(a|aa)*b", 50, D, &h), OMG_E_TIMEOUT);
	assert_null(h.v);
	free(desc);
	db_free(&db);
}

/* ---- db_suggest (omg complete) ---------------------------------------------------------- */

static const struct suggest_row {
	const char *prefix;
	uint32_t limit, flags;
	const char *hits;       /* names in order, each name once */
	uint32_t matched;
} SUGGESTS[] = {
	/* one row per name: fire:i386 is the same word as fire */
	{ "fire", 50, 0, "fire firefox-esr firejail-rc firewalld", 4 },
	/* rc packages are named (as apt's pkgnames does), but not with -i */
	{ "fire", 50, I, "fire firewalld", 2 },
	{ "firej", 50, 0, "firejail-rc", 1 },
	{ "firej", 50, I, "", 0 },
	/* case matters: completion is of the exact bytes */
	{ "Fire", 50, 0, "", 0 },
	{ "fire", 2, 0, "fire firefox-esr", 4 },
	/* no versions at all (firewood), or none apt would install (firemaker): not named */
	{ "firem", 50, 0, "", 0 },
	{ "firewo", 50, 0, "", 0 },
	/* an instance of another architecture only is still a name */
	{ "libo", 50, 0, "libonly32:i386", 1 },
	{ "z", 50, 0, "zsh", 1 },
	{ "zz", 50, 0, "", 0 },
	/* the empty prefix: every name */
	{ "", 3, 0, "blaze bonfire bonfire-fire", 14 },
	{ "", 100, I, "bonfire ember fire firewalld libonly32:i386 zsh", 6 },
};

static void test_suggest_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof SUGGESTS / sizeof SUGGESTS[0]; i++) {
		const struct suggest_row *r = &SUGGESTS[i];
		struct db_hits h;
		char got[1024];

		assert_int_equal(db_suggest(&DB, r->prefix, r->limit, r->flags, &h), OMG_OK);
		spell_hits(&DB, &h, got, sizeof got);
		if (strcmp(got, r->hits) != 0 || h.matched != r->matched)
			print_message("row %zu: suggest '%s' limit %u flags %u\n", i, r->prefix, r->limit, r->flags);
		assert_string_equal(got, r->hits);
		assert_int_equal(h.matched, r->matched);
		free(h.v);
	}
}

/* ---- db_lookup and db_lookup_any (info, policy, show) ---------------------------------------- */

static const struct lookup_row {
	const char *spec;
	const char *usable;     /* db_lookup: an instance with an installed or candidate version */
	const char *any;        /* db_lookup_any: an instance with any version; "" for none */
} LOOKUPS[] = {
	{ "fire", "fire", "fire" },                 /* the native instance first */
	{ "fire:i386", "fire:i386", "fire:i386" },
	{ "fire:amd64", "fire", "fire" },
	{ "fire:arm64", "", "" },
	{ "libonly32", "libonly32:i386", "libonly32:i386" }, /* no native one: the other */
	{ "libonly32:amd64", "", "" },
	{ "firemaker", "", "firemaker" },           /* a version, but not installable */
	{ "firewood", "", "" },                     /* no version at all */
	{ "firejail-rc", "", "" },
	{ "Fire", "", "" },                         /* names are exact */
	{ "fir", "", "" },
	{ "", "", "" },
	{ ":amd64", "", "" },
};

static void test_lookup_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof LOOKUPS / sizeof LOOKUPS[0]; i++) {
		const struct lookup_row *r = &LOOKUPS[i];
		uint32_t u = db_lookup(&DB, r->spec), a = db_lookup_any(&DB, r->spec);
		char got_u[128] = "", got_a[128] = "";

		if (u != DB_NONE)
			spell(&DB, u, got_u, sizeof got_u);
		if (a != DB_NONE)
			spell(&DB, a, got_a, sizeof got_a);
		if (strcmp(got_u, r->usable) != 0 || strcmp(got_a, r->any) != 0)
			print_message("row %zu: lookup '%s'\n", i, r->spec);
		assert_string_equal(got_u, r->usable);
		assert_string_equal(got_a, r->any);
	}
}

/* ---- db_one_edit and db_cmd_similar (command-not-found) ---------------------------------- */

static const struct edit_row {
	const char *a, *b;
	int one;                /* one byte deleted, inserted or replaced, or two adjacent swapped */
} EDITS[] = {
	{ "gti", "git", 1 },  { "git", "gti", 1 },   /* swapped */
	{ "gitt", "git", 1 }, { "git", "gitt", 1 },  /* one more at the end */
	{ "agit", "git", 1 }, { "gt", "git", 1 },    /* one more at the start, one missing inside */
	{ "gat", "git", 1 },  { "gif", "git", 1 },   /* replaced inside, at the end */
	{ "xit", "git", 1 },
	{ "git", "git", 0 },                         /* the same word is no edit */
	{ "tig", "git", 0 },  { "gi", "gitk", 0 },   /* two edits */
	{ "igtt", "gitt", 1 }, { "gitk", "gikt", 1 },
	{ "ab", "ba", 1 },    { "abc", "cba", 0 },   /* only adjacent bytes swap */
	{ "", "a", 1 },       { "", "", 0 },         { "", "ab", 0 },
};

static void test_one_edit_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof EDITS / sizeof EDITS[0]; i++) {
		const struct edit_row *r = &EDITS[i];
		int got = db_one_edit(r->a, strlen(r->a), r->b, strlen(r->b));
		if (got != r->one)
			print_message("row %zu: '%s' '%s'\n", i, r->a, r->b);
		assert_int_equal(got, r->one);
	}
}

static const struct similar_row {
	const char *word;
	uint32_t max;
	const char *cmds;       /* "command/package", installed ones first, then in name order */
} SIMILARS[] = {
	{ "gti", 10, "git/git" },                   /* gti itself (not installed) is not a hint */
	{ "gitt", 10, "git/git gitk/gitk" },
	{ "gitt", 1, "git/git" },                   /* a full list keeps the installed ones */
	{ "git", 10, "gitk/gitk gti/gti" },
	{ "s", 10, "ls/coreutils sl/sl" },
	{ "l", 10, "ls/coreutils sl/sl" },
	{ "i", 10, "ip/iproute2" },
	{ "firefix", 10, "firefox/firefox firefox/firefox-esr" }, /* every package that has it */
	{ "xyz", 10, "" },
	{ "ls", 10, "sl/sl" },                      /* not ip: two bytes replaced */
};

static void test_similar_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof SIMILARS / sizeof SIMILARS[0]; i++) {
		const struct similar_row *r = &SIMILARS[i];
		uint32_t out[16];
		int available = -1;
		uint32_t n = db_cmd_similar(&DB, r->word, out, r->max, &available);
		char got[512] = "";
		size_t len = 0;

		for (uint32_t k = 0; k < n; k++)
			len += (size_t)snprintf(got + len, sizeof got - len, "%s%s/%s", k ? " " : "",
						db_s(&DB, DB.cmds[out[k]].name), db_s(&DB, DB.cmds[out[k]].package));
		if (strcmp(got, r->cmds) != 0)
			print_message("row %zu: similar '%s'\n", i, r->word);
		assert_string_equal(got, r->cmds);
		assert_int_equal(available, 1); /* CMDS has commands of packages not installed */
	}
}

/* ---- db_list and db_cmd_packages, on a db of their own ------------------------------------ */

static const struct pkg_row LISTED[] = {
	{ "app", NATIVE, "1", "1", NULL, "", DB_PKG_INSTALLED },
	{ "libdep", NATIVE, "1", "2", NULL, "", DB_PKG_INSTALLED | DB_PKG_AUTO | DB_PKG_UPGRADABLE | DB_PKG_SECURITY },
	{ "leftover", NATIVE, "1", "1", NULL, "", DB_PKG_INSTALLED | DB_PKG_AUTO | DB_PKG_ORPHAN },
	{ "newer", NATIVE, "1", "3", NULL, "", DB_PKG_INSTALLED | DB_PKG_UPGRADABLE },
	{ "lib32", "i386", "1", "1", NULL, "", DB_PKG_INSTALLED | DB_PKG_AUTO | DB_PKG_FOREIGN },
	{ "available", NATIVE, NULL, "1", NULL, "", 0 },
	{ "removed-rc", NATIVE, NULL, NULL, NULL, "", DB_PKG_CONFIG_FILES },
};

static const struct list_row {
	unsigned kind;
	uint32_t limit;         /* 0: all */
	const char *hits;       /* in name order */
	uint32_t matched;
} LISTS[] = {
	{ DB_LIST_INSTALLED, 0, "app leftover lib32:i386 libdep newer", 5 },
	{ DB_LIST_EXPLICIT, 0, "app newer", 2 },       /* installed, not automatically */
	{ DB_LIST_ORPHANS, 0, "leftover", 1 },
	{ DB_LIST_UPGRADABLE, 0, "libdep newer", 2 },
	{ DB_LIST_SECURITY, 0, "libdep", 1 },
	{ DB_LIST_INSTALLED, 2, "app leftover", 5 },   /* LIMIT keeps the first; MATCHED counts all */
	{ DB_LIST__COUNT, 0, "", 0 },                  /* no such list: nothing */
};

/* Commands: installed copies and Contents entries; one package may have a command twice. */
static const struct cmd_row LISTED_CMDS[] = {
	{ "vi", "vim", 1 }, { "vi", "vim", 0 }, { "vi", "nvi", 0 }, { "vi", "busybox", 0 }, { "ed", "ed", 0 },
};

static const struct cmd_packages_row {
	const char *name;
	uint32_t max;
	const char *packages;   /* installed first, then by package name */
} CMD_PACKAGES[] = {
	{ "vi", 10, "vim busybox nvi" },               /* vim once: its copy and its Contents entry */
	{ "vi", 2, "vim busybox" },
	{ "ed", 10, "ed" },
	{ "vim", 10, "" },
	{ "", 10, "" },
};

static void test_list_and_cmd_packages(void **state)
{
	struct db db;
	(void)state;

	assert_int_equal(db_init(&db), OMG_OK);
	db.native_arch = db_str(&db, NATIVE, strlen(NATIVE));
	for (size_t i = 0; i < sizeof LISTED / sizeof LISTED[0]; i++)
		add_pkg(&db, &LISTED[i]);
	assert_int_equal(add_cmds(&db, LISTED_CMDS, sizeof LISTED_CMDS / sizeof LISTED_CMDS[0]), OMG_OK);
	assert_int_equal(db_finish(&db), OMG_OK);
	for (size_t i = 0; i < sizeof LISTS / sizeof LISTS[0]; i++) {
		const struct list_row *r = &LISTS[i];
		struct db_hits h;
		char got[512];
		assert_int_equal(db_list(&db, r->kind, r->limit, &h), OMG_OK);
		spell_hits(&db, &h, got, sizeof got);
		if (strcmp(got, r->hits) != 0 || h.matched != r->matched)
			print_message("row %zu: list %u limit %u\n", i, r->kind, r->limit);
		assert_string_equal(got, r->hits);
		assert_int_equal(h.matched, r->matched);
		free(h.v);
	}
	for (size_t i = 0; i < sizeof CMD_PACKAGES / sizeof CMD_PACKAGES[0]; i++) {
		const struct cmd_packages_row *r = &CMD_PACKAGES[i];
		uint32_t out[16], n = db_cmd_packages(&db, r->name, out, r->max);
		char got[512] = "";
		size_t len = 0;
		for (uint32_t k = 0; k < n; k++)
			len += (size_t)snprintf(got + len, sizeof got - len, "%s%s", k ? " " : "",
						db_s(&db, db.cmds[out[k]].package));
		if (strcmp(got, r->packages) != 0)
			print_message("row %zu: packages of command '%s'\n", i, r->name);
		assert_string_equal(got, r->packages);
	}
	db_free(&db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_search_table),
		cmocka_unit_test(test_search_refuses),
		cmocka_unit_test(test_search_deadline),
		cmocka_unit_test(test_suggest_table),
		cmocka_unit_test(test_lookup_table),
		cmocka_unit_test(test_one_edit_table),
		cmocka_unit_test(test_similar_table),
		cmocka_unit_test(test_list_and_cmd_packages),
	};
	return cmocka_run_group_tests_name("db", tests, setup, teardown);
}
