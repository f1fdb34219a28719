/* autostart.c — see autostart.h. */
#include "config.h"
#include "autostart.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef OMGD_PATH
#define OMGD_PATH "/usr/local/sbin/omgd"
#endif

int omg_autostart(void)
{
	static time_t last;
	const char *off = getenv("OMG_AUTOSTART");
	time_t now = time(NULL);

	if (off && !strcmp(off, "0"))
		return 0;
	if (last && now - last < OMG_AUTOSTART_INTERVAL)
		return 0;
	last = now;
	return omg_autostart_now();
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

int omg_autostart_now(void)
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
		/* The shell may block or ignore signals: give omgd a clean slate. */
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		setsid();
		if (fork() != 0)
			_exit(0);
		if (fd >= 0) {
			dup2(fd, 0);
			dup2(fd, 1);
			dup2(fd, 2);
			if (fd > 2)
				close(fd);
		}
		omg_close_inherited_fds();
		execl(omgd, "omgd", (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return 1;
}
