/* db.h — omgd's in-memory package index: one immutable snapshot per build.
 *
 * Strings live in one arena (offsets, 0 = ""); packages and versions are arrays. A
 * package is one (name, architecture) instance; its versions are chained. A backend's
 * build fills a db through db_pkg_get and db_ver_get and computes flags and counts; then the
 * builder (builder.c, not the backend) calls db_finish, after which the db is read-only and
 * may be shared by readers of one thread. A db read from a stored snapshot is already
 * finished (snapshot.c checks it with db_validate instead).
 */
#ifndef OMGD_DB_H
#define OMGD_DB_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#define DB_NONE UINT32_MAX

/* Package flags (struct db_pkg.flags). The index keeps its own names for them; they are the
 * same bits as the wire's OMG_PKG_* (dispatch.c checks so at compile time), so that an answer
 * copies them as they are. */
#define DB_PKG_INSTALLED 0x01u
#define DB_PKG_AUTO 0x02u        /* installed as a dependency */
#define DB_PKG_UPGRADABLE 0x04u
#define DB_PKG_SECURITY 0x08u    /* the candidate comes from a security archive */
#define DB_PKG_ORPHAN 0x10u      /* auto-removable */
#define DB_PKG_HELD 0x20u
#define DB_PKG_ESSENTIAL 0x40u
#define DB_PKG_FOREIGN 0x80u     /* architecture other than the native one */
#define DB_PKG_CONFIG_FILES 0x100u /* removed; only its configuration files remain (dpkg rc) */

/* db_search and db_suggest's flags (the wire's OMG_SEARCH_* bits, checked in dispatch.c). */
#define DB_SEARCH_DESCRIPTIONS 0x1u
#define DB_SEARCH_INSTALLED 0x2u
#define DB_QUERY_MAX 256         /* a search query, a prefix, a package name */

/* The counts a build computes (published in the status file by main.c). */
struct db_counts {
	uint32_t total, explicit_pkgs, orphans, updates;
};

struct arena {
	char *p;
	size_t len, cap;
};

struct db_src {              /* one input file */
	uint32_t path;           /* arena */
	uint32_t origin, label, suite, codename; /* its Release file's fields, or 0 */
	int16_t prio;            /* apt priority of its versions: 500, 100, 1 */
	uint8_t compressed;      /* offsets refer to the decompressed stream */
	uint8_t security;        /* Label: Debian-Security */
	uint32_t desc;           /* arena: how apt describes it ("URI SUITE/COMPONENT ARCH Packages", or
				  * the status file's path), for policy and show; 0 = its path */
	uint32_t order;          /* its place in apt's order of sources (UINT32_MAX: none names it) */
	uint32_t version, component, arch, site; /* arena: Release's Version, and what apt's pins match
				  * of the list (component, index architecture, URI host), or 0 */
	uint32_t pin;            /* arena: the general pin that set PRIO ("Pin: release a=x"), or 0 */
};

#define DBV_SECURITY 0x1u    /* found in a security source */
#define DBV_STATUS 0x2u      /* the installed version, from dpkg's status file */
#define DBV_ARCH_ALL 0x4u    /* its list stanza says Architecture: all (filed under the native arch) */
#define DBV_LONG_DESC 0x8u   /* the rest of its Description follows its first line in the arena */
#define DBV_PRIO_SHIFT 8     /* bits 8-10: its Priority field, enum db_priority */
#define DBV_PRIO_MASK 0x700u
enum db_priority { DB_PRIO_NONE, DB_PRIO_REQUIRED, DB_PRIO_IMPORTANT, DB_PRIO_STANDARD, DB_PRIO_OPTIONAL, DB_PRIO_EXTRA };

struct db_ver {
	uint32_t pkg, version, desc, next;
	uint32_t src, len;       /* stanza shown by INFO: source and byte length */
	uint32_t archive;        /* first package list that has this version, or DB_NONE */
	uint32_t isize;          /* installed version: its Installed-Size (KiB), else 0 */
	uint64_t off;            /* stanza offset within the (decompressed) source */
	int16_t prio;            /* apt's priority: its specific pin's, else the highest of its files' */
	uint16_t flags;          /* DBV_* */
	uint32_t pin;            /* arena: the specific pin that set PRIO ("Package: x / Pin: ..."), or 0 */
};

