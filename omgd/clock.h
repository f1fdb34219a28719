/* clock.h — the monotonic clock omgd measures deadlines and answering time with. */
#ifndef OMGD_CLOCK_H
#define OMGD_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline uint64_t mono_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static inline int64_t mono_now_ms(void)
{
	return (int64_t)(mono_now_ns() / 1000000u);
}

/* The CLOCK_REALTIME instant WAIT_MS from now, as pthread_cond_timedwait takes deadlines
 * (stopping a worker thread: builder.c, plan/queue.c, verify/worker.c). */
static inline struct timespec real_deadline(int wait_ms)
{
	struct timespec until;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += wait_ms / 1000;
	until.tv_nsec += (long)(wait_ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	return until;
}

#endif
