/* status.c — dpkg's status file (installed, held, config-files versions; what the
 * autoremove walk needs) and apt's extended_states (Auto-Installed). */
#include "config.h"
#include "dpkg.h"
#include "grow.h"
#include "omg_error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The relation kinds the autoremove walk follows, by DEP_*. */
static const enum db_rel_kind dep_kinds[DEP__COUNT] = { DB_REL_PRE_DEPENDS, DB_REL_DEPENDS, DB_REL_RECOMMENDS,
							 DB_REL_SUGGESTS };

static int parse_state(const char *v, size_t n, int *want_hold)
{
	static const char *const states[] = {
		"not-installed", "config-files", "half-installed", "unpacked", "half-configured",
		"triggers-awaited", "triggers-pending", "installed",
	};
	const char *last = v + n;

	*want_hold = n >= 5 && !strncmp(v, "hold ", 5);
	while (last > v && last[-1] != ' ')
		last--;
	for (size_t i = 0; i < sizeof states / sizeof states[0]; i++)
		if ((size_t)(v + n - last) == strlen(states[i]) && !strncmp(last, states[i], strlen(states[i])))
			return (int)i;
	return -1;
}

int deb_status_chunk(void *ctx, const char *buf, size_t len, uint64_t base)
{
	struct build *b = ctx;
	struct db *db = b->db;
	struct deb822_para para;
	size_t pos = 0;

	while (deb822_next_para(buf, len, &pos, &para)) {
		struct deb822_field f, name = { 0 }, ver = { 0 }, arch = { 0 }, desc = { 0 }, status = { 0 };
		struct deb822_field source = { 0 };
		struct inst_rec rec = { 0 };
		const char *rel[DB_REL__COUNT] = { 0 };
		size_t rlen[DB_REL__COUNT] = { 0 }, fpos = 0;
		uint8_t prio_code = 0;
		uint32_t isize = 0;
		int k;
		int r, state, hold, created, dup, essential = 0, required = 0, protect = 0;
		uint32_t p, v;

		rec.multiarch = MA_NO;
		while ((r = deb822_next_field(&para, &fpos, &f)) == 1) {
			if (deb822_is(&f, "Package")) name = f;
			else if (deb822_is(&f, "Version")) ver = f;
			else if (deb822_is(&f, "Architecture")) arch = f;
			else if (deb822_is(&f, "Description")) desc = f;
			else if (deb822_is(&f, "Status")) status = f;
			else if (deb822_is(&f, "Source")) source = f;
			else if (deb822_is(&f, "Essential")) essential = f.value_len == 3 && !strncmp(f.value, "yes", 3);
			else if (deb822_is(&f, "Protected") || deb822_is(&f, "Important"))
				protect = f.value_len == 3 && !strncmp(f.value, "yes", 3);
			else if (deb822_is(&f, "Installed-Size")) {
				char num[24];
				size_t nl = f.value_len < sizeof num - 1 ? f.value_len : sizeof num - 1;
				memcpy(num, f.value, nl);
				num[nl] = 0;
				isize = (uint32_t)strtoul(num, NULL, 10);
			} else if (deb822_is(&f, "Priority")) prio_code = deb_priority_code(f.value, f.value_len);
			else if (deb822_is(&f, "Provides")) rec.provides = db_str(db, f.value, f.value_len);
			else if ((k = deb_rel_field(&f)) >= 0)
				rel[k] = f.value, rlen[k] = f.value_len;
			else if (deb822_is(&f, "Multi-Arch"))
				rec.multiarch = !strncmp(f.value, "same", 4) ? MA_SAME : !strncmp(f.value, "foreign", 7) ? MA_FOREIGN
						: !strncmp(f.value, "allowed", 7) ? MA_ALLOWED : MA_NO;
		}
		/* the autoremove walk reads its kinds of relations after the buffer has gone */
		for (int d = 0; d < DEP__COUNT; d++)
			if (rlen[dep_kinds[d]])
				rec.deps[d] = db_str(db, rel[dep_kinds[d]], rlen[dep_kinds[d]]);
		if (r < 0 || !name.value_len || !status.value_len) {
			db->malformed++;
			continue;
		}
		state = parse_state(status.value, status.value_len, &hold);
		if (state < 0) {
			db->malformed++;
			continue;
		}
		if (state == ST_CONFIG_FILES) {
			/* No current version: counted nowhere, but apt still knows the name (its
			 * pkgnames, and so its completion, offers it). */
			p = db_pkg_get(db, name.value, name.value_len, deb_arch_of(b, arch.value, arch.value_len), 1);
			if (p == DB_NONE)
				return OMG_ERROR(OMG_E_NOMEM, "index");
			db->pkgs[p].flags |= DB_PKG_CONFIG_FILES;
			/* Its version stays in apt's version table (policy shows it at priority -1,
			 * from the status file), never a candidate. */
			if (ver.value_len) {
				if ((v = db_ver_get(db, p, ver.value, ver.value_len, &created)) == DB_NONE)
					return OMG_ERROR(OMG_E_NOMEM, "index");
				db->vers[v].flags |= DBV_STATUS;
				if (created) {
					if (deb_set_source(b, v, source.value, source.value_len) != OMG_OK)
						return OMG_E_NOMEM;
					db->vers[v].src = b->src;
					db->vers[v].off = base + para.offset;
					db->vers[v].len = (uint32_t)para.len;
					if (db_desc_set(db, v, desc.value, desc.value_len) != OMG_OK)
						return OMG_E_NOMEM;
				}
			}
			continue;
		}
		if (state < ST_CONFIG_FILES || !ver.value_len)
			continue; /* not installed: dpkg's memory of a purged package */
		p = db_pkg_get(db, name.value, name.value_len, deb_arch_of(b, arch.value, arch.value_len), 1);
		if (p == DB_NONE || (v = db_ver_get(db, p, ver.value, ver.value_len, &created)) == DB_NONE)
			return OMG_ERROR(OMG_E_NOMEM, "index");
		dup = db->pkgs[p].inst != DB_NONE; /* only status paragraphs set it */
		db->pkgs[p].inst = v;
		db->pkgs[p].state = (uint8_t)state;
		db->pkgs[p].flags |= DB_PKG_INSTALLED | (hold ? DB_PKG_HELD : 0) | (essential ? DB_PKG_ESSENTIAL : 0);
		if (db->pkgs[p].arch != db->native_arch)
			db->pkgs[p].flags |= DB_PKG_FOREIGN;
		db->vers[v].flags |= DBV_STATUS;
		db->vers[v].isize = isize;
		if (created)
			db->vers[v].flags = (uint16_t)((db->vers[v].flags & ~DBV_PRIO_MASK) | (prio_code << DBV_PRIO_SHIFT));
		if (created && ((rec.provides && deb_add_provides(db, v, db_s(db, rec.provides), strlen(db_s(db, rec.provides))) != OMG_OK) ||
				deb_add_relations(db, v, rel, rlen) != OMG_OK ||
				deb_set_source(b, v, source.value, source.value_len) != OMG_OK))
			return OMG_E_NOMEM;
		/* INFO shows the installed record, as dpkg -s does. */
		db->vers[v].src = b->src;
		db->vers[v].off = base + para.offset;
		db->vers[v].len = (uint32_t)para.len;
		/* apt describes a version from the first file that has it: a list's, when one has it */
		if (!db->vers[v].desc && deb_status_desc(b, v, desc.value, desc.value_len) != OMG_OK)
			return OMG_E_NOMEM;
		rec.pkg = p;
		/* apt takes a version's Priority from the first index that has it, and reads the
		 * lists before the status file (zlib1g: "required" in status, "optional" in the
		 * archive): the version's, not this paragraph's. */
		required = (db->vers[v].flags & DBV_PRIO_MASK) >> DBV_PRIO_SHIFT == DB_PRIO_REQUIRED;
		rec.root = essential || protect || required || hold;
		if (dup) {
			/* A second paragraph for one package (dpkg itself refuses such a file): the
			 * last one wins, and the package is still one package for the counts. */
			for (uint32_t i = b->ninst; i-- > 0;)
				if (b->inst[i].pkg == p) {
					b->inst[i] = rec;
					break;
				}
			continue;
		}
		if (omg_grow32(&b->inst, &b->cap_inst, b->ninst + 1, sizeof *b->inst, UINT32_MAX) != OMG_OK)
				return OMG_ERROR(OMG_E_NOMEM, "index");
		b->inst[b->ninst++] = rec;
	}
	return 0;
}

int deb_ext_chunk(void *ctx, const char *buf, size_t len, uint64_t base)
{
	struct build *b = ctx;
	struct db *db = b->db;
	struct deb822_para para;
	size_t pos = 0;

	(void)base;
	while (deb822_next_para(buf, len, &pos, &para)) {
		struct deb822_field f, name = { 0 }, arch = { 0 };
		size_t fpos = 0;
		int autoinst = 0;
		uint32_t p;

		while (deb822_next_field(&para, &fpos, &f) == 1) {
			if (deb822_is(&f, "Package")) name = f;
			else if (deb822_is(&f, "Architecture")) arch = f;
			else if (deb822_is(&f, "Auto-Installed")) autoinst = f.value_len == 1 && f.value[0] == '1';
		}
		if (!name.value_len || !autoinst)
			continue;
		p = db_pkg_get(db, name.value, name.value_len, deb_arch_of(b, arch.value, arch.value_len), 0);
		if (p != DB_NONE && db->pkgs[p].inst != DB_NONE)
			db->pkgs[p].flags |= DB_PKG_AUTO;
	}
	return 0;
}
