/* cmd_status.c — omg status: the daemon's counts. */
#include "config.h"
#include "cmd.h"

int omg_cmd_status(struct omg_ctx *ctx)
{
	struct omg_status_msg m;
	struct omg_answer a;
	int rc;

	if (ctx->opts.nargs)
		return omg_cmd_fail(ctx, OMG_EXIT_USAGE, "status takes no arguments");
	omg_client_begin(ctx->client, OMG_MSG_STATUS);
	if ((rc = omg_cmd_call(ctx, &a)) != OMG_EXIT_OK)
		return rc;
	if (omg_dec_status(a.payload, a.length, &m) != 0)
		return omg_cmd_fail(ctx, OMG_EXIT_ERROR, "malformed STATUS answer");
	ctx->sink.ops->status(&ctx->sink, &m);
	return OMG_EXIT_OK;
}
