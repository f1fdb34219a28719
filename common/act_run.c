/* act_run.c — a package manager run for the user with its progress shown (act.h). */
#include "config.h"
#include "act.h"
#include "cmd.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define LINE_MAX_BYTES 4096
#define PARTIAL_MS 150            /* a line without its end for this long is shown (a prompt) */
#define DRAIN_MS 300              /* output still read after the child exited */
#define BAR_WIDTH 30

static volatile sig_atomic_t sigints;

static void count_sigint(int sig)
{
	(void)sig;
	sigints++;
}

const char *omg_act_sudo(void)
{
	static const char *const places[] = { "/usr/bin/sudo", "/bin/sudo", "/usr/local/bin/sudo" };

	if (geteuid() == 0)
		return "";
	for (size_t i = 0; i < sizeof places / sizeof places[0]; i++)
		if (access(places[i], X_OK) == 0)
			return places[i];
	return NULL;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- the display ------------------------------------------------------------------- */
struct display {
	FILE *out;
	int tty;
	int bar_shown;       /* the bar is the line the cursor is on */
	int prompting;       /* a partial line (a prompt) is on screen: no bar until it ends */
	double pct;          /* overall, never lower than before */
	double dl_share;     /* the part of the bar the download takes */
	char stage[160];
	uint64_t download;
	double t0, dl_t0;
	int dl_said;         /* the download's summary line was shown */
	char dl_last[160];   /* the last download message shown (plain output) */
	char line[LINE_MAX_BYTES + 1];
	size_t len;
	double line_since;   /* when the partial line began */
	int partial_shown;   /* part of this line was shown already: the rest passes through */
	int in_list;         /* inside apt's own listing ("The following ...:" and its lines) */
	int pass_all;        /* OMG_ACT_PASS_ALL */
	int pacman;          /* OMG_ACT_PACMAN: pacman's lines are its progress */
	struct omg_act_result *r;
};

static void bar_clear(struct display *d)
{
	if (d->bar_shown) {
		fputs("\r\033[K", d->out);
		d->bar_shown = 0;
	}
}

static void bar_draw(struct display *d)
{
	int fill = (int)(d->pct * BAR_WIDTH / 100.0 + 0.5);
	char bar[BAR_WIDTH + 1];

	if (!d->tty || d->prompting)
		return;
	for (int i = 0; i < BAR_WIDTH; i++)
		bar[i] = i < fill ? '#' : '.';
	bar[BAR_WIDTH] = 0;
	fprintf(d->out, "\r\033[K[%s] %3d%%  %.100s", bar, (int)d->pct, d->stage);
	fflush(d->out);
	d->bar_shown = 1;
}

static void set_pct(struct display *d, double pct)
{
	if (pct > 100)
		pct = 100;
	if (pct > d->pct) /* the bar never goes backwards */
		d->pct = pct;
}

/* A line of ours (a stage) or the child's, above the bar. */
static void show_line(struct display *d, const char *text, size_t n)
{
	bar_clear(d);
	fwrite(text, 1, n, d->out);
	fputc('\n', d->out);
	d->prompting = 0;
	bar_draw(d);
	if (!d->tty)
		fflush(d->out);
}

static void stage_line(struct display *d, const char *verb, const char *what)
{
	char text[400];
	int n = snprintf(text, sizeof text, "%-12s %s", verb, what);

	show_line(d, text, n < 0 ? 0 : (size_t)n >= sizeof text ? sizeof text - 1 : (size_t)n);
}

static int starts(const char *s, const char *p)
{
	return !strncmp(s, p, strlen(p));
}

/* apt's and dpkg's own progress lines, which the stage lines and the bar replace (in the C
 * locale's words; in another language they pass through). */
static int replaced(struct display *d, const char *l)
{
	static const char *const prefixes[] = {
		"Reading package lists", "Building dependency tree", "Reading state information",
		"Get:", "Hit:", "Ign:", "Fetched ", "Need to get ", "After this operation",
		"Selecting previously unselected package", "(Reading database", "Preparing to unpack ",
		"Unpacking ", "Setting up ", "Removing ", "Purging configuration files for ",
		"Processing triggers for ", "Use 'apt autoremove'", "Use 'sudo apt autoremove'",
		"Suggested packages:", "Recommended packages:", "Calculating upgrade",
	};
	const char *s = l;

	while (*s == '\r')
		s++;
	if (d->in_list && s[0] == ' ' && s[1] == ' ')
		return 1;
	d->in_list = 0;
	if ((starts(s, "The following ") && s[strlen(s) - 1] == ':') || starts(s, "Suggested packages:") ||
	    starts(s, "Recommended packages:")) {
		d->in_list = 1;
		return 1;
	}
	if (strstr(s, " upgraded, ") && strstr(s, " newly installed, "))
		return 1;
	for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++)
		if (starts(s, prefixes[i]))
			return 1;
	return 0;
}

