/* audit.h — the tamper-evident audit log: an append-only chain of records in the LMDB
 * environment DIR/audit (store.h: synchronous commits).
 *
 * A record is what omg did or saw change: an index refresh, a change of the installed set
 * (with the packages installed, removed, upgraded and downgraded), later verification
 * results. Its value, all integers little-endian:
 *
 *   offset 0   u8  1 (record version)        8   u64 seq (1, 2, ...)
 *          1   u8  kind (enum audit_kind)   16   u64 time (unix nanoseconds)
 *          2   u16 0                        24   i32 result (0 = success, else an omg_err)
 *          4   u32 uid                      28   u32 n, then n bytes of text ("what")
 *     32 + n   32 bytes: the previous record's hash (zeros for seq 1)
 *     64 + n   32 bytes: SHA-256 of bytes [0, 64 + n) of this record
 *
 * uid is who made the record happen: the client that asked (an ACTION: the peer's uid, as
 * the kernel says it), or AUDIT_UID_NONE for what omgd saw or did by itself — a CHANGE's
 * actor is not known to omgd (apt's log says it: omg history joins the two), and omgd's own
 * uid would name the daemon, not who changed the system.
 *
 * The key is seq as a big-endian u64, so records sort in order. "meta" holds "head": the
 * last seq (u64 LE) and its hash. audit_verify recomputes every hash and link and names the
 * first record that was edited, deleted, reordered or cut off. The head is kept a second time
 * in DIR.head (outside the environment), compared by audit_verify: a tail cut with the head
 * rewritten, a log deleted or swapped is reported, and a copy that disagrees is kept as it is.
 * A writer able to rewrite the chain, its head and DIR.head consistently is not detected: pin
 * the head hash elsewhere (`omg audit log --verify` prints it) to detect that too.
 *
 * The appender is the build thread; readers (audit_read, audit_verify) may run on another
 * thread. When a commit fails (a full disk), records wait in memory, in order, and are
 * written by the next successful append (at most AUDIT_PENDING_MAX; beyond that the oldest
 * are dropped and a record saying how many were lost is written first).
 *
 * The log is bounded (audit_set_max): the oldest records are pruned, and a PRUNED record,
 * the anchor, says which and carries the hash the chain resumes from.
 */
#ifndef OMGD_AUDIT_H
#define OMGD_AUDIT_H

#include <stddef.h>
#include <stdint.h>

struct store;

#define AUDIT_FORMAT 1
#define AUDIT_HASH_SIZE 32
#define AUDIT_WHAT_MAX (256u << 10)
#define AUDIT_PENDING_MAX 4096
#define AUDIT_UID_NONE UINT32_MAX

enum audit_kind {
	AUDIT_REFRESH = 1,   /* the index was rebuilt: trigger, sizes, time */
	AUDIT_CHANGE = 2,    /* the installed set changed: "install|remove|upgrade|downgrade NAME:ARCH V [V2]" lines */
	AUDIT_ACTION = 3,    /* a command run through omg */
	AUDIT_VERIFY = 4,    /* a verification result */
	AUDIT_LOST = 5,      /* records dropped while the store could not be written */
	AUDIT_START = 6,     /* omgd started with this store */
	AUDIT_PRUNED = 7,    /* the anchor: the oldest records were removed (audit_pruned_parse) */
};

/* The default bound on the log's pages: 16 MiB, some 70,000 records of a refresh's size
 * (bench/audit_bound: data.mdb stays within 1.01x of it). */
#define AUDIT_MAX_DEFAULT (16u << 20)
#define AUDIT_MAX_MIN (16u << 10)

struct audit_record {
	uint64_t seq, time_ns;
	uint32_t uid;
	uint8_t kind;
	int32_t result;
	const char *what;    /* not NUL-terminated: what_len bytes */
	uint32_t what_len;
	uint8_t prev[AUDIT_HASH_SIZE], hash[AUDIT_HASH_SIZE];
};

struct audit;

/* OMG_E_VERSION: the log was written in another format; it is refused, never read. */
int audit_open(struct audit **a, const char *dir, size_t map_size);
void audit_close(struct audit *a);

/* Appends a record (and any that wait in memory). OMG_OK, or the store's failure: the
 * record then waits in memory. */
int audit_append(struct audit *a, uint8_t kind, uint32_t uid, int32_t result, const char *what, size_t len);
size_t audit_pending(const struct audit *a);
/* The environment under the log (its map size and growth, for the log). */
const struct store *audit_store(const struct audit *a);

/* The bound on the bytes of the log's LMDB pages (0: none; the default AUDIT_MAX_DEFAULT).
 * An append that leaves the log above it removes the oldest records, down to three quarters
 * of it (never the newest), and appends a PRUNED record, the anchor, in the same transaction:
 *   "pruned N records #FIRST to #LAST (@T0 to @T1), the last with sha256:HEX"
 * (T0, T1: the removed records' first and last time in unix seconds; HEX: the last removed
 * record's hash, which the first record kept links to). audit_verify accepts a log that
 * starts after record 1 only when a PRUNED record names the records before its first. */
void audit_set_max(struct audit *a, size_t max_bytes);
uint64_t audit_pruned_total(const struct audit *a);   /* records pruned since open */

struct audit_pruned {
	uint64_t count, first_seq, last_seq, first_s, last_s;
	uint8_t last_hash[AUDIT_HASH_SIZE];
};
/* Parses a PRUNED record's text: 0, or -1 when it is not one. */
int audit_pruned_parse(const char *what, size_t len, struct audit_pruned *p);

/* Calls FN for each record with seq > AFTER_SEQ and time >= SINCE_NS, in order, at most
 * LIMIT. FN returning non-zero stops the walk. *MORE: records were left (the limit). */
typedef int (*audit_each_fn)(const struct audit_record *r, void *ctx);
int audit_read(struct audit *a, uint64_t after_seq, uint64_t since_ns, uint32_t limit,
	       audit_each_fn fn, void *ctx, int *more);

struct audit_verdict {
	int ok;
	uint64_t records, bad_seq, head_seq;
	uint8_t head[AUDIT_HASH_SIZE];
	char why[256];
};
int audit_verify(struct audit *a, struct audit_verdict *v);

/* Decodes one stored record (key: its seq). OMG_E_CORRUPT when it does not parse. */
int audit_decode(const void *p, size_t n, struct audit_record *r);
/* The SHA-256 a record of N bytes must carry (over its first N - 32 bytes). */
void audit_hash(const void *p, size_t n, uint8_t out[AUDIT_HASH_SIZE]);

#endif
