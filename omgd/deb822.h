/* deb822.h — a reader for Debian control data (dpkg status, apt Packages lists, Release).
 *
 * Works on a memory buffer without copying: paragraphs are separated by blank lines; a
 * field is "Name: value" with continuation lines starting with a space or tab. Lines
 * starting with '#' are comments. A line that is neither a field nor a continuation, or a
 * field with a NUL byte in it, makes the paragraph malformed: the caller skips it (and counts it) and goes on.
 */
#ifndef OMGD_DEB822_H
#define OMGD_DEB822_H

#include <stddef.h>

struct deb822_para {
	const char *start;
	size_t len;
	size_t offset; /* of START within the buffer given to deb822_next_para */
};

struct deb822_field {
	const char *name, *value;
	size_t name_len, value_len; /* VALUE excludes the final newline */
};

/* Next paragraph at or after *POS; returns 1, or 0 at the end of the buffer. */
int deb822_next_para(const char *buf, size_t len, size_t *pos, struct deb822_para *para);
/* Next field of PARA from *POS (start at 0); returns 1, 0 at the end, -1 if malformed. */
int deb822_next_field(const struct deb822_para *para, size_t *pos, struct deb822_field *f);
/* Case-insensitive field-name test, as dpkg and apt compare them. */
int deb822_is(const struct deb822_field *f, const char *name);
/* One relation of a relation field (Depends, Provides, ...): "name[:qual] [(op version)]",
 * then [arch] and <profile> lists, which are skipped. */
struct deb822_relation {
	const char *name, *qual, *op, *ver;
	size_t nlen, qlen, olen, vlen;
	int alt;       /* an alternative follows ("a | b") */
};

/* The next relation in *S .. END; moves *S past its ',' or '|'. Returns 1, or 0 when none
 * is left. An empty entry (", ,") comes back with NLEN 0. */
int deb822_next_relation(const char **s, const char *end, struct deb822_relation *r);

/* The first line of a value (the short description), trimmed. */
size_t deb822_first_line(const char *value, size_t len);

#endif
