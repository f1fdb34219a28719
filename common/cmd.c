/* cmd.c — argument parsing and dispatch shared by every front end. */
#include "config.h"
#include "cmd.h"
#include "autostart.h"
#include "omg_error.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define ACT_OPTIONS \
	"\n  -s, --dry-run        show the plan only (no password asked, any user)\n" \
	"  -y, --yes            no confirmation\n" \
	"      --lock-timeout S wait this long for apt's and dpkg's locks (default 120)\n" \
	"      --allow-remove-essential  let the plan remove an essential package (as apt)\n" \
	"Exit status: 0 done (or nothing to do), 1 unknown package or declined, 4 no plan (apt\n" \
	"refused: its reason is shown), 6 the package manager failed or was interrupted.\n"

static const struct {
	const char *name;
	omg_cmd_fn fn;
	const char *usage;
	int offline; /* runs without omgd (no client) */
	const char *help; /* omg COMMAND --help: what it does, then its options */
} commands[] = {
	{ "status", omg_cmd_status, "status                 counts: installed, explicit, orphans, updates", 0,
	  "Installed, explicit (manually installed), orphan (auto-removable) and upgradable package\n"
	  "counts, security updates, and the index's generation and age.\n" },
	{ "search", omg_cmd_search, "search [--names-only] [-i] [-n N] [--no-aur] TERM...  as apt-cache search", 0,
	  "Packages that every TERM matches, as apt-cache search finds them: each TERM is a POSIX\n"
	  "extended regular expression, without regard to case, matched against the name, the names\n"
	  "the package provides and its whole description (first line and the rest). Ranked: exact\n"
	  "name, prefix, word start, inside the name, then provides or description; the worst term\n"
	  "ranks a package. Nothing found: a line on standard error, exit status 1. On Arch the\n"
	  "AUR's results for the first TERM follow.\n\n"
	  "      --names-only     names (and provided names) only, not descriptions\n"
	  "  -d, --descriptions   names and descriptions (the default)\n"
	  "  -i, --installed      installed packages only\n"
	  "  -n, --limit N        at most N rows; 0: as many as omgd answers (5000). Default: 50 on a\n"
	  "                       terminal, else 5000; the count of the rest goes to standard error\n"
	  "      --no-aur         do not ask the AUR\n" },
	{ "info", omg_cmd_info, "info [--no-aur] PACKAGE  one package's details (Arch: else the AUR's)", 0,
	  "Installed and candidate versions, install reason, upgrade, origin, and the package's record\n"
	  "(PACKAGE or PACKAGE:ARCH). For a virtual package (a name others provide, as www-browser),\n"
	  "the packages that provide it.\n\n"
	  "      --no-aur         do not ask the AUR for a package the repositories do not have\n" },
	{ "show", omg_cmd_show, "show [-a] PACKAGE...     apt show's record (-a: every version)", 0,
	  "The candidate version's record of each PACKAGE (or PACKAGE:ARCH) as apt show prints it:\n"
	  "apt's field order, sizes in kB/MB, Download-Size, APT-Manual-Installed and APT-Sources.\n"
	  "Exit status 1 when a package is unknown (the others are still shown).\n\n"
	  "  -a, --all-versions   every version, newest first\n" },
	{ "policy", omg_cmd_policy, "policy PACKAGE...      apt-cache policy's version table", 0,
	  "The installed and candidate versions of each PACKAGE and every version with its priority\n"
	  "and the package lists that have it, as apt-cache policy prints them. Exit status 1 when a\n"
	  "package is unknown (the others are still shown).\n" },
	{ "depends", omg_cmd_depends, "depends PACKAGE...     apt-cache depends: what it needs, conflicts with, ...", 0,
	  "The relations of each PACKAGE's candidate version as apt-cache depends prints them: one line\n"
	  "a relation, \" |\" before an alternative, <NAME> for a virtual package, and under a relation the\n"
	  "packages that provide its name. Exit status 1 when a name is unknown.\n" },
	{ "rdepends", omg_cmd_rdepends, "rdepends PACKAGE...    apt-cache rdepends: the packages whose relations name it", 0,
	  "The packages with a relation (any kind, any version) naming PACKAGE, as apt-cache rdepends\n"
	  "prints them, in apt's order. Exit status 1 when a name is unknown.\n" },
	{ "why", omg_cmd_why, "why PACKAGE            why an installed package is installed", 0,
	  "The shortest chain of installed packages from one installed manually down to PACKAGE, each\n"
	  "needing the next (Pre-Depends, Depends, Recommends or Suggests, by name or through\n"
	  "Provides); or that PACKAGE was installed manually, or that nothing needs it. Exit status 1\n"
	  "when it is not installed.\n" },
	{ "size", omg_cmd_size, "size [-n N]            the largest installed packages", 0,
	  "Installed packages by their Installed-Size (dpkg's, pacman's), largest first, and what all\n"
	  "of them take (on standard error).\n\n"
	  "  -n, --limit N        the N largest (0: all). Default: 20 on a terminal, else all\n" },
	{ "list", omg_cmd_list, "list KIND              installed|explicit|orphans|upgradable|security", 0,
	  "The packages of one KIND: installed, explicit, orphans, upgradable or security.\n\n"
	  "  -n, --limit N        at most N rows (0 or none: all)\n" },
	{ "complete", omg_cmd_complete, "complete [-i] [-A ARRAY] PREFIX  package names for completion", 0,
	  "Package names starting with PREFIX, one per line, for completion.\n\n"
	  "  -i, --installed      installed packages only\n"
	  "  -n, --limit N        at most N names (default 5000)\n"
	  "  -A ARRAY             into the shell array ARRAY (the bash and zsh modules only)\n" },
	{ "files", omg_cmd_files, "files PACKAGE          the files an installed package put on the system", 0,
	  "The files installed PACKAGE (or PACKAGE:ARCH) put on the system, one a line, as dpkg -L\n"
	  "(pacman -Ql) lists them. Exit status 1 when it is not installed.\n" },
	{ "changelog", omg_cmd_changelog, "changelog PACKAGE      an installed package's changelog, from this system", 0,
	  "The changelog of installed PACKAGE as it was installed (Debian: /usr/share/doc/PACKAGE/\n"
	  "changelog.Debian.gz, else changelog.gz; Arch: the local database's changelog), without the\n"
	  "network that apt changelog needs. Exit status 1 when it is not installed or has none.\n" },
	{ "ping", omg_cmd_ping, "ping                   check that omgd answers", 0,
	  "Checks that omgd answers; prints its protocol, backend and the round trip time.\n" },
	{ "metrics", omg_cmd_metrics, "metrics [--prometheus]  omgd's counters and the package metrics", 0,
	  "omgd's counters: requests, connections, bytes, rebuilds, index size, time per request type;\n"
	  "then the package metrics under node-exporter's apt collector's names (apt_upgrades_pending by\n"
	  "origin and architecture, apt_autoremove_pending, node_reboot_required) and omg's own\n"
	  "(omg_security_updates_pending, omg_verify_findings, ...).\n\n"
	  "      --prometheus     all of it in Prometheus's text format (# HELP, # TYPE; omgd's counters\n"
	  "                       as omgd_*, times in seconds); omgd --textfile writes the package part\n" },
	{ "daemon", omg_cmd_daemon, "daemon start|stop|status  run, stop or describe omgd", 0,
	  "start: run omgd in the background; stop: end it; status: describe the running one.\n" },
	{ "not-found", omg_cmd_not_found, "not-found [--shell NAME] COMMAND  which package has COMMAND, or similar ones (exit 127)", 0,
	  "Which packages have COMMAND and how to install it; for a typo, the commands one edit away.\n"
	  "What the shells' command-not-found handlers run (omg hook). Exit status 127.\n\n"
	  "      --shell NAME     the first line in the words of shell NAME (bash, zsh); when omgd\n"
	  "                       cannot answer, print nothing and exit 3 (the handler falls back)\n" },
	{ "audit", omg_cmd_audit, "audit log|verify ...    omgd's tamper-evident log; verify the system", 0,
	  "omg audit log [--since TIME] [--verify]\n"
	  "omgd's audit log: index refreshes and every change of the installed set it saw.\n"
	  "      --since TIME     from TIME: @UNIX, YYYY-MM-DD [HH:MM[:SS]], 2h, 7d, today, yesterday\n"
	  "      --verify         check the whole SHA-256 chain first (exit 5 if broken)\n\n"
	  "omg audit verify [--full] [--last] [--no-archive] [--no-files] [PACKAGE...]\n"
	  "What apt trusts, checked against what the archive signed: each source's InRelease\n"
	  "against the keyring apt uses, every stored package list and cached .deb against the\n"
	  "signed hashes; and the installed files against what the packages shipped. omgd does it\n"
	  "at low priority, and remembers unchanged files. Exit 5 when anything is found.\n"
	  "      --full           rehash every file (the cache is not trusted)\n"
	  "      --last           show omgd's last result (from its background checks); run nothing\n"
	  "      --no-archive, --no-files  leave out that part\n"
	  "      PACKAGE...       check these installed packages' files only\n" },
	{ "history", omg_cmd_history, "history [--since T]    installs, upgrades, removals: apt's, dpkg's, pacman's logs", 0,
	  "The system's package history, as apt's history.log prints it, oldest first: apt's\n"
	  "history.log (and its rotated .N.gz files), the runs of dpkg made without apt (dpkg.log),\n"
	  "pacman's log on Arch, and what omgd saw change that no log has. An action omg ran is\n"
	  "one entry with apt's (Omg-Command: what omg ran, its exit status); Audit-Record: the\n"
	  "records of omgd's audit log that saw the change. Times in local time, as apt's log.\n\n"
	  "      --since TIME     from TIME (as for audit log)\n" },
	{ "owns", omg_cmd_owns, "owns PATH|COMMAND...   the installed package that has a file (dpkg -S)", 0,
	  "The installed packages that have each PATH, as dpkg -S (pacman -Qo) prints them: \"PACKAGE:\n"
	  "PATH\", dpkg's diversions of it first. A COMMAND (a word without a slash) is found through\n"
	  "$PATH first, as type -P does: omg owns ls. On a merged-/usr system the other name of the\n"
	  "path is tried too (bookworm's dpkg lists /bin/ls, not /usr/bin/ls). Exit status 1 when no\n"
	  "package has one of them.\n" },
	{ "install", omg_cmd_install, "install [-y] [--dry-run] PACKAGE...  install packages (apt-get install)", 0,
	  "Installs each PACKAGE (NAME, NAME:ARCH, NAME=VERSION, NAME/RELEASE, or a ./file.deb) with what it\n"
	  "needs. omgd plans it first (apt-get -s, as you: no password) and the plan is shown: what is\n"
	  "installed, upgraded and removed, in red what you did not ask for, the download and the disk\n"
	  "space. After your yes, apt-get runs as root or through sudo in the foreground, with a line\n"
	  "per stage and a progress bar; the result goes into omgd's audit log (omg history).\n" ACT_OPTIONS },
	{ "remove", omg_cmd_remove, "remove [-y] [--dry-run] PACKAGE...  remove packages, keep their configuration", 0,
	  "Removes each PACKAGE and what depends on it (apt-get remove); configuration files stay.\n" ACT_OPTIONS },
	{ "purge", omg_cmd_purge, "purge [-y] [--dry-run] PACKAGE...  remove packages and their configuration", 0,
	  "Removes each PACKAGE and its configuration files (apt-get purge).\n" ACT_OPTIONS },
	{ "reinstall", omg_cmd_reinstall, "reinstall [-y] [--dry-run] PACKAGE...  install the same version again", 0,
	  "Downloads and installs the installed version of each PACKAGE again (apt-get install --reinstall).\n" ACT_OPTIONS },
	{ "upgrade", omg_cmd_upgrade, "upgrade [--full] [-y] [--dry-run]  upgrade every package", 0,
	  "Upgrades what can be upgraded without removing anything, installing new dependencies (apt\n"
	  "upgrade); with --full, removing what must go (apt full-upgrade).\n\n"
	  "      --full           full-upgrade\n" ACT_OPTIONS },
	{ "full-upgrade", omg_cmd_full_upgrade, "full-upgrade [-y] [--dry-run]  upgrade, removing what must go", 0,
	  "apt full-upgrade: upgrades every package, installing and removing what that takes.\n" ACT_OPTIONS },
	{ "autoremove", omg_cmd_autoremove, "autoremove [-y] [--dry-run]  remove packages nothing needs any more", 0,
	  "Removes the packages installed automatically that nothing installed needs (omg list orphans).\n" ACT_OPTIONS },
	{ "update", omg_cmd_update, "update                 refresh the package lists (apt-get update)", 0,
	  "Downloads the package lists again (apt-get update, as root or through sudo); then the\n"
	  "counts of upgradable packages.\n\n"
	  "      --lock-timeout S wait this long for apt's lists lock (default 120)\n" },
	{ "hold", omg_cmd_hold, "hold PACKAGE...        keep packages at their version (apt-mark hold)", 0,
	  "Holds each PACKAGE: upgrades leave it as it is until omg unhold.\n" },
	{ "unhold", omg_cmd_unhold, "unhold PACKAGE...      let held packages be upgraded again", 0,
	  "Takes the hold off each PACKAGE (apt-mark unhold).\n" },
	{ "mark", omg_cmd_mark, "mark auto|manual PACKAGE...  installed as a dependency, or by hand", 0,
	  "Marks each PACKAGE as installed automatically (autoremove takes it when nothing needs it)\n"
	  "or manually (apt-mark auto, manual).\n" },
	{ "doctor", omg_cmd_doctor, "doctor                 what is wrong with this setup, and how to fix it", 1,
	  "Checks omgd (running, which, version, socket, runtime directory), the status file, the\n"
	  "index and the store, the shell modules and the hook in ~/.bashrc and ~/.zshrc, completion,\n"
	  "the package lists' age, apt-file's Contents, the last verification's keyrings verdict and\n"
	  "the systemd user units: one line each, \"ok\", \"warn\" or \"FAIL\", what it found and,\n"
	  "after a dash, how to fix it. It never starts omgd and never verifies anything itself.\n"
	  "Exit status: 0 every check ok, 1 warnings only, 3 omgd unavailable, 4 a check failed,\n"
	  "5 the last verification found untrusted sources.\n" },
	{ "hook", omg_cmd_hook, "hook bash|zsh [apt]    init code: eval \"$(omg hook bash)\"", 1,
	  "The shell's init code: the module, omg's completion and a command-not-found handler. With\n"
	  "apt, package names in apt, apt-get, apt-cache, dpkg and pacman completion too, on top of\n"
	  "the completion those commands already have.\n" },
};

