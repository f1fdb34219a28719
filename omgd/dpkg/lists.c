/* lists.c — apt's package lists (Packages files in every compression apt uses), each with
 * the Release file of its source. */
#include "config.h"
#include "dpkg.h"
#include "grow.h"
#include "listfile.h"
#include "omg_error.h"

#include <dirent.h>
#include <limits.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* One paragraph of a package list, parsed now or replayed from the store. */
struct list_para {
	const char *name, *arch, *ver, *desc, *prov, *source;
	size_t nlen, alen, vlen, dlen, plen, slen; /* source: the Source field, for src: pins */
	uint64_t off;
	uint32_t len;
	const char *rel[DB_REL__COUNT];
	size_t rlen[DB_REL__COUNT];
	uint8_t priority;        /* enum db_priority */
	uint32_t dmd5;           /* deb_desc_md5 */
};

static int add_list_version(struct build *b, const struct list_para *lp)
{
	struct db *db = b->db;
	const struct db_src *src = &db->srcs[b->src];
	uint32_t p, v;
	int created;

	/* No filter by Architecture: apt takes every stanza of a list it reads (its lists are
	 * chosen by architecture already), an armhf one in an amd64 list included. */
	p = db_pkg_get(db, lp->name, lp->nlen, deb_arch_of(b, lp->arch, lp->alen), 1);
	if (p == DB_NONE || (v = db_ver_get(db, p, lp->ver, lp->vlen, &created)) == DB_NONE)
		return OMG_ERROR(OMG_E_NOMEM, "index");
	if (created || db->vers[v].archive == DB_NONE)
		db->vers[v].archive = b->src;
	if (created) {
		db->vers[v].src = b->src;
		db->vers[v].off = lp->off;
		db->vers[v].len = lp->len;
		db->vers[v].flags = (uint16_t)((db->vers[v].flags & ~DBV_PRIO_MASK) | (lp->priority << DBV_PRIO_SHIFT));
		if (db_desc_set(db, v, lp->desc, lp->dlen) != OMG_OK || deb_set_desc_md5(b, v, lp->dmd5) != OMG_OK ||
		    (lp->plen && deb_add_provides(db, v, lp->prov, lp->plen) != OMG_OK) ||
		    deb_add_relations(db, v, lp->rel, lp->rlen) != OMG_OK ||
		    deb_set_source(b, v, lp->source, lp->slen) != OMG_OK)
			return OMG_E_NOMEM;
	}
	if (db_vfile_add(db, v, b->src, lp->off, lp->len) != OMG_OK)
		return OMG_E_NOMEM;
	if (src->security)
		db->vers[v].flags |= DBV_SECURITY;
	if (lp->alen == 3 && !memcmp(lp->arch, "all", 3)) /* apt's Version.Arch(): the metrics' arch label */
		db->vers[v].flags |= DBV_ARCH_ALL;
	return 0;
}

/* Record: u16 name, arch and version lengths, u32 description length (the whole field: apt
 * searches it), u32 stanza length, u64 offset,
 * u32 Provides length, u32 lengths of the relation fields, u8 priority, u16 Source name
 * length, u32 description MD5 (deb_desc_md5), then the strings in that order. */
static void record_list_para(struct omg_wbuf *w, const struct list_para *lp)
{
	omg_put_u16(w, (uint16_t)lp->nlen);
	omg_put_u16(w, (uint16_t)lp->alen);
	omg_put_u16(w, (uint16_t)lp->vlen);
	omg_put_u32(w, (uint32_t)lp->dlen);
	omg_put_u32(w, lp->len);
	omg_put_u64(w, lp->off);
	omg_put_u32(w, (uint32_t)lp->plen);
	for (int k = 0; k < DB_REL__COUNT; k++)
		omg_put_u32(w, (uint32_t)lp->rlen[k]);
	omg_put_u8(w, lp->priority);
	omg_put_u16(w, (uint16_t)lp->slen);
	omg_put_u32(w, lp->dmd5);
	omg_put_bytes(w, lp->name, lp->nlen);
	omg_put_bytes(w, lp->arch, lp->alen);
	omg_put_bytes(w, lp->ver, lp->vlen);
	omg_put_bytes(w, lp->desc, lp->dlen);
	omg_put_bytes(w, lp->prov, lp->plen);
	omg_put_bytes(w, lp->source, lp->slen);
	for (int k = 0; k < DB_REL__COUNT; k++)
		omg_put_bytes(w, lp->rel[k], lp->rlen[k]);
}

