/* keyring.c — public keys from binary or armored keyrings, checked with their own
 * self-signatures (RFC 4880 §11.1: primary, user ids, subkeys), and apt's choice of keyrings. */
#include "config.h"
#include "internal.h"
#include "grow.h"
#include "omg_error.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int pgp_keyring_new(struct pgp_keyring **kr)
{
	*kr = calloc(1, sizeof **kr);
	return *kr ? OMG_OK : OMG_ERROR(OMG_E_NOMEM, "keyring");
}

void pgp_keyring_free(struct pgp_keyring *kr)
{
	if (!kr)
		return;
	for (size_t i = 0; i < kr->nkeys; i++) {
		free(kr->keys[i].n);
		free(kr->keys[i].e);
	}
	free(kr->keys);
	free(kr->allow);
	free(kr->allow_exact);
	free(kr->raw);
	free(kr);
}

void pgp_keyring_export(const struct pgp_keyring *kr, const unsigned char **data, size_t *len)
{
	*data = kr->raw;
	*len = kr->rawlen;
}

void pgp_keyring_count(const struct pgp_keyring *kr, size_t *primaries, size_t *subkeys)
{
	*primaries = *subkeys = 0;
	for (size_t i = 0; i < kr->nkeys; i++) {
		if (kr->keys[i].primary == i)
			(*primaries)++;
		else
			(*subkeys)++;
	}
}

static int signing_algo(int algo)
{
	return algo == PGP_PK_RSA || algo == PGP_PK_RSA_S || algo == PGP_PK_DSA || algo == PGP_PK_ECDSA ||
	       algo == PGP_PK_EDDSA;
}

static int add_key(struct pgp_keyring *kr, const struct pgp_pubkey *pk, size_t primary, size_t *idx)
{
	struct pgp_key *k;

	if (omg_grow(&kr->keys, &kr->cap, kr->nkeys + 1, sizeof *kr->keys, PGP_MAX_KEYS) != OMG_OK)
		return kr->nkeys == PGP_MAX_KEYS ? OMG_ERROR(OMG_E_TOOBIG, "keyring over %d keys", PGP_MAX_KEYS)
						 : OMG_ERROR(OMG_E_NOMEM, "keyring");
	k = &kr->keys[kr->nkeys];
	memset(k, 0, sizeof *k);
	memcpy(k->fpr, pk->fpr, PGP_FPR_LEN);
	memcpy(k->keyid, pk->keyid, 8);
	k->algo = pk->algo;
	k->created = pk->created;
	k->primary = primary == SIZE_MAX ? kr->nkeys : primary;
	/* mbedTLS takes moduli up to MBEDTLS_MPI_MAX_SIZE (8192 bits); under 1024 bits is refused */
	if ((pk->algo == PGP_PK_RSA || pk->algo == PGP_PK_RSA_S) && pk->nlen >= 128 && pk->nlen <= 1024 &&
	    pk->elen >= 1 && pk->elen <= 8) {
		k->n = malloc(pk->nlen);
		k->e = malloc(pk->elen);
		if (!k->n || !k->e) {
			free(k->n);
			free(k->e);
			return OMG_ERROR(OMG_E_NOMEM, "keyring");
		}
		memcpy(k->n, pk->n, pk->nlen);
		memcpy(k->e, pk->e, pk->elen);
		k->nlen = pk->nlen;
		k->elen = pk->elen;
		k->flags |= PGP_KEY_CHECKABLE;
	}
	*idx = kr->nkeys++;
	return OMG_OK;
}

/* Verifies S made by KEY over the primary key body P, then (when not NULL) the subkey body
 * SUB or the user id UID, if *BUDGET (checks left for this key block; NULL: no limit, for
 * revocations) allows. 1: verifies. */
static int self_check(int *budget, const struct pgp_key *key, const struct pgp_sig *s, const struct pgp_packet *p,
		      const struct pgp_packet *sub, const struct pgp_packet *uid)
{
	mbedtls_md_context_t md;

	if (!(key->flags & PGP_KEY_CHECKABLE) || s->hashalgo == PGP_H_MD5 || s->pkalgo != key->algo)
		return 0;
	if (budget && (*budget)-- <= 0)
		return 0;
	if (pgp_hash_start(&md, s->hashalgo))
		return 0;
	if (pgp_hash_key(&md, p->body, p->len) || (sub && pgp_hash_key(&md, sub->body, sub->len)) ||
	    (uid && pgp_hash_uid(&md, uid->body, uid->len))) {
		mbedtls_md_free(&md);
		return 0;
	}
	return pgp_sig_finish(&md, s, key->n, key->nlen, key->e, key->elen);
}

