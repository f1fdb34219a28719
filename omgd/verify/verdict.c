/* verdict.c — each signature's status against the keyring, then the file's verdict by apt's
 * rule (methods/gpgv.cc: GOOD iff a good signature and no bad one). */
#include "config.h"
#include "internal.h"
#include "omg_error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const sig_names[PGP_SIG__COUNT] = {
	"good", "bad", "no-key", "weak-hash", "not-checked", "expired-key", "revoked-key", "expired", "time-conflict",
	"invalid-key"
};
static const char *const verdict_names[PGP__VERDICT_COUNT] = {
	"GOOD", "BAD", "FRAMING", "NO_KEY", "WEAK", "UNSUPPORTED_ONLY", "EXPIRED_KEY", "REVOKED_KEY", "EXPIRED_SIG",
	"INVALID"
};

const char *pgp_sig_status_name(enum pgp_sig_status s)
{
	return (unsigned)s < PGP_SIG__COUNT ? sig_names[s] : "?";
}

const char *pgp_verdict_name(enum pgp_verdict v)
{
	return (unsigned)v < PGP__VERDICT_COUNT ? verdict_names[v] : "?";
}

int pgp_verdict_from_name(const char *name)
{
	for (int i = 0; i < PGP__VERDICT_COUNT; i++)
		if (strcmp(name, verdict_names[i]) == 0)
			return i;
	return -1;
}

int pgp_framing(struct pgp_result *res, const char *fmt, ...)
{
	va_list ap;

	res->verdict = PGP_FRAMING;
	va_start(ap, fmt);
	vsnprintf(res->detail, sizeof res->detail, fmt, ap);
	va_end(ap);
	return OMG_OK;
}

/* Hashes the message for signature class TYPE: 0x01 over a clearsigned text is the canonical
 * text (LF becomes CRLF; no final line end, as the text has none); 0x00 is the bytes. */
static int hash_text(mbedtls_md_context_t *md, const uint8_t *t, size_t n, int canonical)
{
	size_t i = 0;

	if (!canonical)
		return n && mbedtls_md_update(md, t, n) ? OMG_E_CORRUPT : OMG_OK;
	while (i < n) {
		const uint8_t *nl = memchr(t + i, '\n', n - i);
		size_t end = nl ? (size_t)(nl - t) : n;

		if (end > i && mbedtls_md_update(md, t + i, end - i))
			return OMG_E_CORRUPT;
		if (nl && mbedtls_md_update(md, (const uint8_t *)"\r\n", 2))
			return OMG_E_CORRUPT;
		i = end + 1;
	}
	return OMG_OK;
}

static int rsa_algo(int a)
{
	return a == PGP_PK_RSA || a == PGP_PK_RSA_S;
}

static int expired(const struct pgp_key *k, int64_t now)
{
	return k->expires && k->expires <= now;
}

