/* deb822.c — see deb822.h. */
#include "config.h"
#include "deb822.h"

#include <string.h>
#include <strings.h>

static const char *line_end(const char *p, const char *end)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	return nl ? nl : end;
}

int deb822_next_para(const char *buf, size_t len, size_t *pos, struct deb822_para *para)
{
	const char *p = buf + *pos, *end = buf + len, *start, *e;

	/* skip blank lines (including ones holding only spaces) */
	while (p < end) {
		e = line_end(p, end);
		const char *q = p;
		while (q < e && (*q == ' ' || *q == '\t' || *q == '\r'))
			q++;
		if (q != e)
			break;
		p = e < end ? e + 1 : end;
	}
	if (p >= end) {
		*pos = len;
		return 0;
	}
	start = p;
	while (p < end) {
		e = line_end(p, end);
		const char *q = p;
		while (q < e && (*q == ' ' || *q == '\t' || *q == '\r'))
			q++;
		if (q == e)
			break;
		p = e < end ? e + 1 : end;
	}
	para->start = start;
	para->len = (size_t)(p - start);
	para->offset = (size_t)(start - buf);
	*pos = (size_t)(p - buf);
	return 1;
}

int deb822_next_field(const struct deb822_para *para, size_t *pos, struct deb822_field *f)
{
	const char *base = para->start, *end = base + para->len;
	const char *p = base + *pos, *e, *colon, *v;

	while (p < end && *p == '#') { /* comment lines */
		e = line_end(p, end);
		p = e < end ? e + 1 : end;
	}
	if (p >= end)
		return 0;
	e = line_end(p, end);
	colon = memchr(p, ':', (size_t)(e - p));
	if (*p == ' ' || *p == '\t' || !colon || colon == p)
		return -1;
	f->name = p;
	f->name_len = (size_t)(colon - p);
	v = colon + 1;
	while (v < e && (*v == ' ' || *v == '\t'))
		v++;
	/* continuation lines */
	while (e < end && e + 1 < end && (e[1] == ' ' || e[1] == '\t'))
		e = line_end(e + 1, end);
	/* A NUL would cut the value short wherever it is kept as a C string: the paragraph
	 * is malformed (skipped and counted), never silently truncated. */
	if (memchr(p, 0, (size_t)(e - p)))
		return -1;
	f->value = v;
	f->value_len = e > v ? (size_t)(e - v) : 0;
	while (f->value_len && (v[f->value_len - 1] == '\r' || v[f->value_len - 1] == ' '))
		f->value_len--;
	*pos = (size_t)((e < end ? e + 1 : end) - base);
	return 1;
}

int deb822_is(const struct deb822_field *f, const char *name)
{
	return strlen(name) == f->name_len && strncasecmp(f->name, name, f->name_len) == 0;
}

size_t deb822_first_line(const char *value, size_t len)
{
	const char *nl = len ? memchr(value, '\n', len) : NULL; /* a missing field has no value at all */
	size_t n = nl ? (size_t)(nl - value) : len;

	while (n && (value[n - 1] == ' ' || value[n - 1] == '\r'))
		n--;
	return n;
}

static int relation_blank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

int deb822_next_relation(const char **sp, const char *end, struct deb822_relation *r)
{
	const char *s = *sp;

	memset(r, 0, sizeof *r);
	if (s >= end)
		return 0;
	while (s < end && relation_blank(*s))
		s++;
	r->name = s;
	while (s < end && !relation_blank(*s) && !strchr(":(,|[<", *s))
		s++;
	r->nlen = (size_t)(s - r->name);
	if (s < end && *s == ':') {
		r->qual = ++s;
		while (s < end && !relation_blank(*s) && !strchr("(,|[<", *s))
			s++;
		r->qlen = (size_t)(s - r->qual);
	}
	while (s < end && relation_blank(*s))
		s++;
	if (s < end && *s == '(') {
		s++;
		while (s < end && relation_blank(*s))
			s++;
		r->op = s;
		while (s < end && (*s == '<' || *s == '>' || *s == '='))
			s++;
		r->olen = (size_t)(s - r->op);
		while (s < end && relation_blank(*s))
			s++;
		r->ver = s;
		while (s < end && *s != ')' && !relation_blank(*s))
			s++;
		r->vlen = (size_t)(s - r->ver);
		while (s < end && *s != ')')
			s++;
		if (s < end)
			s++;
	}
	while (s < end && *s != ',' && *s != '|') /* [arch] and <profile> lists */
		s++;
	r->alt = s < end && *s == '|';
	*sp = s < end ? s + 1 : s;
	return 1;
}