/* pacman 6's own lines (--noconfirm --noprogressbar, C locale; pacman/callback.c): 1 when
 * read here (a stage, or what omg's plan and summary say already), 0 to show it as it is. */
static int pacman_line(struct display *d, const char *l)
{
	static const char *const said[] = {
		"resolving dependencies...", "looking for conflicting packages...", "checking dependencies...",
		"Packages (", "Total Download Size:", "Total Installed Size:", "Total Removed Size:", "Net Upgrade Size:",
		":: Retrieving packages...", "checking keyring...", "checking package integrity...",
		"loading package files...", "loading packages...", "checking for file conflicts...", "checking available disk space...",
		":: Processing package changes...", ":: Starting full system upgrade...",
		":: Synchronizing package databases...",
	};
	static const struct {
		const char *prefix, *verb;
		int count; /* 1 installed, 2 upgraded, 3 removed */
	} stages[] = {
		{ "installing ", "Installing", 1 },   { "reinstalling ", "Reinstalling", 1 },
		{ "upgrading ", "Upgrading", 2 },     { "downgrading ", "Downgrading", 2 },
		{ "removing ", "Removing", 3 },
	};
	size_t n = strlen(l);
	char what[300];

	for (size_t i = 0; i < sizeof said / sizeof said[0]; i++)
		if (starts(l, said[i]))
			return 1;
	/* its questions, answered by --noconfirm (and --ask): the plan asked the user already */
	if (starts(l, ":: ") && (strstr(l, "[Y/n]") || strstr(l, "[y/N]")))
		return 1;
	if (starts(l, "error: ")) {
		if (d->r->nerrors < OMG_ACT_ERRORS_MAX)
			snprintf(d->r->errors[d->r->nerrors], sizeof d->r->errors[0], "%s", l + 7);
		d->r->nerrors++;
		return 0;
	}
	if (n > 15 && !strcmp(l + n - 15, " downloading...")) { /* " omgt-app-1.0-1-any downloading..." */
		size_t lead = strspn(l, " ");
		snprintf(what, sizeof what, "%.*s", (int)(n - 15 - lead), l + lead);
		snprintf(d->stage, sizeof d->stage, "Downloading %.140s", what);
		stage_line(d, "Downloading", what);
		return 1;
	}
	for (size_t i = 0; i < sizeof stages / sizeof stages[0]; i++) {
		if (!starts(l, stages[i].prefix) || n < strlen(stages[i].prefix) + 4 || strcmp(l + n - 3, "..."))
			continue;
		snprintf(what, sizeof what, "%.*s", (int)(n - strlen(stages[i].prefix) - 3), l + strlen(stages[i].prefix));
		if (stages[i].count == 1)
			d->r->installed++;
		else if (stages[i].count == 2)
			d->r->upgraded++;
		else
			d->r->removed++;
		snprintf(d->stage, sizeof d->stage, "%s %.140s", stages[i].verb, what);
		stage_line(d, stages[i].verb, what);
		return 1;
	}
	return 0;
}

