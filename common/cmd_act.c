/* cmd_act.c — omg install, remove, purge, reinstall, upgrade, autoremove, update, hold,
 * unhold, mark: the plan from omgd shown first, a confirmation, the locks waited for, the
 * package manager run with the user's own privileges (act.h), the result recorded in omgd's
 * audit log. */
#include "config.h"
#include "cmd.h"
#include "omg_error.h"

#include <errno.h>
#include <stdarg.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define PLAN_WAIT_MS 65000        /* omgd's planner gives up at 60 s */
#define SETTLE_WAIT_MS 3000       /* after a change: until omgd has read it (the prompt's counts) */

static uint64_t unix_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* pacman's options for ROOT: a root other than / is reached with --root, its own database,
 * configuration, cache, keyring and hooks named (pacman would take the cache, keyring and
 * hooks of the running system otherwise). Not chroot, as apt is run: the roots omgd serves
 * need not hold a pacman of their own (a fixture root holds only its databases), and
 * --root is how pacstrap installs into a new root; what libalpm does inside it is the same,
 * only install scriptlets run by chroot into it (libalpm does that itself). Returns how
 * many words went into W; BUF holds their text. */
static int pacman_root_words(const char *root, const char **w, char (*buf)[4300])
{
	static const char *const opt[] = { "--dbpath", "--config", "--cachedir", "--gpgdir", "--hookdir" };
	static const char *const where[] = { "/var/lib/pacman/", "/etc/pacman.conf", "/var/cache/pacman/pkg/",
					     "/etc/pacman.d/gnupg/", "/etc/pacman.d/hooks/" };
	int k = 0;

	if (!strcmp(root, "/"))
		return 0;
	w[k++] = "--root";
	w[k++] = root;
	for (int i = 0; i < 5; i++) {
		snprintf(buf[i], sizeof buf[i], "%s%s", root, where[i]);
		w[k++] = opt[i];
		w[k++] = buf[i];
	}
	return k;
}

/* pacman's command for plan M of ACTION on NAMES (N): -S, -U (files), -R, -Rn, -Rs, -Su.
 * Returns how many words went into W, or -1 with WHY set. */
static int pacman_words(const struct omg_plan *m, uint8_t action, const char **names, int n, const char **w,
			char (*buf)[4300], const char **why)
{
	int k = 0, files = 0, removes = 0;

	for (int i = 0; i < n; i++)
		files += names[i][0] == '/';
	for (uint32_t i = 0; i < m->count; i++)
		removes += m->v[i].op == OMG_OP_REMOVE || m->v[i].op == OMG_OP_PURGE;
	if (files && files != n) {
		*why = "package files and repository packages are installed by two commands (pacman -U, pacman -S)";
		return -1;
	}
	w[k++] = "pacman";
	k += pacman_root_words(m->root, w + k, buf);
	w[k++] = "--noconfirm";
	w[k++] = "--noprogressbar";
	w[k++] = "--color";
	w[k++] = "never";
	switch (action) {
	case OMG_ACT_INSTALL:
	case OMG_ACT_REINSTALL:
		w[k++] = files ? "-U" : "-S";
		if (removes) { /* --noconfirm says no to removing a conflicting package; the plan showed it */
			w[k++] = "--ask";
			w[k++] = "4";
		}
		break;
	case OMG_ACT_REMOVE: w[k++] = "-R"; break;
	case OMG_ACT_PURGE: w[k++] = "-Rn"; break;
	case OMG_ACT_AUTOREMOVE: w[k++] = "-Rs"; break;
	default: w[k++] = "-Su"; break; /* upgrade and full-upgrade: pacman has one */
	}
	if (action != OMG_ACT_UPGRADE && action != OMG_ACT_FULL_UPGRADE)
		w[k++] = "--";
	if (action == OMG_ACT_AUTOREMOVE) { /* the orphans the plan removes (pacman -Qdtq's) */
		for (uint32_t i = 0; i < m->count && i < OMG_PLAN_NAMES_MAX; i++)
			if (m->v[i].op == OMG_OP_REMOVE)
				w[k++] = m->v[i].name;
	} else if (action != OMG_ACT_UPGRADE && action != OMG_ACT_FULL_UPGRADE) {
		for (int i = 0; i < n; i++)
			w[k++] = names[i];
	}
	return k;
}

