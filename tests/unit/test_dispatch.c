/* test_dispatch.c — omgd's request routing (dispatch.c) and its answers (the files of answer/) with no
 * running omgd: a small index made in memory as test_db.c makes one, in a struct daemon with
 * nothing else (no audit log, planner, verifier, AUR client or server), and a fake backend
 * whose records are fixed text. Each request is encoded with the codec, handed to
 * dispatch_request, and its answer frame decoded with the codec, as a client would.
 *
 * Tables where it fits: one row a request and what its answer must say. The packages,
 * relations and commands every row runs against are tables too (PKGS, RELS, CMDS).
 */
#include "config.h"
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "omg_error.h"
#include "omgd.h"
#include "proto.h"
#include "record.h"
#include "version.h"

#define NATIVE "amd64"
#define I OMG_PKG_INSTALLED
#define A OMG_PKG_AUTO

/* ---- the fixture ---------------------------------------------------------------------- */

/* One package instance: its installed and candidate versions (or NULL), the first line of
 * their Description, its flags. */
static const struct pkg_row {
	const char *name, *arch, *inst, *cand, *desc;
	uint32_t flags;
} PKGS[] = {
	{ "bonfire", NATIVE, "2", "2", "Burns outdoors", I },
	{ "ember", NATIVE, NULL, "3", "Glows after the fire", 0 },
	{ "fire", NATIVE, "1.0", "1.1", "Lights the way", I | OMG_PKG_UPGRADABLE | OMG_PKG_SECURITY },
	{ "fire", "i386", NULL, "1.1", "Lights the way", OMG_PKG_FOREIGN },
	{ "firefox-esr", NATIVE, NULL, "115.0", "Mozilla Firefox web browser", 0 },
	{ "libfire", NATIVE, "2.0", "2.0", "fire library", I | A },
	{ "libold", NATIVE, "0.5", NULL, "left behind", I | A | OMG_PKG_ORPHAN }, /* no list has it now */
	{ "libssl", NATIVE, "3.0", "3.1", "TLS library", I | A | OMG_PKG_UPGRADABLE },
	{ "zsh", NATIVE, "5.9", "5.9", "shell with lots of features", I | OMG_PKG_HELD },
	/* their records are about the frame limit (the fake backend makes them) */
	{ "zz-huge", NATIVE, NULL, "1", "a record just over the frame limit", 0 },
	{ "zz-giant", NATIVE, NULL, "1", "a record twice the frame limit", 0 },
	{ "zz-slow", NATIVE, NULL, "1", "a record read slowly", 0 }, /* past a batch's slice */
};

/* The relations of one native version, as its record's field has them. */
static const struct rel_row {
	const char *package, *version;
	enum db_rel_kind kind;
	const char *value;
} RELS[] = {
	{ "fire", "1.0", DB_REL_DEPENDS, "libfire" },
	{ "fire", "1.1", DB_REL_DEPENDS, "libfire (>= 2), ember | bonfire, www-browser" },
	{ "fire", "1.1", DB_REL_RECOMMENDS, "zsh" },
	{ "libfire", "2.0", DB_REL_DEPENDS, "libssl (>= 3)" },
};

/* One executable: the command, its package and path, installed (dpkg's lists) or not
 * (Contents). fire has its command both ways: one entry in PROVIDES. */
static const struct cmd_row {
	const char *name, *package, *path;
	int installed;
} CMDS[] = {
	{ "fire", "fire", "/usr/bin/fire", 1 },
	{ "fire", "fire", "/usr/bin/fire", 0 },
	{ "fire", "firetools", "/usr/games/fire", 0 },
	{ "zsh", "zsh", "/usr/bin/zsh", 1 },
};
#define SH_PACKAGES 120 /* "sh" in shell-000 ... shell-119 (Contents): past OMG_PROVIDES_MAX */

#define HUGE_BYTES (OMG_FRAME_MAX - 100)  /* with the other fields the frame passes the limit; no one string does */
#define GIANT_BYTES (2 * OMG_FRAME_MAX)   /* one string passes it: the writer refuses it */
#define SLOW_NS 3000000                   /* zz-slow's record: longer than DISPATCH_SLICE_NS (2 ms) */

static struct db DB;
static struct daemon D;
static char LONGQ[OMG_QUERY_MAX + 2]; /* a query one byte over the limit */

static uint32_t version(struct db *db, uint32_t p, const char *v)
{
	int created;
	uint32_t i = db_ver_get(db, p, v, strlen(v), &created);

	assert_int_not_equal(i, DB_NONE);
	return i;
}

static uint32_t find_pkg(const struct db *db, const char *name, const char *arch)
{
	for (uint32_t p = db_pkg_first(db, name, strlen(name)); p != DB_NONE; p = db->pkgs[p].next_arch)
		if (!strcmp(db_s(db, db->pkgs[p].arch), arch))
			return p;
	return DB_NONE;
}

static uint32_t find_ver(const struct db *db, uint32_t p, const char *v)
{
	for (uint32_t i = db->pkgs[p].vers; i != DB_NONE; i = db->vers[i].next)
		if (!strcmp(db_s(db, db->vers[i].version), v))
			return i;
	return DB_NONE;
}

/* ARCH's one offset in the arena, as a backend keeps it: the native one is db->native_arch
 * (answers tell a foreign package by its offset, not its spelling). */
static uint32_t arch_of(struct db *db, const char *arch)
{
	if (!strcmp(arch, NATIVE))
		return db->native_arch;
	for (uint32_t p = 0; p < db->npkgs; p++)
		if (!strcmp(db_s(db, db->pkgs[p].arch), arch))
			return db->pkgs[p].arch;
	return db_str(db, arch, strlen(arch));
}

static void add_pkg(struct db *db, const struct pkg_row *r)
{
	uint32_t arch = arch_of(db, r->arch);
	uint32_t p = db_pkg_get(db, r->name, strlen(r->name), arch, 1);

	assert_int_not_equal(p, DB_NONE);
	if (r->inst)
		db->pkgs[p].inst = version(db, p, r->inst);
	if (r->cand)
		db->pkgs[p].cand = version(db, p, r->cand);
	for (uint32_t i = db->pkgs[p].vers; i != DB_NONE; i = db->vers[i].next)
		assert_int_equal(db_desc_set(db, i, r->desc, strlen(r->desc)), OMG_OK);
	db->pkgs[p].flags = r->flags;
}

/* The record the fake backend hands over for version V: fixed fields around the index's
 * own, a continued Description; the zz- packages' are of their sizes. */
static char *record_text(const struct db *db, uint32_t v)
{
	const struct db_pkg *pk = &db->pkgs[db->vers[v].pkg];
	const char *name = db_s(db, pk->name);
	size_t big = !strcmp(name, "zz-huge") ? HUGE_BYTES : !strcmp(name, "zz-giant") ? GIANT_BYTES : 0;
	char *text;

	if (big) {
		if (!(text = malloc(big + 64)))
			return NULL;
		int n = snprintf(text, 64, "Package: %s\nDescription: ", name);
		memset(text + n, 'x', big);
		memcpy(text + n + big, "\n", 2);
		return text;
	}
	if (asprintf(&text,
		     "Package: %s\nStatus: install ok installed\nPriority: optional\nSection: utils\nArchitecture: %s\n"
		     "Version: %s\nMaintainer: Omg Tests <omg@example.org>\nDescription: %s\n It is a test.\n .\n Twice.\n",
		     name, db_s(db, pk->arch), db_s(db, db->vers[v].version), db_s(db, db->vers[v].desc)) < 0)
		return NULL;
	return text;
}

static int fake_record(const struct db *db, uint32_t ver, struct record *out)
{
	char *text = record_text(db, ver);

	if (!strcmp(db_s(db, db->pkgs[db->vers[ver].pkg].name), "zz-slow")) {
		struct timespec ts = { 0, SLOW_NS };
		while (nanosleep(&ts, &ts) != 0)
			;
	}

	if (!text) {
		*out = (struct record){ 0 };
		return OMG_ERROR(OMG_E_NOMEM, "record");
	}
	return record_take(out, text);
}

/* An installed package's files: two lines; not installed: as the dpkg backend says it. */
static int fake_files(const struct db *db, const char *root, uint32_t pkg, char **out, size_t *len)
{
	(void)root;
	if (db->pkgs[pkg].inst == DB_NONE)
		return OMG_ERROR(OMG_E_NOTFOUND, "not installed");
	if (asprintf(out, "/usr/bin/%s\n/usr/share/doc/%s\n", db_s(db, db->pkgs[pkg].name), db_s(db, db->pkgs[pkg].name)) < 0)
		return OMG_ERROR(OMG_E_NOMEM, "files");
	*len = strlen(*out);
	return OMG_OK;
}

static const struct backend FAKE = {
	.name = "fake",
	.record = fake_record,
	.files = fake_files,        /* no changelog: CHANGELOG is "not known on this system" */
	.vercmp = deb_version_compare,
};

