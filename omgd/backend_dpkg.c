/* backend_dpkg.c — Debian: dpkg's status, apt's extended_states and package lists.
 *
 * Semantics (checked against apt 2.6 and dpkg 1.21 by the tests):
 *  - installed (total): dpkg state "installed" (want install, hold or deinstall);
 *  - a package has a current version for apt unless it is not-installed or config-files;
 *  - explicit: has a current version and is not Auto-Installed (apt-mark showmanual);
 *  - candidate: apt's default policy: lists 500 (NotAutomatic 1, with ButAutomaticUpgrades
 *    100), the installed version 100; highest priority wins, then highest version, and
 *    nothing older than the installed version (no pins: /etc/apt/preferences is not read);
 *  - updates: current version with a different (newer) candidate (apt list --upgradable);
 *  - security: such a candidate found in a list whose Release has Label: Debian-Security;
 *  - orphans: what apt-get -s autoremove removes: apt's mark-and-sweep from the roots
 *    (manual, Essential, Protected, Priority required, held, APT::NeverAutoRemove)
 *    through Pre-Depends, Depends and, as configured, Recommends and Suggests; plus
 *    half-installed packages, which apt-get removes as failed removals.
 */
#include "config.h"
#include "aptconf.h"
#include "aptsources.h"
#include "backend.h"
#include "pkgfiles.h"
#include "deb822.h"
#include "listfile.h"
#include "srccache.h"
#include "omg_error.h"
#include "version.h"

#define LIBDPKG_VOLATILE_API 1
#include <dpkg/arch.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

enum dpkg_state {
	ST_NOT_INSTALLED, ST_CONFIG_FILES, ST_HALF_INSTALLED, ST_UNPACKED, ST_HALF_CONFIGURED,
	ST_TRIGGERS_AWAITED, ST_TRIGGERS_PENDING, ST_INSTALLED,
};

enum multiarch { MA_NO, MA_SAME, MA_FOREIGN, MA_ALLOWED };

enum { DEP_PRE, DEP_DEPENDS, DEP_RECOMMENDS, DEP_SUGGESTS, DEP__COUNT };
/* The relation kinds the autoremove walk follows, by DEP_*. */
static const enum db_rel_kind dep_kinds[DEP__COUNT] = { DB_REL_PRE_DEPENDS, DB_REL_DEPENDS, DB_REL_RECOMMENDS,
							 DB_REL_SUGGESTS };

struct inst_rec {        /* what the autoremove walk needs of an installed package */
	uint32_t pkg;
	uint32_t deps[DEP__COUNT];
	uint32_t provides;
	uint8_t multiarch;
	uint8_t root;        /* manual, essential, protected, required, held or NeverAutoRemove */
};

struct paths {
	char root[4096], lists[4096], status[4096], extended[4096];
	int recommends_important, suggests_important;
};

struct release {
	char prefix[512];
	char origin[64], label[64], suite[64], codename[64];
	int not_automatic, but_automatic_upgrades;
};

struct build {
	struct db *db;
	struct paths paths;
	struct aptconf conf;
	struct aptsources sources; /* to describe the lists as apt does */
	/* Growable: fixed tables (8 architectures, 16 interned names, 32 NeverAutoRemove
	 * patterns) once dropped the rest silently. conf_failed: one could not be added. */
	struct omg_wbuf archs;    /* char *: native first, then APT::Architectures */
	struct omg_wbuf arch_off; /* uint32_t: interned architecture names */
	int conf_failed;
	uint32_t src;        /* the source being read */
	struct inst_rec *inst;
	uint32_t ninst, cap_inst;
	uint8_t *ma;         /* multiarch by package index (installed only) */
	struct omg_wbuf never;    /* regex_t * */
	struct srccache *cache; /* NULL: no store, parse everything */
	struct omg_wbuf rec;     /* records of the source being parsed, for the cache */
	struct omg_wbuf order;   /* pick_candidate's scratch: one package's versions */
};

/* ---- paths and configuration ---------------------------------------------------- */

static void join_dir(char *out, size_t n, const char *base, const char *rel)
{
	if (rel[0] == '/')
		snprintf(out, n, "%s", rel);
	else
		snprintf(out, n, "%s%s%s", base, base[0] && base[strlen(base) - 1] == '/' ? "" : "/", rel);
}

static void resolve_paths(struct build *b, const char *root)
{
	struct paths *p = &b->paths;
	char state[4096], dir[4096];
	const char *status = aptconf_get(&b->conf, "dir::state::status", NULL);

	snprintf(dir, sizeof dir, "%s", root[0] ? root : "/");
	snprintf(p->root, sizeof p->root, "%s", dir);
	join_dir(state, sizeof state, dir, aptconf_get(&b->conf, "dir::state", "var/lib/apt/"));
	join_dir(p->lists, sizeof p->lists, state, aptconf_get(&b->conf, "dir::state::lists", "lists/"));
	join_dir(p->extended, sizeof p->extended, state,
		 aptconf_get(&b->conf, "dir::state::extended_states", "extended_states"));
	/* As apt: the status file is under Dir unless configured explicitly (then as given,
	 * but inside --root when one is set). */
	if (status && strcmp(root, "/") != 0)
		join_dir(p->status, sizeof p->status, dir, status + (status[0] == '/'));
	else if (status)
		snprintf(p->status, sizeof p->status, "%s", status);
	else
		join_dir(p->status, sizeof p->status, dir, "var/lib/dpkg/status");
	p->recommends_important = aptconf_bool(&b->conf, "apt::autoremove::recommendsimportant", 1);
	p->suggests_important = aptconf_bool(&b->conf, "apt::autoremove::suggestsimportant", 1);
}

static void add_arch(void *ctx, const char *v)
{
	struct build *b = ctx;

	char **a = (char **)(void *)b->archs.data, *d;

	for (size_t i = 0; i < b->archs.len / sizeof *a; i++)
		if (!strcmp(a[i], v))
			return;
	if (!(d = strdup(v))) {
		b->conf_failed = 1;
		return;
	}
	omg_put_bytes(&b->archs, &d, sizeof d);
	if (b->archs.failed) {
		free(d);
		b->conf_failed = 1;
	}
}

static void add_never(void *ctx, const char *v)
{
	struct build *b = ctx;

	regex_t *re = malloc(sizeof *re);

	if (!re) {
		b->conf_failed = 1;
		return;
	}
	if (regcomp(re, v, REG_EXTENDED | REG_ICASE | REG_NOSUB) != 0) {
		free(re); /* as apt: a pattern that does not compile matches nothing */
		return;
	}
	omg_put_bytes(&b->never, &re, sizeof re);
	if (b->never.failed) {
		regfree(re);
		free(re);
		b->conf_failed = 1;
	}
}

static int arch_known(const struct build *b, const char *a, size_t n)
{
	char *const *v = (char *const *)(const void *)b->archs.data;

	for (size_t i = 0; i < b->archs.len / sizeof *v; i++)
		if (strlen(v[i]) == n && !strncmp(v[i], a, n))
			return 1;
	return 0;
}

/* "all" packages belong to the native architecture, as apt files them. */
static uint32_t arch_of(struct build *b, const char *a, size_t n)
{
	struct db *db = b->db;

	if (n == 0 || (n == 3 && !strncmp(a, "all", 3)))
		return db->native_arch;
	const uint32_t *off = (const uint32_t *)(const void *)b->arch_off.data;
	uint32_t s;

	for (size_t i = 0; i < b->arch_off.len / sizeof *off; i++) {
		const char *t = db_s(db, off[i]);
		if (strlen(t) == n && !strncmp(t, a, n))
			return off[i];
	}
	if ((s = db_str(db, a, n)) != DB_NONE)
		omg_put_bytes(&b->arch_off, &s, sizeof s); /* on failure: not cached, still right */
	return s;
}

/* ---- sources -------------------------------------------------------------------- */

