/* cmd_show.c — omg show [-a] PACKAGE... (apt show) and omg policy PACKAGE... (apt-cache
 * policy), both from omgd's VERSIONS answer. The record is rewritten here as apt show
 * rewrites it, so that every front end prints the same fields. */
#include "config.h"
#include "cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void omg_size_str(double bytes, char *out, size_t n)
{
	static const char ext[] = { 0, 'k', 'M', 'G', 'T', 'P', 'E', 'Z', 'Y' };
	double a = bytes < 0 ? -bytes : bytes;

	for (int i = 0; i < 9; i++, a /= 1000.0) {
		if (a < 100 && i != 0) {
			snprintf(out, n, "%.1f %cB", a, ext[i]);
			return;
		}
		if (a < 10000 || i == 8) {
			if (ext[i])
				snprintf(out, n, "%.0f %cB", a, ext[i]);
			else
				snprintf(out, n, "%.0f B", a);
			return;
		}
	}
}

/* apt's field order for a package record (apt-pkg's TFRewritePackageOrder); fields not in
 * it follow in the record's own order. */
static const char *const field_order[] = {
	"Package", "Package-Type", "Architecture", "Subarchitecture", "Version", "Kernel-Version",
	"Built-Using", "Static-Built-Using", "Built-For-Profiles", "Auto-Built-Package", "Multi-Arch",
	"Status", "Priority", "Build-Essential", "Protected", "Important", "Essential",
	"Installer-Menu-Item", "Section", "Source", "Origin", "Phased-Update-Percentage", "Maintainer",
	"Original-Maintainer", "Bugs", "Config-Version", "Conffiles", "Triggers-Awaited",
	"Triggers-Pending", "Installed-Size", "Provides", "Pre-Depends", "Depends", "Recommends",
	"Suggests", "Conflicts", "Breaks", "Replaces", "Enhances", "Filename", "MSDOS-Filename", "Size",
	"MD5sum", "SHA1", "SHA256", "SHA512", "Homepage", "Description", "Description-md5", "Tag", "Task",
};
/* What apt show leaves out (apt-cache show has it); Description comes last, on its own. */
static const char *const dropped[] = { "MD5sum", "SHA1", "SHA256", "SHA512", "Filename", "Multi-Arch",
				       "Architecture", "Conffiles", "Description", "Description-md5", "Size" };

#define SHOW_FIELDS_MAX 256

/* The value of field NAME in record REC (*LEN bytes, to the end of its last line), or NULL. */
static const char *field_in(const char *rec, const char *name, size_t *len)
{
	size_t nl = strlen(name);

	for (const char *line = rec; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		const char *end = line;
		if (strncasecmp(line, name, nl) != 0 || line[nl] != ':')
			continue;
		while ((end = strchr(end, '\n')) && (end[1] == ' ' || end[1] == '\t'))
			end++;
		line += nl + 1;
		line += *line == ' ';
		*len = end ? (size_t)(end - line) : strlen(line);
		return line;
	}
	return NULL;
}

/* apt keeps one description per package and MD5 (Description-md5), and the lists' copy
 * wins: where the lists have the short line only (the long text is in Translation files),
 * apt show prints the short line for the installed version too. A version from dpkg's
 * status file alone takes the Description of a version from a list that has the same short
 * line and a Description-md5 (the MD5 itself is not compared). */
static const char *list_description(const struct omg_shown *v, const char *desc, char **copy)
{
	const struct omg_version *ver = &v->pkg->v[v->ver];
	size_t first = strcspn(desc, "\n");

	*copy = NULL;
	if (!(ver->flags & OMG_VER_STATUS) || ver->nfiles > 1)
		return desc;
	for (uint32_t i = 0; i < v->pkg->count; i++) {
		const char *other = v->pkg->v[i].record, *d;
		size_t dl, ml;
		if (i == v->ver || !(d = field_in(other, "Description", &dl)) || !field_in(other, "Description-md5", &ml))
			continue;
		if (strcspn(d, "\n") == first && first <= dl && !strncmp(d, desc, first))
			return (*copy = strndup(d, dl)) ? *copy : desc;
	}
	return desc;
}

static int in_list(const char *name, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcasecmp(name, list[i]))
			return 1;
	return 0;
}

