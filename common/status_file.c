/* status_file.c — write, heartbeat, read and validate the 32-byte status file. */
#include "config.h"
#include "status_file.h"
#include "omg_error.h"
#include "paths.h"

#include <errno.h>
#include <stddef.h>
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

/* The seals that make a mapping of the object safe: nobody, not even its owner, can
 * shrink it, so a page of it can never lie beyond its end (the only cause of SIGBUS). */
#define STATUS_SEALS (F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL)

/* Whether PATH is a file of the system daemon's directory (omg_system_dir), the one place
 * a plain status file is taken. */
static int in_system_dir(const char *path)
{
	const char *sys = omg_system_dir();
	size_t n = strlen(sys);

	return strncmp(path, sys, n) == 0 && path[n] == '/' && path[n + 1] && !strchr(path + n + 1, '/');
}

/* Opens PATH (the status link: its target is omgd's sealed memory file) read-only or
 * read-write, without blocking, and refuses anything but a sealed 32-byte object of ours,
 * or, in the system daemon's directory, its plain file (*PLAIN set): root's, writable by
 * root only. */
static int status_open_checked(const char *path, int flags, int *fd_out, struct stat *st_out, int *plain)
{
	struct stat st;
	int fd = open(path, flags | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	int rc, seals;

	if (fd < 0) {
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
	seals = fcntl(fd, F_GET_SEALS);
	*plain = 0;
	if (st.st_uid == 0 && (st.st_mode & 022) == 0 && (seals < 0 || (seals & F_SEAL_SHRINK) == 0) &&
	    in_system_dir(path)) {
		*plain = 1; /* only root can change it: trusted, but copied, never mapped */
	} else if (st.st_uid != getuid()) {
		rc = OMG_ERROR(OMG_E_PERM, "%s: owned by uid %u, not %u", path, (unsigned)st.st_uid,
			       (unsigned)getuid());
		goto fail;
	} else if (seals < 0 || (seals & F_SEAL_SHRINK) == 0) {
		rc = OMG_ERROR(OMG_E_PERM, "%s: not omgd's sealed status file", path);
		goto fail;
	}
	/* Sealed against shrinking: the size read now is a floor for the object's life. */
	if (st.st_size != (off_t)sizeof(struct omg_status_file)) {
		rc = OMG_ERROR(OMG_E_CORRUPT, "%s: %lld bytes, expected 32", path, (long long)st.st_size);
		goto fail;
	}
	*fd_out = fd;
	if (st_out)
		*st_out = st;
	return OMG_OK;
fail:
	close(fd);
	return rc;
}

int omg_status_read(const char *path, struct omg_status_file *out, uint64_t now)
{
	int fd, rc, plain;
	ssize_t n;

	rc = status_open_checked(path, O_RDONLY, &fd, NULL, &plain);
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
	w->fd = -1;
	snprintf(w->path, sizeof w->path, "%s", path);
}

/* Marks a published object retired (timestamp 0) and lets go of it. */
static void status_retire(struct omg_status_file *map, int fd)
{
	if (map) {
		__atomic_store_n(&map->timestamp, 0, __ATOMIC_RELEASE);
		munmap(map, sizeof *map);
	}
	if (fd >= 0)
		close(fd);
}

/* A previous daemon's file at PATH: retired with a write, never a mapping (a file of
 * unknown origin may be truncated under us, and a store into a mapping of it is SIGBUS). */
static void status_retire_foreign(const char *path)
{
	static const uint64_t zero;
	struct stat st;
	int fd = open(path, O_WRONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);

	if (fd < 0)
		return;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == getuid() &&
	    st.st_size == (off_t)sizeof(struct omg_status_file))
		(void)!pwrite(fd, &zero, sizeof zero, offsetof(struct omg_status_file, timestamp));
	close(fd);
}

/* Points PATH at TARGET atomically: a fresh link beside it, renamed over it. */
static int status_link(const char *path, const char *target)
{
	char tmp[4096 + 32];
	int rc;

	for (unsigned i = 0;; i++) {
		if ((size_t)snprintf(tmp, sizeof tmp, "%s.%d.%u", path, (int)getpid(), i) >= sizeof tmp)
			return OMG_ERROR(OMG_E_TOOBIG, "status path too long");
		if (symlink(target, tmp) == 0)
			break;
		if (errno != EEXIST || i == 100)
			return OMG_ERROR(OMG_E_SYS, "symlink %s: %s", tmp, strerror(errno));
	}
	if (rename(tmp, path) != 0) {
		rc = OMG_ERROR(OMG_E_SYS, "rename %s: %s", path, strerror(errno));
		unlink(tmp);
		return rc;
	}
	return OMG_OK;
}

static struct omg_status_file status_record(const struct omg_counts *c, uint64_t timestamp)
{
	return (struct omg_status_file){
		.magic = OMG_STATUS_MAGIC,
		.version = OMG_STATUS_VERSION,
		.total = c->total,
		.explicit_pkgs = c->explicit_pkgs,
		.orphans = c->orphans,
		.updates = c->updates,
		.timestamp = timestamp,
	};
}

void omg_status_writer_init_plain(struct omg_status_writer *w, const char *path)
{
	omg_status_writer_init(w, path);
	w->plain = 1;
}

/* The system daemon's publish: a new 0644 file beside PATH, renamed over it; its descriptor
 * is kept for the heartbeat's in-place timestamp. */
static int plain_publish(struct omg_status_writer *w, const struct omg_counts *c, uint64_t now)
{
	struct omg_status_file rec = status_record(c, now);
	char tmp[4096 + 32];
	struct stat st;
	int fd = -1, rc;

	for (unsigned i = 0;; i++) {
		if ((size_t)snprintf(tmp, sizeof tmp, "%s.%d.%u", w->path, (int)getpid(), i) >= sizeof tmp)
			return OMG_ERROR(OMG_E_TOOBIG, "status path too long");
		fd = open(tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
		if (fd >= 0)
			break;
		if (errno != EEXIST || i == 100)
			return OMG_ERROR(OMG_E_SYS, "open %s: %s", tmp, strerror(errno));
	}
	/* 0644 whatever the umask: every user's shell reads it */
	if (fchmod(fd, 0644) != 0 || pwrite(fd, &rec, sizeof rec, 0) != (ssize_t)sizeof rec || fstat(fd, &st) != 0) {
		rc = OMG_ERROR(OMG_E_SYS, "status file %s: %s", tmp, strerror(errno));
		goto fail;
	}
	if (rename(tmp, w->path) != 0) {
		rc = OMG_ERROR(OMG_E_SYS, "rename %s: %s", w->path, strerror(errno));
		goto fail;
	}
	if (w->fd >= 0)
		close(w->fd);
	w->fd = fd;
	w->rec = rec;
	w->counts = *c;
	w->dev = st.st_dev;
	w->ino = st.st_ino;
	return OMG_OK;
fail:
	close(fd);
	unlink(tmp);
	return rc;
}

/* OMG_OK when PATH still names the plain file and its record before the timestamp is intact. */
static int plain_intact(const struct omg_status_writer *w)
{
	struct omg_status_file seen, want = w->rec;
	struct stat st;

	want.timestamp = 0;
	if (stat(w->path, &st) != 0 || st.st_dev != w->dev || st.st_ino != w->ino || st.st_size != (off_t)sizeof seen ||
	    pread(w->fd, &seen, sizeof seen, 0) != (ssize_t)sizeof seen)
		return 0;
	seen.timestamp = 0;
	return memcmp(&seen, &want, sizeof want) == 0;
}

int omg_status_publish(struct omg_status_writer *w, const struct omg_counts *c, uint64_t now)
{
	struct omg_status_file rec = status_record(c, now);
	char target[64];
	struct omg_status_file *map = NULL;
	struct stat st;
	int fd, check = -1, rc, plain;

	if (w->plain)
		return plain_publish(w, c, now);
	fd = memfd_create("omg.status", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return OMG_ERROR(OMG_E_SYS, "memfd_create: %s", strerror(errno));
	if (ftruncate(fd, sizeof rec) != 0 || fchmod(fd, 0644) != 0 ||
	    pwrite(fd, &rec, sizeof rec, 0) != (ssize_t)sizeof rec) {
		rc = OMG_ERROR(OMG_E_SYS, "status file: %s", strerror(errno));
		goto fail;
	}
	if (fcntl(fd, F_ADD_SEALS, STATUS_SEALS) != 0) {
		rc = OMG_ERROR(OMG_E_SYS, "sealing the status file: %s", strerror(errno));
		goto fail;
	}
	map = mmap(NULL, sizeof rec, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED) {
		map = NULL;
		rc = OMG_ERROR(OMG_E_SYS, "mmap status file: %s", strerror(errno));
		goto fail;
	}
	/* Readers reach the object through /proc: check that they can before publishing. */
	snprintf(target, sizeof target, "/proc/%d/fd/%d", (int)getpid(), fd);
	if ((rc = status_open_checked(target, O_RDONLY, &check, &st, &plain)) != OMG_OK)
		goto fail;
	close(check);
	if (!w->map)
		status_retire_foreign(w->path);
	if ((rc = status_link(w->path, target)) != OMG_OK)
		goto fail;
	status_retire(w->map, w->fd);
	w->map = map;
	w->fd = fd;
	w->counts = *c;
	w->dev = st.st_dev;
	w->ino = st.st_ino;
	return OMG_OK;
fail:
	if (map)
		munmap(map, sizeof rec);
	close(fd);
	return rc;
}

/* OMG_OK when PATH still names W's object and the record before the timestamp is intact. */
static int status_intact(const struct omg_status_writer *w)
{
	struct omg_status_file want = status_record(&w->counts, 0);
	struct omg_status_file seen = *w->map;
	struct stat st;

	seen.timestamp = 0;
	return stat(w->path, &st) == 0 && st.st_dev == w->dev && st.st_ino == w->ino &&
	       memcmp(&seen, &want, sizeof want) == 0;
}

int omg_status_check(struct omg_status_writer *w, uint64_t now)
{
	if (w->plain) {
		if (w->fd < 0)
			return OMG_ERROR(OMG_E_NOTFOUND, "nothing published yet");
		return plain_intact(w) ? OMG_OK : plain_publish(w, &w->counts, now);
	}
	if (!w->map)
		return OMG_ERROR(OMG_E_NOTFOUND, "nothing published yet");
	if (status_intact(w))
		return OMG_OK;
	/* Removed, replaced or written over since: publish anew rather than leave every
	 * reader with empty values. */
	return omg_status_publish(w, &w->counts, now);
}

int omg_status_heartbeat(struct omg_status_writer *w, uint64_t now)
{
	int rc = omg_status_check(w, now);

	if (rc == OMG_OK && w->plain) {
		uint64_t t = now;
		/* readers copy the file: an 8-byte write in place is all they need */
		if (pwrite(w->fd, &t, sizeof t, offsetof(struct omg_status_file, timestamp)) != (ssize_t)sizeof t)
			return OMG_ERROR(OMG_E_SYS, "status file %s: %s", w->path, strerror(errno));
		w->rec.timestamp = now;
	} else if (rc == OMG_OK) {
		__atomic_store_n(&w->map->timestamp, now, __ATOMIC_RELEASE);
	}
	return rc;
}

void omg_status_writer_close(struct omg_status_writer *w, int remove_file)
{
	struct stat st;

	if (w->plain) {
		if (remove_file && w->fd >= 0 && stat(w->path, &st) == 0 && st.st_dev == w->dev && st.st_ino == w->ino)
			unlink(w->path);
		if (w->fd >= 0)
			close(w->fd);
		w->fd = -1;
		return;
	}
	/* Remove the link only while it is still ours. */
	if (remove_file && w->map && stat(w->path, &st) == 0 && st.st_dev == w->dev && st.st_ino == w->ino)
		unlink(w->path);
	if (remove_file)
		status_retire(w->map, w->fd);
	else {
		if (w->map)
			munmap(w->map, sizeof *w->map);
		if (w->fd >= 0)
			close(w->fd);
	}
	w->map = NULL;
	w->fd = -1;
}

static int status_map_open(struct omg_status_map *m, const char *path)
{
	struct omg_status_file rec;
	struct stat st;
	void *p;
	int fd, rc, plain;

	rc = status_open_checked(path, O_RDONLY, &fd, &st, &plain);
	if (rc != OMG_OK)
		return rc;
	if (plain) {
		ssize_t n = pread(fd, &rec, sizeof rec, 0);
		close(fd);
		if (n != (ssize_t)sizeof rec)
			return OMG_ERROR(OMG_E_CORRUPT, "%s: short read", path);
		/* the same file again (a heartbeat): the same epoch, so its STATUS stays cached */
		if (!(m->copied && m->dev == st.st_dev && m->ino == st.st_ino)) {
			omg_status_map_close(m);
			m->epoch++;
		}
		m->copied = 1;
		m->copy = rec;
		m->dev = st.st_dev;
		m->ino = st.st_ino;
		return OMG_OK;
	}
	p = mmap(NULL, sizeof(struct omg_status_file), PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return OMG_ERROR(OMG_E_SYS, "mmap %s: %s", path, strerror(errno));
	omg_status_map_close(m);
	m->map = p;
	m->dev = st.st_dev;
	m->ino = st.st_ino;
	m->epoch++;
	return OMG_OK;
}

int omg_status_map_peek(const struct omg_status_map *m, struct omg_status_file *out, uint64_t now)
{
	if (m->copied) {
		*out = m->copy;
		return status_check(out, now);
	}
	if (!m->map)
		return OMG_E_NOTFOUND;
	*out = *m->map;
	return status_check(out, now);
}

int omg_status_map_read(struct omg_status_map *m, const char *path, struct omg_status_file *out,
			uint64_t now)
{
	char runtime[4096];
	struct stat st;
	int rc = omg_status_map_peek(m, out, now);
	int retired = rc == OMG_E_STALE && out->timestamp == 0;

	/* Within a second of the last look: the mapping's word, with no system call. A retired
	 * file means a newer one exists: look now. */
	if (m->last_check == now && !retired)
		return rc;
	m->last_check = now;
	if (!path) {
		/* its own code: RC must stay the mapping's (was overwritten with OMG_OK, so an
		 * unmapped reader whose old file was still linked answered OMG_OK, OUT unwritten) */
		int prc = omg_status_path(runtime, sizeof runtime);
		if (prc != OMG_OK) {
			omg_status_map_close(m);
			return prc;
		}
		path = runtime;
	}
	/* Once a second, the link must still name the mapped object: a daemon killed with -9
	 * takes its /proc entry with it, and its readers go empty within a second. */
	if (rc == OMG_OK && !m->copied && stat(path, &st) == 0 && st.st_dev == m->dev && st.st_ino == m->ino)
		return OMG_OK;
	/* a copied (plain) file is copied again: its timestamp moves in place */
	rc = status_map_open(m, path);
	if (rc != OMG_OK) {
		omg_status_map_close(m);
		return rc;
	}
	*out = m->copied ? m->copy : *m->map;
	return omg_status_validate(out, now);
}

void omg_status_map_close(struct omg_status_map *m)
{
	if (m->map)
		munmap((void *)m->map, sizeof *m->map);
	m->map = NULL;
	m->copied = 0;
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