static uint32_t add_src(struct build *b, const char *path, int compressed, const struct release *rel)
{
	struct db *db = b->db;
	struct db_src *s;

	if (db->nsrcs == db->cap_srcs) {
		uint32_t cap = db->cap_srcs ? db->cap_srcs * 2 : 16;
		void *p = realloc(db->srcs, cap * sizeof *db->srcs);
		if (!p)
			return DB_NONE;
		db->srcs = p;
		db->cap_srcs = cap;
	}
	s = &db->srcs[db->nsrcs];
	memset(s, 0, sizeof *s);
	s->path = db_str(db, path, strlen(path));
	s->compressed = (uint8_t)compressed;
	s->prio = 500;
	s->order = UINT32_MAX;
	if (strcmp(path, b->paths.status) != 0) { /* a package list */
		const char *base = strrchr(path, '/');
		char desc[1024];
		int rank = aptsources_describe(&b->sources, base ? base + 1 : path, desc, sizeof desc);
		s->order = rank > 0 ? (uint32_t)rank : UINT32_MAX;
		if ((s->desc = db_str(db, desc, strlen(desc))) == DB_NONE)
			return DB_NONE;
	}
	if (rel) {
		s->origin = db_str(db, rel->origin, strlen(rel->origin));
		s->label = db_str(db, rel->label, strlen(rel->label));
		s->suite = db_str(db, rel->suite, strlen(rel->suite));
		s->codename = db_str(db, rel->codename, strlen(rel->codename));
		if (rel->not_automatic)
			s->prio = rel->but_automatic_upgrades ? 100 : 1;
		s->security = !strcmp(rel->label, "Debian-Security");
	}
	return db->nsrcs++;
}

static void copy_field(char *dst, size_t n, const struct deb822_field *f)
{
	size_t len = f->value_len < n - 1 ? f->value_len : n - 1;

	memcpy(dst, f->value, len);
	dst[len] = 0;
}

/* OMG_OK if PATH is a regular file. Checked before the reader opens it: opening a FIFO
 * (or a device) for reading can wait forever, and the build with it. */
static int regular_file(const char *path)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC), rc = OMG_OK;

	if (fd < 0)
		return OMG_ERROR(OMG_E_SYS, "open %s: %s", path, strerror(errno));
	if (fstat(fd, &st) != 0)
		rc = OMG_ERROR(OMG_E_SYS, "stat %s: %s", path, strerror(errno));
	else if (!S_ISREG(st.st_mode))
		rc = OMG_ERROR(OMG_E_CORRUPT, "%s is not a regular file: not read", path);
	close(fd);
	return rc;
}

static int read_release(const char *path, struct release *r)
{
	char buf[16384];
	struct deb822_para para;
	struct deb822_field f;
	size_t pos = 0, fpos = 0;
	ssize_t n;
	struct stat st;
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC); /* a FIFO must not block */

	if (fd < 0)
		return -1;
	n = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) ? read(fd, buf, sizeof buf - 1) : -1;
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	if (!strncmp(buf, "-----BEGIN PGP SIGNED MESSAGE-----", 34)) { /* skip the armor header */
		char *blank = strstr(buf, "\n\n");
		if (!blank)
			return -1;
		pos = (size_t)(blank + 2 - buf);
	}
	if (!deb822_next_para(buf, (size_t)n, &pos, &para))
		return -1;
	while (deb822_next_field(&para, &fpos, &f) == 1) {
		if (deb822_is(&f, "Origin"))
			copy_field(r->origin, sizeof r->origin, &f);
		else if (deb822_is(&f, "Label"))
			copy_field(r->label, sizeof r->label, &f);
		else if (deb822_is(&f, "Suite"))
			copy_field(r->suite, sizeof r->suite, &f);
		else if (deb822_is(&f, "Codename"))
			copy_field(r->codename, sizeof r->codename, &f);
		else if (deb822_is(&f, "NotAutomatic"))
			r->not_automatic = f.value_len == 3 && !strncasecmp(f.value, "yes", 3);
		else if (deb822_is(&f, "ButAutomaticUpgrades"))
			r->but_automatic_upgrades = f.value_len == 3 && !strncasecmp(f.value, "yes", 3);
	}
	return 0;
}

/* ---- package lists -------------------------------------------------------------- */

/* One paragraph of a package list, parsed now or replayed from the store. */
/* The relation fields, in apt's order (enum db_rel_kind). */
static const char *const rel_fields[DB_REL__COUNT] = { "Pre-Depends", "Depends", "Conflicts", "Breaks",
						       "Recommends", "Suggests", "Replaces", "Enhances" };

/* Which relation field F is, or -1. */
static int rel_field(const struct deb822_field *f)
{
	for (int k = 0; k < DB_REL__COUNT; k++)
		if (deb822_is(f, rel_fields[k]))
			return k;
	return -1;
}

static int add_relations(struct db *db, uint32_t v, const char *const *rel, const size_t *rlen)
{
	for (int k = 0; k < DB_REL__COUNT; k++)
		if (rlen[k] && db_rels_parse(db, v, (enum db_rel_kind)k, rel[k], rlen[k]) != OMG_OK)
			return OMG_E_NOMEM;
	return OMG_OK;
}

struct list_para {
	const char *name, *arch, *ver, *desc, *prov;
	size_t nlen, alen, vlen, dlen, plen;
	uint64_t off;
	uint32_t len;
	const char *rel[DB_REL__COUNT];
	size_t rlen[DB_REL__COUNT];
	uint8_t priority;        /* enum db_priority */
};

/* The Priority field's value as enum db_priority (apt's order of them). */
static uint8_t priority_code(const char *v, size_t n)
{
	static const char *const names[] = { "", "required", "important", "standard", "optional", "extra" };

	for (uint8_t i = 1; i < 6; i++)
		if (strlen(names[i]) == n && !strncasecmp(v, names[i], n))
			return i;
	return DB_PRIO_NONE;
}

static int add_provides(struct db *db, uint32_t v, const char *value, size_t len);

static int add_list_version(struct build *b, const struct list_para *lp)
{
	struct db *db = b->db;
	const struct db_src *src = &db->srcs[b->src];
	uint32_t p, v;
	int created;

	if (lp->alen && !(lp->alen == 3 && !strncmp(lp->arch, "all", 3)) && !arch_known(b, lp->arch, lp->alen))
		return 0; /* an architecture apt is not configured for */
	p = db_pkg_get(db, lp->name, lp->nlen, arch_of(b, lp->arch, lp->alen), 1);
	if (p == DB_NONE || (v = db_ver_get(db, p, lp->ver, lp->vlen, &created)) == DB_NONE)
		return OMG_ERROR(OMG_E_NOMEM, "index");
	if (created || db->vers[v].archive == DB_NONE)
		db->vers[v].archive = b->src;
	if (created) {
		db->vers[v].src = b->src;
		db->vers[v].off = lp->off;
		db->vers[v].len = lp->len;
		db->vers[v].desc = db_str(db, lp->desc, lp->dlen);
		db->vers[v].flags = (uint16_t)((db->vers[v].flags & ~DBV_PRIO_MASK) | (lp->priority << DBV_PRIO_SHIFT));
		if ((lp->plen && add_provides(db, v, lp->prov, lp->plen) != OMG_OK) ||
		    add_relations(db, v, lp->rel, lp->rlen) != OMG_OK)
			return OMG_E_NOMEM;
	}
	if (db_vfile_add(db, v, b->src, lp->off, lp->len) != OMG_OK)
		return OMG_E_NOMEM;
	if (src->prio > db->vers[v].prio)
		db->vers[v].prio = src->prio;
	if (src->security)
		db->vers[v].flags |= DBV_SECURITY;
	return 0;
}

/* Record: u16 name, arch, version and description lengths, u32 stanza length, u64 offset,
 * u32 Provides length, u32 lengths of the relation fields, u8 priority, then the strings in
 * that order. */
static void record_list_para(struct omg_wbuf *w, const struct list_para *lp)
{
	omg_put_u16(w, (uint16_t)lp->nlen);
	omg_put_u16(w, (uint16_t)lp->alen);
	omg_put_u16(w, (uint16_t)lp->vlen);
	omg_put_u16(w, (uint16_t)lp->dlen);
	omg_put_u32(w, lp->len);
	omg_put_u64(w, lp->off);
	omg_put_u32(w, (uint32_t)lp->plen);
	for (int k = 0; k < DB_REL__COUNT; k++)
		omg_put_u32(w, (uint32_t)lp->rlen[k]);
	omg_put_u8(w, lp->priority);
	omg_put_bytes(w, lp->name, lp->nlen);
	omg_put_bytes(w, lp->arch, lp->alen);
	omg_put_bytes(w, lp->ver, lp->vlen);
	omg_put_bytes(w, lp->desc, lp->dlen);
	omg_put_bytes(w, lp->prov, lp->plen);
	for (int k = 0; k < DB_REL__COUNT; k++)
		omg_put_bytes(w, lp->rel[k], lp->rlen[k]);
}

