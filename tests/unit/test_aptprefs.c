/* test_aptprefs.c — apt_preferences(5) parsing and pin matching, as tables of cases (each
 * checked against apt-cache policy 2.6.1 when it was written; see /docs/architecture.md). */
#include "config.h"
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "aptprefs.h"

/* A preferences text and what apt makes of it: pins, specific pins, rejected stanzas. */
static const struct parse_case {
	const char *text;
	size_t pins, specific;
	int errors;
} parse_cases[] = {
	{ "Package: *\nPin: release a=stable\nPin-Priority: 600\n", 1, 0, 0 },
	{ "Package: foo bar src:baz\nPin: version 1.0*\nPin-Priority: 1001\n", 3, 3, 0 },
	{ "Package: foo\nPin-Priority: 500\n", 0, 0, 0 },                     /* no Pin: skipped silently */
	{ "Package: *\nPin: version 1.0\nPin-Priority: 500\n", 0, 0, 1 },     /* version pin of every package */
	{ "Package: foo\nPin: release a=x\nPin-Priority: 0\n", 0, 0, 1 },     /* zero priority */
	{ "Package: foo\nPin: release a=x\n", 0, 0, 1 },                      /* no priority */
	{ "Package: foo\nPin: release a=x\nPin-Priority: never\n", 0, 0, 1 }, /* never: only for * */
	{ "Package: *\nPin: release a=x\nPin-Priority: never\n", 1, 0, 0 },
	{ "Package: foo\nPin: release a=x\nPin-Priority: 40000\n", 0, 0, 1 }, /* out of range */
	{ "Package: foo\nPin: bogus a=x\nPin-Priority: 10\n", 0, 0, 1 },      /* unknown pin type */
	{ "Pin: release a=x\nPin-Priority: 10\n", 0, 0, 1 },                  /* no Package */
	/* a comment line and a line of blanks do not end a stanza: one stanza, last field wins */
	{ "Package: foo\nPin: release a=x\nPin-Priority: 700\n# c\nPackage: bar\n", 1, 1, 0 },
	{ "Package: foo\nPin: release a=x\nPin-Priority: 700\n  \nPackage: bar\n", 1, 1, 0 },
	{ "Package: foo\r\nPin: release a=x\r\nPin-Priority: 700 # why\r\n\r\nPackage: *\r\nPin: origin \"\"\r\n"
	  "Pin-Priority: -5\r\n", 2, 1, 0 },
};

static void test_parse_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof parse_cases / sizeof parse_cases[0]; i++) {
		const struct parse_case *c = &parse_cases[i];
		struct aptprefs p = { 0 };
		assert_int_equal(aptprefs_parse(&p, c->text, strlen(c->text)), 0);
		if (p.n != c->pins || (size_t)p.specific != c->specific || p.errors != c->errors)
			fail_msg("case %zu: %zu pins, %d specific, %d errors", i, p.n, p.specific, p.errors);
		aptprefs_free(&p);
	}
}

static void test_fields_of_a_pin(void **state)
{
	static const char text[] = "Package: src:foo:any\nPin: release v=12*, o=Debian,a=stable , bare, l=Debian Backports\n"
				   "Pin-Priority: -32768\n\nPackage: *\nPin: release *\nPin-Priority: 5\n";
	struct aptprefs p = { 0 };
	(void)state;

	assert_int_equal(aptprefs_parse(&p, text, strlen(text)), 0);
	assert_int_equal(p.n, 2);
	assert_string_equal(p.v[0].name, "foo");
	assert_string_equal(p.v[0].arch, "any");
	assert_true(p.v[0].src);
	assert_false(p.v[0].pattern);
	assert_int_equal(p.v[0].prio, -32767); /* only "never" is never */
	assert_string_equal(p.v[0].rel[REL_V], "12");
	assert_true(p.v[0].prefix);
	assert_string_equal(p.v[0].rel[REL_A], "stable");
	assert_string_equal(p.v[0].rel[REL_L], "Debian Backports");
	assert_null(p.v[0].rel[REL_RELEASE]); /* a bare word among key=value pairs: ignored */
	assert_null(p.v[1].name);
	assert_true(p.v[1].match_all);
	assert_int_equal(aptprefs_default_release(&p, "bookworm-backports"), 0);
	assert_int_equal(p.n, 3);
	assert_int_equal(p.v[0].prio, 990); /* APT::Default-Release goes first */
	assert_string_equal(p.v[0].rel[REL_RELEASE], "bookworm-backports");
	aptprefs_free(&p);
}

