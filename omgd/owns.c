/* owns.c — see owns.h. */
#include "config.h"
#include "owns.h"
#include "grow.h"
#include "omg_error.h"
#include "proto.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CONFIRM_MAX 16          /* owners confirmed in their lists; a directory many have is not */
#define DIVERSIONS_MAX (4u << 20)

struct pair {
	uint64_t hash;
	uint32_t pkg;
};

struct owns {
	uint64_t generation;
	const struct db *db;
	struct pair *v;
	size_t n, cap;
	uint8_t *qualified;         /* per package: dpkg names it NAME:ARCH (Multi-Arch: same) */
};

static uint64_t fnv(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ull;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (uint8_t)s[i]) * 1099511628211ull;
	return h;
}

void owns_free(struct owns *o)
{
	if (!o)
		return;
	free(o->v);
	free(o->qualified);
	free(o);
}

static int by_hash(const void *a, const void *b)
{
	const struct pair *x = a, *y = b;

	if (x->hash != y->hash)
		return x->hash < y->hash ? -1 : 1;
	return (x->pkg > y->pkg) - (x->pkg < y->pkg);
}

static int add(struct owns *o, uint64_t hash, uint32_t pkg)
{
	if (omg_grow(&o->v, &o->cap, o->n + 1, sizeof *o->v, OMG_GROW_UNBOUNDED) != OMG_OK)
			return OMG_ERROR(OMG_E_NOMEM, "owns index");
	o->v[o->n++] = (struct pair){ hash, pkg };
	return OMG_OK;
}

static int build(struct owns *o, const struct db *db, const struct backend *b, const char *root)
{
	const char *r = strcmp(root, "/") ? root : "";
	int rc = OMG_OK;

	o->n = 0;
	free(o->qualified);
	if (!(o->qualified = calloc(db->npkgs ? db->npkgs : 1, 1)))
		return OMG_ERROR(OMG_E_NOMEM, "owns index");
	for (uint32_t p = 0; p < db->npkgs && rc == OMG_OK; p++) {
		char *list = NULL;
		size_t len = 0;
		if (db->pkgs[p].inst == DB_NONE || b->files(db, root, p, &list, &len) != OMG_OK)
			continue;
		for (size_t i = 0; i < len && rc == OMG_OK;) {
			const char *nl = memchr(list + i, '\n', len - i);
			size_t l = nl ? (size_t)(nl - list) - i : len - i;
			if (l)
				rc = add(o, fnv(list + i, l), p);
			i += l + 1;
		}
		free(list);
		if (!strcmp(b->name, "dpkg")) {
			char path[8192];
			snprintf(path, sizeof path, "%s/var/lib/dpkg/info/%s:%s.list", r, db_s(db, db->pkgs[p].name),
				 db_s(db, db->pkgs[p].arch));
			o->qualified[p] = access(path, F_OK) == 0;
		}
	}
	if (rc == OMG_OK && o->n)
		qsort(o->v, o->n, sizeof *o->v, by_hash);
	return rc;
}

/* Whether package P's list has PATH. */
static int has(const struct owns *o, const struct backend *b, const char *root, uint32_t p, const char *path)
{
	char *list = NULL;
	size_t len = 0, k = strlen(path);
	int found = 0;

	if (b->files(o->db, root, p, &list, &len) != OMG_OK)
		return 0;
	for (size_t i = 0; i < len && !found;) {
		const char *nl = memchr(list + i, '\n', len - i);
		size_t l = nl ? (size_t)(nl - list) - i : len - i;
		found = l == k && !memcmp(list + i, path, k);
		i += l + 1;
	}
	free(list);
	return found;
}

/* The packages whose lists have PATH; the count of rows given. */
static int find(const struct owns *o, const struct backend *b, const char *root, const char *path, owns_fn fn,
		void *ctx, int *stop)
{
	uint64_t h = fnv(path, strlen(path));
	size_t lo = 0, hi = o->n, end;
	int rows = 0, confirm;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (o->v[mid].hash < h)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (end = lo; end < o->n && o->v[end].hash == h; end++)
		;
	confirm = end - lo <= CONFIRM_MAX;
	for (size_t i = lo; i < end && !*stop; i++) {
		uint32_t p = o->v[i].pkg;
		char name[600];
		if (i > lo && o->v[i - 1].pkg == p)
			continue; /* listed twice by one package */
		if (confirm && !has(o, b, root, p, path))
			continue;
		snprintf(name, sizeof name, "%s%s%s", db_s(o->db, o->db->pkgs[p].name), o->qualified[p] ? ":" : "",
			 o->qualified[p] ? db_s(o->db, o->db->pkgs[p].arch) : "");
		*stop = fn(name, path, OMG_OWNS_FILE, ctx);
		rows++;
	}
	return rows;
}

