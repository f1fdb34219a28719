/* autoremove.c — apt's mark and sweep: the installed packages apt-get autoremove would
 * remove (DB_PKG_ORPHAN). */
#include "config.h"
#include "dpkg.h"
#include "grow.h"
#include "version.h"
#include "omg_error.h"

#include <regex.h>
#include <stdint.h>
#include <sys/utsname.h>
#include <stdlib.h>
#include <string.h>

struct provide {
	uint32_t name;     /* arena offset of the provided name */
	uint32_t pkg;
	const char *version; /* "=" version, or NULL */
	size_t vlen;
};

struct walk {
	struct build *b;
	struct provide *prov;
	uint32_t nprov, cap_prov;
	uint32_t *stack;
	uint32_t nstack;
	uint32_t *inst_of;   /* package index -> inst_rec index */
};

static int cmp_provide(const void *a, const void *b, void *ctx)
{
	const struct db *db = ctx;
	return strcmp(db_s(db, ((const struct provide *)a)->name), db_s(db, ((const struct provide *)b)->name));
}

static int relation_version_ok(const struct deb822_relation *r, const char *have, size_t hlen)
{
	char op[4], want[256], h[256];

	if (!r->olen)
		return 1;
	if (!have || r->olen >= sizeof op || r->vlen >= sizeof want || hlen >= sizeof h)
		return 0;
	memcpy(op, r->op, r->olen), op[r->olen] = 0;
	memcpy(want, r->ver, r->vlen), want[r->vlen] = 0;
	memcpy(h, have, hlen), h[hlen] = 0;
	return deb_version_satisfies(h, op, want);
}

static void walk_push(struct walk *w, uint32_t p)
{
	struct db_pkg *pk = &w->b->db->pkgs[p];

	/* apt-get marks a half-installed package for removal before the walk (a failed
	 * removal, in pkgApplyStatus): it keeps nothing and nothing keeps it. */
	if (pk->marked || pk->inst == DB_NONE || pk->state == ST_HALF_INSTALLED)
		return;
	pk->marked = 1;
	w->stack[w->nstack++] = p;
}

static int arch_ok(const struct walk *w, uint32_t from, uint32_t to, const struct deb822_relation *r)
{
	const struct db *db = w->b->db;
	uint8_t ma = w->b->ma[to];
	const char *ta = db_s(db, db->pkgs[to].arch);

	if (r->qlen == 3 && !strncmp(r->qual, "any", 3))
		return db->pkgs[to].arch == db->pkgs[from].arch || ma == MA_FOREIGN || ma == MA_ALLOWED;
	if (r->qlen == 6 && !strncmp(r->qual, "native", 6))
		return !strcmp(ta, db_s(db, db->native_arch));
	if (r->qlen)
		return strlen(ta) == r->qlen && !strncmp(ta, r->qual, r->qlen);
	return !strcmp(ta, db_s(db, db->pkgs[from].arch)) || ma == MA_FOREIGN;
}

