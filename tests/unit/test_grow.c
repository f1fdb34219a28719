/* test_grow.c — grow.h: doubling, the owner's bound, and a failure that leaves the array as
 * it was. */
#include "config.h"
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "omg_error.h"

struct pair {
	uint64_t a;
	uint32_t b;
};

static void test_grow_doubles_and_keeps(void **state)
{
	struct pair *v = NULL;
	size_t cap = 0, caps = 0, last = 0;

	(void)state;
	for (size_t n = 0; n < 1000; n++) {
		assert_int_equal(omg_grow(&v, &cap, n + 1, sizeof *v, OMG_GROW_UNBOUNDED), OMG_OK);
		assert_true(cap >= n + 1);
		if (cap != last)
			caps++, last = cap;
		v[n] = (struct pair){ n * 3, (uint32_t)n };
	}
	assert_int_equal(caps, 7); /* 16, 32, ..., 1024 */
	for (size_t n = 0; n < 1000; n++)
		assert_true(v[n].a == n * 3 && v[n].b == n);
	assert_int_equal(omg_grow(&v, &cap, 10, sizeof *v, 5), OMG_OK); /* within: nothing to do */
	free(v);
}

static void test_grow_bound(void **state)
{
	uint32_t *v = NULL;
	size_t cap = 0;

	(void)state;
	assert_int_equal(omg_grow(&v, &cap, 20, sizeof *v, 20), OMG_OK);
	assert_int_equal(cap, 20); /* doubling stops at the bound */
	v[19] = 7;
	assert_int_equal(omg_grow(&v, &cap, 21, sizeof *v, 20), OMG_E_TOOBIG);
	assert_int_equal(cap, 20);
	assert_int_equal(v[19], 7); /* the array is as it was */
	assert_int_equal(omg_grow(&v, &cap, SIZE_MAX / 2, sizeof *v, OMG_GROW_UNBOUNDED), OMG_E_TOOBIG);
	assert_int_equal(cap, 20); /* (no NOMEM case: ASan aborts on an impossible size) */
	assert_int_equal(v[19], 7);
	free(v);
}

static void test_grow32(void **state)
{
	char *v = NULL;
	uint32_t cap = 0;

	(void)state;
	assert_int_equal(omg_grow32(&v, &cap, 100, 1, UINT32_MAX), OMG_OK);
	assert_int_equal(cap, 128);
	assert_int_equal(omg_grow32(&v, &cap, 129, 1, 128), OMG_E_TOOBIG);
	assert_int_equal(cap, 128);
	free(v);
}

static void test_buf(void **state)
{
	struct omg_buf b = OMG_BUF_INIT(10);

	(void)state;
	assert_int_equal(omg_buf_add(&b, "", 0), OMG_OK);
	assert_non_null(b.p);
	assert_string_equal(b.p, "");
	assert_int_equal(omg_buf_add(&b, "hello", 5), OMG_OK);
	assert_int_equal(omg_buf_add(&b, "world", 5), OMG_OK);
	assert_string_equal(b.p, "helloworld");
	assert_int_equal(omg_buf_add(&b, "!", 1), OMG_E_TOOBIG);
	assert_string_equal(b.p, "helloworld");
	assert_int_equal(b.len, 10);
	assert_int_equal(omg_buf_add(&b, "", 0), OMG_E_TOOBIG); /* the failure sticks */
	omg_buf_free(&b);
	assert_null(b.p);
	assert_int_equal(b.max, 10);
	assert_int_equal(omg_buf_add(&b, "again", 5), OMG_OK);
	assert_string_equal(b.p, "again");
	assert_int_equal(omg_buf_addf(&b, "%d%s", 42, "x"), OMG_OK);
	assert_string_equal(b.p, "again42x");
	assert_int_equal(b.len, 8);
	assert_int_equal(omg_buf_addf(&b, "%s", "abc"), OMG_E_TOOBIG);
	assert_string_equal(b.p, "again42x");
	omg_buf_free(&b);
}

static void test_buf_zeroed(void **state)
{
	struct omg_buf b = { 0 }; /* no bound: ready as it is */

	(void)state;
	assert_int_equal(omg_buf_addline(&b, "one"), OMG_OK);
	assert_int_equal(omg_buf_addline(&b, "two"), OMG_OK);
	for (int i = 0; i < 10000; i++)
		assert_int_equal(omg_buf_add(&b, "x", 1), OMG_OK);
	assert_int_equal(b.len, 7 + 10000);
	assert_memory_equal(b.p, "one\ntwox", 8);
	omg_buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grow_doubles_and_keeps),
		cmocka_unit_test(test_grow_bound),
		cmocka_unit_test(test_grow32),
		cmocka_unit_test(test_buf),
		cmocka_unit_test(test_buf_zeroed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