/* A whole line of the child's output. */
static void child_line(struct display *d, char *l, size_t n)
{
	char *cr;

	if (d->partial_shown) { /* its start is on screen (a prompt answered): the rest follows it */
		fwrite(l, 1, n, d->out);
		fputc('\n', d->out);
		d->partial_shown = 0;
		d->prompting = 0;
		bar_draw(d);
		return;
	}
	while (n && l[n - 1] == '\r') /* a pty ends its lines \r\n */
		n--;
	/* "(Reading database ... 5%\r(Reading database ... 10%": what the terminal would keep */
	if ((cr = memrchr(l, '\r', n)) && cr + 1 < l + n) {
		n -= (size_t)(cr + 1 - l);
		l = cr + 1;
	}
	l[n] = 0;
	if (!n || (d->pacman ? pacman_line(d, l) : !d->pass_all && replaced(d, l)))
		return;
	show_line(d, l, n);
}

static void child_output(struct display *d, const char *buf, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (buf[i] == '\n') {
			child_line(d, d->line, d->len);
			d->len = 0;
			continue;
		}
		if (d->len == 0)
			d->line_since = now_s();
		if (d->len == LINE_MAX_BYTES) { /* no line this long is progress: shown as it is */
			bar_clear(d);
			fwrite(d->line, 1, d->len, d->out);
			d->partial_shown = 1;
			d->len = 0;
		}
		d->line[d->len++] = buf[i];
	}
}

/* A partial line waiting PARTIAL_MS is a question (dpkg's conffile prompt): shown now. */
static void child_partial(struct display *d)
{
	if (!d->len || now_s() - d->line_since < PARTIAL_MS / 1000.0)
		return;
	bar_clear(d);
	fwrite(d->line, 1, d->len, d->out);
	fflush(d->out);
	d->len = 0;
	d->partial_shown = 1;
	d->prompting = 1;
}

/* ---- apt's Status-Fd ------------------------------------------------------------------- */
static void status_line(struct display *d, struct omg_act_result *r, char *l)
{
	/* kind:field:percent:message, split at the first three ':' */
	char *kind = l, *field, *pct, *msg;
	double p;

	if (!(field = strchr(kind, ':')))
		return;
	*field++ = 0;
	if (!(pct = strchr(field, ':')))
		return;
	*pct++ = 0;
	if (!(msg = strchr(pct, ':')))
		return;
	*msg++ = 0;
	p = strtod(pct, NULL);
	if (!(p >= 0 && p <= 100))
		p = 0;
	if (!strcmp(kind, "dlstatus")) {
		char figures[160] = "";
		if (d->dl_t0 == 0)
			d->dl_t0 = now_s();
		if (d->download) {
			char done[32], all[32], rate[32];
			double bytes = (double)d->download * p / 100.0, secs = now_s() - d->dl_t0;
			omg_size_str(bytes, done, sizeof done);
			omg_size_str((double)d->download, all, sizeof all);
			omg_size_str(secs > 0.05 ? bytes / secs : 0, rate, sizeof rate);
			snprintf(figures, sizeof figures, ", %s of %s, %s/s", done, all, rate);
		}
		snprintf(d->stage, sizeof d->stage, "Downloading: %.60s%.84s", msg, figures);
		if (!d->tty && strcmp(d->dl_last, msg) != 0) { /* plain output: a line per file */
			snprintf(d->dl_last, sizeof d->dl_last, "%s", msg);
			stage_line(d, "Downloading", msg);
		}
		set_pct(d, p * d->dl_share);
		bar_draw(d);
	} else if (!strcmp(kind, "pmstatus")) {
		if (d->dl_t0 != 0 && !d->dl_said && d->download) { /* the download is over: what it took */
			char all[32], rate[32], text[160];
			double secs = now_s() - d->dl_t0;
			d->dl_said = 1;
			omg_size_str((double)d->download, all, sizeof all);
			omg_size_str(secs > 0.001 ? (double)d->download / secs : 0, rate, sizeof rate);
			snprintf(text, sizeof text, "%s in %.1f s (%s/s)", all, secs, rate);
			stage_line(d, "Downloaded", text);
		}
		static const struct {
			const char *prefix, *verb;
			int count; /* 1 installed, 2 removed, 3 configured */
		} stages[] = {
			{ "Unpacking ", "Unpacking", 0 },       { "Configuring ", "Setting up", 3 },
			{ "Installed ", NULL, 1 },              { "Removing ", "Removing", 0 },
			{ "Removed ", NULL, 2 },                { "Completely removing ", "Purging", 0 },
			{ "Completely removed ", NULL, 2 },     { "Running post-installation trigger ", "Trigger", 0 },
		};
		for (size_t i = 0; i < sizeof stages / sizeof stages[0]; i++) {
			if (!starts(msg, stages[i].prefix))
				continue;
			if (stages[i].count == 1)
				r->installed++;
			else if (stages[i].count == 2)
				r->removed++;
			else if (stages[i].count == 3)
				r->configured++;
			if (stages[i].verb)
				stage_line(d, stages[i].verb, msg + strlen(stages[i].prefix));
			break;
		}
		snprintf(d->stage, sizeof d->stage, "%.150s", msg);
		set_pct(d, d->dl_share * 100 + p * (1 - d->dl_share));
		bar_draw(d);
	} else if (!strcmp(kind, "pmerror")) {
		if (r->nerrors < OMG_ACT_ERRORS_MAX)
			snprintf(r->errors[r->nerrors], sizeof r->errors[0], "%s: %s", field, msg);
		r->nerrors++; /* dpkg says it on its output too: kept for the summary */
	} else if (!strcmp(kind, "pmconffile")) {
		stage_line(d, "Conffile", field); /* dpkg's question follows on its output */
	}
}

