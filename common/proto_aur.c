/* proto_aur.c — AUR_SEARCH and AUR_INFO answers (proto.h): a head, then rows or pairs. */
#include "config.h"
#include "proto.h"
#include "omg_error.h"

#include <stdlib.h>
#include <string.h>

void omg_enc_aur_head(struct omg_wbuf *w, uint8_t status, const char *problem, uint8_t cached)
{
	omg_put_u8(w, status);
	omg_put_str(w, problem);
	omg_put_u8(w, cached);
}

int omg_enc_aur_cached(struct omg_wbuf *w, const void *payload, size_t n)
{
	struct omg_rbuf r;
	uint8_t status;
	const char *problem;

	omg_rbuf_init(&r, payload, n);
	status = omg_get_u8(&r);
	problem = omg_get_str(&r);
	omg_get_u8(&r);
	if (r.failed)
		return OMG_ERROR(OMG_E_PROTO, "AUR answer");
	omg_enc_aur_head(w, status, problem, 1);
	omg_put_bytes(w, (const uint8_t *)payload + r.pos, n - r.pos);
	return OMG_OK;
}

int omg_dec_aur(const void *p, size_t n, uint8_t type, struct omg_aur_msg *m)
{
	struct omg_rbuf r;
	const uint8_t *rest;

	omg_rbuf_init(&r, p, n);
	memset(m, 0, sizeof *m);
	m->status = omg_get_u8(&r);
	m->problem = omg_get_str(&r);
	m->cached = omg_get_u8(&r);
	if (r.failed || m->status > OMG_AUR_MISSING)
		return OMG_ERROR(OMG_E_PROTO, "AUR answer");
	if (m->status != OMG_AUR_OK) /* nothing follows */
		return omg_rbuf_done(&r);
	rest = (const uint8_t *)p + r.pos;
	if ((type & ~OMG_MSG_ANSWER) == OMG_MSG_AUR_SEARCH)
		return omg_dec_rows(rest, n - r.pos, &m->rows);
	return omg_dec_pairs(rest, n - r.pos, OMG_MSG_INFO, &m->info);
}

void omg_aur_free(struct omg_aur_msg *m)
{
	omg_rows_free(&m->rows);
	omg_pairs_free(&m->info);
}
