/* packet.c — OpenPGP packets (RFC 4880 §4): headers in both formats, v4 public keys and
 * v4 signatures with their subpackets. Every length is checked against what remains. */
#include "config.h"
#include "internal.h"
#include "omg_error.h"

#include <mbedtls/sha1.h>
#include <string.h>

int pgp_packet_next(const uint8_t *buf, size_t len, size_t *off, struct pgp_packet *p)
{
	size_t o = *off, blen;
	uint8_t h;

	if (o >= len)
		return OMG_ERROR(OMG_E_CORRUPT, "no packet");
	h = buf[o++];
	if (!(h & 0x80))
		return OMG_ERROR(OMG_E_CORRUPT, "not a packet header (0x%02x)", h);
	if (h & 0x40) {                          /* new format */
		uint8_t c;

		p->tag = h & 0x3f;
		if (o >= len)
			return OMG_ERROR(OMG_E_CORRUPT, "truncated packet header");
		c = buf[o++];
		if (c < 192) {
			blen = c;
		} else if (c < 224) {
			if (o >= len)
				return OMG_ERROR(OMG_E_CORRUPT, "truncated packet header");
			blen = ((size_t)(c - 192) << 8) + buf[o++] + 192;
		} else if (c == 255) {
			if (len - o < 4)
				return OMG_ERROR(OMG_E_CORRUPT, "truncated packet header");
			blen = (size_t)buf[o] << 24 | (size_t)buf[o + 1] << 16 | (size_t)buf[o + 2] << 8 | buf[o + 3];
			o += 4;
		} else {
			/* partial body lengths: only for data packets, never in keys or signatures */
			return OMG_ERROR(OMG_E_CORRUPT, "partial body length");
		}
	} else {                                 /* old format */
		int lt = h & 3;

		p->tag = (h >> 2) & 0x0f;
		if (lt == 3)
			return OMG_ERROR(OMG_E_CORRUPT, "indeterminate packet length");
		if (len - o < (size_t)(1 << lt))
			return OMG_ERROR(OMG_E_CORRUPT, "truncated packet header");
		blen = 0;
		for (int i = 0; i < (1 << lt); i++)
			blen = blen << 8 | buf[o++];
	}
	if (blen > len - o)
		return OMG_ERROR(OMG_E_CORRUPT, "packet (tag %d) longer than its data", p->tag);
	p->body = buf + o;
	p->len = blen;
	*off = o + blen;
	return OMG_OK;
}

/* A multiprecision integer at *O (RFC 4880 §3.2), leading zero bytes stripped. */
static int mpi(const uint8_t *b, size_t len, size_t *o, const uint8_t **v, size_t *vlen)
{
	size_t bits, n;

	if (len - *o < 2)
		return OMG_E_CORRUPT;
	bits = (size_t)b[*o] << 8 | b[*o + 1];
	n = (bits + 7) / 8;
	*o += 2;
	if (n > len - *o)
		return OMG_E_CORRUPT;
	*v = b + *o;
	*vlen = n;
	*o += n;
	while (*vlen && **v == 0) {
		(*v)++;
		(*vlen)--;
	}
	return OMG_OK;
}