static void fill_db(struct db *db)
{
	assert_int_equal(db_init(db), OMG_OK);
	db->native_arch = db_str(db, NATIVE, strlen(NATIVE));
	for (size_t i = 0; i < sizeof PKGS / sizeof PKGS[0]; i++)
		add_pkg(db, &PKGS[i]);
	for (size_t i = 0; i < sizeof RELS / sizeof RELS[0]; i++) {
		uint32_t v = find_ver(db, find_pkg(db, RELS[i].package, NATIVE), RELS[i].version);
		assert_int_equal(db_rels_parse(db, v, RELS[i].kind, RELS[i].value, strlen(RELS[i].value)), OMG_OK);
	}
	assert_int_equal(db_provide_add(db, "www-browser", 11, db->pkgs[find_pkg(db, "firefox-esr", NATIVE)].cand, "", 0),
			 OMG_OK);
	for (size_t i = 0; i < sizeof CMDS / sizeof CMDS[0]; i++) {
		const struct cmd_row *c = &CMDS[i];
		assert_int_equal(db_cmd_add(db, c->name, strlen(c->name), c->package, strlen(c->package), c->path,
					    strlen(c->path), c->installed), OMG_OK);
	}
	for (int i = 0; i < SH_PACKAGES; i++) {
		char package[32];
		int n = snprintf(package, sizeof package, "shell-%03d", i);
		assert_int_equal(db_cmd_add(db, "sh", 2, package, (size_t)n, "/bin/sh", 7, 0), OMG_OK);
	}
	assert_int_equal(db_finish(db), OMG_OK);
	/* what a backend computes (the status file's counts) */
	db->counts = (struct db_counts){ .total = 6, .explicit_pkgs = 3, .orphans = 1, .updates = 2 };
	db->security = 1;
	db->built_at = 1700000000;
}

/* The daemon as each test starts it: the index, the fake backend, nothing else. */
static void daemon_reset(void)
{
	memset(&D, 0, sizeof D);
	D.backend = &FAKE;
	D.db = &DB;
	D.generation = 3;
	D.started_at = 1690000000;
	snprintf(D.root, sizeof D.root, "/fake-root");
}

static int setup(void **state)
{
	(void)state;
	fill_db(&DB);
	memset(LONGQ, 'a', OMG_QUERY_MAX + 1);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	db_free(&DB);
	return 0;
}

static int reset(void **state)
{
	(void)state;
	daemon_reset();
	return 0;
}

/* ---- asking --------------------------------------------------------------------------- */

struct reply {
	struct omg_wbuf w;        /* the answer frame */
	struct omg_header h;
	const uint8_t *p;         /* its payload (h.length bytes) */
};

/* Hands request TYPE (PAYLOAD) to dispatch_request as the server does, a batch answered over
 * rounds to its end; checks that OUT holds exactly one frame for the request's id. */
static void ask_raw(uint8_t type, const void *payload, size_t n, struct reply *r)
{
	static uint32_t id = 100;
	struct dispatch_job *job = NULL;
	int rc;

	memset(r, 0, sizeof *r);
	id++;
	rc = dispatch_request(&D, type, id, payload, (uint32_t)n, &r->w, 0, &job);
	while (rc == 2) {
		assert_non_null(job);
		rc = dispatch_continue(&D, job, &r->w);
	}
	assert_int_equal(rc, 0);
	assert_true(r->w.len >= OMG_HEADER_SIZE);
	assert_int_equal(omg_header_decode(r->w.data, OMG_FRAME_MAX, &r->h), OMG_OK);
	assert_int_equal(r->h.id, id);
	assert_int_equal(r->h.length, r->w.len - OMG_HEADER_SIZE);
	r->p = r->w.data + OMG_HEADER_SIZE;
}

static void ask(uint8_t type, const struct omg_wbuf *req, struct reply *r)
{
	ask_raw(type, req->data, req->len, r);
}

/* A request of struct omg_query into W (emptied first). */
static void enc_query(struct omg_wbuf *w, uint8_t type, const char *text, uint32_t limit, uint32_t flags, uint8_t kind)
{
	struct omg_query q = { .text = text, .limit = limit, .flags = flags, .kind = kind };

	omg_wbuf_reset(w);
	omg_enc_query(w, type, &q);
}

static void ask_query(uint8_t type, const char *text, uint32_t limit, uint32_t flags, uint8_t kind, struct reply *r)
{
	struct omg_wbuf w = { 0 };

	enc_query(&w, type, text, limit, flags, kind);
	ask(type, &w, r);
	omg_wbuf_free(&w);
}

/* The answer is of TYPE's answer type. */
static void expect_answer(const struct reply *r, uint8_t type)
{
	if (r->h.type != (type | OMG_MSG_ANSWER) && r->h.type == OMG_MSG_ERROR) {
		struct omg_error_msg e;
		if (omg_dec_error(r->p, r->h.length, &e) == OMG_OK)
			print_message("ERROR %u: %s\n", e.code, e.message);
	}
	assert_int_equal(r->h.type, type | OMG_MSG_ANSWER);
}

/* An ERROR payload (P, N) with CODE and a message that has PART. */
static void expect_error_payload(const uint8_t *p, size_t n, uint32_t code, const char *part)
{
	struct omg_error_msg e;

	assert_int_equal(omg_dec_error(p, n, &e), OMG_OK);
	if (e.code != code || !strstr(e.message, part))
		print_message("ERROR %u '%s', wanted %u '%s'\n", e.code, e.message, code, part);
	assert_int_equal(e.code, code);
	assert_non_null(strstr(e.message, part));
}

static void expect_error(const struct reply *r, uint32_t code, const char *part)
{
	assert_int_equal(r->h.type, OMG_MSG_ERROR);
	expect_error_payload(r->p, r->h.length, code, part);
}

/* Names as the tables write them: "name", or "name:arch" when not native, space-separated. */
static void spell(char *buf, size_t size, size_t *len, const char *name, const char *arch)
{
	*len += (size_t)snprintf(buf + *len, size - *len, "%s%s%s%s", *len ? " " : "", name, strcmp(arch, NATIVE) ? ":" : "",
				 strcmp(arch, NATIVE) ? arch : "");
}

static void spell_rows(const struct omg_rows *m, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = 0;
	for (uint32_t i = 0; i < m->count; i++)
		spell(buf, size, &len, m->rows[i].name, m->rows[i].arch);
}

static void spell_hits(const struct db_hits *h, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = 0;
	for (uint32_t i = 0; i < h->n; i++)
		spell(buf, size, &len, db_s(&DB, DB.pkgs[h->v[i]].name), db_s(&DB, DB.pkgs[h->v[i]].arch));
}

/* Each decoded row says what the index has for its package. */
static void expect_rows_are_index(const struct omg_rows *m, const uint32_t *pkgs)
{
	for (uint32_t i = 0; i < m->count; i++) {
		const struct db_pkg *pk = &DB.pkgs[pkgs[i]];
		const struct omg_pkg_row *row = &m->rows[i];
		uint32_t dv = pk->cand != DB_NONE ? pk->cand : pk->inst;
		assert_string_equal(row->name, db_s(&DB, pk->name));
		assert_string_equal(row->arch, db_s(&DB, pk->arch));
		assert_string_equal(row->installed, pk->inst != DB_NONE ? db_s(&DB, DB.vers[pk->inst].version) : "");
		assert_string_equal(row->candidate, pk->cand != DB_NONE ? db_s(&DB, DB.vers[pk->cand].version) : "");
		assert_string_equal(row->description, db_s(&DB, DB.vers[dv].desc));
		assert_int_equal(row->flags, pk->flags);
	}
}

/* ---- before the first index ------------------------------------------------------------ */

static void test_not_ready(void **state)
{
	static const uint8_t types[] = { OMG_MSG_SEARCH, OMG_MSG_SUGGEST, OMG_MSG_INFO, OMG_MSG_LIST, OMG_MSG_PROVIDES,
					 OMG_MSG_VERSIONS, OMG_MSG_DEPENDS, OMG_MSG_RDEPENDS, OMG_MSG_WHY, OMG_MSG_SIZES,
					 OMG_MSG_SIMILAR, OMG_MSG_FILES };
	struct omg_status_msg s;
	struct reply r;
	(void)state;

	D.db = NULL;
	/* STATUS is answered: omgd is there, its index is not */
	ask_raw(OMG_MSG_STATUS, NULL, 0, &r);
	expect_answer(&r, OMG_MSG_STATUS);
	assert_int_equal(omg_dec_status(r.p, r.h.length, &s), OMG_OK);
	assert_int_equal(s.flags & OMG_STATUS_READY, 0);
	assert_int_equal(s.total, 0);
	assert_int_equal(s.updated_at, 0);
	assert_int_equal(s.generation, 3);
	assert_int_equal(s.started_at, 1690000000);
	assert_string_equal(s.backend, "fake");
	assert_string_equal(s.root, "/fake-root");
	assert_string_equal(s.store, "");
	omg_wbuf_free(&r.w);
	/* every request that reads the index: NOT_READY */
	for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
		ask_query(types[i], "fire", 0, 0, OMG_LIST_INSTALLED, &r);
		expect_error(&r, OMG_WERR_NOT_READY, "still building its index");
		omg_wbuf_free(&r.w);
	}
	/* PING needs none */
	ask_raw(OMG_MSG_PING, NULL, 0, &r);
	expect_answer(&r, OMG_MSG_PING);
	assert_int_equal(r.h.length, 0);
	omg_wbuf_free(&r.w);
}

