/* test_client.c — common/client.c against a fake omgd played in this process: a thread
 * listens on a Unix socket in a temporary directory, a thread per connection answers as the
 * case scripts it (well, late, wrongly, never), and the case checks what the client made of
 * it: the return code, omg_errdetail(), the answer's bytes, the connections the server saw. */
#include "config.h"
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "client.h"
#include "omg_error.h"
#include "proto.h"

#define MAX_CONNS 8
#define MAX_FRAMES 16
#define FRAME_KEEP 512
/* a deadline no case should reach: a call that takes it has hung */
#define LONG_MS 5000

struct conn {
	int fd;
	int index; /* 0 for the first connection accepted */
	pthread_t thread;
};

/* The fake omgd. What it saw is kept under LOCK, for the case to check. */
static struct fake {
	char dir[64];
	char path[128];
	int lfd;
	int stop[2]; /* written at the case's end: every wait of the server ends */
	int started;
	void (*serve)(struct conn *);
	pthread_t acceptor;
	pthread_t main;
	pthread_mutex_t lock;
	pthread_cond_t changed;
	int accepts;
	pid_t peer[MAX_CONNS]; /* each connection's client (SO_PEERCRED) */
	int closed;            /* connections the server has closed */
	int nframes;
	struct {
		int conn;
		size_t len;
		uint8_t data[FRAME_KEEP];
	} frames[MAX_FRAMES];
	struct conn conns[MAX_CONNS];
} F = { .lock = PTHREAD_MUTEX_INITIALIZER, .changed = PTHREAD_COND_INITIALIZER };

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* ---- the server's side ----------------------------------------------------------- */

/* Waits up to WAIT_MS (-1: for ever) for FD to be readable: 1; 0 at the timeout; -1 when
 * the case ends. */
static int srv_readable(int fd, int wait_ms)
{
	for (;;) {
		struct pollfd p[2] = { { .fd = fd, .events = POLLIN }, { .fd = F.stop[0], .events = POLLIN } };
		int n = poll(p, 2, wait_ms);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || p[1].revents)
			return -1;
		return n > 0;
	}
}

/* Reads exactly N bytes: 0, or -1 at the client's close or the case's end. */
static int srv_read(struct conn *k, void *buf, size_t n)
{
	size_t off = 0;

	while (off < n) {
		ssize_t r;

		if (srv_readable(k->fd, -1) != 1)
			return -1;
		r = recv(k->fd, (uint8_t *)buf + off, n - off, 0);
		if (r <= 0)
			return -1;
		off += (size_t)r;
	}
	return 0;
}

/* Reads one request frame and records it: 0, or -1 (closed, or a frame the fake does
 * not keep). */
static int srv_request(struct conn *k, struct omg_header *h)
{
	uint8_t buf[FRAME_KEEP];

	if (srv_read(k, buf, OMG_HEADER_SIZE) != 0 ||
	    omg_header_decode(buf, FRAME_KEEP - OMG_HEADER_SIZE, h) != OMG_OK ||
	    srv_read(k, buf + OMG_HEADER_SIZE, h->length) != 0)
		return -1;
	pthread_mutex_lock(&F.lock);
	if (F.nframes < MAX_FRAMES) {
		F.frames[F.nframes].conn = k->index;
		F.frames[F.nframes].len = OMG_HEADER_SIZE + h->length;
		memcpy(F.frames[F.nframes].data, buf, OMG_HEADER_SIZE + h->length);
		F.nframes++;
	}
	pthread_cond_broadcast(&F.changed);
	pthread_mutex_unlock(&F.lock);
	return 0;
}

/* The client may be gone (a case that timed out): no SIGPIPE, and nothing to check. */
static void srv_send(struct conn *k, const void *p, size_t n)
{
	ssize_t r = send(k->fd, p, n, MSG_NOSIGNAL);

	(void)r;
}

/* Sends what W holds and frees it, freed before it is sent: a client that forks once it has
 * its answer must not find a server thread's block allocated in its child (a leak there). */
static void srv_send_wbuf(struct conn *k, struct omg_wbuf *w, int rc)
{
	uint8_t frame[OMG_HEADER_SIZE + FRAME_KEEP];
	size_t n = rc == OMG_OK && w->len <= sizeof frame ? w->len : 0;

	if (n)
		memcpy(frame, w->data, n);
	omg_wbuf_free(w);
	if (n)
		srv_send(k, frame, n);
}

