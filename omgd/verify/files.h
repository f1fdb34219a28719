/* files.h — installed files checked against what their packages shipped (docs/verify-files.md).
 *
 * Debian (verify_dpkg): for every package dpkg has files of (any state but not-installed: dpkg
 * --verify's set), or the packages named, each path of ADMINDIR/info/PKG[:ARCH].list must exist;
 * a path with a digest, from info/PKG[:ARCH].md5sums or else from the status file's Conffiles:,
 * must be a regular file whose MD5 is that digest. A path diverted away from the package
 * (ADMINDIR/diversions) is checked where it was diverted to. Arch (verify_alpm): every entry
 * of each local package's mtree (libalpm), as pacman -Qkk checks them, plus the digest.
 *
 * Classes (one finding a path, the first that applies, in this order):
 *   missing         the path does not exist (lstat: ENOENT, ENOTDIR)
 *   unreadable      it cannot be looked at or read (EACCES, EIO...; the errno is kept)
 *   replaced        not the type shipped: a symlink, a directory or a device where a regular
 *                   file was (dpkg --verify's 'M'); for Arch also a directory/symlink type change
 *   changed         the content's digest (Arch: or size, or link target) differs
 *   changed-config  the same for a conffile (Debian) or a backup file (Arch): reported, not an
 *                   alteration (pacman does not count it; debsums needs -a for it)
 *   altered         Arch only: mode, owner, group or mtime differ from the mtree (pacman -Qkk)
 *
 * The cache (struct verify_cache, its own LMDB environment): what a file's digest was for one
 * (dev, ino, size, mtime_ns, ctime_ns), per package and path, valid for one package version.
 * A file whose stat is unchanged is not read again; a new version of a package drops its
 * entries; FULL rehashes everything and rewrites them.
 *
 * Threads: everything runs on the caller's thread (omgd's verification worker: call
 * verify_lower_priority there first), touches no index and no lock the event loop uses, and
 * stops within one read buffer of *CANCEL becoming non-zero or DEADLINE_NS passing: then
 * OMG_E_TIMEOUT, with what was found so far in the run (COMPLETE 0) and the cache holding
 * every digest computed, so that the next run resumes at the cost of the stat calls.
 * Functions return OMG_OK or an omg_err code with the detail set.
 */
#ifndef OMGD_VERIFY_FILES_H
#define OMGD_VERIFY_FILES_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

enum verify_class {
	VERIFY_MISSING,
	VERIFY_UNREADABLE,
	VERIFY_REPLACED,
	VERIFY_CHANGED,
	VERIFY_CHANGED_CONFIG,
	VERIFY_ALTERED,
	VERIFY__COUNT
};

/* Arch's details of an altered or changed file (what pacman -Qkk names), ORed. */
enum {
	VERIFY_D_MODE = 1, VERIFY_D_UID = 2, VERIFY_D_GID = 4, VERIFY_D_MTIME = 8, VERIFY_D_SIZE = 16,
	VERIFY_D_LINK = 32, VERIFY_D_DIGEST = 64,
};

struct verify_finding {
	char *pkg;       /* NAME, or NAME:ARCH for dpkg's Multi-Arch: same instances */
	char *path;      /* absolute, inside the root (the root not prepended) */
	uint8_t cls;     /* enum verify_class */
	uint8_t config;  /* a conffile or backup file */
	uint16_t detail; /* VERIFY_D_* (Arch) */
	int err;         /* errno of missing and unreadable */
};

struct verify_totals {
	uint64_t packages;      /* packages checked */
	uint64_t no_checksums;  /* of those, with no digests at all (no md5sums, no conffiles) */
	uint64_t files;         /* paths checked */
	uint64_t hashed;        /* files read and hashed */
	uint64_t cache_hits;    /* files whose digest came from the cache */
	uint64_t bytes;         /* bytes hashed */
	uint64_t malformed;     /* lines of md5sums/list/Conffiles/diversions skipped */
	uint64_t by_class[VERIFY__COUNT];
	uint64_t elapsed_ns;
};

struct verify_cache;

typedef void (*verify_progress_fn)(void *ctx, const struct verify_totals *t, size_t done, size_t total);

