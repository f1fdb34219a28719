/* autostart.c — see autostart.h. */
#include "config.h"
#include "autostart.h"
#include "paths.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef OMGD_PATH
#define OMGD_PATH "/usr/local/sbin/omgd"
#endif

static int spawn(int wait_ms);

int omg_system_serving(char *path, size_t size)
{
	const char *env = getenv("OMG_SOCKET");

	if ((env && env[0]) || omg_system_path(path, size, OMG_SOCKET_NAME) != 0)
		return 0;
	return omg_socket_listening(path);
}

int omg_autostart(int wait_ms)
{
	static time_t last;
	const char *off = getenv("OMG_AUTOSTART");
	time_t now = time(NULL);
	char sys[4096];

	if (off && !strcmp(off, "0"))
		return 0;
	if (last && now - last < OMG_AUTOSTART_INTERVAL)
		return 0;
	if (omg_system_serving(sys, sizeof sys))
		return 0;
	last = now;
	return spawn(wait_ms);
}

/* See autostart.h. */
void omg_close_fds_from(int first)
{
	struct rlimit rl;
	long max = 65536;

#ifdef SYS_close_range
	if (syscall(SYS_close_range, (unsigned)first, ~0u, 0u) == 0)
		return;
#endif
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && (long)rl.rlim_cur < max)
		max = (long)rl.rlim_cur;
	for (long fd = first; fd < max; fd++)
		close((int)fd);
}

void omg_close_inherited_fds(void)
{
	omg_close_fds_from(3);
}

/* The omgd that belongs to this code: the build tree's when this code (the executable or a
 * shell module) runs from the build tree it was built in, else the installed one. A test
 * of a build must never start the omgd installed on the machine. */
static const char *own_omgd(void)
{
#ifdef OMG_BUILD_DIR
	static const size_t n = sizeof OMG_BUILD_DIR - 1;
	Dl_info self;

	if (dladdr((void *)own_omgd, &self) && self.dli_fname && strncmp(self.dli_fname, OMG_BUILD_DIR, n) == 0 &&
	    self.dli_fname[n] == '/')
		return OMG_BUILD_DIR "/omgd/omgd";
	/* the executable is linked statically with this code: dli_fname is argv[0] as run */
	{
		static char exe[4096];
		ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
		if (len > 0 && (size_t)len > n && strncmp(exe, OMG_BUILD_DIR, n) == 0 && exe[n] == '/')
			return OMG_BUILD_DIR "/omgd/omgd";
	}
#endif
	return OMGD_PATH;
}

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* In the first child: omgd (the second) has been started as PID; its exit says it is ready
 * (0) or failed. Exits 0 ready, 1 failed, 2 not ready within WAIT_MS (it goes on alone). */
static void wait_ready(pid_t pid, int wait_ms)
{
	int64_t deadline = mono_ms() + wait_ms;
	struct timespec pause = { 0, 10 * 1000000 };
	int status;

	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			_exit(WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1);
		if (r < 0 && errno != EINTR)
			_exit(1);
		if (mono_ms() >= deadline)
			_exit(2);
		nanosleep(&pause, NULL);
	}
}

static int spawn(int wait_ms)
{
	const char *omgd = getenv("OMG_OMGD");
	pid_t pid;
	int status;

	if (!omgd || !omgd[0])
		omgd = own_omgd();
	if (access(omgd, X_OK) != 0)
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int fd = open("/dev/null", O_RDWR);
		sigset_t none;
		pid_t child;
		/* The shell may block or ignore signals: give omgd a clean slate. */
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		signal(SIGCHLD, SIG_DFL);
		setsid();
		if (fd >= 0) {
			dup2(fd, 0);
			dup2(fd, 1);
			dup2(fd, 2);
			if (fd > 2)
				close(fd);
		}
		/* nothing of the caller's (a pipe it reads to its end) is held while waiting */
		omg_close_inherited_fds();
		child = fork();
		if (child < 0)
			_exit(1);
		if (child == 0) {
			execl(omgd, "omgd", (char *)NULL);
			_exit(127);
		}
		if (wait_ms <= 0)
			_exit(2);
		wait_ready(child, wait_ms);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (!WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status) == 0 ? 1 : WEXITSTATUS(status) == 2 ? 2 : -1;
}

int omg_autostart_now(void)
{
	return spawn(0) == 2 ? 1 : -1;
}
