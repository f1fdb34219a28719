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

#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "omg_error.h"
#include "shell_state.h"

extern volatile sig_atomic_t interrupt_state;

static int bash_interrupted(void);
static struct omg_shell shell = { .interrupted = bash_interrupted };

static SHELL_VAR *var_value(SHELL_VAR *var, int which)
{
	uint32_t n;

	FREE(value_cell(var));
	var_setvalue(var, omg_shell_value(&shell, which, &n) == OMG_OK ? itos((intmax_t)n) : savestring(""));
	return var;
}

static SHELL_VAR *get_total(SHELL_VAR *v) { return var_value(v, OMG_COUNT_TOTAL); }
static SHELL_VAR *get_explicit(SHELL_VAR *v) { return var_value(v, OMG_COUNT_EXPLICIT); }
static SHELL_VAR *get_orphans(SHELL_VAR *v) { return var_value(v, OMG_COUNT_ORPHANS); }
static SHELL_VAR *get_updates(SHELL_VAR *v) { return var_value(v, OMG_COUNT_UPDATES); }
static SHELL_VAR *get_security(SHELL_VAR *v) { return var_value(v, OMG_SHELL_SECURITY); }
static SHELL_VAR *get_modified(SHELL_VAR *v) { return var_value(v, OMG_SHELL_MODIFIED); }
static SHELL_VAR *get_reboot(SHELL_VAR *v) { return var_value(v, OMG_SHELL_REBOOT); }

/* In the order of omg_shell_var_names. */
static sh_var_value_func_t *const getters[OMG_SHELL_VARS] = {
	get_total, get_explicit, get_orphans, get_updates, get_security, get_modified,
	get_reboot,
};

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
	/* read-only first: unbind_variable does not check, and would drop OMG_TOTAL & co */
	v = find_variable(name);
	/* nor bash's special variables (RANDOM, SECONDS, FUNCNAME...): unbinding one would
	 * turn it into a plain array for the rest of the session */
	if (v && (readonly_p(v) || v->dynamic_value || v->assign_func))
		return -1;
	unbind_variable(name);
	v = find_or_make_array_variable((char *)name, 1);
	if (!v || readonly_p(v))
		return -1;
	for (uint32_t i = 0; i < words->count; i++)
		bind_array_element(v, (arrayind_t)i, (char *)words->words[i], 0);
	return 0;
}

/* The release whose loadable-builtin interface (struct builtin, WORD_LIST, SHELL_VAR and the
 * variable functions) the module was compiled against. bash's patches within a release fix
 * bugs and keep that interface, and Debian updates bash by patch level within a release, so
 * only the release must match: a patch-level update keeps the module loading. */
#ifndef OMG_BASH_RELEASE
#define OMG_BASH_RELEASE DISTVERSION
#endif

static int omg_builtin(WORD_LIST *list)
{
	struct omg_env env = { .out = stdout, .err = stderr, .prog = "omg", .fill_array = fill_array };
	char *argv[256], module[160];
	int argc = 0, rc;

	argv[argc++] = "omg";
	for (WORD_LIST *l = list; l; l = l->next) {
		if (argc == 255) {
			builtin_error("too many arguments");
			return EX_USAGE;
		}
		argv[argc++] = l->word->word;
	}
	argv[argc] = NULL;
	snprintf(module, sizeof module, "bash module loaded: built for bash %s (patch %d), this is bash %s.%d",
		 OMG_BASH_RELEASE, OMG_BASH_PATCHLEVEL, dist_version, patch_level);
	env.module = module;
	/* no runtime directory yet: the command layer reports it (and autostarts omgd) */
	env.client = omg_shell_client(&shell);
	rc = omg_run(argc, argv, &env);
	omg_shell_ran(&shell);
	fflush(stdout);
	fflush(stderr);
	QUIT;
	return rc;
}

/* bash finds the hooks by name (dlsym), so nothing else declares them */
int omg_builtin_load(char *name);
void omg_builtin_unload(char *name);

/* Refuse another bash release (a mismatch would crash the shell later), in one line. */
int omg_builtin_load(char *name)
{
	(void)name;
	if (strcmp(dist_version, OMG_BASH_RELEASE) != 0) {
		builtin_error("omg: built for bash %s (patch %d), this is bash %s.%d: not loaded; "
			      "rebuild omg for this bash (the omg command still works)",
			      OMG_BASH_RELEASE, OMG_BASH_PATCHLEVEL, dist_version, patch_level);
		return 0;
	}
	for (int i = 0; i < OMG_SHELL_VARS; i++) {
		SHELL_VAR *v = bind_global_variable(omg_shell_var_names[i], (char *)NULL, 0);
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
	for (int i = 0; i < OMG_SHELL_VARS; i++) {
		SHELL_VAR *v = find_global_variable(omg_shell_var_names[i]);
		/* Drop our hooks before unbinding: nothing may point into this library after
		 * dlclose, or `echo $OMG_UPDATES` would jump into unmapped memory. */
		if (v && v->dynamic_value == getters[i]) {
			v->dynamic_value = NULL;
			v->assign_func = NULL;
			VUNSETATTR(v, att_nounset | att_readonly | att_regenerate);
			unbind_global_variable(omg_shell_var_names[i]);
		}
	}
	omg_shell_close(&shell);
}

static char *omg_doc[] = {
	"Package status and queries from omgd, in this shell.",
	"",
	"Commands: status, search [-d] [-i] [-n N] QUERY, info PACKAGE, list KIND,",
	"complete [-i] [-A ARRAY] PREFIX, ping, metrics, help. Options: --json, --timeout MS.",
	"Variables: OMG_TOTAL OMG_EXPLICIT OMG_ORPHANS OMG_UPDATES, live from omgd's",
	"status file, OMG_SECURITY, OMG_MODIFIED (findings of the last verification) and",
	"OMG_REBOOT (1 while a reboot is required);",
	"empty when omgd is not running.",
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
