/* internal.h — the planner's inside (omgd/plan.h is the contract).
 *
 * queue.c takes requests on the event loop, checks their names (names.c), answers from its
 * cache or queues a job; the worker thread (queue.c) runs the package manager (apt.c) and
 * reads its words (aptsim.c); finished jobs come back through the eventfd and answer.c
 * completes them from the index and encodes the answer. Nothing outside omgd/plan/
 * includes this header.
 */
#ifndef OMGD_PLAN_INTERNAL_H
#define OMGD_PLAN_INTERNAL_H

#include "plan.h"
#include "aptsim.h"
#include "db.h"
#include "backend.h"

#include <pthread.h>

struct plan_job {
	uint64_t serial;
	uint32_t id;
	uint8_t action;
	char **names;            /* as checked: what the package manager is given */
	uint32_t nnames;
	char *key;               /* the cache key: action and names */
	uint64_t asked_ns;
	int prefetch;            /* made ahead for the cache (niced): nobody waits for it */
	int preempted;           /* a prefetch stopped for a client's plan: it runs again later */
	uint64_t generation;     /* the index when it was asked: its plan is kept for that one only */
	/* worker's answer */
	int ran;                 /* 1: the package manager ran (SIM, EXIT_STATUS are set) */
	int exit_status;
	char problem[512];       /* why it could not run or ended badly, when it says nothing */
	struct aptsim sim;
	uint64_t ran_ns;
	struct plan_job *next;
};

struct plan_cached {
	char *key;
	uint64_t generation;
	uint8_t *payload;
	size_t len;
};

struct planner {
	struct plan_config cfg;
	char root[4096];
	char apt_get[512];
	int alpm;                  /* plans by libalpm (the alpm backend), else by apt-get */
	int efd;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct plan_job *todo, *done;
	int ntodo, stop;
	int exited;                /* the worker returned (plan_close waits for it, not for ever) */
	int cancel;                /* (atomic) the job under way is to stop: omgd stops, or a client's
				    * plan preempts a prefetch */
	struct plan_job *running;  /* the job under way, or NULL */
	uint64_t made, made_ns, cached_hits, ahead; /* event loop only */
	struct plan_cached cache[PLAN_CACHE_MAX]; /* event loop only */
	int ncache, cache_next;
	uint64_t prefetched;     /* the generation whose upgrade plan was queued ahead */
};

/* ---- names.c: a request's names against the index ------------------------------------ */
/* Checks NAME's syntax (NAME[:ARCH][=VERSION|/RELEASE], or an absolute path to a .deb for
 * install and reinstall; with ALPM: NAME or REPO/NAME, or the path of a .pkg.tar.*): NULL
 * when good, else what is wrong. */
const char *plan_name_invalid(uint8_t action, const char *name, int alpm);
/* Whether NAME (checked) names a package or a virtual one DB knows (a path always does;
 * with ALPM, REPO/NAME is known when NAME is). */
int plan_name_known(const struct db *db, const char *name, int alpm);
/* Up to MAX names of DB close to unknown NAME into OUT (strings in DB); returns how many. */
uint32_t plan_suggest(const struct db *db, const char *name, const char **out, uint32_t max);

/* ---- apt.c: the worker's side --------------------------------------------------------- */
/* Runs apt-get -s for JOB on P's root; fills JOB's ran, exit_status, sim or problem. */
void plan_apt_run(const struct planner *p, struct plan_job *job);

/* ---- alpm.c: the worker's side on Arch --------------------------------------------------- */
/* Prepares JOB's libalpm transaction on P's root (NOLOCK, never committed); fills JOB's ran,
 * exit_status (1: libalpm refused, see sim.problem), sim or problem, as plan_apt_run does. */
void plan_alpm_run(const struct planner *p, struct plan_job *job);

/* ---- answer.c: the event loop's side -------------------------------------------------- */
/* The PLAN answer payload for finished JOB into W, completed from DB. */
void plan_answer(const struct planner *p, const struct plan_job *job, const struct db *db,
		 const struct backend *backend, uint64_t generation, struct omg_wbuf *w);

#endif
