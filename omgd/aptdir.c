/* aptdir.c — see aptdir.h. */
#include "config.h"
#include "aptdir.h"
#include "omg_error.h"
#include "proto.h"

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int aptdir_name_ok(const char *name, const char *const *exts, int no_ext)
{
	const char *dot = strrchr(name, '.');
	size_t n = strlen(name);

	if (!n || name[0] == '.' || name[n - 1] == '.')
		return 0;
	for (const char *c = name; *c; c++)
		if (!isalnum((unsigned char)*c) && !strchr("_:-.", *c))
			return 0;
	if (!dot)
		return no_ext;
	for (const char *const *e = exts; *e; e++)
		if (!strcmp(dot + 1, *e))
			return 1;
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int aptdir_each(const char *dir, const char *const *exts, int no_ext, int (*fn)(void *ctx, const char *path),
		void *ctx)
{
	struct omg_wbuf names = { 0 };
	char path[4200], **v;
	size_t n;
	struct dirent *de;
	DIR *d = opendir(dir);
	int rc = OMG_OK;

	if (!d)
		return OMG_OK;
	while ((de = readdir(d)))
		if (aptdir_name_ok(de->d_name, exts, no_ext)) {
			char *s = strdup(de->d_name);
			if (s)
				omg_put_bytes(&names, &s, sizeof s);
			if (!s || names.failed) {
				free(s);
				rc = OMG_ERROR(OMG_E_NOMEM, "%s", dir);
				break;
			}
		}
	closedir(d);
	v = (char **)(void *)names.data;
	n = names.len / sizeof *v;
	if (n)
		qsort(v, n, sizeof *v, cmp_names);
	for (size_t i = 0; i < n; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, v[i]);
		if (rc == OMG_OK)
			rc = fn(ctx, path);
		free(v[i]);
	}
	omg_wbuf_free(&names);
	return rc;
}
