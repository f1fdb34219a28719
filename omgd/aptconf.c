/* aptconf.c — see aptconf.h. */
#include "config.h"
#include "aptconf.h"
#include "aptdir.h"
#include "grow.h"
#include "omg_error.h"
#include "log.h"

/* Weak: the parser is also linked into unit tests and fuzz targets that have no daemon log. */
#pragma weak omgd_log

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

enum tok { T_END, T_WORD, T_STRING, T_OPEN, T_CLOSE, T_SEMI };

struct lexer {
	const char *p, *end;
	char text[1024];
};

static enum tok lex(struct lexer *lx)
{
	size_t n = 0;

	for (;;) {
		while (lx->p < lx->end && isspace((unsigned char)*lx->p))
			lx->p++;
		if (lx->p >= lx->end)
			return T_END;
		if (lx->p + 1 < lx->end && lx->p[0] == '/' && lx->p[1] == '/') {
			while (lx->p < lx->end && *lx->p != '\n')
				lx->p++;
		} else if (lx->p + 1 < lx->end && lx->p[0] == '/' && lx->p[1] == '*') {
			const char *e = NULL;
			for (const char *q = lx->p + 2; q + 1 < lx->end; q++)
				if (q[0] == '*' && q[1] == '/') {
					e = q + 2;
					break;
				}
			lx->p = e ? e : lx->end;
		} else if (*lx->p == '#' && !(lx->end - lx->p >= 6 && !strncasecmp(lx->p, "#clear", 6)) &&
			   !(lx->end - lx->p >= 8 && !strncasecmp(lx->p, "#include", 8))) {
			while (lx->p < lx->end && *lx->p != '\n')
				lx->p++;
		} else {
			break;
		}
	}
	switch (*lx->p) {
	case '{': lx->p++; return T_OPEN;
	case '}': lx->p++; return T_CLOSE;
	case ';': lx->p++; return T_SEMI;
	case '"':
		lx->p++;
		while (lx->p < lx->end && *lx->p != '"') {
			if (n + 1 < sizeof lx->text)
				lx->text[n++] = *lx->p;
			lx->p++;
		}
		if (lx->p < lx->end)
			lx->p++;
		lx->text[n] = 0;
		return T_STRING;
	default:
		/* memchr, not strchr: a NUL byte in the file is part of a word, not a terminator */
		while (lx->p < lx->end && !isspace((unsigned char)*lx->p) && !memchr("{};\"", *lx->p, 4)) {
			if (n + 1 < sizeof lx->text)
				lx->text[n++] = *lx->p;
			lx->p++;
		}
		lx->text[n] = 0;
		return T_WORD;
	}
}

