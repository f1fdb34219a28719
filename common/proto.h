/* proto.h — omg wire protocol v1: the specification in code (docs/protocol.md is its prose).
 *
 * Transport: a SOCK_STREAM Unix socket. Every message is one frame: a 12-byte header, then
 * `length` payload bytes. All integers are little-endian.
 *
 *   offset 0  u32 length    payload bytes after the header, <= OMG_FRAME_MAX
 *          4  u8  version   OMG_PROTO_VERSION
 *          5  u8  type      enum omg_msg_type
 *          6  u16 flags     0 (reserved)
 *          8  u32 id        request id, chosen by the client, echoed in the answer
 *
 * Payload values: u8/u16/u32/u64; a string is u32 n, n bytes (no NUL among them), then one
 * 0x00 byte that n does not count (decoders refuse anything else and point into the frame).
 * An answer has the request's type | 0x80, or OMG_MSG_ERROR. A request the server cannot
 * parse gets an ERROR answer; a frame it cannot delimit (bad header) gets an ERROR with
 * id 0 and the connection is closed.
 */
#ifndef OMG_PROTO_H
#define OMG_PROTO_H

#include <stddef.h>
#include <stdint.h>

#define OMG_PROTO_VERSION 1
#define OMG_HELLO_MAGIC 0x50474D4Fu /* the bytes 4F 4D 47 50, "OMGP", on the wire */
#define OMG_HEADER_SIZE 12
#define OMG_FRAME_MAX (1u << 20)     /* any frame's payload */
#define OMG_REQUEST_MAX (64u << 10)  /* a request's payload, enforced by omgd */
#define OMG_QUERY_MAX 256            /* search query, suggest prefix, package name */
#define OMG_LIMIT_DEFAULT 50
#define OMG_LIMIT_MAX 5000
#define OMG_SEARCH_DEADLINE_MS 1000  /* omgd gives up a SEARCH after this long (ERROR 8) */
#define OMG_BATCH_MAX 100
#define OMG_PROVIDES_MAX 100         /* PROVIDES: packages in an answer */
#define OMG_SIMILAR_MAX 15           /* SIMILAR: entries in an answer (as Debian's command-not-found) */
#define OMG_SIZES_MAX 20000          /* SIZES: rows in an answer (one frame at ~60 bytes a row) */
#define OMG_PLAN_NAMES_MAX 1000      /* PLAN: packages named in a request */
#define OMG_SUGGEST_MAX 5            /* PLAN: "did you mean" names for an unknown one */
#define OMG_ACTED_MAX (32u << 10)    /* ACTED: the record's text */

enum omg_msg_type {
	OMG_MSG_HELLO = 0x01,
	OMG_MSG_PING = 0x02,
	OMG_MSG_STATUS = 0x03,
	OMG_MSG_SEARCH = 0x04,
	OMG_MSG_INFO = 0x05,
	OMG_MSG_SUGGEST = 0x06,
	OMG_MSG_LIST = 0x07,
	OMG_MSG_BATCH = 0x08,
	OMG_MSG_METRICS = 0x09,
	OMG_MSG_PROVIDES = 0x0A,
	OMG_MSG_AUDIT = 0x0B,
	OMG_MSG_AUR_SEARCH = 0x0C,
	OMG_MSG_AUR_INFO = 0x0D,
	OMG_MSG_SIMILAR = 0x0E,     /* commands one edit away from a word (typo hints) */
	OMG_MSG_FILES = 0x0F,       /* an installed package's files (dpkg -L, pacman -Ql) */
	OMG_MSG_CHANGELOG = 0x10,   /* an installed package's changelog, from the system */
	OMG_MSG_VERSIONS = 0x11,    /* a package's versions and where each comes from (policy, show) */
	OMG_MSG_DEPENDS = 0x12,     /* a package's relations (apt-cache depends) */
	OMG_MSG_RDEPENDS = 0x13,    /* the relations naming a package (apt-cache rdepends) */
	OMG_MSG_WHY = 0x14,         /* why an installed package is installed: a chain from a manual one */
	OMG_MSG_SIZES = 0x15,       /* installed packages by installed size, largest first */
	OMG_MSG_PLAN = 0x16,        /* what a package action would do (apt-get -s, libalpm prepared) */
	OMG_MSG_ACTED = 0x17,       /* an action was run: its record for the audit log */
	OMG_MSG_VERIFY = 0x18,      /* verification: the archive chain and the installed files */
	OMG_MSG_HISTORY = 0x19,     /* the package managers' logs merged with the audit log (omg history) */
	OMG_MSG_OWNS = 0x1A,        /* the installed packages that have a path (dpkg -S, pacman -Qo) */
	OMG_MSG_ERROR = 0x7F,
	OMG_MSG_ANSWER = 0x80, /* bit set in every answer's type */
};