static int replay_list(struct build *b, const struct src_records *sr)
{
	struct omg_rbuf r;
	int rc = 0;

	omg_rbuf_init(&r, sr->p, sr->len);
	while (rc == 0 && r.pos < r.len && !r.failed) {
		struct list_para lp;
		lp.nlen = omg_get_u16(&r);
		lp.alen = omg_get_u16(&r);
		lp.vlen = omg_get_u16(&r);
		lp.dlen = omg_get_u32(&r);
		lp.len = omg_get_u32(&r);
		lp.off = omg_get_u64(&r);
		lp.plen = omg_get_u32(&r);
		for (int k = 0; k < DB_REL__COUNT; k++)
			lp.rlen[k] = omg_get_u32(&r);
		lp.priority = omg_get_u8(&r);
		lp.slen = omg_get_u16(&r);
		lp.dmd5 = omg_get_u32(&r);
		lp.name = (const char *)omg_get_bytes(&r, lp.nlen);
		lp.arch = (const char *)omg_get_bytes(&r, lp.alen);
		lp.ver = (const char *)omg_get_bytes(&r, lp.vlen);
		lp.desc = (const char *)omg_get_bytes(&r, lp.dlen);
		lp.prov = (const char *)omg_get_bytes(&r, lp.plen);
		lp.source = (const char *)omg_get_bytes(&r, lp.slen);
		for (int k = 0; k < DB_REL__COUNT; k++)
			lp.rel[k] = (const char *)omg_get_bytes(&r, lp.rlen[k]);
		if (r.failed || !lp.nlen || !lp.vlen)
			return OMG_ERROR(OMG_E_CORRUPT, "stored records of a package list");
		rc = add_list_version(b, &lp);
	}
	b->db->malformed += sr->malformed;
	b->db->damaged_lists += sr->damaged;
	return rc;
}

static int list_chunk(void *ctx, const char *buf, size_t len, uint64_t base)
{
	struct build *b = ctx;
	struct db *db = b->db;
	struct deb822_para para;
	size_t pos = 0;

	while (deb822_next_para(buf, len, &pos, &para)) {
		struct deb822_field f, name = { 0 }, ver = { 0 }, arch = { 0 }, desc = { 0 }, prov = { 0 };
		struct deb822_field rel[DB_REL__COUNT] = { { 0 } }, prio = { 0 }, source = { 0 }, md5 = { 0 };
		struct list_para lp;
		size_t fpos = 0;
		int r, k;

		while ((r = deb822_next_field(&para, &fpos, &f)) == 1) {
			if (deb822_is(&f, "Package"))
				name = f;
			else if (deb822_is(&f, "Version"))
				ver = f;
			else if (deb822_is(&f, "Architecture"))
				arch = f;
			else if (deb822_is(&f, "Description"))
				desc = f;
			else if (deb822_is(&f, "Provides"))
				prov = f;
			else if (deb822_is(&f, "Priority"))
				prio = f;
			else if (deb822_is(&f, "Source"))
				source = f;
			else if (deb822_is(&f, "Description-md5"))
				md5 = f;
			else if ((k = deb_rel_field(&f)) >= 0)
				rel[k] = f;
		}
		if (r < 0 || !name.value_len || !ver.value_len || name.value_len > UINT16_MAX ||
		    ver.value_len > UINT16_MAX || arch.value_len > UINT16_MAX || para.len > UINT32_MAX) {
			db->malformed++;
			continue;
		}
		lp = (struct list_para){ .name = name.value, .arch = arch.value, .ver = ver.value, .desc = desc.value,
					 .prov = prov.value, .source = source.value, .nlen = name.value_len,
					 .alen = arch.value_len, .vlen = ver.value_len,
					 .dlen = desc.value_len, .plen = prov.value_len,
					 .slen = source.value_len < UINT16_MAX ? source.value_len : UINT16_MAX,
					 .off = base + para.offset, .len = (uint32_t)para.len };
		for (k = 0; k < DB_REL__COUNT; k++)
			lp.rel[k] = rel[k].value, lp.rlen[k] = rel[k].value_len;
		lp.priority = deb_priority_code(prio.value, prio.value_len);
		lp.dmd5 = deb_desc_md5(md5.value, md5.value_len, desc.value, desc.value_len);
		if (b->cache)
			record_list_para(&b->rec, &lp);
		if ((r = add_list_version(b, &lp)) != 0)
			return r;
	}
	return 0;
}

static int read_one_list(struct build *b, const char *path)
{
	int rc = listfile_read(path, list_chunk, b);

	if (rc != OMG_OK && rc != OMG_E_NOMEM) {
		/* A damaged or unreadable list (a truncated download): keep its whole
		 * paragraphs, count it, and go on with the others. */
		b->db->malformed++;
		b->db->damaged_lists++;
		rc = OMG_OK;
	}
	return rc;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int is_list(const char *n, int *compressed)
{
	const char *p = strstr(n, "_Packages");
	static const char *const ext[] = { "", ".lz4", ".gz", ".xz", ".zst", ".bz2", ".lzma" };

	if (!p)
		return 0;
	p += strlen("_Packages");
	for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++)
		if (!strcmp(p, ext[i])) {
			*compressed = i != 0;
			return 1;
		}
	return 0;
}

/* A package list of the lists directory, with what its source says of it (found once). */
struct list_file {
	const char *name;
	int compressed;
	struct aptsources_list l;
};

/* apt reads the lists in its sources' order (the first index that has a version gives it
 * its Priority field, and so autoremove's "required" roots), not the names'. */
static int cmp_source_order(const void *a, const void *b)
{
	const struct list_file *x = a, *y = b;
	unsigned rx = x->l.rank > 0 ? (unsigned)x->l.rank : UINT_MAX, ry = y->l.rank > 0 ? (unsigned)y->l.rank : UINT_MAX;

	return rx != ry ? (rx < ry ? -1 : 1) : strcmp(x->name, y->name);
}

