/* ere.h — POSIX extended regular expressions from users: compiled with a cost guard, and
 * read for the plain text every match must contain (what an index can look up first).
 *
 * Both read bytes from outside (a search term, a pin's /regex/): bounded by the caller's
 * length limit, never recursive, and fuzzed (tests/fuzz/fuzz_ere.c).
 */
#ifndef OMGD_ERE_H
#define OMGD_ERE_H

#include <regex.h>
#include <stddef.h>

#define ERE_REPEAT_MAX 255 /* the largest count a {m,n} may have */

/* Compiles PATTERN as apt does (REG_EXTENDED | REG_ICASE, plus EXTRA flags such as
 * REG_NOSUB), after refusing what may take exponential time: stacked quantifiers ("a**",
 * "(a+)+" is allowed: glibc's matcher is not backtracking there), back-references, more
 * than one counted repetition, or a count over ERE_REPEAT_MAX. OMG_OK, or OMG_E_INVAL with
 * the reason (regerror's words for what regcomp refused). */
int ere_compile(regex_t *re, const char *pattern, int extra);

/* Whether PATTERN has no ERE operator and only ASCII bytes: a plain string, which a
 * case-insensitive byte search finds exactly where regexec would. */
int ere_is_plain(const char *pattern);

/* The runs of plain text that every match of PATTERN contains, lower-cased (ASCII; a byte
 * above 0x7F ends a run, since case folding may change its bytes), written into OUT (CAP
 * bytes) one after the other, each ended by a NUL. Returns how many; 0 when nothing is
 * required (an alternation at the top, only operators) or OUT is too small. A CAP of
 * 2 * strlen(PATTERN) + 2 is always enough. */
int ere_required(const char *pattern, char *out, size_t cap);

#endif
