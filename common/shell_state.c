/* shell_state.c — see shell_state.h. */
#include "config.h"
#include "shell_state.h"
#include "omg_error.h"

#include <string.h>

const char *const omg_shell_var_names[OMG_SHELL_VARS] = {
	"OMG_TOTAL", "OMG_EXPLICIT", "OMG_ORPHANS", "OMG_UPDATES", "OMG_SECURITY", "OMG_MODIFIED",
	"OMG_REBOOT",
};

struct omg_client *omg_shell_client(struct omg_shell *sh)
{
	if (!sh->client_ready && omg_client_init(&sh->client, NULL, 0) == OMG_OK) {
		sh->client.interrupted = sh->interrupted;
		sh->client_ready = 1;
	}
	return sh->client_ready ? &sh->client : NULL;
}

static int shell_cached(struct omg_shell *sh, int which, uint32_t *out)
{
	struct omg_client *c;
	struct omg_status_msg st;
	struct omg_answer a;
	uint32_t ignored;
	int rc;

	/* a current status file first: no daemon, no value */
	if ((rc = omg_status_count(&sh->map, OMG_COUNT_UPDATES, &ignored)) != OMG_OK)
		return rc;
	if (sh->security_epoch != sh->map.epoch && (c = omg_shell_client(sh))) {
		/* once per published file, success or not: a hung daemon costs one short wait */
		sh->security_epoch = sh->map.epoch;
		sh->security_known = 0;
		/* the daemon whose status file this is: the user's may have started (or gone) since
		 * the connection was made to the system's */
		if (omg_client_retarget(c) != OMG_OK)
			return OMG_E_NODAEMON;
		omg_client_begin(c, OMG_MSG_STATUS);
		rc = omg_client_call_within(c, &a, OMG_SECURITY_TIMEOUT_MS);
		if (rc == OMG_OK && omg_dec_status(a.payload, a.length, &st) == OMG_OK) {
			sh->cached[OMG_SHELL_SECURITY - OMG_SHELL_SECURITY] = st.security;
			sh->cached[OMG_SHELL_MODIFIED - OMG_SHELL_SECURITY] = st.modified + st.untrusted;
			sh->cached[OMG_SHELL_REBOOT - OMG_SHELL_SECURITY] = (st.flags & OMG_STATUS_REBOOT) ? 1 : 0;
			sh->security_known = 1;
		}
	}
	if (!sh->security_known || sh->security_epoch != sh->map.epoch)
		return OMG_E_NODAEMON;
	*out = sh->cached[which - OMG_SHELL_SECURITY];
	return OMG_OK;
}

int omg_shell_value(struct omg_shell *sh, int which, uint32_t *out)
{
	if (which >= OMG_SHELL_SECURITY)
		return shell_cached(sh, which, out);
	return omg_status_count(&sh->map, (enum omg_count)which, out);
}

void omg_shell_ran(struct omg_shell *sh)
{
	/* only a shell with no status file can have missed one: a mapped file is followed by
	 * its own checks, and completion's many `omg complete` calls cost nothing more */
	if (!sh->map.map && !sh->map.copied)
		sh->map.last_check = 0;
}

void omg_shell_close(struct omg_shell *sh)
{
	int (*interrupted)(void) = sh->interrupted;

	omg_status_map_close(&sh->map);
	if (sh->client_ready)
		omg_client_close(&sh->client);
	memset(sh, 0, sizeof *sh);
	sh->interrupted = interrupted;
}
