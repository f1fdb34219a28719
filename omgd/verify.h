/* verify.h — omgd's verification worker (omgd/verify/): what apt and pacman trust checked
 * against what the archive signed (verify/archive.c), and the installed files against what
 * the packages shipped (verify/files*.c), off the event loop.
 *
 * One thread, at the lowest CPU priority (nice 19) and the idle I/O class: it never delays
 * an answer. Jobs come from clients (VERIFY requests: the whole system, or some packages)
 * and from omgd itself (verify_background: after an index with changes, and once every
 * VERIFY_EVERY_S in full). At most VERIFY_QUEUE_MAX jobs wait; a client's request joins a
 * job of the same kind that has not started yet. The last complete result (not one limited
 * to some packages or one part) is kept: VERIFY with OMG_VERIFY_LAST answers it at once, and its summary
 * (verify_summary) goes into STATUS and the prompt's OMG_MODIFIED. Results also go to the
 * audit log (AUDIT_VERIFY) through the caller.
 *
 * Answer payloads: docs/protocol.md, VERIFY.
 */
#ifndef OMGD_VERIFY_H
#define OMGD_VERIFY_H

#include <stddef.h>
#include <stdint.h>

#include "proto.h"

#define VERIFY_QUEUE_MAX 8
#define VERIFY_EVERY_S 86400          /* a full verification this often (omgd --verify-every) */
#define VERIFY_AFTER_CHANGE_S 60      /* a background check this long after a change settles */
#define VERIFY_ANSWER_MAX (900u << 10) /* findings in one answer frame: the rest by paging */

struct verify_config {
	const char *root;        /* the package root omgd serves */
	const char *backend;     /* "dpkg" or "alpm" */
	const char *store_dir;   /* where the verification cache lives; NULL: no cache */
};

struct verifier;

int verify_open(struct verifier **v, const struct verify_config *cfg);
/* Stops the worker (a running check is cancelled), waiting WAIT_MS at most: 0 when it ended
 * (V is freed), -1 when it did not (V is left: the caller is exiting). */
int verify_close(struct verifier *v, int wait_ms);
int verify_fd(const struct verifier *v);

/* Takes the VERIFY request PAYLOAD of connection SERIAL. Returns 0 when the whole answer
 * frame is in OUT (LAST, or refused), 1 when it comes later through verify_collect. */
int verify_request(struct verifier *v, uint64_t serial, uint32_t id, const uint8_t *payload, uint32_t length,
		   struct omg_wbuf *out);
/* Queues a background check (FLAGS: OMG_VERIFY_FULL or 0) unless one is queued already. */
void verify_background(struct verifier *v, uint32_t flags);
/* Delivers finished jobs' answers: DELIVER(CTX, SERIAL, FRAME, LEN), and gives each result's
 * text for the audit log to RECORD(RCTX, TEXT, FINDINGS). Returns 1 when the kept result (the
 * last complete one: both parts, every package) changed, and with it the summary. */
int verify_collect(struct verifier *v, void (*deliver)(void *ctx, uint64_t serial, const uint8_t *frame, size_t len),
		   void *ctx, void (*record)(void *rctx, const char *text, uint32_t findings), void *rctx);

struct verify_summary {
	uint64_t at;             /* unix seconds the kept result finished; 0: none */
	uint32_t modified;       /* findings on installed files */
	uint32_t untrusted;      /* findings on the archive chain */
	uint32_t flags;          /* OMG_VERIFIED_* of the kept result */
};
void verify_summary(const struct verifier *v, struct verify_summary *s);
/* Jobs run and their summed time; queued or running now (event loop only). */
void verify_timing(const struct verifier *v, uint64_t *runs, uint64_t *total_ns, int *pending);

#endif