static int replay_list(struct build *b, const struct src_records *sr)
{
	struct omg_rbuf r;
	int rc = 0;

	omg_rbuf_init(&r, sr->p, sr->len);
	while (rc == 0 && r.pos < r.len && !r.failed) {
		struct list_para lp;
		lp.nlen = omg_get_u16(&r);
		lp.alen = omg_get_u16(&r);
		lp.vlen = omg_get_u16(&r);
		lp.dlen = omg_get_u16(&r);
		lp.len = omg_get_u32(&r);
		lp.off = omg_get_u64(&r);
		lp.plen = omg_get_u32(&r);
		for (int k = 0; k < DB_REL__COUNT; k++)
			lp.rlen[k] = omg_get_u32(&r);
		lp.priority = omg_get_u8(&r);
		lp.name = (const char *)omg_get_bytes(&r, lp.nlen);
		lp.arch = (const char *)omg_get_bytes(&r, lp.alen);
		lp.ver = (const char *)omg_get_bytes(&r, lp.vlen);
		lp.desc = (const char *)omg_get_bytes(&r, lp.dlen);
		lp.prov = (const char *)omg_get_bytes(&r, lp.plen);
		for (int k = 0; k < DB_REL__COUNT; k++)
			lp.rel[k] = (const char *)omg_get_bytes(&r, lp.rlen[k]);
		if (r.failed || !lp.nlen || !lp.vlen)
			return OMG_ERROR(OMG_E_CORRUPT, "stored records of a package list");
		rc = add_list_version(b, &lp);
	}
	b->db->malformed += sr->malformed;
	b->db->damaged_lists += sr->damaged;
	return rc;
}

static int list_chunk(void *ctx, const char *buf, size_t len, uint64_t base)
{
	struct build *b = ctx;
	struct db *db = b->db;
	struct deb822_para para;
	size_t pos = 0;

	while (deb822_next_para(buf, len, &pos, &para)) {
		struct deb822_field f, name = { 0 }, ver = { 0 }, arch = { 0 }, desc = { 0 }, prov = { 0 };
		struct deb822_field rel[DB_REL__COUNT] = { { 0 } }, prio = { 0 };
		struct list_para lp;
		size_t fpos = 0;
		int r, k;

		while ((r = deb822_next_field(&para, &fpos, &f)) == 1) {
			if (deb822_is(&f, "Package"))
				name = f;
			else if (deb822_is(&f, "Version"))
				ver = f;
			else if (deb822_is(&f, "Architecture"))
				arch = f;
			else if (deb822_is(&f, "Description"))
				desc = f;
			else if (deb822_is(&f, "Provides"))
				prov = f;
			else if (deb822_is(&f, "Priority"))
				prio = f;
			else if ((k = rel_field(&f)) >= 0)
				rel[k] = f;
		}
		if (r < 0 || !name.value_len || !ver.value_len || name.value_len > UINT16_MAX ||
		    ver.value_len > UINT16_MAX || arch.value_len > UINT16_MAX || para.len > UINT32_MAX) {
			db->malformed++;
			continue;
		}
		lp = (struct list_para){ name.value, arch.value, ver.value, desc.value, prov.value, name.value_len,
					 arch.value_len, ver.value_len, deb822_first_line(desc.value, desc.value_len),
					 prov.value_len, base + para.offset, (uint32_t)para.len, { 0 }, { 0 }, 0 };
		for (k = 0; k < DB_REL__COUNT; k++)
			lp.rel[k] = rel[k].value, lp.rlen[k] = rel[k].value_len;
		lp.priority = priority_code(prio.value, prio.value_len);
		if (lp.dlen > UINT16_MAX)
			lp.dlen = UINT16_MAX;
		if (b->cache)
			record_list_para(&b->rec, &lp);
		if ((r = add_list_version(b, &lp)) != 0)
			return r;
	}
	return 0;
}

/* Reads one source through the cache: replays its stored records, or parses it with READ
 * and stores what it recorded. Returns READ's result (a damaged file counts in *DAMAGED). */
/* The first damaged list is named in the log, so the user knows which download to redo. */
static void note_damaged(struct build *b, const char *path, uint32_t damaged_before)
{
	if (b->db->damaged_lists > damaged_before && !b->db->damaged_list[0])
		snprintf(b->db->damaged_list, sizeof b->db->damaged_list, "%s", path);
}

static int cached_source(struct build *b, const char *path, const struct stat *st, uint32_t kind,
			 uint64_t salt, int (*replay)(struct build *, const struct src_records *),
			 int (*read)(struct build *, const char *path))
{
	struct src_records sr;
	uint32_t malformed0 = b->db->malformed, damaged0 = b->db->damaged_lists;
	int rc;

	if (b->cache && srccache_get(b->cache, path, st, kind, salt, &sr) == OMG_OK) {
		if ((rc = replay(b, &sr)) == OMG_OK) {
			note_damaged(b, path, damaged0);
			return OMG_OK;
		}
		if (rc == OMG_E_NOMEM)
			return rc;
		/* Damaged records: parse the file instead. What was replayed stays (the same
		 * versions come again and are found, not duplicated). */
	}
	omg_wbuf_reset(&b->rec);
	rc = read(b, path);
	note_damaged(b, path, damaged0);
	if (rc == OMG_OK && b->cache && !b->rec.failed &&
	    srccache_put(b->cache, path, st, kind, salt, b->db->malformed - malformed0,
			 b->db->damaged_lists - damaged0, b->rec.data, b->rec.len) != OMG_OK)
		return OMG_E_NOMEM;
	return rc;
}

static int read_one_list(struct build *b, const char *path)
{
	int rc = listfile_read(path, list_chunk, b);

	if (rc != OMG_OK && rc != OMG_E_NOMEM) {
		/* A damaged or unreadable list (a truncated download): keep its whole
		 * paragraphs, count it, and go on with the others. */
		b->db->malformed++;
		b->db->damaged_lists++;
		rc = OMG_OK;
	}
	return rc;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int is_list(const char *n, int *compressed)
{
	const char *p = strstr(n, "_Packages");
	static const char *const ext[] = { "", ".lz4", ".gz", ".xz", ".zst", ".bz2", ".lzma" };

	if (!p)
		return 0;
	p += strlen("_Packages");
	for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++)
		if (!strcmp(p, ext[i])) {
			*compressed = i != 0;
			return 1;
		}
	return 0;
}

/* The directory's names and the Release files grow as needed: fixed tables of 1,024 names
 * and 64 Release files once indexed whatever subset readdir happened to return first. */
