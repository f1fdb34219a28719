/* dispatch.c — request type -> handler. Handlers write an answer payload; errors become
 * ERROR answers. Nothing here blocks except INFO's read of one record. */
#include "config.h"
#include "audit.h"
#include "aur.h"
#include "plan.h"
#include "verify.h"
#include "clock.h"
#include "grow.h"
#include "hostmetrics.h"
#include "omgd.h"
#include "omg_error.h"
#include "server.h"
#include "snapshot.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <time.h>

/* The index's flags and limits are the wire's, so that answers copy them as they are. */
_Static_assert(DB_PKG_INSTALLED == OMG_PKG_INSTALLED && DB_PKG_AUTO == OMG_PKG_AUTO &&
		       DB_PKG_UPGRADABLE == OMG_PKG_UPGRADABLE && DB_PKG_SECURITY == OMG_PKG_SECURITY &&
		       DB_PKG_ORPHAN == OMG_PKG_ORPHAN && DB_PKG_HELD == OMG_PKG_HELD &&
		       DB_PKG_ESSENTIAL == OMG_PKG_ESSENTIAL && DB_PKG_FOREIGN == OMG_PKG_FOREIGN &&
		       DB_PKG_CONFIG_FILES == OMG_PKG_CONFIG_FILES,
	       "db.h's DB_PKG_* are the wire's OMG_PKG_*");
_Static_assert(DB_SEARCH_DESCRIPTIONS == OMG_SEARCH_DESCRIPTIONS && DB_SEARCH_INSTALLED == OMG_SEARCH_INSTALLED,
	       "db.h's DB_SEARCH_* are the wire's OMG_SEARCH_*");
_Static_assert(DB_QUERY_MAX == OMG_QUERY_MAX && SEARCH_DEADLINE_MS == OMG_SEARCH_DEADLINE_MS,
	       "db.h's limits are the protocol's");

struct answer {
	struct omg_wbuf *w;
	uint32_t error;              /* a wire error code, or 0 */
	char message[512];
};