/* The names as omgd is to get them: a local .deb or pacman package (.pkg.tar.*) as an
 * absolute path; nothing that could be read as an option. PATHS holds the resolved paths
 * (freed by the caller). */
static int take_names(struct omg_ctx *ctx, const char **names, char **paths)
{
	for (int i = 0; i < ctx->opts.nargs; i++) {
		const char *a = ctx->opts.args[i];
		size_t n = strlen(a);
		int rc;
		if ((rc = omg_check_name(ctx, "package name", a, 0)) != OMG_EXIT_OK)
			return rc;
		if (a[0] == '-')
			return omg_cmd_fail(ctx, OMG_EXIT_USAGE, "'%s': a package name cannot start with '-'", a);
		if (strchr(a, '/') && ((n > 4 && !strcmp(a + n - 4, ".deb")) || strstr(a, ".pkg.tar"))) {
			if (!(paths[i] = realpath(a, NULL)))
				return omg_cmd_fail(ctx, OMG_EXIT_USAGE, "%s: %s", a, strerror(errno));
			names[i] = paths[i];
		} else {
			names[i] = a;
		}
	}
	return OMG_EXIT_OK;
}

/* Not run: with --json the plan M (if any) is the document (then the error's), and CODE
 * after the message FMT makes (NULL: none). */
