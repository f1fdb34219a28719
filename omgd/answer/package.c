/* package.c — INFO and VERSIONS (answer.h): one package, its record and its versions. INFO
 * reads the record from its package list or database, and VERSIONS with records one per
 * version: the only reads of files on the event loop among the answers from the index. */
#include "config.h"
#include "answer.h"
#include "omg_error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

void answer_info(struct daemon *d, const uint8_t *p, uint32_t n, struct answer *a)
{
	const struct db_pkg *pk;
	const struct db_src *src;
	struct omg_query q;
	struct record record = { 0 };
	char archive[512] = "", pin[600];
	size_t count_at;
	uint32_t count = 0, pi, show;

	if ((pi = answer_package_query(d, OMG_MSG_INFO, p, n, a, &q, db_lookup)) == DB_NONE)
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
	/* the record's own fields, minus those already given above */
	if (show != DB_NONE && d->backend->record(d->db, show, &record) == OMG_OK)
		for (uint32_t i = 0; i < record.nfields; i++) {
			const struct record_field *f = &record.fields[i];
			if (strcmp(f->name, "Package") && strcmp(f->name, "Architecture") && strcmp(f->name, "Status"))
				KV(f->name, f->value);
		}
#undef KV
	record_free(&record);
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

void answer_versions(struct daemon *d, const uint8_t *p, uint32_t n, struct answer *a)
{
	const struct db *db;
	const struct db_pkg *pk;
	struct omg_versions m = { 0 };
	struct omg_query q;
	uint32_t pi, nv = 0, *order = NULL, status_src = DB_NONE;
	struct record *records = NULL;
	size_t record_bytes = 0;

	if ((pi = answer_package_query(d, OMG_MSG_VERSIONS, p, n, a, &q, db_lookup_any)) == DB_NONE) {
		uint32_t first, count, rfirst, rcount;
		/* A virtual package (its providers), or a name only relations name: apt knows
		 * both, with no versions ("Candidate: (none)", "not a real package"). */
		if (a->error == OMG_WERR_NOT_FOUND) {
			db_providers(d->db, q.text, &first, &count);
			db_rels_naming(d->db, q.text, &rfirst, &rcount);
		}
		/* cppcheck-suppress legacyUninitvar ; count and rcount are read only when set above */
		if (a->error != OMG_WERR_NOT_FOUND || (!count && !rcount) || !answer_retract_not_found(a))
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
		answer_fail(a, OMG_WERR_INTERNAL, "out of memory");
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
			answer_fail(a, OMG_WERR_INTERNAL, "out of memory");
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
			if (rc == OMG_OK && records[i].text && record_bytes + records[i].len <= VERSIONS_RECORD_BYTES) {
				out->record = records[i].text;
				record_bytes += records[i].len;
			}
		}
	}
	if (!providers_of(db, m.name, &m)) {
		answer_fail(a, OMG_WERR_INTERNAL, "out of memory");
		goto done;
	}
	omg_enc_versions(a->w, &m);
done:
	for (uint32_t i = 0; records && i < nv; i++)
		record_free(&records[i]);
	free(records);
	free(order);
	omg_versions_free(&m);
}
