/* internal.h — the AUR client's inside: what its files share (omgd/aur.h is the contract).
 *
 * The event loop's side (loop.c) takes requests, answers from the cache (cache.c) when it
 * can, and queues a job for the worker thread (worker.c), which asks the AUR with libcurl at
 * the URLs url.c makes and turns its JSON into an answer payload (json.c). Finished jobs come
 * back through the eventfd; the loop caches successful answers and delivers them.
 *
 * Nothing outside omgd/aur/ includes this header.
 */
#ifndef OMGD_AUR_INTERNAL_H
#define OMGD_AUR_INTERNAL_H

#include "aur.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* A request on its way to the AUR and back: made by loop.c, answered by worker.c. */
struct job {
	uint64_t serial;
	uint32_t id, limit;
	uint8_t type;
	char *key;               /* cache key: type, then the query */
	char **names;            /* AUR_INFO */
	int nnames;
	char *query;             /* AUR_SEARCH */
	struct omg_wbuf frame;   /* the answer, once made */
	uint64_t asked_ns;       /* when the request came (monotonic), for the metrics */
	int cacheable;
	struct job *next;
};

/* ---- cache.c: answers kept for the TTL (the event loop's thread only) ---------------- */
struct cached {
	char *key;
	uint8_t *payload;        /* the answer payload as the cache serves it (cached: 1) */
	size_t len;
	time_t expires;
};

struct aur_cache {
	struct cached v[AUR_CACHE_MAX];
	int n;
};

/* The answer kept under KEY, or NULL (none, or expired). */
const struct cached *aur_cache_find(struct aur_cache *cache, const char *key);
/* Keeps the answer PAYLOAD (LEN bytes, as the worker made it) under KEY for TTL_S seconds,
 * marked as coming from the cache; when full, the entry closest to expiry goes. Out of
 * memory, it is not kept. */
void aur_cache_put(struct aur_cache *cache, const char *key, const uint8_t *payload, size_t len, int ttl_s);
void aur_cache_free(struct aur_cache *cache);

struct aur {
	struct aur_config cfg;
	char base[1024];
	int efd;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct job *todo, *done;  /* FIFO in, LIFO out (order per connection is one at a time) */
	int ntodo, stop;
	uint64_t answered[2], answered_ns[2]; /* search, info: request to answer (event loop only) */
	struct aur_cache cache;   /* event loop only */
	CURL *curl;               /* worker only */
};

/* ---- json.c ---------------------------------------------------------------------------- */
/* Makes PAYLOAD an answer saying the AUR part is missing, and why; returns OMG_AUR_MISSING. */
uint8_t aur_problem(struct omg_wbuf *payload, const char *why);

/* ---- url.c ----------------------------------------------------------------------------- */
/* The search URL for QUERY (URL-encoded) into URL (capacity N): 0, or -1 when it does not fit. */
int aur_search_url(const char *base, const char *query, char *url, size_t n);

/* ---- worker.c -------------------------------------------------------------------------- */
/* The worker thread: takes jobs from A->todo, answers each into its frame, hands it to
 * A->done and signals A->efd, until A->stop. */
void *aur_worker(void *arg);

#endif
