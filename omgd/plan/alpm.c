/* alpm.c — the worker's side of an Arch plan: libalpm's own transaction on the root omgd
 * serves, prepared and never committed, read into the same plan apt-get -s gives (aptsim.h).
 *
 * As pacman (and paru, which plans the same way before it runs sudo pacman): the root's
 * pacman.conf (pacmanconf.c: RootDir, DBPath, the repositories in order, IgnorePkg and
 * IgnoreGroup), alpm_trans_init with ALPM_TRANS_FLAG_NOLOCK (no db.lck is taken, so a plan
 * never waits for nor blocks a running pacman), the targets as pacman -S, -R, -Rn, -Rs, -Su
 * and -U name them, alpm_trans_prepare, then alpm_trans_get_add / get_remove. Nothing is
 * written: no commit, no lock, no download (the databases are read as they are; -Sy is omg
 * update's job). libalpm asks questions during prepare; they are answered as `pacman
 * --noconfirm --ask 4` answers them, the command omg then runs: a conflicting installed
 * package is removed (the plan shows it, the user confirms it), everything else takes
 * pacman's default. A handle is made per plan (plans are rare and libalpm keeps the
 * databases' caches in it; the index's handle belongs to the build thread).
 */
#include "config.h"
#include "internal.h"
#include "clock.h"
#include "grow.h"
#include "omg_error.h"
#include "pacmanconf.h"

#include <alpm.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NOTES_MAX 64

/* The plan as it is found: every string in one arena (offsets until the end, when they
 * become the aptsim's pointers into its buf). */
struct op_at {
	uint8_t op;
	size_t name, arch, from, to, release;
	uint64_t download;
	int64_t disk_kib;
	int asked;
};

struct build {
	struct omg_buf str;     /* the arena: NUL-ended strings, named by offset */
	struct op_at *ops;
	uint32_t nops, cap_ops;
	size_t notes[NOTES_MAX], kept[NOTES_MAX];
	uint32_t nnotes, nkept;
	alpm_list_t *asked;     /* the names of the packages the user's targets are (strdup'd) */
	struct omg_buf problem; /* lines joined by '\n' (handed over as aptsim's) */
	int failed;             /* out of memory somewhere */
};