static int by_key(const struct pgp_sig *s, const struct pgp_key *k)
{
	if (s->has_issuer_fpr)
		return memcmp(s->issuer_fpr, k->fpr, PGP_FPR_LEN) == 0;
	return !s->has_issuer || memcmp(s->issuer, k->keyid, 8) == 0;
}

/* A subkey binding: its flags and expiry, and for a signing subkey the back-signature. */
static void bind_subkey(int *budget, struct pgp_key *sk, const struct pgp_sig *s, const struct pgp_packet *prim,
			const struct pgp_packet *sub)
{
	int can_sign = s->has_key_flags ? (s->key_flags & 0x02) != 0 : signing_algo(sk->algo);
	struct pgp_sig back;

	sk->flags |= PGP_KEY_VALID;
	sk->flags &= ~(unsigned)PGP_KEY_CAN_SIGN;
	sk->expires = s->has_key_expires && s->key_expires ? sk->created + s->key_expires : 0;
	/* a signing subkey must certify its primary back (0x19), or anyone could claim it */
	if (can_sign && s->embedded && pgp_sig_parse(s->embedded, s->embedded_len, &back) == OMG_OK &&
	    back.type == 0x19 && by_key(&back, sk) && self_check(budget, sk, &back, prim, sub, NULL))
		sk->flags |= PGP_KEY_CAN_SIGN;
}

/* One transferable public key: the packets in BUF from the primary key packet on. */
static int add_block(struct pgp_keyring *kr, const uint8_t *buf, size_t len, size_t *skipped)
{
	struct pgp_packet p, prim, uid = { 0 }, sub = { 0 };
	struct pgp_pubkey pk;
	size_t off = 0, pi, si = SIZE_MAX;
	int64_t best_uid = -1, best_bind = -1, best_direct = -1, direct_expires = 0;
	enum { DIRECT, UID, UATTR, SUB, SKIP } mode = DIRECT;
	int rc, budget = PGP_MAX_SELF_CHECKS;

	if (pgp_packet_next(buf, len, &off, &prim) || pgp_pubkey_parse(prim.body, prim.len, &pk)) {
		(*skipped)++;
		return OMG_OK;
	}
	if ((rc = add_key(kr, &pk, SIZE_MAX, &pi)))
		return rc;
	while (off < len) {
		struct pgp_sig s;
		struct pgp_key *k = &kr->keys[pi];

		if (pgp_packet_next(buf, len, &off, &p))
			break;
		if (p.tag == PGP_TAG_UID) {
			uid = p;
			mode = UID;
		} else if (p.tag == PGP_TAG_UATTR) {
			mode = UATTR;
		} else if (p.tag == PGP_TAG_PUBSUBKEY) {
			mode = SKIP;
			if (pgp_pubkey_parse(p.body, p.len, &pk) == OMG_OK) {
				if ((rc = add_key(kr, &pk, pi, &si)))
					return rc;
				sub = p;
				best_bind = -1;
				mode = SUB;
			}
		} else if (p.tag == PGP_TAG_SIG && mode != SKIP && mode != UATTR &&
			   pgp_sig_parse(p.body, p.len, &s) == OMG_OK && !s.unknown_critical && by_key(&s, k)) {
			if (s.type == 0x20) {
				/* revocations are never left unchecked: one that verifies is enough */
				if (!(k->flags & PGP_KEY_REVOKED) && self_check(NULL, k, &s, &prim, NULL, NULL))
					k->flags |= PGP_KEY_REVOKED;
			} else if (s.type == 0x1f && s.has_key_expires) {
				/* a direct-key signature may set the expiry too (only those are checked:
				 * Debian's keys carry dozens naming designated revokers) */
				if (s.created >= best_direct && self_check(&budget, k, &s, &prim, NULL, NULL)) {
					best_direct = s.created;
					direct_expires = s.key_expires ? k->created + s.key_expires : 0;
				}
			} else if (mode == UID && s.type >= 0x10 && s.type <= 0x13) {
				if (s.created >= best_uid && self_check(&budget, k, &s, &prim, NULL, &uid)) {
					/* the newest self-signature says the key's expiry and use */
					best_uid = s.created;
					k->flags |= PGP_KEY_VALID;
					k->expires = s.has_key_expires && s.key_expires ? k->created + s.key_expires : 0;
					if (s.has_key_flags ? (s.key_flags & 0x02) != 0 : signing_algo(k->algo))
						k->flags |= PGP_KEY_CAN_SIGN;
					else
						k->flags &= ~(unsigned)PGP_KEY_CAN_SIGN;
				}
			} else if (mode == SUB && s.type == 0x18) {
				if (s.created >= best_bind && self_check(&budget, k, &s, &prim, &sub, NULL)) {
					best_bind = s.created;
					bind_subkey(&budget, &kr->keys[si], &s, &prim, &sub);
				}
			} else if (mode == SUB && s.type == 0x28) {
				if (!(kr->keys[si].flags & PGP_KEY_REVOKED) && self_check(NULL, k, &s, &prim, &sub, NULL))
					kr->keys[si].flags |= PGP_KEY_REVOKED;
			}
		}
	}
	/* out of budget: what was not checked might have mattered, so the key may not sign */
	if (budget < 0)
		for (size_t i = pi; i < kr->nkeys; i++)
			kr->keys[i].flags &= ~(unsigned)PGP_KEY_VALID;
	/* both a direct-key and a user id expiry: the earlier one (gpg would take one of them) */
	if (direct_expires && (!kr->keys[pi].expires || direct_expires < kr->keys[pi].expires))
		kr->keys[pi].expires = direct_expires;
	return OMG_OK;
}

