/* pmlog.c — see pmlog.h. */
#include "config.h"
#include "pmlog.h"
#include "grow.h"
#include "omg_error.h"
#include "proto.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

void pmlog_entry_free(struct pmlog_entry *e)
{
	if (!e)
		return;
	for (uint32_t i = 0; i < e->nchanges; i++) {
		struct pmlog_change *c = &e->changes[i];
		free(c->name);
		free(c->arch);
		free(c->from);
		free(c->to);
	}
	free(e->changes);
	free(e->commandline);
	free(e->requested_by);
	free(e->error);
	free(e);
}

static char *dupn(const char *s, size_t n)
{
	char *p = malloc(n + 1);

	if (p) {
		memcpy(p, s, n);
		p[n] = 0;
		/* a NUL inside would cut the text where the wire format cannot: make it visible */
		for (size_t i = 0; i < n; i++)
			if (!p[i])
				p[i] = '?';
	}
	return p;
}

int pmlog_add_change(struct pmlog_entry *e, uint8_t op, int automatic, const char *name, const char *arch,
		     const char *from, const char *to)
{
	struct pmlog_change *c;

	if (e->nchanges >= PMLOG_CHANGES_MAX)
		return OMG_OK; /* bounded: the rest is left out */
	if (omg_grow32(&e->changes, &e->capchanges, e->nchanges + 1, sizeof *e->changes, UINT32_MAX) != OMG_OK)
			return OMG_ERROR(OMG_E_NOMEM, "history");
	c = &e->changes[e->nchanges];
	*c = (struct pmlog_change){ op, (uint8_t)(automatic != 0), dupn(name, strlen(name)), dupn(arch, strlen(arch)),
				    dupn(from, strlen(from)), dupn(to, strlen(to)) };
	if (!c->name || !c->arch || !c->from || !c->to) {
		free(c->name);
		free(c->arch);
		free(c->from);
		free(c->to);
		return OMG_ERROR(OMG_E_NOMEM, "history");
	}
	e->nchanges++;
	return OMG_OK;
}

static struct pmlog_entry *entry_new(uint8_t source, int64_t start)
{
	struct pmlog_entry *e = calloc(1, sizeof *e);

	if (!e)
		return NULL;
	e->source = source;
	e->start = start;
	e->uid = PMLOG_UID_NONE;
	e->commandline = dupn("", 0);
	e->requested_by = dupn("", 0);
	e->error = dupn("", 0);
	if (!e->commandline || !e->requested_by || !e->error) {
		pmlog_entry_free(e);
		return NULL;
	}
	return e;
}

static int set_text(char **field, const char *s, size_t n)
{
	char *p = dupn(s, n);

	if (!p)
		return OMG_ERROR(OMG_E_NOMEM, "history");
	free(*field);
	*field = p;
	return OMG_OK;
}

/* ---- time ------------------------------------------------------------------------------- */

