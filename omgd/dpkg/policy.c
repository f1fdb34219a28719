/* policy.c — apt's priorities, as apt 2.6's pkgPolicy computes them (apt_preferences(5)):
 *  - each package file's: 100 for dpkg's status file and for ButAutomaticUpgrades, 1 for
 *    NotAutomatic, else 500; then the first general pin ("Package: *") that matches the
 *    file, APT::Default-Release's (990) before the preferences files' ("never" overrides
 *    any);
 *  - each version's: the first specific pin that matches it (unless every file of it is
 *    "never"), else the highest of its files' (dpkg's status file counts -1 for a version
 *    that is not the installed one), 0 with no file.
 * The candidate is then picked from these (candidate.c). Each priority keeps the text of
 * the pin that set it, for omg info.
 */
#include "config.h"
#include "dpkg.h"
#include "omg_error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *str_or_null(const struct db *db, uint32_t s)
{
	return s ? db_s(db, s) : NULL;
}

static void file_of(const struct db *db, uint32_t si, struct aptpin_file *f)
{
	const struct db_src *s = &db->srcs[si];

	memset(f, 0, sizeof *f);
	f->status = !s->desc; /* dpkg's status file: the one source no list description names */
	f->version = str_or_null(db, s->version);
	f->origin = str_or_null(db, s->origin);
	f->archive = str_or_null(db, s->suite);
	f->codename = str_or_null(db, s->codename);
	f->label = str_or_null(db, s->label);
	f->component = str_or_null(db, s->component);
	f->arch = str_or_null(db, s->arch);
	f->site = db_s(db, s->site);
}

/* Appends to BUF (N bytes, *AT used) without ever passing its end: snprintf returns the
 * length it wanted, not what it wrote. */