static int refuse(struct omg_ctx *ctx, const struct omg_plan *m, int code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int refuse(struct omg_ctx *ctx, const struct omg_plan *m, int code, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (ctx->opts.json && m)
		ctx->sink.ops->plan(&ctx->sink, m, NULL);
	if (!fmt)
		return code;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return omg_cmd_fail(ctx, code, "%s", msg);
}

/* Says on SHOW what will run, whole: ARGV through SUDO ("" as root), inside ROOT by chroot
 * when CHROOTED; COMMAND (N bytes) keeps the line for the audit record. */
static void show_command(FILE *show, const char *sudo, const char *root, int chrooted, const char *const *argv,
			 char *command, size_t n)
{
	size_t k = (size_t)snprintf(command, n, "%s%s%s%s", sudo[0] ? "sudo " : "", chrooted ? "chroot " : "",
				    chrooted ? root : "", chrooted ? " " : "");

	for (int i = 0; argv[i] && k < n - 1; i++)
		k += (size_t)snprintf(command + k, n - k, "%s%s", i ? " " : "", argv[i]);
	fprintf(show, "Will run: %s\n", command);
	if (sudo[0])
		fprintf(show, "  through: sudo -- /bin/sh -c '%s' STATUS-FIFO %s ...\n", OMG_ACT_SCRIPT, argv[0]);
}

/* Waits for the locks WHICH (N paths inside ROOT, of KIND) as --lock-timeout says: 0 when
 * free, else the exit code after saying why not (and showing plan M, as refuse). */
static int wait_locks(struct omg_ctx *ctx, const struct omg_plan *m, const char *root, const char *const *which, int n,
		      int kind)
{
	char paths[OMG_ACT_LOCKS_MAX][4300], who[200];
	const char *locks[OMG_ACT_LOCKS_MAX];
	struct omg_lock_holder h;
	int w;

	for (int i = 0; i < n && i < OMG_ACT_LOCKS_MAX; i++) {
		snprintf(paths[i], sizeof paths[i], "%s%s", strcmp(root, "/") ? root : "", which[i]);
		locks[i] = paths[i];
	}
	w = omg_lock_wait(locks, n, kind, ctx->opts.lock_timeout >= 0 ? ctx->opts.lock_timeout : OMG_LOCK_WAIT_S,
			  ctx->env->err, isatty(fileno(ctx->env->err)), ctx->client ? ctx->client->interrupted : NULL, &h);
	if (w == 0)
		return OMG_EXIT_OK;
	if (w == 2) {
		fputs("Cancelled.\n", ctx->env->err);
		return refuse(ctx, m, OMG_EXIT_NOTHING, NULL);
	}
	omg_lock_describe(&h, who, sizeof who);
	if (h.pid > 0)
		return refuse(ctx, m, OMG_EXIT_ERROR, "%s is still %s: gave up", h.path, who);
	return refuse(ctx, m, OMG_EXIT_ERROR, "%s still exists (%s; if none is, one was killed: remove the file): gave up",
		      h.path, who);
}

/* The locks each command takes, inside its root (pacman's is the file DBPath/db.lck, and
 * pacman_root_words names that DBPath). */
static const char *const apt_locks[] = { "/var/lib/dpkg/lock-frontend", "/var/lib/dpkg/lock",
					 "/var/cache/apt/archives/lock" };
static const char *const dpkg_locks[] = { "/var/lib/dpkg/lock-frontend", "/var/lib/dpkg/lock" };
static const char *const lists_locks[] = { "/var/lib/apt/lists/lock" }; /* apt-get update never waits for it */
static const char *const pacman_locks[] = { "/var/lib/pacman/db.lck" };

/* Asks "Do you want to continue? [Y/n]" on the terminal; 1 yes, 0 no, -1 interrupted. */
static int confirm(struct omg_ctx *ctx)
{
	char line[64];
	size_t n = 0;

	fputs("Do you want to continue? [Y/n] ", ctx->env->err);
	fflush(ctx->env->err);
	fflush(ctx->env->out);
	for (;;) {
		struct pollfd p = { .fd = STDIN_FILENO, .events = POLLIN };
		char c;
		ssize_t got;
		int pr = poll(&p, 1, 100);
		if (ctx->client && ctx->client->interrupted && ctx->client->interrupted())
			return -1;
		if (pr <= 0)
			continue;
		got = read(STDIN_FILENO, &c, 1);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) /* end of input: as apt, that is a no */
			return fputc('\n', ctx->env->err), 0;
		if (c == '\n')
			break;
		if (n < sizeof line - 1)
			line[n++] = c;
	}
	line[n] = 0;
	return !n || line[0] == 'y' || line[0] == 'Y';
}

/* Until omgd has read the final state, so that the prompt's counts are current when the
 * command returns. omgd may have rebuilt during the run (dpkg writes its status at every
 * step): a build that begins after the run ends is waited for, SETTLE_QUIET_MS at most when
 * none comes (the last one then saw the end already: omgd's debounce is 100 ms). */
#define SETTLE_QUIET_MS 400
static int status_now(struct omg_ctx *ctx, struct omg_status_msg *st)
{
	struct omg_answer a;

	omg_client_begin(ctx->client, OMG_MSG_STATUS);
	return omg_client_call_within(ctx->client, &a, ctx->timeout_ms) == OMG_OK && omg_dec_status(a.payload, a.length, st) == OMG_OK;
}

static void settle(struct omg_ctx *ctx)
{
	struct omg_status_msg st;
	uint64_t after;

	if (!status_now(ctx, &st))
		return;
	after = st.generation;
	for (int waited = 0; waited < SETTLE_WAIT_MS; waited += 25) {
		poll(NULL, 0, 25);
		if (!status_now(ctx, &st))
			return;
		if (st.flags & OMG_STATUS_REFRESHING)
			continue;
		if (st.generation != after || waited >= SETTLE_QUIET_MS)
			return;
	}
}

/* Whether the plan M of request Q still stands: apt-get -y decides again when it runs, so
 * when omgd's index changed since M (another apt run, new lists while the question or the
 * locks were waited for; a build under way is waited for, as settle), the plan is asked for
 * again and must be the same. 1 also when omgd does not answer (M stands as shown). */
