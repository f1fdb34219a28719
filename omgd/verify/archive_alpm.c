/* archive_alpm.c — the archive chain of an Arch root, as pacman trusts it (see archive.h):
 * each sync database's signature through libalpm's own check with the repository's SigLevel,
 * then every package file in the CacheDirs against the SHA-256 its sync database gives. */
#include "config.h"
#include "archive.h"
#include "grow.h"
#include "hex.h"
#include "omg_error.h"
#include "pacmanconf.h"

#include <alpm.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <mbedtls/sha256.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define READ_CHUNK (256u << 10)
/* pacman's default SigLevel (pacman/conf.c, config_new): signatures checked when present */
#define DEFAULT_LEVEL (ALPM_SIG_PACKAGE | ALPM_SIG_PACKAGE_OPTIONAL | ALPM_SIG_DATABASE | ALPM_SIG_DATABASE_OPTIONAL)

struct known {            /* a package a trusted sync database lists */
	const char *filename;
	const char *sha256;   /* hex, NULL when the database gives none */
	int repo;             /* its place in pacman.conf: the first one wins */
};

struct run {
	struct archive_report *r;
	const atomic_int *cancel;
	alpm_handle_t *h;
	const int *levels;    /* each repository's SigLevel, as registered */
	const struct archive_memo *memo; /* the last check's digests: NULL (--full) to read every package */
	struct archive_memo next;        /* this check's */
	char log[256];        /* libalpm's last error line while a database is checked */
};

/* libalpm's errors, kept as pacman would print the last one (the reason a database is refused). */
static void on_log(void *ctx, alpm_loglevel_t level, const char *fmt, va_list args)
{
	struct run *run = ctx;
	size_t n;

	if (!(level & ALPM_LOG_ERROR))
		return;
	vsnprintf(run->log, sizeof run->log, fmt, args);
	n = strlen(run->log);
	while (n && run->log[n - 1] == '\n')
		run->log[--n] = 0;
}

/* Every question declined: above all, no key is imported (which would fetch it over the
 * network); pacman -Sy --noconfirm would ask, omg only looks. */
static void on_question(void *ctx, alpm_question_t *q)
{
	(void)ctx;
	if (q->type == ALPM_QUESTION_IMPORT_KEY)
		q->import_key.import = 0;
	else
		q->any.answer = 0;
}

