/* options.h — what omgd is told: its command line and $OMG_IDLE_EXIT, every value checked
 * before anything starts (a bad one exits 2 at once, in the foreground, saying which), and
 * where its files go (the runtime directory, the system daemon's directories).
 */
#ifndef OMGD_OPTIONS_H
#define OMGD_OPTIONS_H

#include <stddef.h>
#include <stdint.h>

struct options {
	int foreground, no_store, no_aur, system;
	const char *runtime_dir, *socket, *root, *status, *log, *store, *backend, *aur_url, *textfile;
	size_t map_size;             /* --store-map-size; 0: the store's default */
	size_t audit_max;            /* --audit-max, bytes (AUDIT_MAX_DEFAULT unless given) */
	int aur_timeout_ms;          /* --aur-timeout; 0: the AUR client's default */
	int64_t plan_ahead_ms;       /* --plan-ahead (PLAN_AHEAD_DELAY_MS unless given; 0: never) */
	int64_t verify_every_ms;     /* --verify-every (VERIFY_EVERY_S unless given; 0: only when asked) */
	int64_t verify_after_ms;     /* --verify-after (VERIFY_AFTER_CHANGE_S unless given) */
	int64_t idle_ms;             /* $OMG_IDLE_EXIT; 0: never exit for want of clients */
};

/* Fills O from ARGV and the environment: 0, or 2 with the reason on stderr. --help and
 * --version print and exit 0. */
int options_parse(struct options *o, int argc, char **argv);
/* --system: the runtime directory (/run/omg unless --runtime-dir) made 0755, root's. As
 * another user only with both directories given: the defaults are root's to write, and a
 * user's "system" daemon would only serve that user's test. 0 or -1 (said why). */
int options_system_setup(struct options *o);
/* --runtime-dir's DIR/NAME, else the user's runtime directory's (created), into BUF. */
int options_runtime_path(const struct options *o, char *buf, size_t size, const char *name);
/* The system daemon's store: systemd's StateDirectory ($STATE_DIRECTORY), else /var/lib/omg. */
int options_system_store(char *buf, size_t size);

#endif
