/* cmd.c — argument parsing and dispatch shared by every front end. */
#include "config.h"
#include "cmd.h"
#include "autostart.h"
#include "omg_error.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const struct {
	const char *name;
	omg_cmd_fn fn;
	const char *usage;
	int offline; /* runs without omgd (no client) */
} commands[] = {
	{ "status", omg_cmd_status, "status                 counts: installed, explicit, orphans, updates", 0 },
	{ "search", omg_cmd_search, "search [-d] [-i] [-n N] [--no-aur] QUERY   names (and with -d descriptions)", 0 },
	{ "info", omg_cmd_info, "info [--no-aur] PACKAGE  one package's details (Arch: else the AUR's)", 0 },
	{ "list", omg_cmd_list, "list KIND              installed|explicit|orphans|upgradable|security", 0 },
	{ "complete", omg_cmd_complete, "complete [-i] [-A ARRAY] PREFIX  package names for completion", 0 },
	{ "ping", omg_cmd_ping, "ping                   check that omgd answers", 0 },
	{ "metrics", omg_cmd_metrics, "metrics                omgd's counters", 0 },
	{ "daemon", omg_cmd_daemon, "daemon start|stop|status  run, stop or describe omgd", 0 },
	{ "not-found", omg_cmd_not_found, "not-found [--shell NAME] COMMAND  which package has COMMAND, or similar ones (exit 127)", 0 },
	{ "audit", omg_cmd_audit, "audit log [--since T] [--verify]  omgd's tamper-evident log", 0 },
	{ "history", omg_cmd_history, "history [--since T]    installs, upgrades, removals (from the audit log)", 0 },
	{ "hook", omg_cmd_hook, "hook bash|zsh          init code: eval \"$(omg hook bash)\"", 1 },
};

int omg_cmd_fail(struct omg_ctx *ctx, int code, const char *fmt, ...)
{
	va_list ap;

	fprintf(ctx->env->err, "%s: ", ctx->env->prog ? ctx->env->prog : "omg");
	va_start(ap, fmt);
	vfprintf(ctx->env->err, fmt, ap);
	va_end(ap);
	fputc('\n', ctx->env->err);
	return code;
}

static void print_help(FILE *f)
{
	fputs("usage: omg [--json] [--timeout MS] COMMAND [ARGS]\n\ncommands:\n", f);
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(f, "  %s\n", commands[i].usage);
	fputs("  help                   this text\n\nexit status: 0 ok, 1 nothing found, 2 usage, "
	      "3 omgd unavailable, 4 error,\n5 verification failed\n", f);
}

/* Package names and queries: printable, no whitespace, bounded. */
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

