/* test_aur.c — the AUR client's pure parts: info URLs batched under the AUR's limit and
 * URL-encoded; RPC v5 answers parsed field by field (data-driven: each case is a JSON text
 * and what the answer must say). */
#include "config.h"

#ifndef OMG_WITH_AUR
#include <stdio.h>

/* Built --without-aur: nothing of the AUR client to test. A TAP "skip all" plan (the unit
 * tests run under automake's TAP driver, which counts it as SKIP with this reason; an exit
 * status of 77 would be an ERROR there). */
int main(void)
{
	puts("1..0 # SKIP built --without-aur");
	return 0;
}
#else
#include "aur.h"
#include "omg_error.h"
#include "proto.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

struct urls {
	int n;
	size_t names;
	char seen[2000];
};

static int count_url(void *ctx, const char *url)
{
	struct urls *u = ctx;

	assert_true(strlen(url) < AUR_URL_MAX);
	assert_int_equal(strncmp(url, "https://aur.example/rpc/v5/info?arg[]=", 38), 0);
	for (const char *p = strstr(url, "arg[]="); p; p = strstr(p + 1, "arg[]=")) {
		int i = atoi(p + 6 + 7); /* "name%2B" + digits: see the names below */
		assert_true(i >= 0 && i < 2000);
		/* cppcheck-suppress negativeIndex ; assert_true above ends the test when i < 0 */
		assert_int_equal(u->seen[i], 0);
		u->seen[i] = 1;
		u->names++;
	}
	u->n++;
	return 0;
}

static void test_info_batches(void **state)
{
	static char buf[1000][32];
	const char *names[1000];
	struct urls u = { 0 };
	(void)state;

	for (int i = 0; i < 1000; i++) {
		snprintf(buf[i], sizeof buf[i], "name+%d", i); /* '+' must become %2B */
		names[i] = buf[i];
	}
	int made = aur_info_urls("https://aur.example", names, 1000, count_url, &u);
	assert_int_equal(made, u.n);
	assert_int_equal(u.names, 1000); /* every name once, none lost at a batch edge */
	assert_true(u.n >= 4);           /* 1000 names of ~18 bytes need several URLs */
}

static void test_info_one_too_long(void **state)
{
	static char longname[5000];
	const char *names[] = { longname, "ok" };
	struct urls u = { 0 };
	(void)state;

	memset(longname, 'a', sizeof longname - 1);
	/* a name that cannot fit any URL is skipped; the others are still asked */
	assert_int_equal(aur_info_urls("https://aur.example", names, 2, count_url, &u), 1);
}

struct parse_case {
	const char *json;
	uint8_t type, status;
	const char *problem;      /* prefix */
	uint32_t count;           /* rows, or pairs */
};

