/* cmd_owns.c — omg owns PATH|COMMAND...: the installed packages that have a file, as dpkg -S
 * (pacman -Qo) says it; a command name is found through $PATH first, as `type -P` does. */
#include "config.h"
#include "cmd.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Takes "." and ".." parts and repeated slashes out of absolute path P, in place. */
static void tidy(char *p)
{
	char *w = p;

	for (char *r = p; *r;) {
		size_t len;
		while (*r == '/')
			r++;
		len = strcspn(r, "/");
		if (len == 1 && r[0] == '.') {
			/* nothing */
		} else if (len == 2 && r[0] == '.' && r[1] == '.') {
			while (w > p && *--w != '/')
				;
		} else if (len) {
			*w++ = '/';
			memmove(w, r, len);
			w += len;
		}
		r += len;
	}
	if (w == p)
		*w++ = '/';
	*w = 0;
}

int omg_owns_path(const char *arg, const char *path_env, char *out, size_t n)
{
	char found[PATH_MAX * 2], cwd[PATH_MAX];

	if (!arg[0] || strlen(arg) >= PATH_MAX)
		return -1;
	if (!strchr(arg, '/')) { /* a command: the first executable file of that name in $PATH */
		const char *p = path_env ? path_env : "";
		found[0] = 0;
		for (;;) {
			size_t len = strcspn(p, ":");
			struct stat st;
			snprintf(found, sizeof found, "%.*s%s%s", (int)len, len ? p : ".", "/", arg);
			if (len < PATH_MAX && stat(found, &st) == 0 && S_ISREG(st.st_mode) && access(found, X_OK) == 0)
				break;
			found[0] = 0;
			if (!p[len])
				break;
			p += len + 1;
		}
		if (!found[0])
			return -1;
		arg = found;
	}
	if (arg[0] == '/') {
		if (strlen(arg) >= n)
			return -1;
		snprintf(out, n, "%s", arg);
	} else {
		if (!getcwd(cwd, sizeof cwd) || strlen(cwd) + strlen(arg) + 2 > n)
			return -1;
		snprintf(out, n, "%s/%s", cwd, arg);
	}
	tidy(out);
	return 0;
}

int omg_cmd_owns(struct omg_ctx *ctx)
{
	struct omg_providers *rows;
	void **raw;
	int n = ctx->opts.nargs, rc = OMG_EXIT_OK, missing = 0, i;

	if (n < 1)
		return omg_cmd_fail(ctx, OMG_EXIT_USAGE, "usage: omg owns PATH|COMMAND...");
	rows = calloc((size_t)n, sizeof *rows);
	raw = calloc((size_t)n, sizeof *raw);
	if (!rows || !raw) {
		rc = omg_cmd_fail(ctx, OMG_EXIT_ERROR, "out of memory");
		goto done;
	}
	for (i = 0; i < n; i++) {
		char path[PATH_MAX + 8];
		struct omg_query q = { .text = path };
		struct omg_answer a;
		const char *arg = ctx->opts.args[i];
		if ((rc = omg_check_name(ctx, "path", arg, 0)) != OMG_EXIT_OK)
			goto done;
		if (omg_owns_path(arg, getenv("PATH"), path, sizeof path) != 0) {
			/* as bash says it of a command it cannot find */
			omg_cmd_fail(ctx, OMG_EXIT_OK, "%s: %s", arg, strchr(arg, '/') ? "path too long" : "not found in PATH");
			missing = 1;
			continue;
		}
		omg_enc_query(omg_client_begin(ctx->client, OMG_MSG_OWNS), OMG_MSG_OWNS, &q);
		if ((rc = omg_cmd_report(ctx, omg_client_call_within(ctx->client, &a, omg_cmd_wait_ms(ctx, OMG_OWNS_WAIT_MS)))) !=
		    OMG_EXIT_OK)
			goto done;
		if (!(raw[i] = malloc(a.length ? a.length : 1))) {
			rc = omg_cmd_fail(ctx, OMG_EXIT_ERROR, "out of memory");
			goto done;
		}
		memcpy(raw[i], a.payload, a.length);
		if (omg_dec_providers(raw[i], a.length, &rows[i]) != OMG_OK) {
			rc = omg_cmd_fail(ctx, OMG_EXIT_ERROR, "malformed OWNS answer");
			goto done;
		}
		int owned = 0;
		for (uint32_t k = 0; k < rows[i].count; k++)
			owned |= rows[i].v[k].installed == OMG_OWNS_FILE;
		if (!owned) { /* dpkg -S's words, on the error stream */
			omg_cmd_fail(ctx, OMG_EXIT_OK, "no package owns %s", path);
			missing = 1;
		}
	}
	ctx->sink.ops->owns(&ctx->sink, (const char *const *)ctx->opts.args, rows, n);
	rc = missing ? OMG_EXIT_NOTHING : OMG_EXIT_OK;
done:
	for (i = 0; rows && raw && i < n; i++) {
		omg_providers_free(&rows[i]);
		free(raw[i]);
	}
	free(rows);
	free(raw);
	return rc;
}
