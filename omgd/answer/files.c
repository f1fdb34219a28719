/* files.c — FILES and CHANGELOG (answer.h): an installed package's lines, read from the
 * package database on the event loop (one small file), a frame's worth from the line asked for. */
#include "config.h"
#include "answer.h"
#include "omg_error.h"

#include <stdlib.h>
#include <string.h>

/* FILES and CHANGELOG: an installed package's lines, from the first asked for, a frame's worth */
void answer_lines(struct daemon *d, uint8_t type, const uint8_t *p, uint32_t n, struct answer *a)
{
	int (*read)(const struct db *, const char *, uint32_t, char **, size_t *) =
		type == OMG_MSG_FILES ? d->backend->files : d->backend->changelog;
	struct omg_query q;
	uint32_t pkg, total = 0, count = 0;
	size_t count_at, len;
	char *list = NULL;
	int rc;

	if ((pkg = answer_package_query(d, type, p, n, a, &q, db_lookup)) == DB_NONE)
		return;
	if (!read)
		return answer_fail(a, OMG_WERR_INVALID, "not known on this system");
	if ((rc = read(d->db, d->root, pkg, &list, &len)) != OMG_OK)
		return answer_fail(a, rc == OMG_E_NOTFOUND ? OMG_WERR_NOT_FOUND : OMG_WERR_INTERNAL, "package '%s': %s", q.text,
			    rc == OMG_E_NOTFOUND && !strcmp(omg_errdetail(), "not installed") ? "is not installed" : omg_errdetail());
	for (size_t i = 0; i < len; i++)
		total += list[i] == '\n';
	count_at = omg_enc_files_head(a->w, total);
	/* from the path asked for, as many as fit in one frame: the client asks for the rest */
	for (char *line = list, *end; line < list + len; line = end + 1) {
		end = memchr(line, '\n', (size_t)(list + len - line));
		if (!end)
			break;
		*end = 0;
		if (q.limit) {
			q.limit--;
			continue;
		}
		if (a->w->len + (size_t)(end - line) + 5 > OMG_FRAME_MAX - 64)
			break;
		omg_enc_word(a->w, line);
		count++;
	}
	omg_enc_count(a->w, count_at, count);
	free(list);
}
