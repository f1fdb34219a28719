/* record.h — a version's record as a backend hands it over: the text its package list or
 * database holds ("Field: value" lines, continuation lines kept in the value), and the same
 * as (name, value) pairs, split here once so that no reader parses the text again.
 *
 *   struct record r;
 *   if (backend->record(db, v, &r) == OMG_OK) {
 *           for (uint32_t i = 0; i < r.nfields; i++) ... r.fields[i].name, r.fields[i].value
 *           record_get(&r, "Size");
 *   }
 *   record_free(&r);
 *
 * A line with no ':' (or one at its start) is no field and is left out of the pairs; the
 * value starts after the ':' and one space, and ends before the newline that no continuation
 * line follows. The text is kept as it was read (VERSIONS sends it whole).
 */
#ifndef OMGD_RECORD_H
#define OMGD_RECORD_H

#include <stddef.h>
#include <stdint.h>

struct record_field {
	const char *name, *value; /* NUL-terminated, into the record's own storage */
};

struct record {
	char *text;                   /* as read, NUL-terminated; NULL: none */
	size_t len;                   /* strlen(text) */
	struct record_field *fields;
	uint32_t nfields;
	char *pairs;                  /* the fields' storage */
};

/* Takes TEXT (malloc'd, NUL-terminated; freed with R, also on failure) into R and splits
 * it. OMG_OK, or OMG_E_NOMEM with R empty. */
int record_take(struct record *r, char *text);
/* The value of the first field named NAME (as the text spells it), or NULL. */
const char *record_get(const struct record *r, const char *name);
void record_free(struct record *r);

#endif
