/* test_text.c — text.h: what reaches the terminal of other people's bytes, and lines laid out
 * in its width. Tables: one row a case. */
#include "config.h"
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

static const struct visible_row {
	const char *in;
	int keep_nl;
	const char *out;
} VISIBLE[] = {
	{ "plain text", 0, "plain text" },
	{ "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\xa5", 0, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\xa5" }, /* UTF-8 stays */
	{ "\x1b]0;owned\x07title", 0, "^[]0;owned^Gtitle" },          /* an OSC that would retitle */
	{ "a\x1b[2Jb", 0, "a^[[2Jb" },                                 /* clear the screen */
	{ "del\x7f", 0, "del^?" },
	{ "csi\xc2\x9b" "31m", 0, "csi<U+009B>31m" },                  /* C1 CSI in UTF-8 */
	{ "raw\x9bz", 0, "raw\\x9bz" },                                /* not UTF-8 */
	{ "over\xc0\xaflong", 0, "over\\xc0\\xaflong" },               /* overlong '/' */
	{ "sur\xed\xa0\x80", 0, "sur\\xed\\xa0\\x80" },                /* a surrogate */
	{ "big\xf4\x90\x80\x80", 0, "big\\xf4\\x90\\x80\\x80" },       /* past U+10FFFF */
	{ "cut\xe2\x82", 0, "cut\\xe2\\x82" },                         /* cut short at the end */
	{ "two\nlines\ttab", 0, "two^Jlines^Itab" },
	{ "two\nlines\ttab", 1, "two\nlines\ttab" },                   /* multi-line fields keep them */
	{ "cr\r", 1, "cr^M" },
	{ "", 0, "" },
};

static void test_visible_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof VISIBLE / sizeof VISIBLE[0]; i++) {
		const struct visible_row *r = &VISIBLE[i];
		char *got = NULL, buf[256];
		size_t len = 0;
		FILE *f = open_memstream(&got, &len);

		assert_non_null(f);
		omg_text_put_visible(f, r->in, r->keep_nl);
		fclose(f);
		if (strcmp(got, r->out) != 0)
			print_message("row %zu\n", i);
		assert_string_equal(got, r->out);
		if (!r->keep_nl) /* the same into a buffer */
			assert_string_equal(omg_text_visible(r->in, buf, sizeof buf), r->out);
		free(got);
	}
}

/* A buffer too small cuts between characters, never inside one. */
static void test_visible_cut(void **state)
{
	char buf[6];
	(void)state;

	assert_string_equal(omg_text_visible("ab\xe2\x82\xac" "cd", buf, sizeof buf), "ab\xe2\x82\xac");
	assert_string_equal(omg_text_visible("a\x1b" "bcdef", buf, 4), "a^[");
	assert_string_equal(omg_text_visible("a\x9b" "bcd", buf, 5), "a");  /* \x9b takes 4: no room */
	assert_int_equal(omg_text_cols("caf\xc3\xa9"), 4);
	assert_int_equal(omg_text_cols(""), 0);
}

static const struct layout_row {
	const char *in;
	int col, width, indent; /* width < 0: put_cut within -width columns */
	const char *out;
} LAYOUT[] = {
	{ "fits whole", 0, -20, 0, "fits whole" },
	{ "a description that is too long", 0, -20, 0, "a description..." },   /* after a whole word */
	{ "unbreakableword", 0, -8, 0, "unbre..." },                           /* no space: cut inside */
	{ "caf\xc3\xa9 caf\xc3\xa9 caf\xc3\xa9", 0, -12, 0, "caf\xc3\xa9 caf\xc3\xa9..." }, /* characters */
	{ "one two three four", 0, 9, 2, "one two\n  three\n  four" },
	{ "one two three", 5, 12, 5, "one two\n     three" },                 /* from column 5 */
	{ "  spaced   out  ", 0, 0, 0, "spaced out" },                        /* 0: no limit */
	{ "averyveryverylongword x", 0, 8, 0, "averyveryverylongword\nx" },    /* stays whole */
};

static void test_layout_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof LAYOUT / sizeof LAYOUT[0]; i++) {
		const struct layout_row *r = &LAYOUT[i];
		char *got = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&got, &len);

		assert_non_null(f);
		if (r->width < 0)
			omg_text_put_cut(f, r->in, -r->width);
		else
			omg_text_put_wrapped(f, r->in, r->col, r->width, r->indent);
		fclose(f);
		if (strcmp(got, r->out) != 0)
			print_message("row %zu: '%s'\n", i, got);
		assert_string_equal(got, r->out);
		free(got);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_visible_table),
		cmocka_unit_test(test_visible_cut),
		cmocka_unit_test(test_layout_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
