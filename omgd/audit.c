/* audit.c — see audit.h. */
#include "config.h"
#include "audit.h"
#include "grow.h"
#include "omg_error.h"
#include "store.h"

#include <mbedtls/sha256.h>
#include <pthread.h>
#include <stdatomic.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define REC_FIXED 32u            /* bytes before the text */
#define REC_TAIL (2u * AUDIT_HASH_SIZE)

enum { DBI_LOG = 0 };

struct pending_rec {
	uint8_t kind;
	uint32_t uid;
	int32_t result;
	uint64_t time_ns;
	char *what;
	size_t len;
};

struct audit {
	struct store s;
	struct pending_rec *q;   /* waiting for a successful commit, oldest first */
	size_t nq, capq;
	uint64_t lost;
	atomic_size_t npending;
	/* Held by readers for their read transaction and by the appender around its write:
	 * a write may grow the map (LMDB unmaps it), which no open read transaction in this
	 * process survives. Reads are short (bounded by their limit); an append is one commit. */
	pthread_mutex_t mu;
	/* The head kept a second time, outside the environment: DIR.head (see audit.h).
	 * side_bad: it disagrees with the log; it is then left as it is, as evidence. */
	char side[4200];
	int side_bad;
	uint64_t new_seq;        /* the head the last append_batch wrote */
	uint8_t new_hash[AUDIT_HASH_SIZE];
	size_t max_bytes;        /* the bound on the log's pages (audit_set_max) */
	uint64_t pruned;         /* records removed by prunes (metrics, tests) */
	uint64_t new_pruned;     /* by the last append_batch, counted when it commits */
};

static void put_le(uint8_t *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_le(const uint8_t *p, int n)
{
	uint64_t v = 0;

	for (int i = n - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static void seq_key(uint8_t k[8], uint64_t seq)
{
	for (int i = 0; i < 8; i++)
		k[i] = (uint8_t)(seq >> (56 - 8 * i));
}

void audit_hash(const void *p, size_t n, uint8_t out[AUDIT_HASH_SIZE])
{
	mbedtls_sha256_ret(p, n - AUDIT_HASH_SIZE, out, 0);
}

int audit_decode(const void *src, size_t n, struct audit_record *r)
{
	const uint8_t *p = src;

	if (n < REC_FIXED + REC_TAIL || p[0] != 1 || p[2] || p[3])
		return OMG_ERROR(OMG_E_CORRUPT, "not an audit record");
	r->kind = p[1];
	r->uid = (uint32_t)get_le(p + 4, 4);
	r->seq = get_le(p + 8, 8);
	r->time_ns = get_le(p + 16, 8);
	r->result = (int32_t)(uint32_t)get_le(p + 24, 4);
	r->what_len = (uint32_t)get_le(p + 28, 4);
	if (r->what_len > AUDIT_WHAT_MAX || n != REC_FIXED + r->what_len + REC_TAIL)
		return OMG_ERROR(OMG_E_CORRUPT, "audit record of %zu bytes with %u bytes of text", n, r->what_len);
	r->what = (const char *)p + REC_FIXED;
	memcpy(r->prev, p + REC_FIXED + r->what_len, AUDIT_HASH_SIZE);
	memcpy(r->hash, p + REC_FIXED + r->what_len + AUDIT_HASH_SIZE, AUDIT_HASH_SIZE);
	return OMG_OK;
}

static int read_head(struct store *s, MDB_txn *txn, uint64_t *seq, uint8_t hash[AUDIT_HASH_SIZE]);

/* ---- the head's second copy ----------------------------------------------------------
 * "omg-audit-head 1 SEQ HEX\n" in DIR.head, replaced (write, fsync, rename) after every
 * commit. It catches what the chain alone cannot: records cut from the end with the head
 * rewritten to match, and the environment deleted or swapped for another. */
static int side_read(const struct audit *a, uint64_t *seq, uint8_t hash[AUDIT_HASH_SIZE])
{
	FILE *f = fopen(a->side, "re");
	unsigned long long sq;
	char hex[2 * AUDIT_HASH_SIZE + 1];
	int ok;

	if (!f)
		return errno == ENOENT ? 0 : -1;
	ok = fscanf(f, "omg-audit-head 1 %llu %64[0-9a-f]", &sq, hex) == 2 && strlen(hex) == 2 * AUDIT_HASH_SIZE;
	fclose(f);
	if (!ok)
		return -1;
	for (int i = 0; i < AUDIT_HASH_SIZE; i++) {
		unsigned b;
		sscanf(hex + 2 * i, "%2x", &b);
		hash[i] = (uint8_t)b;
	}
	*seq = sq;
	return 1;
}

static void side_write(const struct audit *a, uint64_t seq, const uint8_t hash[AUDIT_HASH_SIZE])
{
	char tmp[4300], line[160];
	int n = snprintf(line, sizeof line, "omg-audit-head 1 %llu ", (unsigned long long)seq), fd;

	for (int i = 0; i < AUDIT_HASH_SIZE; i++)
		n += snprintf(line + n, sizeof line - (size_t)n, "%02x", hash[i]);
	line[n++] = '\n';
	snprintf(tmp, sizeof tmp, "%s.tmp", a->side);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600)) < 0)
		return; /* best effort: the chain itself is still checked */
	if (write(fd, line, (size_t)n) != n || fsync(fd) != 0 || close(fd) != 0 || rename(tmp, a->side) != 0) {
		if (fd >= 0)
			close(fd);
		unlink(tmp);
	}
}

