/* aptprefs.c — see aptprefs.h. */
#include "config.h"
#include "aptprefs.h"
#include "aptdir.h"
#include "deb822.h"
#include "ere.h"
#include "grow.h"
#include "omg_error.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#define PREFS_FILE_MAX (4u << 20) /* a preferences file larger than this is not one */

/* A pin's pattern is a package name's: one that ere.h's guard refuses (a pattern that would
 * make glibc's regcomp allocate without bound) matches nothing, as a bad regex in apt. */
static int regex_compile(regex_t *re, const char *body)
{
	return ere_compile(re, body, REG_NOSUB) == OMG_OK ? 0 : -1;
}

int aptpin_expr(const char *pattern, const char *s)
{
	size_t n;

	if (!pattern || !s)
		return 0;
	n = strlen(pattern);
	if (n >= 2 && pattern[0] == '/' && pattern[n - 1] == '/') {
		regex_t re;
		char *body = strndup(pattern + 1, n - 2);
		int match = 0;
		if (body && regex_compile(&re, body) == 0) {
			match = regexec(&re, s, 0, NULL, 0) == 0;
			regfree(&re);
		}
		free(body);
		return match;
	}
	return fnmatch(pattern, s, FNM_CASEFOLD) == 0;
}

/* apt's MatchVer: WANT equal to HAVE, or its prefix with PREFIX, ignoring case. */
static int match_ver(const char *have, const char *want, int prefix)
{
	size_t h, w;

	if (!have)
		return 0;
	h = strlen(have), w = strlen(want);
	if ((h != w && !prefix) || h < w)
		return 0;
	return strncasecmp(have, want, w) == 0;
}

int aptpin_version_matches(const struct aptpin *pin, const char *ver)
{
	return pin->type == APTPIN_VERSION && pin->data &&
	       (match_ver(ver, pin->data, pin->prefix) || aptpin_expr(pin->data, ver));
}

int aptpin_names(const struct aptpin *pin, const char *name)
{
	size_t n;

	if (!pin->name)
		return 0;
	if (!pin->pattern)
		return !strcmp(pin->name, name);
	if (!strcmp(pin->name, name))
		return 0;
	n = strlen(pin->name);
	if (n >= 2 && pin->name[0] == '/' && pin->name[n - 1] == '/') /* compiled at parse time, or bad */
		return pin->name_re && regexec(pin->name_re, name, 0, NULL, 0) == 0;
	return fnmatch(pin->name, name, FNM_CASEFOLD) == 0;
}

static int set(const char *want, const char *have)
{
	return want && !aptpin_expr(want, have);
}

int aptpin_file_matches(const struct aptpin *pin, const struct aptpin_file *f)
{
	char *const *r = pin->rel;

	if (pin->type == APTPIN_ORIGIN) /* the status file has no Release file, so no site */
		return !f->status && !(pin->data[0] && !f->site) && aptpin_expr(pin->data, f->site);
	if (pin->type != APTPIN_RELEASE || pin->match_none)
		return 0;
	if (!f->status) {
		int empty = 1;
		if (pin->match_all)
			return 1;
		for (int k = 0; k < REL__COUNT; k++)
			empty &= !r[k];
		if (empty)
			return 0;
		if (r[REL_V] && !match_ver(f->version, r[REL_V], pin->prefix) && !aptpin_expr(r[REL_V], f->version))
			return 0;
		if (set(r[REL_O], f->origin) || set(r[REL_A], f->archive) || set(r[REL_N], f->codename) ||
		    (r[REL_RELEASE] && !aptpin_expr(r[REL_RELEASE], f->archive) &&
		     !aptpin_expr(r[REL_RELEASE], f->codename)) ||
		    set(r[REL_L], f->label))
			return 0;
	} else {
		/* dpkg's status file: its "archive" is its component, "now" */
		if (set(r[REL_A], "now") || set(r[REL_RELEASE], "now") || r[REL_O] || r[REL_L] || r[REL_V] ||
		    r[REL_N])
			return 0;
	}
	if (pin->match_all)
		return 1;
	return !set(r[REL_C], f->status ? "now" : f->component) && !set(r[REL_B], f->status ? NULL : f->arch);
}

