/* files_dpkg.c — verify_dpkg (files.h): dpkg's packages and their files, as dpkg --verify
 * checks them (src/main/verify.c read to learn what it reports):
 *   - packages: every one of the status file not in state not-installed (config-files ones
 *     too: their conffiles are in their list), or those named;
 *   - paths: each line of info/PKG[:ARCH].list (":ARCH" for Multi-Arch: same), directories
 *     included, must exist;
 *   - digests: info/PKG[:ARCH].md5sums, else the Conffiles: hash ("newconffile" matches no
 *     file); a path with one must be a regular file with that MD5;
 *   - diversions: a path diverted by another package (or locally) is checked where it was
 *     diverted to. dpkg --verify then knows no digest for it (its digests are by name) and
 *     only sees that it exists; this checks its content with the package's digest, as
 *     debsums does.
 */
#include "config.h"

#include "verify/files_int.h"

#include "aptdir.h"
#include "deb822.h"
#include "grow.h"
#include "omg_error.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STATUS_MAX (512u << 20)
#define INFO_MAX (64u << 20)

enum { M_MD5 = 1, M_CONF = 2, M_CONF_MD5 = 4, M_CONF_NEW = 8 };

/* A path-keyed table (open addressing), rebuilt for each package; VAL: a second string. */
struct ment {
	uint64_t h;
	uint32_t gen;  /* the entry is used when it is the map's: clearing is one increment */
	uint32_t key, klen, val;
	uint8_t flags, md5[16], cmd5[16];
};

struct map {
	struct ment *v;
	size_t cap, n;
	uint32_t gen;
	char *arena;
	size_t alen, acap;
};

struct pkg {
	const char *name, *arch, *version, *conff;
	size_t nlen, alen, vlen, clen;
	int ma_same, listed;
};

struct dv {
	struct vf x;
	struct map files, diverts;
	struct pkg *pkgs;
	size_t npkgs, cap;
	char admindir[VERIFY_PATH_MAX + 64];
};

static uint64_t fnv(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ull;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (uint8_t)s[i]) * 1099511628211ull;
	return h;
}

static void map_clear(struct map *m)
{
	if (++m->gen == 0 && m->v) { /* wrapped: stale stamps could match again */
		memset(m->v, 0, m->cap * sizeof *m->v);
		m->gen = 1;
	}
	m->n = m->alen = 0;
}

static void map_free(struct map *m)
{
	free(m->v);
	free(m->arena);
	memset(m, 0, sizeof *m);
}

static int arena_add(struct map *m, const char *s, size_t n, uint32_t *off)
{
	if (omg_grow(&m->arena, &m->acap, m->alen + n + 1, 1, UINT32_MAX) != OMG_OK) /* 32-bit offsets */
		return OMG_ERROR(OMG_E_NOMEM, "file table");
	memcpy(m->arena + m->alen, s, n);
	m->arena[m->alen + n] = 0;
	*off = (uint32_t)m->alen;
	m->alen += n + 1;
	return OMG_OK;
}

static struct ment *map_find(const struct map *m, const char *k, size_t n)
{
	uint64_t h = fnv(k, n);

	if (!m->cap || !m->gen)
		return NULL;
	for (size_t i = h & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		struct ment *e = &m->v[i];

		if (e->gen != m->gen)
			return NULL;
		if (e->h == h && e->klen == n && !memcmp(m->arena + e->key, k, n))
			return e;
	}
}

static int map_grow(struct map *m)
{
	size_t cap = m->cap ? m->cap * 2 : 1024;
	struct ment *v = calloc(cap, sizeof *v);

	if (!v)
		return OMG_ERROR(OMG_E_NOMEM, "file table");
	for (size_t i = 0; i < m->cap; i++) {
		size_t j;

		if (m->v[i].gen != m->gen)
			continue;
		for (j = m->v[i].h & (cap - 1); v[j].gen == m->gen; j = (j + 1) & (cap - 1))
			;
		v[j] = m->v[i];
	}
	free(m->v);
	m->v = v;
	m->cap = cap;
	return OMG_OK;
}

