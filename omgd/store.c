/* store.c — see store.h. */
#include "config.h"
#include "store.h"
#include "omg_error.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int store_error(int rc, const char *what)
{
	switch (rc) {
	case MDB_SUCCESS:
		return OMG_OK;
	case ENOMEM:
		return OMG_ERROR(OMG_E_NOMEM, "%s: %s", what, mdb_strerror(rc));
	case MDB_CORRUPTED:
	case MDB_PAGE_NOTFOUND:
	case MDB_INVALID:
	case MDB_BAD_DBI:
	case MDB_INCOMPATIBLE:
		return OMG_ERROR(OMG_E_CORRUPT, "%s: %s", what, mdb_strerror(rc));
	case MDB_VERSION_MISMATCH:
		return OMG_ERROR(OMG_E_VERSION, "%s: %s", what, mdb_strerror(rc));
	case EACCES:
	case EPERM:
	case EROFS:
		return OMG_ERROR(OMG_E_PERM, "%s: %s", what, mdb_strerror(rc));
	default:
		return OMG_ERROR(OMG_E_SYS, "%s: %s", what, mdb_strerror(rc));
	}
}

/* mkdir -p with mode 0700 for what we create; an existing directory is kept as it is. */
static int make_dirs(const char *dir)
{
	char p[4096];
	size_t n = strlen(dir);

	if (n == 0 || n >= sizeof p)
		return OMG_ERROR(OMG_E_INVAL, "store directory: bad path");
	memcpy(p, dir, n + 1);
	for (size_t i = 1; i <= n; i++) {
		if (p[i] != '/' && p[i] != 0)
			continue;
		p[i] = 0;
		if (mkdir(p, 0700) != 0 && errno != EEXIST)
			return store_error(errno, p);
		p[i] = dir[i];
	}
	return OMG_OK;
}

static int put_format(struct store *s, MDB_txn *txn)
{
	uint8_t v[4] = { (uint8_t)s->format, (uint8_t)(s->format >> 8), (uint8_t)(s->format >> 16),
			 (uint8_t)(s->format >> 24) };
	MDB_val k = { 6, (void *)"format" }, d = { sizeof v, v };

	return mdb_put(txn, s->meta, &k, &d, 0);
}

int store_read_begin(struct store *s, MDB_txn **txn)
{
	int rc = mdb_txn_begin(s->env, NULL, MDB_RDONLY, txn), dead;

	if (rc == MDB_READERS_FULL) {
		/* Slots held by killed processes: free them and try once more. */
		mdb_reader_check(s->env, &dead);
		rc = mdb_txn_begin(s->env, NULL, MDB_RDONLY, txn);
	}
	return rc ? store_error(rc, s->path) : OMG_OK;
}

int store_write(struct store *s, store_write_fn fn, void *ctx)
{
	for (;;) {
		MDB_txn *txn;
		int rc = mdb_txn_begin(s->env, NULL, 0, &txn), dead;

		if (rc == MDB_READERS_FULL) {
			mdb_reader_check(s->env, &dead);
			rc = mdb_txn_begin(s->env, NULL, 0, &txn);
		}
		if (rc)
			return store_error(rc, s->path);
		rc = fn(s, txn, ctx);
		if (rc == MDB_SUCCESS)
			rc = mdb_txn_commit(txn);
		else
			mdb_txn_abort(txn);
		if (rc <= STORE_OMG(1) && rc > STORE_OMG(OMG_E__COUNT))
			return STORE_OMG(0) - rc;
		if (rc != MDB_MAP_FULL)
			return store_error(rc, s->path);
		/* The transaction is dead: grow the map and redo the whole batch. */
		for (int waited = 0; atomic_load(&s->borrowed) > 0; waited++) {
			struct timespec ms = { 0, 1000000 };
			if (waited == STORE_GROW_WAIT_MS)
				return OMG_ERROR(OMG_E_TOOBIG, "%s: map full, and a stored index still uses it", s->path);
			nanosleep(&ms, NULL);
		}
		if (s->map_size >= s->map_cap)
			return OMG_ERROR(OMG_E_TOOBIG, "%s: map full at its cap of %zu MiB", s->path, s->map_cap >> 20);
		s->map_size = s->map_size * 2 > s->map_cap ? s->map_cap : s->map_size * 2;
		if ((rc = mdb_env_set_mapsize(s->env, s->map_size)) != 0)
			return store_error(rc, "mdb_env_set_mapsize");
		s->grows++;
	}
}

static int read_format(struct store *s, MDB_txn *txn, uint32_t *found, int *fresh)
{
	MDB_val k = { 6, (void *)"format" }, d;
	int rc = mdb_get(txn, s->meta, &k, &d);
	const uint8_t *p = d.mv_data;

	*fresh = rc == MDB_NOTFOUND;
	if (rc == MDB_NOTFOUND)
		return OMG_OK;
	if (rc)
		return store_error(rc, s->path);
	if (d.mv_size != 4)
		return OMG_ERROR(OMG_E_CORRUPT, "%s: format record of %zu bytes", s->path, d.mv_size);
	*found = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
	return OMG_OK;
}

