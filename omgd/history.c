/* history.c — the merge of the logs' entries with the audit log's records (history.h). */
#include "config.h"
#include "history.h"
#include "audit.h"
#include "grow.h"
#include "omg_error.h"
#include "proto.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SLACK_S 2          /* seconds either side: the logs have whole seconds */
#define LONGEST_S 21600    /* an entry without an end is taken to last at most this long */

/* The audit records the merge needs, copied out of the read transaction. */
struct rec {
	uint64_t seq;
	int64_t t, started;    /* seconds; STARTED: an action's "started:" */
	uint8_t kind;
	uint32_t uid;
	int32_t result;
	char *what;            /* CHANGE and ACTION only */
};

struct recs {
	struct rec *v;
	size_t n, cap;
};

static void recs_free(struct recs *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->v[i].what);
	free(r->v);
}

static int copy_rec(const struct audit_record *a, void *ctx)
{
	struct recs *r = ctx;
	struct rec *x;

	if (a->kind != AUDIT_CHANGE && a->kind != AUDIT_ACTION && a->kind != AUDIT_REFRESH && a->kind != AUDIT_START)
		return 0;
	if (omg_grow(&r->v, &r->cap, r->n + 1, sizeof *r->v, OMG_GROW_UNBOUNDED) != OMG_OK)
			return 1;
	x = &r->v[r->n];
	*x = (struct rec){ a->seq, (int64_t)(a->time_ns / 1000000000u), 0, a->kind, a->uid, a->result, NULL };
	if (a->kind == AUDIT_CHANGE || a->kind == AUDIT_ACTION) {
		if (!(x->what = malloc((size_t)a->what_len + 1)))
			return 1;
		memcpy(x->what, a->what, a->what_len);
		x->what[a->what_len] = 0;
		if (a->kind == AUDIT_ACTION && !strncmp(x->what, "started: ", 9))
			x->started = (int64_t)(strtoull(x->what + 9, NULL, 10) / 1000000000u);
	}
	r->n++;
	return 0;
}

static int read_recs(struct audit *a, struct recs *r)
{
	uint64_t after = 0;
	int more = 1, rc = OMG_OK;

	while (more && rc == OMG_OK) {
		size_t before = r->n;
		rc = audit_read(a, after, 0, OMG_LIMIT_MAX, copy_rec, r, &more);
		if (r->n > before)
			after = r->v[r->n - 1].seq;
		else if (more) /* a page of other kinds only: go on after its last record */
			after += OMG_LIMIT_MAX;
	}
	return rc;
}

/* ---- the list ------------------------------------------------------------------------------ */

void history_list_free(struct history_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].action_command);
		free(l->v[i].audit);
	}
	free(l->v);
	for (size_t i = 0; i < l->nown; i++)
		pmlog_entry_free(l->own[i]);
	free(l->own);
	memset(l, 0, sizeof *l);
}

static int add_item(struct history_list *l, const struct pmlog_entry *e)
{
	if (omg_grow(&l->v, &l->cap, l->n + 1, sizeof *l->v, OMG_GROW_UNBOUNDED) != OMG_OK)
			return OMG_ERROR(OMG_E_NOMEM, "history");
	l->v[l->n++] = (struct history_item){ .e = e };
	return OMG_OK;
}

static int add_audit(struct history_item *it, uint64_t seq)
{
	if (it->naudit && it->audit[it->naudit - 1] == seq)
		return OMG_OK;
	if (omg_grow32(&it->audit, &it->capaudit, it->naudit + 1, sizeof *it->audit, UINT32_MAX) != OMG_OK)
			return OMG_ERROR(OMG_E_NOMEM, "history");
	it->audit[it->naudit++] = seq;
	return OMG_OK;
}

static int64_t end_of(const struct pmlog_entry *e)
{
	return e->end >= e->start ? e->end : e->start;
}

