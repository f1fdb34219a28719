/* omg_cli.c — the omg executable: a thin front end over the command layer. */
#include "config.h"
#include "cmd.h"

#include <signal.h>

int main(int argc, char **argv)
{
	struct omg_env env = { .out = stdout, .err = stderr, .prog = "omg" };

	signal(SIGPIPE, SIG_IGN);
	return omg_run(argc, argv, &env);
}
