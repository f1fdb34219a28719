/* test_deb822.c — the control-data reader and the apt.conf reader. */
#include "config.h"
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "aptconf.h"
#include "deb822.h"

static void test_paragraphs_and_fields(void **state)
{
	static const char text[] =
		"\n\nPackage: bash\nVersion: 5.2-1\nDescription: GNU shell\n more text\n .\n last\n"
		"Depends: libc6 (>= 2.36),\n  libtinfo6\n\n  \t\nPackage: zsh\n# a comment\nVersion: 5.9\n";
	struct deb822_para p;
	struct deb822_field f;
	size_t pos = 0, fp = 0;
	(void)state;

	assert_int_equal(deb822_next_para(text, strlen(text), &pos, &p), 1);
	assert_int_equal(deb822_next_field(&p, &fp, &f), 1);
	assert_true(deb822_is(&f, "package"));
	assert_int_equal(f.value_len, 4);
	assert_memory_equal(f.value, "bash", 4);
	assert_int_equal(deb822_next_field(&p, &fp, &f), 1);
	assert_int_equal(deb822_next_field(&p, &fp, &f), 1);
	assert_true(deb822_is(&f, "Description"));
	assert_int_equal(deb822_first_line(f.value, f.value_len), strlen("GNU shell"));
	assert_memory_equal(f.value + f.value_len - 5, " last", 5);
	/* a paragraph without the field: its value is NULL (found by fuzz_dpkg_root) */
	assert_int_equal(deb822_first_line(NULL, 0), 0);
	assert_int_equal(deb822_next_field(&p, &fp, &f), 1);
	assert_true(deb822_is(&f, "Depends"));
	assert_memory_equal(f.value, "libc6 (>= 2.36),\n  libtinfo6", f.value_len);
	assert_int_equal(deb822_next_field(&p, &fp, &f), 0);
	/* a line of blanks separates paragraphs too; comments are skipped */
	assert_int_equal(deb822_next_para(text, strlen(text), &pos, &p), 1);
	fp = 0;
	assert_int_equal(deb822_next_field(&p, &fp, &f), 1);
	assert_memory_equal(f.value, "zsh", 3);
	assert_int_equal(deb822_next_field(&p, &fp, &f), 1);
	assert_true(deb822_is(&f, "Version"));
	assert_int_equal(deb822_next_para(text, strlen(text), &pos, &p), 0);
}

static void test_malformed(void **state)
{
	static const char *const bad[] = { "no colon here\n", " continuation first\n", ":empty name\n" };
	(void)state;

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct deb822_para p;
		struct deb822_field f;
		size_t pos = 0, fp = 0;
		assert_int_equal(deb822_next_para(bad[i], strlen(bad[i]), &pos, &p), 1);
		assert_int_equal(deb822_next_field(&p, &fp, &f), -1);
	}
}

static void test_truncated_value(void **state)
{
	static const char text[] = "Package: a\nVersion: 1"; /* no final newline */
	struct deb822_para p;
	struct deb822_field f;
	size_t pos = 0, fp = 0;
	(void)state;

	assert_int_equal(deb822_next_para(text, strlen(text), &pos, &p), 1);
	assert_int_equal(deb822_next_field(&p, &fp, &f), 1);
	assert_int_equal(deb822_next_field(&p, &fp, &f), 1);
	assert_int_equal(f.value_len, 1);
	assert_int_equal(deb822_next_field(&p, &fp, &f), 0);
}

static int count;
static void counter(void *ctx, const char *v)
{
	(void)ctx;
	(void)v;
	count++;
}

/* Found by the hostile test: a NUL inside a value cut it short (every later reader takes it
 * as a C string). Such a field makes the paragraph malformed, in the value or its
 * continuation lines. */
static void test_nul_in_field(void **state)
{
	static const char a[] = "Package: x\nDescription: before\0after\nVersion: 1\n";
	static const char b[] = "Package: x\nDescription: d\n more\0text\n";
	const char *const texts[] = { a, b };
	const size_t lens[] = { sizeof a - 1, sizeof b - 1 };
	(void)state;

	for (int i = 0; i < 2; i++) {
		struct deb822_para p;
		struct deb822_field f;
		size_t pos = 0, fp = 0;
		int r;
		assert_int_equal(deb822_next_para(texts[i], lens[i], &pos, &p), 1);
		while ((r = deb822_next_field(&p, &fp, &f)) == 1)
			;
		assert_int_equal(r, -1);
	}
}

static void test_aptconf(void **state)
{
	static const char conf[] =
		"// comment\nAPT::NeverAutoRemove { \"^linux-image.*\"; \"^keep$\"; };\n"
		"APT { AutoRemove { SuggestsImportant \"false\"; }; Architectures { \"amd64\"; \"i386\"; }; };\n"
		"/* block\n comment */ Dir::Cache::pkgcache \"\";\n# hash comment\n"
		"APT::NeverAutoRemove:: \"^more\";\nDir \"/x/\";\nDir::State \"var/lib/apt/\";\nDir \"/y/\";\n"
		"#clear APT::Architectures;\nAPT::Architectures:: \"arm64\";\n";
	struct aptconf c = { 0 };
	(void)state;

	assert_int_equal(aptconf_parse(&c, conf, strlen(conf)), 0);
	assert_int_equal(c.errors, 0);
	count = 0;
	aptconf_each(&c, "apt::neverautoremove", counter, NULL);
	assert_int_equal(count, 3);
	assert_int_equal(aptconf_bool(&c, "APT::AutoRemove::SuggestsImportant", 1), 0);
	assert_int_equal(aptconf_bool(&c, "APT::AutoRemove::RecommendsImportant", 1), 1);
	assert_string_equal(aptconf_get(&c, "Dir::Cache::pkgcache", "x"), "");
	/* setting a scope's value keeps its children */
	assert_string_equal(aptconf_get(&c, "dir", ""), "/y/");
	assert_string_equal(aptconf_get(&c, "dir::state", ""), "var/lib/apt/");
	count = 0;
	aptconf_each(&c, "apt::architectures", counter, NULL);
	assert_int_equal(count, 1); /* cleared, then one added */
	aptconf_free(&c);
}

static void test_aptconf_garbage(void **state)
{
	static const char conf[] = "}}} { ; \"unterminated\nA::B \"c\"\n";
	struct aptconf c = { 0 };
	(void)state;

	assert_int_equal(aptconf_parse(&c, conf, strlen(conf)), 0);
	assert_true(c.errors > 0);
	aptconf_free(&c);
}

/* Found by fuzz_deb822: a NUL byte made the lexer stop advancing. */
static void test_aptconf_nul_byte(void **state)
{
	static const char conf[] = "Package: b\0as\nA \"x\";\n";
	struct aptconf c = { 0 };
	(void)state;

	assert_int_equal(aptconf_parse(&c, conf, sizeof conf - 1), 0);
	aptconf_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_paragraphs_and_fields),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_truncated_value),
		cmocka_unit_test(test_nul_in_field),
		cmocka_unit_test(test_aptconf),
		cmocka_unit_test(test_aptconf_garbage),
		cmocka_unit_test(test_aptconf_nul_byte),
	};
	return cmocka_run_group_tests_name("deb822", tests, NULL, NULL);
}
