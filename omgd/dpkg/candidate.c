/* candidate.c — each package's candidate as apt 2.6's GetCandidateVer picks it from the
 * versions' priorities (policy.c), and so its update and security update flags: newest
 * first, the highest priority wins (a tie keeps the newer version), priority 0 and below
 * never; a version older than the installed one only at 1000 or more (a downgrade). */
#include "config.h"
#include "dpkg.h"
#include "grow.h"
#include "version.h"
#include "omg_error.h"

#include <stdlib.h>
#include <string.h>

struct ver_at {
	uint32_t v, at; /* version, and its place in the package's chain */
};

static int cmp_newest_first(const void *a, const void *b, void *ctx)
{
	const struct db *db = ctx;
	const struct ver_at *x = a, *y = b;
	int c = deb_version_compare(db_s(db, db->vers[y->v].version), db_s(db, db->vers[x->v].version));

	/* equal versions keep the chain's order, as the stable sort this replaced did */
	return c ? c : x->at < y->at ? -1 : x->at > y->at;
}

/* Every version counts (a fixed table of 64 once dropped the newest of a longer chain and
 * so offered an "upgrade" to an older version); one sort, n log n. */
int deb_pick_candidate(struct build *b, uint32_t p)
{
	struct db *db = b->db;
	struct db_pkg *pk = &db->pkgs[p];
	struct ver_at *va;
	uint32_t n = 0, pref = DB_NONE;
	int max = -1;

	for (uint32_t v = pk->vers; v != DB_NONE; v = db->vers[v].next, n++) {
		if (omg_grow(&b->order, &b->cap_order, (size_t)n + 1, sizeof *b->order, OMG_GROW_UNBOUNDED) != OMG_OK)
			return OMG_ERROR(OMG_E_NOMEM, "candidates");
		b->order[n] = (struct ver_at){ v, n };
	}
	va = b->order;
	if (n > 1)
		qsort_r(va, n, sizeof *va, cmp_newest_first, db);
	for (uint32_t i = 0; i < n; i++) {
		const struct db_ver *v = &db->vers[va[i].v];
		if (v->prio == 0 || v->prio <= max ||
		    (pk->inst != DB_NONE && v->prio < 1000 &&
		     deb_version_compare(db_s(db, v->version), db_s(db, db->vers[pk->inst].version)) < 0))
			continue;
		pref = va[i].v;
		max = v->prio;
	}
	pk->cand = pref;
	/* apt list --upgradable: a candidate newer than the installed version (not a downgrade) */
	if (pk->inst != DB_NONE && pref != DB_NONE && pref != pk->inst &&
	    deb_version_compare(db_s(db, db->vers[pref].version), db_s(db, db->vers[pk->inst].version)) > 0) {
		pk->flags |= DB_PKG_UPGRADABLE;
		if (db->vers[pref].flags & DBV_SECURITY)
			pk->flags |= DB_PKG_SECURITY;
	}
	return OMG_OK;
}
