/* process.c — omgd as a process (process.h). */
#include "config.h"
#include "process.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

int process_daemonize(const char *log)
{
	int pfd[2], fd;
	char ok = 0;
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC) != 0)
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid > 0) {
		struct pollfd p = { .fd = pfd[0], .events = POLLIN };
		close(pfd[1]);
		/* Wait up to 30 s for the first index; a slow disk is not a failure. */
		if (poll(&p, 1, 30000) > 0 && read(pfd[0], &ok, 1) == 1 && ok == 'y')
			_exit(0);
		fprintf(stderr, "omgd: the daemon did not start; see %s\n", log);
		_exit(1);
	}
	close(pfd[0]);
	setsid();
	if (fork() != 0)
		_exit(0);
	fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (fd >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		close(fd);
	}
	fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd >= 0) {
		dup2(fd, 2);
		close(fd);
	}
	if (chdir("/") != 0)
		omgd_log("chdir /: %s", strerror(errno));
	return pfd[1];
}

void process_raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max > 65536 ? 65536 : rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

int process_take_lock(int lfd, int tries)
{
	for (int i = 0; i < tries; i++) {
		if (flock(lfd, LOCK_EX | LOCK_NB) == 0)
			return 0;
		if (errno != EWOULDBLOCK && errno != EINTR)
			return -1;
		poll(NULL, 0, 10);
	}
	return -1;
}

void process_unlink_lock(const char *lock, int lfd)
{
	struct stat a, b;

	if (fstat(lfd, &a) == 0 && stat(lock, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino)
		unlink(lock);
}