static const char common_help[] =
	"\ncommon options:\n"
	"      --json           JSON output\n"
	"      --timeout MS     omgd's deadline for this command (default 500 ms)\n"
	"  -h, --help           this text\n";

int (omg_cmd_fail)(struct omg_ctx *ctx, int code, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	fprintf(ctx->env->err, "%s: %s\n", ctx->env->prog ? ctx->env->prog : "omg", msg);
	/* --json: a script reads one document on standard output whatever happened */
	if (code != OMG_EXIT_OK && ctx->opts.json && ctx->sink.ops && ctx->sink.ops->error)
		ctx->sink.ops->error(&ctx->sink, code, msg);
	return code;
}

/* --json for what needs no omgd: one compact document, as the sink writes them. */
static void put_json(FILE *f, json_t *doc)
{
	if (doc)
		json_dumpf(doc, f, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
	fputc('\n', f);
	json_decref(doc);
}

/* A command's usage line: its synopsis, and after two spaces or more its summary. */
static json_t *usage_json(const char *name, const char *u)
{
	const char *gap = strstr(u, "  "), *sum = gap ? gap : u + strlen(u);

	while (*sum == ' ')
		sum++;
	return json_pack("{s:s, s:s%, s:s}", "command", name, "synopsis", u, gap ? (size_t)(gap - u) : strlen(u),
			 "summary", sum);
}

static void print_help_json(FILE *f)
{
	json_t *cmds = json_array();

	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		json_array_append_new(cmds, usage_json(commands[i].name, commands[i].usage));
	json_array_append_new(cmds, usage_json("help", "help                   this text"));
	put_json(f, json_pack("{s:s, s:o, s:{s:s, s:s, s:s, s:s, s:s, s:s}}", "usage",
			      "omg [--json] [--timeout MS] COMMAND [ARGS]", "commands", cmds, "exit_status", "0", "ok", "1",
			      "nothing found", "2", "usage", "3", "omgd unavailable", "4", "error", "5", "verification failed"));
}

static void print_help(FILE *f)
{
	fputs("usage: omg [--json] [--timeout MS] COMMAND [ARGS]\n\ncommands:\n", f);
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(f, "  %s\n", commands[i].usage);
	fputs("  help                   this text\n\nexit status: 0 ok, 1 nothing found (doctor: warnings), 2 usage, "
	      "3 omgd unavailable,\n4 error, 5 verification failed (doctor: untrusted sources), 6 the package manager failed\n", f);
}

/* Package names and queries: printable, no whitespace, bounded. */
void omg_pkg_name(char *out, size_t n, const char *name, const char *arch, uint32_t flags)
{
	snprintf(out, n, "%s%s%s", name, (flags & OMG_PKG_FOREIGN) ? ":" : "", (flags & OMG_PKG_FOREIGN) ? arch : "");
}

int omg_check_name(struct omg_ctx *ctx, const char *what, const char *s, int allow_empty)
{
	size_t n = strlen(s);

	if (!allow_empty && n == 0)
		return omg_cmd_fail(ctx, OMG_EXIT_USAGE, "%s: empty", what);
	if (n > OMG_QUERY_MAX)
		return omg_cmd_fail(ctx, OMG_EXIT_USAGE, "%s: longer than %d bytes", what, OMG_QUERY_MAX);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7f)
			return omg_cmd_fail(ctx, OMG_EXIT_USAGE, "%s: control character at byte %zu", what, i);
	}
	return OMG_EXIT_OK;
}

