/* options.c — omgd's options and environment, checked whole (options.h). */
#include "config.h"
#include "options.h"
#include "audit.h"
#include "aur.h"
#include "omg_error.h"
#include "paths.h"
#include "plan.h"
#include "store.h"
#include "verify.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void usage(FILE *f)
{
	fputs("usage: omgd [--foreground] [--system] [--runtime-dir DIR] [--socket PATH] [--root DIR]\n"
	      "            [--status PATH] [--log FILE]\n"
	      "            [--store DIR | --no-store] [--store-map-size BYTES] [--audit-max SIZE]\n"
	      "            [--backend dpkg|alpm] [--aur-url URL] [--aur-timeout MS] [--no-aur]\n"
	      "            [--plan-ahead S] [--verify-every S] [--verify-after S]\n"
	      "            [--textfile DIR]\n"
	      "  --foreground   stay attached to the terminal, log to stderr\n"
	      "  --system       serve every user of the machine (root only): socket (0666), status\n"
	      "                 file (0644) and log in /run/omg, store /var/lib/omg; other users\n"
	      "                 may read, only root may act (omgd(8), PEER RULES)\n"
	      "  --runtime-dir DIR  the directory of the socket, status file, lock and log (default\n"
	      "                 $XDG_RUNTIME_DIR, with --system /run/omg)\n"
	      "  --socket PATH  listen here (default $XDG_RUNTIME_DIR/omg.sock)\n"
	      "  --root DIR     read the package data of the system rooted at DIR\n"
	      "  --backend B    dpkg (Debian) or alpm (Arch); default: from DIR/etc/os-release\n"
	      "  --status PATH  publish the status file here (default $XDG_RUNTIME_DIR/omg.status)\n"
	      "  --log FILE     log file when in the background (default $XDG_RUNTIME_DIR/omgd.log)\n"
	      "  --store DIR    the persistent store: index and audit log (default $STATE_DIRECTORY,\n"
	      "                 else $XDG_CACHE_HOME/omg, else ~/.cache/omg, else /var/lib/omg;\n"
	      "                 for a --root other than /, its own roots/HASH under that)\n"
	      "  --no-store     keep everything in memory: no warm start, no audit log\n"
	      "  --store-map-size BYTES  initial LMDB map size (grown on demand)\n"
	      "  --audit-max SIZE  bound on the audit log (bytes, or with K, M or G: KiB, MiB, GiB;\n"
	      "                 default 16M, at least 16K): the oldest records are then pruned, and a\n"
	      "                 PRUNED record in the log says which\n"
	      "  --aur-url URL  the AUR (Arch only; default " AUR_URL_DEFAULT ")\n"
	      "  --aur-timeout MS  total time for one AUR request (default 2500)\n"
	      "  --no-aur       never ask the AUR\n"
	      "  --plan-ahead S make the upgrade plan ahead once the package data has stood S seconds\n"
	      "                 with upgrades (default 30; 0: never)\n"
	      "  --verify-every S  verify the archive chain and every installed file in the background,\n"
	      "                 rehashing all, every S seconds (default 86400; 0: only when asked)\n"
	      "  --verify-after S  and S seconds after the package data changed (default 60)\n"
	      "  --textfile DIR write DIR/omg.prom, the package metrics for node-exporter's textfile\n"
	      "                 collector, at every change of them (omg metrics --prometheus)\n"
	      "signals: TERM/INT stop, HUP rebuilds the index\n"
	      "environment: OMG_IDLE_EXIT=S exit after S seconds without a client (default: never);\n"
	      "  LISTEN_FDS/LISTEN_PID: serve the socket systemd hands over (omgd.socket), in the foreground\n", f);
}

/* A number, MIN to MAX, into *OUT: a size in bytes (with K, M or G: KiB, MiB, GiB, when
 * SUFFIXES), or a count of milliseconds. 0, or -1. */
static int number_value(const char *value, int suffixes, unsigned long long min, unsigned long long max, size_t *out)
{
	char *end;
	unsigned long long v = strtoull(value, &end, 10);
	int shift = !*end ? 0 : !suffixes ? -1 : !strcmp(end, "K") ? 10 : !strcmp(end, "M") ? 20 : !strcmp(end, "G") ? 30 : -1;

	if (!isdigit((unsigned char)value[0]) || shift < 0 || v > (max >> shift) || (v << shift) < min)
		return -1;
	*out = (size_t)(v << shift);
	return 0;
}

/* A number of seconds, 0 to MAX, from option NAME's VALUE into *MS. 0, or -1 (said why). */
static int seconds_value(const char *name, const char *value, long max, int64_t *ms)
{
	size_t sec;

	if (number_value(value, 0, 0, (unsigned long long)max, &sec) != 0) {
		fprintf(stderr, "omgd: %s: 0 to %ld seconds\n", name, max);
		return -1;
	}
	*ms = (int64_t)sec * 1000;
	return 0;
}

/* The values of the options that take one, checked. */
struct option_values {
	const char *map_size, *audit_max, *aur_timeout, *plan_ahead, *verify_every, *verify_after;
};

