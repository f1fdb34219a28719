/* autostart.h — start omgd when a command finds it missing, and wait for it.
 *
 * Detached: double fork, setsid (no controlling terminal), stdio on /dev/null, so neither
 * a zombie nor output reaches the calling shell. omgd run in the background returns once its
 * first index is built (or when another omgd already answers); the first child waits for
 * that up to the deadline asked for and exits, so the caller waits only for it and never
 * longer than the deadline. Off when $OMG_AUTOSTART is "0". The daemon is $OMG_OMGD, else
 * the build's own omgd when this code runs from its build tree, else the installed one. At
 * most one attempt every OMG_AUTOSTART_INTERVAL seconds per process. Never while the system
 * daemon (omgd --system) serves: a user's daemon is started only when no daemon at all
 * answers, so a machine with a system daemon does not grow one per user behind its back.
 */
#ifndef OMG_AUTOSTART_H
#define OMG_AUTOSTART_H

#define OMG_AUTOSTART_INTERVAL 10
#define OMG_AUTOSTART_WAIT_MS 5000 /* a command waits this long for the omgd it started */

#include <stddef.h>

/* Whether the system daemon accepts connections: 1 with its socket's path in PATH, else 0.
 * Off when $OMG_SOCKET names the socket (the user chose one). */
int omg_system_serving(char *path, size_t size);

/* Starts omgd and waits up to WAIT_MS (0: not at all) for it to be ready. Returns 1 if it
 * was started and is ready (or another omgd answers), 2 if it was started and is not ready
 * yet (or WAIT_MS is 0), 0 if disabled, rate-limited or the system daemon serves, -1 if omgd cannot be run or failed. */
int omg_autostart(int wait_ms);
/* The same start, asked for explicitly (omg daemon start): no rate limit, no OMG_AUTOSTART,
 * no wait. */
int omg_autostart_now(void);

/* Closes every descriptor above 2 (close_range, else each up to RLIMIT_NOFILE). Only
 * system calls, so a forked child may call it; omgd calls it first thing, so a caller's
 * pipe or terminal is never held for the daemon's life. */
void omg_close_inherited_fds(void);
/* The same from descriptor FIRST up (omgd keeps a socket systemd handed over on 3). */
void omg_close_fds_from(int first);

#endif
