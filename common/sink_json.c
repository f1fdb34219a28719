/* sink_json.c — --json output through jansson: one compact JSON document per command. */
#include "config.h"
#include "cmd.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* jansson refuses invalid UTF-8: keep the bytes that are ASCII, mark the rest. */
static json_t *jstr(const char *s)
{
	json_t *j = json_string(s);
	char *copy;

	if (j)
		return j;
	copy = strdup(s);
	if (!copy)
		return json_string("");
	for (char *p = copy; *p; p++)
		if ((unsigned char)*p >= 0x80)
			*p = '?';
	j = json_string(copy);
	free(copy);
	return j;
}

static void emit(struct omg_sink *s, json_t *doc)
{
	/* ENSURE_ASCII: C1 controls (U+0080..U+009F) leave as \u0080..\u009f, never raw for a
	 * terminal to act on; jansson escapes C0 controls always. */
	/* REAL_PRECISION: 1.7285 ms, not 1.7285710000000001 */
	json_dumpf(doc, s->out, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII | JSON_REAL_PRECISION(6));
	fputc('\n', s->out);
	json_decref(doc);
}

static void json_status(struct omg_sink *s, const struct omg_status_msg *m)
{
	json_t *doc = json_pack("{s:i,s:i,s:i,s:i,s:i,s:I,s:I,s:I,s:b,s:b,s:b,s:o,s:o,s:s,s:o}",
			  "installed", (json_int_t)m->total, "explicit", (json_int_t)m->explicit_pkgs,
			  "orphans", (json_int_t)m->orphans, "updates", (json_int_t)m->updates,
			  "security", (json_int_t)m->security, "generation", (json_int_t)m->generation,
			  "updated_at", (json_int_t)m->updated_at, "started_at", (json_int_t)m->started_at,
			  "ready", (int)!!(m->flags & OMG_STATUS_READY),
			  "refreshing", (int)!!(m->flags & OMG_STATUS_REFRESHING),
			  "degraded", (int)!!(m->flags & OMG_STATUS_DEGRADED),
			  "backend", jstr(m->backend), "root", jstr(m->root),
			  "store", m->store[0] ? "unavailable" : "ok",
			  "store_problem", m->store[0] ? jstr(m->store) : json_null());

	/* the last verification (omg audit verify): null until one finished */
	json_object_set_new(doc, "verified_at", m->verified_at ? json_integer((json_int_t)m->verified_at) : json_null());
	json_object_set_new(doc, "modified", json_integer(m->modified));
	json_object_set_new(doc, "untrusted", json_integer(m->untrusted));
	/* ROOT/run/reboot-required, and the packages its .pkgs file names */
	json_object_set_new(doc, "reboot_required", json_boolean(m->flags & OMG_STATUS_REBOOT));
	{
		json_t *pkgs = json_array();
		char *names = strdup(m->reboot_pkgs ? m->reboot_pkgs : "");
		for (char *save = NULL, *n = names ? strtok_r(names, " ", &save) : NULL; n; n = strtok_r(NULL, " ", &save))
			json_array_append_new(pkgs, jstr(n));
		free(names);
		json_object_set_new(doc, "reboot_packages", pkgs);
	}
	emit(s, doc);
}

static void json_rows(struct omg_sink *s, const struct omg_rows *m)
{
	json_t *arr = json_array();

	for (uint32_t i = 0; i < m->count; i++) {
		const struct omg_pkg_row *r = &m->rows[i];
		json_array_append_new(arr, json_pack("{s:o,s:o,s:o,s:o,s:o,s:b,s:b,s:b,s:b,s:b}",
			"name", jstr(r->name), "arch", jstr(r->arch), "installed", jstr(r->installed),
			"candidate", jstr(r->candidate), "description", jstr(r->description),
			"is_installed", (int)!!(r->flags & OMG_PKG_INSTALLED),
			"automatic", (int)!!(r->flags & OMG_PKG_AUTO),
			"upgradable", (int)!!(r->flags & OMG_PKG_UPGRADABLE),
			"security", (int)!!(r->flags & OMG_PKG_SECURITY),
			"orphan", (int)!!(r->flags & OMG_PKG_ORPHAN)));
		if (r->flags & OMG_PKG_AUR)
			json_object_set_new(json_array_get(arr, json_array_size(arr) - 1), "aur", json_true());
	}
	if (s->hold) { /* omg search: the AUR's part completes this document */
		s->held = json_pack("{s:i,s:o}", "matched", (json_int_t)m->matched, "results", arr);
		return;
	}
	emit(s, json_pack("{s:i,s:o}", "matched", (json_int_t)m->matched, "results", arr));
}

