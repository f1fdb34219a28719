/* test_record.c — record.h: a record's text as (name, value) pairs, one row a case. The pairs
 * are what omg info prints after its own lines, so each row is what INFO would show. */
#include "config.h"
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "omg_error.h"
#include "record.h"

static const struct record_row {
	const char *text;
	const char *pairs;      /* "name=value" joined by "|" */
} RECORDS[] = {
	{ "Package: vim\nVersion: 2:9.0\n", "Package=vim|Version=2:9.0" },
	/* a continuation line stays in its field's value, newline and indentation included */
	{ "Description: editor\n Vim is\n .\n improved\nSize: 10\n",
	  "Description=editor\n Vim is\n .\n improved|Size=10" },
	{ "Description: tabs\n\tcontinue too\n", "Description=tabs\n\tcontinue too" },
	/* one space after the colon is the separator; more are the value's */
	{ "A:b\nC:  two\nD:\n", "A=b|C= two|D=" },
	/* a line with no colon, or one at its start, is no field */
	{ "junk line\n: no name\nE: e\n", "E=e" },
	/* no final newline; a colon inside the value */
	{ "Homepage: https://example.org:8080/x", "Homepage=https://example.org:8080/x" },
	{ "", "" },
	{ "\n\n", "" },
	/* the same name twice: both kept, record_get gives the first */
	{ "Tag: a\nTag: b\n", "Tag=a|Tag=b" },
};

static void test_record_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof RECORDS / sizeof RECORDS[0]; i++) {
		const struct record_row *row = &RECORDS[i];
		struct record r;
		char got[512] = "";
		size_t len = 0;

		assert_int_equal(record_take(&r, strdup(row->text)), OMG_OK);
		assert_string_equal(r.text, row->text); /* the text is kept whole */
		assert_int_equal(r.len, strlen(row->text));
		for (uint32_t k = 0; k < r.nfields; k++)
			len += (size_t)snprintf(got + len, sizeof got - len, "%s%s=%s", k ? "|" : "", r.fields[k].name,
						r.fields[k].value);
		if (strcmp(got, row->pairs) != 0)
			print_message("row %zu\n", i);
		assert_string_equal(got, row->pairs);
		record_free(&r);
		assert_null(r.text);
	}
}

static void test_record_get(void **state)
{
	struct record r;
	(void)state;

	assert_int_equal(record_take(&r, strdup("Size: 123\nInstalled-Size: 4\nTag: a\nTag: b\n")), OMG_OK);
	assert_string_equal(record_get(&r, "Size"), "123");
	assert_string_equal(record_get(&r, "Installed-Size"), "4");
	assert_string_equal(record_get(&r, "Tag"), "a");
	assert_null(record_get(&r, "size")); /* as the text spells it */
	assert_null(record_get(&r, "Missing"));
	record_free(&r);
	/* no text: an empty record, and freeing it twice is harmless */
	assert_int_equal(record_take(&r, NULL), OMG_OK);
	assert_int_equal(r.nfields, 0);
	assert_null(record_get(&r, "Size"));
	record_free(&r);
	record_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_record_table),
		cmocka_unit_test(test_record_get),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
