/* aptsources.c — see aptsources.h. */
#include "config.h"
#include "aptsources.h"
#include "aptdir.h"
#include "deb822.h"
#include "grow.h"
#include "hex.h"
#include "omg_error.h"

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SOURCES_FILE_MAX (4u << 20) /* a sources file larger than this is not one */

/* An entry's architecture options, as written (comma- or blank-separated); NULL: absent. */
/* An entry's options: architectures, and what the archive check needs (Signed-By, trusted). */
struct arch_opts {
	const char *set, *add, *del, *signed_by;
	size_t setn, addn, deln, signed_by_len;
	int trusted;
};

/* A malloc'd copy of the list V (N bytes) with commas made blanks; *FAILED on no memory. */
static char *arch_list(const char *v, size_t n, int *failed)
{
	char *s;

	if (!v)
		return NULL;
	if (!(s = strndup(v, n))) {
		*failed = 1;
		return NULL;
	}
	for (char *c = s; *c; c++)
		if (*c == ',' || *c == '\t' || *c == '\n')
			*c = ' ';
	return s;
}

static int add(struct aptsources *s, const char *uri, size_t ulen, const char *suite, size_t slen,
	       const char *comps, size_t clen, const struct arch_opts *ao)
{
	struct aptsource *e;
	int failed = 0;

	while (ulen && uri[ulen - 1] == '/')
		ulen--;
	if (!ulen || !slen || (suite[slen - 1] != '/' && !clen) || memchr(uri, 0, ulen) || memchr(suite, 0, slen) ||
	    memchr(comps, 0, clen)) {
		s->errors++; /* apt: "Malformed entry" */
		return OMG_OK;
	}
	if (omg_grow(&s->v, &s->cap, s->n + 1, sizeof *s->v, OMG_GROW_UNBOUNDED) != OMG_OK)
			return OMG_ERROR(OMG_E_NOMEM, "sources");
	e = &s->v[s->n];
	{ /* apt never shows a URI's user and password */
		const char *sep = memchr(uri, ':', ulen), *host, *at;
		size_t hl;
		if (sep && (size_t)(sep - uri) + 3 <= ulen && sep[1] == '/' && sep[2] == '/') {
			host = sep + 3;
			hl = ulen - (size_t)(host - uri);
			at = memchr(host, '@', hl);
			if (at && !memchr(host, '/', (size_t)(at - host))) {
				char *clean = malloc(ulen + 1);
				if (!clean)
					return OMG_ERROR(OMG_E_NOMEM, "sources");
				memcpy(clean, uri, (size_t)(host - uri));
				memcpy(clean + (host - uri), at + 1, ulen - (size_t)(at + 1 - uri));
				clean[ulen - (size_t)(at + 1 - host)] = 0;
				e->uri = clean;
				goto uri_done;
			}
		}
	}
	e->uri = strndup(uri, ulen);
uri_done:
	e->suite = strndup(suite, slen);
	e->comps = strndup(comps, clen);
	for (char *c = e->comps; c && *c; c++)
		if (*c == '\t')
			*c = ' '; /* components may be separated by tabs too */
	e->arch_set = arch_list(ao->set, ao->setn, &failed);
	e->arch_add = arch_list(ao->add, ao->addn, &failed);
	e->arch_del = arch_list(ao->del, ao->deln, &failed);
	e->signed_by = ao->signed_by ? strndup(ao->signed_by, ao->signed_by_len) : NULL;
	e->trusted = ao->trusted;
	if (!e->uri || !e->suite || !e->comps || failed || (ao->signed_by && !e->signed_by)) {
		free(e->uri), free(e->suite), free(e->comps);
		free(e->arch_set), free(e->arch_add), free(e->arch_del), free(e->signed_by);
		return OMG_ERROR(OMG_E_NOMEM, "sources");
	}
	s->n++;
	return OMG_OK;
}

static int is_false(const char *v, size_t n);

