/* revdeps.c — see revdeps.h. */
#include "config.h"
#include "revdeps.h"
#include "db.h"
#include "grow.h"
#include "omg_error.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct edge {
	uint32_t target;    /* the package depended on */
	const char *source; /* the name of the package that depends on it */
};

struct revdeps {
	alpm_pkg_t **pkgs;
	uint32_t n;
	uint32_t *by_name, mask;           /* open addressing: package index + 1, 0 = empty */
	uint32_t *prov_head, *prov_next;   /* chained by provision name hash: provision index + 1 */
	uint32_t *prov_pkg;
	const char **prov_name;
	uint32_t nprov;
	uint32_t *start[2];                /* per kind: where each package's names begin (n + 1) */
	const char **names[2];
};

static uint32_t name_hash(const char *s) { return db_name_hash(s, strlen(s)); }

static uint32_t find_pkg(const struct revdeps *r, const char *name)
{
	for (uint32_t i = name_hash(name) & r->mask; r->by_name[i]; i = (i + 1) & r->mask)
		if (!strcmp(alpm_pkg_get_name(r->pkgs[r->by_name[i] - 1]), name))
			return r->by_name[i] - 1;
	return UINT32_MAX;
}

/* Does package T satisfy DEP? libalpm decides; DEPSTR is made once per dependency. */
static int satisfies(alpm_pkg_t *t, alpm_depend_t *dep, char **depstr)
{
	alpm_list_t one = { .data = t, .prev = NULL, .next = NULL };

	one.prev = &one; /* a one-element alpm_list_t: its head's prev is its tail */
	if (!*depstr && !(*depstr = alpm_dep_compute_string(dep)))
		return 0;
	return alpm_find_satisfier(&one, *depstr) != NULL;
}

struct edges {
	struct edge *e;
	size_t n, cap;
};

static int edge_add(struct edges *es, uint32_t target, const char *source)
{
	if (omg_grow(&es->e, &es->cap, es->n + 1, sizeof *es->e, OMG_GROW_UNBOUNDED) != OMG_OK)
			return OMG_ERROR(OMG_E_NOMEM, "required-by");
	es->e[es->n++] = (struct edge){ target, source };
	return OMG_OK;
}

/* Every (target, source) pair of one kind, in source order, each pair once. */
static int collect(struct revdeps *r, int kind, struct edges *es, uint32_t *last_source)
{
	for (uint32_t c = 0; c < r->n; c++) {
		alpm_list_t *l = kind == REVDEPS_REQUIRED_BY ? alpm_pkg_get_depends(r->pkgs[c])
							     : alpm_pkg_get_optdepends(r->pkgs[c]);
		const char *source = alpm_pkg_get_name(r->pkgs[c]);
		for (; l; l = alpm_list_next(l)) {
			alpm_depend_t *dep = l->data;
			char *depstr = NULL;
			uint32_t t = find_pkg(r, dep->name);
			int rc = OMG_OK;
			/* candidates: the package of that name, then every package providing it */
			if (t != UINT32_MAX && last_source[t] != c + 1 && satisfies(r->pkgs[t], dep, &depstr)) {
				last_source[t] = c + 1;
				rc = edge_add(es, t, source);
			}
			for (uint32_t p = r->prov_head[name_hash(dep->name) & r->mask]; p && rc == OMG_OK;
			     p = r->prov_next[p - 1]) {
				uint32_t pt = r->prov_pkg[p - 1];
				if (last_source[pt] == c + 1 || strcmp(r->prov_name[p - 1], dep->name) ||
				    !satisfies(r->pkgs[pt], dep, &depstr))
					continue;
				last_source[pt] = c + 1;
				rc = edge_add(es, pt, source);
			}
			free(depstr);
			if (rc != OMG_OK)
				return rc;
		}
	}
	return OMG_OK;
}

/* Groups the pairs by target, keeping their order (a counting sort). */
static int group(struct revdeps *r, int kind, const struct edges *es)
{
	uint32_t *fill;

	r->start[kind] = calloc((size_t)r->n + 1, sizeof *r->start[kind]);
	r->names[kind] = malloc((es->n ? es->n : 1) * sizeof *r->names[kind]);
	fill = malloc(((size_t)r->n + 1) * sizeof *fill);
	if (!r->start[kind] || !r->names[kind] || !fill) {
		free(fill);
		return OMG_ERROR(OMG_E_NOMEM, "required-by");
	}
	for (size_t i = 0; i < es->n; i++)
		r->start[kind][es->e[i].target + 1]++;
	for (uint32_t t = 0; t < r->n; t++)
		r->start[kind][t + 1] += r->start[kind][t];
	memcpy(fill, r->start[kind], ((size_t)r->n + 1) * sizeof *fill);
	for (size_t i = 0; i < es->n; i++)
		r->names[kind][fill[es->e[i].target]++] = es->e[i].source;
	free(fill);
	return OMG_OK;
}