static int by_start(const void *a, const void *b)
{
	const struct history_item *x = a, *y = b;

	if (x->e->start != y->e->start)
		return x->e->start < y->e->start ? -1 : 1;
	return (x->e->source > y->e->source) - (x->e->source < y->e->source);
}

/* The first item that began after T (items sorted by start). */
static size_t after(const struct history_list *l, int64_t t)
{
	size_t lo = 0, hi = l->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (l->v[mid].e->start <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Whether apt entry A lists every change of dpkg run D (the same package, to the same version
 * or removed): the runs apt made list what apt's entry does. */
static int same_packages(const struct pmlog_entry *a, const struct pmlog_entry *d)
{
	for (uint32_t i = 0; i < d->nchanges; i++) {
		const struct pmlog_change *x = &d->changes[i];
		int gone = x->op == OMG_OP_REMOVE || x->op == OMG_OP_PURGE, found = 0;
		for (uint32_t k = 0; k < a->nchanges && !found; k++) {
			const struct pmlog_change *y = &a->changes[k];
			found = !strcmp(x->name, y->name) && gone == (y->op == OMG_OP_REMOVE || y->op == OMG_OP_PURGE) &&
				(gone || !strcmp(x->to, y->to));
		}
		if (!found)
			return 0;
	}
	return 1;
}

/* A dpkg run is apt's when it ran between an apt entry's Start-Date and End-Date (whole
 * seconds: a dpkg -i typed right after shares the second) and apt's entry lists its changes. */
static int inside_apt(const struct history_list *l, const struct pmlog_entry *d)
{
	for (size_t i = after(l, d->start + SLACK_S); i-- > 0;) {
		const struct pmlog_entry *a = l->v[i].e;
		if (a->start < d->start - LONGEST_S)
			break;
		if (a->source == PMLOG_APT && d->start >= a->start - 1 && d->start <= (a->end ? a->end : a->start + 3600) &&
		    same_packages(a, d))
			return 1;
	}
	return 0;
}

/* ---- joining the audit records --------------------------------------------------------------- */

static int set_action(struct history_item *it, const struct rec *r)
{
	char *cmd = strstr(r->what, "\ncommand: "), *copy;
	size_t len;

	cmd = cmd ? cmd + 10 : (char *)"";
	len = strcspn(cmd, "\n");
	if (!(copy = malloc(len + 1)))
		return OMG_ERROR(OMG_E_NOMEM, "history");
	memcpy(copy, cmd, len);
	copy[len] = 0;
	free(it->action_command);
	it->action_command = copy;
	it->action_seq = r->seq;
	it->action_uid = r->uid;
	it->action_result = r->result;
	return OMG_OK;
}

/* The log entry that began while action R ran: apt's or pacman's first, else dpkg's. */
static struct history_item *action_entry(struct history_list *l, const struct rec *r)
{
	struct history_item *dpkg = NULL;

	for (size_t i = after(l, r->t + SLACK_S); i-- > 0;) {
		struct history_item *it = &l->v[i];
		if (it->e->start < (r->started ? r->started : r->t) - SLACK_S)
			break;
		if (it->action_seq)
			continue;
		if (it->e->source != PMLOG_DPKG)
			return it;
		dpkg = it;
	}
	return dpkg;
}

struct change_line {
	char buf[1024];
	const char *op, *name, *arch, *from, *to;
};

/* "install|remove|upgrade|downgrade NAME:ARCH V [V2]" (changes.h); -1 when not that. */
static int change_parse(const char *s, size_t n, struct change_line *c)
{
	char *w[5], *save = NULL, *colon;
	int k = 0;

	if (n >= sizeof c->buf)
		return -1;
	memcpy(c->buf, s, n);
	c->buf[n] = 0;
	for (char *p = strtok_r(c->buf, " ", &save); p && k < 5; p = strtok_r(NULL, " ", &save))
		w[k++] = p;
	if (k < 3 || k > 4)
		return -1;
	c->op = w[0];
	c->name = w[1];
	c->arch = "";
	if ((colon = strrchr(w[1], ':'))) {
		*colon = 0;
		c->arch = colon + 1;
	}
	c->from = k == 4 || !strcmp(w[0], "remove") ? w[2] : "";
	c->to = k == 4 ? w[3] : strcmp(w[0], "remove") ? w[2] : "";
	return 0;
}

static int same_change(const struct pmlog_change *x, const struct change_line *c)
{
	/* apt's history.log names an Architecture: all package with the native architecture */
	if (strcmp(x->name, c->name) != 0 ||
	    (x->arch[0] && strcmp(x->arch, c->arch) != 0 && strcmp(x->arch, "all") != 0 && strcmp(c->arch, "all") != 0))
		return 0;
	if (!c->to[0]) /* a removal */
		return (x->op == OMG_OP_REMOVE || x->op == OMG_OP_PURGE) && !strcmp(x->from, c->from);
	return x->op != OMG_OP_REMOVE && x->op != OMG_OP_PURGE && !strcmp(x->to, c->to);
}

/* The log entry of window [LO, HI] that has change C. */
static struct history_item *change_entry(struct history_list *l, const struct change_line *c, int64_t lo, int64_t hi)
{
	for (size_t i = after(l, hi + SLACK_S); i-- > 0;) {
		struct history_item *it = &l->v[i];
		if (it->e->start < lo - SLACK_S - LONGEST_S)
			break;
		if (it->e->source == PMLOG_OMGD || end_of(it->e) < lo - SLACK_S)
			continue;
		for (uint32_t k = 0; k < it->e->nchanges; k++)
			if (same_change(&it->e->changes[k], c))
				return it;
	}
	return NULL;
}

static uint8_t op_of(const char *word)
{
	return !strcmp(word, "install") ? OMG_OP_INSTALL : !strcmp(word, "upgrade") ? OMG_OP_UPGRADE
		: !strcmp(word, "downgrade") ? OMG_OP_DOWNGRADE : OMG_OP_REMOVE;
}

/* Joins change record R[I] (window from LO) to the log entries, or makes an entry of what no
 * log has (added to L->own and to NEW, merged into L's order later). */
static int join_change(struct history_list *l, const struct recs *rs, size_t i, int64_t lo, struct history_list *fresh)
{
	const struct rec *r = &rs->v[i];
	struct pmlog_entry *own = NULL;
	int rc = OMG_OK;

	for (const char *p = r->what; *p && rc == OMG_OK;) {
		size_t len = strcspn(p, "\n");
		struct change_line c;
		struct history_item *it;
		if (change_parse(p, len, &c) == 0) {
			if ((it = change_entry(l, &c, lo, r->t)))
				rc = add_audit(it, r->seq);
			else if (!own && !(own = calloc(1, sizeof *own)))
				rc = OMG_ERROR(OMG_E_NOMEM, "history");
			if (rc == OMG_OK && !it)
				rc = pmlog_add_change(own, op_of(c.op), 0, c.name, c.arch, c.from, c.to);
		}
		p += len + (p[len] == '\n');
	}
	if (!own)
		return rc;
	own->source = PMLOG_OMGD;
	own->start = r->t;
	own->uid = PMLOG_UID_NONE;
	if (rc == OMG_OK && (!(own->commandline = strdup("")) || !(own->requested_by = strdup("")) ||
			     !(own->error = strdup(""))))
		rc = OMG_ERROR(OMG_E_NOMEM, "history");
	if (rc == OMG_OK && omg_grow(&l->own, &l->capown, l->nown + 1, sizeof *l->own, OMG_GROW_UNBOUNDED) != OMG_OK)
		rc = OMG_ERROR(OMG_E_NOMEM, "history");
	if (rc != OMG_OK) {
		pmlog_entry_free(own);
		return rc;
	}
	l->own[l->nown++] = own;
	if ((rc = add_item(fresh, own)) != OMG_OK || (rc = add_audit(&fresh->v[fresh->n - 1], r->seq)) != OMG_OK)
		return rc;
	/* the omg command that made it: the first action after it that had begun by then */
	for (size_t j = i + 1; j < rs->n; j++)
		if (rs->v[j].kind == AUDIT_ACTION) {
			if (rs->v[j].started && rs->v[j].started <= r->t)
				rc = set_action(&fresh->v[fresh->n - 1], &rs->v[j]);
			break;
		}
	return rc;
}

static int join_audit(struct history_list *l, struct audit *audit)
{
	struct recs rs = { 0 };
	struct history_list fresh = { 0 };
	int64_t lo = 0;
	int rc = read_recs(audit, &rs);

	for (size_t i = 0; i < rs.n && rc == OMG_OK; i++) {
		const struct rec *r = &rs.v[i];
		struct history_item *it;
		if (r->kind == AUDIT_ACTION && (it = action_entry(l, r)))
			rc = set_action(it, r);
	}
	for (size_t i = 0; i < rs.n && rc == OMG_OK; i++) {
		const struct rec *r = &rs.v[i];
		if (r->kind == AUDIT_CHANGE)
			rc = join_change(l, &rs, i, lo, &fresh);
		if (r->kind != AUDIT_ACTION)
			lo = r->t; /* the index build after this record saw everything before it */
	}
	for (size_t i = 0; i < fresh.n && rc == OMG_OK; i++) {
		rc = add_item(l, fresh.v[i].e);
		if (rc == OMG_OK) {
			l->v[l->n - 1] = fresh.v[i];
			fresh.v[i].action_command = NULL;
			fresh.v[i].audit = NULL;
		}
	}
	history_list_free(&fresh);
	recs_free(&rs);
	return rc;
}

int history_collect(struct history *h, struct audit *audit, int64_t since, int deadline_ms, struct history_list *out)
{
	const struct pmlog_entry **ents;
	size_t n, keep = 0;
	int rc;

	memset(out, 0, sizeof *out);
	if ((rc = history_files_read(h, deadline_ms, &ents, &n, out->problem, sizeof out->problem)) != OMG_OK)
		return rc;
	for (size_t i = 0; i < n && rc == OMG_OK; i++)
		if (ents[i]->nchanges || ents[i]->error[0])
			rc = add_item(out, ents[i]);
	if (rc == OMG_OK && out->n)
		qsort(out->v, out->n, sizeof *out->v, by_start);
	/* dpkg's runs under apt: out (marked, then dropped in one pass) */
	for (size_t i = 0; i < out->n && rc == OMG_OK; i++)
		if (out->v[i].e->source == PMLOG_DPKG && inside_apt(out, out->v[i].e))
			out->v[i].action_seq = UINT64_MAX;
	for (size_t i = 0; i < out->n; i++)
		if (out->v[i].action_seq != UINT64_MAX)
			out->v[keep++] = out->v[i];
	out->n = keep;
	if (rc == OMG_OK && audit)
		rc = join_audit(out, audit);
	if (rc != OMG_OK) {
		history_list_free(out);
		return rc;
	}
	if (out->n)
		qsort(out->v, out->n, sizeof *out->v, by_start);
	keep = 0;
	for (size_t i = 0; i < out->n; i++) {
		if (end_of(out->v[i].e) >= since) {
			out->v[keep++] = out->v[i];
		} else {
			free(out->v[i].action_command);
			free(out->v[i].audit);
		}
	}
	out->n = keep;
	for (size_t i = 0; i < out->n && rc == OMG_OK; i++)
		if (!out->v[i].action_command && !(out->v[i].action_command = strdup("")))
			rc = OMG_ERROR(OMG_E_NOMEM, "history");
	return rc;
}
