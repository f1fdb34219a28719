/* queue.c — the planner on the event loop's side (requests checked, cached answers, the
 * queue) and its worker thread. */
#include "config.h"
#include "clock.h"
#include "internal.h"
#include "log.h"
#include "omg_error.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

static void job_free(struct plan_job *j)
{
	for (uint32_t i = 0; i < j->nnames; i++)
		free(j->names[i]);
	free(j->names);
	free(j->key);
	aptsim_free(&j->sim);
	free(j);
}

/* Queues J (P->mu held): a client's plan after the other clients' and before the plans made
 * ahead (nobody waits for those), a plan made ahead last. */
static void enqueue(struct planner *p, struct plan_job *j)
{
	struct plan_job **at = &p->todo;

	while (*at && (j->prefetch || !(*at)->prefetch))
		at = &(*at)->next;
	j->next = *at;
	*at = j;
	p->ntodo++;
}

static void *worker(void *arg)
{
	struct planner *p = arg;

	pthread_mutex_lock(&p->mu);
	for (;;) {
		struct plan_job *j;
		uint64_t one = 1;
		while (!p->todo && !p->stop)
			pthread_cond_wait(&p->cv, &p->mu);
		if (p->stop)
			break;
		j = p->todo;
		p->todo = j->next;
		p->ntodo--;
		p->running = j;
		__atomic_store_n(&p->cancel, 0, __ATOMIC_RELEASE);
		pthread_mutex_unlock(&p->mu);
#ifdef OMG_WITH_ALPM
		if (p->alpm)
			plan_alpm_run(p, j);
		else
#endif
			plan_apt_run(p, j); /* without libalpm no backend is alpm's (backend_named) */
		pthread_mutex_lock(&p->mu);
		p->running = NULL;
		if (j->preempted) { /* again, after the clients' plans */
			j->preempted = 0;
			aptsim_free(&j->sim);
			enqueue(p, j);
			continue;
		}
		j->next = p->done;
		p->done = j;
		if (write(p->efd, &one, sizeof one) < 0) {
			/* the counter cannot overflow at one a plan; nothing to do */
		}
	}
	p->exited = 1;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

int plan_open(struct planner **out, const struct plan_config *cfg)
{
	struct planner *p = calloc(1, sizeof *p);

	if (!p)
		return OMG_ERROR(OMG_E_NOMEM, "planner");
	p->cfg = *cfg;
	if (!p->cfg.deadline_ms)
		p->cfg.deadline_ms = PLAN_DEADLINE_MS;
	snprintf(p->root, sizeof p->root, "%s", cfg->root && cfg->root[0] ? cfg->root : "/");
	snprintf(p->apt_get, sizeof p->apt_get, "%s", cfg->apt_get ? cfg->apt_get : "/usr/bin/apt-get");
	p->cfg.root = p->root;
	p->alpm = cfg->backend && !strcmp(cfg->backend, "alpm");
	p->cfg.backend = NULL; /* not kept: P->alpm says it */
	if ((p->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) < 0) {
		free(p);
		return OMG_ERROR(OMG_E_SYS, "eventfd: %s", strerror(errno));
	}
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	if (pthread_create(&p->thread, NULL, worker, p) != 0) {
		close(p->efd);
		free(p);
		return OMG_ERROR(OMG_E_SYS, "planner thread");
	}
	*out = p;
	return OMG_OK;
}

int plan_close(struct planner *p, int wait_ms)
{
	struct plan_job *j, *next;
	struct timespec until;

	if (!p)
		return 0;
	until = real_deadline(wait_ms);
	pthread_mutex_lock(&p->mu);
	__atomic_store_n(&p->stop, 1, __ATOMIC_RELEASE);
	__atomic_store_n(&p->cancel, 1, __ATOMIC_RELEASE); /* a running apt-get -s is killed (apt.c) */
	pthread_cond_broadcast(&p->cv);
	/* a worker that cannot run at all (frozen, stuck in the kernel) is left behind: omgd is
	 * exiting */
	while (!p->exited)
		if (pthread_cond_timedwait(&p->cv, &p->mu, &until) != 0)
			break;
	if (!p->exited) {
		pthread_mutex_unlock(&p->mu);
		return -1;
	}
	pthread_mutex_unlock(&p->mu);
	pthread_join(p->thread, NULL);
	for (j = p->todo; j; j = next) {
		next = j->next;
		job_free(j);
	}
	for (j = p->done; j; j = next) {
		next = j->next;
		job_free(j);
	}
	for (int i = 0; i < p->ncache; i++) {
		free(p->cache[i].key);
		free(p->cache[i].payload);
	}
	close(p->efd);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->cv);
	free(p);
	return 0;
}

