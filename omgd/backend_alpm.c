/* backend_alpm.c — Arch Linux: libalpm's local and sync databases, pacman.conf.
 *
 * Semantics (checked against pacman 6.0 on fixture databases by the tests):
 *  - installed (total): every package in the local database (pacman -Qq);
 *  - explicit: install reason explicit (pacman -Qqe);
 *  - orphans: reason "dependency", and no installed package depends on it (through
 *    depends or provides) nor lists it as an optional dependency (pacman -Qdtq: pacman 6.0's
 *    is_unrequired at level 1; only -Qdtt ignores optional dependencies);
 *  - updates: the first repository, in pacman.conf order, that has the name has a newer
 *    version (alpm_sync_get_new_version, as pacman -Qu); IgnorePkg'd packages still count
 *    (pacman -Qu lists them too) and carry the held flag;
 *  - the candidate of a package not installed: its version in the first repository having it;
 *  - versions order as vercmp (alpm_pkg_vercmp); no security count (no advisory data yet).
 * libalpm handles are not thread-safe: one handle, owned by the build thread, is kept open
 * from build to build (alpm_close_kept releases it when that thread ends). Each build
 * registers the sync databases afresh; the local database's cache is reused while DBPath/local
 * and every entry's desc file are as the cache read them (pacman -D edits one in place; the
 * check is snapshot_current's, racy rule included), otherwise the handle is replaced, since
 * libalpm cannot be told to forget its local cache. INFO's record is made during the build (pacman -Si / -Qi fields), so the event loop
 * never touches libalpm.
 */
#include "config.h"
#include "backend.h"
#include "grow.h"
#include "pkgfiles.h"
#include "omg_error.h"
#include "pacmanconf.h"
#include "revdeps.h"
#include "snapshot.h"

#include <alpm.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>

/* "a b c", or "None" as pacman prints an empty list. */
static void add_names(struct omg_buf *t, const char *key, const char *const *names, size_t n)
{
	omg_buf_addf(t, "%s:", key);
	if (!n)
		omg_buf_addf(t, " None");
	for (size_t i = 0; i < n; i++)
		omg_buf_addf(t, " %s", names[i]);
	omg_buf_addf(t, "\n");
}

static void add_strings(struct omg_buf *t, const char *key, alpm_list_t *l)
{
	omg_buf_addf(t, "%s:", key);
	if (!l)
		omg_buf_addf(t, " None");
	for (; l; l = alpm_list_next(l))
		omg_buf_addf(t, " %s", (const char *)l->data);
	omg_buf_addf(t, "\n");
}

static void add_deps(struct omg_buf *t, const char *key, alpm_list_t *l, int optional)
{
	omg_buf_addf(t, "%s:", key);
	if (!l)
		omg_buf_addf(t, " None");
	for (int first = 1; l; l = alpm_list_next(l), first = 0) {
		char *s = alpm_dep_compute_string(l->data);
		/* optional dependencies carry a reason: one per line, as pacman -Si shows them */
		omg_buf_addf(t, optional ? (first ? " %s" : "\n %s") : " %s", s ? s : "?");
		free(s);
	}
	omg_buf_addf(t, "\n");
}

static void add_size(struct omg_buf *t, const char *key, off_t size)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double v = (double)size;
	int u = 0;

	while (v >= 1024 && u < 4)
		v /= 1024, u++;
	omg_buf_addf(t, "%s: %.2f %s\n", key, v, units[u]);
}

static void add_date(struct omg_buf *t, const char *key, alpm_time_t when)
{
	char buf[64];
	time_t tt = (time_t)when;
	struct tm tm;

	if (when <= 0 || !gmtime_r(&tt, &tm) || !strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm))
		return;
	omg_buf_addf(t, "%s: %s\n", key, buf);
}