/* The entry for K, made when missing. */
static int map_get(struct map *m, const char *k, size_t n, struct ment **out)
{
	struct ment *e;
	size_t i;
	int rc;

	if (!m->gen)
		m->gen = 1; /* calloc'd slots hold 0: never the map's */
	if ((*out = map_find(m, k, n)))
		return OMG_OK;
	if ((m->n + 1) * 4 > m->cap * 3 && (rc = map_grow(m)) != OMG_OK)
		return rc;
	e = NULL;
	for (i = fnv(k, n) & (m->cap - 1); m->v[i].gen == m->gen; i = (i + 1) & (m->cap - 1))
		;
	e = &m->v[i];
	memset(e, 0, sizeof *e);
	if ((rc = arena_add(m, k, n, &e->key)) != OMG_OK)
		return rc;
	e->h = fnv(k, n);
	e->gen = m->gen;
	e->klen = (uint32_t)n;
	m->n++;
	*out = e;
	return OMG_OK;
}

static int on_md5(void *ctx, const char *path, size_t plen, const uint8_t md5[16])
{
	struct ment *e;
	int rc = map_get(ctx, path, plen, &e);

	if (rc == OMG_OK) {
		e->flags |= M_MD5;
		memcpy(e->md5, md5, 16);
	}
	return rc;
}

static int on_conf(void *ctx, const char *path, size_t plen, const uint8_t *md5, unsigned flags)
{
	struct ment *e;
	int rc = map_get(ctx, path, plen, &e);

	if (rc != OMG_OK)
		return rc;
	e->flags |= M_CONF;
	if (md5) {
		e->flags |= M_CONF_MD5;
		memcpy(e->cmd5, md5, 16);
	} else if (flags & VERIFY_CONF_NEW) {
		e->flags |= M_CONF_NEW;
	}
	return OMG_OK;
}

static int on_divert(void *ctx, const char *from, const char *to, const char *pkg)
{
	struct map *m = ctx;
	struct ment *e;
	char val[VERIFY_PATH_MAX + 260];
	size_t tl = strlen(to);
	int rc;

	/* the value: TO, NUL, the diverting package ("" for a local diversion) */
	if ((rc = map_get(m, from, strlen(from), &e)) != OMG_OK)
		return rc;
	memcpy(val, to, tl + 1);
	snprintf(val + tl + 1, sizeof val - tl - 1, "%s", pkg ? pkg : "");
	return arena_add(m, val, tl + 2 + strlen(val + tl + 1), &e->val);
}

/* ---- the status file ----------------------------------------------------------------- */

static int add_pkg(struct dv *d, const struct pkg *p)
{
	if (omg_grow(&d->pkgs, &d->cap, d->npkgs + 1, sizeof *d->pkgs, OMG_GROW_UNBOUNDED) != OMG_OK)
		return OMG_ERROR(OMG_E_NOMEM, "packages");
	d->pkgs[d->npkgs++] = *p;
	return OMG_OK;
}

static int is_word(const char *v, size_t n, const char *w)
{
	return n == strlen(w) && !memcmp(v, w, n);
}

/* The third word of Status: (want flag status). */
static int not_installed(const char *v, size_t n)
{
	size_t i = 0;

	for (int words = 0; words < 2; words++) {
		while (i < n && v[i] != ' ')
			i++;
		while (i < n && v[i] == ' ')
			i++;
	}
	return i >= n || is_word(v + i, n - i, "not-installed");
}

static int read_status(struct dv *d, const char *buf, size_t len)
{
	struct deb822_para para;
	struct deb822_field f;
	size_t pos = 0;
	int rc;

	while (deb822_next_para(buf, len, &pos, &para)) {
		struct pkg p = { 0 };
		size_t fpos = 0;
		int skip = 1, r;

		while ((r = deb822_next_field(&para, &fpos, &f)) == 1) {
			if (deb822_is(&f, "Package"))
				p.name = f.value, p.nlen = f.value_len;
			else if (deb822_is(&f, "Architecture"))
				p.arch = f.value, p.alen = f.value_len;
			else if (deb822_is(&f, "Version"))
				p.version = f.value, p.vlen = f.value_len;
			else if (deb822_is(&f, "Multi-Arch"))
				p.ma_same = is_word(f.value, f.value_len, "same");
			else if (deb822_is(&f, "Conffiles"))
				p.conff = f.value, p.clen = f.value_len;
			else if (deb822_is(&f, "Status"))
				skip = not_installed(f.value, f.value_len);
		}
		if (r < 0 || !p.name || !p.nlen || p.nlen > 200 || p.alen > 60 || memchr(p.name, '/', p.nlen)) {
			d->x.run->totals.malformed += r < 0 || (p.name && !skip);
			continue;
		}
		if (!skip && (rc = add_pkg(d, &p)) != OMG_OK)
			return rc;
	}
	return OMG_OK;
}