/* ---- the run ----------------------------------------------------------------------------- */
/* The user's terminal while the child has its own: keys go through as they are typed (the
 * child's terminal echoes them and makes ^C its SIGINT), output is still processed. */
static void raw_keys(int fd, const struct termios *saved)
{
	struct termios t = *saved;

	t.c_lflag &= (tcflag_t) ~(ICANON | ECHO | ISIG | IEXTEN);
	t.c_iflag &= (tcflag_t) ~(IXON | ICRNL | INLCR | IGNCR);
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	tcsetattr(fd, TCSANOW, &t);
}

int omg_act_run(const char *sudo, const char *root, const char *const *argv, uint64_t download, unsigned flags,
		FILE *out, int tty, struct omg_act_result *r)
{
	static const char script[] = OMG_ACT_SCRIPT;
	const char **full = NULL;
	char dir[4200], fifo[4300];
	const char *base = getenv("XDG_RUNTIME_DIR");
	struct display *d = NULL;
	struct sigaction on_int = { 0 }, old_int, old_pipe, old_chld, dfl = { 0 };
	sigset_t chld, old_mask;
	struct termios tio;
	struct winsize ws = { 0 };
	int have_tio = 0, use_pty = 0, outp[2] = { -1, -1 }, sfd = -1, n = 0, rc = -1, st = 0, exited = 0;
	char sbuf[8192];
	size_t slen = 0;
	double t_exit = 0;
	pid_t pid;

	memset(r, 0, sizeof *r);
	dir[0] = 0;
	if (!sudo) {
		snprintf(r->why, sizeof r->why, "this needs root: run it as root, or install sudo");
		return -1;
	}
	snprintf(dir, sizeof dir, "%s/omg-act.XXXXXX", base && base[0] == '/' ? base : "/tmp");
	if (!mkdtemp(dir)) {
		snprintf(r->why, sizeof r->why, "cannot make a directory for apt's status: %s", strerror(errno));
		dir[0] = 0;
		goto out;
	}
	snprintf(fifo, sizeof fifo, "%s/status", dir);
	if (mkfifo(fifo, 0600) != 0 || (sfd = open(fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) < 0) {
		snprintf(r->why, sizeof r->why, "cannot make apt's status FIFO: %s", strerror(errno));
		goto out;
	}
	/* On a terminal the child gets one of its own (a pty), as apt and dpkg expect: debconf's
	 * dialogs, dpkg's conffile questions and sudo's password prompt work as under apt, and
	 * what it writes still passes through here. Otherwise a pipe. */
	have_tio = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &tio) == 0;
	use_pty = tty && have_tio;
	if (use_pty) {
		ioctl(STDIN_FILENO, TIOCGWINSZ, &ws);
		if (openpty(&outp[0], &outp[1], NULL, &tio, ws.ws_col ? &ws : NULL) != 0) {
			snprintf(r->why, sizeof r->why, "cannot open a terminal for apt: %s", strerror(errno));
			goto out;
		}
		fcntl(outp[0], F_SETFD, FD_CLOEXEC);
		fcntl(outp[1], F_SETFD, FD_CLOEXEC);
	} else if (pipe2(outp, O_CLOEXEC) != 0) {
		snprintf(r->why, sizeof r->why, "pipe: %s", strerror(errno));
		goto out;
	}
	for (n = 0; argv[n]; n++)
		;
	if (!(full = calloc((size_t)n + 10, sizeof *full)) || !(d = calloc(1, sizeof *d))) {
		snprintf(r->why, sizeof r->why, "out of memory");
		goto out;
	}
	n = 0;
	if (sudo[0]) {
		full[n++] = sudo;
		full[n++] = "--";
	}
	full[n++] = "/bin/sh";
	full[n++] = "-c";
	full[n++] = script;
	full[n++] = fifo;
	if (root && strcmp(root, "/") != 0 && !(flags & OMG_ACT_PACMAN)) {
		full[n++] = "/usr/sbin/chroot";
		full[n++] = root;
	}
	for (int i = 0; argv[i]; i++)
		full[n++] = argv[i];
	full[n] = NULL;

	d->out = out;
	d->tty = tty;
	d->download = download;
	d->pass_all = !!(flags & OMG_ACT_PASS_ALL);
	d->pacman = !!(flags & OMG_ACT_PACMAN);
	d->r = r;
	d->dl_share = download ? 0.25 : 0;
	d->t0 = now_s();
	snprintf(d->stage, sizeof d->stage, "Starting %s", argv[0]);
	/* the child is reaped here, not by the shell's SIGCHLD handler; Ctrl-C is counted */
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, &old_mask);
	sigints = 0;
	on_int.sa_handler = count_sigint;
	sigemptyset(&on_int.sa_mask);
	sigaction(SIGINT, &on_int, &old_int);
	/* a reader that goes (| head) must not end us half-way: apt would die on its next line */
	dfl.sa_handler = SIG_IGN;
	sigemptyset(&dfl.sa_mask);
	sigaction(SIGPIPE, &dfl, &old_pipe);
	/* SIGCHLD ignored (inherited from a caller) reaps the child for us: its status lost */
	sigaction(SIGCHLD, NULL, &old_chld);
	if (old_chld.sa_handler == SIG_IGN) {
		dfl.sa_handler = SIG_DFL;
		sigaction(SIGCHLD, &dfl, NULL);
	}
	fflush(out);
	pid = fork();
	if (pid == 0) {
		sigset_t none;
		static const int reset[] = { SIGINT, SIGQUIT, SIGTERM, SIGPIPE, SIGCHLD, SIGHUP, SIGTSTP, SIGTTIN, SIGTTOU };
		for (size_t i = 0; i < sizeof reset / sizeof reset[0]; i++)
			signal(reset[i], SIG_DFL);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		if (use_pty) { /* a session of its own, the pty its controlling terminal */
			setsid();
			ioctl(outp[1], TIOCSCTTY, 0);
			dup2(outp[1], STDIN_FILENO);
		}
		dup2(outp[1], STDOUT_FILENO);
		dup2(outp[1], STDERR_FILENO);
		execv(full[0], (char *const *)full);
		dprintf(STDERR_FILENO, "omg: %s: %s\n", full[0], strerror(errno));
		_exit(127);
	}
	close(outp[1]);
	outp[1] = -1;
	if (pid < 0) {
		snprintf(r->why, sizeof r->why, "fork: %s", strerror(errno));
		goto restore;
	}
	r->started = 1;
	if (use_pty)
		raw_keys(STDIN_FILENO, &tio);
	bar_draw(d);
	for (;;) {
		struct pollfd p[3] = { { .fd = outp[0], .events = POLLIN }, { .fd = sfd, .events = POLLIN },
				       { .fd = use_pty && !exited ? STDIN_FILENO : -1, .events = POLLIN } };
		char buf[8192];
		ssize_t got;

		if (poll(p, 3, 50) < 0 && errno != EINTR)
			break;
		if (outp[0] >= 0 && (p[0].revents & (POLLIN | POLLHUP | POLLERR))) {
			got = read(outp[0], buf, sizeof buf);
			if (got > 0)
				child_output(d, buf, (size_t)got);
			else if (got == 0 || errno != EINTR) { /* a pty says EIO when the child is gone */
				close(outp[0]);
				outp[0] = -1;
			}
		}
		if (p[2].revents & POLLIN) { /* the user's keys, to the child's terminal */
			got = read(STDIN_FILENO, buf, sizeof buf);
			if (got > 0) {
				if (memchr(buf, 3, (size_t)got))
					r->interrupted = 1; /* ^C: the child's terminal makes it SIGINT */
				if (outp[0] >= 0 && write(outp[0], buf, (size_t)got) < 0)
					(void)0; /* the child is going: its keys with it */
			}
		}
		if (use_pty && outp[0] >= 0) { /* the window's size follows the user's */
			struct winsize now;
			if (ioctl(STDIN_FILENO, TIOCGWINSZ, &now) == 0 && (now.ws_col != ws.ws_col || now.ws_row != ws.ws_row)) {
				ws = now;
				ioctl(outp[0], TIOCSWINSZ, &ws);
			}
		}
		if ((p[1].revents & POLLHUP) && !(p[1].revents & POLLIN)) {
			close(sfd); /* apt closed its end: polled no more */
			sfd = -1;
		}
		if (p[1].revents & POLLIN) {
			got = read(sfd, sbuf + slen, sizeof sbuf - 1 - slen);
			if (got > 0) {
				char *nl, *s = sbuf;
				slen += (size_t)got;
				sbuf[slen] = 0;
				while ((nl = memchr(s, '\n', (size_t)(sbuf + slen - s)))) {
					*nl = 0;
					status_line(d, r, s);
					s = nl + 1;
				}
				slen = (size_t)(sbuf + slen - s);
				memmove(sbuf, s, slen);
				if (slen == sizeof sbuf - 1)
					slen = 0; /* a line this long is not apt's */
			}
		}
		child_partial(d);
		if (sigints)
			r->interrupted = 1;
		if (!exited) {
			pid_t w = waitpid(pid, &st, WNOHANG | WUNTRACED);
			if (w == pid && WIFSTOPPED(st)) {
				/* ^Z in a shell whose group is not orphaned: a builtin cannot suspend, and
				 * nobody else could continue it (holding dpkg's lock): it goes on */
				pid_t g = getpgid(pid);
				kill(g > 0 ? -g : pid, SIGCONT);
				st = 0;
			} else if (w == pid || (w < 0 && errno == ECHILD)) {
				exited = 1;
				t_exit = now_s();
			}
		}
		/* after its end, what it wrote is read for a moment more (a service it started may
		 * keep the pipe open for ever) */
		if (exited && (outp[0] < 0 || now_s() - t_exit > DRAIN_MS / 1000.0))
			break;
	}
	if (d->len)
		child_line(d, d->line, d->len);
	bar_clear(d);
	r->exited = WIFEXITED(st);
	r->status = r->exited ? WEXITSTATUS(st) : WIFSIGNALED(st) ? WTERMSIG(st) : 0;
	r->seconds = now_s() - d->t0;
	rc = 0;
restore:
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGPIPE, &old_pipe, NULL);
	if (old_chld.sa_handler == SIG_IGN)
		sigaction(SIGCHLD, &old_chld, NULL);
	sigprocmask(SIG_SETMASK, &old_mask, NULL);
	if (have_tio)
		tcsetattr(STDIN_FILENO, TCSANOW, &tio); /* raw keys off; a killed sudo can leave echo off */
	fflush(out);
out:
	if (outp[0] >= 0)
		close(outp[0]);
	if (outp[1] >= 0)
		close(outp[1]);
	if (sfd >= 0)
		close(sfd);
	if (dir[0]) {
		unlink(fifo);
		rmdir(dir);
	}
	free(full);
	free(d);
	return rc;
}