static void srv_frame(struct conn *k, uint8_t type, uint32_t id, const void *payload, size_t n)
{
	struct omg_wbuf w = { 0 };

	srv_send_wbuf(k, &w, omg_frame_whole(&w, type, id, payload, n));
}

static void srv_error(struct conn *k, uint32_t id, uint32_t code, const char *message)
{
	struct omg_wbuf w = { 0 };

	srv_send_wbuf(k, &w, omg_frame_error(&w, id, code, "%s", message));
}

/* A header as a hostile server writes it, every field free. */
static void srv_header(struct conn *k, uint32_t length, uint8_t version, uint16_t flags, uint8_t type, uint32_t id)
{
	uint8_t raw[OMG_HEADER_SIZE] = {
		(uint8_t)length, (uint8_t)(length >> 8), (uint8_t)(length >> 16), (uint8_t)(length >> 24),
		version, type, (uint8_t)flags, (uint8_t)(flags >> 8),
		(uint8_t)id, (uint8_t)(id >> 8), (uint8_t)(id >> 16), (uint8_t)(id >> 24),
	};

	srv_send(k, raw, sizeof raw);
}

static uint32_t frame_id(int i)
{
	const uint8_t *p = F.frames[i].data + 8;

	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* The answer echo gives: the request's payload, then '!'. The request is the last one
 * recorded with its id on this connection (another may have come since on another). */
static void srv_echo(struct conn *k, const struct omg_header *h)
{
	uint8_t payload[FRAME_KEEP];
	int i;

	pthread_mutex_lock(&F.lock);
	for (i = F.nframes - 1; i > 0; i--)
		if (F.frames[i].conn == k->index && frame_id(i) == h->id)
			break;
	memcpy(payload, F.frames[i].data + OMG_HEADER_SIZE, h->length);
	pthread_mutex_unlock(&F.lock);
	payload[h->length] = '!';
	srv_frame(k, h->type | OMG_MSG_ANSWER, h->id, payload, h->length + 1);
}

/* Reads on until the client closes (or the case ends), answering nothing. */
static void srv_hold(struct conn *k)
{
	uint8_t b[256];

	while (srv_readable(k->fd, -1) == 1 && recv(k->fd, b, sizeof b, 0) > 0)
		;
}

static void srv_close(struct conn *k)
{
	close(k->fd);
	k->fd = -1;
	pthread_mutex_lock(&F.lock);
	F.closed++;
	pthread_cond_broadcast(&F.changed);
	pthread_mutex_unlock(&F.lock);
}

static void *conn_main(void *arg)
{
	struct conn *k = arg;

	F.serve(k);
	if (k->fd >= 0)
		srv_close(k);
	return NULL;
}

static void *acceptor_main(void *arg)
{
	int n = 0;

	(void)arg;
	while (srv_readable(F.lfd, -1) == 1) {
		struct ucred cred = { 0 };
		socklen_t len = sizeof cred;
		int fd = accept4(F.lfd, NULL, NULL, SOCK_CLOEXEC);

		if (fd < 0)
			continue;
		if (n == MAX_CONNS) {
			close(fd);
			continue;
		}
		getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len);
		F.conns[n] = (struct conn){ .fd = fd, .index = n };
		pthread_mutex_lock(&F.lock);
		F.peer[n] = cred.pid;
		F.accepts = n + 1;
		pthread_cond_broadcast(&F.changed);
		pthread_mutex_unlock(&F.lock);
		if (pthread_create(&F.conns[n].thread, NULL, conn_main, &F.conns[n]) != 0) {
			close(fd);
			continue; /* the case then misses an answer and fails */
		}
		n++;
	}
	for (int i = 0; i < n; i++)
		pthread_join(F.conns[i].thread, NULL);
	return NULL;
}

/* Listens at F.path and serves each connection with SERVE. The server's threads block
 * every signal: a signal a case sends is the calling thread's. */
static void fake_start(void (*serve)(struct conn *))
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	sigset_t all, old;

	F.serve = serve;
	strcpy(sa.sun_path, F.path);
	F.lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(F.lfd >= 0);
	assert_int_equal(bind(F.lfd, (struct sockaddr *)&sa, sizeof sa), 0);
	assert_int_equal(listen(F.lfd, 16), 0);
	assert_int_equal(pipe2(F.stop, O_CLOEXEC), 0);
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	assert_int_equal(pthread_create(&F.acceptor, NULL, acceptor_main, NULL), 0);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	F.started = 1;
}

/* Waits (LONG_MS at most: a broken case fails rather than hangs) for *FIELD to reach N;
 * returns its value. */
