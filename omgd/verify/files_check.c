/* files_check.c — one verification run's state and the check of one file (files_int.h): the
 * lookup inside the root, the digest from the cache or from reading the file, the findings,
 * the stop test and the progress calls. */
#include "config.h"

#include "verify/files_int.h"

#include "clock.h"
#include "grow.h"
#include "omg_error.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <mbedtls/md5.h>
#include <mbedtls/sha256.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static const char *const class_names[VERIFY__COUNT] = {
	[VERIFY_MISSING] = "missing", [VERIFY_UNREADABLE] = "unreadable", [VERIFY_REPLACED] = "replaced",
	[VERIFY_CHANGED] = "changed", [VERIFY_CHANGED_CONFIG] = "changed-config", [VERIFY_ALTERED] = "altered",
};

const char *verify_class_name(int cls)
{
	return cls >= 0 && cls < VERIFY__COUNT ? class_names[cls] : "?";
}

int verify_exit_status(const struct verify_run *run)
{
	const uint64_t *c = run->totals.by_class;

	if (c[VERIFY_MISSING] || c[VERIFY_REPLACED] || c[VERIFY_CHANGED] || c[VERIFY_ALTERED])
		return 1;
	if (c[VERIFY_UNREADABLE] || run->nunknown || !run->complete)
		return 2;
	return 0;
}

int verify_lower_priority(void)
{
	/* Linux applies both to the one thread named by its id */
	pid_t tid = (pid_t)syscall(SYS_gettid);
	int rc = OMG_OK;

	if (setpriority(PRIO_PROCESS, (id_t)tid, 19) != 0)
		rc = OMG_ERROR(OMG_E_SYS, "setpriority: %s", strerror(errno));
	/* ioprio_set(IOPRIO_WHO_PROCESS, tid, IOPRIO_CLASS_IDLE << IOPRIO_CLASS_SHIFT) */
	if (syscall(SYS_ioprio_set, 1, (int)tid, 3 << 13) != 0)
		rc = OMG_ERROR(OMG_E_SYS, "ioprio_set: %s", strerror(errno));
	return rc;
}

void verify_run_free(struct verify_run *run)
{
	for (size_t i = 0; i < run->nfindings; i++) {
		free(run->findings[i].pkg);
		free(run->findings[i].path);
	}
	free(run->findings);
	for (size_t i = 0; i < run->nunknown; i++)
		free(run->unknown[i]);
	free(run->unknown);
	run->findings = NULL;
	run->unknown = NULL;
	run->nfindings = run->cap_findings = run->nunknown = 0;
}

