/* srccache.c — see srccache.h. */
#include "config.h"
#include "srccache.h"
#include "grow.h"
#include "omg_error.h"
#include "snapshot.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

enum { DBI_SOURCES = 0, DBI_SNAPSHOT = 1 };

struct src_header {
	uint32_t kind, malformed, damaged, reserved;
	uint64_t salt, read_at_ns, checksum;
	struct db_input id;      /* the file as it was read (path unused) */
};

struct pending {
	char *path;
	uint8_t *value;
	size_t len;
};

struct srccache {
	struct store *s;
	MDB_txn *rtxn;
	char key[4200], root[4096];
	uint64_t read_at_ns;
	struct pending *put;
	size_t nput, cap_put;
	char **used;
	size_t nused, cap_used;
	unsigned hits, parsed;
};

int srccache_open(struct srccache **out, struct store *s, const char *key, const char *root,
		  uint64_t read_at_ns)
{
	struct srccache *c = calloc(1, sizeof *c);

	if (!c)
		return OMG_ERROR(OMG_E_NOMEM, "source cache");
	c->s = s;
	snprintf(c->key, sizeof c->key, "%s", key);
	snprintf(c->root, sizeof c->root, "%s", root);
	c->read_at_ns = read_at_ns;
	*out = c;
	return OMG_OK;
}

static int note_used(struct srccache *c, const char *path)
{
	if (omg_grow(&c->used, &c->cap_used, c->nused + 1, sizeof *c->used, OMG_GROW_UNBOUNDED) != OMG_OK)
		return OMG_ERROR(OMG_E_NOMEM, "source cache");
	if (!(c->used[c->nused] = strdup(path)))
		return OMG_ERROR(OMG_E_NOMEM, "source cache");
	c->nused++;
	return OMG_OK;
}

int srccache_get(struct srccache *c, const char *path, const struct stat *st, uint32_t kind,
		 uint64_t salt, struct src_records *out)
{
	struct src_header h;
	struct db_input now = { 0 };
	MDB_val k = { strlen(path), (void *)path }, v;
	int rc;

	if (!c->rtxn && store_read_begin(c->s, &c->rtxn) != OMG_OK)
		return OMG_E_NOTFOUND;
	if ((rc = mdb_get(c->rtxn, c->s->dbi[DBI_SOURCES], &k, &v)) != 0)
		return rc == MDB_NOTFOUND ? OMG_E_NOTFOUND : store_error(rc, path);
	if (v.mv_size < sizeof h)
		return OMG_ERROR(OMG_E_CORRUPT, "%s: stored records too short", path);
	memcpy(&h, v.mv_data, sizeof h);
	db_input_fill(&now, st);
	if (h.kind != kind || h.salt != salt || h.id.size != now.size || h.id.mtime_ns != now.mtime_ns ||
	    h.id.ctime_ns != now.ctime_ns || h.id.ino != now.ino || h.id.dev != now.dev ||
	    h.id.ctime_ns + SNAPSHOT_RACY_NS > h.read_at_ns)
		return OMG_E_NOTFOUND;
	out->p = (const uint8_t *)v.mv_data + sizeof h;
	out->len = v.mv_size - sizeof h;
	if (store_checksum(out->p, out->len) != h.checksum)
		return OMG_ERROR(OMG_E_CORRUPT, "%s: stored records damaged", path);
	out->malformed = h.malformed;
	out->damaged = h.damaged;
	c->hits++;
	return note_used(c, path);
}

int srccache_put(struct srccache *c, const char *path, const struct stat *st, uint32_t kind,
		 uint64_t salt, uint32_t malformed, uint32_t damaged, const void *rec, size_t len)
{
	struct src_header h = { .kind = kind, .malformed = malformed, .damaged = damaged, .salt = salt,
				.read_at_ns = c->read_at_ns };
	struct pending *p;

	c->parsed++;
	if (omg_grow(&c->put, &c->cap_put, c->nput + 1, sizeof *c->put, OMG_GROW_UNBOUNDED) != OMG_OK)
			return OMG_ERROR(OMG_E_NOMEM, "source cache");
	db_input_fill(&h.id, st);
	h.checksum = store_checksum(rec, len);
	p = &c->put[c->nput];
	p->len = sizeof h + len;
	p->path = strdup(path);
	p->value = malloc(p->len);
	if (!p->path || !p->value) {
		free(p->path);
		free(p->value);
		return OMG_ERROR(OMG_E_NOMEM, "source cache");
	}
	memcpy(p->value, &h, sizeof h);
	if (len)
		memcpy(p->value + sizeof h, rec, len);
	c->nput++;
	return note_used(c, path);
}

void srccache_stats(const struct srccache *c, unsigned *hits, unsigned *parsed)
{
	*hits = c->hits;
	*parsed = c->parsed;
}

static int cmp_cstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