/* FMT's text into the arena; its offset (0, the empty string, on failure). */
static size_t put(struct build *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static size_t put(struct build *b, const char *fmt, ...)
{
	size_t at = b->str.len;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = omg_buf_vaddf(&b->str, fmt, ap);
	va_end(ap);
	if (rc != OMG_OK || omg_buf_add(&b->str, "", 1) != OMG_OK) { /* each string keeps its NUL */
		b->failed = 1;
		return 0;
	}
	return at;
}

static void problem(struct build *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void problem(struct build *b, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	if (omg_buf_addline(&b->problem, line) != OMG_OK)
		b->failed = 1;
}

static void note(struct build *b, const char *text)
{
	for (uint32_t i = 0; i < b->nnotes; i++)
		if (!strcmp(b->str.p + b->notes[i], text))
			return; /* libalpm says some things once per database */
	if (b->nnotes < NOTES_MAX)
		b->notes[b->nnotes++] = put(b, "%s", text);
}

/* KiB as the index keeps installed sizes (rounded up). */
static int64_t kib(off_t bytes)
{
	return bytes > 0 ? (int64_t)((bytes + 1023) / 1024) : 0;
}

static void add_op(struct build *b, uint8_t op, alpm_pkg_t *pkg, alpm_pkg_t *installed, const char *release)
{
	struct op_at *o;

	if (omg_grow32(&b->ops, &b->cap_ops, b->nops + 1, sizeof *b->ops, APTSIM_OPS_MAX) != OMG_OK) {
		b->failed = 1;
		return;
	}
	o = &b->ops[b->nops++];
	memset(o, 0, sizeof *o);
	o->op = op;
	o->asked = alpm_list_find_str(b->asked, alpm_pkg_get_name(pkg)) != NULL;
	o->name = put(b, "%s", alpm_pkg_get_name(pkg));
	o->arch = put(b, "%s", alpm_pkg_get_arch(pkg) ? alpm_pkg_get_arch(pkg) : "");
	o->release = put(b, "%s", release);
	if (op == OMG_OP_REMOVE || op == OMG_OP_PURGE) {
		o->from = put(b, "%s", alpm_pkg_get_version(pkg));
		o->to = put(b, "%s", "");
		o->disk_kib = -kib(alpm_pkg_get_isize(pkg));
	} else {
		o->from = put(b, "%s", installed ? alpm_pkg_get_version(installed) : "");
		o->to = put(b, "%s", alpm_pkg_get_version(pkg));
		o->download = (uint64_t)alpm_pkg_download_size(pkg);
		o->disk_kib = kib(alpm_pkg_get_isize(pkg)) - (installed ? kib(alpm_pkg_get_isize(installed)) : 0);
	}
}

/* The arena handed over as an aptsim (B is empty afterwards). */
static int finish(struct build *b, struct aptsim *s)
{
	memset(s, 0, sizeof *s);
	if (omg_buf_add(&b->problem, "", 0) != OMG_OK) /* an empty problem is "" */
		b->failed = 1;
	if (!b->failed && b->nops && !(s->ops = calloc(b->nops, sizeof *s->ops)))
		b->failed = 1;
	if (!b->failed && b->nnotes && !(s->notes = calloc(b->nnotes, sizeof *s->notes)))
		b->failed = 1;
	if (!b->failed && b->nkept && !(s->kept = calloc(b->nkept, sizeof *s->kept)))
		b->failed = 1;
	if (b->failed) {
		aptsim_free(s);
		omg_buf_free(&b->str);
		free(b->ops);
		omg_buf_free(&b->problem);
		memset(b, 0, sizeof *b);
		return OMG_ERROR(OMG_E_NOMEM, "the plan");
	}
	for (uint32_t i = 0; i < b->nops; i++) {
		const struct op_at *o = &b->ops[i];
		s->ops[i] = (struct aptsim_op){ .op = o->op, .name = b->str.p + o->name, .arch = b->str.p + o->arch,
						.from = b->str.p + o->from, .to = b->str.p + o->to,
						.release = b->str.p + o->release, .sized = 1, .download = o->download,
						.disk_kib = o->disk_kib, .asked = o->asked };
	}
	for (uint32_t i = 0; i < b->nnotes; i++)
		s->notes[i] = b->str.p + b->notes[i];
	for (uint32_t i = 0; i < b->nkept; i++)
		s->kept[i] = b->str.p + b->kept[i];
	s->nops = b->nops;
	s->nnotes = b->nnotes;
	s->nkept = b->nkept;
	s->problem = b->problem.p;
	s->buf = b->str.p;
	s->buflen = b->str.len;
	free(b->ops);
	memset(b, 0, sizeof *b);
	return OMG_OK;
}

/* libalpm's warnings are the plan's notes ("ignoring package upgrade"); the rest is noise. */
static void log_cb(void *ctx, alpm_loglevel_t level, const char *fmt, va_list args)
{
	char line[1024];
	size_t n;

	if (!(level & (ALPM_LOG_WARNING | ALPM_LOG_ERROR)))
		return;
	vsnprintf(line, sizeof line, fmt, args);
	n = strlen(line);
	while (n && (line[n - 1] == '\n' || line[n - 1] == ' '))
		line[--n] = 0;
	if (n)
		note(ctx, line);
}

/* pacman --noconfirm --ask 4: its defaults, except that a conflicting package is removed. */
static void question_cb(void *ctx, alpm_question_t *q)
{
	(void)ctx;
	switch (q->type) {
	case ALPM_QUESTION_INSTALL_IGNOREPKG: q->install_ignorepkg.install = 1; break; /* named: pacman's yes */
	case ALPM_QUESTION_REPLACE_PKG: q->replace.replace = 1; break;
	case ALPM_QUESTION_CONFLICT_PKG: q->conflict.remove = 1; break;
	case ALPM_QUESTION_SELECT_PROVIDER: q->select_provider.use_index = 0; break;
	default: q->any.answer = 0; break;  /* corrupted, skip unresolvable, import key: no */
	}
}

static alpm_db_t *syncdb_named(alpm_handle_t *h, const char *name, size_t n)
{
	for (alpm_list_t *l = alpm_get_syncdbs(h); l; l = l->next)
		if (strlen(alpm_db_get_name(l->data)) == n && !strncmp(alpm_db_get_name(l->data), name, n))
			return l->data;
	return NULL;
}

/* NAME is a package the user asked for (its plan entry is flagged requested). */
static void asked(struct build *b, const char *name)
{
	char *copy = strdup(name);

	if (!copy || !alpm_list_append(&b->asked, copy)) {
		free(copy);
		b->failed = 1;
	}
}

/* One name of install or reinstall into the transaction, as pacman -S / -U finds it. */
static void add_target(alpm_handle_t *h, struct build *b, const char *name)
{
	const char *slash = strchr(name, '/');
	alpm_pkg_t *pkg = NULL;
	alpm_db_t *db;

	if (name[0] == '/') { /* pacman -U FILE; signatures are pacman's to check when it runs */
		if (alpm_pkg_load(h, name, 1, 0, &pkg) != 0) {
			problem(b, "'%s': %s", name, alpm_strerror(alpm_errno(h)));
			return;
		}
	} else if (slash) { /* REPO/NAME */
		if (!(db = syncdb_named(h, name, (size_t)(slash - name))) || !(pkg = alpm_db_get_pkg(db, slash + 1))) {
			problem(b, "target not found: %s", name);
			return;
		}
	} else if (!(pkg = alpm_find_dbs_satisfier(h, alpm_get_syncdbs(h), name))) { /* a name, then a provider */
		if (alpm_db_get_pkg(alpm_get_localdb(h), name)) {
			char text[600];
			snprintf(text, sizeof text, "%s is installed but in no repository (a foreign package, "
				 "as from the AUR): omg does not build AUR packages (yet)", name);
			note(b, text);
			problem(b, "%s is in the AUR or another foreign source: omg does not build AUR packages (yet)", name);
		} else {
			problem(b, "target not found: %s", name);
		}
		return;
	}
	asked(b, alpm_pkg_get_name(pkg));
	if (alpm_add_pkg(h, pkg) != 0) {
		if (alpm_errno(h) != ALPM_ERR_TRANS_DUP_TARGET)
			problem(b, "'%s': %s", name, alpm_strerror(alpm_errno(h)));
		if (name[0] == '/')
			alpm_pkg_free(pkg); /* not taken: the transaction frees a loaded package only once added */
	}
}

/* What pacman -Qdtq lists: installed as a dependency, and neither required nor optional for
 * anything installed (backend_alpm.c counts the same). */
static int add_orphans(alpm_handle_t *h, struct build *b)
{
	int n = 0;

	for (alpm_list_t *l = alpm_db_get_pkgcache(alpm_get_localdb(h)); l; l = l->next) {
		alpm_pkg_t *pkg = l->data;
		alpm_list_t *req, *opt;
		if (alpm_pkg_get_reason(pkg) != ALPM_PKG_REASON_DEPEND)
			continue;
		req = alpm_pkg_compute_requiredby(pkg);
		opt = alpm_pkg_compute_optionalfor(pkg);
		if (!req && !opt) {
			if (alpm_remove_pkg(h, pkg) != 0)
				problem(b, "%s: %s", alpm_pkg_get_name(pkg), alpm_strerror(alpm_errno(h)));
			n++;
		}
		FREELIST(req);
		FREELIST(opt);
	}
	return n;
}

/* prepare's failure in pacman's words (pacman/sync.c and remove.c). */
static void prepare_failed(alpm_handle_t *h, struct build *b, alpm_list_t *data, int removal)
{
	alpm_errno_t err = alpm_errno(h);

	problem(b, "failed to prepare transaction (%s)", alpm_strerror(err));
	for (alpm_list_t *l = data; l; l = l->next) {
		if (err == ALPM_ERR_UNSATISFIED_DEPS) {
			alpm_depmissing_t *miss = l->data;
			char *dep = alpm_dep_compute_string(miss->depend);
			if (removal)
				problem(b, "removing %s breaks dependency '%s' required by %s",
					miss->causingpkg ? miss->causingpkg : "?", dep ? dep : "?", miss->target);
			else
				problem(b, "unable to satisfy dependency '%s' required by %s", dep ? dep : "?", miss->target);
			free(dep);
			alpm_depmissing_free(miss);
		} else if (err == ALPM_ERR_CONFLICTING_DEPS) {
			alpm_conflict_t *c = l->data;
			char *why = alpm_dep_compute_string(c->reason);
			if (why && strcmp(c->package1, why) && strcmp(c->package2, why))
				problem(b, "%s and %s are in conflict (%s)", c->package1, c->package2, why);
			else
				problem(b, "%s and %s are in conflict", c->package1, c->package2);
			free(why);
			alpm_conflict_free(c);
		} else {
			free(l->data); /* ALPM_ERR_PKG_INVALID_ARCH and the like: strings */
		}
	}
	alpm_list_free(data);
}

/* The prepared transaction read: removals first, as pacman lists them, then what is added,
 * each compared with the installed version (alpm_pkg_vercmp). Upgrades that stay behind
 * (IgnorePkg) are the kept-back list, as apt's. */
static void read_plan(alpm_handle_t *h, struct build *b, uint8_t action)
{
	alpm_db_t *local = alpm_get_localdb(h);
	alpm_list_t *add = alpm_trans_get_add(h);

	for (alpm_list_t *l = alpm_trans_get_remove(h); l; l = l->next)
		add_op(b, action == OMG_ACT_PURGE ? OMG_OP_PURGE : OMG_OP_REMOVE, l->data, NULL, "");
	for (alpm_list_t *l = add; l; l = l->next) {
		alpm_pkg_t *pkg = l->data, *inst = alpm_db_get_pkg(local, alpm_pkg_get_name(pkg));
		uint8_t op = OMG_OP_INSTALL;
		if (inst) {
			int c = alpm_pkg_vercmp(alpm_pkg_get_version(pkg), alpm_pkg_get_version(inst));
			op = c > 0 ? OMG_OP_UPGRADE : c < 0 ? OMG_OP_DOWNGRADE : OMG_OP_REINSTALL;
		}
		add_op(b, op, pkg, inst, alpm_pkg_get_origin(pkg) == ALPM_PKG_FROM_FILE ? "file"
					 : alpm_pkg_get_db(pkg) ? alpm_db_get_name(alpm_pkg_get_db(pkg)) : "");
	}
	if (action != OMG_ACT_UPGRADE && action != OMG_ACT_FULL_UPGRADE)
		return;
	for (alpm_list_t *l = alpm_db_get_pkgcache(local); l && b->nkept < NOTES_MAX; l = l->next) {
		alpm_pkg_t *newer = alpm_sync_get_new_version(l->data, alpm_get_syncdbs(h));
		int planned = 0;
		if (!newer)
			continue;
		for (alpm_list_t *a = add; a && !planned; a = a->next)
			planned = !strcmp(alpm_pkg_get_name(a->data), alpm_pkg_get_name(l->data));
		if (!planned)
			b->kept[b->nkept++] = put(b, "%s", alpm_pkg_get_name(l->data));
	}
}

void plan_alpm_run(const struct planner *p, struct plan_job *job)
{
	static const int flags[OMG_ACT__PLANNED + 1] = {
		[OMG_ACT_PURGE] = ALPM_TRANS_FLAG_NOSAVE,      /* pacman -Rn */
		[OMG_ACT_AUTOREMOVE] = ALPM_TRANS_FLAG_RECURSE, /* pacman -Rs $(pacman -Qdtq) */
	};
	struct pacmanconf conf;
	struct build b = { 0 };
	alpm_handle_t *h = NULL;
	alpm_errno_t aerr;
	alpm_list_t *data = NULL;
	char path[4200];
	uint64_t t0 = mono_now_ns();
	int removal = job->action == OMG_ACT_REMOVE || job->action == OMG_ACT_PURGE || job->action == OMG_ACT_AUTOREMOVE;
	int targets = 1;

	/* a plan made ahead (job->prefetch) is not niced as apt's is: it runs in this thread, in
	 * milliseconds, and a thread that lowered its priority could not raise it again */
	if (pacmanconf_load(&conf, p->root, NULL) != OMG_OK) {
		snprintf(job->problem, sizeof job->problem, "%s", omg_errdetail());
		pacmanconf_free(&conf);
		job->ran_ns = mono_now_ns() - t0;
		return;
	}
	if (!(h = alpm_initialize(conf.rootdir, conf.dbpath, &aerr))) {
		snprintf(job->problem, sizeof job->problem, "libalpm (root %.200s, dbpath %.200s): %s", conf.rootdir, conf.dbpath,
			 alpm_strerror(aerr));
		goto out;
	}
	alpm_option_set_logcb(h, log_cb, &b);
	alpm_option_set_questioncb(h, question_cb, &b);
	/* pacman's cache inside the root (pacman runs with --cachedir there): what is in it
	 * already is not downloaded (alpm_pkg_download_size) */
	snprintf(path, sizeof path, "%s/var/cache/pacman/pkg/", strcmp(p->root, "/") ? p->root : "");
	alpm_option_add_cachedir(h, path);
	for (int i = 0; i < conf.nignore_pkg; i++)
		alpm_option_add_ignorepkg(h, conf.ignore_pkg[i]);
	for (int i = 0; i < conf.nignore_group; i++)
		alpm_option_add_ignoregroup(h, conf.ignore_group[i]);
	for (int i = 0; i < conf.nrepos; i++)
		if (!alpm_register_syncdb(h, conf.repos[i], 0)) {
			snprintf(job->problem, sizeof job->problem, "repository %s: %s", conf.repos[i],
				 alpm_strerror(alpm_errno(h)));
			goto out;
		}
	if (alpm_trans_init(h, ALPM_TRANS_FLAG_NOLOCK | flags[job->action]) != 0) {
		snprintf(job->problem, sizeof job->problem, "libalpm: %s", alpm_strerror(alpm_errno(h)));
		goto out;
	}
	switch (job->action) {
	case OMG_ACT_INSTALL:
	case OMG_ACT_REINSTALL:
		for (uint32_t i = 0; i < job->nnames; i++)
			add_target(h, &b, job->names[i]);
		break;
	case OMG_ACT_REMOVE:
	case OMG_ACT_PURGE:
		for (uint32_t i = 0; i < job->nnames; i++) {
			alpm_pkg_t *pkg = alpm_db_get_pkg(alpm_get_localdb(h), job->names[i]);
			if (!pkg) {
				problem(&b, "target not found: %s", job->names[i]);
				continue;
			}
			asked(&b, job->names[i]);
			if (alpm_remove_pkg(h, pkg) != 0 && alpm_errno(h) != ALPM_ERR_TRANS_DUP_TARGET)
				problem(&b, "%s: %s", job->names[i], alpm_strerror(alpm_errno(h)));
		}
		break;
	case OMG_ACT_AUTOREMOVE:
		targets = add_orphans(h, &b);
		break;
	default: /* upgrade, full-upgrade: pacman -Su (pacman has no upgrade that keeps new packages out) */
		if (alpm_sync_sysupgrade(h, 0) != 0)
			problem(&b, "%s", alpm_strerror(alpm_errno(h)));
		break;
	}
	/* a target pacman would not find ends the plan there, as pacman stops before it resolves */
	if (!b.problem.len && targets && alpm_trans_prepare(h, &data) != 0)
		prepare_failed(h, &b, data, removal);
	else if (!b.problem.len && targets)
		read_plan(h, &b, job->action);
	alpm_trans_release(h);
	FREELIST(b.asked);
	job->exit_status = b.problem.len ? 1 : 0;
	if (finish(&b, &job->sim) != OMG_OK) {
		snprintf(job->problem, sizeof job->problem, "%s", omg_errdetail());
		goto out;
	}
	job->ran = 1;
out:
	if (h)
		alpm_release(h);
	pacmanconf_free(&conf);
	if (!job->ran) {
		FREELIST(b.asked);
		omg_buf_free(&b.str);
		free(b.ops);
		omg_buf_free(&b.problem);
	}
	job->ran_ns = mono_now_ns() - t0;
}
