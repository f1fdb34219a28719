/* test_proto.c — protocol v1 round trips, byte-exact examples and malformed input. */
#include "config.h"
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "omg_error.h"
#include "proto.h"

/* docs/protocol.md's first example: PING request id 7. */
static void test_ping_bytes(void **state)
{
	static const uint8_t expect[] = { 0x00, 0x00, 0x00, 0x00, 0x01, 0x02, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00 };
	struct omg_wbuf w = { 0 };
	(void)state;

	omg_frame_begin(&w, OMG_MSG_PING, 7);
	assert_int_equal(omg_frame_end(&w, OMG_FRAME_MAX), OMG_OK);
	assert_int_equal(w.len, sizeof expect);
	assert_memory_equal(w.data, expect, sizeof expect);
	omg_wbuf_free(&w);
}

/* docs/protocol.md's SEARCH example: "fire", limit 5, descriptions, id 2. */
static void test_search_bytes(void **state)
{
	static const uint8_t expect[] = {
		0x11, 0x00, 0x00, 0x00, 0x01, 0x04, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00,
		0x04, 0x00, 0x00, 0x00, 'f', 'i', 'r', 'e', 0x00,
		0x05, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
	};
	struct omg_query q = { .text = "fire", .limit = 5, .flags = OMG_SEARCH_DESCRIPTIONS }, back;
	struct omg_wbuf w = { 0 };
	struct omg_header h;
	(void)state;

	omg_frame_begin(&w, OMG_MSG_SEARCH, 2);
	omg_enc_query(&w, OMG_MSG_SEARCH, &q);
	assert_int_equal(omg_frame_end(&w, OMG_FRAME_MAX), OMG_OK);
	assert_int_equal(w.len, sizeof expect);
	assert_memory_equal(w.data, expect, sizeof expect);
	assert_int_equal(omg_header_decode(w.data, OMG_REQUEST_MAX, &h), OMG_OK);
	assert_int_equal(h.type, OMG_MSG_SEARCH);
	assert_int_equal(h.id, 2);
	assert_int_equal(omg_dec_query(w.data + OMG_HEADER_SIZE, h.length, OMG_MSG_SEARCH, &back), OMG_OK);
	assert_string_equal(back.text, "fire");
	assert_int_equal(back.limit, 5);
	assert_int_equal(back.flags, OMG_SEARCH_DESCRIPTIONS);
	omg_wbuf_free(&w);
}

static void test_header_rejections(void **state)
{
	uint8_t raw[OMG_HEADER_SIZE] = { 0, 0, 0, 0, 1, 2, 0, 0, 1, 0, 0, 0 };
	struct omg_header h;
	(void)state;

	assert_int_equal(omg_header_decode(raw, OMG_REQUEST_MAX, &h), OMG_OK);
	raw[4] = 2;
	assert_int_equal(omg_header_decode(raw, OMG_REQUEST_MAX, &h), OMG_E_VERSION);
	raw[4] = 1;
	raw[6] = 1;
	assert_int_equal(omg_header_decode(raw, OMG_REQUEST_MAX, &h), OMG_E_PROTO);
	raw[6] = 0;
	raw[2] = 1; /* 65536 bytes: one over OMG_REQUEST_MAX */
	raw[0] = 1;
	assert_int_equal(omg_header_decode(raw, OMG_REQUEST_MAX, &h), OMG_E_TOOBIG);
	memset(raw, 0xff, 4);
	assert_int_equal(omg_header_decode(raw, OMG_FRAME_MAX, &h), OMG_E_TOOBIG);
}

static void test_status_roundtrip(void **state)
{
	struct omg_status_msg m = { 873, 151, 3, 116, 74, 9, 1700000000, 1690000000, OMG_STATUS_READY, "dpkg", "/",
				    "index store: No space left on device" }, b;
	struct omg_wbuf w = { 0 };
	(void)state;

	omg_enc_status(&w, &m);
	assert_int_equal(omg_dec_status(w.data, w.len, &b), OMG_OK);
	assert_int_equal(b.total, 873);
	assert_int_equal(b.security, 74);
	assert_int_equal(b.generation, 9);
	assert_int_equal(b.updated_at, 1700000000);
	assert_string_equal(b.backend, "dpkg");
	assert_string_equal(b.store, "index store: No space left on device");
	/* every truncation is refused, and so is a trailing byte */
	for (size_t n = 0; n < w.len; n++)
		assert_int_equal(omg_dec_status(w.data, n, &b), OMG_E_PROTO);
	omg_put_u8(&w, 0);
	assert_int_equal(omg_dec_status(w.data, w.len, &b), OMG_E_PROTO);
	omg_wbuf_free(&w);
}

