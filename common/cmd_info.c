/* cmd_info.c — omg info PACKAGE. */
#include "config.h"
#include "cmd.h"
#include "omg_error.h"

#include <stdlib.h>
#include <string.h>

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
	rc = omg_client_call_within(ctx->client, &a, ctx->timeout_ms);
	if (rc == OMG_E_NOTFOUND) {
		/* a virtual package: say which packages provide it, as apt install does */
		struct omg_query vq = { .text = q.text };
		struct omg_versions m;
		char why[512];
		void *copy;
		snprintf(why, sizeof why, "%s", omg_errdetail());
		omg_enc_query(omg_client_begin(ctx->client, OMG_MSG_VERSIONS), OMG_MSG_VERSIONS, &vq);
		if (omg_client_call_within(ctx->client, &a, ctx->timeout_ms) == OMG_OK && (copy = malloc(a.length ? a.length : 1))) {
			int shown = 0;
			memcpy(copy, a.payload, a.length);
			if (omg_dec_versions(copy, a.length, &m) == OMG_OK) {
				if (!m.count && m.nproviders) {
					ctx->sink.ops->virtual_pkg(&ctx->sink, &m);
					shown = 1;
				}
				omg_versions_free(&m);
			}
			free(copy);
			if (shown)
				return OMG_EXIT_OK;
		}
		omg_error_set(OMG_E_NOTFOUND, "%s", why);
		rc = OMG_E_NOTFOUND;
	}
	if (rc == OMG_E_NOTFOUND && !ctx->opts.no_aur) {
		/* in no repository: on Arch, the AUR may have it (omgd says "unavailable" elsewhere) */
		struct omg_aur_msg aur;
		void *raw = NULL;
		char why[512];
		snprintf(why, sizeof why, "%s", omg_errdetail());
		if (omg_aur_ask(ctx, OMG_MSG_AUR_INFO, q.text, 0, &aur, &raw) == OMG_OK && aur.status == OMG_AUR_OK &&
		    aur.info.count) {
			ctx->sink.ops->info(&ctx->sink, &aur.info);
			rc = OMG_EXIT_OK;
		} else {
			rc = omg_cmd_fail(ctx, OMG_EXIT_NOTHING, "%s", why);
			if (aur.status == OMG_AUR_MISSING)
				omg_cmd_fail(ctx, OMG_EXIT_OK, "AUR part missing: %s", aur.problem);
			else if (aur.status == OMG_AUR_UNAVAILABLE && aur.problem && !strcmp(aur.problem, OMG_AUR_BUILT_OUT))
				omg_cmd_fail(ctx, OMG_EXIT_OK, "the AUR was not asked: %s", aur.problem);
		}
		omg_aur_free(&aur);
		free(raw);
		return rc;
	}
	if ((rc = omg_cmd_report(ctx, rc)) != OMG_EXIT_OK)
		return rc;
	if (omg_dec_pairs(a.payload, a.length, a.type, &info) != 0)
		return omg_cmd_fail(ctx, OMG_EXIT_ERROR, "malformed INFO answer");
	ctx->sink.ops->info(&ctx->sink, &info);
	omg_pairs_free(&info);
	return OMG_EXIT_OK;
}