/* ---- parsing ------------------------------------------------------------------------ */

static char *trimmed(const char *s, size_t n)
{
	while (n && isspace((unsigned char)*s))
		s++, n--;
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	return strndup(s, n);
}

/* apt's pkgVersionMatch for a release pin's DATA. */
static int parse_release(struct aptpin *pin, const char *data)
{
	char spec[300], *frag[20];
	size_t nfrag = 0;

	if (!data[0])
		return OMG_OK;
	if (!strcmp(data, "*")) {
		pin->match_all = 1;
		return OMG_OK;
	}
	if (!strchr(data, '=')) {
		int k = isdigit((unsigned char)data[0]) ? REL_V : REL_RELEASE;
		if (!(pin->rel[k] = strdup(data)))
			return OMG_E_NOMEM;
		if (k == REL_V && data[strlen(data) - 1] == '*') {
			pin->prefix = 1;
			pin->rel[k][strlen(data) - 1] = 0;
		}
		return OMG_OK;
	}
	snprintf(spec, sizeof spec, "%s", data); /* apt cuts it at 299 bytes too */
	for (char *p = spec;;) {
		char *comma = strchr(p, ',');
		if (nfrag == sizeof frag / sizeof frag[0] - 1) {
			pin->match_none = 1; /* TokSplitString fails: the pin matches nothing */
			return OMG_OK;
		}
		frag[nfrag++] = p;
		if (!comma)
			break;
		*comma = 0;
		p = comma + 1;
	}
	for (size_t j = 0; j < nfrag; j++) {
		static const char keys[] = "voanlcb";
		char *f = frag[j];
		size_t n;
		while (isspace((unsigned char)*f))
			f++;
		n = strlen(f);
		while (n && isspace((unsigned char)f[n - 1]))
			f[--n] = 0;
		if (n < 3 || f[1] != '=' || !strchr(keys, tolower((unsigned char)f[0])))
			continue; /* apt ignores it, a bare word among key=value pairs included */
		int k = (int)(strchr(keys, tolower((unsigned char)f[0])) - keys);
		free(pin->rel[k]);
		if (!(pin->rel[k] = strdup(f + 2)))
			return OMG_E_NOMEM;
	}
	if (pin->rel[REL_V] && pin->rel[REL_V][0] && pin->rel[REL_V][strlen(pin->rel[REL_V]) - 1] == '*') {
		pin->prefix = 1;
		pin->rel[REL_V][strlen(pin->rel[REL_V]) - 1] = 0;
	}
	return OMG_OK;
}

static void pin_free(struct aptpin *pin)
{
	if (pin->name_re) {
		regfree(pin->name_re);
		free(pin->name_re);
	}
	free(pin->name), free(pin->arch), free(pin->data);
	for (int k = 0; k < REL__COUNT; k++)
		free(pin->rel[k]);
	memset(pin, 0, sizeof *pin);
}

static int push(struct aptprefs *p, struct aptpin *pin, int front)
{
	if (omg_grow(&p->v, &p->cap, p->n + 1, sizeof *p->v, OMG_GROW_UNBOUNDED) != OMG_OK)
			return OMG_E_NOMEM;
	if (front) {
		memmove(p->v + 1, p->v, p->n * sizeof *p->v);
		p->v[0] = *pin;
	} else
		p->v[p->n] = *pin;
	p->n++;
	if (pin->name)
		p->specific++;
	return OMG_OK;
}

