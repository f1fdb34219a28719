/* relations.c — DEPENDS, RDEPENDS and WHY (answer.h): the relations index, as apt-cache depends
 * and rdepends show it, and the chain that keeps an installed package. */
#include "config.h"
#include "answer.h"
#include "omg_error.h"

#include <stdlib.h>
#include <string.h>

/* The name relation R gives, with its qualifier: "libc6", "python3:any". */
static const char *rel_name(const struct db *db, const struct db_rel *r, struct strpool *sp)
{
	return r->qual ? strpool_fmt(sp, "%s:%s", db_s(db, r->name), db_s(db, r->qual)) : db_s(db, r->name);
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
		out->alts[out->nalts++] = answer_full_name(db, db->vers[vs[i]].pkg, sp);
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
		answer_fail(a, OMG_WERR_INTERNAL, "out of memory");
	else
		omg_enc_rels(a->w, m);
	for (uint32_t i = 0; m->v && i < m->count; i++)
		free((void *)m->v[i].alts);
	free(m->v);
	strpool_free(sp);
}

void answer_depends(struct daemon *d, const uint8_t *p, uint32_t n, struct answer *a)
{
	struct omg_rels m = { 0 };
	struct strpool sp = { 0 };
	struct omg_query q;
	const struct db *db;
	uint32_t pi, v, first, count;
	int failed = 0;

	if ((pi = answer_package_query(d, OMG_MSG_DEPENDS, p, n, a, &q, db_lookup_any)) == DB_NONE)
		return;
	db = d->db;
	v = cand_or_inst(&db->pkgs[pi]);
	m.name = answer_full_name(db, pi, &sp);
	m.version = v != DB_NONE ? db_s(db, db->vers[v].version) : "";
	m.flags = db->pkgs[pi].flags;
	db_rels_of(db, v, &first, &count);
	if (v != DB_NONE && !(m.v = calloc((size_t)count + 1, sizeof *m.v)))
		failed = 1;
	for (uint32_t i = first; !failed && v != DB_NONE && i < first + count; i++) {
		const struct db_rel *r = &db->rels[i];
		uint32_t t = rel_target(db, r, pi);
		struct omg_rel *e = rel_entry(db, &m, r, t != DB_NONE ? answer_full_name(db, t, &sp) : rel_name(db, r, &sp),
					      (uint8_t)((r->alt ? OMG_REL_OR : 0) |
							(t == DB_NONE || db->pkgs[t].vers == DB_NONE ? OMG_REL_VIRTUAL : 0)), "");
		failed = rel_alts(d, r, pi, t, e, &sp) != 0;
	}
	answer_rels(a, &m, &sp, failed);
}

void answer_rdepends(struct daemon *d, const uint8_t *p, uint32_t n, struct answer *a)
{
	struct omg_rels m = { 0 };
	struct strpool sp = { 0 };
	struct omg_query q;
	const struct db *db;
	uint32_t pi, first, count;
	int failed = 0;

	if ((pi = answer_package_query(d, OMG_MSG_RDEPENDS, p, n, a, &q, db_lookup_any)) == DB_NONE) {
		if (a->error != OMG_WERR_NOT_FOUND || strchr(q.text, ':') ||
		    (db_rels_naming(d->db, q.text, &first, &count), !count) || !answer_retract_not_found(a))
			return; /* else a name only relations know (a virtual package): the relations naming it */
	}
	db = d->db;
	m.name = pi != DB_NONE ? answer_full_name(db, pi, &sp) : q.text;
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
		failed = rel_alts(d, r, from, pi, rel_entry(db, &m, r, answer_full_name(db, from, &sp), r->alt ? OMG_REL_OR : 0, ""),
				  &sp) != 0;
	}
	answer_rels(a, &m, &sp, failed);
}

/* WHY: the shortest chain of installed packages, each needing the next (Pre-Depends, Depends,
 * Recommends or Suggests of its installed version, by name or through Provides), from a
 * manually installed one down to the package. No entries: manual, or nothing needs it. */
void answer_why(struct daemon *d, const uint8_t *p, uint32_t n, struct answer *a)
{
	struct omg_rels m = { 0 };
	struct strpool sp = { 0 };
	struct omg_query q;
	const struct db *db;
	uint32_t pi, *via = NULL, *up = NULL, *queue = NULL, *prov_head = NULL, *prov_next = NULL;
	uint32_t head = 0, tail = 0, found = DB_NONE;
	int failed = 0;

	if ((pi = answer_package_query(d, OMG_MSG_WHY, p, n, a, &q, db_lookup)) == DB_NONE)
		return;
	db = d->db;
	if (db->pkgs[pi].inst == DB_NONE)
		return answer_fail(a, OMG_WERR_NOT_FOUND, "package '%s' is not installed", q.text);
	m.name = answer_full_name(db, pi, &sp);
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
			rel_entry(db, &m, r, answer_full_name(db, x, &sp), (db->pkgs[x].flags & OMG_PKG_AUTO) ? OMG_REL_AUTO : 0,
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