struct verify_run {
	/* in */
	const char *root;            /* NULL: "/" */
	const char *admindir;        /* dpkg: NULL = ROOT/var/lib/dpkg; alpm: the dbpath, NULL = pacman.conf's */
	const char *const *names;    /* NULL: every package; else NAME or NAME:ARCH */
	size_t nnames;
	struct verify_cache *cache;  /* NULL: hash every file, remember nothing */
	int full;                    /* ignore the cache's digests (and store the new ones) */
	const atomic_int *cancel;    /* NULL: none */
	uint64_t deadline_ns;        /* CLOCK_MONOTONIC; 0: none */
	verify_progress_fn progress; /* at most every 100 ms, and once at the end */
	void *progress_ctx;
	/* out (verify_run_free releases them) */
	struct verify_finding *findings;
	size_t nfindings, cap_findings;
	char **unknown;              /* names asked for that are not installed (dpkg --verify: a notice, exit 1) */
	size_t nunknown;
	struct verify_totals totals;
	int complete;                /* 1: every package was checked */
};

/* The Debian check described above. */
int verify_dpkg(struct verify_run *run);
/* The Arch check: libalpm on ROOT with the dbpath ADMINDIR (or pacman.conf's). */
int verify_alpm(struct verify_run *run);
void verify_run_free(struct verify_run *run);

/* "missing", "unreadable", "replaced", "changed", "changed-config", "altered". */
const char *verify_class_name(int cls);
/* The exit status omg proposes (docs/verify-files.md): 0 nothing found (changed-config alone
 * is not an alteration), 1 missing, replaced, changed or altered files, 2 unreadable ones only
 * or unknown names. */
int verify_exit_status(const struct verify_run *run);

/* Opens (creating it) the cache environment in DIR (store.h's rules for the directory); an
 * environment of another format is emptied. One thread uses it. */
int verify_cache_open(struct verify_cache **c, const char *dir);
void verify_cache_close(struct verify_cache *c);
/* Entries in the cache (tests, metrics). */
int verify_cache_count(struct verify_cache *c, uint64_t *files, uint64_t *packages);

/* The calling thread at nice 19 and the idle I/O class: a verification never competes with
 * answers. OMG_E_SYS when either could not be set (the run may still go on). */
int verify_lower_priority(void);

/* ---- the parsers of dpkg's files (bounded; malformed lines are skipped and counted) ---- */

#define VERIFY_PATH_MAX 4096

/* Canonical path: leading "/" and "./" dropped, one "/" put back, a trailing "/" dropped (as
 * dpkg keys its file names). Returns the length written to OUT (VERIFY_PATH_MAX bytes), 0 for
 * an empty or too long name. */
size_t verify_canon_path(const char *p, size_t n, char *out);

/* info/PKG.md5sums: "<32 hex>  <path>" lines. FN gets the canonical path and the 16 bytes. */
typedef int (*verify_md5_fn)(void *ctx, const char *path, size_t plen, const uint8_t md5[16]);
int verify_parse_md5sums(const char *buf, size_t len, verify_md5_fn fn, void *ctx, uint64_t *malformed);

/* info/PKG.list: one path a line. FN gets the canonical path; MD5 is NULL. */
int verify_parse_list(const char *buf, size_t len, verify_md5_fn fn, void *ctx, uint64_t *malformed);

/* The status file's Conffiles: value: " <path> <hash> [obsolete] [remove-on-upgrade]" lines.
 * HASH is 32 hex, or "newconffile" (unpacked, never configured: MD5 NULL and VERIFY_CONF_NEW; the
 * caller treats it as dpkg --verify does, a digest no file matches). FLAGS: VERIFY_CONF_*. */
enum { VERIFY_CONF_OBSOLETE = 1, VERIFY_CONF_REMOVE_ON_UPGRADE = 2, VERIFY_CONF_NEW = 4 };
typedef int (*verify_conf_fn)(void *ctx, const char *path, size_t plen, const uint8_t *md5, unsigned flags);
int verify_parse_conffiles(const char *value, size_t len, verify_conf_fn fn, void *ctx, uint64_t *malformed);

/* ADMINDIR/diversions: triples of lines FROM, TO, PACKAGE (":" for a local diversion: PKG NULL). */
typedef int (*verify_divert_fn)(void *ctx, const char *from, const char *to, const char *pkg);
int verify_parse_diversions(const char *buf, size_t len, verify_divert_fn fn, void *ctx, uint64_t *malformed);

#endif
