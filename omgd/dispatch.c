/* dispatch.c — request type -> answer (answer/answer.h), in one frame; a BATCH over several
 * rounds of the event loop; the requests that have workers of their own (AUR, PLAN, VERIFY)
 * handed to them; the system daemon's peer rule. */
#include "config.h"
#include "answer/answer.h"
#include "aur.h"
#include "plan.h"
#include "verify.h"
#include "clock.h"
#include "omgd.h"
#include "omg_error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The index's flags and limits are the wire's, so that answers copy them as they are. */
_Static_assert(DB_PKG_INSTALLED == OMG_PKG_INSTALLED && DB_PKG_AUTO == OMG_PKG_AUTO &&
		       DB_PKG_UPGRADABLE == OMG_PKG_UPGRADABLE && DB_PKG_SECURITY == OMG_PKG_SECURITY &&
		       DB_PKG_ORPHAN == OMG_PKG_ORPHAN && DB_PKG_HELD == OMG_PKG_HELD &&
		       DB_PKG_ESSENTIAL == OMG_PKG_ESSENTIAL && DB_PKG_FOREIGN == OMG_PKG_FOREIGN &&
		       DB_PKG_CONFIG_FILES == OMG_PKG_CONFIG_FILES,
	       "db.h's DB_PKG_* are the wire's OMG_PKG_*");
_Static_assert(DB_SEARCH_DESCRIPTIONS == OMG_SEARCH_DESCRIPTIONS && DB_SEARCH_INSTALLED == OMG_SEARCH_INSTALLED,
	       "db.h's DB_SEARCH_* are the wire's OMG_SEARCH_*");
_Static_assert(DB_LIST_INSTALLED == OMG_LIST_INSTALLED && DB_LIST_EXPLICIT == OMG_LIST_EXPLICIT &&
		       DB_LIST_ORPHANS == OMG_LIST_ORPHANS && DB_LIST_UPGRADABLE == OMG_LIST_UPGRADABLE &&
		       DB_LIST_SECURITY == OMG_LIST_SECURITY && DB_LIST__COUNT == OMG_LIST__COUNT,
	       "db.h's lists are the wire's");
_Static_assert(DB_QUERY_MAX == OMG_QUERY_MAX && SEARCH_DEADLINE_MS == OMG_SEARCH_DEADLINE_MS,
	       "db.h's limits are the protocol's");

/* The system daemon's peer rule: NULL when the peer may make request TYPE (PAYLOAD), else
 * why not. Every uid may read what apt and dpkg let it read; what would write the audit
 * log, run a check on the peer's behalf, read the audit log (other users' actions and the
 * findings on files they may not read) or make omgd open a file the peer names (a .deb
 * path, opened as root) stays with root. A dry-run plan of packages is a read: any user
 * may run apt-get -s. Stopping or rebuilding is by signal, which the kernel keeps to root. */
static const char *dispatch_denied(const struct daemon *d, uint8_t type, const uint8_t *p, uint32_t n)
{
	struct omg_plan_req q;
	const char *why = NULL;

	if (!d->system || d->peer_uid == 0 || d->peer_uid == (uint32_t)getuid())
		return NULL;
	switch (type) {
	case OMG_MSG_ACTED:
		return "the system omgd keeps root's actions only in its audit log (start your own omgd to have "
		       "yours recorded)";
	case OMG_MSG_VERIFY:
		return "the system omgd verifies for root only (omg audit verify as root, or sudo)";
	case OMG_MSG_AUDIT:
		return "the system omgd's audit log is for root only (sudo omg audit log)";
	case OMG_MSG_PLAN:
		if (omg_dec_plan_req(p, n, &q) != OMG_OK)
			return NULL; /* the planner refuses it as malformed */
		for (uint32_t i = 0; i < q.count && !why; i++)
			if (q.names[i][0] == '/')
				why = "the system omgd plans a package file for root only: it would read it as root";
		omg_plan_req_free(&q);
		return why;
	default:
		return NULL;
	}
}