static int read_lists(struct build *b)
{
	struct omg_wbuf nbuf = { 0 }, rbuf = { 0 };
	struct release *rels;
	char **names, path[8192];
	size_t nrel = 0, nn = 0;
	int rc = OMG_OK;
	struct dirent *de;
	DIR *d = opendir(b->paths.lists);

	if (db_input_add(b->db, b->paths.lists) != OMG_OK) {
		if (d)
			closedir(d);
		return OMG_E_NOMEM;
	}
	if (!d)
		return errno == ENOENT ? OMG_OK : OMG_ERROR(OMG_E_SYS, "%s: %s", b->paths.lists, strerror(errno));
	while ((de = readdir(d)))
		if (de->d_name[0] != '.') {
			char *n = strdup(de->d_name);
			if (!n) {
				nbuf.failed = 1;
				break;
			}
			omg_put_bytes(&nbuf, &n, sizeof n);
			if (nbuf.failed) {
				free(n);
				break;
			}
			nn++;
		}
	closedir(d);
	names = (char **)(void *)nbuf.data;
	if (nbuf.failed) {
		rc = OMG_ERROR(OMG_E_NOMEM, "%s", b->paths.lists);
		goto fail;
	}
	if (nn)
		qsort(names, nn, sizeof *names, cmp_str);
	for (size_t i = 0; i < nn; i++) {
		size_t l = strlen(names[i]);
		size_t cut = l >= 9 && !strcmp(names[i] + l - 9, "InRelease") ? 9 :
			     l >= 7 && !strcmp(names[i] + l - 7, "Release") ? 7 : 0;
		struct release r = { 0 };
		if (!cut || l - cut >= sizeof r.prefix)
			continue;
		memcpy(r.prefix, names[i], l - cut);
		snprintf(path, sizeof path, "%s/%s", b->paths.lists, names[i]);
		if (db_input_add(b->db, path) != OMG_OK) {
			rc = OMG_E_NOMEM;
			goto fail;
		}
		if (read_release(path, &r) == 0) {
			omg_put_bytes(&rbuf, &r, sizeof r);
			nrel++;
		}
	}
	if (rbuf.failed) {
		rc = OMG_ERROR(OMG_E_NOMEM, "Release files");
		goto fail;
	}
	rels = (struct release *)(void *)rbuf.data;
	for (size_t i = 0; i < nn; i++) {
		const struct release *rel = NULL;
		size_t best = 0;
		int compressed;
		struct stat st;
		if (rc != OMG_OK || !is_list(names[i], &compressed))
			continue;
		snprintf(path, sizeof path, "%s/%s", b->paths.lists, names[i]);
		if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		for (size_t r = 0; r < nrel; r++) { /* the Release file with the longest common prefix */
			size_t pl = strlen(rels[r].prefix);
			if (pl > best && !strncmp(names[i], rels[r].prefix, pl))
				rel = &rels[r], best = pl;
		}
		if ((b->src = add_src(b, path, compressed, rel)) == DB_NONE || db_input_add(b->db, path) != OMG_OK) {
			rc = OMG_ERROR(OMG_E_NOMEM, "sources");
			continue;
		}
		rc = cached_source(b, path, &st, SRC_PACKAGES, 0, replay_list, read_one_list);
	}
fail:
	for (size_t i = 0; i < nn; i++)
		free(names[i]);
	omg_wbuf_free(&nbuf);
	omg_wbuf_free(&rbuf);
	return rc;
}

/* ---- dpkg status ---------------------------------------------------------------- */

static int parse_state(const char *v, size_t n, int *want_hold)
{
	static const char *const states[] = {
		"not-installed", "config-files", "half-installed", "unpacked", "half-configured",
		"triggers-awaited", "triggers-pending", "installed",
	};
	const char *last = v + n;

	*want_hold = n >= 5 && !strncmp(v, "hold ", 5);
	while (last > v && last[-1] != ' ')
		last--;
	for (size_t i = 0; i < sizeof states / sizeof states[0]; i++)
		if ((size_t)(v + n - last) == strlen(states[i]) && !strncmp(last, states[i], strlen(states[i])))
			return (int)i;
	return -1;
}

static int status_chunk(void *ctx, const char *buf, size_t len, uint64_t base)
{
	struct build *b = ctx;
	struct db *db = b->db;
	struct deb822_para para;
	size_t pos = 0;

	while (deb822_next_para(buf, len, &pos, &para)) {
		struct deb822_field f, name = { 0 }, ver = { 0 }, arch = { 0 }, desc = { 0 }, status = { 0 };
		struct inst_rec rec = { 0 };
		const char *rel[DB_REL__COUNT] = { 0 };
		size_t rlen[DB_REL__COUNT] = { 0 }, fpos = 0;
		uint8_t prio_code = 0;
		uint32_t isize = 0;
		int k;
		int r, state, hold, created, dup, essential = 0, required = 0, protect = 0;
		uint32_t p, v;

		rec.multiarch = MA_NO;
		while ((r = deb822_next_field(&para, &fpos, &f)) == 1) {
			if (deb822_is(&f, "Package")) name = f;
			else if (deb822_is(&f, "Version")) ver = f;
			else if (deb822_is(&f, "Architecture")) arch = f;
			else if (deb822_is(&f, "Description")) desc = f;
			else if (deb822_is(&f, "Status")) status = f;
			else if (deb822_is(&f, "Essential")) essential = f.value_len == 3 && !strncmp(f.value, "yes", 3);
			else if (deb822_is(&f, "Protected") || deb822_is(&f, "Important"))
				protect = f.value_len == 3 && !strncmp(f.value, "yes", 3);
			else if (deb822_is(&f, "Installed-Size")) {
				char num[24];
				size_t nl = f.value_len < sizeof num - 1 ? f.value_len : sizeof num - 1;
				memcpy(num, f.value, nl);
				num[nl] = 0;
				isize = (uint32_t)strtoul(num, NULL, 10);
			} else if (deb822_is(&f, "Priority")) prio_code = priority_code(f.value, f.value_len);
			else if (deb822_is(&f, "Provides")) rec.provides = db_str(db, f.value, f.value_len);
			else if ((k = rel_field(&f)) >= 0)
				rel[k] = f.value, rlen[k] = f.value_len;
			else if (deb822_is(&f, "Multi-Arch"))
				rec.multiarch = !strncmp(f.value, "same", 4) ? MA_SAME : !strncmp(f.value, "foreign", 7) ? MA_FOREIGN
						: !strncmp(f.value, "allowed", 7) ? MA_ALLOWED : MA_NO;
		}
		required = prio_code == DB_PRIO_REQUIRED;
		/* the autoremove walk reads its kinds of relations after the buffer has gone */
		for (int d = 0; d < DEP__COUNT; d++)
			if (rlen[dep_kinds[d]])
				rec.deps[d] = db_str(db, rel[dep_kinds[d]], rlen[dep_kinds[d]]);
		if (r < 0 || !name.value_len || !status.value_len) {
			db->malformed++;
			continue;
		}
		state = parse_state(status.value, status.value_len, &hold);
		if (state < 0) {
			db->malformed++;
			continue;
		}
		if (state == ST_CONFIG_FILES) {
			/* No current version: counted nowhere, but apt still knows the name (its
			 * pkgnames, and so its completion, offers it). */
			p = db_pkg_get(db, name.value, name.value_len, arch_of(b, arch.value, arch.value_len), 1);
			if (p == DB_NONE)
				return OMG_ERROR(OMG_E_NOMEM, "index");
			db->pkgs[p].flags |= OMG_PKG_CONFIG_FILES;
			/* Its version stays in apt's version table (policy shows it at priority -1,
			 * from the status file), never a candidate. */
			if (ver.value_len) {
				if ((v = db_ver_get(db, p, ver.value, ver.value_len, &created)) == DB_NONE)
					return OMG_ERROR(OMG_E_NOMEM, "index");
				db->vers[v].flags |= DBV_STATUS;
				if (created) {
					db->vers[v].prio = -1;
					db->vers[v].src = b->src;
					db->vers[v].off = base + para.offset;
					db->vers[v].len = (uint32_t)para.len;
					db->vers[v].desc = db_str(db, desc.value, deb822_first_line(desc.value, desc.value_len));
				}
			}
			continue;
		}
		if (state < ST_CONFIG_FILES || !ver.value_len)
			continue; /* not installed: dpkg's memory of a purged package */
		p = db_pkg_get(db, name.value, name.value_len, arch_of(b, arch.value, arch.value_len), 1);
		if (p == DB_NONE || (v = db_ver_get(db, p, ver.value, ver.value_len, &created)) == DB_NONE)
			return OMG_ERROR(OMG_E_NOMEM, "index");
		dup = db->pkgs[p].inst != DB_NONE; /* only status paragraphs set it */
		db->pkgs[p].inst = v;
		db->pkgs[p].state = (uint8_t)state;
		db->pkgs[p].flags |= OMG_PKG_INSTALLED | (hold ? OMG_PKG_HELD : 0) | (essential ? OMG_PKG_ESSENTIAL : 0);
		if (db->pkgs[p].arch != db->native_arch)
			db->pkgs[p].flags |= OMG_PKG_FOREIGN;
		db->vers[v].flags |= DBV_STATUS;
		db->vers[v].isize = isize;
		if (db->vers[v].prio < 100)
			db->vers[v].prio = 100;
		if (created)
			db->vers[v].flags = (uint16_t)((db->vers[v].flags & ~DBV_PRIO_MASK) | (prio_code << DBV_PRIO_SHIFT));
		if (created && ((rec.provides && add_provides(db, v, db_s(db, rec.provides), strlen(db_s(db, rec.provides))) != OMG_OK) ||
				add_relations(db, v, rel, rlen) != OMG_OK))
			return OMG_E_NOMEM;
		/* INFO shows the installed record, as dpkg -s does. */
		db->vers[v].src = b->src;
		db->vers[v].off = base + para.offset;
		db->vers[v].len = (uint32_t)para.len;
		if (!db->vers[v].desc)
			db->vers[v].desc = db_str(db, desc.value, deb822_first_line(desc.value, desc.value_len));
		rec.pkg = p;
		rec.root = essential || protect || required || hold;
		if (dup) {
			/* A second paragraph for one package (dpkg itself refuses such a file): the
			 * last one wins, and the package is still one package for the counts. */
			for (uint32_t i = b->ninst; i-- > 0;)
				if (b->inst[i].pkg == p) {
					b->inst[i] = rec;
					break;
				}
			continue;
		}
		if (b->ninst == b->cap_inst) {
			uint32_t cap = b->cap_inst ? b->cap_inst * 2 : 1024;
			void *np = realloc(b->inst, cap * sizeof *b->inst);
			if (!np)
				return OMG_ERROR(OMG_E_NOMEM, "index");
			b->inst = np;
			b->cap_inst = cap;
		}
		b->inst[b->ninst++] = rec;
	}
	return 0;
}

