/* pgp.h — native OpenPGP verification of apt's archive signatures (InRelease, Release +
 * Release.gpg) with mbedTLS: the whole contract of omgd/verify/ (armor.c, packet.c,
 * keyring.c, clearsign.c, sigverify.c, verdict.c; verify/internal.h says how they fit).
 *
 * What is checked: OpenPGP v4 keys and signatures; RSA (PKCS#1 v1.5) with SHA-224/256/384/512;
 * subkeys through their binding signature (0x18) and, for a signing subkey, its embedded
 * back-signature (0x19); key revocations (0x20, 0x28) made by the primary key; key expiry
 * from the newest valid self-signature; signature expiry; apt's clearsign framing (the same
 * lines apt refuses are refused, and a few more: see docs/verify-pgp.md).
 *
 * apt's rule, kept here: a file is GOOD iff at least one signature is good and none is bad.
 * Signatures by keys not in the keyring are ignored when another one is good. A signature
 * with MD5, SHA-1 or RIPEMD-160 is never good (PGP_SIG_WEAK_HASH), but a cryptographically
 * wrong one is still bad. Signatures by expired or revoked keys, and expired signatures, are
 * not good and not bad (apt calls them "worthless"). A signature whose algorithm mbedTLS 2.28
 * cannot check (Ed25519/EdDSA, ECDSA, DSA) is PGP_SIG_UNSUPPORTED: "not checked", never
 * good; res->unchecked counts them, because apt (through gpgv) would have checked them. This
 * module is never more permissive than apt, and stricter where said (docs/verify-pgp.md).
 *
 * Limits: a keyring file over PGP_FILE_MAX bytes, or over PGP_MAX_KEYS keys, is refused; at
 * most PGP_MAX_SELF_CHECKS self-signatures (revocations apart) are checked per key block, and a
 * key whose block needs more is not valid for signing; a signed file with more than PGP_MAX_SIGS signatures is refused
 * (PGP_FRAMING). Nothing here blocks but file reads of
 * local files; nothing allocates but the keyring and res->text.
 */
#ifndef OMGD_VERIFY_PGP_H
#define OMGD_VERIFY_PGP_H

#include <stddef.h>
#include <stdint.h>

#define PGP_FPR_LEN 20                /* a v4 fingerprint, SHA-1 of the key packet */
#define PGP_MAX_SIGS 16
#define PGP_FILE_MAX (16u << 20)      /* a keyring file (Debian's largest is 72 KiB) */
#define PGP_MAX_KEYS 8192             /* keys and subkeys in one keyring (Debian's: 15) */
#define PGP_MAX_SELF_CHECKS 64        /* signature checks per key block, bounding a hostile keyring's cost */

/* RFC 4880 §9.1 / §9.4 numbers, as they appear in packets. */
enum pgp_pkalgo {
	PGP_PK_RSA = 1, PGP_PK_RSA_E = 2, PGP_PK_RSA_S = 3, PGP_PK_ELGAMAL = 16, PGP_PK_DSA = 17,
	PGP_PK_ECDH = 18, PGP_PK_ECDSA = 19, PGP_PK_EDDSA = 22
};
enum pgp_hashalgo {
	PGP_H_MD5 = 1, PGP_H_SHA1 = 2, PGP_H_RIPEMD160 = 3, PGP_H_SHA256 = 8, PGP_H_SHA384 = 9,
	PGP_H_SHA512 = 10, PGP_H_SHA224 = 11
};

/* One signature's fate. Only GOOD counts for the file; only BAD spoils it. */
enum pgp_sig_status {
	PGP_SIG_GOOD = 0,
	PGP_SIG_BAD,          /* the key is known and the signature does not verify (gpgv BADSIG) */
	PGP_SIG_NO_KEY,       /* no key with this issuer in the keyring (NO_PUBKEY) */
	PGP_SIG_WEAK_HASH,    /* verifies, but MD5/SHA-1/RIPEMD-160: apt's "untrusted digest" */
	PGP_SIG_UNSUPPORTED,  /* not checked: key algorithm not in mbedTLS 2.28 (EdDSA...), v3 */
	PGP_SIG_EXPIRED_KEY,  /* verifies, but the key (or its primary) has expired (EXPKEYSIG) */
	PGP_SIG_REVOKED_KEY,  /* verifies, but the key (or its primary) is revoked (REVKEYSIG) */
	PGP_SIG_EXPIRED,      /* verifies, but the signature itself has expired (EXPSIG) */
	PGP_SIG_TIME,         /* verifies, but made in the future or before its key */
	PGP_SIG_INVALID_KEY,  /* the key may not sign: no valid binding/back-signature/self-signature,
	                       * no signing flag, too short; or an unknown critical subpacket */
	PGP_SIG__COUNT
};

/* The file's verdict, by apt's rule. When not GOOD, the most telling reason is given:
 * BAD, then REVOKED_KEY, EXPIRED_KEY, EXPIRED_SIG, WEAK, INVALID, UNSUPPORTED_ONLY, NO_KEY. */
