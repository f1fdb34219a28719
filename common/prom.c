/* prom.c — see prom.h. */
#include "config.h"
#include "prom.h"
#include "omg_error.h"

#include <errno.h>
#include <string.h>

struct family {
	const char *name;    /* the family (a host metric's) or omgd's counter name */
	int counter;         /* TYPE counter (omgd's: "_total" appended), else gauge */
	const char *help;
};

/* The host metrics: node-exporter's apt collector's families with its help texts (Debian's
 * prometheus-node-exporter-collectors, apt_info.py), pacman.sh's, and omg's own. */
static const struct family host[] = {
	{ "apt_upgrades_pending", 0, "Apt packages pending updates by origin." },
	{ "apt_upgrades_held", 0, "Apt packages pending updates but held back." },
	{ "apt_autoremove_pending", 0, "Apt packages pending autoremoval." },
	{ "apt_package_cache_timestamp_seconds", 0, "Apt update last run time." },
	{ "pacman_updates_pending", 0, "number of pending updates from pacman" },
	{ "node_reboot_required", 0, "Node reboot is required for software updates." },
	{ "omg_security_updates_pending", 0, "Upgradable packages whose candidate comes from a security archive." },
	{ "omg_installed_packages", 0, "Installed packages." },
	{ "omg_explicit_packages", 0, "Installed packages not installed as a dependency." },
	{ "omg_reboot_required_packages", 0, "Packages named in reboot-required.pkgs while a reboot is required." },
	{ "omg_verify_findings", 0, "Findings of the last complete verification, by part (files: installed "
				    "files changed or missing; archive: the archive chain)." },
	{ "omg_verify_last_timestamp_seconds", 0, "When the last complete verification ended (0: none yet)." },
	{ "omg_lists_refreshed_timestamp_seconds", 0, "When the package lists were last refreshed (apt update, pacman -Sy)." },
	{ "omg_index_updated_timestamp_seconds", 0, "When omgd last computed the counts from the package data." },
};

/* omgd's counters (omg metrics); a name not here is a gauge. */
static const struct family own[] = {
	{ "requests", 1, "Requests omgd answered." },
	{ "errors", 1, "Requests answered with an error, and frames refused." },
	{ "connections_open", 0, "Client connections open." },
	{ "connections_total", 1, "Client connections accepted." },
	{ "connections_refused", 1, "Client connections refused (peer or limit)." },
	{ "connections_dropped", 1, "Client connections closed by omgd (deadline, limit)." },
	{ "bytes_in", 1, "Bytes read from clients." },
	{ "bytes_out", 1, "Bytes written to clients." },
	{ "rebuilds", 1, "Index rebuilds." },
	{ "rebuild_failures", 1, "Index rebuilds that failed." },
	{ "watch_events", 1, "File change notifications seen." },
	{ "plans_made", 1, "Action plans made by the package manager." },
	{ "plans_cached", 1, "Action plans answered from memory." },
	{ "plans_ahead", 1, "Upgrade plans made before anyone asked." },
	{ "verify_runs", 1, "Verifications run." },
};

static const struct family *find(const struct family *t, size_t n, const char *name, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (strlen(t[i].name) == len && !memcmp(t[i].name, name, len))
			return &t[i];
	return NULL;
}

int omg_prom_is_host(const char *name)
{
	return !strncmp(name, "apt_", 4) || !strncmp(name, "node_", 5) || !strncmp(name, "pacman_", 7) ||
	       !strncmp(name, "omg_", 4);
}

static int ends_with(const char *s, size_t len, const char *suffix, size_t *stem)
{
	size_t n = strlen(suffix);

	if (len <= n || memcmp(s + len - n, suffix, n) != 0)
		return 0;
	*stem = len - n;
	return 1;
}

/* omgd's counter NAME = VALUE as a family of its own. */
static void write_own(FILE *f, const char *name, uint64_t value)
{
	char prom[128], help[160];
	size_t len = strlen(name), stem;
	const struct family *fam = find(own, sizeof own / sizeof own[0], name, len);
	double scale = 0;
	int n;

	if (ends_with(name, len, "_ns_avg", &stem)) {
		n = snprintf(prom, sizeof prom, "omgd_%.*s_seconds_avg", (int)stem, name);
		snprintf(help, sizeof help, "Average time omgd took for %.*s (omg metrics: %s).", (int)stem, name, name);
		scale = 1e9;
	} else if (ends_with(name, len, "_us", &stem)) {
		n = snprintf(prom, sizeof prom, "omgd_%.*s_seconds", (int)stem, name);
		snprintf(help, sizeof help, "omgd's %s, in seconds (omg metrics).", name);
		scale = 1e6;
	} else {
		int total = fam && fam->counter && !ends_with(name, len, "_total", &stem);
		n = snprintf(prom, sizeof prom, "omgd_%s%s", name, total ? "_total" : "");
		snprintf(help, sizeof help, "%s", fam ? fam->help : "omgd's counter of that name (omg metrics).");
	}
	if (n < 0 || (size_t)n >= sizeof prom)
		return;
	/* a name omgd made up is kept to what a metric name may hold */
	for (char *c = prom; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '_'))
			*c = '_';
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", prom, help, prom, fam && fam->counter ? "counter" : "gauge");
	if (scale)
		fprintf(f, "%s %.9g\n", prom, (double)value / scale);
	else
		fprintf(f, "%s %llu\n", prom, (unsigned long long)value);
}

int omg_prom_write(FILE *f, const struct omg_pairs *m, unsigned flags)
{
	const char *last = NULL;
	size_t last_len = 0;

	for (uint32_t i = 0; i < m->count; i++) {
		const char *name = m->kv[i].key;
		size_t fam_len = strcspn(name, "{");

		if (!omg_prom_is_host(name)) {
			if (!(flags & OMG_PROM_HOST_ONLY))
				write_own(f, name, m->kv[i].number);
			continue;
		}
		if (!last || fam_len != last_len || memcmp(name, last, fam_len) != 0) {
			const struct family *fam = find(host, sizeof host / sizeof host[0], name, fam_len);
			fprintf(f, "# HELP %.*s %s\n# TYPE %.*s gauge\n", (int)fam_len, name,
				fam ? fam->help : "omg's host metric of that name.", (int)fam_len, name);
			last = name;
			last_len = fam_len;
		}
		fprintf(f, "%s %llu\n", name, (unsigned long long)m->kv[i].number);
	}
	if (fflush(f) != 0 || ferror(f))
		return OMG_ERROR(OMG_E_SYS, "writing the metrics: %s", strerror(errno));
	return OMG_OK;
}
