/* test_version.c — deb_version_compare against `dpkg --compare-versions` on a generated
 * corpus (epochs, tildes, letters, digits, revisions), plus hand-picked cases. */
#include "config.h"
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "version.h"

#define PAIRS 3000

static uint32_t rng = 12345;
static uint32_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

/* A valid Debian version: [epoch:]upstream[-revision], upstream starting with a digit. */
static void gen_version(char *out, size_t n)
{
	static const char up[] = "0123456789abcz.+~";
	static const char rev[] = "0123456789abz.+~";
	size_t len = 0;

	if (next_rand() % 4 == 0)
		len += (size_t)snprintf(out + len, n - len, "%u:", next_rand() % 3);
	out[len++] = (char)('0' + next_rand() % 3);
	for (uint32_t i = next_rand() % 6; i > 0 && len < n - 12; i--)
		out[len++] = up[next_rand() % (sizeof up - 1)];
	if (next_rand() % 3) {
		out[len++] = '-';
		out[len++] = (char)('0' + next_rand() % 3);
		for (uint32_t i = next_rand() % 4; i > 0 && len < n - 2; i--)
			out[len++] = rev[next_rand() % (sizeof rev - 1)];
	}
	out[len] = 0;
}

static int sign(int x) { return (x > 0) - (x < 0); }

static void test_known_cases(void **state)
{
	(void)state;
	assert_true(deb_version_compare("1.0~rc1", "1.0") < 0);
	assert_true(deb_version_compare("1:1.0", "2.0") > 0);
	assert_true(deb_version_compare("1.0-1", "1.0-1") == 0);
	assert_true(deb_version_compare("2.0~rc1-1", "2.0-1+deb12u1") < 0);
	assert_true(deb_version_compare("1.0a", "1.0+") < 0);
	assert_true(deb_version_compare("0:1.0", "1.0") == 0);
	assert_true(deb_version_compare("2.0-1~bpo12+1", "2.0-1") < 0);
	assert_true(deb_version_satisfies("2.5-1", ">=", "2.0"));
	assert_false(deb_version_satisfies("1.0-1", ">=", "5.0"));
	assert_true(deb_version_satisfies("1.0", "<<", "1.0.1"));
	assert_true(deb_version_satisfies("1.0", "=", "1.0"));
}

static void test_against_dpkg(void **state)
{
	static char a[PAIRS][48], b[PAIRS][48];
	char script[] = "/tmp/omg-vercmp-XXXXXX";
	char cmd[128], line[32];
	FILE *f, *p;
	int fd, i, mismatches = 0;
	(void)state;

	if (access("/usr/bin/dpkg", X_OK) != 0)
		skip();
	fd = mkstemp(script);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	for (i = 0; i < PAIRS; i++) {
		gen_version(a[i], sizeof a[i]);
		gen_version(b[i], sizeof b[i]);
		if (i % 10 == 0) /* some equal pairs */
			strcpy(b[i], a[i]);
		fprintf(f, "if dpkg --compare-versions '%s' lt '%s'; then echo -1; "
			   "elif dpkg --compare-versions '%s' eq '%s'; then echo 0; else echo 1; fi\n",
			a[i], b[i], a[i], b[i]);
	}
	fclose(f);
	snprintf(cmd, sizeof cmd, "sh %s 2>/dev/null", script);
	p = popen(cmd, "r");
	assert_non_null(p);
	for (i = 0; i < PAIRS && fgets(line, sizeof line, p); i++) {
		int want = atoi(line), got = sign(deb_version_compare(a[i], b[i]));
		if (want != got && mismatches++ < 10)
			print_error("mismatch: %s vs %s: dpkg %d, omg %d\n", a[i], b[i], want, got);
	}
	pclose(p);
	unlink(script);
	assert_int_equal(i, PAIRS);
	assert_int_equal(mismatches, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_cases),
		cmocka_unit_test(test_against_dpkg),
	};
	return cmocka_run_group_tests_name("version", tests, NULL, NULL);
}
