/* worker.c — the AUR client's worker thread: one HTTP request at a time with libcurl (TLS
 * verified, http and https only, connect and total timeouts, answers over AUR_MAX_BYTES
 * refused, stopped at once by aur_close), each job's answer made into a whole frame. */
#include "config.h"
#include "internal.h"
#include "omg_error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
		status = aur_problem(payload, why);
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
		char url[2048];
		if (aur_search_url(a->base, j->query, url, sizeof url) == 0)
			status = fetch(a, url, OMG_MSG_AUR_SEARCH, j->limit, &payload);
		else
			status = aur_problem(&payload, "query too long for the AUR");
	} else {
		struct info_ctx ic = { a, &payload, OMG_AUR_MISSING, 0 };
		if (aur_info_urls(a->base, (const char *const *)j->names, j->nnames, info_url, &ic) < 1)
			status = aur_problem(&payload, "no valid package name for the AUR");
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

void *aur_worker(void *arg)
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