static void fail(struct answer *a, uint32_t code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void fail(struct answer *a, uint32_t code, const char *fmt, ...)
{
	va_list ap;

	a->error = code;
	va_start(ap, fmt);
	vsnprintf(a->message, sizeof a->message, fmt, ap);
	va_end(ap);
}

static int need_db(struct daemon *d, struct answer *a)
{
	if (d->db)
		return 1;
	fail(a, OMG_WERR_NOT_READY, "omgd is still building its index");
	return 0;
}

static void on_hello(struct daemon *d, const uint8_t *p, uint32_t n, struct answer *a)
{
	struct omg_hello h;

	if (omg_dec_hello(p, n, &h, 0) != OMG_OK)
		return fail(a, OMG_WERR_MALFORMED, "%s", omg_errdetail());
	if (h.min_version > OMG_PROTO_VERSION || h.max_version < OMG_PROTO_VERSION)
		return fail(a, OMG_WERR_VERSION, "omgd speaks protocol version %d only", OMG_PROTO_VERSION);
	h.min_version = h.max_version = OMG_PROTO_VERSION;
	h.name = "omgd " PACKAGE_VERSION;
	h.backend = d->backend->name;
	h.max_frame = OMG_FRAME_MAX;
	omg_enc_hello(a->w, &h, 1);
}

static void on_status(struct daemon *d, struct answer *a)
{
	struct omg_status_msg m = { 0 };
	char store[512] = "";

	if (d->store_problem)
		d->store_problem(d->store_ctx, store, sizeof store);
	m.store = store;
	if (store[0])
		m.flags |= OMG_STATUS_NO_STORE;
	if (d->db) {
		m.total = d->db->counts.total;
		m.explicit_pkgs = d->db->counts.explicit_pkgs;
		m.orphans = d->db->counts.orphans;
		m.updates = d->db->counts.updates;
		m.security = d->db->security;
		m.updated_at = d->db->built_at;
		m.flags |= OMG_STATUS_READY;
	}
	m.generation = d->generation;
	m.started_at = d->started_at;
	/* refreshing: a build is asked for or under way, unless it was given up on (BUILD_DEADLINE_MS) */
	if (d->building && d->building(d->builder_ctx) && !d->build_overdue)
		m.flags |= OMG_STATUS_REFRESHING;
	m.flags |= d->degraded ? OMG_STATUS_DEGRADED : 0;
	m.flags |= d->reboot_required ? OMG_STATUS_REBOOT : 0;
	m.backend = d->backend->name;
	m.root = d->root;
	{
		struct verify_summary vs;
		verify_summary(d->verifier, &vs);
		m.verified_at = vs.at;
		m.modified = vs.modified;
		m.untrusted = vs.untrusted;
	}
	omg_enc_status(a->w, &m);
}

static uint32_t clamp_limit(uint32_t limit, uint32_t def)
{
	if (limit == 0)
		return def;
	return limit > OMG_LIMIT_MAX ? OMG_LIMIT_MAX : limit;
}

/* Package P as a row of the wire (its flags are the wire's bits: see the checks above). */
static void db_row(const struct db *db, uint32_t p, struct omg_pkg_row *row)
{
	const struct db_pkg *pk = &db->pkgs[p];
	uint32_t dv = pk->cand != DB_NONE ? pk->cand : pk->inst;

	row->name = db_s(db, pk->name);
	row->arch = db_s(db, pk->arch);
	row->installed = pk->inst != DB_NONE ? db_s(db, db->vers[pk->inst].version) : "";
	row->candidate = pk->cand != DB_NONE ? db_s(db, db->vers[pk->cand].version) : "";
	row->description = dv != DB_NONE ? db_s(db, db->vers[dv].desc) : "";
	row->flags = pk->flags;
}

static void put_rows(struct daemon *d, const struct db_hits *h, struct answer *a)
{
	size_t at = omg_enc_rows_head(a->w);

	for (uint32_t i = 0; i < h->n; i++) {
		struct omg_pkg_row row;
		db_row(d->db, h->v[i], &row);
		omg_enc_row(a->w, &row);
	}
	omg_enc_rows_end(a->w, at, h->matched, h->n);
}

static void on_search(struct daemon *d, uint8_t type, const uint8_t *p, uint32_t n, struct answer *a)
{
	struct omg_query q;
	struct db_hits h;
	int rc;

	if (omg_dec_query(p, n, type, &q) != OMG_OK)
		return fail(a, OMG_WERR_MALFORMED, "%s", omg_errdetail());
	if (strlen(q.text) > OMG_QUERY_MAX || (type == OMG_MSG_SEARCH && !q.text[0]))
		return fail(a, OMG_WERR_INVALID, "the query must be 1 to %d bytes", OMG_QUERY_MAX);
	if (!need_db(d, a))
		return;
	if (type == OMG_MSG_SEARCH)
		rc = db_search(d->db, q.text, clamp_limit(q.limit, OMG_LIMIT_DEFAULT), q.flags, &h);
	else
		rc = db_suggest(d->db, q.text, clamp_limit(q.limit, OMG_LIMIT_MAX), q.flags, &h);
	if (rc != OMG_OK) /* a term omgd refuses (search.c), or a search over its deadline */
		return fail(a, rc == OMG_E_INVAL ? OMG_WERR_INVALID : OMG_WERR_INTERNAL, "%s", omg_errdetail());
	if (type == OMG_MSG_SEARCH) {
		put_rows(d, &h, a);
	} else {
		size_t at = omg_enc_words_head(a->w);
		for (uint32_t i = 0; i < h.n; i++)
			omg_enc_word(a->w, db_s(d->db, d->db->pkgs[h.v[i]].name));
		omg_enc_count(a->w, at, h.n);
	}
	free(h.v);
}

static int in_list(const struct db_pkg *pk, uint8_t kind)
{
	switch (kind) {
	case OMG_LIST_INSTALLED: return pk->inst != DB_NONE;
	case OMG_LIST_EXPLICIT: return pk->inst != DB_NONE && !(pk->flags & OMG_PKG_AUTO);
	case OMG_LIST_ORPHANS: return (pk->flags & OMG_PKG_ORPHAN) != 0;
	case OMG_LIST_UPGRADABLE: return (pk->flags & OMG_PKG_UPGRADABLE) != 0;
	case OMG_LIST_SECURITY: return (pk->flags & OMG_PKG_SECURITY) != 0;
	}
	return 0;
}

static void on_list(struct daemon *d, const uint8_t *p, uint32_t n, struct answer *a)
{
	struct omg_query q;
	struct db_hits h = { 0 };
	uint32_t limit;

	if (omg_dec_query(p, n, OMG_MSG_LIST, &q) != OMG_OK)
		return fail(a, OMG_WERR_MALFORMED, "%s", omg_errdetail());
	if (q.kind >= OMG_LIST__COUNT)
		return fail(a, OMG_WERR_INVALID, "unknown list kind");
	if (!need_db(d, a))
		return;
	limit = q.limit ? q.limit : UINT32_MAX;
	if (!(h.v = malloc(((size_t)d->db->npkgs + 1) * sizeof *h.v)))
		return fail(a, OMG_WERR_INTERNAL, "out of memory");
	for (uint32_t i = 0; i < d->db->npkgs; i++) {
		uint32_t pk = d->db->by_name[i];
		if (!in_list(&d->db->pkgs[pk], q.kind))
			continue;
		h.matched++;
		if (h.n < limit)
			h.v[h.n++] = pk;
	}
	put_rows(d, &h, a);
	free(h.v);
}

/* The requests that name a package: its name (Q), and the package LOOKUP finds (db_lookup:
 * installed or installable; db_lookup_any: any with a version), or DB_NONE with the ERROR
 * answer set (NOT_FOUND: see retract_not_found). */
static uint32_t package_query(struct daemon *d, uint8_t type, const uint8_t *p, uint32_t n, struct answer *a,
			      struct omg_query *q, uint32_t (*lookup)(const struct db *, const char *))
{
	uint32_t pi;

	if (omg_dec_query(p, n, type, q) != OMG_OK) {
		fail(a, OMG_WERR_MALFORMED, "%s", omg_errdetail());
		return DB_NONE;
	}
	if (!q->text[0] || strlen(q->text) > OMG_QUERY_MAX) {
		fail(a, OMG_WERR_INVALID, "the package name must be 1 to %d bytes", OMG_QUERY_MAX);
		return DB_NONE;
	}
	if (!need_db(d, a))
		return DB_NONE;
	if ((pi = lookup(d->db, q->text)) == DB_NONE)
		fail(a, OMG_WERR_NOT_FOUND, "package '%s' not found", q->text);
	return pi;
}

/* When package_query's answer is NOT_FOUND, takes it back (the request is answered another
 * way: a virtual package) and returns 1; else 0. */
static int retract_not_found(struct answer *a)
{
	if (a->error != OMG_WERR_NOT_FOUND)
		return 0;
	a->error = 0;
	a->message[0] = 0;
	return 1;
}

/* "PRIO (STANZA)" when a pin decided version V's priority: its own specific pin, or the
 * general pin of the file that gave it the highest priority. 0: apt's defaults did. */
static int candidate_pin(const struct db *db, uint32_t v, char *out, size_t n)
{
	const struct db_ver *ver = &db->vers[v];
	uint32_t first, count, si, text = ver->pin;

	db_vfiles_of(db, v, &first, &count);
	for (uint32_t i = first; !text && i < first + count; i++) {
		const struct db_src *s = &db->srcs[db->vfiles[i].src];
		if (s->pin && s->prio == ver->prio)
			text = s->pin;
	}
	if (!text && (ver->flags & DBV_STATUS) && (si = db_status_src(db)) != DB_NONE && db->srcs[si].prio == ver->prio)
		text = db->srcs[si].pin;
	if (!text)
		return 0;
	snprintf(out, n, "%d (%s)", ver->prio, db_s(db, text));
	return 1;
}

static void on_info(struct daemon *d, const uint8_t *p, uint32_t n, struct answer *a)
{
	const struct db_pkg *pk;
	const struct db_src *src;
	struct omg_query q;
	char *record = NULL, archive[512] = "", pin[600];
	size_t count_at;
	uint32_t count = 0, pi, show;

	if ((pi = package_query(d, OMG_MSG_INFO, p, n, a, &q, db_lookup)) == DB_NONE)
		return;
	pk = &d->db->pkgs[pi];
	show = pk->inst != DB_NONE ? pk->inst : pk->cand;
	if (pk->cand != DB_NONE) {
		uint32_t si = d->db->vers[pk->cand].archive;
		src = si != DB_NONE ? &d->db->srcs[si] : NULL;
		if (!src)
			snprintf(archive, sizeof archive, "local (in no package list)");
		else if (src->origin && src->codename)
			snprintf(archive, sizeof archive, "%s %s", db_s(d->db, src->origin), db_s(d->db, src->codename));
		else if (src->origin || src->codename) /* one of them: an Arch repository has a name only */
			snprintf(archive, sizeof archive, "%s", db_s(d->db, src->origin ? src->origin : src->codename));
		else
			snprintf(archive, sizeof archive, "%s", db_s(d->db, src->path));
	}
	count_at = omg_enc_info_head(a->w, pk->flags);
#define KV(k, v) (omg_enc_kv(a->w, (k), (v)), count++)
	KV("Package", db_s(d->db, pk->name));
	KV("Architecture", db_s(d->db, pk->arch));
	KV("Installed", pk->inst != DB_NONE ? db_s(d->db, d->db->vers[pk->inst].version) : "(none)");
	KV("Candidate", pk->cand != DB_NONE ? db_s(d->db, d->db->vers[pk->cand].version) : "(none)");
	if (pk->inst != DB_NONE)
		KV("Install-Reason", (pk->flags & OMG_PKG_AUTO) ? "automatic" : "manual");
	if (pk->flags & OMG_PKG_UPGRADABLE)
		KV("Upgrade", (pk->flags & OMG_PKG_SECURITY) ? "security update" : "available");
	if (pk->flags & OMG_PKG_ORPHAN)
		KV("Auto-Removable", "yes");
	if (pk->flags & OMG_PKG_HELD) /* dpkg's hold, pacman's IgnorePkg */
		KV("Held", "yes");
	if (archive[0])
		KV("Candidate-From", archive);
	if (pk->cand != DB_NONE && candidate_pin(d->db, pk->cand, pin, sizeof pin))
		KV("Candidate-Pin", pin); /* the apt_preferences stanza that gave it its priority */
	if (show != DB_NONE && d->backend->record(d->db, show, &record) == OMG_OK) {
		/* The record's own fields, minus those already given above. */
		char *line = record, *next;
		for (; line && *line; line = next) {
			char *colon, *end = line;
			/* a field runs until a newline not followed by a continuation */
			while ((end = strchr(end, '\n')) && (end[1] == ' ' || end[1] == '\t'))
				end++;
			next = end ? end + 1 : NULL;
			if (end)
				*end = 0;
			colon = strchr(line, ':');
			if (!colon || colon == line)
				continue;
			*colon = 0;
			if (!strcmp(line, "Package") || !strcmp(line, "Architecture") || !strcmp(line, "Status"))
				continue;
			KV(line, colon[1] == ' ' ? colon + 2 : colon + 1);
		}
	}
#undef KV
	free(record);
	omg_enc_count(a->w, count_at, count);
}

/* VERSIONS: every version of one package, newest first, with the package lists that have it
 * (then dpkg's status file) and, when asked, its record as its first list has it. */
#define VERSIONS_RECORD_BYTES (512u << 10) /* records beyond this many bytes are left out */

static int newest_first(const void *x, const void *y, void *ctx)
{
	const struct daemon *d = ctx;
	const struct db_ver *a = &d->db->vers[*(const uint32_t *)x], *b = &d->db->vers[*(const uint32_t *)y];
	int c = d->backend->vercmp(db_s(d->db, b->version), db_s(d->db, a->version));
	return c ? c : (*(const uint32_t *)x < *(const uint32_t *)y ? -1 : 1);
}

/* The packages whose installed or candidate version provides NAME, one entry each: installed
 * ones first, then by name (apt lists a virtual package's providers so). 0: no memory. */
static int providers_cmp(const void *x, const void *y)
{
	const struct omg_provider_ver *a = x, *b = y;
	int c;

	if (a->installed != b->installed)
		return a->installed ? -1 : 1;
	if ((c = strcmp(a->name, b->name)) != 0)
		return c;
	return strcmp(a->arch, b->arch);
}

static int providers_of(const struct db *db, const char *name, struct omg_versions *m)
{
	uint32_t first, count;

	db_providers(db, name, &first, &count);
	m->nproviders = 0;
	if (!count)
		return 1;
	if (!(m->providers = calloc(count, sizeof *m->providers)))
		return 0;
	for (uint32_t i = first; i < first + count; i++) {
		const struct db_ver *v = &db->vers[db->provs[i].ver];
		const struct db_pkg *pk = &db->pkgs[v->pkg];
		uint32_t vi = db->provs[i].ver;
		int seen = 0;
		if (vi != pk->inst && vi != pk->cand)
			continue;
		for (uint32_t j = 0; j < m->nproviders && !seen; j++)
			seen = !strcmp(m->providers[j].name, db_s(db, pk->name)) && !strcmp(m->providers[j].arch, db_s(db, pk->arch));
		if (!seen)
			m->providers[m->nproviders++] = (struct omg_provider_ver){ db_s(db, pk->name), db_s(db, pk->arch),
				db_s(db, v->version), pk->flags | (pk->arch != db->native_arch ? OMG_PKG_FOREIGN : 0),
				vi == pk->inst };
	}
	qsort(m->providers, m->nproviders, sizeof *m->providers, providers_cmp);
	return 1;
}

static void on_versions(struct daemon *d, const uint8_t *p, uint32_t n, struct answer *a)
{
	const struct db *db;
	const struct db_pkg *pk;
	struct omg_versions m = { 0 };
	struct omg_query q;
	uint32_t pi, nv = 0, *order = NULL, status_src = DB_NONE;
	char **records = NULL;
	size_t record_bytes = 0;

	if ((pi = package_query(d, OMG_MSG_VERSIONS, p, n, a, &q, db_lookup_any)) == DB_NONE) {
		uint32_t first, count, rfirst, rcount;
		/* A virtual package (its providers), or a name only relations name: apt knows
		 * both, with no versions ("Candidate: (none)", "not a real package"). */
		if (a->error == OMG_WERR_NOT_FOUND) {
			db_providers(d->db, q.text, &first, &count);
			db_rels_naming(d->db, q.text, &rfirst, &rcount);
		}
		/* cppcheck-suppress legacyUninitvar ; count and rcount are read only when set above */
		if (a->error != OMG_WERR_NOT_FOUND || (!count && !rcount) || !retract_not_found(a))
			return;
	}
	db = d->db;
	pk = pi != DB_NONE ? &db->pkgs[pi] : NULL;
	for (uint32_t v = pk ? pk->vers : DB_NONE; v != DB_NONE; v = db->vers[v].next)
		nv++;
	order = malloc((nv ? nv : 1) * sizeof *order);
	m.v = calloc(nv ? nv : 1, sizeof *m.v);
	records = calloc(nv ? nv : 1, sizeof *records);
	if (!order || !m.v || !records) {
		fail(a, OMG_WERR_INTERNAL, "out of memory");
		goto done;
	}
	nv = 0;
	for (uint32_t v = pk ? pk->vers : DB_NONE; v != DB_NONE; v = db->vers[v].next)
		order[nv++] = v;
	qsort_r(order, nv, sizeof *order, newest_first, d);
	m.flags = pk ? pk->flags | (pk->arch != db->native_arch ? OMG_PKG_FOREIGN : 0) : 0;
	m.name = pk ? db_s(db, pk->name) : q.text;
	m.arch = db_s(db, pk ? pk->arch : db->native_arch);
	m.installed = m.candidate = OMG_VERSION_NONE;
	status_src = db_status_src(db);
	for (uint32_t i = 0; i < nv; i++) {
		const struct db_ver *ver = &db->vers[order[i]];
		struct omg_version *out = &m.v[m.count++];
		uint32_t first, count;
		db_vfiles_of(db, order[i], &first, &count);
		if (order[i] == pk->inst)
			m.installed = i;
		if (order[i] == pk->cand)
			m.candidate = i;
		out->version = db_s(db, ver->version);
		out->prio = ver->prio;
		out->flags = (ver->flags & DBV_SECURITY ? OMG_VER_SECURITY : 0) | (ver->flags & DBV_STATUS ? OMG_VER_STATUS : 0);
		out->record = "";
		if (!(out->files = calloc((size_t)count + 1, sizeof *out->files))) {
			fail(a, OMG_WERR_INTERNAL, "out of memory");
			goto done;
		}
		for (uint32_t f = first; f < first + count; f++) {
			const struct db_src *src = &db->srcs[db->vfiles[f].src];
			out->files[out->nfiles++] = (struct omg_ver_file){ src->prio, db_s(db, src->desc ? src->desc : src->path) };
		}
		if ((ver->flags & DBV_STATUS) && status_src != DB_NONE)
			out->files[out->nfiles++] =
				(struct omg_ver_file){ db->srcs[status_src].prio, db_s(db, db->srcs[status_src].path) };
		if (q.flags & OMG_VERSIONS_RECORDS) {
			int rc = count && d->backend->record_file ? d->backend->record_file(db, first, &records[i])
								  : d->backend->record(db, order[i], &records[i]);
			/* the answer must fit one frame: records past the budget are left out whole */
			if (rc == OMG_OK && records[i] && record_bytes + strlen(records[i]) <= VERSIONS_RECORD_BYTES) {
				out->record = records[i];
				record_bytes += strlen(records[i]);
			}
		}
	}
	if (!providers_of(db, m.name, &m)) {
		fail(a, OMG_WERR_INTERNAL, "out of memory");
		goto done;
	}
	omg_enc_versions(a->w, &m);
done:
	for (uint32_t i = 0; records && i < nv; i++)
		free(records[i]);
	free(records);
	free(order);
	omg_versions_free(&m);
}

/* ---- DEPENDS, RDEPENDS, WHY: the relations index ----------------------------------- */

/* Strings made for one answer (names with their architecture), freed with it. */
struct strpool {
	char **v;
	size_t n, cap;
	int failed;
};

static const char *pool_fmt(struct strpool *sp, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static const char *pool_fmt(struct strpool *sp, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		s = NULL;
	if (!s || omg_grow(&sp->v, &sp->cap, sp->n + 1, sizeof *sp->v, OMG_GROW_UNBOUNDED) != OMG_OK) {
		free(s);
		sp->failed = 1;
		return "";
	}
	sp->v[sp->n++] = s;
	return s;
}

static void pool_free(struct strpool *sp)
{
	while (sp->n)
		free(sp->v[--sp->n]);
	free(sp->v);
}

/* apt's FullName(true): the name, with ":ARCH" when the architecture is not the native one. */
static const char *full_name(const struct db *db, uint32_t p, struct strpool *sp)
{
	const struct db_pkg *pk = &db->pkgs[p];

	if (pk->arch == db->native_arch)
		return db_s(db, pk->name);
	return pool_fmt(sp, "%s:%s", db_s(db, pk->name), db_s(db, pk->arch));
}

/* The name relation R gives, with its qualifier: "libc6", "python3:any". */
static const char *rel_name(const struct db *db, const struct db_rel *r, struct strpool *sp)
{
	return r->qual ? pool_fmt(sp, "%s:%s", db_s(db, r->name), db_s(db, r->qual)) : db_s(db, r->name);
}

/* The instance relation R of a version of package FROM names, or DB_NONE (none known, or
 * R is qualified ":any": then no instance, apt's NAME:any). */
static uint32_t rel_target(const struct db *db, const struct db_rel *r, uint32_t from)
{
	const char *q = r->qual ? db_s(db, r->qual) : "";
	uint32_t arch = db->pkgs[from].arch;
	const char *want;

	if (q[0] && strcmp(q, "native"))
		return DB_NONE; /* apt's NAME:any, NAME:ARCH: a name of its own, which NAME satisfies */
	want = db_s(db, q[0] ? db->native_arch : arch);
	for (uint32_t p = db_pkg_first(db, db_s(db, r->name), strlen(db_s(db, r->name))); p != DB_NONE; p = db->pkgs[p].next_arch)
		if (!strcmp(db_s(db, db->pkgs[p].arch), want))
			return p;
	return DB_NONE;
}

static uint32_t newest_version(const struct db *db, uint32_t p, int (*cmp)(const char *, const char *))
{
	uint32_t best = db->pkgs[p].vers;

	for (uint32_t v = best; v != DB_NONE; v = db->vers[v].next)
		if (cmp(db_s(db, db->vers[v].version), db_s(db, db->vers[best].version)) > 0)
			best = v;
	return best;
}

/* Whether VERSION satisfies "OP WANT" (OP an index into db_rel_ops). */
static int version_ok(struct daemon *d, const char *version, uint8_t op, const char *want)
{
	int c = d->backend->vercmp(version, want);

	switch (op) {
	case 1: return c < 0;
	case 2: case 6: return c <= 0;
	case 3: return c == 0;
	case 4: case 7: return c >= 0;
	case 5: return c > 0;
	default: return 1;
	}
}

/* apt's pkgPrioSortList: Essential packages last, then by Priority (extra, optional, standard,
 * important, required: apt's numbers, highest first), then by name. */
static int alts_cmp(const void *x, const void *y, void *ctx)
{
	const struct db *alts_db = ctx;
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
	const struct db_pkg *pa = &alts_db->pkgs[alts_db->vers[a].pkg], *pb = &alts_db->pkgs[alts_db->vers[b].pkg];
	int ea = !!(pa->flags & OMG_PKG_ESSENTIAL), eb = !!(pb->flags & OMG_PKG_ESSENTIAL), c;
	unsigned ra = (alts_db->vers[a].flags & DBV_PRIO_MASK) >> DBV_PRIO_SHIFT;
	unsigned rb = (alts_db->vers[b].flags & DBV_PRIO_MASK) >> DBV_PRIO_SHIFT;

	if (ea != eb)
		return ea - eb;
	if (ra != rb)
		return ra < rb ? 1 : -1;
	if ((c = strcmp(db_s(alts_db, pa->name), db_s(alts_db, pb->name))) != 0)
		return c;
	return strcmp(db_s(alts_db, pa->arch), db_s(alts_db, pb->arch));
}

/* The packages apt lists under relation R of a version of FROM (whose target is TARGET,
 * DB_NONE for none): apt's AllTargets (the target's versions that satisfy R, and those that
 * provide its name, a versioned provide for a versioned R), kept where the version is its
 * package's newest and the package is not TARGET (nor FROM, for Conflicts and Breaks); for
 * NAME:any and NAME:ARCH, the package NAME (of that architecture) itself. */
static int rel_alts(struct daemon *d, const struct db_rel *r, uint32_t from, uint32_t target, struct omg_rel *out,
		    struct strpool *sp)
{
	const struct db *db = d->db;
	const char *name = db_s(db, r->name);
	const char *qual = r->qual ? db_s(db, r->qual) : "";
	uint32_t first, count, nv = 0, *vs, any = qual[0] && strcmp(qual, "native") != 0;
	int negative = r->kind == DB_REL_CONFLICTS || r->kind == DB_REL_BREAKS;

	db_providers(db, name, &first, &count);
	if (!(vs = malloc(((size_t)count + 2) * sizeof *vs)))
		return -1;
	if (any)
		for (uint32_t p = db_pkg_first(db, name, strlen(name)); p != DB_NONE; p = db->pkgs[p].next_arch)
			if (!strcmp(db_s(db, db->pkgs[p].arch), strcmp(qual, "any") ? qual : db_s(db, db->native_arch)) &&
			    db->pkgs[p].vers != DB_NONE) {
				uint32_t v = newest_version(db, p, d->backend->vercmp);
				if (!r->op || version_ok(d, db_s(db, db->vers[v].version), r->op, db_s(db, r->version)))
					vs[nv++] = v;
				break;
			}
	for (uint32_t i = first; i < first + count; i++) {
		uint32_t v = db->provs[i].ver, p = db->vers[v].pkg;
		int seen = 0;
		if (p == target || (negative && p == from) || v != newest_version(db, p, d->backend->vercmp) ||
		    (!any && target != DB_NONE && db->pkgs[p].arch != db->pkgs[target].arch))
			continue;
		if (r->op && (!db->provs[i].version ||
			      !version_ok(d, db_s(db, db->provs[i].version), r->op, db_s(db, r->version))))
			continue;
		for (uint32_t j = 0; j < nv && !seen; j++)
			seen = db->vers[vs[j]].pkg == p;
		if (!seen)
			vs[nv++] = v;
	}
	qsort_r(vs, nv, sizeof *vs, alts_cmp, (void *)db);
	if (!(out->alts = calloc((size_t)nv + 1, sizeof *out->alts))) {
		free(vs);
		return -1;
	}
	for (uint32_t i = 0; i < nv; i++)
		out->alts[out->nalts++] = full_name(db, db->vers[vs[i]].pkg, sp);
	free(vs);
	return 0;
}

/* An entry for relation R: its kind and constraint, PACKAGE, FLAGS and (WHY) TARGET. */
static struct omg_rel *rel_entry(const struct db *db, struct omg_rels *m, const struct db_rel *r, const char *package,
				 uint8_t flags, const char *target)
{
	struct omg_rel *e = &m->v[m->count++];

	e->kind = r->kind;
	e->flags = flags;
	e->package = package;
	e->target = target;
	e->op = db_rel_ops[r->op];
	e->version = db_s(db, r->version);
	return e;
}

/* The version apt-cache depends and rdepends show: the candidate, else the installed one. */
static uint32_t cand_or_inst(const struct db_pkg *pk)
{
	return pk->cand != DB_NONE ? pk->cand : pk->inst;
}

static void answer_rels(struct answer *a, struct omg_rels *m, struct strpool *sp, int failed)
{
	if (failed || sp->failed)
		fail(a, OMG_WERR_INTERNAL, "out of memory");
	else
		omg_enc_rels(a->w, m);
	for (uint32_t i = 0; m->v && i < m->count; i++)
		free((void *)m->v[i].alts);
	free(m->v);
	pool_free(sp);
}

static void on_depends(struct daemon *d, const uint8_t *p, uint32_t n, struct answer *a)
{
	struct omg_rels m = { 0 };
	struct strpool sp = { 0 };
	struct omg_query q;
	const struct db *db;
	uint32_t pi, v, first, count;
	int failed = 0;

	if ((pi = package_query(d, OMG_MSG_DEPENDS, p, n, a, &q, db_lookup_any)) == DB_NONE)
		return;
	db = d->db;
	v = cand_or_inst(&db->pkgs[pi]);
	m.name = full_name(db, pi, &sp);
	m.version = v != DB_NONE ? db_s(db, db->vers[v].version) : "";
	m.flags = db->pkgs[pi].flags;
	db_rels_of(db, v, &first, &count);
	if (v != DB_NONE && !(m.v = calloc((size_t)count + 1, sizeof *m.v)))
		failed = 1;
	for (uint32_t i = first; !failed && v != DB_NONE && i < first + count; i++) {
		const struct db_rel *r = &db->rels[i];
		uint32_t t = rel_target(db, r, pi);
		struct omg_rel *e = rel_entry(db, &m, r, t != DB_NONE ? full_name(db, t, &sp) : rel_name(db, r, &sp),
					      (uint8_t)((r->alt ? OMG_REL_OR : 0) |
							(t == DB_NONE || db->pkgs[t].vers == DB_NONE ? OMG_REL_VIRTUAL : 0)), "");
		failed = rel_alts(d, r, pi, t, e, &sp) != 0;
	}
	answer_rels(a, &m, &sp, failed);
}

static void on_rdepends(struct daemon *d, const uint8_t *p, uint32_t n, struct answer *a)
{
	struct omg_rels m = { 0 };
	struct strpool sp = { 0 };
	struct omg_query q;
	const struct db *db;
	uint32_t pi, first, count;
	int failed = 0;

	if ((pi = package_query(d, OMG_MSG_RDEPENDS, p, n, a, &q, db_lookup_any)) == DB_NONE) {
		if (a->error != OMG_WERR_NOT_FOUND || strchr(q.text, ':') ||
		    (db_rels_naming(d->db, q.text, &first, &count), !count) || !retract_not_found(a))
			return; /* else a name only relations know (a virtual package): the relations naming it */
	}
	db = d->db;
	m.name = pi != DB_NONE ? full_name(db, pi, &sp) : q.text;
	if (pi == DB_NONE)
		m.version = "(virtual)"; /* apt lists a virtual package's reverse dependencies */
	else
		m.version = cand_or_inst(&db->pkgs[pi]) != DB_NONE ? db_s(db, db->vers[cand_or_inst(&db->pkgs[pi])].version) : "";
	m.flags = pi != DB_NONE ? db->pkgs[pi].flags : 0;
	db_rels_naming(db, pi != DB_NONE ? db_s(db, db->pkgs[pi].name) : q.text, &first, &count);
	if (!(m.v = calloc((size_t)count + 1, sizeof *m.v)))
		failed = 1;
	for (uint32_t i = first; !failed && i < first + count; i++) {
		const struct db_rel *r = &db->rels[db->rels_by_name[i]];
		uint32_t from = db->vers[r->ver].pkg;
		if (rel_target(db, r, from) != pi || (pi == DB_NONE && r->qual))
			continue;
		failed = rel_alts(d, r, from, pi, rel_entry(db, &m, r, full_name(db, from, &sp), r->alt ? OMG_REL_OR : 0, ""),
				  &sp) != 0;
	}
	answer_rels(a, &m, &sp, failed);
}

/* WHY: the shortest chain of installed packages, each needing the next (Pre-Depends, Depends,
 * Recommends or Suggests of its installed version, by name or through Provides), from a
 * manually installed one down to the package. No entries: manual, or nothing needs it. */
static void on_why(struct daemon *d, const uint8_t *p, uint32_t n, struct answer *a)
{
	struct omg_rels m = { 0 };
	struct strpool sp = { 0 };
	struct omg_query q;
	const struct db *db;
	uint32_t pi, *via = NULL, *up = NULL, *queue = NULL, *prov_head = NULL, *prov_next = NULL;
	uint32_t head = 0, tail = 0, found = DB_NONE;
	int failed = 0;

	if ((pi = package_query(d, OMG_MSG_WHY, p, n, a, &q, db_lookup)) == DB_NONE)
		return;
	db = d->db;
	if (db->pkgs[pi].inst == DB_NONE)
		return fail(a, OMG_WERR_NOT_FOUND, "package '%s' is not installed", q.text);
	m.name = full_name(db, pi, &sp);
	m.version = db_s(db, db->vers[db->pkgs[pi].inst].version);
	m.flags = db->pkgs[pi].flags;
	via = malloc((size_t)db->npkgs * sizeof *via);     /* the relation that reached a package */
	queue = malloc((size_t)db->npkgs * sizeof *queue);
	up = malloc((size_t)db->npkgs * sizeof *up);        /* the package it needs, on the way to PI */
	prov_head = malloc((size_t)db->npkgs * sizeof *prov_head); /* what installed versions provide */
	prov_next = malloc(((size_t)db->nprovs + 1) * sizeof *prov_next);
	if (!via || !queue || !up || !prov_head || !prov_next) {
		failed = 1;
		goto done;
	}
	memset(prov_head, 0xff, (size_t)db->npkgs * sizeof *prov_head);
	for (uint32_t i = db->nprovs; i-- > 0;) { /* one pass, not one per package on the way */
		uint32_t pk = db->vers[db->provs[i].ver].pkg;
		if (db->pkgs[pk].inst == db->provs[i].ver)
			prov_next[i] = prov_head[pk], prov_head[pk] = i;
	}
	memset(via, 0xff, (size_t)db->npkgs * sizeof *via);
	via[pi] = DB_NONE - 1; /* the start */
	queue[tail++] = pi;
	while (head < tail && found == DB_NONE && (db->pkgs[pi].flags & OMG_PKG_AUTO)) {
		uint32_t c = queue[head++];
		/* the names C answers to: its own, then what its installed version provides */
		const char *names[64];
		uint32_t nn = 0;
		names[nn++] = db_s(db, db->pkgs[c].name);
		for (uint32_t i = prov_head[c]; i != DB_NONE && nn < 64; i = prov_next[i])
			names[nn++] = db_s(db, db->provs[i].name);
		for (uint32_t k = 0; k < nn && found == DB_NONE; k++) {
			uint32_t first, count;
			db_rels_naming(db, names[k], &first, &count);
			for (uint32_t i = first; i < first + count && found == DB_NONE; i++) {
				uint32_t ri = db->rels_by_name[i];
				const struct db_rel *r = &db->rels[ri];
				uint32_t from = db->vers[r->ver].pkg;
				if ((r->kind != DB_REL_PRE_DEPENDS && r->kind != DB_REL_DEPENDS && r->kind != DB_REL_RECOMMENDS &&
				     r->kind != DB_REL_SUGGESTS) || db->pkgs[from].inst != r->ver || via[from] != DB_NONE)
					continue;
				if (k == 0 && rel_target(db, r, from) != c && !(r->qual && (!strcmp(db_s(db, r->qual), "any") ||
				    !strcmp(db_s(db, r->qual), db_s(db, db->pkgs[c].arch)))))
					continue;
				via[from] = ri;
				up[from] = c;
				if (!(db->pkgs[from].flags & OMG_PKG_AUTO))
					found = from;
				else
					queue[tail++] = from;
			}
		}
	}
	if (found != DB_NONE) {
		uint32_t len = 0;
		for (uint32_t x = found; x != pi; x = up[x])
			len++;
		if (!(m.v = calloc((size_t)len + 1, sizeof *m.v))) {
			failed = 1;
			goto done;
		}
		for (uint32_t x = found; x != pi; x = up[x]) {
			const struct db_rel *r = &db->rels[via[x]];
			rel_entry(db, &m, r, full_name(db, x, &sp), (db->pkgs[x].flags & OMG_PKG_AUTO) ? OMG_REL_AUTO : 0,
				  rel_name(db, r, &sp));
		}
	}
done:
	free(via);
	free(up);
	free(queue);
	free(prov_head);
	free(prov_next);
	answer_rels(a, &m, &sp, failed);
}

/* SIZES: the installed packages, largest Installed-Size first (then by name), at most LIMIT
 * (0: all that fit one frame). */
static int sizes_cmp(const void *x, const void *y, void *ctx)
{
	const struct db *sizes_db = ctx;
	const struct db_pkg *a = &sizes_db->pkgs[*(const uint32_t *)x], *b = &sizes_db->pkgs[*(const uint32_t *)y];
	uint32_t ka = sizes_db->vers[a->inst].isize, kb = sizes_db->vers[b->inst].isize;
	int c;

	if (ka != kb)
		return ka > kb ? -1 : 1;
	if ((c = strcmp(db_s(sizes_db, a->name), db_s(sizes_db, b->name))) != 0)
		return c;
	return strcmp(db_s(sizes_db, a->arch), db_s(sizes_db, b->arch));
}

static void on_sizes(struct daemon *d, const uint8_t *p, uint32_t n, struct answer *a)
{
	struct omg_query q;
	struct omg_sizes m = { 0 };
	struct strpool sp = { 0 };
	const struct db *db;
	uint32_t *order, limit;

	if (omg_dec_query(p, n, OMG_MSG_SIZES, &q) != OMG_OK)
		return fail(a, OMG_WERR_MALFORMED, "%s", omg_errdetail());
	if (!need_db(d, a))
		return;
	db = d->db;
	if (!(order = malloc(((size_t)db->npkgs + 1) * sizeof *order)))
		return fail(a, OMG_WERR_INTERNAL, "out of memory");
	for (uint32_t i = 0; i < db->npkgs; i++)
		if (in_list(&db->pkgs[i], OMG_LIST_INSTALLED)) {
			order[m.matched++] = i;
			m.total_kib += db->vers[db->pkgs[i].inst].isize;
		}
	qsort_r(order, m.matched, sizeof *order, sizes_cmp, (void *)db);
	limit = q.limit && q.limit < m.matched ? q.limit : m.matched;
	if (limit > OMG_SIZES_MAX)
		limit = OMG_SIZES_MAX; /* one frame: a row is at most ~60 bytes here */
	if (!(m.rows = calloc((size_t)limit + 1, sizeof *m.rows))) {
		free(order);
		return fail(a, OMG_WERR_INTERNAL, "out of memory");
	}
	for (uint32_t i = 0; i < limit; i++) {
		const struct db_pkg *pk = &db->pkgs[order[i]];
		m.rows[m.count++] = (struct omg_size_row){ full_name(db, order[i], &sp), db_s(db, db->vers[pk->inst].version),
							   db->vers[pk->inst].isize, pk->flags };
	}
	if (sp.failed)
		fail(a, OMG_WERR_INTERNAL, "out of memory");
	else
		omg_enc_sizes(a->w, &m);
	free(m.rows);
	free(order);
	pool_free(&sp);
}

/* PROVIDES and SIMILAR: a command name, and an index to answer from. Returns 1 when so. */
static int command_query(struct daemon *d, uint8_t type, const uint8_t *p, uint32_t n, struct answer *a,
			 struct omg_query *q)
{
	if (omg_dec_query(p, n, type, q) != OMG_OK) {
		fail(a, OMG_WERR_MALFORMED, "%s", omg_errdetail());
		return 0;
	}
	if (!q->text[0] || strlen(q->text) > OMG_QUERY_MAX || strchr(q->text, '/')) {
		fail(a, OMG_WERR_INVALID, "a command name: 1 to %d bytes, no '/'", OMG_QUERY_MAX);
		return 0;
	}
	return need_db(d, a);
}

static void on_provides(struct daemon *d, const uint8_t *p, uint32_t n, struct answer *a)
{
	struct omg_query q;
	uint32_t first, count, shown = 0;
	size_t count_at;

	if (!command_query(d, OMG_MSG_PROVIDES, p, n, a, &q))
		return;
	db_cmd_find(d->db, q.text, &first, &count);
	count_at = omg_enc_providers_head(a->w);
	for (uint32_t i = first; i < first + count && shown < OMG_PROVIDES_MAX; i++) {
		const struct db_cmd *c = &d->db->cmds[i];
		struct omg_provider pv = { db_s(d->db, c->package), db_s(d->db, c->path), c->installed };
		int seen = 0;
		/* one entry per package: an installed copy and a Contents entry name the same one */
		for (uint32_t j = first; j < i && !seen; j++)
			seen = !strcmp(db_s(d->db, c->package), db_s(d->db, d->db->cmds[j].package));
		if (seen)
			continue;
		omg_enc_provider(a->w, &pv);
		shown++;
	}
	omg_enc_count(a->w, count_at, shown);
}

/* qsort over db->cmds indexes: installed first, then by command name (stable by index). */
static int similar_cmp(const void *x, const void *y, void *ctx)
{
	const struct db *similar_db = ctx;
	const struct db_cmd *a = &similar_db->cmds[*(const uint32_t *)x], *b = &similar_db->cmds[*(const uint32_t *)y];
	int c;

	if (a->installed != b->installed)
		return a->installed ? -1 : 1;
	if ((c = strcmp(db_s(similar_db, a->name), db_s(similar_db, b->name))) != 0)
		return c;
	return *(const uint32_t *)x < *(const uint32_t *)y ? -1 : 1;
}

static void on_similar(struct daemon *d, const uint8_t *p, uint32_t n, struct answer *a)
{
	struct omg_query q;
	uint32_t found[256], nfound, shown = 0;
	int available;
	size_t count_at;

	if (!command_query(d, OMG_MSG_SIMILAR, p, n, a, &q))
		return;
	nfound = db_cmd_similar(d->db, q.text, found, sizeof found / sizeof found[0], &available);
	qsort_r(found, nfound, sizeof found[0], similar_cmp, (void *)d->db);
	count_at = omg_enc_similar_head(a->w, available ? OMG_SIMILAR_AVAILABLE : 0);
	for (uint32_t i = 0; i < nfound && shown < OMG_SIMILAR_MAX; i++) {
		const struct db_cmd *c = &d->db->cmds[found[i]];
		struct omg_provider pv = { db_s(d->db, c->package), db_s(d->db, c->path), c->installed };
		int seen = 0;
		/* one entry per command and package: an installed copy and a Contents entry */
		for (uint32_t j = 0; j < i && !seen; j++) {
			const struct db_cmd *o = &d->db->cmds[found[j]];
			seen = !strcmp(db_s(d->db, o->name), db_s(d->db, c->name)) && !strcmp(db_s(d->db, o->package), pv.package);
		}
		if (seen)
			continue;
		omg_enc_provider(a->w, &pv);
		shown++;
	}
	omg_enc_count(a->w, count_at, shown);
}

/* FILES and CHANGELOG: an installed package's lines, from the first asked for, a frame's worth */
static void on_lines(struct daemon *d, uint8_t type, const uint8_t *p, uint32_t n, struct answer *a)
{
	int (*read)(const struct db *, const char *, uint32_t, char **, size_t *) =
		type == OMG_MSG_FILES ? d->backend->files : d->backend->changelog;
	struct omg_query q;
	uint32_t pkg, total = 0, count = 0;
	size_t count_at, len;
	char *list = NULL;
	int rc;

	if ((pkg = package_query(d, type, p, n, a, &q, db_lookup)) == DB_NONE)
		return;
	if (!read)
		return fail(a, OMG_WERR_INVALID, "not known on this system");
	if ((rc = read(d->db, d->root, pkg, &list, &len)) != OMG_OK)
		return fail(a, rc == OMG_E_NOTFOUND ? OMG_WERR_NOT_FOUND : OMG_WERR_INTERNAL, "package '%s': %s", q.text,
			    rc == OMG_E_NOTFOUND && !strcmp(omg_errdetail(), "not installed") ? "is not installed" : omg_errdetail());
	for (size_t i = 0; i < len; i++)
		total += list[i] == '\n';
	count_at = omg_enc_files_head(a->w, total);
	/* from the path asked for, as many as fit in one frame: the client asks for the rest */
	for (char *line = list, *end; line < list + len; line = end + 1) {
		end = memchr(line, '\n', (size_t)(list + len - line));
		if (!end)
			break;
		*end = 0;
		if (q.limit) {
			q.limit--;
			continue;
		}
		if (a->w->len + (size_t)(end - line) + 5 > OMG_FRAME_MAX - 64)
			break;
		omg_enc_word(a->w, line);
		count++;
	}
	omg_enc_count(a->w, count_at, count);
	free(list);
}

struct audit_walk {
	struct omg_wbuf *w;
	uint32_t count;
	uint64_t last_seq;
	int full;
};

/* Leaves room under the frame limit: a page ends early and says "more". */
#define AUDIT_PAGE_BYTES (OMG_FRAME_MAX - (64u << 10))

static int audit_put(const struct audit_record *r, void *ctx)
{
	struct audit_walk *aw = ctx;
	struct omg_audit_rec rec = { r->seq, r->time_ns, r->uid, (uint32_t)r->result, r->kind, NULL, r->hash };
	char *what;

	if (aw->w->len + r->what_len + 128 > AUDIT_PAGE_BYTES && aw->count) {
		aw->full = 1;
		return 1;
	}
	/* The stored text has no NUL (omgd writes it); a damaged one is cut at its first NUL. */
	if (!(what = strndup(r->what, r->what_len)))
		return 1;
	rec.what = what;
	omg_enc_audit_rec(aw->w, &rec);
	free(what);
	aw->count++;
	aw->last_seq = r->seq;
	return 0;
}

static void on_audit(struct daemon *d, const uint8_t *p, uint32_t n, struct answer *a)
{
	struct omg_audit_query q;
	struct omg_audit_msg m = { .store = "", .why = "" };
	struct audit_verdict v;
	struct audit_walk aw = { .w = a->w };
	struct audit *log = d->audit;
	char problem[512] = "";
	size_t count_at;
	int more = 0;

	if (omg_dec_audit_query(p, n, &q) != OMG_OK)
		return fail(a, OMG_WERR_MALFORMED, "%s", omg_errdetail());
	if (q.since > UINT64_MAX / 1000000000u)
		return fail(a, OMG_WERR_INVALID, "since: out of range");
	if (d->store_problem)
		d->store_problem(d->store_ctx, problem, sizeof problem);
	m.store = log ? problem : problem[0] ? problem : "omgd runs without a store (--no-store)";
	if (log && (q.flags & OMG_AUDIT_VERIFY)) {
		if (audit_verify(log, &v) != OMG_OK)
			return fail(a, OMG_WERR_INTERNAL, "%s", omg_errdetail());
		m.verdict = v.ok ? OMG_AUDIT_INTACT : OMG_AUDIT_BROKEN;
		m.checked = v.records;
		m.bad_seq = v.bad_seq;
		m.why = v.why;
		m.head_seq = v.head_seq;
		m.head = v.head;
	}
	count_at = omg_enc_audit_head(a->w, &m);
	if (log && audit_read(log, q.after_seq, q.since * 1000000000u,
			      q.limit ? (q.limit > OMG_LIMIT_MAX ? OMG_LIMIT_MAX : q.limit) : OMG_AUDIT_LIMIT_DEFAULT,
			      audit_put, &aw, &more) != OMG_OK)
		return fail(a, OMG_WERR_INTERNAL, "%s", omg_errdetail());
	omg_enc_audit_end(a->w, count_at, (uint8_t)(more || aw.full), aw.count);
}

static void on_metrics(struct daemon *d, struct answer *a)
{
	static const struct server_stats none;
	const struct metrics *m = &d->m;
	const struct server_stats *net = d->net ? d->net : &none;
	size_t count_at = omg_enc_metrics_head(a->w);
	uint32_t count = 0;

#define M(k, v) (omg_enc_metric(a->w, (k), (uint64_t)(v)), count++)
	M("requests", m->requests);
	M("errors", m->errors + net->rejected); /* refused frames are the server's to count */
	M("connections_open", net->open);
	M("connections_total", net->connections_total);
	M("connections_refused", net->connections_refused);
	M("connections_dropped", net->connections_dropped);
	M("bytes_in", net->bytes_in);
	M("bytes_out", net->bytes_out);
	M("rebuilds", m->rebuilds);
	M("rebuild_failures", m->rebuild_failures);
	M("watch_events", m->watch_events);
	M("generation", d->generation);
	{
		uint64_t made, ns, cached, ahead;
		plan_timing(d->planner, &made, &ns, &cached, &ahead);
		M("plans_made", made);         /* by apt-get -s, for a client */
		M("plans_cached", cached);     /* answered from memory (the same index) */
		M("plans_ahead", ahead);       /* upgrade plans made before anyone asked */
		M("plans_pending", plan_pending(d->planner)); /* queued or being made */
		{
			uint64_t runs, vns;
			int vpending;
			struct verify_summary vs;
			verify_timing(d->verifier, &runs, &vns, &vpending);
			verify_summary(d->verifier, &vs);
			M("verify_runs", runs);
			M("verify_pending", vpending);
			if (runs)
				M("verify_ns_avg", vns / runs);
			M("verify_modified", vs.modified);
			M("verify_untrusted", vs.untrusted);
		}
		if (made)
			M("plan_ns_avg", ns / made);
	}
	for (uint8_t t = OMG_MSG_HELLO; t <= OMG_MSG_CHANGELOG; t++) {
		char name[48];
		snprintf(name, sizeof name, "%s_ns_avg", omg_msg_name(t));
		for (char *c = name; *c; c++)
			*c = (char)(*c >= 'A' && *c <= 'Z' ? *c + 32 : *c);
		uint64_t n = m->handled[t], ns = m->handled_ns[t];
		/* AUR answers come later, from the worker: the AUR module times them */
#ifdef OMG_WITH_AUR
		if (t == OMG_MSG_AUR_SEARCH || t == OMG_MSG_AUR_INFO)
			aur_timing(d->aur, t, &n, &ns);
#endif
		if (n)
			M(name, ns / n);
	}
	if (d->db) {
		M("index_packages", d->db->npkgs);
		M("index_versions", d->db->nvers);
		M("index_bytes", snapshot_size(d->db)); /* every array of the index, as it is stored */
		M("index_build_us", d->db->build_ms * 1000);
		M("malformed_paragraphs", d->db->malformed);
		M("index_commands", d->db->ncmds);
		M("damaged_lists", d->db->damaged_lists);
		M("ignored_lists", d->db->ignored_lists);
	}
#undef M
	/* then the host's package metrics under their Prometheus names (hostmetrics.h) */
	count += hostmetrics_put(d, a->w);
	omg_enc_count(a->w, count_at, count);
}

/* Writes the answer payload for one request; BATCH items come back here (no nesting). */
/* ACTED: the record of an action a client ran, for the audit log (written by the build
 * thread after the changes it saw, builder_note). Its uid is the peer's, not what the
 * client says. */
static void on_acted(struct daemon *d, const uint8_t *p, uint32_t n, struct answer *a)
{
	struct omg_acted m;
	char *text;
	size_t len;
	int head;

	if (omg_dec_acted(p, n, &m) != OMG_OK)
		return fail(a, OMG_WERR_MALFORMED, "%s", omg_errdetail());
	if ((len = strlen(m.what)) > OMG_ACTED_MAX || m.action > OMG_ACT__MAX)
		return fail(a, OMG_WERR_INVALID, "an action record of at most %u bytes, of a known action", OMG_ACTED_MAX);
	if (!d->note || !d->audit)
		return fail(a, OMG_WERR_NOT_FOUND, "omgd has no audit log (see omg status)");
	/* when it ran leads the record: omg history links the changes seen since to it */
	if (!(text = malloc(len + 64)))
		return fail(a, OMG_WERR_INTERNAL, "out of memory");
	head = snprintf(text, 64, "started: %llu\n", (unsigned long long)m.started_ns);
	memcpy(text + head, m.what, len);
	d->note(d->builder_ctx, AUDIT_ACTION, d->peer_uid, m.result, text, (size_t)head + len);
	free(text);
}

/* The system daemon's peer rule: NULL when the peer may make request TYPE (PAYLOAD), else
 * why not. Every uid may read what apt and dpkg let it read; what would write the audit
 * log, run a check on the peer's behalf, read the audit log (other users' actions and the
 * findings on files they may not read) or make omgd open a file the peer names (a .deb
 * path, opened as root) stays with root. A dry-run plan of packages is a read: any user
 * may run apt-get -s. Stopping or rebuilding is by signal, which the kernel keeps to root. */
static const char *dispatch_denied(const struct daemon *d, uint8_t type, const uint8_t *p, uint32_t n)
{
	struct omg_plan_req q;
	const char *why = NULL;

	if (!d->system || d->peer_uid == 0 || d->peer_uid == (uint32_t)getuid())
		return NULL;
	switch (type) {
	case OMG_MSG_ACTED:
		return "the system omgd keeps root's actions only in its audit log (start your own omgd to have "
		       "yours recorded)";
	case OMG_MSG_VERIFY:
		return "the system omgd verifies for root only (omg audit verify as root, or sudo)";
	case OMG_MSG_AUDIT:
		return "the system omgd's audit log is for root only (sudo omg audit log)";
	case OMG_MSG_PLAN:
		if (omg_dec_plan_req(p, n, &q) != OMG_OK)
			return NULL; /* the planner refuses it as malformed */
		for (uint32_t i = 0; i < q.count && !why; i++)
			if (q.names[i][0] == '/')
				why = "the system omgd plans a package file for root only: it would read it as root";
		omg_plan_req_free(&q);
		return why;
	default:
		return NULL;
	}
}

static void answer_one(struct daemon *d, uint8_t type, const uint8_t *p, uint32_t n, struct answer *a, int nested)
{
	const char *denied = dispatch_denied(d, type, p, n);

	if (denied)
		return fail(a, OMG_WERR_DENIED, "%s", denied);
	switch (type) {
	case OMG_MSG_HELLO:
		if (nested)
			return fail(a, OMG_WERR_INVALID, "HELLO cannot be batched");
		return on_hello(d, p, n, a);
	case OMG_MSG_PING:
	case OMG_MSG_STATUS:
	case OMG_MSG_METRICS:
		if (n != 0)
			return fail(a, OMG_WERR_MALFORMED, "this request has an empty payload");
		if (type == OMG_MSG_STATUS)
			on_status(d, a);
		else if (type == OMG_MSG_METRICS)
			on_metrics(d, a);
		return;
	case OMG_MSG_SEARCH:
	case OMG_MSG_SUGGEST:
		return on_search(d, type, p, n, a);
	case OMG_MSG_INFO:
		return on_info(d, p, n, a);
	case OMG_MSG_LIST:
		return on_list(d, p, n, a);
	case OMG_MSG_PROVIDES:
		return on_provides(d, p, n, a);
	case OMG_MSG_SIMILAR:
		return on_similar(d, p, n, a);
	case OMG_MSG_FILES:
	case OMG_MSG_CHANGELOG:
		return on_lines(d, type, p, n, a);
	case OMG_MSG_VERSIONS:
		return on_versions(d, p, n, a);
	case OMG_MSG_DEPENDS:
		return on_depends(d, p, n, a);
	case OMG_MSG_RDEPENDS:
		return on_rdepends(d, p, n, a);
	case OMG_MSG_WHY:
		return on_why(d, p, n, a);
	case OMG_MSG_SIZES:
		return on_sizes(d, p, n, a);
	case OMG_MSG_AUDIT:
		return on_audit(d, p, n, a);
	case OMG_MSG_HISTORY:
		a->error = dispatch_history(d, p, n, a->w, a->message, sizeof a->message);
		return;
	case OMG_MSG_OWNS:
		a->error = dispatch_owns(d, p, n, a->w, a->message, sizeof a->message);
		return;
	case OMG_MSG_BATCH:
		return fail(a, OMG_WERR_INVALID, "batches cannot be nested");
	case OMG_MSG_AUR_SEARCH:
	case OMG_MSG_AUR_INFO:
		return fail(a, OMG_WERR_INVALID, "AUR requests cannot be batched");
	case OMG_MSG_PLAN:
		return fail(a, OMG_WERR_INVALID, "PLAN requests cannot be batched");
	case OMG_MSG_ACTED:
		if (nested)
			return fail(a, OMG_WERR_INVALID, "ACTED cannot be batched");
		return on_acted(d, p, n, a);
	default:
		return fail(a, OMG_WERR_UNKNOWN_TYPE, "unknown request type");
	}
}

/* A BATCH is answered over several rounds of the event loop, a slice of items at a time, so
 * that one connection's hundred searches do not make every other client wait for all of them.
 * Its answer is built here and handed over whole: nothing of it is sent before it is done. */
struct dispatch_job {
	uint32_t id;
	uint32_t next;               /* the next item to answer */
	uint64_t generation;         /* the index the answer is from */
	uint64_t ns;                 /* daemon time spent on it */
	int restarted;               /* the index was replaced under it once already */
	struct omg_wbuf w;           /* the answer frame so far */
	struct omg_batch batch;      /* its items point into payload */
	uint8_t payload[];
};

#define DISPATCH_SLICE_NS 2000000 /* work for one connection in one round (at least one item) */

/* Starts the answer again: the index it began from was replaced (one batch, one index). */
static void job_restart(struct daemon *d, struct dispatch_job *job)
{
	omg_wbuf_reset(&job->w);
	omg_frame_begin(&job->w, OMG_MSG_BATCH | OMG_MSG_ANSWER, job->id);
	omg_enc_batch_head(&job->w, job->batch.count);
	job->next = 0;
	job->generation = d->generation;
}

/* Answers items for up to one slice. Returns 1 when the answer is complete (or refused) in
 * JOB->w, else 0. */
static int job_step(struct daemon *d, struct dispatch_job *job, struct answer *a)
{
	struct omg_wbuf item = { 0 };
	uint64_t t0 = mono_now_ns();
	int whole = 0;

	if (job->generation != d->generation) {
		/* Started again from the new index; if that happens a second time (dpkg at work
		 * rebuilds every few hundred ms), the rest is answered at once, so that the batch
		 * ends, still from one index. */
		whole = job->restarted++ > 0;
		job_restart(d, job);
	}
	do {
		const struct omg_batch_item *it = &job->batch.items[job->next++];
		struct answer sub = { .w = &item };

		omg_wbuf_reset(&item);
		answer_one(d, it->type, it->payload, it->length, &sub, 1);
		if (sub.error) {
			omg_wbuf_reset(&item);
			omg_enc_error(&item, sub.error, sub.message);
			d->m.errors++;
		}
		if (item.failed) {
			omg_wbuf_reset(&item);
			omg_enc_error(&item, OMG_WERR_TOO_LARGE, "answer too large");
			sub.error = 1;
		}
		omg_enc_batch_item(&job->w, sub.error ? OMG_MSG_ERROR : (uint8_t)(it->type | OMG_MSG_ANSWER),
				   item.data, (uint32_t)item.len);
		/* Past the frame limit the whole answer is refused: the remaining items would be
		 * work for nothing while every other client waits. */
		if (job->w.len > OMG_HEADER_SIZE + OMG_FRAME_MAX) {
			fail(a, OMG_WERR_TOO_LARGE, "batch answer exceeds the frame limit: ask for fewer or smaller items");
			break;
		}
	} while (job->next < job->batch.count && (whole || mono_now_ns() - t0 < DISPATCH_SLICE_NS));
	omg_wbuf_free(&item);
	job->ns += mono_now_ns() - t0;
	return a->error || job->next == job->batch.count;
}

void dispatch_job_free(struct dispatch_job *job)
{
	if (!job)
		return;
	omg_wbuf_free(&job->w);
	free(job);
}

size_t dispatch_job_bytes(const struct dispatch_job *job)
{
	return job ? job->w.cap : 0;
}

/* Replaces whatever OUT holds from START on with an ERROR frame for request ID. */
static void answer_error(struct daemon *d, struct omg_wbuf *out, size_t start, uint32_t id, const struct answer *a)
{
	omg_wbuf_rewind(out, start);
	d->m.errors++;
	omg_frame_error(out, id, a->error, "%s", a->message);
}

/* Ends JOB's answer into OUT (empty) and frees JOB. */
static void job_finish(struct daemon *d, struct dispatch_job *job, struct answer *a, struct omg_wbuf *out)
{
	if (!a->error && omg_frame_end(&job->w, OMG_FRAME_MAX) != OMG_OK)
		fail(a, OMG_WERR_TOO_LARGE, "batch answer exceeds the frame limit: ask for fewer or smaller items");
	if (a->error) {
		answer_error(d, out, out->len, job->id, a);
	} else {
		omg_wbuf_free(out);
		*out = job->w;
		job->w = (struct omg_wbuf){ 0 };
		d->m.handled[OMG_MSG_BATCH]++;
		d->m.handled_ns[OMG_MSG_BATCH] += job->ns;
	}
	dispatch_job_free(job);
}

int dispatch_continue(struct daemon *d, struct dispatch_job *job, struct omg_wbuf *out)
{
	struct answer a = { .w = &job->w };

	if (!job_step(d, job, &a))
		return 2;
	job_finish(d, job, &a, out);
	return 0;
}

static int start_batch(struct daemon *d, uint32_t id, const uint8_t *p, uint32_t n, struct omg_wbuf *out,
		       struct dispatch_job **jobp)
{
	struct dispatch_job *job = malloc(sizeof *job + n);
	struct answer a = { .w = out };

	if (!job) {
		fail(&a, OMG_WERR_INTERNAL, "out of memory");
		answer_error(d, out, out->len, id, &a);
		return 0;
	}
	memcpy(job->payload, p, n);
	if (omg_dec_batch(job->payload, n, &job->batch) != OMG_OK) {
		free(job);
		fail(&a, OMG_WERR_MALFORMED, "%s", omg_errdetail());
		answer_error(d, out, out->len, id, &a);
		return 0;
	}
	job->id = id;
	job->ns = 0;
	job->restarted = 0;
	job->w = (struct omg_wbuf){ 0 };
	job_restart(d, job);
	if (dispatch_continue(d, job, out) == 0)
		return 0; /* a small batch: answered at once */
	*jobp = job;
	return 2;
}

int dispatch_request(struct daemon *d, uint8_t type, uint32_t id, const uint8_t *payload,
		     uint32_t length, struct omg_wbuf *out, uint64_t origin, struct dispatch_job **job)
{
	size_t start = out->len;
	struct answer a = { .w = out };
	uint64_t t0 = mono_now_ns();
	const char *denied;

	d->m.requests++;
	if ((type == OMG_MSG_PLAN || type == OMG_MSG_VERIFY) && (denied = dispatch_denied(d, type, payload, length))) {
		omg_frame_error(out, id, OMG_WERR_DENIED, "%s", denied);
		return 0;
	}
	if (type == OMG_MSG_AUR_SEARCH || type == OMG_MSG_AUR_INFO) {
		d->m.handled[type]++;
#ifdef OMG_WITH_AUR
		const char *why = "omgd runs with --no-aur";
		if (d->aur)
			return aur_request(d->aur, origin, type, id, payload, length, out);
#else
		const char *why = OMG_AUR_BUILT_OUT;
#endif
		aur_answer_unavailable(out, type, id, strcmp(d->backend->name, "alpm") ? OMG_AUR_NOT_ARCH : why);
		return 0;
	}
	if (type == OMG_MSG_PLAN) {
		d->m.handled[type]++;
		if (!d->planner) {
			omg_frame_error(out, id, OMG_WERR_INTERNAL, "omgd could not start its planner (see its log)");
			return 0;
		}
		return plan_request(d->planner, d->db, d->backend, d->generation, origin, id, payload, length, out);
	}
	if (type == OMG_MSG_VERIFY) {
		d->m.handled[type]++;
		if (!d->verifier) {
			omg_frame_error(out, id, OMG_WERR_INTERNAL, "omgd could not start its verification worker (see its log)");
			return 0;
		}
		return verify_request(d->verifier, origin, id, payload, length, out);
	}
	if (type == OMG_MSG_BATCH)
		return start_batch(d, id, payload, length, out, job);
	omg_frame_begin(out, (uint8_t)(type | OMG_MSG_ANSWER), id);
	answer_one(d, type, payload, length, &a, 0);
	if (!a.error && omg_frame_end(out, OMG_FRAME_MAX) == OMG_OK) {
		if (type < 32) {
			d->m.handled[type]++;
			d->m.handled_ns[type] += mono_now_ns() - t0;
		}
		return 0;
	}
	if (!a.error)
		fail(&a, OMG_WERR_TOO_LARGE, type == OMG_MSG_INFO
			? "the package's record is larger than the %u MiB frame limit"
			: "answer exceeds the %u MiB frame limit: lower the limit", OMG_FRAME_MAX >> 20);
	answer_error(d, out, start, id, &a);
	return 0;
}