static void json_aur(struct omg_sink *s, const struct omg_aur_msg *m)
{
	static const char *const status[] = { "ok", "unavailable", "missing" };
	json_t *doc = s->held, *aur;

	s->held = NULL;
	s->hold = 0;
	if (!doc)
		return;
	if (m->status == OMG_AUR_UNAVAILABLE && m->problem && !strcmp(m->problem, OMG_AUR_NOT_ARCH)) {
		emit(s, doc); /* no AUR at all here (Debian): no block to say so */
		return;
	}
	aur = json_pack("{s:s,s:o,s:b}", "status", status[m->status <= 2 ? m->status : 2],
			"problem", m->problem && m->problem[0] ? jstr(m->problem) : json_null(), "cached", m->cached != 0);
	if (m->status == OMG_AUR_OK) {
		json_t *arr = json_array();
		for (uint32_t i = 0; i < m->rows.count; i++)
			json_array_append_new(arr, json_pack("{s:o,s:o,s:o}", "name", jstr(m->rows.rows[i].name),
							     "version", jstr(m->rows.rows[i].candidate),
							     "description", jstr(m->rows.rows[i].description)));
		json_object_set_new(aur, "results", arr);
	}
	json_object_set_new(doc, "aur", aur);
	emit(s, doc);
}

static void json_daemon(struct omg_sink *s, const char *event, int pid, const struct omg_status_msg *m)
{
	json_t *doc = json_pack("{s:s,s:b}", "event", event, "running", strcmp(event, "not running") && strcmp(event, "stopped"));

	if (pid > 0)
		json_object_set_new(doc, "pid", json_integer(pid));
	if (m) {
		json_object_set_new(doc, "started_at", json_integer((json_int_t)m->started_at));
		json_object_set_new(doc, "generation", json_integer((json_int_t)m->generation));
		json_object_set_new(doc, "backend", jstr(m->backend));
		json_object_set_new(doc, "root", jstr(m->root));
	}
	emit(s, doc);
}

static void json_error(struct omg_sink *s, int code, const char *message)
{
	if (s->held) { /* a search's rows wait for the AUR part: the error ends that document */
		json_decref(s->held);
		s->held = NULL;
	}
	emit(s, json_pack("{s:o,s:i}", "error", jstr(message), "exit", (json_int_t)code));
}

static void json_info(struct omg_sink *s, const struct omg_pairs *m)
{
	json_t *obj = json_object();

	for (uint32_t i = 0; i < m->count; i++)
		json_object_set_new(obj, m->kv[i].key, jstr(m->kv[i].value));
	emit(s, obj);
}

static void json_words(struct omg_sink *s, const struct omg_words *m)
{
	json_t *arr = json_array();

	for (uint32_t i = 0; i < m->count; i++)
		json_array_append_new(arr, jstr(m->words[i]));
	emit(s, arr);
}

static void json_metrics(struct omg_sink *s, const struct omg_pairs *m)
{
	json_t *obj = json_object();

	for (uint32_t i = 0; i < m->count; i++)
		json_object_set_new(obj, m->kv[i].key, json_integer((json_int_t)m->kv[i].number));
	emit(s, obj);
}

static void json_pong(struct omg_sink *s, const struct omg_hello *m, double ms)
{
	emit(s, json_pack("{s:o,s:i,s:o,s:f}", "server", jstr(m->name), "protocol",
			  (json_int_t)m->max_version, "backend", jstr(m->backend), "ms", ms));
}

