/* db.c — the index's storage, name lookup and prefix suggestions (search: search.c). */
#include "config.h"
#include "db.h"
#include "grow.h"
#include "omg_error.h"
#include "textidx.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

uint32_t db_name_hash(const char *s, size_t n)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

int db_init(struct db *db)
{
	memset(db, 0, sizeof *db);
	db->hash_mask = (1u << 16) - 1;
	db->hash = malloc(((size_t)db->hash_mask + 1) * sizeof *db->hash);
	if (!db->hash)
		return OMG_ERROR(OMG_E_NOMEM, "index hash");
	memset(db->hash, 0xff, ((size_t)db->hash_mask + 1) * sizeof *db->hash);
	if (db_str(db, "", 0) != 0)
		return OMG_ERROR(OMG_E_NOMEM, "index strings");
	return OMG_OK;
}

void db_free(struct db *db)
{
	free(db->vhash); /* never part of a snapshot */
	db->vhash = NULL;
	free(db->intern);
	db->intern = NULL;
	if (db->release) {
		db->release(db);
		memset(db, 0, sizeof *db);
		return;
	}
	free(db->str.p);
	free(db->pkgs);
	free(db->vers);
	free(db->srcs);
	free(db->hash);
	free(db->by_name);
	free(db->cmds);
	free(db->vfiles);
	free(db->provs);
	free(db->rels);
	free(db->rels_by_name);
	free(db->inputs);
	free(db->docs);
	free(db->doc_provs);
	free(db->tris);
	free(db->postings);
	memset(db, 0, sizeof *db);
}

int db_desc_set(struct db *db, uint32_t v, const char *value, size_t len)
{
	const char *nl;
	size_t first;

	while (len && (*value == ' ' || *value == '\t'))
		value++, len--;
	/* apt's field values end at their last non-blank byte */
	while (len && (value[len - 1] == ' ' || value[len - 1] == '\t' || value[len - 1] == '\n' || value[len - 1] == '\r'))
		len--;
	nl = len ? memchr(value, '\n', len) : NULL;
	first = nl ? (size_t)(nl - value) : len;
	while (first && (value[first - 1] == ' ' || value[first - 1] == '\r'))
		first--;
	db->vers[v].flags &= (uint16_t)~DBV_LONG_DESC;
	if ((db->vers[v].desc = db_str(db, value, first)) == DB_NONE)
		return OMG_ERROR(OMG_E_NOMEM, "index strings");
	/* The rest, from its newline, right after the first line's NUL (an empty first line is
	 * the arena's shared "", with nothing after it: such a description keeps its first line). */
	if (nl && first) {
		if (db_str(db, nl, len - (size_t)(nl - value)) == DB_NONE)
			return OMG_ERROR(OMG_E_NOMEM, "index strings");
		db->vers[v].flags |= DBV_LONG_DESC;
	}
	return OMG_OK;
}

const char *db_desc_rest(const struct db *db, uint32_t v)
{
	const char *first = db_s(db, db->vers[v].desc);

	return db->vers[v].flags & DBV_LONG_DESC ? first + strlen(first) + 1 : "";
}

uint32_t db_str(struct db *db, const char *s, size_t n)
{
	struct arena *a = &db->str;
	uint32_t off;

	if (n == 0 && a->len)
		return 0;
	if (a->len + n + 1 > a->cap) {
		size_t cap = a->cap ? a->cap : 1 << 20;
		char *p;
		while (cap < a->len + n + 1)
			cap *= 2;
		if (cap > UINT32_MAX || !(p = realloc(a->p, cap)))
			return DB_NONE;
		a->p = p;
		a->cap = cap;
	}
	off = (uint32_t)a->len;
	memcpy(a->p + off, s, n);
	a->p[off + n] = 0;
	a->len += n + 1;
	return off;
}

static int hash_rebuild(struct db *db, uint32_t mask)
{
	uint32_t *h = malloc(((size_t)mask + 1) * sizeof *h);

	if (!h)
		return -1;
	memset(h, 0xff, ((size_t)mask + 1) * sizeof *h);
	for (uint32_t i = 0; i < db->npkgs; i++) {
		const char *n = db_s(db, db->pkgs[i].name);
		uint32_t slot, first = DB_NONE;
		/* only the first instance of a name goes into the table */
		for (slot = db_name_hash(n, strlen(n)) & mask; h[slot] != DB_NONE; slot = (slot + 1) & mask)
			if (!strcmp(db_s(db, db->pkgs[h[slot]].name), n)) {
				first = h[slot];
				break;
			}
		if (first == DB_NONE)
			h[slot] = i;
	}
	free(db->hash);
	db->hash = h;
	db->hash_mask = mask;
	return 0;
}

