/* store.h — one LMDB environment of omgd's persistent store.
 *
 * omgd keeps two environments under its store directory (docs/architecture.md, "Store"):
 *   index/  the package index: a snapshot of the last db and the parsed records of each
 *           source file. Rebuildable, so commits use MDB_NOMETASYNC (integrity is kept
 *           on a crash; the last commit may be lost).
 *   audit/  the audit log. Not rebuildable: every commit is synchronous.
 * Only omgd opens them, from one process, and each environment is used by one thread.
 *
 * Every environment holds named databases; "meta" has the key "format" (u32 LE), written
 * when the environment is created. store_open compares it with the caller's FORMAT and
 * reports OMG_E_VERSION (with *FOUND set) instead of reading anything else: the caller
 * either resets the environment (index) or refuses it (audit log).
 *
 * Writes go through store_write, which runs a callback in a write transaction and redoes
 * the whole batch after MDB_MAP_FULL with the map grown (doubled, up to the environment's
 * cap). mdb_reader_check runs at open and whenever LMDB reports MDB_READERS_FULL.
 * Functions return OMG_OK or an omg_err code with the detail set (omg_errdetail).
 */
#ifndef OMGD_STORE_H
#define OMGD_STORE_H

#include <lmdb.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#define STORE_MAX_DBS 4
#define STORE_MAP_INITIAL (64u << 20)   /* 64 MiB: the index of a full Debian mirror fits */
#define STORE_MAP_CAP_INDEX (4ull << 30) /* growth stops here: 4 GiB */
#define STORE_MAP_CAP_AUDIT (4ull << 30)
#define STORE_GROW_WAIT_MS 2000

struct store {
	MDB_env *env;
	MDB_dbi meta;
	MDB_dbi dbi[STORE_MAX_DBS];  /* the caller's databases, in the order named at open */
	int ndbi;
	size_t map_size, map_cap;
	uint32_t format;
	unsigned grows;              /* how many times the map was grown (metrics, tests) */
	atomic_int borrowed;         /* dbs pointing into the map (srccache.c): it must not move */
	char path[4096];
};

enum store_mode {
	STORE_DURABLE = 0,       /* synchronous commits (audit log) */
	STORE_REBUILDABLE = 1,   /* MDB_NOMETASYNC (index) */
};

/* Creates DIR (0700) if needed, refuses it (OMG_E_PERM) unless it and its parent are
 * owned by this user or root and not writable by group or others (a sticky parent may
 * be), and opens the environment in it with the databases NAMES
 * (NULL-terminated, at most STORE_MAX_DBS). MAP_SIZE 0 means STORE_MAP_INITIAL.
 * OMG_E_VERSION: the environment was written with another format (*FOUND); it stays open
 * so that the caller may store_reset it, or store_close it to refuse it. */
int store_open(struct store *s, const char *dir, const char *const *names, enum store_mode mode,
	       size_t map_size, size_t map_cap, uint32_t format, uint32_t *found);
void store_close(struct store *s);

/* Makes a SIGBUS in a store's map (data.mdb truncated while mapped) survivable: one log
 * line and omgd executes /proc/self/exe with ARGV afresh (see store.c). Call it once, in
 * the process that serves, before any store is opened. */
void store_guard_install(char **argv);

/* Walks every record, value end and free-list entry of each environment DIRS[i] (when it
 * exists) in one child process, so that LMDB meeting damaged pages (it may abort on them)
 * cannot take omgd down. RESULTS[i]: OMG_OK, or OMG_E_CORRUPT when the walk fails, crashes
 * or passes DEADLINE_MS (the detail names the last such). Call it before any thread
 * starts (it forks). Returns OMG_OK, or OMG_E_SYS when no child could be made. */
int store_probe(const char *const *dirs, int n, int *results, int deadline_ms);

/* Empties every database and writes the current format. */
int store_reset(struct store *s);

/* Runs FN in a write transaction and commits; redoes it after MDB_MAP_FULL with a larger map
 * (first waiting up to STORE_GROW_WAIT_MS for borrowed dbs to be released: growing moves it).
 * FN returns what LMDB returned (MDB_SUCCESS, an MDB_* code or an errno value, passed straight
 * back from mdb_put), or STORE_OMG(code) for its own failure, with the detail already set. */
#define STORE_OMG(code) (-1000 - (code))
typedef int (*store_write_fn)(struct store *s, MDB_txn *txn, void *ctx);
int store_write(struct store *s, store_write_fn fn, void *ctx);

/* Begins a read-only transaction (mdb_reader_check and one retry on MDB_READERS_FULL). */
int store_read_begin(struct store *s, MDB_txn **txn);

/* Maps an LMDB or errno code into an omg code with the detail "WHAT: message". */
int store_error(int rc, const char *what);

/* DIR's default: $STATE_DIRECTORY (systemd's StateDirectory=), then $XDG_CACHE_HOME/omg,
 * then $HOME/.cache/omg; /var/lib/omg for root without a home. For a package ROOT other than
 * "/" (a chroot, a test root), a directory of its own under that: roots/HASH, HASH the 64-bit
 * FNV-1a of ROOT's real path in hex, so that its index and audit log (and so omg history)
 * never mix with the system's. */
int store_default_dir(char *buf, size_t size, const char *root);

#endif