static const char *skip_blank(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

static const char *word_end(const char *p, const char *end)
{
	while (p < end && *p != ' ' && *p != '\t')
		p++;
	return p;
}

/* "deb [ options ] URI SUITE [COMPONENT...]" */
static int parse_line(struct aptsources *s, const char *p, const char *end)
{
	const char *w, *uri, *uend, *suite, *send;
	const char *hash = memchr(p, '#', (size_t)(end - p));
	struct arch_opts ao = { 0 };

	if (hash)
		end = hash;
	while (end > p && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
		end--;
	p = skip_blank(p, end);
	if (p == end)
		return OMG_OK;
	w = word_end(p, end);
	if ((size_t)(w - p) != 3 || memcmp(p, "deb", 3) != 0) {
		if (!((size_t)(w - p) == 7 && !memcmp(p, "deb-src", 7)))
			s->errors++;
		return OMG_OK;
	}
	p = skip_blank(w, end);
	if (p < end && *p == '[') {
		const char *close = memchr(p, ']', (size_t)(end - p));
		if (!close) {
			s->errors++;
			return OMG_OK;
		}
		/* "key=value key+=value key-=value", the values comma-separated */
		for (const char *o = skip_blank(p + 1, close), *oe; o < close; o = skip_blank(oe, close)) {
			const char *eq;
			oe = o;
			while (oe < close && *oe != ' ' && *oe != '\t')
				oe++;
			if (!(eq = memchr(o, '=', (size_t)(oe - o))))
				continue;
			if ((size_t)(eq - o) == 4 && !memcmp(o, "arch", 4))
				ao.set = eq + 1, ao.setn = (size_t)(oe - eq - 1);
			else if ((size_t)(eq - o) == 5 && !memcmp(o, "arch+", 5))
				ao.add = eq + 1, ao.addn = (size_t)(oe - eq - 1);
			else if ((size_t)(eq - o) == 5 && !memcmp(o, "arch-", 5))
				ao.del = eq + 1, ao.deln = (size_t)(oe - eq - 1);
			else if ((size_t)(eq - o) == 9 && !memcmp(o, "signed-by", 9))
				ao.signed_by = eq + 1, ao.signed_by_len = (size_t)(oe - eq - 1);
			else if ((size_t)(eq - o) == 7 && !memcmp(o, "trusted", 7))
				ao.trusted = is_false(eq + 1, (size_t)(oe - eq - 1)) ? -1 : 1;
		}
		p = skip_blank(close + 1, end);
	}
	uri = p;
	uend = word_end(uri, end);
	suite = skip_blank(uend, end);
	send = word_end(suite, end);
	p = skip_blank(send, end);
	return add(s, uri, (size_t)(uend - uri), suite, (size_t)(send - suite), p, (size_t)(end - p), &ao);
}

/* The next word of a deb822 value (words are separated by blanks and newlines) from V on;
 * *WEND: its end. Returns its start, END when there is none. */
static const char *next_word(const char *v, const char *end, const char **wend)
{
	while (v < end && (*v == ' ' || *v == '\t' || *v == '\n'))
		v++;
	*wend = v;
	while (*wend < end && **wend != ' ' && **wend != '\t' && **wend != '\n')
		(*wend)++;
	return v;
}

static int has_word(const char *v, size_t n, const char *word)
{
	const char *end = v + n, *we;

	for (const char *w = next_word(v, end, &we); w < end; w = next_word(we, end, &we))
		if ((size_t)(we - w) == strlen(word) && !memcmp(w, word, (size_t)(we - w)))
			return 1;
	return 0;
}

/* apt's StringToBool for false: no, false, without, off, disable (any case), or 0. */
static int is_false(const char *v, size_t n)
{
	static const char *const no[] = { "no", "false", "without", "off", "disable", "0" };

	for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
		if (n == strlen(no[i]) && !strncasecmp(v, no[i], n))
			return 1;
	return 0;
}

static int parse_stanza(struct aptsources *s, const struct deb822_para *para)
{
	struct deb822_field f, types = { 0 }, uris = { 0 }, suites = { 0 }, comps = { 0 };
	struct arch_opts ao = { 0 };
	size_t fpos = 0;
	int r, enabled = 1, rc = OMG_OK;

	while ((r = deb822_next_field(para, &fpos, &f)) == 1) {
		if (deb822_is(&f, "Types")) types = f;
		else if (deb822_is(&f, "URIs")) uris = f;
		else if (deb822_is(&f, "Suites")) suites = f;
		else if (deb822_is(&f, "Components")) comps = f;
		else if (deb822_is(&f, "Enabled")) enabled = !is_false(f.value, f.value_len);
		else if (deb822_is(&f, "Architectures")) ao.set = f.value, ao.setn = f.value_len;
		else if (deb822_is(&f, "Architectures-Add")) ao.add = f.value, ao.addn = f.value_len;
		else if (deb822_is(&f, "Architectures-Remove")) ao.del = f.value, ao.deln = f.value_len;
		else if (deb822_is(&f, "Signed-By")) ao.signed_by = f.value, ao.signed_by_len = f.value_len;
		else if (deb822_is(&f, "Trusted")) ao.trusted = is_false(f.value, f.value_len) ? -1 : 1;
	}
	if (r < 0 || !types.value || !uris.value || !suites.value) {
		s->errors++;
		return OMG_OK;
	}
	if (!enabled || !has_word(types.value, types.value_len, "deb"))
		return OMG_OK;
	{
		const char *uend = uris.value + uris.value_len, *u, *ue;
		for (u = next_word(uris.value, uend, &ue); rc == OMG_OK && u < uend; u = next_word(ue, uend, &ue)) {
			const char *send = suites.value + suites.value_len, *sw, *se;
			for (sw = next_word(suites.value, send, &se); rc == OMG_OK && sw < send; sw = next_word(se, send, &se)) {
				char cbuf[1024];
				size_t cl = 0;
				const char *cend = comps.value ? comps.value + comps.value_len : NULL, *c, *ce;
				for (c = cend ? next_word(comps.value, cend, &ce) : NULL; c && c < cend; c = next_word(ce, cend, &ce))
					if (cl + (size_t)(ce - c) + 2 < sizeof cbuf) {
						if (cl)
							cbuf[cl++] = ' ';
						memcpy(cbuf + cl, c, (size_t)(ce - c));
						cl += (size_t)(ce - c);
					}
				rc = add(s, u, (size_t)(ue - u), sw, (size_t)(se - sw), cbuf, cl, &ao);
			}
		}
	}
	return rc;
}

int aptsources_parse(struct aptsources *s, const char *text, size_t len, int deb822)
{
	int rc = OMG_OK;

	if (deb822) {
		struct deb822_para para;
		size_t pos = 0;
		while (rc == OMG_OK && deb822_next_para(text, len, &pos, &para))
			rc = parse_stanza(s, &para);
		return rc;
	}
	for (const char *p = text, *end = text + len; rc == OMG_OK && p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		rc = parse_line(s, p, le);
		p = nl ? nl + 1 : end;
	}
	return rc;
}

static int read_file(struct aptsources *s, const char *path, int deb822)
{
	char *buf;
	size_t n;
	int rc = aptdir_read(path, SOURCES_FILE_MAX, &buf, &n); /* missing: apt skips it, warning */

	if (rc == OMG_E_CORRUPT) {
		s->errors++;
		return OMG_OK;
	}
	if (rc != OMG_OK || !buf)
		return rc;
	rc = memchr(buf, 0, n) ? (s->errors++, OMG_OK) : aptsources_parse(s, buf, n, deb822);
	free(buf);
	return rc;
}

static int read_part(void *s, const char *path)
{
	size_t n = strlen(path);

	return read_file(s, path, n > 8 && !strcmp(path + n - 8, ".sources"));
}

int aptsources_load(struct aptsources *s, const char *root)
{
	static const char *const exts[] = { "list", "sources", NULL };
	char path[4096];
	int rc;

	memset(s, 0, sizeof *s);
	snprintf(path, sizeof path, "%s/etc/apt/sources.list", root);
	if ((rc = read_file(s, path, 0)) != OMG_OK)
		return rc;
	snprintf(path, sizeof path, "%s/etc/apt/sources.list.d", root);
	return aptdir_each(path, exts, 0, read_part, s);
}

/* apt's URItoFileName for the part after the scheme, appended to OUT at *AT. */
static void quote_into(char *out, size_t n, size_t *at, const char *s, size_t len)
{
	static const char special[] = "\\|{}[]<>\"^~_=!@#$%^&*";

	for (size_t i = 0; i < len && *at + 4 < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '/')
			out[(*at)++] = '_';
		else if (c <= 0x20 || c >= 0x7F || strchr(special, c))
			*at += (size_t)snprintf(out + *at, n - *at, "%%%02x", c);
		else
			out[(*at)++] = (char)c;
	}
	out[*at < n ? *at : n - 1] = 0;
}

/* The file-name form of URI (with a trailing '_'): scheme, "//" and user:password@ go. */
static size_t uri_prefix(const char *uri, char *out, size_t n)
{
	const char *p = uri, *colon = strchr(uri, ':'), *at;
	size_t len = 0;

	if (colon && strcspn(uri, "/") > (size_t)(colon - uri)) {
		p = colon + 1;
		if (p[0] == '/' && p[1] == '/') {
			p += 2;
			at = strchr(p, '@');
			if (at && at < p + strcspn(p, "/"))
				p = at + 1;
		}
	}
	/* apt's URI class keeps the path %-decoded, and URItoFileName quotes it again */
	{
		char plain[4096];
		size_t k = 0;
		for (const char *c = p; *c && k + 1 < sizeof plain; c++) {
			int hi, lo;
			if (c[0] == '%' && (hi = hex_value(c[1])) >= 0 && (lo = hex_value(c[2])) >= 0 && (hi | lo)) {
				plain[k++] = (char)(hi << 4 | lo);
				c += 2;
			} else {
				plain[k++] = *c;
			}
		}
		plain[k] = 0;
		out[0] = 0;
		quote_into(out, n, &len, plain, k);
	}
	if (len + 1 < n)
		out[len++] = '_', out[len] = 0;
	return len;
}

/* NAME without the compression suffix ends "Packages"; the part before it is returned. */
static size_t packages_stem(const char *name)
{
	static const char *const suffixes[] = { "", ".gz", ".xz", ".lz4", ".zst", ".bz2", ".lzma" };
	size_t n = strlen(name);

	for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
		size_t k = strlen(suffixes[i]) + 8;
		if (n >= k && !memcmp(name + n - k, "Packages", 8) && !strcmp(name + n - k + 8, suffixes[i]))
			return n - k;
	}
	return (size_t)-1;
}

