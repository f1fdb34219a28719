/* test_activation.c — omgd/activation.h on real sockets: a listening Unix stream socket on
 * descriptor 3 with $LISTEN_PID our pid is taken with its path; a datagram socket, a socket
 * that does not listen, or one for another pid is not; the variables are gone afterwards in
 * every case; READY=1 reaches $NOTIFY_SOCKET (a path and an abstract name). */
#include "config.h"
#include "activation.h"
#include "omg_error.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <cmocka.h>

static char dir[] = "/tmp/omg-activation-XXXXXX";

/* A Unix socket of TYPE bound to NAME in the test directory, on descriptor 3. */
static void socket_on_3(int type, const char *name, int listening, char *path, size_t size)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, type, 0);

	assert_true(fd >= 0);
	snprintf(path, size, "%s/%s", dir, name);
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
	unlink(path);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
	if (listening)
		assert_int_equal(listen(fd, 4), 0);
	if (fd != ACTIVATION_FD) {
		assert_int_equal(dup2(fd, ACTIVATION_FD), ACTIVATION_FD);
		close(fd);
	}
}

static void handed_over(const char *pid)
{
	setenv("LISTEN_PID", pid, 1);
	setenv("LISTEN_FDS", "1", 1);
	setenv("LISTEN_FDNAMES", "omgd.socket", 1);
}

static void assert_env_clean(void)
{
	assert_null(getenv("LISTEN_PID"));
	assert_null(getenv("LISTEN_FDS"));
	assert_null(getenv("LISTEN_FDNAMES"));
	assert_null(getenv("NOTIFY_SOCKET"));
}

static void test_taken(void **state)
{
	char path[108], got[108], pid[32];
	int fd = -2;

	(void)state;
	socket_on_3(SOCK_STREAM, "omg.sock", 1, path, sizeof path);
	snprintf(pid, sizeof pid, "%d", (int)getpid());
	handed_over(pid);
	assert_int_equal(activation_take(&fd, got, sizeof got), OMG_OK);
	assert_int_equal(fd, ACTIVATION_FD);
	assert_string_equal(got, path);
	assert_env_clean();
	close(ACTIVATION_FD);
}

static void test_refused(void **state)
{
	char path[108], got[108], pid[32];
	int fd = -2;

	(void)state;
	snprintf(pid, sizeof pid, "%d", (int)getpid());
	socket_on_3(SOCK_DGRAM, "dgram.sock", 0, path, sizeof path);
	handed_over(pid);
	assert_int_not_equal(activation_take(&fd, got, sizeof got), OMG_OK);
	assert_int_equal(fd, -1);
	assert_non_null(strstr(omg_errdetail(), "not a Unix stream socket"));
	assert_env_clean();
	close(ACTIVATION_FD);
	socket_on_3(SOCK_STREAM, "quiet.sock", 0, path, sizeof path);
	handed_over(pid);
	assert_int_not_equal(activation_take(&fd, got, sizeof got), OMG_OK);
	assert_non_null(strstr(omg_errdetail(), "not listening"));
	assert_env_clean();
	close(ACTIVATION_FD);
}

static void test_other_pid(void **state)
{
	char path[108], got[108], pid[32];
	int fd = -2;

	(void)state;
	socket_on_3(SOCK_STREAM, "omg.sock", 1, path, sizeof path);
	snprintf(pid, sizeof pid, "%d", (int)getpid() + 1);
	handed_over(pid); /* our parent's, inherited: not ours */
	assert_int_equal(activation_take(&fd, got, sizeof got), OMG_OK);
	assert_int_equal(fd, -1);
	assert_env_clean();
	close(ACTIVATION_FD);
}

/* NOTIFY (a path or "@name") gets READY=1 from activation_notify. */
static void notified(const char *notify, const struct sockaddr_un *sa, socklen_t len)
{
	char got[108], buf[64];
	int fd = -2, rx = socket(AF_UNIX, SOCK_DGRAM, 0);
	ssize_t n;

	assert_true(rx >= 0);
	assert_int_equal(bind(rx, (const struct sockaddr *)sa, len), 0);
	setenv("NOTIFY_SOCKET", notify, 1);
	assert_int_equal(activation_take(&fd, got, sizeof got), OMG_OK);
	assert_int_equal(fd, -1);
	assert_env_clean();
	activation_notify("READY=1");
	n = recv(rx, buf, sizeof buf - 1, MSG_DONTWAIT);
	assert_int_equal(n, 7);
	buf[n] = 0;
	assert_string_equal(buf, "READY=1");
	close(rx);
}

static void test_notify(void **state)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char name[64];
	size_t len;

	(void)state;
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s/notify", dir);
	notified(sa.sun_path, &sa, sizeof sa);
	unlink(sa.sun_path);
	/* abstract: "@name" is a NUL and the name, no terminator */
	snprintf(name, sizeof name, "@omg-activation-test-%d", (int)getpid());
	memset(sa.sun_path, 0, sizeof sa.sun_path);
	len = strlen(name);
	memcpy(sa.sun_path + 1, name + 1, len - 1);
	notified(name, &sa, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len));
}

static int setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_taken),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_other_pid),
		cmocka_unit_test(test_notify),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
