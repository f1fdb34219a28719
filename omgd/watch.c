/* watch.c — see watch.h. */
#include "config.h"
#include "watch.h"
#include "omg_error.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/timerfd.h>
#include <unistd.h>

struct watch {
	int ifd, tfd;
	int n;
	int wd[WATCH_MAX];
	struct watch_spec spec[WATCH_MAX];
};

int watch_open(struct watch **out, const struct watch_spec *specs, int n)
{
	struct watch *w = calloc(1, sizeof *w);

	if (!w)
		return OMG_ERROR(OMG_E_NOMEM, "watch");
	w->ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	w->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (w->ifd < 0 || w->tfd < 0) {
		int e = errno;
		watch_close(w);
		return OMG_ERROR(OMG_E_SYS, "inotify/timerfd: %s", strerror(e));
	}
	for (int i = 0; i < n && i < WATCH_MAX; i++) {
		/* One directory may be named twice (status and extended_states elsewhere): inotify
		 * returns the same descriptor, and the names are checked per spec. */
		w->spec[w->n] = specs[i];
		w->wd[w->n] = inotify_add_watch(w->ifd, specs[i].dir,
						IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE | IN_MOVED_FROM);
		if (w->wd[w->n] >= 0)
			w->n++;
	}
	*out = w;
	return OMG_OK;
}

int watch_inotify_fd(const struct watch *w) { return w->ifd; }
int watch_timer_fd(const struct watch *w) { return w->tfd; }

static int relevant(const struct watch *w, const struct inotify_event *ev)
{
	for (int i = 0; i < w->n; i++) {
		if (w->wd[i] != ev->wd)
			continue;
		if (w->spec[i].name[0] ? (ev->len && !strcmp(ev->name, w->spec[i].name))
				       : (ev->len && strcmp(ev->name, "lock") && strcmp(ev->name, "partial")))
			return 1;
	}
	return 0;
}

int watch_read(struct watch *w)
{
	char buf[8192] __attribute__((aligned(__alignof__(struct inotify_event))));
	int hits = 0;
	ssize_t n;

	while ((n = read(w->ifd, buf, sizeof buf)) > 0) {
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *ev = (const struct inotify_event *)p;
			hits += relevant(w, ev);
			p += sizeof *ev + ev->len;
		}
	}
	if (hits) {
		struct itimerspec its = { .it_value = { .tv_nsec = WATCH_DEBOUNCE_MS * 1000000L } };
		timerfd_settime(w->tfd, 0, &its, NULL);
	}
	return hits;
}

void watch_timer_ack(struct watch *w)
{
	uint64_t expirations;

	if (read(w->tfd, &expirations, sizeof expirations) < 0 && errno != EAGAIN)
		return;
}

void watch_close(struct watch *w)
{
	if (!w)
		return;
	if (w->ifd >= 0)
		close(w->ifd);
	if (w->tfd >= 0)
		close(w->tfd);
	free(w);
}
