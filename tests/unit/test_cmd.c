/* test_cmd.c — the client's parsing as tables: omg's options (omg_parse_opts, what omg_run
 * and the shell modules use) and the times --since takes (omg_parse_since).
 *
 * One row a case; a new case is a new row. An option row gives the words after "omg" and
 * either the parse as one line (the command, its arguments, then each option that differs
 * from its default) or the one usage line printed on stderr. The forms are omg(1)'s: long
 * options as --name VALUE or --name=VALUE, short ones bundled (-di) with a value attached or
 * next (-n3, -n 3), options before or after the command, "--" ending them.
 */
#include "config.h"
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd.h"

/* ---- options ---------------------------------------------------------------------------- */

#define MAXW 8

static const struct opt_row {
	const char *words[MAXW];  /* after "omg"; NULL ends them */
	int rc;                   /* OMG_EXIT_OK or OMG_EXIT_USAGE */
	const char *want;         /* OK: describe()'s line; USAGE: the line on stderr */
} OPTS[] = {
	{ { "search", "fire" }, OMG_EXIT_OK, "search args=fire" },
	{ { "search", "fire", "fox" }, OMG_EXIT_OK, "search args=fire,fox" },
	/* -n with its value attached, next, or as --limit N / --limit=N */
	{ { "search", "-n3", "fire" }, OMG_EXIT_OK, "search args=fire limit=3" },
	{ { "search", "-n", "3", "fire" }, OMG_EXIT_OK, "search args=fire limit=3" },
	{ { "search", "--limit", "7", "fire" }, OMG_EXIT_OK, "search args=fire limit=7" },
	{ { "search", "--limit=7", "fire" }, OMG_EXIT_OK, "search args=fire limit=7" },
	{ { "search", "-n", "0", "fire" }, OMG_EXIT_OK, "search args=fire limit=0" },
	{ { "search", "-n", "1000000", "x" }, OMG_EXIT_OK, "search args=x limit=1000000" },
	/* options before the command, after it, between its arguments */
	{ { "-di", "search", "fire" }, OMG_EXIT_OK, "search args=fire d i" },
	{ { "search", "fire", "--json" }, OMG_EXIT_OK, "search args=fire json" },
	{ { "search", "a", "-i", "b" }, OMG_EXIT_OK, "search args=a,b i" },
	/* bundles: flags, then one option taking the rest or the next word */
	{ { "search", "-dn3", "x" }, OMG_EXIT_OK, "search args=x limit=3 d" },
	{ { "search", "-din", "4", "x" }, OMG_EXIT_OK, "search args=x limit=4 d i" },
	/* the last word wins: --names-only undoes -d */
	{ { "search", "-d", "--names-only", "x" }, OMG_EXIT_OK, "search args=x names-only" },
	{ { "search", "--names-only", "-d", "x" }, OMG_EXIT_OK, "search args=x d" },
	{ { "search", "-n", "3", "-n", "5", "x" }, OMG_EXIT_OK, "search args=x limit=5" },
	/* "--" ends the options; a lone "-" is a word */
	{ { "search", "--", "-n" }, OMG_EXIT_OK, "search args=-n" },
	{ { "--", "-d" }, OMG_EXIT_OK, "-d" },
	{ { "search", "-" }, OMG_EXIT_OK, "search args=-" },
	/* every other option */
	{ { "--timeout", "250", "ping" }, OMG_EXIT_OK, "ping timeout=250" },
	{ { "--timeout=0", "ping" }, OMG_EXIT_OK, "ping" },
	{ { "history", "--since", "2h" }, OMG_EXIT_OK, "history since=2h" },
	{ { "history", "--since=2023-11-01 10:30" }, OMG_EXIT_OK, "history since=2023-11-01 10:30" },
	{ { "audit", "log", "--verify" }, OMG_EXIT_OK, "audit args=log verify" },
	{ { "not-found", "--shell", "bash", "gti" }, OMG_EXIT_OK, "not-found args=gti shell=bash" },
	{ { "complete", "-A", "COMPREPLY", "fi" }, OMG_EXIT_OK, "complete args=fi array=COMPREPLY" },
	{ { "complete", "-AREPLY" }, OMG_EXIT_OK, "complete array=REPLY" },
	{ { "info", "--no-aur", "x" }, OMG_EXIT_OK, "info args=x no-aur" },
	{ { "show", "-a", "bash" }, OMG_EXIT_OK, "show args=bash all" },
	{ { "show", "--all-versions", "bash" }, OMG_EXIT_OK, "show args=bash all" },
	{ { "-h" }, OMG_EXIT_OK, "- help" },
	{ { "search", "--help" }, OMG_EXIT_OK, "search help" },
	{ { "-V" }, OMG_EXIT_OK, "- version" },
	{ { "--version" }, OMG_EXIT_OK, "- version" },
	{ { NULL }, OMG_EXIT_OK, "-" },
	/* usage errors: one line, naming the option (a long one without its =VALUE) */
	{ { "search", "--bogus" }, OMG_EXIT_USAGE, "omg: unknown option --bogus (try 'omg help')" },
	{ { "search", "--bogus=1" }, OMG_EXIT_USAGE, "omg: unknown option --bogus (try 'omg help')" },
	{ { "search", "-z" }, OMG_EXIT_USAGE, "omg: unknown option -z (try 'omg help')" },
	{ { "search", "-dz" }, OMG_EXIT_USAGE, "omg: unknown option -z (try 'omg help')" },
	{ { "search", "--json=yes" }, OMG_EXIT_USAGE, "omg: --json takes no value" },
	{ { "search", "--limit" }, OMG_EXIT_USAGE, "omg: --limit needs a value" },
	{ { "search", "-n" }, OMG_EXIT_USAGE, "omg: -n needs a value" },
	{ { "search", "-n", "abc" }, OMG_EXIT_USAGE, "omg: -n: not a number: abc" },
	{ { "search", "-n", "-1" }, OMG_EXIT_USAGE, "omg: -n: not a number: -1" },
	{ { "search", "-n", "3x" }, OMG_EXIT_USAGE, "omg: -n: not a number: 3x" },
	{ { "search", "-nd" }, OMG_EXIT_USAGE, "omg: -n: not a number: d" },
	{ { "search", "--limit=" }, OMG_EXIT_USAGE, "omg: --limit: not a number: " },
	{ { "search", "--limit=1000001" }, OMG_EXIT_USAGE, "omg: --limit: not a number: 1000001" },
	{ { "--timeout", "soon", "ping" }, OMG_EXIT_USAGE, "omg: --timeout: not a number: soon" },
	{ { "not-found", "--shell=", "x" }, OMG_EXIT_USAGE, "omg: --shell needs the shell's name" },
	{ { "complete", "-A", "" }, OMG_EXIT_USAGE, "omg: -A needs an array name" },
	{ { "complete", "-A" }, OMG_EXIT_USAGE, "omg: -A needs a value" },
	{ { "history", "--since" }, OMG_EXIT_USAGE, "omg: --since needs a value" },
};

