/* test_aptsim — apt-get -s's output as omgd reads it (omgd/plan/aptsim.c).
 *
 * Each tests/cases/aptsim/NAME.out is what `LC_ALL=C apt-get -s ...` printed on a real
 * system (the case's first line says which command, in NAME.cmd when kept); NAME.expect is
 * the reading this test must give, one line per fact:
 *
 *   op install|upgrade|downgrade|reinstall|remove|purge NAME ARCH FROM TO | RELEASE
 *   kept NAME · autoremovable NAME · note TEXT · problem TEXT (each line of it)
 *
 * ("-" for an empty field). A new case is two new files. */
#include "config.h"
#include "omg_error.h"
#include "plan/aptsim.h"
#include "proto.h"

#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#define CASES OMG_SRCDIR "/tests/cases/aptsim"

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	if (buf) {
		buf[n] = 0;
		*len = (size_t)n;
	}
	return buf;
}

static const char *dash(const char *s)
{
	return s && s[0] ? s : "-";
}

/* The reading of S as the .expect files write it. */
static void render(const struct aptsim *s, FILE *out)
{
	for (uint32_t i = 0; i < s->nops; i++) {
		const struct aptsim_op *o = &s->ops[i];
		fprintf(out, "op %s %s %s %s %s | %s\n", omg_op_name(o->op), o->name, dash(o->arch), dash(o->from),
			dash(o->to), dash(o->release));
	}
	for (uint32_t i = 0; i < s->nkept; i++)
		fprintf(out, "kept %s\n", s->kept[i]);
	for (uint32_t i = 0; i < s->nautoremovable; i++)
		fprintf(out, "autoremovable %s\n", s->autoremovable[i]);
	for (uint32_t i = 0; i < s->nnotes; i++)
		fprintf(out, "note %s\n", s->notes[i]);
	for (const char *p = s->problem; *p;) {
		size_t n = strcspn(p, "\n");
		fprintf(out, "problem %.*s\n", (int)n, p);
		p += n + (p[n] == '\n');
	}
}

static void test_cases(void **state)
{
	DIR *dir = opendir(CASES);
	struct dirent *e;
	int cases = 0;
	(void)state;

	assert_non_null(dir);
	while ((e = readdir(dir))) {
		char path[4096], *text, *expect, *got = NULL;
		size_t len, elen, glen = 0, n = strlen(e->d_name);
		struct aptsim s;
		FILE *mem;
		if (n < 5 || strcmp(e->d_name + n - 4, ".out") != 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", CASES, e->d_name);
		assert_non_null(text = slurp(path, &len));
		snprintf(path, sizeof path, "%s/%.*s.expect", CASES, (int)(n - 4), e->d_name);
		expect = slurp(path, &elen);
		if (!expect)
			fail_msg("%s has no .expect", e->d_name);
		assert_int_equal(aptsim_parse(text, len, &s), OMG_OK);
		mem = open_memstream(&got, &glen);
		render(&s, mem);
		fclose(mem);
		if (strcmp(got, expect) != 0)
			fail_msg("%s: read as\n%s\nexpected\n%s", e->d_name, got, expect);
		aptsim_free(&s);
		free(got);
		free(expect);
		free(text);
		cases++;
	}
	closedir(dir);
	print_message("%d cases\n", cases);
	assert_true(cases >= 10);
}

/* Lines apt never writes: cut, unterminated, NUL inside, an Inst without its parenthesis. */
static void test_hostile(void **state)
{
	static const char bad[] = "Inst \nInst x\nInst y [1.0\nInst z (\nRemv\nInst a (1.0\0 b)\nPurg q [2\n"
				  "The following packages have been kept back:\n    \n  k1\tk2\nE: \n";
	struct aptsim s;
	(void)state;

	assert_int_equal(aptsim_parse(bad, sizeof bad - 1, &s), OMG_OK);
	assert_int_equal(s.nops, 0);
	assert_int_equal(s.nkept, 1); /* "k1\tk2" is one word: apt separates with spaces */
	aptsim_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_hostile),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