/* The words of a SigLevel line applied to *LEVEL and *MASK, as pacman's process_siglevel. */
static void siglevel_words(const char *words, int *level, int *mask)
{
	char buf[1024], *save = NULL;

	if (!words)
		return;
	snprintf(buf, sizeof buf, "%s", words);
	for (char *w = strtok_r(buf, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
		int pkg = 1, db = 1, set = 0, unset = 0;
		if (!strncmp(w, "Package", 7))
			w += 7, db = 0;
		else if (!strncmp(w, "Database", 8))
			w += 8, pkg = 0;
		if (!strcmp(w, "Never")) {
			unset = (pkg ? ALPM_SIG_PACKAGE : 0) | (db ? ALPM_SIG_DATABASE : 0);
		} else if (!strcmp(w, "Optional")) {
			set = (pkg ? ALPM_SIG_PACKAGE | ALPM_SIG_PACKAGE_OPTIONAL : 0) |
			      (db ? ALPM_SIG_DATABASE | ALPM_SIG_DATABASE_OPTIONAL : 0);
		} else if (!strcmp(w, "Required")) {
			set = (pkg ? ALPM_SIG_PACKAGE : 0) | (db ? ALPM_SIG_DATABASE : 0);
			unset = (pkg ? ALPM_SIG_PACKAGE_OPTIONAL : 0) | (db ? ALPM_SIG_DATABASE_OPTIONAL : 0);
		} else if (!strcmp(w, "TrustedOnly")) {
			unset = (pkg ? ALPM_SIG_PACKAGE_MARGINAL_OK | ALPM_SIG_PACKAGE_UNKNOWN_OK : 0) |
				(db ? ALPM_SIG_DATABASE_MARGINAL_OK | ALPM_SIG_DATABASE_UNKNOWN_OK : 0);
		} else if (!strcmp(w, "TrustAll")) {
			set = (pkg ? ALPM_SIG_PACKAGE_MARGINAL_OK | ALPM_SIG_PACKAGE_UNKNOWN_OK : 0) |
			      (db ? ALPM_SIG_DATABASE_MARGINAL_OK | ALPM_SIG_DATABASE_UNKNOWN_OK : 0);
		} else {
			continue; /* pacman stops at the line with an error; the level stays as it was */
		}
		*level = (*level | set) & ~unset;
		*mask |= set | unset;
	}
}

/* Repository R's level as pacman registers it: its own words over [options]' (merge_siglevel). */
static int repo_level(const struct pacmanconf *c, int r)
{
	int base = DEFAULT_LEVEL, bmask = 0, over = DEFAULT_LEVEL, omask = 0;

	siglevel_words(c->siglevel, &base, &bmask);
	siglevel_words(c->repo_siglevel[r], &over, &omask);
	return omask ? (over & omask) | (base & ~omask) : base;
}

/* Why libalpm refused DB, from its own signature results (the verdict is alpm_db_get_valid's). */
static void refused(struct run *run, alpm_db_t *db, int level, struct archive_source *s)
{
	alpm_siglist_t sl = { 0 };
	struct archive_sig_result *g = &s->sig;

	g->verdict = ARCHIVE_SIG_BAD;
	if (alpm_db_check_pgp_signature(db, &sl) == 0) {
		for (size_t i = 0; i < sl.count; i++) {
			const alpm_sigresult_t *x = &sl.results[i];
			const char *who = x->key.uid ? x->key.uid : x->key.fingerprint ? x->key.fingerprint : "?";
			int good = x->status == ALPM_SIGSTATUS_VALID || x->status == ALPM_SIGSTATUS_KEY_EXPIRED;
			if (good && x->validity == ALPM_SIGVALIDITY_FULL)
				continue;
			if (x->status == ALPM_SIGSTATUS_KEY_UNKNOWN) {
				g->verdict = ARCHIVE_SIG_NOKEY;
				snprintf(g->detail, sizeof g->detail, "key %s is not in the keyring", who);
			} else if (x->status == ALPM_SIGSTATUS_SIG_EXPIRED) {
				g->verdict = ARCHIVE_SIG_EXPIRED;
				snprintf(g->detail, sizeof g->detail, "the signature by %s has expired", who);
			} else if (x->status == ALPM_SIGSTATUS_KEY_DISABLED) {
				snprintf(g->detail, sizeof g->detail, "key %s is disabled", who);
			} else if (x->status == ALPM_SIGSTATUS_INVALID) {
				snprintf(g->detail, sizeof g->detail, "the signature by %s does not verify", who);
			} else if (x->validity == ALPM_SIGVALIDITY_NEVER) {
				snprintf(g->detail, sizeof g->detail, "a signature by %s, a key never to be trusted", who);
			} else if (!(x->validity == ALPM_SIGVALIDITY_MARGINAL && (level & ALPM_SIG_DATABASE_MARGINAL_OK)) &&
				   !(x->validity == ALPM_SIGVALIDITY_UNKNOWN && (level & ALPM_SIG_DATABASE_UNKNOWN_OK))) {
				g->verdict = ARCHIVE_SIG_NOKEY;
				snprintf(g->detail, sizeof g->detail, "a signature by %s, a key of %s trust (pacman-key --lsign-key)",
					 who, x->validity == ALPM_SIGVALIDITY_MARGINAL ? "marginal" : "unknown");
			} else {
				continue;
			}
			break;
		}
		alpm_siglist_cleanup(&sl);
	}
	if (!g->detail[0])
		snprintf(g->detail, sizeof g->detail, "refused by libalpm: %.200s", run->log[0] ? run->log : alpm_strerror(ALPM_ERR_DB_INVALID_SIG));
}

/* The signer of DB's good signature, hex, into S (libalpm found it valid). */
static void signer(alpm_db_t *db, struct archive_source *s)
{
	alpm_siglist_t sl = { 0 };

	if (alpm_db_check_pgp_signature(db, &sl) != 0)
		return;
	for (size_t i = 0; i < sl.count; i++)
		if (sl.results[i].status == ALPM_SIGSTATUS_VALID || sl.results[i].status == ALPM_SIGSTATUS_KEY_EXPIRED) {
			snprintf(s->sig.signer, sizeof s->sig.signer, "%s", sl.results[i].key.fingerprint ? sl.results[i].key.fingerprint : "");
			if (sl.results[i].status == ALPM_SIGSTATUS_KEY_EXPIRED)
				snprintf(s->sig.detail, sizeof s->sig.detail, "the key has expired since (pacman accepts it)");
			break;
		}
	alpm_siglist_cleanup(&sl);
}

/* Repository R (registered as DB at LEVEL) into S. */
static void check_db(struct run *run, const struct pacmanconf *c, int r, alpm_db_t *db, int level, int valid,
		     struct archive_source *s)
{
	struct archive_sig_result *g = &s->sig;
	char sig[4200], pubring[4200];
	struct stat st;
	int has_sig;

	if (c->repo_server[r])
		snprintf(s->desc, sizeof s->desc, "%s (%.500s)", c->repos[r], c->repo_server[r]);
	else
		snprintf(s->desc, sizeof s->desc, "%s", c->repos[r]);
	snprintf(s->release, sizeof s->release, "%.3900s%ssync/%s.db", c->dbpath, c->dbpath[strlen(c->dbpath) - 1] == '/' ? "" : "/",
		 c->repos[r]);
	snprintf(sig, sizeof sig, "%.4090s.sig", s->release);
	snprintf(pubring, sizeof pubring, "%.4090s/pubring.gpg", c->gpgdir);
	snprintf(g->checker, sizeof g->checker, "libalpm");
	s->dates = ARCHIVE_DATES_OK;
	s->date = s->valid_until = -1;
	has_sig = stat(sig, &st) == 0;
	if (!db) {
		g->verdict = ARCHIVE_SIG_UNCHECKED;
		snprintf(g->detail, sizeof g->detail, "libalpm did not register it: %.200s", run->log);
	} else if (stat(s->release, &st) != 0) {
		g->verdict = ARCHIVE_SIG_MISSING;
		snprintf(g->detail, sizeof g->detail, "no sync database (pacman -Sy fetches it)");
	} else if (!(level & ALPM_SIG_DATABASE)) {
		g->verdict = ARCHIVE_SIG_TRUSTED;
		snprintf(g->detail, sizeof g->detail, "not checked, as pacman (SigLevel: databases Never)");
	} else if (!has_sig && valid == 0) {
		g->verdict = ARCHIVE_SIG_TRUSTED;
		snprintf(g->detail, sizeof g->detail, "unsigned, allowed by SigLevel Optional");
	} else if (!has_sig) {
		g->verdict = ARCHIVE_SIG_UNSIGNED;
		snprintf(g->detail, sizeof g->detail, "no %s.db.sig: pacman refuses it (SigLevel Required)", c->repos[r]);
	} else if (!(alpm_capabilities() & ALPM_CAPABILITY_SIGNATURES)) {
		g->verdict = ARCHIVE_SIG_UNCHECKED;
		snprintf(g->detail, sizeof g->detail, "libalpm was built without signature support (gpgme)");
	} else if (access(pubring, R_OK) != 0) {
		g->verdict = ARCHIVE_SIG_UNCHECKED;
		snprintf(g->detail, sizeof g->detail, "no keyring in %.200s (pacman-key --init)", c->gpgdir);
	} else if (valid == 0) {
		g->verdict = ARCHIVE_SIG_GOOD;
		signer(db, s);
	} else {
		refused(run, db, level, s);
	}
}

static int by_filename(const void *a, const void *b)
{
	const struct known *x = a, *y = b;
	int d = strcmp(x->filename, y->filename);

	return d ? d : x->repo - y->repo;
}

/* Every package of the databases libalpm trusts, by file name. */
static int collect(alpm_db_t **dbs, const struct archive_report *r, int n, struct known **out, size_t *nout)
{
	struct known *v = NULL;
	size_t cnt = 0, cap = 0;

	for (int i = 0; i < n; i++) {
		uint8_t vd = r->src[i].sig.verdict;
		if (!dbs[i] || (vd != ARCHIVE_SIG_GOOD && vd != ARCHIVE_SIG_TRUSTED))
			continue;
		for (alpm_list_t *l = alpm_db_get_pkgcache(dbs[i]); l; l = alpm_list_next(l)) {
			const char *fn = alpm_pkg_get_filename(l->data);
			if (!fn)
				continue;
			if (omg_grow(&v, &cap, cnt + 1, sizeof *v, OMG_GROW_UNBOUNDED) != OMG_OK) {
				free(v);
				return OMG_ERROR(OMG_E_NOMEM, "sync packages");
			}
			v[cnt++] = (struct known){ fn, alpm_pkg_get_sha256sum(l->data), i };
		}
	}
	if (cnt)
		qsort(v, cnt, sizeof *v, by_filename);
	*out = v;
	*nout = cnt;
	return OMG_OK;
}

static int find_filename(const void *key, const void *elem)
{
	return strcmp(key, ((const struct known *)elem)->filename);
}

static int is_package(const char *name)
{
	size_t n = strlen(name);

	return strstr(name, ".pkg.tar") && !(n > 4 && !strcmp(name + n - 4, ".sig")) && !(n > 5 && !strcmp(name + n - 5, ".part"));
}

/* PATH's SHA-256 against K's. */
static int check_package(struct run *run, const char *path, const struct known *k, unsigned char *chunk)
{
	mbedtls_sha256_context sha;
	unsigned char got[32];
	const unsigned char *known;
	char got_hex[65], detail[300];
	const char *name = strrchr(path, '/') + 1;
	struct stat st;
	ssize_t n = 0;
	int fd, rc;

	run->r->debs++;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)) < 0) {
		run->r->debs_bad++;
		return archive_add_finding(run->r, ARCHIVE_DEB_UNREADABLE, path, strerror(errno));
	}
	int have_st = fstat(fd, &st) == 0;

	if (have_st && (known = archive_memo_find(run->memo, name, &st))) {
		memcpy(got, known, 32); /* unchanged since the last check read it */
	} else {
		mbedtls_sha256_init(&sha);
		mbedtls_sha256_starts_ret(&sha, 0);
		while (!archive_cancelled(run->cancel) && (n = read(fd, chunk, READ_CHUNK)) > 0) {
			mbedtls_sha256_update_ret(&sha, chunk, (size_t)n);
			run->r->bytes += (uint64_t)n;
		}
		if (n < 0)
			n = -errno;
		mbedtls_sha256_finish_ret(&sha, got);
		mbedtls_sha256_free(&sha);
	}
	if (have_st && n >= 0 && !archive_cancelled(run->cancel) && (rc = archive_memo_add(&run->next, name, &st, got)) != OMG_OK) {
		close(fd);
		return rc;
	}
	close(fd);
	if (archive_cancelled(run->cancel))
		return OMG_ERROR(OMG_E_TIMEOUT, "verification stopped");
	if (n < 0) {
		run->r->debs_bad++;
		return archive_add_finding(run->r, ARCHIVE_DEB_UNREADABLE, path, strerror((int)-n));
	}
	hex_encode(got, 32, got_hex);
	if (!strcasecmp(got_hex, k->sha256)) {
		/* and its signature, when its repository's SigLevel asks for one, as pacman checks it
		 * before installing (libalpm: the .sig beside it, with the root's keyring) */
		int level = run->levels[k->repo];
		alpm_pkg_t *pkg = NULL;
		if (!(level & ALPM_SIG_PACKAGE))
			return OMG_OK;
		if (alpm_pkg_load(run->h, path, 0, level, &pkg) == 0) {
			alpm_pkg_free(pkg);
			return OMG_OK;
		}
		run->r->debs_bad++;
		snprintf(detail, sizeof detail, "its signature: %s", alpm_strerror(alpm_errno(run->h)));
		return archive_add_finding(run->r, ARCHIVE_DEB_CHANGED, path, detail);
	}
	run->r->debs_bad++;
	snprintf(detail, sizeof detail, "sha256 %s, its sync database: %.64s", got_hex, k->sha256);
	return archive_add_finding(run->r, ARCHIVE_DEB_CHANGED, path, detail);
}

