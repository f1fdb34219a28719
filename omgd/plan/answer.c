/* answer.c — a finished plan completed from the index and encoded (on the event loop):
 * each entry's package found, its flags (asked for, essential, held, security, automatic),
 * the bytes to download and the installed size it changes, from the version's record as apt
 * computes "Need to get" and "After this operation". */
#include "config.h"
#include "internal.h"
#include "omg_error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The instance an entry means: NAME:ARCH, else NAME (native first). */
static uint32_t entry_pkg(const struct db *db, const struct aptsim_op *o)
{
	char spec[600];
	uint32_t p;

	if (o->arch[0] && strcmp(o->arch, "all") != 0) {
		snprintf(spec, sizeof spec, "%s:%s", o->name, o->arch);
		if ((p = db_lookup_any(db, spec)) != DB_NONE)
			return p;
	}
	return db_lookup_any(db, o->name);
}

static uint32_t find_version(const struct db *db, uint32_t p, const char *version)
{
	for (uint32_t v = db->pkgs[p].vers; v != DB_NONE; v = db->vers[v].next)
		if (!strcmp(db_s(db, db->vers[v].version), version))
			return v;
	return DB_NONE;
}

/* A number field of a record ("Size: 123"), or 0. */
static uint64_t record_number(const struct record *r, const char *field)
{
	const char *v = record_get(r, field);

	return v ? strtoull(v, NULL, 10) : 0;
}

/* Whether apt's archive cache holds the .deb already, whole (apt then does not fetch it). */
static int in_archive_cache(const char *root, const char *name, const char *version, const char *arch, uint64_t size)
{
	char path[5000], ver[300];
	struct stat st;
	size_t k = 0;

	/* apt's file name: NAME_VERSION_ARCH.deb, the epoch's ':' as %3a */
	for (const char *c = version; *c && k + 4 < sizeof ver; c++) {
		if (*c == ':') {
			memcpy(ver + k, "%3a", 3);
			k += 3;
		} else
			ver[k++] = *c;
	}
	ver[k] = 0;
	snprintf(path, sizeof path, "%s/var/cache/apt/archives/%s_%s_%s.deb", strcmp(root, "/") ? root : "", name, ver, arch);
	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && (uint64_t)st.st_size == size && size > 0;
}

/* Whether apt uses VER's .deb where it is (a file: source) instead of fetching it. */
static int in_place(const struct db *db, uint32_t ver)
{
	uint32_t src = db->vers[ver].archive;
	const char *desc;

	if (src == DB_NONE || src >= db->nsrcs)
		return 0;
	desc = db_s(db, db->srcs[src].desc ? db->srcs[src].desc : db->srcs[src].path);
	return !strncmp(desc, "file:", 5);
}

/* Whether the entry NAME ARCH (from RELEASE) is one the request named: NAME, NAME:ARCH (an
 * "all" package under any architecture, as apt takes it), or a .deb's path (apt says
 * "local-deb" for the packages of the files it was given). */
static int requested(const struct plan_job *job, const char *name, const char *arch, const char *release)
{
	size_t n = strlen(name);

	for (uint32_t i = 0; i < job->nnames; i++) {
		const char *q = job->names[i];
		if (q[0] == '/' && !strcmp(release, "local-deb"))
			return 1;
		if (strncmp(q, name, n) != 0)
			continue;
		if (!q[n] || q[n] == '=' || q[n] == '/')
			return 1;
		if (q[n] == ':' && (!strncmp(q + n + 1, arch, strlen(arch)) || !strncmp(q + n + 1, "any", 3) ||
				    !strcmp(arch, "all")))
			return 1;
	}
	return 0;
}

