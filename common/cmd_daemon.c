/* cmd_daemon.c — omg daemon start|stop|status.
 *
 * start: runs omgd (detached, as autostart does) unless one answers, then waits up to
 * 5 s for it to answer. stop: asks the kernel who serves the socket (SO_PEERCRED on our own
 * connection, no pid file to go stale), sends it SIGTERM and waits up to 5 s for it to go.
 * status: whether omgd answers, its pid, uptime, index generation and backend. */
#include "config.h"
#include "autostart.h"
#include "cmd.h"
#include "omg_error.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define DAEMON_WAIT_MS 5000

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

/* STATUS over the context's client; also the server's pid. */
static int daemon_probe(struct omg_ctx *ctx, struct omg_status_msg *m, pid_t *pid)
{
	struct omg_answer a;
	struct ucred cred;
	socklen_t len = sizeof cred;
	int rc;

	omg_client_begin(ctx->client, OMG_MSG_STATUS);
	if ((rc = omg_client_call_within(ctx->client, &a, ctx->timeout_ms)) != OMG_OK)
		return rc;
	if (omg_dec_status(a.payload, a.length, m) != OMG_OK)
		return OMG_E_PROTO;
	*pid = 0;
	if (getsockopt(ctx->client->fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0)
		*pid = cred.pid;
	return OMG_OK;
}

int omg_cmd_daemon(struct omg_ctx *ctx)
{
	const char *what = ctx->opts.nargs == 1 ? ctx->opts.args[0] : "";
	struct omg_status_msg m;
	pid_t pid;

	if (!strcmp(what, "status")) {
		if (daemon_probe(ctx, &m, &pid) != OMG_OK)
			return omg_cmd_fail(ctx, OMG_EXIT_NODAEMON, "%s", omg_errdetail());
		ctx->sink.ops->daemon(&ctx->sink, "running", (int)pid, &m);
		return OMG_EXIT_OK;
	}
	if (!strcmp(what, "start")) {
		if (daemon_probe(ctx, &m, &pid) == OMG_OK) {
			ctx->sink.ops->daemon(&ctx->sink, "already running", (int)pid, &m);
			return OMG_EXIT_OK;
		}
		if (omg_autostart_now() != 1)
			return omg_cmd_fail(ctx, OMG_EXIT_ERROR, "cannot run omgd (set OMG_OMGD to its path)");
		for (int waited = 0; waited < DAEMON_WAIT_MS; waited += 50) {
			sleep_ms(50);
			if (daemon_probe(ctx, &m, &pid) == OMG_OK && (m.flags & OMG_STATUS_READY)) {
				ctx->sink.ops->daemon(&ctx->sink, "started", (int)pid, &m);
				return OMG_EXIT_OK;
			}
		}
		return omg_cmd_fail(ctx, OMG_EXIT_NODAEMON, "omgd did not answer within %d ms", DAEMON_WAIT_MS);
	}
	if (!strcmp(what, "stop")) {
		if (daemon_probe(ctx, &m, &pid) != OMG_OK) {
			ctx->sink.ops->daemon(&ctx->sink, "not running", 0, NULL);
			return OMG_EXIT_OK;
		}
		if (pid <= 0 || kill(pid, SIGTERM) != 0)
			return omg_cmd_fail(ctx, OMG_EXIT_ERROR, "cannot stop omgd (pid %d): %s", (int)pid, strerror(errno));
		for (int waited = 0; waited < DAEMON_WAIT_MS; waited += 20) {
			sleep_ms(20);
			if (kill(pid, 0) != 0) {
				ctx->sink.ops->daemon(&ctx->sink, "stopped", (int)pid, NULL);
				return OMG_EXIT_OK;
			}
		}
		return omg_cmd_fail(ctx, OMG_EXIT_ERROR, "omgd (pid %d) did not stop within %d ms", (int)pid, DAEMON_WAIT_MS);
	}
	return omg_cmd_fail(ctx, OMG_EXIT_USAGE, "usage: omg daemon start|stop|status");
}