/* Every package file of DIR: in a trusted database (K, N sorted) and hashing to its entry. */
static int check_cache(struct run *run, const char *dir, const struct known *k, size_t n)
{
	unsigned char *chunk = NULL;
	struct dirent *e;
	DIR *d = opendir(dir);
	size_t dirlen = strlen(dir);
	int rc = OMG_OK;

	while (dirlen > 1 && dir[dirlen - 1] == '/')
		dirlen--; /* CacheDir = /var/cache/pacman/pkg/ */

	if (!d)
		return OMG_OK; /* no cache: nothing kept */
	if (!(chunk = malloc(READ_CHUNK))) {
		closedir(d);
		return OMG_ERROR(OMG_E_NOMEM, "cached packages");
	}
	while (rc == OMG_OK && (e = readdir(d))) {
		char path[8300];
		const struct known *hit;
		struct stat st;
		if (archive_cancelled(run->cancel)) {
			rc = OMG_ERROR(OMG_E_TIMEOUT, "verification stopped");
			break;
		}
		if (e->d_name[0] == '.' || !is_package(e->d_name))
			continue;
		snprintf(path, sizeof path, "%.*s/%s", (int)dirlen, dir, e->d_name);
		if (lstat(path, &st) != 0 || !S_ISREG(st.st_mode))
			continue; /* regular files only, as pacman -Sc keeps them */
		hit = n ? bsearch(e->d_name, k, n, sizeof *k, find_filename) : NULL;
		while (hit && hit > k && !strcmp(hit[-1].filename, e->d_name))
			hit--; /* the first repository's, in pacman.conf order */
		if (!hit || !hit->sha256) {
			run->r->debs_unknown++;
			continue;
		}
		rc = check_package(run, path, hit, chunk);
	}
	free(chunk);
	closedir(d);
	return rc;
}

