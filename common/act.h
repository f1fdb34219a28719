/* act.h — running a package manager for the user, from any front end (the omg executable
 * or inside bash or zsh): its locks, its run with the user's own privileges, its progress.
 *
 * Nothing here is privileged: as root the package manager runs directly, otherwise through
 * `sudo` in the foreground, so sudo's password prompt, debconf's questions and dpkg's
 * conffile prompts reach the user's terminal as they do with apt. apt reports its progress
 * on APT::Status-Fd, which is a FIFO made here in a private directory and opened by a shell
 * after sudo (sudo closes every other descriptor); pacman has no such descriptor, its own
 * lines are read instead (OMG_ACT_PACMAN). The child stays in the caller's process
 * group (Ctrl-C reaches it, as it reaches apt in a shell) and is reaped here, never by the
 * shell: SIGCHLD is blocked while it runs, SIGINT is counted instead of handled by the shell,
 * SIGPIPE is ignored (a reader gone must not end the run half-way), a child stopped by ^Z is
 * continued (a builtin cannot suspend it), and the terminal's modes, the signal mask and the
 * handlers are restored on every way out.
 */
#ifndef OMG_ACT_H
#define OMG_ACT_H

#include <stdint.h>
#include <stdio.h>

#define OMG_LOCK_WAIT_S 120      /* default of --lock-timeout */
#define OMG_ACT_LOCKS_MAX 4

/* Locks come in two kinds. apt's and dpkg's are fcntl locks on files that stay: the holder
 * is named from /proc/locks (world-readable, so no privilege is needed to name apt's or
 * dpkg's holder). pacman's DBPath/db.lck is a lock whose existence is the lock (libalpm
 * makes it with O_EXCL and removes it at the end): it is held while the file exists, and a
 * pacman that was killed leaves it behind. */
#define OMG_LOCK_FCNTL 0
#define OMG_LOCK_EXISTS 1

/* Who holds a lock: its PID and command name (an fcntl lock), or pid 0 (a lock file). */
struct omg_lock_holder {
	const char *path;
	int pid;
	char comm[64];
};

/* The first of PATHS (N of them, all of KIND) held by another process into *H: 1, or 0
 * when none is. */
int omg_lock_holder(const char *const *paths, int n, int kind, struct omg_lock_holder *h);

/* "held by process 2614 (apt-get)", or what a lock file's existence says, into BUF. */
void omg_lock_describe(const struct omg_lock_holder *h, char *buf, size_t n);

/* Waits up to WAIT_S seconds until none of PATHS (of KIND) is held, counting down on ERR
 * (one line redrawn on a terminal, a line every 10 s otherwise). INTERRUPTED (may be NULL)
 * is polled: non-zero gives up. Returns 0 when free, 1 on timeout (*H says who held it), 2
 * interrupted. */
int omg_lock_wait(const char *const *paths, int n, int kind, int wait_s, FILE *err, int tty,
		  int (*interrupted)(void), struct omg_lock_holder *h);

/* What a run did, from apt's Status-Fd and its exit. */
struct omg_act_result {
	int started;             /* the package manager ran */
	int exited, status;      /* its exit status (exited) or the signal that ended it */
	int interrupted;         /* Ctrl-C was pressed while it ran */
	uint32_t installed, upgraded, removed, configured; /* pmstatus events seen */
	uint32_t nerrors;        /* pmerror lines (the first OMG_ACT_ERRORS_MAX kept) */
	char errors[8][512];
	double seconds;
	char why[512];           /* "" or why it could not start */
};
#define OMG_ACT_ERRORS_MAX 8

/* Runs ARGV (argv[0] a program found in PATH; inside ROOT by chroot when ROOT is not "/")
 * with descriptor 3 open on the status FIFO (ARGV says APT::Status-Fd=3), through SUDO (the
 * path omg_act_sudo gave and the command shown named; "" as root). Progress and the child's own output go to OUT: a bar and a line per stage on a
 * terminal (TTY), plain lines otherwise; apt's and dpkg's own progress lines are replaced by
 * them, everything else (maintainer scripts, prompts) passes through as it comes. DOWNLOAD:
 * the plan's bytes to fetch, for the download's figures. FLAGS: OMG_ACT_*. Returns 0 when
 * it ran (see R), -1 when it could not start (R->why). */
/* What sudo is given, before the command: sudo closes every descriptor above 2, so this
 * shell opens the status FIFO ($0) as descriptor 3, then becomes the command. */
#define OMG_ACT_SCRIPT "exec 3>\"$0\" || exit 126; exec \"$@\""
#define OMG_ACT_PASS_ALL 0x1u     /* FLAGS: pass every line through (apt-get update's Get/Hit lines) */
/* FLAGS: ARGV is pacman's (--noprogressbar, the C locale's words): it reaches ROOT itself (--root,
 * no chroot), has no status descriptor, and its own lines are read instead: "installing X...",
 * "upgrading X...", "removing X..." become the stage lines and counts, its summary and checks
 * are replaced by omg's, "error: " lines are kept as the errors. */
#define OMG_ACT_PACMAN 0x2u
int omg_act_run(const char *sudo, const char *root, const char *const *argv, uint64_t download, unsigned flags,
		FILE *out, int tty, struct omg_act_result *r);

/* sudo's path when the caller is not root and it exists, "" as root; NULL: neither. */
const char *omg_act_sudo(void);

#endif