static json_t *provider_array(const struct omg_providers *m, int with_command)
{
	json_t *arr = json_array();

	for (uint32_t i = 0; i < m->count; i++) {
		const char *slash = strrchr(m->v[i].path, '/');
		json_t *o = json_pack("{s:o,s:o,s:b}", "package", jstr(m->v[i].package), "path", jstr(m->v[i].path),
				      "installed", (int)!!m->v[i].installed);
		if (with_command)
			json_object_set_new(o, "command", jstr(slash ? slash + 1 : m->v[i].path));
		json_array_append_new(arr, o);
	}
	return arr;
}

static void json_providers(struct omg_sink *s, const char *command, const struct omg_providers *m,
			   const struct omg_providers *similar)
{
	emit(s, json_pack("{s:o,s:o,s:o}", "command", jstr(command), "providers", provider_array(m, 0),
			  "similar", provider_array(similar, 1)));
}

static json_t *hex(const uint8_t *p, size_t n)
{
	char buf[2 * OMG_AUDIT_HASH_SIZE + 1];

	for (size_t i = 0; i < n && i < OMG_AUDIT_HASH_SIZE; i++)
		snprintf(buf + 2 * i, 3, "%02x", p[i]);
	buf[2 * (n < OMG_AUDIT_HASH_SIZE ? n : OMG_AUDIT_HASH_SIZE)] = 0;
	return json_string(buf);
}

static void change_json(const struct omg_change *c, void *ctx)
{
	json_array_append_new(ctx, json_pack("{s:s,s:o,s:o,s:o,s:o}", "action", c->action, "package", jstr(c->name),
					     "arch", jstr(c->arch), "from", c->from[0] ? jstr(c->from) : json_null(),
					     "to", c->to[0] ? jstr(c->to) : json_null()));
}

static json_t *record_json(const struct omg_audit_rec *r, int with_text)
{
	json_t *o = json_pack("{s:I,s:I,s:I,s:i,s:s,s:i}", "seq", (json_int_t)r->seq,
			      "time", (json_int_t)(r->time_ns / 1000000000u), "time_ns", (json_int_t)r->time_ns,
			      "uid", (json_int_t)r->uid, "kind", omg_audit_kind_name(r->kind),
			      "result", (json_int_t)r->result);

	if (r->uid == OMG_UID_NONE) /* seen by omgd: no actor */
		json_object_set_new(o, "uid", json_null());
	if (with_text) {
		json_object_set_new(o, "what", jstr(r->what));
		json_object_set_new(o, "hash", hex(r->hash, OMG_AUDIT_HASH_SIZE));
	}
	if (r->kind == 2) { /* a change: its packages, parsed */
		json_t *arr = json_array();
		omg_change_each(r->what, change_json, arr);
		json_object_set_new(o, "changes", arr);
	}
	return o;
}

static void json_audit(struct omg_sink *s, const struct omg_audit_msg *m)
{
	json_t *arr = json_array(), *doc;

	for (uint32_t i = 0; i < m->count; i++)
		json_array_append_new(arr, record_json(&m->recs[i], 1));
	doc = json_pack("{s:o,s:o}", "records", arr, "store", m->store[0] ? jstr(m->store) : json_null());
	if (m->verdict != OMG_AUDIT_NOT_VERIFIED)
		json_object_set_new(doc, "verify", json_pack("{s:b,s:I,s:o,s:o,s:I,s:o}",
			"ok", m->verdict == OMG_AUDIT_INTACT, "records", (json_int_t)m->checked,
			"bad_record", m->verdict == OMG_AUDIT_BROKEN ? json_integer((json_int_t)m->bad_seq) : json_null(),
			"reason", m->verdict == OMG_AUDIT_BROKEN ? jstr(m->why) : json_null(),
			"head_seq", (json_int_t)m->head_seq, "head", hex(m->head, OMG_AUDIT_HASH_SIZE)));
	emit(s, doc);
}

