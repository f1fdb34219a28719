/* sink_text.c — human output: aligned columns, apt-style markers, colour only on a tty
 * without NO_COLOR. */
#include "config.h"
#include "cmd.h"
#include "text.h"

#include <pwd.h>
#include <string.h>
#include <time.h>

#define C_BOLD "\033[1m"
#define C_GREEN "\033[32m"
#define C_YELLOW "\033[33m"
#define C_RED "\033[31m"
#define C_OFF "\033[0m"

static const char *paint(const struct omg_sink *s, const char *code)
{
	return s->color ? code : "";
}

static void text_status(struct omg_sink *s, const struct omg_status_msg *m)
{
	char when[64] = "never";
	time_t t = (time_t)m->updated_at;
	struct tm tm;

	if (m->updated_at && gmtime_r(&t, &tm))
		strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", &tm);
	fprintf(s->out, "installed   %u\nexplicit    %u\norphans     %u\n", m->total, m->explicit_pkgs,
		m->orphans);
	fprintf(s->out, "updates     %s%u%s", paint(s, m->updates ? C_YELLOW : ""), m->updates,
		paint(s, m->updates ? C_OFF : ""));
	if (m->security)
		fprintf(s->out, " (%s%u security%s)", paint(s, C_RED), m->security, paint(s, C_OFF));
	fprintf(s->out, "\nbackend     %s, root %s\nindex       generation %llu, updated %s%s\n",
		m->backend, m->root, (unsigned long long)m->generation, when,
		(m->flags & OMG_STATUS_REFRESHING) ? ", refreshing" :
		(m->flags & OMG_STATUS_DEGRADED) ? ", last refresh FAILED (see omgd's log)" : "");
	if (m->store[0])
		fprintf(s->out, "store       %sunavailable%s, serving from memory: %s\n", paint(s, C_YELLOW),
			paint(s, C_OFF), m->store);
	if (m->verified_at) {
		t = (time_t)m->verified_at;
		if (gmtime_r(&t, &tm))
			strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", &tm);
		if (m->modified || m->untrusted)
			fprintf(s->out, "verified    %s%u file%s changed or missing, %u archive problem%s%s as of %s (omg audit verify --last)\n",
				paint(s, C_RED), m->modified, m->modified == 1 ? "" : "s", m->untrusted, m->untrusted == 1 ? "" : "s",
				paint(s, C_OFF), when);
		else
			fprintf(s->out, "verified    %sall ok%s as of %s\n", paint(s, C_GREEN), paint(s, C_OFF), when);
	}
	if (m->flags & OMG_STATUS_REBOOT)
		fprintf(s->out, "reboot      %srequired%s%s%s%s\n", paint(s, C_RED), paint(s, C_OFF),
			m->reboot_pkgs ? " (by " : "", m->reboot_pkgs ? m->reboot_pkgs : "", m->reboot_pkgs ? ")" : "");
}

static void row_name(const struct omg_pkg_row *r, char *buf, size_t n)
{
	char raw[512];

	omg_pkg_name(raw, sizeof raw, r->name, r->arch, r->flags);
	omg_text_visible(raw, buf, n);
}

static void row_marker(const struct omg_pkg_row *r, char *buf, size_t n)
{
	char inst[256];

	buf[0] = 0;
	if (r->flags & OMG_PKG_AUR)
		snprintf(buf, n, "[aur]");
	else if (r->flags & OMG_PKG_UPGRADABLE)
		snprintf(buf, n, "[upgradable from: %s%s]", omg_text_visible(r->installed, inst, sizeof inst),
			 (r->flags & OMG_PKG_SECURITY) ? ", security" : "");
	else if (r->flags & OMG_PKG_INSTALLED)
		snprintf(buf, n, "[installed%s]", (r->flags & OMG_PKG_AUTO) ? ",automatic" : "");
}

