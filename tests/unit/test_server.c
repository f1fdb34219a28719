/* test_server.c — omgd/server.c alone: a fake handler behind it, the event loop run here as
 * omgd/main.c runs it, clients on raw sockets. Framing, deferred answers, jobs answered over
 * several rounds, hostile input, the connection limit, deadlines, the socket file. */
#include "config.h"
#include "clock.h"
#include "omg_error.h"
#include "proto.h"
#include "server.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

/* Every wait has this deadline: generous, the machine may be loaded. Nothing is asserted to
 * happen faster than this. */
#define DEADLINE_MS 15000
/* How long "nothing happens" is watched for. */
#define QUIET_MS 300

/* ---- the fake handler ----------------------------------------------------------------- */

/* What the handler does depends on the request's type:
 *   PLAN  answer later (returns 1: the test calls server_deliver)
 *   BATCH a job: resume answers after F.job_rounds calls (never while F.hold)
 *   FILES an answer of OMG_FRAME_MAX bytes (one that fills the socket)
 *   SIMILAR the plain answer after 3 ms (past SERVER_ROUND_NS: the round's time is spent)
 *   other the payload reversed, in an answer of the request's type | 0x80 */
struct job {
	uint32_t id;
	int rounds;
};

struct fake {
	int handled, resumed, dropped, job_bytes_calls;
	uint8_t type;
	uint32_t id, length;
	uint8_t *payload;            /* a copy of the last request's payload */
	uint64_t origin;
	uint32_t peer_uid;           /* the server writes it */
	uint32_t uid_at_handle;      /* what peer_uid held when handle() ran */
	int job_rounds, hold;
	size_t job_size;             /* what job_bytes() says */
	int round;                   /* rounds of the loop run (spin) */
	int rounds[8];               /* the round each of the first requests was handled in */
	void *last_job, *dropped_job;
};

static struct fake F;
static struct server *srv;
static int ep = -1, tick_ms = 1000;
static int retry_ticks;              /* server_tick asked to come back in SERVER_ACCEPT_RETRY_MS */
static char dir[64], sock_path[96]; /* a socket's path fits in 108 bytes */
static uint8_t scratch[OMG_FRAME_MAX + OMG_HEADER_SIZE];

/* The answer to a plain request: its payload reversed (so an echo bug would show). */
static void reply(struct omg_wbuf *w, uint8_t type, uint32_t id, const uint8_t *p, uint32_t n)
{
	static uint8_t rev[OMG_REQUEST_MAX];

	for (uint32_t i = 0; i < n; i++)
		rev[i] = p[n - 1 - i];
	assert_int_equal(omg_frame_whole(w, (uint8_t)(type | OMG_MSG_ANSWER), id, rev, n), OMG_OK);
}

static int fake_handle(void *ctx, uint8_t type, uint32_t id, const uint8_t *payload, uint32_t length,
		       struct omg_wbuf *out, uint64_t origin, void **job)
{
	struct fake *f = ctx;

	f->handled++;
	f->type = type;
	f->id = id;
	f->length = length;
	f->origin = origin;
	f->uid_at_handle = f->peer_uid;
	if (f->handled <= 8)
		f->rounds[f->handled - 1] = f->round;
	free(f->payload);
	f->payload = malloc(length ? length : 1);
	assert_non_null(f->payload);
	memcpy(f->payload, payload, length);
	if (type == OMG_MSG_PLAN)
		return 1;
	if (type == OMG_MSG_BATCH) {
		struct job *j = malloc(sizeof *j);
		assert_non_null(j);
		j->id = id;
		j->rounds = f->job_rounds;
		*job = f->last_job = j;
		return 2;
	}
	if (type == OMG_MSG_FILES) {
		static uint8_t xs[OMG_FRAME_MAX];
		memset(xs, 'x', sizeof xs);
		assert_int_equal(omg_frame_whole(out, OMG_MSG_FILES | OMG_MSG_ANSWER, id, xs, sizeof xs), OMG_OK);
		return 0;
	}
	if (type == OMG_MSG_SIMILAR) {
		struct timespec ms3 = { 0, 3000000 };
		while (nanosleep(&ms3, &ms3) != 0)
			;
	}
	reply(out, type, id, payload, length);
	return 0;
}

static int fake_resume(void *ctx, void *job, struct omg_wbuf *out)
{
	struct fake *f = ctx;
	struct job *j = job;

	f->resumed++;
	if (f->hold || --j->rounds > 0)
		return 1;
	reply(out, OMG_MSG_BATCH, j->id, (const uint8_t *)"done", 4);
	free(j); /* a finished job is the handler's to free: the server forgets it */
	return 0;
}

static void fake_drop(void *job)
{
	F.dropped++;
	F.dropped_job = job;
	free(job);
}

static size_t fake_job_bytes(const void *job)
{
	(void)job;
	F.job_bytes_calls++;
	return F.job_size;
}

static struct server_handler handler(int shared)
{
	struct server_handler h = { .handle = fake_handle, .resume = fake_resume, .drop = fake_drop,
				    .job_bytes = fake_job_bytes, .ctx = &F, .peer_uid = &F.peer_uid,
				    .shared = shared };
	return h;
}

/* ---- the loop, as omgd/main.c runs it --------------------------------------------------- */

