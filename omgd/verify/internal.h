/* internal.h — what the files of omgd/verify/ share (verify/pgp.h is the contract).
 *
 * armor.c reads lines the way apt does and decodes ASCII armor (base64, CRC-24); packet.c
 * splits OpenPGP packets and parses public keys and v4 signatures; sigverify.c hashes
 * (mbedTLS md) and checks RSA PKCS#1 v1.5; keyring.c loads keys and validates them with
 * their self-signatures; clearsign.c splits a clearsigned file as apt does; verdict.c
 * judges each signature and the file by apt's rule.
 *
 * Nothing outside omgd/verify/ includes this header.
 */
#ifndef OMGD_VERIFY_INTERNAL_H
#define OMGD_VERIFY_INTERNAL_H

#include "pgp.h"

#include <mbedtls/md.h>
#include <stddef.h>
#include <stdint.h>

/* ---- armor.c ---- */

/* One line as apt's LineBuffer sees it: split at LF; trailing CR/LF, then trailing spaces
 * and tabs, removed (p, len). start is the line's offset, next the following line's. */
struct pgp_line {
	const char *p;
	size_t len, start, next;
};
/* 1 and *L set for the line at *POS (then *POS = l->next), 0 at the end. */
int pgp_line_next(const char *buf, size_t len, size_t *pos, struct pgp_line *l);
/* LINE equals the NUL-terminated S. */
int pgp_line_is(const struct pgp_line *l, const char *s);

/* A growing byte buffer, capped at PGP_FILE_MAX. */
struct pgp_bytes {
	uint8_t *p;
	size_t len, cap;
};
int pgp_bytes_add(struct pgp_bytes *b, const void *p, size_t n);
void pgp_bytes_free(struct pgp_bytes *b);

uint32_t pgp_crc24(const uint8_t *p, size_t n);

/* Decodes one armor block's inside, from *POS (the line after "-----BEGIN <LABEL>-----") to
 * its "-----END <LABEL>-----" line (*POS is left after it), appending the bytes to OUT.
 * Armor headers (Key: value) end at an empty line; the optional "=XXXX" CRC-24 line must
 * match. STRICT (signatures): only Version, Comment, Charset, MessageID and Hash headers, and
 * no line starting with '-' but the END line (apt's rule). OMG_E_CORRUPT with the reason in
 * WHY. */
int pgp_armor_block(const char *buf, size_t len, size_t *pos, const char *label, int strict, struct pgp_bytes *out,
		    char *why, size_t whylen);

/* ---- packet.c ---- */

struct pgp_packet {
	int tag;
	const uint8_t *body;
	size_t len;
};
/* The packet at *OFF (then *OFF is after it). OMG_E_CORRUPT for a header or length running
 * past the end, and for partial body lengths (never used for keys and signatures). */
int pgp_packet_next(const uint8_t *buf, size_t len, size_t *off, struct pgp_packet *p);

enum {
	PGP_TAG_SIG = 2, PGP_TAG_PUBKEY = 6, PGP_TAG_TRUST = 12, PGP_TAG_UID = 13, PGP_TAG_PUBSUBKEY = 14, PGP_TAG_UATTR = 17
};

struct pgp_pubkey {
	uint8_t version, algo;
	uint32_t created;
	const uint8_t *n, *e;          /* RSA, big-endian, leading zero bytes stripped */
	size_t nlen, elen;
	uint8_t fpr[PGP_FPR_LEN], keyid[8];
};
/* A v4 public key (or subkey) packet body. OMG_E_VERSION for other versions. */
int pgp_pubkey_parse(const uint8_t *body, size_t len, struct pgp_pubkey *k);