/* Writes the answer payload for one request; BATCH items come back here (no nesting). */
static void answer_one(struct daemon *d, uint8_t type, const uint8_t *p, uint32_t n, struct answer *a, int nested)
{
	const char *denied = dispatch_denied(d, type, p, n);

	if (denied)
		return answer_fail(a, OMG_WERR_DENIED, "%s", denied);
	switch (type) {
	case OMG_MSG_HELLO:
		if (nested)
			return answer_fail(a, OMG_WERR_INVALID, "HELLO cannot be batched");
		return answer_hello(d, p, n, a);
	case OMG_MSG_PING:
	case OMG_MSG_STATUS:
	case OMG_MSG_METRICS:
		if (n != 0)
			return answer_fail(a, OMG_WERR_MALFORMED, "this request has an empty payload");
		if (type == OMG_MSG_STATUS)
			answer_status(d, a);
		else if (type == OMG_MSG_METRICS)
			answer_metrics(d, a);
		return;
	case OMG_MSG_SEARCH:
	case OMG_MSG_SUGGEST:
		return answer_search(d, type, p, n, a);
	case OMG_MSG_INFO:
		return answer_info(d, p, n, a);
	case OMG_MSG_LIST:
		return answer_list(d, p, n, a);
	case OMG_MSG_PROVIDES:
		return answer_provides(d, p, n, a);
	case OMG_MSG_SIMILAR:
		return answer_similar(d, p, n, a);
	case OMG_MSG_FILES:
	case OMG_MSG_CHANGELOG:
		return answer_lines(d, type, p, n, a);
	case OMG_MSG_VERSIONS:
		return answer_versions(d, p, n, a);
	case OMG_MSG_DEPENDS:
		return answer_depends(d, p, n, a);
	case OMG_MSG_RDEPENDS:
		return answer_rdepends(d, p, n, a);
	case OMG_MSG_WHY:
		return answer_why(d, p, n, a);
	case OMG_MSG_SIZES:
		return answer_sizes(d, p, n, a);
	case OMG_MSG_AUDIT:
		return answer_audit(d, p, n, a);
	case OMG_MSG_HISTORY:
		return answer_history(d, p, n, a);
	case OMG_MSG_OWNS:
		return answer_owns(d, p, n, a);
	case OMG_MSG_BATCH:
		return answer_fail(a, OMG_WERR_INVALID, "batches cannot be nested");
	case OMG_MSG_AUR_SEARCH:
	case OMG_MSG_AUR_INFO:
		return answer_fail(a, OMG_WERR_INVALID, "AUR requests cannot be batched");
	case OMG_MSG_PLAN:
		return answer_fail(a, OMG_WERR_INVALID, "PLAN requests cannot be batched");
	case OMG_MSG_ACTED:
		if (nested)
			return answer_fail(a, OMG_WERR_INVALID, "ACTED cannot be batched");
		return answer_acted(d, p, n, a);
	default:
		return answer_fail(a, OMG_WERR_UNKNOWN_TYPE, "unknown request type");
	}
}

/* A BATCH is answered over several rounds of the event loop, a slice of items at a time, so
 * that one connection's hundred searches do not make every other client wait for all of them.
 * Its answer is built here and handed over whole: nothing of it is sent before it is done. */
struct dispatch_job {
	uint32_t id;
	uint32_t next;               /* the next item to answer */
	uint64_t generation;         /* the index the answer is from */
	uint64_t ns;                 /* daemon time spent on it */
	int restarted;               /* the index was replaced under it once already */
	struct omg_wbuf w;           /* the answer frame so far */
	struct omg_batch batch;      /* its items point into payload */
	uint8_t payload[];
};

#define DISPATCH_SLICE_NS 2000000 /* work for one connection in one round (at least one item) */

