/* pacmanconf.h — pacman.conf as pacman reads it (libalpm does not parse it).
 *
 * Sections: [options] and one per repository, in file order (the order that decides
 * updates). Keys are `Key = value` or a bare `Key`; `#` starts a comment; whitespace around
 * keys and values is dropped. `Include = PATH` (a glob, as pacman expands it) reads other
 * files in place, to a depth of 10, in any section. From [options]: RootDir, DBPath, LogFile,
 * IgnorePkg and IgnoreGroup (space-separated lists, repeatable), and for the archive check
 * (verify/archive_alpm.c) GPGDir, CacheDir (repeatable) and SigLevel (its words, repeatable, as
 * pacman reads them one after another), and per repository its SigLevel words and first Server.
 * Everything else is kept out of the way: omg only reads databases.
 *
 * With ROOT other than "/", absolute RootDir, DBPath and Include paths are taken inside ROOT
 * (as `omgd --root` reads a whole other system), and DBPath defaults to ROOT/var/lib/pacman,
 * LogFile to ROOT/var/log/pacman.log (omg history reads it), GPGDir to ROOT/etc/pacman.d/gnupg/
 * and CacheDir to ROOT/var/cache/pacman/pkg/.
 */
#ifndef OMGD_PACMANCONF_H
#define OMGD_PACMANCONF_H

#include <stddef.h>

#define PACMANCONF_MAX_REPOS 64
#define PACMANCONF_MAX_IGNORE 256
#define PACMANCONF_MAX_CACHEDIRS 8

struct pacmanconf {
	char rootdir[4096], dbpath[4096], logfile[4096];
	char repos[PACMANCONF_MAX_REPOS][64];
	int nrepos;
	char *ignore_pkg[PACMANCONF_MAX_IGNORE], *ignore_group[PACMANCONF_MAX_IGNORE];
	int nignore_pkg, nignore_group;
	char path[4096];        /* the main file read */
	int errors;             /* lines that could not be understood (skipped, as pacman warns) */
	char gpgdir[4096];
	char *cachedir[PACMANCONF_MAX_CACHEDIRS];
	int ncachedirs;
	char *siglevel;         /* [options] SigLevel words, space-separated (malloc'd; NULL: none) */
	char *repo_siglevel[PACMANCONF_MAX_REPOS]; /* each repository's, as siglevel */
	char *repo_server[PACMANCONF_MAX_REPOS];   /* each repository's first Server (NULL: none) */
};

/* Reads ROOT/etc/pacman.conf (or CONF when not NULL). OMG_OK, OMG_E_NOTFOUND when it does
 * not exist, OMG_E_NOMEM. */
int pacmanconf_load(struct pacmanconf *c, const char *root, const char *conf);
/* Parses N bytes as a pacman.conf (Includes read inside ROOT); for tests and fuzzing. */
int pacmanconf_parse(struct pacmanconf *c, const char *root, const char *buf, size_t n);
void pacmanconf_free(struct pacmanconf *c);
/* 1 when NAME matches an IgnorePkg glob. */
int pacmanconf_ignored(const struct pacmanconf *c, const char *name);

#endif