/* STATUS and HELLO from the index and the daemon as they are. */
static void test_status_hello(void **state)
{
	struct omg_status_msg s;
	struct omg_hello h = { .magic = OMG_HELLO_MAGIC, .min_version = 1, .max_version = 3, .name = "test" };
	struct omg_wbuf w = { 0 };
	struct reply r;
	(void)state;

	ask_raw(OMG_MSG_STATUS, NULL, 0, &r);
	expect_answer(&r, OMG_MSG_STATUS);
	assert_int_equal(omg_dec_status(r.p, r.h.length, &s), OMG_OK);
	assert_int_equal(s.flags, OMG_STATUS_READY);
	assert_int_equal(s.total, 6);
	assert_int_equal(s.explicit_pkgs, 3);
	assert_int_equal(s.orphans, 1);
	assert_int_equal(s.updates, 2);
	assert_int_equal(s.security, 1);
	assert_int_equal(s.updated_at, 1700000000);
	assert_int_equal(s.verified_at, 0); /* no verifier */
	omg_wbuf_free(&r.w);
	/* an empty payload only */
	ask_raw(OMG_MSG_STATUS, "x", 1, &r);
	expect_error(&r, OMG_WERR_MALFORMED, "empty payload");
	omg_wbuf_free(&r.w);

	omg_enc_hello(&w, &h, 0);
	ask(OMG_MSG_HELLO, &w, &r);
	expect_answer(&r, OMG_MSG_HELLO);
	memset(&h, 0, sizeof h);
	assert_int_equal(omg_dec_hello(r.p, r.h.length, &h, 1), OMG_OK);
	assert_int_equal(h.min_version, OMG_PROTO_VERSION);
	assert_int_equal(h.max_version, OMG_PROTO_VERSION);
	assert_string_equal(h.name, "omgd " PACKAGE_VERSION);
	assert_string_equal(h.backend, "fake");
	assert_int_equal(h.max_frame, OMG_FRAME_MAX);
	omg_wbuf_free(&r.w);
	/* a client that speaks only a later version */
	h = (struct omg_hello){ .magic = OMG_HELLO_MAGIC, .min_version = 2, .max_version = 3, .name = "future" };
	omg_wbuf_reset(&w);
	omg_enc_hello(&w, &h, 0);
	ask(OMG_MSG_HELLO, &w, &r);
	expect_error(&r, OMG_WERR_VERSION, "protocol version 1 only");
	omg_wbuf_free(&r.w);
	omg_wbuf_free(&w);
}

/* ---- SEARCH and SUGGEST ---------------------------------------------------------------- */

#define DESC OMG_SEARCH_DESCRIPTIONS
#define INST OMG_SEARCH_INSTALLED

static const struct search_row {
	uint8_t type;           /* SEARCH or SUGGEST */
	const char *query;
	uint32_t limit, flags;
	const char *names;      /* what the answer lists, in order */
	uint32_t matched;       /* SEARCH: every match, also those past the limit */
} SEARCHES[] = {
	/* exact name, prefix, inside a name; fire:i386 is fire's row (one row a name) */
	{ OMG_MSG_SEARCH, "fire", 0, 0, "fire firefox-esr bonfire libfire", 4 },
	{ OMG_MSG_SEARCH, "fire", 1, 0, "fire", 4 },
	{ OMG_MSG_SEARCH, "fire", 0, DESC, "fire firefox-esr bonfire libfire ember", 5 },
	{ OMG_MSG_SEARCH, "fire", 0, INST, "fire bonfire libfire", 3 },
	{ OMG_MSG_SEARCH, "tls", 0, DESC, "libssl", 1 },
	{ OMG_MSG_SEARCH, "lib\nssl", 0, 0, "libssl", 1 },
	{ OMG_MSG_SEARCH, "www-browser", 0, 0, "firefox-esr", 1 }, /* a name it provides */
	{ OMG_MSG_SEARCH, "nothing-like-it", 0, DESC, "", 0 },
	/* names by prefix, each once */
	{ OMG_MSG_SUGGEST, "fi", 0, 0, "fire firefox-esr", 0 },
	{ OMG_MSG_SUGGEST, "lib", 0, INST, "libfire libold libssl", 0 },
	{ OMG_MSG_SUGGEST, "", 3, 0, "bonfire ember fire", 0 },
	{ OMG_MSG_SUGGEST, "zz", 0, 0, "zz-giant zz-huge zz-slow", 0 },
	{ OMG_MSG_SUGGEST, "q", 0, 0, "", 0 },
};

static void test_search_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof SEARCHES / sizeof SEARCHES[0]; i++) {
		const struct search_row *row = &SEARCHES[i];
		struct db_hits h;
		struct reply r;
		char got[512], index[512];

		print_message("row %zu: %s limit %u flags %u\n", i, omg_msg_name(row->type), row->limit, row->flags);
		ask_query(row->type, row->query, row->limit, row->flags, 0, &r);
		expect_answer(&r, row->type);
		if (row->type == OMG_MSG_SEARCH) {
			struct omg_rows m;
			assert_int_equal(db_search(&DB, row->query, row->limit ? row->limit : OMG_LIMIT_DEFAULT, row->flags, &h),
					 OMG_OK);
			assert_int_equal(omg_dec_rows(r.p, r.h.length, &m), OMG_OK);
			spell_rows(&m, got, sizeof got);
			assert_string_equal(got, row->names);
			assert_int_equal(m.matched, row->matched);
			/* the same as the index's own query, row for row */
			spell_hits(&h, index, sizeof index);
			assert_string_equal(got, index);
			assert_int_equal(m.matched, h.matched);
			assert_int_equal(m.count, h.n);
			expect_rows_are_index(&m, h.v);
			omg_rows_free(&m);
		} else {
			struct omg_words m;
			size_t len = 0;
			assert_int_equal(db_suggest(&DB, row->query, row->limit ? row->limit : OMG_LIMIT_MAX, row->flags, &h), OMG_OK);
			assert_int_equal(omg_dec_words(r.p, r.h.length, &m), OMG_OK);
			got[0] = 0;
			for (uint32_t k = 0; k < m.count; k++)
				len += (size_t)snprintf(got + len, sizeof got - len, "%s%s", k ? " " : "", m.words[k]);
			assert_string_equal(got, row->names);
			spell_hits(&h, index, sizeof index);
			assert_string_equal(got, index);
			omg_words_free(&m);
		}
		free(h.v);
		omg_wbuf_free(&r.w);
	}
}

/* ---- refusals: one row a request and the ERROR it gets ---------------------------------- */

enum damage { WHOLE, CUT, EXTRA, LONG_TEXT };