static const char *side_name(const struct audit *a)
{
	const char *slash = strrchr(a->side, '/');

	return slash ? slash + 1 : a->side;
}

/* Compares the second copy with the log as TXN sees it: OMG_OK, or OMG_E_CORRUPT with WHY. */
static int side_check(struct audit *a, MDB_txn *txn, char *why, size_t n)
{
	uint64_t sseq, hseq;
	uint8_t shash[AUDIT_HASH_SIZE], hhash[AUDIT_HASH_SIZE];
	int r = side_read(a, &sseq, shash);

	if (r == 0)
		return OMG_OK; /* none yet (a first start, or it was removed): nothing to compare */
	if (r < 0) {
		snprintf(why, n, "%.60s is unreadable or damaged", side_name(a));
		return OMG_E_CORRUPT;
	}
	if (read_head(&a->s, txn, &hseq, hhash) != 0) {
		snprintf(why, n, "the log's head is unreadable");
		return OMG_E_CORRUPT;
	}
	if (sseq > hseq) {
		snprintf(why, n, "records %llu to %llu are missing: the log ends at record %llu, but %.60s says it reached %llu "
			 "(cut from the end, or deleted and started anew)", (unsigned long long)hseq + 1,
			 (unsigned long long)sseq, (unsigned long long)hseq, side_name(a), (unsigned long long)sseq);
		return OMG_E_CORRUPT;
	}
	if (sseq) {
		uint8_t key[8];
		MDB_val k = { 8, key }, v;
		struct audit_record rec;
		for (int i = 0; i < 8; i++)
			key[i] = (uint8_t)(sseq >> (56 - 8 * i));
		if (mdb_get(txn, a->s.dbi[DBI_LOG], &k, &v) != 0 || audit_decode(v.mv_data, v.mv_size, &rec) != OMG_OK ||
		    memcmp(rec.hash, shash, AUDIT_HASH_SIZE) != 0) {
			snprintf(why, n, "record %llu is not the one %.60s recorded (the log was replaced by another)",
				 (unsigned long long)sseq, side_name(a));
			return OMG_E_CORRUPT;
		}
	}
	return OMG_OK;
}

/* At open: a missing copy is made from the log (trust on first use); a copy that
 * disagrees is kept and the log is marked, so that audit_verify says so. */
static void side_open(struct audit *a, const char *dir)
{
	MDB_txn *txn;
	char why[512];
	uint64_t seq, sseq;
	uint8_t hash[AUDIT_HASH_SIZE], shash[AUDIT_HASH_SIZE];

	snprintf(a->side, sizeof a->side, "%s.head", dir);
	if (store_read_begin(&a->s, &txn) != OMG_OK)
		return;
	a->side_bad = side_check(a, txn, why, sizeof why) != OMG_OK;
	if (!a->side_bad && side_read(a, &sseq, shash) == 0 && read_head(&a->s, txn, &seq, hash) == 0)
		side_write(a, seq, hash);
	mdb_txn_abort(txn);
}