static void json_history(struct omg_sink *s, const struct omg_history *m)
{
	static const char *const sources[] = { "?", "apt", "dpkg", "pacman", "omgd" };
	json_t *arr = json_array();

	for (uint32_t i = 0; i < m->count; i++) {
		const struct omg_hist_entry *e = &m->v[i];
		json_t *changes = json_array(), *audit = json_array(), *o;
		for (uint32_t k = 0; k < e->count; k++) {
			const struct omg_hist_change *c = &e->changes[k];
			json_array_append_new(changes, json_pack("{s:s,s:o,s:o,s:o,s:o,s:b}", "action", omg_op_name(c->op),
				"package", jstr(c->name), "arch", c->arch[0] ? jstr(c->arch) : json_null(),
				"from", c->from[0] ? jstr(c->from) : json_null(), "to", c->to[0] ? jstr(c->to) : json_null(),
				"automatic", (c->flags & OMG_HIST_AUTO) != 0));
		}
		for (uint32_t k = 0; k < e->naudit; k++)
			json_array_append_new(audit, json_integer((json_int_t)e->audit[k]));
		o = json_pack("{s:s,s:I,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "source", sources[e->source <= 4 ? e->source : 0],
			"start", (json_int_t)e->start, "end", e->end ? json_integer((json_int_t)e->end) : json_null(),
			"commandline", e->commandline[0] ? jstr(e->commandline) : json_null(),
			"requested_by", e->requested_by[0] ? jstr(e->requested_by) : json_null(),
			"uid", e->uid != OMG_UID_NONE ? json_integer(e->uid) : json_null(),
			"error", e->error[0] ? jstr(e->error) : json_null(), "changes", changes, "audit_records", audit);
		json_object_set_new(o, "omg", e->action_seq ? json_pack("{s:I,s:o,s:o,s:i}", "audit_record",
			(json_int_t)e->action_seq, "command", jstr(e->action_command),
			"uid", e->action_uid != OMG_UID_NONE ? json_integer(e->action_uid) : json_null(),
			"result", e->action_result) : json_null());
		json_array_append_new(arr, o);
	}
	emit(s, arr);
}

static void json_owns(struct omg_sink *s, const char *const *paths, const struct omg_providers *m, int n)
{
	static const char *const kinds[] = { "file", "diverted-from", "diverted-to" };
	json_t *arr = json_array();

	for (int i = 0; i < n; i++) {
		json_t *rows = json_array();
		for (uint32_t k = 0; k < m[i].count; k++) {
			const struct omg_provider *r = &m[i].v[k];
			json_array_append_new(rows, json_pack("{s:o,s:o,s:s}", "package", r->package[0] ? jstr(r->package)
				: json_null(), "path", jstr(r->path), "kind", kinds[r->installed <= 2 ? r->installed : 0]));
		}
		json_array_append_new(arr, json_pack("{s:o,s:o}", "query", jstr(paths[i]), "owners", rows));
	}
	emit(s, arr);
}

static json_t *json_pkg_head(const struct omg_versions *m)
{
	return json_pack("{s:o,s:o,s:o,s:o}", "package", jstr(m->name), "architecture", jstr(m->arch),
			 "installed", m->installed != OMG_VERSION_NONE ? jstr(m->v[m->installed].version) : json_null(),
			 "candidate", m->candidate != OMG_VERSION_NONE ? jstr(m->v[m->candidate].version) : json_null());
}

static json_t *json_providers_of(const struct omg_versions *m)
{
	json_t *arr = json_array();

	for (uint32_t i = 0; i < m->nproviders; i++)
		json_array_append_new(arr, json_pack("{s:o,s:o,s:o,s:b}", "package", jstr(m->providers[i].name), "architecture",
						     jstr(m->providers[i].arch), "version", jstr(m->providers[i].version),
						     "installed", (int)m->providers[i].installed));
	return arr;
}