static void test_audit_roundtrip(void **state)
{
	uint8_t head[OMG_AUDIT_HASH_SIZE], h1[OMG_AUDIT_HASH_SIZE];
	struct omg_audit_query q = { 7, 1700000000, 10, OMG_AUDIT_VERIFY }, qb;
	struct omg_audit_msg m = { "", OMG_AUDIT_BROKEN, 41, 12, "record 12: edited", 41, head, 1, 1, NULL }, b;
	struct omg_audit_rec r = { 8, 1700000000123456789ull, 1000, 0, 2, "install foo:amd64 1.0", h1 };
	struct omg_wbuf w = { 0 };
	size_t at;
	(void)state;

	memset(head, 0xab, sizeof head);
	memset(h1, 0x01, sizeof h1);
	omg_enc_audit_query(&w, &q);
	assert_int_equal(omg_dec_audit_query(w.data, w.len, &qb), OMG_OK);
	assert_int_equal(qb.after_seq, 7);
	assert_int_equal(qb.since, 1700000000);
	assert_int_equal(qb.flags, OMG_AUDIT_VERIFY);
	omg_wbuf_reset(&w);
	at = omg_enc_audit_head(&w, &m);
	omg_enc_audit_rec(&w, &r);
	omg_patch_u32(&w, at, 1);
	assert_int_equal(omg_dec_audit(w.data, w.len, &b), OMG_OK);
	assert_int_equal(b.verdict, OMG_AUDIT_BROKEN);
	assert_int_equal(b.bad_seq, 12);
	assert_string_equal(b.why, "record 12: edited");
	assert_memory_equal(b.head, head, sizeof head);
	assert_int_equal(b.more, 1);
	assert_int_equal(b.count, 1);
	assert_int_equal(b.recs[0].seq, 8);
	assert_true(b.recs[0].time_ns == 1700000000123456789ull);
	assert_int_equal(b.recs[0].kind, 2);
	assert_string_equal(b.recs[0].what, "install foo:amd64 1.0");
	assert_memory_equal(b.recs[0].hash, h1, sizeof h1);
	omg_audit_free(&b);
	for (size_t n = 0; n < w.len; n++) {
		assert_int_equal(omg_dec_audit(w.data, n, &b), OMG_E_PROTO);
		assert_null(b.recs);
	}
	/* a count larger than the bytes can hold is refused before any allocation */
	omg_patch_u32(&w, at, 0xffffffffu);
	assert_int_equal(omg_dec_audit(w.data, w.len, &b), OMG_E_PROTO);
	omg_wbuf_free(&w);
}

static void test_rows_roundtrip(void **state)
{
	struct omg_pkg_row r = { "bash", "amd64", "5.2-1", "5.2-2", "GNU Bourne Again SHell",
				 OMG_PKG_INSTALLED | OMG_PKG_UPGRADABLE };
	struct omg_rows rows;
	struct omg_wbuf w = { 0 };
	(void)state;

	omg_put_u32(&w, 3);
	omg_put_u32(&w, 2);
	omg_enc_row(&w, &r);
	omg_enc_row(&w, &r);
	assert_int_equal(omg_dec_rows(w.data, w.len, &rows), OMG_OK);
	assert_int_equal(rows.matched, 3);
	assert_int_equal(rows.count, 2);
	assert_string_equal(rows.rows[1].description, "GNU Bourne Again SHell");
	assert_int_equal(rows.rows[1].flags, OMG_PKG_INSTALLED | OMG_PKG_UPGRADABLE);
	omg_rows_free(&rows);
	/* a count larger than the bytes could hold is refused before allocating */
	omg_patch_u32(&w, 4, 0x7fffffff);
	assert_int_equal(omg_dec_rows(w.data, w.len, &rows), OMG_E_PROTO);
	/* trailing bytes: refused, and the rows array is released (found by fuzz_frame) */
	omg_put_u8(&w, 0);
	assert_int_equal(omg_dec_rows(w.data, w.len, &rows), OMG_E_PROTO);
	assert_null(rows.rows);
	w.len--;
	/* count > matched is inconsistent */
	omg_patch_u32(&w, 4, 2);
	omg_patch_u32(&w, 0, 1);
	assert_int_equal(omg_dec_rows(w.data, w.len, &rows), OMG_E_PROTO);
	omg_wbuf_free(&w);
}