uint32_t db_pkg_first(const struct db *db, const char *name, size_t nlen)
{
	for (uint32_t slot = db_name_hash(name, nlen) & db->hash_mask; db->hash[slot] != DB_NONE;
	     slot = (slot + 1) & db->hash_mask) {
		const char *n = db_s(db, db->pkgs[db->hash[slot]].name);
		if (!strncmp(n, name, nlen) && n[nlen] == 0)
			return db->hash[slot];
	}
	return DB_NONE;
}

uint32_t db_pkg_get(struct db *db, const char *name, size_t nlen, uint32_t arch, int create)
{
	uint32_t first = db_pkg_first(db, name, nlen), p, last = DB_NONE, slot;
	struct db_pkg *pk;

	for (p = first; p != DB_NONE; p = db->pkgs[p].next_arch) {
		if (db->pkgs[p].arch == arch || !strcmp(db_s(db, db->pkgs[p].arch), db_s(db, arch)))
			return p;
		last = p;
	}
	if (!create)
		return DB_NONE;
	if (omg_grow32(&db->pkgs, &db->cap_pkgs, db->npkgs + 1, sizeof *db->pkgs, UINT32_MAX) != 0)
		return DB_NONE;
	p = db->npkgs;
	pk = &db->pkgs[p];
	memset(pk, 0, sizeof *pk);
	pk->name = last != DB_NONE ? db->pkgs[last].name : db_str(db, name, nlen);
	if (pk->name == DB_NONE)
		return DB_NONE;
	pk->arch = arch;
	pk->vers = pk->inst = pk->cand = pk->next_arch = DB_NONE;
	db->npkgs++;
	if (last != DB_NONE) {
		db->pkgs[last].next_arch = p;
		return p;
	}
	for (slot = db_name_hash(name, nlen) & db->hash_mask; db->hash[slot] != DB_NONE;
	     slot = (slot + 1) & db->hash_mask)
		;
	db->hash[slot] = p;
	if (db->npkgs * 2 > db->hash_mask && hash_rebuild(db, db->hash_mask * 2 + 1) != 0)
		return DB_NONE;
	return p;
}

static uint32_t ver_hash(const struct db *db, uint32_t p, const char *version, size_t vlen)
{
	(void)db;
	return db_name_hash(version, vlen) ^ (p * 2654435761u);
}

/* Puts version I into the table (it is not there yet). */
static void vhash_put(struct db *db, uint32_t i)
{
	const char *s = db_s(db, db->vers[i].version);
	uint32_t slot = ver_hash(db, db->vers[i].pkg, s, strlen(s)) & db->vhash_mask;

	while (db->vhash[slot] != DB_NONE)
		slot = (slot + 1) & db->vhash_mask;
	db->vhash[slot] = i;
}

/* (Re)builds the table for every version so far: a package's versions were once found
 * by walking its chain, quadratic in them (40,000 versions of one package took 3 s). */
static int vhash_rebuild(struct db *db, uint32_t need)
{
	uint32_t mask = 1023;
	uint32_t *h;

	while ((uint64_t)need * 2 > mask)
		mask = mask * 2 + 1;
	h = malloc(((size_t)mask + 1) * sizeof *h);
	if (!h)
		return -1;
	memset(h, 0xff, ((size_t)mask + 1) * sizeof *h);
	free(db->vhash);
	db->vhash = h;
	db->vhash_mask = mask;
	for (uint32_t i = 0; i < db->nvers; i++)
		vhash_put(db, i);
	db->vhash_n = db->nvers;
	return 0;
}