/* The INFO record of PKG: the fields of pacman -Si (REPO set) or -Qi (local, with RD). */
static void make_record(struct omg_buf *t, alpm_pkg_t *pkg, const char *repo, const struct revdeps *rd)
{
	const char *const *names;
	size_t n;

	t->len = 0;
	if (repo)
		omg_buf_addf(t, "Repository: %s\n", repo);
	omg_buf_addf(t, "Version: %s\nDescription: %s\n", alpm_pkg_get_version(pkg),
	     alpm_pkg_get_desc(pkg) ? alpm_pkg_get_desc(pkg) : "");
	omg_buf_addf(t, "Package-Architecture: %s\n", alpm_pkg_get_arch(pkg) ? alpm_pkg_get_arch(pkg) : "");
	if (alpm_pkg_get_url(pkg))
		omg_buf_addf(t, "URL: %s\n", alpm_pkg_get_url(pkg));
	add_strings(t, "Licenses", alpm_pkg_get_licenses(pkg));
	add_strings(t, "Groups", alpm_pkg_get_groups(pkg));
	add_deps(t, "Provides", alpm_pkg_get_provides(pkg), 0);
	add_deps(t, "Depends-On", alpm_pkg_get_depends(pkg), 0);
	add_deps(t, "Optional-Deps", alpm_pkg_get_optdepends(pkg), 1);
	if (!repo) {
		names = revdeps_of(rd, pkg, REVDEPS_REQUIRED_BY, &n);
		add_names(t, "Required-By", names, n);
		names = revdeps_of(rd, pkg, REVDEPS_OPTIONAL_FOR, &n);
		add_names(t, "Optional-For", names, n);
	} else {
		add_size(t, "Download-Size", alpm_pkg_get_size(pkg));
	}
	add_size(t, "Installed-Size", alpm_pkg_get_isize(pkg));
	if (alpm_pkg_get_packager(pkg))
		omg_buf_addf(t, "Packager: %s\n", alpm_pkg_get_packager(pkg));
	add_date(t, "Build-Date", alpm_pkg_get_builddate(pkg));
	if (!repo)
		add_date(t, "Install-Date", alpm_pkg_get_installdate(pkg));
}

struct alpm_build {
	struct db *db;
	struct omg_buf rec;
	const struct revdeps *local_rd; /* required-by and optional-for in the local database */
	uint32_t arch;           /* every instance is keyed by this one architecture name */
};

/* Adds (or finds) PKG's version under its name; stores its record. */
static uint32_t add_version(struct alpm_build *ab, alpm_pkg_t *pkg, uint32_t src, const char *repo)
{
	struct db *db = ab->db;
	const char *name = alpm_pkg_get_name(pkg), *ver = alpm_pkg_get_version(pkg);
	const char *desc = alpm_pkg_get_desc(pkg) ? alpm_pkg_get_desc(pkg) : "";
	uint32_t p = db_pkg_get(db, name, strlen(name), ab->arch, 1), v, off;
	int created;

	if (p == DB_NONE || (v = db_ver_get(db, p, ver, strlen(ver), &created)) == DB_NONE)
		return DB_NONE;
	if (repo && db->vers[v].archive == DB_NONE)
		db->vers[v].archive = src;
	if (repo && db_vfile_add(db, v, src, 0, 0) != OMG_OK) /* policy: the repositories that have it */
		return DB_NONE;
	if (created) /* virtual packages: what it provides (pacman -S of a provided name) */
		for (alpm_list_t *i = alpm_pkg_get_provides(pkg); i; i = i->next) {
			const alpm_depend_t *dep = i->data;
			if (dep->name && db_provide_add(db, dep->name, strlen(dep->name), v, dep->version,
							dep->version ? strlen(dep->version) : 0) != OMG_OK)
				return DB_NONE;
		}
	if (!repo) /* the installed version: pacman's installed size, in KiB as dpkg's */
		db->vers[v].isize = (uint32_t)((alpm_pkg_get_isize(pkg) + 1023) / 1024);
	if (created || !repo) { /* the local record wins: it knows reason and required-by */
		make_record(&ab->rec, pkg, repo, ab->local_rd);
		if (ab->rec.failed || (off = db_str(db, ab->rec.p, ab->rec.len)) == DB_NONE)
			return DB_NONE;
		db->vers[v].src = src;
		db->vers[v].off = off;
		db->vers[v].len = (uint32_t)ab->rec.len;
		db->vers[v].desc = db_str(db, desc, strlen(desc));
		if (db->vers[v].desc == DB_NONE)
			return DB_NONE;
	}
	return v;
}