static void json_relations(struct omg_sink *s, enum omg_rel_mode mode, const struct omg_rels *m)
{
	static const char *const kinds[] = OMG_REL_KINDS;
	json_t *arr = json_array();

	for (uint32_t i = 0; i < m->count; i++) {
		const struct omg_rel *r = &m->v[i];
		json_t *alts = json_array(), *e;
		for (uint32_t j = 0; j < r->nalts; j++)
			json_array_append_new(alts, jstr(r->alts[j]));
		e = json_pack("{s:s,s:o}", "kind", kinds[r->kind], "package", jstr(r->package));
		if (mode == OMG_REL_MODE_WHY) {
			json_object_set_new(e, "manual", json_boolean(!(r->flags & OMG_REL_AUTO)));
			json_object_set_new(e, "target", jstr(r->target));
		} else {
			json_object_set_new(e, "or", json_boolean(r->flags & OMG_REL_OR));
			if (mode == OMG_REL_MODE_DEPENDS)
				json_object_set_new(e, "virtual", json_boolean(r->flags & OMG_REL_VIRTUAL));
		}
		json_object_set_new(e, "op", r->op[0] ? jstr(r->op) : json_null());
		json_object_set_new(e, "version", r->op[0] ? jstr(r->version) : json_null());
		if (mode != OMG_REL_MODE_WHY)
			json_object_set_new(e, "providers", alts);
		else
			json_decref(alts);
		json_array_append_new(arr, e);
	}
	if (mode == OMG_REL_MODE_WHY)
		emit(s, json_pack("{s:o,s:o,s:b,s:b,s:o}", "package", jstr(m->name), "version", jstr(m->version), "manual",
				  (int)!(m->flags & OMG_PKG_AUTO), "auto_removable", (int)!!(m->flags & OMG_PKG_ORPHAN), "chain", arr));
	else
		emit(s, json_pack("{s:o,s:o,s:o}", "package", jstr(m->name), "version", m->version[0] ? jstr(m->version) : json_null(),
				  mode == OMG_REL_MODE_DEPENDS ? "depends" : "reverse_depends", arr));
}

static void json_sizes(struct omg_sink *s, const struct omg_sizes *m)
{
	json_t *arr = json_array();

	for (uint32_t i = 0; i < m->count; i++)
		json_array_append_new(arr, json_pack("{s:o,s:o,s:I}", "package", jstr(m->rows[i].name), "version",
						     jstr(m->rows[i].version), "installed_size_kib", (json_int_t)m->rows[i].kib));
	emit(s, json_pack("{s:I,s:i,s:o}", "total_kib", (json_int_t)m->total_kib, "installed", (int)m->matched, "packages", arr));
}

static void json_virtual(struct omg_sink *s, const struct omg_versions *m)
{
	emit(s, json_pack("{s:o,s:b,s:o}", "package", jstr(m->name), "virtual", 1, "providers", json_providers_of(m)));
}

static void json_policy(struct omg_sink *s, const struct omg_versions *pkgs, uint32_t n)
{
	json_t *arr = json_array();

	for (uint32_t i = 0; i < n; i++) {
		const struct omg_versions *m = &pkgs[i];
		json_t *pkg = json_pkg_head(m), *vers = json_array();
		for (uint32_t j = 0; j < m->count; j++) {
			const struct omg_version *v = &m->v[j];
			json_t *files = json_array();
			for (uint32_t f = 0; f < v->nfiles; f++)
				json_array_append_new(files, json_pack("{s:i,s:o}", "priority", (int)v->files[f].prio,
								       "source", jstr(v->files[f].desc)));
			json_array_append_new(vers, json_pack("{s:o,s:i,s:b,s:b,s:b,s:o}", "version", jstr(v->version),
							      "priority", (int)v->prio, "installed", (int)(j == m->installed),
							      "candidate", (int)(j == m->candidate),
							      "security", (int)!!(v->flags & OMG_VER_SECURITY), "sources", files));
		}
		json_object_set_new(pkg, "versions", vers);
		json_object_set_new(pkg, "providers", json_providers_of(m));
		json_array_append_new(arr, pkg);
	}
	emit(s, json_pack("{s:o}", "packages", arr));
}