int audit_open(struct audit **out, const char *dir, size_t map_size)
{
	static const char *const names[] = { "log", NULL };
	struct audit *a = calloc(1, sizeof *a);
	uint32_t found;
	int rc;

	if (!a)
		return OMG_ERROR(OMG_E_NOMEM, "audit log");
	pthread_mutex_init(&a->mu, NULL);
	a->max_bytes = AUDIT_MAX_DEFAULT;
	rc = store_open(&a->s, dir, names, STORE_DURABLE, map_size, STORE_MAP_CAP_AUDIT, AUDIT_FORMAT, &found);
	if (rc == OMG_E_VERSION) {
		/* Never misread, never overwrite: the log is evidence. */
		store_close(&a->s);
		pthread_mutex_destroy(&a->mu);
		free(a);
		return OMG_ERROR(OMG_E_VERSION, "audit log %s is in format %u; this omgd reads format %u: "
				 "refusing it (move it aside to start a new log)", dir, found, AUDIT_FORMAT);
	}
	if (rc != OMG_OK) {
		pthread_mutex_destroy(&a->mu);
		free(a);
		return rc;
	}
	side_open(a, dir);
	*out = a;
	return OMG_OK;
}

void audit_close(struct audit *a)
{
	if (!a)
		return;
	for (size_t i = 0; i < a->nq; i++)
		free(a->q[i].what);
	free(a->q);
	store_close(&a->s);
	pthread_mutex_destroy(&a->mu);
	free(a);
}

size_t audit_pending(const struct audit *a)
{
	return a ? atomic_load(&((struct audit *)a)->npending) : 0;
}

const struct store *audit_store(const struct audit *a)
{
	return &a->s;
}

static int read_head(struct store *s, MDB_txn *txn, uint64_t *seq, uint8_t hash[AUDIT_HASH_SIZE])
{
	MDB_val k = { 4, (void *)"head" }, v;
	int rc = mdb_get(txn, s->meta, &k, &v);

	*seq = 0;
	memset(hash, 0, AUDIT_HASH_SIZE);
	if (rc == MDB_NOTFOUND)
		return 0;
	if (rc)
		return rc;
	if (v.mv_size != 8 + AUDIT_HASH_SIZE)
		return MDB_CORRUPTED;
	*seq = get_le(v.mv_data, 8);
	memcpy(hash, (const uint8_t *)v.mv_data + 8, AUDIT_HASH_SIZE);
	return 0;
}

/* Writes one record SEQ after PREV (its hash) and leaves the new record's hash in PREV. */
static int put_record(struct store *s, MDB_txn *txn, uint64_t seq, const struct pending_rec *pr,
		      uint8_t prev[AUDIT_HASH_SIZE])
{
	size_t n = REC_FIXED + pr->len + REC_TAIL;
	uint8_t key[8];
	MDB_val k = { 8, key }, v = { n, NULL };
	uint8_t *p;
	int rc;

	seq_key(key, seq);
	if ((rc = mdb_put(txn, s->dbi[DBI_LOG], &k, &v, MDB_NOOVERWRITE | MDB_RESERVE)) != 0)
		return rc;
	p = v.mv_data;
	memset(p, 0, REC_FIXED);
	p[0] = 1;
	p[1] = pr->kind;
	put_le(p + 4, pr->uid, 4);
	put_le(p + 8, seq, 8);
	put_le(p + 16, pr->time_ns, 8);
	put_le(p + 24, (uint32_t)pr->result, 4);
	put_le(p + 28, pr->len, 4);
	memcpy(p + REC_FIXED, pr->what, pr->len);
	memcpy(p + REC_FIXED + pr->len, prev, AUDIT_HASH_SIZE);
	audit_hash(p, n, p + REC_FIXED + pr->len + AUDIT_HASH_SIZE);
	memcpy(prev, p + REC_FIXED + pr->len + AUDIT_HASH_SIZE, AUDIT_HASH_SIZE);
	return 0;
}

