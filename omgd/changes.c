/* changes.c — see changes.h. */
#include "config.h"
#include "changes.h"
#include "grow.h"
#include "omg_error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *installed_version(const struct db *db, uint32_t p)
{
	const struct db_pkg *pk = &db->pkgs[p];

	if (pk->inst == DB_NONE || (pk->flags & DB_PKG_CONFIG_FILES))
		return NULL;
	return db_s(db, db->vers[pk->inst].version);
}

static void emit(struct omg_buf *o, const char *what, const char *name, const char *arch, const char *v1, const char *v2)
{
	if (v2)
		omg_buf_addf(o, "%s %s:%s %s %s\n", what, name, arch, v1, v2);
	else
		omg_buf_addf(o, "%s %s:%s %s\n", what, name, arch, v1);
}

/* Walks DB's packages in name order (by_name), emitting for each instance what CMP says. */
int changes_between(const struct db *old, const struct db *cur, int (*vercmp)(const char *, const char *),
		    char **text, size_t *len, unsigned *lines)
{
	struct omg_buf o = OMG_BUF_INIT(OMG_GROW_UNBOUNDED);
	uint32_t i = 0, j = 0;

	*lines = 0;
	/* A merge of the two name-sorted indexes: each instance is looked at once. */
	while (i < cur->npkgs || j < old->npkgs) {
		uint32_t pc = i < cur->npkgs ? cur->by_name[i] : DB_NONE;
		uint32_t po = j < old->npkgs ? old->by_name[j] : DB_NONE;
		int c;
		if (pc == DB_NONE)
			c = 1;
		else if (po == DB_NONE)
			c = -1;
		else if (!(c = strcmp(db_s(cur, cur->pkgs[pc].name), db_s(old, old->pkgs[po].name))))
			c = strcmp(db_s(cur, cur->pkgs[pc].arch), db_s(old, old->pkgs[po].arch));
		if (c < 0) {
			const char *v = installed_version(cur, pc);
			if (v)
				emit(&o, "install", db_s(cur, cur->pkgs[pc].name), db_s(cur, cur->pkgs[pc].arch), v, NULL), ++*lines;
			i++;
		} else if (c > 0) {
			const char *v = installed_version(old, po);
			if (v)
				emit(&o, "remove", db_s(old, old->pkgs[po].name), db_s(old, old->pkgs[po].arch), v, NULL), ++*lines;
			j++;
		} else {
			const char *vn = installed_version(cur, pc), *vo = installed_version(old, po);
			const char *name = db_s(cur, cur->pkgs[pc].name), *arch = db_s(cur, cur->pkgs[pc].arch);
			if (vn && !vo)
				emit(&o, "install", name, arch, vn, NULL), ++*lines;
			else if (!vn && vo)
				emit(&o, "remove", name, arch, vo, NULL), ++*lines;
			else if (vn && vo && strcmp(vn, vo) != 0)
				emit(&o, vercmp(vn, vo) > 0 ? "upgrade" : "downgrade", name, arch, vo, vn), ++*lines;
			i++;
			j++;
		}
	}
	if (o.failed) {
		omg_buf_free(&o);
		return OMG_ERROR(OMG_E_NOMEM, "changes");
	}
	*text = o.p;
	*len = o.len;
	return OMG_OK;
}
