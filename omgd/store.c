/* store.c — see store.h. */
#include "config.h"
#include "store.h"
#include "paths.h"
#include "omg_error.h"

#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ---- surviving a map cut under it ----------------------------------------------------
 * LMDB reads the store through a shared mapping of data.mdb: a page past the end of a file
 * truncated by someone else is SIGBUS on the first touch, in whichever thread touches it.
 * No check beforehand closes that window, so the fault itself is handled: when it lies in
 * a store's map (and not in the probe's child), one line goes to the log and omgd executes
 * itself afresh, whose store probe finds the damage and rebuilds. Every descriptor of
 * omgd is close-on-exec (its lock too), so the new image starts as a first one would. */
enum { GUARD_MAPS = 8, GUARD_AGAIN_S = 10 };
static const char *volatile guard_addr[GUARD_MAPS];
static volatile size_t guard_len[GUARD_MAPS];
static MDB_env *guard_env[GUARD_MAPS];
static char **guard_argv, **guard_envp;
static char guard_mark[64] = "OMGD_SIGBUS_REEXEC_AT=";
static pid_t guard_pid;
static int guard_armed;

/* Where ENV's data.mdb is mapped: LMDB does not say (me_mapaddr is only the MDB_FIXEDMAP
 * address), so the mapping of its file is found in /proc/self/maps by device and inode. */
static int map_of(MDB_env *env, const char **addr, size_t *len)
{
	struct stat st;
	mdb_filehandle_t fd;
	char line[4608];
	FILE *f;
	int found = 0;

	if (mdb_env_get_fd(env, &fd) != 0 || fstat(fd, &st) != 0 || !(f = fopen("/proc/self/maps", "re")))
		return 0;
	while (!found && fgets(line, sizeof line, f)) {
		unsigned long lo, hi, ino;
		unsigned maj, mn;
		if (sscanf(line, "%lx-%lx %*s %*s %x:%x %lu", &lo, &hi, &maj, &mn, &ino) == 5 &&
		    ino == (unsigned long)st.st_ino && maj == major(st.st_dev) && mn == minor(st.st_dev)) {
			*addr = (const char *)lo;
			*len = hi - lo;
			found = 1;
		}
	}
	fclose(f);
	return found;
}

static void guard_note(MDB_env *env)
{
	const char *addr;
	size_t len;
	int slot = -1;

	if (!guard_armed || !map_of(env, &addr, &len))
		return;
	for (int i = 0; i < GUARD_MAPS; i++)
		if (guard_env[i] == env || (slot < 0 && !guard_env[i]))
			slot = i;
	if (slot < 0)
		return;
	guard_addr[slot] = NULL; /* never a half-updated range */
	guard_len[slot] = len;
	guard_addr[slot] = addr;
	guard_env[slot] = env;
}

static void guard_forget(MDB_env *env)
{
	for (int i = 0; i < GUARD_MAPS; i++)
		if (guard_env[i] == env) {
			guard_addr[i] = NULL;
			guard_env[i] = NULL;
		}
}

static void guard_say(const char *m)
{
	ssize_t r = write(STDERR_FILENO, m, strlen(m));
	(void)r;
}

static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
	const char *a = si->si_addr;
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	struct timespec now;
	int i;

	(void)uc;
	for (i = 0; i < GUARD_MAPS; i++)
		if (guard_addr[i] && a >= guard_addr[i] && a < guard_addr[i] + guard_len[i])
			break;
	if (i < GUARD_MAPS && getpid() == guard_pid) {
		char digits[24];
		size_t n = 0, at = strlen("OMGD_SIGBUS_REEXEC_AT=");
		clock_gettime(CLOCK_REALTIME, &now);
		for (long long t = now.tv_sec; n == 0 || t; t /= 10)
			digits[n++] = (char)('0' + t % 10);
		while (n)
			guard_mark[at++] = digits[--n];
		guard_mark[at] = 0;
		guard_say("omgd: SIGBUS in the store's map (data.mdb cut under it): starting afresh\n");
		execve("/proc/self/exe", guard_argv, guard_envp);
		guard_say("omgd: cannot start afresh: dying of SIGBUS\n");
	}
	/* Not ours, or no way out: the default action, when the access is retried. */
	sigaction(sig, &dfl, NULL);
}