struct db_pkg {
	uint32_t name, arch;
	uint32_t vers;           /* first version */
	uint32_t inst, cand;     /* installed (current) and candidate versions, or DB_NONE */
	uint32_t next_arch;      /* next instance with the same name */
	uint32_t flags;          /* DB_PKG_* */
	uint8_t state;           /* enum dpkg_state */
	uint8_t marked;          /* scratch for the autoremove walk */
};

/* One appearance of a version in a package list (apt's VerFile): the list's priority and
 * its record there come from it. Sorted by version, then in the order the lists were read. */
struct db_vfile {
	uint64_t off;            /* stanza offset within the (decompressed) source */
	uint32_t ver, src, len, reserved;
};

/* A name a version provides (its Provides field): how virtual packages are found. Sorted
 * by name, then by version index. */
struct db_provide {
	uint32_t name;           /* arena */
	uint32_t ver;
	uint32_t version;        /* arena: the provided version ("Provides: x (= 1.0)"), or 0 */
};

/* One relation of a version (Depends: libc6 (>= 2.36) is one, each alternative of "a | b"
 * another). A version's relations are kept in apt's order of kinds, each field in its own
 * order, so that depends prints as apt-cache depends does. */
enum db_rel_kind { DB_REL_PRE_DEPENDS, DB_REL_DEPENDS, DB_REL_CONFLICTS, DB_REL_BREAKS, DB_REL_RECOMMENDS,
		   DB_REL_SUGGESTS, DB_REL_REPLACES, DB_REL_ENHANCES, DB_REL__COUNT };
/* The operators of a relation's version, in db_rel.op: "", "<<", "<=", "=", ">=", ">>", then
 * the obsolete "<" (apt: <=) and ">" (>=). */
extern const char *const db_rel_ops[8];

struct db_rel {
	uint32_t ver;            /* the version that has it */
	uint32_t name;           /* arena: the target's name */
	uint32_t qual;           /* arena: its architecture qualifier (":any", ":native"...), or 0 */
	uint32_t version;        /* arena: the version of the constraint, or 0 */
	uint8_t kind;            /* enum db_rel_kind */
	uint8_t op;              /* index into db_rel_ops */
	uint8_t alt;             /* 1: an alternative follows ("a | b") */
	uint8_t reserved;
};

struct db_cmd {            /* one executable: its name, the package and the path that has it */
	uint32_t name, package, path; /* arena */
	uint32_t installed;      /* 1: from dpkg's file lists (installed), 0: from a Contents index */
};

/* A file or directory a build read. The stored snapshot of a db is reused only while every
 * input still has the same identity and times (see snapshot.h). */
struct db_input {
	uint32_t path;           /* arena */
	uint32_t exists;         /* 0: the build found it missing */
	uint64_t size, mtime_ns, ctime_ns, ino, dev;
};

/* The search index (textidx.h): one document a name, as apt-cache search sees a group. */
struct db_doc {
	uint32_t pkg;            /* the name's preferred instance: native if it has a version, else
				  * the first that has one */
	uint32_t provs;          /* its first entry in db->doc_provs; the next document's ends them */
};

/* One trigram of the documents' text (three bytes folded by textidx_code), and the documents
 * that have it: ascending numbers, each the difference from the last as a LEB128 varint. */
struct db_tri {
	uint32_t key, count;     /* count: documents in its list */
	uint32_t off, len;       /* its list's bytes in db->postings */
};