static int arch_configured(const void *b, const char *arch, size_t len)
{
	return deb_arch_known(b, arch, len) || (len == 3 && !memcmp(arch, "all", 3));
}

/* Whether list LF is one apt uses: a source names it, for one of that source's
 * architectures ("_binary-ARCH_Packages"; a flat repository's list has none). */
static int named_by_source(const struct build *b, const struct list_file *lf)
{
	return lf->l.entry &&
	       (!lf->l.arch[0] || aptsource_has_arch(lf->l.entry, lf->l.arch, strlen(lf->l.arch), arch_configured, b));
}

/* The directory's names and the Release files grow as needed: fixed tables of 1,024 names
 * and 64 Release files once indexed whatever subset readdir happened to return first. */
int deb_read_lists(struct build *b)
{
	struct release *rels = NULL;
	struct list_file *lists = NULL;
	char **names = NULL, path[8192];
	size_t nrel = 0, nn = 0, nl = 0, cap_rels = 0, cap_names = 0, cap_lists = 0;
	int rc = OMG_OK, failed = 0;
	struct dirent *de;
	DIR *d = opendir(b->paths.lists);

	if (db_input_add(b->db, b->paths.lists) != OMG_OK) {
		if (d)
			closedir(d);
		return OMG_E_NOMEM;
	}
	if (!d)
		return errno == ENOENT ? OMG_OK : OMG_ERROR(OMG_E_SYS, "%s: %s", b->paths.lists, strerror(errno));
	while ((de = readdir(d)))
		if (de->d_name[0] != '.') {
			if (omg_grow(&names, &cap_names, nn + 1, sizeof *names, OMG_GROW_UNBOUNDED) != OMG_OK ||
			    !(names[nn] = strdup(de->d_name))) {
				failed = 1;
				break;
			}
			nn++;
		}
	closedir(d);
	if (failed) {
		rc = OMG_ERROR(OMG_E_NOMEM, "%s", b->paths.lists);
		goto fail;
	}
	if (nn)
		qsort(names, nn, sizeof *names, cmp_str);
	for (size_t i = 0; i < nn; i++) {
		size_t l = strlen(names[i]);
		size_t cut = l >= 9 && !strcmp(names[i] + l - 9, "InRelease") ? 9 :
			     l >= 7 && !strcmp(names[i] + l - 7, "Release") ? 7 : 0;
		struct release r = { 0 };
		if (!cut || l - cut >= sizeof r.prefix)
			continue;
		memcpy(r.prefix, names[i], l - cut);
		snprintf(path, sizeof path, "%s/%s", b->paths.lists, names[i]);
		if (db_input_add(b->db, path) != OMG_OK) {
			rc = OMG_E_NOMEM;
			goto fail;
		}
		if (deb_read_release(path, &r) == 0) {
			if (omg_grow(&rels, &cap_rels, nrel + 1, sizeof *rels, OMG_GROW_UNBOUNDED) != OMG_OK) {
				rc = OMG_ERROR(OMG_E_NOMEM, "Release files");
				goto fail;
			}
			rels[nrel++] = r;
		}
	}
	for (size_t i = 0; i < nn; i++) {
		struct list_file lf = { .name = names[i] };
		if (!is_list(names[i], &lf.compressed))
			continue;
		aptsources_find(&b->sources, names[i], &lf.l);
		if (omg_grow(&lists, &cap_lists, nl + 1, sizeof *lists, OMG_GROW_UNBOUNDED) != OMG_OK) {
			rc = OMG_ERROR(OMG_E_NOMEM, "package lists");
			goto fail;
		}
		lists[nl++] = lf;
	}
	if (nl)
		qsort(lists, nl, sizeof *lists, cmp_source_order);
	for (size_t i = 0; i < nl; i++) {
		const struct release *rel = NULL;
		const char *name = lists[i].name;
		size_t best = 0;
		struct stat st;
		if (rc != OMG_OK)
			break;
		if (!named_by_source(b, &lists[i])) {
			b->db->ignored_lists++; /* a removed or disabled source's, or another architecture's */
			continue;
		}
		snprintf(path, sizeof path, "%s/%s", b->paths.lists, name);
		if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		for (size_t r = 0; r < nrel; r++) { /* the Release file with the longest common prefix */
			size_t pl = strlen(rels[r].prefix);
			if (pl > best && !strncmp(name, rels[r].prefix, pl))
				rel = &rels[r], best = pl;
		}
		if ((b->src = deb_add_src(b, path, lists[i].compressed, rel, &lists[i].l)) == DB_NONE ||
		    db_input_add(b->db, path) != OMG_OK) {
			rc = OMG_ERROR(OMG_E_NOMEM, "sources");
			continue;
		}
		rc = deb_cached_source(b, path, &st, SRC_PACKAGES, 0, replay_list, read_one_list);
	}
fail:
	for (size_t i = 0; i < nn; i++)
		free(names[i]);
	free(names);
	free(rels);
	free(lists);
	return rc;
}
