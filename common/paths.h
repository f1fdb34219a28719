/* paths.h — where omg keeps its runtime files.
 *
 * The runtime directory is, in order:
 *   1. $XDG_RUNTIME_DIR, when set to an absolute path;
 *   2. /run/user/UID, when it exists, is a directory owned by UID with mode 0700;
 *   3. ${TMPDIR:-/tmp}/omg-UID, created with mode 0700; it is used only when lstat shows
 *      a real directory (not a symlink) owned by UID with no group or other access,
 *      so another user cannot pre-create or share it.
 * omg.status and omg.sock live directly in it. $OMG_SOCKET overrides the socket path.
 *
 * The system daemon (omgd --system) serves every user from /run/omg ($OMG_SYSTEM_DIR, when
 * set to an absolute path, instead: tests put it in a temporary directory). A client uses
 * the user's daemon when its socket (its status file, for the shells' variables) exists in
 * the user's runtime directory, else the system daemon's when that exists there, else the
 * user's path (whose absence then says "omgd is not running", and autostart may start one).
 */
#ifndef OMG_PATHS_H
#define OMG_PATHS_H

#include <stddef.h>

#define OMG_STATUS_NAME "omg.status"
#define OMG_SOCKET_NAME "omg.sock"
#define OMG_SYSTEM_DIR "/run/omg"        /* omgd --system's runtime directory */
#define OMG_SYSTEM_STORE "/var/lib/omg"  /* and its store */

/* Writes the runtime directory into BUF. CREATE: make case 3 if missing (daemon side). */
int omg_runtime_dir(char *buf, size_t size, int create);
/* Writes $RUNTIME/NAME into BUF. */
int omg_runtime_path(char *buf, size_t size, const char *name, int create);
/* The socket path: $OMG_SOCKET, else the user's or the system daemon's (the rule above). */
int omg_socket_path(char *buf, size_t size);
/* The status file path by the same rule (no $OMG_SOCKET here: it names no status file). */
int omg_status_path(char *buf, size_t size);
/* The system daemon's runtime directory: $OMG_SYSTEM_DIR or /run/omg. */
const char *omg_system_dir(void);
/* Writes the system daemon's $DIR/NAME into BUF. */
int omg_system_path(char *buf, size_t size, const char *name);

/* The store directory omgd takes when not given --store (omgd/store.h's store_default_dir,
 * also for omg doctor): $STATE_DIRECTORY, $XDG_CACHE_HOME/omg, $HOME/.cache/omg, or
 * /var/lib/omg for root without a home; under it roots/HASH for a ROOT other than "/". */
int omg_store_default_dir(char *buf, size_t size, const char *root);
/* Whether something accepts connections on PATH now: a non-blocking connect, so it never
 * waits (a full backlog, EAGAIN, is a live listener too). */
int omg_socket_listening(const char *path);

#endif