void store_guard_install(char **argv)
{
	extern char **environ;
	const char *last = getenv("OMGD_SIGBUS_REEXEC_AT");
	struct sigaction sa = { .sa_sigaction = on_sigbus, .sa_flags = SA_SIGINFO | SA_NODEFER };
	size_t n = 0, k = 0;

	/* A fault again soon after such a start: die rather than loop. */
	if (last && time(NULL) - atoll(last) < GUARD_AGAIN_S)
		return;
	while (environ[n])
		n++;
	if (!(guard_envp = calloc(n + 2, sizeof *guard_envp)))
		return;
	for (size_t i = 0; i < n; i++)
		if (strncmp(environ[i], "OMGD_SIGBUS_REEXEC_AT=", 22) != 0)
			guard_envp[k++] = environ[i];
	guard_envp[k] = guard_mark;
	guard_argv = argv;
	guard_pid = getpid();
	/* NODEFER: SIGBUS must not stay blocked in the new image (execve keeps the mask). */
	if (sigaction(SIGBUS, &sa, NULL) == 0)
		guard_armed = 1;
}

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
	case ENOSPC:
	case EDQUOT:
		return OMG_ERROR(OMG_E_SYS, "%s: no space left on device", what);
	case EIO: {
		/* LMDB turns a short write into EIO, and a short write is what a full file
		 * system gives first: say which it is. */
		struct statvfs fs;
		if (what[0] == '/' && statvfs(what, &fs) == 0 && fs.f_bavail == 0)
			return OMG_ERROR(OMG_E_SYS, "%s: no space left on device", what);
		return OMG_ERROR(OMG_E_SYS, "%s: %s", what, mdb_strerror(rc));
	}
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
		guard_note(s->env);
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

/* Refuses a store directory that someone else could change under us: DIR must be a
 * directory owned by this user (or root) that no group or other may write; its parent
 * the same, or else sticky (as /tmp is: others cannot rename or remove our entries). */
static int check_owner(const char *path, int allow_sticky)
{
	struct stat st;
	uid_t me = geteuid();

	if (stat(path, &st) != 0)
		return store_error(errno, path);
	if (!S_ISDIR(st.st_mode))
		return OMG_ERROR(OMG_E_PERM, "store directory %s: not a directory", path);
	if (st.st_uid != me && st.st_uid != 0)
		return OMG_ERROR(OMG_E_PERM, "store directory %s: owned by uid %u, not by this user (%u) or root",
				 path, (unsigned)st.st_uid, (unsigned)me);
	if ((st.st_mode & (S_IWGRP | S_IWOTH)) && !(allow_sticky && (st.st_mode & S_ISVTX)))
		return OMG_ERROR(OMG_E_PERM, "store directory %s: writable by %s (mode %04o): refusing it", path,
				 (st.st_mode & S_IWOTH) ? "everyone" : "its group", (unsigned)(st.st_mode & 07777));
	return OMG_OK;
}

static int check_dirs(const char *dir)
{
	char parent[4096];
	const char *slash = strrchr(dir, '/');
	int rc = check_owner(dir, 0);

	if (rc != OMG_OK || !slash || slash == dir || (size_t)(slash - dir) >= sizeof parent)
		return rc;
	snprintf(parent, sizeof parent, "%.*s", (int)(slash - dir), dir);
	return check_owner(parent, 1);
}

/* LMDB maps lock.mdb and writes into the map while mdb_env_open sets it up. On a full file
 * system (a tmpfs above all) a page it extended the file to but could not get is SIGBUS at
 * that first touch, in mdb_env_open itself, before the guard knows the map (the verification
 * cache's thread died so when the index store had just filled the disk). The file's pages are
 * taken first, so that a full disk is ENOSPC here. An existing file is never made longer
 * (another process may have it mapped at its size); a new one gets the size LMDB gives it
 * for its default 126 readers. */
#define STORE_LOCK_BYTES 8192

static int lock_file_room(const char *dir)
{
	char path[4200];
	struct stat st;
	int fd, rc;

	if (snprintf(path, sizeof path, "%s/lock.mdb", dir) >= (int)sizeof path)
		return OMG_ERROR(OMG_E_TOOBIG, "%s: path too long", dir);
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600)) < 0)
		return store_error(errno, path);
	rc = fstat(fd, &st) != 0 ? errno : posix_fallocate(fd, 0, st.st_size > 0 ? st.st_size : STORE_LOCK_BYTES);
	close(fd);
	if (rc == EOPNOTSUPP || rc == EINVAL)
		rc = 0; /* a file system that cannot say: LMDB's own way, as before */
	return rc ? store_error(rc, path) : OMG_OK;
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
	if ((rc = make_dirs(dir)) != OMG_OK || (rc = check_dirs(dir)) != OMG_OK || (rc = lock_file_room(dir)) != OMG_OK)
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
	guard_note(s->env);
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
	guard_forget(s->env);
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

/* The child's walk: every record of every database, and the free list; the first and last
 * byte of each value (overflow pages must lie inside the file). Exit codes: 0 clean, 2 an
 * LMDB error, anything else a crash. */
