/* cmd_status.c — omg status: the daemon's counts. */
#include "config.h"
#include "cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PKGS_MAX (64u << 10) /* reboot-required.pkgs read at most this far */

/* The distinct names of ROOT's reboot-required.pkgs (update-notifier's triggers append one a
 * line, repeats included), in the order first named, one space between them; NULL: none. */
static char *reboot_pkgs(const char *root)
{
	static const char *const at[] = { "/run/reboot-required.pkgs", "/var/run/reboot-required.pkgs" };
	char path[4200], *buf = NULL, *out = NULL;
	size_t len = 0, used = 0;
	FILE *f = NULL;

	for (size_t i = 0; i < 2 && !f; i++) {
		snprintf(path, sizeof path, "%s%s", strcmp(root, "/") ? root : "", at[i]);
		f = fopen(path, "re");
	}
	if (!f || !(buf = malloc(PKGS_MAX + 1)) || !(out = malloc(PKGS_MAX + 2)))
		goto fail;
	len = fread(buf, 1, PKGS_MAX, f);
	buf[len] = 0;
	out[0] = 0;
	for (char *save = NULL, *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		size_t n = strcspn(line, " \t\r");
		int seen = 0;
		line[n] = 0;
		for (const char *p = out; n && *p && !seen; p += strcspn(p, " "), p += *p == ' ')
			seen = !strncmp(p, line, n) && (p[n] == ' ' || !p[n]);
		if (n && !seen)
			used += (size_t)sprintf(out + used, "%s%s", used ? " " : "", line);
	}
fail:
	if (f)
		fclose(f);
	free(buf);
	if (out && !out[0]) {
		free(out);
		out = NULL;
	}
	return out;
}

int omg_cmd_status(struct omg_ctx *ctx)
{
	struct omg_status_msg m = { 0 };
	struct omg_answer a;
	char *pkgs = NULL;
	int rc;

	if (ctx->opts.nargs)
		return omg_cmd_fail(ctx, OMG_EXIT_USAGE, "status takes no arguments");
	omg_client_begin(ctx->client, OMG_MSG_STATUS);
	if ((rc = omg_cmd_call(ctx, &a)) != OMG_EXIT_OK)
		return rc;
	if (omg_dec_status(a.payload, a.length, &m) != 0)
		return omg_cmd_fail(ctx, OMG_EXIT_ERROR, "malformed STATUS answer");
	if (m.flags & OMG_STATUS_REBOOT)
		m.reboot_pkgs = pkgs = reboot_pkgs(m.root);
	ctx->sink.ops->status(&ctx->sink, &m);
	free(pkgs);
	return OMG_EXIT_OK;
}
