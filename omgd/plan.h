/* plan.h — what a package action would do, computed off the event loop (omgd/plan/:
 * queue.c, names.c, apt.c, aptsim.c, answer.c; plan/internal.h says how they fit).
 *
 * A PLAN request names an action and packages. Its names are checked on the event loop
 * against the index: a name that is not a package (or a virtual one) is answered at once
 * with "did you mean" (no package manager runs); an invalid one is refused. Otherwise one
 * worker thread asks the package manager for the plan: on Debian `LC_ALL=C apt-get -s`
 * on the same root and configuration (inside the root by chroot when ROOT is not / and
 * omgd runs as root), never as a privileged step, within PLAN_DEADLINE_MS; on Arch a
 * libalpm transaction prepared without the lock and never committed (plan/alpm.c). Plans
 * run one at a time (apt takes a second and 80 MB) and at most PLAN_QUEUE_MAX wait. The worker's
 * reading of apt's words comes back through plan_fd; the event loop then adds what the index
 * knows (download and installed sizes, essential, held, security, which were asked for) and
 * delivers the answer (server.h's deferred answers). A plan made on the current index is
 * kept (PLAN_CACHE_MAX of them) and given again at once until the index changes; once a new
 * index with upgrades has stood PLAN_AHEAD_DELAY_MS (omgd --plan-ahead), the upgrade plan is made ahead
 * (plan_prefetch).
 *
 * Answer payloads: docs/protocol.md, PLAN.
 */
#ifndef OMGD_PLAN_H
#define OMGD_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include "proto.h"

#define PLAN_DEADLINE_MS 60000
#define PLAN_QUEUE_MAX 8
#define PLAN_CACHE_MAX 8
#define PLAN_OUTPUT_MAX (16u << 20)  /* apt-get -s's output kept */
#define PLAN_AHEAD_DELAY_MS 30000    /* an index unchanged this long gets its upgrade plan made ahead
				      * (omgd --plan-ahead): not while a dpkg run or an update goes on */

struct plan_config {
	const char *root;        /* the package root omgd serves */
	int deadline_ms;         /* 0: PLAN_DEADLINE_MS */
	const char *apt_get;     /* NULL: /usr/bin/apt-get (tests may name another) */
	const char *backend;     /* "alpm": plans by libalpm (plan/alpm.c); otherwise by apt-get */
};

struct planner;
struct db;
struct backend;

int plan_open(struct planner **p, const struct plan_config *cfg);
/* Stops the worker, waiting WAIT_MS at most: 0 when it ended (P is freed), -1 when it did not
 * (P is left as it is: the caller is exiting). */
int plan_close(struct planner *p, int wait_ms);
int plan_fd(const struct planner *p);

/* Takes the PLAN request PAYLOAD for connection SERIAL, checked against DB (the index of
 * GENERATION) and answered with BACKEND's data. Returns 0 when the whole answer frame is in
 * OUT already (refused, unknown names, cached), 1 when it comes later through plan_collect. */
int plan_request(struct planner *p, const struct db *db, const struct backend *backend, uint64_t generation,
		 uint64_t serial, uint32_t id, const uint8_t *payload, uint32_t length, struct omg_wbuf *out);

/* Delivers each finished plan, completed from DB (GENERATION): DELIVER(CTX, SERIAL, FRAME, LEN). */
void plan_collect(struct planner *p, const struct db *db, const struct backend *backend, uint64_t generation,
		  void (*deliver)(void *ctx, uint64_t serial, const uint8_t *frame, size_t len), void *ctx);

/* Makes the upgrade plan of index GENERATION in the background (niced), so that the first
 * `omg upgrade` of the user is answered from memory: when nothing waits, and once per
 * generation. */
void plan_prefetch(struct planner *p, uint64_t generation);

/* Plans made for clients and their summed time, answers from memory, plans made ahead
 * (event loop only; a NULL P gives zeros). */
void plan_timing(const struct planner *p, uint64_t *made, uint64_t *total_ns, uint64_t *cached, uint64_t *ahead);
/* Plans queued, being made or made and not yet collected (0 for a NULL P). */
int plan_pending(struct planner *p);

#endif
