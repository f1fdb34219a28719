/* status_file.c — write, heartbeat, read and validate the 32-byte status file. */
#include "config.h"
#include "status_file.h"
#include "omg_error.h"
#include "paths.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

uint64_t omg_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec;
}

/* The checks, silent (prompts run them): OMG_OK or the code omg_status_validate reports. */
static int status_check(const struct omg_status_file *s, uint64_t now)
{
	if (s->magic != OMG_STATUS_MAGIC || (s->pad[0] | s->pad[1] | s->pad[2]))
		return OMG_E_CORRUPT;
	if (s->version != OMG_STATUS_VERSION)
		return OMG_E_VERSION;
	if (s->timestamp == 0 || s->timestamp + OMG_STATUS_MAX_AGE_SECS < now ||
	    s->timestamp > now + OMG_STATUS_MAX_SKEW_SECS)
		return OMG_E_STALE;
	return OMG_OK;
}

int omg_status_validate(const struct omg_status_file *s, uint64_t now)
{
	int rc = status_check(s, now);

	switch (rc) {
	case OMG_OK:
		return OMG_OK;
	case OMG_E_VERSION:
		return OMG_ERROR(rc, "status file: version %u, expected %u", s->version, OMG_STATUS_VERSION);
	case OMG_E_CORRUPT:
		return OMG_ERROR(rc, "status file: bad magic 0x%08x or non-zero padding", s->magic);
	default:
		if (s->timestamp == 0)
			return OMG_ERROR(rc, "status file: retired by a newer publish");
		if (s->timestamp > now)
			return OMG_ERROR(rc, "status file: timestamp %llu s in the future",
					 (unsigned long long)(s->timestamp - now));
		return OMG_ERROR(rc, "status file: %llu s old (limit %d s): is omgd running?",
				 (unsigned long long)(now - s->timestamp), OMG_STATUS_MAX_AGE_SECS);
	}
}

