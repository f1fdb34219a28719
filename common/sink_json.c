/* sink_json.c — --json output through jansson: one compact JSON document per command. */
#include "config.h"
#include "cmd.h"

#include <jansson.h>
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
	json_dumpf(doc, s->out, JSON_COMPACT | JSON_PRESERVE_ORDER);
	fputc('\n', s->out);
	json_decref(doc);
}

static void json_status(struct omg_sink *s, const struct omg_status_msg *m)
{
	emit(s, json_pack("{s:i,s:i,s:i,s:i,s:i,s:I,s:I,s:I,s:b,s:b,s:b,s:o,s:o}",
			  "installed", (json_int_t)m->total, "explicit", (json_int_t)m->explicit_pkgs,
			  "orphans", (json_int_t)m->orphans, "updates", (json_int_t)m->updates,
			  "security", (json_int_t)m->security, "generation", (json_int_t)m->generation,
			  "updated_at", (json_int_t)m->updated_at, "started_at", (json_int_t)m->started_at,
			  "ready", (int)!!(m->flags & OMG_STATUS_READY),
			  "refreshing", (int)!!(m->flags & OMG_STATUS_REFRESHING),
			  "degraded", (int)!!(m->flags & OMG_STATUS_DEGRADED),
			  "backend", jstr(m->backend), "root", jstr(m->root)));
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
	}
	emit(s, json_pack("{s:i,s:o}", "matched", (json_int_t)m->matched, "results", arr));
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

static void json_providers(struct omg_sink *s, const char *command, const struct omg_providers *m)
{
	json_t *arr = json_array();

	for (uint32_t i = 0; i < m->count; i++)
		json_array_append_new(arr, json_pack("{s:o,s:o,s:b}", "package", jstr(m->v[i].package),
						     "path", jstr(m->v[i].path), "installed", (int)!!m->v[i].installed));
	emit(s, json_pack("{s:o,s:o}", "command", jstr(command), "providers", arr));
}

const struct omg_sink_ops omg_sink_json = {
	.status = json_status, .rows = json_rows, .info = json_info,
	.words = json_words, .metrics = json_metrics, .pong = json_pong,
	.providers = json_providers,
};