static int wait_count(const int *field, int n)
{
	struct timespec until;
	int v;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += LONG_MS / 1000;
	pthread_mutex_lock(&F.lock);
	while (*field < n)
		if (pthread_cond_timedwait(&F.changed, &F.lock, &until) != 0)
			break;
	v = *field;
	pthread_mutex_unlock(&F.lock);
	return v;
}

static int count(const int *field)
{
	int v;

	pthread_mutex_lock(&F.lock);
	v = *field;
	pthread_mutex_unlock(&F.lock);
	return v;
}

static int setup(void **state)
{
	(void)state;
	F.started = 0;
	F.accepts = F.closed = F.nframes = 0;
	F.main = pthread_self();
	strcpy(F.dir, "/tmp/omg-test-client.XXXXXX");
	if (!mkdtemp(F.dir))
		return -1;
	snprintf(F.path, sizeof F.path, "%s/omg.sock", F.dir);
	return 0;
}

static int teardown(void **state)
{
	char file[160];

	(void)state;
	if (F.started) {
		ssize_t r = write(F.stop[1], "", 1);

		(void)r;
		pthread_join(F.acceptor, NULL);
		close(F.lfd);
		close(F.stop[0]);
		close(F.stop[1]);
	}
	unlink(F.path);
	snprintf(file, sizeof file, "%s/user-file", F.dir); /* test_descriptor's, if it failed */
	unlink(file);
	return rmdir(F.dir);
}

/* ---- the client's side ----------------------------------------------------------- */

static void client_at(struct omg_client *c, int timeout_ms)
{
	assert_int_equal(omg_client_init(c, F.path, timeout_ms), OMG_OK);
}

static int ping(struct omg_client *c, struct omg_answer *a)
{
	omg_client_begin(c, OMG_MSG_PING);
	return omg_client_call(c, a);
}

static void serve_echo(struct conn *k)
{
	struct omg_header h;

	while (srv_request(k, &h) == 0)
		srv_echo(k, &h);
}

/* The request goes out byte for byte as begun; the answer with its id and type comes back;
 * the connection is kept for the next call, whose id is the next one. */
static void test_call(void **state)
{
	struct omg_query q = { .text = "fire", .limit = 5, .flags = OMG_SEARCH_DESCRIPTIONS };
	/* docs/protocol.md's SEARCH example, its id (bytes 8-11) the client's */
	uint8_t expect[] = {
		0x11, 0x00, 0x00, 0x00, 0x01, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x04, 0x00, 0x00, 0x00, 'f', 'i', 'r', 'e', 0x00,
		0x05, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
	};
	struct omg_client c;
	struct omg_answer a;
	uint32_t id;

	(void)state;
	fake_start(serve_echo);
	client_at(&c, LONG_MS);
	id = c.next_id;
	expect[8] = (uint8_t)id, expect[9] = (uint8_t)(id >> 8);
	expect[10] = (uint8_t)(id >> 16), expect[11] = (uint8_t)(id >> 24);
	omg_enc_query(omg_client_begin(&c, OMG_MSG_SEARCH), OMG_MSG_SEARCH, &q);
	assert_int_equal(omg_client_call(&c, &a), OMG_OK);
	assert_int_equal(count(&F.nframes), 1);
	assert_int_equal(F.frames[0].len, sizeof expect);
	assert_memory_equal(F.frames[0].data, expect, sizeof expect);
	assert_int_equal(a.type, OMG_MSG_SEARCH | OMG_MSG_ANSWER);
	assert_int_equal(a.wire_error, 0);
	assert_int_equal(a.length, sizeof expect - OMG_HEADER_SIZE + 1);
	assert_memory_equal(a.payload, expect + OMG_HEADER_SIZE, sizeof expect - OMG_HEADER_SIZE);
	assert_int_equal(a.payload[a.length - 1], '!');

	assert_int_equal(ping(&c, &a), OMG_OK);
	assert_int_equal(count(&F.nframes), 2);
	assert_int_equal(F.frames[1].len, OMG_HEADER_SIZE);
	assert_int_equal(F.frames[1].data[5], OMG_MSG_PING);
	assert_int_equal(frame_id(1), id + 1);
	assert_int_equal(F.frames[1].conn, 0);
	assert_int_equal(count(&F.accepts), 1);
	assert_int_equal(a.type, OMG_MSG_PING | OMG_MSG_ANSWER);
	assert_int_equal(a.length, 1);
	assert_int_equal(a.payload[0], '!');
	omg_client_close(&c);
}