/* S over the message, checked with the key K. */
static enum pgp_sig_status with_key(const struct pgp_keyring *kr, const struct pgp_key *k, const struct pgp_sig *s,
				    const uint8_t *text, size_t n, int detached, int64_t now)
{
	const struct pgp_key *prim = &kr->keys[k->primary];
	mbedtls_md_context_t md;

	if (!(rsa_algo(s->pkalgo) && rsa_algo(k->algo)) && s->pkalgo != k->algo)
		return PGP_SIG_INVALID_KEY;    /* gpg: wrong public key algorithm, not a bad signature */
	if (!rsa_algo(k->algo))
		return PGP_SIG_UNSUPPORTED;    /* EdDSA, ECDSA, DSA: mbedTLS 2.28 cannot check them */
	if (!(k->flags & PGP_KEY_CHECKABLE))
		return PGP_SIG_INVALID_KEY;    /* an RSA key shorter than 1024 or longer than 8192 bits */
	if (detached && s->type == 0x01)
		return PGP_SIG_UNSUPPORTED;    /* a text-mode detached signature: not used by archives */
	if (pgp_hash_start(&md, s->hashalgo))
		return PGP_SIG_UNSUPPORTED;
	if (hash_text(&md, text, n, s->type == 0x01)) {
		mbedtls_md_free(&md);
		return PGP_SIG_BAD;
	}
	if (!pgp_sig_finish(&md, s, k->n, k->nlen, k->e, k->elen))
		return PGP_SIG_BAD;
	/* it verifies: now whether it counts */
	if (pgp_hash_is_weak(s->hashalgo))
		return PGP_SIG_WEAK_HASH;
	if (s->unknown_critical)
		return PGP_SIG_INVALID_KEY;
	if ((k->flags | prim->flags) & PGP_KEY_REVOKED)
		return PGP_SIG_REVOKED_KEY;
	if (!(k->flags & PGP_KEY_VALID) || !(prim->flags & PGP_KEY_VALID) || !(k->flags & PGP_KEY_CAN_SIGN))
		return PGP_SIG_INVALID_KEY;
	if (expired(k, now) || expired(prim, now))
		return PGP_SIG_EXPIRED_KEY;
	if (s->sig_expires && s->created + (int64_t)s->sig_expires <= now)
		return PGP_SIG_EXPIRED;
	if (s->created > now || s->created < k->created)
		return PGP_SIG_TIME;
	if (!pgp_keyring_allowed(kr, k))
		return PGP_SIG_NO_KEY;         /* not a Signed-By fingerprint: apt ignores it */
	return PGP_SIG_GOOD;
}

/* When keys share an issuer id, the best outcome among them (a verifying one over a failing one). */
static int rank(enum pgp_sig_status s)
{
	switch (s) {
	case PGP_SIG_GOOD: return 0;
	case PGP_SIG_UNSUPPORTED: return 2;
	case PGP_SIG_BAD: return 3;
	case PGP_SIG_NO_KEY: return 4;
	default: return 1;
	}
}

static enum pgp_sig_status judge_one(const struct pgp_keyring *kr, const struct pgp_sig *s, const uint8_t *text, size_t n,
				     int detached, int64_t now, struct pgp_sig_info *info)
{
	enum pgp_sig_status best = PGP_SIG_NO_KEY;
	const struct pgp_key *k;
	size_t i = 0;

	if (s->type != 0x00 && s->type != 0x01)
		return PGP_SIG_BAD;                /* not a signature of a document */
	while ((k = pgp_keyring_find(kr, s, &i))) {
		enum pgp_sig_status st = with_key(kr, k, s, text, n, detached, now);

		if (rank(st) < rank(best)) {
			best = st;
			memcpy(info->fpr, k->fpr, PGP_FPR_LEN);
			memcpy(info->primary_fpr, kr->keys[k->primary].fpr, PGP_FPR_LEN);
			info->has_fpr = info->has_primary = 1;
		}
		if (best == PGP_SIG_GOOD)
			break;
	}
	return best;
}

