/* loop.c — the AUR client on the event loop's side: aur_open and aur_close, requests answered
 * from the cache or queued for the worker, finished answers cached and delivered, and the
 * answering times for the metrics. */
#include "config.h"
#include "clock.h"
#include "internal.h"
#include "omg_error.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

/* Counts one answer of TYPE, given ASKED_NS, in the metrics. */
static void aur_count(struct aur *a, uint8_t type, uint64_t asked_ns)
{
	int i = type == OMG_MSG_AUR_INFO;

	a->answered[i]++;
	a->answered_ns[i] += mono_now_ns() - asked_ns;
}

void aur_timing(const struct aur *a, uint8_t type, uint64_t *answered, uint64_t *total_ns)
{
	int i = type == OMG_MSG_AUR_INFO;

	*answered = a ? a->answered[i] : 0;
	*total_ns = a ? a->answered_ns[i] : 0;
}

static void job_free(struct job *j)
{
	for (int i = 0; i < j->nnames; i++)
		free(j->names[i]);
	free(j->names);
	free(j->query);
	free(j->key);
	omg_wbuf_free(&j->frame);
	free(j);
}

int aur_open(struct aur **out, const struct aur_config *cfg)
{
	struct aur *a = calloc(1, sizeof *a);
	size_t n;

	if (!a)
		return OMG_ERROR(OMG_E_NOMEM, "aur");
	a->cfg = *cfg;
	if (!a->cfg.timeout_ms)
		a->cfg.timeout_ms = AUR_TIMEOUT_MS_DEFAULT;
	if (!a->cfg.connect_ms)
		a->cfg.connect_ms = AUR_CONNECT_MS_DEFAULT;
	if (!a->cfg.ttl_s)
		a->cfg.ttl_s = AUR_TTL_S_DEFAULT;
	snprintf(a->base, sizeof a->base, "%s", cfg->base_url ? cfg->base_url : AUR_URL_DEFAULT);
	n = strlen(a->base);
	while (n && a->base[n - 1] == '/')
		a->base[--n] = 0;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0 || !(a->curl = curl_easy_init())) {
		free(a);
		return OMG_ERROR(OMG_E_SYS, "libcurl could not start");
	}
	pthread_mutex_init(&a->mu, NULL);
	pthread_cond_init(&a->cv, NULL);
	a->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (a->efd < 0 || pthread_create(&a->thread, NULL, aur_worker, a) != 0) {
		if (a->efd >= 0)
			close(a->efd);
		curl_easy_cleanup(a->curl);
		free(a);
		return OMG_ERROR(OMG_E_SYS, "aur worker: %s", strerror(errno));
	}
	*out = a;
	return OMG_OK;
}

int aur_fd(const struct aur *a)
{
	return a->efd;
}

int aur_request(struct aur *a, uint64_t serial, uint8_t type, uint32_t id, const uint8_t *payload,
		uint32_t length, struct omg_wbuf *out)
{
	struct omg_query q = { 0 };
	struct job *j;
	const struct cached *c;
	char key[OMG_QUERY_MAX + 32];
	uint64_t asked_ns = mono_now_ns();

	if (omg_dec_query(payload, length, type, &q) != OMG_OK) {
		omg_frame_error(out, id, OMG_WERR_MALFORMED, "%s", omg_errdetail());
		return 0;
	}
	if (!q.text[0] || strlen(q.text) > OMG_QUERY_MAX) {
		omg_frame_error(out, id, OMG_WERR_INVALID, "the query must be 1 to %d bytes", OMG_QUERY_MAX);
		return 0;
	}
	/* the limit is part of the question: a search's rows stop at it */
	snprintf(key, sizeof key, "%u:%u:%s", type, type == OMG_MSG_AUR_SEARCH ? q.limit : 0, q.text);
	if ((c = aur_cache_find(&a->cache, key))) {
		omg_frame_whole(out, (uint8_t)(type | OMG_MSG_ANSWER), id, c->payload, c->len);
		aur_count(a, type, asked_ns);
		return 0;
	}
	pthread_mutex_lock(&a->mu);
	if (a->ntodo >= AUR_QUEUE_MAX) {
		pthread_mutex_unlock(&a->mu);
		aur_answer_problem(out, type, id, OMG_AUR_MISSING, "too many AUR requests waiting");
		return 0;
	}
	pthread_mutex_unlock(&a->mu);
	if (!(j = calloc(1, sizeof *j)) || !(j->key = strdup(key)) ||
	    (type == OMG_MSG_AUR_SEARCH ? !(j->query = strdup(q.text))
					: (!(j->names = calloc(1, sizeof *j->names)) || !(j->names[0] = strdup(q.text))))) {
		if (j)
			job_free(j);
		omg_frame_error(out, id, OMG_WERR_INTERNAL, "out of memory");
		return 0;
	}
	j->nnames = type == OMG_MSG_AUR_INFO;
	j->limit = q.limit;
	j->serial = serial;
	j->id = id;
	j->type = type;
	j->asked_ns = asked_ns;
	pthread_mutex_lock(&a->mu);
	{ /* FIFO */
		struct job **tail = &a->todo;
		while (*tail)
			tail = &(*tail)->next;
		*tail = j;
	}
	a->ntodo++;
	pthread_cond_signal(&a->cv);
	pthread_mutex_unlock(&a->mu);
	return 1;
}

void aur_collect(struct aur *a, void (*deliver)(void *ctx, uint64_t serial, const uint8_t *frame, size_t len),
		 void *ctx)
{
	uint64_t n;
	struct job *list;

	if (read(a->efd, &n, sizeof n) != sizeof n)
		return;
	pthread_mutex_lock(&a->mu);
	list = a->done;
	a->done = NULL;
	pthread_mutex_unlock(&a->mu);
	while (list) {
		struct job *j = list;
		list = j->next;
		if (j->cacheable)
			aur_cache_put(&a->cache, j->key, j->frame.data + OMG_HEADER_SIZE, j->frame.len - OMG_HEADER_SIZE,
				      a->cfg.ttl_s);
		deliver(ctx, j->serial, j->frame.data, j->frame.len);
		aur_count(a, j->type, j->asked_ns);
		job_free(j);
	}
}

void aur_close(struct aur *a)
{
	if (!a)
		return;
	pthread_mutex_lock(&a->mu);
	a->stop = 1;
	pthread_cond_signal(&a->cv);
	pthread_mutex_unlock(&a->mu);
	pthread_join(a->thread, NULL); /* at most one request's timeout */
	for (struct job *j = a->todo, *next; j; j = next) {
		next = j->next;
		job_free(j);
	}
	for (struct job *j = a->done, *next; j; j = next) {
		next = j->next;
		job_free(j);
	}
	aur_cache_free(&a->cache);
	curl_easy_cleanup(a->curl);
	close(a->efd);
	pthread_mutex_destroy(&a->mu);
	pthread_cond_destroy(&a->cv);
	free(a);
}
