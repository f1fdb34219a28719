/* cmd_hook.c — omg hook bash|zsh: the shell's init code, so that an rc file needs only
 * eval "$(omg hook bash)". It loads the module (unless already loaded) and the completion;
 * both are guarded, so a missing piece costs nothing and prints nothing.
 * Installed paths come from configure; $OMG_BASH_MODULE, $OMG_ZSH_MODULE_DIR and
 * $OMG_COMPLETIONS_DIR override them (a build tree, a custom install). */
#include "config.h"
#include "cmd.h"
#include "install_dirs.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *env_or(const char *name, const char *def)
{
	const char *v = getenv(name);
	return v && v[0] ? v : def;
}

/* Single-quoted for the shell: ' becomes '\'' */
static void put_quoted(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; *s; s++)
		*s == '\'' ? fputs("'\\''", f) : fputc(*s, f);
	fputc('\'', f);
}

/* The quoted path of completion file NAME: in $OMG_COMPLETIONS_DIR when set, else INSTALLED. */
static void put_completion(FILE *f, const char *name, const char *installed)
{
	const char *dir = getenv("OMG_COMPLETIONS_DIR");

	if (!dir || !dir[0]) {
		put_quoted(f, installed);
		return;
	}
	put_quoted(f, dir);
	fprintf(f, "/%s", name);
}

static int hook_code(struct omg_ctx *ctx, FILE *f);