/* One round: epoll_wait (at most WAIT_MS, less when server_tick asked), the events, the tick. */
static void spin(int wait_ms)
{
	struct epoll_event evs[256];
	int n = epoll_wait(ep, evs, 256, tick_ms < wait_ms ? tick_ms : wait_ms);

	assert_true(n >= 0 || errno == EINTR);
	for (int i = 0; i < n; i++)
		assert_int_equal(server_event(srv, evs[i].data.ptr, evs[i].events), 1);
	tick_ms = server_tick(srv, mono_now_ms());
	assert_true(tick_ms >= 0);
	retry_ticks += tick_ms == SERVER_ACCEPT_RETRY_MS;
	F.round++;
}

/* Runs the loop until EXPR holds, or fails at the deadline. */
#define WAIT_FOR(expr)                                                                 \
	do {                                                                           \
		int64_t end_ = mono_now_ms() + DEADLINE_MS;                            \
		while (!(expr) && mono_now_ms() < end_)                                \
			spin(20);                                                      \
		assert_true(expr);                                                     \
	} while (0)

/* Runs the loop for QUIET_MS whatever happens. */
static void spin_quiet(void)
{
	int64_t end = mono_now_ms() + QUIET_MS;

	while (mono_now_ms() < end)
		spin(20);
}

static const struct server_stats *stats(void)
{
	return server_stats(srv);
}

/* ---- clients ---------------------------------------------------------------------------- */

static struct sockaddr_un addr_of(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	assert_true(strlen(path) < sizeof sa.sun_path);
	memcpy(sa.sun_path, path, strlen(path) + 1);
	return sa;
}

/* A non-blocking client: a full backlog (EAGAIN) is waited out with the loop running. */
static int dial(const char *path)
{
	struct sockaddr_un sa = addr_of(path);
	int64_t end = mono_now_ms() + DEADLINE_MS;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	while (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
		assert_true(errno == EAGAIN && mono_now_ms() < end);
		spin(20);
	}
	return fd;
}

static void send_all(int fd, const void *p, size_t n)
{
	const uint8_t *b = p;
	int64_t end = mono_now_ms() + DEADLINE_MS;

	while (n) {
		ssize_t r = send(fd, b, n, MSG_NOSIGNAL);
		if (r > 0) {
			b += r, n -= (size_t)r;
			continue;
		}
		assert_true(r < 0 && (errno == EAGAIN || errno == EINTR) && mono_now_ms() < end);
		spin(20);
	}
}

static void send_frame(int fd, uint8_t type, uint32_t id, const void *payload, size_t n)
{
	struct omg_wbuf w = { 0 };

	assert_int_equal(omg_frame_whole(&w, type, id, payload, n), OMG_OK);
	send_all(fd, w.data, w.len);
	omg_wbuf_free(&w);
}

/* Reads N bytes with the loop running; returns what came before EOF or the deadline. */
static size_t recv_n(int fd, uint8_t *buf, size_t n)
{
	size_t got = 0;
	int64_t end = mono_now_ms() + DEADLINE_MS;

	while (got < n && mono_now_ms() < end) {
		ssize_t r = recv(fd, buf + got, n - got, MSG_DONTWAIT);
		if (r > 0) {
			got += (size_t)r;
			continue;
		}
		if (r == 0 || (errno != EAGAIN && errno != EINTR))
			break;
		spin(20);
	}
	return got;
}

/* One whole frame into scratch; returns its size, the header in H. */
static size_t recv_frame(int fd, struct omg_header *h)
{
	assert_int_equal(recv_n(fd, scratch, OMG_HEADER_SIZE), OMG_HEADER_SIZE);
	assert_int_equal(omg_header_decode(scratch, OMG_FRAME_MAX, h), OMG_OK);
	assert_int_equal(recv_n(fd, scratch + OMG_HEADER_SIZE, h->length), h->length);
	return OMG_HEADER_SIZE + (size_t)h->length;
}

/* The next frame on FD is byte for byte the one in W. */
static void expect_frame(int fd, const struct omg_wbuf *w)
{
	struct omg_header h;

	assert_int_equal(recv_frame(fd, &h), w->len);
	assert_memory_equal(scratch, w->data, w->len);
}

/* The plain answer to (TYPE, ID, PAYLOAD) comes on FD. */
static void expect_reply(int fd, uint8_t type, uint32_t id, const void *payload, uint32_t n)
{
	struct omg_wbuf w = { 0 };

	reply(&w, type, id, payload, n);
	expect_frame(fd, &w);
	omg_wbuf_free(&w);
}

/* The next frame on FD is an ERROR with id 0 and CODE. */
static void expect_error(int fd, uint32_t code, const char *message)
{
	struct omg_header h;
	struct omg_error_msg m;
	size_t n = recv_frame(fd, &h);

	assert_int_equal(h.type, OMG_MSG_ERROR);
	assert_int_equal(h.id, 0);
	assert_int_equal(omg_dec_error(scratch + OMG_HEADER_SIZE, n - OMG_HEADER_SIZE, &m), OMG_OK);
	assert_int_equal(m.code, code);
	if (message)
		assert_string_equal(m.message, message);
}