static void assert_client_fd(const struct omg_client *c)
{
	int flags = fcntl(c->fd, F_GETFD);

	assert_true(c->fd >= OMG_CLIENT_FD_MIN);
	assert_true(flags >= 0);
	assert_true(flags & FD_CLOEXEC);
}

/* Its descriptor is out of the user's range and not passed to what the shell executes, both
 * when socket() gives a low number (moved up) and when the low ones are all taken. A number
 * the user has since reused for a file (exec 10>file) is left alone: not written, not
 * closed; the call connects afresh. */
static void test_descriptor(void **state)
{
	struct omg_client c;
	struct omg_answer a;
	char file[160];
	struct stat before, after;
	int fillers[OMG_CLIENT_FD_MIN], nfill = 0, fd, user;

	(void)state;
	fake_start(serve_echo);
	client_at(&c, LONG_MS);
	assert_int_equal(ping(&c, &a), OMG_OK);
	assert_client_fd(&c);
	omg_client_close(&c);
	assert_int_equal(c.fd, -1);
	/* the server's end is closed too: no low number is freed while they are taken */
	assert_int_equal(wait_count(&F.closed, 1), 1);
	while ((fd = open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0 && fd < OMG_CLIENT_FD_MIN)
		fillers[nfill++] = fd;
	assert_true(fd >= 0);
	close(fd);
	client_at(&c, LONG_MS);
	assert_int_equal(ping(&c, &a), OMG_OK);
	assert_client_fd(&c);
	while (nfill > 0)
		close(fillers[--nfill]);

	snprintf(file, sizeof file, "%s/user-file", F.dir);
	user = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	assert_true(user >= 0);
	assert_int_equal(dup2(user, c.fd), c.fd); /* closes the client's socket under it */
	close(user);
	user = c.fd;
	assert_int_equal(fstat(user, &before), 0);
	assert_int_equal(ping(&c, &a), OMG_OK);
	assert_int_equal(a.length, 1);
	assert_int_equal(count(&F.accepts), 3);
	assert_true(c.fd != user);
	assert_int_equal(fstat(user, &after), 0); /* still open, */
	assert_true(after.st_ino == before.st_ino && after.st_dev == before.st_dev); /* still the file, */
	assert_int_equal(after.st_size, 0); /* nothing written to it */
	omg_client_close(&c);
	assert_int_equal(fcntl(user, F_GETFD) >= 0, 1); /* nor closed with the client */
	close(user);
	unlink(file);
}

static void serve_silent(struct conn *k)
{
	struct omg_header h;

	if (srv_request(k, &h) == 0)
		srv_hold(k);
}

/* A server that never answers: the call ends at its own deadline (the margins are wide: the
 * machine may be loaded), and the client's default stays as it was. */
static void test_timeout(void **state)
{
	struct omg_client c;
	struct omg_answer a;
	double t0, took;

	(void)state;
	fake_start(serve_silent);
	client_at(&c, LONG_MS);
	omg_client_begin(&c, OMG_MSG_PING);
	t0 = now_ms();
	assert_int_equal(omg_client_call_within(&c, &a, 300), OMG_E_TIMEOUT);
	took = now_ms() - t0;
	assert_string_equal(omg_errdetail(), "omgd did not answer within 300 ms");
	assert_true(took >= 299); /* the client counts whole milliseconds */
	assert_true(took < 1300);
	assert_int_equal(c.timeout_ms, LONG_MS);
	assert_int_equal(c.fd, -1); /* an unanswered stream is out of step: dropped */

	/* <= 0: the client's default */
	c.timeout_ms = 200;
	omg_client_begin(&c, OMG_MSG_PING);
	t0 = now_ms();
	assert_int_equal(omg_client_call_within(&c, &a, 0), OMG_E_TIMEOUT);
	took = now_ms() - t0;
	assert_string_equal(omg_errdetail(), "omgd did not answer within 200 ms");
	assert_true(took >= 199);
	assert_true(took < 1200);
	assert_int_equal(c.timeout_ms, 200);
	assert_int_equal(count(&F.accepts), 2);
	omg_client_close(&c);
}

/* Nobody listening: at once, whatever the deadline. */
static void check_nodaemon(const char *path)
{
	struct omg_client c;
	struct omg_answer a;
	char want[256];
	double t0, took;

	assert_int_equal(omg_client_init(&c, path, LONG_MS), OMG_OK);
	t0 = now_ms();
	assert_int_equal(ping(&c, &a), OMG_E_NODAEMON);
	took = now_ms() - t0;
	snprintf(want, sizeof want, "omgd is not running (no listener at %s)", path);
	assert_string_equal(omg_errdetail(), want);
	assert_true(took < 1000);
	assert_int_equal(c.fd, -1);
	assert_int_equal(omg_client_connect(&c), OMG_E_NODAEMON);
	omg_client_close(&c);
}

static void test_nodaemon(void **state)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char absent[160];
	int fd;

	(void)state;
	/* no file at the path, nor its directory */
	check_nodaemon(F.path);
	snprintf(absent, sizeof absent, "%s/gone/omg.sock", F.dir);
	check_nodaemon(absent);
	/* a socket file nobody listens on (omgd was killed) */
	strcpy(sa.sun_path, F.path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
	check_nodaemon(F.path);
	close(fd);
}

/* Before each answer: the late answer to the previous request, and one with an id that is
 * not this client's (another process's), each with the right type. */
static void serve_late(struct conn *k)
{
	struct omg_header h;

	while (srv_request(k, &h) == 0) {
		srv_frame(k, h.type | OMG_MSG_ANSWER, h.id - 1, "late", 4);
		srv_frame(k, h.type | OMG_MSG_ANSWER, h.id ^ 0x80000000u, "foreign", 7);
		srv_frame(k, h.type | OMG_MSG_ANSWER, h.id, "right", 5);
	}
}

static void test_late_answer(void **state)
{
	struct omg_client c;
	struct omg_answer a;

	(void)state;
	fake_start(serve_late);
	client_at(&c, LONG_MS);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(ping(&c, &a), OMG_OK);
		assert_int_equal(a.type, OMG_MSG_PING | OMG_MSG_ANSWER);
		assert_int_equal(a.length, 5);
		assert_memory_equal(a.payload, "right", 5);
	}
	assert_int_equal(count(&F.accepts), 1); /* the stream stayed in step */
	omg_client_close(&c);
}