/* Marks the packages the run names; names matching none go to run->unknown. */
static int select_named(struct dv *d)
{
	const struct verify_run *r = d->x.run;
	int rc;

	for (size_t i = 0; i < r->nnames; i++) {
		const char *n = r->names[i], *colon = strchr(n, ':');
		size_t nl = colon ? (size_t)(colon - n) : strlen(n);
		int found = 0;

		for (size_t j = 0; j < d->npkgs; j++) {
			struct pkg *p = &d->pkgs[j];

			if (p->nlen != nl || memcmp(p->name, n, nl))
				continue;
			if (colon && !(p->alen == strlen(colon + 1) && !memcmp(p->arch, colon + 1, p->alen)))
				continue;
			p->listed = found = 1;
		}
		if (!found && (rc = vf_unknown(&d->x, n)) != OMG_OK)
			return rc;
	}
	return OMG_OK;
}

/* ---- one package --------------------------------------------------------------------- */

static int check_path(struct dv *d, const char *pkg, const struct pkg *p, const char *path, size_t plen)
{
	struct vf *x = &d->x;
	const struct ment *e = map_find(&d->files, path, plen), *dv = map_find(&d->diverts, path, plen);
	const char *target = path;
	uint8_t got[VF_DIGEST_MAX];
	const uint8_t *want = NULL;
	struct stat st;
	int err, rc, conf = e && (e->flags & M_CONF);

	if (dv) {
		const char *to = d->diverts.arena + dv->val, *by = to + strlen(to) + 1;

		/* the diverting package's own file stays in place */
		if (!*by || strlen(by) != p->nlen || memcmp(by, p->name, p->nlen))
			target = to;
	}
	x->run->totals.files++;
	if ((err = vf_lstat(x, target, &st)) != 0)
		return vf_add(x, pkg, target, err == ENOENT || err == ENOTDIR ? VERIFY_MISSING : VERIFY_UNREADABLE, conf, 0, err);
	if (!e)
		return OMG_OK;
	if (e->flags & M_MD5)
		want = e->md5;
	else if (e->flags & M_CONF_MD5)
		want = e->cmd5;
	else if (!(e->flags & M_CONF_NEW))
		return OMG_OK; /* no digest: its existence is all that is known */
	if (!S_ISREG(st.st_mode))
		return vf_add(x, pkg, target, VERIFY_REPLACED, conf, 0, 0);
	if ((rc = vf_digest(x, pkg, target, &st, VF_MD5, got, &err)) != OMG_OK)
		return rc;
	if (err)
		return vf_add(x, pkg, target, VERIFY_UNREADABLE, conf, 0, err);
	if (!want || memcmp(want, got, 16))
		return vf_add(x, pkg, target, conf ? VERIFY_CHANGED_CONFIG : VERIFY_CHANGED, conf, VERIFY_D_DIGEST, 0);
	return OMG_OK;
}

struct list_ctx {
	struct dv *d;
	const char *pkg;
	const struct pkg *p;
};

static int on_list(void *ctx, const char *path, size_t plen, const uint8_t md5[16])
{
	struct list_ctx *l = ctx;

	(void)md5;
	if (vf_stop(&l->d->x))
		return OMG_E_TIMEOUT;
	return check_path(l->d, l->pkg, l->p, path, plen);
}