uint32_t db_ver_get(struct db *db, uint32_t p, const char *version, size_t vlen, int *created)
{
	struct db_ver *v;
	uint32_t i, slot;

	*created = 0;
	if ((!db->vhash || db->vhash_n != db->nvers || (uint64_t)(db->nvers + 1) * 2 > db->vhash_mask) &&
	    vhash_rebuild(db, db->nvers + 1) != 0)
		return DB_NONE;
	for (slot = ver_hash(db, p, version, vlen) & db->vhash_mask; (i = db->vhash[slot]) != DB_NONE;
	     slot = (slot + 1) & db->vhash_mask) {
		const char *s = db_s(db, db->vers[i].version);
		if (db->vers[i].pkg == p && !strncmp(s, version, vlen) && s[vlen] == 0)
			return i;
	}
	if (omg_grow32(&db->vers, &db->cap_vers, db->nvers + 1, sizeof *db->vers, UINT32_MAX) != 0)
		return DB_NONE;
	i = db->nvers;
	v = &db->vers[i];
	memset(v, 0, sizeof *v);
	v->pkg = p;
	v->version = db_str(db, version, vlen);
	if (v->version == DB_NONE)
		return DB_NONE;
	v->src = v->archive = DB_NONE;
	v->next = db->pkgs[p].vers;
	db->pkgs[p].vers = i;
	db->nvers++;
	db->vhash[slot] = i;
	db->vhash_n = db->nvers;
	*created = 1;
	return i;
}

static int cmp_by_name(const void *a, const void *b, void *ctx)
{
	const struct db *db = ctx;
	const struct db_pkg *pa = &db->pkgs[*(const uint32_t *)a];
	const struct db_pkg *pb = &db->pkgs[*(const uint32_t *)b];
	int c = strcmp(db_s(db, pa->name), db_s(db, pb->name));

	return c ? c : strcmp(db_s(db, pa->arch), db_s(db, pb->arch));
}

int db_cmd_add(struct db *db, const char *name, size_t nlen, const char *package, size_t plen,
	       const char *path, size_t pathlen, int installed)
{
	struct db_cmd *c;

	if (omg_grow32(&db->cmds, &db->cap_cmds, db->ncmds + 1, sizeof *db->cmds, UINT32_MAX) != 0)
		return OMG_ERROR(OMG_E_NOMEM, "command index");
	c = &db->cmds[db->ncmds];
	c->name = db_str(db, name, nlen);
	c->package = db_str(db, package, plen);
	c->path = db_str(db, path, pathlen);
	c->installed = (uint32_t)installed;
	if (c->name == DB_NONE || c->package == DB_NONE || c->path == DB_NONE)
		return OMG_ERROR(OMG_E_NOMEM, "command index");
	db->ncmds++;
	return OMG_OK;
}

int db_vfile_add(struct db *db, uint32_t ver, uint32_t src, uint64_t off, uint32_t len)
{
	if (omg_grow32(&db->vfiles, &db->cap_vfiles, db->nvfiles + 1, sizeof *db->vfiles, UINT32_MAX) != 0)
		return OMG_ERROR(OMG_E_NOMEM, "index");
	db->vfiles[db->nvfiles++] = (struct db_vfile){ off, ver, src, len, 0 };
	return OMG_OK;
}

/* By version, then by list in apt's order (sources.list's), then as read. */
static int cmp_vfile(const void *a, const void *b, void *ctx)
{
	const struct db *db = ctx;
	const struct db_vfile *x = a, *y = b;
	uint32_t ox = db->srcs[x->src].order, oy = db->srcs[y->src].order;

	if (x->ver != y->ver)
		return x->ver < y->ver ? -1 : 1;
	if (ox != oy)
		return ox < oy ? -1 : 1;
	return x->src < y->src ? -1 : x->src > y->src;
}

uint32_t db_status_src(const struct db *db)
{
	for (uint32_t si = 0; si < db->nsrcs; si++)
		if (!db->srcs[si].desc)
			return si;
	return DB_NONE;
}

void db_vfiles_sort(struct db *db)
{
	for (uint32_t i = 1; i < db->nvfiles; i++) /* a backend may have sorted them already */
		if (cmp_vfile(&db->vfiles[i - 1], &db->vfiles[i], db) > 0) {
			qsort_r(db->vfiles, db->nvfiles, sizeof *db->vfiles, cmp_vfile, db);
			return;
		}
}

static int vfile_key(const struct db *db, uint32_t i, const void *key)
{
	uint32_t v = db->vfiles[i].ver, want = *(const uint32_t *)key;
	return v < want ? -1 : v > want;
}