static const struct parse_case cases[] = {
	{ "{\"version\":5,\"type\":\"search\",\"resultcount\":2,\"results\":[{\"Name\":\"a\",\"Version\":\"1-1\","
	  "\"Description\":null},{\"Name\":\"b\",\"Version\":\"2-1\",\"Description\":\"bee\"}]}",
	  OMG_MSG_AUR_SEARCH, OMG_AUR_OK, "", 2 },
	/* entries without a name or version, or not objects, are skipped */
	{ "{\"type\":\"search\",\"results\":[{\"Version\":\"1\"},7,{\"Name\":\"c\",\"Version\":\"1\"},{\"Name\":\"\",\"Version\":\"1\"}]}",
	  OMG_MSG_AUR_SEARCH, OMG_AUR_OK, "", 1 },
	{ "{\"type\":\"search\",\"results\":[]}", OMG_MSG_AUR_SEARCH, OMG_AUR_OK, "", 0 },
	{ "{\"type\":\"error\",\"error\":\"Too many package results.\"}", OMG_MSG_AUR_SEARCH, OMG_AUR_MISSING,
	  "the AUR says: Too many package results.", 0 },
	{ "{\"type\":\"search\",\"results\":{}}", OMG_MSG_AUR_SEARCH, OMG_AUR_MISSING, "malformed answer from the AUR (no results)", 0 },
	{ "[1,2]", OMG_MSG_AUR_SEARCH, OMG_AUR_MISSING, "malformed answer from the AUR (not an object)", 0 },
	{ "{\"type\":\"search\",", OMG_MSG_AUR_SEARCH, OMG_AUR_MISSING, "malformed answer from the AUR (", 0 },
	{ "{\"type\":\"search\",\"type\":\"error\",\"results\":[]}", OMG_MSG_AUR_SEARCH, OMG_AUR_MISSING,
	  "malformed answer from the AUR (", 0 }, /* duplicate keys refused */
	{ "{\"type\":\"multiinfo\",\"results\":[{\"Name\":\"yay\",\"Version\":\"1-1\",\"Depends\":[\"git\",7,\"go\"],"
	  "\"NumVotes\":3,\"Popularity\":0.5,\"OutOfDate\":0}]}",
	  OMG_MSG_AUR_INFO, OMG_AUR_OK, "", 8 }, /* Package, Repository, Version, Maintainer, Depends-On, Votes, Popularity, Out-Of-Date */
	{ "{\"type\":\"multiinfo\",\"results\":[]}", OMG_MSG_AUR_INFO, OMG_AUR_OK, "", 0 },
	/* a NUL inside a string (JSON allows \\u0000): jansson refuses the answer */
	{ "{\"type\":\"search\",\"results\":[{\"Name\":\"a\\u0000b\",\"Version\":\"1\"}]}", OMG_MSG_AUR_SEARCH,
	  OMG_AUR_MISSING, "malformed answer from the AUR (\\u0000 is not allowed", 0 },
};

static void test_parse_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct parse_case *c = &cases[i];
		struct omg_wbuf w = { 0 };
		struct omg_aur_msg m;
		aur_parse(c->json, strlen(c->json), c->type, 0, &w);
		assert_int_equal(omg_dec_aur(w.data, w.len, (uint8_t)(c->type | OMG_MSG_ANSWER), &m), OMG_OK);
		if (m.status != c->status)
			fail_msg("case %zu: status %u, problem '%s'", i, m.status, m.problem);
		if (strncmp(m.problem, c->problem, strlen(c->problem)) != 0)
			fail_msg("case %zu: problem '%s'", i, m.problem);
		if (m.status == OMG_AUR_OK)
			assert_int_equal(c->type == OMG_MSG_AUR_SEARCH ? m.rows.count : m.info.count, c->count);
		omg_aur_free(&m);
		omg_wbuf_free(&w);
	}
}

/* Found by the hostile test: the AUR's rows ignored search -n. */
static void test_search_limit(void **state)
{
	static const char json[] = "{\"type\":\"search\",\"results\":[{\"Name\":\"a\",\"Version\":\"1\"},"
				   "{\"Name\":\"b\",\"Version\":\"1\"},{\"Name\":\"c\",\"Version\":\"1\"}]}";
	const uint32_t limits[] = { 0, 1, 2, 3, 10 }, rows[] = { 3, 1, 2, 3, 3 };
	(void)state;

	for (size_t i = 0; i < sizeof limits / sizeof limits[0]; i++) {
		struct omg_wbuf w = { 0 };
		struct omg_aur_msg m;
		aur_parse(json, strlen(json), OMG_MSG_AUR_SEARCH, limits[i], &w);
		assert_int_equal(omg_dec_aur(w.data, w.len, OMG_MSG_AUR_SEARCH | OMG_MSG_ANSWER, &m), OMG_OK);
		assert_int_equal(m.rows.count, rows[i]);
		assert_int_equal(m.rows.matched, 3);
		omg_aur_free(&m);
		omg_wbuf_free(&w);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_info_batches),
		cmocka_unit_test(test_info_one_too_long),
		cmocka_unit_test(test_parse_cases),
		cmocka_unit_test(test_search_limit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
#endif
