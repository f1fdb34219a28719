/* history.h — omg history (HISTORY): the system's own record of package changes, read from
 * the package managers' logs under the root omgd serves (pmlog.h), merged with omgd's audit
 * log (audit.h).
 *
 * Why omgd reads the logs, on request: it serves one root and knows it (a test root's history
 * is that root's logs, never the system's); the logs are 0644 on Debian and Arch, so a
 * user's omgd reads them as root's does; and omgd keeps what it parsed between requests, per
 * file: a rotated file (.N, .N.gz) is read once while its inode, size and time stay the same,
 * the live file only from where its last entry began (it is appended to). A request reads
 * within a deadline: the newest files first, and what was left unread is said (PROBLEM).
 *
 * The merge, so that one transaction is one entry:
 *   - apt's entries (history.log) are taken as they are;
 *   - a dpkg run (dpkg.log) inside an apt entry's Start-Date..End-Date is apt's, and left
 *     out; one outside every apt entry (dpkg -i by hand) is an entry of its own;
 *   - pacman's transactions (pacman.log) are taken as they are;
 *   - an audit ACTION record (a command omg ran) is joined to the log entry that began while
 *     it ran (its "started" time to its record's time, 2 s either side): that entry then
 *     says which omg command made it and who ran it;
 *   - an audit CHANGE record (what omgd saw change) whose every package is in a log entry of
 *     its window (since the index build before it) is joined to those entries; its packages
 *     that no log has make an entry of their own (source PMLOG_OMGD: the logs were removed,
 *     or the change was not made by a package manager that logs).
 */
#ifndef OMGD_HISTORY_H
#define OMGD_HISTORY_H

#include <stddef.h>
#include <stdint.h>

#include "pmlog.h"

struct audit;
struct history;

struct history_item {
	const struct pmlog_entry *e;  /* valid until the next history_collect or history_close */
	uint64_t action_seq;          /* the audit ACTION record joined to it, 0: none */
	uint32_t action_uid;
	int32_t action_result;
	char *action_command;         /* "" without an action */
	uint64_t *audit;              /* the CHANGE records joined to it */
	uint32_t naudit, capaudit;
};

struct history_list {
	struct history_item *v;
	size_t n, cap;
	struct pmlog_entry **own;     /* entries made by the merge (PMLOG_OMGD) */
	size_t nown, capown;
	char problem[512];            /* "" or what could not be read */
};

/* ROOT: the root served; PACMAN_LOG: pacman.conf's LogFile ("" when not an Arch root);
 * VERCMP: the backend's version order (dpkg.log's downgrades). */
int history_open(struct history **h, const char *root, const char *pacman_log,
		 int (*vercmp)(const char *, const char *));
void history_close(struct history *h);

/* Every entry from SINCE (unix seconds) on, oldest first, into OUT (history_list_free it).
 * AUDIT may be NULL. DEADLINE_MS bounds the reading of logs. OMG_OK or OMG_E_NOMEM. */
int history_collect(struct history *h, struct audit *audit, int64_t since, int deadline_ms, struct history_list *out);
void history_list_free(struct history_list *l);

/* The entries of the logs, unmerged, oldest first (history_files.c, for history.c): the
 * files are read again where they changed. */
int history_files_read(struct history *h, int deadline_ms, const struct pmlog_entry ***out, size_t *n,
		       char *problem, size_t psize);

#endif