/* ERROR codes carried on the wire. */
enum omg_wire_error {
	OMG_WERR_BAD_FRAME = 1,   /* header invalid: connection closed after the answer */
	OMG_WERR_VERSION = 2,     /* protocol version not supported */
	OMG_WERR_UNKNOWN_TYPE = 3,
	OMG_WERR_MALFORMED = 4,   /* payload does not decode */
	OMG_WERR_NOT_FOUND = 5,
	OMG_WERR_TOO_LARGE = 6,   /* request over OMG_REQUEST_MAX, or answer over OMG_FRAME_MAX */
	OMG_WERR_NOT_READY = 7,   /* the index is still being built */
	OMG_WERR_INTERNAL = 8,
	OMG_WERR_INVALID = 9,     /* decodes, but a value is out of range */
	OMG_WERR_DENIED = 10,     /* the system omgd does not do this for this uid (only root may) */
};

/* SEARCH / SUGGEST flags */
#define OMG_SEARCH_DESCRIPTIONS 0x1u
#define OMG_SEARCH_INSTALLED 0x2u
#define OMG_VERSIONS_RECORDS 0x1u   /* VERSIONS: with each version's record */
#define OMG_VERSION_NONE 0xFFFFFFFFu /* VERSIONS: no installed (or candidate) version */
#define OMG_VER_SECURITY 0x1u       /* the version is in a security archive */
#define OMG_VER_STATUS 0x2u         /* the version is the one dpkg's status file has */
#define OMG_REL_OR 0x1u          /* DEPENDS, RDEPENDS: an alternative follows ("a | b") */
#define OMG_REL_VIRTUAL 0x2u     /* DEPENDS: the target has no versions (apt prints <name>) */
#define OMG_REL_AUTO 0x4u        /* WHY: the package was installed automatically */
#define OMG_REL_KINDS { "PreDepends", "Depends", "Conflicts", "Breaks", "Recommends", "Suggests", \
		"Replaces", "Enhances" } /* relation kinds, by number, as apt-cache depends names them */
#define OMG_REL_KIND_MAX 7
#define OMG_SIMILAR_AVAILABLE 0x1u   /* SIMILAR: commands of packages not installed are indexed */

/* Package row flags */
#define OMG_PKG_INSTALLED 0x01u
#define OMG_PKG_AUTO 0x02u       /* installed as a dependency */
#define OMG_PKG_UPGRADABLE 0x04u
#define OMG_PKG_SECURITY 0x08u   /* the candidate comes from a security archive */
#define OMG_PKG_ORPHAN 0x10u     /* auto-removable */
#define OMG_PKG_HELD 0x20u
#define OMG_PKG_ESSENTIAL 0x40u
#define OMG_PKG_FOREIGN 0x80u    /* architecture other than the native one */
#define OMG_PKG_CONFIG_FILES 0x100u /* removed; only its configuration files remain (dpkg rc) */
#define OMG_PKG_AUR 0x200u       /* a row from the Arch User Repository */

/* AUR answers: the status byte */
#define OMG_AUR_OK 0
#define OMG_AUR_UNAVAILABLE 1      /* not an Arch system, or omgd runs with --no-aur */
#define OMG_AUR_NOT_ARCH "not an Arch system" /* its problem when there is no AUR at all */
#define OMG_AUR_BUILT_OUT "omgd was built --without-aur" /* its problem on Arch without the AUR client */
#define OMG_AUR_MISSING 2          /* the AUR part could not be had: see the problem */

enum omg_list_kind {
	OMG_LIST_INSTALLED = 0,
	OMG_LIST_EXPLICIT = 1,
	OMG_LIST_ORPHANS = 2,
	OMG_LIST_UPGRADABLE = 3,
	OMG_LIST_SECURITY = 4,
	OMG_LIST__COUNT
};

/* STATUS answer flags */
#define OMG_STATUS_READY 0x1u      /* an index has been built */
#define OMG_STATUS_REFRESHING 0x2u /* a rebuild is under way */
#define OMG_STATUS_DEGRADED 0x4u   /* the last rebuild failed; see the log */
#define OMG_STATUS_NO_STORE 0x8u   /* the store cannot be used: serving from memory (see `store`) */
#define OMG_STATUS_REBOOT 0x10u    /* a reboot is required: ROOT/run/reboot-required is there */

/* AUDIT request flags and answer verdicts */
#define OMG_AUDIT_VERIFY 0x1u
#define OMG_AUDIT_LIMIT_DEFAULT 1000
#define OMG_AUDIT_NOT_VERIFIED 0
#define OMG_AUDIT_INTACT 1
#define OMG_AUDIT_BROKEN 2
#define OMG_AUDIT_HASH_SIZE 32

/* HISTORY: where an entry comes from, its changes' flags; OWNS: what a row says */
#define OMG_HIST_APT 1               /* apt's history.log */
#define OMG_HIST_DPKG 2              /* dpkg.log: a run of dpkg outside any apt transaction */
#define OMG_HIST_PACMAN 3            /* pacman.log */
#define OMG_HIST_OMGD 4              /* seen by omgd only (no log has it) */
#define OMG_HIST_AUTO 0x1u           /* installed as a dependency (apt's "automatic") */
#define OMG_UID_NONE 0xFFFFFFFFu     /* no uid known */
#define OMG_HISTORY_LIMIT_DEFAULT 1000
#define OMG_OWNS_FILE 0              /* the package has the path */
#define OMG_OWNS_DIVERTED_FROM 1     /* the package diverts the path away (dpkg-divert) */
#define OMG_OWNS_DIVERTED_TO 2       /* the path is where the package diverts another to */

