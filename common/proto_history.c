/* proto_history.c — HISTORY's request and answer (proto.h, docs/protocol.md). */
#include "config.h"
#include "proto.h"
#include "omg_error.h"

#include <stdlib.h>
#include <string.h>

void omg_enc_history_query(struct omg_wbuf *w, const struct omg_history_query *q)
{
	omg_put_u64(w, q->since);
	omg_put_u32(w, q->skip);
	omg_put_u32(w, q->limit);
}

int omg_dec_history_query(const void *p, size_t n, struct omg_history_query *q)
{
	struct omg_rbuf r;

	omg_rbuf_init(&r, p, n);
	q->since = omg_get_u64(&r);
	q->skip = omg_get_u32(&r);
	q->limit = omg_get_u32(&r);
	return omg_rbuf_done(&r);
}

size_t omg_enc_history_head(struct omg_wbuf *w, const char *problem, uint32_t total)
{
	size_t at;

	omg_put_str(w, problem);
	omg_put_u32(w, total);
	omg_put_u8(w, 0);
	at = w->len;
	omg_put_u32(w, 0);
	return at;
}

void omg_enc_hist_entry(struct omg_wbuf *w, const struct omg_hist_entry *e)
{
	omg_put_u8(w, e->source);
	omg_put_u64(w, e->start);
	omg_put_u64(w, e->end);
	omg_put_str(w, e->commandline);
	omg_put_str(w, e->requested_by);
	omg_put_u32(w, e->uid);
	omg_put_str(w, e->error);
	omg_put_u64(w, e->action_seq);
	omg_put_u32(w, e->action_uid);
	omg_put_u32(w, (uint32_t)e->action_result);
	omg_put_str(w, e->action_command);
	omg_put_u32(w, e->naudit);
	for (uint32_t i = 0; i < e->naudit; i++)
		omg_put_u64(w, e->audit[i]);
	omg_put_u32(w, e->count);
	for (uint32_t i = 0; i < e->count; i++) {
		const struct omg_hist_change *c = &e->changes[i];
		omg_put_u8(w, c->op);
		omg_put_u8(w, c->flags);
		omg_put_str(w, c->name);
		omg_put_str(w, c->arch);
		omg_put_str(w, c->from);
		omg_put_str(w, c->to);
	}
}

void omg_enc_history_end(struct omg_wbuf *w, size_t at, uint8_t more, uint32_t count)
{
	if (!w->failed && at >= 1 && at + 4 <= w->len)
		w->data[at - 1] = more; /* "more" sits just before the count */
	omg_enc_count(w, at, count);
}

void omg_history_free(struct omg_history *m)
{
	for (uint32_t i = 0; m->v && i < m->count; i++) {
		free(m->v[i].changes);
		free((void *)m->v[i].audit);
	}
	free(m->v);
	m->v = NULL;
	m->count = 0;
}

static int dec_entry(struct omg_rbuf *r, struct omg_hist_entry *e)
{
	uint64_t *audit;

	e->source = omg_get_u8(r);
	e->start = omg_get_u64(r);
	e->end = omg_get_u64(r);
	e->commandline = omg_get_str(r);
	e->requested_by = omg_get_str(r);
	e->uid = omg_get_u32(r);
	e->error = omg_get_str(r);
	e->action_seq = omg_get_u64(r);
	e->action_uid = omg_get_u32(r);
	e->action_result = (int32_t)omg_get_u32(r);
	e->action_command = omg_get_str(r);
	e->naudit = omg_get_count(r, 8);
	if (r->failed)
		return OMG_E_PROTO;
	if (!(audit = calloc(e->naudit ? e->naudit : 1, sizeof *audit)))
		return OMG_ERROR(OMG_E_NOMEM, "decoding history");
	for (uint32_t i = 0; i < e->naudit; i++)
		audit[i] = omg_get_u64(r);
	e->audit = audit;
	/* each change: 2 bytes, then four strings of at least 5 bytes */
	e->count = omg_get_count(r, 22);
	if (r->failed)
		return OMG_E_PROTO;
	if (!(e->changes = calloc(e->count ? e->count : 1, sizeof *e->changes)))
		return OMG_ERROR(OMG_E_NOMEM, "decoding history");
	for (uint32_t i = 0; i < e->count; i++) {
		struct omg_hist_change *c = &e->changes[i];
		c->op = omg_get_u8(r);
		c->flags = omg_get_u8(r);
		c->name = omg_get_str(r);
		c->arch = omg_get_str(r);
		c->from = omg_get_str(r);
		c->to = omg_get_str(r);
	}
	return r->failed ? OMG_E_PROTO : OMG_OK;
}

int omg_dec_history(const void *p, size_t n, struct omg_history *m)
{
	struct omg_rbuf r;
	int rc = OMG_OK;

	omg_rbuf_init(&r, p, n);
	memset(m, 0, sizeof *m);
	m->problem = omg_get_str(&r);
	m->total = omg_get_u32(&r);
	m->more = omg_get_u8(&r);
	/* each entry at least: 1 + 8 + 8 + 5 + 5 + 4 + 5 + 8 + 4 + 4 + 5 + 4 + 4 bytes */
	m->count = omg_get_count(&r, 65);
	if (r.failed)
		return OMG_ERROR(OMG_E_PROTO, "malformed HISTORY answer");
	if (!(m->v = calloc(m->count ? m->count : 1, sizeof *m->v)))
		return OMG_ERROR(OMG_E_NOMEM, "decoding history");
	for (uint32_t i = 0; i < m->count && rc == OMG_OK; i++)
		rc = dec_entry(&r, &m->v[i]);
	if (rc == OMG_OK && (rc = omg_rbuf_done(&r)) != OMG_OK)
		rc = OMG_ERROR(OMG_E_PROTO, "malformed HISTORY answer");
	if (rc != OMG_OK)
		omg_history_free(m);
	return rc;
}
