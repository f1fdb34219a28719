/* backend.c — the Debian backend: dpkg's status, apt's extended_states and package lists.
 *
 * Semantics (checked against apt 2.6 and dpkg 1.21 by the tests):
 *  - installed (total): dpkg state "installed" (want install, hold or deinstall);
 *  - a package has a current version for apt unless it is not-installed or config-files;
 *  - explicit: has a current version and is not Auto-Installed (apt-mark showmanual);
 *  - candidate: apt's policy with its pins (policy.c, candidate.c): lists 500 (NotAutomatic
 *    1, ButAutomaticUpgrades 100), the installed version 100, apt_preferences and
 *    APT::Default-Release over them; the highest priority wins, then the highest version,
 *    and nothing older than the installed version below 1000;
 *  - updates: current version with a different (newer) candidate (apt list --upgradable);
 *  - security: such a candidate found in a list whose Release has Label: Debian-Security;
 *  - orphans: what apt-get -s autoremove removes: apt's mark-and-sweep from the roots
 *    (manual, Essential, Protected, Priority required, held, APT::NeverAutoRemove)
 *    through Pre-Depends, Depends and, as configured, Recommends and Suggests; plus
 *    half-installed packages, which apt-get removes as failed removals.
 */
#include "config.h"
#include "dpkg.h"
#include "grow.h"
#include "log.h"

/* The fuzz targets link the backend without omgd's log (aptconf.c does the same). */
#pragma weak omgd_log
#include "listfile.h"
#include "pkgfiles.h"
#include "version.h"
#include "omg_error.h"

#define LIBDPKG_VOLATILE_API 1
#include <dpkg/arch.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* OMG_OK if PATH is a regular file. Checked before the reader opens it: opening a FIFO
 * (or a device) for reading can wait forever, and the build with it. */
static int regular_file(const char *path)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC), rc = OMG_OK;

	if (fd < 0)
		return OMG_ERROR(OMG_E_SYS, "open %s: %s", path, strerror(errno));
	if (fstat(fd, &st) != 0)
		rc = OMG_ERROR(OMG_E_SYS, "stat %s: %s", path, strerror(errno));
	else if (!S_ISREG(st.st_mode))
		rc = OMG_ERROR(OMG_E_CORRUPT, "%s is not a regular file: not read", path);
	close(fd);
	return rc;
}

/* apt's configuration under the root: each file with its ".d" directory. They are inputs
 * (a stored index is not reused once one changes) and watched (a change rebuilds): the
 * sources name the lists and describe them, the preferences pin the candidates. */
static const char *const apt_etc[][2] = { { "etc/apt/apt.conf", "etc/apt/apt.conf.d" },
					  { "etc/apt/sources.list", "etc/apt/sources.list.d" },
					  { "etc/apt/preferences", "etc/apt/preferences.d" } };
#define APT_ETC_N (sizeof apt_etc / sizeof apt_etc[0])

static int add_conf_inputs(struct db *db, const char *root)
{
	char path[8192];
	struct dirent *de;
	DIR *d;
	int rc = OMG_OK;

	for (size_t i = 0; rc == OMG_OK && i < APT_ETC_N; i++) {
		snprintf(path, sizeof path, "%s/%s", root, apt_etc[i][0]);
		if ((rc = db_input_add(db, path)) != OMG_OK)
			return rc;
		snprintf(path, sizeof path, "%s/%s", root, apt_etc[i][1]);
		if ((rc = db_input_add(db, path)) != OMG_OK || !(d = opendir(path)))
			continue;
		while (rc == OMG_OK && (de = readdir(d)))
			if (de->d_name[0] != '.') {
				snprintf(path, sizeof path, "%s/%s/%s", root, apt_etc[i][1], de->d_name);
				rc = db_input_add(db, path);
			}
		closedir(d);
	}
	return rc;
}

static void count_item(void *n, const char *v)
{
	(void)v;
	++*(int *)n;
}