static void verdict(struct pgp_result *res)
{
	static const struct {
		enum pgp_sig_status s;
		enum pgp_verdict v;
		const char *why;
	} order[] = {
		{ PGP_SIG_REVOKED_KEY, PGP_REVOKED_KEY, "signed by a revoked key" },
		{ PGP_SIG_EXPIRED_KEY, PGP_EXPIRED_KEY, "signed by an expired key" },
		{ PGP_SIG_EXPIRED, PGP_EXPIRED_SIG, "the signature has expired" },
		{ PGP_SIG_WEAK_HASH, PGP_WEAK, "signed with a weak hash (MD5, SHA-1, RIPEMD-160)" },
		{ PGP_SIG_INVALID_KEY, PGP_INVALID, "the signing key may not sign" },
		{ PGP_SIG_TIME, PGP_INVALID, "signature made in the future or before its key" },
		{ PGP_SIG_UNSUPPORTED, PGP_UNSUPPORTED_ONLY, "no signature checkable here (EdDSA, ECDSA, DSA, v3)" },
	};
	size_t bad = 0;

	/* apt drops every good signature by a key that also made a weak-digest one (gpgv.cc
	 * erases GOODSIGs of the same key when a VALIDSIG has an untrusted digest) */
	for (size_t w = 0; w < res->nsigs; w++)
		for (size_t i = 0; i < res->nsigs && res->sigs[w].status == PGP_SIG_WEAK_HASH; i++)
			if (res->sigs[i].status == PGP_SIG_GOOD && memcmp(res->sigs[i].fpr, res->sigs[w].fpr, PGP_FPR_LEN) == 0)
				res->sigs[i].status = PGP_SIG_WEAK_HASH;
	for (size_t i = 0; i < res->nsigs; i++) {
		bad += res->sigs[i].status == PGP_SIG_BAD;
		res->ngood += res->sigs[i].status == PGP_SIG_GOOD;
		res->unchecked += res->sigs[i].status == PGP_SIG_UNSUPPORTED;
	}
	if (bad) {
		res->verdict = PGP_BAD;
		snprintf(res->detail, sizeof res->detail, "%zu bad signature%s", bad, bad > 1 ? "s" : "");
		return;
	}
	if (res->ngood) {
		res->verdict = PGP_GOOD;
		snprintf(res->detail, sizeof res->detail, "%zu good signature%s, %zu not checked", res->ngood,
			 res->ngood > 1 ? "s" : "", res->unchecked);
		return;
	}
	for (size_t o = 0; o < sizeof order / sizeof order[0]; o++)
		for (size_t i = 0; i < res->nsigs; i++)
			if (res->sigs[i].status == order[o].s) {
				res->verdict = order[o].v;
				snprintf(res->detail, sizeof res->detail, "%s", order[o].why);
				return;
			}
	res->verdict = PGP_NO_KEY;
	snprintf(res->detail, sizeof res->detail, "no signature by a key in the keyring");
}

int pgp_judge(const struct pgp_bytes *sigs, const uint8_t *text, size_t textlen, int detached,
	      const struct pgp_keyring *kr, int64_t now, struct pgp_result *res)
{
	size_t off = 0;

	if (!text)
		text = (const uint8_t *)"";
	while (off < sigs->len) {
		struct pgp_packet p;
		struct pgp_sig s;
		struct pgp_sig_info *info;
		int rc;

		if (pgp_packet_next(sigs->p, sigs->len, &off, &p))
			return pgp_framing(res, "malformed packet in the signature: %s", omg_errdetail());
		if (p.tag != PGP_TAG_SIG)
			return pgp_framing(res, "a packet of type %d in the signature", p.tag);
		if (res->nsigs == PGP_MAX_SIGS)
			return pgp_framing(res, "more than %d signatures", PGP_MAX_SIGS);
		info = &res->sigs[res->nsigs++];
		memset(info, 0, sizeof *info);
		rc = pgp_sig_parse(p.body, p.len, &s);
		info->type = s.type;
		info->pkalgo = s.pkalgo;
		info->hashalgo = s.hashalgo;
		if (rc == OMG_E_VERSION) {
			info->status = PGP_SIG_UNSUPPORTED;
			continue;
		}
		if (rc)
			return pgp_framing(res, "malformed signature packet: %s", omg_errdetail());
		info->created = s.created;
		if (s.has_issuer_fpr) {
			memcpy(info->fpr, s.issuer_fpr, PGP_FPR_LEN);
			memcpy(info->keyid, s.issuer_fpr + PGP_FPR_LEN - 8, 8);
			info->has_fpr = 1;
		} else if (s.has_issuer) {
			memcpy(info->keyid, s.issuer, 8);
		}
		info->status = judge_one(kr, &s, text, textlen, detached, now, info);
	}
	if (!res->nsigs)
		return pgp_framing(res, "no signature");
	verdict(res);
	return OMG_OK;
}