/* PLAN request: the action */
enum omg_action {
	OMG_ACT_INSTALL = 1,
	OMG_ACT_REMOVE = 2,
	OMG_ACT_PURGE = 3,
	OMG_ACT_UPGRADE = 4,         /* apt upgrade: nothing removed, no new package (pacman -Su) */
	OMG_ACT_FULL_UPGRADE = 5,    /* apt full-upgrade */
	OMG_ACT_AUTOREMOVE = 6,
	OMG_ACT_REINSTALL = 7,
	OMG_ACT__PLANNED = 7,        /* the actions PLAN takes; the rest are only recorded (ACTED) */
	OMG_ACT_UPDATE = 8,          /* apt-get update */
	OMG_ACT_HOLD = 9,            /* apt-mark hold */
	OMG_ACT_UNHOLD = 10,
	OMG_ACT_MARK_AUTO = 11,      /* apt-mark auto */
	OMG_ACT_MARK_MANUAL = 12,
	OMG_ACT__MAX = 12
};
/* PLAN answer: its status, and what each entry does */
#define OMG_PLAN_OK 0
#define OMG_PLAN_PROBLEM 1           /* the package manager refused (see problem), or unknown names */
#define OMG_PLAN_UNAVAILABLE 2       /* no plan can be made here (see problem) */
enum omg_op {
	OMG_OP_INSTALL = 1,
	OMG_OP_UPGRADE = 2,
	OMG_OP_DOWNGRADE = 3,
	OMG_OP_REINSTALL = 4,
	OMG_OP_REMOVE = 5,
	OMG_OP_PURGE = 6,
	OMG_OP__MAX = 6
};
#define OMG_PLAN_REQUESTED 0x1u      /* the user named it */
#define OMG_PLAN_ESSENTIAL 0x2u      /* an essential package (dpkg's Essential: yes) */
#define OMG_PLAN_HELD 0x4u           /* held (apt-mark hold, pacman IgnorePkg) */
#define OMG_PLAN_AUTO 0x8u           /* installed as a dependency (marked automatic) */
#define OMG_PLAN_SECURITY 0x10u      /* the version comes from a security archive */
#define OMG_PLAN_FOREIGN 0x20u       /* an architecture other than the native one */

/* ---- frames ---------------------------------------------------------------------- */
struct omg_header {
	uint32_t length;
	uint8_t version;
	uint8_t type;
	uint16_t flags;
	uint32_t id;
};

/* Decodes and checks a header: version, flags, length <= MAX_PAYLOAD. Returns
 * OMG_OK, or OMG_E_VERSION / OMG_E_PROTO / OMG_E_TOOBIG. */
int omg_header_decode(const uint8_t raw[OMG_HEADER_SIZE], uint32_t max_payload, struct omg_header *h);

/* ---- writer: grows as needed; the first failure sticks and is reported at the end -- */
struct omg_wbuf {
	uint8_t *data;
	size_t len, cap;
	size_t frame_start;
	int failed;
};

void omg_wbuf_reset(struct omg_wbuf *w);
/* Drops what W holds from AT on, and a failure (an answer replaced by an ERROR frame). */
void omg_wbuf_rewind(struct omg_wbuf *w, size_t at);
void omg_wbuf_free(struct omg_wbuf *w);
void omg_put_u8(struct omg_wbuf *w, uint8_t v);
void omg_put_u16(struct omg_wbuf *w, uint16_t v);
void omg_put_u32(struct omg_wbuf *w, uint32_t v);
void omg_put_u64(struct omg_wbuf *w, uint64_t v);
void omg_put_bytes(struct omg_wbuf *w, const void *p, size_t n);
void omg_put_str(struct omg_wbuf *w, const char *s);           /* NULL is "" */
void omg_put_strn(struct omg_wbuf *w, const char *s, size_t n); /* refuses embedded NUL */
/* Overwrites 4 bytes at AT. Messages never need it (their counts are set with omg_enc_count
 * and the *_end encoders below); tests use it to make malformed payloads. */