static int plan_stands(struct omg_ctx *ctx, const struct omg_plan_req *q, const struct omg_plan *m)
{
	struct omg_status_msg st;
	struct omg_answer a;
	struct omg_plan now;
	int same, waited = 0;

	for (;; waited += 25) {
		if (!status_now(ctx, &st))
			return 1;
		if (!(st.flags & OMG_STATUS_REFRESHING) || waited >= SETTLE_WAIT_MS)
			break;
		poll(NULL, 0, 25);
	}
	if (st.generation == m->generation)
		return 1;
	/* a new plan is apt-get -s again: the plan's deadline, not a lookup's */
	omg_enc_plan_req(omg_client_begin(ctx->client, OMG_MSG_PLAN), q);
	if (omg_client_call_within(ctx->client, &a, omg_cmd_wait_ms(ctx, PLAN_WAIT_MS)) != OMG_OK ||
	    omg_dec_plan(a.payload, a.length, &now) != OMG_OK)
		return 0;
	same = now.status == OMG_PLAN_OK && now.count == m->count;
	for (uint32_t i = 0; same && i < m->count; i++) {
		const struct omg_plan_entry *x = &m->v[i], *y = &now.v[i];
		same = x->op == y->op && !strcmp(x->name, y->name) && !strcmp(x->arch, y->arch) && !strcmp(x->from, y->from) &&
		       !strcmp(x->to, y->to);
	}
	omg_plan_free(&now);
	return same;
}

/* The audit log's record of the run (omgd adds who asked). */
static void record(struct omg_ctx *ctx, uint8_t action, const char *command, const struct omg_plan *m,
		   const struct omg_act_result *r, uint64_t started)
{
	struct omg_acted acted = { .action = action, .started_ns = started, .ended_ns = unix_ns() };
	struct omg_answer a;
	size_t cap = 8192 + (size_t)m->count * 160, k;
	char *what = malloc(cap);

	if (!what)
		return;
	k = (size_t)snprintf(what, cap, "command: %s\n", command);
	for (uint32_t i = 0; i < m->count && k < cap - 200; i++) {
		const struct omg_plan_entry *e = &m->v[i];
		k += (size_t)snprintf(what + k, cap - k, "%s %s%s%s %s%s%s\n", omg_op_name(e->op), e->name,
				      e->arch[0] ? ":" : "", e->arch, e->from, e->from[0] && e->to[0] ? " " : "", e->to);
	}
	if (k < cap - 200)
		k += (size_t)snprintf(what + k, cap - k, "result: %s %d after %.1f s%s\n",
				      r->exited ? "exit" : "signal", r->status, r->seconds,
				      r->interrupted ? ", interrupted" : "");
	for (uint32_t i = 0; i < r->nerrors && i < OMG_ACT_ERRORS_MAX && k < cap - 600; i++)
		k += (size_t)snprintf(what + k, cap - k, "error: %s\n", r->errors[i]);
	if (k >= cap) /* snprintf cut the last line: K counts what did not fit */
		k = cap - 1;
	if (k > OMG_ACTED_MAX)
		what[OMG_ACTED_MAX] = 0;
	acted.result = r->exited ? r->status : -r->status;
	acted.what = what;
	omg_enc_acted(omg_client_begin(ctx->client, OMG_MSG_ACTED), &acted);
	if (omg_client_call_within(ctx->client, &a, ctx->timeout_ms) != OMG_OK)
		fprintf(ctx->env->err, "%s: the audit log did not take this action's record: %s\n", ctx->env->prog,
			omg_errdetail());
	free(what);
}