static void text_rows(struct omg_sink *s, const struct omg_rows *m)
{
	char name[512], marker[512], vbuf[256], desc[1024];
	int wn = 0, wv = 0, wm = 0, wd = 0, own_line;

	for (uint32_t i = 0; i < m->count; i++) {
		const struct omg_pkg_row *r = &m->rows[i];
		const char *v = omg_text_visible(r->candidate[0] ? r->candidate : r->installed, vbuf, sizeof vbuf);
		row_name(r, name, sizeof name);
		row_marker(r, marker, sizeof marker);
		wn = omg_text_cols(name) > wn ? omg_text_cols(name) : wn;
		wv = omg_text_cols(v) > wv ? omg_text_cols(v) : wv;
		wm = omg_text_cols(marker) > wm ? omg_text_cols(marker) : wm;
		wd = omg_text_cols(omg_text_visible(r->description, desc, sizeof desc)) > wd ? omg_text_cols(desc) : wd;
	}
	/* as apt search on a narrow terminal: the description on a line of its own */
	own_line = s->width && wn + 2 + wv + 2 + wm + 2 + wd > s->width;
	for (uint32_t i = 0; i < m->count; i++) {
		const struct omg_pkg_row *r = &m->rows[i];
		const char *v = omg_text_visible(r->candidate[0] ? r->candidate : r->installed, vbuf, sizeof vbuf);
		const char *mc = (r->flags & OMG_PKG_SECURITY) ? C_RED
				 : (r->flags & OMG_PKG_UPGRADABLE) ? C_YELLOW : C_GREEN;
		row_name(r, name, sizeof name);
		row_marker(r, marker, sizeof marker);
		if (own_line) {
			/* aligned when that fits, else without the padding, else the marker below */
			int pn = wn - omg_text_cols(name), pv = wv - omg_text_cols(v);
			int w = omg_text_cols(name) + 2 + omg_text_cols(v) + 2 + omg_text_cols(marker);
			if (w + pn + pv > s->width)
				pn = pv = 0;
			fprintf(s->out, "%s%s%s%*s  %s", paint(s, C_BOLD), name, paint(s, C_OFF), pn, "", v);
			if (marker[0])
				fprintf(s->out, "%s%*s%s%s%s\n", w > s->width ? "\n" : "", w > s->width ? 2 : pv + 2, "",
					paint(s, mc), marker, paint(s, C_OFF));
			else
				fputc('\n', s->out);
			if (r->description[0]) {
				fputs("  ", s->out);
				omg_text_put_cut(s->out, omg_text_visible(r->description, desc, sizeof desc), s->width - 2);
				fputc('\n', s->out);
			}
			continue;
		}
		fprintf(s->out, "%s%s%s%*s  %s%*s  %s%s%s%*s  ", paint(s, C_BOLD), name, paint(s, C_OFF), wn - omg_text_cols(name), "",
			v, wv - omg_text_cols(v), "", paint(s, mc), marker, paint(s, C_OFF), wm - omg_text_cols(marker), "");
		omg_text_put_visible(s->out, r->description, 0);
		fputc('\n', s->out);
	}
	/* about the output, not of it: on standard error, so that a pipe gets rows only */
	if (m->matched > m->count && m->count >= OMG_LIMIT_MAX)
		fprintf(s->err, "(%u more not shown: omgd answers at most %d rows; narrow the query)\n",
			m->matched - m->count, OMG_LIMIT_MAX);
	else if (m->matched > m->count)
		fprintf(s->err, "(%u more; -n N shows N, -n 0 all)\n", m->matched - m->count);
}

static void text_info(struct omg_sink *s, const struct omg_pairs *m)
{
	for (uint32_t i = 0; i < m->count; i++) {
		fputs(paint(s, C_BOLD), s->out);
		omg_text_put_visible(s->out, m->kv[i].key, 0);
		fprintf(s->out, ":%s%s", paint(s, C_OFF), m->kv[i].value[0] ? " " : ""); /* an empty field: "Name:" */
		omg_text_put_visible(s->out, m->kv[i].value, 1);
		fputc('\n', s->out);
	}
}

static void text_words(struct omg_sink *s, const struct omg_words *m)
{
	for (uint32_t i = 0; i < m->count; i++) {
		omg_text_put_visible(s->out, m->words[i], 0);
		fputc('\n', s->out);
	}
}

static void text_lines(struct omg_sink *s, const struct omg_words *m)
{
	for (uint32_t i = 0; i < m->count; i++) {
		omg_text_put_visible(s->out, m->words[i], 1); /* a line has no newline: tabs are kept */
		fputc('\n', s->out);
	}
}

static void text_metrics(struct omg_sink *s, const struct omg_pairs *m)
{
	for (uint32_t i = 0; i < m->count; i++)
		fprintf(s->out, "%-24s %llu\n", m->kv[i].key, (unsigned long long)m->kv[i].number);
}

static void text_daemon(struct omg_sink *s, const char *event, int pid, const struct omg_status_msg *m)
{
	if (!strcmp(event, "running") && m)
		fprintf(s->out, "omgd is running (pid %d, up %llu s, index generation %llu, backend %s, root %s)\n",
			pid, (unsigned long long)(time(NULL) - (time_t)m->started_at),
			(unsigned long long)m->generation, m->backend, m->root);
	else if (!strcmp(event, "not running"))
		fputs("omgd is not running\n", s->out);
	else if (!strcmp(event, "already running"))
		fprintf(s->out, "omgd is already running (pid %d)\n", pid);
	else
		fprintf(s->out, "omgd %s (pid %d)\n", event, pid);
}

static void text_error(struct omg_sink *s, int code, const char *message)
{
	(void)s, (void)code, (void)message; /* on standard error already */
}

static void text_pong(struct omg_sink *s, const struct omg_hello *m, double ms)
{
	fprintf(s->out, "%s answers (protocol %u, backend %s): %.3f ms\n", m->name, m->max_version,
		m->backend, ms);
}

/* On standard output, one "package path [installed]" line each (not-found's own message,
 * for people, goes to standard error from cmd_notfound.c). */
static void text_providers(struct omg_sink *s, const char *command, const struct omg_providers *m,
			   const struct omg_providers *similar)
{
	(void)command;
	(void)similar;
	for (uint32_t i = 0; i < m->count; i++) {
		omg_text_put_visible(s->out, m->v[i].package, 0);
		fputc(' ', s->out);
		omg_text_put_visible(s->out, m->v[i].path, 0);
		fprintf(s->out, "%s\n", m->v[i].installed ? " [installed]" : "");
	}
}

/* Local time as apt's logs print it; HISTORY: two spaces between date and time. */
static void local_time(uint64_t ns, int history, char *buf, size_t n)
{
	time_t t = (time_t)(ns / 1000000000u);
	struct tm tm;

	if (!localtime_r(&t, &tm) ||
	    !strftime(buf, n, history ? "%Y-%m-%d  %H:%M:%S" : "%Y-%m-%d %H:%M:%S", &tm))
		snprintf(buf, n, "@%lld", (long long)t);
}

