/* builder.c — see builder.h. */
#include "config.h"
#include "clock.h"
#include "builder.h"
#include "changes.h"
#include "log.h"
#include "omg_error.h"
#include "snapshot.h"
#include "srccache.h"
#include "status_file.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

struct builder {
	const struct backend *backend;
	char root[4096], store_dir[4096];
	size_t map_size, audit_max;
	int efd;
	pthread_t thread;
	int thread_started;

	struct store index;          /* worker only */
	int index_open;
	unsigned index_grows, audit_grows; /* logged when they change */
	char probe_why[2][4300];      /* store_probe's findings: index, audit */
	struct audit *audit;         /* written by the worker, read by the event loop */
	const struct db *last;       /* the worker's previous db (owned by the event loop once collected) */
	int first_done;

	pthread_mutex_t mu;          /* guards everything below */
	pthread_cond_t cv;
	int requested, building, stop, done;
	struct timespec building_since;
	char why[64];
	struct db *result;
	int have_result, rc, from_store;
	char err[512];
	char store_problem[512];
	struct note *notes, **notes_tail; /* records for the audit log (builder_note) */
	int nnotes;
};

struct note {
	struct note *next;
	uint8_t kind;
	uint32_t uid;
	int32_t result;
	size_t len;
	char text[];
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static double ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

/* Records a store failure (or its end) and logs each change of state once. */
static void set_store_problem(struct builder *b, const char *what, const char *detail)
{
	char msg[512];
	int changed;

	if (what)
		snprintf(msg, sizeof msg, "%s: %s", what, detail);
	else
		msg[0] = 0;
	pthread_mutex_lock(&b->mu);
	changed = strcmp(msg, b->store_problem) != 0 && (msg[0] == 0 || b->store_problem[0] == 0);
	snprintf(b->store_problem, sizeof b->store_problem, "%s", msg);
	pthread_mutex_unlock(&b->mu);
	if (changed && msg[0])
		omgd_log("store unavailable, serving from memory: %s", msg);
	else if (changed)
		omgd_log("store: writable again");
}

#define STORE_PROBE_MS 2000 /* a walk of the store's pages before use (store_probe) */

/* The index environment: opened, or reset when damaged or in another format (it can
 * always be rebuilt from the sources). */
static int open_index(struct builder *b, int fresh, int probed)
{
	static const char *const index_dbs[] = SRCCACHE_DBS;
	char dir[4200], file[4300];
	uint32_t found;
	int rc;

	snprintf(dir, sizeof dir, "%s/index", b->store_dir);
	if (!fresh && probed != OMG_OK) {
		omgd_log("index store: %s: starting it afresh", b->probe_why[0]);
		fresh = 1;
	}
	if (fresh) {
		/* Damaged: remove the files, not just the records, since LMDB's own pages
		 * cannot be trusted. */
		snprintf(file, sizeof file, "%s/data.mdb", dir);
		unlink(file);
		snprintf(file, sizeof file, "%s/lock.mdb", dir);
		unlink(file);
	}
	rc = store_open(&b->index, dir, index_dbs, STORE_REBUILDABLE, b->map_size, STORE_MAP_CAP_INDEX,
			SRCCACHE_FORMAT, &found);
	if (rc == OMG_E_CORRUPT && !fresh) {
		omgd_log("index store damaged (%s): starting it afresh", omg_errdetail());
		return open_index(b, 1, OMG_OK);
	}
	if (rc == OMG_E_VERSION) {
		/* The index can always be rebuilt: start it afresh in this format. */
		omgd_log("index store in format %u, this omgd uses %u: rebuilding it", found, SRCCACHE_FORMAT);
		rc = store_reset(&b->index);
		if (rc != OMG_OK)
			store_close(&b->index);
	}
	b->index_open = rc == OMG_OK;
	b->index_grows = b->index.grows;
	if (rc != OMG_OK)
		set_store_problem(b, "index store", omg_errdetail());
	return rc;
}

static void open_store(struct builder *b)
{
	char dir[4200], index_dir[4200];
	const char *dirs[2] = { index_dir, dir };
	int probed[2] = { OMG_OK, OMG_OK };

	if (!b->store_dir[0])
		return;
	snprintf(index_dir, sizeof index_dir, "%s/index", b->store_dir);
	snprintf(dir, sizeof dir, "%s/audit", b->store_dir);
	/* Both environments' pages are walked in one child first (store_probe). */
	if (store_probe(dirs, 2, probed, STORE_PROBE_MS) != OMG_OK)
		omgd_log("store not checked: %s", omg_errdetail());
	for (int i = 0; i < 2; i++)
		if (probed[i] != OMG_OK)
			snprintf(b->probe_why[i], sizeof b->probe_why[i], "damaged pages in %s", dirs[i]);
	open_index(b, 0, probed[0]);
	if (probed[1] != OMG_OK) {
		/* Evidence is never discarded: the damaged log is refused, not replaced. */
		set_store_problem(b, "audit log", b->probe_why[1]);
		omgd_log("audit log refused: move %s aside to start a new one", dir);
		return;
	}
	if (audit_open(&b->audit, dir, b->map_size) != OMG_OK) {
		b->audit = NULL;
		set_store_problem(b, "audit log", omg_errdetail());
		return;
	}
	audit_set_max(b->audit, b->audit_max);
}

int builder_open(struct builder **out, const struct builder_config *cfg)
{
	struct builder *b = calloc(1, sizeof *b);

	if (!b)
		return OMG_ERROR(OMG_E_NOMEM, "builder");
	b->backend = cfg->backend;
	snprintf(b->root, sizeof b->root, "%s", cfg->root);
	snprintf(b->store_dir, sizeof b->store_dir, "%s", cfg->store_dir ? cfg->store_dir : "");
	b->map_size = cfg->map_size;
	b->audit_max = cfg->audit_max;
	pthread_mutex_init(&b->mu, NULL);
	pthread_cond_init(&b->cv, NULL);
	b->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (b->efd < 0) {
		free(b);
		return OMG_ERROR(OMG_E_SYS, "eventfd: %s", strerror(errno));
	}
	/* Opened here, before the worker starts: builder_audit is then valid from the start. */
	open_store(b);
	*out = b;
	return OMG_OK;
}

int builder_fd(const struct builder *b)
{
	return b->efd;
}

static void note_growth(const char *what, const struct store *s, unsigned *seen)
{
	if (s->grows != *seen)
		omgd_log("%s: map full, grown to %zu MiB (cap %zu MiB)", what, s->map_size >> 20, s->map_cap >> 20);
	*seen = s->grows;
}

static void audit_note_as(struct builder *b, uint8_t kind, uint32_t uid, int32_t result, const char *text, size_t len)
{
	if (!b->audit)
		return;
	if (audit_append(b->audit, kind, uid, result, text, len) != OMG_OK)
		set_store_problem(b, "audit log", omg_errdetail());
	note_growth("audit log", audit_store(b->audit), &b->audit_grows);
}

static void audit_note(struct builder *b, uint8_t kind, int32_t result, const char *text, size_t len)
{
	audit_note_as(b, kind, AUDIT_UID_NONE, result, text, len); /* seen by omgd: no actor (audit.h) */
}

static void *worker(void *arg);

/* Starts the build thread on first use, then tells it there is work (B->mu held). */
static void wake_worker(struct builder *b)
{
	if (!b->thread_started) {
		if (pthread_create(&b->thread, NULL, worker, b) == 0)
			b->thread_started = 1;
		else
			omgd_log("cannot start the build thread: %s", strerror(errno));
	}
	pthread_cond_signal(&b->cv);
}

/* Appends the queued records (B->mu held; released while writing). */
static void write_notes(struct builder *b)
{
	while (b->notes) {
		struct note *n = b->notes;
		b->notes = n->next;
		if (!b->notes)
			b->notes_tail = &b->notes;
		b->nnotes--;
		pthread_mutex_unlock(&b->mu);
		audit_note_as(b, n->kind, n->uid, n->result, n->text, n->len);
		free(n);
		pthread_mutex_lock(&b->mu);
	}
}

void builder_note(struct builder *b, uint8_t kind, uint32_t uid, int32_t result, const char *text, size_t len)
{
	struct note *n;

	pthread_mutex_lock(&b->mu);
	if (b->nnotes >= BUILDER_NOTES_MAX || !(n = malloc(sizeof *n + len + 1))) {
		pthread_mutex_unlock(&b->mu);
		omgd_log("audit record dropped: %d waiting", BUILDER_NOTES_MAX);
		return;
	}
	n->next = NULL;
	n->kind = kind;
	n->uid = uid;
	n->result = result;
	n->len = len;
	memcpy(n->text, text, len);
	n->text[len] = 0;
	if (!b->notes_tail)
		b->notes_tail = &b->notes;
	*b->notes_tail = n;
	b->notes_tail = &n->next;
	b->nnotes++;
	wake_worker(b);
	pthread_mutex_unlock(&b->mu);
}

/* The stored snapshot, if any, into *SNAP (NULL if none or unusable). */
static struct db *load_snapshot(struct builder *b, const char *key, int *current)
{
	struct db *db = malloc(sizeof *db);
	const char *why;
	int rc;