static void unquote(char *dst, size_t n, const char *s, size_t len, int slash)
{
	size_t o = 0;

	for (size_t i = 0; i < len && o + 1 < n; i++) {
		if (s[i] == '%' && i + 2 < len && isxdigit((unsigned char)s[i + 1]) && isxdigit((unsigned char)s[i + 2])) {
			char hex[3] = { s[i + 1], s[i + 2], 0 };
			dst[o++] = (char)strtoul(hex, NULL, 16);
			i += 2;
		} else
			dst[o++] = slash && s[i] == '_' ? '/' : s[i];
	}
	dst[o] = 0;
}

/* The entry naming list NAME (*ENTRY, and its description in OUT, N bytes) and its rank,
 * or 0. */
static int match(const struct aptsources *s, const char *name, char *out, size_t n, struct aptsources_list *l)
{
	size_t stem = packages_stem(name);
	char want[4096];
	int rank = 0;

	memset(l, 0, sizeof *l);
	if (stem == (size_t)-1) {
		snprintf(out, n, "%s", name);
		return 0;
	}
	for (size_t i = 0; i < s->n; i++) {
		const struct aptsource *e = &s->v[i];
		size_t len = uri_prefix(e->uri, want, sizeof want), sl = strlen(e->suite);
		if (e->suite[sl - 1] == '/') { /* flat: URI/SUITE/Packages */
			rank++;
			quote_into(want, sizeof want, &len, e->suite, sl);
			if (len == stem && !memcmp(name, want, len)) {
				snprintf(out, n, "%s %s Packages", e->uri, e->suite);
				l->entry = e;
				return rank;
			}
			continue;
		}
		for (const char *c = e->comps, *ce; *c; c = *ce ? ce + 1 : ce) {
			size_t k = len;
			rank++;
			ce = c + strcspn(c, " ");
			quote_into(want, sizeof want, &k, "dists/", 6);
			quote_into(want, sizeof want, &k, e->suite, sl);
			quote_into(want, sizeof want, &k, "/", 1);
			quote_into(want, sizeof want, &k, c, (size_t)(ce - c));
			quote_into(want, sizeof want, &k, "/binary-", 8);
			if (k < stem && !memcmp(name, want, k) && name[stem - 1] == '_') {
				snprintf(out, n, "%s %s/%.*s %.*s Packages", e->uri, e->suite, (int)(ce - c), c,
					 (int)(stem - 1 - k), name + k);
				l->entry = e;
				snprintf(l->component, sizeof l->component, "%.*s", (int)(ce - c), c);
				snprintf(l->arch, sizeof l->arch, "%.*s", (int)(stem - 1 - k), name + k);
				return rank;
			}
		}
	}
	{ /* no source names it: HOST/PATH SUITE/COMPONENT ARCH, from the name */
		const char *d = strstr(name, "_dists_"), *bin = d ? strstr(d + 7, "_binary-") : NULL;
		char site[1024], rest[1024];
		if (d && bin && bin + 8 < name + stem) {
			const char *suite = d + 7, *slash = memchr(suite, '_', (size_t)(bin - suite));
			unquote(site, sizeof site, name, (size_t)(d - name), 1);
			if (slash) {
				char su[256], co[256];
				unquote(su, sizeof su, suite, (size_t)(slash - suite), 0);
				unquote(co, sizeof co, slash + 1, (size_t)(bin - slash - 1), 1);
				snprintf(rest, sizeof rest, "%s/%s", su, co);
			} else
				unquote(rest, sizeof rest, suite, (size_t)(bin - suite), 0);
			/* cut at N bytes, as every description here; a hostile name can be longer */
			if (snprintf(out, n, "%s %s %.*s Packages", site, rest, (int)(name + stem - 1 - (bin + 8)), bin + 8) < 0)
				out[0] = 0;
		} else if (stem > 1)
			snprintf(out, n, "%.*s", (int)(stem - 1), name);
		else
			snprintf(out, n, "%s", name);
	}
	return 0;
}