/* FD is closed by the server (EOF; or a reset, if the server closed with our bytes unread),
 * with nothing more to read first. */
static void expect_closed(int fd)
{
	int64_t end = mono_now_ms() + DEADLINE_MS;
	ssize_t r;
	uint8_t b;

	while ((r = recv(fd, &b, 1, MSG_DONTWAIT)) < 0 && (errno == EAGAIN || errno == EINTR) &&
	       mono_now_ms() < end)
		spin(20);
	assert_true(r == 0 || (r < 0 && errno == ECONNRESET));
}

/* Nothing comes on FD for QUIET_MS, and it stays open. */
static void expect_quiet(int fd)
{
	uint8_t b;

	spin_quiet();
	assert_int_equal(recv(fd, &b, 1, MSG_DONTWAIT), -1);
	assert_int_equal(errno, EAGAIN);
}

/* A request and its answer on a new connection: the server still serves. */
static void served_once(void)
{
	int fd = dial(sock_path);
	int before = F.handled;

	send_frame(fd, OMG_MSG_INFO, 4242, "still here", 10);
	expect_reply(fd, OMG_MSG_INFO, 4242, "still here", 10);
	assert_int_equal(F.handled, before + 1);
	close(fd);
}

/* ---- fixtures --------------------------------------------------------------------------- */

static void start(int shared)
{
	struct server_handler h = handler(shared);

	assert_int_equal(server_open(&srv, &h, ep, sock_path), OMG_OK);
	tick_ms = 1000;
}

static void stop(void)
{
	server_close(srv);
	srv = NULL;
}

static int setup(void **state)
{
	char tmpl[] = "/tmp/omg-test-server-XXXXXX";
	struct server_handler h = handler(0);

	(void)state;
	if (!mkdtemp(tmpl))
		return -1;
	snprintf(dir, sizeof dir, "%s", tmpl);
	snprintf(sock_path, sizeof sock_path, "%s/omgd.sock", dir);
	free(F.payload);
	memset(&F, 0, sizeof F);
	F.peer_uid = 0xDEADBEEFu; /* not a uid: shows whether the server wrote it */
	if ((ep = epoll_create1(EPOLL_CLOEXEC)) < 0)
		return -1;
	if (server_open(&srv, &h, ep, sock_path) != OMG_OK)
		return -1;
	tick_ms = 1000;
	return 0;
}