static int check_values(struct options *o, const struct option_values *v)
{
	const char *idle = getenv("OMG_IDLE_EXIT");

	if (v->map_size && number_value(v->map_size, 0, 65536, STORE_MAP_CAP_INDEX, &o->map_size) != 0) {
		fprintf(stderr, "omgd: --store-map-size: 65536 to %llu bytes\n", (unsigned long long)STORE_MAP_CAP_INDEX);
		return 2;
	}
	if (v->audit_max && number_value(v->audit_max, 1, AUDIT_MAX_MIN, STORE_MAP_CAP_AUDIT / 2, &o->audit_max) != 0) {
		fprintf(stderr, "omgd: --audit-max: %u bytes (16K) to %lluM\n", AUDIT_MAX_MIN,
			(unsigned long long)(STORE_MAP_CAP_AUDIT / 2) >> 20);
		return 2;
	}
	if (v->aur_timeout) {
		size_t ms;
		if (number_value(v->aur_timeout, 0, 0, 60000, &ms) != 0) {
			fprintf(stderr, "omgd: --aur-timeout: 0 (the default) to 60000 ms\n");
			return 2;
		}
		o->aur_timeout_ms = (int)ms;
	}
	if ((v->plan_ahead && seconds_value("--plan-ahead", v->plan_ahead, 86400, &o->plan_ahead_ms) != 0) ||
	    (v->verify_every && seconds_value("--verify-every", v->verify_every, 366L * 86400, &o->verify_every_ms) != 0) ||
	    (v->verify_after && seconds_value("--verify-after", v->verify_after, 366L * 86400, &o->verify_after_ms) != 0) ||
	    (idle && idle[0] && seconds_value("OMG_IDLE_EXIT", idle, 366L * 86400, &o->idle_ms) != 0))
		return 2;
	return 0;
}

int options_parse(struct options *o, int argc, char **argv)
{
	struct option_values v = { 0 };

	*o = (struct options){ .audit_max = AUDIT_MAX_DEFAULT, .plan_ahead_ms = PLAN_AHEAD_DELAY_MS,
			       .verify_every_ms = (int64_t)VERIFY_EVERY_S * 1000,
			       .verify_after_ms = (int64_t)VERIFY_AFTER_CHANGE_S * 1000 };
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char **slot = !strcmp(a, "--socket") ? &o->socket : !strcmp(a, "--root") ? &o->root
				  : !strcmp(a, "--status") ? &o->status : !strcmp(a, "--log") ? &o->log
				  : !strcmp(a, "--store") ? &o->store : !strcmp(a, "--store-map-size") ? &v.map_size
				  : !strcmp(a, "--audit-max") ? &v.audit_max
				  : !strcmp(a, "--backend") ? &o->backend : !strcmp(a, "--aur-url") ? &o->aur_url
				  : !strcmp(a, "--aur-timeout") ? &v.aur_timeout
				  : !strcmp(a, "--plan-ahead") ? &v.plan_ahead : !strcmp(a, "--verify-every") ? &v.verify_every
				  : !strcmp(a, "--verify-after") ? &v.verify_after
				  : !strcmp(a, "--textfile") ? &o->textfile
				  : !strcmp(a, "--runtime-dir") ? &o->runtime_dir : NULL;
		if (!strcmp(a, "--foreground") || !strcmp(a, "-f")) {
			o->foreground = 1;
		} else if (!strcmp(a, "--no-store")) {
			o->no_store = 1;
		} else if (!strcmp(a, "--no-aur")) {
			o->no_aur = 1;
		} else if (!strcmp(a, "--system")) {
			o->system = 1;
		} else if (slot) {
			if (i + 1 >= argc) {
				fprintf(stderr, "omgd: %s needs a value\n", a);
				return 2;
			}
			*slot = argv[++i];
		} else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			exit(0);
		} else if (!strcmp(a, "--version")) {
			puts("omgd " PACKAGE_VERSION);
			exit(0);
		} else {
			fprintf(stderr, "omgd: unknown option %s\n", a);
			usage(stderr);
			return 2;
		}
	}
	return check_values(o, &v);
}

int options_runtime_path(const struct options *o, char *buf, size_t size, const char *name)
{
	int n;

	if (!o->runtime_dir)
		return omg_runtime_path(buf, size, name, 1);
	n = snprintf(buf, size, "%s/%s", o->runtime_dir, name);
	if (n < 0 || (size_t)n >= size)
		return OMG_ERROR(OMG_E_TOOBIG, "path too long: %s/%s", o->runtime_dir, name);
	return OMG_OK;
}

int options_system_setup(struct options *o)
{
	struct stat st;

	if (geteuid() != 0 && (!o->runtime_dir || (!o->store && !o->no_store))) {
		fprintf(stderr, "omgd: --system runs as root (it writes %s and %s); as uid %u, give both "
			"--runtime-dir and --store (or --no-store)\n", OMG_SYSTEM_DIR, OMG_SYSTEM_STORE, (unsigned)geteuid());
		return -1;
	}
	if (!o->runtime_dir)
		o->runtime_dir = OMG_SYSTEM_DIR;
	if (mkdir(o->runtime_dir, 0755) != 0 && errno != EEXIST) {
		fprintf(stderr, "omgd: mkdir %s: %s\n", o->runtime_dir, strerror(errno));
		return -1;
	}
	/* every user must reach the socket and the status file, and no one else write there */
	if (lstat(o->runtime_dir, &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & 022) || ((st.st_mode & 0755) != 0755 && chmod(o->runtime_dir, 0755) != 0)) {
		fprintf(stderr, "omgd: %s must be a directory of uid %u that only it may write\n", o->runtime_dir,
			(unsigned)geteuid());
		return -1;
	}
	return 0;
}

int options_system_store(char *buf, size_t size)
{
	const char *v = getenv("STATE_DIRECTORY");
	int n;

	if (v && v[0] == '/')
		n = snprintf(buf, size, "%.*s", (int)strcspn(v, ":"), v); /* the first of several */
	else
		n = snprintf(buf, size, "%s", OMG_SYSTEM_STORE);
	if (n < 0 || (size_t)n >= size)
		return OMG_ERROR(OMG_E_TOOBIG, "store directory path too long");
	return OMG_OK;
}
