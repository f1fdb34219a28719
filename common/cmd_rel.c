/* cmd_rel.c — omg depends PACKAGE (apt-cache depends), omg rdepends PACKAGE (apt-cache
 * rdepends) and omg why PACKAGE (why an installed package is installed), from omgd's
 * relations index; omg size (the largest installed packages). */
#include "config.h"
#include "cmd.h"
#include "omg_error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int relations(struct omg_ctx *ctx, uint8_t type, enum omg_rel_mode mode, const char *usage)
{
	struct omg_query q = { 0 };
	struct omg_answer a;
	struct omg_rels m;
	void *copy;
	int rc = OMG_EXIT_OK;

	if (ctx->opts.nargs < 1)
		return omg_cmd_fail(ctx, OMG_EXIT_USAGE, "usage: %s", usage);
	for (int i = 0; i < ctx->opts.nargs; i++) {
		int r;
		if ((r = omg_check_name(ctx, "package name", ctx->opts.args[i], 0)) != OMG_EXIT_OK)
			return r;
		q.text = ctx->opts.args[i];
		omg_enc_query(omg_client_begin(ctx->client, type), type, &q);
		if ((r = omg_cmd_call(ctx, &a)) != OMG_EXIT_OK) {
			if (r != OMG_EXIT_NOTHING)
				return r;
			rc = r; /* unknown: said; the others are still shown */
			continue;
		}
		if (!(copy = malloc(a.length ? a.length : 1)))
			return omg_cmd_fail(ctx, OMG_EXIT_ERROR, "out of memory");
		memcpy(copy, a.payload, a.length);
		if (omg_dec_rels(copy, a.length, &m) != OMG_OK) {
			free(copy);
			return omg_cmd_fail(ctx, OMG_EXIT_ERROR, "malformed %s answer", omg_msg_name(type));
		}
		ctx->sink.ops->relations(&ctx->sink, mode, &m);
		omg_rels_free(&m);
		free(copy);
	}
	return rc;
}

int omg_cmd_depends(struct omg_ctx *ctx)
{
	return relations(ctx, OMG_MSG_DEPENDS, OMG_REL_MODE_DEPENDS, "omg depends PACKAGE...");
}

int omg_cmd_rdepends(struct omg_ctx *ctx)
{
	return relations(ctx, OMG_MSG_RDEPENDS, OMG_REL_MODE_RDEPENDS, "omg rdepends PACKAGE...");
}

int omg_cmd_why(struct omg_ctx *ctx)
{
	return relations(ctx, OMG_MSG_WHY, OMG_REL_MODE_WHY, "omg why PACKAGE...");
}

int omg_cmd_size(struct omg_ctx *ctx)
{
	struct omg_query q = { 0 };
	struct omg_answer a;
	struct omg_sizes m;
	int rc;

	if (ctx->opts.nargs)
		return omg_cmd_fail(ctx, OMG_EXIT_USAGE, "usage: omg size [-n N]");
	/* a terminal gets the 20 largest, a pipe all of them (as omg search does) */
	q.limit = ctx->opts.limit >= 0 ? (uint32_t)ctx->opts.limit : isatty(fileno(ctx->env->out)) ? 20 : 0;
	omg_enc_query(omg_client_begin(ctx->client, OMG_MSG_SIZES), OMG_MSG_SIZES, &q);
	if ((rc = omg_cmd_call(ctx, &a)) != OMG_EXIT_OK)
		return rc;
	if (omg_dec_sizes(a.payload, a.length, &m) != OMG_OK)
		return omg_cmd_fail(ctx, OMG_EXIT_ERROR, "malformed SIZES answer");
	ctx->sink.ops->sizes(&ctx->sink, &m);
	omg_sizes_free(&m);
	return OMG_EXIT_OK;
}