/* Options may come before or after the command; "--" ends them. */
static int parse_opts(struct omg_ctx *ctx, int argc, char **argv, const char **cmd)
{
	struct omg_opts *o = &ctx->opts;
	int only_args = 0;

	o->limit = -1;
	o->args = calloc((size_t)argc + 1, sizeof *o->args);
	if (!o->args)
		return omg_cmd_fail(ctx, OMG_EXIT_ERROR, "out of memory");
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *val = NULL;
		if (only_args || a[0] != '-' || !a[1]) {
			if (!*cmd)
				*cmd = a;
			else
				o->args[o->nargs++] = argv[i];
			continue;
		}
		if (!strcmp(a, "--"))
			only_args = 1;
		else if (!strcmp(a, "--json"))
			o->json = 1;
		else if (!strcmp(a, "-d") || !strcmp(a, "--descriptions"))
			o->flags |= OMG_SEARCH_DESCRIPTIONS;
		else if (!strcmp(a, "--names-only"))
			o->flags &= ~OMG_SEARCH_DESCRIPTIONS;
		else if (!strcmp(a, "-i") || !strcmp(a, "--installed"))
			o->flags |= OMG_SEARCH_INSTALLED;
		else if (!strcmp(a, "--verify"))
			o->verify = 1;
		else if (!strcmp(a, "--no-aur"))
			o->no_aur = 1;
		else if (!strcmp(a, "--since")) {
			if (i + 1 >= argc)
				return omg_cmd_fail(ctx, OMG_EXIT_USAGE, "--since needs a time");
			o->since = argv[++i];
		} else if (!strcmp(a, "--shell")) {
			if (i + 1 >= argc || !argv[i + 1][0])
				return omg_cmd_fail(ctx, OMG_EXIT_USAGE, "--shell needs the shell's name");
			o->shell = argv[++i];
		}
		else if (!strcmp(a, "-A")) {
			if (i + 1 >= argc || !argv[i + 1][0])
				return omg_cmd_fail(ctx, OMG_EXIT_USAGE, "-A needs an array name");
			o->array = argv[++i];
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help"))
			*cmd = "help";
		else if (!strcmp(a, "-n") || !strcmp(a, "--limit") || !strcmp(a, "--timeout")) {
			if (i + 1 >= argc)
				return omg_cmd_fail(ctx, OMG_EXIT_USAGE, "%s needs a number", a);
			val = argv[++i];
			if (parse_int(val, !strcmp(a, "--timeout") ? &o->timeout_ms : &o->limit) != 0)
				return omg_cmd_fail(ctx, OMG_EXIT_USAGE, "%s: not a number: %s", a, val);
		} else
			return omg_cmd_fail(ctx, OMG_EXIT_USAGE, "unknown option %s (try 'omg help')", a);
	}
	return OMG_EXIT_OK;
}

int omg_cmd_call(struct omg_ctx *ctx, struct omg_answer *a)
{
	return omg_cmd_report(ctx, omg_client_call(ctx->client, a));
}

int omg_cmd_report(struct omg_ctx *ctx, int rc)
{
	switch (rc) {
	case OMG_OK:
		return OMG_EXIT_OK;
	case OMG_E_NOTFOUND:
		return omg_cmd_fail(ctx, OMG_EXIT_NOTHING, "%s", omg_errdetail());
	case OMG_E_NODAEMON:
		/* Nobody listens: start omgd so that the next prompt has values. */
		if (omg_autostart() == 1)
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

int omg_run(int argc, char **argv, struct omg_env *env)
{
	struct omg_ctx ctx = { .env = env };
	struct omg_client own;
	const char *cmd = NULL;
	const char *no_color = getenv("NO_COLOR");
	int rc, irc, kept_timeout;

	if ((rc = parse_opts(&ctx, argc, argv, &cmd)) != OMG_EXIT_OK)
		goto done;
	if (!cmd || !strcmp(cmd, "help")) {
		print_help(cmd ? env->out : env->err);
		rc = cmd ? OMG_EXIT_OK : OMG_EXIT_USAGE;
		goto done;
	}
	ctx.sink.out = env->out;
	ctx.sink.ops = ctx.opts.json ? &omg_sink_json : &omg_sink_text;
	if (ctx.opts.array && (strcmp(cmd, "complete") != 0 || !env->fill_array)) {
		rc = omg_cmd_fail(&ctx, OMG_EXIT_USAGE, "-A works with complete, inside bash or zsh with the omg module");
		goto done;
	}
	ctx.sink.color = !ctx.opts.json && isatty(fileno(env->out)) && !(no_color && no_color[0]);
	rc = OMG_EXIT_USAGE;
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
		if (irc != OMG_OK) { /* no socket path: omgd never ran here (start it) or a bad setup */
			int started = irc == OMG_E_NODAEMON && omg_autostart() == 1;
			rc = omg_cmd_fail(&ctx, OMG_EXIT_NODAEMON, "%s%s", omg_errdetail(),
					  started ? "; starting it in the background" : "");
			goto done;
		}
		/* --timeout applies to this command only, also on a kept connection */
		kept_timeout = ctx.client->timeout_ms;
		if (ctx.opts.timeout_ms > 0)
			ctx.client->timeout_ms = ctx.opts.timeout_ms;
		rc = commands[i].fn(&ctx);
		ctx.client->timeout_ms = kept_timeout;
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
