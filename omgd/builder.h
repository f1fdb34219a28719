/* builder.h — builds each new db on one worker thread, so the event loop never waits for
 * the package lists, and keeps the persistent store (store.h, srccache.h, audit.h).
 *
 * One build at a time; requests during a build are remembered and served by one more
 * build when it ends. The worker is the only user of the index store and the only writer
 * of the audit log. The first build tries the stored snapshot; each build then records
 * what changed in the installed set since the previous db (or since the snapshot of the
 * last run) and the refresh itself in the audit log, hands the db over (eventfd), and
 * only then writes the store, so a slow disk never delays an answer.
 *
 * When the store cannot be opened or written (a full disk, no permission), builds go on
 * from memory and builder_store_state says why; the worker logs each change of that
 * state once.
 */
#ifndef OMGD_BUILDER_H
#define OMGD_BUILDER_H

#include <stddef.h>

#include "audit.h"
#include "backend.h"

struct builder;

struct builder_config {
	const struct backend *backend;
	const char *root;
	const char *store_dir;   /* NULL: no store at all (--no-store) */
	size_t map_size;         /* initial map size of each environment, 0 for the default */
	size_t audit_max;        /* the audit log's bound (audit_set_max) */
};

int builder_open(struct builder **b, const struct builder_config *cfg);
int builder_fd(const struct builder *b);          /* readable when a build ended */
/* Starts (or queues) a build; WHY ("start", "change", "signal") goes into the audit log. */
void builder_request(struct builder *b, const char *why);
int builder_busy(struct builder *b);
/* How long the build under way has run (ms), 0 when none is. */
double builder_build_ms(struct builder *b);
/* After builder_fd became readable: the new db (caller owns it) or NULL and *RC;
 * *FROM_STORE: it is the stored snapshot. RC -1: nothing to collect. */
struct db *builder_collect(struct builder *b, int *rc, char *err, size_t errlen, int *from_store);
/* Stops the worker (after the build under way), waiting WAIT_MS at most: -1 when the build
 * is still running then (the caller should exit without builder_close). Free every db it
 * produced before builder_close: a stored index borrows the store. */
int builder_stop(struct builder *b, int wait_ms);
void builder_close(struct builder *b);

/* Queues a record for the audit log, appended by the build thread (the log's one writer)
 * after the build under way, so a record about a change follows the change's own record.
 * KIND: enum audit_kind; UID: who asked. At most BUILDER_NOTES_MAX wait; then it is dropped
 * and logged. */
#define BUILDER_NOTES_MAX 256
void builder_note(struct builder *b, uint8_t kind, uint32_t uid, int32_t result, const char *text, size_t len);

/* "" when the store works, else why omgd serves from memory only. */
void builder_store_problem(struct builder *b, char *buf, size_t size);
/* The audit log for reading (NULL when there is none); safe from the event loop. */
struct audit *builder_audit(struct builder *b);

#endif
