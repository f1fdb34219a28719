/* backend_detect.c — which packaging system a root has. */
#include "config.h"
#include "backend.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

const struct backend *backend_named(const char *name)
{
	if (!strcmp(name, "dpkg"))
		return &backend_dpkg;
#ifdef OMG_WITH_ALPM
	if (!strcmp(name, "alpm"))
		return &backend_alpm;
#endif
	return NULL;
}

/* 1 when an os-release field (ID, or a word of ID_LIKE) is "arch". */
static int os_release_says_arch(const char *root)
{
	char path[4200], line[512];
	int arch = 0;
	FILE *f;

	snprintf(path, sizeof path, "%s/etc/os-release", strcmp(root, "/") ? root : "");
	if (!(f = fopen(path, "re"))) {
		snprintf(path, sizeof path, "%s/usr/lib/os-release", strcmp(root, "/") ? root : "");
		if (!(f = fopen(path, "re")))
			return 0;
	}
	while (!arch && fgets(line, sizeof line, f)) {
		char *v = NULL, *save = NULL;
		if (!strncmp(line, "ID=", 3))
			v = line + 3;
		else if (!strncmp(line, "ID_LIKE=", 8))
			v = line + 8;
		if (!v)
			continue;
		for (char *w = strtok_r(v, " \"'\n", &save); w; w = strtok_r(NULL, " \"'\n", &save))
			if (!strcmp(w, "arch"))
				arch = 1;
	}
	fclose(f);
	return arch;
}

const struct backend *backend_detect(const char *root)
{
	char path[4200];
	const char *r = strcmp(root, "/") ? root : "";

#ifdef OMG_WITH_ALPM
	if (os_release_says_arch(root))
		return &backend_alpm;
#else
	if (os_release_says_arch(root))
		return NULL; /* main.c says omgd was built --without-alpm */
#endif
	snprintf(path, sizeof path, "%s/var/lib/dpkg/status", r);
	if (access(path, F_OK) == 0)
		return &backend_dpkg;
	snprintf(path, sizeof path, "%s/var/lib/pacman/local/ALPM_DB_VERSION", r);
	if (access(path, F_OK) == 0)
#ifdef OMG_WITH_ALPM
		return &backend_alpm;
#else
		return NULL;
#endif
	return &backend_dpkg;
}
