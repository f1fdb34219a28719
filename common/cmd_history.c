/* cmd_history.c — omg history [--since T]: the system's package history as omgd merges it
 * (the package managers' logs and its audit log, omgd/history.h), read page by page. */
#include "config.h"
#include "cmd.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

int omg_cmd_history(struct omg_ctx *ctx)
{
	struct omg_history_query q = { 0 };
	struct omg_history all = { .problem = "" };
	void **pages = NULL;
	size_t npages = 0;
	int rc = OMG_EXIT_OK, wait_ms = omg_cmd_wait_ms(ctx, OMG_HISTORY_WAIT_MS);

	if (ctx->opts.nargs || ctx->opts.verify)
		return omg_cmd_fail(ctx, OMG_EXIT_USAGE, "usage: omg history [--since TIME] [--json]");
	if (ctx->opts.since && omg_parse_since(ctx->opts.since, (uint64_t)time(NULL), &q.since) != 0)
		return omg_cmd_fail(ctx, OMG_EXIT_USAGE, "--since %s: use @UNIXTIME, YYYY-MM-DD[ HH:MM[:SS]], "
				    "a span such as 2h or 7d, today or yesterday", ctx->opts.since);
	for (;;) { /* the answers are kept: the entries point into them */
		struct omg_answer a;
		struct omg_history page;
		struct omg_hist_entry *v;
		void *copy, **grown;
		omg_enc_history_query(omg_client_begin(ctx->client, OMG_MSG_HISTORY), &q);
		if ((rc = omg_cmd_report(ctx, omg_client_call_within(ctx->client, &a, wait_ms))) != OMG_EXIT_OK)
			goto done;
		if (!(copy = malloc(a.length ? a.length : 1)) || !(grown = realloc(pages, (npages + 1) * sizeof *pages))) {
			free(copy);
			rc = omg_cmd_fail(ctx, OMG_EXIT_ERROR, "out of memory");
			goto done;
		}
		memcpy(copy, a.payload, a.length);
		pages = grown;
		pages[npages++] = copy;
		if (omg_dec_history(copy, a.length, &page) != OMG_OK) {
			rc = omg_cmd_fail(ctx, OMG_EXIT_ERROR, "malformed HISTORY answer");
			goto done;
		}
		if (!(v = realloc(all.v, ((size_t)all.count + page.count + 1) * sizeof *v))) {
			omg_history_free(&page);
			rc = omg_cmd_fail(ctx, OMG_EXIT_ERROR, "out of memory");
			goto done;
		}
		memcpy(v + all.count, page.v, page.count * sizeof *v);
		free(page.v); /* its entries' arrays are all's now */
		all.v = v;
		all.count += page.count;
		if (npages == 1) {
			all.problem = page.problem;
			all.total = page.total;
		}
		q.skip += page.count;
		if (!page.more || !page.count)
			break;
	}
	if (all.problem[0]) /* a partial history: say what is missing, on the error stream */
		omg_cmd_fail(ctx, OMG_EXIT_OK, "history: %s", all.problem);
	ctx->sink.ops->history(&ctx->sink, &all);
done:
	omg_history_free(&all);
	while (npages)
		free(pages[--npages]);
	free(pages);
	return rc;
}
