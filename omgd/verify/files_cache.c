/* files_cache.c — the verification cache (files.h): its own LMDB environment.
 *
 *   files  key "PKG\0PATH", value struct centry: the stat the digest was computed for, when,
 *          and the digest (MD5 for dpkg, SHA-256 or MD5 for Arch: the kind is kept)
 *   pkgs   key "PKG", value its version: a different version drops the package's files
 *
 * Rebuildable (MDB_NOMETASYNC): a lost commit costs a rehash, never a wrong answer, because an
 * entry is used only when every stat field equals the file's. Lookups use one read
 * transaction, renewed after each flush; changes are queued in memory and written in one
 * transaction every CACHE_BATCH of them, so a stopped run keeps what it hashed.
 */
#include "config.h"

#include "verify/files_int.h"

#include "grow.h"
#include "omg_error.h"
#include "store.h"

#include <lmdb.h>
#include <stdlib.h>
#include <string.h>

#define CACHE_FORMAT 1u
#define CACHE_BATCH 4096
#define CACHE_MAP_CAP (1ull << 30)

enum { DBI_FILES, DBI_PKGS };
enum { OP_PUT_FILE = 1, OP_DROP_PKG, OP_PUT_VERSION, OP_DEL_VERSION };

struct centry {
	uint64_t dev, ino, size, mtime_ns, ctime_ns, hashed_at_ns;
	uint8_t kind, pad[7];
	uint8_t digest[VF_DIGEST_MAX];
};

struct verify_cache {
	struct store s;
	MDB_txn *rtxn;
	uint8_t *ops;              /* queued: op (1), key length (4), value length (4), key, value */
	size_t nops_bytes, cap_ops, nops;
	int cur_stale;             /* the current package's version changed: its entries are dropped */
	char **seen;               /* the packages of this run (vf_cache_prune) */
	size_t nseen, cap_seen;
	char key[VERIFY_PATH_MAX + 512];
};

int verify_cache_open(struct verify_cache **out, const char *dir)
{
	static const char *const names[] = { "files", "pkgs", NULL };
	struct verify_cache *c = calloc(1, sizeof *c);
	uint32_t found;
	int rc;

	*out = NULL;
	if (!c)
		return OMG_ERROR(OMG_E_NOMEM, "verification cache");
	rc = store_open(&c->s, dir, names, STORE_REBUILDABLE, 0, CACHE_MAP_CAP, CACHE_FORMAT, &found);
	if (rc == OMG_E_VERSION)
		rc = store_reset(&c->s); /* a cache: another format is dropped, not refused */
	if (rc != OMG_OK)
		goto fail;
	*out = c;
	return OMG_OK;
fail:
	store_close(&c->s);
	free(c);
	return rc;
}

static void end_read(struct verify_cache *c)
{
	if (c->rtxn)
		mdb_txn_abort(c->rtxn);
	c->rtxn = NULL;
}

void verify_cache_close(struct verify_cache *c)
{
	if (!c)
		return;
	end_read(c);
	store_close(&c->s);
	free(c->ops);
	for (size_t i = 0; i < c->nseen; i++)
		free(c->seen[i]);
	free(c->seen);
	free(c);
}

static int queue_op(struct verify_cache *c, int op, const void *k, uint32_t kl, const void *v, uint32_t vl)
{
	size_t need = 9 + (size_t)kl + vl;

	if (omg_grow(&c->ops, &c->cap_ops, c->nops_bytes + need, 1, OMG_GROW_UNBOUNDED) != OMG_OK)
		return OMG_ERROR(OMG_E_NOMEM, "verification cache");
	c->ops[c->nops_bytes] = (uint8_t)op;
	memcpy(c->ops + c->nops_bytes + 1, &kl, 4);
	memcpy(c->ops + c->nops_bytes + 5, &vl, 4);
	memcpy(c->ops + c->nops_bytes + 9, k, kl);
	if (vl)
		memcpy(c->ops + c->nops_bytes + 9 + kl, v, vl);
	c->nops_bytes += need;
	c->nops++;
	return OMG_OK;
}

/* Queues a change, written with the next flush (every CACHE_BATCH changes). */
static int queue(struct verify_cache *c, int op, const void *k, uint32_t kl, const void *v, uint32_t vl)
{
	int rc = queue_op(c, op, k, kl, v, vl);

	return rc == OMG_OK && c->nops >= CACHE_BATCH ? vf_cache_flush(c) : rc;
}

/* Queues a change without flushing (while a cursor of the read transaction is open). */
static int queue_nowrite(struct verify_cache *c, int op, const char *k, uint32_t kl)
{
	return queue_op(c, op, k, kl, NULL, 0);
}