struct pgp_sig {
	uint8_t version, type, pkalgo, hashalgo;
	const uint8_t *hashed_part;    /* version .. end of the hashed subpackets (the trailer) */
	size_t hashed_part_len;
	uint8_t prefix[2];             /* the digest's first two bytes, as the signer saw it */
	const uint8_t *value;          /* RSA: the signature integer, leading zeros stripped */
	size_t value_len;
	int64_t created;               /* hashed area only, as every time and flag below */
	uint32_t sig_expires;          /* seconds after creation, 0: never */
	uint32_t key_expires;          /* seconds after the key's creation, 0: never */
	int has_created, has_key_expires, has_key_flags, has_issuer, has_issuer_fpr, unknown_critical;
	uint8_t key_flags;
	uint8_t issuer[8], issuer_fpr[PGP_FPR_LEN];
	const uint8_t *embedded;       /* an embedded signature (a back-signature), either area */
	size_t embedded_len;
};
/* A signature packet body. OMG_E_VERSION for versions other than 4 (then only version,
 * type and algorithms may be set), OMG_E_CORRUPT for malformed ones. */
int pgp_sig_parse(const uint8_t *body, size_t len, struct pgp_sig *s);

/* ---- sigverify.c ---- */

int pgp_hash_is_weak(int hashalgo);
/* Sets MD up for HASHALGO (SHA-2 and the weak ones); OMG_E_VERSION when unknown. */
int pgp_hash_start(mbedtls_md_context_t *md, int hashalgo);
/* Hashes a key packet body as key signatures cover it: 0x99, 2-byte length, body. */
int pgp_hash_key(mbedtls_md_context_t *md, const uint8_t *body, size_t len);
/* Hashes a user id as certifications cover it: 0xB4, 4-byte length, the id. */
int pgp_hash_uid(mbedtls_md_context_t *md, const uint8_t *uid, size_t len);
/* Finishes S's hash in MD (the v4 trailer), frees MD, and checks the prefix and the RSA
 * signature with the key (N, E). 1: verifies, 0: does not. */
int pgp_sig_finish(mbedtls_md_context_t *md, const struct pgp_sig *s, const uint8_t *n, size_t nlen,
		   const uint8_t *e, size_t elen);

/* ---- keyring.c ---- */

enum {
	PGP_KEY_VALID = 1,      /* a valid self-signature (primary) or binding (subkey) */
	PGP_KEY_CAN_SIGN = 2,   /* key flags allow signing, and a subkey is cross-certified */
	PGP_KEY_REVOKED = 4,
	PGP_KEY_CHECKABLE = 8   /* RSA, of a size mbedTLS takes */
};
struct pgp_key {
	uint8_t fpr[PGP_FPR_LEN], keyid[8];
	uint8_t algo;
	unsigned flags;
	int64_t created, expires;      /* expires: absolute, 0: never */
	size_t primary;                /* index of its primary key (itself for a primary) */
	uint8_t *n, *e;                /* RSA, copies */
	size_t nlen, elen;
};
struct pgp_keyring {
	struct pgp_key *keys;
	size_t nkeys, cap;
	uint8_t (*allow)[PGP_FPR_LEN]; /* Signed-By fingerprints; none: every key counts */
	unsigned char *allow_exact;    /* the entry ended in '!': that key itself only */
	size_t nallow;
	unsigned char *raw;            /* every key block's packets as added (pgp_keyring_export) */
	size_t rawlen, rawcap;
};
/* The keys that may have made S, by issuer fingerprint, else key id: call with *I = 0 and
 * again until NULL. */
const struct pgp_key *pgp_keyring_find(const struct pgp_keyring *kr, const struct pgp_sig *s, size_t *i);
/* The key K passes the Signed-By fingerprint filter. */
int pgp_keyring_allowed(const struct pgp_keyring *kr, const struct pgp_key *k);

/* ---- verdict.c ---- */

/* Judges every signature packet in SIGS (the decoded signature blocks) over the message
 * (TEXT, LF-joined lines for a clearsigned file, or the raw data when DETACHED) into RES:
 * statuses, then the verdict by apt's rule. */
int pgp_judge(const struct pgp_bytes *sigs, const uint8_t *text, size_t textlen, int detached,
	      const struct pgp_keyring *kr, int64_t now, struct pgp_result *res);
/* Sets RES to PGP_FRAMING with a formatted reason; returns OMG_OK. */
int pgp_framing(struct pgp_result *res, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
