/* test_store.c — the LMDB store: the audit chain and each kind of tampering, format
 * versions, map growth, stale readers, and snapshots of a db. */
#include "config.h"
#include "audit.h"
#include "omg_error.h"
#include "snapshot.h"
#include "srccache.h"
#include "store.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

static char dir[4096];

static int setup(void **state)
{
	char tmpl[] = "/tmp/omg-test-store-XXXXXX";
	(void)state;
	if (!mkdtemp(tmpl))
		return -1;
	snprintf(dir, sizeof dir, "%s/audit", tmpl);
	return 0;
}

static int teardown(void **state)
{
	char cmd[4200];
	(void)state;
	snprintf(cmd, sizeof cmd, "rm -rf '%.*s'", (int)(strrchr(dir, '/') - dir), dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void append_n(int n)
{
	struct audit *a;
	char text[64];

	assert_int_equal(audit_open(&a, dir, 0), OMG_OK);
	for (int i = 1; i <= n; i++) {
		int len = snprintf(text, sizeof text, "install pkg%d:amd64 1.%d", i, i);
		assert_int_equal(audit_append(a, AUDIT_CHANGE, 1000, 0, text, (size_t)len), OMG_OK);
	}
	audit_close(a);
}

static struct audit_verdict verify(void)
{
	struct audit *a;
	struct audit_verdict v;

	assert_int_equal(audit_open(&a, dir, 0), OMG_OK);
	assert_int_equal(audit_verify(a, &v), OMG_OK);
	audit_close(a);
	return v;
}

/* Raw access, as an intruder with write access to the files would have. */
struct raw {
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi log, meta;
};

static void raw_open(struct raw *r)
{
	assert_int_equal(mdb_env_create(&r->env), 0);
	assert_int_equal(mdb_env_set_maxdbs(r->env, 8), 0);
	assert_int_equal(mdb_env_open(r->env, dir, 0, 0600), 0);
	assert_int_equal(mdb_txn_begin(r->env, NULL, 0, &r->txn), 0);
	assert_int_equal(mdb_dbi_open(r->txn, "log", 0, &r->log), 0);
	assert_int_equal(mdb_dbi_open(r->txn, "meta", 0, &r->meta), 0);
}

static void raw_close(struct raw *r)
{
	assert_int_equal(mdb_txn_commit(r->txn), 0);
	mdb_env_close(r->env);
}

static MDB_val key_of(uint8_t k[8], uint64_t seq)
{
	for (int i = 0; i < 8; i++)
		k[i] = (uint8_t)(seq >> (56 - 8 * i));
	return (MDB_val){ 8, k };
}

/* Copies record SEQ's value into BUF; returns its size. */
static size_t raw_get(struct raw *r, uint64_t seq, uint8_t *buf)
{
	uint8_t k[8];
	MDB_val key = key_of(k, seq), v;

	assert_int_equal(mdb_get(r->txn, r->log, &key, &v), 0);
	memcpy(buf, v.mv_data, v.mv_size);
	return v.mv_size;
}

static void raw_put(struct raw *r, uint64_t seq, const uint8_t *buf, size_t n)
{
	uint8_t k[8];
	MDB_val key = key_of(k, seq), v = { n, (void *)buf };

	assert_int_equal(mdb_put(r->txn, r->log, &key, &v, 0), 0);
}

static void test_chain_intact(void **state)
{
	struct audit *a;
	struct audit_verdict v;
	struct audit_record rec;
	uint8_t buf[512];
	struct raw r;
	size_t n;
	(void)state;

	append_n(5);
	v = verify();
	assert_true(v.ok);
	assert_int_equal(v.records, 5);
	assert_int_equal(v.head_seq, 5);
	/* the stored hash is SHA-256 of the bytes before it, and the head is the last hash */
	raw_open(&r);
	n = raw_get(&r, 5, buf);
	raw_close(&r);
	assert_int_equal(audit_decode(buf, n, &rec), OMG_OK);
	assert_int_equal(rec.seq, 5);
	assert_memory_equal(rec.hash, v.head, AUDIT_HASH_SIZE);
	{
		uint8_t h[AUDIT_HASH_SIZE];
		audit_hash(buf, n, h);
		assert_memory_equal(h, rec.hash, AUDIT_HASH_SIZE);
	}
	/* reopening continues the chain */
	append_n(2);
	v = verify();
	assert_true(v.ok);
	assert_int_equal(v.records, 7);
	(void)a;
}

static void test_edited_record(void **state)
{
	struct audit_verdict v;
	uint8_t buf[512];
	struct raw r;
	size_t n;
	(void)state;

	append_n(5);
	raw_open(&r);
	n = raw_get(&r, 3, buf);
	buf[40] ^= 1; /* a byte of the text */
	raw_put(&r, 3, buf, n);
	raw_close(&r);
	v = verify();
	assert_false(v.ok);
	assert_int_equal(v.bad_seq, 3);
	assert_non_null(strstr(v.why, "edited"));
}

static void test_edited_and_rehashed(void **state)
{
	struct audit_verdict v;
	uint8_t buf[512];
	struct raw r;
	size_t n;
	(void)state;

	append_n(5);
	raw_open(&r);
	n = raw_get(&r, 2, buf);
	buf[40] ^= 1;
	audit_hash(buf, n, buf + n - AUDIT_HASH_SIZE); /* the intruder fixes the record's own hash */
	raw_put(&r, 2, buf, n);
	raw_close(&r);
	v = verify();
	assert_false(v.ok);
	assert_int_equal(v.bad_seq, 3); /* the next record's link no longer matches */
	assert_non_null(strstr(v.why, "record 2 was replaced"));
}

static void test_deleted_record(void **state)
{
	struct audit_verdict v;
	uint8_t k[8];
	struct raw r;
	MDB_val key;
	(void)state;

	append_n(5);
	raw_open(&r);
	key = key_of(k, 3);
	assert_int_equal(mdb_del(r.txn, r.log, &key, NULL), 0);
	raw_close(&r);
	v = verify();
	assert_false(v.ok);
	assert_int_equal(v.bad_seq, 3);
	assert_non_null(strstr(v.why, "record 3 is missing"));
}

static void test_deleted_last_record(void **state)
{
	struct audit_verdict v;
	uint8_t k[8];
	struct raw r;
	MDB_val key;
	(void)state;

	append_n(5);
	raw_open(&r);
	key = key_of(k, 5);
	assert_int_equal(mdb_del(r.txn, r.log, &key, NULL), 0);
	raw_close(&r);
	v = verify();
	assert_false(v.ok);
	assert_int_equal(v.bad_seq, 5);
	assert_non_null(strstr(v.why, "deleted from the end"));
}

static void test_reordered_records(void **state)
{
	struct audit_verdict v;
	uint8_t a[512], b[512];
	struct raw r;
	size_t na, nb;
	(void)state;

	append_n(5);
	raw_open(&r);
	na = raw_get(&r, 2, a);
	nb = raw_get(&r, 4, b);
	raw_put(&r, 2, b, nb);
	raw_put(&r, 4, a, na);
	raw_close(&r);
	v = verify();
	assert_false(v.ok);
	assert_int_equal(v.bad_seq, 2);
	assert_non_null(strstr(v.why, "reordered"));
}

static void test_unreadable_record(void **state)
{
	struct audit_verdict v;
	uint8_t junk[7] = { 9, 9, 9, 9, 9, 9, 9 };
	struct raw r;
	(void)state;

	append_n(3);
	raw_open(&r);
	raw_put(&r, 2, junk, sizeof junk);
	raw_close(&r);
	v = verify();
	assert_false(v.ok);
	assert_int_equal(v.bad_seq, 2);
	assert_non_null(strstr(v.why, "unreadable"));
}

static int collect(const struct audit_record *r, void *ctx)
{
	uint64_t *seen = ctx;
	seen[seen[0] + 1] = r->seq;
	seen[0]++;
	return 0;
}

static void test_read_pages(void **state)
{
	struct audit *a;
	uint64_t seen[16] = { 0 };
	int more;
	(void)state;

	append_n(7);
	assert_int_equal(audit_open(&a, dir, 0), OMG_OK);
	assert_int_equal(audit_read(a, 2, 0, 3, collect, seen, &more), OMG_OK);
	assert_int_equal(seen[0], 3);
	assert_int_equal(seen[1], 3);
	assert_int_equal(seen[3], 5);
	assert_true(more);
	seen[0] = 0;
	assert_int_equal(audit_read(a, 5, 0, 3, collect, seen, &more), OMG_OK);
	assert_int_equal(seen[0], 2);
	assert_false(more);
	seen[0] = 0;
	assert_int_equal(audit_read(a, 0, UINT64_MAX, 3, collect, seen, &more), OMG_OK);
	assert_int_equal(seen[0], 0); /* nothing is that recent */
	audit_close(a);
}

/* ---- the bound: pruning with an anchor ---- */

struct kinds {
	uint64_t first, anchor, records;
};

static int note_kinds(const struct audit_record *r, void *ctx)
{
	struct kinds *k = ctx;

	if (!k->first)
		k->first = r->seq;
	if (r->kind == AUDIT_PRUNED)
		k->anchor = r->seq;
	k->records++;
	return 0;
}

/* Appends N records of about 150 bytes to a log bounded at 16 KiB; returns what it holds. */
static struct kinds pruned_log(int n)
{
	struct audit *a;
	struct kinds k = { 0 };
	char text[160];
	int more;

	assert_int_equal(audit_open(&a, dir, 0), OMG_OK);
	audit_set_max(a, AUDIT_MAX_MIN);
	for (int i = 1; i <= n; i++) {
		int len = snprintf(text, sizeof text, "refresh %d: %0120d", i, i);
		assert_int_equal(audit_append(a, AUDIT_REFRESH, AUDIT_UID_NONE, 0, text, (size_t)len), OMG_OK);
	}
	assert_true(audit_pruned_total(a) > 0);
	assert_int_equal(audit_read(a, 0, 0, 100000, note_kinds, &k, &more), OMG_OK);
	audit_close(a);
	return k;
}

static size_t raw_log_bytes(void)
{
	struct raw r;
	MDB_stat st;

	raw_open(&r);
	assert_int_equal(mdb_stat(r.txn, r.log, &st), 0);
	raw_close(&r);
	return (st.ms_branch_pages + st.ms_leaf_pages + st.ms_overflow_pages) * st.ms_psize;
}

static void test_pruned_chain_verifies(void **state)
{
	struct kinds k = pruned_log(1000);
	struct audit_verdict v = verify();
	struct audit_pruned p;
	uint8_t buf[512], first[512];
	struct audit_record rec, frec;
	struct raw r;
	size_t n, fn;
	(void)state;

	assert_true(v.ok);
	assert_true(k.first > 1);
	assert_true(k.anchor > k.first);
	assert_int_equal(v.records, k.records);
	assert_true(k.records < 200);
	assert_true(v.head_seq > 1000); /* the anchors are records too */
	assert_true(raw_log_bytes() <= AUDIT_MAX_MIN);
	/* the last anchor names the records before the first one kept and the hash it links to */
	raw_open(&r);
	n = raw_get(&r, k.anchor, buf);
	fn = raw_get(&r, k.first, first);
	raw_close(&r);
	assert_int_equal(audit_decode(buf, n, &rec), OMG_OK);
	assert_int_equal(audit_decode(first, fn, &frec), OMG_OK);
	assert_int_equal(audit_pruned_parse(rec.what, rec.what_len, &p), 0);
	assert_int_equal(p.last_seq, k.first - 1);
	assert_int_equal(p.count, p.last_seq - p.first_seq + 1);
	assert_true(p.first_s <= p.last_s);
	assert_memory_equal(p.last_hash, frec.prev, AUDIT_HASH_SIZE);
	/* without a bound the log grows again, and still verifies */
	{
		struct audit *a;
		assert_int_equal(audit_open(&a, dir, 0), OMG_OK);
		audit_set_max(a, 0);
		assert_int_equal(audit_append(a, AUDIT_REFRESH, AUDIT_UID_NONE, 0, "x", 1), OMG_OK);
		assert_int_equal(audit_pruned_total(a), 0);
		audit_close(a);
	}
	v = verify();
	assert_true(v.ok);
	assert_int_equal(v.records, k.records + 1);
}

static void test_pruned_first_deleted(void **state)
{
	struct kinds k = pruned_log(600);
	struct audit_verdict v;
	uint8_t key[8];
	MDB_val kv;
	struct raw r;
	(void)state;

	/* the first record kept is removed without an anchor */
	raw_open(&r);
	kv = key_of(key, k.first);
	assert_int_equal(mdb_del(r.txn, r.log, &kv, NULL), 0);
	raw_close(&r);
	v = verify();
	assert_false(v.ok);
	assert_int_equal(v.bad_seq, k.first);
	assert_non_null(strstr(v.why, "is missing (deleted): PRUNED record"));
}

static void test_pruned_anchor_edited(void **state)
{
	struct kinds k = pruned_log(600);
	struct audit_verdict v;
	uint8_t buf[512];
	struct raw r;
	char *h;
	size_t n;
	(void)state;

	/* the anchor's hash of the last removed record altered */
	raw_open(&r);
	n = raw_get(&r, k.anchor, buf);
	assert_non_null(h = memmem(buf, n, "sha256:", 7));
	h[7] = h[7] == '0' ? '1' : '0';
	raw_put(&r, k.anchor, buf, n);
	raw_close(&r);
	v = verify();
	assert_false(v.ok);
	assert_int_equal(v.bad_seq, k.anchor);
	assert_non_null(strstr(v.why, "edited"));
	/* and with its own hash fixed: it no longer matches the first record's link */
	raw_open(&r);
	audit_hash(buf, n, buf + n - AUDIT_HASH_SIZE);
	raw_put(&r, k.anchor, buf, n);
	raw_close(&r);
	v = verify();
	assert_false(v.ok);
	assert_int_equal(v.bad_seq, k.first);
	assert_non_null(strstr(v.why, "does not link to the hash PRUNED record"));
}

static void test_pruned_first_replaced(void **state)
{
	struct kinds k = pruned_log(600);
	struct audit_verdict v;
	uint8_t buf[512];
	struct raw r;
	size_t n;
	(void)state;

	/* the first record kept links elsewhere (an intruder's record, rehashed): the next
	 * record's link breaks first */
	raw_open(&r);
	n = raw_get(&r, k.first, buf);
	buf[n - 2 * AUDIT_HASH_SIZE] ^= 1; /* its prev */
	audit_hash(buf, n, buf + n - AUDIT_HASH_SIZE);
	raw_put(&r, k.first, buf, n);
	raw_close(&r);
	v = verify();
	assert_false(v.ok);
	assert_int_equal(v.bad_seq, k.first + 1);
}

static void test_first_deleted_no_anchor(void **state)
{
	struct audit_verdict v;
	uint8_t key[8];
	MDB_val kv;
	struct raw r;
	(void)state;

	append_n(5);
	raw_open(&r);
	kv = key_of(key, 1);
	assert_int_equal(mdb_del(r.txn, r.log, &kv, NULL), 0);
	kv = key_of(key, 2);
	assert_int_equal(mdb_del(r.txn, r.log, &kv, NULL), 0);
	raw_close(&r);
	v = verify();
	assert_false(v.ok);
	assert_int_equal(v.bad_seq, 1);
	assert_non_null(strstr(v.why, "record 1 is missing (deleted), and more after it"));
}

static void test_pruned_parse(void **state)
{
	struct audit_pruned p;
	const char *ok = "pruned 3 records #4 to #6 (@10 to @20), the last with sha256:"
			 "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
	(void)state;

	assert_int_equal(audit_pruned_parse(ok, strlen(ok), &p), 0);
	assert_int_equal(p.first_seq, 4);
	assert_int_equal(p.last_seq, 6);
	assert_int_equal(p.last_hash[1], 0x11);
	assert_int_equal(audit_pruned_parse(ok, strlen(ok) - 1, &p), -1);          /* a short hash */
	assert_int_equal(audit_pruned_parse("pruned 2 records #4 to #6 (@10 to @20), the last with sha256:"
					    "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
					    126, &p), -1);                                  /* a count that does not add up */
}

static void test_newer_format_refused(void **state)
{
	struct audit *a;
	struct raw r;
	uint8_t fmt[4] = { 9, 0, 0, 0 };
	MDB_val k = { 6, (void *)"format" }, v = { 4, fmt };
	struct audit_verdict dummy;
	(void)state;

	append_n(2);
	raw_open(&r);
	assert_int_equal(mdb_put(r.txn, r.meta, &k, &v, 0), 0);
	raw_close(&r);
	assert_int_equal(audit_open(&a, dir, 0), OMG_E_VERSION);
	assert_non_null(strstr(omg_errdetail(), "format 9"));
	assert_non_null(strstr(omg_errdetail(), "refusing"));
	/* and nothing was rewritten: the raw records are still there */
	raw_open(&r);
	{
		uint8_t buf[512];
		assert_true(raw_get(&r, 2, buf) > 0);
	}
	raw_close(&r);
	(void)dummy;
}

static int fill(struct store *s, MDB_txn *txn, void *ctx)
{
	static uint8_t blob[64 << 10];
	int *n = ctx, rc = 0;

	for (int i = 0; i < *n && !rc; i++) {
		char k[16];
		MDB_val key = { (size_t)snprintf(k, sizeof k, "k%d", i), k }, v = { sizeof blob, blob };
		rc = mdb_put(txn, s->dbi[0], &key, &v, 0);
	}
	return rc;
}

static void test_map_grows(void **state)
{
	static const char *const names[] = { "data", NULL };
	struct store s;
	uint32_t found;
	int n = 40; /* 2.5 MiB into a 256 KiB map */
	(void)state;

	assert_int_equal(store_open(&s, dir, names, STORE_REBUILDABLE, 256 << 10, 64 << 20, 1, &found), OMG_OK);
	assert_int_equal(store_write(&s, fill, &n), OMG_OK);
	assert_true(s.grows >= 3);
	assert_true(s.map_size >= (2u << 20));
	store_close(&s);
	/* a cap below the need: a clear error, and the data already there stays */
	assert_int_equal(store_open(&s, dir, names, STORE_REBUILDABLE, 256 << 10, 4 << 20, 1, &found), OMG_OK);
	n = 200;
	assert_int_equal(store_write(&s, fill, &n), OMG_E_TOOBIG);
	assert_non_null(strstr(omg_errdetail(), "cap"));
	store_close(&s);
}

/* Found by the hostile test: cutting the log's tail and rewriting the head to the new last
 * record left a consistent chain, reported intact; so did a log deleted (recreated) or
 * swapped for another. The head's second copy beside the environment catches all three. */
static void test_cut_tail_head_rewritten(void **state)
{
	struct audit_verdict v;
	struct audit_record rec;
	uint8_t buf[512], k[8], head[8 + AUDIT_HASH_SIZE];
	struct raw r;
	MDB_val key, hv = { sizeof head, head }, hk = { 4, (void *)"head" };
	size_t n;
	(void)state;

	append_n(5);
	raw_open(&r);
	for (uint64_t seq = 4; seq <= 5; seq++) {
		key = key_of(k, seq);
		assert_int_equal(mdb_del(r.txn, r.log, &key, NULL), 0);
	}
	n = raw_get(&r, 3, buf);
	assert_int_equal(audit_decode(buf, n, &rec), OMG_OK);
	for (int i = 0; i < 8; i++)
		head[i] = (uint8_t)((uint64_t)3 >> (8 * i));
	memcpy(head + 8, rec.hash, AUDIT_HASH_SIZE);
	assert_int_equal(mdb_put(r.txn, r.meta, &hk, &hv, 0), 0);
	raw_close(&r);
	v = verify();
	assert_false(v.ok);
	assert_non_null(strstr(v.why, "records 4 to 5 are missing"));
}

static void test_log_deleted_or_swapped(void **state)
{
	struct audit_verdict v;
	char cmd[24 << 10];
	(void)state;

	append_n(5);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	append_n(1); /* a fresh environment in its place */
	v = verify();
	assert_false(v.ok);
	assert_non_null(strstr(v.why, "missing"));
	/* swapped for another log, longer than the recorded head */
	snprintf(cmd, sizeof cmd, "rm -rf '%s' && mv '%s.head' '%s.keep'", dir, dir, dir);
	assert_int_equal(system(cmd), 0);
	append_n(7);
	snprintf(cmd, sizeof cmd, "mv '%s' '%s.other' && rm -f '%s.head' && mv '%s.keep' '%s.head'", dir, dir, dir, dir, dir);
	assert_int_equal(system(cmd), 0);
	append_n(6); /* a log of 6 records whose record 5 is not the recorded one */
	v = verify();
	assert_false(v.ok);
	assert_non_null(strstr(v.why, "record 5 is not the one"));
}

/* Found by the hostile test: the build thread grew the audit map (munmap and mmap) while
 * the event loop read the log in a read transaction on it. Readers and the growing
 * writer now exclude each other; here a reader walks the log all the while a writer
 * fills a small map. */
struct grow_race {
	struct audit *a;
	atomic_int done;
};

static void *grow_writer(void *arg)
{
	struct grow_race *g = arg;
	static char text[16 << 10];

	memset(text, 'x', sizeof text);
	for (int i = 0; i < 200; i++)
		if (audit_append(g->a, AUDIT_ACTION, 0, 0, text, sizeof text) != OMG_OK)
			break;
	atomic_store(&g->done, 1);
	return NULL;
}

static int count_rec(const struct audit_record *r, void *ctx)
{
	(void)r;
	++*(int *)ctx;
	return 0;
}

static void test_audit_grows_while_read(void **state)
{
	char adir[4200];
	struct grow_race g = { 0 };
	struct audit_verdict v;
	pthread_t t;
	int more, n, reads = 0;
	(void)state;

	snprintf(adir, sizeof adir, "%s/audit", dir);
	assert_int_equal(audit_open(&g.a, adir, 64 << 10), OMG_OK);
	assert_int_equal(pthread_create(&t, NULL, grow_writer, &g), 0);
	while (!atomic_load(&g.done)) {
		n = 0;
		assert_int_equal(audit_read(g.a, 0, 0, 100000, count_rec, &n, &more), OMG_OK);
		assert_int_equal(audit_verify(g.a, &v), OMG_OK);
		assert_true(v.ok);
		reads++;
	}
	pthread_join(t, NULL);
	assert_int_equal(audit_verify(g.a, &v), OMG_OK);
	assert_true(v.ok);
	assert_int_equal(v.records, 200);
	assert_true(audit_store(g.a)->grows >= 3);
	assert_true(reads > 0);
	audit_close(g.a);
}

static void test_index_format_mismatch(void **state)
{
	static const char *const names[] = { "data", NULL };
	struct store s;
	uint32_t found;
	(void)state;

	assert_int_equal(store_open(&s, dir, names, STORE_REBUILDABLE, 0, 64 << 20, 1, &found), OMG_OK);
	store_close(&s);
	assert_int_equal(store_open(&s, dir, names, STORE_REBUILDABLE, 0, 64 << 20, 2, &found), OMG_E_VERSION);
	assert_int_equal(found, 1);
	assert_int_equal(store_reset(&s), OMG_OK);
	store_close(&s);
	assert_int_equal(store_open(&s, dir, names, STORE_REBUILDABLE, 0, 64 << 20, 2, &found), OMG_OK);
	store_close(&s);
}

static int count_line(const char *msg, void *ctx)
{
	struct { pid_t pid; int n; } *c = ctx;
	char pid[32];

	snprintf(pid, sizeof pid, "%10d ", (int)c->pid); /* mdb_reader_list: "%10d %zx %-20s" */
	if (strncmp(msg, pid, strlen(pid)) == 0)
		c->n++;
	return 0;
}

/* Slots of the reader table held by PID, read without clearing anything. */
static int readers_of(pid_t pid)
{
	struct { pid_t pid; int n; } c = { pid, 0 };
	MDB_env *env;

	assert_int_equal(mdb_env_create(&env), 0);
	assert_int_equal(mdb_env_set_maxdbs(env, 8), 0);
	assert_int_equal(mdb_env_open(env, dir, MDB_RDONLY, 0600), 0);
	mdb_reader_list(env, count_line, &c);
	mdb_env_close(env);
	return c.n;
}

/* Forks a process that opens the store (and with READ, begins a read transaction), says so
 * on the pipe and waits to be killed. */
static pid_t spawn_opener(int reading)
{
	static const char *const names[] = { "data", NULL };
	int fds[2];
	pid_t pid;
	char c;

	assert_int_equal(pipe(fds), 0);
	if ((pid = fork()) == 0) {
		struct store s;
		uint32_t found;
		MDB_txn *txn;
		if (store_open(&s, dir, names, STORE_REBUILDABLE, 0, 64 << 20, 1, &found) != OMG_OK ||
		    (reading && store_read_begin(&s, &txn) != OMG_OK))
			_exit(1);
		if (write(fds[1], "r", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	assert_int_equal(read(fds[0], &c, 1), 1);
	close(fds[0]);
	close(fds[1]);
	return pid;
}

/* A reader killed with SIGKILL keeps its slot, while another process has the environment
 * open, until mdb_reader_check runs: store_open runs it. */
static void test_stale_reader_cleared(void **state)
{
	static const char *const names[] = { "data", NULL };
	struct store s;
	uint32_t found;
	pid_t holder, reader;
	int st, dead = -1;
	(void)state;

	assert_int_equal(store_open(&s, dir, names, STORE_REBUILDABLE, 0, 64 << 20, 1, &found), OMG_OK);
	store_close(&s);
	holder = spawn_opener(0);
	reader = spawn_opener(1);
	kill(reader, SIGKILL);
	waitpid(reader, &st, 0);
	assert_int_equal(readers_of(reader), 1); /* the dead reader still holds its slot */
	assert_int_equal(store_open(&s, dir, names, STORE_REBUILDABLE, 0, 64 << 20, 1, &found), OMG_OK);
	assert_int_equal(mdb_reader_check(s.env, &dead), 0);
	assert_int_equal(dead, 0); /* store_open had freed it */
	store_close(&s);
	assert_int_equal(readers_of(reader), 0);
	kill(holder, SIGKILL);
	waitpid(holder, &st, 0);
}

/* A small db, stored and read back without a copy; then damage in it is refused. */
static void test_snapshot_roundtrip(void **state)
{
	struct db db, back;
	uint32_t p, v, a;
	int created;
	void *buf;
	size_t n;
	(void)state;

	assert_int_equal(db_init(&db), OMG_OK);
	a = db_str(&db, "amd64", 5);
	db.native_arch = a;
	p = db_pkg_get(&db, "bash", 4, a, 1);
	v = db_ver_get(&db, p, "5.2.15-2", 8, &created);
	db.pkgs[p].inst = db.pkgs[p].cand = v;
	db.vers[v].desc = db_str(&db, "GNU Bourne Again SHell", 22);
	db_pkg_get(&db, "zsh", 3, a, 1);
	assert_int_equal(db_cmd_add(&db, "bash", 4, "bash", 4, "/bin/bash", 9, 1), OMG_OK);
	assert_int_equal(db_input_add(&db, "/nonexistent/omg-test"), OMG_OK);
	db.counts.total = 1;
	assert_int_equal(db_finish(&db), OMG_OK);
	n = snapshot_size(&db);
	assert_int_equal(posix_memalign(&buf, 8, n), 0);
	snapshot_write(&db, buf);
	assert_int_equal(snapshot_read(buf, n, &back, 0), OMG_OK);
	assert_int_equal(back.npkgs, 2);
	assert_int_equal(back.counts.total, 1);
	assert_int_equal(db_lookup(&back, "bash"), p);
	assert_string_equal(db_s(&back, back.vers[back.pkgs[p].inst].version), "5.2.15-2");
	{
		const char *why;
		/* the missing input is still missing: current (the racy rule needs an old ctime,
		 * which a missing file does not have) */
		assert_int_equal(snapshot_current(&back, &why), 1);
	}
	/* damage anywhere after the header: refused by the checksum */
	((uint8_t *)buf)[n - 3] ^= 0x40;
	assert_int_equal(snapshot_read(buf, n, &back, 0), OMG_E_CORRUPT);
	/* the same damage with the checksum skipped (as the fuzzer does) still never
	 * yields an index with an out-of-range offset */
	((uint8_t *)buf)[n - 3] ^= 0x40;
	assert_int_equal(snapshot_read(buf, n - 8, &back, 0), OMG_E_CORRUPT);
	free(buf);
	db_free(&db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_chain_intact, setup, teardown),
		cmocka_unit_test_setup_teardown(test_edited_record, setup, teardown),
		cmocka_unit_test_setup_teardown(test_edited_and_rehashed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deleted_record, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deleted_last_record, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reordered_records, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unreadable_record, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_pages, setup, teardown),
		cmocka_unit_test_setup_teardown(test_newer_format_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pruned_chain_verifies, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pruned_first_deleted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pruned_anchor_edited, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pruned_first_replaced, setup, teardown),
		cmocka_unit_test_setup_teardown(test_first_deleted_no_anchor, setup, teardown),
		cmocka_unit_test(test_pruned_parse),
		cmocka_unit_test_setup_teardown(test_map_grows, setup, teardown),
		cmocka_unit_test_setup_teardown(test_audit_grows_while_read, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cut_tail_head_rewritten, setup, teardown),
		cmocka_unit_test_setup_teardown(test_log_deleted_or_swapped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_index_format_mismatch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stale_reader_cleared, setup, teardown),
		cmocka_unit_test(test_snapshot_roundtrip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
