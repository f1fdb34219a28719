/* act_lock.c — who holds apt's, dpkg's and pacman's locks, and a visible wait for them (act.h). */
#include "config.h"
#include "act.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

int omg_lock_holder(const char *const *paths, int n, int kind, struct omg_lock_holder *h)
{
	struct stat st[OMG_ACT_LOCKS_MAX];
	int have[OMG_ACT_LOCKS_MAX] = { 0 }, found = 0;
	char line[512];
	FILE *f;

	if (n > OMG_ACT_LOCKS_MAX)
		n = OMG_ACT_LOCKS_MAX;
	if (kind == OMG_LOCK_EXISTS) {
		for (int i = 0; i < n; i++)
			if (lstat(paths[i], &st[i]) == 0) {
				h->path = paths[i];
				h->pid = 0;
				h->comm[0] = 0;
				return 1;
			}
		return 0;
	}
	for (int i = 0; i < n; i++)
		have[i] = stat(paths[i], &st[i]) == 0;
	if (!(f = fopen("/proc/locks", "re")))
		return 0;
	/* "1: POSIX  ADVISORY  WRITE 2614 08:01:131090 0 EOF"; waiters have "->" */
	while (!found && fgets(line, sizeof line, f)) {
		unsigned maj, min;
		unsigned long long ino;
		char type[16], mode[16], rw[16];
		int pid;
		if (strstr(line, "->") ||
		    sscanf(line, "%*d: %15s %15s %15s %d %x:%x:%llu", type, mode, rw, &pid, &maj, &min, &ino) != 7)
			continue;
		if (pid <= 0 || pid == getpid())
			continue;
		for (int i = 0; i < n && !found; i++) {
			if (!have[i] || st[i].st_ino != ino || major(st[i].st_dev) != maj || minor(st[i].st_dev) != min)
				continue;
			char path[64];
			FILE *c;
			h->path = paths[i];
			h->pid = pid;
			snprintf(h->comm, sizeof h->comm, "?");
			snprintf(path, sizeof path, "/proc/%d/comm", pid);
			if ((c = fopen(path, "re"))) {
				if (fgets(h->comm, sizeof h->comm, c))
					h->comm[strcspn(h->comm, "\n")] = 0;
				fclose(c);
			}
			found = 1;
		}
	}
	fclose(f);
	return found;
}

void omg_lock_describe(const struct omg_lock_holder *h, char *buf, size_t n)
{
	if (h->pid > 0)
		snprintf(buf, n, "held by process %d (%s)", h->pid, h->comm);
	else
		snprintf(buf, n, "held while the file exists: another pacman is running");
}

int omg_lock_wait(const char *const *paths, int n, int kind, int wait_s, FILE *err, int tty,
		  int (*interrupted)(void), struct omg_lock_holder *h)
{
	struct timespec t0, now;
	int shown = 0, last_said = -1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		double spent;
		char who[200];
		int left;
		if (!omg_lock_holder(paths, n, kind, h)) {
			if (shown && tty)
				fputs("\r\033[K", err);
			return 0;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		spent = (double)(now.tv_sec - t0.tv_sec) + (double)(now.tv_nsec - t0.tv_nsec) / 1e9;
		left = wait_s - (int)spent;
		if (left <= 0) {
			if (shown && tty)
				fputc('\n', err);
			return 1;
		}
		omg_lock_describe(h, who, sizeof who);
		if (tty) {
			fprintf(err, "\r\033[KWaiting for %s: %s, %d s left (Ctrl-C to give up)", h->path, who, left);
			fflush(err);
		} else if (last_said < 0 || last_said - left >= 10) { /* plain output: a line every 10 s */
			fprintf(err, "Waiting for %s: %s, %d s left\n", h->path, who, left);
			last_said = left;
		}
		shown = 1;
		poll(NULL, 0, 200);
		if (interrupted && interrupted()) {
			if (tty)
				fputc('\n', err);
			return 2;
		}
	}
}