/* One pin for TOKEN ("*" or NULL: general) of type TYPE with DATA and PRIO (apt's CreatePin). */
static int add_pin(struct aptprefs *p, const char *token, size_t tlen, enum aptpin_type type, const char *data,
		   int16_t prio, int front)
{
	struct aptpin pin = { .type = type, .prio = prio };

	if (token) {
		const char *colon;
		size_t nlen;
		if (tlen >= 4 && !memcmp(token, "src:", 4))
			pin.src = 1, token += 4, tlen -= 4;
		colon = tlen ? memrchr(token, ':', tlen) : NULL;
		nlen = colon ? (size_t)(colon - token) : tlen;
		if (!(pin.name = strndup(token, nlen)) ||
		    !(pin.arch = colon ? strndup(colon + 1, tlen - nlen - 1) : strdup("")))
			goto fail;
		pin.pattern = (nlen >= 2 && pin.name[0] == '/' && pin.name[nlen - 1] == '/') ||
			      strpbrk(pin.name, "*[?") != NULL;
		if (pin.pattern && pin.name[0] == '/' && nlen >= 2 && pin.name[nlen - 1] == '/') {
			/* matched against every name of the index: compiled here, not each time */
			char *body = strndup(pin.name + 1, nlen - 2);
			if (!body || !(pin.name_re = malloc(sizeof *pin.name_re))) {
				free(body);
				goto fail;
			}
			if (regex_compile(pin.name_re, body) != 0) {
				free(pin.name_re); /* as apt: a bad regex matches nothing */
				pin.name_re = NULL;
			}
			free(body);
		}
	}
	if (type == APTPIN_RELEASE) {
		if (parse_release(&pin, data) != OMG_OK)
			goto fail;
	} else {
		size_t n = strlen(data);
		if (type == APTPIN_ORIGIN && n >= 2 && data[0] == '"' && data[n - 1] == '"')
			pin.data = strndup(data + 1, n - 2);
		else if (type == APTPIN_VERSION && n && data[n - 1] == '*')
			pin.data = strndup(data, n - 1), pin.prefix = 1;
		else
			pin.data = strdup(data);
		if (!pin.data)
			goto fail;
	}
	if (push(p, &pin, front) == OMG_OK)
		return OMG_OK;
fail:
	pin_free(&pin);
	return OMG_ERROR(OMG_E_NOMEM, "preferences");
}

static int parse_stanza(struct aptprefs *p, const struct deb822_para *para)
{
	struct deb822_field f, pkg = { 0 }, pin = { 0 }, prio = { 0 };
	char *pkgs = NULL, *pinv = NULL, *priov = NULL, *data;
	size_t fpos = 0, tlen;
	enum aptpin_type type;
	long v;
	int rc = OMG_OK, general;

	while (deb822_next_field(para, &fpos, &f) == 1) {
		if (deb822_is(&f, "Package")) pkg = f;
		else if (deb822_is(&f, "Pin")) pin = f;
		else if (deb822_is(&f, "Pin-Priority")) prio = f;
	}
	if (pkg.value && !(pkgs = trimmed(pkg.value, pkg.value_len))) {
		rc = OMG_E_NOMEM;
		goto done;
	}
	if (!pkgs || !pkgs[0]) {
		p->errors++; /* apt: "no Package header" */
		goto done;
	}
	general = !strcmp(pkgs, "*");
	if (!pin.value)
		goto done; /* apt skips it without a word */
	if (!(pinv = trimmed(pin.value, pin.value_len)) ||
	    !(priov = prio.value ? trimmed(prio.value, prio.value_len) : strdup(""))) {
		rc = OMG_E_NOMEM;
		goto done;
	}
	tlen = strcspn(pinv, " \t\n");
	data = pinv + tlen + strspn(pinv + tlen, " \t\n");
	if (tlen == 7 && !strncasecmp(pinv, "version", 7) && !general)
		type = APTPIN_VERSION;
	else if (tlen == 7 && !strncasecmp(pinv, "release", 7))
		type = APTPIN_RELEASE;
	else if (tlen == 6 && !strncasecmp(pinv, "origin", 6))
		type = APTPIN_ORIGIN;
	else {
		p->errors++; /* apt: "Did not understand pin type" */
		goto done;
	}
	if (!strcmp(priov, "never")) {
		if (!general) {
			p->errors++;
			goto done;
		}
		v = APTPIN_NEVER;
	} else {
		errno = 0;
		v = strtol(priov, NULL, 10);
		if (errno || v < SHRT_MIN || v > SHRT_MAX || v == 0) {
			p->errors++; /* out of range, or apt's "No priority (or zero) specified" */
			goto done;
		}
		if (v == APTPIN_NEVER)
			v = APTPIN_NEVER + 1; /* only "never" is never */
	}
	if (general) {
		rc = add_pin(p, NULL, 0, type, data, (int16_t)v, 0);
		goto done;
	}
	for (const char *t = pkgs; rc == OMG_OK && *t;) {
		size_t n;
		t += strspn(t, " \t\n");
		if (!(n = strcspn(t, " \t\n")))
			break;
		rc = add_pin(p, t, n, type, data, (int16_t)v, 0);
		t += n;
	}
done:
	free(pkgs), free(pinv), free(priov);
	return rc;
}

