/* release.c — see release.h. */
#include "config.h"
#include "release.h"
#include "deb822.h"
#include "grow.h"
#include "hex.h"
#include "omg_error.h"

#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <strings.h>
#include <time.h>

int release_date(const char *s, size_t len, int64_t *out)
{
	static const char *const mon[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
					   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	char buf[64], wday[8], month[8], zone[8];
	struct tm tm = { 0 };
	int day, year, h, m, sec, n = 0;

	if (len >= sizeof buf)
		return OMG_ERROR(OMG_E_CORRUPT, "date too long");
	memcpy(buf, s, len);
	buf[len] = 0;
	/* "Sat, 10 Jun 2023 08:54:04 UTC": the weekday is not checked (apt does not either) */
	/* widths bound every number: no overflow */
	if (sscanf(buf, "%3s, %2d %3s %4d %2d:%2d:%2d %7s%n", wday, &day, month, &year, &h, &m, &sec, zone, &n) != 8 ||
	    (size_t)n != len)
		return OMG_ERROR(OMG_E_CORRUPT, "date \"%s\" is not RFC 1123", buf);
	if (strcmp(zone, "UTC") && strcmp(zone, "GMT") && strcmp(zone, "+0000") && strcmp(zone, "Z"))
		return OMG_ERROR(OMG_E_CORRUPT, "date \"%s\": zone is not UTC", buf);
	tm.tm_mon = -1;
	for (int i = 0; i < 12; i++)
		if (!strcmp(month, mon[i]))
			tm.tm_mon = i;
	if (tm.tm_mon < 0 || day < 1 || day > 31 || year < 1970 || year > 9999 || h < 0 || h > 23 || m < 0 || m > 59 ||
	    sec < 0 || sec > 60)
		return OMG_ERROR(OMG_E_CORRUPT, "date \"%s\" is out of range", buf);
	tm.tm_mday = day;
	tm.tm_year = year - 1900;
	tm.tm_hour = h;
	tm.tm_min = m;
	tm.tm_sec = sec;
	*out = (int64_t)timegm(&tm);
	return OMG_OK;
}

/* " <64 hex> <size> <path>" */
static int add_line(struct release_info *r, const char *p, const char *end, size_t *cap)
{
	struct release_entry *e;
	const char *q;
	uint64_t size = 0;

	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p == end)
		return OMG_OK; /* the field's empty first line */
	if (end - p < 64 + 4)
		return OMG_ERROR(OMG_E_CORRUPT, "SHA256 line too short");
	if (omg_grow(&r->v, cap, r->n + 1, sizeof *r->v, RELEASE_ENTRIES_MAX) != OMG_OK)
		return r->n == RELEASE_ENTRIES_MAX
			       ? OMG_ERROR(OMG_E_CORRUPT, "more than %d SHA256 entries", RELEASE_ENTRIES_MAX)
			       : OMG_ERROR(OMG_E_NOMEM, "Release");
	e = &r->v[r->n];
	for (int i = 0; i < 32; i++) {
		int hi = hex_value((unsigned char)p[2 * i]), lo = hex_value((unsigned char)p[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return OMG_ERROR(OMG_E_CORRUPT, "SHA256 line: not a hash");
		e->sha256[i] = (unsigned char)(hi << 4 | lo);
	}
	p += 64;
	if (*p != ' ' && *p != '\t')
		return OMG_ERROR(OMG_E_CORRUPT, "SHA256 line: not a hash");
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	/* a size beyond 64 bits saturates (no list is that large, and apt takes the Release) */
	for (q = p; q < end && *q >= '0' && *q <= '9'; q++)
		size = size > (UINT64_MAX - 9) / 10 ? UINT64_MAX : size * 10 + (uint64_t)(*q - '0');
	if (q == p || q == end || (*q != ' ' && *q != '\t'))
		return OMG_ERROR(OMG_E_CORRUPT, "SHA256 line: no size");
	while (q < end && (*q == ' ' || *q == '\t'))
		q++;
	while (end > q && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
		end--;
	if (q == end || end - q > RELEASE_PATH_MAX || memchr(q, ' ', (size_t)(end - q)) || memchr(q, 0, (size_t)(end - q)))
		return OMG_ERROR(OMG_E_CORRUPT, "SHA256 line: bad path");
	if (!(e->path = strndup(q, (size_t)(end - q))))
		return OMG_ERROR(OMG_E_NOMEM, "Release");
	e->size = size;
	r->n++;
	return OMG_OK;
}

int release_parse(const char *text, size_t len, struct release_info *r)
{
	struct deb822_para para;
	struct deb822_field f;
	size_t pos = 0, fpos = 0, cap = 0;
	int rc = OMG_OK, got;

	memset(r, 0, sizeof *r);
	r->date = r->valid_until = -1;
	if (!deb822_next_para(text, len, &pos, &para))
		return OMG_ERROR(OMG_E_CORRUPT, "Release: empty");
	while (rc == OMG_OK && (got = deb822_next_field(&para, &fpos, &f)) == 1) {
		if (deb822_is(&f, "Date"))
			rc = release_date(f.value, f.value_len, &r->date);
		else if (deb822_is(&f, "Valid-Until"))
			rc = release_date(f.value, f.value_len, &r->valid_until);
		else if (deb822_is(&f, "SHA256"))
			for (const char *p = f.value, *end = f.value + f.value_len; rc == OMG_OK && p < end;) {
				const char *nl = memchr(p, '\n', (size_t)(end - p));
				rc = add_line(r, p, nl ? nl : end, &cap);
				p = nl ? nl + 1 : end;
			}
	}
	if (rc == OMG_OK && got < 0)
		rc = OMG_ERROR(OMG_E_CORRUPT, "Release: malformed field");
	if (rc == OMG_OK && deb822_next_para(text, len, &pos, &para))
		rc = OMG_ERROR(OMG_E_CORRUPT, "Release: more than one paragraph");
	if (rc != OMG_OK)
		release_free(r);
	return rc;
}

const struct release_entry *release_find(const struct release_info *r, const char *path, size_t len)
{
	for (size_t i = 0; i < r->n; i++)
		if (strlen(r->v[i].path) == len && !memcmp(r->v[i].path, path, len))
			return &r->v[i];
	return NULL;
}

void release_free(struct release_info *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->v[i].path);
	free(r->v);
	memset(r, 0, sizeof *r);
	r->date = r->valid_until = -1;
}
