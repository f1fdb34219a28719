/* cmd_verify.c — omg audit verify [--full] [--last] [--no-archive] [--no-files] [PACKAGE...]:
 * omgd's verification (VERIFY), asked for and printed page by page. */
#include "config.h"
#include "cmd.h"
#include "omg_error.h"

#include <stdio.h>
#include <string.h>

#define VERIFY_WAIT_MS (3600 * 1000) /* a first, cold check of a large system takes minutes */

/* One page of the result: FIRST on. */
static int ask(struct omg_ctx *ctx, uint32_t flags, uint32_t first, struct omg_answer *a, struct omg_verify *m)
{
	struct omg_verify_req q = { .flags = flags, .first = first };
	int rc;

	if (!(flags & OMG_VERIFY_LAST)) {
		q.count = (uint32_t)(ctx->opts.nargs - 1);
		q.names = (const char **)(ctx->opts.args + 1);
	}
	omg_enc_verify_req(omg_client_begin(ctx->client, OMG_MSG_VERIFY), &q);
	if ((rc = omg_cmd_call_within(ctx, a, flags & OMG_VERIFY_LAST ? ctx->timeout_ms : VERIFY_WAIT_MS)) != OMG_EXIT_OK)
		return rc;
	if (omg_dec_verify(a->payload, a->length, m) != OMG_OK)
		return omg_cmd_fail(ctx, OMG_EXIT_ERROR, "omgd's VERIFY answer is malformed: %s", omg_errdetail());
	return OMG_EXIT_OK;
}

int omg_cmd_verify(struct omg_ctx *ctx)
{
	struct omg_answer a;
	struct omg_verify m;
	uint32_t flags = ctx->opts.skip | (ctx->opts.full ? OMG_VERIFY_FULL : 0) | (ctx->opts.last ? OMG_VERIFY_LAST : 0);
	uint64_t started;
	uint32_t seen, total;
	int rc;

	if (ctx->opts.last && (ctx->opts.nargs > 1 || ctx->opts.full))
		return omg_cmd_fail(ctx, OMG_EXIT_USAGE, "omg audit verify --last: no packages and no --full (it runs nothing)");
	if ((ctx->opts.skip & OMG_VERIFY_NO_ARCHIVE) && (ctx->opts.skip & OMG_VERIFY_NO_FILES))
		return omg_cmd_fail(ctx, OMG_EXIT_USAGE, "omg audit verify: --no-archive and --no-files leave nothing to check");
	for (int i = 1; i < ctx->opts.nargs; i++)
		if (ctx->opts.args[i][0] == '-' || !ctx->opts.args[i][0] || strlen(ctx->opts.args[i]) > OMG_QUERY_MAX)
			return omg_cmd_fail(ctx, OMG_EXIT_USAGE, "omg audit verify: '%s' is not a package name", ctx->opts.args[i]);
	if ((rc = ask(ctx, flags, 0, &a, &m)) != OMG_EXIT_OK)
		return rc;
	if (m.flags & OMG_VERIFIED_NONE) {
		omg_verify_free(&m);
		return omg_cmd_fail(ctx, OMG_EXIT_NOTHING, "no verification has finished yet: omg audit verify runs one");
	}
	started = m.started_ns;
	total = m.total;
	seen = m.count;
	/* the rest of a large result: pages of the same result, which omgd keeps as its last
	 * (a check of some packages is not kept: what fitted is shown, and how many did not) */
	ctx->sink.ops->verify(&ctx->sink, &m, 1, seen >= total || (m.flags & OMG_VERIFIED_SOME));
	omg_verify_free(&m);
	while (seen < total && !(m.flags & OMG_VERIFIED_SOME)) {
		if ((rc = ask(ctx, OMG_VERIFY_LAST, seen, &a, &m)) != OMG_EXIT_OK)
			return rc;
		if (m.started_ns != started || !m.count) {
			omg_verify_free(&m);
			return omg_cmd_fail(ctx, OMG_EXIT_ERROR, "%u findings not shown: omgd has a newer result (omg audit verify --last)",
					    total - seen);
		}
		seen += m.count;
		ctx->sink.ops->verify(&ctx->sink, &m, 0, seen >= total);
		omg_verify_free(&m);
	}
	if (seen < total)
		fprintf(ctx->env->err, "%u more findings were not shown\n", total - seen);
	return total ? OMG_EXIT_VERIFY : OMG_EXIT_OK;
}
