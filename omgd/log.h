/* log.h — omgd's log: a line per message, "TIME omgd[PID]: MESSAGE", written with one
 * write(2) to stderr (the log file once omgd is in the background), so that the lines of the
 * event loop and of the worker threads never interleave. Safe from any thread.
 *
 * A message repeated within LOG_REPEAT_MS is counted, not written (an accept() failing in a
 * loop would otherwise fill the disk); the count is written with the next other message, or
 * by omgd_log_tick once the window has passed.
 */
#ifndef OMGD_LOG_H
#define OMGD_LOG_H

#define LOG_REPEAT_MS 5000

void omgd_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Called about once a second (the event loop): writes a pending repeat count whose window ended. */
void omgd_log_tick(void);

#endif