/* Marks every installed package that satisfies relation R of package FROM. */
static void mark_relation(struct walk *w, uint32_t from, const struct deb822_relation *r)
{
	struct db *db = w->b->db;
	uint32_t lo = 0, hi = w->nprov;

	for (uint32_t t = db_pkg_first(db, r->name, r->nlen); t != DB_NONE; t = db->pkgs[t].next_arch) {
		const char *iv;
		if (db->pkgs[t].inst == DB_NONE || !arch_ok(w, from, t, r))
			continue;
		iv = db_s(db, db->vers[db->pkgs[t].inst].version);
		if (relation_version_ok(r, iv, strlen(iv)))
			walk_push(w, t);
	}
	while (lo < hi) { /* providers: the first entry whose name is >= the relation's */
		uint32_t mid = lo + (hi - lo) / 2;
		if (strncmp(db_s(db, w->prov[mid].name), r->name, r->nlen) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (uint32_t i = lo; i < w->nprov; i++) {
		const struct provide *pv = &w->prov[i];
		const char *n = db_s(db, pv->name);
		if (strncmp(n, r->name, r->nlen) != 0 || n[r->nlen] != 0)
			break;
		if ((r->olen && !pv->version) || !relation_version_ok(r, pv->version, pv->vlen))
			continue;
		walk_push(w, pv->pkg); /* apt keeps every installed provider, of any architecture */
	}
}

static void mark_deps(struct walk *w, uint32_t p)
{
	const struct build *b = w->b;
	const struct inst_rec *rec = &b->inst[w->inst_of[p]];

	for (int k = 0; k < DEP__COUNT; k++) {
		struct deb822_relation r;
		const char *s;
		if (!rec->deps[k] || (k == DEP_RECOMMENDS && !b->paths.recommends_important) ||
		    (k == DEP_SUGGESTS && !b->paths.suggests_important))
			continue;
		s = db_s(b->db, rec->deps[k]);
		for (const char *end = s + strlen(s); deb822_next_relation(&s, end, &r);)
			if (r.nlen)
				mark_relation(w, p, &r);
	}
}

static int never_remove(const struct build *b, const char *name)
{
	for (size_t i = 0; i < b->nnever; i++)
		if (regexec(b->never[i], name, 0, NULL, 0) == 0)
			return 1;
	return 0;
}

/* The uname in a kernel package's name ("linux-image-6.1.0-9-amd64": "6.1.0-9-amd64"), or
 * NULL (apt's KernelAutoRemoveHelper::getUname). */
static const char *kernel_uname(const char *name)
{
	static const char *const prefixes[] = { "linux-image-", "kfreebsd-image-", "gnumach-image-" };
	size_t n = strlen(name);

	for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
		size_t pl = strlen(prefixes[i]);
		const char *u = name + pl;
		size_t digits;
		if (strncmp(name, prefixes[i], pl) != 0 || (n >= 7 && !strcmp(name + n - 7, "-dbgsym")) ||
		    (n >= 4 && !strcmp(name + n - 4, "-dbg")))
			continue;
		digits = strspn(u, "0123456789");
		if (strlen(u) >= 2 && digits && u[digits] == '.')
			return u;
	}
	return NULL;
}

struct kernel {
	const char *version, *uname;
	int keep;
};

static int cmp_kernel(const void *a, const void *b)
{
	return deb_version_compare(((const struct kernel *)a)->version, ((const struct kernel *)b)->version);
}

/* Appends "|^PATTERN-UNAME$" to W, with UNAME's '.' and '+' escaped. */
static void kernel_alt(struct omg_buf *w, const char *pattern, const char *uname)
{
	omg_buf_addf(w, "|^%s-", pattern);
	for (const char *c = uname; *c; c++) {
		if (*c == '.' || *c == '+')
			omg_buf_add(w, "\\", 1);
		omg_buf_add(w, c, 1);
	}
	omg_buf_add(w, "$", 1);
}

struct names {
	const char **v;
	size_t n, cap;
	int failed;
};

static void add_pattern(void *ctx, const char *pattern)
{
	struct names *ps = ctx;

	if (omg_grow(&ps->v, &ps->cap, ps->n + 1, sizeof *ps->v, OMG_GROW_UNBOUNDED) != OMG_OK)
		ps->failed = 1;
	else
		ps->v[ps->n++] = pattern;
}

/* apt's GetProtectedKernelsRegex: the running kernel (uname -r, unless SOURCE_DATE_EPOCH is
 * set), the newest installed kernel and, when that makes fewer than two, the one before,
 * for every pattern of APT::VersionedKernelPackages. Compiled into the NeverAutoRemove set. */
static int protect_kernels(struct build *b)
{
	struct db *db = b->db;
	struct names patterns = { 0 };
	struct omg_buf re = { 0 };
	struct utsname uts = { 0 };
	struct kernel *k = NULL;
	size_t nk = 0, cap_k = 0, np, booted = SIZE_MAX, latest;
	int two, failed = 0;
	const char **pat;
	int rc = OMG_OK;

	if (!aptconf_bool(&b->conf, "apt::protect-kernels", 1))
		return OMG_OK;
	if (!getenv("SOURCE_DATE_EPOCH") && uname(&uts) != 0)
		memset(&uts, 0, sizeof uts);
	for (uint32_t i = 0; i < b->ninst; i++) {
		const struct db_pkg *pk = &db->pkgs[b->inst[i].pkg];
		struct kernel kn = { db_s(db, db->vers[pk->inst].version), kernel_uname(db_s(db, pk->name)), 0 };
		if (!kn.uname)
			continue;
		if (omg_grow(&k, &cap_k, nk + 1, sizeof *k, OMG_GROW_UNBOUNDED) != OMG_OK)
			failed = 1;
		else
			k[nk++] = kn;
	}
	aptconf_each(&b->conf, "apt::versionedkernelpackages", add_pattern, &patterns);
	pat = patterns.v;
	np = patterns.n;
	if (!nk || failed || patterns.failed)
		goto done;
	qsort(k, nk, sizeof *k, cmp_kernel);
	for (size_t i = 0; i < nk; i++)
		if (!strcmp(k[i].uname, uts.release))
			booted = i;
	/* kept: the booted version, the latest, and the previous while that makes fewer than
	 * two; versions equal by dpkg's rules are one version with all their unames */
	latest = nk - 1;
	while (latest > 0 && !deb_version_compare(k[latest - 1].version, k[nk - 1].version))
		latest--; /* the first of the latest version */
	two = booted != SIZE_MAX && deb_version_compare(k[booted].version, k[nk - 1].version) != 0;
	for (size_t i = 0; i < nk; i++)
		k[i].keep = i >= latest || (booted != SIZE_MAX && !deb_version_compare(k[i].version, k[booted].version)) ||
			    (!two && latest > 0 && !deb_version_compare(k[i].version, k[latest - 1].version));
	for (size_t p = 0; p < np; p++) {
		if (uts.release[0])
			kernel_alt(&re, pat[p], uts.release);
		for (size_t i = 0; i < nk; i++)
			if (k[i].keep)
				kernel_alt(&re, pat[p], k[i].uname);
	}
	if (re.failed) {
		rc = OMG_ERROR(OMG_E_NOMEM, "autoremove");
		goto done;
	}
	if (re.len > 1)
		deb_add_never(b, re.p + 1); /* without the leading '|' */
	if (b->conf_failed)
		rc = OMG_ERROR(OMG_E_NOMEM, "autoremove");
done:
	free(k);
	free(patterns.v);
	omg_buf_free(&re);
	return rc;
}

int deb_find_orphans(struct build *b)
{
	struct db *db = b->db;
	struct walk w = { .b = b };
	int rc = OMG_OK;

	w.stack = malloc(((size_t)db->npkgs + 1) * sizeof *w.stack);
	w.inst_of = malloc(((size_t)db->npkgs + 1) * sizeof *w.inst_of);
	w.cap_prov = b->ninst * 2 + 16;
	w.prov = malloc((size_t)w.cap_prov * sizeof *w.prov);
	b->ma = calloc((size_t)db->npkgs + 1, 1);
	if (!w.stack || !w.inst_of || !w.prov || !b->ma) {
		rc = OMG_ERROR(OMG_E_NOMEM, "autoremove");
		goto fail;
	}
	if ((rc = protect_kernels(b)) != OMG_OK)
		goto fail;
	for (uint32_t i = 0; i < b->ninst; i++) {
		const struct inst_rec *rec = &b->inst[i];
		const char *s = db_s(db, rec->provides); /* 0: "" */
		struct deb822_relation r;
		w.inst_of[rec->pkg] = i;
		b->ma[rec->pkg] = rec->multiarch;
		for (const char *end = s + strlen(s); deb822_next_relation(&s, end, &r);) {
			if (r.nlen) {
				struct provide *pv;
				if (omg_grow32(&w.prov, &w.cap_prov, w.nprov + 1, sizeof *w.prov, UINT32_MAX) != OMG_OK) {
					rc = OMG_ERROR(OMG_E_NOMEM, "autoremove");
					goto fail;
				}
				pv = &w.prov[w.nprov++];
				pv->name = db_str(db, r.name, r.nlen);
				pv->pkg = rec->pkg;
				pv->version = r.olen ? r.ver : NULL;
				pv->vlen = r.vlen;
			}
		}
	}
	qsort_r(w.prov, w.nprov, sizeof *w.prov, cmp_provide, db);
	/* roots: manual, essential, protected, required, held, or NeverAutoRemove */
	for (uint32_t i = 0; i < b->ninst; i++) {
		const struct inst_rec *rec = &b->inst[i];
		const struct db_pkg *pk = &db->pkgs[rec->pkg];
		if (!(pk->flags & DB_PKG_AUTO) || rec->root || never_remove(b, db_s(db, pk->name)))
			walk_push(&w, rec->pkg);
	}
	while (w.nstack)
		mark_deps(&w, w.stack[--w.nstack]);
	for (uint32_t i = 0; i < b->ninst; i++) {
		struct db_pkg *pk = &db->pkgs[b->inst[i].pkg];
		if (!pk->marked) {
			pk->flags |= DB_PKG_ORPHAN;
			db->counts.orphans++;
		}
	}
fail:
	free(w.stack);
	free(w.inst_of);
	free(w.prov);
	return rc;
}