static int parse_int(const char *s, int *out)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (!*s || *end || v < 0 || v > 1000000)
		return -1;
	*out = (int)v;
	return 0;
}

/* The options, GNU style: long ones as --name or --name=VALUE, short ones bundled (-di) and
 * with a value attached or next (-n3, -n 3). Every command takes every option; the ones a
 * command does not use are ignored by it. */
enum opt_id { OPT_JSON, OPT_DESC, OPT_NAMES, OPT_INST, OPT_VERIFY, OPT_NOAUR, OPT_SINCE, OPT_SHELL,
	      OPT_ARRAY, OPT_HELP, OPT_LIMIT, OPT_TIMEOUT, OPT_VERSION, OPT_ALL, OPT_DRY_RUN, OPT_YES,
	      OPT_LOCK_TIMEOUT, OPT_ALLOW_ESSENTIAL, OPT_FULL, OPT_LAST, OPT_NO_ARCHIVE, OPT_NO_FILES,
	      OPT_PROMETHEUS };

static const struct opt {
	const char *name; /* long, without "--" */
	char letter;      /* short, or 0 */
	int value;        /* 1: takes a value */
	enum opt_id id;
} opts[] = {
	{ "json", 0, 0, OPT_JSON },          { "descriptions", 'd', 0, OPT_DESC },
	{ "names-only", 0, 0, OPT_NAMES },   { "installed", 'i', 0, OPT_INST },
	{ "verify", 0, 0, OPT_VERIFY },      { "no-aur", 0, 0, OPT_NOAUR },
	{ "since", 0, 1, OPT_SINCE },        { "shell", 0, 1, OPT_SHELL },
	{ NULL, 'A', 1, OPT_ARRAY },         { "help", 'h', 0, OPT_HELP },
	{ "limit", 'n', 1, OPT_LIMIT },      { "timeout", 0, 1, OPT_TIMEOUT },
	{ "version", 'V', 0, OPT_VERSION },  { "all-versions", 'a', 0, OPT_ALL },
	{ "dry-run", 's', 0, OPT_DRY_RUN },  { "yes", 'y', 0, OPT_YES },
	{ "lock-timeout", 0, 1, OPT_LOCK_TIMEOUT }, { "allow-remove-essential", 0, 0, OPT_ALLOW_ESSENTIAL },
	{ "full", 0, 0, OPT_FULL },          { "last", 0, 0, OPT_LAST },
	{ "no-archive", 0, 0, OPT_NO_ARCHIVE }, { "no-files", 0, 0, OPT_NO_FILES },
	{ "prometheus", 0, 0, OPT_PROMETHEUS },
};