static void json_show(struct omg_sink *s, const struct omg_shown *v, uint32_t n, uint32_t more)
{
	json_t *arr = json_array();

	for (uint32_t i = 0; i < n; i++) {
		json_t *fields = json_object();
		for (uint32_t k = 0; k < v[i].fields.count; k++)
			json_object_set_new(fields, v[i].fields.kv[k].key, jstr(v[i].fields.kv[k].value));
		json_array_append_new(arr, json_pack("{s:o,s:o,s:o}", "package", jstr(v[i].pkg->name), "version",
						     v[i].no_candidate ? json_null() : jstr(v[i].pkg->v[v[i].ver].version),
						     "fields", fields));
	}
	emit(s, json_pack("{s:o,s:i}", "records", arr, "more", (int)more));
}

static json_t *strs_json(const char *const *v, uint32_t n)
{
	json_t *arr = json_array();

	for (uint32_t i = 0; i < n; i++)
		json_array_append_new(arr, jstr(v[i]));
	return arr;
}

static void json_plan(struct omg_sink *s, const struct omg_plan *m, const struct omg_act_result *r)
{
	static const char *const status[] = { "ok", "problem", "unavailable" };
	json_t *entries = json_array(), *unknown = json_array(), *result = json_null(), *errors;

	for (uint32_t i = 0; i < m->count; i++) {
		const struct omg_plan_entry *e = &m->v[i];
		json_array_append_new(entries, json_pack("{s:s,s:o,s:o,s:o,s:o,s:o,s:I,s:I,s:b,s:b,s:b,s:b,s:b,s:b}",
			"action", omg_op_name(e->op), "package", jstr(e->name), "architecture", jstr(e->arch),
			"from", e->from[0] ? jstr(e->from) : json_null(), "to", e->to[0] ? jstr(e->to) : json_null(),
			"release", jstr(e->release), "download_bytes", (json_int_t)e->download,
			"disk_kib", (json_int_t)e->disk_kib, "requested", !!(e->flags & OMG_PLAN_REQUESTED),
			"automatic", !!(e->flags & OMG_PLAN_AUTO), "essential", !!(e->flags & OMG_PLAN_ESSENTIAL),
			"held", !!(e->flags & OMG_PLAN_HELD), "security", !!(e->flags & OMG_PLAN_SECURITY),
			"foreign", !!(e->flags & OMG_PLAN_FOREIGN)));
	}
	for (uint32_t i = 0; i < m->nunknown; i++)
		json_array_append_new(unknown, json_pack("{s:o,s:o}", "package", jstr(m->unknown[i].name), "suggestions",
							 strs_json(m->unknown[i].suggestions, m->unknown[i].count)));
	if (r) {
		errors = json_array();
		for (uint32_t i = 0; i < r->nerrors && i < OMG_ACT_ERRORS_MAX; i++)
			json_array_append_new(errors, jstr(r->errors[i]));
		json_decref(result);
		result = json_pack("{s:b,s:o,s:o,s:b,s:f,s:i,s:i,s:i,s:o}", "ok", r->exited && r->status == 0 && !r->interrupted,
				   "exit_status", r->exited ? json_integer(r->status) : json_null(),
				   "signal", r->exited ? json_null() : json_integer(r->status), "interrupted", r->interrupted,
				   "seconds", r->seconds, "installed", (int)r->installed, "configured", (int)r->configured,
				   "removed", (int)r->removed, "errors", errors);
	}
	emit(s, json_pack("{s:s,s:s,s:o,s:o,s:s,s:I,s:I,s:f,s:o,s:o,s:o,s:o,s:o,s:o}", "action", omg_action_name(m->action),
			  "status", m->status < 3 ? status[m->status] : "?", "problem", jstr(m->problem), "root", jstr(m->root),
			  "tool", m->tool, "download_bytes", (json_int_t)m->download, "disk_kib", (json_int_t)m->disk_kib,
			  "planned_ms", (double)m->planned_ns / 1e6, "packages", entries, "unknown", unknown,
			  "kept_back", strs_json(m->kept, m->nkept), "autoremovable", strs_json(m->autoremovable, m->nautoremovable),
			  "notes", strs_json(m->notes, m->nnotes), "result", result));
}

