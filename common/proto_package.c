/* proto_package.c — VERSIONS, DEPENDS/RDEPENDS/WHY and SIZES (proto.h): one package's versions and
 * relations, the installed sizes. */
#include "config.h"
#include "proto.h"
#include "omg_error.h"

#include <stdlib.h>
#include <string.h>

void omg_enc_versions(struct omg_wbuf *w, const struct omg_versions *m)
{
	omg_put_u32(w, m->flags);
	omg_put_str(w, m->name);
	omg_put_str(w, m->arch);
	omg_put_u32(w, m->installed);
	omg_put_u32(w, m->candidate);
	omg_put_u32(w, m->count);
	for (uint32_t i = 0; i < m->count; i++) {
		const struct omg_version *v = &m->v[i];
		omg_put_str(w, v->version);
		omg_put_u32(w, (uint32_t)v->prio);
		omg_put_u32(w, v->flags);
		omg_put_u32(w, v->nfiles);
		for (uint32_t j = 0; j < v->nfiles; j++) {
			omg_put_u32(w, (uint32_t)v->files[j].prio);
			omg_put_str(w, v->files[j].desc);
		}
		omg_put_str(w, v->record);
	}
	omg_put_u32(w, m->nproviders);
	for (uint32_t i = 0; i < m->nproviders; i++) {
		omg_put_str(w, m->providers[i].name);
		omg_put_str(w, m->providers[i].arch);
		omg_put_str(w, m->providers[i].version);
		omg_put_u32(w, m->providers[i].flags);
		omg_put_u32(w, m->providers[i].installed);
	}
}

void omg_versions_free(struct omg_versions *m)
{
	for (uint32_t i = 0; m->v && i < m->count; i++)
		free(m->v[i].files);
	free(m->v);
	free(m->providers);
	m->v = NULL;
	m->providers = NULL;
	m->count = m->nproviders = 0;
}

int omg_dec_versions(const void *p, size_t n, struct omg_versions *m)
{
	struct omg_rbuf r;
	int rc;

	omg_rbuf_init(&r, p, n);
	memset(m, 0, sizeof *m);
	m->flags = omg_get_u32(&r);
	m->name = omg_get_str(&r);
	m->arch = omg_get_str(&r);
	m->installed = omg_get_u32(&r);
	m->candidate = omg_get_u32(&r);
	m->count = omg_get_u32(&r);
	/* a version is at least 22 bytes: its string (5), three u32 and an empty record (5) */
	if (!omg_count_fits(&r, m->count, 22))
		return omg_rbuf_done(&r);
	if ((m->installed != OMG_VERSION_NONE && m->installed >= m->count) ||
	    (m->candidate != OMG_VERSION_NONE && m->candidate >= m->count))
		return OMG_ERROR(OMG_E_PROTO, "VERSIONS: version index out of range");
	if (!(m->v = calloc(m->count ? m->count : 1, sizeof *m->v)))
		return OMG_ERROR(OMG_E_NOMEM, "decoding %u versions", m->count);
	for (uint32_t i = 0; i < m->count && !r.failed; i++) {
		struct omg_version *v = &m->v[i];
		v->version = omg_get_str(&r);
		v->prio = (int32_t)omg_get_u32(&r);
		v->flags = omg_get_u32(&r);
		v->nfiles = omg_get_u32(&r);
		if (!omg_count_fits(&r, v->nfiles, 9)) {
			v->nfiles = 0;
			break;
		}
		if (!(v->files = calloc(v->nfiles ? v->nfiles : 1, sizeof *v->files))) {
			v->nfiles = 0;
			omg_versions_free(m);
			return OMG_ERROR(OMG_E_NOMEM, "decoding versions");
		}
		for (uint32_t j = 0; j < v->nfiles; j++) {
			v->files[j].prio = (int32_t)omg_get_u32(&r);
			v->files[j].desc = omg_get_str(&r);
		}
		v->record = omg_get_str(&r);
	}
	m->nproviders = omg_get_u32(&r);
	/* a provider is at least 23 bytes: three strings (5 each) and two u32 */
	if (omg_count_fits(&r, m->nproviders, 23)) {
		if (!(m->providers = calloc(m->nproviders ? m->nproviders : 1, sizeof *m->providers))) {
			m->nproviders = 0;
			omg_versions_free(m);
			return OMG_ERROR(OMG_E_NOMEM, "decoding providers");
		}
		for (uint32_t i = 0; i < m->nproviders; i++) {
			m->providers[i].name = omg_get_str(&r);
			m->providers[i].arch = omg_get_str(&r);
			m->providers[i].version = omg_get_str(&r);
			m->providers[i].flags = omg_get_u32(&r);
			m->providers[i].installed = omg_get_u32(&r);
		}
	} else
		m->nproviders = 0;
	if ((rc = omg_rbuf_done(&r)) != OMG_OK)
		omg_versions_free(m);
	return rc;
}