static const struct refusal_row {
	uint8_t type;
	const char *text;
	uint32_t limit, flags;
	uint8_t kind;
	enum damage damage;     /* CUT: its last byte left out; EXTRA: a byte more; LONG_TEXT: LONGQ */
	uint32_t code;
	const char *message;    /* a part of the message */
} REFUSALS[] = {
	{ OMG_MSG_SEARCH, "", 0, 0, 0, WHOLE, OMG_WERR_INVALID, "1 to 256 bytes" },
	{ OMG_MSG_SEARCH, NULL, 0, 0, 0, LONG_TEXT, OMG_WERR_INVALID, "1 to 256 bytes" },
	{ OMG_MSG_SUGGEST, NULL, 0, 0, 0, LONG_TEXT, OMG_WERR_INVALID, "1 to 256 bytes" },
	{ OMG_MSG_SEARCH, "fire(", 0, 0, 0, WHOLE, OMG_WERR_INVALID, "" },    /* regcomp refuses it */
	{ OMG_MSG_SEARCH, "fire", 0, 0, 0, CUT, OMG_WERR_MALFORMED, "truncated" },
	{ OMG_MSG_SEARCH, "fire", 0, 0, 0, EXTRA, OMG_WERR_MALFORMED, "trailing" },
	{ OMG_MSG_SUGGEST, "fi", 0, 0, 0, CUT, OMG_WERR_MALFORMED, "truncated" },
	{ OMG_MSG_LIST, NULL, 0, 0, OMG_LIST__COUNT, WHOLE, OMG_WERR_INVALID, "unknown list kind" },
	{ OMG_MSG_LIST, NULL, 0, 0, 0xFF, WHOLE, OMG_WERR_INVALID, "unknown list kind" },
	{ OMG_MSG_LIST, NULL, 0, 0, 0, CUT, OMG_WERR_MALFORMED, "truncated" },
	{ OMG_MSG_INFO, "nosuch", 0, 0, 0, WHOLE, OMG_WERR_NOT_FOUND, "package 'nosuch' not found" },
	{ OMG_MSG_INFO, "fire:arm64", 0, 0, 0, WHOLE, OMG_WERR_NOT_FOUND, "not found" },
	{ OMG_MSG_INFO, "firetools", 0, 0, 0, WHOLE, OMG_WERR_NOT_FOUND, "not found" }, /* a command's package only */
	{ OMG_MSG_INFO, "", 0, 0, 0, WHOLE, OMG_WERR_INVALID, "1 to 256 bytes" },
	{ OMG_MSG_INFO, NULL, 0, 0, 0, LONG_TEXT, OMG_WERR_INVALID, "1 to 256 bytes" },
	{ OMG_MSG_INFO, "fire", 0, 0, 0, EXTRA, OMG_WERR_MALFORMED, "trailing" },
	{ OMG_MSG_PROVIDES, "/usr/bin/fire", 0, 0, 0, WHOLE, OMG_WERR_INVALID, "no '/'" },
	{ OMG_MSG_PROVIDES, "bin/fire", 0, 0, 0, WHOLE, OMG_WERR_INVALID, "no '/'" },
	{ OMG_MSG_PROVIDES, "", 0, 0, 0, WHOLE, OMG_WERR_INVALID, "a command name" },
	{ OMG_MSG_PROVIDES, NULL, 0, 0, 0, LONG_TEXT, OMG_WERR_INVALID, "a command name" },
	{ OMG_MSG_SIMILAR, "./fire", 0, 0, 0, WHOLE, OMG_WERR_INVALID, "no '/'" },
	{ OMG_MSG_VERSIONS, "nosuch", 0, 0, 0, WHOLE, OMG_WERR_NOT_FOUND, "package 'nosuch' not found" },
	{ OMG_MSG_DEPENDS, "nosuch", 0, 0, 0, WHOLE, OMG_WERR_NOT_FOUND, "not found" },
	{ OMG_MSG_RDEPENDS, "nosuch", 0, 0, 0, WHOLE, OMG_WERR_NOT_FOUND, "not found" },
	{ OMG_MSG_WHY, "ember", 0, 0, 0, WHOLE, OMG_WERR_NOT_FOUND, "package 'ember' is not installed" },
	{ OMG_MSG_FILES, "ember", 0, 0, 0, WHOLE, OMG_WERR_NOT_FOUND, "package 'ember': is not installed" },
	{ OMG_MSG_CHANGELOG, "fire", 0, 0, 0, WHOLE, OMG_WERR_INVALID, "not known on this system" },
	{ OMG_MSG_PING, NULL, 0, 0, 0, EXTRA, OMG_WERR_MALFORMED, "empty payload" },
	{ OMG_MSG_METRICS, NULL, 0, 0, 0, EXTRA, OMG_WERR_MALFORMED, "empty payload" },
	/* no such request type; ERROR and answer types are not requests */
	{ 0x00, NULL, 0, 0, 0, WHOLE, OMG_WERR_UNKNOWN_TYPE, "unknown request type" },
	{ 0x1F, "fire", 0, 0, 0, WHOLE, OMG_WERR_UNKNOWN_TYPE, "unknown request type" },
	{ OMG_MSG_ERROR, NULL, 0, 0, 0, WHOLE, OMG_WERR_UNKNOWN_TYPE, "unknown request type" },
	{ OMG_MSG_SEARCH | OMG_MSG_ANSWER, "fire", 0, 0, 0, WHOLE, OMG_WERR_UNKNOWN_TYPE, "unknown request type" },
};

/* The payload ROW describes, into W. */
static void enc_refusal(struct omg_wbuf *w, const struct refusal_row *row)
{
	enc_query(w, row->type, row->damage == LONG_TEXT ? LONGQ : row->text, row->limit, row->flags, row->kind);
	if (row->type > OMG_MSG_OWNS && row->text) /* not a request: a payload all the same */
		omg_put_str(w, row->text);
	if (row->damage == CUT)
		w->len--;
	else if (row->damage == EXTRA)
		omg_put_u8(w, 0);
}

static void test_refusal_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof REFUSALS / sizeof REFUSALS[0]; i++) {
		const struct refusal_row *row = &REFUSALS[i];
		struct omg_wbuf w = { 0 };
		uint64_t errors = D.m.errors;
		struct reply r;

		print_message("row %zu: type 0x%02x '%s'\n", i, row->type, row->text ? row->text : "");
		enc_refusal(&w, row);
		ask(row->type, &w, &r);
		expect_error(&r, row->code, row->message);
		assert_int_equal(D.m.errors, errors + 1);
		omg_wbuf_free(&r.w);
		omg_wbuf_free(&w);
	}
}

/* ---- LIST -------------------------------------------------------------------------------- */

static const struct list_row {
	uint8_t kind;
	uint32_t limit;         /* 0: all */
	const char *names;      /* in name order */
	uint32_t matched;
} LISTS[] = {
	{ OMG_LIST_INSTALLED, 0, "bonfire fire libfire libold libssl zsh", 6 },
	{ OMG_LIST_INSTALLED, 2, "bonfire fire", 6 },
	{ OMG_LIST_EXPLICIT, 0, "bonfire fire zsh", 3 },
	{ OMG_LIST_EXPLICIT, 1, "bonfire", 3 },
	{ OMG_LIST_ORPHANS, 0, "libold", 1 },
	{ OMG_LIST_UPGRADABLE, 0, "fire libssl", 2 },
	{ OMG_LIST_UPGRADABLE, 1, "fire", 2 },
	{ OMG_LIST_SECURITY, 0, "fire", 1 },
	{ OMG_LIST_SECURITY, 7, "fire", 1 },
};

static void test_list_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof LISTS / sizeof LISTS[0]; i++) {
		const struct list_row *row = &LISTS[i];
		struct omg_rows m;
		struct db_hits h;
		struct reply r;
		char got[512];

		print_message("row %zu: kind %u limit %u\n", i, row->kind, row->limit);
		ask_query(OMG_MSG_LIST, NULL, row->limit, 0, row->kind, &r);
		expect_answer(&r, OMG_MSG_LIST);
		assert_int_equal(omg_dec_rows(r.p, r.h.length, &m), OMG_OK);
		spell_rows(&m, got, sizeof got);
		assert_string_equal(got, row->names);
		assert_int_equal(m.matched, row->matched);
		assert_int_equal(db_list(&DB, row->kind, row->limit, &h), OMG_OK);
		assert_int_equal(m.count, h.n);
		expect_rows_are_index(&m, h.v);
		free(h.v);
		omg_rows_free(&m);
		omg_wbuf_free(&r.w);
	}
}

/* ---- INFO -------------------------------------------------------------------------------- */

/* The fake record's fields after the index's lines (Package, Architecture and Status left
 * out), for version V with description D: in order, the continuation lines kept. */
#define REC(v, d) "|Priority=optional|Section=utils|Version=" v "|Maintainer=Omg Tests <omg@example.org>|Description=" d \
		  "\n It is a test.\n .\n Twice."
#define LOCAL "|Candidate-From=local (in no package list)"

static const struct info_row {
	const char *name;
	uint32_t flags;
	const char *pairs;      /* "key=value" joined by "|" */
} INFOS[] = {
	/* installed, a security upgrade: the installed version's record */
	{ "fire", I | OMG_PKG_UPGRADABLE | OMG_PKG_SECURITY,
	  "Package=fire|Architecture=amd64|Installed=1.0|Candidate=1.1|Install-Reason=manual|Upgrade=security update" LOCAL
	  REC("1.0", "Lights the way") },
	/* NAME:ARCH: the foreign instance, not installed: its candidate's record */
	{ "fire:i386", OMG_PKG_FOREIGN,
	  "Package=fire|Architecture=i386|Installed=(none)|Candidate=1.1" LOCAL REC("1.1", "Lights the way") },
	{ "ember", 0, "Package=ember|Architecture=amd64|Installed=(none)|Candidate=3" LOCAL REC("3", "Glows after the fire") },
	/* automatic and auto-removable, with no candidate */
	{ "libold", I | A | OMG_PKG_ORPHAN,
	  "Package=libold|Architecture=amd64|Installed=0.5|Candidate=(none)|Install-Reason=automatic|Auto-Removable=yes"
	  REC("0.5", "left behind") },
	{ "libssl", I | A | OMG_PKG_UPGRADABLE,
	  "Package=libssl|Architecture=amd64|Installed=3.0|Candidate=3.1|Install-Reason=automatic|Upgrade=available" LOCAL
	  REC("3.0", "TLS library") },
	{ "zsh", I | OMG_PKG_HELD,
	  "Package=zsh|Architecture=amd64|Installed=5.9|Candidate=5.9|Install-Reason=manual|Held=yes" LOCAL
	  REC("5.9", "shell with lots of features") },
};

static void test_info_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof INFOS / sizeof INFOS[0]; i++) {
		const struct info_row *row = &INFOS[i];
		struct omg_pairs m;
		struct reply r;
		char got[2048];
		size_t len = 0;

		print_message("row %zu: INFO %s\n", i, row->name);
		ask_query(OMG_MSG_INFO, row->name, 0, 0, 0, &r);
		expect_answer(&r, OMG_MSG_INFO);
		assert_int_equal(omg_dec_pairs(r.p, r.h.length, OMG_MSG_INFO, &m), OMG_OK);
		assert_int_equal(m.flags, row->flags);
		got[0] = 0;
		for (uint32_t k = 0; k < m.count; k++)
			len += (size_t)snprintf(got + len, sizeof got - len, "%s%s=%s", k ? "|" : "", m.kv[k].key, m.kv[k].value);
		assert_string_equal(got, row->pairs);
		omg_pairs_free(&m);
		omg_wbuf_free(&r.w);
	}
}