/* The bytes of the log's pages (branch, leaf and overflow) as TXN sees them. */
static size_t log_bytes(struct store *s, MDB_txn *txn)
{
	MDB_stat st;

	if (mdb_stat(txn, s->dbi[DBI_LOG], &st) != 0)
		return 0;
	return (size_t)(st.ms_branch_pages + st.ms_leaf_pages + st.ms_overflow_pages) * st.ms_psize;
}

int audit_pruned_parse(const char *what, size_t len, struct audit_pruned *p)
{
	char buf[256], hex[2 * AUDIT_HASH_SIZE + 1];
	unsigned long long n, first, last, t0, t1;
	int end = 0;

	if (len >= sizeof buf)
		return -1;
	memcpy(buf, what, len);
	buf[len] = 0;
	if (sscanf(buf, "pruned %llu records #%llu to #%llu (@%llu to @%llu), the last with sha256:%64[0-9a-f]%n",
		   &n, &first, &last, &t0, &t1, hex, &end) != 6 || (size_t)end != len ||
	    strlen(hex) != 2 * AUDIT_HASH_SIZE || !first || last < first || n != last - first + 1)
		return -1;
	for (int i = 0; i < AUDIT_HASH_SIZE; i++) {
		unsigned b;
		sscanf(hex + 2 * i, "%2x", &b);
		p->last_hash[i] = (uint8_t)b;
	}
	p->count = n;
	p->first_seq = first;
	p->last_seq = last;
	p->first_s = t0;
	p->last_s = t1;
	return 0;
}

/* Over the bound: removes the oldest records, down to three quarters of it (so that a prune
 * is not paid at every append), never the newest, and appends the anchor, a PRUNED record
 * that names them and the hash of the last one removed. SEQ and PREV: the head, moved on. */
static int prune(struct audit *a, struct store *s, MDB_txn *txn, uint64_t *seq, uint8_t prev[AUDIT_HASH_SIZE])
{
	MDB_cursor *cur;
	MDB_val k, v;
	struct audit_record r;
	uint64_t n = 0, first = 0, last = 0, t0 = 0, t1 = 0;
	uint8_t last_hash[AUDIT_HASH_SIZE];
	char what[256];
	int rc, len;

	if (!a->max_bytes || log_bytes(s, txn) <= a->max_bytes)
		return 0;
	if ((rc = mdb_cursor_open(txn, s->dbi[DBI_LOG], &cur)) != 0)
		return rc;
	while ((rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST)) == 0) {
		if (log_bytes(s, txn) <= a->max_bytes / 4 * 3)
			break;
		if (audit_decode(v.mv_data, v.mv_size, &r) != OMG_OK) {
			mdb_cursor_close(cur);
			OMG_ERROR(OMG_E_CORRUPT, "audit log: a damaged record stops pruning (omg audit log --verify)");
			return STORE_OMG(OMG_E_CORRUPT);
		}
		if (r.seq == *seq)
			break; /* the newest stays */
		if (!n)
			first = r.seq, t0 = r.time_ns / 1000000000u;
		n++;
		last = r.seq;
		t1 = r.time_ns / 1000000000u;
		memcpy(last_hash, r.hash, sizeof last_hash);
		if ((rc = mdb_cursor_del(cur, 0)) != 0)
			break;
	}
	mdb_cursor_close(cur);
	if (rc != 0 && rc != MDB_NOTFOUND)
		return rc;
	if (!n)
		return 0;
	len = snprintf(what, sizeof what, "pruned %llu records #%llu to #%llu (@%llu to @%llu), the last with sha256:",
		       (unsigned long long)n, (unsigned long long)first, (unsigned long long)last,
		       (unsigned long long)t0, (unsigned long long)t1);
	for (int i = 0; i < AUDIT_HASH_SIZE; i++)
		len += snprintf(what + len, sizeof what - (size_t)len, "%02x", last_hash[i]);
	{
		struct timespec ts;
		struct pending_rec anchor = { AUDIT_PRUNED, AUDIT_UID_NONE, 0, 0, what, (size_t)len };
		clock_gettime(CLOCK_REALTIME, &ts);
		anchor.time_ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
		if ((rc = put_record(s, txn, ++*seq, &anchor, prev)) != 0)
			return rc;
	}
	a->new_pruned = n;
	return 0;
}