int revdeps_build(struct revdeps **out, alpm_db_t *db)
{
	struct revdeps *r = calloc(1, sizeof *r);
	struct edges es = { 0 };
	uint32_t *last_source = NULL, size = 1024;
	alpm_list_t *l;
	int rc = OMG_E_NOMEM;

	*out = NULL;
	if (!r)
		return OMG_ERROR(OMG_E_NOMEM, "required-by");
	for (l = alpm_db_get_pkgcache(db); l; l = alpm_list_next(l))
		r->n++;
	while (size < r->n * 2)
		size *= 2;
	r->mask = size - 1;
	r->pkgs = malloc(((size_t)r->n + 1) * sizeof *r->pkgs);
	r->by_name = calloc(size, sizeof *r->by_name);
	r->prov_head = calloc(size, sizeof *r->prov_head);
	last_source = calloc((size_t)r->n + 1, sizeof *last_source);
	if (!r->pkgs || !r->by_name || !r->prov_head || !last_source)
		goto fail;
	r->n = 0;
	for (l = alpm_db_get_pkgcache(db); l; l = alpm_list_next(l)) {
		uint32_t i = name_hash(alpm_pkg_get_name(l->data)) & r->mask;
		while (r->by_name[i])
			i = (i + 1) & r->mask;
		r->pkgs[r->n] = l->data;
		r->by_name[i] = ++r->n;
		for (alpm_list_t *p = alpm_pkg_get_provides(l->data); p; p = alpm_list_next(p))
			r->nprov++;
	}
	r->prov_next = malloc(((size_t)r->nprov + 1) * sizeof *r->prov_next);
	r->prov_pkg = malloc(((size_t)r->nprov + 1) * sizeof *r->prov_pkg);
	r->prov_name = malloc(((size_t)r->nprov + 1) * sizeof *r->prov_name);
	if (!r->prov_next || !r->prov_pkg || !r->prov_name)
		goto fail;
	r->nprov = 0;
	for (uint32_t i = 0; i < r->n; i++)
		for (alpm_list_t *p = alpm_pkg_get_provides(r->pkgs[i]); p; p = alpm_list_next(p)) {
			const alpm_depend_t *prov = p->data;
			uint32_t *head = &r->prov_head[name_hash(prov->name) & r->mask];
			r->prov_pkg[r->nprov] = i;
			r->prov_name[r->nprov] = prov->name;
			r->prov_next[r->nprov] = *head;
			*head = ++r->nprov;
		}
	for (int kind = 0; kind < 2; kind++) {
		es.n = 0;
		memset(last_source, 0, ((size_t)r->n + 1) * sizeof *last_source);
		if ((rc = collect(r, kind, &es, last_source)) != OMG_OK || (rc = group(r, kind, &es)) != OMG_OK)
			goto fail;
	}
	free(es.e);
	free(last_source);
	*out = r;
	return OMG_OK;
fail:
	free(es.e);
	free(last_source);
	revdeps_free(r);
	return rc == OMG_E_NOMEM ? OMG_ERROR(OMG_E_NOMEM, "required-by") : rc;
}

const char *const *revdeps_of(const struct revdeps *r, alpm_pkg_t *pkg, enum revdeps_kind kind, size_t *n)
{
	uint32_t i = r ? find_pkg(r, alpm_pkg_get_name(pkg)) : UINT32_MAX;

	*n = 0;
	if (i == UINT32_MAX)
		return NULL;
	*n = r->start[kind][i + 1] - r->start[kind][i];
	return r->names[kind] + r->start[kind][i];
}

void revdeps_free(struct revdeps *r)
{
	if (!r)
		return;
	free(r->pkgs);
	free(r->by_name);
	free(r->prov_head);
	free(r->prov_next);
	free(r->prov_pkg);
	free(r->prov_name);
	for (int k = 0; k < 2; k++) {
		free(r->start[k]);
		free(r->names[k]);
	}
	free(r);
}
