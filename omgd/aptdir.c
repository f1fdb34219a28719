/* aptdir.c — see aptdir.h. */
#include "config.h"
#include "aptdir.h"
#include "omg_error.h"
#include "proto.h"

#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
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

int aptdir_read(const char *path, size_t max, char **out, size_t *len)
{
	struct stat st;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC), rc = OMG_OK;

	*out = NULL;
	*len = 0;
	if (fd < 0)
		return OMG_OK;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
		goto done;
	if ((size_t)st.st_size > max) {
		rc = OMG_ERROR(OMG_E_CORRUPT, "%s is larger than %zu bytes: not read", path, max);
		goto done;
	}
	if (!(*out = malloc((size_t)st.st_size + 1))) {
		rc = OMG_ERROR(OMG_E_NOMEM, "%s", path);
		goto done;
	}
	n = read(fd, *out, (size_t)st.st_size);
	*len = n > 0 ? (size_t)n : 0;
	(*out)[*len] = 0;
done:
	close(fd);
	return rc;
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