/* Appends every queued record after the head, prunes when the log is over its bound, and
 * moves the head, in one transaction: a prune is never seen without its anchor. */
static int append_batch(struct store *s, MDB_txn *txn, void *ctx)
{
	struct audit *a = ctx;
	uint8_t prev[AUDIT_HASH_SIZE], head[8 + AUDIT_HASH_SIZE];
	uint64_t seq;
	int rc = read_head(s, txn, &seq, prev);

	a->new_pruned = 0;
	for (size_t i = 0; !rc && i < a->nq; i++)
		rc = put_record(s, txn, ++seq, &a->q[i], prev);
	if (!rc)
		rc = prune(a, s, txn, &seq, prev);
	if (!rc) {
		MDB_val k = { 4, (void *)"head" }, v = { sizeof head, head };
		put_le(head, seq, 8);
		memcpy(head + 8, prev, AUDIT_HASH_SIZE);
		rc = mdb_put(txn, s->meta, &k, &v, 0);
		a->new_seq = seq;
		memcpy(a->new_hash, prev, AUDIT_HASH_SIZE);
	}
	return rc;
}

void audit_set_max(struct audit *a, size_t max_bytes)
{
	a->max_bytes = max_bytes;
}

uint64_t audit_pruned_total(const struct audit *a)
{
	return a->pruned;
}

static int enqueue(struct audit *a, uint8_t kind, uint32_t uid, int32_t result, const char *what, size_t len)
{
	struct timespec ts;
	struct pending_rec *pr;

	if (len > AUDIT_WHAT_MAX)
		len = AUDIT_WHAT_MAX;
	if (a->nq == AUDIT_PENDING_MAX) {
		/* Bounded memory: the oldest waiting record goes, and is counted. */
		free(a->q[0].what);
		memmove(a->q, a->q + 1, (a->nq - 1) * sizeof *a->q);
		a->nq--;
		a->lost++;
	}
	if (omg_grow(&a->q, &a->capq, a->nq + 1, sizeof *a->q, OMG_GROW_UNBOUNDED) != OMG_OK)
			return OMG_ERROR(OMG_E_NOMEM, "audit log");
	pr = &a->q[a->nq];
	clock_gettime(CLOCK_REALTIME, &ts);
	*pr = (struct pending_rec){ kind, uid, result, (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec, NULL, len };
	if (!(pr->what = malloc(len ? len : 1)))
		return OMG_ERROR(OMG_E_NOMEM, "audit log");
	memcpy(pr->what, what, len);
	a->nq++;
	return OMG_OK;
}

int audit_append(struct audit *a, uint8_t kind, uint32_t uid, int32_t result, const char *what, size_t len)
{
	int rc;

	if (a->lost && a->nq < AUDIT_PENDING_MAX) {
		/* Say first how many records the full store cost. */
		char msg[96];
		int n = snprintf(msg, sizeof msg, "%llu records were dropped while the store could not be written",
				 (unsigned long long)a->lost);
		struct pending_rec lost_rec;
		if (enqueue(a, AUDIT_LOST, uid, 0, msg, (size_t)n) == OMG_OK) {
			/* it must come before the records that waited: move it to the front */
			lost_rec = a->q[a->nq - 1];
			memmove(a->q + 1, a->q, (a->nq - 1) * sizeof *a->q);
			a->q[0] = lost_rec;
			a->lost = 0;
		}
	}
	if ((rc = enqueue(a, kind, uid, result, what, len)) != OMG_OK)
		return rc;
	pthread_mutex_lock(&a->mu);
	rc = store_write(&a->s, append_batch, a);
	if (rc == OMG_OK && !a->side_bad)
		side_write(a, a->new_seq, a->new_hash);
	if (rc == OMG_OK)
		a->pruned += a->new_pruned;
	pthread_mutex_unlock(&a->mu);
	if (rc == OMG_OK) {
		for (size_t i = 0; i < a->nq; i++)
			free(a->q[i].what);
		a->nq = 0;
	}
	atomic_store(&a->npending, a->nq);
	return rc;
}

static int read_locked(struct audit *a, uint64_t after_seq, uint64_t since_ns, uint32_t limit,
		       audit_each_fn fn, void *ctx, int *more)
{
	MDB_txn *txn;
	MDB_cursor *cur;
	uint8_t key[8];
	MDB_val k = { 8, key }, v;
	uint32_t n = 0;
	int rc;

	*more = 0;
	if ((rc = store_read_begin(&a->s, &txn)) != OMG_OK)
		return rc;
	if ((rc = mdb_cursor_open(txn, a->s.dbi[DBI_LOG], &cur)) != 0) {
		mdb_txn_abort(txn);
		return store_error(rc, "audit log");
	}
	seq_key(key, after_seq + 1);
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); rc == 0; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		struct audit_record r;
		if (audit_decode(v.mv_data, v.mv_size, &r) != OMG_OK) {
			/* shown as a damaged record; --verify says more */
			memset(&r, 0, sizeof r);
			for (size_t i = 0; i < k.mv_size && i < 8; i++)
				r.seq = r.seq << 8 | ((const uint8_t *)k.mv_data)[i];
			r.what = "(unreadable record)";
			r.what_len = (uint32_t)strlen(r.what);
			r.result = OMG_E_CORRUPT;
		} else if (r.time_ns < since_ns) {
			continue;
		}
		if (n == limit) {
			*more = 1;
			break;
		}
		n++;
		if (fn(&r, ctx))
			break;
	}
	mdb_cursor_close(cur);
	mdb_txn_abort(txn);
	return rc == 0 || rc == MDB_NOTFOUND ? OMG_OK : store_error(rc, "audit log");
}

