/* history.c — HISTORY and OWNS (answer.h): omg history, from the package managers' logs (the
 * ones that changed are read on the event loop, history.h), and omg owns (its path index is
 * built at the first question after a change, owns.h). */
#include "config.h"
#include "answer.h"
#include "history.h"
#include "omg_error.h"
#include "owns.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HISTORY_READ_MS 1500   /* reading the logs, within the client's wait (OMG_HISTORY_WAIT_MS) */
#define PAGE_BYTES (OMG_FRAME_MAX - (64u << 10))

/* Item IT as the wire has it, with its first COUNT changes; CH: room for them. */
static void to_wire(const struct history_item *it, uint32_t count, struct omg_hist_change *ch, struct omg_hist_entry *e)
{
	const struct pmlog_entry *x = it->e;

	for (uint32_t i = 0; i < count; i++) {
		const struct pmlog_change *c = &x->changes[i];
		ch[i] = (struct omg_hist_change){ c->op, c->automatic ? OMG_HIST_AUTO : 0, c->name, c->arch, c->from, c->to };
	}
	*e = (struct omg_hist_entry){
		.source = x->source, .start = x->start > 0 ? (uint64_t)x->start : 0, .end = x->end > 0 ? (uint64_t)x->end : 0,
		.commandline = x->commandline, .requested_by = x->requested_by, .uid = x->uid, .error = x->error,
		.action_seq = it->action_seq, .action_uid = it->action_seq ? it->action_uid : OMG_UID_NONE,
		.action_result = it->action_result, .action_command = it->action_command, .naudit = it->naudit,
		.audit = it->audit, .count = count, .changes = ch,
	};
}

void answer_history(struct daemon *d, const uint8_t *p, uint32_t n, struct answer *a)
{
	struct omg_history_query q;
	struct history_list l;
	uint32_t limit, count = 0;
	size_t at, i;
	uint8_t more = 0;

	if (omg_dec_history_query(p, n, &q) != OMG_OK)
		return answer_fail(a, OMG_WERR_MALFORMED, "malformed HISTORY request");
	if (q.since > INT64_MAX)
		return answer_fail(a, OMG_WERR_INVALID, "since: out of range");
	if (!d->history)
		return answer_fail(a, OMG_WERR_NOT_FOUND, "omgd cannot read this root's logs (see its log)");
	limit = q.limit ? (q.limit > OMG_LIMIT_MAX ? OMG_LIMIT_MAX : q.limit) : OMG_HISTORY_LIMIT_DEFAULT;
	if (history_collect(d->history, d->audit, (int64_t)q.since, HISTORY_READ_MS, &l) != OMG_OK)
		return answer_fail(a, OMG_WERR_INTERNAL, "%s", omg_errdetail());
	at = omg_enc_history_head(a->w, l.problem, (uint32_t)(l.n > UINT32_MAX ? UINT32_MAX : l.n));
	for (i = q.skip; i < l.n && count < limit; i++) {
		const struct history_item *it = &l.v[i];
		uint32_t nch = it->e->nchanges;
		struct omg_hist_change *ch = malloc((nch ? nch : 1) * sizeof *ch);
		struct omg_hist_entry e;
		size_t before = a->w->len;
		if (!ch)
			break;
		for (;;) {
			to_wire(it, nch, ch, &e);
			omg_enc_hist_entry(a->w, &e);
			if (a->w->len <= PAGE_BYTES && !a->w->failed)
				break;
			omg_wbuf_rewind(a->w, before);
			if (count || !nch)
				break; /* on the next page */
			nch /= 2; /* one entry larger than a frame: its first changes only */
		}
		free(ch);
		if (a->w->len == before)
			break;
		count++;
	}
	more = i < l.n && count > 0;
	omg_enc_history_end(a->w, at, more, count);
	history_list_free(&l);
}

struct owns_walk {
	struct omg_wbuf *w;
	uint32_t count;
};

static int owns_row(const char *package, const char *path, uint32_t kind, void *ctx)
{
	struct owns_walk *ow = ctx;
	struct omg_provider pv = { package, path, kind };

	if (ow->count == OMG_PROVIDES_MAX * 10 || ow->w->len > PAGE_BYTES)
		return 1;
	omg_enc_provider(ow->w, &pv);
	ow->count++;
	return 0;
}

void answer_owns(struct daemon *d, const uint8_t *p, uint32_t n, struct answer *a)
{
	struct omg_query q;
	struct owns_walk ow = { a->w, 0 };
	size_t at, len;

	if (omg_dec_query(p, n, OMG_MSG_OWNS, &q) != OMG_OK)
		return answer_fail(a, OMG_WERR_MALFORMED, "malformed OWNS request");
	len = strlen(q.text);
	if (q.text[0] != '/' || len >= 4096)
		return answer_fail(a, OMG_WERR_INVALID, "an absolute path of at most 4095 bytes");
	if (!answer_need_db(d, a))
		return;
	at = omg_enc_providers_head(a->w);
	if (owns_lookup(&d->owns, d->db, d->generation, d->backend, d->root, q.text, owns_row, &ow) != OMG_OK)
		return answer_fail(a, OMG_WERR_INTERNAL, "%s", omg_errdetail());
	omg_enc_count(a->w, at, ow.count);
}
