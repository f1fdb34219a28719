/* cmd_doctor.c — omg doctor: what is wrong with this setup and how to fix it, one check a
 * line (the daemon, its socket and runtime directory, the status file, the index, the store,
 * the shell modules and rc files, completion, the lists' age, apt-file's Contents, the last
 * verification's keyrings verdict, the systemd user units).
 *
 * It asks omgd with what exists (HELLO, STATUS, METRICS: each within the call deadline) and
 * never starts it; everything else is read from files, opened without blocking (a FIFO at
 * ~/.bashrc cannot hang the shell) and at most RC_MAX bytes of each.
 * Exit status: 3 when omgd is unavailable (the daemon, socket or runtime directory check
 * failed), 5 when the last verification found untrusted sources, 4 for any other failure,
 * 1 when there are warnings only, 0 when every check is ok. */
#include "config.h"
#include "cmd.h"
#include "install_dirs.h"
#include "paths.h"
#include "status_file.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define RC_MAX (1u << 20)          /* an rc file is read this far */
#define LISTS_OLD_SECS (7 * 86400) /* lists older than a week: warn */
#define BASH_COMPLETION_DIR "/usr/share/bash-completion"

struct doctor {
	struct omg_ctx *ctx;
	struct omg_check c[OMG_CHECKS_MAX];
	size_t n;
	const char *home;
	char root[PATH_MAX];      /* omgd's package root, "/" without omgd */
	int running;              /* omgd answered */
	int exit_code;
};

static struct omg_check *add(struct doctor *d, const char *name, enum omg_check_level level, const char *fix,
			     const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static struct omg_check *add(struct doctor *d, const char *name, enum omg_check_level level, const char *fix,
			     const char *fmt, ...)
{
	struct omg_check *c = &d->c[d->n < OMG_CHECKS_MAX ? d->n++ : OMG_CHECKS_MAX - 1];
	va_list ap;

	c->name = name;
	c->level = level;
	va_start(ap, fmt);
	vsnprintf(c->what, sizeof c->what, fmt, ap);
	va_end(ap);
	snprintf(c->fix, sizeof c->fix, "%s", fix ? fix : "");
	return c;
}

/* PATH with $HOME written as ~ (for what a user reads) into OUT. */
static const char *tilde(const struct doctor *d, const char *path, char *out, size_t n)
{
	size_t h = d->home ? strlen(d->home) : 0;

	if (h > 1 && !strncmp(path, d->home, h) && (path[h] == '/' || !path[h]))
		snprintf(out, n, "~%s", path + h);
	else
		snprintf(out, n, "%s", path);
	return out;
}

/* "3 s", "5 min", "2 h", "4 days" */
static void age_str(uint64_t secs, char *out, size_t n)
{
	if (secs < 120)
		snprintf(out, n, "%llu s", (unsigned long long)secs);
	else if (secs < 7200)
		snprintf(out, n, "%llu min", (unsigned long long)(secs / 60));
	else if (secs < 2 * 86400)
		snprintf(out, n, "%llu h", (unsigned long long)(secs / 3600));
	else
		snprintf(out, n, "%llu days", (unsigned long long)(secs / 86400));
}

/* A regular file's contents (at most RC_MAX bytes, NUL-terminated), opened without
 * blocking; NULL when it is not there or not a regular file. */
static char *read_small(const char *path)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	struct stat st;
	char *buf = NULL;
	size_t len = 0;
	ssize_t r;

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || !(buf = malloc(RC_MAX + 1)))
		goto fail;
	while (len < RC_MAX && (r = read(fd, buf + len, RC_MAX - len)) > 0)
		len += (size_t)r;
	buf[len] = 0;
	close(fd);
	return buf;
fail:
	close(fd);
	free(buf);
	return NULL;
}

static int exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

/* ---- omgd: HELLO, STATUS, METRICS ------------------------------------------------------ */

struct answers {
	struct omg_hello hello;
	char name[128], backend[32];
	struct omg_status_msg st;
	char store_problem[512];
	uint32_t flags;
	pid_t pid;
	uint64_t lists_at, index_bytes, damaged, npkgs;
	int have_metrics;
};

