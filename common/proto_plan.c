/* proto_plan.c — the messages of package actions: PLAN (what an action would do) and ACTED
 * (the record of one that ran). Layouts in proto.h and docs/protocol.md. */
#include "config.h"
#include "proto.h"
#include "omg_error.h"

#include <stdlib.h>
#include <string.h>

void omg_enc_plan_req(struct omg_wbuf *w, const struct omg_plan_req *m)
{
	omg_put_u8(w, m->action);
	omg_put_u32(w, m->flags);
	omg_put_u32(w, m->count);
	for (uint32_t i = 0; i < m->count; i++)
		omg_put_str(w, m->names[i]);
}

void omg_plan_req_free(struct omg_plan_req *m)
{
	free(m->names);
	m->names = NULL;
	m->count = 0;
}

int omg_dec_plan_req(const void *p, size_t n, struct omg_plan_req *m)
{
	struct omg_rbuf r;
	int rc;

	omg_rbuf_init(&r, p, n);
	memset(m, 0, sizeof *m);
	m->action = omg_get_u8(&r);
	m->flags = omg_get_u32(&r);
	m->count = omg_get_count(&r, 5);
	if (!(m->names = calloc(m->count ? m->count : 1, sizeof *m->names)))
		return OMG_ERROR(OMG_E_NOMEM, "decoding %u names", m->count);
	for (uint32_t i = 0; i < m->count; i++)
		m->names[i] = omg_get_str(&r);
	if ((rc = omg_rbuf_done(&r)) != OMG_OK)
		omg_plan_req_free(m);
	return rc;
}

static void put_strs(struct omg_wbuf *w, uint32_t n, const char *const *v)
{
	omg_put_u32(w, n);
	for (uint32_t i = 0; i < n; i++)
		omg_put_str(w, v[i]);
}

void omg_enc_plan(struct omg_wbuf *w, const struct omg_plan *m)
{
	omg_put_u8(w, m->status);
	omg_put_u8(w, m->action);
	omg_put_str(w, m->problem);
	omg_put_str(w, m->root);
	omg_put_str(w, m->tool);
	omg_put_u64(w, m->download);
	omg_put_u64(w, (uint64_t)m->disk_kib);
	omg_put_u64(w, m->planned_ns);
	omg_put_u64(w, m->generation);
	omg_put_u32(w, m->count);
	for (uint32_t i = 0; i < m->count; i++) {
		const struct omg_plan_entry *e = &m->v[i];
		omg_put_u8(w, e->op);
		omg_put_u32(w, e->flags);
		omg_put_str(w, e->name);
		omg_put_str(w, e->arch);
		omg_put_str(w, e->from);
		omg_put_str(w, e->to);
		omg_put_str(w, e->release);
		omg_put_u64(w, e->download);
		omg_put_u64(w, (uint64_t)e->disk_kib);
	}
	omg_put_u32(w, m->nunknown);
	for (uint32_t i = 0; i < m->nunknown; i++) {
		omg_put_str(w, m->unknown[i].name);
		put_strs(w, m->unknown[i].count, m->unknown[i].suggestions);
	}
	put_strs(w, m->nkept, m->kept);
	put_strs(w, m->nautoremovable, m->autoremovable);
	put_strs(w, m->nnotes, m->notes);
}

void omg_plan_free(struct omg_plan *m)
{
	for (uint32_t i = 0; m->unknown && i < m->nunknown; i++)
		free(m->unknown[i].suggestions);
	free(m->v);
	free(m->unknown);
	free(m->kept);
	free(m->autoremovable);
	free(m->notes);
	memset(m, 0, sizeof *m);
}

/* A string list: *N and a malloc'd array pointing into the payload. */
static int get_strs(struct omg_rbuf *r, uint32_t *n, const char ***v)
{
	*n = omg_get_count(r, 5);
	if (!(*v = calloc(*n ? *n : 1, sizeof **v)))
		return OMG_ERROR(OMG_E_NOMEM, "decoding %u strings", *n);
	for (uint32_t i = 0; i < *n; i++)
		(*v)[i] = omg_get_str(r);
	return OMG_OK;
}

