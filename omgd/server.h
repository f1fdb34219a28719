/* server.h — the Unix-socket server: accept, per-connection buffers, framing, limits.
 *
 * Limits: OMG_REQUEST_MAX bytes a request, one request answered at a time per connection
 * (the next is read only when the answer has been written), so a connection holds at most
 * one request and one answer (<= OMG_FRAME_MAX). Each round of the event loop a connection
 * gets one request, or one slice of a long one (a BATCH: the handler's resume), so nobody waits
 * for another's whole batch; once a round has spent SERVER_ROUND_NS answering, the rest wait
 * for the next round, except PING, STATUS and HELLO, so cheap requests are never queued
 * behind many expensive ones. Past SERVER_UNSENT_MAX bytes of unsent answers, requests other
 * than PING, STATUS and HELLO wait, and connections that have not read their answer for
 * SERVER_SHED_MS are dropped, the longest stalled first. A partial frame older than
 * SERVER_PARTIAL_MS or a connection idle for SERVER_IDLE_MS is closed; past
 * SERVER_MAX_CONNS connections new ones are closed at once. Peers whose uid is neither
 * ours nor root are refused (SO_PEERCRED), unless the handler is SHARED (omgd --system):
 * then everyone may connect, and the dispatcher decides what each uid may ask.
 */
#ifndef OMGD_SERVER_H
#define OMGD_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "clock.h"
#include "proto.h"

#define SERVER_MAX_CONNS 4096
#define SERVER_PARTIAL_MS 2000
#define SERVER_IDLE_MS 60000
#define SERVER_STALL_MS 10000        /* an answer pending and not read for this long: closed */
#define SERVER_UNSENT_MAX (64u << 20) /* unsent answers, all connections: then requests wait */
#define SERVER_SHED_MS 500           /* over SERVER_UNSENT_MAX, an answer not read for this long is dropped */
#define SERVER_ROUND_NS 2000000      /* answering in one round: then requests other than PING,
				      * STATUS and HELLO wait for the next (one at least each round) */
#define SERVER_ACCEPT_RETRY_MS 100   /* out of descriptors: accept again after this */

struct server;

/* What the server counts (read by METRICS through server_stats). */
struct server_stats {
	uint64_t connections_total, connections_refused, connections_dropped;
	uint64_t bytes_in, bytes_out;
	uint64_t rejected;           /* frames refused for their header (answered with an ERROR) */
	int open;                    /* connections open now */
};

/* What the server does with each whole request frame. HANDLE writes the whole answer frame
 * into OUT and returns 0; or returns 1 when the answer comes later for connection ORIGIN
 * (server_deliver); or returns 2 with *JOB set when the request is answered over several
 * rounds: RESUME is then called once per round until it returns 0 with the answer in OUT,
 * DROP when the connection goes first, and JOB_BYTES says what memory the job holds. */
struct server_handler {
	int (*handle)(void *ctx, uint8_t type, uint32_t id, const uint8_t *payload, uint32_t length,
		      struct omg_wbuf *out, uint64_t origin, void **job);
	int (*resume)(void *ctx, void *job, struct omg_wbuf *out);
	void (*drop)(void *job);
	size_t (*job_bytes)(const void *job);
	void *ctx;                   /* passed to HANDLE and RESUME */
	uint32_t *peer_uid;          /* if set: the uid of HANDLE's peer, written before each call */
	int shared;                  /* omgd --system: socket 0666, every uid accepted */
};

/* Binds PATH (mode 0600; 0666 when H is shared); the caller holds the lock that makes a stale socket safe to remove.
 * Requests go to H. */
int server_open(struct server **s, const struct server_handler *h, int epfd, const char *path);
/* The same with a listening socket FD bound to PATH by someone else (systemd's socket
 * activation): FD is the server's on success, the caller's on failure; server_close closes
 * it but leaves PATH in place. */
int server_adopt(struct server **s, const struct server_handler *h, int epfd, int fd, const char *path);
const struct server_stats *server_stats(const struct server *s);
/* Handles an epoll event whose data.ptr is a server object; returns 1 if it was ours. */
int server_event(struct server *s, void *ptr, uint32_t events);
/* Hands a deferred answer FRAME to connection SERIAL, if it is still there. */
void server_deliver(void *s, uint64_t serial, const uint8_t *frame, size_t len);
/* Closes connections past their deadlines. */
void server_sweep(struct server *s, int64_t now_ms);
/* Each round of the event loop: resumes accepting and parked requests; returns the longest
 * the next epoll_wait may sleep (ms). */
int server_tick(struct server *s, int64_t now_ms);
/* 1 when no connection is open and none waits to be accepted. */
int server_idle(const struct server *s);
/* NULL while the socket we bound is still at its path, else what happened to it. */
const char *server_gone(const struct server *s);
void server_close(struct server *s);

#endif
