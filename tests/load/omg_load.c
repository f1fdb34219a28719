/* omg_load.c — load and abuse test for omgd (run by tests/shell/daemon.bats).
 *
 *   omg_load SOCKET OMGD_PID CLIENTS
 *
 * Opens CLIENTS connections at once, plus hostile ones: half a header then silence, a
 * header announcing an oversized frame, random garbage, and pipelining clients that never
 * read their answers. Every well-behaved client must get a correct STATUS and SEARCH
 * answer within the deadline, and omgd's resident memory must stay under the bound.
 * Prints TAP-style diagnostics; exits 0 on success. Bounded in count and in time.
 */
#include "config.h"
#include "proto.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define RSS_BOUND_KB (200 * 1024)
#define DEADLINE_MS 20000

static const char *sock_path;

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int dial(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", sock_path);
	for (int tries = 0; fd >= 0 && tries < 200; tries++) {
		if (connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0)
			return fd;
		if (errno != EAGAIN)
			break;
		usleep(5000); /* backlog full: let omgd accept */
	}
	if (fd >= 0)
		close(fd);
	return -1;
}

static long rss_kb(const char *pid, const char *field)
{
	char path[64], line[256];
	long v = -1;
	FILE *f;

	snprintf(path, sizeof path, "/proc/%s/status", pid);
	if (!(f = fopen(path, "r")))
		return -1;
	while (fgets(line, sizeof line, f))
		if (!strncmp(line, field, strlen(field)))
			v = atol(line + strlen(field));
	fclose(f);
	return v;
}

/* STATUS then SEARCH "a" in one write (pipelined). */
static void build_requests(struct omg_wbuf *w)
{
	struct omg_query q = { .text = "a", .limit = 20 };

	omg_frame_begin(w, OMG_MSG_STATUS, 1);
	omg_frame_end(w, OMG_REQUEST_MAX);
	omg_frame_begin(w, OMG_MSG_SEARCH, 2);
	omg_enc_query(w, OMG_MSG_SEARCH, &q);
	omg_frame_end(w, OMG_REQUEST_MAX);
}

struct client {
	int fd;
	uint8_t buf[1 << 16];
	size_t have;
	int answers;
	uint32_t total;
};

/* Parses whole frames in C; returns -1 on a protocol error. */
static int client_take(struct client *c, uint32_t *first_total)
{
	for (;;) {
		struct omg_header h;
		struct omg_status_msg st;
		struct omg_rows rows;
		if (c->have < OMG_HEADER_SIZE)
			return 0;
		if (omg_header_decode(c->buf, OMG_FRAME_MAX, &h) != 0)
			return -1;
		if (c->have < OMG_HEADER_SIZE + h.length)
			return 0;
		if (h.type == (OMG_MSG_STATUS | OMG_MSG_ANSWER) && h.id == 1) {
			if (omg_dec_status(c->buf + OMG_HEADER_SIZE, h.length, &st) != 0)
				return -1;
			if (*first_total == 0)
				*first_total = st.total;
			if (st.total != *first_total)
				return -1;
		} else if (h.type == (OMG_MSG_SEARCH | OMG_MSG_ANSWER) && h.id == 2) {
			if (omg_dec_rows(c->buf + OMG_HEADER_SIZE, h.length, &rows) != 0 || rows.count == 0)
				return -1;
			omg_rows_free(&rows);
		} else {
			return -1;
		}
		c->answers++;
		memmove(c->buf, c->buf + OMG_HEADER_SIZE + h.length, c->have - OMG_HEADER_SIZE - h.length);
		c->have -= OMG_HEADER_SIZE + h.length;
	}
}

