/* dpkg.h — the Debian backend's inside: what its files share while one build runs.
 *
 * The backend (backend.c) reads apt's configuration (config.c), the lists of the configured
 * sources with their Release files (sources.c, lists.c) and translations (translations.c), dpkg's status and apt's
 * extended_states (status.c), then picks each package's candidate (candidate.c), walks
 * apt's autoremove marks (autoremove.c) and indexes the commands (commands.c). A version's
 * fields go into the index through fields.c; a source's records are replayed from the store
 * when the file has not changed (cached.c). record.c reads a version's record back for INFO.
 *
 * Everything here runs on the build thread and returns OMG_OK or an OMG_E_* code set through
 * OMG_ERROR; nothing outside omgd/dpkg/ includes this header.
 */
#ifndef OMGD_DPKG_DPKG_H
#define OMGD_DPKG_DPKG_H

#include "aptconf.h"
#include "aptprefs.h"
#include "aptsources.h"
#include "backend.h"
#include "db.h"
#include "deb822.h"
#include "proto.h" /* omg_wbuf: the cache records' little-endian writer */
#include "srccache.h"

#include <regex.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

enum dpkg_state {
	ST_NOT_INSTALLED, ST_CONFIG_FILES, ST_HALF_INSTALLED, ST_UNPACKED, ST_HALF_CONFIGURED,
	ST_TRIGGERS_AWAITED, ST_TRIGGERS_PENDING, ST_INSTALLED,
};

enum multiarch { MA_NO, MA_SAME, MA_FOREIGN, MA_ALLOWED };

enum { DEP_PRE, DEP_DEPENDS, DEP_RECOMMENDS, DEP_SUGGESTS, DEP__COUNT };

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
	char origin[64], label[64], suite[64], codename[64], version[64];
	int not_automatic, but_automatic_upgrades;
};

struct build {
	struct db *db;
	struct paths paths;
	struct aptconf conf;
	struct aptsources sources; /* to describe the lists as apt does */
	/* Growable: fixed tables (8 architectures, 16 interned names, 32 NeverAutoRemove
	 * patterns) once dropped the rest silently. conf_failed: one could not be added. */
	char **archs;             /* native first, then APT::Architectures */
	size_t narchs, cap_archs;
	uint32_t *arch_off;       /* interned architecture names */
	size_t narch_off, cap_arch_off;
	int conf_failed;
	uint32_t src;        /* the source being read */
	struct inst_rec *inst;
	uint32_t ninst, cap_inst;
	uint8_t *ma;         /* multiarch by package index (installed only) */
	regex_t **never;          /* APT::NeverAutoRemove */
	size_t nnever, cap_never;
	struct srccache *cache; /* NULL: no store, parse everything */
	struct omg_wbuf rec;     /* records of the source being parsed, for the cache */
	struct ver_at *order;    /* deb_pick_candidate's scratch: one package's versions */
	size_t cap_order;
	uint32_t *ver_source;    /* by version: its Source name (arena), 0: its own name */
	size_t nver_source, cap_ver_source;
	uint32_t *ver_md5;       /* by version: its Description-md5's first 4 bytes, 0: none */
	size_t nver_md5, cap_ver_md5;
	struct aptprefs prefs;   /* apt_preferences, APT::Default-Release first */
};

/* config.c: paths, architectures and NeverAutoRemove from apt's configuration. */
void deb_join_dir(char *out, size_t n, const char *base, const char *rel);
void deb_resolve_paths(struct build *b, const char *root);
void deb_add_arch(void *b, const char *arch);  /* aptconf_each callbacks: CTX is the build */
void deb_add_never(void *b, const char *pattern);
void deb_admin_file(const struct build *b, const char *name, char *out, size_t n); /* ADMINDIR/NAME */
int deb_add_foreign_archs(struct build *b); /* dpkg --print-foreign-architectures */
int deb_arch_known(const struct build *b, const char *a, size_t n);
uint32_t deb_arch_of(struct build *b, const char *a, size_t n); /* interned; "" and "all": native */

/* sources.c: a package list (LIST: what its source says of it) or, with LIST NULL, dpkg's
 * status file, with its Release file's fields (REL may be NULL). */
uint32_t deb_add_src(struct build *b, const char *path, int compressed, const struct release *rel,
		     const struct aptsources_list *list);
int deb_read_release(const char *path, struct release *r); /* 0, or -1: unreadable */

/* fields.c: a version's fields into the index. */
int deb_rel_field(const struct deb822_field *f); /* enum db_rel_kind, or -1 */
int deb_add_relations(struct db *db, uint32_t v, const char *const *rel, const size_t *rlen);
uint8_t deb_priority_code(const char *v, size_t n); /* enum db_priority */
int deb_add_provides(struct db *db, uint32_t v, const char *value, size_t len);
int deb_set_source(struct build *b, uint32_t v, const char *source, size_t len); /* its Source field */
/* The first 4 bytes of a description's MD5 as apt takes it: its Description-md5 field (MD5,
 * MLEN bytes of hex) when a record has one, else the MD5 of the Description's VALUE and a
 * newline. 0: no description. */
uint32_t deb_desc_md5(const char *md5, size_t mlen, const char *value, size_t len);
int deb_set_desc_md5(struct build *b, uint32_t v, uint32_t md5);
/* Version V, installed from dpkg's status file and in no list, takes the description of a
 * version of its name with the same MD5, as apt's cache shares them (its own otherwise). */
int deb_status_desc(struct build *b, uint32_t v, const char *value, size_t len);

/* cached.c: a source read through the store: replayed when unchanged, else READ and stored. */
int deb_cached_source(struct build *b, const char *path, const struct stat *st, uint32_t kind, uint64_t salt,
		      int (*replay)(struct build *, const struct src_records *),
		      int (*read)(struct build *, const char *path));

/* lists.c: every package list of the lists directory. */
int deb_read_lists(struct build *b);
/* translations.c: the Translation-en files of those lists (their long descriptions). */
int deb_read_translations(struct build *b);

/* status.c: listfile_read callbacks for dpkg's status file and apt's extended_states. */
int deb_status_chunk(void *b, const char *buf, size_t len, uint64_t base);
int deb_ext_chunk(void *b, const char *buf, size_t len, uint64_t base);

/* policy.c: every package file's and version's priority (apt_preferences). */
int deb_policy(struct build *b);

/* candidate.c: package P's candidate and its upgrade flags. */
int deb_pick_candidate(struct build *b, uint32_t p);

/* autoremove.c: DB_PKG_ORPHAN and the orphan count, as apt-get autoremove decides. */
int deb_find_orphans(struct build *b);

/* commands.c: which package has which command (dpkg's file lists, apt-file's Contents). */
int deb_read_commands(struct build *b);

/* record.c: a version's record (backend.h's record and record_file). */
int deb_record(const struct db *db, uint32_t v, struct record *out);
int deb_record_file(const struct db *db, uint32_t vfile, struct record *out);

#endif
