/* server.c — see server.h. Non-blocking sockets on one epoll loop: nobody waits for anybody. */
#include "config.h"
#include "server.h"
#include "log.h"
#include "omg_error.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
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
	int parked;              /* a request waits: too many unsent answers (SERVER_UNSENT_MAX) */
	int shed;                /* dropped under memory pressure: closed at the next tick */
	int deferred;            /* its request waits for the next round (SERVER_ROUND_NS spent) */
	void *job;               /* a request answered a slice per round (the handler's resume) */
	uint64_t serial;         /* names the connection for a later answer */
	uint32_t uid;            /* the peer's (SO_PEERCRED): ours or root, any when shared */
	struct conn *prev, *next;
};

enum { KIND_LISTEN = 1, KIND_CONN = 2 };

struct server {
	int kind;                /* must be first: KIND_LISTEN */
	int fd, epfd;
	char path[108];
	struct server_handler h;
	struct server_stats st;
	struct conn *conns;
	uint64_t next_serial;
	dev_t sock_dev, dir_dev;  /* what we bound, and the directory it is in */
	ino_t sock_ino, dir_ino;
	char dir[108];
	int64_t accept_paused_until; /* no descriptor left: accept again then (or at a close) */
	int parked;               /* connections whose next request waits for UNSENT to fall */
	int shed;                 /* connections dropped under memory pressure, to be closed */
	uint64_t round_ns;        /* time spent answering in this round of the event loop */
	int jobs;                 /* connections with a job (answered a slice per round) */
	uint64_t last_job;        /* serial of the connection whose job had the last slice */
	int adopted;              /* the socket was handed over (systemd's): never unlinked */
};

/* S->path is bound to S->fd: remember what is there (server_gone) and listen on the loop. */
static int server_watch(struct server *s)
{
	struct epoll_event ev = { .events = EPOLLIN };
	struct stat st, dst;
	char *slash;

	snprintf(s->dir, sizeof s->dir, "%s", s->path);
	slash = strrchr(s->dir, '/');
	if (slash == s->dir)
		slash[1] = 0;
	else if (slash)
		*slash = 0;
	else
		strcpy(s->dir, ".");
	if (stat(s->path, &st) != 0 || stat(s->dir, &dst) != 0)
		return OMG_ERROR(OMG_E_SYS, "stat %s: %s", s->path, strerror(errno));
	if (!S_ISSOCK(st.st_mode))
		return OMG_ERROR(OMG_E_SYS, "%s is not a socket", s->path);
	s->sock_dev = st.st_dev, s->sock_ino = st.st_ino;
	s->dir_dev = dst.st_dev, s->dir_ino = dst.st_ino;
	ev.data.ptr = s;
	if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, s->fd, &ev) != 0)
		return OMG_ERROR(OMG_E_SYS, "epoll_ctl: %s", strerror(errno));
	return OMG_OK;
}

static struct server *server_new(const struct server_handler *h, int epfd, const char *path)
{
	struct server *s = calloc(1, sizeof *s);

	if (!s)
		return NULL;
	s->kind = KIND_LISTEN;
	s->epfd = epfd;
	s->h = *h;
	s->fd = -1;
	strcpy(s->path, path);
	return s;
}

int server_open(struct server **out, const struct server_handler *h, int epfd, const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct server *s;
	mode_t old;
	int rc;

	if (strlen(path) >= sizeof sa.sun_path)
		return OMG_ERROR(OMG_E_TOOBIG, "socket path too long (max %zu): %s", sizeof sa.sun_path - 1, path);
	if (!(s = server_new(h, epfd, path)))
		return OMG_ERROR(OMG_E_NOMEM, "server");
	strcpy(sa.sun_path, path);
	s->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->fd < 0) {
		rc = OMG_ERROR(OMG_E_SYS, "socket: %s", strerror(errno));
		goto fail;
	}
	unlink(path); /* a stale socket: we hold the lock, so no live daemon owns it */
	/* bound with its final mode: no moment where it is more open than meant */
	old = umask(h->shared ? 0111 : 0177);
	rc = bind(s->fd, (struct sockaddr *)&sa, sizeof sa);
	umask(old);
	if (rc != 0 || listen(s->fd, 1024) != 0) {
		rc = OMG_ERROR(OMG_E_SYS, "bind %s: %s", path, strerror(errno));
		goto fail;
	}
	if ((rc = server_watch(s)) != OMG_OK)
		goto fail;
	*out = s;
	return OMG_OK;
fail:
	if (s->fd >= 0)
		close(s->fd);
	free(s);
	return rc;
}