void plan_answer(const struct planner *p, const struct plan_job *job, const struct db *db,
		 const struct backend *backend, uint64_t generation, struct omg_wbuf *w)
{
	struct omg_plan m = { .action = job->action, .root = p->root, .tool = p->alpm ? "libalpm" : "apt-get",
			      .generation = generation };
	struct omg_plan_entry *v = NULL;

	m.planned_ns = job->ran_ns;
	if (!job->ran) {
		m.status = OMG_PLAN_UNAVAILABLE;
		m.problem = job->problem;
		omg_enc_plan(w, &m);
		return;
	}
	m.problem = job->sim.problem;
	m.status = job->exit_status == 0 && !job->sim.problem[0] ? OMG_PLAN_OK : OMG_PLAN_PROBLEM;
	if (m.status == OMG_PLAN_PROBLEM && !m.problem[0])
		m.problem = p->alpm ? "libalpm refused and said nothing more" : "apt-get -s failed and said nothing more";
	m.kept = job->sim.kept;
	m.nkept = job->sim.nkept;
	m.autoremovable = job->sim.autoremovable;
	m.nautoremovable = job->sim.nautoremovable;
	m.notes = job->sim.notes;
	m.nnotes = job->sim.nnotes;
	if (job->sim.nops && !(v = calloc(job->sim.nops, sizeof *v))) {
		m.status = OMG_PLAN_UNAVAILABLE;
		m.problem = "out of memory";
		m.nkept = m.nautoremovable = m.nnotes = 0;
		omg_enc_plan(w, &m);
		return;
	}
	for (uint32_t i = 0; i < job->sim.nops; i++) {
		const struct aptsim_op *o = &job->sim.ops[i];
		struct omg_plan_entry *e = &v[m.count++];
		uint32_t pk = db ? entry_pkg(db, o) : DB_NONE, tv = DB_NONE;
		uint64_t isize_to = 0, isize_from = 0;

		*e = (struct omg_plan_entry){ .op = o->op, .name = o->name, .arch = o->arch, .from = o->from,
					      .to = o->to, .release = o->release };
		if (pk != DB_NONE) {
			const struct db_pkg *P = &db->pkgs[pk];
			if (!e->arch[0])
				e->arch = db_s(db, P->arch);
			if (P->flags & DB_PKG_ESSENTIAL)
				e->flags |= OMG_PLAN_ESSENTIAL;
			if (P->flags & DB_PKG_HELD)
				e->flags |= OMG_PLAN_HELD;
			if (P->flags & DB_PKG_FOREIGN)
				e->flags |= OMG_PLAN_FOREIGN;
			if (P->inst != DB_NONE)
				isize_from = db->vers[P->inst].isize;
			/* sized: libalpm's own figures (its records in the index hold no sizes in bytes) */
			if (!o->sized && e->to[0] && (tv = find_version(db, pk, e->to)) != DB_NONE) {
				struct record rec;
				if (db->vers[tv].flags & DBV_SECURITY)
					e->flags |= OMG_PLAN_SECURITY;
				if (backend->record(db, tv, &rec) == OMG_OK) {
					e->download = record_number(&rec, "Size");
					isize_to = record_number(&rec, "Installed-Size");
				}
				record_free(&rec);
				if (e->download && (in_place(db, tv) ||
						    in_archive_cache(p->root, e->name, e->to, e->arch, e->download)))
					e->download = 0;
			}
		}
		if (o->asked || requested(job, e->name, e->arch, e->release) ||
		    (job->action == OMG_ACT_AUTOREMOVE && (e->op == OMG_OP_REMOVE || e->op == OMG_OP_PURGE)))
			e->flags |= OMG_PLAN_REQUESTED;
		else if (e->op == OMG_OP_INSTALL)
			e->flags |= OMG_PLAN_AUTO;
		if (o->sized) {
			e->download = o->download;
			e->disk_kib = o->disk_kib;
		} else {
			e->disk_kib = e->op == OMG_OP_REMOVE || e->op == OMG_OP_PURGE ? -(int64_t)isize_from
				    : (int64_t)isize_to - (int64_t)isize_from;
		}
		m.download += e->download;
		m.disk_kib += e->disk_kib;
	}
	m.v = v;
	omg_enc_plan(w, &m);
	free(v);
}
