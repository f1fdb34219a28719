/* omg_bash.c — the bash loadable: `enable -f omg.so omg` (or `enable omg` once installed).
 *
 * Thin glue over common/: the omg builtin runs the shared command layer in-process over a
 * kept connection, and OMG_TOTAL, OMG_EXPLICIT, OMG_ORPHANS and OMG_UPDATES are dynamic,
 * read-only integer variables whose value is read from the mapped status file at every
 * expansion (no fork, no exec, no system call while the file is current). A missing,
 * stale, damaged or foreign status file gives the empty string, never 0.
 *
 * Never include the project's config.h here: bash's own config.h is on this file's
 * include path and bash's headers need it.
 */
#include <builtins.h>
#include <shell.h>
#include <bashgetopt.h>
#include <common.h>
#include <version.h>

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "omg_error.h"
#include "paths.h"
#include "status_file.h"

extern volatile sig_atomic_t interrupt_state;

static struct omg_client client;
static int client_ready;
static struct omg_status_map status_map;

static const struct {
	const char *name;
	size_t offset;
} counters[] = {
	{ "OMG_TOTAL", offsetof(struct omg_status_file, total) },
	{ "OMG_EXPLICIT", offsetof(struct omg_status_file, explicit_pkgs) },
	{ "OMG_ORPHANS", offsetof(struct omg_status_file, orphans) },
	{ "OMG_UPDATES", offsetof(struct omg_status_file, updates) },
};

/* The count at OFFSET, or -1 when there is no valid status file. */
static long long status_count(size_t offset)
{
	struct omg_status_file st;
	char path[4096];
	uint64_t now = omg_now();
	uint32_t v;

	/* The path is resolved only when the mapping must be (re)opened: that happens at most
	 * once a second, or at once after a publish retired the mapped file. */
	if (omg_status_map_peek(&status_map, &st, now) != OMG_OK &&
	    (omg_runtime_path(path, sizeof path, OMG_STATUS_NAME, 0) != OMG_OK ||
	     omg_status_map_read(&status_map, path, &st, now) != OMG_OK))
		return -1;
	memcpy(&v, (const char *)&st + offset, sizeof v);
	return v;
}

static SHELL_VAR *count_value(SHELL_VAR *var, size_t offset)
{
	long long n = status_count(offset);

	FREE(value_cell(var));
	var_setvalue(var, n < 0 ? savestring("") : itos((intmax_t)n));
	return var;
}

static SHELL_VAR *get_total(SHELL_VAR *v) { return count_value(v, counters[0].offset); }
static SHELL_VAR *get_explicit(SHELL_VAR *v) { return count_value(v, counters[1].offset); }
static SHELL_VAR *get_orphans(SHELL_VAR *v) { return count_value(v, counters[2].offset); }
static SHELL_VAR *get_updates(SHELL_VAR *v) { return count_value(v, counters[3].offset); }

static sh_var_value_func_t *const getters[] = { get_total, get_explicit, get_orphans, get_updates };

static SHELL_VAR *ignore_assignment(SHELL_VAR *self, char *value, arrayind_t ind, char *key)
{
	(void)value;
	(void)ind;
	(void)key;
	return self;
}

static int bash_interrupted(void)
{
	return interrupt_state != 0;
}

/* omg complete -A NAME: replace the array NAME with the words. */
static int fill_array(const char *name, const struct omg_words *words)
{
	SHELL_VAR *v;

	if (!legal_identifier(name))
		return -1;
	unbind_variable(name);
	v = find_or_make_array_variable((char *)name, 1);
	if (!v || readonly_p(v))
		return -1;
	for (uint32_t i = 0; i < words->count; i++)
		bind_array_element(v, (arrayind_t)i, (char *)words->words[i], 0);
	return 0;
}

static int omg_builtin(WORD_LIST *list)
{
	struct omg_env env = { .out = stdout, .err = stderr, .prog = "omg", .client = &client,
			       .fill_array = fill_array };
	char *argv[256];
	int argc = 0, rc;

	argv[argc++] = "omg";
	for (WORD_LIST *l = list; l && argc < 255; l = l->next)
		argv[argc++] = l->word->word;
	argv[argc] = NULL;
	if (!client_ready) {
		if (omg_client_init(&client, NULL, 0) != OMG_OK) {
			/* no runtime directory yet: let the command layer report it (and autostart) */
			memset(&client, 0, sizeof client);
			client.fd = -1;
			client.timeout_ms = OMG_CLIENT_TIMEOUT_MS;
			env.client = NULL;
		} else {
			client.interrupted = bash_interrupted;
			client_ready = 1;
		}
	}
	rc = omg_run(argc, argv, &env);
	fflush(stdout);
	fflush(stderr);
	QUIT;
	return rc;
}

/* bash 5.2 ABI: refuse another version, as a mismatch would crash the shell later. */
int omg_builtin_load(char *name)
{
	char running[32], built[32];

	(void)name;
	snprintf(running, sizeof running, "%s.%d", dist_version, patch_level);
	snprintf(built, sizeof built, "%s.%d", DISTVERSION, OMG_BASH_PATCHLEVEL);
	if (strcmp(running, built) != 0) {
		builtin_error("omg: built for bash %s, this is bash %s: not loaded", built, running);
		return 0;
	}
	for (size_t i = 0; i < sizeof counters / sizeof counters[0]; i++) {
		SHELL_VAR *v = bind_global_variable(counters[i].name, (char *)NULL, 0);
		if (!v)
			return 0;
		v->dynamic_value = getters[i];
		v->assign_func = ignore_assignment;
		VSETATTR(v, att_integer | att_regenerate | att_nounset | att_readonly);
	}
	return 1;
}

void omg_builtin_unload(char *name)
{
	(void)name;
	for (size_t i = 0; i < sizeof counters / sizeof counters[0]; i++) {
		SHELL_VAR *v = find_global_variable(counters[i].name);
		/* Drop our hooks before unbinding: nothing may point into this library after
		 * dlclose, or `echo $OMG_UPDATES` would jump into unmapped memory. */
		if (v && v->dynamic_value == getters[i]) {
			v->dynamic_value = NULL;
			v->assign_func = NULL;
			VUNSETATTR(v, att_nounset | att_readonly | att_regenerate);
			unbind_global_variable(counters[i].name);
		}
	}
	omg_status_map_close(&status_map);
	if (client_ready)
		omg_client_close(&client);
	client_ready = 0;
}

static char *omg_doc[] = {
	"Package status and queries from omgd, in this shell.",
	"",
	"Commands: status, search [-d] [-i] [-n N] QUERY, info PACKAGE, list KIND,",
	"complete [-i] [-A ARRAY] PREFIX, ping, metrics, help. Options: --json, --timeout MS.",
	"Variables: OMG_TOTAL OMG_EXPLICIT OMG_ORPHANS OMG_UPDATES, live from omgd's",
	"status file; empty when omgd is not running.",
	"",
	"Exit Status: 0 ok, 1 nothing found, 2 usage, 3 omgd unavailable, 4 error.",
	(char *)NULL
};

struct builtin omg_struct = {
	"omg",
	omg_builtin,
	BUILTIN_ENABLED,
	omg_doc,
	"omg [--json] [--timeout MS] command [args]",
	0
};
