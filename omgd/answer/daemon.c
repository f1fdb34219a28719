/* daemon.c — HELLO, STATUS and METRICS (answer.h): what omgd says of itself. */
#include "config.h"
#include "answer.h"
#include "aur.h"
#include "hostmetrics.h"
#include "omg_error.h"
#include "plan.h"
#include "server.h"
#include "snapshot.h"
#include "verify.h"

#include <stdio.h>
#include <string.h>

void answer_hello(struct daemon *d, const uint8_t *p, uint32_t n, struct answer *a)
{
	struct omg_hello h;

	if (omg_dec_hello(p, n, &h, 0) != OMG_OK)
		return answer_fail(a, OMG_WERR_MALFORMED, "%s", omg_errdetail());
	if (h.min_version > OMG_PROTO_VERSION || h.max_version < OMG_PROTO_VERSION)
		return answer_fail(a, OMG_WERR_VERSION, "omgd speaks protocol version %d only", OMG_PROTO_VERSION);
	h.min_version = h.max_version = OMG_PROTO_VERSION;
	h.name = "omgd " PACKAGE_VERSION;
	h.backend = d->backend->name;
	h.max_frame = OMG_FRAME_MAX;
	omg_enc_hello(a->w, &h, 1);
}

void answer_status(struct daemon *d, struct answer *a)
{
	struct omg_status_msg m = { 0 };
	char store[512] = "";

	if (d->store_problem)
		d->store_problem(d->store_ctx, store, sizeof store);
	m.store = store;
	if (store[0])
		m.flags |= OMG_STATUS_NO_STORE;
	if (d->db) {
		m.total = d->db->counts.total;
		m.explicit_pkgs = d->db->counts.explicit_pkgs;
		m.orphans = d->db->counts.orphans;
		m.updates = d->db->counts.updates;
		m.security = d->db->security;
		m.updated_at = d->db->built_at;
		m.flags |= OMG_STATUS_READY;
	}
	m.generation = d->generation;
	m.started_at = d->started_at;
	/* refreshing: a build is asked for or under way, unless it was given up on (BUILD_DEADLINE_MS) */
	if (d->building && d->building(d->builder_ctx) && !d->build_overdue)
		m.flags |= OMG_STATUS_REFRESHING;
	m.flags |= d->degraded ? OMG_STATUS_DEGRADED : 0;
	m.flags |= d->reboot_required ? OMG_STATUS_REBOOT : 0;
	m.backend = d->backend->name;
	m.root = d->root;
	{
		struct verify_summary vs;
		verify_summary(d->verifier, &vs);
		m.verified_at = vs.at;
		m.modified = vs.modified;
		m.untrusted = vs.untrusted;
	}
	omg_enc_status(a->w, &m);
}

void answer_metrics(struct daemon *d, struct answer *a)
{
	static const struct server_stats none;
	const struct metrics *m = &d->m;
	const struct server_stats *net = d->net ? d->net : &none;
	size_t count_at = omg_enc_metrics_head(a->w);
	uint32_t count = 0;

#define M(k, v) (omg_enc_metric(a->w, (k), (uint64_t)(v)), count++)
	M("requests", m->requests);
	M("errors", m->errors + net->rejected); /* refused frames are the server's to count */
	M("connections_open", net->open);
	M("connections_total", net->connections_total);
	M("connections_refused", net->connections_refused);
	M("connections_dropped", net->connections_dropped);
	M("bytes_in", net->bytes_in);
	M("bytes_out", net->bytes_out);
	M("rebuilds", m->rebuilds);
	M("rebuild_failures", m->rebuild_failures);
	M("watch_events", m->watch_events);
	M("generation", d->generation);
	{
		uint64_t made, ns, cached, ahead;
		plan_timing(d->planner, &made, &ns, &cached, &ahead);
		M("plans_made", made);         /* by apt-get -s, for a client */
		M("plans_cached", cached);     /* answered from memory (the same index) */
		M("plans_ahead", ahead);       /* upgrade plans made before anyone asked */
		M("plans_pending", plan_pending(d->planner)); /* queued or being made */
		{
			uint64_t runs, vns;
			int vpending;
			struct verify_summary vs;
			verify_timing(d->verifier, &runs, &vns, &vpending);
			verify_summary(d->verifier, &vs);
			M("verify_runs", runs);
			M("verify_pending", vpending);
			if (runs)
				M("verify_ns_avg", vns / runs);
			M("verify_modified", vs.modified);
			M("verify_untrusted", vs.untrusted);
		}
		if (made)
			M("plan_ns_avg", ns / made);
	}
	for (uint8_t t = OMG_MSG_HELLO; t <= OMG_MSG_CHANGELOG; t++) {
		char name[48];
		snprintf(name, sizeof name, "%s_ns_avg", omg_msg_name(t));
		for (char *c = name; *c; c++)
			*c = (char)(*c >= 'A' && *c <= 'Z' ? *c + 32 : *c);
		uint64_t n = m->handled[t], ns = m->handled_ns[t];
		/* AUR answers come later, from the worker: the AUR module times them */
#ifdef OMG_WITH_AUR
		if (t == OMG_MSG_AUR_SEARCH || t == OMG_MSG_AUR_INFO)
			aur_timing(d->aur, t, &n, &ns);
#endif
		if (n)
			M(name, ns / n);
	}
	if (d->db) {
		M("index_packages", d->db->npkgs);
		M("index_versions", d->db->nvers);
		M("index_bytes", snapshot_size(d->db)); /* every array of the index, as it is stored */
		M("index_build_us", d->db->build_ms * 1000);
		M("malformed_paragraphs", d->db->malformed);
		M("index_commands", d->db->ncmds);
		M("damaged_lists", d->db->damaged_lists);
		M("ignored_lists", d->db->ignored_lists);
	}
#undef M
	/* then the host's package metrics under their Prometheus names (hostmetrics.h) */
	count += hostmetrics_put(d, a->w);
	omg_enc_count(a->w, count_at, count);
}