int plan_fd(const struct planner *p)
{
	return p->efd;
}

void plan_timing(const struct planner *p, uint64_t *made, uint64_t *total_ns, uint64_t *cached, uint64_t *ahead)
{
	*made = p ? p->made : 0;
	*total_ns = p ? p->made_ns : 0;
	*cached = p ? p->cached_hits : 0;
	*ahead = p ? p->ahead : 0;
}

int plan_pending(struct planner *p)
{
	int n;

	if (!p)
		return 0;
	pthread_mutex_lock(&p->mu);
	n = p->ntodo + (p->running != NULL) + (p->done != NULL);
	pthread_mutex_unlock(&p->mu);
	return n;
}

/* Whether PATH is a file under ROOT (not ROOT itself). */
static int inside_root(const char *root, const char *path)
{
	size_t n = strlen(root);

	return !strncmp(path, root, n) && path[n] == '/' && path[n + 1];
}

static void answer_frame(struct omg_wbuf *out, uint32_t id, const struct omg_plan *m)
{
	size_t start = out->len;

	omg_frame_begin(out, OMG_MSG_PLAN | OMG_MSG_ANSWER, id);
	omg_enc_plan(out, m);
	if (omg_frame_end(out, OMG_FRAME_MAX) != OMG_OK) {
		omg_wbuf_rewind(out, start);
		omg_frame_error(out, id, OMG_WERR_INTERNAL, "the plan could not be encoded");
	}
}

/* The cache key: the action's byte, then each name and a NUL. */
static char *make_key(uint8_t action, char **names, uint32_t n)
{
	size_t len = 2;
	char *k, *q;

	for (uint32_t i = 0; i < n; i++)
		len += strlen(names[i]) + 1;
	if (!(k = malloc(len)))
		return NULL;
	q = k;
	*q++ = (char)('0' + action);
	for (uint32_t i = 0; i < n; i++) {
		size_t l = strlen(names[i]);
		memcpy(q, names[i], l);
		q += l;
		*q++ = '\n';
	}
	*q = 0;
	return k;
}

