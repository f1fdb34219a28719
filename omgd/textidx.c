/* textidx.c — see textidx.h. */
#include "config.h"
#include "textidx.h"
#include "omg_error.h"

#include <stdlib.h>
#include <string.h>

unsigned textidx_code(unsigned char c)
{
	if (c >= 'a' && c <= 'z')
		return 1u + (unsigned)(c - 'a');
	if (c >= 'A' && c <= 'Z')
		return 1u + (unsigned)(c - 'A');
	if (c >= '0' && c <= '9')
		return 27u + (unsigned)(c - '0');
	switch (c) {
	case '-': return 37;
	case '.': return 38;
	case '+': return 39;
	case ' ': return 40;
	case '_': return 41;
	case ':': return 42;
	case '/': return 43;
	case ',': return 44;
	case '(': return 45;
	case ')': return 46;
	default: return 0;
	}
}

uint32_t textidx_key(const char *s)
{
	return textidx_code((unsigned char)s[0]) << 12 | textidx_code((unsigned char)s[1]) << 6 |
	       textidx_code((unsigned char)s[2]);
}

uint32_t textidx_doc_ver(const struct db *db, const struct db_doc *d)
{
	const struct db_pkg *pk = &db->pkgs[d->pkg];
	const char *name;

	if (pk->cand != DB_NONE)
		return pk->cand;
	if (pk->inst != DB_NONE)
		return pk->inst;
	/* another instance is installed (libfoo:i386 alone): its description, for omg search -i */
	name = db_s(db, pk->name);
	for (uint32_t p = db_pkg_first(db, name, strlen(name)); p != DB_NONE; p = db->pkgs[p].next_arch)
		if (db->pkgs[p].inst != DB_NONE)
			return db->pkgs[p].inst;
	return DB_NONE;
}

/* ---- building ------------------------------------------------------------------------- */

/* What a build keeps of one key, in a table of SIZE entries: indexed by the key itself when
 * SIZE is TEXTIDX_KEYS, else hashed (a small index's table is small: a 5 MB one cost a
 * fixture root's build 5 ms of page faults). */
struct key_state {
	uint32_t key1;           /* the key + 1, 0: a free entry */
	uint32_t last;           /* the last document that had it + 1, 0: none yet */
	uint32_t count, bytes;   /* documents, and bytes of their list */
	uint32_t at;             /* where the next number goes (second pass) */
};

struct build {
	struct key_state *k;
	uint32_t size;           /* entries of K: a power of two */
	uint8_t *post;
	uint32_t doc;
	int pass;
	uint8_t code[256];       /* textidx_code */
};

static uint32_t varint_len(uint32_t v)
{
	uint32_t n = 1;

	while (v >= 0x80)
		v >>= 7, n++;
	return n;
}

static struct key_state *entry(struct build *t, uint32_t key)
{
	uint32_t i = t->size == TEXTIDX_KEYS ? key : (key * 2654435761u) & (t->size - 1);

	/* at most half full (textidx_build's size): a free entry is always found */
	while (t->k[i].key1 && t->k[i].key1 != key + 1)
		i = (i + 1) & (t->size - 1);
	t->k[i].key1 = key + 1;
	return &t->k[i];
}

static void visit(struct build *t, uint32_t key)
{
	struct key_state *k = entry(t, key);
	uint32_t delta;

	if (k->last == t->doc + 1)
		return; /* once a document */
	delta = k->last ? t->doc - (k->last - 1) : t->doc;
	k->last = t->doc + 1;
	if (t->pass == 0) {
		k->count++;
		k->bytes += varint_len(delta);
		return;
	}
	for (; delta >= 0x80; delta >>= 7)
		t->post[k->at++] = (uint8_t)(delta | 0x80);
	t->post[k->at++] = (uint8_t)delta;
}

static void visit_text(struct build *t, const char *s)
{
	uint32_t key = 0;

	for (size_t i = 0; s[i]; i++) { /* the key of the three bytes ending at I, rolled on */
		key = (key << 6 | t->code[(unsigned char)s[i]]) & (TEXTIDX_KEYS - 1);
		if (i >= 2)
			visit(t, key);
	}
}

static void visit_doc(struct build *t, const struct db *db, uint32_t d)
{
	uint32_t v = textidx_doc_ver(db, &db->docs[d]);

	t->doc = d;
	visit_text(t, db_s(db, db->pkgs[db->docs[d].pkg].name));
	if (v != DB_NONE) {
		visit_text(t, db_s(db, db->vers[v].desc));
		visit_text(t, db_desc_rest(db, v));
	}
	for (uint32_t i = db->docs[d].provs; i < db->docs[d + 1].provs; i++)
		visit_text(t, db_s(db, db->doc_provs[i]));
}

