/* fuzz_dpkg_root.c — libFuzzer target: a whole Debian root from arbitrary bytes, through the
 * dpkg backend's build (status file, a package list with its Release file, extended_states),
 * then db_finish, db_validate, INFO records and version comparison.
 *
 * The input is cut at "\n--8<--\n" into: dpkg status, the Packages list, its InRelease,
 * extended_states, bash's dpkg file list, a Contents index (command-not-found's sources) and
 * /etc/os-release (the backend detection). apt.conf stays fixed: a fuzzed Dir:: setting could point the build at the
 * host's own lists (fuzz_deb822 covers the apt.conf lexer). Any build result is acceptable;
 * a successful one must validate, and the version order must be antisymmetric. */
#include "config.h"
#include "backend.h"
#include "db.h"
#include "log.h"
#include "omg_error.h"

#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void omgd_log(const char *fmt, ...) { (void)fmt; }

static char root[256];
static const char *const part_paths[] = {
	"var/lib/dpkg/status",
	"var/lib/apt/lists/deb.example.org_debian_dists_stable_main_binary-amd64_Packages",
	"var/lib/apt/lists/deb.example.org_debian_dists_stable_InRelease",
	"var/lib/apt/extended_states",
	"var/lib/dpkg/info/bash.list",
	"var/lib/apt/lists/deb.example.org_debian_dists_stable_main_Contents-amd64",
	"etc/os-release",
};
#define NPARTS (sizeof part_paths / sizeof part_paths[0])
static const char separator[] = "\n--8<--\n";

static void put_file(const char *rel, const void *p, size_t n)
{
	char path[512];
	int fd;

	snprintf(path, sizeof path, "%s/%s", root, rel);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644)) < 0)
		abort();
	if (n && write(fd, p, n) != (ssize_t)n)
		abort();
	close(fd);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	remove(path); /* best effort: a leftover tmp file is no failure */
	return 0;
}

static void remove_root(void) { nftw(root, remove_entry, 16, FTW_DEPTH | FTW_PHYS); }

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char *const dirs[] = { "var", "var/lib", "var/lib/dpkg", "var/lib/dpkg/info", "var/lib/apt", "var/lib/apt/lists",
					    "etc", "etc/apt" };
	static const char conf[] = "APT::Architecture \"amd64\";\nAPT::Architectures { \"amd64\"; \"i386\"; };\n"
				   "APT::NeverAutoRemove { \"^linux-image-.*\"; };\n";
	const char *tmp = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	char path[512];

	(void)argc;
	(void)argv;
	snprintf(root, sizeof root, "%s/omg-fuzz-root-XXXXXX", tmp);
	if (!mkdtemp(root))
		abort();
	for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
		snprintf(path, sizeof path, "%s/%s", root, dirs[i]);
		mkdir(path, 0755);
	}
	put_file("etc/apt/apt.conf", conf, sizeof conf - 1);
	atexit(remove_root);
	return 0;
}

static int sign(int v) { return (v > 0) - (v < 0); }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;
	struct db db;

	for (size_t i = 0; i < NPARTS; i++) {
		const char *cut = p < end ? memmem(p, (size_t)(end - p), separator, sizeof separator - 1) : NULL;
		size_t n = cut ? (size_t)(cut - p) : (size_t)(end - p);
		put_file(part_paths[i], p, n);
		p = cut ? cut + sizeof separator - 1 : end;
	}
	const struct backend *detected = backend_detect(root);
	if (detected != &backend_dpkg && detected != &backend_alpm)
		abort();
	if (db_init(&db) != OMG_OK)
		return 0;
	if (backend_dpkg.build(&db, root, NULL) == OMG_OK && db_finish(&db) == OMG_OK) {
		if (db_validate(&db) != OMG_OK)
			abort();
		if (db.counts.total > db.npkgs || db.counts.explicit_pkgs > db.npkgs || db.counts.orphans > db.npkgs ||
		    db.counts.updates > db.npkgs)
			abort();
		for (uint32_t v = 0; v < db.nvers && v < 64; v++) {
			struct record rec;
			/* a record read back is the version's paragraph: it has its Package field */
			if (backend_dpkg.record(&db, v, &rec) == OMG_OK && (!rec.text || strlen(rec.text) != rec.len || !rec.nfields))
				abort();
			record_free(&rec);
			if (v) {
				const char *a = db_s(&db, db.vers[v - 1].version), *b = db_s(&db, db.vers[v].version);
				if (sign(backend_dpkg.vercmp(a, b)) != -sign(backend_dpkg.vercmp(b, a)))
					abort();
			}
		}
	}
	db_free(&db);
	return 0;
}