int archive_verify_alpm(const char *root, int64_t now, const atomic_int *cancel, struct archive_memo *memo, int full,
			struct archive_report *r)
{
	struct run run = { .r = r, .cancel = cancel, .memo = full ? NULL : memo };
	int levels[PACMANCONF_MAX_REPOS] = { 0 };
	struct pacmanconf conf;
	alpm_handle_t *h = NULL;
	alpm_errno_t aerr;
	alpm_db_t *dbs[PACMANCONF_MAX_REPOS] = { 0 };
	struct known *known = NULL;
	size_t nknown = 0;
	int rc, base = DEFAULT_LEVEL, mask = 0;

	(void)now; /* sync databases carry no dates */
	memset(r, 0, sizeof *r);
	if ((rc = pacmanconf_load(&conf, root, NULL)) != OMG_OK)
		goto fail;
	if (!(h = alpm_initialize(conf.rootdir, conf.dbpath, &aerr))) {
		rc = OMG_ERROR(OMG_E_SYS, "libalpm on %s: %s", conf.dbpath, alpm_strerror(aerr));
		goto fail;
	}
	siglevel_words(conf.siglevel, &base, &mask);
	alpm_option_set_gpgdir(h, conf.gpgdir);
	alpm_option_set_default_siglevel(h, base);
	alpm_option_set_logcb(h, on_log, &run);
	alpm_option_set_questioncb(h, on_question, NULL);
	if (conf.nrepos && !(r->src = calloc((size_t)conf.nrepos, sizeof *r->src))) {
		rc = OMG_ERROR(OMG_E_NOMEM, "sources");
		goto fail;
	}
	for (int i = 0; i < conf.nrepos; i++) {
		int level = levels[i] = repo_level(&conf, i), valid;
		if (archive_cancelled(cancel)) {
			rc = OMG_ERROR(OMG_E_TIMEOUT, "verification stopped");
			goto fail;
		}
		run.log[0] = 0;
		/* libalpm checks the signature as it registers the database (be_sync.c, sync_db_validate) */
		dbs[i] = alpm_register_syncdb(h, conf.repos[i], level);
		valid = dbs[i] ? alpm_db_get_valid(dbs[i]) : -1;
		if (!dbs[i] && !run.log[0])
			snprintf(run.log, sizeof run.log, "%s", alpm_strerror(alpm_errno(h)));
		check_db(&run, &conf, i, dbs[i], level, valid, &r->src[i]);
		r->nsrc++;
	}
	if ((rc = collect(dbs, r, conf.nrepos, &known, &nknown)) != OMG_OK)
		goto fail;
	run.h = h;
	run.levels = levels;
	for (int i = 0; rc == OMG_OK && i < conf.ncachedirs; i++)
		rc = check_cache(&run, conf.cachedir[i], known, nknown);
	if (rc == OMG_OK && memo) {
		archive_memo_sort(&run.next);
		archive_memo_free(memo);
		*memo = run.next;
		memset(&run.next, 0, sizeof run.next);
	}
fail:
	archive_memo_free(&run.next);
	free(known);
	if (h)
		alpm_release(h);
	pacmanconf_free(&conf);
	return rc;
}
