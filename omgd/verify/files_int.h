/* files_int.h — the inside of the installed-files verifier (files.h is the contract).
 *
 * files_check.c holds one run's state (struct vf): the root, the read buffer, the stop test,
 * the findings and the progress calls, and checks one file (lstat inside the root, the digest
 * from the cache or read). files_cache.c is the cache's LMDB environment; files_dpkg.c and
 * files_alpm.c walk the packages; files_parse.c parses dpkg's files. Nothing outside
 * omgd/verify/ includes this header.
 */
#ifndef OMGD_VERIFY_FILES_INT_H
#define OMGD_VERIFY_FILES_INT_H

#include "verify/files.h"

#include <stdint.h>
#include <sys/types.h>
#include <sys/stat.h>

enum vf_kind { VF_MD5 = 1, VF_SHA256 = 2 };

#define VF_DIGEST_MAX 32
#define VF_BUF_SIZE (256u << 10)       /* one read; the stop test runs between reads */
#define VF_PROGRESS_NS 100000000ull    /* 100 ms between progress calls */
#define VF_RACY_NS 1000000000ull       /* a file changed this close to its hashing is hashed again */

static inline size_t vf_digest_len(int kind) { return kind == VF_SHA256 ? 32 : 16; }

struct vf {
	struct verify_run *run;
	char root[VERIFY_PATH_MAX];   /* without a trailing '/': "" for "/" */
	int rootfd;                   /* -1 for "/"; else the root for openat2(RESOLVE_IN_ROOT) */
	int no_openat2;               /* the kernel has none: paths are joined and looked up */
	uint8_t *buf;
	uint64_t start_ns, last_progress_ns;
	size_t done, total;           /* packages */
	int stopped;                  /* cancel or deadline seen */
};

int vf_begin(struct vf *x, struct verify_run *run);
void vf_end(struct vf *x);
/* 1 when the run must stop (cancel or deadline): sets X->stopped. */
int vf_stop(struct vf *x);
/* lstat of PATH inside the root: 0, or the errno. */
int vf_lstat(struct vf *x, const char *path, struct stat *st);
/* readlink of PATH inside the root. */
ssize_t vf_readlink(struct vf *x, const char *path, char *buf, size_t n);
/* The digest of KIND of the regular file PATH whose lstat is ST, into OUT: from the cache for
 * PKG when its stat is unchanged (unless run->full), else read (and stored). *ERR: 0, or the
 * errno that kept it from being read. OMG_OK, OMG_E_TIMEOUT (stopped while reading), or an
 * error of the cache. */
int vf_digest(struct vf *x, const char *pkg, const char *path, const struct stat *st, int kind, uint8_t *out,
	      int *err);
int vf_add(struct vf *x, const char *pkg, const char *path, int cls, int config, unsigned detail, int err);
int vf_unknown(struct vf *x, const char *name);
void vf_progress(struct vf *x, int force);
/* Ends a run: the cache written, the elapsed time, COMPLETE; returns RC or the flush's error. */
int vf_finish(struct vf *x, int rc);

/* files_cache.c: the entries of the package being checked. */
/* Starts package PKG at VERSION: a different stored version drops its entries. */
int vf_cache_pkg(struct verify_cache *c, const char *pkg, const char *version);
/* 1: the digest of KIND for ST is in the cache (into OUT); 0: not. */
int vf_cache_get(struct verify_cache *c, const char *pkg, const char *path, const struct stat *st, int kind,
		 uint8_t *out);
int vf_cache_put(struct verify_cache *c, const char *pkg, const char *path, const struct stat *st, int kind,
		 const uint8_t *digest, uint64_t hashed_at_ns);
/* Writes what is pending (one transaction); also done every few thousand entries. */
int vf_cache_flush(struct verify_cache *c);
/* After a complete run over every package: drops the packages the run did not see (removed
 * from the system). */
int vf_cache_prune(struct verify_cache *c);
/* Forgets which packages this run saw (a run begins). */
void vf_cache_forget_run(struct verify_cache *c);

#endif