#define FAIL(seq, ...)                                              \
	do {                                                        \
		v->ok = 0;                                          \
		v->bad_seq = (seq);                                 \
		snprintf(v->why, sizeof v->why, __VA_ARGS__);       \
		goto done;                                          \
	} while (0)

static int verify_locked(struct audit *a, struct audit_verdict *v)
{
	uint8_t prev[AUDIT_HASH_SIZE] = { 0 }, hash[AUDIT_HASH_SIZE], first_prev[AUDIT_HASH_SIZE] = { 0 };
	uint64_t expect = 1, first = 0, anchor_seq = 0, anchor_last = 0;
	int anchored = 0;
	MDB_txn *txn;
	MDB_cursor *cur;
	MDB_val k, val;
	int rc;

	memset(v, 0, sizeof *v);
	v->ok = 1;
	if ((rc = store_read_begin(&a->s, &txn)) != OMG_OK)
		return rc;
	if ((rc = read_head(&a->s, txn, &v->head_seq, v->head)) != 0 ||
	    (rc = mdb_cursor_open(txn, a->s.dbi[DBI_LOG], &cur)) != 0) {
		mdb_txn_abort(txn);
		return store_error(rc, "audit log");
	}
	for (rc = mdb_cursor_get(cur, &k, &val, MDB_FIRST); rc == 0; rc = mdb_cursor_get(cur, &k, &val, MDB_NEXT)) {
		struct audit_record r;
		struct audit_pruned pr;
		uint64_t kseq = 0;
		for (size_t i = 0; i < k.mv_size && i < 8; i++)
			kseq = kseq << 8 | ((const uint8_t *)k.mv_data)[i];
		if (k.mv_size != 8 || audit_decode(val.mv_data, val.mv_size, &r) != OMG_OK)
			FAIL(kseq, "record %llu: unreadable (damaged)", (unsigned long long)kseq);
		if (r.seq != kseq)
			FAIL(kseq, "record %llu: holds the content of record %llu (moved or reordered)",
			     (unsigned long long)kseq, (unsigned long long)r.seq);
		if (!first && kseq > 1) {
			/* The log starts later: a PRUNED record further on must account for what is
			 * before it (checked at that record, or at the end). */
			first = expect = kseq;
			memcpy(prev, r.prev, sizeof prev);
			memcpy(first_prev, r.prev, sizeof first_prev);
		}
		if (!first)
			first = 1;
		if (kseq != expect)
			FAIL(expect, "record %llu is missing (deleted)%s", (unsigned long long)expect,
			     kseq > expect + 1 ? ", and more after it" : "");
		audit_hash(val.mv_data, val.mv_size, hash);
		if (memcmp(hash, r.hash, sizeof hash) != 0)
			FAIL(kseq, "record %llu: edited (its content does not match its hash)", (unsigned long long)kseq);
		if (memcmp(prev, r.prev, sizeof prev) != 0)
			FAIL(kseq, "record %llu: the chain is broken before it (record %llu was replaced, or records were reordered)",
			     (unsigned long long)kseq, (unsigned long long)kseq - 1);
		if (r.kind == AUDIT_PRUNED) {
			if (audit_pruned_parse(r.what, r.what_len, &pr) != 0)
				FAIL(kseq, "record %llu: a PRUNED record that does not parse", (unsigned long long)kseq);
			if (pr.last_seq >= kseq)
				FAIL(kseq, "record %llu: a PRUNED record naming records after itself", (unsigned long long)kseq);
			anchor_seq = kseq;
			anchor_last = pr.last_seq;
			if (first > 1 && pr.last_seq == first - 1) {
				if (memcmp(pr.last_hash, first_prev, sizeof first_prev) != 0)
					FAIL(first, "record %llu: does not link to the hash PRUNED record %llu gives for record %llu "
						    "(the anchor or the first record was altered)", (unsigned long long)first,
					     (unsigned long long)kseq, (unsigned long long)first - 1);
				anchored = 1;
			}
		}
		memcpy(prev, hash, sizeof prev);
		v->records++;
		expect++;
	}
	if (rc != MDB_NOTFOUND) {
		mdb_cursor_close(cur);
		mdb_txn_abort(txn);
		return store_error(rc, "audit log");
	}
	if (first > 1 && !anchored) {
		if (anchor_seq && anchor_last + 1 == first - 1)
			FAIL(first - 1, "record %llu is missing (deleted): PRUNED record %llu accounts for records up to %llu only",
			     (unsigned long long)first - 1, (unsigned long long)anchor_seq, (unsigned long long)anchor_last);
		if (anchor_seq && anchor_last < first - 1)
			FAIL(anchor_last + 1, "records %llu to %llu are missing (deleted): PRUNED record %llu accounts for "
					      "records up to %llu only", (unsigned long long)anchor_last + 1,
			     (unsigned long long)first - 1, (unsigned long long)anchor_seq, (unsigned long long)anchor_last);
		FAIL(1, "record 1 is missing (deleted)%s", first > 2 ? ", and more after it" : "");
	}
	if (!first)
		expect = 1;
	if (v->head_seq != expect - 1)
		FAIL(expect, v->head_seq > expect - 1 ? "records %llu to %llu are missing (deleted from the end)"
						       : "record %llu and after are not in the head (%llu)",
		     (unsigned long long)expect, (unsigned long long)v->head_seq);
	if (memcmp(v->head, prev, sizeof prev) != 0)
		FAIL(expect - 1, "record %llu: does not match the head (the last record was replaced)",
		     (unsigned long long)expect - 1);
	{
		char why[sizeof v->why];
		if (side_check(a, txn, why, sizeof why) != OMG_OK) {
			a->side_bad = 1; /* keep the copy as evidence */
			FAIL(v->head_seq, "%s", why);
		}
	}
done:
	mdb_cursor_close(cur);
	mdb_txn_abort(txn);
	return OMG_OK;
}

int audit_read(struct audit *a, uint64_t after_seq, uint64_t since_ns, uint32_t limit,
	       audit_each_fn fn, void *ctx, int *more)
{
	int rc;

	pthread_mutex_lock(&a->mu);
	rc = read_locked(a, after_seq, since_ns, limit, fn, ctx, more);
	pthread_mutex_unlock(&a->mu);
	return rc;
}

int audit_verify(struct audit *a, struct audit_verdict *v)
{
	int rc;

	pthread_mutex_lock(&a->mu);
	rc = verify_locked(a, v);
	pthread_mutex_unlock(&a->mu);
	return rc;
}
