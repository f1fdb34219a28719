/* archive_sig.h — the signature of one source's Release files, judged by apt's rule: good
 * when at least one signature is good and none is bad; signatures by keys not in the keyring
 * are ignored when another is good; MD5, SHA-1 and RIPEMD-160 signatures count as none.
 *
 * The keyring is the one apt uses for the source: its Signed-By (keyring files inside the
 * root, fingerprints of keys in the default keyrings, or a deb822 entry's own armored key
 * block), else every *.gpg and *.asc of etc/apt/trusted.gpg.d and etc/apt/trusted.gpg.
 * Native checks cover RSA keys (pgp.h); a signature by a key of an algorithm mbedTLS lacks
 * (Ed25519) is "not checked", never good. When no signature can be checked natively and
 * gpgv is installed, gpgv checks it (CHECKER says so).
 */
#ifndef OMGD_VERIFY_ARCHIVE_SIG_H
#define OMGD_VERIFY_ARCHIVE_SIG_H

#include <stddef.h>
#include <stdint.h>

enum archive_sig_verdict {
	ARCHIVE_SIG_GOOD = 0,
	ARCHIVE_SIG_BAD = 1,          /* a signature does not verify: apt refuses */
	ARCHIVE_SIG_NOKEY = 2,        /* no signature by a key of the keyring */
	ARCHIVE_SIG_WEAK = 3,         /* only weak-digest signatures (SHA-1 ...) */
	ARCHIVE_SIG_UNCHECKED = 4,    /* only signatures this build cannot check, and no gpgv */
	ARCHIVE_SIG_EXPIRED = 5,      /* the signing key (or subkey) has expired */
	ARCHIVE_SIG_REVOKED = 6,      /* the signing key (or subkey) is revoked */
	ARCHIVE_SIG_MALFORMED = 7,    /* the file is not a clearsigned text as apt takes it */
	ARCHIVE_SIG_UNSIGNED = 8,     /* a Release without Release.gpg */
	ARCHIVE_SIG_MISSING = 9,      /* no Release file was ever fetched for the source */
	ARCHIVE_SIG_TRUSTED = 10,     /* trusted=yes: apt checks nothing, neither does omg */
	ARCHIVE_SIG_NOKEYRING = 11,   /* Signed-By names no usable keyring */
};

struct archive_sig_result {
	uint8_t verdict;             /* enum archive_sig_verdict */
	char checker[8];             /* "omg" or "gpgv" */
	char signer[64];             /* the fingerprint of a good signature's key, hex */
	char detail[256];            /* why, for anything but GOOD; notes (e.g. "1 Ed25519 not checked") */
	char *text;                  /* the signed text as apt hands it on (malloc'd), NULL when none */
	size_t text_len;
};

struct aptsource;

/* Checks source E of ROOT: BUF (LEN bytes) is its InRelease, or when DETACHED (DLEN bytes,
 * Release.gpg) is given, its Release. NOW: unix seconds. OMG_OK with *OUT filled (any
 * verdict), OMG_E_NOMEM. */
int archive_sig_check(const char *root, const struct aptsource *e, const unsigned char *buf, size_t len,
		      const unsigned char *detached, size_t dlen, int64_t now, struct archive_sig_result *out);
void archive_sig_result_free(struct archive_sig_result *r);
const char *archive_sig_name(uint8_t verdict); /* "good", "bad signature", ... */

#endif
