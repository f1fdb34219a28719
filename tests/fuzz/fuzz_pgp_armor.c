/* fuzz_pgp_armor.c — libFuzzer target: arbitrary bytes as an InRelease (apt's clearsign
 * framing, armor, CRC-24, signature packets, the verdict), and, split at the first NUL, as a
 * Release and its Release.gpg. The keyring is OMG_FUZZ_KEYRING when set (run-fuzz.sh gives
 * tests/cases/pgp/keyring.gpg), so that signatures reach the RSA check; else it is empty. */
#include "config.h"
#include "omg_error.h"
#include "verify/pgp.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static struct pgp_keyring *kr;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pgp_result res;
	const uint8_t *nul;

	if (!kr) {
		const char *path = getenv("OMG_FUZZ_KEYRING");

		if (pgp_keyring_new(&kr))
			return 0;
		if (path)
			pgp_keyring_add_file(kr, path, NULL);
	}
	if (pgp_verify_clearsigned(data, size, kr, 1800000000, &res) == OMG_OK)
		pgp_result_free(&res);
	nul = memchr(data, 0, size);
	if (nul && pgp_verify_detached(data, (size_t)(nul - data), nul + 1, size - (size_t)(nul - data) - 1, kr, 1800000000,
				       &res) == OMG_OK)
		pgp_result_free(&res);
	return 0;
}