static void put(char *buf, size_t n, size_t *at, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void put(char *buf, size_t n, size_t *at, const char *fmt, ...)
{
	va_list ap;
	int w;

	if (*at >= n - 1)
		return;
	va_start(ap, fmt);
	w = vsnprintf(buf + *at, n - *at, fmt, ap);
	va_end(ap);
	if (w > 0)
		*at = *at + (size_t)w < n - 1 ? *at + (size_t)w : n - 1;
}

/* "Pin: release a=x" and friends, as a user wrote it (for omg info), cut at 511 bytes. */
static uint32_t format_pin(struct db *db, const struct aptpin *pin, int general)
{
	static const char *const keys[REL__COUNT] = { "v", "o", "a", "n", "l", "c", "b", NULL };
	char buf[512];
	size_t n = 0;

	buf[0] = 0;
	if (general)
		put(buf, sizeof buf, &n, "Package: * ");
	else
		put(buf, sizeof buf, &n, "Package: %s%s%s%s ", pin->src ? "src:" : "", pin->name, pin->arch[0] ? ":" : "",
		    pin->arch);
	if (pin->type == APTPIN_VERSION)
		put(buf, sizeof buf, &n, "Pin: version %s%s", pin->data, pin->prefix ? "*" : "");
	else if (pin->type == APTPIN_ORIGIN)
		put(buf, sizeof buf, &n, "Pin: origin \"%s\"", pin->data);
	else if (pin->match_all)
		put(buf, sizeof buf, &n, "Pin: release *");
	else {
		const char *sep = " ";
		put(buf, sizeof buf, &n, "Pin: release");
		for (int k = 0; k < REL__COUNT; k++)
			if (pin->rel[k]) {
				put(buf, sizeof buf, &n, "%s%s%s%s%s", sep, keys[k] ? keys[k] : "", keys[k] ? "=" : "",
				    pin->rel[k], k == REL_V && pin->prefix ? "*" : "");
				sep = ", ";
			}
	}
	return db_str(db, buf, n);
}

/* Pin I's text, made once for all the files and versions it sets (TEXT[I], 0: not yet). */
static uint32_t pin_text(struct db *db, const struct aptprefs *prefs, uint32_t *text, size_t i)
{
	if (!text[i])
		text[i] = format_pin(db, &prefs->v[i], !prefs->v[i].name);
	return text[i];
}

/* The package files' priorities (apt's InitDefaults). */
static int file_priorities(struct build *b, uint32_t *text)
{
	struct db *db = b->db;

	for (uint32_t si = 0; si < db->nsrcs; si++) {
		struct db_src *s = &db->srcs[si];
		struct aptpin_file f;
		int fixed = 0;
		file_of(db, si, &f);
		for (size_t i = 0; i < b->prefs.n; i++) {
			const struct aptpin *pin = &b->prefs.v[i];
			if (pin->name || (fixed && pin->prio != APTPIN_NEVER) || s->prio == APTPIN_NEVER ||
			    !aptpin_file_matches(pin, &f))
				continue;
			s->prio = pin->prio;
			if ((s->pin = pin_text(db, &b->prefs, text, i)) == DB_NONE)
				return OMG_ERROR(OMG_E_NOMEM, "preferences");
			fixed = 1;
		}
	}
	return OMG_OK;
}

/* Whether a specific pin matches version V (apt's VersionMatches): its version string, or
 * one of its package files (FILES[si]: whether the pin matches source SI, made once a pin). */
static int version_matches(const struct db *db, const struct aptpin *pin, const uint8_t *files, uint32_t v)
{
	uint32_t first, count, status;

	if (pin->type == APTPIN_VERSION)
		return aptpin_version_matches(pin, db_s(db, db->vers[v].version));
	db_vfiles_of(db, v, &first, &count);
	for (uint32_t i = first; i < first + count; i++)
		if (files[db->vfiles[i].src])
			return 1;
	return (db->vers[v].flags & DBV_STATUS) && (status = db_status_src(db)) != DB_NONE && files[status];
}

/* apt's PackageArchitectureMatchesSpecification for a pin's ":arch" ("" is the native one). */
static int arch_matches(const struct db *db, const struct aptpin *pin, uint32_t p)
{
	const char *want = pin->arch[0] ? pin->arch : db_s(db, db->native_arch);

	return !strcmp(want, "any") || !strcmp(want, db_s(db, db->pkgs[p].arch));
}

static const char *source_of(const struct build *b, uint32_t v)
{
	uint32_t s = v < b->nver_source ? b->ver_source[v] : 0;

	return db_s(b->db, s ? s : b->db->pkgs[b->db->vers[v].pkg].name);
}

/* Whether specific pin PIN names the package (or source) of version V. */
static int names_version(const struct build *b, const struct aptpin *pin, uint32_t v)
{
	const struct db *db = b->db;
	uint32_t p = db->vers[v].pkg;
	const char *name = pin->src ? source_of(b, v) : db_s(db, db->pkgs[p].name);

	return arch_matches(db, pin, p) && aptpin_names(pin, name);
}

/* The versions' priorities; SPEC[v]: index + 1 of the specific pin that matched V, or 0. */
static int version_priorities(struct build *b, uint32_t *text)
{
	struct db *db = b->db;
	uint32_t *spec = NULL, status = DB_NONE;
	int rc = OMG_OK;

	uint8_t *files = NULL;

	if (b->prefs.specific && (!(spec = calloc((size_t)db->nvers + 1, sizeof *spec)) ||
				  !(files = calloc((size_t)db->nsrcs + 1, 1)))) {
		free(spec);
		return OMG_ERROR(OMG_E_NOMEM, "preferences");
	}
	for (size_t i = 0; spec && i < b->prefs.n; i++) {
		const struct aptpin *pin = &b->prefs.v[i];
		if (!pin->name)
			continue;
		for (uint32_t si = 0; si < db->nsrcs; si++) {
			struct aptpin_file f;
			file_of(db, si, &f);
			files[si] = (uint8_t)aptpin_file_matches(pin, &f);
		}
		if (!pin->pattern && !pin->src) { /* a package's name: only its instances' versions */
			for (uint32_t p = db_pkg_first(db, pin->name, strlen(pin->name)); p != DB_NONE; p = db->pkgs[p].next_arch)
				for (uint32_t v = db->pkgs[p].vers; v != DB_NONE; v = db->vers[v].next)
					if (!spec[v] && names_version(b, pin, v) && version_matches(db, pin, files, v))
						spec[v] = (uint32_t)i + 1; /* the first specific pin wins */
			continue;
		}
		for (uint32_t v = 0; v < db->nvers; v++)
			if (!spec[v] && names_version(b, pin, v) && version_matches(db, pin, files, v))
				spec[v] = (uint32_t)i + 1;
	}
	free(files);
	status = db_status_src(db);
	for (uint32_t v = 0; v < db->nvers; v++) {
		struct db_ver *ver = &db->vers[v];
		uint32_t first, count;
		int max = INT32_MIN, any_not_never = 0;
		db_vfiles_of(db, v, &first, &count);
		for (uint32_t i = first; i < first + count; i++) {
			int p = db->srcs[db->vfiles[i].src].prio;
			any_not_never |= p != APTPIN_NEVER;
			max = p > max ? p : max;
		}
		if ((ver->flags & DBV_STATUS) && status != DB_NONE) {
			int p = db->pkgs[ver->pkg].inst == v ? db->srcs[status].prio : -1;
			any_not_never |= db->srcs[status].prio != APTPIN_NEVER;
			max = p > max ? p : max;
		}
		ver->pin = 0;
		if (spec && spec[v]) {
			const struct aptpin *pin = &b->prefs.v[spec[v] - 1];
			if (pin->prio == APTPIN_NEVER || any_not_never) {
				ver->prio = pin->prio;
				if ((ver->pin = pin_text(db, &b->prefs, text, spec[v] - 1)) == DB_NONE) {
					rc = OMG_ERROR(OMG_E_NOMEM, "preferences");
					break;
				}
				continue;
			}
		}
		ver->prio = (int16_t)(max == INT32_MIN ? 0 : max);
	}
	free(spec);
	return rc;
}

int deb_policy(struct build *b)
{
	uint32_t *text = calloc(b->prefs.n + 1, sizeof *text);
	int rc;

	if (!text)
		return OMG_ERROR(OMG_E_NOMEM, "preferences");
	db_vfiles_sort(b->db);
	if ((rc = file_priorities(b, text)) == OMG_OK)
		rc = version_priorities(b, text);
	free(text);
	return rc;
}
