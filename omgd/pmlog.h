/* pmlog.h — the package managers' own logs, parsed into transactions (omg history):
 *
 *   apt     ROOT/var/log/apt/history.log[.N.gz]: paragraphs of Start-Date, Commandline,
 *           Requested-By, Error, Install, Upgrade, Downgrade, Reinstall, Remove, Purge, End-Date;
 *           lists of "name:arch (version[, automatic])" or "name:arch (old, new)".
 *   dpkg    ROOT/var/log/dpkg.log[.N.gz]: "DATE TIME startup ..." begins one run of dpkg;
 *           "DATE TIME install|upgrade|remove|purge NAME:ARCH OLD NEW" are its changes
 *           (<none> for no version). One run is one entry.
 *   pacman  pacman.conf's LogFile: "[TIME] [ALPM] transaction started" ... "completed",
 *           with "installed|upgraded|downgraded|reinstalled|removed NAME (V[ -> V2])" lines, and
 *           the "[PACMAN] Running '...'" line before it as the command line.
 *
 * Times: apt and dpkg write local time without a zone; it is read in omgd's zone (the
 * machine's, as they wrote it). pacman writes ISO 8601 with an offset (older pacman: local
 * "YYYY-MM-DD HH:MM"). Every time here is unix seconds.
 *
 * The parsers take any bytes (bounded: lines over PMLOG_LINE_MAX are skipped, an entry keeps
 * at most PMLOG_CHANGES_MAX changes) and never fail on content: what does not parse is left
 * out. They call FN for each entry, oldest first, and say where the last one began (*TAIL),
 * given or not (a dpkg run that changed nothing yet is not): a log still being written is
 * read again from there, and the entries that began before it are final.
 */
#ifndef OMGD_PMLOG_H
#define OMGD_PMLOG_H

#include <stddef.h>
#include <stdint.h>

#define PMLOG_LINE_MAX (1u << 20)     /* apt writes one Install line for a whole transaction */
#define PMLOG_CHANGES_MAX 100000
#define PMLOG_UID_NONE UINT32_MAX

enum pmlog_source {
	PMLOG_APT = 1,
	PMLOG_DPKG = 2,
	PMLOG_PACMAN = 3,
	PMLOG_OMGD = 4,      /* a change only omgd saw (no log has it) */
};

struct pmlog_change {
	uint8_t op;          /* enum omg_op (proto.h): install, upgrade, downgrade, reinstall, remove, purge */
	uint8_t automatic;   /* apt: "automatic" (installed as a dependency) */
	char *name, *arch;   /* arch "" when the log has none (pacman) */
	char *from, *to;     /* "" when none: install has no FROM, remove and purge no TO */
};

struct pmlog_entry {
	uint8_t source;      /* enum pmlog_source */
	int64_t start, end;  /* unix seconds; END 0: not written (cut off, or still running) */
	char *commandline;   /* "" when none */
	char *requested_by;  /* apt's "user (uid)" text, "" when none */
	uint32_t uid;        /* Requested-By's uid, or PMLOG_UID_NONE */
	char *error;         /* apt's Error:, pacman's "transaction failed"; "" when none */
	uint32_t nchanges, capchanges;
	struct pmlog_change *changes;
	size_t offset;       /* where it began in the buffer parsed */
};

/* Takes ownership of E (free it with pmlog_entry_free, or keep it). Non-zero stops the parse. */
typedef int (*pmlog_fn)(struct pmlog_entry *e, void *ctx);

/* Each parses BUF[0, N); OMG_OK, OMG_E_NOMEM, or what FN returned. *TAIL: the offset where the
 * last entry began, or when none did, the end of the last whole line. VERCMP orders two
 * versions (dpkg logs a downgrade as an "upgrade" to an older version); NULL: as strings. */
int pmlog_parse_apt(const char *buf, size_t n, pmlog_fn fn, void *ctx, size_t *tail);
int pmlog_parse_dpkg(const char *buf, size_t n, int (*vercmp)(const char *, const char *), pmlog_fn fn, void *ctx,
		     size_t *tail);
int pmlog_parse_pacman(const char *buf, size_t n, pmlog_fn fn, void *ctx, size_t *tail);

void pmlog_entry_free(struct pmlog_entry *e);
/* Adds a change to E (copies the strings). OMG_OK or OMG_E_NOMEM. */
int pmlog_add_change(struct pmlog_entry *e, uint8_t op, int automatic, const char *name, const char *arch,
		     const char *from, const char *to);

#endif
