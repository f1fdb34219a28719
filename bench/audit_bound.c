/* audit_bound.c — the audit log's bound as a disk sees it: appends N records of a refresh's
 * size (about 100 bytes of text) to a new log in DIR bounded at MAX bytes (audit_set_max),
 * one synchronous commit each as omgd makes them, then verifies the chain and prints how many
 * records were kept and pruned and data.mdb's size against the bound.
 *   usage: bench/audit_bound MAX N DIR      (DIR must not hold a log yet) */
#include "config.h"
#include "audit.h"
#include "omg_error.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>

int main(int argc, char **argv)
{
	struct audit *a = NULL;
	struct audit_verdict v;
	struct timespec t0, t1;
	char dir[4096], path[4200], text[256];
	struct stat st;
	size_t max;
	long n;
	int rc = 1;

	if (argc != 4 || (max = strtoull(argv[1], NULL, 10)) < AUDIT_MAX_MIN || (n = strtol(argv[2], NULL, 10)) < 1) {
		fprintf(stderr, "usage: audit_bound MAX N DIR  (MAX at least %u bytes)\n", AUDIT_MAX_MIN);
		return 2;
	}
	snprintf(dir, sizeof dir, "%s/audit", argv[3]);
	if (audit_open(&a, dir, 0) != OMG_OK) {
		fprintf(stderr, "audit_bound: %s\n", omg_errdetail());
		return 1;
	}
	audit_set_max(a, max);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (long i = 0; i < n; i++) {
		int len = snprintf(text, sizeof text, "signal: 63713 packages, 65761 versions, 61%ld.%ld ms "
				   "(41 sources from the store, 0 read) #%ld", i % 10, i % 7, i);
		if (audit_append(a, AUDIT_REFRESH, AUDIT_UID_NONE, 0, text, (size_t)len) != OMG_OK) {
			fprintf(stderr, "audit_bound: record %ld: %s\n", i + 1, omg_errdetail());
			goto fail;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (audit_verify(a, &v) != OMG_OK) {
		fprintf(stderr, "audit_bound: %s\n", omg_errdetail());
		goto fail;
	}
	snprintf(path, sizeof path, "%s/data.mdb", dir);
	if (stat(path, &st) != 0)
		goto fail;
	printf("bound %zu bytes: %ld appended (%.2f ms each), %llu kept, %llu pruned, chain %s; "
	       "data.mdb %lld bytes, %.2fx the bound\n", max, n,
	       ((double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6) / (double)n,
	       (unsigned long long)v.records, (unsigned long long)audit_pruned_total(a), v.ok ? "intact" : v.why,
	       (long long)st.st_size, (double)st.st_size / (double)max);
	rc = v.ok ? 0 : 1;
fail:
	audit_close(a);
	return rc;
}