static int set_opt(struct omg_ctx *ctx, const struct opt *op, const char *val, const char *spelled)
{
	struct omg_opts *o = &ctx->opts;

	switch (op->id) {
	case OPT_JSON: o->json = 1; break;
	case OPT_DESC: o->flags |= OMG_SEARCH_DESCRIPTIONS; o->names_only = 0; break;
	case OPT_NAMES: o->flags &= ~OMG_SEARCH_DESCRIPTIONS; o->names_only = 1; break;
	case OPT_INST: o->flags |= OMG_SEARCH_INSTALLED; break;
	case OPT_VERIFY: o->verify = 1; break;
	case OPT_NOAUR: o->no_aur = 1; break;
	case OPT_HELP: o->help = 1; break;
	case OPT_VERSION: o->version = 1; break;
	case OPT_ALL: o->all = 1; break;
	case OPT_DRY_RUN: o->dry_run = 1; break;
	case OPT_YES: o->yes = 1; break;
	case OPT_ALLOW_ESSENTIAL: o->allow_essential = 1; break;
	case OPT_FULL: o->full = 1; break;
	case OPT_LAST: o->last = 1; break;
	case OPT_PROMETHEUS: o->prometheus = 1; break;
	case OPT_NO_ARCHIVE: o->skip |= OMG_VERIFY_NO_ARCHIVE; break;
	case OPT_NO_FILES: o->skip |= OMG_VERIFY_NO_FILES; break;
	case OPT_SINCE: o->since = val; break;
	case OPT_SHELL:
	case OPT_ARRAY:
		if (!val[0])
			return omg_cmd_fail(ctx, OMG_EXIT_USAGE, "%s needs %s", spelled,
					    op->id == OPT_SHELL ? "the shell's name" : "an array name");
		*(op->id == OPT_SHELL ? &o->shell : &o->array) = val;
		break;
	case OPT_LIMIT:
	case OPT_TIMEOUT:
	case OPT_LOCK_TIMEOUT:
		if (parse_int(val, op->id == OPT_TIMEOUT ? &o->timeout_ms : op->id == OPT_LIMIT ? &o->limit : &o->lock_timeout) != 0)
			return omg_cmd_fail(ctx, OMG_EXIT_USAGE, "%s: not a number: %s", spelled, val);
		break;
	}
	return OMG_EXIT_OK;
}