static int teardown(void **state)
{
	char cmd[3 * sizeof dir];

	(void)state;
	stop();
	close(ep);
	free(F.payload);
	F.payload = NULL;
	snprintf(cmd, sizeof cmd, "rm -rf '%s' '%s.old'", dir, dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* ---- the cases -------------------------------------------------------------------------- */

/* A request reaches handle() as sent; the answer reaches the client as written; two frames
 * in one write are answered one after the other, in order; the stats count the bytes. */
static void test_request_and_answer(void **state)
{
	static const uint8_t payload[] = { 'h', 'i', 0, 0xFF, 0x80, '\n', 7 };
	static uint8_t big[OMG_REQUEST_MAX];
	struct omg_wbuf two = { 0 };
	int fd;

	(void)state;
	fd = dial(sock_path);
	send_frame(fd, OMG_MSG_SEARCH, 0x01020304u, payload, sizeof payload);
	expect_reply(fd, OMG_MSG_SEARCH, 0x01020304u, payload, sizeof payload);
	assert_int_equal(F.handled, 1);
	assert_int_equal(F.type, OMG_MSG_SEARCH);
	assert_int_equal(F.id, 0x01020304u);
	assert_int_equal(F.length, sizeof payload);
	assert_memory_equal(F.payload, payload, sizeof payload);
	assert_true(F.origin != 0); /* names the connection */
	assert_int_equal(stats()->connections_total, 1);
	assert_int_equal(stats()->open, 1);
	assert_int_equal(stats()->bytes_in, OMG_HEADER_SIZE + sizeof payload);
	assert_int_equal(stats()->bytes_out, OMG_HEADER_SIZE + sizeof payload);

	/* pipelined: an empty PING and a SUGGEST sent together */
	assert_int_equal(omg_frame_whole(&two, OMG_MSG_PING, 7, NULL, 0), OMG_OK);
	assert_int_equal(omg_frame_whole(&two, OMG_MSG_SUGGEST, 8, "ab", 2), OMG_OK);
	send_all(fd, two.data, two.len);
	expect_reply(fd, OMG_MSG_PING, 7, NULL, 0);
	expect_reply(fd, OMG_MSG_SUGGEST, 8, "ab", 2);
	assert_int_equal(F.handled, 3);
	assert_int_equal(F.type, OMG_MSG_SUGGEST);
	assert_int_equal(F.id, 8);
	assert_int_equal(stats()->bytes_in, OMG_HEADER_SIZE + sizeof payload + two.len);
	omg_wbuf_free(&two);

	/* a request of exactly OMG_REQUEST_MAX bytes is taken whole */
	for (size_t i = 0; i < sizeof big; i++)
		big[i] = (uint8_t)(i * 31 + 5);
	send_frame(fd, OMG_MSG_LIST, 9, big, sizeof big);
	expect_reply(fd, OMG_MSG_LIST, 9, big, sizeof big);
	assert_int_equal(F.length, OMG_REQUEST_MAX);
	assert_memory_equal(F.payload, big, sizeof big);
	assert_int_equal(stats()->rejected, 0);
	assert_int_equal(stats()->connections_total, 1); /* all on one connection */
	close(fd);
	WAIT_FOR(stats()->open == 0);
	assert_int_equal(stats()->connections_dropped, 0); /* the client went: not a drop */
}

/* peer_uid holds the connecting uid when handle() runs, for each request. */
static void test_peer_uid(void **state)
{
	int fd;

	(void)state;
	assert_int_equal(F.peer_uid, 0xDEADBEEFu);
	fd = dial(sock_path);
	send_frame(fd, OMG_MSG_PING, 1, NULL, 0);
	expect_reply(fd, OMG_MSG_PING, 1, NULL, 0);
	assert_int_equal(F.uid_at_handle, getuid());
	F.peer_uid = 0xDEADBEEFu; /* written again before the next call, not once per connection */
	send_frame(fd, OMG_MSG_PING, 2, NULL, 0);
	expect_reply(fd, OMG_MSG_PING, 2, NULL, 0);
	assert_int_equal(F.uid_at_handle, getuid());
	close(fd);
}

/* handle() returns 1: the answer comes through server_deliver, to that connection only;
 * the connection's next request waits for it; delivering to a closed, idle or unknown
 * connection does nothing; the idle sweep spares a connection that waits for its answer. */
static void test_deferred(void **state)
{
	struct omg_wbuf late = { 0 }, late2 = { 0 };
	uint64_t origin, origin2;
	int fd, fd2, other;

	(void)state;
	fd = dial(sock_path);
	other = dial(sock_path);
	send_frame(fd, OMG_MSG_PLAN, 11, "p", 1);
	WAIT_FOR(F.handled == 1);
	origin = F.origin;
	send_frame(fd, OMG_MSG_PING, 12, NULL, 0); /* behind the plan */
	expect_quiet(fd);
	assert_int_equal(F.handled, 1); /* one request at a time on a connection */
	expect_quiet(other);

	/* the idle sweep leaves a connection whose answer is on its way */
	server_sweep(srv, mono_now_ms() + SERVER_IDLE_MS + 1);
	assert_int_equal(stats()->open, 1); /* OTHER was idle: closed */
	assert_int_equal(stats()->connections_dropped, 1);
	expect_closed(other);
	close(other);

	assert_int_equal(omg_frame_whole(&late, OMG_MSG_PLAN | OMG_MSG_ANSWER, 11, "later", 5), OMG_OK);
	server_deliver(srv, origin, late.data, late.len);
	expect_frame(fd, &late);
	expect_reply(fd, OMG_MSG_PING, 12, NULL, 0); /* then the request behind it */
	assert_int_equal(F.handled, 2);

	/* the connection waits for nothing now: a second delivery is not its answer */
	server_deliver(srv, origin, late.data, late.len);
	server_deliver(srv, origin + 1000, late.data, late.len); /* no such connection */
	expect_quiet(fd);

	/* a client that went away while its answer was being made */
	fd2 = dial(sock_path);
	send_frame(fd2, OMG_MSG_PLAN, 13, "q", 1);
	WAIT_FOR(F.handled == 3);
	origin2 = F.origin;
	assert_true(origin2 != origin);
	close(fd2);
	WAIT_FOR(stats()->open == 1);
	assert_int_equal(omg_frame_whole(&late2, OMG_MSG_PLAN | OMG_MSG_ANSWER, 13, "gone", 4), OMG_OK);
	server_deliver(srv, origin2, late2.data, late2.len);
	assert_int_equal(stats()->open, 1);
	expect_quiet(fd); /* not delivered to somebody else */
	send_frame(fd, OMG_MSG_PING, 14, NULL, 0);
	expect_reply(fd, OMG_MSG_PING, 14, NULL, 0);
	omg_wbuf_free(&late);
	omg_wbuf_free(&late2);
	close(fd);
	served_once();
}

/* handle() returns 2 with a job: resume() once a round until it returns 0, then the answer;
 * the connection's next request comes after; never resumed again, never dropped. */
static void test_job_rounds(void **state)
{
	struct omg_wbuf w = { 0 };
	int fd;

	(void)state;
	F.job_rounds = 5;
	fd = dial(sock_path);
	assert_int_equal(omg_frame_whole(&w, OMG_MSG_BATCH, 21, "b", 1), OMG_OK);
	assert_int_equal(omg_frame_whole(&w, OMG_MSG_PING, 22, NULL, 0), OMG_OK);
	send_all(fd, w.data, w.len);
	omg_wbuf_free(&w);
	expect_reply(fd, OMG_MSG_BATCH, 21, "done", 4);
	assert_int_equal(F.resumed, 5); /* the answer came with the fifth call, not before */
	expect_reply(fd, OMG_MSG_PING, 22, NULL, 0);
	assert_int_equal(F.handled, 2);
	spin_quiet();
	assert_int_equal(F.resumed, 5);
	assert_int_equal(F.dropped, 0);
	assert_int_equal(tick_ms > 0, 1); /* no job left: the loop may sleep */
	close(fd);
}

/* A job whose client goes away is dropped (once, that job) and not resumed again. */
static void test_job_dropped(void **state)
{
	int fd, resumed;

	(void)state;
	F.hold = 1;
	fd = dial(sock_path);
	send_frame(fd, OMG_MSG_BATCH, 31, "b", 1);
	WAIT_FOR(F.resumed >= 3);
	assert_int_equal(tick_ms, 0); /* a job goes on: the loop does not sleep */
	close(fd);
	WAIT_FOR(F.dropped == 1);
	assert_ptr_equal(F.dropped_job, F.last_job);
	assert_int_equal(stats()->open, 0);
	resumed = F.resumed;
	spin_quiet();
	assert_int_equal(F.resumed, resumed);
	assert_int_equal(F.dropped, 1);
	served_once();
}

/* job_bytes counts as unsent answers: over SERVER_UNSENT_MAX, a request other than PING,
 * STATUS and HELLO waits (parked) until the job has ended; a PING is answered meanwhile. */
static void test_job_bytes(void **state)
{
	int job, parked, ping;

	(void)state;
	F.hold = 1;
	F.job_size = (size_t)SERVER_UNSENT_MAX + 1;
	job = dial(sock_path);
	send_frame(job, OMG_MSG_BATCH, 41, "b", 1);
	WAIT_FOR(F.resumed >= 1);
	parked = dial(sock_path);
	send_frame(parked, OMG_MSG_SEARCH, 42, "s", 1);
	WAIT_FOR(stats()->bytes_in == 2 * (OMG_HEADER_SIZE + 1));
	expect_quiet(parked);
	assert_int_equal(F.handled, 1); /* the search waits */
	assert_true(F.job_bytes_calls > 0);
	ping = dial(sock_path);
	send_frame(ping, OMG_MSG_PING, 43, NULL, 0);
	expect_reply(ping, OMG_MSG_PING, 43, NULL, 0);
	assert_int_equal(F.handled, 2);

	F.hold = 0; /* the job ends at its next round: the memory is free again */
	F.job_size = 0;
	expect_reply(job, OMG_MSG_BATCH, 41, "done", 4);
	expect_reply(parked, OMG_MSG_SEARCH, 42, "s", 1);
	assert_int_equal(F.handled, 3);
	assert_int_equal(F.dropped, 0);
	close(job);
	close(parked);
	close(ping);
}

/* A header that cannot be accepted gets an ERROR with id 0, then the connection is closed;
 * handle() never sees it, rejected counts it, and others are served. */
static void test_bad_headers(void **state)
{
	static const struct {
		uint32_t length;
		uint8_t version;
		uint16_t flags;
		uint32_t code;
	} bad[] = {
		{ OMG_FRAME_MAX + 1, OMG_PROTO_VERSION, 0, OMG_WERR_TOO_LARGE },
		{ UINT32_MAX, OMG_PROTO_VERSION, 0, OMG_WERR_TOO_LARGE },
		{ OMG_REQUEST_MAX + 1, OMG_PROTO_VERSION, 0, OMG_WERR_TOO_LARGE }, /* a frame, not a request */
		{ 0, OMG_PROTO_VERSION + 1, 0, OMG_WERR_VERSION },
		{ 0, 0, 0, OMG_WERR_VERSION },
		{ 0, OMG_PROTO_VERSION, 1, OMG_WERR_BAD_FRAME },
	};
	int good = dial(sock_path);

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		uint8_t hdr[OMG_HEADER_SIZE] = {
			(uint8_t)bad[i].length, (uint8_t)(bad[i].length >> 8), (uint8_t)(bad[i].length >> 16),
			(uint8_t)(bad[i].length >> 24), bad[i].version, OMG_MSG_PING,
			(uint8_t)bad[i].flags, (uint8_t)(bad[i].flags >> 8), 77, 0, 0, 0,
		};
		int fd = dial(sock_path);

		send_all(fd, hdr, sizeof hdr);
		expect_error(fd, bad[i].code, NULL);
		expect_closed(fd);
		close(fd);
		assert_int_equal(stats()->rejected, i + 1);
	}
	assert_int_equal(F.handled, 0);
	WAIT_FOR(stats()->open == 1);
	send_frame(good, OMG_MSG_PING, 5, NULL, 0);
	expect_reply(good, OMG_MSG_PING, 5, NULL, 0);
	close(good);
	served_once();
}

/* A partial frame is closed by server_sweep once older than SERVER_PARTIAL_MS, not before;
 * an idle connection once idle for SERVER_IDLE_MS; an answer not read for SERVER_STALL_MS. */
static void test_sweep(void **state)
{
	uint8_t frame[OMG_HEADER_SIZE + 100] = { 100, 0, 0, 0, OMG_PROTO_VERSION, OMG_MSG_INFO };
	int64_t t0 = mono_now_ms();
	int half_header, half_payload, good, stalled;
	struct omg_header h;
	uint64_t out0;

	(void)state;
	good = dial(sock_path);
	half_header = dial(sock_path);
	half_payload = dial(sock_path);
	send_all(half_header, frame, 7);
	send_all(half_payload, frame, OMG_HEADER_SIZE + 50);
	WAIT_FOR(stats()->bytes_in == 7 + OMG_HEADER_SIZE + 50);
	assert_int_equal(stats()->open, 3);

	/* both partial frames started at T0 or later: not yet past the deadline */
	server_sweep(srv, t0 + SERVER_PARTIAL_MS);
	assert_int_equal(stats()->open, 3);
	server_sweep(srv, mono_now_ms() + SERVER_PARTIAL_MS + 1);
	assert_int_equal(stats()->open, 1);
	assert_int_equal(stats()->connections_dropped, 2);
	expect_closed(half_header);
	expect_closed(half_payload);
	close(half_header);
	close(half_payload);
	assert_int_equal(F.handled, 0);
	send_frame(good, OMG_MSG_PING, 51, NULL, 0);
	expect_reply(good, OMG_MSG_PING, 51, NULL, 0);

	/* a client that does not read a big answer */
	stalled = dial(sock_path);
	out0 = stats()->bytes_out;
	send_frame(stalled, OMG_MSG_FILES, 52, NULL, 0);
	WAIT_FOR(F.handled == 2 && stats()->bytes_out > out0);
	spin_quiet();
	assert_true(stats()->bytes_out - out0 < OMG_FRAME_MAX); /* the client's socket is full */
	server_sweep(srv, mono_now_ms() + SERVER_STALL_MS / 2);
	assert_int_equal(stats()->open, 2);
	server_sweep(srv, mono_now_ms() + SERVER_STALL_MS + 1);
	assert_int_equal(stats()->open, 1);
	assert_int_equal(stats()->connections_dropped, 3);
	/* what had been sent is still readable, then the end */
	assert_int_equal(recv_n(stalled, scratch, OMG_HEADER_SIZE), OMG_HEADER_SIZE);
	assert_int_equal(omg_header_decode(scratch, OMG_FRAME_MAX, &h), OMG_OK);
	assert_int_equal(h.id, 52);
	assert_true(recv_n(stalled, scratch, OMG_FRAME_MAX) < OMG_FRAME_MAX);
	close(stalled);

	/* idle: GOOD's last byte was a while ago only in the sweep's eyes */
	server_sweep(srv, mono_now_ms() + SERVER_IDLE_MS / 2);
	assert_int_equal(stats()->open, 1);
	server_sweep(srv, mono_now_ms() + SERVER_IDLE_MS + 1);
	assert_int_equal(stats()->open, 0);
	assert_int_equal(stats()->connections_dropped, 4);
	expect_closed(good);
	close(good);
	served_once();
}

/* Up to SERVER_MAX_CONNS connections are served; the next is told "too many connections"
 * (ERROR INTERNAL, id 0) and closed; a freed place is taken again. */
static void test_connection_limit(void **state)
{
	enum { N = SERVER_MAX_CONNS };
	static int fds[N];
	struct rlimit rl;
	const rlim_t need = 2 * N + 64; /* both ends of every connection are ours */
	int extra;

	(void)state;
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);
	if (rl.rlim_cur < need) {
		if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < need) {
			print_message("descriptors limited to %llu: %llu needed\n", (unsigned long long)rl.rlim_max,
				      (unsigned long long)need);
			skip();
		}
		rl.rlim_cur = need;
		assert_int_equal(setrlimit(RLIMIT_NOFILE, &rl), 0);
	}
	for (int i = 0; i < N; i++) {
		fds[i] = dial(sock_path);
		if (i % 256 == 255)
			spin(0); /* take them as they come: the backlog is shorter than N */
	}
	WAIT_FOR(stats()->open == N);
	assert_int_equal(stats()->connections_total, N);
	assert_int_equal(stats()->connections_refused, 0);

	extra = dial(sock_path);
	expect_error(extra, OMG_WERR_INTERNAL, "omgd: too many connections");
	expect_closed(extra);
	close(extra);
	assert_int_equal(stats()->connections_refused, 1);
	assert_int_equal(stats()->connections_total, N + 1);
	assert_int_equal(stats()->open, N);

	/* the first and the last of those let in are served */
	send_frame(fds[0], OMG_MSG_PING, 61, NULL, 0);
	expect_reply(fds[0], OMG_MSG_PING, 61, NULL, 0);
	send_frame(fds[N - 1], OMG_MSG_PING, 62, NULL, 0);
	expect_reply(fds[N - 1], OMG_MSG_PING, 62, NULL, 0);

	close(fds[N / 2]);
	WAIT_FOR(stats()->open == N - 1);
	served_once(); /* the freed place */
	assert_int_equal(stats()->connections_refused, 1);
	for (int i = 0; i < N; i++)
		if (i != N / 2)
			close(fds[i]);
	WAIT_FOR(stats()->open == 0);
	assert_true(server_idle(srv));
}

