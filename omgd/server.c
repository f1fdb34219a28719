/* server.c — see server.h. Non-blocking sockets on one epoll loop: nobody waits for anybody. */
#include "config.h"
#include "server.h"
#include "omg_error.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

struct conn {
	int kind;                /* must be first: KIND_CONN */
	int fd;
	uint8_t *in;
	size_t in_len;
	struct omg_wbuf out;
	size_t out_off;
	int64_t last_io;         /* last byte in or out */
	int64_t partial_since;   /* a frame started arriving, or 0 */
	int closing;             /* close once OUT is written */
	int waiting;             /* an answer will come later (server_deliver) */
	uint64_t serial;         /* names the connection for a later answer */
	struct conn *prev, *next;
};

enum { KIND_LISTEN = 1, KIND_CONN = 2 };

struct server {
	int kind;                /* must be first: KIND_LISTEN */
	int fd, epfd;
	char path[108];
	struct daemon *d;
	struct conn *conns;
	uint64_t next_serial;
};

int64_t mono_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int server_open(struct server **out, struct daemon *d, int epfd, const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct epoll_event ev = { .events = EPOLLIN };
	struct server *s;
	mode_t old;
	int rc;

	if (strlen(path) >= sizeof sa.sun_path)
		return OMG_ERROR(OMG_E_TOOBIG, "socket path too long (max %zu): %s", sizeof sa.sun_path - 1, path);
	if (!(s = calloc(1, sizeof *s)))
		return OMG_ERROR(OMG_E_NOMEM, "server");
	s->kind = KIND_LISTEN;
	s->epfd = epfd;
	s->d = d;
	strcpy(s->path, path);
	strcpy(sa.sun_path, path);
	s->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->fd < 0) {
		rc = OMG_ERROR(OMG_E_SYS, "socket: %s", strerror(errno));
		goto fail;
	}
	unlink(path); /* a stale socket: we hold the lock, so no live daemon owns it */
	old = umask(0177);
	rc = bind(s->fd, (struct sockaddr *)&sa, sizeof sa);
	umask(old);
	if (rc != 0 || listen(s->fd, 1024) != 0) {
		rc = OMG_ERROR(OMG_E_SYS, "bind %s: %s", path, strerror(errno));
		goto fail;
	}
	ev.data.ptr = s;
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, s->fd, &ev) != 0) {
		rc = OMG_ERROR(OMG_E_SYS, "epoll_ctl: %s", strerror(errno));
		goto fail;
	}
	*out = s;
	return OMG_OK;
fail:
	if (s->fd >= 0)
		close(s->fd);
	free(s);
	return rc;
}

static void conn_close(struct server *s, struct conn *c)
{
	epoll_ctl(s->epfd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	if (c->prev)
		c->prev->next = c->next;
	else
		s->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	free(c->in);
	omg_wbuf_free(&c->out);
	free(c);
	s->d->nconns--;
}

static void conn_want(struct server *s, struct conn *c)
{
	struct epoll_event ev = { .data.ptr = c };

	/* Read the next request only when the previous answer is out: bounded memory. */
	ev.events = c->out.len > c->out_off ? EPOLLOUT : (c->closing || c->waiting ? 0 : EPOLLIN);
	epoll_ctl(s->epfd, EPOLL_CTL_MOD, c->fd, &ev);
}

static void accept_all(struct server *s)
{
	for (;;) {
		struct epoll_event ev = { .events = EPOLLIN };
		struct ucred cred;
		socklen_t len = sizeof cred;
		struct conn *c;
		int fd = accept4(s->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE)
				omgd_log("accept: %s", strerror(errno));
			return;
		}
		s->d->m.connections_total++;
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 ||
		    (cred.uid != getuid() && cred.uid != 0) || s->d->nconns >= SERVER_MAX_CONNS ||
		    !(c = calloc(1, sizeof *c))) {
			s->d->m.connections_refused++;
			close(fd);
			continue;
		}
		c->kind = KIND_CONN;
		c->fd = fd;
		c->serial = ++s->next_serial;
		c->last_io = mono_now_ms();
		ev.data.ptr = c;
		if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
			close(fd);
			free(c);
			continue;
		}
		c->next = s->conns;
		if (s->conns)
			s->conns->prev = c;
		s->conns = c;
		s->d->nconns++;
	}
}

/* Answers a header we cannot accept, then closes: the stream cannot be resynchronised. */
static void reject_frame(struct server *s, struct conn *c, uint32_t code, const char *msg)
{
	omg_wbuf_reset(&c->out);
	c->out_off = 0;
	omg_frame_begin(&c->out, OMG_MSG_ERROR, 0);
	omg_enc_error(&c->out, code, msg);
	omg_frame_end(&c->out, OMG_FRAME_MAX);
	c->closing = 1;
	s->d->m.errors++;
}