static uint32_t add_src(struct db *db, const char *path, const char *origin)
{
	struct db_src *s;
	uint32_t i;

	if (omg_grow32(&db->srcs, &db->cap_srcs, db->nsrcs + 1, sizeof *db->srcs, UINT32_MAX) != OMG_OK)
			return DB_NONE;
	i = db->nsrcs;
	s = &db->srcs[i];
	memset(s, 0, sizeof *s);
	if ((s->path = db_str(db, path, strlen(path))) == DB_NONE ||
	    (s->origin = db_str(db, origin, strlen(origin))) == DB_NONE)
		return DB_NONE;
	s->desc = s->origin; /* policy names a repository by its name */
	s->order = UINT32_MAX;
	db->nsrcs++;
	return i;
}

/* The handle kept between builds, touched only by the build thread. */
static struct {
	alpm_handle_t *h;
	char rootdir[4096], dbpath[4096];
	/* DBPath/local and its desc files as the handle's local cache read them (pacman -D
	 * edits one in place): the cache is trusted while snapshot_current() says they are
	 * unchanged, under the same racy rule as a stored index. Only the inputs are used. */
	struct db local;
	int recording;            /* this build loaded the cache: record its inputs */
	struct revdeps *local_rd; /* made from that cache, so kept with it */
} kept;

static void alpm_close_kept(void)
{
	revdeps_free(kept.local_rd);
	db_free(&kept.local);
	if (kept.h)
		alpm_release(kept.h);
	memset(&kept, 0, sizeof kept);
}

/* The handle for this build: the kept one with its sync databases dropped when the local
 * database is as its cache read it, else a new one (READ_AT_NS: when this build began). */
static alpm_handle_t *handle_for(const struct pacmanconf *conf, uint64_t read_at_ns, int *reused)
{
	alpm_errno_t aerr;
	const char *why;

	*reused = kept.h && !strcmp(kept.rootdir, conf->rootdir) && !strcmp(kept.dbpath, conf->dbpath) &&
		  kept.local.ninputs && snapshot_current(&kept.local, &why) &&
		  alpm_unregister_all_syncdbs(kept.h) == 0;
	kept.recording = 0;
	if (*reused)
		return kept.h;
	alpm_close_kept();
	if (!(kept.h = alpm_initialize(conf->rootdir, conf->dbpath, &aerr))) {
		OMG_ERROR(OMG_E_SYS, "libalpm (root %s, dbpath %s): %s", conf->rootdir, conf->dbpath, alpm_strerror(aerr));
		return NULL;
	}
	snprintf(kept.rootdir, sizeof kept.rootdir, "%s", conf->rootdir);
	snprintf(kept.dbpath, sizeof kept.dbpath, "%s", conf->dbpath);
	kept.local.read_at_ns = read_at_ns; /* before the cache is read: later edits are racy */
	kept.recording = 1;
	return kept.h;
}

/* Records PATH as an input of DB and, when this build loaded the local cache, of KEPT.local. */
static int local_input_add(struct db *db, const char *path)
{
	int rc = db_input_add(db, path);

	if (rc == OMG_OK && kept.recording)
		rc = db_input_add(&kept.local, path);
	return rc;
}

