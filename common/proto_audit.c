/* proto_audit.c — AUDIT (proto.h): the audit log's query and its pages. */
#include "config.h"
#include "proto.h"
#include "omg_error.h"

#include <stdlib.h>
#include <string.h>

void omg_enc_audit_query(struct omg_wbuf *w, const struct omg_audit_query *q)
{
	omg_put_u64(w, q->after_seq);
	omg_put_u64(w, q->since);
	omg_put_u32(w, q->limit);
	omg_put_u32(w, q->flags);
}

int omg_dec_audit_query(const void *p, size_t n, struct omg_audit_query *q)
{
	struct omg_rbuf r;

	omg_rbuf_init(&r, p, n);
	q->after_seq = omg_get_u64(&r);
	q->since = omg_get_u64(&r);
	q->limit = omg_get_u32(&r);
	q->flags = omg_get_u32(&r);
	return omg_rbuf_done(&r);
}

size_t omg_enc_audit_head(struct omg_wbuf *w, const struct omg_audit_msg *m)
{
	static const uint8_t zero[OMG_AUDIT_HASH_SIZE];
	size_t at;

	omg_put_str(w, m->store);
	omg_put_u8(w, m->verdict);
	omg_put_u64(w, m->checked);
	omg_put_u64(w, m->bad_seq);
	omg_put_str(w, m->why);
	omg_put_u64(w, m->head_seq);
	omg_put_bytes(w, m->head ? m->head : zero, OMG_AUDIT_HASH_SIZE);
	omg_put_u8(w, m->more);
	at = w->len;
	omg_put_u32(w, m->count);
	return at;
}

void omg_enc_audit_rec(struct omg_wbuf *w, const struct omg_audit_rec *r)
{
	omg_put_u64(w, r->seq);
	omg_put_u64(w, r->time_ns);
	omg_put_u32(w, r->uid);
	omg_put_u32(w, r->result);
	omg_put_u8(w, r->kind);
	omg_put_str(w, r->what);
	omg_put_bytes(w, r->hash, OMG_AUDIT_HASH_SIZE);
}

void omg_enc_audit_end(struct omg_wbuf *w, size_t at, uint8_t more, uint32_t count)
{
	if (!w->failed && at >= 1 && at + 4 <= w->len)
		w->data[at - 1] = more; /* "more" sits just before the count */
	omg_enc_count(w, at, count);
}

int omg_dec_audit(const void *p, size_t n, struct omg_audit_msg *m)
{
	struct omg_rbuf r;
	int rc;

	omg_rbuf_init(&r, p, n);
	memset(m, 0, sizeof *m);
	m->store = omg_get_str(&r);
	m->verdict = omg_get_u8(&r);
	m->checked = omg_get_u64(&r);
	m->bad_seq = omg_get_u64(&r);
	m->why = omg_get_str(&r);
	m->head_seq = omg_get_u64(&r);
	m->head = omg_get_bytes(&r, OMG_AUDIT_HASH_SIZE);
	m->more = omg_get_u8(&r);
	m->count = omg_get_u32(&r);
	/* each record: 8 + 8 + 4 + 4 + 1 + (4 + 1) + 32 bytes at least */
	if (!omg_count_fits(&r, m->count, 62))
		return omg_rbuf_done(&r);
	m->recs = calloc(m->count ? m->count : 1, sizeof *m->recs);
	if (!m->recs)
		return OMG_ERROR(OMG_E_NOMEM, "decoding %u audit records", m->count);
	for (uint32_t i = 0; i < m->count; i++) {
		struct omg_audit_rec *a = &m->recs[i];
		a->seq = omg_get_u64(&r);
		a->time_ns = omg_get_u64(&r);
		a->uid = omg_get_u32(&r);
		a->result = omg_get_u32(&r);
		a->kind = omg_get_u8(&r);
		a->what = omg_get_str(&r);
		a->hash = omg_get_bytes(&r, OMG_AUDIT_HASH_SIZE);
	}
	if ((rc = omg_rbuf_done(&r)) != OMG_OK)
		omg_audit_free(m);
	return rc;
}

void omg_audit_free(struct omg_audit_msg *m)
{
	free(m->recs);
	m->recs = NULL;
	m->count = 0;
}