/* One document for every page: kept in S->held until the last. */
static void json_verify(struct omg_sink *s, const struct omg_verify *m, int first_page, int last_page)
{
	json_t *doc = s->held, *finds;

	if (first_page || !doc) {
		json_t *srcs = json_array();
		if (doc)
			json_decref(doc);
		for (uint32_t i = 0; i < m->nsrc; i++) {
			const struct omg_verify_source *v = &m->src[i];
			static const char *const dates[] = { "ok", "expired", "not yet valid", "unchecked" };
			json_array_append_new(srcs, json_pack("{s:o,s:o,s:i,s:o,s:o,s:o,s:s,s:I,s:I,s:i,s:i,s:i}", "source", jstr(v->desc),
							      "release", jstr(v->release), "verdict", (int)v->verdict, "checker",
							      jstr(v->checker), "signer", jstr(v->signer), "detail", jstr(v->detail),
							      "dates", v->dates < 4 ? dates[v->dates] : "?", "date", (json_int_t)v->date,
							      "valid_until", (json_int_t)v->valid_until, "lists", (int)v->lists,
							      "lists_bad", (int)v->lists_bad, "lists_unchecked", (int)v->lists_unchecked));
		}
		doc = json_pack("{s:I,s:I,s:b,s:b,s:b,s:b,s:o,s:o,s:{s:i,s:i,s:i},s:{s:i,s:i,s:i,s:i,s:i},s:I,s:i,s:[]}",
				"started_ns", (json_int_t)m->started_ns, "took_ns", (json_int_t)m->took_ns, "archive",
				!!(m->flags & OMG_VERIFIED_ARCHIVE), "files", !!(m->flags & OMG_VERIFIED_FILES), "some",
				!!(m->flags & OMG_VERIFIED_SOME), "stopped", !!(m->flags & OMG_VERIFIED_CUT), "checker",
				jstr(m->checker), "sources", srcs, "debs", "checked", (int)m->debs, "bad", (int)m->debs_bad,
				"unknown", (int)m->debs_unknown, "installed", "packages", (int)m->packages, "files", (int)m->files,
				"hashed", (int)m->hashed, "cached", (int)m->cached, "without_checksums", (int)m->unsummed, "bytes",
				(json_int_t)m->bytes, "total", (int)m->total, "findings");
		s->held = doc;
	}
	finds = json_object_get(doc, "findings");
	for (uint32_t i = 0; finds && i < m->count; i++)
		json_array_append_new(finds, json_pack("{s:s,s:o,s:o,s:o}", "kind", omg_finding_name(m->find[i].kind), "package",
						       jstr(m->find[i].package), "path", jstr(m->find[i].path), "detail",
						       jstr(m->find[i].detail)));
	if (last_page) {
		s->held = NULL;
		emit(s, doc);
	}
}

/* omg doctor: {"checks":[{"check","status","what","fix"}...],"ok","warn","fail","exit"} */
static void json_doctor(struct omg_sink *s, const struct omg_check *c, size_t n, int code)
{
	static const char *const word[] = { "ok", "warn", "fail" };
	json_t *arr = json_array();
	json_int_t k[3] = { 0 };

	for (size_t i = 0; i < n; i++) {
		json_array_append_new(arr, json_pack("{s:s,s:s,s:o,s:o}", "check", c[i].name, "status", word[c[i].level],
						     "what", jstr(c[i].what), "fix", c[i].fix[0] ? jstr(c[i].fix) : json_null()));
		k[c[i].level]++;
	}
	emit(s, json_pack("{s:o,s:I,s:I,s:I,s:i}", "checks", arr, "ok", k[0], "warn", k[1], "fail", k[2], "exit", code));
}

const struct omg_sink_ops omg_sink_json = {
	.status = json_status, .rows = json_rows, .info = json_info,
	.words = json_words, .metrics = json_metrics, .pong = json_pong,
	.providers = json_providers, .audit = json_audit, .history = json_history, .owns = json_owns,
	.daemon = json_daemon, .error = json_error, .textlines = json_words,
	.aur = json_aur, .policy = json_policy, .show = json_show, .virtual_pkg = json_virtual, .relations = json_relations, .sizes = json_sizes,
	.plan = json_plan, .verify = json_verify, .doctor = json_doctor,
};
