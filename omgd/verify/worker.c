/* worker.c — the verification worker: its queue, its thread, the kept result and the answers
 * (see verify.h). */
#include "config.h"
#include "clock.h"
#include "grow.h"
#include "verify.h"
#include "archive.h"
#include "files.h"
#include "log.h"
#include "omg_error.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

struct waiter {
	uint64_t serial;
	uint32_t id, first;
	struct waiter *next;
};

/* A finished check, encoded once: the answer's head (sources and counts) and each finding. */
struct vresult {
	struct omg_wbuf head;     /* omg_enc_verify_head's bytes: total, first and count end it */
	struct omg_wbuf finds;    /* omg_enc_finding's bytes, one after another */
	size_t *off;              /* where each finding starts in FINDS */
	uint32_t nfind, capfind;
	struct verify_summary sum;
	char *record;             /* for the audit log */
};

struct job {
	uint32_t flags;           /* OMG_VERIFY_* */
	char **names;
	uint32_t nnames;
	int background;
	struct waiter *waiters;
	struct vresult *res;
	uint64_t ns;
	struct job *next;
};

struct verifier {
	char root[4096], backend[16], store_dir[4096];
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int efd;
	struct job *todo, *done, *running;
	int ntodo, stop, exited;
	atomic_int cancel;        /* read by the checks between reads */
	struct verify_cache *cache; /* the worker thread's: files' digests by stat */
	struct archive_memo memo;   /* the worker thread's: cached .debs' digests by stat */
	struct vresult *last;     /* the last complete result (both parts, every package): event loop only */
	struct vresult *recent;   /* the most recent result of any kind, for paging: event loop only */
	uint64_t runs, total_ns;  /* event loop only */
};

static uint64_t real_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void result_free(struct vresult *r)
{
	if (!r)
		return;
	omg_wbuf_free(&r->head);
	omg_wbuf_free(&r->finds);
	free(r->off);
	free(r->record);
	free(r);
}

static void job_free(struct job *j)
{
	struct waiter *w, *next;

	for (uint32_t i = 0; i < j->nnames; i++)
		free(j->names[i]);
	free(j->names);
	for (w = j->waiters; w; w = next) {
		next = w->next;
		free(w);
	}
	result_free(j->res);
	free(j);
}

static int add_finding(struct vresult *r, uint8_t kind, const char *pkg, const char *path, const char *detail)
{
	struct omg_finding f = { kind, pkg ? pkg : "", path ? path : "", detail ? detail : "" };

	if (omg_grow32(&r->off, &r->capfind, r->nfind + 1, sizeof *r->off, UINT32_MAX) != OMG_OK)
			return OMG_ERROR(OMG_E_NOMEM, "findings");
	r->off[r->nfind++] = r->finds.len;
	omg_enc_finding(&r->finds, &f);
	if (r->finds.failed)
		return OMG_ERROR(OMG_E_NOMEM, "findings");
	if (OMG_FIND_ON_FILES(kind))
		r->sum.modified++;
	else
		r->sum.untrusted++;
	return OMG_OK;
}

static uint8_t archive_kind(uint8_t problem)
{
	switch (problem) {
	case ARCHIVE_LIST_CHANGED: return OMG_FIND_LIST_CHANGED;
	case ARCHIVE_LIST_UNLISTED: return OMG_FIND_LIST_UNLISTED;
	case ARCHIVE_LIST_UNREADABLE: return OMG_FIND_LIST_UNREADABLE;
	case ARCHIVE_DEB_CHANGED: return OMG_FIND_DEB_CHANGED;
	default: return OMG_FIND_DEB_UNREADABLE;
	}
}

static const char *dates_text(const struct archive_source *s, char *buf, size_t n)
{
	struct tm tm;
	time_t t = (time_t)(s->dates == ARCHIVE_DATES_EXPIRED ? s->valid_until : s->date);

	gmtime_r(&t, &tm);
	strftime(buf, n, s->dates == ARCHIVE_DATES_EXPIRED ? "expired: Valid-Until %Y-%m-%d %H:%M:%S UTC"
							   : "not valid yet: Date %Y-%m-%d %H:%M:%S UTC", &tm);
	return buf;
}

/* The archive chain's part of the result: its sources in H (SRC, owned by the caller) and
 * its findings in R. */
