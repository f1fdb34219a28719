/* translations.c — apt's Translation-en files: the long descriptions that package lists
 * carrying only a Description-md5 leave out (Debian's own lists do).
 *
 * apt describes a version in the first language of Acquire::Languages it has a description
 * in; by default ("environment", "en") and with "en" listed, that is the Translation-en
 * record whose Description-md5 is the version's. omgd reads English only (a user's
 * environment is not the daemon's), and only the files of the lists it read: the part of the
 * name before "i18n_" is a list's before "binary-". Read after the lists, before dpkg's status
 * file (whose versions share a list version's description, fields.c).
 */
#include "config.h"
#include "dpkg.h"
#include "listfile.h"
#include "omg_error.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Whether Acquire::Languages asks for English: unset (apt's default: environment, then en),
 * or a list with "en" or "environment" in it ("none" alone: no translations). */
struct langs {
	int any, en;
};

static void note_lang(void *ctx, const char *v)
{
	struct langs *l = ctx;

	if (!v[0])
		return;
	l->any = 1;
	l->en |= !strcmp(v, "en") || !strcmp(v, "environment");
}

static int wants_english(const struct build *b)
{
	struct langs l = { 0 };
	const char *one = aptconf_get(&b->conf, "acquire::languages", NULL);

	if (one)
		note_lang(&l, one);
	aptconf_each(&b->conf, "acquire::languages", note_lang, &l);
	return !l.any || l.en;
}

/* Every version of NAME whose description has MD5 takes DESC (LEN bytes). */
static int apply(struct build *b, const char *name, size_t nlen, uint32_t md5, const char *desc, size_t len)
{
	struct db *db = b->db;
	const uint32_t *md5s = b->ver_md5;
	size_t n = b->nver_md5;

	if (!md5)
		return OMG_OK;
	for (uint32_t p = db_pkg_first(db, name, nlen); p != DB_NONE; p = db->pkgs[p].next_arch)
		for (uint32_t v = db->pkgs[p].vers; v != DB_NONE; v = db->vers[v].next)
			if (v < n && md5s[v] == md5 && db_desc_set(db, v, desc, len) != OMG_OK)
				return OMG_E_NOMEM;
	return OMG_OK;
}

/* Record: u16 name length, u32 MD5 (deb_desc_md5), u32 description length, the strings. */
static int tr_chunk(void *ctx, const char *buf, size_t len, uint64_t base)
{
	struct build *b = ctx;
	struct deb822_para para;
	size_t pos = 0;

	(void)base;
	while (deb822_next_para(buf, len, &pos, &para)) {
		struct deb822_field f, name = { 0 }, md5 = { 0 }, desc = { 0 };
		size_t fpos = 0;
		uint32_t m;
		int r;
		while ((r = deb822_next_field(&para, &fpos, &f)) == 1) {
			if (deb822_is(&f, "Package"))
				name = f;
			else if (deb822_is(&f, "Description-md5"))
				md5 = f;
			else if (deb822_is(&f, "Description-en"))
				desc = f;
		}
		if (r < 0 || !name.value_len || name.value_len > UINT16_MAX || desc.value_len > UINT32_MAX ||
		    !(m = deb_desc_md5(md5.value, md5.value_len, desc.value, desc.value_len))) {
			b->db->malformed++;
			continue;
		}
		if (b->cache) {
			omg_put_u16(&b->rec, (uint16_t)name.value_len);
			omg_put_u32(&b->rec, m);
			omg_put_u32(&b->rec, (uint32_t)desc.value_len);
			omg_put_bytes(&b->rec, name.value, name.value_len);
			omg_put_bytes(&b->rec, desc.value, desc.value_len);
		}
		if ((r = apply(b, name.value, name.value_len, m, desc.value, desc.value_len)) != OMG_OK)
			return r;
	}
	return OMG_OK;
}

static int replay_tr(struct build *b, const struct src_records *sr)
{
	struct omg_rbuf r;
	int rc = OMG_OK;

	omg_rbuf_init(&r, sr->p, sr->len);
	while (rc == OMG_OK && r.pos < r.len && !r.failed) {
		size_t nlen = omg_get_u16(&r);
		uint32_t m = omg_get_u32(&r);
		size_t dlen = omg_get_u32(&r);
		const char *name = (const char *)omg_get_bytes(&r, nlen), *desc = (const char *)omg_get_bytes(&r, dlen);
		if (r.failed || !nlen)
			return OMG_ERROR(OMG_E_CORRUPT, "stored records of a translation");
		rc = apply(b, name, nlen, m, desc, dlen);
	}
	b->db->malformed += sr->malformed;
	return rc;
}

static int read_tr(struct build *b, const char *path)
{
	int rc = listfile_read(path, tr_chunk, b);

	if (rc != OMG_OK && rc != OMG_E_NOMEM) { /* a damaged file: what was read stays */
		b->db->malformed++;
		rc = OMG_OK;
	}
	return rc;
}

/* Whether NAME (…_i18n_Translation-en[.ext]) belongs to a list this build read. */
static int of_a_list(const struct build *b, const char *name, int *compressed)
{
	static const char *const ext[] = { "", ".lz4", ".gz", ".xz", ".zst", ".bz2", ".lzma" };
	const char *tr = strstr(name, "_i18n_Translation-en"), *tail;
	size_t plen;

	if (!tr)
		return 0;
	tail = tr + strlen("_i18n_Translation-en");
	*compressed = -1;
	for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++)
		if (!strcmp(tail, ext[i]))
			*compressed = i != 0;
	if (*compressed < 0)
		return 0;
	plen = (size_t)(tr - name) + 1; /* "…_main_" */
	for (uint32_t s = 0; s < b->db->nsrcs; s++) {
		const char *path = db_s(b->db, b->db->srcs[s].path), *base = strrchr(path, '/');
		base = base ? base + 1 : path;
		if (!strncmp(base, name, plen) && !strncmp(base + plen, "binary-", 7))
			return 1;
	}
	return 0;
}

int deb_read_translations(struct build *b)
{
	char path[8192];
	struct dirent *de;
	DIR *d;
	int rc = OMG_OK;

	if (!wants_english(b) || !(d = opendir(b->paths.lists)))
		return OMG_OK;
	while (rc == OMG_OK && (de = readdir(d))) {
		struct stat st;
		int compressed;
		if (!of_a_list(b, de->d_name, &compressed))
			continue;
		snprintf(path, sizeof path, "%s/%s", b->paths.lists, de->d_name);
		if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		if ((rc = db_input_add(b->db, path)) == OMG_OK)
			rc = deb_cached_source(b, path, &st, SRC_TRANSLATIONS, 0, replay_tr, read_tr);
	}
	closedir(d);
	return rc;
}
