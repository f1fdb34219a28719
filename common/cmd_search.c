/* cmd_search.c — omg search QUERY and omg list KIND: both print package rows. */
#include "config.h"
#include "cmd.h"

#include <string.h>

static int print_rows(struct omg_ctx *ctx, int empty_is_nothing)
{
	struct omg_answer a;
	struct omg_rows rows;
	int rc;

	if ((rc = omg_cmd_call(ctx, &a)) != OMG_EXIT_OK)
		return rc;
	if (omg_dec_rows(a.payload, a.length, &rows) != 0)
		return omg_cmd_fail(ctx, OMG_EXIT_ERROR, "malformed answer");
	ctx->sink.ops->rows(&ctx->sink, &rows);
	rc = rows.count == 0 && empty_is_nothing ? OMG_EXIT_NOTHING : OMG_EXIT_OK;
	omg_rows_free(&rows);
	return rc;
}

int omg_cmd_search(struct omg_ctx *ctx)
{
	struct omg_query q = { .flags = ctx->opts.flags };
	int rc;

	if (ctx->opts.nargs != 1)
		return omg_cmd_fail(ctx, OMG_EXIT_USAGE, "usage: omg search [-d] [-i] [-n N] QUERY");
	if ((rc = omg_check_name(ctx, "query", ctx->opts.args[0], 0)) != OMG_EXIT_OK)
		return rc;
	q.text = ctx->opts.args[0];
	q.limit = ctx->opts.limit >= 0 ? (uint32_t)ctx->opts.limit : OMG_LIMIT_DEFAULT;
	omg_enc_query(omg_client_begin(ctx->client, OMG_MSG_SEARCH), OMG_MSG_SEARCH, &q);
	return print_rows(ctx, 1);
}

static const char *const list_kinds[OMG_LIST__COUNT] = {
	[OMG_LIST_INSTALLED] = "installed", [OMG_LIST_EXPLICIT] = "explicit",
	[OMG_LIST_ORPHANS] = "orphans", [OMG_LIST_UPGRADABLE] = "upgradable",
	[OMG_LIST_SECURITY] = "security",
};

int omg_cmd_list(struct omg_ctx *ctx)
{
	struct omg_query q = { 0 };

	if (ctx->opts.nargs != 1)
		return omg_cmd_fail(ctx, OMG_EXIT_USAGE,
				    "usage: omg list installed|explicit|orphans|upgradable|security");
	for (q.kind = 0; q.kind < OMG_LIST__COUNT; q.kind++)
		if (!strcmp(ctx->opts.args[0], list_kinds[q.kind]))
			break;
	if (q.kind == OMG_LIST__COUNT)
		return omg_cmd_fail(ctx, OMG_EXIT_USAGE, "unknown list '%s': installed, explicit, orphans, "
				    "upgradable or security", ctx->opts.args[0]);
	q.limit = ctx->opts.limit >= 0 ? (uint32_t)ctx->opts.limit : 0;
	omg_enc_query(omg_client_begin(ctx->client, OMG_MSG_LIST), OMG_MSG_LIST, &q);
	return print_rows(ctx, 0);
}
