/* cmd_info.c — omg info PACKAGE. */
#include "config.h"
#include "cmd.h"

int omg_cmd_info(struct omg_ctx *ctx)
{
	struct omg_query q = { 0 };
	struct omg_answer a;
	struct omg_pairs info;
	int rc;

	if (ctx->opts.nargs != 1)
		return omg_cmd_fail(ctx, OMG_EXIT_USAGE, "usage: omg info PACKAGE");
	if ((rc = omg_check_name(ctx, "package name", ctx->opts.args[0], 0)) != OMG_EXIT_OK)
		return rc;
	q.text = ctx->opts.args[0];
	omg_enc_query(omg_client_begin(ctx->client, OMG_MSG_INFO), OMG_MSG_INFO, &q);
	if ((rc = omg_cmd_call(ctx, &a)) != OMG_EXIT_OK)
		return rc;
	if (omg_dec_pairs(a.payload, a.length, a.type, &info) != 0)
		return omg_cmd_fail(ctx, OMG_EXIT_ERROR, "malformed INFO answer");
	ctx->sink.ops->info(&ctx->sink, &info);
	omg_pairs_free(&info);
	return OMG_EXIT_OK;
}
