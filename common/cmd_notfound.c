/* cmd_notfound.c — omg not-found COMMAND: what the shells' command-not-found handlers run.
 *
 * On stderr: the shell's own "command not found" line, then where the command can be had (an
 * installed package whose directory is not in PATH, or the packages that would install it and
 * the exact command), else the commands one typo away (as Debian's command-not-found suggests
 * them), else, when only installed packages' commands are indexed, how to index the others.
 * The install command is given as Debian's tool gives it: without sudo for root, with sudo
 * for members of the sudo or admin group, else with "Please ask your administrator."
 *
 * Exits 127, as the shell would have. With --shell NAME (the hook's handlers) the first line
 * is NAME's own (bash: "NAME: CMD: command not found", zsh: "zsh: command not found: CMD"),
 * and when omgd cannot answer nothing is printed and the exit status is 3, so that the handler
 * falls back to the one the shell had (Debian's command-not-found). --json prints the
 * providers and the similar commands instead. */
#include "config.h"
#include "cmd.h"
#include "omg_error.h"

#include <grp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define NOT_FOUND_EXIT 127

/* Debian's command-not-found: members of "sudo" or "admin" may install. Read from /etc/group
 * itself, not through NSS: this runs inside the user's shell, and a directory service must
 * not be able to make it wait. */
static int user_can_sudo(void)
{
	gid_t groups[256];
	int n = getgroups(256, groups), can = 0;
	FILE *f = fopen("/etc/group", "re");
	struct group *g;

	if (!f || n < 0) {
		if (f)
			fclose(f);
		return 0;
	}
	while (!can && (g = fgetgrent(f)))
		if (!strcmp(g->gr_name, "sudo") || !strcmp(g->gr_name, "admin"))
			for (int i = 0; i < n && !can; i++)
				can = groups[i] == g->gr_gid;
	fclose(f);
	return can;
}

/* The install command for PACKAGE ("<package>" for several), as Debian's tool words it. */
static void put_install(FILE *err, const char *package, const char *lead)
{
	int root = getuid() == 0, can = root || user_can_sudo();

	fprintf(err, "%s%sapt install %s\n", lead, root || !can ? "" : "sudo ", package);
	if (!can)
		fputs("Please ask your administrator.\n", err);
}

/* What omg_check_name lets through, without its message. */
static int sendable(const char *s)
{
	size_t n = strlen(s);

	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return n > 0 && n <= OMG_QUERY_MAX;
}

static const char *base(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

static void put_first_line(FILE *err, const char *shell, const char *cmd)
{
	const char *name = shell ? shell : "";
	size_t n = strlen(name);

	if (!shell)
		fprintf(err, "%s: command not found\n", cmd);
	else if (n >= 3 && !strcmp(name + n - 3, "zsh"))
		fprintf(err, "%s: command not found: %s\n", name, cmd);
	else
		fprintf(err, "%s: %s: command not found\n", name, cmd);
}

static void put_providers(FILE *err, const struct omg_providers *pv)
{
	uint32_t installed = 0;

	for (uint32_t i = 0; i < pv->count; i++)
		if (pv->v[i].installed) {
			if (!installed++)
				fprintf(err, "It is installed, in a directory that is not in your PATH:\n");
			fprintf(err, "  %s  (package %s)\n", pv->v[i].path, pv->v[i].package);
		}
	if (installed)
		return;
	fprintf(err, pv->count == 1 ? "It is in the package %s (%s). Install it with:\n" : "It is in these packages:\n",
		pv->v[0].package, pv->v[0].path);
	for (uint32_t i = 0; pv->count > 1 && i < pv->count; i++)
		fprintf(err, "  %-24s %s\n", pv->v[i].package, pv->v[i].path);
	if (pv->count > 1)
		fprintf(err, "Install one with, for example:\n");
	put_install(err, pv->v[0].package, "  ");
}

static void put_similar(FILE *err, const struct omg_providers *sim)
{
	uint32_t available = 0;
	const char *only = NULL;

	fputs("Similar commands:\n", err);
	for (uint32_t i = 0; i < sim->count; i++) {
		const struct omg_provider *p = &sim->v[i];
		if (p->installed) {
			fprintf(err, "  %-16s %s (installed, package %s)\n", base(p->path), p->path, p->package);
		} else {
			fprintf(err, "  %-16s from package %s\n", base(p->path), p->package);
			if (!available++ || !strcmp(only, p->package))
				only = p->package;
			else
				only = "";
		}
	}
	if (available)
		put_install(err, only && only[0] ? only : "<package>", "Try: ");
}

int omg_cmd_not_found(struct omg_ctx *ctx)
{
	struct omg_query q = { 0 };
	struct omg_providers pv = { 0 }, sim = { 0 };
	struct omg_answer a;
	FILE *err = ctx->env->err;
	const char *cmd, *shell = ctx->opts.shell;
	uint32_t flags = OMG_SIMILAR_AVAILABLE;
	int unavailable = 0;

	if (ctx->opts.nargs != 1)
		return omg_cmd_fail(ctx, OMG_EXIT_USAGE, "usage: omg not-found [--shell NAME] COMMAND");
	cmd = q.text = ctx->opts.args[0];
	/* a name omg will not send (too long, control characters): the handler falls back to
	 * the one the shell had, which says it in the shell's words */
	if (shell && !sendable(cmd))
		return OMG_EXIT_NODAEMON;
	if (omg_check_name(ctx, "command", cmd, 0) != OMG_EXIT_OK)
		return NOT_FOUND_EXIT;
	if (!strchr(cmd, '/')) {
		omg_enc_query(omg_client_begin(ctx->client, OMG_MSG_PROVIDES), OMG_MSG_PROVIDES, &q);
		if (omg_client_call_within(ctx->client, &a, ctx->timeout_ms) != OMG_OK || omg_dec_providers(a.payload, a.length, &pv) != OMG_OK) {
			pv.count = 0;
			unavailable = 1;
		}
		if (!unavailable && !pv.count) {
			omg_enc_query(omg_client_begin(ctx->client, OMG_MSG_SIMILAR), OMG_MSG_SIMILAR, &q);
			/* an older omgd without SIMILAR: no hints, nothing else lost */
			if (omg_client_call_within(ctx->client, &a, ctx->timeout_ms) != OMG_OK ||
			    omg_dec_similar(a.payload, a.length, &flags, &sim) != OMG_OK) {
				sim.count = 0;
				flags = OMG_SIMILAR_AVAILABLE;
			}
		}
	}
	if (unavailable && shell)
		return OMG_EXIT_NODAEMON; /* the handler falls back to what the shell had */
	if (ctx->opts.json) {
		ctx->sink.ops->providers(&ctx->sink, cmd, &pv, &sim);
	} else {
		put_first_line(err, shell, cmd);
		if (pv.count)
			put_providers(err, &pv);
		else if (sim.count)
			put_similar(err, &sim);
		if (!unavailable && !pv.count && !(flags & OMG_SIMILAR_AVAILABLE) && !strchr(cmd, '/')) {
			const char *sudo = getuid() == 0 || !user_can_sudo() ? "" : "sudo ";
			fprintf(err, "(Only installed packages' commands are known: '%sapt install apt-file && %sapt update' "
				"adds the others.)\n", sudo, sudo);
		}
	}
	omg_providers_free(&pv);
	omg_providers_free(&sim);
	return NOT_FOUND_EXIT;
}
