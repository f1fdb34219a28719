/* aur.c — see aur.h. */
#include "config.h"
#include "aur.h"
#include "clock.h"
#include "omg_error.h"

#include <curl/curl.h>
#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

struct job {
	uint64_t serial;
	uint32_t id, limit;
	uint8_t type;
	char *key;               /* cache key: type, then the query */
	char **names;            /* AUR_INFO */
	int nnames;
	char *query;             /* AUR_SEARCH */
	struct omg_wbuf frame;   /* the answer, once made */
	uint64_t asked_ns;       /* when the request came (monotonic), for the metrics */
	int cacheable;
	struct job *next;
};

struct cached {
	char *key;
	uint8_t *payload;        /* the answer payload as the cache serves it (cached: 1) */
	size_t len;
	time_t expires;
};

struct aur {
	struct aur_config cfg;
	char base[1024];
	int efd;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct job *todo, *done;  /* FIFO in, LIFO out (order per connection is one at a time) */
	int ntodo, stop;
	uint64_t answered[2], answered_ns[2]; /* search, info: request to answer (event loop only) */
	struct cached cache[AUR_CACHE_MAX]; /* event loop only */
	int ncache;
	CURL *curl;               /* worker only */
};

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

/* ---- answers ------------------------------------------------------------------------ */

/* A whole answer frame saying the AUR part is not there: STATUS and WHY, nothing else. */
static void answer_problem(struct omg_wbuf *out, uint8_t type, uint32_t id, uint8_t status, const char *why)
{
	omg_frame_begin(out, (uint8_t)(type | OMG_MSG_ANSWER), id);
	omg_enc_aur_head(out, status, why, 0);
	omg_frame_end(out, OMG_FRAME_MAX);
}

void aur_answer_unavailable(struct omg_wbuf *out, uint8_t type, uint32_t id, const char *why)
{
	answer_problem(out, type, id, OMG_AUR_UNAVAILABLE, why);
}

