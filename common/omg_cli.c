/* omg_cli.c — the omg executable: a thin front end over the command layer. */
#include "config.h"
#include "cmd.h"

#include <signal.h>

int main(int argc, char **argv)
{
	struct omg_env env = { .out = stdout, .err = stderr, .prog = "omg" };

	/* SIGPIPE as the shell's builtins have it: a reader that went (| head -c1) ends omg as it
	 * ends the omg builtin in that pipeline's subshell, exit status 128 + 13 for both. The
	 * socket is written with MSG_NOSIGNAL, and an action ignores SIGPIPE while apt runs. */
	signal(SIGPIPE, SIG_DFL);
	return omg_run(argc, argv, &env);
}
