/* audit.c — AUDIT and ACTED (answer.h): the audit log read, and an action's record queued for it. */
#include "config.h"
#include "answer.h"
#include "audit.h"
#include "omg_error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

void answer_audit(struct daemon *d, const uint8_t *p, uint32_t n, struct answer *a)
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
		return answer_fail(a, OMG_WERR_MALFORMED, "%s", omg_errdetail());
	if (q.since > UINT64_MAX / 1000000000u)
		return answer_fail(a, OMG_WERR_INVALID, "since: out of range");
	if (d->store_problem)
		d->store_problem(d->store_ctx, problem, sizeof problem);
	m.store = log ? problem : problem[0] ? problem : "omgd runs without a store (--no-store)";
	if (log && (q.flags & OMG_AUDIT_VERIFY)) {
		if (audit_verify(log, &v) != OMG_OK)
			return answer_fail(a, OMG_WERR_INTERNAL, "%s", omg_errdetail());
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
		return answer_fail(a, OMG_WERR_INTERNAL, "%s", omg_errdetail());
	omg_enc_audit_end(a->w, count_at, (uint8_t)(more || aw.full), aw.count);
}

/* ACTED: the record of an action a client ran, for the audit log (written by the build
 * thread after the changes it saw, builder_note). Its uid is the peer's, not what the
 * client says. */
void answer_acted(struct daemon *d, const uint8_t *p, uint32_t n, struct answer *a)
{
	struct omg_acted m;
	char *text;
	size_t len;
	int head;

	if (omg_dec_acted(p, n, &m) != OMG_OK)
		return answer_fail(a, OMG_WERR_MALFORMED, "%s", omg_errdetail());
	if ((len = strlen(m.what)) > OMG_ACTED_MAX || m.action > OMG_ACT__MAX)
		return answer_fail(a, OMG_WERR_INVALID, "an action record of at most %u bytes, of a known action", OMG_ACTED_MAX);
	if (!d->note || !d->audit)
		return answer_fail(a, OMG_WERR_NOT_FOUND, "omgd has no audit log (see omg status)");
	/* when it ran leads the record: omg history links the changes seen since to it */
	if (!(text = malloc(len + 64)))
		return answer_fail(a, OMG_WERR_INTERNAL, "out of memory");
	head = snprintf(text, 64, "started: %llu\n", (unsigned long long)m.started_ns);
	memcpy(text + head, m.what, len);
	d->note(d->builder_ctx, AUDIT_ACTION, d->peer_uid, m.result, text, (size_t)head + len);
	free(text);
}