static int run_archive(struct verifier *v, const struct job *j, struct vresult *r, struct omg_verify *h, struct archive_report *ar)
{
	int64_t now = (int64_t)(real_ns() / 1000000000u);
	int full = !!(j->flags & OMG_VERIFY_FULL);
#ifdef OMG_WITH_ALPM
	int rc = !strcmp(v->backend, "alpm") ? archive_verify_alpm(v->root, now, &v->cancel, &v->memo, full, ar)
					     : archive_verify(v->root, now, &v->cancel, &v->memo, full, ar);
#else
	int rc = archive_verify(v->root, now, &v->cancel, &v->memo, full, ar); /* no alpm backend */
#endif

	if (rc != OMG_OK && rc != OMG_E_TIMEOUT)
		return rc;
	if (rc == OMG_E_TIMEOUT)
		h->flags |= OMG_VERIFIED_CUT;
	h->flags |= OMG_VERIFIED_ARCHIVE;
	h->debs = ar->debs;
	h->debs_bad = ar->debs_bad;
	h->debs_unknown = ar->debs_unknown;
	h->bytes += ar->bytes;
	if (ar->nsrc && !(h->src = calloc(ar->nsrc, sizeof *h->src)))
		return OMG_ERROR(OMG_E_NOMEM, "sources");
	h->nsrc = (uint32_t)ar->nsrc;
	for (size_t i = 0; i < ar->nsrc; i++) {
		const struct archive_source *s = &ar->src[i];
		struct omg_verify_source *o = &h->src[i];
		char text[512];
		o->desc = s->desc;
		o->release = s->release;
		o->verdict = s->sig.verdict;
		o->dates = s->dates;
		o->checker = s->sig.checker;
		o->signer = s->sig.signer;
		o->detail = s->sig.detail;
		o->date = s->date;
		o->valid_until = s->valid_until;
		o->lists = s->lists;
		o->lists_bad = s->lists_bad;
		o->lists_unchecked = s->lists_unchecked;
		if (s->sig.verdict != ARCHIVE_SIG_GOOD && s->sig.verdict != ARCHIVE_SIG_TRUSTED) {
			snprintf(text, sizeof text, "%s%s%s", archive_sig_name(s->sig.verdict), s->sig.detail[0] ? ": " : "",
				 s->sig.detail);
			rc = add_finding(r, OMG_FIND_SOURCE, s->desc, s->release, text);
		} else if (s->dates == ARCHIVE_DATES_EXPIRED || s->dates == ARCHIVE_DATES_FUTURE) {
			rc = add_finding(r, OMG_FIND_SOURCE, s->desc, s->release, dates_text(s, text, sizeof text));
		}
		if (rc != OMG_OK)
			return rc;
	}
	for (size_t i = 0; i < ar->nfind; i++)
		if ((rc = add_finding(r, archive_kind(ar->find[i].problem), "", ar->find[i].path, ar->find[i].detail)) != OMG_OK)
			return rc;
	return OMG_OK;
}

static uint8_t files_kind(const struct verify_finding *f)
{
	switch (f->cls) {
	case VERIFY_MISSING: return OMG_FIND_MISSING;
	case VERIFY_UNREADABLE: return OMG_FIND_UNREADABLE;
	case VERIFY_REPLACED: return OMG_FIND_REPLACED;
	case VERIFY_CHANGED_CONFIG: return OMG_FIND_CHANGED_CONFIG;
	case VERIFY_ALTERED: return OMG_FIND_ALTERED;
	default: return f->config ? OMG_FIND_CHANGED_CONFIG : OMG_FIND_CHANGED;
	}
}

/* What pacman -Qkk would name, or the errno of a missing or unreadable file. */
static void files_detail(const struct verify_finding *f, char *out, size_t n)
{
	static const char *const what[] = { "mode", "owner", "group", "mtime", "size", "link target", "content" };
	size_t at = 0;

	out[0] = 0;
	if (f->cls == VERIFY_UNREADABLE && f->err) {
		snprintf(out, n, "%s", strerror(f->err));
		return;
	}
	for (int i = 0; i < 7; i++)
		if (f->detail & (1u << i) && at < n)
			at += (size_t)snprintf(out + at, n - at, "%s%s", at ? ", " : "", what[i]);
	if (f->config && f->cls != VERIFY_CHANGED_CONFIG && at < n)
		snprintf(out + at, n - at, "%sa configuration file", at ? "; " : "");
}

