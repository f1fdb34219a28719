/* test_pgp.c — the OpenPGP corpus (tests/cases/pgp, made by make-cases.sh with gpg, apt's
 * answer recorded next to each case): every case gets its expected verdict with the binary
 * and with the armored keyring, omg is never GOOD where apt refuses, and the signed text
 * handed on is exactly the Release that apt-ftparchive wrote. */
#include "config.h"
#include "omg_error.h"
#include "verify/pgp.h"

#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#define CASES OMG_SRCDIR "/tests/cases/pgp"

static unsigned char *slurp(const char *dir, const char *name, const char *ext, size_t *len)
{
	char path[1024];
	FILE *f;
	unsigned char *b;
	long n;

	snprintf(path, sizeof path, "%s/%s%s", dir, name, ext);
	f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	b = malloc((size_t)n + 1);
	assert_non_null(b);
	assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
	b[n] = 0;
	fclose(f);
	*len = (size_t)n;
	return b;
}

static struct pgp_keyring *keyring(const char *file)
{
	struct pgp_keyring *kr;
	size_t skipped = 0, prim, sub;

	assert_int_equal(pgp_keyring_new(&kr), OMG_OK);
	assert_int_equal(pgp_keyring_add_file(kr, file, &skipped), OMG_OK);
	assert_int_equal(skipped, 0);
	/* make-cases.sh: test, expired, revoked, expsub, old, ed; subkeys: test's, expsub's */
	pgp_keyring_count(kr, &prim, &sub);
	assert_int_equal(prim, 6);
	assert_int_equal(sub, 2);
	return kr;
}

static int verify_case(const char *name, const struct pgp_keyring *kr, struct pgp_result *res)
{
	size_t len = 0, siglen = 0;
	unsigned char *buf = slurp(CASES, name, ".asc", &len), *sig;
	int rc;

	if (buf) {
		rc = pgp_verify_clearsigned(buf, len, kr, time(NULL), res);
		free(buf);
		return rc;
	}
	buf = slurp(CASES, name, ".data", &len);
	sig = slurp(CASES, name, ".sig", &siglen);
	assert_non_null(buf);
	assert_non_null(sig);
	rc = pgp_verify_detached(buf, len, sig, siglen, kr, time(NULL), res);
	free(buf);
	free(sig);
	return rc;
}

static void test_corpus(void **state)
{
	struct pgp_keyring *bin = keyring(CASES "/keyring.gpg"), *asc = keyring(CASES "/keyring.asc");
	DIR *d = opendir(CASES);
	struct dirent *e;
	int ncases = 0, nrefused = 0;
	(void)state;

	assert_non_null(d);
	while ((e = readdir(d))) {
		char name[256], line[512], want[64] = "", apt[16] = "";
		size_t n = strlen(e->d_name);
		struct pgp_result r1, r2;
		FILE *f;

		if (n < 8 || strcmp(e->d_name + n - 7, ".expect") != 0)
			continue;
		snprintf(name, sizeof name, "%.*s", (int)(n - 7), e->d_name);
		snprintf(line, sizeof line, "%s/%s", CASES, e->d_name);
		f = fopen(line, "r");
		assert_non_null(f);
		while (fgets(line, sizeof line, f)) {
			sscanf(line, "verdict: %63s", want);
			sscanf(line, "apt: %15s", apt);
		}
		fclose(f);
		assert_true(pgp_verdict_from_name(want) >= 0);
		assert_int_equal(verify_case(name, bin, &r1), OMG_OK);
		assert_int_equal(verify_case(name, asc, &r2), OMG_OK);
		if (strcmp(pgp_verdict_name(r1.verdict), want) != 0)
			fail_msg("%s: %s (%s), expected %s", name, pgp_verdict_name(r1.verdict), r1.detail, want);
		assert_int_equal(r1.verdict, r2.verdict);
		assert_int_equal(r1.nsigs, r2.nsigs);
		/* never more permissive than apt (its answer observed when the case was made) */
		if (strcmp(apt, "refuses") == 0) {
			assert_int_not_equal(r1.verdict, PGP_GOOD);
			nrefused++;
		} else {
			assert_string_equal(apt, "accepts");
		}
		pgp_result_free(&r1);
		pgp_result_free(&r2);
		ncases++;
	}
	closedir(d);
	assert_true(ncases >= 30);
	assert_true(nrefused >= 15);
	pgp_keyring_free(bin);
	pgp_keyring_free(asc);
}

/* The text a GOOD clearsigned case hands on is the Release apt-ftparchive wrote, without its
 * final line end: escapes removed, trailing blanks and CRs gone. The raw region is inside. */
static void test_signed_text(void **state)
{
	static const char *const cases[] = { "good", "good-crlf", "good-trailing-blanks", "two-blocks", "good-and-ed25519" };
	struct pgp_keyring *kr = keyring(CASES "/keyring.gpg");
	size_t rlen;
	unsigned char *release = slurp(CASES, "detached-good", ".data", &rlen);
	(void)state;

	assert_non_null(release);
	assert_true(rlen > 0 && release[rlen - 1] == '\n');
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct pgp_result r;
		size_t len;
		unsigned char *buf = slurp(CASES, cases[i], ".asc", &len);

		assert_non_null(buf);
		assert_int_equal(pgp_verify_clearsigned(buf, len, kr, time(NULL), &r), OMG_OK);
		assert_int_equal(r.verdict, PGP_GOOD);
		assert_int_equal(r.text_len, rlen - 1);
		assert_memory_equal(r.text, release, rlen - 1);
		assert_true(r.text_off > 0 && r.text_off + r.text_len_raw <= len);
		assert_true(r.text_len_raw >= r.text_len);
		assert_memory_equal(buf + r.text_off, "Architectures: ", 15);
		pgp_result_free(&r);
		free(buf);
	}
	free(release);
	pgp_keyring_free(kr);
}