/* A release or origin pin's data and whether it matches the stable list, the status file. */
static const struct match_case {
	const char *pin;
	int list, status;
} match_cases[] = {
	{ "release a=stable", 1, 0 },
	{ "release n=bookworm", 1, 0 },
	{ "release bookworm", 1, 0 },            /* a bare word: suite or codename */
	{ "release Bookworm", 1, 0 },            /* globs ignore case */
	{ "release 12.5", 1, 0 },                /* a bare version */
	{ "release 12", 0, 0 },                  /* exact: 12 is not 12.5 */
	{ "release 12*", 1, 0 },
	{ "release v=12*, o=Debian", 1, 0 },
	{ "release o=Debian, l=Debian-Security", 0, 0 },
	{ "release l=/^deb/", 1, 0 },            /* a regex, ignoring case */
	{ "release c=main, b=amd64", 1, 0 },
	{ "release c=contrib", 0, 0 },
	{ "release b=i386", 0, 0 },
	{ "release a=now", 0, 1 },               /* the status file's archive */
	{ "release now", 0, 1 },
	{ "release *", 1, 1 },
	{ "release", 0, 1 },                     /* nothing to match: apt matches the status file only */
	{ "release x=1", 0, 1 },
	{ "release stable, c=main", 1, 0 },
	{ "origin deb.debian.org", 1, 0 },
	{ "origin \"deb.debian.org\"", 1, 0 },
	{ "origin *.org", 1, 0 },
	{ "origin \"\"", 0, 0 },
};

static void test_match_table(void **state)
{
	const struct aptpin_file list = { .version = "12.5", .origin = "Debian", .archive = "stable",
					  .codename = "bookworm", .label = "Debian", .component = "main",
					  .arch = "amd64", .site = "deb.debian.org" };
	const struct aptpin_file status = { .status = 1 };
	(void)state;

	for (size_t i = 0; i < sizeof match_cases / sizeof match_cases[0]; i++) {
		const struct match_case *c = &match_cases[i];
		char text[256];
		struct aptprefs p = { 0 };
		snprintf(text, sizeof text, "Package: *\nPin: %s\nPin-Priority: 600\n", c->pin);
		assert_int_equal(aptprefs_parse(&p, text, strlen(text)), 0);
		assert_int_equal(p.n, 1);
		if (aptpin_file_matches(&p.v[0], &list) != c->list || aptpin_file_matches(&p.v[0], &status) != c->status)
			fail_msg("Pin: %s: list %d, status %d", c->pin, aptpin_file_matches(&p.v[0], &list),
				 aptpin_file_matches(&p.v[0], &status));
		aptprefs_free(&p);
	}
}

static const struct version_case {
	const char *pin, *version;
	int match;
} version_cases[] = {
	{ "1.0*", "1.0-1", 1 }, { "1.0", "1.0-1", 0 }, { "1.0-1", "1.0-1", 1 }, { "0:1.0-1", "1.0-1", 0 },
	{ "1.?-1", "1.5-1", 1 }, { "*bpo*", "1.5-1~bpo", 1 },
	{ "*bpo*", "1.5-1~bpo12+1", 0 }, /* apt drops the last "*" first: the glob is "*bpo" */ { "/^1\\.[05]/", "1.5-1", 1 },
	{ "2*", "1.5-1", 0 },
};

static void test_version_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof version_cases / sizeof version_cases[0]; i++) {
		const struct version_case *c = &version_cases[i];
		char text[256];
		struct aptprefs p = { 0 };
		snprintf(text, sizeof text, "Package: foo\nPin: version %s\nPin-Priority: 600\n", c->pin);
		assert_int_equal(aptprefs_parse(&p, text, strlen(text)), 0);
		if (aptpin_version_matches(&p.v[0], c->version) != c->match)
			fail_msg("Pin: version %s against %s", c->pin, c->version);
		aptprefs_free(&p);
	}
	assert_true(aptpin_expr("lib*", "LIBFOO"));  /* globs ignore case */
	assert_false(aptpin_expr("lib*", NULL));
	assert_false(aptpin_expr("/[/", "x"));       /* a bad regex matches nothing */
	/* ere.h's guard: a pattern that would make regcomp allocate without bound matches nothing */
	assert_false(aptpin_expr("/x++++++/", "xxx"));
	assert_true(aptpin_expr("/^g++$/", "ggg"));  /* two stacked ("g++"): allowed, as regcomp takes it */
	assert_false(aptpin_expr("/(a{200}){200}/", "a"));
	assert_false(aptpin_expr("/a{300}/", "a"));
	assert_true(aptpin_expr("/^lib(foo|bar)[0-9]+$/", "libfoo2"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_table),
		cmocka_unit_test(test_fields_of_a_pin),
		cmocka_unit_test(test_match_table),
		cmocka_unit_test(test_version_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