/* PATH's other name on a merged-/usr root ("" when it has none). */
static void usrmerge_alias(const char *root, const char *path, char *out, size_t n)
{
	static const char *const dirs[] = { "bin", "sbin", "lib", "lib32", "lib64", "libx32" };
	const char *r = strcmp(root, "/") ? root : "";

	out[0] = 0;
	for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
		size_t dl = strlen(dirs[i]);
		char top[4200];
		struct stat st;
		int usr = !strncmp(path, "/usr/", 5) && !strncmp(path + 5, dirs[i], dl) && path[5 + dl] == '/';
		int bare = path[0] == '/' && !strncmp(path + 1, dirs[i], dl) && path[1 + dl] == '/';
		if (!usr && !bare)
			continue;
		snprintf(top, sizeof top, "%s/%s", r, dirs[i]);
		if (lstat(top, &st) != 0 || !S_ISLNK(st.st_mode))
			return;
		if (usr)
			snprintf(out, n, "%s", path + 4);
		else
			snprintf(out, n, "/usr%s", path);
		return;
	}
}

/* dpkg's diversions of PATH or ALIAS: "from\nto\npackage\n" triplets (":" a local one). */
static void diversions(const char *root, const char *path, const char *alias, owns_fn fn, void *ctx, int *stop)
{
	char file[4200], *buf, *line[3];
	const char *r = strcmp(root, "/") ? root : "";
	ssize_t got;
	int fd;

	snprintf(file, sizeof file, "%s/var/lib/dpkg/diversions", r);
	if ((fd = open(file, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) < 0)
		return;
	if (!(buf = malloc(DIVERSIONS_MAX + 1))) {
		close(fd);
		return;
	}
	got = read(fd, buf, DIVERSIONS_MAX);
	close(fd);
	buf[got > 0 ? got : 0] = 0;
	for (char *save = NULL, *l = strtok_r(buf, "\n", &save); l && !*stop; l = strtok_r(NULL, "\n", &save)) {
		line[0] = l;
		line[1] = strtok_r(NULL, "\n", &save);
		line[2] = line[1] ? strtok_r(NULL, "\n", &save) : NULL;
		if (!line[2])
			break;
		if (!strcmp(line[0], path) || !strcmp(line[1], path) ||
		    (alias[0] && (!strcmp(line[0], alias) || !strcmp(line[1], alias)))) {
			const char *by = strcmp(line[2], ":") ? line[2] : "";
			*stop = fn(by, line[0], OMG_OWNS_DIVERTED_FROM, ctx);
			if (!*stop)
				*stop = fn(by, line[1], OMG_OWNS_DIVERTED_TO, ctx);
		}
	}
	free(buf);
}

int owns_lookup(struct owns **op, const struct db *db, uint64_t generation, const struct backend *b,
		const char *root, const char *path, owns_fn fn, void *ctx)
{
	struct owns *o = *op;
	char alias[4200];
	int stop = 0, rc;

	if (!o) {
		if (!(o = calloc(1, sizeof *o)))
			return OMG_ERROR(OMG_E_NOMEM, "owns index");
		*op = o;
		o->generation = generation + 1; /* not built */
	}
	if (o->generation != generation || o->db != db) {
		o->db = db;
		if ((rc = build(o, db, b, root)) != OMG_OK) {
			o->generation = generation + 1;
			return rc;
		}
		o->generation = generation;
	}
	usrmerge_alias(root, path, alias, sizeof alias);
	if (!strcmp(b->name, "dpkg"))
		diversions(root, path, alias, fn, ctx, &stop);
	if (!stop && !find(o, b, root, path, fn, ctx, &stop) && alias[0] && !stop)
		find(o, b, root, alias, fn, ctx, &stop);
	return OMG_OK;
}