static int alpm_build_db(struct db *db, const char *root, struct srccache *cache)
{
	struct alpm_build ab = { .db = db };
	struct pacmanconf conf;
	struct utsname un;
	alpm_handle_t *h = NULL;
	alpm_list_t *syncdbs, *l;
	char path[8300];
	uint32_t local_src;
	int rc, reused = 0;

	(void)cache; /* libalpm reads its databases whole; nothing is cached per source */
	if ((rc = pacmanconf_load(&conf, root, NULL)) != OMG_OK)
		return rc;
	if ((rc = db_input_add(db, conf.path)) != OMG_OK)
		goto fail;
	ab.arch = db->native_arch = db_str(db, uname(&un) == 0 ? un.machine : "x86_64",
					   strlen(uname(&un) == 0 ? un.machine : "x86_64"));
	if (!(h = handle_for(&conf, db->read_at_ns, &reused))) {
		rc = OMG_E_SYS; /* handle_for said why */
		goto fail;
	}
	db->backend_reused = reused;
	snprintf(path, sizeof path, "%s/local", conf.dbpath);
	if ((rc = local_input_add(db, path)) != OMG_OK)
		goto fail;
	snprintf(path, sizeof path, "%s/sync", conf.dbpath);
	if ((rc = db_input_add(db, path)) != OMG_OK)
		goto fail;
	/* sync databases, in pacman.conf order; signatures are not checked (omg only reads) */
	for (int i = 0; i < conf.nrepos; i++) {
		alpm_db_t *sdb = alpm_register_syncdb(h, conf.repos[i], 0);
		uint32_t src;
		snprintf(path, sizeof path, "%s/sync/%s.db", conf.dbpath, conf.repos[i]);
		if ((rc = db_input_add(db, path)) != OMG_OK)
			goto fail;
		if (!sdb || (src = add_src(db, path, conf.repos[i])) == DB_NONE) {
			rc = sdb ? OMG_ERROR(OMG_E_NOMEM, "sources")
				 : OMG_ERROR(OMG_E_SYS, "repository %s: %s", conf.repos[i], alpm_strerror(alpm_errno(h)));
			goto fail;
		}
		db->srcs[src].prio = (int16_t)(conf.nrepos - i);
		for (l = alpm_db_get_pkgcache(sdb); l; l = alpm_list_next(l))
			if (add_version(&ab, l->data, src, conf.repos[i]) == DB_NONE) {
				rc = OMG_ERROR(OMG_E_NOMEM, "index");
				goto fail;
			}
	}
	syncdbs = alpm_get_syncdbs(h);
	if (!kept.local_rd && (rc = revdeps_build(&kept.local_rd, alpm_get_localdb(h))) != OMG_OK)
		goto fail;
	ab.local_rd = kept.local_rd;
	snprintf(path, sizeof path, "%s/local", conf.dbpath);
	if ((local_src = add_src(db, path, "local")) == DB_NONE) {
		rc = OMG_ERROR(OMG_E_NOMEM, "sources");
		goto fail;
	}
	for (l = alpm_db_get_pkgcache(alpm_get_localdb(h)); l; l = alpm_list_next(l)) {
		alpm_pkg_t *pkg = l->data, *newer = alpm_sync_get_new_version(pkg, syncdbs);
		uint32_t v = add_version(&ab, pkg, local_src, NULL), p;
		if (v == DB_NONE) {
			rc = OMG_ERROR(OMG_E_NOMEM, "index");
			goto fail;
		}
		/* pacman -D rewrites a desc file in place: each is an input of the snapshot */
		snprintf(path, sizeof path, "%s/local/%s-%s/desc", conf.dbpath, alpm_pkg_get_name(pkg),
			 alpm_pkg_get_version(pkg));
		if ((rc = local_input_add(db, path)) != OMG_OK)
			goto fail;
		p = db->vers[v].pkg;
		db->pkgs[p].inst = v;
		db->pkgs[p].flags |= DB_PKG_INSTALLED;
		db->counts.total++;
		if (alpm_pkg_get_reason(pkg) == ALPM_PKG_REASON_DEPEND) {
			db->pkgs[p].flags |= DB_PKG_AUTO;
			/* pacman -Qdt: neither required nor optional for anything installed
			 * (pacman's is_unrequired at level 1; -Qdtt would ignore optdepends) */
			size_t nreq, nopt;
			revdeps_of(ab.local_rd, pkg, REVDEPS_REQUIRED_BY, &nreq);
			revdeps_of(ab.local_rd, pkg, REVDEPS_OPTIONAL_FOR, &nopt);
			if (!nreq && !nopt) {
				db->pkgs[p].flags |= DB_PKG_ORPHAN;
				db->counts.orphans++;
			}
		} else if (alpm_pkg_get_reason(pkg) == ALPM_PKG_REASON_EXPLICIT) {
			db->counts.explicit_pkgs++;
		} else {
			/* a reason libalpm does not know (a hand-edited desc): pacman -Qe does not list
			 * it and -Qdt does not either; shown as not explicit, never an orphan */
			db->pkgs[p].flags |= DB_PKG_AUTO;
		}
		if (pacmanconf_ignored(&conf, alpm_pkg_get_name(pkg)))
			db->pkgs[p].flags |= DB_PKG_HELD;
		if (newer) {
			const char *nv = alpm_pkg_get_version(newer);
			int created;
			db->pkgs[p].cand = db_ver_get(db, p, nv, strlen(nv), &created);
			db->pkgs[p].flags |= DB_PKG_UPGRADABLE;
			db->counts.updates++;
		} else {
			db->pkgs[p].cand = v;
		}
	}
	/* Packages not installed: the first repository that has the name decides. */
	for (uint32_t p = 0; p < db->npkgs; p++) {
		struct db_pkg *pk = &db->pkgs[p];
		if (pk->inst != DB_NONE)
			continue;
		for (int i = 0; i < conf.nrepos && pk->cand == DB_NONE; i++) {
			alpm_db_t *sdb = NULL;
			alpm_pkg_t *sp;
			for (l = syncdbs; l; l = alpm_list_next(l))
				if (!strcmp(alpm_db_get_name(l->data), conf.repos[i]))
					sdb = l->data;
			if (sdb && (sp = alpm_db_get_pkg(sdb, db_s(db, pk->name)))) {
				const char *sv = alpm_pkg_get_version(sp);
				int created;
				pk->cand = db_ver_get(db, p, sv, strlen(sv), &created);
			}
		}
	}
	rc = OMG_OK;
fail:
	if (rc != OMG_OK)
		alpm_close_kept(); /* the next build starts from a new handle */
	free(ab.rec.p);
	pacmanconf_free(&conf);
	return rc;
}