struct db {
	/* A db read from a stored snapshot borrows its arrays: db_free calls RELEASE instead of
	 * freeing them (snapshot.h). */
	void (*release)(struct db *db);
	void *release_ctx;
	struct arena str;
	struct db_input *inputs;
	uint32_t ninputs, cap_inputs;
	struct db_cmd *cmds;     /* sorted by name, then installed first */
	uint32_t ncmds, cap_cmds;
	struct db_pkg *pkgs;
	struct db_ver *vers;
	struct db_src *srcs;
	uint32_t npkgs, nvers, nsrcs, cap_pkgs, cap_vers, cap_srcs;
	struct db_vfile *vfiles;
	uint32_t nvfiles, cap_vfiles;
	struct db_provide *provs;
	uint32_t nprovs, cap_provs;
	struct db_rel *rels;     /* by version, each version's in order (db_finish) */
	uint32_t nrels, cap_rels;
	uint32_t *rels_by_name;  /* indexes into rels: by target name, then newest-parsed first (apt's
				  * reverse-dependency order: the reverse of the order apt reads them) */
	uint32_t *intern;        /* a build's table of interned strings (never stored), or NULL */
	uint32_t intern_mask, intern_n;
	uint32_t *hash;          /* by name: first instance */
	uint32_t hash_mask;
	uint32_t *vhash;         /* by (package, version): db_ver_get's lookup, built lazily */
	uint32_t vhash_mask, vhash_n; /* vhash_n: versions in it (a reused db may add more) */
	uint32_t *by_name;       /* package indices sorted by name, then architecture */
	struct db_doc *docs;     /* the search index, by name (ndocs + 1 entries: the last ends the
				  * provides), made by db_finish (textidx_build) */
	uint32_t ndocs, ndoc_provs, ntris, npostings;
	uint32_t *doc_provs;     /* arena: the names each document's versions provide */
	struct db_tri *tris;     /* sorted by key */
	uint8_t *postings;
	struct db_counts counts;
	uint32_t security;
	uint32_t malformed;      /* paragraphs (and damaged lists) skipped */
	uint32_t damaged_lists;  /* package lists that could not be read to the end */
	uint32_t ignored_lists;  /* package lists no configured source names (a removed source's): unused */
	char damaged_list[256];  /* the first of them, named in the log ("" from a stored index) */
	uint32_t native_arch;    /* arena */
	int mixed_case_names;    /* some name has upper case (not Debian policy): fold when searching */
	int backend_reused;      /* the backend reused state kept from its previous build (not stored) */
	uint64_t built_at;       /* unix seconds */
	uint64_t read_at_ns;     /* unix nanoseconds when the build began reading its inputs */
	double build_ms;
};

/* The run of entries equal to KEY in a sorted table of N entries: CMP(DB, I, KEY) orders
 * entry I against KEY (<0 before, 0 equal, >0 after). *FIRST and *COUNT. */
void db_range(const struct db *db, uint32_t n, int (*cmp)(const struct db *db, uint32_t i, const void *key),
	      const void *key, uint32_t *first, uint32_t *count);

/* FNV-1a of N bytes: the index's name hash, for other name tables too. */
uint32_t db_name_hash(const char *s, size_t n);

int db_init(struct db *db);
void db_free(struct db *db);
uint32_t db_str(struct db *db, const char *s, size_t n);           /* DB_NONE on ENOMEM */
static inline const char *db_s(const struct db *db, uint32_t off) { return db->str.p + off; }

/* Finds or adds the (NAME, ARCH) instance; DB_NONE on ENOMEM. */
uint32_t db_pkg_get(struct db *db, const char *name, size_t nlen, uint32_t arch, int create);
/* First instance named NAME (then follow next_arch), or DB_NONE. */
uint32_t db_pkg_first(const struct db *db, const char *name, size_t nlen);
/* Finds or adds version VERSION of package P; *CREATED tells which. */
uint32_t db_ver_get(struct db *db, uint32_t p, const char *version, size_t vlen, int *created);

/* Records that version VER's stanza in list SRC is at OFF, LEN bytes long. */
int db_vfile_add(struct db *db, uint32_t ver, uint32_t src, uint64_t off, uint32_t len);
/* VER's appearances in package lists: *FIRST and *COUNT into db->vfiles (after db_finish). */
void db_vfiles_of(const struct db *db, uint32_t ver, uint32_t *first, uint32_t *count);
/* The source that is dpkg's status file (the first one no list description names): the
 * file of every DBV_STATUS version besides its lists. DB_NONE: none. */
uint32_t db_status_src(const struct db *db);
/* Sorts the version files as db_finish does, so db_vfiles_of works during a build. */
void db_vfiles_sort(struct db *db);

/* Records that version VER provides NAME (during a build). */
int db_provide_add(struct db *db, const char *name, size_t nlen, uint32_t ver, const char *version, size_t vlen);
/* The versions that provide NAME: *FIRST and *COUNT into db->provs (after db_finish). */
void db_providers(const struct db *db, const char *name, uint32_t *first, uint32_t *count);

/* NAME in the arena once: the same offset for the same bytes during a build. DB_NONE on ENOMEM. */
uint32_t db_intern(struct db *db, const char *s, size_t n);
/* Adds the relations of field KIND (its VALUE, LEN bytes) of version VER, during a build. */
int db_rels_parse(struct db *db, uint32_t ver, enum db_rel_kind kind, const char *value, size_t len);
/* Orders the relations and makes the reverse index (db_finish calls it). */
int db_rels_finish(struct db *db);
/* VER's relations: *FIRST and *COUNT into db->rels. */
void db_rels_of(const struct db *db, uint32_t ver, uint32_t *first, uint32_t *count);
/* The relations naming NAME: *FIRST and *COUNT into db->rels_by_name. */
void db_rels_naming(const struct db *db, const char *name, uint32_t *first, uint32_t *count);