int server_adopt(struct server **out, const struct server_handler *h, int epfd, int fd, const char *path)
{
	struct server *s;
	int rc;

	if (strlen(path) >= sizeof s->path)
		return OMG_ERROR(OMG_E_TOOBIG, "socket path too long: %s", path);
	if (!(s = server_new(h, epfd, path)))
		return OMG_ERROR(OMG_E_NOMEM, "server");
	s->fd = fd;
	s->adopted = 1;
	if ((rc = server_watch(s)) != OMG_OK) {
		free(s); /* the descriptor stays the caller's */
		return rc;
	}
	*out = s;
	return OMG_OK;
}

static void accept_resume(struct server *s)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = s };

	s->accept_paused_until = 0;
	epoll_ctl(s->epfd, EPOLL_CTL_MOD, s->fd, &ev);
}

/* Answer bytes written and not yet sent (or being built), all connections together. */
static size_t unsent_total(const struct server *s)
{
	size_t n = 0;

	for (const struct conn *c = s->conns; c; c = c->next)
		n += c->out.len - c->out_off + (c->job ? s->h.job_bytes(c->job) : 0);
	return n;
}

/* The connection can take its next request. */
static int conn_idle(const struct conn *c)
{
	return !c->out.len && !c->waiting && !c->parked && !c->job && !c->shed && !c->deferred;
}

/* A whole request (or a header that will be refused) is buffered. */
static int have_frame(const struct conn *c)
{
	struct omg_header h;

	if (c->in_len < OMG_HEADER_SIZE)
		return 0;
	return omg_header_decode(c->in, OMG_REQUEST_MAX, &h) != OMG_OK ||
	       c->in_len >= OMG_HEADER_SIZE + (size_t)h.length;
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
	if (c->job) {
		s->jobs--;
		s->h.drop(c->job);
	}
	if (c->parked)
		s->parked--;
	free(c);
	s->st.open--;
	if (s->accept_paused_until)
		accept_resume(s); /* a descriptor is free */
}

static void conn_want(struct server *s, struct conn *c)
{
	struct epoll_event ev = { .data.ptr = c };

	/* Read the next request only when the previous answer is out: bounded memory. A request
	 * already buffered is taken in the next round (the socket is writable, so EPOLLOUT comes
	 * at once), after every other connection had its turn. */
	if (c->out.len > c->out_off || c->deferred)
		ev.events = EPOLLOUT; /* work goes on in the next round: the socket is writable */
	else if (c->closing || c->waiting || c->parked || c->job) /* a job goes on in server_tick */
		ev.events = 0;
	else
		ev.events = have_frame(c) ? EPOLLOUT : EPOLLIN;
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
			if (errno == EMFILE || errno == ENFILE) {
				/* Level-triggered: the pending connection would wake us at once, forever.
				 * Stop listening until a descriptor is free (a close) or 100 ms passed. */
				struct epoll_event none = { .events = 0, .data.ptr = s };
				omgd_log("accept: %s: not accepting for now", strerror(errno));
				epoll_ctl(s->epfd, EPOLL_CTL_MOD, s->fd, &none);
				s->accept_paused_until = mono_now_ms() + SERVER_ACCEPT_RETRY_MS;
			}
			return;
		}
		s->st.connections_total++;
		if (s->st.open >= SERVER_MAX_CONNS) {
			/* said to the client, not just a close it would read as a crash */
			struct omg_wbuf w = { 0 };
			omg_frame_error(&w, 0, OMG_WERR_INTERNAL, "omgd: too many connections");
			if (!w.failed && send(fd, w.data, w.len, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
				(void)0; /* the refusal is best effort */
			omg_wbuf_free(&w);
			omgd_log("refusing connections: %d open (the limit)", SERVER_MAX_CONNS);
			s->st.connections_refused++;
			close(fd);
			continue;
		}
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 ||
		    (!s->h.shared && cred.uid != getuid() && cred.uid != 0) || !(c = calloc(1, sizeof *c))) {
			s->st.connections_refused++;
			close(fd);
			continue;
		}
		c->kind = KIND_CONN;
		c->fd = fd;
		c->uid = (uint32_t)cred.uid;
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
		s->st.open++;
	}
}

/* Answers a header we cannot accept, then closes: the stream cannot be resynchronised. */
static void reject_frame(struct server *s, struct conn *c, uint32_t code, const char *msg)
{
	omg_wbuf_reset(&c->out);
	c->out_off = 0;
	omg_frame_error(&c->out, 0, code, "%s", msg);
	c->closing = 1;
	s->st.rejected++;
}