	*current = 0;
	if (!db)
		return NULL;
	rc = srccache_load_snapshot(&b->index, key, db);
	if (rc != OMG_OK) {
		if (rc != OMG_E_NOTFOUND)
			omgd_log("stored index not used: %s", omg_errdetail());
		if (rc == OMG_E_CORRUPT) {
			store_close(&b->index);
			b->index_open = 0;
			if (open_index(b, 1, OMG_OK) == OMG_OK)
				omgd_log("index store started afresh");
		}
		free(db);
		return NULL;
	}
	*current = snapshot_current(db, &why);
	if (!*current)
		omgd_log("stored index is out of date (%s changed): rebuilding", why);
	return db;
}

static void free_db(struct db *db)
{
	if (db) {
		db_free(db);
		free(db);
	}
}

static void build_once(struct builder *b, const char *why)
{
	struct timespec t0;
	struct srccache *cache = NULL;
	struct db *db = NULL, *stored = NULL;
	const struct db *prev = b->last;
	char key[4400], text[512];
	unsigned hits = 0, parsed = 0, lines = 0;
	uint64_t one = 1;
	char *diff = NULL;
	size_t difflen = 0;
	int rc = OMG_OK, current = 0, from_store = 0, n;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	snprintf(key, sizeof key, "%s:%s", b->backend->name, b->root);
	if (!b->first_done && b->index_open) {
		/* Warm start: the snapshot of the last run is served as it is when nothing changed;
		 * otherwise it is what the new build is compared with. */
		stored = load_snapshot(b, key, &current);
		if (stored && current) {
			db = stored;
			stored = NULL;
			from_store = 1;
			db->build_ms = ms_since(&t0);
		} else if (stored) {
			prev = stored;
		}
	}
	b->first_done = 1;
	if (!db) {
		db = malloc(sizeof *db);
		rc = db ? db_init(db) : OMG_ERROR(OMG_E_NOMEM, "index");
		if (rc == OMG_OK) {
			db->read_at_ns = now_ns();
			if (b->index_open)
				rc = srccache_open(&cache, &b->index, key, b->root, db->read_at_ns);
		}
		if (rc == OMG_OK)
			rc = b->backend->build(db, b->root, cache);
		if (rc == OMG_OK)
			rc = db_finish(db);
		if (rc != OMG_OK) {
			pthread_mutex_lock(&b->mu);
			snprintf(b->err, sizeof b->err, "%s", omg_errdetail());
			pthread_mutex_unlock(&b->mu);
			free_db(db);
			db = NULL;
		} else {
			db->built_at = omg_now();
			db->build_ms = ms_since(&t0);
		}
		if (cache)
			srccache_stats(cache, &hits, &parsed);
	}
	/* What changed is computed now: once handed over, PREV may be freed by the event loop. */
	if (db && prev && changes_between(prev, db, b->backend->vercmp, &diff, &difflen, &lines) != OMG_OK)
		lines = 0;
	free_db(stored);
	if (db)
		n = snprintf(text, sizeof text, "%s: %u packages, %u versions, %.1f ms%s%s (%u sources from the store, %u read)",
			     why, db->npkgs, db->nvers, db->build_ms, from_store ? ", stored index" : "",
			     db->backend_reused ? ", local database kept" : "", hits, parsed);
	else
		n = snprintf(text, sizeof text, "%s: failed: %s", why, b->err);
	/* Hand the db over, then write the audit log and the store: answers never wait for a disk. */
	pthread_mutex_lock(&b->mu);
	if (b->have_result)
		free_db(b->result); /* never collected: superseded */
	b->result = db;
	b->rc = rc;
	b->from_store = from_store;
	b->have_result = 1;
	b->building = 0;
	pthread_mutex_unlock(&b->mu);
	if (write(b->efd, &one, sizeof one) != sizeof one)
		abort(); /* cannot happen with an eventfd below its maximum */
	if (db)
		b->last = db;
	if (lines)
		audit_note(b, AUDIT_CHANGE, 0, diff, difflen);
	free(diff);
	audit_note(b, AUDIT_REFRESH, db ? 0 : rc, text, (size_t)n);
	if (cache) {
		if (db && srccache_commit(cache, db) != OMG_OK)
			set_store_problem(b, "index store", omg_errdetail());
		else if (db && b->audit && !audit_pending(b->audit))
			set_store_problem(b, NULL, NULL);
		note_growth("index store", &b->index, &b->index_grows);
		srccache_close(cache);
	}
}

static void *worker(void *arg)
{
	struct builder *b = arg;
	char why[64];

	pthread_mutex_lock(&b->mu);
	for (;;) {
		while (!b->requested && !b->notes && !b->stop)
			pthread_cond_wait(&b->cv, &b->mu);
		if (b->stop)
			break;
		if (!b->requested) {
			write_notes(b);
			continue;
		}
		b->requested = 0;
		b->building = 1;
		clock_gettime(CLOCK_MONOTONIC, &b->building_since);
		snprintf(why, sizeof why, "%s", b->why);
		pthread_mutex_unlock(&b->mu);
		build_once(b, why);
		pthread_mutex_lock(&b->mu);
		write_notes(b);
	}
	write_notes(b); /* what was asked before the stop is kept */
	pthread_mutex_unlock(&b->mu);
	if (b->backend->close)
		b->backend->close(); /* what the backend kept between builds belongs to this thread */
	pthread_mutex_lock(&b->mu);
	b->done = 1;
	pthread_cond_broadcast(&b->cv);
	pthread_mutex_unlock(&b->mu);
	return NULL;
}

void builder_request(struct builder *b, const char *why)
{
	pthread_mutex_lock(&b->mu);
	if (!b->requested)
		snprintf(b->why, sizeof b->why, "%s", why);
	b->requested = 1;
	wake_worker(b);
	pthread_mutex_unlock(&b->mu);
}

double builder_build_ms(struct builder *b)
{
	double ms = 0;

	pthread_mutex_lock(&b->mu);
	if (b->building)
		ms = ms_since(&b->building_since);
	pthread_mutex_unlock(&b->mu);
	return ms;
}

int builder_busy(struct builder *b)
{
	int busy;

	pthread_mutex_lock(&b->mu);
	busy = b->requested || b->building;
	pthread_mutex_unlock(&b->mu);
	return busy;
}

struct db *builder_collect(struct builder *b, int *rc, char *err, size_t errlen, int *from_store)
{
	uint64_t n;
	struct db *db;