static int digits(const char *s, size_t n, int *out)
{
	int v = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

/* "YYYY-MM-DD" then spaces (or a T) then "HH:MM[:SS]" at S (N bytes): fills TM, returns the
 * bytes used, or 0. */
static size_t parse_stamp(const char *s, size_t n, struct tm *tm)
{
	int y, mo, d, h, mi, sec = 0;
	size_t i = 10;

	if (n < 16 || s[4] != '-' || s[7] != '-' || digits(s, 4, &y) || digits(s + 5, 2, &mo) || digits(s + 8, 2, &d))
		return 0;
	if (s[i] == 'T')
		i++;
	else
		while (i < n && s[i] == ' ')
			i++;
	if (i + 5 > n || s[i + 2] != ':' || digits(s + i, 2, &h) || digits(s + i + 3, 2, &mi))
		return 0;
	i += 5;
	if (i + 3 <= n && s[i] == ':' && digits(s + i + 1, 2, &sec) == 0)
		i += 3;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
		return 0;
	*tm = (struct tm){ .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h, .tm_min = mi,
			   .tm_sec = sec, .tm_isdst = -1 };
	return i;
}

/* mktime for the local zone, once per hour seen: a log has many lines per hour, and glibc's
 * mktime looks at the zone file every time. */
struct clock_cache {
	int year, mon, mday, hour;
	int64_t base;   /* the hour's start, or INT64_MIN */
};

static int64_t local_secs(struct clock_cache *cc, const struct tm *tm)
{
	if (cc->base == INT64_MIN || cc->year != tm->tm_year || cc->mon != tm->tm_mon || cc->mday != tm->tm_mday ||
	    cc->hour != tm->tm_hour) {
		struct tm t = *tm;
		time_t v;
		t.tm_min = t.tm_sec = 0;
		t.tm_isdst = -1;
		if ((v = mktime(&t)) == (time_t)-1)
			return 0;
		*cc = (struct clock_cache){ tm->tm_year, tm->tm_mon, tm->tm_mday, tm->tm_hour, (int64_t)v };
	}
	return cc->base + tm->tm_min * 60 + tm->tm_sec;
}

/* ---- lines ------------------------------------------------------------------------------ */

struct line {
	const char *p;
	size_t len, off;
};

/* The next line of BUF from *POS (without its newline); 0 at the end. Lines longer than
 * PMLOG_LINE_MAX come back empty (skipped). */
static int next_line(const char *buf, size_t n, size_t *pos, struct line *l)
{
	const char *nl;

	if (*pos >= n)
		return 0;
	l->off = *pos;
	l->p = buf + *pos;
	nl = memchr(l->p, '\n', n - *pos);
	l->len = nl ? (size_t)(nl - l->p) : n - *pos;
	*pos += l->len + (nl != NULL);
	if (l->len && l->p[l->len - 1] == '\r')
		l->len--;
	if (l->len > PMLOG_LINE_MAX)
		l->len = 0;
	return 1;
}

/* Where a parse that found no entry ends: after the last newline (a last line without its
 * newline may be a line still being written). */
static size_t whole_lines(const char *buf, size_t n)
{
	const char *nl = n ? memrchr(buf, '\n', n) : NULL;

	return nl ? (size_t)(nl - buf) + 1 : 0;
}

static int starts(const struct line *l, const char *prefix)
{
	size_t k = strlen(prefix);

	return l->len >= k && !memcmp(l->p, prefix, k);
}

/* Splits "name:arch" (the last colon); ARCH "" without one. */
static void split_arch(char *word, const char **arch)
{
	char *colon = strrchr(word, ':');

	*arch = "";
	if (colon) {
		*colon = 0;
		*arch = colon + 1;
	}
}

/* ---- apt's history.log -------------------------------------------------------------------- */

/* "name:arch (a[, b]), name:arch (a[, b])..." of apt's list KEY into E. */
static int apt_list(struct pmlog_entry *e, uint8_t op, const char *v, size_t n)
{
	size_t i = 0;
	int rc = OMG_OK;

	while (i < n && rc == OMG_OK) {
		size_t name0, name1, in0, in1;
		char *name, *in, *comma;
		const char *arch, *a, *b = "";
		while (i < n && (v[i] == ' ' || v[i] == ','))
			i++;
		name0 = i;
		while (i < n && v[i] != ' ' && v[i] != '(')
			i++;
		name1 = i;
		while (i < n && v[i] == ' ')
			i++;
		if (name1 == name0 || i >= n || v[i] != '(')
			break; /* not apt's shape: the rest is left out */
		in0 = ++i;
		while (i < n && v[i] != ')')
			i++;
		in1 = i;
		if (i < n)
			i++;
		name = dupn(v + name0, name1 - name0);
		in = dupn(v + in0, in1 - in0);
		if (!name || !in) {
			free(name);
			free(in);
			return OMG_ERROR(OMG_E_NOMEM, "history");
		}
		split_arch(name, &arch);
		a = in;
		if ((comma = strstr(in, ", "))) {
			*comma = 0;
			b = comma + 2;
		}
		if (op == OMG_OP_UPGRADE || op == OMG_OP_DOWNGRADE)
			rc = pmlog_add_change(e, op, 0, name, arch, a, b);
		else if (op == OMG_OP_INSTALL || op == OMG_OP_REINSTALL)
			rc = pmlog_add_change(e, op, !strcmp(b, "automatic"), name, arch, "", a);
		else
			rc = pmlog_add_change(e, op, 0, name, arch, a, "");
		free(name);
		free(in);
	}
	return rc;
}

/* "user (1000)": the uid, or PMLOG_UID_NONE. */
static uint32_t requested_uid(const char *v, size_t n)
{
	const char *open = memchr(v, '(', n);
	uint64_t uid = 0;
	size_t i;

	if (!open)
		return PMLOG_UID_NONE;
	for (i = (size_t)(open - v) + 1; i < n && v[i] >= '0' && v[i] <= '9' && uid < UINT32_MAX; i++)
		uid = uid * 10 + (uint64_t)(v[i] - '0');
	return i < n && v[i] == ')' && i > (size_t)(open - v) + 1 && uid < UINT32_MAX ? (uint32_t)uid : PMLOG_UID_NONE;
}

static int emit(struct pmlog_entry **e, pmlog_fn fn, void *ctx)
{
	struct pmlog_entry *x = *e;

	*e = NULL;
	return x ? fn(x, ctx) : OMG_OK;
}

int pmlog_parse_apt(const char *buf, size_t n, pmlog_fn fn, void *ctx, size_t *tail)
{
	static const struct { const char *key; uint8_t op; } lists[] = {
		{ "Install: ", OMG_OP_INSTALL }, { "Upgrade: ", OMG_OP_UPGRADE }, { "Downgrade: ", OMG_OP_DOWNGRADE },
		{ "Reinstall: ", OMG_OP_REINSTALL }, { "Remove: ", OMG_OP_REMOVE }, { "Purge: ", OMG_OP_PURGE },
	};
	struct clock_cache cc = { .base = INT64_MIN };
	struct pmlog_entry *e = NULL;
	struct line l;
	size_t pos = 0;
	int rc = OMG_OK;

	*tail = whole_lines(buf, n);
	while (rc == OMG_OK && next_line(buf, n, &pos, &l)) {
		struct tm tm;
		if (starts(&l, "Start-Date: ")) {
			if ((rc = emit(&e, fn, ctx)) != OMG_OK)
				break;
			if (!parse_stamp(l.p + 12, l.len - 12, &tm))
				continue; /* an entry without a readable start is left out */
			if (!(e = entry_new(PMLOG_APT, local_secs(&cc, &tm))))
				return OMG_ERROR(OMG_E_NOMEM, "history");
			*tail = e->offset = l.off;
			continue;
		}
		if (!e)
			continue;
		if (starts(&l, "End-Date: ")) {
			if (parse_stamp(l.p + 10, l.len - 10, &tm))
				e->end = local_secs(&cc, &tm);
		} else if (starts(&l, "Commandline: ")) {
			rc = set_text(&e->commandline, l.p + 13, l.len - 13);
		} else if (starts(&l, "Requested-By: ")) {
			rc = set_text(&e->requested_by, l.p + 14, l.len - 14);
			e->uid = requested_uid(l.p + 14, l.len - 14);
		} else if (starts(&l, "Error: ")) {
			rc = set_text(&e->error, l.p + 7, l.len - 7);
		} else {
			for (size_t k = 0; k < sizeof lists / sizeof lists[0]; k++)
				if (starts(&l, lists[k].key)) {
					size_t kl = strlen(lists[k].key);
					rc = apt_list(e, lists[k].op, l.p + kl, l.len - kl);
					break;
				}
		}
	}
	if (rc == OMG_OK)
		rc = emit(&e, fn, ctx);
	pmlog_entry_free(e);
	return rc;
}

/* ---- dpkg.log ------------------------------------------------------------------------------ */

/* Splits S (N bytes) into at most MAX words separated by single spaces; returns the count. */
static int words(char *s, char **w, int max)
{
	int k = 0;
	char *save = NULL;

	for (char *p = strtok_r(s, " ", &save); p && k < max; p = strtok_r(NULL, " ", &save))
		w[k++] = p;
	return k;
}

static int dpkg_change(struct pmlog_entry *e, char **w, int k, int (*vercmp)(const char *, const char *), int purging)
{
	const char *arch, *from, *to;
	uint8_t op;

	if (k != 4)
		return OMG_OK;
	split_arch(w[1], &arch);
	from = strcmp(w[2], "<none>") ? w[2] : "";
	to = strcmp(w[3], "<none>") ? w[3] : "";
	if (!strcmp(w[0], "install") || !strcmp(w[0], "upgrade")) {
		int c;
		if (!to[0])
			return OMG_OK;
		c = from[0] ? (vercmp ? vercmp(from, to) : strcmp(from, to)) : 0;
		op = !from[0] ? OMG_OP_INSTALL : c == 0 ? OMG_OP_REINSTALL : c < 0 ? OMG_OP_UPGRADE : OMG_OP_DOWNGRADE;
		if (op == OMG_OP_REINSTALL)
			from = "";
	} else if (!strcmp(w[0], "remove") || !strcmp(w[0], "purge")) {
		/* dpkg -P logs "remove" alone for a package without conffiles: its run says purge */
		op = w[0][0] == 'r' && !purging ? OMG_OP_REMOVE : OMG_OP_PURGE;
		if (op == OMG_OP_PURGE) /* dpkg -P logs remove, then purge: apt shows the purge alone */
			for (uint32_t i = 0; i < e->nchanges; i++)
				if ((e->changes[i].op == OMG_OP_REMOVE || e->changes[i].op == OMG_OP_PURGE) && !strcmp(e->changes[i].name, w[1]) &&
				    !strcmp(e->changes[i].arch, arch)) {
					e->changes[i].op = OMG_OP_PURGE;
					return OMG_OK;
				}
		to = "";
	} else {
		return OMG_OK;
	}
	return pmlog_add_change(e, op, 0, w[1], arch, from, to);
}

int pmlog_parse_dpkg(const char *buf, size_t n, int (*vercmp)(const char *, const char *), pmlog_fn fn, void *ctx,
		     size_t *tail)
{
	struct clock_cache cc = { .base = INT64_MIN };
	struct pmlog_entry *e = NULL;
	struct line l;
	size_t pos = 0;
	int rc = OMG_OK, purging = 0;

	*tail = whole_lines(buf, n);
	while (rc == OMG_OK && next_line(buf, n, &pos, &l)) {
		struct tm tm;
		size_t used = l.len >= 19 ? parse_stamp(l.p, 19, &tm) : 0;
		char *rest, *w[6];
		int64_t t;
		int k;
		if (used != 19 || l.len < 21 || l.p[19] != ' ')
			continue;
		t = local_secs(&cc, &tm);
		if ((l.len >= 28 && !memcmp(l.p + 20, "startup ", 8)) || !e) {
			if (e && e->nchanges == 0) { /* a run that changed nothing (configure, triggers) */
				pmlog_entry_free(e);
				e = NULL;
			}
			if ((rc = emit(&e, fn, ctx)) != OMG_OK)
				break;
			if (!(e = entry_new(PMLOG_DPKG, t)))
				return OMG_ERROR(OMG_E_NOMEM, "history");
			*tail = e->offset = l.off;
			purging = l.len == 42 && !memcmp(l.p + 20, "startup packages purge", 22);
		}
		e->end = t;
		if (!(rest = dupn(l.p + 20, l.len - 20)))
			rc = OMG_ERROR(OMG_E_NOMEM, "history");
		else if ((k = words(rest, w, 6)) > 0)
			rc = dpkg_change(e, w, k, vercmp, purging);
		free(rest);
	}
	if (e && e->nchanges == 0) {
		pmlog_entry_free(e);
		e = NULL;
	}
	if (rc == OMG_OK)
		rc = emit(&e, fn, ctx);
	pmlog_entry_free(e);
	return rc;
}

/* ---- pacman.log ------------------------------------------------------------------------------ */

/* "[STAMP] " at the line's start: the time, and where the rest begins (0: not a log line). */
static size_t pacman_stamp(const struct line *l, struct clock_cache *cc, int64_t *t)
{
	const char *close = l->len > 1 && l->p[0] == '[' ? memchr(l->p, ']', l->len) : NULL;
	size_t n, used;
	struct tm tm;

	if (!close)
		return 0;
	n = (size_t)(close - l->p) - 1;
	if (!(used = parse_stamp(l->p + 1, n, &tm)))
		return 0;
	if (used == n) {
		*t = local_secs(cc, &tm); /* older pacman: local time */
	} else {
		/* ISO 8601 with its offset: +HHMM or +HH:MM */
		const char *z = l->p + 1 + used;
		size_t zn = n - used;
		int hh, mm, sign;
		if ((z[0] != '+' && z[0] != '-') || (zn != 5 && zn != 6) || digits(z + 1, 2, &hh) ||
		    digits(z + zn - 2, 2, &mm) || (zn == 6 && z[3] != ':'))
			return 0;
		sign = z[0] == '-' ? -1 : 1;
		tm.tm_isdst = 0;
		*t = (int64_t)timegm(&tm) - sign * (hh * 3600 + mm * 60);
	}
	used = (size_t)(close - l->p) + 1;
	while (used < l->len && l->p[used] == ' ')
		used++;
	return used;
}

static const struct { const char *verb; uint8_t op; } verbs[] = {
	{ "installed ", OMG_OP_INSTALL }, { "upgraded ", OMG_OP_UPGRADE }, { "downgraded ", OMG_OP_DOWNGRADE },
	{ "reinstalled ", OMG_OP_REINSTALL }, { "removed ", OMG_OP_REMOVE },
};

static int change_verb(const char *msg, size_t n)
{
	for (size_t k = 0; k < sizeof verbs / sizeof verbs[0]; k++)
		if (n > strlen(verbs[k].verb) && !memcmp(msg, verbs[k].verb, strlen(verbs[k].verb)))
			return 1;
	return 0;
}

static int pacman_change(struct pmlog_entry *e, const char *msg, size_t n)
{
	char *s, *open, *close, *arrow, *from, *to;
	int rc = OMG_OK;

	for (size_t k = 0; k < sizeof verbs / sizeof verbs[0]; k++) {
		size_t vl = strlen(verbs[k].verb);
		uint8_t op = verbs[k].op;
		if (n <= vl || memcmp(msg, verbs[k].verb, vl) != 0)
			continue;
		if (!(s = dupn(msg + vl, n - vl)))
			return OMG_ERROR(OMG_E_NOMEM, "history");
		open = strstr(s, " (");
		close = open ? strrchr(open, ')') : NULL;
		if (open && close && !close[1]) {
			*open = *close = 0;
			from = open + 2;
			to = "";
			if ((arrow = strstr(from, " -> "))) {
				*arrow = 0;
				to = arrow + 4;
			}
			if (op == OMG_OP_INSTALL || op == OMG_OP_REINSTALL)
				rc = pmlog_add_change(e, op, 0, s, "", "", from);
			else if (op == OMG_OP_REMOVE)
				rc = pmlog_add_change(e, op, 0, s, "", from, "");
			else if (to[0])
				rc = pmlog_add_change(e, op, 0, s, "", from, to);
		}
		free(s);
		return rc;
	}
	return OMG_OK;
}

int pmlog_parse_pacman(const char *buf, size_t n, pmlog_fn fn, void *ctx, size_t *tail)
{
	struct clock_cache cc = { .base = INT64_MIN };
	struct pmlog_entry *e = NULL;
	char *cmd = NULL;            /* the last "Running '...'" not yet given to a transaction */
	size_t cmd_off = 0;
	struct line l;
	size_t pos = 0;
	int rc = OMG_OK;

	*tail = whole_lines(buf, n);
	while (rc == OMG_OK && next_line(buf, n, &pos, &l)) {
		int64_t t;
		size_t at = pacman_stamp(&l, &cc, &t), mn;
		const char *msg;
		if (!at)
			continue;
		msg = l.p + at;
		mn = l.len - at;
		if (mn > 1 && msg[0] == '[') { /* the tag: [PACMAN], [ALPM], [ALPM-SCRIPTLET] */
			const char *close = memchr(msg, ']', mn);
			if (!close)
				continue;
			mn -= (size_t)(close - msg) + 1;
			msg = close + 1;
			while (mn && *msg == ' ')
				msg++, mn--;
		}
		if (mn > 10 && !memcmp(msg, "Running '", 9) && msg[mn - 1] == '\'') {
			if (e && (rc = emit(&e, fn, ctx)) != OMG_OK)
				break;
			free(cmd);
			if (!(cmd = dupn(msg + 9, mn - 10))) {
				rc = OMG_ERROR(OMG_E_NOMEM, "history");
				break;
			}
			*tail = cmd_off = l.off; /* the next transaction's command: read again with it */
			continue;
		}
		if (mn == 19 && !memcmp(msg, "transaction started", 19)) {
			if ((rc = emit(&e, fn, ctx)) != OMG_OK)
				break;
		} else if (mn >= 12 && !memcmp(msg, "transaction ", 12)) {
			if (e) { /* completed, or failed / interrupted: said as the error */
				e->end = t;
				if (!(mn == 21 && !memcmp(msg + 12, "completed", 9)))
					rc = set_text(&e->error, msg, mn);
				if (rc == OMG_OK)
					rc = emit(&e, fn, ctx);
			}
			continue;
		} else if (!change_verb(msg, mn)) {
			continue; /* hooks, scriptlets, warnings */
		}
		if (!e) {
			if (!(e = entry_new(PMLOG_PACMAN, t))) {
				rc = OMG_ERROR(OMG_E_NOMEM, "history");
				break;
			}
			*tail = e->offset = l.off;
			if (cmd) {
				free(e->commandline);
				e->commandline = cmd;
				cmd = NULL;
				*tail = e->offset = cmd_off;
			}
		}
		e->end = t;
		rc = pacman_change(e, msg, mn);
	}
	if (rc == OMG_OK)
		rc = emit(&e, fn, ctx);
	pmlog_entry_free(e);
	free(cmd);
	return rc;
}
