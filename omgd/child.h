/* child.h — runs a program to its end or to its deadline, its output captured.
 *
 * The child gets /dev/null as standard input, one pipe as standard output and error, an
 * empty signal mask and default dispositions, and a process group of its own: at the
 * deadline the whole group is killed (SIGKILL) and reaped. Nothing else of omgd's is
 * inherited (every descriptor omgd opens is close-on-exec). Safe to call from any thread.
 */
#ifndef OMGD_CHILD_H
#define OMGD_CHILD_H

#include <stddef.h>
#include <stdint.h>

struct spawn_result {
	int exited;        /* 1: it exited (STATUS is its exit status); 0: killed by a signal */
	int status;        /* the exit status, or the signal's number */
	int timed_out;     /* it passed the deadline and was killed */
	int truncated;     /* it wrote more than the cap: the rest was read and dropped */
	int cancelled;     /* *CANCEL became non-zero: it was killed */
	char *out;         /* what it wrote (malloc'd, NUL-terminated), LEN bytes */
	size_t len;
	uint64_t ns;       /* from start to end */
};

/* Runs ARGV[0] (a path) with ARGV and ENVP; keeps at most CAP bytes of its output; kills it
 * DEADLINE_MS after the start, or within 100 ms of *CANCEL (read atomically; NULL: never)
 * becoming non-zero. OMG_OK with *R filled (free R->out), or OMG_E_SYS (could not start it:
 * the detail says why) / OMG_E_NOMEM. */
int spawn_capture(const char *const argv[], const char *const envp[], int deadline_ms, size_t cap,
		  const int *cancel, struct spawn_result *r);

#endif
