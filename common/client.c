/* client.c — omgd client with a deadline on every blocking step. */
#include "config.h"
#include "client.h"
#include "omg_error.h"
#include "paths.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int omg_client_init(struct omg_client *c, const char *path, int timeout_ms)
{
	const char *env = getenv("OMG_TIMEOUT_MS");
	int rc = OMG_OK;

	memset(c, 0, sizeof *c);
	c->fd = -1;
	/* Ids differ between processes too, so no answer can pass for another's. */
	c->next_id = ((uint32_t)getpid() << 12) | 1;
	if (timeout_ms <= 0)
		timeout_ms = env && atoi(env) > 0 ? atoi(env) : OMG_CLIENT_TIMEOUT_MS;
	c->timeout_ms = timeout_ms;
	if (path) {
		if (strlen(path) >= sizeof c->path)
			return OMG_ERROR(OMG_E_TOOBIG, "socket path too long");
		strcpy(c->path, path);
	} else {
		rc = omg_socket_path(c->path, sizeof c->path);
	}
	return rc;
}

/* Is c->fd still the descriptor this process opened? If not, forget it without touching
 * it: it is a parent's (we are a subshell) or the user's now. */
static int client_owns_fd(struct omg_client *c)
{
	struct stat st;

	if (c->fd < 0)
		return 0;
	if (c->pid == getpid() && fstat(c->fd, &st) == 0 && st.st_dev == c->dev && st.st_ino == c->ino)
		return 1;
	/* An inherited copy of our socket may be closed: the parent's stays open. */
	if (c->pid != getpid() && fstat(c->fd, &st) == 0 && st.st_dev == c->dev && st.st_ino == c->ino)
		close(c->fd);
	c->fd = -1;
	return 0;
}

static void client_disconnect(struct omg_client *c)
{
	if (client_owns_fd(c))
		close(c->fd);
	c->fd = -1;
}

void omg_client_close(struct omg_client *c)
{
	client_disconnect(c);
	if (c->nested) {
		omg_client_close(c->nested);
		free(c->nested);
		c->nested = NULL;
	}
	omg_wbuf_free(&c->req);
	free(c->in);
	c->in = NULL;
	c->in_cap = 0;
}

/* Waits for EVENTS on the socket until DEADLINE. */
static int client_wait(struct omg_client *c, short events, int64_t deadline, const char *what)
{
	struct pollfd pfd = { .fd = c->fd, .events = events };

	for (;;) {
		int64_t left = deadline - mono_ms();
		int n;

		if (left <= 0)
			return OMG_ERROR(OMG_E_TIMEOUT, "omgd did not %s within %d ms", what, c->call_ms);
		n = poll(&pfd, 1, (int)left);
		if (n > 0)
			return OMG_OK;
		if (n < 0 && errno == EINTR) {
			if (c->interrupted && c->interrupted())
				return OMG_ERROR(OMG_E_TIMEOUT, "interrupted");
			continue;
		}
		if (n < 0)
			return OMG_ERROR(OMG_E_SYS, "poll: %s", strerror(errno));
	}
}

/* A socket at OMG_CLIENT_FD_MIN or above: the low numbers are the user's to use. */
static int client_socket(void)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	int high;

	if (fd < 0 || fd >= OMG_CLIENT_FD_MIN)
		return fd;
	high = fcntl(fd, F_DUPFD_CLOEXEC, OMG_CLIENT_FD_MIN);
	close(fd);
	return high;
}