void omg_patch_u32(struct omg_wbuf *w, size_t at, uint32_t v);
/* Starts a frame at the end of W; omg_frame_end fills in its length. */
void omg_frame_begin(struct omg_wbuf *w, uint8_t type, uint32_t id);
int omg_frame_end(struct omg_wbuf *w, uint32_t max_payload);
/* A whole frame at the end of W around PAYLOAD, already encoded (at most OMG_FRAME_MAX). */
int omg_frame_whole(struct omg_wbuf *w, uint8_t type, uint32_t id, const void *payload, size_t n);
/* A whole ERROR frame at the end of W for request ID: CODE, and the message FMT makes. */
int omg_frame_error(struct omg_wbuf *w, uint32_t id, uint32_t code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* ---- reader: bounds-checked; the first failure sticks ------------------------------- */
struct omg_rbuf {
	const uint8_t *p;
	size_t len, pos;
	int failed;
};

void omg_rbuf_init(struct omg_rbuf *r, const void *p, size_t len);
uint8_t omg_get_u8(struct omg_rbuf *r);
uint16_t omg_get_u16(struct omg_rbuf *r);
uint32_t omg_get_u32(struct omg_rbuf *r);
uint64_t omg_get_u64(struct omg_rbuf *r);
const char *omg_get_str(struct omg_rbuf *r); /* points into the buffer; "" on failure */
const uint8_t *omg_get_bytes(struct omg_rbuf *r, size_t n);
/* A u32 count of items that follow, each at least MIN_ITEM bytes: 0 (and R failed) when
 * that many cannot fit in what is left, so a decoder never allocates for a lie. */
uint32_t omg_get_count(struct omg_rbuf *r, size_t min_item);
/* Whether COUNT items (a count already read) of at least MIN_ITEM bytes fit in what is left;
 * if not, R fails. */
int omg_count_fits(struct omg_rbuf *r, uint32_t count, size_t min_item);
/* OMG_OK when nothing failed and every byte was consumed, else OMG_E_PROTO. */
int omg_rbuf_done(const struct omg_rbuf *r);

/* ---- messages ------------------------------------------------------------------------ */
struct omg_hello {
	uint32_t magic;
	uint16_t min_version, max_version;
	const char *name; /* client or server name */
	/* answer only */
	const char *backend;
	uint32_t max_frame;
};

struct omg_status_msg {
	uint32_t total, explicit_pkgs, orphans, updates, security;
	uint64_t generation;  /* bumped at every index rebuild */
	uint64_t updated_at;  /* unix seconds: when the counts were computed */
	uint64_t started_at;  /* unix seconds: daemon start */
	uint32_t flags;       /* OMG_STATUS_* */
	const char *backend;  /* "dpkg" */
	const char *root;     /* "/" or --root */
	const char *store;    /* "" when the store works, else why it does not */
	uint64_t verified_at; /* unix seconds: the last complete verification; 0: none yet */
	uint32_t modified;    /* its findings on installed files (OMG_FIND_MISSING..REPLACED) */
	uint32_t untrusted;   /* its findings on the archive chain (sources, lists, cached .debs) */
	/* not on the wire: omg status's names from ROOT/run/reboot-required.pkgs, one space
	 * between them, while flags has OMG_STATUS_REBOOT; NULL otherwise */
	const char *reboot_pkgs;
};

struct omg_audit_query {   /* AUDIT request */
	uint64_t after_seq;    /* records after this one (paging); 0: from the first */
	uint64_t since;        /* unix seconds; records at or after it */
	uint32_t limit;        /* 0: OMG_AUDIT_LIMIT_DEFAULT */
	uint32_t flags;        /* OMG_AUDIT_VERIFY */
};

struct omg_audit_rec {
	uint64_t seq, time_ns;
	uint32_t uid, result;
	uint8_t kind;          /* 1 refresh, 2 change, 3 action, 4 verify, 5 lost */
	const char *what;
	const uint8_t *hash;   /* OMG_AUDIT_HASH_SIZE bytes */
};

struct omg_audit_msg {     /* AUDIT answer */
	const char *store;     /* "" or why the audit log is unavailable */
	uint8_t verdict;       /* OMG_AUDIT_NOT_VERIFIED / INTACT / BROKEN */
	uint64_t checked;      /* records verified */
	uint64_t bad_seq;      /* BROKEN: the first record at fault */
	const char *why;       /* BROKEN: what is wrong with it */
	uint64_t head_seq;
	const uint8_t *head;   /* the head hash: OMG_AUDIT_HASH_SIZE bytes */
	uint8_t more;          /* more records follow the last one (ask again after it) */
	uint32_t count;
	struct omg_audit_rec *recs;
};

struct omg_query {         /* SEARCH, SUGGEST, INFO (text only), LIST (kind only), FILES (text,
			    * and in limit the index of the first path wanted), VERSIONS (text, flags),
			    * SIZES (limit only) */
	const char *text;
	uint32_t limit;
	uint32_t flags;
	uint8_t kind;
};

struct omg_pkg_row {
	const char *name, *arch, *installed, *candidate, *description;
	uint32_t flags;
};

struct omg_rows {          /* SEARCH and LIST answers */
	uint32_t matched;      /* how many matched; count may be smaller (limit) */
	uint32_t count;
	struct omg_pkg_row *rows;
};

struct omg_kv {
	const char *key, *value;
	uint64_t number;       /* METRICS */
};

struct omg_pairs {         /* INFO answer: flags + fields; METRICS answer: names + numbers */
	uint32_t flags;
	uint32_t count;
	struct omg_kv *kv;
};

struct omg_words {         /* SUGGEST answer */
	uint32_t count;
	const char **words;
};

struct omg_provider {       /* PROVIDES answer: a package that has the command */
	const char *package, *path;
	uint32_t installed;
};

struct omg_providers {
	uint32_t count;
	struct omg_provider *v;
};

struct omg_aur_msg {        /* AUR_SEARCH and AUR_INFO answers */
	uint8_t status;        /* OMG_AUR_* */
	const char *problem;
	uint8_t cached;
	struct omg_rows rows;  /* AUR_SEARCH */
	struct omg_pairs info; /* AUR_INFO: count 0 = no such package */
};

struct omg_ver_file {       /* one package list that has a version */
	int32_t prio;          /* the list's priority (apt's pin of the file) */
	const char *desc;      /* "http://deb.debian.org/debian bookworm/main amd64 Packages" */
};

struct omg_version {
	const char *version;
	int32_t prio;          /* the version's priority */
	uint32_t flags;        /* OMG_VER_* */
	uint32_t nfiles;
	struct omg_ver_file *files;
	const char *record;    /* its record as the first of its lists has it; "" if not asked */
};

struct omg_provider_ver {   /* VERSIONS: a package whose installed or candidate version provides the name */
	const char *name, *arch, *version;
	uint32_t flags;        /* its OMG_PKG_* */
	uint32_t installed;    /* 1: VERSION is its installed version */
};

struct omg_versions {       /* VERSIONS answer */
	uint32_t flags;        /* the package's OMG_PKG_* */
	const char *name, *arch;
	uint32_t installed, candidate; /* indexes into v, or OMG_VERSION_NONE */
	uint32_t count;        /* newest first */
	struct omg_version *v;
	uint32_t nproviders;   /* installed ones first, then by name */
	struct omg_provider_ver *providers;
};

struct omg_rel {            /* an entry of a DEPENDS, RDEPENDS or WHY answer */
	uint8_t kind;          /* 0..OMG_REL_KIND_MAX: OMG_REL_KINDS */
	uint8_t flags;         /* OMG_REL_* */
	const char *package;   /* DEPENDS: the target; RDEPENDS: the package that has the relation;
				* WHY: the package on the chain that has it */
	const char *target;    /* WHY: what it names; "" otherwise */
	const char *op, *version; /* its version constraint, "" without */
	uint32_t nalts;        /* DEPENDS, RDEPENDS: the other packages that satisfy it (apt's list
				* under a relation: providers, newest versions only) */
	const char **alts;
};

struct omg_rels {           /* DEPENDS, RDEPENDS and WHY answers */
	const char *name;      /* the package asked about, as apt names it (name or name:arch) */
	const char *version;   /* DEPENDS: the version whose relations these are; WHY: the installed one */
	uint32_t flags;        /* its OMG_PKG_* */
	uint32_t count;
	struct omg_rel *v;
};

struct omg_size_row {
	const char *name;      /* as apt names it: name, or name:arch */
	const char *version;
	uint32_t kib;          /* Installed-Size */
	uint32_t flags;        /* OMG_PKG_* */
};

struct omg_sizes {          /* SIZES answer */
	uint64_t total_kib;    /* of every installed package */
	uint32_t matched;      /* installed packages in all */
	uint32_t count;        /* the largest COUNT of them follow */
	struct omg_size_row *rows;
};

struct omg_plan_req {        /* PLAN request */
	uint8_t action;        /* enum omg_action */
	uint32_t flags;        /* 0 (reserved) */
	uint32_t count;        /* at most OMG_PLAN_NAMES_MAX */
	const char **names;    /* NAME, NAME:ARCH, NAME=VERSION, NAME/RELEASE, or an absolute .deb path */
};

struct omg_plan_entry {
	uint8_t op;            /* enum omg_op */
	uint32_t flags;        /* OMG_PLAN_* */
	const char *name, *arch;
	const char *from, *to; /* "" when none (install: from; remove: to) */
	const char *release;   /* where TO comes from, as apt-get -s says it */
	uint64_t download;     /* bytes to fetch (0: none, or already in the archive cache) */
	int64_t disk_kib;      /* installed size after minus before */
};

struct omg_unknown {
	const char *name;      /* as asked */
	uint32_t count;        /* at most OMG_SUGGEST_MAX */
	const char **suggestions;
};

struct omg_plan {            /* PLAN answer */
	uint8_t status;        /* OMG_PLAN_* */
	uint8_t action;        /* the request's */
	const char *problem;   /* "" or the package manager's words, lines joined by '\n' */
	const char *root;      /* the package root the plan is for ("/") */
	const char *tool;      /* what computed it and will run it: "apt-get", "libalpm" */
	uint64_t download;     /* bytes in all */
	int64_t disk_kib;      /* installed size change in all */
	uint64_t planned_ns;   /* how long making the plan took */
	uint64_t generation;   /* of the index the plan was checked against (STATUS's) */
	uint32_t count;
	struct omg_plan_entry *v;
	uint32_t nunknown;
	struct omg_unknown *unknown;
	uint32_t nkept, nautoremovable, nnotes;
	const char **kept;     /* packages the upgrade keeps back */
	const char **autoremovable; /* apt's "no longer required" */
	const char **notes;    /* the package manager's other sentences */
};

/* VERIFY request flags */
#define OMG_VERIFY_FULL 0x1u        /* rehash every file (the cache is not trusted) */
#define OMG_VERIFY_LAST 0x2u        /* run nothing: the last complete result (paged by FIRST) */
#define OMG_VERIFY_NO_ARCHIVE 0x4u  /* leave out the archive chain */
#define OMG_VERIFY_NO_FILES 0x8u    /* leave out the installed files */
/* VERIFY answer flags: what the result covers */
#define OMG_VERIFIED_ARCHIVE 0x1u
#define OMG_VERIFIED_FILES 0x2u
#define OMG_VERIFIED_SOME 0x4u      /* only the packages named */
#define OMG_VERIFIED_NONE 0x8u      /* no verification has finished yet (LAST) */
#define OMG_VERIFIED_CUT 0x10u      /* stopped before the end (omgd stopping, deadline) */
#define OMG_VERIFY_NAMES_MAX 1000   /* packages in one request */

struct omg_verify_req {      /* VERIFY request */
	uint32_t flags;        /* OMG_VERIFY_* */
	uint32_t first;        /* the first finding wanted (paging a large result) */
	uint32_t count;
	const char **names;    /* packages; none: all */
};

enum omg_finding_kind {
	OMG_FIND_MISSING = 1,        /* an installed package's file is gone */
	OMG_FIND_CHANGED = 2,        /* its content is not what the package shipped */
	OMG_FIND_CHANGED_CONFIG = 3, /* a configuration file differs (edited, as is often meant) */
	OMG_FIND_UNREADABLE = 4,     /* it could not be read */
	OMG_FIND_REPLACED = 5,       /* another kind of file (a symlink, a directory) stands there */
	OMG_FIND_LIST_CHANGED = 6,   /* a package list differs from its signed hash */
	OMG_FIND_LIST_UNLISTED = 7,  /* a package list its signed Release does not name */
	OMG_FIND_LIST_UNREADABLE = 8,
	OMG_FIND_DEB_CHANGED = 9,    /* a cached .deb differs from its list's hash */
	OMG_FIND_DEB_UNREADABLE = 10,
	OMG_FIND_SOURCE = 11,        /* a source's Release is not trusted (PACKAGE: the source) */
	OMG_FIND_ALTERED = 12,       /* Arch: mode, owner, group or mtime differ (pacman -Qkk) */
	OMG_FIND_NOT_INSTALLED = 13, /* a package asked for is not installed (PACKAGE) */
	OMG_FIND__COUNT
};
/* Whether a finding of KIND is about installed files (STATUS's modified), not the archive
 * chain (untrusted). */
#define OMG_FIND_ON_FILES(kind) ((kind) <= OMG_FIND_REPLACED || (kind) == OMG_FIND_ALTERED)

struct omg_verify_source {
	const char *desc;      /* "http://deb.debian.org/debian bookworm" */
	const char *release;   /* the file checked, "" when none */
	uint8_t verdict;       /* archive_sig.h's enum archive_sig_verdict */
	uint8_t dates;         /* 0 ok, 1 expired (Valid-Until), 2 not yet valid (Date), 3 unchecked */
	const char *checker;   /* "omg" or "gpgv" */
	const char *signer;    /* the good signature's key fingerprint */
	const char *detail;
	int64_t date, valid_until; /* unix seconds, -1 when absent */
	uint32_t lists, lists_bad, lists_unchecked;
};

struct omg_finding {
	uint8_t kind;          /* enum omg_finding_kind */
	const char *package;   /* "name:arch" or the source */
	const char *path;
	const char *detail;    /* what differs */
};

struct omg_verify {          /* VERIFY answer */
	uint64_t started_ns;   /* unix nanoseconds: identifies the result when paging */
	uint64_t took_ns;
	uint32_t flags;        /* OMG_VERIFIED_* */
	const char *checker;   /* how files were checked: "md5sums", "mtree" */
	uint32_t nsrc;
	struct omg_verify_source *src;
	uint32_t debs, debs_bad, debs_unknown;
	uint32_t packages, files, hashed, cached, unsummed; /* files: checked, read, skipped by the cache;
							     * packages without checksums */
	uint64_t bytes;        /* read and hashed */
	uint32_t total;        /* findings in all */
	uint32_t first, count; /* the findings in this answer */
	struct omg_finding *find;
};

struct omg_acted {           /* ACTED request (the answer is empty) */
	uint8_t action;        /* enum omg_action */
	int32_t result;        /* the package manager's exit status; -N: killed by signal N */
	uint64_t started_ns;   /* unix nanoseconds */
	uint64_t ended_ns;
	const char *what;      /* the record: the command line, the plan, the outcome */
};

struct omg_history_query {  /* HISTORY request */
	uint64_t since;        /* unix seconds: entries that ended at or after it */
	uint32_t skip;         /* entries to leave out first (paging) */
	uint32_t limit;        /* 0: OMG_HISTORY_LIMIT_DEFAULT */
};

struct omg_hist_change {
	uint8_t op;            /* enum omg_op */
	uint8_t flags;         /* OMG_HIST_AUTO */
	const char *name, *arch, *from, *to; /* arch "" when the log has none; from, to "" when none */
};

struct omg_hist_entry {
	uint8_t source;        /* OMG_HIST_* */
	uint64_t start, end;   /* unix seconds; end 0: not known */
	const char *commandline, *requested_by, *error; /* "" when none; requested_by as apt: "user (uid)" */
	uint32_t uid;          /* requested_by's uid, or OMG_UID_NONE */
	uint64_t action_seq;   /* the audit log's record of the omg command that made it; 0: none */
	uint32_t action_uid;   /* who ran that command (the peer omgd saw) */
	int32_t action_result; /* its exit status */
	const char *action_command;
	uint32_t naudit;       /* the audit log's change records it covers */
	const uint64_t *audit; /* decoded: points into a copy (omg_history_free) */
	uint32_t count;
	struct omg_hist_change *changes;
};

struct omg_history {         /* HISTORY answer */
	const char *problem;   /* "" or what could not be read (the answer is then partial) */
	uint32_t total;        /* entries from since on, in all */
	uint8_t more;          /* entries follow the last one sent: ask again with skip += count */
	uint32_t count;
	struct omg_hist_entry *v;
};

struct omg_error_msg {
	uint32_t code;
	const char *message;
};

struct omg_batch_item {
	uint8_t type;
	const uint8_t *payload;
	uint32_t length;
};

struct omg_batch {
	uint32_t count;
	struct omg_batch_item items[OMG_BATCH_MAX];
};

/* Encoders append a payload to W (frame header handled by the caller, or omg_frame_whole).
 * Every byte of a payload is written here: the daemon and the clients only call these. */
void omg_enc_hello(struct omg_wbuf *w, const struct omg_hello *m, int answer);
void omg_enc_status(struct omg_wbuf *w, const struct omg_status_msg *m);
/* Any request of struct omg_query (AUR_SEARCH is laid out as SEARCH, AUR_INFO as INFO);
 * PING, STATUS and METRICS have an empty payload. */
void omg_enc_query(struct omg_wbuf *w, uint8_t type, const struct omg_query *q);
void omg_enc_error(struct omg_wbuf *w, uint32_t code, const char *message);
void omg_enc_audit_query(struct omg_wbuf *w, const struct omg_audit_query *q);
void omg_enc_versions(struct omg_wbuf *w, const struct omg_versions *m);
void omg_enc_rels(struct omg_wbuf *w, const struct omg_rels *m);
void omg_enc_sizes(struct omg_wbuf *w, const struct omg_sizes *m);
void omg_enc_plan_req(struct omg_wbuf *w, const struct omg_plan_req *m);
void omg_enc_plan(struct omg_wbuf *w, const struct omg_plan *m);
void omg_enc_acted(struct omg_wbuf *w, const struct omg_acted *m);
void omg_enc_verify_req(struct omg_wbuf *w, const struct omg_verify_req *m);
/* VERIFY answer: M's head and sources; the findings follow by omg_enc_finding, and their
 * count is set by omg_enc_count at the returned offset. */
size_t omg_enc_verify_head(struct omg_wbuf *w, const struct omg_verify *m);
void omg_enc_finding(struct omg_wbuf *w, const struct omg_finding *f);

/* Answers written item by item, as the items are found. A *_head encoder writes the fields
 * before the items, with a count of 0, and returns where that count sits (AT); the items
 * follow, each with its own encoder; then omg_enc_count(W, AT, COUNT), or the answer's own
 * *_end, sets what is known only at the end. */
void omg_enc_count(struct omg_wbuf *w, size_t at, uint32_t count);
/* SEARCH, LIST (and AUR_SEARCH after its omg_enc_aur_head): omg_enc_row items. */
size_t omg_enc_rows_head(struct omg_wbuf *w);
void omg_enc_row(struct omg_wbuf *w, const struct omg_pkg_row *row);
void omg_enc_rows_end(struct omg_wbuf *w, size_t at, uint32_t matched, uint32_t count);
/* INFO (and AUR_INFO after its omg_enc_aur_head): the package's FLAGS, omg_enc_kv items. */
size_t omg_enc_info_head(struct omg_wbuf *w, uint32_t flags);
void omg_enc_kv(struct omg_wbuf *w, const char *key, const char *value);
/* METRICS: omg_enc_metric items. */
size_t omg_enc_metrics_head(struct omg_wbuf *w);
void omg_enc_metric(struct omg_wbuf *w, const char *name, uint64_t value);
/* SUGGEST: omg_enc_word items (names). FILES and CHANGELOG: TOTAL lines in all, then
 * omg_enc_word items (the lines from the request's first one on). */
size_t omg_enc_words_head(struct omg_wbuf *w);
size_t omg_enc_files_head(struct omg_wbuf *w, uint32_t total);
void omg_enc_word(struct omg_wbuf *w, const char *word);
/* PROVIDES, and SIMILAR with its FLAGS (OMG_SIMILAR_*): omg_enc_provider items. */
size_t omg_enc_providers_head(struct omg_wbuf *w);
size_t omg_enc_similar_head(struct omg_wbuf *w, uint32_t flags);
void omg_enc_provider(struct omg_wbuf *w, const struct omg_provider *p);
/* BATCH request and answer: COUNT, then COUNT omg_enc_batch_item items (an answer has one
 * for each item of the request). */
void omg_enc_batch_head(struct omg_wbuf *w, uint32_t count);
void omg_enc_batch_item(struct omg_wbuf *w, uint8_t type, const void *payload, uint32_t length);
/* AUDIT answer: the head (every field of M but recs), omg_enc_audit_rec items, then
 * omg_enc_audit_end with MORE (records follow the last one sent) and the count. */
size_t omg_enc_audit_head(struct omg_wbuf *w, const struct omg_audit_msg *m);
void omg_enc_audit_rec(struct omg_wbuf *w, const struct omg_audit_rec *r);
void omg_enc_audit_end(struct omg_wbuf *w, size_t at, uint8_t more, uint32_t count);
/* AUR_SEARCH and AUR_INFO answers: status, problem and cached; with OMG_AUR_OK a rows
 * answer (AUR_SEARCH) or an INFO answer (AUR_INFO) follows, nothing otherwise. */
void omg_enc_aur_head(struct omg_wbuf *w, uint8_t status, const char *problem, uint8_t cached);
/* The AUR answer PAYLOAD (N bytes) again, said to come from a cache: its cached field set.
 * OMG_E_PROTO when its head does not decode. */
int omg_enc_aur_cached(struct omg_wbuf *w, const void *payload, size_t n);

/* Decoders read a whole payload; strings point into it. Arrays are malloc'd: release
 * them with the matching *_free. All return OMG_OK or OMG_E_PROTO / OMG_E_NOMEM. */
int omg_dec_hello(const void *p, size_t n, struct omg_hello *m, int answer);
int omg_dec_status(const void *p, size_t n, struct omg_status_msg *m);
int omg_dec_query(const void *p, size_t n, uint8_t type, struct omg_query *q);
int omg_dec_rows(const void *p, size_t n, struct omg_rows *m);
int omg_dec_pairs(const void *p, size_t n, uint8_t type, struct omg_pairs *m);
int omg_dec_words(const void *p, size_t n, struct omg_words *m);
int omg_dec_error(const void *p, size_t n, struct omg_error_msg *m);
int omg_dec_batch(const void *p, size_t n, struct omg_batch *m); /* a request or an answer */
int omg_dec_providers(const void *p, size_t n, struct omg_providers *m);
/* FILES and CHANGELOG answer: u32 total (lines in all), then a SUGGEST answer (the lines from
 * the request's first one on that fit in one frame). */
int omg_dec_files(const void *p, size_t n, uint32_t *total, struct omg_words *m);
/* SIMILAR answer: u32 flags (OMG_SIMILAR_*), then a PROVIDES answer. */
int omg_dec_similar(const void *p, size_t n, uint32_t *flags, struct omg_providers *m);
void omg_providers_free(struct omg_providers *m);
int omg_dec_versions(const void *p, size_t n, struct omg_versions *m);
int omg_dec_rels(const void *p, size_t n, struct omg_rels *m);
int omg_dec_sizes(const void *p, size_t n, struct omg_sizes *m);
int omg_dec_plan_req(const void *p, size_t n, struct omg_plan_req *m);
void omg_plan_req_free(struct omg_plan_req *m);
int omg_dec_plan(const void *p, size_t n, struct omg_plan *m);
void omg_plan_free(struct omg_plan *m);
int omg_dec_acted(const void *p, size_t n, struct omg_acted *m);
int omg_dec_verify_req(const void *p, size_t n, struct omg_verify_req *m);
void omg_verify_req_free(struct omg_verify_req *m);
int omg_dec_verify(const void *p, size_t n, struct omg_verify *m);
void omg_verify_free(struct omg_verify *m);
const char *omg_finding_name(uint8_t kind); /* "missing", "changed", ...; "?" */
const char *omg_action_name(uint8_t action); /* "install", ..., "full-upgrade"; "?" */
/* apt-get's words for a planned ACTION into W (2 at most), the same for its plan (-s) and its
 * run: apt upgrade is apt-get upgrade --with-new-pkgs. Returns how many (0: not apt's). */
int omg_apt_words(uint8_t action, const char **w);
const char *omg_op_name(uint8_t op);         /* "install", "upgrade", ..., "purge"; "?" */
void omg_sizes_free(struct omg_sizes *m);
void omg_rels_free(struct omg_rels *m);
void omg_versions_free(struct omg_versions *m);
int omg_dec_audit_query(const void *p, size_t n, struct omg_audit_query *q);
int omg_dec_audit(const void *p, size_t n, struct omg_audit_msg *m);
int omg_dec_aur(const void *p, size_t n, uint8_t type, struct omg_aur_msg *m);
void omg_aur_free(struct omg_aur_msg *m);
void omg_audit_free(struct omg_audit_msg *m);
void omg_rows_free(struct omg_rows *m);
void omg_pairs_free(struct omg_pairs *m);
void omg_words_free(struct omg_words *m);

/* HISTORY: the request; the answer as head (PROBLEM, TOTAL), omg_enc_hist_entry items, then
 * omg_enc_history_end with MORE and the count. OWNS: its request is laid out as INFO's (the
 * path), its answer as PROVIDES's, each row's u32 saying OMG_OWNS_*. */
void omg_enc_history_query(struct omg_wbuf *w, const struct omg_history_query *q);
int omg_dec_history_query(const void *p, size_t n, struct omg_history_query *q);
size_t omg_enc_history_head(struct omg_wbuf *w, const char *problem, uint32_t total);
void omg_enc_hist_entry(struct omg_wbuf *w, const struct omg_hist_entry *e);
void omg_enc_history_end(struct omg_wbuf *w, size_t at, uint8_t more, uint32_t count);
int omg_dec_history(const void *p, size_t n, struct omg_history *m);
void omg_history_free(struct omg_history *m);

const char *omg_msg_name(uint8_t type);
const char *omg_wire_strerror(uint32_t code);

#endif
