/* clearsign.c — apt's framing of InRelease (clearsigned) and Release.gpg (detached) files
 * (apt-pkg/contrib/gpgv.cc's rules, read to learn, not copied), then the verdict. */
#include "config.h"
#include "internal.h"
#include "omg_error.h"

#include <stdlib.h>
#include <string.h>

#define BEGIN_MSG "-----BEGIN PGP SIGNED MESSAGE-----"
#define BEGIN_SIG "-----BEGIN PGP SIGNATURE-----"
#define SIG_LABEL "PGP SIGNATURE"

/* "Hash: SHA256, SHA512": known names only (apt ignores these headers; gpg knows them). */
static int hash_header_ok(const struct pgp_line *l)
{
	static const char *const names[] = { "MD5", "SHA1", "RIPEMD160", "SHA256", "SHA384", "SHA512", "SHA224" };
	size_t i = 6, n = l->len;

	if (n < 7 || memcmp(l->p, "Hash: ", 6) != 0)
		return 0;
	while (i < n) {
		size_t j = i, k;
		int known = 0;

		while (j < n && l->p[j] != ',')
			j++;
		for (k = 0; k < sizeof names / sizeof names[0]; k++)
			known |= j - i == strlen(names[k]) && memcmp(l->p + i, names[k], j - i) == 0;
		if (!known)
			return 0;
		i = j + 1;
		while (i < n && l->p[i] == ' ')
			i++;
		if (j < n && i >= n)
			return 0;
	}
	return 1;
}

/* A message line gpg would canonicalise differently from apt's split, or that holds a NUL:
 * refused rather than guessed (apt would pass it on). */
static int odd_line(const char *p, size_t n)
{
	if (memchr(p, '\r', n) || memchr(p, '\0', n))
		return 1;
	return n && (p[n - 1] == '\v' || p[n - 1] == '\f');
}

static int text_add(struct pgp_bytes *t, int first, const char *p, size_t n)
{
	if (!first && pgp_bytes_add(t, "\n", 1))
		return OMG_E_NOMEM;
	return pgp_bytes_add(t, p, n) ? OMG_E_NOMEM : OMG_OK;
}

int pgp_verify_clearsigned(const unsigned char *ubuf, size_t len, const struct pgp_keyring *kr, int64_t now,
			   struct pgp_result *res)
{
	const char *buf = (const char *)ubuf;
	struct pgp_bytes text = { 0 }, sigs = { 0 };
	struct pgp_line l;
	size_t pos = 0, lineno = 1;
	int rc, first = 1;

	memset(res, 0, sizeof *res);
	if (!buf || !kr)
		return OMG_ERROR(OMG_E_INVAL, "nothing to verify");
	if (!pgp_line_next(buf, len, &pos, &l) || !pgp_line_is(&l, BEGIN_MSG))
		return pgp_framing(res, "does not start with '" BEGIN_MSG "'");
	for (;;) {                                       /* armor headers */
		lineno++;
		if (!pgp_line_next(buf, len, &pos, &l))
			return pgp_framing(res, "ends in the armor headers");
		if (l.len == 0)
			break;
		if (!hash_header_ok(&l))
			return pgp_framing(res, "line %zu: unexpected armor header '%.*s'", lineno,
					   (int)(l.len < 40 ? l.len : 40), l.p);
	}
	res->text_off = pos;
	for (;;) {                                       /* the signed message */
		lineno++;
		if (!pgp_line_next(buf, len, &pos, &l)) {
			rc = pgp_framing(res, "no signature after the message");
			goto fail;
		}
		if (l.len && l.p[0] == '-') {
			if (pgp_line_is(&l, BEGIN_SIG))
				break;
			if (l.len < 2 || l.p[1] != ' ') {
				rc = pgp_framing(res, "line %zu: unexpected line starting with a dash", lineno);
				goto fail;
			}
			l.p += 2;
			l.len -= 2;
		}
		if (odd_line(l.p, l.len)) {
			rc = pgp_framing(res, "line %zu: a CR, NUL or form feed in the message", lineno);
			goto fail;
		}
		if ((rc = text_add(&text, first, l.p, l.len)))
			goto fail;
		first = 0;
	}
	res->text_len_raw = l.start - res->text_off;
	for (;;) {                                       /* one or more signature blocks */
		char why[160];

		rc = pgp_armor_block(buf, len, &pos, SIG_LABEL, 1, &sigs, why, sizeof why);
		if (rc == OMG_E_CORRUPT) {
			rc = pgp_framing(res, "%s", why);
			goto fail;
		}
		if (rc)
			goto fail;
		if (!pgp_line_next(buf, len, &pos, &l))
			break;
		if (!pgp_line_is(&l, BEGIN_SIG)) {
			rc = pgp_framing(res, "unsigned lines after the signature");
			goto fail;
		}
	}
	rc = pgp_judge(&sigs, text.p, text.len, 0, kr, now, res);
	if (rc == OMG_OK) {
		/* the message as apt hands it on, NUL-terminated for convenience */
		if ((rc = pgp_bytes_add(&text, "", 1)))
			goto fail;
		res->text = (char *)text.p;
		res->text_len = text.len - 1;
		text.p = NULL;
	}
fail:
	pgp_bytes_free(&text);
	pgp_bytes_free(&sigs);
	return rc;
}

int pgp_verify_detached(const unsigned char *data, size_t len, const unsigned char *usig, size_t siglen,
			const struct pgp_keyring *kr, int64_t now, struct pgp_result *res)
{
	const char *sig = (const char *)usig;
	struct pgp_bytes sigs = { 0 };
	struct pgp_line l;
	size_t pos = 0;
	int rc;

	memset(res, 0, sizeof *res);
	if (!sig || !kr || (!data && len))
		return OMG_ERROR(OMG_E_INVAL, "nothing to verify");
	res->text_off = 0;
	res->text_len_raw = len;
	if (siglen && (usig[0] & 0x80))
		return pgp_framing(res, "binary detached signature (apt takes armored ones only)");
	while (pgp_line_next(sig, siglen, &pos, &l)) {
		char why[160];

		if (!pgp_line_is(&l, BEGIN_SIG)) {
			rc = pgp_framing(res, "lines not belonging to a signature");
			goto fail;
		}
		rc = pgp_armor_block(sig, siglen, &pos, SIG_LABEL, 1, &sigs, why, sizeof why);
		if (rc == OMG_E_CORRUPT) {
			rc = pgp_framing(res, "%s", why);
			goto fail;
		}
		if (rc)
			goto fail;
	}
	rc = pgp_judge(&sigs, data, len, 1, kr, now, res);
fail:
	pgp_bytes_free(&sigs);
	return rc;
}

void pgp_result_free(struct pgp_result *res)
{
	if (!res)
		return;
	free(res->text);
	res->text = NULL;
	res->text_len = 0;
}
