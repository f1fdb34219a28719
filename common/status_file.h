/* status_file.h — the 32-byte status file, $RUNTIME/omg.status.
 *
 * Layout (host byte order, as the original system wrote it, so `od -An -j8 -N16 -tu4`
 * prints total, explicit, orphans and updates):
 *   0  u32 magic 0x4F4D4753   4 u8 version (1)   5 u8[3] zero
 *   8  u32 total   12 u32 explicit   16 u32 orphans   20 u32 updates
 *   24 u64 timestamp (unix seconds of the last publish or heartbeat)
 *
 * Freshness rule: omgd rewrites the timestamp at least every OMG_STATUS_HEARTBEAT_SECS
 * while it runs; readers accept a file whose timestamp lies within
 * [now - OMG_STATUS_MAX_AGE_SECS, now + OMG_STATUS_MAX_SKEW_SECS]. The maximum age is
 * three heartbeats, so a live daemon's file is never stale and a dead daemon's file
 * goes stale within 30 s.
 *
 * Publishing: omgd keeps each published record in a sealed memory file (memfd_create,
 * sealed with F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL, so it is 32 bytes for its whole
 * life), and PATH is a symbolic link to it, /proc/PID/fd/N, renamed into place: readers
 * see the old or the new record, never a mix, and `od PATH` reads it as a file. Readers
 * map only an object whose seals forbid shrinking: a page of the mapping can never lie
 * beyond the object's end, which is the one cause of SIGBUS on a shared file mapping, so
 * nothing done to PATH (truncate, rewrite, a FIFO, a device, a huge file) can crash a
 * reader; such an object is refused and reads as "no value". A heartbeat stores the
 * timestamp in place with one aligned 8-byte atomic store, after checking that PATH still
 * names the object and that the record is intact (else it publishes anew). After a publish
 * the previous object's timestamp is set to 0 ("retired"), so readers holding a mapping of
 * it notice the replacement without a system call; once a second they also check that
 * PATH still names what they mapped (a daemon killed with -9 takes its /proc entry along).
 *
 * The system daemon (omgd --system) cannot publish so: only a process's owner may follow
 * its /proc/PID/fd links. Its file is a plain 0644 regular file owned by root, in a
 * directory only root may write (/run/omg), replaced by rename at each publish, its
 * timestamp rewritten in place by pwrite. No seal can be put on such a file, so readers
 * never map it (root truncating it would crash every shell that had): they copy its 32
 * bytes, at most once a second, exactly when they would otherwise check the mapping's path.
 */
#ifndef OMG_STATUS_FILE_H
#define OMG_STATUS_FILE_H

#include <stdint.h>
#include <sys/types.h>

#define OMG_STATUS_MAGIC 0x4F4D4753u
#define OMG_STATUS_VERSION 1
#define OMG_STATUS_HEARTBEAT_SECS 10
#define OMG_STATUS_MAX_AGE_SECS 30
#define OMG_STATUS_MAX_SKEW_SECS 5

struct omg_status_file {
	uint32_t magic;
	uint8_t version;
	uint8_t pad[3];
	uint32_t total;
	uint32_t explicit_pkgs;
	uint32_t orphans;
	uint32_t updates;
	uint64_t timestamp;
};

_Static_assert(sizeof(struct omg_status_file) == 32, "the status file is 32 bytes");
_Static_assert(OMG_STATUS_MAX_AGE_SECS >= 3 * OMG_STATUS_HEARTBEAT_SECS,
	       "readers must tolerate missed heartbeats");

struct omg_counts {
	uint32_t total, explicit_pkgs, orphans, updates;
};

/* Checks magic, version, padding and age against NOW. */
int omg_status_validate(const struct omg_status_file *s, uint64_t now);

/* Opens PATH (following the link), checks it is a sealed 32-byte memory file owned by
 * the caller (or the system daemon's plain file: owned by root, writable by root only),
 * reads and validates it. */
int omg_status_read(const char *path, struct omg_status_file *out, uint64_t now);

/* Writer side (omgd). */
struct omg_status_writer {
	char path[4096];
	struct omg_status_file *map; /* MAP_SHARED mapping of the published object, or NULL */
	int fd;                      /* the sealed memory file PATH links to (/proc/PID/fd/FD) */
	struct omg_counts counts;    /* as published, to check and repair at each heartbeat */
	dev_t dev;
	ino_t ino;
	int plain;                   /* the system daemon's 0644 regular file (above) */
	struct omg_status_file rec;  /* plain: the record as written */
};

void omg_status_writer_init(struct omg_status_writer *w, const char *path);
/* The same for the system daemon: a plain file every user can read (above). */
void omg_status_writer_init_plain(struct omg_status_writer *w, const char *path);
/* Publishes COUNTS stamped NOW by temporary file and rename; retires the previous file. */
int omg_status_publish(struct omg_status_writer *w, const struct omg_counts *counts, uint64_t now);
/* Refreshes the timestamp of the published object in place; republishes when PATH no
 * longer names it or its record was written over. */
int omg_status_heartbeat(struct omg_status_writer *w, uint64_t now);
/* Checks that PATH still names the published object and that its record is intact, and
 * publishes anew if not (cheap: one stat; omgd calls it every second). */
int omg_status_check(struct omg_status_writer *w, uint64_t now);
/* Unmaps; with REMOVE, also retires and unlinks the published file (daemon exit). */
void omg_status_writer_close(struct omg_status_writer *w, int remove_file);

/* Reader side for long-lived processes (the shell modules): a read-only mapping of the
 * sealed object, reopened when it was retired, and at most once per second checked
 * against PATH (or reopened when it went stale or was missing). */
struct omg_status_map {
	const struct omg_status_file *map; /* a sealed object's mapping, or NULL */
	int copied;                        /* a plain file's record is in COPY instead */
	struct omg_status_file copy;
	uint64_t last_check;
	dev_t dev;
	ino_t ino;
	uint64_t epoch;  /* bumped at every (re)open: identifies one published file */
};

/* Fast path: OMG_OK when the mapped file is valid now (no system call, no path). */
int omg_status_map_peek(const struct omg_status_map *m, struct omg_status_file *out, uint64_t now);
/* Fills OUT from the current file; returns an error code when there is no valid file.
 * PATH NULL: omg_status_path() (the user's daemon's, else the system daemon's), resolved
 * only when the file must be (re)opened or, for a plain file, copied again. */
int omg_status_map_read(struct omg_status_map *m, const char *path, struct omg_status_file *out,
			uint64_t now);
void omg_status_map_close(struct omg_status_map *m);

/* The four counts as the shell modules expose them, read through M from the status file
 * of the runtime directory (resolved only when the mapping must be reopened). */
enum omg_count { OMG_COUNT_TOTAL, OMG_COUNT_EXPLICIT, OMG_COUNT_ORPHANS, OMG_COUNT_UPDATES, OMG_COUNT__N };
/* OMG_OK and *OUT, or an error code when there is no valid status file. */
int omg_status_count(struct omg_status_map *m, enum omg_count which, uint32_t *out);

uint64_t omg_now(void);

#endif
