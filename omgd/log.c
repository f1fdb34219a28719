/* log.c — see log.h. */
#include "config.h"
#include "log.h"
#include "clock.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* The last message and how often it came again since it was written. Shared by the event
 * loop and the build thread. */
static pthread_mutex_t log_mu = PTHREAD_MUTEX_INITIALIZER;
static char log_last[1024];
static unsigned log_repeats;
static int64_t log_last_ms;

/* One line, one write(2): lines of two threads never interleave. */
static void log_line(const char *msg)
{
	char line[1200], when[32];
	time_t t = time(NULL);
	struct tm tm;
	int n;

	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", localtime_r(&t, &tm));
	n = snprintf(line, sizeof line, "%s omgd[%d]: %s\n", when, (int)getpid(), msg);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof line) {
		n = (int)sizeof line - 1;
		line[n - 1] = '\n';
	}
	if (write(2, line, (size_t)n) < 0)
		return; /* nowhere left to say it */
}

/* Writes the count of a repeated message that is still pending. Holds log_mu. */
static void log_flush_repeats(void)
{
	char msg[1200];

	if (!log_repeats)
		return;
	snprintf(msg, sizeof msg, "last message repeated %u times: %.1000s", log_repeats, log_last);
	log_repeats = 0;
	log_line(msg);
}

void omgd_log(const char *fmt, ...)
{
	char msg[1024];
	int64_t now = mono_now_ms();
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&log_mu);
	if (!strcmp(msg, log_last) && now - log_last_ms < LOG_REPEAT_MS) {
		log_repeats++;
	} else {
		log_flush_repeats();
		log_line(msg);
		snprintf(log_last, sizeof log_last, "%s", msg);
		log_last_ms = now;
	}
	pthread_mutex_unlock(&log_mu);
}

void omgd_log_tick(void)
{
	pthread_mutex_lock(&log_mu);
	if (log_repeats && mono_now_ms() - log_last_ms >= LOG_REPEAT_MS) {
		log_flush_repeats();
		log_last_ms = mono_now_ms();
	}
	pthread_mutex_unlock(&log_mu);
}