/* Every transferable key in the packets BUF (a binary keyring). */
static int add_packets(struct pgp_keyring *kr, const uint8_t *buf, size_t len, size_t *skipped)
{
	size_t off = 0, start = SIZE_MAX;
	struct pgp_packet p;
	int rc;

	/* kept as given, for a keyring file gpgv can read (archive_sig.c's fallback); nothing to
	 * keep of an empty buffer (and no arithmetic on a NULL one) */
	if (len && omg_grow(&kr->raw, &kr->rawcap, kr->rawlen + len, 1, OMG_GROW_UNBOUNDED) != OMG_OK)
		return OMG_ERROR(OMG_E_NOMEM, "keyring");
	if (len) {
		memcpy(kr->raw + kr->rawlen, buf, len);
		kr->rawlen += len;
	}

	while (off < len) {
		size_t here = off;

		if (pgp_packet_next(buf, len, &off, &p)) {
			(*skipped)++;       /* the rest cannot be framed */
			len = here;
			break;
		}
		if (p.tag == PGP_TAG_PUBKEY) {
			if (start != SIZE_MAX && (rc = add_block(kr, buf + start, here - start, skipped)))
				return rc;
			start = here;
		}
	}
	if (start != SIZE_MAX)
		return add_block(kr, buf + start, len - start, skipped);
	return OMG_OK;
}

static int add_armored(struct pgp_keyring *kr, const unsigned char *buf, size_t len, size_t *skipped)
{
	struct pgp_line l;
	size_t pos = 0;
	char why[160];
	int rc = OMG_OK;

	while (pgp_line_next((const char *)buf, len, &pos, &l)) {
		struct pgp_bytes b = { 0 };

		if (!pgp_line_is(&l, "-----BEGIN PGP PUBLIC KEY BLOCK-----"))
			continue;
		rc = pgp_armor_block((const char *)buf, len, &pos, "PGP PUBLIC KEY BLOCK", 0, &b, why, sizeof why);
		if (rc == OMG_OK)
			rc = add_packets(kr, b.p, b.len, skipped);
		else if (rc == OMG_E_CORRUPT)
			(*skipped)++, rc = OMG_OK;
		pgp_bytes_free(&b);
		if (rc)
			break;
	}
	return rc;
}

static int is_armored(const unsigned char *buf, size_t len)
{
	static const char begin[] = "-----BEGIN PGP PUBLIC KEY BLOCK-----";
	struct pgp_line l;
	size_t pos = 0;

	while (pgp_line_next((const char *)buf, len, &pos, &l))
		if (l.len >= sizeof begin - 1 && memcmp(l.p, begin, sizeof begin - 1) == 0)
			return 1;
	return 0;
}

