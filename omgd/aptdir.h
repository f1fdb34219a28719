/* aptdir.h — the files of one of apt's ".d" directories (apt.conf.d, sources.list.d,
 * preferences.d), as apt's GetListOfFilesInDir lists them: names of [A-Za-z0-9_:.-] only,
 * not starting or ending with '.', whose extension (after the last '.') is one of EXTS, or
 * which have none when NO_EXT; in byte order. Others are skipped, as apt skips them.
 */
#ifndef OMGD_APTDIR_H
#define OMGD_APTDIR_H

/* Calls FN(CTX, PATH) for each such file of DIR in order, until FN returns other than OMG_OK;
 * returns that, OMG_OK (a missing directory has no files) or OMG_E_NOMEM. EXTS ends with
 * NULL. */
int aptdir_each(const char *dir, const char *const *exts, int no_ext, int (*fn)(void *ctx, const char *path),
		void *ctx);
/* Whether apt takes the file named NAME from such a directory. */
int aptdir_name_ok(const char *name, const char *const *exts, int no_ext);

#endif