static int usable(const struct db_pkg *pk)
{
	return pk->inst != DB_NONE || pk->cand != DB_NONE;
}

/* One document for each name with an installed or candidate version; DOC_OF maps every
 * instance of such a name to it. */
static int make_docs(struct db *db, uint32_t *doc_of)
{
	const char *native = db_s(db, db->native_arch);

	db->docs = malloc(((size_t)db->npkgs + 1) * sizeof *db->docs);
	if (!db->docs)
		return OMG_ERROR(OMG_E_NOMEM, "search index");
	db->ndocs = 0;
	for (uint32_t i = 0, j; i < db->npkgs; i = j) {
		const char *name = db_s(db, db->pkgs[db->by_name[i]].name);
		uint32_t pref = DB_NONE;
		int any = 0;
		for (j = i; j < db->npkgs && !strcmp(db_s(db, db->pkgs[db->by_name[j]].name), name); j++) {
			const struct db_pkg *pk = &db->pkgs[db->by_name[j]];
			any |= usable(pk);
			/* apt's preferred package of a group: the native one if it has a version */
			if (pk->vers != DB_NONE && (pref == DB_NONE || (strcmp(db_s(db, db->pkgs[pref].arch), native) != 0 &&
									!strcmp(db_s(db, pk->arch), native))))
				pref = db->by_name[j];
		}
		if (!any || pref == DB_NONE)
			continue;
		for (uint32_t k = i; k < j; k++)
			doc_of[db->by_name[k]] = db->ndocs;
		db->docs[db->ndocs++] = (struct db_doc){ pref, 0 };
	}
	return OMG_OK;
}

static int cmp_pair(const void *a, const void *b)
{
	const uint32_t *x = a, *y = b;

	if (x[0] != y[0])
		return x[0] < y[0] ? -1 : 1;
	return x[1] < y[1] ? -1 : x[1] > y[1];
}

/* The names each document's native versions provide (apt propagates a provided name's
 * match from its native package), its own name left out. */
static int make_provs(struct db *db, const uint32_t *doc_of)
{
	const char *native = db_s(db, db->native_arch);
	uint32_t (*pairs)[2] = malloc(((size_t)db->nprovs + 1) * sizeof *pairs), n = 0, out = 0;

	if (!pairs)
		return OMG_ERROR(OMG_E_NOMEM, "search index");
	for (uint32_t i = 0; i < db->nprovs; i++) {
		const struct db_provide *pv = &db->provs[i];
		uint32_t owner = db->vers[pv->ver].pkg, d = doc_of[owner];
		if (d == DB_NONE || !usable(&db->pkgs[owner]) || strcmp(db_s(db, db->pkgs[owner].arch), native) != 0 ||
		    !strcmp(db_s(db, pv->name), db_s(db, db->pkgs[owner].name)))
			continue;
		pairs[n][0] = d;
		pairs[n++][1] = pv->name;
	}
	if (n)
		qsort(pairs, n, sizeof *pairs, cmp_pair);
	db->doc_provs = malloc(((size_t)n + 1) * sizeof *db->doc_provs);
	if (!db->doc_provs) {
		free(pairs);
		return OMG_ERROR(OMG_E_NOMEM, "search index");
	}
	for (uint32_t d = 0, i = 0; d <= db->ndocs; d++) {
		db->docs[d].provs = out;
		for (; i < n && pairs[i][0] == d; i++)
			if (!i || pairs[i - 1][0] != d || pairs[i - 1][1] != pairs[i][1])
				db->doc_provs[out++] = pairs[i][1];
	}
	db->ndoc_provs = out;
	free(pairs);
	return OMG_OK;
}

static int cmp_key(const void *a, const void *b, void *ctx)
{
	const struct key_state *k = ctx;
	uint32_t x = k[*(const uint32_t *)a].key1, y = k[*(const uint32_t *)b].key1;

	return x < y ? -1 : x > y;
}