	if (read(b->efd, &n, sizeof n) != sizeof n)
		return *rc = -1, NULL;
	pthread_mutex_lock(&b->mu);
	if (!b->have_result) {
		pthread_mutex_unlock(&b->mu);
		return *rc = -1, NULL;
	}
	db = b->result;
	b->result = NULL;
	b->have_result = 0;
	*rc = b->rc;
	*from_store = b->from_store;
	snprintf(err, errlen, "%s", b->err);
	pthread_mutex_unlock(&b->mu);
	return db;
}

void builder_store_problem(struct builder *b, char *buf, size_t size)
{
	pthread_mutex_lock(&b->mu);
	snprintf(buf, size, "%s", b->store_problem);
	pthread_mutex_unlock(&b->mu);
}

struct audit *builder_audit(struct builder *b)
{
	return b->audit;
}

int builder_stop(struct builder *b, int wait_ms)
{
	struct timespec until;
	int rc = 0;

	if (!b)
		return 0;
	/* A build blocked in the kernel (a hung file system) is never joined: the caller exits
	 * without it once WAIT_MS have passed. */
	until = real_deadline(wait_ms);
	pthread_mutex_lock(&b->mu);
	b->stop = 1;
	pthread_cond_broadcast(&b->cv);
	while (b->thread_started && !b->done && rc == 0)
		rc = pthread_cond_timedwait(&b->cv, &b->mu, &until);
	pthread_mutex_unlock(&b->mu);
	if (b->thread_started && !b->done)
		return -1;
	if (b->thread_started)
		pthread_join(b->thread, NULL);
	b->thread_started = 0;
	if (b->have_result)
		free_db(b->result);
	b->have_result = 0;
	return 0;
}

void builder_close(struct builder *b)
{
	if (!b)
		return;
	if (builder_stop(b, 0) != 0)
		return; /* still running: it uses all of B */
	while (b->notes) { /* never written: the thread did not start */
		struct note *n = b->notes;
		b->notes = n->next;
		free(n);
	}
	audit_close(b->audit);
	if (b->index_open)
		store_close(&b->index);
	close(b->efd);
	pthread_mutex_destroy(&b->mu);
	pthread_cond_destroy(&b->cv);
	free(b);
}
