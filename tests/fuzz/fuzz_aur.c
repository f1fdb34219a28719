/* fuzz_aur.c — libFuzzer target: arbitrary bytes as the AUR's RPC answer, parsed as a search
 * and as an info answer; what omgd makes of them must decode as omg sends it on. */
#include "config.h"
#include "aur.h"
#include "omg_error.h"
#include "proto.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t types[] = { OMG_MSG_AUR_SEARCH, OMG_MSG_AUR_INFO };

	for (size_t i = 0; i < sizeof types; i++) {
		struct omg_wbuf w = { 0 };
		struct omg_aur_msg m;
		aur_parse((const char *)data, size, types[i], (uint32_t)i, &w);
		if (!w.failed && omg_dec_aur(w.data, w.len, (uint8_t)(types[i] | OMG_MSG_ANSWER), &m) != OMG_OK)
			abort(); /* omgd would send an answer its own clients cannot read */
		omg_aur_free(&m);
		omg_wbuf_free(&w);
	}
	return 0;
}
