/* armor.c — lines as apt reads them, and ASCII armor (RFC 4880 §6): headers, base64, CRC-24. */
#include "config.h"
#include "internal.h"
#include "grow.h"
#include "omg_error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int pgp_line_next(const char *buf, size_t len, size_t *pos, struct pgp_line *l)
{
	const char *nl;
	size_t start = *pos, end;

	if (start >= len)
		return 0;
	nl = memchr(buf + start, '\n', len - start);
	end = nl ? (size_t)(nl - buf) : len;
	l->start = start;
	l->next = nl ? end + 1 : len;
	/* apt's LineBuffer: trailing CR/LF first, then trailing blanks (RFC 4880 §7.1) */
	while (end > start && (buf[end - 1] == '\r' || buf[end - 1] == '\n'))
		end--;
	while (end > start && (buf[end - 1] == ' ' || buf[end - 1] == '\t'))
		end--;
	l->p = buf + start;
	l->len = end - start;
	*pos = l->next;
	return 1;
}

int pgp_line_is(const struct pgp_line *l, const char *s)
{
	size_t n = strlen(s);

	return l->len == n && memcmp(l->p, s, n) == 0;
}

int pgp_bytes_add(struct pgp_bytes *b, const void *p, size_t n)
{
	if (n > PGP_FILE_MAX - b->len)
		return OMG_ERROR(OMG_E_TOOBIG, "OpenPGP data over %u bytes", PGP_FILE_MAX);
	if (omg_grow(&b->p, &b->cap, b->len + n, 1, PGP_FILE_MAX) != OMG_OK)
		return OMG_ERROR(OMG_E_NOMEM, "OpenPGP buffer");
	if (n)
		memcpy(b->p + b->len, p, n);
	b->len += n;
	return OMG_OK;
}

void pgp_bytes_free(struct pgp_bytes *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

uint32_t pgp_crc24(const uint8_t *p, size_t n)
{
	uint32_t crc = 0xB704CEu;

	for (size_t i = 0; i < n; i++) {
		crc ^= (uint32_t)p[i] << 16;
		for (int k = 0; k < 8; k++) {
			crc <<= 1;
			if (crc & 0x1000000u)
				crc ^= 0x1864CFBu;
		}
	}
	return crc & 0xFFFFFFu;
}

static int b64val(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* Decodes base64 text S (N characters, a multiple of 4, '=' only as final padding). */
static int b64_decode(const char *s, size_t n, struct pgp_bytes *out)
{
	if (n % 4)
		return OMG_E_CORRUPT;
	for (size_t i = 0; i < n; i += 4) {
		int v[4], pad = 0;
		uint8_t o[3];

		for (int k = 0; k < 4; k++) {
			char c = s[i + k];

			if (c == '=' && i + 4 == n && k >= 2) {
				v[k] = 0;
				pad++;
				continue;
			}
			if (pad || (v[k] = b64val(c)) < 0)
				return OMG_E_CORRUPT;
		}
		o[0] = (uint8_t)(v[0] << 2 | v[1] >> 4);
		o[1] = (uint8_t)((v[1] & 15) << 4 | v[2] >> 2);
		o[2] = (uint8_t)((v[2] & 3) << 6 | v[3]);
		if (pgp_bytes_add(out, o, (size_t)(3 - pad)))
			return OMG_E_NOMEM;
	}
	return OMG_OK;
}

static int header_known(const struct pgp_line *l)
{
	static const char *const keys[] = { "Version: ", "Comment: ", "Charset: ", "MessageID: ", "Hash: " };

	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		size_t k = strlen(keys[i]);

		if (l->len >= k && memcmp(l->p, keys[i], k) == 0)
			return 1;
	}
	return 0;
}

static int header_shaped(const struct pgp_line *l)
{
	const char *colon = memchr(l->p, ':', l->len);

	return colon && colon > l->p && (size_t)(colon - l->p) + 1 < l->len && colon[1] == ' ';
}

#define WHY(...) (snprintf(why, whylen, __VA_ARGS__), OMG_E_CORRUPT)

int pgp_armor_block(const char *buf, size_t len, size_t *pos, const char *label, int strict, struct pgp_bytes *out,
		    char *why, size_t whylen)
{
	struct pgp_line l;
	struct pgp_bytes b64 = { 0 }, bin = { 0 };
	char end[64];
	int state = 0, have_crc = 0, rc;   /* state 0: headers, 1: base64, 2: after the CRC line */
	uint32_t crc = 0;

	snprintf(end, sizeof end, "-----END %s-----", label);
	for (;;) {
		if (!pgp_line_next(buf, len, pos, &l)) {
			rc = WHY("armor block '%s' not closed", label);
			goto fail;
		}
		if (pgp_line_is(&l, end))
			break;
		if (l.len && l.p[0] == '-') {
			rc = WHY("unexpected line starting with a dash in '%s'", label);
			goto fail;
		}
		if (state == 0) {
			if (l.len == 0) {
				state = 1;
				continue;
			}
			if (!header_shaped(&l) || (strict && !header_known(&l))) {
				rc = WHY("invalid armor header '%.*s'", (int)(l.len < 40 ? l.len : 40), l.p);
				goto fail;
			}
			continue;
		}
		if (state == 2 || l.len == 0) {
			rc = WHY("armor text after the end of '%s'", label);
			goto fail;
		}
		if (l.p[0] == '=') {
			struct pgp_bytes c = { 0 };

			if (l.len != 5 || b64_decode(l.p + 1, 4, &c) || c.len != 3) {
				pgp_bytes_free(&c);
				rc = WHY("malformed armor checksum");
				goto fail;
			}
			crc = (uint32_t)c.p[0] << 16 | (uint32_t)c.p[1] << 8 | c.p[2];
			pgp_bytes_free(&c);
			have_crc = 1;
			state = 2;
			continue;
		}
		if ((rc = pgp_bytes_add(&b64, l.p, l.len)))
			goto fail;
	}
	if (state == 0) {
		rc = WHY("armor block '%s' without a body", label);
		goto fail;
	}
	if (b64_decode(b64.len ? (const char *)b64.p : "", b64.len, &bin)) {
		rc = WHY("invalid base64 in '%s'", label);
		goto fail;
	}
	if (have_crc && pgp_crc24(bin.p, bin.len) != crc) {
		rc = WHY("armor CRC mismatch in '%s'", label);
		goto fail;
	}
	rc = pgp_bytes_add(out, bin.p, bin.len);
fail:
	pgp_bytes_free(&b64);
	pgp_bytes_free(&bin);
	return rc;
}