/* Answers whose size is bounded and small: never kept waiting by memory pressure, so that the
 * prompt's STATUS and a health check's PING stay instant while others flood us. */
static int small_answer(uint8_t type)
{
	return type == OMG_MSG_PING || type == OMG_MSG_STATUS || type == OMG_MSG_HELLO;
}

/* Under memory pressure, connections whose answer has not moved for SERVER_SHED_MS give it up,
 * the longest stalled first, until the unsent answers fit again. They are closed at the next
 * tick (an event for them may still be queued in this round). Returns 1 when they fit. */
static int shed_stalled(struct server *s)
{
	int64_t now = mono_now_ms();

	while (unsent_total(s) > SERVER_UNSENT_MAX) {
		struct conn *worst = NULL;
		for (struct conn *c = s->conns; c; c = c->next)
			if (!c->shed && c->out.len > c->out_off && now - c->last_io >= SERVER_SHED_MS &&
			    (!worst || c->last_io < worst->last_io))
				worst = c;
		if (!worst)
			return 0;
		epoll_ctl(s->epfd, EPOLL_CTL_DEL, worst->fd, NULL);
		omg_wbuf_free(&worst->out);
		worst->out_off = 0;
		worst->shed = 1;
		s->shed++;
		s->st.connections_dropped++;
	}
	if (s->shed)
		omgd_log("memory: %d connection(s) that did not read their answers dropped", s->shed);
	return 1;
}

