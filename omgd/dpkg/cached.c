/* cached.c — a source file read through the store: its records replayed while the file is
 * unchanged, else parsed and stored. */
#include "config.h"
#include "dpkg.h"
#include "omg_error.h"

#include <stdio.h>

/* Reads one source through the cache: replays its stored records, or parses it with READ
 * and stores what it recorded. Returns READ's result (a damaged file counts in *DAMAGED). */
/* The first damaged list is named in the log, so the user knows which download to redo. */
static void note_damaged(struct build *b, const char *path, uint32_t damaged_before)
{
	if (b->db->damaged_lists > damaged_before && !b->db->damaged_list[0])
		snprintf(b->db->damaged_list, sizeof b->db->damaged_list, "%s", path);
}

int deb_cached_source(struct build *b, const char *path, const struct stat *st, uint32_t kind,
			 uint64_t salt, int (*replay)(struct build *, const struct src_records *),
			 int (*read)(struct build *, const char *path))
{
	struct src_records sr;
	uint32_t malformed0 = b->db->malformed, damaged0 = b->db->damaged_lists;
	int rc;

	if (b->cache && srccache_get(b->cache, path, st, kind, salt, &sr) == OMG_OK) {
		if ((rc = replay(b, &sr)) == OMG_OK) {
			note_damaged(b, path, damaged0);
			return OMG_OK;
		}
		if (rc == OMG_E_NOMEM)
			return rc;
		/* Damaged records: parse the file instead. What was replayed stays (the same
		 * versions come again and are found, not duplicated). */
	}
	omg_wbuf_reset(&b->rec);
	rc = read(b, path);
	note_damaged(b, path, damaged0);
	if (rc == OMG_OK && b->cache && !b->rec.failed &&
	    srccache_put(b->cache, path, st, kind, salt, b->db->malformed - malformed0,
			 b->db->damaged_lists - damaged0, b->rec.data, b->rec.len) != OMG_OK)
		return OMG_E_NOMEM;
	return rc;
}
