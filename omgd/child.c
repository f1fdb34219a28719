/* child.c — a program run to its end or its deadline (child.h). */
#include "config.h"
#include "child.h"
#include "clock.h"
#include "grow.h"
#include "omg_error.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define CANCEL_POLL_MS 100

static int cancelled(const int *cancel)
{
	return cancel && __atomic_load_n(cancel, __ATOMIC_ACQUIRE);
}

int spawn_capture(const char *const argv[], const char *const envp[], int deadline_ms, size_t cap,
		  const int *cancel, struct spawn_result *r)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, all;
	int fds[2] = { -1, -1 }, rc = OMG_OK, st = 0, err;
	size_t size = 4096;
	uint64_t t0 = mono_now_ns();
	pid_t pid;

	memset(r, 0, sizeof *r);
	if (!(r->out = malloc(size)))
		return OMG_ERROR(OMG_E_NOMEM, "spawn");
	if (pipe2(fds, O_CLOEXEC) != 0) {
		rc = OMG_ERROR(OMG_E_SYS, "pipe: %s", strerror(errno));
		goto fail;
	}
	sigemptyset(&none);
	sigfillset(&all);
	sigdelset(&all, SIGKILL);
	sigdelset(&all, SIGSTOP);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, fds[1], STDOUT_FILENO);
	posix_spawn_file_actions_adddup2(&fa, fds[1], STDERR_FILENO);
	posix_spawnattr_init(&at);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &all);
	posix_spawnattr_setpgroup(&at, 0);
	err = posix_spawn(&pid, argv[0], &fa, &at, (char *const *)argv, (char *const *)envp);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	close(fds[1]);
	fds[1] = -1;
	if (err) {
		rc = OMG_ERROR(OMG_E_SYS, "%s: %s", argv[0], strerror(err));
		goto fail;
	}
	for (;;) {
		int64_t left = deadline_ms - (int64_t)((mono_now_ns() - t0) / 1000000u);
		struct pollfd p = { .fd = fds[0], .events = POLLIN };
		char chunk[8192];
		ssize_t got;
		int pr;

		if (left <= 0 || cancelled(cancel)) {
			r->timed_out = left <= 0;
			r->cancelled = !r->timed_out;
			kill(-pid, SIGKILL);
			break;
		}
		if ((pr = poll(&p, 1, left > CANCEL_POLL_MS ? CANCEL_POLL_MS : (int)left)) == 0)
			continue;
		if (pr < 0) {
			if (errno == EINTR)
				continue;
			kill(-pid, SIGKILL);
			break;
		}
		got = read(fds[0], chunk, sizeof chunk);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		if (r->len + (size_t)got > cap) {
			r->truncated = 1;
			got = (ssize_t)(cap - r->len);
		}
		if (omg_grow(&r->out, &size, r->len + (size_t)got + 1, 1, cap + 1) != OMG_OK) {
			kill(-pid, SIGKILL);
			waitpid(pid, &st, 0);
			rc = OMG_ERROR(OMG_E_NOMEM, "spawn: output");
			goto fail;
		}
		memcpy(r->out + r->len, chunk, (size_t)got);
		r->len += (size_t)got;
	}
	/* its output ended; it may still run (until the deadline) */
	for (;;) {
		pid_t w = waitpid(pid, &st, WNOHANG);
		if (w == pid || (w < 0 && errno != EINTR))
			break;
		if ((int64_t)((mono_now_ns() - t0) / 1000000u) >= deadline_ms || cancelled(cancel)) {
			r->timed_out = !cancelled(cancel);
			r->cancelled = !r->timed_out;
			kill(-pid, SIGKILL);
			while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
				;
			break;
		}
		usleep(2000);
	}
	/* a grandchild that kept the pipe open dies with the group */
	kill(-pid, SIGKILL);
	r->exited = WIFEXITED(st);
	r->status = r->exited ? WEXITSTATUS(st) : WIFSIGNALED(st) ? WTERMSIG(st) : 0;
	r->out[r->len] = 0;
	r->ns = mono_now_ns() - t0;
	close(fds[0]);
	return OMG_OK;
fail:
	if (fds[0] >= 0)
		close(fds[0]);
	if (fds[1] >= 0)
		close(fds[1]);
	free(r->out);
	r->out = NULL;
	return rc;
}