void db_vfiles_of(const struct db *db, uint32_t ver, uint32_t *first, uint32_t *count)
{
	db_range(db, db->nvfiles, vfile_key, &ver, first, count);
}

int db_provide_add(struct db *db, const char *name, size_t nlen, uint32_t ver, const char *version, size_t vlen)
{
	uint32_t off, voff = 0;

	if (!nlen)
		return OMG_OK;
	if (omg_grow32(&db->provs, &db->cap_provs, db->nprovs + 1, sizeof *db->provs, UINT32_MAX) != 0 ||
	    (off = db_intern(db, name, nlen)) == DB_NONE || (vlen && (voff = db_intern(db, version, vlen)) == DB_NONE))
		return OMG_ERROR(OMG_E_NOMEM, "index");
	db->provs[db->nprovs++] = (struct db_provide){ off, ver, voff };
	return OMG_OK;
}

static int cmp_provide(const void *a, const void *b, void *ctx)
{
	const struct db *db = ctx;
	const struct db_provide *x = a, *y = b;
	int c = strcmp(db_s(db, x->name), db_s(db, y->name));

	return c ? c : x->ver < y->ver ? -1 : x->ver > y->ver;
}

static int provide_key(const struct db *db, uint32_t i, const void *key)
{
	return strcmp(db_s(db, db->provs[i].name), key);
}

void db_providers(const struct db *db, const char *name, uint32_t *first, uint32_t *count)
{
	db_range(db, db->nprovs, provide_key, name, first, count);
}

static int cmp_cmd(const void *a, const void *b, void *ctx)
{
	const struct db *db = ctx;
	const struct db_cmd *x = a, *y = b;
	int c = strcmp(db_s(db, x->name), db_s(db, y->name));

	if (c)
		return c;
	if (x->installed != y->installed)
		return x->installed ? -1 : 1;
	c = strcmp(db_s(db, x->package), db_s(db, y->package));
	return c ? c : strcmp(db_s(db, x->path), db_s(db, y->path));
}

static int cmd_key(const struct db *db, uint32_t i, const void *key)
{
	return strcmp(db_s(db, db->cmds[i].name), key);
}

void db_cmd_find(const struct db *db, const char *name, uint32_t *first, uint32_t *count)
{
	db_range(db, db->ncmds, cmd_key, name, first, count);
}

uint32_t db_cmd_packages(const struct db *db, const char *name, uint32_t *out, uint32_t max)
{
	uint32_t first, count, n = 0;

	db_cmd_find(db, name, &first, &count);
	for (uint32_t i = first; i < first + count && n < max; i++) {
		const char *package = db_s(db, db->cmds[i].package);
		int seen = 0;
		for (uint32_t j = 0; j < n && !seen; j++)
			seen = !strcmp(package, db_s(db, db->cmds[out[j]].package));
		if (!seen)
			out[n++] = i;
	}
	return n;
}

static int in_list(const struct db_pkg *pk, unsigned kind)
{
	switch (kind) {
	case DB_LIST_INSTALLED: return pk->inst != DB_NONE;
	case DB_LIST_EXPLICIT: return pk->inst != DB_NONE && !(pk->flags & DB_PKG_AUTO);
	case DB_LIST_ORPHANS: return (pk->flags & DB_PKG_ORPHAN) != 0;
	case DB_LIST_UPGRADABLE: return (pk->flags & DB_PKG_UPGRADABLE) != 0;
	case DB_LIST_SECURITY: return (pk->flags & DB_PKG_SECURITY) != 0;
	}
	return 0;
}

int db_list(const struct db *db, unsigned kind, uint32_t limit, struct db_hits *out)
{
	*out = (struct db_hits){ 0 };
	if (!limit)
		limit = UINT32_MAX;
	if (!(out->v = malloc(((size_t)db->npkgs + 1) * sizeof *out->v)))
		return OMG_ERROR(OMG_E_NOMEM, "list");
	for (uint32_t i = 0; i < db->npkgs; i++) {
		uint32_t pk = db->by_name[i];
		if (!in_list(&db->pkgs[pk], kind))
			continue;
		out->matched++;
		if (out->n < limit)
			out->v[out->n++] = pk;
	}
	return OMG_OK;
}