static int ext_chunk(void *ctx, const char *buf, size_t len, uint64_t base)
{
	struct build *b = ctx;
	struct db *db = b->db;
	struct deb822_para para;
	size_t pos = 0;

	(void)base;
	while (deb822_next_para(buf, len, &pos, &para)) {
		struct deb822_field f, name = { 0 }, arch = { 0 };
		size_t fpos = 0;
		int autoinst = 0;
		uint32_t p;

		while (deb822_next_field(&para, &fpos, &f) == 1) {
			if (deb822_is(&f, "Package")) name = f;
			else if (deb822_is(&f, "Architecture")) arch = f;
			else if (deb822_is(&f, "Auto-Installed")) autoinst = f.value_len == 1 && f.value[0] == '1';
		}
		if (!name.value_len || !autoinst)
			continue;
		p = db_pkg_get(db, name.value, name.value_len, arch_of(b, arch.value, arch.value_len), 0);
		if (p != DB_NONE && db->pkgs[p].inst != DB_NONE)
			db->pkgs[p].flags |= OMG_PKG_AUTO;
	}
	return 0;
}

/* ---- candidates ----------------------------------------------------------------- */

struct ver_at {
	uint32_t v, at; /* version, and its place in the package's chain */
};

static int cmp_newest_first(const void *a, const void *b, void *ctx)
{
	const struct db *db = ctx;
	const struct ver_at *x = a, *y = b;
	int c = deb_version_compare(db_s(db, db->vers[y->v].version), db_s(db, db->vers[x->v].version));

	/* equal versions keep the chain's order, as the stable sort this replaced did */
	return c ? c : x->at < y->at ? -1 : x->at > y->at;
}

/* Every version counts (a fixed table of 64 once dropped the newest of a longer chain and
 * so offered an "upgrade" to an older version); one sort, n log n. */
static int pick_candidate(struct build *b, uint32_t p)
{
	struct db *db = b->db;
	struct db_pkg *pk = &db->pkgs[p];
	struct ver_at *va;
	uint32_t n = 0, pref = DB_NONE;
	int max = 0;

	omg_wbuf_reset(&b->order);
	for (uint32_t v = pk->vers; v != DB_NONE; v = db->vers[v].next, n++)
		omg_put_bytes(&b->order, &(struct ver_at){ v, n }, sizeof(struct ver_at));
	if (b->order.failed)
		return OMG_ERROR(OMG_E_NOMEM, "candidates");
	va = (struct ver_at *)(void *)b->order.data;
	if (n > 1)
		qsort_r(va, n, sizeof *va, cmp_newest_first, db);
	for (uint32_t i = 0; i < n; i++) {
		const struct db_ver *v = &db->vers[va[i].v];
		int installed = va[i].v == pk->inst;
		if (v->prio > max) {
			pref = va[i].v;
			max = v->prio;
		}
		if (installed && max < 1000) { /* nothing older than the installed version */
			if (pref == DB_NONE)
				pref = va[i].v;
			break;
		}
	}
	pk->cand = pref;
	if (pk->inst != DB_NONE && pref != DB_NONE && pref != pk->inst) {
		pk->flags |= OMG_PKG_UPGRADABLE;
		if (db->vers[pref].flags & DBV_SECURITY)
			pk->flags |= OMG_PKG_SECURITY;
	}
	return OMG_OK;
}

/* ---- autoremove (apt's mark and sweep) ------------------------------------------ */

struct provide {
	uint32_t name;     /* arena offset of the provided name */
	uint32_t pkg;
	const char *version; /* "=" version, or NULL */
	size_t vlen;
};

struct walk {
	struct build *b;
	struct provide *prov;
	uint32_t nprov, cap_prov;
	uint32_t *stack;
	uint32_t nstack;
	uint32_t *inst_of;   /* package index -> inst_rec index */
};

static int cmp_provide(const void *a, const void *b, void *ctx)
{
	const struct db *db = ctx;
	return strcmp(db_s(db, ((const struct provide *)a)->name), db_s(db, ((const struct provide *)b)->name));
}

/* Records the names VALUE (a Provides field, LEN bytes) says version V provides. */
static int add_provides(struct db *db, uint32_t v, const char *value, size_t len)
{
	struct deb822_relation r;
	int rc = OMG_OK;

	for (const char *end = value + len; rc == OMG_OK && deb822_next_relation(&value, end, &r);)
		rc = db_provide_add(db, r.name, r.nlen, v, r.olen ? r.ver : NULL, r.olen ? r.vlen : 0);
	return rc;
}

static int relation_version_ok(const struct deb822_relation *r, const char *have, size_t hlen)
{
	char op[4], want[256], h[256];

	if (!r->olen)
		return 1;
	if (!have || r->olen >= sizeof op || r->vlen >= sizeof want || hlen >= sizeof h)
		return 0;
	memcpy(op, r->op, r->olen), op[r->olen] = 0;
	memcpy(want, r->ver, r->vlen), want[r->vlen] = 0;
	memcpy(h, have, hlen), h[hlen] = 0;
	return deb_version_satisfies(h, op, want);
}

static void walk_push(struct walk *w, uint32_t p)
{
	struct db_pkg *pk = &w->b->db->pkgs[p];

	/* apt-get marks a half-installed package for removal before the walk (a failed
	 * removal, in pkgApplyStatus): it keeps nothing and nothing keeps it. */
	if (pk->marked || pk->inst == DB_NONE || pk->state == ST_HALF_INSTALLED)
		return;
	pk->marked = 1;
	w->stack[w->nstack++] = p;
}

static int arch_ok(const struct walk *w, uint32_t from, uint32_t to, const struct deb822_relation *r)
{
	const struct db *db = w->b->db;
	uint8_t ma = w->b->ma[to];
	const char *ta = db_s(db, db->pkgs[to].arch);

	if (r->qlen == 3 && !strncmp(r->qual, "any", 3))
		return db->pkgs[to].arch == db->pkgs[from].arch || ma == MA_FOREIGN || ma == MA_ALLOWED;
	if (r->qlen == 6 && !strncmp(r->qual, "native", 6))
		return !strcmp(ta, db_s(db, db->native_arch));
	if (r->qlen)
		return strlen(ta) == r->qlen && !strncmp(ta, r->qual, r->qlen);
	return !strcmp(ta, db_s(db, db->pkgs[from].arch)) || ma == MA_FOREIGN;
}