static int check_pkg(struct dv *d, const struct pkg *p)
{
	struct vf *x = &d->x;
	char file[VERIFY_PATH_MAX + 1024], pkg[300], version[256];
	char *buf = NULL;
	size_t len;
	int rc;

	snprintf(pkg, sizeof pkg, "%.*s%s%.*s", (int)p->nlen, p->name, p->ma_same ? ":" : "", p->ma_same ? (int)p->alen : 0,
		 p->arch ? p->arch : "");
	snprintf(version, sizeof version, "%.*s", (int)p->vlen, p->version ? p->version : "");
	map_clear(&d->files);
	x->run->totals.packages++;
	/* the cache's key too: one instance of a name unless Multi-Arch: same, which adds :ARCH */
	if (x->run->cache && (rc = vf_cache_pkg(x->run->cache, pkg, version)) != OMG_OK)
		return rc;

	snprintf(file, sizeof file, "%s/info/%s.md5sums", d->admindir, pkg);
	if ((rc = aptdir_read(file, INFO_MAX, &buf, &len)) != OMG_OK)
		return rc;
	if (!buf && !(p->conff && p->clen))
		x->run->totals.no_checksums++;
	if (buf)
		rc = verify_parse_md5sums(buf, len, on_md5, &d->files, &x->run->totals.malformed);
	free(buf);
	buf = NULL;
	if (rc == OMG_OK && p->conff)
		rc = verify_parse_conffiles(p->conff, p->clen, on_conf, &d->files, &x->run->totals.malformed);
	if (rc != OMG_OK)
		return rc;

	snprintf(file, sizeof file, "%s/info/%s.list", d->admindir, pkg);
	if ((rc = aptdir_read(file, INFO_MAX, &buf, &len)) != OMG_OK || !buf)
		return rc; /* no list: dpkg assumes no files */
	{
		struct list_ctx l = { d, pkg, p };

		rc = verify_parse_list(buf, len, on_list, &l, &x->run->totals.malformed);
	}
	free(buf);
	return rc;
}

int verify_dpkg(struct verify_run *run)
{
	struct dv *d = calloc(1, sizeof *d);
	char path[VERIFY_PATH_MAX + 128], *status = NULL, *diversions = NULL;
	size_t slen, dlen;
	int rc;

	if (!d)
		return OMG_ERROR(OMG_E_NOMEM, "verification");
	if ((rc = vf_begin(&d->x, run)) != OMG_OK)
		goto fail;
	if (run->admindir)
		snprintf(d->admindir, sizeof d->admindir, "%s", run->admindir);
	else
		snprintf(d->admindir, sizeof d->admindir, "%s/var/lib/dpkg", d->x.root);
	snprintf(path, sizeof path, "%s/status", d->admindir);
	if ((rc = aptdir_read(path, STATUS_MAX, &status, &slen)) != OMG_OK)
		goto fail;
	if (!status) {
		rc = OMG_ERROR(OMG_E_NOTFOUND, "%s: no dpkg status file", path);
		goto fail;
	}
	snprintf(path, sizeof path, "%s/diversions", d->admindir);
	if ((rc = aptdir_read(path, INFO_MAX, &diversions, &dlen)) != OMG_OK)
		goto fail;
	if (diversions &&
	    (rc = verify_parse_diversions(diversions, dlen, on_divert, &d->diverts, &run->totals.malformed)) != OMG_OK)
		goto fail;
	if ((rc = read_status(d, status, slen)) != OMG_OK || (rc = select_named(d)) != OMG_OK)
		goto fail;
	for (size_t i = 0; i < d->npkgs; i++)
		d->x.total += !run->nnames || d->pkgs[i].listed;
	for (size_t i = 0; i < d->npkgs && rc == OMG_OK; i++) {
		if (run->nnames && !d->pkgs[i].listed)
			continue;
		if (vf_stop(&d->x))
			break;
		rc = check_pkg(d, &d->pkgs[i]);
		if (rc == OMG_E_TIMEOUT && d->x.stopped)
			rc = OMG_OK; /* vf_finish says why */
		d->x.done++;
		vf_progress(&d->x, 0);
	}
	rc = vf_finish(&d->x, rc);
	goto done;
fail:
	vf_end(&d->x);
done:
	free(status);
	free(diversions);
	free(d->pkgs);
	map_free(&d->files);
	map_free(&d->diverts);
	free(d);
	return rc;
}