static int alpm_watch_specs(const char *root, struct watch_spec *out, int max)
{
	struct pacmanconf conf;
	int n = 0;

	if (pacmanconf_load(&conf, root, NULL) != OMG_OK)
		return 0;
	/* the local database gains and loses package directories; sync databases are replaced;
	 * and every pacman transaction (pacman -D too, which edits a desc file in place) ends by
	 * removing DBPath/db.lck */
	for (int i = 0; i < 3 && n < max; i++) {
		int w = snprintf(out[n].dir, sizeof out[n].dir, "%s%s", conf.dbpath, i == 0 ? "/local" : i == 1 ? "/sync" : "");
		if (w > 0 && (size_t)w < sizeof out[n].dir)
			snprintf(out[n++].name, sizeof out[n].name, "%s", i == 2 ? "db.lck" : "");
	}
	pacmanconf_free(&conf);
	return n;
}

static int alpm_record(const struct db *db, uint32_t v, struct record *out)
{
	const struct db_ver *ver = &db->vers[v];
	char *text;

	*out = (struct record){ 0 };
	if (ver->src == DB_NONE || ver->off + ver->len > db->str.len)
		return OMG_ERROR(OMG_E_NOTFOUND, "no record");
	if (!(text = strndup(db->str.p + ver->off, ver->len)))
		return OMG_ERROR(OMG_E_NOMEM, "record");
	return record_take(out, text);
}

const struct backend backend_alpm = {
	.name = "alpm",
	.build = alpm_build_db,
	.watch_specs = alpm_watch_specs,
	.record = alpm_record,
	.files = pkgfiles_alpm,
	.changelog = pkgchangelog_alpm,
	.vercmp = alpm_pkg_vercmp,
	.close = alpm_close_kept,
};
