/* db_rel.c — the relations of every version (Depends, Recommends, ...) and their reverse
 * index, for depends, rdepends and why. See db.h. */
#include "config.h"
#include "db.h"
#include "deb822.h"
#include "grow.h"
#include "omg_error.h"

#include <stdlib.h>
#include <string.h>

const char *const db_rel_ops[8] = { "", "<<", "<=", "=", ">=", ">>", "<", ">" };

#define INTERN_FIRST_MASK ((1u << 16) - 1)

static int intern_grow(struct db *db)
{
	uint32_t mask = db->intern ? db->intern_mask * 2 + 1 : INTERN_FIRST_MASK;
	uint32_t *t = malloc(((size_t)mask + 1) * sizeof *t);

	if (!t)
		return -1;
	memset(t, 0xff, ((size_t)mask + 1) * sizeof *t);
	for (uint32_t i = 0; db->intern && i <= db->intern_mask; i++)
		if (db->intern[i] != DB_NONE) {
			const char *s = db_s(db, db->intern[i]);
			uint32_t slot = db_name_hash(s, strlen(s)) & mask;
			while (t[slot] != DB_NONE)
				slot = (slot + 1) & mask;
			t[slot] = db->intern[i];
		}
	free(db->intern);
	db->intern = t;
	db->intern_mask = mask;
	return 0;
}

uint32_t db_intern(struct db *db, const char *s, size_t n)
{
	uint32_t slot, off;

	if (!n)
		return 0;
	if ((!db->intern || (db->intern_n + 1) * 2 > db->intern_mask) && intern_grow(db) != 0)
		return DB_NONE;
	for (slot = db_name_hash(s, n) & db->intern_mask; db->intern[slot] != DB_NONE; slot = (slot + 1) & db->intern_mask) {
		const char *have = db_s(db, db->intern[slot]);
		if (!strncmp(have, s, n) && have[n] == 0)
			return db->intern[slot];
	}
	if ((off = db_str(db, s, n)) == DB_NONE)
		return DB_NONE;
	db->intern[slot] = off;
	db->intern_n++;
	return off;
}

static int rel_add(struct db *db, const struct db_rel *r)
{
	if (omg_grow32(&db->rels, &db->cap_rels, db->nrels + 1, sizeof *db->rels, UINT32_MAX) != OMG_OK)
			return OMG_ERROR(OMG_E_NOMEM, "relations");
	db->rels[db->nrels++] = *r;
	return OMG_OK;
}

int db_rels_parse(struct db *db, uint32_t ver, enum db_rel_kind kind, const char *s, size_t len)
{
	struct deb822_relation d;

	for (const char *end = s + len; deb822_next_relation(&s, end, &d);) {
		struct db_rel r = { .ver = ver, .kind = (uint8_t)kind, .alt = (uint8_t)d.alt };
		if (!d.nlen)
			continue;
		for (uint8_t i = 1; i < 8 && d.olen; i++)
			if (strlen(db_rel_ops[i]) == d.olen && !memcmp(db_rel_ops[i], d.op, d.olen))
				r.op = i;
		if ((r.name = db_intern(db, d.name, d.nlen)) == DB_NONE ||
		    (d.qlen && (r.qual = db_intern(db, d.qual, d.qlen)) == DB_NONE) ||
		    (d.vlen && (r.version = db_intern(db, d.ver, d.vlen)) == DB_NONE))
			return OMG_ERROR(OMG_E_NOMEM, "relations");
		if (rel_add(db, &r) != OMG_OK)
			return OMG_E_NOMEM;
	}
	if (db->nrels && db->rels[db->nrels - 1].ver == ver && db->rels[db->nrels - 1].kind == kind)
		db->rels[db->nrels - 1].alt = 0; /* a field never continues into the next */
	return OMG_OK;
}

/* Where apt first read a version: its first list in apt's order, else (only in the status
 * file, which apt reads last) its record there. */
struct read_at {
	uint32_t order, src;
	uint64_t off;
};

struct by_name_ctx {
	const struct db *db;
	const struct read_at *keys; /* by version */
};