enum pgp_verdict {
	PGP_GOOD = 0,
	PGP_BAD,               /* at least one bad signature */
	PGP_FRAMING,           /* not a file apt would pass to gpgv: framing, armor, CRC, packets */
	PGP_NO_KEY,            /* no signature by a key in the keyring */
	PGP_WEAK,              /* the only verifying signatures use a weak hash */
	PGP_UNSUPPORTED_ONLY,  /* signatures by known keys exist, none of them checkable here */
	PGP_EXPIRED_KEY,
	PGP_REVOKED_KEY,
	PGP_EXPIRED_SIG,
	PGP_INVALID,           /* time conflicts, keys not valid for signing */
	PGP__VERDICT_COUNT
};

struct pgp_sig_info {
	enum pgp_sig_status status;
	uint8_t type;                   /* signature class: 0x00 binary, 0x01 canonical text */
	uint8_t pkalgo, hashalgo;       /* enum pgp_pkalgo, enum pgp_hashalgo */
	uint8_t keyid[8];               /* the issuer key id */
	uint8_t fpr[PGP_FPR_LEN];       /* the signing (sub)key's fingerprint, when has_fpr */
	uint8_t primary_fpr[PGP_FPR_LEN]; /* its primary key's, when the key is in the keyring */
	int has_fpr, has_primary;
	int64_t created;                /* signature creation time (Unix seconds) */
};

struct pgp_result {
	enum pgp_verdict verdict;
	char detail[160];               /* why, in a few words (framing errors name the line) */
	size_t nsigs, ngood, unchecked; /* unchecked: PGP_SIG_UNSUPPORTED signatures */
	struct pgp_sig_info sigs[PGP_MAX_SIGS];
	/* The signed message. For a clearsigned file: the raw region inside the buffer given
	 * (from the first message line up to the line end before BEGIN PGP SIGNATURE, escapes
	 * and trailing blanks included), and text: the message exactly as apt hands it on (lines
	 * dash-unescaped, trailing blanks removed, joined with LF, no final LF: the bytes the
	 * signature covers, up to line ends). For a detached signature, text is NULL and the
	 * region is the whole data. Parse text (or the region when detached), never the file. */
	size_t text_off, text_len_raw;
	char *text;
	size_t text_len;
};

/* A set of public keys (primary keys and their subkeys), opaque. */
struct pgp_keyring;

int pgp_keyring_new(struct pgp_keyring **kr);
void pgp_keyring_free(struct pgp_keyring *kr);

/* Adds the keys of one keyring: binary (a .gpg, packets) or ASCII-armored (one or more
 * PUBLIC KEY BLOCKs, text around them ignored as apt does). Keys whose packets are malformed
 * are skipped (counted in *skipped when not NULL); a file with no key at all is
 * OMG_E_CORRUPT. Self-signatures are verified here. */
int pgp_keyring_add_mem(struct pgp_keyring *kr, const unsigned char *buf, size_t len, size_t *skipped);
/* The same from a file (at most PGP_FILE_MAX bytes). */
int pgp_keyring_add_file(struct pgp_keyring *kr, const char *path, size_t *skipped);

/* The keyring apt would use for a source, in ROOT ("/" or a fixture root):
 * - SIGNED_BY NULL or "": every *.gpg and *.asc in ROOT/etc/apt/trusted.gpg.d (apt's
 *   TrustedParts); with LEGACY set, ROOT/etc/apt/trusted.gpg instead (apt retries with it
 *   alone when the parts gave no valid signature and a missing key: the caller does that);
 * - SIGNED_BY as in a sources entry: comma-separated absolute keyring paths (read inside
 *   ROOT) and/or fingerprints (then only signatures by those keys — a subkey of a listed
 *   primary, unless the entry ends in '!' — may count as good), or an armored key block.
 * Unreadable or empty files are skipped as apt does. */
int pgp_keyring_load_apt(struct pgp_keyring *kr, const char *root, const char *signed_by, int legacy);

/* The binary packets of every key block added (armored ones decoded), as one keyring: what
 * gpgv is given when it checks what this module cannot (archive_sig.c). Valid until the next
 * add or the free. */
void pgp_keyring_export(const struct pgp_keyring *kr, const unsigned char **data, size_t *len);

/* Number of primary keys and of subkeys loaded (for tests and status lines). */
void pgp_keyring_count(const struct pgp_keyring *kr, size_t *primaries, size_t *subkeys);

/* Verifies a clearsigned file (InRelease) of LEN bytes at time NOW (Unix seconds).
 * Returns OMG_OK with a verdict in *res (which may be anything, PGP_FRAMING included), or an
 * error (OMG_E_NOMEM, OMG_E_INVAL) with no verdict. Free res with pgp_result_free. */
int pgp_verify_clearsigned(const unsigned char *buf, size_t len, const struct pgp_keyring *kr, int64_t now,
			   struct pgp_result *res);
/* Verifies DATA (Release) with an armored detached signature SIG (Release.gpg), framed as apt
 * requires (only signature blocks in SIG). */
int pgp_verify_detached(const unsigned char *data, size_t len, const unsigned char *sig, size_t siglen,
			const struct pgp_keyring *kr, int64_t now, struct pgp_result *res);
void pgp_result_free(struct pgp_result *res);

/* Names for logs and tests: "good", "bad", "no-key", ... and "GOOD", "BAD", "FRAMING", ... */
const char *pgp_sig_status_name(enum pgp_sig_status s);
const char *pgp_verdict_name(enum pgp_verdict v);
/* The verdict for a name as pgp_verdict_name gives it, or -1. */
int pgp_verdict_from_name(const char *name);

#endif