static int act(struct omg_ctx *ctx, uint8_t action)
{
	const int json = ctx->opts.json;
	FILE *show = json ? ctx->env->err : ctx->env->out;
	const char **names = calloc((size_t)ctx->opts.nargs + 1, sizeof *names);
	char **paths = calloc((size_t)ctx->opts.nargs + 1, sizeof *paths);
	const char *argv[OMG_PLAN_NAMES_MAX + 24], *sudo;
	struct omg_plan_req q = { .action = action };
	struct omg_plan m = { 0 };
	struct omg_act_result r;
	struct omg_answer a;
	void *copy = NULL;
	char lock_timeout[32], command[4096], pacman_buf[5][4300];
	int rc, argc = 0, essential = 0, tty = isatty(fileno(show)), pacman, held = -1;
	uint64_t started;

	if (!names || !paths) {
		rc = omg_cmd_fail(ctx, OMG_EXIT_ERROR, "out of memory");
		goto out;
	}
	if ((action == OMG_ACT_UPGRADE || action == OMG_ACT_FULL_UPGRADE || action == OMG_ACT_AUTOREMOVE)
		    ? ctx->opts.nargs != 0 : ctx->opts.nargs == 0) {
		rc = omg_cmd_fail(ctx, OMG_EXIT_USAGE, "usage: omg %s%s", omg_action_name(action),
				  ctx->opts.nargs ? "  (takes no package names)" : " PACKAGE...");
		goto out;
	}
	if (ctx->opts.nargs > OMG_PLAN_NAMES_MAX) {
		rc = omg_cmd_fail(ctx, OMG_EXIT_USAGE, "at most %d packages at once", OMG_PLAN_NAMES_MAX);
		goto out;
	}
	if ((rc = take_names(ctx, names, paths)) != OMG_EXIT_OK)
		goto out;
	q.names = names;
	q.count = (uint32_t)ctx->opts.nargs;
	omg_enc_plan_req(omg_client_begin(ctx->client, OMG_MSG_PLAN), &q);
	if ((rc = omg_cmd_call_within(ctx, &a, PLAN_WAIT_MS)) != OMG_EXIT_OK)
		goto out;
	/* the answer's strings must outlive the calls that follow */
	if (!(copy = malloc(a.length ? a.length : 1))) {
		rc = omg_cmd_fail(ctx, OMG_EXIT_ERROR, "out of memory");
		goto out;
	}
	memcpy(copy, a.payload, a.length);
	if (omg_dec_plan(copy, a.length, &m) != OMG_OK) {
		rc = omg_cmd_fail(ctx, OMG_EXIT_ERROR, "malformed PLAN answer");
		goto out;
	}
	if (!json)
		ctx->sink.ops->plan(&ctx->sink, &m, NULL);
	if (m.status == OMG_PLAN_UNAVAILABLE) {
		if (!json)
			fprintf(ctx->env->err, "%s: no plan: %s\n", ctx->env->prog, m.problem);
		rc = refuse(ctx, &m, OMG_EXIT_ERROR, NULL);
		goto out;
	}
	if (m.status != OMG_PLAN_OK) { /* the text sink said why with the plan */
		rc = refuse(ctx, &m, m.nunknown ? OMG_EXIT_NOTHING : OMG_EXIT_ERROR, NULL);
		goto out;
	}
	for (uint32_t i = 0; i < m.count; i++) {
		essential |= (m.v[i].op == OMG_OP_REMOVE || m.v[i].op == OMG_OP_PURGE) && (m.v[i].flags & OMG_PLAN_ESSENTIAL);
		if (held < 0 && (m.v[i].flags & OMG_PLAN_HELD))
			held = (int)i;
	}
	if (!m.count || ctx->opts.dry_run) {
		rc = refuse(ctx, &m, OMG_EXIT_OK, NULL);
		goto out;
	}
	if (essential && !ctx->opts.allow_essential) {
		rc = refuse(ctx, &m, OMG_EXIT_ERROR, "this removes an essential package: refused without "
			    "--allow-remove-essential (as apt)");
		goto out;
	}
	if (held >= 0) { /* apt-get -y refuses to change a held package: not run to fail */
		rc = refuse(ctx, &m, OMG_EXIT_ERROR, "this changes %s, which is held: 'omg unhold %s' first",
			    m.v[held].name, m.v[held].name);
		goto out;
	}
	if (!(sudo = omg_act_sudo())) {
		rc = refuse(ctx, &m, OMG_EXIT_ERROR, "%s needs root: run it as root, or install sudo", omg_action_name(action));
		goto out;
	}
	/* the command, whole, before anything runs: pacman's when libalpm made the plan */
	if ((pacman = !strcmp(m.tool, "libalpm"))) {
		const char *why = NULL;
		if ((argc = pacman_words(&m, action, names, ctx->opts.nargs, argv, pacman_buf, &why)) < 0) {
			rc = refuse(ctx, &m, OMG_EXIT_USAGE, "%s", why);
			goto out;
		}
		argv[argc] = NULL;
		goto command_made;
	}
	snprintf(lock_timeout, sizeof lock_timeout, "DPkg::Lock::Timeout=%d",
		 ctx->opts.lock_timeout >= 0 ? ctx->opts.lock_timeout : OMG_LOCK_WAIT_S);
	argv[argc++] = "apt-get";
	argv[argc++] = "-y";
	argv[argc++] = "-o";
	argv[argc++] = "APT::Status-Fd=3";
	argv[argc++] = "-o";
	argv[argc++] = "Dpkg::Use-Pty=0";
	argv[argc++] = "-o";
	argv[argc++] = lock_timeout;
	if (essential)
		argv[argc++] = "--allow-remove-essential";
	argc += omg_apt_words(action, argv + argc);
	argv[argc++] = "--";
	for (int i = 0; i < ctx->opts.nargs; i++) /* a file inside another root: as apt there sees it */
		argv[argc++] = names[i] + (names[i][0] == '/' && strcmp(m.root, "/") && !strncmp(names[i], m.root, strlen(m.root))
					   ? strlen(m.root) : 0);
	argv[argc] = NULL;
command_made:
	show_command(show, sudo, m.root, !pacman && strcmp(m.root, "/"), argv, command, sizeof command);
	if (!ctx->opts.yes) {
		int yes;
		if (!isatty(STDIN_FILENO)) {
			rc = refuse(ctx, &m, OMG_EXIT_USAGE, "no terminal to ask on: add -y to go ahead");
			goto out;
		}
		if ((yes = confirm(ctx)) <= 0) {
			fputs(yes < 0 ? "Cancelled.\n" : "Abort.\n", ctx->env->err);
			rc = refuse(ctx, &m, OMG_EXIT_NOTHING, NULL);
			goto out;
		}
	}
	if ((rc = pacman ? wait_locks(ctx, &m, m.root, pacman_locks, 1, OMG_LOCK_EXISTS)
			 : wait_locks(ctx, &m, m.root, apt_locks, 3, OMG_LOCK_FCNTL)) != OMG_EXIT_OK)
		goto out;
	if (!plan_stands(ctx, &q, &m)) { /* another apt run, new lists: apt-get -y would not do what was shown */
		rc = refuse(ctx, &m, OMG_EXIT_ERROR, "the packages or their lists changed since this plan was made, and "
			    "so did the plan: nothing was run; ask again for the new plan");
		goto out;
	}
	started = unix_ns();
	if (omg_act_run(sudo, m.root, argv, m.download, pacman ? OMG_ACT_PACMAN : 0, show, tty, &r) != 0) {
		rc = refuse(ctx, &m, OMG_EXIT_ERROR, "%s", r.why);
		goto out;
	}
	settle(ctx);
	record(ctx, action, command, &m, &r, started);
	ctx->sink.ops->plan(&ctx->sink, &m, &r);
	rc = r.exited && r.status == 0 && !r.interrupted ? OMG_EXIT_OK : OMG_EXIT_ACTION;
out:
	omg_plan_free(&m);
	free(copy);
	for (int i = 0; paths && i < ctx->opts.nargs; i++)
		free(paths[i]);
	free(paths);
	free(names);
	return rc;
}

