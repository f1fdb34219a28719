/* pacmanconf.c — see pacmanconf.h. */
#include "config.h"
#include "pacmanconf.h"
#include "omg_error.h"

#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct parse {
	struct pacmanconf *c;
	const char *root;
	char section[64];
	int depth;
};

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = 0;
	return s;
}

/* PATH inside the root being read. */
static void rooted(const struct parse *p, const char *path, char *out, size_t n)
{
	if (strcmp(p->root, "/") != 0 && path[0] == '/')
		snprintf(out, n, "%s%s", p->root, path);
	else
		snprintf(out, n, "%s", path);
}

static int add_words(char **list, int *n, char *value)
{
	char *save = NULL;

	for (char *w = strtok_r(value, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
		if (*n == PACMANCONF_MAX_IGNORE)
			return OMG_OK;
		if (!(list[*n] = strdup(w)))
			return OMG_ERROR(OMG_E_NOMEM, "pacman.conf");
		(*n)++;
	}
	return OMG_OK;
}

static int read_file(struct parse *p, const char *path);

/* VALUE's words after *WORDS (SigLevel lines add up, as pacman reads them). */
static int append_words(char **words, const char *value)
{
	size_t have = *words ? strlen(*words) : 0, n = strlen(value);
	char *g = realloc(*words, have + n + 2);

	if (!g)
		return OMG_ERROR(OMG_E_NOMEM, "pacman.conf");
	if (have)
		g[have++] = ' ';
	memcpy(g + have, value, n + 1);
	*words = g;
	return OMG_OK;
}

/* The index of the repository section being read (-1: none). */
static int repo_at(const struct parse *p)
{
	for (int i = 0; i < p->c->nrepos; i++)
		if (!strcmp(p->c->repos[i], p->section))
			return i;
	return -1;
}

static int include(struct parse *p, const char *pattern)
{
	char full[4096];
	glob_t g;
	int rc = OMG_OK;

	rooted(p, pattern, full, sizeof full);
	if (glob(full, 0, NULL, &g) != 0)
		return OMG_OK; /* pacman warns and goes on */
	for (size_t i = 0; i < g.gl_pathc && rc == OMG_OK; i++)
		rc = read_file(p, g.gl_pathv[i]);
	globfree(&g);
	return rc;
}

static int line(struct parse *p, char *s)
{
	struct pacmanconf *c = p->c;
	char *hash = strchr(s, '#'), *eq, *key, *value = NULL;

	if (hash)
		*hash = 0;
	s = trim(s);
	if (!*s)
		return OMG_OK;
	if (*s == '[') {
		char *end = strchr(s, ']');
		if (!end || end[1] || end == s + 1 || (size_t)(end - s - 1) >= sizeof p->section) {
			c->errors++;
			return OMG_OK;
		}
		snprintf(p->section, sizeof p->section, "%.*s", (int)(end - s - 1), s + 1);
		if (strcmp(p->section, "options") != 0) {
			for (int i = 0; i < c->nrepos; i++)
				if (!strcmp(c->repos[i], p->section))
					return OMG_OK; /* the same repository again: its first place counts */
			if (c->nrepos < PACMANCONF_MAX_REPOS)
				snprintf(c->repos[c->nrepos++], sizeof c->repos[0], "%s", p->section);
		}
		return OMG_OK;
	}
	if ((eq = strchr(s, '='))) {
		*eq = 0;
		value = trim(eq + 1);
	}
	key = trim(s);
	if (!p->section[0]) {
		c->errors++; /* a key before any section */
		return OMG_OK;
	}
	if (!strcmp(key, "Include") && value)
		return include(p, value);
	if (!value)
		return OMG_OK;
	if (strcmp(p->section, "options") != 0) {
		int r = repo_at(p);
		if (r >= 0 && !strcmp(key, "SigLevel"))
			return append_words(&c->repo_siglevel[r], value);
		if (r >= 0 && !strcmp(key, "Server") && !c->repo_server[r] && !(c->repo_server[r] = strdup(value)))
			return OMG_ERROR(OMG_E_NOMEM, "pacman.conf");
		return OMG_OK;
	}
	if (!strcmp(key, "SigLevel"))
		return append_words(&c->siglevel, value);
	if (!strcmp(key, "GPGDir"))
		rooted(p, value, c->gpgdir, sizeof c->gpgdir);
	else if (!strcmp(key, "CacheDir") && c->ncachedirs < PACMANCONF_MAX_CACHEDIRS) {
		char dir[4096];
		rooted(p, value, dir, sizeof dir);
		if (!(c->cachedir[c->ncachedirs] = strdup(dir)))
			return OMG_ERROR(OMG_E_NOMEM, "pacman.conf");
		c->ncachedirs++;
	} else if (!strcmp(key, "RootDir"))
		rooted(p, value, c->rootdir, sizeof c->rootdir);
	else if (!strcmp(key, "DBPath"))
		rooted(p, value, c->dbpath, sizeof c->dbpath);
	else if (!strcmp(key, "LogFile"))
		rooted(p, value, c->logfile, sizeof c->logfile);
	else if (!strcmp(key, "IgnorePkg"))
		return add_words(c->ignore_pkg, &c->nignore_pkg, value);
	else if (!strcmp(key, "IgnoreGroup"))
		return add_words(c->ignore_group, &c->nignore_group, value);
	return OMG_OK;
}

/* Lines of BUF (N bytes, any content: NUL bytes end a line's text). */
static int parse_buffer(struct parse *p, const char *buf, size_t n)
{
	char ln[8192];
	int rc = OMG_OK;

	for (size_t i = 0; i < n && rc == OMG_OK;) {
		const char *nl = memchr(buf + i, '\n', n - i);
		size_t len = nl ? (size_t)(nl - (buf + i)) : n - i;
		size_t keep = len < sizeof ln - 1 ? len : sizeof ln - 1; /* pacman's limit is lower */
		memcpy(ln, buf + i, keep);
		ln[keep] = 0;
		rc = line(p, ln);
		i += len + 1;
	}
	return rc;
}

static int read_file(struct parse *p, const char *path)
{
	char *buf;
	size_t n;
	FILE *f;
	int rc;

	if (p->depth >= 10)
		return OMG_OK; /* an Include loop */
	if (!(f = fopen(path, "re")))
		return p->depth == 0 && errno == ENOENT ? OMG_E_NOTFOUND : OMG_OK;
	buf = malloc(1 << 20);
	n = buf ? fread(buf, 1, 1 << 20, f) : 0; /* a configuration over 1 MiB is cut there */
	fclose(f);
	if (!buf)
		return OMG_ERROR(OMG_E_NOMEM, "pacman.conf");
	p->depth++;
	rc = parse_buffer(p, buf, n);
	p->depth--;
	free(buf);
	return rc;
}

int pacmanconf_parse(struct pacmanconf *c, const char *root, const char *buf, size_t n)
{
	struct parse p = { .c = c, .root = root, .depth = 1 };

	memset(c, 0, sizeof *c);
	return parse_buffer(&p, buf, n);
}

int pacmanconf_load(struct pacmanconf *c, const char *root, const char *conf)
{
	struct parse p = { .c = c, .root = root };
	int rc;

	memset(c, 0, sizeof *c);
	if (conf)
		snprintf(c->path, sizeof c->path, "%s", conf);
	else
		snprintf(c->path, sizeof c->path, "%s/etc/pacman.conf", strcmp(root, "/") ? root : "");
	rc = read_file(&p, c->path);
	if (rc == OMG_E_NOTFOUND)
		return OMG_ERROR(OMG_E_NOTFOUND, "%s: no such file", c->path);
	if (!c->rootdir[0])
		snprintf(c->rootdir, sizeof c->rootdir, "%s", root);
	if (!c->dbpath[0])
		snprintf(c->dbpath, sizeof c->dbpath, "%s/var/lib/pacman/", strcmp(root, "/") ? root : "");
	if (!c->logfile[0])
		snprintf(c->logfile, sizeof c->logfile, "%s/var/log/pacman.log", strcmp(root, "/") ? root : "");
	if (!c->gpgdir[0])
		snprintf(c->gpgdir, sizeof c->gpgdir, "%s/etc/pacman.d/gnupg/", strcmp(root, "/") ? root : "");
	if (!c->ncachedirs && rc == OMG_OK) {
		char dir[4096];
		snprintf(dir, sizeof dir, "%s/var/cache/pacman/pkg/", strcmp(root, "/") ? root : "");
		if (!(c->cachedir[0] = strdup(dir)))
			return OMG_ERROR(OMG_E_NOMEM, "pacman.conf");
		c->ncachedirs = 1;
	}
	return rc;
}

void pacmanconf_free(struct pacmanconf *c)
{
	for (int i = 0; i < c->nignore_pkg; i++)
		free(c->ignore_pkg[i]);
	for (int i = 0; i < c->nignore_group; i++)
		free(c->ignore_group[i]);
	c->nignore_pkg = c->nignore_group = 0;
	for (int i = 0; i < c->ncachedirs; i++)
		free(c->cachedir[i]);
	c->ncachedirs = 0;
	free(c->siglevel);
	c->siglevel = NULL;
	for (int i = 0; i < PACMANCONF_MAX_REPOS; i++) {
		free(c->repo_siglevel[i]);
		free(c->repo_server[i]);
		c->repo_siglevel[i] = c->repo_server[i] = NULL;
	}
}

int pacmanconf_ignored(const struct pacmanconf *c, const char *name)
{
	for (int i = 0; i < c->nignore_pkg; i++)
		if (fnmatch(c->ignore_pkg[i], name, 0) == 0)
			return 1;
	return 0;
}
