/* autostart.h — start omgd in the background when a command finds it missing.
 *
 * Detached: double fork, setsid (no controlling terminal), stdio on /dev/null, so neither
 * a zombie nor output reaches the calling shell; the caller waits only for the first child,
 * which exits at once. Off when $OMG_AUTOSTART is "0". The daemon is $OMG_OMGD, else the
 * build's own omgd when this code runs from its build tree, else the installed omgd. At most
 * one attempt every OMG_AUTOSTART_INTERVAL seconds per process.
 */
#ifndef OMG_AUTOSTART_H
#define OMG_AUTOSTART_H

#define OMG_AUTOSTART_INTERVAL 10

/* Returns 1 if a start was attempted, 0 if disabled or rate-limited, -1 on failure. */
int omg_autostart(void);
/* The same start, asked for explicitly (omg daemon start): no rate limit, no OMG_AUTOSTART. */
int omg_autostart_now(void);

/* Closes every descriptor above 2 (close_range, else each up to RLIMIT_NOFILE). Only
 * system calls, so a forked child may call it; omgd calls it first thing, so a caller's
 * pipe or terminal is never held for the daemon's life. */
void omg_close_inherited_fds(void);
/* The same from descriptor FIRST up (omgd keeps a socket systemd handed over on 3). */
void omg_close_fds_from(int first);

#endif
