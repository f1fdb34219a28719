/* cmd_complete.c — omg complete PREFIX: package names for tab completion. */
#include "config.h"
#include "cmd.h"

int omg_cmd_complete(struct omg_ctx *ctx)
{
	struct omg_query q = { .flags = ctx->opts.flags & OMG_SEARCH_INSTALLED };
	struct omg_answer a;
	struct omg_words words;
	int rc;

	if (ctx->opts.nargs > 1)
		return omg_cmd_fail(ctx, OMG_EXIT_USAGE, "usage: omg complete [-i] [-n N] [PREFIX]");
	q.text = ctx->opts.nargs ? ctx->opts.args[0] : "";
	if ((rc = omg_check_name(ctx, "prefix", q.text, 1)) != OMG_EXIT_OK)
		return rc;
	q.limit = ctx->opts.limit >= 0 ? (uint32_t)ctx->opts.limit : OMG_LIMIT_MAX;
	omg_enc_query(omg_client_begin(ctx->client, OMG_MSG_SUGGEST), OMG_MSG_SUGGEST, &q);
	if ((rc = omg_cmd_call(ctx, &a)) != OMG_EXIT_OK)
		return rc;
	if (omg_dec_words(a.payload, a.length, &words) != 0)
		return omg_cmd_fail(ctx, OMG_EXIT_ERROR, "malformed SUGGEST answer");
	if (!ctx->opts.array)
		ctx->sink.ops->words(&ctx->sink, &words);
	if (ctx->opts.array && ctx->env->fill_array(ctx->opts.array, &words) != 0)
		rc = omg_cmd_fail(ctx, OMG_EXIT_USAGE, "cannot assign to array '%s'", ctx->opts.array);
	else
		rc = words.count ? OMG_EXIT_OK : OMG_EXIT_NOTHING;
	omg_words_free(&words);
	return rc;
}