/* Our id, another request's type: refused (the stream is out of step); the next call
 * connects afresh. */
static void serve_wrong_type(struct conn *k)
{
	struct omg_header h;

	if (k->index > 0) {
		serve_echo(k);
		return;
	}
	if (srv_request(k, &h) == 0)
		srv_frame(k, OMG_MSG_STATUS | OMG_MSG_ANSWER, h.id, "", 0);
	srv_hold(k);
}

static void test_wrong_type(void **state)
{
	struct omg_client c;
	struct omg_answer a;

	(void)state;
	fake_start(serve_wrong_type);
	client_at(&c, LONG_MS);
	assert_int_equal(ping(&c, &a), OMG_E_PROTO);
	assert_string_equal(omg_errdetail(), "answer of type 0x83 to a request of type 0x02");
	assert_int_equal(c.fd, -1);
	assert_int_equal(ping(&c, &a), OMG_OK);
	assert_int_equal(a.type, OMG_MSG_PING | OMG_MSG_ANSWER);
	assert_int_equal(count(&F.accepts), 2);
	omg_client_close(&c);
}

/* ERROR answers in turn: NOT_FOUND, INTERNAL, NOT_READY without a message; then an answer. */
static void serve_errors(struct conn *k)
{
	struct omg_header h;

	for (int n = 0; srv_request(k, &h) == 0; n++) {
		if (n == 0)
			srv_error(k, h.id, OMG_WERR_NOT_FOUND, "no package named zzz");
		else if (n == 1)
			srv_error(k, h.id, OMG_WERR_INTERNAL, "the index broke");
		else if (n == 2)
			srv_error(k, h.id, OMG_WERR_NOT_READY, "");
		else
			srv_echo(k, &h);
	}
}

static void test_error_answer(void **state)
{
	struct omg_client c;
	struct omg_answer a;

	(void)state;
	fake_start(serve_errors);
	client_at(&c, LONG_MS);
	assert_int_equal(ping(&c, &a), OMG_E_NOTFOUND);
	assert_string_equal(omg_errdetail(), "no package named zzz");
	assert_int_equal(a.type, OMG_MSG_ERROR);
	assert_int_equal(a.wire_error, OMG_WERR_NOT_FOUND);
	assert_int_equal(ping(&c, &a), OMG_E_REMOTE);
	assert_string_equal(omg_errdetail(), "the index broke");
	assert_int_equal(a.wire_error, OMG_WERR_INTERNAL);
	assert_int_equal(ping(&c, &a), OMG_E_REMOTE);
	assert_string_equal(omg_errdetail(), omg_wire_strerror(OMG_WERR_NOT_READY));
	assert_int_equal(a.wire_error, OMG_WERR_NOT_READY);
	/* an ERROR is an answer: the stream is in step and the connection kept */
	assert_int_equal(ping(&c, &a), OMG_OK);
	assert_int_equal(a.length, 1);
	assert_int_equal(count(&F.accepts), 1);
	omg_client_close(&c);
}

