/* pgp_verify.c — a test and bench driver for omgd/verify/: verifies clearsigned files (or one
 * file with --detached SIG) against a keyring and prints the verdict and each signature.
 *
 *   pgp_verify [--keyring FILE]... [--apt ROOT [--signed-by S] [--legacy]] [--now UNIX]
 *              [--detached SIG] [--repeat N] [--quiet] FILE...
 *
 * Output, per file: "FILE VERDICT detail", then per signature "  sig STATUS PKALGO HASH FPR
 * PRIMARY_FPR CREATED" (FPR: the signing key's fingerprint, or the issuer key id). Exit 0 when
 * every file is GOOD, 1 otherwise, 2 on a usage or system error. --repeat N loads the keyring
 * and verifies every file N times and prints the elapsed time on stderr. */
#include "config.h"
#include "omg_error.h"
#include "verify/pgp.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int slurp(const char *path, unsigned char **out, size_t *len)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0 || fstat(fd, &st) || st.st_size > (1 << 28)) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	*out = malloc((size_t)st.st_size + 1);
	if (!*out) {
		close(fd);
		return -1;
	}
	n = read(fd, *out, (size_t)st.st_size);
	close(fd);
	if (n != st.st_size) {
		free(*out);
		return -1;
	}
	*len = (size_t)n;
	return 0;
}

static void hex(const uint8_t *p, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02X", p[i]);
}

struct opts {
	const char *keyrings[32];
	int nkeyrings;
	const char *root, *signed_by, *detached;
	int legacy, quiet;
	int64_t now;
};

static int load(const struct opts *o, struct pgp_keyring **kr)
{
	if (pgp_keyring_new(kr))
		return -1;
	for (int i = 0; i < o->nkeyrings; i++)
		if (pgp_keyring_add_file(*kr, o->keyrings[i], NULL)) {
			fprintf(stderr, "pgp_verify: %s: %s\n", o->keyrings[i], omg_errdetail());
			return -1;
		}
	if (o->root && pgp_keyring_load_apt(*kr, o->root, o->signed_by, o->legacy)) {
		fprintf(stderr, "pgp_verify: apt keyring: %s\n", omg_errdetail());
		return -1;
	}
	return 0;
}

static int verify(const struct opts *o, const struct pgp_keyring *kr, const char *path, int print)
{
	unsigned char *buf = NULL, *sig = NULL;
	size_t len = 0, siglen = 0;
	struct pgp_result res;
	int rc, good;

	if (slurp(path, &buf, &len) || (o->detached && slurp(o->detached, &sig, &siglen))) {
		fprintf(stderr, "pgp_verify: cannot read %s\n", path);
		free(buf);
		return 2;
	}
	rc = o->detached ? pgp_verify_detached(buf, len, sig, siglen, kr, o->now, &res)
			 : pgp_verify_clearsigned(buf, len, kr, o->now, &res);
	free(buf);
	free(sig);
	if (rc) {
		fprintf(stderr, "pgp_verify: %s: %s\n", path, omg_errdetail());
		return 2;
	}
	good = res.verdict == PGP_GOOD;
	if (print) {
		printf("%s %s %s\n", path, pgp_verdict_name(res.verdict), res.detail);
		for (size_t i = 0; i < res.nsigs && !o->quiet; i++) {
			const struct pgp_sig_info *s = &res.sigs[i];
			char fpr[2 * PGP_FPR_LEN + 1] = "-", prim[2 * PGP_FPR_LEN + 1] = "-";

			if (s->has_fpr)
				hex(s->fpr, PGP_FPR_LEN, fpr);
			else
				hex(s->keyid, 8, fpr);
			if (s->has_primary)
				hex(s->primary_fpr, PGP_FPR_LEN, prim);
			printf("  sig %s %u %u %s %s %lld\n", pgp_sig_status_name(s->status), s->pkalgo, s->hashalgo, fpr, prim,
			       (long long)s->created);
		}
	}
	pgp_result_free(&res);
	return good ? 0 : 1;
}

int main(int argc, char **argv)
{
	struct opts o = { .now = time(NULL) };
	struct pgp_keyring *kr = NULL;
	long repeat = 0;
	int i, worst = 0;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--legacy")) {
			o.legacy = 1;
			continue;
		}
		if (!strcmp(a, "--quiet")) {
			o.quiet = 1;
			continue;
		}
		if (!v)
			break;
		if (!strcmp(a, "--keyring") && o.nkeyrings < 32)
			o.keyrings[o.nkeyrings++] = v;
		else if (!strcmp(a, "--apt"))
			o.root = v;
		else if (!strcmp(a, "--signed-by"))
			o.signed_by = v;
		else if (!strcmp(a, "--now"))
			o.now = strtoll(v, NULL, 10);
		else if (!strcmp(a, "--detached"))
			o.detached = v;
		else if (!strcmp(a, "--repeat"))
			repeat = strtol(v, NULL, 10);
		else
			break;
		i++;
	}
	if (i >= argc || argv[i][0] == '-') {
		fprintf(stderr, "usage: pgp_verify [--keyring F]... [--apt ROOT [--signed-by S] [--legacy]] [--now T] "
				"[--detached SIG] [--repeat N] [--quiet] FILE...\n");
		return 2;
	}
	if (repeat > 0) {
		struct timespec t0, t1;

		clock_gettime(CLOCK_MONOTONIC, &t0);
		for (long r = 0; r < repeat; r++) {
			if (load(&o, &kr))
				return 2;
			for (int j = i; j < argc; j++)
				verify(&o, kr, argv[j], 0);
			pgp_keyring_free(kr);
		}
		clock_gettime(CLOCK_MONOTONIC, &t1);
		fprintf(stderr, "%ld rounds of %d files: %.3f ms per round\n", repeat, argc - i,
			((double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6) / (double)repeat);
		return 0;
	}
	if (load(&o, &kr))
		return 2;
	for (; i < argc; i++) {
		int rc = verify(&o, kr, argv[i], 1);

		if (rc > worst)
			worst = rc;
	}
	pgp_keyring_free(kr);
	return worst;
}
