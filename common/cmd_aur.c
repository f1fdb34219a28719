/* cmd_aur.c — the AUR part of omg search and omg info (Arch only): asked after the local
 * answer, with its own deadline, so that a slow or dead AUR costs at most that deadline and
 * the local results are never lost. omgd answers "unavailable" on other systems. */
#include "config.h"
#include "cmd.h"
#include "omg_error.h"

#include <stdlib.h>
#include <string.h>

int omg_aur_ask(struct omg_ctx *ctx, uint8_t type, const char *text, uint32_t limit, struct omg_aur_msg *m,
		void **raw)
{
	struct omg_query q = { .text = text, .limit = limit };
	struct omg_answer a;
	int rc;

	*raw = NULL;
	memset(m, 0, sizeof *m);
	/* omgd gives up on the AUR after its own deadline (2.5 s by default); wait a little longer */
	omg_enc_query(omg_client_begin(ctx->client, type), type, &q);
	rc = omg_client_call_within(ctx->client, &a, omg_cmd_wait_ms(ctx, OMG_AUR_WAIT_MS));
	if (rc != OMG_OK) {
		m->status = OMG_AUR_MISSING;
		m->problem = omg_errdetail();
		return OMG_OK;
	}
	/* the answer lives in the client's buffer until the next call: keep a copy */
	if (!(*raw = malloc(a.length ? a.length : 1)))
		return OMG_E_NOMEM;
	memcpy(*raw, a.payload, a.length);
	if (omg_dec_aur(*raw, a.length, a.type, m) != OMG_OK) {
		m->status = OMG_AUR_MISSING;
		m->problem = "malformed AUR answer from omgd";
	}
	return OMG_OK;
}