static int ask(struct doctor *d, struct omg_client *cl, struct answers *an)
{
	struct omg_hello h = { .min_version = OMG_PROTO_VERSION, .max_version = OMG_PROTO_VERSION,
			       .name = "omg " PACKAGE_VERSION };
	int timeout = d->ctx->opts.timeout_ms > 0 ? d->ctx->opts.timeout_ms : cl->timeout_ms;
	struct omg_answer a;
	struct omg_pairs m;
	struct ucred cred;
	socklen_t clen = sizeof cred;
	int rc;

	omg_enc_hello(omg_client_begin(cl, OMG_MSG_HELLO), &h, 0);
	if ((rc = omg_client_call_within(cl, &a, timeout)) != OMG_OK)
		return rc;
	if (omg_dec_hello(a.payload, a.length, &h, 1) != OMG_OK)
		return OMG_ERROR(OMG_E_PROTO, "malformed HELLO answer");
	snprintf(an->name, sizeof an->name, "%s", h.name ? h.name : "");
	snprintf(an->backend, sizeof an->backend, "%s", h.backend ? h.backend : "");
	an->pid = 0;
	if (getsockopt(cl->fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) == 0)
		an->pid = cred.pid;
	omg_client_begin(cl, OMG_MSG_STATUS);
	if ((rc = omg_client_call_within(cl, &a, timeout)) != OMG_OK)
		return rc;
	if (omg_dec_status(a.payload, a.length, &an->st) != OMG_OK)
		return OMG_ERROR(OMG_E_PROTO, "malformed STATUS answer");
	/* the strings point into the client's buffer, which the next call reuses */
	snprintf(d->root, sizeof d->root, "%s", an->st.root);
	snprintf(an->store_problem, sizeof an->store_problem, "%s", an->st.store);
	an->st.root = d->root;
	an->st.store = an->store_problem;
	an->st.backend = an->backend;
	omg_client_begin(cl, OMG_MSG_METRICS);
	if (omg_client_call_within(cl, &a, timeout) == OMG_OK && omg_dec_pairs(a.payload, a.length, a.type, &m) == OMG_OK) {
		an->have_metrics = 1;
		for (uint32_t i = 0; i < m.count; i++) {
			const char *k = m.kv[i].key;
			uint64_t v = m.kv[i].number;
			if (!strcmp(k, "omg_lists_refreshed_timestamp_seconds"))
				an->lists_at = v;
			else if (!strcmp(k, "index_bytes"))
				an->index_bytes = v;
			else if (!strcmp(k, "damaged_lists"))
				an->damaged = v;
			else if (!strcmp(k, "index_packages"))
				an->npkgs = v;
		}
		omg_pairs_free(&m);
	}
	return OMG_OK;
}

