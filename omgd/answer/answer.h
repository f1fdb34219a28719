/* answer.h — the answers omgd gives from its state, one file per subject; dispatch.c routes a
 * request to one of them and frames what it wrote.
 *
 * A handler decodes its request's payload (P, N), writes its answer's payload into A->w with
 * the codec (proto.h) and returns; or sets A's error with answer_fail (a wire error code and a
 * message), and what it wrote is discarded. Handlers run on the event loop: none blocks except
 * where its file says (records read for INFO and VERSIONS, a log read for HISTORY).
 *
 *   common.c    the request checks every handler shares, answer_fail, a string pool
 *   daemon.c    HELLO, STATUS, METRICS: omgd itself
 *   search.c    SEARCH, SUGGEST, LIST, SIZES: lists of packages
 *   package.c   INFO, VERSIONS: one package, its records and versions
 *   relations.c DEPENDS, RDEPENDS, WHY: the relations index
 *   commands.c  PROVIDES, SIMILAR: the command index
 *   files.c     FILES, CHANGELOG: an installed package's lines
 *   audit.c     AUDIT, ACTED: the audit log
 *   history.c   HISTORY, OWNS: the package managers' logs, the path index
 */
#ifndef OMGD_ANSWER_ANSWER_H
#define OMGD_ANSWER_ANSWER_H

#include "omgd.h"

struct answer {
	struct omg_wbuf *w;
	uint32_t error;              /* a wire error code, or 0 */
	char message[512];
};

/* The one way a handler refuses: CODE (OMG_WERR_*) and the message the client shows. */
void answer_fail(struct answer *a, uint32_t code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* 1 when an index is there to answer from; else 0 with A's error set (NOT_READY). */
int answer_need_db(struct daemon *d, struct answer *a);
/* A LIMIT as the client asked it: DEF for 0, at most OMG_LIMIT_MAX. */
uint32_t answer_limit(uint32_t limit, uint32_t def);
/* The requests that name a package: its name (Q), and the package LOOKUP finds (db_lookup:
 * installed or installable; db_lookup_any: any with a version), or DB_NONE with the error
 * set (NOT_FOUND: see answer_retract_not_found). */
uint32_t answer_package_query(struct daemon *d, uint8_t type, const uint8_t *p, uint32_t n, struct answer *a,
			      struct omg_query *q, uint32_t (*lookup)(const struct db *, const char *));
/* When the error is NOT_FOUND, takes it back (the request is answered another way: a virtual
 * package) and returns 1; else 0. */
int answer_retract_not_found(struct answer *a);
/* PROVIDES and SIMILAR: a command name (no '/'), and an index to answer from. 1 when so. */
int answer_command_query(struct daemon *d, uint8_t type, const uint8_t *p, uint32_t n, struct answer *a,
			 struct omg_query *q);

/* Strings made for one answer (names with their architecture), freed with it. A failure
 * sticks (FAILED) and gives "". */
struct strpool {
	char **v;
	size_t n, cap;
	int failed;
};
const char *strpool_fmt(struct strpool *sp, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void strpool_free(struct strpool *sp);
/* apt's FullName(true): the name, with ":ARCH" when the architecture is not the native one. */
const char *answer_full_name(const struct db *db, uint32_t p, struct strpool *sp);

void answer_hello(struct daemon *d, const uint8_t *p, uint32_t n, struct answer *a);
void answer_status(struct daemon *d, struct answer *a);
void answer_metrics(struct daemon *d, struct answer *a);
void answer_search(struct daemon *d, uint8_t type, const uint8_t *p, uint32_t n, struct answer *a);
void answer_list(struct daemon *d, const uint8_t *p, uint32_t n, struct answer *a);
void answer_sizes(struct daemon *d, const uint8_t *p, uint32_t n, struct answer *a);
void answer_info(struct daemon *d, const uint8_t *p, uint32_t n, struct answer *a);
void answer_versions(struct daemon *d, const uint8_t *p, uint32_t n, struct answer *a);
void answer_depends(struct daemon *d, const uint8_t *p, uint32_t n, struct answer *a);
void answer_rdepends(struct daemon *d, const uint8_t *p, uint32_t n, struct answer *a);
void answer_why(struct daemon *d, const uint8_t *p, uint32_t n, struct answer *a);
void answer_provides(struct daemon *d, const uint8_t *p, uint32_t n, struct answer *a);
void answer_similar(struct daemon *d, const uint8_t *p, uint32_t n, struct answer *a);
void answer_lines(struct daemon *d, uint8_t type, const uint8_t *p, uint32_t n, struct answer *a);
void answer_audit(struct daemon *d, const uint8_t *p, uint32_t n, struct answer *a);
void answer_acted(struct daemon *d, const uint8_t *p, uint32_t n, struct answer *a);
void answer_history(struct daemon *d, const uint8_t *p, uint32_t n, struct answer *a);
void answer_owns(struct daemon *d, const uint8_t *p, uint32_t n, struct answer *a);

#endif