/* Marks every installed package that satisfies relation R of package FROM. */
static void mark_relation(struct walk *w, uint32_t from, const struct deb822_relation *r)
{
	struct db *db = w->b->db;
	uint32_t lo = 0, hi = w->nprov;

	for (uint32_t t = db_pkg_first(db, r->name, r->nlen); t != DB_NONE; t = db->pkgs[t].next_arch) {
		const char *iv;
		if (db->pkgs[t].inst == DB_NONE || !arch_ok(w, from, t, r))
			continue;
		iv = db_s(db, db->vers[db->pkgs[t].inst].version);
		if (relation_version_ok(r, iv, strlen(iv)))
			walk_push(w, t);
	}
	while (lo < hi) { /* providers: the first entry whose name is >= the relation's */
		uint32_t mid = lo + (hi - lo) / 2;
		if (strncmp(db_s(db, w->prov[mid].name), r->name, r->nlen) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (uint32_t i = lo; i < w->nprov; i++) {
		const struct provide *pv = &w->prov[i];
		const char *n = db_s(db, pv->name);
		if (strncmp(n, r->name, r->nlen) != 0 || n[r->nlen] != 0)
			break;
		if ((r->olen && !pv->version) || !relation_version_ok(r, pv->version, pv->vlen))
			continue;
		walk_push(w, pv->pkg); /* apt keeps every installed provider, of any architecture */
	}
}

static void mark_deps(struct walk *w, uint32_t p)
{
	const struct build *b = w->b;
	const struct inst_rec *rec = &b->inst[w->inst_of[p]];

	for (int k = 0; k < DEP__COUNT; k++) {
		struct deb822_relation r;
		const char *s;
		if (!rec->deps[k] || (k == DEP_RECOMMENDS && !b->paths.recommends_important) ||
		    (k == DEP_SUGGESTS && !b->paths.suggests_important))
			continue;
		s = db_s(b->db, rec->deps[k]);
		for (const char *end = s + strlen(s); deb822_next_relation(&s, end, &r);)
			if (r.nlen)
				mark_relation(w, p, &r);
	}
}

static int never_remove(const struct build *b, const char *name)
{
	regex_t *const *re = (regex_t *const *)(const void *)b->never.data;

	for (size_t i = 0; i < b->never.len / sizeof *re; i++)
		if (regexec(re[i], name, 0, NULL, 0) == 0)
			return 1;
	return 0;
}

static int find_orphans(struct build *b)
{
	struct db *db = b->db;
	struct walk w = { .b = b };
	int rc = OMG_OK;

	w.stack = malloc(((size_t)db->npkgs + 1) * sizeof *w.stack);
	w.inst_of = malloc(((size_t)db->npkgs + 1) * sizeof *w.inst_of);
	w.cap_prov = b->ninst * 2 + 16;
	w.prov = malloc((size_t)w.cap_prov * sizeof *w.prov);
	b->ma = calloc((size_t)db->npkgs + 1, 1);
	if (!w.stack || !w.inst_of || !w.prov || !b->ma) {
		rc = OMG_ERROR(OMG_E_NOMEM, "autoremove");
		goto fail;
	}
	for (uint32_t i = 0; i < b->ninst; i++) {
		const struct inst_rec *rec = &b->inst[i];
		const char *s = db_s(db, rec->provides); /* 0: "" */
		struct deb822_relation r;
		w.inst_of[rec->pkg] = i;
		b->ma[rec->pkg] = rec->multiarch;
		for (const char *end = s + strlen(s); deb822_next_relation(&s, end, &r);) {
			if (r.nlen) {
				struct provide *pv;
				if (w.nprov == w.cap_prov) {
					void *np = realloc(w.prov, (size_t)w.cap_prov * 2 * sizeof *w.prov);
					if (!np) {
						rc = OMG_ERROR(OMG_E_NOMEM, "autoremove");
						goto fail;
					}
					w.prov = np;
					w.cap_prov *= 2;
				}
				pv = &w.prov[w.nprov++];
				pv->name = db_str(db, r.name, r.nlen);
				pv->pkg = rec->pkg;
				pv->version = r.olen ? r.ver : NULL;
				pv->vlen = r.vlen;
			}
		}
	}
	qsort_r(w.prov, w.nprov, sizeof *w.prov, cmp_provide, db);
	/* roots: manual, essential, protected, required, held, or NeverAutoRemove */
	for (uint32_t i = 0; i < b->ninst; i++) {
		const struct inst_rec *rec = &b->inst[i];
		const struct db_pkg *pk = &db->pkgs[rec->pkg];
		if (!(pk->flags & OMG_PKG_AUTO) || rec->root || never_remove(b, db_s(db, pk->name)))
			walk_push(&w, rec->pkg);
	}
	while (w.nstack)
		mark_deps(&w, w.stack[--w.nstack]);
	for (uint32_t i = 0; i < b->ninst; i++) {
		struct db_pkg *pk = &db->pkgs[b->inst[i].pkg];
		if (!pk->marked) {
			pk->flags |= OMG_PKG_ORPHAN;
			db->counts.orphans++;
		}
	}
fail:
	free(w.stack);
	free(w.inst_of);
	free(w.prov);
	return rc;
}

/* ---- commands: which package has which executable -------------------------------- */

/* Directories whose files are commands; listed without the leading slash, as in Contents. */
static const char *const bin_dirs[] = { "usr/bin/", "usr/sbin/", "bin/", "sbin/", "usr/games/",
					 "usr/local/bin/", "usr/local/sbin/" };

/* The command name when PATH (no leading slash) is a file directly in a bin directory. */
static const char *command_name(const char *path, size_t len, size_t *nlen)
{
	for (size_t i = 0; i < sizeof bin_dirs / sizeof bin_dirs[0]; i++) {
		size_t dl = strlen(bin_dirs[i]);
		if (len > dl && !strncmp(path, bin_dirs[i], dl) && !memchr(path + dl, '/', len - dl)) {
			*nlen = len - dl;
			return path + dl;
		}
	}
	return NULL;
}

struct list_ctx {
	struct build *b;
	const char *package;
	int installed;
};

/* Record: u8 installed, u16 name, package and path lengths, then the three strings. */
static int add_cmd(struct build *b, const char *name, size_t nlen, const char *pkg, size_t plen,
		   const char *path, size_t pathlen, int installed)
{
	if (nlen > UINT16_MAX || plen > UINT16_MAX || pathlen > UINT16_MAX)
		return 0;
	if (b->cache) {
		omg_put_u8(&b->rec, (uint8_t)installed);
		omg_put_u16(&b->rec, (uint16_t)nlen);
		omg_put_u16(&b->rec, (uint16_t)plen);
		omg_put_u16(&b->rec, (uint16_t)pathlen);
		omg_put_bytes(&b->rec, name, nlen);
		omg_put_bytes(&b->rec, pkg, plen);
		omg_put_bytes(&b->rec, path, pathlen);
	}
	return db_cmd_add(b->db, name, nlen, pkg, plen, path, pathlen, installed);
}

static int replay_cmds(struct build *b, const struct src_records *sr)
{
	struct omg_rbuf r;

	omg_rbuf_init(&r, sr->p, sr->len);
	while (r.pos < r.len && !r.failed) {
		int installed = omg_get_u8(&r);
		size_t nlen = omg_get_u16(&r), plen = omg_get_u16(&r), pathlen = omg_get_u16(&r);
		const char *name = (const char *)omg_get_bytes(&r, nlen);
		const char *pkg = (const char *)omg_get_bytes(&r, plen);
		const char *path = (const char *)omg_get_bytes(&r, pathlen);
		if (r.failed || !nlen)
			return OMG_ERROR(OMG_E_CORRUPT, "stored records of commands");
		if (db_cmd_add(b->db, name, nlen, pkg, plen, path, pathlen, installed) != OMG_OK)
			return OMG_E_NOMEM;
	}
	b->db->damaged_lists += sr->damaged;
	return OMG_OK;
}

/* dpkg's info/PACKAGE.list: one absolute path a line. */
static int dpkg_list_chunk(void *ctx, const char *buf, size_t len, uint64_t base)
{
	struct list_ctx *lc = ctx;
	const char *p = buf, *end = buf + len;

	(void)base;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *e = nl ? nl : end, *name;
		size_t nlen;
		if (*p == '/' && (name = command_name(p + 1, (size_t)(e - p - 1), &nlen)) &&
		    add_cmd(lc->b, name, nlen, lc->package, strlen(lc->package), p, (size_t)(e - p), 1) != OMG_OK)
			return OMG_E_NOMEM;
		p = e + 1;
	}
	return 0;
}

/* apt-file's Contents: "PATH<whitespace>section/package[,section/package...]". */
static int contents_chunk(void *ctx, const char *buf, size_t len, uint64_t base)
{
	struct list_ctx *lc = ctx;
	const char *p = buf, *end = buf + len;

	(void)base;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *e = nl ? nl : end;
		const char *ws = e, *name, *pk;
		size_t nlen;
		while (ws > p && ws[-1] != ' ' && ws[-1] != '\t')
			ws--; /* the package column is the last one: paths may hold spaces */
		pk = ws;
		while (ws > p && (ws[-1] == ' ' || ws[-1] == '\t'))
			ws--;
		if (ws > p && pk < e && (name = command_name(p, (size_t)(ws - p), &nlen))) {
			char path[512];
			int pl = snprintf(path, sizeof path, "/%.*s", (int)(ws - p), p);
			while (pk < e) { /* each section/package of the list */
				const char *comma = memchr(pk, ',', (size_t)(e - pk)), *pe = comma ? comma : e;
				const char *slash = pk;
				for (const char *q = pk; q < pe; q++)
					if (*q == '/')
						slash = q + 1;
				if (pe > slash && pl > 0 && (size_t)pl < sizeof path &&
				    add_cmd(lc->b, name, nlen, slash, (size_t)(pe - slash), path, (size_t)pl, 0) != OMG_OK)
					return OMG_E_NOMEM;
				pk = pe + 1;
			}
		}
		p = e + 1;
	}
	return 0;
}

