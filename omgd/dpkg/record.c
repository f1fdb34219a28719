/* record.c — a version's record read back from its source (status file or list), checked
 * to still be that version's. */
#include "config.h"
#include "dpkg.h"
#include "listfile.h"
#include "omg_error.h"

#include <stdlib.h>
#include <string.h>

/* Whether the paragraph PARA is the record of version V: its Package, Version and
 * Architecture ("all" or none: the native one) are V's. */
static int para_is(const struct db *db, const struct db_ver *ver, const struct deb822_para *para)
{
	const struct db_pkg *pk = &db->pkgs[ver->pkg];
	const char *want_arch = db_s(db, pk->arch);
	struct deb822_field f;
	size_t fpos = 0;
	int name = 0, version = 0, arch = pk->arch == db->native_arch || !strcmp(want_arch, db_s(db, db->native_arch));
	int native = arch;

	while (deb822_next_field(para, &fpos, &f) == 1) {
		if (deb822_is(&f, "Package"))
			name = f.value_len == strlen(db_s(db, pk->name)) && !memcmp(f.value, db_s(db, pk->name), f.value_len);
		else if (deb822_is(&f, "Version"))
			version = f.value_len == strlen(db_s(db, ver->version)) &&
				  !memcmp(f.value, db_s(db, ver->version), f.value_len);
		else if (deb822_is(&f, "Architecture"))
			arch = (f.value_len == strlen(want_arch) && !memcmp(f.value, want_arch, f.value_len)) ||
			       (native && f.value_len == 3 && !memcmp(f.value, "all", 3));
	}
	return name && version && arch;
}

static int record_is(const struct db *db, const struct db_ver *ver, const char *rec, size_t len)
{
	struct deb822_para para;
	size_t pos = 0;

	return deb822_next_para(rec, len, &pos, &para) && para.offset == 0 && para_is(db, ver, &para);
}

struct record_find {
	const struct db *db;
	const struct db_ver *ver;
	char *found;
};

static int find_chunk(void *ctx, const char *buf, size_t len, uint64_t base)
{
	struct record_find *rf = ctx;
	struct deb822_para para;
	size_t pos = 0;

	(void)base;
	while (deb822_next_para(buf, len, &pos, &para))
		if (para_is(rf->db, rf->ver, &para)) {
			if (!(rf->found = strndup(para.start, para.len)))
				return OMG_ERROR(OMG_E_NOMEM, "record");
			return 1; /* found: stop reading */
		}
	return 0;
}

/* The record at the stored offset, if it still is this version's: dpkg rewrites its
 * status file in place of the indexed one, and an offset into the new file can hold
 * another package's record (the hostile test printed one). Then the whole source is
 * searched for the version's paragraph; if it has gone, the record is not shown. */
static int record_at(const struct db *db, uint32_t v, uint32_t si, uint64_t off, uint32_t len, struct record *out)
{
	const struct db_ver *ver = &db->vers[v];
	const struct db_src *src;
	struct record_find rf = { db, ver, NULL };
	char *buf;
	int rc;

	*out = (struct record){ 0 };
	if (si == DB_NONE)
		return OMG_ERROR(OMG_E_NOTFOUND, "no record");
	src = &db->srcs[si];
	if (!(buf = malloc((size_t)len + 1)))
		return OMG_ERROR(OMG_E_NOMEM, "record");
	rc = listfile_extract(db_s(db, src->path), src->compressed, off, len, buf);
	if (rc == OMG_OK && record_is(db, ver, buf, len)) {
		return record_take(out, buf);
	}
	free(buf);
	rc = listfile_read(db_s(db, src->path), find_chunk, &rf);
	if (rf.found)
		return record_take(out, rf.found);
	return rc == OMG_E_NOMEM ? rc : OMG_ERROR(OMG_E_STALE, "%s changed since it was indexed", db_s(db, src->path));
}

int deb_record(const struct db *db, uint32_t v, struct record *out)
{
	const struct db_ver *ver = &db->vers[v];

	return record_at(db, v, ver->src, ver->off, ver->len, out);
}

int deb_record_file(const struct db *db, uint32_t vf, struct record *out)
{
	const struct db_vfile *f = &db->vfiles[vf];

	return record_at(db, f->ver, f->src, f->off, f->len, out);
}
