/* test_pmlog.c — the package managers' log parsers (omgd/pmlog.h) on the cases of
 * tests/cases/history: each NAME.log parsed as its name says (apt-*, dpkg*, pacman*), in UTC,
 * must give NAME.expect (the format is in that folder's README); and a log read in two parts,
 * cut anywhere, gives the same entries when read on from the tail (as omgd reads a live log). */
#include "config.h"
#include "omg_error.h"
#include "pmlog.h"
#include "proto.h"
#include "version.h"

#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#define CASES OMG_SRCDIR "/tests/cases/history"

struct text {
	char *p;
	size_t n, cap;
};

static void put(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int k;

	for (;;) {
		va_start(ap, fmt);
		k = vsnprintf(t->p ? t->p + t->n : NULL, t->p ? t->cap - t->n : 0, fmt, ap);
		va_end(ap);
		if (t->p && (size_t)k < t->cap - t->n)
			break;
		t->cap = (t->cap + (size_t)k + 1) * 2;
		assert_non_null(t->p = realloc(t->p, t->cap));
	}
	t->n += (size_t)k;
}

static const char *dash(const char *s)
{
	return s[0] ? s : "-";
}

static int show(struct pmlog_entry *e, void *ctx)
{
	static const char *const src[] = { "?", "apt", "dpkg", "pacman", "omgd" };
	struct text *t = ctx;

	put(t, "%s %lld %lld cmd=%s by=%s uid=", src[e->source], (long long)e->start, (long long)e->end, e->commandline,
	    e->requested_by);
	if (e->uid == PMLOG_UID_NONE)
		put(t, "-");
	else
		put(t, "%u", e->uid);
	put(t, " error=%s\n", e->error);
	for (uint32_t i = 0; i < e->nchanges; i++) {
		const struct pmlog_change *c = &e->changes[i];
		put(t, "  %s %s %s %s %s%s\n", omg_op_name(c->op), c->name, dash(c->arch), dash(c->from), dash(c->to),
		    c->automatic ? " automatic" : "");
	}
	pmlog_entry_free(e);
	return 0;
}

static char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	char *p;
	long len;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	assert_non_null(p = malloc((size_t)len + 1));
	assert_int_equal(fread(p, 1, (size_t)len, f), (size_t)len);
	p[len] = 0;
	fclose(f);
	*n = (size_t)len;
	return p;
}

static int parse(const char *name, const char *buf, size_t n, struct text *t, size_t *tail)
{
	if (!strncmp(name, "apt", 3))
		return pmlog_parse_apt(buf, n, show, t, tail);
	if (!strncmp(name, "dpkg", 4))
		return pmlog_parse_dpkg(buf, n, deb_version_compare, show, t, tail);
	return pmlog_parse_pacman(buf, n, show, t, tail);
}

static void test_cases(void **state)
{
	DIR *d = opendir(CASES);
	struct dirent *de;
	int ran = 0;

	(void)state;
	setenv("TZ", "UTC", 1);
	tzset();
	assert_non_null(d);
	while ((de = readdir(d))) {
		char path[4096], *log, *want;
		size_t n, wn, tail, len = strlen(de->d_name);
		struct text got = { 0 };
		if (len < 5 || strcmp(de->d_name + len - 4, ".log") != 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", CASES, de->d_name);
		log = slurp(path, &n);
		snprintf(path, sizeof path, "%s/%.*s.expect", CASES, (int)(len - 4), de->d_name);
		want = slurp(path, &wn);
		assert_int_equal(parse(de->d_name, log, n, &got, &tail), OMG_OK);
		put(&got, "%s", "");
		if (strcmp(got.p, want) != 0)
			fprintf(stderr, "%s: got\n%s\nwant\n%s\n", de->d_name, got.p, want);
		assert_string_equal(got.p, want);
		assert_true(tail <= n);
		/* cut anywhere: the entries before the first part's tail, then the rest read on from
		 * that tail, are the whole log's (what omgd does with a log that grows) */
		for (size_t cut = 0; cut <= n; cut += 7) {
			struct text first = { 0 }, all = { 0 }, again = { 0 };
			size_t t1, t2;
			assert_int_equal(parse(de->d_name, log, cut, &first, &t1), OMG_OK);
			assert_int_equal(parse(de->d_name, log, t1, &again, &t2), OMG_OK);
			put(&again, "%s", "");
			assert_int_equal(parse(de->d_name, log + t1, n - t1, &again, &t2), OMG_OK);
			assert_string_equal(again.p, want);
			free(first.p);
			free(all.p);
			free(again.p);
		}
		free(got.p);
		free(log);
		free(want);
		ran++;
	}
	closedir(d);
	assert_true(ran >= 3);
}

/* Hostile bytes: no crash, nothing read past the end (ASan), every entry freed. */
static void test_hostile(void **state)
{
	static const char *const inputs[] = {
		"Start-Date: 2024-13-45  99:99:99\nInstall: a (\n", "Start-Date: 2024-01-01  00:00:00\nInstall: x:y (1, 2, 3), (, ) z\n",
		"Start-Date: 2024-01-01  00:00:00\nRequested-By: u (99999999999)\n", "2024-01-01 00:00:00 install\n",
		"2024-01-01 00:00:00 upgrade a <none> <none>\n", "[2024-01-01T00:00:00+99] [ALPM] installed a (1)\n",
		"[2024-01-01T00:00:00+0100] [PACMAN] Running '\n[x] [ALPM] removed\n", "[\n[2024-01-01 00:00] installed b (2)\n",
	};
	(void)state;
	for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
		const char *names[] = { "apt", "dpkg", "pacman" };
		for (int k = 0; k < 3; k++) {
			struct text t = { 0 };
			size_t tail, n = strlen(inputs[i]);
			char *copy = malloc(n ? n : 1); /* exactly N bytes: ASan sees any read past them */
			assert_non_null(copy);
			memcpy(copy, inputs[i], n);
			assert_int_equal(parse(names[k], copy, n, &t, &tail), OMG_OK);
			assert_true(tail <= n);
			free(t.p);
			free(copy);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_hostile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
