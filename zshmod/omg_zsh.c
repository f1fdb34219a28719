/* omg_zsh.c — the zsh module: `zmodload omg`.
 *
 * Thin glue over common/: the omg builtin runs the shared command layer in-process, and
 * OMG_TOTAL, OMG_EXPLICIT, OMG_ORPHANS, OMG_UPDATES are read-only special parameters read
 * from the mapped status file at every expansion. They are scalars, not PM_INTEGER: an
 * integer parameter cannot be empty, and with no valid status file they must expand to
 * the empty string, never 0 (in arithmetic they still count as numbers).
 *
 * zsh's headers define their own PACKAGE_* and HAVE_* macros: never include the project's
 * config.h here. Only the six module hooks are exported (zsh dlopens with RTLD_GLOBAL).
 */
#include <zsh/zsh.mdh>
#include <zsh/version.h> /* ZSH_VERSION: the zsh the module is built for */

#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "omg_error.h"
#include "shell_state.h"

#define OMG_EXPORT __attribute__((visibility("default")))

static int zsh_interrupted(void);
static struct omg_shell shell = { .interrupted = zsh_interrupted };
/* Calls of the builtin under way: a trap may run `zmodload -u omg` inside one, and the
 * module must not be unmapped under the code that is waiting. */
static int calls_in_progress;

/* Variable WHICH as a string on zsh's heap, or "" when it has no value. */
static char *var_string(int which)
{
	char buf[16], *p = buf + sizeof buf;
	uint32_t v;

	if (omg_shell_value(&shell, which, &v) != OMG_OK)
		return dupstring("");
	*--p = 0;
	do
		*--p = (char)('0' + v % 10);
	while (v /= 10);
	return dupstring(p);
}

static char *get_total(UNUSED(Param pm)) { return var_string(OMG_COUNT_TOTAL); }
static char *get_explicit(UNUSED(Param pm)) { return var_string(OMG_COUNT_EXPLICIT); }
static char *get_orphans(UNUSED(Param pm)) { return var_string(OMG_COUNT_ORPHANS); }
static char *get_updates(UNUSED(Param pm)) { return var_string(OMG_COUNT_UPDATES); }
static char *get_security(UNUSED(Param pm)) { return var_string(OMG_SHELL_SECURITY); }
static char *get_modified(UNUSED(Param pm)) { return var_string(OMG_SHELL_MODIFIED); }
static char *get_reboot(UNUSED(Param pm)) { return var_string(OMG_SHELL_REBOOT); }

static const struct gsu_scalar total_gsu = { get_total, nullstrsetfn, stdunsetfn };
static const struct gsu_scalar explicit_gsu = { get_explicit, nullstrsetfn, stdunsetfn };
static const struct gsu_scalar orphans_gsu = { get_orphans, nullstrsetfn, stdunsetfn };
static const struct gsu_scalar updates_gsu = { get_updates, nullstrsetfn, stdunsetfn };
static const struct gsu_scalar security_gsu = { get_security, nullstrsetfn, stdunsetfn };
static const struct gsu_scalar modified_gsu = { get_modified, nullstrsetfn, stdunsetfn };
static const struct gsu_scalar reboot_gsu = { get_reboot, nullstrsetfn, stdunsetfn };

static int zsh_interrupted(void)
{
	return (errflag & ERRFLAG_INT) != 0;
}

/* omg complete -A NAME: set the array NAME (e.g. reply for compadd -a reply). */
static int fill_array(const char *name, const struct omg_words *words)
{
	Param pm = (Param)paramtab->getnode(paramtab, (char *)name);
	char **arr;

	/* refuse read-only targets ourselves: zsh's own refusal would abort the whole script */
	if (!isident((char *)name) || (pm && (pm->node.flags & (PM_READONLY | PM_SPECIAL))))
		return -1;
	arr = zalloc((words->count + 1) * sizeof *arr);

	for (uint32_t i = 0; i < words->count; i++)
		arr[i] = ztrdup(words->words[i]);
	arr[words->count] = NULL;
	return setaparam((char *)name, arr) ? 0 : -1;
}

static int bin_omg(char *nam, char **args, UNUSED(Options ops), UNUSED(int func))
{
	struct omg_env env = { .out = stdout, .err = stderr, .prog = "omg", .fill_array = fill_array };
	char *argv[256], module[160], *running = getsparam("ZSH_VERSION");
	int argc = 0, rc;

	(void)nam;
	argv[argc++] = "omg";
	for (; args && *args; args++) {
		if (argc == 255) {
			zwarnnam("omg", "too many arguments");
			return 2;
		}
		argv[argc++] = *args;
	}
	argv[argc] = NULL;
	snprintf(module, sizeof module, "zsh module loaded: built for zsh %s, this is zsh %s", ZSH_VERSION,
		 running ? running : "?");
	env.module = module;
	env.client = omg_shell_client(&shell); /* NULL: no runtime directory yet; the command layer reports it */
	fflush(stdout);
	calls_in_progress++;
	rc = omg_run(argc, argv, &env);
	omg_shell_ran(&shell);
	calls_in_progress--;
	fflush(stdout);
	fflush(stderr);
	return rc;
}

static struct builtin bintab[] = {
	BUILTIN("omg", 0, bin_omg, 0, -1, 0, NULL, NULL),
};

static struct paramdef patab[] = {
	SPECIALPMDEF("OMG_TOTAL", PM_READONLY, &total_gsu, NULL, NULL),
	SPECIALPMDEF("OMG_EXPLICIT", PM_READONLY, &explicit_gsu, NULL, NULL),
	SPECIALPMDEF("OMG_ORPHANS", PM_READONLY, &orphans_gsu, NULL, NULL),
	SPECIALPMDEF("OMG_UPDATES", PM_READONLY, &updates_gsu, NULL, NULL),
	SPECIALPMDEF("OMG_SECURITY", PM_READONLY, &security_gsu, NULL, NULL),
	SPECIALPMDEF("OMG_MODIFIED", PM_READONLY, &modified_gsu, NULL, NULL),
	SPECIALPMDEF("OMG_REBOOT", PM_READONLY, &reboot_gsu, NULL, NULL),
};

static struct features module_features = {
	bintab, sizeof(bintab) / sizeof(*bintab),
	NULL, 0,
	NULL, 0,
	patab, sizeof(patab) / sizeof(*patab),
	0
};

OMG_EXPORT int setup_(UNUSED(Module m)) { return 0; }

OMG_EXPORT int features_(Module m, char ***features)
{
	*features = featuresarray(m, &module_features);
	return 0;
}

OMG_EXPORT int enables_(Module m, int **enables)
{
	return handlefeatures(m, &module_features, enables);
}

OMG_EXPORT int boot_(UNUSED(Module m)) { return 0; }

OMG_EXPORT int cleanup_(Module m)
{
	if (calls_in_progress) {
		zwarnnam("zmodload", "omg: a call of omg is in progress: not unloaded");
		return 1;
	}
	omg_shell_close(&shell);
	return setfeatureenables(m, &module_features, NULL);
}

OMG_EXPORT int finish_(UNUSED(Module m)) { return 0; }