/* Starts the answer again: the index it began from was replaced (one batch, one index). */
static void job_restart(struct daemon *d, struct dispatch_job *job)
{
	omg_wbuf_reset(&job->w);
	omg_frame_begin(&job->w, OMG_MSG_BATCH | OMG_MSG_ANSWER, job->id);
	omg_enc_batch_head(&job->w, job->batch.count);
	job->next = 0;
	job->generation = d->generation;
}

/* Answers items for up to one slice. Returns 1 when the answer is complete (or refused) in
 * JOB->w, else 0. */
static int job_step(struct daemon *d, struct dispatch_job *job, struct answer *a)
{
	struct omg_wbuf item = { 0 };
	uint64_t t0 = mono_now_ns();
	int whole = 0;

	if (job->generation != d->generation) {
		/* Started again from the new index; if that happens a second time (dpkg at work
		 * rebuilds every few hundred ms), the rest is answered at once, so that the batch
		 * ends, still from one index. */
		whole = job->restarted++ > 0;
		job_restart(d, job);
	}
	do {
		const struct omg_batch_item *it = &job->batch.items[job->next++];
		struct answer sub = { .w = &item };

		omg_wbuf_reset(&item);
		answer_one(d, it->type, it->payload, it->length, &sub, 1);
		if (!sub.error && item.failed)
			answer_fail(&sub, OMG_WERR_TOO_LARGE, "answer too large");
		if (sub.error) { /* the item is an ERROR answer of its own, counted as every one is */
			omg_wbuf_reset(&item);
			omg_enc_error(&item, sub.error, sub.message);
			d->m.errors++;
		}
		omg_enc_batch_item(&job->w, sub.error ? OMG_MSG_ERROR : (uint8_t)(it->type | OMG_MSG_ANSWER),
				   item.data, (uint32_t)item.len);
		/* Past the frame limit the whole answer is refused: the remaining items would be
		 * work for nothing while every other client waits. */
		if (job->w.len > OMG_HEADER_SIZE + OMG_FRAME_MAX) {
			answer_fail(a, OMG_WERR_TOO_LARGE, "batch answer exceeds the frame limit: ask for fewer or smaller items");
			break;
		}
	} while (job->next < job->batch.count && (whole || mono_now_ns() - t0 < DISPATCH_SLICE_NS));
	omg_wbuf_free(&item);
	job->ns += mono_now_ns() - t0;
	return a->error || job->next == job->batch.count;
}

void dispatch_job_free(struct dispatch_job *job)
{
	if (!job)
		return;
	omg_wbuf_free(&job->w);
	free(job);
}

size_t dispatch_job_bytes(const struct dispatch_job *job)
{
	return job ? job->w.cap : 0;
}

/* Replaces whatever OUT holds from START on with an ERROR frame for request ID. */
static void answer_error(struct daemon *d, struct omg_wbuf *out, size_t start, uint32_t id, const struct answer *a)
{
	omg_wbuf_rewind(out, start);
	d->m.errors++;
	omg_frame_error(out, id, a->error, "%s", a->message);
}

/* Ends JOB's answer into OUT (empty) and frees JOB. */
static void job_finish(struct daemon *d, struct dispatch_job *job, struct answer *a, struct omg_wbuf *out)
{
	if (!a->error && omg_frame_end(&job->w, OMG_FRAME_MAX) != OMG_OK)
		answer_fail(a, OMG_WERR_TOO_LARGE, "batch answer exceeds the frame limit: ask for fewer or smaller items");
	if (a->error) {
		answer_error(d, out, out->len, job->id, a);
	} else {
		omg_wbuf_free(out);
		*out = job->w;
		job->w = (struct omg_wbuf){ 0 };
		d->m.handled[OMG_MSG_BATCH]++;
		d->m.handled_ns[OMG_MSG_BATCH] += job->ns;
	}
	dispatch_job_free(job);
}

int dispatch_continue(struct daemon *d, struct dispatch_job *job, struct omg_wbuf *out)
{
	struct answer a = { .w = &job->w };

	if (!job_step(d, job, &a))
		return 2;
	job_finish(d, job, &a, out);
	return 0;
}