int omg_dec_plan(const void *p, size_t n, struct omg_plan *m)
{
	struct omg_rbuf r;
	int rc = OMG_OK;

	omg_rbuf_init(&r, p, n);
	memset(m, 0, sizeof *m);
	m->status = omg_get_u8(&r);
	m->action = omg_get_u8(&r);
	m->problem = omg_get_str(&r);
	m->root = omg_get_str(&r);
	m->tool = omg_get_str(&r);
	m->download = omg_get_u64(&r);
	m->disk_kib = (int64_t)omg_get_u64(&r);
	m->planned_ns = omg_get_u64(&r);
	m->generation = omg_get_u64(&r);
	/* an entry is at least 1 + 4 + 5 strings of 5 bytes + 16 */
	m->count = omg_get_count(&r, 46);
	if (!(m->v = calloc(m->count ? m->count : 1, sizeof *m->v))) {
		rc = OMG_ERROR(OMG_E_NOMEM, "decoding %u plan entries", m->count);
		goto fail;
	}
	for (uint32_t i = 0; i < m->count; i++) {
		struct omg_plan_entry *e = &m->v[i];
		e->op = omg_get_u8(&r);
		e->flags = omg_get_u32(&r);
		e->name = omg_get_str(&r);
		e->arch = omg_get_str(&r);
		e->from = omg_get_str(&r);
		e->to = omg_get_str(&r);
		e->release = omg_get_str(&r);
		e->download = omg_get_u64(&r);
		e->disk_kib = (int64_t)omg_get_u64(&r);
	}
	m->nunknown = omg_get_count(&r, 9);
	if (!(m->unknown = calloc(m->nunknown ? m->nunknown : 1, sizeof *m->unknown))) {
		m->nunknown = 0;
		rc = OMG_ERROR(OMG_E_NOMEM, "decoding unknown names");
		goto fail;
	}
	for (uint32_t i = 0; i < m->nunknown; i++) {
		m->unknown[i].name = omg_get_str(&r);
		if ((rc = get_strs(&r, &m->unknown[i].count, &m->unknown[i].suggestions)) != OMG_OK) {
			m->nunknown = i;
			goto fail;
		}
	}
	if ((rc = get_strs(&r, &m->nkept, &m->kept)) != OMG_OK ||
	    (rc = get_strs(&r, &m->nautoremovable, &m->autoremovable)) != OMG_OK ||
	    (rc = get_strs(&r, &m->nnotes, &m->notes)) != OMG_OK)
		goto fail;
	if ((rc = omg_rbuf_done(&r)) == OMG_OK)
		return OMG_OK;
fail:
	omg_plan_free(m);
	return rc;
}

void omg_enc_acted(struct omg_wbuf *w, const struct omg_acted *m)
{
	omg_put_u8(w, m->action);
	omg_put_u32(w, (uint32_t)m->result);
	omg_put_u64(w, m->started_ns);
	omg_put_u64(w, m->ended_ns);
	omg_put_str(w, m->what);
}

int omg_dec_acted(const void *p, size_t n, struct omg_acted *m)
{
	struct omg_rbuf r;

	omg_rbuf_init(&r, p, n);
	memset(m, 0, sizeof *m);
	m->action = omg_get_u8(&r);
	m->result = (int32_t)omg_get_u32(&r);
	m->started_ns = omg_get_u64(&r);
	m->ended_ns = omg_get_u64(&r);
	m->what = omg_get_str(&r);
	return omg_rbuf_done(&r);
}

const char *omg_action_name(uint8_t action)
{
	static const char *const names[] = {
		[OMG_ACT_INSTALL] = "install", [OMG_ACT_REMOVE] = "remove", [OMG_ACT_PURGE] = "purge",
		[OMG_ACT_UPGRADE] = "upgrade", [OMG_ACT_FULL_UPGRADE] = "full-upgrade",
		[OMG_ACT_AUTOREMOVE] = "autoremove", [OMG_ACT_REINSTALL] = "reinstall", [OMG_ACT_UPDATE] = "update",
		[OMG_ACT_HOLD] = "hold", [OMG_ACT_UNHOLD] = "unhold", [OMG_ACT_MARK_AUTO] = "mark auto",
		[OMG_ACT_MARK_MANUAL] = "mark manual",
	};

	return action < sizeof names / sizeof names[0] && names[action] ? names[action] : "?";
}

const char *omg_op_name(uint8_t op)
{
	static const char *const names[] = {
		[OMG_OP_INSTALL] = "install", [OMG_OP_UPGRADE] = "upgrade", [OMG_OP_DOWNGRADE] = "downgrade",
		[OMG_OP_REINSTALL] = "reinstall", [OMG_OP_REMOVE] = "remove", [OMG_OP_PURGE] = "purge",
	};

	return op < sizeof names / sizeof names[0] && names[op] ? names[op] : "?";
}

int omg_apt_words(uint8_t action, const char **w)
{
	switch (action) {
	case OMG_ACT_INSTALL: w[0] = "install"; return 1;
	case OMG_ACT_REMOVE: w[0] = "remove"; return 1;
	case OMG_ACT_PURGE: w[0] = "purge"; return 1;
	case OMG_ACT_UPGRADE: w[0] = "upgrade"; w[1] = "--with-new-pkgs"; return 2;
	case OMG_ACT_FULL_UPGRADE: w[0] = "dist-upgrade"; return 1;
	case OMG_ACT_AUTOREMOVE: w[0] = "autoremove"; return 1;
	case OMG_ACT_REINSTALL: w[0] = "install"; w[1] = "--reinstall"; return 2;
	default: return 0;
	}
}