struct commit_ctx {
	struct srccache *c;
	const struct db *db;
};

static int commit_batch(struct store *s, MDB_txn *txn, void *arg)
{
	struct commit_ctx *cc = arg;
	struct srccache *c = cc->c;
	size_t rootlen = strlen(c->root);
	MDB_cursor *cur;
	MDB_val k, v;
	int rc;

	/* Records of sources under our root that this build did not use are gone. */
	if ((rc = mdb_cursor_open(txn, s->dbi[DBI_SOURCES], &cur)) != 0)
		return rc;
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		char path[4096], *pp = path;
		if (k.mv_size >= sizeof path)
			continue;
		memcpy(path, k.mv_data, k.mv_size);
		path[k.mv_size] = 0;
		if (strncmp(path, c->root, rootlen) != 0 ||
		    bsearch(&pp, c->used, c->nused, sizeof *c->used, cmp_cstr))
			continue;
		if ((rc = mdb_cursor_del(cur, 0)) != 0)
			break;
	}
	mdb_cursor_close(cur);
	if (rc != MDB_NOTFOUND && rc != 0)
		return rc;
	for (size_t i = 0; i < c->nput; i++) {
		k = (MDB_val){ strlen(c->put[i].path), c->put[i].path };
		v = (MDB_val){ c->put[i].len, c->put[i].value };
		if ((rc = mdb_put(txn, s->dbi[DBI_SOURCES], &k, &v, 0)) != 0)
			return rc;
	}
	if (cc->db) {
		k = (MDB_val){ strlen(c->key), c->key };
		v = (MDB_val){ snapshot_size(cc->db), NULL };
		/* MDB_RESERVE: write the snapshot straight into the map, no second copy. */
		if ((rc = mdb_put(txn, s->dbi[DBI_SNAPSHOT], &k, &v, MDB_RESERVE)) != 0)
			return rc;
		snapshot_write(cc->db, v.mv_data);
	}
	return 0;
}

int srccache_commit(struct srccache *c, const struct db *db)
{
	struct commit_ctx cc = { c, db };

	if (c->rtxn) {
		mdb_txn_abort(c->rtxn);
		c->rtxn = NULL;
	}
	if (c->nused)
		qsort(c->used, c->nused, sizeof *c->used, cmp_cstr);
	return store_write(c->s, commit_batch, &cc);
}

void srccache_close(struct srccache *c)
{
	if (!c)
		return;
	if (c->rtxn)
		mdb_txn_abort(c->rtxn);
	for (size_t i = 0; i < c->nput; i++) {
		free(c->put[i].path);
		free(c->put[i].value);
	}
	for (size_t i = 0; i < c->nused; i++)
		free(c->used[i]);
	free(c->put);
	free(c->used);
	free(c);
}

/* A borrowed snapshot: the db's arrays point into LMDB's map, and the read transaction
 * keeps LMDB from reusing those pages while the db lives. The map must not move meanwhile:
 * store_write waits for s->borrowed to drop to 0 before it grows the map. */
struct borrowed {
	struct store *s;
	MDB_txn *txn;
};

static void give_back(struct db *db)
{
	struct borrowed *b = db->release_ctx;

	mdb_txn_abort(b->txn);
	atomic_fetch_sub(&b->s->borrowed, 1);
	free(b);
}

int srccache_load_snapshot(struct store *s, const char *key, struct db *db)
{
	MDB_val k = { strlen(key), (void *)key }, v;
	struct borrowed *b = calloc(1, sizeof *b);
	int rc;

	memset(db, 0, sizeof *db);
	if (!b)
		return OMG_ERROR(OMG_E_NOMEM, "stored index");
	b->s = s;
	if ((rc = store_read_begin(s, &b->txn)) != OMG_OK) {
		free(b);
		return rc;
	}
	rc = mdb_get(b->txn, s->dbi[DBI_SNAPSHOT], &k, &v);
	if (rc == MDB_NOTFOUND)
		rc = OMG_E_NOTFOUND;
	else if (rc)
		rc = store_error(rc, "stored index");
	else {
#ifdef MADV_POPULATE_READ
		/* One call maps the ~3,000 pages the checksum is about to read, instead of a
		 * fault each (Linux >= 5.14; elsewhere it fails and the faults happen). */
		uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE), start = (uintptr_t)v.mv_data & ~(page - 1);
		madvise((void *)start, (uintptr_t)v.mv_data + v.mv_size - start, MADV_POPULATE_READ);
#endif
		rc = snapshot_read(v.mv_data, v.mv_size, db, 0);
	}
	if (rc != OMG_OK) {
		mdb_txn_abort(b->txn);
		free(b);
		return rc;
	}
	atomic_fetch_add(&s->borrowed, 1);
	db->release = give_back;
	db->release_ctx = b;
	return OMG_OK;
}