/* An answer over the frame limit is refused whole with TOO_LARGE, the frame it began taken
 * back: a record that makes the frame too large, and one string the writer refuses. */
static void test_too_large(void **state)
{
	static const char *const names[] = { "zz-huge", "zz-giant" };
	struct reply r;
	(void)state;

	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		ask_query(OMG_MSG_INFO, names[i], 0, 0, 0, &r);
		expect_error(&r, OMG_WERR_TOO_LARGE, "the package's record is larger than the 1 MiB frame limit");
		assert_int_equal(D.m.handled[OMG_MSG_INFO], 0);
		omg_wbuf_free(&r.w);
	}
}

/* LIST without a limit over an index whose installed rows pass the frame limit: TOO_LARGE;
 * with a limit, answered. (1,100 packages with 1,000-byte descriptions: about 1.1 MiB.) */
static void test_list_too_large(void **state)
{
	struct db big;
	struct omg_rows m;
	struct reply r;
	char desc[1001];
	(void)state;

	memset(desc, 'd', sizeof desc - 1);
	desc[sizeof desc - 1] = 0;
	assert_int_equal(db_init(&big), OMG_OK);
	big.native_arch = db_str(&big, NATIVE, strlen(NATIVE));
	for (int i = 0; i < 1100; i++) {
		char name[32];
		snprintf(name, sizeof name, "pkg-%04d", i);
		const struct pkg_row row = { name, NATIVE, "1", "1", desc, I };
		add_pkg(&big, &row);
	}
	assert_int_equal(db_finish(&big), OMG_OK);
	D.db = &big;
	ask_query(OMG_MSG_LIST, NULL, 0, 0, OMG_LIST_INSTALLED, &r);
	expect_error(&r, OMG_WERR_TOO_LARGE, "answer exceeds the 1 MiB frame limit: lower the limit");
	omg_wbuf_free(&r.w);
	ask_query(OMG_MSG_LIST, NULL, 3, 0, OMG_LIST_INSTALLED, &r);
	expect_answer(&r, OMG_MSG_LIST);
	assert_int_equal(omg_dec_rows(r.p, r.h.length, &m), OMG_OK);
	assert_int_equal(m.matched, 1100);
	assert_int_equal(m.count, 3);
	assert_string_equal(m.rows[2].name, "pkg-0002");
	assert_string_equal(m.rows[2].description, desc);
	omg_rows_free(&m);
	omg_wbuf_free(&r.w);
	D.db = &DB;
	db_free(&big);
}

/* ---- PROVIDES and SIMILAR ---------------------------------------------------------------- */

static void spell_providers(const struct omg_providers *m, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = 0;
	for (uint32_t i = 0; i < m->count && len < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s%s %s %u", i ? ", " : "", m->v[i].package, m->v[i].path,
					m->v[i].installed);
}

static const struct cmd_query_row {
	uint8_t type;           /* PROVIDES or SIMILAR */
	const char *word;
	const char *entries;    /* "package path installed", joined by ", " */
} CMD_QUERIES[] = {
	/* fire's own command from its file list and from Contents: one entry, the installed one */
	{ OMG_MSG_PROVIDES, "fire", "fire /usr/bin/fire 1, firetools /usr/games/fire 0" },
	{ OMG_MSG_PROVIDES, "zsh", "zsh /usr/bin/zsh 1" },
	{ OMG_MSG_PROVIDES, "fir", "" },
	/* one edit away (two bytes swapped), installed first, one entry per command and package */
	{ OMG_MSG_SIMILAR, "fier", "fire /usr/bin/fire 1, firetools /usr/games/fire 0" },
	{ OMG_MSG_SIMILAR, "zhs", "zsh /usr/bin/zsh 1" },
	{ OMG_MSG_SIMILAR, "fire", "" },      /* the word itself is no hint */
	{ OMG_MSG_SIMILAR, "qqqqqq", "" },
};

static void test_commands_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof CMD_QUERIES / sizeof CMD_QUERIES[0]; i++) {
		const struct cmd_query_row *row = &CMD_QUERIES[i];
		struct omg_providers m;
		struct reply r;
		uint32_t flags = 0;
		char got[512];

		print_message("row %zu: %s %s\n", i, omg_msg_name(row->type), row->word);
		ask_query(row->type, row->word, 0, 0, 0, &r);
		expect_answer(&r, row->type);
		if (row->type == OMG_MSG_PROVIDES) {
			assert_int_equal(omg_dec_providers(r.p, r.h.length, &m), OMG_OK);
		} else {
			assert_int_equal(omg_dec_similar(r.p, r.h.length, &flags, &m), OMG_OK);
			assert_int_equal(flags, OMG_SIMILAR_AVAILABLE); /* a Contents index was read */
		}
		spell_providers(&m, got, sizeof got);
		assert_string_equal(got, row->entries);
		omg_providers_free(&m);
		omg_wbuf_free(&r.w);
	}
}

/* A command in more packages than one answer holds: the first OMG_PROVIDES_MAX, each once. */
static void test_provides_max(void **state)
{
	struct omg_providers m;
	struct reply r;
	(void)state;

	ask_query(OMG_MSG_PROVIDES, "sh", 0, 0, 0, &r);
	expect_answer(&r, OMG_MSG_PROVIDES);
	assert_int_equal(omg_dec_providers(r.p, r.h.length, &m), OMG_OK);
	assert_int_equal(m.count, OMG_PROVIDES_MAX);
	for (uint32_t i = 0; i < m.count; i++) {
		char want[32];
		snprintf(want, sizeof want, "shell-%03u", i);
		assert_string_equal(m.v[i].package, want);
		assert_string_equal(m.v[i].path, "/bin/sh");
		assert_int_equal(m.v[i].installed, 0);
	}
	omg_providers_free(&m);
	omg_wbuf_free(&r.w);
}

/* ---- VERSIONS ---------------------------------------------------------------------------- */

static void test_versions(void **state)
{
	struct omg_versions m;
	struct reply r;
	char *rec;
	(void)state;

	/* two versions: newest first, the installed one second */
	ask_query(OMG_MSG_VERSIONS, "fire", 0, 0, 0, &r);
	expect_answer(&r, OMG_MSG_VERSIONS);
	assert_int_equal(omg_dec_versions(r.p, r.h.length, &m), OMG_OK);
	assert_string_equal(m.name, "fire");
	assert_string_equal(m.arch, NATIVE);
	assert_int_equal(m.flags, I | OMG_PKG_UPGRADABLE | OMG_PKG_SECURITY);
	assert_int_equal(m.count, 2);
	assert_string_equal(m.v[0].version, "1.1");
	assert_string_equal(m.v[1].version, "1.0");
	assert_int_equal(m.candidate, 0);
	assert_int_equal(m.installed, 1);
	assert_int_equal(m.v[0].nfiles, 0); /* no package list in this index */
	assert_string_equal(m.v[0].record, "");
	assert_int_equal(m.nproviders, 0);
	omg_versions_free(&m);
	omg_wbuf_free(&r.w);
	/* with records: each version's whole, from the backend */
	ask_query(OMG_MSG_VERSIONS, "fire", 0, OMG_VERSIONS_RECORDS, 0, &r);
	expect_answer(&r, OMG_MSG_VERSIONS);
	assert_int_equal(omg_dec_versions(r.p, r.h.length, &m), OMG_OK);
	assert_int_equal(m.count, 2);
	uint32_t p = find_pkg(&DB, "fire", NATIVE);
	rec = record_text(&DB, DB.pkgs[p].cand);
	assert_string_equal(m.v[0].record, rec);
	free(rec);
	rec = record_text(&DB, DB.pkgs[p].inst);
	assert_string_equal(m.v[1].record, rec);
	free(rec);
	omg_versions_free(&m);
	omg_wbuf_free(&r.w);
	/* the foreign instance, by NAME:ARCH: one version, a candidate, nothing installed */
	ask_query(OMG_MSG_VERSIONS, "fire:i386", 0, 0, 0, &r);
	expect_answer(&r, OMG_MSG_VERSIONS);
	assert_int_equal(omg_dec_versions(r.p, r.h.length, &m), OMG_OK);
	assert_string_equal(m.arch, "i386");
	assert_int_equal(m.flags, OMG_PKG_FOREIGN);
	assert_int_equal(m.count, 1);
	assert_int_equal(m.candidate, 0);
	assert_int_equal(m.installed, OMG_VERSION_NONE);
	omg_versions_free(&m);
	omg_wbuf_free(&r.w);
	/* a virtual package: no versions, its provider */
	ask_query(OMG_MSG_VERSIONS, "www-browser", 0, 0, 0, &r);
	expect_answer(&r, OMG_MSG_VERSIONS);
	assert_int_equal(omg_dec_versions(r.p, r.h.length, &m), OMG_OK);
	assert_string_equal(m.name, "www-browser");
	assert_int_equal(m.count, 0);
	assert_int_equal(m.installed, OMG_VERSION_NONE);
	assert_int_equal(m.candidate, OMG_VERSION_NONE);
	assert_int_equal(m.nproviders, 1);
	assert_string_equal(m.providers[0].name, "firefox-esr");
	assert_string_equal(m.providers[0].version, "115.0");
	assert_int_equal(m.providers[0].installed, 0);
	omg_versions_free(&m);
	omg_wbuf_free(&r.w);
}