/* The runtime directory, the socket and the daemon. */
static void check_daemon(struct doctor *d, struct answers *an)
{
	char rt[PATH_MAX], sock[PATH_MAX], shown[PATH_MAX], up[32], exe[PATH_MAX] = "";
	const char *start = "omg daemon start (or: systemctl --user enable --now omgd.socket)";
	struct omg_client own, *cl;
	struct stat st;
	int rc;

	if (omg_runtime_dir(rt, sizeof rt, 0) != OMG_OK) {
		add(d, "runtime", OMG_CHECK_FAIL, "omgd creates it at its start: omg daemon start", "%s", omg_errdetail());
	} else if (lstat(rt, &st) != 0) {
		add(d, "runtime", OMG_CHECK_FAIL, start, "%s: %s", rt, strerror(errno));
	} else if (!S_ISDIR(st.st_mode) || st.st_uid != getuid() || (st.st_mode & 077)) {
		add(d, "runtime", OMG_CHECK_FAIL, "make it yours alone (chmod 700), or set XDG_RUNTIME_DIR",
		    "%s: %s, mode %04o, owner uid %u: not private", rt, S_ISDIR(st.st_mode) ? "a directory" : "not a directory",
		    (unsigned)(st.st_mode & 07777), (unsigned)st.st_uid);
	} else {
		add(d, "runtime", OMG_CHECK_OK, NULL, "%s (mode 0700, yours)", rt);
	}

	if (omg_socket_path(sock, sizeof sock) != OMG_OK)
		snprintf(sock, sizeof sock, "(none: %s)", omg_errdetail());
	if (d->ctx->env->client) {
		cl = d->ctx->env->client;
		rc = omg_client_retarget(cl);
	} else {
		cl = &own;
		rc = omg_client_init(&own, NULL, d->ctx->opts.timeout_ms);
	}
	if (rc == OMG_OK)
		rc = ask(d, cl, an);
	if (rc == OMG_OK && an->pid > 0) {
		char link[64];
		ssize_t n;
		snprintf(link, sizeof link, "/proc/%d/exe", (int)an->pid);
		if ((n = readlink(link, exe, sizeof exe - 1)) > 0)
			exe[n] = 0;
		else
			exe[0] = 0;
	}
	if (!d->ctx->env->client)
		omg_client_close(&own);

	tilde(d, sock, shown, sizeof shown);
	if (lstat(sock, &st) != 0)
		add(d, "socket", OMG_CHECK_FAIL, start, "no socket at %s", shown);
	else if (!S_ISSOCK(st.st_mode))
		add(d, "socket", OMG_CHECK_FAIL, "remove it (omgd makes the socket at its start)", "%s is not a socket", shown);
	else if (rc == OMG_E_NODAEMON)
		add(d, "socket", OMG_CHECK_FAIL, start, "%s: nobody listens (left by an omgd that ended)", shown);
	else
		add(d, "socket", OMG_CHECK_OK, NULL, "%s", shown);

	if (rc != OMG_OK) {
		add(d, "daemon", OMG_CHECK_FAIL,
		    rc == OMG_E_TIMEOUT ? "omg daemon stop; omg daemon start (its log: omgd.log in the runtime directory)" : start,
		    "omgd unavailable: %s", omg_errdetail());
		return;
	}
	d->running = 1;
	age_str(omg_now() > an->st.started_at ? omg_now() - an->st.started_at : 0, up, sizeof up);
	{
		char want[64];
		snprintf(want, sizeof want, "omgd %s", PACKAGE_VERSION);
		if (strcmp(an->name, want) != 0)
			add(d, "daemon", OMG_CHECK_WARN, "omg daemon stop; omg daemon start (then the same version runs)",
			    "%s is running (pid %d%s%s), this omg is %s", an->name, (int)an->pid, exe[0] ? ", " : "",
			    tilde(d, exe, shown, sizeof shown), PACKAGE_VERSION);
		else
			add(d, "daemon", OMG_CHECK_OK, NULL, "%s, pid %d%s%s, up %s, %s backend, root %s", an->name, (int)an->pid,
			    exe[0] ? ", " : "", tilde(d, exe, shown, sizeof shown), up, an->backend, d->root);
	}
}

static void check_status_file(struct doctor *d, const struct answers *an)
{
	char path[PATH_MAX], shown[PATH_MAX];
	struct omg_status_file s;
	int rc;

	if (omg_runtime_path(path, sizeof path, OMG_STATUS_NAME, 0) != OMG_OK)
		return; /* said by the runtime check */
	tilde(d, path, shown, sizeof shown);
	rc = omg_status_read(path, &s, omg_now());
	if (rc == OMG_OK)
		add(d, "status", OMG_CHECK_OK, NULL, "%s: current (%u installed, %u updates)", shown, s.total, s.updates);
	else if (rc == OMG_E_NOTFOUND)
		add(d, "status", d->running ? OMG_CHECK_FAIL : OMG_CHECK_WARN,
		    d->running ? "omg daemon stop; omg daemon start" : "omg daemon start",
		    "no %s: the prompt's $OMG_* variables are empty", shown);
	else if (rc == OMG_E_STALE && !d->running)
		add(d, "status", OMG_CHECK_FAIL, "omg daemon start (it publishes a new one)", "%s", omg_errdetail());
	else
		add(d, "status", OMG_CHECK_FAIL, d->running ? "remove it; omgd publishes a new one within a second"
							     : "remove it; omgd publishes a new one at its start",
		    "%s (the prompt's $OMG_* variables are empty)", omg_errdetail());
	(void)an;
}

