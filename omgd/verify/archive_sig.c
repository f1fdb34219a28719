/* archive_sig.c — see archive_sig.h. The OpenPGP work is pgp.h's; this file picks the
 * keyring as apt does and says the verdict in the archive check's words. */
#include "config.h"
#include "archive_sig.h"
#include "aptsources.h"
#include "child.h"
#include "omg_error.h"
#include "pgp.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define GPGV "/usr/bin/gpgv"
#define GPGV_DEADLINE_MS 30000

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

static int write_file(const char *path, const void *p, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	const char *c = p;

	if (fd < 0)
		return OMG_ERROR(OMG_E_SYS, "%s: %s", path, strerror(errno));
	while (n) {
		ssize_t w = write(fd, c, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			close(fd);
			return OMG_ERROR(OMG_E_SYS, "%s: %s", path, strerror(errno));
		}
		c += w;
		n -= (size_t)w;
	}
	return close(fd) == 0 ? OMG_OK : OMG_ERROR(OMG_E_SYS, "%s: %s", path, strerror(errno));
}

/* gpgv's judgement of the same bytes with the same keys (given as one binary keyring), by
 * apt's rule read from its status lines: a VALIDSIG whose digest is not MD5, SHA-1 or
 * RIPEMD-160 is good; any BADSIG spoils it. */
static int gpgv_check(const unsigned char *keys, size_t klen, const unsigned char *buf, size_t len,
		      const unsigned char *detached, size_t dlen, struct archive_sig_result *out)
{
	char dir[] = "/tmp/omgd-gpgv-XXXXXX", kr[64], data[64], sig[64];
	const char *argv[9];
	const char *envp[] = { "LC_ALL=C", "PATH=/usr/bin:/bin", NULL };
	struct spawn_result r = { 0 };
	int rc, good = 0, bad = 0, weak = 0, argc = 0;

	if (!mkdtemp(dir))
		return OMG_ERROR(OMG_E_SYS, "mkdtemp: %s", strerror(errno));
	snprintf(kr, sizeof kr, "%s/keyring.gpg", dir);
	snprintf(data, sizeof data, "%s/data", dir);
	snprintf(sig, sizeof sig, "%s/data.sig", dir);
	if ((rc = write_file(kr, keys, klen)) != OMG_OK || (rc = write_file(data, buf, len)) != OMG_OK ||
	    (detached && (rc = write_file(sig, detached, dlen)) != OMG_OK))
		goto done;
	argv[argc++] = GPGV;
	argv[argc++] = "--status-fd";
	argv[argc++] = "1";
	argv[argc++] = "--keyring";
	argv[argc++] = kr;
	if (detached)
		argv[argc++] = sig;
	argv[argc++] = data;
	argv[argc] = NULL;
	if ((rc = spawn_capture(argv, envp, GPGV_DEADLINE_MS, 1u << 20, NULL, &r)) != OMG_OK)
		goto done;
	for (char *line = r.out, *nl; line && *line; line = nl ? nl + 1 : NULL) {
		char fpr[64] = "", primary[64] = "";
		unsigned pk = 0, hash = 0;
		nl = strchr(line, '\n');
		if (nl)
			*nl = 0;
		if (!strncmp(line, "[GNUPG:] BADSIG ", 16)) {
			bad++;
		} else if (sscanf(line, "[GNUPG:] VALIDSIG %63s %*s %*s %*s %*s %*s %u %u %*s %63s", fpr, &pk, &hash, primary) >= 3) {
			if (hash == 1 || hash == 2 || hash == 3) {
				weak++;
			} else if (!good++) {
				snprintf(out->signer, sizeof out->signer, "%s", primary[0] ? primary : fpr);
			}
		}
	}
	snprintf(out->checker, sizeof out->checker, "gpgv");
	out->verdict = r.timed_out ? ARCHIVE_SIG_UNCHECKED : bad ? ARCHIVE_SIG_BAD : good ? ARCHIVE_SIG_GOOD
		       : weak ? ARCHIVE_SIG_WEAK : ARCHIVE_SIG_NOKEY;
	snprintf(out->detail, sizeof out->detail, "checked by gpgv: this build cannot check the key type (Ed25519)%s",
		 r.timed_out ? "; gpgv did not answer in 30 s" : "");
done:
	free(r.out);
	unlink(sig);
	unlink(data);
	unlink(kr);
	rmdir(dir);
	return rc;
}

static int verify_with(const char *root, const char *signed_by, int legacy, const unsigned char *buf, size_t len,
		       const unsigned char *detached, size_t dlen, int64_t now, struct pgp_result *res, int *nokeyring,
		       struct archive_sig_result *by_gpgv)
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
	/* signatures this build cannot check (Ed25519): gpgv, when installed, on the same bytes:
	 * apt would refuse a bad one even beside good RSA ones */
	if (rc == OMG_OK && res->unchecked && (res->verdict == PGP_UNSUPPORTED_ONLY || res->verdict == PGP_GOOD) && by_gpgv &&
	    access(GPGV, X_OK) == 0) {
		const unsigned char *keys;
		size_t klen;
		pgp_keyring_export(kr, &keys, &klen);
		if (gpgv_check(keys, klen, buf, len, detached, dlen, by_gpgv) != OMG_OK)
			by_gpgv->checker[0] = 0; /* gpgv could not run: the native verdict stands */
	}
done:
	pgp_keyring_free(kr);
	return rc;
}

int archive_sig_check(const char *root, const struct aptsource *e, const unsigned char *buf, size_t len,
		      const unsigned char *detached, size_t dlen, int64_t now, struct archive_sig_result *out)
{
	struct pgp_result res;
	struct archive_sig_result gv = { 0 };
	int rc, nokeyring = 0, legacy = 0;

	memset(out, 0, sizeof *out);
	snprintf(out->checker, sizeof out->checker, "omg");
	rc = verify_with(root, e->signed_by, 0, buf, len, detached, dlen, now, &res, &nokeyring, &gv);
	/* apt: without Signed-By, a missing key in trusted.gpg.d is looked for in the legacy
	 * trusted.gpg as well (with a warning) */
	if (rc == OMG_OK && res.verdict == PGP_NO_KEY && !(e->signed_by && e->signed_by[0])) {
		struct pgp_result again;
		int none = 0;
		if (verify_with(root, NULL, 1, buf, len, detached, dlen, now, &again, &none, NULL) == OMG_OK &&
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
	if (gv.checker[0] && res.verdict == PGP_UNSUPPORTED_ONLY) { /* gpgv's verdict, the text still ours */
		out->verdict = gv.verdict;
		memcpy(out->checker, gv.checker, sizeof out->checker);
		memcpy(out->signer, gv.signer, sizeof out->signer);
		memcpy(out->detail, gv.detail, sizeof out->detail);
	} else if (gv.checker[0] && gv.verdict == ARCHIVE_SIG_BAD) { /* good here, but gpgv saw a bad Ed25519 one */
		out->verdict = ARCHIVE_SIG_BAD;
		snprintf(out->checker, sizeof out->checker, "gpgv");
		snprintf(out->detail, sizeof out->detail, "a signature this build cannot check is BAD (gpgv)");
	} else if (gv.checker[0]) {
		snprintf(out->detail, sizeof out->detail, "%zu Ed25519 signature%s checked by gpgv", res.unchecked,
			 res.unchecked == 1 ? "" : "s");
	}
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
