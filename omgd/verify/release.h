/* release.h — the fields of a Release file (the text an InRelease signs) that the archive
 * check needs: Date, Valid-Until and the SHA256 list of the indexes it covers.
 *
 * The text given must be exactly the bytes whose signature was checked (the signed part of
 * an InRelease, or a Release whose Release.gpg was checked): nothing is read again. Dates are
 * RFC 1123 as apt writes them ("Sat, 10 Jun 2023 08:54:04 UTC"; apt also takes "+0000" and
 * "GMT"); a date that is present but unreadable makes the whole Release unreadable, as apt
 * refuses it. Entries are kept in the order given, at most RELEASE_ENTRIES_MAX.
 */
#ifndef OMGD_VERIFY_RELEASE_H
#define OMGD_VERIFY_RELEASE_H

#include <stddef.h>
#include <stdint.h>

#define RELEASE_ENTRIES_MAX 100000
#define RELEASE_PATH_MAX 1024

struct release_entry {
	unsigned char sha256[32];
	uint64_t size;
	char *path;            /* "main/binary-amd64/Packages", as the Release names it */
};

struct release_info {
	int64_t date;          /* unix seconds; -1: no Date field */
	int64_t valid_until;   /* unix seconds; -1: no Valid-Until field */
	struct release_entry *v;
	size_t n;
};

/* Parses TEXT (LEN bytes) into R. OMG_OK; OMG_E_CORRUPT (the detail says which line) for a
 * text that is not one Release paragraph, a malformed SHA256 line, or an unreadable date;
 * OMG_E_NOMEM. R is empty after a failure. */
int release_parse(const char *text, size_t len, struct release_info *r);
/* The entry for PATH, or NULL. */
const struct release_entry *release_find(const struct release_info *r, const char *path, size_t len);
void release_free(struct release_info *r);

/* RFC 1123 date as apt reads it: OMG_OK and *OUT (unix seconds), or OMG_E_CORRUPT. */
int release_date(const char *s, size_t len, int64_t *out);

#endif
