/* search_bench.c — omgd's own time for apt-cache search's queries, without a socket:
 *   search_bench [ROOT [ITERATIONS]]
 * Builds ROOT's index as omgd does (no store), then times db_search (limit 50, names and
 * descriptions, as omg search asks) for each query: median and 99th percentile in
 * microseconds, and how many names matched. Then the search index's size and what making it
 * again costs (textidx_build, median of 5). The queries are apt-cache's on the same data in
 * bench/search.sh, which prints the ratios. */
#include "config.h"
#include "backend.h"
#include "db.h"
#include "omg_error.h"
#include "textidx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static const struct {
	const char *label, *query;
	uint32_t flags;
} QUERIES[] = {
	{ "fire", "fire", DB_SEARCH_DESCRIPTIONS },
	{ "--names-only fire", "fire", 0 },
	{ "python3 yaml", "python3\nyaml", DB_SEARCH_DESCRIPTIONS },
	{ "^lib.*ssl", "^lib.*ssl", DB_SEARCH_DESCRIPTIONS },
	{ "text editor", "text\neditor", DB_SEARCH_DESCRIPTIONS },
	{ "http.?server", "http.?server", DB_SEARCH_DESCRIPTIONS },
	{ "www-browser", "www-browser", DB_SEARCH_DESCRIPTIONS },
	{ "nothing-like-this", "nothing-like-this", DB_SEARCH_DESCRIPTIONS },
	{ "zz (no trigram: all)", "zz", DB_SEARCH_DESCRIPTIONS },
};

int main(int argc, char **argv)
{
	const char *root = argc > 1 ? argv[1] : "/";
	int n = argc > 2 ? atoi(argv[2]) : 200;
	const struct backend *be = backend_detect(root);
	struct db db;
	double *t = malloc(sizeof *t * (size_t)(n > 5 ? n : 5)), t0;

	if (n < 10 || !t || !be || db_init(&db) != OMG_OK) {
		fprintf(stderr, "usage: search_bench [ROOT [ITERATIONS >= 10]]\n");
		free(t);
		return 2;
	}
	t0 = now_us();
	if (be->build(&db, root, NULL) != OMG_OK || db_finish(&db) != OMG_OK) {
		fprintf(stderr, "search_bench: %s\n", omg_errdetail());
		free(t);
		return 1;
	}
	printf("index of %s: %u packages, %u versions, built in %.0f ms\n\n", root, db.npkgs, db.nvers,
	       (now_us() - t0) / 1e3);
	printf("| query                       | median   | p99      | names |\n");
	printf("|-----------------------------|----------|----------|-------|\n");
	for (size_t q = 0; q < sizeof QUERIES / sizeof QUERIES[0]; q++) {
		uint32_t matched = 0;
		for (int i = 0; i < n; i++) {
			struct db_hits h;
			double a = now_us();
			if (db_search(&db, QUERIES[q].query, 50, QUERIES[q].flags, &h) != OMG_OK) {
				fprintf(stderr, "search_bench: %s: %s\n", QUERIES[q].label, omg_errdetail());
				free(t);
				db_free(&db);
				return 1;
			}
			t[i] = now_us() - a;
			matched = h.matched;
			free(h.v);
		}
		qsort(t, (size_t)n, sizeof *t, cmp_double);
		printf("| %-27s | %5.0f us | %5.0f us | %5u |\n", QUERIES[q].label, t[n / 2], t[n * 99 / 100], matched);
	}
	for (int i = 0; i < 5; i++) {
		double a = now_us();
		if (textidx_build(&db) != OMG_OK) {
			fprintf(stderr, "search_bench: %s\n", omg_errdetail());
			free(t);
			db_free(&db);
			return 1;
		}
		t[i] = now_us() - a;
	}
	qsort(t, 5, sizeof *t, cmp_double);
	printf("\nsearch index: %u documents, %u provided names, %u trigrams, %u bytes of lists; "
	       "%zu bytes in all; made in %.1f ms (median of 5)\n",
	       db.ndocs, db.ndoc_provs, db.ntris, db.npostings,
	       (size_t)(db.ndocs + 1) * sizeof *db.docs + (size_t)db.ndoc_provs * sizeof *db.doc_provs +
		       (size_t)db.ntris * sizeof *db.tris + db.npostings,
	       t[2] / 1e3);
	free(t);
	db_free(&db);
	return 0;
}