/* Each signature is reported: the good one by test's signing subkey, its primary named. */
static void test_signature_details(void **state)
{
	struct pgp_keyring *kr = keyring(CASES "/keyring.gpg");
	struct pgp_result r;
	(void)state;

	assert_int_equal(verify_case("good-and-ed25519", kr, &r), OMG_OK);
	assert_int_equal(r.nsigs, 2);
	assert_int_equal(r.ngood, 1);
	assert_int_equal(r.unchecked, 1);
	assert_int_equal(r.sigs[0].status, PGP_SIG_GOOD);
	assert_int_equal(r.sigs[0].pkalgo, PGP_PK_RSA);
	assert_true(r.sigs[0].hashalgo >= PGP_H_SHA256 && r.sigs[0].hashalgo <= PGP_H_SHA224);
	assert_int_equal(r.sigs[0].type, 0x01);
	assert_true(r.sigs[0].has_fpr && r.sigs[0].has_primary);
	assert_memory_not_equal(r.sigs[0].fpr, r.sigs[0].primary_fpr, PGP_FPR_LEN);
	assert_true(r.sigs[0].created > 1700000000);
	assert_int_equal(r.sigs[1].status, PGP_SIG_UNSUPPORTED);
	assert_int_equal(r.sigs[1].pkalgo, PGP_PK_EDDSA);
	pgp_result_free(&r);

	/* the same file with a keyring lacking the keys: no key, not bad */
	pgp_keyring_free(kr);
	assert_int_equal(pgp_keyring_new(&kr), OMG_OK);
	assert_int_equal(verify_case("good", kr, &r), OMG_OK);
	assert_int_equal(r.verdict, PGP_NO_KEY);
	assert_int_equal(r.sigs[0].status, PGP_SIG_NO_KEY);
	pgp_result_free(&r);
	pgp_keyring_free(kr);
}

/* Signed-By fingerprints: only signatures by the listed key (or a subkey of a listed primary,
 * unless it ends in '!') may be good; others count as no key, as apt does. */
static void test_signed_by_fingerprint(void **state)
{
	struct pgp_keyring *kr = keyring(CASES "/keyring.gpg");
	struct pgp_result r;
	char spec[4096], fpr[41], prim[41];
	(void)state;

	assert_int_equal(verify_case("good", kr, &r), OMG_OK);
	assert_int_equal(r.verdict, PGP_GOOD);
	for (int i = 0; i < PGP_FPR_LEN; i++) {
		sprintf(fpr + 2 * i, "%02X", r.sigs[0].fpr[i]);
		sprintf(prim + 2 * i, "%02X", r.sigs[0].primary_fpr[i]);
	}
	pgp_result_free(&r);
	pgp_keyring_free(kr);

	const char *specs[][2] = { { prim, "GOOD" }, { fpr, "GOOD" }, { "!", "NO_KEY" } };
	for (size_t i = 0; i < 3; i++) {
		if (strcmp(specs[i][0], "!") == 0)
			snprintf(spec, sizeof spec, "%s/keyring.gpg,%s!", CASES, prim);   /* primary only: subkey refused */
		else
			snprintf(spec, sizeof spec, "%s/keyring.gpg, %s", CASES, specs[i][0]);
		assert_int_equal(pgp_keyring_new(&kr), OMG_OK);
		assert_int_equal(pgp_keyring_load_apt(kr, "/", spec, 0), OMG_OK);
		assert_int_equal(verify_case("good", kr, &r), OMG_OK);
		assert_string_equal(pgp_verdict_name(r.verdict), specs[i][1]);
		pgp_result_free(&r);
		pgp_keyring_free(kr);
	}
	assert_int_equal(pgp_keyring_new(&kr), OMG_OK);
	assert_int_equal(pgp_keyring_load_apt(kr, "/", "not-a-fingerprint", 0), OMG_E_INVAL);
	pgp_keyring_free(kr);
}

/* Hostile keyrings: no key at all, or a key packet cut short, are errors or skipped keys. */
static void test_bad_keyrings(void **state)
{
	static const unsigned char junk[] = "hello\n", cut[] = { 0x99, 0x01, 0x0d, 0x04, 0x5e };
	struct pgp_keyring *kr;
	size_t skipped = 0;
	(void)state;

	assert_int_equal(pgp_keyring_new(&kr), OMG_OK);
	assert_int_equal(pgp_keyring_add_mem(kr, junk, sizeof junk - 1, NULL), OMG_E_CORRUPT);
	assert_int_equal(pgp_keyring_add_mem(kr, cut, sizeof cut, &skipped), OMG_E_CORRUPT);
	assert_int_equal(skipped, 1);
	assert_int_equal(pgp_keyring_add_file(kr, CASES "/good.asc", NULL), OMG_E_CORRUPT);
	pgp_keyring_free(kr);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_corpus),
		cmocka_unit_test(test_signed_text),
		cmocka_unit_test(test_signature_details),
		cmocka_unit_test(test_signed_by_fingerprint),
		cmocka_unit_test(test_bad_keyrings),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