/* Hostile answers, one a connection (the client drops a connection after each). */
enum hostile {
	H_TOO_LONG,      /* a length over OMG_FRAME_MAX */
	H_VERSION,       /* version 2 */
	H_FLAGS,         /* reserved flags set */
	H_CUT_CLOSE,     /* 10 of 100 payload bytes, then close */
	H_CUT_HEADER,    /* 5 bytes of a header, then close */
	H_CUT_KEPT,      /* 10 of 100 payload bytes, then nothing */
	H_BAD_ERROR,     /* an ERROR whose payload does not decode */
	H__COUNT
};

static const struct {
	int rc;
	int deadline_ms;
	const char *detail;
} hostile[H__COUNT] = {
	[H_TOO_LONG] = { OMG_E_TOOBIG, LONG_MS, "frame of 1048577 bytes exceeds 1048576" },
	[H_VERSION] = { OMG_E_VERSION, LONG_MS, "protocol version 2, this side speaks 1" },
	[H_FLAGS] = { OMG_E_PROTO, LONG_MS, "reserved header flags 0x0100 set" },
	[H_CUT_CLOSE] = { OMG_E_NODAEMON, LONG_MS, "omgd closed the connection" },
	[H_CUT_HEADER] = { OMG_E_NODAEMON, LONG_MS, "omgd closed the connection" },
	[H_CUT_KEPT] = { OMG_E_TIMEOUT, 300, "omgd did not answer within 300 ms" },
	[H_BAD_ERROR] = { OMG_E_PROTO, LONG_MS, "malformed ERROR answer" },
};

static void serve_hostile(struct conn *k)
{
	static const uint8_t junk[10] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
	struct omg_header h;

	if (srv_request(k, &h) != 0)
		return;
	switch (k->index) {
	case H_TOO_LONG:
		srv_header(k, OMG_FRAME_MAX + 1, OMG_PROTO_VERSION, 0, OMG_MSG_PING | OMG_MSG_ANSWER, h.id);
		srv_send(k, junk, sizeof junk);
		break;
	case H_VERSION:
		srv_header(k, 0, 2, 0, OMG_MSG_PING | OMG_MSG_ANSWER, h.id);
		break;
	case H_FLAGS:
		srv_header(k, 0, OMG_PROTO_VERSION, 0x100, OMG_MSG_PING | OMG_MSG_ANSWER, h.id);
		break;
	case H_CUT_CLOSE:
	case H_CUT_KEPT:
		srv_header(k, 100, OMG_PROTO_VERSION, 0, OMG_MSG_PING | OMG_MSG_ANSWER, h.id);
		srv_send(k, junk, sizeof junk);
		if (k->index == H_CUT_CLOSE)
			return;
		break;
	case H_CUT_HEADER:
		srv_send(k, junk, 5);
		return;
	case H_BAD_ERROR:
		srv_frame(k, OMG_MSG_ERROR, h.id, junk, 3);
		break;
	default:
		srv_echo(k, &h);
		break;
	}
	srv_hold(k);
}

static void test_hostile(void **state)
{
	struct omg_client c;
	struct omg_answer a;

	(void)state;
	fake_start(serve_hostile);
	client_at(&c, LONG_MS);
	for (int i = 0; i < H__COUNT; i++) {
		double t0 = now_ms(), took;

		omg_client_begin(&c, OMG_MSG_PING);
		assert_int_equal(omg_client_call_within(&c, &a, hostile[i].deadline_ms), hostile[i].rc);
		took = now_ms() - t0;
		assert_string_equal(omg_errdetail(), hostile[i].detail);
		assert_true(took < hostile[i].deadline_ms + 1000);
		assert_int_equal(c.fd, -1);
		/* each on a connection of its own: none was retried */
		assert_int_equal(count(&F.accepts), i + 1);
	}
	/* and the client is still fine with a sane server */
	assert_int_equal(ping(&c, &a), OMG_OK);
	assert_int_equal(a.length, 1);
	omg_client_close(&c);
}

/* The first two connections: an answer, then the server closes (its idle timeout). The
 * others: closed without an answer. */