static void check_index_store(struct doctor *d, const struct answers *an)
{
	char age[32], dir[PATH_MAX], shown[PATH_MAX], size[32], isize[32], path[PATH_MAX + 16];
	const struct omg_status_msg *m = &an->st;
	struct stat st;

	if (!d->running)
		return;
	age_str(omg_now() > m->updated_at ? omg_now() - m->updated_at : 0, age, sizeof age);
	if (!(m->flags & OMG_STATUS_READY))
		add(d, "index", OMG_CHECK_WARN, "wait a moment: omgd is building its first index", "not built yet");
	else if (m->flags & OMG_STATUS_DEGRADED)
		add(d, "index", OMG_CHECK_FAIL, "see omgd's log (omgd.log in the runtime directory, or journalctl --user -u omgd)",
		    "the last rebuild failed: serving generation %llu, %s old", (unsigned long long)m->generation, age);
	else if (an->damaged)
		add(d, "index", OMG_CHECK_WARN, "omg update (apt-get update downloads them again)",
		    "%llu damaged package lists left out", (unsigned long long)an->damaged);
	else
		add(d, "index", OMG_CHECK_OK, NULL, "%llu packages, generation %llu, updated %s ago", (unsigned long long)an->npkgs,
		    (unsigned long long)m->generation, age);

	omg_size_str((double)an->index_bytes, isize, sizeof isize);
	if (m->store && m->store[0]) {
		add(d, "store", OMG_CHECK_FAIL, "see omgd's log; omgd serves from memory meanwhile (a restart builds again)",
		    "unavailable: %s", m->store);
		return;
	}
	if (omg_store_default_dir(dir, sizeof dir, d->root) == OMG_OK) {
		static const char *const part[] = { "index", "audit", "verify" };
		double bytes = 0;
		int found = 0;
		for (size_t i = 0; i < sizeof part / sizeof part[0]; i++) {
			snprintf(path, sizeof path, "%.*s/%s/data.mdb", PATH_MAX - 1, dir, part[i]);
			if (stat(path, &st) == 0) {
				bytes += (double)st.st_size;
				found = 1;
			}
		}
		if (found) {
			omg_size_str(bytes, size, sizeof size);
			add(d, "store", OMG_CHECK_OK, NULL, "%s: %s on disk (index %s), healthy", tilde(d, dir, shown, sizeof shown), size,
			    isize);
			return;
		}
	}
	add(d, "store", OMG_CHECK_OK, NULL, "healthy, index %s (a store of omgd's --store)", isize);
}

/* ---- the shells ------------------------------------------------------------------------- */

/* The first line of TEXT (not a comment) that has every word of ALL (NULL-terminated): its
 * number, or 0. Each line is searched on its own (cut at its newline, put back after), so a
 * long file costs one pass per word, not one per line. */
static int rc_line(char *text, const char *const *all)
{
	int line = 1, found = 0;

	for (char *p = text; p && *p && !found; line++) {
		char *end = strchr(p, '\n'), *q = p;
		if (end)
			*end = 0;
		while (*q == ' ' || *q == '\t')
			q++;
		found = *q != '#';
		for (size_t k = 0; all[k] && found; k++)
			found = strstr(q, all[k]) != NULL;
		if (end)
			*end = '\n';
		p = end ? end + 1 : NULL;
	}
	return found ? line - 1 : 0;
}

struct shell_setup {
	int hook, apt;          /* line numbers in the rc file, 0: none */
	int has_rc;
};

static void read_rc(struct doctor *d, const char *shell, struct shell_setup *s)
{
	static const char *const bash_hook[] = { "omg hook bash", NULL }, *const bash_apt[] = { "omg hook bash apt", NULL },
				 *const bash_enable[] = { "enable", "omg", NULL };
	static const char *const zsh_hook[] = { "omg hook zsh", NULL }, *const zsh_apt[] = { "omg hook zsh apt", NULL },
				 *const zsh_load[] = { "zmodload", "omg", NULL };
	int bash = !strcmp(shell, "bash");
	char path[PATH_MAX];
	char *text;

	memset(s, 0, sizeof *s);
	snprintf(path, sizeof path, "%s/.%src", d->home ? d->home : "", shell);
	if (!d->home || !(text = read_small(path)))
		return;
	s->has_rc = 1;
	s->hook = rc_line(text, bash ? bash_hook : zsh_hook);
	if (!s->hook)
		s->hook = rc_line(text, bash ? bash_enable : zsh_load);
	s->apt = rc_line(text, bash ? bash_apt : zsh_apt);
	free(text);
}