int main(int argc, char **argv)
{
	struct rlimit rl;
	struct omg_wbuf req = { 0 };
	struct client *cl;
	struct pollfd *pfd;
	int n, hostile[200], nh = 0, done = 0, failed = 0;
	uint32_t total = 0;
	long long deadline;
	long rss0, rss1, hwm;

	if (argc != 4) {
		fprintf(stderr, "usage: omg_load SOCKET OMGD_PID CLIENTS\n");
		return 2;
	}
	sock_path = argv[1];
	n = atoi(argv[3]);
	if (n < 1 || n > 5000)
		return 2;
	getrlimit(RLIMIT_NOFILE, &rl);
	rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
	rss0 = rss_kb(argv[2], "VmRSS:");

	/* hostile clients first, so the good ones arrive while they are connected */
	for (int i = 0; i < 40; i++) { /* half a header, then silence */
		if ((hostile[nh] = dial()) >= 0 && write(hostile[nh], "\x10\x00\x00", 3) == 3)
			nh++;
	}
	for (int i = 0; i < 40; i++) { /* an oversized frame */
		static const uint8_t big[] = { 0x00, 0x00, 0x00, 0x40, 1, OMG_MSG_SEARCH, 0, 0, 1, 0, 0, 0 };
		if ((hostile[nh] = dial()) >= 0 && write(hostile[nh], big, sizeof big) == sizeof big)
			nh++;
	}
	srand(7);
	for (int i = 0; i < 40; i++) { /* garbage */
		uint8_t junk[512];
		for (size_t k = 0; k < sizeof junk; k++)
			junk[k] = (uint8_t)rand();
		if ((hostile[nh] = dial()) >= 0 && write(hostile[nh], junk, sizeof junk) == sizeof junk)
			nh++;
	}
	for (int i = 0; i < 20; i++) { /* pipeline LIST installed forever, never read */
		struct omg_wbuf w = { 0 };
		struct omg_query q = { .kind = OMG_LIST_INSTALLED };
		if ((hostile[nh] = dial()) < 0)
			continue;
		fcntl(hostile[nh], F_SETFL, O_NONBLOCK);
		for (int k = 0; k < 2000; k++) {
			omg_frame_begin(&w, OMG_MSG_LIST, (uint32_t)k);
			omg_enc_query(&w, OMG_MSG_LIST, &q);
			omg_frame_end(&w, OMG_REQUEST_MAX);
		}
		if (write(hostile[nh], w.data, w.len) < 0 && errno != EAGAIN) {
			close(hostile[nh]);
			continue;
		}
		omg_wbuf_free(&w);
		nh++;
	}
	printf("# %d hostile connections open\n", nh);

	cl = calloc((size_t)n, sizeof *cl);
	pfd = calloc((size_t)n, sizeof *pfd);
	build_requests(&req);
	for (int i = 0; i < n; i++) {
		cl[i].fd = dial();
		if (cl[i].fd < 0) {
			printf("# client %d could not connect: %s\n", i, strerror(errno));
			return 1;
		}
	}
	printf("# %d clients connected\n", n);
	for (int i = 0; i < n; i++) {
		if (write(cl[i].fd, req.data, req.len) != (ssize_t)req.len) {
			printf("# client %d: write failed\n", i);
			return 1;
		}
		fcntl(cl[i].fd, F_SETFL, O_NONBLOCK);
		pfd[i].fd = cl[i].fd;
		pfd[i].events = POLLIN;
	}
	deadline = now_ms() + DEADLINE_MS;
	while (done < n && now_ms() < deadline) {
		if (poll(pfd, (nfds_t)n, 1000) <= 0)
			continue;
		for (int i = 0; i < n; i++) {
			ssize_t r;
			if (!(pfd[i].revents & (POLLIN | POLLHUP)) || pfd[i].fd < 0)
				continue;
			r = read(cl[i].fd, cl[i].buf + cl[i].have, sizeof cl[i].buf - cl[i].have);
			if (r > 0)
				cl[i].have += (size_t)r;
			if (r == 0 || client_take(&cl[i], &total) < 0) {
				printf("# client %d: bad or missing answer\n", i);
				failed++;
				pfd[i].fd = -1;
				done++;
				continue;
			}
			if (cl[i].answers == 2) {
				pfd[i].fd = -1;
				done++;
			}
		}
	}
	rss1 = rss_kb(argv[2], "VmRSS:");
	hwm = rss_kb(argv[2], "VmHWM:");
	printf("# answered %d of %d clients (%d failed); omgd RSS %ld kB before, %ld kB after, peak %ld kB\n",
	       done - failed, n, failed, rss0, rss1, hwm);
	for (int i = 0; i < n; i++)
		close(cl[i].fd);
	for (int i = 0; i < nh; i++)
		close(hostile[i]);
	if (done != n || failed)
		return 1;
	if (rss1 > RSS_BOUND_KB) {
		printf("# RSS over the %d kB bound\n", RSS_BOUND_KB);
		return 1;
	}
	omg_wbuf_free(&req);
	free(cl);
	free(pfd);
	return 0;
}
