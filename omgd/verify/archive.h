/* archive.h — the archive chain of a Debian root, checked as apt trusts it: for every
 * configured source (aptsources.h), its InRelease (or Release + Release.gpg) against the
 * keyring apt would use (archive_sig.h), its Date and Valid-Until, then every package list
 * apt keeps for it hashed (decompressed, as apt reads it) against the signed SHA256 entry,
 * and every .deb in apt's archive cache against its list's SHA256.
 *
 * A list is trusted only through a Release whose signature is good: the lists of a source
 * whose Release is not good are not hashed (nothing signed says what they should be) and
 * are counted as unchecked. The lists and the Release are read once each, and the entries
 * come from exactly the bytes whose signature was checked.
 *
 * Runs on the verification worker (verify/worker.c), any thread; CANCEL (read atomically,
 * NULL: never) stops it between reads (OMG_E_TIMEOUT).
 */
#ifndef OMGD_VERIFY_ARCHIVE_H
#define OMGD_VERIFY_ARCHIVE_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "archive_sig.h"

enum archive_dates {
	ARCHIVE_DATES_OK = 0,
	ARCHIVE_DATES_EXPIRED = 1,     /* now is past Valid-Until: apt refuses the Release */
	ARCHIVE_DATES_FUTURE = 2,      /* Date lies ahead of now: apt says "not valid yet" */
	ARCHIVE_DATES_UNCHECKED = 3,   /* the Release could not be read */
};

/* What is wrong with one file of the chain. */
enum archive_problem {
	ARCHIVE_LIST_CHANGED = 1,      /* its content does not hash to the signed entry */
	ARCHIVE_LIST_UNLISTED = 2,     /* the signed Release names no such index */
	ARCHIVE_LIST_UNREADABLE = 3,   /* it cannot be read or decompressed */
	ARCHIVE_DEB_CHANGED = 4,       /* a cached .deb whose SHA256 is not its list's */
	ARCHIVE_DEB_UNREADABLE = 5,
};

struct archive_finding {
	uint8_t problem;          /* enum archive_problem */
	char *path;               /* the file */
	char *detail;             /* "sha256 1f2e… expected 9a8b…", "size 1234, expected 1200" */
};

struct archive_source {
	char desc[600];           /* "http://deb.debian.org/debian bookworm" */
	char release[4096];       /* the file whose signature was checked ("" when none) */
	struct archive_sig_result sig;
	uint8_t dates;            /* enum archive_dates */
	int64_t date, valid_until; /* unix seconds, -1 when absent */
	uint32_t lists, lists_bad, lists_unchecked;
};

struct archive_report {
	struct archive_source *src;
	size_t nsrc;
	struct archive_finding *find;
	size_t nfind;
	uint32_t debs, debs_bad, debs_unknown; /* cached .debs: checked, wrong, in no list */
	uint64_t bytes;           /* hashed, decompressed */
	size_t capfind;           /* FIND's room */
};

/* What the last check read of the cached .debs: a .deb whose stat (device, inode, size, mtime,
 * ctime) is the same is not read again (apt's cache holds gigabytes). Owned by one thread;
 * zero-initialised; archive_memo_free at the end. */
struct archive_memo {
	struct archive_memo_entry *v;
	size_t n, cap;
};
void archive_memo_free(struct archive_memo *m);
struct stat;
/* The digest M holds for NAME, when its stat ST is what it was then; NULL otherwise. M must be
 * sorted by name. */
const unsigned char *archive_memo_find(const struct archive_memo *m, const char *name, const struct stat *st);
/* Adds NAME's digest SHA read at stat ST to M: OMG_OK or OMG_E_NOMEM. */
int archive_memo_add(struct archive_memo *m, const char *name, const struct stat *st, const unsigned char *sha);
void archive_memo_sort(struct archive_memo *m);

/* Checks the chain of ROOT ("/" or a directory holding etc/apt and var/lib/apt) at NOW (unix
 * seconds) into R, with MEMO (NULL: read every .deb; FULL: read every .deb and renew MEMO).
 * OMG_OK (with any problems in R), OMG_E_TIMEOUT when *CANCEL became non-zero (R holds what
 * was done), OMG_E_NOMEM. */
int archive_verify(const char *root, int64_t now, const atomic_int *cancel, struct archive_memo *memo, int full,
		   struct archive_report *r);
/* The same check on an Arch root (ROOT/etc/pacman.conf, as pacman reads it: pacmanconf.h), into
 * the same report, through libalpm's own checks on a handle of its own (opened and released
 * here: nothing is shared with the index's):
 *  - one source per repository of pacman.conf, in order: desc "REPO (first Server)", release
 *    its sync database (DBPath/sync/REPO.db), the verdict of libalpm's signature check
 *    (alpm_register_syncdb with the repository's SigLevel merged over [options]' as pacman
 *    merges them, then alpm_db_get_valid; checker "libalpm"): GOOD only when libalpm checked a
 *    REPO.db.sig (gpgme, the keyring in GPGDir) and accepted it, BAD / NOKEY / EXPIRED as it
 *    refused it (the reason from alpm_db_check_pgp_signature), TRUSTED when pacman checks
 *    nothing (databases Never) or the database is unsigned and SigLevel allows it (Optional),
 *    UNSIGNED when it is unsigned and Required, UNCHECKED when libalpm lacks gpgme or GPGDir
 *    has no pubring.gpg, MISSING when no sync database was fetched. No key is ever imported
 *    (libalpm's question is declined: no network). Sync databases have no dates (OK, -1);
 *    lists stay 0.
 *  - every package file (*.pkg.tar.*, not .sig, not .part; regular files) of each CacheDir
 *    hashed (SHA-256, streamed) against alpm_pkg_get_sha256sum of the package of that file
 *    name in the first GOOD or TRUSTED database that has it (the debs counters and
 *    ARCHIVE_DEB_* findings: "deb" means a cached package here); a file no such database lists
 *    counts in debs_unknown. Package signatures (.pkg.tar.*.sig) are not checked.
 * libalpm's gpgme set-up is once per process (the first handle's GPGDir wins): omgd serves one
 * root. gpg runs as a child of gpgme for each signed database (local files only, no deadline of
 * its own). NOW is unused (kept for archive_verify's shape). OMG_OK (problems in R),
 * OMG_E_TIMEOUT when *CANCEL became non-zero (between databases, files and 256 KiB chunks; R
 * holds what was done), OMG_E_NOTFOUND (no pacman.conf), OMG_E_SYS (libalpm refused the
 * root), OMG_E_NOMEM. */
int archive_verify_alpm(const char *root, int64_t now, const atomic_int *cancel, struct archive_memo *memo, int full,
			struct archive_report *r);
void archive_report_free(struct archive_report *r);
/* Whether *CANCEL (NULL: never) asks the check to stop (archive.c, archive_alpm.c). */
static inline int archive_cancelled(const atomic_int *cancel)
{
	return cancel && atomic_load_explicit(cancel, memory_order_relaxed);
}
/* Adds a finding to R: OMG_OK or OMG_E_NOMEM (for archive.c and archive_alpm.c). */
int archive_add_finding(struct archive_report *r, uint8_t problem, const char *path, const char *detail);
/* Whether source S is trusted as apt would use it: a good signature and dates in range
 * (or trusted=yes). */
int archive_source_ok(const struct archive_source *s);

#endif