int vf_begin(struct vf *x, struct verify_run *run)
{
	const char *root = run->root && run->root[0] ? run->root : "/";
	size_t n = strlen(root);

	memset(x, 0, sizeof *x);
	x->run = run;
	x->rootfd = -1;
	x->start_ns = mono_now_ns();
	memset(&run->totals, 0, sizeof run->totals);
	run->complete = 0;
	if (run->cache)
		vf_cache_forget_run(run->cache);
	while (n > 1 && root[n - 1] == '/')
		n--;
	if (root[0] != '/' || n >= sizeof x->root - 1)
		return OMG_ERROR(OMG_E_INVAL, "root %s: not an absolute path", root);
	if (n > 1) {
		memcpy(x->root, root, n);
		x->root[n] = 0;
		if ((x->rootfd = open(x->root, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
			return OMG_ERROR(OMG_E_NOTFOUND, "root %s: %s", x->root, strerror(errno));
	}
	if (!(x->buf = malloc(VF_BUF_SIZE)))
		return OMG_ERROR(OMG_E_NOMEM, "verification buffer");
	return OMG_OK;
}

void vf_end(struct vf *x)
{
	if (x->rootfd >= 0)
		close(x->rootfd);
	x->rootfd = -1;
	free(x->buf);
	x->buf = NULL;
}

int vf_stop(struct vf *x)
{
	if (!x->stopped && ((x->run->cancel && atomic_load(x->run->cancel)) ||
			    (x->run->deadline_ns && mono_now_ns() >= x->run->deadline_ns)))
		x->stopped = 1;
	return x->stopped;
}

/* PATH opened inside another root than "/": its symlinks, absolute ones included, resolve
 * inside it (RESOLVE_IN_ROOT), so a chroot's /lib -> /usr/lib never leads to the host's. */
static int open_in_root(struct vf *x, const char *path, int flags)
{
	struct open_how how = { .flags = (uint64_t)(flags | O_NOFOLLOW | O_CLOEXEC),
				.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
	char joined[2 * VERIFY_PATH_MAX];
	int fd;

	if (!x->no_openat2) {
		fd = (int)syscall(SYS_openat2, x->rootfd, path[1] ? path + 1 : ".", &how, sizeof how);
		if (fd >= 0 || errno != ENOSYS)
			return fd;
		x->no_openat2 = 1;
	}
	snprintf(joined, sizeof joined, "%s%s", x->root, path); /* an old kernel: as dpkg --root does */
	return open(joined, flags | O_NOFOLLOW | O_CLOEXEC);
}

int vf_lstat(struct vf *x, const char *path, struct stat *st)
{
	int fd, e;

	if (x->rootfd < 0)
		return lstat(path, st) == 0 ? 0 : errno;
	if ((fd = open_in_root(x, path, O_PATH)) < 0)
		return errno;
	e = fstat(fd, st) == 0 ? 0 : errno;
	close(fd);
	return e;
}

ssize_t vf_readlink(struct vf *x, const char *path, char *buf, size_t n)
{
	ssize_t r;
	int fd;

	if (x->rootfd < 0)
		return readlink(path, buf, n);
	if ((fd = open_in_root(x, path, O_PATH)) < 0)
		return -1;
	r = readlinkat(fd, "", buf, n); /* the link itself (O_PATH | O_NOFOLLOW) */
	close(fd);
	return r;
}

static int open_file(struct vf *x, const char *path)
{
	int flags = O_RDONLY | O_NONBLOCK | O_NOCTTY | O_NOATIME, fd;

	/* O_NOATIME: a verification leaves no trace; refused (EPERM) on others' files */
	for (int i = 0; i < 2; i++, flags &= ~O_NOATIME) {
		fd = x->rootfd < 0 ? open(path, flags | O_NOFOLLOW | O_CLOEXEC) : open_in_root(x, path, flags);
		if (fd >= 0 || errno != EPERM)
			break;
	}
	return fd;
}

static int same_stat(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
	       a->st_ctim.tv_sec == b->st_ctim.tv_sec && a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

/* Reads FD whole into the digest of KIND. OMG_OK, OMG_E_TIMEOUT (stopped), or *ERR set. */
static int hash_fd(struct vf *x, int fd, int kind, uint8_t *out, int *err)
{
	mbedtls_md5_context md5;
	mbedtls_sha256_context sha;
	int rc = OMG_OK;
	ssize_t n;

	mbedtls_md5_init(&md5);
	mbedtls_sha256_init(&sha);
	if (kind == VF_MD5)
		mbedtls_md5_starts_ret(&md5);
	else
		mbedtls_sha256_starts_ret(&sha, 0);
	for (;;) {
		if (vf_stop(x)) {
			rc = OMG_E_TIMEOUT;
			break;
		}
		n = read(fd, x->buf, VF_BUF_SIZE);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			*err = errno;
			break;
		}
		if (n == 0)
			break;
		x->run->totals.bytes += (uint64_t)n;
		if (kind == VF_MD5)
			mbedtls_md5_update_ret(&md5, x->buf, (size_t)n);
		else
			mbedtls_sha256_update_ret(&sha, x->buf, (size_t)n);
	}
	if (kind == VF_MD5)
		mbedtls_md5_finish_ret(&md5, out);
	else
		mbedtls_sha256_finish_ret(&sha, out);
	mbedtls_md5_free(&md5);
	mbedtls_sha256_free(&sha);
	return rc;
}

int vf_digest(struct vf *x, const char *pkg, const char *path, const struct stat *st, int kind, uint8_t *out,
	      int *err)
{
	struct verify_cache *c = x->run->cache;
	struct stat before, after;
	struct timespec now;
	int fd, rc;

	*err = 0;
	if (c && !x->run->full && vf_cache_get(c, pkg, path, st, kind, out)) {
		x->run->totals.cache_hits++;
		return OMG_OK;
	}
	if ((fd = open_file(x, path)) < 0) {
		*err = errno;
		return OMG_OK;
	}
	if (fstat(fd, &before) != 0)
		*err = errno;
	else if (!S_ISREG(before.st_mode))
		*err = EAGAIN; /* replaced since lstat: seen as it is at the next run */
	if (*err) {
		close(fd);
		return OMG_OK;
	}
	clock_gettime(CLOCK_REALTIME, &now);
	posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	rc = hash_fd(x, fd, kind, out, err);
	x->run->totals.hashed++;
	/* remembered only when the file stayed what lstat saw while it was read */
	if (rc == OMG_OK && !*err && c && fstat(fd, &after) == 0 && same_stat(st, &before) && same_stat(&before, &after))
		rc = vf_cache_put(c, pkg, path, st, kind, out,
				  (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec);
	close(fd);
	return rc;
}

int vf_add(struct vf *x, const char *pkg, const char *path, int cls, int config, unsigned detail, int err)
{
	struct verify_run *r = x->run;
	struct verify_finding *f;

	if (omg_grow(&r->findings, &r->cap_findings, r->nfindings + 1, sizeof *r->findings, OMG_GROW_UNBOUNDED) != OMG_OK)
		return OMG_ERROR(OMG_E_NOMEM, "findings");
	f = &r->findings[r->nfindings];
	*f = (struct verify_finding){ .cls = (uint8_t)cls, .config = (uint8_t)config, .detail = (uint16_t)detail, .err = err };
	if (!(f->pkg = strdup(pkg)) || !(f->path = strdup(path))) {
		free(f->pkg);
		return OMG_ERROR(OMG_E_NOMEM, "findings");
	}
	r->nfindings++;
	r->totals.by_class[cls]++;
	return OMG_OK;
}

int vf_unknown(struct vf *x, const char *name)
{
	struct verify_run *r = x->run;
	char **u = realloc(r->unknown, (r->nunknown + 1) * sizeof *u);

	if (!u)
		return OMG_ERROR(OMG_E_NOMEM, "names");
	r->unknown = u;
	if (!(u[r->nunknown] = strdup(name)))
		return OMG_ERROR(OMG_E_NOMEM, "names");
	r->nunknown++;
	return OMG_OK;
}

void vf_progress(struct vf *x, int force)
{
	uint64_t now = mono_now_ns();

	if (!x->run->progress || (!force && now - x->last_progress_ns < VF_PROGRESS_NS))
		return;
	x->last_progress_ns = now;
	x->run->totals.elapsed_ns = now - x->start_ns;
	x->run->progress(x->run->progress_ctx, &x->run->totals, x->done, x->total);
}

int vf_finish(struct vf *x, int rc)
{
	struct verify_cache *c = x->run->cache;
	/* a complete run over every package knows which ones are gone */
	int frc = !c ? OMG_OK : rc == OMG_OK && !x->stopped && !x->run->nnames ? vf_cache_prune(c) : vf_cache_flush(c);

	if (rc == OMG_OK && x->stopped)
		rc = OMG_ERROR(OMG_E_TIMEOUT, "verification stopped after %zu of %zu packages (%s)", x->done, x->total,
			       x->run->cancel && atomic_load(x->run->cancel) ? "cancelled" : "deadline passed");
	if (rc == OMG_OK)
		rc = frc;
	x->run->complete = rc == OMG_OK;
	vf_progress(x, 1);
	x->run->totals.elapsed_ns = mono_now_ns() - x->start_ns;
	vf_end(x);
	return rc;
}