static int key_cmp(const struct read_at *a, const struct read_at *b)
{
	if (a->order != b->order)
		return a->order < b->order ? -1 : 1;
	if (a->src != b->src)
		return a->src < b->src ? -1 : 1;
	return a->off < b->off ? -1 : a->off > b->off;
}

/* By name; then the one apt read last first, since apt puts each new one at the front. */
static int by_name_cmp(const void *x, const void *y, void *ctx)
{
	const struct by_name_ctx *bc = ctx;
	uint32_t i = *(const uint32_t *)x, j = *(const uint32_t *)y;
	const struct db_rel *a = &bc->db->rels[i], *b = &bc->db->rels[j];
	int c = a->name == b->name ? 0 : strcmp(db_s(bc->db, a->name), db_s(bc->db, b->name));

	if (c)
		return c;
	if (a->ver != b->ver && (c = key_cmp(&bc->keys[a->ver], &bc->keys[b->ver])) != 0)
		return -c;
	return i < j ? 1 : -1;
}

int db_rels_finish(struct db *db)
{
	uint32_t *start = NULL;
	struct db_rel *sorted = NULL;
	struct read_at *read_keys = NULL;
	int rc = OMG_OK;

	free(db->intern);
	db->intern = NULL;
	db->intern_n = db->intern_mask = 0;
	free(db->rels_by_name);
	db->rels_by_name = NULL;
	if (!db->nrels)
		return OMG_OK;
	/* by version, stably: a version's relations stay in the order they were read */
	start = calloc((size_t)db->nvers + 1, sizeof *start);
	sorted = malloc((size_t)db->nrels * sizeof *sorted);
	read_keys = malloc(((size_t)db->nvers + 1) * sizeof *read_keys);
	db->rels_by_name = malloc((size_t)db->nrels * sizeof *db->rels_by_name);
	if (!start || !sorted || !read_keys || !db->rels_by_name) {
		rc = OMG_ERROR(OMG_E_NOMEM, "relations");
		goto fail;
	}
	for (uint32_t i = 0; i < db->nrels; i++)
		start[db->rels[i].ver + 1]++;
	for (uint32_t v = 0; v < db->nvers; v++)
		start[v + 1] += start[v];
	for (uint32_t i = 0; i < db->nrels; i++)
		sorted[start[db->rels[i].ver]++] = db->rels[i];
	free(db->rels);
	db->rels = sorted;
	db->cap_rels = db->nrels;
	sorted = NULL;
	for (uint32_t v = 0, f = 0; v < db->nvers; v++) {
		const struct db_ver *ver = &db->vers[v];
		while (f < db->nvfiles && db->vfiles[f].ver < v)
			f++;
		if (f < db->nvfiles && db->vfiles[f].ver == v)
			read_keys[v] = (struct read_at){ db->srcs[db->vfiles[f].src].order, db->vfiles[f].src, db->vfiles[f].off };
		else
			read_keys[v] = (struct read_at){ UINT32_MAX, ver->src, ver->off };
	}
	for (uint32_t i = 0; i < db->nrels; i++)
		db->rels_by_name[i] = i;
	qsort_r(db->rels_by_name, db->nrels, sizeof *db->rels_by_name, by_name_cmp,
		&(struct by_name_ctx){ db, read_keys });
fail:
	free(start);
	free(sorted);
	free(read_keys);
	if (rc != OMG_OK) {
		free(db->rels_by_name);
		db->rels_by_name = NULL;
	}
	return rc;
}

static int rel_key(const struct db *db, uint32_t i, const void *key)
{
	uint32_t v = db->rels[i].ver, want = *(const uint32_t *)key;
	return v < want ? -1 : v > want;
}

void db_rels_of(const struct db *db, uint32_t ver, uint32_t *first, uint32_t *count)
{
	db_range(db, db->nrels, rel_key, &ver, first, count);
}

static int naming_key(const struct db *db, uint32_t i, const void *key)
{
	return strcmp(db_s(db, db->rels[db->rels_by_name[i]].name), key);
}

void db_rels_naming(const struct db *db, const char *name, uint32_t *first, uint32_t *count)
{
	db_range(db, db->rels_by_name ? db->nrels : 0, naming_key, name, first, count);
}