static void text_audit(struct omg_sink *s, const struct omg_audit_msg *m)
{
	char when[64];

	for (uint32_t i = 0; i < m->count; i++) {
		const struct omg_audit_rec *r = &m->recs[i];
		const char *nl = strchr(r->what, '\n');
		local_time(r->time_ns, 0, when, sizeof when);
		char uid[16] = "-";
		if (r->uid != OMG_UID_NONE)
			snprintf(uid, sizeof uid, "%u", r->uid);
		int col = fprintf(s->out, "#%-5llu %s  uid %-5s %-8s %s", (unsigned long long)r->seq, when, uid,
				  omg_audit_kind_name(r->kind), r->result ? "FAILED: " : "");
		if (nl) { /* a change: one indented line per package */
			fprintf(s->out, "\n");
			for (const char *p = r->what; *p;) {
				const char *e = strchr(p, '\n');
				int len = e ? (int)(e - p) : (int)strlen(p);
				char line[1024];
				snprintf(line, sizeof line, "%.*s", len, p);
				fputs("        ", s->out);
				omg_text_put_visible(s->out, line, 0);
				fputc('\n', s->out);
				p += len + (e != NULL);
			}
		} else if (s->width) { /* a long text goes on in lines of its own, broken between words */
			char vis[4096];
			omg_text_put_wrapped(s->out, omg_text_visible(r->what, vis, sizeof vis), col, s->width, 8);
			fputc('\n', s->out);
		} else {
			omg_text_put_visible(s->out, r->what, 0);
			fputc('\n', s->out);
		}
	}
	if (m->verdict == OMG_AUDIT_INTACT) {
		fprintf(s->out, "%saudit log intact%s: %llu records verified; head #%llu sha256:", paint(s, C_GREEN),
			paint(s, C_OFF), (unsigned long long)m->checked, (unsigned long long)m->head_seq);
		for (int i = 0; i < OMG_AUDIT_HASH_SIZE; i++)
			fprintf(s->out, "%02x", m->head[i]);
		fputc('\n', s->out);
	} else if (m->verdict == OMG_AUDIT_BROKEN) {
		fprintf(s->out, "%saudit log BROKEN%s: %s\n", paint(s, C_RED), paint(s, C_OFF), m->why);
	}
}

/* One change as apt's history.log lists it: "NAME:ARCH (FROM, TO, automatic)", visible. */
static void history_item(const struct omg_hist_change *c, char *item, size_t n)
{
	char a[256], b[256], d[512];

	omg_text_visible(c->name, d, sizeof d);
	if (c->arch[0])
		snprintf(d + strlen(d), sizeof d - strlen(d), ":%s", omg_text_visible(c->arch, a, sizeof a));
	omg_text_visible(c->from[0] ? c->from : c->to, a, sizeof a);
	if (c->from[0] && c->to[0])
		snprintf(item, n, "%s (%s, %s%s)", d, a, omg_text_visible(c->to, b, sizeof b),
			 c->flags & OMG_HIST_AUTO ? ", automatic" : "");
	else
		snprintf(item, n, "%s (%s%s)", d, a, c->flags & OMG_HIST_AUTO ? ", automatic" : "");
}

/* The changes of E with operation OP as apt's history.log lists them, after "KEY: ". On a
 * terminal of WIDTH columns the list goes on in lines of its own, broken between entries
 * (each line ending with its comma within WIDTH), indented under the first entry, or by two
 * when the widest entry would not fit there. A pipe gets apt's one line. */
static void history_list(FILE *out, const struct omg_hist_entry *e, uint8_t op, const char *key, int width)
{
	int n = 0, col = 0, indent = (int)strlen(key), widest = 0;
	char item[1200];

	for (uint32_t i = 0; width && i < e->count; i++)
		if (e->changes[i].op == op) {
			history_item(&e->changes[i], item, sizeof item);
			widest = omg_text_cols(item) > widest ? omg_text_cols(item) : widest;
		}
	if (width && indent + widest + 1 > width)
		indent = 2;
	for (uint32_t i = 0; i < e->count; i++) {
		int w;
		if (e->changes[i].op != op)
			continue;
		history_item(&e->changes[i], item, sizeof item);
		w = omg_text_cols(item);
		if (!n++) {
			fputs(key, out);
			col = (int)strlen(key);
		} else if (width && col + 2 + w + 1 > width) {
			fprintf(out, ",\n%*s", indent, "");
			col = indent;
		} else {
			fputs(", ", out);
			col += 2;
		}
		fputs(item, out);
		col += w;
	}
	if (n)
		fputc('\n', out);
}

/* "user (uid)" for UID, as apt writes Requested-By. */
static void put_user(FILE *out, uint32_t uid)
{
	struct passwd *pw = getpwuid(uid);

	fprintf(out, "%s (%u)", pw ? pw->pw_name : "?", uid);
}

/* As apt's history.log (a blank line, Start-Date, Commandline, Requested-By, the changes,
 * Error, End-Date), then what omg adds: the omg command that made it, the audit records that
 * saw it, and where it was read when that is not apt's log. */