/* The parse as one line: the command ("-" for none), then what differs from the defaults. */
static void describe(const char *cmd, const struct omg_opts *o, char *buf, size_t n)
{
	size_t len = (size_t)snprintf(buf, n, "%s", cmd ? cmd : "-");

#define ADD(...) (len += (size_t)snprintf(buf + len, len < n ? n - len : 0, __VA_ARGS__))
	for (int i = 0; i < o->nargs; i++)
		ADD("%s%s", i ? "," : " args=", o->args[i]);
	if (o->limit != -1)
		ADD(" limit=%d", o->limit);
	if (o->flags & OMG_SEARCH_DESCRIPTIONS)
		ADD(" d");
	if (o->flags & OMG_SEARCH_INSTALLED)
		ADD(" i");
	if (o->names_only)
		ADD(" names-only");
	if (o->json)
		ADD(" json");
	if (o->timeout_ms)
		ADD(" timeout=%d", o->timeout_ms);
	if (o->since)
		ADD(" since=%s", o->since);
	if (o->verify)
		ADD(" verify");
	if (o->no_aur)
		ADD(" no-aur");
	if (o->shell)
		ADD(" shell=%s", o->shell);
	if (o->array)
		ADD(" array=%s", o->array);
	if (o->help)
		ADD(" help");
	if (o->version)
		ADD(" version");
	if (o->all)
		ADD(" all");
#undef ADD
}

static void test_options_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof OPTS / sizeof OPTS[0]; i++) {
		const struct opt_row *r = &OPTS[i];
		char *argv[MAXW + 2] = { "omg" }, *err = NULL, got[512];
		const char *cmd = NULL;
		size_t errlen = 0;
		int argc = 1, rc;
		struct omg_env env = { .out = stdout, .prog = "omg" };
		struct omg_ctx ctx = { .env = &env };

		for (int k = 0; k < MAXW && r->words[k]; k++)
			argv[argc++] = (char *)r->words[k];
		env.err = open_memstream(&err, &errlen);
		assert_non_null(env.err);
		rc = omg_parse_opts(&ctx, argc, argv, &cmd);
		fclose(env.err);
		if (rc == OMG_EXIT_OK) {
			describe(cmd, &ctx.opts, got, sizeof got);
			assert_int_equal(errlen, 0); /* nothing on stderr */
		} else {
			snprintf(got, sizeof got, "%.*s", errlen && err[errlen - 1] == '\n' ? (int)errlen - 1 : (int)errlen,
				 err);
			assert_null(strchr(got, '\n')); /* one line */
		}
		if (rc != r->rc || strcmp(got, r->want) != 0)
			print_message("row %zu (omg %s ...)\n", i, r->words[0] ? r->words[0] : "");
		assert_int_equal(rc, r->rc);
		assert_string_equal(got, r->want);
		free(ctx.opts.args);
		free(err);
	}
}

