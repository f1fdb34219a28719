/* test_pacmanconf.c — pacman.conf as pacman reads it: sections in order, options, globs,
 * Include inside the root, comments and junk. */
#include "config.h"
#include "omg_error.h"
#include "pacmanconf.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

static void test_sample(void **state)
{
	struct pacmanconf c;
	FILE *f = fopen(OMG_SRCDIR "/tests/fixtures/pacman.conf.sample", "r");
	char buf[4096];
	size_t n;
	(void)state;

	assert_non_null(f);
	n = fread(buf, 1, sizeof buf, f);
	fclose(f);
	assert_int_equal(pacmanconf_parse(&c, "/", buf, n), OMG_OK);
	assert_int_equal(c.nrepos, 3);
	assert_string_equal(c.repos[0], "core");
	assert_string_equal(c.repos[1], "extra");
	assert_string_equal(c.repos[2], "custom");
	assert_string_equal(c.dbpath, "/var/lib/pacman/");
	assert_int_equal(c.nignore_pkg, 2);
	assert_true(pacmanconf_ignored(&c, "linux-lts"));
	assert_true(pacmanconf_ignored(&c, "firefox"));
	assert_false(pacmanconf_ignored(&c, "firefox-esr"));
	assert_int_equal(c.nignore_group, 1);
	assert_int_equal(c.errors, 0);
	pacmanconf_free(&c);
}

static void test_junk_and_duplicates(void **state)
{
	static const char conf[] = "Key = before any section\n[options\n[]\n#[comment]\n"
				   "[core]\n[extra] \n[core]\nIgnorePkg = a\n[options]\nIgnorePkg = b c\n";
	struct pacmanconf c;
	(void)state;

	assert_int_equal(pacmanconf_parse(&c, "/", conf, sizeof conf - 1), OMG_OK);
	assert_int_equal(c.nrepos, 2); /* core once, in its first place */
	assert_string_equal(c.repos[0], "core");
	assert_string_equal(c.repos[1], "extra");
	assert_int_equal(c.errors, 3); /* the key before a section, "[options", "[]" */
	assert_int_equal(c.nignore_pkg, 2); /* IgnorePkg counts only in [options] */
	pacmanconf_free(&c);
}

static void test_include_inside_root(void **state)
{
	char root[] = "/tmp/omg-test-pacmanconf-XXXXXX", path[256];
	struct pacmanconf c;
	FILE *f;
	(void)state;

	assert_non_null(mkdtemp(root));
	snprintf(path, sizeof path, "%s/etc", root);
	mkdir(path, 0700);
	snprintf(path, sizeof path, "%s/etc/pacman.d", root);
	mkdir(path, 0700);
	snprintf(path, sizeof path, "%s/etc/pacman.d/a.conf", root);
	f = fopen(path, "w");
	fputs("[alpha]\nServer = x\n", f);
	fclose(f);
	snprintf(path, sizeof path, "%s/etc/pacman.d/b.conf", root);
	f = fopen(path, "w");
	fputs("[beta]\nInclude = /etc/pacman.d/b.conf\n", f); /* a loop: stops at depth 10 */
	fclose(f);
	snprintf(path, sizeof path, "%s/etc/pacman.conf", root);
	f = fopen(path, "w");
	fputs("[options]\nDBPath = /db/\nInclude = /etc/pacman.d/*.conf\n[omega]\n", f);
	fclose(f);
	assert_int_equal(pacmanconf_load(&c, root, NULL), OMG_OK);
	assert_int_equal(c.nrepos, 3);
	assert_string_equal(c.repos[0], "alpha");
	assert_string_equal(c.repos[1], "beta");
	assert_string_equal(c.repos[2], "omega");
	snprintf(path, sizeof path, "%s/db/", root);
	assert_string_equal(c.dbpath, path);
	pacmanconf_free(&c);
	snprintf(path, sizeof path, "rm -rf '%s'", root);
	assert_int_equal(system(path), 0);
	assert_int_equal(pacmanconf_load(&c, "/nonexistent-root", NULL), OMG_E_NOTFOUND);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sample),
		cmocka_unit_test(test_junk_and_duplicates),
		cmocka_unit_test(test_include_inside_root),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