int omg_cmd_install(struct omg_ctx *ctx) { return act(ctx, OMG_ACT_INSTALL); }
int omg_cmd_remove(struct omg_ctx *ctx) { return act(ctx, OMG_ACT_REMOVE); }
int omg_cmd_purge(struct omg_ctx *ctx) { return act(ctx, OMG_ACT_PURGE); }
int omg_cmd_reinstall(struct omg_ctx *ctx) { return act(ctx, OMG_ACT_REINSTALL); }
int omg_cmd_autoremove(struct omg_ctx *ctx) { return act(ctx, OMG_ACT_AUTOREMOVE); }
int omg_cmd_full_upgrade(struct omg_ctx *ctx) { return act(ctx, OMG_ACT_FULL_UPGRADE); }
int omg_cmd_upgrade(struct omg_ctx *ctx)
{
	return act(ctx, ctx->opts.full ? OMG_ACT_FULL_UPGRADE : OMG_ACT_UPGRADE);
}

/* ---- update, hold, unhold, mark: no plan to compute, the command itself is the plan ---- */

/* Each name is a package the index has (as apt-mark needs); 0, or the exit code. */
static int known_names(struct omg_ctx *ctx, int first)
{
	for (int i = first; i < ctx->opts.nargs; i++) {
		struct omg_query q = { .text = ctx->opts.args[i] };
		struct omg_answer a;
		int rc;
		if ((rc = omg_check_name(ctx, "package name", q.text, 0)) != OMG_EXIT_OK)
			return rc;
		if (q.text[0] == '-')
			return omg_cmd_fail(ctx, OMG_EXIT_USAGE, "'%s': a package name cannot start with '-'", q.text);
		omg_enc_query(omg_client_begin(ctx->client, OMG_MSG_INFO), OMG_MSG_INFO, &q);
		if ((rc = omg_cmd_call(ctx, &a)) != OMG_EXIT_OK)
			return rc;
	}
	return OMG_EXIT_OK;
}

