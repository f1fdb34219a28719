/* config.c — the Debian backend's paths, architectures and NeverAutoRemove patterns, from
 * apt's configuration as apt resolves them. */
#include "config.h"
#include "dpkg.h"
#include "grow.h"
#include "omg_error.h"

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void deb_join_dir(char *out, size_t n, const char *base, const char *rel)
{
	if (rel[0] == '/')
		snprintf(out, n, "%s", rel);
	else
		snprintf(out, n, "%s%s%s", base, base[0] && base[strlen(base) - 1] == '/' ? "" : "/", rel);
}

void deb_resolve_paths(struct build *b, const char *root)
{
	struct paths *p = &b->paths;
	char state[4096], dir[4096];
	const char *status = aptconf_get(&b->conf, "dir::state::status", NULL);

	snprintf(dir, sizeof dir, "%s", root[0] ? root : "/");
	snprintf(p->root, sizeof p->root, "%s", dir);
	deb_join_dir(state, sizeof state, dir, aptconf_get(&b->conf, "dir::state", "var/lib/apt/"));
	deb_join_dir(p->lists, sizeof p->lists, state, aptconf_get(&b->conf, "dir::state::lists", "lists/"));
	deb_join_dir(p->extended, sizeof p->extended, state,
		 aptconf_get(&b->conf, "dir::state::extended_states", "extended_states"));
	/* As apt: the status file is under Dir unless configured explicitly (then as given,
	 * but inside --root when one is set). */
	if (status && strcmp(root, "/") != 0)
		deb_join_dir(p->status, sizeof p->status, dir, status + (status[0] == '/'));
	else if (status)
		snprintf(p->status, sizeof p->status, "%s", status);
	else
		deb_join_dir(p->status, sizeof p->status, dir, "var/lib/dpkg/status");
	p->recommends_important = aptconf_bool(&b->conf, "apt::autoremove::recommendsimportant", 1);
	p->suggests_important = aptconf_bool(&b->conf, "apt::autoremove::suggestsimportant", 1);
}

void deb_add_arch(void *ctx, const char *v)
{
	struct build *b = ctx;

	char *d;

	for (size_t i = 0; i < b->narchs; i++)
		if (!strcmp(b->archs[i], v))
			return;
	if (omg_grow(&b->archs, &b->cap_archs, b->narchs + 1, sizeof *b->archs, OMG_GROW_UNBOUNDED) != OMG_OK ||
	    !(d = strdup(v))) {
		b->conf_failed = 1;
		return;
	}
	b->archs[b->narchs++] = d;
}

void deb_add_never(void *ctx, const char *v)
{
	struct build *b = ctx;

	regex_t *re = malloc(sizeof *re);

	if (!re) {
		b->conf_failed = 1;
		return;
	}
	if (regcomp(re, v, REG_EXTENDED | REG_ICASE | REG_NOSUB) != 0) {
		free(re); /* as apt: a pattern that does not compile matches nothing */
		return;
	}
	if (omg_grow(&b->never, &b->cap_never, b->nnever + 1, sizeof *b->never, OMG_GROW_UNBOUNDED) == OMG_OK) {
		b->never[b->nnever++] = re;
	} else {
		regfree(re);
		free(re);
		b->conf_failed = 1;
	}
}

/* dpkg's admin directory: the status file's (Dir::State::status). */
void deb_admin_file(const struct build *b, const char *name, char *out, size_t n)
{
	const char *slash = strrchr(b->paths.status, '/');

	snprintf(out, n, "%.*s/%s", slash ? (int)(slash - b->paths.status) : 0, b->paths.status, name);
}

/* As apt without APT::Architectures: the native architecture and every one registered with
 * dpkg --add-architecture (dpkg's "arch" file, which names the foreign ones, one a line). */
int deb_add_foreign_archs(struct build *b)
{
	char path[4200], line[256];
	FILE *f;

	deb_admin_file(b, "arch", path, sizeof path);
	if (db_input_add(b->db, path) != OMG_OK)
		return OMG_E_NOMEM;
	if (!(f = fopen(path, "re")))
		return OMG_OK;
	while (fgets(line, sizeof line, f)) {
		size_t n = strcspn(line, " \t\r\n");
		line[n] = 0;
		if (n && line[0] != '#')
			deb_add_arch(b, line);
	}
	fclose(f);
	return b->conf_failed ? OMG_ERROR(OMG_E_NOMEM, "architectures") : OMG_OK;
}

int deb_arch_known(const struct build *b, const char *a, size_t n)
{
	for (size_t i = 0; i < b->narchs; i++)
		if (strlen(b->archs[i]) == n && !strncmp(b->archs[i], a, n))
			return 1;
	return 0;
}

/* "all" packages belong to the native architecture, as apt files them. */
uint32_t deb_arch_of(struct build *b, const char *a, size_t n)
{
	struct db *db = b->db;

	if (n == 0 || (n == 3 && !strncmp(a, "all", 3)))
		return db->native_arch;
	uint32_t s;

	for (size_t i = 0; i < b->narch_off; i++) {
		const char *t = db_s(db, b->arch_off[i]);
		if (strlen(t) == n && !strncmp(t, a, n))
			return b->arch_off[i];
	}
	/* on failure to grow: not cached, still right */
	if ((s = db_str(db, a, n)) != DB_NONE &&
	    omg_grow(&b->arch_off, &b->cap_arch_off, b->narch_off + 1, sizeof *b->arch_off, OMG_GROW_UNBOUNDED) == OMG_OK)
		b->arch_off[b->narch_off++] = s;
	return s;
}
