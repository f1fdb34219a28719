/* hostmetrics.c — see hostmetrics.h. */
#include "config.h"
#include "hostmetrics.h"
#include "aptconf.h"
#include "backend.h"
#include "grow.h"
#include "omg_error.h"
#include "prom.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PKGS_FILE_MAX (256u << 10) /* reboot-required.pkgs read at most this far */

struct group {
	char *origin;        /* the label's value, unescaped */
	const char *arch;
	uint32_t pending, held;
};

struct groups {
	struct group *v;
	size_t n, cap;
	int failed;
};

/* PATH under ROOT ("/" adds nothing). */
static void rooted(char *out, size_t size, const char *root, const char *path)
{
	snprintf(out, size, "%s%s", strcmp(root, "/") ? root : "", path);
}

static int is_file(const char *root, const char *path)
{
	char p[4200];
	struct stat st;

	rooted(p, sizeof p, root, path);
	return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

static uint64_t mtime_of(const char *root, const char *path)
{
	char p[4200];
	struct stat st;

	rooted(p, sizeof p, root, path);
	return stat(p, &st) == 0 && st.st_mtim.tv_sec > 0 ? (uint64_t)st.st_mtim.tv_sec : 0;
}

int hostmetrics_reboot(const char *root)
{
	/* Debian's /var/run is a link to /run; a root without the link may have either */
	return is_file(root, "/run/reboot-required") || is_file(root, "/var/run/reboot-required");
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Distinct package names in reboot-required.pkgs (one a line, repeated by each trigger). */
static uint32_t reboot_pkgs(const char *root)
{
	char p[4200], *buf, **names = NULL;
	uint32_t n = 0, distinct = 0;
	size_t len;
	FILE *f;

	rooted(p, sizeof p, root, "/run/reboot-required.pkgs");
	if (!(f = fopen(p, "re"))) {
		rooted(p, sizeof p, root, "/var/run/reboot-required.pkgs");
		if (!(f = fopen(p, "re")))
			return 0;
	}
	buf = malloc(PKGS_FILE_MAX + 1);
	len = buf ? fread(buf, 1, PKGS_FILE_MAX, f) : 0;
	fclose(f);
	if (!buf || !(names = malloc((len / 2 + 1) * sizeof *names)))
		goto fail;
	buf[len] = 0;
	for (char *save = NULL, *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		line[strcspn(line, " \t\r")] = 0;
		if (line[0])
			names[n++] = line;
	}
	if (n)
		qsort(names, n, sizeof *names, cmp_str);
	for (uint32_t i = 0; i < n; i++)
		distinct += !i || strcmp(names[i], names[i - 1]) != 0;
fail:
	free(names);
	free(buf);
	return distinct;
}

/* VER's origins as apt_info.py writes them: "Origin:Codename/Suite" of each list that has
 * it, distinct, sorted, joined by ","; NULL when out of memory. */
static char *origins_of(const struct db *db, uint32_t ver)
{
	uint32_t first, count, n = 0;
	char **each, *out = NULL;
	size_t len = 1, at = 0;

	db_vfiles_of(db, ver, &first, &count);
	if (!(each = calloc(count + 1, sizeof *each)))
		return NULL;
	for (uint32_t i = 0; i < count; i++) {
		const struct db_src *s = &db->srcs[db->vfiles[first + i].src];
		if (asprintf(&each[n], "%s:%s/%s", db_s(db, s->origin), db_s(db, s->codename), db_s(db, s->suite)) < 0)
			goto fail;
		len += strlen(each[n++]) + 1;
	}
	if (n)
		qsort(each, n, sizeof *each, cmp_str);
	if (!(out = malloc(len)))
		goto fail;
	out[0] = 0;
	for (uint32_t i = 0; i < n; i++)
		if (!i || strcmp(each[i], each[i - 1]) != 0)
			at += (size_t)sprintf(out + at, "%s%s", at ? "," : "", each[i]);
fail:
	for (uint32_t i = 0; i < n; i++)
		free(each[i]);
	free(each);
	return out;
}

static void group_add(struct groups *g, char *origin, const char *arch, int held)
{
	size_t i;

	for (i = 0; i < g->n; i++)
		if (!strcmp(g->v[i].origin, origin) && !strcmp(g->v[i].arch, arch))
			break;
	if (i < g->n) {
		free(origin);
	} else {
		if (omg_grow(&g->v, &g->cap, g->n + 1, sizeof *g->v, OMG_GROW_UNBOUNDED) != OMG_OK) {
				free(origin);
				g->failed = 1;
				return;
			}
		g->v[g->n++] = (struct group){ .origin = origin, .arch = arch };
	}
	g->v[i].pending++;
	g->v[i].held += held ? 1 : 0;
}

static int cmp_group(const void *a, const void *b)
{
	const struct group *x = a, *y = b;
	int c = strcmp(x->origin, y->origin);

	return c ? c : strcmp(x->arch, y->arch);
}

/* A label value escaped as the exposition format wants: \\, \" and \n. */
static void put_escaped(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			fputc('\\', f);
		if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
}

static void put_labelled(struct omg_wbuf *w, uint32_t *count, const char *family, const char *origin,
			 const char *arch, uint64_t value)
{
	char *name = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&name, &size);

	if (!f)
		return;
	fprintf(f, "%s{origin=\"", family);
	put_escaped(f, origin);
	fputs("\",arch=\"", f);
	put_escaped(f, arch);
	fputs("\"}", f);
	if (fclose(f) == 0) {
		omg_enc_metric(w, name, value);
		(*count)++;
	}
	free(name);
}

/* apt_upgrades_pending and apt_upgrades_held, each family's series together. */
static void put_upgrades(const struct db *db, struct omg_wbuf *w, uint32_t *count)
{
	struct groups g = { 0 };
	uint32_t held_groups = 0;

	for (uint32_t p = 0; p < db->npkgs && !g.failed; p++) {
		const struct db_pkg *pk = &db->pkgs[p];
		char *origin;
		if (!(pk->flags & DB_PKG_UPGRADABLE) || pk->cand == DB_NONE)
			continue;
		if (!(origin = origins_of(db, pk->cand))) {
			g.failed = 1;
			break;
		}
		group_add(&g, origin, db->vers[pk->cand].flags & DBV_ARCH_ALL ? "all" : db_s(db, pk->arch),
			  pk->flags & DB_PKG_HELD);
	}
	if (!g.failed) {
		if (g.n)
			qsort(g.v, g.n, sizeof *g.v, cmp_group);
		for (size_t i = 0; i < g.n; i++)
			put_labelled(w, count, "apt_upgrades_pending", g.v[i].origin, g.v[i].arch, g.v[i].pending);
		if (!g.n)
			put_labelled(w, count, "apt_upgrades_pending", "", "", 0);
		for (size_t i = 0; i < g.n; i++)
			if (g.v[i].held) {
				put_labelled(w, count, "apt_upgrades_held", g.v[i].origin, g.v[i].arch, g.v[i].held);
				held_groups++;
			}
		if (!held_groups)
			put_labelled(w, count, "apt_upgrades_held", "", "", 0);
	}
	for (size_t i = 0; i < g.n; i++)
		free(g.v[i].origin);
	free(g.v);
}

/* When apt last refreshed its lists, by apt_info.py's rule. */
static uint64_t apt_refreshed(const char *root)
{
	uint64_t stamp = mtime_of(root, "/var/lib/apt/periodic/update-success-stamp");

	if (stamp) {
		struct aptconf c = { 0 };
		int periodic = aptconf_load(&c, root) == OMG_OK && aptconf_bool(&c, "apt::periodic::update-package-lists", 0);
		aptconf_free(&c);
		if (periodic)
			return stamp;
	}
	return mtime_of(root, "/var/lib/apt/lists/partial");
}

uint32_t hostmetrics_put(const struct daemon *d, struct omg_wbuf *w)
{
	const struct db *db = d->db;
	int dpkg = !strcmp(d->backend->name, "dpkg");
	uint64_t refreshed = dpkg ? apt_refreshed(d->root) : mtime_of(d->root, "/var/lib/pacman/sync");
	struct verify_summary vs;
	uint32_t count = 0;

#define M(k, v) (omg_enc_metric(w, (k), (uint64_t)(v)), count++)
	if (db && dpkg) {
		put_upgrades(db, w, &count);
		M("apt_autoremove_pending", db->counts.orphans);
	} else if (db) {
		M("pacman_updates_pending", db->counts.updates);
	}
	if (dpkg && refreshed)
		M("apt_package_cache_timestamp_seconds", refreshed);
	M("node_reboot_required", d->reboot_required);
	if (db) {
		M("omg_security_updates_pending", db->security);
		M("omg_installed_packages", db->counts.total);
		M("omg_explicit_packages", db->counts.explicit_pkgs);
	}
	M("omg_reboot_required_packages", d->reboot_required ? reboot_pkgs(d->root) : 0);
	verify_summary(d->verifier, &vs);
	M("omg_verify_findings{part=\"files\"}", vs.modified);
	M("omg_verify_findings{part=\"archive\"}", vs.untrusted);
	M("omg_verify_last_timestamp_seconds", vs.at);
	if (refreshed)
		M("omg_lists_refreshed_timestamp_seconds", refreshed);
	if (db)
		M("omg_index_updated_timestamp_seconds", db->built_at);
#undef M
	return count;
}

int hostmetrics_textfile(const struct daemon *d, const char *dir)
{
	struct omg_wbuf w = { 0 };
	struct omg_pairs m = { 0 };
	char tmp[4200], path[4200];
	FILE *f = NULL;
	size_t at;
	int fd = -1, made = 0, rc;

	if ((size_t)snprintf(path, sizeof path, "%s/omg.prom", dir) >= sizeof path ||
	    (size_t)snprintf(tmp, sizeof tmp, "%s/.omg.prom.XXXXXX", dir) >= sizeof tmp)
		return OMG_ERROR(OMG_E_TOOBIG, "--textfile %s: path too long", dir);
	at = omg_enc_metrics_head(&w);
	omg_enc_count(&w, at, hostmetrics_put(d, &w));
	if (w.failed) {
		rc = OMG_ERROR(OMG_E_NOMEM, "the metrics");
		goto fail;
	}
	if ((rc = omg_dec_pairs(w.data, w.len, OMG_MSG_METRICS | OMG_MSG_ANSWER, &m)) != OMG_OK)
		goto fail;
	/* the collector reads *.prom only: the temporary name is not one */
	if ((fd = mkostemp(tmp, O_CLOEXEC)) < 0) {
		rc = OMG_ERROR(OMG_E_SYS, "%s: %s", tmp, strerror(errno));
		goto fail;
	}
	made = 1;
	if (fchmod(fd, 0644) != 0 || !(f = fdopen(fd, "w"))) {
		rc = OMG_ERROR(OMG_E_SYS, "%s: %s", tmp, strerror(errno));
		goto fail;
	}
	fd = -1;
	rc = omg_prom_write(f, &m, OMG_PROM_HOST_ONLY);
	if (fclose(f) != 0 && rc == OMG_OK)
		rc = OMG_ERROR(OMG_E_SYS, "%s: %s", tmp, strerror(errno));
	f = NULL;
	if (rc == OMG_OK && rename(tmp, path) != 0)
		rc = OMG_ERROR(OMG_E_SYS, "%s: %s", path, strerror(errno));
fail:
	if (f)
		fclose(f);
	if (fd >= 0)
		close(fd);
	if (rc != OMG_OK && made)
		unlink(tmp);
	omg_pairs_free(&m);
	omg_wbuf_free(&w);
	return rc;
}