int omg_show_fields(struct omg_shown *v)
{
	const struct omg_version *ver = &v->pkg->v[v->ver];
	struct omg_kv rec[SHOW_FIELDS_MAX], *out;
	const char *size = NULL, *desc = NULL, *isize = NULL;
	uint32_t nrec = 0, n = 0;
	char used[SHOW_FIELDS_MAX] = { 0 };
	long long k;

	memset(&v->fields, 0, sizeof v->fields);
	if (!(v->buf = strdup(ver->record)) || !(out = calloc(SHOW_FIELDS_MAX + 8, sizeof *out)))
		return free(v->buf), v->buf = NULL, -1;
	for (char *line = v->buf, *next; line && *line && nrec < SHOW_FIELDS_MAX; line = next) {
		char *colon, *end = line;
		while ((end = strchr(end, '\n')) && (end[1] == ' ' || end[1] == '\t'))
			end++; /* a field runs until a newline not followed by a continuation */
		next = end ? end + 1 : NULL;
		if (end)
			*end = 0;
		if (!(colon = strchr(line, ':')) || colon == line)
			continue;
		*colon = 0;
		rec[nrec++] = (struct omg_kv){ line, colon[1] == ' ' ? colon + 2 : colon + 1, 0 };
	}
	for (uint32_t i = 0; i < nrec; i++) {
		if (!strcasecmp(rec[i].key, "Size"))
			size = rec[i].value;
		else if (!strcasecmp(rec[i].key, "Description"))
			desc = rec[i].value;
		else if (!strcasecmp(rec[i].key, "Installed-Size"))
			isize = rec[i].value;
		if (in_list(rec[i].key, dropped, sizeof dropped / sizeof dropped[0]))
			used[i] = 1;
	}
	omg_pkg_name(v->fullname, sizeof v->fullname, v->pkg->name, v->pkg->arch, v->pkg->flags);
	if (isize && (k = atoll(isize)) > 0)
		omg_size_str((double)k * 1024, v->installed_size, sizeof v->installed_size);
	else
		snprintf(v->installed_size, sizeof v->installed_size, "unknown");
	if (size && (k = atoll(size)) > 0)
		omg_size_str((double)k, v->download_size, sizeof v->download_size);
	else
		snprintf(v->download_size, sizeof v->download_size, "unknown");
	for (size_t o = 0; o < sizeof field_order / sizeof field_order[0]; o++) {
		/* apt's rewrite of a field in its order takes that place, there or not */
		if (!isize && !strcmp(field_order[o], "Installed-Size"))
			out[n++] = (struct omg_kv){ "Installed-Size", v->installed_size, 0 };
		for (uint32_t i = 0; i < nrec; i++)
			if (!used[i] && !strcasecmp(rec[i].key, field_order[o])) {
				used[i] = 1;
				out[n] = rec[i];
				out[n].key = field_order[o]; /* apt writes the names as it knows them */
				if (!strcasecmp(rec[i].key, "Package"))
					out[n].value = v->fullname;
				else if (!strcasecmp(rec[i].key, "Installed-Size"))
					out[n].value = v->installed_size;
				n++;
			}
	}
	for (uint32_t i = 0; i < nrec; i++)
		if (!used[i])
			out[n++] = rec[i];
	out[n++] = (struct omg_kv){ "Download-Size", v->download_size, 0 };
	if (v->ver == v->pkg->installed)
		out[n++] = (struct omg_kv){ "APT-Manual-Installed", (v->pkg->flags & OMG_PKG_AUTO) ? "no" : "yes", 0 };
	out[n++] = (struct omg_kv){ "APT-Sources", ver->nfiles ? ver->files[0].desc : "", 0 };
	if (desc) { /* apt prints it trimmed */
		char *end = (char *)desc + strlen(desc);
		while (end > desc && (end[-1] == ' ' || end[-1] == '\t'))
			*--end = 0;
		out[n++] = (struct omg_kv){ "Description", list_description(v, desc, &v->desc_copy), 0 };
	}
	v->fields.kv = out;
	v->fields.count = n;
	return 0;
}

void omg_shown_free(struct omg_shown *v)
{
	free(v->fields.kv);
	free(v->buf);
	free(v->desc_copy);
	v->desc_copy = NULL;
	v->fields.kv = NULL;
	v->buf = NULL;
}

struct asked {
	struct omg_versions m;
	void *payload; /* M's strings point into it */
};

/* VERSIONS for NAME into A: OMG_EXIT_OK, OMG_EXIT_NOTHING (unknown: said), or another exit
 * status (said; stop). */
