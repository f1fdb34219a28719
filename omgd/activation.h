/* activation.h — systemd's socket activation and readiness, without libsystemd.
 *
 * activation_take reads the protocol of sd_listen_fds(3): when $LISTEN_PID is this process
 * and $LISTEN_FDS says one descriptor or more, descriptor 3 must be a listening AF_UNIX
 * SOCK_STREAM socket bound to a path: it is returned (close-on-exec, non-blocking) with that
 * path; descriptors past it are closed (omgd serves one socket). $LISTEN_PID, $LISTEN_FDS and
 * $LISTEN_FDNAMES are removed from the environment in every case, and $NOTIFY_SOCKET is kept
 * here and removed too, so that no child (apt-get, gpgv) inherits them. Call it first, before
 * anything is opened or closed.
 *
 * activation_notify sends STATE ("READY=1", "STOPPING=1") to the $NOTIFY_SOCKET seen by
 * activation_take, as sd_notify(3) does (a path, or "@name" for an abstract socket): one
 * non-blocking datagram, nothing when there is no such socket.
 */
#ifndef OMGD_ACTIVATION_H
#define OMGD_ACTIVATION_H

#include <stddef.h>

#define ACTIVATION_FD 3 /* SD_LISTEN_FDS_START */

/* OMG_OK with *FD -1 when not activated, or *FD the socket and PATH (SIZE bytes) its path;
 * an error when the descriptor handed over is not a socket omgd can serve. */
int activation_take(int *fd, char *path, size_t size);
void activation_notify(const char *state);

#endif