void omg_enc_rels(struct omg_wbuf *w, const struct omg_rels *m)
{
	omg_put_str(w, m->name);
	omg_put_str(w, m->version);
	omg_put_u32(w, m->flags);
	omg_put_u32(w, m->count);
	for (uint32_t i = 0; i < m->count; i++) {
		const struct omg_rel *r = &m->v[i];
		omg_put_u8(w, r->kind);
		omg_put_u8(w, r->flags);
		omg_put_str(w, r->package);
		omg_put_str(w, r->target);
		omg_put_str(w, r->op);
		omg_put_str(w, r->version);
		omg_put_u32(w, r->nalts);
		for (uint32_t j = 0; j < r->nalts; j++)
			omg_put_str(w, r->alts[j]);
	}
}

void omg_enc_sizes(struct omg_wbuf *w, const struct omg_sizes *m)
{
	omg_put_u64(w, m->total_kib);
	omg_put_u32(w, m->matched);
	omg_put_u32(w, m->count);
	for (uint32_t i = 0; i < m->count; i++) {
		omg_put_str(w, m->rows[i].name);
		omg_put_str(w, m->rows[i].version);
		omg_put_u32(w, m->rows[i].kib);
		omg_put_u32(w, m->rows[i].flags);
	}
}

void omg_sizes_free(struct omg_sizes *m)
{
	free(m->rows);
	m->rows = NULL;
	m->count = 0;
}

int omg_dec_sizes(const void *p, size_t n, struct omg_sizes *m)
{
	struct omg_rbuf r;
	int rc;

	omg_rbuf_init(&r, p, n);
	memset(m, 0, sizeof *m);
	m->total_kib = omg_get_u64(&r);
	m->matched = omg_get_u32(&r);
	m->count = omg_get_u32(&r);
	/* a row is at least 18 bytes: two strings (5 each) and two u32 */
	if (!omg_count_fits(&r, m->count, 18))
		return omg_rbuf_done(&r);
	if (!(m->rows = calloc(m->count ? m->count : 1, sizeof *m->rows)))
		return OMG_ERROR(OMG_E_NOMEM, "decoding %u rows", m->count);
	for (uint32_t i = 0; i < m->count; i++) {
		m->rows[i].name = omg_get_str(&r);
		m->rows[i].version = omg_get_str(&r);
		m->rows[i].kib = omg_get_u32(&r);
		m->rows[i].flags = omg_get_u32(&r);
	}
	if ((rc = omg_rbuf_done(&r)) != OMG_OK)
		omg_sizes_free(m);
	return rc;
}

void omg_rels_free(struct omg_rels *m)
{
	for (uint32_t i = 0; m->v && i < m->count; i++)
		free((void *)m->v[i].alts);
	free(m->v);
	m->v = NULL;
	m->count = 0;
}

int omg_dec_rels(const void *p, size_t n, struct omg_rels *m)
{
	struct omg_rbuf r;
	int rc;

	omg_rbuf_init(&r, p, n);
	memset(m, 0, sizeof *m);
	m->name = omg_get_str(&r);
	m->version = omg_get_str(&r);
	m->flags = omg_get_u32(&r);
	m->count = omg_get_u32(&r);
	/* an entry is at least 26 bytes: two u8, four strings (5 each) and a u32 */
	if (!omg_count_fits(&r, m->count, 26))
		return omg_rbuf_done(&r);
	if (!(m->v = calloc(m->count ? m->count : 1, sizeof *m->v)))
		return OMG_ERROR(OMG_E_NOMEM, "decoding %u relations", m->count);
	for (uint32_t i = 0; i < m->count && !r.failed; i++) {
		struct omg_rel *e = &m->v[i];
		e->kind = omg_get_u8(&r);
		e->flags = omg_get_u8(&r);
		e->package = omg_get_str(&r);
		e->target = omg_get_str(&r);
		e->op = omg_get_str(&r);
		e->version = omg_get_str(&r);
		e->nalts = omg_get_u32(&r);
		if (e->kind > OMG_REL_KIND_MAX)
			r.failed = 1;
		if (!omg_count_fits(&r, e->nalts, 5)) {
			e->nalts = 0;
			break;
		}
		if (!(e->alts = calloc(e->nalts ? e->nalts : 1, sizeof *e->alts))) {
			e->nalts = 0;
			omg_rels_free(m);
			return OMG_ERROR(OMG_E_NOMEM, "decoding relations");
		}
		for (uint32_t j = 0; j < e->nalts; j++)
			e->alts[j] = omg_get_str(&r);
	}
	if ((rc = omg_rbuf_done(&r)) != OMG_OK)
		omg_rels_free(m);
	return rc;
}
