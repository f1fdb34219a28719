/* fuzz_ere.c — libFuzzer target: arbitrary bytes as a search term and a text. The first byte
 * cuts the input: the term before, the text after. Checks that every run ere_required names
 * is in each text the term matches (the search index may skip only what cannot match), and
 * that a plain term matches exactly where a case-insensitive byte search finds it. */
#include "config.h"
#include "ere.h"
#include "omg_error.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int has_ci(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay; hay++) {
		size_t i = 0;
		while (i < n && hay[i] && tolower((unsigned char)hay[i]) == tolower((unsigned char)needle[i]))
			i++;
		if (i == n)
			return 1;
	}
	return n == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char term[257], text[1024], req[2 * sizeof term + 2];
	size_t cut, tl;
	regex_t re;
	int n;

	if (size < 1)
		return 0;
	cut = data[0] % (size < sizeof term ? size : sizeof term);
	memcpy(term, data + 1, cut ? cut - 1 : 0);
	term[cut ? cut - 1 : 0] = 0;
	tl = size - (cut ? cut : 1) < sizeof text - 1 ? size - (cut ? cut : 1) : sizeof text - 1;
	memcpy(text, data + (cut ? cut : 1), tl);
	text[tl] = 0;
	/* a NUL ends the term and the text early: they are C strings, as omgd's */
	n = ere_required(term, req, sizeof req);
	if (ere_compile(&re, term, REG_NOSUB) != OMG_OK)
		return 0;
	if (regexec(&re, text, 0, NULL, 0) == 0) {
		const char *r = req;
		for (int i = 0; i < n; i++, r += strlen(r) + 1)
			if (!*r || !has_ci(text, r))
				abort(); /* a required run the matched text does not have */
		if (ere_is_plain(term) && !has_ci(text, term))
			abort();
	} else if (ere_is_plain(term) && has_ci(text, term)) {
		abort(); /* a plain term found by bytes that regexec says does not match */
	}
	regfree(&re);
	return 0;
}