/* Deletes every "PKG\0..." key of the files database. */
static int drop_pkg(struct store *s, MDB_txn *txn, const uint8_t *pkg, uint32_t len)
{
	char prefix[512];
	MDB_cursor *cur;
	MDB_val k, v;
	int rc;

	if (len >= sizeof prefix)
		return 0; /* such a name is never cached (make_key) */
	memcpy(prefix, pkg, len);
	prefix[len] = 0;
	if ((rc = mdb_cursor_open(txn, s->dbi[DBI_FILES], &cur)) != 0)
		return rc;
	while (!rc) {
		/* "PKG\0" sorts before PKG's first file; sought again after each delete, as
		 * where a cursor stands after one is not worth relying on */
		k = (MDB_val){ (size_t)len + 1, prefix };
		if ((rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE)) != 0)
			break;
		if (k.mv_size <= len || memcmp(k.mv_data, prefix, (size_t)len + 1))
			break;
		rc = mdb_cursor_del(cur, 0);
	}
	mdb_cursor_close(cur);
	return rc == MDB_NOTFOUND ? 0 : rc;
}

static int apply(struct store *s, MDB_txn *txn, void *ctx)
{
	struct verify_cache *c = ctx;
	size_t at = 0;
	int rc = 0;

	while (!rc && at < c->nops_bytes) {
		uint32_t kl, vl;
		uint8_t op = c->ops[at];
		MDB_val k, v;

		memcpy(&kl, c->ops + at + 1, 4);
		memcpy(&vl, c->ops + at + 5, 4);
		k = (MDB_val){ kl, c->ops + at + 9 };
		v = (MDB_val){ vl, c->ops + at + 9 + kl };
		if (op == OP_PUT_FILE)
			rc = mdb_put(txn, s->dbi[DBI_FILES], &k, &v, 0);
		else if (op == OP_PUT_VERSION)
			rc = mdb_put(txn, s->dbi[DBI_PKGS], &k, &v, 0);
		else if (op == OP_DEL_VERSION)
			rc = (rc = mdb_del(txn, s->dbi[DBI_PKGS], &k, NULL)) == MDB_NOTFOUND ? 0 : rc;
		else
			rc = drop_pkg(s, txn, k.mv_data, kl);
		at += 9 + (size_t)kl + vl;
	}
	return rc;
}

int vf_cache_flush(struct verify_cache *c)
{
	int rc;

	if (!c || !c->nops)
		return OMG_OK;
	end_read(c);
	rc = store_write(&c->s, apply, c);
	c->nops = c->nops_bytes = 0;
	return rc;
}

static int begin_read(struct verify_cache *c)
{
	return c->rtxn ? OMG_OK : store_read_begin(&c->s, &c->rtxn);
}

int vf_cache_pkg(struct verify_cache *c, const char *pkg, const char *version)
{
	MDB_val k = { strlen(pkg), (void *)pkg }, v;
	size_t vl = strlen(version);
	int rc;

	c->cur_stale = 0;
	if (omg_grow(&c->seen, &c->cap_seen, c->nseen + 1, sizeof *c->seen, OMG_GROW_UNBOUNDED) != OMG_OK)
		return OMG_ERROR(OMG_E_NOMEM, "verification cache");
	if (!(c->seen[c->nseen] = strdup(pkg)))
		return OMG_ERROR(OMG_E_NOMEM, "verification cache");
	c->nseen++;
	if ((rc = begin_read(c)) != OMG_OK)
		return rc;
	rc = mdb_get(c->rtxn, c->s.dbi[DBI_PKGS], &k, &v);
	if (rc && rc != MDB_NOTFOUND)
		return store_error(rc, "verification cache");
	if (!rc && v.mv_size == vl && !memcmp(v.mv_data, version, vl))
		return OMG_OK;
	c->cur_stale = 1;
	if ((rc = queue(c, OP_DROP_PKG, pkg, (uint32_t)k.mv_size, NULL, 0)) != OMG_OK)
		return rc;
	return queue(c, OP_PUT_VERSION, pkg, (uint32_t)k.mv_size, version, (uint32_t)vl);
}

static size_t make_key(struct verify_cache *c, const char *pkg, const char *path)
{
	size_t pl = strlen(pkg), fl = strlen(path);

	if (pl >= 512 || pl + 1 + fl > sizeof c->key)
		return 0;
	memcpy(c->key, pkg, pl);
	c->key[pl] = 0;
	memcpy(c->key + pl + 1, path, fl);
	return pl + 1 + fl;
}