static int make_trigrams(struct db *db)
{
	struct build t = { 0 };
	uint64_t total = 0;
	uint32_t used = 0, off = 0, *order = NULL;
	int rc = OMG_OK;

	for (unsigned c = 0; c < 256; c++)
		t.code[c] = (uint8_t)textidx_code((unsigned char)c);
	/* the arena's length bounds the trigrams there can be; twice that keeps the table half full */
	for (t.size = 16; t.size < TEXTIDX_KEYS && t.size < 2 * (uint64_t)db->str.len; t.size *= 2)
		;
	if (!(t.k = calloc(t.size, sizeof *t.k)))
		return OMG_ERROR(OMG_E_NOMEM, "search index");
	for (uint32_t d = 0; d < db->ndocs; d++)
		visit_doc(&t, db, d);
	/* the entries used, in the order of their keys (the identity table's already is) */
	for (uint32_t i = 0; i < t.size; i++)
		used += t.k[i].key1 != 0;
	if (!(order = malloc(((size_t)used + 1) * sizeof *order))) {
		rc = OMG_ERROR(OMG_E_NOMEM, "search index");
		goto fail;
	}
	for (uint32_t i = 0, n = 0; i < t.size; i++)
		if (t.k[i].key1) {
			order[n++] = i;
			total += t.k[i].bytes;
		}
	if (t.size != TEXTIDX_KEYS && used)
		qsort_r(order, used, sizeof *order, cmp_key, t.k);
	db->ntris = used;
	db->tris = malloc(((size_t)used + 1) * sizeof *db->tris);
	db->postings = total <= UINT32_MAX ? malloc((size_t)total + 1) : NULL;
	if (!db->tris || !db->postings) {
		rc = OMG_ERROR(OMG_E_NOMEM, "search index: %llu bytes", (unsigned long long)total);
		goto fail;
	}
	db->npostings = (uint32_t)total;
	for (uint32_t i = 0; i < used; i++) {
		struct key_state *ks = &t.k[order[i]];
		db->tris[i] = (struct db_tri){ ks->key1 - 1, ks->count, off, ks->bytes };
		ks->at = off;
		ks->last = 0;
		off += ks->bytes;
	}
	t.post = db->postings;
	t.pass = 1;
	for (uint32_t d = 0; d < db->ndocs; d++)
		visit_doc(&t, db, d);
fail:
	free(order);
	free(t.k);
	return rc;
}

int textidx_build(struct db *db)
{
	uint32_t *doc_of = malloc(((size_t)db->npkgs + 1) * sizeof *doc_of);
	int rc;

	free(db->docs);
	free(db->doc_provs);
	free(db->tris);
	free(db->postings);
	db->docs = NULL, db->doc_provs = NULL, db->tris = NULL, db->postings = NULL;
	db->ndocs = db->ndoc_provs = db->ntris = db->npostings = 0;
	if (!doc_of)
		return OMG_ERROR(OMG_E_NOMEM, "search index");
	memset(doc_of, 0xff, ((size_t)db->npkgs + 1) * sizeof *doc_of);
	rc = make_docs(db, doc_of);
	if (rc == OMG_OK)
		rc = make_provs(db, doc_of);
	free(doc_of);
	if (rc == OMG_OK)
		rc = make_trigrams(db);
	return rc;
}

/* ---- reading -------------------------------------------------------------------------- */

int textidx_validate(const struct db *db)
{
	if (!db->docs || db->docs[db->ndocs].provs != db->ndoc_provs || db->ndocs > db->npkgs)
		return OMG_ERROR(OMG_E_CORRUPT, "stored index: search documents");
	for (uint32_t d = 0; d < db->ndocs; d++)
		if (db->docs[d].pkg >= db->npkgs || db->docs[d].provs > db->docs[d + 1].provs)
			return OMG_ERROR(OMG_E_CORRUPT, "stored index: search document");
	for (uint32_t i = 0; i < db->ndoc_provs; i++)
		if (db->doc_provs[i] >= db->str.len)
			return OMG_ERROR(OMG_E_CORRUPT, "stored index: search provides");
	for (uint32_t i = 0; i < db->ntris; i++) {
		const struct db_tri *t = &db->tris[i];
		if (t->key >= TEXTIDX_KEYS || (i && t->key <= db->tris[i - 1].key) || t->off > db->npostings ||
		    t->len > db->npostings - t->off || t->count > db->ndocs)
			return OMG_ERROR(OMG_E_CORRUPT, "stored index: search trigram");
	}
	return OMG_OK;
}

const struct db_tri *textidx_find(const struct db *db, uint32_t key)
{
	uint32_t lo = 0, hi = db->ntris;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (db->tris[mid].key < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < db->ntris && db->tris[lo].key == key ? &db->tris[lo] : NULL;
}

void textidx_open(const struct db *db, const struct db_tri *t, struct textidx_cursor *c)
{
	c->p = db->postings + t->off;
	c->end = c->p + t->len;
	c->doc = 0;
	c->ndocs = db->ndocs;
	c->started = 0;
}

int textidx_next(struct textidx_cursor *c, uint32_t *doc)
{
	uint32_t v = 0;

	for (int shift = 0;; shift += 7) {
		uint8_t b;
		if (c->p >= c->end || shift > 28)
			return 0;
		b = *c->p++;
		v |= (uint32_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			break;
	}
	if (c->started) {
		if (v == 0 || v >= c->ndocs - c->doc)
			return 0;
		c->doc += v;
	} else if (v >= c->ndocs) {
		return 0;
	} else {
		c->doc = v;
		c->started = 1;
	}
	*doc = c->doc;
	return 1;
}