/* Reads a small plain file whole (dpkg's file lists are never compressed): one open and one
 * read, not a decompressing reader. Returns a malloc'd buffer and its length, or NULL. */
static char *read_plain(const char *path, size_t *len)
{
	struct stat st;
	char *buf = NULL;
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC); /* a FIFO must not block */

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size < (64 << 20) &&
	    (buf = malloc((size_t)st.st_size + 1))) {
		ssize_t n = read(fd, buf, (size_t)st.st_size);
		*len = n > 0 ? (size_t)n : 0;
	}
	close(fd);
	return buf;
}

/* Installed commands: ADMINDIR/info/NAME:ARCH.list (Multi-Arch: same), else NAME.list, for
 * each installed package. DIR is that info directory. */
static int read_installed_cmds(struct build *b, const char *dir)
{
	char path[8192];

	for (uint32_t i = 0; i < b->ninst; i++) {
		const struct db_pkg *pk = &b->db->pkgs[b->inst[i].pkg];
		struct list_ctx lc = { b, db_s(b->db, pk->name), 1 };
		size_t len = 0;
		char *buf;
		int rc = OMG_OK;
		snprintf(path, sizeof path, "%s/%s:%s.list", dir, lc.package, db_s(b->db, pk->arch));
		if (!(buf = read_plain(path, &len))) {
			snprintf(path, sizeof path, "%s/%s.list", dir, lc.package);
			buf = read_plain(path, &len);
		}
		if (buf)
			rc = dpkg_list_chunk(&lc, buf, len, 0);
		free(buf);
		if (rc != OMG_OK)
			return rc;
	}
	return OMG_OK;
}

static int read_contents(struct build *b, const char *path)
{
	struct list_ctx lc = { b, NULL, 0 };

	if (listfile_read_lines(path, contents_chunk, &lc) != OMG_OK)
		b->db->damaged_lists++;
	return OMG_OK;
}

/* The installed set's identity, for the cached commands of dpkg's info directory: dpkg
 * replaces a .list file by renaming (which changes the directory), and the set of .list
 * files read depends on which packages are installed. */
static uint64_t installed_salt(const struct build *b)
{
	uint64_t h = 1469598103934665603ull;

	for (uint32_t i = 0; i < b->ninst; i++) {
		const struct db_pkg *pk = &b->db->pkgs[b->inst[i].pkg];
		for (const char *s = db_s(b->db, pk->name); *s; s++)
			h = (h ^ (unsigned char)*s) * 1099511628211ull;
		h = (h ^ ':') * 1099511628211ull;
		for (const char *s = db_s(b->db, pk->arch); *s; s++)
			h = (h ^ (unsigned char)*s) * 1099511628211ull;
		h = (h ^ '\n') * 1099511628211ull;
	}
	return h;
}

static int read_commands(struct build *b)
{
	char dir[4096], path[8192];
	const char *slash = strrchr(b->paths.status, '/');
	struct dirent *de;
	struct stat st;
	DIR *d;
	int rc = OMG_OK;

	snprintf(dir, sizeof dir, "%.*s/info", slash ? (int)(slash - b->paths.status) : 0, b->paths.status);
	if (db_input_add(b->db, dir) != OMG_OK)
		return OMG_E_NOMEM;
	if (stat(dir, &st) == 0 &&
	    (rc = cached_source(b, dir, &st, SRC_DPKG_INFO, installed_salt(b), replay_cmds, read_installed_cmds)) != OMG_OK)
		return rc;
	/* available packages: apt-file's Contents indexes, when apt-file has fetched them */
	if (!(d = opendir(b->paths.lists)))
		return OMG_OK;
	while (rc == OMG_OK && (de = readdir(d))) {
		if (!strstr(de->d_name, "_Contents-") || strstr(de->d_name, ".diff"))
			continue;
		snprintf(path, sizeof path, "%s/%s", b->paths.lists, de->d_name);
		if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		if ((rc = db_input_add(b->db, path)) == OMG_OK)
			rc = cached_source(b, path, &st, SRC_CONTENTS, 0, replay_cmds, read_contents);
	}
	closedir(d);
	return rc;
}

/* ---- the build ------------------------------------------------------------------ */

/* apt's configuration files are inputs: a change of them invalidates the snapshot. */
/* apt's configuration and sources, as inputs: a stored index is not reused once they change
 * (a change of sources alone changes the lists' descriptions). */
static int add_conf_inputs(struct db *db, const char *root)
{
	static const char *const conf[][2] = { { "etc/apt/apt.conf", "etc/apt/apt.conf.d" },
					       { "etc/apt/sources.list", "etc/apt/sources.list.d" } };
	char path[8192];
	struct dirent *de;
	DIR *d;
	int rc = OMG_OK;

	for (size_t i = 0; rc == OMG_OK && i < sizeof conf / sizeof conf[0]; i++) {
		snprintf(path, sizeof path, "%s/%s", root, conf[i][0]);
		if ((rc = db_input_add(db, path)) != OMG_OK)
			return rc;
		snprintf(path, sizeof path, "%s/%s", root, conf[i][1]);
		if ((rc = db_input_add(db, path)) != OMG_OK || !(d = opendir(path)))
			continue;
		while (rc == OMG_OK && (de = readdir(d)))
			if (de->d_name[0] != '.') {
				snprintf(path, sizeof path, "%s/%s/%s", root, conf[i][1], de->d_name);
				rc = db_input_add(db, path);
			}
		closedir(d);
	}
	return rc;
}