static void fill(struct centry *e, const struct stat *st)
{
	memset(e, 0, sizeof *e);
	e->dev = (uint64_t)st->st_dev;
	e->ino = (uint64_t)st->st_ino;
	e->size = (uint64_t)st->st_size;
	e->mtime_ns = (uint64_t)st->st_mtim.tv_sec * 1000000000u + (uint64_t)st->st_mtim.tv_nsec;
	e->ctime_ns = (uint64_t)st->st_ctim.tv_sec * 1000000000u + (uint64_t)st->st_ctim.tv_nsec;
}

int vf_cache_get(struct verify_cache *c, const char *pkg, const char *path, const struct stat *st, int kind,
		 uint8_t *out)
{
	struct centry want, have;
	MDB_val k, v;
	size_t kl;

	if (c->cur_stale || !(kl = make_key(c, pkg, path)) || begin_read(c) != OMG_OK)
		return 0;
	k = (MDB_val){ kl, c->key };
	if (mdb_get(c->rtxn, c->s.dbi[DBI_FILES], &k, &v) != 0 || v.mv_size != sizeof have)
		return 0;
	memcpy(&have, v.mv_data, sizeof have);
	fill(&want, st);
	/* a change within VF_RACY_NS of the hashing may share its timestamps: not trusted */
	if (have.kind != kind || have.dev != want.dev || have.ino != want.ino || have.size != want.size ||
	    have.mtime_ns != want.mtime_ns || have.ctime_ns != want.ctime_ns ||
	    have.ctime_ns + VF_RACY_NS > have.hashed_at_ns || have.mtime_ns + VF_RACY_NS > have.hashed_at_ns)
		return 0;
	memcpy(out, have.digest, vf_digest_len(kind));
	return 1;
}

int vf_cache_put(struct verify_cache *c, const char *pkg, const char *path, const struct stat *st, int kind,
		 const uint8_t *digest, uint64_t hashed_at_ns)
{
	struct centry e;
	size_t kl = make_key(c, pkg, path);

	if (!kl)
		return OMG_OK; /* not cached: hashed again next time */
	fill(&e, st);
	e.kind = (uint8_t)kind;
	e.hashed_at_ns = hashed_at_ns;
	memcpy(e.digest, digest, vf_digest_len(kind));
	return queue(c, OP_PUT_FILE, c->key, (uint32_t)kl, &e, sizeof e);
}

int verify_cache_count(struct verify_cache *c, uint64_t *files, uint64_t *packages)
{
	MDB_stat st;
	int rc;

	if ((rc = vf_cache_flush(c)) != OMG_OK || (rc = begin_read(c)) != OMG_OK)
		return rc;
	if ((rc = mdb_stat(c->rtxn, c->s.dbi[DBI_FILES], &st)) != 0)
		return store_error(rc, "verification cache");
	*files = st.ms_entries;
	if ((rc = mdb_stat(c->rtxn, c->s.dbi[DBI_PKGS], &st)) != 0)
		return store_error(rc, "verification cache");
	*packages = st.ms_entries;
	return OMG_OK;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void vf_cache_forget_run(struct verify_cache *c)
{
	for (size_t i = 0; i < c->nseen; i++)
		free(c->seen[i]);
	c->nseen = 0;
}

int vf_cache_prune(struct verify_cache *c)
{
	char name[512];
	MDB_cursor *cur;
	MDB_val k, v;
	int rc, orc = OMG_OK, op = MDB_FIRST;

	if (c->nseen) /* qsort takes no NULL array, even empty */
		qsort(c->seen, c->nseen, sizeof *c->seen, cmp_str);
	if ((rc = vf_cache_flush(c)) != OMG_OK || (rc = begin_read(c)) != OMG_OK)
		return rc;
	if ((rc = mdb_cursor_open(c->rtxn, c->s.dbi[DBI_PKGS], &cur)) != 0)
		return store_error(rc, "verification cache");
	/* the names are queued while the read transaction walks: the queue is written after it */
	while ((rc = mdb_cursor_get(cur, &k, &v, op)) == 0) {
		const char *key = name;

		op = MDB_NEXT;
		if (k.mv_size >= sizeof name)
			continue;
		memcpy(name, k.mv_data, k.mv_size);
		name[k.mv_size] = 0;
		if (bsearch(&key, c->seen, c->nseen, sizeof *c->seen, cmp_str))
			continue;
		if ((orc = queue_nowrite(c, OP_DROP_PKG, name, (uint32_t)k.mv_size)) != OMG_OK ||
		    (orc = queue_nowrite(c, OP_DEL_VERSION, name, (uint32_t)k.mv_size)) != OMG_OK)
			break;
	}
	mdb_cursor_close(cur);
	if (orc != OMG_OK)
		return orc;
	if (rc != MDB_NOTFOUND)
		return store_error(rc, "verification cache");
	return vf_cache_flush(c);
}