/* Options may come before or after the command; "--" ends them. */
int omg_parse_opts(struct omg_ctx *ctx, int argc, char **argv, const char **cmd)
{
	struct omg_opts *o = &ctx->opts;
	int only_args = 0, rc;

	o->limit = -1;
	o->lock_timeout = -1;
	o->args = calloc((size_t)argc + 1, sizeof *o->args);
	if (!o->args)
		return omg_cmd_fail(ctx, OMG_EXIT_ERROR, "out of memory");
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (only_args || a[0] != '-' || !a[1]) {
			if (!*cmd)
				*cmd = a;
			else
				o->args[o->nargs++] = argv[i];
			continue;
		}
		if (!strcmp(a, "--")) {
			only_args = 1;
			continue;
		}
		if (a[1] == '-') { /* --name or --name=VALUE */
			const char *eq = strchr(a + 2, '=');
			char spelled[32];
			size_t len = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
			const struct opt *op = NULL;
			for (size_t k = 0; k < sizeof opts / sizeof opts[0] && !op; k++)
				if (opts[k].name && strlen(opts[k].name) == len && !strncmp(opts[k].name, a + 2, len))
					op = &opts[k];
			if (!op)
				return omg_cmd_fail(ctx, OMG_EXIT_USAGE, "unknown option %.*s (try 'omg help')",
						    (int)(len + 2), a);
			if (!op->value && eq)
				return omg_cmd_fail(ctx, OMG_EXIT_USAGE, "--%s takes no value", op->name);
			if (op->value && !eq && i + 1 >= argc)
				return omg_cmd_fail(ctx, OMG_EXIT_USAGE, "--%s needs a value", op->name);
			/* named without its =VALUE (was "--limit=x: not a number: x") */
			snprintf(spelled, sizeof spelled, "--%s", op->name);
			if ((rc = set_opt(ctx, op, op->value ? (eq ? eq + 1 : argv[++i]) : "", spelled)) != OMG_EXIT_OK)
				return rc;
			continue;
		}
		for (const char *c = a + 1; *c; c++) { /* -d, -di, -n3, -n 3, -dn3 */
			const struct opt *op = NULL;
			char spelled[3] = { '-', *c, 0 };
			for (size_t k = 0; k < sizeof opts / sizeof opts[0] && !op; k++)
				if (opts[k].letter == *c)
					op = &opts[k];
			if (!op)
				return omg_cmd_fail(ctx, OMG_EXIT_USAGE, "unknown option -%c (try 'omg help')", *c);
			if (!op->value) {
				if ((rc = set_opt(ctx, op, "", spelled)) != OMG_EXIT_OK)
					return rc;
				continue;
			}
			if (!c[1] && i + 1 >= argc)
				return omg_cmd_fail(ctx, OMG_EXIT_USAGE, "%s needs a value", spelled);
			if ((rc = set_opt(ctx, op, c[1] ? c + 1 : argv[++i], spelled)) != OMG_EXIT_OK)
				return rc;
			break;
		}
	}
	return OMG_EXIT_OK;
}

