/* shell_state.h — what a shell module keeps between prompts and commands: one kept
 * connection to omgd, the mapped status file, and the security count's cache. Both modules
 * (bash, zsh) hold one struct omg_shell and are otherwise only shell glue.
 *
 * OMG_SECURITY and OMG_MODIFIED: the 32-byte status file has no field for them (its layout is fixed for
 * existing snippets), so the count is asked of omgd once per published status file, with one
 * STATUS request of at most OMG_SECURITY_TIMEOUT_MS, and cached against the mapping's epoch.
 * omgd publishes a new file whenever the security count changes, so the cache is never older
 * than the file. Between publishes a read costs a comparison.
 */
#ifndef OMG_SHELL_STATE_H
#define OMG_SHELL_STATE_H

#include <stdint.h>

#include "client.h"
#include "status_file.h"

#define OMG_SECURITY_TIMEOUT_MS 100 /* a prompt never waits longer for it */

/* The live variables: the status file's four counts (enum omg_count), then the security count
 * and OMG_MODIFIED (the last verification's findings: installed files changed or missing, and
 * problems of the archive chain; 0 when all was well), both from the same cached STATUS. */
#define OMG_SHELL_SECURITY OMG_COUNT__N
#define OMG_SHELL_MODIFIED (OMG_COUNT__N + 1)
/* OMG_REBOOT: 1 while a reboot is required (STATUS flag OMG_STATUS_REBOOT), else 0; cached
 * with SECURITY (omgd publishes a new status file when it changes). */
#define OMG_SHELL_REBOOT (OMG_COUNT__N + 2)
#define OMG_SHELL_VARS (OMG_COUNT__N + 3)
extern const char *const omg_shell_var_names[OMG_SHELL_VARS];

struct omg_shell {
	int (*interrupted)(void); /* the shell's "Ctrl-C was pressed", set by the module */
	struct omg_client client;
	int client_ready;
	struct omg_status_map map;
	uint64_t security_epoch;  /* the status file the cached value belongs to; 0: none */
	int security_known;
	uint32_t cached[OMG_SHELL_VARS - OMG_SHELL_SECURITY]; /* SECURITY, MODIFIED, REBOOT: one STATUS */
};

/* The kept connection, opened on first use; NULL when no socket path can be resolved yet. */
struct omg_client *omg_shell_client(struct omg_shell *sh);
/* Variable WHICH (< OMG_SHELL_VARS): OMG_OK and *OUT, or an error code when it has no value. */
int omg_shell_value(struct omg_shell *sh, int which, uint32_t *out);
/* An omg command ran in this shell: it may have started omgd (autostart), so a shell that
 * found no status file looks again at the next read rather than trusting the last look,
 * which is otherwise kept for a second (status_file.h). Without it the prompt after `omg ping`
 * started omgd showed nothing when both fell in the same second. A shell with a status file
 * keeps its once-a-second check. */
void omg_shell_ran(struct omg_shell *sh);
/* Closes the connection and the mapping (module unload). */
void omg_shell_close(struct omg_shell *sh);

#endif