static int walk_all(const char *dir)
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi main_db;
	MDB_cursor *cur;
	MDB_val k, v;
	volatile unsigned char sink = 0;
	int rc;

	if (mdb_env_create(&env) || mdb_env_set_maxdbs(env, 64) ||
	    mdb_env_open(env, dir, MDB_RDONLY | MDB_NOTLS, 0600) || mdb_txn_begin(env, NULL, MDB_RDONLY, &txn))
		return 2;
	if (mdb_cursor_open(txn, 0, &cur)) /* the free list */
		return 2;
	while ((rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) == 0)
		sink ^= v.mv_size ? ((unsigned char *)v.mv_data)[v.mv_size - 1] : 0;
	if (rc != MDB_NOTFOUND || mdb_dbi_open(txn, NULL, 0, &main_db))
		return 2;
	mdb_cursor_close(cur);
	if (mdb_cursor_open(txn, main_db, &cur))
		return 2;
	while ((rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) == 0) {
		char name[512];
		MDB_dbi dbi;
		MDB_cursor *c2;
		MDB_val k2, v2;
		int rc2;
		if (k.mv_size >= sizeof name)
			return 2;
		memcpy(name, k.mv_data, k.mv_size);
		name[k.mv_size] = 0;
		if (mdb_dbi_open(txn, name, 0, &dbi) || mdb_cursor_open(txn, dbi, &c2))
			return 2;
		while ((rc2 = mdb_cursor_get(c2, &k2, &v2, MDB_NEXT)) == 0)
			if (v2.mv_size)
				sink ^= ((unsigned char *)v2.mv_data)[0] ^ ((unsigned char *)v2.mv_data)[v2.mv_size - 1];
		if (rc2 != MDB_NOTFOUND)
			return 2;
		mdb_cursor_close(c2);
	}
	(void)sink;
	return rc == MDB_NOTFOUND ? 0 : 2;
}

/* One child walks DIRS[FROM..N) in order and reports one byte per directory on a pipe.
 * Returns how many it reported; *STOPPED: it died (or passed the deadline) on the next. */
static int probe_child(const char *const *dirs, int from, int n, int *res, int deadline_ms, int *stopped)
{
	struct pollfd p;
	int fds[2], got = 0, st;
	pid_t pid;

	*stopped = 0;
	if (pipe2(fds, O_CLOEXEC) != 0 || (pid = fork()) < 0)
		return -1;
	if (pid == 0) {
		/* Dying on a garbage page is this child's job: no handler (a sanitizer's
		 * included) should report it into omgd's log as if omgd had crashed. */
		int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
		signal(SIGSEGV, SIG_DFL);
		signal(SIGBUS, SIG_DFL);
		if (null >= 0)
			dup2(null, STDERR_FILENO);
		close(fds[0]);
		for (int i = from; i < n; i++) {
			char data[4200], r;
			snprintf(data, sizeof data, "%s/data.mdb", dirs[i]);
			r = access(data, F_OK) != 0 ? 0 : (char)walk_all(dirs[i]); /* nothing stored yet: fine */
			if (write(fds[1], &r, 1) != 1)
				_exit(3);
		}
		_exit(0);
	}
	close(fds[1]);
	p = (struct pollfd){ .fd = fds[0], .events = POLLIN };
	while (from + got < n) {
		char r;
		if (poll(&p, 1, deadline_ms) <= 0) { /* the deadline covers each directory's walk */
			kill(pid, SIGKILL);
			*stopped = 1;
			break;
		}
		if (read(fds[0], &r, 1) != 1) {
			*stopped = 1;
			break;
		}
		res[from + got++] = r;
	}
	close(fds[0]);
	waitpid(pid, &st, 0);
	if (*stopped)
		res[from + got] = WIFSIGNALED(st) && WTERMSIG(st) != SIGKILL ? 100 + WTERMSIG(st) : 99;
	return got;
}

int store_probe(const char *const *dirs, int n, int *results, int deadline_ms)
{
	for (int from = 0; from < n;) {
		int stopped, got = probe_child(dirs, from, n, results, deadline_ms, &stopped);
		if (got < 0)
			return OMG_ERROR(OMG_E_SYS, "store check: %s", strerror(errno));
		from += got + stopped; /* a walk that died is retried no further: that one is damaged */
		if (!stopped && got == 0)
			break;
	}
	for (int i = 0; i < n; i++)
		switch (results[i]) {
		case 0: results[i] = OMG_OK; break;
		case 2: results[i] = OMG_ERROR(OMG_E_CORRUPT, "%s: damaged pages (LMDB reports an error)", dirs[i]); break;
		case 99: results[i] = OMG_ERROR(OMG_E_CORRUPT, "%s: checking its pages took over %d ms", dirs[i], deadline_ms); break;
		default: results[i] = OMG_ERROR(OMG_E_CORRUPT, "%s: damaged pages (LMDB stops with signal %d on them)",
						 dirs[i], results[i] - 100);
		}
	return OMG_OK;
}

int store_reset(struct store *s)
{
	return store_write(s, reset_all, NULL);
}

void store_close(struct store *s)
{
	if (s->env) {
		guard_forget(s->env);
		mdb_env_close(s->env);
	}
	s->env = NULL;
}

int store_default_dir(char *buf, size_t size, const char *root)
{
	return omg_store_default_dir(buf, size, root);
}