int plan_request(struct planner *p, const struct db *db, const struct backend *backend, uint64_t generation,
		 uint64_t serial, uint32_t id, const uint8_t *payload, uint32_t length, struct omg_wbuf *out)
{
	struct omg_plan_req q;
	struct omg_plan m = { .root = p->root, .tool = p->alpm ? "libalpm" : "apt-get", .generation = generation };
	struct omg_unknown unknown[16];
	const char *sugg[16][OMG_SUGGEST_MAX];
	struct plan_job *j = NULL;
	char why[400] = "";

	if (omg_dec_plan_req(payload, length, &q) != OMG_OK)
		return omg_frame_error(out, id, OMG_WERR_MALFORMED, "%s", omg_errdetail()), 0;
	m.action = q.action;
	if (q.action < 1 || q.action > OMG_ACT__PLANNED || q.flags || q.count > OMG_PLAN_NAMES_MAX) {
		omg_plan_req_free(&q);
		return omg_frame_error(out, id, OMG_WERR_INVALID, "no such action, or over %d names", OMG_PLAN_NAMES_MAX), 0;
	}
	if (strcmp(backend->name, p->alpm ? "alpm" : "dpkg") != 0) { /* omgd opens the planner for its backend */
		m.status = OMG_PLAN_UNAVAILABLE;
		m.problem = "the planner was made for another package manager than this index's";
		goto answer_now;
	}
	if (!db) {
		omg_plan_req_free(&q);
		return omg_frame_error(out, id, OMG_WERR_NOT_READY, "omgd is still building its index"), 0;
	}
	if ((q.action == OMG_ACT_UPGRADE || q.action == OMG_ACT_FULL_UPGRADE) ? q.count != 0
	    : q.action != OMG_ACT_AUTOREMOVE && q.count == 0) {
		snprintf(why, sizeof why, "%s %s", omg_action_name(q.action),
			 q.count ? "takes no package names" : "needs package names");
		omg_plan_req_free(&q);
		return omg_frame_error(out, id, OMG_WERR_INVALID, "%s", why), 0;
	}
	for (uint32_t i = 0; i < q.count; i++) {
		const char *bad = plan_name_invalid(q.action, q.names[i], p->alpm);
		/* apt runs inside another root by chroot: a file must be there too (pacman runs with
		 * --root and takes a host path) */
		if (!bad && !p->alpm && q.names[i][0] == '/' && strcmp(p->root, "/") != 0 && !inside_root(p->root, q.names[i]))
			bad = "a file outside the root omgd serves (apt runs inside it)";
		if (bad) {
			snprintf(why, sizeof why, "'%.256s': %s", q.names[i], bad);
			omg_plan_req_free(&q);
			return omg_frame_error(out, id, OMG_WERR_INVALID, "%s", why), 0;
		}
		if (!plan_name_known(db, q.names[i], p->alpm) && m.nunknown < sizeof unknown / sizeof unknown[0]) {
			struct omg_unknown *u = &unknown[m.nunknown];
			/* pacman's REPO/NAME: suggestions for NAME */
			const char *base = p->alpm && strchr(q.names[i], '/') ? strchr(q.names[i], '/') + 1 : q.names[i];
			u->name = q.names[i];
			u->suggestions = sugg[m.nunknown];
			u->count = plan_suggest(db, base, sugg[m.nunknown], OMG_SUGGEST_MAX);
			m.nunknown++;
		}
	}
	if (m.nunknown) {
		m.unknown = unknown;
		m.status = OMG_PLAN_PROBLEM;
		m.problem = m.nunknown == 1 ? "no such package" : "no such packages";
		goto answer_now;
	}
	if (!(j = calloc(1, sizeof *j)) || !(j->names = calloc(q.count ? q.count : 1, sizeof *j->names)))
		goto nomem;
	for (; j->nnames < q.count; j->nnames++) /* a file as apt inside the root sees it */
		if (!(j->names[j->nnames] = strdup(q.names[j->nnames] + (q.names[j->nnames][0] == '/' && !p->alpm &&
									  strcmp(p->root, "/") ? strlen(p->root) : 0))))
			goto nomem;
	if (!(j->key = make_key(q.action, j->names, j->nnames)))
		goto nomem;
	omg_plan_req_free(&q);
	for (int i = 0; i < p->ncache; i++)
		if (p->cache[i].generation == generation && !strcmp(p->cache[i].key, j->key)) {
			p->cached_hits++;
			omg_frame_whole(out, OMG_MSG_PLAN | OMG_MSG_ANSWER, id, p->cache[i].payload, p->cache[i].len);
			job_free(j);
			return 0;
		}
	j->serial = serial;
	j->id = id;
	j->generation = generation;
	j->action = m.action;
	j->asked_ns = mono_now_ns();
	pthread_mutex_lock(&p->mu);
	if (p->ntodo >= PLAN_QUEUE_MAX) {
		pthread_mutex_unlock(&p->mu);
		job_free(j);
		m.status = OMG_PLAN_UNAVAILABLE;
		m.problem = "omgd has too many plans waiting; try again";
		answer_frame(out, id, &m);
		return 0;
	}
	enqueue(p, j);
	if (p->running && p->running->prefetch) /* nobody waits for that one: this one first */
		__atomic_store_n(&p->cancel, 1, __ATOMIC_RELEASE);
	pthread_cond_signal(&p->cv);
	pthread_mutex_unlock(&p->mu);
	return 1;
answer_now:
	answer_frame(out, id, &m);
	omg_plan_req_free(&q);
	return 0;
nomem:
	if (j)
		job_free(j);
	omg_plan_req_free(&q);
	return omg_frame_error(out, id, OMG_WERR_INTERNAL, "out of memory"), 0;
}

