/* apt.c — the worker's side of a Debian plan: apt-get -s run on the root omgd serves, as
 * the user omgd runs as, in the C locale, and its words read (aptsim.h). */
#include "config.h"
#include "internal.h"
#include "omg_error.h"
#include "child.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void plan_apt_run(const struct planner *p, struct plan_job *job)
{
	const char **argv = calloc(job->nnames + 16, sizeof *argv);
	const char *envp[4] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C", NULL, NULL };
	char apt_config[4200];
	const char *cfg = getenv("APT_CONFIG");
	int chrooted = strcmp(p->root, "/") != 0, argc = 0;
	struct spawn_result r;

	if (!argv) {
		snprintf(job->problem, sizeof job->problem, "out of memory");
		return;
	}
	if (job->prefetch) { /* nobody waits: the CPU goes to whoever does */
		argv[argc++] = "/usr/bin/nice";
		argv[argc++] = "-n10";
	}
	if (chrooted) {
		/* apt inside the root: the root's own apt, configuration and dpkg */
		char inside[4700];
		snprintf(inside, sizeof inside, "%s%s", p->root, p->apt_get);
		if (geteuid() != 0 || access(inside, X_OK) != 0) {
			snprintf(job->problem, sizeof job->problem,
				 geteuid() != 0 ? "plans for the root %s need omgd to run as root (apt runs inside it by chroot)"
						: "the root %s has no apt-get", p->root);
			free(argv);
			return;
		}
		argv[argc++] = "/usr/sbin/chroot";
		argv[argc++] = p->root;
	} else if (cfg && cfg[0]) {
		snprintf(apt_config, sizeof apt_config, "APT_CONFIG=%s", cfg);
		envp[2] = apt_config; /* the configuration omgd read (aptconf.c honours it too) */
	}
	argv[argc++] = p->apt_get;
	argv[argc++] = "-s";
	argv[argc++] = "-o";
	argv[argc++] = "APT::Get::Show-Versions=0";
	argc += omg_apt_words(job->action, argv + argc);
	argv[argc++] = "--";
	for (uint32_t i = 0; i < job->nnames; i++)
		argv[argc++] = job->names[i];
	argv[argc] = NULL;
	if (spawn_capture(argv, envp, p->cfg.deadline_ms, PLAN_OUTPUT_MAX, &p->cancel, &r) != OMG_OK) {
		snprintf(job->problem, sizeof job->problem, "%s", omg_errdetail());
		free(argv);
		return;
	}
	free(argv);
	job->ran_ns = r.ns;
	if (r.cancelled && job->prefetch && !__atomic_load_n(&p->stop, __ATOMIC_ACQUIRE))
		job->preempted = 1; /* a client's plan goes first: this one runs again after it */
	else if (r.cancelled)
		snprintf(job->problem, sizeof job->problem, "omgd is stopping");
	else if (r.timed_out)
		snprintf(job->problem, sizeof job->problem, "apt-get -s took longer than %d s", p->cfg.deadline_ms / 1000);
	else if (!r.exited)
		snprintf(job->problem, sizeof job->problem, "apt-get -s was killed by signal %d", r.status);
	else if (r.truncated)
		snprintf(job->problem, sizeof job->problem, "apt-get -s wrote more than %u MiB", PLAN_OUTPUT_MAX >> 20);
	else if (aptsim_parse(r.out, r.len, &job->sim) != OMG_OK)
		snprintf(job->problem, sizeof job->problem, "%s", omg_errdetail());
	else {
		job->ran = 1;
		job->exit_status = r.status;
	}
	free(r.out);
}