static void text_history(struct omg_sink *s, const struct omg_history *m)
{
	static const struct { uint8_t op; const char *key; } lists[] = {
		{ OMG_OP_INSTALL, "Install: " }, { OMG_OP_REINSTALL, "Reinstall: " }, { OMG_OP_UPGRADE, "Upgrade: " },
		{ OMG_OP_DOWNGRADE, "Downgrade: " }, { OMG_OP_REMOVE, "Remove: " }, { OMG_OP_PURGE, "Purge: " },
	};
	static const char *const logs[] = { "", "", "dpkg.log (dpkg run without apt)", "pacman.log",
					    "none (seen by omgd only)" };
	char when[64];

	for (uint32_t i = 0; i < m->count; i++) {
		const struct omg_hist_entry *e = &m->v[i];
		const char *cmd = e->commandline[0] ? e->commandline : e->action_command;
		local_time(e->start * 1000000000u, 1, when, sizeof when);
		fprintf(s->out, "\nStart-Date: %s\n", when);
		if (cmd[0]) {
			fputs("Commandline: ", s->out);
			omg_text_put_visible(s->out, cmd, 0);
			fputc('\n', s->out);
		}
		if (e->requested_by[0]) {
			fputs("Requested-By: ", s->out);
			omg_text_put_visible(s->out, e->requested_by, 0);
			fputc('\n', s->out);
		} else if (e->action_seq && e->action_uid != OMG_UID_NONE) { /* who ran omg */
			fputs("Requested-By: ", s->out);
			put_user(s->out, e->action_uid);
			fputc('\n', s->out);
		}
		for (size_t k = 0; k < sizeof lists / sizeof lists[0]; k++)
			history_list(s->out, e, lists[k].op, lists[k].key, s->width);
		if (e->error[0]) {
			fputs("Error: ", s->out);
			omg_text_put_visible(s->out, e->error, 0);
			fputc('\n', s->out);
		}
		if (e->end) {
			local_time(e->end * 1000000000u, 1, when, sizeof when);
			fprintf(s->out, "End-Date: %s\n", when);
		}
		if (e->action_seq && e->commandline[0]) {
			fputs("Omg-Command: ", s->out);
			omg_text_put_visible(s->out, e->action_command, 0);
			fprintf(s->out, " (exit %d, audit record %llu)\n", e->action_result, (unsigned long long)e->action_seq);
		}
		if (e->naudit) {
			fputs("Audit-Record: ", s->out);
			for (uint32_t k = 0; k < e->naudit; k++)
				fprintf(s->out, "%s%llu", k ? ", " : "", (unsigned long long)e->audit[k]);
			fputc('\n', s->out);
		}
		if (e->source >= OMG_HIST_DPKG && e->source <= OMG_HIST_OMGD)
			fprintf(s->out, "Log: %s\n", logs[e->source]);
	}
}

/* As dpkg -S: "diversion by P from: X", "diversion by P to: Y", then "p1, p2: PATH". */
static void text_owns(struct omg_sink *s, const char *const *paths, const struct omg_providers *m, int n)
{
	(void)paths;
	for (int i = 0; i < n; i++) {
		for (uint32_t k = 0; k < m[i].count; k++) {
			const struct omg_provider *r = &m[i].v[k];
			if (r->installed == OMG_OWNS_FILE)
				continue;
			fputs(r->package[0] ? "diversion by " : "local diversion", s->out);
			omg_text_put_visible(s->out, r->package, 0);
			fputs(r->installed == OMG_OWNS_DIVERTED_FROM ? " from: " : " to: ", s->out);
			omg_text_put_visible(s->out, r->path, 0);
			fputc('\n', s->out);
		}
		/* one line per path as recorded, its packages joined (a directory many have) */
		for (uint32_t k = 0; k < m[i].count; k++) {
			const struct omg_provider *r = &m[i].v[k];
			int first = 1, seen = 0;
			if (r->installed != OMG_OWNS_FILE)
				continue;
			for (uint32_t j = 0; j < k && !seen; j++)
				seen = m[i].v[j].installed == OMG_OWNS_FILE && !strcmp(m[i].v[j].path, r->path);
			if (seen)
				continue;
			for (uint32_t j = k; j < m[i].count; j++)
				if (m[i].v[j].installed == OMG_OWNS_FILE && !strcmp(m[i].v[j].path, r->path)) {
					fputs(first ? "" : ", ", s->out);
					omg_text_put_visible(s->out, m[i].v[j].package, 0);
					first = 0;
				}
			fputs(": ", s->out);
			omg_text_put_visible(s->out, r->path, 0);
			fputc('\n', s->out);
		}
	}
}

/* The AUR's rows after the local ones (a failure is said on the error stream by the command). */
static void text_aur(struct omg_sink *s, const struct omg_aur_msg *m)
{
	if (m->status == OMG_AUR_OK && m->rows.count)
		text_rows(s, &m->rows);
}

static void text_virtual(struct omg_sink *s, const struct omg_versions *m)
{
	omg_text_put_visible(s->out, m->name, 0);
	fputs(" is a virtual package, provided by:\n", s->out);
	for (uint32_t i = 0; i < m->nproviders; i++) {
		const struct omg_provider_ver *p = &m->providers[i];
		char name[600];
		omg_pkg_name(name, sizeof name, p->name, p->arch, p->flags);
		fputs("  ", s->out);
		omg_text_put_visible(s->out, name, 0);
		fputc(' ', s->out);
		omg_text_put_visible(s->out, p->version, 0);
		if (p->installed)
			fprintf(s->out, " %s[installed]%s", paint(s, C_GREEN), paint(s, C_OFF));
		fputc('\n', s->out);
	}
}

