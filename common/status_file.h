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
 * Publishing: new counts go to a unique temporary file in the same directory, renamed
 * into place (readers see the old or the new file, never a mix). A heartbeat stores the
 * timestamp in place with one aligned 8-byte atomic store. After a publish the previous
 * file's timestamp is set to 0 ("retired"), so readers holding a mapping of it notice
 * the replacement without a stat on every read.
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

/* Opens PATH without following symlinks, checks it is a regular 32-byte file owned
 * by the caller, reads and validates it. */
int omg_status_read(const char *path, struct omg_status_file *out, uint64_t now);

/* Writer side (omgd). */
struct omg_status_writer {
	char path[4096];
	struct omg_status_file *map; /* MAP_SHARED mapping of the published file, or NULL */
};

void omg_status_writer_init(struct omg_status_writer *w, const char *path);
/* Publishes COUNTS stamped NOW by temporary file and rename; retires the previous file. */
int omg_status_publish(struct omg_status_writer *w, const struct omg_counts *counts, uint64_t now);
/* Refreshes the timestamp of the published file in place. */
int omg_status_heartbeat(struct omg_status_writer *w, uint64_t now);
/* Unmaps; with REMOVE, also retires and unlinks the published file (daemon exit). */
void omg_status_writer_close(struct omg_status_writer *w, int remove_file);

/* Reader side for long-lived processes (the shell modules): a read-only mapping,
 * reopened when the mapped file was retired or went stale (at most once per second). */
struct omg_status_map {
	const struct omg_status_file *map;
	uint64_t last_open;
	uint64_t epoch;  /* bumped at every (re)open: identifies one published file */
};

/* Fast path: OMG_OK when the mapped file is valid now (no system call, no path). */
int omg_status_map_peek(const struct omg_status_map *m, struct omg_status_file *out, uint64_t now);
/* Fills OUT from the current file; returns an error code when there is no valid file.
 * PATH NULL: $RUNTIME/omg.status, resolved only when the file must be (re)opened. */
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