/* Records PATH (stat'ed now; a missing file is recorded as missing) as an input. */
int db_input_add(struct db *db, const char *path);
void db_input_fill(struct db_input *in, const struct stat *st); /* st NULL: missing */

/* Checks every index and string offset of a db read from outside (snapshot.c): OMG_OK or
 * OMG_E_CORRUPT. Chains must point forwards or backwards as a build makes them, so that
 * no walk can loop. */
int db_validate(const struct db *db);

/* Sorts the name index and releases spare capacity. */
int db_finish(struct db *db);

/* Stores version V's Description (VALUE, LEN bytes as its record has it): the first line is
 * its desc, the rest (from the newline, as apt's LongDesc has it) follows with DBV_LONG_DESC. */
int db_desc_set(struct db *db, uint32_t v, const char *value, size_t len);
/* The rest of version V's Description after its first line ("\n ..."), or "". */
const char *db_desc_rest(const struct db *db, uint32_t v);

/* Queries (read-only). Results are package indices. */
struct db_hits {
	uint32_t *v;
	uint32_t n, matched;
};
/* apt-cache search (search.c): QUERY is one or more terms separated by newlines, each a
 * POSIX extended regular expression matched without regard to case. A name matches when
 * every term matches its name, a name one of its versions provides, or (with
 * DB_SEARCH_DESCRIPTIONS) its candidate's whole description. One row a name, its preferred
 * instance; ranked by the worst of its terms' ranks: exact name, prefix, word start, inside
 * the name, then provides or description; names in order within a rank. OMG_E_INVAL for a
 * query omgd refuses (ere.h), OMG_E_TIMEOUT past SEARCH_DEADLINE_MS. */
#define SEARCH_DEADLINE_MS 1000
#define SEARCH_TERMS_MAX 32
int db_search(const struct db *db, const char *query, uint32_t limit, uint32_t flags, struct db_hits *out);
int db_suggest(const struct db *db, const char *prefix, uint32_t limit, uint32_t flags, struct db_hits *out);
/* The packages of list KIND (DB_LIST_*), in name order: the first LIMIT (0: all) into OUT
 * (OUT->v malloc'd), how many there are in OUT->matched. OMG_OK or OMG_E_NOMEM. */
#define DB_LIST_INSTALLED 0u
#define DB_LIST_EXPLICIT 1u
#define DB_LIST_ORPHANS 2u
#define DB_LIST_UPGRADABLE 3u
#define DB_LIST_SECURITY 4u
#define DB_LIST__COUNT 5u
int db_list(const struct db *db, unsigned kind, uint32_t limit, struct db_hits *out);
/* The instance a user means by NAME or NAME:ARCH (native first), or DB_NONE. */
uint32_t db_lookup(const struct db *db, const char *spec);
/* The same for any instance with a version, installable or not (policy, show). */
uint32_t db_lookup_any(const struct db *db, const char *spec);
/* Adds an executable (during a build); sorted by db_finish. */
int db_cmd_add(struct db *db, const char *name, size_t nlen, const char *package, size_t plen,
	       const char *path, size_t pathlen, int installed);
/* The entries for command NAME: *FIRST and *COUNT into db->cmds. */
void db_cmd_find(const struct db *db, const char *name, uint32_t *first, uint32_t *count);
/* The packages that have command NAME, one entry each (an installed copy and a Contents entry
 * name the same one): up to MAX indexes into db->cmds, in db_cmd_find's order, into OUT;
 * returns how many. */
uint32_t db_cmd_packages(const struct db *db, const char *name, uint32_t *out, uint32_t max);
/* Whether A and B are one edit apart: one byte deleted, inserted or replaced, or two
 * adjacent ones swapped (the typos Debian's command-not-found suggests for). */
int db_one_edit(const char *a, size_t alen, const char *b, size_t blen);
/* Up to MAX entries of commands one edit away from WORD (not WORD itself) into OUT (indexes
 * into db->cmds: installed ones first, each part in name order); returns how many. *AVAILABLE: 1 if the index has commands
 * of packages that are not installed (a Contents index was read). */
uint32_t db_cmd_similar(const struct db *db, const char *word, uint32_t *out, uint32_t max, int *available);

#endif