/* FD was closed by the server after part of a big answer (dropped): returns the bytes read. */
static size_t expect_cut(int fd)
{
	size_t n = recv_n(fd, scratch, sizeof scratch);

	assert_true(n < OMG_HEADER_SIZE + OMG_FRAME_MAX);
	expect_closed(fd);
	return n;
}

/* Past SERVER_UNSENT_MAX of answers nobody reads, requests wait (parked); connections that
 * have not read their answer for SERVER_SHED_MS are dropped, the longest stalled first, to
 * make room: the waiting requests are then served without another request coming first. */
static void test_shed(void **state)
{
	/* a client's socket takes ~200 KiB of a 1 MiB answer: ~100 MiB would be left unsent */
	enum { N = 128 };
	int fds[N], fd;

	(void)state;
	for (int i = 0; i < N; i++) {
		fds[i] = dial(sock_path);
		send_frame(fds[i], OMG_MSG_FILES, (uint32_t)i, NULL, 0);
	}
	WAIT_FOR(stats()->bytes_in == (uint64_t)N * OMG_HEADER_SIZE);
	/* past the allowance the last ones waited; once SERVER_SHED_MS passed (more under load:
	 * that is fine) they are served, with no other request coming */
	WAIT_FOR(F.handled == N);
	assert_true(stats()->connections_dropped >= 1);
	WAIT_FOR(stats()->open == N - (int)stats()->connections_dropped);
	expect_cut(fds[0]); /* the longest stalled */

	/* and a new request is served */
	fd = dial(sock_path);
	send_frame(fd, OMG_MSG_SEARCH, 1000, "now", 3);
	expect_reply(fd, OMG_MSG_SEARCH, 1000, "now", 3);
	for (int i = 0; i < N; i++)
		close(fds[i]);
	close(fd);
	WAIT_FOR(stats()->open == 0);
	served_once();
}

