/* cmd_files.c — omg files PACKAGE (the files an installed package put on the system, as dpkg
 * -L or pacman -Ql list them) and omg changelog PACKAGE (its changelog, as installed): lines
 * from omgd, in pages of one frame each. */
#include "config.h"
#include "cmd.h"

#include <stdlib.h>
#include <string.h>

static int print_lines(struct omg_ctx *ctx, uint8_t type, const char *usage)
{
	struct omg_query q = { 0 };
	struct omg_words all = { 0 };
	void **pages = NULL;
	size_t npages = 0;
	uint32_t total = 0;
	int rc = OMG_EXIT_OK;

	if (ctx->opts.nargs != 1)
		return omg_cmd_fail(ctx, OMG_EXIT_USAGE, "usage: %s", usage);
	if ((rc = omg_check_name(ctx, "package", ctx->opts.args[0], 0)) != OMG_EXIT_OK)
		return rc;
	q.text = ctx->opts.args[0];
	do { /* q.limit: the first path wanted */
		struct omg_answer a;
		struct omg_words page;
		void *copy, **grown;
		const char **words;
		if ((rc = (omg_enc_query(omg_client_begin(ctx->client, type), type, &q), omg_cmd_call(ctx, &a))) !=
		    OMG_EXIT_OK)
			goto done;
		if (!(copy = malloc(a.length ? a.length : 1)) || !(grown = realloc(pages, (npages + 1) * sizeof *pages))) {
			free(copy);
			rc = omg_cmd_fail(ctx, OMG_EXIT_ERROR, "out of memory");
			goto done;
		}
		memcpy(copy, a.payload, a.length);
		pages = grown;
		pages[npages++] = copy;
		if (omg_dec_files(copy, a.length, &total, &page) != 0 || (!page.count && q.limit < total)) {
			omg_words_free(&page);
			rc = omg_cmd_fail(ctx, OMG_EXIT_ERROR, "malformed %s answer", omg_msg_name(type));
			goto done;
		}
		if (!(words = realloc((void *)all.words, ((size_t)all.count + page.count + 1) * sizeof *words))) {
			omg_words_free(&page);
			rc = omg_cmd_fail(ctx, OMG_EXIT_ERROR, "out of memory");
			goto done;
		}
		memcpy(words + all.count, page.words, page.count * sizeof *words);
		all.words = words;
		all.count += page.count;
		q.limit += page.count;
		omg_words_free(&page);
	} while (q.limit < total);
	ctx->sink.ops->textlines(&ctx->sink, &all);
	rc = all.count ? OMG_EXIT_OK : OMG_EXIT_NOTHING;
done:
	free((void *)all.words);
	while (npages)
		free(pages[--npages]);
	free(pages);
	return rc;
}

int omg_cmd_files(struct omg_ctx *ctx)
{
	return print_lines(ctx, OMG_MSG_FILES, "omg files PACKAGE");
}

int omg_cmd_changelog(struct omg_ctx *ctx)
{
	return print_lines(ctx, OMG_MSG_CHANGELOG, "omg changelog PACKAGE");
}