/* The installed files' part of the result. */
static int run_files(struct verifier *v, const struct job *j, struct vresult *r, struct omg_verify *h)
{
#ifdef OMG_WITH_ALPM
	int alpm = !strcmp(v->backend, "alpm");
#else
	int alpm = 0; /* built --without-alpm: no backend is alpm's */
#endif
	struct verify_run run = { .root = v->root, .names = (const char *const *)j->names, .nnames = j->nnames,
				  .cache = v->cache, .full = !!(j->flags & OMG_VERIFY_FULL), .cancel = &v->cancel };
#ifdef OMG_WITH_ALPM
	int rc = alpm ? verify_alpm(&run) : verify_dpkg(&run);
#else
	int rc = verify_dpkg(&run);
#endif
	char detail[200];

	if (rc != OMG_OK && rc != OMG_E_TIMEOUT)
		goto done;
	if (rc == OMG_E_TIMEOUT || !run.complete)
		h->flags |= OMG_VERIFIED_CUT;
	h->flags |= OMG_VERIFIED_FILES;
	h->checker = alpm ? "mtree" : "md5sums";
	h->packages = (uint32_t)run.totals.packages;
	h->files = (uint32_t)run.totals.files;
	h->hashed = (uint32_t)run.totals.hashed;
	h->cached = (uint32_t)run.totals.cache_hits;
	h->unsummed = (uint32_t)run.totals.no_checksums;
	h->bytes += run.totals.bytes;
	rc = OMG_OK;
	for (size_t i = 0; rc == OMG_OK && i < run.nunknown; i++)
		rc = add_finding(r, OMG_FIND_NOT_INSTALLED, run.unknown[i], "", "not installed");
	for (size_t i = 0; rc == OMG_OK && i < run.nfindings; i++) {
		files_detail(&run.findings[i], detail, sizeof detail);
		rc = add_finding(r, files_kind(&run.findings[i]), run.findings[i].pkg, run.findings[i].path, detail);
	}
done:
	verify_run_free(&run);
	return rc;
}

static char *make_record(const struct omg_verify *h, const struct vresult *r)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return NULL;
	fprintf(f, "verify%s%s%s: %u finding%s (%u on installed files, %u on the archive chain) in %.1f s",
		h->flags & OMG_VERIFIED_ARCHIVE ? " archive" : "", h->flags & OMG_VERIFIED_FILES ? " files" : "",
		h->flags & OMG_VERIFIED_CUT ? " (stopped)" : "", r->nfind, r->nfind == 1 ? "" : "s", r->sum.modified,
		r->sum.untrusted, (double)h->took_ns / 1e9);
	for (uint32_t i = 0; i < h->nsrc; i++)
		fprintf(f, "\nsource %s: %s, %u lists (%u bad, %u unchecked)", h->src[i].desc, archive_sig_name(h->src[i].verdict),
			h->src[i].lists, h->src[i].lists_bad, h->src[i].lists_unchecked);
	for (uint32_t i = 0; i < r->nfind && i < 100; i++) {
		struct omg_rbuf rb;
		omg_rbuf_init(&rb, r->finds.data + r->off[i], r->finds.len - r->off[i]);
		uint8_t kind = omg_get_u8(&rb);
		const char *pkg = omg_get_str(&rb), *path = omg_get_str(&rb), *detail = omg_get_str(&rb);
		fprintf(f, "\n%s %s%s%s%s%s", omg_finding_name(kind), pkg, pkg[0] ? " " : "", path, detail[0] ? ": " : "", detail);
	}
	if (r->nfind > 100)
		fprintf(f, "\n... %u more", r->nfind - 100);
	fclose(f);
	return text;
}