/* Takes one whole frame from IN if there is one. */
static void conn_process(struct server *s, struct conn *c)
{
	struct omg_header h;
	int rc;

	if (c->in_len < OMG_HEADER_SIZE || c->waiting)
		return;
	rc = omg_header_decode(c->in, OMG_REQUEST_MAX, &h);
	if (rc != OMG_OK) {
		reject_frame(s, c, rc == OMG_E_VERSION ? OMG_WERR_VERSION :
			     rc == OMG_E_TOOBIG ? OMG_WERR_TOO_LARGE : OMG_WERR_BAD_FRAME, omg_errdetail());
		return;
	}
	if (c->in_len < OMG_HEADER_SIZE + (size_t)h.length)
		return;
	omg_wbuf_reset(&c->out);
	c->out_off = 0;
	c->waiting = dispatch_request(s->d, h.type, h.id, c->in + OMG_HEADER_SIZE, h.length, &c->out, c->serial);
	c->in_len -= OMG_HEADER_SIZE + h.length;
	memmove(c->in, c->in + OMG_HEADER_SIZE + h.length, c->in_len);
	c->partial_since = c->in_len ? mono_now_ms() : 0;
}

static int conn_write(struct server *s, struct conn *c)
{
	while (c->out_off < c->out.len) {
		ssize_t n = send(c->fd, c->out.data + c->out_off, c->out.len - c->out_off, MSG_NOSIGNAL);
		if (n > 0) {
			c->out_off += (size_t)n;
			s->d->m.bytes_out += (uint64_t)n;
			c->last_io = mono_now_ms();
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return 0;
		return -1;
	}
	if (c->closing)
		return -1;
	/* Answer written: a big answer's buffer is given back. */
	if (c->out.cap > (64u << 10))
		omg_wbuf_free(&c->out);
	omg_wbuf_reset(&c->out);
	c->out_off = 0;
	return 0;
}

static void conn_event(struct server *s, struct conn *c, uint32_t events)
{
	const size_t cap = OMG_HEADER_SIZE + OMG_REQUEST_MAX;

	if (events & (EPOLLERR | EPOLLHUP) && !(events & EPOLLIN))
		return conn_close(s, c);
	if (events & EPOLLIN) {
		if (!c->in && !(c->in = malloc(cap)))
			return conn_close(s, c);
		for (;;) {
			ssize_t n = recv(c->fd, c->in + c->in_len, cap - c->in_len, 0);
			if (n > 0) {
				if (!c->in_len)
					c->partial_since = mono_now_ms();
				c->in_len += (size_t)n;
				c->last_io = mono_now_ms();
				s->d->m.bytes_in += (uint64_t)n;
				conn_process(s, c);
				if (c->out.len || c->waiting)
					break; /* answer first */
				if (c->in_len == cap)
					break;
				continue;
			}
			if (n == 0 || (errno != EAGAIN && errno != EINTR))
				return conn_close(s, c);
			break;
		}
	}
	/* Write answers, then take any request that is already buffered. */
	while (c->out.len) {
		if (conn_write(s, c) != 0)
			return conn_close(s, c);
		if (c->out.len)
			break;
		conn_process(s, c);
	}
	if (!c->out.len && !c->waiting && c->in_len == 0 && c->in) { /* idle: give the buffer back */
		free(c->in);
		c->in = NULL;
	}
	conn_want(s, c);
}

int server_event(struct server *s, void *ptr, uint32_t events)
{
	int kind = *(int *)ptr;

	if (ptr == s && kind == KIND_LISTEN) {
		accept_all(s);
		return 1;
	}
	if (kind == KIND_CONN) {
		conn_event(s, ptr, events);
		return 1;
	}
	return 0;
}

void server_deliver(void *ctx, uint64_t serial, const uint8_t *frame, size_t len)
{
	struct server *s = ctx;
	struct conn *c;

	for (c = s->conns; c && c->serial != serial; c = c->next)
		;
	if (!c || !c->waiting)
		return; /* the client is gone: the answer is dropped */
	c->waiting = 0;
	c->last_io = mono_now_ms();
	omg_put_bytes(&c->out, frame, len);
	if (c->out.failed)
		return conn_close(s, c);
	conn_want(s, c);
}

void server_sweep(struct server *s, int64_t now)
{
	struct conn *c = s->conns, *next;

	for (; c; c = next) {
		next = c->next;
		if ((c->partial_since && !c->waiting && now - c->partial_since > SERVER_PARTIAL_MS) ||
		    now - c->last_io > SERVER_IDLE_MS) {
			s->d->m.connections_dropped++;
			conn_close(s, c);
		}
	}
}

void server_close(struct server *s)
{
	if (!s)
		return;
	while (s->conns)
		conn_close(s, s->conns);
	close(s->fd);
	unlink(s->path);
	free(s);
}