int pgp_keyring_add_mem(struct pgp_keyring *kr, const unsigned char *buf, size_t len, size_t *skipped)
{
	size_t before = kr->nkeys, dummy = 0;
	int rc;

	if (!skipped)
		skipped = &dummy;
	if (len && (buf[0] & 0x80))
		rc = add_packets(kr, buf, len, skipped);
	else if (is_armored(buf, len))
		rc = add_armored(kr, buf, len, skipped);
	else
		return OMG_ERROR(OMG_E_CORRUPT, "neither a binary nor an armored keyring");
	if (rc == OMG_OK && kr->nkeys == before)
		return OMG_ERROR(OMG_E_CORRUPT, "no key in the keyring");
	return rc;
}

static int read_file(const char *path, unsigned char **out, size_t *len)
{
	struct stat st;
	unsigned char *b = NULL;
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK), rc;

	if (fd < 0)
		return OMG_ERROR(errno == ENOENT ? OMG_E_NOTFOUND : OMG_E_SYS, "open %s: %s", path, strerror(errno));
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		rc = OMG_ERROR(OMG_E_PERM, "%s: not a regular file", path);
		goto fail;
	}
	if ((uint64_t)st.st_size > PGP_FILE_MAX) {
		rc = OMG_ERROR(OMG_E_TOOBIG, "%s: over %u bytes", path, PGP_FILE_MAX);
		goto fail;
	}
	b = malloc((size_t)st.st_size + 1);
	if (!b) {
		rc = OMG_ERROR(OMG_E_NOMEM, "%s", path);
		goto fail;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, b + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	*out = b;
	*len = got;
	b = NULL;
	rc = OMG_OK;
fail:
	free(b);
	close(fd);
	return rc;
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && strcmp(s + n - k, suffix) == 0;
}

int pgp_keyring_add_file(struct pgp_keyring *kr, const char *path, size_t *skipped)
{
	unsigned char *b = NULL;
	size_t len = 0;
	int rc = read_file(path, &b, &len);

	if (rc)
		return rc;
	/* apt's rule: a .asc is armored; anything else must start with a public key packet */
	if (ends_with(path, ".asc"))
		rc = is_armored(b, len) ? pgp_keyring_add_mem(kr, b, len, skipped)
					: OMG_ERROR(OMG_E_CORRUPT, "%s: no armored public key", path);
	else if (len && (b[0] == 0x98 || b[0] == 0x99 || b[0] == 0xc6))
		rc = pgp_keyring_add_mem(kr, b, len, skipped);
	else
		rc = OMG_ERROR(OMG_E_CORRUPT, "%s: not a binary keyring", path);
	free(b);
	return rc;
}

/* apt's maybeAddKeyring: a missing, empty or unsupported file is skipped. */
static int add_apt_file(struct pgp_keyring *kr, const char *root, const char *path)
{
	char full[4096];
	struct stat st;
	int rc;

	if (snprintf(full, sizeof full, "%s%s", strcmp(root, "/") ? root : "", path) >= (int)sizeof full)
		return OMG_ERROR(OMG_E_INVAL, "path too long");
	if (stat(full, &st) || st.st_size == 0)
		return OMG_OK;
	rc = pgp_keyring_add_file(kr, full, NULL);
	return rc == OMG_E_NOMEM ? rc : OMG_OK;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int add_parts(struct pgp_keyring *kr, const char *root)
{
	char dir[4096];
	DIR *d;
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, cap = 0;
	int rc = OMG_OK;

	snprintf(dir, sizeof dir, "%s/etc/apt/trusted.gpg.d", strcmp(root, "/") ? root : "");
	d = opendir(dir);
	if (!d)
		return OMG_OK;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' || !(ends_with(e->d_name, ".gpg") || ends_with(e->d_name, ".asc")))
			continue;
		if (omg_grow(&names, &cap, n + 1, sizeof *names, OMG_GROW_UNBOUNDED) != OMG_OK) {
			rc = OMG_ERROR(OMG_E_NOMEM, "names");
			goto fail;
		}
		if (!(names[n] = malloc(strlen("/etc/apt/trusted.gpg.d/") + strlen(e->d_name) + 1))) {
			rc = OMG_ERROR(OMG_E_NOMEM, "names");
			goto fail;
		}
		sprintf(names[n++], "/etc/apt/trusted.gpg.d/%s", e->d_name);
	}
	if (n)
		qsort(names, n, sizeof *names, cmp_names);
	for (size_t i = 0; i < n && rc == OMG_OK; i++)
		rc = add_apt_file(kr, root, names[i]);
fail:
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	closedir(d);
	return rc;
}