/* --json: {"shell", "apt", "code"}, the code being what the text form prints. */
int omg_cmd_hook(struct omg_ctx *ctx)
{
	char *code = NULL;
	size_t len = 0;
	FILE *f;
	json_t *doc;
	int rc;

	if (!ctx->opts.json)
		return hook_code(ctx, ctx->env->out);
	if (!(f = open_memstream(&code, &len)))
		return omg_cmd_fail(ctx, OMG_EXIT_ERROR, "hook: out of memory");
	rc = hook_code(ctx, f);
	fclose(f);
	if (rc == OMG_EXIT_OK) {
		doc = json_pack("{s:s, s:b, s:s%}", "shell", ctx->opts.args[0], "apt", ctx->opts.nargs == 2, "code", code, len);
		json_dumpf(doc, ctx->env->out, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
		fputc('\n', ctx->env->out);
		json_decref(doc);
	}
	free(code);
	return rc;
}

static int hook_code(struct omg_ctx *ctx, FILE *f)
{
	const char *shell = ctx->opts.nargs >= 1 ? ctx->opts.args[0] : "";
	int apt = ctx->opts.nargs == 2 && !strcmp(ctx->opts.args[1], "apt");

	if (ctx->opts.nargs > 2 || (ctx->opts.nargs == 2 && !apt))
		return omg_cmd_fail(ctx, OMG_EXIT_USAGE, "usage: omg hook bash|zsh [apt]");
	if (!strcmp(shell, "bash")) {
		/* ${OMG_TOTAL+x}: the module's variables exist exactly while it is loaded, and
		 * testing them forks nothing (a $(type -t omg) would, at every shell start). */
		/* A module that is there but refuses this bash says so (one line, once per shell);
		 * only a module that is not installed is silent. */
		fputs("# omg for bash: eval \"$(omg hook bash)\"\n"
		      "[[ ${OMG_TOTAL+x} ]] || { _omg_m=", f);
		put_quoted(f, env_or("OMG_BASH_MODULE", OMG_BASH_MODULE_PATH));
		fputs("; if [ -r \"$_omg_m\" ]; then enable -f \"$_omg_m\" omg; else enable omg 2>/dev/null; fi; "
		      "unset _omg_m; }\n", f);
		fputs("if ! complete -p omg >/dev/null 2>&1; then _omg_c=", f);
		put_completion(f, "omg.bash", OMG_BASH_COMPLETION);
		fputs("; [ -r \"$_omg_c\" ] && . \"$_omg_c\"; unset _omg_c; fi\n", f);
		/* command-not-found: the builtin (or the executable) says which package has it, in
		 * bash's own words; when omgd cannot answer, the handler the shell had before
		 * (Debian's, from /etc/bash.bashrc), else Debian's tool, else bash's message. The
		 * old handler is copied (one fork, only when there is one) under _omg_cnf_before. */
		fputs("if declare -F command_not_found_handle >/dev/null && ! declare -F _omg_cnf_before >/dev/null; then "
		      "_omg_f=$(declare -f command_not_found_handle); [[ $_omg_f == *'omg not-found'* ]] || "
		      "eval \"_omg_cnf_before${_omg_f#command_not_found_handle}\"; unset _omg_f; fi\n"
		      "command_not_found_handle() {\n"
		      "  if command -v omg >/dev/null; then omg not-found --shell \"${0##*/}\" -- \"$1\"; [ $? = 3 ] || return 127; fi\n"
		      "  if declare -F _omg_cnf_before >/dev/null; then _omg_cnf_before \"$@\"; return $?; fi\n"
		      "  if [ -x /usr/lib/command-not-found ]; then /usr/lib/command-not-found -- \"$1\"; return $?; fi\n"
		      "  printf '%s: %s: command not found\\n' \"${0##*/}\" \"$1\" >&2; return 127\n}\n", f);
		if (apt) { /* opt-in: package names for apt, apt-get, apt-cache, dpkg, pacman */
			fputs("_omg_c=", f);
			put_completion(f, "omg-apt.bash", OMG_APT_COMPLETION);
			fputs("; [ -r \"$_omg_c\" ] && . \"$_omg_c\"; unset _omg_c\n", f);
		}
		return OMG_EXIT_OK;
	}
	if (!strcmp(shell, "zsh")) {
		fputs("# omg for zsh: eval \"$(omg hook zsh)\"\nmodule_path=(", f);
		put_quoted(f, env_or("OMG_ZSH_MODULE_DIR", OMG_ZSH_MODULE_DIR));
		/* as in bash: silent when not installed, one line when it is there and refuses */
		fputs(" $module_path)\nzmodload omg 2>/dev/null || "
		      "{ _omg_m=( ${^module_path}/omg.so(N) ); (( $#_omg_m )) && zmodload omg; unset _omg_m; }\nfpath=(", f);
		put_quoted(f, env_or("OMG_COMPLETIONS_DIR", OMG_ZSH_FUNCTIONS));
		fputs(" $fpath)\n(( $+functions[compdef] )) && { autoload -Uz _omg && compdef _omg omg; }\n", f);
		if (apt) /* opt-in: package names for apt, apt-get, apt-cache, dpkg and pacman, on top
			  * of the completions they had (kept in _omg_orig_comps, called for the rest) */
			fputs("(( $+functions[compdef] )) && { typeset -gA _omg_orig_comps; "
			      "for _omg_c in apt apt-get apt-cache dpkg pacman; do "
			      "[[ ${_comps[$_omg_c]} == _omg_apt ]] || _omg_orig_comps[$_omg_c]=${_comps[$_omg_c]}; done; "
			      "unset _omg_c; autoload -Uz _omg_apt _omg_packages && compdef _omg_apt apt apt-get apt-cache dpkg && "
			      "{ (( ! $+commands[pacman] )) || compdef _omg_apt pacman; }; }\n", f);
		/* as in bash: omg first, then the handler zsh had (Debian's /etc/zsh_command_not_found
		 * defines one), then Debian's tool, then zsh's own message */
		fputs("(( $+functions[command_not_found_handler] && ! $+functions[_omg_cnf_before] )) && "
		      "[[ $functions[command_not_found_handler] != *'omg not-found'* ]] && "
		      "functions[_omg_cnf_before]=$functions[command_not_found_handler]\n"
		      "command_not_found_handler() {\n"
		      "  if (( $+builtins[omg] || $+commands[omg] )); then omg not-found --shell zsh -- \"$1\"; (( $? == 3 )) || return 127; fi\n"
		      "  if (( $+functions[_omg_cnf_before] )); then _omg_cnf_before \"$@\"; return; fi\n"
		      "  if [[ -x /usr/lib/command-not-found ]]; then /usr/lib/command-not-found -- \"$1\"; return; fi\n"
		      "  print -u2 -r -- \"zsh: command not found: $1\"; return 127\n}\n", f);
		return OMG_EXIT_OK;
	}
	return omg_cmd_fail(ctx, OMG_EXIT_USAGE, "usage: omg hook bash|zsh [apt]");
}
