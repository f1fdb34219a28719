/* common.c — what every answer shares (answer.h): the refusal, the request checks, the string pool. */
#include "config.h"
#include "answer.h"
#include "grow.h"
#include "omg_error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void answer_fail(struct answer *a, uint32_t code, const char *fmt, ...)
{
	va_list ap;

	a->error = code;
	va_start(ap, fmt);
	vsnprintf(a->message, sizeof a->message, fmt, ap);
	va_end(ap);
}

int answer_need_db(struct daemon *d, struct answer *a)
{
	if (d->db)
		return 1;
	answer_fail(a, OMG_WERR_NOT_READY, "omgd is still building its index");
	return 0;
}

uint32_t answer_limit(uint32_t limit, uint32_t def)
{
	if (limit == 0)
		return def;
	return limit > OMG_LIMIT_MAX ? OMG_LIMIT_MAX : limit;
}

/* The requests that name a package: its name (Q), and the package LOOKUP finds (db_lookup:
 * installed or installable; db_lookup_any: any with a version), or DB_NONE with the ERROR
 * answer set (NOT_FOUND: see retract_not_found). */
uint32_t answer_package_query(struct daemon *d, uint8_t type, const uint8_t *p, uint32_t n, struct answer *a,
			      struct omg_query *q, uint32_t (*lookup)(const struct db *, const char *))
{
	uint32_t pi;

	if (omg_dec_query(p, n, type, q) != OMG_OK) {
		answer_fail(a, OMG_WERR_MALFORMED, "%s", omg_errdetail());
		return DB_NONE;
	}
	if (!q->text[0] || strlen(q->text) > OMG_QUERY_MAX) {
		answer_fail(a, OMG_WERR_INVALID, "the package name must be 1 to %d bytes", OMG_QUERY_MAX);
		return DB_NONE;
	}
	if (!answer_need_db(d, a))
		return DB_NONE;
	if ((pi = lookup(d->db, q->text)) == DB_NONE)
		answer_fail(a, OMG_WERR_NOT_FOUND, "package '%s' not found", q->text);
	return pi;
}

/* When package_query's answer is NOT_FOUND, takes it back (the request is answered another
 * way: a virtual package) and returns 1; else 0. */
int answer_retract_not_found(struct answer *a)
{
	if (a->error != OMG_WERR_NOT_FOUND)
		return 0;
	a->error = 0;
	a->message[0] = 0;
	return 1;
}

/* PROVIDES and SIMILAR: a command name, and an index to answer from. Returns 1 when so. */
int answer_command_query(struct daemon *d, uint8_t type, const uint8_t *p, uint32_t n, struct answer *a,
			 struct omg_query *q)
{
	if (omg_dec_query(p, n, type, q) != OMG_OK) {
		answer_fail(a, OMG_WERR_MALFORMED, "%s", omg_errdetail());
		return 0;
	}
	if (!q->text[0] || strlen(q->text) > OMG_QUERY_MAX || strchr(q->text, '/')) {
		answer_fail(a, OMG_WERR_INVALID, "a command name: 1 to %d bytes, no '/'", OMG_QUERY_MAX);
		return 0;
	}
	return answer_need_db(d, a);
}

const char *strpool_fmt(struct strpool *sp, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		s = NULL;
	if (!s || omg_grow(&sp->v, &sp->cap, sp->n + 1, sizeof *sp->v, OMG_GROW_UNBOUNDED) != OMG_OK) {
		free(s);
		sp->failed = 1;
		return "";
	}
	sp->v[sp->n++] = s;
	return s;
}

void strpool_free(struct strpool *sp)
{
	while (sp->n)
		free(sp->v[--sp->n]);
	free(sp->v);
}

/* apt's FullName(true): the name, with ":ARCH" when the architecture is not the native one. */
const char *answer_full_name(const struct db *db, uint32_t p, struct strpool *sp)
{
	const struct db_pkg *pk = &db->pkgs[p];

	if (pk->arch == db->native_arch)
		return db_s(db, pk->name);
	return strpool_fmt(sp, "%s:%s", db_s(db, pk->name), db_s(db, pk->arch));
}