static int allow_fpr(struct pgp_keyring *kr, const char *s, size_t len)
{
	uint8_t (*a)[PGP_FPR_LEN];
	unsigned char *x;
	int exact = len && s[len - 1] == '!';

	len -= (size_t)exact;
	if (len != 2 * PGP_FPR_LEN)
		return OMG_ERROR(OMG_E_INVAL, "Signed-By: '%.*s' is neither a path nor a fingerprint", (int)len, s);
	a = realloc(kr->allow, (kr->nallow + 1) * sizeof *a);
	if (!a)
		return OMG_ERROR(OMG_E_NOMEM, "Signed-By");
	kr->allow = a;
	x = realloc(kr->allow_exact, kr->nallow + 1);
	if (!x)
		return OMG_ERROR(OMG_E_NOMEM, "Signed-By");
	kr->allow_exact = x;
	for (size_t i = 0; i < PGP_FPR_LEN; i++) {
		unsigned v;

		if (sscanf(s + 2 * i, "%2x", &v) != 1 || !strchr("0123456789abcdefABCDEF", s[2 * i]) ||
		    !strchr("0123456789abcdefABCDEF", s[2 * i + 1]))
			return OMG_ERROR(OMG_E_INVAL, "Signed-By: '%.*s' is not a fingerprint", (int)len, s);
		kr->allow[kr->nallow][i] = (uint8_t)v;
	}
	kr->allow_exact[kr->nallow++] = (unsigned char)exact;
	return OMG_OK;
}

int pgp_keyring_load_apt(struct pgp_keyring *kr, const char *root, const char *signed_by, int legacy)
{
	const char *p = signed_by;
	int paths = 0, rc;

	if (!root)
		root = "/";
	if (legacy)
		return add_apt_file(kr, root, "/etc/apt/trusted.gpg");
	if (p && strstr(p, "-----BEGIN PGP PUBLIC KEY BLOCK-----"))
		return pgp_keyring_add_mem(kr, (const unsigned char *)p, strlen(p), NULL);
	while (p && *p) {
		const char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strlen(p);

		while (n && (*p == ' ' || *p == '\t'))
			p++, n--;
		while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		if (n && p[0] == '/') {
			char path[4096];

			if (n >= sizeof path)
				return OMG_ERROR(OMG_E_INVAL, "Signed-By path too long");
			memcpy(path, p, n);
			path[n] = 0;
			if ((rc = add_apt_file(kr, root, path)))
				return rc;
			paths = 1;
		} else if (n && (rc = allow_fpr(kr, p, n))) {
			return rc;
		}
		p = end ? end + 1 : NULL;
	}
	/* no keyring file named: apt's TrustedParts */
	return paths ? OMG_OK : add_parts(kr, root);
}

const struct pgp_key *pgp_keyring_find(const struct pgp_keyring *kr, const struct pgp_sig *s, size_t *i)
{
	if (!s->has_issuer_fpr && !s->has_issuer)
		return NULL;
	for (; *i < kr->nkeys; (*i)++) {
		const struct pgp_key *k = &kr->keys[*i];

		if (s->has_issuer_fpr ? memcmp(s->issuer_fpr, k->fpr, PGP_FPR_LEN) == 0 : memcmp(s->issuer, k->keyid, 8) == 0) {
			(*i)++;
			return k;
		}
	}
	return NULL;
}

int pgp_keyring_allowed(const struct pgp_keyring *kr, const struct pgp_key *k)
{
	const struct pgp_key *prim = &kr->keys[k->primary];

	if (!kr->nallow)
		return 1;
	for (size_t i = 0; i < kr->nallow; i++) {
		if (memcmp(kr->allow[i], k->fpr, PGP_FPR_LEN) == 0)
			return 1;
		if (!kr->allow_exact[i] && memcmp(kr->allow[i], prim->fpr, PGP_FPR_LEN) == 0)
			return 1;
	}
	return 0;
}
