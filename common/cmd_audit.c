/* cmd_audit.c — omg audit log [--since T] [--verify]: omgd's audit log, read page by page
 * (AUDIT), verified by omgd, printed by the sink. (omg history: cmd_history.c.) */
#include "config.h"
#include "cmd.h"
#include "omg_error.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int omg_change_parse(const char *line, size_t len, struct omg_change *c)
{
	char *w[5] = { 0 }, *p, *colon;
	int n = 0;

	if (len >= sizeof c->buf)
		return -1;
	memcpy(c->buf, line, len);
	c->buf[len] = 0;
	for (p = strtok_r(c->buf, " ", &colon); p && n < 5; p = strtok_r(NULL, " ", &colon))
		w[n++] = p;
	if (n < 3 || strtok_r(NULL, " ", &colon))
		return -1;
	c->action = w[0];
	c->from = c->to = "";
	if (!strcmp(w[0], "install") && n == 3)
		c->to = w[2];
	else if (!strcmp(w[0], "remove") && n == 3)
		c->from = w[2];
	else if ((!strcmp(w[0], "upgrade") || !strcmp(w[0], "downgrade")) && n == 4)
		c->from = w[2], c->to = w[3];
	else
		return -1;
	if (!(colon = strrchr(w[1], ':')))
		return -1;
	*colon = 0;
	c->name = w[1];
	c->arch = colon + 1;
	return 0;
}

const char *omg_audit_kind_name(uint8_t kind)
{
	static const char *const names[] = { "?", "refresh", "change", "action", "verify", "lost", "start", "pruned" };

	return kind < sizeof names / sizeof names[0] ? names[kind] : "?";
}

void omg_change_each(const char *what, void (*fn)(const struct omg_change *c, void *ctx), void *ctx)
{
	struct omg_change c;

	for (const char *p = what; *p;) {
		const char *nl = strchr(p, '\n'), *e = nl ? nl : p + strlen(p);
		if (omg_change_parse(p, (size_t)(e - p), &c) == 0)
			fn(&c, ctx);
		p = nl ? nl + 1 : e;
	}
}

int omg_parse_since(const char *s, uint64_t now, uint64_t *out)
{
	struct tm tm = { 0 }, date = { 0 };
	char *end;
	time_t t;

	if (s[0] == '@') { /* digits only: strtoull would take blanks, a sign, an overflow */
		unsigned long long v;
		if (!isdigit((unsigned char)s[1]))
			return -1;
		errno = 0;
		v = strtoull(s + 1, &end, 10);
		if (*end || errno == ERANGE)
			return -1;
		return *out = v, 0;
	}
	if (isdigit((unsigned char)s[0])) {
		unsigned long long v = strtoull(s, &end, 10);
		static const struct { char unit; uint64_t secs; } units[] = {
			{ 's', 1 }, { 'm', 60 }, { 'h', 3600 }, { 'd', 86400 }, { 'w', 604800 },
		};
		for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
			if (end[0] == units[i].unit && (!end[1] || !strcmp(end + 1, " ago"))) {
				if (v > now / units[i].secs)
					return *out = 0, 0;
				return *out = now - v * units[i].secs, 0;
			}
	}
	if (!strcmp(s, "today") || !strcmp(s, "yesterday")) {
		time_t nt = (time_t)now;
		localtime_r(&nt, &tm);
		tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
		tm.tm_isdst = -1;
		if (s[0] == 'y')
			tm.tm_mday--;
	} else {
		memset(&tm, 0, sizeof tm);
		end = strptime(s, "%Y-%m-%d", &tm);
		if (!end)
			return -1;
		if (*end == ' ' || *end == 'T') {
			char *e2 = strptime(end + 1, "%H:%M:%S", &tm);
			if (!e2)
				e2 = strptime(end + 1, "%H:%M", &tm);
			end = e2;
		}
		if (!end || *end)
			return -1;
		tm.tm_isdst = -1;
		date = tm;
	}
	if ((t = mktime(&tm)) == (time_t)-1 || t < 0)
		return -1;
	/* a day the month does not have: mktime moves it on (2023-02-30 was 2023-03-02) */
	if (date.tm_mday && (tm.tm_mday != date.tm_mday || tm.tm_mon != date.tm_mon || tm.tm_year != date.tm_year))
		return -1;
	*out = (uint64_t)t;
	return 0;
}

/* Every page of records from FIRST_SINCE on; the first page carries the verdict. The
 * answers are copied, since the client's buffer serves the next call. */
struct pages {
	struct omg_audit_msg all;
	void **raw;
	size_t nraw;
};

