/* fuzz_aptsim.c — libFuzzer target: arbitrary bytes as apt-get -s's output (omgd's plan
 * reader), and as the payloads of PLAN requests and answers and ACTED requests (the action
 * messages' decoders); every reading is then checked for what its users rely on. */
#include "config.h"
#include "omg_error.h"
#include "plan/aptsim.h"
#include "proto.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct aptsim s;
	struct omg_plan m;
	struct omg_plan_req q;
	struct omg_acted a;

	if (aptsim_parse((const char *)data, size, &s) == OMG_OK) {
		for (uint32_t i = 0; i < s.nops; i++)
			if (!s.ops[i].name[0] || s.ops[i].op < OMG_OP_INSTALL || s.ops[i].op > OMG_OP__MAX ||
			    strlen(s.ops[i].name) > APTSIM_LINE_MAX)
				abort(); /* an op has a name and a known kind */
		aptsim_free(&s);
	}
	if (omg_dec_plan(data, size, &m) == OMG_OK) {
		struct omg_wbuf w = { 0 };
		omg_enc_plan(&w, &m); /* what decodes encodes back to the same bytes */
		if (w.failed || w.len != size || memcmp(w.data, data, size) != 0)
			abort();
		omg_wbuf_free(&w);
		omg_plan_free(&m);
	}
	if (omg_dec_plan_req(data, size, &q) == OMG_OK)
		omg_plan_req_free(&q);
	(void)omg_dec_acted(data, size, &a);
	return 0;
}
