/* aptdir.h — the files of one of apt's ".d" directories (apt.conf.d, sources.list.d,
 * preferences.d), as apt's GetListOfFilesInDir lists them: names of [A-Za-z0-9_:.-] only,
 * not starting or ending with '.', whose extension (after the last '.') is one of EXTS, or
 * which have none when NO_EXT; in byte order. Others are skipped, as apt skips them.
 */
#ifndef OMGD_APTDIR_H
#define OMGD_APTDIR_H

#include <stddef.h>

/* Calls FN(CTX, PATH) for each such file of DIR in order, until FN returns other than OMG_OK;
 * returns that, OMG_OK (a missing directory has no files) or OMG_E_NOMEM. EXTS ends with
 * NULL. */
int aptdir_each(const char *dir, const char *const *exts, int no_ext, int (*fn)(void *ctx, const char *path),
		void *ctx);
/* Reads the regular file PATH whole into *OUT (malloc'd, NUL-terminated) and *LEN: OMG_OK;
 * *OUT NULL when it is missing or not a regular file (apt skips those; a FIFO is never
 * opened for a blocking read); OMG_E_CORRUPT when it is larger than MAX bytes (not cut:
 * a cut stanza would say something else); OMG_E_NOMEM. */
int aptdir_read(const char *path, size_t max, char **out, size_t *len);
/* Whether apt takes the file named NAME from such a directory. */
int aptdir_name_ok(const char *name, const char *const *exts, int no_ext);

#endif