/* ---- --since ------------------------------------------------------------------------------ */

#define NOW 1700000000ull     /* 2023-11-14 22:13:20 UTC; the table runs with TZ=UTC */
#define FAILS UINT64_MAX

static const struct since_row {
	const char *text;
	uint64_t now;             /* 0: NOW */
	uint64_t want;            /* unix seconds, or FAILS (omg_parse_since returns -1) */
} SINCES[] = {
	/* @UNIXTIME */
	{ "@0", 0, 0 },
	{ "@1700000000", 0, 1700000000 },
	{ "@", 0, FAILS },
	{ "@12x", 0, FAILS },
	{ "@-5", 0, FAILS },                       /* was 2^64 - 5 (strtoull takes a sign) */
	{ "@ 5", 0, FAILS },                       /* was 5 (strtoull skips blanks) */
	{ "@99999999999999999999999", 0, FAILS },  /* was UINT64_MAX (out of range) */
	/* a span ago: s, m, h, d, w, optionally followed by " ago" */
	{ "90s", 0, NOW - 90 },
	{ "3m", 0, NOW - 180 },
	{ "2h", 0, NOW - 7200 },
	{ "2h ago", 0, NOW - 7200 },
	{ "7d", 0, NOW - 7 * 86400 },
	{ "1w", 0, NOW - 604800 },
	{ "0d", 0, NOW },
	{ "99999999999d", 0, 0 },                  /* before the epoch: from the start */
	{ "2", 0, FAILS },
	{ "2x", 0, FAILS },
	{ "2 h", 0, FAILS },
	{ "2hago", 0, FAILS },
	{ "2h  ago", 0, FAILS },
	{ "h", 0, FAILS },
	/* today and yesterday: local midnight */
	{ "today", 0, 1699920000 },
	{ "yesterday", 0, 1699833600 },
	{ "yesterday", 1709294400, 1709164800 },   /* on 2024-03-01: 2024-02-29 */
	{ "Today", 0, FAILS },
	/* YYYY-MM-DD with an optional HH:MM[:SS], after a space or a T (local time) */
	{ "2023-11-01", 0, 1698796800 },
	{ "2023-11-01 10:30", 0, 1698834600 },
	{ "2023-11-01T10:30:15", 0, 1698834615 },
	{ "2023-11-01 10:30:15", 0, 1698834615 },
	{ "2024-02-29", 0, 1709164800 },
	{ "1970-01-01", 0, 0 },
	{ "2023-12-31 23:59:59", 0, 1704067199 },
	{ "2023-02-30", 0, FAILS },                 /* no such day (was 2023-03-02) */
	{ "2023-04-31", 0, FAILS },                 /* was 2023-05-01 */
	{ "2023-02-29", 0, FAILS },                 /* not a leap year (was 2023-03-01) */
	{ "2023-13-01", 0, FAILS },
	{ "2023-11-01 25:00", 0, FAILS },
	{ "2023-11-01x", 0, FAILS },
	{ "2023-11-01 ", 0, FAILS },
	{ "2023-11", 0, FAILS },
	{ "1969-12-31", 0, FAILS },                 /* before the epoch */
	{ "", 0, FAILS },
	{ "soon", 0, FAILS },
};

static void test_since_table(void **state)
{
	(void)state;
	setenv("TZ", "UTC", 1);
	tzset();
	for (size_t i = 0; i < sizeof SINCES / sizeof SINCES[0]; i++) {
		const struct since_row *r = &SINCES[i];
		uint64_t got = 12345;
		int rc = omg_parse_since(r->text, r->now ? r->now : NOW, &got);

		if (rc != 0)
			got = FAILS;
		if (got != r->want || (rc != 0 && rc != -1))
			print_message("row %zu: --since '%s': %d, %llu\n", i, r->text, rc, (unsigned long long)got);
		assert_true(rc == 0 || rc == -1);
		assert_int_equal(got, r->want);
	}
}

/* Local time is the machine's: the same dates in another zone move by its offset. */
static void test_since_local_time(void **state)
{
	uint64_t got;
	(void)state;

	setenv("TZ", "EST5", 1); /* UTC-5, no DST */
	tzset();
	assert_int_equal(omg_parse_since("2023-11-01", NOW, &got), 0);
	assert_int_equal(got, 1698796800 + 5 * 3600);
	assert_int_equal(omg_parse_since("today", NOW, &got), 0); /* 17:13 there */
	assert_int_equal(got, 1699920000 + 5 * 3600);
	assert_int_equal(omg_parse_since("@100", NOW, &got), 0); /* not local */
	assert_int_equal(got, 100);
	assert_int_equal(omg_parse_since("2h", NOW, &got), 0);
	assert_int_equal(got, NOW - 7200);
	setenv("TZ", "UTC", 1);
	tzset();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_options_table),
		cmocka_unit_test(test_since_table),
		cmocka_unit_test(test_since_local_time),
	};
	return cmocka_run_group_tests_name("cmd", tests, NULL, NULL);
}