static void check_shell(struct doctor *d, const char *shell, const struct shell_setup *s)
{
	int bash = !strcmp(shell, "bash");
	const char *login = getenv("SHELL"), *v;
	int mine = login && !strcmp(strrchr(login, '/') ? strrchr(login, '/') + 1 : login, shell);
	char module[PATH_MAX], fix[256], loaded[256] = "";
	const char *in = d->ctx->env->module;

	if (in && !strncmp(in, shell, strlen(shell)) && in[strlen(shell)] == ' ')
		snprintf(loaded, sizeof loaded, "%s; ", in);
	if (bash)
		snprintf(module, sizeof module, "%s", (v = getenv("OMG_BASH_MODULE")) && v[0] ? v : OMG_BASH_MODULE_PATH);
	else
		snprintf(module, sizeof module, "%s/omg.so", (v = getenv("OMG_ZSH_MODULE_DIR")) && v[0] ? v : OMG_ZSH_MODULE_DIR);
	if (!s->has_rc) {
		if (mine)
			add(d, shell, OMG_CHECK_WARN, bash ? "echo 'eval \"$(omg hook bash)\"' >> ~/.bashrc"
							   : "echo 'eval \"$(omg hook zsh)\"' >> ~/.zshrc  (after compinit)",
			    "%sno ~/.%src: your login shell loads nothing of omg", loaded, shell);
		else
			add(d, shell, OMG_CHECK_OK, NULL, "%sno ~/.%src (not set up for %s)", loaded, shell, shell);
		return;
	}
	if (!s->hook) {
		snprintf(fix, sizeof fix, "echo 'eval \"$(omg hook %s)\"' >> ~/.%src%s", shell, shell, bash ? "" : "  (after compinit)");
		add(d, shell, OMG_CHECK_WARN, fix, "%s~/.%src has no omg hook: no module, completion or command-not-found", loaded,
		    shell);
		return;
	}
#ifndef OMG_WITH_ZSH
	if (!bash) {
		add(d, shell, OMG_CHECK_OK, NULL, "hook in ~/.zshrc:%d; no module: omg was built --without-zsh (the omg command, "
		    "completion and command-not-found work, the $OMG_* parameters do not)", s->hook);
		return;
	}
#endif
	if (!loaded[0] && !exists(module)) {
		char shown[PATH_MAX];
		add(d, shell, OMG_CHECK_WARN, bash ? "make install, or set OMG_BASH_MODULE to the built omg.so"
						   : "make install, or set OMG_ZSH_MODULE_DIR to the built module's directory",
		    "hook in ~/.%src:%d, but no module at %s (the hook then loads %s)", shell, s->hook,
		    tilde(d, module, shown, sizeof shown), bash ? "`enable omg` from bash's own directory" : "zsh's own omg, if any");
		return;
	}
	if (loaded[0]) {
		add(d, shell, OMG_CHECK_OK, NULL, "%shook in ~/.%src:%d", loaded, shell, s->hook);
	} else {
		char shown[PATH_MAX];
		add(d, shell, OMG_CHECK_OK, NULL, "hook in ~/.%src:%d, module %s", shell, s->hook, tilde(d, module, shown, sizeof shown));
	}
}