static int dpkg_build(struct db *db, const char *root, struct srccache *cache)
{
	struct build b = { .db = db, .cache = cache };
	const struct dpkg_arch *native = dpkg_arch_get(DPKG_ARCH_NATIVE);
	const char *arch;
	int rc;

	if ((rc = aptconf_load(&b.conf, root)) != OMG_OK || (rc = add_conf_inputs(db, root)) != OMG_OK ||
	    (rc = aptsources_load(&b.sources, root)) != OMG_OK)
		goto fail;
	resolve_paths(&b, root);
	arch = aptconf_get(&b.conf, "apt::architecture", native ? native->name : "amd64");
	add_arch(&b, arch);
	aptconf_each(&b.conf, "apt::architectures", add_arch, &b);
	aptconf_each(&b.conf, "apt::neverautoremove", add_never, &b);
	db->native_arch = db_str(db, arch, strlen(arch));
	omg_put_bytes(&b.arch_off, &db->native_arch, sizeof db->native_arch);
	if (b.conf_failed || b.arch_off.failed || db->native_arch == DB_NONE) {
		rc = OMG_ERROR(OMG_E_NOMEM, "apt configuration");
		goto fail;
	}
	if ((rc = read_lists(&b)) != OMG_OK)
		goto fail;
	if ((b.src = add_src(&b, b.paths.status, 0, NULL)) == DB_NONE) {
		rc = OMG_ERROR(OMG_E_NOMEM, "sources");
		goto fail;
	}
	db->srcs[b.src].prio = 100;
	if ((rc = db_input_add(db, b.paths.status)) != OMG_OK || (rc = db_input_add(db, b.paths.extended)) != OMG_OK)
		goto fail;
	if ((rc = regular_file(b.paths.status)) != OMG_OK ||
	    (rc = listfile_read(b.paths.status, status_chunk, &b)) != OMG_OK)
		goto fail;
	if (access(b.paths.extended, F_OK) == 0 && ((rc = regular_file(b.paths.extended)) != OMG_OK ||
	    (rc = listfile_read(b.paths.extended, ext_chunk, &b)) != OMG_OK))
		goto fail;
	for (uint32_t p = 0; p < db->npkgs; p++) {
		struct db_pkg *pk = &db->pkgs[p];
		if ((rc = pick_candidate(&b, p)) != OMG_OK)
			goto fail;
		if (pk->state == ST_INSTALLED)
			db->counts.total++;
		if (pk->inst != DB_NONE && !(pk->flags & OMG_PKG_AUTO))
			db->counts.explicit_pkgs++;
		if (pk->flags & OMG_PKG_UPGRADABLE)
			db->counts.updates++;
		if (pk->flags & OMG_PKG_SECURITY)
			db->security++;
	}
	rc = find_orphans(&b);
	if (rc == OMG_OK)
		rc = read_commands(&b);
fail:
	omg_wbuf_free(&b.rec);
	omg_wbuf_free(&b.order);
	for (size_t i = 0; i < b.never.len / sizeof(regex_t *); i++) {
		regex_t *re = ((regex_t **)(void *)b.never.data)[i];
		regfree(re);
		free(re);
	}
	omg_wbuf_free(&b.never);
	for (size_t i = 0; i < b.archs.len / sizeof(char *); i++)
		free(((char **)(void *)b.archs.data)[i]);
	omg_wbuf_free(&b.archs);
	omg_wbuf_free(&b.arch_off);
	free(b.inst);
	free(b.ma);
	aptconf_free(&b.conf);
	aptsources_free(&b.sources);
	return rc;
}

static int dpkg_watch_specs(const char *root, struct watch_spec *out, int max)
{
	struct build b = { 0 };
	char sources[4200], parts[4200];
	const char *files[5];
	int n = 0;

	if (aptconf_load(&b.conf, root) != OMG_OK)
		return 0;
	resolve_paths(&b, root);
	/* the sources too: they name the lists, and policy and show describe the lists by them */
	join_dir(sources, sizeof sources, b.paths.root, "etc/apt/sources.list");
	join_dir(parts, sizeof parts, b.paths.root, "etc/apt/sources.list.d");
	files[0] = b.paths.status;
	files[1] = b.paths.extended;
	files[2] = b.paths.lists;
	files[3] = sources;
	files[4] = parts;
	for (int i = 0; i < 5 && n < max; i++, n++) {
		const char *slash = strrchr(files[i], '/');
		if (i == 2 || i == 4) { /* every file in the directory */
			snprintf(out[n].dir, sizeof out[n].dir, "%s", files[i]);
			out[n].name[0] = 0;
		} else {
			snprintf(out[n].dir, sizeof out[n].dir, "%.*s", (int)(slash - files[i]), files[i]);
			snprintf(out[n].name, sizeof out[n].name, "%s", slash + 1);
		}
	}
	aptconf_free(&b.conf);
	return n;
}

/* Whether the paragraph PARA is the record of version V: its Package, Version and
 * Architecture ("all" or none: the native one) are V's. */
static int para_is(const struct db *db, const struct db_ver *ver, const struct deb822_para *para)
{
	const struct db_pkg *pk = &db->pkgs[ver->pkg];
	const char *want_arch = db_s(db, pk->arch);
	struct deb822_field f;
	size_t fpos = 0;
	int name = 0, version = 0, arch = pk->arch == db->native_arch || !strcmp(want_arch, db_s(db, db->native_arch));
	int native = arch;

	while (deb822_next_field(para, &fpos, &f) == 1) {
		if (deb822_is(&f, "Package"))
			name = f.value_len == strlen(db_s(db, pk->name)) && !memcmp(f.value, db_s(db, pk->name), f.value_len);
		else if (deb822_is(&f, "Version"))
			version = f.value_len == strlen(db_s(db, ver->version)) &&
				  !memcmp(f.value, db_s(db, ver->version), f.value_len);
		else if (deb822_is(&f, "Architecture"))
			arch = (f.value_len == strlen(want_arch) && !memcmp(f.value, want_arch, f.value_len)) ||
			       (native && f.value_len == 3 && !memcmp(f.value, "all", 3));
	}
	return name && version && arch;
}

static int record_is(const struct db *db, const struct db_ver *ver, const char *rec, size_t len)
{
	struct deb822_para para;
	size_t pos = 0;

	return deb822_next_para(rec, len, &pos, &para) && para.offset == 0 && para_is(db, ver, &para);
}

struct record_find {
	const struct db *db;
	const struct db_ver *ver;
	char *found;
};

static int find_chunk(void *ctx, const char *buf, size_t len, uint64_t base)
{
	struct record_find *rf = ctx;
	struct deb822_para para;
	size_t pos = 0;

	(void)base;
	while (deb822_next_para(buf, len, &pos, &para))
		if (para_is(rf->db, rf->ver, &para)) {
			if (!(rf->found = strndup(para.start, para.len)))
				return OMG_ERROR(OMG_E_NOMEM, "record");
			return 1; /* found: stop reading */
		}
	return 0;
}

/* The record at the stored offset, if it still is this version's: dpkg rewrites its
 * status file in place of the indexed one, and an offset into the new file can hold
 * another package's record (the hostile test printed one). Then the whole source is
 * searched for the version's paragraph; if it has gone, the record is not shown. */
static int record_at(const struct db *db, uint32_t v, uint32_t si, uint64_t off, uint32_t len, char **out)
{
	const struct db_ver *ver = &db->vers[v];
	const struct db_src *src;
	struct record_find rf = { db, ver, NULL };
	char *buf;
	int rc;

	*out = NULL;
	if (si == DB_NONE)
		return OMG_ERROR(OMG_E_NOTFOUND, "no record");
	src = &db->srcs[si];
	if (!(buf = malloc((size_t)len + 1)))
		return OMG_ERROR(OMG_E_NOMEM, "record");
	rc = listfile_extract(db_s(db, src->path), src->compressed, off, len, buf);
	if (rc == OMG_OK && record_is(db, ver, buf, len)) {
		*out = buf;
		return OMG_OK;
	}
	free(buf);
	rc = listfile_read(db_s(db, src->path), find_chunk, &rf);
	if (rf.found) {
		*out = rf.found;
		return OMG_OK;
	}
	return rc == OMG_E_NOMEM ? rc : OMG_ERROR(OMG_E_STALE, "%s changed since it was indexed", db_s(db, src->path));
}

static int dpkg_record(const struct db *db, uint32_t v, char **out)
{
	const struct db_ver *ver = &db->vers[v];

	return record_at(db, v, ver->src, ver->off, ver->len, out);
}

static int dpkg_record_file(const struct db *db, uint32_t vf, char **out)
{
	const struct db_vfile *f = &db->vfiles[vf];

	return record_at(db, f->ver, f->src, f->off, f->len, out);
}

const struct backend backend_dpkg = {
	.name = "dpkg",
	.build = dpkg_build,
	.watch_specs = dpkg_watch_specs,
	.record = dpkg_record,
	.record_file = dpkg_record_file,
	.files = pkgfiles_dpkg,
	.changelog = pkgchangelog_dpkg,
	.vercmp = deb_version_compare,
};
