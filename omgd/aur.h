/* aur.h — the Arch User Repository's RPC v5, for search and info, off the event loop
 * (omgd/aur/: loop.c, worker.c, url.c, json.c, cache.c; aur/internal.h says how they fit).
 *
 * Requests come from the event loop (aur_request) and are answered by one worker thread
 * with libcurl: TLS verification on, http and https only, a connect timeout and a total
 * timeout, answers over AUR_MAX_BYTES refused, queries URL-encoded, info names batched into
 * URLs under AUR_URL_MAX bytes. JSON goes through jansson and is checked field by field.
 * Answers (whole frames: a deferred answer, server.h) come back through aur_fd; successful
 * ones are cached on the event loop's side for the TTL, and a cached answer is given at once.
 *
 * Answer payloads (docs/protocol.md): u8 status (AUR_OK, AUR_UNAVAILABLE: not an Arch
 * system or --no-aur, AUR_MISSING: the AUR part could not be had), string problem, u8 cached,
 * then AUR_SEARCH: rows (flag OMG_PKG_AUR); AUR_INFO: u32 flags, u32 count, count × (key,
 * value) (count 0: no such package).
 */
#ifndef OMGD_AUR_H
#define OMGD_AUR_H

#include <stddef.h>
#include <stdint.h>

#include "proto.h"

#define AUR_URL_DEFAULT "https://aur.archlinux.org"
#define AUR_TIMEOUT_MS_DEFAULT 2500   /* total, per HTTP request */
#define AUR_CONNECT_MS_DEFAULT 1500
#define AUR_TTL_S_DEFAULT 300
#define AUR_URL_MAX 4400              /* the AUR's limit on an info URL */
#define AUR_MAX_BYTES (8u << 20)
#define AUR_QUEUE_MAX 64
#define AUR_CACHE_MAX 256

struct aur_config {
	const char *base_url;  /* without the trailing /rpc */
	int timeout_ms, connect_ms, ttl_s;
};

struct aur;

int aur_open(struct aur **a, const struct aur_config *cfg);
void aur_close(struct aur *a);
int aur_fd(const struct aur *a);

/* Takes the AUR_SEARCH or AUR_INFO request PAYLOAD for connection SERIAL. Returns 0 when
 * the whole answer frame is already in OUT (cached, or refused), 1 when it will come later
 * through aur_collect. */
int aur_request(struct aur *a, uint64_t serial, uint8_t type, uint32_t id, const uint8_t *payload,
		uint32_t length, struct omg_wbuf *out);

/* Delivers each finished answer frame: DELIVER(CTX, SERIAL, FRAME, LENGTH). */
void aur_collect(struct aur *a, void (*deliver)(void *ctx, uint64_t serial, const uint8_t *frame, size_t len),
		 void *ctx);

/* Answers of TYPE (AUR_SEARCH or AUR_INFO) given so far, and their summed time from request
 * to answer, cache hits included (the event loop's thread only). A NULL AUR gives zeros. */
void aur_timing(const struct aur *a, uint8_t type, uint64_t *answered, uint64_t *total_ns);
/* Writes an answer saying the AUR part is not available (no AUR configured, or omgd built
 * --without-aur); aur_answer_problem, with the AUR status STATUS (unavailable.c, which is
 * built in every configuration). */
void aur_answer_unavailable(struct omg_wbuf *out, uint8_t type, uint32_t id, const char *why);
void aur_answer_problem(struct omg_wbuf *out, uint8_t type, uint32_t id, uint8_t status, const char *why);

/* Appends to URL (capacity N) the info URLs for NAMES, each under AUR_URL_MAX bytes:
 * calls EMIT for each. Exposed for tests. Returns the number of URLs, or -1. */
int aur_info_urls(const char *base, const char *const *names, int count,
		  int (*emit)(void *ctx, const char *url), void *ctx);

/* Parses an RPC v5 answer into an answer payload (status, problem, rows or pairs); a
 * search keeps its first LIMIT rows (0: all) and counts the rest as matched. Returns the
 * status it wrote (OMG_AUR_OK or OMG_AUR_MISSING). Exposed for tests and fuzzing. */
uint8_t aur_parse(const char *json, size_t len, uint8_t type, uint32_t limit, struct omg_wbuf *payload);

#endif