static void serve_then_close(struct conn *k)
{
	struct omg_header h;

	if (srv_request(k, &h) == 0 && k->index < 2)
		srv_echo(k, &h);
}

static void test_reconnect(void **state)
{
	struct omg_client c;
	struct omg_answer a;

	(void)state;
	fake_start(serve_then_close);
	client_at(&c, LONG_MS);
	assert_int_equal(ping(&c, &a), OMG_OK);
	assert_int_equal(wait_count(&F.closed, 1), 1);
	/* the kept connection is found closed: one more, and the answer */
	assert_int_equal(ping(&c, &a), OMG_OK);
	assert_int_equal(a.length, 1);
	assert_int_equal(count(&F.accepts), 2);
	assert_int_equal(F.frames[1].conn, 1);
	assert_int_equal(wait_count(&F.closed, 2), 2);
	/* closed again, and the new connection is closed unanswered: once only */
	assert_int_equal(ping(&c, &a), OMG_E_NODAEMON);
	assert_string_equal(omg_errdetail(), "omgd closed the connection");
	assert_int_equal(count(&F.accepts), 3);
	omg_client_close(&c);
}

/* A forked child (a subshell) calls over a connection of its own; the parent's is left
 * alone and still works. */
static void test_fork(void **state)
{
	struct omg_client c;
	struct omg_answer a;
	int status;
	pid_t pid;

	(void)state;
	fake_start(serve_echo);
	client_at(&c, LONG_MS);
	assert_int_equal(ping(&c, &a), OMG_OK);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int rc = ping(&c, &a);

		if (rc == OMG_OK && (a.length != 1 || a.payload[0] != '!'))
			rc = 100;
		omg_client_close(&c);
		_exit(rc);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), OMG_OK);
	assert_int_equal(count(&F.accepts), 2);
	assert_int_equal(F.peer[1], pid);
	assert_int_equal(count(&F.nframes), 2);
	assert_int_equal(F.frames[1].conn, 1);
	assert_int_equal(ping(&c, &a), OMG_OK);
	assert_int_equal(count(&F.accepts), 2);
	assert_int_equal(F.frames[2].conn, 0);
	omg_client_close(&c);
}

/* Ctrl-C while the call waits: the server sends the calling thread SIGUSR1 until the
 * client goes. */
static void serve_nag(struct conn *k)
{
	struct omg_header h;
	uint8_t b[64];

	if (srv_request(k, &h) != 0)
		return;
	for (;;) {
		int r = srv_readable(k->fd, 20);

		if (r < 0 || (r == 1 && recv(k->fd, b, sizeof b, 0) <= 0))
			return;
		if (r == 0)
			pthread_kill(F.main, SIGUSR1);
	}
}

static volatile sig_atomic_t signals;
static int polls;

static void on_usr1(int sig)
{
	(void)sig;
	signals++;
}

/* The first look says "go on" (a signal that is not Ctrl-C), the second aborts. */
static int interrupted(void)
{
	return ++polls >= 2;
}

static void test_interrupted(void **state)
{
	struct sigaction sa = { .sa_handler = on_usr1 }, old;
	struct omg_client c;
	struct omg_answer a;
	double t0, took;

	(void)state;
	signals = 0;
	polls = 0;
	sigemptyset(&sa.sa_mask);
	assert_int_equal(sigaction(SIGUSR1, &sa, &old), 0);
	fake_start(serve_nag);
	client_at(&c, LONG_MS);
	c.interrupted = interrupted;
	t0 = now_ms();
	assert_int_equal(ping(&c, &a), OMG_E_TIMEOUT);
	took = now_ms() - t0;
	assert_string_equal(omg_errdetail(), "interrupted");
	assert_int_equal(polls, 2);
	assert_true(signals >= 2);
	assert_true(took < LONG_MS - 1000);
	assert_int_equal(c.fd, -1);
	/* no signal may come once the default action is back */
	assert_int_equal(wait_count(&F.closed, 1), 1);
	assert_int_equal(sigaction(SIGUSR1, &old, NULL), 0);
	omg_client_close(&c);
}

/* Traps' calls while a call waits (the interrupted hook plays the traps): each of the first
 * TRAPS connections' server holds its answer, sending the calling thread SIGUSR1, until
 * every trap's request has come, each over a connection of its own; then it answers. */
static int traps, trap_started;
static struct omg_client *trap_client;
static int trap_rc[2];
static struct omg_answer trap_answer[2];
static uint8_t trap_payload[2][8];

