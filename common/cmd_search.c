/* cmd_search.c — omg search QUERY and omg list KIND: both print package rows. */
#include "config.h"
#include "cmd.h"
#include "omg_error.h"

#include <regex.h>
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

/* The terms joined by newlines (SEARCH's query), each checked as omgd will: a name's bytes
 * and a regular expression regcomp takes (apt-cache: "Regex compilation error"). */
static int join_terms(struct omg_ctx *ctx, char *q, size_t cap)
{
	size_t at = 0;
	int rc;

	for (int i = 0; i < ctx->opts.nargs; i++) {
		const char *t = ctx->opts.args[i];
		size_t n = strlen(t);
		regex_t re;
		if ((rc = omg_check_name(ctx, "search term", t, 0)) != OMG_EXIT_OK)
			return rc;
		if (at + n + 1 > cap)
			return omg_cmd_fail(ctx, OMG_EXIT_USAGE, "search terms: longer than %d bytes in all", OMG_QUERY_MAX);
		if ((rc = regcomp(&re, t, REG_EXTENDED | REG_ICASE | REG_NOSUB)) != 0) {
			char why[128];
			regerror(rc, &re, why, sizeof why);
			return omg_cmd_fail(ctx, OMG_EXIT_USAGE, "search term '%s': %s", t, why);
		}
		regfree(&re);
		if (at)
			q[at++] = '\n';
		memcpy(q + at, t, n + 1);
		at += n;
	}
	return OMG_EXIT_OK;
}

/* Nothing found: said on standard error (apt-cache says nothing at all; pacman -Ss exits 1). */
static int none_found(struct omg_ctx *ctx)
{
	omg_cmd_fail(ctx, OMG_EXIT_OK, "no packages found");
	return OMG_EXIT_NOTHING;
}

int omg_cmd_search(struct omg_ctx *ctx)
{
	struct omg_query q = { .flags = ctx->opts.flags };
	struct omg_answer a;
	struct omg_rows rows;
	struct omg_aur_msg aur;
	char text[OMG_QUERY_MAX + 1];
	void *raw = NULL;
	int rc, found;

	if (ctx->opts.nargs < 1)
		return omg_cmd_fail(ctx, OMG_EXIT_USAGE, "usage: omg search [--names-only] [-i] [-n N] [--no-aur] TERM...");
	if ((rc = join_terms(ctx, text, sizeof text)) != OMG_EXIT_OK)
		return rc;
	q.text = text;
	/* as apt-cache search: names and descriptions, unless --names-only */
	if (!ctx->opts.names_only)
		q.flags |= OMG_SEARCH_DESCRIPTIONS;
	/* -n 0, or output that is not a terminal (a pipe, a file): as many as omgd answers */
	q.limit = ctx->opts.limit > 0 ? (uint32_t)ctx->opts.limit
		: ctx->opts.limit == 0 || !isatty(fileno(ctx->env->out)) ? OMG_LIMIT_MAX : OMG_LIMIT_DEFAULT;
	omg_enc_query(omg_client_begin(ctx->client, OMG_MSG_SEARCH), OMG_MSG_SEARCH, &q);
	/* a term without a trigram makes omgd read every name: its deadline, not a lookup's */
	if ((rc = omg_cmd_call_within(ctx, &a, OMG_SEARCH_DEADLINE_MS + 500)) != OMG_EXIT_OK)
		return rc;
	if (omg_dec_rows(a.payload, a.length, &rows) != 0)
		return omg_cmd_fail(ctx, OMG_EXIT_ERROR, "malformed answer");
	/* the AUR is asked only for name or description searches of all packages */
	if (ctx->opts.no_aur || (q.flags & OMG_SEARCH_INSTALLED)) {
		ctx->sink.ops->rows(&ctx->sink, &rows);
		found = rows.count > 0;
		omg_rows_free(&rows);
		return found ? OMG_EXIT_OK : none_found(ctx);
	}
	/* local results first, out before the AUR is asked (JSON waits: one document) */
	ctx->sink.hold = 1;
	ctx->sink.ops->rows(&ctx->sink, &rows);
	fflush(ctx->sink.out);
	found = rows.count > 0;
	omg_rows_free(&rows);
	/* the AUR has one word: the first term */
	if (omg_aur_ask(ctx, OMG_MSG_AUR_SEARCH, ctx->opts.args[0], q.limit, &aur, &raw) != OMG_OK) {
		aur.status = OMG_AUR_MISSING;
		aur.problem = "out of memory";
	}
	ctx->sink.ops->aur(&ctx->sink, &aur);
	if (aur.status == OMG_AUR_MISSING && !ctx->opts.json)
		omg_cmd_fail(ctx, OMG_EXIT_OK, "AUR results missing: %s", aur.problem);
	else if (aur.status == OMG_AUR_UNAVAILABLE && !ctx->opts.json && aur.problem && !strcmp(aur.problem, OMG_AUR_BUILT_OUT))
		omg_cmd_fail(ctx, OMG_EXIT_OK, "the AUR was not asked: %s", aur.problem);
	found |= aur.status == OMG_AUR_OK && aur.rows.count > 0;
	omg_aur_free(&aur);
	free(raw);
	return found ? OMG_EXIT_OK : none_found(ctx);
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