static char *join_key(const char *scope, const char *name)
{
	size_t a = strlen(scope), b = strlen(name);
	char *k = malloc(a + b + 3);

	if (!k)
		return NULL;
	if (a)
		memcpy(k, scope, a), memcpy(k + a, "::", 2), a += 2;
	memcpy(k + a, name, b + 1);
	for (char *p = k; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return k;
}

/* Removes KEY; with SUBTREE also every key below it (#clear). */
static void conf_clear(struct aptconf *c, const char *key, int subtree)
{
	size_t kl = strlen(key), j = 0;

	for (size_t i = 0; i < c->n; i++) {
		const char *k = c->v[i].key;
		if (!strcmp(k, key) || (subtree && !strncmp(k, key, kl) && k[kl] == ':')) {
			free(c->v[i].key);
			free(c->v[i].value);
		} else {
			c->v[j++] = c->v[i];
		}
	}
	c->n = j;
}

/* KEY ending in "::" appends a list item; otherwise the value replaces earlier ones. */
static int conf_set(struct aptconf *c, char *key, const char *value)
{
	size_t kl = strlen(key);

	if (kl >= 2 && !strcmp(key + kl - 2, "::"))
		key[kl - 2] = 0;
	else
		conf_clear(c, key, 0);
	if (omg_grow(&c->v, &c->cap, c->n + 1, sizeof *c->v, OMG_GROW_UNBOUNDED) != OMG_OK) {
			free(key);
			return OMG_ERROR(OMG_E_NOMEM, "apt configuration");
		}
	c->v[c->n].key = key;
	c->v[c->n].value = strdup(value);
	if (!c->v[c->n].value) {
		free(key);
		return OMG_ERROR(OMG_E_NOMEM, "apt configuration");
	}
	c->n++;
	return OMG_OK;
}

static int conf_file(struct aptconf *c, const char *path);
static int conf_dir(struct aptconf *c, const char *dir);

/* apt's "#include PATH;": a directory when PATH ends with '/', else a file; apt takes a
 * relative PATH from its working directory, which for a daemon is the root; an absolute
 * one is inside the root, as for apt in a chroot. */
static int conf_include(struct aptconf *c, const char *what)
{
	char path[4096];
	int rc;

	if (!c->root || c->depth >= 10) {
		c->errors++;
		return OMG_OK;
	}
	snprintf(path, sizeof path, "%s%s%s", strcmp(c->root, "/") ? c->root : "", what[0] == '/' ? "" : "/", what);
	c->depth++;
	rc = strlen(what) > 2 && what[strlen(what) - 1] == '/' ? conf_dir(c, path) : conf_file(c, path);
	c->depth--;
	return rc;
}

int aptconf_parse(struct aptconf *c, const char *text, size_t len)
{
	struct lexer lx = { .p = text, .end = text + len };
	char scope[2048] = "";
	size_t depth_len[64];
	int depth = 0;
	char name[1024];
	enum tok t;

	while ((t = lex(&lx)) != T_END) {
		if (t == T_CLOSE) {
			if (depth == 0) {
				c->errors++;
				continue;
			}
			scope[depth_len[--depth]] = 0;
			continue;
		}
		if (t == T_SEMI)
			continue;
		if (t == T_WORD && !strcasecmp(lx.text, "#include")) {
			t = lex(&lx);
			if ((t == T_WORD || t == T_STRING) && conf_include(c, lx.text) != OMG_OK)
				return OMG_E_NOMEM;
			continue;
		}
		if (t == T_WORD && !strcasecmp(lx.text, "#clear")) {
			if (lex(&lx) == T_WORD) {
				char *k = join_key(scope, lx.text);
				if (k)
					conf_clear(c, k, 1);
				free(k);
			}
			continue;
		}
		snprintf(name, sizeof name, "%s", lx.text);
		t = lex(&lx);
		if (t == T_OPEN) {
			size_t sl = strlen(scope);
			if (depth == 64 || sl + strlen(name) + 3 > sizeof scope) {
				c->errors++;
				return OMG_ERROR(OMG_E_CORRUPT, "apt configuration nested too deeply");
			}
			depth_len[depth++] = sl;
			if (sl)
				strcat(scope, "::");
			strcat(scope, name);
			continue;
		}
		if (t == T_SEMI || t == T_CLOSE) { /* a bare list item inside a scope */
			char *k = join_key(scope, ""); /* "scope::": append */
			if (k && depth)
				conf_set(c, k, name);
			else
				free(k), c->errors++;
			if (t == T_CLOSE && depth)
				scope[depth_len[--depth]] = 0;
			continue;
		}
		if (t == T_WORD || t == T_STRING) {
			char *k = join_key(scope, name);
			if (k && conf_set(c, k, lx.text) != OMG_OK)
				return OMG_E_NOMEM;
			if (lex(&lx) != T_SEMI)
				c->errors++;
			continue;
		}
		c->errors++;
	}
	return OMG_OK;
}

static int conf_file(struct aptconf *c, const char *path)
{
	char *buf = NULL;
	struct stat st = { 0 };
	ssize_t n;
	/* Non-blocking: opening a FIFO for reading would wait for a writer, forever. */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC), rc;

	if (fd < 0)
		return errno == ENOENT ? OMG_OK : OMG_ERROR(OMG_E_SYS, "open %s: %s", path, strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > (1 << 20)) {
		close(fd);
		if (omgd_log)
			omgd_log("apt configuration %s skipped: %s", path,
				 S_ISREG(st.st_mode) ? "larger than 1 MiB" : "not a regular file");
		return OMG_OK; /* apt skips what it cannot read; so do we */
	}
	buf = malloc((size_t)st.st_size + 1);
	n = buf ? read(fd, buf, (size_t)st.st_size) : -1;
	close(fd);
	rc = n >= 0 ? aptconf_parse(c, buf, (size_t)n) : OMG_ERROR(OMG_E_SYS, "read %s", path);
	free(buf);
	return rc;
}