static void run_job(struct verifier *v, struct job *j)
{
	struct vresult *r = calloc(1, sizeof *r);
	struct archive_report ar = { 0 };
	struct omg_verify h = { .checker = "" };
	uint64_t t0 = real_ns();
	int rc = OMG_OK;

	if (!r)
		return;
	h.started_ns = t0;
	if (j->nnames)
		h.flags |= OMG_VERIFIED_SOME;
	if ((!strcmp(v->backend, "dpkg") || !strcmp(v->backend, "alpm")) && !j->nnames && !(j->flags & OMG_VERIFY_NO_ARCHIVE))
		rc = run_archive(v, j, r, &h, &ar);
	if (rc != OMG_OK && rc != OMG_E_TIMEOUT)
		omgd_log("verification of the archive chain: %s", omg_errdetail());
	if (!(j->flags & OMG_VERIFY_NO_FILES) && run_files(v, j, r, &h) != OMG_OK)
		omgd_log("verification of the installed files: %s", omg_errdetail());
	h.took_ns = real_ns() - t0;
	h.total = r->nfind;
	omg_enc_verify_head(&r->head, &h);
	r->sum.at = (t0 + h.took_ns) / 1000000000u;
	r->sum.flags = h.flags;
	if (!r->head.failed)
		r->record = make_record(&h, r);
	free(h.src);
	archive_report_free(&ar);
	if (r->head.failed || r->finds.failed) {
		result_free(r);
		r = NULL;
	}
	j->res = r;
	j->ns = h.took_ns;
}

static void *worker(void *arg)
{
	struct verifier *v = arg;

	if (verify_lower_priority() != OMG_OK)
		omgd_log("verification: could not lower its priority: %s", omg_errdetail());
	/* the cache belongs to this thread (one thread per LMDB environment, store.h) */
	if (v->store_dir[0] && verify_cache_open(&v->cache, v->store_dir) != OMG_OK)
		omgd_log("verification: no cache (%s): every file is read each time", omg_errdetail());
	pthread_mutex_lock(&v->mu);
	for (;;) {
		struct job *j;
		uint64_t one = 1;
		while (!v->todo && !v->stop)
			pthread_cond_wait(&v->cv, &v->mu);
		if (v->stop)
			break;
		j = v->todo;
		v->todo = j->next;
		v->ntodo--;
		v->running = j;
		pthread_mutex_unlock(&v->mu);
		run_job(v, j);
		pthread_mutex_lock(&v->mu);
		v->running = NULL;
		j->next = v->done;
		v->done = j;
		if (write(v->efd, &one, sizeof one) < 0) {
			/* the counter cannot overflow at one a job */
		}
	}
	pthread_mutex_unlock(&v->mu);
	verify_cache_close(v->cache);
	archive_memo_free(&v->memo);
	pthread_mutex_lock(&v->mu);
	v->exited = 1;
	pthread_cond_broadcast(&v->cv);
	pthread_mutex_unlock(&v->mu);
	return NULL;
}

int verify_open(struct verifier **out, const struct verify_config *cfg)
{
	struct verifier *v = calloc(1, sizeof *v);

	if (!v)
		return OMG_ERROR(OMG_E_NOMEM, "verifier");
	snprintf(v->root, sizeof v->root, "%s", cfg->root && cfg->root[0] ? cfg->root : "/");
	snprintf(v->backend, sizeof v->backend, "%s", cfg->backend ? cfg->backend : "dpkg");
	snprintf(v->store_dir, sizeof v->store_dir, "%s", cfg->store_dir ? cfg->store_dir : "");
	if ((v->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) < 0) {
		free(v);
		return OMG_ERROR(OMG_E_SYS, "eventfd: %s", strerror(errno));
	}
	pthread_mutex_init(&v->mu, NULL);
	pthread_cond_init(&v->cv, NULL);
	if (pthread_create(&v->thread, NULL, worker, v) != 0) {
		close(v->efd);
		free(v);
		return OMG_ERROR(OMG_E_SYS, "verification thread");
	}
	*out = v;
	return OMG_OK;
}

int verify_close(struct verifier *v, int wait_ms)
{
	struct job *j, *next;
	struct timespec until;

	if (!v)
		return 0;
	until = real_deadline(wait_ms);
	pthread_mutex_lock(&v->mu);
	v->stop = 1;
	atomic_store(&v->cancel, 1);
	pthread_cond_broadcast(&v->cv);
	while (!v->exited)
		if (pthread_cond_timedwait(&v->cv, &v->mu, &until) != 0)
			break;
	if (!v->exited) {
		pthread_mutex_unlock(&v->mu);
		return -1;
	}
	pthread_mutex_unlock(&v->mu);
	pthread_join(v->thread, NULL);
	for (j = v->todo; j; j = next) {
		next = j->next;
		job_free(j);
	}
	for (j = v->done; j; j = next) {
		next = j->next;
		job_free(j);
	}
	if (v->recent != v->last)
		result_free(v->recent);
	result_free(v->last);
	close(v->efd);
	pthread_mutex_destroy(&v->mu);
	pthread_cond_destroy(&v->cv);
	free(v);
	return 0;
}

