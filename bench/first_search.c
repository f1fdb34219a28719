/* first_search.c — time from starting omgd to its first search answer:
 *   first_search OMGD RUNDIR RUNS QUERY [omgd options...]
 * Each run execs OMGD --foreground with a socket and status file in RUNDIR plus the given
 * options, then asks SEARCH QUERY every 1 ms until an answer comes (NOT_READY and a
 * missing socket are retried), and stops omgd. Prints the median and the spread in ms. */
#include "config.h"
#include "client.h"
#include "omg_error.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	char sock[4200], status[4200];
	double *t;
	int runs;

	if (argc < 5) {
		fprintf(stderr, "usage: first_search OMGD RUNDIR RUNS QUERY [omgd options...]\n");
		return 2;
	}
	runs = atoi(argv[3]);
	if (runs < 1 || !(t = calloc((size_t)runs, sizeof *t)))
		return 2;
	snprintf(sock, sizeof sock, "%s/bench.sock", argv[2]);
	snprintf(status, sizeof status, "%s/bench.status", argv[2]);
	for (int r = 0; r < runs; r++) {
		char **args = calloc((size_t)argc + 8, sizeof *args);
		struct omg_query q = { .text = argv[4], .limit = 50 };
		struct omg_client c;
		struct omg_answer a;
		double t0 = now_ms();
		int n = 0, st;
		pid_t pid;

		if (!args) {
			free(t);
			return 2;
		}
		args[n++] = argv[1];
		args[n++] = "--foreground";
		args[n++] = "--socket";
		args[n++] = sock;
		args[n++] = "--status";
		args[n++] = status;
		for (int i = 5; i < argc; i++)
			args[n++] = argv[i];
		if ((pid = fork()) == 0) {
			int fd = open("/dev/null", O_WRONLY);
			dup2(fd, 2);
			execv(argv[1], args);
			_exit(127);
		}
		omg_client_init(&c, sock, 2000);
		for (;;) {
			omg_enc_query(omg_client_begin(&c, OMG_MSG_SEARCH), OMG_MSG_SEARCH, &q);
			if (omg_client_call(&c, &a) == OMG_OK && a.type == (OMG_MSG_SEARCH | OMG_MSG_ANSWER))
				break;
			if (getenv("FS_DEBUG"))
				fprintf(stderr, "%.2f %s\n", now_ms() - t0, omg_errdetail());
			omg_client_close(&c);
			omg_client_init(&c, sock, 2000);
			if (now_ms() - t0 > 30000 || waitpid(pid, &st, WNOHANG) == pid) {
				fprintf(stderr, "first_search: omgd did not answer: %s\n", omg_errdetail());
				free(args);
				free(t);
				return 1;
			}
			usleep(1000);
		}
		t[r] = now_ms() - t0;
		omg_client_close(&c);
		kill(pid, SIGTERM);
		waitpid(pid, &st, 0);
		free(args);
	}
	qsort(t, (size_t)runs, sizeof *t, cmp_double);
	printf("%.2f ms median (min %.2f, max %.2f, %d runs)\n", t[runs / 2], t[0], t[runs - 1], runs);
	free(t);
	return 0;
}
