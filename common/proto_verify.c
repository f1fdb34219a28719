/* proto_verify.c — VERIFY: what omgd's verification found (the archive chain, the installed
 * files). Layouts in proto.h and docs/protocol.md. */
#include "config.h"
#include "proto.h"
#include "omg_error.h"

#include <stdlib.h>
#include <string.h>

void omg_enc_verify_req(struct omg_wbuf *w, const struct omg_verify_req *m)
{
	omg_put_u32(w, m->flags);
	omg_put_u32(w, m->first);
	omg_put_u32(w, m->count);
	for (uint32_t i = 0; i < m->count; i++)
		omg_put_str(w, m->names[i]);
}

void omg_verify_req_free(struct omg_verify_req *m)
{
	free(m->names);
	m->names = NULL;
	m->count = 0;
}

int omg_dec_verify_req(const void *p, size_t n, struct omg_verify_req *m)
{
	struct omg_rbuf r;
	int rc;

	omg_rbuf_init(&r, p, n);
	memset(m, 0, sizeof *m);
	m->flags = omg_get_u32(&r);
	m->first = omg_get_u32(&r);
	m->count = omg_get_count(&r, 5);
	if (m->count > OMG_VERIFY_NAMES_MAX)
		return OMG_ERROR(OMG_E_TOOBIG, "more than %d packages", OMG_VERIFY_NAMES_MAX);
	if (!(m->names = calloc(m->count ? m->count : 1, sizeof *m->names)))
		return OMG_ERROR(OMG_E_NOMEM, "decoding %u names", m->count);
	for (uint32_t i = 0; i < m->count; i++)
		m->names[i] = omg_get_str(&r);
	if ((rc = omg_rbuf_done(&r)) != OMG_OK)
		omg_verify_req_free(m);
	return rc;
}

size_t omg_enc_verify_head(struct omg_wbuf *w, const struct omg_verify *m)
{
	omg_put_u64(w, m->started_ns);
	omg_put_u64(w, m->took_ns);
	omg_put_u32(w, m->flags);
	omg_put_str(w, m->checker);
	omg_put_u32(w, m->nsrc);
	for (uint32_t i = 0; i < m->nsrc; i++) {
		const struct omg_verify_source *s = &m->src[i];
		omg_put_str(w, s->desc);
		omg_put_str(w, s->release);
		omg_put_u8(w, s->verdict);
		omg_put_u8(w, s->dates);
		omg_put_str(w, s->checker);
		omg_put_str(w, s->signer);
		omg_put_str(w, s->detail);
		omg_put_u64(w, (uint64_t)s->date);
		omg_put_u64(w, (uint64_t)s->valid_until);
		omg_put_u32(w, s->lists);
		omg_put_u32(w, s->lists_bad);
		omg_put_u32(w, s->lists_unchecked);
	}
	omg_put_u32(w, m->debs);
	omg_put_u32(w, m->debs_bad);
	omg_put_u32(w, m->debs_unknown);
	omg_put_u32(w, m->packages);
	omg_put_u32(w, m->files);
	omg_put_u32(w, m->hashed);
	omg_put_u32(w, m->cached);
	omg_put_u32(w, m->unsummed);
	omg_put_u64(w, m->bytes);
	omg_put_u32(w, m->total);
	omg_put_u32(w, m->first);
	omg_put_u32(w, 0);
	return w->len - 4;
}

void omg_enc_finding(struct omg_wbuf *w, const struct omg_finding *f)
{
	omg_put_u8(w, f->kind);
	omg_put_str(w, f->package);
	omg_put_str(w, f->path);
	omg_put_str(w, f->detail);
}

void omg_verify_free(struct omg_verify *m)
{
	free(m->src);
	free(m->find);
	m->src = NULL;
	m->find = NULL;
	m->nsrc = m->count = 0;
}

int omg_dec_verify(const void *p, size_t n, struct omg_verify *m)
{
	struct omg_rbuf r;
	int rc;

	omg_rbuf_init(&r, p, n);
	memset(m, 0, sizeof *m);
	m->started_ns = omg_get_u64(&r);
	m->took_ns = omg_get_u64(&r);
	m->flags = omg_get_u32(&r);
	m->checker = omg_get_str(&r);
	m->nsrc = omg_get_count(&r, 4 * 5 + 2 + 16 + 12);
	if (!(m->src = calloc(m->nsrc ? m->nsrc : 1, sizeof *m->src)))
		return OMG_ERROR(OMG_E_NOMEM, "decoding %u sources", m->nsrc);
	for (uint32_t i = 0; i < m->nsrc; i++) {
		struct omg_verify_source *s = &m->src[i];
		s->desc = omg_get_str(&r);
		s->release = omg_get_str(&r);
		s->verdict = omg_get_u8(&r);
		s->dates = omg_get_u8(&r);
		s->checker = omg_get_str(&r);
		s->signer = omg_get_str(&r);
		s->detail = omg_get_str(&r);
		s->date = (int64_t)omg_get_u64(&r);
		s->valid_until = (int64_t)omg_get_u64(&r);
		s->lists = omg_get_u32(&r);
		s->lists_bad = omg_get_u32(&r);
		s->lists_unchecked = omg_get_u32(&r);
	}
	m->debs = omg_get_u32(&r);
	m->debs_bad = omg_get_u32(&r);
	m->debs_unknown = omg_get_u32(&r);
	m->packages = omg_get_u32(&r);
	m->files = omg_get_u32(&r);
	m->hashed = omg_get_u32(&r);
	m->cached = omg_get_u32(&r);
	m->unsummed = omg_get_u32(&r);
	m->bytes = omg_get_u64(&r);
	m->total = omg_get_u32(&r);
	m->first = omg_get_u32(&r);
	m->count = omg_get_count(&r, 1 + 3 * 4);
	if (!(m->find = calloc(m->count ? m->count : 1, sizeof *m->find))) {
		omg_verify_free(m);
		return OMG_ERROR(OMG_E_NOMEM, "decoding %u findings", m->count);
	}
	for (uint32_t i = 0; i < m->count; i++) {
		struct omg_finding *f = &m->find[i];
		f->kind = omg_get_u8(&r);
		f->package = omg_get_str(&r);
		f->path = omg_get_str(&r);
		f->detail = omg_get_str(&r);
	}
	if ((rc = omg_rbuf_done(&r)) != OMG_OK)
		omg_verify_free(m);
	return rc;
}

const char *omg_finding_name(uint8_t kind)
{
	static const char *const names[OMG_FIND__COUNT] = {
		[OMG_FIND_MISSING] = "missing",
		[OMG_FIND_CHANGED] = "changed",
		[OMG_FIND_CHANGED_CONFIG] = "changed config",
		[OMG_FIND_UNREADABLE] = "unreadable",
		[OMG_FIND_REPLACED] = "replaced",
		[OMG_FIND_LIST_CHANGED] = "list changed",
		[OMG_FIND_LIST_UNLISTED] = "list not signed",
		[OMG_FIND_LIST_UNREADABLE] = "list unreadable",
		[OMG_FIND_DEB_CHANGED] = "cached package changed",
		[OMG_FIND_DEB_UNREADABLE] = "cached package unreadable",
		[OMG_FIND_SOURCE] = "source not trusted",
		[OMG_FIND_ALTERED] = "altered",
		[OMG_FIND_NOT_INSTALLED] = "not installed",
	};

	return kind < OMG_FIND__COUNT && names[kind] ? names[kind] : "?";
}
