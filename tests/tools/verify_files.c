/* verify_files.c — test and bench driver of omgd/verify/files.h: runs verify_dpkg or
 * verify_alpm on a root and prints each finding as "CLASS PKG PATH" (the path last: it may
 * hold spaces), then the totals on stderr as one "key=value ..." line.
 *
 *   verify_files [--alpm] [--root R] [--admindir D] [--cache DIR] [--full] [--deadline-ms N]
 *                [--lower-priority] [NAME...]
 * Exits with verify_exit_status (0, 1, 2), or 3 when the run itself failed. */
#include "config.h"

#include "clock.h"
#include "omg_error.h"
#include "verify/files.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
	struct verify_run run = { 0 };
	struct verify_cache *cache = NULL;
	const char *cache_dir = NULL;
	int alpm = 0, rc, i, status;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--alpm"))
			alpm = 1;
		else if (!strcmp(argv[i], "--full"))
			run.full = 1;
		else if (!strcmp(argv[i], "--lower-priority"))
			verify_lower_priority();
		else if (!strcmp(argv[i], "--root") && i + 1 < argc)
			run.root = argv[++i];
		else if (!strcmp(argv[i], "--admindir") && i + 1 < argc)
			run.admindir = argv[++i];
		else if (!strcmp(argv[i], "--cache") && i + 1 < argc)
			cache_dir = argv[++i];
		else if (!strcmp(argv[i], "--deadline-ms") && i + 1 < argc)
			run.deadline_ns = mono_now_ns() + strtoull(argv[++i], NULL, 10) * 1000000u;
		else {
			fprintf(stderr, "usage: verify_files [--alpm] [--root R] [--admindir D] [--cache DIR] [--full] "
					"[--deadline-ms N] [--lower-priority] [NAME...]\n");
			return 3;
		}
	}
	run.names = (const char *const *)argv + i;
	run.nnames = (size_t)(argc - i);
	if (cache_dir && (rc = verify_cache_open(&cache, cache_dir)) != OMG_OK) {
		fprintf(stderr, "verify_files: cache: %s\n", omg_errdetail());
		return 3;
	}
	run.cache = cache;
	rc = alpm ? verify_alpm(&run) : verify_dpkg(&run);
	for (size_t k = 0; k < run.nfindings; k++)
		printf("%s %s %s\n", verify_class_name(run.findings[k].cls), run.findings[k].pkg, run.findings[k].path);
	for (size_t k = 0; k < run.nunknown; k++)
		fprintf(stderr, "verify_files: package '%s' is not installed\n", run.unknown[k]);
	fprintf(stderr,
		"packages=%llu no_checksums=%llu files=%llu hashed=%llu cache_hits=%llu bytes=%llu malformed=%llu "
		"missing=%llu unreadable=%llu replaced=%llu changed=%llu changed_config=%llu altered=%llu "
		"elapsed_ms=%.1f complete=%d\n",
		(unsigned long long)run.totals.packages, (unsigned long long)run.totals.no_checksums,
		(unsigned long long)run.totals.files, (unsigned long long)run.totals.hashed,
		(unsigned long long)run.totals.cache_hits, (unsigned long long)run.totals.bytes,
		(unsigned long long)run.totals.malformed, (unsigned long long)run.totals.by_class[VERIFY_MISSING],
		(unsigned long long)run.totals.by_class[VERIFY_UNREADABLE],
		(unsigned long long)run.totals.by_class[VERIFY_REPLACED],
		(unsigned long long)run.totals.by_class[VERIFY_CHANGED],
		(unsigned long long)run.totals.by_class[VERIFY_CHANGED_CONFIG],
		(unsigned long long)run.totals.by_class[VERIFY_ALTERED], (double)run.totals.elapsed_ns / 1e6, run.complete);
	if (cache) {
		uint64_t files = 0, pkgs = 0;

		if (verify_cache_count(cache, &files, &pkgs) == OMG_OK)
			fprintf(stderr, "cached_files=%llu cached_packages=%llu\n", (unsigned long long)files,
				(unsigned long long)pkgs);
	}
	if (rc != OMG_OK)
		fprintf(stderr, "verify_files: %s: %s\n", omg_strerror(rc), omg_errdetail());
	status = rc != OMG_OK && rc != OMG_E_TIMEOUT ? 3 : verify_exit_status(&run);
	verify_run_free(&run);
	verify_cache_close(cache);
	return status;
}