static void check_completion(struct doctor *d, const struct shell_setup *b, const struct shell_setup *z)
{
	const char *dir = getenv("OMG_COMPLETIONS_DIR");
	char omgc[PATH_MAX], shown[PATH_MAX];
	int bc = exists(BASH_COMPLETION_DIR "/bash_completion");
	int bc_apt = exists(BASH_COMPLETION_DIR "/completions/apt");

	if (dir && dir[0])
		snprintf(omgc, sizeof omgc, "%s/omg.bash", dir);
	else
		snprintf(omgc, sizeof omgc, "%s", OMG_BASH_COMPLETION);
	if (!b->hook && !z->hook) {
		add(d, "completion", OMG_CHECK_OK, NULL, "no shell loads omg (see above)");
		return;
	}
	if (b->hook && !exists(omgc)) {
		add(d, "completion", OMG_CHECK_WARN, "make install, or set OMG_COMPLETIONS_DIR to omg's completions directory",
		    "omg's bash completion is not at %s", tilde(d, omgc, shown, sizeof shown));
		return;
	}
	if (b->hook && !bc) {
		add(d, "completion", OMG_CHECK_WARN, "apt-get install bash-completion",
		    "bash-completion is not installed: apt and dpkg complete file names only%s",
		    b->apt ? " (omg adds package names)" : "");
		return;
	}
	if (b->apt || z->apt)
		add(d, "completion", OMG_CHECK_OK, NULL, "%s; apt: package names from omg, the rest from %s",
		    b->hook ? (bc ? "bash-completion installed" : "bash") : "zsh",
		    b->apt ? (bc_apt ? "bash-completion's" : "bash's default") : "zsh's own");
	else
		add(d, "completion", OMG_CHECK_OK, NULL, "%s; apt: %s (`omg hook %s apt` adds omg's package names)",
		    b->hook ? "bash-completion installed" : "zsh's", b->hook ? (bc_apt ? "bash-completion's" : "bash's default") : "zsh's own",
		    b->hook ? "bash" : "zsh");
}

/* ---- the system ------------------------------------------------------------------------- */

static void check_lists(struct doctor *d, const struct answers *an)
{
	char age[32];
	uint64_t now = omg_now();

	if (!d->running || !an->have_metrics)
		return;
	if (!an->lists_at) {
		add(d, "lists", OMG_CHECK_WARN, "omg update", "never refreshed");
		return;
	}
	age_str(now > an->lists_at ? now - an->lists_at : 0, age, sizeof age);
	if (now > an->lists_at && now - an->lists_at > LISTS_OLD_SECS)
		add(d, "lists", OMG_CHECK_WARN, "omg update", "refreshed %s ago: updates and security fixes since are not known", age);
	else
		add(d, "lists", OMG_CHECK_OK, NULL, "refreshed %s ago", age);
}

static void check_contents(struct doctor *d, const struct answers *an)
{
	char lists[PATH_MAX + 32];
	unsigned n = 0;
	DIR *dir;
	struct dirent *e;

	if (d->running && strcmp(an->backend, "dpkg") != 0)
		return; /* Arch: pacman -F's files databases are another matter */
	snprintf(lists, sizeof lists, "%s/var/lib/apt/lists", strcmp(d->root, "/") ? d->root : "");
	if (!(dir = opendir(lists))) {
		add(d, "apt-file", OMG_CHECK_OK, NULL, "no %s: not apt", lists);
		return;
	}
	while ((e = readdir(dir)))
		n += strstr(e->d_name, "_Contents-") != NULL;
	closedir(dir);
	if (n)
		add(d, "apt-file", OMG_CHECK_OK, NULL, "%u Contents file%s: command-not-found also names packages not installed", n,
		    n == 1 ? "" : "s");
	else
		add(d, "apt-file", OMG_CHECK_OK, NULL,
		    "no Contents files: command-not-found names installed packages only (apt-file, then apt-file update, for all)");
}

static void check_keyrings(struct doctor *d, const struct answers *an)
{
	char age[32];
	uint64_t now = omg_now();

	if (!d->running)
		return;
	if (!an->st.verified_at) {
		add(d, "keyrings", OMG_CHECK_OK, NULL, "not verified yet (omgd verifies in the background; now: omg audit verify)");
		return;
	}
	age_str(now > an->st.verified_at ? now - an->st.verified_at : 0, age, sizeof age);
	if (an->st.untrusted) {
		add(d, "keyrings", OMG_CHECK_FAIL, "omg audit verify --last (the findings, each with its source)",
		    "the last verification (%s ago) found %u untrusted sources, lists or packages", age, an->st.untrusted);
		if (d->exit_code < OMG_EXIT_VERIFY)
			d->exit_code = OMG_EXIT_VERIFY;
	} else {
		add(d, "keyrings", OMG_CHECK_OK, NULL, "the last verification (%s ago): every source signed by a trusted key", age);
	}
}

/* omgd.socket for this user: installed in a unit directory, enabled by a symbolic link in a
 * sockets.target.wants directory, masked by a link to /dev/null. */