/* Once a round has spent SERVER_ROUND_NS answering, other requests wait for the next round;
 * a PING does not. */
static void test_round_budget(void **state)
{
	int a, b, c;

	(void)state;
	a = dial(sock_path);
	b = dial(sock_path);
	c = dial(sock_path);
	WAIT_FOR(stats()->open == 3);
	/* all three readable before the next epoll_wait */
	send_frame(a, OMG_MSG_SIMILAR, 1, "a", 1);
	send_frame(b, OMG_MSG_SIMILAR, 2, "b", 1);
	send_frame(c, OMG_MSG_PING, 3, NULL, 0);
	spin(DEADLINE_MS);
	assert_int_equal(F.handled, 2); /* the first slow one, and the ping */
	assert_int_equal(F.rounds[0], F.rounds[1]);
	WAIT_FOR(F.handled == 3);
	assert_true(F.rounds[2] > F.rounds[0]);
	expect_reply(a, OMG_MSG_SIMILAR, 1, "a", 1);
	expect_reply(b, OMG_MSG_SIMILAR, 2, "b", 1);
	expect_reply(c, OMG_MSG_PING, 3, NULL, 0);
	close(a);
	close(b);
	close(c);
}

/* server_close with a job and a deferred answer under way: the job is dropped, once. */
static void test_close_with_work(void **state)
{
	int job, later;

	(void)state;
	F.hold = 1;
	job = dial(sock_path);
	later = dial(sock_path);
	send_frame(job, OMG_MSG_BATCH, 1, "b", 1);
	send_frame(later, OMG_MSG_PLAN, 2, "p", 1);
	WAIT_FOR(F.handled == 2 && F.resumed >= 1);
	stop();
	assert_int_equal(F.dropped, 1);
	assert_ptr_equal(F.dropped_job, F.last_job);
	expect_closed(job);
	expect_closed(later);
	close(job);
	close(later);
	start(0);
	served_once();
}

