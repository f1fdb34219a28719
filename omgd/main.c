/* main.c — omgd: its parts started in order (options.h, process.h), then the event loop:
 * signals, the server, the builder, the workers, the status file. */
#include "config.h"
#include "activation.h"
#include "aur.h"
#include "plan.h"
#include "verify.h"
#include "autostart.h"
#include "builder.h"
#include "history.h"
#include "hostmetrics.h"
#include "log.h"
#include "owns.h"
#include "pacmanconf.h"
#include "omgd.h"
#include "options.h"
#include "process.h"
#include "omg_error.h"
#include "paths.h"
#include "server.h"
#include "store.h"
#include "watch.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

enum { KIND_SIGNAL = 10, KIND_BUILDER, KIND_INOTIFY, KIND_TIMER, KIND_AUR, KIND_PLAN, KIND_VERIFY };
static const int tag_signal = KIND_SIGNAL, tag_builder = KIND_BUILDER,
		 tag_inotify = KIND_INOTIFY, tag_timer = KIND_TIMER,
		 tag_plan = KIND_PLAN, tag_verify = KIND_VERIFY;
#ifdef OMG_WITH_AUR
static const int tag_aur = KIND_AUR;
#endif

#define BUILD_DEADLINE_MS 120000 /* a build longer than this is said to be stuck */
#define STOP_BUDGET_MS 900       /* from SIGTERM to the threads stopped (then the exit) */

static void verify_record(void *bld, const char *text, uint32_t findings)
{
	builder_note(bld, AUDIT_VERIFY, AUDIT_UID_NONE, (int32_t)findings, text, strlen(text)); /* omgd checked */
}

/* The textfile (--textfile) follows every publish of the status and every verification. */
static void write_textfile(const struct daemon *d)
{
	if (d->textfile && hostmetrics_textfile(d, d->textfile) != OMG_OK)
		omgd_log("--textfile: %s", omg_errdetail());
}

/* A worker that did not stop within its share of the stop (a nice-19 thread on a busy
 * machine may not even be scheduled) runs on until the exit: its state is not freed under
 * it, and stays reachable from here (for LeakSanitizer it is not a leak, which it is not). */
static void *abandoned[2];

/* The index's counts into the status file (db.h keeps its own type for them). */
static int publish_counts(struct omg_status_writer *w, const struct db *db, uint64_t now)
{
	struct omg_counts c = { db->counts.total, db->counts.explicit_pkgs, db->counts.orphans, db->counts.updates };

	return omg_status_publish(w, &c, now);
}

static void install_db(struct daemon *d, struct db *db)
{
	struct db_counts old = d->db ? d->db->counts : (struct db_counts){ 0 };
	/* The security count is not in the file, but the shells cache it per published file:
	 * a change of it must publish a new file too. */
	int same = d->db && !memcmp(&old, &db->counts, sizeof old) && d->db->security == db->security;

	if (d->db) {
		db_free(d->db);
		free(d->db);
	}
	d->db = db;
	d->generation++;
	d->degraded = 0;
	/* the upgrade plan is made ahead once the index has settled (a dpkg run or an apt update
	 * makes several in a row, and a daemon that lives a few seconds needs none) */
	d->prefetch_at = db->counts.updates && d->planner && d->plan_ahead_ms ? mono_now_ms() + d->plan_ahead_ms : 0;
	/* and verified once the changes have settled (the cache makes it cheap) */
	if (d->verifier && d->verify_every_ms)
		d->verify_at = mono_now_ms() + d->verify_after_ms;
	write_textfile(d);
	/* Unchanged counts: refresh the timestamp in place rather than make readers remap. */
	if (same && omg_status_heartbeat(&d->status, omg_now()) == OMG_OK)
		return;
	if (publish_counts(&d->status, db, omg_now()) != OMG_OK)
		omgd_log("publishing %s: %s", d->status.path, omg_errdetail());
}

/* The server hands whole request frames to the dispatcher through these. */
static int frame_handle(void *ctx, uint8_t type, uint32_t id, const uint8_t *payload, uint32_t length,
			struct omg_wbuf *out, uint64_t origin, void **job)
{
	struct dispatch_job *j = NULL;
	int rc = dispatch_request(ctx, type, id, payload, length, out, origin, &j);

