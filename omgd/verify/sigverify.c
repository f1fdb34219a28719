/* sigverify.c — a v4 signature's hash (mbedTLS md) and its RSA PKCS#1 v1.5 check. */
#include "config.h"
#include "internal.h"
#include "omg_error.h"

#include <mbedtls/rsa.h>
#include <string.h>

int pgp_hash_is_weak(int hashalgo)
{
	/* apt's "untrusted" digests: a signature over one of them is worth nothing */
	return hashalgo == PGP_H_MD5 || hashalgo == PGP_H_SHA1 || hashalgo == PGP_H_RIPEMD160;
}

static mbedtls_md_type_t md_type(int hashalgo)
{
	switch (hashalgo) {
	case PGP_H_MD5: return MBEDTLS_MD_MD5;
	case PGP_H_SHA1: return MBEDTLS_MD_SHA1;
	case PGP_H_RIPEMD160: return MBEDTLS_MD_RIPEMD160;
	case PGP_H_SHA256: return MBEDTLS_MD_SHA256;
	case PGP_H_SHA384: return MBEDTLS_MD_SHA384;
	case PGP_H_SHA512: return MBEDTLS_MD_SHA512;
	case PGP_H_SHA224: return MBEDTLS_MD_SHA224;
	default: return MBEDTLS_MD_NONE;
	}
}

int pgp_hash_start(mbedtls_md_context_t *md, int hashalgo)
{
	const mbedtls_md_info_t *info = mbedtls_md_info_from_type(md_type(hashalgo));

	mbedtls_md_init(md);
	if (!info)
		return OMG_ERROR(OMG_E_VERSION, "hash algorithm %d", hashalgo);
	if (mbedtls_md_setup(md, info, 0) || mbedtls_md_starts(md)) {
		mbedtls_md_free(md);
		mbedtls_md_init(md);
		return OMG_ERROR(OMG_E_NOMEM, "hash context");
	}
	return OMG_OK;
}

int pgp_hash_key(mbedtls_md_context_t *md, const uint8_t *body, size_t len)
{
	uint8_t h[3] = { 0x99, (uint8_t)(len >> 8), (uint8_t)len };

	if (len > 0xffff || mbedtls_md_update(md, h, 3) || mbedtls_md_update(md, body, len))
		return OMG_E_CORRUPT;
	return OMG_OK;
}

int pgp_hash_uid(mbedtls_md_context_t *md, const uint8_t *uid, size_t len)
{
	uint8_t h[5] = { 0xB4, (uint8_t)(len >> 24), (uint8_t)(len >> 16), (uint8_t)(len >> 8), (uint8_t)len };

	if (mbedtls_md_update(md, h, 5) || mbedtls_md_update(md, uid, len))
		return OMG_E_CORRUPT;
	return OMG_OK;
}

int pgp_sig_finish(mbedtls_md_context_t *md, const struct pgp_sig *s, const uint8_t *n, size_t nlen,
		   const uint8_t *e, size_t elen)
{
	uint8_t digest[MBEDTLS_MD_MAX_SIZE], trailer[6], padded[MBEDTLS_MPI_MAX_SIZE];
	size_t hl = s->hashed_part_len;
	mbedtls_rsa_context rsa;
	const mbedtls_md_info_t *info = mbedtls_md_info_from_type(md_type(s->hashalgo));
	int ok = 0;

	/* v4 trailer (RFC 4880 §5.2.4): the hashed part, 0x04 0xFF, its 4-byte length */
	trailer[0] = 0x04;
	trailer[1] = 0xFF;
	trailer[2] = (uint8_t)(hl >> 24);
	trailer[3] = (uint8_t)(hl >> 16);
	trailer[4] = (uint8_t)(hl >> 8);
	trailer[5] = (uint8_t)hl;
	if (!info || mbedtls_md_update(md, s->hashed_part, hl) || mbedtls_md_update(md, trailer, 6) ||
	    mbedtls_md_finish(md, digest)) {
		mbedtls_md_free(md);
		return 0;
	}
	mbedtls_md_free(md);
	/* the 16-bit quick check: a mismatch is a bad signature, as gpg counts it */
	if (digest[0] != s->prefix[0] || digest[1] != s->prefix[1])
		return 0;
	if (s->pkalgo != PGP_PK_RSA && s->pkalgo != PGP_PK_RSA_S)
		return 0;
	if (!nlen || nlen > sizeof padded || s->value_len > nlen)
		return 0;
	/* mbedTLS wants the signature as long as the modulus: left-pad it */
	memset(padded, 0, nlen - s->value_len);
	memcpy(padded + (nlen - s->value_len), s->value, s->value_len);
	mbedtls_rsa_init(&rsa, MBEDTLS_RSA_PKCS_V15, 0);
	if (mbedtls_rsa_import_raw(&rsa, n, nlen, NULL, 0, NULL, 0, NULL, 0, e, elen) == 0 &&
	    mbedtls_rsa_complete(&rsa) == 0 && mbedtls_rsa_check_pubkey(&rsa) == 0 && mbedtls_rsa_get_len(&rsa) == nlen &&
	    mbedtls_rsa_pkcs1_verify(&rsa, NULL, NULL, MBEDTLS_RSA_PUBLIC, mbedtls_md_get_type(info),
				     mbedtls_md_get_size(info), digest, padded) == 0)
		ok = 1;
	mbedtls_rsa_free(&rsa);
	return ok;
}