void db_range(const struct db *db, uint32_t n, int (*cmp)(const struct db *db, uint32_t i, const void *key),
	      const void *key, uint32_t *first, uint32_t *count)
{
	uint32_t lo = 0, hi = n;

	while (lo < hi) { /* the first entry not before KEY */
		uint32_t mid = lo + (hi - lo) / 2;
		if (cmp(db, mid, key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*first = lo;
	for (hi = lo; hi < n && cmp(db, hi, key) == 0; hi++)
		;
	*count = hi - lo;
}

int db_one_edit(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t i = 0;

	if (alen > blen) { /* A is the shorter, or they are as long */
		const char *t = a;
		size_t tl = alen;
		a = b, alen = blen, b = t, blen = tl;
	}
	if (blen - alen > 1)
		return 0;
	while (i < alen && a[i] == b[i])
		i++;
	if (i == alen)
		return blen == alen + 1; /* equal, or B has one more at the end */
	if (alen == blen)  /* replaced at i, or i and i+1 swapped */
		return !strcmp(a + i + 1, b + i + 1) ||
		       (i + 1 < alen && a[i] == b[i + 1] && a[i + 1] == b[i] && !strcmp(a + i + 2, b + i + 2));
	return !strcmp(a + i, b + i + 1); /* B has one more at i */
}

uint32_t db_cmd_similar(const struct db *db, const char *word, uint32_t *out, uint32_t max, int *available)
{
	size_t wlen = strlen(word);
	uint32_t n = 0;

	*available = 0;
	/* installed commands first: a full OUT never leaves one out for an available one */
	for (int pass = 1; pass >= 0; pass--)
		for (uint32_t i = 0; i < db->ncmds; i++) {
			const struct db_cmd *c = &db->cmds[i];
			const char *name;
			size_t len;

			if (!c->installed)
				*available = 1;
			if (n == max || (int)(c->installed != 0) != pass)
				continue;
			name = db_s(db, c->name);
			len = strlen(name);
			if (len + 1 >= wlen && len <= wlen + 1 && db_one_edit(word, wlen, name, len))
				out[n++] = i;
		}
	return n;
}

void db_input_fill(struct db_input *in, const struct stat *st)
{
	in->exists = st != NULL;
	if (!st)
		return;
	in->size = (uint64_t)st->st_size;
	in->mtime_ns = (uint64_t)st->st_mtim.tv_sec * 1000000000u + (uint64_t)st->st_mtim.tv_nsec;
	in->ctime_ns = (uint64_t)st->st_ctim.tv_sec * 1000000000u + (uint64_t)st->st_ctim.tv_nsec;
	in->ino = (uint64_t)st->st_ino;
	in->dev = (uint64_t)st->st_dev;
}

int db_input_add(struct db *db, const char *path)
{
	struct db_input *in;
	struct stat st;

	if (omg_grow32(&db->inputs, &db->cap_inputs, db->ninputs + 1, sizeof *db->inputs, UINT32_MAX) != 0)
		return OMG_ERROR(OMG_E_NOMEM, "inputs");
	in = &db->inputs[db->ninputs];
	memset(in, 0, sizeof *in);
	if ((in->path = db_str(db, path, strlen(path))) == DB_NONE)
		return OMG_ERROR(OMG_E_NOMEM, "inputs");
	db_input_fill(in, stat(path, &st) == 0 ? &st : NULL);
	db->ninputs++;
	return OMG_OK;
}

#define BAD(what) return OMG_ERROR(OMG_E_CORRUPT, "stored index: %s", what)
#define IDX_OK(i, n) ((i) < (n) || (i) == DB_NONE)

int db_validate(const struct db *db)
{
	size_t slen = db->str.len;

	/* Every string offset below the arena's end, and the arena ends in a NUL: each one
	 * is a terminated string inside it. */
	if (slen == 0 || db->str.p[slen - 1] != 0 || slen > UINT32_MAX)
		BAD("string arena");
#define STR_OK(o) ((o) < slen)
	if (!STR_OK(db->native_arch))
		BAD("architecture");
	if (db->hash_mask == 0 || (db->hash_mask & (db->hash_mask + 1)) != 0 || db->npkgs > db->hash_mask / 2 + 1)
		BAD("hash size");
	{
		/* Every probe must reach an empty slot: no more entries than packages, and
		 * the table is at least twice that size. */
		uint32_t used = 0;
		for (uint32_t i = 0; i <= db->hash_mask; i++) {
			if (!IDX_OK(db->hash[i], db->npkgs))
				BAD("hash");
			used += db->hash[i] != DB_NONE;
		}
		if (used > db->npkgs)
			BAD("hash load");
	}
	for (uint32_t i = 0; i < db->npkgs; i++) {
		const struct db_pkg *p = &db->pkgs[i];
		if (!STR_OK(p->name) || !STR_OK(p->arch) || db->by_name[i] >= db->npkgs)
			BAD("package");
		if ((p->next_arch != DB_NONE && (p->next_arch <= i || p->next_arch >= db->npkgs)) ||
		    !IDX_OK(p->vers, db->nvers))
			BAD("package chain");
		if ((p->inst != DB_NONE && (p->inst >= db->nvers || db->vers[p->inst].pkg != i)) ||
		    (p->cand != DB_NONE && (p->cand >= db->nvers || db->vers[p->cand].pkg != i)))
			BAD("package versions");
	}
	for (uint32_t i = 0; i < db->nvers; i++) {
		const struct db_ver *v = &db->vers[i];
		if (v->pkg >= db->npkgs || !STR_OK(v->version) || !STR_OK(v->desc) ||
		    (v->next != DB_NONE && v->next >= i) || !IDX_OK(v->src, db->nsrcs) ||
		    !IDX_OK(v->archive, db->nsrcs))
			BAD("version");
	}
	for (uint32_t i = 0; i < db->nsrcs; i++) {
		const struct db_src *s = &db->srcs[i];
		if (!STR_OK(s->path) || !STR_OK(s->origin) || !STR_OK(s->label) || !STR_OK(s->suite) ||
		    !STR_OK(s->codename) || !STR_OK(s->desc))
			BAD("source");
	}
	for (uint32_t i = 0; i < db->nprovs; i++) {
		const struct db_provide *pv = &db->provs[i];
		if (!STR_OK(pv->name) || !STR_OK(pv->version) || pv->ver >= db->nvers || (i && cmp_provide(&db->provs[i - 1], pv, (void *)db) > 0))
			BAD("provide");
	}
	for (uint32_t i = 0; i < db->nrels; i++) {
		const struct db_rel *r = &db->rels[i];
		if (r->ver >= db->nvers || (i && db->rels[i - 1].ver > r->ver) || !STR_OK(r->name) || !STR_OK(r->qual) ||
		    !STR_OK(r->version) || r->kind >= DB_REL__COUNT || r->op >= 8 || db->rels_by_name[i] >= db->nrels)
			BAD("relation");
	}
	for (uint32_t i = 0; i < db->nvfiles; i++) {
		const struct db_vfile *f = &db->vfiles[i];
		if (f->ver >= db->nvers || f->src >= db->nsrcs || (i && cmp_vfile(&db->vfiles[i - 1], f, (void *)db) > 0))
			BAD("version file");
	}
	for (uint32_t i = 0; i < db->ncmds; i++) {
		const struct db_cmd *c = &db->cmds[i];
		if (!STR_OK(c->name) || !STR_OK(c->package) || !STR_OK(c->path))
			BAD("command");
	}
	for (uint32_t i = 0; i < db->ninputs; i++)
		if (!STR_OK(db->inputs[i].path))
			BAD("input");
	for (uint32_t i = 0; i < db->nvers; i++) /* the rest of a description is a string too */
		if ((db->vers[i].flags & DBV_LONG_DESC) && !STR_OK(db->vers[i].desc + strlen(db_s(db, db->vers[i].desc)) + 1))
			BAD("description");
#undef STR_OK
	return textidx_validate(db);
}

int db_finish(struct db *db)
{
	db->by_name = malloc(((size_t)db->npkgs + 1) * sizeof *db->by_name);
	if (!db->by_name)
		return OMG_ERROR(OMG_E_NOMEM, "name index");
	for (uint32_t i = 0; i < db->npkgs; i++) {
		const char *n = db_s(db, db->pkgs[i].name);
		db->by_name[i] = i;
		for (; *n && !db->mixed_case_names; n++)
			db->mixed_case_names = isupper((unsigned char)*n) != 0;
	}
	qsort_r(db->by_name, db->npkgs, sizeof *db->by_name, cmp_by_name, db);
	{
		/* The hash table starts at 64 Ki slots; a small index gets one that fits it (the
		 * same load rule as db_pkg_get's), so that its snapshot stays small too. */
		uint32_t mask = 15;
		while (db->npkgs * 2 > mask)
			mask = mask * 2 + 1;
		if (mask < db->hash_mask && hash_rebuild(db, mask) != 0)
			return OMG_ERROR(OMG_E_NOMEM, "name index");
	}
	if (db->ncmds) /* qsort's base may not be NULL, even for no elements */
		qsort_r(db->cmds, db->ncmds, sizeof *db->cmds, cmp_cmd, db);
	if (db->nprovs)
		qsort_r(db->provs, db->nprovs, sizeof *db->provs, cmp_provide, db);
	db_vfiles_sort(db);
	if (db_rels_finish(db) != OMG_OK || textidx_build(db) != OMG_OK)
		return OMG_E_NOMEM;
	/* give back spare capacity; the version table is rebuilt if a reused db grows */
	free(db->vhash);
	db->vhash = NULL;
	if (db->npkgs) {
		void *p = realloc(db->pkgs, db->npkgs * sizeof *db->pkgs);
		if (p)
			db->pkgs = p, db->cap_pkgs = db->npkgs;
	}
	if (db->nvers) {
		void *p = realloc(db->vers, db->nvers * sizeof *db->vers);
		if (p)
			db->vers = p, db->cap_vers = db->nvers;
	}
	if (db->str.len) {
		void *p = realloc(db->str.p, db->str.len);
		if (p)
			db->str.p = p, db->str.cap = db->str.len;
	}
	return OMG_OK;
}

/* ---- queries ------------------------------------------------------------------------ */

static int usable(const struct db *db, uint32_t p, uint32_t flags)
{
	const struct db_pkg *pk = &db->pkgs[p];

	if (flags & DB_SEARCH_INSTALLED)
		return pk->inst != DB_NONE;
	return pk->inst != DB_NONE || pk->cand != DB_NONE;
}

int db_suggest(const struct db *db, const char *prefix, uint32_t limit, uint32_t flags, struct db_hits *out)
{
	size_t plen = strlen(prefix);
	uint32_t lo = 0, hi = db->npkgs;
	const char *prev = NULL;

	memset(out, 0, sizeof *out);
	out->v = malloc(((size_t)limit + 1) * sizeof *out->v);
	if (!out->v)
		return OMG_ERROR(OMG_E_NOMEM, "suggest");
	while (lo < hi) { /* first name >= prefix */
		uint32_t mid = lo + (hi - lo) / 2;
		if (strncmp(db_s(db, db->pkgs[db->by_name[mid]].name), prefix, plen) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (uint32_t i = lo; i < db->npkgs; i++) {
		uint32_t p = db->by_name[i];
		const char *name = db_s(db, db->pkgs[p].name);
		if (strncmp(name, prefix, plen) != 0)
			break;
		/* apt's pkgnames also names packages of which only configuration files remain */
		if ((!usable(db, p, flags) &&
		     ((flags & DB_SEARCH_INSTALLED) || !(db->pkgs[p].flags & DB_PKG_CONFIG_FILES))) ||
		    (prev && !strcmp(prev, name)))
			continue;
		prev = name;
		out->matched++;
		if (out->n < limit)
			out->v[out->n++] = p;
	}
	return OMG_OK;
}

/* NAME or NAME:ARCH among the instances that have a version (ANY) or are usable. */
static uint32_t lookup(const struct db *db, const char *spec, int any)
{
	const char *colon = strchr(spec, ':');
	size_t nlen = colon ? (size_t)(colon - spec) : strlen(spec);
	uint32_t best = DB_NONE;

	for (uint32_t p = db_pkg_first(db, spec, nlen); p != DB_NONE; p = db->pkgs[p].next_arch) {
		const char *arch = db_s(db, db->pkgs[p].arch);
		if (any ? db->pkgs[p].vers == DB_NONE : !usable(db, p, 0))
			continue;
		if (colon ? !strcmp(arch, colon + 1) : !strcmp(arch, db_s(db, db->native_arch)))
			return p;
		if (!colon && best == DB_NONE)
			best = p;
	}
	return best;
}

uint32_t db_lookup_any(const struct db *db, const char *spec)
{
	return lookup(db, spec, 1);
}

uint32_t db_lookup(const struct db *db, const char *spec)
{
	return lookup(db, spec, 0);
}