int omg_cmd_call(struct omg_ctx *ctx, struct omg_answer *a)
{
	return omg_cmd_report(ctx, omg_client_call_within(ctx->client, a, ctx->timeout_ms));
}

int omg_cmd_wait_ms(const struct omg_ctx *ctx, int at_least)
{
	if (ctx->opts.timeout_ms > 0)
		return ctx->opts.timeout_ms;
	return ctx->timeout_ms > at_least ? ctx->timeout_ms : at_least;
}

int omg_cmd_call_within(struct omg_ctx *ctx, struct omg_answer *a, int timeout_ms)
{
	return omg_cmd_report(ctx, omg_client_call_within(ctx->client, a, omg_cmd_wait_ms(ctx, timeout_ms)));
}

int omg_cmd_report(struct omg_ctx *ctx, int rc)
{
	switch (rc) {
	case OMG_OK:
		return OMG_EXIT_OK;
	case OMG_E_NOTFOUND:
		return omg_cmd_fail(ctx, OMG_EXIT_NOTHING, "%s", omg_errdetail());
	case OMG_E_NODAEMON:
		/* Nobody listens any more (omg_run found it there): start omgd so that the next
		 * prompt has values. */
		if (omg_autostart(0) == 2)
			return omg_cmd_fail(ctx, OMG_EXIT_NODAEMON, "%s; starting it in the background",
					    omg_errdetail());
		return omg_cmd_fail(ctx, OMG_EXIT_NODAEMON, "%s", omg_errdetail());
	case OMG_E_TIMEOUT:
	case OMG_E_PERM:
		return omg_cmd_fail(ctx, OMG_EXIT_NODAEMON, "%s", omg_errdetail());
	default:
		return omg_cmd_fail(ctx, OMG_EXIT_ERROR, "%s", omg_errdetail());
	}
}