static const char *jstr(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* A JSON array of strings as "a b c" into BUF; "" when absent. */
static const char *jlist(json_t *o, const char *key, char *buf, size_t n)
{
	json_t *arr = json_object_get(o, key), *v;
	size_t at = 0, i;

	buf[0] = 0;
	if (!json_is_array(arr))
		return buf;
	json_array_foreach(arr, i, v) {
		if (!json_is_string(v))
			continue;
		int w = snprintf(buf + at, n - at, "%s%s", at ? " " : "", json_string_value(v));
		if (w < 0 || (size_t)w >= n - at)
			break; /* cut at the buffer: a very long list */
		at += (size_t)w;
	}
	return buf;
}

/* Strings from outside are checked: no NUL inside (jansson allows \u0000). */
static int clean(const char *s)
{
	return s && strlen(s) < 4096;
}

static uint8_t put_problem(struct omg_wbuf *payload, const char *why)
{
	omg_wbuf_reset(payload);
	omg_enc_aur_head(payload, OMG_AUR_MISSING, why, 0);
	return OMG_AUR_MISSING;
}

uint8_t aur_parse(const char *text, size_t len, uint8_t type, uint32_t limit, struct omg_wbuf *payload)
{
	json_error_t err;
	json_t *doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &err), *results, *r;
	const char *t, *e;
	size_t i, count_at;
	uint32_t count = 0, matched = 0;

	omg_wbuf_reset(payload);
	if (!doc || !json_is_object(doc)) {
		char why[300];
		snprintf(why, sizeof why, "malformed answer from the AUR (%s)", doc ? "not an object" : err.text);
		json_decref(doc);
		return put_problem(payload, why);
	}
	t = jstr(doc, "type");
	if (t && !strcmp(t, "error")) {
		char why[300];
		e = jstr(doc, "error");
		snprintf(why, sizeof why, "the AUR says: %.200s", clean(e) ? e : "error");
		json_decref(doc);
		return put_problem(payload, why);
	}
	results = json_object_get(doc, "results");
	if (!t || (strcmp(t, "search") && strcmp(t, "multiinfo")) || !json_is_array(results)) {
		json_decref(doc);
		return put_problem(payload, "malformed answer from the AUR (no results)");
	}
	omg_enc_aur_head(payload, OMG_AUR_OK, "", 0);
	if (type == OMG_MSG_AUR_SEARCH) {
		count_at = omg_enc_rows_head(payload);
		json_array_foreach(results, i, r) {
			const char *name = jstr(r, "Name"), *ver = jstr(r, "Version"), *desc = jstr(r, "Description");
			if (!json_is_object(r) || !clean(name) || !name[0] || !clean(ver) || (desc && !clean(desc)))
				continue; /* a malformed entry is skipped, the rest kept */
			struct omg_pkg_row row = { name, "", "", ver, desc ? desc : "", OMG_PKG_AUR };
			matched++;
			if (limit && count >= limit) /* -n: the rest is only counted */
				continue;
			omg_enc_row(payload, &row);
			count++;
		}
		/* matched counts what the AUR sent; skipped (malformed) entries do not show */
		omg_enc_rows_end(payload, count_at, matched, count);
	} else {
		char buf[4096], num[64];
		count_at = omg_enc_info_head(payload, OMG_PKG_AUR);
		r = json_array_get(results, 0);
		if (json_is_object(r) && clean(jstr(r, "Name")) && clean(jstr(r, "Version"))) {
			static const char *const lists[][2] = {
				{ "Depends", "Depends-On" }, { "MakeDepends", "Make-Depends" },
				{ "OptDepends", "Optional-Deps" }, { "Provides", "Provides" },
				{ "License", "Licenses" }, { "Keywords", "Keywords" },
			};
			json_t *v;
#define KV(k, val) (omg_enc_kv(payload, (k), (val)), count++)
			KV("Package", jstr(r, "Name"));
			KV("Repository", "aur");
			KV("Version", jstr(r, "Version"));
			if (clean(jstr(r, "Description")))
				KV("Description", jstr(r, "Description"));
			if (clean(jstr(r, "URL")))
				KV("URL", jstr(r, "URL"));
			if (clean(jstr(r, "PackageBase")))
				KV("Package-Base", jstr(r, "PackageBase"));
			KV("Maintainer", clean(jstr(r, "Maintainer")) ? jstr(r, "Maintainer") : "(orphaned)");
			for (size_t k = 0; k < sizeof lists / sizeof lists[0]; k++)
				if (json_is_array(json_object_get(r, lists[k][0])))
					KV(lists[k][1], jlist(r, lists[k][0], buf, sizeof buf));
			if (json_is_integer(v = json_object_get(r, "NumVotes"))) {
				snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v));
				KV("Votes", num);
			}
			if (json_is_number(v = json_object_get(r, "Popularity"))) {
				snprintf(num, sizeof num, "%.2f", json_number_value(v));
				KV("Popularity", num);
			}
			if (json_is_integer(v = json_object_get(r, "OutOfDate"))) {
				time_t when = (time_t)json_integer_value(v);
				struct tm tm;
				if (gmtime_r(&when, &tm) && strftime(num, sizeof num, "since %Y-%m-%d", &tm))
					KV("Out-Of-Date", num);
			}
#undef KV
		}
		omg_enc_count(payload, count_at, count);
	}
	json_decref(doc);
	return OMG_AUR_OK;
}

/* ---- URLs --------------------------------------------------------------------------- */

int aur_info_urls(const char *base, const char *const *names, int count,
		  int (*emit)(void *ctx, const char *url), void *ctx)
{
	char url[AUR_URL_MAX];
	int urls = 0, in_url = 0;
	size_t at = 0;

	for (int i = 0; i <= count; i++) {
		char *esc = NULL;
		size_t need = 0;
		if (i < count) {
			if (!(esc = curl_easy_escape(NULL, names[i], 0)))
				return -1;
			need = strlen(esc) + 8; /* "&arg[]=" and the name */
		}
		if (in_url && (i == count || at + need >= sizeof url)) {
			if (emit(ctx, url) != 0) {
				curl_free(esc);
				return -1;
			}
			urls++;
			in_url = 0;
		}
		if (i < count) {
			if (!in_url) {
				int w = snprintf(url, sizeof url, "%s/rpc/v5/info?", base);
				if (w < 0 || (size_t)w + need >= sizeof url) { /* one name alone is too long */
					curl_free(esc);
					continue;
				}
				at = (size_t)w;
				in_url = 1;
			}
			at += (size_t)snprintf(url + at, sizeof url - at, "%sarg[]=%s", url[at - 1] == '?' ? "" : "&", esc);
		}
		curl_free(esc);
	}
	return urls;
}

/* ---- the worker --------------------------------------------------------------------- */

/* omg_wbuf refuses to grow past 8 frames' worth: the AUR cap must fit below that. */
_Static_assert(AUR_MAX_BYTES <= (size_t)8 * OMG_FRAME_MAX, "an AUR answer must fit in an omg_wbuf");

struct body {
	struct omg_wbuf w; /* grows by doubling: a multi-MiB answer costs a few copies */
	int too_big;
};