/* Opens PATH read-only (or read-write) after the ownership and type checks. */
static int status_open_checked(const char *path, int flags, int *fd_out)
{
	struct stat st;
	int fd = open(path, flags | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	int rc;

	if (fd < 0) {
		if (errno == ELOOP)
			return OMG_ERROR(OMG_E_PERM, "%s: is a symlink", path);
		if (errno == ENOENT)
			return OMG_ERROR(OMG_E_NOTFOUND, "%s: no status file: is omgd running?", path);
		return OMG_ERROR(OMG_E_SYS, "open %s: %s", path, strerror(errno));
	}
	if (fstat(fd, &st) != 0) {
		rc = OMG_ERROR(OMG_E_SYS, "fstat %s: %s", path, strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = OMG_ERROR(OMG_E_PERM, "%s: not a regular file", path);
		goto fail;
	}
	if (st.st_uid != getuid()) {
		rc = OMG_ERROR(OMG_E_PERM, "%s: owned by uid %u, not %u", path, (unsigned)st.st_uid,
			       (unsigned)getuid());
		goto fail;
	}
	if (st.st_size != (off_t)sizeof(struct omg_status_file)) {
		rc = OMG_ERROR(OMG_E_CORRUPT, "%s: %lld bytes, expected 32", path, (long long)st.st_size);
		goto fail;
	}
	*fd_out = fd;
	return OMG_OK;
fail:
	close(fd);
	return rc;
}

int omg_status_read(const char *path, struct omg_status_file *out, uint64_t now)
{
	int fd, rc;
	ssize_t n;

	rc = status_open_checked(path, O_RDONLY, &fd);
	if (rc != OMG_OK)
		return rc;
	n = pread(fd, out, sizeof *out, 0);
	close(fd);
	if (n != (ssize_t)sizeof *out)
		return OMG_ERROR(OMG_E_CORRUPT, "%s: short read", path);
	return omg_status_validate(out, now);
}

void omg_status_writer_init(struct omg_status_writer *w, const char *path)
{
	memset(w, 0, sizeof *w);
	snprintf(w->path, sizeof w->path, "%s", path);
}

static void status_retire(struct omg_status_file *map)
{
	if (!map)
		return;
	__atomic_store_n(&map->timestamp, 0, __ATOMIC_RELEASE);
	munmap(map, sizeof *map);
}

int omg_status_publish(struct omg_status_writer *w, const struct omg_counts *c, uint64_t now)
{
	struct omg_status_file rec = {
		.magic = OMG_STATUS_MAGIC,
		.version = OMG_STATUS_VERSION,
		.total = c->total,
		.explicit_pkgs = c->explicit_pkgs,
		.orphans = c->orphans,
		.updates = c->updates,
		.timestamp = now,
	};
	char tmp[4096 + 16];
	struct omg_status_file *map = NULL;
	struct omg_status_file *previous = w->map;
	int fd, rc;

	if ((size_t)snprintf(tmp, sizeof tmp, "%s.XXXXXX", w->path) >= sizeof tmp)
		return OMG_ERROR(OMG_E_TOOBIG, "status path too long");
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return OMG_ERROR(OMG_E_SYS, "mkstemp %s: %s", tmp, strerror(errno));
	if (fchmod(fd, 0644) != 0 || pwrite(fd, &rec, sizeof rec, 0) != (ssize_t)sizeof rec) {
		rc = OMG_ERROR(OMG_E_SYS, "write %s: %s", tmp, strerror(errno));
		goto fail;
	}
	map = mmap(NULL, sizeof rec, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED) {
		map = NULL;
		rc = OMG_ERROR(OMG_E_SYS, "mmap %s: %s", tmp, strerror(errno));
		goto fail;
	}
	if (!previous) {
		/* A previous daemon's file: open it so it can be retired after the rename. */
		int old = -1;
		if (status_open_checked(w->path, O_RDWR, &old) == OMG_OK) {
			previous = mmap(NULL, sizeof rec, PROT_READ | PROT_WRITE, MAP_SHARED, old, 0);
			if (previous == MAP_FAILED)
				previous = NULL;
			close(old);
		}
	}
	if (rename(tmp, w->path) != 0) {
		rc = OMG_ERROR(OMG_E_SYS, "rename %s: %s", w->path, strerror(errno));
		if (previous != w->map && previous)
			munmap(previous, sizeof rec);
		goto fail;
	}
	close(fd);
	status_retire(previous);
	w->map = map;
	return OMG_OK;
fail:
	if (map)
		munmap(map, sizeof rec);
	unlink(tmp);
	close(fd);
	return rc;
}

int omg_status_heartbeat(struct omg_status_writer *w, uint64_t now)
{
	if (!w->map)
		return OMG_ERROR(OMG_E_NOTFOUND, "nothing published yet");
	__atomic_store_n(&w->map->timestamp, now, __ATOMIC_RELEASE);
	return OMG_OK;
}

void omg_status_writer_close(struct omg_status_writer *w, int remove_file)
{
	if (remove_file && w->map) {
		unlink(w->path);
		status_retire(w->map);
	} else if (w->map) {
		munmap(w->map, sizeof *w->map);
	}
	w->map = NULL;
}

static int status_map_open(struct omg_status_map *m, const char *path)
{
	void *p;
	int fd, rc;

	rc = status_open_checked(path, O_RDONLY, &fd);
	if (rc != OMG_OK)
		return rc;
	p = mmap(NULL, sizeof(struct omg_status_file), PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return OMG_ERROR(OMG_E_SYS, "mmap %s: %s", path, strerror(errno));
	omg_status_map_close(m);
	m->map = p;
	m->epoch++;
	return OMG_OK;
}

int omg_status_map_peek(const struct omg_status_map *m, struct omg_status_file *out, uint64_t now)
{
	if (!m->map)
		return OMG_E_NOTFOUND;
	*out = *m->map;
	return status_check(out, now);
}

int omg_status_map_read(struct omg_status_map *m, const char *path, struct omg_status_file *out,
			uint64_t now)
{
	char runtime[4096];
	int rc = omg_status_map_peek(m, out, now);

	if (rc == OMG_OK)
		return OMG_OK;
	/* A retired file means a newer one exists: reopen now. Otherwise (missing, stale,
	 * damaged) look again at most once a second: until then a dead daemon costs the
	 * shell no system call, no path and no error text. */
	if (!(rc == OMG_E_STALE && out->timestamp == 0) && m->last_open == now)
		return rc;
	m->last_open = now;
	if (!path) {
		if ((rc = omg_runtime_path(runtime, sizeof runtime, OMG_STATUS_NAME, 0)) != OMG_OK)
			return rc;
		path = runtime;
	}
	rc = status_map_open(m, path);
	if (rc != OMG_OK) {
		omg_status_map_close(m);
		return rc;
	}
	*out = *m->map;
	return omg_status_validate(out, now);
}

void omg_status_map_close(struct omg_status_map *m)
{
	if (m->map)
		munmap((void *)m->map, sizeof *m->map);
	m->map = NULL;
}

int omg_status_count(struct omg_status_map *m, enum omg_count which, uint32_t *out)
{
	struct omg_status_file st;
	int rc;

	if ((unsigned)which >= OMG_COUNT__N)
		return OMG_E_INVAL;
	if ((rc = omg_status_map_read(m, NULL, &st, omg_now())) != OMG_OK)
		return rc;
	*out = which == OMG_COUNT_TOTAL ? st.total : which == OMG_COUNT_EXPLICIT ? st.explicit_pkgs
	     : which == OMG_COUNT_ORPHANS ? st.orphans : st.updates;
	return OMG_OK;
}