static void test_string_rules(void **state)
{
	/* length 3, "abc", then the NUL: good; without the NUL or with an inner NUL: refused */
	static const uint8_t good[] = { 3, 0, 0, 0, 'a', 'b', 'c', 0 };
	static const uint8_t no_nul[] = { 3, 0, 0, 0, 'a', 'b', 'c', 'd' };
	static const uint8_t inner_nul[] = { 3, 0, 0, 0, 'a', 0, 'c', 0 };
	static const uint8_t huge[] = { 0xff, 0xff, 0xff, 0xff, 'a', 0 };
	struct omg_rbuf r;
	struct omg_wbuf w = { 0 };
	(void)state;

	omg_rbuf_init(&r, good, sizeof good);
	assert_string_equal(omg_get_str(&r), "abc");
	assert_int_equal(omg_rbuf_done(&r), OMG_OK);
	omg_rbuf_init(&r, no_nul, sizeof no_nul);
	omg_get_str(&r);
	assert_int_equal(omg_rbuf_done(&r), OMG_E_PROTO);
	omg_rbuf_init(&r, inner_nul, sizeof inner_nul);
	omg_get_str(&r);
	assert_int_equal(omg_rbuf_done(&r), OMG_E_PROTO);
	omg_rbuf_init(&r, huge, sizeof huge);
	omg_get_str(&r);
	assert_int_equal(omg_rbuf_done(&r), OMG_E_PROTO);
	/* the encoder refuses an embedded NUL */
	omg_put_strn(&w, "a\0b", 3);
	assert_int_equal(w.failed, OMG_E_INVAL);
	omg_wbuf_free(&w);
}

static void test_batch_limits(void **state)
{
	struct omg_wbuf w = { 0 };
	struct omg_batch *b = malloc(sizeof *b);
	(void)state;

	omg_put_u32(&w, 2);
	omg_enc_batch_item(&w, OMG_MSG_STATUS, NULL, 0);
	omg_enc_batch_item(&w, OMG_MSG_PING, NULL, 0);
	assert_int_equal(omg_dec_batch(w.data, w.len, b), OMG_OK);
	assert_int_equal(b->count, 2);
	assert_int_equal(b->items[1].type, OMG_MSG_PING);
	omg_patch_u32(&w, 0, 0);
	assert_int_equal(omg_dec_batch(w.data, w.len, b), OMG_E_PROTO);
	omg_patch_u32(&w, 0, OMG_BATCH_MAX + 1);
	assert_int_equal(omg_dec_batch(w.data, w.len, b), OMG_E_PROTO);
	omg_patch_u32(&w, 0, 3); /* says 3, holds 2 */
	assert_int_equal(omg_dec_batch(w.data, w.len, b), OMG_E_PROTO);
	free(b);
	omg_wbuf_free(&w);
}

static void test_hello_and_error(void **state)
{
	struct omg_hello h = { .min_version = 1, .max_version = 1, .name = "omgd", .backend = "dpkg", .max_frame = OMG_FRAME_MAX }, b;
	struct omg_error_msg e;
	struct omg_wbuf w = { 0 };
	(void)state;

	omg_enc_hello(&w, &h, 1);
	assert_memory_equal(w.data, "OMGP", 4);
	assert_int_equal(omg_dec_hello(w.data, w.len, &b, 1), OMG_OK);
	assert_string_equal(b.backend, "dpkg");
	w.data[0] = 'X';
	assert_int_equal(omg_dec_hello(w.data, w.len, &b, 1), OMG_E_PROTO);
	omg_wbuf_reset(&w);
	omg_enc_error(&w, OMG_WERR_NOT_FOUND, "package 'x' not found");
	assert_int_equal(omg_dec_error(w.data, w.len, &e), OMG_OK);
	assert_int_equal(e.code, OMG_WERR_NOT_FOUND);
	assert_string_equal(e.message, "package 'x' not found");
	omg_wbuf_free(&w);
}

static void test_frame_size_limit(void **state)
{
	struct omg_wbuf w = { 0 };
	char *big = malloc(OMG_REQUEST_MAX + 1);
	(void)state;

	memset(big, 'a', OMG_REQUEST_MAX);
	big[OMG_REQUEST_MAX] = 0;
	omg_frame_begin(&w, OMG_MSG_SEARCH, 1);
	omg_put_str(&w, big);
	assert_int_equal(omg_frame_end(&w, OMG_REQUEST_MAX), OMG_E_TOOBIG);
	free(big);
	omg_wbuf_free(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ping_bytes),
		cmocka_unit_test(test_search_bytes),
		cmocka_unit_test(test_header_rejections),
		cmocka_unit_test(test_status_roundtrip),
		cmocka_unit_test(test_audit_roundtrip),
		cmocka_unit_test(test_rows_roundtrip),
		cmocka_unit_test(test_string_rules),
		cmocka_unit_test(test_batch_limits),
		cmocka_unit_test(test_hello_and_error),
		cmocka_unit_test(test_frame_size_limit),
	};
	return cmocka_run_group_tests_name("proto", tests, NULL, NULL);
}