/* ---- DEPENDS, RDEPENDS, WHY -------------------------------------------------------------- */

static void spell_rels(const struct omg_rels *m, char *buf, size_t size)
{
	static const char *const kinds[] = OMG_REL_KINDS;
	size_t len = 0;

	len += (size_t)snprintf(buf, size, "%s %s:", m->name, m->version);
	for (uint32_t i = 0; i < m->count && len < size; i++) {
		const struct omg_rel *e = &m->v[i];
		len += (size_t)snprintf(buf + len, size - len, "%s %s %s", i ? "," : "", kinds[e->kind], e->package);
		if (e->op[0])
			len += (size_t)snprintf(buf + len, size - len, " (%s %s)", e->op, e->version);
		if (e->flags & OMG_REL_OR)
			len += (size_t)snprintf(buf + len, size - len, " |");
		if (e->flags & OMG_REL_VIRTUAL)
			len += (size_t)snprintf(buf + len, size - len, " virtual");
		if (e->flags & OMG_REL_AUTO)
			len += (size_t)snprintf(buf + len, size - len, " auto");
		if (e->target[0])
			len += (size_t)snprintf(buf + len, size - len, " -> %s", e->target);
		for (uint32_t k = 0; k < e->nalts; k++)
			len += (size_t)snprintf(buf + len, size - len, "%s%s%s", k ? " " : " [", e->alts[k], k + 1 == e->nalts ? "]" : "");
	}
}

static const struct rel_query_row {
	uint8_t type;
	const char *name;
	const char *answer;     /* "name version:" then the entries, as spell_rels writes them */
} REL_QUERIES[] = {
	/* the candidate's relations, by kind, each field in its order; www-browser is only
	 * provided: virtual, its provider listed */
	{ OMG_MSG_DEPENDS, "fire",
	  "fire 1.1: Depends libfire (>= 2), Depends ember |, Depends bonfire, Depends www-browser virtual [firefox-esr],"
	  " Recommends zsh" },
	{ OMG_MSG_DEPENDS, "libfire", "libfire 2.0: Depends libssl (>= 3)" },
	{ OMG_MSG_DEPENDS, "zsh", "zsh 5.9:" },
	/* both of fire's versions name libfire, the last read first */
	{ OMG_MSG_RDEPENDS, "libfire", "libfire 2.0: Depends fire (>= 2), Depends fire" },
	{ OMG_MSG_RDEPENDS, "zsh", "zsh 5.9: Recommends fire" },
	{ OMG_MSG_RDEPENDS, "www-browser", "www-browser (virtual): Depends fire [firefox-esr]" },
	{ OMG_MSG_RDEPENDS, "fire", "fire 1.1:" },
	/* the chain from a manually installed package, through the installed versions */
	{ OMG_MSG_WHY, "libssl", "libssl 3.0: Depends fire -> libfire, Depends libfire (>= 3) auto -> libssl" },
	{ OMG_MSG_WHY, "libfire", "libfire 2.0: Depends fire -> libfire" },
	{ OMG_MSG_WHY, "fire", "fire 1.0:" },   /* manual: nothing to say */
	{ OMG_MSG_WHY, "libold", "libold 0.5:" }, /* automatic, and nothing needs it */
};

static void test_relations_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof REL_QUERIES / sizeof REL_QUERIES[0]; i++) {
		const struct rel_query_row *row = &REL_QUERIES[i];
		struct omg_rels m;
		struct reply r;
		char got[1024];

		print_message("row %zu: %s %s\n", i, omg_msg_name(row->type), row->name);
		ask_query(row->type, row->name, 0, 0, 0, &r);
		expect_answer(&r, row->type);
		assert_int_equal(omg_dec_rels(r.p, r.h.length, &m), OMG_OK);
		spell_rels(&m, got, sizeof got);
		assert_string_equal(got, row->answer);
		omg_rels_free(&m);
		omg_wbuf_free(&r.w);
	}
}

/* ---- FILES --------------------------------------------------------------------------------- */

static void test_files(void **state)
{
	struct omg_words m;
	struct reply r;
	uint32_t total;
	(void)state;

	/* from the line asked for (the second) on; TOTAL counts them all */
	ask_query(OMG_MSG_FILES, "zsh", 1, 0, 0, &r);
	expect_answer(&r, OMG_MSG_FILES);
	assert_int_equal(omg_dec_files(r.p, r.h.length, &total, &m), OMG_OK);
	assert_int_equal(total, 2);
	assert_int_equal(m.count, 1);
	assert_string_equal(m.words[0], "/usr/share/doc/zsh");
	omg_words_free(&m);
	omg_wbuf_free(&r.w);
}

/* ---- BATCH ------------------------------------------------------------------------------- */

/* Adds an item of struct omg_query to batch W. */
static void batch_query(struct omg_wbuf *w, uint8_t type, const char *text, uint32_t limit, uint8_t kind)
{
	struct omg_wbuf item = { 0 };

	enc_query(&item, type, text, limit, 0, kind);
	omg_enc_batch_item(w, type, item.data, (uint32_t)item.len);
	omg_wbuf_free(&item);
}

static void test_batch(void **state)
{
	static const uint8_t one_ping[] = { 1, 0, 0, 0, OMG_MSG_PING, 0, 0, 0, 0 };
	struct omg_hello hello = { .magic = OMG_HELLO_MAGIC, .min_version = 1, .max_version = 1, .name = "test" };
	struct omg_wbuf w = { 0 }, item = { 0 };
	struct omg_batch *b = malloc(sizeof *b);
	struct omg_rows rows;
	struct omg_pairs info;
	struct reply r;
	char got[256];
	uint64_t errors;
	(void)state;

	assert_non_null(b);
	omg_enc_batch_head(&w, 9);
	batch_query(&w, OMG_MSG_SEARCH, "fire", 2, 0);
	batch_query(&w, OMG_MSG_INFO, "nosuch", 0, 0);
	batch_query(&w, OMG_MSG_LIST, NULL, 0, OMG_LIST_UPGRADABLE);
	omg_enc_batch_item(&w, OMG_MSG_BATCH, one_ping, sizeof one_ping); /* a batch of its own: refused */
	omg_enc_hello(&item, &hello, 0);
	omg_enc_batch_item(&w, OMG_MSG_HELLO, item.data, (uint32_t)item.len);
	omg_enc_batch_item(&w, OMG_MSG_PING, NULL, 0);
	batch_query(&w, OMG_MSG_INFO, "zsh", 0, 0);
	batch_query(&w, OMG_MSG_AUR_SEARCH, "yay", 0, 0);
	omg_enc_batch_item(&w, 0x1F, NULL, 0);
	ask(OMG_MSG_BATCH, &w, &r);
	expect_answer(&r, OMG_MSG_BATCH);
	assert_int_equal(omg_dec_batch(r.p, r.h.length, b), OMG_OK);
	assert_int_equal(b->count, 9);
	/* 0: SEARCH's rows */
	assert_int_equal(b->items[0].type, OMG_MSG_SEARCH | OMG_MSG_ANSWER);
	assert_int_equal(omg_dec_rows(b->items[0].payload, b->items[0].length, &rows), OMG_OK);
	spell_rows(&rows, got, sizeof got);
	assert_string_equal(got, "fire firefox-esr");
	assert_int_equal(rows.matched, 4);
	omg_rows_free(&rows);
	/* 1: an item's failure is its own ERROR item */
	assert_int_equal(b->items[1].type, OMG_MSG_ERROR);
	expect_error_payload(b->items[1].payload, b->items[1].length, OMG_WERR_NOT_FOUND, "package 'nosuch' not found");
	/* 2: LIST's rows */
	assert_int_equal(b->items[2].type, OMG_MSG_LIST | OMG_MSG_ANSWER);
	assert_int_equal(omg_dec_rows(b->items[2].payload, b->items[2].length, &rows), OMG_OK);
	spell_rows(&rows, got, sizeof got);
	assert_string_equal(got, "fire libssl");
	omg_rows_free(&rows);
	/* 3, 4: no BATCH or HELLO inside a batch */
	assert_int_equal(b->items[3].type, OMG_MSG_ERROR);
	expect_error_payload(b->items[3].payload, b->items[3].length, OMG_WERR_INVALID, "batches cannot be nested");
	assert_int_equal(b->items[4].type, OMG_MSG_ERROR);
	expect_error_payload(b->items[4].payload, b->items[4].length, OMG_WERR_INVALID, "HELLO cannot be batched");
	/* 5: PING's empty answer */
	assert_int_equal(b->items[5].type, OMG_MSG_PING | OMG_MSG_ANSWER);
	assert_int_equal(b->items[5].length, 0);
	/* 6: INFO, whole */
	assert_int_equal(b->items[6].type, OMG_MSG_INFO | OMG_MSG_ANSWER);
	assert_int_equal(omg_dec_pairs(b->items[6].payload, b->items[6].length, OMG_MSG_INFO, &info), OMG_OK);
	assert_int_equal(info.flags, I | OMG_PKG_HELD);
	assert_int_equal(info.count, 12); /* 7 of the index's, 5 of the record's */
	assert_string_equal(info.kv[0].value, "zsh");
	assert_string_equal(info.kv[11].key, "Description");
	omg_pairs_free(&info);
	/* 7: AUR requests go to their worker, not into a batch; 8: no such type */
	assert_int_equal(b->items[7].type, OMG_MSG_ERROR);
	expect_error_payload(b->items[7].payload, b->items[7].length, OMG_WERR_INVALID, "AUR requests cannot be batched");
	assert_int_equal(b->items[8].type, OMG_MSG_ERROR);
	expect_error_payload(b->items[8].payload, b->items[8].length, OMG_WERR_UNKNOWN_TYPE, "unknown request type");
	assert_int_equal(D.m.handled[OMG_MSG_BATCH], 1);
	assert_int_equal(D.m.errors, 5);
	omg_wbuf_free(&r.w);

	/* a batch that does not decode, or of no items: MALFORMED, the whole of it */
	omg_wbuf_reset(&w);
	omg_enc_batch_head(&w, 0);
	ask(OMG_MSG_BATCH, &w, &r);
	expect_error(&r, OMG_WERR_MALFORMED, "batch of 0 items");
	omg_wbuf_free(&r.w);
	omg_wbuf_reset(&w);
	omg_enc_batch_head(&w, 2);
	omg_enc_batch_item(&w, OMG_MSG_PING, NULL, 0);
	ask(OMG_MSG_BATCH, &w, &r);
	expect_error(&r, OMG_WERR_MALFORMED, "truncated");
	omg_wbuf_free(&r.w);

	/* an item the writer refuses is that item's TOO_LARGE (an error like any); the others
	 * are answered */
	errors = D.m.errors;
	omg_wbuf_reset(&w);
	omg_enc_batch_head(&w, 2);
	batch_query(&w, OMG_MSG_INFO, "zz-giant", 0, 0);
	omg_enc_batch_item(&w, OMG_MSG_PING, NULL, 0);
	ask(OMG_MSG_BATCH, &w, &r);
	expect_answer(&r, OMG_MSG_BATCH);
	assert_int_equal(omg_dec_batch(r.p, r.h.length, b), OMG_OK);
	assert_int_equal(b->count, 2);
	assert_int_equal(b->items[0].type, OMG_MSG_ERROR);
	expect_error_payload(b->items[0].payload, b->items[0].length, OMG_WERR_TOO_LARGE, "answer too large");
	assert_int_equal(b->items[1].type, OMG_MSG_PING | OMG_MSG_ANSWER);
	assert_int_equal(D.m.errors, errors + 1);
	omg_wbuf_free(&r.w);

	/* items that together pass the frame limit: the batch is refused whole */
	omg_wbuf_reset(&w);
	omg_enc_batch_head(&w, 2);
	omg_enc_batch_item(&w, OMG_MSG_PING, NULL, 0);
	batch_query(&w, OMG_MSG_INFO, "zz-huge", 0, 0);
	ask(OMG_MSG_BATCH, &w, &r);
	expect_error(&r, OMG_WERR_TOO_LARGE, "batch answer exceeds the frame limit");
	omg_wbuf_free(&r.w);
	assert_int_equal(D.m.handled[OMG_MSG_BATCH], 2);
	assert_int_equal(D.m.errors, errors + 2);

	omg_wbuf_free(&item);
	omg_wbuf_free(&w);
	free(b);
}

