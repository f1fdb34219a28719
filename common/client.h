/* client.h — talk to omgd: connect, send a request, read its answer, each bounded by a
 * deadline. No SIGPIPE is raised (MSG_NOSIGNAL). The server's uid must be ours or root.
 *
 *   struct omg_client c;
 *   omg_client_init(&c, NULL, 300);                      // default socket, 300 ms per call
 *   struct omg_wbuf *w = omg_client_begin(&c, OMG_MSG_SEARCH);
 *   omg_enc_query(w, OMG_MSG_SEARCH, &q);
 *   struct omg_answer a;
 *   if (omg_client_call(&c, &a) == OMG_OK) ... a.payload / a.length, valid until the next call
 *   omg_client_close(&c);
 *
 * A call connects on demand and reconnects once if a kept connection was closed by omgd.
 * The connection belongs to the process that opened it and to the descriptor it got
 * (kept at OMG_CLIENT_FD_MIN or above, close-on-exec, as bash and zsh keep their own):
 * a subshell or a background job that inherited it, or a descriptor the user has since
 * reused (exec 10>file), is never read, written or closed; the call connects afresh.
 * Every answer is matched to its request by id and type; a late answer (to a request
 * that timed out) or a foreign one is discarded. A call made while another is waiting
 * (a zsh trap running omg) goes over a connection of its own.
 * An ERROR answer makes the call return OMG_E_NOTFOUND (wire NOT_FOUND) or OMG_E_REMOTE,
 * with the server's message as omg_errdetail().
 */
#ifndef OMG_CLIENT_H
#define OMG_CLIENT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "proto.h"

#define OMG_CLIENT_TIMEOUT_MS 500 /* default; $OMG_TIMEOUT_MS overrides it */
#define OMG_CLIENT_FD_MIN 10       /* below are the user's descriptors */

struct omg_client {
	int fd;
	pid_t pid;          /* the process that opened FD */
	dev_t dev;          /* FD's identity when it was opened */
	ino_t ino;
	int busy;           /* a call is waiting on this client */
	struct omg_client *nested; /* for calls made while busy; NULL until needed */
	int timeout_ms;     /* the default deadline of a call */
	int call_ms;        /* the deadline of the call under way (for its messages) */
	uint32_t next_id;
	char path[4096];
	struct omg_wbuf req;
	uint8_t *in;
	size_t in_cap;
	/* Polled when a wait is interrupted by a signal: non-zero aborts the call (Ctrl-C). */
	int (*interrupted)(void);
};

struct omg_answer {
	uint8_t type;
	const uint8_t *payload;
	uint32_t length;
	uint32_t wire_error; /* the ERROR code when type == OMG_MSG_ERROR */
};

/* PATH NULL: omg_socket_path(). TIMEOUT_MS <= 0: $OMG_TIMEOUT_MS or the default. */
int omg_client_init(struct omg_client *c, const char *path, int timeout_ms);
struct omg_wbuf *omg_client_begin(struct omg_client *c, uint8_t type);
/* For kept clients (the shell modules): follow a changed $OMG_SOCKET or $XDG_RUNTIME_DIR,
 * dropping the connection to the old path. OMG_OK, or why no path can be resolved. */
int omg_client_retarget(struct omg_client *c);
/* Points C at socket PATH (dropping a connection to another). */
int omg_client_set_path(struct omg_client *c, const char *path);
int omg_client_call(struct omg_client *c, struct omg_answer *a);
/* The same with its own deadline: TIMEOUT_MS for this call (<= 0: the client's default). A
 * command that waits longer than a lookup (a plan, the AUR, a verification) says so here,
 * and the client's default is never changed. */
int omg_client_call_within(struct omg_client *c, struct omg_answer *a, int timeout_ms);
/* Connects now, within the client's default deadline, unless it holds a connection omgd has
 * not closed: OMG_OK, or why not (OMG_E_NODAEMON: nobody listens at the path). */
int omg_client_connect(struct omg_client *c);
void omg_client_close(struct omg_client *c);

#endif