static void serve_nested(struct conn *k)
{
	struct omg_header h;
	uint8_t b[64];

	if (k->index >= traps || srv_request(k, &h) != 0) {
		serve_echo(k);
		return;
	}
	while (count(&F.nframes) < traps + 1) {
		int r = srv_readable(k->fd, 20);

		if (r < 0 || (r == 1 && recv(k->fd, b, sizeof b, 0) <= 0))
			return;
		if (r == 0)
			pthread_kill(F.main, SIGUSR1);
	}
	srv_echo(k, &h);
	serve_echo(k);
}

/* A trap: a LIST whose limit says which; the next trap may run while it waits. */
static int trap(void)
{
	int n = trap_started;
	struct omg_query q = { .kind = OMG_LIST_ORPHANS, .limit = 3 + (uint32_t)n };

	if (n == traps)
		return 0;
	trap_started++;
	omg_enc_query(omg_client_begin(trap_client, OMG_MSG_LIST), OMG_MSG_LIST, &q);
	trap_rc[n] = omg_client_call(trap_client, &trap_answer[n]);
	if (trap_rc[n] == OMG_OK && trap_answer[n].length <= sizeof trap_payload[n])
		memcpy(trap_payload[n], trap_answer[n].payload, trap_answer[n].length);
	return 0;
}

static void check_nested(int n)
{
	struct sigaction sa = { .sa_handler = on_usr1 }, old;
	struct omg_client c;
	struct omg_answer a;

	sigemptyset(&sa.sa_mask);
	assert_int_equal(sigaction(SIGUSR1, &sa, &old), 0);
	traps = n;
	trap_started = 0;
	fake_start(serve_nested);
	client_at(&c, LONG_MS);
	c.interrupted = trap;
	trap_client = &c;
	omg_client_begin(&c, OMG_MSG_STATUS);
	assert_int_equal(omg_client_call(&c, &a), OMG_OK);
	assert_int_equal(a.type, OMG_MSG_STATUS | OMG_MSG_ANSWER);
	assert_int_equal(a.length, 1);
	assert_int_equal(trap_started, n);
	for (int i = 0; i < n; i++) {
		const uint8_t want[] = { OMG_LIST_ORPHANS, (uint8_t)(3 + i), 0, 0, 0, '!' };

		if (trap_rc[i] != OMG_OK)
			fail_msg("trap %d: %s: %s", i, omg_strerror(trap_rc[i]), omg_errdetail());
		assert_int_equal(trap_answer[i].type, OMG_MSG_LIST | OMG_MSG_ANSWER);
		assert_int_equal(trap_answer[i].length, sizeof want);
		assert_memory_equal(trap_payload[i], want, sizeof want);
	}
	/* each trap's request came over a connection of its own, in the order they connected
	 * (their server threads may record them in either order) */
	assert_int_equal(count(&F.nframes), n + 1);
	for (int i = 1; i <= n; i++) {
		assert_int_equal(F.frames[i].data[5], OMG_MSG_LIST);
		assert_int_equal(F.frames[i].data[OMG_HEADER_SIZE + 1], 3 + F.frames[i].conn - 1);
	}
	assert_int_equal(count(&F.accepts), n + 1);
	assert_int_equal(F.frames[0].conn, 0);
	assert_int_equal(wait_count(&F.closed, n), n); /* the traps' calls kept nothing open */
	/* the waiting call's connection is kept and in step */
	assert_int_equal(ping(&c, &a), OMG_OK);
	assert_int_equal(a.type, OMG_MSG_PING | OMG_MSG_ANSWER);
	assert_int_equal(count(&F.accepts), n + 1);
	assert_int_equal(F.frames[n + 1].conn, 0);
	assert_int_equal(sigaction(SIGUSR1, &old, NULL), 0);
	omg_client_close(&c);
}

static void test_nested(void **state)
{
	(void)state;
	check_nested(1);
}

/* A trap while a trap's call waits: the second's call must not close the first's
 * connection under it. */
static void test_nested_twice(void **state)
{
	(void)state;
	check_nested(2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_call, setup, teardown),
		cmocka_unit_test_setup_teardown(test_descriptor, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nodaemon, setup, teardown),
		cmocka_unit_test_setup_teardown(test_late_answer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_type, setup, teardown),
		cmocka_unit_test_setup_teardown(test_error_answer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reconnect, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fork, setup, teardown),
		cmocka_unit_test_setup_teardown(test_interrupted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nested, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nested_twice, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