/* A batch whose items take longer than a slice is answered over rounds (dispatch_continue),
 * nothing of it sent before it is whole; an index replaced under it starts it again, and a
 * second time the rest is answered at once. Each zz-slow item takes more than a slice. */
static void test_batch_rounds(void **state)
{
	struct omg_wbuf w = { 0 }, out = { 0 };
	struct omg_batch *b = malloc(sizeof *b);
	struct dispatch_job *job = NULL;
	struct omg_header h;
	struct omg_pairs info;
	(void)state;

	assert_non_null(b);
	omg_enc_batch_head(&w, 3);
	batch_query(&w, OMG_MSG_INFO, "zz-slow", 0, 0);
	batch_query(&w, OMG_MSG_INFO, "zz-slow", 0, 0);
	omg_enc_batch_item(&w, OMG_MSG_PING, NULL, 0);

	/* one item a round: the answer is kept by the job, OUT stays empty */
	assert_int_equal(dispatch_request(&D, OMG_MSG_BATCH, 7, w.data, (uint32_t)w.len, &out, 0, &job), 2);
	assert_non_null(job);
	assert_int_equal(out.len, 0);
	assert_true(dispatch_job_bytes(job) > 0);
	assert_int_equal(dispatch_continue(&D, job, &out), 2);
	assert_int_equal(out.len, 0);
	assert_int_equal(dispatch_continue(&D, job, &out), 0);
	assert_int_equal(omg_header_decode(out.data, OMG_FRAME_MAX, &h), OMG_OK);
	assert_int_equal(h.type, OMG_MSG_BATCH | OMG_MSG_ANSWER);
	assert_int_equal(h.id, 7);
	assert_int_equal(omg_dec_batch(out.data + OMG_HEADER_SIZE, h.length, b), OMG_OK);
	assert_int_equal(b->count, 3);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(b->items[i].type, OMG_MSG_INFO | OMG_MSG_ANSWER);
		assert_int_equal(omg_dec_pairs(b->items[i].payload, b->items[i].length, OMG_MSG_INFO, &info), OMG_OK);
		assert_string_equal(info.kv[0].value, "zz-slow");
		omg_pairs_free(&info);
	}
	assert_int_equal(b->items[2].type, OMG_MSG_PING | OMG_MSG_ANSWER);
	assert_int_equal(D.m.handled[OMG_MSG_BATCH], 1);
	assert_int_equal(D.m.requests, 1);
	omg_wbuf_free(&out);

	/* a new index after the first round: from the first item again (two more rounds of
	 * one); a second new index: the rest at once */
	job = NULL;
	assert_int_equal(dispatch_request(&D, OMG_MSG_BATCH, 8, w.data, (uint32_t)w.len, &out, 0, &job), 2);
	D.generation++;
	assert_int_equal(dispatch_continue(&D, job, &out), 2);
	D.generation++;
	assert_int_equal(dispatch_continue(&D, job, &out), 0);
	assert_int_equal(omg_header_decode(out.data, OMG_FRAME_MAX, &h), OMG_OK);
	assert_int_equal(h.id, 8);
	assert_int_equal(omg_dec_batch(out.data + OMG_HEADER_SIZE, h.length, b), OMG_OK);
	assert_int_equal(b->count, 3); /* each item once, none left over from before */
	assert_int_equal(b->items[0].type, OMG_MSG_INFO | OMG_MSG_ANSWER);
	assert_int_equal(b->items[1].type, OMG_MSG_INFO | OMG_MSG_ANSWER);
	assert_int_equal(b->items[2].type, OMG_MSG_PING | OMG_MSG_ANSWER);
	omg_wbuf_free(&out);

	/* given up on (its connection closed): freed with what it holds */
	job = NULL;
	assert_int_equal(dispatch_request(&D, OMG_MSG_BATCH, 9, w.data, (uint32_t)w.len, &out, 0, &job), 2);
	dispatch_job_free(job);
	assert_int_equal(out.len, 0);
	assert_int_equal(D.m.handled[OMG_MSG_BATCH], 2);
	omg_wbuf_free(&out);
	omg_wbuf_free(&w);
	free(b);
}

/* ---- the system daemon's peer rule -------------------------------------------------------- */

static void enc_audit(struct omg_wbuf *w)
{
	struct omg_audit_query q = { 0 };

	omg_wbuf_reset(w);
	omg_enc_audit_query(w, &q);
}

static void enc_verify(struct omg_wbuf *w)
{
	static const char *const names[] = { "fire" };
	struct omg_verify_req q = { .count = 1, .names = (const char **)names };

	omg_wbuf_reset(w);
	omg_enc_verify_req(w, &q);
}

static void enc_acted(struct omg_wbuf *w)
{
	struct omg_acted q = { .action = OMG_ACT_INSTALL, .result = 0, .started_ns = 1, .ended_ns = 2, .what = "omg install fire" };

	omg_wbuf_reset(w);
	omg_enc_acted(w, &q);
}

static void enc_plan(struct omg_wbuf *w, const char *name)
{
	const char *names[] = { name };
	struct omg_plan_req q = { .action = OMG_ACT_INSTALL, .count = 1, .names = names };

	omg_wbuf_reset(w);
	omg_enc_plan_req(w, &q);
}

