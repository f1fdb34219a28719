/* commands.c — PROVIDES and SIMILAR (answer.h): the command index, for command-not-found. */
#include "config.h"
#include "answer.h"
#include "omg_error.h"

#include <stdlib.h>
#include <string.h>

void answer_provides(struct daemon *d, const uint8_t *p, uint32_t n, struct answer *a)
{
	struct omg_query q;
	uint32_t found[OMG_PROVIDES_MAX], count;
	size_t count_at;

	if (!answer_command_query(d, OMG_MSG_PROVIDES, p, n, a, &q))
		return;
	count = db_cmd_packages(d->db, q.text, found, OMG_PROVIDES_MAX);
	count_at = omg_enc_providers_head(a->w);
	for (uint32_t i = 0; i < count; i++) {
		const struct db_cmd *c = &d->db->cmds[found[i]];
		struct omg_provider pv = { db_s(d->db, c->package), db_s(d->db, c->path), c->installed };
		omg_enc_provider(a->w, &pv);
	}
	omg_enc_count(a->w, count_at, count);
}

/* qsort over db->cmds indexes: installed first, then by command name (stable by index). */
static int similar_cmp(const void *x, const void *y, void *ctx)
{
	const struct db *similar_db = ctx;
	const struct db_cmd *a = &similar_db->cmds[*(const uint32_t *)x], *b = &similar_db->cmds[*(const uint32_t *)y];
	int c;

	if (a->installed != b->installed)
		return a->installed ? -1 : 1;
	if ((c = strcmp(db_s(similar_db, a->name), db_s(similar_db, b->name))) != 0)
		return c;
	return *(const uint32_t *)x < *(const uint32_t *)y ? -1 : 1;
}

void answer_similar(struct daemon *d, const uint8_t *p, uint32_t n, struct answer *a)
{
	struct omg_query q;
	uint32_t found[256], nfound, shown = 0;
	int available;
	size_t count_at;

	if (!answer_command_query(d, OMG_MSG_SIMILAR, p, n, a, &q))
		return;
	nfound = db_cmd_similar(d->db, q.text, found, sizeof found / sizeof found[0], &available);
	qsort_r(found, nfound, sizeof found[0], similar_cmp, (void *)d->db);
	count_at = omg_enc_similar_head(a->w, available ? OMG_SIMILAR_AVAILABLE : 0);
	for (uint32_t i = 0; i < nfound && shown < OMG_SIMILAR_MAX; i++) {
		const struct db_cmd *c = &d->db->cmds[found[i]];
		struct omg_provider pv = { db_s(d->db, c->package), db_s(d->db, c->path), c->installed };
		int seen = 0;
		/* one entry per command and package: an installed copy and a Contents entry */
		for (uint32_t j = 0; j < i && !seen; j++) {
			const struct db_cmd *o = &d->db->cmds[found[j]];
			seen = !strcmp(db_s(d->db, o->name), db_s(d->db, c->name)) && !strcmp(db_s(d->db, o->package), pv.package);
		}
		if (seen)
			continue;
		omg_enc_provider(a->w, &pv);
		shown++;
	}
	omg_enc_count(a->w, count_at, shown);
}
