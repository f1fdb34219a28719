/* json.c — the AUR's RPC v5 answers (JSON, through jansson) into omg answer payloads, checked
 * field by field: see aur_parse in aur.h. */
#include "config.h"
#include "internal.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

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

uint8_t aur_problem(struct omg_wbuf *payload, const char *why)
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
		return aur_problem(payload, why);
	}
	t = jstr(doc, "type");
	if (t && !strcmp(t, "error")) {
		char why[300];
		e = jstr(doc, "error");
		snprintf(why, sizeof why, "the AUR says: %.200s", clean(e) ? e : "error");
		json_decref(doc);
		return aur_problem(payload, why);
	}
	results = json_object_get(doc, "results");
	if (!t || (strcmp(t, "search") && strcmp(t, "multiinfo")) || !json_is_array(results)) {
		json_decref(doc);
		return aur_problem(payload, "malformed answer from the AUR (no results)");
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