static size_t on_body(char *data, size_t size, size_t n, void *ctx)
{
	struct body *b = ctx;
	size_t add = size * n;

	if (b->w.len + add > AUR_MAX_BYTES) {
		b->too_big = 1;
		return 0; /* aborts the transfer */
	}
	omg_put_bytes(&b->w, data, add);
	return b->w.failed ? 0 : add;
}

/* Lets aur_close stop a transfer under way at once. */
static int on_progress(void *ctx, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
	struct aur *a = ctx;
	int stop;

	(void)dt, (void)dn, (void)ut, (void)un;
	pthread_mutex_lock(&a->mu);
	stop = a->stop;
	pthread_mutex_unlock(&a->mu);
	return stop;
}

/* GETs URL into a payload (status, problem, rows or pairs); returns its status. */
static uint8_t fetch(struct aur *a, const char *url, uint8_t type, uint32_t limit, struct omg_wbuf *payload)
{
	struct body b = { 0 };
	char why[CURL_ERROR_SIZE + 64], errbuf[CURL_ERROR_SIZE] = "";
	long code = 0;
	uint8_t status;
	CURLcode rc;

	curl_easy_reset(a->curl);
	curl_easy_setopt(a->curl, CURLOPT_URL, url);
	curl_easy_setopt(a->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(a->curl, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(a->curl, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(a->curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(a->curl, CURLOPT_CONNECTTIMEOUT_MS, (long)a->cfg.connect_ms);
	curl_easy_setopt(a->curl, CURLOPT_TIMEOUT_MS, (long)a->cfg.timeout_ms);
	curl_easy_setopt(a->curl, CURLOPT_USERAGENT, "omg/" PACKAGE_VERSION);
	curl_easy_setopt(a->curl, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(a->curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(a->curl, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(a->curl, CURLOPT_ACCEPT_ENCODING, "");
	/* refused from the Content-Length alone when the server announces it */
	curl_easy_setopt(a->curl, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)AUR_MAX_BYTES);
	curl_easy_setopt(a->curl, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(a->curl, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(a->curl, CURLOPT_XFERINFODATA, a);
	rc = curl_easy_perform(a->curl);
	curl_easy_getinfo(a->curl, CURLINFO_RESPONSE_CODE, &code);
	if (b.too_big || rc == CURLE_FILESIZE_EXCEEDED)
		snprintf(why, sizeof why, "the AUR's answer is over %u MiB", AUR_MAX_BYTES >> 20);
	else if (rc == CURLE_OPERATION_TIMEDOUT)
		snprintf(why, sizeof why, "the AUR did not answer within %d ms", a->cfg.timeout_ms);
	else if (rc != CURLE_OK)
		snprintf(why, sizeof why, "the AUR could not be reached: %s", errbuf[0] ? errbuf : curl_easy_strerror(rc));
	else if (code != 200)
		snprintf(why, sizeof why, "the AUR answered HTTP %ld", code);
	else
		why[0] = 0;
	if (why[0])
		status = put_problem(payload, why);
	else
		status = aur_parse(b.w.data ? (const char *)b.w.data : "", b.w.len, type, limit, payload);
	omg_wbuf_free(&b.w);
	return status;
}

struct info_ctx {
	struct aur *a;
	struct omg_wbuf *payload;
	uint8_t status;
	int done;
};

static int info_url(void *ctx, const char *url)
{
	struct info_ctx *ic = ctx;

	/* One package per INFO request in practice; more names are fetched batch by batch
	 * and the first batch that knows the first name answers. */
	if (!ic->done) {
		ic->status = fetch(ic->a, url, OMG_MSG_AUR_INFO, 0, ic->payload);
		ic->done = 1;
	}
	return 0;
}

static void run_job(struct aur *a, struct job *j)
{
	struct omg_wbuf payload = { 0 };
	uint8_t status;

	if (j->type == OMG_MSG_AUR_SEARCH) {
		char url[2048], *esc = curl_easy_escape(NULL, j->query, 0);
		if (esc && snprintf(url, sizeof url, "%s/rpc/v5/search/%s?by=name-desc", a->base, esc) < (int)sizeof url)
			status = fetch(a, url, OMG_MSG_AUR_SEARCH, j->limit, &payload);
		else
			status = put_problem(&payload, "query too long for the AUR");
		curl_free(esc);
	} else {
		struct info_ctx ic = { a, &payload, OMG_AUR_MISSING, 0 };
		if (aur_info_urls(a->base, (const char *const *)j->names, j->nnames, info_url, &ic) < 1)
			status = put_problem(&payload, "no valid package name for the AUR");
		else
			status = ic.status;
	}
	j->cacheable = !payload.failed && status == OMG_AUR_OK;
	if (omg_frame_whole(&j->frame, (uint8_t)(j->type | OMG_MSG_ANSWER), j->id, payload.data, payload.len) != OMG_OK) {
		omg_wbuf_reset(&j->frame);
		omg_frame_error(&j->frame, j->id, OMG_WERR_TOO_LARGE, "the AUR's answer exceeds the frame limit");
		j->cacheable = 0;
	}
	omg_wbuf_free(&payload);
}

static void *worker(void *arg)
{
	struct aur *a = arg;
	uint64_t one = 1;

	pthread_mutex_lock(&a->mu);
	for (;;) {
		struct job *j;
		while (!a->todo && !a->stop)
			pthread_cond_wait(&a->cv, &a->mu);
		if (a->stop)
			break;
		j = a->todo;
		a->todo = j->next;
		a->ntodo--;
		pthread_mutex_unlock(&a->mu);
		run_job(a, j);
		pthread_mutex_lock(&a->mu);
		j->next = a->done;
		a->done = j;
		if (write(a->efd, &one, sizeof one) != sizeof one)
			abort(); /* cannot happen below the eventfd's maximum */
	}
	pthread_mutex_unlock(&a->mu);
	return NULL;
}

/* ---- the event loop's side ---------------------------------------------------------- */

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
	if (a->efd < 0 || pthread_create(&a->thread, NULL, worker, a) != 0) {
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

static struct cached *cache_find(struct aur *a, const char *key)
{
	time_t now = time(NULL);

	for (int i = 0; i < a->ncache; i++)
		if (!strcmp(a->cache[i].key, key)) {
			if (a->cache[i].expires > now)
				return &a->cache[i];
			return NULL;
		}
	return NULL;
}

static void cache_put(struct aur *a, const char *key, const uint8_t *payload, size_t len)
{
	struct omg_wbuf marked = { 0 };
	struct cached *c = NULL;

	for (int i = 0; i < a->ncache && !c; i++)
		if (!strcmp(a->cache[i].key, key))
			c = &a->cache[i];
	if (!c && a->ncache < AUR_CACHE_MAX)
		c = &a->cache[a->ncache++];
	if (!c) { /* full: the entry closest to expiry goes */
		c = &a->cache[0];
		for (int i = 1; i < a->ncache; i++)
			if (a->cache[i].expires < c->expires)
				c = &a->cache[i];
	}
	if (c->key) {
		free(c->key);
		free(c->payload);
	}
	c->key = strdup(key);
	/* kept as it will be served: said to come from the cache */
	if (!c->key || omg_enc_aur_cached(&marked, payload, len) != OMG_OK || marked.failed) {
		/* The slot goes: the last entry moves into it, and the last slot is cleared, so
		 * that no pointer is left twice (C itself may be the last). */
		free(c->key);
		omg_wbuf_free(&marked);
		*c = a->cache[--a->ncache];
		memset(&a->cache[a->ncache], 0, sizeof a->cache[a->ncache]);
		return;
	}
	c->payload = marked.data;
	c->len = marked.len;
	c->expires = time(NULL) + a->cfg.ttl_s;
}

int aur_request(struct aur *a, uint64_t serial, uint8_t type, uint32_t id, const uint8_t *payload,
		uint32_t length, struct omg_wbuf *out)
{
	struct omg_query q = { 0 };
	struct job *j;
	struct cached *c;
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
	if ((c = cache_find(a, key))) {
		omg_frame_whole(out, (uint8_t)(type | OMG_MSG_ANSWER), id, c->payload, c->len);
		aur_count(a, type, asked_ns);
		return 0;
	}
	pthread_mutex_lock(&a->mu);
	if (a->ntodo >= AUR_QUEUE_MAX) {
		pthread_mutex_unlock(&a->mu);
		answer_problem(out, type, id, OMG_AUR_MISSING, "too many AUR requests waiting");
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
			cache_put(a, j->key, j->frame.data + OMG_HEADER_SIZE, j->frame.len - OMG_HEADER_SIZE);
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
	for (int i = 0; i < a->ncache; i++) {
		free(a->cache[i].key);
		free(a->cache[i].payload);
	}
	curl_easy_cleanup(a->curl);
	close(a->efd);
	pthread_mutex_destroy(&a->mu);
	pthread_cond_destroy(&a->cv);
	free(a);
}