static int start_batch(struct daemon *d, uint32_t id, const uint8_t *p, uint32_t n, struct omg_wbuf *out,
		       struct dispatch_job **jobp)
{
	struct dispatch_job *job = malloc(sizeof *job + n);
	struct answer a = { .w = out };

	if (!job) {
		answer_fail(&a, OMG_WERR_INTERNAL, "out of memory");
		answer_error(d, out, out->len, id, &a);
		return 0;
	}
	memcpy(job->payload, p, n);
	if (omg_dec_batch(job->payload, n, &job->batch) != OMG_OK) {
		free(job);
		answer_fail(&a, OMG_WERR_MALFORMED, "%s", omg_errdetail());
		answer_error(d, out, out->len, id, &a);
		return 0;
	}
	job->id = id;
	job->ns = 0;
	job->restarted = 0;
	job->w = (struct omg_wbuf){ 0 };
	job_restart(d, job);
	if (dispatch_continue(d, job, out) == 0)
		return 0; /* a small batch: answered at once */
	*jobp = job;
	return 2;
}

int dispatch_request(struct daemon *d, uint8_t type, uint32_t id, const uint8_t *payload,
		     uint32_t length, struct omg_wbuf *out, uint64_t origin, struct dispatch_job **job)
{
	size_t start = out->len;
	struct answer a = { .w = out };
	uint64_t t0 = mono_now_ns();
	const char *denied;

	d->m.requests++;
	if ((type == OMG_MSG_PLAN || type == OMG_MSG_VERIFY) && (denied = dispatch_denied(d, type, payload, length))) {
		answer_fail(&a, OMG_WERR_DENIED, "%s", denied);
		answer_error(d, out, start, id, &a);
		return 0;
	}
	if (type == OMG_MSG_AUR_SEARCH || type == OMG_MSG_AUR_INFO) {
		d->m.handled[type]++;
#ifdef OMG_WITH_AUR
		const char *why = "omgd runs with --no-aur";
		if (d->aur)
			return aur_request(d->aur, origin, type, id, payload, length, out);
#else
		const char *why = OMG_AUR_BUILT_OUT;
#endif
		aur_answer_unavailable(out, type, id, strcmp(d->backend->name, "alpm") ? OMG_AUR_NOT_ARCH : why);
		return 0;
	}
	if (type == OMG_MSG_PLAN) {
		d->m.handled[type]++;
		if (!d->planner) {
			answer_fail(&a, OMG_WERR_INTERNAL, "omgd could not start its planner (see its log)");
			answer_error(d, out, start, id, &a);
			return 0;
		}
		return plan_request(d->planner, d->db, d->backend, d->generation, origin, id, payload, length, out);
	}
	if (type == OMG_MSG_VERIFY) {
		d->m.handled[type]++;
		if (!d->verifier) {
			answer_fail(&a, OMG_WERR_INTERNAL, "omgd could not start its verification worker (see its log)");
			answer_error(d, out, start, id, &a);
			return 0;
		}
		return verify_request(d->verifier, origin, id, payload, length, out);
	}
	if (type == OMG_MSG_BATCH)
		return start_batch(d, id, payload, length, out, job);
	omg_frame_begin(out, (uint8_t)(type | OMG_MSG_ANSWER), id);
	answer_one(d, type, payload, length, &a, 0);
	if (!a.error && omg_frame_end(out, OMG_FRAME_MAX) == OMG_OK) {
		if (type < 32) {
			d->m.handled[type]++;
			d->m.handled_ns[type] += mono_now_ns() - t0;
		}
		return 0;
	}
	if (!a.error)
		answer_fail(&a, OMG_WERR_TOO_LARGE, type == OMG_MSG_INFO
			? "the package's record is larger than the %u MiB frame limit"
			: "answer exceeds the %u MiB frame limit: lower the limit", OMG_FRAME_MAX >> 20);
	answer_error(d, out, start, id, &a);
	return 0;
}