int verify_fd(const struct verifier *v)
{
	return v->efd;
}

/* The answer to request ID from result R (NULL: none yet), its findings from FIRST on. */
static void answer(struct omg_wbuf *out, uint32_t id, const struct vresult *r, uint32_t first)
{
	size_t start = out->len, head;
	uint32_t n = 0;

	if (!r) {
		struct omg_verify none = { .flags = OMG_VERIFIED_NONE, .checker = "" };
		omg_frame_begin(out, OMG_MSG_VERIFY | OMG_MSG_ANSWER, id);
		omg_enc_verify_head(out, &none);
		if (omg_frame_end(out, OMG_FRAME_MAX) != OMG_OK) {
			omg_wbuf_rewind(out, start);
			omg_frame_error(out, id, OMG_WERR_INTERNAL, "no memory for the answer");
		}
		return;
	}
	omg_frame_begin(out, OMG_MSG_VERIFY | OMG_MSG_ANSWER, id);
	head = out->len;
	omg_put_bytes(out, r->head.data, r->head.len);
	for (uint32_t i = first; i < r->nfind; i++) {
		size_t end = i + 1 < r->nfind ? r->off[i + 1] : r->finds.len;
		if (out->len - head + end - r->off[i] > VERIFY_ANSWER_MAX)
			break;
		omg_put_bytes(out, r->finds.data + r->off[i], end - r->off[i]);
		n++;
	}
	if (!out->failed) {
		omg_patch_u32(out, head + r->head.len - 8, first < r->nfind ? first : r->nfind);
		omg_patch_u32(out, head + r->head.len - 4, n);
	}
	if (omg_frame_end(out, OMG_FRAME_MAX) != OMG_OK) {
		omg_wbuf_rewind(out, start);
		omg_frame_error(out, id, OMG_WERR_INTERNAL, "no memory for the answer");
	}
}

static int same_job(const struct job *j, uint32_t flags, const struct omg_verify_req *q)
{
	uint32_t kind = OMG_VERIFY_FULL | OMG_VERIFY_NO_ARCHIVE | OMG_VERIFY_NO_FILES;

	if ((j->flags & kind) != (flags & kind) || j->nnames != q->count)
		return 0;
	for (uint32_t i = 0; i < q->count; i++)
		if (strcmp(j->names[i], q->names[i]))
			return 0;
	return 1;
}

static struct job *new_job(uint32_t flags, const struct omg_verify_req *q)
{
	struct job *j = calloc(1, sizeof *j);

	if (!j)
		return NULL;
	j->flags = flags;
	if (q && q->count) {
		if (!(j->names = calloc(q->count, sizeof *j->names))) {
			free(j);
			return NULL;
		}
		for (uint32_t i = 0; i < q->count; i++, j->nnames++)
			if (!(j->names[i] = strdup(q->names[i]))) {
				job_free(j);
				return NULL;
			}
	}
	return j;
}

static void enqueue(struct verifier *v, struct job *j)
{
	struct job **at = &v->todo;

	while (*at)
		at = &(*at)->next;
	*at = j;
	v->ntodo++;
	pthread_cond_signal(&v->cv);
}

int verify_request(struct verifier *v, uint64_t serial, uint32_t id, const uint8_t *payload, uint32_t length,
		   struct omg_wbuf *out)
{
	struct omg_verify_req q;
	struct waiter *w;
	struct job *j;
	int rc;

