/* omgd.h — the daemon's shared state. One thread (the event loop) owns everything here;
 * the build thread only produces a new db and hands it over through builder.h. */
#ifndef OMGD_OMGD_H
#define OMGD_OMGD_H

#include <stddef.h>
#include <stdint.h>

#include "backend.h"
#include "db.h"
#include "status_file.h"
#include "verify.h"

struct metrics {
	uint64_t requests, errors, rebuilds, rebuild_failures, watch_events;
	uint64_t handled[32], handled_ns[32]; /* per request type: count and daemon time */
};

struct audit;
struct aur;
struct history;
struct owns;
struct planner;
struct server_stats;
struct verifier;

struct daemon {
	const struct backend *backend;
	struct audit *audit;         /* the audit log, or NULL (AUDIT) */
	struct aur *aur;             /* the AUR client, or NULL (not Arch, or --no-aur) */
	struct planner *planner;     /* package action plans (plan.h), or NULL */
	struct verifier *verifier;   /* the verification worker (verify.h), or NULL */
	struct history *history;     /* the root's package manager logs (history.h), or NULL */
	struct owns *owns;           /* the path -> package index (owns.h), built when asked */
	uint32_t peer_uid;           /* the uid of the request being answered (server.h) */
	int system;                  /* omgd --system: only root may change anything (dispatch_denied) */
	/* The builder, seen through two calls (dispatch stays below it): queue a record for the
	 * audit log (builder_note) and say whether a build is asked for or under way; NULL: none. */
	void (*note)(void *ctx, uint8_t kind, uint32_t uid, int32_t result, const char *text, size_t len);
	int (*building)(void *ctx);
	void *builder_ctx;
	/* Writes "" or why the store is unavailable (STATUS, AUDIT); NULL: no store. */
	void (*store_problem)(void *ctx, char *buf, size_t size);
	void *store_ctx;
	char root[4096];
	struct db *db;               /* the current index, or NULL before the first build */
	uint64_t generation;
	uint64_t started_at;
	int build_overdue, degraded; /* build_overdue: the build under way was given up on */
	int64_t prefetch_at;         /* monotonic ms: make the upgrade plan ahead then (0: no) */
	int64_t plan_ahead_ms;       /* --plan-ahead: how long an index stands first (0: never) */
	int64_t verify_at;           /* monotonic ms: a background verification then (0: none due) */
	int64_t verify_after_ms;     /* --verify-after: how long a change settles first */
	int64_t verify_every_ms;     /* --verify-every: a full verification this often (0: no background) */
	uint64_t verified_full_at;   /* monotonic ms of the last full one asked for */
	struct verify_summary shown; /* the verification summary the status file was published with */
	struct omg_status_writer status;
	struct metrics m;
	const struct server_stats *net; /* the server's counters (connections, bytes), or NULL */
	int reboot_required;         /* ROOT/run/reboot-required is there (hostmetrics.h), checked each second */
	const char *textfile;        /* --textfile DIR: DIR/omg.prom at every publish, or NULL */
};

/* dispatch.c: answers one request frame into OUT (a whole answer frame) and returns 0; or
 * returns 1 when the answer comes later (AUR requests) for connection ORIGIN through
 * server_deliver; or returns 2 with *JOB set when the request is answered over several rounds
 * (a large BATCH): call dispatch_continue once per round until it returns 0 with the answer in
 * OUT, or dispatch_job_free to give up. A job answers from one index (it starts again if the
 * index is replaced under it). */
struct dispatch_job;
int dispatch_request(struct daemon *d, uint8_t type, uint32_t id, const uint8_t *payload,
		     uint32_t length, struct omg_wbuf *out, uint64_t origin, struct dispatch_job **job);
int dispatch_continue(struct daemon *d, struct dispatch_job *job, struct omg_wbuf *out);
void dispatch_job_free(struct dispatch_job *job);
size_t dispatch_job_bytes(const struct dispatch_job *job); /* memory its answer holds so far */

#endif
