/* cmd_search.c — omg search QUERY and omg list KIND: both print package rows. */
#include "config.h"
#include "cmd.h"
#include "omg_error.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
	struct omg_answer a;
	struct omg_rows rows;
	struct omg_aur_msg aur;
	void *raw = NULL;
	int rc, found;

	if (ctx->opts.nargs != 1)
		return omg_cmd_fail(ctx, OMG_EXIT_USAGE, "usage: omg search [-d] [-i] [-n N] [--no-aur] QUERY");
	if ((rc = omg_check_name(ctx, "query", ctx->opts.args[0], 0)) != OMG_EXIT_OK)
		return rc;
	q.text = ctx->opts.args[0];
	/* -n 0, or output that is not a terminal (a pipe, a file): as many as omgd answers */
	q.limit = ctx->opts.limit > 0 ? (uint32_t)ctx->opts.limit
		: ctx->opts.limit == 0 || !isatty(fileno(ctx->env->out)) ? OMG_LIMIT_MAX : OMG_LIMIT_DEFAULT;
	omg_enc_query(omg_client_begin(ctx->client, OMG_MSG_SEARCH), OMG_MSG_SEARCH, &q);
	/* the AUR is asked only for name or description searches of all packages */
	if (ctx->opts.no_aur || (q.flags & OMG_SEARCH_INSTALLED))
		return print_rows(ctx, 1);
	if ((rc = omg_cmd_call(ctx, &a)) != OMG_EXIT_OK)
		return rc;
	if (omg_dec_rows(a.payload, a.length, &rows) != 0)
		return omg_cmd_fail(ctx, OMG_EXIT_ERROR, "malformed answer");
	/* local results first, out before the AUR is asked (JSON waits: one document) */
	ctx->sink.hold = 1;
	ctx->sink.ops->rows(&ctx->sink, &rows);
	fflush(ctx->sink.out);
	found = rows.count > 0;
	omg_rows_free(&rows);
	if (omg_aur_ask(ctx, OMG_MSG_AUR_SEARCH, q.text, q.limit, &aur, &raw) != OMG_OK) {
		aur.status = OMG_AUR_MISSING;
		aur.problem = "out of memory";
	}
	ctx->sink.ops->aur(&ctx->sink, &aur);
	if (aur.status == OMG_AUR_MISSING && !ctx->opts.json)
		omg_cmd_fail(ctx, OMG_EXIT_OK, "AUR results missing: %s", aur.problem);
	found |= aur.status == OMG_AUR_OK && aur.rows.count > 0;
	omg_aur_free(&aur);
	free(raw);
	return found ? OMG_EXIT_OK : OMG_EXIT_NOTHING;
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