void plan_prefetch(struct planner *p, uint64_t generation)
{
	static char *const none[1];
	struct plan_job *j;

	if (!p || p->prefetched == generation)
		return;
	p->prefetched = generation;
	pthread_mutex_lock(&p->mu);
	for (j = p->todo; j; j = j->next)
		if (j->prefetch) { /* not started yet: it will read the newer index's files anyway */
			j->generation = generation;
			pthread_mutex_unlock(&p->mu);
			return;
		}
	pthread_mutex_unlock(&p->mu);
	if (!(j = calloc(1, sizeof *j)) || !(j->key = make_key(OMG_ACT_UPGRADE, (char **)none, 0))) {
		free(j);
		return;
	}
	j->action = OMG_ACT_UPGRADE;
	j->prefetch = 1;
	j->generation = generation;
	j->asked_ns = mono_now_ns();
	pthread_mutex_lock(&p->mu);
	enqueue(p, j);
	pthread_cond_signal(&p->cv);
	pthread_mutex_unlock(&p->mu);
}

static void cache_put(struct planner *p, const char *key, uint64_t generation, const uint8_t *payload, size_t len)
{
	struct plan_cached *c;
	uint8_t *copy = malloc(len ? len : 1);
	char *k = strdup(key);

	if (!copy || !k) {
		free(copy);
		free(k);
		return;
	}
	memcpy(copy, payload, len);
	if (p->ncache < PLAN_CACHE_MAX)
		c = &p->cache[p->ncache++];
	else {
		c = &p->cache[p->cache_next];
		p->cache_next = (p->cache_next + 1) % PLAN_CACHE_MAX;
		free(c->key);
		free(c->payload);
	}
	*c = (struct plan_cached){ .key = k, .generation = generation, .payload = copy, .len = len };
}

static int names_a_file(const struct plan_job *j)
{
	for (uint32_t i = 0; i < j->nnames; i++)
		if (j->names[i][0] == '/')
			return 1;
	return 0;
}

void plan_collect(struct planner *p, const struct db *db, const struct backend *backend, uint64_t generation,
		  void (*deliver)(void *ctx, uint64_t serial, const uint8_t *frame, size_t len), void *ctx)
{
	struct plan_job *done, *next;
	uint64_t count;

	if (read(p->efd, &count, sizeof count) < 0 && errno != EAGAIN)
		return;
	pthread_mutex_lock(&p->mu);
	done = p->done;
	p->done = NULL;
	pthread_mutex_unlock(&p->mu);
	for (; done; done = next) {
		struct omg_wbuf w = { 0 };
		size_t start;
		next = done->next;
		omg_frame_begin(&w, OMG_MSG_PLAN | OMG_MSG_ANSWER, done->id);
		start = w.len;
		plan_answer(p, done, db, backend, done->generation, &w);
		if (omg_frame_end(&w, OMG_FRAME_MAX) != OMG_OK) {
			omg_wbuf_reset(&w);
			omg_frame_error(&w, done->id, OMG_WERR_TOO_LARGE, "the plan exceeds the %u MiB frame limit",
					OMG_FRAME_MAX >> 20);
		} else if (done->ran && db && done->generation == generation && !names_a_file(done)) {
			/* kept for the index it was asked on, if that is still the one (not when it
			 * names a .deb: the file may change while the index does not) */
			cache_put(p, done->key, generation, w.data + start, w.len - start);
		}
		if (done->prefetch)
			p->ahead++;
		else {
			p->made++;
			p->made_ns += mono_now_ns() - done->asked_ns;
			if (!w.failed)
				deliver(ctx, done->serial, w.data, w.len);
		}
		omg_wbuf_free(&w);
		job_free(done);
	}
}
