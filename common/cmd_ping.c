/* cmd_ping.c — omg ping (HELLO round trip, timed) and omg metrics. */
#include "config.h"
#include "cmd.h"
#include "prom.h"

#include <time.h>

int omg_cmd_ping(struct omg_ctx *ctx)
{
	struct omg_hello h = { .min_version = OMG_PROTO_VERSION, .max_version = OMG_PROTO_VERSION,
			       .name = "omg " PACKAGE_VERSION };
	struct timespec t0, t1;
	struct omg_answer a;
	int rc;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	omg_enc_hello(omg_client_begin(ctx->client, OMG_MSG_HELLO), &h, 0);
	if ((rc = omg_cmd_call(ctx, &a)) != OMG_EXIT_OK)
		return rc;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (omg_dec_hello(a.payload, a.length, &h, 1) != 0)
		return omg_cmd_fail(ctx, OMG_EXIT_ERROR, "malformed HELLO answer");
	ctx->sink.ops->pong(&ctx->sink, &h,
			    (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
	return OMG_EXIT_OK;
}

int omg_cmd_metrics(struct omg_ctx *ctx)
{
	struct omg_answer a;
	struct omg_pairs m;
	int rc;

	omg_client_begin(ctx->client, OMG_MSG_METRICS);
	if ((rc = omg_cmd_call(ctx, &a)) != OMG_EXIT_OK)
		return rc;
	if (omg_dec_pairs(a.payload, a.length, a.type, &m) != 0)
		return omg_cmd_fail(ctx, OMG_EXIT_ERROR, "malformed METRICS answer");
	if (ctx->opts.prometheus)
		rc = omg_prom_write(ctx->sink.out, &m, 0) == OMG_OK ? OMG_EXIT_OK : OMG_EXIT_ERROR;
	else
		ctx->sink.ops->metrics(&ctx->sink, &m);
	omg_pairs_free(&m);
	return rc;
}
