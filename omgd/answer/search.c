/* search.c — SEARCH, SUGGEST, LIST and SIZES (answer.h): lists of packages from the index. */
#include "config.h"
#include "answer.h"
#include "omg_error.h"

#include <stdlib.h>
#include <string.h>

/* Package P as a row of the wire (its flags are the wire's bits: dispatch.c asserts it). */
static void db_row(const struct db *db, uint32_t p, struct omg_pkg_row *row)
{
	const struct db_pkg *pk = &db->pkgs[p];
	uint32_t dv = pk->cand != DB_NONE ? pk->cand : pk->inst;

	row->name = db_s(db, pk->name);
	row->arch = db_s(db, pk->arch);
	row->installed = pk->inst != DB_NONE ? db_s(db, db->vers[pk->inst].version) : "";
	row->candidate = pk->cand != DB_NONE ? db_s(db, db->vers[pk->cand].version) : "";
	row->description = dv != DB_NONE ? db_s(db, db->vers[dv].desc) : "";
	row->flags = pk->flags;
}

static void put_rows(struct daemon *d, const struct db_hits *h, struct answer *a)
{
	size_t at = omg_enc_rows_head(a->w);

	for (uint32_t i = 0; i < h->n; i++) {
		struct omg_pkg_row row;
		db_row(d->db, h->v[i], &row);
		omg_enc_row(a->w, &row);
	}
	omg_enc_rows_end(a->w, at, h->matched, h->n);
}

void answer_search(struct daemon *d, uint8_t type, const uint8_t *p, uint32_t n, struct answer *a)
{
	struct omg_query q;
	struct db_hits h;
	int rc;

	if (omg_dec_query(p, n, type, &q) != OMG_OK)
		return answer_fail(a, OMG_WERR_MALFORMED, "%s", omg_errdetail());
	if (strlen(q.text) > OMG_QUERY_MAX || (type == OMG_MSG_SEARCH && !q.text[0]))
		return answer_fail(a, OMG_WERR_INVALID, "the query must be 1 to %d bytes", OMG_QUERY_MAX);
	if (!answer_need_db(d, a))
		return;
	if (type == OMG_MSG_SEARCH)
		rc = db_search(d->db, q.text, answer_limit(q.limit, OMG_LIMIT_DEFAULT), q.flags, &h);
	else
		rc = db_suggest(d->db, q.text, answer_limit(q.limit, OMG_LIMIT_MAX), q.flags, &h);
	if (rc != OMG_OK) /* a term omgd refuses (search.c), or a search over its deadline */
		return answer_fail(a, rc == OMG_E_INVAL ? OMG_WERR_INVALID : OMG_WERR_INTERNAL, "%s", omg_errdetail());
	if (type == OMG_MSG_SEARCH) {
		put_rows(d, &h, a);
	} else {
		size_t at = omg_enc_words_head(a->w);
		for (uint32_t i = 0; i < h.n; i++)
			omg_enc_word(a->w, db_s(d->db, d->db->pkgs[h.v[i]].name));
		omg_enc_count(a->w, at, h.n);
	}
	free(h.v);
}

void answer_list(struct daemon *d, const uint8_t *p, uint32_t n, struct answer *a)
{
	struct omg_query q;
	struct db_hits h;

	if (omg_dec_query(p, n, OMG_MSG_LIST, &q) != OMG_OK)
		return answer_fail(a, OMG_WERR_MALFORMED, "%s", omg_errdetail());
	if (q.kind >= OMG_LIST__COUNT)
		return answer_fail(a, OMG_WERR_INVALID, "unknown list kind");
	if (!answer_need_db(d, a))
		return;
	if (db_list(d->db, q.kind, q.limit, &h) != OMG_OK)
		return answer_fail(a, OMG_WERR_INTERNAL, "out of memory");
	put_rows(d, &h, a);
	free(h.v);
}

/* SIZES: the installed packages, largest Installed-Size first (then by name), at most LIMIT
 * (0: all that fit one frame). */
static int sizes_cmp(const void *x, const void *y, void *ctx)
{
	const struct db *sizes_db = ctx;
	const struct db_pkg *a = &sizes_db->pkgs[*(const uint32_t *)x], *b = &sizes_db->pkgs[*(const uint32_t *)y];
	uint32_t ka = sizes_db->vers[a->inst].isize, kb = sizes_db->vers[b->inst].isize;
	int c;

	if (ka != kb)
		return ka > kb ? -1 : 1;
	if ((c = strcmp(db_s(sizes_db, a->name), db_s(sizes_db, b->name))) != 0)
		return c;
	return strcmp(db_s(sizes_db, a->arch), db_s(sizes_db, b->arch));
}

void answer_sizes(struct daemon *d, const uint8_t *p, uint32_t n, struct answer *a)
{
	struct omg_query q;
	struct omg_sizes m = { 0 };
	struct strpool sp = { 0 };
	const struct db *db;
	struct db_hits installed;
	uint32_t *order, limit;

	if (omg_dec_query(p, n, OMG_MSG_SIZES, &q) != OMG_OK)
		return answer_fail(a, OMG_WERR_MALFORMED, "%s", omg_errdetail());
	if (!answer_need_db(d, a))
		return;
	db = d->db;
	if (db_list(db, DB_LIST_INSTALLED, 0, &installed) != OMG_OK)
		return answer_fail(a, OMG_WERR_INTERNAL, "out of memory");
	order = installed.v;
	m.matched = installed.matched;
	for (uint32_t i = 0; i < m.matched; i++)
		m.total_kib += db->vers[db->pkgs[order[i]].inst].isize;
	qsort_r(order, m.matched, sizeof *order, sizes_cmp, (void *)db);
	limit = q.limit && q.limit < m.matched ? q.limit : m.matched;
	if (limit > OMG_SIZES_MAX)
		limit = OMG_SIZES_MAX; /* one frame: a row is at most ~60 bytes here */
	if (!(m.rows = calloc((size_t)limit + 1, sizeof *m.rows))) {
		free(order);
		return answer_fail(a, OMG_WERR_INTERNAL, "out of memory");
	}
	for (uint32_t i = 0; i < limit; i++) {
		const struct db_pkg *pk = &db->pkgs[order[i]];
		m.rows[m.count++] = (struct omg_size_row){ answer_full_name(db, order[i], &sp), db_s(db, db->vers[pk->inst].version),
							   db->vers[pk->inst].isize, pk->flags };
	}
	if (sp.failed)
		answer_fail(a, OMG_WERR_INTERNAL, "out of memory");
	else
		omg_enc_sizes(a->w, &m);
	free(m.rows);
	free(order);
	strpool_free(&sp);
}