static int dpkg_build(struct db *db, const char *root, struct srccache *cache)
{
	int narchs = 0;
	const char *dr;
	struct build b = { .db = db, .cache = cache };
	const struct dpkg_arch *native = dpkg_arch_get(DPKG_ARCH_NATIVE);
	const char *arch;
	int rc;

	if ((rc = aptconf_load(&b.conf, root)) != OMG_OK || (rc = add_conf_inputs(db, root)) != OMG_OK ||
	    (rc = aptsources_load(&b.sources, root)) != OMG_OK)
		goto fail;
	deb_resolve_paths(&b, root);
	arch = aptconf_get(&b.conf, "apt::architecture", native ? native->name : "amd64");
	deb_add_arch(&b, arch);
	aptconf_each(&b.conf, "apt::architectures", count_item, &narchs);
	if (narchs)
		aptconf_each(&b.conf, "apt::architectures", deb_add_arch, &b);
	else if ((rc = deb_add_foreign_archs(&b)) != OMG_OK)
		goto fail;
	aptconf_each(&b.conf, "apt::neverautoremove", deb_add_never, &b);
	db->native_arch = db_str(db, arch, strlen(arch));
	if (b.conf_failed || db->native_arch == DB_NONE ||
	    omg_grow(&b.arch_off, &b.cap_arch_off, b.narch_off + 1, sizeof *b.arch_off, OMG_GROW_UNBOUNDED) != OMG_OK) {
		rc = OMG_ERROR(OMG_E_NOMEM, "apt configuration");
		goto fail;
	}
	b.arch_off[b.narch_off++] = db->native_arch; /* the interned names start with the native one */
	if ((rc = aptprefs_load(&b.prefs, root)) != OMG_OK ||
	    ((dr = aptconf_get(&b.conf, "apt::default-release", NULL)) && dr[0] &&
	     (rc = aptprefs_default_release(&b.prefs, dr)) != OMG_OK))
		goto fail;
	/* apt stops at these; omgd skips them and says so, once per build */
	if (b.prefs.errors && omgd_log)
		omgd_log("apt's preferences: %d stanza%s apt rejects (apt-cache policy says which): skipped",
			 b.prefs.errors, b.prefs.errors == 1 ? "" : "s");
	if (b.sources.errors && omgd_log)
		omgd_log("apt's sources: %d entr%s apt rejects: skipped", b.sources.errors,
			 b.sources.errors == 1 ? "y" : "ies");
	if ((rc = deb_read_lists(&b)) != OMG_OK || (rc = deb_read_translations(&b)) != OMG_OK)
		goto fail;
	if ((b.src = deb_add_src(&b, b.paths.status, 0, NULL, NULL)) == DB_NONE) {
		rc = OMG_ERROR(OMG_E_NOMEM, "sources");
		goto fail;
	}
	db->srcs[b.src].prio = 100;
	if ((rc = db_input_add(db, b.paths.status)) != OMG_OK || (rc = db_input_add(db, b.paths.extended)) != OMG_OK)
		goto fail;
	if ((rc = regular_file(b.paths.status)) != OMG_OK ||
	    (rc = listfile_read(b.paths.status, deb_status_chunk, &b)) != OMG_OK)
		goto fail;
	if (access(b.paths.extended, F_OK) == 0 && ((rc = regular_file(b.paths.extended)) != OMG_OK ||
	    (rc = listfile_read(b.paths.extended, deb_ext_chunk, &b)) != OMG_OK))
		goto fail;
	if ((rc = deb_policy(&b)) != OMG_OK)
		goto fail;
	for (uint32_t p = 0; p < db->npkgs; p++) {
		struct db_pkg *pk = &db->pkgs[p];
		if ((rc = deb_pick_candidate(&b, p)) != OMG_OK)
			goto fail;
		if (pk->state == ST_INSTALLED)
			db->counts.total++;
		if (pk->inst != DB_NONE && !(pk->flags & DB_PKG_AUTO))
			db->counts.explicit_pkgs++;
		if (pk->flags & DB_PKG_UPGRADABLE)
			db->counts.updates++;
		if (pk->flags & DB_PKG_SECURITY)
			db->security++;
	}
	rc = deb_find_orphans(&b);
	if (rc == OMG_OK)
		rc = deb_read_commands(&b);
fail:
	omg_wbuf_free(&b.rec);
	free(b.order);
	for (size_t i = 0; i < b.nnever; i++) {
		regfree(b.never[i]);
		free(b.never[i]);
	}
	free(b.never);
	for (size_t i = 0; i < b.narchs; i++)
		free(b.archs[i]);
	free(b.archs);
	free(b.arch_off);
	free(b.inst);
	free(b.ma);
	aptconf_free(&b.conf);
	aptsources_free(&b.sources);
	aptprefs_free(&b.prefs);
	free(b.ver_source);
	free(b.ver_md5);
	return rc;
}

/* One watch: FILE's directory and its name, or with DIR every file of FILE. */
static int watch_add(struct watch_spec *out, int n, int max, const char *file, int dir)
{
	const char *slash = strrchr(file, '/');

	if (n >= max)
		return n;
	if (dir || !slash) {
		snprintf(out[n].dir, sizeof out[n].dir, "%s", file);
		out[n].name[0] = 0;
	} else {
		snprintf(out[n].dir, sizeof out[n].dir, "%.*s", (int)(slash - file), file);
		snprintf(out[n].name, sizeof out[n].name, "%s", slash + 1);
	}
	return n + 1;
}

static int dpkg_watch_specs(const char *root, struct watch_spec *out, int max)
{
	struct build b = { 0 };
	char path[4200];
	int n = 0;

	if (aptconf_load(&b.conf, root) != OMG_OK)
		return 0;
	deb_resolve_paths(&b, root);
	n = watch_add(out, n, max, b.paths.status, 0);
	n = watch_add(out, n, max, b.paths.extended, 0);
	n = watch_add(out, n, max, b.paths.lists, 1);
	deb_admin_file(&b, "arch", path, sizeof path); /* dpkg --add-architecture */
	n = watch_add(out, n, max, path, 0);
	/* apt.conf, sources.list and preferences are all in etc/apt: one watch of it */
	deb_join_dir(path, sizeof path, b.paths.root, "etc/apt");
	n = watch_add(out, n, max, path, 1);
	for (size_t i = 0; i < APT_ETC_N; i++) {
		deb_join_dir(path, sizeof path, b.paths.root, apt_etc[i][1]);
		n = watch_add(out, n, max, path, 1);
	}
	aptconf_free(&b.conf);
	return n;
}

const struct backend backend_dpkg = {
	.name = "dpkg",
	.build = dpkg_build,
	.watch_specs = dpkg_watch_specs,
	.record = deb_record,
	.record_file = deb_record_file,
	.files = pkgfiles_dpkg,
	.changelog = pkgchangelog_dpkg,
	.vercmp = deb_version_compare,
};