/* apt-cache depends' and rdepends' layout, to the space; why: one line a link of the chain. */
static void text_relations(struct omg_sink *s, enum omg_rel_mode mode, const struct omg_rels *m)
{
	static const char *const kinds[] = OMG_REL_KINDS;

	if (mode == OMG_REL_MODE_WHY) {
		if (!m->count && !(m->flags & OMG_PKG_AUTO))
			fprintf(s->out, "%s was installed manually (apt-mark showmanual lists it)\n", m->name);
		else if (!m->count && (m->flags & OMG_PKG_ORPHAN))
			fprintf(s->out, "%s was installed automatically and no installed package needs it: apt autoremove "
				"would remove it\n", m->name);
		else if (!m->count)
			fprintf(s->out, "%s was installed automatically; no installed package needs it, but apt keeps it "
				"(Essential, Priority required, Protected, held, or APT::NeverAutoRemove)\n", m->name);
		for (uint32_t i = 0; i < m->count; i++) {
			const struct omg_rel *r = &m->v[i];
			omg_text_put_visible(s->out, r->package, 0);
			fprintf(s->out, " (%s) %s ", (r->flags & OMG_REL_AUTO) ? "automatic" : "manual", kinds[r->kind]);
			omg_text_put_visible(s->out, r->target, 0);
			if (r->op[0]) {
				fprintf(s->out, " (%s ", r->op);
				omg_text_put_visible(s->out, r->version, 0);
				fputc(')', s->out);
			}
			fputc('\n', s->out);
		}
		return;
	}
	if (!m->version[0]) { /* no version to show: apt's <NAME> */
		fputc('<', s->out);
		omg_text_put_visible(s->out, m->name, 0);
		fputs(">\n", s->out);
		return;
	}
	omg_text_put_visible(s->out, m->name, 0);
	fputc('\n', s->out);
	if (mode == OMG_REL_MODE_RDEPENDS)
		fputs("Reverse Depends:\n", s->out);
	for (uint32_t i = 0; i < m->count; i++) {
		const struct omg_rel *r = &m->v[i];
		fputs((r->flags & OMG_REL_OR) ? " |" : "  ", s->out);
		if (mode == OMG_REL_MODE_DEPENDS)
			fprintf(s->out, "%s: %s", kinds[r->kind], (r->flags & OMG_REL_VIRTUAL) ? "<" : "");
		omg_text_put_visible(s->out, r->package, 0);
		fputs(mode == OMG_REL_MODE_DEPENDS && (r->flags & OMG_REL_VIRTUAL) ? ">\n" : "\n", s->out);
		for (uint32_t j = 0; j < r->nalts; j++) {
			fputs("    ", s->out);
			omg_text_put_visible(s->out, r->alts[j], 0);
			fputc('\n', s->out);
		}
	}
}

static void text_sizes(struct omg_sink *s, const struct omg_sizes *m)
{
	char size[32];

	for (uint32_t i = 0; i < m->count; i++) {
		omg_size_str((double)m->rows[i].kib * 1024, size, sizeof size);
		fprintf(s->out, "%10s  ", size);
		omg_text_put_visible(s->out, m->rows[i].name, 0);
		fputc(' ', s->out);
		omg_text_put_visible(s->out, m->rows[i].version, 0);
		fputc('\n', s->out);
	}
	omg_size_str((double)m->total_kib * 1024, size, sizeof size);
	if (m->count < m->matched)
		fprintf(s->err, "%u more; %u installed packages take %s (Installed-Size)\n", m->matched - m->count, m->matched, size);
	else
		fprintf(s->err, "%u installed packages take %s (Installed-Size)\n", m->matched, size);
}

/* apt-cache policy's layout, to the space. */
static void text_policy(struct omg_sink *s, const struct omg_versions *pkgs, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		const struct omg_versions *m = &pkgs[i];
		char name[600];
		omg_pkg_name(name, sizeof name, m->name, m->arch, m->flags);
		omg_text_put_visible(s->out, name, 0);
		fputs(":\n  Installed: ", s->out);
		omg_text_put_visible(s->out, m->installed != OMG_VERSION_NONE ? m->v[m->installed].version : "(none)", 0);
		fputs("\n  Candidate: ", s->out);
		omg_text_put_visible(s->out, m->candidate != OMG_VERSION_NONE ? m->v[m->candidate].version : "(none)", 0);
		fputs("\n  Version table:\n", s->out);
		for (uint32_t j = 0; j < m->count; j++) {
			const struct omg_version *v = &m->v[j];
			fputs(j == m->installed ? " *** " : "     ", s->out);
			omg_text_put_visible(s->out, v->version, 0);
			fprintf(s->out, " %d\n", (int)v->prio);
			for (uint32_t f = 0; f < v->nfiles; f++) {
				fprintf(s->out, "       %4d ", (int)v->files[f].prio);
				omg_text_put_visible(s->out, v->files[f].desc, 0);
				fputc('\n', s->out);
			}
		}
	}
}

static void text_show(struct omg_sink *s, const struct omg_shown *v, uint32_t n, uint32_t more)
{
	for (uint32_t i = 0; i < n; i++) {
		text_info(s, &v[i].fields);
		if (!v[i].no_candidate)
			fputc('\n', s->out);
	}
	if (more == 1)
		fputs("N: There is 1 additional record. Please use the '-a' switch to see it\n", s->err);
	else if (more)
		fprintf(s->err, "N: There are %u additional records. Please use the '-a' switch to see them.\n", more);
}

