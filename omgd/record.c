/* record.c — a record's text split into its fields (record.h). */
#include "config.h"
#include "record.h"
#include "grow.h"
#include "omg_error.h"

#include <stdlib.h>
#include <string.h>

int record_take(struct record *r, char *text)
{
	size_t cap = 0, len = text ? strlen(text) : 0;
	char *line, *next;

	*r = (struct record){ .text = text, .len = len };
	if (!text)
		return OMG_OK;
	/* the pairs are the text with NULs for the ':' and the newlines that end a field */
	if (!(r->pairs = malloc(len + 1)))
		goto fail;
	memcpy(r->pairs, text, len + 1);
	for (line = r->pairs; line && *line; line = next) {
		char *colon, *end = line;
		/* a field runs until a newline not followed by a continuation */
		while ((end = strchr(end, '\n')) && (end[1] == ' ' || end[1] == '\t'))
			end++;
		next = end ? end + 1 : NULL;
		if (end)
			*end = 0;
		colon = strchr(line, ':');
		if (!colon || colon == line)
			continue;
		*colon = 0;
		if (omg_grow(&r->fields, &cap, (size_t)r->nfields + 1, sizeof *r->fields, UINT32_MAX) != OMG_OK)
			goto fail;
		r->fields[r->nfields++] = (struct record_field){ line, colon[1] == ' ' ? colon + 2 : colon + 1 };
	}
	return OMG_OK;
fail:
	record_free(r);
	return OMG_ERROR(OMG_E_NOMEM, "record");
}

const char *record_get(const struct record *r, const char *name)
{
	for (uint32_t i = 0; i < r->nfields; i++)
		if (!strcmp(r->fields[i].name, name))
			return r->fields[i].value;
	return NULL;
}

void record_free(struct record *r)
{
	free(r->text);
	free(r->fields);
	free(r->pairs);
	*r = (struct record){ 0 };
}