int aptsources_describe(const struct aptsources *s, const char *name, char *out, size_t n)
{
	struct aptsources_list l;

	aptsources_find(s, name, &l);
	snprintf(out, n, "%s", l.desc);
	return l.rank;
}

int aptsources_find(const struct aptsources *s, const char *name, struct aptsources_list *l)
{
	const char *u, *host, *at;
	size_t hl;
	int rank = match(s, name, l->desc, sizeof l->desc, l);

	l->rank = rank;
	if (!l->entry)
		return 0;
	/* apt's Site: the URI's host, without user, password and port */
	u = l->entry->uri;
	host = strstr(u, "://");
	host = host ? host + 3 : NULL;
	if (host) {
		hl = strcspn(host, "/");
		if ((at = memchr(host, '@', hl)))
			hl -= (size_t)(at + 1 - host), host = at + 1;
		if (host[0] == '[') /* [IPv6]:port */
			hl = strcspn(host, "]") + (host[strcspn(host, "]")] == ']');
		else if (memchr(host, ':', hl))
			hl = (size_t)((const char *)memchr(host, ':', hl) - host);
		if (strncmp(u, "file:", 5) && strncmp(u, "cdrom:", 6))
			snprintf(l->site, sizeof l->site, "%.*s", (int)hl, host);
	}
	return 1;
}