static int client_connect(struct omg_client *c, int64_t deadline)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct ucred cred;
	struct stat st;
	socklen_t len = sizeof cred;
	int err = 0, rc;

	if (strlen(c->path) >= sizeof sa.sun_path)
		return OMG_ERROR(OMG_E_TOOBIG, "socket path too long: %s", c->path);
	strcpy(sa.sun_path, c->path);
	c->fd = client_socket();
	if (c->fd < 0)
		return OMG_ERROR(OMG_E_SYS, "socket: %s", strerror(errno));
	c->pid = getpid();
	if (fstat(c->fd, &st) != 0) {
		err = errno;
		close(c->fd);
		c->fd = -1;
		return OMG_ERROR(OMG_E_SYS, "fstat: %s", strerror(err));
	}
	c->dev = st.st_dev;
	c->ino = st.st_ino;
	while (connect(c->fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
		err = errno;
		if (err == EINTR)
			continue;
		/* A Unix socket says EAGAIN when omgd's accept queue is full: nothing is in
		 * progress, so try again until the deadline. */
		if (err == EAGAIN) {
			struct timespec pause = { 0, 5 * 1000000 };
			if (mono_ms() >= deadline) {
				client_disconnect(c);
				return OMG_ERROR(OMG_E_TIMEOUT, "omgd did not accept the connection within %d ms "
						 "(its queue is full)", c->call_ms);
			}
			if (c->interrupted && c->interrupted()) {
				client_disconnect(c);
				return OMG_ERROR(OMG_E_TIMEOUT, "interrupted");
			}
			nanosleep(&pause, NULL);
			continue;
		}
		if (err != EINPROGRESS) {
			client_disconnect(c);
			if (err == ENOENT || err == ECONNREFUSED)
				return OMG_ERROR(OMG_E_NODAEMON, "omgd is not running (no listener at %s)", c->path);
			return OMG_ERROR(OMG_E_NODAEMON, "connect %s: %s", c->path, strerror(err));
		}
		rc = client_wait(c, POLLOUT, deadline, "accept the connection");
		len = sizeof err;
		if (rc == OMG_OK && (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err)) {
			rc = OMG_ERROR(OMG_E_NODAEMON, "connect %s: %s", c->path, strerror(err ? err : errno));
		}
		if (rc != OMG_OK) {
			client_disconnect(c);
			return rc;
		}
		break;
	}
	len = sizeof cred;
	if (getsockopt(c->fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 ||
	    (cred.uid != getuid() && cred.uid != 0)) {
		client_disconnect(c);
		return OMG_ERROR(OMG_E_PERM, "%s is served by uid %u, not by us or root", c->path,
				 (unsigned)cred.uid);
	}
	return OMG_OK;
}

static int client_send(struct omg_client *c, int64_t deadline)
{
	size_t off = 0;

	while (off < c->req.len) {
		ssize_t n = send(c->fd, c->req.data + off, c->req.len - off, MSG_NOSIGNAL);
		if (n > 0) {
			off += (size_t)n;
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
			int rc = client_wait(c, POLLOUT, deadline, "take the request");
			if (rc != OMG_OK)
				return rc;
			continue;
		}
		return OMG_ERROR(OMG_E_NODAEMON, "send to omgd: %s", strerror(errno));
	}
	return OMG_OK;
}

static int client_recv_exact(struct omg_client *c, uint8_t *buf, size_t want, int64_t deadline)
{
	size_t off = 0;

	while (off < want) {
		ssize_t n = recv(c->fd, buf + off, want - off, 0);
		if (n > 0) {
			off += (size_t)n;
			continue;
		}
		if (n == 0)
			return OMG_ERROR(OMG_E_NODAEMON, "omgd closed the connection");
		if (errno == EAGAIN || errno == EINTR) {
			int rc = client_wait(c, POLLIN, deadline, "answer");
			if (rc != OMG_OK)
				return rc;
			continue;
		}
		return OMG_ERROR(OMG_E_NODAEMON, "recv from omgd: %s", strerror(errno));
	}
	return OMG_OK;
}

int omg_client_set_path(struct omg_client *c, const char *path)
{
	if (strlen(path) >= sizeof c->path)
		return OMG_ERROR(OMG_E_TOOBIG, "socket path too long");
	if (strcmp(path, c->path) != 0) {
		client_disconnect(c);
		strcpy(c->path, path);
	}
	return OMG_OK;
}

int omg_client_retarget(struct omg_client *c)
{
	char path[sizeof c->path];
	int rc = omg_socket_path(path, sizeof path);

	if (rc != OMG_OK)
		return rc;
	return omg_client_set_path(c, path);
}

/* The client for a call made while C waits (a trap in the shell ran omg): a connection of
 * its own, so the two answers cannot cross; NULL when it cannot be made. */
static struct omg_client *client_nested(struct omg_client *c)
{
	if (!c->nested) {
		struct omg_client *n = calloc(1, sizeof *n);
		if (!n || omg_client_init(n, c->path, c->timeout_ms) != OMG_OK) {
			free(n);
			return NULL;
		}
		c->nested = n;
	}
	c->nested->timeout_ms = c->timeout_ms;
	c->nested->interrupted = c->interrupted;
	return c->nested;
}

struct omg_wbuf *omg_client_begin(struct omg_client *c, uint8_t type)
{
	static struct omg_wbuf unusable;

	if (c->busy) {
		struct omg_client *n = client_nested(c);
		if (!n) {
			unusable.failed = OMG_E_NOMEM;
			return &unusable; /* the call then fails: the waiting request is kept */
		}
		return omg_client_begin(n, type);
	}
	omg_wbuf_reset(&c->req);
	omg_frame_begin(&c->req, type, c->next_id);
	return &c->req;
}

static int client_exchange(struct omg_client *c, struct omg_answer *a, int64_t deadline)
{
	uint8_t raw[OMG_HEADER_SIZE];
	struct omg_header h;
	struct omg_error_msg em;
	uint32_t id = c->next_id;
	uint8_t asked = c->req.len > 5 ? c->req.data[5] : 0;
	int rc;

	/* omg_client_call has checked ownership: c->fd is ours or -1 */
	if (c->fd < 0 && (rc = client_connect(c, deadline)) != OMG_OK)
		return rc;
	if ((rc = client_send(c, deadline)) != OMG_OK)
		return rc;
	for (;;) {
		if ((rc = client_recv_exact(c, raw, sizeof raw, deadline)) != OMG_OK)
			return rc;
		if ((rc = omg_header_decode(raw, OMG_FRAME_MAX, &h)) != OMG_OK)
			return rc;
		if (h.length > c->in_cap) {
			uint8_t *p = realloc(c->in, h.length);
			if (!p)
				return OMG_ERROR(OMG_E_NOMEM, "answer of %u bytes", h.length);
			c->in = p;
			c->in_cap = h.length;
		}
		if ((rc = client_recv_exact(c, c->in, h.length, deadline)) != OMG_OK)
			return rc;
		/* id 0: omgd could not delimit our frame (and closes). Another id: the late
		 * answer to an earlier request: not ours, dropped. */
		if (h.id == id || h.id == 0)
			break;
	}
	if (h.type != OMG_MSG_ERROR && h.type != (asked | OMG_MSG_ANSWER))
		return OMG_ERROR(OMG_E_PROTO, "answer of type 0x%02x to a request of type 0x%02x", h.type, asked);
	a->type = h.type;
	a->payload = c->in;
	a->length = h.length;
	a->wire_error = 0;
	if (h.type != OMG_MSG_ERROR)
		return OMG_OK;
	if (omg_dec_error(c->in, h.length, &em) != OMG_OK)
		return OMG_ERROR(OMG_E_PROTO, "malformed ERROR answer");
	a->wire_error = em.code;
	return OMG_ERROR(em.code == OMG_WERR_NOT_FOUND ? OMG_E_NOTFOUND : OMG_E_REMOTE, "%s",
			 em.message[0] ? em.message : omg_wire_strerror(em.code));
}

int omg_client_connect(struct omg_client *c)
{
	if (c->busy)
		return OMG_OK; /* a call is under way on it: a trap's call connects on its own */
	if (client_owns_fd(c)) {
		struct pollfd p = { .fd = c->fd, .events = POLLRDHUP };
		/* closed by omgd (its idle timeout, its exit): forget it; a late answer waiting
		 * to be read is not a close */
		if (poll(&p, 1, 0) == 0)
			return OMG_OK;
		client_disconnect(c);
	}
	c->call_ms = c->timeout_ms;
	return client_connect(c, mono_ms() + c->timeout_ms);
}

int omg_client_call(struct omg_client *c, struct omg_answer *a)
{
	return omg_client_call_within(c, a, c->timeout_ms);
}

int omg_client_call_within(struct omg_client *c, struct omg_answer *a, int timeout_ms)
{
	int64_t deadline;
	int reused, rc;

	if (timeout_ms <= 0)
		timeout_ms = c->timeout_ms;
	deadline = mono_ms() + timeout_ms;
	if (c->busy) {
		if (!c->nested)
			return OMG_ERROR(OMG_E_NOMEM, "no memory for a second call");
		/* a trap's call while another waits: as patient as the one it interrupted */
		rc = omg_client_call_within(c->nested, a, timeout_ms > c->call_ms ? timeout_ms : c->call_ms);
		/* a trap's call keeps nothing open; but when the nested client was itself waiting
		 * (a trap during a trap's call), the call went one deeper and closed its own: this
		 * connection has a call under way */
		if (!c->nested->busy)
			client_disconnect(c->nested);
		return rc;
	}
	if ((rc = omg_frame_end(&c->req, OMG_REQUEST_MAX)) != OMG_OK)
		return rc;
	c->busy = 1;
	c->call_ms = timeout_ms;
	reused = client_owns_fd(c);
	rc = client_exchange(c, a, deadline);
	/* A kept connection may have been closed by omgd (idle timeout, restart): retry once. */
	if (rc == OMG_E_NODAEMON && reused) {
		client_disconnect(c);
		rc = client_exchange(c, a, deadline);
	}
	if (rc != OMG_OK && rc != OMG_E_NOTFOUND && rc != OMG_E_REMOTE)
		client_disconnect(c); /* the stream is out of step: start afresh next time */
	c->next_id++;
	if (c->next_id == 0)
		c->next_id = 1;
	c->busy = 0;
	return rc;
}