/* Whether command CMD, finding no omgd, starts it and waits for it before it runs. */
static int autostart_waits(const char *cmd)
{
	return strcmp(cmd, "complete") != 0 && strcmp(cmd, "not-found") != 0 && strcmp(cmd, "daemon") != 0;
}

/* The columns of the terminal on FD: COLUMNS when it is a number (20 to 1000), else the
 * terminal's own width; 0 when neither says (no limit). */
static int term_width(int fd)
{
	const char *c = getenv("COLUMNS");
	struct winsize ws;
	char *end;

	if (c && c[0]) {
		long v = strtol(c, &end, 10);
		if (!*end && v >= 20 && v <= 1000)
			return (int)v;
	}
	if (ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 20)
		return ws.ws_col;
	return 0;
}

int omg_run(int argc, char **argv, struct omg_env *env)
{
	struct omg_ctx ctx = { .env = env };
	struct omg_client own;
	const char *cmd = NULL;
	const char *no_color = getenv("NO_COLOR");
	int rc, irc;

	if ((rc = omg_parse_opts(&ctx, argc, argv, &cmd)) != OMG_EXIT_OK)
		goto done;
	if (ctx.opts.version) {
		if (ctx.opts.json)
			put_json(env->out, json_pack("{s:s, s:i}", "version", PACKAGE_VERSION, "protocol", OMG_PROTO_VERSION));
		else
			fprintf(env->out, "omg %s (protocol %d)\n", PACKAGE_VERSION, OMG_PROTO_VERSION);
		rc = OMG_EXIT_OK;
		goto done;
	}
	if (cmd && !strcmp(cmd, "help") && ctx.opts.nargs == 1) { /* omg help COMMAND */
		cmd = ctx.opts.args[0];
		ctx.opts.help = 1;
	}
	if (cmd && ctx.opts.help && strcmp(cmd, "help") != 0) {
		for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
			if (!strcmp(cmd, commands[i].name)) {
				const char *u = commands[i].usage, *gap = strstr(u, "  ");
				if (ctx.opts.json) {
					json_t *doc = usage_json(commands[i].name, u);
					json_object_set_new(doc, "help", json_string(commands[i].help));
					put_json(env->out, doc);
				} else {
					fprintf(env->out, "usage: omg %.*s\n\n%s%s", gap ? (int)(gap - u) : (int)strlen(u), u,
						commands[i].help, common_help);
				}
				rc = OMG_EXIT_OK;
				goto done;
			}
		rc = omg_cmd_fail(&ctx, OMG_EXIT_USAGE, "unknown command '%s' (try 'omg help')", cmd);
		goto done;
	}
	if (!cmd || !strcmp(cmd, "help") || ctx.opts.help) {
		if (ctx.opts.json && (cmd || ctx.opts.help))
			print_help_json(env->out);
		else
			print_help(cmd || ctx.opts.help ? env->out : env->err);
		rc = cmd || ctx.opts.help ? OMG_EXIT_OK : OMG_EXIT_USAGE;
		goto done;
	}
	ctx.sink.out = env->out;
	ctx.sink.err = env->err;
	ctx.sink.ops = ctx.opts.json ? &omg_sink_json : &omg_sink_text;
	if (ctx.opts.array && (strcmp(cmd, "complete") != 0 || !env->fill_array)) {
		rc = omg_cmd_fail(&ctx, OMG_EXIT_USAGE, "-A works with complete, inside bash or zsh with the omg module");
		goto done;
	}
	ctx.sink.color = !ctx.opts.json && isatty(fileno(env->out)) && !(no_color && no_color[0]);
	if (!ctx.opts.json && isatty(fileno(env->out)))
		ctx.sink.width = term_width(fileno(env->out));
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
		if (strcmp(cmd, commands[i].name) != 0)
			continue;
		if (commands[i].offline) {
			rc = commands[i].fn(&ctx);
			fflush(env->out);
			goto done;
		}
		if (env->client) {
			ctx.client = env->client;
			irc = omg_client_retarget(ctx.client);
		} else {
			irc = omg_client_init(&own, NULL, ctx.opts.timeout_ms);
			ctx.client = &own;
		}
		/* Nobody listens (no runtime directory, no socket): the user's first command starts
		 * omgd and waits for it, then answers. Not so for what must stay instant or must
		 * not start it (completion, a mistyped command, omg daemon). */
		if (irc == OMG_OK && autostart_waits(cmd))
			irc = omg_client_connect(ctx.client);
		if (irc == OMG_E_NODAEMON) {
			char sys[4096];
			/* the user's daemon is gone (a stale socket): the system's serves, if any */
			if (omg_system_serving(sys, sizeof sys) && strcmp(sys, ctx.client->path) != 0 &&
			    omg_client_set_path(ctx.client, sys) == OMG_OK)
				irc = omg_client_connect(ctx.client);
		}
		if (irc == OMG_E_NODAEMON) {
			int started = omg_autostart(autostart_waits(cmd) ? OMG_AUTOSTART_WAIT_MS : 0);
			if (started == 1) {
				irc = env->client ? omg_client_retarget(ctx.client) : omg_client_init(&own, NULL, ctx.opts.timeout_ms);
				if (irc == OMG_OK)
					irc = omg_client_connect(ctx.client);
			}
			if (irc != OMG_OK) {
				rc = omg_cmd_fail(&ctx, OMG_EXIT_NODAEMON, "%s%s", omg_errdetail(),
						  started == 2 ? "; starting it in the background" : "");
				if (!env->client)
					omg_client_close(&own);
				goto done;
			}
		}
		if (irc != OMG_OK) { /* a bad setup: a runtime directory that is not private */
			rc = omg_cmd_fail(&ctx, OMG_EXIT_NODAEMON, "%s", omg_errdetail());
			if (!env->client)
				omg_client_close(&own);
			goto done;
		}
		/* --timeout applies to this command only, also on a kept connection */
		ctx.timeout_ms = ctx.opts.timeout_ms > 0 ? ctx.opts.timeout_ms : ctx.client->timeout_ms;
		rc = commands[i].fn(&ctx);
		if (!env->client)
			omg_client_close(&own);
		fflush(env->out);
		goto done;
	}
	rc = omg_cmd_fail(&ctx, OMG_EXIT_USAGE, "unknown command '%s' (try 'omg help')", cmd);
done:
	free(ctx.opts.args);
	return rc;
}