/* Out of descriptors: accept stops for SERVER_ACCEPT_RETRY_MS at a time instead of waking the
 * loop for nothing; the waiting client is taken once a descriptor is free. */
static void test_out_of_descriptors(void **state)
{
	struct rlimit rl, low;
	int fd, probe;

	(void)state;
	if (getenv("LD_PRELOAD") && strstr(getenv("LD_PRELOAD"), "vgpreload")) {
		/* valgrind keeps the kernel's limit and closes what accept returns past its own:
		 * the waiting client would be lost, which no kernel does */
		print_message("under valgrind: descriptor limits are emulated\n");
		skip();
	}
	fd = dial(sock_path); /* waits in the backlog */
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);
	probe = dup(0);
	assert_true(probe >= 0);
	close(probe);
	low = rl;
	low.rlim_cur = (rlim_t)probe; /* every descriptor below PROBE is taken */
	retry_ticks = 0;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
	spin_quiet();
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &rl), 0);
	assert_int_equal(stats()->connections_total, 0);
	assert_int_equal(stats()->open, 0);
	assert_true(retry_ticks > 0); /* the loop was told to sleep while accepting was paused */
	assert_false(server_idle(srv)); /* the client still waits */
	WAIT_FOR(stats()->open == 1); /* the next try after the pause */
	send_frame(fd, OMG_MSG_PING, 1, NULL, 0);
	expect_reply(fd, OMG_MSG_PING, 1, NULL, 0);
	close(fd);
	served_once();
}

/* server_idle: no connection and none waiting to be accepted. */
static void test_idle(void **state)
{
	int fd;

	(void)state;
	assert_true(server_idle(srv));
	fd = dial(sock_path);
	assert_false(server_idle(srv)); /* not accepted yet: it waits in the backlog */
	WAIT_FOR(stats()->open == 1);
	assert_false(server_idle(srv));
	send_frame(fd, OMG_MSG_PING, 71, NULL, 0);
	expect_reply(fd, OMG_MSG_PING, 71, NULL, 0);
	assert_false(server_idle(srv));
	close(fd);
	WAIT_FOR(stats()->open == 0);
	assert_true(server_idle(srv));
	assert_int_equal(stats()->connections_total, 1);
	assert_int_equal(stats()->bytes_in, OMG_HEADER_SIZE);
	assert_int_equal(stats()->bytes_out, OMG_HEADER_SIZE);
	assert_int_equal(stats()->rejected + stats()->connections_refused + stats()->connections_dropped, 0);
}