static void pages_free(struct pages *p)
{
	for (size_t i = 0; i < p->nraw; i++)
		free(p->raw[i]);
	free(p->raw);
	free(p->all.recs);
}

static int fetch(struct omg_ctx *ctx, uint64_t since, int verify, struct pages *pg)
{
	struct omg_audit_query q = { .since = since, .flags = verify ? OMG_AUDIT_VERIFY : 0 };
	int rc;

	/* Verifying hashes the whole chain: it may take longer than a lookup's deadline, so it
	 * gets OMG_VERIFY_WAIT_MS unless --timeout says otherwise. */
	int wait_ms = verify ? omg_cmd_wait_ms(ctx, OMG_VERIFY_WAIT_MS) : ctx->timeout_ms;

	memset(pg, 0, sizeof *pg);
	for (;;) {
		struct omg_answer a;
		struct omg_audit_msg m;
		void *copy, **raw;
		struct omg_audit_rec *recs;
		omg_enc_audit_query(omg_client_begin(ctx->client, OMG_MSG_AUDIT), &q);
		if ((rc = omg_cmd_report(ctx, omg_client_call_within(ctx->client, &a, wait_ms))) != OMG_EXIT_OK)
			return rc;
		if (!(copy = malloc(a.length ? a.length : 1)) ||
		    !(raw = realloc(pg->raw, (pg->nraw + 1) * sizeof *raw))) {
			free(copy);
			return omg_cmd_fail(ctx, OMG_EXIT_ERROR, "out of memory");
		}
		memcpy(copy, a.payload, a.length);
		pg->raw = raw;
		pg->raw[pg->nraw++] = copy;
		if (omg_dec_audit(copy, a.length, &m) != OMG_OK)
			return omg_cmd_fail(ctx, OMG_EXIT_ERROR, "malformed AUDIT answer");
		if (pg->nraw == 1) {
			struct omg_audit_rec *keep = pg->all.recs;
			pg->all = m;
			pg->all.recs = keep;
			pg->all.count = 0;
		}
		if (m.count) {
			recs = realloc(pg->all.recs, (pg->all.count + m.count) * sizeof *recs);
			if (!recs) {
				omg_audit_free(&m);
				return omg_cmd_fail(ctx, OMG_EXIT_ERROR, "out of memory");
			}
			memcpy(recs + pg->all.count, m.recs, m.count * sizeof *recs);
			pg->all.recs = recs;
			pg->all.count += m.count;
			q.after_seq = m.recs[m.count - 1].seq;
		}
		{
			int more = m.more && m.count;
			omg_audit_free(&m);
			if (!more)
				break;
		}
		q.flags = 0; /* verified once, with the first page */
	}
	pg->all.more = 0;
	return OMG_EXIT_OK;
}

static int run(struct omg_ctx *ctx)
{
	uint64_t since = 0;
	struct pages pg;
	int rc;

	if (ctx->opts.since && omg_parse_since(ctx->opts.since, (uint64_t)time(NULL), &since) != 0)
		return omg_cmd_fail(ctx, OMG_EXIT_USAGE, "--since %s: use @UNIXTIME, YYYY-MM-DD[ HH:MM[:SS]], "
				    "a span such as 2h or 7d, today or yesterday", ctx->opts.since);
	rc = fetch(ctx, since, ctx->opts.verify, &pg);
	if (rc == OMG_EXIT_OK) {
		if (pg.all.store[0] && !pg.all.count && !ctx->opts.verify)
			/* no log to show: say why, on the error stream */
			omg_cmd_fail(ctx, OMG_EXIT_OK, "audit log: %s", pg.all.store);
		ctx->sink.ops->audit(&ctx->sink, &pg.all);
		if (ctx->opts.verify && pg.all.verdict == OMG_AUDIT_BROKEN)
			rc = OMG_EXIT_VERIFY;
		else if (ctx->opts.verify && pg.all.verdict == OMG_AUDIT_NOT_VERIFIED)
			rc = omg_cmd_fail(ctx, OMG_EXIT_ERROR, "audit log not verified: %s", pg.all.store);
	}
	pages_free(&pg);
	return rc;
}

int omg_cmd_audit(struct omg_ctx *ctx)
{
	if (ctx->opts.nargs >= 1 && !strcmp(ctx->opts.args[0], "verify"))
		return omg_cmd_verify(ctx);
	if (ctx->opts.nargs != 1 || strcmp(ctx->opts.args[0], "log") != 0)
		return omg_cmd_fail(ctx, OMG_EXIT_USAGE,
				    "usage: omg audit log [--since TIME] [--verify] [--json]\n"
				    "       omg audit verify [--full] [--last] [--no-archive] [--no-files] [PACKAGE...]");
	return run(ctx);
}