/* Runs WORDS... -- the names (the arguments from FIRST on) for ACTION after the locks,
 * records it, prints the result. */
static int run_simple(struct omg_ctx *ctx, uint8_t action, const char *const *words, int nwords, int takes_names,
		      int first)
{
	const int nnames = ctx->opts.nargs - first;
	FILE *show = ctx->opts.json ? ctx->env->err : ctx->env->out;
	const char *argv[OMG_PLAN_NAMES_MAX + 24], *sudo;
	char command[4096], root[4096], pacman_buf[5][4300];
	struct omg_plan m = { .action = action, .problem = "", .tool = words[0] };
	struct omg_status_msg st;
	struct omg_act_result r;
	uint64_t started;
	int rc, argc = 0, pacman;

	if (takes_names ? nnames <= 0 : nnames != 0)
		return omg_cmd_fail(ctx, OMG_EXIT_USAGE, "usage: omg %s%s", omg_action_name(action),
				    takes_names ? " PACKAGE..." : "");
	if (nnames > OMG_PLAN_NAMES_MAX)
		return omg_cmd_fail(ctx, OMG_EXIT_USAGE, "at most %d packages at once", OMG_PLAN_NAMES_MAX);
	if (!status_now(ctx, &st))
		return omg_cmd_fail(ctx, OMG_EXIT_NODAEMON, "omgd does not answer: %s", omg_errdetail());
	snprintf(root, sizeof root, "%s", st.root);
	m.root = root;
	pacman = st.backend && !strcmp(st.backend, "alpm");
	if (pacman && (action == OMG_ACT_HOLD || action == OMG_ACT_UNHOLD))
		return omg_cmd_fail(ctx, OMG_EXIT_USAGE, "pacman has no hold: list the package in IgnorePkg in %s/etc/pacman.conf "
				    "(pacman -Su then leaves it as it is)", strcmp(root, "/") ? root : "");
	if ((rc = known_names(ctx, first)) != OMG_EXIT_OK)
		return rc;
	if (!(sudo = omg_act_sudo()))
		return omg_cmd_fail(ctx, OMG_EXIT_ERROR, "%s needs root: run it as root, or install sudo",
				    omg_action_name(action));
	if (pacman) { /* pacman -Sy, pacman -D --asdeps|--asexplicit */
		argv[argc++] = m.tool = "pacman";
		argc += pacman_root_words(root, argv + argc, pacman_buf);
		argv[argc++] = "--color";
		argv[argc++] = "never";
		if (action == OMG_ACT_UPDATE) { /* -D takes neither of these */
			argv[argc++] = "--noconfirm";
			argv[argc++] = "--noprogressbar";
			argv[argc++] = "-Sy";
		} else {
			argv[argc++] = "-D";
			argv[argc++] = action == OMG_ACT_MARK_AUTO ? "--asdeps" : "--asexplicit";
		}
	} else {
		for (int i = 0; i < nwords; i++)
			argv[argc++] = words[i];
	}
	if (takes_names) {
		argv[argc++] = "--";
		for (int i = first; i < ctx->opts.nargs; i++)
			argv[argc++] = ctx->opts.args[i];
	}
	argv[argc] = NULL;
	show_command(show, sudo, root, !pacman && strcmp(root, "/"), argv, command, sizeof command);
	rc = pacman ? wait_locks(ctx, NULL, root, pacman_locks, 1, OMG_LOCK_EXISTS)
	     : action == OMG_ACT_UPDATE ? wait_locks(ctx, NULL, root, lists_locks, 1, OMG_LOCK_FCNTL)
	     : wait_locks(ctx, NULL, root, dpkg_locks, 2, OMG_LOCK_FCNTL);
	if (rc != OMG_EXIT_OK)
		return rc;
	started = unix_ns();
	if (omg_act_run(sudo, root, argv, 0, OMG_ACT_PASS_ALL | (pacman ? OMG_ACT_PACMAN : 0), show, isatty(fileno(show)), &r))
		return omg_cmd_fail(ctx, OMG_EXIT_ERROR, "%s", r.why);
	settle(ctx);
	record(ctx, action, command, &m, &r, started);
	ctx->sink.ops->plan(&ctx->sink, &m, &r);
	if (action == OMG_ACT_UPDATE && r.exited && r.status == 0 && !ctx->opts.json && status_now(ctx, &st))
		fprintf(ctx->env->out, "%u package%s can be upgraded (%u security): omg upgrade\n", st.updates,
			st.updates == 1 ? "" : "s", st.security);
	return r.exited && r.status == 0 && !r.interrupted ? OMG_EXIT_OK : OMG_EXIT_ACTION;
}