int pgp_pubkey_parse(const uint8_t *body, size_t len, struct pgp_pubkey *k)
{
	mbedtls_sha1_context sha;
	uint8_t head[3];
	size_t o = 6;

	memset(k, 0, sizeof *k);
	if (len < 6)
		return OMG_ERROR(OMG_E_CORRUPT, "short key packet");
	k->version = body[0];
	if (k->version != 4)
		return OMG_ERROR(OMG_E_VERSION, "key packet version %u", body[0]);
	if (len > 0xffff)
		return OMG_ERROR(OMG_E_CORRUPT, "key packet over 64 KiB");
	k->created = (uint32_t)body[1] << 24 | (uint32_t)body[2] << 16 | (uint32_t)body[3] << 8 | body[4];
	k->algo = body[5];
	if (k->algo == PGP_PK_RSA || k->algo == PGP_PK_RSA_E || k->algo == PGP_PK_RSA_S) {
		if (mpi(body, len, &o, &k->n, &k->nlen) || mpi(body, len, &o, &k->e, &k->elen))
			return OMG_ERROR(OMG_E_CORRUPT, "malformed RSA key");
	}
	/* v4 fingerprint: SHA-1 over 0x99, the 2-byte length, the body (RFC 4880 §12.2) */
	head[0] = 0x99;
	head[1] = (uint8_t)(len >> 8);
	head[2] = (uint8_t)len;
	mbedtls_sha1_init(&sha);
	if (mbedtls_sha1_starts_ret(&sha) || mbedtls_sha1_update_ret(&sha, head, 3) ||
	    mbedtls_sha1_update_ret(&sha, body, len) || mbedtls_sha1_finish_ret(&sha, k->fpr)) {
		mbedtls_sha1_free(&sha);
		return OMG_ERROR(OMG_E_CORRUPT, "fingerprint");
	}
	mbedtls_sha1_free(&sha);
	memcpy(k->keyid, k->fpr + 12, 8);
	return OMG_OK;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The subpackets of one area (RFC 4880 §5.2.3.1). Times and flags count only when HASHED. */
static int subpackets(const uint8_t *a, size_t n, int hashed, struct pgp_sig *s)
{
	size_t o = 0;

	while (o < n) {
		size_t sl;
		uint8_t c = a[o++], type;
		const uint8_t *d;
		int critical;

		if (c < 192) {
			sl = c;
		} else if (c < 255) {
			if (o >= n)
				return OMG_E_CORRUPT;
			sl = ((size_t)(c - 192) << 8) + a[o++] + 192;
		} else {
			if (n - o < 4)
				return OMG_E_CORRUPT;
			sl = be32(a + o);
			o += 4;
		}
		if (sl == 0 || sl > n - o)
			return OMG_E_CORRUPT;
		type = a[o] & 0x7f;
		critical = a[o] & 0x80;
		d = a + o + 1;
		sl--;
		o += sl + 1;
		switch (type) {
		case 2:        /* signature creation time */
			if (sl != 4)
				return OMG_E_CORRUPT;
			if (hashed) {
				s->created = be32(d);
				s->has_created = 1;
			}
			break;
		case 3:        /* signature expiration time */
			if (sl != 4)
				return OMG_E_CORRUPT;
			if (hashed)
				s->sig_expires = be32(d);
			break;
		case 9:        /* key expiration time */
			if (sl != 4)
				return OMG_E_CORRUPT;
			if (hashed) {
				s->key_expires = be32(d);
				s->has_key_expires = 1;
			}
			break;
		case 16:       /* issuer key id */
			if (sl != 8)
				return OMG_E_CORRUPT;
			memcpy(s->issuer, d, 8);
			s->has_issuer = 1;
			break;
		case 33:       /* issuer fingerprint: a version byte, then the fingerprint */
			if (sl >= 1 && d[0] == 4 && sl == 1 + PGP_FPR_LEN) {
				memcpy(s->issuer_fpr, d + 1, PGP_FPR_LEN);
				s->has_issuer_fpr = 1;
			} else if (critical) {
				s->unknown_critical = 1;
			}
			break;
		case 27:       /* key flags */
			if (hashed && sl >= 1) {
				s->key_flags = d[0];
				s->has_key_flags = 1;
			}
			break;
		case 32:       /* embedded signature */
			s->embedded = d;
			s->embedded_len = sl;
			break;
		/* understood and of no consequence here: exportable, revocable, preferences,
		 * primary user id, features, revocation reason, keyserver preferences */
		case 4: case 7: case 11: case 21: case 22: case 23: case 25: case 29: case 30:
			break;
		default:
			/* RFC 4880 §5.2.3.1: an unknown critical subpacket makes the signature invalid */
			if (critical)
				s->unknown_critical = 1;
			break;
		}
	}
	return OMG_OK;
}

int pgp_sig_parse(const uint8_t *body, size_t len, struct pgp_sig *s)
{
	size_t hl, ul, o;

	memset(s, 0, sizeof *s);
	if (len < 1)
		return OMG_ERROR(OMG_E_CORRUPT, "empty signature packet");
	s->version = body[0];
	if (s->version == 3 && len >= 17) {
		s->type = body[2];
		s->pkalgo = body[15];
		s->hashalgo = body[16];
	}
	if (s->version != 4)
		return OMG_ERROR(OMG_E_VERSION, "signature version %u", body[0]);
	if (len < 6)
		return OMG_ERROR(OMG_E_CORRUPT, "short signature packet");
	s->type = body[1];
	s->pkalgo = body[2];
	s->hashalgo = body[3];
	hl = (size_t)body[4] << 8 | body[5];
	if (hl > len - 6)
		return OMG_ERROR(OMG_E_CORRUPT, "hashed subpackets past the packet");
	s->hashed_part = body;
	s->hashed_part_len = 6 + hl;
	o = 6 + hl;
	if (len - o < 2)
		return OMG_ERROR(OMG_E_CORRUPT, "no unhashed subpackets");
	ul = (size_t)body[o] << 8 | body[o + 1];
	o += 2;
	if (ul > len - o)
		return OMG_ERROR(OMG_E_CORRUPT, "unhashed subpackets past the packet");
	if (subpackets(body + 6, hl, 1, s) || subpackets(body + o, ul, 0, s))
		return OMG_ERROR(OMG_E_CORRUPT, "malformed subpacket");
	o += ul;
	if (len - o < 2)
		return OMG_ERROR(OMG_E_CORRUPT, "no hash prefix");
	s->prefix[0] = body[o];
	s->prefix[1] = body[o + 1];
	o += 2;
	if (s->pkalgo == PGP_PK_RSA || s->pkalgo == PGP_PK_RSA_S) {
		if (mpi(body, len, &o, &s->value, &s->value_len))
			return OMG_ERROR(OMG_E_CORRUPT, "malformed RSA signature");
		if (o != len)
			return OMG_ERROR(OMG_E_CORRUPT, "data after the RSA signature");
	}
	if (!s->has_created)
		return OMG_ERROR(OMG_E_CORRUPT, "no hashed creation time");
	return OMG_OK;
}
