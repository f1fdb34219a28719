/* omg_bench.c — request latency over one kept connection (what a shell module sees):
 *   omg_bench [ITERATIONS [LABEL-PREFIX]]
 * Prints the median and the 99th percentile of each request type, in microseconds. */
#include "config.h"
#include "client.h"
#include "omg_error.h"

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

struct job {
	const char *label;
	uint8_t type;
	struct omg_query q;
};

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 2000;
	struct omg_client c;
	struct omg_answer a;
	const struct job jobs[] = {
		{ "STATUS", OMG_MSG_STATUS, { 0 } },
		{ "PING", OMG_MSG_PING, { 0 } },
		{ "SEARCH fire (names)", OMG_MSG_SEARCH, { .text = "fire", .limit = 50 } },
		{ "SEARCH fire (+descriptions)", OMG_MSG_SEARCH, { .text = "fire", .limit = 50, .flags = OMG_SEARCH_DESCRIPTIONS } },
		{ "SUGGEST fir", OMG_MSG_SUGGEST, { .text = "fir", .limit = 5000 } },
		{ "INFO bash (installed)", OMG_MSG_INFO, { .text = "bash" } },
		{ "INFO fzf (from a .lz4 list)", OMG_MSG_INFO, { .text = "fzf" } },
		{ "LIST installed", OMG_MSG_LIST, { .kind = OMG_LIST_INSTALLED } },
		{ "LIST upgradable", OMG_MSG_LIST, { .kind = OMG_LIST_UPGRADABLE } },
		{ "PROVIDES ls", OMG_MSG_PROVIDES, { .text = "ls" } },
		{ "SIMILAR gti", OMG_MSG_SIMILAR, { .text = "gti" } },
		{ "DEPENDS bash", OMG_MSG_DEPENDS, { .text = "bash" } },
		{ "RDEPENDS libc6", OMG_MSG_RDEPENDS, { .text = "libc6" } },
		{ "VERSIONS bash (records)", OMG_MSG_VERSIONS, { .text = "bash", .flags = OMG_VERSIONS_RECORDS } },
	};
	double *t = malloc(sizeof *t * (size_t)n);

	if (n < 10 || !t || omg_client_init(&c, NULL, 5000) != OMG_OK) {
		free(t);
		return 2;
	}
	for (size_t j = 0; j < sizeof jobs / sizeof jobs[0]; j++) {
		if (argc > 2 && strncmp(jobs[j].label, argv[2], strlen(argv[2])) != 0)
			continue;
		int slow = (jobs[j].type == OMG_MSG_INFO && !strcmp(jobs[j].q.text, "fzf")) || jobs[j].type == OMG_MSG_RDEPENDS ||
			   jobs[j].type == OMG_MSG_VERSIONS || (jobs[j].type == OMG_MSG_LIST && jobs[j].q.kind == OMG_LIST_INSTALLED);
		int reps = slow ? n / 20 : n;
		if (reps < 10)
			reps = 10;
		for (int i = 0; i < reps; i++) {
			double t0 = now_us();
			omg_enc_query(omg_client_begin(&c, jobs[j].type), jobs[j].type, &jobs[j].q);
			if (omg_client_call(&c, &a) != OMG_OK) {
				fprintf(stderr, "%s: %s\n", jobs[j].label, omg_errdetail());
				omg_client_close(&c);
				free(t);
				return 1;
			}
			t[i] = now_us() - t0;
		}
		qsort(t, (size_t)reps, sizeof *t, cmp_double);
		printf("%-30s median %8.1f us   p99 %8.1f us   (%d calls, round trip)\n", jobs[j].label,
		       t[reps / 2], t[reps * 99 / 100], reps);
	}
	omg_client_close(&c);
	free(t);
	return 0;
}