/* Takes one whole frame from IN if there is one. */
static void conn_process(struct server *s, struct conn *c)
{
	struct omg_header h;
	uint64_t t0;
	int rc;

	if (c->in_len < OMG_HEADER_SIZE || c->waiting || c->job)
		return;
	rc = omg_header_decode(c->in, OMG_REQUEST_MAX, &h);
	if (rc != OMG_OK) {
		reject_frame(s, c, rc == OMG_E_VERSION ? OMG_WERR_VERSION :
			     rc == OMG_E_TOOBIG ? OMG_WERR_TOO_LARGE : OMG_WERR_BAD_FRAME, omg_errdetail());
		return;
	}
	if (c->in_len < OMG_HEADER_SIZE + (size_t)h.length)
		return;
	if (unsent_total(s) > SERVER_UNSENT_MAX && !small_answer(h.type) && !shed_stalled(s)) {
		/* Clients that do not read must not make us hold ever more answers: this request
		 * waits until the answers already written have gone (server_tick). */
		if (!c->parked)
			s->parked++;
		c->parked = 1;
		return;
	}
	if (s->round_ns >= SERVER_ROUND_NS && !small_answer(h.type)) {
		/* this round's time is spent: cheap requests still go, others wait their turn */
		c->deferred = 1;
		return;
	}
	omg_wbuf_reset(&c->out);
	c->out_off = 0;
	t0 = mono_now_ns();
	if (s->h.peer_uid)
		*s->h.peer_uid = c->uid;
	c->waiting = s->h.handle(s->h.ctx, h.type, h.id, c->in + OMG_HEADER_SIZE, h.length, &c->out, c->serial,
				 &c->job) == 1;
	s->round_ns += mono_now_ns() - t0;
	if (c->job)
		s->jobs++;
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
			s->st.bytes_out += (uint64_t)n;
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
	int served = 0;

	if (c->shed)
		return;
	if (events & (EPOLLERR | EPOLLHUP) && !(events & EPOLLIN))
		return conn_close(s, c);
	c->deferred = 0;
	/* At most one request, or one slice of a long one, per connection per round: one that
	 * was already buffered first. */
	if (c->job) {
		served = 1; /* its slices are run by server_tick, after the round's new requests */
	} else if (conn_idle(c) && have_frame(c)) {
		conn_process(s, c);
		served = 1;
	}
	if (events & EPOLLIN && !served && conn_idle(c)) {
		if (!c->in && !(c->in = malloc(cap)))
			return conn_close(s, c);
		for (;;) {
			ssize_t n = recv(c->fd, c->in + c->in_len, cap - c->in_len, 0);
			if (n > 0) {
				if (!c->in_len)
					c->partial_since = mono_now_ms();
				c->in_len += (size_t)n;
				c->last_io = mono_now_ms();
				s->st.bytes_in += (uint64_t)n;
				conn_process(s, c);
				if (!conn_idle(c) || c->in_len == cap)
					break; /* answer first */
				continue;
			}
			if (n == 0 || (errno != EAGAIN && errno != EINTR))
				return conn_close(s, c);
			break;
		}
	}
	if (c->out.len && conn_write(s, c) != 0)
		return conn_close(s, c);
	if (conn_idle(c) && c->in_len == 0 && c->in) { /* idle: give the buffer back */
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
	if (!c || !c->waiting || c->shed)
		return; /* the client is gone: the answer is dropped */
	c->waiting = 0;
	c->last_io = mono_now_ms();
	omg_put_bytes(&c->out, frame, len);
	if (c->out.failed)
		return conn_close(s, c);
	conn_want(s, c);
}

int server_tick(struct server *s, int64_t now)
{
	s->round_ns = 0;
	/* Long requests (a BATCH) go on here, after the round's new requests were answered, one
	 * slice each, starting after the connection served last, for SERVER_ROUND_NS at most
	 * (one slice at least): new requests never wait for a batch, and batches share. */
	if (s->jobs) {
		uint64_t t0 = mono_now_ns(), last = s->last_job;
		int ran = 0;
		/* the list runs from the newest serial down: first those below the last served,
		 * then from the top, each job once */
		for (int pass = 0; pass < 2 && (!ran || mono_now_ns() - t0 < SERVER_ROUND_NS); pass++) {
			struct conn *c, *next;
			for (c = s->conns; c && (!ran || mono_now_ns() - t0 < SERVER_ROUND_NS); c = next) {
				next = c->next;
				if (!c->job || c->shed || (pass == 0) != (c->serial < last))
					continue;
				ran = 1;
				s->last_job = c->serial;
				if (s->h.resume(s->h.ctx, c->job, &c->out) == 0) {
					c->job = NULL;
					s->jobs--;
					conn_want(s, c); /* the answer is written as the socket takes it */
				}
			}
		}
	}
	if (s->shed) {
		struct conn *c, *next;
		for (c = s->conns; c; c = next) {
			next = c->next;
			if (c->shed)
				conn_close(s, c);
		}
		s->shed = 0;
	}
	if (s->accept_paused_until && now >= s->accept_paused_until)
		accept_resume(s);
	/* Parked requests go on once half the allowance of unsent answers is free, or once the
	 * answers that stalled since they were parked have been dropped to make room: no new
	 * request may come to have them dropped (conn_process). */
	if (s->parked && (unsent_total(s) <= SERVER_UNSENT_MAX / 2 ||
			  (unsent_total(s) > SERVER_UNSENT_MAX && shed_stalled(s)))) {
		struct conn *c, *next;
		for (c = s->conns; c; c = next) {
			next = c->next;
			if (!c->parked)
				continue;
			c->parked = 0;
			s->parked--;
			conn_event(s, c, 0);
		}
	}
	if (s->jobs)
		return 0; /* more slices to answer: look at the sockets and come back at once */
	return s->accept_paused_until || s->parked ? SERVER_ACCEPT_RETRY_MS : 1000;
}

const struct server_stats *server_stats(const struct server *s)
{
	return &s->st;
}

int server_idle(const struct server *s)
{
	struct pollfd p = { .fd = s->fd, .events = POLLIN };

	return !s->conns && poll(&p, 1, 0) == 0;
}

const char *server_gone(const struct server *s)
{
	struct stat st;

	if (stat(s->dir, &st) != 0 || st.st_dev != s->dir_dev || st.st_ino != s->dir_ino)
		return "its directory was removed or replaced";
	if (stat(s->path, &st) != 0 || st.st_dev != s->sock_dev || st.st_ino != s->sock_ino)
		return "it was removed or replaced";
	return NULL;
}

void server_sweep(struct server *s, int64_t now)
{
	struct conn *c = s->conns, *next;

	for (; c; c = next) {
		next = c->next;
		/* a whole request that waits (parked, or behind a job) is ours to serve, not partial */
		if ((c->partial_since && conn_idle(c) && !have_frame(c) && now - c->partial_since > SERVER_PARTIAL_MS) ||
		    (now - c->last_io > SERVER_IDLE_MS && !c->waiting) || /* a deferred answer (a plan) is on its way */
		    (c->out.len > c->out_off && now - c->last_io > SERVER_STALL_MS)) {
			s->st.connections_dropped++;
			conn_close(s, c);
		}
	}
}

void server_close(struct server *s)
{
	if (!s)
		return;
	/* next taken before the close: scan-build does not know the head has no prev */
	for (struct conn *c = s->conns, *next; c; c = next) {
		next = c->next;
		conn_close(s, c);
	}
	close(s->fd);
	/* only our own: another daemon may have bound the path since; and systemd's stays, to
	 * start omgd again at the next connection */
	if (!s->adopted && !server_gone(s))
		unlink(s->path);
	free(s);
}