static void check_systemd(struct doctor *d)
{
	const char *cfg = getenv("XDG_CONFIG_HOME"), *data = getenv("XDG_DATA_HOME");
	char dirs[6][PATH_MAX], path[2 * PATH_MAX], shown[2 * PATH_MAX], target[PATH_MAX];
	size_t nd = 0, found = SIZE_MAX;
	int enabled = 0, masked = 0;

	if (cfg && cfg[0] == '/')
		snprintf(dirs[nd++], PATH_MAX, "%s/systemd/user", cfg);
	else if (d->home)
		snprintf(dirs[nd++], PATH_MAX, "%s/.config/systemd/user", d->home);
	snprintf(dirs[nd++], PATH_MAX, "/etc/systemd/user");
	if (data && data[0] == '/')
		snprintf(dirs[nd++], PATH_MAX, "%s/systemd/user", data);
	else if (d->home)
		snprintf(dirs[nd++], PATH_MAX, "%s/.local/share/systemd/user", d->home);
	snprintf(dirs[nd++], PATH_MAX, "%s", OMG_SYSTEMD_USER_UNIT_DIR);
	snprintf(dirs[nd++], PATH_MAX, "/usr/lib/systemd/user");
	for (size_t i = 0; i < nd && found == SIZE_MAX; i++) {
		ssize_t n;
		snprintf(path, sizeof path, "%s/omgd.socket", dirs[i]);
		if ((n = readlink(path, target, sizeof target - 1)) > 0) {
			target[n] = 0;
			if (!strcmp(target, "/dev/null")) {
				masked = 1;
				found = i;
				break;
			}
		}
		if (exists(path))
			found = i;
	}
	for (size_t i = 0; i < 2 && i < nd; i++) {
		snprintf(path, sizeof path, "%.4000s/sockets.target.wants/omgd.socket", dirs[i]);
		enabled |= exists(path);
	}
	if (found == SIZE_MAX) {
		add(d, "systemd", OMG_CHECK_OK, NULL, "omgd.socket not installed: the first omg command starts omgd");
		return;
	}
	snprintf(path, sizeof path, "%s/omgd.socket", dirs[found]);
	tilde(d, path, shown, sizeof shown);
	if (masked)
		add(d, "systemd", OMG_CHECK_WARN, "systemctl --user unmask omgd.socket", "%s is masked", shown);
	else if (!enabled)
		add(d, "systemd", OMG_CHECK_WARN, "systemctl --user enable --now omgd.socket",
		    "%s installed, not enabled: omgd starts only through omg", shown);
	else
		add(d, "systemd", OMG_CHECK_OK, NULL, "%s enabled", shown);
}

int omg_cmd_doctor(struct omg_ctx *ctx)
{
	struct doctor *d;
	struct answers an = { 0 };
	struct shell_setup b, z;
	int fails = 0, warns = 0, rc;

	if (ctx->opts.nargs)
		return omg_cmd_fail(ctx, OMG_EXIT_USAGE, "doctor takes no arguments");
	if (!(d = calloc(1, sizeof *d)))
		return omg_cmd_fail(ctx, OMG_EXIT_ERROR, "out of memory");
	d->ctx = ctx;
	d->home = getenv("HOME");
	if (d->home && (d->home[0] != '/' || !strcmp(d->home, "/")))
		d->home = NULL;
	snprintf(d->root, sizeof d->root, "/");

	check_daemon(d, &an);
	check_status_file(d, &an);
	check_index_store(d, &an);
	read_rc(d, "bash", &b);
	read_rc(d, "zsh", &z);
	check_shell(d, "bash", &b);
	check_shell(d, "zsh", &z);
	check_completion(d, &b, &z);
	check_lists(d, &an);
	check_contents(d, &an);
	check_keyrings(d, &an);
	check_systemd(d);

	for (size_t i = 0; i < d->n; i++) {
		fails += d->c[i].level == OMG_CHECK_FAIL;
		warns += d->c[i].level == OMG_CHECK_WARN;
	}
	if (!d->running)
		rc = OMG_EXIT_NODAEMON;
	else if (d->exit_code)
		rc = d->exit_code;
	else
		rc = fails ? OMG_EXIT_ERROR : warns ? OMG_EXIT_NOTHING : OMG_EXIT_OK;
	ctx->sink.ops->doctor(&ctx->sink, d->c, d->n, rc);
	free(d);
	return rc;
}
