/* fuzz_pgp_packet.c — libFuzzer target: arbitrary bytes as a keyring (binary packets, or
 * armored when they look it), with self-signatures, subkey bindings and back-signatures
 * checked; and every packet of them through the key and signature parsers. */
#include "config.h"
#include "omg_error.h"
#include "verify/internal.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pgp_keyring *kr;
	struct pgp_packet p;
	size_t off = 0, skipped = 0, prim, sub;

	if (pgp_keyring_new(&kr))
		return 0;
	pgp_keyring_add_mem(kr, data, size, &skipped);
	pgp_keyring_count(kr, &prim, &sub);
	pgp_keyring_free(kr);
	while (off < size && pgp_packet_next(data, size, &off, &p) == OMG_OK) {
		struct pgp_pubkey k;
		struct pgp_sig s;

		if (p.tag == PGP_TAG_SIG && pgp_sig_parse(p.body, p.len, &s) == OMG_OK && s.embedded)
			pgp_sig_parse(s.embedded, s.embedded_len, &s);
		else if (p.tag == PGP_TAG_PUBKEY || p.tag == PGP_TAG_PUBSUBKEY)
			pgp_pubkey_parse(p.body, p.len, &k);
	}
	return 0;
}