/* ---- omg install, remove, upgrade ... --------------------------------------------------- */
static const struct {
	uint8_t op;
	uint32_t want, mask;   /* entries with (flags & MASK) == WANT */
	const char *title;
	int red;
} plan_groups[] = {
	{ OMG_OP_INSTALL, OMG_PLAN_REQUESTED, OMG_PLAN_REQUESTED, "Installing:", 0 },
	{ OMG_OP_INSTALL, 0, OMG_PLAN_REQUESTED, "Installing dependencies:", 0 },
	{ OMG_OP_UPGRADE, 0, 0, "Upgrading:", 0 },
	{ OMG_OP_DOWNGRADE, 0, 0, "DOWNGRADING:", 1 },
	{ OMG_OP_REINSTALL, 0, 0, "Reinstalling:", 0 },
	{ OMG_OP_REMOVE, OMG_PLAN_REQUESTED, OMG_PLAN_REQUESTED, "Removing:", 0 },
	{ OMG_OP_PURGE, OMG_PLAN_REQUESTED, OMG_PLAN_REQUESTED, "Purging (with configuration files):", 0 },
	{ OMG_OP_REMOVE, 0, OMG_PLAN_REQUESTED, "REMOVING (not asked for):", 1 },
	{ OMG_OP_PURGE, 0, OMG_PLAN_REQUESTED, "PURGING (not asked for):", 1 },
};

static void text_plan_summary(struct omg_sink *s, const struct omg_plan *m, const struct omg_act_result *r)
{
	uint32_t n[OMG_OP__MAX + 1] = { 0 };
	char what[200] = "";
	size_t k = 0;

	for (uint32_t i = 0; i < m->count; i++)
		if (m->v[i].op <= OMG_OP__MAX)
			n[m->v[i].op]++;
	for (uint8_t op = 1; op <= OMG_OP__MAX; op++) {
		static const char *const past[] = { "", "installed", "upgraded", "downgraded", "reinstalled", "removed", "purged" };
		if (n[op] && k < sizeof what)
			k += (size_t)snprintf(what + k, sizeof what - k, "%s%u %s", k ? ", " : "", n[op], past[op]);
	}
	if (r->exited && r->status == 0 && !r->interrupted) {
		fprintf(s->out, "%sDone%s in %.1f s%s%s.\n", paint(s, C_GREEN), paint(s, C_OFF), r->seconds, what[0] ? ": " : "",
			what);
		return;
	}
	if (r->exited)
		fprintf(s->out, "%sFailed%s: %s exited with status %d after %.1f s%s.\n", paint(s, C_RED), paint(s, C_OFF),
			m->tool, r->status, r->seconds, r->interrupted ? " (interrupted by Ctrl-C)" : "");
	else
		fprintf(s->out, "%sFailed%s: %s was killed by signal %d after %.1f s%s.\n", paint(s, C_RED), paint(s, C_OFF),
			m->tool, r->status, r->seconds, r->interrupted ? " (interrupted by Ctrl-C)" : "");
	for (uint32_t i = 0; i < r->nerrors && i < OMG_ACT_ERRORS_MAX; i++) {
		fputs("  ", s->out);
		omg_text_put_visible(s->out, r->errors[i], 0);
		fputc('\n', s->out);
	}
	if (r->nerrors > OMG_ACT_ERRORS_MAX)
		fprintf(s->out, "  ... and %u more\n", r->nerrors - OMG_ACT_ERRORS_MAX);
	if (m->action > OMG_ACT__PLANNED)
		return; /* update, hold, mark: apt said what failed */
	if (!strcmp(m->tool, "libalpm")) { /* pacman installs in one step, and its transaction is whole */
		fprintf(s->out, "What was done: %u installed, %u upgraded, %u removed.\n", r->installed, r->upgraded, r->removed);
		return;
	}
	fprintf(s->out, "What was done: %u unpacked and installed, %u set up, %u removed. %s\n", r->installed,
		r->configured, r->removed,
		r->installed != r->configured || r->nerrors
			? "Some packages may be left unconfigured: see 'dpkg --audit', then 'sudo dpkg --configure -a'."
			: "");
}

