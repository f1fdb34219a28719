/* textidx.h — the search index: a document for each name apt-cache search can list, and
 * the trigrams of the documents' text, each with the list of documents that have it.
 *
 * A document's text is its name, its description (textidx_doc_ver's: first line and rest)
 * and the names its versions provide. A trigram is three bytes of one of those folded by
 * textidx_code (ASCII letters without case); the search looks up the rarest trigram of the
 * text a query requires (ere_required) and confirms each of its documents with the regular
 * expressions, so the index only has to hold a superset of the answers.
 *
 * Built by db_finish into the db's docs, doc_provs, tris and postings (stored with the
 * snapshot, checked by textidx_validate when read back).
 */
#ifndef OMGD_TEXTIDX_H
#define OMGD_TEXTIDX_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"

#define TEXTIDX_KEYS (1u << 18) /* three 6-bit codes */

/* The 6-bit code of byte C: letters without case, digits and a few punctuation marks their
 * own, every other byte 0 (a code shared stays correct: more documents to confirm). */
unsigned textidx_code(unsigned char c);
/* The key of the three bytes at S. */
uint32_t textidx_key(const char *s);

/* Builds the index of a finished db (its by_name, versions and provides). */
int textidx_build(struct db *db);
/* Checks a stored index's tables (offsets, order, bounds): OMG_OK or OMG_E_CORRUPT. A list's
 * bytes are checked as they are read (textidx_next). */
int textidx_validate(const struct db *db);

/* The version whose description document D has: its instance's candidate, else installed
 * version, else DB_NONE. */
uint32_t textidx_doc_ver(const struct db *db, const struct db_doc *d);

/* The trigram KEY's entry, or NULL when no document has it. */
const struct db_tri *textidx_find(const struct db *db, uint32_t key);

/* Walks a trigram's documents in ascending order. */
struct textidx_cursor {
	const uint8_t *p, *end;
	uint32_t doc, ndocs;
	int started;
};
void textidx_open(const struct db *db, const struct db_tri *t, struct textidx_cursor *c);
/* 1 and *DOC, or 0 at the end (or at bytes that do not decode to a document). */
int textidx_next(struct textidx_cursor *c, uint32_t *doc);

#endif