static int ask(struct omg_ctx *ctx, const char *name, uint32_t flags, struct asked *a)
{
	struct omg_query q = { .text = name, .flags = flags };
	struct omg_answer ans;
	int rc;

	memset(a, 0, sizeof *a);
	if ((rc = omg_check_name(ctx, "package name", name, 0)) != OMG_EXIT_OK)
		return rc;
	omg_enc_query(omg_client_begin(ctx->client, OMG_MSG_VERSIONS), OMG_MSG_VERSIONS, &q);
	if ((rc = omg_cmd_call(ctx, &ans)) != OMG_EXIT_OK)
		return rc;
	if (!(a->payload = malloc(ans.length ? ans.length : 1)))
		return omg_cmd_fail(ctx, OMG_EXIT_ERROR, "out of memory");
	memcpy(a->payload, ans.payload, ans.length);
	if (omg_dec_versions(a->payload, ans.length, &a->m) != 0) {
		free(a->payload);
		a->payload = NULL;
		return omg_cmd_fail(ctx, OMG_EXIT_ERROR, "malformed VERSIONS answer");
	}
	return OMG_EXIT_OK;
}

static int run(struct omg_ctx *ctx, int policy)
{
	struct asked *got;
	struct omg_versions *pkgs = NULL;
	struct omg_shown *shown = NULL;
	uint32_t n = 0, nshown = 0, more = 0, cap = 0;
	int rc = OMG_EXIT_OK, unknown = 0;

	if (ctx->opts.nargs < 1)
		return omg_cmd_fail(ctx, OMG_EXIT_USAGE, "usage: omg %s", policy ? "policy PACKAGE..." : "show [-a] PACKAGE...");
	if (!(got = calloc((size_t)ctx->opts.nargs, sizeof *got)) ||
	    !(pkgs = calloc((size_t)ctx->opts.nargs, sizeof *pkgs))) {
		rc = omg_cmd_fail(ctx, OMG_EXIT_ERROR, "out of memory");
		goto done;
	}
	for (int i = 0; i < ctx->opts.nargs; i++) {
		int r = ask(ctx, ctx->opts.args[i], policy ? 0 : OMG_VERSIONS_RECORDS, &got[n]);
		if (r == OMG_EXIT_NOTHING) {
			unknown = 1;
			continue;
		}
		if (r != OMG_EXIT_OK) {
			rc = r;
			goto done;
		}
		pkgs[n] = got[n].m;
		n++;
	}
	if (policy) {
		if (n)
			ctx->sink.ops->policy(&ctx->sink, pkgs, n);
		goto done;
	}
	for (uint32_t i = 0; i < n; i++)
		cap += pkgs[i].count;
	if (!(shown = calloc((size_t)cap + n + 1, sizeof *shown))) {
		rc = omg_cmd_fail(ctx, OMG_EXIT_ERROR, "out of memory");
		goto done;
	}
	for (uint32_t i = 0; i < n; i++) {
		const struct omg_versions *m = &pkgs[i];
		for (uint32_t j = 0; j < m->count; j++) {
			if (!ctx->opts.all && j != m->candidate) {
				more++;
				continue;
			}
			shown[nshown] = (struct omg_shown){ .pkg = m, .ver = j };
			if (omg_show_fields(&shown[nshown]) != 0) {
				rc = omg_cmd_fail(ctx, OMG_EXIT_ERROR, "out of memory");
				goto done;
			}
			nshown++;
		}
	}
	/* Without -a, a package with no candidate is what apt show calls virtual (after the rest). */
	for (uint32_t i = 0; i < n && !ctx->opts.all; i++)
		if (pkgs[i].candidate == OMG_VERSION_NONE) {
			struct omg_shown *v = &shown[nshown++];
			*v = (struct omg_shown){ .pkg = &pkgs[i], .no_candidate = 1 };
			if (!(v->fields.kv = calloc(2, sizeof *v->fields.kv))) {
				rc = omg_cmd_fail(ctx, OMG_EXIT_ERROR, "out of memory");
				goto done;
			}
			omg_pkg_name(v->fullname, sizeof v->fullname, pkgs[i].name, pkgs[i].arch, pkgs[i].flags);
			v->fields.kv[0] = (struct omg_kv){ "Package", v->fullname, 0 };
			v->fields.kv[1] = (struct omg_kv){ "State", "not a real package (virtual)", 0 };
			v->fields.count = 2;
		}
	if (nshown)
		ctx->sink.ops->show(&ctx->sink, shown, nshown, more);
done:
	for (uint32_t i = 0; i < nshown; i++)
		omg_shown_free(&shown[i]);
	free(shown);
	for (uint32_t i = 0; got && i < n; i++) {
		omg_versions_free(&got[i].m);
		free(got[i].payload);
	}
	free(got);
	free(pkgs);
	return rc == OMG_EXIT_OK && unknown ? OMG_EXIT_NOTHING : rc;
}

int omg_cmd_show(struct omg_ctx *ctx)
{
	return run(ctx, 0);
}

int omg_cmd_policy(struct omg_ctx *ctx)
{
	return run(ctx, 1);
}
