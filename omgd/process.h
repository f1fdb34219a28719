/* process.h — omgd as a process: into the background, the single-instance lock, the
 * descriptor limit.
 */
#ifndef OMGD_PROCESS_H
#define OMGD_PROCESS_H

/* Background: the parent returns once the daemon has built its first index (or failed),
 * so "omgd && omg status" works: it waits up to 30 s for a 'y' on the returned fd. stdin and
 * stdout become /dev/null, stderr LOG. Returns that fd (in the daemon), or -1. */
int process_daemonize(const char *log);
/* Raises the soft limit on open files towards the hard one (at most 65536). */
void process_raise_fd_limit(void);
/* Takes the lock on LFD (flock): a daemon killed with -9 holds its lock until the kernel
 * has torn it down (16-25 ms seen), so a restart at once waits for that, TRIES times 10 ms.
 * 0, or -1 (held). */
int process_take_lock(int lfd, int tries);
/* Removes the lock file LOCK if it is still the one LFD holds: another daemon may hold a
 * new one there. */
void process_unlink_lock(const char *lock, int lfd);

#endif