/* server_gone: NULL while our socket is at its path; then why not; server_close removes
 * only its own socket. */
static void test_gone(void **state)
{
	struct sockaddr_un sa;
	char old[sizeof dir + 8];
	struct stat st;
	int other;

	(void)state;
	assert_null(server_gone(srv));

	/* removed */
	assert_int_equal(unlink(sock_path), 0);
	assert_non_null(server_gone(srv));
	stop();
	assert_int_equal(stat(sock_path, &st), -1);

	/* replaced by another socket: server_close leaves that one */
	start(0);
	assert_null(server_gone(srv));
	assert_int_equal(unlink(sock_path), 0);
	other = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(other >= 0);
	sa = addr_of(sock_path);
	assert_int_equal(bind(other, (struct sockaddr *)&sa, sizeof sa), 0);
	assert_non_null(server_gone(srv));
	stop();
	assert_int_equal(stat(sock_path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	close(other);

	/* its directory replaced (a new runtime directory at login) */
	start(0);
	assert_null(server_gone(srv));
	snprintf(old, sizeof old, "%s.old", dir);
	assert_int_equal(rename(dir, old), 0);
	assert_int_equal(mkdir(dir, 0700), 0);
	assert_non_null(server_gone(srv));
	stop();

	/* still in place: server_close unlinks it */
	start(0);
	assert_null(server_gone(srv));
	stop();
	assert_int_equal(stat(sock_path, &st), -1);
	assert_int_equal(errno, ENOENT);
	start(0); /* for teardown */
}

static mode_t current_umask(void)
{
	mode_t m = umask(0);

	umask(m);
	return m;
}

/* The socket is 0600, 0666 when shared; the process's umask is left as it was. */
static void test_modes(void **state)
{
	struct stat st;
	mode_t before;

	(void)state;
	assert_int_equal(stat(sock_path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0600);
	stop();

	before = umask(077);
	start(1);
	assert_int_equal(current_umask(), 077);
	umask(before);
	assert_int_equal(stat(sock_path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0666);
	served_once();
	stop();

	before = umask(0);
	start(0);
	assert_int_equal(current_umask(), 0);
	umask(before);
	assert_int_equal(stat(sock_path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600); /* not from the umask */
}

/* server_open refuses a path that does not fit a sockaddr_un. */
static void test_open_long_path(void **state)
{
	char path[200];
	struct server_handler h = handler(0);
	struct server *s = NULL;

	(void)state;
	memset(path, 'a', sizeof path - 1);
	path[0] = '/';
	path[sizeof path - 1] = 0;
	assert_int_equal(server_open(&s, &h, ep, path), OMG_E_TOOBIG);
	assert_null(s);
}

/* server_adopt serves a listening socket bound by someone else; server_close closes it and
 * leaves its path; a descriptor refused stays the caller's. */
static void test_adopt(void **state)
{
	struct sockaddr_un sa;
	struct server_handler h = handler(0);
	char file[sizeof dir + 8];
	struct stat st;
	int fd;

	(void)state;
	stop();
	assert_int_equal(unlink(sock_path), -1); /* server_close removed ours */
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	sa = addr_of(sock_path);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
	assert_int_equal(listen(fd, 16), 0);
	assert_int_equal(server_adopt(&srv, &h, ep, fd, sock_path), OMG_OK);
	assert_null(server_gone(srv));
	served_once();
	assert_int_equal(stats()->connections_total, 1);
	stop();
	assert_int_equal(fcntl(fd, F_GETFD), -1); /* closed by server_close */
	assert_int_equal(errno, EBADF);
	assert_int_equal(stat(sock_path, &st), 0); /* systemd's: left in place */
	assert_true(S_ISSOCK(st.st_mode));

	/* a path that is not a socket: refused, FD still ours */
	snprintf(file, sizeof file, "%s/plain", dir);
	assert_int_equal(close(open(file, O_CREAT | O_WRONLY | O_CLOEXEC, 0600)), 0);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	assert_true(server_adopt(&srv, &h, ep, fd, file) != OMG_OK);
	assert_null(srv);
	assert_true(fcntl(fd, F_GETFD) >= 0);
	close(fd);
	start(0); /* for teardown */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_request_and_answer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_peer_uid, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deferred, setup, teardown),
		cmocka_unit_test_setup_teardown(test_job_rounds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_job_dropped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_job_bytes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_headers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sweep, setup, teardown),
		cmocka_unit_test_setup_teardown(test_connection_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_shed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_round_budget, setup, teardown),
		cmocka_unit_test_setup_teardown(test_close_with_work, setup, teardown),
		cmocka_unit_test_setup_teardown(test_out_of_descriptors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_idle, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gone, setup, teardown),
		cmocka_unit_test_setup_teardown(test_modes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_long_path, setup, teardown),
		cmocka_unit_test_setup_teardown(test_adopt, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
