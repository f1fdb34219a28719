/* archive_sig.c — see archive_sig.h. The OpenPGP work is pgp.h's; this file picks the
 * keyring as apt does and says the verdict in the archive check's words. */
#include "config.h"
#include "archive_sig.h"
#include "aptsources.h"
#include "omg_error.h"
#include "pgp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint8_t from_pgp(enum pgp_verdict v)
{
	switch (v) {
	case PGP_GOOD: return ARCHIVE_SIG_GOOD;
	case PGP_BAD: return ARCHIVE_SIG_BAD;
	case PGP_FRAMING: return ARCHIVE_SIG_MALFORMED;
	case PGP_NO_KEY: return ARCHIVE_SIG_NOKEY;
	case PGP_WEAK: return ARCHIVE_SIG_WEAK;
	case PGP_UNSUPPORTED_ONLY: return ARCHIVE_SIG_UNCHECKED;
	case PGP_EXPIRED_KEY: return ARCHIVE_SIG_EXPIRED;
	case PGP_REVOKED_KEY: return ARCHIVE_SIG_REVOKED;
	default: return ARCHIVE_SIG_BAD; /* an expired signature, time conflicts, an invalid key */
	}
}

static int verify_with(const char *root, const char *signed_by, int legacy, const unsigned char *buf, size_t len,
		       const unsigned char *detached, size_t dlen, int64_t now, struct pgp_result *res, int *nokeyring)
{
	struct pgp_keyring *kr = NULL;
	size_t primaries = 0, subkeys = 0;
	int rc;

	memset(res, 0, sizeof *res);
	if ((rc = pgp_keyring_new(&kr)) != OMG_OK)
		return rc;
	rc = pgp_keyring_load_apt(kr, root, signed_by, legacy);
	if (rc == OMG_E_NOMEM)
		goto done;
	pgp_keyring_count(kr, &primaries, &subkeys);
	*nokeyring = !primaries;
	rc = detached ? pgp_verify_detached(buf, len, detached, dlen, kr, now, res)
		      : pgp_verify_clearsigned(buf, len, kr, now, res);
done:
	pgp_keyring_free(kr);
	return rc;
}

int archive_sig_check(const char *root, const struct aptsource *e, const unsigned char *buf, size_t len,
		      const unsigned char *detached, size_t dlen, int64_t now, struct archive_sig_result *out)
{
	struct pgp_result res;
	int rc, nokeyring = 0, legacy = 0;

	memset(out, 0, sizeof *out);
	snprintf(out->checker, sizeof out->checker, "omg");
	rc = verify_with(root, e->signed_by, 0, buf, len, detached, dlen, now, &res, &nokeyring);
	/* apt: without Signed-By, a missing key in trusted.gpg.d is looked for in the legacy
	 * trusted.gpg as well (with a warning) */
	if (rc == OMG_OK && res.verdict == PGP_NO_KEY && !(e->signed_by && e->signed_by[0])) {
		struct pgp_result again;
		int none = 0;
		if (verify_with(root, NULL, 1, buf, len, detached, dlen, now, &again, &none) == OMG_OK &&
		    again.verdict != PGP_NO_KEY) {
			pgp_result_free(&res);
			res = again;
			legacy = 1;
		} else {
			pgp_result_free(&again);
		}
	}
	if (rc != OMG_OK)
		return rc == OMG_E_NOMEM ? rc : OMG_ERROR(rc, "%s", omg_errdetail());
	out->verdict = nokeyring && res.verdict == PGP_NO_KEY && e->signed_by ? ARCHIVE_SIG_NOKEYRING : from_pgp(res.verdict);
	for (size_t i = 0; i < res.nsigs; i++) {
		const struct pgp_sig_info *si = &res.sigs[i];
		const uint8_t *fpr = si->has_primary ? si->primary_fpr : si->fpr;
		if (si->status == PGP_SIG_GOOD && (si->has_primary || si->has_fpr)) {
			for (int k = 0; k < PGP_FPR_LEN; k++)
				snprintf(out->signer + 2 * k, 3, "%02X", fpr[k]);
			break;
		}
	}
	if (out->verdict != ARCHIVE_SIG_GOOD)
		snprintf(out->detail, sizeof out->detail, "%s", res.detail);
	else if (res.unchecked || legacy)
		snprintf(out->detail, sizeof out->detail, "%s%s%zu signature%s by a key type this build cannot check (Ed25519)",
			 legacy ? "key from the legacy trusted.gpg" : "", legacy && res.unchecked ? "; " : "",
			 res.unchecked, res.unchecked == 1 ? "" : "s");
	if (legacy && !res.unchecked)
		snprintf(out->detail, sizeof out->detail, "key from the legacy trusted.gpg");
	if (res.text) {
		out->text = res.text;
		out->text_len = res.text_len;
		res.text = NULL;
	} else if (detached && (out->text = malloc(len + 1))) {
		memcpy(out->text, buf, len); /* a detached signature covers the Release as it is */
		out->text[len] = 0;
		out->text_len = len;
	} else if (detached) {
		pgp_result_free(&res);
		return OMG_ERROR(OMG_E_NOMEM, "Release");
	}
	pgp_result_free(&res);
	return OMG_OK;
}

void archive_sig_result_free(struct archive_sig_result *r)
{
	free(r->text);
	r->text = NULL;
	r->text_len = 0;
}

const char *archive_sig_name(uint8_t verdict)
{
	static const char *const names[] = {
		[ARCHIVE_SIG_GOOD] = "good signature",
		[ARCHIVE_SIG_BAD] = "BAD signature",
		[ARCHIVE_SIG_NOKEY] = "no signature by a trusted key",
		[ARCHIVE_SIG_WEAK] = "only weak-digest signatures",
		[ARCHIVE_SIG_UNCHECKED] = "signatures not checked (no supported key type)",
		[ARCHIVE_SIG_EXPIRED] = "signing key expired",
		[ARCHIVE_SIG_REVOKED] = "signing key revoked",
		[ARCHIVE_SIG_MALFORMED] = "malformed signed file",
		[ARCHIVE_SIG_UNSIGNED] = "unsigned (Release without Release.gpg)",
		[ARCHIVE_SIG_MISSING] = "no Release file",
		[ARCHIVE_SIG_TRUSTED] = "trusted=yes (not checked, as apt)",
		[ARCHIVE_SIG_NOKEYRING] = "Signed-By names no usable key",
	};

	return verdict < sizeof names / sizeof names[0] && names[verdict] ? names[verdict] : "?";
}