static void text_plan(struct omg_sink *s, const struct omg_plan *m, const struct omg_act_result *r)
{
	char size[32];
	int wname = 8, wver = 8;

	if (r) {
		text_plan_summary(s, m, r);
		return;
	}
	for (uint32_t i = 0; i < m->nunknown; i++) {
		char vis[300];
		fprintf(s->err, "%s: no such package", omg_text_visible(m->unknown[i].name, vis, sizeof vis));
		for (uint32_t k = 0; k < m->unknown[i].count; k++)
			fprintf(s->err, "%s%s", k ? ", " : "; did you mean ", omg_text_visible(m->unknown[i].suggestions[k], vis, sizeof vis));
		fputs(m->unknown[i].count ? "?\n" : "\n", s->err);
	}
	for (uint32_t i = 0; i < m->nnotes; i++) {
		fputs("Note: ", s->out);
		omg_text_put_visible(s->out, m->notes[i], 0);
		fputc('\n', s->out);
	}
	for (uint32_t i = 0; i < m->count; i++) {
		const struct omg_plan_entry *e = &m->v[i];
		int a = (int)strlen(e->name) + ((e->flags & OMG_PLAN_FOREIGN) ? 1 + (int)strlen(e->arch) : 0);
		int b = (int)strlen(e->to[0] ? e->to : e->from) + (e->from[0] && e->to[0] ? 4 + (int)strlen(e->from) : 0);
		wname = a > wname ? (a > 40 ? 40 : a) : wname;
		wver = b > wver ? (b > 40 ? 40 : b) : wver;
	}
	for (size_t g = 0; g < sizeof plan_groups / sizeof plan_groups[0]; g++) {
		int shown = 0;
		for (uint32_t i = 0; i < m->count; i++) {
			const struct omg_plan_entry *e = &m->v[i];
			char name[300], ver[300], vis[600];
			if (e->op != plan_groups[g].op || (e->flags & plan_groups[g].mask) != plan_groups[g].want)
				continue;
			if (!shown++)
				fprintf(s->out, "%s%s%s\n", paint(s, plan_groups[g].red ? C_RED C_BOLD : C_BOLD),
					plan_groups[g].title, paint(s, C_OFF));
			/* as apt names it: the architecture only when it is not the native one */
			snprintf(name, sizeof name, "%s%s%s", e->name, (e->flags & OMG_PLAN_FOREIGN) ? ":" : "",
				 (e->flags & OMG_PLAN_FOREIGN) ? e->arch : "");
			if (e->from[0] && e->to[0])
				snprintf(ver, sizeof ver, "%s -> %s", e->from, e->to);
			else
				snprintf(ver, sizeof ver, "%s", e->to[0] ? e->to : e->from);
			fprintf(s->out, "  %s%-*s%s ", paint(s, plan_groups[g].red ? C_RED : ""), wname, omg_text_visible(name, vis, sizeof vis),
				paint(s, plan_groups[g].red ? C_OFF : ""));
			fprintf(s->out, "%-*s ", wver, omg_text_visible(ver, vis, sizeof vis));
			if (e->download) {
				omg_size_str((double)e->download, size, sizeof size);
				fprintf(s->out, "%9s ", size);
			} else
				fprintf(s->out, "%9s ", "");
			omg_text_put_visible(s->out, e->release, 0);
			if (e->flags & OMG_PLAN_ESSENTIAL)
				fprintf(s->out, " %s(essential)%s", paint(s, C_RED), paint(s, C_OFF));
			if (e->flags & OMG_PLAN_HELD)
				fprintf(s->out, " %s(held)%s", paint(s, C_YELLOW), paint(s, C_OFF));
			if (e->flags & OMG_PLAN_SECURITY)
				fprintf(s->out, " %s(security)%s", paint(s, C_YELLOW), paint(s, C_OFF));
			fputc('\n', s->out);
		}
	}
	if (m->nkept) {
		fprintf(s->out, "%sKept back:%s\n ", paint(s, C_BOLD), paint(s, C_OFF));
		for (uint32_t i = 0; i < m->nkept; i++) {
			fputc(' ', s->out);
			omg_text_put_visible(s->out, m->kept[i], 0);
		}
		fputc('\n', s->out);
	}
	if (m->nautoremovable) {
		fprintf(s->out, "No longer needed (omg autoremove removes them):\n ");
		for (uint32_t i = 0; i < m->nautoremovable; i++) {
			fputc(' ', s->out);
			omg_text_put_visible(s->out, m->autoremovable[i], 0);
		}
		fputc('\n', s->out);
	}
	if (m->problem[0] && !m->nunknown) {
		fprintf(s->err, "%s cannot do this:\n", m->tool);
		omg_text_put_visible(s->err, m->problem, 1);
		fputc('\n', s->err);
		return;
	}
	if (m->status != OMG_PLAN_OK)
		return;
	if (!m->count) {
		fputs("Nothing to do.\n", s->out);
		return;
	}
	omg_size_str((double)m->download, size, sizeof size);
	fprintf(s->out, "Download %s; ", size);
	omg_size_str((double)(m->disk_kib < 0 ? -m->disk_kib : m->disk_kib) * 1024.0, size, sizeof size);
	fprintf(s->out, "disk space %s %s.\n", size, m->disk_kib < 0 ? "freed" : "used");
}

static const char *utc(int64_t t, char *buf, size_t n)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (t < 0 || !gmtime_r(&tt, &tm))
		return "-";
	strftime(buf, n, "%Y-%m-%d %H:%M UTC", &tm);
	return buf;
}