struct open_ctx {
	const char *const *names;
	uint32_t *found;
	int fresh;
};

static int open_dbs(struct store *s, MDB_txn *txn, void *arg)
{
	struct open_ctx *o = arg;
	int rc = mdb_dbi_open(txn, "meta", MDB_CREATE, &s->meta);

	for (int i = 0; !rc && o->names[i]; i++)
		rc = mdb_dbi_open(txn, o->names[i], MDB_CREATE, &s->dbi[i]);
	if (rc)
		return rc;
	if ((rc = read_format(s, txn, o->found, &o->fresh)) != OMG_OK)
		return STORE_OMG(rc);
	return o->fresh ? put_format(s, txn) : MDB_SUCCESS;
}

int store_open(struct store *s, const char *dir, const char *const *names, enum store_mode mode,
	       size_t map_size, size_t map_cap, uint32_t format, uint32_t *found)
{
	struct open_ctx o = { .names = names, .found = found };
	unsigned flags = mode == STORE_REBUILDABLE ? MDB_NOMETASYNC : 0;
	int rc, dead;

	memset(s, 0, sizeof *s);
	snprintf(s->path, sizeof s->path, "%s", dir);
	s->format = format;
	s->map_size = map_size ? map_size : STORE_MAP_INITIAL;
	s->map_cap = map_cap < s->map_size ? s->map_size : map_cap;
	*found = format;
	for (s->ndbi = 0; names[s->ndbi]; s->ndbi++)
		if (s->ndbi == STORE_MAX_DBS)
			return OMG_ERROR(OMG_E_INVAL, "store: too many databases");
	if ((rc = make_dirs(dir)) != OMG_OK)
		return rc;
	if ((rc = mdb_env_create(&s->env)) != 0)
		return store_error(rc, "mdb_env_create");
	if ((rc = mdb_env_set_maxdbs(s->env, STORE_MAX_DBS + 1)) != 0 ||
	    (rc = mdb_env_set_mapsize(s->env, s->map_size)) != 0 ||
	    /* MDB_NOTLS: a read transaction may end on another thread than its own (a stored
	     * index is released by the event loop). */
	    (rc = mdb_env_open(s->env, dir, flags | MDB_NOTLS, 0600)) != 0) {
		rc = store_error(rc, dir);
		goto fail;
	}
	/* Readers left by a killed omgd hold their slots until checked. */
	mdb_reader_check(s->env, &dead);
	/* A map written larger by an earlier run: adopt its size. */
	{
		MDB_envinfo info;
		if (mdb_env_info(s->env, &info) == 0 && info.me_mapsize > s->map_size)
			s->map_size = info.me_mapsize;
	}
	if ((rc = store_write(s, open_dbs, &o)) != OMG_OK)
		goto fail;
	if (*found != format)
		return OMG_ERROR(OMG_E_VERSION, "%s: written in store format %u; this omgd uses format %u",
				 dir, *found, format);
	return OMG_OK;
fail:
	mdb_env_close(s->env);
	s->env = NULL;
	return rc;
}

static int reset_all(struct store *s, MDB_txn *txn, void *ctx)
{
	int rc = 0;

	(void)ctx;
	for (int i = 0; !rc && i < s->ndbi; i++)
		rc = mdb_drop(txn, s->dbi[i], 0);
	if (!rc)
		rc = mdb_drop(txn, s->meta, 0);
	return rc ? rc : put_format(s, txn);
}

int store_reset(struct store *s)
{
	return store_write(s, reset_all, NULL);
}

void store_close(struct store *s)
{
	if (s->env)
		mdb_env_close(s->env);
	s->env = NULL;
}

int store_default_dir(char *buf, size_t size)
{
	const char *v;
	int n;

	if ((v = getenv("STATE_DIRECTORY")) && v[0] == '/') {
		/* systemd may pass several, separated by ':': the first is ours. */
		const char *colon = strchr(v, ':');
		n = snprintf(buf, size, "%.*s", colon ? (int)(colon - v) : (int)strlen(v), v);
	} else if ((v = getenv("XDG_CACHE_HOME")) && v[0] == '/') {
		n = snprintf(buf, size, "%s/omg", v);
	} else if ((v = getenv("HOME")) && v[0] == '/' && strcmp(v, "/")) {
		n = snprintf(buf, size, "%s/.cache/omg", v);
	} else if (geteuid() == 0) {
		n = snprintf(buf, size, "/var/lib/omg");
	} else {
		return OMG_ERROR(OMG_E_INVAL, "no store directory: set XDG_CACHE_HOME or HOME, or pass --store");
	}
	if (n < 0 || (size_t)n >= size)
		return OMG_ERROR(OMG_E_TOOBIG, "store directory path too long");
	return OMG_OK;
}