int aptprefs_parse(struct aptprefs *p, const char *text, size_t len)
{
	/* Comment lines and lines of blanks go before the stanzas are split: in apt neither
	 * ends a stanza. */
	char *clean = malloc(len + 1);
	size_t o = 0, pos = 0;
	struct deb822_para para;
	int rc = OMG_OK;

	if (!clean)
		return OMG_ERROR(OMG_E_NOMEM, "preferences");
	for (const char *s = text, *end = text + len; s < end;) {
		const char *nl = memchr(s, '\n', (size_t)(end - s)), *e = nl ? nl : end, *q = s;
		size_t n = (size_t)(e - s);
		if (n && e[-1] == '\r')
			n--;
		while (q < s + n && (*q == ' ' || *q == '\t'))
			q++;
		if (!(n && (s[0] == '#' || q == s + n))) {
			memcpy(clean + o, s, n);
			o += n;
			clean[o++] = '\n';
		}
		s = nl ? nl + 1 : end;
	}
	while (rc == OMG_OK && deb822_next_para(clean, o, &pos, &para))
		rc = parse_stanza(p, &para);
	free(clean);
	return rc == OMG_OK ? rc : OMG_ERROR(rc, "preferences");
}

int aptprefs_default_release(struct aptprefs *p, const char *release)
{
	return add_pin(p, NULL, 0, APTPIN_RELEASE, release, 990, 1);
}

static int read_file(struct aptprefs *p, const char *path)
{
	char *buf;
	size_t n;
	int rc = aptdir_read(path, PREFS_FILE_MAX, &buf, &n);

	if (rc == OMG_E_CORRUPT) {
		p->errors++;
		return OMG_OK;
	}
	if (rc != OMG_OK || !buf)
		return rc;
	rc = memchr(buf, 0, n) ? (p->errors++, OMG_OK) : aptprefs_parse(p, buf, n);
	free(buf);
	return rc;
}

static int read_part(void *p, const char *path)
{
	return read_file(p, path);
}

int aptprefs_load(struct aptprefs *p, const char *root)
{
	static const char *const exts[] = { "pref", NULL };
	char path[4200];
	int rc;

	memset(p, 0, sizeof *p);
	snprintf(path, sizeof path, "%s/etc/apt/preferences", root);
	if ((rc = read_file(p, path)) != OMG_OK)
		return rc;
	snprintf(path, sizeof path, "%s/etc/apt/preferences.d", root);
	return aptdir_each(path, exts, 1, read_part, p);
}

void aptprefs_free(struct aptprefs *p)
{
	for (size_t i = 0; i < p->n; i++)
		pin_free(&p->v[i]);
	free(p->v);
	memset(p, 0, sizeof *p);
}