static void text_verify(struct omg_sink *s, const struct omg_verify *m, int first_page, int last_page)
{
	static const char *const verdicts[] = { "good signature", "BAD signature", "no signature by a trusted key",
						"only weak-digest signatures", "not checked (no supported key type)",
						"signing key expired", "signing key revoked", "malformed signed file",
						"unsigned", "no Release file", "trusted without a check", "Signed-By: no usable key" };
	char a[64], b[64];

	if (first_page && (m->flags & OMG_VERIFIED_ARCHIVE)) {
		fprintf(s->out, "Archive: %u source%s\n", m->nsrc, m->nsrc == 1 ? "" : "s");
		for (uint32_t i = 0; i < m->nsrc; i++) {
			const struct omg_verify_source *v = &m->src[i];
			int ok = (v->verdict == 0 || v->verdict == 10) && v->dates == 0 && !v->lists_bad;
			fputs("  ", s->out);
			omg_text_put_visible(s->out, v->desc, 0);
			fprintf(s->out, ": %s%s%s", paint(s, ok ? C_GREEN : C_RED),
				v->verdict < sizeof verdicts / sizeof verdicts[0] ? verdicts[v->verdict] : "?", paint(s, C_OFF));
			if (v->signer[0])
				fprintf(s->out, " by %s", v->signer);
			if (v->verdict == 0)
				fprintf(s->out, " (%s)", v->checker);
			if (v->dates == 1)
				fprintf(s->out, ", %sEXPIRED%s on %s", paint(s, C_RED), paint(s, C_OFF), utc(v->valid_until, a, sizeof a));
			else if (v->dates == 2)
				fprintf(s->out, ", %snot valid yet%s (Date %s)", paint(s, C_RED), paint(s, C_OFF), utc(v->date, a, sizeof a));
			else if (v->valid_until >= 0)
				fprintf(s->out, ", valid until %s", utc(v->valid_until, a, sizeof a));
			fprintf(s->out, "; %u list%s", v->lists, v->lists == 1 ? "" : "s");
			if (v->lists_bad)
				fprintf(s->out, ", %s%u bad%s", paint(s, C_RED), v->lists_bad, paint(s, C_OFF));
			if (v->lists_unchecked)
				fprintf(s->out, ", %u unchecked", v->lists_unchecked);
			if (v->detail[0]) {
				fputs("\n    ", s->out);
				omg_text_put_visible(s->out, v->detail, 0);
			}
			fputc('\n', s->out);
		}
		fprintf(s->out, "  cached packages: %u checked, %u bad", m->debs, m->debs_bad);
		if (m->debs_unknown)
			fprintf(s->out, ", %u in no signed list", m->debs_unknown);
		fputc('\n', s->out);
	}
	if (first_page && (m->flags & OMG_VERIFIED_FILES))
		fprintf(s->out, "Installed files (%s): %u package%s, %u files: %u read, %u unchanged since checked; "
				"%u package%s without checksums\n",
			m->checker, m->packages, m->packages == 1 ? "" : "s", m->files, m->hashed, m->cached, m->unsummed,
			m->unsummed == 1 ? "" : "s");
	for (uint32_t i = 0; i < m->count; i++) {
		const struct omg_finding *f = &m->find[i];
		fprintf(s->out, "%s%-16s%s ", paint(s, f->kind == OMG_FIND_CHANGED_CONFIG ? C_YELLOW : C_RED),
			omg_finding_name(f->kind), paint(s, C_OFF));
		omg_text_put_visible(s->out, f->path[0] ? f->path : f->package, 0);
		if (f->package[0] && f->path[0]) {
			fputs(" (", s->out);
			omg_text_put_visible(s->out, f->package, 0);
			fputc(')', s->out);
		}
		if (f->detail[0]) {
			fputs(": ", s->out);
			omg_text_put_visible(s->out, f->detail, 0);
		}
		fputc('\n', s->out);
	}
	if (last_page) {
		uint32_t files = 0;
		for (uint32_t i = 0; i < m->count; i++)
			files += OMG_FIND_ON_FILES(m->find[i].kind);
		fprintf(s->out, "%s%u finding%s%s in %.1f s, %s\n", paint(s, m->total ? C_RED : C_GREEN), m->total,
			m->total == 1 ? "" : "s", paint(s, C_OFF), (double)m->took_ns / 1e9,
			utc((int64_t)(m->started_ns / 1000000000u), b, sizeof b));
		if (m->flags & OMG_VERIFIED_CUT)
			fputs("(stopped before the end: omgd was stopping)\n", s->out);
		(void)files;
	}
}

/* omg doctor: "ok    daemon      what  — fix", the verdicts aligned; then the tally. */
static void text_doctor(struct omg_sink *s, const struct omg_check *c, size_t n, int code)
{
	static const char *const word[] = { "ok", "warn", "FAIL" };
	static const char *const colour[] = { C_GREEN, C_YELLOW, C_RED };
	size_t width = 0, k[3] = { 0 };

	for (size_t i = 0; i < n; i++)
		if (strlen(c[i].name) > width)
			width = strlen(c[i].name);
	for (size_t i = 0; i < n; i++) {
		fprintf(s->out, "%s%-4s%s  %-*s  ", paint(s, colour[c[i].level]), word[c[i].level], paint(s, C_OFF), (int)width,
			c[i].name);
		omg_text_put_visible(s->out, c[i].what, 0);
		if (c[i].fix[0]) {
			fputs("  \xe2\x80\x94 ", s->out); /* an em dash */
			omg_text_put_visible(s->out, c[i].fix, 0);
		}
		fputc('\n', s->out);
		k[c[i].level]++;
	}
	fprintf(s->out, "%zu ok, %zu warn, %zu FAIL (exit status %d)\n", k[0], k[1], k[2], code);
}

const struct omg_sink_ops omg_sink_text = {
	.status = text_status, .rows = text_rows, .info = text_info,
	.words = text_words, .metrics = text_metrics, .pong = text_pong,
	.providers = text_providers, .audit = text_audit, .history = text_history, .owns = text_owns,
	.daemon = text_daemon, .error = text_error, .textlines = text_lines,
	.aur = text_aur, .policy = text_policy, .show = text_show, .virtual_pkg = text_virtual, .relations = text_relations, .sizes = text_sizes,
	.plan = text_plan, .verify = text_verify, .doctor = text_doctor,
};