static const struct peer_row {
	int system;
	int other;              /* 1: the peer is another uid (not root, not omgd's) */
	uint8_t type;
	uint32_t code;          /* the ERROR it gets, or 0: answered */
	const char *message;
} PEERS[] = {
	/* the system daemon and another uid: what writes, runs or reads root's record is root's */
	{ 1, 1, OMG_MSG_AUDIT, OMG_WERR_DENIED, "audit log is for root only" },
	{ 1, 1, OMG_MSG_VERIFY, OMG_WERR_DENIED, "verifies for root only" },
	{ 1, 1, OMG_MSG_ACTED, OMG_WERR_DENIED, "only in its audit log" },
	{ 1, 1, OMG_MSG_PLAN, OMG_WERR_DENIED, "plans a package file for root only" }, /* a .deb path */
	{ 1, 1, OMG_MSG_SEARCH, 0, NULL },                                                   /* reads are for all */
	{ 1, 1, OMG_MSG_INFO, 0, NULL },
	/* root may: then what this daemon lacks answers (no store, no verifier, no planner) */
	{ 1, 0, OMG_MSG_AUDIT, 0, NULL },
	{ 1, 0, OMG_MSG_VERIFY, OMG_WERR_INTERNAL, "could not start its verification worker" },
	{ 1, 0, OMG_MSG_ACTED, OMG_WERR_NOT_FOUND, "has no audit log" },
	{ 1, 0, OMG_MSG_PLAN, OMG_WERR_INTERNAL, "could not start its planner" },
	/* a user's own daemon has no such rule */
	{ 0, 1, OMG_MSG_AUDIT, 0, NULL },
	{ 0, 1, OMG_MSG_VERIFY, OMG_WERR_INTERNAL, "could not start its verification worker" },
};

static void test_peer_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof PEERS / sizeof PEERS[0]; i++) {
		const struct peer_row *row = &PEERS[i];
		struct omg_wbuf w = { 0 };
		struct reply r;

		print_message("row %zu: system %d other %d %s\n", i, row->system, row->other, omg_msg_name(row->type));
		D.system = row->system;
		D.peer_uid = row->other ? (uint32_t)getuid() + 1 : 0;
		switch (row->type) {
		case OMG_MSG_AUDIT: enc_audit(&w); break;
		case OMG_MSG_VERIFY: enc_verify(&w); break;
		case OMG_MSG_ACTED: enc_acted(&w); break;
		case OMG_MSG_PLAN: enc_plan(&w, row->other ? "/tmp/fire_1.1_amd64.deb" : "fire"); break;
		default: enc_query(&w, row->type, "fire", 0, 0, 0); break;
		}
		ask(row->type, &w, &r);
		if (row->code) {
			expect_error(&r, row->code, row->message);
		} else if (row->type == OMG_MSG_AUDIT) {
			struct omg_audit_msg m;
			expect_answer(&r, OMG_MSG_AUDIT);
			assert_int_equal(omg_dec_audit(r.p, r.h.length, &m), OMG_OK);
			assert_string_equal(m.store, "omgd runs without a store (--no-store)");
			assert_int_equal(m.count, 0);
			assert_int_equal(m.more, 0);
			omg_audit_free(&m);
		} else if (row->type == OMG_MSG_SEARCH) {
			struct omg_rows m;
			expect_answer(&r, OMG_MSG_SEARCH);
			assert_int_equal(omg_dec_rows(r.p, r.h.length, &m), OMG_OK);
			assert_int_equal(m.matched, 4);
			assert_string_equal(m.rows[0].name, "fire");
			omg_rows_free(&m);
		} else {
			struct omg_pairs m;
			expect_answer(&r, OMG_MSG_INFO);
			assert_int_equal(omg_dec_pairs(r.p, r.h.length, OMG_MSG_INFO, &m), OMG_OK);
			assert_string_equal(m.kv[2].key, "Installed");
			assert_string_equal(m.kv[2].value, "1.0");
			omg_pairs_free(&m);
		}
		omg_wbuf_free(&r.w);
		omg_wbuf_free(&w);
	}
}

/* Inside a batch too: the item is refused, the batch answered. */
static void test_peer_batch(void **state)
{
	struct omg_wbuf w = { 0 }, item = { 0 };
	struct omg_batch *b = malloc(sizeof *b);
	struct reply r;
	(void)state;

	assert_non_null(b);
	D.system = 1;
	D.peer_uid = (uint32_t)getuid() + 1;
	omg_enc_batch_head(&w, 2);
	enc_audit(&item);
	omg_enc_batch_item(&w, OMG_MSG_AUDIT, item.data, (uint32_t)item.len);
	batch_query(&w, OMG_MSG_SUGGEST, "zs", 0, 0);
	ask(OMG_MSG_BATCH, &w, &r);
	expect_answer(&r, OMG_MSG_BATCH);
	assert_int_equal(omg_dec_batch(r.p, r.h.length, b), OMG_OK);
	assert_int_equal(b->count, 2);
	assert_int_equal(b->items[0].type, OMG_MSG_ERROR);
	expect_error_payload(b->items[0].payload, b->items[0].length, OMG_WERR_DENIED, "audit log is for root only");
	assert_int_equal(b->items[1].type, OMG_MSG_SUGGEST | OMG_MSG_ANSWER);
	omg_wbuf_free(&r.w);
	omg_wbuf_free(&item);
	omg_wbuf_free(&w);
	free(b);
}

/* AUR requests with no AUR client: answered at once, "unavailable", with why. */
static void test_aur_unavailable(void **state)
{
	struct omg_aur_msg m;
	struct reply r;
	(void)state;

	ask_query(OMG_MSG_AUR_SEARCH, "yay", 0, 0, 0, &r);
	expect_answer(&r, OMG_MSG_AUR_SEARCH);
	assert_int_equal(omg_dec_aur(r.p, r.h.length, OMG_MSG_AUR_SEARCH, &m), OMG_OK);
	assert_int_equal(m.status, OMG_AUR_UNAVAILABLE);
	assert_string_equal(m.problem, OMG_AUR_NOT_ARCH); /* the backend is not alpm */
	omg_aur_free(&m);
	omg_wbuf_free(&r.w);
	assert_int_equal(D.m.handled[OMG_MSG_AUR_SEARCH], 1);
}

/* ---- counters ------------------------------------------------------------------------------ */

/* Every request counts in requests; an answer in its type's handled (and its time), an
 * ERROR answer in errors, whichever way it was refused. */
static void test_counters(void **state)
{
	struct omg_wbuf w = { 0 };
	struct reply r;
	(void)state;

	ask_query(OMG_MSG_SEARCH, "fire", 0, 0, 0, &r);
	omg_wbuf_free(&r.w);
	ask_query(OMG_MSG_SEARCH, "zsh", 0, 0, 0, &r);
	omg_wbuf_free(&r.w);
	ask_query(OMG_MSG_INFO, "fire", 0, 0, 0, &r);
	omg_wbuf_free(&r.w);
	ask_query(OMG_MSG_INFO, "nosuch", 0, 0, 0, &r);
	omg_wbuf_free(&r.w);
	ask_raw(OMG_MSG_PING, NULL, 0, &r);
	omg_wbuf_free(&r.w);
	assert_int_equal(D.m.requests, 5);
	assert_int_equal(D.m.handled[OMG_MSG_SEARCH], 2);
	assert_int_equal(D.m.handled[OMG_MSG_INFO], 1); /* the NOT_FOUND one is an error */
	assert_int_equal(D.m.handled[OMG_MSG_PING], 1);
	assert_int_equal(D.m.handled[OMG_MSG_LIST], 0);
	assert_int_equal(D.m.errors, 1);
	assert_true(D.m.handled_ns[OMG_MSG_SEARCH] > 0);
	/* refused before any answer is begun: the peer rule for VERIFY and PLAN, a missing worker */
	D.system = 1;
	D.peer_uid = (uint32_t)getuid() + 1;
	enc_verify(&w);
	ask(OMG_MSG_VERIFY, &w, &r);
	expect_error(&r, OMG_WERR_DENIED, "root only");
	omg_wbuf_free(&r.w);
	enc_plan(&w, "/tmp/x.deb");
	ask(OMG_MSG_PLAN, &w, &r);
	expect_error(&r, OMG_WERR_DENIED, "root only");
	omg_wbuf_free(&r.w);
	D.system = 0;
	enc_plan(&w, "fire");
	ask(OMG_MSG_PLAN, &w, &r);
	expect_error(&r, OMG_WERR_INTERNAL, "planner");
	omg_wbuf_free(&r.w);
	assert_int_equal(D.m.requests, 8);
	assert_int_equal(D.m.errors, 4);
	omg_wbuf_free(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_not_ready, reset),
		cmocka_unit_test_setup(test_status_hello, reset),
		cmocka_unit_test_setup(test_search_table, reset),
		cmocka_unit_test_setup(test_refusal_table, reset),
		cmocka_unit_test_setup(test_list_table, reset),
		cmocka_unit_test_setup(test_info_table, reset),
		cmocka_unit_test_setup(test_too_large, reset),
		cmocka_unit_test_setup(test_list_too_large, reset),
		cmocka_unit_test_setup(test_commands_table, reset),
		cmocka_unit_test_setup(test_provides_max, reset),
		cmocka_unit_test_setup(test_versions, reset),
		cmocka_unit_test_setup(test_relations_table, reset),
		cmocka_unit_test_setup(test_files, reset),
		cmocka_unit_test_setup(test_batch, reset),
		cmocka_unit_test_setup(test_batch_rounds, reset),
		cmocka_unit_test_setup(test_peer_table, reset),
		cmocka_unit_test_setup(test_peer_batch, reset),
		cmocka_unit_test_setup(test_aur_unavailable, reset),
		cmocka_unit_test_setup(test_counters, reset),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