int omg_cmd_update(struct omg_ctx *ctx)
{
	static const char *const w[] = { "apt-get", "-o", "APT::Status-Fd=3", "update" };
	return run_simple(ctx, OMG_ACT_UPDATE, w, 4, 0, 0);
}

int omg_cmd_hold(struct omg_ctx *ctx)
{
	static const char *const w[] = { "apt-mark", "hold" };
	return run_simple(ctx, OMG_ACT_HOLD, w, 2, 1, 0);
}

int omg_cmd_unhold(struct omg_ctx *ctx)
{
	static const char *const w[] = { "apt-mark", "unhold" };
	return run_simple(ctx, OMG_ACT_UNHOLD, w, 2, 1, 0);
}

/* omg mark auto|manual PACKAGE... */
int omg_cmd_mark(struct omg_ctx *ctx)
{
	static const char *const w_auto[] = { "apt-mark", "auto" }, *const w_manual[] = { "apt-mark", "manual" };
	int is_auto;

	if (ctx->opts.nargs < 2 || (strcmp(ctx->opts.args[0], "auto") && strcmp(ctx->opts.args[0], "manual")))
		return omg_cmd_fail(ctx, OMG_EXIT_USAGE, "usage: omg mark auto|manual PACKAGE...");
	is_auto = !strcmp(ctx->opts.args[0], "auto");
	return run_simple(ctx, is_auto ? OMG_ACT_MARK_AUTO : OMG_ACT_MARK_MANUAL, is_auto ? w_auto : w_manual, 2, 1, 1);
}