	if ((rc = omg_dec_verify_req(payload, length, &q)) != OMG_OK) {
		uint32_t code = rc == OMG_E_NOMEM ? OMG_WERR_INTERNAL : rc == OMG_E_TOOBIG ? OMG_WERR_INVALID : OMG_WERR_MALFORMED;
		omg_frame_error(out, id, code, "VERIFY: %s", omg_errdetail());
		return 0;
	}
	if (q.flags & OMG_VERIFY_LAST) {
		/* the first page is the last complete result; later pages are of the result being
		 * paged (the client checks that it is the same) */
		answer(out, id, q.first && v->recent ? v->recent : v->last, q.first);
		omg_verify_req_free(&q);
		return 0;
	}
	if (!(w = calloc(1, sizeof *w))) {
		omg_verify_req_free(&q);
		omg_frame_error(out, id, OMG_WERR_INTERNAL, "no memory");
		return 0;
	}
	w->serial = serial;
	w->id = id;
	w->first = q.first;
	pthread_mutex_lock(&v->mu);
	for (j = v->todo; j && !same_job(j, q.flags, &q); j = j->next)
		;
	if (!j && v->ntodo >= VERIFY_QUEUE_MAX) {
		pthread_mutex_unlock(&v->mu);
		free(w);
		omg_verify_req_free(&q);
		omg_frame_error(out, id, OMG_WERR_NOT_READY, "%d verifications are waiting already", VERIFY_QUEUE_MAX);
		return 0;
	}
	if (!j && (j = new_job(q.flags, &q)))
		enqueue(v, j);
	if (j) {
		j->background = 0;
		w->next = j->waiters;
		j->waiters = w;
	}
	pthread_mutex_unlock(&v->mu);
	omg_verify_req_free(&q);
	if (!j) {
		free(w);
		omg_frame_error(out, id, OMG_WERR_INTERNAL, "no memory");
		return 0;
	}
	return 1;
}

void verify_background(struct verifier *v, uint32_t flags)
{
	struct omg_verify_req none = { 0 };
	struct job *j;

	if (!v)
		return;
	pthread_mutex_lock(&v->mu);
	for (j = v->todo; j && (j->nnames || (j->flags & (OMG_VERIFY_NO_ARCHIVE | OMG_VERIFY_NO_FILES))); j = j->next)
		;
	if (j) {
		j->flags |= flags & OMG_VERIFY_FULL;
	} else if (v->ntodo < VERIFY_QUEUE_MAX && (j = new_job(flags & OMG_VERIFY_FULL, &none))) {
		j->background = 1;
		enqueue(v, j);
	}
	pthread_mutex_unlock(&v->mu);
}

int verify_collect(struct verifier *v, void (*deliver)(void *ctx, uint64_t serial, const uint8_t *frame, size_t len),
		   void *ctx, void (*record)(void *rctx, const char *text, uint32_t findings), void *rctx)
{
	struct job *done, *next;
	struct omg_wbuf out = { 0 };
	uint64_t n;
	int changed = 0;

	if (read(v->efd, &n, sizeof n) < 0 && errno != EAGAIN)
		omgd_log("verification: eventfd: %s", strerror(errno));
	pthread_mutex_lock(&v->mu);
	done = v->done;
	v->done = NULL;
	pthread_mutex_unlock(&v->mu);
	for (struct job *j = done; j; j = next) {
		next = j->next;
		v->runs++;
		v->total_ns += j->ns;
		for (struct waiter *w = j->waiters; w; w = w->next) {
			omg_wbuf_reset(&out);
			if (j->res)
				answer(&out, w->id, j->res, w->first);
			else
				omg_frame_error(&out, w->id, OMG_WERR_INTERNAL, "the verification failed (see omgd's log)");
			if (!out.failed)
				deliver(ctx, w->serial, out.data, out.len);
		}
		if (!j->res) {
			job_free(j);
			continue;
		}
		if (j->res->record)
			record(rctx, j->res->record, j->res->nfind);
		if (v->recent != v->last)
			result_free(v->recent);
		v->recent = j->res;
		if (!j->nnames && !(j->flags & (OMG_VERIFY_NO_ARCHIVE | OMG_VERIFY_NO_FILES)) &&
		    !(j->res->sum.flags & OMG_VERIFIED_CUT)) {
			if (v->last != v->recent)
				result_free(v->last);
			v->last = j->res;
			changed = 1;
		}
		j->res = NULL;
		job_free(j);
	}
	omg_wbuf_free(&out);
	return changed;
}

void verify_summary(const struct verifier *v, struct verify_summary *s)
{
	memset(s, 0, sizeof *s);
	if (v && v->last)
		*s = v->last->sum;
}

void verify_timing(const struct verifier *v, uint64_t *runs, uint64_t *total_ns, int *pending)
{
	*runs = v ? v->runs : 0;
	*total_ns = v ? v->total_ns : 0;
	*pending = 0;
	if (v) {
		pthread_mutex_lock((pthread_mutex_t *)&v->mu);
		*pending = v->ntodo + (v->running != NULL) + (v->done != NULL);
		pthread_mutex_unlock((pthread_mutex_t *)&v->mu);
	}
}