static int in_list(const char *list, const char *w, size_t n)
{
	for (const char *p = list; p && *p;) {
		size_t l;
		while (*p == ' ')
			p++;
		l = strcspn(p, " ");
		if (l && l == n && !memcmp(p, w, n))
			return 1;
		p += l;
	}
	return 0;
}

int aptsource_has_arch(const struct aptsource *e, const char *arch, size_t len,
		       int (*configured)(const void *ctx, const char *arch, size_t len), const void *ctx)
{
	int has = e->arch_set ? in_list(e->arch_set, arch, len) : configured(ctx, arch, len);

	if (len == 3 && !memcmp(arch, "all", 3)) /* apt's implicit:all, unless arch-= names it */
		has = 1;

	if (in_list(e->arch_add, arch, len))
		has = 1;
	if (in_list(e->arch_del, arch, len))
		has = 0;
	return has;
}

void aptsources_quote(const char *s, size_t len, char *out, size_t n)
{
	size_t at = 0;

	out[0] = 0;
	quote_into(out, n, &at, s, len);
}

void aptsource_release_prefix(const struct aptsource *e, char *out, size_t n)
{
	size_t len = uri_prefix(e->uri, out, n), sl = strlen(e->suite);

	if (e->suite[sl - 1] != '/') { /* URI/dists/SUITE/InRelease; flat: URI/SUITE/InRelease */
		quote_into(out, n, &len, "dists/", 6);
		quote_into(out, n, &len, e->suite, sl);
		quote_into(out, n, &len, "/", 1);
	} else {
		quote_into(out, n, &len, e->suite, sl);
	}
}

void aptsources_free(struct aptsources *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].uri);
		free(s->v[i].suite);
		free(s->v[i].comps);
		free(s->v[i].arch_set);
		free(s->v[i].arch_add);
		free(s->v[i].arch_del);
		free(s->v[i].signed_by);
	}
	free(s->v);
	memset(s, 0, sizeof *s);
}