/* Every file of DIR with a name apt accepts, in name order. */
static int conf_file_cb(void *c, const char *path)
{
	return conf_file(c, path);
}

static int conf_dir(struct aptconf *c, const char *dir)
{
	static const char *const exts[] = { "conf", NULL };

	return aptdir_each(dir, exts, 1, conf_file_cb, c);
}

/* Where Dir::Etc::KEY (DEF) is under ROOT, as apt's FindFile/FindDir: an absolute value
 * as is (inside a root other than /), else under Dir::Etc. */
static void etc_path(const struct aptconf *c, const char *root, const char *key, const char *def, char *out, size_t n)
{
	const char *v = aptconf_get(c, key, def), *etc = aptconf_get(c, "dir::etc", "etc/apt/");
	const char *r = strcmp(root, "/") ? root : "";

	size_t el = strlen(etc);
	const char *sep = el && etc[el - 1] == '/' ? "" : "/";

	if (v[0] == '/')
		snprintf(out, n, "%s%s", r, v);
	else
		snprintf(out, n, "%s%s%s%s%s", r, etc[0] == '/' ? "" : "/", etc, sep, v);
}

int aptconf_load(struct aptconf *c, const char *root)
{
	char path[4096];
	const char *env = getenv("APT_CONFIG");
	int rc = OMG_OK;

	memset(c, 0, sizeof *c);
	c->root = root;
	/* apt reads $APT_CONFIG first (it may move Dir::Etc::parts and main); for the system's
	 * own root only: another root is omgd --root's, which apt finds through Dir. */
	if (env && env[0] && !strcmp(root, "/"))
		rc = conf_file(c, env);
	etc_path(c, root, "dir::etc::parts", "apt.conf.d", path, sizeof path);
	if (rc == OMG_OK)
		rc = conf_dir(c, path);
	etc_path(c, root, "dir::etc::main", "apt.conf", path, sizeof path);
	if (rc == OMG_OK)
		rc = conf_file(c, path);
	c->root = NULL;
	return rc;
}

const char *aptconf_get(const struct aptconf *c, const char *key, const char *def)
{
	for (size_t i = c->n; i-- > 0;)
		if (!strcasecmp(c->v[i].key, key))
			return c->v[i].value;
	return def;
}

int aptconf_bool(const struct aptconf *c, const char *key, int def)
{
	const char *v = aptconf_get(c, key, NULL);

	if (!v)
		return def;
	if (!strcasecmp(v, "true") || !strcasecmp(v, "yes") || !strcasecmp(v, "on") ||
	    !strcasecmp(v, "with") || !strcasecmp(v, "enable") || atoi(v) > 0)
		return 1;
	if (!strcasecmp(v, "false") || !strcasecmp(v, "no") || !strcasecmp(v, "off") ||
	    !strcasecmp(v, "without") || !strcasecmp(v, "disable") || !strcmp(v, "0"))
		return 0;
	return def;
}

void aptconf_each(const struct aptconf *c, const char *key, void (*fn)(void *ctx, const char *v), void *ctx)
{
	for (size_t i = 0; i < c->n; i++)
		if (!strcasecmp(c->v[i].key, key) && c->v[i].value[0])
			fn(ctx, c->v[i].value);
}

void aptconf_free(struct aptconf *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->v[i].key);
		free(c->v[i].value);
	}
	free(c->v);
	memset(c, 0, sizeof *c);
}
