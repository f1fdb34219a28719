/* watch.h — inotify on the backend's files. Files are replaced by rename, so the
 * directories are watched and events filtered by name. A relevant event arms a 100 ms
 * debounce timer (a dpkg run or apt update changes many files at once); when it fires,
 * the caller rebuilds. No polling. */
#ifndef OMGD_WATCH_H
#define OMGD_WATCH_H

#include "backend.h"

#define WATCH_DEBOUNCE_MS 100

struct watch;

int watch_open(struct watch **w, const struct watch_spec *specs, int n);
int watch_inotify_fd(const struct watch *w);
int watch_timer_fd(const struct watch *w);
/* Reads pending inotify events; returns how many were relevant (and arms the timer). */
int watch_read(struct watch *w);
/* Clears the expired timer. */
void watch_timer_ack(struct watch *w);
void watch_close(struct watch *w);

#endif
