/* cmd_notfound.c — omg not-found COMMAND: what the shells' command-not-found handlers run.
 *
 * Prints "COMMAND: command not found" on stderr, then where the command can be had: an
 * installed package whose directory is not in PATH, or the packages that would install it
 * and the exact command to do so. Without omgd, or when no package has it, only the first
 * line. Always exits 127, as the shell would have. --json prints the providers instead. */
#include "config.h"
#include "cmd.h"
#include "omg_error.h"

#include <string.h>
#include <unistd.h>

#define NOT_FOUND_EXIT 127

int omg_cmd_not_found(struct omg_ctx *ctx)
{
	struct omg_query q = { 0 };
	struct omg_providers pv = { 0 };
	struct omg_answer a;
	FILE *err = ctx->env->err;
	const char *cmd;
	uint32_t installed = 0;

	if (ctx->opts.nargs != 1)
		return omg_cmd_fail(ctx, OMG_EXIT_USAGE, "usage: omg not-found COMMAND");
	cmd = q.text = ctx->opts.args[0];
	if (omg_check_name(ctx, "command", cmd, 0) != OMG_EXIT_OK)
		return NOT_FOUND_EXIT;
	if (!strchr(cmd, '/')) {
		omg_enc_query(omg_client_begin(ctx->client, OMG_MSG_PROVIDES), OMG_MSG_PROVIDES, &q);
		/* No daemon, a timeout, no answer: the plain message, nothing else. */
		if (omg_client_call(ctx->client, &a) != OMG_OK || omg_dec_providers(a.payload, a.length, &pv) != OMG_OK)
			pv.count = 0;
	}
	if (ctx->opts.json) {
		ctx->sink.ops->providers(&ctx->sink, cmd, &pv);
		omg_providers_free(&pv);
		return NOT_FOUND_EXIT;
	}
	fprintf(err, "%s: command not found\n", cmd);
	for (uint32_t i = 0; i < pv.count; i++)
		if (pv.v[i].installed) {
			if (!installed++)
				fprintf(err, "It is installed, in a directory that is not in your PATH:\n");
			fprintf(err, "  %s  (package %s)\n", pv.v[i].path, pv.v[i].package);
		}
	if (!installed && pv.count) {
		fprintf(err, pv.count == 1 ? "It is in the package %s (%s). Install it with:\n"
					   : "It is in these packages:\n", pv.v[0].package, pv.v[0].path);
		for (uint32_t i = 0; pv.count > 1 && i < pv.count; i++)
			fprintf(err, "  %-24s %s\n", pv.v[i].package, pv.v[i].path);
		if (pv.count > 1)
			fprintf(err, "Install one with, for example:\n");
		fprintf(err, "  %sapt install %s\n", getuid() == 0 ? "" : "sudo ", pv.v[0].package);
	}
	omg_providers_free(&pv);
	return NOT_FOUND_EXIT;
}