	*job = j;
	return rc;
}

static int frame_resume(void *ctx, void *job, struct omg_wbuf *out)
{
	return dispatch_continue(ctx, job, out);
}

static void frame_drop(void *job)
{
	dispatch_job_free(job);
}

static size_t frame_job_bytes(const void *job)
{
	return dispatch_job_bytes(job);
}

static void store_problem_of(void *ctx, char *buf, size_t size)
{
	builder_store_problem(ctx, buf, size);
}

static int add_fd(int ep, int fd, const int *tag)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = (void *)tag };
	return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
}

static int building(void *ctx)
{
	return builder_busy(ctx);
}

static void note_to_builder(void *ctx, uint8_t kind, uint32_t uid, int32_t result, const char *text, size_t len)
{
	builder_note(ctx, kind, uid, result, text, len);
}

int main(int argc, char **argv)
{
	struct options o;
	struct builder_config bc = { 0 };
	char store_dir[4096];
	int from_store;
	struct daemon d = { 0 };
	struct server_handler handler = { .handle = frame_handle, .resume = frame_resume, .drop = frame_drop,
					  .job_bytes = frame_job_bytes, .ctx = &d, .peer_uid = &d.peer_uid };
	struct server *srv = NULL;
	struct builder *bld = NULL;
	struct watch *wat = NULL;
	struct watch_spec specs[WATCH_MAX];
	char sock[4096], status[4096], lock[4200], logpath[4096], err[512];
	int ep = -1, sfd = -1, lfd = -1, ready_fd = -1, rc = 1, nspecs, running = 1, gone = 0;
	int timeout = 1000, listen_fd = -1, announced = 0;
	uint64_t last_beat;
	int64_t last_sweep = 0, idle_since, stop_by;
	char handed[108];
	sigset_t mask;

	/* systemd's socket on descriptor 3, if any, and the environment cleaned of its variables */
	if (activation_take(&listen_fd, handed, sizeof handed) != OMG_OK) {
		fprintf(stderr, "omgd: %s\n", omg_errdetail());
		return 1;
	}
	/* before anything of ours is opened: "exec 3>&1; omg status | cat" must end */
	omg_close_fds_from(listen_fd >= 0 ? listen_fd + 1 : 3);
	if (options_parse(&o, argc, argv) != 0)
		return 2;
	if (listen_fd >= 0) {
		/* started by systemd: it watches this process, and the socket is the one it made */
		if (o.socket && strcmp(o.socket, handed) != 0)
			fprintf(stderr, "omgd: --socket %s: serving the socket systemd handed over, %s\n", o.socket, handed);
		o.socket = handed;
		o.foreground = 1;
	}
	bc.map_size = o.map_size;
	bc.audit_max = o.audit_max;
	snprintf(d.root, sizeof d.root, "%s", o.root ? o.root : "/");
	if (o.root && access(o.root, R_OK | X_OK) != 0) {
		fprintf(stderr, "omgd: --root %s: %s\n", o.root, strerror(errno));
		return 1;
	}
	if (o.textfile && access(o.textfile, W_OK | X_OK) != 0) {
		fprintf(stderr, "omgd: --textfile %s: %s\n", o.textfile, strerror(errno));
		return 1;
	}
	d.textfile = o.textfile;
	d.reboot_required = hostmetrics_reboot(d.root);
	d.backend = o.backend ? backend_named(o.backend) : backend_detect(d.root);
	if (!d.backend) {
#ifdef OMG_WITH_ALPM
		fprintf(stderr, "omgd: --backend %s: dpkg or alpm\n", o.backend);
#else
		if (o.backend && strcmp(o.backend, "alpm") != 0)
			fprintf(stderr, "omgd: --backend %s: dpkg (alpm: omgd was built --without-alpm)\n", o.backend);
		else
			fprintf(stderr, "omgd: %s%s: the Arch backend (alpm) is not there: omgd was built --without-alpm\n",
				o.backend ? "--backend " : "", o.backend ? o.backend : d.root);
#endif
		return 2;
	}
	if (o.system && options_system_setup(&o) != 0)
		return 1;
	if ((o.socket ? (snprintf(sock, sizeof sock, "%s", o.socket), OMG_OK)
		      : options_runtime_path(&o, sock, sizeof sock, OMG_SOCKET_NAME)) != OMG_OK ||
	    (o.status ? (snprintf(status, sizeof status, "%s", o.status), OMG_OK)
		      : options_runtime_path(&o, status, sizeof status, OMG_STATUS_NAME)) != OMG_OK ||
	    (o.log ? (snprintf(logpath, sizeof logpath, "%s", o.log), OMG_OK)
		   : options_runtime_path(&o, logpath, sizeof logpath, "omgd.log")) != OMG_OK) {
		fprintf(stderr, "omgd: %s\n", omg_errdetail());
		return 1;
	}
	/* One daemon per socket: the lock is held for the daemon's life. */
	snprintf(lock, sizeof lock, "%s.lock", sock);
	lfd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (lfd < 0) {
		fprintf(stderr, "omgd: %s: %s\n", lock, strerror(errno));
		return 1;
	}
	/* Activated: a daemon that bound this path before systemd did exits within a second or
	 * two (its socket was replaced, server_gone): wait for it. */
	if (process_take_lock(lfd, listen_fd >= 0 ? 300 : 100) != 0) {
		/* Asking the socket would start ourselves again: it is systemd's. */
		if (listen_fd >= 0) {
			fprintf(stderr, "omgd: %s is held by another omgd\n", lock);
			return 1;
		}
		/* Held: by a live daemon (it answers), or by one that is going or gone astray. */
		if (omg_socket_listening(sock)) {
			fprintf(stderr, "omgd: already running for this socket\n");
			return 0;
		}
		fprintf(stderr, "omgd: %s is held by a process that does not answer on %s\n", lock, sock);
		return 1;
	}
	if (!o.foreground) {
		/* The lock is re-taken by the daemon process itself (flock follows the open file,
		 * which the child inherits). */
		if ((ready_fd = process_daemonize(logpath)) < 0) {
			fprintf(stderr, "omgd: cannot daemonize: %s\n", strerror(errno));
			return 1;
		}
	}
	signal(SIGPIPE, SIG_IGN);
	signal(SIGXFSZ, SIG_IGN); /* a file size limit is a full disk: write() says EFBIG */
	/* A store's data.mdb truncated under its map: SIGBUS is survived by starting afresh. */
	store_guard_install(argv);
	process_raise_fd_limit();
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	d.started_at = omg_now();
	if (o.system)
		omg_status_writer_init_plain(&d.status, status); /* every user reads it (status_file.h) */
	else
		omg_status_writer_init(&d.status, status);
	d.system = o.system;
	ep = epoll_create1(EPOLL_CLOEXEC);
	sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (ep < 0 || sfd < 0 || add_fd(ep, sfd, &tag_signal) != 0) {
		omgd_log("epoll/signalfd: %s", strerror(errno));
		goto out;
	}
	bc.backend = d.backend;
	bc.root = d.root;
	handler.shared = o.system;
	if (!o.no_store && o.store)
		bc.store_dir = o.store;
	else if (!o.no_store && o.system && options_system_store(store_dir, sizeof store_dir) == OMG_OK)
		bc.store_dir = store_dir;
	else if (!o.no_store && store_default_dir(store_dir, sizeof store_dir, d.root) == OMG_OK)
		bc.store_dir = store_dir;
	else if (!o.no_store)
		omgd_log("no store: %s", omg_errdetail());
	if ((listen_fd >= 0 ? server_adopt(&srv, &handler, ep, listen_fd, sock) : server_open(&srv, &handler, ep, sock)) != OMG_OK ||
	    builder_open(&bld, &bc) != OMG_OK) {
		omgd_log("%s", omg_errdetail());
		goto out;
	}
	d.net = server_stats(srv);
#ifdef OMG_WITH_AUR
	if (!strcmp(d.backend->name, "alpm") && !o.no_aur) {
		struct aur_config ac = { .base_url = o.aur_url, .timeout_ms = o.aur_timeout_ms };
		if (ac.timeout_ms && ac.timeout_ms < AUR_CONNECT_MS_DEFAULT)
			ac.connect_ms = ac.timeout_ms;
		if (aur_open(&d.aur, &ac) == OMG_OK)
			add_fd(ep, aur_fd(d.aur), &tag_aur);
		else
			omgd_log("no AUR: %s", omg_errdetail());
	}
#else
	if (!strcmp(d.backend->name, "alpm") && !o.no_aur)
		omgd_log("no AUR: %s", OMG_AUR_BUILT_OUT);
#endif
	d.plan_ahead_ms = o.plan_ahead_ms;
	d.verify_every_ms = o.verify_every_ms;
	d.verify_after_ms = o.verify_after_ms;
	{
		char vdir[4200];
		struct verify_config vc = { .root = d.root, .backend = d.backend->name, .store_dir = NULL };
		if (bc.store_dir) {
			snprintf(vdir, sizeof vdir, "%s/verify", bc.store_dir);
			vc.store_dir = vdir;
		}
		if (verify_open(&d.verifier, &vc) == OMG_OK)
			add_fd(ep, verify_fd(d.verifier), &tag_verify);
		else
			omgd_log("no verification: %s", omg_errdetail());
	}
	{
		struct plan_config pc = { .root = d.root, .apt_get = NULL, .backend = d.backend->name };
		if (plan_open(&d.planner, &pc) == OMG_OK)
			add_fd(ep, plan_fd(d.planner), &tag_plan);
		else
			omgd_log("no plans: %s", omg_errdetail());
	}
	{
		/* omg history reads the root's own logs: apt's and dpkg's, or pacman's LogFile */
		struct pacmanconf *pc = !strcmp(d.backend->name, "alpm") ? calloc(1, sizeof *pc) : NULL;
		if (pc && pacmanconf_load(pc, d.root, NULL) != OMG_OK)
			snprintf(pc->logfile, sizeof pc->logfile, "%.4000s/var/log/pacman.log", strcmp(d.root, "/") ? d.root : "");
		if (history_open(&d.history, d.root, pc ? pc->logfile : "", d.backend->vercmp) != OMG_OK)
			omgd_log("no history from the logs: %s", omg_errdetail());
		if (pc)
			pacmanconf_free(pc);
		free(pc);
	}
	d.audit = builder_audit(bld);
	d.note = note_to_builder;
	d.building = building;
	d.builder_ctx = bld;
	d.store_problem = store_problem_of;
	d.store_ctx = bld;
	add_fd(ep, builder_fd(bld), &tag_builder);
	nspecs = d.backend->watch_specs(d.root, specs, WATCH_MAX);
	if (watch_open(&wat, specs, nspecs) == OMG_OK) {
		add_fd(ep, watch_inotify_fd(wat), &tag_inotify);
		add_fd(ep, watch_timer_fd(wat), &tag_timer);
	} else {
		omgd_log("no change notification: %s", omg_errdetail());
	}
	omgd_log("listening on %s%s (backend %s, root %s, store %s)", sock, listen_fd >= 0 ? " (from systemd)" : "",
		 d.backend->name, d.root, bc.store_dir ? bc.store_dir : "none");
	if (o.idle_ms)
		omgd_log("exiting after %lld s without a client (OMG_IDLE_EXIT)", (long long)(o.idle_ms / 1000));
	builder_request(bld, "start");
	last_beat = omg_now();
	idle_since = mono_now_ms();
	while (running) {
		/* many events a round: a request read early is answered early (server.h) */
		struct epoll_event evs[256];
		int n = epoll_wait(ep, evs, 256, timeout);
		int64_t now_ms;
		int served = 0;

		if (n < 0 && errno != EINTR) {
			omgd_log("epoll_wait: %s", strerror(errno));
			break;
		}
		for (int i = 0; i < n; i++) {
			void *ptr = evs[i].data.ptr;
			if (ptr == &tag_signal) {
				struct signalfd_siginfo si;
				while (read(sfd, &si, sizeof si) == sizeof si) {
					if (si.ssi_signo == SIGHUP) {
						omgd_log("SIGHUP: rebuilding the index");
						builder_request(bld, "signal");
					} else {
						running = 0;
					}
				}
			} else if (ptr == &tag_builder) {
				int brc;
				struct db *db = builder_collect(bld, &brc, err, sizeof err, &from_store);
				if (brc == -1)
					continue;
				d.build_overdue = 0;
				if (db) {
					omgd_log("index%s: %u packages, %u versions in %.1f ms%s (%u installed, %u explicit, "
						 "%u orphans, %u updates, %u security)", from_store ? " (stored)" : "",
						 db->npkgs, db->nvers, db->build_ms,
						 db->backend_reused ? ", local database kept" : "",
						 db->counts.total, db->counts.explicit_pkgs, db->counts.orphans,
						 db->counts.updates, db->security);
					if (db->malformed)
						omgd_log("skipped %u malformed paragraphs, %u damaged list%s%s%s%s",
							 db->malformed, db->damaged_lists, db->damaged_lists == 1 ? "" : "s",
							 db->damaged_list[0] ? " (" : "", db->damaged_list,
							 db->damaged_list[0] ? ")" : "");
					if (db->ignored_lists)
						omgd_log("%u package list%s in the lists directory that no source names: not used, as by apt",
							 db->ignored_lists, db->ignored_lists == 1 ? "" : "s");
					install_db(&d, db);
					last_beat = omg_now();
					d.m.rebuilds++;
				} else {
					d.degraded = 1;
					d.m.rebuild_failures++;
					omgd_log("index build failed: %s (keeping the previous index)", err);
				}
				if (!announced) { /* Type=notify: the first index, built or not, as ready_fd */
					activation_notify("READY=1");
					announced = 1;
				}
				if (ready_fd >= 0) {
					char c = db ? 'y' : 'n';
					if (write(ready_fd, &c, 1) != 1)
						omgd_log("readiness pipe: %s", strerror(errno));
					close(ready_fd);
					ready_fd = -1;
				}
			} else if (ptr == &tag_inotify) {
				d.m.watch_events += (uint64_t)watch_read(wat);
#ifdef OMG_WITH_AUR
			} else if (ptr == &tag_aur) {
				aur_collect(d.aur, server_deliver, srv);
#endif
			} else if (ptr == &tag_verify) {
				if (verify_collect(d.verifier, server_deliver, srv, verify_record, bld)) {
					struct verify_summary vs;
					verify_summary(d.verifier, &vs);
					/* the shells cache OMG_MODIFIED per published file, as the security count */
					if (d.db && (vs.modified != d.shown.modified || vs.untrusted != d.shown.untrusted) &&
					    publish_counts(&d.status, d.db, omg_now()) != OMG_OK)
						omgd_log("publishing %s: %s", d.status.path, omg_errdetail());
					d.shown = vs;
					write_textfile(&d);
				}
			} else if (ptr == &tag_plan) {
				plan_collect(d.planner, d.db, d.backend, d.generation, server_deliver, srv);
			} else if (ptr == &tag_timer) {
				watch_timer_ack(wat);
				builder_request(bld, "change");
			} else {
				server_event(srv, ptr, evs[i].events);
				served = 1;
			}
		}
		now_ms = mono_now_ms();
		timeout = server_tick(srv, now_ms);
		if (o.idle_ms) {
			/* idle from the last byte or close of a client, not from the last wake */
			if (served || !server_idle(srv))
				idle_since = now_ms;
			else if (now_ms - idle_since >= o.idle_ms) {
				omgd_log("no client for %lld s (OMG_IDLE_EXIT): exiting", (long long)(o.idle_ms / 1000));
				break;
			}
			if (timeout < 0 || idle_since + o.idle_ms - now_ms < timeout)
				timeout = (int)(idle_since + o.idle_ms - now_ms);
		}
		if (d.verify_at && now_ms >= d.verify_at) {
			int full = !d.verified_full_at || now_ms - (int64_t)d.verified_full_at >= d.verify_every_ms;
			verify_background(d.verifier, full ? OMG_VERIFY_FULL : 0);
			if (full)
				d.verified_full_at = (uint64_t)now_ms;
			d.verify_at = now_ms + d.verify_every_ms; /* and again at the next full one */
		}
		if (d.verify_at && (timeout < 0 || d.verify_at - now_ms < timeout))
			timeout = (int)(d.verify_at - now_ms);
		if (d.prefetch_at && now_ms >= d.prefetch_at) {
			plan_prefetch(d.planner, d.generation);
			d.prefetch_at = 0;
		} else if (d.prefetch_at && (timeout < 0 || d.prefetch_at - now_ms < timeout)) {
			timeout = (int)(d.prefetch_at - now_ms);
		}
		if (now_ms - last_sweep >= 1000) {
			const char *why = server_gone(srv);
			last_sweep = now_ms;
			omgd_log_tick();
			if (why) {
				/* logout and login made a new runtime directory, or someone removed the
				 * socket: nobody can reach us, and a new omgd must be able to start */
				omgd_log("socket %s: %s: exiting", sock, why);
				gone = 1;
				break;
			}
			if (builder_build_ms(bld) > BUILD_DEADLINE_MS) {
				if (!d.build_overdue)
					omgd_log("index build has not ended in %d s (a hung file?): abandoned, "
						 "serving the previous index", BUILD_DEADLINE_MS / 1000);
				d.build_overdue = 1;
				d.degraded = 1;
			}
			server_sweep(srv, now_ms);
			if (hostmetrics_reboot(d.root) != d.reboot_required) {
				/* the shells cache the flag per published file, as the security count */
				d.reboot_required = !d.reboot_required;
				omgd_log("reboot %srequired", d.reboot_required ? "" : "no longer ");
				if (d.db && publish_counts(&d.status, d.db, omg_now()) != OMG_OK)
					omgd_log("publishing %s: %s", d.status.path, omg_errdetail());
				if (d.db)
					write_textfile(&d);
			}
			/* a removed, replaced or overwritten status file is put back within 1 s */
			if (d.db && omg_status_check(&d.status, omg_now()) != OMG_OK)
				omgd_log("status file: %s", omg_errdetail());
		}
		if (d.db && omg_now() - last_beat >= OMG_STATUS_HEARTBEAT_SECS) {
			last_beat = omg_now();
			omg_status_heartbeat(&d.status, last_beat);
		}
	}
	omgd_log("stopping");
	activation_notify("STOPPING=1");
	rc = gone ? 1 : 0;
out:
	server_close(srv);
#ifdef OMG_WITH_AUR
	aur_close(d.aur);
#endif
	/* SIGTERM ends omgd within a second: the threads share one deadline, each waited for at
	 * most its share (a check stops within one 256 KiB read, apt-get -s is killed within
	 * 100 ms) and the build whatever is left, so a stuck one costs only its own share */
	stop_by = mono_now_ms() + STOP_BUDGET_MS;
	if (verify_close(d.verifier, 50) != 0) {
		abandoned[0] = d.verifier;
		omgd_log("the verification worker is stuck: exiting without it");
	}
	history_close(d.history);
	owns_free(d.owns);
	if (plan_close(d.planner, 150) != 0) {
		abandoned[1] = d.planner;
		omgd_log("the planner is stuck: exiting without it");
	}
	if (builder_stop(bld, (int)(stop_by - mono_now_ms() > 0 ? stop_by - mono_now_ms() : 0)) != 0) {
		/* SIGTERM ends omgd within a second, whatever the build thread is stuck in */
		omgd_log("the index build is stuck: exiting without it");
		omg_status_writer_close(&d.status, !gone);
		process_unlink_lock(lock, lfd);
		_exit(1);
	}
	if (d.db) {
		db_free(d.db);
		free(d.db);
	}
	builder_close(bld);
	watch_close(wat);
	omg_status_writer_close(&d.status, !gone);
	if (ready_fd >= 0)
		close(ready_fd);
	if (sfd >= 0)
		close(sfd);
	if (ep >= 0)
		close(ep);
	process_unlink_lock(lock, lfd);
	close(lfd);
	return rc;
}
